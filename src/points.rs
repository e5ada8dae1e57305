//! Points shards: the outcomes of a share of an analysis's points (a
//! sweep's grid points), saved so that shares simulated anywhere (a job
//! array, other machines) can be merged into the outputs of one analysis.
//!
//! # Layout (format version [`FORMAT_VERSION`])
//!
//! The framing of [`crate::shard`] (magic, format version, header length
//! and header, body length and body, SHA-256 of every byte before it),
//! with its own magic, [`MAGIC`]:
//!
//! ```text
//! magic            8 bytes   "VSPOINT\0"
//! format version   u32 LE
//! header length    u32 LE    then the header: postcard (PointsHeader)
//! body length      u64 LE    then the body: postcard (the points, by kind:
//!                            a sweep's is a SweepResult of its points)
//! checksum         32 bytes  SHA-256 of every byte before it
//! ```
//!
//! Written atomically, as shard files are ([`crate::shard::write_frame`]).

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::analysis::sensitivity::SensitivityPoints;
use crate::analysis::sweep::SweepResult;
use crate::shard::{self, Frame, ShardError};

/// The first eight bytes of every points shard.
pub const MAGIC: &[u8; 8] = b"VSPOINT\0";
/// Version of the layout above and of the body's encoding; bumped on any
/// change that an older reader would misread.
pub const FORMAT_VERSION: u32 = 1;
/// The extension of points shards.
pub const EXTENSION: &str = "vpoints";
/// The frame of points shards.
pub const FRAME: Frame = Frame {
    magic: MAGIC,
    version: FORMAT_VERSION,
    name: "points shard",
};

/// The analysis whose points a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AnalysisKind {
    /// `villagesim sweep`: the points of its grid (a [`SweepResult`] of
    /// them).
    Sweep,
    /// `villagesim sensitivity`: its simulations, each input at its P10
    /// and P90 then the design points ([`SensitivityPoints`]).
    Sensitivity,
}

impl AnalysisKind {
    /// The command's name.
    pub fn command(self) -> &'static str {
        match self {
            AnalysisKind::Sweep => "sweep",
            AnalysisKind::Sensitivity => "sensitivity",
        }
    }

    /// What its points are called: a sweep's grid "point", a sensitivity
    /// analysis's "simulation".
    pub fn noun(self) -> &'static str {
        match self {
            AnalysisKind::Sweep => "point",
            AnalysisKind::Sensitivity => "simulation",
        }
    }
}

/// What a points shard belongs to: everything `merge` compares before
/// joining shares, and what it needs to write the outputs without the
/// original command line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointsHeader {
    /// The villagesim version that simulated the points.
    pub villagesim_version: String,
    /// The scenario file as named on the command line.
    pub scenario_file: String,
    /// The folder relative paths in the scenario are read from (absolute).
    pub scenario_dir: PathBuf,
    /// SHA-256 of the scenario file's bytes, hexadecimal.
    pub scenario_sha256: String,
    /// The scenario file's bytes.
    pub scenario_text: Vec<u8>,
    /// The seed and the runs per point (as simulated: the file's or the
    /// command line's).
    pub seed: u64,
    pub runs: u64,
    pub kind: AnalysisKind,
    /// The analysis's arguments that change its results or outputs, as
    /// written on the command line (`--set PATH=FROM:TO:STEPS`, `--policy
    /// NAME`): with the file, `--runs` and `--seed` they make the one
    /// command that gives these results.
    pub arguments: Vec<String>,
    /// The points of the whole analysis.
    pub total_points: u64,
    /// The points this file holds, sorted disjoint ranges.
    pub points: Vec<Range<u64>>,
}

