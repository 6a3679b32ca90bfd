//! Benchmarks (`cargo bench`): pack loading, one assessment parsed, evaluated and rendered, and 1,000 sequential
//! evaluations. Inputs come from `snc::synth`, deterministic from their seed. Figures and targets are recorded in
//! `docs/performance.md`.
//!
//! `SNC_BENCH_PORTFOLIO_ONCE=1 cargo bench --bench snc` runs the 1,000 evaluations once, without criterion and
//! with one input in memory at a time, so that `/usr/bin/time -v` can read the peak memory of that work.

use std::hint::black_box;
use std::io::Write as _;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use criterion::{BatchSize, Criterion};
use snc::assessment::{self, Assessment};
use snc::evaluate::evaluate;
use snc::gate::{Policy, gate};
use snc::model::Lang;
use snc::pack::Pack;
use snc::report::{Report, render_text};
use snc::score::{readiness, score};
use snc::synth::{self, XorShift};

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).expect("date")
}

fn pack() -> Pack {
    Pack::embedded().unwrap_or_else(|d| panic!("embedded pack invalid: {d:?}"))
}

/// The bytes of the synthetic assessment for `seed`.
fn synthetic(pack: &Pack, seed: u64) -> Vec<u8> {
    let doc = synth::assessment(pack, &mut XorShift::new(seed), as_of());
    serde_json::to_vec_pretty(&doc).expect("json")
}

/// Everything `snc check` does after reading the file: parse, evaluate, score, gate, build the report.
fn report(pack: &Pack, bytes: &[u8]) -> Report {
    let a: Assessment =
        assessment::parse("bench.json", bytes, pack).unwrap_or_else(|e| panic!("{e}"));
    let evaluation = evaluate(pack, &a, as_of());
    let s = score(pack, &evaluation.results);
    let r = readiness(pack, &evaluation.results, &s);
    let g = gate(&Policy::default(), &evaluation.results, &s, None);
    Report::build(pack, &a, as_of(), Lang::En, &evaluation, &s, r, &g)
}

/// 1,000 different assessments, one after the other (there is no `portfolio` command yet: this is its core).
fn portfolio(pack: &Pack, inputs: &[Vec<u8>]) -> usize {
    inputs
        .iter()
        .map(|bytes| report(pack, bytes).requirements.len())
        .sum()
}

fn benches(c: &mut Criterion) {
    c.bench_function("pack/load_embedded", |b| b.iter(|| black_box(pack())));

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
    c.bench_function("render/text", |b| {
        b.iter(|| black_box(render_text(black_box(&built), false)));
    });
    c.bench_function("render/json", |b| {
        b.iter(|| black_box(black_box(&built).to_json()));
    });

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
    group.finish();
}

fn main() {
    if std::env::var_os("SNC_BENCH_PORTFOLIO_ONCE").is_some() {
        // One assessment in memory at a time, as a portfolio over files would hold them: the peak memory is the
        // engine's, not that of 1,000 stored inputs. Only parsing, evaluation and reporting are timed.
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
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c);
    c.final_summary();
}
