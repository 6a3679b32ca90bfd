//! Reading pack files and validating them into a [`Pack`], collecting every problem in one pass.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;
use serde_json::{Value as Json, json};
use sha2::{Digest, Sha256};

use super::digest::hash_file;
use super::facts::{FactDecl, FactType, FieldDecl, Scalar};
use super::raw::{
    RawChapter, RawCheck, RawCondition, RawExample, RawFact, RawPack, RawRequirement, RawTexts,
};
use super::span::Spanned;
use super::{
    Chapter, Check, Condition, Example, Pack, PackSource, Requirement, Section, SourceInfo, Weights,
};
use crate::model::error::Diagnostic;
use crate::model::{Lang, RequirementId, Texts};
use crate::pack::cel;

/// A file of the embedded pack: its text, and its raw form pre-parsed by `build.rs` (`MessagePack`; empty when the
/// text did not parse at build time), its requirements' examples apart (a list per requirement, in order).
struct EmbeddedFile {
    name: &'static str,
    text: &'static str,
    raw: &'static [u8],
    examples: &'static [u8],
}

/// Every file of the embedded pack, by name, written by `build.rs`.
static EMBEDDED: &[EmbeddedFile] = include!(concat!(env!("OUT_DIR"), "/embedded_pack.rs"));

/// The digest of the embedded pack computed by `build.rs`, and the files it covers in the order it read them.
struct EmbeddedDigest {
    order: &'static [&'static str],
    digest: &'static str,
}

static EMBEDDED_DIGEST: EmbeddedDigest = include!(concat!(env!("OUT_DIR"), "/embedded_digest.rs"));

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

/// One file being validated: its name and text, to turn spans into positions.
struct File {
    name: String,
    text: std::borrow::Cow<'static, str>,
    /// The pre-parsed raw form of an embedded file (see `build.rs`); empty for any other.
    raw: &'static [u8],
    /// The pre-parsed examples of an embedded chapter file; empty for any other.
    examples: &'static [u8],
    lines: std::cell::OnceCell<crate::model::error::LineIndex>,
}

struct Loader<'s> {
    source: &'s PackSource,
    diagnostics: Vec<Diagnostic>,
    hasher: Sha256,
    /// The embedded files read, in order: their digest is known from the build when the order is the build's.
    embedded_read: Vec<&'static EmbeddedFile>,
    /// Whether the digest came from the build (to test that it does for the embedded pack).
    digest_from_build: bool,
    /// Whether requirement examples are read and validated (for the linter); other loads skip them.
    with_examples: bool,
}

impl File {
    fn new(name: String, text: impl Into<std::borrow::Cow<'static, str>>) -> Self {
        Self {
            name,
            text: text.into(),
            raw: &[],
            examples: &[],
            lines: std::cell::OnceCell::new(),
        }
    }

