//! The questionnaire as a spreadsheet (docs/spreadsheet.md): written by `snc init -o x.xlsx` and `snc export`,
//! read back by `snc import` and wherever an assessment is read, losslessly; the cell types Excel and `LibreOffice`
//! write; located errors; a zip bomb refused before it is unpacked; a round trip through `LibreOffice` itself
//! (Debian's `libreoffice-calc-nogui`, installed by `.ci/run`).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::prelude::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook, Worksheet};
use serde_json::{Value as Json, json};
use snc::assessment::limits::Limits;
use snc::assessment::skeleton::skeleton;
use snc::assessment::workbook::{self, canonical_digest};
use snc::model::{Lang, ServiceType};
use snc::pack::{FactType, Pack};
use snc::testing::{self, XorShift};

use crate::common::{root, snc};

fn pack() -> &'static Pack {
    static PACK: OnceLock<Pack> = OnceLock::new();
    PACK.get_or_init(|| Pack::embedded().unwrap_or_else(|d| panic!("{d:#?}")))
}

fn examples() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .expect("examples")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 3, "{files:?}");
    files
}

fn read_json(path: &Path) -> Json {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("JSON")
}

/// The document a workbook holds, validated.
fn back(name: &str, bytes: &[u8]) -> Json {
    workbook::parse_document(name, bytes, pack(), &Limits::default())
        .unwrap_or_else(|e| panic!("{e}"))
        .1
}

#[test]
fn every_example_survives_json_workbook_json_in_every_language() {
    for file in examples() {
        let original = read_json(&file);
        for lang in Lang::ALL {
            let bytes = workbook::write(pack(), &original, *lang).expect("workbook");
            let read = back("q.xlsx", &bytes);
            assert_eq!(
                canonical_digest(&read),
                canonical_digest(&original),
                "{} in {lang}",
                file.display()
            );
            // Written twice, the same bytes.
            assert_eq!(
                workbook::write(pack(), &original, *lang).expect("workbook"),
                bytes
            );
        }
    }
}

#[test]
fn init_export_and_import_on_the_command_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let q = dir.path().join("questionnaire.xlsx");
    let json = dir.path().join("skeleton.json");
    let back = dir.path().join("back.json");
    for (out, extra) in [(&q, "--lang=fr"), (&json, "--lang=fr")] {
        snc()
            .args([
                "init",
                "--service-type",
                "saas",
                "--built-on",
                "iaas",
                extra,
                "-o",
            ])
            .arg(out)
            .assert()
            .success();
    }
    snc()
        .arg("import")
        .arg(&q)
        .arg("-o")
        .arg(&back)
        .assert()
        .success();
    // The workbook `init` writes is the skeleton `init` writes as JSON.
    assert_eq!(
        canonical_digest(&read_json(&back)),
        canonical_digest(&read_json(&json))
    );

    let example = root().join("examples/saas-on-qualified-iaas.json");
    let exported = dir.path().join("exported.xlsx");
    snc()
        .arg("export")
        .arg(&example)
        .arg("-o")
        .arg(&exported)
        .assert()
        .success();
    snc()
        .arg("import")
        .arg(&exported)
        .arg("-o")
        .arg(&back)
        .assert()
        .success();
    assert_eq!(
        canonical_digest(&read_json(&back)),
        canonical_digest(&read_json(&example))
    );
}

