//! Evaluation, scoring, readiness and gate, end to end through the library on the shipped pack.
#![expect(
    clippy::needless_pass_by_value,
    reason = "fixtures read better built inline as owned json! values"
)]

use chrono::NaiveDate;
use serde_json::{Value, json};
use snc::assessment::{self, Assessment};
use snc::engine::evaluate::evaluate;
use snc::engine::gate::gate;
use snc::engine::gate::policy::Policy;
use snc::engine::result::{Code, Evaluation, RequirementResult};
use snc::engine::score::{PerMille, Readiness, readiness, score};
use snc::model::{Severity, Status};
use snc::pack::Pack;

fn pack() -> &'static Pack {
    static PACK: std::sync::OnceLock<Pack> = std::sync::OnceLock::new();
    PACK.get_or_init(|| Pack::embedded().unwrap_or_else(|d| panic!("{d:#?}")))
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

fn assessment(facts: Value, answers: Value) -> Assessment {
    let doc = json!({
        "format": "snc-assessment/1",
        "pack": "secnumcloud-3.2",
        "vendor": {"name": "Test SAS"},
        "service": {"name": "Test", "types": ["SaaS"], "built_on": [
            {"layer": "IaaS", "provider": "Qualified Cloud", "secnumcloud_qualified": true, "qualification_valid_until": "2027-06-30"}
        ]},
        "facts": facts,
        "answers": answers,
    });
    assessment::parse("test.json", doc.to_string().as_bytes(), pack())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn run(facts: Value, answers: Value) -> Evaluation {
    evaluate(pack(), &assessment(facts, answers), date("2026-11-28"))
}

fn result<'a>(e: &'a Evaluation, id: &str) -> &'a RequirementResult {
    e.results
        .iter()
        .find(|r| r.id.as_str() == id)
        .unwrap_or_else(|| panic!("no result for {id}"))
}

fn holders(list: Value) -> Value {
    json!({"company": {"shareholders": list}})
}

fn holder(country: &str, capital: f64, voting: f64) -> Value {
    json!({"name": format!("{country} holder"), "country": country, "capital_pct": capital, "voting_pct": voting,
           "veto_rights": false, "can_appoint_board_majority": false})
}

#[test]
fn single_non_eu_holder_at_exactly_24_percent_passes_19_6_b() {
    let e = run(
        holders(json!([holder("US", 24.0, 24.0), holder("FR", 76.0, 76.0)])),
        json!({}),
    );
    assert!(
        !result(&e, "19.6.b").has(Code::FactCheckFailed),
        "{:?}",
        result(&e, "19.6.b").findings
    );
}

#[test]
fn single_non_eu_holder_at_24_01_percent_fails_19_6_b() {
    let e = run(
        holders(json!([
            holder("US", 24.01, 10.0),
            holder("FR", 75.99, 90.0)
        ])),
        json!({"19.6.b": {"status": "compliant", "evidence": [{"title": "cap table"}]}}),
    );
    let r = result(&e, "19.6.b");
    assert_eq!(r.verdict, Status::NonCompliant);
    assert!(
        r.has(Code::FactCheckFailed) && r.has(Code::DeclarationContradicted),
        "{:?}",
        r.findings
    );
}

#[test]
fn non_eu_holders_together_at_39_percent_pass_and_above_fail_19_6_b() {
    let ok = run(
        holders(json!([
            holder("US", 13.1, 13.1),
            holder("GB", 12.9, 12.9),
            holder("CH", 13.0, 13.0),
            holder("FR", 61.0, 61.0)
        ])),
        json!({}),
    );
    assert!(
        !result(&ok, "19.6.b").has(Code::FactCheckFailed),
        "{:?}",
        result(&ok, "19.6.b").findings
    );
    let ko = run(
        holders(json!([
            holder("US", 20.0, 20.0),
            holder("GB", 19.01, 19.01),
            holder("FR", 60.99, 60.99)
        ])),
        json!({}),
    );
    assert!(result(&ko, "19.6.b").has(Code::FactCheckFailed));
}

