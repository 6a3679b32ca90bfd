//! Invariants of the shipped pack against the referential's item list.

use std::collections::BTreeSet;

use serde_json::Value;
use snc::model::{Kind, ServiceType};
use snc::pack::{Pack, PackSource};

fn pack() -> Pack {
    Pack::embedded().unwrap_or_else(|d| panic!("embedded pack invalid: {d:#?}"))
}

fn reference() -> Vec<Value> {
    let text = include_str!("../fixtures/reference-items.json");
    let doc: Value = serde_json::from_str(text).expect("reference fixture is JSON");
    doc["items"].as_array().expect("items").clone()
}

#[test]
fn pack_has_exactly_the_278_lettered_items_in_document_order() {
    let pack = pack();
    let ours: Vec<String> = pack.requirements.iter().map(|r| r.id.to_string()).collect();
    let theirs: Vec<String> = reference()
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(theirs.len(), 278);
    let missing: Vec<_> = theirs.iter().filter(|id| !ours.contains(id)).collect();
    let extra: Vec<_> = ours.iter().filter(|id| !theirs.contains(id)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}, extra {extra:?}"
    );
    assert_eq!(ours, theirs, "same ids, different order");
}

#[test]
fn kinds_match_the_referential_261_requirements_17_recommendations() {
    let pack = pack();
    for item in reference() {
        let id = item["id"].as_str().expect("id");
        let r = pack
            .requirement(&id.parse().expect("valid id"))
            .expect("present");
        assert_eq!(
            r.kind.as_str(),
            item["kind"].as_str().expect("kind"),
            "kind of {id}"
        );
    }
    let recommendations = pack
        .requirements
        .iter()
        .filter(|r| r.kind == Kind::Recommendation)
        .count();
    assert_eq!(recommendations, 17);
}

#[test]
fn service_type_applicability_matches_the_referential() {
    let pack = pack();
    for item in reference() {
        let id = item["id"].as_str().expect("id");
        let r = pack
            .requirement(&id.parse().expect("valid id"))
            .expect("present");
        let expected: BTreeSet<String> = match &item["applies_to"] {
            Value::String(s) if s == "all" => {
                ServiceType::ALL.iter().map(ToString::to_string).collect()
            }
            Value::Array(list) => list
                .iter()
                .map(|v| v.as_str().expect("type").to_owned())
                .collect(),
            other => panic!("{id}: unexpected applies_to {other}"),
        };
        let ours: BTreeSet<String> = if r.applies_to.is_empty() {
            ServiceType::ALL.iter().map(ToString::to_string).collect()
        } else {
            r.applies_to.iter().map(ToString::to_string).collect()
        };
        assert_eq!(ours, expected, "applies-to of {id}");
    }
    for (id, layer) in [
        ("9.6.i", ServiceType::IaaS),
        ("9.6.j", ServiceType::CaaS),
        ("9.6.k", ServiceType::PaaS),
    ] {
        let r = pack
            .requirement(&id.parse().expect("valid id"))
            .expect("present");
        assert_eq!(r.built_on, vec![layer], "built-on of {id}");
    }
}

#[test]
fn every_text_exists_in_both_languages_and_french_is_not_a_copy() {
    for r in &pack().requirements {
        for (what, t) in [
            ("title", &r.title),
            ("question", &r.question),
            ("guidance", &r.guidance),
        ] {
            assert!(
                !t.en.trim().is_empty() && !t.fr.trim().is_empty(),
                "{} {what} is empty in a language",
                r.id
            );
            if what != "title" {
                assert_ne!(t.en, t.fr, "{} {what}: French is a copy of English", r.id);
            }
        }
        for c in &r.checks {
            assert!(
                !c.message.en.is_empty()
                    && !c.message.fr.is_empty()
                    && c.message.en != c.message.fr,
                "{} message",
                r.id
            );
        }
    }
}

