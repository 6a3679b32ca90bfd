//! The view models of the serve pages (`reports/templates/serve/`): every label in the page's language, every list
//! an array in pack order. Vendor text goes to the templates as it is and is escaped by Handlebars.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value as Json;

use crate::model::error::Error;
use crate::model::i18n::{catalog, label, number, t};
use crate::model::{EvidenceKind, Lang, ServiceType, Severity, Status};
use crate::pack::{FactDecl, FactType, Scalar};
use crate::report::{Report, RequirementView};

use super::edit::{UNKNOWN, fact_field};
use super::{App, Current};

/// What every page shows: the labels, the navigation, the live readiness and score, the version of the file.
#[derive(Serialize)]
pub struct Layout {
    pub t: &'static BTreeMap<String, String>,
    pub lang: &'static str,
    pub file: String,
    pub version: String,
    pub readiness: &'static str,
    pub readiness_label: &'static str,
    pub score: String,
    pub nav: Vec<NavItem>,
    pub on_summary: bool,
    pub on_facts: bool,
}

#[derive(Serialize)]
pub struct NavItem {
    pub number: String,
    pub title: String,
    pub answered: u32,
    pub applicable: u32,
    pub score: String,
    pub current: bool,
}

fn score_text(lang: Lang, value: f64) -> String {
    format!("{} %", number(lang, value, 1))
}

fn layout(app: &App, current: &Current, chapter: Option<&str>) -> Layout {
    let lang = app.config.lang;
    let report = &current.report;
    Layout {
        t: catalog(lang),
        lang: lang.as_str(),
        file: app.display(),
        version: current.version.clone(),
        readiness: report.readiness.as_str(),
        readiness_label: label(lang, report.readiness),
        score: score_text(lang, report.score.overall),
        nav: nav(app, report, chapter),
        on_summary: false,
        on_facts: false,
    }
}

fn nav(app: &App, report: &Report, current: Option<&str>) -> Vec<NavItem> {
    let lang = app.config.lang;
    app.pack
        .chapters
        .iter()
        .filter_map(|c| {
            let (answered, applicable) = progress(report, &c.number);
            if applicable == 0 {
                return None;
            }
            let score = report
                .score
                .chapters
                .iter()
                .find(|s| s.chapter == c.number)
                .map_or_else(String::new, |s| score_text(lang, s.score));
            Some(NavItem {
                number: c.number.clone(),
                title: c.title.get(lang).to_owned(),
                answered,
                applicable,
                score,
                current: current == Some(c.number.as_str()),
            })
        })
        .collect()
}

/// Answered and applicable requirements of a chapter.
fn progress(report: &Report, chapter: &str) -> (u32, u32) {
    report
        .requirements
        .iter()
        .filter(|r| r.chapter == chapter && r.applicable)
        .fold((0, 0), |(answered, applicable), r| {
            (
                answered + u32::from(r.declared != Status::NotAssessed),
                applicable + 1,
            )
        })
}

// ---------------------------------------------------------------------------------------------------------------

#[derive(Serialize)]
pub struct Missing {
    pub id: String,
    pub chapter: String,
}

#[derive(Serialize)]
pub struct Summary {
    pub t: &'static BTreeMap<String, String>,
    pub layout: Layout,
    pub vendor: String,
    pub service: String,
    pub readiness_meaning: String,
    pub gate_passed: bool,
    pub gate_label: &'static str,
    pub gate_reasons: Vec<String>,
    pub next_label: &'static str,
    /// The requirements the next level needs, each with its chapter, to link to its form.
    pub next_missing: Vec<Missing>,
    pub has_next: bool,
    pub downloads: Vec<&'static str>,
}

pub fn summary(app: &App, current: &Current) -> Summary {
    let lang = app.config.lang;
    let report = &current.report;
    let mut layout = layout(app, current, None);
    layout.on_summary = true;
    let mut downloads = vec![
        "assessment.json",
        "report.html",
        "report.md",
        "report.json",
        "report.txt",
        "report.csv",
        "report.sarif",
        "report.xml",
    ];
    if cfg!(feature = "xlsx") {
        downloads.push("report.xlsx");
    }
    Summary {
        t: catalog(lang),
        layout,
        vendor: report.assessment.vendor.clone(),
        service: report.assessment.service.clone(),
        readiness_meaning: report.readiness_meaning.clone(),
        gate_passed: report.gate.passed,
        gate_label: if report.gate.passed {
            t(lang, "gate_passed")
        } else {
            t(lang, "gate_failed")
        },
        gate_reasons: report.gate.reasons.clone(),
        next_label: report
            .readiness_next
            .as_ref()
            .map_or("", |n| label(lang, n.level)),
        next_missing: report.readiness_next.as_ref().map_or_else(Vec::new, |n| {
            n.missing
                .iter()
                .map(|id| Missing {
                    id: id.to_string(),
                    chapter: app
                        .pack
                        .requirement(id)
                        .map(|r| r.chapter.clone())
                        .unwrap_or_default(),
                })
                .collect()
        }),
        has_next: report.readiness_next.is_some(),
        downloads,
    }
}

