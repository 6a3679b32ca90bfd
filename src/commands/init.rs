//! `snc init`: an assessment skeleton for the service.

use serde_json::{Map, Value as Json, json};

use crate::cli::{InitArgs, Output};
use crate::error::Error;
use crate::evaluate::{self};
use crate::model::{Lang, ServiceType};
use crate::pack::Pack;
use crate::{output, schema};

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
    let skeleton = skeleton(pack, &types, &layers, &args.vendor, &args.service, lang);
    let count = skeleton["answers"].as_object().map_or(0, Map::len);
    output::write_atomic(&args.output, pretty(&skeleton).as_bytes())?;
    Ok(Output::ok(format!(
        "wrote {} with {count} applicable requirements as not_assessed and every fact unknown (null)\n",
        args.output.display()
    )))
}

/// An assessment skeleton: every applicable requirement `not_assessed`, every fact `null`.
#[must_use]
pub fn skeleton(
    pack: &Pack,
    types: &[ServiceType],
    layers: &[ServiceType],
    vendor: &str,
    service: &str,
    lang: Lang,
) -> Json {
    let mut answers = Map::new();
    for r in pack
        .requirements
        .iter()
        .filter(|r| evaluate::applies_to_service(r, types, layers))
    {
        answers.insert(
            r.id.to_string(),
            json!({"status": "not_assessed", "title": r.title.get(lang)}),
        );
    }
    let built_on: Vec<Json> = layers
        .iter()
        .map(|l| json!({"layer": l, "provider": null, "offer": null, "secnumcloud_qualified": null, "qualification_valid_until": null}))
        .collect();
    json!({
        "format": schema::ASSESSMENT_FORMAT,
        "pack": pack.id,
        "vendor": {"name": vendor, "contact": null},
        "service": {"name": service, "types": types, "built_on": built_on},
        "facts": crate::pack::skeleton(&pack.facts),
        "answers": answers,
    })
}
