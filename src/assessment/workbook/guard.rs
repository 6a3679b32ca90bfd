//! A workbook is a zip archive: its central directory is checked before anything is unpacked, so that a small
//! file cannot make the reader inflate gigabytes (a zip bomb). The declared sizes are added up and held to a limit,
//! then each entry is inflated into nothing, never past its declared size, to catch an archive that lies about
//! them; only then does calamine read it.

use std::io::{Cursor, Read as _};

use crate::assessment::limits::{Limits, MAX_ASSESSMENT_BYTES_ENV};
use crate::model::error::{Diagnostic, Error};
use crate::msg;

/// How many times the workbook's own size limit its unpacked content may take.
pub(super) const UNPACKED_FACTOR: usize = 4;
/// Entries an archive may hold (a questionnaire has a few dozen).
pub(super) const MAX_ENTRIES: usize = 1_000;
/// Cells an `OpenDocument` sheet's table may span, from its first to its last cell holding a value: calamine makes
/// a rectangle of them, so a few cells far apart, or a value repeated by `number-columns-repeated`, could fill the
/// memory.
pub(super) const MAX_ODS_SPAN: u64 = 4_000_000;

pub(super) fn check(file: &str, bytes: &[u8], limits: &Limits) -> Result<(), Error> {
    let refuse = |message| Err(Error::from(Diagnostic::file(file, message)));
    if bytes.len() > limits.max_bytes {
        return refuse(msg!(
            "assessment_file.too_large",
            max = limits.max_bytes,
            env = MAX_ASSESSMENT_BYTES_ENV
        ));
    }
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return refuse(msg!("workbook.not_a_workbook"));
    };
    if archive.len() > MAX_ENTRIES {
        return refuse(msg!("workbook.too_many_entries", max = MAX_ENTRIES));
    }
    let max_unpacked =
        u64::try_from(limits.max_bytes.saturating_mul(UNPACKED_FACTOR)).unwrap_or(u64::MAX);
    let mut declared = 0_u64;
    for i in 0..archive.len() {
        let Ok(entry) = archive.by_index_raw(i) else {
            return refuse(msg!("workbook.not_a_workbook"));
        };
        declared = declared.saturating_add(entry.size());
    }
    if declared > max_unpacked {
        return refuse(msg!(
            "workbook.too_large_unpacked",
            size = declared,
            max = max_unpacked,
            env = MAX_ASSESSMENT_BYTES_ENV
        ));
    }
    for i in 0..archive.len() {
        let Ok(entry) = archive.by_index(i) else {
            return refuse(msg!("workbook.not_a_workbook"));
        };
        let size = entry.size();
        let inflated = std::io::copy(
            &mut entry.take(size.saturating_add(1)),
            &mut std::io::sink(),
        );
        match inflated {
            Ok(n) if n <= size => {}
            Ok(_) => {
                return refuse(msg!(
                    "workbook.too_large_unpacked",
                    size = "?",
                    max = max_unpacked,
                    env = MAX_ASSESSMENT_BYTES_ENV
                ));
            }
            Err(_) => return refuse(msg!("workbook.not_a_workbook")),
        }
    }
    if let Ok(mut content) = archive.by_name("content.xml") {
        let mut text = Vec::new();
        if content
            .by_ref()
            .take(max_unpacked)
            .read_to_end(&mut text)
            .is_err()
        {
            return refuse(msg!("workbook.not_a_workbook"));
        }
        let span = ods_span(&text);
        if span > MAX_ODS_SPAN {
            return refuse(msg!("workbook.too_many_cells", max = MAX_ODS_SPAN));
        }
    }
    Ok(())
}

/// The largest rectangle of cells, from the first row and column to the last cell holding a value, that a sheet of
/// an `OpenDocument` `content.xml` spans once its repeated rows and cells are expanded (what calamine allocates).
/// A scan of the tags, not an XML parse: enough to bound what the parser will do.
fn ods_span(xml: &[u8]) -> u64 {
    fn attr(tag: &[u8], name: &[u8]) -> Option<u64> {
        let at = tag.windows(name.len()).position(|w| w == name)? + name.len();
        let rest = tag.get(at..)?.strip_prefix(b"=\"")?;
        let end = rest.iter().position(|&b| b == b'"')?;
        std::str::from_utf8(&rest[..end]).ok()?.parse().ok()
    }
    let mut widest = 0_u64;
    let (mut row, mut row_repeat, mut col) = (0_u64, 1_u64, 0_u64);
    let (mut last_row, mut last_col) = (0_u64, 0_u64);
    let mut found = false;
    let mut rest = xml;
    while let Some(open) = rest.iter().position(|&b| b == b'<') {
        rest = &rest[open + 1..];
        let end = rest.iter().position(|&b| b == b'>').unwrap_or(rest.len());
        let tag = &rest[..end];
        if tag.starts_with(b"table:table ") || tag == b"table:table" {
            if found {
                widest = widest.max((last_row + 1).saturating_mul(last_col + 1));
            }
            (row, col, last_row, last_col, found) = (0, 0, 0, 0, false);
        } else if tag.starts_with(b"table:table-row") {
            row_repeat = attr(tag, b"table:number-rows-repeated").unwrap_or(1).max(1);
            col = 0;
            if tag.ends_with(b"/") {
                row = row.saturating_add(row_repeat);
            }
        } else if tag.starts_with(b"/table:table-row") {
            row = row.saturating_add(row_repeat);
        } else if tag.starts_with(b"table:table-cell")
            || tag.starts_with(b"table:covered-table-cell")
        {
            let repeat = attr(tag, b"table:number-columns-repeated")
                .unwrap_or(1)
                .max(1);
            let has_value =
                tag.windows(17).any(|w| w == b"office:value-type") || !tag.ends_with(b"/");
            if has_value {
                found = true;
                last_row = last_row.max(row.saturating_add(row_repeat - 1));
                last_col = last_col.max(col.saturating_add(repeat - 1));
            }
            col = col.saturating_add(repeat);
        }
        rest = &rest[end.min(rest.len())..];
    }
    if found {
        widest = widest.max((last_row + 1).saturating_mul(last_col + 1));
    }
    widest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_span_of_an_ods_sheet_counts_repeated_rows_and_cells_with_a_value() {
        let cell =
            r#"<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>"#;
        let empty = r#"<table:table-cell table:number-columns-repeated="16000"/>"#;
        let small = format!(
            r#"<table:table table:name="a"><table:table-row>{cell}{cell}{empty}</table:table-row><table:table-row table:number-rows-repeated="1048000">{empty}</table:table-row></table:table>"#
        );
        assert_eq!(ods_span(small.as_bytes()), 2);
        let far = format!(
            r#"<table:table table:name="a"><table:table-row>{cell}</table:table-row><table:table-row table:number-rows-repeated="1000000">{empty}</table:table-row><table:table-row><table:table-cell table:number-columns-repeated="9999"/>{cell}</table:table-row></table:table>"#
        );
        assert_eq!(ods_span(far.as_bytes()), 1_000_002 * 10_000);
        let repeated = r#"<table:table><table:table-row table:number-rows-repeated="5000"><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="1000"/></table:table-row></table:table>"#;
        assert_eq!(ods_span(repeated.as_bytes()), 5_000_000);
    }
}
