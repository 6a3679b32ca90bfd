//! The portfolio: many vendors' assessments evaluated in parallel on one date, one row per vendor, for programme
//! staff (docs/portfolio.md). A file that cannot be evaluated is listed with its located error and does not stop
//! the others.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;
use serde::Serialize;

use crate::assessment::limits::Limits;
use crate::engine::RunInputs;
use crate::engine::gate::policy::Policy;
use crate::engine::score::Readiness;
use crate::model::error::Error;
use crate::model::i18n::{Word, catalog, label, number, t};
use crate::model::terminal::visible;
use crate::model::{Kind, Lang, ServiceType, Severity, Status};
use crate::msg;
use crate::pack::Pack;
use crate::report::{PackInfo, Report, Tool};

/// Version of the JSON portfolio format.
pub const PORTFOLIO_VERSION: u32 = 1;

/// The sections whose critical requirements decide eligibility: 19.6 (seat, capital and votes, control of
/// third parties) and 19.2 (data and administration in the EU).
pub const ELIGIBILITY_SECTIONS: [&str; 2] = ["19.6", "19.2"];

/// Eligibility under one section, from the verdicts of its applicable critical requirements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Eligibility {
    /// Every applicable critical requirement of the section is met.
    Eligible,
    /// At least one is `non_compliant`.
    Ineligible,
    /// Otherwise: some are `partially_compliant` or `not_assessed`, none `non_compliant`.
    Unknown,
}

impl Eligibility {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Eligibility::Eligible => "eligible",
            Eligibility::Ineligible => "ineligible",
            Eligibility::Unknown => "unknown",
        }
    }

    /// Sort rank, worst first.
    fn rank(self) -> u8 {
        match self {
            Eligibility::Ineligible => 0,
            Eligibility::Unknown => 1,
            Eligibility::Eligible => 2,
        }
    }
}

impl Word for Eligibility {
    const PREFIX: &'static str = "eligibility";
    fn name(self) -> &'static str {
        self.as_str()
    }
}

/// Eligibility of a report under `section` (`19.6`, `19.2`).
#[must_use]
pub fn eligibility(report: &Report, section: &str) -> Eligibility {
    let critical: Vec<Status> = report
        .requirements
        .iter()
        .filter(|r| {
            r.applicable
                && r.kind == Kind::Requirement
                && r.severity == Severity::Critical
                && r.id.section() == section
        })
        .map(|r| r.verdict)
        .collect();
    if critical.contains(&Status::NonCompliant) {
        Eligibility::Ineligible
    } else if !critical.is_empty() && critical.iter().all(|v| v.is_met()) {
        Eligibility::Eligible
    } else {
        Eligibility::Unknown
    }
}

#[derive(Serialize, Debug, Clone)]
pub struct EligibilityView {
    #[serde(rename = "19.6")]
    pub section_19_6: Eligibility,
    #[serde(rename = "19.2")]
    pub section_19_2: Eligibility,
}

#[derive(Serialize, Debug, Clone)]
pub struct ChapterHead {
    pub chapter: String,
    pub title: String,
}

#[derive(Serialize, Debug, Clone)]
pub struct ChapterCell {
    pub chapter: String,
    /// `null` when the chapter has no applicable requirement for this service.
    pub score: Option<f64>,
}

/// One vendor's row.
#[derive(Serialize, Debug, Clone)]
pub struct VendorRow {
    /// The assessment file as named on the command line (or found in the folder).
    pub file: String,
    pub vendor: String,
    pub service: String,
    pub service_types: Vec<ServiceType>,
    pub readiness: Readiness,
    pub score: f64,
    pub eligibility: EligibilityView,
    /// Applicable critical requirements not met.
    pub critical_gaps: u32,
    /// Applicable requirements whose newest evidence is too old (`evidence-stale`).
    pub stale_evidence: u32,
    /// Requirements the pack applies but the vendor declared not applicable (`declared-not-applicable`).
    pub declared_not_applicable: u32,
    pub as_of: NaiveDate,
    pub assessment_digest: String,
    /// One cell per chapter of the pack, in pack order.
    pub chapters: Vec<ChapterCell>,
}

