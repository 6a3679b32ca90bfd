//! CI gating end to end: the policy file and its errors, waivers, baselines, the CI formats parsed back, and the
//! exit-code flags. Every scenario runs the binary on the shipped examples at `--as-of 2026-11-28`.

use crate::common::{requirement, root, snc};

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value as Json;

/// The ready `SaaS`: score 98.9, no critical or high gap; medium gaps 12.6.d, 14.2.c, 15.3.a, 16.3.a (non-compliant),
/// 17.1.b (stale evidence); low gaps 7.3.c, 11.2.1.d; chapter 17 scores 94.0.
const READY: &str = "examples/saas-on-qualified-iaas.json";
const INELIGIBLE: &str = "examples/saas-ineligible-cap-table.json";
const AS_OF: &str = "2026-11-28";

/// `snc check FILE --as-of 2026-11-28` plus `args`.
fn check(file: &str, args: &[&str]) -> Command {
    let mut cmd = snc();
    cmd.args(["check", file, "--as-of", AS_OF]).args(args);
    cmd
}

/// Writes `text` to `name` in `dir` and returns its path as a string.
fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path.to_str().expect("utf-8 path").to_owned()
}

/// Runs and returns (exit code, JSON report on stdout).
fn json_report(mut cmd: Command) -> (i32, Json) {
    let out = cmd.args(["--format", "json"]).output().expect("run");
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON report ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().expect("exit code"), report)
}

fn codes(report: &Json, id: &str) -> Vec<String> {
    requirement(report, id)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["code"].as_str().expect("code").to_owned())
        .collect()
}

fn strings(value: &Json) -> Vec<String> {
    value
        .as_array()
        .expect("array")
        .iter()
        .map(|v| v.as_str().expect("string").to_owned())
        .collect()
}

/// The ready example with some answers replaced, written to `dir`.
fn ready_with(dir: &Path, name: &str, answers: &[(&str, Json)]) -> String {
    let mut doc: Json =
        serde_json::from_str(&std::fs::read_to_string(root().join(READY)).expect("read"))
            .expect("json");
    for (id, answer) in answers {
        doc["answers"][*id] = answer.clone();
    }
    write(
        dir,
        name,
        &serde_json::to_string_pretty(&doc).expect("json"),
    )
}

fn waiver(id: &str, expires: &str) -> String {
    format!(
        "[[waiver]]\nid = \"{id}\"\nreason = \"accepted for the test\"\napproved-by = \"RSSI\"\nexpires = {expires}\n"
    )
}

const MEDIUM_GAPS: [&str; 5] = ["12.6.d", "14.2.c", "15.3.a", "16.3.a", "17.1.b"];

/// Checks READY under the policy `passing` (exit 0), then under `failing` (exit 1): the failing run's report.
fn passes_then_fails(passing: &str, failing: &str) -> Json {
    let dir = tempfile::tempdir().expect("temp dir");
    let pass = write(dir.path(), "pass.toml", passing);
    let fail = write(dir.path(), "fail.toml", failing);
    check(READY, &["--policy", &pass]).assert().code(0);
    let (code, report) = json_report(check(READY, &["--policy", &fail]));
    assert_eq!(code, 1);
    report
}

// ---- gate rules, each passing and failing ----

#[test]
fn min_score_passes_at_the_score_and_fails_above_it() {
    let report = passes_then_fails("min-score = 98.9\n", "min-score = 99\n");
    assert_eq!(
        strings(&report["gate"]["reasons"]),
        ["overall score 98.9 is below the minimum 99.0"]
    );
}

#[test]
fn chapter_minimum_passes_at_the_chapter_score_and_fails_above_it() {
    let report = passes_then_fails(
        "[min-chapter-score]\n\"17\" = 94\n",
        "[min-chapter-score]\n\"17\" = 94.1\n\"5\" = 100\n",
    );
    assert_eq!(
        strings(&report["gate"]["reasons"]),
        ["chapter 17 score 94.0 is below its minimum 94.1"]
    );
}

#[test]
fn severity_threshold_from_the_file_fails_on_medium_gaps_not_on_high() {
    let report = passes_then_fails("fail-on = \"high\"\n", "fail-on = \"medium\"\n");
    assert_eq!(strings(&report["gate"]["blocking"]), MEDIUM_GAPS);
    let reason = &strings(&report["gate"]["reasons"])[0];
    assert!(
        reason.starts_with("5 requirement(s) of severity medium or above not met: 12.6.d"),
        "{reason}"
    );
}

