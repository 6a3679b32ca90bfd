//! A text in every language the tool speaks.

use serde::Serialize;

use super::Lang;

/// A text in every language the tool speaks.
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
}
