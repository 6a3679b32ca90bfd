//! One catalogue for every user-facing string (`locales/<lang>.toml`): every language has every key with the same
//! placeholders, every key the code or a template names exists with the arguments the code gives, errors are not
//! built from English text, and `--lang fr` (or `LANG=fr_*`) speaks French: errors, validation messages, numbers,
//! status words.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use assert_cmd::Command;
use regex::Regex;
use snc::model::Lang;
use snc::model::i18n::{catalog, entries, placeholders};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `snc` run from the repository root, with the locale given and no date from the environment.
fn snc(locale: &str) -> Command {
    let mut cmd = Command::cargo_bin("snc").expect("binary");
    cmd.current_dir(root())
        .env_remove("SOURCE_DATE_EPOCH")
        .env("LANG", locale)
        .env_remove("LC_ALL");
    cmd
}

fn catalogue(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    entries(lang).into_iter().collect()
}

/// Every `.rs` file under `dir`, with its text.
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("read");
                out.push((path, text));
            }
        }
    }
    out.sort();
    out
}

/// The text of the call whose `(` is at `open`: up to its matching `)`, string literals skipped.
fn call_arguments(text: &str, open: usize) -> &str {
    let bytes = text.as_bytes();
    let mut depth = 0;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return &text[open + 1..i];
                }
            }
            _ => {}
        }
        i += 1;
    }
    &text[open + 1..]
}

