//! Every clap type of the command line: raw arguments, turned into the library's types by the commands.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::model::{Lang, ServiceType};

/// `--lang`: the code of one of the languages the catalogue has.
fn lang_parser() -> impl clap::builder::TypedValueParser<Value = Lang> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(Lang::ALL.iter().map(|l| l.as_str()))
        .try_map(|code| code.parse::<Lang>())
}

#[derive(Parser, Debug)]
#[command(name = "snc", version, about = "SecNumCloud 3.2 qualification readiness checker", long_about = None)]
pub struct Cli {
    /// Load the rule pack from this folder instead of the embedded one.
    #[arg(long, global = true, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Language of reports and explanations (default: from `LC_ALL` or `LANG`, else English).
    #[arg(long, global = true, value_parser = lang_parser())]
    pub lang: Option<Lang>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Write a self-assessment skeleton with every requirement that applies to the service.
    Init(InitArgs),
    /// Check an assessment against the schema and the pack; report every error with its place.
    Validate {
        /// The assessment file (JSON, or a .xlsx/.ods questionnaire).
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
    Diff(Box<DiffArgs>),
    /// Evaluate many vendors' assessments and write a dashboard (.html, .md, .csv, .json, .xlsx).
    Portfolio(PortfolioArgs),
    /// Check that a JSON report matches its assessment: pack, digests, verdicts, scores, readiness.
    Verify(VerifyArgs),
    /// Print a shell completion script (install: see docs/shell.md).
    Completions {
        #[arg(value_enum)]
        shell: ShellArg,
    },
    /// Print the manual page of snc, or of one of its commands, as roff (`snc man check | man -l -`).
    Man {
        /// The command whose page to print (`check`, `rules list`…); default: snc itself.
        #[arg(value_name = "COMMAND")]
        command: Vec<String>,
        /// Write the page to FILE instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Write an assessment as a questionnaire workbook (.xlsx) to fill in a spreadsheet application.
    Export(ExportArgs),
    /// Read a questionnaire workbook (.xlsx or .ods) back into an assessment (JSON).
    Import(ImportArgs),
    /// Answer the assessment in a browser: a local web questionnaire on 127.0.0.1 that saves as you type.
    Serve(ServeArgs),
}

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    /// The assessment (JSON, or a workbook).
    pub assessment: PathBuf,
    /// The workbook to write (.xlsx).
    #[arg(short, long, value_name = "FILE.xlsx")]
    pub output: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// The questionnaire workbook (.xlsx or .ods).
    #[arg(value_name = "QUESTIONNAIRE")]
    pub workbook: PathBuf,
    /// The assessment to write (.json).
    #[arg(short, long, value_name = "FILE.json")]
    pub output: PathBuf,
}

/// The shells `snc completions` writes for.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShellArg {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

/// `--color`: when the text report is coloured.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ColorArg {
    // On a terminal, unless `NO_COLOR` is set; always when `CLICOLOR_FORCE` is set (and not `0`).
    #[default]
    Auto,
    Always,
    Never,
}

/// `--templates DIR`, on the commands that render templates (HTML and Markdown).
#[derive(clap::Args, Debug, Default)]
pub struct TemplatesArg {
    /// Use the report templates of this folder (each file replaces the embedded one of the same name).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// The assessment file (JSON); the first page creates it when it does not exist.
    #[arg(default_value = "assessment.json")]
    pub assessment: PathBuf,
    /// Listen on this port of 127.0.0.1 (default: a free port). The server never listens elsewhere.
    #[arg(long, value_name = "N")]
    pub port: Option<u16>,
    /// Do not open a browser; only print the URL.
    #[arg(long)]
    pub no_open: bool,
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
    /// Where to write the skeleton: an assessment (.json), or a questionnaire workbook to fill in a spreadsheet
    /// application (.xlsx).
    #[arg(short, long, default_value = "assessment.json")]
    pub output: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// The assessment file (JSON, or a .xlsx/.ods questionnaire).
    pub assessment: PathBuf,
    /// Format printed on standard output.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
    /// Also write the report to FILE; the format follows the extension (.json, .txt, .md, .html, .xml, .sarif,
    /// .csv, .xlsx, .pdf printed by headless Chromium). Repeatable.
    #[arg(short, long = "output", value_name = "FILE")]
    pub outputs: Vec<PathBuf>,
    /// Evaluation date (default: `SOURCE_DATE_EPOCH`, else today in UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<String>,
    #[command(flatten)]
    pub gate: GateArgs,
    /// Exit 0 when the gate fails (report only); errors still exit 2.
    #[arg(long)]
    pub exit_zero: bool,
    /// Print nothing on standard output; `-o` files are still written.
    #[arg(short, long)]
    pub quiet: bool,
    /// Markdown (on standard output and in `-o FILE.md`) as the compact summary for a pull-request or merge-request
    /// comment: readiness, gate, blocking items, top gaps; always under 60,000 characters.
    #[arg(long)]
    pub compact: bool,
    /// Apply a reviewer file (TOML): verdicts set by programme staff, each with a reason (docs/review.md).
    #[arg(long, value_name = "FILE")]
    pub review: Option<PathBuf>,
    /// Colour the text report: `auto` (a terminal, honouring `NO_COLOR` and `CLICOLOR_FORCE`), `always`, `never`.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    #[command(flatten)]
    pub templates: TemplatesArg,
}