impl PointsHeader {
    /// Whether `other` belongs to the same analysis: the same version,
    /// scenario, seed, runs, kind, arguments and points. `None` when it
    /// does; otherwise what differs, in words.
    pub fn mismatch(&self, other: &PointsHeader) -> Option<String> {
        let differ = |what: &str, a: &dyn std::fmt::Display, b: &dyn std::fmt::Display| {
            Some(format!("{what} differ: {a} against {b}"))
        };
        let short = |hex: &str| hex.chars().take(12).collect::<String>();
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
        if self.runs != other.runs {
            return differ("runs per point", &self.runs, &other.runs);
        }
        if self.kind != other.kind {
            return differ("analyses", &self.kind.command(), &other.kind.command());
        }
        if self.arguments != other.arguments {
            return differ("arguments", &self.arguments.join(" "), &other.arguments.join(" "));
        }
        if self.total_points != other.total_points {
            return differ("the analyses' point counts", &self.total_points, &other.total_points);
        }
        None
    }

    /// The points held, in words: "points 0-1 and 4".
    pub fn points_text(&self) -> String {
        points_text(self.kind, &self.points)
    }
}

/// Sorted ranges of points of a `kind` analysis in words: "points 0-1 and
/// 4", "point 3", "simulations 0-5" (ends inclusive).
pub fn points_text(kind: AnalysisKind, points: &[Range<u64>]) -> String {
    shard::runs_text(points).replacen("run", kind.noun(), 1)
}

/// Writes the points `body` (a [`SweepResult`] of a sweep's points, or the
/// [`SensitivityPoints`] of a sensitivity analysis, as `header.kind`
/// says) with `header` to `path`, atomically.
///
/// # Errors
///
/// [`ShardError::Io`] when the folder cannot be created or written.
pub fn write<T: Serialize>(path: &Path, header: &PointsHeader, body: &T) -> Result<(), ShardError> {
    let head = postcard::to_stdvec(header).map_err(|e| ShardError::Encode(e.to_string()))?;
    let body = postcard::to_stdvec(body).map_err(|e| ShardError::Encode(e.to_string()))?;
    shard::write_frame(path, &FRAME, &head, &body)
}

/// A points shard after its checks: the header decoded, the body still
/// encoded (decode it with [`PointsFile::sweep`] or
/// [`PointsFile::sensitivity`], as `header.kind` says).
#[derive(Debug)]
pub struct PointsFile {
    pub path: PathBuf,
    pub header: PointsHeader,
    body: Vec<u8>,
}

impl PointsFile {
    /// The sweep points it holds.
    ///
    /// # Errors
    ///
    /// [`ShardError::Decode`] when the body does not decode as a sweep's.
    pub fn sweep(self) -> Result<SweepResult, ShardError> {
        self.decode("sweep points")
    }

    /// The sensitivity simulations it holds.
    ///
    /// # Errors
    ///
    /// [`ShardError::Decode`] when the body does not decode as a
    /// sensitivity analysis's.
    pub fn sensitivity(self) -> Result<SensitivityPoints, ShardError> {
        self.decode("sensitivity simulations")
    }

    fn decode<T: serde::de::DeserializeOwned>(self, part: &'static str) -> Result<T, ShardError> {
        postcard::from_bytes(&self.body).map_err(|e| ShardError::Decode {
            path: self.path.clone(),
            part,
            message: e.to_string(),
        })
    }
}

/// Whether the file at `path` starts with the points magic (false when it
/// cannot be read).
pub fn is_points_file(path: &Path) -> bool {
    shard::starts_with_magic(path, &FRAME)
}

/// Reads and checks the points shard at `path`: magic, version, lengths,
/// checksum, header.
///
/// # Errors
///
/// A [`ShardError`] naming the file and what is wrong with it.
pub fn read(path: &Path) -> Result<PointsFile, ShardError> {
    let (head, body) = shard::read_frame(path, &FRAME)?;
    let header = postcard::from_bytes(&head).map_err(|e| ShardError::Decode {
        path: path.to_path_buf(),
        part: "header",
        message: e.to_string(),
    })?;
    Ok(PointsFile {
        path: path.to_path_buf(),
        header,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_in_words() {
        assert_eq!(points_text(AnalysisKind::Sweep, &[0..2, 4..5]), "points 0-1 and 4");
        assert_eq!(
            points_text(AnalysisKind::Sweep, std::slice::from_ref(&(3..4))),
            "point 3"
        );
        assert_eq!(
            points_text(AnalysisKind::Sensitivity, std::slice::from_ref(&(0..6))),
            "simulations 0-5"
        );
    }
}
