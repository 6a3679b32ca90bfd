//! Command-line scenarios: exit codes 0, 1 and 2, formats, located errors, no writes on failure.

use crate::common::{root, snc};

use std::path::Path;

use predicates::prelude::*;

fn fixture(name: &str) -> String {
    format!("tests/fixtures/assessments/{name}")
}

#[test]
fn help_lists_the_commands_and_exits_0() {
    snc()
        .arg("--help")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("check").and(predicate::str::contains("init")));
    snc()
        .args(["check", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("--as-of"));
}

#[test]
fn usage_error_exits_2() {
    snc().args(["check"]).assert().code(2);
    snc()
        .args([
            "check",
            "examples/saas-on-qualified-iaas.json",
            "--as-of",
            "28/11/2026",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--as-of"));
    snc().args(["frobnicate"]).assert().code(2);
}

#[test]
fn ready_example_passes_the_default_gate_with_exit_0() {
    snc()
        .args([
            "check",
            "examples/saas-on-qualified-iaas.json",
            "--as-of",
            "2026-11-28",
        ])
        .assert()
        .code(0);
}

#[test]
fn ineligible_example_fails_the_gate_with_exit_1() {
    snc()
        .args([
            "check",
            "examples/saas-ineligible-cap-table.json",
            "--as-of",
            "2026-11-28",
            "--format",
            "json",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("\"readiness\": \"ineligible\""));
}

#[test]
fn exit_code_depends_only_on_the_gate() {
    let file = "examples/saas-ineligible-cap-table.json";
    snc()
        .args(["check", file, "--as-of", "2026-11-28", "--fail-on", "never"])
        .assert()
        .code(0);
    snc()
        .args([
            "check",
            "examples/saas-on-qualified-iaas.json",
            "--as-of",
            "2026-11-28",
            "--min-score",
            "100",
        ])
        .assert()
        .code(1);
}

#[test]
fn truncated_json_is_located_and_exits_2() {
    snc()
        .args(["check", &fixture("truncated.json")])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(
            "truncated.json:8:1: invalid JSON: EOF while parsing",
        ));
}

#[test]
fn schema_errors_are_all_reported_with_line_column_and_pointer() {
    let assert = snc()
        .args(["validate", &fixture("wrong-status-and-type.json")])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(err.contains("wrong-status-and-type.json:7:36:"), "{err}");
    assert!(
        err.contains("[at /facts/logging/retention_days]") && err.contains("a whole number"),
        "{err}"
    );
    assert!(
        err.contains(":8:47:") && err.contains("[at /facts/company/registered_office_country]"),
        "{err}"
    );
    assert!(
        err.contains(":11:26:")
            && err.contains("[at /answers/5.2.a/status]")
            && err.contains("not_assessed"),
        "{err}"
    );
    assert!(
        err.contains(":12:39: unknown property `evidance`")
            && err.contains("[at /answers/5.2.b/evidance]"),
        "{err}"
    );
    assert!(err.contains("4 errors"), "{err}");
}

/// Every schema error says what would be accepted: all the allowed values of a list, "or null" where null is
/// allowed too, and what a fact expects rather than "not valid under any of the schemas listed in 'anyOf'".
#[test]
fn schema_errors_say_what_is_accepted() {
    let example = root().join("examples/saas-on-qualified-iaas.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(example).expect("example")).expect("json");
    doc["service"]["types"] = serde_json::json!(["XaaS"]);
    doc["service"]["built_on"][0]["layer"] = serde_json::json!("DaaS");
    doc["facts"]["company"]["registered_office_country"] = serde_json::json!({"x": 1});
    let answer = doc["answers"]
        .as_object_mut()
        .and_then(|answers| {
            answers
                .values_mut()
                .find(|a| a["evidence"].as_array().is_some_and(|e| !e.is_empty()))
        })
        .expect("an answer with evidence");
    answer["status"] = serde_json::json!("kinda");
    answer["target_date"] = serde_json::json!(5);
    answer["evidence"][0]["kind"] = serde_json::json!("video");
    answer["evidence"][0]["date"] = serde_json::json!("2026-13-01");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("wrong-values.json");
    std::fs::write(&file, serde_json::to_string_pretty(&doc).expect("json")).expect("write");
    let assert = snc().arg("validate").arg(&file).assert().code(2);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    for expected in [
        r#""XaaS" is not one of the allowed values: "IaaS", "CaaS", "PaaS", "SaaS" [at /service/types/0]"#,
        r#""DaaS" is not one of the allowed values: "IaaS", "CaaS", "PaaS" [at /service/built_on/0/layer]"#,
        r#""kinda" is not one of the allowed values: "compliant", "partially_compliant", "non_compliant", "not_applicable", "not_assessed", "inherited" ["#,
        r#""video" is not one of the allowed values: "document", "process", "technical", "contract", "corporate", "physical", "hr", or null ["#,
        r#""2026-13-01" is not a "date", or null ["#,
        r#"5 is not of type "string", or null ["#,
        r#"{"x":1} is not valid here; `company.registered_office_country` expects an ISO 3166-1 alpha-2 country code"#,
        "7 errors",
    ] {
        assert!(err.contains(expected), "missing {expected}\n{err}");
    }
    assert!(
        !err.contains("candidates") && !err.contains("'anyOf'"),
        "{err}"
    );
}

#[test]
fn unreadable_file_and_other_pack_exit_2() {
    snc()
        .args(["check", "no/such/file.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read no/such/file.json"));
    snc()
        .args(["check", &fixture("other-pack.json")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "other-pack.json:3:11: this assessment is for the pack `iso-27001-2022`",
        ));
}

#[test]
fn corrupt_pack_is_a_located_error_with_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&root().join("rules/secnumcloud-3.2"), dir.path());
    let file = dir.path().join("12-operations.toml");
    let text = std::fs::read_to_string(&file).expect("read").replacen(
        "kind = \"requirement\"",
        "kind = \"requirment\"",
        1,
    );
    std::fs::write(&file, text).expect("write");
    let dir_arg = dir.path().to_str().expect("utf-8 path");
    snc()
        .args(["rules", "lint", dir_arg])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("12-operations.toml:")
                .and(predicate::str::contains("unknown variant `requirment`")),
        );
    snc()
        .args([
            "--rules",
            dir_arg,
            "check",
            "examples/saas-on-qualified-iaas.json",
        ])
        .assert()
        .code(2);
    snc()
        .args(["rules", "lint", "rules/secnumcloud-3.2"])
        .assert()
        .code(0);
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("list") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
    }
}

