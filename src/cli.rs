//! The command line: raw arguments parsed by clap, validated, run through the library. Returns what to print and
//! the outcome; `main` prints and sets the exit code.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

use crate::commands;
use crate::error::Error;
use crate::limits::Limits;
use crate::model::{Lang, ServiceType};
use crate::pack::{Pack, PackSource};
use crate::schema;

#[derive(Parser, Debug)]
#[command(name = "snc", version, about = "SecNumCloud 3.2 qualification readiness checker", long_about = None)]
pub struct Cli {
    /// Load the rule pack from this folder instead of the embedded one.
    #[arg(long, global = true, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Use the report templates of this folder (each file replaces the embedded one of the same name).
    #[arg(long, global = true, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Language of reports and explanations (default: from `LC_ALL` or `LANG`, else English).
    #[arg(long, global = true, value_enum)]
    pub lang: Option<LangArg>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Write a self-assessment skeleton with every requirement that applies to the service.
    Init(InitArgs),
    /// Check an assessment against the schema and the pack; report every error with its place.
    Validate {
        /// The assessment file (JSON).
        assessment: PathBuf,
    },
    /// Evaluate an assessment and report its readiness; exit 1 when the gate fails.
    Check(Box<CheckArgs>),
    /// Explain a requirement: what it asks, what an assessor expects, how it is checked.
    Explain {
        /// A requirement id such as 19.6.b.
        id: String,
    },
    /// List or lint rule packs.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Print a JSON Schema.
    Schema {
        #[arg(value_enum)]
        which: SchemaArg,
    },
    /// Compare two submissions of a vendor: verdicts improved and regressed, gaps opened and closed, scores.
    Diff(Box<commands::diff::DiffArgs>),
    /// Evaluate many vendors' assessments and write a dashboard (.html, .md, .csv, .json, .xlsx).
    Portfolio(commands::portfolio::PortfolioArgs),
    /// Check that a JSON report matches its assessment: pack, digests, verdicts, scores, readiness.
    Verify(commands::verify::VerifyArgs),
}