// ---------------------------------------------------------------------------------------------------------------

#[derive(Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices<'a>(
    values: impl IntoIterator<Item = (&'a str, String)>,
    selected: &str,
    blank: Option<&str>,
) -> Vec<Choice> {
    let mut out = Vec::new();
    if let Some(blank) = blank {
        out.push(Choice {
            value: String::new(),
            label: blank.to_owned(),
            selected: selected.is_empty(),
        });
    }
    out.extend(values.into_iter().map(|(value, label)| Choice {
        selected: value == selected,
        value: value.to_owned(),
        label,
    }));
    out
}

#[derive(Serialize)]
pub struct Filter {
    pub key: &'static str,
    pub label: &'static str,
    pub active: bool,
}

const FILTERS: &[(&str, &str)] = &[
    ("unanswered", "serve_filter_unanswered"),
    ("gaps", "serve_filter_gaps"),
    ("critical", "serve_filter_critical"),
    ("contradicted", "serve_filter_contradicted"),
    ("stale", "serve_filter_stale"),
];

#[derive(Serialize)]
pub struct ChapterPage {
    pub t: &'static BTreeMap<String, String>,
    pub layout: Layout,
    pub number: String,
    pub title: String,
    pub filter: String,
    pub filters: Vec<Filter>,
    pub requirements: Vec<RequirementForm>,
    pub empty: bool,
}

#[derive(Serialize)]
pub struct RequirementForm {
    pub id: String,
    pub title: String,
    pub question: String,
    pub guidance: String,
    pub severity: &'static str,
    pub severity_label: &'static str,
    pub kind_label: &'static str,
    pub section: String,
    pub inheritable_reason: String,
    pub evidence_kinds: String,
    pub max_age_months: String,
    pub checks: Vec<String>,
    pub statuses: Vec<Choice>,
    pub owner: String,
    pub comment: String,
    pub justification: String,
    pub target_date: String,
    pub evidence: Vec<EvidenceRow>,
    /// An empty row template, for "add a row".
    pub blank_row: EvidenceRow,
    pub verdict: VerdictView,
}

#[derive(Serialize)]
pub struct EvidenceRow {
    pub title: String,
    pub reference: String,
    pub date: String,
    pub kinds: Vec<Choice>,
    pub sha256: String,
}

/// The live part of a requirement: its verdict and findings, replaced after every save.
#[derive(Serialize)]
pub struct VerdictView {
    pub t: &'static BTreeMap<String, String>,
    pub id: String,
    pub verdict: &'static str,
    pub verdict_label: &'static str,
    pub findings: Vec<FindingItem>,
}

#[derive(Serialize)]
pub struct FindingItem {
    pub code: &'static str,
    pub message: String,
}

fn verdict_view(lang: Lang, r: &RequirementView) -> VerdictView {
    VerdictView {
        t: catalog(lang),
        id: r.id.to_string(),
        verdict: r.verdict.as_str(),
        verdict_label: label(lang, r.verdict),
        findings: r
            .findings
            .iter()
            .map(|f| FindingItem {
                code: f.code,
                message: f.message.clone(),
            })
            .collect(),
    }
}

fn matches_filter(r: &RequirementView, filter: &str) -> bool {
    let has = |codes: &[&str]| r.findings.iter().any(|f| codes.contains(&f.code));
    match filter {
        "unanswered" => r.declared == Status::NotAssessed,
        "gaps" => crate::model::is_gap(r.applicable, r.kind, r.verdict),
        "critical" => r.severity == Severity::Critical,
        "contradicted" => has(&["declaration-contradicted", "fact-check-failed"]),
        "stale" => has(&[
            "evidence-stale",
            "evidence-missing",
            "evidence-file-missing",
            "evidence-file-changed",
        ]),
        _ => true,
    }
}

