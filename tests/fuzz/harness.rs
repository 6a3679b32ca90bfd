//! What each fuzz target does with one input, shared by the targets (`fuzz/fuzz_targets/*.rs`) and by the replay
//! of kept crash inputs (`tests/it/fuzz_regressions.rs`), so that a regression test runs exactly what found the
//! crash. See docs/fuzzing.md. Every function panics only where the library broke a promise.

#![allow(
    dead_code,
    reason = "each fuzz target uses one of these functions; the regression tests use them all"
)]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::{Days, NaiveDate};
use serde_json::{Value as Json, json};
use snc::model::Lang;
use snc::pack::cel::Bindings;
use snc::pack::{Pack, PackSource};
use snc::testing::{self, Bytes, Entropy};

fn pack() -> &'static Pack {
    static PACK: OnceLock<Pack> = OnceLock::new();
    PACK.get_or_init(|| Pack::embedded().expect("embedded pack"))
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// Evaluates, scores and renders a loaded assessment in both languages; the JSON must parse back.
fn evaluate_and_render(a: &snc::assessment::Assessment, as_of: NaiveDate) {
    let policy = snc::engine::gate::policy::Policy::default();
    let inputs = snc::engine::RunInputs {
        as_of,
        policy: &policy,
        baseline: None,
        review: None,
    };
    let outcome = snc::engine::run(pack(), a.clone(), &inputs).expect("no reviewer file, no error");
    let renderer = snc::report::Renderer::new(pack(), None);
    for lang in [Lang::En, Lang::Fr] {
        let report = snc::report::Report::build(&outcome, lang);
        for format in [
            snc::report::Format::Text,
            snc::report::Format::Markdown,
            snc::report::Format::Html,
            snc::report::Format::Junit,
            snc::report::Format::Sarif,
            snc::report::Format::Csv,
            snc::report::Format::Github,
        ] {
            renderer
                .render(&report, format, true)
                .expect("the shipped templates render any report");
        }
        let json = report.to_json();
        serde_json::from_str::<Json>(&json).expect("the JSON report parses");
    }
}

