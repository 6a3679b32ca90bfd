//! `snc verify`: does a JSON report tell the truth about its assessment? The assessment is evaluated again with
//! the report's date, language and reviewer file, and the two JSON reports are compared field by field: every
//! field that evaluation produces (verdicts, findings and their messages, severities, applicability, evidence,
//! owners, names, scores, counts, readiness, the gate, the reviewer's decisions) must be the same.

use serde_json::Value as Json;

use crate::report::Report;

/// One field that differs between the report and the re-evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// Where, as a JSON Pointer into the report (`/requirements/57/verdict`).
    pub pointer: String,
    /// The requirement the pointer is in, when it is in one.
    pub requirement: Option<String>,
    /// The value in the report, as compact JSON; `None` when the report lacks the field.
    pub in_report: Option<String>,
    /// The value recomputed; `None` when the field should not be there.
    pub recomputed: Option<String>,
}

/// Fields that do not come from the evaluation: the version of the tool that wrote the report.
/// `/policy/file` is where the policy was read from, which may differ between two runs of the same policy: its
/// digest is what is compared.
const NOT_EVALUATED: &[&str] = &["/tool", "/policy/file"];

/// Compares a report read from a file with the same evaluation done now; differences in document order.
#[must_use]
pub fn compare(claimed: &Json, fresh: &Report) -> Vec<Difference> {
    let mut fresh = serde_json::to_value(fresh).unwrap_or(Json::Null);
    // A report from before snc recorded its policy: nothing to compare it with.
    if claimed.get("policy").is_none()
        && let Some(map) = fresh.as_object_mut()
    {
        map.remove("policy");
    }
    let mut out = Vec::new();
    walk(claimed, &fresh, &mut String::new(), claimed, &mut out);
    out
}

fn walk(
    claimed: &Json,
    fresh: &Json,
    pointer: &mut String,
    root: &Json,
    out: &mut Vec<Difference>,
) {
    if NOT_EVALUATED.contains(&pointer.as_str()) {
        return;
    }
    let mut child = |key: &str, a: Option<&Json>, b: Option<&Json>, out: &mut Vec<Difference>| {
        let len = pointer.len();
        pointer.push('/');
        pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
        match (a, b) {
            (Some(a), Some(b)) => walk(a, b, pointer, root, out),
            _ => out.push(difference(pointer, root, a, b)),
        }
        pointer.truncate(len);
    };
    match (claimed, fresh) {
        (Json::Object(a), Json::Object(b)) => {
            for (key, value) in a {
                child(key, Some(value), b.get(key), out);
            }
            for (key, value) in b.iter().filter(|(k, _)| !a.contains_key(*k)) {
                child(key, None, Some(value), out);
            }
        }
        (Json::Array(a), Json::Array(b)) => {
            for i in 0..a.len().max(b.len()) {
                child(&i.to_string(), a.get(i), b.get(i), out);
            }
        }
        (a, b) if same(a, b) => {}
        (a, b) => out.push(difference(pointer, root, Some(a), Some(b))),
    }
}

/// Equal values; numbers compare by value (`88` and `88.0` are the same score).
fn same(a: &Json, b: &Json) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) if a.is_number() && b.is_number() => (x - y).abs() < 1e-9,
        _ => a == b,
    }
}

fn difference(pointer: &str, root: &Json, a: Option<&Json>, b: Option<&Json>) -> Difference {
    let requirement = pointer
        .strip_prefix("/requirements/")
        .and_then(|rest| rest.split('/').next())
        .and_then(|i| root.pointer(&format!("/requirements/{i}/id")))
        .and_then(Json::as_str)
        .map(str::to_owned);
    Difference {
        pointer: pointer.to_owned(),
        requirement,
        in_report: a.map(Json::to_string),
        recomputed: b.map(Json::to_string),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn diff(a: &Json, b: &Json) -> Vec<Difference> {
        let mut out = Vec::new();
        walk(a, b, &mut String::new(), a, &mut out);
        out
    }

    #[test]
    fn lists_changed_missing_and_added_fields_by_pointer() {
        let fresh = json!({"tool": {"version": "2"}, "gate": {"passed": false, "reasons": ["x"]},
            "requirements": [{"id": "5.1.a", "verdict": "non_compliant", "findings": [{"code": "fact-check-failed"}]}]});
        let claimed = json!({"tool": {"version": "1"}, "gate": {"passed": true, "reasons": ["x"], "extra": 1},
            "requirements": [{"id": "5.1.a", "verdict": "compliant", "findings": []}]});
        let found = diff(&claimed, &fresh);
        let pointers: Vec<&str> = found.iter().map(|d| d.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/gate/passed",
                "/gate/extra",
                "/requirements/0/verdict",
                "/requirements/0/findings/0"
            ]
        );
        assert_eq!(found[2].requirement.as_deref(), Some("5.1.a"));
        assert_eq!(found[1].recomputed, None);
        assert_eq!(found[3].in_report, None);
    }

    #[test]
    fn numbers_compare_by_value() {
        assert!(diff(&json!({"score": 88}), &json!({"score": 88.0})).is_empty());
        assert_eq!(
            diff(&json!({"score": 88.1}), &json!({"score": 88.0})).len(),
            1
        );
    }
}
