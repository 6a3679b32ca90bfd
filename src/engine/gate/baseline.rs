//! A baseline: the JSON report of an earlier `snc check --format json`, for regression gating.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::engine::score::PerMille;
use crate::model::{RequirementId, Status};

/// What the gate needs from an earlier report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Baseline {
    pub pack_id: String,
    pub as_of: NaiveDate,
    pub overall: PerMille,
    /// The earlier verdict of every requirement, by id.
    pub verdicts: BTreeMap<RequirementId, Status>,
}

/// How good a verdict is, for regression checks (higher is better): met (`compliant`, `inherited`,
/// `not_applicable`) > `partially_compliant` > `not_assessed` > `non_compliant`.
#[must_use]
pub fn rank(verdict: Status) -> u8 {
    match verdict {
        Status::Compliant | Status::Inherited | Status::NotApplicable => 3,
        Status::PartiallyCompliant => 2,
        Status::NotAssessed => 1,
        Status::NonCompliant => 0,
    }
}

/// True when `now` is worse than `before` in the order of [`rank`].
#[must_use]
pub fn is_worse(before: Status, now: Status) -> bool {
    rank(now) < rank(before)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_order_puts_met_first_and_non_compliant_last() {
        use Status::{
            Compliant, Inherited, NonCompliant, NotApplicable, NotAssessed, PartiallyCompliant,
        };
        assert!(!is_worse(Compliant, Inherited) && !is_worse(Inherited, NotApplicable));
        assert!(is_worse(Compliant, PartiallyCompliant));
        assert!(is_worse(PartiallyCompliant, NotAssessed));
        assert!(is_worse(NotAssessed, NonCompliant));
        assert!(is_worse(NotApplicable, NotAssessed));
        assert!(!is_worse(NonCompliant, NotAssessed));
    }
}
