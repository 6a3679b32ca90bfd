//! Reads a questionnaire workbook (xlsx or ods, through calamine) into an assessment document. Cells are read by
//! value (a formula by the value its application last computed, never evaluated here); every problem is located
//! at its sheet and cell, and all of them are reported at once.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;

use calamine::{Data, DataRef, Ods, Reader as _, Xlsx};
use chrono::{Days, NaiveDate};
use serde_json::{Map, Value as Json, json};

use super::{
    BUILT_ON_COLUMNS, EVIDENCE, EVIDENCE_COLUMNS, FACT_COLUMNS, FACTS, Kind, LISTS, META,
    META_COLUMNS, Patch, README, REQUIREMENT_COLUMNS, REQUIREMENTS, SERVICE, SERVICE_COLUMNS,
    SERVICE_FIELDS, Sheets, answer_pointer, cell_ref, fact_pointer, object_sheets, set_path,
};
use crate::assessment::limits::{Limits, MAX_DIAGNOSTICS};
use crate::model::error::{Diagnostic, Error};
use crate::model::i18n::{Message, Word, label, t};
use crate::model::{EvidenceKind, Lang, ServiceType, Status};
use crate::msg;
use crate::pack::Pack;

/// Cells holding something, in all the sheets of a workbook.
const MAX_CELLS: usize = 1_000_000;

/// A cell's content.
#[derive(Clone, Debug, PartialEq)]
enum Val {
    Empty,
    Str(String),
    Num(f64),
    Bool(bool),
    /// A number shown as a date or time: its serial, and whether the workbook counts from 1904.
    Date(calamine::ExcelDateTime),
    /// A date or time as ISO 8601 text (how ods stores them).
    Iso(String),
    /// An error value (`#N/A`, `#DIV/0!`…).
    Error(String),
}

struct Grid {
    name: String,
    cells: BTreeMap<(u32, u32), Val>,
    /// Stands for a missing sheet (already reported): its headers are not.
    placeholder: bool,
}

impl Grid {
    fn get(&self, row: u32, col: Option<u32>) -> &Val {
        static EMPTY: Val = Val::Empty;
        col.and_then(|c| self.cells.get(&(row, c)))
            .unwrap_or(&EMPTY)
    }

    /// The rows from `first` on that hold something, in order.
    fn rows_from(&self, first: u32) -> Vec<u32> {
        let rows: BTreeSet<u32> = self
            .cells
            .keys()
            .map(|&(r, _)| r)
            .filter(|&r| r >= first)
            .collect();
        rows.into_iter().collect()
    }
}

fn from_data(data: &Data) -> Val {
    match data {
        Data::Empty => Val::Empty,
        Data::String(s) => Val::Str(s.clone()),
        #[expect(
            clippy::cast_precision_loss,
            reason = "cell numbers are f64 in every spreadsheet"
        )]
        Data::Int(i) => Val::Num(*i as f64),
        Data::Float(f) => Val::Num(*f),
        Data::Bool(b) => Val::Bool(*b),
        Data::DateTime(d) => Val::Date(*d),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Val::Iso(s.clone()),
        Data::Error(e) => Val::Error(e.to_string()),
    }
}

fn from_data_ref(data: DataRef<'_>) -> Val {
    match data {
        DataRef::Empty => Val::Empty,
        DataRef::String(s) => Val::Str(s),
        DataRef::SharedString(s) => Val::Str(s.to_owned()),
        #[expect(
            clippy::cast_precision_loss,
            reason = "cell numbers are f64 in every spreadsheet"
        )]
        DataRef::Int(i) => Val::Num(i as f64),
        DataRef::Float(f) => Val::Num(f),
        DataRef::Bool(b) => Val::Bool(b),
        DataRef::DateTime(d) => Val::Date(d),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Val::Iso(s),
        DataRef::Error(e) => Val::Error(e.to_string()),
    }
}

