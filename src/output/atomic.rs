//! All-or-nothing output: a set of files is written into a staging folder
//! beside the destination and swapped in with one rename when every file
//! is complete. A run that fails or is killed half way leaves the earlier
//! results untouched, and no two writers share a destination
//! ([`super::lock`]).
//!
//! For the destination `output/county`:
//!
//! 1. [`Staging::new`] locks `output/.county.lock`, removes what earlier
//!    writers left (their `output/.county.staging-<pid>`), and stages in
//!    `output/.county.staging-<pid>` (same file system, so the final
//!    rename is atomic).
//! 2. Writers put every file there.
//! 3. [`Staging::commit`] first hard-links (or copies) into the staging
//!    folder every file of the existing destination that the new set does
//!    not rewrite (a user's notes, `sweep/`, ...), except in folders the
//!    new set replaces whole ([`Staging::replace_folder`], e.g. `charts/`).
//!    Then it swaps the two folders in one step (Linux
//!    `renameat2(RENAME_EXCHANGE)`; a plain rename when there is no
//!    destination yet) and removes the earlier set, now at the staging
//!    path. Where the system cannot swap, the destination is renamed to
//!    `output/.county.old-<pid>` and the staging folder into its place; a
//!    process killed between the two renames is undone by the next writer.
//!
//! Where the destination cannot be renamed (it is a mount point, or it
//! holds the current folder) or its parent is not writable, the files are
//! staged inside it in `.staging-<pid>` and moved in one by one: each file
//! is still whole, the set is not swapped as one.
//!
//! Signals: the binary calls [`remove_staging_for_exit`] on SIGINT,
//! SIGTERM and SIGHUP. A commit holds the same mutex while it swaps, so a
//! signal never lands between the renames.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

pub use super::lock::OutputLock;
use super::lock::{is_bookkeeping, remove_empty};

/// Why outputs could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot write {path}: {source}{hint}", hint = hint(source))]
    Io { path: String, source: std::io::Error },
    #[error("cannot draw chart {path}: {message}")]
    Chart { path: String, message: String },
    #[error("cannot encode {path}: {message}")]
    Encode { path: String, message: String },
    #[error(
        "another villagesim ({holder}) is writing to {destination}; wait for it to finish or choose another --out"
    )]
    Busy { destination: String, holder: String },
    #[error("cannot write outputs to {path}: {reason}")]
    Unusable { path: String, reason: String },
    #[error("cannot remove {path}, left by an interrupted villagesim: {source}; remove it by hand and try again")]
    Stale { path: String, source: std::io::Error },
    #[error("cannot move the new outputs into {path}: {source}; the earlier outputs there are untouched{hint}", hint = hint(source))]
    Commit { path: String, source: std::io::Error },
}

/// What to do about an I/O error, where something can be said.
fn hint(error: &std::io::Error) -> &'static str {
    use std::io::ErrorKind::*;
    match error.kind() {
        StorageFull | QuotaExceeded | FileTooLarge => {
            " (the disk is full or a file-size limit was reached: free some space or write elsewhere, e.g. with --out; the earlier files are untouched)"
        }
        PermissionDenied | ReadOnlyFilesystem => " (check the folder's permissions or write elsewhere, e.g. with --out)",
        _ => "",
    }
}

pub(crate) fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// What this process is writing, for [`remove_staging_for_exit`].
pub(crate) struct Active {
    /// Staging folders.
    pub stagings: Vec<PathBuf>,
    /// Lock files held, with the folders created for them.
    pub locks: Vec<(PathBuf, Vec<PathBuf>)>,
}

static ACTIVE: Mutex<Active> = Mutex::new(Active {
    stagings: Vec::new(),
    locks: Vec::new(),
});

pub(crate) fn active() -> MutexGuard<'static, Active> {
    ACTIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes every staging folder (and lock file) of this process and keeps
