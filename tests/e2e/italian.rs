//! Italian everywhere a person reads: signed in as each demo role, every page reachable
//! from the menu and a sample of record pages, checked for what only a program should
//! see — vocabulary codes (`live_in`, `eu_citizen`, `it B2`, `UA`), English factor names,
//! ISO dates and decimals with a point. Inputs' values and attributes are not text.

use crate::util::Server;
use crate::web::{get, sign_in};
use crate::{ADMIN, COORD, DESK, PUNTO, ROSSI};

/// Codes of the vocabularies a page could leak (those without an underscore are
/// checked only where they cannot be Italian words).
const CODES: &[&str] = &[
    "live_in",
    "eu_citizen",
    "long_term",
    "renewal_pending",
    "proposals_sent",
    "not_hired",
    "night_care",
    "assistenza_notturna",
    "assistenza_ospedaliera",
    "self_sufficient",
    "not_self_sufficient",
    "reduced_mobility",
    "housekeeping",
    "available",
    "inactive",
    "placed",
    "hired",
];
const FACTORS: &[&str] = &[
    "experience",
    "hours",
    "distance",
    "wage",
    "languages",
    "recency",
    "waiting",
];
/// Country codes of the demo cards' nationalities.
const COUNTRIES: &[&str] = &[
    "UA", "RO", "MD", "PE", "MA", "AL", "PH", "GE", "SN", "NG", "LK", "BD", "EC", "TN", "EG", "PK",
    "CN", "UZ", "BG", "PL", "RU", "BR", "CO",
];
const LANGUAGE_CODES: &[&str] = &[
    "it", "ro", "uk", "ru", "sq", "ar", "fr", "en", "es", "pt", "pl", "bg", "tl", "zh", "ka", "wo",
    "bm", "ig", "uz", "tr", "de", "bn",
];

/// What a person reads on the page: tags and their attributes removed, textarea
/// contents (typed values) left out, entities decoded.
pub(crate) fn visible_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        out.push(' ');
        let tail = &rest[lt..];
        let gt = tail.find('>').map_or(tail.len(), |i| i + 1);
        let tag = &tail[..gt];
        rest = &tail[gt..];
        if tag.starts_with("<textarea") {
            rest = rest
                .find("</textarea>")
                .map_or("", |i| &rest[i + "</textarea>".len()..]);
        }
    }
    out.push_str(rest);
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '.'))
        .map(|w| w.trim_end_matches('.'))
        .filter(|w| !w.is_empty())
        .collect()
}

fn is_iso_date(w: &str) -> bool {
    let b = w.as_bytes();
    b.len() >= 10
        && b[..10].iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

/// `26.3` or `950.5`: a decimal point where Italian writes a comma (`1.100` is a
/// thousands point, allowed).
fn is_point_decimal(w: &str) -> bool {
    match w.split_once('.') {
        Some((int, frac)) => {
            !int.is_empty()
                && int.bytes().all(|c| c.is_ascii_digit())
                && (1..=2).contains(&frac.len())
                && frac.bytes().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

/// Everything wrong with a page's visible text, one line each.
pub(crate) fn not_italian(html: &str) -> Vec<String> {
    let text = visible_text(html);
    let ws = words(&text);
    let mut problems = Vec::new();
    for (i, w) in ws.iter().enumerate() {
        if CODES.contains(w) {
            problems.push(format!("vocabulary code «{w}»"));
        }
        if FACTORS.contains(w) {
            problems.push(format!("English factor name «{w}»"));
        }
        if COUNTRIES.contains(w) {
            problems.push(format!("country code «{w}»"));
        }
        if is_iso_date(w) {
            problems.push(format!("ISO date «{w}»"));
        }
        if is_point_decimal(w) {
            problems.push(format!("decimal point «{w}»"));
        }
        let level = ws.get(i + 1).is_some_and(|n| {
            n.len() == 2
                && matches!(n.as_bytes()[0], b'A' | b'B' | b'C')
                && n.as_bytes()[1].is_ascii_digit()
        });
        if level && LANGUAGE_CODES.contains(w) {
            problems.push(format!("language code «{w} {}»", ws[i + 1]));
        }
    }
    problems.sort();
    problems.dedup();
    problems
}

/// `href="/ui/…"` targets in `html` (GET pages only: no forms, no downloads).
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|h| h.starts_with("/ui/") && !h.starts_with("/ui/static") && !h.contains(".csv"))
        .map(|h| h.replace("&amp;", "&"))
        .collect()
}

fn menu(html: &str) -> Vec<String> {
    let nav = html
        .split("<nav aria-label=\"Menu principale\"")
        .nth(1)
        .and_then(|s| s.split("</nav>").next())
        .unwrap_or("");
    links(nav)
}

#[test]
fn every_page_of_every_role_speaks_italian() {
    let s = Server::demo();
    let mut checked = 0;
    let mut failures = Vec::new();
    for token in [DESK, PUNTO, COORD, ADMIN] {
        let cookie = sign_in(&s, token);
        let home = get(&s, "/ui/", &cookie);
        let home_body = if home.status == 303 {
            let to = home.header("location").unwrap_or("/ui/").to_string();
            get(&s, &to, &cookie).body
        } else {
            home.body
        };
        let mut pages = menu(&home_body);
        assert!(!pages.is_empty(), "{token}: no menu");
        // A sample of record pages: the first cards and requests the lists link to, and
        // the contract's request whose candidates carry reasons and warnings.
        let mut records = Vec::new();
        for list in ["/ui/schede", "/ui/richieste"] {
            if pages.iter().any(|p| p == list) || (list == "/ui/richieste" && token == PUNTO) {
                let body = get(&s, list, &cookie).body;
                records.extend(
                    links(&body)
                        .into_iter()
                        .filter(|l| {
                            let id = l.rsplit('/').next().unwrap_or("");
                            id.len() == 16 && id.bytes().all(|c| c.is_ascii_hexdigit())
                        })
                        .take(4),
                );
            }
        }
        if token == DESK {
            records.push(format!("/ui/richieste/{ROSSI}"));
        }
        pages.extend(records);
        pages.sort();
        pages.dedup();
        for path in pages {
            let r = get(&s, &path, &cookie);
            if r.status != 200 {
                continue;
            }
            checked += 1;
            for p in not_italian(&r.body) {
                failures.push(format!("{token} {path}: {p}"));
            }
        }
    }
    assert!(checked >= 12, "only {checked} pages checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_checker_finds_what_it_looks_for() {
    let bad = "<p>live_in, experience 26.3 it B2 UA 2026-10-18</p><input value=\"2026-10-18\">";
    let found = not_italian(bad);
    assert_eq!(found.len(), 6, "{found:?}");
    let good = "<p>convivente, esperienza 26,3 italiano B2 Ucraina 18/10/2026 1.100,00 €</p>\
                <input name=\"live_in\" value=\"2026-10-18\"><textarea>eu_citizen</textarea>";
    assert_eq!(not_italian(good), Vec::<String>::new());
}
