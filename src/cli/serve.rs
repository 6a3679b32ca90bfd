//! `snc serve`: binds the loopback address, prints the URL with its token, opens a browser unless `--no-open`, and
//! serves until the process is stopped.

use std::sync::Arc;

use crate::cli::{Environment, Output, ServeArgs};
use crate::model::Lang;
use crate::model::error::Error;
use crate::msg;
use crate::pack::Pack;
use crate::serve::{self, Config};

pub fn serve(pack: Pack, args: &ServeArgs, lang: Lang, env: &Environment) -> Result<Output, Error> {
    let as_of = crate::cli::check::as_of(None, env)?;
    let listener = serve::bind(args.port)?;
    let port = listener
        .local_addr()
        .map_err(|e| {
            Error::io(
                std::net::Ipv4Addr::LOCALHOST.to_string(),
                msg!("io.listen"),
                e,
            )
        })?
        .port();
    let config = Config {
        assessment: args.assessment.clone(),
        lang,
        as_of,
        limits: env.limits()?,
        port,
        token: serve::new_token()?,
    };
    let url = serve::url(&config);
    let router = serve::router(Arc::new(pack), config)?;
    if let Some(announce) = &env.announce {
        (announce.0)(&url);
    }
    if !args.no_open {
        open_browser(&url);
    }
    serve::run(listener, router)?;
    Ok(Output::ok(String::new()))
}

/// Asks the desktop to open `url`; nothing happens, and nothing fails, where there is no desktop.
fn open_browser(url: &str) {
    // `open` is the macOS opener; elsewhere a command of that name may be something else entirely.
    let openers: &[&str] = if cfg!(target_os = "macos") {
        &["open"]
    } else {
        &["xdg-open"]
    };
    for opener in openers {
        let spawned = std::process::Command::new(opener)
            .arg(url)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        if spawned.is_ok() {
            return;
        }
    }
}