#[test]
fn outputs_are_byte_identical_across_runs_and_written_atomically() {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    for out in [&a, &b] {
        snc()
            .args([
                "check",
                "examples/paas-with-gaps.json",
                "--as-of",
                "2026-11-28",
                "--fail-on",
                "never",
                "-o",
            ])
            .arg(out)
            .assert()
            .code(0);
    }
    let first = std::fs::read(&a).expect("a");
    assert_eq!(first, std::fs::read(&b).expect("b"));
    let stdout = snc()
        .args([
            "check",
            "examples/paas-with-gaps.json",
            "--as-of",
            "2026-11-28",
            "--fail-on",
            "never",
            "--format",
            "json",
        ])
        .output()
        .expect("run")
        .stdout;
    assert_eq!(first, stdout, "the file and stdout differ");
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("list").count(),
        2,
        "temporary files left behind"
    );
}

#[test]
fn json_report_follows_its_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/report.schema.json")).expect("schema"),
    )
    .expect("json");
    let validator = jsonschema::draft202012::new(&schema).expect("schema compiles");
    for example in [
        "saas-on-qualified-iaas",
        "paas-with-gaps",
        "saas-ineligible-cap-table",
    ] {
        let out = snc()
            .args([
                "check",
                &format!("examples/{example}.json"),
                "--as-of",
                "2026-11-28",
                "--format",
                "json",
                "--lang",
                "fr",
            ])
            .output()
            .expect("run");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
        let errors: Vec<String> = validator
            .iter_errors(&report)
            .map(|e| format!("{} {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{example}: {errors:?}");
        assert_eq!(report["as_of"], "2026-11-28");
        assert_eq!(report["requirements"].as_array().map(Vec::len), Some(278));
    }
}

