//! The structure of a template set across its partials, checked when it is loaded: partials that include
//! themselves (handlebars-rust would recurse until the stack overflows), and `each` blocks nested through
//! partials deeper than one file may nest them (each level multiplies the work by the length of its list).

use std::collections::{BTreeMap, BTreeSet};

use handlebars::Handlebars;
use handlebars::template::{Parameter, Template, TemplateElement};

use crate::model::error::Diagnostic;

/// For each template, the partials it calls with the number of `each` blocks around each call.
type Graph = BTreeMap<String, Vec<(String, usize)>>;

/// The partials a template calls (`{{> name}}`, `{{#> name}}…`), anywhere in it, and the inline partials it
/// defines (`{{#*inline "name"}}…`) with the calls of each. A partial name computed while rendering (`{{> (…)}}`)
/// is an error: whether it recurses cannot be known before.
#[derive(Default)]
struct Calls {
    /// Partials called, with the `each` blocks open around the call.
    names: Vec<(String, usize)>,
    inline: Vec<(String, Calls)>,
    computed: bool,
    /// The deepest nesting of `each` blocks in the template itself.
    each_depth: usize,
}

/// A partial's name as written: `name`, `path/name` or `"name"`.
fn literal_name(p: &Parameter) -> Option<String> {
    match p {
        Parameter::Literal(serde_json::Value::String(s)) => Some(s.clone()),
        Parameter::Name(_) | Parameter::Path(_) => p.as_name().map(str::to_owned),
        _ => None,
    }
}

fn collect_calls(template: &Template, calls: &mut Calls, each: usize) {
    calls.each_depth = calls.each_depth.max(each);
    for element in &template.elements {
        match element {
            TemplateElement::PartialExpression(dt) | TemplateElement::PartialBlock(dt) => {
                match literal_name(&dt.name) {
                    Some(name) if name == "@partial-block" => {}
                    Some(name) => calls.names.push((name, each)),
                    None => calls.computed = true,
                }
                if let Some(t) = &dt.template {
                    collect_calls(t, calls, each);
                }
            }
            TemplateElement::DecoratorBlock(dt) | TemplateElement::DecoratorExpression(dt) => {
                let inline = matches!(&dt.name, Parameter::Name(n) if n == "inline");
                match (&dt.template, dt.params.first().and_then(literal_name)) {
                    (Some(t), Some(name)) if inline => {
                        let mut own = Calls::default();
                        collect_calls(t, &mut own, 0);
                        calls.computed |= own.computed;
                        calls.inline.push((name, own));
                    }
                    (Some(t), _) => collect_calls(t, calls, each),
                    (None, _) => {}
                }
            }
            TemplateElement::HelperBlock(ht) => {
                let inner = each + usize::from(ht.name.as_name() == Some("each"));
                if let Some(t) = &ht.template {
                    collect_calls(t, calls, inner);
                }
                if let Some(t) = &ht.inverse {
                    collect_calls(t, calls, each);
                }
            }
            _ => {}
        }
    }
}

