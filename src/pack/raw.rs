//! The rule-pack files as written: strict serde types with spans, before validation.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::span::Spanned;

use crate::model::{EvidenceKind, Kind, ServiceType, Severity};

/// A text in every pack language: `title.en`, `title.fr`.
pub type RawTexts = BTreeMap<String, String>;

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawPack {
    pub id: Spanned<String>,
    pub version: String,
    pub pack_version: String,
    pub languages: Spanned<Vec<String>>,
    pub name: Spanned<RawTexts>,
    pub source: RawSource,
    pub severity_weights: RawWeights,
    pub readiness: RawReadiness,
    #[serde(default)]
    pub constants: BTreeMap<String, Spanned<toml::Value>>,
    pub chapter: Vec<RawChapterRef>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    pub title: String,
    pub publisher: String,
    pub date: Spanned<String>,
    pub url: String,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawWeights {
    pub critical: Spanned<u32>,
    pub high: Spanned<u32>,
    pub medium: Spanned<u32>,
    pub low: Spanned<u32>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawReadiness {
    pub audit_ready_min_score: Spanned<u32>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawChapterRef {
    pub number: Spanned<String>,
    pub file: Spanned<String>,
    pub title: Spanned<RawTexts>,
}

/// A chapter file, or `facts.toml` (which holds only `[[fact]]`).
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawChapter {
    pub chapter: Option<Spanned<String>>,
    #[serde(default)]
    pub section: Vec<RawSection>,
    #[serde(default)]
    pub requirement: Vec<RawRequirement>,
    #[serde(default)]
    pub fact: Vec<RawFact>,
    /// Descriptions of fact groups (dotted prefixes), by group path.
    #[serde(default)]
    pub group: BTreeMap<String, Spanned<RawTexts>>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSection {
    pub id: Spanned<String>,
    pub title: Spanned<RawTexts>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawRequirement {
    pub id: Spanned<String>,
    pub kind: Kind,
    pub severity: Severity,
    pub applies_to: Option<Spanned<Vec<ServiceType>>>,
    pub built_on: Option<Spanned<Vec<ServiceType>>>,
    pub applies_if: Option<RawCondition>,
    pub inheritable: Spanned<bool>,
    pub inheritable_reason: Option<String>,
    pub title: Spanned<RawTexts>,
    pub question: Spanned<RawTexts>,
    pub guidance: Spanned<RawTexts>,
    pub evidence: RawEvidence,
    #[serde(default)]
    pub check: Vec<RawCheck>,
    #[serde(default)]
    pub example: Vec<RawExample>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawEvidence {
    pub kinds: Spanned<Vec<EvidenceKind>>,
    pub max_age_months: Option<Spanned<u32>>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCondition {
    pub expr: Spanned<String>,
    pub facts: Spanned<Vec<String>>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCheck {
    pub expr: Spanned<String>,
    pub facts: Spanned<Vec<String>>,
    pub message: Spanned<RawTexts>,
}

#[derive(Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Expect {
    Pass,
    Fail,
    FactMissing,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawExample {
    pub name: Spanned<String>,
    pub expect: Expect,
    #[serde(default)]
    pub facts: toml::Table,
    pub service: Option<toml::Table>,
    pub as_of: Option<Spanned<String>>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawFact {
    pub path: Spanned<String>,
    #[serde(rename = "type")]
    pub ty: Spanned<String>,
    pub values: Option<Vec<String>>,
    pub description: Spanned<RawTexts>,
    pub example: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub field: Vec<RawField>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawField {
    pub name: Spanned<String>,
    #[serde(rename = "type")]
    pub ty: Spanned<String>,
    pub values: Option<Vec<String>>,
    pub description: Spanned<RawTexts>,
}
