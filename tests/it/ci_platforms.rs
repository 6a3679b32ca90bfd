//! What CI platforms need beyond the gate: GitHub's per-step annotation limits and job summary, the compact
//! Markdown summary for pull-request comments, GitLab's Code Quality report, SARIF for code scanning, the policy's
//! provenance in every format, and the action that installs and runs snc.

use std::fmt::Write as _;
use std::path::Path;

use assert_cmd::Command;
use chrono::NaiveDate;
use serde_json::Value as Json;

use snc::engine::gate::policy::Policy;
use snc::engine::{RunInputs, run};
use snc::model::Lang;
use snc::pack::Pack;
use snc::report::{MAX_SUMMARY_CHARS, Report, render_summary};

use crate::common::{root, snc};

/// 99 gaps, one of them critical and blocking by default.
const GAPS: &str = "examples/paas-with-gaps.json";
const READY: &str = "examples/saas-on-qualified-iaas.json";
const AS_OF: &str = "2026-11-28";

fn check(file: &str, args: &[&str]) -> Command {
    let mut cmd = snc();
    cmd.args(["check", file, "--as-of", AS_OF])
        .args(args)
        .env_remove("GITHUB_STEP_SUMMARY");
    cmd
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path.to_str().expect("utf-8 path").to_owned()
}

fn stdout(mut cmd: Command) -> (i32, String) {
    let out = cmd.output().expect("run");
    (
        out.status.code().expect("exit code"),
        String::from_utf8(out.stdout).expect("utf-8"),
    )
}

/// The ids of the gaps of a JSON report.
fn gap_ids(file: &str, args: &[&str]) -> Vec<String> {
    let mut cmd = check(file, args);
    cmd.args(["--format", "json"]);
    let report: Json = serde_json::from_str(&stdout(cmd).1).expect("json");
    report["requirements"]
        .as_array()
        .expect("requirements")
        .iter()
        .filter(|r| {
            r["applicable"] == true
                && r["kind"] == "requirement"
                && !["compliant", "inherited", "not_applicable"]
                    .contains(&r["verdict"].as_str().expect("verdict"))
        })
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect()
}

fn waivers(ids: &[&str]) -> String {
    let mut out = String::new();
    for id in ids {
        let _ = write!(
            out,
            "[[waiver]]\nid = \"{id}\"\nreason = \"accepted\\n::error::injected %0A\"\napproved-by = \"RSSI\"\nexpires = 2027-01-31\n"
        );
    }
    out
}

#[test]
fn github_annotations_stay_within_the_per_step_limits_and_say_what_they_leave_out() {
    let dir = tempfile::tempdir().expect("temp dir");
    // 12 waived gaps: more notices than fit, besides errors (fail-on high) and warnings beyond the limit.
    let waived = [
        "5.3.h", "7.1.a", "7.2.a", "7.2.b", "7.2.c", "7.3.b", "7.4.a", "7.5.a", "8.1.a", "8.1.b",
        "8.3.b", "8.5.a",
    ];
    let policy = write(dir.path(), "snc.toml", &waivers(&waived));
    let args = ["--policy", &policy, "--fail-on", "high"];
    let gaps = gap_ids(GAPS, &args);
    assert!(gaps.len() > 60, "{}", gaps.len());
    let mut cmd = check(GAPS, &args);
    cmd.args(["--format", "github", "-o"])
        .arg(dir.path().join("snc.sarif"));
    let (code, text) = stdout(cmd);
    assert_eq!(code, 1);
    let lines: Vec<&str> = text.lines().collect();
    let count = |level: &str| {
        lines
            .iter()
            .filter(|l| l.starts_with(&format!("::{level} ")))
            .count()
    };
    assert_eq!(count("error"), 10, "{text}");
    assert_eq!(count("warning"), 10, "{text}");
    assert_eq!(count("notice"), 10, "{text}");
    // Errors, then warnings, then notices; the last notice says how many were left out and where they are.
    let levels: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("::"))
        .map(|l| l.split(' ').next().expect("level"))
        .collect();
    let mut sorted = levels.clone();
    sorted.sort_by_key(|l| ["error", "warning", "notice"].iter().position(|x| x == l));
    assert_eq!(levels, sorted);
    let last = lines.last().expect("a last line");
    let plain: Vec<&&str> = lines.iter().filter(|l| l.starts_with("  ")).collect();
    assert!(
        last.starts_with(&format!(
            "::notice title=snc Gate::{} more annotations",
            plain.len()
        )),
        "{last}"
    );
    assert!(last.contains("snc.sarif"), "{last}");
    // Every gap is either annotated or listed in the log.
    for id in &gaps {
        let annotated = lines.iter().any(|l| l.contains(&format!("title={id} ")));
        let listed = plain.iter().any(|l| l.starts_with(&format!("  {id} ")));
        assert!(
            annotated ^ listed,
            "{id}: annotated {annotated}, listed {listed}"
        );
    }
    // The vendor's text never starts a workflow command of its own.
    assert!(!text.contains("\n::error::injected"), "{text}");
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("::") || l.starts_with("  ") || !l.contains("::error")),
        "{text}"
    );
}

