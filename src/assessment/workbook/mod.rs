//! The questionnaire as a spreadsheet: an assessment written as a workbook (`snc init -o x.xlsx`, `snc export`)
//! that people fill in Excel or `LibreOffice`, and read back (`snc import`, or a `.xlsx`/`.ods` wherever an
//! assessment is read) into the same JSON document, every problem located by sheet and cell.
//!
//! The sheet names and the header names of row 1 are the contract (docs/spreadsheet.md); people see their
//! translations in the header cells' notes and in `Read me`. What a sheet cannot show exactly (a fact absent rather
//! than unknown, an answer title that differs from the requirement's, `52.0` written `52`…) is kept in the hidden
//! sheet `_snc` as patches: a JSON Pointer, the original value, and the value the cells give. Reading applies a
//! patch only where the cells still give that value, so an edit always wins, and an unedited workbook gives back
//! the original document exactly (same canonical digest, [`canonical_digest`]).

// Without the `xlsx` feature only the public entry points remain, each a usage error.
#![cfg_attr(not(feature = "xlsx"), allow(dead_code))]

#[cfg(feature = "xlsx")]
mod guard;
#[cfg(feature = "xlsx")]
mod read;
#[cfg(feature = "xlsx")]
mod write;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value as Json};
use sha2::{Digest, Sha256};

use crate::assessment::Assessment;
use crate::assessment::limits::Limits;
use crate::model::Lang;
use crate::model::error::{Diagnostic, Error};
use crate::msg;
use crate::pack::Pack;
use crate::pack::{FactDecl, FactType, FieldDecl, Scalar};

/// The sheet that tells people how to fill the workbook; never read back.
pub const README: &str = "Read me";
/// Vendor, service and the layers it is built on.
pub const SERVICE: &str = "Service";
/// One row per requirement.
pub const REQUIREMENTS: &str = "Requirements";
/// One row per piece of evidence.
pub const EVIDENCE: &str = "Evidence";
/// One row per scalar or list fact.
pub const FACTS: &str = "Facts";
/// Hidden: the values of the long drop-down lists (countries, languages).
pub const LISTS: &str = "Lists";
/// Hidden: the language and the patches that make the round trip exact.
pub const META: &str = "_snc";

/// The version of the workbook layout, written in `_snc`.
pub const WORKBOOK_FORMAT: &str = "snc-questionnaire/1";

/// The columns of `Requirements`, in order.
pub const REQUIREMENT_COLUMNS: [&str; 10] = [
    "id",
    "chapter",
    "severity",
    "title",
    "question",
    "status",
    "owner",
    "target_date",
    "comment",
    "justification",
];
/// The columns of `Evidence`, in order.
pub const EVIDENCE_COLUMNS: [&str; 5] = ["id", "title", "ref", "date", "kind"];
/// The columns of `Facts`, in order.
pub const FACT_COLUMNS: [&str; 4] = ["path", "description", "value", "unit"];
/// The columns of the key/value part of `Service`.
pub const SERVICE_COLUMNS: [&str; 3] = ["field", "value", "description"];
/// The fields of `Service`, one per row under its header.
pub const SERVICE_FIELDS: [&str; 6] = [
    "format",
    "pack",
    "vendor",
    "contact",
    "service_name",
    "types",
];
/// The columns of the built-on table of `Service`, whose header row starts with `layer`.
pub const BUILT_ON_COLUMNS: [&str; 5] = [
    "layer",
    "provider",
    "offer",
    "secnumcloud_qualified",
    "qualification_valid_until",
];
/// The columns of `_snc`.
pub const META_COLUMNS: [&str; 3] = ["key", "value", "shown"];

