//! User-facing documentation exists for every finding code and every exit code.

#[test]
fn every_finding_code_has_a_section_in_codes_md() {
    let doc = include_str!("../docs/codes.md");
    for code in snc::evaluate::Code::ALL {
        let heading = format!("## `{}`", code.as_str());
        assert!(
            doc.lines().any(|l| l.trim() == heading),
            "docs/codes.md lacks a `{heading}` section"
        );
    }
}

#[test]
fn exit_codes_doc_covers_0_1_and_2() {
    let doc = include_str!("../docs/exit-codes.md");
    for code in ["0", "1", "2"] {
        assert!(
            doc.contains(&format!("`{code}`")) || doc.contains(&format!("**{code}**")),
            "exit code {code} undocumented"
        );
    }
}

#[test]
fn policy_md_documents_every_policy_setting() {
    let doc = include_str!("../docs/policy.md");
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../schemas/policy.schema.json")).expect("schema");
    let mut keys: Vec<&str> = schema["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .map(String::as_str)
        .collect();
    keys.extend(
        schema["properties"]["waiver"]["items"]["properties"]
            .as_object()
            .expect("waiver properties")
            .keys()
            .map(String::as_str),
    );
    for key in keys {
        assert!(
            doc.contains(&format!("`{key}`"))
                || doc.contains(&format!("`[{key}]`"))
                || doc.contains(&format!("`[[{key}]]`")),
            "docs/policy.md does not document `{key}`"
        );
    }
}
