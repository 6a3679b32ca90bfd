//! SARIF 2.1.0 for code-scanning tools: one rule per requirement of the pack, one result per gap, located at the
//! answer's line in the assessment file. A waived gap carries an accepted external suppression. The gate sits in
//! the run's property bag.

use serde_json::{Value as Json, json};

use super::ci;
use super::templates::escape_markdown;
use super::{Report, RequirementView};
use crate::model::Severity;
use crate::model::i18n::t;
use crate::msg;
use crate::pack::Pack;
use crate::pack::docs::rules_anchor;

/// The SARIF level of a gap of this severity.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// GitHub code scanning ranks results by this number (0–10) in a rule's `security-severity` property.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "7.5",
        Severity::Medium => "5.0",
        Severity::Low => "2.0",
    }
}

/// A relative reference URI for a file path: forward slashes, and the few characters that would change its meaning
/// percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '%' => out.push_str("%25"),
            ' ' => out.push_str("%20"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            c => out.push(c),
        }
    }
    out
}

/// Where `docs/rules.md` is published: the repository of the crate (`repository` in Cargo.toml), at the tag of
/// this version, so that a link never points at rules newer than the ones that ran.
pub fn rules_doc_url() -> String {
    format!(
        "{}/blob/v{}/docs/rules.md",
        env!("CARGO_PKG_REPOSITORY").trim_end_matches('/'),
        env!("CARGO_PKG_VERSION")
    )
}

/// A rule's help: the question an assessor asks and the pack's guidance, in plain text and in Markdown (the
/// pack's texts escaped: a custom pack is untrusted too), then how to learn more.
fn help(report: &Report, pack: &Pack, r: &RequirementView) -> (String, String, String) {
    let lang = report.lang;
    let (question, guidance) = pack
        .requirement(&r.id)
        .map(|q| (q.question.get(lang), q.guidance.get(lang)))
        .unwrap_or_default();
    let more = msg!("ci.sarif_help", id = &r.id).render(lang);
    let text = format!(
        "{}: {question}\n\n{}: {guidance}\n\n{more}",
        t(lang, "question"),
        t(lang, "guidance")
    );
    let markdown = format!(
        "**{}:** {}\n\n**{}:** {}\n\n{}",
        t(lang, "question"),
        escape_markdown(question),
        t(lang, "guidance"),
        escape_markdown(guidance),
        escape_markdown(&more).replace("\\`", "`"),
    );
    (question.to_owned(), text, markdown)
}

/// Renders the report as a SARIF 2.1.0 log, pretty-printed with a final newline. Each rule carries the
/// requirement's title, its question and guidance as help, and a link to its row of `docs/rules.md`.
#[must_use]
pub fn render_sarif(report: &Report, pack: &Pack) -> String {
    let docs = rules_doc_url();
    let rules: Vec<Json> = report
        .requirements
        .iter()
        .map(|r| {
            let (question, text, markdown) = help(report, pack, r);
            json!({
                "id": r.id,
                "name": r.title,
                "shortDescription": {"text": r.title},
                "fullDescription": {"text": question},
                "help": {"text": text, "markdown": markdown},
                "helpUri": format!("{docs}#{}", rules_anchor(&r.id)),
                "defaultConfiguration": {"level": level(r.severity)},
                "properties": {
                    "precision": "very-high",
                    "kind": r.kind,
                    "severity": r.severity,
                    "chapter": r.chapter,
                    "security-severity": security_severity(r.severity),
                    "tags": ["secnumcloud", format!("chapter-{}", r.chapter), r.severity.as_str()],
                }
            })
        })
        .collect();
    let file = uri(&ci::assessment_path(report));
    let results: Vec<Json> = report
        .requirements
        .iter()
        .enumerate()
        .filter(|(_, r)| ci::is_gap(r))
        .map(|(index, r)| {
            let mut location = json!({"artifactLocation": {"uri": file}});
            if let Some(line) = ci::answer_line(report, r) {
                location["region"] = json!({"startLine": line});
            }
            let mut result = json!({
                "ruleId": r.id,
                "ruleIndex": index,
                "level": level(r.severity),
                "kind": "fail",
                "message": {"text": format!(
                    "{} {} ({}, {}): {}",
                    r.id,
                    r.title,
                    ci::severity_label(report, r),
                    ci::status_label(report, r.verdict),
                    ci::findings_line(report, r)
                )},
                "locations": [{"physicalLocation": location}],
                "properties": {
                    "declared": r.declared,
                    "verdict": r.verdict,
                    "blocking": ci::is_blocking(report, r),
                }
            });
            if let Some(waived) = ci::waiver(r) {
                result["suppressions"] = json!([{
                    "kind": "external",
                    "status": "accepted",
                    "justification": waived.message,
                }]);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": report.tool.name,
                "version": report.tool.version,
                "semanticVersion": report.tool.version,
                "rules": rules,
            }},
            "invocations": [{"executionSuccessful": true}],
            "results": results,
            "properties": {
                "asOf": report.as_of,
                "pack": {"id": report.pack.id, "version": report.pack.version, "digest": report.pack.digest},
                "assessment": {"digest": report.assessment.digest, "vendor": report.assessment.vendor, "service": report.assessment.service},
                "policy": report.policy,
                "readiness": report.readiness,
                "score": report.score.overall,
                "gate": {
                    "passed": report.gate.passed,
                    "reasons": report.gate.reasons,
                    "notes": report.gate.notes,
                    "blocking": report.gate.blocking,
                },
            },
        }],
    });
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    out
}
