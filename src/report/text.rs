//! The terminal summary: readiness, score, chapter bars, critical gaps, counts.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use crate::model::i18n::t;
use crate::model::{Kind, Severity};

use super::Report;

fn status_label(lang: crate::model::Lang, status: crate::model::Status) -> &'static str {
    t(lang, &format!("status_{status}"))
}

fn paint(color: bool, style: Style, text: &str) -> String {
    if color {
        format!("{}{text}{}", style.render(), style.render_reset())
    } else {
        text.to_owned()
    }
}

fn style_for(score: f64) -> Style {
    let c = if score >= 90.0 {
        AnsiColor::Green
    } else if score >= 60.0 {
        AnsiColor::Yellow
    } else {
        AnsiColor::Red
    };
    Style::new().fg_color(Some(c.into()))
}

/// Renders a compact text summary; `color` adds ANSI colours (for a terminal).
#[must_use]
pub fn render_text(report: &Report, color: bool) -> String {
    let lang = report.lang;
    let bold = Style::new().bold();
    let red = Style::new().fg_color(Some(AnsiColor::Red.into())).bold();
    let green = Style::new().fg_color(Some(AnsiColor::Green.into())).bold();
    let mut out = String::new();
    let a = &report.assessment;
    let types = a
        .service_types
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let _ = writeln!(out, "{} — {}", t(lang, "title"), report.pack.id);
    let _ = writeln!(
        out,
        "{:<12} {}",
        format!("{}{}", t(lang, "vendor"), t(lang, "colon").trim_end()),
        a.vendor
    );
    let mut service = format!("{} ({types})", a.service);
    for b in &a.built_on {
        let _ = write!(
            service,
            ", {} {} {}",
            t(lang, "built_on").to_lowercase(),
            b.layer,
            b.provider.as_deref().unwrap_or("—")
        );
    }
    let _ = writeln!(
        out,
        "{:<12} {service}",
        format!("{}{}", t(lang, "service"), t(lang, "colon").trim_end())
    );
    let _ = writeln!(
        out,
        "{:<12} {}",
        format!("{}{}", t(lang, "as_of"), t(lang, "colon").trim_end()),
        report.as_of
    );
    let _ = writeln!(
        out,
        "{:<12} {} {} (pack {}, {})",
        format!("{}{}", t(lang, "pack"), t(lang, "colon").trim_end()),
        report.pack.id,
        report.pack.version,
        report.pack.pack_version,
        report.pack.digest
    );
    let _ = writeln!(
        out,
        "{:<12} {}",
        format!("{}{}", t(lang, "assessment"), t(lang, "colon").trim_end()),
        a.digest
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<12} {}",
        format!("{}{}", t(lang, "readiness"), t(lang, "colon").trim_end()),
        paint(
            color,
            match report.readiness {
                crate::engine::score::Readiness::Ineligible
                | crate::engine::score::Readiness::NotReady => red,
                _ => green,
            },
            t(lang, &format!("readiness_{}", report.readiness.as_str()))
        )
    );
    let _ = writeln!(out, "{:<12} {}", "", report.readiness_meaning);
    match &report.readiness_next {
        Some(next) => {
            let _ = writeln!(
                out,
                "{:<12} {}{}{}, {} {}{}{}",
                "",
                t(lang, "readiness_next"),
                t(lang, "colon"),
                t(lang, &format!("readiness_{}", next.level.as_str())),
                next.missing.len(),
                t(lang, "readiness_next_missing"),
                t(lang, "colon"),
                next.missing
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        None => {
            let _ = writeln!(out, "{:<12} {}", "", t(lang, "readiness_top"));
        }
    }
    let _ = writeln!(
        out,
        "{:<12} {} / 100",
        format!("{}{}", t(lang, "score"), t(lang, "colon").trim_end()),
        paint(
            color,
            style_for(report.score.overall).bold(),
            &format!("{:.1}", report.score.overall)
        )
    );
    let gate = if report.gate.passed {
        paint(color, green, t(lang, "gate_passed"))
    } else {
        paint(color, red, t(lang, "gate_failed"))
    };
    let _ = writeln!(
        out,
        "{:<12} {gate}",
        format!("{}{}", t(lang, "gate"), t(lang, "colon").trim_end())
    );
    for reason in &report.gate.reasons {
        let _ = writeln!(out, "             - {reason}");
    }
    for note in &report.gate.notes {
        let _ = writeln!(out, "             * {note}");
    }
    let reviewed: Vec<_> = report
        .requirements
        .iter()
        .filter_map(|r| r.review.as_ref().map(|v| (r, v)))
        .collect();
    if !reviewed.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            paint(
                color,
                bold,
                &format!("{} ({})", t(lang, "reviews"), reviewed.len())
            )
        );
        for (r, v) in reviewed {
            let _ = writeln!(
                out,
                "  {:<10} {} → {}  ({}{}{})  {}",
                r.id.as_str(),
                status_label(lang, v.engine_verdict),
                status_label(lang, r.verdict),
                t(lang, "declared").to_lowercase(),
                t(lang, "colon"),
                status_label(lang, r.declared),
                r.title
            );
            let _ = writeln!(
                out,
                "             {}, {}{}{}",
                v.reviewer,
                v.date,
                t(lang, "colon"),
                v.reason
            );
        }
    }

    let _ = writeln!(out, "\n{}", paint(color, bold, t(lang, "chapter_scores")));
    for c in &report.score.chapters {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a score is 0–100"
        )]
        let filled = (c.score / 10.0).round() as usize;
        let bar = format!(
            "{}{}",
            paint(color, style_for(c.score), &"█".repeat(filled.min(10))),
            "░".repeat(10 - filled.min(10))
        );
        let title: String = c.title.chars().take(44).collect();
        let _ = writeln!(
            out,
            "  {:>2}  {title:<44} {bar} {:>5.1}  {}/{}",
            c.chapter, c.score, c.met, c.applicable
        );
    }

    let gaps: Vec<_> = report
        .requirements
        .iter()
        .filter(|r| r.applicable && r.kind == Kind::Requirement && !r.verdict.is_met())
        .collect();
    let critical: Vec<_> = gaps
        .iter()
        .filter(|r| r.severity == Severity::Critical)
        .collect();
    let _ = writeln!(
        out,
        "\n{}",
        paint(
            color,
            bold,
            &format!("{} ({})", t(lang, "critical_gaps"), critical.len())
        )
    );
    if critical.is_empty() {
        let _ = writeln!(out, "  {}", t(lang, "no_critical_gaps"));
    }
    for r in &critical {
        let _ = writeln!(
            out,
            "  {} {:<22} {}",
            paint(color, red, &format!("{:<9}", r.id.as_str())),
            status_label(lang, r.verdict),
            r.title
        );
        for f in &r.findings {
            let _ = writeln!(out, "            {}: {}", f.code, f.message);
        }
    }
    let _ = writeln!(out, "\n{}", paint(color, bold, t(lang, "other_gaps")));
    for severity in [Severity::High, Severity::Medium, Severity::Low] {
        let of_severity: Vec<_> = gaps.iter().filter(|r| r.severity == severity).collect();
        let _ = writeln!(
            out,
            "  {} ({})",
            t(lang, &format!("severity_{severity}")),
            of_severity.len()
        );
        // Every high gap is named; medium and low ones are named up to a screenful.
        let shown = if severity == Severity::High {
            of_severity.len()
        } else {
            12
        };
        for r in of_severity.iter().take(shown) {
            let codes: Vec<&str> = r.findings.iter().map(|f| f.code).collect();
            let codes = if codes.is_empty() {
                String::new()
            } else {
                format!("  [{}]", codes.join(", "))
            };
            let _ = writeln!(
                out,
                "    {:<10} {:<22} {}{codes}",
                r.id.as_str(),
                status_label(lang, r.verdict),
                r.title
            );
        }
        if of_severity.len() > shown {
            let _ = writeln!(
                out,
                "    … {} {}",
                of_severity.len() - shown,
                t(lang, "more")
            );
        }
    }

    let c = &report.counts;
    let _ = writeln!(out, "\n{} ({})", t(lang, "verdicts"), c.applicable);
    for (key, n) in [
        ("status_compliant", c.compliant),
        ("status_inherited", c.inherited),
        ("status_partially_compliant", c.partially_compliant),
        ("status_non_compliant", c.non_compliant),
        ("status_not_assessed", c.not_assessed),
        ("status_not_applicable", c.not_applicable),
    ] {
        let _ = writeln!(out, "  {:<24} {n}", t(lang, key));
    }
    let mut codes: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for f in report
        .requirements
        .iter()
        .filter(|r| r.applicable)
        .flat_map(|r| &r.findings)
    {
        *codes.entry(f.code).or_default() += 1;
    }
    for f in &report.findings {
        *codes.entry(f.code).or_default() += 1;
    }
    if !codes.is_empty() {
        let _ = writeln!(out, "\n{}", t(lang, "findings"));
        for (code, n) in codes {
            let _ = writeln!(out, "  {code:<26} {n}");
        }
    }
    for f in &report.findings {
        let _ = writeln!(out, "  ! {}", f.message);
    }
    let _ = writeln!(out, "\n{}", t(lang, "hint_explain"));
    out
}
