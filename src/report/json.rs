//! Reading JSON reports back (`snc check --format json`, contract: `schemas/report.schema.json`): as a baseline for
//! the gate, and as one side of a diff or the claim `verify` checks.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::engine::gate::baseline::Baseline;
use crate::engine::score::PerMille;
use crate::model::error::{Diagnostic, Error, library_message};
use crate::msg;

use super::SCHEMA_VERSION;
use crate::engine::score::Readiness;
use crate::model::{Kind, Lang, RequirementId, Severity, Status};

/// The parts of a JSON report a diff and `verify` read (the report schema is the contract).
#[derive(Deserialize)]
pub struct DocReport {
    pub schema_version: u32,
    pub pack: DocPack,
    pub assessment: DocAssessment,
    pub as_of: NaiveDate,
    #[serde(default)]
    pub lang: Option<Lang>,
    pub readiness: Readiness,
    pub score: DocScore,
    pub requirements: Vec<DocRequirement>,
    #[serde(default)]
    pub review: Option<DocReview>,
    /// The policy the report was made with; absent from reports of earlier versions.
    #[serde(default)]
    pub policy: Option<DocPolicy>,
}

/// The policy a report records: its file and digest, and the thresholds in force.
#[derive(Deserialize)]
pub struct DocPolicy {
    pub file: Option<String>,
    pub digest: Option<String>,
    pub fail_on: Option<Severity>,
    pub min_score: Option<f64>,
}

#[derive(Deserialize)]
pub struct DocPack {
    pub id: String,
    pub version: String,
    #[serde(default)]
    pub pack_version: Option<String>,
    pub digest: String,
}

#[derive(Deserialize)]
pub struct DocAssessment {
    pub digest: String,
    pub vendor: String,
    pub service: String,
}

#[derive(Deserialize)]
pub struct DocScore {
    pub overall: f64,
    pub chapters: Vec<DocChapter>,
}

#[derive(Deserialize)]
pub struct DocChapter {
    pub chapter: String,
    #[serde(default)]
    pub title: Option<String>,
    pub score: f64,
}

#[derive(Deserialize)]
pub struct DocRequirement {
    pub id: String,
    #[serde(default)]
    pub chapter: Option<String>,
    pub kind: Kind,
    pub severity: Severity,
    pub applicable: bool,
    pub declared: Status,
    pub verdict: Status,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub findings: Vec<DocFinding>,
    #[serde(default)]
    pub evidence: Vec<DocEvidence>,
}

#[derive(Deserialize)]
pub struct DocFinding {
    pub code: String,
    /// The facts the finding's check read, with their values.
    #[serde(default)]
    pub facts: Vec<DocFact>,
}

#[derive(Deserialize)]
pub struct DocFact {
    pub path: String,
    #[serde(default)]
    pub value: serde_json::Value,
}

#[derive(Deserialize)]
pub struct DocEvidence {
    pub title: String,
    #[serde(default, rename = "ref")]
    pub reference: Option<String>,
    #[serde(default)]
    pub date: Option<NaiveDate>,
}

#[derive(Deserialize)]
pub struct DocReview {
    pub digest: String,
}

/// Reads a report as a baseline and checks that it was made with the pack `pack_id`.
pub fn load_baseline(path: &Path, pack_id: &str) -> Result<Baseline, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, msg!("io.read_baseline"), e))?;
    let name = path.display().to_string();
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::from(Diagnostic::file(&name, msg!("baseline.not_utf8"))))?;
    parse_baseline(&name, &text, pack_id)
}

