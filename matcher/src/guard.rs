//! The anti-discrimination guard: refuses requests that select people by nationality,
//! ethnicity, religion or colour (D.Lgs. 286/1998 art. 43; D.Lgs. 215/2003; D.Lgs.
//! 276/2003 art. 10), whether asked in a field or in free text, in Italian or English.
//!
//! The text check looks for a criterion *about the worker*: an origin word restricted
//! ("solo", "no", "niente", "only"…), sought ("cerchiamo … rumena") or attached to a
//! worker noun ("badante italiana"). Words about language or food ("parla rumeno",
//! "cucina italiana") and descriptions of the person cared for ("per signora italiana")
//! pass, because asking for a level of Italian is lawful and describing the family is not
//! a selection.

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::error::{Error, Result};
use crate::text::words_and_breaks;

/// Field names that can only exist to select people by a protected trait.
const FORBIDDEN_FIELDS: &[&str] = &[
    "nationality",
    "nazionalita",
    "nazionalità",
    "citizenship",
    "cittadinanza",
    "ethnicity",
    "etnia",
    "origin",
    "origine",
    "country_of_origin",
    "paese_di_origine",
    "religion",
    "religione",
    "race",
    "razza",
    "skin_colour",
    "skin_color",
    "colore_pelle",
    "gender",
    "sex",
    "sesso",
    "genere",
    "age",
    "eta",
    "età",
    "age_min",
    "age_max",
    "birth_year",
];

