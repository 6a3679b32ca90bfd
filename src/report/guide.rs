//! What leads a first-timer through a report, for every format alike: the readiness ladder, why a vendor is
//! ineligible in one sentence, the first actions ranked by what unlocks the next level soonest, and whether the
//! overall score means anything yet.

use crate::engine::score::Readiness;
use crate::model::i18n::{label, t};
use crate::model::{Kind, Lang, Severity, Status};
use crate::msg;

use super::{Report, RequirementView};

/// How many actions a report puts first.
pub const FIRST_ACTIONS: usize = 10;

/// Why an action ranks where it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Why {
    /// The next readiness level needs it.
    NextLevel,
    /// An eligibility condition of the pack that is not met.
    Eligibility,
    /// A gap, ranked by severity.
    Gap,
}

/// One of the first actions: a requirement to close and why it comes first.
pub struct Action<'a> {
    pub requirement: &'a RequirementView,
    pub why: Why,
}

impl Action<'_> {
    /// Why the action ranks here, in the report's language.
    #[must_use]
    pub fn why_text(&self, report: &Report) -> String {
        let lang = report.lang;
        match self.why {
            Why::NextLevel => report
                .readiness_next
                .as_ref()
                .map_or_else(String::new, |n| {
                    msg!("guide.needed_for", level = label(lang, n.level)).render(lang)
                }),
            Why::Eligibility => t(lang, "action_eligibility").to_owned(),
            Why::Gap => String::new(),
        }
    }
}

fn severity_rank(s: Severity) -> usize {
    Severity::ALL
        .iter()
        .position(|x| *x == s)
        .unwrap_or(usize::MAX)
}

/// The rank of an effort hint: small first, no hint as medium.
fn effort_rank(effort: Option<crate::pack::Effort>) -> u8 {
    match effort {
        Some(crate::pack::Effort::Small) => 0,
        None | Some(crate::pack::Effort::Medium) => 1,
        Some(crate::pack::Effort::Large) => 2,
    }
}

/// The requirements to close first, at most [`FIRST_ACTIONS`]: those the next readiness level needs, then
/// eligibility conditions not met, then by severity (critical first), then by the pack's effort hint (small
/// first, none as medium), then non-compliant before partially met before unanswered, then in pack order.
#[must_use]
pub fn first_actions(report: &Report) -> Vec<Action<'_>> {
    let next: &[crate::model::RequirementId] = report
        .readiness_next
        .as_ref()
        .map_or(&[], |n| n.missing.as_slice());
    let verdict_rank = |s: Status| match s {
        Status::NonCompliant => 0,
        Status::PartiallyCompliant => 1,
        Status::NotAssessed => 2,
        _ => 3,
    };
    let mut actions: Vec<(usize, Action)> = report
        .requirements
        .iter()
        .enumerate()
        .filter(|(_, r)| r.applicable && r.kind == Kind::Requirement)
        .filter_map(|(i, r)| {
            let why = if next.contains(&r.id) {
                Why::NextLevel
            } else if r.verdict.is_met() {
                return None;
            } else if r.eligibility {
                Why::Eligibility
            } else {
                Why::Gap
            };
            Some((
                i,
                Action {
                    requirement: r,
                    why,
                },
            ))
        })
        .collect();
    actions.sort_by_key(|(i, a)| {
        (
            a.why,
            !a.requirement.eligibility || a.requirement.verdict.is_met(),
            severity_rank(a.requirement.severity),
            effort_rank(a.requirement.effort),
            verdict_rank(a.requirement.verdict),
            *i,
        )
    });
    actions
        .into_iter()
        .take(FIRST_ACTIONS)
        .map(|(_, a)| a)
        .collect()
}

/// Why the vendor is ineligible, in one sentence naming each failing condition and what fails; `None` when
/// eligible.
#[must_use]
pub fn ineligible_because(report: &Report) -> Option<String> {
    if report.readiness != Readiness::Ineligible {
        return None;
    }
    let lang = report.lang;
    let next = report.readiness_next.as_ref()?;
    let reasons: Vec<String> = next
        .missing
        .iter()
        .filter_map(|id| report.requirements.iter().find(|r| &r.id == id))
        .map(|r| {
            let what = r
                .findings
                .iter()
                .filter(|f| f.code == "fact-check-failed" || f.code == "reviewer-override")
                .map(|f| f.message.trim().trim_end_matches('.').to_owned())
                .collect::<Vec<_>>();
            match what.split_first() {
                None => format!("{} ({})", r.id, r.title),
                Some((first, rest)) => {
                    let more = if rest.is_empty() {
                        String::new()
                    } else {
                        format!(
                            " {}",
                            msg!("guide.more_failures", count = rest.len()).render(lang)
                        )
                    };
                    format!("{} ({}){}{first}{more}", r.id, r.title, t(lang, "colon"))
                }
            }
        })
        .collect();
    Some(msg!("guide.ineligible_because", reasons = reasons.join(" — ")).render(lang))
}

/// Why the overall score is shown as not applicable, in the report's language; `None` when it means something.
#[must_use]
pub fn score_caveat(report: &Report) -> Option<&'static str> {
    if report.score.meaningful {
        None
    } else if report.readiness == Readiness::Ineligible {
        Some(t(report.lang, "score_na_ineligible"))
    } else {
        Some(t(report.lang, "score_na_unanswered"))
    }
}

/// The overall score as shown: one decimal, or "not applicable" (see [`score_caveat`]).
#[must_use]
pub fn score_display(report: &Report) -> String {
    if report.score.meaningful {
        crate::model::i18n::number(report.lang, report.score.overall, 1)
    } else {
        t(report.lang, "score_na").to_owned()
    }
}

/// A percentage of `done` over `total`, rounded down (100 when there is nothing to do).
#[must_use]
pub fn share(done: u32, total: u32) -> u32 {
    if total == 0 {
        100
    } else {
        u32::try_from(u64::from(done) * 100 / u64::from(total)).unwrap_or(100)
    }
}

/// The progress lines: label, done, total, percent.
#[must_use]
pub fn progress_lines(report: &Report) -> Vec<(&'static str, u32, u32, u32)> {
    let p = &report.progress;
    let lang: Lang = report.lang;
    [
        ("progress_answered", p.answered, p.applicable),
        ("progress_evidence", p.evidence_present, p.evidence_expected),
        ("progress_facts", p.facts_known, p.facts_checked),
    ]
    .into_iter()
    .map(|(key, done, total)| (t(lang, key), done, total, share(done, total)))
    .collect()
}
