//! The command line: raw arguments parsed by clap, validated, run through the library. Returns what to print and
//! the outcome; `main` prints and sets the exit code.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::{Map, Value as Json, json};

use crate::assessment::{self, Assessment};
use crate::error::Error;
use crate::evaluate::{self, Evaluation};
use crate::gate::{self, Policy};
use crate::model::{Kind, Lang, RequirementId, ServiceType, Severity};
use crate::pack::{Pack, PackSource};
use crate::report::{self, Report};
use crate::score::{self, PerMille};
use crate::{lint, output, schema};

#[derive(Parser, Debug)]
#[command(name = "snc", version, about = "SecNumCloud 3.2 qualification readiness checker", long_about = None)]
pub struct Cli {
    /// Load the rule pack from this folder instead of the embedded one.
    #[arg(long, global = true, value_name = "DIR")]
    pub rules: Option<PathBuf>,
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
    /// Also write the report to FILE; the format follows the extension (.json, .txt). Repeatable.
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
}

/// How the command ended, when it could evaluate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Evaluated; the gate passed (or there is no gate).
    Success,
    /// Evaluated; the gate failed.
    GateFailed,
}

/// What to print, and how the command ended.
#[derive(Debug)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub exit: Exit,
}

impl Output {
    fn ok(stdout: String) -> Self {
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
        return lint_command(dir);
    }
    let source = cli
        .rules
        .clone()
        .map_or(PackSource::Embedded, PackSource::Dir);
    let pack = Pack::load(&source).map_err(Error::Invalid)?;
    match cli.command {
        Command::Init(args) => init(&pack, &args, lang),
        Command::Validate { assessment } => validate(&pack, &assessment),
        Command::Check(args) => check(&pack, &args, lang, env),
        Command::Explain { id } => explain(&pack, &id, lang).map(Output::ok),
        Command::Rules(RulesCommand::List { format }) => Ok(Output::ok(list(&pack, format, lang))),
        Command::Rules(RulesCommand::Lint { .. }) => unreachable_lint(),
        Command::Schema { which } => Ok(Output::ok(match which {
            SchemaArg::Assessment => pretty(&schema::assessment(&pack)),
            SchemaArg::Report => schema::REPORT_SCHEMA.to_owned(),
        })),
    }
}

fn unreachable_lint() -> Result<Output, Error> {
    Err(Error::Usage(
        "`rules lint` is handled before the pack loads".to_owned(),
    ))
}

fn pretty(value: &Json) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}

fn lint_command(dir: &Path) -> Result<Output, Error> {
    let problems = lint::lint(&PackSource::Dir(dir.to_path_buf()));
    if problems.is_empty() {
        Ok(Output::ok(format!(
            "{}: rule pack is valid\n",
            dir.display()
        )))
    } else {
        Err(Error::Invalid(problems))
    }
}

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

fn init(pack: &Pack, args: &InitArgs, lang: Lang) -> Result<Output, Error> {
    if args.output.exists() && !args.force {
        return Err(Error::Usage(format!(
            "{} already exists: use --force to overwrite it",
            args.output.display()
        )));
    }
    let types: Vec<ServiceType> = args.service_types.iter().map(|&t| t.into()).collect();
    let layers: Vec<ServiceType> = args.built_on.iter().map(|&l| l.into()).collect();
    let skeleton = skeleton(pack, &types, &layers, &args.vendor, &args.service, lang);
    let count = skeleton["answers"].as_object().map_or(0, Map::len);
    output::write_atomic(&args.output, pretty(&skeleton).as_bytes())?;
    Ok(Output::ok(format!(
        "wrote {} with {count} applicable requirements as not_assessed and every fact unknown (null)\n",
        args.output.display()
    )))
}

/// An assessment skeleton: every applicable requirement `not_assessed`, every fact `null`.
#[must_use]
pub fn skeleton(
    pack: &Pack,
    types: &[ServiceType],
    layers: &[ServiceType],
    vendor: &str,
    service: &str,
    lang: Lang,
) -> Json {
    let mut answers = Map::new();
    for r in pack
        .requirements
        .iter()
        .filter(|r| evaluate::applies_to_service(r, types, layers))
    {
        answers.insert(
            r.id.to_string(),
            json!({"status": "not_assessed", "title": r.title.get(lang)}),
        );
    }
    let built_on: Vec<Json> = layers
        .iter()
        .map(|l| json!({"layer": l, "provider": null, "offer": null, "secnumcloud_qualified": null, "qualification_valid_until": null}))
        .collect();
    json!({
        "format": schema::ASSESSMENT_FORMAT,
        "pack": pack.id,
        "vendor": {"name": vendor, "contact": null},
        "service": {"name": service, "types": types, "built_on": built_on},
        "facts": crate::pack::skeleton(&pack.facts),
        "answers": answers,
    })
}

fn validate(pack: &Pack, path: &Path) -> Result<Output, Error> {
    let a = assessment::load(path, pack)?;
    let mut stderr = String::new();
    for (id, line) in &a.unknown_answers {
        let _ = writeln!(
            stderr,
            "warning: {}:{line}: the answer for `{id}` matches no requirement of pack {}",
            a.file, pack.id
        );
    }
    Ok(Output {
        stdout: format!(
            "{}: valid ({} answers, pack {})\n",
            a.file,
            a.answers.len(),
            pack.id
        ),
        stderr,
        exit: Exit::Success,
    })
}

