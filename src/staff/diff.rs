//! Progress between two submissions of one vendor: verdicts that improved or regressed, gaps opened and closed,
//! evidence that went stale, score and readiness changes (docs/diff.md). Each side is a JSON report from
//! `snc check --format json` or an assessment evaluated on its date.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value as Json;

use crate::engine::score::Readiness;
use crate::model::error::{Diagnostic, Error};
use crate::model::i18n::{Word, catalog, label, number, t};
use crate::model::terminal::visible;
use crate::model::{Kind, Lang, Severity, Status};
use crate::msg;
use crate::pack::Pack;
use crate::report::{Report, Tool, verdict_class};

/// Version of the JSON diff format.
pub const DIFF_VERSION: u32 = 1;

/// What a file given to `snc diff` holds, told from its content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A JSON report (`schema_version`).
    Report,
    /// An assessment (`format`), evaluated by `snc diff`.
    Assessment,
}

/// A file read for a diff: its JSON and what it is.
pub struct Input {
    pub file: String,
    pub kind: SourceKind,
    pub json: Json,
    pub text: String,
}

impl Input {
    /// The pack id the file names.
    #[must_use]
    pub fn pack_id(&self) -> Option<&str> {
        match self.kind {
            SourceKind::Report => self.json.pointer("/pack/id").and_then(Json::as_str),
            SourceKind::Assessment => self.json.get("pack").and_then(Json::as_str),
        }
    }
}

/// Reads a file and tells a report from an assessment by its content.
pub fn read(file: &str, bytes: &[u8]) -> Result<Input, Error> {
    let text = String::from_utf8(bytes.to_vec())
        .map_err(|e| Diagnostic::file(file, msg!("diff.not_utf8", error = e.to_string())))?;
    let text = crate::model::json::without_bom(&text).into_owned();
    let json: Json = crate::model::json::parse_strict(&text)
        .map_err(|e| Diagnostic::json(file, &text, &e, |detail| msg!("json.invalid", detail)))?;
    let kind = if json.get("schema_version").is_some() && json.get("requirements").is_some() {
        SourceKind::Report
    } else if json.get("format").is_some() {
        SourceKind::Assessment
    } else {
        return Err(Diagnostic::file(file, msg!("diff.neither")).into());
    };
    Ok(Input {
        file: file.to_owned(),
        kind,
        json,
        text,
    })
}

/// One side of a diff, from either kind of input.
#[derive(Clone, Debug)]
pub struct Side {
    pub source: SourceKind,
    pub pack_id: String,
    pub pack_version: String,
    pub pack_pack_version: String,
    pub pack_digest: String,
    pub vendor: String,
    pub service: String,
    pub assessment_digest: String,
    pub as_of: NaiveDate,
    pub readiness: Readiness,
    /// Per-mille.
    pub score: i64,
    /// Chapter → per-mille.
    pub chapters: BTreeMap<String, i64>,
    /// Chapter titles as the side names them (used when the loaded pack lacks the chapter).
    pub chapter_titles: HashMap<String, String>,
    pub requirements: Vec<SideRequirement>,
}

#[derive(Clone, Debug)]
pub struct SideRequirement {
    pub id: String,
    pub chapter: String,
    pub kind: Kind,
    pub severity: Severity,
    pub applicable: bool,
    pub verdict: Status,
    pub title: String,
    pub stale: bool,
    /// What the vendor declared.
    pub declared: Status,
    /// The evidence listed, each as `title (ref, date)`.
    pub evidence: Vec<String>,
    /// Facts the requirement's checks read, with their values (`null` when unknown): every one for an
    /// assessment (see [`Side::with_facts`]), those its findings recorded for a JSON report.
    pub facts: BTreeMap<String, Json>,
}

/// A piece of evidence as a diff names it.
fn evidence_label(title: &str, reference: Option<&str>, date: Option<NaiveDate>) -> String {
    let mut parts = Vec::new();
    if let Some(r) = reference.filter(|r| !r.trim().is_empty()) {
        parts.push(r.to_owned());
    }
    if let Some(d) = date {
        parts.push(d.to_string());
    }
    if parts.is_empty() {
        title.to_owned()
    } else {
        format!("{title} ({})", parts.join(", "))
    }
}

/// The value at a dotted fact path (`administration.locations`) in an assessment's `facts`; `null` when absent.
fn fact_value(facts: &Json, path: &str) -> Json {
    path.split('.')
        .try_fold(facts, |value, key| value.get(key))
        .cloned()
        .unwrap_or(Json::Null)
}

