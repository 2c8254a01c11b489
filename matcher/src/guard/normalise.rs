//! Turns free text into clauses of comparable words: case, accents, repeated letters,
//! digits typed for letters, elisions and hyphens are evened out before any lookup.

use crate::text::fold;

/// One word of a clause.
#[derive(Debug, Clone, PartialEq)]
pub struct Tok {
    /// The word as typed, lowercase and without accents (what a refusal quotes).
    pub raw: String,
    /// The lookup key: `raw` with digits-for-letters undone and every run of a repeated
    /// letter reduced to one ("italianaaa", "donne" → "italiana", "done").
    pub key: String,
    /// The value of a number ("45"), when the word is one.
    pub num: Option<u32>,
    /// Capitalised inside a clause: likely a proper name ("la signora Bianca").
    pub capital: bool,
}

/// Words that end a clause as punctuation does: what follows them is another thought.
const CLAUSE_WORDS: &[&str] = &["ma", "pero", "but", "tuttavia", "pure"];

/// The clauses of `text`, each a list of words. A criterion never reaches across a
/// clause boundary (punctuation, a new line, "ma", a spaced dash). A colon is no
/// boundary: what follows it is the value of what precedes it ("origine della signora:
/// Ucraina", "requisiti: italiana").
pub fn clauses(text: &str) -> Vec<Vec<Tok>> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<Vec<Tok>> = vec![Vec::new()];
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_word_char(c) {
            let from = i;
            while i < chars.len() && is_word_char(chars[i]) {
                i += 1;
            }
            let word: String = chars[from..i].iter().collect();
            push_word(&mut out, &word);
            continue;
        }
        let spaced = |k: usize| k < chars.len() && chars[k].is_whitespace();
        let is_break = matches!(
            c,
            '.' | ','
                | ';'
                | '!'
                | '?'
                | '\n'
                | '/'
                | '('
                | ')'
                | '['
                | ']'
                | '|'
                | '•'
                | '–'
                | '—'
                | '"'
                | '«'
                | '»'
                | '“'
                | '”'
        ) || (c == '-' && i > 0 && spaced(i - 1) && spaced(i + 1));
        if is_break {
            new_clause(&mut out);
        } else if matches!(c, '\'' | '’' | '`') && (i + 1 == chars.len() || spaced(i + 1)) {
            // "e'" typed for "è".
            if let Some(last) = out.last_mut().and_then(|cl| cl.last_mut()) {
                if last.key == "e" {
                    last.key = "è".into();
                    last.raw = "è".into();
                }
            }
        }
        i += 1;
    }
    for clause in &mut out {
        join_spelled_out(clause);
        merge_prefixes(clause);
    }
    out.retain(|c| !c.is_empty());
    out
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '@' || c == '$'
}

fn new_clause(out: &mut Vec<Vec<Tok>>) {
    if out.last().is_some_and(|c| !c.is_empty()) {
        out.push(Vec::new());
    }
}

fn push_word(out: &mut Vec<Vec<Tok>>, word: &str) {
    let lower = word.to_lowercase();
    let mut first = word.chars();
    let capital = first.next().is_some_and(char::is_uppercase)
        && first.clone().any(char::is_lowercase)
        && out.last().is_some_and(|c| !c.is_empty());
    if lower == "è" {
        push(
            out,
            Tok {
                raw: lower.clone(),
                key: lower,
                num: None,
                capital: false,
            },
        );
        return;
    }
    let folded = fold(&lower);
    let has_digit = folded.chars().any(|c| c.is_ascii_digit());
    let has_letter = folded
        .chars()
        .any(|c| c.is_alphabetic() || c == '@' || c == '$');
    if has_digit && !has_letter {
        let num = folded.parse::<u32>().ok();
        push(
            out,
            Tok {
                raw: folded.clone(),
                key: folded,
                num,
                capital: false,
            },
        );
        return;
    }
    if has_digit && !is_cefr(&folded) {
        // "over50", "40anni": a number glued to a word; "sol0", "1taliana": digits for
        // letters (one digit at a time, as people type them).
        let lead = folded.chars().take_while(char::is_ascii_digit).count();
        let trail = folded
            .chars()
            .rev()
            .take_while(char::is_ascii_digit)
            .count();
        let len = folded.chars().count();
        if lead >= 2 && lead < len {
            let (n, rest) = folded.split_at(lead);
            push_word(out, n);
            push_word(out, rest);
            return;
        }
        if trail >= 2 && trail < len {
            let (rest, n) = folded.split_at(folded.len() - trail);
            push_word(out, rest);
            push_word(out, n);
            return;
        }
    }
    let letters: String = if is_cefr(&folded) {
        folded.clone()
    } else {
        folded.chars().map(leet).collect()
    };
    if CLAUSE_WORDS.contains(&letters.as_str()) {
        new_clause(out);
        return;
    }
    let key = skeleton(&letters);
    push(
        out,
        Tok {
            raw: folded,
            key,
            num: None,
            capital,
        },
    );
}

