//! Free-text relevance between a request's notes and a card's: Okapi BM25 (k1 = 1.2,
//! b = 0.75, tantivy's formula) over the Italian analyser's stems, with term statistics
//! kept in memory next to the matching table. Scoring reads it for every candidate, so
//! a document is a few packed integers and a query a handful of weights.
//!
//! The share reported to scoring is absolute — BM25 divided by what a card of average
//! length containing every query term once would score — so a pair scores the same
//! whoever else is in the store.

use std::collections::HashMap;

use tantivy::tokenizer::{TextAnalyzer, Token};

use crate::text;

const K1: f32 = 1.2;
const B: f32 = 0.75;
/// Notes longer than this many stems are cut: enough for any real note.
const MAX_TERMS: usize = 64;

/// A card's or request's notes: stem hashes with their frequency packed in the low 4 bits,
/// sorted, plus the number of tokens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocTerms {
    terms: Box<[u32]>,
    len: u16,
}

/// Bloom bits of a signature (`DocTerms::signature`); the 4 bits above hold the highest
/// term frequency. With a note's 10–20 stems, 60 bits leave most of a query's stems
/// unset in a card that lacks them, which is what keeps the bound tight.
const SIG_BITS: u32 = 60;

fn sig_bit(h: u32) -> u32 {
    (h >> 4) % SIG_BITS
}

fn signature(terms: &[u32]) -> u64 {
    terms.iter().fold(0, |sig, &t| {
        let tf = (sig >> SIG_BITS).max(u64::from(t & 0xF));
        (sig & ((1 << SIG_BITS) - 1)) | 1 << sig_bit(t & !0xF) | tf << SIG_BITS
    })
}

fn hash(stem: &str) -> u32 {
    // FNV-1a: stable across builds and platforms, so stored hashes stay valid.
    let mut h: u32 = 0x811c_9dc5;
    for b in stem.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h & !0xF
}

impl DocTerms {
    pub fn of(analyzer: &mut TextAnalyzer, notes: &str) -> DocTerms {
        DocTerms::seeing(analyzer, notes, |_| ())
    }

    /// `of`, and the notes' stems with the words they come from (`text::stems`), from
    /// one pass of the analyser: a request's notes are both its query and the words its
    /// reasons quote.
    pub fn with_stems(
        analyzer: &mut TextAnalyzer,
        notes: &str,
    ) -> (DocTerms, Vec<(String, String)>) {
        let mut stems = Vec::new();
        let terms = DocTerms::seeing(analyzer, notes, |tok| {
            text::add_stem(&mut stems, notes, tok)
        });
        (terms, stems)
    }

    /// `of`, showing each token to `see` on the way.
    fn seeing(analyzer: &mut TextAnalyzer, notes: &str, mut see: impl FnMut(&Token)) -> DocTerms {
        let mut counts: HashMap<u32, u32> = HashMap::new();
        let mut len = 0u32;
        let mut stream = analyzer.token_stream(notes);
        while let Some(tok) = stream.next() {
            len += 1;
            *counts.entry(hash(&tok.text)).or_default() += 1;
            see(tok);
        }
        let mut terms: Vec<u32> = counts.into_iter().map(|(h, tf)| h | tf.min(15)).collect();
        terms.sort_unstable();
        terms.truncate(MAX_TERMS);
        DocTerms::from_raw(terms, len.min(u32::from(u16::MAX)) as u16)
    }

    fn hashes(&self) -> impl Iterator<Item = u32> + '_ {
        self.terms.iter().map(|t| t & !0xF)
    }

    /// Where the stems are held, for a prefetch hint: scoring a card reads them, and they
    /// live on the heap apart from the table's rows.
    pub fn stems_at(&self) -> *const u8 {
        self.terms.as_ptr().cast()
    }

    /// Whether the stem occurs in these notes.
    pub fn contains_stem(&self, stem: &str) -> bool {
        let h = hash(stem);
        self.terms.binary_search_by(|t| (t & !0xF).cmp(&h)).is_ok()
    }

    /// A one-hash Bloom filter of the stems with the highest term frequency, and the
    /// number of tokens: all `TextQuery::share_bound_of` needs, small enough for the
    /// table's hot column (`rank/bound.rs`), which keeps it.
    pub fn signature(&self) -> (u64, u16) {
        (signature(&self.terms), self.len)
    }

    /// Heap bytes, for the memory report.
    pub fn heap_bytes(&self) -> usize {
        self.terms.len() * 4
    }

    /// Packed form for the table snapshot.
    pub fn raw(&self) -> (&[u32], u16) {
        (&self.terms, self.len)
    }

    pub fn from_raw(terms: Vec<u32>, len: u16) -> DocTerms {
        DocTerms {
            terms: terms.into_boxed_slice(),
            len,
        }
    }
}

