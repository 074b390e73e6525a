//! The embedded en_US Hunspell dictionary (SCOWL, see `dict/README.md` and
//! `THIRD_PARTY/hunspell-en-us.copyright`), parsed by spellbook the first time a check
//! needs it and then shared for the rest of the run. Only spelling commands pay for the
//! parse; every other command never touches it.

use std::sync::OnceLock;

use spellbook::Dictionary;

const AFF: &str = include_str!("../../dict/en_US.aff");
const DIC: &str = include_str!("../../dict/en_US.dic");

/// The language the embedded dictionary is for (`spelling.language` in desk.yaml).
pub const LANGUAGE: &str = "en_US";

static DICTIONARY: OnceLock<Dictionary> = OnceLock::new();

/// The dictionary, parsed on first use.
pub fn dictionary() -> &'static Dictionary {
    DICTIONARY.get_or_init(|| {
        Dictionary::new(AFF, DIC).expect("the embedded en_US dictionary parses (tested)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_dictionary_knows_and_suggests() {
        let d = dictionary();
        assert!(d.check("receive"));
        assert!(d.check("Receive"));
        assert!(d.check("doesn't"));
        assert!(!d.check("recieve"));
        let mut out = Vec::new();
        d.suggest("recieve", &mut out);
        assert_eq!(out.first().map(String::as_str), Some("receive"), "{out:?}");
    }
}