fn push(out: &mut [Vec<Tok>], tok: Tok) {
    if let Some(clause) = out.last_mut() {
        clause.push(tok);
    }
}

/// A language level ("b1", "c2"): kept as typed, not read as digits for letters.
fn is_cefr(w: &str) -> bool {
    let b = w.as_bytes();
    b.len() == 2 && matches!(b[0], b'a' | b'b' | b'c') && matches!(b[1], b'1' | b'2')
}

fn leet(c: char) -> char {
    match c {
        '0' => 'o',
        '1' => 'i',
        '3' => 'e',
        '4' | '@' => 'a',
        '5' | '$' => 's',
        '7' => 't',
        other => other,
    }
}

/// Every run of one repeated letter reduced to a single letter.
pub fn skeleton(w: &str) -> String {
    let mut out = String::with_capacity(w.len());
    let mut prev = None;
    for c in w.chars() {
        if Some(c) != prev || c.is_ascii_digit() {
            out.push(c);
        }
        prev = Some(c);
    }
    out
}

/// "i t a l i a n e" → "italiane": four or more single letters in a row are one word.
fn join_spelled_out(clause: &mut Vec<Tok>) {
    let single = |t: &Tok| t.num.is_none() && t.raw.chars().count() == 1;
    let mut i = 0;
    while i < clause.len() {
        let run = clause[i..].iter().take_while(|t| single(t)).count();
        if run >= 4 {
            let raw: String = clause[i..i + run].iter().map(|t| t.raw.as_str()).collect();
            let key = skeleton(&raw.chars().map(leet).collect::<String>());
            clause.splice(
                i..i + run,
                [Tok {
                    raw,
                    key,
                    num: None,
                    capital: false,
                }],
            );
        }
        i += 1;
    }
}

/// "extra-comunitarie", "extra comunitarie" → one word.
fn merge_prefixes(clause: &mut Vec<Tok>) {
    let mut i = 0;
    while i + 1 < clause.len() {
        if clause[i].key == "extra" && clause[i + 1].key.starts_with("comunitar") {
            let next = clause.remove(i + 1);
            clause[i].raw = format!("extra{}", next.raw);
            clause[i].key = format!("extra{}", next.key);
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<Vec<String>> {
        clauses(text)
            .into_iter()
            .map(|c| c.into_iter().map(|t| t.key).collect())
            .collect()
    }

    #[test]
    fn evens_out_spelling_tricks() {
        assert_eq!(keys("Sol0 1TALIANEEE!!"), [["solo", "italiane"]]);
        assert_eq!(keys("dell'est"), [["del", "est"]]);
        assert_eq!(keys("No extra-comunitarie"), [["no", "extracomunitarie"]]);
        assert_eq!(keys("i t a l i a n e"), [["italiane"]]);
        assert_eq!(keys("s0l@ rum3n3"), [["sola", "rumene"]]);
    }

    #[test]
    fn keeps_numbers_levels_and_clauses() {
        let c = clauses("over50, livello B1 - tra 30 e 45 anni");
        assert_eq!(c.len(), 3);
        assert_eq!(c[0][1].num, Some(50));
        assert_eq!(c[1][1].key, "b1");
        assert_eq!(c[2][1].num, Some(30));
        assert_eq!(
            keys("la signora e' musulmana ma mangia"),
            vec![vec!["la", "signora", "è", "musulmana"], vec!["mangia"]]
        );
    }

    #[test]
    fn marks_proper_names_inside_a_clause() {
        let c = clauses("Bianca vive con la signora Bianca");
        assert!(!c[0][0].capital);
        assert!(c[0][5].capital);
    }
}
