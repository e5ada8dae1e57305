//! The `villagesim` binary: parse the command line, call the library,
//! report errors. Exit codes: 0 success, 1 invalid input or failure,
//! 2 command-line usage error (from clap, or a flag value out of range),
//! 3 `merge` of a job that stops by itself (`--precision`) whose shards do
//! not yet reach the targets (run the next blocks, then merge again).

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use miette::{GraphicalReportHandler, GraphicalTheme};
use villagesim::scenario::LoadError;

use cli::{Cli, CliError};

mod cli;

fn main() -> ExitCode {
    let args = Cli::parse();
    clean_up_on_signals();
    let Err(error) = cli::run(args) else {
        return ExitCode::SUCCESS;
    };
    let terminal = std::io::stderr().is_terminal();
    match &error {
        // Plain, unwrapped lines when not on a terminal, so logs and tools can grep them.
        CliError::Scenario(LoadError::Invalid(invalid)) if !terminal => eprint!("{}", invalid.plain()),
        _ => {
            let theme = if terminal {
                GraphicalTheme::unicode()
            } else {
                GraphicalTheme::unicode_nocolor()
            };
            let mut text = String::new();
            let rendered = GraphicalReportHandler::new_themed(theme)
                .with_width(100)
                .render_report(&mut text, &error);
            if rendered.is_err() || text.is_empty() {
                text = format!("error: {error}");
            }
            eprintln!("{text}");
        }
    }
    if matches!(error, CliError::Usage(_)) {
        ExitCode::from(2)
    } else if matches!(error, CliError::NotYet(_)) {
        ExitCode::from(3)
    } else {
        ExitCode::FAILURE
    }
}

/// On SIGINT, SIGTERM or SIGHUP: remove this process's staging folders
/// (a commit under way finishes first) and exit with 128 + the signal,
/// as a shell reports it. The earlier outputs stay as they were.
#[cfg(unix)]
fn clean_up_on_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        // Without the handler, a signal still ends the process; the next
        // run into the same folder removes what it left.
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            villagesim::output::remove_staging_for_exit();
            std::process::exit(128 + signal);
        }
    });
}

#[cfg(not(unix))]
fn clean_up_on_signals() {}