impl SideRequirement {
    fn is_gap(&self) -> bool {
        crate::model::is_gap(self.applicable, self.kind, self.verdict)
    }
}

use crate::engine::score::per_mille;

impl Side {
    /// A side from a report built in this run.
    #[must_use]
    pub fn from_report(report: &Report, source: SourceKind) -> Side {
        Side {
            source,
            pack_id: report.pack.id.clone(),
            pack_version: report.pack.version.clone(),
            pack_pack_version: report.pack.pack_version.clone(),
            pack_digest: report.pack.digest.clone(),
            vendor: report.assessment.vendor.clone(),
            service: report.assessment.service.clone(),
            assessment_digest: report.assessment.digest.clone(),
            as_of: report.as_of,
            readiness: report.readiness,
            score: per_mille(report.score.overall),
            chapters: report
                .score
                .chapters
                .iter()
                .map(|c| (c.chapter.clone(), per_mille(c.score)))
                .collect(),
            chapter_titles: report
                .score
                .chapters
                .iter()
                .map(|c| (c.chapter.clone(), c.title.clone()))
                .collect(),
            requirements: report
                .requirements
                .iter()
                .map(|r| SideRequirement {
                    id: r.id.to_string(),
                    chapter: r.chapter.clone(),
                    kind: r.kind,
                    severity: r.severity,
                    applicable: r.applicable,
                    verdict: r.verdict,
                    title: r.title.clone(),
                    stale: r.findings.iter().any(|f| f.code == "evidence-stale"),
                    declared: r.declared,
                    evidence: r
                        .evidence
                        .iter()
                        .map(|e| evidence_label(&e.title, e.reference.as_deref(), e.date))
                        .collect(),
                    facts: r
                        .findings
                        .iter()
                        .flat_map(|f| &f.facts)
                        .map(|f| (f.path.clone(), f.value.clone()))
                        .collect(),
                })
                .collect(),
        }
    }

    /// Every fact each requirement's checks read, from the assessment's `facts`: a diff of two assessments can
    /// then say which facts changed, whether or not a check failed.
    #[must_use]
    pub fn with_facts(mut self, pack: &Pack, facts: &Json) -> Side {
        for r in &mut self.requirements {
            let Some(q) = r.id.parse().ok().and_then(|id| pack.requirement(&id)) else {
                continue;
            };
            for path in q.checks.iter().flat_map(|c| &c.facts) {
                r.facts
                    .entry(path.clone())
                    .or_insert_with(|| fact_value(facts, path));
            }
        }
        self
    }

