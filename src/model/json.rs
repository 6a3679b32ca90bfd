//! JSON as snc reads it from files: strictly. A key given twice in one object is an error (`serde_json` keeps the
//! last one silently, so an assessment could answer `5.1.a` twice and be judged on the second), located at the
//! second occurrence; a UTF-8 byte-order mark before the document is accepted.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value as Json};

/// `text` with a leading byte-order mark replaced by spaces of the same byte length, so that every offset into
/// it is an offset into the file.
#[must_use]
pub fn without_bom(text: &str) -> Cow<'_, str> {
    match text.strip_prefix('\u{FEFF}') {
        Some(rest) => Cow::Owned(format!("   {rest}")),
        None => Cow::Borrowed(text),
    }
}

/// Parses a JSON document, refusing duplicate keys at any depth. Errors carry `serde_json`'s line and column.
pub fn parse_strict(text: &str) -> Result<Json, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = Strict.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// Builds a `serde_json::Value` as `serde_json` does, but fails on a repeated key.
#[derive(Clone, Copy)]
struct Strict;

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Json;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "the key \"{key}\" is given twice in the same object: keep one"
                )));
            }
            let value = map.next_value_seed(self)?;
            object.insert(key, value);
        }
        Ok(Json::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_as_serde_json_does() {
        let text =
            r#"{"a": [1, -2, 3.5, true, null, "x"], "b": {"c": {}}, "d": 18446744073709551615}"#;
        assert_eq!(
            parse_strict(text).expect("valid"),
            serde_json::from_str::<Json>(text).expect("valid")
        );
    }

    #[test]
    fn refuses_a_duplicate_key_at_any_depth_where_it_is() {
        let err = parse_strict("{\"a\": {\"x\": 1,\n \"x\": 2}}").expect_err("duplicate");
        assert!(err.to_string().contains("\"x\" is given twice"), "{err}");
        assert_eq!(err.line(), 2);
        assert!(
            parse_strict(r#"[{"a": 1}, {"a": 2}]"#).is_ok(),
            "same key in two objects"
        );
        assert!(
            parse_strict(r#"{"a": 1} x"#).is_err(),
            "trailing characters"
        );
    }

    #[test]
    fn a_byte_order_mark_keeps_offsets() {
        let text = "\u{FEFF}{\"a\": 1}";
        let clean = without_bom(text);
        assert_eq!(clean.len(), text.len());
        assert_eq!(parse_strict(&clean).expect("valid")["a"], 1);
    }
}
