//! A baseline: the JSON report of an earlier `snc check --format json`, for regression gating.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::error::{Diagnostic, Error};
use crate::model::{RequirementId, Status};
use crate::score::PerMille;

/// What the gate needs from an earlier report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Baseline {
    pub pack_id: String,
    pub as_of: NaiveDate,
    pub overall: PerMille,
    /// The earlier verdict of every requirement, by id.
    pub verdicts: BTreeMap<RequirementId, Status>,
}

/// How good a verdict is, for regression checks (higher is better): met (`compliant`, `inherited`,
/// `not_applicable`) > `partially_compliant` > `not_assessed` > `non_compliant`.
#[must_use]
pub fn rank(verdict: Status) -> u8 {
    match verdict {
        Status::Compliant | Status::Inherited | Status::NotApplicable => 3,
        Status::PartiallyCompliant => 2,
        Status::NotAssessed => 1,
        Status::NonCompliant => 0,
    }
}

/// True when `now` is worse than `before` in the order of [`rank`].
#[must_use]
pub fn is_worse(before: Status, now: Status) -> bool {
    rank(now) < rank(before)
}

#[derive(Deserialize)]
struct RawReport {
    schema_version: u32,
    pack: RawPack,
    as_of: NaiveDate,
    score: RawScore,
    requirements: Vec<RawRequirement>,
}

#[derive(Deserialize)]
struct RawPack {
    id: String,
}

#[derive(Deserialize)]
struct RawScore {
    overall: f64,
}

#[derive(Deserialize)]
struct RawRequirement {
    id: String,
    verdict: Status,
}

/// Reads a baseline report and checks that it was made with the pack `pack_id`.
pub fn load(path: &Path, pack_id: &str) -> Result<Baseline, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, "read the baseline", e))?;
    let name = path.display().to_string();
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::from(Diagnostic::file(&name, "the baseline is not UTF-8 text")))?;
    parse(&name, &text, pack_id)
}

/// Parses a baseline report given as text; `file` names it in diagnostics.
pub fn parse(file: &str, text: &str, pack_id: &str) -> Result<Baseline, Error> {
    let raw: RawReport = serde_json::from_str(text).map_err(|e| {
        let message = e.to_string();
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(m, _)| m);
        // serde_json counts lines and columns from 1, columns in bytes.
        let line_start: usize = text
            .split_inclusive('\n')
            .take(e.line().saturating_sub(1))
            .map(str::len)
            .sum();
        Error::from(Diagnostic::at(
            file,
            text,
            line_start + e.column().saturating_sub(1),
            format!(
                "not a JSON report of `snc check --format json` usable as a baseline: {message}"
            ),
        ))
    })?;
    if raw.schema_version != crate::report::SCHEMA_VERSION {
        return Err(Diagnostic::file(
            file,
            format!(
                "the baseline is a report of schema_version {}, this snc reads {}",
                raw.schema_version,
                crate::report::SCHEMA_VERSION
            ),
        )
        .into());
    }
    if raw.pack.id != pack_id {
        return Err(Diagnostic::file(
            file,
            format!(
                "the baseline is a report for the pack `{}`, but this check uses the pack `{pack_id}`: compare reports of the same pack",
                raw.pack.id
            ),
        )
        .into());
    }
    let overall = crate::policy::per_mille(raw.score.overall).ok_or_else(|| {
        Error::from(Diagnostic::file(
            file,
            format!(
                "the baseline's overall score {} is not from 0 to 100",
                raw.score.overall
            ),
        ))
    })?;
    let mut verdicts = BTreeMap::new();
    for r in raw.requirements {
        let id: RequirementId = r
            .id
            .parse()
            .map_err(|e| Error::from(Diagnostic::file(file, format!("in the baseline: {e}"))))?;
        verdicts.insert(id, r.verdict);
    }
    Ok(Baseline {
        pack_id: raw.pack.id,
        as_of: raw.as_of,
        overall,
        verdicts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = r#"{"schema_version": 1, "pack": {"id": "secnumcloud-3.2", "version": "3.2", "digest": "x"},
        "as_of": "2026-06-01", "score": {"overall": 91.3, "chapters": []},
        "requirements": [{"id": "12.6.c", "verdict": "partially_compliant", "extra": 1}]}"#;

    #[test]
    fn verdict_order_puts_met_first_and_non_compliant_last() {
        use Status::{
            Compliant, Inherited, NonCompliant, NotApplicable, NotAssessed, PartiallyCompliant,
        };
        assert!(!is_worse(Compliant, Inherited) && !is_worse(Inherited, NotApplicable));
        assert!(is_worse(Compliant, PartiallyCompliant));
        assert!(is_worse(PartiallyCompliant, NotAssessed));
        assert!(is_worse(NotAssessed, NonCompliant));
        assert!(is_worse(NotApplicable, NotAssessed));
        assert!(!is_worse(NonCompliant, NotAssessed));
    }

    #[test]
    fn reads_score_and_verdicts_and_ignores_other_fields() {
        let b = parse("old.json", REPORT, "secnumcloud-3.2").expect("valid");
        assert_eq!(b.overall, PerMille(913));
        assert_eq!(
            b.verdicts.get(&"12.6.c".parse().expect("id")),
            Some(&Status::PartiallyCompliant)
        );
    }

    #[test]
    fn rejects_a_report_of_another_pack() {
        let err = parse("old.json", REPORT, "iso-27001").expect_err("other pack");
        assert!(err.to_string().contains("pack `secnumcloud-3.2`"), "{err}");
    }

    #[test]
    fn rejects_an_assessment_given_as_baseline_with_its_place() {
        let err = parse(
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
