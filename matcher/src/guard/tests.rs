//! Unit tests of the guard: one group per protected ground, the innocent phrasings
//! beside them, and the refusal's shape.

use super::*;

fn ground_of(text: &str) -> Option<Ground> {
    find_criterion(text).map(|f| f.ground)
}

fn refused_as(ground: Ground, texts: &[&str]) {
    for text in texts {
        assert_eq!(
            ground_of(text),
            Some(ground),
            "{text:?}: {:?}",
            find_criterion(text)
        );
    }
}

fn passed(texts: &[&str]) {
    for text in texts {
        assert_eq!(find_criterion(text), None, "refused: {text:?}");
    }
}

#[test]
fn nationality() {
    refused_as(
        Ground::Nationality,
        &[
            "solo italiane",
            "SOLO ITALIANE!",
            "Sol0 italiane",
            "italianeee solo",
            "no rumene",
            "Meglio se italiana",
            "Italiana di nascita",
            "Signora dell'est",
            "No extracomunitarie",
            "Solo comunitarie",
            "Meglio se europea",
            "cerchiamo badante italiana",
            "Cercasi colf filippina",
            "preferibilmente di nazionalità italiana",
            "We prefer a Filipino nanny",
            "looking for a Romanian woman",
            "only Italians please",
            "italiane o spagnole",
        ],
    );
    passed(&[
        "la signora parla solo spagnolo, serve chi parla spagnolo",
        "cucina italiana",
        "cucina solo italiana",
        "signora italiana di 92 anni",
        "Casa in campagna, la famiglia è rumena e cerca aiuto per la nonna",
        "La famiglia è originaria della Romania",
        "Abitano in via Roma 12, vicino ad Africo",
        "Paese di origine della signora: Ucraina, serve chi parla ucraino o russo",
        "Only Italian speakers would understand her dialect",
        "Nazionalità indifferente",
    ]);
}

#[test]
fn ethnicity() {
    refused_as(
        Ground::Ethnicity,
        &[
            "etnia rom esclusa",
            "no zingare",
            "niente africane",
            "razza europea",
            "no Asians",
        ],
    );
    passed(&[
        "cucina orientale e araba",
        "la famiglia è di origine araba",
        "trasferimento da Latina",
    ]);
}

#[test]
fn religion() {
    refused_as(
        Ground::Religion,
        &[
            "Niente donne col velo",
            "Preferenza per persone di religione cristiana",
            "solo cattoliche praticanti",
            "no Muslims",
            "badante non musulmana",
        ],
    );
    passed(&[
        "la signora è musulmana e mangia halal",
        "il signore va a messa la domenica e va accompagnato",
        "Signora cattolica, gradirebbe accompagnamento a messa la domenica",
        "Rispettare la religione della famiglia, niente carne di maiale",
    ]);
}

#[test]
fn skin_colour() {
    refused_as(
        Ground::SkinColour,
        &[
            "Deve essere bianca",
            "no persone di colore",
            "non di colore",
            "preferiamo persone di pelle chiara",
            "la famiglia vuole una persona bianca",
        ],
    );
    passed(&[
        "capelli bianchi",
        "lavare i capi bianchi a parte",
        "divano di colore verde",
        "la signora Bianca ha 90 anni",
    ]);
}

#[test]
fn sex() {
    refused_as(
        Ground::Sex,
        &[
            "Di sesso femminile",
            "solo donne",
            "serve un uomo per sollevarlo",
            "Cerchiamo una donna per le pulizie",
            "female carer only",
        ],
    );
    passed(&[
        "deve sollevare il signore dal letto",
        "il signore è un uomo alto e pesante, serve il sollevatore",
        "assistenza a donna anziana",
    ]);
}

#[test]
fn age() {
    refused_as(
        Ground::Age,
        &[
            "Preferibilmente giovane, massimo 45 anni",
            "Età massima 50 anni",
            "tra 30 e 50 anni",
            "badante di 40-50 anni",
            "over 60 no",
            "under 45 only",
            "non troppo anziana",
        ],
    );
    passed(&[
        "persona giovane di spirito",
        "esperienza di almeno 5 anni",
        "lavora come badante da 20 anni",
        "Signora di 86 anni",
        "Due bambini di 4 e 7 anni",
        "contratto di almeno 2 anni",
    ]);
}

