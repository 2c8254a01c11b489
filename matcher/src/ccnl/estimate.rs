//! The CCNL level a request implies and the family's yearly cost of that job, each line
//! with the rule it follows.

use serde::Serialize;

use super::{LevelWage, YearTable};
use crate::italian::{self, money, number, round};
use crate::model::{CcnlLevel, ExperienceKind, Job, LiveIn, Request};

/// What the desk knows of the person to hire, when it knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WorkerProfile {
    /// A recognised care qualification (e.g. OSS): DS instead of CS.
    pub trained_carer: bool,
    /// Less than 12 months of experience: A instead of B for house work.
    pub without_experience: bool,
}

/// The CCNL level a request implies, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LevelSuggestion {
    pub level: CcnlLevel,
    /// Paid with the night-care minimums (CCNL art. 10) rather than by hours.
    pub night_care: bool,
    pub reason_it: String,
}

/// Needs that make the person cared for non-self-sufficient for the CCNL's levels.
const NOT_SELF_SUFFICIENT: [ExperienceKind; 3] = [
    ExperienceKind::Dementia,
    ExperienceKind::Disability,
    ExperienceKind::Mobility,
];

/// The level for a request: care of a non-self-sufficient person → CS (DS if trained),
/// of a self-sufficient one → BS, house work → B (A without experience), babysitting → BS.
pub fn suggest_level(request: &Request, worker: WorkerProfile) -> LevelSuggestion {
    let dependent: Vec<&str> = request
        .needs
        .iter()
        .filter(|n| NOT_SELF_SUFFICIENT.contains(n))
        .map(|n| n.label())
        .collect();
    let care = |what: &str| -> (CcnlLevel, String) {
        if dependent.is_empty() {
            (
                CcnlLevel::BS,
                format!("{what} di una persona autosufficiente: livello BS (CCNL art. 9)"),
            )
        } else if worker.trained_carer {
            (
                CcnlLevel::DS,
                format!(
                    "{what} di una persona non autosufficiente ({}) da parte di chi ha una \
                     formazione specifica: livello DS (CCNL art. 9)",
                    dependent.join(", ")
                ),
            )
        } else {
            (
                CcnlLevel::CS,
                format!(
                    "{what} di una persona non autosufficiente ({}): livello CS; DS se la \
                     persona assunta ha una formazione specifica, es. OSS (CCNL art. 9)",
                    dependent.join(", ")
                ),
            )
        }
    };
    let (level, reason_it, night_care) = match request.job {
        Job::Badante => {
            let (l, r) = care("Assistenza");
            (l, r, false)
        }
        Job::AssistenzaOspedaliera => {
            let (l, r) = care("Assistenza in ospedale");
            (l, r, false)
        }
        Job::AssistenzaNotturna => {
            let (l, r) = care("Assistenza notturna");
            (
                l,
                r + "; minimi mensili dell'assistenza notturna (CCNL art. 10)",
                true,
            )
        }
        Job::Babysitter => (
            CcnlLevel::BS,
            "Cura di bambini (baby-sitter): livello BS (CCNL art. 9)".to_string(),
            false,
        ),
        Job::Colf if worker.without_experience => (
            CcnlLevel::A,
            "Lavoro domestico di chi ha meno di 12 mesi di esperienza: livello A (CCNL art. 9)"
                .to_string(),
            false,
        ),
        Job::Colf => (
            CcnlLevel::B,
            "Lavoro domestico (colf) con esperienza: livello B; A se la persona assunta ha \
             meno di 12 mesi di esperienza (CCNL art. 9)"
                .to_string(),
            false,
        ),
    };
    LevelSuggestion {
        level,
        night_care,
        reason_it,
    }
}

/// How a cost line counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// A monthly figure; its yearly counterpart is a `Yearly` line.
    Monthly,
    /// A yearly cost the family pays, counted in the total.
    Yearly,
    /// Given in kind (board and lodging): a value, not money paid, not in the total.
    InKind,
    /// For information (e.g. the worker's share withheld from the pay): not in the total.
    Info,
    /// The yearly total: the sum of the `Yearly` lines.
    Total,
}

/// One line of the estimate, rounded to the cent, with its rule in Italian.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostLine {
    pub label_it: String,
    pub amount_eur: f64,
    pub rule_it: String,
    pub kind: LineKind,
}

/// What a request's job costs the family in a year, by the CCNL minimums.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostEstimate {
    pub year: i32,
    pub level: LevelSuggestion,
    /// `convivente, 54 ore settimanali`.
    pub basis_it: String,
    pub lines: Vec<CostLine>,
    pub total_yearly: f64,
    /// What the estimate leaves out or assumes, in Italian.
    pub notes_it: Vec<String>,
}

