//! Failures: everything that stops `snc` from evaluating (exit code 2). Gaps are findings, never errors. Every
//! message is a catalogue [`Message`], shown in the user's language ([`Error::render`]); `Display` shows English.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::path::PathBuf;
use std::sync::LazyLock;

use regex::Regex;

use crate::model::Lang;
use crate::model::i18n::{Message, t};
use crate::model::terminal::visible;
use crate::msg;

/// One located problem in an input file.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// The file as the user named it (or `embedded:…` for the built-in pack).
    pub file: String,
    /// 1-based line and column, when the place is known.
    pub position: Option<(usize, usize)>,
    /// JSON Pointer of the offending value in a JSON input.
    pub pointer: Option<String>,
    /// What is wrong and what was expected.
    pub message: Message,
    /// The source line (at most 200 characters of it around the column on a long line), to draw a caret.
    pub source_line: Option<String>,
    /// Where the caret goes in `source_line`, in characters from its start.
    pub source_caret: usize,
}

impl Diagnostic {
    /// A problem with a whole file.
    pub fn file(file: impl Into<String>, message: impl Into<Message>) -> Self {
        Self {
            file: file.into(),
            position: None,
            pointer: None,
            message: message.into(),
            source_line: None,
            source_caret: 0,
        }
    }

    /// A problem at a byte offset of `text`. To locate many problems in one text, use [`LineIndex::diagnostic`].
    pub fn at(
        file: impl Into<String>,
        text: &str,
        offset: usize,
        message: impl Into<Message>,
    ) -> Self {
        LineIndex::new(text).diagnostic(text, file, offset, message)
    }

    /// `bytes` as text, or `message` at the first byte that is not UTF-8.
    pub fn utf8<'b>(file: &str, bytes: &'b [u8], message: Message) -> Result<&'b str, Error> {
        std::str::from_utf8(bytes).map_err(|e| {
            Error::from(Self::at(
                file,
                &String::from_utf8_lossy(bytes),
                e.valid_up_to(),
                message,
            ))
        })
    }

    /// A JSON syntax or shape error of `serde_json` at its place in `text`, its detail translated where the
    /// catalogue knows it, in the message `wrap` makes of that detail.
    pub fn json(
        file: &str,
        text: &str,
        error: &serde_json::Error,
        wrap: impl FnOnce(Message) -> Message,
    ) -> Self {
        let message = error.to_string();
        let detail = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(m, _)| m);
        // serde_json counts lines and columns from 1, columns in bytes.
        let line_start: usize = text
            .split_inclusive('\n')
            .take(error.line().saturating_sub(1))
            .map(str::len)
            .sum();
        Self::at(
            file,
            text,
            line_start + error.column().saturating_sub(1),
            wrap(library_message(detail)),
        )
    }

    #[must_use]
    pub fn with_pointer(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }

    /// The problem in `lang`: `file:line:col: message [at /pointer]`, then the source line with a caret.
    #[must_use]
    pub fn render(&self, lang: Lang) -> String {
        // File names, messages and source lines may hold what a vendor wrote: shown with `visible`, so that no
        // escape sequence or line break in them acts on the terminal.
        let mut out = visible(&self.file).into_owned();
        if let Some((line, column)) = self.position {
            let _ = write!(out, ":{line}:{column}");
        }
        out.push_str(": ");
        out.push_str(&visible(&self.message.render(lang)));
        if let Some(pointer) = &self.pointer {
            let shown = if pointer.is_empty() {
                t(lang, "error.document_root").to_owned()
            } else {
                visible(pointer).into_owned()
            };
            out.push_str(&msg!("error.at", pointer = shown).render(lang));
        }
        if let (Some(text), Some((line, _))) = (&self.source_line, self.position) {
            let gutter = line.to_string().len();
            let mut shown = String::new();
            let mut caret_pad = String::new();
            for (i, c) in text.chars().take(EXCERPT_CHARS + 1).enumerate() {
                let piece = if c == '\t' {
                    Cow::Borrowed("\t")
                } else {
                    Cow::Owned(visible(c.encode_utf8(&mut [0; 4])).into_owned())
                };
                if i < self.source_caret {
                    caret_pad.extend(piece.chars().map(|p| if p == '\t' { '\t' } else { ' ' }));
                }
                shown.push_str(&piece);
            }
            let _ = write!(
                out,
                "\n{:gutter$} |\n{line} | {shown}\n{:gutter$} | {caret_pad}^",
                "", ""
            );
        }
        out
    }
}

/// In English.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::ALL[0]))
    }
}

