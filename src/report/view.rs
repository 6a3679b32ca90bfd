//! The view model of the HTML and Markdown templates: the report arranged in sections, every label in the
//! report's language, every list an array in display order (documented in docs/templates.md).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::model::i18n::{catalog, label, number, t};
use crate::model::{Kind, Lang, Severity, Status};
use crate::pack::Pack;

use super::{FindingView, Report, RequirementView};
use crate::engine::result::FactValue;

#[derive(Serialize)]
pub struct View<'a> {
    /// Labels of the report's language: `{{t.vendor}}`.
    pub t: &'static BTreeMap<String, String>,
    pub lang: &'static str,
    pub report: &'a Report,
    pub pack_name: &'a str,
    pub readiness_label: &'static str,
    pub readiness_class: &'static str,
    /// The label of the next readiness level, empty at the top.
    pub readiness_next_label: &'static str,
    /// The requirement ids the next level still needs, comma-separated, in pack order.
    pub readiness_next_ids: String,
    /// Overall score with one decimal.
    pub score: String,
    /// The overall score as shown: `score`, or "not applicable" when it means nothing yet.
    pub score_display: String,
    /// Why the score is shown as not applicable; `null` when it is shown.
    pub score_caveat: Option<&'static str>,
    /// One sentence saying why the vendor is ineligible; `null` when eligible.
    pub ineligible_because: Option<String>,
    /// Answers, evidence and facts filled in, one line each.
    pub progress: Vec<ProgressLine>,
    /// Every readiness level, worst first, the current one marked.
    pub ladder: Vec<LadderStep>,
    /// The requirements to close first, ranked by what unlocks the next level soonest (at most ten).
    pub first_actions: Vec<ActionItem<'a>>,
    /// Applicable requirements with no answer: one compact table, not cards.
    pub not_assessed: Vec<RowItem<'a>>,
    /// The running header of a printed page (vendor, service, date) as a quoted CSS string, every character
    /// but ASCII letters, digits and spaces escaped: vendor text cannot leave the string or the style sheet.
    pub print_header: String,
    pub gate_label: &'static str,
    pub service_types: String,
    pub built_on: Vec<BuiltOnItem>,
    pub chart: Chart,
    pub critical_gaps: Vec<GapItem<'a>>,
    /// The other gaps, chapter by chapter: one flat list whose entries mark where a chapter starts and ends
    /// (docs/templates.md, "grouped lists"), which custom templates rendered by handlebars-rust walk faster than
    /// nested lists.
    pub gaps: Vec<InChapter<'a, GapItem<'a>>>,
    pub contradictions: Vec<GapItem<'a>>,
    pub evidence_issues: Vec<GapItem<'a>>,
    pub inherited: Vec<RowItem<'a>>,
    pub roadmap: Vec<RowItem<'a>>,
    pub recommendations: Vec<RowItem<'a>>,
    /// Every applicable requirement as a row, chapter by chapter (flat, as `gaps`).
    pub appendix: Vec<InChapter<'a, RowItem<'a>>>,
    pub unknown_answers: Vec<String>,
    /// Requirements that do not apply to the service's types or layers, or whose condition is false.
    pub not_applicable_count: usize,
    /// Verdicts set by a reviewer file, in pack order; empty without `--review`.
    pub reviews: Vec<ReviewItem>,
    /// The gate's policy in words: its file and digest, or the built-in defaults.
    pub policy_line: String,
    /// Every waiver of the policy in words: requirement, expiry, who approved it, what it did, why.
    pub waivers: Vec<String>,
    /// The reviewer's notes (`[[note]]`), in file order.
    pub review_notes: Vec<NoteItem>,
    /// The reviewer's evidence requests (`[[request]]`), in file order.
    pub review_requests: Vec<RequestItem>,
    /// Overrides that may be stale (written for another submission), comma-separated; empty otherwise.
    pub stale_decisions: String,
}

/// A reviewer's note.
#[derive(Serialize)]
pub struct NoteItem {
    /// The requirement, or empty for the whole assessment.
    pub id: String,
    pub text: String,
    pub reviewer: String,
    pub date: String,
}