#[test]
fn stale_evidence_fails_only_when_the_policy_says_so() {
    let report = passes_then_fails(
        "fail-on-stale-evidence = false\n",
        "fail-on-stale-evidence = true\n",
    );
    assert_eq!(strings(&report["gate"]["blocking"]), ["17.1.b"]);
    assert_eq!(
        strings(&report["gate"]["reasons"]),
        ["1 requirement(s) have stale evidence: 17.1.b"]
    );
}

#[test]
fn missing_evidence_fails_only_when_the_policy_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = ready_with(
        dir.path(),
        "a.json",
        &[("5.1.a", serde_json::json!({"status": "compliant"}))],
    );
    let on = write(dir.path(), "on.toml", "fail-on-missing-evidence = true\n");
    check(&file, &[]).assert().code(0);
    let (code, report) = json_report(check(&file, &["--policy", &on]));
    assert_eq!(code, 1);
    assert_eq!(strings(&report["gate"]["blocking"]), ["5.1.a"]);
    assert!(codes(&report, "5.1.a").contains(&"evidence-missing".to_owned()));
}

#[test]
fn flags_override_the_policy_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let lenient = write(dir.path(), "lenient.toml", "fail-on = \"never\"\n");
    let strict = write(dir.path(), "strict.toml", "min-score = 100\n");
    check(INELIGIBLE, &["--policy", &lenient]).assert().code(0);
    check(INELIGIBLE, &["--policy", &lenient, "--fail-on", "critical"])
        .assert()
        .code(1);
    check(READY, &["--policy", &strict]).assert().code(1);
    check(READY, &["--policy", &strict, "--min-score", "50"])
        .assert()
        .code(0);
}

// ---- waivers ----

#[test]
fn waiver_applies_on_its_expiry_day_and_lapses_the_day_after() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut text = "fail-on = \"medium\"\n".to_owned();
    for id in MEDIUM_GAPS {
        text.push_str(&waiver(id, "2026-11-28"));
    }
    let policy = write(dir.path(), "snc.toml", &text);

    let (code, report) = json_report(check(READY, &["--policy", &policy]));
    assert_eq!(code, 0, "every medium gap is waived on its expiry day");
    let r = requirement(&report, "16.3.a");
    assert_eq!(
        r["verdict"], "non_compliant",
        "a waiver never changes the verdict"
    );
    assert!(codes(&report, "16.3.a").contains(&"waived".to_owned()));
    assert!(strings(&report["gate"]["blocking"]).is_empty());

    let mut next_day = snc();
    next_day.args(["check", READY, "--as-of", "2026-11-29", "--policy", &policy]);
    let (code, report) = json_report(next_day);
    assert_eq!(code, 1, "expired the day after");
    assert!(!codes(&report, "16.3.a").contains(&"waived".to_owned()));
    assert!(strings(&report["gate"]["blocking"]).contains(&"16.3.a".to_owned()));
    assert!(
        strings(&report["gate"]["notes"]).contains(
            &"the waiver for 16.3.a expired on 2026-11-28 (as of 2026-11-29): it no longer applies"
                .to_owned()
        ),
        "{:?}",
        report["gate"]["notes"]
    );
}

#[test]
fn waiver_matching_nothing_is_reported_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = format!(
        "{}{}",
        waiver("12.99.a", "2027-01-01"),
        waiver("5.1.a", "2027-01-01")
    );
    let policy = write(dir.path(), "snc.toml", &text);
    let (code, report) = json_report(check(READY, &["--policy", &policy]));
    assert_eq!(code, 0);
    assert_eq!(
        strings(&report["gate"]["notes"]),
        [
            "the waiver for 12.99.a matches nothing: the pack has no such requirement",
            "the waiver for 5.1.a matches nothing: 5.1.a is not a gap (compliant); remove the waiver",
        ]
    );
    assert!(!codes(&report, "5.1.a").contains(&"waived".to_owned()));
}

#[test]
fn waived_requirement_carries_the_waiver_in_every_format() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = write(dir.path(), "snc.toml", &waiver("16.3.a", "2027-01-31"));
    for format in ["text", "json", "junit", "sarif", "csv", "github"] {
        let out = check(
            READY,
            &["--policy", &policy, "--format", format, "--lang", "en"],
        )
        .output()
        .expect("run");
        assert_eq!(out.status.code(), Some(0), "{format}");
        let text = String::from_utf8(out.stdout).expect("utf-8");
        assert!(text.contains("waived"), "{format} does not show the waiver");
    }
}