/// Every sheet of the workbook, in order, with the cells that hold something.
fn load(file: &str, bytes: &[u8]) -> Result<Vec<Grid>, Error> {
    let unreadable = |e: &dyn std::fmt::Display| {
        Error::from(Diagnostic::file(
            file,
            msg!("workbook.unreadable", error = e.to_string()),
        ))
    };
    let too_many = || {
        Error::from(Diagnostic::file(
            file,
            msg!("workbook.too_many_cells", max = MAX_CELLS),
        ))
    };
    let mut grids = Vec::new();
    let mut count = 0_usize;
    // An OpenDocument file starts with its uncompressed `mimetype` entry.
    let is_ods = bytes
        .get(..100)
        .unwrap_or(bytes)
        .windows(39)
        .any(|w| w == b"application/vnd.oasis.opendocument.spre");
    if is_ods {
        let mut ods: Ods<_> = Ods::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
        for name in ods.sheet_names() {
            let range = ods.worksheet_range(&name).map_err(|e| unreadable(&e))?;
            let (top, left) = range.start().unwrap_or((0, 0));
            let mut cells = BTreeMap::new();
            for (r, c, data) in range.used_cells() {
                count += 1;
                if count > MAX_CELLS {
                    return Err(too_many());
                }
                let (Ok(r), Ok(c)) = (u32::try_from(r), u32::try_from(c)) else {
                    return Err(too_many());
                };
                cells.insert((top + r, left + c), from_data(data));
            }
            grids.push(Grid {
                name,
                cells,
                placeholder: false,
            });
        }
    } else {
        let mut xlsx: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
        for name in xlsx.sheet_names() {
            let mut cells = BTreeMap::new();
            let mut reader = xlsx
                .worksheet_cells_reader(&name)
                .map_err(|e| unreadable(&e))?;
            while let Some(cell) = reader.next_cell().map_err(|e| unreadable(&e))? {
                let (r, c) = cell.get_position();
                let value = from_data_ref(cell.get_value().clone());
                if value == Val::Empty {
                    continue;
                }
                count += 1;
                if count > MAX_CELLS {
                    return Err(too_many());
                }
                cells.insert((r, c), value);
            }
            drop(reader);
            grids.push(Grid {
                name,
                cells,
                placeholder: false,
            });
        }
    }
    Ok(grids)
}

/// Collects the problems and where each value came from.
struct Ctx<'a> {
    file: &'a str,
    problems: Vec<Diagnostic>,
    cells: BTreeMap<String, String>,
}

impl Ctx<'_> {
    fn problem(&mut self, cell: &str, message: Message) {
        if self.problems.len() <= MAX_DIAGNOSTICS {
            self.problems.push(Diagnostic::file(
                self.file,
                msg!("workbook.at", cell, message),
            ));
        }
    }

    /// The value of a cell as `kind`; `null` (and a problem) when it is not one.
    fn value(
        &mut self,
        grid: &Grid,
        row: u32,
        col: Option<u32>,
        kind: &Kind,
        pointer: &str,
    ) -> Json {
        let Some(c) = col else { return Json::Null };
        let cell = cell_ref(&grid.name, row, c);
        self.cells.insert(pointer.to_owned(), cell.clone());
        match convert(kind, grid.get(row, col)) {
            Ok(v) => v,
            Err(message) => {
                self.problem(&cell, message);
                Json::Null
            }
        }
    }
}

/// The text of a cell, trimmed, for names and keys.
fn key_text(v: &Val) -> String {
    match text(v) {
        Ok(Some(s)) => s.trim().to_owned(),
        _ => String::new(),
    }
}

fn number_string(n: f64) -> String {
    #[expect(
        clippy::cast_possible_truncation,
        reason = "only for whole values within i64"
    )]
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// A cell as text: `None` when empty (an empty string too).
fn text(v: &Val) -> Result<Option<String>, Message> {
    Ok(match v {
        Val::Empty => None,
        Val::Str(s) if s.is_empty() => None,
        Val::Str(s) | Val::Iso(s) => Some(s.clone()),
        Val::Num(n) => Some(number_string(*n)),
        Val::Bool(b) => Some(b.to_string()),
        Val::Date(d) => Some(serial_date(d.as_f64(), d.to_ymd_hms_milli()).to_string()),
        Val::Error(e) => return Err(msg!("workbook.error_value", value = e.as_str())),
    })
}

fn serial_date(_serial: f64, ymd: (u16, u8, u8, u8, u8, u8, u16)) -> NaiveDate {
    NaiveDate::from_ymd_opt(i32::from(ymd.0), u32::from(ymd.1), u32::from(ymd.2))
        .unwrap_or(NaiveDate::MIN)
}

