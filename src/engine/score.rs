//! Scores (integer per-mille, exact and deterministic) and the readiness level.

#[cfg(test)]
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::engine::result::{Code, RequirementResult};
use crate::model::i18n::{Arg, Word};
use crate::model::{Kind, RequirementId, Severity, Status};
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

/// How close the vendor is to qualification (contract: the names and their order; the rules are in
/// `docs/readiness.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Readiness {
    /// An eligibility condition of the pack (`eligibility = true`) fails on the facts: the company, the contract
    /// law or the architecture must change before anything else matters.
    Ineligible,
    /// Eligible, but an applicable requirement is non-compliant or not assessed, a critical or high one is not
    /// fully met, or a medium or low partial item has no owner or no target date still ahead.
    NotReady,
    /// Nothing non-compliant or unassessed; the only gaps are medium or low partially compliant items, each owned
    /// and planned.
    AuditReady,
    /// Every applicable requirement compliant, validly inherited or justifiably not applicable, with evidence
    /// present and fresh and every fact it needs known.
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

impl Readiness {
    /// The catalogue key of what the level means.
    #[must_use]
    pub fn meaning_key(self) -> &'static str {
        match self {
            Readiness::Ineligible => "readiness_meaning_ineligible",
            Readiness::NotReady => "readiness_meaning_not_ready",
            Readiness::AuditReady => "readiness_meaning_audit_ready",
            Readiness::QualificationReady => "readiness_meaning_qualification_ready",
        }
    }
}

impl Word for Readiness {
    const PREFIX: &'static str = "readiness";
    fn name(self) -> &'static str {
        self.as_str()
    }
}

/// The level above the current one and the requirements that keep the vendor from it, in pack order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NextLevel {
    pub level: Readiness,
    pub missing: Vec<RequirementId>,
}

/// An eligibility condition that fails: non-compliant on the facts, or by a reviewer's decision.
fn fails_eligibility(pack: &Pack, r: &RequirementResult) -> bool {
    pack.requirement(&r.id).is_some_and(|q| q.eligibility)
        && r.verdict == Status::NonCompliant
        && (r.has(Code::FactCheckFailed) || r.review.is_some())
}

/// What keeps an eligible vendor from `audit_ready`: anything non-compliant or unassessed, a critical or high item
/// not fully met, a partial item without an owner or a target date still ahead.
fn blocks_audit(r: &RequirementResult) -> bool {
    match r.verdict {
        Status::NonCompliant | Status::NotAssessed => true,
        _ if r.severity.at_least(Severity::High) => !r.verdict.is_met(),
        Status::PartiallyCompliant => {
            let owned = r.owner.as_deref().is_some_and(|o| !o.trim().is_empty());
            !owned || r.target_date.is_none() || r.has(Code::TargetDateOverdue)
        }
        _ => false,
    }
}

/// What keeps a vendor from `qualification_ready`: a verdict not met, or (unless a reviewer decided it) evidence
/// missing, stale or dated in the future, or a fact the checks need unknown.
fn blocks_qualification(r: &RequirementResult) -> bool {
    !r.verdict.is_met()
        || (r.review.is_none()
            && [
                Code::EvidenceMissing,
                Code::EvidenceStale,
                Code::DateInFuture,
                Code::FactMissing,
            ]
            .into_iter()
            .any(|c| r.has(c)))
}

