//! `snc explain`: everything about one requirement, in the chosen language.

use std::fmt::Write as _;

use crate::model::error::Error;
use crate::model::i18n::{label, t};
use crate::model::{Lang, RequirementId};
use crate::msg;
use crate::pack::{Pack, Requirement};

fn applies(r: &Requirement, lang: Lang) -> String {
    let mut text = if r.applies_to.is_empty() {
        t(lang, "applies_all").to_owned()
    } else {
        r.applies_to
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !r.built_on.is_empty() {
        let layers = r
            .built_on
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" / ");
        let _ = write!(text, " ({} {layers})", t(lang, "applies_on"));
    }
    text
}

/// The full explanation of requirement `id`.
pub fn explain(pack: &Pack, id: &str, lang: Lang) -> Result<String, Error> {
    let parsed: RequirementId = id
        .parse()
        .map_err(|e: crate::model::InvalidRequirementId| Error::Usage(e.message()))?;
    let r = pack
        .requirement(&parsed)
        .ok_or_else(|| Error::Usage(msg!("id.unknown", pack = &pack.id, id)))?;
    let colon = t(lang, "colon");
    let chapter = pack.chapter(&r.chapter);
    let chapter_title = chapter.map(|c| c.title.get(lang)).unwrap_or_default();
    let section_title = chapter
        .and_then(|c| c.sections.iter().find(|s| s.id == r.section))
        .map(|s| s.title.get(lang))
        .unwrap_or_default();
    let mut out = String::new();
    let _ = writeln!(out, "{}  {}", r.id, r.title.get(lang));
    let _ = writeln!(
        out,
        "{} {} — {chapter_title} / {} {section_title}",
        t(lang, "chapter"),
        r.chapter,
        r.section
    );
    let _ = writeln!(
        out,
        "{}{colon}{}   {}{colon}{}   {}{colon}{}",
        t(lang, "kind"),
        label(lang, r.kind),
        t(lang, "severity"),
        label(lang, r.severity),
        t(lang, "applies_to"),
        applies(r, lang)
    );
    if r.eligibility {
        let _ = writeln!(out, "{}", t(lang, "eligibility_condition"));
    }
    if r.inheritable {
        let _ = writeln!(
            out,
            "{}{colon}{}",
            t(lang, "inheritable"),
            r.inheritable_reason.as_deref().unwrap_or_default()
        );
    }
    let _ = writeln!(out, "\n{}\n  {}", t(lang, "question"), r.question.get(lang));
    let _ = writeln!(out, "\n{}\n  {}", t(lang, "guidance"), r.guidance.get(lang));
    let kinds = r
        .evidence_kinds
        .iter()
        .map(|k| label(lang, *k))
        .collect::<Vec<_>>()
        .join(", ");
    let _ = write!(out, "\n{}{colon}{kinds}", t(lang, "evidence"));
    if let Some(m) = r.max_age_months {
        let _ = write!(out, " ({} {m} {})", t(lang, "max_age"), t(lang, "months"));
    }
    let _ = writeln!(out);
    if let Some(c) = &r.applies_if {
        let _ = writeln!(
            out,
            "\n{}{colon}{}  [{}]",
            t(lang, "applies_if"),
            c.expr,
            c.facts.join(", ")
        );
    }
    if !r.checks.is_empty() {
        let _ = writeln!(out, "\n{}", t(lang, "fact_checks"));
        for c in &r.checks {
            let _ = writeln!(
                out,
                "  - {}\n    {}{colon}{}\n    {}{colon}{}",
                c.expr,
                t(lang, "facts"),
                c.facts.join(", "),
                t(lang, "when_false"),
                c.message.get(lang)
            );
        }
    }
    Ok(out)
}
