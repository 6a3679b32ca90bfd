//! How a pack is read changes nothing that can be observed: the embedded pack (pre-parsed at build time) and the
//! same files parsed from TOML give the same pack and digest, and diagnostics come in pack order.

use snc::pack::{Pack, PackSource};

/// The embedded pack is loaded from the raw form `build.rs` pre-parsed; a pack in memory from its TOML text. Both
/// must give the same pack, down to every span used to locate a problem.
/// Examples are compared too: the embedded pack keeps them apart, decoded only when asked for.
#[test]
fn a_pack_in_memory_loads_like_the_embedded_one_with_the_same_digest() {
    let embedded =
        Pack::load_with_examples(&PackSource::Embedded).unwrap_or_else(|d| panic!("{d:?}"));
    let memory = Pack::load_with_examples(&PackSource::Memory(PackSource::embedded_files()))
        .unwrap_or_else(|d| panic!("{d:?}"));
    assert_eq!(embedded.digest, memory.digest);
    assert_eq!(embedded.requirements.len(), 278);
    assert!(
        embedded
            .requirements
            .iter()
            .map(|r| r.examples.len())
            .sum::<usize>()
            > 100
    );
    let text = |p: &Pack| {
        format!(
            "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
            p.requirements, p.chapters, p.facts, p.fact_groups, p.constants, p.name
        )
    };
    // Only where the files come from differs.
    let ours = text(&embedded).replace("<embedded>/secnumcloud-3.2/", "<memory>/");
    let theirs = text(&memory);
    if ours != theirs {
        let at = ours
            .bytes()
            .zip(theirs.bytes())
            .position(|(a, b)| a != b)
            .unwrap_or(ours.len().min(theirs.len()));
        let show = |s: &str| s[at.saturating_sub(200)..(at + 200).min(s.len())].to_owned();
        panic!(
            "the packs differ at byte {at}:\nembedded: {}\nmemory:   {}",
            show(&ours),
            show(&theirs)
        );
    }
}

#[test]
fn diagnostics_come_in_pack_order() {
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

/// A chapter that does not parse is one error, located: its facts' groups are not then reported as empty.
#[test]
fn an_unparsable_chapter_is_one_error_without_follow_on_group_errors() {
    let mut files = PackSource::embedded_files();
    let name = "12-operations.toml";
    let text = String::from_utf8(files[name].clone()).expect("UTF-8");
    assert!(text.contains("severity = \"high\""));
    files.insert(
        name.to_owned(),
        text.replacen("severity = \"high\"", "severity = \"extreme\"", 1)
            .into_bytes(),
    );
    let diagnostics = Pack::load(&PackSource::Memory(files))
        .err()
        .expect("invalid pack");
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let shown = diagnostics[0].to_string();
    assert!(
        shown.contains("12-operations.toml") && shown.contains("extreme"),
        "{shown}"
    );
}

/// Texts are read field by field (`en`, `fr`): another language, an empty text and a missing one are each reported
/// at the text, from TOML as from the embedded pack's raw form.
#[test]
fn texts_in_another_language_empty_or_missing_are_reported_where_written() {
    let mut files = PackSource::embedded_files();
    let text = String::from_utf8(files["05-policies.toml"].clone()).expect("UTF-8");
    let text = text
        .replacen(
            "title.fr = \"Service exploité selon l'état de l'art\"",
            "title.de = \"Dienst nach dem Stand der Technik\"\ntitle.fr = \"  \"",
            1,
        )
        .replacen("title.en = \"Principles\"\n", "", 1);
    files.insert("05-policies.toml".to_owned(), text.into_bytes());
    let (_, diagnostics) = Pack::load_partial(&PackSource::Memory(files));
    let found: Vec<(Option<usize>, &str)> = diagnostics
        .iter()
        .map(|d| (d.position.map(|(line, _)| line), d.message.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (
                Some(5),
                "section 5.1 title.en is missing: every text needs `en` and `fr`"
            ),
            (
                Some(12),
                "5.1.a title: unknown language `de`: expected `en` and `fr`"
            ),
            (Some(12), "5.1.a title.fr is empty"),
        ],
        "{diagnostics:#?}"
    );
}

/// A pack loaded to check assessments skips the examples, from the embedded pack as from TOML; the rest is the
/// same pack.
#[test]
fn only_a_load_with_examples_reads_them() {
    for source in [
        PackSource::Embedded,
        PackSource::Memory(PackSource::embedded_files()),
    ] {
        let plain = Pack::load(&source).unwrap_or_else(|d| panic!("{d:?}"));
        let full = Pack::load_with_examples(&source).unwrap_or_else(|d| panic!("{d:?}"));
        assert!(plain.requirements.iter().all(|r| r.examples.is_empty()));
        assert!(full.requirements.iter().any(|r| !r.examples.is_empty()));
        assert!(plain.run_examples().is_empty());
        let without = |p: &Pack| {
            p.requirements
                .iter()
                .map(|r| format!("{:?}{:?}{:?}{:?}", r.id, r.checks, r.title, r.applies_if))
                .collect::<Vec<_>>()
        };
        assert_eq!(without(&plain), without(&full));
        assert_eq!(plain.digest, full.digest);
    }
}
