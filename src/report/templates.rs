//! Handlebars templates for HTML and Markdown: embedded in the binary, or overridden file by file from
//! `--templates DIR`. Strict mode: a misspelled field is an error, not an empty cell.

use std::path::{Path, PathBuf};

use handlebars::{Handlebars, handlebars_helper};
use rust_embed::RustEmbed;

use crate::model::error::{Diagnostic, Error};
use crate::pack::Pack;

use super::Report;
use super::view::View;

#[derive(RustEmbed)]
#[folder = "reports/templates/"]
struct Embedded;

// `{{json value}}`: a value as compact JSON, escaped like any other output.
handlebars_helper!(json: |value: Json| serde_json::to_string(value).unwrap_or_default());

/// The main templates; partials live in `partials/` and are registered under their file stem.
pub const HTML: &str = "report.html.hbs";
pub const MARKDOWN: &str = "report.md.hbs";

/// The templates, each main template compiled on first use with the partials of its format: compiling a
/// Handlebars template costs far more than rendering one, so a command compiles only what it renders.
pub struct Templates {
    sources: Vec<Source>,
    compiled:
        std::cell::RefCell<std::collections::BTreeMap<String, std::rc::Rc<Handlebars<'static>>>>,
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
            return Err(Error::Usage(crate::msg!(
                "cli.templates_not_a_folder",
                dir = dir.display().to_string()
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
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| Error::io(&path, crate::msg!("io.read"), e))?;
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
    /// Reads the embedded templates, each replaced by the file of the same name in `dir` when given. The files
    /// of `dir` are compiled now, so that any invalid one is reported whatever is rendered; the rest are compiled
    /// on first use (the embedded ones are tested).
    pub fn load(dir: Option<&Path>) -> Result<Templates, Error> {
        let sources = sources(dir)?;
        check_files(&sources)?;
        Ok(Templates {
            sources,
            compiled: std::cell::RefCell::default(),
        })
    }

    /// The registry holding `main` (`report.html.hbs`…) and the partials of its format (Markdown partials start
    /// with `md-`), compiled on first use.
    pub(super) fn registry(&self, main: &str) -> Result<std::rc::Rc<Handlebars<'static>>, Error> {
        if let Some(registry) = self.compiled.borrow().get(main) {
            return Ok(std::rc::Rc::clone(registry));
        }
        let registry = std::rc::Rc::new(compile(&self.sources, main)?);
        self.compiled
            .borrow_mut()
            .insert(main.to_owned(), std::rc::Rc::clone(&registry));
        Ok(registry)
    }

    /// Renders the HTML report.
    pub fn html(&self, report: &Report, pack: &Pack) -> Result<String, Error> {
        render_view(&*self.registry(HTML)?, HTML, &View::build(report, pack))
    }

    /// Renders the Markdown report.
    pub fn markdown(&self, report: &Report, pack: &Pack) -> Result<String, Error> {
        render_view(
            &*self.registry(MARKDOWN)?,
            MARKDOWN,
            &View::build(report, pack),
        )
    }

    /// Renders another HTML template (`diff.html.hbs`, `portfolio.html.hbs`) with its own view model.
    pub fn html_view<T: serde::Serialize>(&self, name: &str, view: &T) -> Result<String, Error> {
        render_view(&*self.registry(name)?, name, view)
    }

    /// Renders another Markdown template (`diff.md.hbs`, `portfolio.md.hbs`) with its own view model.
    pub fn markdown_view<T: serde::Serialize>(
        &self,
        name: &str,
        view: &T,
    ) -> Result<String, Error> {
        render_view(&*self.registry(name)?, name, view)
    }
}

/// Compiles every template read from `--templates DIR`, so that any invalid one is reported whatever is rendered.
fn check_files(sources: &[Source]) -> Result<(), Error> {
    let problems: Vec<Diagnostic> = sources
        .iter()
        .filter(|source| !source.display.starts_with("<embedded>"))
        .filter_map(|source| {
            bounds(source).or_else(|| {
                handlebars::Template::compile(&source.text)
                    .err()
                    .map(|e| template_error(source, &e))
            })
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(problems))
    }
}

/// `main` and the partials of its format, compiled into a registry.
fn compile(sources: &[Source], main: &str) -> Result<Handlebars<'static>, Error> {
    let markdown = main.ends_with(".md.hbs");
    let mut registry = base_registry(markdown);
    let mut problems = Vec::new();
    // The templates registered, by name, with the file each came from (to name it in a diagnostic).
    let mut registered: Vec<(&str, &str)> = Vec::new();
    for source in sources {
        let partial = source
            .name
            .strip_prefix("partials/")
            .and_then(|n| n.strip_suffix(".hbs"));
        let name = match partial {
            Some(stem) if stem.starts_with("md-") == markdown => stem,
            None if source.name == main => main,
            _ => continue,
        };
        registered.push((name, &source.display));
        if let Err(e) = registry.register_template_string(name, &source.text) {
            problems.push(template_error(source, &e));
        }
    }
    if !registered.iter().any(|(name, _)| *name == main) {
        problems.push(Diagnostic::file(
            format!("template {main}"),
            "no such template",
        ));
    }
    if problems.is_empty() {
        let display = |name: &str| {
            registered
                .iter()
                .find(|(n, _)| *n == name)
                .map_or_else(|| format!("template {name}"), |(_, d)| (*d).to_owned())
        };
        problems.extend(super::recursion::problems(
            &registry,
            display,
            MAX_EACH_NESTING_THROUGH_PARTIALS,
        ));
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    Ok(registry)
}

/// An empty registry as every report's: strict mode, the format's escaping (handlebars' own HTML escaping, or
/// [`escape_markdown`]), and the `json` helper.
pub(super) fn base_registry(markdown: bool) -> Handlebars<'static> {
    let mut registry = Handlebars::new();
    registry.set_strict_mode(true);
    // A partial alone on its line (`  {{> chart}}`) keeps the spaces before it, and its lines are not indented
    // by them: a partial's output is its text as written, whatever the line that calls it.
    registry.set_prevent_indent(true);
    if markdown {
        registry.register_escape_fn(escape_markdown);
    }
    registry.register_helper("json", Box::new(json));
    registry
}

