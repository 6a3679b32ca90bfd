//! Evaluation: a verdict and findings for every requirement of the pack. Pure: no I/O, no clock.

use chrono::NaiveDate;
use serde_json::Value as Json;

use crate::assessment::{Answer, Assessment, EvidenceFile};
use crate::engine::detail;
use crate::engine::result::{Code, Evaluation, Finding, RequirementResult};
use crate::model::{ServiceType, Status};
use crate::msg;
use crate::pack::cel::{Bindings, Outcome};
use crate::pack::{Pack, Requirement};

/// Evaluates every requirement of `pack` against `assessment` on `as_of`.
#[must_use]
pub fn evaluate(pack: &Pack, assessment: &Assessment, as_of: NaiveDate) -> Evaluation {
    let bindings = Bindings::new(
        &assessment.facts,
        &assessment.service,
        as_of,
        &pack.constants,
    );
    let layers: Vec<ServiceType> = assessment.built_on.iter().map(|b| b.layer).collect();
    let results = pack
        .requirements
        .iter()
        .map(|r| evaluate_one(r, assessment, &layers, &bindings, as_of))
        .collect();
    let findings = assessment
        .unknown_answers
        .iter()
        .map(|(id, line)| {
            Finding::new(
                Code::UnknownRequirement,
                &msg!(
                    "finding.unknown_requirement",
                    line = *line,
                    id = id.as_str(),
                    pack = &pack.id
                ),
            )
        })
        .collect();
    Evaluation { results, findings }
}

