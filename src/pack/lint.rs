//! `snc rules lint`: every problem of a pack, its examples run and their facts checked against the schema.

use crate::model::error::Diagnostic;
use crate::pack::schema;
use crate::pack::{Pack, PackSource};

/// Loads a pack and reports every problem: load errors, examples that misbehave, examples whose facts do not fit
/// the vocabulary. Empty means clean.
#[must_use]
pub fn lint(source: &PackSource) -> Vec<Diagnostic> {
    load_linted(source).err().unwrap_or_default()
}

/// The pack, when [`lint`] finds no problem in it: what `--rules DIR` loads.
pub fn load_linted(source: &PackSource) -> Result<Pack, Vec<Diagnostic>> {
    let (pack, mut problems) = Pack::load_partial(source);
    // Examples are run only on a pack that loaded without a problem: a check that was refused is missing from
    // its requirement, and every example would then report a wrong verdict that is only an echo of it.
    let Some(pack) = pack.filter(|_| problems.is_empty()) else {
        return Err(problems);
    };
    problems.extend(pack.run_examples());
    match schema::validator(&schema::facts_only(&pack)) {
        Ok(validator) => {
            for requirement in &pack.requirements {
                for example in &requirement.examples {
                    for error in validator.iter_errors(&example.facts) {
                        let mut d = example.location.clone();
                        d.message = format!(
                            "{}: example \"{}\": facts{} {error}",
                            requirement.id,
                            example.name,
                            error.instance_path()
                        )
                        .into();
                        problems.push(d);
                    }
                }
            }
            for fact in &pack.facts {
                if let Some(example) = &fact.example {
                    let mut doc = serde_json::json!({});
                    let mut node = &mut doc;
                    for segment in fact.path.split('.') {
                        node = &mut node[segment];
                    }
                    *node = example.clone();
                    for error in validator.iter_errors(&doc) {
                        problems.push(Diagnostic::file(
                            "facts",
                            format!(
                                "the example of fact `{}` does not fit its type: {error}",
                                fact.path
                            ),
                        ));
                    }
                }
            }
        }
        Err(e) => problems.push(Diagnostic::file(
            "facts",
            format!("the fact vocabulary gives an invalid schema: {e}"),
        )),
    }
    if problems.is_empty() {
        Ok(pack)
    } else {
        Err(problems)
    }
}