#[test]
fn norway_counts_as_non_eu_for_data_location() {
    let e = run(
        json!({"data": {"customer_data_locations": ["FR", "NO"]}}),
        json!({}),
    );
    assert!(result(&e, "19.2.b").has(Code::FactCheckFailed));
    let e = run(
        json!({"data": {"customer_data_locations": ["FR", "DE"]}}),
        json!({}),
    );
    assert!(!result(&e, "19.2.b").has(Code::FactCheckFailed));
}

#[test]
fn critical_fact_failure_makes_the_vendor_ineligible_and_fails_the_default_gate() {
    let e = run(
        json!({"company": {"registered_office_country": "US", "central_administration_country": "US", "principal_establishment_country": "US"}}),
        json!({}),
    );
    let s = score(pack(), &e.results);
    let (level, next) = readiness(pack(), &e.results);
    assert_eq!(level, Readiness::Ineligible);
    let next = next.expect("a next level");
    assert_eq!(next.level, Readiness::NotReady);
    assert_eq!(
        next.missing
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["19.6.a"]
    );
    let g = gate(&Policy::default(), &e.results, &s, None);
    assert!(!g.passed);
    assert!(g.reasons[0].en.contains("19.6.a"), "{:?}", g.reasons);
}

#[test]
fn unknown_fact_is_fact_missing_never_a_pass() {
    let e = run(
        json!({"logging": {"retention_days": null}}),
        json!({"12.6.c": {"status": "compliant", "evidence": [{"title": "SIEM config"}]}}),
    );
    let r = result(&e, "12.6.c");
    assert!(r.has(Code::FactMissing), "{:?}", r.findings);
    assert!(!r.has(Code::FactCheckFailed));
}

#[test]
fn log_retention_below_six_months_contradicts_a_compliant_declaration() {
    let e = run(
        json!({"logging": {"retention_days": 90}}),
        json!({"12.6.c": {"status": "compliant", "evidence": [{"title": "SIEM config", "date": "2026-10-01"}]}}),
    );
    let r = result(&e, "12.6.c");
    assert_eq!(r.verdict, Status::NonCompliant);
    assert!(r.has(Code::DeclarationContradicted));
}

#[test]
fn inheritance_needs_an_inheritable_item_and_a_valid_qualification() {
    let sensitive = pack()
        .requirements
        .iter()
        .find(|r| r.inheritable && r.checks.is_empty())
        .expect("an inheritable item without checks");
    let id = sensitive.id.to_string();
    let e = run(
        json!({}),
        json!({ id.clone(): {"status": "inherited", "justification": "datacentre of the IaaS"} }),
    );
    assert_eq!(result(&e, &id).verdict, Status::Inherited);
    assert_eq!(
        result(&e, &id).inherited_from.as_deref(),
        Some("Qualified Cloud")
    );

    let expired = evaluate(
        pack(),
        &assessment(
            json!({}),
            json!({ id.clone(): {"status": "inherited", "justification": "x"} }),
        ),
        date("2027-07-01"),
    );
    assert_eq!(result(&expired, &id).verdict, Status::NonCompliant);
    assert!(result(&expired, &id).has(Code::InheritanceInvalid));

    let e = run(
        json!({}),
        json!({"19.6.e": {"status": "inherited", "justification": "x"}}),
    );
    assert!(result(&e, "19.6.e").has(Code::InheritanceInvalid));
    assert_eq!(result(&e, "19.6.e").verdict, Status::NonCompliant);
}

#[test]
fn compliant_without_evidence_is_capped_at_partially_compliant() {
    let e = run(json!({}), json!({"5.2.a": {"status": "compliant"}}));
    let r = result(&e, "5.2.a");
    assert_eq!(r.verdict, Status::PartiallyCompliant);
    assert!(r.has(Code::EvidenceMissing));
}

