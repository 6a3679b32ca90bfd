//! Properties over synthetic assessments (`snc::testing`, on the shipped pack): improving one answer never lowers a
//! score; evaluation and rendering are deterministic; every JSON report follows its schema; whatever `snc init`
//! writes, filled with valid values, validates and evaluates. 64 cases each, so that `cargo test` stays fast.

use std::sync::OnceLock;

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Value as Json, json};
use snc::assessment::skeleton::skeleton;
use snc::assessment::{self, Assessment};
use snc::engine::evaluate::evaluate;
use snc::engine::gate::policy::Policy;
use snc::engine::result::Evaluation;
use snc::engine::score::{Score, score};
use snc::engine::{RunInputs, run};
use snc::model::{Lang, ServiceType};
use snc::pack::Pack;
use snc::report::{Report, render_text};
use snc::testing::{self, XorShift};

fn pack() -> &'static Pack {
    static PACK: OnceLock<Pack> = OnceLock::new();
    PACK.get_or_init(|| Pack::embedded().unwrap_or_else(|d| panic!("{d:#?}")))
}

fn report_validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let schema: Json =
            serde_json::from_str(snc::pack::schema::REPORT_SCHEMA).expect("schema JSON");
        jsonschema::draft202012::new(&schema).expect("report schema compiles")
    })
}

fn as_of(shift: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 1)
        .and_then(|d| d.checked_add_days(Days::new(u64::from(shift))))
        .expect("date")
}

fn parse(doc: &Json) -> Assessment {
    let bytes = serde_json::to_vec_pretty(doc).expect("json");
    assessment::parse("synthetic.json", &bytes, pack()).unwrap_or_else(|e| panic!("{e}\n{doc:#}"))
}

/// The report of `a`, through the whole pipeline; `evaluation` must be `a`'s, as the callers compare it.
fn report(a: &Assessment, evaluation: &Evaluation, as_of: NaiveDate, lang: Lang) -> Report {
    let policy = Policy::default();
    let inputs = RunInputs {
        as_of,
        policy: &policy,
        baseline: None,
        review: None,
    };
    let outcome = run(pack(), a.clone(), &inputs).expect("no reviewer file, no error");
    assert_eq!(&outcome.evaluation, evaluation);
    Report::build(&outcome, lang)
}

fn scores(doc: &Json, as_of: NaiveDate) -> Score {
    let evaluation = evaluate(pack(), &parse(doc), as_of);
    score(pack(), &evaluation.results)
}