#[test]
fn disability() {
    refused_as(
        Ground::Disability,
        &[
            "deve essere sana",
            "senza disabilità",
            "persona in buona salute",
            "no invalide",
        ],
    );
    passed(&[
        "Ragazzo con disabilità",
        "esperienza con persone disabili",
        "cucina sana, poco sale",
        "la signora ha problemi di salute",
    ]);
}

#[test]
fn family_status() {
    refused_as(
        Ground::FamilyStatus,
        &[
            "Non sposata",
            "Senza figli piccoli",
            "nubile",
            "libera da impegni familiari",
        ],
    );
    passed(&[
        "Famiglia con tre figli",
        "Anziana vedova",
        "i figli vivono a Milano",
        "la signora non ha figli e vive sola",
    ]);
}

#[test]
fn pregnancy() {
    refused_as(
        Ground::Pregnancy,
        &[
            "no donne incinte",
            "che non sia incinta",
            "niente gravidanze nei prossimi due anni",
        ],
    );
    passed(&[
        "la figlia è incinta e serve aiuto con il primo bambino",
        "mamma in gravidanza a rischio, serve aiuto in casa",
    ]);
}

#[test]
fn sexual_orientation() {
    refused_as(
        Ground::SexualOrientation,
        &[
            "no gay",
            "solo eterosessuali",
            "nessuna persona omosessuale",
        ],
    );
    passed(&["il figlio è gay e vive con il compagno a Firenze"]);
}

#[test]
fn political_opinion() {
    refused_as(
        Ground::PoliticalOpinion,
        &["no comuniste", "persona di destra", "senza idee politiche"],
    );
    passed(&[
        "emiparesi di sinistra dopo l'ictus",
        "il signore è stato sindaco e ama parlare di politica",
    ]);
}

#[test]
fn union_membership() {
    refused_as(
        Ground::UnionMembership,
        &[
            "non iscritta al sindacato",
            "niente sindacaliste",
            "che non abbia fatto vertenze",
        ],
    );
    passed(&[
        "la busta paga la fa il patronato della CISL",
        "contratto secondo il CCNL firmato dai sindacati",
    ]);
}

#[test]
fn refusal_names_field_ground_law_and_suggestion() {
    let err = check_text("notes", "Meglio se italiana").unwrap_err();
    match err {
        Error::Discriminatory {
            field,
            ground,
            words,
            suggestion,
            message,
        } => {
            assert_eq!(field, "notes");
            assert_eq!(ground, Ground::Nationality);
            assert_eq!(words, ["meglio", "se", "italiana"]);
            assert!(suggestion.contains("livello minimo B1"), "{suggestion}");
            assert!(message.contains("meglio se italiana"), "{message}");
            assert!(message.contains("286/1998"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    match check_text("notes", "massimo 45 anni").unwrap_err() {
        Error::Discriminatory {
            ground,
            suggestion,
            message,
            ..
        } => {
            assert_eq!(ground, Ground::Age);
            assert!(suggestion.contains("compiti"), "{suggestion}");
            assert!(message.contains("216/2003"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn refuses_criteria_as_fields_anywhere() {
    let body = serde_json::json!({"job": "colf", "requires": {"nationality": "IT"}});
    match check_fields(&body) {
        Err(Error::Discriminatory { field, ground, .. }) => {
            assert_eq!(field, "requires.nationality");
            assert_eq!(ground, Ground::Nationality);
        }
        other => panic!("{other:?}"),
    }
    let body = serde_json::json!({"Religione": "cattolica"});
    assert!(matches!(
        check_fields(&body),
        Err(Error::Discriminatory {
            ground: Ground::Religion,
            ..
        })
    ));
    let body = serde_json::json!({"requires": {"languages": [{"code": "it", "level": "B1"}]}});
    assert!(check_fields(&body).is_ok());
}

#[test]
fn synthetic_and_demo_notes_pass() {
    // Every note the generator writes is a fact about the family or the job.
    let mut synth = crate::synth::Synth::new(7, crate::date::Date::from_ymd(2026, 11, 10).unwrap());
    let area = crate::synth::Area::National;
    for _ in 0..2000 {
        let r = synth.request(&area);
        assert_eq!(find_criterion(&r.notes), None, "{:?}", r.notes);
    }
}