// ---- baseline ----

/// The JSON report of `file` with no policy, written to `dir/name`.
fn baseline_of(dir: &Path, file: &str, name: &str) -> String {
    let out = check(file, &["--format", "json", "--fail-on", "never"])
        .output()
        .expect("run");
    write(dir, name, std::str::from_utf8(&out.stdout).expect("utf-8"))
}

#[test]
fn unchanged_assessment_is_no_regression() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = baseline_of(dir.path(), READY, "base.json");
    let (code, report) = json_report(check(READY, &["--baseline", &base]));
    assert_eq!(code, 0);
    assert_eq!(
        strings(&report["gate"]["notes"]),
        ["compared with the baseline of 2026-11-28: score 98.9 → 98.9, 0 verdict(s) worse"]
    );
}

#[test]
fn worse_verdict_fails_against_the_baseline_whatever_the_absolute_score() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = baseline_of(dir.path(), READY, "base.json");
    let worse = ready_with(
        dir.path(),
        "worse.json",
        &[("7.1.a", serde_json::json!({"status": "non_compliant"}))],
    );
    check(&worse, &[]).assert().code(0);
    let (code, report) = json_report(check(&worse, &["--baseline", &base]));
    assert_eq!(code, 1);
    let reasons = strings(&report["gate"]["reasons"]);
    assert_eq!(
        reasons[0],
        "1 requirement(s) got worse since the baseline of 2026-11-28: 7.1.a (compliant → non-compliant)"
    );
    assert_eq!(strings(&report["gate"]["blocking"]), ["7.1.a"]);
}

#[test]
fn score_drop_fails_beyond_the_margin_and_passes_within_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = baseline_of(dir.path(), READY, "base.json");
    // 7.1.a gets worse but is waived: only the score rule is left to judge the drop.
    let worse = ready_with(
        dir.path(),
        "worse.json",
        &[("7.1.a", serde_json::json!({"status": "non_compliant"}))],
    );
    let (_, now) = json_report(check(&worse, &["--fail-on", "never"]));
    let before: f64 = 98.9;
    let score = now["score"]["overall"].as_f64().expect("score");
    let drop = ((before - score) * 10.0).round() / 10.0;
    assert!(drop > 0.0, "the change lowers the score");

    let w = waiver("7.1.a", "2027-01-01");
    let default = write(dir.path(), "default.toml", &w);
    let within = write(
        dir.path(),
        "within.toml",
        &format!("max-score-drop = {drop:.1}\n{w}"),
    );
    let beyond = write(
        dir.path(),
        "beyond.toml",
        &format!("max-score-drop = {:.1}\n{w}", drop - 0.1),
    );

    let (code, report) = json_report(check(&worse, &["--baseline", &base, "--policy", &default]));
    assert_eq!(code, 1, "by default any drop fails");
    let reasons = strings(&report["gate"]["reasons"]);
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert!(
        reasons[0].starts_with(&format!(
            "overall score dropped by {drop:.1} since the baseline"
        )),
        "{reasons:?}"
    );
    check(&worse, &["--baseline", &base, "--policy", &within])
        .assert()
        .code(0);
    check(&worse, &["--baseline", &base, "--policy", &beyond])
        .assert()
        .code(1);
}

#[test]
fn baseline_of_another_pack_is_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = baseline_of(dir.path(), READY, "base.json");
    let mut report: Json =
        serde_json::from_str(&std::fs::read_to_string(&base).expect("read")).expect("json");
    report["pack"]["id"] = "iso-27001-2022".into();
    let other = write(dir.path(), "other.json", &report.to_string());
    check(READY, &["--baseline", &other])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(
            "the baseline is a report for the pack `iso-27001-2022`, but this check uses the pack `secnumcloud-3.2`",
        ));
    check(READY, &["--baseline", READY])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("usable as a baseline"));
}

// ---- formats parsed back ----

/// Counts of a `JUnit` document read with an XML parser: (suite names, test cases, failures, skipped, root attributes).
struct Junit {
    suites: Vec<String>,
    cases: usize,
    failures: Vec<String>,
    skipped: usize,
    root: std::collections::BTreeMap<String, String>,
}

