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

/// The vendor a reviewer file is written for (`[vendor]`).
#[derive(Clone, Debug)]
pub struct VendorBinding {
    pub name: Option<String>,
    pub id: Option<String>,
    /// The digest of the assessment the decisions were taken on.
    pub assessment_digest: Option<String>,
    /// Where `[vendor]` is written.
    pub location: Diagnostic,
}

impl VendorBinding {
    /// True when this binding names the vendor `name` (with its `vendor.id`, if any): the ids when both sides have
    /// one, else the names, trimmed and case-folded.
    #[must_use]
    pub fn matches(&self, name: &str, id: Option<&str>) -> bool {
        if let (Some(mine), Some(theirs)) = (&self.id, id) {
            return mine.trim() == theirs.trim();
        }
        self.name.as_deref().is_some_and(|n| {
            crate::assessment::normalised_vendor(n) == crate::assessment::normalised_vendor(name)
        })
    }

    /// The binding as a reader names it: `id` first.
    #[must_use]
    pub fn describe(&self) -> String {
        match (&self.id, &self.name) {
            (Some(id), Some(name)) => format!("{name} ({id})"),
            (Some(id), None) => id.clone(),
            (None, Some(name)) => name.clone(),
            (None, None) => String::new(),
        }
    }
}

/// A reviewer's note (`[[note]]`), on one requirement or on the whole assessment.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Note {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<RequirementId>,
    pub text: String,
    pub reviewer: String,
    pub date: NaiveDate,
}

/// An evidence request (`[[request]]`): what the reviewer asked the vendor to show, and by when.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Request {
    pub id: RequirementId,
    pub evidence: String,
    pub reviewer: String,
    pub date: NaiveDate,
    pub due: NaiveDate,
    /// When the evidence was received and the request closed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed: Option<NaiveDate>,
}

impl Request {
    /// Still open on `as_of`: not closed, or closed later.
    #[must_use]
    pub fn is_open(&self, as_of: NaiveDate) -> bool {
        self.closed.is_none_or(|c| c > as_of)
    }

    /// Open on `as_of` and past its due date.
    #[must_use]
    pub fn is_overdue(&self, as_of: NaiveDate) -> bool {
        self.is_open(as_of) && self.due < as_of
    }
}

/// A validated reviewer file.
#[derive(Clone, Debug)]
pub struct Review {
    /// The file as the user named it.
    pub file: String,
    /// `sha256:` of the file's bytes, recorded in the report.
    pub digest: String,
    /// The vendor the file is written for, when it says (`[vendor]`).
    pub vendor: Option<VendorBinding>,
    /// In file order.
    pub overrides: Vec<Override>,
    /// In file order.
    pub notes: Vec<Note>,
    /// In file order.
    pub requests: Vec<Request>,
}

