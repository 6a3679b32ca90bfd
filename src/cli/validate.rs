//! `snc validate`: schema and pack checks, every error located.

use std::fmt::Write as _;
use std::path::Path;

use crate::assessment::limits::Limits;
use crate::assessment::{self};
use crate::cli::{Exit, Output};
use crate::model::Lang;
use crate::model::error::Error;
use crate::model::terminal::visible;
use crate::msg;
use crate::pack::Pack;

pub fn validate(pack: &Pack, path: &Path, limits: &Limits, lang: Lang) -> Result<Output, Error> {
    let a = assessment::load_any(path, pack, limits)?;
    let mut stderr = String::new();
    for (id, line) in &a.unknown_answers {
        let warning = msg!(
            "cli.unknown_answer",
            file = visible(&a.file).into_owned(),
            line = *line,
            id = visible(id).into_owned(),
            pack = &pack.id
        );
        let _ = writeln!(stderr, "{}", warning.render(lang));
    }
    let valid = msg!(
        "cli.valid",
        file = visible(&a.file).into_owned(),
        count = a.answers.len(),
        pack = &pack.id
    );
    Ok(Output {
        stdout: format!("{}\n", valid.render(lang)),
        stderr,
        exit: Exit::Success,
    })
}
