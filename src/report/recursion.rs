//! Partials that include themselves: handlebars-rust would recurse until the stack overflows, so a set of
//! templates where one does is refused when it is loaded.

use std::collections::{BTreeMap, BTreeSet};

use handlebars::Handlebars;
use handlebars::template::{Parameter, Template, TemplateElement};

use crate::model::error::Diagnostic;

type Graph = BTreeMap<String, Vec<String>>;

/// The partials a template calls (`{{> name}}`, `{{#> name}}…`), anywhere in it, and the inline partials it
/// defines (`{{#*inline "name"}}…`) with the calls of each. A partial name computed while rendering (`{{> (…)}}`)
/// is an error: whether it recurses cannot be known before.
#[derive(Default)]
struct Calls {
    names: Vec<String>,
    inline: Vec<(String, Calls)>,
    computed: bool,
}

/// A partial's name as written: `name`, `path/name` or `"name"`.
fn literal_name(p: &Parameter) -> Option<String> {
    match p {
        Parameter::Literal(serde_json::Value::String(s)) => Some(s.clone()),
        Parameter::Name(_) | Parameter::Path(_) => p.as_name().map(str::to_owned),
        _ => None,
    }
}

fn collect_calls(template: &Template, calls: &mut Calls) {
    for element in &template.elements {
        match element {
            TemplateElement::PartialExpression(dt) | TemplateElement::PartialBlock(dt) => {
                match literal_name(&dt.name) {
                    Some(name) if name == "@partial-block" => {}
                    Some(name) => calls.names.push(name),
                    None => calls.computed = true,
                }
                if let Some(t) = &dt.template {
                    collect_calls(t, calls);
                }
            }
            TemplateElement::DecoratorBlock(dt) | TemplateElement::DecoratorExpression(dt) => {
                let inline = matches!(&dt.name, Parameter::Name(n) if n == "inline");
                match (&dt.template, dt.params.first().and_then(literal_name)) {
                    (Some(t), Some(name)) if inline => {
                        let mut own = Calls::default();
                        collect_calls(t, &mut own);
                        calls.computed |= own.computed;
                        calls.inline.push((name, own));
                    }
                    (Some(t), _) => collect_calls(t, calls),
                    (None, _) => {}
                }
            }
            TemplateElement::HelperBlock(ht) => {
                for t in [&ht.template, &ht.inverse].into_iter().flatten() {
                    collect_calls(t, calls);
                }
            }
            _ => {}
        }
    }
}

/// Partials that include themselves, directly or through others: handlebars-rust would recurse until the stack
/// overflows (the report data has no tree to end such a recursion), so they are refused before rendering.
pub(super) fn problems(
    registry: &Handlebars<'static>,
    display: impl Fn(&str) -> String,
) -> Vec<Diagnostic> {
    let mut graph: Graph = BTreeMap::new();
    let mut problems = Vec::new();
    let mut names: Vec<&String> = registry.get_templates().keys().collect();
    names.sort();
    for name in names {
        let mut calls = Calls::default();
        collect_calls(&registry.get_templates()[name], &mut calls);
        if calls.computed {
            problems.push(Diagnostic::file(
                display(name),
                "a partial name computed while rendering ({{> (…)}}) is not supported: write the name out",
            ));
        }
        add(&mut graph, name, calls);
    }
    let mut done = BTreeSet::new();
    for name in graph.keys() {
        if let Some(cycle) = visit(&graph, name, &mut Vec::new(), &mut done) {
            problems.push(Diagnostic::file(
                display(&cycle[0]),
                format!(
                    "partial `{}` includes itself ({}): recursive partials are not supported",
                    cycle[0],
                    cycle.join(" → ")
                ),
            ));
            for n in &cycle {
                done.insert(n.clone());
            }
        }
    }
    problems
}

/// Adds a template's calls to the graph, and those of the inline partials it defines under their names.
fn add(graph: &mut Graph, name: &str, calls: Calls) {
    graph
        .entry(name.to_owned())
        .or_default()
        .extend(calls.names);
    for (inline, own) in calls.inline {
        add(graph, &inline, own);
    }
}

/// Depth-first search from `name`: the first cycle through a template not yet `done`, as the names along it.
fn visit(
    graph: &Graph,
    name: &str,
    path: &mut Vec<String>,
    done: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    if let Some(start) = path.iter().position(|n| n == name) {
        let mut cycle = path[start..].to_vec();
        cycle.push(name.to_owned());
        return Some(cycle);
    }
    if done.contains(name) {
        return None;
    }
    path.push(name.to_owned());
    for next in graph.get(name).into_iter().flatten() {
        if let Some(cycle) = visit(graph, next, path, done) {
            return Some(cycle);
        }
    }
    path.pop();
    done.insert(name.to_owned());
    None
}

#[cfg(test)]
mod tests {
    fn recursion(templates: &[(&str, &str)]) -> Vec<String> {
        let mut r = handlebars::Handlebars::new();
        for (name, text) in templates {
            r.register_template_string(name, text).expect("compiles");
        }
        super::problems(&r, |name| format!("template {name}"))
            .into_iter()
            .map(|d| format!("{}: {}", d.file, d.message))
            .collect()
    }

    #[test]
    fn partials_that_include_themselves_are_found_however_they_do() {
        let direct = recursion(&[("main", "{{> a}}"), ("a", "{{#if x}}{{> a}}{{/if}}")]);
        assert_eq!(
            direct,
            [
                "template a: partial `a` includes itself (a → a): recursive partials are not supported"
            ]
        );
        let through = recursion(&[
            ("main", "{{> a}}"),
            ("a", "{{#each x}}{{> b}}{{/each}}"),
            ("b", "{{#unless y}}x{{else}}{{#> c}}{{/c}}{{/unless}}"),
            ("c", "{{> a}}"),
        ]);
        assert_eq!(through.len(), 1, "{through:?}");
        assert!(through[0].contains("(a → b → c → a)"), "{through:?}");
        let inline = recursion(&[(
            "main",
            "{{#*inline \"p\"}}{{#if x}}{{> p}}{{/if}}{{/inline}}{{> p}}",
        )]);
        assert!(inline.iter().any(|p| p.contains("(p → p)")), "{inline:?}");
        let computed = recursion(&[("main", "{{> (lookup this \"name\")}}")]);
        assert!(
            computed[0].contains("computed while rendering"),
            "{computed:?}"
        );
        // Partials used twice, or by several, are not recursion; nor is `@partial-block`.
        let fine = recursion(&[
            ("main", "{{> a}}{{> a}}{{> b}}{{#> layout}}x{{/layout}}"),
            ("a", "{{> b}}"),
            ("b", "x"),
            ("layout", "{{> @partial-block}}"),
        ]);
        assert!(fine.is_empty(), "{fine:?}");
    }
}
