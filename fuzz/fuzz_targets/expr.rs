//! The `expr` fuzz target: see `tests/fuzz/harness.rs` and docs/fuzzing.md.
#![no_main]

#[path = "../../tests/fuzz/harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::expr(data));
