//! Spreadsheet exports (`-o report.xlsx` on `check`; the portfolio's sheet, in `staff`, builds on the helpers here), behind the cargo
//! feature `xlsx` (on by default). Each sheet has a frozen header row and an autofilter, and verdicts, readiness
//! and eligibility are coloured. Deterministic: the document date is the as-of date, never the clock.

use std::path::Path;

use crate::model::error::Error;
use crate::msg;
use crate::report::Report;

/// Whether an output path asks for a spreadsheet.
#[must_use]
pub fn is_xlsx(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

/// Fails with a usage error when this binary was built without the `xlsx` feature.
pub fn ensure_available() -> Result<(), Error> {
    if cfg!(feature = "xlsx") {
        Ok(())
    } else {
        Err(unavailable())
    }
}

pub(crate) fn unavailable() -> Error {
    Error::Usage(msg!("cli.xlsx_unavailable"))
}

/// The report as a workbook: a summary sheet and one row per requirement.
pub fn report(report: &Report) -> Result<Vec<u8>, Error> {
    #[cfg(feature = "xlsx")]
    {
        imp::report(report).map_err(failed)
    }
    #[cfg(not(feature = "xlsx"))]
    {
        let _ = report;
        Err(unavailable())
    }
}

#[cfg(feature = "xlsx")]
#[expect(clippy::needless_pass_by_value, reason = "used as `map_err(failed)`")]
pub(crate) fn failed(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::Usage(msg!("cli.xlsx_failed", error = e.to_string()))
}

#[cfg(feature = "xlsx")]
pub(crate) mod imp {
    use chrono::Datelike;
    use rust_xlsxwriter::{
        Color, DocProperties, ExcelDateTime, Format, FormatBorder, Workbook, Worksheet, XlsxError,
    };

    use crate::engine::score::Readiness;
    use crate::model::i18n::{self, t};
    use crate::model::{Kind, Lang};
    use crate::report::Report;
    use crate::report::verdict_class;

    /// Fill and font colours of a class (`ok`, `partial`, `ko`, `unknown`, `na`), as in the HTML report.
    pub(crate) fn class_format(class: &str) -> Format {
        let (fill, font) = match class {
            "ok" => (0x00C6_EFCE, 0x0000_6100),
            "partial" => (0x00FF_EB9C, 0x009C_5700),
            "ko" => (0x00FF_C7CE, 0x009C_0006),
            "na" => (0x00F2_F2F2, 0x0080_8080),
            _ => (0x00E7_E6E6, 0x003A_3A3A),
        };
        Format::new()
            .set_background_color(Color::RGB(fill))
            .set_font_color(Color::RGB(font))
    }

    pub(crate) fn readiness_class(r: Readiness) -> &'static str {
        match r {
            Readiness::Ineligible => "ko",
            Readiness::NotReady => "partial",
            Readiness::AuditReady | Readiness::QualificationReady => "ok",
        }
    }

    pub(crate) fn header_format() -> Format {
        Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0x00F6_F8FA))
            .set_border_bottom(FormatBorder::Thin)
    }

    pub(crate) fn new_workbook(as_of: chrono::NaiveDate) -> Result<Workbook, XlsxError> {
        let mut workbook = Workbook::new();
        let date = ExcelDateTime::from_ymd(
            u16::try_from(as_of.year()).unwrap_or(2000),
            u8::try_from(as_of.month()).unwrap_or(1),
            u8::try_from(as_of.day()).unwrap_or(1),
        )?;
        // The clock never enters an output: the document is dated on the evaluation date.
        workbook.set_properties(
            &DocProperties::new()
                .set_creation_datetime(&date)
                .set_author("snc"),
        );
        Ok(workbook)
    }

    /// Writes the header row, freezes it and puts an autofilter over the table.
    pub(crate) fn table_header(
        sheet: &mut Worksheet,
        headers: &[String],
        rows: u32,
        widths: &[f64],
    ) -> Result<(), XlsxError> {
        let bold = header_format();
        for ((col, text), width) in (0_u16..).zip(headers).zip(widths) {
            sheet.write_string_with_format(0, col, text, &bold)?;
            sheet.set_column_width(col, *width)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        let last_col = u16::try_from(headers.len().saturating_sub(1)).unwrap_or(0);
        sheet.autofilter(0, 0, rows, last_col)?;
        Ok(())
    }

    pub(crate) fn label(lang: Lang, key: &'static str) -> String {
        t(lang, key).to_owned()
    }

    pub(super) fn report(report: &Report) -> Result<Vec<u8>, XlsxError> {
        let lang = report.lang;
        let mut workbook = new_workbook(report.as_of)?;

        let summary = workbook.add_worksheet();
        summary.set_name(t(lang, "xlsx_summary"))?;
        let bold = Format::new().set_bold();
        let rows: Vec<(String, String)> = vec![
            (label(lang, "vendor"), report.assessment.vendor.clone()),
            (label(lang, "service"), report.assessment.service.clone()),
            (label(lang, "as_of"), report.as_of.to_string()),
            (
                label(lang, "readiness"),
                i18n::label(lang, report.readiness).to_owned(),
            ),
            (
                label(lang, "overall_score"),
                i18n::number(lang, report.score.overall, 1),
            ),
            (
                label(lang, "gate"),
                label(
                    lang,
                    if report.gate.passed {
                        "gate_passed"
                    } else {
                        "gate_failed"
                    },
                ),
            ),
            (
                label(lang, "pack"),
                format!(
                    "{} {} · {}",
                    report.pack.id, report.pack.version, report.pack.pack_version
                ),
            ),
            (label(lang, "pack_digest"), report.pack.digest.clone()),
            (
                label(lang, "assessment_digest"),
                report.assessment.digest.clone(),
            ),
            (
                label(lang, "tool"),
                format!("{} {}", report.tool.name, report.tool.version),
            ),
        ];
        for (row, (key, value)) in (0_u32..).zip(&rows) {
            summary.write_string_with_format(row, 0, key, &bold)?;
            summary.write_string(row, 1, value)?;
        }
        summary.set_column_width(0, 28)?;
        summary.set_column_width(1, 80)?;
        let first = u32::try_from(rows.len()).unwrap_or(0) + 1;
        summary.write_string_with_format(first, 0, t(lang, "chapter"), &bold)?;
        summary.write_string_with_format(first, 1, t(lang, "score"), &bold)?;
        for (row, c) in (first + 1..).zip(&report.score.chapters) {
            summary.write_string(row, 0, format!("{}. {}", c.chapter, c.title))?;
            summary.write_number_with_format(
                row,
                1,
                c.score,
                &class_format(crate::report::score_class(c.score)),
            )?;
        }

        let sheet = workbook.add_worksheet();
        sheet.set_name(t(lang, "xlsx_requirements"))?;
        let headers: Vec<String> = [
            "requirement",
            "chapter",
            "requirement_title",
            "xlsx_kind",
            "severity",
            "declared",
            "verdict",
            "findings",
            "owner",
            "target_date",
            "xlsx_evidence_date",
            "review_reviewer",
            "review_reason",
        ]
        .iter()
        .map(|k| label(lang, k))
        .collect();
        let count = u32::try_from(report.requirements.len()).unwrap_or(0);
        table_header(
            sheet,
            &headers,
            count,
            &[
                10.0, 8.0, 60.0, 14.0, 10.0, 20.0, 20.0, 40.0, 16.0, 12.0, 12.0, 18.0, 40.0,
            ],
        )?;
        for (row, r) in (1_u32..).zip(&report.requirements) {
            let kind = match r.kind {
                Kind::Requirement => label(lang, "xlsx_kind_requirement"),
                Kind::Recommendation => label(lang, "xlsx_kind_recommendation"),
            };
            let codes: Vec<&str> = r.findings.iter().map(|f| f.code).collect();
            sheet.write_string(row, 0, r.id.as_str())?;
            sheet.write_string(row, 1, &r.chapter)?;
            sheet.write_string(row, 2, &r.title)?;
            sheet.write_string(row, 3, kind)?;
            sheet.write_string(row, 4, i18n::label(lang, r.severity))?;
            sheet.write_string(row, 5, i18n::label(lang, r.declared))?;
            sheet.write_string_with_format(
                row,
                6,
                i18n::label(lang, r.verdict),
                &class_format(verdict_class(r.verdict)),
            )?;
            sheet.write_string(row, 7, codes.join(", "))?;
            if let Some(owner) = &r.owner {
                sheet.write_string(row, 8, owner)?;
            }
            if let Some(d) = r.target_date {
                sheet.write_string(row, 9, d.to_string())?;
            }
            if let Some(d) = r.evidence_date {
                sheet.write_string(row, 10, d.to_string())?;
            }
            if let Some(review) = &r.review {
                sheet.write_string(row, 11, format!("{} ({})", review.reviewer, review.date))?;
                sheet.write_string(row, 12, &review.reason)?;
            }
        }
        workbook.save_to_buffer()
    }
}
