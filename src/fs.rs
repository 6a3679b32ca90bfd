//! Writing output files: atomically (a temporary file in the same folder, then a rename), never over an input.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::model::error::Error;
use crate::msg;

/// The absolute form of a path that may not exist yet: its folder resolved, its name kept.
fn resolved(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = path.canonicalize() {
        return Some(p);
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.canonicalize().ok()?,
        _ => std::env::current_dir().ok()?,
    };
    Some(parent.join(path.file_name()?))
}

/// Refuses to write any output over one of the inputs.
pub fn ensure_not_input(output: &Path, inputs: &[&Path]) -> Result<(), Error> {
    let Some(out) = resolved(output) else {
        return Ok(());
    };
    for input in inputs {
        if resolved(input).as_ref() == Some(&out) {
            return Err(Error::Usage(msg!(
                "cli.not_over_input",
                path = output.display().to_string()
            )));
        }
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically: readers see the old file or the new one, never a part.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write_all_atomic(&[(path, bytes)])
}

/// Writes several files, each atomically, and none unless every one could be written in full: all are written to
/// temporary files beside their targets first, then renamed in turn. Only a failing rename (rare: the folder was
/// writable a moment before) can leave some targets replaced and others not; none is ever partial.
pub fn write_all_atomic(files: &[(&Path, &[u8])]) -> Result<(), Error> {
    let mut temps = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        temps.push((*path, temporary(path, bytes)?));
    }
    for (path, temp) in temps {
        temp.persist(path)
            .map_err(|e| Error::io(path, msg!("io.replace"), e.error))?;
    }
    Ok(())
}

/// A temporary file beside `path`, holding `bytes`, synced; removed when dropped unless persisted.
fn temporary(path: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile, Error> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".snc-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(|e| Error::io(path, msg!("io.create_temporary"), e))?;
    temp.write_all(bytes)
        .map_err(|e| Error::io(path, msg!("io.write"), e))?;
    // A temporary file is private (0600); the output gets the permissions of the file it replaces, or the usual
    // 0644 of a new file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_or(0o644, |m| m.permissions().mode() & 0o7777);
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(|e| Error::io(path, msg!("io.set_permissions"), e))?;
    }
    temp.as_file()
        .sync_all()
        .map_err(|e| Error::io(path, msg!("io.write"), e))?;
    Ok(temp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_atomically_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("out.json");
        write_atomic(&path, b"one").expect("write");
        write_atomic(&path, b"two").expect("overwrite");
        assert_eq!(std::fs::read(&path).expect("read"), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[cfg(unix)]
    #[test]
    fn new_outputs_are_world_readable_and_replaced_files_keep_their_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("report.html");
        write_atomic(&path, b"x").expect("write");
        assert_eq!(
            std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777,
            0o644
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        write_atomic(&path, b"y").expect("rewrite");
        assert_eq!(
            std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777,
            0o640
        );
    }

    #[test]
    fn refuses_to_overwrite_an_input() {
        let dir = tempfile::tempdir().expect("temp dir");
        let input = dir.path().join("a.json");
        std::fs::write(&input, "{}").expect("write");
        let same = dir.path().join(".").join("a.json");
        assert!(ensure_not_input(&same, &[&input]).is_err());
        assert!(ensure_not_input(&dir.path().join("b.json"), &[&input]).is_ok());
    }

    #[test]
    fn a_set_of_files_is_written_whole_or_not_at_all() {
        let dir = tempfile::tempdir().expect("temp dir");
        let good = dir.path().join("good.json");
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "a file, not a folder").expect("write");
        let bad = blocker.join("report.json");
        let err = write_all_atomic(&[(&good, b"one"), (&bad, b"two")]).expect_err("bad path");
        assert!(matches!(err, Error::Io { .. }), "{err}");
        let mut names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        names.sort();
        assert_eq!(names, ["file"], "nothing written, no temporary file left");
    }

    #[test]
    fn missing_folder_is_an_io_error() {
        let err =
            write_atomic(Path::new("/nonexistent-snc-dir/x.json"), b"x").expect_err("no folder");
        assert!(matches!(err, Error::Io { .. }), "{err}");
    }
}
