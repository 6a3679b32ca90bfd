//! `snc init`: an assessment skeleton for the service.

use serde_json::Map;

use crate::cli::{InitArgs, Output};
use crate::model::error::Error;
use crate::model::{Lang, ServiceType};
use crate::pack::Pack;

use super::pretty;

pub fn init(pack: &Pack, args: &InitArgs, lang: Lang) -> Result<Output, Error> {
    if args.output.exists() && !args.force {
        return Err(Error::Usage(format!(
            "{} already exists: use --force to overwrite it",
            args.output.display()
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
    crate::fs::write_atomic(&args.output, pretty(&skeleton).as_bytes())?;
    Ok(Output::ok(format!(
        "wrote {} with {count} applicable requirements as not_assessed and every fact unknown (null)\n",
        args.output.display()
    )))
}
