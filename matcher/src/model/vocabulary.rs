//! The closed vocabularies of the domain (jobs, needs, permits, statuses, roles…): wire
//! names, Italian labels and dense indexes, each declared once by `vocabulary!`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Declares a closed vocabulary: serde names, an Italian label for reasons shown to
/// operators, and a dense index so sets of values pack into bitsets.
macro_rules! vocabulary {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $wire:literal / $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $wire)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as it appears in JSON.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            /// Italian label for operators and families.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Position in `ALL`, for bitsets.
            pub fn index(self) -> usize {
                self as usize
            }

            pub fn bit(self) -> u32 {
                1 << (self as u32)
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s { $($wire => Some($name::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// A string from the closed list, the Italian labels in the description.
        #[cfg(feature = "schema")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> String {
                stringify!($name).to_string()
            }

            fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
                crate::schema::vocabulary(&[$($wire),+], concat!($("`", $wire, "`: ", $label, "; "),+))
            }
        }
    };
}

vocabulary!(
    /// Kinds of domestic work.
    Job {
        Colf = "colf" / "colf (collaboratrice domestica)",
        Badante = "badante" / "badante",
        Babysitter = "babysitter" / "babysitter",
        AssistenzaNotturna = "assistenza_notturna" / "assistenza notturna",
        AssistenzaOspedaliera = "assistenza_ospedaliera" / "assistenza in ospedale",
    }
);

vocabulary!(
    /// Whether the worker lives in the family's home.
    LiveIn {
        Yes = "yes" / "convivente",
        No = "no" / "non convivente",
        Either = "either" / "convivente o non convivente",
    }
);

vocabulary!(
    /// CEFR language levels, ordered.
    Level {
        A1 = "A1" / "A1",
        A2 = "A2" / "A2",
        B1 = "B1" / "B1",
        B2 = "B2" / "B2",
        C1 = "C1" / "C1",
        C2 = "C2" / "C2",
    }
);

vocabulary!(
    /// Kinds of experience a worker has and needs a family has.
    ExperienceKind {
        Elderly = "elderly" / "anziani",
        Dementia = "dementia" / "demenza/Alzheimer",
        Disability = "disability" / "disabilità",
        Children = "children" / "bambini",
        Newborn = "newborn" / "neonati",
        Housekeeping = "housekeeping" / "pulizie e cura della casa",
        Cooking = "cooking" / "cucina",
        Mobility = "mobility" / "mobilità ridotta",
        NightCare = "night_care" / "assistenza notturna",
        Hospital = "hospital" / "assistenza in ospedale",
    }
);

vocabulary!(
    /// Residence status, which decides whether a person may work on a date.
    PermitKind {
        EuCitizen = "eu_citizen" / "cittadino UE",
        Italian = "italian" / "cittadino italiano",
        Work = "work" / "permesso per lavoro",
        Family = "family" / "permesso per motivi familiari",
        LongTerm = "long_term" / "permesso UE per soggiornanti di lungo periodo",
        Protection = "protection" / "permesso per protezione",
        Study = "study" / "permesso per studio",
        RenewalPending = "renewal_pending" / "rinnovo in corso (ricevuta postale)",
        None = "none" / "senza permesso",
    }
);

vocabulary!(
    /// The state of a worker card. `incomplete`: imported from a desk's sheet without
    /// everything matching needs (`Worker::missing`); never a candidate until completed
    /// and reconfirmed.
    WorkerStatus {
        Available = "available" / "disponibile",
        Placed = "placed" / "occupato tramite DOM",
        Inactive = "inactive" / "non attivo",
        Incomplete = "incomplete" / "da completare",
    }
);

vocabulary!(
    /// The state of a family request.
    RequestStatus {
        Open = "open" / "aperta",
        ProposalsSent = "proposals_sent" / "proposte inviate",
        Filled = "filled" / "coperta",
        Closed = "closed" / "chiusa",
    }
);

vocabulary!(
    /// Gender as recorded for statistics only: never matched, filtered or ranked on.
    Gender {
        F = "F" / "donna",
        M = "M" / "uomo",
        X = "X" / "altro o non indicato",
    }
);