/// `assessment`: any bytes as an assessment file, with the embedded pack.
pub fn assessment(data: &[u8]) {
    match snc::assessment::parse("fuzz.json", data, pack()) {
        Ok(a) => evaluate_and_render(&a, date(2026, 11, 28)),
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

/// A pack's files by name, and the name of its one chapter file.
type SmallPack = (BTreeMap<String, Vec<u8>>, String);

/// One small pack per chapter of the embedded pack.
fn small_packs() -> &'static [SmallPack] {
    static PACKS: OnceLock<Vec<SmallPack>> = OnceLock::new();
    PACKS.get_or_init(|| {
        let all = PackSource::embedded_files();
        let header: toml::Table =
            toml::from_str(std::str::from_utf8(&all["pack.toml"]).expect("UTF-8"))
                .expect("pack.toml parses");
        let chapters = header["chapter"].as_array().expect("chapters").clone();
        chapters
            .into_iter()
            .map(|chapter| {
                let file = chapter["file"].as_str().expect("file name").to_owned();
                let mut small = header.clone();
                small.insert("chapter".to_owned(), toml::Value::Array(vec![chapter]));
                let mut files = BTreeMap::new();
                files.insert(
                    "pack.toml".to_owned(),
                    toml::to_string(&small).expect("serializes").into_bytes(),
                );
                files.insert("facts.toml".to_owned(), all["facts.toml"].clone());
                files.insert(file.clone(), all[&file].clone());
                (files, file)
            })
            .collect()
    })
}

/// `pack`: the first byte picks a chapter and the file replaced (its chapter file below the chapter count,
/// `facts.toml` at it, `pack.toml` above it); the rest is that file's content. The pack is linted; a valid one is
/// documented, its schema compiled, and a synthetic assessment of it validated and evaluated.
pub fn pack_files(data: &[u8]) {
    let Some((&selector, content)) = data.split_first() else {
        return;
    };
    let packs = small_packs();
    let selector = usize::from(selector);
    let (files, chapter) = &packs[selector % packs.len()];
    let replaced = match selector.checked_sub(packs.len()) {
        None => chapter.as_str(),
        Some(0) => "facts.toml",
        Some(_) => "pack.toml",
    };
    let mut files = files.clone();
    files.insert(replaced.to_owned(), content.to_vec());
    let source = PackSource::Memory(files);
    // What `snc rules lint` does: load, run the examples, check their facts against the schema.
    let problems = snc::pack::lint::lint(&source);
    for d in &problems {
        let _ = d.to_string();
    }
    if !problems.is_empty() {
        return;
    }
    // A valid pack: everything built from it must work too.
    let pack = Pack::load(&source).expect("a pack the linter accepts loads");
    let _ = snc::pack::docs::rules_markdown(&pack);
    let _ = snc::pack::docs::facts_markdown(&pack);
    pack.assessment_validator()
        .expect("the assessment schema of a valid pack compiles");
    let as_of = date(2026, 11, 28);
    let doc = testing::assessment(
        &pack,
        &mut testing::XorShift::new(u64::try_from(content.len()).unwrap_or(0)),
        as_of,
    );
    let bytes = serde_json::to_vec(&doc).expect("serializes");
    match snc::assessment::parse("fuzz.json", &bytes, &pack) {
        Ok(a) => {
            let _ = snc::engine::evaluate::evaluate(&pack, &a, as_of);
        }
        Err(e) => panic!("a synthetic assessment of a valid pack must be valid: {e}"),
    }
}

/// `cel`: every check and condition of the embedded pack over arbitrary JSON facts. An object with a `facts`
/// member gives its `facts`, `service` and `as_of`; any other JSON value is the facts.
pub fn cel(data: &[u8]) {
    let Ok(input) = serde_json::from_slice::<Json>(data) else {
        return;
    };
    let facts = input.get("facts").unwrap_or(&input);
    let service = input
        .get("service")
        .cloned()
        .unwrap_or_else(|| json!({"types": ["SaaS"], "built_on": []}));
    let as_of = input
        .get("as_of")
        .and_then(Json::as_str)
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .unwrap_or_else(|| date(2026, 11, 28));
    let bindings = Bindings::new(facts, &service, as_of, &pack().constants);
    for requirement in &pack().requirements {
        if let Some(condition) = &requirement.applies_if {
            let _ = bindings.run(&condition.program, &condition.facts);
        }
        for check in &requirement.checks {
            let _ = bindings.run(&check.program, &check.facts);
            for path in &check.facts {
                let _ = bindings.fact(path);
            }
        }
    }
}

/// `expr`: any text, as a check expression. It compiles or is refused with a message; what compiles runs on the
/// facts of the shipped example (and on none), passing, failing or missing, without a panic or a stack overflow.
pub fn expr(data: &[u8]) {
    static FACTS: OnceLock<Json> = OnceLock::new();
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let program = match snc::pack::cel::compile(text) {
        Ok(program) => program,
        Err(message) => {
            assert!(!message.is_empty(), "a refused expression says why");
            return;
        }
    };
    let facts = FACTS.get_or_init(|| {
        let example: Json =
            serde_json::from_str(include_str!("../../examples/saas-on-qualified-iaas.json"))
                .expect("example JSON");
        example["facts"].clone()
    });
    let service = json!({"types": ["SaaS"], "built_on": ["IaaS"]});
    for facts in [facts, &json!({})] {
        let bindings = Bindings::new(facts, &service, date(2026, 11, 28), &pack().constants);
        let _ = bindings.run(&program, &["data.customer_data_locations".to_owned()]);
    }
}

/// `report`: a synthetic assessment drawn from the bytes must validate, then evaluates and renders.
pub fn report(data: &[u8]) {
    let mut entropy = Bytes::new(data);
    let as_of = date(2024, 1, 1)
        .checked_add_days(Days::new(entropy.below(2000)))
        .expect("date");
    let doc = testing::assessment(pack(), &mut entropy, as_of);
    let bytes = serde_json::to_vec(&doc).expect("serializes");
    let a = snc::assessment::parse("fuzz.json", &bytes, pack())
        .unwrap_or_else(|e| panic!("a synthetic assessment must be valid: {e}"));
    evaluate_and_render(&a, as_of);
}
