//! Untrusted text made safe for a terminal or a plain-text file: every control character (escape, carriage
//! return, line feed, backspace, bell, delete, the C1 controls) and every bidirectional override is shown as a
//! visible escape (`\u{1b}`, `\r`, `\n`) instead of acting. A vendor name can then not redraw a report, overwrite
//! another line, write the clipboard (OSC 52) or hide a link (OSC 8), whether or not colours are on.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` would act on a terminal, or reorder what it shows, instead of being shown.
fn acts(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// `text` with every character that would act on a terminal written as a visible escape.
#[must_use]
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(acts) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if acts(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `text` made inert line by line: its line breaks are kept, every other character that would act on a terminal
/// is shown (for output made of several lines of untrusted text, such as a custom pack's texts).
#[must_use]
pub fn visible_lines(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && acts(c)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.split('\n').map(visible).collect::<Vec<_>>().join("\n"))
}

#[cfg(test)]
mod tests {
    use super::{visible, visible_lines};

    #[test]
    fn lines_stay_lines_and_nothing_else_acts() {
        assert_eq!(visible_lines("a\nb\n"), "a\nb\n");
        assert_eq!(visible_lines("a\u{1b}[2J\nb\r"), "a\\u{1b}[2J\nb\\r");
    }

    #[test]
    fn escape_sequences_and_line_breaks_are_shown_not_run() {
        assert_eq!(visible("Acme SAS"), "Acme SAS");
        assert_eq!(
            visible("\u{1b}[2J\u{1b}[HQUALIFICATION READY\r\nx"),
            "\\u{1b}[2J\\u{1b}[HQUALIFICATION READY\\r\\nx"
        );
        assert_eq!(
            visible("\u{1b}]52;c;ZXZpbA==\u{7}"),
            "\\u{1b}]52;c;ZXZpbA==\\u{7}"
        );
        assert_eq!(
            visible("a\u{202E}b\u{9b}c\u{7f}"),
            "a\\u{202e}b\\u{9b}c\\u{7f}"
        );
        assert_eq!(visible("é 日本 👍"), "é 日本 👍");
    }
}
