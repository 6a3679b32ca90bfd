//! Reports: every format in both languages for the examples (snapshots), determinism, hostile input, custom
//! templates.

use crate::common::snc;

use std::path::PathBuf;

use predicates::prelude::*;

const EXAMPLES: [&str; 3] = [
    "saas-on-qualified-iaas",
    "paas-with-gaps",
    "saas-ineligible-cap-table",
];

fn render(file: &str, format: &str, lang: &str) -> String {
    let out = snc()
        .args([
            "check",
            file,
            "--as-of",
            "2026-11-28",
            "--fail-on",
            "never",
            "--format",
            format,
            "--lang",
            lang,
        ])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{file} {format} {lang}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn every_format_in_both_languages_matches_its_reviewed_snapshot() {
    for example in EXAMPLES {
        for lang in ["en", "fr"] {
            for format in ["text", "markdown", "html"] {
                let text = render(&format!("examples/{example}.json"), format, lang);
                insta::assert_snapshot!(format!("{example}.{lang}.{format}"), text);
            }
        }
    }
}

#[test]
fn renders_are_byte_identical_across_runs() {
    for format in ["markdown", "html"] {
        let a = render("examples/paas-with-gaps.json", format, "fr");
        let b = render("examples/paas-with-gaps.json", format, "fr");
        assert!(a == b, "{format} differs between two runs");
    }
}

#[test]
fn html_report_is_self_contained_and_has_every_section() {
    let html = render("examples/paas-with-gaps.json", "html", "en");
    for needle in [
        "<style>",
        "<svg class=\"chart\"",
        "id=\"critical\"",
        "id=\"gaps\"",
        "id=\"contradictions\"",
        "id=\"evidence\"",
        "id=\"inherited\"",
        "id=\"roadmap\"",
        "id=\"recommendations\"",
        "id=\"appendix\"",
        "sha256:",
        "@media print",
    ] {
        assert!(html.contains(needle), "missing {needle}");
    }
    for forbidden in [
        "<script",
        "src=\"http",
        "href=\"http://",
        "<link ",
        "@import",
    ] {
        assert!(
            !html.contains(forbidden),
            "external or active content: {forbidden}"
        );
    }
    assert!(
        html.contains("class=\"late\""),
        "an overdue roadmap item is flagged"
    );
}

#[test]
fn hostile_vendor_text_cannot_inject_markup_or_links_in_html() {
    let html = render("tests/fixtures/assessments/hostile.json", "html", "en");
    assert!(
        !html.contains("<script>document"),
        "vendor script rendered as markup"
    );
    assert!(
        html.contains("&lt;script&gt;document.body.setAttribute("),
        "vendor name not shown as text"
    );
    assert!(
        !html.contains("<img src=x"),
        "vendor img rendered as markup"
    );
    assert!(
        !html.contains("<svg onload"),
        "evidence title rendered as markup"
    );
    assert!(
        !html.to_lowercase().contains("href=\"javascript:"),
        "javascript: link rendered"
    );
    assert!(
        html.contains("href=\"https://docs.example/pssi.pdf?a&#x3D;1&amp;b&#x3D;%222%22\""),
        "web evidence should link, escaped"
    );
    assert!(!html.contains("<b>Host</b>"));
    assert!(!html.contains("<!-- comment -->"));
}

#[test]
fn hostile_vendor_text_cannot_break_markdown_tables_or_add_links() {
    let md = render("tests/fixtures/assessments/hostile.json", "markdown", "en");
    assert!(
        md.contains("Evil \\| Corp \\[x\\](javascript:alert(1))"),
        "vendor name not escaped"
    );
    let unescaped_links = md
        .match_indices("](javascript:")
        .filter(|(i, _)| !md[..*i].ends_with('\\'))
        .count();
    assert_eq!(unescaped_links, 0, "javascript: link in Markdown");
    assert!(
        md.contains("[Policy \\| v2 \\]\\](](https://docs.example/pssi.pdf?a=1&amp;b=%222%22)"),
        "web evidence link"
    );
    assert!(md.contains(
        "pipes \\| break \\| tables and newlines \\`code\\` \\*\\*bold\\*\\* \\<\\!-- comment --\\>"
    ));
    for line in md
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains("Evil"))
    {
        let unescaped = line.replace("\\|", "").matches('|').count();
        assert_eq!(unescaped, 3, "table row broken: {line}");
    }
}

