//! The bottom layer: identifiers, closed vocabularies, texts in every language, the message catalogue and the
//! error type. It uses nothing else of the crate.

pub mod date;
pub mod error;
pub mod i18n;
mod id;
pub mod json;
pub mod terminal;
mod texts;
mod vocab;

pub use id::{InvalidRequirementId, REQUIREMENT_ID_PATTERN, RequirementId};
pub use texts::{Texts, is_blank};
pub(crate) use vocab::vocabulary;
pub use vocab::{EvidenceKind, Kind, Lang, ServiceType, Severity, Status, is_gap};
