//! Rule packs: loading, validation and the compiled form the engine uses.

pub mod cel;
pub mod cost;
pub mod docs;
mod facts;
pub mod lint;
mod load;
mod raw;
pub mod schema;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value as Json;

use crate::model::Texts;
use crate::model::error::Diagnostic;
use crate::model::i18n::Message;
use crate::model::{EvidenceKind, Kind, RequirementId, ServiceType, Severity};
use crate::msg;
use crate::pack::cel::{Bindings, Outcome};

pub use facts::{
    COUNTRIES, FactDecl, FactType, FieldDecl, LANGUAGES, Scalar, defs, fact_at_pointer,
    facts_schema, skeleton,
};
pub use raw::{Effort, Expect};

/// The id of the pack embedded in the binary.
pub const EMBEDDED_PACK: &str = "secnumcloud-3.2";

/// Where a pack is read from.
#[derive(Clone, Debug)]
pub enum PackSource {
    /// The pack compiled into the binary.
    Embedded,
    /// A folder holding `pack.toml`.
    Dir(PathBuf),
    /// Files held in memory, by file name (`pack.toml`, `facts.toml`, chapter files): a pack built by a program,
    /// such as a test or a fuzzer, without touching the file system.
    Memory(BTreeMap<String, Vec<u8>>),
}

impl PackSource {
    /// The files of the embedded pack, by file name: a starting point for [`PackSource::Memory`].
    #[must_use]
    pub fn embedded_files() -> BTreeMap<String, Vec<u8>> {
        load::embedded_files()
    }
}

/// A validated rule pack with every check compiled.
pub struct Pack {
    pub id: String,
    pub version: String,
    pub pack_version: String,
    pub name: Texts,
    pub source: SourceInfo,
    pub weights: Weights,
    /// Minimum overall score, 0–100, for `audit_ready`.
    pub audit_ready_min_score: u32,
    pub constants: BTreeMap<String, Json>,
    pub chapters: Vec<Chapter>,
    pub requirements: Vec<Requirement>,
    pub facts: Vec<FactDecl>,
    /// Descriptions of fact groups, by dotted path.
    pub fact_groups: BTreeMap<String, Texts>,
    /// `sha256:` of every pack file, in load order.
    pub digest: String,
    index: HashMap<RequirementId, usize>,
    /// The assessment schema compiled on first use, then shared by every assessment checked against the pack.
    assessment_validator: OnceLock<Result<jsonschema::Validator, String>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SourceInfo {
    pub title: String,
    pub publisher: String,
    pub date: String,
    pub url: String,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct Weights {
    pub critical: u32,
    pub high: u32,
    pub medium: u32,
    pub low: u32,
}

impl Weights {
    #[must_use]
    pub fn of(&self, severity: Severity) -> u32 {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
        }
    }
}

#[derive(Debug)]
pub struct Chapter {
    pub number: String,
    pub title: Texts,
    pub sections: Vec<Section>,
}

#[derive(Debug)]
pub struct Section {
    pub id: String,
    pub title: Texts,
}

#[derive(Debug)]
pub struct Requirement {
    pub id: RequirementId,
    pub chapter: String,
    pub section: String,
    pub kind: Kind,
    pub severity: Severity,
    /// Service types the item applies to; empty means all.
    pub applies_to: Vec<ServiceType>,
    /// Layers the service must be built on for the item to apply; empty means no condition.
    pub built_on: Vec<ServiceType>,
    pub applies_if: Option<Condition>,
    pub inheritable: bool,
    pub inheritable_reason: Option<String>,
    /// An eligibility condition (`eligibility = true`): failing it on facts makes the vendor `ineligible`.
    pub eligibility: bool,
    /// How much work closing it usually takes, when the pack says (`effort`).
    pub effort: Option<Effort>,
    pub title: Texts,
    pub question: Texts,
    pub guidance: Texts,
    pub evidence_kinds: Vec<EvidenceKind>,
    pub max_age_months: Option<u32>,
    pub checks: Vec<Check>,
    pub examples: Vec<Example>,
}

impl Requirement {
    /// Whether this requirement applies to a service of `types` built on `built_on` layers (its service types and
    /// layers, not its facts).
    #[must_use]
    pub fn applies_to_service(&self, types: &[ServiceType], built_on: &[ServiceType]) -> bool {
        let type_ok =
            self.applies_to.is_empty() || self.applies_to.iter().any(|t| types.contains(t));
        let layer_ok =
            self.built_on.is_empty() || self.built_on.iter().any(|l| built_on.contains(l));
        type_ok && layer_ok
    }
}

/// A condition of applicability.
#[derive(Debug)]
pub struct Condition {
    pub expr: String,
    pub program: crate::pack::cel::Program,
    pub facts: Vec<String>,
}

/// A compiled fact check.
#[derive(Debug)]
pub struct Check {
    pub expr: String,
    pub program: crate::pack::cel::Program,
    pub facts: Vec<String>,
    pub message: Texts,
    /// What a failure names (`[requirement.check.detail]`): the items at fault and a message for each.
    pub detail: Option<Detail>,
}

/// The items a failed check names and the message shown for each.
#[derive(Debug)]
pub struct Detail {
    pub expr: String,
    /// Returns a list of items (maps of fields, or plain values seen as `{value}`), or one such item.
    pub program: crate::pack::cel::Program,
    /// With `{field}` placeholders, the same in every language.
    pub message: Texts,
}

/// A fixture proving a requirement's checks.
#[derive(Debug)]
pub struct Example {
    pub name: String,
    pub expect: Expect,
    pub facts: Json,
    pub service: Json,
    pub as_of: NaiveDate,
    /// Where the example is written, for diagnostics.
    pub location: Diagnostic,
}

impl Requirement {
    /// Where the item applies, in words: `all`, `SaaS`, `CaaS, PaaS, SaaS (built on IaaS)`.
    #[must_use]
    pub fn applies(&self) -> Message {
        let types = if self.applies_to.is_empty() {
            msg!("applies.all")
        } else {
            Message::verbatim(
                self.applies_to
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        };
        // `IaaS or CaaS or PaaS`: the last two joined, then each one before.
        let layers = self.built_on.iter().rev().fold(None, |rest, layer| {
            Some(match rest {
                None => Message::verbatim(layer.to_string()),
                Some(rest) => msg!("applies.or", first = *layer, second = rest),
            })
        });
        match layers {
            None => types,
            Some(layers) => msg!("applies.built_on", types, layers),
        }
    }

    /// [`Requirement::applies`] in English, for the generated docs.
    #[must_use]
    pub fn applies_label(&self) -> String {
        self.applies().to_string()
    }
}

impl Pack {
    /// Loads and validates a pack, collecting every problem. Requirement examples (`[[requirement.example]]`)
    /// are neither read nor checked: only the linter runs them ([`Pack::load_with_examples`],
    /// [`Pack::load_partial`]), and skipping them is a sixth of the time of loading the embedded pack.
    pub fn load(source: &PackSource) -> Result<Pack, Vec<Diagnostic>> {
        match load::load(source, false) {
            (Some(pack), diagnostics) if diagnostics.is_empty() => Ok(pack),
            (_, diagnostics) => Err(diagnostics),
        }
    }

