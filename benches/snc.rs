//! Benchmarks (`cargo bench`): pack loading, one assessment parsed, evaluated and rendered in every format, the
//! questionnaire workbook written and read back, and
//! portfolios of 1,000 assessments (in memory one after the other, and as files through the `portfolio` command's
//! parallel engine). Inputs come from `snc::testing`, deterministic from their seed. Figures and targets are
//! recorded in `docs/performance.md`.
//!
//! `SNC_BENCH_PORTFOLIO_ONCE=cohort` writes a cohort folder of 1,000 vendors with 5 dated submissions each and
//! runs the portfolio over it once.
//! `SNC_BENCH_PORTFOLIO_ONCE=sequential cargo bench --bench snc` runs the 1,000 evaluations once, without
//! criterion and with one input in memory at a time; `SNC_BENCH_PORTFOLIO_ONCE=files` writes the 1,000 as files
//! and runs `snc::staff::portfolio::evaluate` on them once. Either way `/usr/bin/time -v` reads the peak memory.

use std::hint::black_box;
use std::io::Write as _;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use criterion::{BatchSize, Criterion};
use snc::assessment::{self, Assessment};
use snc::engine::evaluate::evaluate;
use snc::engine::gate::policy::Policy;
use snc::engine::{RunInputs, run};
use snc::model::Lang;
use snc::pack::Pack;
use snc::report::{Format, Renderer, Report};
use snc::testing::{self, XorShift};

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).expect("date")
}

fn pack() -> Pack {
    Pack::embedded().unwrap_or_else(|d| panic!("embedded pack invalid: {d:?}"))
}

/// The bytes of the synthetic assessment for `seed`.
fn synthetic(pack: &Pack, seed: u64) -> Vec<u8> {
    let doc = testing::assessment(pack, &mut XorShift::new(seed), as_of());
    serde_json::to_vec_pretty(&doc).expect("json")
}

/// Everything `snc check` does after reading the file: parse, evaluate, score, gate, build the report.
fn report(pack: &Pack, bytes: &[u8]) -> Report {
    let a: Assessment =
        assessment::parse("bench.json", bytes, pack).unwrap_or_else(|e| panic!("{e}"));
    let policy = Policy::default();
    let inputs = RunInputs {
        as_of: as_of(),
        policy: &policy,
        baseline: None,
        review: None,
    };
    let outcome = run(pack, a, &inputs).expect("no reviewer file, no error");
    Report::build(&outcome, Lang::En)
}

/// 1,000 different assessments, one after the other (there is no `portfolio` command yet: this is its core).
fn portfolio(pack: &Pack, inputs: &[Vec<u8>]) -> usize {
    inputs
        .iter()
        .map(|bytes| report(pack, bytes).requirements.len())
        .sum()
}

