//! The rule-pack files as written: strict serde types with spans, before validation.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
/// Values a rule file gives as data (constants, example facts) are read straight into JSON, the form checks
/// evaluate: through a TOML value they cost a second copy and a conversion at every load.
use serde_json::Value as Json;

use super::span::Spanned;

use crate::model::{EvidenceKind, Kind, ServiceType, Severity};

/// A text in every pack language: `title.en`, `title.fr`. Read field by field rather than as a map: a pack holds
/// thousands of texts, and a map of two entries costs a node and two keys each.
#[derive(Default, Debug, Clone, PartialEq)]
pub struct RawTexts {
    pub en: Option<String>,
    pub fr: Option<String>,
    /// Keys other than `en` and `fr`, in the order written (reported by the loader).
    pub unknown: Vec<String>,
}

enum TextKey {
    En,
    Fr,
    Other(String),
}

impl<'de> Deserialize<'de> for TextKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl serde::de::Visitor<'_> for KeyVisitor {
            type Value = TextKey;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a language code")
            }
            fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<TextKey, E> {
                Ok(match key {
                    "en" => TextKey::En,
                    "fr" => TextKey::Fr,
                    other => TextKey::Other(other.to_owned()),
                })
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

impl<'de> Deserialize<'de> for RawTexts {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextsVisitor;
        impl<'de> serde::de::Visitor<'de> for TextsVisitor {
            type Value = RawTexts;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a table of texts by language (`en`, `fr`)")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RawTexts, A::Error> {
                let mut texts = RawTexts::default();
                while let Some(key) = map.next_key::<TextKey>()? {
                    match key {
                        TextKey::En => texts.en = Some(map.next_value()?),
                        TextKey::Fr => texts.fr = Some(map.next_value()?),
                        TextKey::Other(key) => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                            texts.unknown.push(key);
                        }
                    }
                }
                Ok(texts)
            }
        }
        deserializer.deserialize_map(TextsVisitor)
    }
}

impl Serialize for RawTexts {
    /// As a table; an unknown language keeps its key (what the loader reports), not its text.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = serializer.serialize_map(None)?;
        if let Some(en) = &self.en {
            map.serialize_entry("en", en)?;
        }
        if let Some(fr) = &self.fr {
            map.serialize_entry("fr", fr)?;
        }
        for key in &self.unknown {
            map.serialize_entry(key, "")?;
        }
        map.end()
    }
}

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
    pub constants: BTreeMap<String, Spanned<Json>>,
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
    /// An eligibility condition: failing it on facts makes the vendor `ineligible`.
    pub eligibility: Option<Spanned<bool>>,
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
    pub facts: serde_json::Map<String, Json>,
    pub service: Option<serde_json::Map<String, Json>>,
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
    pub example: Option<Spanned<Json>>,
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
