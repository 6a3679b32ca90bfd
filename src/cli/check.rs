//! `snc check`: evaluate, report, write outputs, gate.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::cli::{CheckArgs, Environment, Exit, FailOnArg, FormatArg, Output};
use crate::engine::RunInputs;
use crate::engine::gate::policy::{self, Policy};
use crate::engine::review;
use crate::fs;
use crate::model::error::Error;
use crate::model::{Lang, Severity};
use crate::msg;
use crate::pack::Pack;
use crate::report;

/// The evaluation date: `--as-of`, else `SOURCE_DATE_EPOCH`, else today.
pub fn as_of(flag: Option<&str>, env: &Environment) -> Result<NaiveDate, Error> {
    if let Some(text) = flag {
        return NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| Error::Usage(msg!("cli.as_of", value = text)));
    }
    if let Some(epoch) = &env.source_date_epoch {
        let seconds: i64 = epoch
            .trim()
            .parse()
            .map_err(|_| Error::Usage(msg!("cli.epoch_not_a_number", value = epoch)))?;
        return chrono::DateTime::from_timestamp(seconds, 0)
            .map(|d| d.date_naive())
            .ok_or_else(|| Error::Usage(msg!("cli.epoch_out_of_range", value = epoch)));
    }
    Ok(env.today)
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
        _ => Err(Error::Usage(msg!(
            "cli.format_check",
            path = path.display().to_string()
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
        policy.min_score = Some(
            crate::engine::score::PerMille::from_percent(min)
                .ok_or_else(|| Error::Usage(msg!("cli.min_score", value = min.to_string())))?,
        );
    }
    Ok((policy, file))
}

/// The Handlebars templates `args` will render, in the order they are rendered (standard output first).
#[must_use]
pub fn templates_needed(args: &CheckArgs) -> Vec<&'static str> {
    let stdout = (!args.quiet).then_some(args.format);
    let mut mains = Vec::new();
    for format in stdout
        .into_iter()
        .chain(args.outputs.iter().filter_map(|p| format_of(p).ok()))
    {
        let main = match format {
            FormatArg::Html => report::templates::HTML,
            FormatArg::Markdown => report::templates::MARKDOWN,
            _ => continue,
        };
        if !mains.contains(&main) {
            mains.push(main);
        }
    }
    mains
}

/// `snc check`. `templates` is `--templates DIR`; `pending`, the templates already being compiled on another
/// thread ([`report::Templates::load_in_background`]), if the caller started that.
pub fn check(
    pack: &Pack,
    args: &CheckArgs,
    lang: Lang,
    env: &Environment,
    templates: Option<&Path>,
    pending: Option<report::Pending>,
) -> Result<Output, Error> {
    let as_of = as_of(args.as_of.as_deref(), env)?;
    let (policy, policy_file) = policy_for(pack, args)?;
    let baseline = args
        .baseline
        .as_deref()
        .map(|path| crate::report::json::load_baseline(path, &pack.id))
        .transpose()?;
    let mut inputs: Vec<&Path> = vec![&args.assessment];
    inputs.extend(policy_file.as_deref());
    inputs.extend(args.baseline.as_deref());
    inputs.extend(args.review.as_deref());
    // Every output is rendered before any is written, so a failure leaves no partial set of files.
    let mut files = Vec::new();
    let mut spreadsheets = Vec::new();
    for path in &args.outputs {
        fs::ensure_not_input(path, &inputs)?;
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
    let mut renderer = report::Renderer::new(pack, templates.map(Path::to_path_buf));
    if let Some(pending) = pending {
        renderer = renderer.with_pending(pending);
    }
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
        binaries.push((path, crate::report::xlsx::report(&report)?));
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
    let (exit, stderr) = match (report.gate.passed, args.exit_zero) {
        (true, _) => (Exit::Success, String::new()),
        (false, false) => (Exit::GateFailed, String::new()),
        (false, true) => (
            Exit::Success,
            format!("{}\n", msg!("cli.exit_zero").render(lang)),
        ),
    };
    Ok(Output {
        stdout,
        stderr,
        exit,
    })
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::templates_needed;
    use crate::cli::{Cli, Command};
    use crate::report::templates::{HTML, MARKDOWN};

    fn needed(args: &[&str]) -> Vec<&'static str> {
        let cli = Cli::try_parse_from(["snc", "check", "a.json"].iter().chain(args))
            .unwrap_or_else(|e| panic!("{e}"));
        let Command::Check(args) = cli.command else {
            panic!("not a check")
        };
        templates_needed(&args)
    }

    #[test]
    fn the_templates_compiled_ahead_are_those_the_check_renders_in_its_order() {
        assert!(needed(&[]).is_empty());
        assert!(needed(&["--format", "json", "-o", "r.sarif", "-o", "r.xlsx"]).is_empty());
        assert_eq!(needed(&["--format", "html"]), [HTML]);
        assert_eq!(
            needed(&["--format", "markdown", "-o", "r.HTML", "-o", "s.md"]),
            [MARKDOWN, HTML]
        );
        assert_eq!(
            needed(&["--format", "html", "--quiet", "-o", "r.md"]),
            [MARKDOWN]
        );
        assert_eq!(needed(&["-o", "r.unknown", "-o", "r.htm"]), [HTML]);
    }
}
