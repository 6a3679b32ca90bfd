//! The message catalogue: every user-facing string of `snc` in every language, one file per language
//! (`locales/<code>.toml`), embedded.
//!
//! A catalogue holds *labels*, its top-level keys (`vendor`, `status_compliant`…), which templates read as
//! `{{t.vendor}}`, and *messages*, grouped in sections (`[finding] evidence_stale = "…{date}…"`) and named
//! `section.key` (`finding.evidence_stale`). Texts name their arguments: `{date}`, `{id}`.
//!
//! Code looks a label up with [`t`], a vocabulary word's label with [`label`], and builds a message with [`msg!`](crate::msg):
//! a key and its arguments, a [`Message`] value rendered later in a language ([`Message::render`]). Arguments are
//! rendered in that language too: vocabulary words by their label, numbers with the language's decimal separator
//! ([`number`]), pack texts in that language, nested messages; dates stay ISO.
//!
//! Adding a language is adding its catalogue file and its code to `languages!` below: nothing else in the code lists
//! languages (the pack's own texts aside: [`super::Texts`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use std::sync::LazyLock;

use super::{EvidenceKind, Kind, Severity, Status, Texts};

/// Declares the languages: each is a variant of [`Lang`] with its ISO 639-1 code, and the catalogue
/// `locales/<code>.toml`, embedded. The first is the default.
macro_rules! languages {
    ($($variant:ident => $code:literal),+ $(,)?) => {
        crate::model::vocabulary!(
            /// The languages of every user-facing text, each with its catalogue `locales/<code>.toml`.
            Lang { $($variant => $code),+ }
        );

        /// The catalogue file of each language, in the order of [`Lang::ALL`].
        const SOURCES: &[&str] = &[$(include_str!(concat!("../../locales/", $code, ".toml"))),+];

        /// The same catalogues as `build.rs` pre-parsed them (`MessagePack`; empty if one did not parse).
        const PARSED: &[&[u8]] =
            &[$(include_bytes!(concat!(env!("OUT_DIR"), "/locale-", $code, ".msgpack"))),+];
    };
}

languages!(En => "en", Fr => "fr");

impl Lang {
    /// The language asked for by a POSIX locale string such as `fr_FR.UTF-8` (its code starts it); the default
    /// language (the first) otherwise.
    #[must_use]
    pub fn from_locale(locale: Option<&str>) -> Lang {
        locale
            .and_then(|l| {
                Lang::ALL
                    .iter()
                    .copied()
                    .find(|lang| l.starts_with(lang.as_str()))
            })
            .unwrap_or(Lang::ALL[0])
    }

    fn index(self) -> usize {
        Lang::ALL.iter().position(|l| *l == self).unwrap_or(0)
    }
}

/// One language's catalogue.
struct Catalogue {
    /// The top-level keys: the labels templates read.
    labels: BTreeMap<String, String>,
    /// Every text by key: the labels, and the messages as `section.key`.
    texts: HashMap<String, String>,
}

static CATALOGUES: LazyLock<Vec<Catalogue>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .zip(PARSED)
        .zip(Lang::ALL)
        .map(|((source, parsed), lang)| {
            // The catalogues are compiled in and checked by tests: one that does not parse is a build defect.
            rmp_serde::from_slice::<toml::Table>(parsed)
                .map_err(|e| e.to_string())
                .and_then(catalogue_of)
                .or_else(|_| parse(source))
                .unwrap_or_else(|e| panic!("locales/{lang}.toml: {e}"))
        })
        .collect()
});

fn parse(source: &str) -> Result<Catalogue, String> {
    catalogue_of(toml::from_str(source).map_err(|e| e.to_string())?)
}

fn catalogue_of(table: toml::Table) -> Result<Catalogue, String> {
    let mut labels = BTreeMap::new();
    let mut texts = HashMap::new();
    for (key, value) in table {
        match value {
            toml::Value::String(text) => {
                labels.insert(key.clone(), text.clone());
                texts.insert(key, text);
            }
            toml::Value::Table(section) => {
                for (name, value) in section {
                    let toml::Value::String(text) = value else {
                        return Err(format!("`{key}.{name}` is not a string"));
                    };
                    texts.insert(format!("{key}.{name}"), text);
                }
            }
            _ => return Err(format!("`{key}` is neither a string nor a section")),
        }
    }
    Ok(Catalogue { labels, texts })
}