/// A file that could not be evaluated, with every located problem.
#[derive(Serialize, Debug, Clone)]
pub struct FileError {
    pub file: String,
    pub message: String,
}

#[derive(Serialize, Debug, Clone)]
pub struct Portfolio {
    pub portfolio_version: u32,
    pub tool: Tool,
    pub pack: PackInfo,
    pub as_of: NaiveDate,
    pub lang: Lang,
    pub chapters: Vec<ChapterHead>,
    /// In input order.
    pub vendors: Vec<VendorRow>,
    /// In input order.
    pub errors: Vec<FileError>,
}

/// Expands the command line into assessment files: a folder gives its `*.json`, `*.xlsx` and `*.ods` files sorted
/// by name, a file is
/// taken as is. Order is kept.
pub fn inputs(args: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    for arg in args {
        if arg.is_dir() {
            let entries = std::fs::read_dir(arg).map_err(|e| Error::io(arg, msg!("io.list"), e))?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_file()
                        && (p
                            .extension()
                            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
                            || crate::assessment::workbook::is_workbook(p))
                })
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(Error::Usage(msg!(
                    "cli.no_assessment_in_folder",
                    dir = arg.display().to_string()
                )));
            }
            files.extend(found);
        } else {
            files.push(arg.clone());
        }
    }
    Ok(files)
}

/// Reports progress: files done, files in all. Called from worker threads.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// Evaluates every file on `as_of`, in parallel over the available cores; rows and errors keep input order.
#[must_use]
pub fn evaluate(
    pack: &Pack,
    files: &[PathBuf],
    as_of: NaiveDate,
    lang: Lang,
    progress: Option<Progress<'_>>,
) -> Portfolio {
    let results = evaluate_all(pack, files, as_of, lang, progress);
    let mut vendors = Vec::new();
    let mut errors = Vec::new();
    for (path, result) in files.iter().zip(results) {
        match result {
            Ok(row) => vendors.push(row),
            Err(e) => errors.push(FileError {
                file: path.display().to_string(),
                message: e.render(lang),
            }),
        }
    }
    Portfolio {
        portfolio_version: PORTFOLIO_VERSION,
        tool: Tool::current(),
        pack: PackInfo::of(pack),
        as_of,
        lang,
        chapters: pack
            .chapters
            .iter()
            .map(|c| ChapterHead {
                chapter: c.number.clone(),
                title: c.title.get(lang).to_owned(),
            })
            .collect(),
        vendors,
        errors,
    }
}