/// An evidence request and its state on the evaluation date.
#[derive(Serialize)]
pub struct RequestItem {
    pub id: String,
    pub evidence: String,
    pub reviewer: String,
    pub date: String,
    pub due: String,
    /// The colour class of the state: `partial` (open), `ko` (overdue), `ok` (closed).
    pub state: &'static str,
    pub state_label: &'static str,
}

/// A reviewer's decision next to what the vendor declared and what the engine found.
#[derive(Serialize)]
pub struct ReviewItem {
    pub id: String,
    pub title: String,
    pub declared_label: &'static str,
    /// The vendor's comment or justification, if any.
    pub vendor_note: Option<String>,
    pub engine_label: &'static str,
    pub engine_class: &'static str,
    pub verdict_label: &'static str,
    pub verdict_class: &'static str,
    pub reviewer: String,
    pub date: String,
    pub reason: String,
}

/// One line of progress: `done` of `total`, and the percentage.
#[derive(Serialize)]
pub struct ProgressLine {
    pub label: &'static str,
    pub done: u32,
    pub total: u32,
    pub percent: u32,
}

/// A step of the readiness ladder.
#[derive(Serialize)]
pub struct LadderStep {
    pub label: &'static str,
    /// `passed`, `current` or `ahead`.
    pub class: &'static str,
    pub current: bool,
}

/// One of the first actions: the requirement as a row, and why it ranks here (empty for a plain gap).
#[derive(Serialize)]
pub struct ActionItem<'a> {
    #[serde(flatten)]
    pub row: RowItem<'a>,
    pub rank: usize,
    pub why: String,
}

#[derive(Serialize)]
pub struct BuiltOnItem {
    pub layer: String,
    pub provider: String,
    pub qualification: String,
}

#[derive(Serialize)]
pub struct Chart {
    pub width: u32,
    pub height: u32,
    pub label_width: u32,
    pub bar_width: u32,
    pub bars: Vec<Bar>,
}

#[derive(Serialize)]
pub struct Bar {
    pub chapter: String,
    pub title: String,
    /// The title cut to fit beside the bar.
    pub short_title: String,
    pub score: String,
    pub y: u32,
    pub text_y: u32,
    pub width: u32,
    pub value_x: u32,
    pub class: &'static str,
    pub met: u32,
    pub applicable: u32,
}

/// A requirement shown in full: a gap, a contradiction, an evidence issue. Borrowed from the report: building
/// the view copies no text.
#[derive(Serialize, Clone)]
pub struct GapItem<'a> {
    /// What a row shows: id, title, severity, verdicts, owner, dates.
    #[serde(flatten)]
    pub row: RowItem<'a>,
    pub findings: Vec<FindingItem<'a>>,
    /// The facts read by the failed or missing checks, each once, in the order first met.
    pub facts: Vec<FactItem<'a>>,
    /// Of `facts`, those shown as a value (not a table).
    pub fact_values: Vec<FactItem<'a>>,
    /// Of `facts`, the lists of objects shown as tables.
    pub fact_tables: Vec<FactItem<'a>>,
    pub guidance: &'a str,
    pub evidence: Vec<EvidenceItem<'a>>,
    pub comment: Option<&'a str>,
}

/// A requirement shown as a table row (appendix, roadmap, inherited items, recommendations): what a row shows,
/// without the findings, facts, evidence and guidance of a [`GapItem`] (those are in `report.requirements`).
#[derive(Serialize, Clone)]
pub struct RowItem<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub severity: &'static str,
    pub severity_label: &'static str,
    pub verdict: &'static str,
    pub verdict_label: &'static str,
    pub verdict_class: &'static str,
    pub declared_label: &'static str,
    pub owner: Option<&'a str>,
    pub target_date: Option<String>,
    pub overdue: bool,
    pub inherited_from: Option<&'a str>,
}

/// A fact next to a gap: its path and value, and a list of objects (a cap table) also as a table.
#[derive(Serialize, Clone)]
pub struct FactItem<'a> {
    pub path: &'a str,
    pub value: &'a serde_json::Value,
    /// For a list of objects: columns and rows, the rows a failed check named marked; `null` otherwise.
    pub table: Option<FactTable>,
}

