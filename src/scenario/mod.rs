//! The scenario file format: TOML read with serde, located errors and
//! validation into a [`Model`]. Money and rate strings and uncertain
//! parameters, which the model's own types read, are in
//! [`crate::model::units`] and [`crate::model::param`].
//!
//! [`Model`]: crate::model::Model

pub mod combine;
pub mod error;
pub mod file;
pub mod ledger;
pub mod notes;
pub mod read;
pub mod schema;
pub mod villages_csv;
pub mod villages_sheet;

pub use error::{InvalidScenario, ScenarioError};
pub use read::{load, load_with, parse, parse_bytes, parse_with, read_source, slug, Central, LoadError, ReadOptions};
