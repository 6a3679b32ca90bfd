//! The command line: raw arguments parsed by clap, validated, run through the library. Returns what to print and
//! the outcome; `main` prints and sets the exit code.

pub(crate) mod check;
pub(crate) mod diff;
pub(crate) mod explain;
pub(crate) mod export;
pub(crate) mod init;
pub(crate) mod manual;
pub(crate) mod pdf;
pub(crate) mod portfolio;
pub(crate) mod rules;
pub(crate) mod serve;
pub(crate) mod validate;
pub(crate) mod verify;

mod args;

use std::path::PathBuf;

use chrono::NaiveDate;
use serde_json::Value as Json;

pub use args::*;

use crate::assessment::limits::Limits;
use crate::model::Lang;
use crate::model::error::Error;
use crate::model::terminal::visible_lines;
use crate::msg;
use crate::pack::schema;
use crate::pack::{Pack, PackSource};

/// What the process knows of its surroundings, read once by `main`.
#[derive(Clone, Debug)]
pub struct Environment {
    /// Today in UTC, from the clock.
    pub today: NaiveDate,
    /// `SOURCE_DATE_EPOCH`, if set.
    pub source_date_epoch: Option<String>,
    /// `LC_ALL`, else `LANG`.
    pub locale: Option<String>,
    /// Standard output is a terminal.
    pub terminal: bool,
    /// `NO_COLOR` is set and not empty: no colour unless `--color always`.
    pub no_color: bool,
    /// `CLICOLOR_FORCE` is set, not empty and not `0`: colour even off a terminal (unless `NO_COLOR`).
    pub clicolor_force: bool,
    /// Told how far a long run is (files done, files in all), when `main` draws a progress bar.
    pub progress: Option<ProgressFn>,
    /// `SNC_MAX_ASSESSMENT_BYTES`, if set: the largest assessment file read.
    pub max_assessment_bytes: Option<String>,
    /// `GITHUB_STEP_SUMMARY`, if set: the job-summary file of the current GitHub Actions step, to which
    /// `--format github` appends the compact summary.
    pub github_step_summary: Option<std::path::PathBuf>,
    /// `SNC_CHROMIUM`, if set: the browser that prints `-o report.pdf`.
    pub chromium: Option<PathBuf>,
    /// Prints a line on standard output at once, for a command that runs until stopped (`serve` tells its URL).
    pub announce: Option<AnnounceFn>,
}

/// Prints one line on standard output now, before the command ends.
#[derive(Clone)]
pub struct AnnounceFn(pub std::sync::Arc<dyn Fn(&str) + Send + Sync>);

impl std::fmt::Debug for AnnounceFn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AnnounceFn")
    }
}

/// The language of everything `snc` prints: `--lang`, else the one `LC_ALL` or `LANG` names, else English. `main`
/// shows errors in it too.
#[must_use]
pub fn lang(cli: &Cli, env: &Environment) -> Lang {
    cli.lang
        .unwrap_or_else(|| Lang::from_locale(env.locale.as_deref()))
}

impl Environment {
    /// Whether the text report is coloured: `--color always` or `never` decide; `auto` colours a terminal, never
    /// with `NO_COLOR` (<https://no-color.org>), always with `CLICOLOR_FORCE` (<https://bixense.com/clicolors/>).
    #[must_use]
    pub fn color(&self, choice: ColorArg) -> bool {
        match choice {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => !self.no_color && (self.clicolor_force || self.terminal),
        }
    }

    /// The limits on assessments: the defaults, with the file size from `SNC_MAX_ASSESSMENT_BYTES`.
    pub fn limits(&self) -> Result<Limits, Error> {
        Limits::with_max_bytes(self.max_assessment_bytes.as_deref()).map_err(Error::Usage)
    }
}

/// A progress callback: files done, files in all. Called from worker threads.
#[derive(Clone)]
pub struct ProgressFn(pub std::sync::Arc<dyn Fn(usize, usize) + Send + Sync>);

impl std::fmt::Debug for ProgressFn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressFn")
    }
}

/// How the command ended, when it could evaluate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Evaluated; the gate passed (or there is no gate).
    Success,
    /// Evaluated; the gate failed.
    GateFailed,
    /// Evaluated; what was compared differs (`diff --fail-on-regression` found a regression, `verify` a
    /// mismatch). Exit code 1.
    Differs,
    /// Some inputs could not be evaluated, the others were and their outputs written (`portfolio`). Exit code 2.
    Incomplete,
}

/// What to print, and how the command ended.
#[derive(Debug)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub exit: Exit,
}

impl Output {
    pub(crate) fn ok(stdout: String) -> Self {
        Self {
            stdout,
            stderr: String::new(),
            exit: Exit::Success,
        }
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli, env: &Environment) -> Result<Output, Error> {
    let lang = lang(&cli, env);
    match &cli.command {
        Command::Rules(RulesCommand::Lint { dir }) => return rules::lint_command(dir, lang),
        Command::Completions { shell } => return Ok(Output::ok(manual::completions(*shell))),
        Command::Man { command, output } => return manual::man(command, output.as_deref()),
        _ => {}
    }
    let source = cli
        .rules
        .clone()
        .map_or(PackSource::Embedded, PackSource::Dir);
    // A pack given with --rules is held to what `snc rules lint` checks: a check that cannot work (an unknown
    // function, a non-boolean result) shows up in its examples, and must not load silently.
    let pack = match &source {
        PackSource::Dir(_) => crate::pack::lint::load_linted(&source),
        _ => Pack::load(&source),
    }
    .map_err(Error::Invalid)?;
    match cli.command {
        Command::Init(args) => init::init(&pack, &args, lang),
        Command::Validate { assessment } => {
            validate::validate(&pack, &assessment, &env.limits()?, lang)
        }
        Command::Check(args) => check::check(&pack, &args, lang, env),
        // A custom pack's texts are untrusted too: shown, never run by the terminal.
        Command::Explain { id } => explain::explain(&pack, &id, lang)
            .map(|text| Output::ok(visible_lines(&text).into_owned())),
        Command::Rules(RulesCommand::List { format }) => Ok(Output::ok(
            visible_lines(&rules::list(&pack, format, lang)).into_owned(),
        )),
        Command::Rules(RulesCommand::Lint { .. })
        | Command::Completions { .. }
        | Command::Man { .. } => unreachable_lint(),
        Command::Diff(args) => {
            diff::diff(&pack, &args, lang, env, args.templates.templates.as_deref())
        }
        Command::Portfolio(args) => {
            portfolio::portfolio(&pack, &args, lang, env, args.templates.templates.as_deref())
        }
        Command::Verify(args) => verify::verify(&pack, &args, lang),
        Command::Export(args) => export::export(&pack, &args, lang, &env.limits()?),
        Command::Import(args) => export::import(&pack, &args, lang, &env.limits()?),
        Command::Serve(args) => serve::serve(pack, &args, lang, env),
        Command::Schema { which } => Ok(Output::ok(match which {
            SchemaArg::Assessment => pretty(&schema::assessment(&pack)),
            SchemaArg::Report => schema::REPORT_SCHEMA.to_owned(),
            SchemaArg::Policy => schema::POLICY_SCHEMA.to_owned(),
        })),
    }
}

fn unreachable_lint() -> Result<Output, Error> {
    Err(Error::Usage(msg!("error.lint_first")))
}

/// Pretty JSON with a final newline.
pub(crate) fn pretty(value: &Json) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}
