//! The CI policy (`snc.toml`): thresholds, evidence rules, the baseline margin and waivers. Parsed strictly (unknown
//! keys and values are errors, each located by `file:line:col`), then validated against the pack into [`Policy`].

use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;
use toml::Spanned;

use crate::engine::result::{Code, Finding, RequirementResult};
use crate::engine::score::PerMille;
use crate::model::error::{Diagnostic, Error, library_message};
use crate::model::i18n::{Arg, Message};
use crate::model::{RequirementId, Severity, Texts};
use crate::msg;
use crate::pack::Pack;

/// The file `snc check` reads from the current folder when no `--policy` is given.
pub const DEFAULT_FILE: &str = "snc.toml";

/// What fails the gate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// A gap at or above this severity fails; `None` never fails on gaps.
    pub fail_on: Option<Severity>,
    /// An overall score below this fails.
    pub min_score: Option<PerMille>,
    /// A chapter score below its minimum fails, by chapter number in pack order.
    pub min_chapter_score: Vec<(String, PerMille)>,
    /// An applicable requirement with an `evidence-stale` finding fails, whatever its severity.
    pub fail_on_stale_evidence: bool,
    /// An applicable requirement with an `evidence-missing` finding fails, whatever its severity.
    pub fail_on_missing_evidence: bool,
    /// With a baseline, an overall score drop larger than this fails.
    pub max_score_drop: PerMille,
    /// Accepted gaps, in file order.
    pub waivers: Vec<Waiver>,
    /// The file the policy was read from; `None` for the built-in defaults.
    pub source: Option<PolicySource>,
}

/// Where a policy came from, for the reports' provenance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicySource {
    /// The file as named (`--policy FILE`, or `snc.toml` found in the current folder).
    pub file: String,
    /// SHA-256 of the file's bytes, `sha256:…`.
    pub digest: String,
}

impl Default for Policy {
    /// By default any unmet applicable critical requirement fails, there is no minimum score, no evidence rule, and
    /// any score drop against a baseline fails.
    fn default() -> Self {
        Self {
            fail_on: Some(Severity::Critical),
            min_score: None,
            min_chapter_score: Vec::new(),
            fail_on_stale_evidence: false,
            fail_on_missing_evidence: false,
            max_score_drop: PerMille(0),
            waivers: Vec::new(),
            source: None,
        }
    }
}

/// An accepted gap: it does not fail the gate until the day after `expires`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiver {
    pub id: RequirementId,
    pub reason: String,
    pub approved_by: String,
    /// Last day on which the waiver applies.
    pub expires: NaiveDate,
}

impl Waiver {
    /// A waiver applies up to and including its expiry date.
    #[must_use]
    pub fn applies_on(&self, as_of: NaiveDate) -> bool {
        as_of <= self.expires
    }
}

/// `fail-on`, a closed vocabulary.
#[derive(Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum RawFailOn {
    Critical,
    High,
    Medium,
    Low,
    Never,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPolicy {
    #[serde(default)]
    min_score: Option<Spanned<toml::Value>>,
    #[serde(default)]
    fail_on: Option<RawFailOn>,
    #[serde(default)]
    min_chapter_score: std::collections::BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    fail_on_stale_evidence: bool,
    #[serde(default)]
    fail_on_missing_evidence: bool,
    #[serde(default)]
    max_score_drop: Option<Spanned<toml::Value>>,
    #[serde(default)]
    waiver: Vec<RawWaiver>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawWaiver {
    id: Spanned<String>,
    reason: Spanned<String>,
    approved_by: Spanned<String>,
    expires: Spanned<toml::Value>,
}

/// Reads and validates a policy file.
pub fn load(path: &Path, pack: &Pack) -> Result<Policy, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, msg!("io.read_policy"), e))?;
    let name = path.display().to_string();
    let digest = {
        use sha2::Digest as _;
        format!("sha256:{:x}", sha2::Sha256::digest(&bytes))
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::from(Diagnostic::file(&name, msg!("policy.not_utf8"))))?;
    let mut policy = parse(&name, &text, pack)?;
    policy.source = Some(PolicySource { file: name, digest });
    Ok(policy)
}