/// Partials that include themselves, directly or through others, and `each` blocks nested through partials more
/// than `max_each` deep: refused before rendering.
pub(super) fn problems(
    registry: &Handlebars<'static>,
    display: impl Fn(&str) -> String,
    max_each: usize,
) -> Vec<Diagnostic> {
    let mut graph: Graph = BTreeMap::new();
    let mut own_depth: BTreeMap<String, usize> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut names: Vec<&String> = registry.get_templates().keys().collect();
    names.sort();
    for name in names {
        let mut calls = Calls::default();
        collect_calls(&registry.get_templates()[name], &mut calls, 0);
        if calls.computed {
            problems.push(Diagnostic::file(
                display(name),
                "a partial name computed while rendering ({{> (…)}}) is not supported: write the name out",
            ));
        }
        add(&mut graph, &mut own_depth, name, calls);
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
    if problems.is_empty() {
        // Without a cycle, the deepest `each` nesting through partials is well defined.
        let mut memo = BTreeMap::new();
        for name in graph.keys() {
            let (depth, path) = each_depth(&graph, &own_depth, name, &mut memo);
            if depth > max_each {
                problems.push(Diagnostic::file(
                    display(name),
                    format!(
                        "`each` blocks nest {depth} deep through partials ({}); snc renders at most {max_each}",
                        path.join(" → ")
                    ),
                ));
                break;
            }
        }
    }
    problems
}

/// The deepest nesting of `each` blocks when `name` is rendered, partials included, and the templates along it.
fn each_depth(
    graph: &Graph,
    own_depth: &BTreeMap<String, usize>,
    name: &str,
    memo: &mut BTreeMap<String, (usize, Vec<String>)>,
) -> (usize, Vec<String>) {
    if let Some(known) = memo.get(name) {
        return known.clone();
    }
    let mut best = (
        own_depth.get(name).copied().unwrap_or(0),
        vec![name.to_owned()],
    );
    for (callee, around) in graph.get(name).into_iter().flatten() {
        let (depth, path) = each_depth(graph, own_depth, callee, memo);
        if around + depth > best.0 {
            let mut along = vec![name.to_owned()];
            along.extend(path);
            best = (around + depth, along);
        }
    }
    memo.insert(name.to_owned(), best.clone());
    best
}

/// Adds a template's calls to the graph, and those of the inline partials it defines under their names.
fn add(graph: &mut Graph, own_depth: &mut BTreeMap<String, usize>, name: &str, calls: Calls) {
    graph
        .entry(name.to_owned())
        .or_default()
        .extend(calls.names);
    let depth = own_depth.entry(name.to_owned()).or_default();
    *depth = (*depth).max(calls.each_depth);
    for (inline, own) in calls.inline {
        add(graph, own_depth, &inline, own);
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
    for (next, _) in graph.get(name).into_iter().flatten() {
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
    fn registry(templates: &[(&str, &str)]) -> handlebars::Handlebars<'static> {
        let mut r = handlebars::Handlebars::new();
        for (name, text) in templates {
            r.register_template_string(name, text).expect("compiles");
        }
        r
    }

    fn recursion(templates: &[(&str, &str)]) -> Vec<String> {
        super::problems(&registry(templates), |name| format!("template {name}"), 3)
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

    #[test]
    fn each_blocks_are_counted_through_partials() {
        // Three levels in three files, each within the limit on its own.
        let deep = recursion(&[
            ("main", "{{#each a}}{{> one}}{{/each}}"),
            ("one", "{{#each b}}{{#if c}}{{> two}}{{/if}}{{/each}}"),
            ("two", "{{#each d}}{{> three}}{{/each}}"),
            ("three", "{{#each e}}x{{/each}}"),
        ]);
        assert_eq!(
            deep,
            [
                "template main: `each` blocks nest 4 deep through partials (main → one → two → three); snc renders at most 3"
            ]
        );
        let at_limit = registry(&[
            ("main", "{{#each a}}{{> one}}{{/each}}"),
            (
                "one",
                "{{#each b}}{{#each c}}{{#each d}}x{{/each}}{{/each}}{{/each}}",
            ),
        ]);
        assert!(super::problems(&at_limit, str::to_owned, 4).is_empty());
        assert_eq!(super::problems(&at_limit, str::to_owned, 3).len(), 1);
        // A partial called outside the loops, or in an `else` branch, adds nothing.
        let fine = recursion(&[
            (
                "main",
                "{{> three}}{{#each a}}x{{else}}{{> three}}{{/each}}{{#each a}}{{> one}}{{/each}}",
            ),
            ("one", "{{#each b}}{{> two}}{{/each}}"),
            ("two", "x"),
            (
                "three",
                "{{#each e}}{{#each f}}{{#each g}}x{{/each}}{{/each}}{{/each}}",
            ),
        ]);
        assert!(fine.is_empty(), "{fine:?}");
    }
}
