//! `dom admin`: organisations and operators on a stopped store (the service holds the
//! store's lock while it runs).

use super::*;

pub(super) fn admin(command: AdminCommand) -> Result {
    let as_json = |v: &str| serde_json::Value::String(v.to_string());
    match command {
        AdminCommand::AddOrg {
            name,
            kind,
            comune,
            data,
        } => {
            let kind = matcher::json::parse(as_json(&kind)).map_err(|_| {
                "--kind: desk, punto_insieme, social_services o coordination".to_string()
            })?;
            let engine = open(&data.data, false)?;
            let org = create_organisation(&engine, None, NewOrganisation { name, kind, comune })
                .map_err(|e| e.to_string())?;
            say!("organizzazione creata: {} ({})", org.id, org.name)?;
        }
        AdminCommand::AddOperator {
            org,
            name,
            role,
            expires_on,
            data,
        } => {
            let role = matcher::json::parse(as_json(&role))
                .map_err(|_| "--role: operator, referrer, coordinator o admin".to_string())?;
            let org_id = org
                .parse()
                .map_err(|_| "--org: identificativo non valido".to_string())?;
            let expires_on = cli_date("--expires-on", expires_on)?;
            let engine = open(&data.data, false)?;
            let new = NewOperator {
                org_id,
                name,
                role,
                expires_on,
            };
            let (op, token) =
                create_operator_record(&engine, None, new).map_err(|e| e.to_string())?;
            say!("operatore creato: {} ({})", op.id, op.name)?;
            say!("token (conservarlo ora: non sarà più mostrato): {token}")?;
        }
        AdminCommand::ListOperators { data } => {
            let engine = open(&data.data, false)?;
            let mut ops = engine.operators().map_err(|e| e.to_string())?;
            ops.sort_by(|a, b| (a.org_id, &a.name).cmp(&(b.org_id, &b.name)));
            say!("id\torganizzazione\truolo\tstato\tultimo uso\tscadenza\tnome")?;
            for o in ops {
                let state = if o.revoked_on.is_some() {
                    "revocato"
                } else if !o.active_on(matcher::Date::today()) {
                    "scaduto"
                } else {
                    "attivo"
                };
                let day = |d: Option<matcher::Date>, none: &str| {
                    d.map_or_else(|| none.to_string(), |d| d.to_string())
                };
                say!(
                    "{}\t{}\t{}\t{state}\t{}\t{}\t{}",
                    o.id,
                    o.org_id,
                    o.role.as_str(),
                    day(o.last_used_on, "mai"),
                    day(o.expires_on, "nessuna"),
                    o.name
                )?;
            }
        }
        AdminCommand::Revoke { id, data } => {
            let id = cli_id(&id)?;
            let engine = open(&data.data, false)?;
            let op = engine
                .revoke_operator(None, id, matcher::Date::today())
                .map_err(|e| e.to_string())?;
            say!("token revocato: {} ({})", op.id, op.name)?;
        }
        AdminCommand::Rotate { id, data } => {
            let id = cli_id(&id)?;
            let engine = open(&data.data, false)?;
            let token = crate::auth::new_token();
            let op = engine
                .rotate_operator(None, id, matcher::fixtures::token_hash(&token))
                .map_err(|e| e.to_string())?;
            say!(
                "nuovo token per {} ({}); il precedente non vale più",
                op.id,
                op.name
            )?;
            say!("token (conservarlo ora: non sarà più mostrato): {token}")?;
        }
        AdminCommand::SetExpiry { id, on, data } => {
            let id = cli_id(&id)?;
            let on = cli_date("--on", on)?;
            let engine = open(&data.data, false)?;
            let op = engine
                .set_operator_expiry(None, id, on)
                .map_err(|e| e.to_string())?;
            match op.expires_on {
                Some(d) => say!("scadenza del token di {}: {d}", op.id)?,
                None => say!("il token di {} non ha più scadenza", op.id)?,
            }
        }
    }
    Ok(())
}
