//! `snc export` and `snc import`: an assessment as a questionnaire workbook, and back.

use std::path::Path;

use crate::assessment::limits::Limits;
use crate::assessment::workbook;
use crate::cli::{ExportArgs, ImportArgs, Output, pretty};
use crate::model::Lang;
use crate::model::error::Error;
use crate::msg;
use crate::pack::Pack;

fn has_extension(path: &Path, ext: &str) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

/// The document of an assessment file (validated first, so that only a valid assessment becomes a workbook).
fn document(pack: &Pack, path: &Path, limits: &Limits) -> Result<serde_json::Value, Error> {
    if workbook::is_workbook(path) {
        let bytes = crate::assessment::read_capped(path, limits)?;
        let file = path.display().to_string();
        return Ok(workbook::parse_document(&file, &bytes, pack, limits)?.1);
    }
    crate::assessment::load_with(path, pack, limits)?;
    let bytes = crate::assessment::read_capped(path, limits)?;
    let text = String::from_utf8_lossy(&bytes);
    crate::model::json::parse_strict(crate::model::json::without_bom(&text).as_ref())
        .map_err(|e| Error::Usage(msg!("json.invalid", detail = e.to_string())))
}

pub fn export(
    pack: &Pack,
    args: &ExportArgs,
    lang: Lang,
    limits: &Limits,
) -> Result<Output, Error> {
    if !has_extension(&args.output, "xlsx") {
        return Err(Error::Usage(msg!(
            "workbook.output_format",
            path = args.output.display().to_string()
        )));
    }
    crate::report::xlsx::ensure_available()?;
    crate::fs::ensure_not_input(&args.output, &[&args.assessment])?;
    let document = document(pack, &args.assessment, limits)?;
    let bytes = workbook::write(pack, &document, lang)?;
    crate::fs::write_atomic(&args.output, &bytes)?;
    let count = document
        .get("answers")
        .and_then(serde_json::Value::as_object)
        .map_or(0, serde_json::Map::len);
    let wrote = msg!(
        "workbook.export_wrote",
        path = args.output.display().to_string(),
        count
    );
    Ok(Output::ok(format!("{}\n", wrote.render(lang))))
}

pub fn import(
    pack: &Pack,
    args: &ImportArgs,
    lang: Lang,
    limits: &Limits,
) -> Result<Output, Error> {
    if !has_extension(&args.output, "json") {
        return Err(Error::Usage(msg!(
            "workbook.import_output",
            path = args.output.display().to_string()
        )));
    }
    crate::report::xlsx::ensure_available()?;
    crate::fs::ensure_not_input(&args.output, &[&args.workbook])?;
    let bytes = crate::assessment::read_capped(&args.workbook, limits)?;
    let file = args.workbook.display().to_string();
    let (assessment, document) = workbook::parse_document(&file, &bytes, pack, limits)?;
    crate::fs::write_atomic(&args.output, pretty(&document).as_bytes())?;
    let wrote = msg!(
        "workbook.import_wrote",
        path = args.output.display().to_string(),
        count = assessment.answers.len() + assessment.unknown_answers.len()
    );
    Ok(Output::ok(format!("{}\n", wrote.render(lang))))
}
