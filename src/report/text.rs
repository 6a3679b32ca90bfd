//! The terminal summary: readiness, score, chapter bars, critical gaps, counts.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use crate::model::i18n::{label, number, t};
use crate::model::terminal::visible;
use crate::model::{Kind, Severity, Status};
use crate::msg;

use super::Report;

fn paint(color: bool, style: Style, text: &str) -> String {
    if color {
        format!("{}{text}{}", style.render(), style.render_reset())
    } else {
        text.to_owned()
    }
}

/// A section's title on a line of its own after a blank line, in bold, with its item count when it has one.
fn heading(out: &mut String, color: bool, title: &str, count: Option<usize>) {
    let title = match count {
        Some(n) => format!("{title} ({n})"),
        None => title.to_owned(),
    };
    let _ = writeln!(out, "\n{}", paint(color, Style::new().bold(), &title));
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
        visible(&a.vendor)
    );
    let mut service = format!("{} ({types})", visible(&a.service));
    for b in &a.built_on {
        let _ = write!(
            service,
            ", {} {} {}",
            t(lang, "built_on").to_lowercase(),
            b.layer,
            visible(b.provider.as_deref().unwrap_or("—"))
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
    let pack = msg!(
        "text.pack",
        id = &report.pack.id,
        version = &report.pack.version,
        pack_version = &report.pack.pack_version,
        digest = &report.pack.digest
    );
    let _ = writeln!(
        out,
        "{:<12} {}",
        format!("{}{}", t(lang, "pack"), t(lang, "colon").trim_end()),
        pack.render(lang)
    );
    let _ = writeln!(
        out,
        "{:<12} {}",
        format!("{}{}", t(lang, "assessment"), t(lang, "colon").trim_end()),
        a.digest
    );
    let _ = writeln!(
        out,
        "{:<12} {}",
        format!("{}{}", t(lang, "policy_label"), t(lang, "colon").trim_end()),
        visible(&super::policy_line(report))
    );
    for w in &report.policy.waivers {
        let line = super::waiver_line(report, w, |text, _| text.to_owned());
        let _ = writeln!(
            out,
            "{:<12} {}",
            "",
            visible(&line.replace(['\r', '\n'], " "))
        );
    }
    let _ = writeln!(out);
    if let Some(why) = super::guide::ineligible_because(report) {
        let _ = writeln!(out, "{}\n", paint(color, red, &visible(&why)));
    }
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
            label(lang, report.readiness)
        )
    );
    let ladder: Vec<String> = crate::engine::score::Readiness::ALL
        .iter()
        .map(|&level| {
            if level == report.readiness {
                paint(color, bold, &format!("[{}]", label(lang, level)))
            } else {
                label(lang, level).to_owned()
            }
        })
        .collect();
    let _ = writeln!(out, "{:<12} {}", "", ladder.join(" → "));
    let _ = writeln!(out, "{:<12} {}", "", report.readiness_meaning);
    match &report.readiness_next {
        Some(next) => {
            let _ = writeln!(
                out,
                "{:<12} {}{}{}, {} {}{}{}",
                "",
                t(lang, "readiness_next"),
                t(lang, "colon"),
                label(lang, next.level),
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
    let score_label = format!("{}{}", t(lang, "score"), t(lang, "colon").trim_end());
    match super::guide::score_caveat(report) {
        None => {
            let _ = writeln!(
                out,
                "{score_label:<12} {} / 100",
                paint(
                    color,
                    style_for(report.score.overall).bold(),
                    &number(lang, report.score.overall, 1)
                )
            );
        }
        Some(caveat) => {
            let _ = writeln!(
                out,
                "{score_label:<12} {}",
                paint(color, bold, &super::guide::score_display(report))
            );
            let _ = writeln!(out, "{:<12} {caveat}", "");
        }
    }
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
        let _ = writeln!(out, "             - {}", visible(reason));
    }
    for note in &report.gate.notes {
        let _ = writeln!(out, "             * {}", visible(note));
    }
    let reviewed: Vec<_> = report
        .requirements
        .iter()
        .filter_map(|r| r.review.as_ref().map(|v| (r, v)))
        .collect();
    if !reviewed.is_empty() {
        heading(&mut out, color, t(lang, "reviews"), Some(reviewed.len()));
        for (r, v) in reviewed {
            let _ = writeln!(
                out,
                "  {:<10} {} → {}  ({}{}{})  {}",
                r.id.as_str(),
                label(lang, v.engine_verdict),
                label(lang, r.verdict),
                t(lang, "declared").to_lowercase(),
                t(lang, "colon"),
                label(lang, r.declared),
                visible(&r.title)
            );
            let _ = writeln!(
                out,
                "             {}, {}{}{}",
                visible(&v.reviewer),
                v.date,
                t(lang, "colon"),
                visible(&v.reason)
            );
        }
    }

    if let Some(review) = &report.review {
        if !review.stale_decisions.is_empty() {
            let ids: Vec<&str> = review
                .stale_decisions
                .iter()
                .map(crate::model::RequirementId::as_str)
                .collect();
            let _ = writeln!(out, "\n{} {}", t(lang, "review_stale"), ids.join(", "));
        }
        if !review.requests.is_empty() {
            heading(
                &mut out,
                color,
                t(lang, "review_requests"),
                Some(review.requests.len()),
            );
            for q in &review.requests {
                let state = match q.state {
                    "overdue" => t(lang, "request_overdue"),
                    "closed" => t(lang, "request_closed"),
                    _ => t(lang, "request_open"),
                };
                let _ = writeln!(
                    out,
                    "  {:<10} {} · {}{}{} · {}",
                    q.request.id.as_str(),
                    state,
                    t(lang, "review_due"),
                    t(lang, "colon"),
                    q.request.due,
                    visible(&q.request.evidence)
                );
            }
        }
        if !review.notes.is_empty() {
            heading(
                &mut out,
                color,
                t(lang, "review_notes"),
                Some(review.notes.len()),
            );
            for n in &review.notes {
                let id = n.id.as_ref().map_or("", |id| id.as_str());
                let _ = writeln!(
                    out,
                    "  {:<10} {} ({}, {})",
                    id,
                    visible(&n.text),
                    visible(&n.reviewer),
                    n.date
                );
            }
        }
    }

    heading(&mut out, color, t(lang, "progress"), None);
    for (name, done, total, percent) in super::guide::progress_lines(report) {
        let _ = writeln!(out, "  {name:<40} {done:>4} / {total:<4} {percent:>3} %");
    }

    let actions = super::guide::first_actions(report);
    heading(&mut out, color, t(lang, "first_actions"), None);
    if actions.is_empty() {
        let _ = writeln!(out, "  {}", t(lang, "no_actions"));
    }
    for (i, a) in actions.iter().enumerate() {
        let r = a.requirement;
        let why = a.why_text(report);
        let _ = writeln!(
            out,
            "  {:>2}. {:<9} {:<9} {:<22} {}{}",
            i + 1,
            r.id.as_str(),
            label(lang, r.severity),
            label(lang, r.verdict),
            visible(&r.title),
            if why.is_empty() {
                String::new()
            } else {
                format!("  ({why})")
            }
        );
        let owner = r
            .owner
            .as_deref()
            .filter(|o| !o.trim().is_empty())
            .map_or_else(
                || t(lang, "to_assign").to_owned(),
                |o| visible(o).into_owned(),
            );
        let date = r
            .target_date
            .map_or_else(|| t(lang, "to_plan").to_owned(), |d| d.to_string());
        let _ = writeln!(
            out,
            "      {}{}{owner} · {}{}{date}",
            t(lang, "owner"),
            t(lang, "colon"),
            t(lang, "target_date"),
            t(lang, "colon")
        );
    }

    heading(&mut out, color, t(lang, "chapter_scores"), None);
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
        let title: String = visible(&c.title).chars().take(44).collect();
        let _ = writeln!(
            out,
            "  {:>2}  {title:<44} {bar} {:>5}  {}/{}",
            c.chapter,
            number(lang, c.score, 1),
            c.met,
            c.applicable
        );
    }

    let gaps: Vec<_> = report
        .requirements
        .iter()
        .filter(|r| {
            r.applicable
                && r.kind == Kind::Requirement
                && !r.verdict.is_met()
                && r.verdict != Status::NotAssessed
        })
        .collect();
    // A critical item stays among the critical gaps even unanswered.
    let critical: Vec<_> = report
        .requirements
        .iter()
        .filter(|r| {
            r.applicable
                && r.kind == Kind::Requirement
                && !r.verdict.is_met()
                && r.severity == Severity::Critical
        })
        .collect();
    heading(
        &mut out,
        color,
        t(lang, "critical_gaps"),
        Some(critical.len()),
    );
    if critical.is_empty() {
        let _ = writeln!(out, "  {}", t(lang, "no_critical_gaps"));
    }
    for r in &critical {
        let _ = writeln!(
            out,
            "  {} {:<22} {}",
            paint(color, red, &format!("{:<9}", r.id.as_str())),
            label(lang, r.verdict),
            visible(&r.title)
        );
        for f in &r.findings {
            let _ = writeln!(out, "            {}: {}", f.code, visible(&f.message));
        }
    }
    heading(&mut out, color, t(lang, "other_gaps"), None);
    for severity in [Severity::High, Severity::Medium, Severity::Low] {
        let of_severity: Vec<_> = gaps.iter().filter(|r| r.severity == severity).collect();
        let _ = writeln!(out, "  {} ({})", label(lang, severity), of_severity.len());
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
                label(lang, r.verdict),
                visible(&r.title)
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

    let unanswered: Vec<&str> = report
        .requirements
        .iter()
        .filter(|r| r.applicable && r.kind == Kind::Requirement && r.verdict == Status::NotAssessed)
        .map(|r| r.id.as_str())
        .collect();
    heading(
        &mut out,
        color,
        t(lang, "not_assessed_items"),
        Some(unanswered.len()),
    );
    if unanswered.is_empty() {
        let _ = writeln!(out, "  {}", t(lang, "no_not_assessed"));
    }
    for line in unanswered.chunks(10) {
        let _ = writeln!(out, "  {}", line.join(", "));
    }

    let c = &report.counts;
    let _ = writeln!(out, "\n{} ({})", t(lang, "verdicts"), c.applicable);
    for (status, n) in [
        (Status::Compliant, c.compliant),
        (Status::Inherited, c.inherited),
        (Status::PartiallyCompliant, c.partially_compliant),
        (Status::NonCompliant, c.non_compliant),
        (Status::NotAssessed, c.not_assessed),
        (Status::NotApplicable, c.not_applicable),
    ] {
        let _ = writeln!(out, "  {:<24} {n}", label(lang, status));
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
        let _ = writeln!(out, "  ! {}", visible(&f.message));
    }
    let _ = writeln!(out, "\n{}", t(lang, "hint_explain"));
    out
}
