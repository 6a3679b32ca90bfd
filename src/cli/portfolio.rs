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
    let found = portfolio::inputs(&args.inputs)?;
    let mut input_refs: Vec<&Path> = found.files.iter().map(PathBuf::as_path).collect();
    input_refs.extend(found.reviews.iter().map(PathBuf::as_path));
    let mut outputs = Vec::new();
    for path in &args.outputs {
        fs::ensure_not_input(path, &input_refs)?;
        outputs.push((path, format_of(path)?));
    }
    // Templates are checked before the long part, so that a broken template costs nothing.
    let needs_templates = args.reports_dir.is_some()
        || outputs
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
    let options = portfolio::Options {
        reviews: found.reviews.clone(),
        reports: args.reports_dir.is_some(),
        templates,
        progress: Some(&callback),
    };
    let (result, reports) = portfolio::evaluate(pack, &found.files, as_of, lang, &options)?;
    let mut rendered: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    for (path, format) in outputs {
        // Each output links to the reports from where it is written.
        let linked = match &args.reports_dir {
            Some(dir) => result.with_report_links(&relative_href(path, dir)),
            None => result.clone(),
        };
        let bytes = match (format, &loaded) {
            (Format::Html, Some(t)) => t
                .html_view(HTML, &PortfolioView::build(&linked, pack))?
                .into_bytes(),
            (Format::Markdown, Some(t)) => t
                .markdown_view(MARKDOWN, &PortfolioView::build(&linked, pack))?
                .into_bytes(),
            (Format::Csv, _) => linked.to_csv().into_bytes(),
            (Format::Json, _) => linked.to_json().into_bytes(),
            (Format::Xlsx, _) => crate::staff::xlsx::portfolio(&linked)?,
            (Format::Text | Format::Html | Format::Markdown, _) => {
                linked.render_text().into_bytes()
            }
        };
        rendered.push((path.clone(), bytes));
    }
    if let Some(dir) = &args.reports_dir {
        for report in reports {
            let path = dir.join(&report.name);
            fs::ensure_not_input(&path, &input_refs)?;
            rendered.push((path, report.html.into_bytes()));
        }
        fs::create_dir(dir)?;
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
    let stderr: Vec<String> = result
        .vendors
        .iter()
        .filter_map(|v| v.review.as_ref().filter(|r| !r.stale_decisions.is_empty()))
        .map(|r| {
            format!(
                "{}\n",
                crate::msg!(
                    "review.stale",
                    file = r.file.as_str(),
                    ids = r.stale_decisions.join(", ")
                )
                .render(lang)
            )
        })
        .collect();
    Ok(Output {
        stdout: result.render_text(),
        stderr: stderr.concat(),
        exit,
    })
}

/// The link prefix from the folder of `output` to `dir`, with `/` separators and each segment percent-encoded:
/// empty, or ending with `/`. Both paths are made absolute against the current folder and normalised by their
/// text, so the link holds for the folder as laid out (zipped with it, it still holds).
fn relative_href(output: &Path, dir: &Path) -> String {
    let absolute = |p: &Path| -> Vec<String> {
        let full = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        };
        let mut parts: Vec<String> = Vec::new();
        for c in full.components() {
            match c {
                std::path::Component::ParentDir => {
                    parts.pop();
                }
                std::path::Component::Normal(n) => parts.push(n.to_string_lossy().into_owned()),
                _ => {}
            }
        }
        parts
    };
    let from = absolute(output.parent().unwrap_or_else(|| Path::new("")));
    let to = absolute(dir);
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut segments: Vec<String> = vec!["..".to_owned(); from.len() - common];
    segments.extend(to[common..].iter().map(|s| percent_encode(s)));
    segments.iter().fold(String::new(), |mut href, s| {
        href.push_str(s);
        href.push('/');
        href
    })
}

/// A path segment for a URL: unreserved characters kept, every other byte `%XX`.
fn percent_encode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_from_the_dashboard_to_the_reports_are_relative_and_encoded() {
        assert_eq!(
            relative_href(Path::new("out/dashboard.html"), Path::new("out/reports")),
            "reports/"
        );
        assert_eq!(
            relative_href(Path::new("a/b/dashboard.html"), Path::new("a/r é")),
            "../r%20%C3%A9/"
        );
        assert_eq!(
            relative_href(Path::new("dashboard.html"), Path::new(".")),
            ""
        );
    }
}
