//! Spellchecking ("To spellcheck your answer…"): a pure checker from text to misspelled
//! words with their positions and up to [`MAX_SUGGESTIONS`] suggestions each, over the
//! embedded en_US Hunspell dictionary ([`dictionary`]) plus the desk's own words
//! (`spelling.words` in desk.yaml). Which parts of a text count as prose is decided in
//! [`words`]; [`apply`] puts chosen corrections back into the text.
//!
//! The desk's words are matched without regard to case (`wordpress` passes when the list
//! has `WordPress`), also with a possessive `'s`, and are offered first as suggestions when
//! a misspelling is close to one of them.

pub mod dictionary;
pub mod words;

use std::collections::{HashMap, HashSet};

use serde::Serialize;

pub use words::Word;

/// Suggestions kept per misspelled word.
pub const MAX_SUGGESTIONS: usize = 5;

/// A word the dictionary does not know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Misspelling {
    pub word: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Byte offset in the text checked.
    #[serde(skip)]
    pub offset: usize,
    /// Best first; at most [`MAX_SUGGESTIONS`]; may be empty.
    pub suggestions: Vec<String>,
}

/// Checks `text` against the dictionary and `extra_words`.
pub fn check(text: &str, extra_words: &[String]) -> Vec<Misspelling> {
    Speller::new(extra_words).check(text)
}

/// A checker holding the desk's words and a cache of suggestions (a word misspelled twice
/// is looked up once).
pub struct Speller {
    extra: HashSet<String>,
    extra_list: Vec<String>,
    suggestions: HashMap<String, Vec<String>>,
}

impl Speller {
    pub fn new(extra_words: &[String]) -> Speller {
        let extra_list: Vec<String> = extra_words
            .iter()
            .map(|w| w.trim().to_owned())
            .filter(|w| !w.is_empty())
            .collect();
        Speller {
            extra: extra_list.iter().map(|w| fold(w)).collect(),
            extra_list,
            suggestions: HashMap::new(),
        }
    }

    pub fn check(&mut self, text: &str) -> Vec<Misspelling> {
        let mut out = Vec::new();
        for w in words::words(text) {
            for (part, byte, chars) in self.unknown_parts(w.text) {
                out.push(Misspelling {
                    word: part.to_owned(),
                    line: w.line,
                    column: w.column + chars,
                    offset: w.offset + byte,
                    suggestions: self.suggest(part),
                });
            }
        }
        out
    }

    /// Whether `word` passes: a desk word, or known to the dictionary.
    pub fn knows(&self, word: &str) -> bool {
        let folded = fold(word);
        let bare = folded
            .strip_suffix("'s")
            .filter(|b| !b.is_empty())
            .unwrap_or(&folded);
        self.extra.contains(&folded)
            || self.extra.contains(bare)
            || dictionary::dictionary().check(&normalize(word))
    }

    /// The parts of `word` that fail, with their byte and character offsets in it: the word
    /// itself, or for a hyphenated word that fails as a whole, each failing part.
    fn unknown_parts<'w>(&self, word: &'w str) -> Vec<(&'w str, usize, usize)> {
        if self.knows(word) {
            return vec![];
        }
        if !word.contains('-') {
            return vec![(word, 0, 0)];
        }
        let mut out = Vec::new();
        let mut byte = 0;
        let mut chars = 0;
        for part in word.split('-') {
            if words::worth_checking(part) && !self.knows(part) {
                out.push((part, byte, chars));
            }
            byte += part.len() + 1;
            chars += part.chars().count() + 1;
        }
        out
    }

    /// Up to [`MAX_SUGGESTIONS`]: close desk words first, then the dictionary's.
    pub fn suggest(&mut self, word: &str) -> Vec<String> {
        if let Some(s) = self.suggestions.get(word) {
            return s.clone();
        }
        let folded = fold(word);
        let mut out: Vec<String> = self
            .extra_list
            .iter()
            .filter(|w| close(&folded, &fold(w)))
            .cloned()
            .collect();
        for s in dictionary_suggestions(&normalize(word)) {
            if !out.contains(&s) {
                out.push(s);
            }
        }
        out.truncate(MAX_SUGGESTIONS);
        self.suggestions.insert(word.to_owned(), out.clone());
        out
    }
}