#[derive(Serialize, Clone)]
pub struct FactTable {
    pub columns: Vec<String>,
    pub rows: Vec<FactRow>,
}

#[derive(Serialize, Clone)]
pub struct FactRow {
    pub cells: Vec<String>,
    /// A row a failed check named (its `name` or `concert_group`).
    pub at_fault: bool,
}

/// A list of objects as a table: the columns the vocabulary declares, in its order (headed by their labels),
/// then any other key in the order first met; `None` for any other value.
fn fact_table(pack: &Pack, fact: &FactValue, at_fault: &[String], lang: Lang) -> Option<FactTable> {
    let rows = fact.value.as_array()?;
    if rows.is_empty() || !rows.iter().all(serde_json::Value::is_object) {
        return None;
    }
    let declared: &[crate::pack::FieldDecl] = pack
        .facts
        .iter()
        .find(|f| f.path == fact.path)
        .and_then(|f| match &f.ty {
            crate::pack::FactType::Objects(fields) => Some(fields.as_slice()),
            _ => None,
        })
        .unwrap_or(&[]);
    let present = |key: &str| {
        rows.iter()
            .any(|r| r.get(key).is_some_and(|v| !v.is_null()))
    };
    let mut keys: Vec<(String, String)> = declared
        .iter()
        .filter(|f| present(&f.name))
        .map(|f| {
            (
                f.name.clone(),
                f.label
                    .as_ref()
                    .map_or_else(|| f.name.clone(), |l| l.get(lang).to_owned()),
            )
        })
        .collect();
    for row in rows {
        for (key, value) in row.as_object().into_iter().flatten() {
            if !value.is_null() && !keys.iter().any(|(k, _)| k == key) {
                keys.push((key.clone(), key.clone()));
            }
        }
    }
    let named: Vec<String> = at_fault.iter().map(|n| n.trim().to_lowercase()).collect();
    let names_row = |row: &serde_json::Value| {
        ["name", "concert_group"].iter().any(|k| {
            row.get(*k)
                .and_then(serde_json::Value::as_str)
                .is_some_and(|v| named.contains(&v.trim().to_lowercase()))
        })
    };
    Some(FactTable {
        columns: keys.iter().map(|(_, label)| label.clone()).collect(),
        rows: rows
            .iter()
            .map(|row| FactRow {
                cells: keys
                    .iter()
                    .map(|(k, _)| match row.get(k) {
                        None | Some(serde_json::Value::Null) => "—".to_owned(),
                        Some(v) => crate::engine::detail::value(v, lang),
                    })
                    .collect(),
                at_fault: names_row(row),
            })
            .collect(),
    })
}

/// A finding with every field present (strict mode does not allow an absent `facts`).
#[derive(Serialize, Clone)]
pub struct FindingItem<'a> {
    pub code: &'static str,
    pub message: &'a str,
    pub facts: &'a [FactValue],
}

#[derive(Serialize, Clone)]
pub struct EvidenceItem<'a> {
    pub title: &'a str,
    pub reference: Option<&'a str>,
    /// Set only for an `http`/`https` URL: anything else (`javascript:`, `data:`, a path) is shown as text.
    pub href: Option<String>,
    pub date: Option<String>,
}

/// An entry of a list grouped by chapter: the first of a chapter opens it, the last closes it.
#[derive(Serialize)]
pub struct InChapter<'a, T> {
    /// On a chapter's first entry, its number and title; `null` on the others.
    pub chapter_start: Option<ChapterHead<'a>>,
    /// On a chapter's last entry.
    pub chapter_end: bool,
    #[serde(flatten)]
    pub item: T,
}

#[derive(Serialize, Clone, Copy)]
pub struct ChapterHead<'a> {
    pub chapter: &'a str,
    pub title: &'a str,
}

