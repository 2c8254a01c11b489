//! Text normalisation shared by the index, the guard and name matching: case and accent
//! folding, and the Italian analyser (lowercase, ASCII folding, stop words, stemmer).

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer, Token,
};

/// Name under which the analyser is registered in the tantivy index.
pub const ITALIAN: &str = "it_stem";

/// The analyser for notes and descriptions. Stop words go first so that "della" does
/// not count as shared vocabulary between a request and a card.
///
/// Built once per process and cloned: building it (stop-word set, stemmer) costs far
/// more than a clone, and scoring asks for one per request.
pub fn italian_analyzer() -> TextAnalyzer {
    static PROTOTYPE: std::sync::OnceLock<TextAnalyzer> = std::sync::OnceLock::new();
    PROTOTYPE.get_or_init(build_italian_analyzer).clone()
}

fn build_italian_analyzer() -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .dynamic();
    let builder = match StopWordFilter::new(Language::Italian) {
        Some(stop) => builder.filter_dynamic(stop),
        None => builder,
    };
    builder
        .filter_dynamic(Stemmer::new(Language::Italian))
        .build()
}

/// The stems of `text` paired with the first word that produced each, in order of
/// appearance, without repeats.
pub fn stems(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        add_stem(&mut out, text, token);
    }
    out
}

/// Adds to `stems` (as `stems` gives them) a token of `text` whose stem is new.
pub fn add_stem(stems: &mut Vec<(String, String)>, text: &str, token: &Token) {
    if stems.iter().any(|(s, _)| *s == token.text) {
        return;
    }
    let word = text
        .get(token.offset_from..token.offset_to)
        .unwrap_or(&token.text)
        .to_lowercase();
    stems.push((token.text.clone(), word));
}

/// Lowercase with Italian and common Central-European accents removed: what a person
/// would consider "the same letters".
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        let folded = match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' | 'ă' | 'ą' => 'a',
            'è' | 'é' | 'ê' | 'ë' | 'ę' | 'ě' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'ő' => 'o',
            'ù' | 'ú' | 'û' | 'ü' | 'ů' | 'ű' => 'u',
            'ç' | 'ć' | 'č' => 'c',
            'ș' | 'ş' | 'ś' | 'š' => 's',
            'ț' | 'ţ' => 't',
            'ñ' | 'ń' | 'ň' => 'n',
            'ł' => 'l',
            'ž' | 'ź' | 'ż' => 'z',
            'ř' => 'r',
            'ý' | 'ÿ' => 'y',
            'ď' => 'd',
            '’' | '‘' | '`' => '\'',
            other => other,
        };
        out.push(folded);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_and_case() {
        assert_eq!(fold("Società PERÙ Ștefan"), "societa peru stefan");
    }

    #[test]
    fn italian_stems_conflate_inflections() {
        let mut a = italian_analyzer();
        let one: Vec<_> = stems(&mut a, "Signora anziana")
            .into_iter()
            .map(|s| s.0)
            .collect();
        let two: Vec<_> = stems(&mut a, "assistenza agli anziani")
            .into_iter()
            .map(|s| s.0)
            .collect();
        assert!(one.iter().any(|s| two.contains(s)), "{one:?} vs {two:?}");
        // Stop words never count as content.
        assert!(stems(&mut a, "della con per").is_empty());
    }
}
