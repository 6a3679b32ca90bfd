//! Reading pack files and validating them into a [`Pack`], collecting every problem in one pass.

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;
use serde_json::{Value as Json, json};
use sha2::{Digest, Sha256};

use super::facts::{FactDecl, FactType, FieldDecl, Scalar};
use super::raw::{
    RawChapter, RawCheck, RawDetail, RawExample, RawFact, RawPack, RawRequirement, RawTexts,
};
use super::{
    Chapter, Check, Condition, Detail, Example, Pack, PackSource, Requirement, Section, SourceInfo,
    Weights,
};
use crate::model::error::Diagnostic;
use crate::model::{Lang, RequirementId, Texts};
use crate::pack::cel;

/// A file of the embedded pack: its text, and its content pre-parsed by `build.rs` (`MessagePack`; empty when the
/// text is not valid TOML), its requirements' examples apart (a list per requirement, in order).
struct EmbeddedFile {
    name: &'static str,
    text: &'static str,
    content: &'static [u8],
    examples: &'static [u8],
}

/// Every file of the embedded pack, by name, written by `build.rs`.
static EMBEDDED: &[EmbeddedFile] = include!(concat!(env!("OUT_DIR"), "/embedded_pack.rs"));

fn embedded(name: &str) -> Option<&'static EmbeddedFile> {
    EMBEDDED.iter().find(|f| f.name == name)
}

static PACK_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z0-9][a-z0-9.-]*$").expect("valid regex"));
static CONSTANT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Z][A-Z0-9_]*$").expect("valid regex"));
static FACT_SEGMENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z][a-z0-9_]*$").expect("valid regex"));
static CHAPTER_FILE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z0-9][a-z0-9_-]*\.toml$").expect("valid regex"));

/// The default date of examples that name none.
const EXAMPLE_AS_OF: &str = "2026-01-01";

/// One file being validated: its name and text, to turn places into positions.
struct File {
    name: String,
    text: std::borrow::Cow<'static, str>,
    /// The pre-parsed content of an embedded file (see `build.rs`); empty for any other.
    content: &'static [u8],
    /// The pre-parsed examples of an embedded chapter file; empty for any other.
    examples: &'static [u8],
    lines: OnceCell<crate::model::error::LineIndex>,
    places: OnceCell<Places>,
}

/// A step of a place in a pack file: a key of a table, or an index of an array (`requirement[3].title` is
/// `[Key("requirement"), Index(3), Key("title")]`). Keys are the file's own, kebab-case.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Step<K> {
    Key(K),
    Index(usize),
}

use Step::{Index, Key};

/// Where every value of a TOML file starts, by place: read from toml's spanned tree the first time a problem of
/// the file is reported, since the raw types hold no positions.
struct Places(HashMap<Vec<Step<String>>, usize>);

impl Places {
    fn new(text: &str) -> Self {
        fn walk(
            value: &toml::de::DeValue<'_>,
            start: usize,
            place: &mut Vec<Step<String>>,
            out: &mut HashMap<Vec<Step<String>>, usize>,
        ) {
            out.insert(place.clone(), start);
            match value {
                toml::de::DeValue::Table(table) => {
                    for (key, item) in table {
                        place.push(Key(key.get_ref().to_string()));
                        walk(item.get_ref(), item.span().start, place, out);
                        place.pop();
                    }
                }
                toml::de::DeValue::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        place.push(Index(i));
                        walk(item.get_ref(), item.span().start, place, out);
                        place.pop();
                    }
                }
                _ => {}
            }
        }
        let mut out = HashMap::new();
        if let Ok(root) = toml::de::DeTable::parse(text) {
            let start = root.span().start;
            walk(
                &toml::de::DeValue::Table(root.into_inner()),
                start,
                &mut Vec::new(),
                &mut out,
            );
        }
        Self(out)
    }

    /// The start of the value at `place`, or of the deepest table or array on the way to it that exists.
    fn find(&self, place: &[Step<&str>]) -> usize {
        let mut owned: Vec<Step<String>> = place
            .iter()
            .map(|step| match step {
                Key(key) => Key((*key).to_owned()),
                Index(i) => Index(*i),
            })
            .collect();
        loop {
            if let Some(&start) = self.0.get(&owned) {
                return start;
            }
            if owned.pop().is_none() {
                return 0;
            }
        }
    }
}

struct Loader<'s> {
    source: &'s PackSource,
    diagnostics: Vec<Diagnostic>,
    hasher: Sha256,
    /// Whether requirement examples are read and validated (for the linter); other loads skip them.
    with_examples: bool,
    /// The pack's constants, once read: their sizes bound the cost of the checks that read them.
    constants: BTreeMap<String, serde_json::Value>,
}

impl File {
    fn new(name: String, text: impl Into<std::borrow::Cow<'static, str>>) -> Self {
        Self {
            name,
            text: text.into(),
            content: &[],
            examples: &[],
            lines: OnceCell::new(),
            places: OnceCell::new(),
        }
    }

    /// A problem at a byte offset of the file.
    fn at_offset(
        &self,
        offset: usize,
        message: impl Into<crate::model::i18n::Message>,
    ) -> Diagnostic {
        self.lines
            .get_or_init(|| crate::model::error::LineIndex::new(&self.text))
            .diagnostic(&self.text, &self.name, offset, message)
    }