/// Validates a policy given as text; `file` names it in diagnostics. Every problem is reported at once.
pub fn parse(file: &str, text: &str, pack: &Pack) -> Result<Policy, Error> {
    let at = |span: std::ops::Range<usize>, message: Message| {
        Diagnostic::at(file, text, span.start, message)
    };
    let raw: RawPolicy = toml::from_str(text).map_err(|e| {
        let message = msg!(
            "policy.invalid",
            detail = library_message(e.message().trim())
        );
        Error::from(match e.span() {
            Some(span) => at(span, message),
            None => Diagnostic::file(file, message),
        })
    })?;
    let mut diagnostics = Vec::new();
    let mut policy = Policy::default();

    if let Some(value) = &raw.min_score {
        match score_value(value.get_ref()) {
            Some(p) => policy.min_score = Some(p),
            None => diagnostics.push(at(value.span(), msg!("policy.min_score"))),
        }
    }
    if let Some(fail_on) = raw.fail_on {
        policy.fail_on = fail_on_severity(fail_on);
    }
    for (chapter, value) in &raw.min_chapter_score {
        if pack.chapter(chapter).is_none() {
            let known = pack
                .chapters
                .iter()
                .map(|c| c.number.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            diagnostics.push(at(
                value.span(),
                msg!("policy.unknown_chapter", chapter = chapter.as_str(), known),
            ));
            continue;
        }
        match score_value(value.get_ref()) {
            Some(p) => policy.min_chapter_score.push((chapter.clone(), p)),
            None => diagnostics.push(at(
                value.span(),
                msg!("policy.chapter_score", chapter = chapter.as_str()),
            )),
        }
    }
    policy.min_chapter_score.sort_by_key(|(chapter, _)| {
        pack.chapters
            .iter()
            .position(|c| &c.number == chapter)
            .unwrap_or(usize::MAX)
    });
    policy.fail_on_stale_evidence = raw.fail_on_stale_evidence;
    policy.fail_on_missing_evidence = raw.fail_on_missing_evidence;
    if let Some(value) = &raw.max_score_drop {
        match score_value(value.get_ref()) {
            Some(p) => policy.max_score_drop = p,
            None => diagnostics.push(at(value.span(), msg!("policy.max_score_drop"))),
        }
    }

    for waiver in &raw.waiver {
        let id = match waiver.id.get_ref().parse::<RequirementId>() {
            Ok(id) => Some(id),
            Err(e) => {
                diagnostics.push(at(
                    waiver.id.span(),
                    msg!("policy.waiver_id", error = e.message()),
                ));
                None
            }
        };
        for (field, value) in [
            ("reason", &waiver.reason),
            ("approved-by", &waiver.approved_by),
        ] {
            if crate::model::is_blank(value.get_ref()) {
                diagnostics.push(at(value.span(), msg!("policy.waiver_empty", field)));
            }
        }
        let expires = date_value(waiver.expires.get_ref());
        if expires.is_none() {
            diagnostics.push(at(waiver.expires.span(), msg!("policy.waiver_expires")));
        }
        if let Some(id) = &id
            && policy.waivers.iter().any(|w| &w.id == id)
        {
            diagnostics.push(at(waiver.id.span(), msg!("policy.waiver_twice", id)));
            continue;
        }
        if let (Some(id), Some(expires)) = (id, expires) {
            policy.waivers.push(Waiver {
                id,
                reason: waiver.reason.get_ref().trim().to_owned(),
                approved_by: waiver.approved_by.get_ref().trim().to_owned(),
                expires,
            });
        }
    }
    if diagnostics.is_empty() {
        Ok(policy)
    } else {
        Err(Error::Invalid(diagnostics))
    }
}

fn fail_on_severity(raw: RawFailOn) -> Option<Severity> {
    match raw {
        RawFailOn::Critical => Some(Severity::Critical),
        RawFailOn::High => Some(Severity::High),
        RawFailOn::Medium => Some(Severity::Medium),
        RawFailOn::Low => Some(Severity::Low),
        RawFailOn::Never => None,
    }
}

fn score_value(value: &toml::Value) -> Option<PerMille> {
    match value {
        toml::Value::Integer(i) => i32::try_from(*i)
            .ok()
            .and_then(|i| PerMille::from_percent(f64::from(i))),
        toml::Value::Float(f) => PerMille::from_percent(*f),
        _ => None,
    }
}

/// A TOML local date (`2027-03-31`) or a string holding one (`"2027-03-31"`).
fn date_value(value: &toml::Value) -> Option<NaiveDate> {
    match value {
        toml::Value::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => {
                NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                    .filter(|d| crate::model::date::in_range(*d))
            }
            _ => None,
        },
        toml::Value::String(s) => crate::model::date::parse(s),
        _ => None,
    }
}

