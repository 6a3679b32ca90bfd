//! `snc diff OLD NEW`: what changed between two submissions of a vendor.

use std::path::{Path, PathBuf};

use clap::ValueEnum;

use crate::cli::{Environment, Exit, Output};
use crate::diff::{self, Diff, DiffView, Side, SourceKind};
use crate::error::Error;
use crate::gate::Policy;
use crate::model::Lang;
use crate::output;
use crate::pack::Pack;
use crate::report::Templates;

use super::check::{as_of, evaluate_file};

/// The HTML and Markdown templates of a diff.
pub const HTML: &str = "diff.html.hbs";
pub const MARKDOWN: &str = "diff.md.hbs";

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
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffFormat {
    Text,
    Json,
    Markdown,
    Html,
}

fn format_of(path: &Path) -> Result<DiffFormat, Error> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("json") => Ok(DiffFormat::Json),
        Some("txt") => Ok(DiffFormat::Text),
        Some("md" | "markdown") => Ok(DiffFormat::Markdown),
        Some("html" | "htm") => Ok(DiffFormat::Html),
        _ => Err(Error::Usage(format!(
            "cannot tell the format of {} from its extension: use .json, .txt, .md or .html",
            path.display()
        ))),
    }
}

/// Renders a diff in a format; the templates load only for HTML and Markdown.
pub fn render(
    diff: &Diff,
    format: DiffFormat,
    pack: &Pack,
    templates: &std::cell::OnceCell<Templates>,
    dir: Option<&Path>,
) -> Result<String, Error> {
    let templates = || -> Result<&Templates, Error> {
        if let Some(t) = templates.get() {
            return Ok(t);
        }
        let loaded = Templates::load(dir)?;
        Ok(templates.get_or_init(|| loaded))
    };
    match format {
        DiffFormat::Text => Ok(diff.render_text()),
        DiffFormat::Json => Ok(diff.to_json()),
        DiffFormat::Markdown => templates()?.markdown_view(MARKDOWN, &DiffView::build(diff, pack)),
        DiffFormat::Html => templates()?.html_view(HTML, &DiffView::build(diff, pack)),
    }
}

fn side(
    pack: &Pack,
    input: &diff::Input,
    path: &Path,
    as_of: chrono::NaiveDate,
    lang: Lang,
) -> Result<Side, Error> {
    match input.kind {
        SourceKind::Report => Side::from_json(input),
        SourceKind::Assessment => {
            let report = evaluate_file(pack, path, as_of, lang, &Policy::default(), None, None)?;
            Ok(Side::from_report(&report, SourceKind::Assessment))
        }
    }
}

pub fn diff(
    pack: &Pack,
    args: &DiffArgs,
    lang: Lang,
    env: &Environment,
    templates: Option<&Path>,
) -> Result<Output, Error> {
    let new_as_of = as_of(args.as_of.as_deref(), env)?;
    let old_as_of = match &args.old_as_of {
        Some(text) => as_of(Some(text), env)?,
        None => new_as_of,
    };
    let mut files = Vec::new();
    for path in &args.outputs {
        output::ensure_not_input(path, &[&args.old, &args.new])?;
        files.push((path, format_of(path)?));
    }
    let read = |path: &Path| -> Result<diff::Input, Error> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, "read", e))?;
        diff::read(&path.display().to_string(), &bytes)
    };
    let old_input = read(&args.old)?;
    let new_input = read(&args.new)?;
    // Before evaluating anything: two referentials cannot be compared.
    if let (Some(o), Some(n)) = (old_input.pack_id(), new_input.pack_id())
        && o != n
    {
        return Err(Error::Usage(format!(
            "{} is for the pack `{o}` and {} for the pack `{n}`: a diff compares two submissions against the same referential",
            old_input.file, new_input.file
        )));
    }
    let old = side(pack, &old_input, &args.old, old_as_of, lang)?;
    let new = side(pack, &new_input, &args.new, new_as_of, lang)?;
    let result = diff::diff(&old, &new, pack, lang)?;
    let cell = std::cell::OnceCell::new();
    let stdout = render(&result, args.format, pack, &cell, templates)?;
    let mut rendered = Vec::new();
    for (path, format) in files {
        rendered.push((path, render(&result, format, pack, &cell, templates)?));
    }
    let outputs: Vec<(&Path, &[u8])> = rendered
        .iter()
        .map(|(p, t)| (p.as_path(), t.as_bytes()))
        .collect();
    output::write_all_atomic(&outputs)?;
    Ok(Output {
        stdout,
        stderr: String::new(),
        exit: if args.fail_on_regression && result.regressed {
            Exit::Differs
        } else {
            Exit::Success
        },
    })
}
