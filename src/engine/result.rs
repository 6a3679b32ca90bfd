//! What an evaluation produces: finding codes, findings, the verdict on each requirement, reviewer notes. Every
//! layer above the engine reads these types; nothing here computes a verdict.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value as Json;

use crate::model::i18n::Message;
use crate::model::{Kind, RequirementId, Severity, Status, Texts};

crate::model::vocabulary!(
    /// Stable finding codes (contract: documented in docs/codes.md).
    Code {
        FactCheckFailed => "fact-check-failed",
        FactMissing => "fact-missing",
        DeclarationContradicted => "declaration-contradicted",
        EvidenceMissing => "evidence-missing",
        EvidenceStale => "evidence-stale",
        JustificationMissing => "justification-missing",
        InheritanceInvalid => "inheritance-invalid",
        TargetDateOverdue => "target-date-overdue",
        UnknownRequirement => "unknown-requirement",
        Waived => "waived",
        ReviewerOverride => "reviewer-override",
        DateInFuture => "date-in-future",
        DeclaredNotApplicable => "declared-not-applicable",
        EvidenceFileMissing => "evidence-file-missing",
        EvidenceFileChanged => "evidence-file-changed",
    }
);

/// A fact shown next to a failed or missing check.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FactValue {
    pub path: String,
    /// `null` when unknown.
    pub value: Json,
}

/// Something worth telling about a requirement (or, for `unknown-requirement`, about the assessment).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub code: Code,
    pub message: Texts,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<FactValue>,
    /// The names of the items a failed check's detail named (a cap table's holders): the rows of a list fact
    /// with that `name` or `concert_group` are the ones at fault.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub at_fault: Vec<String>,
}

impl Finding {
    /// A finding whose message is a catalogue message, kept in every language.
    pub(crate) fn new(code: Code, message: &Message) -> Self {
        Self {
            code,
            message: message.texts(),
            facts: Vec::new(),
            at_fault: Vec::new(),
        }
    }
}

/// The verdict on one requirement.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RequirementResult {
    pub id: RequirementId,
    pub chapter: String,
    pub kind: Kind,
    pub severity: Severity,
    pub applicable: bool,
    pub declared: Status,
    pub verdict: Status,
    pub findings: Vec<Finding>,
    /// The qualified provider an inherited verdict rests on.
    pub inherited_from: Option<String>,
    pub target_date: Option<NaiveDate>,
    pub owner: Option<String>,
    /// Date of the newest evidence, if any.
    pub evidence_date: Option<NaiveDate>,
    /// The reviewer's decision, when a reviewer file overrides this verdict.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<ReviewNote>,
}

impl RequirementResult {
    #[must_use]
    pub fn has(&self, code: Code) -> bool {
        self.findings.iter().any(|f| f.code == code)
    }

    /// An applicable requirement (not recommendation) whose verdict is not met.
    #[must_use]
    pub fn is_gap(&self) -> bool {
        crate::model::is_gap(self.applicable, self.kind, self.verdict)
    }
}

/// Every verdict, plus findings about the assessment as a whole.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evaluation {
    pub results: Vec<RequirementResult>,
    pub findings: Vec<Finding>,
}

/// The reviewer's decision on one requirement, kept on its result and shown in every report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReviewNote {
    pub reviewer: String,
    pub date: NaiveDate,
    pub reason: String,
    /// The verdict the engine had reached before the override.
    pub engine_verdict: Status,
}