#[test]
fn github_with_few_gaps_annotates_them_all_and_adds_no_closing_notice() {
    let (_, text) = stdout({
        let mut c = check(READY, &["--format", "github"]);
        c.env("GITHUB_STEP_SUMMARY", "");
        c
    });
    assert!(!text.contains("more annotations"), "{text}");
    assert!(!text.lines().any(|l| l.starts_with("  ")), "{text}");
}

#[test]
fn github_appends_the_compact_summary_to_the_job_summary() {
    let dir = tempfile::tempdir().expect("temp dir");
    let summary = dir.path().join("step_summary.md");
    std::fs::write(&summary, "# Earlier step\n").expect("write");
    let mut cmd = check(GAPS, &["--format", "github"]);
    cmd.env("GITHUB_STEP_SUMMARY", &summary);
    let (code, _) = stdout(cmd);
    assert_eq!(code, 1);
    let text = std::fs::read_to_string(&summary).expect("summary written");
    assert!(text.starts_with("# Earlier step\n## "), "{text}");
    assert!(text.contains("NOT READY"), "{text}");
    assert!(text.contains("### Blocking items (1)"), "{text}");
    assert!(text.contains("**19.6.d**"), "{text}");
    assert!(text.contains("Top gaps (10 of 99)"), "{text}");
    assert!(text.contains("policy: none (built-in defaults)"), "{text}");
    assert!(text.chars().count() < MAX_SUMMARY_CHARS);

    // Other formats leave the job summary alone.
    let mut cmd = check(GAPS, &["--format", "json"]);
    cmd.env("GITHUB_STEP_SUMMARY", &summary);
    let _ = stdout(cmd);
    assert_eq!(std::fs::read_to_string(&summary).expect("read"), text);
}

#[test]
fn compact_markdown_is_the_summary_on_stdout_and_in_md_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let md = dir.path().join("comment.md");
    let mut cmd = check(GAPS, &["--format", "markdown", "--compact", "-o"]);
    cmd.arg(&md);
    let (code, text) = stdout(cmd);
    assert_eq!(code, 1);
    assert!(
        text.starts_with("## SecNumCloud readiness report: "),
        "{text}"
    );
    assert_eq!(std::fs::read_to_string(&md).expect("written"), text);
    assert!(
        text.contains("comment.md"),
        "the note names the files: {text}"
    );
    let full = stdout({
        let mut c = check(GAPS, &["--format", "markdown"]);
        c.arg("--lang").arg("en");
        c
    })
    .1;
    assert!(full.len() > 3 * text.len());
}

fn pack() -> &'static Pack {
    static PACK: std::sync::OnceLock<Pack> = std::sync::OnceLock::new();
    PACK.get_or_init(|| Pack::embedded().unwrap_or_else(|d| panic!("{d:#?}")))
}

fn report_of(file: &str) -> Report {
    let policy = Policy::default();
    let inputs = RunInputs {
        as_of: NaiveDate::from_ymd_opt(2026, 11, 28).expect("date"),
        policy: &policy,
        baseline: None,
        review: None,
    };
    let a = snc::assessment::load(&root().join(file), pack()).expect("valid");
    Report::build(&run(pack(), a, &inputs).expect("run"), Lang::En)
}

