//! Charts of a finished run, and of sweeps and sensitivity analyses
//! ([`write_sweep_charts`], [`write_tornado`]), as SVG and PNG.
//!
//! Every chart is drawn once by a generic function over a plotters
//! [`DrawingArea`], which is called with an [`SVGBackend`] and a
//! [`BitMapBackend`], so both files show the same picture. Text is rendered
//! with a bundled font (a subset of Noto Sans CJK SC, see
//! `assets/fonts/README.md`) through plotters' `ab_glyph` support, so PNGs
//! need no system font and look the same on every machine. Every SVG
//! carries, in a `<style>`, an `@font-face` rule with the subset of that
//! font holding the glyphs it uses ([`embed_font`]), and its text names that
//! family before `sans-serif`, so Chinese renders on any machine, in a
//! standalone file as in the report that inlines it ([`font_face_css`]
//! gives the report a rule for its own text).
//!
//! All words on the charts come from [`Labels`], in English or Chinese.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::sync::OnceLock;

use plotters::chart::MeshStyle;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontStyle;

use crate::format::{decimals_for, grouped, shorten, Lang};
use crate::summary::results::*;

mod axis;
mod below_floor;
#[cfg(test)]
mod bundled_tests;
mod calibrate;
mod cdf;
mod contributions;
mod cost;
mod coverage;
pub mod decision;
mod distribution;
mod dscr;
mod fan;
pub(crate) mod font;
mod labels;
mod paired;
mod palette;
mod panels;
mod render;
mod solve;
mod stress;
mod style;
mod sweep;
mod target_group;
mod titles;
mod tornado;
mod voi;
mod who_gains;

pub(crate) use axis::*;
use below_floor::*;
pub use calibrate::{write_calibration, CalibrateChart, CalibrateRow};
use cdf::*;
use contributions::*;
use cost::*;
use coverage::*;
use distribution::*;
use dscr::*;
use fan::*;
pub use font::*;
pub use labels::*;
use paired::*;
pub(crate) use palette::policy_color;
use panels::*;
pub(crate) use render::DrawResult;
pub use render::WrittenChart;
pub(crate) use render::*;
pub use solve::{write_solve, SolveChart, SolvePoint};
pub use stress::{write_stress, StressChart, StressRow, STRESS_MAX_ROWS};
pub(crate) use style::*;
pub use sweep::{sweep_titles, write_sweep_charts, SweepAxis, SweepInput, SweepOutcome, SweepPoint};
use target_group::*;
pub(crate) use titles::*;
pub use tornado::{drawn_note, tornado_title, write_tornado, DrawnPer, TornadoInput, TornadoRow, Treatment};
pub use voi::{write_voi, VoiBar, VoiChart};
use who_gains::*;

/// Width of every chart, pixels.
pub const WIDTH: u32 = 800;
/// Height of every chart, pixels.
pub const HEIGHT: u32 = 500;

/// A chart a run produces: its file stem (without extension) and title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartFile {
    pub stem: &'static str,
    pub title: String,
}

/// What went wrong writing charts.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("cannot write chart file {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot draw chart {}: {message}", path.display())]
    Draw { path: PathBuf, message: String },
    #[error("the bundled chart font could not be loaded")]
    Font,
}

// ---------------------------------------------------------------------------
// Public entry points

/// The charts of a run, in the order [`write_run_charts`] writes them.
pub fn chart_files(results: &Results, lang: Lang) -> Vec<ChartFile> {
    let l = Labels::new(lang);
    Kind::planned(results)
        .iter()
        .map(|k| ChartFile {
            stem: k.stem(),
            title: k.title(&l, results),
        })
        .collect()
}

/// Writes every chart of a run into `dir` as `<stem>.svg` and `<stem>.png`.
/// A chart whose data the run does not have (who gains, in results without
/// accounts) is skipped: no file is written.
///
/// Each file is rendered to a temporary file in `dir` and then renamed over
/// the final name, so a reader never sees half a chart. Returns the files
/// written, with names relative to `dir` and the text of each SVG.
pub fn write_run_charts(results: &Results, dir: &Path, lang: Lang) -> Result<Vec<WrittenChart>, ChartError> {
    ensure_fonts()?;
    let ctx = Ctx::new(results, lang);
    let mut written = Vec::new();
    for kind in Kind::planned(results) {
        write_chart(&KindChart { ctx: &ctx, kind }, dir, kind.stem(), &mut written)?;
    }
    written.extend(crate::charts::decision::write_decision_charts(results, dir, lang)?);
    Ok(written)
}