    /// A side from a JSON report read from a file.
    pub fn from_json(input: &Input) -> Result<Side, Error> {
        let doc = crate::report::json::from_value(&input.file, input.json.clone())?;
        Ok(Side {
            source: SourceKind::Report,
            pack_id: doc.pack.id,
            pack_version: doc.pack.version,
            pack_pack_version: doc.pack.pack_version.unwrap_or_default(),
            pack_digest: doc.pack.digest,
            vendor: doc.assessment.vendor,
            service: doc.assessment.service,
            assessment_digest: doc.assessment.digest,
            as_of: doc.as_of,
            readiness: doc.readiness,
            score: per_mille(doc.score.overall),
            chapters: doc
                .score
                .chapters
                .iter()
                .map(|c| (c.chapter.clone(), per_mille(c.score)))
                .collect(),
            chapter_titles: doc
                .score
                .chapters
                .iter()
                .filter_map(|c| c.title.clone().map(|t| (c.chapter.clone(), t)))
                .collect(),
            requirements: doc
                .requirements
                .into_iter()
                .map(|r| SideRequirement {
                    chapter: r
                        .chapter
                        .unwrap_or_else(|| r.id.split('.').next().unwrap_or_default().to_owned()),
                    stale: r.findings.iter().any(|f| f.code == "evidence-stale"),
                    declared: r.declared,
                    evidence: r
                        .evidence
                        .iter()
                        .map(|e| evidence_label(&e.title, e.reference.as_deref(), e.date))
                        .collect(),
                    facts: r
                        .findings
                        .iter()
                        .flat_map(|f| &f.facts)
                        .map(|f| (f.path.clone(), f.value.clone()))
                        .collect(),
                    id: r.id,
                    kind: r.kind,
                    severity: r.severity,
                    applicable: r.applicable,
                    verdict: r.verdict,
                    title: r.title.unwrap_or_default(),
                })
                .collect(),
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    Improved,
    Regressed,
    Unchanged,
}

impl Word for Trend {
    const PREFIX: &'static str = "trend";
    fn name(self) -> &'static str {
        trend_str(self)
    }
}

fn trend<T: Ord + Copy>(old: T, new: T) -> Trend {
    match new.cmp(&old) {
        std::cmp::Ordering::Greater => Trend::Improved,
        std::cmp::Ordering::Less => Trend::Regressed,
        std::cmp::Ordering::Equal => Trend::Unchanged,
    }
}

#[derive(Serialize, Debug, Clone)]
pub struct SideSummary {
    pub source: SourceKind,
    pub vendor: String,
    pub service: String,
    pub as_of: NaiveDate,
    pub pack_version: String,
    pub pack_pack_version: String,
    pub pack_digest: String,
    pub assessment_digest: String,
    pub readiness: Readiness,
    pub score: f64,
}

#[derive(Serialize, Debug, Clone)]
pub struct ReadinessChange {
    pub old: Readiness,
    pub new: Readiness,
    pub trend: Trend,
}

#[derive(Serialize, Debug, Clone)]
pub struct ScoreChange {
    pub old: f64,
    pub new: f64,
    pub delta: f64,
}

#[derive(Serialize, Debug, Clone)]
pub struct ChapterChange {
    pub chapter: String,
    pub title: String,
    /// `null` when the chapter has no applicable requirement on that side.
    pub old: Option<f64>,
    pub new: Option<f64>,
    pub delta: Option<f64>,
}

#[derive(Serialize, Debug, Clone)]
pub struct ScoreDiff {
    pub overall: ScoreChange,
    pub chapters: Vec<ChapterChange>,
}

/// One requirement that changed.
#[derive(Serialize, Debug, Clone)]
pub struct RequirementChange {
    pub id: String,
    pub chapter: String,
    pub title: String,
    pub severity: Severity,
    pub old: Status,
    pub new: Status,
    /// Why the verdict changed: what changed in the submission for this requirement.
    #[serde(skip_serializing_if = "Why::is_empty")]
    pub why: Why,
}

/// What changed in a submission for one requirement.
#[derive(Serialize, Debug, Clone, Default)]
pub struct Why {
    /// Facts the requirement's checks read whose value changed, with the old and new values.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<FactChange>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence_added: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence_removed: Vec<String>,
    /// The declared status, when it changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared: Option<DeclaredChange>,
}

impl Why {
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.facts.is_empty()
            && self.evidence_added.is_empty()
            && self.evidence_removed.is_empty()
            && self.declared.is_none()
    }

    /// One line per change, in `lang`: `facts.x: ["FR"] → ["FR","US"]`, evidence added or removed, the declaration.
    #[must_use]
    pub fn lines(&self, lang: Lang) -> Vec<String> {
        let colon = t(lang, "colon");
        let mut lines: Vec<String> = self
            .facts
            .iter()
            .map(|f| format!("{}{colon}{} → {}", f.path, f.old, f.new))
            .collect();
        if let Some(d) = &self.declared {
            lines.push(format!(
                "{}{colon}{} → {}",
                t(lang, "declared"),
                label(lang, d.old),
                label(lang, d.new)
            ));
        }
        lines.extend(
            self.evidence_added
                .iter()
                .map(|e| format!("{}{colon}{e}", t(lang, "diff_evidence_added"))),
        );
        lines.extend(
            self.evidence_removed
                .iter()
                .map(|e| format!("{}{colon}{e}", t(lang, "diff_evidence_removed"))),
        );
        lines
    }
}

#[derive(Serialize, Debug, Clone)]
pub struct FactChange {
    pub path: String,
    pub old: Json,
    pub new: Json,
}

#[derive(Serialize, Debug, Clone)]
pub struct DeclaredChange {
    pub old: Status,
    pub new: Status,
}

/// What changed between two sides of one requirement. Facts are compared where both sides know them (a JSON
/// report records only the facts of the checks that failed).
fn why(old: &SideRequirement, new: &SideRequirement) -> Why {
    let facts = new
        .facts
        .iter()
        .filter_map(|(path, value)| {
            let before = old.facts.get(path)?;
            (before != value).then(|| FactChange {
                path: path.clone(),
                old: before.clone(),
                new: value.clone(),
            })
        })
        .collect();
    Why {
        facts,
        evidence_added: new
            .evidence
            .iter()
            .filter(|e| !old.evidence.contains(e))
            .cloned()
            .collect(),
        evidence_removed: old
            .evidence
            .iter()
            .filter(|e| !new.evidence.contains(e))
            .cloned()
            .collect(),
        declared: (old.declared != new.declared).then_some(DeclaredChange {
            old: old.declared,
            new: new.declared,
        }),
    }
}

#[derive(Serialize, Debug, Clone)]
pub struct Diff {
    pub diff_version: u32,
    pub tool: Tool,
    pub lang: Lang,
    pub pack_id: String,
    pub old: SideSummary,
    pub new: SideSummary,
    /// Things to know before reading the diff (different pack versions, other vendor).
    pub warnings: Vec<String>,
    /// True when any requirement regressed, the readiness dropped or the overall score fell.
    pub regressed: bool,
    /// One sentence that says it all and never contradicts itself: `score +1.6, but 19.2.c regressed`.
    pub headline: String,
    pub readiness: ReadinessChange,
    pub score: ScoreDiff,
    /// Requirements whose verdict got better, in pack order.
    pub improvements: Vec<RequirementChange>,
    /// Requirements whose verdict got worse, in pack order.
    pub regressions: Vec<RequirementChange>,
    /// Same rank, another verdict (compliant ↔ inherited ↔ not applicable).
    pub other_changes: Vec<RequirementChange>,
    /// Gaps in NEW that were not gaps in OLD.
    pub new_gaps: Vec<RequirementChange>,
    /// Gaps in OLD that are no longer gaps in NEW.
    pub closed_gaps: Vec<RequirementChange>,
    /// Requirements whose evidence is stale in NEW and was not in OLD.
    pub newly_stale: Vec<RequirementChange>,
}

fn summary(side: &Side) -> SideSummary {
    SideSummary {
        source: side.source,
        vendor: side.vendor.clone(),
        service: side.service.clone(),
        as_of: side.as_of,
        pack_version: side.pack_version.clone(),
        pack_pack_version: side.pack_pack_version.clone(),
        pack_digest: side.pack_digest.clone(),
        assessment_digest: side.assessment_digest.clone(),
        readiness: side.readiness,
        score: percent(side.score),
    }
}

#[expect(
    clippy::cast_precision_loss,
    reason = "per-mille scores and deltas are far below 2^52"
)]
fn percent(per_mille: i64) -> f64 {
    per_mille as f64 / 10.0
}