#[test]
fn compact_summary_stays_under_the_limit_whatever_the_assessment() {
    let mut report = report_of(GAPS);
    // Blow everything up: thousands of gaps, all blocking, with long vendor-like texts and many gate lines.
    let long = "|<script>`x`</script> ".repeat(500);
    let gaps: Vec<_> = report
        .requirements
        .iter()
        .filter(|r| r.applicable && r.verdict.to_string() != "compliant")
        .cloned()
        .collect();
    assert!(!gaps.is_empty());
    report.requirements = gaps.iter().cycle().take(5_000).cloned().collect();
    for r in &mut report.requirements {
        r.title = long.clone();
        for f in &mut r.findings {
            f.message = long.clone();
        }
        report.gate.blocking.push(r.id.clone());
    }
    report.gate.reasons = vec![long.clone(); 500];
    report.gate.notes = vec![long.clone(); 500];
    report.assessment.vendor = long.clone();
    for outputs in [vec![], vec!["report.html".to_owned(); 1000]] {
        let text = render_summary(&report, &outputs);
        let chars = text.chars().count();
        assert!(chars < MAX_SUMMARY_CHARS, "{chars}");
        assert!(chars > MAX_SUMMARY_CHARS / 2, "it fills the room: {chars}");
        assert!(
            text.contains("more blocking items are not listed here"),
            "{text}"
        );
        assert!(!text.contains("<script>"), "vendor text is escaped");
        // Every table row still has its four cells: no unescaped pipe from the texts.
        for line in text.lines().filter(|l| l.starts_with("| **")) {
            assert_eq!(line.matches(" | ").count(), 3, "{line}");
        }
    }
}

#[test]
fn compact_summary_of_a_skeleton_lists_blocking_items_within_the_limit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let skeleton = dir.path().join("a.json");
    snc()
        .args(["init", "--service-type", "saas", "--built-on", "iaas", "-o"])
        .arg(&skeleton)
        .assert()
        .success();
    let (code, text) = stdout(check(
        skeleton.to_str().expect("utf-8"),
        &["--fail-on", "low", "--format", "markdown", "--compact"],
    ));
    assert_eq!(code, 1);
    assert!(text.chars().count() < MAX_SUMMARY_CHARS);
    assert!(text.contains("### Blocking items ("), "{text}");
}

#[test]
fn every_format_is_byte_identical_across_runs_with_a_policy() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = write(dir.path(), "p.toml", &waivers(&["7.1.a"]));
    for format in ["github", "markdown"] {
        let run = || {
            stdout(check(
                GAPS,
                &["--policy", &policy, "--format", format, "--compact"],
            ))
            .1
        };
        assert_eq!(run(), run(), "{format}");
    }
}

/// Replaces the schema's broken `language` patterns (see `sarif_validator`), counting them.
fn fix(value: &mut Json, fixed: &mut usize) {
    match value {
        Json::Object(map) => {
            for (key, v) in map.iter_mut() {
                if key == "pattern" && v == "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$" {
                    *v = Json::from("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
                    *fixed += 1;
                } else {
                    fix(v, fixed);
                }
            }
        }
        Json::Array(items) => items.iter_mut().for_each(|v| fix(v, fixed)),
        _ => {}
    }
}

fn sarif_validator() -> jsonschema::Validator {
    let mut schema: Json = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/fixtures/sarif/sarif-schema-2.1.0.json"))
            .expect("schema"),
    )
    .expect("json");
    // The published schema's `language` patterns have a stray `]` (`…{2}]?$`), which ECMA-262 regexes read as a
    // literal but the validator's regex format check refuses; snc writes no `language`, so each is set to what it
    // means.
    let mut fixed = 0;
    fix(&mut schema, &mut fixed);
    assert!(fixed > 0, "the schema was fixed upstream: drop this");
    jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles")
}