/// any commit from starting afterwards: for a signal handler, just before
/// the process exits. A commit under way finishes its swap first.
pub fn remove_staging_for_exit() {
    let guard = active();
    for dir in &guard.stagings {
        // A writer may still be adding files: try a few times.
        for _ in 0..5 {
            if fs::remove_dir_all(dir).is_ok() || !dir.exists() {
                break;
            }
        }
    }
    for (lock_file, created) in &guard.locks {
        let _ = fs::remove_file(lock_file);
        remove_empty(created);
    }
    // Held until the process exits: no commit may start now.
    std::mem::forget(guard);
}

/// A staging folder for one set of outputs.
pub struct Staging {
    dir: PathBuf,
    lock: OutputLock,
    /// Staged inside the destination, moved in file by file.
    in_place: bool,
    files: Vec<PathBuf>,
    replaced: Vec<PathBuf>,
    done: bool,
}

impl Staging {
    /// Starts staging outputs bound for `destination`, taking its lock
    /// (or sharing it, when this process already holds it).
    pub fn new(destination: &Path) -> Result<Self, OutputError> {
        let lock = OutputLock::acquire(destination)?;
        let place = lock.place().clone();
        let in_place = must_stage_inside(&place.destination, &place.parent);
        let mut dir = if in_place {
            place.destination.join(format!(".staging-{}", std::process::id()))
        } else {
            place.staging()
        };
        active().stagings.push(dir.clone());
        let mut staging = Staging {
            dir: dir.clone(),
            lock,
            in_place,
            files: Vec::new(),
            replaced: Vec::new(),
            done: false,
        };
        if fs::symlink_metadata(&dir).is_ok() {
            fs::remove_dir_all(&dir).map_err(io_error(&dir))?;
        }
        if let Err(e) = fs::create_dir(&dir) {
            let denied = matches!(
                e.kind(),
                std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
            );
            if in_place || !denied || !place.destination.is_dir() {
                return Err(io_error(&dir)(e));
            }
            // The parent is not writable but the destination is.
            dir = place.destination.join(format!(".staging-{}", std::process::id()));
            unregister(&staging.dir);
            active().stagings.push(dir.clone());
            staging.dir = dir.clone();
            staging.in_place = true;
            fs::create_dir(&dir).map_err(io_error(&dir))?;
        }
        Ok(staging)
    }

    /// The staging folder, for writers that create files themselves; they
    /// must then [`Staging::adopt`] each file.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The destination as given, joined with `name`: for messages.
    pub(crate) fn shown(&self, name: &Path) -> PathBuf {
        self.lock.place().shown.join(name)
    }

    /// Writes one file (`name` relative to the destination, may hold `/`).
    pub fn write(&mut self, name: &str, bytes: &[u8]) -> Result<(), OutputError> {
        self.write_with(name, |file| file.write_all(bytes))
    }