fn kind_choices(lang: Lang, selected: &str) -> Vec<Choice> {
    choices(
        EvidenceKind::ALL
            .iter()
            .map(|k| (k.as_str(), label(lang, *k).to_owned())),
        selected,
        Some("—"),
    )
}

pub fn chapter(
    app: &App,
    current: &Current,
    number: &str,
    filter: Option<&str>,
) -> Option<ChapterPage> {
    let lang = app.config.lang;
    let pack = &app.pack;
    let chapter = pack.chapters.iter().find(|c| c.number == number)?;
    let filter = filter
        .filter(|f| FILTERS.iter().any(|(k, _)| k == f))
        .unwrap_or("");
    let requirements: Vec<RequirementForm> = current
        .report
        .requirements
        .iter()
        .filter(|r| r.chapter == number && r.applicable && matches_filter(r, filter))
        .filter_map(|r| {
            let q = pack.requirement(&r.id)?;
            let answer = current.assessment.answers.get(&r.id);
            let text = |f: fn(&crate::assessment::Answer) -> &Option<String>| {
                answer.and_then(|a| f(a).clone()).unwrap_or_default()
            };
            let declared = r.declared.as_str();
            Some(RequirementForm {
                id: r.id.to_string(),
                title: q.title.get(lang).to_owned(),
                question: q.question.get(lang).to_owned(),
                guidance: q.guidance.get(lang).to_owned(),
                severity: q.severity.as_str(),
                severity_label: label(lang, q.severity),
                kind_label: label(lang, q.kind),
                section: chapter
                    .sections
                    .iter()
                    .find(|s| s.id == q.section)
                    .map(|s| format!("{} {}", s.id, s.title.get(lang)))
                    .unwrap_or_default(),
                inheritable_reason: if q.inheritable {
                    q.inheritable_reason.clone().unwrap_or_default()
                } else {
                    String::new()
                },
                evidence_kinds: q
                    .evidence_kinds
                    .iter()
                    .map(|k| label(lang, *k))
                    .collect::<Vec<_>>()
                    .join(", "),
                max_age_months: q.max_age_months.map(|m| m.to_string()).unwrap_or_default(),
                checks: q
                    .checks
                    .iter()
                    .map(|c| c.message.get(lang).to_owned())
                    .collect(),
                statuses: choices(
                    Status::ALL
                        .iter()
                        .map(|s| (s.as_str(), label(lang, *s).to_owned())),
                    declared,
                    None,
                ),
                owner: text(|a| &a.owner),
                comment: text(|a| &a.comment),
                justification: text(|a| &a.justification),
                target_date: answer
                    .and_then(|a| a.target_date)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                evidence: answer.map_or_else(Vec::new, |a| {
                    a.evidence
                        .iter()
                        .map(|e| EvidenceRow {
                            title: e.title.clone(),
                            reference: e.reference.clone().unwrap_or_default(),
                            date: e.date.map(|d| d.to_string()).unwrap_or_default(),
                            kinds: kind_choices(lang, e.kind.map_or("", EvidenceKind::as_str)),
                            sha256: e.sha256.clone().unwrap_or_default(),
                        })
                        .collect()
                }),
                blank_row: EvidenceRow {
                    title: String::new(),
                    reference: String::new(),
                    date: String::new(),
                    kinds: kind_choices(lang, ""),
                    sha256: String::new(),
                },
                verdict: verdict_view(lang, r),
            })
        })
        .collect();
    Some(ChapterPage {
        t: catalog(lang),
        layout: layout(app, current, Some(number)),
        number: number.to_owned(),
        title: chapter.title.get(lang).to_owned(),
        filter: filter.to_owned(),
        filters: FILTERS
            .iter()
            .map(|(key, label_key)| Filter {
                key,
                label: t(lang, label_key),
                active: *key == filter,
            })
            .collect(),
        empty: requirements.is_empty(),
        requirements,
    })
}

// ---------------------------------------------------------------------------------------------------------------

#[derive(Serialize)]
pub struct FactsPage {
    pub t: &'static BTreeMap<String, String>,
    pub layout: Layout,
    pub groups: Vec<FactGroup>,
    /// The EU's country codes, comma-separated, for the cap table's live computation.
    pub eu: String,
}

#[derive(Serialize)]
pub struct FactGroup {
    pub name: String,
    pub description: String,
    pub facts: Vec<FactInput>,
}

