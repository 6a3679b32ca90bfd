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
use crate::model::error::{Diagnostic, Error, library_message};
use crate::model::i18n::Message;
use crate::model::{RequirementId, ServiceType, Status};
use crate::msg;
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
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, msg!("io.read"), e))?;
    parse(&path.display().to_string(), &bytes, pack)
}

/// Validates a reviewer file given as bytes; `file` names it in diagnostics. Every problem is reported at once.
pub fn parse(file: &str, bytes: &[u8], pack: &Pack) -> Result<Review, Error> {
    let digest = format!("sha256:{:x}", Sha256::digest(bytes));
    let text = Diagnostic::utf8(file, bytes, msg!("review.not_utf8"))?;
    let raw: RawReview = toml::from_str(text).map_err(|e| {
        let message = library_message(e.message().trim());
        match e.span() {
            Some(span) => Diagnostic::at(file, text, span.start, message),
            None => Diagnostic::file(file, message),
        }
    })?;
    let at = |span: std::ops::Range<usize>, message: Message| {
        Diagnostic::at(file, text, span.start, message)
    };
    let mut problems = Vec::new();
    if let Some(declared) = &raw.pack
        && declared.get_ref() != &pack.id
    {
        problems.push(at(
            declared.span(),
            msg!(
                "review.other_pack",
                declared = declared.get_ref(),
                pack = &pack.id
            ),
        ));
    }
    if raw.overrides.is_empty() {
        problems.push(Diagnostic::file(file, msg!("review.no_override")));
    }
    let mut seen: HashMap<RequirementId, usize> = HashMap::new();
    let mut overrides = Vec::new();
    for table in &raw.overrides {
        let span = table.span();
        let o = table.get_ref();
        let missing = |field: &str| at(span.clone(), msg!("review.missing_field", field));
        let id = match &o.id {
            None => {
                problems.push(missing("id"));
                None
            }
            Some(raw_id) => match raw_id.get_ref().parse::<RequirementId>() {
                Err(e) => {
                    problems.push(at(raw_id.span(), e.message()));
                    None
                }
                Ok(id) if pack.requirement(&id).is_none() => {
                    problems.push(at(
                        raw_id.span(),
                        msg!("id.unknown", pack = &pack.id, id = &id),
                    ));
                    None
                }
                Ok(id) => {
                    let line = crate::model::error::line_column(text, raw_id.span().start).0;
                    if let Some(first) = seen.get(&id) {
                        problems.push(at(
                            raw_id.span(),
                            msg!("review.twice", id = &id, line = *first),
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
            Some(v) => {
                let verdict = v.get_ref().parse::<Status>().ok();
                if verdict.is_none() {
                    let choices = Status::ALL
                        .iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    problems.push(at(
                        v.span(),
                        msg!("review.verdict", value = v.get_ref(), choices),
                    ));
                }
                verdict
            }
        };
        let mut text_field = |value: &Option<Spanned<String>>, name: &str| match value {
            None => {
                problems.push(missing(name));
                None
            }
            Some(v) if crate::model::is_blank(v.get_ref()) => {
                let message = if name == "reason" {
                    msg!("review.empty_reason")
                } else {
                    msg!("review.empty_reviewer")
                };
                problems.push(at(v.span(), message));
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
                    problems.push(at(d.span(), msg!("review.date")));
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
                location: at(span.clone(), Message::verbatim("")),
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

/// A TOML date (`2026-11-20`) or a string holding one; nothing else.
fn date_of(value: &toml::Value) -> Option<NaiveDate> {
    match value {
        toml::Value::String(s) => crate::model::date::parse(s),
        toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
            let d = dt.date?;
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                .filter(|d| crate::model::date::in_range(*d))
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
        // A reviewer cannot have decided on a state of the assessment that is yet to come.
        if o.date > as_of {
            let mut d = o.location.clone();
            d.message = msg!(
                "review.decision_after",
                id = o.id.as_str(),
                date = o.date,
                as_of
            );
            problems.push(d);
            continue;
        }
        let Some(requirement) = pack.requirement(&o.id) else {
            continue;
        };
        if !requirement.applies_to_service(&assessment.service_types, &layers) {
            let mut d = o.location.clone();
            let types = assessment
                .service_types
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            d.message = msg!(
                "review.not_applicable",
                id = &o.id,
                types,
                applies = requirement.applies()
            );
            problems.push(d);
            continue;
        }
        let Some(result) = evaluation.results.iter_mut().find(|r| r.id == o.id) else {
            continue;
        };
        let engine = result.verdict;
        result.applicable = true;
        result.verdict = o.verdict;
        result.review = Some(ReviewNote {
            reviewer: o.reviewer.clone(),
            date: o.date,
            reason: o.reason.clone(),
            engine_verdict: engine,
        });
        result.findings.push(Finding::new(
            Code::ReviewerOverride,
            &msg!(
                "finding.reviewer_override",
                verdict = o.verdict,
                reviewer = o.reviewer.as_str(),
                date = o.date,
                engine,
                reason = o.reason.as_str()
            ),
        ));
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
