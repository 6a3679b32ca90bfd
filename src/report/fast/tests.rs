//! The fast walk against handlebars-rust: same bytes whenever it renders, `None` whenever handlebars-rust
//! fails, and it does render every shipped template.

use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::NaiveDate;
use proptest::prelude::*;
use serde_json::{Value as Json, json};

use super::render;
use crate::report::templates::{self, Templates, base_registry};

fn registry(markdown: bool, templates: &[(&str, &str)]) -> handlebars::Handlebars<'static> {
    let mut r = base_registry(markdown);
    for (name, source) in templates {
        r.register_template_string(name, source)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    r
}

/// Renders `main` both ways: the fast walk must give handlebars-rust's output, or `None` when handlebars-rust
/// fails. Returns the fast walk's answer.
fn both(r: &handlebars::Handlebars<'static>, main: &str, data: &Json) -> Option<String> {
    let fast = render(r, main, data);
    match r.render(main, data) {
        Ok(reference) => {
            if let Some(out) = &fast {
                assert_eq!(out, &reference, "template {main} on {data}");
            }
        }
        Err(e) => assert!(
            fast.is_none(),
            "handlebars fails ({e}) but the walk gave {fast:?}"
        ),
    }
    fast
}

/// Renders `source` both ways with the HTML escaping; the walk must render it.
fn same(source: &str, data: &Json) -> String {
    let r = registry(false, &[("main", source)]);
    both(&r, "main", data).unwrap_or_else(|| panic!("the walk left {source:?} to handlebars"))
}

/// Renders `source` both ways; the walk must leave it to handlebars-rust.
fn left(source: &str, data: &Json) {
    let r = registry(false, &[("main", source)]);
    assert_eq!(
        both(&r, "main", data),
        None,
        "{source:?} should be left to handlebars"
    );
}

fn data() -> Json {
    json!({
        "t": {"sep": "; ", "none": "nothing", "colon": ": "},
        "title": "Rock & <roll> \"quoted\" 'single' `tick` =",
        "count": 3,
        "zero": 0,
        "float": 2.5,
        "tiny": 1e-310,
        "yes": true,
        "no": false,
        "nothing": null,
        "empty": "",
        "list": [],
        "obj": {},
        "items": [
            {"id": "a", "tags": ["x", "y"], "owner": null, "n": 1},
            {"id": "b", "tags": [], "owner": "ops <team>", "n": 0},
            {"id": "c", "tags": ["z"], "owner": "", "n": 2.0}
        ],
        "map": {"b": 2, "a": {"deep": [1, 2]}, "c": "three"},
        "nested": {"inner": {"leaf": "L"}}
    })
}

#[test]
fn values_paths_and_escaping() {
    let d = data();
    assert_eq!(
        same("{{title}}|{{{title}}}", &d),
        "Rock &amp; &lt;roll&gt; &quot;quoted&quot; &#x27;single&#x27; &#x60;tick&#x60; &#x3D;|Rock & <roll> \"quoted\" 'single' `tick` ="
    );
    same(
        "{{count}} {{zero}} {{float}} {{tiny}} {{yes}} {{no}} [{{nothing}}] [{{empty}}]",
        &d,
    );
    same(
        "{{nested.inner.leaf}} {{nested/inner/leaf}} {{this.nested.inner.leaf}} {{./count}}",
        &d,
    );
    same(
        "{{items.1.id}} {{items.0.tags}} {{map.a.deep}} {{map}} {{list}} {{obj}}",
        &d,
    );
    same(
        "{{@root.count}} {{#each items}}{{@root.t.sep}}{{../count}}{{/each}}",
        &d,
    );
    same(
        "{{#each items}}{{#each tags}}{{this}}{{../id}}{{../../count}}{{@../index}}{{/each}}{{/each}}",
        &d,
    );
    same("{{! a comment }}{{!-- another --}}x", &d);
    same(
        "  {{#if yes}}\n  standalone\n  {{/if}}\n{{~count~}}  \n",
        &d,
    );
}

