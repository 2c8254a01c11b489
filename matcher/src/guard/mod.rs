//! The anti-discrimination guard: refuses requests that select workers by a protected
//! ground (nationality, ethnicity, religion, colour, sex, age, disability, family status,
//! pregnancy, sexual orientation, political opinion, union membership), whether asked in
//! a field or in free text, in Italian or English, and teaches a lawful rewording.
//!
//! The text check reads phrasing, not a word list: a protected word is a criterion when
//! it is restricted or preferred ("solo", "meglio se", "no"…), sought ("cerchiamo…") or
//! attached to the worker ("badante rumena"); it is a fact when it describes the family,
//! the person cared for or the job ("la signora è musulmana", "cucina italiana", "parla
//! solo spagnolo"). Measured on the labelled corpus in `fixtures/guard/corpus.tsv`.

mod detect;
mod grounds;
mod lexicon;
mod normalise;

#[cfg(test)]
mod corpus;
#[cfg(test)]
mod tests;

pub use detect::Finding;
pub use grounds::Ground;

use crate::error::{Error, Result};

/// Field names that can only exist to select people by a protected ground.
const FORBIDDEN_FIELDS: &[(&str, Ground)] = &[
    ("nationality", Ground::Nationality),
    ("nazionalita", Ground::Nationality),
    ("citizenship", Ground::Nationality),
    ("cittadinanza", Ground::Nationality),
    ("origin", Ground::Nationality),
    ("origine", Ground::Nationality),
    ("country_of_origin", Ground::Nationality),
    ("paese_di_origine", Ground::Nationality),
    ("ethnicity", Ground::Ethnicity),
    ("etnia", Ground::Ethnicity),
    ("race", Ground::Ethnicity),
    ("razza", Ground::Ethnicity),
    ("religion", Ground::Religion),
    ("religione", Ground::Religion),
    ("skin_colour", Ground::SkinColour),
    ("skin_color", Ground::SkinColour),
    ("colore_pelle", Ground::SkinColour),
    ("gender", Ground::Sex),
    ("sex", Ground::Sex),
    ("sesso", Ground::Sex),
    ("genere", Ground::Sex),
    ("age", Ground::Age),
    ("eta", Ground::Age),
    ("age_min", Ground::Age),
    ("age_max", Ground::Age),
    ("birth_year", Ground::Age),
    ("marital_status", Ground::FamilyStatus),
    ("stato_civile", Ground::FamilyStatus),
    ("sexual_orientation", Ground::SexualOrientation),
    ("orientamento_sessuale", Ground::SexualOrientation),
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
                    let folded = crate::text::fold(k);
                    if let Some((_, ground)) = FORBIDDEN_FIELDS.iter().find(|(f, _)| *f == folded) {
                        return Err(refusal(
                            &here,
                            &Finding {
                                ground: *ground,
                                words: vec![k.clone()],
                            },
                        ));
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

/// Refuses free text that asks to select workers by a protected ground.
pub fn check_text(field: &str, text: &str) -> Result<()> {
    match find_criterion(text) {
        Some(found) => Err(refusal(field, &found)),
        None => Ok(()),
    }
}

/// The criterion the text sets, if any: its ground and the words that set it.
pub fn find_criterion(text: &str) -> Option<Finding> {
    detect::find(text)
}

fn refusal(field: &str, found: &Finding) -> Error {
    let phrase = found.words.join(" ");
    Error::Discriminatory {
        field: field.to_string(),
        ground: found.ground,
        suggestion: found.ground.suggestion(&found.words),
        words: found.words.clone(),
        message: format!(
            "Criterio non ammesso ({}): \"{phrase}\". {}",
            found.ground.label(),
            found.ground.law()
        ),
    }
}