#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// Service type(s) in the qualification scope.
    #[arg(long = "service-type", value_enum, required = true)]
    pub service_types: Vec<ServiceTypeArg>,
    /// Layer(s) the service runs on, from another provider.
    #[arg(long = "built-on", value_enum)]
    pub built_on: Vec<LayerArg>,
    /// Vendor name to write in the skeleton.
    #[arg(long, default_value = "")]
    pub vendor: String,
    /// Service name to write in the skeleton.
    #[arg(long, default_value = "")]
    pub service: String,
    /// Where to write the skeleton.
    #[arg(short, long, default_value = "assessment.json")]
    pub output: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// The assessment file (JSON).
    pub assessment: PathBuf,
    /// Format printed on standard output.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
    /// Also write the report to FILE; the format follows the extension (.json, .txt, .md, .html, .xml, .sarif,
    /// .csv, .xlsx). Repeatable.
    #[arg(short, long = "output", value_name = "FILE")]
    pub outputs: Vec<PathBuf>,
    /// Evaluation date (default: `SOURCE_DATE_EPOCH`, else today in UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<String>,
    /// Fail the gate when the overall score is below N (0–100).
    #[arg(long, value_name = "N")]
    pub min_score: Option<f64>,
    /// Fail the gate on any unmet applicable requirement of this severity or above.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOnArg>,
    /// Read the gate policy from FILE (default: `snc.toml` in the current folder, if there is one).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Also fail the gate on regressions against this earlier `snc check --format json` report.
    #[arg(long, value_name = "REPORT.json")]
    pub baseline: Option<PathBuf>,
    /// Exit 0 when the gate fails (report only); errors still exit 2.
    #[arg(long)]
    pub exit_zero: bool,
    /// Print nothing on standard output; `-o` files are still written.
    #[arg(short, long)]
    pub quiet: bool,
    /// Apply a reviewer file (TOML): verdicts set by programme staff, each with a reason (docs/review.md).
    #[arg(long, value_name = "FILE")]
    pub review: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// List the requirements of the pack.
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Report every problem of a rule pack folder (exit 0 when clean, 2 otherwise).
    Lint {
        /// The pack folder (holding pack.toml).
        dir: PathBuf,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LangArg {
    En,
    Fr,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServiceTypeArg {
    Iaas,
    Caas,
    Paas,
    Saas,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerArg {
    Iaas,
    Caas,
    Paas,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatArg {
    Text,
    Json,
    /// Markdown report, for a merge request or a wiki.
    Markdown,
    /// HTML report: one self-contained file.
    Html,
    /// XML test report (junit): one test case per applicable requirement, one suite per chapter.
    Junit,
    /// SARIF 2.1.0: one rule per requirement, results at the answers' lines.
    Sarif,
    /// CSV: one row per requirement, then the gate's reasons and notes.
    Csv,
    /// GitHub Actions workflow commands (annotations on the assessment's lines).
    Github,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOnArg {
    Critical,
    High,
    Medium,
    Low,
    Never,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaArg {
    Assessment,
    Report,
    Policy,
}

impl From<ServiceTypeArg> for ServiceType {
    fn from(a: ServiceTypeArg) -> Self {
        match a {
            ServiceTypeArg::Iaas => ServiceType::IaaS,
            ServiceTypeArg::Caas => ServiceType::CaaS,
            ServiceTypeArg::Paas => ServiceType::PaaS,
            ServiceTypeArg::Saas => ServiceType::SaaS,
        }
    }
}

impl From<LayerArg> for ServiceType {
    fn from(a: LayerArg) -> Self {
        match a {
            LayerArg::Iaas => ServiceType::IaaS,
            LayerArg::Caas => ServiceType::CaaS,
            LayerArg::Paas => ServiceType::PaaS,
        }
    }
}

/// What the process knows of its surroundings, read once by `main`.
#[derive(Clone, Debug)]
pub struct Environment {
    /// Today in UTC, from the clock.
    pub today: NaiveDate,
    /// `SOURCE_DATE_EPOCH`, if set.
    pub source_date_epoch: Option<String>,
    /// `LC_ALL`, else `LANG`.
    pub locale: Option<String>,
    /// Colour the text report on standard output: a terminal, and `NO_COLOR` unset.
    pub color: bool,
    /// Told how far a long run is (files done, files in all), when `main` draws a progress bar.
    pub progress: Option<ProgressFn>,
    /// `SNC_MAX_ASSESSMENT_BYTES`, if set: the largest assessment file read.
    pub max_assessment_bytes: Option<String>,
}

impl Environment {
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
    let lang = match cli.lang {
        Some(LangArg::En) => Lang::En,
        Some(LangArg::Fr) => Lang::Fr,
        None => Lang::from_locale(env.locale.as_deref()),
    };
    if let Command::Rules(RulesCommand::Lint { dir }) = &cli.command {
        return commands::rules::lint_command(dir);
    }
    let source = cli
        .rules
        .clone()
        .map_or(PackSource::Embedded, PackSource::Dir);
    let pack = Pack::load(&source).map_err(Error::Invalid)?;
    match cli.command {
        Command::Init(args) => commands::init::init(&pack, &args, lang),
        Command::Validate { assessment } => {
            commands::validate::validate(&pack, &assessment, &env.limits()?)
        }
        Command::Check(args) => {
            commands::check::check(&pack, &args, lang, env, cli.templates.as_deref())
        }
        Command::Explain { id } => commands::explain::explain(&pack, &id, lang).map(Output::ok),
        Command::Rules(RulesCommand::List { format }) => {
            Ok(Output::ok(commands::rules::list(&pack, format, lang)))
        }
        Command::Rules(RulesCommand::Lint { .. }) => unreachable_lint(),
        Command::Diff(args) => {
            commands::diff::diff(&pack, &args, lang, env, cli.templates.as_deref())
        }
        Command::Portfolio(args) => {
            commands::portfolio::portfolio(&pack, &args, lang, env, cli.templates.as_deref())
        }
        Command::Verify(args) => commands::verify::verify(&pack, &args, lang),
        Command::Schema { which } => Ok(Output::ok(match which {
            SchemaArg::Assessment => commands::pretty(&schema::assessment(&pack)),
            SchemaArg::Report => schema::REPORT_SCHEMA.to_owned(),
            SchemaArg::Policy => schema::POLICY_SCHEMA.to_owned(),
        })),
    }
}

fn unreachable_lint() -> Result<Output, Error> {
    Err(Error::Usage(
        "`rules lint` is handled before the pack loads".to_owned(),
    ))
}