    /// A problem at a place of the file (see [`Step`]).
    fn at(
        &self,
        place: &[Step<&str>],
        message: impl Into<crate::model::i18n::Message>,
    ) -> Diagnostic {
        let offset = self
            .places
            .get_or_init(|| Places::new(&self.text))
            .find(place);
        self.at_offset(offset, message)
    }
}

/// The files of the embedded pack, by file name.
pub(super) fn embedded_files() -> BTreeMap<String, Vec<u8>> {
    EMBEDDED
        .iter()
        .map(|f| (f.name.to_owned(), f.text.as_bytes().to_vec()))
        .collect()
}

/// Loads what can be loaded: the pack (if its header parses) and every problem found; requirement examples only
/// `with_examples`.
pub(super) fn load(source: &PackSource, with_examples: bool) -> (Option<Pack>, Vec<Diagnostic>) {
    let mut loader = Loader::new(source, with_examples);
    let pack = loader.load();
    (pack, loader.diagnostics)
}

impl<'s> Loader<'s> {
    fn new(source: &'s PackSource, with_examples: bool) -> Self {
        Loader {
            source,
            diagnostics: Vec::new(),
            hasher: Sha256::new(),
            with_examples,
            constants: BTreeMap::new(),
        }
    }

    /// Reads a pack file and adds it to the digest (in the order files are read).
    #[expect(
        clippy::result_large_err,
        reason = "once per pack file; the error joins the diagnostics"
    )]
    fn fetch(&mut self, name: &str) -> Result<File, Diagnostic> {
        let result = match self.source {
            PackSource::Embedded => {
                let path = format!("{}/{name}", super::EMBEDDED_PACK);
                let display = format!("<embedded>/{path}");
                match embedded(name) {
                    Some(file) => Ok(File {
                        content: file.content,
                        examples: file.examples,
                        ..File::new(display, file.text)
                    }),
                    None => Err(Diagnostic::file(
                        display,
                        "no such file in the embedded pack",
                    )),
                }
            }
            PackSource::Memory(files) => {
                let display = format!("<memory>/{name}");
                match files.get(name) {
                    Some(bytes) => String::from_utf8(bytes.clone())
                        .map(|text| File::new(display.clone(), text))
                        .map_err(|_| Diagnostic::file(display, "not UTF-8 text")),
                    None => Err(Diagnostic::file(display, "no such file in the pack")),
                }
            }
            PackSource::Dir(dir) => {
                let path = dir.join(name);
                let display = path.display().to_string();
                match std::fs::read(&path) {
                    Ok(bytes) => String::from_utf8(bytes)
                        .map(|text| File::new(display.clone(), text))
                        .map_err(|_| Diagnostic::file(display, "not UTF-8 text")),
                    Err(e) => Err(Diagnostic::file(display, format!("cannot read: {e}"))),
                }
            }
        };
        if let Ok(file) = &result {
            hash_file(&mut self.hasher, name, &file.text);
        }
        result
    }

    /// The pack digest: of every file read, in the order read.
    fn digest(&mut self) -> String {
        format!("sha256:{:x}", std::mem::take(&mut self.hasher).finalize())
    }

    fn read(&mut self, name: &str) -> Option<File> {
        self.fetch(name).map_err(|d| self.diagnostics.push(d)).ok()
    }

    fn parse<T: serde::de::DeserializeOwned>(&mut self, file: &File) -> Option<T> {
        match deserialize::<T>(&file.text, file.content) {
            Ok(value) => Some(value),
            Err(e) => {
                self.diagnostics.push(toml_diagnostic(file, &e));
                None
            }
        }
    }

    /// A bilingual text, moved out of its raw form; `place` is where it is written, and `what` names it in
    /// diagnostics (formatted only when there is one to report).
    fn texts(
        &mut self,
        file: &File,
        texts: &mut RawTexts,
        place: &[Step<&str>],
        what: &dyn std::fmt::Display,
    ) -> Texts {
        for key in texts.unknown.keys() {
            self.diagnostics.push(file.at(
                place,
                format!("{what}: unknown language `{key}`: expected `en` and `fr`"),
            ));
        }
        let mut get = |lang: &str, text: &mut Option<String>| match text {
            Some(text) if !text.trim().is_empty() => std::mem::take(text),
            Some(_) => {
                self.diagnostics
                    .push(file.at(place, format!("{what}.{lang} is empty")));
                String::new()
            }
            None => {
                self.diagnostics.push(file.at(
                    place,
                    format!("{what}.{lang} is missing: every text needs `en` and `fr`"),
                ));
                String::new()
            }
        };
        Texts {
            en: get("en", &mut texts.en),
            fr: get("fr", &mut texts.fr),
        }
    }

    fn load(&mut self) -> Option<Pack> {
        let pack_file = self.read("pack.toml")?;
        let mut raw: RawPack = self.parse(&pack_file)?;

        if !PACK_ID.is_match(&raw.id) {
            self.diagnostics.push(pack_file.at(
                &[Key("id")],
                format!("pack id `{}` must match [a-z0-9][a-z0-9.-]*", raw.id),
            ));
        }
        let languages = &raw.languages;
        for lang in languages {
            if lang.parse::<Lang>().is_err() {
                self.diagnostics.push(pack_file.at(
                    &[Key("languages")],
                    format!(
                        "snc has no message catalog for language `{lang}`: expected `en`, `fr`"
                    ),
                ));
            }
        }
        for needed in ["en", "fr"] {
            if !languages.iter().any(|l| l == needed) {
                self.diagnostics.push(pack_file.at(
                    &[Key("languages")],
                    format!("`languages` must include `{needed}`"),
                ));
            }
        }
        let name = self.texts(&pack_file, &mut raw.name, &[Key("name")], &"name");
        let weights = Weights {
            critical: raw.severity_weights.critical,
            high: raw.severity_weights.high,
            medium: raw.severity_weights.medium,
            low: raw.severity_weights.low,
        };
        for (weight, key) in [
            (weights.critical, "critical"),
            (weights.high, "high"),
            (weights.medium, "medium"),
            (weights.low, "low"),
        ] {
            if weight == 0 {
                self.diagnostics.push(pack_file.at(
                    &[Key("severity-weights"), Key(key)],
                    "severity weights must be positive",
                ));
            }
        }
        let min_score = raw.readiness.audit_ready_min_score;
        if min_score > 100 {
            self.diagnostics.push(pack_file.at(
                &[Key("readiness"), Key("audit-ready-min-score")],
                "audit-ready-min-score is a score from 0 to 100",
            ));
        }
        if NaiveDate::parse_from_str(&raw.source.date, "%Y-%m-%d").is_err() {
            self.diagnostics.push(pack_file.at(
                &[Key("source"), Key("date")],
                "source date must be a date YYYY-MM-DD",
            ));
        }
        let constants = std::mem::take(&mut raw.constants);
        self.constants.clone_from(&constants);
        for key in constants.keys() {
            if !CONSTANT.is_match(key) || cel::VARIABLES.contains(&key.as_str()) {
                self.diagnostics.push(pack_file.at(
                    &[Key("constants"), Key(key)],
                    format!("constant `{key}` must be UPPER_SNAKE_CASE"),
                ));
            }
        }

        // Every file is read in pack order (the digest follows it), then parsed; diagnostics keep the order of a
        // file-by-file load.
        let facts_file = self.fetch("facts.toml");
        let mut slots = Vec::new();
        let mut seen_numbers = HashSet::new();
        for (i, chapter_ref) in raw.chapter.iter_mut().enumerate() {
            let before = self.diagnostics.len();
            let number = chapter_ref.number.clone();
            if !seen_numbers.insert(number.clone()) || number.parse::<u8>().is_err() {
                self.diagnostics.push(pack_file.at(
                    &[Key("chapter"), Index(i), Key("number")],
                    format!("chapter `{number}` is a duplicate or not a number"),
                ));
            }
            let title = self.texts(
                &pack_file,
                &mut chapter_ref.title,
                &[Key("chapter"), Index(i), Key("title")],
                &"chapter title",
            );
            let file_name = &chapter_ref.file;
            let fetched = if CHAPTER_FILE.is_match(file_name) {
                Some(self.fetch(file_name))
            } else {
                self.diagnostics.push(pack_file.at(
                    &[Key("chapter"), Index(i), Key("file")],
                    format!(
                        "chapter file `{file_name}` must be a plain `*.toml` name in the pack folder"
                    ),
                ));
                None
            };
            let early: Vec<Diagnostic> = self.diagnostics.drain(before..).collect();
            slots.push((early, number, title, fetched));
        }
        let files: Vec<&File> = facts_file
            .iter()
            .chain(slots.iter().filter_map(|s| s.3.as_ref()?.as_ref().ok()))
            .collect();
        let with_examples = self.with_examples;
        let mut results = files
            .into_iter()
            .map(|file| deserialize_chapter(file, with_examples))
            .collect::<Vec<_>>()
            .into_iter();

        // The vocabulary first: chapter checks are validated against it.
        let mut facts = Vec::new();
        let mut groups = BTreeMap::new();
        // Whether every fact and group file was read: if not, groups cannot be checked against the facts.
        let mut all_read = true;
        match facts_file {
            Err(d) => {
                all_read = false;
                self.diagnostics.push(d);
            }
            Ok(facts_file) => match results.next() {
                Some(Ok(mut raw_facts)) => {
                    if raw_facts.chapter.is_some()
                        || !raw_facts.requirement.is_empty()
                        || !raw_facts.section.is_empty()
                    {
                        self.diagnostics.push(Diagnostic::file(
                            &facts_file.name,
                            "facts.toml holds only [[fact]] tables",
                        ));
                    }
                    self.facts(&facts_file, &mut raw_facts.fact, &mut facts);
                    self.groups(&facts_file, &mut raw_facts.group, &mut groups);
                }
                Some(Err(e)) => {
                    all_read = false;
                    self.diagnostics.push(toml_diagnostic(&facts_file, &e));
                }
                None => all_read = false,
            },
        }

        let mut chapters = Vec::new();
        let mut parsed = Vec::new();
        for (early, number, title, fetched) in slots {
            self.diagnostics.extend(early);
            let file = match fetched {
                Some(Ok(file)) => file,
                Some(Err(d)) => {
                    all_read = false;
                    self.diagnostics.push(d);
                    continue;
                }
                None => {
                    all_read = false;
                    continue;
                }
            };
            let Some(result) = results.next() else {
                all_read = false;
                continue;
            };
            let mut raw_chapter = match result {
                Ok(raw_chapter) => raw_chapter,
                Err(e) => {
                    all_read = false;
                    self.diagnostics.push(toml_diagnostic(&file, &e));
                    continue;
                }
            };
            self.facts(&file, &mut raw_chapter.fact, &mut facts);
            self.groups(&file, &mut raw_chapter.group, &mut groups);
            chapters.push(Chapter {
                number: number.clone(),
                title,
                sections: Vec::new(),
            });
            parsed.push((number, file, raw_chapter));
        }
        self.check_fact_paths(&facts, &groups, all_read);

        let fact_paths: HashSet<&str> = facts.iter().map(|f| f.path.as_str()).collect();
        let mut requirements = Vec::new();
        let mut index = HashMap::new();
        for (chapter, (number, file, raw_chapter)) in chapters.iter_mut().zip(&mut parsed) {
            self.chapter(
                number,
                file,
                raw_chapter,
                &fact_paths,
                chapter,
                &mut requirements,
                &mut index,
            );
        }

        let digest = self.digest();
        Some(Pack {
            id: raw.id,
            version: raw.version,
            pack_version: raw.pack_version,
            name,
            source: SourceInfo {
                title: raw.source.title,
                publisher: raw.source.publisher,
                date: raw.source.date,
                url: raw.source.url,
            },
            weights,
            audit_ready_min_score: min_score,
            constants,
            chapters,
            requirements,
            facts,
            fact_groups: groups,
            digest,
            index,
            assessment_validator: std::sync::OnceLock::new(),
        })
    }

    fn facts(&mut self, file: &File, raw: &mut [RawFact], out: &mut Vec<FactDecl>) {
        for (i, fact) in raw.iter_mut().enumerate() {
            let at = |key| [Key("fact"), Index(i), Key(key)];
            let path = &fact.path;
            if path.split('.').any(|s| !FACT_SEGMENT.is_match(s)) {
                self.diagnostics.push(file.at(
                    &at("path"),
                    format!("fact path `{path}` must be dotted snake_case segments"),
                ));
            }
            if out.iter().any(|f| &f.path == path) {
                self.diagnostics
                    .push(file.at(&at("path"), format!("fact `{path}` is declared twice")));
                continue;
            }
            let description = self.texts(
                file,
                &mut fact.description,
                &at("description"),
                &format_args!("fact `{path}` description"),
            );
            let ty_name = fact.ty.as_str();
            let ty = if ty_name == "object[]" {
                if fact.values.is_some() {
                    self.diagnostics.push(file.at(
                        &at("type"),
                        "`values` belongs on an enum field, not on `object[]`",
                    ));
                }
                if fact.field.is_empty() {
                    self.diagnostics.push(file.at(
                        &at("type"),
                        format!("fact `{path}` of type object[] needs [[fact.field]] tables"),
                    ));
                }
                let mut fields: Vec<FieldDecl> = Vec::new();
                for (j, field) in fact.field.iter_mut().enumerate() {
                    let at = |key| [Key("fact"), Index(i), Key("field"), Index(j), Key(key)];
                    let name = &field.name;
                    if !FACT_SEGMENT.is_match(name) || fields.iter().any(|f| &f.name == name) {
                        self.diagnostics.push(file.at(
                            &at("name"),
                            format!("field `{name}` is a duplicate or not snake_case"),
                        ));
                    }
                    let description = self.texts(
                        file,
                        &mut field.description,
                        &at("description"),
                        &format_args!("field `{name}` description"),
                    );
                    let label = field.label.as_mut().map(|label| {
                        self.texts(
                            file,
                            label,
                            &at("label"),
                            &format_args!("field `{name}` label"),
                        )
                    });
                    let ty_name = field.ty.as_str();
                    let (base, list) = ty_name
                        .strip_suffix("[]")
                        .map_or((ty_name, false), |b| (b, true));
                    match Scalar::parse(base, field.values.as_deref()) {
                        Ok(ty) => fields.push(FieldDecl {
                            name: name.clone(),
                            ty,
                            list,
                            description,
                            label,
                        }),
                        Err(e) => self.diagnostics.push(file.at(&at("type"), e)),
                    }
                }
                FactType::Objects(fields)
            } else {
                if !fact.field.is_empty() {
                    self.diagnostics.push(file.at(
                        &at("type"),
                        "[[fact.field]] tables are only allowed with type `object[]`",
                    ));
                }
                let (base, list) = match ty_name.strip_suffix("[]") {
                    Some(base) => (base, true),
                    None => (ty_name, false),
                };
                match Scalar::parse(base, fact.values.as_deref()) {
                    Ok(s) if list => FactType::List(s),
                    Ok(s) => FactType::Scalar(s),
                    Err(e) => {
                        self.diagnostics.push(file.at(&at("type"), e));
                        continue;
                    }
                }
            };
            out.push(FactDecl {
                path: path.clone(),
                ty,
                description,
                example: fact.example.take(),
            });
        }
    }

    fn groups(
        &mut self,
        file: &File,
        raw: &mut BTreeMap<String, RawTexts>,
        out: &mut BTreeMap<String, Texts>,
    ) {
        for (path, texts) in raw {
            let texts = self.texts(
                file,
                texts,
                &[Key("group"), Key(path)],
                &format_args!("group `{path}`"),
            );
            if out.insert(path.clone(), texts).is_some() {
                self.diagnostics.push(Diagnostic::file(
                    &file.name,
                    format!("group `{path}` is described twice"),
                ));
            }
        }
    }

    /// Checks that every group of facts is described and every description has facts (only when `all_read`: a
    /// file that could not be read would otherwise make its facts' groups look empty), and that no fact is also a
    /// group.
    fn check_fact_paths(
        &mut self,
        facts: &[FactDecl],
        groups: &BTreeMap<String, Texts>,
        all_read: bool,
    ) {
        let mut needed = std::collections::BTreeSet::new();
        for fact in facts {
            let segments: Vec<&str> = fact.path.split('.').collect();
            for n in 1..segments.len() {
                needed.insert(segments[..n].join("."));
            }
        }
        for group in needed.iter().filter(|_| all_read) {
            if !groups.contains_key(group) {
                self.diagnostics.push(Diagnostic::file("facts", format!("group `{group}` has no description: add `[group.\"{group}\"]` with `en` and `fr`")));
            }
        }
        for group in groups.keys().filter(|_| all_read) {
            if !needed.contains(group) {
                self.diagnostics.push(Diagnostic::file(
                    "facts",
                    format!("group `{group}` is described but holds no fact"),
                ));
            }
        }
        for a in facts {
            for b in facts {
                if b.path
                    .strip_prefix(a.path.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
                {
                    self.diagnostics.push(Diagnostic::file(
                        "facts",
                        format!("fact `{}` is a prefix of fact `{}`: a fact is either a value or a group", a.path, b.path),
                    ));
                }
            }
        }
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one call site; the arguments are the loader's shared state"
    )]
    fn chapter(
        &mut self,
        number: &str,
        file: &File,
        raw: &mut RawChapter,
        fact_paths: &HashSet<&str>,
        chapter: &mut Chapter,
        requirements: &mut Vec<crate::pack::Requirement>,
        index: &mut HashMap<RequirementId, usize>,
    ) {
        match &raw.chapter {
            Some(declared) if declared == number => {}
            Some(declared) => self.diagnostics.push(file.at(
                &[Key("chapter")],
                format!(
                    "this file declares chapter `{declared}` but pack.toml lists it as chapter `{number}`"
                ),
            )),
            None => self.diagnostics.push(Diagnostic::file(
                &file.name,
                format!("missing `chapter = \"{number}\"` at the top"),
            )),
        }
        for (i, section) in raw.section.iter_mut().enumerate() {
            let id = &section.id;
            let ok = id.split('.').next() == Some(number)
                && id.split('.').all(|p| p.parse::<u8>().is_ok());
            if !ok || chapter.sections.iter().any(|s| &s.id == id) {
                self.diagnostics.push(file.at(
                    &[Key("section"), Index(i), Key("id")],
                    format!("section `{id}` is a duplicate or not a section of chapter {number}"),
                ));
            }
            let title = self.texts(
                file,
                &mut section.title,
                &[Key("section"), Index(i), Key("title")],
                &format_args!("section {id} title"),
            );
            chapter.sections.push(Section {
                id: id.clone(),
                title,
            });
        }
        let mut previous: Option<RequirementId> = None;
        for (i, raw_req) in raw.requirement.iter_mut().enumerate() {
            let id_at = [Key("requirement"), Index(i), Key("id")];
            let Some(requirement) = self.requirement(file, number, i, raw_req, chapter, fact_paths)
            else {
                continue;
            };
            if let Some(prev) = &previous
                && sort_key(prev) >= sort_key(&requirement.id)
            {
                self.diagnostics.push(file.at(
                    &id_at,
                    format!(
                        "`{}` comes after `{prev}`: keep requirements in document order",
                        requirement.id
                    ),
                ));
            }
            previous = Some(requirement.id.clone());
            if index.contains_key(&requirement.id) {
                self.diagnostics.push(file.at(
                    &id_at,
                    format!("requirement `{}` is declared twice", requirement.id),
                ));
                continue;
            }
            index.insert(requirement.id.clone(), requirements.len());
            requirements.push(requirement);
        }
        for section in &chapter.sections {
            if !requirements.iter().any(|r| r.section == section.id) {
                self.diagnostics.push(Diagnostic::file(
                    &file.name,
                    format!("section `{}` has no requirement", section.id),
                ));
            }
        }
    }

    fn requirement(
        &mut self,
        file: &File,
        chapter_number: &str,
        i: usize,
        raw: &mut RawRequirement,
        chapter: &Chapter,
        fact_paths: &HashSet<&str>,
    ) -> Option<Requirement> {
        let at = |key| [Key("requirement"), Index(i), Key(key)];
        let id: RequirementId = match raw.id.parse() {
            Ok(id) => id,
            Err(e) => {
                self.diagnostics.push(file.at(&at("id"), e.to_string()));
                return None;
            }
        };
        if id.chapter() != chapter_number {
            self.diagnostics.push(file.at(
                &at("id"),
                format!("`{id}` is not in chapter {chapter_number}"),
            ));
        }
        if !chapter.sections.iter().any(|s| s.id == id.section()) {
            self.diagnostics.push(file.at(
                &at("id"),
                format!(
                    "section `{}` of `{id}` is not declared by a [[section]] table",
                    id.section()
                ),
            ));
        }
        let title = self.texts(
            file,
            &mut raw.title,
            &at("title"),
            &format_args!("{id} title"),
        );
        let question = self.texts(
            file,
            &mut raw.question,
            &at("question"),
            &format_args!("{id} question"),
        );
        let guidance = self.texts(
            file,
            &mut raw.guidance,
            &at("guidance"),
            &format_args!("{id} guidance"),
        );
        for (texts, what) in [(&question, "question"), (&guidance, "guidance")] {
            if !texts.en.is_empty() && texts.en == texts.fr {
                self.diagnostics.push(file.at(
                    &at(what),
                    format!("{id} {what}: the French text is a copy of the English"),
                ));
            }
        }
        let inheritable = raw.inheritable;
        match (inheritable, &raw.inheritable_reason) {
            (true, None) => self.diagnostics.push(file.at(
                &at("inheritable"),
                format!("{id} is inheritable: say why in `inheritable-reason`"),
            )),
            (false, Some(_)) => self.diagnostics.push(file.at(
                &at("inheritable"),
                format!("{id} has an `inheritable-reason` but is not inheritable"),
            )),
            _ => {}
        }
        let eligibility = raw.eligibility == Some(true);
        if eligibility {
            // An eligibility condition is structural (critical), decided on facts, and the vendor's own.
            let wrong = if raw.kind != crate::model::Kind::Requirement {
                Some("a recommendation")
            } else if raw.severity != crate::model::Severity::Critical {
                Some("not critical")
            } else if raw.check.is_empty() {
                Some("without fact checks")
            } else if inheritable {
                Some("inheritable")
            } else {
                None
            };
            if let Some(why) = wrong {
                self.diagnostics.push(file.at(
                    &at("eligibility"),
                    format!("{id} is an eligibility condition but {why}: eligibility needs a critical, non-inheritable requirement with fact checks"),
                ));
            }
        }
        if raw.evidence.kinds.is_empty() {
            self.diagnostics.push(file.at(
                &[Key("requirement"), Index(i), Key("evidence"), Key("kinds")],
                format!("{id}: evidence kinds must not be empty"),
            ));
        }
        if raw.evidence.max_age_months == Some(0) {
            self.diagnostics.push(file.at(
                &[
                    Key("requirement"),
                    Index(i),
                    Key("evidence"),
                    Key("max-age-months"),
                ],
                format!("{id}: max-age-months must be at least 1"),
            ));
        }
        for (list, key) in [(&raw.applies_to, "applies-to"), (&raw.built_on, "built-on")] {
            if list.as_ref().is_some_and(Vec::is_empty) {
                self.diagnostics.push(file.at(&at(key), format!("{id}: an empty service-type list would make the item apply to nothing; omit it instead")));
            }
        }
        let applies_if = raw.applies_if.as_mut().and_then(|c| {
            let at = |key| [Key("requirement"), Index(i), Key("applies-if"), Key(key)];
            self.expression(
                file,
                &id,
                &c.expr,
                &at("expr"),
                &c.facts,
                &at("facts"),
                fact_paths,
            )
            .map(|program| Condition {
                expr: std::mem::take(&mut c.expr),
                program,
                facts: std::mem::take(&mut c.facts),
            })
        });
        let checks: Vec<Check> = raw
            .check
            .iter_mut()
            .enumerate()
            .filter_map(|(j, c)| self.check(file, &id, i, j, c, fact_paths))
            .collect();
        let examples: Vec<Example> = raw
            .example
            .iter_mut()
            .enumerate()
            .filter_map(|(k, e)| self.example(file, &id, i, k, e))
            .collect();
        if self.with_examples {
            self.check_examples(file, &id, &at("id"), raw);
        }
        Some(Requirement {
            section: id.section().to_owned(),
            chapter: chapter_number.to_owned(),
            id,
            kind: raw.kind,
            severity: raw.severity,
            applies_to: raw.applies_to.take().unwrap_or_default(),
            built_on: raw.built_on.take().unwrap_or_default(),
            applies_if,
            inheritable,
            eligibility,
            effort: raw.effort,
            inheritable_reason: raw.inheritable_reason.take(),
            title,
            question,
            guidance,
            evidence_kinds: std::mem::take(&mut raw.evidence.kinds),
            max_age_months: raw.evidence.max_age_months,
            checks,
            examples,
        })
    }

    /// A requirement with checks has a passing and a failing example; one without checks has none.
    fn check_examples(
        &mut self,
        file: &File,
        id: &RequirementId,
        id_at: &[Step<&str>],
        raw: &RawRequirement,
    ) {
        if raw.check.is_empty() {
            if !raw.example.is_empty() {
                self.diagnostics
                    .push(file.at(id_at, format!("{id} has examples but no check")));
            }
            return;
        }
        for (expect, word) in [(super::Expect::Pass, "pass"), (super::Expect::Fail, "fail")] {
            if !raw.example.iter().any(|e| e.expect == expect) {
                self.diagnostics
                    .push(file.at(id_at, format!("{id} has checks but no `{word}` example")));
            }
        }
    }

    /// Compiles an expression and checks that the facts it reads are declared and listed.
    #[expect(
        clippy::too_many_arguments,
        reason = "an expression and its fact list, each with its place"
    )]
    fn expression(
        &mut self,
        file: &File,
        id: &RequirementId,
        expr: &str,
        expr_at: &[Step<&str>],
        listed: &[String],
        listed_at: &[Step<&str>],
        fact_paths: &HashSet<&str>,
    ) -> Option<cel::Program> {
        let program = match cel::compile_with(expr, &self.constants) {
            Ok(p) => p,
            Err(e) => {
                self.diagnostics.push(file.at(
                    expr_at,
                    format!("{id}: the CEL expression does not compile: {e}"),
                ));
                return None;
            }
        };
        for path in listed {
            if !fact_paths.contains(path.as_str()) {
                self.diagnostics.push(file.at(
                    listed_at,
                    format!("{id}: `{path}` is not a declared fact (see facts.toml)"),
                ));
            }
        }
        let mut read = HashSet::new();
        for chain in cel::fact_reads(program.expression()) {
            let segments: Vec<&str> = chain.split('.').collect();
            let declared = (1..=segments.len())
                .rev()
                .map(|n| segments[..n].join("."))
                .find(|p| fact_paths.contains(p.as_str()));
            match declared {
                Some(path) => {
                    if !listed.contains(&path) {
                        self.diagnostics.push(file.at(
                            expr_at,
                            format!(
                                "{id}: the check reads `{path}` but does not list it in `facts`"
                            ),
                        ));
                    }
                    read.insert(path);
                }
                None => self.diagnostics.push(file.at(
                    expr_at,
                    format!("{id}: `facts.{chain}` is not a declared fact"),
                )),
            }
        }
        for path in listed {
            if fact_paths.contains(path.as_str()) && !read.contains(path) {
                self.diagnostics.push(file.at(
                    listed_at,
                    format!(
                        "{id}: `{path}` is listed in `facts` but the expression does not read it"
                    ),
                ));
            }
        }
        Some(program)
    }

    /// The `j`th check of the `i`th requirement of its file.
    fn check(
        &mut self,
        file: &File,
        id: &RequirementId,
        i: usize,
        j: usize,
        raw: &mut RawCheck,
        fact_paths: &HashSet<&str>,
    ) -> Option<Check> {
        let at = |key| {
            [
                Key("requirement"),
                Index(i),
                Key("check"),
                Index(j),
                Key(key),
            ]
        };
        let message = self.texts(
            file,
            &mut raw.message,
            &at("message"),
            &format_args!("{id} check message"),
        );
        let program = self.expression(
            file,
            id,
            &raw.expr,
            &at("expr"),
            &raw.facts,
            &at("facts"),
            fact_paths,
        )?;
        let detail = raw
            .detail
            .as_mut()
            .and_then(|d| self.detail(file, id, d, &at("detail"), &raw.facts, fact_paths));
        Some(Check {
            expr: std::mem::take(&mut raw.expr),
            program,
            facts: std::mem::take(&mut raw.facts),
            message,
            detail,
        })
    }

    /// A check's detail: its expression compiles and reads only the check's facts, and its message has the same
    /// placeholders in every language, each a field name.
    fn detail(
        &mut self,
        file: &File,
        id: &RequirementId,
        raw: &mut RawDetail,
        place: &[Step<&str>],
        listed: &[String],
        fact_paths: &HashSet<&str>,
    ) -> Option<Detail> {
        let message = self.texts(
            file,
            &mut raw.message,
            place,
            &format_args!("{id} check detail message"),
        );
        let (en, fr) = (
            crate::model::i18n::placeholders(&message.en),
            crate::model::i18n::placeholders(&message.fr),
        );
        if en != fr {
            self.diagnostics.push(file.at(
                place,
                format!("{id}: the detail message has different placeholders in en and fr"),
            ));
        }
        for name in &en {
            if !FACT_SEGMENT.is_match(name) {
                self.diagnostics.push(file.at(
                    place,
                    format!("{id}: detail placeholder `{{{name}}}` is not a snake_case field name"),
                ));
            }
        }
        let program = match cel::compile(&raw.expr) {
            Ok(p) => p,
            Err(e) => {
                self.diagnostics.push(file.at(
                    place,
                    format!("{id}: the detail expression does not compile: {e}"),
                ));
                return None;
            }
        };
        for chain in cel::fact_reads(program.expression()) {
            let segments: Vec<&str> = chain.split('.').collect();
            let read = (1..=segments.len())
                .rev()
                .map(|n| segments[..n].join("."))
                .find(|p| fact_paths.contains(p.as_str()));
            if !read.is_some_and(|p| listed.contains(&p)) {
                self.diagnostics.push(file.at(
                    place,
                    format!("{id}: the detail reads `facts.{chain}`, which the check does not list in `facts`"),
                ));
            }
        }
        Some(Detail {
            expr: std::mem::take(&mut raw.expr),
            program,
            message,
        })
    }

    /// The `k`th example of the `i`th requirement of its file.
    fn example(
        &mut self,
        file: &File,
        id: &RequirementId,
        i: usize,
        k: usize,
        raw: &mut RawExample,
    ) -> Option<Example> {
        let at = |key| {
            [
                Key("requirement"),
                Index(i),
                Key("example"),
                Index(k),
                Key(key),
            ]
        };
        let location = file.at(&at("name"), String::new());
        let facts = Json::Object(std::mem::take(&mut raw.facts));
        let service = raw
            .service
            .take()
            .map_or_else(|| json!({"types": ["SaaS"], "built_on": []}), Json::Object);
        let as_of_text = raw.as_of.as_deref().unwrap_or(EXAMPLE_AS_OF);
        let Ok(as_of) = NaiveDate::parse_from_str(as_of_text, "%Y-%m-%d") else {
            self.diagnostics.push(file.at(
                &at("as-of"),
                format!("{id}: example `as-of` must be a date YYYY-MM-DD"),
            ));
            return None;
        };
        Some(Example {
            name: std::mem::take(&mut raw.name),
            expect: raw.expect,
            facts,
            service,
            as_of,
            location,
        })
    }
}

