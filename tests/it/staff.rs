//! Tools for programme staff: reviewer files, `diff`, `portfolio`, `verify` and spreadsheet exports.

use crate::common::{requirement, root, snc};

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value as Json;

const AS_OF: &str = "2026-11-28";
const PAAS: &str = "examples/paas-with-gaps.json";
const REVIEW: &str = "tests/fixtures/review/paas-with-gaps.toml";
const OLD: &str = "tests/fixtures/diff/old.json";
const NEW: &str = "tests/fixtures/diff/new.json";
const PORTFOLIO: &str = "tests/fixtures/portfolio";

fn stdout(cmd: &mut Command, code: i32) -> String {
    let out = cmd.output().expect("run");
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn check_json(extra: &[&str]) -> Json {
    let mut cmd = snc();
    cmd.args([
        "check",
        PAAS,
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "--fail-on",
        "never",
    ])
    .args(extra);
    serde_json::from_str(&stdout(&mut cmd, 0)).expect("JSON report")
}

// ---- Reviewer file ----

#[test]
fn reviewer_file_sets_verdicts_before_scoring_and_is_recorded_in_the_json_report() {
    let plain = check_json(&[]);
    let reviewed = check_json(&["--review", REVIEW]);
    let r = requirement(&reviewed, "19.6.d");
    assert_eq!(r["verdict"], "compliant");
    assert_eq!(r["declared"], "not_assessed");
    assert_eq!(r["review"]["engine_verdict"], "not_assessed");
    assert_eq!(r["review"]["reviewer"], "Anne Martin (programme staff)");
    assert_eq!(r["review"]["date"], "2026-11-20");
    assert!(
        r["review"]["reason"]
            .as_str()
            .expect("reason")
            .starts_with("Contracts with every third party")
    );
    let finding = r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["code"] == "reviewer-override")
        .expect("a reviewer-override finding");
    let message = finding["message"].as_str().expect("message");
    assert!(
        message.contains("Anne Martin")
            && message.contains("2026-11-20")
            && message.contains("not assessed"),
        "{message}"
    );
    let lowered = requirement(&reviewed, "5.2.a");
    assert_eq!(lowered["review"]["engine_verdict"], "compliant");
    assert_eq!(lowered["verdict"], "partially_compliant");
    assert!(requirement(&plain, "19.6.d").get("review").is_none());
    assert!(plain.get("review").is_none());
    assert!(
        reviewed["review"]["digest"]
            .as_str()
            .expect("digest")
            .starts_with("sha256:")
    );
    assert_eq!(reviewed["review"]["overrides"], 3);
    assert_ne!(
        plain["score"]["overall"], reviewed["score"]["overall"],
        "overrides apply before scoring"
    );
    // The default gate fails on the unassessed critical 19.6.d; the reviewer's verdict passes it.
    snc()
        .args(["check", PAAS, "--as-of", AS_OF])
        .assert()
        .code(1);
    snc()
        .args(["check", PAAS, "--as-of", AS_OF, "--review", REVIEW])
        .assert()
        .code(0);
}

#[test]
fn json_report_with_reviews_follows_its_schema() {
    let schema: Json = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/report.schema.json")).expect("schema"),
    )
    .expect("json");
    let validator = jsonschema::draft202012::new(&schema).expect("schema compiles");
    let report = check_json(&["--review", REVIEW, "--lang", "fr"]);
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| format!("{} {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn reviewer_decisions_appear_in_text_html_and_markdown_with_vendor_text_escaped() {
    let render = |format: &str, lang: &str| {
        stdout(
            snc().args([
                "check", PAAS, "--as-of", AS_OF, "--review", REVIEW, "--format", format, "--lang",
                lang,
            ]),
            0,
        )
    };
    let text = render("text", "en");
    assert!(text.contains("Reviewer decisions (3)"), "{text}");
    assert!(text.contains("not assessed → compliant"), "{text}");
    let html = render("html", "en");
    assert!(html.contains("id=\"reviews\"") && html.contains("href=\"#reviews\""));
    assert!(html.contains("Reviewer&#x27;s verdict"));
    assert!(
        html.contains("&lt;b&gt;not markup&lt;/b&gt;"),
        "reason not escaped"
    );
    assert!(!html.contains("<b>not markup"));
    let md = render("markdown", "fr");
    assert!(md.contains("## Décisions de l'évaluateur"), "{md}");
    assert!(md.contains("\\<b\\>not markup\\</b\\> \\| pipe"), "{md}");
    insta::assert_snapshot!("review.fr.markdown", md);
    // Without a reviewer file the reports carry no such section.
    let plain = stdout(
        snc().args([
            "check",
            PAAS,
            "--as-of",
            AS_OF,
            "--format",
            "html",
            "--fail-on",
            "never",
        ]),
        0,
    );
    assert!(!plain.contains("id=\"reviews\""));
}

#[test]
fn reviewer_file_with_unknown_ids_or_no_reason_is_refused_with_located_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("report.json");
    snc()
        .args([
            "check",
            PAAS,
            "--review",
            "tests/fixtures/review/bad.toml",
            "-o",
        ])
        .arg(&out)
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(
            predicate::str::contains(
                "bad.toml:2:6: pack secnumcloud-3.2 has no requirement `19.9.z`",
            )
            .and(predicate::str::contains(
                "bad.toml:8:1: this override has no `reason`",
            ))
            .and(predicate::str::contains("2 errors")),
        );
    assert!(!out.exists(), "no output on a refused reviewer file");
}

