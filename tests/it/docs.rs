//! User-facing documentation exists for every finding code and every exit code.

#[test]
fn every_finding_code_has_a_section_in_codes_md() {
    let doc = include_str!("../../docs/codes.md");
    for code in snc::engine::result::Code::ALL {
        let heading = format!("## `{}`", code.as_str());
        assert!(
            doc.lines().any(|l| l.trim() == heading),
            "docs/codes.md lacks a `{heading}` section"
        );
    }
}

#[test]
fn exit_codes_doc_covers_0_1_and_2() {
    let doc = include_str!("../../docs/exit-codes.md");
    for code in ["0", "1", "2"] {
        assert!(
            doc.contains(&format!("`{code}`")) || doc.contains(&format!("**{code}**")),
            "exit code {code} undocumented"
        );
    }
}

#[test]
fn policy_md_documents_every_policy_setting() {
    let doc = include_str!("../../docs/policy.md");
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../schemas/policy.schema.json")).expect("schema");
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

#[test]
fn readme_example_output_is_what_snc_prints() {
    let readme = include_str!("../../README.md");
    let marker = "$ snc check examples/saas-on-qualified-iaas.json --as-of 2026-11-28\n";
    let start = readme.find(marker).expect("README shows the example run") + marker.len();
    let shown = &readme[start..start + readme[start..].find("```").expect("closing fence")];
    let out = assert_cmd::Command::cargo_bin("snc")
        .expect("binary")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .args([
            "check",
            "examples/saas-on-qualified-iaas.json",
            "--as-of",
            "2026-11-28",
        ])
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "the README's first command must pass the gate"
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        shown,
        "README example output is stale"
    );
}
