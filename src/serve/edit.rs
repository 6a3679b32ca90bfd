//! What a page sends, applied to the assessment document: an answer's fields, the facts, an attached evidence
//! file. Pure functions over the JSON; the caller validates the result against the pack before writing it.

use serde_json::{Map, Value as Json};

use crate::model::error::Diagnostic;
use crate::model::i18n::Message;
use crate::model::{EvidenceKind, Lang, Status};
use crate::msg;
use crate::pack::{FactDecl, FactType, Pack, Scalar};

/// The fields of a form, in page order: `(name, value)`, names repeated for lists and table rows.
pub type Fields = Vec<(String, String)>;

/// A value the page sent that cannot be written: the input it came from and why.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FieldError {
    /// The input's name (`target_date`, `facts.logging.retention_days`, `evidence.date`).
    pub field: String,
    /// The row of a repeated input (an evidence row, a table row), from 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    pub message: String,
}

impl FieldError {
    fn new(field: impl Into<String>, row: Option<usize>, message: &Message, lang: Lang) -> Self {
        Self {
            field: field.into(),
            row,
            message: message.render(lang),
        }
    }
}

/// The marker a list or table input sends for "unknown" (`null`), beside its values.
pub const UNKNOWN: &str = "__unknown__";

fn values<'a>(fields: &'a Fields, name: &str) -> Vec<&'a str> {
    fields
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

fn first<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.trim())
}

fn optional_text(value: Option<&str>) -> Json {
    match value.map(str::trim) {
        Some(v) if !v.is_empty() => Json::String(v.to_owned()),
        _ => Json::Null,
    }
}

/// Sets the answer to requirement `id` from its form: status, owner, comment, justification, target date and the
/// evidence rows. The answer's other keys (`title`) are kept; a blank field is removed.
pub fn apply_answer(
    doc: &mut Json,
    id: &str,
    fields: &Fields,
    lang: Lang,
) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    let status = first(fields, "status").unwrap_or("not_assessed");
    if status.parse::<Status>().is_err() {
        errors.push(FieldError::new(
            "status",
            None,
            &msg!("serve.invalid_choice", value = status),
            lang,
        ));
    }
    let evidence = evidence_rows(fields, lang, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let Some(root) = doc.as_object_mut() else {
        return Err(vec![FieldError::new(
            "status",
            None,
            &msg!("serve.not_an_object"),
            lang,
        )]);
    };
    let answers = root
        .entry("answers")
        .or_insert_with(|| Json::Object(Map::new()));
    if !answers.is_object() {
        *answers = Json::Object(Map::new());
    }
    let Some(answers) = answers.as_object_mut() else {
        return Ok(());
    };
    let entry = answers
        .entry(id.to_owned())
        .or_insert_with(|| Json::Object(Map::new()));
    if !entry.is_object() {
        *entry = Json::Object(Map::new());
    }
    let Some(answer) = entry.as_object_mut() else {
        return Ok(());
    };
    answer.insert("status".to_owned(), Json::String(status.to_owned()));
    for key in ["owner", "comment", "justification", "target_date"] {
        if fields.iter().any(|(n, _)| n == key) {
            match optional_text(first(fields, key)) {
                Json::Null => {
                    answer.remove(key);
                }
                value => {
                    answer.insert(key.to_owned(), value);
                }
            }
        }
    }
    if fields.iter().any(|(n, _)| n.starts_with("evidence.")) || evidence.is_empty() {
        if evidence.is_empty() {
            answer.remove("evidence");
        } else {
            answer.insert("evidence".to_owned(), Json::Array(evidence));
        }
    }
    Ok(())
}

/// The evidence rows of an answer's form, blank rows left out.
fn evidence_rows(fields: &Fields, lang: Lang, errors: &mut Vec<FieldError>) -> Vec<Json> {
    let titles = values(fields, "evidence.title");
    let refs = values(fields, "evidence.ref");
    let dates = values(fields, "evidence.date");
    let kinds = values(fields, "evidence.kind");
    let digests = values(fields, "evidence.sha256");
    let rows = titles
        .len()
        .max(refs.len())
        .max(dates.len())
        .max(kinds.len());
    let mut out = Vec::new();
    for row in 0..rows {
        let get = |list: &[&str]| list.get(row).map_or("", |v| v.trim()).to_owned();
        let (title, reference, date, kind, sha) = (
            get(&titles),
            get(&refs),
            get(&dates),
            get(&kinds),
            get(&digests),
        );
        if title.is_empty() && reference.is_empty() && date.is_empty() && sha.is_empty() {
            continue;
        }
        if title.is_empty() {
            errors.push(FieldError::new(
                "evidence.title",
                Some(row),
                &msg!("serve.evidence_title_required"),
                lang,
            ));
            continue;
        }
        if !kind.is_empty() && kind.parse::<EvidenceKind>().is_err() {
            errors.push(FieldError::new(
                "evidence.kind",
                Some(row),
                &msg!("serve.invalid_choice", value = kind.as_str()),
                lang,
            ));
            continue;
        }
        let mut entry = Map::new();
        entry.insert("title".to_owned(), Json::String(title));
        for (key, value) in [
            ("ref", reference),
            ("date", date),
            ("kind", kind),
            ("sha256", sha),
        ] {
            if !value.is_empty() {
                entry.insert(key.to_owned(), Json::String(value));
            }
        }
        out.push(Json::Object(entry));
    }
    out
}

