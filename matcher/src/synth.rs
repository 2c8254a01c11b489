//! A deterministic generator of realistic synthetic workers and requests, for tests and
//! benchmarks: same seed, same people. About 88% women, caregivers the largest group,
//! comuni weighted by population, varied Italian notes. It has its own small PRNG so the
//! data does not change when a dependency does.

use crate::comuni::Comuni;
use crate::date::Date;
use crate::model::{
    Consent, Experience, ExperienceKind, Gender, HoursRange, Id, Job, LanguageSkill, Level, LiveIn,
    Permit, PermitKind, Request, RequestStatus, Requirements, Wage, Worker, WorkerStatus,
};

/// SplitMix64: tiny, fast, and good enough for test data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n.max(1))) >> 64) as u64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// Picks by weight from `(item, weight)` pairs.
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u64 = items.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut x = self.below(total);
        for (item, w) in items {
            if x < u64::from(*w) {
                return item;
            }
            x -= u64::from(*w);
        }
        &items[items.len() - 1].0
    }

    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
}

/// Approximate resident populations of the largest comuni and of the Grosseto area,
/// rounded (order of magnitude from ISTAT figures): used only to skew where synthetic
/// people live. Every other comune weighs `DEFAULT_POPULATION`.
const POPULATION: &[(&str, &str, u32)] = &[
    ("Roma", "RM", 2_750_000),
    ("Milano", "MI", 1_370_000),
    ("Napoli", "NA", 910_000),
    ("Torino", "TO", 840_000),
    ("Palermo", "PA", 630_000),
    ("Genova", "GE", 560_000),
    ("Bologna", "BO", 390_000),
    ("Firenze", "FI", 360_000),
    ("Bari", "BA", 315_000),
    ("Catania", "CT", 300_000),
    ("Verona", "VR", 255_000),
    ("Venezia", "VE", 250_000),
    ("Messina", "ME", 220_000),
    ("Padova", "PD", 210_000),
    ("Trieste", "TS", 200_000),
    ("Brescia", "BS", 197_000),
    ("Parma", "PR", 196_000),
    ("Prato", "PO", 195_000),
    ("Taranto", "TA", 188_000),
    ("Modena", "MO", 184_000),
    ("Reggio di Calabria", "RC", 170_000),
    ("Reggio nell'Emilia", "RE", 170_000),
    ("Perugia", "PG", 162_000),
    ("Ravenna", "RA", 155_000),
    ("Livorno", "LI", 154_000),
    ("Cagliari", "CA", 150_000),
    ("Rimini", "RN", 150_000),
    ("Foggia", "FG", 146_000),
    ("Ferrara", "FE", 130_000),
    ("Salerno", "SA", 127_000),
    ("Latina", "LT", 127_000),
    ("Monza", "MB", 123_000),
    ("Bergamo", "BG", 120_000),
    ("Pescara", "PE", 118_000),
    ("Trento", "TN", 118_000),
    ("Siracusa", "SR", 117_000),
    ("Vicenza", "VI", 110_000),
    ("Terni", "TR", 107_000),
    ("Bolzano", "BZ", 107_000),
    ("Novara", "NO", 101_000),
    ("Piacenza", "PC", 102_000),
    ("Ancona", "AN", 99_000),
    ("Arezzo", "AR", 97_000),
    ("Udine", "UD", 98_000),
    ("Lecce", "LE", 94_000),
    ("Pisa", "PI", 90_000),
    ("Lucca", "LU", 89_000),
    ("Pistoia", "PT", 90_000),
    ("Siena", "SI", 53_000),
    ("Grosseto", "GR", 82_000),
    ("Follonica", "GR", 21_000),
    ("Orbetello", "GR", 14_000),
    ("Monte Argentario", "GR", 12_000),
    ("Castiglione della Pescaia", "GR", 7_000),
    ("Roccastrada", "GR", 9_000),
    ("Massa Marittima", "GR", 8_000),
    ("Gavorrano", "GR", 8_000),
    ("Manciano", "GR", 7_000),
    ("Arcidosso", "GR", 4_200),
    ("Scansano", "GR", 4_400),
];
const DEFAULT_POPULATION: u32 = 3_000;

