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

/// Whether `text` says nothing a reader can see: empty, white space, control characters, or invisible
/// formatting characters (zero-width spaces and joiners, direction marks, the byte-order mark, soft hyphens).
/// A reason or a name made of those is no reason or name.
#[must_use]
pub fn is_blank(text: &str) -> bool {
    text.chars().all(|c| {
        c.is_whitespace()
            || c.is_control()
            || matches!(
                c,
                '\u{00AD}'
                    | '\u{034F}'
                    | '\u{061C}'
                    | '\u{115F}'
                    | '\u{1160}'
                    | '\u{17B4}'
                    | '\u{17B5}'
                    | '\u{180B}'..='\u{180F}'
                    | '\u{200B}'..='\u{200F}'
                    | '\u{202A}'..='\u{202E}'
                    | '\u{2060}'..='\u{206F}'
                    | '\u{3164}'
                    | '\u{FE00}'..='\u{FE0F}'
                    | '\u{FEFF}'
                    | '\u{FFA0}'
                    | '\u{E0000}'..='\u{E007F}'
            )
    })
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

#[cfg(test)]
mod tests {
    use super::is_blank;

    #[test]
    fn invisible_text_is_blank_and_visible_text_is_not() {
        for blank in [
            "",
            "  ",
            "\u{200B}",
            "\u{FEFF}\u{2060} \u{00AD}",
            "\t\u{1}",
            "\u{3164}",
        ] {
            assert!(is_blank(blank), "{blank:?}");
        }
        for text in ["ok", " a ", "\u{200B}x", "é"] {
            assert!(!is_blank(text), "{text:?}");
        }
    }
}