/// A message of `serde_json`, `toml` or serde (`missing field `name``, `expected `,` or `}``) in the catalogue's
/// words where it knows the message, else as written.
#[must_use]
pub fn library_message(text: &str) -> Message {
    const FIXED: &[(&str, &str)] = &[
        ("EOF while parsing a list", "json.eof_list"),
        ("EOF while parsing an object", "json.eof_object"),
        ("EOF while parsing a string", "json.eof_string"),
        ("EOF while parsing a value", "json.eof_value"),
        ("expected `:`", "json.expected_colon"),
        ("expected `,` or `]`", "json.expected_list_end"),
        ("expected `,` or `}`", "json.expected_object_end"),
        ("expected ident", "json.expected_ident"),
        ("expected value", "json.expected_value"),
        ("expected `\"`", "json.expected_quote"),
        ("invalid escape", "json.invalid_escape"),
        ("invalid number", "json.invalid_number"),
        ("number out of range", "json.number_out_of_range"),
        ("invalid unicode code point", "json.invalid_unicode"),
        (
            "control character (\\u0000-\\u001F) found while parsing a string",
            "json.control_character",
        ),
        ("key must be a string", "json.key_must_be_string"),
        ("trailing comma", "json.trailing_comma"),
        ("trailing characters", "json.trailing_characters"),
    ];
    static SHAPES: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
        [
            (r"^missing field `([^`]*)`$", "serde.missing_field"),
            (r"^duplicate field `([^`]*)`$", "serde.duplicate_field"),
            (
                r"^unknown field `([^`]*)`, there are no fields$",
                "serde.unknown_field_none",
            ),
            (
                r"^unknown field `([^`]*)`, expected one of (.*)$",
                "serde.unknown_field_one_of",
            ),
            (
                r"^unknown field `([^`]*)`, expected (.*)$",
                "serde.unknown_field",
            ),
            (
                r"^unknown variant `([^`]*)`, expected one of (.*)$",
                "serde.unknown_variant_one_of",
            ),
            (
                r"^unknown variant `([^`]*)`, expected (.*)$",
                "serde.unknown_variant",
            ),
            (r"^invalid type: (.*), expected (.*)$", "serde.invalid_type"),
            (
                r#"^the key "(.*)" is given twice in the same object: keep one$"#,
                "json.duplicate_key",
            ),
            (
                r"^invalid value: (.*), expected (.*)$",
                "serde.invalid_value",
            ),
        ]
        .into_iter()
        .map(|(pattern, key)| (Regex::new(pattern).expect("valid regex"), key))
        .collect()
    });
    if let Some((_, key)) = FIXED.iter().find(|(english, _)| *english == text) {
        return Message::new(key);
    }
    for (pattern, key) in SHAPES.iter() {
        if let Some(found) = pattern.captures(text) {
            let group = |i: usize| found.get(i).map_or("", |m| m.as_str());
            let message = Message::new(key);
            return match *key {
                "serde.invalid_type" | "serde.invalid_value" => {
                    message.arg("found", group(1)).arg("expected", group(2))
                }
                "json.duplicate_key" => message.arg("key", group(1)),
                "serde.unknown_variant" | "serde.unknown_variant_one_of" => {
                    message.arg("variant", group(1)).arg("expected", group(2))
                }
                _ => message.arg("field", group(1)).arg("expected", group(2)),
            };
        }
    }
    Message::verbatim(text)
}

/// Characters of a long source line shown around the column.
const EXCERPT_CHARS: usize = 200;

/// 1-based line and column (in characters) of a byte offset; offsets past the end point after the last character.
#[must_use]
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    LineIndex::new(text).line_column(text, offset)
}

/// The line starts of a text: turns many byte offsets into lines and columns without rescanning the text. Each
/// method takes the text the index was built from.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    /// Byte offset of the start of each line.
    starts: Vec<usize>,
}

impl LineIndex {
    #[must_use]
    pub fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        Self { starts }
    }

    fn floor(text: &str, offset: usize) -> usize {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    /// The 1-based line of a byte offset.
    #[must_use]
    pub fn line(&self, text: &str, offset: usize) -> usize {
        let offset = Self::floor(text, offset);
        self.starts.partition_point(|&s| s <= offset).max(1)
    }

    /// 1-based line and column (in characters) of a byte offset, as [`line_column`].
    #[must_use]
    pub fn line_column(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = Self::floor(text, offset);
        let line = self.line(text, offset);
        let start = self.starts.get(line - 1).copied().unwrap_or(0).min(offset);
        (line, text[start..offset].chars().count() + 1)
    }

    /// A problem at a byte offset of the text.
    pub fn diagnostic(
        &self,
        text: &str,
        file: impl Into<String>,
        offset: usize,
        message: impl Into<Message>,
    ) -> Diagnostic {
        let (line, column) = self.line_column(text, offset);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let end = self
            .starts
            .get(line)
            .map_or(text.len(), |next| next - 1)
            .max(start);
        let source = text.get(start..end).unwrap_or_default();
        let source = source.strip_suffix('\r').unwrap_or(source);
        let (source_line, source_caret) = excerpt(source, column - 1);
        Diagnostic {
            file: file.into(),
            position: Some((line, column)),
            pointer: None,
            message: message.into(),
            source_line: Some(source_line),
            source_caret,
        }
    }
}