/// The statuses an answer may move to that are better for the vendor: from an open item to any claim (justified
/// where a claim needs it), and from partially compliant to compliant. Moving a met item to `not_applicable` is
/// not an improvement: it takes its points out of the score.
fn improvements(status: &str) -> &'static [&'static str] {
    match status {
        "not_assessed" => &[
            "non_compliant",
            "partially_compliant",
            "compliant",
            "inherited",
            "not_applicable",
        ],
        "non_compliant" => &[
            "partially_compliant",
            "compliant",
            "inherited",
            "not_applicable",
        ],
        "partially_compliant" => &["compliant"],
        _ => &[],
    }
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 64,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn improving_one_answer_never_lowers_a_score(
        seed in any::<u64>(),
        shift in 0_u32..1000,
        which in any::<Index>(),
        to in any::<Index>(),
        fresh_evidence in any::<bool>(),
    ) {
        let as_of = as_of(shift);
        let before = testing::assessment(pack(), &mut XorShift::new(seed), as_of);
        let ids: Vec<String> = before["answers"]
            .as_object()
            .expect("answers")
            .keys()
            .filter(|id| id.parse().ok().and_then(|id| pack().requirement(&id)).is_some())
            .cloned()
            .collect();
        let id = which.get(&ids).clone();
        let mut after = before.clone();
        let answer = &mut after["answers"][&id];
        let status = answer["status"].as_str().expect("status").to_owned();
        if let Some(next) = improvements(&status).get(to.index(improvements(&status).len().max(1))) {
            answer["status"] = json!(next);
            if matches!(*next, "inherited" | "not_applicable") {
                answer["justification"] = json!("carried by the qualified provider");
            }
        }
        if fresh_evidence && matches!(answer["status"].as_str(), Some("compliant" | "partially_compliant")) {
            let mut evidence = answer["evidence"].as_array().cloned().unwrap_or_default();
            evidence.push(json!({"title": "fresh review", "date": as_of.to_string()}));
            answer["evidence"] = Json::Array(evidence);
        }
        let (old, new) = (scores(&before, as_of), scores(&after, as_of));
        prop_assert!(new.overall >= old.overall, "{id}: {status} → {}: overall {} → {}", after["answers"][&id], old.overall, new.overall);
        for chapter in &old.chapters {
            if let Some(now) = new.chapters.iter().find(|c| c.chapter == chapter.chapter) {
                prop_assert!(now.score >= chapter.score, "{id}: chapter {} {} → {}", chapter.chapter, chapter.score, now.score);
            }
        }
    }

    #[test]
    fn evaluation_and_rendering_are_deterministic(seed in any::<u64>(), shift in 0_u32..1000, french in any::<bool>()) {
        let as_of = as_of(shift);
        let lang = if french { Lang::Fr } else { Lang::En };
        let doc = testing::assessment(pack(), &mut XorShift::new(seed), as_of);
        prop_assert_eq!(&doc, &testing::assessment(pack(), &mut XorShift::new(seed), as_of));
        let (a, b) = (parse(&doc), parse(&doc));
        prop_assert_eq!(&a.digest, &b.digest);
        let (ea, eb) = (evaluate(pack(), &a, as_of), evaluate(pack(), &b, as_of));
        prop_assert_eq!(&ea, &eb);
        let (ra, rb) = (report(&a, &ea, as_of, lang), report(&b, &eb, as_of, lang));
        prop_assert_eq!(ra.to_json(), rb.to_json());
        prop_assert_eq!(render_text(&ra, false), render_text(&rb, false));
    }

    #[test]
    fn every_json_report_follows_the_report_schema(seed in any::<u64>(), shift in 0_u32..1000, french in any::<bool>()) {
        let as_of = as_of(shift);
        let lang = if french { Lang::Fr } else { Lang::En };
        let a = parse(&testing::assessment(pack(), &mut XorShift::new(seed), as_of));
        let json: Json = serde_json::from_str(&report(&a, &evaluate(pack(), &a, as_of), as_of, lang).to_json()).expect("JSON");
        let errors: Vec<String> = report_validator()
            .iter_errors(&json)
            .map(|e| format!("{} {e}", e.instance_path()))
            .collect();
        prop_assert!(errors.is_empty(), "{:?}", errors);
    }

    #[test]
    fn an_init_skeleton_filled_with_valid_values_validates_and_evaluates(
        types in proptest::sample::subsequence(ServiceType::ALL.to_vec(), 1..=4),
        layers in proptest::sample::subsequence(vec![ServiceType::IaaS, ServiceType::CaaS, ServiceType::PaaS], 0..=3),
        vendor in proptest::collection::vec(any::<char>(), 0..24).prop_map(String::from_iter),
        service in proptest::collection::vec(any::<char>(), 0..24).prop_map(String::from_iter),
        french in any::<bool>(),
        filled in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let as_of = as_of(500);
        let lang = if french { Lang::Fr } else { Lang::En };
        let mut doc = skeleton(pack(), &types, &layers, &vendor, &service, lang);
        if filled {
            testing::fill(pack(), &mut doc, &mut XorShift::new(seed), as_of);
        }
        let a = parse(&doc);
        let evaluation = evaluate(pack(), &a, as_of);
        prop_assert_eq!(evaluation.results.len(), pack().requirements.len());
        prop_assert_eq!(a.vendor, vendor);
        let expected = doc["answers"].as_object().expect("answers").keys().filter(|k| *k != "99.9.z").count();
        prop_assert_eq!(a.answers.len(), expected);
    }
}
