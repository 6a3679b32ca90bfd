//! Generated documentation: `docs/rules.md` and the fact reference of `docs/assessment.md`, from the pack.

use std::fmt::Write;

use crate::model::i18n::t;
use crate::model::{Kind, Lang, Texts};
use crate::msg;
use crate::pack::{FactType, Pack};

/// A pack text in every language, `en / fr`.
fn every_language(texts: &Texts) -> String {
    Lang::ALL
        .iter()
        .map(|&lang| texts.get(lang))
        .collect::<Vec<_>>()
        .join(" / ")
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The anchor of a requirement in `docs/rules.md`: its id.
#[must_use]
pub fn rules_anchor(id: &crate::model::RequirementId) -> String {
    id.to_string()
}

/// `docs/rules.md`: every requirement by chapter, with its checks; each row is anchored at its id.
#[must_use]
pub fn rules_markdown(pack: &Pack) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Rules of `{}` (pack {})\n",
        pack.id, pack.pack_version
    );
    let _ = writeln!(
        out,
        "<!-- Generated from rules/{}/ by `SNC_BLESS=1 cargo test`: do not edit. -->\n",
        pack.id
    );
    let requirements = pack
        .requirements
        .iter()
        .filter(|r| r.kind == Kind::Requirement)
        .count();
    let checked = pack
        .requirements
        .iter()
        .filter(|r| !r.checks.is_empty())
        .count();
    let _ = writeln!(
        out,
        "{} lettered items: {requirements} requirements and {} recommendations; {checked} have fact checks.\n",
        pack.requirements.len(),
        pack.requirements.len() - requirements
    );
    for chapter in &pack.chapters {
        let _ = writeln!(
            out,
            "## {} {} / {}\n",
            chapter.number, chapter.title.en, chapter.title.fr
        );
        let _ = writeln!(
            out,
            "| id | kind | severity | applies to | inheritable | title | checks |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|---|");
        for r in pack
            .requirements
            .iter()
            .filter(|r| r.chapter == chapter.number)
        {
            let mut applies = r.applies_label();
            if let Some(c) = &r.applies_if {
                let _ = write!(applies, " if `{}`", cell(&c.expr));
            }
            let severity = if r.eligibility {
                format!("{} (eligibility)", r.severity)
            } else {
                r.severity.to_string()
            };
            let checks = r
                .checks
                .iter()
                .map(|c| format!("`{}`", cell(&c.expr)))
                .collect::<Vec<_>>()
                .join("<br>");
            // The anchor is the id itself (`docs/rules.md#19.6.b`): what SARIF's `helpUri` links to.
            let _ = writeln!(
                out,
                "| <a id=\"{id}\"></a>{id} | {} | {} | {} | {} | {} | {} |",
                r.kind,
                severity,
                applies,
                if r.inheritable { "yes" } else { "no" },
                cell(&r.title.en),
                checks,
                id = r.id,
            );
        }
        let _ = writeln!(out);
    }
    out
}

/// The fact reference appended to `docs/assessment.md`: every fact, its type and example, in both languages.
#[must_use]
pub fn facts_markdown(pack: &Pack) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## Fact reference / Référence des faits\n");
    let _ = writeln!(
        out,
        "<!-- Generated from the pack's fact vocabulary by `SNC_BLESS=1 cargo test`: do not edit below. -->\n"
    );
    let mut group = "";
    for fact in &pack.facts {
        let top = fact.path.split('.').next().unwrap_or_default();
        if top != group {
            group = top;
            let _ = writeln!(out, "### `{group}`\n");
            if let Some(texts) = pack.fact_groups.get(group) {
                let _ = writeln!(out, "{}\n", every_language(texts));
            }
        }
        let _ = writeln!(out, "#### `facts.{}`\n", fact.path);
        for &lang in Lang::ALL {
            let text = msg!(
                "docs.fact",
                description = &fact.description,
                fact_type = fact.ty.description()
            );
            let _ = writeln!(out, "- **{lang}**{}{}", t(lang, "colon"), text.render(lang));
        }
        if let FactType::Objects(fields) = &fact.ty {
            for f in fields {
                let list = if f.list { "[]" } else { "" };
                let _ = writeln!(
                    out,
                    "  - `{}`{list}: {}",
                    f.name,
                    every_language(&f.description)
                );
            }
        }
        let used: Vec<String> = pack
            .requirements
            .iter()
            .filter(|r| {
                r.checks.iter().any(|c| c.facts.contains(&fact.path))
                    || r.applies_if
                        .as_ref()
                        .is_some_and(|c| c.facts.contains(&fact.path))
            })
            .map(|r| r.id.to_string())
            .collect();
        if !used.is_empty() {
            let _ = writeln!(out, "- Used by / utilisé par : {}", used.join(", "));
        }
        if let Some(example) = &fact.example {
            let _ = writeln!(
                out,
                "- Example / exemple : `{}`",
                serde_json::to_string(example).unwrap_or_default()
            );
        }
        let _ = writeln!(out);
    }
    out
}