/// The gate's policy, for `check` and for `verify` (which must apply the policy the report was made with).
#[derive(clap::Args, Debug, Default)]
pub struct GateArgs {
    /// Fail the gate when the overall score is below N (0–100).
    #[arg(long, value_name = "N")]
    pub min_score: Option<f64>,
    /// Fail the gate on any unmet applicable requirement of this severity or above.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOnArg>,
    /// Read the gate policy from FILE (default: `snc.toml` in the current folder, if there is one); `none`: the
    /// built-in defaults, whatever `snc.toml` says. Every report names the policy used and its digest.
    #[arg(long, value_name = "FILE|none")]
    pub policy: Option<PathBuf>,
    /// Also fail the gate on regressions against this earlier `snc check --format json` report.
    #[arg(long, value_name = "REPORT.json")]
    pub baseline: Option<PathBuf>,
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
    /// GitHub Actions workflow commands (annotations on the assessment's lines, within GitHub's limits).
    Github,
    /// GitLab Code Quality report (JSON): one issue per gap, at its answer's line.
    Gitlab,
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

#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The earlier submission: an assessment, or a JSON report from `snc check --format json`.
    pub old: PathBuf,
    /// The later submission: an assessment, or a JSON report.
    pub new: PathBuf,
    /// Format printed on standard output.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Also write the diff to FILE; the format follows the extension (.json, .txt, .md, .html). Repeatable.
    #[arg(short, long = "output", value_name = "FILE")]
    pub outputs: Vec<PathBuf>,
    /// Evaluation date of an assessment given as NEW (and as OLD, unless --old-as-of); default:
    /// `SOURCE_DATE_EPOCH`, else today in UTC. A report keeps its own date.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<String>,
    /// Evaluation date of an assessment given as OLD (default: --as-of).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub old_as_of: Option<String>,
    /// Exit 1 when anything regressed: a verdict, the readiness level or the overall score.
    #[arg(long)]
    pub fail_on_regression: bool,
    #[command(flatten)]
    pub templates: TemplatesArg,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffFormat {
    Text,
    Json,
    Markdown,
    Html,
}

#[derive(clap::Args, Debug)]
pub struct PortfolioArgs {
    /// Assessment files, or folders walked with their sub-folders for `*.json` submissions and `review.toml`
    /// files (docs/portfolio.md).
    #[arg(required = true, value_name = "DIR|FILE")]
    pub inputs: Vec<PathBuf>,
    /// Write the portfolio to FILE; the format follows the extension (.html, .md, .csv, .json, .xlsx).
    /// Repeatable. A summary table is always printed.
    #[arg(short, long = "output", value_name = "FILE")]
    pub outputs: Vec<PathBuf>,
    /// Evaluation date of every assessment (default: `SOURCE_DATE_EPOCH`, else today in UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<String>,
    #[command(flatten)]
    pub templates: TemplatesArg,
    /// Also write each vendor's full HTML report (latest submission) into DIR; the dashboard links to them with
    /// relative links.
    #[arg(long, value_name = "DIR")]
    pub reports_dir: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// The JSON report to verify (from `snc check --format json` or `-o report.json`).
    pub report: PathBuf,
    /// The assessment the report claims to be about.
    pub assessment: PathBuf,
    /// The reviewer file the report applied, when it names one.
    #[arg(long, value_name = "FILE")]
    pub review: Option<PathBuf>,
    /// The gate is part of what is verified: by default with the policy the report records (its file, held to
    /// its digest, and its thresholds); policy options given here replace it.
    #[command(flatten)]
    pub gate: GateArgs,
}
