//! `snc verify`: does a JSON report tell the truth about its assessment? Compares the report read back with the
//! same evaluation done now.

use std::collections::BTreeMap;

use crate::model::i18n::Message;
use crate::msg;
use crate::report::Report;
use crate::report::json::DocReport;

/// One thing that differs between the report and the re-evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// What differs: `verdict of 12.6.c`.
    pub what: Message,
    /// The value the report holds: its JSON value, or a word such as `none`.
    pub in_report: Message,
    /// The value the evaluation gives now.
    pub recomputed: Message,
}

fn per_mille(score: f64) -> i64 {
    #[expect(clippy::cast_possible_truncation, reason = "a score is 0–100")]
    let p = (score * 10.0).round() as i64;
    p
}

/// A JSON value of the report, shown as one.
fn value(value: impl Into<String>) -> Message {
    msg!("verify.value", value = value.into())
}

/// Compares a report read from a file with the same evaluation done now.
#[must_use]
pub fn compare(doc: &DocReport, fresh: &Report) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut check = |what: Message, in_report: Message, recomputed: Message| {
        if in_report != recomputed {
            out.push(Difference {
                what,
                in_report,
                recomputed,
            });
        }
    };
    check(
        msg!("verify.pack_id"),
        value(&doc.pack.id),
        value(&fresh.pack.id),
    );
    check(
        msg!("verify.pack_version"),
        value(&doc.pack.version),
        value(&fresh.pack.version),
    );
    if let Some(v) = &doc.pack.pack_version {
        check(
            msg!("verify.pack_pack_version"),
            value(v),
            value(&fresh.pack.pack_version),
        );
    }
    check(
        msg!("verify.pack_digest"),
        value(&doc.pack.digest),
        value(&fresh.pack.digest),
    );
    check(
        msg!("verify.assessment_digest"),
        value(&doc.assessment.digest),
        value(&fresh.assessment.digest),
    );
    let none = || msg!("verify.none");
    check(
        msg!("verify.review_digest"),
        doc.review.as_ref().map_or_else(none, |r| value(&r.digest)),
        fresh
            .review
            .as_ref()
            .map_or_else(none, |r| value(&r.digest)),
    );
    check(
        msg!("verify.readiness"),
        value(doc.readiness.as_str()),
        value(fresh.readiness.as_str()),
    );
    let show = |p: i64| value(format!("{}.{}", p / 10, p % 10));
    check(
        msg!("verify.overall_score"),
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
            msg!("verify.chapter_score", chapter = c),
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
        let id = r.id.as_str();
        match fresh_by_id.get(id) {
            Some(f) => {
                check(
                    msg!("verify.verdict", id),
                    value(r.verdict.as_str()),
                    value(f.verdict.as_str()),
                );
                check(
                    msg!("verify.declared", id),
                    value(r.declared.as_str()),
                    value(f.declared.as_str()),
                );
            }
            None => check(
                msg!("verify.requirement", id),
                msg!("verify.listed"),
                none(),
            ),
        }
    }
    for r in &fresh.requirements {
        if !seen.contains(r.id.as_str()) {
            check(
                msg!("verify.requirement", id = r.id.as_str()),
                none(),
                msg!("verify.listed"),
            );
        }
    }
    out
}
