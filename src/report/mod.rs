//! The report: one serializable view of an evaluation, rendered to every format.

pub mod json;
pub mod xlsx;

mod ci;
pub(crate) mod csv;
mod github;
mod gitlab;
pub mod guide;
mod junit;
mod recursion;
mod sarif;
mod summary;
pub(crate) mod templates;
mod text;
mod view;

use chrono::NaiveDate;
use serde::Serialize;

use crate::assessment::limits::Limits;
use crate::engine::gate::policy::Policy;
use crate::engine::result::{FactValue, Finding, RequirementResult};
use crate::engine::score::{NextLevel, PerMille, Readiness};
use crate::engine::{Outcome, RunInputs};
use crate::model::error::Error;
use crate::model::{Kind, Lang, RequirementId, ServiceType, Severity, Status};
use crate::pack::Pack;

pub use self::csv::render_csv;
pub use github::render_github;
pub use gitlab::render_gitlab;
pub use junit::render_junit;
pub use sarif::render_sarif;
pub use summary::{MAX_SUMMARY_CHARS, render_summary};
pub use templates::{Templates, escape_markdown};
pub use text::render_text;
pub use view::{View, safe_href, score_class, verdict_class};

/// Version of the JSON report format (contract: schemas/report.schema.json).
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize, Debug, Clone)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub pack: PackInfo,
    pub assessment: AssessmentInfo,
    pub as_of: NaiveDate,
    pub lang: Lang,
    pub readiness: Readiness,
    /// What the current level means, in the report's language.
    pub readiness_meaning: String,
    /// The level above the current one and the requirement ids it still needs; `null` at the top.
    pub readiness_next: Option<NextLevel>,
    pub score: ScoreView,
    pub gate: GateView,
    pub counts: Counts,
    /// How much of the assessment is filled in: answers, evidence, facts.
    pub progress: Progress,
    pub findings: Vec<FindingView>,
    pub requirements: Vec<RequirementView>,
    /// The reviewer file applied, if any (`--review`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<ReviewInfo>,
    /// The gate's policy: the file it was read from (or none: the built-in defaults), its thresholds and waivers.
    pub policy: PolicyInfo,
    /// The assessment file as named on the command line, for formats that point into it (not serialized: the
    /// JSON report must not depend on where the file was read from).
    #[serde(skip)]
    pub source_file: String,
    /// Line of each answer in the assessment file, by requirement id (not serialized).
    #[serde(skip)]
    pub answer_lines: std::collections::BTreeMap<String, usize>,
}

/// The reviewer file a report applies: its digest, so that the report can be verified with the same file.
#[derive(Serialize, Debug, Clone)]
pub struct ReviewInfo {
    pub digest: String,
    pub overrides: u32,
    /// The vendor the file is written for (`[vendor]`), as it names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// The reviewer's notes, in file order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<crate::engine::review::Note>,
    /// The evidence requests, in file order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requests: Vec<RequestView>,
    /// Requests still open on the evaluation date.
    pub open_requests: u32,
    /// Overrides decided on another assessment than this one (`[vendor] assessment_digest` differs): they may
    /// be stale.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stale_decisions: Vec<RequirementId>,
}

/// An evidence request and its state on the evaluation date.
#[derive(Serialize, Debug, Clone)]
pub struct RequestView {
    #[serde(flatten)]
    pub request: crate::engine::review::Request,
    /// `open`, `overdue` (open past its due date) or `closed`.
    pub state: &'static str,
}

/// Where the gate's policy came from and what it set: the provenance every format names.
#[derive(Serialize, Debug, Clone)]
pub struct PolicyInfo {
    /// The policy file as named (`--policy FILE`, or `snc.toml` found in the current folder); `null` for the
    /// built-in defaults (no file, or `--policy none`).
    pub file: Option<String>,
    /// SHA-256 of the policy file's bytes; `null` without a file.
    pub digest: Option<String>,
    /// The severity from which an unmet requirement fails the gate, after `--fail-on`; `null` for `never`.
    pub fail_on: Option<Severity>,
    /// The minimum overall score, after `--min-score`; `null` for none.
    pub min_score: Option<f64>,
    /// Every waiver of the policy, in file order, with what it did on the evaluation date.
    pub waivers: Vec<WaiverView>,
}

/// A waiver of the policy and what it did.
#[derive(Serialize, Debug, Clone)]
pub struct WaiverView {
    pub id: RequirementId,
    pub expires: NaiveDate,
    pub approved_by: String,
    pub reason: String,
    pub status: WaiverStatus,
}

