//! Reports that lead a first-timer: why ineligible before any score, the score shown as not applicable, progress
//! and the ladder, the first ten actions, unanswered items in one compact table, the cap table's holder at fault
//! named and highlighted, in every format and both languages.

use crate::common::snc;

use snc::pack::{Pack, PackSource};

fn render(file: &str, format: &str, lang: &str) -> String {
    let out = snc()
        .args([
            "--lang",
            lang,
            "check",
            file,
            "--as-of",
            "2026-11-28",
            "--fail-on",
            "never",
            "--format",
            format,
        ])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

const INELIGIBLE: &str = "examples/saas-ineligible-cap-table.json";
const PAAS: &str = "examples/paas-with-gaps.json";

#[test]
fn an_ineligible_vendor_reads_why_in_one_sentence_before_any_score_in_every_format() {
    for (lang, why, na, holder) in [
        (
            "en",
            "Ineligible because 19.6.b",
            "n/a",
            "Redwood Peak Capital Fund III, L.P. (US) holds 31 % of the capital; at most 24 % allowed for a single non-EU holder",
        ),
        (
            "fr",
            "Non éligible car 19.6.b",
            "sans objet",
            "Redwood Peak Capital Fund III, L.P. (US) détient 31 % du capital ; au plus 24 % sont admis pour un seul détenteur extra-européen",
        ),
    ] {
        for format in ["text", "markdown", "html"] {
            let out = render(INELIGIBLE, format, lang);
            let why_at = out
                .find(why)
                .unwrap_or_else(|| panic!("{lang} {format}: no reason"));
            let na_at = out
                .find(na)
                .unwrap_or_else(|| panic!("{lang} {format}: score not n/a"));
            assert!(
                why_at < na_at,
                "{lang} {format}: the reason comes after the score"
            );
            assert!(
                out.contains(holder),
                "{lang} {format}: the holder is not named"
            );
            assert!(
                !out.contains("<div class=\"score\">") && !out.contains("**94"),
                "{lang} {format}: the overall score is shown as a number"
            );
        }
    }
}

#[test]
fn the_json_report_keeps_the_number_and_says_it_is_not_meaningful() {
    let json: serde_json::Value =
        serde_json::from_str(&render(INELIGIBLE, "json", "en")).expect("json");
    assert_eq!(json["score"]["overall"], 94.3);
    assert_eq!(json["score"]["meaningful"], false);
    let finding = &crate::common::requirement(&json, "19.6.b")["findings"][0];
    assert!(
        finding["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("Redwood Peak Capital Fund III, L.P. (US) holds 31 %")),
        "{finding}"
    );
    let paas: serde_json::Value = serde_json::from_str(&render(PAAS, "json", "en")).expect("json");
    assert_eq!(paas["score"]["meaningful"], true);
    assert_eq!(paas["progress"]["answered"], 191);
    assert_eq!(paas["progress"]["applicable"], 251);
}

#[test]
fn the_cap_table_is_a_table_with_the_holder_at_fault_highlighted() {
    let html = render(INELIGIBLE, "html", "fr");
    let row = html
        .split("<tr")
        .find(|r| r.contains("Redwood Peak Capital Fund III, L.P.</td>"))
        .expect("a row for the holder");
    assert!(row.starts_with(" class=\"at-fault\""), "{row}");
    assert!(html.contains("<th>Détenteur</th><th>Pays</th><th>Capital (%)</th><th>Droits de vote (%)</th><th>Veto</th><th>Majorité du conseil</th>"));
    let fine = html
        .split("<tr")
        .find(|r| r.contains("Bpifrance Participations</td>"))
        .expect("a row for another holder");
    assert!(!fine.contains("at-fault"), "{fine}");
    let md = render(INELIGIBLE, "markdown", "en");
    assert!(
        md.contains("| **⚠ Redwood Peak Capital Fund III, L.P.** | US | 31 | 31 | yes | no |"),
        "{md}"
    );
    assert!(
        md.contains("| Bpifrance Participations | FR | 12 | 12 | no | no |"),
        "{md}"
    );
}

#[test]
fn progress_ladder_and_first_ten_actions_come_before_the_chapter_scores() {
    for format in ["text", "markdown", "html"] {
        let out = render(PAAS, format, "en");
        let at = |needle: &str| {
            out.find(needle)
                .unwrap_or_else(|| panic!("{format}: no {needle}"))
        };
        assert!(at("191 / 251") < at("Scores by chapter"), "{format}");
        assert!(at("AUDIT READY") < at("First ten actions"), "{format}");
        assert!(
            at("First ten actions") < at("Scores by chapter"),
            "{format}"
        );
        assert!(out.contains("needed for AUDIT READY"), "{format}");
    }
    let text = render(PAAS, "text", "en");
    let actions = text
        .split("First ten actions\n")
        .nth(1)
        .and_then(|s| s.split("\n\n").next())
        .expect("actions");
    // Ten, each with its owner and target date line; the critical item the next level needs first.
    assert_eq!(
        actions.lines().filter(|l| l.contains("Owner: ")).count(),
        10,
        "{actions}"
    );
    assert!(
        actions
            .lines()
            .next()
            .is_some_and(|l| l.contains("1. 19.6.d")),
        "{actions}"
    );
}

#[test]
fn unanswered_items_are_one_compact_table_not_cards() {
    let html = render(PAAS, "html", "en");
    let section = html
        .split("<section id=\"not-assessed\">")
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .expect("the not-assessed section");
    assert_eq!(section.matches("<tr><td class=\"id\">").count(), 55);
    // A non-critical unanswered item has no card; a critical one keeps its card among the critical gaps.
    assert!(!html.contains("id=\"gap-7.1.a\""));
    assert!(html.contains("id=\"gap-19.6.d\""));
    let md = render(PAAS, "markdown", "fr");
    assert!(md.contains("## Pas encore évaluées (55)"), "{md}");
    assert!(!md.contains("#### 7.1.a "), "{md}");
}

#[test]
fn a_detail_with_different_placeholders_per_language_is_refused() {
    let mut files = PackSource::embedded_files();
    let name = "19-additional.toml";
    let text = String::from_utf8(files[name].clone()).expect("UTF-8");
    let from = "détient {capital_pct} % du capital";
    assert!(text.contains(from));
    files.insert(
        name.to_owned(),
        text.replacen(from, "détient {capital} % du capital", 1)
            .into_bytes(),
    );
    let (_, diagnostics) = Pack::load_partial(&PackSource::Memory(files));
    assert!(
        diagnostics.iter().any(|d| d.message.as_str()
            == "19.6.b: the detail message has different placeholders in en and fr"),
        "{diagnostics:#?}"
    );
}

#[test]
fn a_pdf_without_a_usable_chromium_exits_2_says_how_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pdf = dir.path().join("report.pdf");
    let html = dir.path().join("report.html");
    let missing = dir.path().join("no-such-browser");
    let out = snc()
        .env("SNC_CHROMIUM", &missing)
        .args(["check", PAAS, "--as-of", "2026-11-28"])
        .arg("-o")
        .arg(&html)
        .arg("-o")
        .arg(&pdf)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("SNC_CHROMIUM") && err.contains("no-such-browser"),
        "{err}"
    );
    assert!(!pdf.exists() && !html.exists(), "an output was written");
    // A browser that fails to print: exit 2 with its reason, still nothing written.
    let out = snc()
        .env("SNC_CHROMIUM", "/bin/false")
        .args(["check", PAAS, "--as-of", "2026-11-28", "-o"])
        .arg(&pdf)
        .arg("-o")
        .arg(&html)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("could not print the PDF"), "{err}");
    assert!(!pdf.exists() && !html.exists(), "an output was written");
}