#[test]
fn reviewer_file_on_a_requirement_that_does_not_apply_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let review = dir.path().join("review.toml");
    std::fs::write(
        &review,
        "[[override]]\nid = \"9.5.c\"\nverdict = \"compliant\"\nreason = \"x\"\nreviewer = \"A\"\ndate = 2026-11-20\n",
    )
    .expect("write");
    snc()
        .args(["check", PAAS, "--as-of", AS_OF, "--review"])
        .arg(&review)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("review.toml:1:1: `9.5.c` does not apply to this service")
                .and(predicate::str::contains("applies to SaaS")),
        );
}

#[test]
fn reviewer_decisions_after_the_evaluation_date_or_with_invisible_reasons_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let review = dir.path().join("review.toml");
    std::fs::write(
        &review,
        "[[override]]\nid = \"12.6.c\"\nverdict = \"compliant\"\nreason = \"seen on site\"\nreviewer = \"A\"\ndate = 2026-11-29\n",
    )
    .expect("write");
    snc()
        .args(["check", PAAS, "--as-of", AS_OF, "--review"])
        .arg(&review)
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(
            "review.toml:1:1: the decision on 12.6.c is dated 2026-11-29, after the evaluation date 2026-11-28",
        ));
    std::fs::write(
        &review,
        "[[override]]\nid = \"12.6.c\"\nverdict = \"compliant\"\nreason = \"\u{200B}\u{FEFF} \"\nreviewer = \"\u{2060}\"\ndate = 2026-11-20\n",
    )
    .expect("write");
    snc()
        .args(["check", PAAS, "--as-of", AS_OF, "--review"])
        .arg(&review)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("review.toml:4:10: `reason` is empty or invisible").and(
                predicate::str::contains("review.toml:5:12: `reviewer` is empty or invisible"),
            ),
        );
    let policy = dir.path().join("snc.toml");
    std::fs::write(
        &policy,
        "[[waiver]]\nid = \"12.6.c\"\nreason = \"\u{00AD}\u{200D}\"\napproved-by = \"RSSI\"\nexpires = 2027-01-01\n",
    )
    .expect("write");
    snc()
        .args(["check", PAAS, "--as-of", AS_OF, "--policy"])
        .arg(&policy)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "snc.toml:3:10: waiver `reason` must not be empty or invisible",
        ));
}

// ---- diff ----

fn diff_json(old: &str, new: &str) -> Json {
    serde_json::from_str(&stdout(
        snc().args(["diff", old, new, "--as-of", AS_OF, "--format", "json"]),
        0,
    ))
    .expect("json")
}

fn ids(list: &Json) -> Vec<&str> {
    list.as_array()
        .expect("list")
        .iter()
        .map(|c| c["id"].as_str().expect("id"))
        .collect()
}

#[test]
fn diff_shows_regressions_improvements_gaps_stale_evidence_scores_and_readiness() {
    let diff = diff_json(OLD, NEW);
    assert_eq!(diff["regressed"], true);
    assert_eq!(
        ids(&diff["regressions"]),
        ["5.2.a", "5.2.e", "12.5.d", "12.6.c"]
    );
    assert_eq!(ids(&diff["improvements"]), ["7.3.c", "16.3.a"]);
    assert_eq!(
        ids(&diff["new_gaps"]),
        ["5.2.a", "5.2.e", "12.5.d", "12.6.c"]
    );
    assert_eq!(ids(&diff["closed_gaps"]), ["7.3.c", "16.3.a"]);
    assert_eq!(ids(&diff["newly_stale"]), ["5.2.e"]);
    assert_eq!(diff["readiness"]["old"], "not_ready");
    assert_eq!(diff["readiness"]["new"], "ineligible");
    assert_eq!(diff["readiness"]["trend"], "regressed");
    assert_eq!(diff["score"]["overall"]["old"], 94.5);
    assert_eq!(diff["score"]["overall"]["new"], 93.1);
    assert_eq!(diff["score"]["overall"]["delta"], -1.4);
    let chapter_12 = diff["score"]["chapters"]
        .as_array()
        .expect("chapters")
        .iter()
        .find(|c| c["chapter"] == "12")
        .expect("chapter 12");
    assert_eq!(chapter_12["delta"], -10.4);
    assert_eq!(diff["regressions"][3]["old"], "compliant");
    assert_eq!(diff["regressions"][3]["new"], "non_compliant");
    assert!(diff["warnings"].as_array().expect("warnings").is_empty());
}

#[test]
fn diff_exits_1_on_regression_only_when_asked() {
    snc()
        .args(["diff", OLD, NEW, "--as-of", AS_OF])
        .assert()
        .code(0);
    snc()
        .args(["diff", OLD, NEW, "--as-of", AS_OF, "--fail-on-regression"])
        .assert()
        .code(1);
    snc()
        .args(["diff", NEW, OLD, "--as-of", AS_OF, "--fail-on-regression"])
        .assert()
        .code(1);
    snc()
        .args(["diff", OLD, OLD, "--as-of", AS_OF, "--fail-on-regression"])
        .assert()
        .code(0);
}

