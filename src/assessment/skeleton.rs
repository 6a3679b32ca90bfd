//! The skeleton `snc init` writes: every requirement that applies to the service `not_assessed`, every fact
//! unknown.

use serde_json::{Map, Value as Json, json};

use crate::model::{Lang, ServiceType};
use crate::pack::Pack;

/// An assessment skeleton: every applicable requirement `not_assessed`, every fact `null`.
#[must_use]
pub fn skeleton(
    pack: &Pack,
    types: &[ServiceType],
    layers: &[ServiceType],
    vendor: &str,
    service: &str,
    lang: Lang,
) -> Json {
    let mut answers = Map::new();
    for r in pack
        .requirements
        .iter()
        .filter(|r| r.applies_to_service(types, layers))
    {
        answers.insert(
            r.id.to_string(),
            json!({"status": "not_assessed", "title": r.title.get(lang)}),
        );
    }
    let built_on: Vec<Json> = layers
        .iter()
        .map(|l| json!({"layer": l, "provider": null, "offer": null, "secnumcloud_qualified": null, "qualification_valid_until": null}))
        .collect();
    json!({
        "format": crate::pack::schema::ASSESSMENT_FORMAT,
        "pack": pack.id,
        "vendor": {"name": vendor, "contact": null},
        "service": {"name": service, "types": types, "built_on": built_on},
        "facts": crate::pack::skeleton(&pack.facts),
        "answers": answers,
    })
}