impl CostEstimate {
    pub fn line(&self, kind: LineKind) -> impl Iterator<Item = &CostLine> {
        self.lines.iter().filter(move |l| l.kind == kind)
    }
}

const WEEKS_PER_YEAR: f64 = 52.0;
const TFR_DIVISOR: f64 = 13.5;

/// The estimate for a request at the level `suggest_level` gives with nothing known of
/// the worker.
pub fn estimate(request: &Request, table: &YearTable) -> CostEstimate {
    let level = suggest_level(request, WorkerProfile::default());
    estimate_at(request, table, level)
}

/// The estimate at a chosen level (e.g. DS once the desk knows the carer is trained).
pub fn estimate_at(request: &Request, table: &YearTable, level: LevelSuggestion) -> CostEstimate {
    let live_in = request.live_in == LiveIn::Yes;
    let basis_it = format!(
        "{}, {} ore settimanali, {}",
        if live_in {
            "convivente"
        } else {
            "non convivente"
        },
        request.hours_per_week,
        italian::ccnl_level(level.level)
    );
    let mut est = Estimator {
        request,
        table,
        level: level.level,
        night_care: level.night_care,
        live_in,
        lines: Vec::new(),
        notes_it: Vec::new(),
    };
    let total_yearly = match table.level(level.level) {
        Some(wage) => {
            let monthly_cash = est.monthly_pay(wage);
            let board = est.board();
            let month_with_board = round(monthly_cash + board, 2);
            est.yearly_pay(monthly_cash, month_with_board);
            est.inps(month_with_board);
            est.total(board)
        }
        None => {
            est.notes_it.push(format!(
                "La tabella {} non ha i minimi del {}: stima non disponibile.",
                table.year,
                italian::ccnl_level(level.level)
            ));
            0.0
        }
    };
    CostEstimate {
        year: table.year,
        level,
        basis_it,
        lines: est.lines,
        total_yearly,
        notes_it: est.notes_it,
    }
}

/// Builds an estimate's lines in order: monthly pay, board, yearly pay, INPS, total.
struct Estimator<'a> {
    request: &'a Request,
    table: &'a YearTable,
    level: CcnlLevel,
    night_care: bool,
    live_in: bool,
    lines: Vec<CostLine>,
    notes_it: Vec<String>,
}

