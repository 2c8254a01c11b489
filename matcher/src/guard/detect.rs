//! Reads one clause at a time and decides whether a protected word sets a criterion on
//! the worker (refused) or states a fact about the family, the person cared for or the
//! job (passed). Ambiguity leans towards a criterion: the operator can rephrase.
//!
//! Words compared here are lookup keys, with double letters written once ("pele" for
//! "pelle", "ani" for "anni"): see `normalise::skeleton`.

use super::grounds::Ground;
use super::lexicon::{lexicon, Entry, Lexicon, Role, Strength, Term, SIDES};
use super::normalise::{clauses, Tok};

/// A criterion found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub ground: Ground,
    /// The words that set it, as typed (lowercase, no accents).
    pub words: Vec<String>,
}

/// How far back a protected word looks for what it belongs to.
const WINDOW: usize = 7;

/// The first criterion in `text`. A sex criterion read only from a noun for the worker
/// ("donne") gives way to any other ground in the text ("niente donne col velo").
pub fn find(text: &str) -> Option<Finding> {
    let lex = lexicon();
    let mut fallback = None;
    let mut about_family = false;
    for clause in clauses(text) {
        if neutralised(lex, &clause) {
            continue;
        }
        let carried = about_family;
        about_family = describes_family(lex, &clause);
        for i in 0..clause.len() {
            let Some(f) = at(lex, &clause, i, carried) else {
                continue;
            };
            if f.ground != Ground::Sex {
                return Some(f);
            }
            fallback.get_or_insert(f);
        }
    }
    fallback
}

/// A clause about the family and nothing sought ("Signora sola, vedova, senza figli"):
/// a denial in the next clause is still about them.
fn describes_family(lex: &Lexicon, c: &[Tok]) -> bool {
    let roles = || c.iter().map(|t| lex.role(&t.key));
    roles().any(|r| matches!(r, Role::Family | Role::Signora))
        && !roles().any(|r| matches!(r, Role::Worker | Role::Seek | Role::Cue))
}

/// "qualsiasi nazionalità", "nessuna preferenza": the clause lifts criteria.
fn neutralised(lex: &Lexicon, c: &[Tok]) -> bool {
    // "qualunque etnia tranne rom" lifts nothing.
    if c.iter()
        .any(|t| ["trane", "ecetto", "except", "fuorche"].contains(&t.key.as_str()))
    {
        return false;
    }
    c.iter().enumerate().any(|(i, t)| {
        lex.role(&t.key) == Role::Neutral
            || (t.key.starts_with("preferenz")
                && i > 0
                && ["no", "nesuna", "nesun", "senza", "non"].contains(&c[i - 1].key.as_str()))
    })
}

/// What the backward walk from a protected word concluded.
enum Walk {
    /// A criterion, anchored at this word (a cue, a seek verb, a worker noun).
    Criterion(usize),
    /// A fact or a thing: not a criterion.
    Pass,
    /// "signora"/"una signora" without article: the person cared for, or the one sought.
    BareSignora(usize),
    /// Nothing around it decides.
    Open,
}