/// A 1900-system serial number as a date (Excel's serial 60 is its fictitious 1900-02-29).
fn from_serial(serial: f64) -> Option<NaiveDate> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "in range above"
    )]
    let days = serial.floor() as u64;
    let epoch = if days < 60 {
        NaiveDate::from_ymd_opt(1899, 12, 31)
    } else {
        NaiveDate::from_ymd_opt(1899, 12, 30)
    }?;
    epoch.checked_add_days(Days::new(days))
}

fn normalized(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .replace(['-', '_'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A vocabulary word by its name or its label in any language.
fn word<W: Word>(all: &[W], text: &str) -> Option<W> {
    let wanted = normalized(text);
    all.iter().copied().find(|w| {
        normalized(w.name()) == wanted
            || Lang::ALL
                .iter()
                .any(|&l| normalized(label(l, *w)) == wanted)
    })
}

fn yes_no(text: &str) -> Option<bool> {
    let wanted = normalized(text);
    if wanted == "true"
        || Lang::ALL
            .iter()
            .any(|&l| normalized(t(l, "workbook_yes")) == wanted)
    {
        Some(true)
    } else if wanted == "false"
        || Lang::ALL
            .iter()
            .any(|&l| normalized(t(l, "workbook_no")) == wanted)
    {
        Some(false)
    } else {
        None
    }
}

/// "unknown" in any language: the third choice of a yes/no drop-down, as empty.
fn is_unknown(text: &str) -> bool {
    let wanted = normalized(text);
    Lang::ALL
        .iter()
        .any(|&l| normalized(t(l, "workbook_unknown")) == wanted)
}

fn parse_number(text: &str) -> Option<f64> {
    let cleaned: String = text
        .trim()
        .trim_end_matches('%')
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}')
        .collect();
    let cleaned = if cleaned.contains('.') {
        cleaned
    } else {
        cleaned.replace(',', ".")
    };
    cleaned.parse::<f64>().ok().filter(|f| f.is_finite())
}

fn number_json(n: f64) -> Json {
    #[expect(
        clippy::cast_possible_truncation,
        reason = "only for whole values within i64"
    )]
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        json!(n as i64)
    } else {
        json!(n)
    }
}

fn date_text(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let day = match text.char_indices().nth(10) {
        Some((i, 'T' | ' ')) => &text[..i],
        _ => text,
    };
    crate::model::date::parse(day)
}

