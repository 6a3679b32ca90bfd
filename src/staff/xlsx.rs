//! The portfolio as a spreadsheet (`snc portfolio -o portfolio.xlsx`), built with the report's sheet helpers.

use crate::model::error::Error;
use crate::report::xlsx;

use super::portfolio::Portfolio;

/// The portfolio as a workbook: one row per vendor with its chapter scores, and the files in error.
pub fn portfolio(portfolio: &Portfolio) -> Result<Vec<u8>, Error> {
    #[cfg(feature = "xlsx")]
    {
        imp::portfolio(portfolio).map_err(xlsx::failed)
    }
    #[cfg(not(feature = "xlsx"))]
    {
        let _ = portfolio;
        Err(xlsx::unavailable())
    }
}

#[cfg(feature = "xlsx")]
mod imp {
    use std::fmt::Write as _;

    use rust_xlsxwriter::XlsxError;

    use crate::model::i18n::{self, t};
    use crate::report::xlsx::imp::{
        class_format, label, new_workbook, readiness_class, table_header,
    };

    use super::super::portfolio::{Eligibility, Portfolio};

    pub(super) fn portfolio(portfolio: &Portfolio) -> Result<Vec<u8>, XlsxError> {
        let lang = portfolio.lang;
        let mut workbook = new_workbook(portfolio.as_of)?;
        let sheet = workbook.add_worksheet();
        sheet.set_name(t(lang, "xlsx_portfolio"))?;
        let mut headers: Vec<String> = [
            "vendor",
            "service",
            "readiness",
            "score",
            "eligibility_19_6",
            "eligibility_19_2",
            "critical_gaps",
            "portfolio_stale_evidence",
            "portfolio_declared_na",
            "as_of",
            "xlsx_file",
            "portfolio_why_ineligible",
            "portfolio_trend",
            "portfolio_review",
            "portfolio_last_submission",
        ]
        .iter()
        .map(|k| label(lang, k))
        .collect();
        let mut widths = vec![
            30.0, 30.0, 24.0, 8.0, 14.0, 14.0, 10.0, 10.0, 10.0, 12.0, 40.0, 60.0, 30.0, 30.0, 14.0,
        ];
        for c in &portfolio.chapters {
            headers.push(format!("{} {}", t(lang, "chapter"), c.chapter));
            widths.push(12.0);
        }
        let count = u32::try_from(portfolio.vendors.len()).unwrap_or(0);
        table_header(sheet, &headers, count, &widths)?;
        let eligibility = |e: Eligibility| {
            (
                i18n::label(lang, e).to_owned(),
                match e {
                    Eligibility::Eligible => "ok",
                    Eligibility::Ineligible => "ko",
                    Eligibility::Unknown => "unknown",
                },
            )
        };
        for (row, v) in (1_u32..).zip(&portfolio.vendors) {
            sheet.write_string(row, 0, &v.vendor)?;
            sheet.write_string(row, 1, &v.service)?;
            sheet.write_string_with_format(
                row,
                2,
                i18n::label(lang, v.readiness),
                &class_format(readiness_class(v.readiness)),
            )?;
            sheet.write_number(row, 3, v.score)?;
            for (col, e) in [
                (4_u16, v.eligibility.section_19_6),
                (5, v.eligibility.section_19_2),
            ] {
                let (text, class) = eligibility(e);
                sheet.write_string_with_format(row, col, text, &class_format(class))?;
            }
            sheet.write_number(row, 6, v.critical_gaps)?;
            sheet.write_number(row, 7, v.stale_evidence)?;
            sheet.write_number(row, 8, v.declared_not_applicable)?;
            sheet.write_string(row, 9, v.as_of.to_string())?;
            sheet.write_string(row, 10, &v.file)?;
            let why = v
                .why_ineligible
                .iter()
                .map(|r| format!("{} {}", r.id, r.message))
                .collect::<Vec<_>>()
                .join("\n");
            sheet.write_string(row, 11, why)?;
            let trend = v.trend.as_ref().map_or_else(String::new, |tr| {
                let mut text = format!("{:+.1}", tr.score_delta);
                for (key, ids) in [
                    ("portfolio_new_gaps", &tr.new_gaps),
                    ("portfolio_closed_gaps", &tr.closed_gaps),
                ] {
                    if !ids.is_empty() {
                        let _ = write!(text, "; {}: {}", t(lang, key), ids.join(", "));
                    }
                }
                text
            });
            sheet.write_string(row, 12, trend)?;
            let review = v.review.as_ref().map_or_else(String::new, |r| {
                format!(
                    "{} {} · {} {}",
                    r.overrides,
                    t(lang, "portfolio_overrides"),
                    r.open_requests,
                    t(lang, "portfolio_open_requests")
                )
            });
            sheet.write_string(row, 13, review)?;
            sheet.write_string(
                row,
                14,
                v.submitted_on.map(|d| d.to_string()).unwrap_or_default(),
            )?;
            for (col, c) in (15_u16..).zip(&v.chapters) {
                match c.score {
                    Some(s) if v.ineligible => {
                        // The chapter scores of an ineligible vendor are not progress: every cell says so.
                        sheet.write_string_with_format(
                            row,
                            col,
                            format!("⊘ {s:.1}"),
                            &class_format("ko"),
                        )?;
                    }
                    Some(s) => {
                        sheet.write_number_with_format(
                            row,
                            col,
                            s,
                            &class_format(crate::report::score_class(s)),
                        )?;
                    }
                    None => {
                        sheet.write_string_with_format(row, col, "–", &class_format("na"))?;
                    }
                }
            }
        }
        if !portfolio.errors.is_empty() {
            let errors = workbook.add_worksheet();
            errors.set_name(t(lang, "xlsx_errors"))?;
            let headers = vec![label(lang, "xlsx_file"), label(lang, "xlsx_error")];
            let n = u32::try_from(portfolio.errors.len()).unwrap_or(0);
            table_header(errors, &headers, n, &[40.0, 120.0])?;
            for (row, e) in (1_u32..).zip(&portfolio.errors) {
                errors.write_string(row, 0, &e.file)?;
                errors.write_string(row, 1, &e.message)?;
            }
        }
        workbook.save_to_buffer()
    }
}
