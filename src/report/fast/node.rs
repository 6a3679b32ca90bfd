//! The data a template reads, as the fast renderer walks it: what `serde_json::to_value` would build from the
//! same view, in the same order, but without hashing keys or allocating struct field names (a field's key is
//! the `&'static str` serde hands over). Anything this tree cannot represent exactly as `serde_json::Value`
//! would (128-bit integers, `f32`, float map keys…) is an error, and the caller renders with handlebars-rust.

use std::borrow::Cow;

use serde::Serialize;
use serde::ser::{self, Impossible};

/// A JSON value built from a `Serialize` view; objects keep their keys in insertion order, as `serde_json`
/// does with `preserve_order`.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    Str(String),
    Array(Vec<Node>),
    Object(Vec<(Cow<'static, str>, Node)>),
}

impl Node {
    /// The value of `key` in an object, `None` for a missing key or another kind of value.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Inserts as `serde_json::Map::insert` does: a key already present keeps its place and takes the new value.
fn insert(entries: &mut Vec<(Cow<'static, str>, Node)>, key: Cow<'static, str>, value: Node) {
    match entries.iter_mut().find(|(k, _)| *k == key) {
        Some(entry) => entry.1 = value,
        None => entries.push((key, value)),
    }
}

impl Serialize for Node {
    fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use ser::{SerializeMap, SerializeSeq};
        match self {
            Node::Null => serializer.serialize_unit(),
            Node::Bool(b) => serializer.serialize_bool(*b),
            Node::Number(n) => n.serialize(serializer),
            Node::Str(s) => serializer.serialize_str(s),
            Node::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Node::Object(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k.as_ref(), v)?;
                }
                map.end()
            }
        }
    }
}

/// Why a view could not become a [`Node`]: the caller falls back to handlebars-rust, which reports it.
#[derive(Debug)]
pub struct Unsupported;

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("value not representable for the fast renderer")
    }
}

impl std::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Unsupported
    }
}

/// `value` as a [`Node`], built as `serde_json::to_value` builds a `Value`.
pub fn to_node<T: Serialize + ?Sized>(value: &T) -> Result<Node, Unsupported> {
    value.serialize(ToNode)
}

struct ToNode;

fn variant(name: &'static str, value: Node) -> Node {
    Node::Object(vec![(Cow::Borrowed(name), value)])
}

impl ser::Serializer for ToNode {
    type Ok = Node;
    type Error = Unsupported;
    type SerializeSeq = Seq;
    type SerializeTuple = Seq;
    type SerializeTupleStruct = Seq;
    type SerializeTupleVariant = Seq;
    type SerializeMap = Map;
    type SerializeStruct = Map;
    type SerializeStructVariant = Map;