const WOMEN: &[&str] = &[
    "Ana",
    "Maria",
    "Elena",
    "Olena",
    "Iryna",
    "Natalia",
    "Mariana",
    "Fatima",
    "Rosa",
    "Luz",
    "Giulia",
    "Ioana",
    "Svetlana",
    "Blerta",
    "Agnieszka",
    "Tetiana",
    "Khadija",
    "Daniela",
    "Irina",
    "Joy",
    "Oksana",
    "Adriana",
    "Lucia",
    "Carmen",
    "Nadia",
    "Amina",
    "Valentina",
    "Hanna",
    "Liliana",
    "Marta",
    "Nino",
    "Gulnara",
    "Larisa",
    "Ramona",
    "Patricia",
    "Yuliia",
    "Seynabou",
    "Grace",
    "Paola",
    "Simona",
    "Alina",
    "Cristina",
    "Rodica",
    "Viorica",
    "Mihaela",
];
const MEN: &[&str] = &[
    "Ion",
    "Mehmet",
    "Ahmed",
    "Viktor",
    "Mohamed",
    "Jose",
    "Andrei",
    "Giuseppe",
    "Samuel",
    "Oleksandr",
    "Youssef",
    "Marco",
    "Gheorghe",
    "Ibrahima",
];
const FAMILY: &[&str] = &[
    "Popescu",
    "Ionescu",
    "Rusu",
    "Kovalenko",
    "Shevchenko",
    "Bondarenko",
    "El Amrani",
    "Benali",
    "Quispe",
    "Santos",
    "Dela Cruz",
    "Hoxha",
    "Shehu",
    "Nowak",
    "Kowalska",
    "Rossi",
    "Bianchi",
    "Ferri",
    "Marin",
    "Ceban",
    "Popa",
    "Lungu",
    "Diallo",
    "Ndiaye",
    "Okafor",
    "Mensah",
    "Beridze",
    "Gelashvili",
    "Yilmaz",
    "Hassan",
    "Flores",
    "Morales",
    "Vasquez",
    "Tkachenko",
    "Melnyk",
    "Stan",
    "Radu",
    "Matei",
    "Greco",
    "Conti",
    "Esposito",
    "Petrova",
];
const FAMILIES: &[&str] = &[
    "Rossi",
    "Bianchi",
    "Bartolini",
    "Mancini",
    "Fabbri",
    "Guerrini",
    "Lombardi",
    "Neri",
    "Pellegrini",
    "Ricci",
    "Santini",
    "Moretti",
    "Galli",
    "Ferretti",
    "Bruni",
    "Costa",
    "Marchi",
    "Rinaldi",
    "Fontana",
    "Barbieri",
    "Ferrari",
    "Romano",
    "Colombo",
    "Gallo",
];
const WORKER_NOTES: &[&str] = &[
    "Esperienza con malati di Alzheimer",
    "ha assistito una signora allettata per anni",
    "sa usare il sollevatore",
    "cucina toscana e piatti semplici",
    "pulizie, stiro e lavanderia",
    "automunita, accompagna alle visite mediche",
    "paziente e puntuale, ottime referenze",
    "esperienza con persone in carrozzina",
    "assistenza notturna in ospedale e a domicilio",
    "ha cresciuto i figli di due famiglie",
    "aiuto compiti e accompagnamento a scuola",
    "esperienza con neonati e gemelli",
    "igiene personale e mobilizzazione",
    "prevenzione delle piaghe da decubito",
    "misurazione della pressione e della glicemia",
    "disponibile anche nel fine settimana",
    "giardinaggio e piccole manutenzioni",
    "cucina per persone con diabete",
    "compagnia e passeggiate",
    "assistenza a persone con Parkinson",
];
const PERSON: &[&str] = &[
    "Signora di 86 anni",
    "Signore di 90 anni",
    "Coppia di anziani",
    "Anziana vedova",
    "Signora di 79 anni",
    "Due bambini di 4 e 7 anni",
    "Neonata di tre mesi",
    "Ragazzo con disabilità",
    "Famiglia con tre figli",
];
const CONDITION: &[&str] = &[
    "con Alzheimer",
    "con demenza senile",
    "allettata",
    "in carrozzina",
    "dopo un ictus",
    "con Parkinson",
    "autosufficiente ma sola",
    "con diabete",
    "che cammina con il deambulatore",
];
const TASKS: &[&str] = &[
    "serve aiuto per igiene e pasti",
    "accompagnamento alle visite",
    "pulizie e spesa",
    "compagnia al pomeriggio",
    "sorveglianza notturna",
    "preparazione dei pasti",
    "uscita da scuola e aiuto compiti",
    "stiro e lavanderia",
];
const PLACE: &[&str] = &[
    "vive in campagna",
    "casa in centro",
    "appartamento al secondo piano senza ascensore",
    "casa al mare",
    "villa con giardino",
    "paese di collina, serve l'auto",
];
const OTHER_LANGS: &[&str] = &[
    "ro", "uk", "ru", "sq", "ar", "es", "tl", "pl", "fr", "en", "ka", "bn",
];

