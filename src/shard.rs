//! Shard files: the mergeable aggregates of a share of a job's runs, saved
//! so that shards simulated anywhere (a job array, another machine, an
//! interrupted run) can be merged into the outputs of one run.
//!
//! # Layout (format version [`FORMAT_VERSION`])
//!
//! ```text
//! magic            8 bytes   "VSSHARD\0"
//! format version   u32 LE
//! header length    u32 LE    then the header: postcard (ShardHeader)
//! body length      u64 LE    then the body: postcard (engine::Partial)
//! checksum         32 bytes  SHA-256 of every byte before it
//! ```
//!
//! [postcard](https://docs.rs/postcard) is a serde format with a
//! documented, stable wire format (its 1.0 specification): integers as
//! varints, floats as their IEEE bits, so the aggregates come back exactly.
//! A file is written to a temporary name in its folder, flushed to disk and
//! renamed, so a reader never sees half a shard and a task that a scheduler
//! runs twice leaves one whole file.
//!
//! The framing (magic, version, lengths, checksum, atomic write) is
//! [`write_frame`] and [`read_frame`], shared with the points shards of
//! [`crate::points`], which have a magic of their own.

use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::engine::Partial;

/// The first eight bytes of every shard file.
pub const MAGIC: &[u8; 8] = b"VSSHARD\0";
/// Version of the layout above and of the aggregates' encoding; bumped on
/// any change that an older reader would misread. Version 2 added the
/// header's `group` and the body's per-run final-year figures of a policy
/// group.
pub const FORMAT_VERSION: u32 = 2;
/// The extension of shard files.
pub const EXTENSION: &str = "vshard";

/// What a shard belongs to: everything `merge` compares before adding
/// shards together, and what it needs to finish them without the original
/// command line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardHeader {
    /// The villagesim version that simulated the runs.
    pub villagesim_version: String,
    /// The scenario file as named on the command line (for the manifest and
    /// the report).
    pub scenario_file: String,
    /// The folder relative paths in the scenario are read from (absolute).
    pub scenario_dir: PathBuf,
    /// SHA-256 of the scenario file's bytes, hexadecimal.
    pub scenario_sha256: String,
    /// The scenario file's bytes, so a merge reads the very scenario the
    /// shards simulated.
    pub scenario_text: Vec<u8>,
    pub seed: u64,
    /// The runs of the whole job (this shard holds a share of them).
    pub job_runs: u64,
    /// Settings of the command line that change the results (e.g.
    /// `--central=mean`), as written there; empty for none.
    pub settings: Vec<String>,
    /// The job's policies, in the scenario's order.
    pub policies: Vec<String>,
    /// The policies this shard simulated when it is of a policy group
    /// (`run --policies`): the reference policy first, then the group's,
    /// in the scenario's order; empty when it simulated every policy.
    /// Shards of several groups merge into the whole job.
    pub group: Vec<String>,
    /// The runs this shard holds, sorted disjoint ranges.
    pub runs: Vec<Range<u64>>,
}

impl ShardHeader {
    /// The runs held, in words: "runs 0-499 and 1000-1499".
    pub fn runs_text(&self) -> String {
        runs_text(&self.runs)
    }

    /// Whether `other` belongs to the same job: the same version, scenario,
    /// seed, runs, settings and policies. `None` when it does; otherwise
    /// what differs, in words.
    pub fn mismatch(&self, other: &ShardHeader) -> Option<String> {
        let differ = |what: &str, a: &dyn std::fmt::Display, b: &dyn std::fmt::Display| {
            Some(format!("{what} differ: {a} against {b}"))
        };
        if self.villagesim_version != other.villagesim_version {
            return differ(
                "villagesim versions",
                &self.villagesim_version,
                &other.villagesim_version,
            );
        }
        if self.scenario_sha256 != other.scenario_sha256 {
            return differ(
                "scenarios (SHA-256 of the file)",
                &short(&self.scenario_sha256),
                &short(&other.scenario_sha256),
            );
        }
        if self.seed != other.seed {
            return differ("seeds", &self.seed, &other.seed);
        }
        if self.job_runs != other.job_runs {
            return differ("the jobs' run counts", &self.job_runs, &other.job_runs);
        }
        if self.settings != other.settings {
            return differ("settings", &self.settings.join(" "), &other.settings.join(" "));
        }
        if self.policies != other.policies {
            return differ("policies", &self.policies.join(", "), &other.policies.join(", "));
        }
        None
    }
}

fn short(hex: &str) -> String {
    hex.chars().take(12).collect()
}