    /// Writes one file as [`Staging::write`] does, streamed by `fill`
    /// through a buffer instead of held in memory whole.
    pub fn write_with(
        &mut self,
        name: &str,
        fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<(), OutputError> {
        let rel = self.create_with(name, fill)?;
        self.files.push(rel);
        Ok(())
    }

    /// Writes one file as [`Staging::write_with`] does but does not record
    /// it: it takes `&self`, so that several files can be written at once.
    /// Record each with [`Staging::adopt`].
    pub fn create_with(
        &self,
        name: &str,
        fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<PathBuf, OutputError> {
        let rel = relative(name)?;
        let shown = self.shown(&rel);
        let path = self.dir.join(&rel);
        if !self.dir.is_dir() {
            return Err(OutputError::Unusable {
                path: self.dir.display().to_string(),
                reason: "the staging folder disappeared".into(),
            });
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io_error(&shown))?;
        }
        File::create(&path)
            .and_then(|file| {
                let mut file = std::io::BufWriter::with_capacity(1 << 20, file);
                fill(&mut file)?;
                file.flush()
            })
            .map_err(io_error(&shown))?;
        Ok(rel)
    }

    /// Whether the file `name` is recorded as written.
    pub fn holds(&self, name: &Path) -> bool {
        self.files.iter().any(|f| f == name)
    }

    /// Records a file already written inside the staging folder.
    pub fn adopt(&mut self, name: impl Into<PathBuf>) {
        self.files.push(name.into());
    }

    /// Declares that the new set holds all of the folder `name` (relative
    /// to the destination): files of the earlier set in it are not kept
    /// (for a file's name, the earlier file is not kept).
    pub fn replace_folder(&mut self, name: impl Into<PathBuf>) {
        self.replaced.push(name.into());
    }

    /// Puts the staged set in place as one step and returns the final
    /// paths of the files written (as the destination was given).
    pub fn commit(self) -> Result<Vec<PathBuf>, OutputError> {
        self.commit_with(true)
    }

    fn commit_with(mut self, may_exchange: bool) -> Result<Vec<PathBuf>, OutputError> {
        if self.in_place {
            self.move_in_file_by_file()?;
        } else {
            self.carry_over()?;
            self.swap(may_exchange)?;
        }
        self.done = true;
        Ok(self.files.iter().map(|f| self.shown(f)).collect())
    }

    /// Links into the staging folder every file of the destination that
    /// the new set neither rewrites nor replaces.
    fn carry_over(&self) -> Result<(), OutputError> {
        let destination = &self.lock.place().destination;
        if !destination.is_dir() {
            return Ok(());
        }
        // The folder that replaces it keeps its permissions (say, group-writable).
        if let Ok(metadata) = fs::metadata(destination) {
            let _ = fs::set_permissions(&self.dir, metadata.permissions());
        }
        let written: HashSet<&Path> = self.files.iter().map(PathBuf::as_path).collect();
        self.carry_folder(destination, Path::new(""), &written)
    }

    fn carry_folder(&self, root: &Path, rel: &Path, written: &HashSet<&Path>) -> Result<(), OutputError> {
        let from = root.join(rel);
        for entry in fs::read_dir(&from).map_err(io_error(&from))? {
            let entry = entry.map_err(io_error(&from))?;
            let name = entry.file_name();
            let child = rel.join(&name);
            if rel.as_os_str().is_empty() && is_bookkeeping(&name.to_string_lossy()) {
                continue;
            }
            if written.contains(child.as_path()) || self.replaced.iter().any(|r| child.starts_with(r)) {
                continue;
            }
            let target = self.dir.join(&child);
            let kind = entry.file_type().map_err(io_error(&entry.path()))?;
            if kind.is_dir() {
                if fs::symlink_metadata(&target).is_err() {
                    fs::create_dir(&target).map_err(io_error(&self.shown(&child)))?;
                }
                if target.is_dir() {
                    self.carry_folder(root, &child, written)?;
                }
            } else if fs::symlink_metadata(&target).is_err() {
                link_or_copy(&entry.path(), &target, kind.is_symlink()).map_err(io_error(&self.shown(&child)))?;
            }
        }
        Ok(())
    }

    /// Swaps the staging folder and the destination.
    fn swap(&mut self, may_exchange: bool) -> Result<(), OutputError> {
        let place = self.lock.place().clone();
        let destination = &place.destination;
        let commit_error = |source| OutputError::Commit {
            path: place.shown.display().to_string(),
            source,
        };
        let guard = active();
        if fs::symlink_metadata(destination).is_err() {
            fs::rename(&self.dir, destination).map_err(commit_error)?;
            drop(guard);
            unregister(&self.dir);
            return Ok(());
        }
        let exchanged = if may_exchange {
            exchange(&self.dir, destination)
        } else {
            Err(std::io::ErrorKind::Unsupported.into())
        };
        let earlier = match exchanged {
            Ok(()) => self.dir.clone(),
            Err(e) if unsupported(&e) => {
                let old = place.old();
                fs::rename(destination, &old).map_err(commit_error)?;
                if let Err(e) = fs::rename(&self.dir, destination) {
                    let _ = fs::rename(&old, destination);
                    return Err(commit_error(e));
                }
                old
            }
            Err(e) => return Err(commit_error(e)),
        };
        drop(guard);
        // The earlier set; if this fails, the next writer removes it.
        let _ = fs::remove_dir_all(&earlier);
        unregister(&self.dir);
        Ok(())
    }

    /// Where the folder cannot be swapped: each file renamed into place.
    fn move_in_file_by_file(&mut self) -> Result<(), OutputError> {
        let destination = self.lock.place().destination.clone();
        for name in &self.files {
            let (from, to) = (self.dir.join(name), destination.join(name));
            if let Some(parent) = to.parent() {
                fs::create_dir_all(parent).map_err(io_error(&self.shown(name)))?;
            }
            fs::rename(&from, &to).map_err(io_error(&self.shown(name)))?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        // After a swap the folder is gone (or holds the earlier set); after
        // a failure this discards the half-written set.
        if !self.done || self.in_place {
            let _ = fs::remove_dir_all(&self.dir);
        }
        unregister(&self.dir);
    }
}

fn unregister(dir: &Path) {
    active().stagings.retain(|d| d != dir);
}

/// `name` as a path inside the destination, refusing `..` and absolute
/// paths.
fn relative(name: &str) -> Result<PathBuf, OutputError> {
    let path = PathBuf::from(name);
    if path.components().all(|c| matches!(c, Component::Normal(_))) && !name.is_empty() {
        Ok(path)
    } else {
        Err(OutputError::Unusable {
            path: name.to_string(),
            reason: "an output file must be inside the output folder".into(),
        })
    }
}

/// Whether the destination must be staged inside: it exists and is a
/// mount point, or it holds the current folder (which must not move).
fn must_stage_inside(destination: &Path, parent: &Path) -> bool {
    if !destination.is_dir() {
        return false;
    }
    let cwd = std::env::current_dir().and_then(fs::canonicalize);
    if cwd.is_ok_and(|cwd| cwd.starts_with(destination)) {
        return true;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(d), Ok(p)) = (fs::metadata(destination), fs::metadata(parent)) {
            return d.dev() != p.dev();
        }
    }
    let _ = parent;
    false
}

fn link_or_copy(from: &Path, to: &Path, symlink: bool) -> std::io::Result<()> {
    if fs::hard_link(from, to).is_ok() {
        return Ok(());
    }
    if symlink {
        #[cfg(unix)]
        return std::os::unix::fs::symlink(fs::read_link(from)?, to);
    }
    fs::copy(from, to).map(|_| ())
}

/// Swaps two paths in one step.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both are valid NUL-terminated paths that outlive the call;
    // renameat2 only reads them.
    let status = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if status == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// Whether a failed swap means the system or file system cannot swap.
fn unsupported(error: &std::io::Error) -> bool {
    if error.kind() == std::io::ErrorKind::Unsupported {
        return true;
    }
    #[cfg(unix)]
    if let Some(code) = error.raw_os_error() {
        return [libc::EINVAL, libc::ENOSYS, libc::EOPNOTSUPP].contains(&code);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &Path) -> String {
        fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// An earlier set in `dir/out`: two outputs, a chart, a user's file.
    fn earlier(dir: &Path) -> PathBuf {
        let out = dir.join("out");
        fs::create_dir_all(out.join("charts")).unwrap();
        fs::create_dir_all(out.join("sweep")).unwrap();
        fs::write(out.join("summary.json"), "old summary").unwrap();
        fs::write(out.join("results.json"), "old results").unwrap();
        fs::write(out.join("charts/gone.svg"), "old chart").unwrap();
        fs::write(out.join("notes.txt"), "mine").unwrap();
        fs::write(out.join("sweep/sweep.csv"), "sweep").unwrap();
        out
    }

    fn new_set(out: &Path) -> Staging {
        let mut staging = Staging::new(out).unwrap();
        staging.write("summary.json", b"new summary").unwrap();
        staging.write("charts/fan.svg", b"new chart").unwrap();
        staging.replace_folder("charts");
        staging
    }

    fn check_new_set(dir: &Path, out: &Path) {
        assert_eq!(read(&out.join("summary.json")), "new summary");
        assert_eq!(read(&out.join("charts/fan.svg")), "new chart");
        assert_eq!(names(&out.join("charts")), ["fan.svg"]);
        // Not rewritten: kept.
        assert_eq!(read(&out.join("results.json")), "old results");
        assert_eq!(read(&out.join("notes.txt")), "mine");
        assert_eq!(read(&out.join("sweep/sweep.csv")), "sweep");
        // Nothing else beside it.
        assert_eq!(names(dir), ["out"]);
    }

    #[test]
    fn a_new_destination_and_its_parents_appear_only_at_the_commit() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("a/out");
        let mut staging = Staging::new(&out).unwrap();
        staging.write("x/y.csv", b"1").unwrap();
        assert!(!out.exists());
        let written = staging.commit().unwrap();
        assert_eq!(written, [out.join("x/y.csv")]);
        assert_eq!(read(&out.join("x/y.csv")), "1");
        assert_eq!(names(&dir.path().join("a")), ["out"]);
    }

    #[test]
    fn a_commit_swaps_the_whole_set_and_keeps_what_it_does_not_rewrite() {
        let dir = tempfile::tempdir().unwrap();
        let out = earlier(dir.path());
        new_set(&out).commit().unwrap();
        check_new_set(dir.path(), &out);
    }

    #[test]
    fn without_an_atomic_swap_the_commit_renames_twice() {
        let dir = tempfile::tempdir().unwrap();
        let out = earlier(dir.path());
        new_set(&out).commit_with(false).unwrap();
        check_new_set(dir.path(), &out);
    }

    #[test]
    fn a_failure_keeps_the_earlier_set_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let out = earlier(dir.path());
        drop(new_set(&out));
        assert_eq!(read(&out.join("summary.json")), "old summary");
        assert_eq!(names(&out.join("charts")), ["gone.svg"]);
        assert_eq!(names(dir.path()), ["out"]);
        // Into a new folder: no empty folder (or parents) left.
        let fresh = dir.path().join("p/q/fresh");
        drop(new_set(&fresh));
        assert_eq!(names(dir.path()), ["out"]);
    }