/// Compares two sides of the same pack. Requirement titles and chapter titles come from the loaded pack in
/// `lang` when it is the same pack, else from NEW.
pub fn diff(old: &Side, new: &Side, pack: &Pack, lang: Lang) -> Result<Diff, Error> {
    if old.pack_id != new.pack_id {
        return Err(Error::Usage(msg!(
            "diff.other_pack",
            old = &old.pack_id,
            new = &new.pack_id
        )));
    }
    let same_pack = pack.id == new.pack_id;
    let mut warnings = Vec::new();
    if old.pack_version != new.pack_version || old.pack_pack_version != new.pack_pack_version {
        warnings.push(msg!(
            "diff.versions",
            pack = &new.pack_id,
            old_version = &old.pack_version,
            old_pack_version = &old.pack_pack_version,
            new_version = &new.pack_version,
            new_pack_version = &new.pack_pack_version
        ));
    } else if old.pack_digest != new.pack_digest {
        warnings.push(msg!(
            "diff.digests",
            pack = &new.pack_id,
            old = &old.pack_digest,
            new = &new.pack_digest
        ));
    }
    if old.vendor != new.vendor {
        warnings.push(msg!("diff.vendors", old = &old.vendor, new = &new.vendor));
    }
    if new.as_of < old.as_of {
        warnings.push(msg!("diff.dates", new = new.as_of, old = old.as_of));
    }

    let title = |r: &SideRequirement| -> String {
        if same_pack
            && let Ok(id) = r.id.parse()
            && let Some(q) = pack.requirement(&id)
        {
            return q.title.get(lang).to_owned();
        }
        r.title.clone()
    };
    let old_by_id: HashMap<&str, &SideRequirement> = old
        .requirements
        .iter()
        .map(|r| (r.id.as_str(), r))
        .collect();
    let mut improvements = Vec::new();
    let mut regressions = Vec::new();
    let mut other_changes = Vec::new();
    let mut new_gaps = Vec::new();
    let mut closed_gaps = Vec::new();
    let mut newly_stale = Vec::new();
    for n in new
        .requirements
        .iter()
        .filter(|r| r.kind == Kind::Requirement)
    {
        // A requirement only one pack version has is not a change of the vendor's.
        let Some(o) = old_by_id.get(n.id.as_str()) else {
            continue;
        };
        let change = RequirementChange {
            id: n.id.clone(),
            chapter: n.chapter.clone(),
            title: title(n),
            severity: n.severity,
            old: o.verdict,
            new: n.verdict,
            why: if o.verdict == n.verdict {
                Why::default()
            } else {
                why(o, n)
            },
        };
        match trend(o.verdict.rank(), n.verdict.rank()) {
            Trend::Improved => improvements.push(change.clone()),
            Trend::Regressed => regressions.push(change.clone()),
            Trend::Unchanged if o.verdict != n.verdict => other_changes.push(change.clone()),
            Trend::Unchanged => {}
        }
        if n.is_gap() && !o.is_gap() {
            new_gaps.push(change.clone());
        }
        if o.is_gap() && !n.is_gap() {
            closed_gaps.push(change.clone());
        }
        if n.stale && !o.stale && n.applicable {
            newly_stale.push(change);
        }
    }

    let chapter_title = |chapter: &str| -> String {
        if same_pack && let Some(c) = pack.chapter(chapter) {
            return c.title.get(lang).to_owned();
        }
        new.chapter_titles
            .get(chapter)
            .or_else(|| old.chapter_titles.get(chapter))
            .cloned()
            .unwrap_or_default()
    };
    // Chapters in pack order: NEW's, then those only OLD scores.
    let mut order: Vec<String> = Vec::new();
    for r in new.requirements.iter().chain(&old.requirements) {
        if !order.contains(&r.chapter) {
            order.push(r.chapter.clone());
        }
    }
    let chapters = order
        .iter()
        .filter(|c| old.chapters.contains_key(*c) || new.chapters.contains_key(*c))
        .map(|c| {
            let o = old.chapters.get(c).copied();
            let n = new.chapters.get(c).copied();
            ChapterChange {
                chapter: c.clone(),
                title: chapter_title(c),
                old: o.map(percent),
                new: n.map(percent),
                delta: o.zip(n).map(|(o, n)| percent(n - o)),
            }
        })
        .collect();
    let readiness = ReadinessChange {
        old: old.readiness,
        new: new.readiness,
        trend: trend(old.readiness, new.readiness),
    };
    let regressed =
        !regressions.is_empty() || readiness.trend == Trend::Regressed || new.score < old.score;
    let headline = headline(
        lang,
        new.score - old.score,
        &readiness,
        &regressions,
        &improvements,
    );
    Ok(Diff {
        diff_version: DIFF_VERSION,
        tool: Tool::current(),
        lang,
        pack_id: new.pack_id.clone(),
        old: summary(old),
        new: summary(new),
        warnings: warnings.iter().map(|w| w.render(lang)).collect(),
        regressed,
        headline,
        readiness,
        score: ScoreDiff {
            overall: ScoreChange {
                old: percent(old.score),
                new: percent(new.score),
                delta: percent(new.score - old.score),
            },
            chapters,
        },
        improvements,
        regressions,
        other_changes,
        new_gaps,
        closed_gaps,
        newly_stale,
    })
}