/// Sorted ranges in words: "runs 0-499 and 1000-1499" (ends inclusive).
pub fn runs_text(runs: &[Range<u64>]) -> String {
    let parts: Vec<String> = runs
        .iter()
        .map(|r| match r.end - r.start {
            0 => "none".to_string(),
            1 => format!("{}", r.start),
            _ => format!("{}-{}", r.start, r.end - 1),
        })
        .collect();
    match parts.len() {
        0 => "no runs".to_string(),
        1 if runs[0].end - runs[0].start == 1 => format!("run {}", parts[0]),
        _ => format!("runs {}", parts.join(" and ")),
    }
}

/// One range in words: "runs 0-499", "run 3".
pub fn range_text(runs: Range<u64>) -> String {
    runs_text(std::slice::from_ref(&runs))
}

/// The runs of shard `index` (zero-based) of `count` in a job of `runs`
/// runs: a fixed contiguous split, so it is the same on every machine.
pub fn shard_runs(runs: u64, index: u64, count: u64) -> Range<u64> {
    let at = |i: u64| ((u128::from(runs) * u128::from(i)) / u128::from(count.max(1))) as u64;
    at(index)..at(index + 1)
}

/// Why a shard file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ShardError {
    #[error("{path}: cannot {doing}: {source}")]
    Io {
        path: PathBuf,
        doing: &'static str,
        source: std::io::Error,
    },
    #[error("{path}: not a villagesim {kind} file (it does not start with the {kind} magic bytes)")]
    NotAShard { path: PathBuf, kind: &'static str },
    #[error("{path}: {kind} format version {found}; this villagesim ({ours}) reads version {reads}: merge with the version that wrote it")]
    Version {
        path: PathBuf,
        kind: &'static str,
        found: u32,
        reads: u32,
        ours: &'static str,
    },
    #[error("{path}: truncated: {what} (the file is {len} bytes); the task that wrote it may have been killed: run that shard again")]
    Truncated { path: PathBuf, what: String, len: u64 },
    #[error("{path}: corrupted: the checksum does not match its contents; run that shard again")]
    Checksum { path: PathBuf },
    #[error("{path}: corrupted: cannot decode its {part}: {message}; run that shard again")]
    Decode {
        path: PathBuf,
        part: &'static str,
        message: String,
    },
    #[error("cannot encode the shard: {0}")]
    Encode(String),
}

/// Writes `partial` with `header` to `path`, atomically (a temporary file
/// in the same folder, flushed, then renamed over `path`).
///
/// # Errors
///
/// [`ShardError::Io`] when the folder cannot be created or written.
pub fn write(path: &Path, header: &ShardHeader, partial: &Partial) -> Result<(), ShardError> {
    let head = postcard::to_stdvec(header).map_err(|e| ShardError::Encode(e.to_string()))?;
    let body = postcard::to_stdvec(partial).map_err(|e| ShardError::Encode(e.to_string()))?;
    write_frame(path, &SHARD_FRAME, &head, &body)
}

/// What tells one kind of framed file from another: its magic bytes, its
/// format version and its name in messages.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    pub magic: &'static [u8; 8],
    pub version: u32,
    /// "shard", "points shard".
    pub name: &'static str,
}

/// The frame of run shards (`VSSHARD`).
pub const SHARD_FRAME: Frame = Frame {
    magic: MAGIC,
    version: FORMAT_VERSION,
    name: "shard",
};

/// Writes `head` and `body` (already encoded) framed as `frame` says (the
/// layout above: magic, version, lengths, checksum) to `path`, atomically
/// (a temporary file in the same folder, flushed, then renamed over
/// `path`).
///
/// # Errors
///
/// [`ShardError::Io`] when the folder cannot be created or written.
pub fn write_frame(path: &Path, frame: &Frame, head: &[u8], body: &[u8]) -> Result<(), ShardError> {
    let io = |doing: &'static str| {
        let path = path.to_path_buf();
        move |source| ShardError::Io { path, doing, source }
    };
    let mut bytes = Vec::with_capacity(head.len() + body.len() + 64);
    bytes.extend_from_slice(frame.magic);
    bytes.extend_from_slice(&frame.version.to_le_bytes());
    bytes.extend_from_slice(&(head.len() as u32).to_le_bytes());
    bytes.extend_from_slice(head);
    bytes.extend_from_slice(&(body.len() as u64).to_le_bytes());
    bytes.extend_from_slice(body);
    let checksum = Sha256::digest(&bytes);
    bytes.extend_from_slice(&checksum);
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io("create its folder"))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = dir.join(format!(".{name}.{}.partial", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result.map_err(io("write it"))
}

/// The parts of a shard file after its checks: the header decoded, the
/// body still encoded (decode it with [`Shard::partial`]).
#[derive(Debug)]
pub struct Shard {
    pub path: PathBuf,
    pub header: ShardHeader,
    body: Vec<u8>,
}

impl Shard {
    /// The aggregates it holds.
    ///
    /// # Errors
    ///
    /// [`ShardError::Decode`] when the body does not decode (a file whose
    /// checksum matched but written by a different build).
    pub fn partial(self) -> Result<Partial, ShardError> {
        postcard::from_bytes(&self.body).map_err(|e| ShardError::Decode {
            path: self.path.clone(),
            part: "aggregates",
            message: e.to_string(),
        })
    }
}

/// Reads and checks the shard file at `path`: magic, version, lengths,
/// checksum, header.
///
/// # Errors
///
/// A [`ShardError`] naming the file and what is wrong with it.
pub fn read(path: &Path) -> Result<Shard, ShardError> {
    let (head, body) = read_frame(path, &SHARD_FRAME)?;
    let header: ShardHeader = postcard::from_bytes(&head).map_err(|e| ShardError::Decode {
        path: path.to_path_buf(),
        part: "header",
        message: e.to_string(),
    })?;
    Ok(Shard {
        path: path.to_path_buf(),
        header,
        body,
    })
}

/// Whether the file at `path` starts with `frame`'s magic bytes (false
/// when it cannot be read).
pub fn starts_with_magic(path: &Path, frame: &Frame) -> bool {
    use std::io::Read;
    let mut start = [0u8; 8];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut start))
        .is_ok_and(|()| &start == frame.magic)
}

