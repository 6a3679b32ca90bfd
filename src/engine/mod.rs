//! One evaluation run: verdicts and findings for every requirement ([`evaluate`]), a reviewer's overrides
//! ([`review`]), the policy's waivers, scores and readiness ([`score`]), and the CI gate ([`gate`]). Pure: no I/O,
//! no clock; the caller loads the inputs and passes the evaluation date.
//!
//! Inside the engine, [`result`] holds the types every stage produces; each stage uses only those listed before
//! it: `result` → `detail` → `evaluate` → `review` → `score` → `gate`.

pub mod detail;
pub mod evaluate;
pub mod gate;
pub mod result;
pub mod review;
pub mod score;

use chrono::NaiveDate;

use crate::assessment::Assessment;
use crate::model::error::Error;
use crate::pack::Pack;

use self::gate::GateOutcome;
use self::gate::baseline::Baseline;
use self::gate::policy::{self, Policy};
use self::result::Evaluation;
use self::review::Review;
use self::score::{NextLevel, Readiness, Score};

/// What a run needs besides the pack and the assessment.
#[derive(Clone, Copy, Debug)]
pub struct RunInputs<'a> {
    /// The evaluation date (`--as-of`): freshness, expiries and overdue targets are judged on it.
    pub as_of: NaiveDate,
    /// Thresholds and waivers.
    pub policy: &'a Policy,
    /// An earlier report to gate regressions against.
    pub baseline: Option<&'a Baseline>,
    /// Verdicts set by programme staff, applied before waivers and scores.
    pub review: Option<&'a Review>,
}

/// Everything one run produced: what every report format renders.
#[derive(Clone)]
pub struct Outcome<'a> {
    pub pack: &'a Pack,
    pub assessment: Assessment,
    pub as_of: NaiveDate,
    pub evaluation: Evaluation,
    pub score: Score,
    pub readiness: Readiness,
    /// The level above `readiness` and the requirements it still needs; `None` at the top.
    pub readiness_next: Option<NextLevel>,
    pub gate: GateOutcome,
    /// The reviewer file applied, if any.
    pub review: Option<&'a Review>,
    /// The gate's policy, with its waivers and where it was read from.
    pub policy: &'a Policy,
}

/// Evaluates `assessment` against `pack`: verdicts, then the reviewer's overrides, waivers, scores, readiness and
/// the gate. Fails only when the reviewer file does not fit the assessment.
pub fn run<'a>(
    pack: &'a Pack,
    assessment: Assessment,
    inputs: &RunInputs<'a>,
) -> Result<Outcome<'a>, Error> {
    let mut evaluation = evaluate::evaluate(pack, &assessment, inputs.as_of);
    if let Some(review) = inputs.review {
        review::apply(pack, &assessment, review, &mut evaluation, inputs.as_of)?;
    }
    let waiver_notes = policy::apply_waivers(inputs.policy, &mut evaluation.results, inputs.as_of);
    let score = score::score(pack, &evaluation.results);
    let (readiness, readiness_next) = score::readiness(pack, &evaluation.results);
    let mut gate = gate::gate(inputs.policy, &evaluation.results, &score, inputs.baseline);
    gate.notes.splice(0..0, waiver_notes);
    Ok(Outcome {
        pack,
        assessment,
        as_of: inputs.as_of,
        evaluation,
        score,
        readiness,
        readiness_next,
        gate,
        review: inputs.review,
        policy: inputs.policy,
    })
}