/// How a cell's text or value becomes a JSON value, and back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Any text, kept as written.
    Text,
    /// yes / no (oui / non), a boolean cell, or empty for unknown.
    Bool,
    /// A whole number, 0 or more.
    Int,
    /// Any number (percentages too).
    Number,
    /// A date cell, a serial number, or `YYYY-MM-DD` text.
    Date,
    /// An ISO 3166-1 country code, upper-cased.
    Country,
    /// An ISO 639-1 language code, lower-cased.
    Language,
    /// One of the values.
    Enum(Vec<String>),
    /// A status, by its name or its label in any language.
    Status,
    /// An evidence kind, by its name or its label in any language.
    Evidence,
    /// A service type (`IaaS`…), any case.
    ServiceType,
    /// Comma-separated values.
    List(Box<Kind>),
}

impl Kind {
    fn of_scalar(scalar: &Scalar) -> Kind {
        match scalar {
            Scalar::String => Kind::Text,
            Scalar::Boolean => Kind::Bool,
            Scalar::Integer => Kind::Int,
            Scalar::Number | Scalar::Percent => Kind::Number,
            Scalar::Date => Kind::Date,
            Scalar::Country => Kind::Country,
            Scalar::Language => Kind::Language,
            Scalar::Enum(values) => Kind::Enum(values.clone()),
        }
    }

    /// The kind of a scalar or list fact (`None` for a list of objects, which has a sheet of its own).
    pub(crate) fn of_fact(ty: &FactType) -> Option<Kind> {
        match ty {
            FactType::Scalar(s) => Some(Kind::of_scalar(s)),
            FactType::List(s) => Some(Kind::List(Box::new(Kind::of_scalar(s)))),
            FactType::Objects(_) => None,
        }
    }

    pub(crate) fn of_field(field: &FieldDecl) -> Kind {
        let kind = Kind::of_scalar(&field.ty);
        if field.list {
            Kind::List(Box::new(kind))
        } else {
            kind
        }
    }
}

/// A fact holding a list of objects, and the sheet it has.
pub(crate) struct ObjectSheet<'p> {
    pub fact: &'p FactDecl,
    pub sheet: String,
    pub fields: &'p [FieldDecl],
}

/// The sheet of a list-of-objects fact: its last path segment, `_` as a space, capitalised (`third_parties`:
/// `Third parties`); the whole path so when two facts would share a name or a name would clash with a fixed sheet.
pub(crate) fn object_sheets(pack: &Pack) -> Vec<ObjectSheet<'_>> {
    let fixed = [README, SERVICE, REQUIREMENTS, EVIDENCE, FACTS, LISTS, META];
    let objects: Vec<(&FactDecl, &[FieldDecl])> = pack
        .facts
        .iter()
        .filter_map(|f| match &f.ty {
            FactType::Objects(fields) => Some((f, fields.as_slice())),
            _ => None,
        })
        .collect();
    let short = |path: &str| {
        let last = path.rsplit('.').next().unwrap_or(path).replace('_', " ");
        let mut chars = last.chars();
        chars.next().map_or_else(String::new, |c| {
            c.to_uppercase().collect::<String>() + chars.as_str()
        })
    };
    objects
        .iter()
        .map(|&(fact, fields)| {
            let name = short(&fact.path);
            let clash = fixed.iter().any(|f| f.eq_ignore_ascii_case(&name))
                || objects
                    .iter()
                    .filter(|(other, _)| short(&other.path).eq_ignore_ascii_case(&name))
                    .count()
                    > 1;
            let sheet = if clash { fact.path.clone() } else { name };
            // Excel's limit on a sheet name.
            let sheet: String = sheet.chars().take(31).collect();
            ObjectSheet {
                fact,
                sheet,
                fields,
            }
        })
        .collect()
}

/// Whether a path names a workbook that [`load_with`] reads (`.xlsx` or `.ods`).
#[must_use]
pub fn is_workbook(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("ods"))
}

