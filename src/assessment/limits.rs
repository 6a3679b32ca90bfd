//! Limits on what an assessment may hold, so that no input can make `snc` run out of memory or time. Each limit is
//! documented in `docs/assessment.md` ("Limits") and tested just under and just over.
//!
//! Only the file size can be changed (`SNC_MAX_ASSESSMENT_BYTES`): the others are far above what any real
//! assessment holds, and they bound the cost of the fact checks, whose CEL comprehensions iterate over fact lists.

use serde_json::Value as Json;

use crate::model::i18n::Message;
use crate::msg;

/// The environment variable that sets [`Limits::max_bytes`].
pub const MAX_ASSESSMENT_BYTES_ENV: &str = "SNC_MAX_ASSESSMENT_BYTES";

/// At most this many problems are listed for one file; the rest are counted.
pub const MAX_DIAGNOSTICS: usize = 200;

/// What an assessment may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Size of the file, in bytes.
    pub max_bytes: usize,
    /// Nesting of arrays and objects; the document's own object is level 1.
    pub max_depth: usize,
    /// Entries of `answers`.
    pub max_answers: usize,
    /// Entries of one answer's `evidence`.
    pub max_evidence: usize,
    /// Entries of `service.built_on`: a check compares each with every third party, so their product is bounded.
    pub max_built_on: usize,
    /// Items of any other array (fact lists, `service.types`).
    pub max_list_items: usize,
    /// Characters of any string, or of any object key.
    pub max_string_chars: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 16 * 1024 * 1024,
            max_depth: 32,
            max_answers: 1_000,
            max_evidence: 100,
            max_built_on: 16,
            max_list_items: 1_000,
            max_string_chars: 10_000,
        }
    }
}

impl Limits {
    /// The default limits, with the file size from `SNC_MAX_ASSESSMENT_BYTES` when it is set (a number of bytes,
    /// at least 1).
    pub fn with_max_bytes(setting: Option<&str>) -> Result<Limits, Message> {
        let mut limits = Limits::default();
        if let Some(text) = setting {
            limits.max_bytes = text
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|&n| n > 0)
                .ok_or_else(|| {
                    msg!(
                        "limits.max_bytes",
                        env = MAX_ASSESSMENT_BYTES_ENV,
                        value = text
                    )
                })?;
        }
        Ok(limits)
    }

    /// Every value of an assessment document over a limit other than size (at most [`MAX_DIAGNOSTICS`] and one).
    /// The document comes from `serde_json`, whose own recursion limit (128) bounds its depth, and so this walk's.
    #[must_use]
    pub fn violations(&self, document: &Json) -> Vec<Violation> {
        let mut out = Vec::new();
        self.walk(document, &mut Vec::new(), Place::Root, &mut out);
        out
    }

    /// The message for nesting over [`Limits::max_depth`].
    #[must_use]
    pub fn too_deep_message(&self) -> Message {
        msg!("limits.too_deep", max = self.max_depth)
    }

    /// Walks the document; `path` holds the segments leading to `value`, turned into a JSON Pointer only when a
    /// violation is reported, so that a document within the limits costs no allocation per value.
    fn walk<'a>(
        &self,
        value: &'a Json,
        path: &mut Vec<Segment<'a>>,
        place: Place,
        out: &mut Vec<Violation>,
    ) {
        if out.len() > MAX_DIAGNOSTICS {
            return;
        }
        // The document's own object is level 1; `path` holds one segment per level below it.
        if matches!(value, Json::Array(_) | Json::Object(_)) && path.len() >= self.max_depth {
            out.push(Violation {
                pointer: pointer(path),
                at_key: false,
                message: self.too_deep_message(),
            });
            return;
        }
        match value {
            Json::String(s) => self.string(s, path, false, out),
            Json::Array(items) => {
                let (max, key) = match place {
                    Place::Evidence => (self.max_evidence, "limits.evidence"),
                    Place::BuiltOn => (self.max_built_on, "limits.layers"),
                    _ => (self.max_list_items, "limits.items"),
                };
                if items.len() > max {
                    out.push(Violation {
                        pointer: pointer(path),
                        at_key: false,
                        message: Message::new(key).arg("count", items.len()).arg("max", max),
                    });
                }
                for (i, item) in items.iter().enumerate().take(max) {
                    path.push(Segment::Index(i));
                    self.walk(item, path, Place::Other, out);
                    path.pop();
                }
            }
            Json::Object(map) => {
                if place == Place::Answers && map.len() > self.max_answers {
                    out.push(Violation {
                        pointer: pointer(path),
                        at_key: false,
                        message: msg!("limits.answers", count = map.len(), max = self.max_answers),
                    });
                }
                for (key, item) in map {
                    path.push(Segment::Key(key));
                    self.string(key, path, true, out);
                    let next = match (place, key.as_str()) {
                        (Place::Root, "answers") => Place::Answers,
                        (Place::Root, "service") => Place::Service,
                        (Place::Service, "built_on") => Place::BuiltOn,
                        (Place::Answers, _) => Place::Answer,
                        (Place::Answer, "evidence") => Place::Evidence,
                        _ => Place::Other,
                    };
                    self.walk(item, path, next, out);
                    path.pop();
                }
            }
            Json::Null | Json::Bool(_) | Json::Number(_) => {}
        }
    }

    fn string(&self, s: &str, path: &[Segment<'_>], at_key: bool, out: &mut Vec<Violation>) {
        // Counting characters is linear: only strings long enough in bytes can be too long in characters.
        if s.len() > self.max_string_chars {
            let chars = s.chars().count();
            if chars > self.max_string_chars {
                let key = if at_key {
                    "limits.key"
                } else {
                    "limits.string"
                };
                out.push(Violation {
                    pointer: pointer(path),
                    at_key,
                    message: Message::new(key)
                        .arg("count", chars)
                        .arg("max", self.max_string_chars),
                });
            }
        }
    }
}

