//! JSON Schemas (draft 2020-12): the assessment's is generated from the pack's fact vocabulary; the report's is
//! fixed.

use serde_json::{Value as Json, json};

use crate::model::{EvidenceKind, REQUIREMENT_ID_PATTERN, ServiceType, Status};
use crate::pack::{self, Pack};

/// The `format` value of every assessment this version reads.
pub const ASSESSMENT_FORMAT: &str = "snc-assessment/1";

/// The report schema, shipped as a file.
pub const REPORT_SCHEMA: &str = include_str!("../../schemas/report.schema.json");

/// The policy file (`snc.toml`) schema, shipped as a file.
pub const POLICY_SCHEMA: &str = include_str!("../../schemas/policy.schema.json");

fn names<T: std::fmt::Display>(all: &[T]) -> Vec<String> {
    all.iter().map(ToString::to_string).collect()
}

/// The assessment schema for a pack.
#[must_use]
pub fn assessment(pack: &Pack) -> Json {
    let mut defs = pack::defs();
    defs["status"] = json!({
        "enum": names(Status::ALL),
        "description": "compliant, partially_compliant, non_compliant, not_applicable (needs a justification), not_assessed, or inherited (needs a justification and a qualified provider in service.built_on)."
    });
    defs["evidence"] = json!({
        "type": "object",
        "description": "A piece of evidence an assessor can ask to see.",
        "required": ["title"],
        "additionalProperties": false,
        "properties": {
            "title": {"type": "string", "minLength": 1, "description": "What the evidence is, e.g. \"Information security policy v3\"."},
            "ref": {"type": ["string", "null"], "description": "Where to find it: a path in the vendor's document store or a URL."},
            "date": {"anyOf": [{"$ref": "#/$defs/date"}, {"type": "null"}], "description": "Date of the document or record; freshness is judged from the newest evidence."},
            "kind": {"anyOf": [{"enum": names(EvidenceKind::ALL)}, {"type": "null"}], "description": "The kind of evidence."},
            "sha256": {"anyOf": [{"type": "string", "pattern": "^[0-9a-fA-F]{64}$"}, {"type": "null"}], "description": "SHA-256 (hex) of the file `ref` names, relative to the assessment's folder (as `snc serve` attaches it); `snc check` reports the file gone or changed."}
        }
    });
    defs["answer"] = json!({
        "type": "object",
        "description": "The vendor's answer for one requirement.",
        "required": ["status"],
        "additionalProperties": false,
        "properties": {
            "status": {"$ref": "#/$defs/status"},
            "title": {"type": ["string", "null"], "description": "The requirement's title, written by `snc init` for the reader; ignored."},
            "evidence": {"type": "array", "items": {"$ref": "#/$defs/evidence"}, "description": "Evidence for a compliant status."},
            "owner": {"type": ["string", "null"], "description": "Who is responsible for closing or keeping this item."},
            "comment": {"type": ["string", "null"], "description": "Free text."},
            "justification": {"type": ["string", "null"], "description": "Why the item is not applicable or inherited: required for those statuses."},
            "target_date": {"anyOf": [{"$ref": "#/$defs/date"}, {"type": "null"}], "description": "When an open item will be closed: feeds the roadmap."}
        }
    });
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:snc:schema:assessment:1",
        "title": "snc self-assessment",
        "description": format!("A vendor's self-assessment against the rule pack `{}` ({}).", pack.id, pack.name.en),
        "type": "object",
        "required": ["format", "pack", "vendor", "service"],
        "additionalProperties": false,
        "properties": {
            "$schema": {"type": "string", "description": "Optional: lets editors find this schema."},
            "format": {"const": ASSESSMENT_FORMAT, "description": "The assessment format version."},
            "pack": {"type": "string", "description": "The id of the rule pack the assessment answers, e.g. `secnumcloud-3.2`."},
            "vendor": {
                "type": "object",
                "description": "The vendor seeking qualification.",
                "required": ["name"],
                "additionalProperties": false,
                "properties": {
                    "name": {"type": "string", "description": "Legal name of the vendor."},
                    "id": {"type": ["string", "null"], "description": "A stable identifier of the vendor chosen by the programme (a SIREN, a file number): `snc portfolio` groups a vendor's submissions by it, else by the name."},
                    "contact": {"type": ["string", "null"], "description": "Who to ask about this assessment."}
                }
            },
            "submitted_on": {"anyOf": [{"$ref": "#/$defs/date"}, {"type": "null"}], "description": "The date the vendor submitted this assessment: `snc portfolio` takes each vendor's latest submission by it."},
            "service": {
                "type": "object",
                "description": "The service in the qualification scope.",
                "required": ["name", "types"],
                "additionalProperties": false,
                "properties": {
                    "name": {"type": "string", "description": "Commercial name of the service in the qualification scope."},
                    "types": {"type": "array", "minItems": 1, "uniqueItems": true, "items": {"enum": names(ServiceType::ALL)},
                              "description": "The service types in scope: IaaS, CaaS, PaaS, SaaS."},
                    "built_on": {
                        "type": "array",
                        "description": "The layers the service runs on, from other providers.",
                        "items": {
                            "type": "object",
                            "required": ["layer"],
                            "additionalProperties": false,
                            "properties": {
                                "layer": {"enum": ["IaaS", "CaaS", "PaaS"], "description": "The layer this provider supplies."},
                                "provider": {"type": ["string", "null"], "description": "Provider name."},
                                "offer": {"type": ["string", "null"], "description": "Name of the offer used."},
                                "secnumcloud_qualified": {"type": ["boolean", "null"], "description": "Whether that offer is SecNumCloud-qualified."},
                                "qualification_valid_until": {"anyOf": [{"$ref": "#/$defs/date"}, {"type": "null"}], "description": "End of validity of the offer's qualification."}
                            }
                        }
                    }
                }
            },
            "facts": pack::facts_schema(&pack.facts, &pack.fact_groups),
            "answers": {
                "type": "object",
                "description": "Answers by requirement id; a requirement with no answer is not_assessed.",
                "propertyNames": {"pattern": REQUIREMENT_ID_PATTERN},
                "additionalProperties": {"$ref": "#/$defs/answer"}
            }
        },
        "$defs": defs
    })
}

/// A schema for the `facts` object alone (used to check the pack's own examples).
#[must_use]
pub fn facts_only(pack: &Pack) -> Json {
    let mut schema = pack::facts_schema(&pack.facts, &pack.fact_groups);
    schema["$defs"] = pack::defs();
    schema
}

/// Compiles a schema with format assertions on.
pub fn validator(schema: &Json) -> Result<jsonschema::Validator, String> {
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(schema)
        .map_err(|e| e.to_string())
}