/// Renders the registered template `name` with `view`; an error names the template, line and column. The output
/// stops at [`super::MAX_OUTPUT_BYTES`]: a template that repeats the data cannot fill the memory.
fn render_view<T: serde::Serialize>(
    registry: &Handlebars<'static>,
    name: &str,
    view: &T,
) -> Result<String, Error> {
    let mut out = Capped(Vec::new());
    registry
        .render_to_write(name, view, &mut out)
        .map_err(|e| {
            if out.0.len() > super::MAX_OUTPUT_BYTES {
                return super::too_large();
            }
            let template = e.template_name.clone().unwrap_or_else(|| name.to_owned());
            let mut d = Diagnostic::file(
                format!("template {template}"),
                format!("cannot render: {}", e.reason()),
            );
            if let (Some(line), Some(column)) = (e.line_no, e.column_no) {
                d.position = Some((line, column));
            }
            Error::Invalid(vec![d])
        })?;
    // Handlebars writes only what templates and escaping produce: UTF-8.
    String::from_utf8(out.0).map_err(|_| super::too_large())
}

/// A buffer that refuses to grow past [`super::MAX_OUTPUT_BYTES`].
struct Capped(Vec<u8>);

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0.len() + buf.len() > super::MAX_OUTPUT_BYTES {
            // Marks the overflow for the caller, which reports it in the user's words.
            self.0.resize(super::MAX_OUTPUT_BYTES + 1, 0);
            return Err(std::io::Error::other("report too large"));
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The largest template file read from `--templates DIR`: the shipped ones are under 6 KB each. Handlebars takes
/// time quadratic in a template's length to compile it, so a huge one would stall a run.
const MAX_TEMPLATE_BYTES: usize = 256 << 10;

/// How deep blocks (`{{#each}}`, `{{#if}}`…) may nest in one template: the shipped ones nest 4 deep. Each level of
/// `each` multiplies the output; past this a template is refused before it renders.
const MAX_BLOCK_NESTING: usize = 8;

/// How deep `{{#each}}` may nest in one template: the shipped ones nest 2 deep. Each level multiplies the work by
/// the length of its list (278 requirements), whether or not anything is written.
const MAX_EACH_NESTING: usize = 3;

/// How deep `{{#each}}` may nest through the partials a template calls: the shipped report nests 4 deep (the gaps,
/// then in each gap's partial a fact table's rows and cells). One level more than a single file may nest, so that
/// a partial can loop over what its caller loops over, not two.
const MAX_EACH_NESTING_THROUGH_PARTIALS: usize = 4;

/// Problems of a template file from `--templates DIR` that keep it from being compiled: too large, blocks or
/// `each` nested too deep.
fn bounds(source: &Source) -> Option<Diagnostic> {
    if source.text.len() > MAX_TEMPLATE_BYTES {
        return Some(Diagnostic::file(
            &source.display,
            format!(
                "the template is {} bytes, more than the {MAX_TEMPLATE_BYTES} snc reads",
                source.text.len()
            ),
        ));
    }
    // The blocks open at each point, by helper name.
    let mut open: Vec<&str> = Vec::new();
    let mut offset = 0;
    while let Some(i) = source.text[offset..].find("{{") {
        let at = offset + i;
        let tag = source.text[at + 2..].trim_start_matches(['~', ' ']);
        if let Some(block) = tag.strip_prefix('#') {
            open.push(block.split([' ', '}', '~']).next().unwrap_or_default());
            let problem = if open.len() > MAX_BLOCK_NESTING {
                Some(format!(
                    "blocks nest more than {MAX_BLOCK_NESTING} deep here"
                ))
            } else if open.iter().filter(|b| **b == "each").count() > MAX_EACH_NESTING {
                Some(format!(
                    "`each` nests more than {MAX_EACH_NESTING} deep here"
                ))
            } else {
                None
            };
            if let Some(message) = problem {
                let (line, column) = crate::model::error::line_column(&source.text, at);
                let mut d = Diagnostic::file(&source.display, message);
                d.position = Some((line, column));
                d.source_line = source.text.lines().nth(line - 1).map(str::to_owned);
                d.source_caret = column - 1;
                return Some(d);
            }
        } else if tag.starts_with('/') {
            open.pop();
        }
        offset = at + 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{Source, base_registry, bounds, escape_markdown, render_view};

    fn source(text: &str) -> Source {
        Source {
            name: "custom.hbs".to_owned(),
            display: "custom.hbs".to_owned(),
            text: text.to_owned(),
        }
    }

    #[test]
    fn templates_nested_or_sized_past_the_limits_are_refused_where_they_go_too_far() {
        let four = "{{#each a}}\n{{#each a}}{{#each a}}\n  {{#each a}}x{{/each}}{{/each}}{{/each}}{{/each}}";
        let d = bounds(&source(four)).expect("too deep");
        assert_eq!(d.position, Some((3, 3)));
        assert!(
            d.message.to_string().contains("`each` nests more than 3"),
            "{d}"
        );
        let three = "{{#each a}}{{#each a}}{{#if b}}{{#each a}}x{{/each}}{{/if}}{{/each}}{{/each}}";
        assert!(bounds(&source(three)).is_none());
        let ifs = "{{#if a}}".repeat(9) + &"{{/if}}".repeat(9);
        assert!(bounds(&source(&ifs)).is_some());
        assert!(bounds(&source(&"x".repeat(super::MAX_TEMPLATE_BYTES + 1))).is_some());
    }

    #[test]
    fn a_report_past_the_output_cap_stops_with_a_clear_error() {
        let mut r = base_registry(false);
        r.register_template_string(
            "main",
            "{{#each a}}{{#each ../a}}{{../../s}}{{/each}}{{/each}}",
        )
        .expect("compiles");
        let view = serde_json::json!({"a": vec![0; 100], "s": "x".repeat(10_000)});
        let err = render_view(&r, "main", &view).expect_err("100 MB capped at 64 MiB");
        assert!(err.to_string().contains("larger than 64 MiB"), "{err}");
        let small = serde_json::json!({"a": [0, 1], "s": "y"});
        assert_eq!(render_view(&r, "main", &small).expect("renders"), "yyyy");
    }

    /// Vendor text is untrusted: HTML gets handlebars' default escaping, never raw markup.
    #[test]
    fn html_escapes_vendor_text() {
        let mut r = base_registry(false);
        r.register_template_string("main", "<td>{{vendor}}</td>")
            .expect("compiles");
        let vendor = serde_json::json!({"vendor": "<script>alert('x')</script> a=b & `c`"});
        assert_eq!(
            r.render("main", &vendor).expect("renders"),
            "<td>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; a&#x3D;b &amp; &#x60;c&#x60;</td>"
        );
    }

    #[test]
    fn json_writes_a_value_as_compact_json_escaped() {
        let mut r = base_registry(false);
        r.register_template_string("main", "{{json value}}")
            .expect("compiles");
        let data = serde_json::json!({"value": ["<a>", 1, null]});
        assert_eq!(
            r.render("main", &data).expect("renders"),
            "[&quot;&lt;a&gt;&quot;,1,null]"
        );
    }

    /// A partial alone on its line keeps the indentation before it and its own lines as written.
    #[test]
    fn a_standalone_partial_is_not_reindented() {
        let mut r = base_registry(false);
        r.register_template_string("p", "<svg>\n<g/>\n</svg>\n")
            .expect("compiles");
        r.register_template_string("main", "<div>\n  {{> p}}\n\n</div>\n")
            .expect("compiles");
        assert_eq!(
            r.render("main", &serde_json::json!({})).expect("renders"),
            "<div>\n  <svg>\n<g/>\n</svg>\n\n</div>\n"
        );
    }

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
