//! The CI gate: which gaps, scores and regressions fail the build. Exit codes never depend on anything else.

pub mod baseline;
pub mod policy;

use std::collections::BTreeSet;

use serde::Serialize;

use self::baseline::Baseline;
use self::policy::Policy;
use crate::engine::result::{Code, RequirementResult};
use crate::engine::score::{PerMille, Score};
use crate::model::i18n::Message;
use crate::model::{Kind, RequirementId, Texts};
use crate::msg;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GateOutcome {
    pub passed: bool,
    /// Why the gate failed, one line per rule that failed.
    pub reasons: Vec<Texts>,
    /// What the gate did not apply or wants known: expired or unmatched waivers, unchecked chapter minimums, the
    /// baseline comparison.
    pub notes: Vec<Texts>,
    /// The requirements that fail the gate, in pack order.
    pub blocking: Vec<RequirementId>,
}

/// A requirement that can block: applicable, of kind requirement, and not waived.
fn can_block(r: &RequirementResult) -> bool {
    r.applicable && r.kind == Kind::Requirement && !r.has(Code::Waived)
}

/// Applies `policy` (and a baseline, if any) to an evaluation whose waivers are already applied.
#[must_use]
pub fn gate(
    policy: &Policy,
    results: &[RequirementResult],
    score: &Score,
    baseline: Option<&Baseline>,
) -> GateOutcome {
    let mut reasons = Vec::new();
    let mut notes = Vec::new();
    let mut blocking: BTreeSet<&RequirementId> = BTreeSet::new();

    if let Some(threshold) = policy.fail_on {
        let gaps: Vec<&RequirementResult> = results
            .iter()
            .filter(|r| can_block(r) && r.is_gap() && r.severity.at_least(threshold))
            .collect();
        if !gaps.is_empty() {
            let list: Vec<Message> = gaps
                .iter()
                .map(|r| {
                    msg!(
                        "gating.item",
                        id = &r.id,
                        severity = r.severity,
                        verdict = r.verdict
                    )
                })
                .collect();
            reasons.push(
                msg!(
                    "gating.severity",
                    count = gaps.len(),
                    severity = threshold,
                    list
                )
                .texts(),
            );
            blocking.extend(gaps.iter().map(|r| &r.id));
        }
    }

    for (enabled, code, key) in [
        (
            policy.fail_on_stale_evidence,
            Code::EvidenceStale,
            "gating.stale_evidence",
        ),
        (
            policy.fail_on_missing_evidence,
            Code::EvidenceMissing,
            "gating.missing_evidence",
        ),
    ] {
        if !enabled {
            continue;
        }
        let hit: Vec<&RequirementResult> = results
            .iter()
            .filter(|r| can_block(r) && r.has(code))
            .collect();
        if !hit.is_empty() {
            let ids = hit
                .iter()
                .map(|r| r.id.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            reasons.push(
                Message::new(key)
                    .arg("count", hit.len())
                    .arg("ids", ids)
                    .texts(),
            );
            blocking.extend(hit.iter().map(|r| &r.id));
        }
    }

    if let Some(min) = policy.min_score
        && score.overall < min
    {
        reasons.push(msg!("gating.min_score", score = score.overall, min).texts());
    }

    for (chapter, min) in &policy.min_chapter_score {
        match score.chapters.iter().find(|c| &c.chapter == chapter) {
            Some(c) if c.score < *min => reasons.push(
                msg!(
                    "gating.min_chapter_score",
                    chapter = chapter.as_str(),
                    score = c.score,
                    min = *min
                )
                .texts(),
            ),
            Some(_) => {}
            None => {
                notes.push(msg!("gating.chapter_not_scored", chapter = chapter.as_str()).texts());
            }
        }
    }

    if let Some(base) = baseline {
        let worse: Vec<(&RequirementResult, crate::model::Status)> = results
            .iter()
            .filter(|r| r.kind == Kind::Requirement && !r.has(Code::Waived))
            .filter_map(|r| {
                base.verdicts
                    .get(&r.id)
                    .filter(|before| r.verdict.is_worse_than(**before))
                    .map(|before| (r, *before))
            })
            .collect();
        if !worse.is_empty() {
            let list: Vec<Message> = worse
                .iter()
                .map(|(r, before)| {
                    msg!(
                        "gating.regression",
                        id = &r.id,
                        before = *before,
                        now = r.verdict
                    )
                })
                .collect();
            reasons.push(
                msg!(
                    "gating.regressed",
                    count = worse.len(),
                    date = base.as_of,
                    list
                )
                .texts(),
            );
            blocking.extend(worse.iter().map(|(r, _)| &r.id));
        }
        let drop = base.overall.0.saturating_sub(score.overall.0);
        if drop > policy.max_score_drop.0 {
            reasons.push(
                msg!(
                    "gating.score_drop",
                    drop = PerMille(drop),
                    date = base.as_of,
                    before = base.overall,
                    now = score.overall,
                    allowed = policy.max_score_drop
                )
                .texts(),
            );
        }
        let unknown = results
            .iter()
            .filter(|r| r.kind == Kind::Requirement && !base.verdicts.contains_key(&r.id))
            .count();
        let (date, before, now, count) = (base.as_of, base.overall, score.overall, worse.len());
        let note = if unknown > 0 {
            msg!(
                "gating.baseline_with_unknown",
                date,
                before,
                now,
                count,
                unknown
            )
        } else {
            msg!("gating.baseline", date, before, now, count)
        };
        notes.push(note.texts());
    }

    GateOutcome {
        passed: reasons.is_empty(),
        reasons,
        notes,
        blocking: results
            .iter()
            .filter(|r| blocking.contains(&r.id))
            .map(|r| r.id.clone())
            .collect(),
    }
}