#[test]
fn sarif_follows_the_official_2_1_0_schema_and_carries_help_for_every_rule() {
    let validator = sarif_validator();
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = write(dir.path(), "p.toml", &waivers(&["7.1.a"]));
    for lang in ["en", "fr"] {
        let (_, text) = stdout(check(
            GAPS,
            &["--policy", &policy, "--format", "sarif", "--lang", lang],
        ));
        let sarif: Json = serde_json::from_str(&text).expect("json");
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}", errors.join("\n"));
        let run = &sarif["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        assert_eq!(rules.len(), 278);
        for rule in rules {
            let id = rule["id"].as_str().expect("id");
            assert_eq!(rule["name"], rule["shortDescription"]["text"]);
            assert!(
                !rule["fullDescription"]["text"]
                    .as_str()
                    .expect("full")
                    .is_empty()
            );
            let help = rule["help"]["text"].as_str().expect("help text");
            let markdown = rule["help"]["markdown"].as_str().expect("help markdown");
            assert!(help.len() > 100 && markdown.len() > 100, "{id}: {help}");
            assert!(help.contains(&format!("snc explain {id}")), "{help}");
            let uri = rule["helpUri"].as_str().expect("helpUri");
            assert!(
                uri.starts_with(env!("CARGO_PKG_REPOSITORY"))
                    && uri.ends_with(&format!("/docs/rules.md#{id}")),
                "{uri}"
            );
            let level = rule["defaultConfiguration"]["level"]
                .as_str()
                .expect("level");
            let severity: f64 = rule["properties"]["security-severity"]
                .as_str()
                .expect("a numeric string")
                .parse()
                .expect("a number");
            assert!((0.0..=10.0).contains(&severity));
            assert_eq!(level == "error", severity >= 7.0, "{id}");
        }
        // Results keep their locations; the policy is named.
        for result in run["results"].as_array().expect("results") {
            let region = &result["locations"][0]["physicalLocation"]["region"];
            assert!(region["startLine"].as_u64().is_some(), "{result}");
        }
        assert_eq!(run["properties"]["policy"]["file"], policy.as_str());
        assert!(
            run["properties"]["policy"]["digest"]
                .as_str()
                .expect("digest")
                .starts_with("sha256:")
        );
    }
    // The docs have the anchors the links point at.
    let rules_md = std::fs::read_to_string(root().join("docs/rules.md")).expect("rules.md");
    assert!(rules_md.contains("| <a id=\"19.6.b\"></a>19.6.b |"));
}

