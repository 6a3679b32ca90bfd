//! `snc check`: evaluate, report, write outputs, gate.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::assessment::{self, Assessment};
use crate::baseline::{self, Baseline};
use crate::cli::{CheckArgs, Environment, Exit, FailOnArg, FormatArg, Output};
use crate::error::Error;
use crate::evaluate::{self, Evaluation};
use crate::gate::{self, Policy};
use crate::limits::Limits;
use crate::model::{Lang, Severity};
use crate::output;
use crate::pack::Pack;
use crate::policy;
use crate::report::{self, Report};
use crate::review::{self, Review};
use crate::score;

/// The evaluation date: `--as-of`, else `SOURCE_DATE_EPOCH`, else today.
pub fn as_of(flag: Option<&str>, env: &Environment) -> Result<NaiveDate, Error> {
    if let Some(text) = flag {
        return NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| Error::Usage(format!("--as-of `{text}` is not a date YYYY-MM-DD")));
    }
    if let Some(epoch) = &env.source_date_epoch {
        let seconds: i64 = epoch.trim().parse().map_err(|_| {
            Error::Usage(format!(
                "SOURCE_DATE_EPOCH `{epoch}` is not a number of seconds"
            ))
        })?;
        return chrono::DateTime::from_timestamp(seconds, 0)
            .map(|d| d.date_naive())
            .ok_or_else(|| Error::Usage(format!("SOURCE_DATE_EPOCH `{epoch}` is out of range")));
    }
    Ok(env.today)
}

/// Loads, evaluates and reports one assessment: a reviewer's overrides applied first, then waivers, scores and
/// the gate (against a baseline, if any).
pub fn evaluate_file(
    pack: &Pack,
    path: &Path,
    as_of: NaiveDate,
    lang: Lang,
    policy: &Policy,
    baseline: Option<&Baseline>,
    review: Option<&Review>,
) -> Result<Report, Error> {
    evaluate_file_with(
        pack,
        path,
        as_of,
        lang,
        policy,
        baseline,
        review,
        &Limits::default(),
    )
}

/// [`evaluate_file`], reading the assessment within `limits`.
#[expect(
    clippy::too_many_arguments,
    reason = "each argument is one input of the pipeline"
)]
pub fn evaluate_file_with(
    pack: &Pack,
    path: &Path,
    as_of: NaiveDate,
    lang: Lang,
    policy: &Policy,
    baseline: Option<&Baseline>,
    review: Option<&Review>,
    limits: &Limits,
) -> Result<Report, Error> {
    let assessment: Assessment = assessment::load_with(path, pack, limits)?;
    let mut evaluation: Evaluation = evaluate::evaluate(pack, &assessment, as_of);
    if let Some(review) = review {
        review::apply(pack, &assessment, review, &mut evaluation)?;
    }
    let waiver_notes = policy::apply_waivers(policy, &mut evaluation.results, as_of);
    let score = score::score(pack, &evaluation.results);
    let readiness = score::readiness(pack, &evaluation.results, &score);
    let mut gate = gate::gate(policy, &evaluation.results, &score, baseline);
    gate.notes.splice(0..0, waiver_notes);
    let mut report = Report::build(
        pack,
        &assessment,
        as_of,
        lang,
        &evaluation,
        &score,
        readiness,
        &gate,
    );
    report.review = review.map(|r| report::ReviewInfo {
        digest: r.digest.clone(),
        overrides: u32::try_from(r.overrides.len()).unwrap_or(u32::MAX),
    });
    Ok(report)
}

fn format(arg: FormatArg) -> report::Format {
    match arg {
        FormatArg::Text => report::Format::Text,
        FormatArg::Json => report::Format::Json,
        FormatArg::Markdown => report::Format::Markdown,
        FormatArg::Html => report::Format::Html,
        FormatArg::Junit => report::Format::Junit,
        FormatArg::Sarif => report::Format::Sarif,
        FormatArg::Csv => report::Format::Csv,
        FormatArg::Github => report::Format::Github,
    }
}

