//! One module per subcommand; `cli` parses and dispatches.

pub mod check;
pub mod diff;
pub mod explain;
pub mod init;
pub mod portfolio;
pub mod rules;
pub mod validate;
pub mod verify;

use serde_json::Value as Json;

/// Pretty JSON with a final newline.
pub(crate) fn pretty(value: &Json) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}