fn catalogue(lang: Lang) -> &'static Catalogue {
    &CATALOGUES[lang.index()]
}

/// The labels of a language (the catalogue's top-level keys), for templates: key → text.
#[must_use]
pub fn catalog(lang: Lang) -> &'static BTreeMap<String, String> {
    &catalogue(lang).labels
}

/// Every key of a language's catalogue with its text, sorted by key: labels as `key`, messages as `section.key`.
#[must_use]
pub fn entries(lang: Lang) -> Vec<(&'static str, &'static str)> {
    let mut all: Vec<(&str, &str)> = catalogue(lang)
        .texts
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    all.sort_unstable();
    all
}

fn lookup(lang: Lang, key: &str) -> Option<&'static str> {
    let text = catalogue(lang).texts.get(key).map(String::as_str);
    // Tests run debug builds: a key the code names but no catalogue has fails whichever test shows it.
    debug_assert!(text.is_some(), "locales/{lang}.toml has no key `{key}`");
    text
}

/// The text of `key` (a label, or a message without arguments); the key itself when missing, which a test
/// prevents for every key the code names.
#[must_use]
pub fn t(lang: Lang, key: &'static str) -> &'static str {
    lookup(lang, key).unwrap_or(key)
}

/// The names of the placeholders of a text: `{date}` gives `date`.
#[must_use]
pub fn placeholders(text: &str) -> BTreeSet<&str> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        if let Some(name) = placeholder(rest) {
            names.insert(name);
        }
    }
    names
}

/// The placeholder name at the start of `text` (just after a `{`), if `text` goes on with `name}`.
fn placeholder(text: &str) -> Option<&str> {
    let end = text.find('}')?;
    let name = &text[..end];
    (!name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
    .then_some(name)
}

/// A number with `decimals` decimals, written as the language writes it: `98.4` in English, `98,4` in French.
/// Machine formats (JSON, CSV, SARIF, `JUnit` properties) keep `98.4` and do not use this.
#[must_use]
pub fn number(lang: Lang, value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    match t(lang, "number.decimal") {
        "." => text,
        separator => text.replace('.', separator),
    }
}

/// A word of a closed vocabulary, shown in prose by its label `<PREFIX>_<name>` (`status_compliant`), never by
/// its serialized name.
pub trait Word: Copy {
    /// The prefix of the vocabulary's label keys.
    const PREFIX: &'static str;

    /// The serialized name of the word.
    fn name(self) -> &'static str;

    /// The catalogue key of the word's label.
    fn key(self) -> String {
        format!("{}_{}", Self::PREFIX, self.name())
    }
}

/// The label of a vocabulary word in a language: `non conforme` for `non_compliant` in French. The one function
/// that names statuses, severities, kinds and readiness levels in prose.
#[must_use]
pub fn label<W: Word>(lang: Lang, word: W) -> &'static str {
    lookup(lang, &word.key()).unwrap_or_else(|| word.name())
}

impl Word for Status {
    const PREFIX: &'static str = "status";
    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl Word for Severity {
    const PREFIX: &'static str = "severity";
    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl Word for Kind {
    const PREFIX: &'static str = "kind";
    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl Word for EvidenceKind {
    const PREFIX: &'static str = "evidence_kind";
    fn name(self) -> &'static str {
        self.as_str()
    }
}

/// A message: a catalogue key and its arguments, rendered in a language when shown. A text that is not in the
/// catalogue (a rule-pack author's diagnostic, a library's own words) is carried as is and shown the same in every
/// language.
#[derive(Clone, Debug, PartialEq)]
pub struct Message(Inner);

#[derive(Clone, Debug, PartialEq)]
enum Inner {
    Keyed {
        key: &'static str,
        args: Vec<(&'static str, Arg)>,
    },
    Verbatim(String),
}

/// The value of a message argument, rendered in the message's language.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    /// Shown as is: an id, a name, a path, a date, vendor text.
    Text(String),
    /// A number with this many decimals, in the language's format.
    Number(f64, usize),
    /// The catalogue key of a label (a vocabulary word).
    Word(String),
    /// A pack text, in the language.
    Texts(Texts),
    /// Another message, in the language.
    Message(Box<Message>),
    /// Values joined with `, `.
    List(Vec<Arg>),
}

impl Arg {
    /// A number with `decimals` decimals, in the language's format.
    #[must_use]
    pub fn number(value: f64, decimals: usize) -> Arg {
        Arg::Number(value, decimals)
    }

    fn render(&self, lang: Lang, out: &mut String) {
        match self {
            Arg::Text(text) => out.push_str(text),
            Arg::Number(value, decimals) => out.push_str(&number(lang, *value, *decimals)),
            Arg::Word(key) => out.push_str(lookup(lang, key).unwrap_or(key)),
            Arg::Texts(texts) => out.push_str(texts.get(lang)),
            Arg::Message(message) => message.render_into(lang, out),
            Arg::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.render(lang, out);
                }
            }
        }
    }
}

