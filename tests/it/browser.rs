//! The HTML report in a real browser (Debian's headless Chromium, installed by `.ci/run`): it renders with no
//! console error, a hostile vendor name does not execute, and a screenshot of the first page is kept in
//! `target/test-artifacts/`.

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;

fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

fn headless(browser: &Path, profile: &Path) -> Process {
    let mut cmd = Process::new(browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
    ]);
    cmd.arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

#[test]
fn html_report_renders_in_chromium_without_errors_and_hostile_text_stays_inert() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium (see .ci/run)"
        );
        #[expect(clippy::print_stderr, reason = "a skipped test says why")]
        {
            eprintln!("skipped: no chromium on this machine (apt-get install -y chromium)");
        }
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let html = dir.path().join("report.html");
    Command::cargo_bin("snc")
        .expect("binary")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "check",
            "tests/fixtures/assessments/hostile.json",
            "--as-of",
            "2026-11-28",
            "-o",
        ])
        .arg(&html)
        .assert()
        .code(1);
    let url = format!("file://{}", html.display());

    let dom = headless(&browser, &dir.path().join("profile-dom"))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .expect("chromium runs");
    assert!(
        dom.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    let log = String::from_utf8_lossy(&dom.stderr);
    assert!(
        dom_text.contains("id=\"appendix\""),
        "the report did not render"
    );
    assert!(
        !dom_text.contains("data-pwned=\""),
        "vendor-supplied script or handler ran"
    );
    assert!(
        dom_text.contains("&lt;script&gt;document.body.setAttribute("),
        "hostile name not shown as text"
    );
    let console: Vec<&str> = log
        .lines()
        .filter(|l| l.contains(":CONSOLE(") || l.contains("Uncaught"))
        .collect();
    assert!(console.is_empty(), "console messages: {console:#?}");

    let artifacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts");
    std::fs::create_dir_all(&artifacts).expect("artifact folder");
    let shot = artifacts.join("report-first-page.png");
    let _ = std::fs::remove_file(&shot);
    let status = headless(&browser, &dir.path().join("profile-shot"))
        .arg("--window-size=1280,1600")
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output()
        .expect("chromium runs");
    assert!(
        status.status.success(),
        "screenshot failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "not a real screenshot"
    );
}

/// The browser, or `None` off CI (the test then says why it skips); CI must have it.
fn browser_or_skip() -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium (see .ci/run)"
        );
        #[expect(clippy::print_stderr, reason = "a skipped test says why")]
        {
            eprintln!("skipped: no chromium on this machine (apt-get install -y chromium)");
        }
    }
    found
}

/// Where the screenshots CI keeps as artifacts go.
fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    dir
}

fn check_to(example: &str, lang: &str, output: &Path) {
    Command::cargo_bin("snc")
        .expect("binary")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("SNC_CHROMIUM")
        .args([
            "--lang",
            lang,
            "check",
            example,
            "--as-of",
            "2026-11-28",
            "--fail-on",
            "never",
            "-q",
            "-o",
        ])
        .arg(output)
        .assert()
        .code(0);
}

#[test]
fn first_timer_sections_render_in_chromium_on_desktop_and_phone_with_screenshots_kept() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    for (example, lang, name) in [
        (
            "examples/saas-ineligible-cap-table.json",
            "en",
            "ineligible-en",
        ),
        ("examples/paas-with-gaps.json", "fr", "paas-fr"),
    ] {
        let html = dir.path().join(format!("{name}.html"));
        check_to(example, lang, &html);
        let url = format!("file://{}", html.display());
        let dom = headless(&browser, &dir.path().join(format!("profile-dom-{name}")))
            .arg("--dump-dom")
            .arg(&url)
            .output()
            .expect("chromium runs");
        let dom_text = String::from_utf8_lossy(&dom.stdout);
        for id in ["progress", "first-actions", "not-assessed", "appendix"] {
            assert!(
                dom_text.contains(&format!("id=\"{id}\"")),
                "{name}: no #{id}"
            );
        }
        assert!(dom_text.contains("aria-current=\"step\""), "{name}: ladder");
        if name.starts_with("ineligible") {
            assert!(dom_text.contains("id=\"why-ineligible\""), "{name}");
            assert!(dom_text.contains("class=\"at-fault\""), "{name}");
            assert!(dom_text.contains("class=\"score na\""), "{name}");
        }
        let log = String::from_utf8_lossy(&dom.stderr);
        let console: Vec<&str> = log
            .lines()
            .filter(|l| l.contains(":CONSOLE(") || l.contains("Uncaught"))
            .collect();
        assert!(console.is_empty(), "{name}: console messages: {console:#?}");
        for (device, size) in [("desktop", "1280,2400"), ("phone", "390,2400")] {
            let shot = screenshots().join(format!("{name}-{device}.png"));
            let _ = std::fs::remove_file(&shot);
            let status = headless(
                &browser,
                &dir.path().join(format!("profile-{name}-{device}")),
            )
            .arg(format!("--window-size={size}"))
            .arg(format!("--screenshot={}", shot.display()))
            .arg(&url)
            .output()
            .expect("chromium runs");
            assert!(
                status.status.success(),
                "{name} {device}: screenshot failed"
            );
            let png = std::fs::read(&shot).expect("screenshot written");
            assert!(
                png.starts_with(b"\x89PNG") && png.len() > 10_000,
                "{name} {device}: not a real screenshot"
            );
        }
    }
}

/// Pages of a PDF: its `/Type /Page` objects (not the `/Pages` tree nodes).
fn pdf_pages(pdf: &[u8]) -> usize {
    regex::bytes::Regex::new(r"/Type\s*/Page[^s\w]")
        .expect("regex")
        .find_iter(pdf)
        .count()
}

#[test]
fn the_paas_example_prints_to_pdf_in_well_under_half_of_75_pages_in_both_languages() {
    if browser_or_skip().is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    for lang in ["en", "fr"] {
        let pdf = dir.path().join(format!("paas-{lang}.pdf"));
        check_to("examples/paas-with-gaps.json", lang, &pdf);
        let bytes = std::fs::read(&pdf).expect("PDF written");
        assert!(bytes.starts_with(b"%PDF"), "{lang}: not a PDF");
        let pages = pdf_pages(&bytes);
        // 75 pages before the report was reworked for print; the issue asks for well under half.
        assert!((10..=32).contains(&pages), "{lang}: {pages} pages");
        std::fs::copy(&pdf, screenshots().join(format!("paas-{lang}.pdf"))).expect("keep the PDF");
    }
}