/// The line, or on a long line a window of it around the caret marked with `…`, and the caret's place in it.
fn excerpt(line: &str, caret: usize) -> (String, usize) {
    if line.len() <= EXCERPT_CHARS {
        return (line.to_owned(), caret);
    }
    let count = line.chars().count();
    if count <= EXCERPT_CHARS {
        return (line.to_owned(), caret);
    }
    let start = caret
        .saturating_sub(EXCERPT_CHARS / 2)
        .min(count - EXCERPT_CHARS);
    let window: String = line.chars().skip(start).take(EXCERPT_CHARS).collect();
    if start == 0 {
        (window, caret)
    } else {
        (format!("…{window}"), caret - start + 1)
    }
}

/// Why `snc` could not evaluate.
#[derive(Debug)]
pub enum Error {
    /// Invalid input: every problem found, each located.
    Invalid(Vec<Diagnostic>),
    /// A file could not be read or written.
    Io {
        path: PathBuf,
        /// What could not be done to the file: `read`, `write`…
        action: Message,
        source: std::io::Error,
    },
    /// The command line asks for something impossible.
    Usage(Message),
}

impl Error {
    pub fn io(
        path: impl Into<PathBuf>,
        action: impl Into<Message>,
        source: std::io::Error,
    ) -> Self {
        Error::Io {
            path: path.into(),
            action: action.into(),
            source,
        }
    }

    /// The error in `lang`, one `error: …` line per problem (the operating system's own words about a file stay
    /// its own).
    #[must_use]
    pub fn render(&self, lang: Lang) -> String {
        let prefix = t(lang, "error.prefix");
        match self {
            Error::Invalid(diagnostics) => {
                let mut out = String::new();
                for (i, d) in diagnostics.iter().enumerate() {
                    if i > 0 {
                        out.push('\n');
                    }
                    out.push_str(prefix);
                    out.push_str(&d.render(lang));
                }
                if diagnostics.len() > 1 {
                    out.push('\n');
                    out.push_str(&msg!("error.count", count = diagnostics.len()).render(lang));
                }
                out
            }
            Error::Io {
                path,
                action,
                source,
            } => {
                let message = msg!(
                    "error.io",
                    action = action.clone(),
                    path = path.display().to_string(),
                    source = source.to_string()
                );
                format!("{prefix}{}", visible(&message.render(lang)))
            }
            Error::Usage(message) => format!("{prefix}{}", visible(&message.render(lang))),
        }
    }
}

/// In English.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::ALL[0]))
    }
}

impl std::error::Error for Error {}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Self {
        Error::Invalid(vec![d])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_characters_not_bytes() {
        let text = "ab\né€x\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 1));
        let x = text.find('x').expect("x");
        assert_eq!(line_column(text, x), (2, 3));
        assert_eq!(line_column(text, 999), (3, 1));
    }

    #[test]
    fn diagnostic_shows_place_pointer_and_caret() {
        let text = "{\n  \"a\": tru\n}";
        let d = Diagnostic::at("x.json", text, 9, "expected a value").with_pointer("/a");
        let shown = d.to_string();
        assert!(
            shown.starts_with("x.json:2:8: expected a value [at /a]"),
            "{shown}"
        );
        assert!(shown.ends_with("  |        ^"), "{shown}");
    }

    #[test]
    fn long_line_shows_a_window_around_the_column() {
        let text = format!("{}X{}", "a".repeat(100_000), "b".repeat(100_000));
        let d = Diagnostic::at("x.json", &text, 100_000, "here");
        assert_eq!(d.position, Some((1, 100_001)));
        let line = d.source_line.clone().expect("line");
        assert!(line.chars().count() <= 201, "{}", line.len());
        assert_eq!(line.chars().nth(d.source_caret), Some('X'));
        let shown = d.to_string();
        let last = shown.lines().last().expect("caret line");
        assert_eq!(last.chars().count(), "  | ".len() + d.source_caret + 1);
    }

    #[test]
    fn line_index_agrees_with_a_plain_scan() {
        let text = "a\r\nbé\n\nc";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            let clamped = offset.min(text.len());
            let mut floor = clamped;
            while !text.is_char_boundary(floor) {
                floor -= 1;
            }
            let before = &text[..floor];
            let line = before.matches('\n').count() + 1;
            let start = before.rfind('\n').map_or(0, |i| i + 1);
            assert_eq!(
                index.line_column(text, offset),
                (line, before[start..].chars().count() + 1)
            );
            assert_eq!(index.line(text, offset), line);
        }
        assert_eq!(
            index.diagnostic(text, "f", 0, "m").source_line.as_deref(),
            Some("a")
        );
    }
}
