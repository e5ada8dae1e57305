//! All-or-nothing output: files are written into a staging folder beside
//! the destination and moved into place only when every file is complete.
//! A run that fails half way leaves the earlier results untouched.

use std::fs;
use std::path::{Path, PathBuf};

/// Why outputs could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot write {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("cannot draw chart {path}: {message}")]
    Chart { path: String, message: String },
    #[error("cannot encode {path}: {message}")]
    Encode { path: String, message: String },
}

pub(crate) fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// A staging folder for one set of outputs.
pub struct Staging {
    dir: PathBuf,
    destination: PathBuf,
    files: Vec<PathBuf>,
}

impl Staging {
    /// Starts staging outputs bound for `destination`.
    pub fn new(destination: &Path) -> Result<Self, OutputError> {
        fs::create_dir_all(destination).map_err(io_error(destination))?;
        let dir = destination.join(format!(".staging-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(io_error(&dir))?;
        }
        fs::create_dir_all(&dir).map_err(io_error(&dir))?;
        Ok(Staging {
            dir,
            destination: destination.to_path_buf(),
            files: Vec::new(),
        })
    }

    /// The staging folder, for writers that create files themselves; they
    /// must then [`Staging::adopt`] each file.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes one file (`name` relative to the destination, may hold `/`).
    pub fn write(&mut self, name: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let path = self.dir.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io_error(parent))?;
        }
        fs::write(&path, bytes).map_err(io_error(&path))?;
        self.files.push(PathBuf::from(name));
        Ok(())
    }

    /// Records a file already written inside the staging folder.
    pub fn adopt(&mut self, name: impl Into<PathBuf>) {
        self.files.push(name.into());
    }

    /// Moves every file into place (each rename is atomic) and returns
    /// their final paths.
    pub fn commit(self) -> Result<Vec<PathBuf>, OutputError> {
        let mut written = Vec::new();
        for name in &self.files {
            let (from, to) = (self.dir.join(name), self.destination.join(name));
            if let Some(parent) = to.parent() {
                fs::create_dir_all(parent).map_err(io_error(parent))?;
            }
            fs::rename(&from, &to).map_err(io_error(&to))?;
            written.push(to);
        }
        fs::remove_dir_all(&self.dir).map_err(io_error(&self.dir))?;
        Ok(written)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        // After a commit the folder is gone; after a failure this discards
        // the half-written set.
        let _ = fs::remove_dir_all(&self.dir);
    }
}