/// The diff in one sentence: the score's change, and what goes the other way.
fn headline(
    lang: Lang,
    delta_per_mille: i64,
    readiness: &ReadinessChange,
    regressions: &[RequirementChange],
    improvements: &[RequirementChange],
) -> String {
    let delta = signed(lang, percent(delta_per_mille));
    let ids = |list: &[RequirementChange]| {
        let shown: Vec<&str> = list.iter().take(3).map(|c| c.id.as_str()).collect();
        let more = list.len().saturating_sub(3);
        let more = if more > 0 {
            msg!("diff.and_more", count = more).render(lang)
        } else {
            String::new()
        };
        format!("{}{more}", shown.join(", "))
    };
    let message = if !regressions.is_empty() {
        if delta_per_mille > 0 {
            msg!(
                "diff.headline_gain_but_regressed",
                delta,
                ids = ids(regressions)
            )
        } else {
            msg!("diff.headline_regressed", delta, ids = ids(regressions))
        }
    } else if readiness.trend == Trend::Regressed {
        msg!(
            "diff.headline_readiness_dropped",
            delta,
            old = label(lang, readiness.old),
            new = label(lang, readiness.new)
        )
    } else if delta_per_mille < 0 {
        if improvements.is_empty() {
            msg!("diff.headline_score_fell", delta)
        } else {
            msg!(
                "diff.headline_score_fell_although",
                delta,
                ids = ids(improvements)
            )
        }
    } else if delta_per_mille > 0 || !improvements.is_empty() {
        msg!("diff.headline_improved", delta, count = improvements.len())
    } else {
        msg!("diff.headline_unchanged")
    };
    message.render(lang)
}