/// The criterion set by the word at `i`, if any. `carried`: the clause before described
/// the family, so a bare denial here ("senza figli") is still about them.
fn at(lex: &Lexicon, c: &[Tok], i: usize, carried: bool) -> Option<Finding> {
    if let Some(n) = c[i].num {
        return age_number(lex, c, i, n, carried);
    }
    let (term, start) = term_at(lex, c, i)?;
    // "la signora Bianca", "da Latina"; but "a Latina nanny" is an adjective.
    if term.name_clash && c[i].capital && forward_worker(lex, c, i).is_none() {
        return None;
    }
    if forward_pass(lex, c, i, term) {
        return None;
    }
    let found = |from: usize| Some(finding(term.ground, c, from.min(start), i));
    match walk(lex, c, start, term, carried) {
        Walk::Criterion(j) => found(j),
        Walk::Pass => None,
        Walk::BareSignora(j) => {
            let out_group = matches!(
                term.ground,
                Ground::Nationality | Ground::Ethnicity | Ground::SkinColour
            ) && !is_italian(&c[i].key);
            let described = c[i + 1..].iter().any(|t| {
                t.num.is_some()
                    || matches!(lex.role(&t.key), Role::Family | Role::Copula)
                    || [
                        "con",
                        "afeta",
                        "afeto",
                        "aletata",
                        "malata",
                        "demenza",
                        "alzheimer",
                        "parkinson",
                        "carozina",
                        "autosuficiente",
                        "non",
                        "di",
                        "ani",
                    ]
                    .contains(&t.key.as_str())
            });
            (out_group && !described).then(|| finding(term.ground, c, j, i))
        }
        Walk::Open => match term.strength {
            Strength::Strong => {
                (!forward_family(lex, c, i)).then(|| finding(term.ground, c, start, i))
            }
            Strength::Standalone => {
                if let Some(end) = forward_worker(lex, c, i).or_else(|| postfix_cue(lex, c, i)) {
                    Some(finding(term.ground, c, start, end))
                } else if only_fillers(lex, c, start, i) && (!carried || plural(&c[i].key)) {
                    Some(finding(term.ground, c, 0, c.len() - 1))
                } else {
                    None
                }
            }
            Strength::Weak => forward_worker(lex, c, i)
                .or_else(|| postfix_cue(lex, c, i))
                .map(|end| finding(term.ground, c, start, end)),
            Strength::Sought => None,
        },
    }
}

/// An Italian plural adjective ("italiane", "rumeni"): after "Signora di 89 anni," a
/// lone "italiana" describes her, "italiane" can only be the workers sought.
fn plural(key: &str) -> bool {
    (key.ends_with('e') || key.ends_with('i')) && !key.ends_with("ese") && !key.ends_with("ale")
}

fn finding(ground: Ground, c: &[Tok], from: usize, to: usize) -> Finding {
    Finding {
        ground,
        words: c[from..=to.min(c.len() - 1)]
            .iter()
            .map(|t| t.raw.clone())
            .collect(),
    }
}

fn is_italian(key: &str) -> bool {
    key.starts_with("italian") || key.starts_with("nostran") || key.starts_with("autocton")
}

