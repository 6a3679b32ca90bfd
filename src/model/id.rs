//! Requirement ids: the referential's own numbering, validated once.

use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use super::i18n::Message;

/// A lettered item of the referential: `<section>.<letter>`, such as `12.6.c` or `11.2.2.i`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequirementId(String);

static REQUIREMENT_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[1-9][0-9]?(\.[1-9][0-9]?){1,2}\.[a-z]$").expect("valid regex"));

/// The pattern of a requirement id, shared by the pack loader and the assessment schema.
pub const REQUIREMENT_ID_PATTERN: &str = r"^[1-9][0-9]?(\.[1-9][0-9]?){1,2}\.[a-z]$";

impl RequirementId {
    /// The chapter number: `12` for `12.6.c`.
    #[must_use]
    pub fn chapter(&self) -> &str {
        self.0.split('.').next().unwrap_or_default()
    }

    /// The section: `12.6` for `12.6.c`, `11.2.2` for `11.2.2.i`.
    #[must_use]
    pub fn section(&self) -> &str {
        self.0.rsplit_once('.').map_or("", |(section, _)| section)
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a string is not a requirement id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidRequirementId(pub String);

impl InvalidRequirementId {
    /// Why, in the catalogue's words.
    #[must_use]
    pub fn message(&self) -> Message {
        crate::msg!("id.invalid", value = self.0.as_str())
    }
}

impl From<InvalidRequirementId> for Message {
    fn from(e: InvalidRequirementId) -> Self {
        e.message()
    }
}

/// In English.
impl fmt::Display for InvalidRequirementId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.message().fmt(f)
    }
}

impl std::error::Error for InvalidRequirementId {}

impl FromStr for RequirementId {
    type Err = InvalidRequirementId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if REQUIREMENT_ID.is_match(s) {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidRequirementId(s.to_owned()))
        }
    }
}

impl fmt::Display for RequirementId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for RequirementId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_two_and_three_level_ids() {
        let id: RequirementId = "12.6.c".parse().expect("valid");
        assert_eq!(id.chapter(), "12");
        assert_eq!(id.section(), "12.6");
        let id: RequirementId = "11.2.2.i".parse().expect("valid");
        assert_eq!(id.chapter(), "11");
        assert_eq!(id.section(), "11.2.2");
    }

    #[test]
    fn rejects_malformed_ids() {
        for bad in [
            "12.6",
            "12.6.C",
            "12.6.c;",
            "0.1.a",
            "12.6.cc",
            "12..c",
            "a.b.c",
            "1.2.3.4.a",
            " 12.6.c",
        ] {
            assert!(
                bad.parse::<RequirementId>().is_err(),
                "{bad} should be rejected"
            );
        }
    }
}