#[test]
fn custom_templates_replace_the_embedded_ones_and_typos_are_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir_arg = dir.path().to_str().expect("utf-8");
    // The Markdown report of the PaaS example with `template` as `report.md.hbs`.
    let with_template = |template: &str| {
        std::fs::write(dir.path().join("report.md.hbs"), template).expect("write");
        snc()
            .args([
                "check",
                "--templates",
                dir_arg,
                "examples/paas-with-gaps.json",
                "--as-of",
                "2026-11-28",
                "--format",
                "markdown",
            ])
            .assert()
    };
    with_template("# {{report.assessment.vendor}} — {{score}}\n")
        .code(1)
        .stdout("# Nuage Courant SAS — 65.5\n");
    with_template("# {{report.assessment.vendr}}\n")
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(
            predicate::str::contains("template report.md.hbs:1:")
                .and(predicate::str::contains("vendr")),
        );
    with_template("{{#each report.requirements}}\n")
        .code(2)
        .stderr(predicate::str::contains("report.md.hbs"));
    // The whole JSON report is there for templates that need more than the item lists.
    with_template(
        "{{#each report.requirements}}{{#if @first}}{{id}} {{verdict}}{{/if}}{{/each}}\n",
    )
    .code(1)
    .stdout("5.1.a compliant\n");
}

/// A partial that includes itself would recurse until the stack overflows: refused before anything is written.
#[test]
fn recursive_custom_partials_are_refused_before_rendering() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("partials")).expect("mkdir");
    let out = dir.path().join("r.md");
    let cover = "{{#if code}}{{> md-gap}}{{/if}}";
    for (gap, cover) in [
        ("{{id}}{{#if findings}}{{> md-gap}}{{/if}}\n", None),
        (
            "{{id}}{{#each findings}}{{> md-cover}}{{/each}}\n",
            Some(cover),
        ),
    ] {
        std::fs::write(dir.path().join("partials/md-gap.hbs"), gap).expect("write");
        if let Some(cover) = cover {
            std::fs::write(dir.path().join("partials/md-cover.hbs"), cover).expect("write");
        }
        snc()
            .arg("check")
            .arg("--templates")
            .arg(dir.path())
            .args([
                "examples/paas-with-gaps.json",
                "--as-of",
                "2026-11-28",
                "-o",
            ])
            .arg(&out)
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains("/partials/md-")
                    .and(predicate::str::contains("includes itself"))
                    .and(predicate::str::contains("md-gap → md-")),
            );
        assert!(!out.exists(), "no report after a refused template");
    }
}

#[test]
fn html_and_markdown_outputs_follow_the_file_extension() {
    let dir = tempfile::tempdir().expect("temp dir");
    let html: PathBuf = dir.path().join("r.html");
    let md: PathBuf = dir.path().join("r.md");
    snc()
        .args([
            "check",
            "examples/saas-on-qualified-iaas.json",
            "--as-of",
            "2026-11-28",
            "-o",
        ])
        .arg(&html)
        .arg("-o")
        .arg(&md)
        .assert()
        .code(0);
    assert!(
        std::fs::read_to_string(&html)
            .expect("html")
            .starts_with("<!DOCTYPE html>")
    );
    assert!(
        std::fs::read_to_string(&md)
            .expect("md")
            .starts_with("# SecNumCloud readiness report")
    );
}

#[test]
fn text_is_uncoloured_when_not_a_terminal() {
    let text = render("examples/paas-with-gaps.json", "text", "en");
    assert!(!text.contains('\u{1b}'), "escape codes in piped output");
}

#[test]
fn a_custom_template_nesting_each_past_the_limit_is_refused_before_rendering() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("report.html.hbs"),
        "<p>\n{{#each report.requirements}}{{#each ../report.requirements}}{{#each ../report.requirements}}{{#each ../report.requirements}}.{{/each}}{{/each}}{{/each}}{{/each}}\n",
    )
    .expect("write");
    let out = crate::common::snc()
        .arg("check")
        .arg("--templates")
        .arg(dir.path())
        .args([
            "examples/saas-on-qualified-iaas.json",
            "--as-of",
            "2026-11-28",
            "--format",
            "html",
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("report.html.hbs:2:") && stderr.contains("`each` nests more than 3"),
        "{stderr}"
    );
}
