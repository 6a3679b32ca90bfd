//! `snc verify REPORT.json ASSESSMENT.json`: re-evaluate and check that a report tells the truth.

use std::fmt::Write as _;

use crate::cli::{Exit, Output};
use crate::engine::review;
use crate::model::Lang;
use crate::model::error::{Diagnostic, Error};
use crate::model::i18n::t;
use crate::pack::Pack;
use crate::staff::diff::{self, SourceKind};

use crate::assessment::limits::Limits;
use crate::cli::VerifyArgs;
use crate::engine::RunInputs;
use crate::staff::verify::compare;

use super::check::gate_inputs;

/// At most this many differences are listed; the count says how many there are.
const MAX_LISTED: usize = 50;

pub fn verify(pack: &Pack, args: &VerifyArgs, lang: Lang) -> Result<Output, Error> {
    let bytes = std::fs::read(&args.report).map_err(|e| Error::io(&args.report, "read", e))?;
    let file = args.report.display().to_string();
    let input = diff::read(&file, &bytes)?;
    if input.kind != SourceKind::Report {
        return Err(Diagnostic::file(
            &file,
            "this is an assessment, not a JSON report: `snc verify REPORT.json ASSESSMENT.json`",
        )
        .into());
    }
    let claimed = input.json;
    let doc = crate::report::json::from_value(&file, claimed.clone())?;
    if doc.pack.id != pack.id {
        return Err(Error::Usage(format!(
            "{file} was made with the pack `{}` but the loaded pack is `{}`: pass that pack with --rules DIR",
            doc.pack.id, pack.id
        )));
    }
    if let (Some(r), None) = (&doc.review, &args.review) {
        return Err(Error::Usage(format!(
            "{file} applies a reviewer file ({}): pass it with --review FILE",
            r.digest
        )));
    }
    let review = args
        .review
        .as_deref()
        .map(|p| review::load(p, pack))
        .transpose()?;
    let (policy, baseline, _) = gate_inputs(pack, &args.gate)?;
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
            "{}{}{file} ↔ {}",
            t(lang, "verify_match"),
            t(lang, "colon"),
            args.assessment.display()
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
            "  {} {} · {} {:.1} · {} {} · {} {}",
            t(lang, "as_of"),
            fresh.as_of,
            t(lang, "score"),
            fresh.score.overall,
            t(lang, "readiness"),
            t(lang, &format!("readiness_{}", fresh.readiness.as_str())),
            fresh.requirements.len(),
            t(lang, "verify_verdicts_checked"),
        );
        return Ok(Output::ok(out));
    }
    let _ = writeln!(
        out,
        "{}{}{file} ↔ {} ({})",
        t(lang, "verify_mismatch"),
        t(lang, "colon"),
        args.assessment.display(),
        differences.len()
    );
    let absent = || t(lang, "verify_absent").to_owned();
    for d in differences.iter().take(MAX_LISTED) {
        let place = match &d.requirement {
            Some(id) => format!("{} ({id})", d.pointer),
            None => d.pointer.clone(),
        };
        let _ = writeln!(
            out,
            "  - {place}{}{} {} · {} {}",
            t(lang, "colon"),
            t(lang, "verify_in_report"),
            d.in_report.clone().unwrap_or_else(absent),
            t(lang, "verify_recomputed"),
            d.recomputed.clone().unwrap_or_else(absent)
        );
    }
    if differences.len() > MAX_LISTED {
        let _ = writeln!(
            out,
            "  … {} {}",
            differences.len() - MAX_LISTED,
            t(lang, "verify_more")
        );
    }
    if differences.iter().any(|d| d.pointer.starts_with("/gate")) {
        let _ = writeln!(out, "{}", t(lang, "verify_gate_hint"));
    }
    Ok(Output {
        stdout: out,
        stderr: String::new(),
        exit: Exit::Differs,
    })
}