/// The dictionary's suggestions. For a capitalised word (`Teh`, at the start of a sentence)
/// those of its lower-case form come first, capitalised: spellbook ranks capitalised
/// dictionary entries first for it (`Eh`, `Th`, … before `The`).
fn dictionary_suggestions(word: &str) -> Vec<String> {
    let dict = dictionary::dictionary();
    let mut out = Vec::new();
    let mut chars = word.chars();
    let title_case = chars.next().is_some_and(char::is_uppercase)
        && chars.clone().count() > 0
        && chars.all(|c| !c.is_uppercase());
    if title_case {
        let mut lower = Vec::new();
        dict.suggest(&word.to_lowercase(), &mut lower);
        out.extend(lower.iter().map(|s| capitalise(s)));
    }
    let mut own = Vec::new();
    dict.suggest(word, &mut own);
    for s in own {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Curly apostrophes are written as straight ones for the dictionary.
fn normalize(word: &str) -> String {
    word.replace('’', "'")
}

fn fold(word: &str) -> String {
    normalize(word).to_lowercase()
}

/// Within a small edit distance (1 for short words, 2 from 5 characters).
fn close(a: &str, b: &str) -> bool {
    let limit = if a.chars().count() >= 5 { 2 } else { 1 };
    a != b && edit_distance(a, b) <= limit
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of
/// neighbours.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

/// A correction: replace the misspelled word at `offset` (its length in bytes is
/// `len`) with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub offset: usize,
    pub len: usize,
    pub replacement: String,
}

impl Fix {
    pub fn of(m: &Misspelling, replacement: impl Into<String>) -> Fix {
        Fix {
            offset: m.offset,
            len: m.word.len(),
            replacement: replacement.into(),
        }
    }
}

/// `text` with the fixes applied. Fixes that overlap one already applied, or that do not
/// fit the text, are ignored.
pub fn apply(text: &str, fixes: &[Fix]) -> String {
    let mut fixes: Vec<&Fix> = fixes.iter().collect();
    fixes.sort_by_key(|f| std::cmp::Reverse(f.offset));
    let mut out = text.to_owned();
    let mut limit = text.len();
    for f in fixes {
        let end = f.offset + f.len;
        if end > limit || !out.is_char_boundary(f.offset) || !out.is_char_boundary(end) {
            continue;
        }
        out.replace_range(f.offset..end, &f.replacement);
        limit = f.offset;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_misspellings_get_the_right_suggestion_first() {
        let found = check(
            "We will recieve it tomorow.\nThanks for you're pateince",
            &[],
        );
        let got: Vec<(&str, usize, usize, &str)> = found
            .iter()
            .map(|m| (m.word.as_str(), m.line, m.column, m.suggestions[0].as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("recieve", 1, 9, "receive"),
                ("tomorow", 1, 20, "tomorrow"),
                ("pateince", 2, 19, "patience")
            ]
        );
        assert!(found.iter().all(|m| m.suggestions.len() <= MAX_SUGGESTIONS));
    }

    #[test]
    fn a_capitalised_misspelling_gets_capitalised_suggestions() {
        let found = check("Teh end. Recieve it.", &[]);
        assert_eq!(found[0].suggestions[0], "The");
        assert_eq!(found[1].suggestions[0], "Receive");
    }

    #[test]
    fn desk_words_pass_and_are_suggested() {
        let words = vec!["WordPress".to_owned(), "H-Sphere".to_owned()];
        assert!(check(
            "Update wordpress and WordPress's plugins on H-Sphere.",
            &words
        )
        .is_empty());
        let found = check("Update Wordpres now", &words);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].suggestions[0], "WordPress");
    }

    #[test]
    fn a_hyphenated_word_reports_its_bad_part() {
        let found = check("a well-konwn fix", &[]);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].word.as_str(), found[0].column), ("konwn", 8));
    }

    #[test]
    fn fixes_apply_from_the_end() {
        let text = "I recieve, you recieve.";
        let found = check(text, &[]);
        let fixes: Vec<Fix> = found.iter().map(|m| Fix::of(m, "receive")).collect();
        assert_eq!(apply(text, &fixes), "I receive, you receive.");
        assert_eq!(edit_distance("recieve", "receive"), 1);
    }
}
