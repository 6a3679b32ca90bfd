//! Failures: everything that stops `snc` from evaluating (exit code 2). Gaps are findings, never errors.

use std::borrow::Cow;
use std::fmt;

use super::terminal::visible;
use std::path::PathBuf;

/// One located problem in an input file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file as the user named it (or `embedded:…` for the built-in pack).
    pub file: String,
    /// 1-based line and column, when the place is known.
    pub position: Option<(usize, usize)>,
    /// JSON Pointer of the offending value in a JSON input.
    pub pointer: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
    /// The source line (at most 200 characters of it around the column on a long line), to draw a caret.
    pub source_line: Option<String>,
    /// Where the caret goes in `source_line`, in characters from its start.
    pub source_caret: usize,
}

impl Diagnostic {
    /// A problem with a whole file.
    pub fn file(file: impl Into<String>, message: impl Into<String>) -> Self {
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
        message: impl Into<String>,
    ) -> Self {
        LineIndex::new(text).diagnostic(text, file, offset, message)
    }

    /// `bytes` as text, or a problem at the first byte that is not UTF-8: "the `what` is not UTF-8 text".
    pub fn utf8<'b>(file: &str, bytes: &'b [u8], what: &str) -> Result<&'b str, Error> {
        std::str::from_utf8(bytes).map_err(|e| {
            Error::from(Self::at(
                file,
                &String::from_utf8_lossy(bytes),
                e.valid_up_to(),
                format!("the {what} is not UTF-8 text"),
            ))
        })
    }

    #[must_use]
    pub fn with_pointer(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    /// File names, messages and source lines may hold what a vendor wrote: they are shown with
    /// [`visible`], so that no escape sequence or line break in them acts on the terminal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", visible(&self.file))?;
        if let Some((line, column)) = self.position {
            write!(f, ":{line}:{column}")?;
        }
        write!(f, ": {}", visible(&self.message))?;
        if let Some(pointer) = &self.pointer {
            let shown = if pointer.is_empty() {
                "(document root)"
            } else {
                pointer
            };
            write!(f, " [at {}]", visible(shown))?;
        }
        if let (Some(text), Some((line, _))) = (&self.source_line, self.position) {
            let gutter = line.to_string().len();
            let mut shown = String::new();
            let mut caret_pad = String::new();
            for (i, c) in text.chars().take(EXCERPT_CHARS + 1).enumerate() {
                let piece = if c == '\t' {
                    Cow::Borrowed("\t")
                } else {
                    visible(c.encode_utf8(&mut [0; 4])).into_owned().into()
                };
                if i < self.source_caret {
                    for p in piece.chars() {
                        caret_pad.push(if p == '\t' { '\t' } else { ' ' });
                    }
                }
                shown.push_str(&piece);
            }
            write!(
                f,
                "\n{:gutter$} |\n{line} | {shown}\n{:gutter$} | {caret_pad}^",
                "", ""
            )?;
        }
        Ok(())
    }
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
        message: impl Into<String>,
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
        action: &'static str,
        source: std::io::Error,
    },
    /// The command line asks for something impossible.
    Usage(String),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, action: &'static str, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            action,
            source,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Invalid(diagnostics) => {
                for (i, d) in diagnostics.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "error: {d}")?;
                }
                if diagnostics.len() > 1 {
                    write!(f, "\n{} errors", diagnostics.len())?;
                }
                Ok(())
            }
            Error::Io {
                path,
                action,
                source,
            } => write!(
                f,
                "error: cannot {action} {}: {source}",
                visible(&path.display().to_string())
            ),
            Error::Usage(message) => write!(f, "error: {}", visible(message)),
        }
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
