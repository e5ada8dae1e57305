//! Standard output, numbers and progress bars for the commands.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

pub use villagesim::format::thousands;

/// 1234.5 -> "+1,235", -20 -> "-20".
pub fn signed(x: f64) -> String {
    if x >= 0.0 {
        format!("+{}", thousands(x))
    } else {
        thousands(x)
    }
}

/// A progress bar over `n` steps, shown only on a terminal and unless
/// `quiet`: `{spinner} WHAT POS/LEN [bar] ETA left`.
pub fn progress(n: u64, quiet: bool, what: &str) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(n);
    let template = format!("{{spinner}} {what} {{pos}}/{{len}} [{{bar:30}}] {{eta}} left");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// The progress bar of `run` and `compare`, over `runs` Monte Carlo runs.
pub fn runs_progress(runs: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(runs);
    if let Ok(style) = ProgressStyle::with_template("{spinner} simulating {pos}/{len} runs [{bar:30}] {eta} left") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}