#[test]
fn source_date_epoch_sets_the_evaluation_date() {
    let out = snc()
        .env("SOURCE_DATE_EPOCH", "1795824000")
        .args([
            "check",
            "examples/paas-with-gaps.json",
            "--format",
            "json",
            "--fail-on",
            "never",
        ])
        .output()
        .expect("run");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["as_of"], "2026-11-28");
}

#[test]
fn never_writes_over_the_input_and_fails_before_writing_anything() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("in.json");
    std::fs::copy(root().join("examples/paas-with-gaps.json"), &input).expect("copy");
    let before = std::fs::read(&input).expect("read");
    let report = dir.path().join("report.json");
    snc()
        .arg("check")
        .arg(&input)
        .arg("-o")
        .arg(&report)
        .arg("-o")
        .arg(&input)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("over an input"));
    assert_eq!(std::fs::read(&input).expect("read"), before);
    assert!(
        !report.exists(),
        "a report was written although the command failed"
    );
    snc()
        .arg("check")
        .arg(&input)
        .arg("-o")
        .arg(dir.path().join("report.docx"))
        .assert()
        .code(2);
}

#[test]
fn init_writes_a_skeleton_that_evaluates_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("assessment.json");
    snc()
        .args([
            "init",
            "--service-type",
            "paas",
            "--built-on",
            "iaas",
            "--lang",
            "fr",
            "-o",
        ])
        .arg(&out)
        .assert()
        .code(0);
    let skeleton: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("read")).expect("json");
    let answers = skeleton["answers"].as_object().expect("answers");
    assert!(answers.contains_key("12.2.c"), "12.2.c applies to PaaS");
    assert!(
        !answers.contains_key("9.5.c") && !answers.contains_key("9.6.g"),
        "SaaS-only items"
    );
    assert!(answers.values().all(|a| a["status"] == "not_assessed"));
    assert!(skeleton["facts"]["company"]["shareholders"].is_null());
    snc()
        .args(["init", "--service-type", "saas", "-o"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
    let assert = snc()
        .arg("check")
        .arg(&out)
        .args(["--as-of", "2026-11-28", "--format", "json"])
        .assert()
        .code(1);
    let report: serde_json::Value =
        serde_json::from_slice(&assert.get_output().stdout).expect("json");
    assert_eq!(report["readiness"], "not_ready");
    let r196b = report["requirements"]
        .as_array()
        .expect("list")
        .iter()
        .find(|r| r["id"] == "19.6.b")
        .expect("19.6.b");
    assert_eq!(r196b["verdict"], "not_assessed");
    assert!(
        r196b["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .all(|f| f["code"] == "fact-missing")
    );
}

#[test]
fn explain_shows_texts_and_checks_in_both_languages() {
    snc()
        .args(["explain", "19.6.b"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("sum(").and(predicate::str::contains("Guidance")));
    snc()
        .args(["explain", "19.6.b", "--lang", "fr"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Recommandations"));
    snc().args(["explain", "19.9.z"]).assert().code(2);
}

#[test]
fn rules_list_and_schema_print_machine_readable_output() {
    let out = snc()
        .args(["rules", "list", "--format", "json"])
        .output()
        .expect("run");
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(list.as_array().map(Vec::len), Some(278));
    let out = snc().args(["schema", "assessment"]).output().expect("run");
    assert_eq!(
        out.stdout,
        std::fs::read(root().join("schemas/assessment.schema.json")).expect("schema file")
    );
}

#[test]
fn french_text_report_uses_the_french_catalog() {
    snc()
        .args([
            "check",
            "examples/saas-ineligible-cap-table.json",
            "--as-of",
            "2026-11-28",
            "--lang",
            "fr",
        ])
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("NON ÉLIGIBLE")
                .and(predicate::str::contains("Écarts critiques")),
        );
}

#[test]
fn an_assessment_that_is_not_utf8_is_refused_at_its_first_bad_byte() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("latin1.json");
    std::fs::write(&path, b"{\"snc_version\": 1, \"vendor\": \"\xff\"}").expect("write");
    snc()
        .arg("check")
        .arg(&path)
        .assert()
        .code(2)
        .stdout(predicates::str::is_empty())
        .stderr(predicates::str::contains(
            "latin1.json:1:31: the file is not UTF-8 text",
        ));
}

#[test]
fn every_date_input_has_one_accepted_range() {
    let example = "examples/saas-on-qualified-iaas.json";
    for (as_of, accepted) in [
        ("1899-12-31", false),
        ("1900-01-01", true),
        ("9999-12-31", true),
        ("+10000-01-01", false),
    ] {
        let assert = snc()
            .args(["check", example, "--format", "json", "--as-of", as_of])
            .assert();
        if accepted {
            assert
                .code(predicate::in_iter([0, 1]))
                .stdout(predicate::str::contains(format!("\"as_of\": \"{as_of}\"")));
        } else {
            assert
                .code(2)
                .stdout(predicate::str::is_empty())
                .stderr(predicate::str::contains("from 1900-01-01 to 9999-12-31"));
        }
    }
    snc()
        .args(["check", example, "--format", "json"])
        .env("SOURCE_DATE_EPOCH", "253402300800")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "SOURCE_DATE_EPOCH `253402300800` is out of range",
        ));
    let dir = tempfile::tempdir().expect("temp dir");
    let old = dir.path().join("old.json");
    let text = std::fs::read_to_string(root().join(example))
        .expect("read")
        .replacen("\"2026-", "\"1850-", 1);
    std::fs::write(&old, text).expect("write");
    snc()
        .args(["check", &old.display().to_string(), "--as-of", "2026-11-28"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("\"1850-"))
        .stderr(predicate::str::contains(
            "is not a date YYYY-MM-DD from 1900-01-01 to 9999-12-31",
        ));
}

#[test]
fn an_unknown_output_extension_lists_every_format() {
    snc()
        .args([
            "check",
            "examples/saas-on-qualified-iaas.json",
            "--as-of",
            "2026-11-28",
        ])
        .args(["-o", "/tmp/snc-report.unknown"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(".sarif, .csv or .xlsx"));
}

#[test]
fn a_key_given_twice_is_refused_where_it_is_repeated() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text =
        std::fs::read_to_string(root().join("examples/saas-on-qualified-iaas.json")).expect("read");
    let at = text.find("\"answers\": {").expect("answers") + "\"answers\": {".len();
    let twice = format!(
        "{}\n    \"5.1.a\": {{\"status\": \"non_compliant\"}},{}",
        &text[..at],
        &text[at..]
    );
    let second = twice.rfind("\"5.1.a\"").expect("the first answer");
    let line = twice[..second].lines().count();
    let path = dir.path().join("twice.json");
    std::fs::write(&path, &twice).expect("write");
    let file = path.display().to_string();
    for args in [
        vec!["check", &file, "--as-of", "2026-11-28"],
        vec!["validate", &file],
    ] {
        snc()
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!("twice.json:{line}:")))
            .stderr(predicate::str::contains("the key \"5.1.a\" is given twice"));
    }
}