#[test]
fn diff_reads_json_reports_and_assessments_alike() {
    let dir = tempfile::tempdir().expect("temp dir");
    let old_report = dir.path().join("old-report.json");
    snc()
        .args(["check", OLD, "--as-of", "2026-11-28", "--lang", "fr", "-o"])
        .arg(&old_report)
        .assert()
        .code(0);
    let from_report = diff_json(old_report.to_str().expect("utf-8"), NEW);
    let from_assessment = diff_json(OLD, NEW);
    assert_eq!(from_report["old"]["source"], "report");
    assert_eq!(from_assessment["old"]["source"], "assessment");
    for key in [
        "regressions",
        "improvements",
        "new_gaps",
        "closed_gaps",
        "newly_stale",
    ] {
        // A JSON report records only the facts of failing checks: the facts that explain a change are compared
        // where both sides know them, so `why` may say less with a report as OLD.
        let without_facts = |list: &Json| -> Json {
            let mut list = list.clone();
            for c in list.as_array_mut().expect("list") {
                if let Some(why) = c.get_mut("why").and_then(Json::as_object_mut) {
                    why.remove("facts");
                    if why.is_empty() {
                        c.as_object_mut().expect("change").remove("why");
                    }
                }
            }
            list
        };
        assert_eq!(
            without_facts(&from_report[key]),
            without_facts(&from_assessment[key]),
            "{key}"
        );
    }
    assert_eq!(from_report["score"], from_assessment["score"]);
    // --old-as-of evaluates OLD on its own date.
    let dated: Json = serde_json::from_str(&stdout(
        snc().args([
            "diff",
            OLD,
            NEW,
            "--as-of",
            AS_OF,
            "--old-as-of",
            "2026-05-01",
            "--format",
            "json",
        ]),
        0,
    ))
    .expect("json");
    assert_eq!(dated["old"]["as_of"], "2026-05-01");
    assert_eq!(dated["new"]["as_of"], AS_OF);
}

#[test]
fn diff_of_assessments_for_different_packs_says_so_and_exits_2() {
    snc()
        .args(["diff", OLD, "tests/fixtures/assessments/other-pack.json"])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(
            predicate::str::contains("is for the pack `secnumcloud-3.2`")
                .and(predicate::str::contains("for the pack `iso-27001-2022`"))
                .and(predicate::str::contains("same referential")),
        );
}

#[test]
fn diff_of_different_pack_versions_warns_in_the_output() {
    let dir = tempfile::tempdir().expect("temp dir");
    let old_report = dir.path().join("old.json");
    snc()
        .args(["check", OLD, "--as-of", AS_OF, "-o"])
        .arg(&old_report)
        .assert()
        .code(0);
    let mut report: Json =
        serde_json::from_str(&std::fs::read_to_string(&old_report).expect("read")).expect("json");
    report["pack"]["pack_version"] = Json::from("0.0.9");
    std::fs::write(&old_report, serde_json::to_string(&report).expect("json")).expect("write");
    let text = stdout(
        snc()
            .arg("diff")
            .arg(&old_report)
            .args([NEW, "--as-of", AS_OF]),
        0,
    );
    assert!(
        text.contains("Warning: OLD and NEW use different versions of the pack secnumcloud-3.2"),
        "{text}"
    );
    assert!(text.contains("(pack 0.0.9)"), "{text}");
}

#[test]
fn diff_rejects_files_that_are_neither_reports_nor_assessments() {
    let dir = tempfile::tempdir().expect("temp dir");
    let other = dir.path().join("other.json");
    std::fs::write(&other, "{\"hello\": 1}").expect("write");
    snc()
        .arg("diff")
        .arg(&other)
        .arg(NEW)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("neither an snc JSON report"));
}

#[test]
fn diff_html_and_markdown_match_their_snapshots_in_both_languages() {
    for lang in ["en", "fr"] {
        for format in ["html", "markdown"] {
            let out = stdout(
                snc().args([
                    "diff", OLD, NEW, "--as-of", AS_OF, "--format", format, "--lang", lang,
                ]),
                0,
            );
            insta::assert_snapshot!(format!("diff.{lang}.{format}"), out);
        }
    }
}

/// Runs `snc args` twice, each time with `-o` to a file of every extension, expecting `code`: the bytes of each
/// run's files, in the order of `extensions`.
fn two_runs(args: &[&str], extensions: &[&str], code: i32) -> [Vec<Vec<u8>>; 2] {
    let dir = tempfile::tempdir().expect("temp dir");
    ["a", "b"].map(|run| {
        let files: Vec<PathBuf> = extensions
            .iter()
            .map(|ext| dir.path().join(format!("{run}.{ext}")))
            .collect();
        let mut cmd = snc();
        cmd.args(args);
        for f in &files {
            cmd.arg("-o").arg(f);
        }
        cmd.assert().code(code);
        files
            .iter()
            .map(|f| std::fs::read(f).expect("written"))
            .collect()
    })
}

#[test]
fn diff_outputs_are_byte_identical_across_runs_and_follow_the_extension() {
    let runs = two_runs(
        &["diff", OLD, NEW, "--as-of", AS_OF],
        &["json", "md", "html", "txt"],
        0,
    );
    assert_eq!(runs[0], runs[1]);
    assert!(runs[0][2].starts_with(b"<!DOCTYPE html>"));
    assert!(runs[0][1].starts_with(b"# Progress between two submissions"));
}

// ---- portfolio ----

#[test]
fn portfolio_with_a_broken_file_lists_its_located_errors_writes_every_output_and_exits_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = |ext: &str| dir.path().join(format!("portfolio.{ext}"));
    let mut cmd = snc();
    cmd.args(["portfolio", PORTFOLIO, "--as-of", AS_OF]);
    for ext in ["html", "csv", "json", "md", "xlsx"] {
        cmd.arg("-o").arg(out(ext));
    }
    let text = stdout(&mut cmd, 2);
    assert!(
        text.contains("Evaluated: 3 · Could not be evaluated: 1"),
        "{text}"
    );
    assert!(text.contains("zz-broken.json:6:45:"), "{text}");
    let json: Json =
        serde_json::from_str(&std::fs::read_to_string(out("json")).expect("json")).expect("json");
    let vendors = json["vendors"].as_array().expect("vendors");
    let files: Vec<&str> = vendors
        .iter()
        .map(|v| v["file"].as_str().expect("file"))
        .collect();
    assert_eq!(
        files,
        [
            "tests/fixtures/portfolio/paas-with-gaps.json",
            "tests/fixtures/portfolio/saas-ineligible-cap-table.json",
            "tests/fixtures/portfolio/saas-on-qualified-iaas.json",
        ],
        "input order: the folder's files sorted by name"
    );
    assert_eq!(vendors[1]["eligibility"]["19.6"], "ineligible");
    assert_eq!(vendors[1]["readiness"], "ineligible");
    assert_eq!(vendors[2]["eligibility"]["19.6"], "eligible");
    assert_eq!(vendors[2]["eligibility"]["19.2"], "eligible");
    assert_eq!(vendors[2]["stale_evidence"], 1);
    assert_eq!(vendors[0]["critical_gaps"], 1);
    assert_eq!(vendors[0]["chapters"].as_array().map(Vec::len), Some(15));
    let errors = json["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0]["message"]
            .as_str()
            .expect("message")
            .contains("zz-broken.json:7:37:")
    );
    let csv = std::fs::read_to_string(out("csv")).expect("csv");
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(csv.starts_with("file,vendor,service,"));
    let html = std::fs::read_to_string(out("html")).expect("html");
    assert!(html.contains("id=\"errors\"") && html.contains("zz-broken.json:6:45:"));
    assert!(std::fs::metadata(out("xlsx")).expect("xlsx").len() > 1000);
}

