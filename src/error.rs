//! Failures: everything that stops `snc` from evaluating (exit code 2). Gaps are findings, never errors.

use std::fmt;
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
    /// The source line, to draw a caret under the column.
    pub source_line: Option<String>,
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
        }
    }

    /// A problem at a byte offset of `text`.
    pub fn at(
        file: impl Into<String>,
        text: &str,
        offset: usize,
        message: impl Into<String>,
    ) -> Self {
        let (line, column) = line_column(text, offset);
        let source_line = text.lines().nth(line - 1).map(str::to_owned);
        Self {
            file: file.into(),
            position: Some((line, column)),
            pointer: None,
            message: message.into(),
            source_line,
        }
    }

    #[must_use]
    pub fn with_pointer(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some((line, column)) = self.position {
            write!(f, ":{line}:{column}")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(pointer) = &self.pointer {
            let shown = if pointer.is_empty() {
                "(document root)"
            } else {
                pointer
            };
            write!(f, " [at {shown}]")?;
        }
        if let (Some(text), Some((line, column))) = (&self.source_line, self.position) {
            let gutter = line.to_string().len();
            let shown: String = text.chars().take(200).collect();
            let caret_pad: String = text
                .chars()
                .take(column.saturating_sub(1).min(200))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            write!(
                f,
                "\n{:gutter$} |\n{line} | {shown}\n{:gutter$} | {caret_pad}^",
                "", ""
            )?;
        }
        Ok(())
    }
}

/// 1-based line and column (in characters) of a byte offset; offsets past the end point after the last character.
#[must_use]
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
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
            } => write!(f, "error: cannot {action} {}: {source}", path.display()),
            Error::Usage(message) => write!(f, "error: {message}"),
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
}
