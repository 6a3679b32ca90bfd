//! The bottom layer: identifiers, closed vocabularies, texts in every language, the message catalogue and the
//! error type. It uses nothing else of the crate.

// First: `i18n` declares `Lang` with the `vocabulary!` macro.
#[macro_use]
mod vocab;

pub mod error;
pub mod i18n;
mod id;
mod texts;

pub use i18n::Lang;
pub use id::{InvalidRequirementId, REQUIREMENT_ID_PATTERN, RequirementId};
pub use texts::Texts;
pub use vocab::{EvidenceKind, Kind, ServiceType, Severity, Status};
