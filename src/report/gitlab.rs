//! GitLab's Code Quality report (`artifacts:reports:codequality`): a JSON array with one issue per gap, at its
//! answer's line in the assessment file, with a fingerprint that stays the same from one pipeline to the next so
//! that GitLab can tell new gaps from fixed ones in a merge request.

use serde_json::{Value as Json, json};
use sha2::{Digest, Sha256};

use super::{Report, RequirementView, ci};
use crate::model::Severity;

/// GitLab's severity of a gap: `blocker` when it fails the gate, `info` when a waiver accepts it, else by the
/// requirement's severity (critical, major, minor, info).
fn severity(report: &Report, r: &RequirementView) -> &'static str {
    if ci::is_blocking(report, r) {
        "blocker"
    } else if ci::waiver(r).is_some() {
        "info"
    } else {
        match r.severity {
            Severity::Critical => "critical",
            Severity::High => "major",
            Severity::Medium => "minor",
            Severity::Low => "info",
        }
    }
}

/// What identifies a gap across pipelines: the pack, the assessment file and the requirement, hashed. Not the line
/// (an edit above the answer moves it), not the findings (their text changes with the language and the facts).
fn fingerprint(report: &Report, path: &str, r: &RequirementView) -> String {
    let mut hasher = Sha256::new();
    for part in ["snc", report.pack.id.as_str(), path, r.id.as_str()] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    format!("{:x}", hasher.finalize())
}

/// Renders the report as a Code Quality JSON array, pretty-printed with a final newline.
#[must_use]
pub fn render_gitlab(report: &Report) -> String {
    let path = ci::assessment_path(report);
    let issues: Vec<Json> = report
        .requirements
        .iter()
        .filter(|r| ci::is_gap(r))
        .map(|r| {
            json!({
                "type": "issue",
                "description": format!(
                    "{} {} ({}, {}): {}",
                    r.id,
                    r.title,
                    ci::severity_label(report, r),
                    ci::status_label(report, r.verdict),
                    ci::findings_line(report, r)
                ),
                "check_name": r.id,
                "categories": ["Security"],
                "fingerprint": fingerprint(report, &path, r),
                "severity": severity(report, r),
                "location": {
                    "path": path,
                    "lines": {"begin": ci::answer_line(report, r).unwrap_or(1)},
                },
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&issues).unwrap_or_default();
    out.push('\n');
    out
}