pub fn format_of(path: &Path) -> Result<FormatArg, Error> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("json") => Ok(FormatArg::Json),
        Some("txt") => Ok(FormatArg::Text),
        Some("md" | "markdown") => Ok(FormatArg::Markdown),
        Some("html" | "htm") => Ok(FormatArg::Html),
        Some("xml") => Ok(FormatArg::Junit),
        Some("sarif") => Ok(FormatArg::Sarif),
        Some("csv") => Ok(FormatArg::Csv),
        _ => Err(Error::Usage(format!(
            "cannot tell the format of {} from its extension: use .json, .txt, .md, .html, .xml (JUnit), .sarif or .csv",
            path.display()
        ))),
    }
}

/// The policy: `--policy FILE`, else `snc.toml` in the current folder, else the default; then the flags override it.
pub fn policy_for(pack: &Pack, args: &CheckArgs) -> Result<(Policy, Option<PathBuf>), Error> {
    let file = match &args.policy {
        Some(path) => Some(path.clone()),
        None => Some(PathBuf::from(policy::DEFAULT_FILE)).filter(|p| p.is_file()),
    };
    let mut policy = match &file {
        Some(path) => policy::load(path, pack)?,
        None => Policy::default(),
    };
    if let Some(fail_on) = args.fail_on {
        policy.fail_on = match fail_on {
            FailOnArg::Critical => Some(Severity::Critical),
            FailOnArg::High => Some(Severity::High),
            FailOnArg::Medium => Some(Severity::Medium),
            FailOnArg::Low => Some(Severity::Low),
            FailOnArg::Never => None,
        };
    }
    if let Some(min) = args.min_score {
        policy.min_score = Some(policy::per_mille(min).ok_or_else(|| {
            Error::Usage(format!("--min-score {min} is not a score from 0 to 100"))
        })?);
    }
    Ok((policy, file))
}

/// `snc check`. `templates` is `--templates DIR`.
pub fn check(
    pack: &Pack,
    args: &CheckArgs,
    lang: Lang,
    env: &Environment,
    templates: Option<&Path>,
) -> Result<Output, Error> {
    let as_of = as_of(args.as_of.as_deref(), env)?;
    let (policy, policy_file) = policy_for(pack, args)?;
    let baseline = args
        .baseline
        .as_deref()
        .map(|path| baseline::load(path, &pack.id))
        .transpose()?;
    let mut inputs: Vec<&Path> = vec![&args.assessment];
    inputs.extend(policy_file.as_deref());
    inputs.extend(args.baseline.as_deref());
    inputs.extend(args.review.as_deref());
    // Every output is rendered before any is written, so a failure leaves no partial set of files.
    let mut files = Vec::new();
    let mut spreadsheets = Vec::new();
    for path in &args.outputs {
        output::ensure_not_input(path, &inputs)?;
        if crate::xlsx::is_xlsx(path) {
            crate::xlsx::ensure_available()?;
            spreadsheets.push(path);
            continue;
        }
        files.push((path, format_of(path)?));
    }
    let review = args
        .review
        .as_deref()
        .map(|path| review::load(path, pack))
        .transpose()?;
    let report = evaluate_file_with(
        pack,
        &args.assessment,
        as_of,
        lang,
        &policy,
        baseline.as_ref(),
        review.as_ref(),
        &env.limits()?,
    )?;
    let renderer = report::Renderer::new(pack, templates.map(Path::to_path_buf));
    let stdout = if args.quiet {
        String::new()
    } else {
        renderer.render(&report, format(args.format), env.color)?
    };
    let mut outputs: Vec<(&PathBuf, String)> = Vec::new();
    for (path, file_format) in files {
        outputs.push((path, renderer.render(&report, format(file_format), false)?));
    }
    let mut binaries: Vec<(&PathBuf, Vec<u8>)> = Vec::new();
    for path in spreadsheets {
        binaries.push((path, crate::xlsx::report(&report)?));
    }
    let files: Vec<(&Path, &[u8])> = outputs
        .iter()
        .map(|(p, text)| (p.as_path(), text.as_bytes()))
        .chain(
            binaries
                .iter()
                .map(|(p, bytes)| (p.as_path(), bytes.as_slice())),
        )
        .collect();
    output::write_all_atomic(&files)?;
    let (exit, stderr) = match (report.gate.passed, args.exit_zero) {
        (true, _) => (Exit::Success, String::new()),
        (false, false) => (Exit::GateFailed, String::new()),
        (false, true) => (
            Exit::Success,
            "snc: the gate failed; exit code 0 because of --exit-zero\n".to_owned(),
        ),
    };
    Ok(Output {
        stdout,
        stderr,
        exit,
    })
}