/// The charts of a run named by `stems` (of [`chart_files`]), as SVG text
/// in memory, in the order of `stems`: a chart the run has no data for is
/// left out. For the page of `villagesim serve`.
///
/// # Errors
///
/// [`ChartError`] when the font cannot be loaded or a chart cannot be drawn.
pub fn run_chart_svgs(results: &Results, stems: &[&str], lang: Lang) -> Result<Vec<(ChartFile, String)>, ChartError> {
    ensure_fonts()?;
    let ctx = Ctx::new(results, lang);
    let l = Labels::new(lang);
    let mut out = Vec::new();
    for stem in stems {
        let Some(kind) = Kind::planned(results).into_iter().find(|k| k.stem() == *stem) else {
            continue;
        };
        let svg = render::render_svg(&KindChart { ctx: &ctx, kind }, Path::new(stem))?;
        let file = ChartFile {
            stem: kind.stem(),
            title: kind.title(&l, results),
        };
        out.push((file, svg));
    }
    Ok(out)
}

/// One of this module's charts of a run.
struct KindChart<'a> {
    ctx: &'a Ctx<'a>,
    kind: Kind,
}

impl DrawChart for KindChart<'_> {
    fn draw_chart<DB: DrawingBackend>(&self, root: &Area<DB>, t: Typo) -> DrawResult<(), DB> {
        draw(root, self.ctx, t, self.kind)
    }
}

/// Renders one chart into an RGB pixel buffer (`WIDTH * HEIGHT * 3` bytes).
#[cfg(test)]
fn render_rgb(results: &Results, lang: Lang, kind: Kind) -> Vec<u8> {
    let ctx = Ctx::new(results, lang);
    render_chart_rgb(&KindChart { ctx: &ctx, kind })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    BelowFloor,
    TargetGroup,
    FanMeanIncome,
    FinalDistribution,
    WhoGains,
}

impl Kind {
    const ALL: [Kind; 5] = [
        Kind::BelowFloor,
        Kind::TargetGroup,
        Kind::FanMeanIncome,
        Kind::FinalDistribution,
        Kind::WhoGains,
    ];

    /// The charts `r` has data for, in the order they are written.
    fn planned(r: &Results) -> Vec<Kind> {
        Kind::ALL.into_iter().filter(|k| k.drawn(r)).collect()
    }

    /// Whether `r` has the data of this chart.
    fn drawn(self, r: &Results) -> bool {
        match self {
            Kind::FanMeanIncome | Kind::BelowFloor | Kind::FinalDistribution => true,
            Kind::TargetGroup => target_group_of(r).is_some(),
            Kind::WhoGains => has_who_gains(r),
        }
    }

    fn stem(self) -> &'static str {
        match self {
            Kind::FanMeanIncome => "fan_mean_income",
            Kind::BelowFloor => "below_floor",
            Kind::TargetGroup => "target_group",
            Kind::FinalDistribution => "final_distribution",
            Kind::WhoGains => "who_gains",
        }
    }

    fn title(self, l: &Labels, r: &Results) -> String {
        match self {
            Kind::FanMeanIncome => l.fan_title(r),
            Kind::BelowFloor => l.below_floor_title(r),
            Kind::TargetGroup => target_group_of(r).map_or_else(String::new, |g| l.target_group_title(r, &g)),
            Kind::FinalDistribution => l.distribution_title(r),
            Kind::WhoGains => Words { l: *l }.who_gains_title(r),
        }
    }
}

/// What every chart of a run reads.
pub(crate) struct Ctx<'a> {
    pub(crate) r: &'a Results,
    pub(crate) l: Labels,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(r: &'a Results, lang: Lang) -> Self {
        Ctx {
            r,
            l: Labels::new(lang),
        }
    }

    /// The words of the decision charts.
    pub(crate) fn words(&self) -> Words {
        Words { l: self.l }
    }
}

fn draw<DB: DrawingBackend>(root: &Area<DB>, ctx: &Ctx, t: Typo, kind: Kind) -> DrawResult<(), DB> {
    root.fill(&WHITE)?;
    match kind {
        Kind::FanMeanIncome => draw_fan(root, ctx, t),
        Kind::BelowFloor => draw_below_floor(root, ctx, t),
        Kind::TargetGroup => draw_target_group(root, ctx, t),
        Kind::FinalDistribution => draw_distribution(root, ctx, t),
        Kind::WhoGains => draw_who_gains(root, ctx, t),
    }
}

