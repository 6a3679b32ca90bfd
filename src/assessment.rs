//! The vendor's self-assessment: JSON parsed, checked against the pack's schema, then validated into the types
//! the engine uses. Every problem is located by line, column and JSON Pointer.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;
use jsonc_parser::ast;
use jsonc_parser::common::Ranged;
use serde::Deserialize;
use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use crate::error::{Diagnostic, Error};
use crate::model::{EvidenceKind, RequirementId, ServiceType, Status};
use crate::pack::{Pack, fact_at_pointer};
use crate::schema;

/// A validated assessment.
#[derive(Debug, Clone)]
pub struct Assessment {
    /// The file as the user named it.
    pub file: String,
    /// `sha256:` of the file's bytes.
    pub digest: String,
    pub vendor: String,
    pub contact: Option<String>,
    pub service_name: String,
    pub service_types: Vec<ServiceType>,
    pub built_on: Vec<BuiltOn>,
    /// The `facts` object as written (nulls kept).
    pub facts: Json,
    /// The `service` object, bound as `service` in checks.
    pub service: Json,
    /// Answers for requirements the pack knows.
    pub answers: HashMap<RequirementId, Answer>,
    /// Answers for ids the pack does not know, with their line.
    pub unknown_answers: Vec<(String, usize)>,
    /// Line of each answer, by id, for outputs that point into the file.
    pub answer_lines: HashMap<String, usize>,
}

#[derive(Debug, Clone)]
pub struct BuiltOn {
    pub layer: ServiceType,
    pub provider: Option<String>,
    pub offer: Option<String>,
    pub secnumcloud_qualified: Option<bool>,
    pub qualification_valid_until: Option<NaiveDate>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    pub status: Status,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub justification: Option<String>,
    #[serde(default)]
    pub target_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    pub title: String,
    #[serde(default, rename = "ref")]
    pub reference: Option<String>,
    #[serde(default)]
    pub date: Option<NaiveDate>,
    #[serde(default)]
    pub kind: Option<EvidenceKind>,
}

#[derive(Deserialize)]
struct RawAssessment {
    vendor: RawVendor,
    service: RawService,
    #[serde(default)]
    facts: Option<Json>,
    #[serde(default)]
    answers: serde_json::Map<String, Json>,
}

#[derive(Deserialize)]
struct RawVendor {
    name: String,
    #[serde(default)]
    contact: Option<String>,
}

#[derive(Deserialize)]
struct RawService {
    name: String,
    types: Vec<ServiceType>,
    #[serde(default)]
    built_on: Vec<RawBuiltOn>,
}

#[derive(Deserialize)]
struct RawBuiltOn {
    layer: ServiceType,
    #[serde(default)]
    provider: Option<String>,
    #[serde(default)]
    offer: Option<String>,
    #[serde(default)]
    secnumcloud_qualified: Option<bool>,
    #[serde(default)]
    qualification_valid_until: Option<NaiveDate>,
}

/// Reads and validates an assessment file.
pub fn load(path: &Path, pack: &Pack) -> Result<Assessment, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, "read", e))?;
    parse(&path.display().to_string(), &bytes, pack)
}

/// Validates an assessment given as bytes; `file` names it in diagnostics.
pub fn parse(file: &str, bytes: &[u8], pack: &Pack) -> Result<Assessment, Error> {
    let digest = format!("sha256:{:x}", Sha256::digest(bytes));
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Diagnostic::at(
            file,
            &String::from_utf8_lossy(bytes),
            e.valid_up_to(),
            "the file is not UTF-8 text",
        )
    })?;
    let json: Json = serde_json::from_str(text).map_err(|e| json_syntax_error(file, text, &e))?;
    let locator = Locator::new(text);

    if let Some(declared) = json.get("pack").and_then(Json::as_str)
        && declared != pack.id
    {
        return Err(locator
            .diagnostic(file, "/pack", format!("this assessment is for the pack `{declared}`, but the loaded pack is `{}`: use --rules to load that pack", pack.id))
            .into());
    }

    let validator = schema::validator(&schema::assessment(pack)).map_err(|e| {
        Error::Invalid(vec![Diagnostic::file(
            file,
            format!("internal: the assessment schema does not compile: {e}"),
        )])
    })?;
    let mut diagnostics: Vec<Diagnostic> = validator
        .iter_errors(&json)
        .map(|error| schema_diagnostic(file, &locator, pack, &error))
        .collect();
    diagnostics.sort_by_key(|d| d.position);
    diagnostics.dedup();
    if !diagnostics.is_empty() {
        return Err(Error::Invalid(diagnostics));
    }

    let raw: RawAssessment = serde_json::from_value(json.clone()).map_err(|e| {
        Error::Invalid(vec![Diagnostic::file(
            file,
            format!("unexpected shape after schema validation: {e}"),
        )])
    })?;
    let mut answers = HashMap::new();
    let mut unknown_answers = Vec::new();
    let mut answer_lines = HashMap::new();
    for (key, value) in raw.answers {
        let pointer = format!("/answers/{}", escape_pointer(&key));
        let line = locator.line(&pointer);
        answer_lines.insert(key.clone(), line);
        let answer: Answer = match serde_json::from_value(value) {
            Ok(a) => a,
            Err(e) => {
                diagnostics.push(locator.diagnostic(
                    file,
                    &pointer,
                    format!("invalid answer: {e}"),
                ));
                continue;
            }
        };
        match key.parse::<RequirementId>() {
            Ok(id) if pack.requirement(&id).is_some() => {
                answers.insert(id, answer);
            }
            _ => unknown_answers.push((key, line)),
        }
    }
    if !diagnostics.is_empty() {
        return Err(Error::Invalid(diagnostics));
    }
    unknown_answers.sort();
    Ok(Assessment {
        file: file.to_owned(),
        digest,
        vendor: raw.vendor.name,
        contact: raw.vendor.contact,
        service_name: raw.service.name,
        service_types: raw.service.types,
        built_on: raw
            .service
            .built_on
            .into_iter()
            .map(|b| BuiltOn {
                layer: b.layer,
                provider: b.provider,
                offer: b.offer,
                secnumcloud_qualified: b.secnumcloud_qualified,
                qualification_valid_until: b.qualification_valid_until,
            })
            .collect(),
        facts: raw
            .facts
            .unwrap_or_else(|| Json::Object(serde_json::Map::new())),
        service: json.get("service").cloned().unwrap_or(Json::Null),
        answers,
        unknown_answers,
        answer_lines,
    })
}