fn parse_junit(xml: &str) -> Junit {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut junit = Junit {
        suites: Vec::new(),
        cases: 0,
        failures: Vec::new(),
        skipped: 0,
        root: std::collections::BTreeMap::new(),
    };
    let mut depth = 0;
    let mut case = String::new();
    loop {
        let event = reader.read_event().expect("well-formed XML");
        let (start, empty) = match &event {
            Event::Start(s) => (Some(s.clone()), false),
            Event::Empty(s) => (Some(s.clone()), true),
            Event::End(_) => {
                depth -= 1;
                (None, false)
            }
            Event::Eof => break,
            _ => (None, false),
        };
        let Some(tag) = start else { continue };
        let attr = |name: &str| {
            tag.attributes()
                .map(|a| a.expect("attribute"))
                .find(|a| a.key.as_ref() == name.as_bytes())
                .map(|a| {
                    a.normalized_value(quick_xml::XmlVersion::Explicit1_0)
                        .expect("value")
                        .into_owned()
                })
        };
        match (tag.name().as_ref(), depth) {
            (b"testsuites", 0) => {
                for a in tag.attributes() {
                    let a = a.expect("attribute");
                    junit.root.insert(
                        String::from_utf8(a.key.as_ref().to_vec()).expect("utf-8"),
                        a.normalized_value(quick_xml::XmlVersion::Explicit1_0)
                            .expect("value")
                            .into_owned(),
                    );
                }
            }
            (b"testsuite", 1) => junit.suites.push(attr("name").expect("suite name")),
            (b"testcase", 2) => {
                junit.cases += 1;
                case = attr("name").expect("case name");
            }
            (b"failure", 3) => junit.failures.push(case.clone()),
            (b"skipped", 3) => junit.skipped += 1,
            (name, d) if d < 3 && !matches!(name, b"properties" | b"property" | b"system-out") => {
                panic!(
                    "unexpected <{}> at depth {d}",
                    String::from_utf8_lossy(name)
                )
            }
            _ => {}
        }
        if !empty {
            depth += 1;
        }
    }
    junit
}

fn gaps(report: &Json) -> Vec<String> {
    report["requirements"]
        .as_array()
        .expect("requirements")
        .iter()
        .filter(|r| {
            r["applicable"] == true
                && r["kind"] == "requirement"
                && !matches!(
                    r["verdict"].as_str(),
                    Some("compliant" | "inherited" | "not_applicable")
                )
        })
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect()
}

#[test]
fn junit_has_a_case_per_applicable_requirement_grouped_by_chapter() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = write(
        dir.path(),
        "snc.toml",
        &format!("fail-on = \"medium\"\n{}", waiver("16.3.a", "2027-01-31")),
    );
    let xml_path = dir.path().join("results.xml");
    let (code, report) = json_report({
        let mut c = check(READY, &["--policy", &policy, "-o"]);
        c.arg(&xml_path);
        c
    });
    assert_eq!(code, 1);
    let junit = parse_junit(&std::fs::read_to_string(&xml_path).expect("JUnit written"));

    let applicable = report["requirements"]
        .as_array()
        .expect("requirements")
        .iter()
        .filter(|r| r["applicable"] == true)
        .count();
    assert_eq!(
        junit.cases,
        applicable + 1,
        "one case per applicable item, plus the gate"
    );
    assert_eq!(junit.root["tests"], (applicable + 1).to_string());
    assert_eq!(junit.suites[0], "gate");
    assert_eq!(
        junit.suites[1],
        "5. Information security policies and risk management"
    );
    assert_eq!(junit.suites.len(), 16, "the gate and chapters 5 to 19");

    let mut expected: Vec<String> = gaps(&report);
    expected.retain(|id| id != "16.3.a");
    let failed: Vec<String> = junit
        .failures
        .iter()
        .map(|name| name.split(' ').next().expect("id").to_owned())
        .collect();
    assert_eq!(failed[0], "gate");
    assert_eq!(&failed[1..], expected.as_slice());
    assert_eq!(junit.root["failures"], failed.len().to_string());
    let recommendations = report["counts"]["recommendations"].as_u64().expect("count");
    assert!(junit.skipped >= 1, "the waived gap is skipped");
    assert!(
        u64::try_from(junit.skipped).expect("count") <= recommendations + 1,
        "only recommendations and the waived gap are skipped"
    );
}

