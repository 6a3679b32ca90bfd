//! Handlebars templates for HTML and Markdown: embedded in the binary, or overridden file by file from
//! `--templates DIR`. Strict mode: a misspelled field is an error, not an empty cell.

use std::path::{Path, PathBuf};

use handlebars::Handlebars;
use rust_embed::RustEmbed;

use crate::error::{Diagnostic, Error};
use crate::pack::Pack;

use super::Report;
use super::view::View;

#[derive(RustEmbed)]
#[folder = "reports/templates/"]
struct Embedded;

handlebars::handlebars_helper!(json: |value: Json| serde_json::to_string(&value).unwrap_or_default());

/// The main templates; partials live in `partials/` and are registered under their file stem.
pub const HTML: &str = "report.html.hbs";
pub const MARKDOWN: &str = "report.md.hbs";

/// Both template registries, ready to render.
pub struct Templates {
    html: Handlebars<'static>,
    markdown: Handlebars<'static>,
}

/// Escapes Markdown so that vendor text cannot open a link, an emphasis, raw HTML or break a table.
#[must_use]
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '{' | '}' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

struct Source {
    name: String,
    display: String,
    text: String,
}

fn sources(dir: Option<&Path>) -> Result<Vec<Source>, Error> {
    let mut out: Vec<Source> = Vec::new();
    for name in Embedded::iter() {
        let Some(file) = Embedded::get(&name) else {
            continue;
        };
        let text = String::from_utf8_lossy(&file.data).into_owned();
        out.push(Source {
            name: name.to_string(),
            display: format!("<embedded>/reports/templates/{name}"),
            text,
        });
    }
    if let Some(dir) = dir {
        if !dir.is_dir() {
            return Err(Error::Usage(format!(
                "--templates {}: not a folder",
                dir.display()
            )));
        }
        for sub in ["", "partials"] {
            let folder: PathBuf = if sub.is_empty() {
                dir.to_path_buf()
            } else {
                dir.join(sub)
            };
            let Ok(entries) = std::fs::read_dir(&folder) else {
                continue;
            };
            let mut paths: Vec<PathBuf> =
                entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            paths.sort();
            for path in paths
                .into_iter()
                .filter(|p| p.extension().is_some_and(|e| e == "hbs"))
            {
                let file_name = path
                    .file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let name = if sub.is_empty() {
                    file_name
                } else {
                    format!("{sub}/{file_name}")
                };
                let text =
                    std::fs::read_to_string(&path).map_err(|e| Error::io(&path, "read", e))?;
                let source = Source {
                    name,
                    display: path.display().to_string(),
                    text,
                };
                match out.iter_mut().find(|s| s.name == source.name) {
                    Some(existing) => *existing = source,
                    None => out.push(source),
                }
            }
        }
    }
    Ok(out)
}

fn template_error(source: &Source, e: &handlebars::TemplateError) -> Diagnostic {
    let message = format!("invalid template: {}", e.reason());
    match e.pos() {
        Some((line, column)) => {
            let mut d = Diagnostic::file(&source.display, message);
            d.position = Some((line, column));
            d.source_line = source
                .text
                .lines()
                .nth(line.saturating_sub(1))
                .map(str::to_owned);
            d
        }
        None => Diagnostic::file(&source.display, message),
    }
}

impl Templates {
    /// Loads the embedded templates, each replaced by the file of the same name in `dir` when given.
    pub fn load(dir: Option<&Path>) -> Result<Templates, Error> {
        let sources = sources(dir)?;
        let mut html = Handlebars::new();
        html.set_strict_mode(true);
        html.register_helper("json", Box::new(json));
        let mut markdown = Handlebars::new();
        markdown.set_strict_mode(true);
        markdown.register_escape_fn(escape_markdown);
        markdown.register_helper("json", Box::new(json));
        let mut problems = Vec::new();
        for source in &sources {
            let (registry, partial) = match source.name.as_str() {
                HTML => (&mut html, None),
                MARKDOWN => (&mut markdown, None),
                // Other main templates (diff, portfolio) join the registry of their format.
                name if !name.contains('/') && name.ends_with(".html.hbs") => (&mut html, None),
                name if !name.contains('/') && name.ends_with(".md.hbs") => (&mut markdown, None),
                name => match name
                    .strip_prefix("partials/")
                    .and_then(|n| n.strip_suffix(".hbs"))
                {
                    Some(stem) if stem.starts_with("md-") => (&mut markdown, Some(stem.to_owned())),
                    Some(stem) => (&mut html, Some(stem.to_owned())),
                    None => continue,
                },
            };
            let result = match partial {
                Some(stem) => registry.register_partial(&stem, source.text.clone()),
                None => registry.register_template_string(&source.name, source.text.clone()),
            };
            if let Err(e) = result {
                problems.push(template_error(source, &e));
            }
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        Ok(Templates { html, markdown })
    }

    /// Renders the HTML report.
    pub fn html(&self, report: &Report, pack: &Pack) -> Result<String, Error> {
        render(&self.html, HTML, report, pack)
    }

    /// Renders the Markdown report.
    pub fn markdown(&self, report: &Report, pack: &Pack) -> Result<String, Error> {
        render(&self.markdown, MARKDOWN, report, pack)
    }
}

impl Templates {
    /// Renders another HTML template (`diff.html.hbs`, `portfolio.html.hbs`) with its own view model.
    pub fn html_view<T: serde::Serialize>(&self, name: &str, view: &T) -> Result<String, Error> {
        render_view(&self.html, name, view)
    }

    /// Renders another Markdown template (`diff.md.hbs`, `portfolio.md.hbs`) with its own view model.
    pub fn markdown_view<T: serde::Serialize>(
        &self,
        name: &str,
        view: &T,
    ) -> Result<String, Error> {
        render_view(&self.markdown, name, view)
    }
}

fn render(
    registry: &Handlebars<'static>,
    name: &str,
    report: &Report,
    pack: &Pack,
) -> Result<String, Error> {
    render_view(registry, name, &View::build(report, pack))
}

fn render_view<T: serde::Serialize>(
    registry: &Handlebars<'static>,
    name: &str,
    view: &T,
) -> Result<String, Error> {
    registry.render(name, view).map_err(|e| {
        let template = e.template_name.clone().unwrap_or_else(|| name.to_owned());
        let mut d = Diagnostic::file(
            format!("template {template}"),
            format!("cannot render: {}", e.reason()),
        );
        if let (Some(line), Some(column)) = (e.line_no, e.column_no) {
            d.position = Some((line, column));
        }
        Error::Invalid(vec![d])
    })
}

#[cfg(test)]
mod tests {
    use super::escape_markdown;

    #[test]
    fn markdown_escaping_neutralises_tables_links_and_html() {
        assert_eq!(escape_markdown("a | b"), "a \\| b");
        assert_eq!(
            escape_markdown("[x](javascript:alert(1))"),
            "\\[x\\](javascript:alert(1))"
        );
        assert_eq!(escape_markdown("<script>"), "\\<script\\>");
        assert_eq!(escape_markdown("line\nbreak"), "line break");
        assert_eq!(escape_markdown("R&D"), "R&amp;D");
    }
}