/// Where a synthetic request comes from, relative to where workers live.
#[derive(Debug, Clone)]
pub enum Area {
    Province(String),
    Region(String),
    National,
}

pub struct Synth {
    rng: Rng,
    today: Date,
    comuni: Vec<(u16, u32)>,
}

impl Synth {
    pub fn new(seed: u64, today: Date) -> Synth {
        let table = Comuni::get();
        let comuni = table
            .iter()
            .enumerate()
            .map(|(slot, c)| {
                let pop = POPULATION
                    .iter()
                    .find(|(n, p, _)| *n == c.name && *p == c.province)
                    .map_or(DEFAULT_POPULATION, |x| x.2);
                (slot as u16, pop)
            })
            .collect();
        Synth {
            rng: Rng::new(seed),
            today,
            comuni,
        }
    }

    fn comune(&mut self) -> String {
        let slot = *self.rng.weighted(&self.comuni);
        Comuni::get().by_slot(slot).istat.clone()
    }

    /// A comune of `area`, weighted by population (ISTAT code).
    pub fn comune_in(&mut self, area: &Area) -> String {
        let table = Comuni::get();
        let pool: Vec<(u16, u32)> = self
            .comuni
            .iter()
            .copied()
            .filter(|(slot, _)| {
                let c = table.by_slot(*slot);
                match area {
                    Area::Province(p) => c.province == *p,
                    Area::Region(r) => c.region == *r,
                    Area::National => true,
                }
            })
            .collect();
        if pool.is_empty() {
            return self.comune();
        }
        table.by_slot(*self.rng.weighted(&pool)).istat.clone()
    }

    fn date_within(&mut self, from: i32, to: i32) -> Date {
        self.today
            .add_days(self.rng.range(i64::from(from), i64::from(to)) as i32)
    }

    fn notes(&mut self, parts: &[&[&str]]) -> String {
        let mut out: Vec<&str> = Vec::new();
        for p in parts {
            out.push(*self.rng.pick(p));
        }
        let mut s = out.join(", ");
        s.push('.');
        s
    }