/// The questionnaire workbook of an assessment document (valid against the pack), in `lang`. Reading it back
/// gives the same document (same [`canonical_digest`]); this is checked before the bytes are returned.
pub fn write(pack: &Pack, document: &Json, lang: Lang) -> Result<Vec<u8>, Error> {
    #[cfg(feature = "xlsx")]
    {
        let failed = |e: rust_xlsxwriter::XlsxError| {
            Error::Usage(msg!("cli.xlsx_failed", error = e.to_string()))
        };
        let first = write::workbook(pack, document, lang, &[]).map_err(failed)?;
        let shown = read::read("", &first, pack, &unbounded())?;
        let patches = diff(document, &shown.json);
        let bytes = write::workbook(pack, document, lang, &patches).map_err(failed)?;
        let back = read::read("", &bytes, pack, &unbounded())?;
        if canonical(&back.json) != canonical(document) {
            return Err(Error::Usage(msg!("workbook.not_lossless")));
        }
        Ok(bytes)
    }
    #[cfg(not(feature = "xlsx"))]
    {
        let _ = (pack, document, lang);
        Err(Error::Usage(msg!("cli.xlsx_unavailable")))
    }
}

/// No size limit: for the workbook `write` has just made.
#[cfg(feature = "xlsx")]
fn unbounded() -> Limits {
    Limits {
        max_bytes: usize::MAX,
        ..Limits::default()
    }
}

/// A workbook read back: the assessment document, and the cell each of its values came from.
#[derive(Debug)]
pub struct Sheets {
    pub json: Json,
    /// `Sheet!A1` of each value, by JSON Pointer.
    pub cells: BTreeMap<String, String>,
    /// Row (1-based) of each answer in `Requirements`, by id.
    pub rows: BTreeMap<String, usize>,
}

/// Reads a workbook's bytes into an assessment document (not yet validated against the pack's schema: see
/// [`parse_with`]); `file` names it in diagnostics.
pub fn read(file: &str, bytes: &[u8], pack: &Pack, limits: &Limits) -> Result<Sheets, Error> {
    #[cfg(feature = "xlsx")]
    {
        read::read(file, bytes, pack, limits)
    }
    #[cfg(not(feature = "xlsx"))]
    {
        let _ = (file, bytes, pack, limits);
        Err(Error::Usage(msg!("cli.xlsx_unavailable")))
    }
}

/// Reads and validates a workbook file, as [`crate::assessment::load_with`] does a JSON one; a file over the size
/// limit is not read past it.
pub fn load_with(path: &Path, pack: &Pack, limits: &Limits) -> Result<Assessment, Error> {
    let bytes = crate::assessment::read_capped(path, limits)?;
    parse_with(&path.display().to_string(), &bytes, pack, limits)
}

/// Reads a workbook and validates the document it holds: every problem is located at its sheet and cell. The
/// assessment's digest is the workbook file's; its answer lines are the answers' rows in `Requirements`.
pub fn parse_with(
    file: &str,
    bytes: &[u8],
    pack: &Pack,
    limits: &Limits,
) -> Result<Assessment, Error> {
    parse_document(file, bytes, pack, limits).map(|(assessment, _)| assessment)
}

/// As [`parse_with`], with the document the workbook holds (what `snc import` writes).
pub fn parse_document(
    file: &str,
    bytes: &[u8],
    pack: &Pack,
    limits: &Limits,
) -> Result<(Assessment, Json), Error> {
    let sheets = read(file, bytes, pack, limits)?;
    let text = serde_json::to_string_pretty(&sheets.json).unwrap_or_default();
    // The workbook was held to the size limit; the document made of it is held to every other limit.
    let document_limits = Limits {
        max_bytes: usize::MAX,
        ..*limits
    };
    let mut assessment =
        crate::assessment::parse_with(file, text.as_bytes(), pack, &document_limits).map_err(
            |e| match e {
                Error::Invalid(diagnostics) => Error::Invalid(
                    diagnostics
                        .into_iter()
                        .map(|d| locate(file, &sheets.cells, d))
                        .collect(),
                ),
                other => other,
            },
        )?;
    assessment.digest = format!("sha256:{:x}", Sha256::digest(bytes));
    assessment.answer_lines = sheets
        .rows
        .iter()
        .map(|(id, row)| (id.clone(), *row))
        .collect();
    for (id, line) in &mut assessment.unknown_answers {
        *line = sheets.rows.get(id).copied().unwrap_or(0);
    }
    Ok((assessment, sheets.json))
}

