//! The bottom layer: identifiers, closed vocabularies, texts in every language, the message catalogue and the
//! error type. It uses nothing else of the crate.

pub(crate) mod date;
pub mod error;
pub mod i18n;
mod id;
pub(crate) mod json;
pub(crate) mod terminal;
mod texts;
mod vocab;

pub use i18n::Lang;
pub use id::{InvalidRequirementId, REQUIREMENT_ID_PATTERN, RequirementId};
pub use texts::{Texts, is_blank};
pub(crate) use vocab::vocabulary;
pub use vocab::{EvidenceKind, Kind, ServiceType, Severity, Status, is_gap};