#[test]
fn check_validate_diff_and_portfolio_take_a_workbook() {
    let dir = tempfile::tempdir().expect("temp dir");
    let example = root().join("examples/paas-with-gaps.json");
    let q = dir.path().join("vendor.xlsx");
    snc()
        .arg("export")
        .arg(&example)
        .arg("-o")
        .arg(&q)
        .assert()
        .success();
    snc().arg("validate").arg(&q).assert().success();
    let report = |input: &Path| -> Json {
        let out = snc()
            .args([
                "check",
                "--format",
                "json",
                "--as-of",
                "2026-06-01",
                "--exit-zero",
            ])
            .arg(input)
            .output()
            .expect("runs");
        let mut json: Json = serde_json::from_slice(&out.stdout).expect("report");
        json["assessment"]["file"] = Json::Null;
        json["assessment"]["digest"] = Json::Null;
        json
    };
    assert_eq!(report(&q), report(&example));
    let diff = snc()
        .args(["diff", "--format", "json", "--as-of", "2026-06-01"])
        .arg(&example)
        .arg(&q)
        .output()
        .expect("runs");
    assert!(
        diff.status.success(),
        "{}",
        String::from_utf8_lossy(&diff.stderr)
    );
    let diff: Json = serde_json::from_slice(&diff.stdout).expect("diff");
    assert_eq!(diff["regressed"], false, "{diff:#}");
    let folder = dir.path().join("vendors");
    std::fs::create_dir(&folder).expect("dir");
    std::fs::copy(&q, folder.join("a.xlsx")).expect("copy");
    std::fs::copy(
        root().join("examples/saas-on-qualified-iaas.json"),
        folder.join("b.json"),
    )
    .expect("copy");
    let out = snc()
        .args(["portfolio", "--as-of", "2026-06-01"])
        .arg(&folder)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Nuage Courant SAS") && text.contains("Clairvoyance SAS"),
        "{text}"
    );
}

/// A questionnaire written cell by cell, as another application would: the contract's sheets and headers, every
/// fact row, and the cells `fill` writes.
fn handmade(fill: impl FnOnce(&mut Workbook, &Format)) -> Vec<u8> {
    let mut book = Workbook::new();
    let service = book.add_worksheet().set_name("Service").expect("name");
    for (row, cells) in [
        ["field", "value", "description"].as_slice(),
        &["format", "snc-assessment/1"],
        &["pack", "secnumcloud-3.2"],
        &["vendor", "Hand Made SAS"],
        &["contact", ""],
        &["service_name", "Hand CRM"],
        &["types", "SaaS"],
    ]
    .iter()
    .enumerate()
    {
        for (col, text) in cells.iter().enumerate() {
            if !text.is_empty() {
                service
                    .write_string(
                        u32::try_from(row).expect("row"),
                        u16::try_from(col).expect("col"),
                        *text,
                    )
                    .expect("cell");
            }
        }
    }
    let headers = |sheet: &mut Worksheet, names: &[&str]| {
        for (col, name) in names.iter().enumerate() {
            sheet
                .write_string(0, u16::try_from(col).expect("col"), *name)
                .expect("header");
        }
    };
    headers(
        book.add_worksheet().set_name("Requirements").expect("name"),
        &workbook::REQUIREMENT_COLUMNS,
    );
    headers(
        book.add_worksheet().set_name("Evidence").expect("name"),
        &workbook::EVIDENCE_COLUMNS,
    );
    let facts = book.add_worksheet().set_name("Facts").expect("name");
    headers(facts, &workbook::FACT_COLUMNS);
    let mut row = 1;
    for fact in &pack().facts {
        if !matches!(fact.ty, FactType::Objects(_)) {
            facts.write_string(row, 0, &fact.path).expect("path");
            row += 1;
        }
    }
    for (name, path) in [
        ("Shareholders", "company.shareholders"),
        ("Third parties", "third_parties"),
        ("Audits", "audits"),
        ("Changes", "immunity.changes"),
    ] {
        let sheet = book.add_worksheet().set_name(name).expect("name");
        let fact = pack().facts.iter().find(|f| f.path == path).expect(path);
        let FactType::Objects(fields) = &fact.ty else {
            panic!("{path}")
        };
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        headers(sheet, &names);
    }
    let date = Format::new().set_num_format("dd/mm/yyyy");
    fill(&mut book, &date);
    book.save_to_buffer().expect("bytes")
}