/// Appends one chapter's entries to a grouped list, marking its first and last.
fn push_chapter<'a, T>(list: &mut Vec<InChapter<'a, T>>, head: ChapterHead<'a>, items: Vec<T>) {
    let final_index = items.len().saturating_sub(1);
    list.extend(items.into_iter().enumerate().map(|(i, item)| InChapter {
        chapter_start: (i == 0).then_some(head),
        chapter_end: i == final_index,
        item,
    }));
}

/// A link target only for plain web URLs; percent-encodes what could end a Markdown link or an attribute.
#[must_use]
pub fn safe_href(reference: &str) -> Option<String> {
    let lower = reference.trim_start().to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return None;
    }
    if reference
        .chars()
        .any(|c| c.is_control() || c.is_whitespace())
    {
        return None;
    }
    let mut out = String::with_capacity(reference.len());
    for c in reference.chars() {
        match c {
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '"' => out.push_str("%22"),
            '\'' => out.push_str("%27"),
            '`' => out.push_str("%60"),
            _ => out.push(c),
        }
    }
    Some(out)
}

/// `text` as a quoted CSS string in which only ASCII letters, digits and spaces are literal.
fn css_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars().filter(|c| !c.is_control()) {
        if c.is_ascii_alphanumeric() || c == ' ' {
            out.push(c);
        } else {
            let _ = write!(out, "\\{:06X}", u32::from(c));
        }
    }
    out.push('"');
    out
}

/// At most `max` characters, cut at a word with an ellipsis.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max - 1).collect();
    let cut = cut
        .rsplit_once(' ')
        .map_or(cut.as_str(), |(head, _)| head)
        .trim_end_matches([',', ' ']);
    format!("{cut}…")
}

/// The CSS (and spreadsheet) class of a verdict: `ok`, `partial`, `ko`, `unknown` or `na`.
#[must_use]
pub fn verdict_class(status: Status) -> &'static str {
    match status {
        Status::Compliant | Status::Inherited => "ok",
        Status::PartiallyCompliant => "partial",
        Status::NonCompliant => "ko",
        Status::NotAssessed => "unknown",
        Status::NotApplicable => "na",
    }
}

/// The labels of every status and severity in one language, looked up once per view rather than once per row
/// (a formatted key and a catalog lookup each, for some 600 rows).
struct Labels {
    statuses: Vec<(Status, &'static str)>,
    severities: Vec<(Severity, &'static str)>,
}

impl Labels {
    fn new(lang: Lang) -> Self {
        Labels {
            statuses: Status::ALL.iter().map(|&s| (s, label(lang, s))).collect(),
            severities: Severity::ALL.iter().map(|&s| (s, label(lang, s))).collect(),
        }
    }

    fn status(&self, status: Status) -> &'static str {
        self.statuses
            .iter()
            .find(|(s, _)| *s == status)
            .map_or("", |(_, label)| label)
    }

    fn severity(&self, severity: Severity) -> &'static str {
        self.severities
            .iter()
            .find(|(s, _)| *s == severity)
            .map_or("", |(_, label)| label)
    }
}