/// What a waiver did on the evaluation date.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum WaiverStatus {
    /// It accepted a gap: the requirement does not fail the gate.
    Applied,
    /// Its expiry date is before the evaluation date: it accepted nothing.
    Expired,
    /// The requirement is not a gap (or not in the pack): nothing to accept.
    Unused,
}

impl PolicyInfo {
    fn of(policy: &Policy, results: &[RequirementResult], as_of: NaiveDate) -> PolicyInfo {
        PolicyInfo {
            file: policy.source.as_ref().map(|s| s.file.clone()),
            digest: policy.source.as_ref().map(|s| s.digest.clone()),
            fail_on: policy.fail_on,
            min_score: policy.min_score.map(PerMille::percent),
            waivers: policy
                .waivers
                .iter()
                .map(|w| WaiverView {
                    id: w.id.clone(),
                    expires: w.expires,
                    approved_by: w.approved_by.clone(),
                    reason: w.reason.clone(),
                    status: if !w.applies_on(as_of) {
                        WaiverStatus::Expired
                    } else if results
                        .iter()
                        .any(|r| r.id == w.id && r.has(crate::engine::result::Code::Waived))
                    {
                        WaiverStatus::Applied
                    } else {
                        WaiverStatus::Unused
                    },
                })
                .collect(),
        }
    }
}

/// The policy in one line, in the report's language: its file and digest, or the built-in defaults.
pub(crate) fn policy_line(report: &Report) -> String {
    match (&report.policy.file, &report.policy.digest) {
        (Some(file), Some(digest)) => crate::msg!(
            "report_policy.file",
            file = file.as_str(),
            digest = digest.as_str()
        )
        .render(report.lang),
        _ => crate::msg!("report_policy.none").render(report.lang),
    }
}

/// A waiver in one line, in the report's language; `escape` makes the vendor's texts safe for the destination.
pub(crate) fn waiver_line(
    report: &Report,
    w: &WaiverView,
    escape: impl Fn(&str, usize) -> String,
) -> String {
    let status = match w.status {
        WaiverStatus::Applied => "report_policy.applied",
        WaiverStatus::Expired => "report_policy.expired",
        WaiverStatus::Unused => "report_policy.unused",
    };
    crate::msg!(
        "report_policy.waiver",
        id = w.id.as_str(),
        expires = w.expires.to_string(),
        approved_by = escape(&w.approved_by, 200),
        reason = escape(&w.reason, 400),
        status = crate::model::i18n::Message::new(status),
    )
    .render(report.lang)
}

#[derive(Serialize, Debug, Clone)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