/// Parses a report given as text as a baseline; `file` names it in diagnostics.
pub fn parse_baseline(file: &str, text: &str, pack_id: &str) -> Result<Baseline, Error> {
    let doc = parse(file, text, Purpose::Baseline)?;
    if doc.pack.id != pack_id {
        return Err(Diagnostic::file(
            file,
            msg!("baseline.other_pack", other = &doc.pack.id, pack = pack_id),
        )
        .into());
    }
    let overall = PerMille::from_percent(doc.score.overall).ok_or_else(|| {
        Error::from(Diagnostic::file(
            file,
            msg!("baseline.score", score = doc.score.overall.to_string()),
        ))
    })?;
    let mut verdicts = BTreeMap::new();
    for r in doc.requirements {
        let id: RequirementId =
            r.id.parse()
                .map_err(|e: crate::model::InvalidRequirementId| {
                    Error::from(Diagnostic::file(
                        file,
                        msg!("baseline.id", error = e.message()),
                    ))
                })?;
        verdicts.insert(id, r.verdict);
    }
    Ok(Baseline {
        pack_id: doc.pack.id,
        as_of: doc.as_of,
        overall,
        verdicts,
    })
}

/// What a JSON report is read for, told in the error when it is not one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Any use.
    Report,
    /// A baseline for the gate (`--baseline`).
    Baseline,
}

/// Parses a JSON report given as text; `file` names it in diagnostics, located at line and column, which say that
/// it is not a report usable for `purpose`.
pub fn parse(file: &str, text: &str, purpose: Purpose) -> Result<DocReport, Error> {
    let text = &*crate::model::json::without_bom(text);
    let located = |e: serde_json::Error| {
        Error::from(Diagnostic::json(file, text, &e, |detail| match purpose {
            Purpose::Report => msg!("report_file.not_a_report", detail),
            Purpose::Baseline => msg!("report_file.not_a_baseline", detail),
        }))
    };
    // Strictly first (a key given twice is an error), then into the report's shape, both located.
    crate::model::json::parse_strict(text).map_err(located)?;
    let doc: DocReport = serde_json::from_str(text).map_err(located)?;
    doc.supported(file)
}

/// A JSON report already parsed as JSON (`snc diff` reads a file before it knows whether it is a report).
pub fn from_value(file: &str, json: serde_json::Value) -> Result<DocReport, Error> {
    let doc: DocReport = serde_json::from_value(json).map_err(|e| {
        Diagnostic::file(
            file,
            msg!(
                "report_file.not_a_report_version",
                version = SCHEMA_VERSION,
                detail = library_message(&e.to_string())
            ),
        )
    })?;
    doc.supported(file)
}

impl DocReport {
    fn supported(self, file: &str) -> Result<DocReport, Error> {
        if self.schema_version == SCHEMA_VERSION {
            return Ok(self);
        }
        Err(Diagnostic::file(
            file,
            msg!(
                "report_file.unsupported_version",
                found = self.schema_version,
                supported = SCHEMA_VERSION
            ),
        )
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::score::PerMille;
    use crate::model::Status;

    const REPORT: &str = r#"{"schema_version": 1, "pack": {"id": "secnumcloud-3.2", "version": "3.2", "digest": "x"},
        "assessment": {"digest": "y", "vendor": "V", "service": "S"}, "readiness": "not_ready",
        "as_of": "2026-06-01", "score": {"overall": 91.3, "chapters": []},
        "requirements": [{"id": "12.6.c", "kind": "requirement", "severity": "high", "applicable": true,
                          "declared": "compliant", "verdict": "partially_compliant", "extra": 1}]}"#;

    #[test]
    fn reads_score_and_verdicts_and_ignores_other_fields() {
        let b = parse_baseline("old.json", REPORT, "secnumcloud-3.2").expect("valid");
        assert_eq!(b.overall, PerMille(913));
        assert_eq!(
            b.verdicts.get(&"12.6.c".parse().expect("id")),
            Some(&Status::PartiallyCompliant)
        );
    }

    #[test]
    fn rejects_a_report_of_another_pack() {
        let err = parse_baseline("old.json", REPORT, "iso-27001").expect_err("other pack");
        assert!(err.to_string().contains("pack `secnumcloud-3.2`"), "{err}");
    }

    #[test]
    fn rejects_an_assessment_given_as_baseline_with_its_place() {
        let err = parse_baseline(
            "a.json",
            "{\n  \"format\": \"snc-assessment/1\"\n}",
            "secnumcloud-3.2",
        )
        .expect_err("not a report");
        let err = err.to_string();
        assert!(
            err.contains("a.json:3:") && err.contains("missing field"),
            "{err}"
        );
    }
}