#[test]
fn portfolio_of_valid_files_exits_0_and_its_html_reads_without_script() {
    let dir = tempfile::tempdir().expect("temp dir");
    let html = dir.path().join("p.html");
    snc()
        .args([
            "portfolio",
            "examples/saas-on-qualified-iaas.json",
            "examples/paas-with-gaps.json",
            "--as-of",
            AS_OF,
            "-o",
        ])
        .arg(&html)
        .assert()
        .code(0);
    let page = std::fs::read_to_string(&html).expect("html");
    // Every row is in the markup, in input order; the script only reorders them.
    let clairvoyance = page.find("Clairvoyance SAS").expect("first vendor");
    let nuage = page.find("Nuage Courant SAS").expect("second vendor");
    assert!(clairvoyance < nuage);
    assert!(page.contains("<table class=\"sortable\""));
    assert!(page.contains("data-sort=\"98.9\""));
    assert!(page.contains("<svg class=\"heatmap\""));
    assert!(!page.contains("src=\"http") && !page.contains("<link "));
    assert_eq!(page.matches("<script>").count(), 1, "one inline script");
}

#[test]
fn portfolio_html_escapes_vendor_text() {
    let dir = tempfile::tempdir().expect("temp dir");
    let html = dir.path().join("p.html");
    let md = dir.path().join("p.md");
    snc()
        .args([
            "portfolio",
            "tests/fixtures/assessments/hostile.json",
            "--as-of",
            AS_OF,
            "-o",
        ])
        .arg(&html)
        .arg("-o")
        .arg(&md)
        .assert()
        .code(0);
    let page = std::fs::read_to_string(&html).expect("html");
    assert!(
        !page.contains("<script>document"),
        "vendor script as markup"
    );
    assert!(page.contains("&lt;script&gt;document.body.setAttribute("));
    let md = std::fs::read_to_string(&md).expect("md");
    assert!(
        md.contains("Evil \\| Corp \\[x\\](javascript:alert(1))"),
        "{md}"
    );
}

#[test]
fn portfolio_html_and_markdown_match_their_snapshots_in_both_languages() {
    let dir = tempfile::tempdir().expect("temp dir");
    for lang in ["en", "fr"] {
        let html = dir.path().join(format!("{lang}.html"));
        let md = dir.path().join(format!("{lang}.md"));
        snc()
            .args([
                "portfolio",
                PORTFOLIO,
                "--as-of",
                AS_OF,
                "--lang",
                lang,
                "-o",
            ])
            .arg(&html)
            .arg("-o")
            .arg(&md)
            .assert()
            .code(2);
        insta::assert_snapshot!(
            format!("portfolio.{lang}.html"),
            std::fs::read_to_string(&html).expect("html")
        );
        insta::assert_snapshot!(
            format!("portfolio.{lang}.markdown"),
            std::fs::read_to_string(&md).expect("md")
        );
    }
}

#[test]
fn portfolio_outputs_are_byte_identical_across_runs() {
    let runs = two_runs(
        &["portfolio", PORTFOLIO, "--as-of", AS_OF],
        &["html", "md", "csv", "json", "xlsx"],
        2,
    );
    assert!(runs[0] == runs[1], "portfolio outputs differ between runs");
}