fn benches(c: &mut Criterion) {
    // Loading, not freeing: the pack is dropped outside the timed loop (a command frees it once, on exit).
    c.bench_function("pack/load_embedded", |b| b.iter_with_large_drop(pack));

    let pack = pack();
    let bytes = synthetic(&pack, 42);
    // The first parse compiles the assessment schema; every later one reuses it.
    let parsed = assessment::parse("bench.json", &bytes, &pack).expect("valid");
    c.bench_function("assessment/parse", |b| {
        b.iter(|| black_box(assessment::parse("bench.json", black_box(&bytes), &pack)));
    });
    c.bench_function("evaluate/one", |b| {
        b.iter(|| black_box(evaluate(&pack, black_box(&parsed), as_of())));
    });
    c.bench_function("evaluate/one_with_parse_score_and_report", |b| {
        b.iter(|| black_box(report(&pack, black_box(&bytes))));
    });
    let built = report(&pack, &bytes);
    let renderer = Renderer::new(&pack, None);
    for (name, format) in [
        ("text", Format::Text),
        ("json", Format::Json),
        ("markdown", Format::Markdown),
        ("html", Format::Html),
        ("junit", Format::Junit),
        ("sarif", Format::Sarif),
        ("csv", Format::Csv),
        ("github", Format::Github),
    ] {
        // The first call loads the templates; the benchmark measures rendering with them loaded.
        renderer.render(&built, format, false).expect("renders");
        c.bench_function(&format!("render/{name}"), |b| {
            b.iter(|| black_box(renderer.render(black_box(&built), format, false)));
        });
    }
    #[cfg(feature = "xlsx")]
    c.bench_function("render/xlsx", |b| {
        b.iter(|| black_box(snc::report::xlsx::report(black_box(&built))));
    });
    #[cfg(feature = "xlsx")]
    {
        let doc = testing::assessment(&pack, &mut XorShift::new(1), as_of());
        c.bench_function("workbook/write", |b| {
            b.iter(|| {
                black_box(assessment::workbook::write(
                    &pack,
                    black_box(&doc),
                    Lang::En,
                ))
            });
        });
        let book = assessment::workbook::write(&pack, &doc, Lang::En).expect("workbook");
        c.bench_function("workbook/read", |b| {
            b.iter(|| {
                black_box(assessment::workbook::parse_with(
                    "q.xlsx",
                    black_box(&book),
                    &pack,
                    &assessment::limits::Limits::default(),
                ))
            });
        });
    }

    let inputs: Vec<Vec<u8>> = (0..1000).map(|seed| synthetic(&pack, seed)).collect();
    let mut group = c.benchmark_group("portfolio");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("evaluate_1000_sequential", |b| {
        b.iter_batched(
            || (),
            |()| black_box(portfolio(&pack, &inputs)),
            BatchSize::PerIteration,
        );
    });
    // The `portfolio` command's path: 1,000 files on disk, evaluated in parallel.
    let dir = tempfile::tempdir().expect("temp dir");
    let files = write_files(dir.path(), &inputs);
    group.bench_function("evaluate_1000_files_parallel", |b| {
        b.iter(|| black_box(files_portfolio(&pack, &files)));
    });
    // The programme's cohort: 1,000 vendors with 5 submissions each, the latest and the one before evaluated.
    let cohort = tempfile::tempdir().expect("temp dir");
    let cohort_files = write_cohort(&pack, cohort.path(), 1000, 5);
    group.bench_function("cohort_1000_vendors_x5_submissions", |b| {
        b.iter(|| black_box(files_portfolio(&pack, &cohort_files)));
    });
    group.finish();
}

/// `bytes` with a `vendor.id` and, when given, a `submitted_on`: the synthetic generator draws vendor names from
/// a short list, and a portfolio groups submissions by vendor.
fn with_identity(bytes: &[u8], id: &str, submitted_on: Option<&str>) -> Vec<u8> {
    let mut doc: serde_json::Value = serde_json::from_slice(bytes).expect("json");
    doc["vendor"]["id"] = serde_json::json!(id);
    if let Some(date) = submitted_on {
        doc["submitted_on"] = serde_json::json!(date);
    }
    serde_json::to_vec_pretty(&doc).expect("json")
}

fn write_files(dir: &std::path::Path, inputs: &[Vec<u8>]) -> Vec<std::path::PathBuf> {
    inputs
        .iter()
        .enumerate()
        .map(|(i, bytes)| {
            let path = dir.join(format!("vendor-{i:04}.json"));
            std::fs::write(&path, with_identity(bytes, &format!("V{i:04}"), None))
                .expect("write a synthetic assessment");
            path
        })
        .collect()
}