/// A problem found in the document made of a workbook, moved to the cell its value came from.
fn locate(file: &str, cells: &BTreeMap<String, String>, d: Diagnostic) -> Diagnostic {
    let Some(pointer) = d.pointer.as_deref() else {
        return Diagnostic::file(file, d.message);
    };
    let mut prefix = pointer;
    loop {
        if let Some(cell) = cells.get(prefix) {
            return Diagnostic::file(
                file,
                msg!("workbook.at", cell = cell.as_str(), message = d.message),
            );
        }
        match prefix.rfind('/') {
            Some(i) if i > 0 => prefix = &prefix[..i],
            _ => return Diagnostic::file(file, d.message).with_pointer(pointer),
        }
    }
}

/// `Sheet!A1` of a cell (0-based row and column); a sheet name with a space is quoted, as Excel writes it.
pub(crate) fn cell_ref(sheet: &str, row: u32, col: u32) -> String {
    let mut letters = String::new();
    let mut n = col + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.insert(0, char::from(b'A' + u8::try_from(rem).unwrap_or(0)));
        n = (n - 1) / 26;
    }
    let sheet = if sheet.contains(' ') || sheet.contains('\'') {
        format!("'{}'", sheet.replace('\'', "''"))
    } else {
        sheet.to_owned()
    };
    format!("{sheet}!{letters}{}", row + 1)
}

/// The document in a canonical text: object keys sorted, numbers by value (`52.0` and `52` alike), no spaces.
#[must_use]
pub fn canonical(document: &Json) -> String {
    fn write(value: &Json, out: &mut String) {
        match value {
            Json::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                out.push('{');
                for (i, key) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Json::String(key.clone()).to_string());
                    out.push(':');
                    write(&map[key], out);
                }
                out.push('}');
            }
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(item, out);
                }
                out.push(']');
            }
            Json::Number(n) => out.push_str(&number_text(n)),
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    write(document, &mut out);
    out
}

/// `sha256:` of [`canonical`].
#[must_use]
pub fn canonical_digest(document: &Json) -> String {
    format!(
        "sha256:{:x}",
        Sha256::digest(canonical(document).as_bytes())
    )
}

fn number_text(n: &serde_json::Number) -> String {
    if n.is_f64() {
        let f = n.as_f64().unwrap_or(0.0);
        #[expect(
            clippy::cast_possible_truncation,
            reason = "only for whole values within i64"
        )]
        if f.fract() == 0.0 && f.abs() < 9.0e15 {
            return format!("{}", f as i64);
        }
    }
    n.to_string()
}

/// Equal as JSON, numbers compared by value.
pub(crate) fn json_eq(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => number_text(x) == number_text(y),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// What the cells cannot show: at `pointer`, the document held `original` (`None`: nothing) where the cells give
/// `shown` (`None`: nothing).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Patch {
    pub pointer: String,
    pub original: Option<Json>,
    pub shown: Option<Json>,
}

/// Every place where `shown` differs from `original`, as patches that turn the one into the other.
pub(crate) fn diff(original: &Json, shown: &Json) -> Vec<Patch> {
    fn walk(original: &Json, shown: &Json, pointer: &str, out: &mut Vec<Patch>) {
        match (original, shown) {
            (Json::Object(before), Json::Object(after)) => {
                for (key, value) in before {
                    let p = format!("{pointer}/{}", escape(key));
                    match after.get(key) {
                        Some(other) => walk(value, other, &p, out),
                        None => out.push(Patch {
                            pointer: p,
                            original: Some(value.clone()),
                            shown: None,
                        }),
                    }
                }
                for (key, value) in after {
                    if !before.contains_key(key) {
                        out.push(Patch {
                            pointer: format!("{pointer}/{}", escape(key)),
                            original: None,
                            shown: Some(value.clone()),
                        });
                    }
                }
            }
            (Json::Array(before), Json::Array(after)) if before.len() == after.len() => {
                for (i, (item, other)) in before.iter().zip(after).enumerate() {
                    walk(item, other, &format!("{pointer}/{i}"), out);
                }
            }
            _ if json_eq(original, shown) => {}
            _ => out.push(Patch {
                pointer: pointer.to_owned(),
                original: Some(original.clone()),
                shown: Some(shown.clone()),
            }),
        }
    }
    let mut out = Vec::new();
    walk(original, shown, "", &mut out);
    out
}

