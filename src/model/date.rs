//! The one range of dates snc accepts, for every input: the evaluation date (`--as-of`, `SOURCE_DATE_EPOCH`),
//! assessment, policy and reviewer dates. Before 1900 a spreadsheet cannot hold the date; after 9999 ISO 8601's
//! four-digit years, and with them the report schema, end.

use chrono::NaiveDate;

/// The first date accepted.
pub const FIRST: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// The last date accepted.
pub const LAST: NaiveDate = match NaiveDate::from_ymd_opt(9999, 12, 31) {
    Some(d) => d,
    None => NaiveDate::MAX,
};

/// The JSON Schema pattern of a date in that range (the day is checked by the `date` format).
pub const PATTERN: &str = "^(19[0-9]{2}|[2-9][0-9]{3})-[0-9]{2}-[0-9]{2}$";

/// Whether `date` is within [`FIRST`]..=[`LAST`].
#[must_use]
pub fn in_range(date: NaiveDate) -> bool {
    (FIRST..=LAST).contains(&date)
}

/// A calendar date written `YYYY-MM-DD`, within the accepted range.
#[must_use]
pub fn parse(text: &str) -> Option<NaiveDate> {
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    (text.len() == 10 && in_range(date)).then_some(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_range_and_refuses_what_lies_outside() {
        assert_eq!(parse("1900-01-01"), Some(FIRST));
        assert_eq!(parse("9999-12-31"), Some(LAST));
        for bad in [
            "1899-12-31",
            "+10000-01-01",
            "10000-01-01",
            "2026-02-30",
            "2026-1-5",
            "",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        let pattern = regex::Regex::new(PATTERN).expect("pattern");
        assert!(pattern.is_match("1900-01-01") && pattern.is_match("9999-12-31"));
        assert!(!pattern.is_match("1899-12-31") && !pattern.is_match("0999-01-01"));
    }
}
