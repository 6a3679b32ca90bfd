//! `snc explain`: everything about one requirement.

use std::fmt::Write as _;

use crate::error::Error;
use crate::model::{Lang, RequirementId};
use crate::pack::Pack;

pub fn explain(pack: &Pack, id: &str, lang: Lang) -> Result<String, Error> {
    let parsed: RequirementId = id
        .parse()
        .map_err(|e: crate::model::InvalidRequirementId| Error::Usage(e.to_string()))?;
    let r = pack.requirement(&parsed).ok_or_else(|| {
        Error::Usage(format!(
            "pack {} has no requirement `{id}`: see `snc rules list`",
            pack.id
        ))
    })?;
    let fr = lang == Lang::Fr;
    let label = |en: &'static str, fr_text: &'static str| if fr { fr_text } else { en };
    let mut out = String::new();
    let chapter = pack
        .chapter(&r.chapter)
        .map(|c| c.title.get(lang))
        .unwrap_or_default();
    let section = pack
        .chapter(&r.chapter)
        .and_then(|c| c.sections.iter().find(|s| s.id == r.section))
        .map(|s| s.title.get(lang))
        .unwrap_or_default();
    let _ = writeln!(out, "{}  {}", r.id, r.title.get(lang));
    let _ = writeln!(
        out,
        "{} {} — {chapter} / {} {section}",
        label("Chapter", "Chapitre"),
        r.chapter,
        r.section
    );
    let _ = writeln!(
        out,
        "{}: {}   {}: {}   {}: {}",
        label("Kind", "Nature"),
        r.kind,
        label("Severity", "Sévérité"),
        r.severity,
        label("Applies to", "S'applique à"),
        r.applies_label()
    );
    if r.inheritable {
        let _ = writeln!(
            out,
            "{}: {}",
            label(
                "Inheritable from a qualified provider",
                "Héritable d'un fournisseur qualifié"
            ),
            r.inheritable_reason.as_deref().unwrap_or_default()
        );
    }
    let _ = writeln!(
        out,
        "\n{}\n  {}",
        label("Question", "Question"),
        r.question.get(lang)
    );
    let _ = writeln!(
        out,
        "\n{}\n  {}",
        label("Guidance", "Recommandations"),
        r.guidance.get(lang)
    );
    let kinds = r
        .evidence_kinds
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let _ = write!(out, "\n{}: {kinds}", label("Evidence", "Preuves"));
    if let Some(m) = r.max_age_months {
        let _ = write!(
            out,
            " ({} {m} {})",
            label("at most", "au plus"),
            label("months old", "mois")
        );
    }
    let _ = writeln!(out);
    if let Some(c) = &r.applies_if {
        let _ = writeln!(
            out,
            "\n{}: {}  [{}]",
            label("Applies only if", "S'applique seulement si"),
            c.expr,
            c.facts.join(", ")
        );
    }
    if !r.checks.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            label("Fact checks", "Vérifications sur les faits")
        );
        for c in &r.checks {
            let _ = writeln!(
                out,
                "  - {}\n    {}: {}\n    {}: {}",
                c.expr,
                label("facts", "faits"),
                c.facts.join(", "),
                label("when false", "si faux"),
                c.message.get(lang)
            );
        }
    }
    Ok(out)
}
