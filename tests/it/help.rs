//! The `--help` of every command clap defines, through the binary at a fixed width (one insta snapshot each), and
//! the synopsis under "Commands" in README.md held to the same options and values.

use std::collections::BTreeSet;

use crate::common::{root, snc};

/// The width help is wrapped at. Child processes of the tests never have a terminal (stdin, stdout and stderr are
/// pipes), so clap reads the width from `COLUMNS`.
const COLUMNS: &str = "100";

/// `snc COMMAND… --help`, whatever the terminal running the tests.
fn help(command: &[String]) -> String {
    let out = snc()
        .args(command)
        .arg("--help")
        .env("COLUMNS", COLUMNS)
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("run");
    assert!(
        out.status.code() == Some(0) && out.stderr.is_empty(),
        "snc {} --help: {:?}\n{}",
        command.join(" "),
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// One entry of a help section ("Commands:", "Arguments:", "Options:"): its head (`-o, --output <FILE>`,
/// `<WHICH>`, `check`) and its description, lines joined.
#[derive(Debug)]
struct Entry {
    head: String,
    description: String,
}

/// The entries of the section `name` of a help text. An entry starts on a line indented by at most 6 columns;
/// deeper lines continue its description (wrapped text, the long help's possible values).
fn section(help: &str, name: &str) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut inside = false;
    for line in help.lines() {
        if !line.starts_with(' ') && !line.is_empty() {
            inside = line == format!("{name}:");
            continue;
        }
        if !inside || line.trim().is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let text = line.trim();
        if indent <= 6 {
            let (head, description) = text.split_once("  ").unwrap_or((text, ""));
            entries.push(Entry {
                head: head.to_owned(),
                description: description.trim().to_owned(),
            });
        } else if let Some(entry) = entries.last_mut() {
            entry.description.push('\n');
            entry.description.push_str(text);
        }
    }
    entries
}

/// The subcommands a help text lists, without clap's own `help`.
fn subcommands(help: &str) -> Vec<String> {
    section(help, "Commands")
        .into_iter()
        .map(|e| e.head)
        .filter(|name| name != "help")
        .collect()
}

/// Every command path with its help, `[]` (`snc` itself) first, then depth first in the order clap lists them.
fn commands() -> Vec<(Vec<String>, String)> {
    fn walk(path: &[String], all: &mut Vec<(Vec<String>, String)>) {
        let text = help(path);
        let subs = subcommands(&text);
        all.push((path.to_vec(), text));
        for sub in subs {
            let next: Vec<String> = path.iter().cloned().chain([sub]).collect();
            walk(&next, all);
        }
    }
    let mut all = Vec::new();
    walk(&[], &mut all);
    all
}

/// Whether `command` has no subcommand of its own.
fn is_leaf(tree: &[(Vec<String>, String)], command: &[String]) -> bool {
    !tree
        .iter()
        .any(|(c, _)| c.len() > command.len() && c.starts_with(command))
}

/// The snapshot name of a command path: `snc`, `snc-check`, `snc-rules-lint`.
fn snapshot_name(command: &[String]) -> String {
    std::iter::once("snc")
        .chain(command.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join("-")
}

#[test]
fn every_command_help_matches_its_reviewed_snapshot() {
    let commands = commands();
    assert!(commands.len() > 10, "commands found: {commands:?}");
    for (command, text) in &commands {
        insta::assert_snapshot!(snapshot_name(command), text);
    }
    // A command that no longer exists leaves no snapshot behind.
    let expected: BTreeSet<String> = commands
        .iter()
        .map(|(c, _)| format!("it__help__{}.snap", snapshot_name(c)))
        .collect();
    let kept: BTreeSet<String> = std::fs::read_dir(root().join("tests/it/snapshots"))
        .expect("snapshots folder")
        .map(|e| e.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|x| x == "snap"))
        .map(|path| {
            path.file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.starts_with("it__help__"))
        .collect();
    assert_eq!(kept, expected, "help snapshots and commands differ");
}

/// An option of a command, as its help shows it.
#[derive(Debug)]
struct Opt {
    long: String,
    short: Option<String>,
    takes_value: bool,
    /// Clap's possible values, in its order; empty for a free value.
    values: Vec<String>,
    description: String,
}

/// The possible values of an entry: `[possible values: a, b]` (short help) or the `Possible values:` list of the
/// long help (`- a`, `- b: what b is`).
fn possible_values(description: &str) -> Vec<String> {
    let flat = description.replace('\n', " ");
    if let Some(start) = flat.find("[possible values: ") {
        let rest = &flat[start + "[possible values: ".len()..];
        let list = &rest[..rest.find(']').expect("closing bracket")];
        return list.split(", ").map(str::to_owned).collect();
    }
    description
        .lines()
        .skip_while(|l| *l != "Possible values:")
        .filter_map(|l| l.strip_prefix("- "))
        .map(|v| v.split(':').next().expect("value").trim().to_owned())
        .collect()
}

/// The options of a help text, without `--help` and `--version`.
fn options(help: &str) -> Vec<Opt> {
    section(help, "Options")
        .into_iter()
        .filter_map(|e| {
            let mut words = e.head.split(' ');
            let mut first = words.next().expect("option");
            let short = first.strip_suffix(',').map(str::to_owned);
            if short.is_some() {
                first = words.next().expect("long option");
            }
            let takes_value = words.next().is_some();
            (first != "--help" && first != "--version").then(|| Opt {
                long: first.to_owned(),
                short,
                takes_value,
                values: possible_values(&e.description),
                description: e.description,
            })
        })
        .collect()
}

/// The positional arguments of a help text: value name (`WHICH`, `DIR|FILE`) and possible values.
fn positionals(help: &str) -> Vec<(String, Vec<String>)> {
    section(help, "Arguments")
        .into_iter()
        .map(|e| {
            let name = e.head.trim_end_matches("...");
            let name = name
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_owned();
            (name, possible_values(&e.description))
        })
        .collect()
}

/// The file extensions an option's description names: `.json` in "the format follows the extension (.json, …)".
fn extensions(description: &str) -> BTreeSet<String> {
    description
        .split([' ', '(', ',', ')', '\n'])
        .filter(|w| {
            w.len() > 1 && w.starts_with('.') && w[1..].bytes().all(|b| b.is_ascii_lowercase())
        })
        .map(str::to_owned)
        .collect()
}

/// The synopsis block under "## Commands" in README.md: one entry per line starting with `snc`, continued by the
/// indented lines under it, as (command path, words) with brackets and `...` taken off. The path is `[]` on the
/// line of the options every command takes (clap's global options), which starts with an option.
fn readme_synopsis(tree: &[(Vec<String>, String)]) -> Vec<(Vec<String>, Vec<String>)> {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let after = &readme[readme.find("\n## Commands\n").expect("a Commands section")..];
    let block = &after[after.find("```").expect("a code block")..];
    let block = &block
        [block.find('\n').expect("fence line") + 1..block.find("\n```").expect("closing fence")];
    let mut entries: Vec<(Vec<String>, Vec<String>)> = Vec::new();
    for line in block.lines() {
        let words: Vec<String> = line
            .split_whitespace()
            .map(|w| w.replace(['[', ']'], "").trim_end_matches("...").to_owned())
            .filter(|w| !w.is_empty())
            .collect();
        if line.starts_with(' ') {
            let entry = entries.last_mut().expect("a line starting with snc first");
            entry.1.extend(words);
            continue;
        }
        assert_eq!(
            words.first().map(String::as_str),
            Some("snc"),
            "README synopsis line: {line}"
        );
        let mut path: Vec<String> = Vec::new();
        let mut rest = words[1..].iter().peekable();
        while let Some(word) = rest.next_if(|w| {
            let candidate: Vec<String> = path.iter().cloned().chain([(*w).clone()]).collect();
            tree.iter().any(|(c, _)| *c == candidate)
        }) {
            path.push(word.clone());
        }
        match rest.peek() {
            // `snc frobnicate …`: a command that does not exist.
            Some(word) if path.is_empty() && !word.starts_with('-') => path.push((*word).clone()),
            _ => {}
        }
        entries.push((path, rest.cloned().collect()));
    }
    entries
}

/// Checks one command's synopsis (its own words, and the words of the line of global options) against its
/// options and arguments: every option on either side is on the other, value lists are clap's. Returns what
/// differs.
fn compare(
    name: &str,
    words: &[String],
    global: &[String],
    opts: &[Opt],
    args: &[(String, Vec<String>)],
) -> Vec<String> {
    let find = |w: &str| {
        opts.iter()
            .find(|o| o.long == w || o.short.as_deref() == Some(w))
    };
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    // The global line counts for every command; its values are checked once, against `snc --help`.
    let mut global_words = global.iter();
    while let Some(word) = global_words.next() {
        if let Some(opt) = find(word) {
            seen.insert(opt.long.clone());
            if opt.takes_value {
                global_words.next();
            }
        }
    }
    let mut words = words.iter();
    while let Some(word) = words.next() {
        if word.starts_with('-') {
            let Some(opt) = find(word) else {
                problems.push(format!(
                    "{name}: README shows {word}, which `{name} --help` does not have"
                ));
                continue;
            };
            seen.insert(opt.long.clone());
            if opt.takes_value
                && let Some(value) = words.next()
            {
                problems.extend(check_value(name, opt, value));
            }
        } else if word.contains('|') && !args.iter().any(|(n, _)| n == word) {
            let list: Vec<String> = word.split('|').map(str::to_owned).collect();
            if !args.iter().any(|(_, values)| *values == list) {
                let clap: Vec<String> = args
                    .iter()
                    .map(|(n, v)| format!("<{n}> [{}]", v.join("|")))
                    .collect();
                problems.push(format!(
                    "{name}: README lists {word}, clap's arguments are {clap:?}"
                ));
            }
        }
    }
    for opt in opts {
        if !seen.contains(&opt.long) {
            problems.push(format!(
                "{name}: `{name} --help` has {}, the README synopsis does not",
                opt.long
            ));
        }
    }
    problems
}

/// A value written after an option: a list `a|b|c` must be clap's possible values in clap's order (or, for a
/// file, the extensions its description names); a single value in lower case must be one of the possible values.
/// A value in capitals (`FILE`, `N`, `YYYY-MM-DD`) is a placeholder.
fn check_value(name: &str, opt: &Opt, value: &str) -> Option<String> {
    let long = &opt.long;
    if value.contains('|') {
        let list: Vec<String> = value.split('|').map(str::to_owned).collect();
        if !opt.values.is_empty() {
            return (list != opt.values).then(|| {
                format!(
                    "{name}: README lists {long} {value}, clap has {}",
                    opt.values.join("|")
                )
            });
        }
        let written: BTreeSet<String> = list
            .iter()
            .map(|v| v[v.rfind('.').unwrap_or(0)..].to_owned())
            .collect();
        let described = extensions(&opt.description);
        return (written != described).then(|| {
            format!(
                "{name}: README lists {long} {value}, its help names the extensions {described:?}"
            )
        });
    }
    let placeholder = !value.bytes().any(|b| b.is_ascii_lowercase());
    (!opt.values.is_empty() && !placeholder && !opt.values.iter().any(|v| v == value)).then(|| {
        format!(
            "{name}: README shows {long} {value}, clap accepts {}",
            opt.values.join("|")
        )
    })
}

#[test]
fn readme_synopsis_has_every_option_and_value_of_every_command() {
    let tree = commands();
    let readme = readme_synopsis(&tree);
    let global: Vec<String> = readme
        .iter()
        .filter(|(path, _)| path.is_empty())
        .flat_map(|(_, words)| words.clone())
        .collect();
    let mut problems = Vec::new();
    for (path, _) in &readme {
        let known = tree.iter().any(|(c, _)| c == path);
        if !path.is_empty() && (!known || !is_leaf(&tree, path)) {
            problems.push(format!(
                "README synopsis has `snc {}`, which is not a command without subcommands",
                path.join(" ")
            ));
        }
    }
    for (command, text) in &tree {
        if command.is_empty() {
            // `snc --help`: the options every command takes, on the README line without a command.
            problems.extend(compare("snc", &global, &[], &options(text), &[]));
            continue;
        }
        if !is_leaf(&tree, command) {
            continue;
        }
        let name = format!("snc {}", command.join(" "));
        if !readme.iter().any(|(path, _)| path == command) {
            problems.push(format!("README synopsis has no line for `{name}`"));
            continue;
        }
        let words: Vec<String> = readme
            .iter()
            .filter(|(path, _)| path == command)
            .flat_map(|(_, words)| words.clone())
            .collect();
        problems.extend(compare(
            &name,
            &words,
            &global,
            &options(text),
            &positionals(text),
        ));
    }
    assert!(
        problems.is_empty(),
        "README.md \"## Commands\" is out of step with clap:\n{}",
        problems.join("\n")
    );
}