#[test]
fn portfolio_refuses_an_empty_folder_and_unknown_extensions() {
    let dir = tempfile::tempdir().expect("temp dir");
    snc()
        .arg("portfolio")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no *.json assessment"));
    snc()
        .args(["portfolio", PORTFOLIO, "-o"])
        .arg(dir.path().join("p.pdf"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot tell the format"));
}

// ---- verify ----

fn write_report(dir: &Path, extra: &[&str]) -> PathBuf {
    let report = dir.join("report.json");
    snc()
        .args([
            "check",
            PAAS,
            "--as-of",
            AS_OF,
            "--lang",
            "fr",
            "--fail-on",
            "never",
            "-o",
        ])
        .arg(&report)
        .args(extra)
        .assert()
        .code(0);
    report
}

#[test]
fn verify_accepts_a_report_that_matches_its_assessment() {
    let dir = tempfile::tempdir().expect("temp dir");
    let report = write_report(dir.path(), &[]);
    let text = stdout(
        snc()
            .arg("verify")
            .arg(&report)
            .args([PAAS, "--fail-on", "never"]),
        0,
    );
    assert!(text.starts_with("Report verified: "), "{text}");
    assert!(text.contains("278 verdicts checked"), "{text}");
    // Without options, the policy is the one the report records.
    stdout(snc().arg("verify").arg(&report).arg(PAAS), 0);
    // The gate is verified too: under another policy it differs, and verify says which options to give.
    let other_policy = stdout(
        snc()
            .arg("verify")
            .arg(&report)
            .args([PAAS, "--fail-on", "critical"]),
        1,
    );
    assert!(other_policy.contains("- /gate/passed: "), "{other_policy}");
    assert!(other_policy.contains("--fail-on"), "{other_policy}");
    let reviewed = write_report(dir.path(), &["--review", REVIEW]);
    snc()
        .arg("verify")
        .arg(&reviewed)
        .args([PAAS, "--fail-on", "never"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pass it with --review FILE"));
    snc()
        .arg("verify")
        .arg(&reviewed)
        .args([PAAS, "--review", REVIEW, "--fail-on", "never"])
        .assert()
        .code(0);
}

#[test]
fn verify_lists_every_field_a_tampered_report_changed_by_pointer_and_exits_1() {
    let dir = tempfile::tempdir().expect("temp dir");
    let report = write_report(dir.path(), &[]);
    let mut json: Json =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("read")).expect("json");
    json["readiness"] = Json::from("audit_ready");
    json["score"]["overall"] = Json::from(88.0);
    json["gate"]["passed"] = Json::from(false);
    json["assessment"]["vendor"] = Json::from("Someone Else SAS");
    json["counts"]["non_compliant"] = Json::from(0);
    for r in json["requirements"].as_array_mut().expect("requirements") {
        if r["id"] == "12.6.c" {
            r["verdict"] = Json::from("compliant");
            r["severity"] = Json::from("low");
        }
        // Every contradiction and failed fact check removed.
        if let Some(findings) = r["findings"].as_array_mut() {
            findings.retain(|f| {
                f["code"] != "fact-check-failed" && f["code"] != "declaration-contradicted"
            });
        }
    }
    std::fs::write(&report, serde_json::to_string_pretty(&json).expect("json")).expect("write");
    let text = stdout(
        snc()
            .arg("verify")
            .arg(&report)
            .args([PAAS, "--fail-on", "never"]),
        1,
    );
    assert!(text.starts_with("Report does not match: "), "{text}");
    for line in [
        "- /assessment/vendor: in the report \"Someone Else SAS\" · recomputed \"",
        "- /readiness: in the report \"audit_ready\" · recomputed \"not_ready\"",
        "- /score/overall: in the report 88.0 · recomputed 65.5",
        "- /gate/passed: in the report false · recomputed true",
        "- /counts/non_compliant: in the report 0 · recomputed ",
        "(12.6.c): in the report \"compliant\" · recomputed \"non_compliant\"",
        "(12.6.c): in the report \"low\" · recomputed \"",
        "/findings/0 (12.6.c): in the report (absent) · recomputed {\"code\":\"fact-check-failed\"",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    // Another assessment: its digest and verdicts differ.
    let other = stdout(
        snc().arg("verify").arg(&report).args([
            "examples/saas-on-qualified-iaas.json",
            "--fail-on",
            "never",
        ]),
        1,
    );
    assert!(other.contains("- /assessment/digest: "), "{other}");
    assert!(other.contains("more differences"), "{other}");
    snc()
        .args(["verify", PAAS, PAAS])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a JSON report"));
}

// ---- spreadsheets ----

#[cfg(feature = "xlsx")]
fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, String> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip archive");
    let mut files = std::collections::BTreeMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).expect("entry");
        let mut text = String::new();
        file.read_to_string(&mut text).expect("utf-8 XML");
        let name = file.name().expect("entry name").into_owned();
        files.insert(name, text);
    }
    files
}

#[cfg(feature = "xlsx")]
#[test]
fn report_xlsx_has_a_frozen_header_an_autofilter_and_coloured_verdicts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let xlsx = dir.path().join("report.xlsx");
    snc()
        .args(["check", PAAS, "--as-of", AS_OF, "--review", REVIEW, "-o"])
        .arg(&xlsx)
        .assert()
        .code(0);
    let bytes = std::fs::read(&xlsx).expect("xlsx");
    let files = unzip(&bytes);
    let workbook = &files["xl/workbook.xml"];
    assert!(
        workbook.contains("name=\"Summary\"") && workbook.contains("name=\"Requirements\""),
        "{workbook}"
    );
    let sheet = &files["xl/worksheets/sheet2.xml"];
    assert!(
        sheet.contains(
            "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"
        ),
        "header row not frozen"
    );
    assert!(
        sheet.contains("<autoFilter ref=\"A1:M279\"/>"),
        "no autofilter"
    );
    let strings = &files["xl/sharedStrings.xml"];
    for needle in [
        "Nuage Courant SAS",
        "non-compliant",
        "19.6.d",
        "Anne Martin (programme staff) (2026-11-20)",
        "&lt;b&gt;not markup&lt;/b&gt; | pipe",
    ] {
        assert!(strings.contains(needle), "missing {needle}");
    }
    let styles = &files["xl/styles.xml"];
    for fill in ["FFC6EFCE", "FFFFEB9C", "FFFFC7CE"] {
        assert!(styles.contains(fill), "verdict colour {fill} missing");
    }
    assert!(
        files["docProps/core.xml"].contains("2026-11-28T00:00:00Z"),
        "dated on the as-of date"
    );
    let again = dir.path().join("again.xlsx");
    snc()
        .args(["check", PAAS, "--as-of", AS_OF, "--review", REVIEW, "-o"])
        .arg(&again)
        .assert()
        .code(0);
    assert!(
        bytes == std::fs::read(&again).expect("again"),
        "xlsx differs between runs"
    );
}