/// Adds an evidence row to the answer to `id` (created `not_assessed` if there is none).
pub fn add_evidence(doc: &mut Json, id: &str, entry: Json) {
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    let answers = root
        .entry("answers")
        .or_insert_with(|| Json::Object(Map::new()));
    let Some(answers) = answers.as_object_mut() else {
        return;
    };
    let answer = answers
        .entry(id.to_owned())
        .or_insert_with(|| serde_json::json!({"status": "not_assessed"}));
    let Some(answer) = answer.as_object_mut() else {
        return;
    };
    let evidence = answer
        .entry("evidence")
        .or_insert_with(|| Json::Array(Vec::new()));
    if let Some(list) = evidence.as_array_mut() {
        list.push(entry);
    }
}

/// The form name of a fact: `facts.` and its path.
#[must_use]
pub fn fact_field(path: &str) -> String {
    format!("facts.{path}")
}

/// Sets every fact the form holds (a fact whose input is absent is left as it is).
pub fn apply_facts(
    doc: &mut Json,
    pack: &Pack,
    fields: &Fields,
    lang: Lang,
) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut updates = Vec::new();
    for fact in &pack.facts {
        let name = fact_field(&fact.path);
        if !fields.iter().any(|(n, _)| *n == name) {
            continue;
        }
        match fact_value(fact, &name, fields, lang) {
            Ok(value) => updates.push((fact.path.as_str(), value)),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let Some(root) = doc.as_object_mut() else {
        return Ok(());
    };
    let facts = root
        .entry("facts")
        .or_insert_with(|| Json::Object(Map::new()));
    for (path, value) in updates {
        set_path(facts, path, value);
    }
    Ok(())
}

fn set_path(mut node: &mut Json, path: &str, value: Json) {
    let mut segments = path.split('.').peekable();
    while let Some(segment) = segments.next() {
        if !node.is_object() {
            *node = Json::Object(Map::new());
        }
        let Some(object) = node.as_object_mut() else {
            return;
        };
        if segments.peek().is_none() {
            object.insert(segment.to_owned(), value);
            return;
        }
        node = object
            .entry(segment.to_owned())
            .or_insert_with(|| Json::Object(Map::new()));
    }
}

/// A fact's value as the form gives it.
fn fact_value(
    fact: &FactDecl,
    name: &str,
    fields: &Fields,
    lang: Lang,
) -> Result<Json, Vec<FieldError>> {
    let all = values(fields, name);
    match &fact.ty {
        FactType::Scalar(scalar) => {
            let text = all.iter().map(|v| v.trim()).find(|v| !v.is_empty());
            scalar_value(scalar, text)
                .map_err(|message| vec![FieldError::new(name, None, &message, lang)])
        }
        FactType::List(scalar) => {
            if all.contains(&UNKNOWN) {
                return Ok(Json::Null);
            }
            let mut items = Vec::new();
            for text in all
                .iter()
                .flat_map(|v| v.split(['\n', ',']))
                .map(str::trim)
                .filter(|v| !v.is_empty())
            {
                match scalar_value(scalar, Some(text)) {
                    Ok(v) => items.push(v),
                    Err(message) => return Err(vec![FieldError::new(name, None, &message, lang)]),
                }
            }
            Ok(Json::Array(items))
        }
        FactType::Objects(decls) => {
            if all.contains(&UNKNOWN) {
                return Ok(Json::Null);
            }
            let columns: Vec<Vec<&str>> = decls
                .iter()
                .map(|f| values(fields, &format!("{name}.{}", f.name)))
                .collect();
            let rows = columns.iter().map(Vec::len).max().unwrap_or(0);
            let mut errors = Vec::new();
            let mut out = Vec::new();
            for row in 0..rows {
                let cells: Vec<&str> = columns
                    .iter()
                    .map(|c| c.get(row).map_or("", |v| v.trim()))
                    .collect();
                if cells.iter().all(|c| c.is_empty()) {
                    continue;
                }
                let mut object = Map::new();
                for (decl, cell) in decls.iter().zip(&cells) {
                    let cell = Some(*cell).filter(|c| !c.is_empty());
                    let value = if decl.list {
                        cell.map_or(Ok(Json::Null), |c| {
                            c.split(',')
                                .map(str::trim)
                                .filter(|v| !v.is_empty())
                                .map(|v| scalar_value(&decl.ty, Some(v)))
                                .collect::<Result<Vec<_>, _>>()
                                .map(Json::Array)
                        })
                    } else {
                        scalar_value(&decl.ty, cell)
                    };
                    match value {
                        Ok(v) => {
                            object.insert(decl.name.clone(), v);
                        }
                        Err(message) => errors.push(FieldError::new(
                            format!("{name}.{}", decl.name),
                            Some(row),
                            &message,
                            lang,
                        )),
                    }
                }
                out.push(Json::Object(object));
            }
            if errors.is_empty() {
                Ok(Json::Array(out))
            } else {
                Err(errors)
            }
        }
    }
}

/// One value of a scalar type from its text; `None` (left blank) is unknown, `null`.
fn scalar_value(scalar: &Scalar, text: Option<&str>) -> Result<Json, Message> {
    let Some(text) = text else {
        return Ok(Json::Null);
    };
    let expected = || {
        msg!(
            "serve.expected",
            value = text,
            expected = scalar.description()
        )
    };
    match scalar {
        Scalar::Boolean => match text {
            "true" => Ok(Json::Bool(true)),
            "false" => Ok(Json::Bool(false)),
            _ => Err(expected()),
        },
        Scalar::Integer => text.parse::<u64>().map(Json::from).map_err(|_| expected()),
        Scalar::Number | Scalar::Percent => {
            let text = text.replace(',', ".");
            // A whole number stays an integer in the file, as a person would write it.
            if let Ok(n) = text.parse::<i64>() {
                return Ok(Json::from(n));
            }
            text.parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Json::Number)
                .ok_or_else(expected)
        }
        Scalar::Enum(values) if !values.iter().any(|v| v == text) => Err(expected()),
        Scalar::Country => Ok(Json::String(text.to_ascii_uppercase())),
        Scalar::Language => Ok(Json::String(text.to_ascii_lowercase())),
        Scalar::String | Scalar::Date | Scalar::Enum(_) => Ok(Json::String(text.to_owned())),
    }
}

