//! `snc`: `SecNumCloud` qualification readiness checker.
pub mod assessment;
pub mod check;
pub mod cli;
pub mod commands;
pub mod docs;
pub mod error;
pub mod evaluate;
pub mod gate;
pub mod i18n;
pub mod limits;
pub mod lint;
pub mod model;
pub mod output;
pub mod pack;
pub mod report;
pub mod schema;
pub mod score;