/// A TOML error located in its file.
fn toml_diagnostic(file: &File, e: &toml::de::Error) -> Diagnostic {
    let message = e.message().trim().to_owned();
    match e.span() {
        Some(span) => file.at_offset(span.start, message),
        None => Diagnostic::file(&file.name, message),
    }
}

/// A pack file deserialized from its pre-parsed content when it has one, else from its TOML text. Content that
/// does not fit the raw types (the build script checks only that a file is TOML) is read from the text too,
/// where the error has its line and column.
fn deserialize<T: serde::de::DeserializeOwned>(
    text: &str,
    content: &[u8],
) -> Result<T, toml::de::Error> {
    if !content.is_empty()
        && let Ok(value) = rmp_serde::from_slice(content)
    {
        return Ok(value);
    }
    toml::from_str(text)
}

/// A chapter file (or `facts.toml`) as [`deserialize`] reads it. The embedded pack keeps examples apart: they
/// are decoded only `with_examples` (if they do not fit, the text is read instead); read from TOML, they are
/// dropped without it.
fn deserialize_chapter(file: &File, with_examples: bool) -> Result<RawChapter, toml::de::Error> {
    let mut chapter: RawChapter = deserialize(&file.text, file.content)?;
    if !with_examples {
        for requirement in &mut chapter.requirement {
            requirement.example.clear();
        }
        return Ok(chapter);
    }
    if file.content.is_empty() {
        return Ok(chapter);
    }
    match rmp_serde::from_slice::<Vec<Vec<RawExample>>>(file.examples) {
        Ok(examples) if examples.len() == chapter.requirement.len() => {
            for (requirement, examples) in chapter.requirement.iter_mut().zip(examples) {
                requirement.example = examples;
            }
            Ok(chapter)
        }
        _ => toml::from_str(&file.text),
    }
}