#[test]
fn sarif_schema_check_catches_a_broken_log() {
    let validator = sarif_validator();
    let (_, text) = stdout(check(GAPS, &["--format", "sarif"]));
    let mut sarif: Json = serde_json::from_str(&text).expect("json");
    assert!(validator.is_valid(&sarif));
    sarif["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = Json::from("docs/rules.md#5.1.a");
    assert!(
        !validator.is_valid(&sarif),
        "a relative helpUri is not a URI"
    );
    sarif["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = Json::from("https://x.example/");
    sarif["runs"][0]["results"][0]["level"] = Json::from("fatal");
    assert!(!validator.is_valid(&sarif), "an unknown level");
}

#[test]
fn gitlab_code_quality_has_one_located_issue_per_gap_with_stable_fingerprints() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = write(dir.path(), "p.toml", &waivers(&["7.1.a"]));
    let args = [
        "--policy",
        &policy,
        "--fail-on",
        "high",
        "--format",
        "gitlab",
    ];
    let issues = |lang: &str| -> Vec<Json> {
        let (code, text) = stdout({
            let mut c = check(GAPS, &args);
            c.args(["--lang", lang]);
            c
        });
        assert_eq!(code, 1);
        serde_json::from_str::<Json>(&text)
            .expect("a JSON array")
            .as_array()
            .expect("array")
            .clone()
    };
    let en = issues("en");
    let gaps = gap_ids(GAPS, &["--policy", &policy]);
    assert_eq!(en.len(), gaps.len());
    let assessment: Vec<String> = std::fs::read_to_string(root().join(GAPS))
        .expect("read")
        .lines()
        .map(str::to_owned)
        .collect();
    let mut fingerprints = std::collections::BTreeSet::new();
    for issue in &en {
        let id = issue["check_name"].as_str().expect("check_name");
        assert!(
            issue["description"]
                .as_str()
                .expect("description")
                .starts_with(id)
        );
        let fingerprint = issue["fingerprint"].as_str().expect("fingerprint");
        assert_eq!(fingerprint.len(), 64);
        assert!(fingerprints.insert(fingerprint.to_owned()), "unique");
        assert_eq!(issue["location"]["path"], GAPS);
        let line = issue["location"]["lines"]["begin"].as_u64().expect("line");
        let line = usize::try_from(line).expect("usize");
        assert!(
            assessment[line - 1].contains(&format!("\"{id}\"")),
            "{id} at {line}"
        );
        let severity = issue["severity"].as_str().expect("severity");
        let expected = match id {
            "19.6.d" => "blocker",
            "7.1.a" => "info",
            _ => severity,
        };
        assert_eq!(severity, expected, "{id}");
        assert!(["info", "minor", "major", "critical", "blocker"].contains(&severity));
    }
    assert!(en.iter().any(|i| i["severity"] == "blocker"));
    assert!(
        en.iter()
            .any(|i| i["severity"] == "major" || i["severity"] == "minor")
    );
    // The same gaps in another language, or on another run, keep their fingerprints.
    let fr = issues("fr");
    let prints =
        |list: &[Json]| -> Vec<Json> { list.iter().map(|i| i["fingerprint"].clone()).collect() };
    assert_eq!(prints(&en), prints(&fr));
    assert_eq!(en, issues("en"));
}

#[test]
fn every_format_names_the_policy_file_its_digest_and_its_waivers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = format!(
        "{}{}",
        waivers(&["7.1.a"]),
        "[[waiver]]\nid = \"5.1.a\"\nreason = \"old\"\napproved-by = \"CISO <b>\"\nexpires = 2025-01-31\n"
    );
    let policy = write(dir.path(), "policy.toml", &text);
    let digest = {
        use sha2::Digest as _;
        format!("sha256:{:x}", sha2::Sha256::digest(text.as_bytes()))
    };
    let mut cmd = check(GAPS, &["--policy", &policy, "--format", "json"]);
    cmd.args(["--fail-on", "high"]);
    let report: Json = serde_json::from_str(&stdout(cmd).1).expect("json");
    let p = &report["policy"];
    assert_eq!(p["file"], policy.as_str());
    assert_eq!(p["digest"], digest.as_str());
    assert_eq!(p["fail_on"], "high");
    assert_eq!(p["waivers"][0]["id"], "7.1.a");
    assert_eq!(p["waivers"][0]["expires"], "2027-01-31");
    assert_eq!(p["waivers"][0]["status"], "applied");
    assert_eq!(p["waivers"][1]["status"], "expired");
    for format in [
        "text", "markdown", "html", "junit", "csv", "github", "sarif",
    ] {
        let (_, out) = stdout(check(GAPS, &["--policy", &policy, "--format", format]));
        assert!(out.contains(&digest), "{format} names the digest");
        assert!(out.contains("policy.toml"), "{format} names the file");
        if format != "github" {
            assert!(
                out.contains("2027-01-31"),
                "{format} lists the waiver's expiry"
            );
            assert!(
                out.contains("2025-01-31"),
                "{format} lists the expired waiver"
            );
        }
        if ["markdown", "html", "junit"].contains(&format) {
            assert!(!out.contains("CISO <b>"), "{format} escapes the approver");
        }
    }
    let (_, md) = stdout(check(
        GAPS,
        &["--policy", &policy, "--format", "markdown", "--compact"],
    ));
    assert!(md.contains(&digest) && md.contains("2027-01-31"), "{md}");
}

#[test]
fn policy_none_ignores_snc_toml_in_the_current_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "snc.toml", "fail-on = \"low\"\n");
    let assessment = root().join(READY);
    let run = |args: &[&str]| {
        let mut c = snc();
        c.current_dir(dir.path())
            .arg("check")
            .arg(&assessment)
            .args(["--as-of", AS_OF, "--format", "json"])
            .args(args);
        let out = c.output().expect("run");
        let report: Json = serde_json::from_slice(&out.stdout).expect("json");
        (out.status.code().expect("code"), report)
    };
    let (code, found) = run(&[]);
    assert_eq!(code, 1, "snc.toml fails on low gaps");
    assert_eq!(found["policy"]["file"], "snc.toml");
    let (code, none) = run(&["--policy", "none"]);
    assert_eq!(code, 0, "the defaults pass the ready example");
    assert_eq!(none["policy"]["file"], Json::Null);
    assert_eq!(none["policy"]["digest"], Json::Null);
    assert_eq!(none["policy"]["fail_on"], "critical");
}

