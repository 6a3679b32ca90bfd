//! Writes the questionnaire workbook of an assessment document (`rust_xlsxwriter`): the sheets and header names of
//! the contract, drop-downs, locked reference columns, translated labels and guidance in notes. Deterministic: no
//! clock (the document properties carry a fixed date).

use rust_xlsxwriter::{
    Color, DataValidation, DocProperties, ExcelDateTime, Format, FormatBorder, Formula, Note,
    ProtectionOptions, Workbook, Worksheet, XlsxError,
};
use serde_json::Value as Json;

use super::{
    BUILT_ON_COLUMNS, EVIDENCE, EVIDENCE_COLUMNS, FACT_COLUMNS, FACTS, Kind, LISTS, META,
    META_COLUMNS, Patch, README, REQUIREMENT_COLUMNS, REQUIREMENTS, SERVICE, SERVICE_COLUMNS,
    SERVICE_FIELDS, get_path, object_sheets,
};
use crate::model::i18n::{label, t};
use crate::model::{EvidenceKind, Lang, ServiceType, Status};
use crate::pack::Pack;
use crate::pack::{COUNTRIES, LANGUAGES};

/// Rows of the object and evidence sheets that get the drop-downs and formats, beyond the rows written.
const SPARE_ROWS: u32 = 500;

struct Formats {
    header: Format,
    locked: Format,
    unlocked: Format,
    date: Format,
}

fn formats() -> Formats {
    Formats {
        header: Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0x00F6_F8FA))
            .set_border_bottom(FormatBorder::Thin),
        locked: Format::new()
            .set_background_color(Color::RGB(0x00F2_F2F2))
            .set_text_wrap(),
        unlocked: Format::new().set_unlocked().set_text_wrap(),
        date: Format::new().set_unlocked().set_num_format("yyyy-mm-dd"),
    }
}

fn note(text: &str) -> Note {
    Note::new(text).set_author("snc")
}

/// The header row: the contract names, each with its label in the workbook's language as a note.
fn header(
    sheet: &mut Worksheet,
    row: u32,
    names: &[&str],
    lang: Lang,
    f: &Formats,
) -> Result<(), XlsxError> {
    for (col, name) in (0_u16..).zip(names) {
        sheet.write_string_with_format(row, col, *name, &f.header)?;
        let key = column_label(name);
        sheet.insert_note(row, col, &note(t(lang, key)))?;
    }
    Ok(())
}

/// The catalogue key of a column's label.
fn column_label(name: &str) -> &'static str {
    match name {
        "id" => "workbook_col_id",
        "chapter" => "workbook_col_chapter",
        "severity" => "workbook_col_severity",
        "title" => "workbook_col_title",
        "question" => "workbook_col_question",
        "status" => "workbook_col_status",
        "owner" => "workbook_col_owner",
        "target_date" => "workbook_col_target_date",
        "comment" => "workbook_col_comment",
        "justification" => "workbook_col_justification",
        "ref" => "workbook_col_ref",
        "date" => "workbook_col_date",
        "kind" => "workbook_col_kind",
        "path" => "workbook_col_path",
        "description" => "workbook_col_description",
        "value" => "workbook_col_value",
        "unit" => "workbook_col_unit",
        "format" => "workbook_col_format",
        "pack" => "workbook_col_pack",
        "vendor" => "workbook_col_vendor",
        "contact" => "workbook_col_contact",
        "service_name" => "workbook_col_service_name",
        "types" => "workbook_col_types",
        "layer" => "workbook_col_layer",
        "provider" => "workbook_col_provider",
        "offer" => "workbook_col_offer",
        "secnumcloud_qualified" => "workbook_col_secnumcloud_qualified",
        "qualification_valid_until" => "workbook_col_qualification_valid_until",
        "key" => "workbook_col_key",
        "shown" => "workbook_col_shown",
        _ => "workbook_col_field",
    }
}

fn yes_no(lang: Lang, b: bool) -> &'static str {
    t(lang, if b { "workbook_yes" } else { "workbook_no" })
}

