//! The scenario file format: TOML read with serde, money and rate strings,
//! uncertain parameters, located errors and validation into a [`Model`].
//!
//! [`Model`]: crate::model::Model

pub mod combine;
pub mod error;
pub mod file;
pub mod notes;
pub mod param;
pub mod read;
pub mod schema;
pub mod units;
pub mod villages_csv;

pub use error::{InvalidScenario, ScenarioError};
pub use read::{load, load_with, parse, slug, LoadError, ReadOptions};