/// Loads, evaluates and reports one assessment.
pub fn evaluate_file(
    pack: &Pack,
    path: &Path,
    as_of: NaiveDate,
    lang: Lang,
    policy: &Policy,
) -> Result<Report, Error> {
    let assessment: Assessment = assessment::load(path, pack)?;
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

fn render(report: &Report, format: FormatArg) -> String {
    match format {
        FormatArg::Text => report::render_text(report),
        FormatArg::Json => report.to_json(),
    }
}

fn format_of(path: &Path) -> Result<FormatArg, Error> {
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

fn check(pack: &Pack, args: &CheckArgs, lang: Lang, env: &Environment) -> Result<Output, Error> {
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
    let report = evaluate_file(pack, &args.assessment, as_of, lang, &policy)?;
    let rendered: Vec<(&PathBuf, String)> = files
        .into_iter()
        .map(|(p, f)| (p, render(&report, f)))
        .collect();
    for (path, text) in &rendered {
        output::write_atomic(path, text.as_bytes())?;
    }
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

fn list(pack: &Pack, format: ListFormat, lang: Lang) -> String {
    match format {
        ListFormat::Json => {
            let items: Vec<Json> = pack
                .requirements
                .iter()
                .map(|r| {
                    json!({
                        "id": r.id, "kind": r.kind, "severity": r.severity, "chapter": r.chapter,
                        "applies_to": if r.applies_to.is_empty() { ServiceType::ALL.to_vec() } else { r.applies_to.clone() },
                        "built_on": r.built_on, "inheritable": r.inheritable, "checks": r.checks.len(),
                        "title": r.title.get(lang),
                    })
                })
                .collect();
            pretty(&Json::Array(items))
        }
        ListFormat::Text => {
            let mut out = String::new();
            for r in &pack.requirements {
                let kind = if r.kind == Kind::Recommendation {
                    "rec"
                } else {
                    "req"
                };
                let _ = writeln!(
                    out,
                    "{:<10} {kind} {:<8} {:<22} {}",
                    r.id.as_str(),
                    r.severity.as_str(),
                    r.applies_label(),
                    r.title.get(lang)
                );
            }
            out
        }
    }
}

fn explain(pack: &Pack, id: &str, lang: Lang) -> Result<String, Error> {
    let parsed: RequirementId = id
        .parse()
        .map_err(|e: crate::model::InvalidRequirementId| Error::Usage(e.to_string()))?;
    let r = pack.requirement(&parsed).ok_or_else(|| {
        Error::Usage(format!(
            "pack {} has no requirement `{id}`: see `snc rules list`",
            pack.id
        ))
    })?;
    let fr = lang == Lang::Fr;
    let label = |en: &'static str, fr_text: &'static str| if fr { fr_text } else { en };
    let mut out = String::new();
    let chapter = pack
        .chapter(&r.chapter)
        .map(|c| c.title.get(lang))
        .unwrap_or_default();
    let section = pack
        .chapter(&r.chapter)
        .and_then(|c| c.sections.iter().find(|s| s.id == r.section))
        .map(|s| s.title.get(lang))
        .unwrap_or_default();
    let _ = writeln!(out, "{}  {}", r.id, r.title.get(lang));
    let _ = writeln!(
        out,
        "{} {} — {chapter} / {} {section}",
        label("Chapter", "Chapitre"),
        r.chapter,
        r.section
    );
    let _ = writeln!(
        out,
        "{}: {}   {}: {}   {}: {}",
        label("Kind", "Nature"),
        r.kind,
        label("Severity", "Sévérité"),
        r.severity,
        label("Applies to", "S'applique à"),
        r.applies_label()
    );
    if r.inheritable {
        let _ = writeln!(
            out,
            "{}: {}",
            label(
                "Inheritable from a qualified provider",
                "Héritable d'un fournisseur qualifié"
            ),
            r.inheritable_reason.as_deref().unwrap_or_default()
        );
    }
    let _ = writeln!(
        out,
        "\n{}\n  {}",
        label("Question", "Question"),
        r.question.get(lang)
    );
    let _ = writeln!(
        out,
        "\n{}\n  {}",
        label("Guidance", "Recommandations"),
        r.guidance.get(lang)
    );
    let kinds = r
        .evidence_kinds
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let _ = write!(out, "\n{}: {kinds}", label("Evidence", "Preuves"));
    if let Some(m) = r.max_age_months {
        let _ = write!(
            out,
            " ({} {m} {})",
            label("at most", "au plus"),
            label("months old", "mois")
        );
    }
    let _ = writeln!(out);
    if let Some(c) = &r.applies_if {
        let _ = writeln!(
            out,
            "\n{}: {}  [{}]",
            label("Applies only if", "S'applique seulement si"),
            c.expr,
            c.facts.join(", ")
        );
    }
    if !r.checks.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            label("Fact checks", "Vérifications sur les faits")
        );
        for c in &r.checks {
            let _ = writeln!(
                out,
                "  - {}\n    {}: {}\n    {}: {}",
                c.expr,
                label("facts", "faits"),
                c.facts.join(", "),
                label("when false", "si faux"),
                c.message.get(lang)
            );
        }
    }
    Ok(out)
}