/// The form input a validation problem belongs to: `(name, row)` from its JSON Pointer, for an answer's or the
/// facts' form.
#[must_use]
pub fn field_of(diagnostic: &Diagnostic) -> (String, Option<usize>) {
    let pointer = diagnostic.pointer.as_deref().unwrap_or_default();
    let segments: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    match segments.first().map(String::as_str) {
        Some("answers") => match segments.get(2).map(String::as_str) {
            Some("evidence") => {
                let row = segments.get(3).and_then(|r| r.parse().ok());
                let field = segments
                    .get(4)
                    .map_or_else(|| "evidence.title".to_owned(), |f| format!("evidence.{f}"));
                (field, row)
            }
            Some(field) => (field.to_owned(), None),
            None => ("status".to_owned(), None),
        },
        Some("facts") => {
            let mut path = Vec::new();
            let mut row = None;
            for s in &segments[1..] {
                match s.parse::<usize>() {
                    Ok(n) if row.is_none() => row = Some(n),
                    _ => path.push(s.as_str()),
                }
            }
            (fact_field(&path.join(".")), row)
        }
        _ => (String::new(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn blank_answer_fields_are_removed_and_evidence_rows_kept_in_order() {
        let mut doc = serde_json::json!({"answers": {"5.1.a": {"status": "not_assessed", "title": "T", "owner": "x"}}});
        apply_answer(
            &mut doc,
            "5.1.a",
            &fields(&[
                ("status", "compliant"),
                ("owner", " "),
                ("comment", "c"),
                ("evidence.title", "Policy"),
                ("evidence.ref", "doc/p.pdf"),
                ("evidence.date", "2026-01-01"),
                ("evidence.kind", "document"),
                ("evidence.title", ""),
                ("evidence.ref", ""),
                ("evidence.date", ""),
                ("evidence.kind", ""),
            ]),
            Lang::En,
        )
        .expect("applied");
        assert_eq!(
            doc["answers"]["5.1.a"],
            serde_json::json!({"status": "compliant", "title": "T", "comment": "c",
                "evidence": [{"title": "Policy", "ref": "doc/p.pdf", "date": "2026-01-01", "kind": "document"}]})
        );
    }

    #[test]
    fn an_evidence_row_without_title_is_refused_at_its_row() {
        let mut doc = serde_json::json!({"answers": {}});
        let errors = apply_answer(
            &mut doc,
            "5.1.a",
            &fields(&[
                ("status", "compliant"),
                ("evidence.title", "A"),
                ("evidence.title", ""),
                ("evidence.ref", ""),
                ("evidence.ref", "x"),
            ]),
            Lang::En,
        )
        .expect_err("refused");
        assert_eq!(errors[0].field, "evidence.title");
        assert_eq!(errors[0].row, Some(1));
    }

    #[test]
    fn pointers_map_to_form_inputs() {
        let mut d = Diagnostic::file("a.json", "x");
        d.pointer = Some("/answers/5.1.a/evidence/2/date".to_owned());
        assert_eq!(field_of(&d), ("evidence.date".to_owned(), Some(2)));
        d.pointer = Some("/facts/company/shareholders/1/capital_pct".to_owned());
        assert_eq!(
            field_of(&d),
            ("facts.company.shareholders.capital_pct".to_owned(), Some(1))
        );
        d.pointer = Some("/facts/logging/retention_days".to_owned());
        assert_eq!(
            field_of(&d),
            ("facts.logging.retention_days".to_owned(), None)
        );
    }
}