#[test]
fn a_requirement_may_hint_its_effort_and_a_word_outside_the_vocabulary_is_refused() {
    let with = |effort: &str| {
        let mut files = PackSource::embedded_files();
        let name = "19-additional.toml";
        let text = String::from_utf8(files[name].clone()).expect("UTF-8");
        files.insert(
            name.to_owned(),
            text.replacen(
                "id = \"19.6.b\"\n",
                &format!("id = \"19.6.b\"\neffort = \"{effort}\"\n"),
                1,
            )
            .into_bytes(),
        );
        Pack::load_partial(&PackSource::Memory(files))
    };
    let (pack, diagnostics) = with("large");
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let id = "19.6.b".parse().expect("id");
    assert_eq!(
        pack.and_then(|p| p.requirement(&id).and_then(|q| q.effort)),
        Some(snc::pack::Effort::Large)
    );
    let (_, diagnostics) = with("huge");
    assert!(
        diagnostics.iter().any(|d| d.to_string().contains("huge")),
        "{diagnostics:#?}"
    );
}

#[test]
fn a_hostile_holder_name_or_vendor_stays_text_in_the_named_message_the_table_and_the_print_header()
{
    let text = std::fs::read_to_string(crate::common::root().join(INELIGIBLE)).expect("example");
    let hostile = text
        .replace(
            "Redwood Peak Capital Fund III, L.P.",
            "<img src=x onerror=alert(1)> *Redwood* | `x`",
        )
        .replace(
            "\"DataPilote SAS\"",
            "\"\\\"}</style><script>alert(2)</script>\"",
        );
    assert_ne!(hostile, text);
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("hostile.json");
    std::fs::write(&file, hostile).expect("write");
    let file = file.to_string_lossy().into_owned();
    let html = render(&file, "html", "en");
    assert!(!html.contains("<img src=x"), "raw holder name in HTML");
    assert!(!html.contains("<script>alert"), "raw vendor name in HTML");
    assert!(html.contains(
        "&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; *Redwood* | &#x60;x&#x60; (US) holds 31 %"
    ));
    let style = html.split("</style>").next().expect("style");
    assert!(!style.contains("<script"), "the vendor left the CSS string");
    let md = render(&file, "markdown", "en");
    assert!(
        md.contains("\\<img src=x onerror=alert(1)\\> \\*Redwood\\* \\| \\`x\\` (US) holds 31 %"),
        "{md}"
    );
    assert!(
        md.contains("| **⚠ \\<img src=x onerror=alert(1)\\> \\*Redwood\\* \\| \\`x\\`** | US |"),
        "{md}"
    );
}
