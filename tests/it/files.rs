//! Outputs that cannot be written: a clear error, exit 2, the input untouched, and no partial or temporary file
//! left behind. CI runs as root, where permission bits do not stop writes: the read-only case is then skipped and
//! a path under a regular file (which nobody can write into) stands for it.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn snc() -> Command {
    let mut cmd = Command::cargo_bin("snc").expect("binary");
    cmd.current_dir(root())
        .env("SOURCE_DATE_EPOCH", "1795824000")
        .env_remove("SNC_MAX_ASSESSMENT_BYTES")
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL");
    cmd
}

/// Every entry of `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A folder holding a copy of an example assessment, and its bytes.
fn workspace() -> (tempfile::TempDir, PathBuf, Vec<u8>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("in.json");
    std::fs::copy(root().join("examples/paas-with-gaps.json"), &input).expect("copy");
    let bytes = std::fs::read(&input).expect("read");
    (dir, input, bytes)
}

/// Whether permission bits stop this process from creating files in a read-only folder (not as root).
fn permissions_apply(dir: &Path) -> bool {
    let probe = dir.join("probe");
    match std::fs::write(&probe, "x") {
        Ok(()) => {
            let _ = std::fs::remove_file(probe);
            false
        }
        Err(_) => true,
    }
}

#[test]
fn read_only_output_folder_is_a_clear_error_and_leaves_everything_as_it_was() {
    let (dir, input, before) = workspace();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("mkdir");
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    if !permissions_apply(&out) {
        // Running as root: see `output_under_a_regular_file_is_a_clear_error_and_writes_nothing`.
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        return;
    }
    let report = out.join("report.json");
    snc()
        .arg("check")
        .arg(&input)
        .args(["--fail-on", "never", "-o"])
        .arg(&report)
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(
            predicate::str::contains("cannot create a temporary file beside")
                .and(predicate::str::contains("report.json"))
                .and(predicate::str::contains("Permission denied")),
        );
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    assert!(listing(&out).is_empty(), "{:?}", listing(&out));
    assert_eq!(std::fs::read(&input).expect("read"), before);

    let skeleton = out.join("assessment.json");
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    snc()
        .args(["init", "--service-type", "saas", "-o"])
        .arg(&skeleton)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Permission denied"));
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    assert!(listing(&out).is_empty(), "{:?}", listing(&out));
}

#[test]
fn output_under_a_regular_file_is_a_clear_error_and_writes_nothing() {
    let (dir, input, before) = workspace();
    let good = dir.path().join("good.json");
    let text = dir.path().join("good.txt");
    let bad = input.join("report.json");
    snc()
        .arg("check")
        .arg(&input)
        .args(["--fail-on", "never", "-o"])
        .arg(&good)
        .arg("-o")
        .arg(&text)
        .arg("-o")
        .arg(&bad)
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(
            predicate::str::contains("error: cannot create a temporary file beside")
                .and(predicate::str::contains("in.json/report.json")),
        );
    assert_eq!(std::fs::read(&input).expect("read"), before);
    assert_eq!(
        listing(dir.path()),
        ["in.json"],
        "no output and no temporary file may remain"
    );

    snc()
        .args(["init", "--service-type", "saas", "-o"])
        .arg(input.join("assessment.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot create a temporary file beside",
        ));
    assert_eq!(listing(dir.path()), ["in.json"]);
}

#[test]
fn an_invalid_assessment_writes_no_output() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("bad.json");
    std::fs::write(&input, b"{\"format\": \"snc-assessment/1\",").expect("write");
    let report = dir.path().join("report.json");
    snc()
        .arg("check")
        .arg(&input)
        .arg("-o")
        .arg(&report)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.json:1:"));
    assert_eq!(listing(dir.path()), ["bad.json"]);
}

#[test]
fn an_existing_output_is_replaced_whole() {
    let (dir, input, _) = workspace();
    let report = dir.path().join("report.json");
    std::fs::write(&report, "x".repeat(1_000_000)).expect("write");
    snc()
        .arg("check")
        .arg(&input)
        .args(["--fail-on", "never", "--format", "json", "-o"])
        .arg(&report)
        .assert()
        .code(0);
    let written = std::fs::read_to_string(&report).expect("read");
    assert!(
        serde_json::from_str::<serde_json::Value>(&written).is_ok(),
        "the old content is gone entirely"
    );
    assert_eq!(listing(dir.path()), ["in.json", "report.json"]);
}

#[test]
fn outputs_follow_the_umask() {
    let (dir, input, _) = workspace();
    let bin = assert_cmd::cargo::cargo_bin("snc");
    let script = format!(
        "umask {{}}; '{}' check '{}' --as-of 2026-11-28 --quiet -o '{}' -o '{}'",
        bin.display(),
        input.display(),
        dir.path().join("r.json").display(),
        dir.path().join("r.html").display(),
    );
    for (umask, mode) in [("077", 0o600), ("027", 0o640), ("022", 0o644)] {
        for name in ["r.json", "r.html"] {
            let _ = std::fs::remove_file(dir.path().join(name));
        }
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(script.replace("{}", umask))
            .env("LANG", "C.UTF-8")
            .status()
            .expect("sh");
        assert_eq!(status.code(), Some(1), "the example fails the gate");
        for name in ["r.json", "r.html"] {
            let meta = std::fs::metadata(dir.path().join(name)).expect("written");
            assert_eq!(
                meta.permissions().mode() & 0o777,
                mode,
                "{name} under umask {umask}"
            );
        }
    }
}

#[test]
fn one_target_that_cannot_be_written_leaves_the_others_unchanged() {
    let (dir, input, _) = workspace();
    let html = dir.path().join("r.html");
    std::fs::write(&html, "yesterday's report").expect("write");
    std::fs::create_dir(dir.path().join("r.csv")).expect("a folder where a file should go");
    snc()
        .args([
            "check",
            &input.display().to_string(),
            "--as-of",
            "2026-11-28",
            "--quiet",
        ])
        .args(["-o", &html.display().to_string()])
        .args(["-o", &dir.path().join("r.md").display().to_string()])
        .args(["-o", &dir.path().join("r.json").display().to_string()])
        .args(["-o", &dir.path().join("r.csv").display().to_string()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("r.csv"));
    assert_eq!(
        std::fs::read_to_string(&html).expect("read"),
        "yesterday's report"
    );
    assert_eq!(listing(dir.path()), ["in.json", "r.csv", "r.html"]);
}