impl Tool {
    /// This program: `snc` and its version.
    #[must_use]
    pub fn current() -> Tool {
        Tool {
            name: "snc",
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

#[derive(Serialize, Debug, Clone)]
pub struct PackInfo {
    pub id: String,
    pub version: String,
    pub pack_version: String,
    pub digest: String,
}

impl PackInfo {
    /// What identifies `pack` in an output.
    #[must_use]
    pub fn of(pack: &Pack) -> PackInfo {
        PackInfo {
            id: pack.id.clone(),
            version: pack.version.clone(),
            pack_version: pack.pack_version.clone(),
            digest: pack.digest.clone(),
        }
    }
}

#[derive(Serialize, Debug, Clone)]
pub struct AssessmentInfo {
    pub digest: String,
    pub vendor: String,
    pub service: String,
    pub service_types: Vec<ServiceType>,
    pub built_on: Vec<BuiltOnView>,
}

#[derive(Serialize, Debug, Clone)]
pub struct BuiltOnView {
    pub layer: ServiceType,
    pub provider: Option<String>,
    pub secnumcloud_qualified: Option<bool>,
    pub qualification_valid_until: Option<NaiveDate>,
}

#[derive(Serialize, Debug, Clone)]
pub struct ScoreView {
    pub overall: f64,
    /// Whether the overall score means something: `false` when the vendor is ineligible or fewer than half of the
    /// applicable requirements are answered. The number stays (contract); reports show "not applicable" instead.
    pub meaningful: bool,
    pub chapters: Vec<ChapterScoreView>,
}

/// How much of the assessment is filled in, over applicable requirements (recommendations apart).
#[derive(Serialize, Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// Applicable requirements with a declared status (anything but `not_assessed`).
    pub answered: u32,
    pub applicable: u32,
    /// Requirements declared compliant or partially compliant that list at least one piece of evidence.
    pub evidence_present: u32,
    /// Requirements declared compliant or partially compliant: the claims that need evidence.
    pub evidence_expected: u32,
    /// Distinct facts read by the checks of applicable requirements that are known (not absent, not `null`).
    pub facts_known: u32,
    pub facts_checked: u32,
}

impl Progress {
    /// Whether fewer than half of the applicable requirements are answered.
    #[must_use]
    pub fn under_half_answered(&self) -> bool {
        u64::from(self.answered) * 2 < u64::from(self.applicable)
    }
}

#[derive(Serialize, Debug, Clone)]
pub struct ChapterScoreView {
    pub chapter: String,
    pub title: String,
    pub score: f64,
    pub applicable: u32,
    pub met: u32,
}

#[derive(Serialize, Debug, Clone)]
pub struct GateView {
    pub passed: bool,
    pub reasons: Vec<String>,
    /// Expired or unmatched waivers, unchecked chapter minimums, the baseline comparison.
    pub notes: Vec<String>,
    /// The requirements that fail the gate, in pack order.
    pub blocking: Vec<RequirementId>,
}

/// Verdict counts over applicable requirements (recommendations apart).
#[derive(Serialize, Debug, Clone, Default)]
pub struct Counts {
    pub applicable: u32,
    pub compliant: u32,
    pub partially_compliant: u32,
    pub non_compliant: u32,
    pub not_assessed: u32,
    pub inherited: u32,
    pub not_applicable: u32,
    pub recommendations: u32,
}

#[derive(Serialize, Debug, Clone)]
pub struct FindingView {
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<FactValue>,
    /// The names a failed check's detail found at fault, to highlight their rows (not serialized).
    #[serde(skip)]
    pub at_fault: Vec<String>,
}

#[derive(Serialize, Debug, Clone)]
pub struct RequirementView {
    pub id: RequirementId,
    pub chapter: String,
    pub kind: Kind,
    pub severity: Severity,
    pub applicable: bool,
    pub declared: Status,
    pub verdict: Status,
    pub title: String,
    pub findings: Vec<FindingView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inherited_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence_date: Option<NaiveDate>,
    /// The evidence the vendor listed, as written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<EvidenceView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// The reviewer's decision that set this verdict.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<crate::engine::result::ReviewNote>,
    /// An eligibility condition of the pack (not serialized: the pack says it).
    #[serde(skip)]
    pub eligibility: bool,
    /// The pack's effort hint (not serialized).
    #[serde(skip)]
    pub effort: Option<crate::pack::Effort>,
}

#[derive(Serialize, Debug, Clone)]
pub struct EvidenceView {
    pub title: String,
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
}

fn percent(p: PerMille) -> f64 {
    p.percent()
}

impl Report {
    /// Assembles the report of one run in one language.
    #[must_use]
    pub fn build(outcome: &Outcome<'_>, lang: Lang) -> Report {
        let Outcome {
            pack,
            assessment,
            as_of,
            evaluation,
            score,
            readiness,
            readiness_next,
            gate,
            review,
            policy,
        } = outcome;
        let (pack, as_of, readiness) = (*pack, *as_of, *readiness);
        let finding_view = |f: &Finding| FindingView {
            code: f.code.as_str(),
            message: f.message.get(lang).to_owned(),
            facts: f.facts.clone(),
            at_fault: f.at_fault.clone(),
        };
        let mut counts = Counts::default();
        for r in &evaluation.results {
            if r.kind == Kind::Recommendation {
                counts.recommendations += 1;
                continue;
            }
            if !r.applicable {
                continue;
            }
            counts.applicable += 1;
            match r.verdict {
                Status::Compliant => counts.compliant += 1,
                Status::PartiallyCompliant => counts.partially_compliant += 1,
                Status::NonCompliant => counts.non_compliant += 1,
                Status::NotAssessed => counts.not_assessed += 1,
                Status::Inherited => counts.inherited += 1,
                Status::NotApplicable => counts.not_applicable += 1,
            }
        }
        let progress = progress(pack, assessment, &evaluation.results);
        let meaningful = readiness != Readiness::Ineligible && !progress.under_half_answered();
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool::current(),
            pack: PackInfo::of(pack),
            assessment: AssessmentInfo {
                digest: assessment.digest.clone(),
                vendor: assessment.vendor.clone(),
                service: assessment.service_name.clone(),
                service_types: assessment.service_types.clone(),
                built_on: assessment
                    .built_on
                    .iter()
                    .map(|b| BuiltOnView {
                        layer: b.layer,
                        provider: b.provider.clone(),
                        secnumcloud_qualified: b.secnumcloud_qualified,
                        qualification_valid_until: b.qualification_valid_until,
                    })
                    .collect(),
            },
            as_of,
            lang,
            readiness,
            readiness_meaning: crate::model::i18n::t(lang, readiness.meaning_key()).to_owned(),
            readiness_next: readiness_next.clone(),
            score: ScoreView {
                overall: percent(score.overall),
                meaningful,
                chapters: score
                    .chapters
                    .iter()
                    .map(|c| ChapterScoreView {
                        chapter: c.chapter.clone(),
                        title: pack
                            .chapter(&c.chapter)
                            .map(|ch| ch.title.get(lang).to_owned())
                            .unwrap_or_default(),
                        score: percent(c.score),
                        applicable: c.applicable,
                        met: c.met,
                    })
                    .collect(),
            },
            gate: GateView {
                passed: gate.passed,
                reasons: gate
                    .reasons
                    .iter()
                    .map(|r| r.get(lang).to_owned())
                    .collect(),
                notes: gate.notes.iter().map(|n| n.get(lang).to_owned()).collect(),
                blocking: gate.blocking.clone(),
            },
            counts,
            policy: PolicyInfo::of(policy, &evaluation.results, as_of),
            progress,
            source_file: assessment.file.clone(),
            answer_lines: assessment
                .answer_lines
                .iter()
                .map(|(k, v)| (k.clone(), *v))
                .collect(),
            findings: evaluation.findings.iter().map(finding_view).collect(),
            review: review.map(|r| ReviewInfo {
                digest: r.digest.clone(),
                overrides: u32::try_from(r.overrides.len()).unwrap_or(u32::MAX),
                vendor: r
                    .vendor
                    .as_ref()
                    .map(crate::engine::review::VendorBinding::describe),
                notes: r.notes.clone(),
                requests: r
                    .requests
                    .iter()
                    .map(|q| RequestView {
                        request: q.clone(),
                        state: if q.is_overdue(as_of) {
                            "overdue"
                        } else if q.is_open(as_of) {
                            "open"
                        } else {
                            "closed"
                        },
                    })
                    .collect(),
                open_requests: u32::try_from(
                    r.requests.iter().filter(|q| q.is_open(as_of)).count(),
                )
                .unwrap_or(u32::MAX),
                stale_decisions: r.stale_decisions(&assessment.digest),
            }),
            requirements: evaluation
                .results
                .iter()
                .map(|r: &RequirementResult| RequirementView {
                    id: r.id.clone(),
                    chapter: r.chapter.clone(),
                    kind: r.kind,
                    severity: r.severity,
                    applicable: r.applicable,
                    declared: r.declared,
                    verdict: r.verdict,
                    title: pack
                        .requirement(&r.id)
                        .map(|q| q.title.get(lang).to_owned())
                        .unwrap_or_default(),
                    findings: r.findings.iter().map(finding_view).collect(),
                    inherited_from: r.inherited_from.clone(),
                    target_date: r.target_date,
                    owner: r.owner.clone(),
                    evidence_date: r.evidence_date,
                    evidence: assessment.answers.get(&r.id).map_or_else(Vec::new, |a| {
                        a.evidence
                            .iter()
                            .map(|e| EvidenceView {
                                title: e.title.clone(),
                                reference: e.reference.clone(),
                                date: e.date,
                            })
                            .collect()
                    }),
                    comment: assessment
                        .answers
                        .get(&r.id)
                        .and_then(|a| a.comment.clone()),
                    justification: assessment
                        .answers
                        .get(&r.id)
                        .and_then(|a| a.justification.clone()),
                    review: r.review.clone(),
                    eligibility: pack.requirement(&r.id).is_some_and(|q| q.eligibility),
                    effort: pack.requirement(&r.id).and_then(|q| q.effort),
                })
                .collect(),
        }
    }

    /// The report as pretty JSON, with a final newline.
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut out = serde_json::to_string_pretty(self).unwrap_or_default();
        out.push('\n');
        out
    }
}

