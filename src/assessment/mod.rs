//! The vendor's self-assessment: JSON parsed, checked against the pack's schema, then validated into the types
//! the engine uses. Every problem is located by line, column and JSON Pointer.

pub mod limits;
pub mod skeleton;
pub mod workbook;

use std::collections::HashMap;
use std::io::Read as _;
use std::path::Path;

use chrono::NaiveDate;
use jsonc_parser::ast;
use jsonc_parser::common::Ranged;
use serde::Deserialize;
use serde_json::Value as Json;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use crate::assessment::limits::{Limits, MAX_DIAGNOSTICS};
use crate::model::error::{Diagnostic, Error, LineIndex, library_message};
use crate::model::i18n::Message;
use crate::model::{EvidenceKind, RequirementId, ServiceType, Status};
use crate::msg;
use crate::pack::{Pack, fact_at_pointer};

/// A validated assessment.
#[derive(Debug, Clone)]
pub struct Assessment {
    /// The file as the user named it.
    pub file: String,
    /// `sha256:` of the file's bytes.
    pub digest: String,
    pub vendor: String,
    /// The vendor's stable identifier (`vendor.id`), when given.
    pub vendor_id: Option<String>,
    /// When the vendor submitted this assessment (`submitted_on`), when given.
    pub submitted_on: Option<NaiveDate>,
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
    /// Evidence files recorded with a SHA-256 that are gone or changed, by reference; filled when the assessment
    /// is loaded from a file ([`check_evidence_files`]), empty when it is parsed from bytes.
    pub evidence_files: std::collections::BTreeMap<String, EvidenceFile>,
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
    /// SHA-256 (hex) of the file `reference` names, beside the assessment, as `snc serve`'s attach records it.
    #[serde(default)]
    pub sha256: Option<String>,
}

/// What became of an evidence file an answer records with its SHA-256 (`reference` relative to the assessment's
/// folder), found when the assessment is loaded from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvidenceFile {
    /// No such file any more.
    Missing,
    /// The file's content differs from the recorded digest: this is its digest now.
    Changed { actual: String },
}

/// The reference of an evidence entry that names a file beside the assessment: relative, not a URL.
#[must_use]
pub fn local_reference(reference: &str) -> Option<&Path> {
    let path = Path::new(reference);
    (!reference.is_empty() && !reference.contains("://") && path.is_relative()).then_some(path)
}

/// Looks at every evidence file an answer records with its SHA-256, relative to the folder of `file`, and notes
/// in `assessment.evidence_files` each one that is gone or changed.
pub fn check_evidence_files(assessment: &mut Assessment, file: &Path) {
    let folder = file.parent().unwrap_or_else(|| Path::new(""));
    let mut states = std::collections::BTreeMap::new();
    for answer in assessment.answers.values() {
        for evidence in &answer.evidence {
            let (Some(reference), Some(recorded)) = (&evidence.reference, &evidence.sha256) else {
                continue;
            };
            let Some(relative) = local_reference(reference) else {
                continue;
            };
            let state = match std::fs::read(folder.join(relative)) {
                Err(_) => Some(EvidenceFile::Missing),
                Ok(bytes) => {
                    let actual = format!("{:x}", Sha256::digest(&bytes));
                    (!actual.eq_ignore_ascii_case(recorded))
                        .then_some(EvidenceFile::Changed { actual })
                }
            };
            if let Some(state) = state {
                states.insert(reference.clone(), state);
            }
        }
    }
    assessment.evidence_files = states;
}

#[derive(Deserialize)]
struct RawAssessment {
    vendor: RawVendor,
    service: RawService,
    #[serde(default)]
    submitted_on: Option<NaiveDate>,
    #[serde(default)]
    facts: Option<Json>,
    #[serde(default)]
    answers: serde_json::Map<String, Json>,
}