#[test]
fn evidence_older_than_each_max_age_is_stale_and_fresh_evidence_is_not() {
    // Every max-age-months value the pack uses, on the item that uses it.
    let mut seen = std::collections::BTreeSet::new();
    for r in pack()
        .requirements
        .iter()
        .filter(|r| r.max_age_months.is_some())
    {
        let months = r.max_age_months.expect("filtered");
        if !seen.insert(months) {
            continue;
        }
        let limit = date("2026-11-28")
            .checked_sub_months(chrono::Months::new(months))
            .expect("date");
        let stale_day = limit.pred_opt().expect("date").to_string();
        let id = r.id.to_string();
        let answers = |d: &str| json!({ id.clone(): {"status": "compliant", "evidence": [{"title": "record", "date": d}]} });
        let fresh = run(json!({}), answers(&limit.to_string()));
        assert!(
            !result(&fresh, &id).has(Code::EvidenceStale),
            "{id}: evidence of {limit} should be fresh"
        );
        let stale = run(json!({}), answers(&stale_day));
        assert!(
            result(&stale, &id).has(Code::EvidenceStale),
            "{id}: evidence of {stale_day} should be stale ({months} months)"
        );
        assert_ne!(result(&stale, &id).verdict, Status::Compliant);
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), vec![1, 3, 12]);
}

#[test]
fn not_applicable_needs_a_justification() {
    let e = run(
        json!({}),
        json!({"5.2.a": {"status": "not_applicable"}, "5.2.b": {"status": "not_applicable", "justification": "no such data"}}),
    );
    assert_eq!(result(&e, "5.2.a").verdict, Status::NotAssessed);
    assert!(result(&e, "5.2.a").has(Code::JustificationMissing));
    assert_eq!(result(&e, "5.2.b").verdict, Status::NotApplicable);
}

#[test]
fn overdue_target_date_is_flagged_on_open_items_only() {
    let e = run(
        json!({}),
        json!({"5.2.a": {"status": "non_compliant", "target_date": "2026-11-27"}, "5.2.b": {"status": "non_compliant", "target_date": "2026-11-28"}}),
    );
    assert!(result(&e, "5.2.a").has(Code::TargetDateOverdue));
    assert!(!result(&e, "5.2.b").has(Code::TargetDateOverdue));
}

#[test]
fn answers_for_unknown_requirements_are_reported_with_their_line() {
    let e = run(json!({}), json!({"19.7.a": {"status": "compliant"}}));
    assert_eq!(e.findings.len(), 1);
    assert_eq!(e.findings[0].code, Code::UnknownRequirement);
    assert!(e.findings[0].message.en.contains("19.7.a"));
}

#[test]
fn service_type_restrictions_make_items_not_applicable() {
    let e = run(json!({}), json!({}));
    assert!(!result(&e, "12.2.c").applicable, "12.2.c is PaaS only");
    assert!(result(&e, "9.5.c").applicable, "9.5.c applies to SaaS");
    assert!(result(&e, "9.6.i").applicable, "9.6.i applies on an IaaS");
    assert!(!result(&e, "9.6.j").applicable, "9.6.j needs a CaaS layer");
}

#[test]
fn score_is_severity_weighted_with_half_points_for_partial() {
    let p = pack();
    let mut e = run(json!({}), json!({}));
    for r in &mut e.results {
        r.verdict = if r.applicable {
            Status::Compliant
        } else {
            Status::NotApplicable
        };
    }
    assert_eq!(score(p, &e.results).overall, PerMille(1000));
    let total_weight: u32 = e
        .results
        .iter()
        .filter(|r| r.is_gap() || (r.applicable && r.kind == snc::model::Kind::Requirement))
        .map(|r| p.weights.of(r.severity))
        .sum();
    let one = e
        .results
        .iter_mut()
        .find(|r| r.applicable && r.severity == Severity::Critical)
        .expect("a critical item");
    one.verdict = Status::PartiallyCompliant;
    let expected =
        1000 - (u64::from(p.weights.critical) * 1000).div_ceil(2 * u64::from(total_weight));
    let got = u64::from(score(p, &e.results).overall.0);
    assert!(
        got == expected || got + 1 == expected,
        "got {got}, expected about {expected}"
    );
}

#[test]
fn improving_an_answer_never_lowers_the_score() {
    let base = run(
        json!({}),
        json!({"5.2.a": {"status": "partially_compliant"}}),
    );
    let better = run(
        json!({}),
        json!({"5.2.a": {"status": "compliant", "evidence": [{"title": "PSSI"}]}}),
    );
    assert!(score(pack(), &better.results).overall > score(pack(), &base.results).overall);
}

