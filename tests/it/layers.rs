//! The crate's layers (src/lib.rs, docs/architecture.md) hold: a module never imports from a layer listed after
//! its own in `src/lib.rs`, and within any folder the sibling modules import each other without a cycle.
//!
//! Imports are read from the source text: every `crate::…`, `super::…` and `self::…` path, in `use` trees (braces
//! expanded) and inline, resolved to the module it names. A folder's `mod.rs` is the folder itself: it declares and
//! re-exports its children and may hold the types they share, so child → parent is not a sibling edge.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A source file: its module path (`["engine", "gate", "policy"]`; `[]` for lib.rs) and its text.
struct Source {
    module: Vec<String>,
    /// True for `mod.rs` and `lib.rs`: `super::` then starts one level higher.
    is_folder_root: bool,
    text: String,
}

fn read_tree(src: &Path) -> Vec<Source> {
    let mut out = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src).expect("under src");
            let mut module: Vec<String> = rel
                .iter()
                .map(|c| c.to_string_lossy().trim_end_matches(".rs").to_owned())
                .collect();
            let last = module.pop().unwrap_or_default();
            let is_folder_root = last == "mod" || last == "lib" || last == "main";
            if last == "main" && module.is_empty() {
                continue; // the binary: a separate crate
            }
            if !is_folder_root {
                module.push(last);
            }
            out.push(Source {
                module,
                is_folder_root,
                text: std::fs::read_to_string(&path).expect("read"),
            });
        }
    }
    out
}

/// Removes comments and string literals, which may mention paths that are not imports.
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let line = line.split("//").next().unwrap_or_default();
        let mut in_string = false;
        let mut escaped = false;
        for c in line.chars() {
            if in_string {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    in_string = false;
                }
                continue;
            }
            if c == '"' {
                in_string = true;
                continue;
            }
            out.push(c);
        }
        out.push('\n');
    }
    out
}

/// Expands a `use` tree (`crate::a::{b::C, d}`) into its paths.
fn expand(tree: &str) -> Vec<String> {
    let tree: String = tree.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(open) = tree.find('{') else {
        return vec![tree];
    };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .flat_map(|p| expand(&format!("{prefix}{p}")))
        .collect()
}

/// Every path the file names from `crate`, `super` or `self`, resolved to an absolute module path.
fn imports(source: &Source) -> Vec<Vec<String>> {
    let code = code_only(&source.text);
    let mut paths = Vec::new();
    let mut rest = code.as_str();
    while let Some(i) = rest.find("use ") {
        let boundary = i == 0 || !rest.as_bytes()[i - 1].is_ascii_alphanumeric();
        let after = &rest[i + 4..];
        let end = after.find(';').unwrap_or(after.len());
        if boundary {
            paths.extend(expand(&after[..end]));
        }
        rest = &after[end.min(after.len())..];
    }
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    for start in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(i) = code[from..].find(start) {
            let at = from + i;
            from = at + start.len();
            if at > 0 && code[..at].ends_with(|c: char| word(c) || c == ':') {
                continue;
            }
            let tail: String = code[at..]
                .chars()
                .take_while(|&c| word(c) || c == ':')
                .collect();
            paths.push(tail);
        }
    }
    let base: Vec<String> = source.module.clone();
    let paths: BTreeSet<String> = paths.into_iter().collect();
    paths
        .into_iter()
        .filter_map(|p| {
            let mut segments = p.split("::").filter(|s| !s.is_empty());
            let first = segments.next()?;
            let mut resolved: Vec<String> = match first {
                "crate" => Vec::new(),
                "self" => base.clone(),
                "super" => {
                    let mut b = base.clone();
                    if !source.is_folder_root || !b.is_empty() {
                        b.pop();
                    }
                    b
                }
                _ => return None,
            };
            for s in segments {
                if s == "super" {
                    resolved.pop();
                } else if s != "self" {
                    resolved.push(s.to_owned());
                }
            }
            Some(resolved)
        })
        .collect()
}

