//! What the command-line test modules share: the repository root and an `snc` command with a fixed environment.

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value as Json;

/// The repository root, where the examples and fixtures are.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `snc` run from the repository root, in English, with no date from the environment.
pub fn snc() -> Command {
    let mut cmd = Command::cargo_bin("snc").expect("binary");
    cmd.current_dir(root())
        .env_remove("SOURCE_DATE_EPOCH")
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL");
    cmd
}

/// The requirement `id` of a JSON report.
pub fn requirement<'r>(report: &'r Json, id: &str) -> &'r Json {
    report["requirements"]
        .as_array()
        .expect("requirements")
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in the report"))
}