impl Message {
    /// The message of catalogue key `key`, without arguments yet ([`Message::arg`]); [`msg!`](crate::msg) builds both.
    #[must_use]
    pub fn new(key: &'static str) -> Message {
        Message(Inner::Keyed {
            key,
            args: Vec::new(),
        })
    }

    /// Adds the argument `{name}`.
    #[must_use]
    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Message {
        if let Inner::Keyed { args, .. } = &mut self.0 {
            args.push((name, value.into()));
        }
        self
    }

    /// A text shown as written in every language: a rule-pack author's diagnostic, a library's own words.
    #[must_use]
    pub fn verbatim(text: impl Into<String>) -> Message {
        Message(Inner::Verbatim(text.into()))
    }

    /// The catalogue key, or `None` for a verbatim text.
    #[must_use]
    pub fn key(&self) -> Option<&'static str> {
        match &self.0 {
            Inner::Keyed { key, .. } => Some(key),
            Inner::Verbatim(_) => None,
        }
    }

    /// A verbatim text, or the key of a catalogue message (to compare or debug; [`Message::render`] shows it).
    #[must_use]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Inner::Keyed { key, .. } => key,
            Inner::Verbatim(text) => text,
        }
    }

    /// The message in `lang`.
    #[must_use]
    pub fn render(&self, lang: Lang) -> String {
        let mut out = String::new();
        self.render_into(lang, &mut out);
        out
    }

    /// The message in every language.
    #[must_use]
    pub fn texts(&self) -> Texts {
        Texts::from_fn(|lang| self.render(lang))
    }

    fn render_into(&self, lang: Lang, out: &mut String) {
        let (key, args) = match &self.0 {
            Inner::Verbatim(text) => {
                out.push_str(text);
                return;
            }
            Inner::Keyed { key, args } => (*key, args),
        };
        let mut rest = lookup(lang, key).unwrap_or(key);
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let value = placeholder(after)
                .and_then(|name| args.iter().find(|(n, _)| *n == name).map(|a| (name, a)));
            debug_assert!(
                value.is_some() || placeholder(after).is_none(),
                "`{key}` is shown without its argument {{{}}}",
                placeholder(after).unwrap_or_default()
            );
            if let Some((name, (_, arg))) = value {
                arg.render(lang, out);
                rest = &after[name.len() + 1..];
            } else {
                out.push('{');
                rest = after;
            }
        }
        out.push_str(rest);
    }
}

/// In English: what tests and the library's `Display` of errors show.
impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::ALL[0]))
    }
}

impl From<String> for Message {
    fn from(text: String) -> Self {
        Message::verbatim(text)
    }
}

impl From<&str> for Message {
    fn from(text: &str) -> Self {
        Message::verbatim(text)
    }
}

impl From<String> for Arg {
    fn from(text: String) -> Self {
        Arg::Text(text)
    }
}

impl From<&str> for Arg {
    fn from(text: &str) -> Self {
        Arg::Text(text.to_owned())
    }
}

impl From<&String> for Arg {
    fn from(text: &String) -> Self {
        Arg::Text(text.clone())
    }
}

/// A percentage as written in the language, with as many decimals as it has (up to two): `87.5`, `99.49`, `24`.
#[must_use]
pub fn percent(value: f64) -> Arg {
    let decimals = (0..2)
        .find(|&d| {
            let scale = 10_f64.powi(d);
            ((value * scale).round() - value * scale).abs() < 1e-9
        })
        .map_or(2, |d| usize::try_from(d).unwrap_or(2));
    Arg::Number(value, decimals)
}

macro_rules! display_args {
    ($($ty:ty),+) => {
        $(impl From<$ty> for Arg {
            fn from(value: $ty) -> Self {
                Arg::Text(value.to_string())
            }
        })+
    };
}

display_args!(
    usize,
    u32,
    u64,
    i64,
    chrono::NaiveDate,
    &super::RequirementId,
    super::ServiceType
);