fn evaluate_one(
    requirement: &Requirement,
    assessment: &Assessment,
    layers: &[ServiceType],
    bindings: &Bindings,
    as_of: NaiveDate,
) -> RequirementResult {
    let answer: Option<&Answer> = assessment.answers.get(&requirement.id);
    let declared = answer.map_or(Status::NotAssessed, |a| a.status);
    let mut result = RequirementResult {
        id: requirement.id.clone(),
        chapter: requirement.chapter.clone(),
        kind: requirement.kind,
        severity: requirement.severity,
        applicable: true,
        declared,
        verdict: declared,
        findings: Vec::new(),
        inherited_from: None,
        target_date: answer.and_then(|a| a.target_date),
        owner: answer.and_then(|a| a.owner.clone()),
        evidence_date: answer.and_then(|a| a.evidence.iter().filter_map(|e| e.date).max()),
        review: None,
    };

    // 1. Applicability: service types, layers, then a factual condition (unknown facts keep it applicable).
    let condition_false = requirement
        .applies_if
        .as_ref()
        .is_some_and(|c| bindings.run(&c.program, &c.facts) == Outcome::Fail);
    if !requirement.applies_to_service(&assessment.service_types, layers) || condition_false {
        result.applicable = false;
        result.verdict = Status::NotApplicable;
        return result;
    }

    let justified = answer
        .and_then(|a| a.justification.as_deref())
        .is_some_and(|j| !j.trim().is_empty());

    // 4. Inheritance holds only for inheritable items on a provider qualified on the as-of date.
    if declared == Status::Inherited {
        if !justified {
            result.findings.push(Finding::new(
                Code::JustificationMissing,
                &msg!("finding.inherited_without_justification"),
            ));
        }
        let provider = assessment.built_on.iter().find(|b| {
            b.secnumcloud_qualified == Some(true)
                && b.qualification_valid_until.is_some_and(|d| d >= as_of)
        });
        match (requirement.inheritable, provider) {
            (false, _) => {
                result.verdict = Status::NonCompliant;
                result.findings.push(Finding::new(
                    Code::InheritanceInvalid,
                    &msg!("finding.not_inheritable"),
                ));
            }
            (true, None) => {
                result.verdict = Status::NonCompliant;
                result.findings.push(Finding::new(
                    Code::InheritanceInvalid,
                    &msg!("finding.no_qualified_provider", date = as_of),
                ));
            }
            (true, Some(p)) => {
                result.inherited_from = Some(
                    p.provider
                        .clone()
                        .unwrap_or_else(|| format!("{} provider", p.layer)),
                );
            }
        }
    }

    if declared == Status::NotApplicable && justified {
        result.findings.push(Finding::new(
            Code::DeclaredNotApplicable,
            &msg!("finding.declared_not_applicable"),
        ));
    }
    if declared == Status::NotApplicable && !justified {
        result.verdict = Status::NotAssessed;
        result.findings.push(Finding::new(
            Code::JustificationMissing,
            &msg!("finding.not_applicable_without_justification"),
        ));
    }

    // 3. Facts are the stronger evidence: any failing check makes the verdict non_compliant.
    let mut failed = false;
    for check in &requirement.checks {
        let facts: Vec<_> = check
            .facts
            .iter()
            .map(|p| crate::engine::result::FactValue {
                path: p.clone(),
                value: bindings.fact(p).cloned().unwrap_or(Json::Null),
            })
            .collect();
        match bindings.run(&check.program, &check.facts) {
            Outcome::Pass => {}
            Outcome::Fail => {
                failed = true;
                let named = check
                    .detail
                    .as_ref()
                    .and_then(|d| detail::name(d, bindings));
                let (message, at_fault) =
                    named.unwrap_or_else(|| (check.message.clone(), Vec::new()));
                result.findings.push(Finding {
                    code: Code::FactCheckFailed,
                    message,
                    facts,
                    at_fault,
                });
            }
            Outcome::Incomplete(why) => {
                let mut f = Finding::new(Code::FactMissing, &why);
                f.facts = facts;
                result.findings.push(f);
            }
            Outcome::Missing(why) => {
                let unknown: Vec<&str> = check
                    .facts
                    .iter()
                    .filter(|p| bindings.fact(p).is_none())
                    .map(String::as_str)
                    .collect();
                let mut f = if unknown.is_empty() {
                    Finding::new(Code::FactMissing, &msg!("finding.facts_uncheckable", why))
                } else {
                    let list = unknown
                        .iter()
                        .map(|p| format!("`{p}`"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    Finding::new(
                        Code::FactMissing,
                        &msg!("finding.facts_unknown", facts = list),
                    )
                };
                f.facts = facts;
                result.findings.push(f);
            }
        }
    }
    let future = future_fact_dates(requirement, bindings, as_of);
    if !future.is_empty() {
        let list = future
            .iter()
            .map(|(path, date)| format!("`{path}` {date}"))
            .collect::<Vec<_>>()
            .join(", ");
        result.findings.push(Finding::new(
            Code::DateInFuture,
            &msg!("finding.fact_in_future", as_of, list),
        ));
    }
    if failed {
        if matches!(declared, Status::Compliant | Status::Inherited) {
            result.findings.push(Finding::new(
                Code::DeclarationContradicted,
                &msg!("finding.declaration_contradicted", declared),
            ));
        }
        result.verdict = Status::NonCompliant;
    }

    // 5. A compliant claim needs evidence, fresh where the referential sets a periodicity. Evidence dated after
    // the evaluation date does not exist yet on that date: it is never fresh.
    let evidence = answer.map_or(&[][..], |a| a.evidence.as_slice());
    let future_evidence: Vec<NaiveDate> = evidence
        .iter()
        .filter_map(|e| e.date)
        .filter(|d| *d > as_of)
        .collect();
    if !future_evidence.is_empty() {
        let list = future_evidence
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        result.findings.push(Finding::new(
            Code::DateInFuture,
            &msg!("finding.evidence_in_future", as_of, list),
        ));
        if result.verdict == Status::Compliant {
            result.verdict = Status::PartiallyCompliant;
        }
    }
    let newest_evidence = evidence
        .iter()
        .filter_map(|e| e.date)
        .filter(|d| *d <= as_of)
        .max();
    if result.verdict == Status::Compliant {
        if evidence.is_empty() {
            result.verdict = Status::PartiallyCompliant;
            result.findings.push(Finding::new(
                Code::EvidenceMissing,
                &msg!("finding.evidence_missing"),
            ));
        } else if let Some(months) = requirement.max_age_months {
            let fresh =
                newest_evidence.is_some_and(|d| crate::pack::cel::within_months(d, months, as_of));
            if !fresh {
                result.verdict = Status::PartiallyCompliant;
                let message = match newest_evidence {
                    Some(date) => msg!("finding.evidence_stale", date, months, as_of),
                    None => msg!("finding.evidence_undated", months),
                };
                result
                    .findings
                    .push(Finding::new(Code::EvidenceStale, &message));
            }
        }
    }

    // An attached evidence file that is gone or no longer the one recorded does not support the claim.
    let mut file_problem = false;
    for e in evidence {
        let Some(reference) = &e.reference else {
            continue;
        };
        match assessment.evidence_files.get(reference) {
            Some(EvidenceFile::Missing) => {
                file_problem = true;
                result.findings.push(Finding::new(
                    Code::EvidenceFileMissing,
                    &msg!(
                        "finding.evidence_file_missing",
                        reference = reference.as_str()
                    ),
                ));
            }
            Some(EvidenceFile::Changed { .. }) => {
                file_problem = true;
                result.findings.push(Finding::new(
                    Code::EvidenceFileChanged,
                    &msg!(
                        "finding.evidence_file_changed",
                        reference = reference.as_str()
                    ),
                ));
            }
            None => {}
        }
    }
    if file_problem && result.verdict == Status::Compliant {
        result.verdict = Status::PartiallyCompliant;
    }

    // A compliant claim whose facts are unknown is not verified: it cannot count in full.
    if result.verdict == Status::Compliant && result.has(Code::FactMissing) {
        result.verdict = Status::PartiallyCompliant;
    }

    if let Some(target) = result.target_date
        && target < as_of
        && !result.verdict.is_met()
    {
        result.findings.push(Finding::new(
            Code::TargetDateOverdue,
            &msg!("finding.target_date_overdue", date = target),
        ));
    }
    result
}

/// The date-shaped values of the facts `requirement`'s checks read that fall after `as_of`, by fact path, in check
/// order. Every date in the fact vocabulary is the date of something done (a review, an audit, a change), so one
/// still to come is a mistake or a plan, never a fresh record.
fn future_fact_dates(
    requirement: &Requirement,
    bindings: &Bindings,
    as_of: NaiveDate,
) -> Vec<(String, NaiveDate)> {
    fn walk(value: &Json, as_of: NaiveDate, out: &mut Vec<NaiveDate>) {
        match value {
            Json::String(s) if s.len() == 10 => {
                if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    && d > as_of
                    && !out.contains(&d)
                {
                    out.push(d);
                }
            }
            Json::Array(items) => items.iter().for_each(|v| walk(v, as_of, out)),
            Json::Object(map) => map.values().for_each(|v| walk(v, as_of, out)),
            _ => {}
        }
    }
    let mut found: Vec<(String, NaiveDate)> = Vec::new();
    for path in requirement.checks.iter().flat_map(|c| &c.facts) {
        if found.iter().any(|(p, _)| p == path) {
            continue;
        }
        let mut dates = Vec::new();
        if let Some(value) = bindings.fact(path) {
            walk(value, as_of, &mut dates);
        }
        found.extend(dates.into_iter().map(|d| (path.clone(), d)));
    }
    found
}
