//! The corpus test: every labelled phrasing of `fixtures/guard/corpus.tsv` through the
//! guard, with precision, recall, per-ground recall and speed printed, and the issue's
//! bar held (no innocent phrasing refused, at least 97% of the others refused with the
//! right ground).

use std::collections::BTreeMap;
use std::time::Instant;

use super::{find_criterion, Ground};

const CORPUS: &str = include_str!("../../../fixtures/guard/corpus.tsv");

/// Each phrasing with its label: `None` for an innocent one (`ok`).
fn corpus() -> Vec<(Option<Ground>, &'static str)> {
    CORPUS
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (label, text) = l
                .split_once('\t')
                .unwrap_or_else(|| panic!("no tab: {l:?}"));
            let ground = match label {
                "ok" => None,
                name => Some(Ground::from_name(name).unwrap_or_else(|| panic!("label {name:?}"))),
            };
            (ground, text)
        })
        .collect()
}

#[test]
fn corpus_precision_and_recall() {
    let corpus = corpus();
    let innocent = corpus.iter().filter(|(g, _)| g.is_none()).count();
    let discriminatory = corpus.len() - innocent;
    let mut wrongly_refused = Vec::new();
    let mut missed = Vec::new();
    let mut wrong_ground = Vec::new();
    let mut per_ground: BTreeMap<Ground, (usize, usize)> = BTreeMap::new();
    for (label, text) in &corpus {
        let found = find_criterion(text);
        match (label, &found) {
            (None, Some(f)) => {
                wrongly_refused.push(format!("{text:?} → {:?} {:?}", f.ground, f.words))
            }
            (None, None) => {}
            (Some(g), None) => {
                per_ground.entry(*g).or_default().0 += 1;
                missed.push(format!("{g:?}: {text:?}"));
            }
            (Some(g), Some(f)) => {
                let e = per_ground.entry(*g).or_default();
                e.0 += 1;
                e.1 += 1;
                if f.ground != *g {
                    wrong_ground.push(format!("{g:?}: {text:?} → {:?} {:?}", f.ground, f.words));
                }
            }
        }
    }
    let refused = discriminatory - missed.len();
    let right = refused - wrong_ground.len();
    let precision = refused as f64 / (refused + wrongly_refused.len()) as f64;
    let recall = refused as f64 / discriminatory as f64;
    // Speed: the whole corpus, a few times over, once the lexicon is built.
    let rounds = 20;
    let t = Instant::now();
    for _ in 0..rounds {
        for (_, text) in &corpus {
            std::hint::black_box(find_criterion(text));
        }
    }
    let micros = t.elapsed().as_secs_f64() * 1e6 / (rounds * corpus.len()) as f64;
    println!(
        "guard corpus: {} phrasings ({discriminatory} discriminatory, {innocent} innocent)",
        corpus.len()
    );
    println!("precision {:.1}%, recall {:.1}% ({refused}/{discriminatory}), right ground {right}/{discriminatory}", precision * 100.0, recall * 100.0);
    println!("innocent refused: {}", wrongly_refused.len());
    for (g, (n, r)) in &per_ground {
        println!("  {:<20} {r}/{n}", g.name());
    }
    println!("{micros:.1} µs per phrasing");
    for m in &missed {
        println!("MISSED {m}");
    }
    for w in &wrong_ground {
        println!("WRONG GROUND {w}");
    }
    for w in &wrongly_refused {
        println!("WRONGLY REFUSED {w}");
    }
    assert!(innocent >= 150 && discriminatory >= 250, "corpus too small");
    for g in Ground::ALL {
        assert!(
            per_ground.get(&g).is_some_and(|(n, _)| *n >= 8),
            "too few for {g:?}"
        );
    }
    assert!(wrongly_refused.is_empty(), "innocent phrasings refused");
    assert!(recall >= 0.97, "recall {recall}");
    assert!(
        right as f64 >= 0.97 * discriminatory as f64,
        "right ground {right}/{discriminatory}"
    );
}

#[test]
fn any_fragment_of_the_corpus_is_read_without_panic() {
    // Every prefix and every suffix of every phrasing, by words: the guard sees
    // half-typed and odd text on every write and must answer, not panic.
    let mut read = 0;
    for (_, text) in corpus() {
        let words: Vec<&str> = text.split(' ').collect();
        for k in 0..=words.len() {
            find_criterion(&words[..k].join(" "));
            find_criterion(&words[k..].join(" "));
            read += 2;
        }
    }
    for odd in [
        "",
        " ",
        "di",
        "Destra",
        "in",
        "salute",
        "dolce attesa",
        "40",
        "tra 30 e",
        "'",
        "e'",
        "---",
        "1 2 3 4 5",
        "ŠŠŠ",
        "a b c d e f",
    ] {
        find_criterion(odd);
        read += 1;
    }
    assert!(read > 2000, "{read}");
}