/// The row of a fact in `Facts` (0-based), as [`handmade`] writes them.
fn fact_row(path: &str) -> u32 {
    let index = pack()
        .facts
        .iter()
        .filter(|f| !matches!(f.ty, FactType::Objects(_)))
        .position(|f| f.path == path)
        .expect(path);
    u32::try_from(index).expect("row") + 1
}

fn sheet<'b>(book: &'b mut Workbook, name: &str) -> &'b mut Worksheet {
    book.worksheet_from_name(name).expect(name)
}

#[test]
fn the_cell_types_spreadsheets_write_are_read() {
    let bytes = handmade(|book, date| {
        let facts = sheet(book, "Facts");
        // A boolean cell, a number stored as text, trailing spaces, a date cell and a bare serial number.
        facts
            .write_boolean(fact_row("crypto.encryption_at_rest"), 2, true)
            .expect("cell");
        facts
            .write_string(fact_row("logging.retention_days"), 2, " 365 ")
            .expect("cell");
        facts
            .write_string(fact_row("company.registered_office_country"), 2, "fr ")
            .expect("cell");
        facts
            .write_string(fact_row("access.mfa_admin_interfaces"), 2, "Oui ")
            .expect("cell");
        facts
            .write_string(fact_row("data.customer_data_locations"), 2, "FR, de ,")
            .expect("cell");
        facts
            .write_datetime_with_format(
                fact_row("reviews.security_policy"),
                2,
                ExcelDateTime::from_ymd(2026, 3, 1).expect("date"),
                date,
            )
            .expect("cell");
        facts
            .write_number(fact_row("reviews.bcp"), 2, 46_042.0)
            .expect("cell");
        // A formula is read by its cached value, never computed: 1+1 is not 90.
        facts
            .write_formula(
                fact_row("end_of_contract.notice_days"),
                2,
                Formula::new("=1+1").set_result("90"),
            )
            .expect("cell");
        // The third choice of a yes/no drop-down.
        facts
            .write_string(fact_row("access.mfa_end_users_offered"), 2, "Inconnu")
            .expect("cell");
        // An emptied drop-down: an empty string.
        facts
            .write_string(fact_row("access.mfa_customer_consoles"), 2, "")
            .expect("cell");
        let reqs = sheet(book, "Requirements");
        reqs.write_string(1, 0, "5.2.a").expect("id");
        reqs.write_string(1, 5, "Conforme ").expect("status");
        reqs.write_number(1, 7, 46_388.0)
            .expect("serial target date");
        reqs.write_string(2, 0, "5.2.b").expect("id");
        reqs.write_string(2, 5, "").expect("emptied status");
        reqs.write_string(3, 0, "11.3.a").expect("id");
        reqs.write_string(3, 5, "inherited").expect("status");
        reqs.write_string(3, 9, "the IaaS").expect("justification");
        reqs.write_string(4, 0, "19.1.g").expect("id");
        reqs.write_string(4, 5, "non-compliant").expect("status");
        let ev = sheet(book, "Evidence");
        ev.write_string(1, 0, "5.2.a").expect("id");
        ev.write_string(1, 1, "PSSI v3").expect("title");
        ev.write_datetime_with_format(1, 3, ExcelDateTime::from_ymd(2026, 2, 1).expect("d"), date)
            .expect("date");
        ev.write_string(1, 4, "Document").expect("kind");
    });
    let doc = back("hand.xlsx", &bytes);
    let facts = &doc["facts"];
    assert_eq!(facts["crypto"]["encryption_at_rest"], true);
    assert_eq!(facts["logging"]["retention_days"], 365);
    assert_eq!(facts["company"]["registered_office_country"], "FR");
    assert_eq!(facts["access"]["mfa_admin_interfaces"], true);
    assert_eq!(
        facts["data"]["customer_data_locations"],
        json!(["FR", "DE"])
    );
    assert_eq!(facts["reviews"]["security_policy"], "2026-03-01");
    assert_eq!(facts["reviews"]["bcp"], "2026-01-20");
    assert_eq!(facts["end_of_contract"]["notice_days"], 90);
    assert_eq!(facts["access"]["mfa_customer_consoles"], Json::Null);
    assert_eq!(facts["access"]["mfa_end_users_offered"], Json::Null);
    let answers = &doc["answers"];
    assert_eq!(answers["5.2.a"]["status"], "compliant");
    assert_eq!(answers["5.2.a"]["target_date"], "2027-01-01");
    assert_eq!(
        answers["5.2.a"]["evidence"],
        json!([{"title": "PSSI v3", "date": "2026-02-01", "kind": "document"}])
    );
    assert!(answers.get("5.2.b").is_none(), "{answers:#}");
    assert_eq!(answers["11.3.a"]["status"], "inherited");
    assert_eq!(answers["19.1.g"]["status"], "non_compliant");
    assert_eq!(
        doc["vendor"],
        json!({"name": "Hand Made SAS", "contact": null})
    );
}

