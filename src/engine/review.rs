//! The reviewer file: verdicts that programme staff set on a vendor's requirements, each with who, when and why.
//! Kept apart from the vendor's assessment, parsed strictly with spans, applied after evaluation and before
//! scoring, readiness and the gate (DESIGN §6, step 6).

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::assessment::Assessment;
use crate::engine::result::{Code, Evaluation, Finding, ReviewNote};
use crate::model::Texts;
use crate::model::error::{Diagnostic, Error};
use crate::model::i18n::t;
use crate::model::{Lang, RequirementId, ServiceType, Status};
use crate::pack::Pack;

/// One validated override.
#[derive(Clone, Debug)]
pub struct Override {
    pub id: RequirementId,
    pub verdict: Status,
    pub reason: String,
    pub reviewer: String,
    pub date: NaiveDate,
    /// Where the override is written, for diagnostics raised when it is applied.
    pub location: Diagnostic,
}

/// A validated reviewer file.
#[derive(Clone, Debug)]
pub struct Review {
    /// The file as the user named it.
    pub file: String,
    /// `sha256:` of the file's bytes, recorded in the report.
    pub digest: String,
    /// In file order.
    pub overrides: Vec<Override>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReview {
    /// Optional: the pack the verdicts are about; checked against the loaded pack.
    #[serde(default)]
    pack: Option<Spanned<String>>,
    #[serde(rename = "override", default)]
    overrides: Vec<Spanned<RawOverride>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverride {
    id: Option<Spanned<String>>,
    verdict: Option<Spanned<String>>,
    reason: Option<Spanned<String>>,
    reviewer: Option<Spanned<String>>,
    date: Option<Spanned<toml::Value>>,
}

/// Reads and validates a reviewer file against the pack.
pub fn load(path: &Path, pack: &Pack) -> Result<Review, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, "read", e))?;
    parse(&path.display().to_string(), &bytes, pack)
}

/// Validates a reviewer file given as bytes; `file` names it in diagnostics. Every problem is reported at once.
pub fn parse(file: &str, bytes: &[u8], pack: &Pack) -> Result<Review, Error> {
    let digest = format!("sha256:{:x}", Sha256::digest(bytes));
    let text = Diagnostic::utf8(file, bytes, "reviewer file")?;
    let raw: RawReview = toml::from_str(text).map_err(|e| {
        let message = e.message().trim().to_owned();
        match e.span() {
            Some(span) => Diagnostic::at(file, text, span.start, message),
            None => Diagnostic::file(file, message),
        }
    })?;
    let at = |span: std::ops::Range<usize>, message: String| {
        Diagnostic::at(file, text, span.start, message)
    };
    let mut problems = Vec::new();
    if let Some(declared) = &raw.pack
        && declared.get_ref() != &pack.id
    {
        problems.push(at(
            declared.span(),
            format!(
                "this reviewer file is for the pack `{}`, but the loaded pack is `{}`",
                declared.get_ref(),
                pack.id
            ),
        ));
    }
    if raw.overrides.is_empty() {
        problems.push(Diagnostic::file(
            file,
            "no `[[override]]` table: a reviewer file holds one per requirement it decides",
        ));
    }
    let mut seen: HashMap<RequirementId, usize> = HashMap::new();
    let mut overrides = Vec::new();
    for table in &raw.overrides {
        let span = table.span();
        let o = table.get_ref();
        let missing = |name: &str| {
            at(
                span.clone(),
                format!(
                    "this override has no `{name}`: every override needs `id`, `verdict`, `reason`, `reviewer` and `date`"
                ),
            )
        };
        let id = match &o.id {
            None => {
                problems.push(missing("id"));
                None
            }
            Some(raw_id) => match raw_id.get_ref().parse::<RequirementId>() {
                Err(e) => {
                    problems.push(at(raw_id.span(), e.to_string()));
                    None
                }
                Ok(id) if pack.requirement(&id).is_none() => {
                    problems.push(at(
                        raw_id.span(),
                        format!(
                            "pack {} has no requirement `{id}`: see `snc rules list`",
                            pack.id
                        ),
                    ));
                    None
                }
                Ok(id) => {
                    let line = crate::model::error::line_column(text, raw_id.span().start).0;
                    if let Some(first) = seen.get(&id) {
                        problems.push(at(
                            raw_id.span(),
                            format!("`{id}` is overridden twice (first on line {first}): keep one decision per requirement"),
                        ));
                        None
                    } else {
                        seen.insert(id.clone(), line);
                        Some(id)
                    }
                }
            },
        };
        let verdict = match &o.verdict {
            None => {
                problems.push(missing("verdict"));
                None
            }
            Some(v) => match v.get_ref().parse::<Status>() {
                Ok(s) => Some(s),
                Err(e) => {
                    problems.push(at(v.span(), format!("verdict {e}")));
                    None
                }
            },
        };
        let mut text_field = |value: &Option<Spanned<String>>, name: &str| match value {
            None => {
                problems.push(missing(name));
                None
            }
            Some(v) if v.get_ref().trim().is_empty() => {
                problems.push(at(
                    v.span(),
                    format!("`{name}` is empty: say {}", describe(name)),
                ));
                None
            }
            Some(v) => Some(v.get_ref().trim().to_owned()),
        };
        let reason = text_field(&o.reason, "reason");
        let reviewer = text_field(&o.reviewer, "reviewer");
        let date = match &o.date {
            None => {
                problems.push(missing("date"));
                None
            }
            Some(d) => {
                let date = date_of(d.get_ref());
                if date.is_none() {
                    problems.push(at(
                        d.span(),
                        "`date` must be a calendar date YYYY-MM-DD, such as 2026-11-20".to_owned(),
                    ));
                }
                date
            }
        };
        if let (Some(id), Some(verdict), Some(reason), Some(reviewer), Some(date)) =
            (id, verdict, reason, reviewer, date)
        {
            overrides.push(Override {
                id,
                verdict,
                reason,
                reviewer,
                date,
                location: at(span.clone(), String::new()),
            });
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|d| d.position);
        return Err(Error::Invalid(problems));
    }
    Ok(Review {
        file: file.to_owned(),
        digest,
        overrides,
    })
}

