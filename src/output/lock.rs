//! One writer per output folder.
//!
//! A run (or `report`, `sweep`, `sensitivity`) that writes into
//! `output/county` first takes a lock on `output/.county.lock`, a file
//! beside the destination. A second process that wants the same folder
//! finds the lock taken and refuses at once with the holder's pid, before
//! it simulates anything. Holding the lock, every staging folder left by
//! an earlier process for the same destination is stale by construction
//! and removed, and an interrupted commit is undone (see
//! [`super::atomic`]).
//!
//! The lock is `flock`-style ([`File::try_lock`]): the system releases it
//! when the process ends, however it ends, so a killed run never blocks
//! the next one. The lock file is deleted on the way out while still
//! locked; a process that locks a file and then finds that the path no
//! longer names the file it locked tries again, so deleting it is safe.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};

use super::atomic::{active, io_error, OutputError};

/// Where the outputs bound for one destination go: the destination as an
/// absolute path with symbolic links resolved, its parent folder (where
/// the lock file and the staging folder live) and its name.
#[derive(Debug, Clone)]
pub(crate) struct Place {
    /// Absolute, symbolic links resolved.
    pub destination: PathBuf,
    pub parent: PathBuf,
    /// The destination's last component, for the names of its siblings.
    pub name: String,
    /// The destination as the user gave it, for messages.
    pub shown: PathBuf,
}

impl Place {
    pub fn resolve(destination: &Path) -> Result<Place, OutputError> {
        let unusable = |reason: &str| OutputError::Unusable {
            path: destination.display().to_string(),
            reason: reason.to_string(),
        };
        let absolute = std::path::absolute(destination).map_err(io_error(destination))?;
        let mut lexical = PathBuf::new();
        for component in absolute.components() {
            match component {
                Component::CurDir => {}
                Component::ParentDir => {
                    lexical.pop();
                }
                other => lexical.push(other),
            }
        }
        // Resolve symbolic links in the part that exists, so that a
        // destination that is a link is replaced where it really is.
        let mut existing = lexical.clone();
        let mut missing = Vec::new();
        while fs::metadata(&existing).is_err() {
            match existing.file_name() {
                Some(name) => missing.push(name.to_os_string()),
                None => break,
            }
            existing.pop();
        }
        let mut real = fs::canonicalize(&existing).unwrap_or(existing);
        for name in missing.iter().rev() {
            real.push(name);
        }
        let (Some(name), Some(parent)) = (real.file_name(), real.parent()) else {
            return Err(unusable(
                "it is the root of the file system; choose a folder with --out",
            ));
        };
        let (name, parent) = (name.to_string_lossy().into_owned(), parent.to_path_buf());
        if real.exists() && !real.is_dir() {
            return Err(unusable(
                "it exists and is not a folder; remove it or choose another --out",
            ));
        }
        Ok(Place {
            destination: real,
            parent,
            name,
            shown: destination.to_path_buf(),
        })
    }

    /// `output/.county.lock`
    pub fn lock_file(&self) -> PathBuf {
        self.parent.join(format!(".{}.lock", self.name))
    }

    /// `output/.county.staging-<pid>`
    pub fn staging(&self) -> PathBuf {
        self.parent
            .join(format!(".{}.staging-{}", self.name, std::process::id()))
    }

    /// `output/.county.old-<pid>`: the earlier set during a commit that
    /// cannot swap the two folders in one step.
    pub fn old(&self) -> PathBuf {
        self.parent.join(format!(".{}.old-{}", self.name, std::process::id()))
    }
}