#[test]
fn sarif_parses_as_sarif_2_1_0_with_results_on_answer_lines() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = write(dir.path(), "snc.toml", &waiver("16.3.a", "2027-01-31"));
    let sarif_path = dir.path().join("snc.sarif");
    let (_, report) = json_report({
        let mut c = check(READY, &["--policy", &policy, "-o"]);
        c.arg(&sarif_path);
        c
    });
    let text = std::fs::read_to_string(&sarif_path).expect("SARIF written");
    let sarif: serde_sarif::sarif::Sarif = serde_json::from_str(&text).expect("valid SARIF");
    assert_eq!(
        serde_json::to_value(&sarif.version).expect("version"),
        "2.1.0"
    );
    assert_eq!(sarif.runs.len(), 1);
    let run = &sarif.runs[0];
    let rules = run.tool.driver.rules.as_ref().expect("rules");
    assert_eq!(rules.len(), 278, "one rule per requirement of the pack");
    let results = run.results.as_ref().expect("results");
    let ids: Vec<String> = results
        .iter()
        .map(|r| r.rule_id.clone().expect("ruleId"))
        .collect();
    assert_eq!(ids, gaps(&report));

    let assessment: Vec<String> = std::fs::read_to_string(root().join(READY))
        .expect("read")
        .lines()
        .map(str::to_owned)
        .collect();
    for result in results {
        let id = result.rule_id.as_deref().expect("ruleId");
        let index = usize::try_from(result.rule_index.expect("ruleIndex")).expect("index");
        assert_eq!(rules[index].id, id);
        let location = &result.locations.as_ref().expect("locations")[0];
        let physical = location.physical_location.as_ref().expect("physical");
        assert_eq!(
            physical
                .artifact_location
                .as_ref()
                .and_then(|a| a.uri.as_deref()),
            Some(READY)
        );
        let line = physical
            .region
            .as_ref()
            .and_then(|r| r.start_line)
            .expect("startLine");
        let line = usize::try_from(line).expect("line");
        assert!(
            assessment[line - 1].contains(&format!("\"{id}\"")),
            "line {line} is not the answer of {id}"
        );
        let level = serde_json::to_value(result.level.as_ref().expect("level")).expect("level");
        let severity = requirement(&report, id)["severity"]
            .as_str()
            .expect("severity");
        let expected = match severity {
            "critical" | "high" => "error",
            "medium" => "warning",
            _ => "note",
        };
        assert_eq!(level, expected, "{id}");
        assert_eq!(
            result.suppressions.as_ref().is_some_and(|s| !s.is_empty()),
            id == "16.3.a",
            "{id}: only the waived gap is suppressed"
        );
    }
    let gate = &run
        .properties
        .as_ref()
        .expect("properties")
        .additional_properties["gate"];
    assert_eq!(gate["passed"], true);
}

#[test]
fn csv_has_one_row_per_requirement_then_the_gate() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = write(dir.path(), "snc.toml", "fail-on = \"medium\"\n");
    let csv_path = dir.path().join("snc.csv");
    let (code, report) = json_report({
        let mut c = check(READY, &["--policy", &policy, "-o"]);
        c.arg(&csv_path);
        c
    });
    assert_eq!(code, 1);
    let mut reader = csv::Reader::from_path(&csv_path).expect("CSV written");
    let headers: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        headers,
        [
            "record",
            "id",
            "chapter",
            "kind",
            "severity",
            "applicable",
            "declared",
            "verdict",
            "gate",
            "line",
            "codes",
            "title",
            "message"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let requirements: Vec<&csv::StringRecord> =
        rows.iter().filter(|r| &r[0] == "requirement").collect();
    assert_eq!(requirements.len(), 278);
    let ids: Vec<&str> = requirements.iter().map(|r| &r[1]).collect();
    let json_ids: Vec<&str> = report["requirements"]
        .as_array()
        .expect("requirements")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, json_ids, "pack order");
    let blocking: Vec<&str> = requirements
        .iter()
        .filter(|r| &r[8] == "blocking")
        .map(|r| &r[1])
        .collect();
    assert_eq!(blocking, MEDIUM_GAPS);
    let r = requirements
        .iter()
        .find(|r| &r[1] == "17.1.b")
        .expect("17.1.b");
    assert_eq!(
        (&r[6], &r[7], &r[10]),
        ("compliant", "partially_compliant", "evidence-stale")
    );
    let reasons: Vec<&str> = rows
        .iter()
        .filter(|r| &r[0] == "gate-reason")
        .map(|r| &r[12])
        .collect();
    assert_eq!(reasons, strings(&report["gate"]["reasons"]));
}

