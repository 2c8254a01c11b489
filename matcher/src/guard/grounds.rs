//! The protected grounds a refusal names, with the law behind each and the lawful
//! rewording the desk is offered instead.

use serde::{Deserialize, Serialize};

/// A characteristic Italian law forbids an intermediary to select workers by
/// (D.Lgs. 276/2003 art. 10 and the laws named in [`Ground::law`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Ground {
    Nationality,
    Ethnicity,
    Religion,
    SkinColour,
    Sex,
    Age,
    Disability,
    FamilyStatus,
    Pregnancy,
    SexualOrientation,
    PoliticalOpinion,
    UnionMembership,
}

impl Ground {
    pub const ALL: [Ground; 12] = [
        Ground::Nationality,
        Ground::Ethnicity,
        Ground::Religion,
        Ground::SkinColour,
        Ground::Sex,
        Ground::Age,
        Ground::Disability,
        Ground::FamilyStatus,
        Ground::Pregnancy,
        Ground::SexualOrientation,
        Ground::PoliticalOpinion,
        Ground::UnionMembership,
    ];

    /// The contract name (`nationality`, `skin_colour`, …).
    pub fn name(self) -> &'static str {
        match self {
            Ground::Nationality => "nationality",
            Ground::Ethnicity => "ethnicity",
            Ground::Religion => "religion",
            Ground::SkinColour => "skin_colour",
            Ground::Sex => "sex",
            Ground::Age => "age",
            Ground::Disability => "disability",
            Ground::FamilyStatus => "family_status",
            Ground::Pregnancy => "pregnancy",
            Ground::SexualOrientation => "sexual_orientation",
            Ground::PoliticalOpinion => "political_opinion",
            Ground::UnionMembership => "union_membership",
        }
    }

    /// Parses a contract name; the corpus labels use it.
    pub fn from_name(name: &str) -> Option<Ground> {
        Ground::ALL.into_iter().find(|g| g.name() == name)
    }

    /// The ground in the words an operator reads.
    pub fn label(self) -> &'static str {
        match self {
            Ground::Nationality => "nazionalità",
            Ground::Ethnicity => "origine etnica",
            Ground::Religion => "religione",
            Ground::SkinColour => "colore della pelle",
            Ground::Sex => "sesso",
            Ground::Age => "età",
            Ground::Disability => "disabilità o stato di salute",
            Ground::FamilyStatus => "stato civile o situazione familiare",
            Ground::Pregnancy => "gravidanza o maternità",
            Ground::SexualOrientation => "orientamento sessuale",
            Ground::PoliticalOpinion => "opinioni politiche",
            Ground::UnionMembership => "iscrizione a un sindacato",
        }
    }

    /// The law, in one sentence an operator can repeat to the family.
    pub fn law(self) -> &'static str {
        match self {
            Ground::Nationality | Ground::Ethnicity | Ground::SkinColour => {
                "La legge vieta di scegliere o escludere lavoratori per nazionalità, origine \
                 etnica o colore della pelle (D.Lgs. 286/1998 art. 43, D.Lgs. 215/2003, \
                 D.Lgs. 276/2003 art. 10)."
            }
            Ground::Religion => {
                "La legge vieta di scegliere o escludere lavoratori per religione o convinzioni \
                 personali (D.Lgs. 216/2003, D.Lgs. 286/1998 art. 43, D.Lgs. 276/2003 art. 10)."
            }
            Ground::Age | Ground::Disability | Ground::SexualOrientation => {
                "La legge vieta di scegliere o escludere lavoratori per età, disabilità o \
                 orientamento sessuale (D.Lgs. 216/2003, D.Lgs. 276/2003 art. 10)."
            }
            Ground::Sex | Ground::FamilyStatus | Ground::Pregnancy => {
                "La legge vieta di scegliere o escludere lavoratori per sesso, stato civile, \
                 situazione familiare o gravidanza (D.Lgs. 198/2006 art. 27, D.Lgs. 276/2003 \
                 art. 10)."
            }
            Ground::PoliticalOpinion | Ground::UnionMembership => {
                "La legge vieta di selezionare lavoratori per opinioni politiche o iscrizione a \
                 un sindacato (L. 300/1970 art. 8 e 15, D.Lgs. 276/2003 art. 10)."
            }
        }
    }

    /// A lawful rewording to offer instead. `words` are the folded words that triggered
    /// the refusal: a wish for an Italian worker is usually a wish for good Italian.
    pub fn suggestion(self, words: &[String]) -> String {
        let italian = words.iter().any(|w| {
            w.starts_with("italian") || w.starts_with("nostran") || w.starts_with("autocton")
        });
        let text = match self {
            Ground::Nationality if italian => {
                "Serve una buona conoscenza dell'italiano (livello minimo B1)? Indicatelo tra le \
                 lingue richieste invece della nazionalità."
            }
            Ground::Nationality => {
                "Se conta la lingua, indicate la lingua e il livello richiesti (es. italiano B1, \
                 rumeno per parlare con la signora); se conta il permesso, basta un permesso di \
                 soggiorno valido per lavorare: la nazionalità non si può chiedere."
            }
            Ground::Ethnicity => {
                "Descrivete ciò che serve davvero: compiti, orari, lingue parlate ed esperienza \
                 richiesta; l'origine etnica non può essere un criterio."
            }
            Ground::SkinColour => {
                "Il colore della pelle non può essere un criterio: descrivete compiti, orari, \
                 lingue ed esperienza richiesti."
            }
            Ground::Religion => {
                "Descrivete le abitudini della famiglia che la persona dovrà rispettare (es. \
                 cucina senza carne di maiale, accompagnare il signore a messa la domenica), non \
                 la religione di chi lavora."
            }
            Ground::Sex => {
                "Descrivete i compiti (es. igiene personale della signora, sollevare il signore \
                 dal letto con il sollevatore) e scrivete «una persona»: il sesso di chi lavora \
                 non si può chiedere."
            }
            Ground::Age => {
                "Descrivete i compiti e l'impegno fisico (es. sollevare la persona, turni di \
                 notte, scale) o l'esperienza richiesta (es. almeno 3 anni con anziani), non \
                 l'età."
            }
            Ground::Disability => {
                "Descrivete le mansioni e gli sforzi richiesti (es. sollevare il signore, fare \
                 le scale, guidare): l'idoneità si valuta sui compiti, non sulla salute in \
                 generale."
            }
            Ground::FamilyStatus => {
                "Descrivete la disponibilità richiesta (es. convivenza, notti, fine settimana, \
                 trasferte) invece della situazione familiare della persona."
            }
            Ground::Pregnancy => {
                "Descrivete la durata del lavoro e gli sforzi richiesti; la gravidanza o il \
                 desiderio di avere figli non possono essere un criterio."
            }
            Ground::SexualOrientation => {
                "L'orientamento sessuale non può essere un criterio: descrivete compiti, orari \
                 e referenze richiesti."
            }
            Ground::PoliticalOpinion => {
                "Descrivete il comportamento atteso in casa (es. riservatezza, rispetto delle \
                 abitudini della famiglia), non le opinioni politiche."
            }
            Ground::UnionMembership => {
                "L'iscrizione a un sindacato non può essere un criterio: indicate contratto \
                 (CCNL lavoro domestico), orari e paga."
            }
        };
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_names_round_trip_through_serde() {
        for g in Ground::ALL {
            let json = serde_json::to_value(g).unwrap();
            assert_eq!(json, g.name());
            assert_eq!(Ground::from_name(g.name()), Some(g));
        }
        assert_eq!(
            serde_json::to_value(Ground::SkinColour).unwrap(),
            "skin_colour"
        );
    }

    #[test]
    fn italian_origin_is_reworded_as_a_language_level() {
        let s = Ground::Nationality.suggestion(&["italiana".into()]);
        assert!(s.contains("livello minimo B1"), "{s}");
        let s = Ground::Nationality.suggestion(&["rumene".into()]);
        assert!(!s.contains("minimo B1"), "{s}");
    }

    #[test]
    fn every_ground_has_law_and_suggestion() {
        for g in Ground::ALL {
            assert!(g.law().contains("D.Lgs. 276/2003 art. 10"), "{g:?}");
            assert!(g.suggestion(&[]).len() > 40, "{g:?}");
        }
    }
}