/// Each file's row, or why it could not be evaluated. A worker reduces each report to its row at once, so that
/// memory holds one report per worker, not one per vendor.
fn evaluate_all(
    pack: &Pack,
    files: &[PathBuf],
    as_of: NaiveDate,
    lang: Lang,
    progress: Option<Progress<'_>>,
) -> Vec<Result<VendorRow, Error>> {
    let workers = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(files.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let policy = Policy::default();
    let mut indexed: Vec<(usize, Result<VendorRow, Error>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut local = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = files.get(i) else { break };
                        let inputs = RunInputs {
                            as_of,
                            policy: &policy,
                            baseline: None,
                            review: None,
                        };
                        let result = crate::report::evaluate_file(
                            pack,
                            path,
                            &inputs,
                            &Limits::default(),
                            lang,
                        );
                        let row =
                            result.map(|report| row(path.display().to_string(), &report, pack));
                        local.push((i, row));
                        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                        if let Some(report) = progress {
                            report(n, files.len());
                        }
                    }
                    local
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    indexed.sort_by_key(|(i, _)| *i);
    let mut by_index: BTreeMap<usize, Result<VendorRow, Error>> = indexed.into_iter().collect();
    (0..files.len())
        .map(|i| {
            by_index.remove(&i).unwrap_or_else(|| {
                Err(Error::Usage(msg!(
                    "cli.evaluation_lost",
                    file = files[i].display().to_string()
                )))
            })
        })
        .collect()
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn row(file: String, report: &Report, pack: &Pack) -> VendorRow {
    let applicable = || {
        report
            .requirements
            .iter()
            .filter(|r| r.applicable && r.kind == Kind::Requirement)
    };
    let scores: BTreeMap<&str, f64> = report
        .score
        .chapters
        .iter()
        .map(|c| (c.chapter.as_str(), c.score))
        .collect();
    VendorRow {
        file,
        vendor: report.assessment.vendor.clone(),
        service: report.assessment.service.clone(),
        service_types: report.assessment.service_types.clone(),
        readiness: report.readiness,
        score: report.score.overall,
        eligibility: EligibilityView {
            section_19_6: eligibility(report, ELIGIBILITY_SECTIONS[0]),
            section_19_2: eligibility(report, ELIGIBILITY_SECTIONS[1]),
        },
        critical_gaps: count(
            applicable()
                .filter(|r| r.severity == Severity::Critical && !r.verdict.is_met())
                .count(),
        ),
        stale_evidence: count(
            applicable()
                .filter(|r| r.findings.iter().any(|f| f.code == "evidence-stale"))
                .count(),
        ),
        declared_not_applicable: count(
            report
                .requirements
                .iter()
                .filter(|r| {
                    r.findings
                        .iter()
                        .any(|f| f.code == "declared-not-applicable")
                })
                .count(),
        ),
        as_of: report.as_of,
        assessment_digest: report.assessment.digest.clone(),
        chapters: pack
            .chapters
            .iter()
            .map(|c| ChapterCell {
                chapter: c.number.clone(),
                score: scores.get(c.number.as_str()).copied(),
            })
            .collect(),
    }
}

impl Portfolio {
    /// Pretty JSON with a final newline.
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut out = serde_json::to_string_pretty(self).unwrap_or_default();
        out.push('\n');
        out
    }

    /// CSV (RFC 4180) with stable English column names and vocabulary codes, one row per vendor.
    #[must_use]
    pub fn to_csv(&self) -> String {
        let mut rows: Vec<Vec<String>> = Vec::with_capacity(self.vendors.len() + 1);
        let mut header: Vec<String> = [
            "file",
            "vendor",
            "service",
            "service_types",
            "readiness",
            "score",
            "eligibility_19_6",
            "eligibility_19_2",
            "critical_gaps",
            "stale_evidence",
            "declared_not_applicable",
            "as_of",
            "assessment_digest",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        header.extend(
            self.chapters
                .iter()
                .map(|c| format!("chapter_{}", c.chapter)),
        );
        rows.push(header);
        for v in &self.vendors {
            let mut cells = vec![
                v.file.clone(),
                v.vendor.clone(),
                v.service.clone(),
                v.service_types
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" "),
                v.readiness.as_str().to_owned(),
                format!("{:.1}", v.score),
                v.eligibility.section_19_6.as_str().to_owned(),
                v.eligibility.section_19_2.as_str().to_owned(),
                v.critical_gaps.to_string(),
                v.stale_evidence.to_string(),
                v.declared_not_applicable.to_string(),
                v.as_of.to_string(),
                v.assessment_digest.clone(),
            ];
            cells.extend(
                v.chapters
                    .iter()
                    .map(|c| c.score.map(|s| format!("{s:.1}")).unwrap_or_default()),
            );
            rows.push(cells);
        }
        crate::report::csv::table(&rows)
    }

    /// A terminal table: one line per vendor, then the files that could not be evaluated.
    #[must_use]
    pub fn render_text(&self) -> String {
        let lang = self.lang;
        let colon = t(lang, "colon");
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} — {} {} · {} {}",
            t(lang, "portfolio_title"),
            self.pack.id,
            self.pack.version,
            t(lang, "as_of").to_lowercase(),
            self.as_of
        );
        let _ = writeln!(
            out,
            "\n{:<28} {:<24} {:>6}  {:<12} {:<12} {:>4} {:>4} {:>4}",
            t(lang, "vendor"),
            t(lang, "readiness"),
            t(lang, "score"),
            "19.6",
            "19.2",
            t(lang, "portfolio_critical_short"),
            t(lang, "portfolio_stale_short"),
            t(lang, "portfolio_declared_na_short"),
        );
        for v in &self.vendors {
            let vendor: String = visible(&v.vendor).chars().take(28).collect();
            let _ = writeln!(
                out,
                "{vendor:<28} {:<24} {:>6}  {:<12} {:<12} {:>4} {:>4} {:>4}",
                label(lang, v.readiness),
                number(lang, v.score, 1),
                label(lang, v.eligibility.section_19_6),
                label(lang, v.eligibility.section_19_2),
                v.critical_gaps,
                v.stale_evidence,
                v.declared_not_applicable,
            );
        }
        let _ = writeln!(
            out,
            "\n{}{colon}{} · {}{colon}{}",
            t(lang, "portfolio_evaluated"),
            self.vendors.len(),
            t(lang, "portfolio_errors"),
            self.errors.len()
        );
        for e in &self.errors {
            let _ = writeln!(out, "\n{}:\n{}", visible(&e.file), e.message);
        }
        out
    }
}