    pub fn worker(&mut self) -> Worker {
        let rng = &mut self.rng;
        let woman = rng.chance(0.88);
        let given = if woman {
            *rng.pick(WOMEN)
        } else {
            *rng.pick(MEN)
        };
        let main_job = *rng.weighted(&[
            (Job::Badante, 48),
            (Job::Colf, 30),
            (Job::Babysitter, 13),
            (Job::AssistenzaNotturna, 6),
            (Job::AssistenzaOspedaliera, 3),
        ]);
        let mut jobs = vec![main_job];
        if rng.chance(0.35) {
            let second = *rng.pick(Job::ALL);
            if second != main_job {
                jobs.push(second);
            }
        }
        let live_in = *rng.weighted(&[(LiveIn::No, 45), (LiveIn::Either, 35), (LiveIn::Yes, 20)]);
        let (min, max) = match live_in {
            LiveIn::Yes => (54, 54),
            LiveIn::Either => (rng.range(20, 40) as u8, 54),
            LiveIn::No => {
                let min = rng.range(6, 25) as u8;
                (min, (min + rng.range(5, 20) as u8).min(40))
            }
        };
        let it = Level::ALL[rng.range(1, 5) as usize];
        let mut languages = vec![LanguageSkill {
            code: "it".into(),
            level: it,
        }];
        if rng.chance(0.85) {
            languages.push(LanguageSkill {
                code: (*rng.pick(OTHER_LANGS)).into(),
                level: Level::C2,
            });
        }
        if rng.chance(0.3) {
            let code = *rng.pick(OTHER_LANGS);
            if languages.iter().all(|l| l.code != code) {
                languages.push(LanguageSkill {
                    code: code.into(),
                    level: Level::ALL[rng.range(0, 4) as usize],
                });
            }
        }
        let mut experience = Vec::new();
        for kind in ExperienceKind::ALL {
            let likely = match (main_job, kind) {
                (Job::Badante, ExperienceKind::Elderly) => 0.95,
                (Job::Badante, ExperienceKind::Dementia | ExperienceKind::Mobility) => 0.5,
                (Job::Colf, ExperienceKind::Housekeeping) => 0.95,
                (Job::Colf, ExperienceKind::Cooking) => 0.6,
                (Job::Babysitter, ExperienceKind::Children) => 0.95,
                (Job::Babysitter, ExperienceKind::Newborn) => 0.4,
                (Job::AssistenzaNotturna, ExperienceKind::NightCare) => 0.9,
                (Job::AssistenzaOspedaliera, ExperienceKind::Hospital) => 0.9,
                _ => 0.12,
            };
            if rng.chance(likely) {
                experience.push(Experience {
                    kind: *kind,
                    years: rng.range(0, 20) as u8,
                });
            }
        }
        let permit_kind = *rng.weighted(&[
            (PermitKind::EuCitizen, 26),
            (PermitKind::Italian, 8),
            (PermitKind::Work, 20),
            (PermitKind::Family, 12),
            (PermitKind::LongTerm, 19),
            (PermitKind::Protection, 6),
            (PermitKind::Study, 2),
            (PermitKind::RenewalPending, 5),
            (PermitKind::None, 2),
        ]);
        let expires_on = match permit_kind {
            PermitKind::Work | PermitKind::Family | PermitKind::Protection | PermitKind::Study => {
                Some(self.date_within(-120, 900))
            }
            PermitKind::RenewalPending => Some(self.date_within(-200, -1)),
            _ => None,
        };
        let rng = &mut self.rng;
        let birth_year = (self.today.year() - rng.range(20, 66) as i32) as u16;
        let wage = rng.chance(0.8).then(|| Wage {
            monthly_eur: (rng.range(60, 130) * 10) as f64,
        });
        let registered_on = self.date_within(-1500, 0);
        let confirmed_on = self.today.add_days(
            -(self
                .rng
                .range(0, i64::from(self.today.days_since(registered_on))) as i32),
        );
        let notes = self.notes(&[WORKER_NOTES, WORKER_NOTES, WORKER_NOTES]);
        let rng = &mut self.rng;
        let status = *rng.weighted(&[
            (WorkerStatus::Available, 85),
            (WorkerStatus::Placed, 10),
            (WorkerStatus::Inactive, 5),
        ]);
        let id = Id(rng.next_u64());
        let phone = format!(
            "+39 3{:02} {:07}",
            rng.below(60) + 20,
            rng.below(10_000_000)
        );
        Worker {
            id,
            given_name: given.into(),
            family_name: (*rng.pick(FAMILY)).into(),
            birth_year,
            gender: Some(if woman { Gender::F } else { Gender::M }),
            nationality: None,
            phone,
            comune: self.comune(),
            jobs,
            live_in,
            hours_per_week: HoursRange { min, max },
            languages,
            experience,
            driving_license: self.rng.chance(0.45),
            max_travel_km: *self.rng.pick(&[5, 10, 15, 20, 30, 40, 60]),
            permit: Permit {
                kind: permit_kind,
                expires_on,
            },
            wage_expectation: wage,
            notes,
            consent: Consent {
                given_on: registered_on,
                text_version: Consent::current_version(),
            },
            status,
            org_id: None,
            registered_on,
            confirmed_on,
            last_proposed_on: None,
            possible_duplicate_of: Vec::new(),
            missing: Vec::new(),
        }
    }

    pub fn workers(&mut self, n: usize) -> Vec<Worker> {
        (0..n).map(|_| self.worker()).collect()
    }

