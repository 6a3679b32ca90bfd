//! `snc portfolio DIR|FILES...`: every vendor's readiness on one page.

use std::path::{Path, PathBuf};

use crate::cli::{Environment, Exit, Output};
use crate::fs;
use crate::model::Lang;
use crate::model::error::Error;
use crate::msg;
use crate::pack::Pack;
use crate::report::Templates;
use crate::staff::portfolio::{self, PortfolioView};

use super::check::as_of;
use crate::cli::PortfolioArgs;

/// The HTML and Markdown templates of a portfolio.
pub const HTML: &str = "portfolio.html.hbs";
pub const MARKDOWN: &str = "portfolio.md.hbs";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Html,
    Markdown,
    Csv,
    Json,
    Xlsx,
    Text,
}

fn format_of(path: &Path) -> Result<Format, Error> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("html" | "htm") => Ok(Format::Html),
        Some("md" | "markdown") => Ok(Format::Markdown),
        Some("csv") => Ok(Format::Csv),
        Some("json") => Ok(Format::Json),
        Some("txt") => Ok(Format::Text),
        Some("xlsx") => {
            crate::report::xlsx::ensure_available()?;
            Ok(Format::Xlsx)
        }
        _ => Err(Error::Usage(msg!(
            "cli.format_portfolio",
            path = path.display().to_string()
        ))),
    }
}

pub fn portfolio(
    pack: &Pack,
    args: &PortfolioArgs,
    lang: Lang,
    env: &Environment,
    templates: Option<&Path>,
) -> Result<Output, Error> {
    let as_of = as_of(args.as_of.as_deref(), env)?;
    let files = portfolio::inputs(&args.inputs)?;
    let input_refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let mut outputs = Vec::new();
    for path in &args.outputs {
        fs::ensure_not_input(path, &input_refs)?;
        outputs.push((path, format_of(path)?));
    }
    // Templates are checked before the long part, so that a broken template costs nothing.
    let needs_templates = outputs
        .iter()
        .any(|(_, f)| matches!(f, Format::Html | Format::Markdown));
    let loaded = if needs_templates {
        Some(Templates::load(templates)?)
    } else {
        None
    };
    let progress = env.progress.as_ref().map(|p| p.0.clone());
    let callback = |done: usize, total: usize| {
        if let Some(p) = &progress {
            p(done, total);
        }
    };
    let result = portfolio::evaluate(pack, &files, as_of, lang, Some(&callback));
    let mut rendered: Vec<(&PathBuf, Vec<u8>)> = Vec::new();
    for (path, format) in outputs {
        let bytes = match (format, &loaded) {
            (Format::Html, Some(t)) => t
                .html_view(HTML, &PortfolioView::build(&result, pack))?
                .into_bytes(),
            (Format::Markdown, Some(t)) => t
                .markdown_view(MARKDOWN, &PortfolioView::build(&result, pack))?
                .into_bytes(),
            (Format::Csv, _) => result.to_csv().into_bytes(),
            (Format::Json, _) => result.to_json().into_bytes(),
            (Format::Xlsx, _) => crate::staff::xlsx::portfolio(&result)?,
            (Format::Text | Format::Html | Format::Markdown, _) => {
                result.render_text().into_bytes()
            }
        };
        rendered.push((path, bytes));
    }
    let files: Vec<(&Path, &[u8])> = rendered
        .iter()
        .map(|(p, b)| (p.as_path(), b.as_slice()))
        .collect();
    fs::write_all_atomic(&files)?;
    let exit = if result.errors.is_empty() {
        Exit::Success
    } else {
        Exit::Incomplete
    };
    Ok(Output {
        stdout: result.render_text(),
        stderr: String::new(),
        exit,
    })
}
