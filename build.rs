//! Embeds the shipped rule pack and the message catalogues, pre-parsed.
//!
//! Every file of `rules/secnumcloud-3.2/` is embedded as text (for the digest and for locating problems) along
//! with its content as `MessagePack`, parsed here from TOML: parsing the pack's TOML was most of what loading it
//! cost at every run (docs/performance.md, "Pack loading"). This script knows nothing of the pack's types: it
//! turns TOML tables into `MessagePack` maps, and the loader reads them into its raw types exactly as it reads
//! TOML, reading the text instead when they do not fit. The examples of a chapter's requirements
//! (`requirement[i].example`) are stored apart, since only the linter reads them. A file that is not valid TOML is
//! embedded as text only: the loader reports its error at its line and column, and a broken rule file never
//! breaks the build.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

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
    for name in &names {
        let source = folder.join(name);
        cargo(&format!("rerun-if-changed={}", source.display()));
        let (content, examples) = std::fs::read_to_string(&source)
            .ok()
            .filter(|_| Path::new(name).extension().is_some_and(|e| e == "toml"))
            .and_then(|text| pre_parse(&text))
            .unwrap_or_default();
        let content_path = out.join(format!("{name}.msgpack"));
        let examples_path = out.join(format!("{name}.examples.msgpack"));
        for (path, bytes) in [(&content_path, content), (&examples_path, examples)] {
            std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        let _ = writeln!(
            table,
            "    EmbeddedFile {{ name: {name:?}, text: include_str!({:?}), content: include_bytes!({:?}), \
             examples: include_bytes!({:?}) }},",
            path_text(&source)?,
            path_text(&content_path)?,
            path_text(&examples_path)?
        );
    }
    table.push(']');
    let table_path = out.join("embedded_pack.rs");
    std::fs::write(&table_path, table).map_err(|e| format!("{}: {e}", table_path.display()))?;
    locales(&manifest.join("locales"), &out)
}

/// Each message catalogue `locales/<code>.toml` as `MessagePack` too (`locale-<code>.msgpack`), read at run time
/// instead of parsing the TOML: both catalogues were a tenth of a `check`. Empty when the file is not valid TOML:
/// the catalogue is then parsed from its text, and its tests report the error.
fn locales(folder: &Path, out: &Path) -> Result<(), String> {
    cargo(&format!("rerun-if-changed={}", folder.display()));
    let entries = std::fs::read_dir(folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let (Some(code), Some("toml")) = (
            path.file_stem().and_then(|s| s.to_str()),
            path.extension().and_then(|s| s.to_str()),
        ) else {
            continue;
        };
        cargo(&format!("rerun-if-changed={}", path.display()));
        let bytes = std::fs::read_to_string(&path)
            .ok()
            .and_then(|text| text.parse::<toml::Table>().ok())
            .and_then(|table| rmp_serde::to_vec_named(&table).ok())
            .unwrap_or_default();
        let target = out.join(format!("locale-{code}.msgpack"));
        std::fs::write(&target, bytes).map_err(|e| format!("{}: {e}", target.display()))?;
    }
    Ok(())
}

/// A TOML file as `MessagePack`, and the examples of its requirements apart (a list per requirement, in order);
/// `None` when it is not valid TOML.
fn pre_parse(text: &str) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut content: toml::Table = text.parse().ok()?;
    let examples: Vec<toml::Value> = match content.get_mut("requirement") {
        Some(toml::Value::Array(requirements)) => requirements
            .iter_mut()
            .map(|requirement| match requirement {
                toml::Value::Table(requirement) => requirement.remove("example"),
                _ => None,
            })
            .map(|examples| examples.unwrap_or_else(|| toml::Value::Array(Vec::new())))
            .collect(),
        _ => Vec::new(),
    };
    Some((
        rmp_serde::to_vec_named(&content).ok()?,
        rmp_serde::to_vec_named(&examples).ok()?,
    ))
}

fn path_text(path: &Path) -> Result<&str, String> {
    path.to_str()
        .ok_or_else(|| format!("{} is not a UTF-8 path", path.display()))
}

/// A build script talks to cargo on stdout.
fn cargo(instruction: &str) {
    println!("cargo::{instruction}");
}