#[test]
fn every_fact_checked_item_has_examples_that_behave_as_named() {
    let pack = Pack::load_with_examples(&snc::pack::PackSource::Embedded)
        .unwrap_or_else(|d| panic!("embedded pack invalid: {d:#?}"));
    assert!(pack.run_examples().is_empty(), "{:#?}", pack.run_examples());
    let checked: Vec<_> = pack
        .requirements
        .iter()
        .filter(|r| !r.checks.is_empty())
        .collect();
    assert!(
        checked.len() >= 36,
        "only {} fact-checked items",
        checked.len()
    );
    for r in checked {
        assert!(
            r.examples
                .iter()
                .any(|e| e.expect == snc::pack::Expect::Pass),
            "{} has no passing example",
            r.id
        );
        assert!(
            r.examples
                .iter()
                .any(|e| e.expect == snc::pack::Expect::Fail),
            "{} has no failing example",
            r.id
        );
    }
}

#[test]
fn the_shipped_pack_lints_clean_from_its_folder() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/secnumcloud-3.2");
    let problems = snc::pack::lint::lint(&PackSource::Dir(dir.clone()));
    assert!(problems.is_empty(), "{problems:#?}");
    let from_dir = Pack::load(&PackSource::Dir(dir)).expect("loads");
    assert_eq!(
        from_dir.digest,
        pack().digest,
        "embedded and on-disk packs differ"
    );
}

#[test]
fn structural_items_are_critical_and_never_inheritable() {
    let pack = pack();
    for id in [
        "19.1.c", "19.2.b", "19.2.c", "19.2.d", "19.6.a", "19.6.b", "19.6.c", "19.6.d",
    ] {
        let r = pack
            .requirement(&id.parse().expect("valid id"))
            .expect("present");
        assert_eq!(r.severity, snc::model::Severity::Critical, "{id}");
    }
    for r in pack
        .requirements
        .iter()
        .filter(|r| r.id.section().starts_with("19."))
    {
        assert!(!r.inheritable, "{} must not be inheritable", r.id);
    }
    assert!(
        pack.requirements
            .iter()
            .filter(|r| r.chapter == "11")
            .any(|r| r.inheritable)
    );
}

#[test]
fn recommendations_are_low_severity() {
    for r in pack()
        .requirements
        .iter()
        .filter(|r| r.kind == Kind::Recommendation)
    {
        assert_eq!(r.severity, snc::model::Severity::Low, "{}", r.id);
    }
}

/// The engine parses checks with the CEL crate's Pratt parser; its default ANTLR parser is the reference. Both
/// must give the same syntax tree, node ids included, for every expression of the shipped pack.
#[test]
fn both_cel_parsers_give_the_same_tree_for_every_expression() {
    let pack = pack();
    let expressions: Vec<(String, String, snc::pack::cel::Program)> = pack
        .requirements
        .iter()
        .flat_map(|r| {
            let checks = r.checks.iter().map(|c| (&c.expr, &c.program));
            let condition = r.applies_if.iter().map(|c| (&c.expr, &c.program));
            checks
                .chain(condition)
                .map(|(expr, program)| (r.id.to_string(), expr.clone(), program.clone()))
        })
        .collect();
    assert!(expressions.len() > 100, "the pack has its checks");
    // The ANTLR parser recurses deeply: give it room, as the engine once did.
    let differing = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            expressions
                .into_iter()
                .filter(|(_, expr, program)| {
                    snc::pack::cel::reference_tree(expr).as_ref() != Ok(program.expression())
                })
                .map(|(id, expr, _)| format!("{id}: {expr}"))
                .collect::<Vec<_>>()
        })
        .expect("thread")
        .join()
        .expect("no panic");
    assert!(differing.is_empty(), "parsers differ on {differing:#?}");
}

#[test]
fn every_shipped_check_is_well_within_the_cost_budget() {
    use snc::pack::cost::{MAX_CHECK_BYTES, MAX_CHECK_STEPS, estimate};
    let pack = pack();
    let mut costs: Vec<(u64, u64, String)> = pack
        .requirements
        .iter()
        .flat_map(|r| r.checks.iter().map(move |c| (r, c)))
        .map(|(r, c)| {
            let cost = estimate(c.program.expression(), &pack.constants);
            (cost.steps, cost.bytes, format!("{}: {}", r.id, c.expr))
        })
        .collect();
    costs.sort();
    let (steps, bytes, worst) = costs.last().expect("the pack has checks");
    // Half the budget at most: a pack author has room to write a check like the shipped ones.
    assert!(*steps <= MAX_CHECK_STEPS / 2, "{worst}: {steps} steps");
    assert!(*bytes <= MAX_CHECK_BYTES / 2, "{worst}: {bytes} bytes");
}