    pub fn request(&mut self, area: &Area) -> Request {
        let comune = self.comune_in(area);
        let rng = &mut self.rng;
        let job = *rng.weighted(&[
            (Job::Badante, 55),
            (Job::Colf, 25),
            (Job::Babysitter, 12),
            (Job::AssistenzaNotturna, 6),
            (Job::AssistenzaOspedaliera, 2),
        ]);
        let live_in = *rng.weighted(&[(LiveIn::No, 55), (LiveIn::Yes, 35), (LiveIn::Either, 10)]);
        let hours = match live_in {
            LiveIn::No => rng.range(8, 40) as u8,
            _ => *rng.pick(&[40, 50, 54]),
        };
        let needs: Vec<ExperienceKind> = match job {
            Job::Badante => {
                let mut n = vec![ExperienceKind::Elderly];
                if rng.chance(0.4) {
                    n.push(ExperienceKind::Dementia);
                }
                if rng.chance(0.4) {
                    n.push(ExperienceKind::Mobility);
                }
                n
            }
            Job::Colf => vec![ExperienceKind::Housekeeping],
            Job::Babysitter => vec![ExperienceKind::Children],
            Job::AssistenzaNotturna => vec![ExperienceKind::NightCare],
            Job::AssistenzaOspedaliera => vec![ExperienceKind::Hospital],
        };
        let requires = Requirements {
            driving_license: rng.chance(0.25),
            italian_min: Some(*rng.pick(&[Level::A2, Level::A2, Level::B1])),
            languages: Vec::new(),
        };
        let offered = rng.chance(0.7).then(|| Wage {
            monthly_eur: (rng.range(70, 130) * 10) as f64,
        });
        let id = Id(rng.next_u64());
        let family = (*rng.pick(FAMILIES)).to_string();
        let phone = format!("+39 0564 {:06}", rng.below(1_000_000));
        let start_on = self.date_within(1, 45);
        let notes = self.notes(&[PERSON, CONDITION, TASKS, PLACE]);
        Request {
            id,
            org_id: None,
            family_name: family,
            phone,
            comune,
            job,
            live_in,
            hours_per_week: hours,
            start_on,
            needs,
            requires,
            offered,
            notes,
            positions: 1,
            status: RequestStatus::Open,
            status_reason: None,
            created_on: self.today,
            closed_on: None,
            deidentified_on: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate;

    fn today() -> Date {
        "2026-11-20".parse().unwrap()
    }

    #[test]
    fn same_seed_same_people() {
        let a = Synth::new(7, today()).workers(50);
        let b = Synth::new(7, today()).workers(50);
        assert_eq!(a, b);
        assert_ne!(a, Synth::new(8, today()).workers(50));
    }

    #[test]
    fn distributions_are_realistic() {
        let ws = Synth::new(1, today()).workers(5000);
        let women = ws.iter().filter(|w| w.gender == Some(Gender::F)).count() as f64;
        assert!((0.85..0.91).contains(&(women / 5000.0)), "{women}");
        let count = |j: Job| ws.iter().filter(|w| w.jobs[0] == j).count();
        assert!(Job::ALL.iter().all(|j| count(*j) <= count(Job::Badante)));
        let roma = ws.iter().filter(|w| w.comune == "058091").count();
        let small = ws.iter().filter(|w| w.comune == "053028").count();
        assert!(
            roma > 50 && roma > small * 20,
            "roma {roma} semproniano {small}"
        );
        let mut notes: Vec<&str> = ws.iter().map(|w| w.notes.as_str()).collect();
        notes.sort();
        notes.dedup();
        assert!(notes.len() > 1000, "notes too repetitive");
    }

    #[test]
    fn generated_records_pass_validation() {
        let mut s = Synth::new(3, today());
        for w in s.workers(300) {
            let input: crate::model::WorkerInput = serde_json::from_value(serde_json::json!({
                "given_name": w.given_name, "family_name": w.family_name,
                "birth_year": w.birth_year, "phone": w.phone, "comune": w.comune,
                "jobs": w.jobs, "live_in": w.live_in, "hours_per_week": w.hours_per_week,
                "languages": w.languages, "experience": w.experience,
                "driving_license": w.driving_license, "max_travel_km": w.max_travel_km,
                "permit": w.permit, "wage_expectation": w.wage_expectation,
                "notes": w.notes, "consent": w.consent,
            }))
            .unwrap();
            validate::worker(input, w.id, today()).unwrap();
        }
        for area in [
            Area::Province("GR".into()),
            Area::Region("Toscana".into()),
            Area::National,
        ] {
            for _ in 0..100 {
                let r = s.request(&area);
                let input: crate::model::RequestInput = serde_json::from_value(serde_json::json!({
                    "family_name": r.family_name, "phone": r.phone, "comune": r.comune,
                    "job": r.job, "live_in": r.live_in, "hours_per_week": r.hours_per_week,
                    "start_on": r.start_on, "needs": r.needs, "requires": r.requires,
                    "offered": r.offered, "notes": r.notes,
                }))
                .unwrap();
                validate::request(input, r.id, today()).unwrap();
                if let Area::Province(p) = &area {
                    assert_eq!(&Comuni::get().by_code(&r.comune).unwrap().province, p);
                }
            }
        }
    }
}
