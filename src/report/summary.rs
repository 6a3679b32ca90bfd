//! The compact Markdown summary: readiness, score, gate, the blocking items and the top gaps, always under
//! [`MAX_SUMMARY_CHARS`] whatever the assessment, so that it fits a pull-request or merge-request comment (65,536
//! characters on GitHub) and a job summary (`GITHUB_STEP_SUMMARY`, 1 MiB per step). `--format markdown --compact`
//! prints it; `--format github` appends it to the job summary.

use std::fmt::Write;

use crate::model::i18n::{label, number, t};
use crate::msg;

use super::templates::escape_markdown;
use super::{Report, RequirementView, ci};

/// The most characters a summary takes, notes included: under GitHub's 65,536 for a comment, with room for a
/// heading a workflow may add around it.
pub const MAX_SUMMARY_CHARS: usize = 60_000;

/// The non-blocking gaps listed, most severe first.
const TOP_GAPS: usize = 10;

/// The most characters of one table cell: a long finding is cut, the full text is in the full report.
const MAX_CELL_CHARS: usize = 400;

/// The most characters of one gate reason or note.
const MAX_LINE_CHARS: usize = 1_000;

/// Room kept for the sections after the blocking items and the closing notes.
const RESERVED_CHARS: usize = 12_000;

/// `text` escaped for Markdown and cut to `max` characters (an ellipsis marks the cut).
fn inline(text: &str, max: usize) -> String {
    let escaped = escape_markdown(text);
    if escaped.chars().count() <= max {
        return escaped;
    }
    let mut cut: String = escaped.chars().take(max.saturating_sub(1)).collect();
    // A cut must not leave a lone backslash that would escape the ellipsis or a table pipe.
    if cut.ends_with('\\') && !cut.ends_with("\\\\") {
        cut.pop();
    }
    cut.push('…');
    cut
}

/// One table row of a gap: requirement, severity, verdict, findings.
fn row(report: &Report, r: &RequirementView) -> String {
    let waived = ci::waiver(r)
        .map(|_| format!(" ({})", t(report.lang, "summary_waived")))
        .unwrap_or_default();
    format!(
        "| **{}** {} | {} | {}{waived} | {} |\n",
        r.id,
        inline(&r.title, 120),
        ci::severity_label(report, r),
        ci::status_label(report, r.verdict),
        inline(&ci::findings_line(report, r), MAX_CELL_CHARS),
    )
}

fn table_head(report: &Report) -> String {
    let lang = report.lang;
    format!(
        "| {} | {} | {} | {} |\n|---|---|---|---|\n",
        t(lang, "summary_requirement"),
        t(lang, "summary_severity"),
        t(lang, "summary_verdict"),
        t(lang, "findings"),
    )
}

/// Text within a budget of characters: lines are added while they fit.
struct Budget {
    out: String,
    used: usize,
    limit: usize,
}

impl Budget {
    fn push(&mut self, text: &str) -> bool {
        let n = text.chars().count();
        if self.used + n > self.limit {
            return false;
        }
        self.out.push_str(text);
        self.used += n;
        true
    }
}