#[test]
fn completions_cover_every_command_in_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = snc().args(["completions", shell]).output().expect("run");
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = String::from_utf8(out.stdout).expect("utf-8");
        for word in ["check", "portfolio", "completions", "policy", "compact"] {
            assert!(script.contains(word), "{shell}: {word}");
        }
        if shell != "powershell" {
            assert!(script.contains("gitlab"), "{shell} completes the formats");
        }
    }
    snc().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn man_prints_roff_for_snc_and_each_command_or_writes_it() {
    let (code, page) = stdout({
        let mut c = snc();
        c.arg("man");
        c
    });
    assert_eq!(code, 0);
    assert!(page.contains(".TH snc 1"), "{page}");
    assert!(page.contains("completions"), "{page}");
    let (_, check_page) = stdout({
        let mut c = snc();
        c.args(["man", "check"]);
        c
    });
    assert!(check_page.contains(".TH snc-check 1"), "{check_page}");
    assert!(check_page.contains("compact"), "{check_page}");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("snc-rules-list.1");
    snc()
        .args(["man", "rules", "list", "-o"])
        .arg(&file)
        .assert()
        .success()
        .stdout("");
    assert!(
        std::fs::read_to_string(&file)
            .expect("written")
            .contains(".TH snc-rules-list 1")
    );
    let out = snc().args(["man", "nope"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("snc man nope"));
}

#[test]
fn color_follows_the_flag_then_no_color_then_clicolor_force() {
    let colored = |args: &[&str], env: &[(&str, &str)]| {
        let mut c = check(READY, args);
        c.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
        for (k, v) in env {
            c.env(k, v);
        }
        stdout(c).1.contains('\u{1b}')
    };
    assert!(!colored(&[], &[]), "not a terminal");
    assert!(colored(&["--color", "always"], &[]));
    assert!(colored(&["--color", "always"], &[("NO_COLOR", "1")]));
    assert!(!colored(&["--color", "never"], &[("CLICOLOR_FORCE", "1")]));
    assert!(colored(&[], &[("CLICOLOR_FORCE", "1")]));
    assert!(!colored(&[], &[("CLICOLOR_FORCE", "0")]));
    assert!(!colored(&[], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]));
    // Colour is for the text report only: JSON stays plain whatever the flag.
    assert!(!colored(&["--color", "always", "--format", "json"], &[]));
}

#[test]
fn templates_is_an_option_of_the_commands_that_render_them_only() {
    for command in [
        &["check", "--help"][..],
        &["diff", "--help"],
        &["portfolio", "--help"],
    ] {
        let (_, help) = stdout({
            let mut c = snc();
            c.args(command);
            c
        });
        assert!(help.contains("--templates"), "{command:?}");
    }
    for command in [
        &["init", "--help"][..],
        &["explain", "--help"],
        &["verify", "--help"],
    ] {
        let (_, help) = stdout({
            let mut c = snc();
            c.args(command);
            c
        });
        assert!(!help.contains("--templates"), "{command:?}");
    }
    snc()
        .args(["--templates", ".", "explain", "5.1.a"])
        .assert()
        .code(2);
}

/// The `run:` scripts and keyed lines of action.yml, read without a YAML library: the file is small and kept in
/// a plain block style.
fn action() -> String {
    std::fs::read_to_string(root().join("action.yml")).expect("action.yml at the repository root")
}

#[test]
fn action_installs_the_version_of_cargo_toml_caches_it_and_runs_check() {
    let text = action();
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        text.contains("\n  using: composite\n"),
        "a composite action"
    );
    let installs: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("cargo install"))
        .collect();
    assert_eq!(
        installs,
        [format!("      run: cargo install --locked snc --version {version}").as_str()]
    );
    assert!(text.contains("uses: actions/cache@v4"));
    assert!(
        text.contains(&format!("key: snc-{version}-")),
        "cached by version"
    );
    assert!(text.contains("path: ~/.cargo/bin/snc"));
    assert!(text.contains("uses: github/codeql-action/upload-sarif@v3"));
    assert!(text.contains("args=(check \"$SNC_ASSESSMENT\" --format github)"));
    for input in [
        "assessment",
        "policy",
        "formats",
        "baseline",
        "as-of",
        "upload-sarif",
    ] {
        assert!(text.contains(&format!("\n  {input}:\n")), "input {input}");
    }
    // Every version written in the file is the crate's.
    for (i, _) in text.match_indices("snc-0.") {
        assert!(text[i..].starts_with(&format!("snc-{version}-")));
    }
    for (i, _) in text.match_indices("--version ") {
        assert!(text[i..].starts_with(&format!("--version {version}\n")));
    }
}