/// Document frequencies and lengths of one corpus.
#[derive(Debug, Default, Clone)]
pub struct TermStats {
    df: HashMap<u32, u32>,
    docs: u64,
    total_len: u64,
}

impl TermStats {
    /// (term hash, document frequency) pairs, documents and total length: for snapshots.
    pub fn parts(&self) -> (Vec<(u32, u32)>, u64, u64) {
        (
            self.df.iter().map(|(h, n)| (*h, *n)).collect(),
            self.docs,
            self.total_len,
        )
    }

    pub fn from_parts(df: Vec<(u32, u32)>, docs: u64, total_len: u64) -> TermStats {
        TermStats {
            df: df.into_iter().collect(),
            docs,
            total_len,
        }
    }

    pub fn add(&mut self, d: &DocTerms) {
        for h in d.hashes() {
            *self.df.entry(h).or_default() += 1;
        }
        self.docs += 1;
        self.total_len += u64::from(d.len);
    }

    pub fn remove(&mut self, d: &DocTerms) {
        for h in d.hashes() {
            if let Some(n) = self.df.get_mut(&h) {
                *n -= 1;
                if *n == 0 {
                    self.df.remove(&h);
                }
            }
        }
        self.docs = self.docs.saturating_sub(1);
        self.total_len = self.total_len.saturating_sub(u64::from(d.len));
    }

    fn idf(&self, h: u32) -> f32 {
        let n = self.df.get(&h).copied().unwrap_or(0) as f32;
        let docs = self.docs as f32;
        (1.0 + (docs - n + 0.5) / (n + 0.5)).ln()
    }

    fn avg_len(&self) -> f32 {
        if self.docs == 0 {
            1.0
        } else {
            (self.total_len as f32 / self.docs as f32).max(1.0)
        }
    }

    /// Prepares a query from the other side's notes.
    pub fn query(&self, d: &DocTerms) -> TextQuery {
        let terms: Vec<(u32, f32)> = d.hashes().map(|h| (h, self.idf(h))).collect();
        let best: f32 = terms.iter().map(|t| t.1).sum();
        let mut by_bit = [0.0; SIG_BITS as usize];
        for &(h, idf) in &terms {
            by_bit[sig_bit(h) as usize] += idf;
        }
        let avg_len = self.avg_len();
        TextQuery {
            mask: terms.iter().fold(0, |m, &(h, _)| m | 1 << sig_bit(h)),
            by_bit,
            terms,
            best,
            avg_len,
            norm_per_len: K1 * B / avg_len,
            bound_scale: (K1 + 1.0) / best * (1.0 + 1e-4),
        }
    }
}

/// A query: stem hashes (sorted) with their IDF, and the normalising score.
#[derive(Debug, Clone)]
pub struct TextQuery {
    terms: Vec<(u32, f32)>,
    best: f32,
    avg_len: f32,
    /// The signature bits of the query's stems, and the IDF summed per bit.
    mask: u64,
    by_bit: [f32; SIG_BITS as usize],
    /// `share_bound_of`'s constants: `K1 · B / avg_len`, `(K1 + 1) / best` with the margin.
    norm_per_len: f32,
    bound_scale: f32,
}

impl TextQuery {
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty() || self.best <= 0.0
    }

    /// BM25 of `d` as a share (0–1) of a full match.
    pub fn share(&self, d: &DocTerms) -> f64 {
        if self.is_empty() || d.terms.is_empty() {
            return 0.0;
        }
        let norm = K1 * (1.0 - B + B * f32::from(d.len) / self.avg_len);
        let (mut i, mut j, mut score) = (0, 0, 0.0f32);
        // Both sides are sorted by hash: one merge pass.
        while i < self.terms.len() && j < d.terms.len() {
            let (qh, idf) = self.terms[i];
            let dh = d.terms[j] & !0xF;
            match qh.cmp(&dh) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    let tf = (d.terms[j] & 0xF) as f32;
                    score += idf * tf * (K1 + 1.0) / (tf + norm);
                    i += 1;
                    j += 1;
                }
            }
        }
        f64::from((score / self.best).min(1.0))
    }

    /// An upper bound on `share(d)` from `d`'s signature and length alone: every query
    /// stem whose bit the notes have counts as present at the notes' highest frequency.
    /// (The scan reads the signature from the table's hot column: `share_bound_of`.)
    #[cfg(test)]
    pub fn share_bound(&self, d: &DocTerms) -> f64 {
        let (sig, len) = d.signature();
        self.share_bound_of(sig, len)
    }

    /// `share_bound` from a card's signature and length (`DocTerms::signature`).
    #[inline]
    pub fn share_bound_of(&self, sig: u64, len: u16) -> f64 {
        let mut hits = sig & self.mask;
        if hits == 0 || self.is_empty() {
            return 0.0;
        }
        let mut idf = 0.0f32;
        while hits != 0 {
            idf += self.by_bit[hits.trailing_zeros() as usize];
            hits &= hits - 1;
        }
        let tf = (sig >> SIG_BITS) as f32;
        // `share`'s terms with its constants folded, so a row costs one division (a scan
        // bounds thousands): the same value to a few ulps, which the relative margin
        // (there for f32 sums taken in another order than `share`'s) covers.
        let norm = K1 * (1.0 - B) + f32::from(len) * self.norm_per_len;
        let bound = idf * tf * self.bound_scale / (tf + norm);
        f64::from(bound.min(1.0))
    }
}

