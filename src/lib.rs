//! `snc`: `SecNumCloud` qualification readiness checker.
//!
//! The crate is built in layers; each module uses only those listed above it, never one below it (a test,
//! `tests/it/layers.rs`, fails on an upward import). `docs/architecture.md` is the map.
//!
//! 1. [`model`]: identifiers, closed vocabularies, texts in every language, the message catalogue, errors.
//! 2. [`fs`]: the only writer of files (atomic, all or nothing).
//! 3. [`pack`]: rule packs: TOML read, validated and compiled (CEL checks), the fact vocabulary, its JSON Schema,
//!    the linter and the generated docs.
//! 4. [`assessment`]: a vendor's JSON self-assessment read, limited, located and validated against a pack.
//! 5. [`engine`]: one evaluation run ([`engine::run`]): verdicts and findings, reviewer overrides, waivers,
//!    scores, readiness and the gate. Pure: no I/O, no clock.
//! 6. [`report`]: the report of a run and every output format (Handlebars for HTML and Markdown).
//! 7. [`staff`]: programme staff's tools over many reports: diff, portfolio, verify.
//! 8. [`serve`]: `snc serve`, the local web questionnaire: an HTTP server on the loopback address whose pages
//!    edit the assessment, each change validated and written atomically.
//! 9. [`cli`]: the command line: clap types, one file per command; returns what `main` prints.
//!
//! Only loaders read files, only [`fs`] writes them, only `report`, `staff` and `serve` render Handlebars, and only
//! `main.rs` prints, reads the clock and the environment, and sets the exit code.

pub mod model;

pub(crate) mod fs;

pub mod pack;

pub mod assessment;

pub mod engine;

pub mod report;

pub mod staff;

pub mod serve;

pub mod cli;

#[doc(hidden)]
pub mod testing;