#[cfg(feature = "xlsx")]
#[test]
fn portfolio_xlsx_lists_vendors_with_coloured_readiness_and_the_files_in_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let xlsx = dir.path().join("portfolio.xlsx");
    snc()
        .args([
            "portfolio",
            PORTFOLIO,
            "--as-of",
            AS_OF,
            "--lang",
            "fr",
            "-o",
        ])
        .arg(&xlsx)
        .assert()
        .code(2);
    let files = unzip(&std::fs::read(&xlsx).expect("xlsx"));
    let workbook = &files["xl/workbook.xml"];
    assert!(
        workbook.contains("name=\"Portefeuille\"") && workbook.contains("name=\"Erreurs\""),
        "{workbook}"
    );
    let sheet = &files["xl/worksheets/sheet1.xml"];
    assert!(sheet.contains("state=\"frozen\""));
    assert!(sheet.contains("<autoFilter ref=\"A1:AD4\"/>"), "{sheet}");
    let strings = &files["xl/sharedStrings.xml"];
    for needle in [
        "DataPilote SAS",
        "NON ÉLIGIBLE",
        "non éligible",
        "zz-broken.json:6:45:",
    ] {
        assert!(strings.contains(needle), "missing {needle}");
    }
}

#[cfg(not(feature = "xlsx"))]
#[test]
fn xlsx_outputs_are_a_usage_error_without_the_feature() {
    snc()
        .args(["check", PAAS, "-o", "report.xlsx"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("without the `xlsx` feature"));
}

// ---- portfolio of a cohort folder: sub-folders, submissions, trend, reviews, reports ----

const COHORT: &str = "tests/fixtures/cohort";

fn cohort_json(dir: &Path) -> Json {
    let json = dir.join("portfolio.json");
    let mut cmd = snc();
    cmd.args(["portfolio", COHORT, "--as-of", AS_OF, "-o"])
        .arg(&json);
    stdout(&mut cmd, 0);
    serde_json::from_str(&std::fs::read_to_string(&json).expect("json")).expect("portfolio JSON")
}

fn strings(list: &Json) -> Vec<&str> {
    list.as_array()
        .expect("list")
        .iter()
        .map(|s| s.as_str().expect("string"))
        .collect()
}

fn vendor<'a>(portfolio: &'a Json, name: &str) -> &'a Json {
    portfolio["vendors"]
        .as_array()
        .expect("vendors")
        .iter()
        .find(|v| v["vendor"] == name)
        .unwrap_or_else(|| panic!("no row for {name}: {portfolio}"))
}

#[test]
fn portfolio_walks_sub_folders_and_keeps_each_vendors_latest_submission_with_its_trend() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = cohort_json(dir.path());
    assert_eq!(p["vendors"].as_array().map(Vec::len), Some(3), "{p}");
    let c = vendor(&p, "Clairvoyance SAS");
    assert_eq!(
        c["file"],
        "tests/fixtures/cohort/clairvoyance/clairvoyance-2026-10-02.json"
    );
    assert_eq!(c["submitted_on"], "2026-10-02");
    assert_eq!(c["submissions"], 2);
    let trend = &c["trend"];
    assert_eq!(
        trend["previous_file"],
        "tests/fixtures/cohort/clairvoyance/clairvoyance-2026-05-10.json"
    );
    assert!(
        trend["score_delta"].as_f64().expect("delta") > 0.0,
        "{trend}"
    );
    assert_eq!(trend["readiness_change"], "same");
    let closed = strings(&trend["closed_gaps"]);
    assert!(
        closed.contains(&"5.1.b") && closed.contains(&"5.2.a"),
        "{trend}"
    );
    assert_eq!(strings(&trend["new_gaps"]), Vec::<&str>::new());
    // Grouped by `vendor.id` although the names differ in case and spaces; dated by `submitted_on`.
    let d = vendor(&p, "DataPilote SAS");
    assert_eq!(d["vendor_id"], "SIREN 123 456 789");
    assert_eq!(d["submissions"], 2);
    assert_eq!(d["submitted_on"], "2026-11-02");
    assert_eq!(
        d["file"],
        "tests/fixtures/cohort/datapilote/submission.json"
    );
    // Found two folders down, dated by its file name, and alone: no trend.
    let n = vendor(&p, "Nuage Courant SAS");
    assert_eq!(n["submitted_on"], "2026-09-01");
    assert!(n["trend"].is_null());
}

#[test]
fn portfolio_says_why_a_vendor_is_ineligible_in_every_export_and_marks_every_chapter_cell() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = cohort_json(dir.path());
    let d = vendor(&p, "DataPilote SAS");
    assert_eq!(d["ineligible"], true);
    assert_eq!(d["why_ineligible"][0]["id"], "19.6.b");
    let message = d["why_ineligible"][0]["message"].as_str().expect("message");
    assert!(
        message.contains("24 %") && !message.contains('\n'),
        "{message}"
    );
    assert_eq!(
        vendor(&p, "Clairvoyance SAS")["why_ineligible"],
        serde_json::json!([])
    );

    let out = |ext: &str| dir.path().join(format!("cohort.{ext}"));
    let mut cmd = snc();
    cmd.args(["portfolio", COHORT, "--as-of", AS_OF]);
    for ext in ["html", "md", "csv"] {
        cmd.arg("-o").arg(out(ext));
    }
    if cfg!(feature = "xlsx") {
        cmd.arg("-o").arg(out("xlsx"));
    }
    stdout(&mut cmd, 0);
    let html = std::fs::read_to_string(out("html")).expect("html");
    let chapters = 15;
    assert_eq!(html.matches("class=\"cell ineligible\"").count(), chapters);
    assert!(
        html.contains("<code>19.6.b</code> Redwood Peak Capital Fund III, L.P. (US) holds 31 %"),
        "why ineligible in HTML"
    );
    let md = std::fs::read_to_string(out("md")).expect("md");
    let row = md
        .lines()
        .find(|l| l.starts_with("| DataPilote SAS |") && l.contains('⊘'))
        .expect("heat map row");
    assert_eq!(row.matches('⊘').count(), chapters, "{row}");
    assert!(
        md.contains("`19.6.b` Redwood Peak Capital Fund III, L.P. (US) holds 31 %"),
        "why ineligible in Markdown"
    );
    let csv = std::fs::read_to_string(out("csv")).expect("csv");
    let line = csv
        .lines()
        .find(|l| l.contains("DataPilote"))
        .expect("csv row");
    assert!(
        line.contains(",true,")
            && line.contains("19.6.b: Redwood Peak Capital Fund III, L.P. (US) holds 31 %"),
        "{line}"
    );
    #[cfg(feature = "xlsx")]
    {
        let strings = &unzip(&std::fs::read(out("xlsx")).expect("xlsx"))["xl/sharedStrings.xml"];
        assert!(
            strings.contains("19.6.b Redwood Peak Capital Fund III, L.P. (US) holds 31 %"),
            "why ineligible in XLSX"
        );
        assert!(
            strings.contains("⊘ 100.0"),
            "ineligible chapter cells in XLSX"
        );
    }
}