#[test]
fn a_byte_order_mark_is_accepted_and_changes_no_verdict() {
    let dir = tempfile::tempdir().expect("temp dir");
    let example = root().join("examples/paas-with-gaps.json");
    let text = std::fs::read_to_string(&example).expect("read");
    let path = dir.path().join("bom.json");
    std::fs::write(&path, format!("\u{FEFF}{text}")).expect("write");
    let report = |file: &str| {
        let out = snc()
            .args(["check", file, "--as-of", "2026-11-28", "--format", "json"])
            .output()
            .expect("run");
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        json["assessment"]["digest"] = serde_json::Value::Null;
        json
    };
    assert_eq!(
        report(&path.display().to_string()),
        report("examples/paas-with-gaps.json")
    );
}

/// Vendor text holding escape sequences, line breaks, OSC 52 and OSC 8, as JSON escapes.
fn hostile_assessment(dir: &Path, name: &str) -> String {
    let text = std::fs::read_to_string(root().join("examples/paas-with-gaps.json")).expect("read");
    let mut doc: serde_json::Value = serde_json::from_str(&text).expect("json");
    doc["vendor"]["name"] = serde_json::Value::from(
        "Evil\u{1b}[2J\u{1b}[H\rQUALIFICATION READY\nScore 100.0\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}]8;;http://x\u{1b}\\",
    );
    doc["service"]["name"] = serde_json::Value::from("Svc\u{9b}31m\u{202E}");
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(&doc).expect("json")).expect("write");
    path.display().to_string()
}

