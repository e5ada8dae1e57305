//! `villagesim report`: rebuild the charts and reports of an earlier run
//! from its saved results, without simulating.

use std::path::Path;

use villagesim::format::Lang;
use villagesim::output;

use super::CliError;

/// `villagesim report`.
pub fn report(dir: &Path, lang: Lang) -> Result<(), CliError> {
    let written = output::rebuild_reports(dir, lang)?;
    say!(
        "Rebuilt {} files from {} without simulating: {}",
        written.len(),
        dir.join("results.json").display(),
        dir.join("report.html").display()
    );
    Ok(())
}
