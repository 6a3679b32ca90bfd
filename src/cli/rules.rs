//! `snc rules`: list the pack, lint a pack folder.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Value as Json, json};

use crate::cli::{ListFormat, Output};
use crate::model::error::Error;
use crate::model::i18n::{label, t};
use crate::model::{Kind, Lang, ServiceType};
use crate::msg;
use crate::pack::lint;
use crate::pack::{Pack, PackSource};

use super::pretty;

/// `snc rules lint DIR`. Its diagnostics are for rule-pack authors and stay in English; the verdict line is in
/// `lang`.
pub fn lint_command(dir: &Path, lang: Lang) -> Result<Output, Error> {
    let problems = lint::lint(&PackSource::Dir(dir.to_path_buf()));
    if problems.is_empty() {
        let valid = msg!("cli.pack_valid", dir = dir.display().to_string());
        Ok(Output::ok(format!("{}\n", valid.render(lang))))
    } else {
        Err(Error::Invalid(problems))
    }
}

#[must_use]
pub fn list(pack: &Pack, format: ListFormat, lang: Lang) -> String {
    match format {
        ListFormat::Json => {
            let items: Vec<Json> = pack
                .requirements
                .iter()
                .map(|r| {
                    json!({
                        "id": r.id, "kind": r.kind, "severity": r.severity, "chapter": r.chapter,
                        "applies_to": if r.applies_to.is_empty() { ServiceType::ALL.to_vec() } else { r.applies_to.clone() },
                        "built_on": r.built_on, "inheritable": r.inheritable, "checks": r.checks.len(),
                        "title": r.title.get(lang),
                    })
                })
                .collect();
            pretty(&Json::Array(items))
        }
        ListFormat::Text => {
            let mut out = String::new();
            for r in &pack.requirements {
                let kind = if r.kind == Kind::Recommendation {
                    t(lang, "rules.recommendation")
                } else {
                    t(lang, "rules.requirement")
                };
                let _ = writeln!(
                    out,
                    "{:<10} {kind} {:<8} {:<22} {}",
                    r.id.as_str(),
                    label(lang, r.severity),
                    r.applies().render(lang),
                    r.title.get(lang)
                );
            }
            out
        }
    }
}
