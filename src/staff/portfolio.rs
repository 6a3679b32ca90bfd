//! The portfolio: many vendors' assessments evaluated in parallel on one date, one row per vendor, for programme
//! staff (docs/portfolio.md). A file that cannot be evaluated is listed with its located error and does not stop
//! the others.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::assessment::limits::Limits;
use crate::engine::RunInputs;
use crate::engine::gate::policy::Policy;
use crate::engine::review::{self, Review};
use crate::engine::score::Readiness;
use crate::model::error::{Diagnostic, Error};
use crate::model::i18n::{Word, catalog, label, number, t};
use crate::model::terminal::visible;
use crate::model::{Kind, Lang, ServiceType, Severity, Status};
use crate::msg;
use crate::pack::Pack;
use crate::report::{PackInfo, Report, Templates, Tool};

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
    /// The vendor's `vendor.id`, when its latest submission gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor_id: Option<String>,
    /// The latest submission's date: its `submitted_on`, else the date in its file name; `null` when neither.
    pub submitted_on: Option<NaiveDate>,
    /// How many submissions of this vendor the inputs hold.
    pub submissions: u32,
    /// Readiness is `ineligible`, or a critical requirement of 19.6 or 19.2 is non-compliant.
    pub ineligible: bool,
    /// Why the vendor is ineligible: each failing chapter-19 requirement and its one-line message (pack order).
    pub why_ineligible: Vec<Reason>,
    /// Since the previous submission; `null` for a vendor's first (or when the previous could not be evaluated).
    pub trend: Option<Trend>,
    /// The reviewer file applied (`review.toml` beside the submissions).
    pub review: Option<ReviewSummary>,
    /// The vendor's full HTML report, as a file name in the reports folder (`--reports-dir`).
    pub report: Option<String>,
    /// One cell per chapter of the pack, in pack order.
    pub chapters: Vec<ChapterCell>,
}

/// A requirement that makes a vendor ineligible, and why in one line.
#[derive(Serialize, Debug, Clone)]
pub struct Reason {
    pub id: String,
    pub message: String,
}

/// What changed since the vendor's previous submission.
#[derive(Serialize, Debug, Clone)]
pub struct Trend {
    pub previous_file: String,
    pub previous_submitted_on: Option<NaiveDate>,
    pub previous_score: f64,
    /// Latest score minus the previous one, in points, one decimal.
    pub score_delta: f64,
    pub previous_readiness: Readiness,
    pub readiness_change: Change,
    /// Gaps (applicable requirements not met) now that were not before, in pack order.
    pub new_gaps: Vec<String>,
    /// Gaps before that are closed now, in pack order.
    pub closed_gaps: Vec<String>,
}

/// A readiness level compared with the previous one.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Up,
    Same,
    Down,
}

impl Change {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Up => "up",
            Change::Same => "same",
            Change::Down => "down",
        }
    }
}

/// What a vendor's reviewer file holds, counted on the evaluation date.
#[derive(Serialize, Debug, Clone)]
pub struct ReviewSummary {
    pub file: String,
    pub overrides: u32,
    pub notes: u32,
    pub requests: u32,
    /// Evidence requests not closed on the evaluation date.
    pub open_requests: u32,
    /// Open requests past their due date.
    pub overdue_requests: u32,
    /// Overrides decided on an earlier submission (`[vendor] assessment_digest` differs): they may be stale.
    pub stale_decisions: Vec<String>,
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

/// A reviewer file the portfolio applies to the vendor whose submissions sit beside it: `review.toml`.
#[must_use]
pub fn is_review_file(path: &Path) -> bool {
    path.file_stem().is_some_and(|s| s == "review") && path.extension().is_some_and(|e| e == "toml")
}

/// True for a file `snc portfolio` reads as a submission when it walks a folder. The one place that lists the
/// accepted extensions.
#[must_use]
pub fn is_submission(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        || crate::assessment::workbook::is_workbook(path)
}

/// What the command line names: submissions in input order (a folder's, found by walking it, sorted by path) and
/// the reviewer files found in the folders.
#[derive(Debug, Default)]
pub struct Inputs {
    pub files: Vec<PathBuf>,
    pub reviews: Vec<PathBuf>,
}

/// Expands the command line: a folder is walked with its sub-folders (names starting with `.` skipped, symbolic
/// links to folders not followed) for submissions and `review.toml` files; a file is taken as is.
pub fn inputs(args: &[PathBuf]) -> Result<Inputs, Error> {
    let mut found = Inputs::default();
    for arg in args {
        if arg.is_dir() {
            let before = found.files.len();
            walk(arg, &mut found)?;
            if found.files.len() == before {
                return Err(Error::Usage(msg!(
                    "cli.no_assessment_in_folder",
                    dir = arg.display().to_string()
                )));
            }
        } else {
            found.files.push(arg.clone());
        }
    }
    Ok(found)
}

fn walk(dir: &Path, found: &mut Inputs) -> Result<(), Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, msg!("io.list"), e))?;
    let mut entries: Vec<std::fs::DirEntry> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            walk(&path, found)?;
        } else if path.is_file() {
            if is_review_file(&path) {
                found.reviews.push(path);
            } else if is_submission(&path) {
                found.files.push(path);
            }
        }
    }
    Ok(())
}

