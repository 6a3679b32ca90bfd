//! Loading a pack on several threads changes nothing that can be observed: the digest, the requirements and the
//! order of diagnostics are those of a file-by-file load.

use snc::pack::{Pack, PackSource};

#[test]
fn a_pack_in_memory_loads_like_the_embedded_one_with_the_same_digest() {
    let embedded = Pack::embedded().unwrap_or_else(|d| panic!("{d:?}"));
    let memory = Pack::load(&PackSource::Memory(PackSource::embedded_files()))
        .unwrap_or_else(|d| panic!("{d:?}"));
    assert_eq!(embedded.digest, memory.digest);
    let ids = |p: &Pack| {
        p.requirements
            .iter()
            .map(|r| r.id.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&embedded), ids(&memory));
    let checks = |p: &Pack| {
        p.requirements
            .iter()
            .flat_map(|r| r.checks.iter().map(|c| c.expr.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(checks(&embedded), checks(&memory));
}

#[test]
fn diagnostics_come_in_pack_order_whatever_thread_found_them() {
    let mut files = PackSource::embedded_files();
    let corrupt = |files: &mut std::collections::BTreeMap<String, Vec<u8>>,
                   name: &str,
                   from: &str,
                   to: &str| {
        let text = String::from_utf8(files[name].clone()).expect("UTF-8");
        assert!(text.contains(from), "{name} has no `{from}`");
        files.insert(name.to_owned(), text.replacen(from, to, 1).into_bytes());
    };
    corrupt(
        &mut files,
        "06-organisation.toml",
        "[[requirement]]",
        "[[requirement]",
    );
    files.remove("08-assets.toml");
    corrupt(
        &mut files,
        "12-operations.toml",
        "kind = \"requirement\"",
        "kind = \"requirment\"",
    );
    corrupt(
        &mut files,
        "19-additional.toml",
        "severity = \"",
        "severity = \"x",
    );
    let (_, diagnostics) = Pack::load_partial(&PackSource::Memory(files));
    // Chapters that did not load leave fact groups without facts: those come last, about the vocabulary.
    let files: Vec<&str> = diagnostics
        .iter()
        .map(|d| d.file.as_str())
        .filter(|f| *f != "facts")
        .collect();
    assert_eq!(
        files,
        [
            "<memory>/06-organisation.toml",
            "<memory>/08-assets.toml",
            "<memory>/12-operations.toml",
            "<memory>/19-additional.toml",
        ],
        "{diagnostics:#?}"
    );
}
