//! `snc verify`: does a JSON report tell the truth about its assessment? Compares the report read back with the
//! same evaluation done now.

use std::collections::BTreeMap;

use crate::report::Report;
use crate::report::json::DocReport;

/// One thing that differs between the report and the re-evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub what: String,
    pub in_report: String,
    pub recomputed: String,
}

use crate::engine::score::per_mille;

/// Compares a report read from a file with the same evaluation done now.
#[must_use]
pub fn compare(doc: &DocReport, fresh: &Report) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut check = |what: &str, in_report: String, recomputed: String| {
        if in_report != recomputed {
            out.push(Difference {
                what: what.to_owned(),
                in_report,
                recomputed,
            });
        }
    };
    check("pack id", doc.pack.id.clone(), fresh.pack.id.clone());
    check(
        "pack version",
        doc.pack.version.clone(),
        fresh.pack.version.clone(),
    );
    if let Some(v) = &doc.pack.pack_version {
        check("pack_version", v.clone(), fresh.pack.pack_version.clone());
    }
    check(
        "pack digest",
        doc.pack.digest.clone(),
        fresh.pack.digest.clone(),
    );
    check(
        "assessment digest",
        doc.assessment.digest.clone(),
        fresh.assessment.digest.clone(),
    );
    let none = || "none".to_owned();
    check(
        "reviewer file digest",
        doc.review.as_ref().map_or_else(none, |r| r.digest.clone()),
        fresh
            .review
            .as_ref()
            .map_or_else(none, |r| r.digest.clone()),
    );
    check(
        "readiness",
        doc.readiness.as_str().to_owned(),
        fresh.readiness.as_str().to_owned(),
    );
    let show = |p: i64| format!("{}.{}", p / 10, p % 10);
    check(
        "overall score",
        show(per_mille(doc.score.overall)),
        show(per_mille(fresh.score.overall)),
    );
    let reported: BTreeMap<&str, i64> = doc
        .score
        .chapters
        .iter()
        .map(|c| (c.chapter.as_str(), per_mille(c.score)))
        .collect();
    let recomputed: BTreeMap<&str, i64> = fresh
        .score
        .chapters
        .iter()
        .map(|c| (c.chapter.as_str(), per_mille(c.score)))
        .collect();
    let mut chapters: Vec<&str> = reported.keys().chain(recomputed.keys()).copied().collect();
    chapters.sort_by_key(|c| c.parse::<u32>().unwrap_or(u32::MAX));
    chapters.dedup();
    for c in chapters {
        let opt = |v: Option<&i64>| v.map_or_else(none, |p| show(*p));
        check(
            &format!("score of chapter {c}"),
            opt(reported.get(c)),
            opt(recomputed.get(c)),
        );
    }
    let fresh_by_id: BTreeMap<&str, &crate::report::RequirementView> = fresh
        .requirements
        .iter()
        .map(|r| (r.id.as_str(), r))
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    for r in &doc.requirements {
        seen.insert(r.id.as_str());
        match fresh_by_id.get(r.id.as_str()) {
            Some(f) => {
                check(
                    &format!("verdict of {}", r.id),
                    r.verdict.to_string(),
                    f.verdict.to_string(),
                );
                check(
                    &format!("declared status of {}", r.id),
                    r.declared.to_string(),
                    f.declared.to_string(),
                );
            }
            None => check(
                &format!("requirement {}", r.id),
                "listed".to_owned(),
                none(),
            ),
        }
    }
    for r in &fresh.requirements {
        if !seen.contains(r.id.as_str()) {
            check(
                &format!("requirement {}", r.id),
                none(),
                "listed".to_owned(),
            );
        }
    }
    out
}