// ---- The view model of portfolio.html.hbs and portfolio.md.hbs (docs/templates.md). ----

#[derive(Serialize)]
pub struct PortfolioView<'a> {
    pub t: &'static BTreeMap<String, String>,
    pub lang: &'static str,
    pub portfolio: &'a Portfolio,
    pub pack_name: &'a str,
    pub rows: Vec<RowView>,
    pub heatmap: HeatMap,
    /// Vendors per readiness level, worst first.
    pub readiness_counts: Vec<CountItem>,
    pub eligible_count: usize,
    /// Files that could not be evaluated.
    pub errors: Vec<ErrorItem>,
}

#[derive(Serialize)]
pub struct ErrorItem {
    pub file: String,
    /// The full message, with carets under the places (for a `<pre>`).
    pub message: String,
    /// One line per problem, without the source excerpts (for Markdown).
    pub lines: Vec<String>,
}

#[derive(Serialize)]
pub struct CountItem {
    pub label: &'static str,
    pub class: &'static str,
    pub count: usize,
}

#[derive(Serialize)]
pub struct RowView {
    pub file: String,
    pub vendor: String,
    pub service: String,
    pub readiness_label: &'static str,
    pub readiness_class: &'static str,
    /// 0 (ineligible) to 3 (qualification ready), for sorting.
    pub readiness_rank: u8,
    /// The score with one decimal, in the language's format.
    pub score: String,
    /// The score as a number (`69.3`), for sorting.
    pub score_rank: f64,
    pub eligibility_19_6: EligibilityCell,
    pub eligibility_19_2: EligibilityCell,
    pub critical_gaps: u32,
    pub stale_evidence: u32,
    pub declared_not_applicable: u32,
    pub as_of: String,
}

#[derive(Serialize)]
pub struct EligibilityCell {
    pub label: &'static str,
    pub class: &'static str,
    pub rank: u8,
}

#[derive(Serialize)]
pub struct HeatMap {
    pub width: u32,
    pub height: u32,
    pub label_width: u32,
    pub cell_width: u32,
    pub cell_height: u32,
    pub header_y: u32,
    pub columns: Vec<HeatColumn>,
    pub rows: Vec<HeatRow>,
}

#[derive(Serialize)]
pub struct HeatColumn {
    pub chapter: String,
    pub title: String,
    pub text_x: u32,
}

#[derive(Serialize)]
pub struct HeatRow {
    pub vendor: String,
    pub y: u32,
    pub text_y: u32,
    pub cells: Vec<HeatCell>,
}

#[derive(Serialize)]
pub struct HeatCell {
    pub chapter: String,
    pub x: u32,
    pub text_x: u32,
    /// The score rounded to a whole number, or `–` when the chapter does not apply.
    pub text: String,
    /// The score with one decimal, or the "not applicable" label.
    pub score: String,
    /// `ok` (≥ 90), `partial` (≥ 60), `ko`, or `na`.
    pub class: &'static str,
}

fn readiness_rank(r: Readiness) -> u8 {
    match r {
        Readiness::Ineligible => 0,
        Readiness::NotReady => 1,
        Readiness::AuditReady => 2,
        Readiness::QualificationReady => 3,
    }
}

fn eligibility_cell(lang: Lang, e: Eligibility) -> EligibilityCell {
    EligibilityCell {
        label: label(lang, e),
        class: match e {
            Eligibility::Eligible => "ok",
            Eligibility::Ineligible => "ko",
            Eligibility::Unknown => "unknown",
        },
        rank: e.rank(),
    }
}