/// Whether `name` is `prefix` followed by a process id.
fn is_pid_name(name: &str, prefix: &str) -> bool {
    name.strip_prefix(prefix)
        .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether `name`, inside an output folder, is the bookkeeping of a writer
/// (its own old-format `.staging-<pid>`, or the staging and old folders of
/// a destination nested inside it) rather than an output.
pub(crate) fn is_bookkeeping(name: &str) -> bool {
    if !name.starts_with('.') {
        return false;
    }
    [".staging-", ".old-"]
        .iter()
        .any(|marker| name.rfind(marker).is_some_and(|at| is_pid_name(&name[at..], marker)))
}

/// A held lock on one output folder. Clones share it; it is released
/// when the last clone is dropped (or the process ends).
#[derive(Clone)]
pub struct OutputLock {
    held: Arc<Held>,
    place: Place,
}

struct Held {
    destination: PathBuf,
    lock_file: PathBuf,
    /// `None` where the file system cannot lock files.
    _file: Option<File>,
    /// Folders created to hold the lock file, outermost first: removed
    /// again, if empty, when the lock is released.
    created: Vec<PathBuf>,
}

/// The locks this process holds, by destination, so that taking a lock
/// the process already holds shares it instead of refusing.
static HELD: Mutex<Vec<(PathBuf, Weak<Held>)>> = Mutex::new(Vec::new());

impl OutputLock {
    /// Locks `destination` for this process, or refuses with
    /// [`OutputError::Busy`] when another process holds it. Then removes
    /// what earlier, interrupted writers left for it.
    pub fn acquire(destination: &Path) -> Result<OutputLock, OutputError> {
        let place = Place::resolve(destination)?;
        let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
        held.retain(|(_, weak)| weak.strong_count() > 0);
        if let Some(shared) = held
            .iter()
            .find(|(d, _)| *d == place.destination)
            .and_then(|(_, weak)| weak.upgrade())
        {
            return Ok(OutputLock { held: shared, place });
        }
        // The registry is held from before the parents and the lock file
        // are created until they are registered: a signal arriving in
        // between waits for the registration and then removes them.
        let mut registry = active();
        let created = create_parents(&place.parent)?;
        let lock_file = place.lock_file();
        let file = match open_locked(&lock_file, &place) {
            Ok(file) => file,
            Err(e) => {
                remove_empty(&created);
                return Err(e);
            }
        };
        registry.locks.push((lock_file.clone(), created.clone()));
        drop(registry);
        let shared = Arc::new(Held {
            destination: place.destination.clone(),
            lock_file,
            _file: file,
            created,
        });
        held.push((place.destination.clone(), Arc::downgrade(&shared)));
        drop(held);
        let lock = OutputLock { held: shared, place };
        lock.recover()?;
        Ok(lock)
    }

    /// The destination, absolute.
    pub fn destination(&self) -> &Path {
        &self.held.destination
    }

    pub(crate) fn place(&self) -> &Place {
        &self.place
    }

    /// Removes the staging folders of earlier writers (no other process
    /// can be writing: this one holds the lock) and, where an earlier
    /// commit was cut off after moving the destination aside, moves it
    /// back.
    fn recover(&self) -> Result<(), OutputError> {
        let place = &self.place;
        let staging = format!(".{}.staging-", place.name);
        let old = format!(".{}.old-", place.name);
        let mut olds = Vec::new();
        for entry in fs::read_dir(&place.parent).map_err(io_error(&place.parent))?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if is_pid_name(&name, &staging) {
                remove_tree(&entry.path())?;
            } else if is_pid_name(&name, &old) {
                olds.push(entry.path());
            }
        }
        if fs::symlink_metadata(&place.destination).is_err() {
            if let Some(earlier) = olds.pop() {
                fs::rename(&earlier, &place.destination).map_err(io_error(&place.destination))?;
            }
        }
        for earlier in olds {
            remove_tree(&earlier)?;
        }
        // Old format: staging inside the destination.
        if let Ok(entries) = fs::read_dir(&place.destination) {
            for entry in entries.flatten() {
                if is_pid_name(&entry.file_name().to_string_lossy(), ".staging-") {
                    remove_tree(&entry.path())?;
                }
            }
        }
        Ok(())
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        active().locks.retain(|(path, _)| *path != self.lock_file);
        // Still locked here: see the module comment.
        let _ = fs::remove_file(&self.lock_file);
        remove_empty(&self.created);
    }
}

/// Removes a stale folder, naming it if that fails.
fn remove_tree(path: &Path) -> Result<(), OutputError> {
    match fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(OutputError::Stale {
            path: path.display().to_string(),
            source,
        }),
    }
}

/// Creates `dir` and its missing parents; returns those it created,
/// outermost first.
fn create_parents(dir: &Path) -> Result<Vec<PathBuf>, OutputError> {
    let mut missing = Vec::new();
    let mut at = dir;
    while fs::symlink_metadata(at).is_err() {
        missing.push(at.to_path_buf());
        match at.parent() {
            Some(parent) => at = parent,
            None => break,
        }
    }
    missing.reverse();
    fs::create_dir_all(dir).map_err(io_error(dir))?;
    Ok(missing)
}

/// Removes the folders in `created` that are empty, innermost first.
pub(crate) fn remove_empty(created: &[PathBuf]) {
    for dir in created.iter().rev() {
        if fs::remove_dir(dir).is_err() {
            break;
        }
    }
}

/// Opens and locks the lock file, retrying when the file was replaced
/// while this process waited for it. `Ok(None)`: the file system cannot
/// lock; the folder is then written unlocked.
fn open_locked(path: &Path, place: &Place) -> Result<Option<File>, OutputError> {
    for _ in 0..20 {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io_error(parent))?;
        }
        let mut file = match OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
        {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io_error(path)(e)),
        };
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                let holder = match text.trim().parse::<u32>() {
                    Ok(pid) => format!("pid {pid}"),
                    Err(_) => "another process".to_string(),
                };
                return Err(OutputError::Busy {
                    destination: place.shown.display().to_string(),
                    holder,
                });
            }
            Err(std::fs::TryLockError::Error(e)) if e.kind() == std::io::ErrorKind::Unsupported => {
                return Ok(None);
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io_error(path)(e)),
        }
        if !same_file(&file, path) {
            continue;
        }
        let pid = std::process::id().to_string();
        file.set_len(0)
            .and_then(|()| file.write_all(pid.as_bytes()))
            .map_err(io_error(path))?;
        return Ok(Some(file));
    }
    Err(OutputError::Unusable {
        path: path.display().to_string(),
        reason: "the lock file keeps being replaced; is another program deleting it?".into(),
    })
}