#[test]
fn min_score_and_fail_on_raise_the_bar() {
    let e = run(json!({}), json!({}));
    let s = score(pack(), &e.results);
    let lenient = Policy {
        fail_on: None,
        min_score: None,
        ..Policy::default()
    };
    assert!(gate(&lenient, &e.results, &s, None).passed);
    let strict = Policy {
        fail_on: None,
        min_score: Some(PerMille(1)),
        ..Policy::default()
    };
    assert!(!gate(&strict, &e.results, &s, None).passed);
}

#[test]
fn evaluation_is_deterministic() {
    let facts = holders(json!([holder("US", 10.0, 10.0)]));
    assert_eq!(run(facts.clone(), json!({})), run(facts, json!({})));
}

#[test]
fn compliant_claim_with_unknown_facts_is_capped_at_partially_compliant() {
    let e = run(
        json!({}),
        json!({"12.6.c": {"status": "compliant", "evidence": [{"title": "SIEM config", "date": "2026-10-01"}]}}),
    );
    let r = result(&e, "12.6.c");
    assert_eq!(r.verdict, Status::PartiallyCompliant);
    assert!(r.has(Code::FactMissing));
}

fn cap_table(rows: Value) -> Value {
    json!({"company": {
        "listed": false,
        "undeclared_float_pct": 0,
        "shareholders_agreement": {"non_eu_joint_veto": false, "non_eu_joint_board_majority": false},
        "shareholders": rows,
    }})
}

fn named(name: &str, country: &str, pct: f64, extra: Value) -> Value {
    let mut row = json!({"name": name, "country": country, "capital_pct": pct, "voting_pct": pct,
                         "veto_rights": false, "can_appoint_board_majority": false});
    if let (Some(row), Some(extra)) = (row.as_object_mut(), extra.as_object()) {
        row.extend(extra.clone());
    }
    row
}

fn messages(r: &RequirementResult, code: Code) -> Vec<String> {
    r.findings
        .iter()
        .filter(|f| f.code == code)
        .map(|f| format!("{} | {}", f.message.en, f.message.fr))
        .collect()
}

#[test]
fn holders_acting_in_concert_are_summed_against_24_percent() {
    let group = |pct| {
        cap_table(json!([
            named("Founders", "FR", 100.0 - 2.0 * pct, json!({})),
            named(
                "Redwood Peak I",
                "US",
                pct,
                json!({"concert_group": "Redwood Peak"})
            ),
            named(
                "Redwood Peak II",
                "US",
                pct,
                json!({"concert_group": "redwood peak "})
            ),
        ]))
    };
    let at_24 = run(group(12.0), json!({}));
    assert!(
        result(&at_24, "19.6.b").findings.is_empty(),
        "{:?}",
        result(&at_24, "19.6.b").findings
    );
    let over = run(group(12.5), json!({}));
    assert!(
        messages(result(&over, "19.6.b"), Code::FactCheckFailed)
            .iter()
            .any(|m| m
                == "Redwood Peak (US) holds 25 % of the capital; at most 24 % allowed for a single non-EU holder. | \
                    Redwood Peak (US) détient 25 % du capital ; au plus 24 % sont admis pour un seul détenteur extra-européen."),
        "{:?}",
        result(&over, "19.6.b").findings
    );
    // The group is named at fault: its rows are the ones a report highlights.
    let capital = result(&over, "19.6.b")
        .findings
        .iter()
        .find(|f| f.code == Code::FactCheckFailed)
        .expect("a failed check");
    assert_eq!(capital.at_fault, ["Redwood Peak"]);
}

#[test]
fn rows_with_the_same_name_are_one_holder() {
    let e = run(
        cap_table(json!([
            named("Founders", "FR", 73.0, json!({})),
            named("BigFund LP", "US", 15.0, json!({})),
            named("  BIGFUND lp", "US", 12.0, json!({})),
        ])),
        json!({}),
    );
    assert!(result(&e, "19.6.b").has(Code::FactCheckFailed));
}

