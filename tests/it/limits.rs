//! Every limit on an assessment (docs/assessment.md, "Limits"), just under and just over: under, the file loads;
//! over, it is an error that names the place and the limit, and the command exits 2.

use std::path::PathBuf;
use std::sync::OnceLock;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::{Value as Json, json};
use snc::assessment::limits::{Limits, MAX_DIAGNOSTICS};
use snc::assessment::{self, Assessment};
use snc::model::error::Error;
use snc::pack::Pack;

fn pack() -> &'static Pack {
    static PACK: OnceLock<Pack> = OnceLock::new();
    PACK.get_or_init(|| Pack::embedded().unwrap_or_else(|d| panic!("{d:#?}")))
}

fn doc(facts: Json, answers: Json) -> Json {
    let mut doc = json!({
        "format": "snc-assessment/1",
        "pack": "secnumcloud-3.2",
        "vendor": {"name": "Limits SAS"},
        "service": {"name": "Edge", "types": ["SaaS"]},
    });
    doc["facts"] = facts;
    doc["answers"] = answers;
    doc
}

fn parse(doc: &Json) -> Result<Assessment, Error> {
    assessment::parse("limits.json", doc.to_string().as_bytes(), pack())
}

/// The one error of a rejected document, as displayed.
fn rejected(result: Result<Assessment, Error>) -> String {
    match result {
        Ok(_) => panic!("accepted a document over a limit"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn file_size_at_the_limit_loads_and_one_byte_over_is_refused() {
    let bytes = doc(json!({}), json!({})).to_string().into_bytes();
    let at = Limits {
        max_bytes: bytes.len(),
        ..Limits::default()
    };
    assert!(assessment::parse_with("limits.json", &bytes, pack(), &at).is_ok());
    let under = Limits {
        max_bytes: bytes.len() - 1,
        ..Limits::default()
    };
    let err = rejected(assessment::parse_with(
        "limits.json",
        &bytes,
        pack(),
        &under,
    ));
    assert!(
        err.contains("limits.json: the file is larger than")
            && err.contains("SNC_MAX_ASSESSMENT_BYTES"),
        "{err}"
    );
}

#[test]
fn default_file_size_limit_is_16_mib() {
    assert_eq!(Limits::default().max_bytes, 16 * 1024 * 1024);
}

#[test]
fn nesting_at_the_limit_is_read_and_one_level_deeper_is_refused() {
    let limits = Limits::default();
    // The document is level 1 and `facts` level 2: the innermost array is at level `max_depth`.
    let nested = |levels: usize| {
        let mut value = json!(1);
        for _ in 0..levels {
            value = json!([value]);
        }
        doc(json!({"deep": value}), json!({}))
    };
    let at = rejected(parse(&nested(limits.max_depth - 2)));
    assert!(
        !at.contains("nested deeper") && at.contains("unknown property `deep`"),
        "{at}"
    );
    let over = rejected(parse(&nested(limits.max_depth - 1)));
    assert!(
        over.contains("limits.json:1:")
            && over.contains("nested deeper than 32 levels, the most snc reads"),
        "{over}"
    );
    // Far deeper than serde_json's own recursion limit: still this error, never a crash.
    let text = format!(
        "{{\"facts\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let err = rejected(assessment::parse("limits.json", text.as_bytes(), pack()));
    assert!(err.contains("nested deeper than 32 levels"), "{err}");
}

fn answers(count: usize) -> Json {
    // Ids the pack does not have are allowed (they are reported as unknown-requirement), so any count is possible.
    let map: serde_json::Map<String, Json> = (0..count)
        .map(|i| {
            (
                format!("{}.{}.a", 1 + i / 99, 1 + i % 99),
                json!({"status": "not_assessed"}),
            )
        })
        .collect();
    Json::Object(map)
}

#[test]
fn answers_at_the_limit_load_and_one_more_is_refused() {
    let max = Limits::default().max_answers;
    assert_eq!(max, 1_000);
    let a = parse(&doc(json!({}), answers(max))).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.answers.len() + a.unknown_answers.len(), max);
    let err = rejected(parse(&doc(json!({}), answers(max + 1))));
    assert!(
        err.contains("`answers` has 1001 entries; snc reads at most 1000")
            && err.contains("[at /answers]"),
        "{err}"
    );
}

fn with_evidence(count: usize) -> Json {
    let evidence: Vec<Json> = (0..count)
        .map(|i| json!({"title": format!("evidence {i}"), "date": "2026-01-01"}))
        .collect();
    doc(
        json!({}),
        json!({"5.2.a": {"status": "compliant", "evidence": evidence}}),
    )
}

#[test]
fn evidence_at_the_limit_loads_and_one_more_is_refused() {
    let max = Limits::default().max_evidence;
    assert_eq!(max, 100);
    assert!(parse(&with_evidence(max)).is_ok());
    let err = rejected(parse(&with_evidence(max + 1)));
    assert!(
        err.contains("this list has 101 evidence entries; snc reads at most 100")
            && err.contains("[at /answers/5.2.a/evidence]"),
        "{err}"
    );
}

#[test]
fn fact_lists_at_the_limit_load_and_one_more_item_is_refused() {
    let max = Limits::default().max_list_items;
    assert_eq!(max, 1_000);
    let locations = |n: usize| {
        doc(
            json!({"data": {"backup_locations": vec!["FR"; n]}}),
            json!({}),
        )
    };
    assert!(parse(&locations(max)).is_ok());
    let err = rejected(parse(&locations(max + 1)));
    assert!(
        err.contains("this list has 1001 items; snc reads at most 1000")
            && err.contains("[at /facts/data/backup_locations]"),
        "{err}"
    );
}

#[test]
fn built_on_layers_at_the_limit_load_and_one_more_is_refused() {
    let max = Limits::default().max_built_on;
    assert_eq!(max, 16);
    let layers = |n: usize| {
        let mut d = doc(json!({}), json!({}));
        d["service"]["built_on"] = json!(vec![json!({"layer": "IaaS", "provider": "Outscale"}); n]);
        d
    };
    assert!(parse(&layers(max)).is_ok());
    let err = rejected(parse(&layers(max + 1)));
    assert!(
        err.contains("this list has 17 layers; snc reads at most 16")
            && err.contains("[at /service/built_on]"),
        "{err}"
    );
}

/// The costliest check of the pack compares every layer's provider with every third party's name: with both
/// lists and every string at their limits, within 16 MiB, it must still finish promptly (about a second in a
/// release build; the bound here is loose so that a loaded CI machine never fails it, while a runaway would).
#[test]
fn the_costliest_check_at_every_limit_finishes() {
    let limits = Limits::default();
    // Near matches: every comparison and substring search runs the whole length.
    let name = "a".repeat(limits.max_string_chars);
    let provider = format!("{}b", "a".repeat(limits.max_string_chars - 1));
    let mut d = doc(
        json!({"third_parties": vec![json!({"name": name, "country": "FR"}); 1_000]}),
        json!({}),
    );
    d["service"]["built_on"] = json!(vec![
        json!({"layer": "IaaS", "provider": provider});
        limits.max_built_on
    ]);
    let bytes = d.to_string();
    assert!(bytes.len() <= limits.max_bytes, "{}", bytes.len());
    let a = assessment::parse("limits.json", bytes.as_bytes(), pack())
        .unwrap_or_else(|e| panic!("{e}"));
    let start = std::time::Instant::now();
    let evaluation = snc::engine::evaluate::evaluate(
        pack(),
        &a,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 28).expect("date"),
    );
    let checked = evaluation
        .results
        .iter()
        .find(|r| r.id.as_str() == "15.1.a")
        .expect("15.1.a");
    assert!(
        checked.applicable && !checked.has(snc::engine::result::Code::FactMissing),
        "{checked:?}"
    );
    assert!(start.elapsed().as_secs() < 60, "{:?}", start.elapsed());
}

#[test]
fn strings_at_the_limit_load_and_one_more_character_is_refused() {
    let max = Limits::default().max_string_chars;
    assert_eq!(max, 10_000);
    // Characters, not bytes: `é` is two bytes.
    let named = |n: usize| {
        let mut d = doc(json!({}), json!({}));
        d["vendor"]["name"] = json!("é".repeat(n));
        d
    };
    let a = parse(&named(max)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.vendor.chars().count(), max);
    let err = rejected(parse(&named(max + 1)));
    assert!(
        err.contains("limits.json:1:")
            && err.contains("this string has 10001 characters; snc reads at most 10000")
            && err.contains("[at /vendor/name]"),
        "{err}"
    );
    let keyed = doc(
        json!({}),
        json!({ "x".repeat(max + 1): {"status": "compliant"} }),
    );
    let err = rejected(parse(&keyed));
    assert!(err.contains("this key has 10001 characters"), "{err}");
}

#[test]
fn problems_past_the_200th_are_counted_not_listed() {
    let mut map = serde_json::Map::new();
    for i in 0..MAX_DIAGNOSTICS + 50 {
        map.insert(
            format!("{}.{}.b", 1 + i / 99, 1 + i % 99),
            json!({"status": "done"}),
        );
    }
    let err = rejected(parse(&doc(json!({}), Json::Object(map))));
    assert!(
        err.contains("more problems follow: only the first 200 are shown"),
        "{err}"
    );
    assert!(err.ends_with("201 errors"), "{}", &err[err.len() - 100..]);
}

#[test]
fn a_minified_file_with_many_answers_reports_the_lines_of_each() {
    // One line, 1,000 answers: each answer's line is found without rescanning the file.
    let a = parse(&doc(json!({}), answers(1_000))).unwrap_or_else(|e| panic!("{e}"));
    assert!(a.answer_lines.values().all(|&line| line == 1));
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn snc() -> Command {
    let mut cmd = Command::cargo_bin("snc").expect("binary");
    cmd.current_dir(root())
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("SNC_MAX_ASSESSMENT_BYTES")
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL");
    cmd
}

#[test]
fn snc_max_assessment_bytes_sets_the_size_limit_of_check_and_validate() {
    let file = "examples/saas-on-qualified-iaas.json";
    let size = std::fs::metadata(root().join(file)).expect("example").len();
    for command in ["check", "validate"] {
        snc()
            .env("SNC_MAX_ASSESSMENT_BYTES", size.to_string())
            .args([command, file])
            .env("SOURCE_DATE_EPOCH", "1795824000")
            .assert()
            .code(0);
        snc()
            .env("SNC_MAX_ASSESSMENT_BYTES", (size - 1).to_string())
            .args([command, file])
            .assert()
            .code(2)
            .stdout(predicate::str::is_empty())
            .stderr(predicate::str::contains(format!(
                "{file}: the file is larger than {} bytes",
                size - 1
            )));
    }
    snc()
        .env("SNC_MAX_ASSESSMENT_BYTES", "16MiB")
        .args(["check", file])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "SNC_MAX_ASSESSMENT_BYTES `16MiB` is not a number of bytes",
        ));
}

mod expressions {
    //! Limits on the pack's CEL expressions (docs/rule-format.md): the CEL parser and evaluator recurse, so length,
    //! bracket nesting and tree depth are bounded; each just under and just over.

    use snc::pack::cel::{MAX_EXPR_CHARS, MAX_EXPR_DEPTH, MAX_EXPR_NESTING, compile, tree_depth};

    #[test]
    fn length_at_the_limit_compiles_and_one_more_character_is_refused() {
        let padded = |n: usize| format!("'{}' != ''", "é".repeat(n - "'' != ''".len()));
        assert!(compile(&padded(MAX_EXPR_CHARS)).is_ok());
        let err = compile(&padded(MAX_EXPR_CHARS + 1)).expect_err("too long");
        assert!(
            err.contains("2001 characters; snc compiles at most 2000"),
            "{err}"
        );
    }

    #[test]
    fn bracket_nesting_at_the_limit_compiles_and_one_more_level_is_refused() {
        let nested = |n: usize| format!("{}true{}", "(".repeat(n), ")".repeat(n));
        assert!(compile(&nested(MAX_EXPR_NESTING)).is_ok());
        let err = compile(&nested(MAX_EXPR_NESTING + 1)).expect_err("too deep");
        assert!(err.contains("brackets nest 25 deep"), "{err}");
        assert!(
            compile(&format!("'{}' != ''", "(".repeat(100))).is_ok(),
            "brackets inside strings do not count"
        );
    }

    /// The kept attacks on the cost of a check (tests/fixtures/fuzz/expr/): each is refused at compile time, with
    /// the reason, instead of running for minutes or building gigabytes.
    #[test]
    fn costly_expressions_are_refused_before_they_run() {
        let fixture = |name: &str| {
            std::fs::read_to_string(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/fixtures/fuzz/expr")
                    .join(name),
            )
            .expect("fixture")
        };
        for (name, reason) in [
            (
                "nested-comprehensions-over-facts",
                "steps on an assessment within the input limits",
            ),
            (
                "string-doubling-chain",
                "bytes on an assessment within the input limits",
            ),
            (
                "unknown-function-in-dead-branch",
                "`contians` is not a function snc provides",
            ),
        ] {
            let err = compile(&fixture(name)).expect_err(name);
            assert!(err.contains(reason), "{name}: {err}");
        }
        // One level over a fact list, and a comparison of two short lists, stay well within.
        for fine in [
            "facts.third_parties.all(t, t.name != '')",
            "service.built_on.all(b, facts.third_parties.exists(t, same_name(t.name, b.provider)))",
            "['a', 'b'].all(x, ['c', 'd'].all(y, x != y))",
        ] {
            assert!(compile(fine).is_ok(), "{fine}");
        }
    }

    #[test]
    fn tree_depth_at_the_limit_compiles_and_one_more_level_is_refused() {
        // `1 + 1 + …` parses into a left spine: n additions make a tree n + 1 deep.
        let chain = |n: usize| format!("1{} > 0", " + 1".repeat(n));
        let program = compile(&chain(MAX_EXPR_DEPTH - 2)).expect("at the limit");
        assert_eq!(tree_depth(program.expression()), MAX_EXPR_DEPTH);
        let err = compile(&chain(MAX_EXPR_DEPTH - 1)).expect_err("too deep");
        assert!(err.contains("25 levels deep once parsed"), "{err}");
    }

    #[test]
    fn the_deepest_expression_allowed_runs_on_a_small_thread() {
        // Checks run on the caller's stack: at the limit, half the default 2 MiB of a thread is enough even in a
        // debug build.
        let program =
            compile(&format!("1{} > 0", " + 1".repeat(MAX_EXPR_DEPTH - 2))).expect("compiles");
        let outcome = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || {
                let (empty, constants) = (serde_json::json!({}), std::collections::BTreeMap::new());
                let bindings = snc::pack::cel::Bindings::new(
                    &empty,
                    &empty,
                    chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
                    &constants,
                );
                bindings.run(&program, &[])
            })
            .expect("thread")
            .join()
            .expect("no overflow");
        assert_eq!(outcome, snc::pack::cel::Outcome::Pass);
    }
}

#[test]
fn the_shipped_pack_is_well_within_the_expression_limits() {
    use snc::pack::cel::{MAX_EXPR_CHARS, MAX_EXPR_DEPTH, tree_depth};
    let programs = pack().requirements.iter().flat_map(|r| {
        r.checks
            .iter()
            .map(|c| (&c.expr, &c.program))
            .chain(r.applies_if.iter().map(|c| (&c.expr, &c.program)))
    });
    for (expr, program) in programs {
        assert!(expr.chars().count() <= MAX_EXPR_CHARS / 4, "{expr}");
        assert!(
            tree_depth(program.expression()) <= MAX_EXPR_DEPTH / 2,
            "{expr}"
        );
    }
}
