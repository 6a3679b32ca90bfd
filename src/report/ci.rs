//! What the CI formats (`JUnit`, SARIF, CSV, `GitHub`) share: which requirements are gaps, waived or blocking, and how
//! their findings read on one line.

use crate::model::Status;
use crate::model::i18n::label;
use crate::msg;

use super::{FindingView, Report, RequirementView};

/// An applicable requirement (not recommendation) whose verdict is not met.
pub(super) fn is_gap(r: &RequirementView) -> bool {
    crate::model::is_gap(r.applicable, r.kind, r.verdict)
}

/// The `waived` finding of a requirement, when a waiver applies to it.
pub(super) fn waiver(r: &RequirementView) -> Option<&FindingView> {
    r.findings.iter().find(|f| f.code == "waived")
}

/// Whether the requirement is one of those that fail the gate.
pub(super) fn is_blocking(report: &Report, r: &RequirementView) -> bool {
    report.gate.blocking.contains(&r.id)
}

/// The findings as `code: message` items joined by `; `, or the verdict when there is none.
pub(super) fn findings_line(report: &Report, r: &RequirementView) -> String {
    if r.findings.is_empty() {
        return msg!("ci.no_findings", declared = r.declared, id = &r.id).render(report.lang);
    }
    r.findings
        .iter()
        .map(|f| format!("{}: {}", f.code, f.message))
        .collect::<Vec<_>>()
        .join("; ")
}

pub(super) fn status_label(report: &Report, status: Status) -> &'static str {
    label(report.lang, status)
}

pub(super) fn severity_label(report: &Report, r: &RequirementView) -> &'static str {
    label(report.lang, r.severity)
}

/// The chapter's title from the scores, or `chapter N` for a chapter with nothing scored.
pub(super) fn chapter_title(report: &Report, chapter: &str) -> String {
    report
        .score
        .chapters
        .iter()
        .find(|c| c.chapter == chapter && !c.title.is_empty())
        .map_or_else(
            || msg!("ci.chapter", chapter).render(report.lang),
            |c| c.title.clone(),
        )
}

/// The assessment file as a forward-slash relative path, as CI tools expect.
pub(super) fn assessment_path(report: &Report) -> String {
    let path = report.source_file.replace('\\', "/");
    path.strip_prefix("./").unwrap_or(&path).to_owned()
}

/// Line of the requirement's answer in the assessment file, if it has one.
pub(super) fn answer_line(report: &Report, r: &RequirementView) -> Option<usize> {
    report.answer_lines.get(r.id.as_str()).copied()
}

/// Requirements grouped by chapter, in pack order.
pub(super) fn by_chapter(report: &Report) -> Vec<(&str, Vec<&RequirementView>)> {
    let mut groups: Vec<(&str, Vec<&RequirementView>)> = Vec::new();
    for r in &report.requirements {
        match groups.last_mut() {
            Some((chapter, list)) if *chapter == r.chapter => list.push(r),
            _ => groups.push((r.chapter.as_str(), vec![r])),
        }
    }
    groups
}