/// Applies each patch whose place still holds what the cells showed when the workbook was written.
pub(crate) fn apply(document: &mut Json, patches: &[Patch]) {
    for patch in patches {
        let Some((parent, last)) = patch.pointer.rsplit_once('/') else {
            continue;
        };
        let last = unescape(last);
        let Some(parent) = document.pointer_mut(parent) else {
            continue;
        };
        let current = match &*parent {
            Json::Object(map) => map.get(&last),
            Json::Array(items) => last.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => continue,
        };
        let unchanged = match (current, &patch.shown) {
            (None, None) => true,
            (Some(c), Some(s)) => json_eq(c, s),
            _ => false,
        };
        if !unchanged {
            continue;
        }
        match (parent, &patch.original) {
            (Json::Object(map), Some(value)) => {
                map.insert(last, value.clone());
            }
            (Json::Object(map), None) => {
                map.shift_remove(&last);
            }
            (Json::Array(items), Some(value)) => {
                if let Some(slot) = last.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                    *slot = value.clone();
                }
            }
            _ => {}
        }
    }
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// Sets `value` at a dotted path of `root`, making the objects on the way.
pub(crate) fn set_path(root: &mut Map<String, Json>, path: &str, value: Json) {
    let mut node = root;
    let mut segments = path.split('.').peekable();
    while let Some(segment) = segments.next() {
        if segments.peek().is_none() {
            node.insert(segment.to_owned(), value);
            return;
        }
        let next = node
            .entry(segment.to_owned())
            .or_insert_with(|| Json::Object(Map::new()));
        if !next.is_object() {
            *next = Json::Object(Map::new());
        }
        let Json::Object(map) = next else { return };
        node = map;
    }
}

/// The value at a dotted path of `facts`, if any.
pub(crate) fn get_path<'j>(facts: &'j Json, path: &str) -> Option<&'j Json> {
    path.split('.')
        .try_fold(facts, |node, segment| node.get(segment))
}

/// A JSON Pointer of a dotted fact path.
pub(crate) fn fact_pointer(path: &str) -> String {
    format!(
        "/facts/{}",
        path.split('.').map(escape).collect::<Vec<_>>().join("/")
    )
}

/// A JSON Pointer under `answers`.
pub(crate) fn answer_pointer(id: &str) -> String {
    format!("/answers/{}", escape(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_references_are_excel_s() {
        assert_eq!(cell_ref("Facts", 13, 2), "Facts!C14");
        assert_eq!(cell_ref("Third parties", 1, 26), "'Third parties'!AA2");
    }

    #[test]
    fn patches_turn_what_is_shown_into_the_original() {
        let original =
            serde_json::json!({"a": {"b": null, "c": 52.0}, "d": [1, {"e": "x"}], "f": ""});
        let shown = serde_json::json!({"a": {"c": 52, "g": null}, "d": [1, {"e": "x", "h": null}], "f": null});
        let patches = diff(&original, &shown);
        let mut back = shown.clone();
        apply(&mut back, &patches);
        assert_eq!(canonical(&back), canonical(&original));
        // An edited value is kept.
        let mut edited = shown;
        edited["f"] = serde_json::json!("typed");
        apply(&mut edited, &patches);
        assert_eq!(edited["f"], "typed");
    }
}