/// Whether `path` still names the open `file`.
#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bookkeeping_names() {
        assert!(is_bookkeeping(".staging-12"));
        assert!(is_bookkeeping(".sweep.staging-12"));
        assert!(is_bookkeeping(".a.b.old-3"));
        assert!(!is_bookkeeping(".staging-"));
        assert!(!is_bookkeeping(".a.staging-1x"));
        assert!(!is_bookkeeping("a.staging-1"));
        assert!(!is_bookkeeping(".sweep.lock"));
        assert!(is_pid_name(".a.staging-5", ".a.staging-"));
        // The staging folder of `a.staging-5` is not that of `a`.
        assert!(!is_pid_name(".a.staging-5.staging-7", ".a.staging-"));
    }

    #[test]
    fn places_resolve_trailing_slashes_and_dots() {
        let dir = tempfile::tempdir().unwrap();
        let real = fs::canonicalize(dir.path()).unwrap();
        let place = Place::resolve(&dir.path().join("out/")).unwrap();
        assert_eq!(place.destination, real.join("out"));
        assert_eq!(place.parent, real);
        assert_eq!(place.name, "out");
        let place = Place::resolve(&dir.path().join("a/../b/./c")).unwrap();
        assert_eq!(place.destination, real.join("b/c"));
        assert!(Place::resolve(Path::new("/")).is_err());
        fs::write(dir.path().join("file"), "x").unwrap();
        let error = Place::resolve(&dir.path().join("file")).err().unwrap().to_string();
        assert!(error.contains("is not a folder"), "{error}");
    }

    #[test]
    fn a_second_holder_is_refused_with_the_pid() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out");
        // Another process, as far as the lock is concerned: a separate open file.
        let path = dir.path().join(".out.lock");
        let mut other = File::create(&path).unwrap();
        other.try_lock().unwrap();
        other.write_all(b"4242").unwrap();
        let error = OutputLock::acquire(&dest).err().expect("refused").to_string();
        assert!(error.contains("pid 4242") && error.contains("wait for it"), "{error}");
        drop(other);
        let lock = OutputLock::acquire(&dest).unwrap();
        // The same process may take it again (shared).
        let again = OutputLock::acquire(&dest).unwrap();
        assert_eq!(lock.destination(), again.destination());
        drop(lock);
        assert!(path.exists());
        drop(again);
        assert!(!path.exists(), "the lock file is removed on release");
    }

    #[test]
    fn releasing_removes_the_parents_it_created() {
        let dir = tempfile::tempdir().unwrap();
        let lock = OutputLock::acquire(&dir.path().join("a/b/out")).unwrap();
        assert!(dir.path().join("a/b/.out.lock").is_file());
        drop(lock);
        assert!(!dir.path().join("a").exists());
    }

    #[test]
    fn stale_staging_is_removed_and_an_interrupted_commit_undone() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir.path().join(".out.staging-999999");
        fs::create_dir_all(stale.join("charts")).unwrap();
        fs::write(stale.join("results.json"), "half").unwrap();
        // Not ours: another destination's, and an output named like one.
        fs::create_dir(dir.path().join(".other.staging-1")).unwrap();
        // The earlier set, moved aside by a commit that was then killed.
        let old = dir.path().join(".out.old-999998");
        fs::create_dir(&old).unwrap();
        fs::write(old.join("summary.json"), "earlier").unwrap();
        let lock = OutputLock::acquire(&dir.path().join("out")).unwrap();
        assert!(!stale.exists());
        assert!(dir.path().join(".other.staging-1").exists());
        assert_eq!(
            fs::read_to_string(dir.path().join("out/summary.json")).unwrap(),
            "earlier"
        );
        assert!(!old.exists());
        drop(lock);
        // With the destination present, an old folder is garbage.
        fs::create_dir(&old).unwrap();
        fs::create_dir(dir.path().join("out/.staging-77")).unwrap();
        let _lock = OutputLock::acquire(&dir.path().join("out")).unwrap();
        assert!(!old.exists());
        assert!(!dir.path().join("out/.staging-77").exists());
        assert_eq!(
            fs::read_to_string(dir.path().join("out/summary.json")).unwrap(),
            "earlier"
        );
    }
}