/// A value as the text of a list item.
fn item_text(kind: &Kind, value: &Json, lang: Lang) -> String {
    match (kind, value) {
        (Kind::Bool, Json::Bool(b)) => yes_no(lang, *b).to_owned(),
        (_, Json::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    }
}

/// Writes `value` as a cell of `kind`; nothing for null or absent.
#[expect(
    clippy::too_many_arguments,
    reason = "a cell's place, kind, value and formats"
)]
fn put(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    kind: &Kind,
    value: Option<&Json>,
    lang: Lang,
    format: &Format,
    date: &Format,
) -> Result<(), XlsxError> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(());
    };
    match (kind, value) {
        (_, Json::String(s)) if s.is_empty() => {}
        (Kind::Bool, Json::Bool(b)) => {
            sheet.write_string_with_format(row, col, yes_no(lang, *b), format)?;
        }
        (Kind::Int | Kind::Number, Json::Number(n)) => {
            sheet.write_number_with_format(row, col, n.as_f64().unwrap_or(0.0), format)?;
        }
        (Kind::Date, Json::String(s)) => match crate::model::date::parse(s).and_then(|d| {
            use chrono::Datelike as _;
            ExcelDateTime::from_ymd(
                u16::try_from(d.year()).ok()?,
                u8::try_from(d.month()).ok()?,
                u8::try_from(d.day()).ok()?,
            )
            .ok()
        }) {
            Some(d) => {
                sheet.write_datetime_with_format(row, col, &d, date)?;
            }
            None => {
                sheet.write_string_with_format(row, col, s, format)?;
            }
        },
        (Kind::Status, Json::String(s)) => {
            let shown = s
                .parse::<Status>()
                .map_or_else(|_| s.clone(), |st| label(lang, st).to_owned());
            sheet.write_string_with_format(row, col, shown, format)?;
        }
        (Kind::Evidence, Json::String(s)) => {
            let shown = s
                .parse::<EvidenceKind>()
                .map_or_else(|_| s.clone(), |k| label(lang, k).to_owned());
            sheet.write_string_with_format(row, col, shown, format)?;
        }
        (Kind::List(item), Json::Array(items)) => {
            let text = items
                .iter()
                .map(|v| item_text(item, v, lang))
                .collect::<Vec<_>>()
                .join(", ");
            if !text.is_empty() {
                sheet.write_string_with_format(row, col, text, format)?;
            }
        }
        (_, Json::String(s)) => {
            sheet.write_string_with_format(row, col, s, format)?;
        }
        (_, other) => {
            sheet.write_string_with_format(row, col, other.to_string(), format)?;
        }
    }
    Ok(())
}

/// A drop-down over rows `first..=last` of a column, or none when the list does not fit Excel's 255 characters.
fn drop_down(
    sheet: &mut Worksheet,
    (first, last): (u32, u32),
    col: u16,
    kind: &Kind,
    lang: Lang,
) -> Result<(), XlsxError> {
    let validation =
        match kind {
            Kind::Bool => Some(DataValidation::new().allow_list_strings(&[
                yes_no(lang, true),
                yes_no(lang, false),
                t(lang, "workbook_unknown"),
            ])?),
            Kind::Country => Some(
                DataValidation::new().allow_list_formula(Formula::new(format!(
                    "={LISTS}!$A$2:$A${}",
                    COUNTRIES.len() + 1
                ))),
            ),
            Kind::Language => Some(DataValidation::new().allow_list_formula(Formula::new(
                format!("={LISTS}!$B$2:$B${}", LANGUAGES.len() + 1),
            ))),
            Kind::Enum(values)
                if values.iter().map(|v| v.chars().count() + 1).sum::<usize>() < 250
                    && values.iter().all(|v| !v.contains(',')) =>
            {
                Some(DataValidation::new().allow_list_strings(values)?)
            }
            Kind::Status => {
                let labels: Vec<&str> = Status::ALL.iter().map(|s| label(lang, *s)).collect();
                Some(DataValidation::new().allow_list_strings(&labels)?)
            }
            Kind::Evidence => {
                let labels: Vec<&str> = EvidenceKind::ALL.iter().map(|k| label(lang, *k)).collect();
                Some(DataValidation::new().allow_list_strings(&labels)?)
            }
            Kind::ServiceType => {
                let names: Vec<&str> = ServiceType::ALL.iter().map(|s| s.as_str()).collect();
                Some(DataValidation::new().allow_list_strings(&names)?)
            }
            _ => None,
        };
    if let Some(v) = validation {
        sheet.add_data_validation(first, col, last, col, &v)?;
    }
    Ok(())
}

