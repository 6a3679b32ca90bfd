//! `snc validate`: schema and pack checks, every error located.

use std::fmt::Write as _;
use std::path::Path;

use crate::assessment::limits::Limits;
use crate::assessment::{self};
use crate::cli::{Exit, Output};
use crate::model::error::Error;
use crate::model::terminal::visible;
use crate::pack::Pack;

pub fn validate(pack: &Pack, path: &Path, limits: &Limits) -> Result<Output, Error> {
    let a = assessment::load_with(path, pack, limits)?;
    let mut stderr = String::new();
    for (id, line) in &a.unknown_answers {
        let _ = writeln!(
            stderr,
            "warning: {}:{line}: the answer for `{}` matches no requirement of pack {}",
            visible(&a.file),
            visible(id),
            pack.id
        );
    }
    Ok(Output {
        stdout: format!(
            "{}: valid ({} answers, pack {})\n",
            visible(&a.file),
            a.answers.len(),
            pack.id
        ),
        stderr,
        exit: Exit::Success,
    })
}
