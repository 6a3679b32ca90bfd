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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_order_puts_met_first_and_non_compliant_last() {
        use Status::{
            Compliant, Inherited, NonCompliant, NotApplicable, NotAssessed, PartiallyCompliant,
        };
        assert!(!Inherited.is_worse_than(Compliant) && !NotApplicable.is_worse_than(Inherited));
        assert!(PartiallyCompliant.is_worse_than(Compliant));
        assert!(NotAssessed.is_worse_than(PartiallyCompliant));
        assert!(NonCompliant.is_worse_than(NotAssessed));
        assert!(NotAssessed.is_worse_than(NotApplicable));
        assert!(!NotAssessed.is_worse_than(NonCompliant));
    }
}
