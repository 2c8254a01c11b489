//! The contact log: dated lines ("chiamata 20/11, non risponde") on a worker card or a
//! request, sealed under that record's key and erased with it.

use crate::date::Date;
use crate::engine::{Change, Engine};
use crate::error::{Error, Result};
use crate::model::{Actor, AuditAction, Contact, ContactInput, Id, RecordKind};
use crate::validate;

impl Engine {
    /// Adds a line to the contact log of a worker card or a request (`about`), audited
    /// on that record. The record must exist; the note never reaches the audit line.
    pub fn add_contact(
        &self,
        actor: &Actor,
        about: RecordKind,
        id: Id,
        input: ContactInput,
        today: Date,
    ) -> Result<Contact> {
        let _u = self.lock_updates();
        match about {
            RecordKind::Worker => {
                self.store().workers.fetch(id)?;
            }
            RecordKind::Request => {
                let r = self.store().requests.fetch(id)?;
                if r.deidentified_on.is_some() {
                    return Err(Error::Conflict(
                        "richiesta anonimizzata per scadenza dei termini di conservazione: \
                         non si registrano contatti"
                            .into(),
                    ));
                }
            }
            other => {
                return Err(Error::invalid(
                    "",
                    format!("nessun registro dei contatti per {}", other.label()),
                ))
            }
        }
        let input = validate::contact(input, today)?;
        let contact = Contact {
            id: Id::random(),
            about: id,
            about_kind: about,
            on: input.on,
            channel: input.channel,
            note: input.note,
            operator_id: actor.operator_id,
            org_id: actor.org_id,
            recorded_at: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        };
        let mut c = Change::audited(Some(actor), AuditAction::Contact, about, id);
        c.contacts.push(contact.clone());
        self.apply(c)?;
        Ok(contact)
    }

    /// The contact log of a worker card or a request, newest first.
    pub fn contacts_of(&self, id: Id) -> Result<Vec<Contact>> {
        let mut out = self.store().contacts.children(id)?;
        out.sort_by_key(|c| std::cmp::Reverse((c.on, c.recorded_at, c.id)));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::testing::{desk, engine, today, NATALIA, ROSSI};
    use crate::model::ContactChannel;

    /// Adds a WhatsApp line about `id` on day `on`.
    fn add(e: &Engine, about: RecordKind, id: Id, on: Date, note: &str) -> Result<Contact> {
        let line = ContactInput {
            on,
            channel: ContactChannel::Whatsapp,
            note: note.into(),
        };
        e.add_contact(&desk(), about, id, line, today())
    }

    #[test]
    fn lines_list_newest_first_per_record_and_are_audited_without_the_note() {
        let e = engine();
        add(
            &e,
            RecordKind::Worker,
            NATALIA,
            today().add_days(-3),
            "prima",
        )
        .unwrap();
        add(&e, RecordKind::Worker, NATALIA, today(), "seconda").unwrap();
        add(&e, RecordKind::Request, ROSSI, today(), "famiglia").unwrap();
        let notes: Vec<String> = e
            .contacts_of(NATALIA)
            .unwrap()
            .into_iter()
            .map(|c| c.note)
            .collect();
        assert_eq!(notes, ["seconda", "prima"]);
        assert_eq!(e.contacts_of(ROSSI).unwrap().len(), 1);
        let audit = e.store().audit_of(NATALIA).unwrap();
        let lines: Vec<_> = audit
            .iter()
            .filter(|a| a.action == AuditAction::Contact)
            .collect();
        assert_eq!(lines.len(), 2);
        assert!(lines.iter().all(|a| a.record_kind == RecordKind::Worker));
        assert!(!serde_json::to_string(&audit).unwrap().contains("seconda"));
    }

    #[test]
    fn an_invalid_line_or_an_unknown_record_stores_nothing() {
        let e = engine();
        let err = add(&e, RecordKind::Worker, NATALIA, today(), " ").unwrap_err();
        assert_eq!(err.field(), Some("note"));
        assert!(matches!(
            add(&e, RecordKind::Worker, Id(7), today(), "x"),
            Err(Error::NotFound { .. })
        ));
        assert!(add(&e, RecordKind::Proposal, NATALIA, today(), "x").is_err());
        assert!(e.store().contacts.is_empty());
    }

    #[test]
    fn the_log_is_sealed_erased_with_the_worker_and_exported_before() {
        let e = engine();
        let c = add(&e, RecordKind::Worker, NATALIA, today(), "nota riservata").unwrap();
        let mut plain = false;
        e.store()
            .for_each_raw(|_, _, v| {
                plain |= v.windows(14).any(|x| x == b"nota riservata");
                Ok(())
            })
            .unwrap();
        assert!(!plain, "the note is sealed");
        let export = e.export_worker(NATALIA, &desk(), today()).unwrap();
        assert_eq!(export.contacts, vec![c.clone()]);
        e.erase_worker(NATALIA, Some(&desk()), today()).unwrap();
        assert!(e.contacts_of(NATALIA).unwrap().is_empty());
        assert!(!e.store().contacts.contains(c.id).unwrap());
        assert!(e.store().contacts.is_empty());
    }

    #[test]
    fn retention_removes_the_log_of_a_deidentified_request() {
        let e = engine();
        add(&e, RecordKind::Request, ROSSI, today(), "famiglia").unwrap();
        let mut closed = e.store().requests.fetch(ROSSI).unwrap();
        closed.status = crate::model::RequestStatus::Closed;
        closed.closed_on = Some(today().add_days(-800));
        e.apply(Change {
            requests: vec![closed],
            ..Change::default()
        })
        .unwrap();
        e.apply_retention(today().add_days(-730), today()).unwrap();
        assert!(e.contacts_of(ROSSI).unwrap().is_empty());
        assert!(e.store().contacts.is_empty());
        assert!(matches!(
            add(&e, RecordKind::Request, ROSSI, today(), "x"),
            Err(Error::Conflict(_))
        ));
    }
}
