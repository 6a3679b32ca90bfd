//! `snc check`: evaluate, report, write outputs, gate.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::cli::{CheckArgs, Environment, Exit, FailOnArg, FormatArg, GateArgs, Output};
use crate::engine::RunInputs;
use crate::engine::gate::baseline::Baseline;
use crate::engine::gate::policy::{self, Policy};
use crate::engine::review;
use crate::fs;
use crate::model::date;
use crate::model::error::Error;
use crate::model::{Lang, Severity};
use crate::msg;
use crate::pack::Pack;
use crate::report;

/// The evaluation date: `--as-of`, else `SOURCE_DATE_EPOCH`, else today.
pub fn as_of(flag: Option<&str>, env: &Environment) -> Result<NaiveDate, Error> {
    if let Some(text) = flag {
        return date::parse(text).ok_or_else(|| Error::Usage(msg!("cli.as_of", value = text)));
    }
    if let Some(epoch) = &env.source_date_epoch {
        let seconds: i64 = epoch
            .trim()
            .parse()
            .map_err(|_| Error::Usage(msg!("cli.epoch_not_a_number", value = epoch)))?;
        return chrono::DateTime::from_timestamp(seconds, 0)
            .map(|d| d.date_naive())
            .filter(|d| date::in_range(*d))
            .ok_or_else(|| Error::Usage(msg!("cli.epoch_out_of_range", value = epoch)));
    }
    Ok(env.today)
}

/// The report format of `arg`; `compact` turns Markdown into the compact summary.
fn format(arg: FormatArg, compact: bool) -> report::Format {
    match arg {
        FormatArg::Text => report::Format::Text,
        FormatArg::Json => report::Format::Json,
        FormatArg::Markdown if compact => report::Format::Summary,
        FormatArg::Markdown => report::Format::Markdown,
        FormatArg::Html => report::Format::Html,
        FormatArg::Junit => report::Format::Junit,
        FormatArg::Sarif => report::Format::Sarif,
        FormatArg::Csv => report::Format::Csv,
        FormatArg::Github => report::Format::Github,
        FormatArg::Gitlab => report::Format::Gitlab,
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
        _ => Err(Error::Usage(msg!(
            "cli.format_check",
            path = path.display().to_string()
        ))),
    }
}

/// `--policy none`: the built-in defaults, whatever `snc.toml` the current folder has (`./none` names a file).
pub const NO_POLICY: &str = "none";

/// The policy: `--policy FILE` (`none`: the defaults), else `snc.toml` in the current folder, else the default; then the flags override
/// it. Also the baseline, if one is named. Returns the files read, so that no output is written over them.
pub fn gate_inputs(
    pack: &Pack,
    args: &GateArgs,
) -> Result<(Policy, Option<Baseline>, Vec<PathBuf>), Error> {
    let file = match &args.policy {
        Some(path) if path.as_os_str() == NO_POLICY => None,
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
        policy.min_score = Some(
            crate::engine::score::PerMille::from_percent(min)
                .ok_or_else(|| Error::Usage(msg!("cli.min_score", value = min.to_string())))?,
        );
    }
    let baseline = args
        .baseline
        .as_deref()
        .map(|path| crate::report::json::load_baseline(path, &pack.id))
        .transpose()?;
    let read = file.into_iter().chain(args.baseline.clone()).collect();
    Ok((policy, baseline, read))
}

/// `snc check`.
pub fn check(
    pack: &Pack,
    args: &CheckArgs,
    lang: Lang,
    env: &Environment,
) -> Result<Output, Error> {
    let templates = args.templates.templates.as_deref();
    let as_of = as_of(args.as_of.as_deref(), env)?;
    let (policy, baseline, gate_files) = gate_inputs(pack, &args.gate)?;
    let mut inputs: Vec<&Path> = vec![&args.assessment];
    inputs.extend(gate_files.iter().map(PathBuf::as_path));
    inputs.extend(args.review.as_deref());
    if let (Some(summary), FormatArg::Github) = (&env.github_step_summary, args.format) {
        fs::ensure_not_input(summary, &inputs)?;
    }
    // Every output is rendered before any is written, so a failure leaves no partial set of files.
    let mut files = Vec::new();
    let mut spreadsheets = Vec::new();
    let mut pdfs = Vec::new();
    let mut browser = None;
    for path in &args.outputs {
        fs::ensure_not_input(path, &inputs)?;
        if super::pdf::is_pdf(path) {
            if browser.is_none() {
                browser = Some(super::pdf::chromium(env)?);
            }
            pdfs.push(path);
            continue;
        }
        if crate::report::xlsx::is_xlsx(path) {
            crate::report::xlsx::ensure_available()?;
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
    let inputs = RunInputs {
        as_of,
        policy: &policy,
        baseline: baseline.as_ref(),
        review: review.as_ref(),
    };
    let report = report::evaluate_file(pack, &args.assessment, &inputs, &env.limits()?, lang)?;
    let written = args
        .outputs
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let renderer =
        report::Renderer::new(pack, templates.map(Path::to_path_buf)).with_outputs(written);
    let stdout = if args.quiet {
        String::new()
    } else {
        renderer.render(
            &report,
            format(args.format, args.compact),
            env.color(args.color),
        )?
    };
    let mut outputs: Vec<(&PathBuf, String)> = Vec::new();
    for (path, file_format) in files {
        outputs.push((
            path,
            renderer.render(&report, format(file_format, args.compact), false)?,
        ));
    }
    // In GitHub Actions, the compact summary goes to the job summary too: rendered now, appended last.
    let step_summary = match (&env.github_step_summary, args.format) {
        (Some(path), FormatArg::Github) => Some((
            path,
            renderer.render(&report, report::Format::Summary, false)?,
        )),
        _ => None,
    };
    let mut binaries: Vec<(&PathBuf, Vec<u8>)> = Vec::new();
    for path in spreadsheets {
        binaries.push((path, crate::report::xlsx::report(&report)?));
    }
    if let (Some(browser), false) = (&browser, pdfs.is_empty()) {
        let pdf = super::pdf::print(
            browser,
            &renderer.render(&report, report::Format::Html, false)?,
        )?;
        for path in pdfs {
            binaries.push((path, pdf.clone()));
        }
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
    fs::write_all_atomic(&files)?;
    if let Some((path, summary)) = step_summary {
        fs::append(path, format!("{summary}\n").as_bytes())?;
    }
    let (exit, mut stderr) = match (report.gate.passed, args.exit_zero) {
        (true, _) => (Exit::Success, String::new()),
        (false, false) => (Exit::GateFailed, String::new()),
        (false, true) => (
            Exit::Success,
            format!("{}\n", msg!("cli.exit_zero").render(lang)),
        ),
    };
    if let (Some(info), Some(review)) = (&report.review, &review)
        && !info.stale_decisions.is_empty()
    {
        let ids: Vec<&str> = info
            .stale_decisions
            .iter()
            .map(crate::model::RequirementId::as_str)
            .collect();
        stderr.push_str(
            &msg!(
                "review.stale",
                file = review.file.as_str(),
                ids = ids.join(", ")
            )
            .render(lang),
        );
        stderr.push('\n');
    }
    Ok(Output {
        stdout,
        stderr,
        exit,
    })
}
