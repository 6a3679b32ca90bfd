//! Handlebars templates for HTML and Markdown: embedded in the binary, or overridden file by file from
//! `--templates DIR`. Strict mode: a misspelled field is an error, not an empty cell.

use std::path::{Path, PathBuf};

use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext, RenderError,
    RenderErrorReason, Renderable, ScopedJson,
};
use rust_embed::RustEmbed;

use crate::model::error::{Diagnostic, Error};
use crate::pack::Pack;

use super::Report;
use super::view::View;

#[derive(RustEmbed)]
#[folder = "reports/templates/"]
struct Embedded;

/// `{{json value}}`: a value as compact JSON, escaped like any other output. Written out rather than with
/// `handlebars_helper!`, which copies the value before serialising it (fact values can be long lists).
struct JsonHelper;

impl HelperDef for JsonHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let value = h
            .param(0)
            .ok_or(RenderErrorReason::ParamNotFoundForIndex("json", 0))?
            .value();
        let text = serde_json::to_string(value).unwrap_or_default();
        Ok(ScopedJson::Derived(serde_json::Value::String(text)))
    }
}

/// The main templates; partials live in `partials/` and are registered under their file stem.
pub const HTML: &str = "report.html.hbs";
pub const MARKDOWN: &str = "report.md.hbs";

/// `{{include "gap"}}`: renders a partial in the current context, as `{{> gap}}` does, without the copy of the
/// whole current context that handlebars-rust makes for every `{{> …}}` (at the root of the report, that copy is
/// the entire view model: it was a third of the time of rendering the HTML report).
struct Include;

impl HelperDef for Include {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let name = h.param(0).and_then(|p| p.value().as_str()).ok_or_else(|| {
            RenderError::from(RenderErrorReason::ParamNotFoundForIndex("include", 0))
        })?;
        let template = r.get_template(name).ok_or_else(|| {
            RenderError::from(RenderErrorReason::PartialNotFound(name.to_owned()))
        })?;
        if rc.is_current_template(name) {
            return Err(RenderErrorReason::CannotIncludeSelf.into());
        }
        let depth = INCLUDE_DEPTH.get();
        if depth >= MAX_INCLUDE_DEPTH {
            return Err(RenderErrorReason::Other(format!(
                "`include` nested deeper than {MAX_INCLUDE_DEPTH} (at \"{name}\"): does a partial include itself?"
            ))
            .into());
        }
        INCLUDE_DEPTH.set(depth + 1);
        let before = rc.get_current_template_name();
        rc.set_current_template_name(template.name.as_ref());
        let result = template.render(r, ctx, rc, out);
        rc.set_current_template_name(before);
        INCLUDE_DEPTH.set(depth);
        result
    }
}

/// `include`s nest at most this deep: the partials that recurse by name are refused when the templates are
/// loaded, and this stops one whose name is computed while rendering before the stack overflows.
const MAX_INCLUDE_DEPTH: usize = 64;

thread_local! {
    static INCLUDE_DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

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

/// Escapes HTML exactly as handlebars' default escaping does (`&`, `<`, `>`, `"`, `'`, backtick, `=`), copying the text between the
/// characters to escape in one piece rather than character by character: it is called for every `{{…}}` of a
/// report, and the default one was a tenth of the HTML rendering time.
#[must_use]
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut start = 0;
    for (i, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'&' => "&amp;",
            b'\'' => "&#x27;",
            b'`' => "&#x60;",
            b'=' => "&#x3D;",
            _ => continue,
        };
        // Every byte escaped is ASCII, so `start..i` lies on character boundaries.
        out.push_str(&text[start..i]);
        out.push_str(entity);
        start = i + 1;
    }
    out.push_str(&text[start..]);
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