#[derive(Deserialize)]
struct RawVendor {
    name: String,
    #[serde(default)]
    id: Option<String>,
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

/// A vendor's name as it identifies the vendor: trimmed, inner spaces collapsed, case-folded.
#[must_use]
pub fn normalised_vendor(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Reads and validates an assessment file, within the default [`Limits`].
pub fn load(path: &Path, pack: &Pack) -> Result<Assessment, Error> {
    load_with(path, pack, &Limits::default())
}

/// Reads and validates an assessment file within `limits`; a file over the size limit is not read past it.
pub fn load_with(path: &Path, pack: &Pack, limits: &Limits) -> Result<Assessment, Error> {
    let bytes = read_capped(path, limits)?;
    let mut assessment = parse_with(&path.display().to_string(), &bytes, pack, limits)?;
    check_evidence_files(&mut assessment, path);
    Ok(assessment)
}

/// Reads an assessment or a workbook: a JSON file, or a `.xlsx`/`.ods` questionnaire ([`workbook`]), by its
/// extension.
pub fn load_any(path: &Path, pack: &Pack, limits: &Limits) -> Result<Assessment, Error> {
    if workbook::is_workbook(path) {
        let mut assessment = workbook::load_with(path, pack, limits)?;
        check_evidence_files(&mut assessment, path);
        Ok(assessment)
    } else {
        load_with(path, pack, limits)
    }
}

/// The bytes of a file, one byte over the size limit at most, so that a file over it is never read whole.
pub(crate) fn read_capped(path: &Path, limits: &Limits) -> Result<Vec<u8>, Error> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, msg!("io.read"), e))?;
    let mut bytes = Vec::new();
    // One byte more than allowed tells a file at the limit from one over it, whatever its metadata says.
    let cap = u64::try_from(limits.max_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    file.take(cap)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, msg!("io.read"), e))?;
    Ok(bytes)
}

/// Validates an assessment given as bytes, within the default [`Limits`]; `file` names it in diagnostics.
pub fn parse(file: &str, bytes: &[u8], pack: &Pack) -> Result<Assessment, Error> {
    parse_with(file, bytes, pack, &Limits::default())
}