/// The readiness level of an evaluation, and what the next level still needs (`None` at the top).
#[must_use]
pub fn readiness(pack: &Pack, results: &[RequirementResult]) -> (Readiness, Option<NextLevel>) {
    let requirements: Vec<&RequirementResult> = results
        .iter()
        .filter(|r| r.applicable && r.kind == Kind::Requirement)
        .collect();
    let ids = |keep: &dyn Fn(&RequirementResult) -> bool| -> Vec<RequirementId> {
        requirements
            .iter()
            .filter(|r| keep(r))
            .map(|r| r.id.clone())
            .collect()
    };
    let ladder = [
        (Readiness::NotReady, ids(&|r| fails_eligibility(pack, r))),
        (Readiness::AuditReady, ids(&blocks_audit)),
        (Readiness::QualificationReady, ids(&blocks_qualification)),
    ];
    let mut current = Readiness::Ineligible;
    for (level, missing) in ladder {
        if !missing.is_empty() {
            return (current, Some(NextLevel { level, missing }));
        }
        current = level;
    }
    (Readiness::QualificationReady, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::result::Finding;

    fn pack() -> &'static Pack {
        static PACK: std::sync::OnceLock<Pack> = std::sync::OnceLock::new();
        PACK.get_or_init(|| Pack::embedded().unwrap_or_else(|d| panic!("embedded pack: {d:?}")))
    }

    /// Every requirement of the pack compliant, with no finding: the top of the ladder.
    fn all_met() -> Vec<RequirementResult> {
        pack()
            .requirements
            .iter()
            .map(|q| RequirementResult {
                id: q.id.clone(),
                chapter: q.chapter.clone(),
                kind: q.kind,
                severity: q.severity,
                applicable: true,
                declared: Status::Compliant,
                verdict: Status::Compliant,
                findings: Vec::new(),
                inherited_from: None,
                target_date: None,
                owner: None,
                evidence_date: None,
                review: None,
            })
            .collect()
    }

    fn set<'a>(
        results: &'a mut [RequirementResult],
        id: &str,
        verdict: Status,
        finding: Option<Code>,
    ) -> &'a mut RequirementResult {
        let r = results
            .iter_mut()
            .find(|r| r.id.as_str() == id)
            .unwrap_or_else(|| panic!("no {id}"));
        r.verdict = verdict;
        if let Some(code) = finding {
            r.findings.push(Finding::new(
                code,
                &crate::model::i18n::Message::verbatim(""),
            ));
        }
        r
    }

    fn ids(next: Option<NextLevel>) -> (Option<Readiness>, Vec<String>) {
        next.map_or((None, Vec::new()), |n| {
            (
                Some(n.level),
                n.missing.iter().map(ToString::to_string).collect(),
            )
        })
    }

    #[test]
    fn everything_met_is_qualification_ready_with_no_next_level() {
        assert_eq!(
            readiness(pack(), &all_met()),
            (Readiness::QualificationReady, None)
        );
    }

    #[test]
    fn an_eligibility_condition_failing_on_facts_is_ineligible_and_lists_it() {
        let mut results = all_met();
        set(
            &mut results,
            "19.6.a",
            Status::NonCompliant,
            Some(Code::FactCheckFailed),
        );
        set(
            &mut results,
            "19.3.a",
            Status::NonCompliant,
            Some(Code::FactCheckFailed),
        );
        let (level, next) = readiness(pack(), &results);
        assert_eq!(level, Readiness::Ineligible);
        assert_eq!(
            ids(next),
            (Some(Readiness::NotReady), vec!["19.6.a".to_owned()])
        );
    }

    #[test]
    fn an_eligibility_condition_declared_non_compliant_without_failing_facts_is_not_ready() {
        let mut results = all_met();
        set(&mut results, "19.2.b", Status::NonCompliant, None);
        let (level, next) = readiness(pack(), &results);
        assert_eq!(level, Readiness::NotReady);
        assert_eq!(
            ids(next),
            (Some(Readiness::AuditReady), vec!["19.2.b".to_owned()])
        );
    }

    #[test]
    fn a_critical_item_failing_on_facts_that_is_no_eligibility_condition_is_not_ready() {
        let mut results = all_met();
        set(
            &mut results,
            "13.2.b",
            Status::NonCompliant,
            Some(Code::FactCheckFailed),
        );
        assert_eq!(readiness(pack(), &results).0, Readiness::NotReady);
    }

    #[test]
    fn a_medium_item_non_compliant_or_not_assessed_is_not_ready() {
        for verdict in [Status::NonCompliant, Status::NotAssessed] {
            let mut results = all_met();
            set(&mut results, "5.2.e", verdict, None);
            let (level, next) = readiness(pack(), &results);
            assert_eq!(level, Readiness::NotReady, "{verdict}");
            assert_eq!(ids(next).1, ["5.2.e"]);
        }
    }

    #[test]
    fn a_high_item_partially_met_is_not_ready_even_when_planned() {
        let mut results = all_met();
        let r = set(&mut results, "19.3.a", Status::PartiallyCompliant, None);
        r.owner = Some("CTO".to_owned());
        r.target_date = NaiveDate::from_ymd_opt(2027, 6, 1);
        assert_eq!(readiness(pack(), &results).0, Readiness::NotReady);
    }

    #[test]
    fn a_planned_partial_medium_item_is_audit_ready_and_qualification_needs_it() {
        let mut results = all_met();
        let r = set(
            &mut results,
            "5.2.e",
            Status::PartiallyCompliant,
            Some(Code::EvidenceStale),
        );
        r.owner = Some("RSSI".to_owned());
        r.target_date = NaiveDate::from_ymd_opt(2027, 1, 31);
        let (level, next) = readiness(pack(), &results);
        assert_eq!(level, Readiness::AuditReady);
        assert_eq!(
            ids(next),
            (
                Some(Readiness::QualificationReady),
                vec!["5.2.e".to_owned()]
            )
        );
    }

    #[test]
    fn a_partial_medium_item_without_owner_or_with_a_past_target_is_not_ready() {
        let mut results = all_met();
        let r = set(&mut results, "5.2.e", Status::PartiallyCompliant, None);
        r.target_date = NaiveDate::from_ymd_opt(2027, 1, 31);
        assert_eq!(
            readiness(pack(), &results).0,
            Readiness::NotReady,
            "no owner"
        );
        let r = set(
            &mut results,
            "5.2.e",
            Status::PartiallyCompliant,
            Some(Code::TargetDateOverdue),
        );
        r.owner = Some("RSSI".to_owned());
        assert_eq!(
            readiness(pack(), &results).0,
            Readiness::NotReady,
            "overdue"
        );
        let mut results = all_met();
        set(&mut results, "5.2.e", Status::PartiallyCompliant, None).owner =
            Some("RSSI".to_owned());
        assert_eq!(
            readiness(pack(), &results).0,
            Readiness::NotReady,
            "no target"
        );
    }

    #[test]
    fn met_items_with_unknown_facts_stale_or_future_evidence_keep_qualification_away() {
        for code in [
            Code::FactMissing,
            Code::EvidenceStale,
            Code::DateInFuture,
            Code::EvidenceMissing,
        ] {
            let mut results = all_met();
            set(&mut results, "11.2.2.a", Status::Inherited, Some(code));
            let (level, next) = readiness(pack(), &results);
            assert_eq!(level, Readiness::AuditReady, "{code}");
            assert_eq!(ids(next).1, ["11.2.2.a"]);
        }
    }

    #[test]
    fn a_reviewed_verdict_counts_alone_and_a_reviewer_can_make_a_vendor_ineligible() {
        let note = || crate::engine::result::ReviewNote {
            reviewer: "staff".to_owned(),
            date: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default(),
            reason: "checked".to_owned(),
            engine_verdict: Status::PartiallyCompliant,
        };
        let mut results = all_met();
        set(
            &mut results,
            "5.2.e",
            Status::Compliant,
            Some(Code::EvidenceStale),
        )
        .review = Some(note());
        assert_eq!(readiness(pack(), &results).0, Readiness::QualificationReady);
        set(&mut results, "19.6.c", Status::NonCompliant, None).review = Some(note());
        assert_eq!(readiness(pack(), &results).0, Readiness::Ineligible);
    }

    #[test]
    fn recommendations_and_inapplicable_items_never_count() {
        let mut results = all_met();
        set(&mut results, "6.4.a", Status::NonCompliant, None);
        set(&mut results, "9.5.c", Status::NotAssessed, None).applicable = false;
        assert_eq!(readiness(pack(), &results).0, Readiness::QualificationReady);
    }
}