/// A signed delta with one decimal in the language's format: `+3.2`, `-1.0`, `0.0` (`+3,2` in French).
#[must_use]
pub fn signed(lang: Lang, delta: f64) -> String {
    if delta > 0.0 {
        format!("+{}", number(lang, delta, 1))
    } else if delta < 0.0 {
        number(lang, delta, 1)
    } else {
        number(lang, 0.0, 1)
    }
}

impl Diff {
    /// Pretty JSON with a final newline.
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut out = serde_json::to_string_pretty(self).unwrap_or_default();
        out.push('\n');
        out
    }

    /// The terminal summary.
    #[must_use]
    pub fn render_text(&self) -> String {
        let lang = self.lang;
        let colon = t(lang, "colon").trim_end();
        let mut out = String::new();
        let _ = writeln!(out, "{} — {}", t(lang, "diff_title"), self.pack_id);
        for (label, side) in [("OLD", &self.old), ("NEW", &self.new)] {
            let _ = writeln!(
                out,
                "{label}  {} — {} · {} {} · {} {} · {}",
                visible(&side.vendor),
                visible(&side.service),
                t(lang, "as_of").to_lowercase(),
                side.as_of,
                t(lang, "pack").to_lowercase(),
                side.pack_version,
                side.assessment_digest
            );
        }
        for w in &self.warnings {
            let _ = writeln!(
                out,
                "{}{}{}",
                t(lang, "warning"),
                t(lang, "colon"),
                visible(w)
            );
        }
        let _ = writeln!(
            out,
            "\n{:<12} {} → {} ({})",
            format!("{}{colon}", t(lang, "readiness")),
            label(lang, self.readiness.old),
            label(lang, self.readiness.new),
            label(lang, self.readiness.trend)
        );
        let _ = writeln!(
            out,
            "{:<12} {} → {} ({})",
            format!("{}{colon}", t(lang, "score")),
            number(lang, self.score.overall.old, 1),
            number(lang, self.score.overall.new, 1),
            signed(lang, self.score.overall.delta)
        );
        let _ = writeln!(
            out,
            "{:<12} {}",
            format!("{}{colon}", t(lang, "diff_verdict")),
            if self.regressed {
                t(lang, "diff_regressed")
            } else {
                t(lang, "diff_not_regressed")
            }
        );
        let _ = writeln!(out, "{:<12} {}", "", visible(&self.headline));
        let _ = writeln!(out, "\n{}", t(lang, "chapter_scores"));
        for c in &self.score.chapters {
            let show = |v: Option<f64>| v.map_or_else(|| "—".to_owned(), |v| number(lang, v, 1));
            let title: String = visible(&c.title).chars().take(44).collect();
            let _ = writeln!(
                out,
                "  {:>2}  {title:<44} {:>5} → {:>5}  {}",
                c.chapter,
                show(c.old),
                show(c.new),
                c.delta.map(|d| signed(lang, d)).unwrap_or_default()
            );
        }
        for (key, list) in [
            ("diff_regressions", &self.regressions),
            ("diff_improvements", &self.improvements),
            ("diff_new_gaps", &self.new_gaps),
            ("diff_closed_gaps", &self.closed_gaps),
            ("diff_newly_stale", &self.newly_stale),
            ("diff_other_changes", &self.other_changes),
        ] {
            let _ = writeln!(out, "\n{} ({})", t(lang, key), list.len());
            for c in list {
                let _ = writeln!(
                    out,
                    "  {:<10} {:<8} {} → {}  {}",
                    c.id,
                    label(lang, c.severity),
                    label(lang, c.old),
                    label(lang, c.new),
                    visible(&c.title)
                );
                for line in c.why.lines(lang) {
                    let _ = writeln!(out, "             {}", visible(&line));
                }
            }
        }
        out
    }
}

fn trend_str(t: Trend) -> &'static str {
    match t {
        Trend::Improved => "improved",
        Trend::Regressed => "regressed",
        Trend::Unchanged => "unchanged",
    }
}

// ---- The view model of diff.html.hbs and diff.md.hbs (docs/templates.md). ----

#[derive(Serialize)]
pub struct DiffView<'a> {
    pub t: &'static BTreeMap<String, String>,
    pub lang: &'static str,
    pub diff: &'a Diff,
    pub pack_name: &'a str,
    pub old: SideView,
    pub new: SideView,
    pub readiness_trend: &'static str,
    pub readiness_trend_label: &'static str,
    pub score_delta: String,
    pub score_class: &'static str,
    pub verdict_label: &'static str,
    pub chapters: Vec<ChapterRow>,
    /// The lists of changes, each with its heading, in display order.
    pub sections: Vec<ChangeSection>,
}