    #[test]
    fn names_outside_the_folder_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut staging = Staging::new(&dir.path().join("out")).unwrap();
        assert!(staging.write("../x", b"").is_err());
        assert!(staging.write("/etc/x", b"").is_err());
        assert!(staging.write("", b"").is_err());
    }

    #[test]
    fn a_destination_holding_the_current_folder_is_written_in_place() {
        // Unit tests run in the crate's folder.
        let cwd = fs::canonicalize(std::env::current_dir().unwrap()).unwrap();
        assert!(must_stage_inside(&cwd, cwd.parent().unwrap()));
        assert!(must_stage_inside(
            cwd.parent().unwrap(),
            cwd.parent().unwrap().parent().unwrap()
        ));
        let dir = tempfile::tempdir().unwrap();
        let out = fs::canonicalize(earlier(dir.path())).unwrap();
        assert!(!must_stage_inside(&out, out.parent().unwrap()));
    }

    #[test]
    fn staging_folders_are_registered_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let mut staging = Staging::new(&dir.path().join("out")).unwrap();
        staging.write("a.csv", b"1").unwrap();
        let staged = staging.dir().to_path_buf();
        assert!(active().stagings.contains(&staged));
        assert!(staged.is_dir());
        // Not remove_staging_for_exit itself: it keeps the mutex.
        drop(staging);
        assert!(!active().stagings.contains(&staged));
        assert!(!staged.exists());
    }

    #[test]
    fn io_errors_say_what_to_do() {
        let full = OutputError::Io {
            path: "out/results.json".into(),
            source: std::io::Error::from(std::io::ErrorKind::StorageFull),
        }
        .to_string();
        assert!(
            full.contains("out/results.json") && full.contains("free some space"),
            "{full}"
        );
    }
}