/// Validates an assessment given as bytes within `limits`; `file` names it in diagnostics.
pub fn parse_with(
    file: &str,
    bytes: &[u8],
    pack: &Pack,
    limits: &Limits,
) -> Result<Assessment, Error> {
    if bytes.len() > limits.max_bytes {
        return Err(Diagnostic::file(
            file,
            msg!(
                "assessment_file.too_large",
                max = limits.max_bytes,
                env = crate::assessment::limits::MAX_ASSESSMENT_BYTES_ENV
            ),
        )
        .into());
    }
    let digest = format!("sha256:{:x}", Sha256::digest(bytes));
    let text = &*crate::model::json::without_bom(Diagnostic::utf8(
        file,
        bytes,
        msg!("assessment_file.not_utf8"),
    )?);
    // serde_json stops at 128 levels of nesting, so no recursive code below sees a deeper document; the limits
    // walk refuses anything deeper than `max_depth`, and this error says the same of what serde_json refused.
    let json: Json = crate::model::json::parse_strict(text).map_err(|e| {
        Error::from(Diagnostic::json(file, text, &e, |detail| {
            if detail.as_str() == "recursion limit exceeded" {
                limits.too_deep_message()
            } else {
                msg!("json.invalid", detail)
            }
        }))
    })?;
    let locator = Locator::new(text);

    if let Some(declared) = json.get("pack").and_then(Json::as_str)
        && declared != pack.id
    {
        return Err(locator
            .diagnostic(
                file,
                "/pack",
                msg!("assessment_file.other_pack", declared, pack = &pack.id),
            )
            .into());
    }

    let violations = limits.violations(&json);
    if !violations.is_empty() {
        let diagnostics = violations
            .into_iter()
            .map(|v| {
                if v.at_key {
                    locator.key_diagnostic(file, &v.pointer, v.message)
                } else {
                    locator.diagnostic(file, &v.pointer, v.message)
                }
            })
            .collect();
        return Err(Error::Invalid(capped(file, diagnostics)));
    }

    let validator = pack.assessment_validator().map_err(|e| {
        Error::Invalid(vec![Diagnostic::file(
            file,
            msg!("assessment_file.schema_internal", error = e.to_string()),
        )])
    })?;
    // A valid document, the usual case, is checked without collecting errors; an invalid one is walked again for
    // every error.
    if !validator.is_valid(&json) {
        let mut diagnostics: Vec<Diagnostic> = validator
            .iter_errors(&json)
            .take(MAX_DIAGNOSTICS + 1)
            .map(|error| schema_diagnostic(file, &locator, pack, &error))
            .collect();
        diagnostics.sort_by_key(|d| d.position);
        diagnostics.dedup();
        if !diagnostics.is_empty() {
            return Err(Error::Invalid(capped(file, diagnostics)));
        }
    }

    let overflows: Vec<Diagnostic> = cap_table_overflows(pack, &json)
        .into_iter()
        .map(|(pointer, message)| locator.diagnostic(file, &pointer, message))
        .collect();
    if !overflows.is_empty() {
        return Err(Error::Invalid(overflows));
    }

    // The document is consumed: its strings move into the assessment instead of being copied.
    let service = json.get("service").cloned().unwrap_or(Json::Null);
    let raw: RawAssessment = serde_json::from_value(json).map_err(|e| {
        Error::Invalid(vec![Diagnostic::file(
            file,
            msg!(
                "assessment_file.unexpected_shape",
                error = library_message(&e.to_string())
            ),
        )])
    })?;
    let mut diagnostics = Vec::new();
    let mut answers = HashMap::new();
    let mut unknown_answers = Vec::new();
    let mut answer_lines = answer_key_lines(text, &locator.lines);
    for (key, value) in raw.answers {
        let pointer = || format!("/answers/{}", escape_pointer(&key));
        let line = if let Some(&line) = answer_lines.get(&key) {
            line
        } else {
            let line = locator.line(&pointer());
            answer_lines.insert(key.clone(), line);
            line
        };
        let answer: Answer = match serde_json::from_value(value) {
            Ok(a) => a,
            Err(e) => {
                diagnostics.push(locator.diagnostic(
                    file,
                    &pointer(),
                    msg!(
                        "assessment_file.invalid_answer",
                        error = library_message(&e.to_string())
                    ),
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
        vendor_id: raw.vendor.id.filter(|id| !crate::model::is_blank(id)),
        submitted_on: raw.submitted_on,
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
        service,
        answers,
        unknown_answers,
        answer_lines,
        evidence_files: std::collections::BTreeMap::new(),
    })
}

/// The fact holding a cap table, whose columns cannot add up to more than the whole.
const CAP_TABLE: &str = "company.shareholders";

/// A cap table whose capital or votes (with a listed company's undeclared float) add up to more than 100 % plus
/// the tolerance cannot be right: each such column, as a JSON Pointer and a message. Only for a pack that declares
/// [`CAP_TABLE`]; rows whose share is unknown count for nothing here (the checks report them as missing).
fn cap_table_overflows(pack: &Pack, json: &Json) -> Vec<(String, Message)> {
    if !pack.facts.iter().any(|f| f.path == CAP_TABLE) {
        return Vec::new();
    }
    let company = &json["facts"]["company"];
    let Some(rows) = company["shareholders"].as_array() else {
        return Vec::new();
    };
    let float = if company["listed"].as_bool() == Some(true) {
        company["undeclared_float_pct"].as_f64().unwrap_or(0.0)
    } else {
        0.0
    };
    let limit = 100.0 + crate::pack::cel::COMPLETE_PCT_TOLERANCE;
    let mut problems = Vec::new();
    for column in ["capital_pct", "voting_pct"] {
        let total = rows
            .iter()
            .filter_map(|row| row[column].as_f64())
            .fold(float, |sum, pct| sum + pct);
        let total = (total * 1e6).round() / 1e6;
        if total > limit {
            let total = crate::model::i18n::percent(total);
            let tolerance = crate::model::i18n::percent(crate::pack::cel::COMPLETE_PCT_TOLERANCE);
            let message = if float > 0.0 {
                msg!(
                    "assessment_file.cap_table_over_with_float",
                    column,
                    total,
                    tolerance
                )
            } else {
                msg!("assessment_file.cap_table_over", column, total, tolerance)
            };
            problems.push(("/facts/company/shareholders".to_owned(), message));
        }
    }
    problems
}

/// Keeps the first [`MAX_DIAGNOSTICS`] problems and says that there are more.
fn capped(file: &str, mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    if diagnostics.len() > MAX_DIAGNOSTICS {
        diagnostics.truncate(MAX_DIAGNOSTICS);
        diagnostics.push(Diagnostic::file(
            file,
            msg!("assessment_file.more_problems", max = MAX_DIAGNOSTICS),
        ));
    }
    diagnostics
}

fn schema_diagnostic(
    file: &str,
    locator: &Locator,
    pack: &Pack,
    error: &jsonschema::ValidationError<'_>,
) -> Diagnostic {
    let mut pointer = error.instance_path().as_str().to_owned();
    let clearer = schema_message(error);
    // "Not valid under any of the schemas listed in 'anyOf'": for a fact, what the fact expects says more.
    let no_branch = clearer.is_none()
        && matches!(
            error.kind(),
            jsonschema::error::ValidationErrorKind::AnyOf { .. }
        );
    let mut message = clearer.unwrap_or_else(|| validator_message(error));
    if let jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } =
        error.kind()
        && let Some(first) = unexpected.first()
    {
        pointer = format!("{pointer}/{}", escape_pointer(first));
        message = msg!("schema.unknown_property", name = first.as_str());
        return locator.key_diagnostic(file, &pointer, message);
    }
    if let Some(fact) = fact_at_pointer(&pack.facts, &pointer) {
        if no_branch {
            message = msg!(
                "schema.not_valid_here",
                value = error.instance().to_string()
            );
        }
        message = msg!(
            "schema.fact_expects",
            message,
            fact = fact.path.as_str(),
            expected = fact.ty.description()
        );
    }
    locator.diagnostic(file, &pointer, message)
}

/// The validator's message in the catalogue's words (the validator writes them in English); as written for the
/// keywords no assessment schema uses.
fn validator_message(error: &jsonschema::ValidationError<'_>) -> Message {
    use jsonschema::error::{TypeKind, ValidationErrorKind as K};
    let value = error.instance().to_string();
    let counted = |many: &'static str, one: &'static str, limit: u64| {
        if limit == 1 {
            Message::new(one).arg("value", value.as_str())
        } else {
            Message::new(many)
                .arg("value", value.as_str())
                .arg("limit", limit)
        }
    };
    match error.kind() {
        K::Type {
            kind: TypeKind::Single(json_type),
        } => msg!("schema.type", value, json_type = json_type.to_string()),
        K::Type {
            kind: TypeKind::Multiple(types),
        } => {
            let types = types
                .iter()
                .map(|t| format!("\"{t}\""))
                .collect::<Vec<_>>()
                .join(", ");
            msg!("schema.types", value, types)
        }
        K::Required { property } => msg!("schema.required", property = property.to_string()),
        K::Constant { expected_value } => {
            msg!("schema.const", expected = expected_value.to_string())
        }
        K::Minimum { limit } => msg!("schema.minimum", value, limit = limit.to_string()),
        K::Maximum { limit } => msg!("schema.maximum", value, limit = limit.to_string()),
        K::MinLength { limit } => counted("schema.min_length", "schema.min_length_one", *limit),
        K::MaxLength { limit } => counted("schema.max_length", "schema.max_length_one", *limit),
        K::MinItems { limit } => counted("schema.min_items", "schema.min_items_one", *limit),
        K::MaxItems { limit } => counted("schema.max_items", "schema.max_items_one", *limit),
        K::Pattern { pattern } => msg!("schema.pattern", value, pattern = pattern.as_str()),
        K::Format { format } => msg!("schema.format", value, format = format.as_str()),
        K::UniqueItems => msg!("schema.unique_items", value),
        K::AnyOf { .. } => msg!("schema.any_of", value),
        _ => Message::verbatim(error.to_string()),
    }
}

/// A schema error in words a vendor can act on: a value outside a list is told every allowed value (the
/// validator names two and counts the others), and a value that may also be null (`anyOf` of a schema and
/// `null`) is told what the schema expects, "or null" (the validator only says that no branch matched). `None`
/// where the validator's own message is as good.
fn schema_message(error: &jsonschema::ValidationError<'_>) -> Option<Message> {
    use jsonschema::error::{TypeKind, ValidationErrorKind};
    match error.kind() {
        ValidationErrorKind::Enum { options } => {
            let allowed: Vec<String> = options
                .as_array()
                .map(|values| values.iter().map(ToString::to_string).collect())
                .unwrap_or_default();
            Some(msg!(
                "schema.enum",
                value = error.instance().to_string(),
                allowed = allowed.join(", ")
            ))
        }
        ValidationErrorKind::AnyOf { context } => {
            let is_null_branch = |branch: &Vec<jsonschema::ValidationError<'static>>| {
                matches!(branch.as_slice(), [e] if matches!(
                    e.kind(),
                    ValidationErrorKind::Type { kind: TypeKind::Single(jsonschema::JsonType::Null) }
                ))
            };
            let nulls = context.iter().filter(|b| is_null_branch(b)).count();
            let others: Vec<&jsonschema::ValidationError<'static>> = context
                .iter()
                .filter(|b| !is_null_branch(b))
                .flatten()
                .collect();
            match (nulls, others.as_slice()) {
                (1, [only]) => Some(msg!(
                    "schema.or_null",
                    message = schema_message(only).unwrap_or_else(|| validator_message(only))
                )),
                _ => None,
            }
        }
        ValidationErrorKind::Pattern { pattern } if pattern == crate::model::date::PATTERN => {
            Some(msg!("schema.date", value = error.instance().to_string()))
        }
        _ => None,
    }
}

fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// The line of each key of the top-level `answers` object (the first of duplicates), read by `serde_json` from the
/// text, which must be valid JSON: each answer is kept as raw text, whose place in the file gives its line. A key
/// is on the line of the last character before its value that is neither blank nor the colon (its closing quote:
/// a JSON string holds no line break). Empty when the text does not read so; callers then ask the [`Locator`].
///
/// The [`Locator`]'s syntax tree gives the same lines, but building it costs several times this pass, and every
/// report is built with these lines (docs/performance.md, "Pack loading").
fn answer_key_lines(text: &str, lines: &LineIndex) -> HashMap<String, usize> {
    /// `answers` as its entries in order, each value as raw text.
    struct Entries<'t>(Vec<(String, &'t RawValue)>);

    impl<'de: 't, 't> Deserialize<'de> for Entries<'t> {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct Visitor<'t>(std::marker::PhantomData<&'t ()>);
            impl<'de: 't, 't> serde::de::Visitor<'de> for Visitor<'t> {
                type Value = Entries<'t>;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<Entries<'t>, A::Error> {
                    let mut entries = Vec::new();
                    while let Some(entry) = map.next_entry()? {
                        entries.push(entry);
                    }
                    Ok(Entries(entries))
                }
            }
            deserializer.deserialize_map(Visitor(std::marker::PhantomData))
        }
    }

    #[derive(Deserialize)]
    struct Document<'t> {
        #[serde(borrow)]
        answers: Entries<'t>,
    }

    let Ok(document) = serde_json::from_str::<Document>(text) else {
        return HashMap::new();
    };
    let mut out = HashMap::with_capacity(document.answers.0.len());
    for (key, value) in document.answers.0 {
        let value_start = value.get().as_ptr().addr() - text.as_ptr().addr();
        let key_end = text[..value_start]
            .trim_end_matches(|c: char| c == ':' || c.is_ascii_whitespace())
            .len();
        out.entry(key)
            .or_insert_with(|| lines.line(text, key_end.saturating_sub(1)));
    }
    out
}

