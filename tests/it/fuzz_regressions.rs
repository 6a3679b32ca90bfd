//! Every input a fuzz target crashed on (tests/fixtures/fuzz/<target>/), replayed through the same harness as the
//! target (tests/fuzz/harness.rs): each must now load, or fail with an error, without a panic. See docs/fuzzing.md.

#[path = "../fuzz/harness.rs"]
mod harness;

use std::path::{Path, PathBuf};

/// The kept inputs of a target, in name order.
fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries.map(|e| e.expect("entry").path()).collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).expect("read");
            (path, bytes)
        })
        .collect()
}

fn replay(target: &str, run: fn(&[u8])) {
    for (path, bytes) in inputs(target) {
        let outcome = std::panic::catch_unwind(|| run(&bytes));
        assert!(outcome.is_ok(), "{} panics again", path.display());
    }
}

#[test]
fn assessment_crash_inputs_no_longer_panic() {
    replay("assessment", harness::assessment);
}

#[test]
fn pack_crash_inputs_no_longer_panic() {
    replay("pack", harness::pack_files);
}

#[test]
fn cel_crash_inputs_no_longer_panic() {
    replay("cel", harness::cel);
}

#[test]
fn report_crash_inputs_no_longer_panic() {
    replay("report", harness::report);
}

#[test]
fn expr_crash_inputs_no_longer_panic() {
    replay("expr", harness::expr);
}
