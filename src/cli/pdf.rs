//! `-o report.pdf`: the HTML report printed by headless Chromium, when it is installed (`SNC_CHROMIUM`, else
//! `/usr/bin/chromium` or `/usr/bin/chromium-browser`). Without it the command stops before evaluating, exit 2,
//! saying how to get it: never a silent fallback to another format. Chromium runs in a temporary folder with its
//! own profile; the PDF it prints is read back and written with the other outputs, atomically.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::model::error::Error;
use crate::msg;

use super::Environment;

/// The browsers looked for when `SNC_CHROMIUM` is not set.
pub const CANDIDATES: &[&str] = &["/usr/bin/chromium", "/usr/bin/chromium-browser"];

/// How long Chromium may take to print one report.
const TIMEOUT: Duration = Duration::from_mins(2);

/// Whether `path` asks for a PDF (`.pdf`, any case).
#[must_use]
pub fn is_pdf(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"))
}

/// The Chromium to print with: `SNC_CHROMIUM` (which must exist), else the first of [`CANDIDATES`] installed.
pub fn chromium(env: &Environment) -> Result<PathBuf, Error> {
    if let Some(path) = &env.chromium {
        return if path.is_file() {
            Ok(path.clone())
        } else {
            Err(Error::Usage(msg!(
                "cli.pdf_chromium_missing",
                path = path.display().to_string()
            )))
        };
    }
    CANDIDATES
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .ok_or_else(|| Error::Usage(msg!("cli.pdf_no_chromium")))
}

/// A `file://` URL for an absolute path, bytes outside the unreserved set percent-encoded.
fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/._-~".contains(&b) {
            url.push(char::from(b));
        } else {
            let _ = write!(url, "%{b:02X}");
        }
    }
    url
}

/// Prints `html` to PDF with `chromium`; the PDF's bytes.
pub fn print(chromium: &Path, html: &str) -> Result<Vec<u8>, Error> {
    let dir = tempfile::Builder::new()
        .prefix("snc-pdf-")
        .tempdir()
        .map_err(|e| Error::io(std::env::temp_dir(), msg!("io.create_temporary"), e))?;
    let page = dir.path().join("report.html");
    crate::fs::write_atomic(&page, html.as_bytes())?;
    let pdf = dir.path().join("report.pdf");
    let mut child = Command::new(chromium)
        .current_dir(dir.path())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(file_url(&page))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            Error::Usage(msg!(
                "cli.pdf_failed",
                browser = chromium.display().to_string(),
                error = e.to_string()
            ))
        })?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(_) => break None,
        }
    };
    let mut stderr = String::new();
    if let Some(mut err) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut err, &mut stderr);
    }
    let bytes = std::fs::read(&pdf).unwrap_or_default();
    if status.is_some_and(|s| s.success()) && bytes.starts_with(b"%PDF") {
        return Ok(bytes);
    }
    let error = match status {
        None => format!("no PDF after {} s", TIMEOUT.as_secs()),
        Some(_) => stderr
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or("no PDF written")
            .to_owned(),
    };
    Err(Error::Usage(msg!(
        "cli.pdf_failed",
        browser = chromium.display().to_string(),
        error
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_is_told_by_the_extension_in_any_case() {
        assert!(is_pdf(Path::new("out/report.PDF")));
        assert!(!is_pdf(Path::new("report.pdf.html")));
    }

    #[test]
    fn file_urls_encode_what_a_url_cannot_hold() {
        assert_eq!(
            file_url(Path::new("/tmp/a b/r#1.html")),
            "file:///tmp/a%20b/r%231.html"
        );
    }
}