pub(super) fn workbook(
    pack: &Pack,
    document: &Json,
    lang: Lang,
    patches: &[Patch],
) -> Result<Vec<u8>, XlsxError> {
    let f = formats();
    let mut workbook = Workbook::new();
    // The clock never enters an output.
    workbook.set_properties(
        &DocProperties::new()
            .set_author("snc")
            .set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?),
    );

    readme(workbook.add_worksheet(), lang)?;
    service(workbook.add_worksheet(), document, lang, &f)?;
    let ids = requirements(workbook.add_worksheet(), pack, document, lang, &f)?;
    evidence(workbook.add_worksheet(), document, &ids, lang, &f)?;
    facts(workbook.add_worksheet(), pack, document, lang, &f)?;
    let fact_values = document.get("facts").unwrap_or(&Json::Null);
    for o in object_sheets(pack) {
        let sheet = workbook.add_worksheet();
        sheet.set_name(&o.sheet)?;
        let names: Vec<&str> = o.fields.iter().map(|x| x.name.as_str()).collect();
        for (col, field) in (0_u16..).zip(o.fields) {
            sheet.write_string_with_format(0, col, &field.name, &f.header)?;
            sheet.insert_note(0, col, &note(field.description.get(lang)))?;
            sheet.set_column_width(col, 18)?;
            sheet.set_column_format(col, &f.unlocked)?;
        }
        let rows = get_path(fact_values, &o.fact.path)
            .and_then(Json::as_array)
            .map_or(&[][..], Vec::as_slice);
        for (row, entry) in (1_u32..).zip(rows) {
            for (col, field) in (0_u16..).zip(o.fields) {
                put(
                    sheet,
                    row,
                    col,
                    &Kind::of_field(field),
                    entry.get(&field.name),
                    lang,
                    &f.unlocked,
                    &f.date,
                )?;
            }
        }
        let last = u32::try_from(rows.len()).unwrap_or(0) + SPARE_ROWS;
        for (col, field) in (0_u16..).zip(o.fields) {
            drop_down(sheet, (1, last), col, &Kind::of_field(field), lang)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        let _ = names;
    }
    lists(workbook.add_worksheet())?;
    meta(workbook.add_worksheet(), lang, patches)?;
    workbook.save_to_buffer()
}

fn readme(sheet: &mut Worksheet, lang: Lang) -> Result<(), XlsxError> {
    sheet.set_name(README)?;
    sheet.set_column_width(0, 120)?;
    let bold = Format::new().set_bold().set_font_size(14);
    let wrap = Format::new().set_text_wrap();
    sheet.write_string_with_format(0, 0, t(lang, "workbook_readme_title"), &bold)?;
    for (row, line) in (2_u32..).zip(t(lang, "workbook_readme").lines()) {
        sheet.write_string_with_format(row, 0, line, &wrap)?;
    }
    Ok(())
}