/// Reads and checks the file at `path` framed as `frame` says: magic,
/// version, lengths, checksum. Returns the header's and the body's bytes,
/// still encoded.
///
/// # Errors
///
/// A [`ShardError`] naming the file and what is wrong with it.
pub fn read_frame(path: &Path, frame: &Frame) -> Result<(Vec<u8>, Vec<u8>), ShardError> {
    let bytes = std::fs::read(path).map_err(|source| ShardError::Io {
        path: path.to_path_buf(),
        doing: "read it",
        source,
    })?;
    let len = bytes.len() as u64;
    let truncated = |what: &str| ShardError::Truncated {
        path: path.to_path_buf(),
        what: what.to_string(),
        len,
    };
    let magic = frame.magic;
    if bytes.len() < magic.len() || &bytes[..magic.len()] != magic {
        return Err(if magic.starts_with(&bytes) && !bytes.is_empty() {
            truncated("it ends inside the magic bytes")
        } else {
            ShardError::NotAShard {
                path: path.to_path_buf(),
                kind: frame.name,
            }
        });
    }
    let word = |at: usize, n: usize| bytes.get(at..at + n);
    let version = word(8, 4).ok_or_else(|| truncated("it ends before the format version"))?;
    let version = u32::from_le_bytes(version.try_into().unwrap_or_default());
    if version != frame.version {
        return Err(ShardError::Version {
            path: path.to_path_buf(),
            kind: frame.name,
            found: version,
            reads: frame.version,
            ours: env!("CARGO_PKG_VERSION"),
        });
    }
    let head_len = word(12, 4).ok_or_else(|| truncated("it ends before the header's length"))?;
    let head_len = u32::from_le_bytes(head_len.try_into().unwrap_or_default()) as usize;
    let head_at = 16;
    let body_len_at = head_at + head_len;
    let body_len = word(body_len_at, 8).ok_or_else(|| truncated("it ends inside the header"))?;
    let body_len = u64::from_le_bytes(body_len.try_into().unwrap_or_default());
    let body_at = body_len_at + 8;
    let expected = (body_at as u64).saturating_add(body_len).saturating_add(32);
    if len < expected {
        return Err(truncated(&format!("its header says {expected} bytes")));
    }
    if len > expected {
        return Err(ShardError::Checksum {
            path: path.to_path_buf(),
        });
    }
    let end = body_at + body_len as usize;
    if Sha256::digest(&bytes[..end]).as_slice() != &bytes[end..] {
        return Err(ShardError::Checksum {
            path: path.to_path_buf(),
        });
    }
    let head = bytes[head_at..body_len_at].to_vec();
    let mut bytes = bytes;
    bytes.truncate(end);
    bytes.drain(..body_at);
    Ok((head, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_split_is_contiguous_and_covers_every_run() {
        for (runs, k) in [(1000, 3), (7, 8), (1, 1), (10, 10)] {
            let mut next = 0;
            for i in 0..k {
                let r = shard_runs(runs, i, k);
                assert_eq!(r.start, next);
                next = r.end;
            }
            assert_eq!(next, runs);
        }
        assert_eq!(shard_runs(1000, 1, 3), 333..666);
    }

    #[test]
    fn runs_in_words() {
        assert_eq!(runs_text(&[0..500, 1000..1500]), "runs 0-499 and 1000-1499");
        assert_eq!(range_text(3..4), "run 3");
        assert_eq!(runs_text(&[]), "no runs");
    }
}
