//! The fact vocabulary: what a check may read under `facts`, with types, from which the assessment schema's
//! `facts` part, the fact documentation and the `init` skeleton are generated.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json, json};

use crate::model::Lang;

use crate::model::Texts;
use crate::model::i18n::Message;
use crate::msg;

/// ISO 3166-1 alpha-2 codes.
pub const COUNTRIES: &[&str] = &[
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

/// ISO 639-1 codes.
pub const LANGUAGES: &[&str] = &[
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bi",
    "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da", "de",
    "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr", "fy",
    "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz", "ia",
    "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj", "kk",
    "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln", "lo",
    "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb", "nd",
    "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os", "pa", "pi", "pl",
    "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "sh", "si", "sk",
    "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti",
    "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo",
    "wa", "wo", "xh", "yi", "yo", "za", "zh", "zu",
];

/// The type of a single value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scalar {
    String,
    Boolean,
    Integer,
    Number,
    Percent,
    Date,
    Country,
    Language,
    Enum(Vec<String>),
}

/// The type of a fact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FactType {
    Scalar(Scalar),
    List(Scalar),
    Objects(Vec<FieldDecl>),
}

/// A field of the objects in an `object[]` fact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldDecl {
    pub name: String,
    pub ty: Scalar,
    /// A list of `ty` values rather than one.
    pub list: bool,
    pub description: Texts,
    /// A short column heading for reports (`label.en`, `label.fr`); the field's name without one.
    pub label: Option<Texts>,
}

/// One declared fact.
#[derive(Clone, Debug, PartialEq)]
pub struct FactDecl {
    /// Dotted path under `facts`.
    pub path: String,
    pub ty: FactType,
    pub description: Texts,
    pub example: Option<Json>,
}

impl Scalar {
    /// Parses a scalar type name; `values` is required for (and only allowed with) `enum`.
    pub fn parse(name: &str, values: Option<&[String]>) -> Result<Scalar, String> {
        let scalar = match name {
            "string" => Scalar::String,
            "boolean" => Scalar::Boolean,
            "integer" => Scalar::Integer,
            "number" => Scalar::Number,
            "percent" => Scalar::Percent,
            "date" => Scalar::Date,
            "country" => Scalar::Country,
            "language" => Scalar::Language,
            "enum" => match values {
                Some(v) if !v.is_empty() => return Ok(Scalar::Enum(v.to_vec())),
                _ => return Err("type `enum` needs a non-empty `values` list".to_owned()),
            },
            other => {
                return Err(format!(
                    "unknown type `{other}`: expected string, boolean, integer, number, percent, date, country, \
                     language or enum (or a list of one: `country[]`, or `object[]`)"
                ));
            }
        };
        if values.is_some() {
            return Err(format!(
                "`values` is only allowed with type `enum`, not `{name}`"
            ));
        }
        Ok(scalar)
    }

    fn schema(&self) -> Json {
        match self {
            Scalar::String => json!({"type": "string"}),
            Scalar::Boolean => json!({"type": "boolean"}),
            Scalar::Integer => json!({"type": "integer", "minimum": 0}),
            Scalar::Number => json!({"type": "number"}),
            Scalar::Percent => json!({"type": "number", "minimum": 0, "maximum": 100}),
            Scalar::Date => json!({"$ref": "#/$defs/date"}),
            Scalar::Country => json!({"$ref": "#/$defs/country"}),
            Scalar::Language => json!({"$ref": "#/$defs/language"}),
            Scalar::Enum(values) => json!({"enum": values}),
        }
    }

    /// What a value of this type looks like, for error messages and docs.
    #[must_use]
    pub fn description(&self) -> Message {
        match self {
            Scalar::String => msg!("fact_type.string"),
            Scalar::Boolean => msg!("fact_type.boolean"),
            Scalar::Integer => msg!("fact_type.integer"),
            Scalar::Number => msg!("fact_type.number"),
            Scalar::Percent => msg!("fact_type.percent"),
            Scalar::Date => msg!("fact_type.date"),
            Scalar::Country => msg!("fact_type.country"),
            Scalar::Language => msg!("fact_type.language"),
            Scalar::Enum(values) => {
                let values = values
                    .iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                msg!("fact_type.enum", values)
            }
        }
    }
}

impl FactType {
    /// Describes the type in words.
    #[must_use]
    pub fn description(&self) -> Message {
        match self {
            FactType::Scalar(s) => s.description(),
            FactType::List(s) => msg!("fact_type.list", item = s.description()),
            FactType::Objects(fields) => {
                let fields = fields
                    .iter()
                    .map(|f| format!("`{}`", f.name))
                    .collect::<Vec<_>>()
                    .join(", ");
                msg!("fact_type.objects", fields)
            }
        }
    }

