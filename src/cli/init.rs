//! `snc init`: an assessment skeleton for the service.

use serde_json::Map;

use crate::cli::{InitArgs, Output};
use crate::model::error::Error;
use crate::model::{Lang, ServiceType};
use crate::msg;
use crate::pack::Pack;

use super::pretty;

pub fn init(pack: &Pack, args: &InitArgs, lang: Lang) -> Result<Output, Error> {
    if args.output.exists() && !args.force {
        return Err(Error::Usage(msg!(
            "cli.init_exists",
            path = args.output.display().to_string()
        )));
    }
    let types: Vec<ServiceType> = args.service_types.iter().map(|&t| t.into()).collect();
    let layers: Vec<ServiceType> = args.built_on.iter().map(|&l| l.into()).collect();
    let skeleton = crate::assessment::skeleton::skeleton(
        pack,
        &types,
        &layers,
        &args.vendor,
        &args.service,
        lang,
    );
    let count = skeleton["answers"].as_object().map_or(0, Map::len);
    if crate::report::xlsx::is_xlsx(&args.output) {
        crate::report::xlsx::ensure_available()?;
        let bytes = crate::assessment::workbook::write(pack, &skeleton, lang)?;
        crate::fs::write_atomic(&args.output, &bytes)?;
    } else {
        crate::fs::write_atomic(&args.output, pretty(&skeleton).as_bytes())?;
    }
    let wrote = msg!(
        "cli.init_wrote",
        path = args.output.display().to_string(),
        count
    );
    Ok(Output::ok(format!("{}\n", wrote.render(lang))))
}
