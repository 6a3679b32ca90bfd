//! Every integration test, in one binary so that the library and the dev-dependencies are linked once, not once per
//! test file. One module per area; `common` is what the command-line modules share. Run one area with
//! `cargo test --test it cli::`. Fixtures are in `tests/fixtures/`, insta snapshots in `tests/it/snapshots/`
//! (named `it__<module>__<name>.snap`), the fuzz harness in `tests/fuzz/harness.rs` (shared with `fuzz/`).

mod browser;
mod ci;
mod ci_platforms;
mod cli;
mod common;
mod docs;
mod engine;
mod files;
mod fuzz_regressions;
mod generated;
mod guide;
mod help;
mod i18n;
mod layers;
mod limits;
mod pack_invariants;
mod pack_loading;
mod properties;
mod reports;
mod serve;
mod serve_browser;
mod staff;
#[cfg(feature = "xlsx")]
mod workbook;