#[test]
fn portfolio_applies_and_counts_the_reviewer_file_beside_a_vendors_submissions() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = cohort_json(dir.path());
    let review = &vendor(&p, "Clairvoyance SAS")["review"];
    assert_eq!(
        review["file"],
        "tests/fixtures/cohort/clairvoyance/review.toml"
    );
    assert_eq!(review["overrides"], 1);
    assert_eq!(review["notes"], 2);
    assert_eq!(review["requests"], 2);
    assert_eq!(review["open_requests"], 1);
    assert_eq!(review["overdue_requests"], 1);
    assert!(vendor(&p, "DataPilote SAS")["review"].is_null());
    // The override is applied: 7.3.c was the only partial item of the latest submission.
    assert!(strings(&vendor(&p, "Clairvoyance SAS")["trend"]["closed_gaps"]).contains(&"7.3.c"));
}

/// A copy of the cohort in a temporary folder, with the reviewer file replaced by `review`.
fn cohort_with_review(review: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for sub in ["clairvoyance", "datapilote"] {
        let to = dir.path().join(sub);
        std::fs::create_dir_all(&to).expect("mkdir");
        for entry in std::fs::read_dir(root().join(COHORT).join(sub)).expect("ls") {
            let path = entry.expect("entry").path();
            std::fs::copy(&path, to.join(path.file_name().expect("name"))).expect("copy");
        }
    }
    std::fs::write(dir.path().join("clairvoyance/review.toml"), review).expect("write");
    dir
}

#[test]
fn portfolio_refuses_a_reviewer_file_written_for_another_vendor_and_writes_nothing() {
    let text = std::fs::read_to_string(root().join(COHORT).join("clairvoyance/review.toml"))
        .expect("review")
        .replace("name = \"Clairvoyance SAS\"", "name = \"DataPilote SAS\"");
    let dir = cohort_with_review(&text);
    let html = dir.path().join("out.html");
    let out = snc()
        .arg("portfolio")
        .arg(dir.path())
        .args(["--as-of", AS_OF, "-o"])
        .arg(&html)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("review.toml:4:1:")
            && stderr.contains("for the vendor DataPilote SAS")
            && stderr.contains("found: Clairvoyance SAS"),
        "{stderr}"
    );
    assert!(!html.exists());

    // Without `[vendor]`, a reviewer file binds to nothing in a portfolio.
    let dir = cohort_with_review(&text.replace("[vendor]\nname = \"DataPilote SAS\"\n", ""));
    let out = snc()
        .arg("portfolio")
        .arg(dir.path())
        .args(["--as-of", AS_OF])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("must say which vendor it is for"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn portfolio_reports_dir_writes_each_vendors_report_and_the_dashboard_links_to_it_relatively() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("mkdir");
    let mut cmd = snc();
    cmd.args(["portfolio", COHORT, "--as-of", AS_OF, "-o"])
        .arg(out.join("dashboard.html"))
        .arg("-o")
        .arg(out.join("dashboard.md"))
        .arg("-o")
        .arg(dir.path().join("elsewhere.json"))
        .arg("--reports-dir")
        .arg(out.join("vendors"));
    stdout(&mut cmd, 0);
    for name in ["clairvoyance-sas", "datapilote-sas", "nuage-courant-sas"] {
        let report =
            std::fs::read_to_string(out.join(format!("vendors/{name}.html"))).expect("report");
        assert!(report.starts_with("<!DOCTYPE html>"));
    }
    let html = std::fs::read_to_string(out.join("dashboard.html")).expect("html");
    assert!(html.contains("<a href=\"vendors/clairvoyance-sas.html\">Clairvoyance SAS</a>"));
    let md = std::fs::read_to_string(out.join("dashboard.md")).expect("md");
    assert!(
        md.contains("[Clairvoyance SAS](<vendors/clairvoyance-sas.html>)"),
        "{md}"
    );
    let json: Json = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("elsewhere.json")).expect("json"),
    )
    .expect("JSON");
    assert_eq!(
        vendor(&json, "DataPilote SAS")["report"],
        "out/vendors/datapilote-sas.html"
    );
    // The reviewed vendor's report shows the reviewer's notes and evidence requests.
    let report =
        std::fs::read_to_string(out.join("vendors/clairvoyance-sas.html")).expect("report");
    assert!(report.contains("id=\"evidence-requests\"") && report.contains("id=\"review-notes\""));
}

