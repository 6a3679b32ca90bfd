//! A faster walk of the templates handlebars-rust has compiled, for the constructs the reports use.
//!
//! handlebars-rust spends one to three thousand instructions on every `{{…}}`: it rebuilds the value's path
//! from the root of the data as a list of allocated strings, looks each level up by hashing its key, allocates
//! the raw path, looks the helper up by name, and it first converts the whole view into a `serde_json::Value`.
//! Rendering the HTML report of a large assessment took over 100 million instructions, most of them there.
//!
//! This renderer takes the `Template`s handlebars-rust parsed (so parsing, whitespace control and standalone
//! lines are its own) and walks them over a [`node::Node`] tree of the view, keeping a stack of the values the
//! blocks opened. It does raw text, `{{path}}`, `{{{path}}}` (local variables `@index`, `@first`, `@last`,
//! `@key`, `@root.`, `../`), `{{#if}}`, `{{#unless}}` and `{{#each}}` with `{{else}}`, and the helpers `include`,
//! `json` and `len`, with the registry's escape function and handlebars-rust's rules for truth, missing values
//! and strict mode. For anything else (another helper, a partial, a decorator, block parameters, a hash, a
//! subexpression, a literal, a value strict mode refuses), [`render`] answers `None`: the caller then renders
//! with handlebars-rust, which also gives the error and its position. Tests render every shipped template both
//! ways and require the same bytes.

mod node;

use handlebars::template::{HelperTemplate, Parameter, Template, TemplateElement};
use handlebars::{Handlebars, Path, PathSeg};

use self::node::Node;

/// Why the fast walk stopped: the caller renders with handlebars-rust instead.
struct Bail;

type Walk = Result<(), Bail>;

/// Names handlebars-rust 6.4 registers as helpers, and ours: a name-only `{{len}}` is a helper call, not a field.
const HELPERS: &[&str] = &[
    "if", "unless", "each", "with", "lookup", "raw", "log", "eq", "ne", "gt", "gte", "lt", "lte",
    "and", "or", "not", "len", "json", "include",
];

/// Renders the registered template `name` with `view`, byte for byte as `registry.render(name, view)` would,
/// or `None` when the template or the data uses something this walk does not do.
pub(super) fn render<T: serde::Serialize>(
    registry: &Handlebars<'_>,
    name: &str,
    view: &T,
) -> Option<String> {
    if !registry.strict_mode() {
        return None;
    }
    let template = registry.get_template(name)?;
    let root = node::to_node(view).ok()?;
    let mut walker = Walker {
        registry,
        root: &root,
        blocks: vec![Block {
            base: &root,
            locals: None,
        }],
        includes: vec![name],
        escape: true,
        out: String::with_capacity(64 * 1024),
    };
    walker.template(template).ok()?;
    Some(walker.out)
}

/// The local variables `{{#each}}` sets for the current entry.
#[derive(Clone, Copy)]
struct Locals<'a> {
    index: usize,
    first: bool,
    last: bool,
    key: Option<&'a str>,
}

/// What a block (the root, or one `{{#each}}`) makes paths relative to.
struct Block<'a> {
    base: &'a Node,
    locals: Option<Locals<'a>>,
}

/// A value a path resolves to.
enum Value<'a> {
    Node(&'a Node),
    Index(usize),
    Flag(bool),
    Key(&'a str),
    Missing,
}

impl Value<'_> {
    /// Truth as handlebars-rust's `JsonTruthy` without `includeZero`: a number is true when it is normal.
    fn is_truthy(&self) -> bool {
        match self {
            Value::Node(Node::Null) | Value::Missing => false,
            Value::Node(Node::Bool(b)) | Value::Flag(b) => *b,
            Value::Node(Node::Number(n)) => n.as_f64().is_some_and(f64::is_normal),
            Value::Node(Node::Str(s)) => !s.is_empty(),
            Value::Node(Node::Array(items)) => !items.is_empty(),
            Value::Node(Node::Object(entries)) => !entries.is_empty(),
            Value::Index(i) => *i != 0,
            Value::Key(k) => !k.is_empty(),
        }
    }
}

/// A node as handlebars-rust's `JsonRender` writes it.
fn render_node(node: &Node, out: &mut String) {
    match node {
        Node::Null => {}
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Number(n) => out.push_str(&n.to_string()),
        Node::Str(s) => out.push_str(s),
        Node::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                render_node(item, out);
                if i + 1 < items.len() {
                    out.push_str(", ");
                }
            }
            out.push(']');
        }
        Node::Object(_) => out.push_str("[object]"),
    }
}

