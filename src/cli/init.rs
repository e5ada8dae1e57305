//! `villagesim init`: write a commented starter scenario that runs as is.

use std::path::Path;

use villagesim::output::OutputError;

use super::CliError;

/// The starter scenario `init` writes.
pub const TEMPLATE: &str = include_str!("../../scenarios/template.toml");

/// `villagesim init`.
pub fn init(path: &Path, force: bool) -> Result<(), CliError> {
    // An empty file (say, from an earlier attempt on a full disk) holds
    // nothing to lose.
    let occupied = std::fs::symlink_metadata(path).is_ok_and(|m| !m.is_file() || m.len() > 0);
    if occupied && !force {
        return Err(CliError::Usage(format!(
            "{} already exists; use --force to overwrite it",
            path.display()
        )));
    }
    write_whole(path, TEMPLATE.as_bytes())?;
    say!(
        "wrote {}; try: villagesim validate {0} && villagesim run {0}",
        path.display()
    );
    Ok(())
}

/// Writes `bytes` to a temporary file beside `path` and renames it into
/// place: `path` is either untouched or complete, never half written.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    use std::io::Write as _;
    let error = |source| OutputError::Io {
        path: path.display().to_string(),
        source,
    };
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let written = std::fs::File::create(&temp).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    if let Err(source) = written.and_then(|()| std::fs::rename(&temp, path)) {
        let _ = std::fs::remove_file(&temp);
        return Err(error(source));
    }
    Ok(())
}