fn describe(field: &str) -> &'static str {
    match field {
        "reason" => "why the verdict differs from what the engine found",
        _ => "who decided",
    }
}

/// A TOML date (`2026-11-20`) or a string holding one; nothing else.
fn date_of(value: &toml::Value) -> Option<NaiveDate> {
    match value {
        toml::Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").ok(),
        toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
            let d = dt.date?;
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
        }
        _ => None,
    }
}

/// Applies the overrides to an evaluation: the verdict becomes the reviewer's, the engine's is kept in the note,
/// and a `reviewer-override` finding says who, when, why and what the engine had found.
///
/// An override on a requirement that does not apply to the service's types or layers is refused (it would have
/// no effect and usually means the file belongs to another vendor); one on a requirement whose `applies-if`
/// condition is false makes it applicable again, with the reviewer's verdict. A decision dated after `as_of` had
/// not been taken on that date: it is not applied, and a `date-in-future` finding says so.
pub fn apply(
    pack: &Pack,
    assessment: &Assessment,
    review: &Review,
    evaluation: &mut Evaluation,
    as_of: NaiveDate,
) -> Result<(), Error> {
    let layers: Vec<ServiceType> = assessment.built_on.iter().map(|b| b.layer).collect();
    let mut problems = Vec::new();
    for o in &review.overrides {
        let Some(requirement) = pack.requirement(&o.id) else {
            continue;
        };
        if !requirement.applies_to_service(&assessment.service_types, &layers) {
            let mut d = o.location.clone();
            d.message = format!(
                "`{}` does not apply to this service ({}; applies to {}): a verdict on it would have no effect",
                o.id,
                assessment
                    .service_types
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                requirement.applies_label()
            );
            problems.push(d);
            continue;
        }
        let Some(result) = evaluation.results.iter_mut().find(|r| r.id == o.id) else {
            continue;
        };
        if o.date > as_of {
            result.findings.push(Finding::new(
                Code::DateInFuture,
                format!("the reviewer decision by {} is dated {}, after the evaluation date {as_of}: it is not applied", o.reviewer, o.date),
                format!("la décision de revue de {} est datée du {}, après la date d'évaluation {as_of} : elle n'est pas appliquée", o.reviewer, o.date),
            ));
            continue;
        }
        let engine = result.verdict;
        result.applicable = true;
        result.verdict = o.verdict;
        result.review = Some(ReviewNote {
            reviewer: o.reviewer.clone(),
            date: o.date,
            reason: o.reason.clone(),
            engine_verdict: engine,
        });
        let message = |lang: Lang| {
            let (set, by, on, engine_found) = match lang {
                Lang::En => ("verdict set to", "by", "on", "the engine had found"),
                Lang::Fr => ("verdict fixé à", "par", "le", "le moteur avait trouvé"),
            };
            format!(
                "{set} {} {by} {} {on} {} ({engine_found} {}){}{}",
                t(lang, &format!("status_{}", o.verdict)),
                o.reviewer,
                o.date,
                t(lang, &format!("status_{engine}")),
                t(lang, "colon"),
                o.reason
            )
        };
        result.findings.push(Finding {
            code: Code::ReviewerOverride,
            message: Texts {
                en: message(Lang::En),
                fr: message(Lang::Fr),
            },
            facts: Vec::new(),
        });
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack() -> Pack {
        Pack::embedded().unwrap_or_else(|d| panic!("embedded pack: {d:?}"))
    }

    fn errors(text: &str) -> String {
        match parse("review.toml", text.as_bytes(), &pack()) {
            Ok(_) => String::new(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn parses_a_complete_override_with_a_toml_or_string_date() {
        let text = "pack = \"secnumcloud-3.2\"\n\n[[override]]\nid = \"19.6.b\"\nverdict = \"compliant\"\nreason = \"Shareholder agreement amended\"\nreviewer = \"A. Martin\"\ndate = 2026-11-20\n\n[[override]]\nid = \"12.6.c\"\nverdict = \"non_compliant\"\nreason = \"r\"\nreviewer = \"B\"\ndate = \"2026-11-21\"\n";
        let review = parse("review.toml", text.as_bytes(), &pack()).expect("valid");
        assert_eq!(review.overrides.len(), 2);
        assert_eq!(review.overrides[0].verdict, Status::Compliant);
        assert_eq!(review.overrides[1].date.to_string(), "2026-11-21");
        assert!(review.digest.starts_with("sha256:"));
    }

    #[test]
    fn rejects_unknown_ids_missing_reasons_bad_verdicts_dates_and_duplicates_with_places() {
        let text = "[[override]]\nid = \"19.9.z\"\nverdict = \"compliant\"\nreason = \"x\"\nreviewer = \"A\"\ndate = 2026-11-20\n\n[[override]]\nid = \"19.6.b\"\nverdict = \"done\"\nreviewer = \"A\"\ndate = \"20/11/2026\"\n\n[[override]]\nid = \"19.6.b\"\nverdict = \"compliant\"\nreason = \"  \"\nreviewer = \"A\"\ndate = 2026-11-20\n";
        let err = errors(text);
        assert!(
            err.contains("review.toml:2:6: pack secnumcloud-3.2 has no requirement `19.9.z`"),
            "{err}"
        );
        assert!(
            err.contains("review.toml:10:11: verdict `done` is not one of"),
            "{err}"
        );
        assert!(
            err.contains("review.toml:8:1: this override has no `reason`"),
            "{err}"
        );
        assert!(
            err.contains("review.toml:12:8: `date` must be a calendar date"),
            "{err}"
        );
        assert!(
            err.contains("review.toml:15:6: `19.6.b` is overridden twice (first on line 9)"),
            "{err}"
        );
        assert!(
            err.contains("review.toml:17:10: `reason` is empty"),
            "{err}"
        );
    }

    #[test]
    fn rejects_unknown_fields_and_another_pack() {
        let err = errors("[[override]]\nid = \"19.6.b\"\nverdit = \"compliant\"\n");
        assert!(
            err.contains("review.toml:3:1:") && err.contains("unknown field `verdit`"),
            "{err}"
        );
        let err = errors(
            "pack = \"iso-27001\"\n[[override]]\nid = \"19.6.b\"\nverdict = \"compliant\"\nreason = \"x\"\nreviewer = \"A\"\ndate = 2026-11-20\n",
        );
        assert!(
            err.contains("review.toml:1:8: this reviewer file is for the pack `iso-27001`"),
            "{err}"
        );
    }
}