vocabulary!(
    /// What an operator may do, per organisation.
    Role {
        Operator = "operator" / "operatore di sportello",
        Referrer = "referrer" / "inviante (Punto Insieme, servizi sociali)",
        Coordinator = "coordinator" / "coordinamento",
        Admin = "admin" / "amministratore",
    }
);

vocabulary!(
    /// The kind of organisation sharing DOM.
    OrgKind {
        Desk = "desk" / "Sportello Info Immigrati",
        PuntoInsieme = "punto_insieme" / "Punto Insieme",
        SocialServices = "social_services" / "servizi sociali",
        Coordination = "coordination" / "coordinamento",
    }
);

vocabulary!(
    /// What became of a proposal.
    OutcomeKind {
        Hired = "hired" / "assunzione avvenuta",
        NotHired = "not_hired" / "nessuna assunzione",
        NoAnswer = "no_answer" / "nessuna risposta",
    }
);

vocabulary!(
    /// Who told the desk the outcome.
    Reporter {
        Family = "family" / "famiglia",
        Worker = "worker" / "lavoratore/lavoratrice",
        Operator = "operator" / "operatore",
    }
);

vocabulary!(
    /// Why a proposal did not become a job: a fixed list so the monthly review can count.
    NotHiredReason {
        FamilyChoseOther = "family_chose_other" / "la famiglia ha scelto un'altra persona",
        WorkerDeclined = "worker_declined" / "la persona ha rinunciato",
        Wage = "wage" / "accordo economico non raggiunto",
        Hours = "hours" / "orari non compatibili",
        Distance = "distance" / "distanza o trasporti",
        NeedChanged = "need_changed" / "il bisogno della famiglia è cambiato",
        Unreachable = "unreachable" / "persona non raggiungibile",
        WorkerPlacedElsewhere = "worker_placed_elsewhere" / "la persona ha trovato lavoro presso un'altra famiglia",
        Other = "other" / "altro motivo",
    }
);

vocabulary!(
    /// Why a follow-up is scheduled.
    FollowUpKind {
        Outcome = "outcome" / "esito della proposta",
        Retention = "retention" / "verifica a 90 giorni",
    }
);

vocabulary!(
    /// The state of a follow-up.
    FollowUpStatus {
        Due = "due" / "da fare",
        Overdue = "overdue" / "in ritardo",
        Done = "done" / "fatto",
        Cancelled = "cancelled" / "annullato",
    }
);

vocabulary!(
    /// How the desk and a person were in touch, for the contact log.
    ContactChannel {
        Phone = "phone" / "telefono",
        Whatsapp = "whatsapp" / "WhatsApp",
        InPerson = "in_person" / "di persona",
        Sms = "sms" / "SMS",
        Email = "email" / "e-mail",
        Other = "other" / "altro",
    }
);

vocabulary!(
    /// What an audit entry records (`import`: a card created from a desk's spreadsheet).
    AuditAction {
        Read = "read" / "lettura",
        Create = "create" / "creazione",
        Update = "update" / "modifica",
        Erase = "erase" / "cancellazione",
        Propose = "propose" / "proposta",
        Outcome = "outcome" / "esito",
        FollowUp = "follow_up" / "verifica",
        Export = "export" / "esportazione",
        Correction = "correction" / "correzione",
        Revoke = "revoke" / "revoca",
        Rotate = "rotate" / "nuovo token",
        Expiry = "expiry" / "scadenza",
        Use = "use" / "primo accesso del giorno",
        Contact = "contact" / "contatto registrato",
        Import = "import" / "importazione",
    }
);

vocabulary!(
    /// Which kind of record an audit entry is about.
    RecordKind {
        Worker = "worker" / "scheda lavoratore",
        Request = "request" / "richiesta",
        Proposal = "proposal" / "proposta",
        FollowUp = "follow_up" / "verifica",
        Organisation = "organisation" / "organizzazione",
        Operator = "operator" / "operatore",
        Store = "store" / "archivio",
    }
);

vocabulary!(
    /// How the actor of an audit entry was identified.
    Via {
        Token = "token" / "token personale",
        OutcomeCode = "outcome_code" / "codice esito",
        System = "system" / "sistema",
    }
);
