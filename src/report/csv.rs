//! CSV for spreadsheets and scripts: one row per requirement of the pack in pack order, then one row per gate reason
//! and gate note. The columns are stable (a contract, like the JSON report): add new ones only at the end.

use super::Report;
use super::ci;

/// The header row.
pub const COLUMNS: [&str; 13] = [
    "record",
    "id",
    "chapter",
    "kind",
    "severity",
    "applicable",
    "declared",
    "verdict",
    "gate",
    "line",
    "codes",
    "title",
    "message",
];

/// Renders the report as CSV (RFC 4180: comma-separated, double-quoted where needed, `\n` line ends).
#[must_use]
pub fn render_csv(report: &Report) -> String {
    let mut rows: Vec<[String; 13]> = Vec::new();
    for r in &report.requirements {
        let gate = if ci::is_blocking(report, r) {
            "blocking"
        } else if ci::is_gap(r) && ci::waiver(r).is_some() {
            "waived"
        } else {
            ""
        };
        let message = if r.findings.is_empty() {
            String::new()
        } else {
            ci::findings_line(report, r)
        };
        rows.push([
            "requirement".to_owned(),
            r.id.to_string(),
            r.chapter.clone(),
            r.kind.to_string(),
            r.severity.to_string(),
            r.applicable.to_string(),
            r.declared.to_string(),
            r.verdict.to_string(),
            gate.to_owned(),
            ci::answer_line(report, r)
                .map(|l| l.to_string())
                .unwrap_or_default(),
            r.findings
                .iter()
                .map(|f| f.code)
                .collect::<Vec<_>>()
                .join(" "),
            r.title.clone(),
            message,
        ]);
    }
    for (record, texts) in [
        ("gate-reason", &report.gate.reasons),
        ("gate-note", &report.gate.notes),
    ] {
        for text in texts {
            let mut row: [String; 13] = Default::default();
            record.clone_into(&mut row[0]);
            row[12].clone_from(text);
            rows.push(row);
        }
    }
    // The policy's provenance: one `policy` row (its file and digest, or the built-in defaults), then one `waiver`
    // row per waiver with its id, what it did and its expiry in the message.
    let mut row: [String; 13] = Default::default();
    "policy".clone_into(&mut row[0]);
    row[12] = super::policy_line(report);
    rows.push(row);
    for w in &report.policy.waivers {
        let mut row: [String; 13] = Default::default();
        "waiver".clone_into(&mut row[0]);
        row[1] = w.id.to_string();
        row[12] = super::waiver_line(report, w, |text, _| text.to_owned());
        rows.push(row);
    }
    let header = COLUMNS.map(str::to_owned);
    table(std::iter::once(&header).chain(&rows))
}

/// Every CSV snc writes (reports, portfolios): RFC 4180 quoting, `\n` line ends, and every cell that a
/// spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage return first) defused with a leading `'`.
#[must_use]
pub fn table<R, C>(rows: impl IntoIterator<Item = R>) -> String
where
    R: IntoIterator<Item = C>,
    C: AsRef<str>,
{
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .flexible(true)
        .from_writer(Vec::new());
    for row in rows {
        let cells: Vec<String> = row
            .into_iter()
            .map(|cell| defuse(cell.as_ref()).into_owned())
            .collect();
        // Writing into memory cannot fail.
        let _ = writer.write_record(&cells);
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// Vendor text that a spreadsheet would run as a formula, made inert with a leading `'`.
fn defuse(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

#[cfg(test)]
mod tests {
    use super::table;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        let csv = table([["plain", "a,b", "say \"hi\"", "=HYPERLINK(\"x\")", "-1"]]);
        assert_eq!(
            csv,
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"'=HYPERLINK(\"\"x\"\")\",'-1\n"
        );
    }
}
