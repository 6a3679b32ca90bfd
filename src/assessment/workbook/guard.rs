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
    Ok(())
}