    fn serialize_bool(self, v: bool) -> Result<Node, Unsupported> {
        Ok(Node::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Node, Unsupported> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i16(self, v: i16) -> Result<Node, Unsupported> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i32(self, v: i32) -> Result<Node, Unsupported> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i64(self, v: i64) -> Result<Node, Unsupported> {
        Ok(Node::Number(v.into()))
    }
    fn serialize_u8(self, v: u8) -> Result<Node, Unsupported> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u16(self, v: u16) -> Result<Node, Unsupported> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u32(self, v: u32) -> Result<Node, Unsupported> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u64(self, v: u64) -> Result<Node, Unsupported> {
        Ok(Node::Number(v.into()))
    }
    /// `serde_json` keeps an `f32`'s own shortest form; rather than mirror that, leave it to handlebars-rust.
    fn serialize_f32(self, _: f32) -> Result<Node, Unsupported> {
        Err(Unsupported)
    }
    fn serialize_f64(self, v: f64) -> Result<Node, Unsupported> {
        Ok(serde_json::Number::from_f64(v).map_or(Node::Null, Node::Number))
    }
    fn serialize_char(self, v: char) -> Result<Node, Unsupported> {
        Ok(Node::Str(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Node, Unsupported> {
        Ok(Node::Str(v.to_owned()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Node, Unsupported> {
        Ok(Node::Array(
            v.iter().map(|b| Node::Number((*b).into())).collect(),
        ))
    }
    fn serialize_none(self) -> Result<Node, Unsupported> {
        Ok(Node::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Node, Unsupported> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Node, Unsupported> {
        Ok(Node::Null)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Node, Unsupported> {
        Ok(Node::Null)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        name: &'static str,
    ) -> Result<Node, Unsupported> {
        Ok(Node::Str(name.to_owned()))
    }
    /// `serde_json` gives a `RawValue` a newtype struct of a private name: not used by views, so refused.
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<Node, Unsupported> {
        if name.starts_with("$serde_json") {
            return Err(Unsupported);
        }
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        name: &'static str,
        value: &T,
    ) -> Result<Node, Unsupported> {
        Ok(variant(name, value.serialize(ToNode)?))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Seq, Unsupported> {
        Ok(Seq {
            variant: None,
            items: Vec::with_capacity(len.unwrap_or(0)),
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq, Unsupported> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Seq, Unsupported> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        name: &'static str,
        len: usize,
    ) -> Result<Seq, Unsupported> {
        Ok(Seq {
            variant: Some(name),
            items: Vec::with_capacity(len),
        })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Map, Unsupported> {
        Ok(Map {
            variant: None,
            entries: Vec::with_capacity(len.unwrap_or(0)),
            key: None,
        })
    }
    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Map, Unsupported> {
        if name.starts_with("$serde_json") {
            return Err(Unsupported);
        }
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        name: &'static str,
        len: usize,
    ) -> Result<Map, Unsupported> {
        Ok(Map {
            variant: Some(name),
            entries: Vec::with_capacity(len),
            key: None,
        })
    }
}

pub struct Seq {
    variant: Option<&'static str>,
    items: Vec<Node>,
}

impl Seq {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        self.items.push(value.serialize(ToNode)?);
        Ok(())
    }
    fn finish(self) -> Node {
        let array = Node::Array(self.items);
        match self.variant {
            Some(name) => variant(name, array),
            None => array,
        }
    }
}

/// The four sequence traits of serde differ only in the name of the method that adds an element.
macro_rules! sequence {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Seq {
            type Ok = Node;
            type Error = Unsupported;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
                self.push(value)
            }
            fn end(self) -> Result<Node, Unsupported> {
                Ok(self.finish())
            }
        }
    )*};
}

sequence!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

pub struct Map {
    variant: Option<&'static str>,
    entries: Vec<(Cow<'static, str>, Node)>,
    key: Option<String>,
}

impl Map {
    fn finish(self) -> Node {
        let object = Node::Object(self.entries);
        match self.variant {
            Some(name) => variant(name, object),
            None => object,
        }
    }
}

impl ser::SerializeMap for Map {
    type Ok = Node;
    type Error = Unsupported;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Unsupported> {
        self.key = Some(key.serialize(KeyToString)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        let key = self.key.take().ok_or(Unsupported)?;
        insert(&mut self.entries, Cow::Owned(key), value.serialize(ToNode)?);
        Ok(())
    }
    fn end(self) -> Result<Node, Unsupported> {
        Ok(self.finish())
    }
}

/// A struct and a struct variant add their fields alike.
macro_rules! structure {
    ($($trait:ident),*) => {$(
        impl ser::$trait for Map {
            type Ok = Node;
            type Error = Unsupported;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Unsupported> {
                insert(&mut self.entries, Cow::Borrowed(key), value.serialize(ToNode)?);
                Ok(())
            }
            fn end(self) -> Result<Node, Unsupported> {
                Ok(self.finish())
            }
        }
    )*};
}

structure!(SerializeStruct, SerializeStructVariant);

/// Map keys as `serde_json` turns them into strings: strings, characters, booleans, integers and unit
/// variants; anything else is refused.
struct KeyToString;

impl ser::Serializer for KeyToString {
    type Ok = String;
    type Error = Unsupported;
    type SerializeSeq = Impossible<String, Unsupported>;
    type SerializeTuple = Impossible<String, Unsupported>;
    type SerializeTupleStruct = Impossible<String, Unsupported>;
    type SerializeTupleVariant = Impossible<String, Unsupported>;
    type SerializeMap = Impossible<String, Unsupported>;
    type SerializeStruct = Impossible<String, Unsupported>;
    type SerializeStructVariant = Impossible<String, Unsupported>;

    fn serialize_bool(self, v: bool) -> Result<String, Unsupported> {
        Ok(v.to_string())
    }
    fn serialize_i8(self, v: i8) -> Result<String, Unsupported> {
        Ok(v.to_string())
    }
    fn serialize_i16(self, v: i16) -> Result<String, Unsupported> {
        Ok(v.to_string())
    }
    fn serialize_i32(self, v: i32) -> Result<String, Unsupported> {
        Ok(v.to_string())
    }
    fn serialize_i64(self, v: i64) -> Result<String, Unsupported> {
        Ok(v.to_string())
    }
    fn serialize_u8(self, v: u8) -> Result<String, Unsupported> {
        Ok(v.to_string())
    }
    fn serialize_u16(self, v: u16) -> Result<String, Unsupported> {
        Ok(v.to_string())
    }
    fn serialize_u32(self, v: u32) -> Result<String, Unsupported> {
        Ok(v.to_string())
    }
    fn serialize_u64(self, v: u64) -> Result<String, Unsupported> {
        Ok(v.to_string())
    }
    fn serialize_f32(self, _: f32) -> Result<String, Unsupported> {
        Err(Unsupported)
    }
    fn serialize_f64(self, _: f64) -> Result<String, Unsupported> {
        Err(Unsupported)
    }
    fn serialize_char(self, v: char) -> Result<String, Unsupported> {
        Ok(v.to_string())
    }
    fn serialize_str(self, v: &str) -> Result<String, Unsupported> {
        Ok(v.to_owned())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<String, Unsupported> {
        Err(Unsupported)
    }
    fn serialize_none(self) -> Result<String, Unsupported> {
        Err(Unsupported)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<String, Unsupported> {
        Err(Unsupported)
    }
    fn serialize_unit(self) -> Result<String, Unsupported> {
        Err(Unsupported)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<String, Unsupported> {
        Err(Unsupported)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        name: &'static str,
    ) -> Result<String, Unsupported> {
        Ok(name.to_owned())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<String, Unsupported> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<String, Unsupported> {
        Err(Unsupported)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Unsupported> {
        Err(Unsupported)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Unsupported> {
        Err(Unsupported)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Unsupported> {
        Err(Unsupported)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Unsupported> {
        Err(Unsupported)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Unsupported> {
        Err(Unsupported)
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, Unsupported> {
        Err(Unsupported)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Unsupported> {
        Err(Unsupported)
    }
}

#[cfg(test)]
mod tests {
    use super::{Node, to_node};
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// A `Node` and the `serde_json::Value` of the same data serialise to the same JSON text.
    fn same_as_serde_json<T: serde::Serialize>(value: &T) {
        let node = to_node(value).expect("representable");
        let json = serde_json::to_value(value).expect("json");
        assert_eq!(
            serde_json::to_string(&node).expect("node json"),
            serde_json::to_string(&json).expect("value json")
        );
    }

    #[derive(serde::Serialize)]
    enum Shape {
        Unit,
        New(u8),
        Tuple(i32, String),
        Struct { a: Option<bool>, b: Vec<char> },
    }

    #[derive(serde::Serialize)]
    struct Inner {
        x: f64,
        y: (),
    }

    #[derive(serde::Serialize)]
    struct Flattened {
        first: &'static str,
        #[serde(flatten)]
        inner: Inner,
        shapes: Vec<Shape>,
        by_number: BTreeMap<u32, &'static str>,
        bytes: serde_bytes_like::Bytes,
    }

    mod serde_bytes_like {
        pub struct Bytes(pub Vec<u8>);
        impl serde::Serialize for Bytes {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(&self.0)
            }
        }
    }

    #[test]
    fn every_serde_shape_becomes_what_serde_json_builds() {
        same_as_serde_json(&Flattened {
            first: "a\"b",
            inner: Inner { x: f64::NAN, y: () },
            shapes: vec![
                Shape::Unit,
                Shape::New(7),
                Shape::Tuple(-3, "t".into()),
                Shape::Struct {
                    a: None,
                    b: vec!['é', 'x'],
                },
            ],
            by_number: BTreeMap::from([(2, "two"), (10, "ten")]),
            bytes: serde_bytes_like::Bytes(vec![0, 255]),
        });
        same_as_serde_json(&1.5e300_f64);
        same_as_serde_json(&u64::MAX);
        same_as_serde_json(&i64::MIN);
    }

    #[test]
    fn a_repeated_map_key_keeps_its_place_and_takes_the_last_value() {
        struct Repeated;
        impl serde::Serialize for Repeated {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut m = s.serialize_map(None)?;
                m.serialize_entry("b", &1)?;
                m.serialize_entry("a", &2)?;
                m.serialize_entry("b", &3)?;
                m.end()
            }
        }
        same_as_serde_json(&Repeated);
        assert_eq!(
            serde_json::to_string(&to_node(&Repeated).expect("node")).expect("json"),
            r#"{"b":3,"a":2}"#
        );
    }

    #[test]
    fn values_serde_json_would_write_differently_are_refused() {
        assert!(to_node(&1.5_f32).is_err());
        assert!(to_node(&1_u128).is_err());
        assert!(to_node(&BTreeMap::from([(vec![1], 1)])).is_err());
    }

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<u64>().prop_map(serde_json::Value::from),
            any::<f64>().prop_map(serde_json::Value::from),
            ".{0,8}".prop_map(serde_json::Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
                prop::collection::vec((".{0,4}", inner), 0..6)
                    .prop_map(|entries| serde_json::Value::Object(entries.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_json_value_round_trips(value in json_value()) {
            let node = to_node(&value).expect("representable");
            prop_assert_eq!(serde_json::to_value(&node).expect("json"), value);
        }
    }

    #[test]
    fn get_finds_a_key_of_an_object_only() {
        let node = to_node(&serde_json::json!({"a": {"b": 1}})).expect("node");
        assert_eq!(
            node.get("a").and_then(|a| a.get("b")),
            Some(&Node::Number(1.into()))
        );
        assert_eq!(node.get("z"), None);
        assert_eq!(Node::Str("a".into()).get("a"), None);
    }
}