/// Where a relative path starts, read from its text as handlebars-rust's grammar writes it: an optional
/// `this.`/`./`, then `@root.` or any number of `../`, then the names. `None` for any other use of `@`.
fn start_of(raw: &str) -> Option<(bool, usize)> {
    let rest = ["this.", "this/", "./"]
        .iter()
        .find_map(|p| raw.strip_prefix(p))
        .unwrap_or(raw);
    if let Some(after) = rest
        .strip_prefix("@root.")
        .or_else(|| rest.strip_prefix("@root/"))
    {
        return (!after.contains('@') && !after.starts_with("..")).then_some((true, 0));
    }
    if rest.contains('@') {
        return None;
    }
    let mut depth = 0;
    let mut names = rest;
    while let Some(after) = names
        .strip_prefix("../")
        .or_else(|| names.strip_prefix("..."))
    {
        depth += 1;
        names = after;
    }
    Some((false, depth))
}

struct Walker<'a, 'r> {
    registry: &'a Handlebars<'r>,
    root: &'a Node,
    /// Innermost last.
    blocks: Vec<Block<'a>>,
    /// The templates being walked, outermost first: including one of them again is left to handlebars-rust.
    includes: Vec<&'a str>,
    /// Off inside `{{{…}}}`.
    escape: bool,
    out: String,
}