/// A source without any `{{` as the template handlebars would compile from it (its text, as is), without
/// running the parser, which takes about 0.1 ms per kilobyte even of plain text (the style sheets).
fn text_only(name: &str, text: &str) -> Option<handlebars::template::Template> {
    if text.contains("{{") {
        return None;
    }
    let mut template = handlebars::template::Template::new();
    template.name = Some(name.to_owned());
    if !text.is_empty() {
        template
            .elements
            .push(handlebars::template::TemplateElement::RawString(
                text.to_owned(),
            ));
    }
    Some(template)
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

    /// Loads the templates and compiles `mains` on another thread (compiling the HTML report's templates is a
    /// few milliseconds of parsing, which a command can overlap with loading the pack and the assessment).
    #[must_use]
    pub fn load_in_background(dir: Option<PathBuf>, mains: Vec<&'static str>) -> Pending {
        Pending(std::thread::spawn(move || {
            let sources = sources(dir.as_deref())?;
            check_files(&sources)?;
            let compiled = mains
                .into_iter()
                .map(|main| compile(&sources, main).map(|r| (main.to_owned(), r)))
                .collect::<Result<Vec<_>, Error>>()?;
            Ok((sources, compiled))
        }))
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
            handlebars::Template::compile(&source.text)
                .err()
                .map(|e| template_error(source, &e))
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
        let result = match text_only(name, &source.text) {
            Some(template) => {
                registry.register_template(name, template);
                Ok(())
            }
            None => registry.register_template_string(name, &source.text),
        };
        if let Err(e) = result {
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
        problems.extend(super::recursion::problems(&registry, display));
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    Ok(registry)
}

/// Templates being loaded and compiled on another thread ([`Templates::load_in_background`]).
pub struct Pending(std::thread::JoinHandle<Result<(Vec<Source>, Compiled), Error>>);

type Compiled = Vec<(String, Handlebars<'static>)>;

impl Pending {
    /// Waits for the templates; their problems, if any, are reported now.
    pub fn wait(self) -> Result<Templates, Error> {
        let (sources, compiled) = self.0.join().map_err(|_| {
            Error::Invalid(vec![Diagnostic::file(
                "templates",
                "internal error: compiling the templates failed",
            )])
        })??;
        Ok(Templates {
            sources,
            compiled: std::cell::RefCell::new(
                compiled
                    .into_iter()
                    .map(|(name, registry)| (name, std::rc::Rc::new(registry)))
                    .collect(),
            ),
        })
    }
}

/// An empty registry as every report's: strict mode, the format's escaping, and the `json` and `include` helpers.
pub(super) fn base_registry(markdown: bool) -> Handlebars<'static> {
    let mut registry = Handlebars::new();
    registry.set_strict_mode(true);
    if markdown {
        registry.register_escape_fn(escape_markdown);
    } else {
        registry.register_escape_fn(escape_html);
    }
    registry.register_helper("json", Box::new(JsonHelper));
    registry.register_helper("include", Box::new(Include));
    registry
}

/// Renders with the fast walk of the compiled templates (`report::fast`) when it covers the template, else
/// with handlebars-rust, which also reports every error.
fn render_view<T: serde::Serialize>(
    registry: &Handlebars<'static>,
    name: &str,
    view: &T,
) -> Result<String, Error> {
    if let Some(out) = super::fast::render(registry, name, view) {
        return Ok(out);
    }
    render_with_handlebars(registry, name, view)
}

/// Renders with handlebars-rust alone.
pub(super) fn render_with_handlebars<T: serde::Serialize>(
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
    use super::{Embedded, Include, escape_html, escape_markdown, text_only};

    fn registry(partial: &str) -> handlebars::Handlebars<'static> {
        let mut r = handlebars::Handlebars::new();
        r.set_strict_mode(true);
        r.register_helper("include", Box::new(Include));
        r.register_partial("item", partial)
            .expect("partial compiles");
        r
    }

    #[test]
    fn include_renders_a_partial_in_the_current_context_like_a_partial_call() {
        let data = serde_json::json!({"t": {"sep": ";"}, "items": [{"id": "a"}, {"id": "b"}]});
        let partial = "{{id}}{{@index}}{{#unless @last}}{{@root.t.sep}}{{/unless}}";
        let mut r = registry(partial);
        r.register_template_string("main", "{{#each items}}{{include \"item\"}}{{/each}}")
            .expect("compiles");
        r.register_template_string("reference", "{{#each items}}{{> item}}{{/each}}")
            .expect("compiles");
        assert_eq!(r.render("main", &data).expect("renders"), "a0;b1");
        assert_eq!(r.render("reference", &data).expect("renders"), "a0;b1");
    }

    #[test]
    fn include_of_a_missing_partial_or_of_itself_is_an_error_naming_it() {
        let mut r = registry("{{include \"item\"}}");
        r.register_template_string("main", "{{include \"nope\"}}")
            .expect("compiles");
        let e = r
            .render("main", &serde_json::json!({}))
            .expect_err("missing partial");
        assert!(e.to_string().contains("nope"), "{e}");
        let e = r
            .render("item", &serde_json::json!({}))
            .expect_err("self include");
        assert!(!e.to_string().is_empty());
    }

    /// An `include` whose name comes from the data, and so escapes the check, stops at a depth, with an error.
    #[test]
    fn an_include_named_by_the_data_that_recurses_is_an_error() {
        let mut r = super::base_registry(false);
        r.register_template_string("main", "{{#if name}}{{include name}}{{/if}}")
            .expect("compiles");
        let e = r
            .render("main", &serde_json::json!({"name": "main"}))
            .expect_err("recursion");
        assert!(e.to_string().contains("nested deeper than 64"), "{e}");
        // And the depth is back to zero for the next render.
        r.register_template_string("ok", "{{include \"leaf\"}}")
            .expect("compiles");
        r.register_template_string("leaf", "fine")
            .expect("compiles");
        assert_eq!(
            r.render("ok", &serde_json::json!({})).expect("renders"),
            "fine"
        );
    }

    /// The shortcut for plain text gives the template the parser gives, for every shipped text-only partial.
    #[test]
    fn plain_text_sources_compile_to_what_the_parser_gives() {
        let mut texts: Vec<String> = ["", "a", "a\n", "}}", "\\ { } {", "\n\n  x  \n", "é { {"]
            .map(str::to_owned)
            .to_vec();
        let mut shipped = 0;
        for name in Embedded::iter() {
            let file = Embedded::get(&name).expect("listed");
            let text = String::from_utf8(file.data.into_owned()).expect("UTF-8");
            if !text.contains("{{") {
                shipped += 1;
                texts.push(text);
            }
        }
        assert!(shipped >= 2, "the style sheets are plain text");
        for text in texts {
            let fast = text_only("x", &text).expect("plain text");
            let parsed = handlebars::template::Template::compile(&text).expect("compiles");
            assert_eq!(fast.elements, parsed.elements, "{text:?}");
        }
        assert!(text_only("x", "{{a}}").is_none());
    }

    #[test]
    fn html_escaping_is_handlebars_default_escaping() {
        for text in [
            "",
            "plain text, accents: é à ç — and 漢字",
            "<script>alert('x')</script>",
            "a=b & c<d> \"q\" `tick` 'apos'",
            "&&&===",
            "é<é>é",
            "<",
            "trailing &",
        ] {
            assert_eq!(escape_html(text), handlebars::html_escape(text), "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn html_escaping_matches_handlebars_on_any_text(text in "(?s)([<>\"&'`=]|.){0,64}") {
            proptest::prop_assert_eq!(escape_html(&text), handlebars::html_escape(&text));
        }
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
