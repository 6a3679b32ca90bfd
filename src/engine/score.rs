//! Scores (integer per-mille, exact and deterministic) and the readiness level.

use serde::{Deserialize, Serialize};

use crate::engine::result::{Code, RequirementResult};
use crate::model::i18n::{Arg, Word};
use crate::model::{Kind, Severity, Status};
use crate::pack::Pack;

/// A score from 0 to 1000 (per-mille), shown as 0.0–100.0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PerMille(pub u32);

/// A score as shown (0.0–100.0, one decimal) to the per-mille, rounded half away from zero. Unchecked: a score
/// read from a file may lie outside 0–100 (see [`PerMille::from_percent`]).
#[must_use]
pub fn per_mille(score: f64) -> i64 {
    #[expect(
        clippy::cast_possible_truncation,
        reason = "a score read back is a small number; `as` saturates"
    )]
    let p = (score * 10.0).round() as i64;
    p
}

impl PerMille {
    /// A score or a number of points from 0 to 100, to the per-mille (one decimal, rounded half away from zero);
    /// `None` outside 0–100.
    #[must_use]
    pub fn from_percent(value: f64) -> Option<PerMille> {
        if !(0.0..=100.0).contains(&value) {
            return None;
        }
        u32::try_from(per_mille(value)).ok().map(PerMille)
    }

    /// The score on 0–100 with one decimal.
    #[must_use]
    pub fn percent(self) -> f64 {
        f64::from(self.0) / 10.0
    }
}

/// In prose: the score with one decimal, in the language's format.
impl From<PerMille> for Arg {
    fn from(p: PerMille) -> Self {
        Arg::number(p.percent(), 1)
    }
}

impl std::fmt::Display for PerMille {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.0 / 10, self.0 % 10)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChapterScore {
    pub chapter: String,
    pub score: PerMille,
    /// Applicable requirements counted.
    pub applicable: u32,
    /// Of those, met (compliant, inherited or not applicable by declaration).
    pub met: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Score {
    pub overall: PerMille,
    pub chapters: Vec<ChapterScore>,
}

/// Half-points earned by a verdict: met 2, partially 1, others 0.
fn half_points(verdict: Status) -> u64 {
    match verdict {
        Status::Compliant | Status::Inherited => 2,
        Status::PartiallyCompliant => 1,
        _ => 0,
    }
}

/// Whether a result counts in the score: an applicable requirement, not declared away.
fn scored(r: &RequirementResult) -> bool {
    r.applicable && r.kind == Kind::Requirement && r.verdict != Status::NotApplicable
}

/// Severity-weighted score of `results`, rounded half up to the per-mille; 1000 when nothing is scored.
#[must_use]
pub fn weighted(pack: &Pack, results: &[&RequirementResult]) -> PerMille {
    let (mut earned, mut total) = (0_u64, 0_u64);
    for r in results.iter().filter(|r| scored(r)) {
        let weight = u64::from(pack.weights.of(r.severity));
        total += 2 * weight;
        earned += half_points(r.verdict) * weight;
    }
    if total == 0 {
        return PerMille(1000);
    }
    PerMille(u32::try_from((earned * 1000 * 2 + total) / (2 * total)).unwrap_or(1000))
}

/// The overall score and one per chapter that has scored requirements, in pack order.
#[must_use]
pub fn score(pack: &Pack, results: &[RequirementResult]) -> Score {
    let all: Vec<&RequirementResult> = results.iter().collect();
    let chapters = pack
        .chapters
        .iter()
        .filter_map(|chapter| {
            let in_chapter: Vec<&RequirementResult> = results
                .iter()
                .filter(|r| r.chapter == chapter.number)
                .collect();
            let counted: Vec<&&RequirementResult> =
                in_chapter.iter().filter(|r| scored(r)).collect();
            if counted.is_empty() {
                return None;
            }
            Some(ChapterScore {
                chapter: chapter.number.clone(),
                score: weighted(pack, &in_chapter),
                applicable: u32::try_from(counted.len()).unwrap_or(u32::MAX),
                met: u32::try_from(counted.iter().filter(|r| r.verdict.is_met()).count())
                    .unwrap_or(u32::MAX),
            })
        })
        .collect();
    Score {
        overall: weighted(pack, &all),
        chapters,
    }
}

/// How close the vendor is to qualification (contract).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Readiness {
    /// A critical requirement is `non_compliant`: the company or architecture must change first.
    Ineligible,
    NotReady,
    /// No critical or high gap, and the score at or above the pack's threshold.
    AuditReady,
    /// Every applicable requirement met, with fresh evidence.
    QualificationReady,
}

impl Readiness {
    /// Every level, worst first.
    pub const ALL: &'static [Readiness] = &[
        Readiness::Ineligible,
        Readiness::NotReady,
        Readiness::AuditReady,
        Readiness::QualificationReady,
    ];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Readiness::Ineligible => "ineligible",
            Readiness::NotReady => "not_ready",
            Readiness::AuditReady => "audit_ready",
            Readiness::QualificationReady => "qualification_ready",
        }
    }
}

impl Word for Readiness {
    const PREFIX: &'static str = "readiness";
    fn name(self) -> &'static str {
        self.as_str()
    }
}

/// The readiness level of an evaluation.
#[must_use]
pub fn readiness(pack: &Pack, results: &[RequirementResult], score: &Score) -> Readiness {
    let requirements = || {
        results
            .iter()
            .filter(|r| r.applicable && r.kind == Kind::Requirement)
    };
    if requirements().any(|r| r.severity == Severity::Critical && r.verdict == Status::NonCompliant)
    {
        return Readiness::Ineligible;
    }
    // A reviewer's verdict is final: a reviewed requirement counts by its verdict alone.
    let all_met = requirements().all(|r| {
        r.verdict.is_met()
            && (r.review.is_some()
                || (!r.has(Code::EvidenceStale) && !r.has(Code::EvidenceMissing)))
    });
    if all_met {
        return Readiness::QualificationReady;
    }
    let serious_gap =
        requirements().any(|r| r.severity.at_least(Severity::High) && !r.verdict.is_met());
    if !serious_gap && score.overall.0 >= pack.audit_ready_min_score * 10 {
        return Readiness::AuditReady;
    }
    Readiness::NotReady
}