impl<'a> Walker<'a, '_> {
    fn write_escaped(&mut self, text: &str) {
        if self.escape {
            let escaped = (self.registry.get_escape_fn())(text);
            self.out.push_str(&escaped);
        } else {
            self.out.push_str(text);
        }
    }

    fn template(&mut self, template: &'a Template) -> Walk {
        for element in &template.elements {
            self.element(element)?;
        }
        Ok(())
    }

    fn element(&mut self, element: &'a TemplateElement) -> Walk {
        match element {
            TemplateElement::RawString(text) => {
                self.out.push_str(text);
                Ok(())
            }
            TemplateElement::Comment(_) => Ok(()),
            TemplateElement::Expression(ht) => self.expression(ht),
            TemplateElement::HtmlExpression(ht) => {
                let before = self.escape;
                self.escape = false;
                let result = self.expression(ht);
                self.escape = before;
                result
            }
            TemplateElement::HelperBlock(ht) => self.block(ht),
            _ => Err(Bail),
        }
    }

    /// `{{path}}` or `{{helper param}}`.
    fn expression(&mut self, ht: &'a HelperTemplate) -> Walk {
        if !ht.hash.is_empty() || ht.block_param.is_some() || ht.block {
            return Err(Bail);
        }
        match &ht.name {
            Parameter::Path(path) if ht.params.is_empty() => {
                if let Path::Relative((_, raw)) = path
                    && HELPERS.contains(&raw.as_str())
                {
                    return Err(Bail);
                }
                match self.resolve(path)? {
                    Value::Missing => Err(Bail),
                    Value::Node(Node::Str(s)) => {
                        self.write_escaped(s);
                        Ok(())
                    }
                    Value::Node(node) => {
                        let mut text = String::new();
                        render_node(node, &mut text);
                        self.write_escaped(&text);
                        Ok(())
                    }
                    Value::Index(i) => {
                        self.write_escaped(&i.to_string());
                        Ok(())
                    }
                    Value::Flag(b) => {
                        self.write_escaped(if b { "true" } else { "false" });
                        Ok(())
                    }
                    Value::Key(k) => {
                        self.write_escaped(k);
                        Ok(())
                    }
                }
            }
            Parameter::Name(name) => {
                let [param] = ht.params.as_slice() else {
                    return Err(Bail);
                };
                match name.as_str() {
                    "include" => self.include(param),
                    "json" => {
                        let Value::Node(node) = self.param(param)? else {
                            return Err(Bail);
                        };
                        let text = serde_json::to_string(node).map_err(|_| Bail)?;
                        self.write_escaped(&text);
                        Ok(())
                    }
                    "len" => {
                        let Value::Node(node) = self.param(param)? else {
                            return Err(Bail);
                        };
                        let len = match node {
                            Node::Array(items) => items.len(),
                            Node::Object(entries) => entries.len(),
                            Node::Str(s) => s.len(),
                            _ => 0,
                        };
                        self.write_escaped(&len.to_string());
                        Ok(())
                    }
                    _ => Err(Bail),
                }
            }
            _ => Err(Bail),
        }
    }

    /// `{{#if}}`, `{{#unless}}`, `{{#each}}`, with or without `{{else}}`.
    fn block(&mut self, ht: &'a HelperTemplate) -> Walk {
        if !ht.hash.is_empty() || ht.block_param.is_some() {
            return Err(Bail);
        }
        let (Parameter::Name(name), [param]) = (&ht.name, ht.params.as_slice()) else {
            return Err(Bail);
        };
        match name.as_str() {
            "if" | "unless" => {
                let truth = self.param(param)?.is_truthy() == (name == "if");
                match if truth { &ht.template } else { &ht.inverse } {
                    Some(t) => self.template(t),
                    None => Ok(()),
                }
            }
            "each" => self.each(ht, param),
            _ => Err(Bail),
        }
    }

    /// handlebars-rust's `each`: a non-empty array or object (or an empty one without `{{else}}`) opens a block
    /// whose base is each entry in turn; anything else renders `{{else}}`, or is an error in strict mode.
    fn each(&mut self, ht: &'a HelperTemplate, param: &'a Parameter) -> Walk {
        let Some(body) = &ht.template else {
            return Err(Bail);
        };
        let opens = |len: usize| len > 0 || ht.inverse.is_none();
        let list = match self.param(param)? {
            Value::Node(list @ Node::Array(items)) if opens(items.len()) => list,
            Value::Node(list @ Node::Object(entries)) if opens(entries.len()) => list,
            _ => {
                return match &ht.inverse {
                    Some(t) => self.template(t),
                    None => Err(Bail),
                };
            }
        };
        self.blocks.push(Block {
            base: list,
            locals: None,
        });
        let result = match list {
            Node::Array(items) => items
                .iter()
                .enumerate()
                .try_for_each(|(i, node)| self.entry(body, i, items.len(), None, node)),
            Node::Object(entries) => entries
                .iter()
                .enumerate()
                .try_for_each(|(i, (k, node))| self.entry(body, i, entries.len(), Some(k), node)),
            _ => Ok(()),
        };
        self.blocks.pop();
        result
    }

    /// One entry of an `{{#each}}`: the block's base and local variables, then its body.
    fn entry(
        &mut self,
        body: &'a Template,
        index: usize,
        len: usize,
        key: Option<&'a str>,
        node: &'a Node,
    ) -> Walk {
        if let Some(block) = self.blocks.last_mut() {
            block.base = node;
            block.locals = Some(Locals {
                index,
                first: index == 0,
                last: index + 1 == len,
                key,
            });
        }
        self.template(body)
    }

    /// `{{include "name"}}`: the registered template, walked in the current context.
    /// Including a template already being walked is left to handlebars-rust (which reports it), so the depth
    /// is at most the number of templates.
    fn include(&mut self, param: &'a Parameter) -> Walk {
        let Parameter::Literal(serde_json::Value::String(name)) = param else {
            return Err(Bail);
        };
        if self.includes.contains(&name.as_str()) {
            return Err(Bail);
        }
        let template = self.registry.get_template(name).ok_or(Bail)?;
        self.includes.push(name);
        let result = self.template(template);
        self.includes.pop();
        result
    }

    /// A helper's parameter: a path only (literals and subexpressions are left to handlebars-rust).
    fn param(&self, param: &Parameter) -> Result<Value<'a>, Bail> {
        match param {
            Parameter::Path(path) => self.resolve(path),
            _ => Err(Bail),
        }
    }

    fn resolve(&self, path: &Path) -> Result<Value<'a>, Bail> {
        match path {
            Path::Local((level, name, _)) => {
                let locals = self
                    .blocks
                    .len()
                    .checked_sub(level + 1)
                    .and_then(|i| self.blocks[i].locals);
                Ok(match (locals, name.as_str()) {
                    (Some(l), "index") => Value::Index(l.index),
                    (Some(l), "first") => Value::Flag(l.first),
                    (Some(l), "last") => Value::Flag(l.last),
                    (Some(Locals { key: Some(k), .. }), "key") => Value::Key(k),
                    _ => Value::Missing,
                })
            }
            Path::Relative((segs, raw)) => {
                let (from_root, depth) = start_of(raw).ok_or(Bail)?;
                let ruled = segs
                    .iter()
                    .filter(|s| matches!(s, PathSeg::Ruled(_)))
                    .count();
                if ruled != usize::from(from_root) + depth {
                    return Err(Bail);
                }
                let innermost = self.blocks.last().ok_or(Bail)?;
                let mut node = if from_root {
                    self.root
                } else {
                    self.blocks
                        .len()
                        .checked_sub(depth + 1)
                        .map_or(innermost, |i| &self.blocks[i])
                        .base
                };
                for seg in segs {
                    let PathSeg::Named(key) = seg else { continue };
                    let next = match node {
                        Node::Object(_) => node.get(key),
                        Node::Array(items) => {
                            let i: usize = key.parse().map_err(|_| Bail)?;
                            items.get(i)
                        }
                        _ => None,
                    };
                    match next {
                        Some(n) => node = n,
                        None => return Ok(Value::Missing),
                    }
                }
                Ok(Value::Node(node))
            }
        }
    }
}

#[cfg(test)]
mod tests;