#[test]
fn blocks_follow_handlebars_truth_and_each_rules() {
    let d = data();
    for name in [
        "count", "zero", "float", "tiny", "yes", "no", "nothing", "empty", "list", "obj", "items",
        "map", "absent", "items.9", "title.x",
    ] {
        same(
            &format!(
                "{{{{#if {name}}}}}T{{{{else}}}}F{{{{/if}}}}{{{{#unless {name}}}}}U{{{{/unless}}}}"
            ),
            &d,
        );
    }
    same(
        "{{#if no}}a{{else if zero}}b{{else if yes}}c{{else}}d{{/if}}",
        &d,
    );
    same(
        "{{#each items}}{{@index}}{{@first}}{{@last}}:{{id}}{{#if owner}}({{owner}}){{/if}}{{#unless @last}}, {{/unless}}{{/each}}",
        &d,
    );
    same(
        "{{#each map}}{{@key}}={{@index}}{{@first}}{{@last}};{{/each}}",
        &d,
    );
    same(
        "{{#each list}}x{{else}}none{{/each}}|{{#each list}}x{{/each}}|{{#each obj}}x{{/each}}",
        &d,
    );
    same(
        "{{#each nothing}}x{{else}}null{{/each}}{{#each absent}}x{{else}}absent{{/each}}",
        &d,
    );
    same(
        "{{#each title}}x{{else}}a string is not a list{{/each}}",
        &d,
    );
    same(
        "{{#each items}}{{#each tags}}{{@index}}{{this}}{{/each}}{{else}}-{{/each}}",
        &d,
    );
}

#[test]
fn helpers_include_json_and_len() {
    let d = data();
    let r = registry(
        false,
        &[
            (
                "main",
                "{{#each items}}[{{include \"row\"}}]{{/each}}{{include \"top\"}}",
            ),
            (
                "row",
                "{{id}}{{@index}}{{#if tags}}{{json tags}}{{/if}}{{include \"top\"}}",
            ),
            ("top", "{{@root.id}}{{#each @root.items}}{{@last}}{{/each}}"),
        ],
    );
    assert!(both(&r, "main", &json!({"id": "root", "items": d["items"]})).is_some());
    same(
        "{{json map}} {{json title}} {{json nothing}} {{json float}} {{{json map}}}",
        &d,
    );
    same(
        "{{len items}} {{len map}} {{len title}} {{len count}} {{len list}}",
        &d,
    );
    let md = registry(true, &[("main", "{{title}} | {{json map}} {{{title}}}")]);
    assert!(both(&md, "main", &d).is_some());
}

#[test]
fn what_the_walk_does_not_do_is_left_to_handlebars() {
    let d = data();
    // Errors: handlebars-rust reports them, with the position.
    left("{{absent}}", &d);
    left("{{nested.absent}}", &d);
    left("{{items.x}}", &d);
    left("{{#each absent}}x{{/each}}", &d);
    left("{{#each nothing}}x{{/each}}", &d);
    left("{{@index}}", &d);
    left("{{json absent}}", &d);
    left("{{len absent}}", &d);
    // Constructs the shipped templates do not use.
    left("{{#with nested}}{{inner.leaf}}{{/with}}", &d);
    left("{{lookup map \"c\"}}", &d);
    left("{{#if (eq count 3)}}x{{/if}}", &d);
    left("{{#if true}}x{{/if}}", &d);
    left("{{#if zero includeZero=true}}x{{/if}}", &d);
    left("{{#each items as |item|}}{{item.id}}{{/each}}", &d);
    left("{{len}}", &json!({"len": 1}));
    let r = registry(false, &[("main", "{{> row}}"), ("row", "{{count}}")]);
    assert_eq!(both(&r, "main", &d), None);
    let r = registry(false, &[("main", "{{include \"main\"}}")]);
    assert_eq!(both(&r, "main", &d), None);
    let r = registry(false, &[("main", "{{include \"nope\"}}")]);
    assert_eq!(both(&r, "main", &d), None);
    // Data serde_json would write differently.
    let r = registry(false, &[("main", "{{x}}")]);
    assert_eq!(
        render(
            &r,
            "main",
            &std::collections::BTreeMap::from([("x", 1.5_f32)])
        ),
        None
    );
    // Strict mode off is not the reports' mode.
    let mut r = registry(false, &[("main", "{{x}}")]);
    r.set_strict_mode(false);
    assert_eq!(render(&r, "main", &d), None);
}