/// Maps JSON Pointers to places in the source text; the syntax tree is built on the first lookup only.
struct Locator<'t> {
    text: &'t str,
    lines: LineIndex,
    root: std::cell::OnceCell<Option<ast::Value<'t>>>,
}

impl<'t> Locator<'t> {
    fn new(text: &'t str) -> Self {
        Self {
            text,
            lines: LineIndex::new(text),
            root: std::cell::OnceCell::new(),
        }
    }

    fn root(&self) -> Option<&ast::Value<'t>> {
        self.root
            .get_or_init(|| {
                let options = jsonc_parser::ParseOptions {
                    allow_comments: false,
                    allow_loose_object_property_names: false,
                    allow_trailing_commas: false,
                };
                jsonc_parser::parse_to_ast(
                    self.text,
                    &jsonc_parser::CollectOptions::default(),
                    &options,
                )
                .ok()
                .and_then(|r| r.value)
            })
            .as_ref()
    }

    /// Byte offset of the deepest node on the pointer's path (of its property name when `at_key`).
    fn offset(&self, pointer: &str, at_key: bool) -> usize {
        let Some(mut node) = self.root() else {
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
        self.lines.line(self.text, self.offset(pointer, true))
    }

    fn diagnostic(&self, file: &str, pointer: &str, message: Message) -> Diagnostic {
        self.lines
            .diagnostic(self.text, file, self.offset(pointer, false), message)
            .with_pointer(pointer)
    }

    fn key_diagnostic(&self, file: &str, pointer: &str, message: Message) -> Diagnostic {
        self.lines
            .diagnostic(self.text, file, self.offset(pointer, true), message)
            .with_pointer(pointer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answer_lines_agree_with_the_syntax_tree() {
        let texts = [
            r#"{"answers": {"5.2.a": {"status": "compliant", "comment": "a \"}: quoted\" brace"}, "5.2.b": {}}}"#.to_owned(),
            "{\n  \"facts\": {\"answers\": {\"x.y\": 1}},\n  \"answers\": {\n    \"5\\u002e2.a\": {\"evidence\": [{\"title\": \"t\"}]},\n\n    \"a/b~c\"\n  :\n\n {}, \"5.2.a\": {}\n  }\n}".to_owned(),
            include_str!("../../examples/paas-with-gaps.json").to_owned(),
        ];
        for text in &texts {
            let json: Json = serde_json::from_str(text).expect("valid JSON");
            let locator = Locator::new(text);
            let lines = answer_key_lines(text, &locator.lines);
            let keys: Vec<&String> = json["answers"]
                .as_object()
                .expect("answers")
                .keys()
                .collect();
            assert_eq!(lines.len(), keys.len(), "{text}");
            for key in keys {
                let pointer = format!("/answers/{}", escape_pointer(key));
                assert_eq!(
                    lines.get(key).copied(),
                    Some(locator.line(&pointer)),
                    "{key} in {text}"
                );
            }
        }
    }
}
