//! `snc check`: evaluate, report, write outputs, gate.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::assessment::{self, Assessment};
use crate::cli::{CheckArgs, Environment, Exit, FailOnArg, FormatArg, Output};
use crate::error::Error;
use crate::evaluate::{self, Evaluation};
use crate::gate::{self, Policy};
use crate::limits::Limits;
use crate::model::{Lang, Severity};
use crate::output;
use crate::pack::Pack;
use crate::report::{self, Report};
use crate::score::{self, PerMille};

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

/// Loads, evaluates and reports one assessment.
pub fn evaluate_file(
    pack: &Pack,
    path: &Path,
    as_of: NaiveDate,
    lang: Lang,
    policy: &Policy,
) -> Result<Report, Error> {
    evaluate_file_with(pack, path, as_of, lang, policy, &Limits::default())
}

/// Loads an assessment within `limits`, evaluates and reports it.
pub fn evaluate_file_with(
    pack: &Pack,
    path: &Path,
    as_of: NaiveDate,
    lang: Lang,
    policy: &Policy,
    limits: &Limits,
) -> Result<Report, Error> {
    let assessment: Assessment = assessment::load_with(path, pack, limits)?;
    let evaluation: Evaluation = evaluate::evaluate(pack, &assessment, as_of);
    let score = score::score(pack, &evaluation.results);
    let readiness = score::readiness(pack, &evaluation.results, &score);
    let gate = gate::gate(policy, &evaluation.results, &score);
    Ok(Report::build(
        pack,
        &assessment,
        as_of,
        lang,
        &evaluation,
        &score,
        readiness,
        &gate,
    ))
}

#[must_use]
pub fn render(report: &Report, format: FormatArg) -> String {
    match format {
        FormatArg::Text => report::render_text(report),
        FormatArg::Json => report.to_json(),
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
        _ => Err(Error::Usage(format!(
            "cannot tell the format of {} from its extension: use .json or .txt",
            path.display()
        ))),
    }
}

pub fn check(
    pack: &Pack,
    args: &CheckArgs,
    lang: Lang,
    env: &Environment,
) -> Result<Output, Error> {
    let as_of = as_of(args.as_of.as_deref(), env)?;
    let mut policy = Policy::default();
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
        if !(0.0..=100.0).contains(&min) {
            return Err(Error::Usage(format!(
                "--min-score {min} is not a score from 0 to 100"
            )));
        }
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "checked to be 0–100"
        )]
        let per_mille = (min * 10.0).round() as u32;
        policy.min_score = Some(PerMille(per_mille));
    }
    // Every output is rendered before any is written, so a failure leaves no partial set of files.
    let mut files = Vec::new();
    for path in &args.outputs {
        output::ensure_not_input(path, &[&args.assessment])?;
        files.push((path, format_of(path)?));
    }
    let report = evaluate_file_with(pack, &args.assessment, as_of, lang, &policy, &env.limits()?)?;
    let rendered: Vec<(&PathBuf, String)> = files
        .into_iter()
        .map(|(p, f)| (p, render(&report, f)))
        .collect();
    let files: Vec<(&Path, &[u8])> = rendered
        .iter()
        .map(|(p, t)| (p.as_path(), t.as_bytes()))
        .collect();
    output::write_all_atomic(&files)?;
    Ok(Output {
        stdout: render(&report, args.format),
        stderr: String::new(),
        exit: if report.gate.passed {
            Exit::Success
        } else {
            Exit::GateFailed
        },
    })
}