    /// Loads and validates a pack with its requirement examples, ready for [`Pack::run_examples`].
    pub fn load_with_examples(source: &PackSource) -> Result<Pack, Vec<Diagnostic>> {
        match load::load(source, true) {
            (Some(pack), diagnostics) if diagnostics.is_empty() => Ok(pack),
            (_, diagnostics) => Err(diagnostics),
        }
    }

    /// Loads as much of a pack as is valid, examples included, with every problem found: for the linter, which
    /// still runs the examples of the valid parts.
    #[must_use]
    pub fn load_partial(source: &PackSource) -> (Option<Pack>, Vec<Diagnostic>) {
        load::load(source, true)
    }

    /// The pack built into the binary.
    pub fn embedded() -> Result<Pack, Vec<Diagnostic>> {
        Self::load(&PackSource::Embedded)
    }

    /// The compiled schema of the assessments this pack reads (see [`crate::pack::schema::assessment`]), built once.
    pub fn assessment_validator(&self) -> Result<&jsonschema::Validator, &str> {
        self.assessment_validator
            .get_or_init(|| crate::pack::schema::validator(&crate::pack::schema::assessment(self)))
            .as_ref()
            .map_err(String::as_str)
    }

    #[must_use]
    pub fn requirement(&self, id: &RequirementId) -> Option<&Requirement> {
        self.index.get(id).map(|&i| &self.requirements[i])
    }

    #[must_use]
    pub fn chapter(&self, number: &str) -> Option<&Chapter> {
        self.chapters.iter().find(|c| c.number == number)
    }

    /// Runs every example of every requirement; each mismatch is a diagnostic at the example.
    #[must_use]
    pub fn run_examples(&self) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        for requirement in &self.requirements {
            for example in &requirement.examples {
                let bindings = Bindings::new(
                    &example.facts,
                    &example.service,
                    example.as_of,
                    &self.constants,
                );
                let outcomes: Vec<Outcome> = requirement
                    .checks
                    .iter()
                    .map(|c| bindings.run(&c.program, &c.facts))
                    .collect();
                let got = if outcomes.contains(&Outcome::Fail) {
                    Expect::Fail
                } else if outcomes
                    .iter()
                    .any(|o| matches!(o, Outcome::Missing(_) | Outcome::Incomplete(_)))
                {
                    Expect::FactMissing
                } else {
                    Expect::Pass
                };
                if got != example.expect {
                    let detail: Vec<String> = outcomes
                        .iter()
                        .zip(&requirement.checks)
                        .map(|(o, c)| format!("`{}` → {}", c.expr, describe_outcome(o)))
                        .collect();
                    let mut d = example.location.clone();
                    d.message = format!(
                        "{}: example \"{}\" expects {:?} but the checks give {:?}: {}",
                        requirement.id,
                        example.name,
                        example.expect,
                        got,
                        detail.join("; ")
                    )
                    .into();
                    problems.push(d);
                }
            }
        }
        problems
    }
}

fn describe_outcome(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Pass => "pass".to_owned(),
        Outcome::Fail => "fail".to_owned(),
        Outcome::Missing(why) | Outcome::Incomplete(why) => format!("fact-missing ({why})"),
    }
}