impl<'a> PortfolioView<'a> {
    #[must_use]
    pub fn build(portfolio: &'a Portfolio, pack: &'a Pack) -> PortfolioView<'a> {
        let lang = portfolio.lang;
        let rows = portfolio
            .vendors
            .iter()
            .map(|v| RowView {
                file: v.file.clone(),
                vendor: v.vendor.clone(),
                service: v.service.clone(),
                readiness_label: label(lang, v.readiness),
                readiness_class: v.readiness.as_str(),
                readiness_rank: readiness_rank(v.readiness),
                score: number(lang, v.score, 1),
                score_rank: v.score,
                eligibility_19_6: eligibility_cell(lang, v.eligibility.section_19_6),
                eligibility_19_2: eligibility_cell(lang, v.eligibility.section_19_2),
                critical_gaps: v.critical_gaps,
                stale_evidence: v.stale_evidence,
                declared_not_applicable: v.declared_not_applicable,
                as_of: v.as_of.to_string(),
            })
            .collect();
        let (label_width, cell_width, cell_height, header) = (240_u32, 44_u32, 26_u32, 28_u32);
        let columns: Vec<HeatColumn> = portfolio
            .chapters
            .iter()
            .zip(0_u32..)
            .map(|(c, i)| HeatColumn {
                chapter: c.chapter.clone(),
                title: c.title.clone(),
                text_x: label_width + i * cell_width + cell_width / 2,
            })
            .collect();
        let heat_rows: Vec<HeatRow> = portfolio
            .vendors
            .iter()
            .zip(0_u32..)
            .map(|(v, i)| {
                let y = header + i * cell_height;
                HeatRow {
                    vendor: shorten(&v.vendor, 34),
                    y,
                    text_y: y + cell_height / 2 + 4,
                    cells: v
                        .chapters
                        .iter()
                        .zip(0_u32..)
                        .map(|(c, j)| {
                            let x = label_width + j * cell_width;
                            match c.score {
                                Some(s) => HeatCell {
                                    chapter: c.chapter.clone(),
                                    x,
                                    text_x: x + cell_width / 2,
                                    text: format!("{s:.0}"),
                                    score: number(lang, s, 1),
                                    class: crate::report::score_class(s),
                                },
                                None => HeatCell {
                                    chapter: c.chapter.clone(),
                                    x,
                                    text_x: x + cell_width / 2,
                                    text: "–".to_owned(),
                                    score: label(lang, Status::NotApplicable).to_owned(),
                                    class: "na",
                                },
                            }
                        })
                        .collect(),
                }
            })
            .collect();
        let heatmap = HeatMap {
            width: label_width + count(columns.len()) * cell_width + 4,
            height: header + count(heat_rows.len()) * cell_height + 4,
            label_width,
            cell_width,
            cell_height,
            header_y: header - 10,
            columns,
            rows: heat_rows,
        };
        let readiness_counts = Readiness::ALL
            .iter()
            .map(|r| CountItem {
                label: label(lang, *r),
                class: r.as_str(),
                count: portfolio
                    .vendors
                    .iter()
                    .filter(|v| v.readiness == *r)
                    .count(),
            })
            .collect();
        let errors = portfolio
            .errors
            .iter()
            .map(|e| ErrorItem {
                file: e.file.clone(),
                message: e.message.clone(),
                lines: e
                    .message
                    .lines()
                    .filter_map(|l| l.strip_prefix(t(lang, "error.prefix")))
                    .map(str::to_owned)
                    .collect(),
            })
            .collect();
        PortfolioView {
            errors,
            t: catalog(lang),
            lang: lang.as_str(),
            portfolio,
            pack_name: pack.name.get(lang),
            rows,
            heatmap,
            readiness_counts,
            eligible_count: portfolio
                .vendors
                .iter()
                .filter(|v| {
                    v.eligibility.section_19_6 == Eligibility::Eligible
                        && v.eligibility.section_19_2 == Eligibility::Eligible
                })
                .count(),
        }
    }
}

/// At most `max` characters, with an ellipsis.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}
