//! `JUnit` XML for CI test dashboards: a `gate` suite first, then one suite per chapter with one test case per
//! requirement that applies to the service. An unmet requirement is a failure carrying its findings; a
//! recommendation, or a gap under a waiver, is skipped.

use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};

use super::Report;
use super::ci;
use crate::model::Kind;
use crate::model::i18n::t;

/// Renders the report as `JUnit` XML.
#[must_use]
pub fn render_junit(report: &Report) -> String {
    let mut junit = quick_junit::Report::new(format!("snc {}", report.pack.id));
    junit.add_test_suite(gate_suite(report));
    for (chapter, requirements) in ci::by_chapter(report) {
        let cases: Vec<TestCase> = requirements
            .into_iter()
            .filter(|r| r.applicable)
            .map(|r| {
                let status = if r.kind == Kind::Recommendation {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(t(report.lang, "ci.junit_recommendation"));
                    s
                } else if let Some(waived) = ci::waiver(r).filter(|_| ci::is_gap(r)) {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(waived.message.as_str());
                    s.set_type("waived");
                    s
                } else if ci::is_gap(r) {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    s.set_message(format!(
                        "{}: {}",
                        ci::status_label(report, r.verdict),
                        ci::findings_line(report, r)
                    ));
                    s.set_type(r.verdict.as_str());
                    if !r.findings.is_empty() {
                        s.set_description(
                            r.findings
                                .iter()
                                .map(|f| format!("{}: {}", f.code, f.message))
                                .collect::<Vec<_>>()
                                .join("\n"),
                        );
                    }
                    s
                } else {
                    TestCaseStatus::success()
                };
                let mut case = TestCase::new(format!("{} {}", r.id, r.title), status);
                case.set_classname(format!("{}.chapter-{chapter}", report.pack.id));
                case.add_properties([
                    Property::new("id", r.id.as_str()),
                    Property::new("severity", r.severity.as_str()),
                    Property::new("declared", r.declared.as_str()),
                    Property::new("verdict", r.verdict.as_str()),
                    Property::new(
                        "blocking",
                        if ci::is_blocking(report, r) {
                            "true"
                        } else {
                            "false"
                        },
                    ),
                ]);
                case
            })
            .collect();
        if cases.is_empty() {
            continue;
        }
        let mut suite =
            TestSuite::new(format!("{chapter}. {}", ci::chapter_title(report, chapter)));
        suite.add_test_cases(cases);
        junit.add_test_suite(suite);
    }
    // Writing into memory cannot fail; an empty string would only mean a defect in quick-junit.
    xml_chars(&junit.to_string().unwrap_or_default()).into_owned()
}

/// Text that XML 1.0 can hold: every character outside its `Char` production (control characters other than
/// tab, line feed and carriage return; U+FFFE and U+FFFF) becomes U+FFFD. Those characters cannot appear in an
/// XML document even escaped, and vendor text (a waiver reason, a comment) may hold them.
#[must_use]
pub(crate) fn xml_chars(text: &str) -> std::borrow::Cow<'_, str> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r')
            || matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
    };
    if text.chars().all(allowed) {
        return text.into();
    }
    text.chars()
        .map(|c| if allowed(c) { c } else { '\u{FFFD}' })
        .collect::<String>()
        .into()
}

/// One test case for the gate itself: failed with every reason, and the notes as its output.
fn gate_suite(report: &Report) -> TestSuite {
    let status = if report.gate.passed {
        TestCaseStatus::success()
    } else {
        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
        s.set_message(report.gate.reasons.join("; "));
        s.set_type("gate-failed");
        s.set_description(report.gate.reasons.join("\n"));
        s
    };
    let mut case = TestCase::new("gate", status);
    case.set_classname(format!("{}.gate", report.pack.id));
    if !report.gate.notes.is_empty() {
        case.set_system_out(report.gate.notes.join("\n"));
    }
    let mut suite = TestSuite::new("gate");
    suite.add_properties([
        Property::new("as-of", report.as_of.to_string()),
        Property::new(
            "pack",
            format!("{} {}", report.pack.id, report.pack.version),
        ),
        Property::new("pack-digest", report.pack.digest.as_str()),
        Property::new("assessment-digest", report.assessment.digest.as_str()),
        Property::new("readiness", report.readiness.as_str()),
        Property::new("score", format!("{:.1}", report.score.overall)),
        Property::new("policy", report.policy.file.as_deref().unwrap_or("none")),
        Property::new(
            "policy-digest",
            report.policy.digest.as_deref().unwrap_or(""),
        ),
    ]);
    suite.add_properties(report.policy.waivers.iter().map(|w| {
        Property::new(
            format!("waiver-{}", w.id),
            super::waiver_line(report, w, |text, _| text.to_owned()),
        )
    }));
    suite.add_test_case(case);
    suite
}

#[cfg(test)]
mod tests {
    use super::xml_chars;

    #[test]
    fn characters_xml_forbids_are_replaced() {
        assert_eq!(xml_chars("plain\ttext\n"), "plain\ttext\n");
        assert_eq!(
            xml_chars("a\u{FFFE}b\u{1}c\u{FFFF}\u{1F600}"),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}\u{1F600}"
        );
    }
}