#[derive(Serialize)]
pub struct SideView {
    pub vendor: String,
    pub service: String,
    pub as_of: String,
    pub source_label: &'static str,
    pub pack_version: String,
    pub assessment_digest: String,
    pub readiness_label: &'static str,
    pub readiness_class: &'static str,
    pub score: String,
}

#[derive(Serialize)]
pub struct ChapterRow {
    pub chapter: String,
    pub title: String,
    pub old: String,
    pub new: String,
    pub delta: String,
    /// `up`, `down` or `same`, for CSS.
    pub class: &'static str,
}

#[derive(Serialize)]
pub struct ChangeSection {
    pub id: &'static str,
    pub title: &'static str,
    pub empty: &'static str,
    pub items: Vec<ChangeItem>,
}

#[derive(Serialize)]
pub struct ChangeItem {
    pub id: String,
    pub title: String,
    pub severity: String,
    pub severity_label: &'static str,
    pub old_label: &'static str,
    pub old_class: &'static str,
    pub new_label: &'static str,
    pub new_class: &'static str,
    /// Why the verdict changed, one line each (facts, declaration, evidence).
    pub why: Vec<String>,
}

impl<'a> DiffView<'a> {
    #[must_use]
    pub fn build(diff: &'a Diff, pack: &'a Pack) -> DiffView<'a> {
        let lang = diff.lang;
        let side = |s: &SideSummary| SideView {
            vendor: s.vendor.clone(),
            service: s.service.clone(),
            as_of: s.as_of.to_string(),
            source_label: match s.source {
                SourceKind::Report => t(lang, "diff_source_report"),
                SourceKind::Assessment => t(lang, "diff_source_assessment"),
            },
            pack_version: format!("{} · {}", s.pack_version, s.pack_pack_version),
            assessment_digest: s.assessment_digest.clone(),
            readiness_label: label(lang, s.readiness),
            readiness_class: s.readiness.as_str(),
            score: number(lang, s.score, 1),
        };
        let class = |d: Option<f64>| match d {
            Some(d) if d > 0.0 => "up",
            Some(d) if d < 0.0 => "down",
            _ => "same",
        };
        let items = |list: &[RequirementChange]| -> Vec<ChangeItem> {
            list.iter()
                .map(|c| ChangeItem {
                    id: c.id.clone(),
                    title: c.title.clone(),
                    severity: c.severity.to_string(),
                    severity_label: label(lang, c.severity),
                    old_label: label(lang, c.old),
                    old_class: verdict_class(c.old),
                    new_label: label(lang, c.new),
                    new_class: verdict_class(c.new),
                    why: c.why.lines(lang),
                })
                .collect()
        };
        let section = |id: &'static str,
                       title: &'static str,
                       empty: &'static str,
                       list: &[RequirementChange]| ChangeSection {
            id,
            title: t(lang, title),
            empty: t(lang, empty),
            items: items(list),
        };
        DiffView {
            t: catalog(lang),
            lang: lang.as_str(),
            diff,
            pack_name: pack.name.get(lang),
            old: side(&diff.old),
            new: side(&diff.new),
            readiness_trend: trend_str(diff.readiness.trend),
            readiness_trend_label: label(lang, diff.readiness.trend),
            score_delta: signed(lang, diff.score.overall.delta),
            score_class: class(Some(diff.score.overall.delta)),
            verdict_label: if diff.regressed {
                t(lang, "diff_regressed")
            } else {
                t(lang, "diff_not_regressed")
            },
            chapters: diff
                .score
                .chapters
                .iter()
                .map(|c| ChapterRow {
                    chapter: c.chapter.clone(),
                    title: c.title.clone(),
                    old: c.old.map_or_else(|| "—".to_owned(), |v| number(lang, v, 1)),
                    new: c.new.map_or_else(|| "—".to_owned(), |v| number(lang, v, 1)),
                    delta: c.delta.map(|d| signed(lang, d)).unwrap_or_default(),
                    class: class(c.delta),
                })
                .collect(),
            sections: vec![
                section(
                    "regressions",
                    "diff_regressions",
                    "diff_no_regressions",
                    &diff.regressions,
                ),
                section(
                    "improvements",
                    "diff_improvements",
                    "diff_no_improvements",
                    &diff.improvements,
                ),
                section(
                    "new_gaps",
                    "diff_new_gaps",
                    "diff_no_new_gaps",
                    &diff.new_gaps,
                ),
                section(
                    "closed_gaps",
                    "diff_closed_gaps",
                    "diff_no_closed_gaps",
                    &diff.closed_gaps,
                ),
                section(
                    "newly_stale",
                    "diff_newly_stale",
                    "diff_no_newly_stale",
                    &diff.newly_stale,
                ),
                section(
                    "other_changes",
                    "diff_other_changes",
                    "diff_no_other_changes",
                    &diff.other_changes,
                ),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_order_puts_met_first_and_non_compliant_last() {
        assert_eq!(Status::Compliant.rank(), Status::Inherited.rank());
        assert_eq!(Status::Compliant.rank(), Status::NotApplicable.rank());
        assert!(Status::Compliant.rank() > Status::PartiallyCompliant.rank());
        assert!(Status::PartiallyCompliant.rank() > Status::NotAssessed.rank());
        assert!(Status::NotAssessed.rank() > Status::NonCompliant.rank());
    }

    fn change(id: &str) -> RequirementChange {
        RequirementChange {
            id: id.to_owned(),
            chapter: "19".to_owned(),
            title: String::new(),
            severity: Severity::Critical,
            old: Status::Compliant,
            new: Status::NonCompliant,
            why: Why::default(),
        }
    }

    #[test]
    fn headline_never_hides_a_regression_behind_a_score_gain() {
        let same = ReadinessChange {
            old: Readiness::NotReady,
            new: Readiness::NotReady,
            trend: Trend::Unchanged,
        };
        assert_eq!(
            headline(Lang::En, 16, &same, &[change("19.2.c")], &[]),
            "score +1.6, but 19.2.c regressed"
        );
        assert_eq!(
            headline(Lang::En, -5, &same, &[], &[change("5.2.a")]),
            "score -0.5, although 5.2.a improved"
        );
        let dropped = ReadinessChange {
            old: Readiness::AuditReady,
            new: Readiness::NotReady,
            trend: Trend::Regressed,
        };
        assert!(
            headline(Lang::En, 3, &dropped, &[], &[])
                .starts_with("score +0.3, but readiness dropped")
        );
        let four: Vec<_> = ["1.1.a", "1.1.b", "1.1.c", "1.1.d"].map(change).into();
        assert_eq!(
            headline(Lang::Fr, -20, &same, &four, &[]),
            "score -2,0, et 1.1.a, 1.1.b, 1.1.c et 1 autre(s) a régressé"
        );
    }

    #[test]
    fn why_names_the_facts_the_declaration_and_the_evidence_that_changed() {
        let side = |facts: Json, declared: Status, evidence: &[&str]| SideRequirement {
            id: "19.2.c".to_owned(),
            chapter: "19".to_owned(),
            kind: Kind::Requirement,
            severity: Severity::Critical,
            applicable: true,
            verdict: Status::Compliant,
            title: String::new(),
            stale: false,
            declared,
            evidence: evidence.iter().map(|e| (*e).to_owned()).collect(),
            facts: facts
                .as_object()
                .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
        };
        let old = side(
            serde_json::json!({"administration.locations": ["FR"], "other": 1}),
            Status::Compliant,
            &["a", "b"],
        );
        let new = side(
            serde_json::json!({"administration.locations": ["FR", "US"], "other": 1}),
            Status::NonCompliant,
            &["b", "c"],
        );
        let why = why(&old, &new);
        assert_eq!(
            why.lines(Lang::En),
            [
                "administration.locations: [\"FR\"] → [\"FR\",\"US\"]",
                "Declared: compliant → non-compliant",
                "evidence added: c",
                "evidence removed: a"
            ]
        );
    }

    #[test]
    fn signed_deltas_show_their_sign() {
        assert_eq!(signed(Lang::En, 3.2), "+3.2");
        assert_eq!(signed(Lang::En, -1.0), "-1.0");
        assert_eq!(signed(Lang::En, 0.0), "0.0");
        assert_eq!(signed(Lang::Fr, 3.2), "+3,2");
    }

    #[test]
    fn tells_reports_from_assessments_by_content() {
        let report =
            read("r.json", br#"{"schema_version": 1, "requirements": []}"#).expect("report");
        assert_eq!(report.kind, SourceKind::Report);
        let assessment =
            read("a.json", br#"{"format": "snc-assessment/1", "pack": "x"}"#).expect("a");
        assert_eq!(assessment.kind, SourceKind::Assessment);
        assert_eq!(assessment.pack_id(), Some("x"));
        let err = read("x.json", b"{\"foo\": 1}").err().expect("neither");
        assert!(
            err.to_string().contains("neither an snc JSON report"),
            "{err}"
        );
        let err = read("x.json", b"{\n  \"foo\": \n").err().expect("bad json");
        assert!(
            err.to_string().contains("x.json:3:1: invalid JSON"),
            "{err}"
        );
    }
}