/// One step of a path into a JSON document.
#[derive(Clone, Copy, Debug)]
enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

/// The JSON Pointer of a path.
fn pointer(path: &[Segment<'_>]) -> String {
    let mut out = String::new();
    for segment in path {
        out.push('/');
        match segment {
            Segment::Key(key) => out.push_str(&key.replace('~', "~0").replace('/', "~1")),
            Segment::Index(i) => out.push_str(&i.to_string()),
        }
    }
    out
}

/// A value over a limit.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    pub pointer: String,
    /// The problem is the key of the member, not its value.
    pub at_key: bool,
    pub message: Message,
}

/// Where a value sits, for the limits that depend on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    Root,
    Answers,
    Answer,
    Evidence,
    Service,
    BuiltOn,
    Other,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn depth_counts_arrays_and_objects_from_the_document() {
        let limits = Limits {
            max_depth: 2,
            ..Limits::default()
        };
        assert!(limits.violations(&json!({"a": [1, "[[[{{"]})).is_empty());
        let found = limits.violations(&json!({"a": "x", "b": [[1]]}));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].pointer, "/b/0");
    }

    #[test]
    fn environment_setting_must_be_a_positive_number() {
        assert_eq!(
            Limits::with_max_bytes(Some("1024")).map(|l| l.max_bytes),
            Ok(1024)
        );
        assert!(Limits::with_max_bytes(Some("0")).is_err());
        assert!(Limits::with_max_bytes(Some("16MiB")).is_err());
        assert_eq!(
            Limits::with_max_bytes(None).map(|l| l.max_bytes),
            Ok(Limits::default().max_bytes)
        );
    }

    #[test]
    fn violations_name_the_pointer() {
        let limits = Limits {
            max_evidence: 1,
            max_list_items: 2,
            max_string_chars: 8,
            max_answers: 1,
            ..Limits::default()
        };
        let doc = json!({
            "facts": {"l": [1, 2, 3], "s": "abcdefghi", "é€é€": "é€é€"},
            "answers": {"1.1.a": {"evidence": [{}, {}]}, "1.1.b": {}}
        });
        let found: Vec<(String, bool)> = limits
            .violations(&doc)
            .into_iter()
            .map(|v| (v.pointer, v.at_key))
            .collect();
        assert_eq!(
            found,
            vec![
                ("/facts/l".to_owned(), false),
                ("/facts/s".to_owned(), false),
                ("/answers".to_owned(), false),
                ("/answers/1.1.a/evidence".to_owned(), false),
            ]
        );
    }
}
