//! What a failed fact check names: the items its detail expression returns (a cap table's holders at fault),
//! each put into the detail's message in every language. Bounded (at most [`MAX_ITEMS`] items, each value cut to
//! [`MAX_VALUE_CHARS`]) and plain text: every report escapes it for its destination like any finding message.

use serde_json::Value as Json;

use crate::model::i18n::{Lang, number, t};
use crate::model::{Texts, is_blank};
use crate::msg;
use crate::pack::Detail;
use crate::pack::cel::{Bindings, Item};

/// Most items a message names; the rest are counted.
pub const MAX_ITEMS: usize = 5;

/// Longest value put into a message, in characters.
pub const MAX_VALUE_CHARS: usize = 80;

/// The message naming the items at fault and their names (for the rows to highlight); `None` when the detail
/// names nothing (it failed or found no item), so that the check's own message stands.
#[must_use]
pub fn name(detail: &Detail, bindings: &Bindings) -> Option<(Texts, Vec<String>)> {
    let (items, total) = bindings.items(&detail.program, MAX_ITEMS)?;
    if items.is_empty() {
        return None;
    }
    let names = items
        .iter()
        .filter_map(|i| match i.get("name") {
            Some(Json::String(s)) if !is_blank(s) => Some(s.trim().to_owned()),
            _ => None,
        })
        .collect();
    let message = Texts::from_fn(|lang| {
        let mut out = items
            .iter()
            .map(|item| fill(detail.message.get(lang), item, lang))
            .collect::<Vec<_>>()
            .join(" ");
        if total > items.len() {
            out.push(' ');
            out.push_str(&msg!("finding.more_at_fault", count = total - items.len()).render(lang));
        }
        out
    });
    Some((message, names))
}

/// `text` with each `{field}` replaced by the item's value in `lang`.
fn fill(text: &str, item: &Item, lang: Lang) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').map(|end| (&after[..end], end)) {
            Some((name, end))
                if !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') =>
            {
                out.push_str(&value(item.get(name).unwrap_or(&Json::Null), lang));
                rest = &after[end + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A value as a reader reads it (in a message or a report's fact table): a number in the language's format with at most two decimals, yes or no, a
/// list joined with commas, text cut to [`MAX_VALUE_CHARS`] without control characters.
#[must_use]
pub fn value(v: &Json, lang: Lang) -> String {
    match v {
        Json::Null => t(lang, "unknown").to_owned(),
        Json::Bool(true) => t(lang, "yes").to_owned(),
        Json::Bool(false) => t(lang, "no").to_owned(),
        Json::Number(n) => {
            let f = n.as_f64().unwrap_or(0.0);
            let decimals = if (f * 100.0).round() % 100.0 == 0.0 {
                0
            } else if (f * 100.0).round() % 10.0 == 0.0 {
                1
            } else {
                2
            };
            number(lang, f, decimals)
        }
        Json::String(s) => {
            let clean: String = s.chars().filter(|c| !c.is_control()).collect();
            let clean = clean.trim();
            if clean.chars().count() > MAX_VALUE_CHARS {
                let cut: String = clean.chars().take(MAX_VALUE_CHARS - 1).collect();
                format!("{cut}…")
            } else {
                clean.to_owned()
            }
        }
        Json::Array(items) => items
            .iter()
            .take(MAX_ITEMS)
            .map(|i| value(i, lang))
            .collect::<Vec<_>>()
            .join(", "),
        Json::Object(_) => "…".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(v: Json) -> Item {
        serde_json::from_value(v).unwrap_or_default()
    }

    #[test]
    fn placeholders_take_the_items_values_in_the_language() {
        let i = item(
            json!({"name": "Redwood Peak", "country": "US", "capital_pct": 31.0, "veto": true}),
        );
        assert_eq!(
            fill(
                "{name} ({country}) holds {capital_pct} %, veto {veto}.",
                &i,
                Lang::En
            ),
            "Redwood Peak (US) holds 31 %, veto yes."
        );
        let i = item(json!({"capital_pct": 24.5}));
        assert_eq!(fill("{capital_pct} %", &i, Lang::Fr), "24,5 %");
    }

    #[test]
    fn unknown_fields_read_unknown_and_stray_braces_stay() {
        let i = item(json!({}));
        assert_eq!(fill("{name} {x", &i, Lang::En), "unknown {x");
        assert_eq!(fill("{Not a field}", &i, Lang::En), "{Not a field}");
    }

    #[test]
    fn long_or_control_laden_values_are_cut_and_cleaned() {
        let long = "x".repeat(500);
        let i = item(json!({"name": long, "c": "a\u{1b}[31mb"}));
        let out = fill("{name}", &i, Lang::En);
        assert_eq!(out.chars().count(), MAX_VALUE_CHARS);
        assert_eq!(fill("{c}", &i, Lang::En), "a[31mb");
    }
}