/// Renders the compact summary. `outputs` are the report files written beside it (`-o`), named where the rest
/// of the report can be read.
#[must_use]
pub fn render_summary(report: &Report, outputs: &[String]) -> String {
    let lang = report.lang;
    let mut b = Budget {
        out: String::new(),
        used: 0,
        limit: MAX_SUMMARY_CHARS - RESERVED_CHARS,
    };
    let gate = if report.gate.passed {
        format!("✅ {}", t(lang, "gate_passed"))
    } else {
        format!("❌ {}", t(lang, "gate_failed"))
    };
    let mut head = String::new();
    let colon = t(lang, "colon");
    let _ = writeln!(
        head,
        "## {}{colon}{} · {}\n",
        t(lang, "title"),
        inline(&report.assessment.vendor, 200),
        inline(&report.assessment.service, 200)
    );
    let _ = writeln!(
        head,
        "**{}**{colon}{} · **{}**{colon}{} / 100 · **{}**{colon}{gate}\n",
        t(lang, "readiness"),
        label(lang, report.readiness),
        t(lang, "score"),
        number(lang, report.score.overall, 1),
        t(lang, "gate"),
    );
    let _ = writeln!(
        head,
        "{}\n",
        msg!(
            "summary.provenance",
            pack = report.pack.id.as_str(),
            version = report.pack.version.as_str(),
            as_of = report.as_of.to_string(),
            policy = super::policy_line(report),
            tool = report.tool.version,
        )
        .render(lang)
    );
    b.push(&head);

    let gate_lines: Vec<&String> = report
        .gate
        .reasons
        .iter()
        .chain(&report.gate.notes)
        .collect();
    if !gate_lines.is_empty() {
        b.push(&format!("### {}\n\n", t(lang, "gate")));
        for (i, line) in gate_lines.iter().enumerate() {
            if i >= 20 || !b.push(&format!("- {}\n", inline(line, MAX_LINE_CHARS))) {
                b.push(&format!(
                    "- … {}\n",
                    msg!("summary.more_lines", count = gate_lines.len() - i).render(lang)
                ));
                break;
            }
        }
        b.push("\n");
    }

    let gaps: Vec<&RequirementView> = report
        .requirements
        .iter()
        .filter(|r| ci::is_gap(r))
        .collect();
    let (blocking, mut others): (Vec<&RequirementView>, Vec<&RequirementView>) =
        gaps.iter().partition(|r| ci::is_blocking(report, r));
    let mut omitted = 0usize;
    if !blocking.is_empty() {
        b.push(&format!(
            "### {} ({})\n\n",
            t(lang, "summary_blocking"),
            blocking.len()
        ));
        b.push(&table_head(report));
        for (i, r) in blocking.iter().enumerate() {
            if !b.push(&row(report, r)) {
                omitted += blocking.len() - i;
                b.push(&format!(
                    "\n_{}_\n",
                    msg!("summary.more_blocking", count = blocking.len() - i).render(lang)
                ));
                break;
            }
        }
        b.push("\n");
    }
    // The sections below use the room kept for them.
    b.limit = MAX_SUMMARY_CHARS - 2_000;
    others.sort_by_key(|r| (ci::waiver(r).is_some(), r.severity));
    if !others.is_empty() {
        let shown = others.len().min(TOP_GAPS);
        b.push(&format!(
            "### {}\n\n",
            msg!("summary.top_gaps", shown, total = others.len()).render(lang)
        ));
        b.push(&table_head(report));
        for (i, r) in others.iter().take(shown).enumerate() {
            if !b.push(&row(report, r)) {
                omitted += shown - i;
                break;
            }
        }
        omitted += others.len() - shown;
        b.push("\n");
    }
    if blocking.is_empty() && others.is_empty() {
        b.push(&format!("{}\n\n", t(lang, "summary_no_gaps")));
    }
    if !report.policy.waivers.is_empty() {
        b.push(&format!("### {}\n\n", t(lang, "summary_waivers")));
        for (i, w) in report.policy.waivers.iter().enumerate() {
            if i >= 20 || !b.push(&format!("- {}\n", super::waiver_line(report, w, inline))) {
                b.push(&format!(
                    "- … {}\n",
                    msg!(
                        "summary.more_lines",
                        count = report.policy.waivers.len() - i
                    )
                    .render(lang)
                ));
                break;
            }
        }
        b.push("\n");
    }
    // The closing note always fits: the limit kept 2,000 characters for it.
    b.limit = MAX_SUMMARY_CHARS;
    let files = outputs
        .iter()
        .map(|f| inline(f, 200))
        .collect::<Vec<_>>()
        .join(", ");
    let note = match (omitted, files.is_empty()) {
        (0, true) => msg!("summary.full_report").render(lang),
        (0, false) => msg!("summary.full_report_in", files).render(lang),
        (count, true) => msg!("summary.omitted", count).render(lang),
        (count, false) => msg!("summary.omitted_in", count, files).render(lang),
    };
    let note: String = note.chars().take(1_900).collect();
    b.push(&format!("_{note}_\n"));
    b.out
}
