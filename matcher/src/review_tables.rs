//! The monthly review as titled tables with Italian headings, one per section, for the
//! coordinator's spreadsheet (`sheet::write_csv` / `write_xlsx` turn them into files).

use std::collections::BTreeMap;

use crate::guard::Ground;
use crate::model::{Job, NotHiredReason};
use crate::report::MonthlyReport;
use crate::sheet::{Table, TableCell};

fn table(title: &str, headings: &[&str], rows: Vec<Vec<TableCell>>) -> Table {
    Table {
        title: title.to_string(),
        headings: headings.iter().map(|h| h.to_string()).collect(),
        rows,
    }
}

fn count(n: u64) -> TableCell {
    TableCell::Integer(i64::try_from(n).unwrap_or(i64::MAX))
}

fn signed(n: i64) -> TableCell {
    TableCell::Integer(n)
}

fn rate(x: Option<f64>) -> TableCell {
    x.map_or(TableCell::Empty, TableCell::Percent)
}

fn days(x: Option<f64>) -> TableCell {
    x.map_or(TableCell::Empty, TableCell::Decimal)
}

fn line(label: &str, value: TableCell) -> Vec<TableCell> {
    vec![label.into(), value]
}

/// `key → count` rows, each key named by `label`.
fn counts(map: &BTreeMap<String, u64>, label: impl Fn(&str) -> String) -> Vec<Vec<TableCell>> {
    map.iter()
        .map(|(k, v)| vec![label(k).into(), count(*v)])
        .collect()
}

fn job_label(k: &str) -> String {
    Job::parse(k).map_or_else(|| k.to_string(), |j| j.label().to_string())
}

fn reason_label(k: &str) -> String {
    NotHiredReason::parse(k).map_or_else(|| k.to_string(), |r| r.label().to_string())
}

fn ground_label(k: &str) -> String {
    Ground::from_name(k).map_or_else(|| k.to_string(), |g| g.label().to_string())
}

