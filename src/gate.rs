//! The CI gate: which gaps and scores fail the build. Exit codes never depend on anything else.

use serde::Serialize;

use crate::evaluate::RequirementResult;
use crate::i18n::t;
use crate::model::Lang;
use crate::model::Severity;
use crate::pack::Texts;
use crate::score::{PerMille, Score};

/// What fails the gate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// A gap at or above this severity fails; `None` never fails on gaps.
    pub fail_on: Option<Severity>,
    /// An overall score below this fails.
    pub min_score: Option<PerMille>,
}

impl Default for Policy {
    /// By default any unmet applicable critical requirement fails, and there is no minimum score.
    fn default() -> Self {
        Self {
            fail_on: Some(Severity::Critical),
            min_score: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GateOutcome {
    pub passed: bool,
    pub reasons: Vec<Texts>,
}

/// Applies `policy` to an evaluation.
#[must_use]
pub fn gate(policy: &Policy, results: &[RequirementResult], score: &Score) -> GateOutcome {
    let mut reasons = Vec::new();
    if let Some(threshold) = policy.fail_on {
        let gaps: Vec<&RequirementResult> = results
            .iter()
            .filter(|r| r.is_gap() && r.severity.at_least(threshold))
            .collect();
        if !gaps.is_empty() {
            let list = |lang: Lang| {
                gaps.iter()
                    .map(|r| {
                        let severity = t(lang, &format!("severity_{}", r.severity));
                        let verdict = t(lang, &format!("status_{}", r.verdict));
                        format!("{} ({severity}, {verdict})", r.id)
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let n = gaps.len();
            reasons.push(Texts {
                en: format!(
                    "{n} requirement(s) of severity {} or above not met: {}",
                    t(Lang::En, &format!("severity_{threshold}")),
                    list(Lang::En)
                ),
                fr: format!(
                    "{n} exigence(s) de sévérité {} ou plus non satisfaite(s) : {}",
                    t(Lang::Fr, &format!("severity_{threshold}")),
                    list(Lang::Fr)
                ),
            });
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
    GateOutcome {
        passed: reasons.is_empty(),
        reasons,
    }
}
