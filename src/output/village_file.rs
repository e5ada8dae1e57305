//! `village_years.bin`: every policy's per-village years, exact, beside
//! `results.json`, which holds every other aggregate.
//!
//! The per-village years are most of a run's aggregates (a province of
//! 20,000 villages x 21 years x 2 policies is 840,000 of them), and as JSON
//! text they were 90% of `results.json`'s size and of its writing and
//! reading time. They are written here as plain little-endian numbers, so
//! the file is written and read at the speed of the disk and a researcher
//! can load it with one call (`numpy.fromfile(path, "<f8", offset=24)
//! .reshape(policies, villages, years, 13)`).
//!
//! Layout, all little-endian:
//!
//! | bytes | content |
//! | --- | --- |
//! | 8 | the magic `VSIMVYRS` |
//! | 4 | the results format version (`u32`, as `results.json`'s `format_version`) |
//! | 4 x 3 | policies, villages, years (baseline year included), `u32` each |
//! | 104 per cell | for each policy, village and year in that order: the income's mean, se, sd, min, p5, p10, p25, p50, p75, p90, p95, max (yuan) and the probability of being below the floor, as 13 `f64` |
//!
//! Year `y` is `results.json`'s `baseline_year + y`; policies and villages
//! are in `results.json`'s order.

use std::io::{self, Write};

use crate::summary::results::{Results, Stat, VillageYear, RESULTS_FORMAT_VERSION};

/// The file's name in a run's output folder.
pub const VILLAGE_YEARS_FILE: &str = "village_years.bin";

const MAGIC: &[u8; 8] = b"VSIMVYRS";
/// Magic, version and the three dimensions.
pub const HEADER_BYTES: usize = 24;
/// Numbers per cell.
const FIELDS: usize = 13;
/// Bytes per cell.
pub const CELL_BYTES: usize = FIELDS * 8;

/// The policies, villages and years of `results`' per-village years.
fn dims(results: &Results) -> [usize; 3] {
    let span = results.policies.first().map_or(0, |p| p.years.len());
    [results.policies.len(), results.villages.len(), span]
}

/// Writes the per-village years of every policy of `results` to `out`.
///
/// # Errors
///
/// What `out` returns.
pub fn write(results: &Results, out: &mut dyn Write) -> io::Result<()> {
    let mut head = Vec::with_capacity(HEADER_BYTES);
    head.extend_from_slice(MAGIC);
    head.extend_from_slice(&RESULTS_FORMAT_VERSION.to_le_bytes());
    for d in dims(results) {
        head.extend_from_slice(&u32::try_from(d).unwrap_or(u32::MAX).to_le_bytes());
    }
    out.write_all(&head)?;
    // `out` is buffered (the staging's writer), so one write per cell.
    let mut cell = [0u8; CELL_BYTES];
    for vy in results.policies.iter().flat_map(|p| p.villages.iter().flatten()) {
        for (bytes, x) in cell.chunks_exact_mut(8).zip(fields(vy)) {
            bytes.copy_from_slice(&x.to_le_bytes());
        }
        out.write_all(&cell)?;
    }
    Ok(())
}

/// A cell's numbers, in the file's order.
fn fields(vy: &VillageYear) -> [f64; FIELDS] {
    let s = &vy.income_yuan;
    [
        s.mean,
        s.se,
        s.sd,
        s.min,
        s.p5,
        s.p10,
        s.p25,
        s.p50,
        s.p75,
        s.p90,
        s.p95,
        s.max,
        vy.p_below_floor,
    ]
}

/// The cell of `year` whose numbers are `fields`, as [`fields`] gave them.
fn from_fields(fields: [f64; FIELDS], year: i32) -> VillageYear {
    let [mean, se, sd, min, p5, p10, p25, p50, p75, p90, p95, max, p_below_floor] = fields;
    VillageYear {
        year,
        income_yuan: Stat {
            mean,
            se,
            sd,
            min,
            p5,
            p10,
            p25,
            p50,
            p75,
            p90,
            p95,
            max,
        },
        p_below_floor,
    }
}

/// Why a `village_years.bin` cannot be read with its `results.json`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum VillageFileError {
    #[error("is not a villagesim village-years file (it does not start with \"VSIMVYRS\")")]
    NotOurs,
    /// Its format version, which is not this version's.
    #[error("is results format {0}")]
    Version(u32),
    #[error("is {0} bytes long, shorter than its {HEADER_BYTES}-byte header: it was cut short or damaged")]
    Header(usize),
    #[error("holds {found} (policies x villages x years) but results.json has {expected}: the two files are of different runs")]
    OtherRun { found: String, expected: String },
    #[error(
        "is {found} bytes long, {expected} are expected for its {cells} village-years: it was cut short or damaged"
    )]
    Length {
        found: usize,
        expected: usize,
        cells: usize,
    },
}

/// Fills `policies[p].villages` of `results` (read from `results.json`)
/// from the bytes of its `village_years.bin`.
///
/// # Errors
///
/// [`VillageFileError`] when the bytes are not such a file, of this format
/// version and of the same policies, villages and years as `results`.
///
/// # Examples
///
/// ```no_run
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use villagesim::summary::results::Results;
/// let dir = std::path::Path::new("output/quickstart-county");
/// let mut results: Results = serde_json::from_slice(&std::fs::read(dir.join("results.json"))?)?;
/// villagesim::output::village_file::read(&std::fs::read(dir.join("village_years.bin"))?, &mut results)?;
/// assert_eq!(results.policies[0].villages.len(), results.villages.len());
/// # Ok(()) }
/// ```
pub fn read(bytes: &[u8], results: &mut Results) -> Result<(), VillageFileError> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(VillageFileError::NotOurs);
    }
    if bytes.len() < HEADER_BYTES {
        return Err(VillageFileError::Header(bytes.len()));
    }
    let word = |i: usize| {
        let at = MAGIC.len() + 4 * i;
        u32::from_le_bytes(bytes[at..at + 4].try_into().expect("four bytes"))
    };
    let version = word(0);
    if version != RESULTS_FORMAT_VERSION {
        return Err(VillageFileError::Version(version));
    }
    let found = [word(1), word(2), word(3)];
    let expected = dims(results);
    if found.iter().zip(expected).any(|(&f, e)| f as usize != e) {
        let shown = |d: &[usize]| d.iter().map(usize::to_string).collect::<Vec<_>>().join(" x ");
        return Err(VillageFileError::OtherRun {
            found: shown(&found.map(|f| f as usize)),
            expected: shown(&expected),
        });
    }
    let [_, villages, span] = expected;
    let cells = expected.iter().product::<usize>();
    if bytes.len() != HEADER_BYTES + cells * CELL_BYTES {
        return Err(VillageFileError::Length {
            found: bytes.len(),
            expected: HEADER_BYTES + cells * CELL_BYTES,
            cells,
        });
    }
    let mut records = bytes[HEADER_BYTES..].chunks_exact(CELL_BYTES).map(|cell| {
        let mut f = [0.0; FIELDS];
        for (x, b) in f.iter_mut().zip(cell.chunks_exact(8)) {
            *x = f64::from_le_bytes(b.try_into().expect("eight bytes"));
        }
        f
    });
    let baseline_year = results.baseline_year;
    for policy in &mut results.policies {
        policy.villages = (0..villages)
            .map(|_| {
                let years = (0..span).map(|y| baseline_year.saturating_add(y as i32));
                years.zip(&mut records).map(|(year, f)| from_fields(f, year)).collect()
            })
            .collect();
    }
    Ok(())
}
