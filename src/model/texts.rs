//! A text in every language the tool speaks.

use serde::Serialize;

use super::Lang;

/// A text in every language the tool speaks: pack data (read from the rule pack's `title.en`, `title.fr`…), or a
/// catalogue message rendered in each language ([`super::i18n::Message::texts`]). With the catalogue files, the
/// one place that lists the languages: a new language is a field here and in the pack's raw texts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Texts {
    pub en: String,
    pub fr: String,
}

impl Texts {
    #[must_use]
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Fr => &self.fr,
        }
    }

    /// The text of each language, as `text` writes it.
    pub fn from_fn(text: impl Fn(Lang) -> String) -> Texts {
        Texts {
            en: text(Lang::En),
            fr: text(Lang::Fr),
        }
    }
}