/// The analyser-backed helper both sides use.
#[cfg(test)]
pub fn doc_terms(notes: &str) -> DocTerms {
    DocTerms::of(&mut text::italian_analyzer(), notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_pass_gives_the_terms_and_the_stems_of_two() {
        let notes = "Assistenza ad anziani, anziano con demenza; cucina e cucinare. Patente B";
        let mut a = text::italian_analyzer();
        let (terms, stems) = DocTerms::with_stems(&mut a, notes);
        assert_eq!(terms, DocTerms::of(&mut a, notes));
        assert_eq!(stems, text::stems(&mut a, notes));
        assert!(stems.len() >= 5 && stems.len() < terms.len as usize);
    }

    fn corpus(notes: &[&str]) -> (TermStats, Vec<DocTerms>) {
        let docs: Vec<DocTerms> = notes.iter().map(|n| doc_terms(n)).collect();
        let mut s = TermStats::default();
        for d in &docs {
            s.add(d);
        }
        (s, docs)
    }

    #[test]
    fn stems_match_across_inflections_and_rare_words_weigh_more() {
        let (stats, docs) = corpus(&[
            "Esperienza con malati di Alzheimer, cucina toscana.",
            "Pulizie, stiro e cucina.",
            "Assistenza notturna in ospedale.",
            "Cucina e pulizie di casa.",
        ]);
        let q = stats.query(&doc_terms("Signora con Alzheimer, serve aiuto in cucina"));
        let alz = q.share(&docs[0]);
        let cook = q.share(&docs[1]);
        assert!(alz > cook && cook > 0.0, "{alz} {cook}");
        assert_eq!(q.share(&docs[2]), 0.0);
        assert!((0.0..=1.0).contains(&alz));
    }

    #[test]
    fn removing_a_document_restores_the_statistics() {
        let (mut stats, docs) = corpus(&["cucina toscana", "stiro"]);
        let before = stats.query(&doc_terms("cucina")).share(&docs[0]);
        let extra = doc_terms("cucina e pulizie");
        stats.add(&extra);
        stats.remove(&extra);
        assert_eq!(stats.query(&doc_terms("cucina")).share(&docs[0]), before);
    }

    proptest::proptest! {
        /// The signature's bound is never below the share, whatever the notes.
        #[test]
        fn the_signature_bounds_the_share(
            docs in proptest::collection::vec(proptest::collection::vec(0usize..40, 0..20), 1..8),
            query in proptest::collection::vec(0usize..40, 0..12),
        ) {
            let words = |ids: &[usize]| ids.iter().map(|i| format!("parola{i}x")).collect::<Vec<_>>().join(" ");
            let texts: Vec<String> = docs.iter().map(|d| words(d)).collect();
            let (stats, docs) = corpus(&texts.iter().map(String::as_str).collect::<Vec<_>>());
            let q = stats.query(&doc_terms(&words(&query)));
            for d in &docs {
                proptest::prop_assert!(q.share(d) <= q.share_bound(d), "{} > {}", q.share(d), q.share_bound(d));
            }
        }
    }

    #[test]
    fn a_signature_that_misses_every_query_stem_bounds_at_zero() {
        let (stats, docs) = corpus(&["cucina toscana", "stiro"]);
        let q = stats.query(&doc_terms("cucina"));
        assert!(q.share_bound(&docs[0]) >= q.share(&docs[0]));
        assert!(q.share(&docs[0]) > 0.0);
        let d = DocTerms::from_raw(docs[0].raw().0.to_vec(), docs[0].raw().1);
        assert_eq!(d, docs[0], "the signature comes back with the terms");
        assert_eq!(q.share_bound(&DocTerms::default()), 0.0);
        let (sig, len) = docs[0].signature();
        assert_eq!(q.share_bound_of(sig, len), q.share_bound(&docs[0]));
        assert_eq!(len, 2, "two tokens");
        // The signature sits in what was padding.
        assert!(std::mem::size_of::<DocTerms>() <= 24);
    }

    #[test]
    fn empty_notes_score_nothing() {
        let (stats, docs) = corpus(&["cucina"]);
        assert_eq!(stats.query(&doc_terms("")).share(&docs[0]), 0.0);
        assert_eq!(
            stats
                .query(&doc_terms("cucina"))
                .share(&DocTerms::default()),
            0.0
        );
    }
}