fn json_value() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        (-3i64..4).prop_map(Json::from),
        any::<f64>().prop_map(Json::from),
        "[a-c<&]{0,3}".prop_map(Json::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            prop::collection::vec(("[a-c]|0|1", inner), 0..4)
                .prop_map(|entries| Json::Object(entries.into_iter().collect())),
        ]
    })
}

const TEMPLATES: &[&str] = &[
    "{{a}}|{{b.c}}|{{{a}}}",
    "{{#if a}}{{a}}{{else}}{{b}}{{/if}}",
    "{{#unless b.a}}{{#each a}}{{@index}}{{this}}{{/each}}{{/unless}}",
    "{{#each a}}{{@key}}{{@index}}{{#if @first}}F{{/if}}{{c}}{{../b}}{{else}}E{{/each}}",
    "{{#each a}}{{#each this}}{{this}}{{../0}}{{@root.c}}{{/each}}{{/each}}",
    "{{a.0.b}}{{json a}}{{len b}}",
    "{{#each b}}{{include \"part\"}}{{/each}}",
];

/// On any data, each template renders the same both ways, or is left to handlebars-rust where it fails; and the
/// walk does render most of them (the comparison would prove nothing if it always stepped aside).
#[test]
fn any_data_renders_the_same_or_is_left_to_handlebars() {
    use proptest::strategy::ValueTree;
    let mut sources: Vec<(String, &str)> = TEMPLATES
        .iter()
        .enumerate()
        .map(|(i, s)| (format!("t{i}"), *s))
        .collect();
    sources.push(("part".to_owned(), "{{a}}{{@index}}{{json this}}"));
    let named: Vec<(&str, &str)> = sources.iter().map(|(n, s)| (n.as_str(), *s)).collect();
    let r = registry(false, &named);
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = json_value();
    let (mut rendered, mut total) = (0, 0);
    for _ in 0..300 {
        let data = strategy.new_tree(&mut runner).expect("value").current();
        let root = json!({"a": data.clone(), "b": data.clone(), "c": data});
        for (name, _) in named.iter().filter(|(n, _)| *n != "part") {
            total += 1;
            rendered += usize::from(both(&r, name, &root).is_some());
        }
    }
    assert!(
        rendered * 3 > total,
        "the walk rendered {rendered} of {total}"
    );
}

// The shipped templates, on the shipped examples and synthetic assessments.

fn pack() -> &'static crate::pack::Pack {
    static PACK: OnceLock<crate::pack::Pack> = OnceLock::new();
    PACK.get_or_init(|| crate::pack::Pack::embedded().unwrap_or_else(|d| panic!("{d:?}")))
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).expect("date")
}

fn examples() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("examples")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

fn report(bytes: &[u8], lang: crate::model::Lang) -> crate::report::Report {
    let pack = pack();
    let a = crate::assessment::parse("example.json", bytes, pack).unwrap_or_else(|e| panic!("{e}"));
    let policy = crate::engine::gate::policy::Policy::default();
    let inputs = crate::engine::RunInputs {
        as_of: as_of(),
        policy: &policy,
        baseline: None,
        review: None,
    };
    let outcome = crate::engine::run(pack, a, &inputs).unwrap_or_else(|e| panic!("{e}"));
    crate::report::Report::build(&outcome, lang)
}

/// The walk renders `main` with `view`, exactly as handlebars-rust does.
fn shipped<T: serde::Serialize>(templates: &Templates, main: &str, view: &T) {
    let registry = templates.registry(main).expect("compiles");
    let fast = render(&registry, main, view)
        .unwrap_or_else(|| panic!("the walk left the shipped {main} to handlebars"));
    let reference =
        templates::render_with_handlebars(&registry, main, view).expect("handlebars renders");
    assert!(fast == reference, "{main}: the walk and handlebars differ");
}