/// Applies the policy's waivers on `as_of`: each waived gap gets a `waived` finding (its verdict unchanged). Returns
/// gate notes for waivers that do not apply: expired, or matching no gap.
pub fn apply_waivers(
    policy: &Policy,
    results: &mut [RequirementResult],
    as_of: NaiveDate,
) -> Vec<Texts> {
    let mut notes = Vec::new();
    for waiver in &policy.waivers {
        let id = &waiver.id;
        if !waiver.applies_on(as_of) {
            notes.push(msg!("waiver.expired", id, expires = waiver.expires, as_of).texts());
            continue;
        }
        match results.iter_mut().find(|r| &r.id == id) {
            None => notes.push(msg!("waiver.no_requirement", id).texts()),
            Some(r) if !r.is_gap() => {
                let why: Arg = if r.kind == crate::model::Kind::Recommendation {
                    msg!("waiver.recommendation").into()
                } else if r.applicable {
                    r.verdict.into()
                } else {
                    crate::model::Status::NotApplicable.into()
                };
                notes.push(msg!("waiver.not_a_gap", id, why).texts());
            }
            Some(r) => r.findings.push(Finding::new(
                Code::Waived,
                &msg!(
                    "finding.waived",
                    expires = waiver.expires,
                    approved_by = waiver.approved_by.as_str(),
                    reason = waiver.reason.as_str()
                ),
            )),
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack() -> &'static Pack {
        static PACK: std::sync::OnceLock<Pack> = std::sync::OnceLock::new();
        PACK.get_or_init(|| Pack::embedded().unwrap_or_else(|d| panic!("{d:#?}")))
    }

    fn errors(text: &str) -> String {
        match parse("snc.toml", text, pack()) {
            Ok(p) => panic!("accepted: {p:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn empty_file_is_the_default_policy() {
        assert_eq!(
            parse("snc.toml", "", pack()).expect("valid"),
            Policy::default()
        );
    }

    #[test]
    fn reads_every_setting() {
        let text = r#"
min-score = 72.4
fail-on = "high"
fail-on-stale-evidence = true
fail-on-missing-evidence = true
max-score-drop = 2

[min-chapter-score]
"19" = 100
"5" = 80.5

[[waiver]]
id = "12.6.c"
reason = "log store migration"
approved-by = "CISO"
expires = 2027-03-31

[[waiver]]
id = "9.6.f"
reason = "MFA roll-out"
approved-by = "CTO"
expires = "2027-01-15"
"#;
        let p = parse("snc.toml", text, pack()).expect("valid");
        assert_eq!(p.min_score, Some(PerMille(724)));
        assert_eq!(p.fail_on, Some(Severity::High));
        assert!(p.fail_on_stale_evidence && p.fail_on_missing_evidence);
        assert_eq!(p.max_score_drop, PerMille(20));
        assert_eq!(
            p.min_chapter_score,
            vec![
                ("5".to_owned(), PerMille(805)),
                ("19".to_owned(), PerMille(1000))
            ],
            "chapters in pack order"
        );
        assert_eq!(p.waivers.len(), 2);
        assert_eq!(
            p.waivers[1].expires,
            NaiveDate::from_ymd_opt(2027, 1, 15).expect("date")
        );
    }

    #[test]
    fn fail_on_never_turns_the_severity_rule_off() {
        let p = parse("snc.toml", "fail-on = \"never\"", pack()).expect("valid");
        assert_eq!(p.fail_on, None);
    }

    #[test]
    fn rejects_an_unknown_key_with_its_place() {
        let err = errors("min-score = 70\nfail-on-stale = true\n");
        assert!(
            err.contains("snc.toml:2:1:") && err.contains("unknown field `fail-on-stale`"),
            "{err}"
        );
    }

    #[test]
    fn rejects_an_unknown_severity() {
        let err = errors("fail-on = \"hihg\"\n");
        assert!(
            err.contains("snc.toml:1:11:") && err.contains("hihg"),
            "{err}"
        );
    }

    #[test]
    fn rejects_a_score_of_the_wrong_type_or_range() {
        let err = errors(
            "min-score = \"70\"\nmax-score-drop = 101\n[min-chapter-score]\n\"19\" = -1\n\"42\" = 50\n",
        );
        assert!(
            err.contains("snc.toml:1:13: `min-score` must be a number"),
            "{err}"
        );
        assert!(err.contains("snc.toml:2:18: `max-score-drop`"), "{err}");
        assert!(err.contains("snc.toml:4:8:"), "{err}");
        assert!(
            err.contains("snc.toml:5:8:") && err.contains("no chapter `42`"),
            "{err}"
        );
        assert!(err.contains("4 errors"), "{err}");
    }

    #[test]
    fn rejects_a_waiver_without_reason() {
        let err =
            errors("[[waiver]]\nid = \"12.6.c\"\napproved-by = \"CISO\"\nexpires = 2027-03-31\n");
        assert!(
            err.contains("snc.toml:") && err.contains("missing field `reason`"),
            "{err}"
        );
    }

    #[test]
    fn rejects_a_waiver_without_expiry() {
        let err = errors("[[waiver]]\nid = \"12.6.c\"\nreason = \"x\"\napproved-by = \"CISO\"\n");
        assert!(err.contains("missing field `expires`"), "{err}");
    }

    #[test]
    fn rejects_a_malformed_id_date_and_empty_texts_all_at_once() {
        let err = errors(
            "[[waiver]]\nid = \"12.6.C\"\nreason = \" \"\napproved-by = \"\"\nexpires = \"31/03/2027\"\n",
        );
        assert!(
            err.contains("snc.toml:2:6: waiver `id`: `12.6.C` is not a requirement id"),
            "{err}"
        );
        assert!(
            err.contains("snc.toml:3:10: waiver `reason` must not be empty"),
            "{err}"
        );
        assert!(err.contains("snc.toml:4:15: waiver `approved-by`"), "{err}");
        assert!(
            err.contains("snc.toml:5:11: waiver `expires` must be a date"),
            "{err}"
        );
    }

    #[test]
    fn rejects_an_impossible_date_and_a_date_time() {
        let err = errors(
            "[[waiver]]\nid = \"12.6.c\"\nreason = \"x\"\napproved-by = \"y\"\nexpires = 2027-02-30\n",
        );
        assert!(err.contains("snc.toml:5:"), "{err}");
        let err = errors(
            "[[waiver]]\nid = \"12.6.c\"\nreason = \"x\"\napproved-by = \"y\"\nexpires = 2027-02-01T10:00:00\n",
        );
        assert!(
            err.contains("snc.toml:5:11: waiver `expires` must be a date"),
            "{err}"
        );
    }

    #[test]
    fn rejects_two_waivers_for_one_requirement() {
        let one = "[[waiver]]\nid = \"12.6.c\"\nreason = \"x\"\napproved-by = \"y\"\nexpires = 2027-03-31\n";
        let err = errors(&format!("{one}{one}"));
        assert!(
            err.contains("snc.toml:7:6: a second waiver for `12.6.c`"),
            "{err}"
        );
    }

    #[test]
    fn waiver_applies_on_its_expiry_day_and_not_the_day_after() {
        let w = Waiver {
            id: "12.6.c".parse().expect("id"),
            reason: "x".to_owned(),
            approved_by: "y".to_owned(),
            expires: NaiveDate::from_ymd_opt(2026, 11, 28).expect("date"),
        };
        assert!(w.applies_on(NaiveDate::from_ymd_opt(2026, 11, 28).expect("date")));
        assert!(!w.applies_on(NaiveDate::from_ymd_opt(2026, 11, 29).expect("date")));
    }

    #[test]
    fn per_mille_rounds_to_one_decimal_and_rejects_out_of_range() {
        assert_eq!(PerMille::from_percent(70.06), Some(PerMille(701)));
        assert_eq!(PerMille::from_percent(70.04), Some(PerMille(700)));
        assert_eq!(PerMille::from_percent(0.0), Some(PerMille(0)));
        assert_eq!(PerMille::from_percent(100.0), Some(PerMille(1000)));
        assert_eq!(PerMille::from_percent(100.01), None);
        assert_eq!(PerMille::from_percent(-0.5), None);
        assert_eq!(PerMille::from_percent(f64::NAN), None);
    }
}