/// One submission: who it is from and when, read before anything is evaluated.
#[derive(Clone, Debug)]
struct Submission {
    /// Position in the input order.
    index: usize,
    path: PathBuf,
    /// `id:…` from `vendor.id`, else `name:…` from the normalised name.
    key: String,
    vendor: String,
    vendor_id: Option<String>,
    /// `submitted_on`, else a date in the file name.
    date: Option<NaiveDate>,
}

#[derive(Deserialize)]
struct Head {
    vendor: HeadVendor,
    #[serde(default)]
    submitted_on: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct HeadVendor {
    name: String,
    #[serde(default)]
    id: Option<serde_json::Value>,
}

/// The vendor and the date of a submission, read without validating the rest: `None` when the file does not even
/// say who it is from (its evaluation then reports why).
fn head(index: usize, path: &Path, pack: &Pack) -> Option<Submission> {
    let limits = Limits::default();
    let bytes = crate::assessment::read_capped(path, &limits).ok()?;
    let head: Head = if crate::assessment::workbook::is_workbook(path) {
        // A questionnaire says who it is from in its Service sheet: the workbook is read as a document.
        let file = path.display().to_string();
        let (_, document) =
            crate::assessment::workbook::parse_document(&file, &bytes, pack, &limits).ok()?;
        serde_json::from_value(document).ok()?
    } else {
        let text = std::str::from_utf8(&bytes).ok()?;
        serde_json::from_str(text.trim_start_matches('\u{feff}')).ok()?
    };
    let vendor_id = head
        .vendor
        .id
        .as_ref()
        .and_then(serde_json::Value::as_str)
        .map(str::trim)
        .filter(|id| !crate::model::is_blank(id))
        .map(str::to_owned);
    let key = match &vendor_id {
        Some(id) => format!("id:{id}"),
        None => format!(
            "name:{}",
            crate::assessment::normalised_vendor(&head.vendor.name)
        ),
    };
    let date = head
        .submitted_on
        .as_ref()
        .and_then(serde_json::Value::as_str)
        .and_then(crate::model::date::parse)
        .or_else(|| date_in_name(path));
    Some(Submission {
        index,
        path: path.to_owned(),
        key,
        vendor: head.vendor.name,
        vendor_id,
        date,
    })
}

/// The first `YYYY-MM-DD` calendar date in a file's name.
fn date_in_name(path: &Path) -> Option<NaiveDate> {
    let name = path.file_stem()?.to_str()?;
    let bytes = name.as_bytes();
    (0..bytes.len().saturating_sub(9)).find_map(|i| {
        let window = name.get(i..i + 10)?;
        let shape = window.bytes().enumerate().all(|(j, b)| {
            if j == 4 || j == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
        let bounded = (i == 0 || !bytes[i - 1].is_ascii_digit())
            && bytes.get(i + 10).is_none_or(|b| !b.is_ascii_digit());
        if shape && bounded {
            crate::model::date::parse(window)
        } else {
            None
        }
    })
}

/// A vendor's submissions, oldest first, with the reviewer file bound to it.
struct Vendor {
    submissions: Vec<Submission>,
    review: Option<Review>,
}

/// What [`evaluate`] needs besides the pack and the files.
#[derive(Default)]
pub struct Options<'a> {
    /// Reviewer files found beside the submissions (`review.toml`), bound to their vendor.
    pub reviews: Vec<PathBuf>,
    /// Render each vendor's HTML report.
    pub reports: bool,
    /// The templates of those reports (`--templates`; `None`: the embedded ones).
    pub templates: Option<&'a Path>,
    pub progress: Option<Progress<'a>>,
}

/// A vendor's full report (HTML), named for its file in the reports folder.
pub struct VendorReport {
    pub name: String,
    pub html: String,
}

/// Reports progress: vendors done, vendors in all. Called from worker threads.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// Groups the submissions by vendor, binds the reviewer files, then evaluates each vendor's latest submission
/// (with its reviewer file) and the one before (for the trend) on `as_of`, in parallel over the available cores.
/// Rows keep the order in which the vendors first appear in the input; errors the input order.
///
/// Fails (exit 2, nothing written) when a reviewer file is invalid or names no vendor beside it.
pub fn evaluate(
    pack: &Pack,
    files: &[PathBuf],
    as_of: NaiveDate,
    lang: Lang,
    options: &Options<'_>,
) -> Result<(Portfolio, Vec<VendorReport>), Error> {
    let heads = parallel(files, |i, path| head(i, path, pack));
    let mut errors: Vec<(usize, FileError)> = Vec::new();
    let mut groups: BTreeMap<String, Vec<Submission>> = BTreeMap::new();
    let mut unread = Vec::new();
    for (i, head) in heads.into_iter().enumerate() {
        match head {
            Some(s) => groups.entry(s.key.clone()).or_default().push(s),
            None => unread.push(i),
        }
    }
    // A file that does not say who it is from is evaluated for its located errors only.
    for (i, result) in unread.iter().zip(parallel(
        &unread.iter().map(|&i| files[i].clone()).collect::<Vec<_>>(),
        |_, path| {
            crate::assessment::load_any(path, pack, &Limits::default())
                .err()
                .unwrap_or_else(|| {
                    Error::Usage(msg!(
                        "cli.evaluation_lost",
                        file = path.display().to_string()
                    ))
                })
        },
    )) {
        errors.push((
            *i,
            FileError {
                file: files[*i].display().to_string(),
                message: result.render(lang),
            },
        ));
    }
    let mut vendors: Vec<Vendor> = groups
        .into_values()
        .map(|mut submissions| {
            submissions.sort_by(|a, b| {
                (a.date, a.path.file_name(), &a.path).cmp(&(b.date, b.path.file_name(), &b.path))
            });
            Vendor {
                submissions,
                review: None,
            }
        })
        .collect();
    vendors.sort_by_key(|v| v.submissions.iter().map(|s| s.index).min());
    bind_reviews(pack, &options.reviews, &mut vendors)?;

    let total = vendors.len();
    let done = AtomicUsize::new(0);
    let progress = options.progress;
    let results = parallel(&vendors, |_, vendor| {
        let out = evaluate_vendor(pack, vendor, as_of, lang, options);
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(report) = progress {
            report(n, total);
        }
        out
    });
    let mut rows = Vec::new();
    let mut reports = Vec::new();
    let mut names = std::collections::BTreeSet::new();
    for (vendor, (row, report, vendor_errors)) in vendors.iter().zip(results) {
        errors.extend(vendor_errors);
        if let Some(mut row) = row {
            if let Some(html) = report {
                let name = unique_name(&mut names, &row.vendor);
                row.report = Some(name.clone());
                reports.push(VendorReport { name, html });
            }
            row.submissions = count(vendor.submissions.len());
            rows.push(row);
        }
    }
    errors.sort_by_key(|(i, _)| *i);
    Ok((
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
            vendors: rows,
            errors: errors.into_iter().map(|(_, e)| e).collect(),
        },
        reports,
    ))
}

/// A file name for a vendor's report, from its name: ASCII letters and digits kept, anything else a `-`, unique.
fn unique_name(taken: &mut std::collections::BTreeSet<String>, vendor: &str) -> String {
    let mut stem: String = vendor
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while stem.contains("--") {
        stem = stem.replace("--", "-");
    }
    let stem = stem.trim_matches('-').chars().take(60).collect::<String>();
    let stem = if stem.is_empty() {
        "vendor".to_owned()
    } else {
        stem
    };
    let mut name = format!("{stem}.html");
    let mut n = 2;
    while !taken.insert(name.clone()) {
        name = format!("{stem}-{n}.html");
        n += 1;
    }
    name
}

/// Binds each reviewer file to the one vendor it names among those whose submissions are in its folder or below.
fn bind_reviews(pack: &Pack, reviews: &[PathBuf], vendors: &mut [Vendor]) -> Result<(), Error> {
    let mut problems = Vec::new();
    for path in reviews {
        let review = match review::load(path, pack) {
            Ok(r) => r,
            Err(Error::Invalid(mut d)) => {
                problems.append(&mut d);
                continue;
            }
            Err(e) => return Err(e),
        };
        let dir = path.parent().unwrap_or_else(|| Path::new(""));
        let beside: Vec<usize> = (0..vendors.len())
            .filter(|&i| {
                vendors[i]
                    .submissions
                    .iter()
                    .any(|s| s.path.starts_with(dir))
            })
            .collect();
        let Some(binding) = &review.vendor else {
            problems.push(Diagnostic::file(
                review.file.as_str(),
                msg!("review.vendor_required"),
            ));
            continue;
        };
        let matching: Vec<usize> = beside
            .iter()
            .copied()
            .filter(|&i| {
                vendors[i]
                    .submissions
                    .iter()
                    .any(|s| binding.matches(&s.vendor, s.vendor_id.as_deref()))
            })
            .collect();
        match matching.as_slice() {
            [i] if vendors[*i].review.is_none() => vendors[*i].review = Some(review),
            [i] => {
                let mut d = binding.location.clone();
                d.message = msg!(
                    "review.second_file",
                    vendor = vendors[*i].submissions[0].vendor.as_str(),
                    first = vendors[*i]
                        .review
                        .as_ref()
                        .map(|r| r.file.clone())
                        .unwrap_or_default()
                );
                problems.push(d);
            }
            _ => {
                let found = beside
                    .iter()
                    .map(|&i| {
                        let s = vendors[i]
                            .submissions
                            .last()
                            .map_or("", |s| s.vendor.as_str());
                        crate::model::terminal::visible(s).into_owned()
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                let mut d = binding.location.clone();
                d.message = msg!(
                    "review.no_such_vendor",
                    declared = binding.describe(),
                    found
                );
                problems.push(d);
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(problems))
    }
}

type VendorOutcome = (Option<VendorRow>, Option<String>, Vec<(usize, FileError)>);

/// The row of one vendor: its latest submission with the reviewer file, the one before for the trend, and its
/// HTML report when asked.
fn evaluate_vendor(
    pack: &Pack,
    vendor: &Vendor,
    as_of: NaiveDate,
    lang: Lang,
    options: &Options<'_>,
) -> VendorOutcome {
    let policy = Policy::default();
    let mut errors = Vec::new();
    let mut run = |s: &Submission, review: Option<&Review>| {
        let inputs = RunInputs {
            as_of,
            policy: &policy,
            baseline: None,
            review,
        };
        match crate::report::evaluate_file(pack, &s.path, &inputs, &Limits::default(), lang) {
            Ok(report) => Some(report),
            Err(e) => {
                errors.push((
                    s.index,
                    FileError {
                        file: s.path.display().to_string(),
                        message: e.render(lang),
                    },
                ));
                None
            }
        }
    };
    let mut newest_first = vendor.submissions.iter().rev();
    let Some(latest) = newest_first.next() else {
        return (None, None, errors);
    };
    let Some(report) = run(latest, vendor.review.as_ref()) else {
        return (None, None, errors);
    };
    let previous = newest_first
        .next()
        .and_then(|s| run(s, None).map(|r| (s, r)));
    let mut row = row(latest.path.display().to_string(), &report, pack);
    row.vendor_id.clone_from(&latest.vendor_id);
    row.submitted_on = latest.date;
    row.trend = previous.map(|(s, before)| trend(s, &before, &report));
    row.review = vendor
        .review
        .as_ref()
        .map(|r| review_summary(r, &report, as_of));
    let html = options
        .reports
        .then(|| {
            let rendered = render_report(&report, pack, options.templates);
            match rendered {
                Ok(html) => Some(html),
                Err(e) => {
                    errors.push((
                        latest.index,
                        FileError {
                            file: latest.path.display().to_string(),
                            message: e.render(lang),
                        },
                    ));
                    None
                }
            }
        })
        .flatten();
    (Some(row), html, errors)
}

thread_local! {
    /// Each worker's templates, compiled once for all the reports it renders (compiling costs more than rendering).
    /// Workers are the scoped threads of one [`evaluate`] call, so the templates do not outlive it.
    static TEMPLATES: std::cell::RefCell<Option<Templates>> = const { std::cell::RefCell::new(None) };
}

/// The HTML report of `report`, with this worker's templates.
fn render_report(report: &Report, pack: &Pack, templates: Option<&Path>) -> Result<String, Error> {
    TEMPLATES.with(|cell| {
        let mut slot = cell.borrow_mut();
        let loaded = match slot.take() {
            Some(t) => t,
            None => Templates::load(templates)?,
        };
        let html = loaded.html(report, pack);
        *slot = Some(loaded);
        html
    })
}

/// Runs `work` over `items` on the available cores; results in the order of `items`.
fn parallel<T: Sync, R: Send>(items: &[T], work: impl Fn(usize, &T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(items.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let mut indexed: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut local = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        local.push((i, work(i, item)));
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
    indexed.into_iter().map(|(_, r)| r).collect()
}

/// Gaps of a report: applicable requirements not met, by id.
fn gaps(report: &Report) -> std::collections::BTreeSet<String> {
    report
        .requirements
        .iter()
        .filter(|r| crate::model::is_gap(r.applicable, r.kind, r.verdict))
        .map(|r| r.id.to_string())
        .collect()
}

fn trend(previous: &Submission, before: &Report, now: &Report) -> Trend {
    let (old, new) = (gaps(before), gaps(now));
    let order = |set: std::collections::BTreeSet<&String>| -> Vec<String> {
        now.requirements
            .iter()
            .map(|r| r.id.to_string())
            .filter(|id| set.contains(id))
            .collect()
    };
    let delta = ((now.score.overall - before.score.overall) * 10.0).round() / 10.0;
    Trend {
        previous_file: previous.path.display().to_string(),
        previous_submitted_on: previous.date,
        previous_score: before.score.overall,
        score_delta: delta,
        previous_readiness: before.readiness,
        readiness_change: match readiness_rank(now.readiness).cmp(&readiness_rank(before.readiness))
        {
            std::cmp::Ordering::Greater => Change::Up,
            std::cmp::Ordering::Less => Change::Down,
            std::cmp::Ordering::Equal => Change::Same,
        },
        new_gaps: order(new.difference(&old).collect()),
        closed_gaps: order(old.difference(&new).collect()),
    }
}

fn review_summary(review: &Review, report: &Report, as_of: NaiveDate) -> ReviewSummary {
    ReviewSummary {
        file: review.file.clone(),
        overrides: count(review.overrides.len()),
        notes: count(review.notes.len()),
        requests: count(review.requests.len()),
        open_requests: count(review.requests.iter().filter(|r| r.is_open(as_of)).count()),
        overdue_requests: count(
            review
                .requests
                .iter()
                .filter(|r| r.is_overdue(as_of))
                .count(),
        ),
        stale_decisions: review
            .stale_decisions(&report.assessment.digest)
            .iter()
            .map(ToString::to_string)
            .collect(),
    }
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
        vendor_id: None,
        submitted_on: None,
        submissions: 1,
        ineligible: report.readiness == Readiness::Ineligible
            || ELIGIBILITY_SECTIONS
                .iter()
                .any(|s| eligibility(report, s) == Eligibility::Ineligible),
        why_ineligible: why_ineligible(report),
        trend: None,
        review: None,
        report: None,
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

/// The chapter-19 requirements that make a report ineligible: those the readiness ladder names when the level is
/// `ineligible`, and the critical ones of 19.6 and 19.2 that are non-compliant; each with its first failing check's
/// message (else the reviewer's decision, else the first finding), on one line.
fn why_ineligible(report: &Report) -> Vec<Reason> {
    let ladder: Vec<&crate::model::RequirementId> =
        match (&report.readiness, &report.readiness_next) {
            (Readiness::Ineligible, Some(next)) => next.missing.iter().collect(),
            _ => Vec::new(),
        };
    report
        .requirements
        .iter()
        .filter(|r| r.applicable && r.id.chapter() == "19")
        .filter(|r| {
            ladder.contains(&&r.id)
                || (r.kind == Kind::Requirement
                    && r.severity == Severity::Critical
                    && r.verdict == Status::NonCompliant
                    && ELIGIBILITY_SECTIONS.contains(&r.id.section()))
        })
        .map(|r| {
            let finding = ["fact-check-failed", "reviewer-override"]
                .iter()
                .find_map(|code| r.findings.iter().find(|f| f.code == *code))
                .or_else(|| r.findings.first());
            let message = finding.map_or_else(String::new, |f| {
                f.message
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_owned()
            });
            Reason {
                id: r.id.to_string(),
                message,
            }
        })
        .collect()
}

impl Portfolio {
    /// The portfolio with each vendor's `report` prefixed by `href` (the way from an output to the reports).
    #[must_use]
    pub fn with_report_links(&self, href: &str) -> Portfolio {
        let mut linked = self.clone();
        for v in &mut linked.vendors {
            if let Some(name) = &mut v.report {
                *name = format!("{href}{name}");
            }
        }
        linked
    }

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
            "vendor_id",
            "submitted_on",
            "submissions",
            "ineligible",
            "why_ineligible",
            "score_delta",
            "previous_readiness",
            "new_gaps",
            "closed_gaps",
            "review_overrides",
            "open_evidence_requests",
            "stale_decisions",
            "report",
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
                v.vendor_id.clone().unwrap_or_default(),
                v.submitted_on.map(|d| d.to_string()).unwrap_or_default(),
                v.submissions.to_string(),
                v.ineligible.to_string(),
                v.why_ineligible
                    .iter()
                    .map(|r| format!("{}: {}", r.id, r.message))
                    .collect::<Vec<_>>()
                    .join("\n"),
                v.trend
                    .as_ref()
                    .map(|t| format!("{:.1}", t.score_delta))
                    .unwrap_or_default(),
                v.trend
                    .as_ref()
                    .map(|t| t.previous_readiness.as_str().to_owned())
                    .unwrap_or_default(),
                v.trend
                    .as_ref()
                    .map(|t| t.new_gaps.join(" "))
                    .unwrap_or_default(),
                v.trend
                    .as_ref()
                    .map(|t| t.closed_gaps.join(" "))
                    .unwrap_or_default(),
                v.review
                    .as_ref()
                    .map(|r| r.overrides.to_string())
                    .unwrap_or_default(),
                v.review
                    .as_ref()
                    .map(|r| r.open_requests.to_string())
                    .unwrap_or_default(),
                v.review
                    .as_ref()
                    .map(|r| r.stale_decisions.join(" "))
                    .unwrap_or_default(),
                v.report.clone().unwrap_or_default(),
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
            if let Some(trend) = &v.trend {
                let mut line = format!(
                    "  {}{colon}{}",
                    t(lang, "portfolio_trend"),
                    signed(lang, trend.score_delta)
                );
                if trend.readiness_change != Change::Same {
                    let _ = write!(
                        line,
                        " · {} {}",
                        t(lang, "portfolio_was"),
                        label(lang, trend.previous_readiness)
                    );
                }
                for (key, ids) in [
                    ("portfolio_new_gaps", &trend.new_gaps),
                    ("portfolio_closed_gaps", &trend.closed_gaps),
                ] {
                    if !ids.is_empty() {
                        let _ = write!(line, " · {}{colon}{}", t(lang, key), ids.join(", "));
                    }
                }
                let _ = writeln!(out, "{line}");
            }
            for reason in &v.why_ineligible {
                let _ = writeln!(
                    out,
                    "  {}{colon}{} {}",
                    t(lang, "portfolio_why_ineligible"),
                    reason.id,
                    visible(&reason.message)
                );
            }
            if let Some(review) = &v.review {
                let _ = writeln!(
                    out,
                    "  {}{colon}{} {} · {} {}",
                    t(lang, "portfolio_review"),
                    review.overrides,
                    t(lang, "portfolio_overrides"),
                    review.open_requests,
                    t(lang, "portfolio_open_requests")
                );
            }
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
    pub rows: Vec<RowView<'a>>,
    /// Vendors whose reviewer files hold overrides, and the sums over the portfolio.
    pub reviewed_count: usize,
    pub overrides_count: u32,
    pub open_requests_count: u32,
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
pub struct RowView<'a> {
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
    pub vendor_id: Option<String>,
    /// The latest submission's date, or empty.
    pub submitted_on: String,
    pub submissions: u32,
    pub ineligible: bool,
    pub why_ineligible: &'a [Reason],
    pub trend: Option<TrendView<'a>>,
    pub review: Option<&'a ReviewSummary>,
    /// The link to the vendor's report, relative to the page.
    pub report: Option<&'a str>,
}

#[derive(Serialize)]
pub struct TrendView<'a> {
    /// Signed, one decimal, in the language's format (`+1.6`, `−2,0`).
    pub score_delta: String,
    /// `up`, `down` or `same`, for the score.
    pub score_class: &'static str,
    pub previous_readiness_label: &'static str,
    /// `up`, `down` or `same`.
    pub readiness_change: &'static str,
    pub previous_submitted_on: String,
    pub new_gaps: &'a [String],
    pub closed_gaps: &'a [String],
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
                vendor_id: v.vendor_id.clone(),
                submitted_on: v.submitted_on.map(|d| d.to_string()).unwrap_or_default(),
                submissions: v.submissions,
                ineligible: v.ineligible,
                why_ineligible: &v.why_ineligible,
                trend: v.trend.as_ref().map(|t| TrendView {
                    score_delta: signed(lang, t.score_delta),
                    score_class: if t.score_delta > 0.0 {
                        "up"
                    } else if t.score_delta < 0.0 {
                        "down"
                    } else {
                        "same"
                    },
                    previous_readiness_label: label(lang, t.previous_readiness),
                    readiness_change: t.readiness_change.as_str(),
                    previous_submitted_on: t
                        .previous_submitted_on
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                    new_gaps: &t.new_gaps,
                    closed_gaps: &t.closed_gaps,
                }),
                review: v.review.as_ref(),
                report: v.report.as_deref(),
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
                                // An ineligible vendor's chapters are not read as progress: every cell says so.
                                Some(s) if v.ineligible => HeatCell {
                                    chapter: c.chapter.clone(),
                                    x,
                                    text_x: x + cell_width / 2,
                                    text: format!("⊘ {s:.0}"),
                                    score: format!(
                                        "{} ({})",
                                        number(lang, s, 1),
                                        label(lang, Readiness::Ineligible)
                                    ),
                                    class: "ineligible",
                                },
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
            reviewed_count: portfolio
                .vendors
                .iter()
                .filter(|v| v.review.is_some())
                .count(),
            overrides_count: portfolio
                .vendors
                .iter()
                .filter_map(|v| v.review.as_ref())
                .map(|r| r.overrides)
                .sum(),
            open_requests_count: portfolio
                .vendors
                .iter()
                .filter_map(|v| v.review.as_ref())
                .map(|r| r.open_requests)
                .sum(),
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

/// A score difference with its sign, one decimal, in the language's format.
fn signed(lang: Lang, delta: f64) -> String {
    if delta > 0.0 {
        format!("+{}", number(lang, delta, 1))
    } else if delta < 0.0 {
        format!("−{}", number(lang, -delta, 1))
    } else {
        number(lang, 0.0, 1)
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