#[test]
fn github_annotations_point_at_answer_lines_and_escape_their_text() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = write(
        dir.path(),
        "snc.toml",
        "fail-on = \"medium\"\n[[waiver]]\nid = \"16.3.a\"\nreason = \"100% of 2, then: more\\nnext line\"\napproved-by = \"RSSI, C. Rousseau\"\nexpires = 2027-01-31\n",
    );
    let out = check(READY, &["--policy", &policy, "--format", "github"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("snc secnumcloud-3.2: "),
        "{}",
        lines[0]
    );
    assert!(lines[1..].iter().all(|l| l.starts_with("::")), "{text}");
    assert!(
        lines[1].starts_with("::error title=snc Gate::4 requirement(s)"),
        "{}",
        lines[1]
    );

    let assessment: Vec<String> = std::fs::read_to_string(root().join(READY))
        .expect("read")
        .lines()
        .map(str::to_owned)
        .collect();
    let annotations: Vec<&&str> = lines.iter().filter(|l| l.contains(" file=")).collect();
    assert_eq!(
        annotations.len(),
        gaps(&json_report(check(READY, &[])).1).len()
    );
    for a in &annotations {
        let (level, rest) = a[2..].split_once(' ').expect("level");
        let props = rest.split_once("::").expect("message").0;
        let prop = |name: &str| {
            props
                .split(',')
                .find_map(|p| p.strip_prefix(&format!("{name}=")))
                .unwrap_or_else(|| panic!("no {name} in {a}"))
        };
        assert_eq!(prop("file"), READY);
        let line: usize = prop("line").parse().expect("line");
        let id = prop("title").split(' ').next().expect("id");
        assert!(assessment[line - 1].contains(&format!("\"{id}\"")), "{a}");
        let expected = if MEDIUM_GAPS.contains(&id) && id != "16.3.a" {
            "error"
        } else if id == "16.3.a" {
            "notice"
        } else {
            "warning"
        };
        assert_eq!(level, expected, "{a}");
    }
    let waived = annotations
        .iter()
        .find(|a| a.contains("title=16.3.a"))
        .expect("16.3.a");
    assert!(
        waived.contains("RSSI, C. Rousseau: 100%25 of 2, then: more%0Anext line"),
        "{waived}"
    );
    assert!(waived.contains("(medium%2C non-compliant)"), "{waived}");
}

#[test]
fn ci_formats_are_byte_identical_across_runs() {
    for format in ["junit", "sarif", "csv", "github"] {
        let run = || {
            check(READY, &["--format", format, "--fail-on", "low"])
                .output()
                .expect("run")
                .stdout
        };
        let first = run();
        assert!(!first.is_empty(), "{format}");
        assert_eq!(first, run(), "{format}");
    }
}

#[test]
fn output_extension_picks_the_ci_format() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cmd = check(READY, &["--quiet"]);
    for name in ["r.xml", "r.sarif", "r.csv", "r.json"] {
        cmd.arg("-o").arg(dir.path().join(name));
    }
    cmd.assert().code(0).stdout(predicate::str::is_empty());
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).expect("written");
    assert!(read("r.xml").starts_with("<?xml") && read("r.xml").contains("<testsuites"));
    assert!(read("r.sarif").contains("\"version\": \"2.1.0\""));
    assert!(read("r.csv").starts_with("record,id,chapter,"));
    assert!(read("r.json").contains("\"schema_version\": 1"));
}

#[test]
fn json_report_with_gate_notes_follows_its_schema() {
    let schema: Json = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/report.schema.json")).expect("schema"),
    )
    .expect("json");
    let validator = jsonschema::draft202012::new(&schema).expect("schema compiles");
    let dir = tempfile::tempdir().expect("temp dir");
    let base = baseline_of(dir.path(), READY, "base.json");
    let policy = write(
        dir.path(),
        "snc.toml",
        &format!(
            "fail-on = \"low\"\n{}{}",
            waiver("16.3.a", "2027-01-01"),
            waiver("12.99.a", "2027-01-01")
        ),
    );
    let (code, report) = json_report(check(READY, &["--policy", &policy, "--baseline", &base]));
    assert_eq!(code, 1);
    assert!(!strings(&report["gate"]["notes"]).is_empty());
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| format!("{} {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

// ---- exit codes and output flags ----

#[test]
fn exit_zero_turns_a_failed_gate_into_0_but_never_an_error() {
    check(INELIGIBLE, &[]).assert().code(1);
    check(INELIGIBLE, &["--exit-zero"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("INELIGIBLE"))
        .stderr(predicate::str::contains("--exit-zero"));
    check(READY, &["--exit-zero"])
        .assert()
        .code(0)
        .stderr(predicate::str::is_empty());
    snc()
        .args(["check", "no/such/file.json", "--exit-zero"])
        .assert()
        .code(2);
    check(READY, &["--exit-zero", "--policy", "no/such/snc.toml"])
        .assert()
        .code(2);
}

#[test]
fn quiet_prints_nothing_but_writes_files_and_keeps_the_exit_code() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("report.json");
    check(INELIGIBLE, &["--quiet", "-o"])
        .arg(&out)
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty());
    let report: Json =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("written")).expect("json");
    assert_eq!(report["gate"]["passed"], false);
}

