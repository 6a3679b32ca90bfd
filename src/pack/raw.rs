//! The rule-pack files as written: strict serde types, before validation. They hold no positions: the loader
//! names a problem by its place in the file (`requirement[3].title`), found in toml's spanned tree only when there
//! is a problem to report (see `load.rs`).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::IgnoredAny;
/// Values a rule file gives as data (constants, example facts) are read straight into JSON, the form checks
/// evaluate: through a TOML value they cost a second copy and a conversion at every load.
use serde_json::Value as Json;

use crate::model::{EvidenceKind, Kind, ServiceType, Severity};

/// A text in every pack language: `title.en`, `title.fr`. Other keys are kept (the loader reports them) rather
/// than refused while parsing, so that one misspelt language does not hide every other problem of its file.
#[derive(Default, Debug, Deserialize)]
#[serde(expecting = "a table of texts by language (`en`, `fr`)")]
pub struct RawTexts {
    pub en: Option<String>,
    pub fr: Option<String>,
    #[serde(flatten)]
    #[expect(
        clippy::zero_sized_map_values,
        reason = "a map is what serde collects other keys into; their values are skipped"
    )]
    pub unknown: BTreeMap<String, IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawPack {
    pub id: String,
    pub version: String,
    pub pack_version: String,
    pub languages: Vec<String>,
    pub name: RawTexts,
    pub source: RawSource,
    pub severity_weights: RawWeights,
    pub readiness: RawReadiness,
    #[serde(default)]
    pub constants: BTreeMap<String, Json>,
    pub chapter: Vec<RawChapterRef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    pub title: String,
    pub publisher: String,
    pub date: String,
    pub url: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWeights {
    pub critical: u32,
    pub high: u32,
    pub medium: u32,
    pub low: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawReadiness {
    pub audit_ready_min_score: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawChapterRef {
    pub number: String,
    pub file: String,
    pub title: RawTexts,
}

/// A chapter file, or `facts.toml` (which holds only `[[fact]]`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawChapter {
    pub chapter: Option<String>,
    #[serde(default)]
    pub section: Vec<RawSection>,
    #[serde(default)]
    pub requirement: Vec<RawRequirement>,
    #[serde(default)]
    pub fact: Vec<RawFact>,
    /// Descriptions of fact groups (dotted prefixes), by group path.
    #[serde(default)]
    pub group: BTreeMap<String, RawTexts>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSection {
    pub id: String,
    pub title: RawTexts,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawRequirement {
    pub id: String,
    pub kind: Kind,
    pub severity: Severity,
    pub applies_to: Option<Vec<ServiceType>>,
    pub built_on: Option<Vec<ServiceType>>,
    pub applies_if: Option<RawCondition>,
    pub inheritable: bool,
    pub inheritable_reason: Option<String>,
    /// An eligibility condition: failing it on facts makes the vendor `ineligible`.
    #[serde(default)]
    pub eligibility: Option<bool>,
    /// A hint of the work closing the requirement takes, to rank a report's first actions.
    pub effort: Option<Effort>,
    pub title: RawTexts,
    pub question: RawTexts,
    pub guidance: RawTexts,
    pub evidence: RawEvidence,
    #[serde(default)]
    pub check: Vec<RawCheck>,
    #[serde(default)]
    pub example: Vec<RawExample>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawEvidence {
    pub kinds: Vec<EvidenceKind>,
    pub max_age_months: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCondition {
    pub expr: String,
    pub facts: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCheck {
    pub expr: String,
    pub facts: Vec<String>,
    pub message: RawTexts,
    pub detail: Option<RawDetail>,
}

/// What a failed check names: an expression returning the items at fault, and a message with `{field}`
/// placeholders filled from each item.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDetail {
    pub expr: String,
    pub message: RawTexts,
}

/// How much work closing a requirement usually takes (`effort` in a requirement): a hint to rank the first actions.
#[derive(Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Effort {
    /// A document, a setting, a clause: days.
    Small,
    /// A process or a tool to set up: weeks.
    Medium,
    /// A change of architecture, supplier or company: months.
    Large,
}

#[derive(Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Expect {
    Pass,
    Fail,
    FactMissing,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawExample {
    pub name: String,
    pub expect: Expect,
    #[serde(default)]
    pub facts: serde_json::Map<String, Json>,
    pub service: Option<serde_json::Map<String, Json>>,
    pub as_of: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFact {
    pub path: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub values: Option<Vec<String>>,
    pub description: RawTexts,
    pub example: Option<Json>,
    #[serde(default)]
    pub field: Vec<RawField>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawField {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub values: Option<Vec<String>>,
    pub description: RawTexts,
    /// A short column heading for reports.
    pub label: Option<RawTexts>,
}