#[test]
fn action_passes_inputs_to_scripts_through_the_environment_only() {
    for line in action().lines().filter(|l| l.contains("${{ inputs.")) {
        let key = line.trim_start().split(':').next().expect("a key");
        assert!(
            key.starts_with("SNC_") || ["if", "category", "value"].contains(&key),
            "an input pasted into a script can inject commands: {line}"
        );
    }
}

#[test]
fn action_script_is_valid_bash() {
    let text = action();
    let start = text.find("      run: |\n").expect("the check script") + "      run: |\n".len();
    let script: String = text[start..]
        .lines()
        .take_while(|l| l.starts_with("        ") || l.is_empty())
        .map(|l| l.get(8..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        script.contains("\"$HOME/.cargo/bin/snc\" \"${args[@]}\""),
        "{script}"
    );
    let out = std::process::Command::new("bash")
        .args(["-n", "-c", &script])
        .output()
        .expect("bash");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_ci_example_pins_the_version_of_cargo_toml() {
    let version = env!("CARGO_PKG_VERSION");
    for file in [
        "action.yml",
        "README.md",
        "examples/ci/github-actions.yml",
        "examples/ci/gitlab-ci.yml",
    ] {
        let text = std::fs::read_to_string(root().join(file)).expect("read");
        let installs: Vec<&str> = text
            .lines()
            .filter(|l| l.contains("cargo install"))
            .collect();
        assert!(!installs.is_empty(), "{file} installs snc");
        for line in installs {
            assert!(
                line.contains(&format!("cargo install --locked snc --version {version}")),
                "{file}: {line}"
            );
        }
        for (i, _) in text.match_indices("snc-0.") {
            assert!(
                text[i..].starts_with(&format!("snc-{version}")),
                "{file}: a cache key"
            );
        }
    }
}

#[test]
fn verify_reads_the_policy_from_the_report_and_holds_it_to_its_digest() {
    let dir = tempfile::tempdir().expect("temp dir");
    let policy = write(
        dir.path(),
        "p.toml",
        &format!("min-score = 60\n{}", waivers(&["7.1.a"])),
    );
    let report = dir.path().join("r.json");
    let mut cmd = check(GAPS, &["--policy", &policy, "--fail-on", "high", "-o"]);
    cmd.arg(&report).args(["--format", "text"]);
    assert_eq!(stdout(cmd).0, 1);
    let verify = |args: &[&str]| {
        let out = snc()
            .arg("verify")
            .arg(&report)
            .arg(GAPS)
            .args(args)
            .output()
            .expect("run");
        (
            out.status.code().expect("code"),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (code, text) = verify(&[]);
    assert_eq!(code, 0, "the recorded policy, file and thresholds: {text}");
    let (code, text) = verify(&["--fail-on", "critical"]);
    assert_eq!(code, 1, "options given replace it: {text}");
    assert!(text.contains("/policy/fail_on"), "{text}");
    std::fs::write(&policy, "min-score = 60\n").expect("write");
    let (code, text) = verify(&[]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("p.toml") && text.contains("--policy FILE"),
        "{text}"
    );
}

#[test]
fn the_job_summary_is_never_appended_to_an_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let assessment = dir.path().join("a.json");
    std::fs::copy(root().join(READY), &assessment).expect("copy");
    let before = std::fs::read(&assessment).expect("read");
    let mut cmd = check(assessment.to_str().expect("utf-8"), &["--format", "github"]);
    cmd.env("GITHUB_STEP_SUMMARY", &assessment);
    assert_eq!(stdout(cmd).0, 2);
    assert_eq!(std::fs::read(&assessment).expect("read"), before);
}