/// The protected term at `i`, with where its phrase starts ("di colore" starts at "di").
fn term_at(lex: &Lexicon, c: &[Tok], i: usize) -> Option<(Term, usize)> {
    let key = c[i].key.as_str();
    let prev = |k: usize| (i >= k).then(|| c[i - k].key.as_str());
    let make = |ground, strength| Term {
        ground,
        strength,
        name_clash: false,
    };
    match key {
        // "dell'est", "Europa dell'Est", "paesi dell'est".
        "est" if matches!(prev(1), Some("del" | "dal" | "d" | "de")) => {
            return Some((make(Ground::Nationality, Strength::Standalone), i - 1));
        }
        // "di colore", but not "di colore bianco" (a thing's colour).
        "colore" if prev(1) == Some("di") => {
            let next = c.get(i + 1).map(|t| t.key.as_str());
            let thing = next.is_some_and(|n| {
                lex.get(n)
                    .term
                    .is_some_and(|t| t.ground == Ground::SkinColour)
                    || [
                        "roso", "verde", "giallo", "blu", "grigio", "azuro", "marone", "chiaro",
                        "scuro",
                    ]
                    .contains(&n)
            });
            return (!thing).then_some((make(Ground::SkinColour, Strength::Standalone), i - 1));
        }
        "pele" | "skin"
            if c.get(i + 1).is_some_and(|n| {
                lex.get(&n.key)
                    .term
                    .is_some_and(|t| t.ground == Ground::SkinColour)
            }) =>
        {
            return Some((make(Ground::SkinColour, Strength::Strong), i));
        }
        // "pelle chiara" is read at "pelle"; "chiara" alone is a name or a colour of things.
        "chiara" | "chiare" | "scura" | "scure" | "olivastra"
            if !matches!(prev(1), Some("pele" | "carnagione")) =>
        {
            return None
        }
        "destra" | "sinistra" => {
            let political = prev(1) == Some("di")
                && !prev(2).is_some_and(|p| SIDES.contains(&p) || lex.role(p) == Role::Family);
            return political
                .then(|| (make(Ground::PoliticalOpinion, Strength::Standalone), i - 1));
        }
        "right" | "left" if c.get(i + 1).is_some_and(|n| n.key == "wing") => {
            return Some((make(Ground::PoliticalOpinion, Strength::Standalone), i));
        }
        "sesuale" if prev(1) == Some("orientamento") => {
            return Some((make(Ground::SexualOrientation, Strength::Strong), i - 1));
        }
        "politico" | "politica" if prev(1) == Some("orientamento") => {
            return Some((make(Ground::PoliticalOpinion, Strength::Strong), i - 1));
        }
        "atesa" if prev(1) == Some("dolce") => {
            let s = if prev(2) == Some("in") { i - 2 } else { i - 1 };
            return Some((make(Ground::Pregnancy, Strength::Standalone), s));
        }
        // "future mamme": pregnancy, not the family's mother.
        "mama" | "mame" | "mamma" | "mothers" | "mother"
            if matches!(prev(1), Some("futura" | "future" | "expectant" | "to")) =>
        {
            return Some((make(Ground::Pregnancy, Strength::Standalone), i - 1));
        }
        "geova" => {
            return Some((
                make(Ground::Religion, Strength::Standalone),
                i.saturating_sub(2),
            ))
        }
        "salute" => {
            // "in buona salute" is one phrase: the walk starts before "in".
            let mut s = i;
            if prev(1).is_some_and(|p| {
                ["buona", "perfeta", "otima", "piena", "good", "perfect"].contains(&p)
            }) {
                s -= 1;
                if matches!(prev(2), Some("in")) {
                    // "in perfetta salute" can only describe a person.
                    return Some((make(Ground::Disability, Strength::Standalone), s - 1));
                }
            }
            return Some((make(Ground::Disability, Strength::Weak), s));
        }
        _ => {}
    }
    let Entry { term, .. } = lex.get(key);
    let mut term = term?;
    // "vuole avere figli", "intenzione di fare figli": children to come, a question
    // about pregnancy ("deve avere figli piccoli" is about family status).
    let wish = matches!(
        prev(2),
        Some(
            "vuole"
                | "voglia"
                | "vorebbe"
                | "vogliono"
                | "di"
                | "desidera"
                | "pensa"
                | "progeta"
                | "want"
                | "wants"
                | "plan"
                | "plans"
                | "planning"
        )
    );
    if term.ground == Ground::FamilyStatus
        && matches!(prev(1), Some("avere" | "fare" | "have"))
        && wish
    {
        term.ground = Ground::Pregnancy;
    }
    // "in gravidanza", "in maternità": a state of the person, one phrase with "in".
    let in_state =
        matches!(term.ground, Ground::Pregnancy | Ground::Disability) && prev(1) == Some("in");
    Some((term, if in_state { i - 1 } else { i }))
}

/// What follows the word makes it a language, a thing or a figure of speech.
fn forward_pass(lex: &Lexicon, c: &[Tok], i: usize, term: Term) -> bool {
    let next = c.get(i + 1).map(|t| t.key.as_str());
    let next2 = c.get(i + 2).map(|t| t.key.as_str());
    if next.is_some_and(|n| matches!(lex.role(n), Role::Lang | Role::Thing)) {
        return true;
    }
    let prev = i.checked_sub(1).map(|k| c[k].key.as_str());
    match term.ground {
        Ground::Age => {
            // "giovane di spirito", "young at heart", "età avanzata" (of the person cared for).
            matches!(next, Some("dentro" | "inside"))
                || (matches!(next, Some("di" | "nelo" | "at" | "d"))
                    && matches!(next2, Some("spirito" | "animo" | "heart" | "cuore")))
                || matches!(
                    next,
                    Some("avanzata" | "scolare" | "prescolare" | "pensionabile")
                )
        }
        // "ragazzo con disabilità": having a disability is a fact about the person cared for.
        // ("evitare persone con invalidità" stays a criterion: the cue reaches it.)
        Ground::Disability => {
            matches!(prev, Some("con" | "with" | "afeta" | "afeto"))
                && cue_before(lex, c, i - 1).is_none()
        }
        // "vive in Ucraina": a place; "l'italiano", "il rumeno": a language.
        Ground::Nationality | Ground::Ethnicity if c[i].key != "est" => {
            matches!(
                prev,
                Some("in" | "l" | "il" | "lo" | "del" | "al" | "nel" | "dal" | "sul")
            )
        }
        _ => false,
    }
}

