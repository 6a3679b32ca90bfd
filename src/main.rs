//! The `snc` binary: parse arguments, run the library, print, map the outcome to an exit code.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use snc::cli::{self, AnnounceFn, Cli, Environment, Exit, ProgressFn};

/// Writes to a stream; a closed pipe (`snc check … | head`) is a normal end, not a failure.
fn emit(mut stream: impl Write, text: &str) {
    if let Err(e) = stream
        .write_all(text.as_bytes())
        .and_then(|()| stream.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        // Nothing else can be told if the stream itself fails.
    }
}

/// A one-line progress bar on standard error (a terminal), erased when the run ends.
fn draw_progress(done: usize, total: usize) {
    const WIDTH: usize = 30;
    if total < 2 {
        return;
    }
    let filled = done.min(total) * WIDTH / total;
    let line = if done >= total {
        format!("\r{}\r", " ".repeat(WIDTH + 24))
    } else {
        format!(
            "\r[{}{}] {done}/{total}",
            "#".repeat(filled),
            "-".repeat(WIDTH - filled)
        )
    };
    emit(std::io::stderr(), &line);
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let text = e.render().to_string();
            if e.use_stderr() {
                emit(std::io::stderr(), &text);
            } else {
                emit(std::io::stdout(), &text);
            }
            return ExitCode::from(code);
        }
    };
    let env = Environment {
        today: chrono::Utc::now().date_naive(),
        source_date_epoch: std::env::var("SOURCE_DATE_EPOCH")
            .ok()
            .filter(|s| !s.is_empty()),
        terminal: std::io::stdout().is_terminal(),
        no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        clicolor_force: std::env::var_os("CLICOLOR_FORCE")
            .is_some_and(|v| !v.is_empty() && v != "0"),
        locale: std::env::var("LC_ALL")
            .ok()
            .filter(|s| !s.is_empty())
            .or_else(|| std::env::var("LANG").ok()),
        progress: std::io::stderr()
            .is_terminal()
            .then(|| ProgressFn(std::sync::Arc::new(draw_progress))),
        max_assessment_bytes: std::env::var(snc::assessment::limits::MAX_ASSESSMENT_BYTES_ENV)
            .ok()
            .filter(|s| !s.is_empty()),
        github_step_summary: std::env::var_os("GITHUB_STEP_SUMMARY")
            .filter(|s| !s.is_empty())
            .map(std::path::PathBuf::from),
        chromium: std::env::var_os("SNC_CHROMIUM")
            .filter(|s| !s.is_empty())
            .map(std::path::PathBuf::from),
        announce: Some(AnnounceFn(std::sync::Arc::new(|line: &str| {
            emit(std::io::stdout(), &format!("{line}\n"));
        }))),
    };
    // Known before the command runs, so that its errors are shown in the user's language too.
    let lang = cli::lang(&cli, &env);
    match cli::run(cli, &env) {
        Ok(output) => {
            emit(std::io::stdout(), &output.stdout);
            emit(std::io::stderr(), &output.stderr);
            match output.exit {
                Exit::Success => ExitCode::SUCCESS,
                Exit::GateFailed | Exit::Differs => ExitCode::from(1),
                Exit::Incomplete => ExitCode::from(2),
            }
        }
        Err(e) => {
            emit(std::io::stderr(), &format!("{}\n", e.render(lang)));
            ExitCode::from(2)
        }
    }
}