/// Runs `snc import` on a workbook; returns its stderr, checking exit code 2 and that nothing was written.
fn import_fails(bytes: &[u8], env: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let q = dir.path().join("questionnaire.xlsx");
    std::fs::write(&q, bytes).expect("write");
    let out = dir.path().join("out.json");
    let mut cmd = snc();
    cmd.current_dir(dir.path());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let run = cmd
        .args(["import", "questionnaire.xlsx", "-o", "out.json"])
        .output()
        .expect("runs");
    assert_eq!(run.status.code(), Some(2), "{run:?}");
    assert!(!out.exists(), "nothing is written");
    String::from_utf8_lossy(&run.stderr).into_owned()
}

#[test]
fn a_bad_cell_is_named_with_its_sheet_and_cell() {
    let row = fact_row("crypto.encryption_at_rest");
    let bytes = handmade(|book, _| {
        sheet(book, "Facts")
            .write_string(row, 2, "yes please")
            .expect("cell");
    });
    let stderr = import_fails(&bytes, &[]);
    let expected = format!(
        "questionnaire.xlsx: Facts!C{}: \"yes please\" is not yes, no or empty",
        row + 1
    );
    assert!(stderr.contains(&expected), "{stderr}");
    // A schema problem is moved to its cell too.
    let row = fact_row("company.undeclared_float_pct");
    let bytes = handmade(|book, _| {
        sheet(book, "Facts")
            .write_number(row, 2, 140.0)
            .expect("cell");
    });
    let stderr = import_fails(&bytes, &[]);
    assert!(stderr.contains(&format!("Facts!C{}:", row + 1)), "{stderr}");
}

#[test]
fn an_unknown_sheet_and_a_renamed_header_are_named() {
    let bytes = handmade(|book, _| {
        book.add_worksheet().set_name("Notes").expect("name");
        sheet(book, "Evidence")
            .write_string(0, 2, "reference")
            .expect("header");
    });
    let stderr = import_fails(&bytes, &[]);
    assert!(stderr.contains("unknown sheet \"Notes\""), "{stderr}");
    assert!(
        stderr.contains("Evidence!C1: unknown column \"reference\""),
        "{stderr}"
    );
    assert!(stderr.contains("the column \"ref\" is missing"), "{stderr}");
}

#[test]
fn a_zip_bomb_is_refused_before_it_is_unpacked() {
    use std::io::Write as _;
    // 64 MiB of zeros deflate to some 64 KiB: over the limit once unpacked, not before.
    let mut buffer = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buffer);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("xl/worksheets/sheet1.xml", options)
            .expect("entry");
        let zeros = vec![0_u8; 1 << 20];
        for _ in 0..64 {
            zip.write_all(&zeros).expect("write");
        }
        zip.finish().expect("zip");
    }
    let bytes = buffer.into_inner();
    assert!(bytes.len() < 1 << 20, "{}", bytes.len());
    let stderr = import_fails(&bytes, &[("SNC_MAX_ASSESSMENT_BYTES", "1048576")]);
    assert!(
        stderr.contains("refused before unpacking") && stderr.contains("67108864"),
        "{stderr}"
    );
    // Not a zip at all.
    let stderr = import_fails(b"PK\x03\x04 not really", &[]);
    assert!(stderr.contains("not a workbook"), "{stderr}");
}