// ---------------------------------------------------------------------------

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn stat(mean: f64, spread: f64) -> Stat {
        Stat {
            mean,
            se: spread / 30.0,
            sd: spread,
            min: mean - 2.5 * spread,
            p5: mean - 1.645 * spread,
            p10: mean - 1.28 * spread,
            p25: mean - 0.674 * spread,
            p50: mean,
            p75: mean + 0.674 * spread,
            p90: mean + 1.28 * spread,
            p95: mean + 1.645 * spread,
            max: mean + 2.5 * spread,
        }
    }

    /// Log-spaced buckets (negative ones mirrored) around a centre.
    fn histogram(centre: f64, sd: f64, n: u64) -> Vec<Bucket> {
        let mut edges = vec![-50_000.0, -10_000.0, 0.0];
        let mut e = 10_000.0;
        while e < 5_000_000.0 {
            edges.push(e);
            e *= 1.08;
        }
        edges
            .windows(2)
            .map(|w| {
                let mid = (w[0] + w[1]) / 2.0;
                let z = (mid - centre) / sd;
                let dens = (-0.5 * z * z).exp() * (w[1] - w[0]);
                Bucket {
                    lo: w[0],
                    hi: w[1],
                    count: (dens / sd * n as f64 * 0.4).round() as u64,
                }
            })
            .collect()
    }

    /// A policy with no figures; fields the charts do not read stay empty,
    /// so this helper keeps compiling as `PolicyResults` grows.
    fn empty_policy(name: &str) -> PolicyResults {
        serde_json::from_value(serde_json::json!({
            "name": name,
            "interventions": [],
            "years": [],
            "villages": [],
            "final_income_histogram": [],
        }))
        .expect("PolicyResults with only its required fields")
    }

    fn policy(name: &str, growth: f64, villages: usize, years: &[i32]) -> PolicyResults {
        let years_v: Vec<PortfolioYear> = years
            .iter()
            .enumerate()
            .map(|(k, &year)| {
                let m = 420_000.0 * (1.0 + growth).powi(k as i32);
                let spread = 15_000.0 * (k as f64 + 0.3);
                let below = (2.0 - growth * 10.0 * k as f64).clamp(0.0, 3.0);
                PortfolioYear {
                    year,
                    total_income_yuan: stat(m * villages as f64, spread * 2.0),
                    mean_income_yuan: stat(m, spread),
                    other_income_total_yuan: stat(50_000.0 * villages as f64, 0.0),
                    mean_total_income_yuan: stat(m + 50_000.0, spread),
                    gini: stat(0.3, 0.02),
                    poorest_fifth_share: stat(0.08, 0.01),
                    below_weak: stat(below * 0.5, 0.4),
                    below_floor: stat(below, 0.5),
                    all_above_floor: stat(0.2, 0.1),
                }
            })
            .collect();
        let last = years_v.last().unwrap().mean_income_yuan.mean;
        PolicyResults {
            name: name.to_string(),
            interventions: vec![],
            villages: (0..villages)
                .map(|v| {
                    years
                        .iter()
                        .map(|&year| VillageYear {
                            year,
                            income_yuan: stat(300_000.0 + 100_000.0 * v as f64, 20_000.0),
                            p_below_floor: 0.5,
                        })
                        .collect()
                })
                .collect(),
            years: years_v,
            final_income_histogram: histogram(last, 180_000.0, 3_000),
            ..empty_policy(name)
        }
    }

    /// 2 policies, 3 villages, 5 years (baseline 2021 to 2025).
    pub(crate) fn sample_results() -> Results {
        let years: Vec<i32> = (2021..=2025).collect();
        Results {
            format_version: RESULTS_FORMAT_VERSION,
            scenario_name: "Demo county 示例县".to_string(),
            scenario_name_zh: None,
            description_zh: None,
            baseline_year: 2021,
            start_year: 2022,
            final_year: 2025,
            runs: 1000,
            seed: 7,
            floor_yuan: 500_000.0,
            weak_yuan: 300_000.0,
            target_year: None,
            budget_yuan: None,
            discount_rate: 0.03,
            quantile_relative_error: 0.01,
            villages: (0..3)
                .map(|i| VillageInfo {
                    id: format!("v{i}"),
                    name: format!("村{i}"),
                    township: None,
                    group: None,
                    name_zh: None,
                    township_zh: None,
                    group_zh: None,
                })
                .collect(),
            policies: vec![
                policy("no intervention", 0.01, 3, &years),
                policy("Photovoltaic + cooperative", 0.06, 3, &years),
            ],
            comparisons: Vec::new(),
            reference: None,
            description: None,
            assumptions: Vec::new(),
            factors: Vec::new(),
            precision: None,
        }
    }

    /// Results of `n` policies over `first..=last` (the baseline first).
    pub(crate) fn many_policies(n: usize, first: i32, last: i32) -> Results {
        let years: Vec<i32> = (first..=last).collect();
        let mut r = sample_results();
        (r.baseline_year, r.start_year, r.final_year) = (first, first + 1, last);
        r.policies = (0..n)
            .map(|i| policy(&format!("policy {i}"), 0.01 * i as f64, 3, &years))
            .collect();
        r
    }

    /// With many policies in small multiples, the year labels under the
    /// panels never touch, within a panel or across neighbouring panels,
    /// and stay inside the chart, over short and long horizons; the final
    /// year is labelled in every bottom panel.
    #[test]
    fn small_multiple_year_labels_never_overlap() {
        for (n, first, last) in [(7, 2018, 2022), (10, 2018, 2022), (13, 2000, 2030), (5, 2024, 2026)] {
            let r = many_policies(n, first, last);
            for lang in [Lang::En, Lang::Zh] {
                take_x_labels();
                render_rgb(&r, lang, Kind::BelowFloor);
                let mut labels = take_x_labels();
                assert!(!labels.is_empty(), "{n} policies {first}-{last}: no year label");
                labels.sort_by_key(|l| (l.2, l.0));
                for w in labels.windows(2) {
                    if w[0].2 == w[1].2 {
                        assert!(
                            w[1].0 - w[0].1 >= 6,
                            "{n} policies {first}-{last}: {:?} and {:?} touch",
                            w[0],
                            w[1]
                        );
                    }
                }
                assert!(labels.iter().all(|l| l.0 >= 0 && l.1 <= WIDTH as i32), "{labels:?}");
                // One final-year label per bottom panel: at least one row's worth.
                let finals = labels.iter().filter(|l| l.2 == labels.last().unwrap().2).count();
                assert!(finals >= 1);
            }
        }
        // Thinning: one label a year where there is room, fewer where not.
        let w = |s: &str| s.len() as i32 * 8;
        let all = panel_year_ticks((2018, 2022), &|y| (y - 2018) * 60, (0, 300), &w);
        assert_eq!(
            all.iter().map(|t| t.0).collect::<Vec<_>>(),
            [2018, 2019, 2020, 2021, 2022]
        );
        let thin = panel_year_ticks((2018, 2022), &|y| (y - 2018) * 30, (0, 300), &w);
        assert_eq!(thin.iter().map(|t| t.0).collect::<Vec<_>>(), [2018, 2020, 2022]);
        let long = panel_year_ticks((2000, 2030), &|y| (y - 2000) * 8, (0, 240), &w);
        assert_eq!(long.iter().map(|t| t.0).collect::<Vec<_>>(), [2000, 2010, 2020, 2030]);
        // A label at the panel's edge is moved inside it.
        assert_eq!((all[0].1, all[0].2), (0, 32));
        let edge = panel_year_ticks((2018, 2022), &|y| (y - 2018) * 60, (0, 250), &w);
        assert_eq!((edge[4].1, edge[4].2), (218, 250));
    }

    /// Checks that `dir/f` is a whole PNG of `WIDTH` x `HEIGHT` or a whole SVG
    /// with text.
    pub(crate) fn assert_chart_file(dir: &Path, f: &Path) {
        let bytes = fs::read(dir.join(f)).unwrap();
        match f.extension().and_then(|e| e.to_str()) {
            Some("png") => {
                assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{}", f.display());
                // IHDR: width and height, big-endian, at bytes 16..24.
                assert_eq!(&bytes[16..20], &WIDTH.to_be_bytes());
                assert_eq!(&bytes[20..24], &HEIGHT.to_be_bytes());
                assert!(bytes.len() > 5_000, "{} is {} bytes", f.display(), bytes.len());
            }
            Some("svg") => {
                let s = String::from_utf8(bytes).unwrap();
                assert!(s.starts_with("<svg"), "{}", f.display());
                assert!(s.trim_end().ends_with("</svg>"));
                assert!(s.contains("<text"));
            }
            other => panic!("unexpected file {other:?}"),
        }
    }

    #[test]
    fn writes_six_files() {
        let dir = tempfile::tempdir().unwrap();
        let files = write_run_charts(&sample_results(), dir.path(), Lang::En).unwrap();
        // 4 charts here (the target group: the two villages that start
        // below the floor), and the one decision chart the sample has data
        // for (cdf_final_income), each as SVG and PNG.
        assert_eq!(files.len(), 10);
        for f in &files {
            assert_chart_file(dir.path(), &f.name);
        }
        // No temporary file is left behind.
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 10, "{names:?}");
        let stems: Vec<_> = chart_files(&sample_results(), Lang::Zh)
            .into_iter()
            .map(|c| c.stem)
            .collect();
        assert_eq!(
            stems,
            ["below_floor", "target_group", "fan_mean_income", "final_distribution"]
        );
    }

    /// Asserts that the bundled font has a glyph for every character of `texts`.
    pub(crate) fn assert_glyphs(font: &ab_glyph::FontRef, texts: &[String]) {
        use ab_glyph::Font;
        for text in texts {
            for c in text.chars().filter(|c| !c.is_whitespace()) {
                assert_ne!(font.glyph_id(c).0, 0, "no glyph for {c:?} in {text:?}");
            }
        }
    }

    /// Writes the charts of `r` twice in each language with `write` and
    /// asserts the same files, byte for byte.
    pub(crate) fn assert_deterministic(
        r: &Results,
        write: impl Fn(&Results, &Path, Lang) -> Result<Vec<WrittenChart>, ChartError>,
    ) {
        for lang in [Lang::En, Lang::Zh] {
            let a = tempfile::tempdir().unwrap();
            let b = tempfile::tempdir().unwrap();
            let fa = write(r, a.path(), lang).unwrap();
            let fb = write(r, b.path(), lang).unwrap();
            assert_eq!(fa, fb);
            for f in &fa {
                let x = fs::read(a.path().join(&f.name)).unwrap();
                let y = fs::read(b.path().join(&f.name)).unwrap();
                assert!(x == y, "{} differs between two renderings", f.name.display());
                // The SVG text handed back is the file written.
                let is_svg = f.name.extension().is_some_and(|e| e == "svg");
                assert_eq!(f.svg.is_some(), is_svg, "{}", f.name.display());
                if let Some(text) = &f.svg {
                    assert!(text.as_bytes() == x, "{}: text differs from the file", f.name.display());
                }
            }
        }
    }

    #[test]
    fn output_is_deterministic() {
        assert_deterministic(&sample_results(), write_run_charts);
    }

    #[test]
    fn missing_data_still_renders() {
        let mut r = sample_results();
        r.villages.clear();
        for p in &mut r.policies {
            p.years.clear();
            p.final_income_histogram.clear();
        }
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(write_run_charts(&r, dir.path(), Lang::Zh).unwrap().len(), 8);
    }

    /// Dark (text) pixels in the title band of a rendered chart.
    pub(crate) fn dark_pixels_in_title(buf: &[u8]) -> usize {
        let mut n = 0;
        for y in 8..40u32 {
            for x in 0..WIDTH {
                let i = ((y * WIDTH + x) * 3) as usize;
                if buf[i] < 100 && buf[i + 1] < 100 && buf[i + 2] < 100 {
                    n += 1;
                }
            }
        }
        n
    }

    /// Text renders from the bundled font alone: this runs the check in a
    /// child process whose fontconfig knows no fonts at all.
    #[test]
    fn text_renders_without_system_fonts() {
        if std::env::var_os("VILLAGESIM_FONT_TEST_CHILD").is_some() {
            let r = sample_results();
            for lang in [Lang::En, Lang::Zh] {
                let buf = render_rgb(&r, lang, Kind::FanMeanIncome);
                let dark = dark_pixels_in_title(&buf);
                println!("{lang:?}: {dark} dark pixels in the title band");
                // A 20 px title of ~40 characters inks well over 1,000 pixels.
                assert!(dark > 800, "{lang:?}: only {dark} dark pixels in the title");
                assert!(dark < 20_000, "{lang:?}: {dark} dark pixels in the title");
            }
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("fonts.conf");
        fs::write(&conf, "<?xml version=\"1.0\"?>\n<fontconfig></fontconfig>\n").unwrap();
        // This test's name as the harness knows it (module path less crate),
        // so it still matches after the module moves.
        let name = format!(
            "{}::text_renders_without_system_fonts",
            module_path!().split_once("::").unwrap().1
        );
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", name.as_str(), "--nocapture", "--test-threads=1"])
            .env("FONTCONFIG_FILE", &conf)
            .env("FONTCONFIG_PATH", dir.path())
            .env("VILLAGESIM_FONT_TEST_CHILD", "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "child failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("1 passed"), "child ran no test:\n{stdout}");
    }

    /// A larger run: 6 policies with long names, 137 villages, 2019–2035,
    /// incomes in the millions, a far tail in the histogram.
    fn big_results() -> Results {
        let years: Vec<i32> = (2019..=2035).collect();
        let names = [
            "no intervention",
            "Photovoltaic on collective roofs",
            "Cooperative tea processing plant with e-commerce sales channel",
            "光伏+物业出租",
            "Land shareholding",
            "Tourism",
        ];
        let mut policies: Vec<PolicyResults> = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let mut p = policy(n, 0.015 + 0.012 * i as f64, 137, &years);
                for (k, y) in p.years.iter_mut().enumerate() {
                    let m = 900_000.0 * (1.0 + 0.015 + 0.012 * i as f64).powi(k as i32);
                    y.mean_income_yuan = stat(m, 20_000.0 * (k as f64 + 0.5));
                    let below = (60.0 - 3.0 * (i as f64 + 1.0) * k as f64 * 0.5).max(2.0);
                    y.below_floor = stat(below, 4.0 + k as f64 * 0.3);
                }
                let last = p.years.last().unwrap().mean_income_yuan.mean;
                p.final_income_histogram = histogram(last, 500_000.0, 137_000);
                p.final_income_histogram.push(Bucket {
                    lo: 40_000_000.0,
                    hi: 45_000_000.0,
                    count: 3,
                });
                if i > 0 {
                    // Millions to each party, the public purse paying most.
                    let f = i as f64;
                    p.interventions = vec![format!("m{i}")];
                    p.accounts = Some(who_gains::tests::accounts([
                        4e7 * f,
                        1.2e7 * f,
                        3e6,
                        if i % 2 == 0 { 8e6 } else { 0.0 },
                        -3.5e7 * f,
                        if i == 5 { -6e6 } else { 0.0 },
                    ]));
                }
                p
            })
            .collect();
        policies.truncate(6);
        let mut r = sample_results();
        r.baseline_year = 2019;
        r.start_year = 2020;
        r.final_year = 2035;
        r.runs = 20_000;
        r.floor_yuan = 1_000_000.0;
        r.weak_yuan = 800_000.0;
        r.scenario_name = "某县 2019–2035 乡村振兴情景".to_string();
        r.villages = (0..137)
            .map(|i| VillageInfo {
                id: format!("v{i}"),
                name: format!("v{i}"),
                township: None,
                group: None,
                name_zh: None,
                township_zh: None,
                group_zh: None,
            })
            .collect();
        r.policies = policies;
        r
    }

    #[test]
    fn big_run_renders() {
        let dir = tempfile::tempdir().unwrap();
        // The four charts here, who gains, and the CDF.
        assert_eq!(
            write_run_charts(&big_results(), dir.path(), Lang::Zh).unwrap().len(),
            12
        );
        let stems: Vec<_> = chart_files(&big_results(), Lang::En)
            .into_iter()
            .map(|c| c.stem)
            .collect();
        assert_eq!(
            stems,
            [
                "below_floor",
                "target_group",
                "fan_mean_income",
                "final_distribution",
                "who_gains"
            ]
        );
    }

    /// Writes the sample charts to `target/chart-preview` for a human to look
    /// at: `cargo test preview -- --ignored`.
    #[test]
    #[ignore]
    fn preview() {
        for (lang, sub, r) in [
            (Lang::En, "en", sample_results()),
            (Lang::Zh, "zh", sample_results()),
            (Lang::En, "big-en", big_results()),
            (Lang::Zh, "big-zh", big_results()),
        ] {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("target/chart-preview")
                .join(sub);
            fs::create_dir_all(&dir).unwrap();
            write_run_charts(&r, &dir, lang).unwrap();
        }
    }
}