#[test]
fn an_eu_holder_with_a_non_eu_ultimate_controller_counts_as_non_eu() {
    let e = run(
        cap_table(json!([
            named("Founders", "FR", 70.0, json!({})),
            named(
                "Rhein Holding GmbH",
                "DE",
                30.0,
                json!({"ultimate_controller_country": "US"})
            ),
        ])),
        json!({}),
    );
    assert!(result(&e, "19.6.b").has(Code::FactCheckFailed));
}

#[test]
fn grouped_small_holders_count_toward_39_percent_only() {
    let table = |other: f64| {
        cap_table(json!([
            named("Founders", "FR", 70.0 - other, json!({})),
            named(
                "US angels",
                "US",
                30.0,
                json!({"small_holders_grouped": true})
            ),
            named("Bay Capital LP", "US", other, json!({})),
        ]))
    };
    assert!(
        result(&run(table(9.0), json!({})), "19.6.b")
            .findings
            .is_empty()
    );
    assert!(result(&run(table(9.5), json!({})), "19.6.b").has(Code::FactCheckFailed));
}

#[test]
fn joint_veto_of_non_eu_holders_fails_19_6_b() {
    let mut facts = cap_table(json!([
        named("Founders", "FR", 62.0, json!({})),
        named("Bay Capital LP", "US", 19.0, json!({})),
        named("Thames Growth", "GB", 19.0, json!({})),
    ]));
    facts["company"]["shareholders_agreement"]["non_eu_joint_veto"] = json!(true);
    assert!(result(&run(facts, json!({})), "19.6.b").has(Code::FactCheckFailed));
}

#[test]
fn a_cap_table_under_99_5_percent_is_fact_missing_naming_the_sum() {
    let e = run(
        cap_table(json!([
            named("Founders", "FR", 63.5, json!({})),
            named("Bay Capital LP", "US", 24.0, json!({}))
        ])),
        json!({"19.6.b": {"status": "compliant", "evidence": [{"title": "Cap table", "date": "2026-11-01"}]}}),
    );
    let r = result(&e, "19.6.b");
    assert!(!r.has(Code::FactCheckFailed), "{:?}", r.findings);
    let missing = messages(r, Code::FactMissing);
    assert!(
        missing.iter().any(|m| m.contains("`capital_pct` adds up to 87.5 %") && m.contains("totalise 87,5 %")),
        "{missing:?}"
    );
    assert_ne!(
        r.verdict,
        Status::Compliant,
        "a partial cap table is never a pass"
    );
}

#[test]
fn a_listed_company_s_undeclared_float_completes_the_table_and_is_not_non_eu() {
    let mut facts = cap_table(json!([
        named("Founders", "FR", 40.0, json!({})),
        named("Bay Capital LP", "US", 24.0, json!({}))
    ]));
    facts["company"]["listed"] = json!(true);
    facts["company"]["undeclared_float_pct"] = json!(36.0);
    let e = run(facts, json!({}));
    assert!(
        result(&e, "19.6.b").findings.is_empty(),
        "{:?}",
        result(&e, "19.6.b").findings
    );
}

#[test]
fn a_cap_table_over_100_5_percent_is_an_assessment_error_located_by_pointer() {
    let doc = json!({
        "format": "snc-assessment/1",
        "pack": "secnumcloud-3.2",
        "vendor": {"name": "Test SAS"},
        "service": {"name": "Test", "types": ["SaaS"]},
        "facts": cap_table(json!([named("Founders", "FR", 76.51, json!({})), named("Bay Capital LP", "US", 24.0, json!({}))])),
    });
    let text = serde_json::to_string_pretty(&doc).expect("json");
    let error = assessment::parse("cap.json", text.as_bytes(), pack())
        .expect_err("a table over 100.5 % is refused");
    let shown = error.to_string();
    assert!(
        shown.contains("[at /facts/company/shareholders]"),
        "{shown}"
    );
    assert!(shown.contains("adds up to 100.51 %"), "{shown}");
    let line = text
        .lines()
        .position(|l| l.contains("\"shareholders\""))
        .expect("line")
        + 1;
    assert!(shown.contains(&format!("cap.json:{line}:")), "{shown}");
    // At 100.5 % exactly, the table is read.
    let mut doc = doc;
    doc["facts"]["company"]["shareholders"][0]["capital_pct"] = json!(76.5);
    doc["facts"]["company"]["shareholders"][0]["voting_pct"] = json!(76.5);
    assert!(assessment::parse("cap.json", doc.to_string().as_bytes(), pack()).is_ok());
}