/// A cell as a value of `kind`: `null` when empty.
fn convert(kind: &Kind, v: &Val) -> Result<Json, Message> {
    if let Val::Error(e) = v {
        return Err(msg!("workbook.error_value", value = e.as_str()));
    }
    let Some(shown) = text(v)? else {
        return Ok(Json::Null);
    };
    let trimmed = shown.trim();
    Ok(match kind {
        Kind::Text => Json::String(shown),
        _ if trimmed.is_empty() => Json::Null,
        Kind::Bool if is_unknown(trimmed) => Json::Null,
        Kind::Bool => match v {
            Val::Bool(b) => Json::Bool(*b),
            Val::Num(n) if (*n - 1.0).abs() < f64::EPSILON => Json::Bool(true),
            Val::Num(n) if n.abs() < f64::EPSILON => Json::Bool(false),
            _ => Json::Bool(
                yes_no(trimmed).ok_or_else(|| msg!("workbook.not_yes_no", value = trimmed))?,
            ),
        },
        Kind::Int => {
            let n = match v {
                Val::Num(n) => Some(*n),
                _ => parse_number(trimmed),
            };
            match n {
                Some(n) if n.fract() == 0.0 && (0.0..9.0e15).contains(&n) => number_json(n),
                _ => return Err(msg!("workbook.not_whole_number", value = trimmed)),
            }
        }
        Kind::Number => match v {
            Val::Num(n) => number_json(*n),
            _ => number_json(
                parse_number(trimmed)
                    .ok_or_else(|| msg!("workbook.not_number", value = trimmed))?,
            ),
        },
        Kind::Date => {
            let date = match v {
                Val::Date(d) => Some(serial_date(d.as_f64(), d.to_ymd_hms_milli())),
                Val::Num(n) => from_serial(*n),
                _ => date_text(trimmed),
            };
            match date.filter(|d| crate::model::date::in_range(*d)) {
                Some(d) => Json::String(d.to_string()),
                None => return Err(msg!("workbook.not_date", value = trimmed)),
            }
        }
        Kind::Country => Json::String(trimmed.to_uppercase()),
        Kind::Language => Json::String(trimmed.to_lowercase()),
        Kind::Enum(values) => {
            let by_number = match v {
                Val::Num(n) => values
                    .iter()
                    .find(|value| value.parse::<f64>().ok() == Some(*n)),
                _ => None,
            };
            let found = by_number.or_else(|| {
                values
                    .iter()
                    .find(|value| value.as_str() == trimmed)
                    .or_else(|| {
                        values
                            .iter()
                            .find(|value| value.eq_ignore_ascii_case(trimmed))
                    })
            });
            Json::String(found.map_or_else(|| trimmed.to_owned(), Clone::clone))
        }
        Kind::Status => match word(Status::ALL, trimmed) {
            Some(s) => Json::String(s.as_str().to_owned()),
            None => {
                return Err(msg!(
                    "workbook.not_one_of",
                    value = trimmed,
                    allowed = allowed(Status::ALL)
                ));
            }
        },
        Kind::Evidence => match word(EvidenceKind::ALL, trimmed) {
            Some(k) => Json::String(k.as_str().to_owned()),
            None => {
                return Err(msg!(
                    "workbook.not_one_of",
                    value = trimmed,
                    allowed = allowed(EvidenceKind::ALL)
                ));
            }
        },
        Kind::ServiceType => {
            let found = ServiceType::ALL
                .iter()
                .find(|s| s.as_str().eq_ignore_ascii_case(trimmed));
            Json::String(found.map_or_else(|| trimmed.to_owned(), |s| s.as_str().to_owned()))
        }
        Kind::List(item) => {
            let items: Vec<Json> = match v {
                Val::Num(_) | Val::Bool(_) | Val::Date(_) => vec![convert(item, v)?],
                _ => shown
                    .split([',', ';', '\n'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| convert(item, &Val::Str(s.to_owned())))
                    .collect::<Result<_, _>>()?,
            };
            Json::Array(items)
        }
    })
}

fn allowed<W: Word>(all: &[W]) -> String {
    all.iter()
        .map(|w| format!("\"{}\"", w.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The column of each expected header in row `header`; a header that is not expected, and one that is missing,
/// are problems.
fn columns(ctx: &mut Ctx, grid: &Grid, expected: &[&str], header: u32) -> Vec<Option<u32>> {
    let mut found = vec![None; expected.len()];
    let cells: Vec<(u32, String)> = grid
        .cells
        .range((header, 0)..=(header, u32::MAX))
        .map(|(&(_, c), v)| (c, key_text(v)))
        .collect();
    for (c, name) in cells {
        if name.is_empty() {
            continue;
        }
        match expected.iter().position(|e| *e == name) {
            Some(i) if found[i].is_none() => found[i] = Some(c),
            _ => ctx.problem(
                &cell_ref(&grid.name, header, c),
                msg!("workbook.unknown_column", name, expected = quoted(expected)),
            ),
        }
    }
    for (i, name) in expected.iter().enumerate() {
        if found[i].is_none() && !grid.placeholder {
            ctx.problem(
                &format!(
                    "{}!{}",
                    cell_ref(&grid.name, header, 0)
                        .split('!')
                        .next()
                        .unwrap_or(""),
                    header + 1
                ),
                msg!("workbook.missing_column", name = *name),
            );
        }
    }
    found
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn row_is_empty(grid: &Grid, row: u32, cols: &[Option<u32>]) -> bool {
    cols.iter()
        .all(|c| matches!(text(grid.get(row, *c)), Ok(None)))
}

/// Reads the workbook into a document and the place of each of its values.
pub(super) fn read(
    file: &str,
    bytes: &[u8],
    pack: &Pack,
    limits: &Limits,
) -> Result<Sheets, Error> {
    super::guard::check(file, bytes, limits)?;
    let grids = load(file, bytes)?;
    let mut ctx = Ctx {
        file,
        problems: Vec::new(),
        cells: BTreeMap::new(),
    };
    let objects = object_sheets(pack);
    let mut required: Vec<&str> = vec![SERVICE, REQUIREMENTS, EVIDENCE, FACTS];
    required.extend(objects.iter().map(|o| o.sheet.as_str()));
    let known: Vec<&str> = required
        .iter()
        .copied()
        .chain([README, LISTS, META])
        .collect();
    for grid in &grids {
        if !known.contains(&grid.name.as_str()) {
            ctx.problems.push(Diagnostic::file(
                file,
                msg!(
                    "workbook.unknown_sheet",
                    sheet = grid.name.as_str(),
                    expected = quoted(&required)
                ),
            ));
        }
    }
    let sheet = |name: &str| grids.iter().find(|g| g.name == name);
    let mut missing = Vec::new();
    for name in &required {
        if sheet(name).is_none() {
            ctx.problems.push(Diagnostic::file(
                file,
                msg!("workbook.missing_sheet", sheet = *name),
            ));
            missing.push(Grid {
                name: (*name).to_owned(),
                cells: BTreeMap::new(),
                placeholder: true,
            });
        }
    }
    if sheet(REQUIREMENTS).is_none() && sheet(FACTS).is_none() {
        // Not a questionnaire at all: the sheets say enough.
        return Err(Error::Invalid(capped(file, ctx.problems)));
    }
    let grid = |name: &str| {
        sheet(name)
            .or_else(|| missing.iter().find(|g| g.name == name))
            .unwrap_or(&grids[0])
    };

    let mut document = Map::new();
    read_service(&mut ctx, grid(SERVICE), &mut document);

    let mut facts = Map::new();
    let mut rows_of: BTreeMap<String, Json> = BTreeMap::new();
    read_facts(&mut ctx, grid(FACTS), pack, &mut rows_of);
    for o in &objects {
        let g = grid(&o.sheet);
        let names: Vec<&str> = o.fields.iter().map(|f| f.name.as_str()).collect();
        let cols = columns(&mut ctx, g, &names, 0);
        let mut rows = Vec::new();
        for row in g.rows_from(1) {
            if row_is_empty(g, row, &cols) {
                continue;
            }
            let base = format!("{}/{}", fact_pointer(&o.fact.path), rows.len());
            ctx.cells.insert(
                base.clone(),
                cell_ref(
                    &g.name,
                    row,
                    cols.iter().flatten().copied().min().unwrap_or(0),
                ),
            );
            let mut object = Map::new();
            for (field, col) in o.fields.iter().zip(&cols) {
                let pointer = format!("{base}/{}", super::escape(&field.name));
                let value = ctx.value(g, row, *col, &Kind::of_field(field), &pointer);
                object.insert(field.name.clone(), value);
            }
            rows.push(Json::Object(object));
        }
        ctx.cells
            .insert(fact_pointer(&o.fact.path), cell_ref(&g.name, 0, 0));
        rows_of.insert(
            o.fact.path.clone(),
            if rows.is_empty() {
                Json::Null
            } else {
                Json::Array(rows)
            },
        );
    }
    for fact in &pack.facts {
        if let Some(value) = rows_of.remove(&fact.path) {
            set_path(&mut facts, &fact.path, value);
        }
    }
    document.insert("facts".to_owned(), Json::Object(facts));

    let (answers, rows) = read_answers(&mut ctx, grid(REQUIREMENTS), grid(EVIDENCE));
    document.insert("answers".to_owned(), Json::Object(answers));

    let patches = sheet(META)
        .map(|g| read_meta(&mut ctx, g))
        .unwrap_or_default();
    if !ctx.problems.is_empty() {
        return Err(Error::Invalid(capped(file, ctx.problems)));
    }
    let mut json = Json::Object(document);
    super::apply(&mut json, &patches);
    Ok(Sheets {
        json,
        cells: ctx.cells,
        rows,
    })
}

fn capped(file: &str, mut problems: Vec<Diagnostic>) -> Vec<Diagnostic> {
    if problems.len() > MAX_DIAGNOSTICS {
        problems.truncate(MAX_DIAGNOSTICS);
        problems.push(Diagnostic::file(
            file,
            msg!("assessment_file.more_problems", max = MAX_DIAGNOSTICS),
        ));
    }
    problems
}

fn read_service(ctx: &mut Ctx, g: &Grid, document: &mut Map<String, Json>) {
    let cols = columns(ctx, g, &SERVICE_COLUMNS, 0);
    let (key_col, value_col) = (cols[0], cols[1]);
    let mut fields: BTreeMap<&str, Json> = BTreeMap::new();
    let mut built_on_header = None;
    for row in g.rows_from(1) {
        let key = key_text(g.get(row, key_col));
        if key.is_empty() {
            continue;
        }
        if key == BUILT_ON_COLUMNS[0] {
            built_on_header = Some(row);
            break;
        }
        let Some(&field) = SERVICE_FIELDS.iter().find(|f| **f == key) else {
            ctx.problem(
                &cell_ref(&g.name, row, key_col.unwrap_or(0)),
                msg!(
                    "workbook.unknown_field",
                    name = key,
                    expected = quoted(&SERVICE_FIELDS)
                ),
            );
            continue;
        };
        let pointer = match field {
            "format" | "pack" => format!("/{field}"),
            "vendor" => "/vendor/name".to_owned(),
            "contact" => "/vendor/contact".to_owned(),
            "service_name" => "/service/name".to_owned(),
            _ => "/service/types".to_owned(),
        };
        let kind = if field == "types" {
            Kind::List(Box::new(Kind::ServiceType))
        } else {
            Kind::Text
        };
        let value = ctx.value(g, row, value_col, &kind, &pointer);
        fields.insert(field, value);
    }
    let mut built_on = Vec::new();
    if let Some(header) = built_on_header {
        let cols = columns(ctx, g, &BUILT_ON_COLUMNS, header);
        for row in g.rows_from(header + 1) {
            if row_is_empty(g, row, &cols) {
                continue;
            }
            let base = format!("/service/built_on/{}", built_on.len());
            ctx.cells.insert(base.clone(), cell_ref(&g.name, row, 0));
            let kinds = [
                Kind::ServiceType,
                Kind::Text,
                Kind::Text,
                Kind::Bool,
                Kind::Date,
            ];
            let mut layer = Map::new();
            for ((name, col), kind) in BUILT_ON_COLUMNS.iter().zip(&cols).zip(&kinds) {
                let value = ctx.value(g, row, *col, kind, &format!("{base}/{name}"));
                layer.insert((*name).to_owned(), value);
            }
            built_on.push(Json::Object(layer));
        }
    }
    let mut take = |name: &str| fields.remove(name).unwrap_or(Json::Null);
    for key in ["format", "pack"] {
        let value = take(key);
        if !value.is_null() {
            document.insert(key.to_owned(), value);
        }
    }
    document.insert(
        "vendor".to_owned(),
        json!({"name": take("vendor"), "contact": take("contact")}),
    );
    let types = match take("types") {
        Json::Null => json!([]),
        types => types,
    };
    document.insert(
        "service".to_owned(),
        json!({"name": take("service_name"), "types": types, "built_on": built_on}),
    );
}

fn read_facts(ctx: &mut Ctx, g: &Grid, pack: &Pack, values: &mut BTreeMap<String, Json>) {
    let cols = columns(ctx, g, &FACT_COLUMNS, 0);
    let (path_col, value_col) = (cols[0], cols[2]);
    for row in g.rows_from(1) {
        let path = key_text(g.get(row, path_col));
        if path.is_empty() {
            if !matches!(text(g.get(row, value_col)), Ok(None)) {
                ctx.problem(
                    &cell_ref(&g.name, row, path_col.unwrap_or(0)),
                    msg!("workbook.missing_path"),
                );
            }
            continue;
        }
        let here = cell_ref(&g.name, row, path_col.unwrap_or(0));
        let Some((fact, kind)) = pack
            .facts
            .iter()
            .find(|f| f.path == path)
            .and_then(|f| Some((f, Kind::of_fact(&f.ty)?)))
        else {
            ctx.problem(&here, msg!("workbook.unknown_fact", path));
            continue;
        };
        if values.contains_key(&fact.path) {
            ctx.problem(&here, msg!("workbook.duplicate_fact", path));
            continue;
        }
        let value = ctx.value(g, row, value_col, &kind, &fact_pointer(&fact.path));
        values.insert(fact.path.clone(), value);
    }
}

fn read_answers(
    ctx: &mut Ctx,
    g: &Grid,
    evidence: &Grid,
) -> (Map<String, Json>, BTreeMap<String, usize>) {
    let cols = columns(ctx, g, &REQUIREMENT_COLUMNS, 0);
    let col = |name: &str| {
        REQUIREMENT_COLUMNS
            .iter()
            .position(|c| *c == name)
            .and_then(|i| cols[i])
    };
    let answer_cols: Vec<Option<u32>> =
        ["status", "owner", "target_date", "comment", "justification"]
            .iter()
            .map(|n| col(n))
            .collect();
    let mut answers = Map::new();
    let mut rows = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for row in g.rows_from(1) {
        let id = key_text(g.get(row, col("id")));
        if id.is_empty() {
            if !row_is_empty(g, row, &answer_cols) {
                ctx.problem(
                    &cell_ref(&g.name, row, col("id").unwrap_or(0)),
                    msg!("workbook.missing_id"),
                );
            }
            continue;
        }
        if !seen.insert(id.clone()) {
            ctx.problem(
                &cell_ref(&g.name, row, col("id").unwrap_or(0)),
                msg!("workbook.duplicate_id", id),
            );
            continue;
        }
        let base = answer_pointer(&id);
        if matches!(text(g.get(row, col("status"))), Ok(None)) {
            if !row_is_empty(g, row, &answer_cols) {
                ctx.problem(
                    &cell_ref(&g.name, row, col("status").unwrap_or(0)),
                    msg!("workbook.missing_status", id),
                );
            }
            continue;
        }
        ctx.cells
            .insert(base.clone(), cell_ref(&g.name, row, col("id").unwrap_or(0)));
        rows.insert(id.clone(), usize::try_from(row + 1).unwrap_or(0));
        let mut answer = Map::new();
        for (name, kind) in [
            ("status", Kind::Status),
            ("title", Kind::Text),
            ("owner", Kind::Text),
            ("comment", Kind::Text),
            ("justification", Kind::Text),
            ("target_date", Kind::Date),
        ] {
            let value = ctx.value(g, row, col(name), &kind, &format!("{base}/{name}"));
            if !value.is_null() {
                answer.insert(name.to_owned(), value);
            }
        }
        answers.insert(id, Json::Object(answer));
    }

    let cols = columns(ctx, evidence, &EVIDENCE_COLUMNS, 0);
    for row in evidence.rows_from(1) {
        if row_is_empty(evidence, row, &cols) {
            continue;
        }
        let id = key_text(evidence.get(row, cols[0]));
        let here = cell_ref(&evidence.name, row, cols[0].unwrap_or(0));
        let Some(Json::Object(answer)) = answers.get_mut(&id) else {
            ctx.problem(&here, msg!("workbook.evidence_without_answer", id));
            continue;
        };
        let list = answer
            .entry("evidence")
            .or_insert_with(|| Json::Array(Vec::new()));
        let index = list.as_array().map_or(0, Vec::len);
        let base = format!("{}/evidence/{index}", answer_pointer(&id));
        ctx.cells.insert(base.clone(), here);
        let mut item = Map::new();
        for ((name, kind), c) in [
            ("title", Kind::Text),
            ("ref", Kind::Text),
            ("date", Kind::Date),
            ("kind", Kind::Evidence),
        ]
        .iter()
        .zip(&cols[1..])
        {
            let value = ctx.value(evidence, row, *c, kind, &format!("{base}/{name}"));
            if !value.is_null() {
                item.insert((*name).to_owned(), value);
            }
        }
        if let Some(items) = answers
            .get_mut(&id)
            .and_then(|a| a.get_mut("evidence"))
            .and_then(Json::as_array_mut)
        {
            items.push(Json::Object(item));
        }
    }
    (answers, rows)
}

/// The patches of `_snc` (its other keys are the workbook's language, for people; reading does not need it).
fn read_meta(ctx: &mut Ctx, g: &Grid) -> Vec<Patch> {
    let cols = columns(ctx, g, &META_COLUMNS, 0);
    let mut patches = Vec::new();
    for row in g.rows_from(1) {
        let key = key_text(g.get(row, cols[0]));
        if !key.starts_with('/') {
            continue;
        }
        let mut side = |col: Option<u32>| -> Option<Option<Json>> {
            match text(g.get(row, col)) {
                Ok(None) => Some(None),
                Ok(Some(s)) => match serde_json::from_str(&s) {
                    Ok(v) => Some(Some(v)),
                    Err(e) => {
                        ctx.problem(
                            &cell_ref(&g.name, row, col.unwrap_or(0)),
                            msg!("workbook.bad_patch", error = e.to_string()),
                        );
                        None
                    }
                },
                Err(m) => {
                    ctx.problem(&cell_ref(&g.name, row, col.unwrap_or(0)), m);
                    None
                }
            }
        };
        if let (Some(original), Some(shown)) = (side(cols[1]), side(cols[2])) {
            patches.push(Patch {
                pointer: key,
                original,
                shown,
            });
        }
    }
    patches
}