impl From<Texts> for Arg {
    fn from(texts: Texts) -> Self {
        Arg::Texts(texts)
    }
}

impl From<&Texts> for Arg {
    fn from(texts: &Texts) -> Self {
        Arg::Texts(texts.clone())
    }
}

impl From<Message> for Arg {
    fn from(message: Message) -> Self {
        Arg::Message(Box::new(message))
    }
}

impl<T: Into<Arg>> From<Vec<T>> for Arg {
    fn from(items: Vec<T>) -> Self {
        Arg::List(items.into_iter().map(Into::into).collect())
    }
}

impl<W: Word> From<W> for Arg {
    fn from(word: W) -> Self {
        Arg::Word(word.key())
    }
}

/// A catalogue message: `msg!("finding.evidence_stale", date, months = max, as_of)` is the message of key
/// `finding.evidence_stale` with the arguments `{date}` (the variable `date`), `{months}` and `{as_of}`. Values
/// are anything that converts into an [`Arg`].
#[macro_export]
macro_rules! msg {
    (@value $name:ident = $value:expr) => { $value };
    (@value $name:ident) => { $name };
    ($key:literal $(, $name:ident $(= $value:expr)?)* $(,)?) => {
        $crate::model::i18n::Message::new($key)
            $(.arg(stringify!($name), $crate::msg!(@value $name $(= $value)?)))*
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pre_parsed_catalogues_are_the_catalogue_files() {
        for ((source, parsed), lang) in SOURCES.iter().zip(PARSED).zip(Lang::ALL) {
            let from_build = rmp_serde::from_slice::<toml::Table>(parsed)
                .map_err(|e| e.to_string())
                .and_then(catalogue_of)
                .unwrap_or_else(|e| panic!("{lang}: {e}"));
            let from_text = parse(source).unwrap_or_else(|e| panic!("{lang}: {e}"));
            assert_eq!(from_build.texts, from_text.texts, "{lang}");
            assert_eq!(from_build.labels, from_text.labels, "{lang}");
        }
    }

    #[test]
    fn every_language_has_a_catalogue_that_parses() {
        assert_eq!(SOURCES.len(), Lang::ALL.len());
        for (source, lang) in SOURCES.iter().zip(Lang::ALL) {
            let catalogue = parse(source).unwrap_or_else(|e| panic!("{lang}: {e}"));
            assert!(catalogue.texts.len() > 100, "{lang}: too few entries");
        }
    }

    #[test]
    fn a_message_renders_its_arguments_in_the_language() {
        let m = crate::msg!(
            "finding.declaration_contradicted",
            declared = Status::Compliant
        );
        assert_eq!(
            m.render(Lang::En),
            "declared compliant, but the facts show the requirement is not met"
        );
        assert!(
            m.render(Lang::Fr).contains("« conforme »"),
            "{}",
            m.render(Lang::Fr)
        );
        let score = crate::msg!(
            "gating.min_score",
            score = Arg::number(71.4, 1),
            min = Arg::number(80.0, 1)
        );
        assert_eq!(
            score.render(Lang::Fr),
            "le score global 71,4 est inférieur au minimum 80,0"
        );
        assert_eq!(
            score.to_string(),
            "overall score 71.4 is below the minimum 80.0"
        );
    }

    #[test]
    fn unknown_placeholders_and_other_braces_stay_as_written() {
        let m = Message::verbatim("{{> (…)}} {x}");
        assert_eq!(m.render(Lang::Fr), "{{> (…)}} {x}");
        assert_eq!(
            placeholders("a {b} {{c}} {D} {e_1} {"),
            ["b", "c", "e_1"].into_iter().collect()
        );
    }

    #[test]
    fn locale_selects_the_language_by_its_code() {
        assert_eq!(Lang::from_locale(Some("fr_FR.UTF-8")), Lang::Fr);
        assert_eq!(Lang::from_locale(Some("en_GB")), Lang::En);
        assert_eq!(Lang::from_locale(Some("C.UTF-8")), Lang::En);
        assert_eq!(Lang::from_locale(None), Lang::En);
    }

    #[test]
    fn numbers_use_the_language_decimal_separator() {
        assert_eq!(number(Lang::En, 98.44, 1), "98.4");
        assert_eq!(number(Lang::Fr, 98.44, 1), "98,4");
        assert_eq!(number(Lang::Fr, -1.0, 1), "-1,0");
    }
}
