//! GitHub Actions workflow commands: the gate's reasons as errors and its notes as notices, then one annotation per
//! gap on its answer's line in the assessment file: `error` when it fails the gate, `notice` when waived, `warning`
//! otherwise.

use std::fmt::Write;

use super::ci;
use super::{Report, RequirementView};
use crate::model::i18n::{label, number, t};
use crate::msg;

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

/// Annotations of one kind (error, warning, notice) that GitHub shows per step: "10 warning annotations, 10 error
/// annotations, and 10 notice annotations per step", 50 per job (actions/toolkit, docs/problem-matchers.md,
/// "Limitations"). Any more are dropped without a word, so snc stops there and says how many it left out.
pub const ANNOTATIONS_PER_KIND: usize = 10;

/// One annotation: its level, its location and title properties, its message (all escaped).
struct Annotation {
    level: &'static str,
    properties: String,
    message: String,
}

/// A gap's annotation, and the same as a plain log line for when the annotation does not fit.
fn gap(
    report: &Report,
    r: &RequirementView,
    level: &'static str,
    file: &str,
) -> (Annotation, String) {
    let line = ci::answer_line(report, r)
        .map(|l| format!(",line={l}"))
        .unwrap_or_default();
    let heading = format!(
        "{} {} ({}, {})",
        r.id,
        r.title,
        ci::severity_label(report, r),
        ci::status_label(report, r.verdict)
    );
    let findings = ci::findings_line(report, r);
    let log = format!("  {heading}: {findings}");
    (
        Annotation {
            level,
            properties: format!("file={file}{line},title={}", escape_property(&heading)),
            message: escape_data(&findings),
        },
        // A plain line of the log: on one line, so that no vendor text can start a command of its own.
        crate::model::terminal::visible(&log.replace(['\r', '\n'], " ")).into_owned(),
    )
}

/// Renders the report as workflow commands, one per line: the gate first, then the gaps that fail it as errors,
/// the other gaps as warnings (most severe first) and the waived ones as notices, each kind within
/// [`ANNOTATIONS_PER_KIND`]; the gaps left out are listed as plain log lines, and one notice says how many there
/// are and where the full report is (`outputs`, the files written with `-o`).
#[must_use]
pub fn render_github(report: &Report, outputs: &[String]) -> String {
    let lang = report.lang;
    let mut out = String::new();
    let gate = if report.gate.passed {
        t(lang, "gate_passed")
    } else {
        t(lang, "gate_failed")
    };
    let _ = writeln!(
        out,
        "snc {}: {} {}, {} {} / 100, {} {gate}, {} {}",
        report.pack.id,
        t(lang, "readiness"),
        label(lang, report.readiness),
        t(lang, "score"),
        number(lang, report.score.overall, 1),
        t(lang, "gate"),
        t(lang, "policy_label"),
        escape_data(&super::policy_line(report)),
    );
    let title = escape_property(&format!("snc {}", t(lang, "gate")));
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut notices = Vec::new();
    // The gate's reasons and notes take one annotation each, their lines joined: the slots are for the gaps.
    if !report.gate.reasons.is_empty() {
        errors.push(Annotation {
            level: "error",
            properties: format!("title={title}"),
            message: escape_data(&report.gate.reasons.join("\n")),
        });
    }
    if !report.gate.notes.is_empty() {
        notices.push(Annotation {
            level: "notice",
            properties: format!("title={title}"),
            message: escape_data(&report.gate.notes.join("\n")),
        });
    }
    let file = escape_property(&ci::assessment_path(report));
    let mut gaps: Vec<&RequirementView> = report
        .requirements
        .iter()
        .filter(|r| ci::is_gap(r))
        .collect();
    // Blocking first, then unwaived, then by severity; pack order within each (the sort is stable).
    gaps.sort_by_key(|r| {
        (
            !ci::is_blocking(report, r),
            ci::waiver(r).is_some(),
            r.severity,
        )
    });
    let kind = |r: &RequirementView| {
        if ci::is_blocking(report, r) {
            0
        } else if ci::waiver(r).is_some() {
            2
        } else {
            1
        }
    };
    let mut caps = [
        ANNOTATIONS_PER_KIND - errors.len(),
        ANNOTATIONS_PER_KIND - warnings.len(),
        ANNOTATIONS_PER_KIND - notices.len(),
    ];
    let mut counts = [0usize; 3];
    for r in &gaps {
        counts[kind(r)] += 1;
    }
    // The closing notice needs a slot of its own when anything is left out.
    if counts.iter().zip(caps).any(|(n, cap)| *n > cap) {
        caps[2] -= 1;
    }
    let mut left_out = Vec::new();
    for r in gaps {
        let k = kind(r);
        let (level, list) = match k {
            0 => ("error", &mut errors),
            1 => ("warning", &mut warnings),
            _ => ("notice", &mut notices),
        };
        let (annotation, log) = gap(report, r, level, &file);
        if caps[k] > 0 {
            caps[k] -= 1;
            list.push(annotation);
        } else {
            left_out.push(log);
        }
    }
    for a in errors.iter().chain(&warnings).chain(&notices) {
        let _ = writeln!(out, "::{} {}::{}", a.level, a.properties, a.message);
    }
    if !left_out.is_empty() {
        let _ = writeln!(out, "{}", msg!("github.not_annotated").render(lang));
        for line in &left_out {
            let _ = writeln!(out, "{line}");
        }
        let files = outputs.join(", ");
        let more = if files.is_empty() {
            msg!("github.more_no_files", count = left_out.len())
        } else {
            msg!("github.more", count = left_out.len(), files)
        };
        let _ = writeln!(
            out,
            "::notice title={title}::{}",
            escape_data(&more.render(lang))
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