fn service(
    sheet: &mut Worksheet,
    document: &Json,
    lang: Lang,
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name(SERVICE)?;
    header(sheet, 0, &SERVICE_COLUMNS, lang, f)?;
    sheet.set_column_width(0, 26)?;
    sheet.set_column_width(1, 40)?;
    sheet.set_column_width(2, 40)?;
    sheet.set_column_width(3, 24)?;
    sheet.set_column_width(4, 26)?;
    let vendor = document.get("vendor").unwrap_or(&Json::Null);
    let service = document.get("service").unwrap_or(&Json::Null);
    for (row, field) in (1_u32..).zip(SERVICE_FIELDS) {
        let (value, kind) = match field {
            "format" | "pack" => (document.get(field), Kind::Text),
            "vendor" => (vendor.get("name"), Kind::Text),
            "contact" => (vendor.get("contact"), Kind::Text),
            "service_name" => (service.get("name"), Kind::Text),
            _ => (
                service.get("types"),
                Kind::List(Box::new(Kind::ServiceType)),
            ),
        };
        sheet.write_string_with_format(row, 0, field, &f.locked)?;
        let format = if matches!(field, "format" | "pack") {
            &f.locked
        } else {
            &f.unlocked
        };
        put(sheet, row, 1, &kind, value, lang, format, &f.date)?;
        sheet.write_string_with_format(row, 2, t(lang, column_label(field)), &f.locked)?;
    }
    let top = u32::try_from(SERVICE_FIELDS.len()).unwrap_or(6) + 2;
    header(sheet, top, &BUILT_ON_COLUMNS, lang, f)?;
    let kinds = [
        Kind::ServiceType,
        Kind::Text,
        Kind::Text,
        Kind::Bool,
        Kind::Date,
    ];
    let layers = service
        .get("built_on")
        .and_then(Json::as_array)
        .map_or(&[][..], Vec::as_slice);
    for (row, layer) in (top + 1..).zip(layers) {
        for ((col, name), kind) in (0_u16..).zip(BUILT_ON_COLUMNS).zip(&kinds) {
            put(
                sheet,
                row,
                col,
                kind,
                layer.get(name),
                lang,
                &f.unlocked,
                &f.date,
            )?;
        }
    }
    for (col, kind) in (0_u16..).zip(&kinds) {
        drop_down(sheet, (top + 1, top + 20), col, kind, lang)?;
    }
    Ok(())
}

/// The Requirements sheet; returns the ids of its rows, in order.
fn requirements(
    sheet: &mut Worksheet,
    pack: &Pack,
    document: &Json,
    lang: Lang,
    f: &Formats,
) -> Result<Vec<String>, XlsxError> {
    sheet.set_name(REQUIREMENTS)?;
    header(sheet, 0, &REQUIREMENT_COLUMNS, lang, f)?;
    let empty = serde_json::Map::new();
    let answers = document
        .get("answers")
        .and_then(Json::as_object)
        .unwrap_or(&empty);
    let service = document.get("service").unwrap_or(&Json::Null);
    let types: Vec<ServiceType> = service
        .get("types")
        .and_then(Json::as_array)
        .map(|a| a.iter().filter_map(|t| t.as_str()?.parse().ok()).collect())
        .unwrap_or_default();
    let layers: Vec<ServiceType> = service
        .get("built_on")
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|b| b.get("layer")?.as_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    let mut ids = Vec::new();
    let mut row = 1_u32;
    for r in &pack.requirements {
        let id = r.id.to_string();
        let answer = answers.get(&id);
        if !(answer.is_some() || r.applies_to_service(&types, &layers)) {
            continue;
        }
        sheet.write_string_with_format(row, 0, &id, &f.locked)?;
        sheet.write_string_with_format(row, 1, &r.chapter, &f.locked)?;
        sheet.write_string_with_format(row, 2, label(lang, r.severity), &f.locked)?;
        let title = answer
            .and_then(|a| a.get("title"))
            .and_then(Json::as_str)
            .unwrap_or_else(|| r.title.get(lang));
        sheet.write_string_with_format(row, 3, title, &f.locked)?;
        sheet.write_string_with_format(row, 4, r.question.get(lang), &f.locked)?;
        let guidance = r.guidance.get(lang);
        if !guidance.trim().is_empty() {
            sheet.insert_note(row, 4, &note(guidance).set_width(400))?;
        }
        answer_cells(sheet, row, answer, lang, f)?;
        ids.push(id);
        row += 1;
    }
    for (id, answer) in answers {
        if pack.requirements.iter().any(|r| r.id.to_string() == *id) {
            continue;
        }
        sheet.write_string_with_format(row, 0, id, &f.locked)?;
        for col in [1, 2, 4] {
            sheet.write_blank(row, col, &f.locked)?;
        }
        put(
            sheet,
            row,
            3,
            &Kind::Text,
            answer.get("title"),
            lang,
            &f.locked,
            &f.date,
        )?;
        answer_cells(sheet, row, Some(answer), lang, f)?;
        ids.push(id.clone());
        row += 1;
    }
    for (col, width) in (0_u16..).zip([9.0, 8.0, 10.0, 40.0, 60.0, 22.0, 16.0, 12.0, 40.0, 40.0]) {
        sheet.set_column_width(col, width)?;
    }
    for col in 5..=9 {
        sheet.set_column_format(col, &f.unlocked)?;
    }
    sheet.set_column_format(7, &f.date)?;
    let last = row.saturating_sub(1).max(1);
    drop_down(sheet, (1, last), 5, &Kind::Status, lang)?;
    sheet.set_freeze_panes(1, 1)?;
    sheet.autofilter(0, 0, last, 9)?;
    let mut options = ProtectionOptions::new();
    options.use_autofilter = true;
    options.sort = true;
    options.format_columns = true;
    options.format_rows = true;
    sheet.protect_with_options(&options);
    Ok(ids)
}