// ---- finding the policy, and its errors ----

#[test]
fn snc_toml_in_the_current_folder_is_the_policy_and_its_absence_the_default() {
    let dir = tempfile::tempdir().expect("temp dir");
    let assessment = root().join(READY);
    let run = || {
        let mut cmd = Command::cargo_bin("snc").expect("binary");
        cmd.current_dir(dir.path())
            .env_remove("SOURCE_DATE_EPOCH")
            .arg("check")
            .arg(&assessment)
            .args(["--as-of", AS_OF]);
        cmd
    };
    run().assert().code(0);
    write(dir.path(), "snc.toml", "min-score = 100\n");
    run()
        .assert()
        .code(1)
        .stdout(predicate::str::contains("below the minimum 100.0"));
    write(
        dir.path(),
        "snc.toml",
        "min-score = 100\nfail-on = \"hihg\"\n",
    );
    run()
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(
            "snc.toml:2:11: invalid policy: unknown variant `hihg`",
        ));
}

#[test]
fn missing_explicit_policy_is_an_error() {
    check(READY, &["--policy", "no/such/snc.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read the policy file no/such/snc.toml",
        ));
}

#[test]
fn invalid_policy_is_located_and_stops_before_any_output() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases = [
        (
            "min-score = 70\nmin-scor = 80\n",
            "policy.toml:2:1: invalid policy: unknown field `min-scor`",
        ),
        (
            "min-score = \"high\"\n",
            "policy.toml:1:13: `min-score` must be a number from 0 to 100",
        ),
        (
            "fail-on-stale-evidence = \"yes\"\n",
            "policy.toml:1:26: invalid policy: invalid type",
        ),
        (
            "[[waiver]]\nid = \"12.6.c\"\napproved-by = \"RSSI\"\nexpires = 2027-01-01\n",
            "policy.toml:1:1: invalid policy: missing field `reason`",
        ),
        (
            "[[waiver]]\nid = \"12.6.c\"\nreason = \"x\"\napproved-by = \"RSSI\"\n",
            "policy.toml:1:1: invalid policy: missing field `expires`",
        ),
        (
            "[[waiver]]\nid = \"12-6-c\"\nreason = \"x\"\napproved-by = \"RSSI\"\nexpires = 2027-01-01\n",
            "policy.toml:2:6: waiver `id`: `12-6-c` is not a requirement id",
        ),
        (
            "[[waiver]]\nid = \"12.6.c\"\nreason = \"x\"\napproved-by = \"RSSI\"\nexpires = \"next year\"\n",
            "policy.toml:5:11: waiver `expires` must be a date YYYY-MM-DD",
        ),
    ];
    for (text, expected) in cases {
        let policy = write(dir.path(), "policy.toml", text);
        let out = dir.path().join("report.json");
        let assert = check(READY, &["--policy", &policy, "-o"])
            .arg(&out)
            .assert()
            .code(2)
            .stdout(predicate::str::is_empty());
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert!(
            stderr.contains(expected),
            "expected `{expected}` in:\n{stderr}"
        );
        assert!(
            !out.exists(),
            "a report was written despite an invalid policy"
        );
    }
}

#[test]
fn refuses_to_write_over_the_policy_or_the_baseline() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = baseline_of(dir.path(), READY, "base.json");
    check(READY, &["--baseline", &base, "-o", &base])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("over an input"));
    let csv_policy = write(dir.path(), "policy.csv", "");
    check(READY, &["--policy", &csv_policy, "-o", &csv_policy])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("over an input"));
}

#[test]
fn schema_policy_prints_the_shipped_schema() {
    let out = snc().args(["schema", "policy"]).output().expect("run");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        out.stdout,
        std::fs::read(root().join("schemas/policy.schema.json")).expect("schema file")
    );
}

