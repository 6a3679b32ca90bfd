//! Closed vocabularies shared by the pack, the assessment and the engine, and the `vocabulary!` macro that
//! declares them.

/// Defines a closed vocabulary: a `Copy` enum with its serialized names, `Display`, `FromStr` and serde.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The serialized name.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!(
                        "`{s}` is not one of {}",
                        [$($text),+].iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ")
                    )),
                }
            }
        }
    };
}

pub(crate) use vocabulary;

vocabulary!(
    /// The four service types of the referential.
    ServiceType { IaaS => "IaaS", CaaS => "CaaS", PaaS => "PaaS", SaaS => "SaaS" }
);

vocabulary!(
    /// A lettered item is a requirement ("doit") or a recommendation ("il est recommandé").
    Kind { Requirement => "requirement", Recommendation => "recommendation" }
);

vocabulary!(
    /// How much a gap matters; `Critical` first so that sorting puts the worst first.
    Severity { Critical => "critical", High => "high", Medium => "medium", Low => "low" }
);

vocabulary!(
    /// A declared status or a verdict.
    Status {
        Compliant => "compliant",
        PartiallyCompliant => "partially_compliant",
        NonCompliant => "non_compliant",
        NotApplicable => "not_applicable",
        NotAssessed => "not_assessed",
        Inherited => "inherited",
    }
);

vocabulary!(
    /// The kinds of evidence an assessor asks for.
    EvidenceKind {
        Document => "document",
        Process => "process",
        Technical => "technical",
        Contract => "contract",
        Corporate => "corporate",
        Physical => "physical",
        Hr => "hr",
    }
);

impl Status {
    /// How good a verdict is, for regressions and trends (higher is better): met (`compliant`, `inherited`,
    /// `not_applicable`) > `partially_compliant` > `not_assessed` > `non_compliant`.
    #[must_use]
    pub fn rank(self) -> u8 {
        match self {
            Status::Compliant | Status::Inherited | Status::NotApplicable => 3,
            Status::PartiallyCompliant => 2,
            Status::NotAssessed => 1,
            Status::NonCompliant => 0,
        }
    }

    /// True when `self` is a worse verdict than `before`, in the order of [`Status::rank`].
    #[must_use]
    pub fn is_worse_than(self, before: Status) -> bool {
        self.rank() < before.rank()
    }

    /// Met: counts fully in the score and is no gap.
    #[must_use]
    pub fn is_met(self) -> bool {
        matches!(
            self,
            Status::Compliant | Status::Inherited | Status::NotApplicable
        )
    }
}

/// A gap: an applicable requirement (not a recommendation) whose verdict is not met. The one rule the engine, the
/// reports and the diff share.
#[must_use]
pub fn is_gap(applicable: bool, kind: Kind, verdict: Status) -> bool {
    applicable && kind == Kind::Requirement && !verdict.is_met()
}

impl Severity {
    /// True when `self` is at least as severe as `threshold`.
    #[must_use]
    pub fn at_least(self, threshold: Severity) -> bool {
        self <= threshold
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_order_puts_critical_first() {
        assert!(Severity::Critical.at_least(Severity::High));
        assert!(Severity::High.at_least(Severity::High));
        assert!(!Severity::Low.at_least(Severity::Medium));
    }

    #[test]
    fn vocabulary_round_trips_and_lists_choices_on_error() {
        assert_eq!(
            "partially_compliant".parse::<Status>(),
            Ok(Status::PartiallyCompliant)
        );
        let err = "done".parse::<Status>().expect_err("not a status");
        assert!(err.contains("`compliant`"), "{err}");
    }
}