/// The problems of a tree: upward imports between layers, and cycles among siblings.
fn problems(sources: &[Source], layers: &[String]) -> Vec<String> {
    let rank = |m: &str| layers.iter().position(|l| l == m);
    let mut problems = Vec::new();
    // Sibling edges, per folder: folder path → (child → children it uses).
    let mut edges: BTreeMap<Vec<String>, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for source in sources {
        for target in imports(source) {
            let (Some(from_top), Some(to_top)) = (source.module.first(), target.first()) else {
                continue;
            };
            if let (Some(from), Some(to)) = (rank(from_top), rank(to_top))
                && to > from
            {
                problems.push(format!(
                    "src/{} imports {} from the layer `{to_top}`, which is above `{from_top}`",
                    source.module.join("/"),
                    target.join("::")
                ));
            }
            // The deepest common folder: the first place the two paths part.
            let common = source
                .module
                .iter()
                .zip(&target)
                .take_while(|(a, b)| a == b)
                .count();
            if common < source.module.len() && common < target.len() {
                edges
                    .entry(source.module[..common].to_vec())
                    .or_default()
                    .entry(source.module[common].clone())
                    .or_default()
                    .insert(target[common].clone());
            }
        }
    }
    for (folder, graph) in &edges {
        if let Some(cycle) = find_cycle(graph) {
            let folder = if folder.is_empty() {
                "src".to_owned()
            } else {
                format!("src/{}", folder.join("/"))
            };
            problems.push(format!("import cycle in {folder}: {}", cycle.join(" → ")));
        }
    }
    problems
}

fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|n| n == node) {
            let mut cycle = path[i..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

/// The layers, bottom first: the `mod` lines of src/lib.rs in order.
fn layers(lib: &str) -> Vec<String> {
    lib.lines()
        .filter_map(|l| {
            let l = l.trim();
            ["pub mod ", "pub(crate) mod ", "mod "]
                .iter()
                .find_map(|p| l.strip_prefix(p))
        })
        .map(|m| m.trim_end_matches(';').to_owned())
        .collect()
}

fn source(module: &str, text: &str) -> Source {
    Source {
        module: module.split('/').map(str::to_owned).collect(),
        is_folder_root: false,
        text: text.to_owned(),
    }
}

#[test]
fn no_module_imports_from_a_layer_above_and_no_sibling_cycle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(root.join("lib.rs")).expect("lib.rs");
    let layers = layers(&lib);
    assert!(
        layers.len() >= 8,
        "src/lib.rs should list the layers: {layers:?}"
    );
    let sources = read_tree(&root);
    assert!(sources.len() > 40, "read {} files", sources.len());
    for source in &sources {
        if let Some(top) = source.module.first() {
            assert!(
                layers.contains(top),
                "src/{top} is not listed as a layer in src/lib.rs"
            );
        }
    }
    let problems = problems(&sources, &layers);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn an_upward_import_is_found() {
    let layers: Vec<String> = ["model", "pack", "engine"].map(str::to_owned).to_vec();
    let sources = [
        source(
            "pack/load",
            "use crate::engine::run;\nuse crate::model::Lang;",
        ),
        source("engine/evaluate", "fn f() { crate::pack::load(); }"),
    ];
    let problems = problems(&sources, &layers);
    assert_eq!(
        problems,
        [
            "src/pack/load imports engine::run from the layer `engine`, which is above `pack`",
            "import cycle in src: engine → pack → engine",
        ]
    );
}

#[test]
fn a_sibling_cycle_through_a_use_group_is_found() {
    let layers: Vec<String> = ["engine"].map(str::to_owned).to_vec();
    let sources = [
        source(
            "engine/review",
            "use crate::engine::{result::Finding, evaluate::{self, Evaluation}};",
        ),
        source("engine/evaluate", "use super::review::ReviewNote;"),
        source(
            "engine/result",
            "use crate::model::Lang; // crate::engine::review",
        ),
    ];
    let problems = problems(&sources, &layers);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("import cycle in src/engine") && problems[0].contains("review"),
        "{}",
        problems[0]
    );
}
