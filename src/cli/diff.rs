//! `snc diff OLD NEW`: what changed between two submissions of a vendor.

use std::path::Path;

use crate::cli::{Environment, Exit, Output};
use crate::engine::gate::policy::Policy;
use crate::fs;
use crate::model::Lang;
use crate::model::error::Error;
use crate::msg;
use crate::pack::Pack;
use crate::report::Templates;
use crate::staff::diff::{self, Diff, DiffView, Side, SourceKind};

use super::check::as_of;
use crate::assessment::limits::Limits;
use crate::cli::{DiffArgs, DiffFormat};
use crate::engine::RunInputs;

/// The HTML and Markdown templates of a diff.
pub const HTML: &str = "diff.html.hbs";
pub const MARKDOWN: &str = "diff.md.hbs";

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
        _ => Err(Error::Usage(msg!(
            "cli.format_diff",
            path = path.display().to_string()
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
            let inputs = RunInputs {
                as_of,
                policy: &Policy::default(),
                baseline: None,
                review: None,
            };
            // The assessment's facts are kept so that the diff can say which facts a changed verdict read.
            let assessment = crate::assessment::load_any(path, pack, &Limits::default())?;
            let facts = assessment.facts.clone();
            let outcome = crate::engine::run(pack, assessment, &inputs)?;
            let report = crate::report::Report::build(&outcome, lang);
            Ok(Side::from_report(&report, SourceKind::Assessment).with_facts(pack, &facts))
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
        fs::ensure_not_input(path, &[&args.old, &args.new])?;
        files.push((path, format_of(path)?));
    }
    let read = |path: &Path| -> Result<diff::Input, Error> {
        if crate::assessment::workbook::is_workbook(path) {
            let limits = Limits::default();
            let bytes = crate::assessment::read_capped(path, &limits)?;
            let file = path.display().to_string();
            let (_, json) =
                crate::assessment::workbook::parse_document(&file, &bytes, pack, &limits)?;
            return Ok(diff::Input {
                text: super::pretty(&json),
                file,
                kind: SourceKind::Assessment,
                json,
            });
        }
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, msg!("io.read"), e))?;
        diff::read(&path.display().to_string(), &bytes)
    };
    let old_input = read(&args.old)?;
    let new_input = read(&args.new)?;
    // Before evaluating anything: two referentials cannot be compared.
    if let (Some(o), Some(n)) = (old_input.pack_id(), new_input.pack_id())
        && o != n
    {
        return Err(Error::Usage(msg!(
            "diff.files_other_pack",
            old_file = &old_input.file,
            old = o,
            new_file = &new_input.file,
            new = n
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
    fs::write_all_atomic(&outputs)?;
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