/// Refuses a request body (as parsed JSON) that carries a selection criterion as a field,
/// anywhere in its structure. Runs before typed parsing so that such a field is named as
/// discriminatory, not merely unknown.
pub fn check_fields(body: &serde_json::Value) -> Result<()> {
    fn walk(v: &serde_json::Value, path: &str) -> Result<()> {
        match v {
            serde_json::Value::Object(map) => {
                for (k, child) in map {
                    let here = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    if FORBIDDEN_FIELDS.contains(&crate::text::fold(k).as_str()) {
                        return Err(refusal(&here, k));
                    }
                    walk(child, &here)?;
                }
                Ok(())
            }
            serde_json::Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    walk(child, &format!("{path}[{i}]"))?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
    walk(body, "")
}

/// Refuses free text that asks to select workers by a protected trait.
pub fn check_text(field: &str, text: &str) -> Result<()> {
    match find_criterion(text) {
        Some(phrase) => Err(refusal(field, &phrase)),
        None => Ok(()),
    }
}

fn refusal(field: &str, phrase: &str) -> Error {
    Error::Discriminatory {
        field: field.to_string(),
        message: format!(
            "La richiesta contiene un criterio discriminatorio (\"{phrase}\"): non è consentito \
             scegliere lavoratori o lavoratrici per nazionalità, origine etnica, religione, colore \
             della pelle, sesso o età (D.Lgs. 286/1998 art. 43, D.Lgs. 215/2003, D.Lgs. 276/2003 \
             art. 10). Descrivere invece le competenze richieste, ad esempio il livello di italiano."
        ),
    }
}

struct Lexicon {
    /// Words naming a person's origin, religion or colour, in forms that refer to people.
    origin: HashSet<String>,
    /// Words that restrict or exclude ("solo", "no", "only", …).
    restrict: HashSet<&'static str>,
    /// Verbs of seeking ("cerchiamo", "looking", …).
    seek: HashSet<&'static str>,
    /// Nouns for the worker ("badante", "colf", "nanny", …).
    worker: HashSet<&'static str>,
    /// Words that make an origin word about language or food instead of a person.
    about_language: HashSet<&'static str>,
    /// Words that end the reach of a seek verb: what follows describes someone else.
    stop: HashSet<&'static str>,
    /// Words that name the criterion itself and are refused wherever they appear.
    explicit: HashSet<&'static str>,
}

fn lexicon() -> &'static Lexicon {
    static LEX: OnceLock<Lexicon> = OnceLock::new();
    LEX.get_or_init(|| {
        // Italian adjectives of origin by stem and the endings that refer to people.
        // The masculine singular (-o, or -e for "-ese") is left out on purpose: it is
        // also the name of the language ("parla rumeno", "solo albanese").
        let it_a = [
            "italian",
            "rumen",
            "romen",
            "moldav",
            "ucrain",
            "peruvian",
            "filippin",
            "marocchin",
            "nigerian",
            "tunisin",
            "egizian",
            "indian",
            "pakistan",
            "ecuadorian",
            "colombian",
            "brasilian",
            "african",
            "nordafrican",
            "sudamerican",
            "latinoamerican",
            "american",
            "asiatic",
            "russ",
            "bulgar",
            "georgian",
            "slav",
            "arab",
            "magrebin",
            "extracomunitar",
            "comunitar",
            "stranier",
            "immigrat",
            "forestier",
            "zingar",
            "musulman",
            "islamic",
            "cristian",
            "cattolic",
            "ortodoss",
            "ebre",
            "evangelic",
            "protestant",
            "buddist",
            "bianc",
            "ner",
            "nostran",
            "autocton",
            "europe",
            "tedesc",
            "spagnol",
            "polacc",
        ];
        let mut origin: HashSet<String> = HashSet::new();
        for stem in it_a {
            for end in ["a", "e", "i", "he", "hi"] {
                origin.insert(format!("{stem}{end}"));
            }
        }
        // "-ese" adjectives: the plural refers to people, the singular is the language.
        for stem in [
            "albanes",
            "senegales",
            "bengales",
            "srilankes",
            "singales",
            "frances",
            "ingles",
            "cines",
            "giappones",
            "portoghes",
            "congoles",
            "ivorian",
        ] {
            origin.insert(format!("{stem}i"));
        }
        for w in [
            "rom",
            "sinti",
            "straniero",
            "extracomunitario",
            "immigrato",
            // English: no gender, so every form counts; language use is told apart by
            // the words around it.
            "italian",
            "italians",
            "romanian",
            "romanians",
            "foreign",
            "foreigner",
            "foreigners",
            "immigrant",
            "immigrants",
            "african",
            "africans",
            "black",
            "blacks",
            "white",
            "whites",
            "muslim",
            "muslims",
            "christian",
            "christians",
            "catholic",
            "catholics",
            "ukrainian",
            "ukrainians",
            "albanian",
            "albanians",
            "moroccan",
            "moroccans",
            "filipino",
            "filipina",
            "filipinos",
            "filipinas",
            "polish",
            "russian",
            "russians",
            "arab",
            "arabs",
            "asian",
            "asians",
            "european",
            "europeans",
            "local",
            "locals",
            "jewish",
            "jews",
            "gypsies",
            "gypsy",
            "peruvian",
            "peruvians",
            "moldovan",
            "moldovans",
            "eastern",
        ] {
            origin.insert(w.to_string());
        }
        Lexicon {
            origin,
            restrict: [
                "solo",
                "soltanto",
                "solamente",
                "esclusivamente",
                "unicamente",
                "preferibilmente",
                "preferibile",
                "preferenza",
                "preferita",
                "preferite",
                "preferito",
                "preferiti",
                "preferiamo",
                "preferisce",
                "preferirei",
                "preferiremmo",
                "preferirebbe",
                "gradita",
                "gradite",
                "no",
                "non",
                "niente",
                "nessuna",
                "nessun",
                "nessuno",
                "evitare",
                "escluse",
                "esclusi",
                "esclusa",
                "escluso",
                "tranne",
                "eccetto",
                "only",
                "not",
                "prefer",
                "prefers",
                "preferably",
                "preferred",
                "except",
                "exclusively",
                "non-eu",
            ]
            .into(),
            seek: [
                "cerchiamo",
                "cerco",
                "cerca",
                "cercasi",
                "cercano",
                "vogliamo",
                "voglio",
                "vuole",
                "vorremmo",
                "vorrei",
                "vorrebbe",
                "desideriamo",
                "desidera",
                "desiderano",
                "serve",
                "servirebbe",
                "occorre",
                "want",
                "wants",
                "looking",
                "seeking",
                "need",
                "needs",
                "hire",
            ]
            .into(),
            worker: [
                "badante",
                "badanti",
                "colf",
                "babysitter",
                "sitter",
                "tata",
                "tate",
                "domestica",
                "domestiche",
                "domestico",
                "collaboratrice",
                "collaboratrici",
                "assistente",
                "assistenti",
                "ragazza",
                "ragazze",
                "lavoratrice",
                "lavoratrici",
                "lavoratore",
                "lavoratori",
                "persona",
                "persone",
                "donna",
                "donne",
                "caregiver",
                "carer",
                "housekeeper",
                "nanny",
                "maid",
                "helper",
                "worker",
                "workers",
                "woman",
                "women",
                "girl",
                "lady",
                "person",
                "people",
            ]
            .into(),
            about_language: [
                "parla",
                "parlano",
                "parlare",
                "parlante",
                "lingua",
                "lingue",
                "madrelingua",
                "cucina",
                "cucinare",
                "cucinato",
                "piatti",
                "cibo",
                "ricette",
                "tv",
                "canali",
                "programmi",
                "musica",
                "speaks",
                "speak",
                "speaking",
                "speaker",
                "speakers",
                "language",
                "cooks",
                "cook",
                "cooking",
                "food",
                "cuisine",
                "dishes",
                "recipes",
            ]
            .into(),
            stop: [
                "per", "a", "al", "alla", "allo", "ai", "alle", "con", "presso", "che", "di",
                "del", "della", "dei", "delle", "da", "dalla", "for", "to", "with", "who", "of",
                "whose",
            ]
            .into(),
            explicit: [
                "nazionalita",
                "etnia",
                "etnica",
                "etnico",
                "etniche",
                "etnici",
                "razza",
                "razziale",
                "nationality",
                "ethnicity",
                "ethnic",
                "race",
            ]
            .into(),
        }
    })
}

/// The offending phrase, if the text sets a protected criterion.
pub fn find_criterion(text: &str) -> Option<String> {
    let lex = lexicon();
    let tokens = words_and_breaks(text);
    // Work clause by clause: a restriction never reaches across punctuation.
    for clause in tokens.split(|t| t.is_none()) {
        let words: Vec<&str> = clause.iter().flatten().map(String::as_str).collect();
        if let Some(p) = clause_criterion(lex, &words) {
            return Some(p);
        }
    }
    None
}

fn clause_criterion(lex: &Lexicon, w: &[&str]) -> Option<String> {
    let phrase = |from: usize, to: usize| w[from..=to].join(" ");
    for (i, word) in w.iter().enumerate() {
        if lex.explicit.contains(word) {
            return Some(word.to_string());
        }
        // "pelle chiara", "di colore" (of a person).
        if *word == "pelle"
            && w.get(i + 1)
                .is_some_and(|n| ["bianca", "chiara", "scura", "nera", "olivastra"].contains(n))
        {
            return Some(phrase(i, i + 1));
        }
        let di_colore = *word == "colore" && i > 0 && w[i - 1] == "di";
        if !lex.origin.contains(*word) && !di_colore {
            continue;
        }
        let language_use = |j: usize| lex.about_language.contains(w[j]);
        let next = w.get(i + 1);
        if next.is_some_and(|n| lex.about_language.contains(n)) {
            continue;
        }
        // English order: the adjective before the worker noun ("Romanian woman").
        if next.is_some_and(|n| lex.worker.contains(n)) {
            return Some(phrase(i, i + 1));
        }
        // "di colore" is one criterion: look for context before "di".
        let start = if di_colore { i - 1 } else { i };
        // Restriction close before the origin word ("solo italiane", "no rumene").
        for j in (start.saturating_sub(3)..start).rev() {
            if lex.restrict.contains(w[j]) {
                let context_is_language = (j.saturating_sub(2)..start)
                    .filter(|&k| k != j)
                    .any(language_use);
                if (w[j] == "non" && start - j > 1) || context_is_language {
                    break;
                }
                return Some(phrase(j, i));
            }
        }
        // A worker noun right before it ("badante rumena", "persone di colore").
        let noun = (start.saturating_sub(2)..start).find(|&j| lex.worker.contains(w[j]));
        if let Some(j) = noun {
            if !(j + 1..start).any(|k| lex.stop.contains(w[k]) || language_use(k)) {
                return Some(phrase(j, i));
            }
        }
        // A seek verb whose object is described by it ("cerchiamo una donna ucraina"),
        // unless a preposition hands the description to someone else ("per signora italiana").
        for j in (start.saturating_sub(5)..start).rev() {
            if lex.stop.contains(w[j]) || language_use(j) {
                break;
            }
            if lex.seek.contains(w[j]) {
                return Some(phrase(j, i));
            }
        }
    }
    // A clause that is nothing but origins ("Italiane o spagnole.") can only be a criterion.
    let conjunction = |x: &&str| ["o", "e", "oppure", "or", "and", "anche"].contains(x);
    if w.iter().any(|x| lex.origin.contains(*x))
        && w.iter().all(|x| lex.origin.contains(*x) || conjunction(x))
    {
        return Some(w.join(" "));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_discriminatory_phrasings() {
        for text in [
            "solo italiane",
            "Solo italiane, grazie",
            "SOLO ITALIANE!",
            "no rumene",
            "No rumene per favore",
            "niente stranieri",
            "niente straniere in casa",
            "only Italian",
            "Only Italians please",
            "no foreigners",
            "no Muslims",
            "preferibilmente italiana",
            "preferibilmente di nazionalità italiana",
            "cerchiamo badante italiana",
            "cerchiamo una donna ucraina seria",
            "Cercasi colf filippina",
            "badante rumena convivente",
            "esclusivamente europee",
            "no extracomunitari",
            "nessuna straniera",
            "evitare albanesi",
            "tranne marocchine",
            "solo cattoliche praticanti",
            "la famiglia vuole una persona bianca",
            "non di colore",
            "preferiamo persone di pelle chiara",
            "razza europea",
            "etnia rom esclusa",
            "no persone di colore",
            "We prefer a Filipino nanny",
            "looking for a Romanian woman",
            "italiane o spagnole",
            "solo nostrane",
            "non straniere",
            "no nere",
        ] {
            assert!(find_criterion(text).is_some(), "not refused: {text:?}");
        }
    }

    #[test]
    fn lets_innocent_texts_pass() {
        for text in [
            "parla rumeno",
            "Parla rumeno e italiano",
            "cucina italiana",
            "Sa cucinare piatti italiani e rumeni",
            "cucina solo italiana",
            "La signora parla solo italiano",
            "La signora parla solo il dialetto e l'italiano",
            "Signora italiana di 86 anni con Alzheimer",
            "cerchiamo badante per signora italiana allettata",
            "Anziano vedovo, non parla inglese",
            "Guarda solo canali italiani",
            "no animali in casa, non fumatrice",
            "Esperienza con malati di Alzheimer, cucina toscana.",
            "Solo mattina, dal lunedì al venerdì",
            "capelli bianchi",
            "Signora cattolica, gradirebbe accompagnamento a messa la domenica",
            "lavatrice e ferro da stiro, casa con giardino",
            "Only Italian speakers would understand her dialect",
            "speaks Italian and Romanian",
            "pelle secca, serve aiuto per l'igiene",
            "Ha lavorato per una famiglia inglese",
            "Non è necessaria la patente",
            "Casa in campagna, la famiglia è rumena e cerca aiuto per la nonna",
        ] {
            assert_eq!(find_criterion(text), None, "refused: {text:?}");
        }
    }

    #[test]
    fn refusal_names_field_and_law() {
        let err = check_text("notes", "solo italiane").unwrap_err();
        match err {
            Error::Discriminatory { field, message } => {
                assert_eq!(field, "notes");
                assert!(message.contains("solo italiane"));
                assert!(message.contains("286/1998"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn refuses_criteria_as_fields_anywhere() {
        let body = serde_json::json!({"job": "colf", "requires": {"nationality": "IT"}});
        match check_fields(&body) {
            Err(Error::Discriminatory { field, .. }) => assert_eq!(field, "requires.nationality"),
            other => panic!("{other:?}"),
        }
        let body = serde_json::json!({"Religione": "cattolica"});
        assert!(check_fields(&body).is_err());
        let body = serde_json::json!({"requires": {"languages": [{"code": "it", "level": "B1"}]}});
        assert!(check_fields(&body).is_ok());
    }
}