fn json_syntax_error(file: &str, text: &str, e: &serde_json::Error) -> Error {
    let message = e.to_string();
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(m, _)| m)
        .to_owned();
    let message = format!("invalid JSON: {message}");
    // serde_json counts columns in bytes from 1; turn the position into a byte offset.
    let line_start: usize = text
        .split_inclusive('\n')
        .take(e.line().saturating_sub(1))
        .map(str::len)
        .sum();
    let offset = line_start + e.column().saturating_sub(1);
    Diagnostic::at(file, text, offset, message).into()
}

fn schema_diagnostic(
    file: &str,
    locator: &Locator,
    pack: &Pack,
    error: &jsonschema::ValidationError<'_>,
) -> Diagnostic {
    let mut pointer = error.instance_path().as_str().to_owned();
    let mut message = error.to_string();
    if let jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } =
        error.kind()
        && let Some(first) = unexpected.first()
    {
        pointer = format!("{pointer}/{}", escape_pointer(first));
        message = format!(
            "unknown property `{first}`: check its spelling against the schema (`snc schema assessment`)"
        );
        return locator.key_diagnostic(file, &pointer, message);
    }
    if let Some(fact) = fact_at_pointer(&pack.facts, &pointer) {
        message = format!(
            "{message}; `{}` expects {} (or null when unknown)",
            fact.path,
            fact.ty.describe(crate::model::Lang::En)
        );
    }
    if pointer.starts_with("/answers/") && pointer.ends_with("/status") {
        message = format!(
            "{message}; expected one of compliant, partially_compliant, non_compliant, not_applicable, not_assessed, inherited"
        );
    }
    locator.diagnostic(file, &pointer, message)
}

fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Maps JSON Pointers to places in the source text.
struct Locator<'t> {
    text: &'t str,
    root: Option<ast::Value<'t>>,
}

impl<'t> Locator<'t> {
    fn new(text: &'t str) -> Self {
        let options = jsonc_parser::ParseOptions {
            allow_comments: false,
            allow_loose_object_property_names: false,
            allow_trailing_commas: false,
        };
        let root =
            jsonc_parser::parse_to_ast(text, &jsonc_parser::CollectOptions::default(), &options)
                .ok()
                .and_then(|r| r.value);
        Self { text, root }
    }

    /// Byte offset of the deepest node on the pointer's path (of its property name when `at_key`).
    fn offset(&self, pointer: &str, at_key: bool) -> usize {
        let Some(mut node) = self.root.as_ref() else {
            return 0;
        };
        let mut offset = node.range().start;
        for raw in pointer.split('/').skip(1) {
            let segment = raw.replace("~1", "/").replace("~0", "~");
            let next = match node {
                ast::Value::Object(obj) => obj
                    .properties
                    .iter()
                    .find(|p| p.name.as_str() == segment)
                    .map(|p| (p.range.start, &p.value)),
                ast::Value::Array(arr) => segment
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| arr.elements.get(i))
                    .map(|v| (v.range().start, v)),
                _ => None,
            };
            match next {
                Some((key_start, n)) => {
                    node = n;
                    offset = if at_key { key_start } else { n.range().start };
                }
                None => break,
            }
        }
        offset
    }

    fn line(&self, pointer: &str) -> usize {
        crate::error::line_column(self.text, self.offset(pointer, true)).0
    }

    fn diagnostic(&self, file: &str, pointer: &str, message: String) -> Diagnostic {
        Diagnostic::at(file, self.text, self.offset(pointer, false), message).with_pointer(pointer)
    }

    fn key_diagnostic(&self, file: &str, pointer: &str, message: String) -> Diagnostic {
        Diagnostic::at(file, self.text, self.offset(pointer, true), message).with_pointer(pointer)
    }
}
