//! `snc verify REPORT.json ASSESSMENT.json`: re-evaluate and check that a report tells the truth.

use std::fmt::Write as _;

use crate::cli::{Exit, Output};
use crate::engine::review;
use crate::model::Lang;
use crate::model::error::{Diagnostic, Error};
use crate::model::i18n::{label, number, t};
use crate::model::terminal::visible;
use crate::msg;
use crate::pack::Pack;
use crate::staff::diff::{self, SourceKind};

use crate::assessment::limits::Limits;
use crate::cli::VerifyArgs;
use crate::engine::RunInputs;
use crate::staff::verify::compare;

use super::check::gate_inputs;
use crate::engine::gate::policy::{self, Policy};
use crate::engine::score::PerMille;

/// Whether a gate option other than `--baseline` is on the command line: then it, not the report, says the policy.
fn gate_given(gate: &crate::cli::GateArgs) -> bool {
    gate.policy.is_some() || gate.fail_on.is_some() || gate.min_score.is_some()
}

/// The policy a report records: its file read again and held to the recorded digest (a changed file would make the
/// comparison meaningless), then the thresholds that were in force.
fn recorded_policy(
    pack: &Pack,
    report: &str,
    recorded: &crate::report::json::DocPolicy,
) -> Result<Policy, Error> {
    let mut policy = match (&recorded.file, &recorded.digest) {
        (Some(path), Some(digest)) => {
            let policy = policy::load(std::path::Path::new(path), pack)?;
            let found = policy.source.as_ref().map(|s| s.digest.as_str());
            if found != Some(digest.as_str()) {
                return Err(Error::Usage(msg!(
                    "verify.policy_changed",
                    report,
                    file = path.as_str(),
                    digest = digest.as_str(),
                    found = found.unwrap_or_default()
                )));
            }
            policy
        }
        _ => Policy::default(),
    };
    policy.fail_on = recorded.fail_on;
    policy.min_score = recorded
        .min_score
        .map(|m| PerMille::from_percent(m).unwrap_or(PerMille(0)));
    Ok(policy)
}

/// At most this many differences are listed; the count says how many there are.
const MAX_LISTED: usize = 50;

pub fn verify(pack: &Pack, args: &VerifyArgs, lang: Lang) -> Result<Output, Error> {
    let bytes =
        std::fs::read(&args.report).map_err(|e| Error::io(&args.report, msg!("io.read"), e))?;
    let file = args.report.display().to_string();
    let input = diff::read(&file, &bytes)?;
    if input.kind != SourceKind::Report {
        return Err(Diagnostic::file(&file, msg!("verify.assessment_given")).into());
    }
    let claimed = input.json;
    let doc = crate::report::json::from_value(&file, claimed.clone())?;
    if doc.pack.id != pack.id {
        return Err(Error::Usage(msg!(
            "verify.other_pack",
            file = file.as_str(),
            other = &doc.pack.id,
            pack = &pack.id
        )));
    }
    if let (Some(r), None) = (&doc.review, &args.review) {
        return Err(Error::Usage(msg!(
            "verify.review_needed",
            file = file.as_str(),
            digest = &r.digest
        )));
    }
    let review = args
        .review
        .as_deref()
        .map(|p| review::load(p, pack))
        .transpose()?;
    let (policy, baseline) = match &doc.policy {
        Some(recorded) if !gate_given(&args.gate) => (
            recorded_policy(pack, &file, recorded)?,
            args.gate
                .baseline
                .as_deref()
                .map(|path| crate::report::json::load_baseline(path, &pack.id))
                .transpose()?,
        ),
        _ => {
            let (policy, baseline, _) = gate_inputs(pack, &args.gate)?;
            (policy, baseline)
        }
    };
    let inputs = RunInputs {
        as_of: doc.as_of,
        policy: &policy,
        baseline: baseline.as_ref(),
        review: review.as_ref(),
    };
    let fresh = crate::report::evaluate_file(
        pack,
        &args.assessment,
        &inputs,
        &Limits::default(),
        doc.lang.unwrap_or(Lang::En),
    )?;
    let differences = compare(&claimed, &fresh);
    let mut out = String::new();
    if differences.is_empty() {
        let _ = writeln!(
            out,
            "{}{}{} ↔ {}",
            t(lang, "verify_match"),
            t(lang, "colon"),
            visible(&file),
            visible(&args.assessment.display().to_string())
        );
        let _ = writeln!(
            out,
            "  {} {} {} · {}",
            t(lang, "pack"),
            fresh.pack.id,
            fresh.pack.version,
            fresh.pack.digest
        );
        let _ = writeln!(
            out,
            "  {} {}",
            t(lang, "assessment_digest"),
            fresh.assessment.digest
        );
        let _ = writeln!(
            out,
            "  {} {} · {} {} · {} {} · {} {}",
            t(lang, "as_of"),
            fresh.as_of,
            t(lang, "score"),
            number(lang, fresh.score.overall, 1),
            t(lang, "readiness"),
            label(lang, fresh.readiness),
            fresh.requirements.len(),
            t(lang, "verify_verdicts_checked"),
        );
        return Ok(Output::ok(out));
    }
    let _ = writeln!(
        out,
        "{}{}{} ↔ {} ({})",
        t(lang, "verify_mismatch"),
        t(lang, "colon"),
        visible(&file),
        visible(&args.assessment.display().to_string()),
        differences.len()
    );
    let absent = || msg!("verify.absent").render(lang);
    for d in differences.iter().take(MAX_LISTED) {
        let what = match &d.requirement {
            Some(id) => format!("{} ({id})", d.pointer),
            None => d.pointer.clone(),
        };
        let line = msg!(
            "verify.difference",
            what,
            in_report = d.in_report.clone().unwrap_or_else(absent),
            recomputed = d.recomputed.clone().unwrap_or_else(absent)
        );
        // Pointers and values come from the report file: shown, never run by the terminal.
        let _ = writeln!(out, "  - {}", visible(&line.render(lang)));
    }
    if differences.len() > MAX_LISTED {
        let _ = writeln!(
            out,
            "  … {}",
            msg!("verify.more", count = differences.len() - MAX_LISTED).render(lang)
        );
    }
    if differences.iter().any(|d| d.pointer.starts_with("/gate")) {
        let _ = writeln!(out, "{}", msg!("verify.gate_hint").render(lang));
    }
    Ok(Output {
        stdout: out,
        stderr: String::new(),
        exit: Exit::Differs,
    })
}