/// Answers, evidence and facts filled in, over the applicable requirements of an evaluation.
fn progress(
    pack: &Pack,
    assessment: &crate::assessment::Assessment,
    results: &[RequirementResult],
) -> Progress {
    let mut p = Progress::default();
    let mut facts: Vec<&str> = Vec::new();
    for r in results.iter().filter(|r| r.applicable) {
        if let Some(q) = pack.requirement(&r.id) {
            for path in q.checks.iter().flat_map(|c| &c.facts) {
                if !facts.contains(&path.as_str()) {
                    facts.push(path);
                }
            }
        }
        if r.kind != Kind::Requirement {
            continue;
        }
        p.applicable += 1;
        if r.declared != Status::NotAssessed {
            p.answered += 1;
        }
        if matches!(r.declared, Status::Compliant | Status::PartiallyCompliant) {
            p.evidence_expected += 1;
            if assessment
                .answers
                .get(&r.id)
                .is_some_and(|a| !a.evidence.is_empty())
            {
                p.evidence_present += 1;
            }
        }
    }
    let known = |path: &str| {
        path.split('.')
            .try_fold(&assessment.facts, |v, key| v.get(key))
            .is_some_and(|v| !v.is_null())
    };
    p.facts_checked = u32::try_from(facts.len()).unwrap_or(u32::MAX);
    p.facts_known = u32::try_from(facts.iter().filter(|f| known(f)).count()).unwrap_or(u32::MAX);
    p
}