#[test]
fn outermost_region_re_is_eu() {
    let e = run(
        json!({"data": {"customer_data_locations": ["RE"], "technical_data_locations": ["GP", "AX"]},
               "operations": {"admin_locations": ["MQ", "GF", "YT", "MF"]}}),
        json!({}),
    );
    for id in ["19.2.b", "19.2.c", "19.2.d"] {
        assert!(
            result(&e, id).findings.is_empty(),
            "{id}: {:?}",
            result(&e, id).findings
        );
    }
    let outside = run(
        json!({"data": {"customer_data_locations": ["NC"]}}),
        json!({}),
    );
    assert!(
        result(&outside, "19.2.b").has(Code::FactCheckFailed),
        "New Caledonia is outside the EU"
    );
}

#[test]
fn every_location_check_reads_the_one_eu_constant() {
    let eu = pack()
        .constants
        .get("EU")
        .and_then(Value::as_array)
        .expect("an EU constant");
    for code in ["FR", "DE", "GR", "RE", "GP", "MQ", "GF", "YT", "MF", "AX"] {
        assert!(eu.contains(&json!(code)), "{code} is EU territory");
    }
    for code in ["NO", "IS", "LI", "CH", "GB", "NC", "PF", "BL"] {
        assert!(!eu.contains(&json!(code)), "{code} is outside the EU");
    }
    let names: Vec<&String> = pack().constants.keys().collect();
    for requirement in &pack().requirements {
        for check in &requirement.checks {
            assert!(
                !check.expr.contains("EU27"),
                "{}: {}",
                requirement.id,
                check.expr
            );
            for quoted in check.expr.split(['"', '\'']).skip(1).step_by(2) {
                assert!(
                    !snc::pack::COUNTRIES.contains(&quoted),
                    "{}: a country written in a check; read the EU constant: {}",
                    requirement.id,
                    check.expr
                );
            }
        }
    }
    assert_eq!(
        names.iter().filter(|n| n.starts_with("EU")).count(),
        1,
        "one EU list: {names:?}"
    );
}

#[test]
fn a_late_notice_of_a_change_affecting_immunity_fails_19_6_f() {
    let change = |notified_on: &str| {
        json!({"immunity": {"changes": [{"summary": "New US investor", "changed_on": "2026-01-31",
                                          "customers_notified": true, "customers_notified_on": notified_on}]}})
    };
    assert!(
        result(&run(change("2026-02-28"), json!({})), "19.6.f")
            .findings
            .is_empty()
    );
    assert!(result(&run(change("2026-03-01"), json!({})), "19.6.f").has(Code::FactCheckFailed));
}

#[test]
fn a_third_party_whose_ultimate_controller_is_outside_the_eu_fails_19_6_c() {
    let third = |ultimate: &str| {
        json!({"third_parties": [{"name": "Nuage Lyon SAS", "role": "database", "country": "FR",
            "central_administration_country": "FR", "principal_establishment_country": "FR",
            "controlled_from": "DE", "ultimate_controller_country": ultimate, "data_access": true,
            "secnumcloud_qualified": false, "alternative_suppliers": 2}]})
    };
    assert!(
        result(&run(third("FR"), json!({})), "19.6.c")
            .findings
            .is_empty()
    );
    assert!(result(&run(third("US"), json!({})), "19.6.c").has(Code::FactCheckFailed));
}