/// Adds one file to a pack digest: its name, a zero byte, its length (8 bytes, little-endian) and its text.
fn hash_file(hasher: &mut Sha256, name: &str, text: &str) {
    hasher.update(name.as_bytes());
    hasher.update([0]);
    hasher.update((text.len() as u64).to_le_bytes());
    hasher.update(text.as_bytes());
}

/// Orders ids as the document does: by section (a section's own items before its sub-sections'), then letter.
fn sort_key(id: &RequirementId) -> (Vec<u32>, String) {
    let section = id
        .section()
        .split('.')
        .map(|p| p.parse::<u32>().unwrap_or(0))
        .collect();
    let letter = id
        .as_str()
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_owned();
    (section, letter)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Without this, the embedded pack could silently be parsed from TOML at every run.
    #[test]
    fn every_embedded_pack_file_has_content_that_fits_the_raw_types() {
        assert!(
            EMBEDDED.len() >= 16,
            "the pack and its chapters are embedded"
        );
        for file in EMBEDDED {
            assert!(!file.content.is_empty(), "{} has no content", file.name);
            if file.name == "pack.toml" {
                let decoded = rmp_serde::from_slice::<RawPack>(file.content);
                assert!(decoded.is_ok(), "{}: {:?}", file.name, decoded.err());
                continue;
            }
            let chapter = rmp_serde::from_slice::<RawChapter>(file.content);
            let examples = rmp_serde::from_slice::<Vec<Vec<RawExample>>>(file.examples);
            match (chapter, examples) {
                (Ok(chapter), Ok(examples)) => {
                    assert_eq!(
                        chapter.requirement.len(),
                        examples.len(),
                        "{}: examples stored for other requirements",
                        file.name
                    );
                    assert!(
                        chapter.requirement.iter().all(|r| r.example.is_empty()),
                        "{}: examples left in the content",
                        file.name
                    );
                }
                (chapter, examples) => {
                    panic!("{}: {:?} {:?}", file.name, chapter.err(), examples.err())
                }
            }
        }
    }

    /// A place names the value written there, or else the nearest table or array on the way to it.
    #[test]
    fn places_find_values_tables_and_array_entries() {
        let text = "id = \"x\"\n\n[[requirement]]\nid = \"5.1.a\"\ntitle.en = \"A\"\n\n[[requirement]]\nid = \"5.1.b\"\n\n[[requirement.check]]\nexpr = \"true\"\n";
        let file = File::new("f.toml".to_owned(), text.to_owned());
        let line = |place: &[Step<&str>]| file.at(place, "").position.map(|(line, _)| line);
        assert_eq!(line(&[Key("id")]), Some(1));
        assert_eq!(line(&[Key("requirement"), Index(0), Key("id")]), Some(4));
        assert_eq!(line(&[Key("requirement"), Index(0), Key("title")]), Some(5));
        assert_eq!(line(&[Key("requirement"), Index(1), Key("id")]), Some(8));
        let expr = [
            Key("requirement"),
            Index(1),
            Key("check"),
            Index(0),
            Key("expr"),
        ];
        assert_eq!(line(&expr), Some(11));
        // Not written: the requirement's own table.
        assert_eq!(
            line(&[Key("requirement"), Index(1), Key("title")]),
            line(&[Key("requirement"), Index(1)])
        );
    }
}