impl<'a> View<'a> {
    /// Arranges a report for the templates.
    #[must_use]
    pub fn build(report: &'a Report, pack: &'a Pack) -> View<'a> {
        let lang = report.lang;
        let overdue = |r: &RequirementView| {
            r.target_date.is_some_and(|d| d < report.as_of) && !r.verdict.is_met()
        };
        let labels = Labels::new(lang);
        let row_item = |r: &'a RequirementView| -> RowItem<'a> {
            RowItem {
                id: r.id.as_str(),
                title: &r.title,
                severity: r.severity.as_str(),
                severity_label: labels.severity(r.severity),
                verdict: r.verdict.as_str(),
                verdict_label: labels.status(r.verdict),
                verdict_class: verdict_class(r.verdict),
                declared_label: labels.status(r.declared),
                owner: r.owner.as_deref(),
                target_date: r.target_date.map(|d| d.to_string()),
                overdue: overdue(r),
                inherited_from: r.inherited_from.as_deref(),
            }
        };
        let item = |r: &'a RequirementView| -> GapItem<'a> {
            let requirement = pack.requirement(&r.id);
            let mut seen: Vec<&FactValue> = Vec::new();
            for f in r.findings.iter().flat_map(|f| &f.facts) {
                if !seen.iter().any(|known| known.path == f.path) {
                    seen.push(f);
                }
            }
            let at_fault: Vec<String> = r
                .findings
                .iter()
                .flat_map(|f| f.at_fault.iter().cloned())
                .collect();
            let facts: Vec<FactItem> = seen
                .into_iter()
                .map(|f| FactItem {
                    path: &f.path,
                    value: &f.value,
                    table: fact_table(pack, f, &at_fault, lang),
                })
                .collect();
            let (fact_tables, fact_values) = facts.iter().cloned().partition(|f| f.table.is_some());
            GapItem {
                row: row_item(r),
                findings: r
                    .findings
                    .iter()
                    .map(|f: &FindingView| FindingItem {
                        code: f.code,
                        message: &f.message,
                        facts: &f.facts,
                    })
                    .collect(),
                facts,
                fact_values,
                fact_tables,
                guidance: requirement.map_or("", |q| q.guidance.get(lang)),
                evidence: r
                    .evidence
                    .iter()
                    .map(|e| EvidenceItem {
                        title: &e.title,
                        reference: e.reference.as_deref(),
                        href: e.reference.as_deref().and_then(safe_href),
                        date: e.date.map(|d| d.to_string()),
                    })
                    .collect(),
                comment: r.comment.as_deref(),
            }
        };
        let requirements = || {
            report
                .requirements
                .iter()
                .filter(|r| r.applicable && r.kind == Kind::Requirement)
        };
        // Unanswered items are listed in one compact table, not as cards.
        let is_card =
            |r: &&RequirementView| !r.verdict.is_met() && r.verdict != Status::NotAssessed;
        let has = |r: &RequirementView, code: &str| r.findings.iter().any(|f| f.code == code);