/// No byte of the output can act on a terminal: no escape, no carriage return, no C1 control, no bidi override;
/// line feeds only end lines, so the vendor name stays on its own line.
fn assert_inert(output: &[u8]) {
    let text = String::from_utf8_lossy(output);
    for bad in ['\u{1b}', '\r', '\u{7}', '\u{9b}', '\u{202E}'] {
        assert!(!text.contains(bad), "{bad:?} reached the terminal:\n{text}");
    }
    assert!(
        !text.lines().any(|l| l.starts_with("QUALIFICATION READY")),
        "{text}"
    );
}

#[test]
fn vendor_text_cannot_spoof_the_terminal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let evil = hostile_assessment(dir.path(), "evil.json");
    let mut runs: Vec<Vec<&str>> = vec![
        vec!["check", &evil, "--as-of", "2026-11-28"],
        vec!["--lang", "fr", "check", &evil, "--as-of", "2026-11-28"],
        vec![
            "check",
            &evil,
            "--as-of",
            "2026-11-28",
            "--format",
            "github",
        ],
        vec![
            "diff",
            "examples/paas-with-gaps.json",
            &evil,
            "--as-of",
            "2026-11-28",
        ],
        vec!["validate", &evil],
    ];
    let folder = dir.path().display().to_string();
    runs.push(vec!["portfolio", &folder, "--as-of", "2026-11-28"]);
    for args in runs {
        let out = snc().args(&args).output().expect("run");
        assert!(
            out.status.code().is_some_and(|c| c < 2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_inert(&out.stdout);
        assert_inert(&out.stderr);
    }
    // The escapes are shown, so a reader sees that the name is odd.
    let out = snc()
        .args(["check", &evil, "--as-of", "2026-11-28"])
        .output()
        .expect("run");
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("Evil\\u{1b}[2J\\u{1b}[H\\rQUALIFICATION READY\\nScore")
    );
    // And an error's excerpt of the file shows them too.
    let broken = dir.path().join("broken.json");
    std::fs::write(
        &broken,
        "{\"vendor\": \"\u{1b}[31mred\u{1b}]52;c;eA==\u{7}\", x}",
    )
    .expect("write");
    let out = snc()
        .args(["check", &broken.display().to_string()])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert_inert(&out.stderr);
}

/// A copy of the shipped pack in `dir/pack` with `from` replaced by `to` in `file`; the folder, for `--rules`.
fn custom_pack(dir: &Path, file: &str, from: &str, to: &str) -> String {
    let pack = dir.join("pack");
    std::fs::create_dir(&pack).expect("mkdir");
    copy_dir(&root().join("rules/secnumcloud-3.2"), &pack);
    let path = pack.join(file);
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "{from} is in {file}");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
    pack.display().to_string()
}

