//! Embeds the shipped rule pack, pre-parsed.
//!
//! Every file of `rules/secnumcloud-3.2/` is embedded as text (for the digest and for locating problems) along
//! with its raw form (`src/pack/raw.rs`, spans included) parsed here from TOML and stored as `MessagePack`: parsing
//! the pack's TOML was most of what loading it cost at every run. The loader validates the raw form exactly as
//! it validates a pack read from a folder. A file that does not parse here is embedded without a raw form, and
//! the loader then parses its text at run time, reporting the error at its line and column: a broken rule file
//! never breaks the build.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[path = "src/pack/digest.rs"]
mod digest;
#[path = "src/model/vocab.rs"]
#[allow(dead_code, reason = "the build script uses only the vocabularies")]
mod model;
#[path = "src/pack/raw.rs"]
#[allow(dead_code, reason = "only deserialized and serialized here")]
mod raw;
#[path = "src/pack/span.rs"]
#[allow(dead_code, reason = "only deserialized and serialized here")]
mod span;

const PACK: &str = "secnumcloud-3.2";

fn main() {
    if let Err(e) = run() {
        panic!("embedding the rule pack: {e}");
    }
}

fn run() -> Result<(), String> {
    let manifest =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").ok_or("no CARGO_MANIFEST_DIR")?);
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("no OUT_DIR")?);
    let folder = manifest.join("rules").join(PACK);
    cargo(&format!("rerun-if-changed={}", folder.display()));
    let mut names: Vec<String> = std::fs::read_dir(&folder)
        .map_err(|e| format!("{}: {e}", folder.display()))?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            entry.file_type().ok()?.is_file().then_some(())?;
            entry.file_name().into_string().ok()
        })
        .collect();
    names.sort();
    let mut table = String::from("&[\n");
    let mut texts = std::collections::BTreeMap::new();
    for name in &names {
        let source = folder.join(name);
        cargo(&format!("rerun-if-changed={}", source.display()));
        let text = std::fs::read_to_string(&source).ok();
        let (parsed, examples) = text
            .as_deref()
            .and_then(|text| pre_parse(name, text))
            .unwrap_or_default();
        if let Some(text) = text {
            texts.insert(name.clone(), text);
        }
        let parsed_path = out.join(format!("{name}.msgpack"));
        let examples_path = out.join(format!("{name}.examples.msgpack"));
        for (path, bytes) in [(&parsed_path, parsed), (&examples_path, examples)] {
            std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        let _ = writeln!(
            table,
            "    EmbeddedFile {{ name: {name:?}, text: include_str!({:?}), raw: include_bytes!({:?}), \
             examples: include_bytes!({:?}) }},",
            path_text(&source)?,
            path_text(&parsed_path)?,
            path_text(&examples_path)?
        );
    }
    table.push(']');
    let table_path = out.join("embedded_pack.rs");
    std::fs::write(&table_path, table).map_err(|e| format!("{}: {e}", table_path.display()))?;
    let digest_path = out.join("embedded_digest.rs");
    std::fs::write(&digest_path, digest(&texts))
        .map_err(|e| format!("{}: {e}", digest_path.display()))
}

/// The pack digest, computed here as the loader computes it (every file read, in the order it reads them, framed
/// by `digest::hash_file`), with that order: the loader uses it when it read the same files in the same order,
/// and hashes them itself otherwise.
fn digest(texts: &std::collections::BTreeMap<String, String>) -> String {
    use sha2::Digest as _;
    let mut order = vec!["pack.toml".to_owned(), "facts.toml".to_owned()];
    if let Some(pack) = texts
        .get("pack.toml")
        .and_then(|text| toml::from_str::<raw::RawPack>(text).ok())
    {
        order.extend(pack.chapter.iter().map(|c| c.file.get_ref().clone()));
    }
    order.retain(|name| texts.contains_key(name));
    let mut hasher = sha2::Sha256::new();
    for name in &order {
        digest::hash_file(&mut hasher, name, &texts[name]);
    }
    format!(
        "EmbeddedDigest {{ order: &{order:?}, digest: \"sha256:{:x}\" }}",
        hasher.finalize()
    )
}

/// The raw form of a pack file as `MessagePack`, or `None` when it does not parse (the loader will say why). The
/// examples of a chapter's requirements are stored apart (a list per requirement, in order), since only the
/// linter reads them: every other load skips decoding them.
fn pre_parse(name: &str, text: &str) -> Option<(Vec<u8>, Vec<u8>)> {
    if name == "pack.toml" {
        let raw: raw::RawPack = toml::from_str(text).ok()?;
        Some((rmp_serde::to_vec_named(&raw).ok()?, Vec::new()))
    } else if Path::new(name).extension().is_some_and(|e| e == "toml") {
        let mut raw: raw::RawChapter = toml::from_str(text).ok()?;
        let examples: Vec<Vec<raw::RawExample>> = raw
            .requirement
            .iter_mut()
            .map(|r| std::mem::take(&mut r.example))
            .collect();
        Some((
            rmp_serde::to_vec_named(&raw).ok()?,
            rmp_serde::to_vec_named(&examples).ok()?,
        ))
    } else {
        None
    }
}

fn path_text(path: &Path) -> Result<&str, String> {
    path.to_str()
        .ok_or_else(|| format!("{} is not a UTF-8 path", path.display()))
}

/// A build script talks to cargo on stdout.
fn cargo(instruction: &str) {
    println!("cargo::{instruction}");
}
