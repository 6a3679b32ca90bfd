//! GitHub Actions workflow commands: the gate's reasons as errors and its notes as notices, then one annotation per
//! gap on its answer's line in the assessment file: `error` when it fails the gate, `notice` when waived, `warning`
//! otherwise.

use std::fmt::Write;

use super::Report;
use super::ci;
use crate::model::i18n::{label, number, t};

/// Escapes a command's message as the runner expects: `%`, CR and LF.
#[must_use]
pub fn escape_data(text: &str) -> String {
    let escaped = text
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    // Any other control character would act on the log viewer: shown, not run.
    crate::model::terminal::visible(&escaped).into_owned()
}

/// Escapes a command property (`file`, `title`…): as a message, plus `:` and `,`, which delimit properties.
#[must_use]
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Renders the report as workflow commands, one per line.
#[must_use]
pub fn render_github(report: &Report) -> String {
    let lang = report.lang;
    let mut out = String::new();
    let gate = if report.gate.passed {
        t(lang, "gate_passed")
    } else {
        t(lang, "gate_failed")
    };
    let _ = writeln!(
        out,
        "snc {}: {} {}, {} {} / 100, {} {gate}",
        report.pack.id,
        t(lang, "readiness"),
        label(lang, report.readiness),
        t(lang, "score"),
        number(lang, report.score.overall, 1),
        t(lang, "gate"),
    );
    let title = escape_property(&format!("snc {}", t(lang, "gate")));
    for reason in &report.gate.reasons {
        let _ = writeln!(out, "::error title={title}::{}", escape_data(reason));
    }
    for note in &report.gate.notes {
        let _ = writeln!(out, "::notice title={title}::{}", escape_data(note));
    }
    let file = escape_property(&ci::assessment_path(report));
    for r in report.requirements.iter().filter(|r| ci::is_gap(r)) {
        let level = if ci::is_blocking(report, r) {
            "error"
        } else if ci::waiver(r).is_some() {
            "notice"
        } else {
            "warning"
        };
        let line = ci::answer_line(report, r)
            .map(|l| format!(",line={l}"))
            .unwrap_or_default();
        let title = escape_property(&format!(
            "{} {} ({}, {})",
            r.id,
            r.title,
            ci::severity_label(report, r),
            ci::status_label(report, r.verdict)
        ));
        let _ = writeln!(
            out,
            "::{level} file={file}{line},title={title}::{}",
            escape_data(&ci::findings_line(report, r))
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_percent_first_then_line_breaks() {
        assert_eq!(escape_data("100%\r\nok"), "100%25%0D%0Aok");
        assert_eq!(
            escape_data("%0A"),
            "%250A",
            "an escape sequence in the text stays text"
        );
    }

    #[test]
    fn escapes_property_delimiters() {
        assert_eq!(
            escape_property("12.6.c Logs: kept, searched\n"),
            "12.6.c Logs%3A kept%2C searched%0A"
        );
    }
}