        // A critical item keeps its card even unanswered.
        let critical_gaps = requirements()
            .filter(|r| !r.verdict.is_met())
            .filter(|r| r.severity == Severity::Critical)
            .map(item)
            .collect();
        let mut gaps = Vec::new();
        let mut appendix = Vec::new();
        for chapter in &pack.chapters {
            let head = ChapterHead {
                chapter: &chapter.number,
                title: chapter.title.get(lang),
            };
            let mut items: Vec<GapItem> = requirements()
                .filter(is_card)
                .filter(|r| r.chapter == chapter.number && r.severity != Severity::Critical)
                .map(item)
                .collect();
            // Stable: by severity, then in document order.
            items.sort_by_key(|g| {
                ["critical", "high", "medium", "low"]
                    .iter()
                    .position(|s| *s == g.row.severity)
            });
            push_chapter(&mut gaps, head, items);
            let rows: Vec<RowItem> = report
                .requirements
                .iter()
                .filter(|r| r.chapter == chapter.number && r.applicable)
                .map(row_item)
                .collect();
            push_chapter(&mut appendix, head, rows);
        }
        let mut roadmap: Vec<RowItem> = requirements().filter(is_card).map(row_item).collect();
        // Dated items first, earliest first; undated after, by id order (stable sort keeps document order).
        roadmap.sort_by(|a, b| match (&a.target_date, &b.target_date) {
            (Some(x), Some(y)) => x.cmp(y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });

        let (label_width, bar_width, row) = (300_u32, 400_u32, 26_u32);
        let bars: Vec<Bar> = report
            .score
            .chapters
            .iter()
            .zip(0_u32..)
            .map(|(c, i)| {
                #[expect(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "a score is 0–100"
                )]
                let width = (c.score * f64::from(bar_width) / 100.0).round() as u32;
                Bar {
                    chapter: c.chapter.clone(),
                    title: c.title.clone(),
                    short_title: shorten(&c.title, 40),
                    score: number(lang, c.score, 1),
                    y: i * row + 4,
                    text_y: i * row + 19,
                    width,
                    value_x: label_width + width + 6,
                    class: if c.score >= 90.0 {
                        "ok"
                    } else if c.score >= 60.0 {
                        "partial"
                    } else {
                        "ko"
                    },
                    met: c.met,
                    applicable: c.applicable,
                }
            })
            .collect();
        let height = u32::try_from(bars.len()).unwrap_or(0) * row + 8;

        View {
            t: catalog(lang),
            lang: lang.as_str(),
            report,
            pack_name: pack.name.get(lang),
            readiness_label: label(lang, report.readiness),
            readiness_class: report.readiness.as_str(),
            readiness_next_label: report
                .readiness_next
                .as_ref()
                .map_or("", |n| label(lang, n.level)),
            readiness_next_ids: report
                .readiness_next
                .as_ref()
                .map_or_else(String::new, |n| {
                    n.missing
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                }),
            score: number(lang, report.score.overall, 1),
            score_display: super::guide::score_display(report),
            score_caveat: super::guide::score_caveat(report),
            ineligible_because: super::guide::ineligible_because(report),
            progress: super::guide::progress_lines(report)
                .into_iter()
                .map(|(label, done, total, percent)| ProgressLine {
                    label,
                    done,
                    total,
                    percent,
                })
                .collect(),
            ladder: crate::engine::score::Readiness::ALL
                .iter()
                .map(|&level| LadderStep {
                    label: label(lang, level),
                    class: match level.cmp(&report.readiness) {
                        std::cmp::Ordering::Less => "passed",
                        std::cmp::Ordering::Equal => "current",
                        std::cmp::Ordering::Greater => "ahead",
                    },
                    current: level == report.readiness,
                })
                .collect(),
            first_actions: super::guide::first_actions(report)
                .iter()
                .enumerate()
                .map(|(i, a)| ActionItem {
                    row: row_item(a.requirement),
                    rank: i + 1,
                    why: a.why_text(report),
                })
                .collect(),
            not_assessed: requirements()
                .filter(|r| r.verdict == Status::NotAssessed)
                .map(row_item)
                .collect(),
            print_header: css_string(&format!(
                "{} — {} — {}",
                shorten(&report.assessment.vendor, 60),
                shorten(&report.assessment.service, 60),
                report.as_of
            )),
            gate_label: if report.gate.passed {
                t(lang, "gate_passed")
            } else {
                t(lang, "gate_failed")
            },
            service_types: report
                .assessment
                .service_types
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            built_on: report
                .assessment
                .built_on
                .iter()
                .map(|b| BuiltOnItem {
                    layer: b.layer.to_string(),
                    provider: b.provider.clone().unwrap_or_else(|| "—".to_owned()),
                    qualification: match (b.secnumcloud_qualified, b.qualification_valid_until) {
                        (Some(true), Some(d)) => {
                            format!("{} ({} {d})", t(lang, "qualified"), t(lang, "valid_until"))
                        }
                        (Some(true), None) => t(lang, "qualified").to_owned(),
                        _ => t(lang, "not_qualified").to_owned(),
                    },
                })
                .collect(),
            chart: Chart {
                width: label_width + bar_width + 60,
                height,
                label_width,
                bar_width,
                bars,
            },
            critical_gaps,
            gaps,
            contradictions: requirements()
                .filter(|r| has(r, "declaration-contradicted"))
                .map(item)
                .collect(),
            evidence_issues: requirements()
                .filter(|r| has(r, "evidence-missing") || has(r, "evidence-stale"))
                .map(item)
                .collect(),
            inherited: requirements()
                .filter(|r| r.verdict == Status::Inherited)
                .map(row_item)
                .collect(),
            roadmap,
            recommendations: report
                .requirements
                .iter()
                .filter(|r| r.applicable && r.kind == Kind::Recommendation)
                .map(row_item)
                .collect(),
            appendix,
            unknown_answers: report.findings.iter().map(|f| f.message.clone()).collect(),
            not_applicable_count: report.requirements.iter().filter(|r| !r.applicable).count(),
            policy_line: super::policy_line(report),
            waivers: report
                .policy
                .waivers
                .iter()
                .map(|w| super::waiver_line(report, w, |text, _| text.to_owned()))
                .collect(),
            reviews: report
                .requirements
                .iter()
                .filter_map(|r| {
                    let review = r.review.as_ref()?;
                    Some(ReviewItem {
                        id: r.id.to_string(),
                        title: r.title.clone(),
                        declared_label: label(lang, r.declared),
                        vendor_note: r.justification.clone().or_else(|| r.comment.clone()),
                        engine_label: label(lang, review.engine_verdict),
                        engine_class: verdict_class(review.engine_verdict),
                        verdict_label: label(lang, r.verdict),
                        verdict_class: verdict_class(r.verdict),
                        reviewer: review.reviewer.clone(),
                        date: review.date.to_string(),
                        reason: review.reason.clone(),
                    })
                })
                .collect(),
            review_notes: report
                .review
                .iter()
                .flat_map(|r| &r.notes)
                .map(|n| NoteItem {
                    id: n.id.as_ref().map(ToString::to_string).unwrap_or_default(),
                    text: n.text.clone(),
                    reviewer: n.reviewer.clone(),
                    date: n.date.to_string(),
                })
                .collect(),
            review_requests: report
                .review
                .iter()
                .flat_map(|r| &r.requests)
                .map(|q| RequestItem {
                    id: q.request.id.to_string(),
                    evidence: q.request.evidence.clone(),
                    reviewer: q.request.reviewer.clone(),
                    date: q.request.date.to_string(),
                    due: q.request.due.to_string(),
                    state: match q.state {
                        "overdue" => "ko",
                        "closed" => "ok",
                        _ => "partial",
                    },
                    state_label: match q.state {
                        "overdue" => crate::model::i18n::t(lang, "request_overdue"),
                        "closed" => crate::model::i18n::t(lang, "request_closed"),
                        _ => crate::model::i18n::t(lang, "request_open"),
                    },
                })
                .collect(),
            stale_decisions: report
                .review
                .iter()
                .flat_map(|r| &r.stale_decisions)
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// The class of a score: the same thresholds as the report's chapter chart.
#[must_use]
pub fn score_class(score: f64) -> &'static str {
    if score >= 90.0 {
        "ok"
    } else if score >= 60.0 {
        "partial"
    } else {
        "ko"
    }
}