#[derive(Serialize)]
pub struct FactInput {
    pub path: String,
    pub name: String,
    pub description: String,
    pub type_label: String,
    /// `boolean`, `integer`, `number`, `date`, `select`, `text`, `multi`, `lines` or `table`.
    pub input: &'static str,
    pub value: String,
    pub choices: Vec<Choice>,
    /// A list or table whose value is unknown (`null`).
    pub unknown: bool,
    pub unknown_value: &'static str,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    pub blank_row: Vec<Cell>,
    pub cap_table: bool,
}

#[derive(Serialize)]
pub struct Column {
    pub name: String,
    pub description: String,
}

#[derive(Serialize)]
pub struct Cell {
    pub name: String,
    pub field: String,
    pub input: &'static str,
    pub value: String,
    pub choices: Vec<Choice>,
}

fn at_path<'j>(facts: &'j Json, path: &str) -> &'j Json {
    path.split('.')
        .try_fold(facts, |node, segment| node.get(segment))
        .unwrap_or(&Json::Null)
}

fn text_of(value: &Json) -> String {
    match value {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn scalar_input(scalar: &Scalar) -> &'static str {
    match scalar {
        Scalar::Boolean => "boolean",
        Scalar::Integer => "integer",
        Scalar::Number | Scalar::Percent => "number",
        Scalar::Date => "date",
        Scalar::Country | Scalar::Language | Scalar::Enum(_) => "select",
        Scalar::String => "text",
    }
}

fn scalar_choices(lang: Lang, scalar: &Scalar, eu: &[String], selected: &[String]) -> Vec<Choice> {
    let blank = || Choice {
        value: String::new(),
        label: t(lang, "serve_unknown").to_owned(),
        selected: selected.is_empty(),
    };
    let make = |value: &str, label: String| Choice {
        selected: selected.iter().any(|s| s == value),
        value: value.to_owned(),
        label,
    };
    match scalar {
        Scalar::Boolean => vec![
            blank(),
            make("true", t(lang, "serve_yes").to_owned()),
            make("false", t(lang, "serve_no").to_owned()),
        ],
        Scalar::Country => std::iter::once(blank())
            .chain(crate::pack::COUNTRIES.iter().map(|c| {
                let label = if eu.iter().any(|e| e == c) {
                    format!("{c} ({})", t(lang, "serve_eu"))
                } else {
                    (*c).to_owned()
                };
                make(c, label)
            }))
            .collect(),
        Scalar::Language => std::iter::once(blank())
            .chain(
                crate::pack::LANGUAGES
                    .iter()
                    .map(|c| make(c, (*c).to_owned())),
            )
            .collect(),
        Scalar::Enum(values) => std::iter::once(blank())
            .chain(values.iter().map(|v| make(v, v.clone())))
            .collect(),
        _ => Vec::new(),
    }
}

fn fact_input(lang: Lang, fact: &FactDecl, value: &Json, eu: &[String]) -> FactInput {
    let name = fact_field(&fact.path);
    let mut input = FactInput {
        path: fact.path.clone(),
        name: name.clone(),
        description: fact.description.get(lang).to_owned(),
        type_label: fact.ty.describe(lang),
        input: "text",
        value: String::new(),
        choices: Vec::new(),
        unknown: value.is_null(),
        unknown_value: UNKNOWN,
        columns: Vec::new(),
        rows: Vec::new(),
        blank_row: Vec::new(),
        cap_table: fact.path == "company.shareholders",
    };
    match &fact.ty {
        FactType::Scalar(scalar) => {
            input.input = scalar_input(scalar);
            input.value = text_of(value);
            let selected: Vec<String> = if value.is_null() {
                Vec::new()
            } else {
                vec![text_of(value)]
            };
            input.choices = scalar_choices(lang, scalar, eu, &selected);
        }
        FactType::List(scalar) => {
            let items: Vec<String> = value
                .as_array()
                .map_or_else(Vec::new, |a| a.iter().map(text_of).collect());
            match scalar {
                Scalar::Country | Scalar::Language | Scalar::Enum(_) => {
                    input.input = "multi";
                    input.choices = scalar_choices(lang, scalar, eu, &items);
                    input.choices.retain(|c| !c.value.is_empty());
                }
                _ => {
                    input.input = "lines";
                    input.value = items.join("\n");
                }
            }
        }
        FactType::Objects(fields) => {
            input.input = "table";
            input.columns = fields
                .iter()
                .map(|f| Column {
                    name: f.name.clone(),
                    description: f.description.get(lang).to_owned(),
                })
                .collect();
            let row = |object: &Json| -> Vec<Cell> {
                fields
                    .iter()
                    .map(|f| {
                        let cell = object.get(&f.name).unwrap_or(&Json::Null);
                        let text = if f.list {
                            cell.as_array().map_or_else(String::new, |a| {
                                a.iter().map(text_of).collect::<Vec<_>>().join(", ")
                            })
                        } else {
                            text_of(cell)
                        };
                        let kind = if f.list { "text" } else { scalar_input(&f.ty) };
                        let selected: Vec<String> = if text.is_empty() {
                            Vec::new()
                        } else {
                            vec![text.clone()]
                        };
                        Cell {
                            name: format!("{name}.{}", f.name),
                            field: f.name.clone(),
                            input: kind,
                            choices: if kind == "select" || kind == "boolean" {
                                scalar_choices(lang, &f.ty, eu, &selected)
                            } else {
                                Vec::new()
                            },
                            value: text,
                        }
                    })
                    .collect()
            };
            input.rows = value
                .as_array()
                .map_or_else(Vec::new, |a| a.iter().map(row).collect());
            input.blank_row = row(&Json::Null);
        }
    }
    input
}

pub fn facts(app: &App, current: &Current) -> FactsPage {
    let lang = app.config.lang;
    let pack = &app.pack;
    let eu: Vec<String> = pack
        .constants
        .get("EU")
        .and_then(Json::as_array)
        .map_or_else(Vec::new, |a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        });
    let mut groups: Vec<FactGroup> = Vec::new();
    for fact in &pack.facts {
        let group = fact.path.split('.').next().unwrap_or_default();
        if groups.last().is_none_or(|g| g.name != group) {
            groups.push(FactGroup {
                name: group.to_owned(),
                description: pack
                    .fact_groups
                    .get(group)
                    .map(|d| d.get(lang).to_owned())
                    .unwrap_or_default(),
                facts: Vec::new(),
            });
        }
        let value = at_path(&current.assessment.facts, &fact.path);
        if let Some(g) = groups.last_mut() {
            g.facts.push(fact_input(lang, fact, value, &eu));
        }
    }
    FactsPage {
        t: catalog(lang),
        layout: {
            let mut l = layout(app, current, None);
            l.on_facts = true;
            l
        },
        groups,
        eu: eu.join(","),
    }
}