fn answer_cells(
    sheet: &mut Worksheet,
    row: u32,
    answer: Option<&Json>,
    lang: Lang,
    f: &Formats,
) -> Result<(), XlsxError> {
    let get = |name: &str| answer.and_then(|a| a.get(name));
    put(
        sheet,
        row,
        5,
        &Kind::Status,
        get("status"),
        lang,
        &f.unlocked,
        &f.date,
    )?;
    put(
        sheet,
        row,
        6,
        &Kind::Text,
        get("owner"),
        lang,
        &f.unlocked,
        &f.date,
    )?;
    put(
        sheet,
        row,
        7,
        &Kind::Date,
        get("target_date"),
        lang,
        &f.unlocked,
        &f.date,
    )?;
    put(
        sheet,
        row,
        8,
        &Kind::Text,
        get("comment"),
        lang,
        &f.unlocked,
        &f.date,
    )?;
    put(
        sheet,
        row,
        9,
        &Kind::Text,
        get("justification"),
        lang,
        &f.unlocked,
        &f.date,
    )?;
    Ok(())
}

fn evidence(
    sheet: &mut Worksheet,
    document: &Json,
    ids: &[String],
    lang: Lang,
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name(EVIDENCE)?;
    header(sheet, 0, &EVIDENCE_COLUMNS, lang, f)?;
    for (col, width) in (0_u16..).zip([9.0, 40.0, 40.0, 12.0, 20.0]) {
        sheet.set_column_width(col, width)?;
        sheet.set_column_format(col, &f.unlocked)?;
    }
    sheet.set_column_format(3, &f.date)?;
    let mut row = 1_u32;
    for id in ids {
        let items = document
            .get("answers")
            .and_then(|a| a.get(id))
            .and_then(|a| a.get("evidence"))
            .and_then(Json::as_array)
            .map_or(&[][..], Vec::as_slice);
        for item in items {
            sheet.write_string_with_format(row, 0, id, &f.unlocked)?;
            put(
                sheet,
                row,
                1,
                &Kind::Text,
                item.get("title"),
                lang,
                &f.unlocked,
                &f.date,
            )?;
            put(
                sheet,
                row,
                2,
                &Kind::Text,
                item.get("ref"),
                lang,
                &f.unlocked,
                &f.date,
            )?;
            put(
                sheet,
                row,
                3,
                &Kind::Date,
                item.get("date"),
                lang,
                &f.unlocked,
                &f.date,
            )?;
            put(
                sheet,
                row,
                4,
                &Kind::Evidence,
                item.get("kind"),
                lang,
                &f.unlocked,
                &f.date,
            )?;
            row += 1;
        }
    }
    drop_down(sheet, (1, row + SPARE_ROWS), 4, &Kind::Evidence, lang)?;
    // The ids of the Requirements sheet, to choose from.
    if !ids.is_empty() {
        let list = DataValidation::new().allow_list_formula(Formula::new(format!(
            "={REQUIREMENTS}!$A$2:$A${}",
            ids.len() + 1
        )));
        sheet.add_data_validation(1, 0, row + SPARE_ROWS, 0, &list)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

fn facts(
    sheet: &mut Worksheet,
    pack: &Pack,
    document: &Json,
    lang: Lang,
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name(FACTS)?;
    header(sheet, 0, &FACT_COLUMNS, lang, f)?;
    for (col, width) in (0_u16..).zip([44.0, 70.0, 30.0, 40.0]) {
        sheet.set_column_width(col, width)?;
    }
    sheet.set_column_format(2, &f.unlocked)?;
    let values = document.get("facts").unwrap_or(&Json::Null);
    let mut row = 1_u32;
    for fact in &pack.facts {
        let Some(kind) = Kind::of_fact(&fact.ty) else {
            continue;
        };
        sheet.write_string_with_format(row, 0, &fact.path, &f.locked)?;
        sheet.write_string_with_format(row, 1, fact.description.get(lang), &f.locked)?;
        let format = if kind == Kind::Date {
            &f.date
        } else {
            &f.unlocked
        };
        if get_path(values, &fact.path).is_none_or(Json::is_null) {
            sheet.write_blank(row, 2, format)?;
        }
        put(
            sheet,
            row,
            2,
            &kind,
            get_path(values, &fact.path),
            lang,
            format,
            &f.date,
        )?;
        let unit = match &kind {
            Kind::Bool => t(lang, "workbook_unit_bool").to_owned(),
            Kind::List(_) => format!(
                "{} {}",
                fact.ty.describe(lang),
                t(lang, "workbook_unit_list")
            ),
            _ => fact.ty.describe(lang),
        };
        sheet.write_string_with_format(row, 3, unit, &f.locked)?;
        drop_down(sheet, (row, row), 2, &kind, lang)?;
        row += 1;
    }
    sheet.set_freeze_panes(1, 1)?;
    let mut options = ProtectionOptions::new();
    options.format_columns = true;
    options.format_rows = true;
    sheet.protect_with_options(&options);
    Ok(())
}

fn lists(sheet: &mut Worksheet) -> Result<(), XlsxError> {
    sheet.set_name(LISTS)?;
    sheet.write_string(0, 0, "country")?;
    sheet.write_string(0, 1, "language")?;
    for (row, code) in (1_u32..).zip(COUNTRIES) {
        sheet.write_string(row, 0, *code)?;
    }
    for (row, code) in (1_u32..).zip(LANGUAGES) {
        sheet.write_string(row, 1, *code)?;
    }
    sheet.set_hidden(true);
    Ok(())
}

fn meta(sheet: &mut Worksheet, lang: Lang, patches: &[Patch]) -> Result<(), XlsxError> {
    sheet.set_name(META)?;
    for (col, name) in (0_u16..).zip(META_COLUMNS) {
        sheet.write_string(0, col, name)?;
    }
    sheet.write_string(1, 0, "workbook")?;
    sheet.write_string(1, 1, super::WORKBOOK_FORMAT)?;
    sheet.write_string(2, 0, "lang")?;
    sheet.write_string(2, 1, lang.as_str())?;
    for (row, patch) in (3_u32..).zip(patches) {
        sheet.write_string(row, 0, &patch.pointer)?;
        if let Some(v) = &patch.original {
            sheet.write_string(row, 1, v.to_string())?;
        }
        if let Some(v) = &patch.shown {
            sheet.write_string(row, 2, v.to_string())?;
        }
    }
    sheet.set_hidden(true);
    Ok(())
}
