//! `snc verify REPORT.json ASSESSMENT.json`: re-evaluate and check that a report tells the truth.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use crate::cli::{Exit, Output};
use crate::diff::{self, DocReport, SourceKind};
use crate::error::{Diagnostic, Error};
use crate::gate::Policy;
use crate::i18n::t;
use crate::model::Lang;
use crate::pack::Pack;
use crate::report::Report;
use crate::review;

use super::check::evaluate_file;

#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// The JSON report to verify (from `snc check --format json` or `-o report.json`).
    pub report: PathBuf,
    /// The assessment the report claims to be about.
    pub assessment: PathBuf,
    /// The reviewer file the report applied, when it names one.
    #[arg(long, value_name = "FILE")]
    pub review: Option<PathBuf>,
}

/// One thing that differs between the report and the re-evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub what: String,
    pub in_report: String,
    pub recomputed: String,
}

fn per_mille(score: f64) -> i64 {
    #[expect(clippy::cast_possible_truncation, reason = "a score is 0–100")]
    let p = (score * 10.0).round() as i64;
    p
}

/// Compares a report read from a file with the same evaluation done now.
#[must_use]
pub fn compare(doc: &DocReport, fresh: &Report) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut check = |what: &str, in_report: String, recomputed: String| {
        if in_report != recomputed {
            out.push(Difference {
                what: what.to_owned(),
                in_report,
                recomputed,
            });
        }
    };
    check("pack id", doc.pack.id.clone(), fresh.pack.id.clone());
    check(
        "pack version",
        doc.pack.version.clone(),
        fresh.pack.version.clone(),
    );
    if let Some(v) = &doc.pack.pack_version {
        check("pack_version", v.clone(), fresh.pack.pack_version.clone());
    }
    check(
        "pack digest",
        doc.pack.digest.clone(),
        fresh.pack.digest.clone(),
    );
    check(
        "assessment digest",
        doc.assessment.digest.clone(),
        fresh.assessment.digest.clone(),
    );
    let none = || "none".to_owned();
    check(
        "reviewer file digest",
        doc.review.as_ref().map_or_else(none, |r| r.digest.clone()),
        fresh
            .review
            .as_ref()
            .map_or_else(none, |r| r.digest.clone()),
    );
    check(
        "readiness",
        doc.readiness.as_str().to_owned(),
        fresh.readiness.as_str().to_owned(),
    );
    let show = |p: i64| format!("{}.{}", p / 10, p % 10);
    check(
        "overall score",
        show(per_mille(doc.score.overall)),
        show(per_mille(fresh.score.overall)),
    );
    let reported: BTreeMap<&str, i64> = doc
        .score
        .chapters
        .iter()
        .map(|c| (c.chapter.as_str(), per_mille(c.score)))
        .collect();
    let recomputed: BTreeMap<&str, i64> = fresh
        .score
        .chapters
        .iter()
        .map(|c| (c.chapter.as_str(), per_mille(c.score)))
        .collect();
    let mut chapters: Vec<&str> = reported.keys().chain(recomputed.keys()).copied().collect();
    chapters.sort_by_key(|c| c.parse::<u32>().unwrap_or(u32::MAX));
    chapters.dedup();
    for c in chapters {
        let opt = |v: Option<&i64>| v.map_or_else(none, |p| show(*p));
        check(
            &format!("score of chapter {c}"),
            opt(reported.get(c)),
            opt(recomputed.get(c)),
        );
    }
    let fresh_by_id: BTreeMap<&str, &crate::report::RequirementView> = fresh
        .requirements
        .iter()
        .map(|r| (r.id.as_str(), r))
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    for r in &doc.requirements {
        seen.insert(r.id.as_str());
        match fresh_by_id.get(r.id.as_str()) {
            Some(f) => {
                check(
                    &format!("verdict of {}", r.id),
                    r.verdict.to_string(),
                    f.verdict.to_string(),
                );
                check(
                    &format!("declared status of {}", r.id),
                    r.declared.to_string(),
                    f.declared.to_string(),
                );
            }
            None => check(
                &format!("requirement {}", r.id),
                "listed".to_owned(),
                none(),
            ),
        }
    }
    for r in &fresh.requirements {
        if !seen.contains(r.id.as_str()) {
            check(
                &format!("requirement {}", r.id),
                none(),
                "listed".to_owned(),
            );
        }
    }
    out
}

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
    let doc: DocReport = serde_json::from_value(input.json.clone()).map_err(|e| {
        Diagnostic::file(
            &file,
            format!("not a JSON report of `snc check --format json`: {e}"),
        )
    })?;
    if doc.schema_version != crate::report::SCHEMA_VERSION {
        return Err(Diagnostic::file(
            &file,
            format!(
                "report schema_version {} is not supported: this snc reads version {}",
                doc.schema_version,
                crate::report::SCHEMA_VERSION
            ),
        )
        .into());
    }
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
    let fresh = evaluate_file(
        pack,
        &args.assessment,
        doc.as_of,
        doc.lang.unwrap_or(Lang::En),
        &Policy::default(),
        None,
        review.as_ref(),
    )?;
    let differences = compare(&doc, &fresh);
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
    for d in &differences {
        let _ = writeln!(
            out,
            "  - {}{}{} {} · {} {}",
            d.what,
            t(lang, "colon"),
            t(lang, "verify_in_report"),
            d.in_report,
            t(lang, "verify_recomputed"),
            d.recomputed
        );
    }
    Ok(Output {
        stdout: out,
        stderr: String::new(),
        exit: Exit::Differs,
    })
}