    fn at(
        &self,
        span: std::ops::Range<usize>,
        message: impl Into<crate::model::i18n::Message>,
    ) -> Diagnostic {
        self.lines
            .get_or_init(|| crate::model::error::LineIndex::new(&self.text))
            .diagnostic(&self.text, &self.name, span.start, message)
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
            embedded_read: Vec::new(),
            digest_from_build: false,
            with_examples,
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
                        raw: file.raw,
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
            match embedded(name).filter(|_| matches!(self.source, PackSource::Embedded)) {
                Some(embedded) => self.embedded_read.push(embedded),
                None => hash_file(&mut self.hasher, name, &file.text),
            }
        }
        result
    }

    /// The pack digest: of every file read, in the order read.
    fn digest(&mut self) -> String {
        let read = std::mem::take(&mut self.embedded_read);
        if !read.is_empty()
            && read
                .iter()
                .map(|f| f.name)
                .eq(EMBEDDED_DIGEST.order.iter().copied())
        {
            self.digest_from_build = true;
            return EMBEDDED_DIGEST.digest.to_owned();
        }
        for file in read {
            hash_file(&mut self.hasher, file.name, file.text);
        }
        format!("sha256:{:x}", std::mem::take(&mut self.hasher).finalize())
    }

    fn read(&mut self, name: &str) -> Option<File> {
        self.fetch(name).map_err(|d| self.diagnostics.push(d)).ok()
    }

    fn parse<T: serde::de::DeserializeOwned>(&mut self, file: &File) -> Option<T> {
        match deserialize::<T>(&file.text, file.raw) {
            Ok(value) => Some(value),
            Err(e) => {
                self.diagnostics.push(toml_diagnostic(file, &e));
                None
            }
        }
    }

    /// A bilingual text, moved out of its raw form; `what` names it in diagnostics (formatted only when there is
    /// one to report).
    fn texts(
        &mut self,
        file: &File,
        raw: &mut Spanned<RawTexts>,
        what: &dyn std::fmt::Display,
    ) -> Texts {
        let span = raw.span();
        let texts = raw.get_mut();
        for key in &texts.unknown {
            self.diagnostics.push(file.at(
                span.clone(),
                format!("{what}: unknown language `{key}`: expected `en` and `fr`"),
            ));
        }
        let mut get = |lang: &str, text: &mut Option<String>| match text {
            Some(text) if !text.trim().is_empty() => std::mem::take(text),
            Some(_) => {
                self.diagnostics
                    .push(file.at(span.clone(), format!("{what}.{lang} is empty")));
                String::new()
            }
            None => {
                self.diagnostics.push(file.at(
                    span.clone(),
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

        if !PACK_ID.is_match(raw.id.get_ref()) {
            self.diagnostics.push(pack_file.at(
                raw.id.span(),
                format!(
                    "pack id `{}` must match [a-z0-9][a-z0-9.-]*",
                    raw.id.get_ref()
                ),
            ));
        }
        let languages = raw.languages.get_ref();
        for lang in languages {
            if lang.parse::<Lang>().is_err() {
                self.diagnostics.push(pack_file.at(
                    raw.languages.span(),
                    format!(
                        "snc has no message catalog for language `{lang}`: expected `en`, `fr`"
                    ),
                ));
            }
        }
        for needed in ["en", "fr"] {
            if !languages.iter().any(|l| l == needed) {
                self.diagnostics.push(pack_file.at(
                    raw.languages.span(),
                    format!("`languages` must include `{needed}`"),
                ));
            }
        }
        let name = self.texts(&pack_file, &mut raw.name, &"name");
        for w in [
            &raw.severity_weights.critical,
            &raw.severity_weights.high,
            &raw.severity_weights.medium,
            &raw.severity_weights.low,
        ] {
            if *w.get_ref() == 0 {
                self.diagnostics
                    .push(pack_file.at(w.span(), "severity weights must be positive"));
            }
        }
        let weights = Weights {
            critical: *raw.severity_weights.critical.get_ref(),
            high: *raw.severity_weights.high.get_ref(),
            medium: *raw.severity_weights.medium.get_ref(),
            low: *raw.severity_weights.low.get_ref(),
        };
        let min_score = &raw.readiness.audit_ready_min_score;
        if *min_score.get_ref() > 100 {
            self.diagnostics.push(pack_file.at(
                min_score.span(),
                "audit-ready-min-score is a score from 0 to 100",
            ));
        }
        if NaiveDate::parse_from_str(raw.source.date.get_ref(), "%Y-%m-%d").is_err() {
            self.diagnostics.push(pack_file.at(
                raw.source.date.span(),
                "source date must be a date YYYY-MM-DD",
            ));
        }
        let mut constants = BTreeMap::new();
        for (key, value) in std::mem::take(&mut raw.constants) {
            if !CONSTANT.is_match(&key) || cel::VARIABLES.contains(&key.as_str()) {
                self.diagnostics.push(pack_file.at(
                    value.span(),
                    format!("constant `{key}` must be UPPER_SNAKE_CASE"),
                ));
            }
            constants.insert(key, value.into_inner());
        }

        // Every file is read in pack order (the digest follows it), then parsed; diagnostics keep the order of a
        // file-by-file load.
        let facts_file = self.fetch("facts.toml");
        let mut slots = Vec::new();
        let mut seen_numbers = HashSet::new();
        for chapter_ref in &mut raw.chapter {
            let before = self.diagnostics.len();
            let number = chapter_ref.number.get_ref().clone();
            if !seen_numbers.insert(number.clone()) || number.parse::<u8>().is_err() {
                self.diagnostics.push(pack_file.at(
                    chapter_ref.number.span(),
                    format!("chapter `{number}` is a duplicate or not a number"),
                ));
            }
            let title = self.texts(&pack_file, &mut chapter_ref.title, &"chapter title");
            let file_name = chapter_ref.file.get_ref();
            let fetched = if CHAPTER_FILE.is_match(file_name) {
                Some(self.fetch(file_name))
            } else {
                self.diagnostics.push(pack_file.at(chapter_ref.file.span(), format!("chapter file `{file_name}` must be a plain `*.toml` name in the pack folder")));
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
            id: raw.id.into_inner(),
            version: raw.version,
            pack_version: raw.pack_version,
            name,
            source: SourceInfo {
                title: raw.source.title,
                publisher: raw.source.publisher,
                date: raw.source.date.into_inner(),
                url: raw.source.url,
            },
            weights,
            audit_ready_min_score: *min_score.get_ref(),
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
        for fact in raw {
            let path = fact.path.get_ref();
            if path.split('.').any(|s| !FACT_SEGMENT.is_match(s)) {
                self.diagnostics.push(file.at(
                    fact.path.span(),
                    format!("fact path `{path}` must be dotted snake_case segments"),
                ));
            }
            if out.iter().any(|f| &f.path == path) {
                self.diagnostics
                    .push(file.at(fact.path.span(), format!("fact `{path}` is declared twice")));
                continue;
            }
            let description = self.texts(
                file,
                &mut fact.description,
                &format_args!("fact `{path}` description"),
            );
            let ty_name = fact.ty.get_ref().as_str();
            let ty = if ty_name == "object[]" {
                if fact.values.is_some() {
                    self.diagnostics.push(file.at(
                        fact.ty.span(),
                        "`values` belongs on an enum field, not on `object[]`",
                    ));
                }
                if fact.field.is_empty() {
                    self.diagnostics.push(file.at(
                        fact.ty.span(),
                        format!("fact `{path}` of type object[] needs [[fact.field]] tables"),
                    ));
                }
                let mut fields: Vec<FieldDecl> = Vec::new();
                for field in &mut fact.field {
                    let name = field.name.get_ref();
                    if !FACT_SEGMENT.is_match(name) || fields.iter().any(|f| &f.name == name) {
                        self.diagnostics.push(file.at(
                            field.name.span(),
                            format!("field `{name}` is a duplicate or not snake_case"),
                        ));
                    }
                    let description = self.texts(
                        file,
                        &mut field.description,
                        &format_args!("field `{name}` description"),
                    );
                    let ty_name = field.ty.get_ref().as_str();
                    let (base, list) = ty_name
                        .strip_suffix("[]")
                        .map_or((ty_name, false), |b| (b, true));
                    match Scalar::parse(base, field.values.as_deref()) {
                        Ok(ty) => fields.push(FieldDecl {
                            name: name.clone(),
                            ty,
                            list,
                            description,
                        }),
                        Err(e) => self.diagnostics.push(file.at(field.ty.span(), e)),
                    }
                }
                FactType::Objects(fields)
            } else {
                if !fact.field.is_empty() {
                    self.diagnostics.push(file.at(
                        fact.ty.span(),
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
                        self.diagnostics.push(file.at(fact.ty.span(), e));
                        continue;
                    }
                }
            };
            let example = fact.example.take().map(Spanned::into_inner);
            out.push(FactDecl {
                path: path.clone(),
                ty,
                description,
                example,
            });
        }
    }

    fn groups(
        &mut self,
        file: &File,
        raw: &mut BTreeMap<String, Spanned<RawTexts>>,
        out: &mut BTreeMap<String, Texts>,
    ) {
        for (path, texts) in raw {
            let texts = self.texts(file, texts, &format_args!("group `{path}`"));
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
            Some(declared) if declared.get_ref() == number => {}
            Some(declared) => self.diagnostics.push(file.at(
                declared.span(),
                format!(
                    "this file declares chapter `{}` but pack.toml lists it as chapter `{number}`",
                    declared.get_ref()
                ),
            )),
            None => self.diagnostics.push(Diagnostic::file(
                &file.name,
                format!("missing `chapter = \"{number}\"` at the top"),
            )),
        }
        for section in &mut raw.section {
            let id = section.id.get_ref();
            let ok = id.split('.').next() == Some(number)
                && id.split('.').all(|p| p.parse::<u8>().is_ok());
            if !ok || chapter.sections.iter().any(|s| &s.id == id) {
                self.diagnostics.push(file.at(
                    section.id.span(),
                    format!("section `{id}` is a duplicate or not a section of chapter {number}"),
                ));
            }
            let title = self.texts(
                file,
                &mut section.title,
                &format_args!("section {id} title"),
            );
            chapter.sections.push(Section {
                id: id.clone(),
                title,
            });
        }
        let mut previous: Option<RequirementId> = None;
        for raw_req in &mut raw.requirement {
            let Some(requirement) = self.requirement(file, number, raw_req, chapter, fact_paths)
            else {
                continue;
            };
            if let Some(prev) = &previous
                && sort_key(prev) >= sort_key(&requirement.id)
            {
                self.diagnostics.push(file.at(
                    raw_req.id.span(),
                    format!(
                        "`{}` comes after `{prev}`: keep requirements in document order",
                        requirement.id
                    ),
                ));
            }
            previous = Some(requirement.id.clone());
            if index.contains_key(&requirement.id) {
                self.diagnostics.push(file.at(
                    raw_req.id.span(),
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
        raw: &mut RawRequirement,
        chapter: &Chapter,
        fact_paths: &HashSet<&str>,
    ) -> Option<Requirement> {
        let id: RequirementId = match raw.id.get_ref().parse() {
            Ok(id) => id,
            Err(e) => {
                self.diagnostics.push(file.at(raw.id.span(), e.to_string()));
                return None;
            }
        };
        if id.chapter() != chapter_number {
            self.diagnostics.push(file.at(
                raw.id.span(),
                format!("`{id}` is not in chapter {chapter_number}"),
            ));
        }
        if !chapter.sections.iter().any(|s| s.id == id.section()) {
            self.diagnostics.push(file.at(
                raw.id.span(),
                format!(
                    "section `{}` of `{id}` is not declared by a [[section]] table",
                    id.section()
                ),
            ));
        }
        let title = self.texts(file, &mut raw.title, &format_args!("{id} title"));
        let question = self.texts(file, &mut raw.question, &format_args!("{id} question"));
        let guidance = self.texts(file, &mut raw.guidance, &format_args!("{id} guidance"));
        for (texts, span, what) in [
            (&question, raw.question.span(), "question"),
            (&guidance, raw.guidance.span(), "guidance"),
        ] {
            if !texts.en.is_empty() && texts.en == texts.fr {
                self.diagnostics.push(file.at(
                    span,
                    format!("{id} {what}: the French text is a copy of the English"),
                ));
            }
        }
        let inheritable = *raw.inheritable.get_ref();
        match (inheritable, &raw.inheritable_reason) {
            (true, None) => self.diagnostics.push(file.at(
                raw.inheritable.span(),
                format!("{id} is inheritable: say why in `inheritable-reason`"),
            )),
            (false, Some(_)) => self.diagnostics.push(file.at(
                raw.inheritable.span(),
                format!("{id} has an `inheritable-reason` but is not inheritable"),
            )),
            _ => {}
        }
        let eligibility = raw.eligibility.as_ref().is_some_and(|e| *e.get_ref());
        if let Some(flag) = raw.eligibility.as_ref().filter(|e| *e.get_ref()) {
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
                    flag.span(),
                    format!("{id} is an eligibility condition but {why}: eligibility needs a critical, non-inheritable requirement with fact checks"),
                ));
            }
        }
        if raw.evidence.kinds.get_ref().is_empty() {
            self.diagnostics.push(file.at(
                raw.evidence.kinds.span(),
                format!("{id}: evidence kinds must not be empty"),
            ));
        }
        if let Some(age) = &raw.evidence.max_age_months
            && *age.get_ref() == 0
        {
            self.diagnostics.push(file.at(
                age.span(),
                format!("{id}: max-age-months must be at least 1"),
            ));
        }
        for list in [&raw.applies_to, &raw.built_on].into_iter().flatten() {
            if list.get_ref().is_empty() {
                self.diagnostics.push(file.at(list.span(), format!("{id}: an empty service-type list would make the item apply to nothing; omit it instead")));
            }
        }
        let applies_if = raw
            .applies_if
            .as_mut()
            .and_then(|c| self.condition(file, &id, c, fact_paths));
        let checks: Vec<Check> = raw
            .check
            .iter_mut()
            .filter_map(|c| self.check(file, &id, c, fact_paths))
            .collect();
        let examples: Vec<Example> = raw
            .example
            .iter_mut()
            .filter_map(|e| self.example(file, &id, e))
            .collect();
        if self.with_examples {
            self.check_examples(file, &id, raw);
        }
        Some(Requirement {
            section: id.section().to_owned(),
            chapter: chapter_number.to_owned(),
            id,
            kind: raw.kind,
            severity: raw.severity,
            applies_to: raw
                .applies_to
                .take()
                .map(Spanned::into_inner)
                .unwrap_or_default(),
            built_on: raw
                .built_on
                .take()
                .map(Spanned::into_inner)
                .unwrap_or_default(),
            applies_if,
            inheritable,
            inheritable_reason: raw.inheritable_reason.take(),
            eligibility,
            title,
            question,
            guidance,
            evidence_kinds: std::mem::take(raw.evidence.kinds.get_mut()),
            max_age_months: raw.evidence.max_age_months.as_ref().map(|a| *a.get_ref()),
            checks,
            examples,
        })
    }

    /// A requirement with checks has a passing and a failing example; one without checks has none.
    fn check_examples(&mut self, file: &File, id: &RequirementId, raw: &RawRequirement) {
        if raw.check.is_empty() {
            if !raw.example.is_empty() {
                self.diagnostics
                    .push(file.at(raw.id.span(), format!("{id} has examples but no check")));
            }
            return;
        }
        for (expect, word) in [(super::Expect::Pass, "pass"), (super::Expect::Fail, "fail")] {
            if !raw.example.iter().any(|e| e.expect == expect) {
                self.diagnostics.push(file.at(
                    raw.id.span(),
                    format!("{id} has checks but no `{word}` example"),
                ));
            }
        }
    }

    /// Compiles an expression and checks that the facts it reads are declared and listed.
    fn expression(
        &mut self,
        file: &File,
        id: &RequirementId,
        expr: &Spanned<String>,
        listed: &Spanned<Vec<String>>,
        fact_paths: &HashSet<&str>,
    ) -> Option<cel::Program> {
        let text = expr.get_ref();
        let program = match cel::compile(text) {
            Ok(p) => p,
            Err(e) => {
                self.diagnostics.push(file.at(
                    expr.span(),
                    format!("{id}: the CEL expression does not compile: {e}"),
                ));
                return None;
            }
        };
        for path in listed.get_ref() {
            if !fact_paths.contains(path.as_str()) {
                self.diagnostics.push(file.at(
                    listed.span(),
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
                    if !listed.get_ref().contains(&path) {
                        self.diagnostics.push(file.at(
                            expr.span(),
                            format!(
                                "{id}: the check reads `{path}` but does not list it in `facts`"
                            ),
                        ));
                    }
                    read.insert(path);
                }
                None => self.diagnostics.push(file.at(
                    expr.span(),
                    format!("{id}: `facts.{chain}` is not a declared fact"),
                )),
            }
        }
        for path in listed.get_ref() {
            if fact_paths.contains(path.as_str()) && !read.contains(path) {
                self.diagnostics.push(file.at(
                    listed.span(),
                    format!(
                        "{id}: `{path}` is listed in `facts` but the expression does not read it"
                    ),
                ));
            }
        }
        Some(program)
    }

    fn condition(
        &mut self,
        file: &File,
        id: &RequirementId,
        raw: &mut RawCondition,
        fact_paths: &HashSet<&str>,
    ) -> Option<Condition> {
        let program = self.expression(file, id, &raw.expr, &raw.facts, fact_paths)?;
        Some(Condition {
            expr: std::mem::take(raw.expr.get_mut()),
            program,
            facts: std::mem::take(raw.facts.get_mut()),
        })
    }

    fn check(
        &mut self,
        file: &File,
        id: &RequirementId,
        raw: &mut RawCheck,
        fact_paths: &HashSet<&str>,
    ) -> Option<Check> {
        let message = self.texts(file, &mut raw.message, &format_args!("{id} check message"));
        let program = self.expression(file, id, &raw.expr, &raw.facts, fact_paths)?;
        Some(Check {
            expr: std::mem::take(raw.expr.get_mut()),
            program,
            facts: std::mem::take(raw.facts.get_mut()),
            message,
        })
    }

    fn example(
        &mut self,
        file: &File,
        id: &RequirementId,
        raw: &mut RawExample,
    ) -> Option<Example> {
        let location = file.at(raw.name.span(), String::new());
        let facts = Json::Object(std::mem::take(&mut raw.facts));
        let service = raw
            .service
            .take()
            .map_or_else(|| json!({"types": ["SaaS"], "built_on": []}), Json::Object);
        let as_of_text = raw
            .as_of
            .as_ref()
            .map_or_else(|| EXAMPLE_AS_OF.to_owned(), |d| d.get_ref().clone());
        let Ok(as_of) = NaiveDate::parse_from_str(&as_of_text, "%Y-%m-%d") else {
            let span = raw.as_of.as_ref().map_or(raw.name.span(), Spanned::span);
            self.diagnostics.push(file.at(
                span,
                format!("{id}: example `as-of` must be a date YYYY-MM-DD"),
            ));
            return None;
        };
        Some(Example {
            name: std::mem::take(raw.name.get_mut()),
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
        Some(span) => file.at(span, message),
        None => Diagnostic::file(&file.name, message),
    }
}

/// A pack file deserialized from its pre-parsed raw form when it has one, else from its TOML text (a raw form
/// that does not decode, which only a stale build could give, falls back to the text too).
fn deserialize<T: serde::de::DeserializeOwned>(
    text: &str,
    raw: &[u8],
) -> Result<T, toml::de::Error> {
    if !raw.is_empty()
        && let Ok(value) = rmp_serde::from_slice(raw)
    {
        return Ok(value);
    }
    toml::from_str(text)
}

/// A chapter file (or `facts.toml`) as [`deserialize`] reads it. The embedded pack keeps examples apart: they
/// are decoded only `with_examples` (if they do not match the chapter, which only a stale build could give, the
/// text is parsed instead); read from TOML, they are dropped without it.
fn deserialize_chapter(file: &File, with_examples: bool) -> Result<RawChapter, toml::de::Error> {
    let mut chapter: RawChapter = deserialize(&file.text, file.raw)?;
    if !with_examples {
        for requirement in &mut chapter.requirement {
            requirement.example.clear();
        }
        return Ok(chapter);
    }
    if file.raw.is_empty() {
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

    /// The embedded pack's digest is the one `build.rs` computed, and that is the digest of its files.
    #[test]
    fn the_embedded_pack_digest_comes_from_the_build_and_matches_its_files() {
        let mut loader = Loader::new(&PackSource::Embedded, false);
        let pack = loader.load().expect("the embedded pack loads");
        assert!(
            loader.digest_from_build,
            "the build-time digest was not used"
        );
        let mut sha = Sha256::new();
        for name in EMBEDDED_DIGEST.order {
            hash_file(&mut sha, name, embedded(name).expect("embedded").text);
        }
        let hashed = format!("sha256:{:x}", sha.finalize());
        assert_eq!(pack.digest, hashed);
        assert_eq!(EMBEDDED_DIGEST.digest, hashed);
    }

    /// Without this, the embedded pack could silently be parsed from TOML at every run.
    #[test]
    fn every_embedded_pack_file_has_a_raw_form_that_decodes() {
        assert!(
            EMBEDDED.len() >= 16,
            "the pack and its chapters are embedded"
        );
        for file in EMBEDDED {
            assert!(!file.raw.is_empty(), "{} has no raw form", file.name);
            if file.name == "pack.toml" {
                let decoded = rmp_serde::from_slice::<RawPack>(file.raw);
                assert!(decoded.is_ok(), "{}: {:?}", file.name, decoded.err());
                continue;
            }
            let chapter = rmp_serde::from_slice::<RawChapter>(file.raw);
            let examples = rmp_serde::from_slice::<Vec<Vec<RawExample>>>(file.examples);
            match (chapter, examples) {
                (Ok(chapter), Ok(examples)) => assert_eq!(
                    chapter.requirement.len(),
                    examples.len(),
                    "{}: examples stored for other requirements",
                    file.name
                ),
                (chapter, examples) => {
                    panic!("{}: {:?} {:?}", file.name, chapter.err(), examples.err())
                }
            }
        }
    }
}
