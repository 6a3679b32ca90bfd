//! `snc completions SHELL` and `snc man [COMMAND]`: generated from the clap definition, so that they never drift
//! from the command line.

use std::path::Path;

use clap::CommandFactory;

use crate::cli::{Cli, Output, ShellArg};
use crate::fs;
use crate::model::error::Error;
use crate::msg;

/// The completion script of `shell` for every command and option.
#[must_use]
pub fn completions(shell: ShellArg) -> String {
    let shell = match shell {
        ShellArg::Bash => clap_complete::Shell::Bash,
        ShellArg::Zsh => clap_complete::Shell::Zsh,
        ShellArg::Fish => clap_complete::Shell::Fish,
        ShellArg::Powershell => clap_complete::Shell::PowerShell,
    };
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "snc", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// The manual page (roff) of snc or of one of its commands (`["rules", "list"]`), on standard output or written to
/// `output`.
pub fn man(command: &[String], output: Option<&Path>) -> Result<Output, Error> {
    let mut cmd = Cli::command();
    // Built, every subcommand knows its full name (`snc-rules-list`), which titles its page.
    cmd.build();
    let mut page = &cmd;
    for name in command {
        page = page
            .get_subcommands()
            .find(|c| c.get_name() == name)
            .ok_or_else(|| {
                let known = page
                    .get_subcommands()
                    .map(|c| c.get_name().to_owned())
                    .collect::<Vec<_>>()
                    .join(", ");
                Error::Usage(msg!("cli.man_unknown", command = command.join(" "), known))
            })?;
    }
    let mut roff = Vec::new();
    // Writing into memory cannot fail.
    let _ = clap_mangen::Man::new(page.clone())
        .source(format!("snc {}", env!("CARGO_PKG_VERSION")))
        .manual("snc")
        .render(&mut roff);
    match output {
        Some(path) => {
            fs::write_atomic(path, &roff)?;
            Ok(Output::ok(String::new()))
        }
        None => Ok(Output::ok(String::from_utf8_lossy(&roff).into_owned())),
    }
}