/// Walks back from the start of a protected phrase to what it belongs to.
fn walk(lex: &Lexicon, c: &[Tok], start: usize, term: Term, carried: bool) -> Walk {
    let mut handed_off = false;
    let mut copula = false;
    let mut clean = true;
    let lo = start.saturating_sub(WINDOW);
    for j in (lo..start).rev() {
        let t = &c[j];
        let entry = lex.get(&t.key);
        match entry.role {
            Role::Thing | Role::Lang | Role::Experience | Role::Neutral => return Walk::Pass,
            Role::Family => return Walk::Pass,
            Role::Signora => {
                if copula || governed(lex, c, j) {
                    return Walk::Pass;
                }
                // "cerchiamo una signora ucraina": sought, not cared for.
                if let Some(k) = cue_before(lex, c, j) {
                    return Walk::Criterion(k);
                }
                return Walk::BareSignora(j);
            }
            // "una persona capace di sollevare il signore": a sought "signora" must be
            // sought directly, not through someone else.
            Role::Worker if term.strength == Strength::Sought => return Walk::Pass,
            Role::Worker => {
                // "assistenza a donna incinta", "esperienza con persone disabili".
                if handed_off || after_preposition(lex, c, j) {
                    return Walk::Pass;
                }
                // "ha la badante rumena che va via": a known person; a cue may still
                // follow ("le badanti straniere no").
                if j > 0
                    && ["la", "il", "l", "le", "lo", "i", "the"].contains(&c[j - 1].key.as_str())
                {
                    return Walk::Open;
                }
                return Walk::Criterion(j);
            }
            Role::Seek => {
                return if handed_off || !clean || term.strength == Strength::Sought && start - j > 2
                {
                    Walk::Pass
                } else {
                    Walk::Criterion(j)
                };
            }
            Role::Cue | Role::Neg => {
                if clean && !handed_off {
                    // "cucina solo italiana", "parla solo spagnolo".
                    let before = j.saturating_sub(2)..j;
                    if before
                        .clone()
                        .any(|k| matches!(lex.role(&c[k].key), Role::Lang | Role::Thing))
                    {
                        return Walk::Pass;
                    }
                    // "la signora non è musulmana", "anziana senza famiglia".
                    if entry.role == Role::Neg || t.key == "senza" {
                        let subject = (j.saturating_sub(3)..j).rev().find(|&k| {
                            matches!(
                                lex.role(&c[k].key),
                                Role::Family | Role::Signora | Role::Worker
                            )
                        });
                        let family = match subject {
                            Some(k) => lex.role(&c[k].key) != Role::Worker,
                            None => carried && j == 0,
                        };
                        if family {
                            return Walk::Pass;
                        }
                    }
                    if term.strength == Strength::Sought && start - j > 2 {
                        return Walk::Pass;
                    }
                    return Walk::Criterion(j);
                }
            }
            Role::HandOff => {
                let prev = j.checked_sub(1).map(|k| c[k].key.as_str());
                if t.key == "for"
                    && prev.is_some_and(|p| p.starts_with("lok") || p.starts_with("search"))
                {
                    // "looking for a Romanian woman".
                    return if clean {
                        Walk::Criterion(j - 1)
                    } else {
                        Walk::Pass
                    };
                }
                // "iscritta al sindacato", "preferenza per…": not handed to anyone.
                let membership = prev.is_some_and(|p| {
                    p.starts_with("iscrit")
                        || p.starts_with("tesera")
                        || p.starts_with("preferenz")
                        || p == "preference"
                        || p == "member"
                        || p == "membro"
                });
                if !membership {
                    handed_off = true;
                }
            }
            Role::Copula => copula = true,
            Role::Quant | Role::Filler | Role::Plain => {}
        }
        let allowed =
            entry.role == Role::Filler || entry.term.is_some() || entry.role == Role::HandOff;
        if !allowed {
            clean = false;
        }
    }
    if handed_off {
        Walk::Pass
    } else {
        Walk::Open
    }
}