#[cfg(test)]
mod tests {
    use super::{ChapterHead, push_chapter, safe_href};

    #[test]
    fn a_grouped_list_marks_each_chapters_first_and_last_entry() {
        let mut list = Vec::new();
        let head = |chapter| ChapterHead {
            chapter,
            title: "t",
        };
        push_chapter(&mut list, head("5"), vec!["a", "b", "c"]);
        push_chapter(&mut list, head("6"), Vec::new());
        push_chapter(&mut list, head("7"), vec!["d"]);
        let marks: Vec<(Option<&str>, bool, &str)> = list
            .iter()
            .map(|e| (e.chapter_start.map(|h| h.chapter), e.chapter_end, e.item))
            .collect();
        assert_eq!(
            marks,
            [
                (Some("5"), false, "a"),
                (None, false, "b"),
                (None, true, "c"),
                (Some("7"), true, "d"),
            ]
        );
    }

    #[test]
    fn vendor_text_cannot_leave_the_css_string() {
        assert_eq!(
            super::css_string("A\"}</style><script>x"),
            "\"A\\000022\\00007D\\00003C\\00002Fstyle\\00003E\\00003Cscript\\00003Ex\""
        );
    }

    #[test]
    fn only_web_urls_become_links() {
        assert_eq!(
            safe_href("https://docs.example/pssi.pdf").as_deref(),
            Some("https://docs.example/pssi.pdf")
        );
        assert_eq!(safe_href("javascript:alert(1)"), None);
        assert_eq!(safe_href(" JavaScript:alert(1)"), None);
        assert_eq!(safe_href("data:text/html,<script>"), None);
        assert_eq!(safe_href("docs/pssi.pdf"), None);
        assert_eq!(safe_href("https://x.example/a b"), None);
        assert_eq!(
            safe_href("https://x.example/a)b\"c").as_deref(),
            Some("https://x.example/a%29b%22c")
        );
    }
}
