//! `snc`: SecNumCloud qualification readiness checker.
pub mod check;
pub mod error;
pub mod model;
pub mod pack;
pub mod lint;
pub mod schema;
pub mod assessment;
pub mod evaluate;
pub mod gate;
pub mod score;
pub mod i18n;
pub mod report;
pub mod output;
pub mod cli;
pub mod docs;