#[test]
fn every_shipped_template_is_walked_and_renders_as_handlebars_does() {
    use crate::model::Lang;
    let templates = Templates::load(None).expect("templates");
    let pack = pack();
    for lang in [Lang::En, Lang::Fr] {
        let mut reports = Vec::new();
        for file in examples() {
            let bytes = std::fs::read(&file).expect("example");
            reports.push(report(&bytes, lang));
        }
        for seed in [1, 42] {
            let doc =
                crate::testing::assessment(pack, &mut crate::testing::XorShift::new(seed), as_of());
            reports.push(report(&serde_json::to_vec(&doc).expect("json"), lang));
        }
        for r in &reports {
            let view = crate::report::View::build(r, pack);
            shipped(&templates, templates::HTML, &view);
            shipped(&templates, templates::MARKDOWN, &view);
        }
        let kind = crate::staff::diff::SourceKind::Report;
        let diff = crate::staff::diff::diff(
            &crate::staff::diff::Side::from_report(&reports[0], kind),
            &crate::staff::diff::Side::from_report(&reports[reports.len() - 1], kind),
            pack,
            lang,
        )
        .expect("diff");
        let view = crate::staff::diff::DiffView::build(&diff, pack);
        shipped(&templates, "diff.html.hbs", &view);
        shipped(&templates, "diff.md.hbs", &view);
        let portfolio = crate::staff::portfolio::evaluate(pack, &examples(), as_of(), lang, None);
        let view = crate::staff::portfolio::PortfolioView::build(&portfolio, pack);
        shipped(&templates, "portfolio.html.hbs", &view);
        shipped(&templates, "portfolio.md.hbs", &view);
    }
}

/// Random templates built from what the walk does (and some of what it does not), on random data: whatever
/// handlebars-rust makes of them, the walk gives the same bytes or steps aside.
fn template() -> impl Strategy<Value = String> {
    let path = prop::sample::select(vec![
        "a",
        "b",
        "c",
        "this",
        "a.b",
        "a.0",
        "a/b",
        "@root.a",
        "@root.b.c",
        "../a",
        "../../b",
        "@index",
        "@first",
        "@last",
        "@key",
        "this.a",
        "./b",
        "[a]",
        "@../index",
        "a.a.a",
        "0",
    ]);
    let text = prop::sample::select(vec!["", "x", " ", "\n", "<&>", "  \n", "é"]);
    let leaf = prop_oneof![
        text.clone().prop_map(str::to_owned),
        path.clone().prop_map(|p| format!("{{{{{p}}}}}")),
        path.clone().prop_map(|p| format!("{{{{{{{p}}}}}}}")),
        path.clone().prop_map(|p| format!("{{{{~{p}~}}}}")),
        path.clone().prop_map(|p| format!("{{{{json {p}}}}}")),
        path.clone().prop_map(|p| format!("{{{{len {p}}}}}")),
        path.clone()
            .prop_map(|p| format!("{{{{lookup this \"{p}\"}}}}")),
        Just("{{include \"part\"}}".to_owned()),
        Just("{{! note }}".to_owned()),
    ];
    leaf.prop_recursive(4, 40, 4, move |inner| {
        let body = prop::collection::vec(inner, 0..4).prop_map(|parts| parts.concat());
        (
            prop::sample::select(vec!["if", "unless", "each", "with"]),
            path.clone(),
            body.clone(),
            prop::option::of(body),
            any::<bool>(),
            text.clone(),
        )
            .prop_map(|(helper, p, body, inverse, standalone, t)| {
                let nl = if standalone { "\n" } else { "" };
                let inverse = inverse
                    .map(|i| format!("{nl}{{{{else}}}}{nl}{i}"))
                    .unwrap_or_default();
                format!("{t}{nl}{{{{#{helper} {p}}}}}{nl}{body}{inverse}{nl}{{{{/{helper}}}}}{nl}")
            })
    })
}

#[test]
fn random_templates_render_the_same_or_are_left_to_handlebars() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (templates, data) = (template(), json_value());
    let (mut rendered, mut compared) = (0, 0);
    for _ in 0..2000 {
        let source = templates.new_tree(&mut runner).expect("template").current();
        let value = data.new_tree(&mut runner).expect("data").current();
        let mut r = base_registry(false);
        if r.register_template_string("main", &source).is_err() {
            continue;
        }
        r.register_template_string("part", "[{{this}}|{{@index}}]")
            .expect("compiles");
        let root = json!({"a": value.clone(), "b": {"c": value.clone(), "a": [value]}, "c": 0});
        compared += 1;
        rendered += usize::from(both(&r, "main", &root).is_some());
    }
    assert!(compared > 1000, "only {compared} templates compiled");
    assert!(
        rendered * 4 > compared,
        "the walk rendered {rendered} of {compared}"
    );
}