/// Reads, evaluates and reports one assessment file: the pipeline behind `check`, `portfolio`, `diff` and
/// `verify`.
pub fn evaluate_file(
    pack: &Pack,
    path: &std::path::Path,
    inputs: &RunInputs<'_>,
    limits: &Limits,
    lang: Lang,
) -> Result<Report, Error> {
    let assessment = crate::assessment::load_any(path, pack, limits)?;
    let outcome = crate::engine::run(pack, assessment, inputs)?;
    Ok(Report::build(&outcome, lang))
}

/// Every output format of a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Markdown,
    Html,
    Junit,
    Sarif,
    Csv,
    Github,
    /// The compact Markdown summary (`--format markdown --compact`).
    Summary,
    /// GitLab's Code Quality report.
    Gitlab,
}

/// Renders reports in any format; the templates load on first use, so text and JSON never pay for them.
pub struct Renderer<'p> {
    pack: &'p Pack,
    templates_dir: Option<std::path::PathBuf>,
    templates: std::cell::OnceCell<Templates>,
    outputs: Vec<String>,
}

impl<'p> Renderer<'p> {
    #[must_use]
    pub fn new(pack: &'p Pack, templates_dir: Option<std::path::PathBuf>) -> Self {
        Self {
            pack,
            templates_dir,
            templates: std::cell::OnceCell::new(),
            outputs: Vec::new(),
        }
    }

    /// Names the report files written beside the rendered output, where the GitHub annotations and the compact
    /// summary send the reader for what they leave out.
    #[must_use]
    pub fn with_outputs(mut self, outputs: Vec<String>) -> Self {
        self.outputs = outputs;
        self
    }

    fn templates(&self) -> Result<&Templates, crate::model::error::Error> {
        if let Some(t) = self.templates.get() {
            return Ok(t);
        }
        let loaded = Templates::load(self.templates_dir.as_deref())?;
        Ok(self.templates.get_or_init(|| loaded))
    }

    /// Renders `report`; `color` adds terminal colours to text.
    pub fn render(
        &self,
        report: &Report,
        format: Format,
        color: bool,
    ) -> Result<String, crate::model::error::Error> {
        let out = match format {
            Format::Text => render_text(report, color),
            Format::Json => report.to_json(),
            Format::Markdown => self.templates()?.markdown(report, self.pack)?,
            Format::Html => self.templates()?.html(report, self.pack)?,
            Format::Junit => render_junit(report),
            Format::Sarif => render_sarif(report, self.pack),
            Format::Csv => render_csv(report),
            Format::Github => render_github(report, &self.outputs),
            Format::Summary => render_summary(report, &self.outputs),
            Format::Gitlab => render_gitlab(report),
        };
        if out.len() > MAX_OUTPUT_BYTES {
            return Err(too_large());
        }
        Ok(out)
    }
}

/// The largest report snc writes, in any format. Assessments within their limits stay far below it; a custom
/// template that repeats the data (four nested `each` over 278 requirements) would not, and is stopped there
/// rather than filling the memory.
pub const MAX_OUTPUT_BYTES: usize = 64 << 20;

/// A report over [`MAX_OUTPUT_BYTES`].
pub(crate) fn too_large() -> crate::model::error::Error {
    crate::model::error::Error::Usage(crate::msg!(
        "cli.report_too_large",
        limit = MAX_OUTPUT_BYTES >> 20
    ))
}