#[test]
fn portfolio_of_a_cohort_is_byte_identical_across_runs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut outputs = vec!["out.html", "out.md", "out.csv", "out.json"];
    if cfg!(feature = "xlsx") {
        outputs.push("out.xlsx");
    }
    let runs = ["a", "b"].map(|run| {
        let base = dir.path().join(run);
        std::fs::create_dir(&base).expect("mkdir");
        let mut cmd = snc();
        cmd.args(["portfolio", COHORT, "--as-of", AS_OF]);
        for name in &outputs {
            cmd.arg("-o").arg(base.join(name));
        }
        cmd.arg("--reports-dir").arg(base.join("reports"));
        stdout(&mut cmd, 0);
        outputs
            .iter()
            .chain(&["reports/clairvoyance-sas.html"])
            .map(|name| std::fs::read(base.join(name)).expect("written"))
            .collect::<Vec<_>>()
    });
    assert!(runs[0] == runs[1], "portfolio outputs differ between runs");
}

// ---- reviewer file bound to its vendor (`snc check --review`) ----

fn write_review(dir: &Path, vendor: &str) -> PathBuf {
    let path = dir.join("review.toml");
    std::fs::write(
        &path,
        format!(
            "{vendor}\n[[override]]\nid = \"7.3.c\"\nverdict = \"compliant\"\nreason = \"checked\"\nreviewer = \"A\"\ndate = 2026-11-20\n\n[[note]]\ntext = \"A <b>note</b>\"\nreviewer = \"A\"\ndate = 2026-11-21\n\n[[request]]\nid = \"11.3.a\"\nevidence = \"The IaaS contract\"\nreviewer = \"A\"\ndate = 2026-11-01\ndue = 2026-11-15\n"
        ),
    )
    .expect("write");
    path
}

const CLAIRVOYANCE: &str = "tests/fixtures/cohort/clairvoyance/clairvoyance-2026-10-02.json";

#[test]
fn check_refuses_a_reviewer_file_bound_to_another_vendor_with_its_place() {
    let dir = tempfile::tempdir().expect("temp dir");
    let review = write_review(dir.path(), "[vendor]\nname = \"Nuage Courant SAS\"\n");
    let out = snc()
        .args(["check", CLAIRVOYANCE, "--as-of", AS_OF, "--review"])
        .arg(&review)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("review.toml:1:1:")
            && stderr.contains("for the vendor Nuage Courant SAS")
            && stderr.contains("an assessment of Clairvoyance SAS"),
        "{stderr}"
    );
}

#[test]
fn check_warns_that_decisions_written_for_another_submission_may_be_stale() {
    let dir = tempfile::tempdir().expect("temp dir");
    let other = format!("sha256:{}", "0".repeat(64));
    let review = write_review(
        dir.path(),
        &format!("[vendor]\nname = \"  clairvoyance   sas \"\nassessment_digest = \"{other}\"\n"),
    );
    let out = snc()
        .args([
            "check",
            CLAIRVOYANCE,
            "--as-of",
            AS_OF,
            "--fail-on",
            "never",
            "--review",
        ])
        .arg(&review)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("may be stale: 7.3.c"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Evidence requests (1)") && stdout.contains("Reviewer notes (1)"),
        "{stdout}"
    );
}

#[test]
fn reviewer_notes_and_evidence_requests_appear_in_json_markdown_and_html_escaped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let review = write_review(dir.path(), "[vendor]\nname = \"Clairvoyance SAS\"\n");
    let (json, md, html) = (
        dir.path().join("r.json"),
        dir.path().join("r.md"),
        dir.path().join("r.html"),
    );
    snc()
        .args([
            "check",
            CLAIRVOYANCE,
            "--as-of",
            AS_OF,
            "--fail-on",
            "never",
            "--review",
        ])
        .arg(&review)
        .arg("-o")
        .arg(&json)
        .arg("-o")
        .arg(&md)
        .arg("-o")
        .arg(&html)
        .assert()
        .code(0)
        .stderr(predicate::str::is_empty());
    let report: Json =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("json")).expect("report");
    let r = &report["review"];
    assert_eq!(r["vendor"], "Clairvoyance SAS");
    assert_eq!(r["notes"][0]["text"], "A <b>note</b>");
    assert_eq!(r["requests"][0]["state"], "overdue");
    assert_eq!(r["open_requests"], 1);
    let md = std::fs::read_to_string(&md).expect("md");
    assert!(
        md.contains("## Evidence requests") && md.contains("The IaaS contract"),
        "{md}"
    );
    let html = std::fs::read_to_string(&html).expect("html");
    assert!(html.contains("A &lt;b&gt;note&lt;/b&gt;") && !html.contains("<b>note</b>"));
}

#[test]
fn diff_says_why_each_verdict_changed_facts_evidence_and_declaration() {
    let diff = diff_json(OLD, NEW);
    let change = diff["regressions"]
        .as_array()
        .expect("regressions")
        .iter()
        .find(|c| c["id"] == "12.5.d")
        .expect("12.5.d regressed");
    assert_eq!(
        change["why"]["facts"],
        serde_json::json!([{"path": "data.backup_locations", "old": ["FR"], "new": ["FR", "US"]}])
    );
    let declared = diff["regressions"]
        .as_array()
        .expect("regressions")
        .iter()
        .find(|c| c["id"] == "5.2.a")
        .expect("5.2.a regressed");
    assert_eq!(declared["why"]["declared"]["new"], "partially_compliant");
    let headline = diff["headline"].as_str().expect("headline");
    assert!(headline.starts_with("score -1.4, and 5.2.a"), "{headline}");
    let mut cmd = snc();
    cmd.args(["diff", OLD, NEW, "--as-of", AS_OF]);
    let text = stdout(&mut cmd, 0);
    assert!(
        text.contains("data.backup_locations: [\"FR\"] → [\"FR\",\"US\"]"),
        "{text}"
    );
}