/// A cohort folder as the programme keeps it: `vendors` sub-folders of `submissions` assessments each, dated by
/// `submitted_on`, every one a different synthetic assessment. Returns the folder's files, as `snc portfolio
/// DIR` finds them.
fn write_cohort(
    pack: &Pack,
    dir: &std::path::Path,
    vendors: u64,
    submissions: u64,
) -> Vec<std::path::PathBuf> {
    for v in 0..vendors {
        let folder = dir.join(format!("vendor-{v:04}"));
        std::fs::create_dir_all(&folder).expect("mkdir");
        for s in 0..submissions {
            let date = format!("2026-{:02}-15", s + 1);
            let bytes = with_identity(
                &synthetic(pack, v * submissions + s),
                &format!("V{v:04}"),
                Some(&date),
            );
            std::fs::write(folder.join(format!("{date}.json")), bytes).expect("write a submission");
        }
    }
    snc::staff::portfolio::inputs(&[dir.to_path_buf()])
        .expect("cohort")
        .files
}

/// Rows of a portfolio of `files`, as `snc portfolio` builds them.
fn files_portfolio(pack: &Pack, files: &[std::path::PathBuf]) -> usize {
    let (portfolio, _) = snc::staff::portfolio::evaluate(
        pack,
        files,
        as_of(),
        Lang::En,
        &snc::staff::portfolio::Options::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(portfolio.errors.is_empty(), "{:?}", portfolio.errors);
    portfolio.vendors.len()
}

/// The CPU time this process has used, user and system, from `/proc/self/stat` (0 where there is none): on a
/// shared host, what a run costs whatever the other processes do.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // Fields 14 and 15 of the file (utime, stime), counted after the command name; 100 ticks a second on Linux.
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    match std::env::var("SNC_BENCH_PORTFOLIO_ONCE").as_deref() {
        Ok("cohort") => {
            let pack = pack();
            let dir = tempfile::tempdir().expect("temp dir");
            let files = write_cohort(&pack, dir.path(), 1000, 5);
            let (start, cpu) = (Instant::now(), cpu_seconds());
            let rows = black_box(files_portfolio(&pack, &files));
            let _ = writeln!(
                std::io::stdout(),
                "cohort of {rows} vendors ({} submissions) walked, read, grouped, evaluated (latest and previous) \
                 and reduced to rows in {:?} ({:.2} s of CPU) on {} threads",
                files.len(),
                start.elapsed(),
                cpu_seconds() - cpu,
                std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
            );
        }
        Ok("files") => {
            let pack = pack();
            let dir = tempfile::tempdir().expect("temp dir");
            let mut bytes = 0;
            let files: Vec<std::path::PathBuf> = (0..1000)
                .map(|seed| {
                    let input = synthetic(&pack, seed);
                    bytes += input.len();
                    let path = dir.path().join(format!("vendor-{seed:04}.json"));
                    std::fs::write(&path, input).expect("write a synthetic assessment");
                    path
                })
                .collect();
            let start = Instant::now();
            let rows = black_box(files_portfolio(&pack, &files));
            let _ = writeln!(
                std::io::stdout(),
                "portfolio of {rows} files ({bytes} bytes) read, parsed, evaluated and reduced to rows in \
                 {:?} on {} threads",
                start.elapsed(),
                std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
            );
        }
        Ok(_) => {
            // One assessment in memory at a time, as a portfolio over files would hold them: the peak memory is
            // the engine's, not that of 1,000 stored inputs. Only parsing, evaluation and reporting are timed.
            let start = Instant::now();
            let pack = pack();
            let loaded = start.elapsed();
            let (mut evaluating, mut bytes, mut results) = (Duration::ZERO, 0, 0);
            for seed in 0..1000 {
                let input = synthetic(&pack, seed);
                bytes += input.len();
                let start = Instant::now();
                results += black_box(report(&pack, &input)).requirements.len();
                evaluating += start.elapsed();
            }
            let _ = writeln!(
                std::io::stdout(),
                "pack loaded in {loaded:?}; 1000 assessments ({bytes} bytes) parsed, evaluated and reported in \
                 {evaluating:?} ({results} results)"
            );
        }
        Err(_) => {
            let mut c = Criterion::default().configure_from_args();
            benches(&mut c);
            c.final_summary();
        }
    }
}
