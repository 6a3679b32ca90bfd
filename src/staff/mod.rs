//! Programme staff's tools over reports: [`diff`] between two submissions of a vendor, the [`portfolio`] of many
//! vendors, and [`verify`] that a report matches its assessment.

pub mod diff;
pub mod portfolio;
pub mod verify;
pub(crate) mod xlsx;