/// The arguments of a call split at its top-level commas.
fn split_arguments(arguments: &str) -> Vec<&str> {
    let bytes = arguments.as_bytes();
    let (mut depth, mut start, mut i) = (0, 0, 0);
    let mut parts = Vec::new();
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            b',' if depth == 0 => {
                parts.push(arguments[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(arguments[start..].trim());
    parts.retain(|p| !p.is_empty());
    parts
}

/// Every `msg!("key", arg, name = value…)` of the crate: its file, key and argument names.
fn messages_in_code() -> Vec<(PathBuf, String, BTreeSet<String>)> {
    let mut found = Vec::new();
    for (path, text) in sources(&root().join("src")) {
        for (open, _) in text.match_indices("msg!(") {
            let arguments = split_arguments(call_arguments(&text, open + "msg!".len()));
            let Some(key) = arguments.first().and_then(|k| k.strip_prefix('"')) else {
                continue; // the macro's own definition
            };
            let key = key.trim_end_matches('"').to_owned();
            let names = arguments[1..]
                .iter()
                .map(|a| a.split('=').next().unwrap_or_default().trim().to_owned())
                .collect();
            found.push((path.clone(), key, names));
        }
    }
    found
}

#[test]
fn every_language_has_every_key_with_the_same_placeholders_none_empty() {
    let first = catalogue(Lang::ALL[0]);
    assert!(
        first.len() > 300,
        "the catalogue is too small: {}",
        first.len()
    );
    for &lang in Lang::ALL {
        let other = catalogue(lang);
        let only_first: Vec<_> = first.keys().filter(|k| !other.contains_key(*k)).collect();
        let only_other: Vec<_> = other.keys().filter(|k| !first.contains_key(*k)).collect();
        assert!(
            only_first.is_empty() && only_other.is_empty(),
            "keys only in locales/{}.toml: {only_first:?}; only in locales/{lang}.toml: {only_other:?}",
            Lang::ALL[0]
        );
        for (key, text) in &other {
            assert!(
                !text.trim().is_empty(),
                "locales/{lang}.toml: `{key}` is empty"
            );
            assert_eq!(
                placeholders(text),
                placeholders(first[key]),
                "locales/{lang}.toml: `{key}` has other placeholders than in locales/{}.toml",
                Lang::ALL[0]
            );
        }
    }
}

#[test]
fn every_catalogue_file_is_a_language_and_every_language_has_one() {
    let files: BTreeSet<String> = std::fs::read_dir(root().join("locales"))
        .expect("locales/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| p.file_stem().expect("stem").to_string_lossy().into_owned())
        .collect();
    let languages: BTreeSet<String> = Lang::ALL.iter().map(ToString::to_string).collect();
    assert_eq!(files, languages, "locales/*.toml and `languages!` differ");
}

static SECTIONS: LazyLock<BTreeSet<String>> = LazyLock::new(|| {
    catalogue(Lang::ALL[0])
        .keys()
        .filter_map(|k| k.split_once('.').map(|(section, _)| section.to_owned()))
        .collect()
});

#[test]
fn every_key_the_code_names_is_in_the_catalogue_with_the_arguments_it_is_given() {
    let english = catalogue(Lang::ALL[0]);
    let mut problems = Vec::new();
    for (path, key, names) in messages_in_code() {
        match english.get(key.as_str()) {
            None => problems.push(format!("{}: no key `{key}`", path.display())),
            Some(text) => {
                let wanted: BTreeSet<String> =
                    placeholders(text).into_iter().map(str::to_owned).collect();
                if wanted != names {
                    problems.push(format!(
                        "{}: `{key}` wants {wanted:?}, is given {names:?}",
                        path.display()
                    ));
                }
            }
        }
    }
    // Keys named elsewhere: `t(lang, "label")`, `Message::new("section.key")`, and any `"section.key"` literal.
    let label = Regex::new(r#"\bt\(\s*[a-z_.]+,\s*"([a-z0-9_.]+)"\s*\)"#).expect("regex");
    let keyed = Regex::new(r#"Message::new\(\s*"([^"]+)"\s*\)"#).expect("regex");
    let literal = Regex::new(r#""([a-z_]+)\.([a-z0-9_]+)""#).expect("regex");
    let mut count = 0;
    for (path, text) in sources(&root().join("src")) {
        let mut keys: Vec<String> = label
            .captures_iter(&text)
            .chain(keyed.captures_iter(&text))
            .map(|c| c[1].to_owned())
            .collect();
        // Test code names files (`review.toml`), not keys.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        keys.extend(
            literal
                .captures_iter(code)
                .filter(|c| SECTIONS.contains(&c[1]))
                .map(|c| format!("{}.{}", &c[1], &c[2])),
        );
        for key in keys {
            count += 1;
            if !english.contains_key(key.as_str()) {
                problems.push(format!("{}: no key `{key}`", path.display()));
            }
        }
    }
    assert!(count > 100, "the scan found too few keys: {count}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_label_a_template_reads_is_in_every_catalogue() {
    let read = Regex::new(r"(?:\{\{|[\s(]|@root\.|\.\./)t\.([a-z0-9_]+)").expect("regex");
    let mut stack = vec![root().join("reports/templates")];
    let mut problems = Vec::new();
    let mut count = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("templates") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("template");
            for c in read.captures_iter(&text) {
                count += 1;
                for &lang in Lang::ALL {
                    if !catalog(lang).contains_key(&c[1]) {
                        problems.push(format!(
                            "{}: no label `{}` in {lang}",
                            path.display(),
                            &c[1]
                        ));
                    }
                }
            }
        }
    }
    assert!(count > 50, "the scan found too few labels: {count}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Errors are catalogue messages: outside the rule-pack and template layers (whose diagnostics are for their
/// authors, in English), no error is built from a literal sentence or a `format!`.
#[test]
fn errors_are_built_from_catalogue_messages_not_english_text() {
    let english_only = [
        "src/pack/",
        "src/report/templates.rs",
        "src/report/recursion.rs",
        "src/report/fast/",
    ];
    let constructors = [
        "Error::Usage(",
        "Error::io(",
        "Diagnostic::file(",
        "Diagnostic::at(",
        ".diagnostic(",
        ".key_diagnostic(",
        "Message::verbatim(",
        "Message::from(",
    ];
    let sentence = Regex::new(r#""[^"]* [^"]*""#).expect("regex");
    let converted = Regex::new(r#""[^"]* [^"]*"\s*\.into\(\)"#).expect("regex");
    let mut problems = Vec::new();
    for (path, text) in sources(&root().join("src")) {
        let relative = path.strip_prefix(root()).expect("in the repository");
        let relative = relative.to_string_lossy().replace('\\', "/");
        if english_only.iter().any(|p| relative.starts_with(p)) {
            continue;
        }
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for constructor in constructors {
            for (at, _) in code.match_indices(constructor) {
                let mut arguments = call_arguments(code, at + constructor.len() - 1).to_owned();
                // Catalogue messages are what errors should be made of.
                while let Some(start) = arguments.find("msg!(") {
                    let inner = call_arguments(&arguments, start + "msg!".len()).len();
                    arguments.replace_range(start..=start + "msg!(".len() + inner, "");
                }
                // What could not be done to a file is a word, and a message too.
                let literal = constructor == "Error::io(" && arguments.contains('"');
                if literal || arguments.contains("format!") || sentence.is_match(&arguments) {
                    let line = code[..at].lines().count();
                    problems.push(format!("{relative}:{line}: {constructor}{arguments})"));
                }
            }
        }
        for found in converted.find_iter(code) {
            let line = code[..found.start()].lines().count();
            problems.push(format!("{relative}:{line}: {}", found.as_str()));
        }
    }
    assert!(
        problems.is_empty(),
        "English text in errors:\n{}",
        problems.join("\n")
    );
}

// ---- The command line in French ----

fn stderr_of(cmd: &mut Command, code: i32) -> String {
    let output = cmd.output().expect("run");
    assert_eq!(output.status.code(), Some(code), "{output:?}");
    String::from_utf8(output.stderr).expect("UTF-8")
}

fn stdout_of(cmd: &mut Command, code: i32) -> String {
    let output = cmd.output().expect("run");
    assert_eq!(output.status.code(), Some(code), "{output:?}");
    String::from_utf8(output.stdout).expect("UTF-8")
}

#[test]
fn a_malformed_assessment_is_reported_in_french_at_its_place() {
    let dir = tempfile::tempdir().expect("temp dir");
    let broken = dir.path().join("broken.json");
    std::fs::write(
        &broken,
        "{\n  \"format\": \"snc-assessment/1\",\n  \"pack\": \"secnumcloud-3.2\",\n  \"vendor\": {\"name\": \"V\"},\n}\n",
    )
    .expect("write");
    let shown = broken.display().to_string();
    let err = stderr_of(
        snc("C.UTF-8").args(["--lang", "fr", "check"]).arg(&broken),
        2,
    );
    assert!(
        err.starts_with(&format!(
            "erreur : {shown}:5:1: JSON invalide : virgule en trop"
        )),
        "{err}"
    );
    assert!(!err.contains("error") && !err.contains("trailing"), "{err}");
    // The same in English, as before.
    let err = stderr_of(snc("C.UTF-8").arg("check").arg(&broken), 2);
    assert!(
        err.starts_with(&format!("error: {shown}:5:1: invalid JSON: trailing comma")),
        "{err}"
    );
}

#[test]
fn validation_messages_are_french_with_lang_fr_or_a_french_locale() {
    let broken = "tests/fixtures/portfolio/zz-broken.json";
    let mut flag = snc("C.UTF-8");
    flag.args(["--lang", "fr", "validate", broken]);
    let mut locale = snc("fr_FR.UTF-8");
    locale.args(["validate", broken]);
    for mut cmd in [flag, locale] {
        let err = stderr_of(&mut cmd, 2);
        assert!(
            err.contains(&format!("erreur : {broken}:7:37: \"done\" ne fait pas partie des valeurs admises : \"compliant\"")),
            "{err}"
        );
        assert!(
            err.contains("attend un entier positif ou nul (ou null si inconnu) [à /facts/logging/retention_days]"),
            "{err}"
        );
        assert!(err.ends_with("2 erreurs\n"), "{err}");
    }
}

#[test]
fn usage_policy_and_reviewer_file_errors_are_french() {
    let err = stderr_of(
        snc("fr_FR.UTF-8").args([
            "check",
            "examples/paas-with-gaps.json",
            "--as-of",
            "28/11/2026",
        ]),
        2,
    );
    assert_eq!(
        err,
        "erreur : --as-of `28/11/2026` n'est pas une date AAAA-MM-JJ du 1900-01-01 au 9999-12-31\n"
    );
    let err = stderr_of(snc("fr_FR.UTF-8").args(["explain", "19.9.z"]), 2);
    assert!(err.contains("n'a pas d'exigence `19.9.z`"), "{err}");

    let dir = tempfile::tempdir().expect("temp dir");
    let policy = dir.path().join("snc.toml");
    std::fs::write(
        &policy,
        "min-score = \"70\"\n[min-chapter-score]\n\"42\" = 50\n",
    )
    .expect("write");
    let err = stderr_of(
        snc("C.UTF-8")
            .args([
                "--lang",
                "fr",
                "check",
                "examples/paas-with-gaps.json",
                "--policy",
            ])
            .arg(&policy),
        2,
    );
    assert!(
        err.contains(":1:13: `min-score` doit être un nombre entre 0 et 100"),
        "{err}"
    );
    assert!(
        err.contains("le référentiel n'a pas de chapitre `42`"),
        "{err}"
    );
    std::fs::write(&policy, "fail-on-stale = true\n").expect("write");
    let err = stderr_of(
        snc("C.UTF-8")
            .args([
                "--lang",
                "fr",
                "check",
                "examples/paas-with-gaps.json",
                "--policy",
            ])
            .arg(&policy),
        2,
    );
    assert!(
        err.contains("politique invalide : champ `fail-on-stale` inconnu"),
        "{err}"
    );

    let review = dir.path().join("review.toml");
    std::fs::write(
        &review,
        "[[override]]\nid = \"19.6.b\"\nverdict = \"done\"\n",
    )
    .expect("write");
    let err = stderr_of(
        snc("C.UTF-8")
            .args([
                "--lang",
                "fr",
                "check",
                "examples/paas-with-gaps.json",
                "--review",
            ])
            .arg(&review),
        2,
    );
    assert!(
        err.contains("le verdict `done` ne fait pas partie de `compliant`"),
        "{err}"
    );
    assert!(err.contains("cette décision n'a pas de `reason`"), "{err}");
}

#[test]
fn the_french_text_report_writes_numbers_with_a_decimal_comma() {
    let out = stdout_of(
        snc("C.UTF-8").args([
            "--lang",
            "fr",
            "check",
            "examples/saas-ineligible-cap-table.json",
            "--as-of",
            "2026-11-28",
        ]),
        1,
    );
    // The ineligible vendor's overall score is shown as not applicable; its chapter scores are numbers.
    assert!(out.contains("Score :      sans objet"), "{out}");
    assert!(out.contains(" 93,9 "), "{out}");
    assert!(!out.contains("93.9"), "{out}");
    // Machine formats keep the decimal point.
    let json = stdout_of(
        snc("C.UTF-8").args([
            "--lang",
            "fr",
            "check",
            "examples/saas-ineligible-cap-table.json",
            "--as-of",
            "2026-11-28",
            "--format",
            "json",
        ]),
        1,
    );
    // The number stays in the JSON report (contract), marked as not meaningful.
    assert!(json.contains("\"overall\": 94.3"), "{json}");
    assert!(json.contains("\"meaningful\": false"), "{json}");
}

/// Prose with what is code taken out: Markdown code spans, HTML tags (classes and attributes) and `<code>`
/// elements, the vendor's own words are kept.
fn prose(text: &str) -> String {
    let code_element = Regex::new(r"(?s)<code>.*?</code>").expect("regex");
    let tag = Regex::new(r"<[^>]*>").expect("regex");
    let code_span = Regex::new(r"`[^`\n]*`").expect("regex");
    let text = code_element.replace_all(text, " ");
    let text = tag.replace_all(&text, " ");
    code_span.replace_all(&text, " ").into_owned()
}

#[test]
fn french_reports_never_show_an_english_status_word_in_prose() {
    let word = Regex::new(
        r"\b(compliant|non_compliant|partially_compliant|not_assessed|not_applicable|inherited|non-compliant|partially compliant|not assessed|not applicable)\b",
    )
    .expect("regex");
    for example in [
        "paas-with-gaps",
        "saas-ineligible-cap-table",
        "saas-on-qualified-iaas",
    ] {
        for format in ["text", "markdown", "html", "github"] {
            let output = snc("C.UTF-8")
                .args(["--lang", "fr", "check"])
                .arg(format!("examples/{example}.json"))
                .args([
                    "--as-of",
                    "2026-11-28",
                    "--fail-on",
                    "never",
                    "--format",
                    format,
                ])
                .output()
                .expect("run");
            let text = String::from_utf8(output.stdout).expect("UTF-8");
            let prose = prose(&text);
            let found: Vec<&str> = word.find_iter(&prose).map(|m| m.as_str()).collect();
            assert!(found.is_empty(), "{example}, {format}: {found:?}");
        }
    }
}