impl Estimator<'_> {
    fn push(&mut self, label_it: &str, amount_eur: f64, rule_it: String, kind: LineKind) {
        self.lines.push(CostLine {
            label_it: label_it.to_string(),
            amount_eur,
            rule_it,
            kind,
        });
    }

    fn hours(&self) -> u8 {
        self.request.hours_per_week
    }

    /// A weekly-hours amount as a month's: × hours × 52 weeks ÷ 12, to the cent.
    fn monthly_from_hourly(&self, rate: f64) -> f64 {
        round(rate * f64::from(self.hours()) * WEEKS_PER_YEAR / 12.0, 2)
    }

    /// The monthly pay in money (minimum plus the allowances due every month), with a
    /// line for each part.
    fn monthly_pay(&mut self, wage: &LevelWage) -> f64 {
        let table = self.table;
        let code = italian::ccnl_level_code(self.level);
        let hours = self.hours();
        let wages_cite = &table.wages.cite_it;
        let mut reduced = false;
        let (base, rule) = match table.night_assistance(self.level) {
            Some(night) if self.night_care => (
                night.monthly,
                format!(
                    "Minimo mensile per l'assistenza notturna, {} (CCNL art. 10; {})",
                    night.who_it, table.night.cite_it
                ),
            ),
            _ if self.live_in => match wage.monthly_live_in_reduced {
                Some(r) if hours <= 30 => {
                    reduced = true;
                    (
                        r,
                        format!(
                            "Minimo mensile per chi convive con orario fino a 30 ore, livello \
                             {code} (tabella B, CCNL artt. 14 e 35; {wages_cite})"
                        ),
                    )
                }
                _ => (
                    wage.monthly_live_in,
                    format!(
                        "Minimo mensile per chi convive, livello {code}, fino a 54 ore \
                         settimanali (tabella A, CCNL art. 35; {wages_cite})"
                    ),
                ),
            },
            _ => (
                self.monthly_from_hourly(wage.hourly_not_live_in),
                format!(
                    "{} l'ora (minimo per chi non convive, livello {code}, tabella C, CCNL \
                     art. 35) × {hours} ore × 52 settimane ÷ 12 mesi ({wages_cite})",
                    money(wage.hourly_not_live_in)
                ),
            ),
        };
        self.push("Retribuzione lorda mensile", base, rule, LineKind::Monthly);
        let mut monthly_cash = base;
        if let Some(allowance) = wage.function_allowance_monthly {
            monthly_cash += allowance;
            self.push(
                "Indennità di funzione mensile",
                allowance,
                format!("Dovuta ai livelli D e DS ogni mese oltre al minimo ({wages_cite})"),
                LineKind::Monthly,
            );
        }
        monthly_cash += self.babysitter_allowance(reduced);
        let monthly_cash = round(monthly_cash, 2);

        if self.night_care {
            self.notes_it.push(
                "Assistenza notturna: il minimo mensile vale per l'orario notturno previsto \
                 dal CCNL (art. 10); con meno notti a settimana lo sportello verifica \
                 l'importo."
                    .to_string(),
            );
        }
        if self.request.live_in == LiveIn::Either {
            self.notes_it.push(
                "La famiglia accetta anche una persona convivente: la stima è fatta a ore; \
                 chi convive ha un minimo mensile e vitto e alloggio."
                    .to_string(),
            );
        }
        if let Some(offered) = self.request.offered {
            // The offer is gross pay a month; under the minimum it cannot be agreed.
            if offered.monthly_eur + 0.005 < monthly_cash {
                self.notes_it.push(format!(
                    "L'offerta indicata ({} al mese) è sotto il minimo del CCNL per questo \
                     lavoro ({} al mese): la retribuzione non può essere inferiore.",
                    money(offered.monthly_eur),
                    money(monthly_cash)
                ));
            }
        }
        monthly_cash
    }

    /// The allowance for caring for children under six: added when the request says a
    /// newborn, mentioned when it says children of unknown age. Returns the monthly amount.
    fn babysitter_allowance(&mut self, reduced: bool) -> f64 {
        let request = self.request;
        if request.job != Job::Babysitter {
            return 0.0;
        }
        let Some(a) = self.table.allowance("babysitter_under_6", self.level) else {
            return 0.0;
        };
        if !request.needs.contains(&ExperienceKind::Newborn) {
            self.notes_it.push(format!(
                "Se un bambino ha meno di 6 anni spetta anche l'{} ({}).",
                a.label_it.to_lowercase(),
                a.article
            ));
            return 0.0;
        }
        let found = if self.live_in {
            let monthly = if reduced {
                a.monthly_live_in_reduced.or(a.monthly_live_in)
            } else {
                a.monthly_live_in
            };
            monthly.map(|m| (m, "importo mensile per chi convive".to_string()))
        } else {
            a.hourly.map(|rate| {
                (
                    self.monthly_from_hourly(rate),
                    format!(
                        "{} l'ora × {} ore × 52 settimane ÷ 12",
                        money(rate),
                        self.hours()
                    ),
                )
            })
        };
        let Some((amount, how)) = found else {
            return 0.0;
        };
        let rule = format!(
            "Neonato da accudire: {how} ({}; {})",
            a.article, self.table.allowances.cite_it
        );
        let label = a.label_it.clone();
        self.push(&label, amount, rule, LineKind::Monthly);
        amount
    }

    /// Board and lodging given in kind to a live-in worker: not paid, but part of the pay
    /// the 13th-month pay, the TFR and the INPS band are computed on. Returns its monthly
    /// value (0 when not live-in).
    fn board(&mut self) -> f64 {
        if !self.live_in {
            return 0.0;
        }
        let b = &self.table.board_and_lodging;
        let days = b.days_per_month.unwrap_or(30);
        let value = round(b.daily_total * f64::from(days), 2);
        let rule = format!(
            "{} al giorno × {days} giorni (pranzo {}, cena {}, alloggio {}): non si paga in \
             denaro ma conta per tredicesima, TFR e contributi (CCNL art. 36; {})",
            money(b.daily_total),
            money(b.lunch),
            money(b.dinner),
            money(b.lodging),
            b.cite_it
        );
        self.push(
            "Vitto e alloggio (valore mensile, dato in natura)",
            value,
            rule,
            LineKind::InKind,
        );
        value
    }

    /// Twelve months' pay, the 13th-month pay and the TFR, each with its monthly share.
    fn yearly_pay(&mut self, monthly_cash: f64, month_with_board: f64) {
        self.push(
            "Retribuzioni lorde dell'anno (12 mesi)",
            round(monthly_cash * 12.0, 2),
            format!(
                "{} × 12; le 26 giornate di ferie retribuite sono comprese (CCNL art. 17)",
                money(monthly_cash)
            ),
            LineKind::Yearly,
        );
        let with_board = if self.live_in {
            ", compreso il valore di vitto e alloggio"
        } else {
            ""
        };
        self.push(
            "Tredicesima: quota che matura ogni mese",
            round(month_with_board / 12.0, 2),
            format!(
                "Un dodicesimo della retribuzione mensile{with_board} ({} ÷ 12; CCNL art. 39)",
                money(month_with_board)
            ),
            LineKind::Monthly,
        );
        self.push(
            "Tredicesima (si paga entro dicembre)",
            month_with_board,
            format!(
                "Una mensilità in più{with_board}, in dodicesimi per chi lavora meno di un \
                 anno (CCNL art. 39)"
            ),
            LineKind::Yearly,
        );
        let tfr = round(month_with_board * 13.0 / TFR_DIVISOR, 2);
        self.push(
            "TFR: quota che matura ogni mese",
            round(tfr / 12.0, 2),
            "Un dodicesimo dell'accantonamento annuo (CCNL art. 41)".to_string(),
            LineKind::Monthly,
        );
        self.push(
            "TFR accantonato nell'anno (si paga a fine rapporto)",
            tfr,
            format!(
                "Retribuzione dell'anno con la tredicesima{with_board} ({} × 13) ÷ 13,5, \
                 rivalutata ogni anno (CCNL art. 41; codice civile art. 2120)",
                money(month_with_board)
            ),
            LineKind::Yearly,
        );
    }

    /// The year's INPS contributions: the family's share (a cost), the worker's share
    /// (withheld from the pay) and the quarterly payment.
    fn inps(&mut self, month_with_board: f64) {
        let table = self.table;
        let hours = self.hours();
        // The band is chosen on the effective hourly pay: the year's pay with the 13th
        // month and board, over the hours paid.
        let yearly_hours = f64::from(hours) * WEEKS_PER_YEAR;
        let effective_hourly = if yearly_hours > 0.0 {
            month_with_board * 13.0 / yearly_hours
        } else {
            0.0
        };
        let (rate, band) = table.inps_rate(effective_hourly, hours);
        let total = round(rate.with_cuaf * yearly_hours, 2);
        let worker = round(rate.worker_share * yearly_hours, 2);
        let hours_rule = format!(
            "{hours} ore × 52 settimane = {} ore",
            number(yearly_hours, 0)
        );
        let band_rule = if hours > 24 {
            band
        } else {
            format!(
                "{band} (qui {} = {} × 13 ÷ {} ore)",
                money(round(effective_hourly, 2)),
                money(month_with_board),
                number(yearly_hours, 0)
            )
        };
        let cite = &table.inps.cite_it;
        self.push(
            "Contributi INPS a carico della famiglia (anno)",
            round(total - worker, 2),
            format!(
                "{} l'ora ({} di contributo orario con CUAF meno {} a carico del lavoratore) \
                 × {hours_rule}; {band_rule} ({cite})",
                money(round(rate.with_cuaf - rate.worker_share, 2)),
                money(rate.with_cuaf),
                money(rate.worker_share),
            ),
            LineKind::Yearly,
        );
        self.push(
            "Contributi INPS a carico del lavoratore (anno, trattenuti dalla paga)",
            worker,
            format!(
                "{} l'ora × {hours_rule}: la famiglia li versa all'INPS e li trattiene dalla \
                 retribuzione lorda ({cite})",
                money(rate.worker_share),
            ),
            LineKind::Info,
        );
        self.push(
            "Versamento INPS di ogni trimestre (famiglia e lavoratore)",
            round(total / 4.0, 2),
            format!("{} l'anno ÷ 4; si paga {}", money(total), table.inps.due_it),
            LineKind::Info,
        );
    }

    /// The total line (the sum of the yearly lines) and the estimate's caveats.
    fn total(&mut self, board: f64) -> f64 {
        let year = self.table.year;
        let total = round(
            self.lines
                .iter()
                .filter(|l| l.kind == LineKind::Yearly)
                .map(|l| l.amount_eur)
                .sum(),
            2,
        );
        let in_kind = if self.live_in {
            format!(
                "; vitto e alloggio dati in natura (circa {} l'anno) non sono sommati",
                money(round(board * 12.0, 2))
            )
        } else {
            String::new()
        };
        self.push(
            "Costo annuo per la famiglia",
            total,
            format!(
                "Retribuzioni + tredicesima + TFR + contributi INPS a carico della famiglia, \
                 ai minimi {year} del CCNL{in_kind}"
            ),
            LineKind::Total,
        );
        self.notes_it.push(format!(
            "Stima ai minimi {year} del CCNL lavoro domestico: una retribuzione più alta, gli \
             scatti di anzianità, gli straordinari, le festività lavorate e i sostituti nei \
             giorni di riposo o di ferie costano in più."
        ));
        self.notes_it.push(
            "Contributi con la quota CUAF e contratto a tempo indeterminato; non comprende il \
             contributo di assistenza contrattuale (Cassa Colf)."
                .to_string(),
        );
        total
    }
}