impl Review {
    /// The decisions that may be stale on an assessment with `digest`: every override, when `[vendor]` names the
    /// digest of another assessment (an earlier submission); none otherwise.
    #[must_use]
    pub fn stale_decisions(&self, digest: &str) -> Vec<RequirementId> {
        match self
            .vendor
            .as_ref()
            .and_then(|v| v.assessment_digest.as_deref())
        {
            Some(written_for) if written_for != digest => {
                self.overrides.iter().map(|o| o.id.clone()).collect()
            }
            _ => Vec::new(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReview {
    /// Optional: the pack the verdicts are about; checked against the loaded pack.
    #[serde(default)]
    pack: Option<Spanned<String>>,
    #[serde(default)]
    vendor: Option<Spanned<RawVendor>>,
    #[serde(rename = "override", default)]
    overrides: Vec<Spanned<RawOverride>>,
    #[serde(rename = "note", default)]
    notes: Vec<Spanned<RawNote>>,
    #[serde(rename = "request", default)]
    requests: Vec<Spanned<RawRequest>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVendor {
    name: Option<Spanned<String>>,
    id: Option<Spanned<String>>,
    assessment_digest: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNote {
    id: Option<Spanned<String>>,
    text: Option<Spanned<String>>,
    reviewer: Option<Spanned<String>>,
    date: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequest {
    id: Option<Spanned<String>>,
    evidence: Option<Spanned<String>>,
    reviewer: Option<Spanned<String>>,
    date: Option<Spanned<toml::Value>>,
    due: Option<Spanned<toml::Value>>,
    closed: Option<Spanned<toml::Value>>,
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
    if raw.overrides.is_empty() && raw.notes.is_empty() && raw.requests.is_empty() {
        problems.push(Diagnostic::file(file, msg!("review.no_override")));
    }
    let vendor = raw
        .vendor
        .as_ref()
        .and_then(|v| vendor_binding(v, &at, &mut problems));
    let known_id = |raw_id: &Spanned<String>, problems: &mut Vec<Diagnostic>| match raw_id
        .get_ref()
        .parse::<RequirementId>()
    {
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
        Ok(id) => Some(id),
    };
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
            Some(raw_id) => match known_id(raw_id, &mut problems) {
                None => None,
                Some(id) => {
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
        let reason = text_field(o.reason.as_ref(), "reason", &missing, &at, &mut problems);
        let reviewer = text_field(
            o.reviewer.as_ref(),
            "reviewer",
            &missing,
            &at,
            &mut problems,
        );
        let date = date_field(o.date.as_ref(), "date", &missing, &at, &mut problems);
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
    let mut notes = Vec::new();
    for table in &raw.notes {
        let span = table.span();
        let n = table.get_ref();
        let missing = |field: &str| at(span.clone(), msg!("review.note_missing_field", field));
        let id = match &n.id {
            None => Some(None),
            Some(raw_id) => known_id(raw_id, &mut problems).map(Some),
        };
        let body = text_field(n.text.as_ref(), "text", &missing, &at, &mut problems);
        let reviewer = text_field(
            n.reviewer.as_ref(),
            "reviewer",
            &missing,
            &at,
            &mut problems,
        );
        let date = date_field(n.date.as_ref(), "date", &missing, &at, &mut problems);
        if let (Some(id), Some(text), Some(reviewer), Some(date)) = (id, body, reviewer, date) {
            notes.push(Note {
                id,
                text,
                reviewer,
                date,
            });
        }
    }
    let mut requests = Vec::new();
    for table in &raw.requests {
        let span = table.span();
        let r = table.get_ref();
        let missing = |field: &str| at(span.clone(), msg!("review.request_missing_field", field));
        let id = match &r.id {
            None => {
                problems.push(missing("id"));
                None
            }
            Some(raw_id) => known_id(raw_id, &mut problems),
        };
        let evidence = text_field(
            r.evidence.as_ref(),
            "evidence",
            &missing,
            &at,
            &mut problems,
        );
        let reviewer = text_field(
            r.reviewer.as_ref(),
            "reviewer",
            &missing,
            &at,
            &mut problems,
        );
        let date = date_field(r.date.as_ref(), "date", &missing, &at, &mut problems);
        let due = date_field(r.due.as_ref(), "due", &missing, &at, &mut problems);
        let closed = match &r.closed {
            None => Some(None),
            Some(c) => date_field(Some(c), "closed", &missing, &at, &mut problems).map(Some),
        };
        if let (Some(id), Some(evidence), Some(reviewer), Some(date), Some(due), Some(closed)) =
            (id, evidence, reviewer, date, due, closed)
        {
            requests.push(Request {
                id,
                evidence,
                reviewer,
                date,
                due,
                closed,
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
        vendor,
        overrides,
        notes,
        requests,
    })
}

type At<'a> = dyn Fn(std::ops::Range<usize>, Message) -> Diagnostic + 'a;

/// `[vendor]`: a name or an id, and optionally the digest of the assessment the decisions were taken on.
fn vendor_binding(
    table: &Spanned<RawVendor>,
    at: &At<'_>,
    problems: &mut Vec<Diagnostic>,
) -> Option<VendorBinding> {
    let v = table.get_ref();
    let text = |value: &Option<Spanned<String>>| {
        value
            .as_ref()
            .map(|s| s.get_ref().trim().to_owned())
            .filter(|s| !crate::model::is_blank(s))
    };
    let name = text(&v.name);
    let id = text(&v.id);
    if name.is_none() && id.is_none() {
        problems.push(at(table.span(), msg!("review.vendor_empty")));
        return None;
    }
    let assessment_digest = match &v.assessment_digest {
        None => None,
        Some(d) => {
            let value = d.get_ref().trim();
            let hex = value.strip_prefix("sha256:").unwrap_or_default();
            if hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
                Some(value.to_owned())
            } else {
                problems.push(at(d.span(), msg!("review.digest")));
                return None;
            }
        }
    };
    Some(VendorBinding {
        name,
        id,
        assessment_digest,
        location: at(table.span(), Message::verbatim("")),
    })
}

/// A mandatory text: missing or blank is a problem.
fn text_field(
    value: Option<&Spanned<String>>,
    name: &str,
    missing: &dyn Fn(&str) -> Diagnostic,
    at: &At<'_>,
    problems: &mut Vec<Diagnostic>,
) -> Option<String> {
    match value {
        None => {
            problems.push(missing(name));
            None
        }
        Some(v) if crate::model::is_blank(v.get_ref()) => {
            let message = match name {
                "reason" => msg!("review.empty_reason"),
                "reviewer" => msg!("review.empty_reviewer"),
                _ => msg!("review.empty_text", field = name),
            };
            problems.push(at(v.span(), message));
            None
        }
        Some(v) => Some(v.get_ref().trim().to_owned()),
    }
}

/// A mandatory date.
fn date_field(
    value: Option<&Spanned<toml::Value>>,
    name: &str,
    missing: &dyn Fn(&str) -> Diagnostic,
    at: &At<'_>,
    problems: &mut Vec<Diagnostic>,
) -> Option<NaiveDate> {
    match value {
        None => {
            problems.push(missing(name));
            None
        }
        Some(d) => {
            let date = date_of(d.get_ref());
            if date.is_none() {
                problems.push(at(d.span(), msg!("review.date_field", field = name)));
            }
            date
        }
    }
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
    if let Some(binding) = &review.vendor
        && !binding.matches(&assessment.vendor, assessment.vendor_id.as_deref())
    {
        let mut d = binding.location.clone();
        d.message = msg!(
            "review.other_vendor",
            declared = binding.describe(),
            vendor = assessment.vendor.as_str(),
            file = assessment.file.as_str()
        );
        return Err(Error::Invalid(vec![d]));
    }
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