/// A noun preceded by an article, a preposition or a possessive names a known person
/// ("la signora", "per una donna", "mia madre"), not someone sought.
fn governed(lex: &Lexicon, c: &[Tok], j: usize) -> bool {
    const GOVERNORS: &[&str] = &[
        "la", "il", "lo", "l", "le", "i", "gli", "the", "per", "a", "ad", "con", "di", "del",
        "dela", "de", "da", "dala", "for", "to", "with", "of", "mia", "mio", "mie", "miei",
        "nostra", "nostro", "sua", "suo", "my", "our", "his", "her", "their", "questa", "questo",
        "this",
    ];
    let k = match j.checked_sub(1) {
        Some(k) => k,
        None => return false,
    };
    let p = c[k].key.as_str();
    if GOVERNORS.contains(&p) || lex.role(p) == Role::HandOff {
        return true;
    }
    // "per una signora", "a una persona".
    matches!(p, "una" | "un" | "uno" | "an")
        && k > 0
        && (GOVERNORS.contains(&c[k - 1].key.as_str()) || lex.role(&c[k - 1].key) == Role::HandOff)
}

/// A worker noun after a preposition names the person cared for ("a donna incinta").
fn after_preposition(lex: &Lexicon, c: &[Tok], j: usize) -> bool {
    const PREPOSITIONS: &[&str] = &[
        "per", "a", "ad", "con", "di", "del", "dela", "da", "dala", "for", "to", "with", "of",
    ];
    let is_prep = |k: usize| {
        let p = c[k].key.as_str();
        let after_preference = k > 0 && c[k - 1].key.starts_with("preferenz");
        (PREPOSITIONS.contains(&p) || lex.role(p) == Role::HandOff) && !after_preference
    };
    let Some(k) = j.checked_sub(1) else {
        return false;
    };
    if is_prep(k) {
        return true;
    }
    matches!(c[k].key.as_str(), "una" | "un" | "uno" | "an" | "a") && k > 0 && is_prep(k - 1)
}

/// A seek verb or a cue right before `j`, across articles only.
fn cue_before(lex: &Lexicon, c: &[Tok], j: usize) -> Option<usize> {
    (j.saturating_sub(3)..j).rev().find(|&k| {
        matches!(lex.role(&c[k].key), Role::Seek | Role::Cue)
            && c[k + 1..j].iter().all(|t| lex.role(&t.key) == Role::Filler)
    })
}

/// "Italian nanny", "giovane badante": an adjective before the worker noun.
fn forward_worker(lex: &Lexicon, c: &[Tok], i: usize) -> Option<usize> {
    let n = c.get(i + 1)?;
    (lex.role(&n.key) == Role::Worker).then_some(i + 1)
}

/// "straniere no", "italiane preferibilmente", "Italian lady wanted".
fn postfix_cue(lex: &Lexicon, c: &[Tok], i: usize) -> Option<usize> {
    (i + 1..(i + 4).min(c.len())).find(|&k| {
        let role = lex.role(&c[k].key);
        let plain_between = c[i + 1..k].iter().all(|t| {
            matches!(lex.role(&t.key), Role::Filler | Role::Worker | Role::Family)
                || lex.get(&t.key).term.is_some()
        });
        plain_between
            && ((role == Role::Cue && c[k].key != "senza" && c[k].key != "libera")
                || matches!(
                    c[k].key.as_str(),
                    "wanted" | "needed" | "cercasi" | "please"
                ))
    })
}

/// A clause with nothing but protected words and fillers ("Italiane.", "Donna, 40-50 anni").
fn only_fillers(lex: &Lexicon, c: &[Tok], start: usize, i: usize) -> bool {
    c.len() <= 6
        && c.iter().enumerate().all(|(k, t)| {
            let e = lex.get(&t.key);
            (start..=i).contains(&k)
                || e.term.is_some()
                || term_at(lex, c, k).is_some()
                || matches!(
                    e.role,
                    Role::Filler | Role::Cue | Role::Neg | Role::HandOff | Role::Quant
                )
        })
}