/// TOML to JSON as a schema validator sees it: dates become `YYYY-MM-DD` strings.
fn toml_to_json(value: &toml::Value) -> Json {
    match value {
        toml::Value::String(s) => Json::from(s.as_str()),
        toml::Value::Integer(i) => Json::from(*i),
        toml::Value::Float(f) => Json::from(*f),
        toml::Value::Boolean(b) => Json::from(*b),
        toml::Value::Datetime(d) => Json::from(d.to_string()),
        toml::Value::Array(items) => Json::Array(items.iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Json::Object(
            table
                .iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect(),
        ),
    }
}

#[test]
fn policy_schema_accepts_exactly_what_the_loader_accepts() {
    let schema: Json = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/policy.schema.json")).expect("schema"),
    )
    .expect("json");
    let validator = jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles");
    let pack = snc::pack::Pack::embedded().unwrap_or_else(|d| panic!("{d:?}"));
    let ok =
        "[[waiver]]\nid = \"12.6.c\"\nreason = \"r\"\napproved-by = \"a\"\nexpires = 2027-01-01\n";
    let samples = [
        String::new(),
        std::fs::read_to_string(root().join("examples/ci/snc.toml")).expect("example policy"),
        "min-score = 70\nfail-on = \"never\"\nmax-score-drop = 0.5\n".to_owned(),
        "[min-chapter-score]\n\"19\" = 100\n\"5\" = 0\n".to_owned(),
        "fail-on-stale-evidence = true\nfail-on-missing-evidence = false\n".to_owned(),
        ok.to_owned(),
        ok.replace("2027-01-01", "\"2027-01-01\""),
        "min-score = 100.5\n".to_owned(),
        "min-score = \"70\"\n".to_owned(),
        "max-score-drop = -1\n".to_owned(),
        "fail-on = \"severe\"\n".to_owned(),
        "fail-on-stale-evidence = 1\n".to_owned(),
        "min-scores = 70\n".to_owned(),
        "[min-chapter-score]\n\"19\" = \"all\"\n".to_owned(),
        ok.replace("12.6.c", "12.6"),
        ok.replace("reason = \"r\"\n", ""),
        ok.replace("reason = \"r\"", "reason = \"  \""),
        ok.replace("approved-by = \"a\"\n", ""),
        ok.replace("expires = 2027-01-01\n", ""),
        ok.replace("2027-01-01", "\"01/01/2027\""),
        ok.replace("2027-01-01", "\"2027-02-30\""),
        format!("{ok}owner = \"x\"\n"),
    ];
    for text in &samples {
        let loaded = snc::engine::gate::policy::parse("p.toml", text, &pack).is_ok();
        let value: toml::Value = toml::from_str(text).expect("TOML syntax");
        let valid = validator.is_valid(&toml_to_json(&value));
        assert_eq!(loaded, valid, "loader and schema disagree on:\n{text}");
    }
}

#[test]
fn shipped_example_policy_passes_the_ready_example_and_fails_the_one_with_gaps() {
    let policy = "examples/ci/snc.toml";
    let (code, report) = json_report(check(READY, &["--policy", policy]));
    assert_eq!(code, 0, "{:?}", report["gate"]);
    assert!(codes(&report, "17.1.b").contains(&"waived".to_owned()));
    check("examples/paas-with-gaps.json", &["--policy", policy])
        .assert()
        .code(1);
}

/// Whether every character is one XML 1.0 allows (its `Char` production).
fn xml_1_0_chars_only(text: &str) -> bool {
    text.chars().all(|c| {
        matches!(c, '\t' | '\n' | '\r')
            || matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
    })
}

#[test]
fn junit_stays_well_formed_when_vendor_text_holds_characters_xml_forbids() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = write(
        dir.path(),
        "snc.toml",
        "[[waiver]]\nid = \"12.6.c\"\nreason = \"accepted \\uFFFE for now \\uFFFF \\u0001\"\napproved-by = \"RSSI\"\nexpires = 2027-01-01\n",
    );
    let assessment = ready_with(
        dir.path(),
        "a.json",
        &[(
            "12.6.c",
            serde_json::json!({"status": "non_compliant", "owner": "ops \u{FFFE}", "comment": "\u{FFFF}"}),
        )],
    );
    let out = dir.path().join("r.xml");
    check(
        &assessment,
        &["--policy", &policy, "-q", "-o", &out.display().to_string()],
    )
    .assert()
    .code(predicate::in_iter([0, 1]));
    let xml = std::fs::read_to_string(&out).expect("read");
    assert!(
        xml.contains("accepted \u{FFFD} for now"),
        "the reason is kept, its non-character replaced"
    );
    assert!(xml_1_0_chars_only(&xml), "{xml}");
    parse_junit(&xml);
}
