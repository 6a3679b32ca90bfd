//! Generated files stay in step with the pack: run `SNC_BLESS=1 cargo test` to rewrite them.

use std::path::Path;

use snc::pack::Pack;

const FACTS_MARKER: &str = "## Fact reference / Référence des faits";

fn bless() -> bool {
    std::env::var_os("SNC_BLESS").is_some()
}

fn check_file(path: &str, expected: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    if bless() {
        std::fs::write(&path, expected).expect("write generated file");
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "{} is stale: run `SNC_BLESS=1 cargo test` and commit the result",
        path.display()
    );
}

fn pack() -> Pack {
    Pack::embedded().unwrap_or_else(|d| panic!("embedded pack invalid: {d:?}"))
}

#[test]
fn rules_md_is_generated_from_the_pack() {
    check_file("docs/rules.md", &snc::pack::docs::rules_markdown(&pack()));
}

#[test]
fn assessment_schema_file_is_generated_from_the_pack() {
    let mut text =
        serde_json::to_string_pretty(&snc::pack::schema::assessment(&pack())).expect("json");
    text.push('\n');
    check_file("schemas/assessment.schema.json", &text);
}

#[test]
fn assessment_md_fact_reference_is_generated_from_the_pack() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/assessment.md");
    let current = std::fs::read_to_string(&path).expect("docs/assessment.md exists");
    let intro = current.split(FACTS_MARKER).next().unwrap_or_default();
    let expected = format!("{intro}{}", snc::pack::docs::facts_markdown(&pack()));
    check_file("docs/assessment.md", &expected);
}

#[test]
fn every_property_of_the_assessment_schema_is_described() {
    fn walk(node: &serde_json::Value, path: &str, missing: &mut Vec<String>) {
        if let Some(props) = node.get("properties").and_then(|p| p.as_object()) {
            for (key, value) in props {
                let here = format!("{path}/{key}");
                let described = value.get("description").is_some()
                    || value.get("$ref").is_some()
                    || key == "$schema";
                if !described {
                    missing.push(here.clone());
                }
                walk(value, &here, missing);
                if let Some(items) = value.get("items") {
                    walk(items, &format!("{here}/items"), missing);
                }
            }
        }
    }
    let schema = snc::pack::schema::assessment(&pack());
    let mut missing = Vec::new();
    walk(&schema, "", &mut missing);
    for def in schema["$defs"].as_object().expect("defs").values() {
        walk(def, "$defs", &mut missing);
    }
    assert!(missing.is_empty(), "undescribed: {missing:?}");
}