    /// Describes the type in words, in `lang`.
    #[must_use]
    pub fn describe(&self, lang: Lang) -> String {
        self.description().render(lang)
    }

    fn schema(&self) -> Json {
        match self {
            FactType::Scalar(s) => s.schema(),
            FactType::List(s) => json!({"type": "array", "items": s.schema()}),
            FactType::Objects(fields) => {
                let mut properties = Map::new();
                for f in fields {
                    let base = if f.list {
                        json!({"type": "array", "items": f.ty.schema()})
                    } else {
                        f.ty.schema()
                    };
                    let mut schema = nullable(&base);
                    set_description(&mut schema, &f.description);
                    properties.insert(f.name.clone(), schema);
                }
                json!({"type": "array", "items": {"type": "object", "properties": properties, "additionalProperties": false}})
            }
        }
    }
}

fn nullable(schema: &Json) -> Json {
    match schema.get("type").and_then(Json::as_str) {
        Some(t) => {
            let mut s = schema.clone();
            s["type"] = json!([t, "null"]);
            s
        }
        None => json!({"anyOf": [schema, {"type": "null"}]}),
    }
}

fn set_description(schema: &mut Json, description: &Texts) {
    if let Some(obj) = schema.as_object_mut() {
        obj.insert("description".to_owned(), json!(description.get(Lang::En)));
    }
}

/// The JSON Schema of the `facts` object: every declared path, each value nullable (unknown).
#[must_use]
pub fn facts_schema(facts: &[FactDecl], groups: &BTreeMap<String, Texts>) -> Json {
    let mut root = group_schema(
        "Facts about the company, the service and its operation, checked by the rule pack. Every fact may be null: unknown.",
    );
    for fact in facts {
        let segments: Vec<&str> = fact.path.split('.').collect();
        let Some((last, path_groups)) = segments.split_last() else {
            continue;
        };
        let mut node = &mut root;
        for (depth, segment) in path_groups.iter().enumerate() {
            node = &mut node["properties"][*segment];
            if node.is_null() {
                let group = path_groups[..=depth].join(".");
                *node = group_schema(groups.get(&group).map_or("", |t| t.en.as_str()));
            }
        }
        let mut leaf = nullable(&fact.ty.schema());
        set_description(&mut leaf, &fact.description);
        if let (Some(example), Some(obj)) = (&fact.example, leaf.as_object_mut()) {
            obj.insert("examples".to_owned(), json!([example]));
        }
        node["properties"][*last] = leaf;
    }
    root
}

fn group_schema(description: &str) -> Json {
    let mut schema =
        json!({"type": ["object", "null"], "properties": {}, "additionalProperties": false});
    if !description.is_empty() {
        schema["description"] = json!(description);
    }
    schema
}

/// The `$defs` shared by fact schemas.
#[must_use]
pub fn defs() -> Json {
    json!({
        "date": {"type": "string", "pattern": crate::model::date::PATTERN, "format": "date",
                 "description": "An ISO 8601 calendar date, YYYY-MM-DD, from 1900-01-01 to 9999-12-31."},
        "country": {"type": "string", "enum": COUNTRIES, "description": "An ISO 3166-1 alpha-2 country code, upper case."},
        "language": {"type": "string", "enum": LANGUAGES, "description": "An ISO 639-1 language code, lower case."},
    })
}

/// Every declared fact as `null` (unknown), nested by path.
#[must_use]
pub fn skeleton(facts: &[FactDecl]) -> Json {
    let mut root = Json::Object(Map::new());
    for fact in facts {
        let segments: Vec<&str> = fact.path.split('.').collect();
        let Some((last, groups)) = segments.split_last() else {
            continue;
        };
        let mut node = &mut root;
        for segment in groups {
            node = &mut node[*segment];
            if node.is_null() {
                *node = Json::Object(Map::new());
            }
        }
        node[*last] = Json::Null;
    }
    root
}

/// The declared fact that a JSON Pointer under `/facts` points into, if any.
#[must_use]
pub fn fact_at_pointer<'a>(facts: &'a [FactDecl], pointer: &str) -> Option<&'a FactDecl> {
    let rest = pointer.strip_prefix("/facts/")?;
    let dotted: String = rest.split('/').collect::<Vec<_>>().join(".");
    facts
        .iter()
        .find(|f| dotted == f.path || dotted.starts_with(&format!("{}.", f.path)))
}
