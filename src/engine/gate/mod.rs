//! The CI gate: which gaps, scores and regressions fail the build. Exit codes never depend on anything else.

pub mod baseline;
pub mod policy;

use std::collections::BTreeSet;
use std::fmt::Write;

use serde::Serialize;

use self::baseline::Baseline;
use self::policy::Policy;
use crate::engine::result::{Code, RequirementResult};
use crate::engine::score::{PerMille, Score};
use crate::model::Texts;
use crate::model::i18n::t;
use crate::model::{Kind, Lang, RequirementId};

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

fn label(lang: Lang, key: &str) -> &'static str {
    t(lang, key)
}

fn status(lang: Lang, verdict: crate::model::Status) -> &'static str {
    label(lang, &format!("status_{verdict}"))
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
            let list = |lang: Lang| {
                gaps.iter()
                    .map(|r| {
                        let severity = label(lang, &format!("severity_{}", r.severity));
                        format!("{} ({severity}, {})", r.id, status(lang, r.verdict))
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let n = gaps.len();
            reasons.push(Texts {
                en: format!(
                    "{n} requirement(s) of severity {} or above not met: {}",
                    label(Lang::En, &format!("severity_{threshold}")),
                    list(Lang::En)
                ),
                fr: format!(
                    "{n} exigence(s) de sévérité {} ou plus non satisfaite(s) : {}",
                    label(Lang::Fr, &format!("severity_{threshold}")),
                    list(Lang::Fr)
                ),
            });
            blocking.extend(gaps.iter().map(|r| &r.id));
        }
    }

    for (enabled, code, en, fr) in [
        (
            policy.fail_on_stale_evidence,
            Code::EvidenceStale,
            "have stale evidence",
            "ont une preuve trop ancienne",
        ),
        (
            policy.fail_on_missing_evidence,
            Code::EvidenceMissing,
            "are declared compliant without evidence",
            "sont déclarées conformes sans preuve",
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
            let n = hit.len();
            reasons.push(Texts {
                en: format!("{n} requirement(s) {en}: {ids}"),
                fr: format!("{n} exigence(s) {fr} : {ids}"),
            });
            blocking.extend(hit.iter().map(|r| &r.id));
        }
    }

    if let Some(min) = policy.min_score
        && score.overall < min
    {
        reasons.push(Texts {
            en: format!("overall score {} is below the minimum {min}", score.overall),
            fr: format!(
                "le score global {} est inférieur au minimum {min}",
                score.overall
            ),
        });
    }

    for (chapter, min) in &policy.min_chapter_score {
        match score.chapters.iter().find(|c| &c.chapter == chapter) {
            Some(c) if c.score < *min => reasons.push(Texts {
                en: format!(
                    "chapter {chapter} score {} is below its minimum {min}",
                    c.score
                ),
                fr: format!(
                    "le score du chapitre {chapter}, {}, est inférieur à son minimum {min}",
                    c.score
                ),
            }),
            Some(_) => {}
            None => notes.push(Texts {
                en: format!(
                    "chapter {chapter} has no applicable requirement: its minimum score is not checked"
                ),
                fr: format!(
                    "le chapitre {chapter} n'a aucune exigence applicable : son score minimum n'est pas vérifié"
                ),
            }),
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
            let list = |lang: Lang| {
                worse
                    .iter()
                    .map(|(r, before)| {
                        format!(
                            "{} ({} → {})",
                            r.id,
                            status(lang, *before),
                            status(lang, r.verdict)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let n = worse.len();
            reasons.push(Texts {
                en: format!(
                    "{n} requirement(s) got worse since the baseline of {}: {}",
                    base.as_of,
                    list(Lang::En)
                ),
                fr: format!(
                    "{n} exigence(s) en recul depuis la référence du {} : {}",
                    base.as_of,
                    list(Lang::Fr)
                ),
            });
            blocking.extend(worse.iter().map(|(r, _)| &r.id));
        }
        let drop = base.overall.0.saturating_sub(score.overall.0);
        if drop > policy.max_score_drop.0 {
            reasons.push(Texts {
                en: format!(
                    "overall score dropped by {} since the baseline of {} ({} → {}), more than the {} allowed",
                    PerMille(drop),
                    base.as_of,
                    base.overall,
                    score.overall,
                    policy.max_score_drop
                ),
                fr: format!(
                    "le score global a baissé de {} depuis la référence du {} ({} → {}), plus que les {} tolérés",
                    PerMille(drop),
                    base.as_of,
                    base.overall,
                    score.overall,
                    policy.max_score_drop
                ),
            });
        }
        let unknown = results
            .iter()
            .filter(|r| r.kind == Kind::Requirement && !base.verdicts.contains_key(&r.id))
            .count();
        let n = worse.len();
        let mut en = format!(
            "compared with the baseline of {}: score {} → {}, {n} verdict(s) worse",
            base.as_of, base.overall, score.overall
        );
        let mut fr = format!(
            "comparé à la référence du {} : score {} → {}, {n} verdict(s) en recul",
            base.as_of, base.overall, score.overall
        );
        if unknown > 0 {
            let _ = write!(
                en,
                "; {unknown} requirement(s) absent from the baseline not compared"
            );
            let _ = write!(
                fr,
                " ; {unknown} exigence(s) absente(s) de la référence non comparée(s)"
            );
        }
        notes.push(Texts { en, fr });
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