fn soffice() -> Option<PathBuf> {
    [
        "/usr/bin/soffice",
        "/usr/bin/libreoffice",
        "/usr/lib/libreoffice/program/soffice",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}

/// Converts `file` with `LibreOffice` to `ext` in `dir`; returns the new file.
fn libreoffice(office: &Path, file: &Path, ext: &str, dir: &Path) -> PathBuf {
    let profile = dir.join("profile");
    let out = std::process::Command::new(office)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--norestore", "--convert-to", ext, "--outdir"])
        .arg(dir)
        .arg(file)
        .output()
        .expect("soffice runs");
    let converted = dir
        .join(file.file_stem().expect("stem"))
        .with_extension(ext);
    assert!(
        out.status.success() && converted.exists(),
        "soffice failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    converted
}

#[test]
fn libreoffice_resaves_the_workbook_and_it_reads_back_unchanged() {
    let Some(office) = soffice() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install libreoffice-calc-nogui (see .ci/run)"
        );
        #[expect(clippy::print_stderr, reason = "a skipped test says why")]
        {
            eprintln!(
                "skipped: no LibreOffice on this machine (apt-get install -y libreoffice-calc-nogui)"
            );
        }
        return;
    };
    let original = read_json(&root().join("examples/saas-on-qualified-iaas.json"));
    let dir = tempfile::tempdir().expect("temp dir");
    for lang in Lang::ALL {
        let written = dir.path().join(format!("written-{lang}.xlsx"));
        std::fs::write(
            &written,
            workbook::write(pack(), &original, *lang).expect("workbook"),
        )
        .expect("write");
        let out = dir.path().join(format!("resaved-{lang}"));
        std::fs::create_dir(&out).expect("dir");
        let xlsx = libreoffice(&office, &written, "xlsx", &out);
        let ods = libreoffice(&office, &written, "ods", &out);
        for file in [xlsx, ods] {
            let bytes = std::fs::read(&file).expect("read");
            let name = file
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            assert_eq!(
                canonical_digest(&back(&name, &bytes)),
                canonical_digest(&original),
                "{name}"
            );
        }
    }
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 8,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_generated_assessment_survives_the_workbook(seed in any::<u64>(), french in any::<bool>()) {
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).expect("date");
        let lang = if french { Lang::Fr } else { Lang::En };
        let doc = testing::assessment(pack(), &mut XorShift::new(seed), as_of);
        let bytes = workbook::write(pack(), &doc, lang).expect("workbook");
        let read = workbook::read("g.xlsx", &bytes, pack(), &Limits::default()).unwrap_or_else(|e| panic!("{e}"));
        prop_assert_eq!(canonical_digest(&read.json), canonical_digest(&doc));
    }

    #[test]
    fn a_skeleton_with_any_names_survives_the_workbook(
        types in proptest::sample::subsequence(ServiceType::ALL.to_vec(), 1..=4),
        vendor in proptest::collection::vec(any::<char>(), 0..24).prop_map(String::from_iter),
        service in proptest::collection::vec(any::<char>(), 0..24).prop_map(String::from_iter),
        french in any::<bool>(),
    ) {
        let lang = if french { Lang::Fr } else { Lang::En };
        let doc = skeleton(pack(), &types, &[], &vendor, &service, lang);
        let bytes = workbook::write(pack(), &doc, lang).expect("workbook");
        let read = workbook::read("s.xlsx", &bytes, pack(), &Limits::default()).unwrap_or_else(|e| panic!("{e}"));
        prop_assert_eq!(canonical_digest(&read.json), canonical_digest(&doc));
    }
}