#[test]
fn a_custom_pack_whose_check_cannot_work_is_refused_at_load_as_lint_does() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = custom_pack(
        dir.path(),
        "19-additional.toml",
        "expr = \"facts.contract.signed_with_every_customer\"",
        "expr = \"contians(facts.contract.signed_with_every_customer, 'x')\"",
    );
    snc()
        .args([
            "--rules",
            &rules,
            "check",
            "examples/paas-with-gaps.json",
            "--as-of",
            "2026-11-28",
        ])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("19-additional.toml:"))
        .stderr(predicate::str::contains(
            "`contians` is not a function snc provides",
        ));
}

/// Runs `check` with a pack whose `file` has `from` replaced by `to`, and returns its stderr after checking that
/// it was refused (exit 2, nothing on stdout).
fn refused_pack(file: &str, from: &str, to: &str) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = custom_pack(dir.path(), file, from, to);
    let out = snc()
        .args(["--rules", &rules, "check", "examples/paas-with-gaps.json"])
        .args(["--as-of", "2026-11-28"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    String::from_utf8(out.stderr).expect("utf-8")
}

#[test]
fn an_unknown_function_is_refused_even_where_no_example_reaches_it() {
    // The examples never run the right-hand side: only the static check can see the typo.
    let stderr = refused_pack(
        "19-additional.toml",
        "expr = \"facts.contract.signed_with_every_customer\"",
        "expr = \"facts.contract.signed_with_every_customer || facts.contract.signed_with_every_customer.contians('x')\"",
    );
    assert!(stderr.contains("19-additional.toml:"), "{stderr}");
    assert!(
        stderr.contains("`contians` is not a function snc provides"),
        "{stderr}"
    );
    // A function of CEL's standard library that snc does not build in is named too.
    let stderr = refused_pack(
        "19-additional.toml",
        "expr = \"facts.contract.signed_with_every_customer\"",
        "expr = \"facts.contract.signed_with_every_customer || timestamp('2026-01-01T00:00:00Z') == timestamp('2026-01-01T00:00:00Z')\"",
    );
    assert!(
        stderr.contains("`timestamp` is not a function snc provides"),
        "{stderr}"
    );
}

#[test]
fn a_check_that_could_run_for_minutes_or_build_gigabytes_is_refused_at_load_with_its_place() {
    let original = "expr = \"service.built_on.all(b, facts.third_parties.exists(t, same_name(t.name, b.provider)))\"";
    // Every third party against every third party: a million iterations on a list within the limits.
    let stderr = refused_pack(
        "15-third-parties.toml",
        original,
        "expr = \"service.built_on.all(b, facts.third_parties.exists(t, facts.third_parties.exists(u, same_name(t.name, u.name) && same_name(u.name, b.provider))))\"",
    );
    assert!(
        stderr.contains("15-third-parties.toml:55:8: 15.1.a:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("steps on an assessment within the input limits"),
        "{stderr}"
    );
    // A string that doubles at each step: a 10,000-character name becomes gigabytes.
    let doubling = ".map(s, s + s)".repeat(16);
    let stderr = refused_pack(
        "15-third-parties.toml",
        original,
        &format!(
            "expr = \"service.built_on.all(b, facts.third_parties.exists(t, same_name(t.name, b.provider))) && [service.built_on[0].provider]{doubling}.size() > 0\""
        ),
    );
    assert!(stderr.contains("15.1.a:"), "{stderr}");
    assert!(
        stderr.contains("bytes on an assessment within the input limits"),
        "{stderr}"
    );
}

#[test]
fn a_custom_pack_cannot_spoof_the_terminal_through_explain_or_rules_list() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = custom_pack(
        dir.path(),
        "05-policies.toml",
        "title.en = \"Service run at the state of the art\"",
        "title.en = \"Service run\\u001b[2J\\u001b]52;c;eA==\\u0007\\rQUALIFIED\"",
    );
    for args in [vec!["explain", "5.1.a"], vec!["rules", "list"]] {
        let out = snc()
            .args(["--rules", &rules])
            .args(&args)
            .output()
            .expect("run");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\r') && !text.contains('\u{7}'),
            "{text}"
        );
        assert!(text.contains("Service run\\u{1b}[2J"), "{text}");
    }
}
