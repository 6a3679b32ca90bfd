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

/// Creates a folder for outputs, and its parents, when missing.
pub fn create_dir(path: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(path).map_err(|e| Error::io(path, msg!("io.create_dir"), e))
}

/// Writes `bytes` to `path` atomically: readers see the old file or the new one, never a part.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write_all_atomic(&[(path, bytes)])
}

/// Writes several files, each atomically, all or nothing: every target is checked first (an existing folder, or
/// anything but a regular file, is refused), every file is written to a temporary file beside its target, and the
/// temporary files are then renamed in turn. Should a rename still fail, the targets already replaced get their
/// earlier content back and the new ones are removed, so a failure leaves every target as it was.
pub fn write_all_atomic(files: &[(&Path, &[u8])]) -> Result<(), Error> {
    for (path, _) in files {
        check_target(path)?;
    }
    let mut temps = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        temps.push((*path, temporary(path, bytes)?, backup(path)?));
    }
    let mut done: Vec<(&Path, Option<tempfile::TempPath>)> = Vec::with_capacity(temps.len());
    for (path, temp, previous) in temps {
        if let Err(e) = temp.persist(path) {
            for (path, previous) in done.into_iter().rev() {
                // Best effort: the error below is what the user needs to see.
                let _ = match previous {
                    Some(previous) => previous.persist(path).map_err(|e| e.error),
                    None => std::fs::remove_file(path),
                };
            }
            return Err(Error::io(path, msg!("io.replace"), e.error));
        }
        done.push((path, previous));
    }
    Ok(())
}

/// Appends `bytes` to `path` (created if missing) in one write: for files a CI runner owns and reads after the step,
/// such as GitHub's job summary (`GITHUB_STEP_SUMMARY`), where replacing the file would drop what earlier steps
/// wrote. Not atomic, by nature: a reader during the write may see part of it.
pub fn append(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    check_target(path)?;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut file| file.write_all(bytes).and_then(|()| file.flush()))
        .map_err(|e| Error::io(path, msg!("io.append"), e))
}

/// Refuses a target that is a folder or anything but a regular file, before anything is written.
fn check_target(path: &Path) -> Result<(), Error> {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => Err(Error::Usage(msg!(
            "io.not_a_file",
            path = path.display().to_string()
        ))),
        _ => Ok(()),
    }
}

/// A second name for the file `path` holds now, so that it can be put back; `None` when there is no such file.
fn backup(path: &Path) -> Result<Option<tempfile::TempPath>, Error> {
    if !path.is_file() {
        return Ok(None);
    }
    let temp = tempfile::Builder::new()
        .prefix(".snc-")
        .suffix(".bak")
        // A second name for the same file costs nothing; a copy only where links are not supported.
        .make_in(folder(path), |name| {
            std::fs::hard_link(path, name).or_else(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    Err(e)
                } else {
                    std::fs::copy(path, name).map(|_| ())
                }
            })
        })
        .map_err(|e| Error::io(path, msg!("io.keep_copy"), e))?;
    Ok(Some(temp.into_temp_path()))
}

fn folder(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A temporary file beside `path`, holding `bytes`, synced; removed when dropped unless persisted. A new output is
/// created as any file is, `0666` less the umask; one that replaces a file keeps that file's permissions.
fn temporary(path: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile, Error> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".snc-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut temp = builder
        .tempfile_in(folder(path))
        .map_err(|e| Error::io(path, msg!("io.create_temporary"), e))?;
    temp.write_all(bytes)
        .map_err(|e| Error::io(path, msg!("io.write"), e))?;
    #[cfg(unix)]
    if let Ok(meta) = std::fs::metadata(path) {
        use std::os::unix::fs::PermissionsExt;
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(
                meta.permissions().mode() & 0o7777,
            ))
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
    fn new_outputs_follow_the_umask_and_replaced_files_keep_their_mode() {
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
    fn a_target_that_is_a_folder_leaves_every_other_target_unchanged() {
        let dir = tempfile::tempdir().expect("temp dir");
        let kept = dir.path().join("r.html");
        std::fs::write(&kept, "old report").expect("write");
        let fresh = dir.path().join("r.md");
        let folder = dir.path().join("r.json");
        std::fs::create_dir(&folder).expect("mkdir");
        let err = write_all_atomic(&[(&kept, b"new"), (&fresh, b"new"), (&folder, b"new")])
            .expect_err("a folder is no target");
        assert!(err.to_string().contains("r.json"), "{err}");
        assert_eq!(std::fs::read(&kept).expect("read"), b"old report");
        assert!(!fresh.exists());
        let mut names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        names.sort();
        assert_eq!(
            names,
            ["r.html", "r.json"],
            "no temporary or backup file left"
        );
    }

    #[test]
    fn replacing_files_leaves_no_backup_behind() {
        let dir = tempfile::tempdir().expect("temp dir");
        let a = dir.path().join("a.txt");
        let b = dir.path().join("b.txt");
        std::fs::write(&a, "old").expect("write");
        write_all_atomic(&[(&a, b"new a"), (&b, b"new b")]).expect("write");
        assert_eq!(std::fs::read(&a).expect("read"), b"new a");
        assert_eq!(std::fs::read(&b).expect("read"), b"new b");
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 2);
    }

    #[test]
    fn missing_folder_is_an_io_error() {
        let err =
            write_atomic(Path::new("/nonexistent-snc-dir/x.json"), b"x").expect_err("no folder");
        assert!(matches!(err, Error::Io { .. }), "{err}");
    }
}
