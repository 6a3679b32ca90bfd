//! Message catalogs for reports: `reports/i18n/{en,fr}.toml`, embedded.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use crate::model::Lang;

const EN: &str = include_str!("../../reports/i18n/en.toml");
const FR: &str = include_str!("../../reports/i18n/fr.toml");

static CATALOGS: LazyLock<(BTreeMap<String, String>, BTreeMap<String, String>)> =
    LazyLock::new(|| (parse(EN), parse(FR)));

fn parse(text: &str) -> BTreeMap<String, String> {
    // The catalogs are compiled in and covered by tests: a broken one is a build defect, shown as empty strings.
    toml::from_str(text).unwrap_or_default()
}

/// The catalog of a language: key → text.
#[must_use]
pub fn catalog(lang: Lang) -> &'static BTreeMap<String, String> {
    match lang {
        Lang::En => &CATALOGS.0,
        Lang::Fr => &CATALOGS.1,
    }
}

/// The text for `key`; the key itself when missing (never for the shipped catalogs, which a test keeps complete).
#[must_use]
pub fn t(lang: Lang, key: &str) -> &'static str {
    catalog(lang)
        .get(key)
        .map_or_else(|| missing(key), String::as_str)
}

fn missing(key: &str) -> &'static str {
    // Leaking a handful of short keys, only on a defect, keeps the signature simple.
    Box::leak(key.to_owned().into_boxed_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogs_parse_and_have_the_same_keys() {
        let en = parse(EN);
        let fr = parse(FR);
        assert!(en.len() > 20, "the English catalog does not parse");
        let en_keys: Vec<_> = en.keys().collect();
        let fr_keys: Vec<_> = fr.keys().collect();
        assert_eq!(en_keys, fr_keys, "keys differ between en.toml and fr.toml");
        for (key, text) in &en {
            assert!(!text.trim().is_empty(), "en.{key} is empty");
            assert!(!fr[key].trim().is_empty(), "fr.{key} is empty");
        }
    }
}