impl MonthlyReport {
    /// Every section of the review as a table, in the order of the review page.
    pub fn tables(&self) -> Vec<Table> {
        let mut out = Vec::new();
        let r = self;
        out.push(table(
            &format!("Rapporto mensile {}", r.month),
            &["Voce", "Valore"],
            vec![
                line("Richieste ricevute", count(r.requests_received.total)),
                line("Proposte fatte", count(r.proposals_made)),
                line("Assunzioni iniziate nel mese", count(r.placements)),
                line("Richieste chiuse o coperte", count(r.requests_closed)),
                line("Tasso di collocamento", rate(r.placement_rate)),
                line(
                    "Giorni dalla richiesta alla prima proposta (mediana)",
                    days(r.median_days_request_to_first_proposal),
                ),
                line(
                    "Giorni dalla proposta all'inizio del lavoro (mediana)",
                    days(r.median_days_proposal_to_start),
                ),
            ],
        ));
        out.push(table(
            "Richieste per organizzazione",
            &["Organizzazione", "Richieste"],
            counts(&r.requests_received.by_organisation, str::to_string),
        ));
        out.push(table(
            "Richieste per lavoro",
            &["Lavoro", "Richieste"],
            counts(&r.requests_received.by_job, job_label),
        ));
        out.push(table(
            "Verifiche ed esiti",
            &["Voce", "Valore"],
            vec![
                line("Verifiche in scadenza nel mese", count(r.follow_ups.due)),
                line("Verifiche fatte", count(r.follow_ups.done)),
                line("Verifiche in ritardo", count(r.follow_ups.overdue)),
                line("Proposte con esito noto", count(r.outcomes.known)),
                line("Proposte senza esito", count(r.outcomes.unknown)),
                line("Verifiche a 90 giorni", count(r.retention_90_days.checked)),
                line(
                    "Ancora al lavoro dopo 90 giorni",
                    count(r.retention_90_days.still_employed),
                ),
                line(
                    "Tasso di permanenza a 90 giorni",
                    rate(r.retention_90_days.rate),
                ),
            ],
        ));
        out.push(table(
            "Motivi di mancata assunzione",
            &["Motivo", "Proposte"],
            counts(&r.failure_reasons, reason_label),
        ));
        let refused = &r.anti_discrimination.refused_requests;
        let mut refusals = vec![line("Totale", count(refused.total))];
        refusals.extend(counts(&refused.by_ground, |k| {
            format!("per motivo: {}", ground_label(k))
        }));
        refusals.extend(counts(&refused.by_organisation, |k| {
            format!("per organizzazione: {k}")
        }));
        out.push(table(
            "Richieste rifiutate per criteri discriminatori",
            &["Voce", "Richieste"],
            refusals,
        ));
        out.push(table(
            "Equità (ultimi 12 mesi)",
            &[
                "Caratteristica",
                "Gruppo",
                "Idonee",
                "Proposte",
                "Assunte",
                "Tasso di proposta",
                "Tasso di assunzione",
                "Rapporto con il gruppo migliore",
                "Da verificare",
            ],
            r.anti_discrimination
                .fairness
                .iter()
                .map(|f| {
                    vec![
                        f.attribute.label().into(),
                        f.group.clone().into(),
                        count(f.eligible),
                        count(f.proposed),
                        count(f.hired),
                        TableCell::Percent(f.proposal_rate),
                        TableCell::Percent(f.hire_rate),
                        rate(f.ratio_to_best),
                        if f.flag { "sì" } else { "no" }.into(),
                    ]
                })
                .collect(),
        ));
        out.push(table(
            "Schede",
            &["Stato", "Schede"],
            vec![
                line("Disponibili", count(r.cards.active)),
                line("Occupate tramite DOM", count(r.cards.placed)),
                line("Non attive", count(r.cards.inactive)),
                line("Da completare", count(r.cards.incomplete)),
            ],
        ));
        out.push(table(
            "Per comune",
            &["Comune", "Richieste", "Assunzioni"],
            r.by_comune
                .iter()
                .map(|(k, v)| vec![k.clone().into(), count(v.requests), count(v.placements)])
                .collect(),
        ));
        let c = &r.change_from_previous_month;
        out.push(table(
            "Variazione sul mese precedente",
            &["Voce", "Variazione"],
            vec![
                line("Richieste ricevute", signed(c.requests_received)),
                line("Proposte fatte", signed(c.proposals_made)),
                line("Assunzioni", signed(c.placements)),
                line("Tasso di collocamento", rate(c.placement_rate)),
            ],
        ));
        let e = &r.effectiveness;
        out.push(table(
            &format!("Efficacia da {} a {}", e.from, e.to),
            &["Voce", "Valore"],
            vec![
                line("Proposte con esito noto", rate(e.outcome_known_share)),
                line(
                    "Giorni dalla proposta all'esito (mediana)",
                    days(e.median_days_proposal_to_outcome),
                ),
            ],
        ));
        let band_rows = e
            .by_score_band
            .iter()
            .map(|b| (b.band.clone(), b.proposals, b.hired, b.rate));
        let rank_rows = e
            .by_rank
            .iter()
            .map(|b| (b.rank.clone(), b.proposals, b.hired, b.rate));
        for (title, first, rows) in [
            (
                "Assunzioni per fascia di punteggio",
                "Punteggio",
                band_rows.collect::<Vec<_>>(),
            ),
            (
                "Assunzioni per posizione in classifica",
                "Posizione",
                rank_rows.collect(),
            ),
        ] {
            out.push(table(
                title,
                &[first, "Proposte", "Assunte", "Tasso di assunzione"],
                rows.into_iter()
                    .map(|(k, n, h, x)| vec![k.into(), count(n), count(h), rate(x)])
                    .collect(),
            ));
        }
        out
    }

    /// The review as one CSV for Italian Excel (see `sheet::write_csv`).
    pub fn to_csv(&self) -> Vec<u8> {
        crate::sheet::write_csv(&self.tables())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csv_opens_in_italian_excel() {
        let mut r = MonthlyReport {
            month: "2026-11".into(),
            placement_rate: Some(0.6667),
            ..MonthlyReport::default()
        };
        r.requests_received.by_job.insert("badante".into(), 3);
        r.cards.incomplete = 2;
        r.median_days_proposal_to_start = Some(13.5);
        let csv = r.to_csv();
        assert!(csv.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 with BOM");
        let text = String::from_utf8(csv[3..].to_vec()).unwrap();
        assert!(text.contains("Tasso di collocamento;66,7%\r\n"), "{text}");
        assert!(text.contains("(mediana);13,5\r\n"), "{text}");
        assert!(text.contains("badante;3\r\n"), "{text}");
        assert!(text.contains("Da completare;2\r\n"), "{text}");
        // One table per section, a blank line between.
        assert!(text.contains("\r\n\r\nRichieste per lavoro\r\nLavoro;Richieste\r\n"));
        assert!(text.contains("Rapporto mensile 2026-11\r\nVoce;Valore\r\n"));
    }
}