#[test]
fn unencrypted_backup_replication_fails_13_2_b_not_the_eligibility_condition_12_5_d() {
    let e = run(
        json!({"data": {"backup_locations": ["FR"]}, "backups": {"intersite_links_encrypted": false}}),
        json!({}),
    );
    assert!(!result(&e, "12.5.d").has(Code::FactCheckFailed));
    assert!(result(&e, "13.2.b").has(Code::FactCheckFailed));
    assert_ne!(readiness(pack(), &e.results).0, Readiness::Ineligible);
}

#[test]
fn evidence_dated_after_the_as_of_date_is_flagged_and_caps_a_compliant_claim() {
    let answer = |date: &str| json!({"6.1.a": {"status": "compliant", "evidence": [{"title": "Org chart", "date": date}]}});
    let e = run(json!({}), answer("2026-11-29"));
    let r = result(&e, "6.1.a");
    assert!(r.has(Code::DateInFuture), "{:?}", r.findings);
    assert_eq!(r.verdict, Status::PartiallyCompliant);
    let e = run(json!({}), answer("2026-11-28"));
    let r = result(&e, "6.1.a");
    assert!(!r.has(Code::DateInFuture), "{:?}", r.findings);
    assert_eq!(r.verdict, Status::Compliant);
}

#[test]
fn a_review_dated_after_the_as_of_date_is_flagged_and_fails_its_periodicity() {
    let e = run(json!({"reviews": {"bcp": "2026-11-29"}}), json!({}));
    let r = result(&e, "17.1.b");
    assert!(
        r.has(Code::DateInFuture) && r.has(Code::FactCheckFailed),
        "{:?}",
        r.findings
    );
    let e = run(json!({"reviews": {"bcp": "2026-11-28"}}), json!({}));
    let r = result(&e, "17.1.b");
    assert!(
        !r.has(Code::DateInFuture) && !r.has(Code::FactCheckFailed),
        "{:?}",
        r.findings
    );
}

#[test]
fn an_audit_dated_after_the_as_of_date_is_flagged() {
    let e = run(
        json!({"audits": [{"kind": "annual", "date": "2026-12-01", "passi_qualified": true, "scope": ["configuration"]}]}),
        json!({}),
    );
    assert!(result(&e, "18.2.1.a").has(Code::DateInFuture));
}

#[test]
fn justified_not_applicable_on_an_applicable_requirement_is_flagged() {
    let e = run(
        json!({}),
        json!({"6.1.a": {"status": "not_applicable", "justification": "We are too small."}}),
    );
    let r = result(&e, "6.1.a");
    assert_eq!(r.verdict, Status::NotApplicable);
    assert!(r.has(Code::DeclaredNotApplicable));
    let e = run(json!({}), json!({"6.1.a": {"status": "not_applicable"}}));
    assert!(!result(&e, "6.1.a").has(Code::DeclaredNotApplicable));
    // An item the pack itself rules out (PaaS only) gets no finding.
    let e = run(
        json!({}),
        json!({"12.2.c": {"status": "not_applicable", "justification": "SaaS"}}),
    );
    assert!(!result(&e, "12.2.c").has(Code::DeclaredNotApplicable));
}

#[test]
fn an_attached_evidence_file_gone_or_changed_caps_compliant_and_is_reported_with_its_code() {
    let answers = json!({"5.1.a": {"status": "compliant", "evidence": [
        {"title": "policy.pdf", "ref": "evidence/policy.pdf", "date": "2026-10-01",
         "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}]}});
    let untouched = evaluate(
        pack(),
        &assessment(json!({}), answers.clone()),
        date("2026-11-28"),
    );
    assert!(!result(&untouched, "5.1.a").has(Code::EvidenceFileMissing));
    for (state, code) in [
        (assessment::EvidenceFile::Missing, Code::EvidenceFileMissing),
        (
            assessment::EvidenceFile::Changed {
                actual: "0".repeat(64),
            },
            Code::EvidenceFileChanged,
        ),
    ] {
        let mut a = assessment(json!({}), answers.clone());
        a.evidence_files
            .insert("evidence/policy.pdf".to_owned(), state);
        let e = evaluate(pack(), &a, date("2026-11-28"));
        let r = result(&e, "5.1.a");
        assert!(r.has(code), "{:?}", r.findings);
        assert_ne!(r.verdict, Status::Compliant);
    }
}
