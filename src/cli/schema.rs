//! `villagesim schema`: the JSON Schema of the scenario format, for editors.

use super::CliError;

/// `villagesim schema`.
pub fn schema() -> Result<(), CliError> {
    let schema = villagesim::scenario::schema::scenario_schema();
    say!("{}", serde_json::to_string_pretty(&schema).unwrap_or_default());
    Ok(())
}