/// A term followed by a family noun or "of the family" describes them ("giovane mamma",
/// "età della signora").
fn forward_family(lex: &Lexicon, c: &[Tok], i: usize) -> bool {
    c[i + 1..]
        .iter()
        .take(3)
        .take_while(|t| {
            matches!(
                lex.role(&t.key),
                Role::Filler | Role::Family | Role::Signora
            ) || t.key.starts_with("del")
                || t.key.starts_with("dei")
                || t.key == "of"
        })
        .any(|t| matches!(lex.role(&t.key), Role::Family | Role::Signora))
}

/// An age in figures: "massimo 45 anni", "tra 30 e 50 anni", "over 60", "badante di 40 anni".
fn age_number(lex: &Lexicon, c: &[Tok], k: usize, n: u32, carried: bool) -> Option<Finding> {
    let key = |i: usize| c.get(i).map(|t| t.key.as_str()).unwrap_or("");
    let is_years =
        |s: &str| ["ani", "ano", "years", "year", "yo", "old", "ene", "yrs"].contains(&s);
    // Where "anni" is, if this number is (part of) an age.
    let years_at = if is_years(key(k + 1)) {
        Some(k + 1)
    } else if c.get(k + 1).is_some_and(|t| t.num.is_some()) && is_years(key(k + 2)) {
        Some(k + 2)
    } else if ["e", "and", "a", "ai"].contains(&key(k + 1))
        && c.get(k + 2).is_some_and(|t| t.num.is_some())
        && is_years(key(k + 3))
    {
        Some(k + 3)
    } else {
        None
    };
    let quant_at = (k.saturating_sub(4)..k).rev().find(|&j| {
        lex.role(&c[j].key) == Role::Quant || ["eta", "age"].contains(&c[j].key.as_str())
    });
    // The second number of a range is read with the first.
    if k > 0 && c[k - 1].num.is_some()
        || k > 1 && c[k - 2].num.is_some() && ["e", "and", "a", "ai"].contains(&key(k - 1))
    {
        return None;
    }
    if years_at.is_none() && quant_at.is_none() {
        return None;
    }
    // "massimo 40 ore", "entro 30 km": a bound on something else.
    const UNITS: &[&str] = &[
        "ore", "ora", "h", "euro", "eur", "km", "chili", "kg", "kili", "minuti", "min", "giorni",
        "notti", "setimane", "mesi", "metri", "mq", "volte", "persone", "hours", "minutes", "days",
        "weeks", "months", "miles", "kilos", "per", "al", "la", "a",
    ];
    if years_at.is_none() && UNITS.contains(&key(k + 1)) {
        return None;
    }
    // "Uomo di 80 anni": an age no one seeks in a worker is the person cared for.
    if quant_at.is_none() && n >= 70 {
        return None;
    }
    // Workers are adults; smaller figures are durations or children.
    if !(16..=90).contains(&n) {
        return None;
    }
    // "esperienza di almeno 5 anni", "da 20 anni", "3 anni fa", "20 anni di esperienza".
    let duration = (k.saturating_sub(3)..k).any(|j| {
        [
            "da", "per", "for", "contrato", "durata", "impegno", "lavora", "since", "fa",
        ]
        .contains(&c[j].key.as_str())
            || matches!(lex.role(&c[j].key), Role::Experience)
    }) || years_at.is_some_and(|y| {
        let after = key(y + 1);
        ["fa", "ago"].contains(&after)
            || (["di", "of", "d"].contains(&after)
                && [
                    "esperienza",
                    "experience",
                    "lavoro",
                    "servizio",
                    "contrato",
                    "ativita",
                    "matrimonio",
                ]
                .contains(&key(y + 2)))
    });
    if duration {
        return None;
    }
    let start = quant_at.unwrap_or(k);
    let end = years_at.unwrap_or(k);
    let term = Term {
        ground: Ground::Age,
        strength: if quant_at.is_some() {
            Strength::Strong
        } else {
            Strength::Weak
        },
        name_clash: false,
    };
    match walk(lex, c, start, term, carried) {
        Walk::Criterion(j) => Some(finding(Ground::Age, c, j, end)),
        Walk::Pass | Walk::BareSignora(_) => None,
        Walk::Open if quant_at.is_some() && !forward_family(lex, c, end) => {
            Some(finding(Ground::Age, c, start, end))
        }
        Walk::Open => None,
    }
}