// ---------------------------------------------------------------------------------------------------------------

#[derive(Serialize)]
pub struct InitPage {
    pub t: &'static BTreeMap<String, String>,
    pub lang: &'static str,
    pub file: String,
    pub types: Vec<Choice>,
    pub layers: Vec<Choice>,
}

pub fn init(app: &App) -> InitPage {
    let lang = app.config.lang;
    let all = |skip_saas: bool| -> Vec<Choice> {
        ServiceType::ALL
            .iter()
            .filter(|s| !(skip_saas && **s == ServiceType::SaaS))
            .map(|s| Choice {
                value: s.as_str().to_owned(),
                label: s.to_string(),
                selected: false,
            })
            .collect()
    };
    InitPage {
        t: catalog(lang),
        lang: lang.as_str(),
        file: app.display(),
        types: all(false),
        layers: all(true),
    }
}

#[derive(Serialize)]
pub struct BrokenPage {
    pub t: &'static BTreeMap<String, String>,
    pub lang: &'static str,
    pub file: String,
    pub error: String,
}

pub fn broken(app: &App, error: &Error) -> BrokenPage {
    let lang = app.config.lang;
    BrokenPage {
        t: catalog(lang),
        lang: lang.as_str(),
        file: app.display(),
        error: error.render(lang),
    }
}

// ---------------------------------------------------------------------------------------------------------------

/// The answer to a save: the new version, the live readiness and score, the chapters' progress, and the
/// requirement's verdict as an HTML fragment.
#[derive(Serialize)]
pub struct Saved {
    pub version: String,
    pub readiness: &'static str,
    pub readiness_label: &'static str,
    pub score: String,
    pub nav: Vec<NavItem>,
    pub verdict_html: String,
}

pub fn saved(app: &App, current: &Current, requirement: Option<&str>) -> Saved {
    let lang = app.config.lang;
    let report = &current.report;
    let verdict_html = requirement
        .and_then(|id| report.requirements.iter().find(|r| r.id.as_str() == id))
        .and_then(|r| app.pages.render("verdict", &verdict_view(lang, r)).ok())
        .unwrap_or_default();
    Saved {
        version: current.version.clone(),
        readiness: report.readiness.as_str(),
        readiness_label: label(lang, report.readiness),
        score: score_text(lang, report.score.overall),
        nav: nav(app, report, None),
        verdict_html,
    }
}
