//! Charts of a finished run, as SVG and PNG.
//!
//! Every chart is drawn once by a generic function over a plotters
//! [`DrawingArea`], which is called with an [`SVGBackend`] and a
//! [`BitMapBackend`], so both files show the same picture. Text is rendered
//! with a bundled font (a subset of Noto Sans CJK SC, see
//! `assets/fonts/README.md`) through plotters' `ab_glyph` support, so PNGs
//! need no system font and look the same on every machine; SVG text names
//! the `sans-serif` family and is left to the viewer's fonts.
//!
//! All words on the charts come from [`Labels`], in English or Chinese.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::sync::OnceLock;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontStyle;

use crate::format::{decimals_for, grouped, shorten, Lang};
use crate::summary::results::*;

pub mod decision;

/// Width of every chart, pixels.
pub const WIDTH: u32 = 800;
/// Height of every chart, pixels.
pub const HEIGHT: u32 = 500;

/// The font family every text element uses; the bundled font is registered
/// under this name.
const FAMILY: &str = "sans-serif";

/// The bundled font: Noto Sans CJK SC Regular, subset (OFL-1.1).
pub(crate) static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-villagesim-subset.otf");

/// One em of the bundled font per unit of plotters' `ab_glyph` text size.
///
/// `ab_glyph` scales a font so that ascent − descent equals the size; for
/// Noto Sans CJK that is 1160 + 288 font units of 1000 per em.
const EM_PER_SIZE_BITMAP: f64 = 1000.0 / 1448.0;

/// plotters' SVG backend writes `font-size` as size / 1.24.
const EM_PER_SIZE_SVG: f64 = 1.0 / 1.24;

// Text sizes, in pixels per em, identical in SVG and PNG.
pub(crate) const TITLE_PX: f64 = 20.0;
pub(crate) const SUBTITLE_PX: f64 = 13.5;
pub(crate) const AXIS_TITLE_PX: f64 = 15.0;
pub(crate) const TICK_PX: f64 = 14.0;
pub(crate) const LEGEND_PX: f64 = 14.0;
pub(crate) const NOTE_PX: f64 = 13.0;

pub(crate) const MARGIN_X: i32 = 16;

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
// Fonts

static FONT_REGISTRATION: Once = Once::new();
static FONT_OK: OnceLock<bool> = OnceLock::new();

/// Registers the bundled font as plotters' `sans-serif` family (normal and
/// bold). Idempotent; called by [`write_run_charts`].
pub fn register_fonts() {
    FONT_REGISTRATION.call_once(|| {
        let ok = plotters::style::register_font(FAMILY, FontStyle::Normal, FONT_BYTES).is_ok()
            && plotters::style::register_font(FAMILY, FontStyle::Bold, FONT_BYTES).is_ok();
        // Only this closure sets it, and it runs once.
        let _ = FONT_OK.set(ok);
    });
}

pub(crate) fn ensure_fonts() -> Result<(), ChartError> {
    register_fonts();
    if FONT_OK.get().copied().unwrap_or(false) {
        Ok(())
    } else {
        Err(ChartError::Font)
    }
}

/// Converts text sizes in pixels per em into plotters text sizes for one
/// backend, so a label is the same size in the SVG and the PNG.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Typo {
    size_per_px: f64,
}

impl Typo {
    pub(crate) const SVG: Typo = Typo {
        size_per_px: 1.0 / EM_PER_SIZE_SVG,
    };
    pub(crate) const BITMAP: Typo = Typo {
        size_per_px: 1.0 / EM_PER_SIZE_BITMAP,
    };

    pub(crate) fn font(&self, px: f64) -> FontDesc<'static> {
        FontDesc::new(FontFamily::Name(FAMILY), px * self.size_per_px, FontStyle::Normal)
    }

    /// Text style anchored at its top-left (or top-centre/right) corner: the
    /// only vertical anchor on which plotters' SVG and bitmap backends agree.
    pub(crate) fn text(&self, px: f64, color: RGBColor, h: HPos) -> TextStyle<'static> {
        self.font(px).color(&color).pos(Pos::new(h, VPos::Top))
    }
}

/// Width in pixels of `text` set at `px` pixels per em in the bundled font
/// (the PNG width; SVG viewers with another font come close).
pub(crate) fn text_width(text: &str, px: f64) -> i32 {
    Typo::BITMAP
        .font(px)
        .box_size(text)
        .map(|(w, _)| w as i32)
        .unwrap_or_else(|_| (text.chars().count() as f64 * px) as i32)
}

/// Text for the bitmap backend, set with the bundled font.
mod png_text {
    use std::sync::OnceLock;

    use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
    use plotters::backend::DrawingBackend;
    use plotters::style::text_anchor::{HPos, VPos};
    use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind};

    use super::{EM_PER_SIZE_BITMAP, FONT_BYTES};

    pub(super) fn bundled_font() -> &'static FontRef<'static> {
        static FONT: OnceLock<FontRef<'static>> = OnceLock::new();
        FONT.get_or_init(|| {
            // Checked by `ensure_fonts` (plotters parses the same bytes) before
            // any drawing, and by the tests.
            FontRef::try_from_slice(FONT_BYTES).expect("bundled font parses")
        })
    }

    /// A bitmap backend whose text is set glyph by glyph with correct side
    /// bearings, and anchored like the SVG backend anchors its `<text>`.
    ///
    /// plotters' own `ab_glyph` text drawing ignores each glyph's left side
    /// bearing (narrow letters such as "i" and "t" sit too far left, so words
    /// look unevenly spaced) and anchors text differently from its SVG backend.
    /// Everything but text goes to the wrapped backend unchanged.
    pub(crate) struct GlyphText<DB> {
        pub(crate) inner: DB,
    }

    impl<DB: DrawingBackend> DrawingBackend for GlyphText<DB> {
        type ErrorType = DB::ErrorType;

        fn get_size(&self) -> (u32, u32) {
            self.inner.get_size()
        }
        fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
            self.inner.ensure_prepared()
        }
        fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
            self.inner.present()
        }
        fn draw_pixel(
            &mut self,
            point: BackendCoord,
            color: BackendColor,
        ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
            self.inner.draw_pixel(point, color)
        }
        fn draw_line<S: BackendStyle>(
            &mut self,
            from: BackendCoord,
            to: BackendCoord,
            style: &S,
        ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
            self.inner.draw_line(from, to, style)
        }
        fn draw_rect<S: BackendStyle>(
            &mut self,
            upper_left: BackendCoord,
            bottom_right: BackendCoord,
            style: &S,
            fill: bool,
        ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
            self.inner.draw_rect(upper_left, bottom_right, style, fill)
        }
        fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
            &mut self,
            path: I,
            style: &S,
        ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
            self.inner.draw_path(path, style)
        }
        fn draw_circle<S: BackendStyle>(
            &mut self,
            center: BackendCoord,
            radius: u32,
            style: &S,
            fill: bool,
        ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
            self.inner.draw_circle(center, radius, style, fill)
        }
        fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
            &mut self,
            vert: I,
            style: &S,
        ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
            self.inner.fill_polygon(vert, style)
        }
        fn blit_bitmap(
            &mut self,
            pos: BackendCoord,
            size: (u32, u32),
            src: &[u8],
        ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
            self.inner.blit_bitmap(pos, size, src)
        }

        fn draw_text<TStyle: BackendTextStyle>(
            &mut self,
            text: &str,
            style: &TStyle,
            pos: BackendCoord,
        ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
            let color = style.color();
            if color.alpha == 0.0 || text.is_empty() {
                return Ok(());
            }
            let font = bundled_font();
            // Same scale as plotters' ab_glyph text: `size` = ascent − descent.
            let scaled = font.as_scaled(PxScale::from(style.size() as f32));
            let em = style.size() * EM_PER_SIZE_BITMAP;
            let mut glyphs = Vec::with_capacity(text.len());
            let mut caret = 0f32;
            let mut prev = None;
            for c in text.chars() {
                let id = scaled.glyph_id(c);
                if let Some(p) = prev {
                    caret += scaled.kern(p, id);
                }
                glyphs.push((id, caret));
                caret += scaled.h_advance(id);
                prev = Some(id);
            }
            // As the SVG backend: text-anchor start/middle/end, and a baseline
            // 0.76 em below a top anchor, 0.5 ex (≈ 0.25 em) below a centre
            // anchor, 0.5 ex above a bottom anchor.
            let dx = match style.anchor().h_pos {
                HPos::Left => 0.0,
                HPos::Center => -caret / 2.0,
                HPos::Right => -caret,
            };
            let baseline = match style.anchor().v_pos {
                VPos::Top => 0.76 * em,
                VPos::Center => 0.25 * em,
                VPos::Bottom => -0.25 * em,
            }
            .round() as f32;
            let trans = style.transform();
            let (w, h) = self.get_size();
            let mut result = Ok(());
            for (id, x) in glyphs {
                let glyph = id.with_scale_and_position(scaled.scale(), point(x + dx, baseline));
                let Some(outline) = font.outline_glyph(glyph) else {
                    continue;
                };
                let bounds = outline.px_bounds();
                let inner = &mut self.inner;
                outline.draw(|gx, gy, coverage| {
                    if result.is_err() || coverage <= 0.0 {
                        return;
                    }
                    let (tx, ty) = trans.transform(bounds.min.x as i32 + gx as i32, bounds.min.y as i32 + gy as i32);
                    let (px, py) = (pos.0 + tx, pos.1 + ty);
                    if px >= 0 && py >= 0 && (px as u32) < w && (py as u32) < h {
                        result = inner.draw_pixel(
                            (px, py),
                            BackendColor {
                                alpha: color.alpha * f64::from(coverage.min(1.0)),
                                rgb: color.rgb,
                            },
                        );
                    }
                });
                result?;
                result = Ok(());
            }
            Ok(())
        }
    }
}

pub(crate) use png_text::GlyphText;

// ---------------------------------------------------------------------------
// Words

/// Every word on the charts, in one language.
#[derive(Debug, Clone, Copy)]
pub struct Labels {
    pub lang: Lang,
    pub year: &'static str,
    pub no_intervention: &'static str,
    pub median: &'static str,
    pub mean: &'static str,
    pub iqr_band: &'static str,
    pub p90_band: &'static str,
    pub floor: &'static str,
    pub weak: &'static str,
    pub villages_below_floor: &'static str,
    pub share_of_villages: &'static str,
    pub tails_note: &'static str,
    /// Legend suffix when only some policies' bands are drawn.
    pub bands_of_first_and_last: &'static str,
    pub no_data: &'static str,
}

impl Labels {
    pub const EN: Labels = Labels {
        lang: Lang::En,
        year: "Year",
        no_intervention: "no intervention",
        median: "median",
        mean: "mean",
        iqr_band: "P25–P75 of runs",
        p90_band: "P5–P95 of runs",
        floor: "floor",
        weak: "weak",
        villages_below_floor: "Villages below the floor (number)",
        share_of_villages: "Share of villages (%)",
        tails_note: "Outermost bars include the rare values beyond the axis range.",
        bands_of_first_and_last: " (first and last policy)",
        no_data: "no data",
    };

    pub const ZH: Labels = Labels {
        lang: Lang::Zh,
        year: "年份",
        no_intervention: "无干预",
        median: "中位数",
        mean: "均值",
        iqr_band: "P25–P75 区间",
        p90_band: "P5–P95 区间",
        floor: "底线",
        weak: "薄弱线",
        villages_below_floor: "低于底线的村庄数（个）",
        share_of_villages: "村庄占比（%）",
        tails_note: "两端的柱包含超出坐标范围的少量数值。",
        bands_of_first_and_last: "（仅首末两项政策）",
        no_data: "无数据",
    };

    pub fn new(lang: Lang) -> Labels {
        match lang {
            Lang::En => Labels::EN,
            Lang::Zh => Labels::ZH,
        }
    }

    /// Display name of a policy: "no intervention" is translated, other
    /// names (chosen by the scenario's author) are shown as given, shortened
    /// when very long.
    pub fn policy_name(&self, name: &str) -> String {
        let norm = name.trim().to_lowercase().replace(['_', '-'], " ");
        if norm == "no intervention" {
            return self.no_intervention.to_string();
        }
        shorten(name.trim(), 40)
    }

    fn span(&self, r: &Results) -> String {
        format!("{}–{}", r.baseline_year, r.final_year)
    }

    pub fn fan_title(&self, r: &Results) -> String {
        match self.lang {
            Lang::En => format!("Mean village operating income by policy, {}", self.span(r)),
            Lang::Zh => format!("各政策下村均经营性收入，{}年", self.span(r)),
        }
    }

    pub fn below_floor_title(&self, r: &Results) -> String {
        match self.lang {
            Lang::En => format!("Villages below the income floor by policy, {}", self.span(r)),
            Lang::Zh => format!("各政策下低于收入底线的村庄数，{}年", self.span(r)),
        }
    }

    pub fn distribution_title(&self, r: &Results) -> String {
        match self.lang {
            Lang::En => format!("Distribution of village operating income in {} by policy", r.final_year),
            Lang::Zh => format!("{}年各村经营性收入分布（按政策）", r.final_year),
        }
    }

    pub(crate) fn subtitle(&self, r: &Results, pooled: bool) -> String {
        let villages = grouped(r.villages.len() as f64, 0);
        let runs = grouped(r.runs as f64, 0);
        let name = shorten(&r.scenario_name, 60);
        match (self.lang, pooled) {
            (Lang::En, false) => {
                format!("Scenario: {name}; {villages} villages; {runs} Monte Carlo runs")
            }
            (Lang::En, true) => {
                format!("Scenario: {name}; {villages} villages × {runs} Monte Carlo runs, pooled")
            }
            (Lang::Zh, false) => {
                format!("情景：{name}；{villages} 个村；蒙特卡洛模拟 {runs} 次")
            }
            (Lang::Zh, true) => {
                format!("情景：{name}；{villages} 个村 × 蒙特卡洛模拟 {runs} 次，合并统计")
            }
        }
    }

    /// Title of a money axis in the unit `unit`.
    fn money_axis(&self, what: MoneyWhat, unit: &MoneyUnit, r: &Results) -> String {
        let u = unit.name(self.lang);
        match (self.lang, what) {
            (Lang::En, MoneyWhat::MeanIncome) => {
                format!("Mean operating income per village ({u})")
            }
            (Lang::En, MoneyWhat::FinalIncome) => {
                format!("Operating income per village in {} ({u})", r.final_year)
            }
            (Lang::Zh, MoneyWhat::MeanIncome) => format!("村均经营性收入（{u}）"),
            (Lang::Zh, MoneyWhat::FinalIncome) => {
                format!("{}年村经营性收入（{u}）", r.final_year)
            }
            (Lang::En, MoneyWhat::FinalIncomeLog) => {
                format!("Operating income per village in {} ({u}, log scale)", r.final_year)
            }
            (Lang::Zh, MoneyWhat::FinalIncomeLog) => {
                format!("{}年村经营性收入（{u}，对数坐标）", r.final_year)
            }
        }
    }

    /// Note under a log-scale distribution: the share of villages at or
    /// below 0 yuan (not on the axis), from `lo` to `hi` percent by policy.
    pub(crate) fn nonpositive_note(&self, lo: f64, hi: f64) -> String {
        let pct = |v: f64| grouped(v, if v < 0.1 { 2 } else { 1 });
        let same = pct(lo) == pct(hi);
        match (self.lang, same) {
            (Lang::En, true) => format!("Not on the log axis: {}% of villages at or below 0 yuan.", pct(hi)),
            (Lang::En, false) => format!(
                "Not on the log axis: {}–{}% of villages (by policy) at or below 0 yuan.",
                pct(lo),
                pct(hi)
            ),
            (Lang::Zh, true) => format!("对数坐标未显示：收入不高于0元的村庄占{}%。", pct(hi)),
            (Lang::Zh, false) => format!(
                "对数坐标未显示：收入不高于0元的村庄占{}%–{}%（因政策而异）。",
                pct(lo),
                pct(hi)
            ),
        }
    }

    /// [`Labels::threshold`] in two lines: the word, then the amount.
    pub(crate) fn threshold_lines(&self, word: &str, yuan: f64) -> (String, String) {
        let full = self.threshold(word, yuan);
        let amount = full[word.len()..].trim().to_string();
        (word.to_string(), amount)
    }

    /// "floor 500,000 yuan" / "底线 50万元".
    pub(crate) fn threshold(&self, word: &str, yuan: f64) -> String {
        match self.lang {
            Lang::En => format!("{word} {} yuan", grouped(yuan, decimals_for(yuan))),
            Lang::Zh if yuan.abs() >= 10_000.0 => {
                let v = yuan / 10_000.0;
                format!("{word} {}万元", grouped(v, decimals_for(v)))
            }
            Lang::Zh => format!("{word} {}元", grouped(yuan, decimals_for(yuan))),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum MoneyWhat {
    MeanIncome,
    FinalIncome,
    /// Final-year income on a logarithmic axis.
    FinalIncomeLog,
}

/// The unit of a money axis: yuan, or 万元 (10,000 yuan) for large Chinese
/// figures. English always uses yuan with thousands separators.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MoneyUnit {
    divisor: f64,
}

impl MoneyUnit {
    pub(crate) fn for_axis(lang: Lang, max_abs: f64) -> MoneyUnit {
        let divisor = match lang {
            Lang::Zh if max_abs >= 100_000.0 => 10_000.0,
            _ => 1.0,
        };
        MoneyUnit { divisor }
    }

    /// Whether the unit is 万元 (10,000 yuan).
    pub(crate) fn is_wan(&self) -> bool {
        self.divisor > 1.0
    }

    pub(crate) fn name(&self, lang: Lang) -> &'static str {
        match (lang, self.divisor > 1.0) {
            (Lang::En, _) => "yuan",
            (Lang::Zh, true) => "万元",
            (Lang::Zh, false) => "元",
        }
    }

    pub(crate) fn tick(&self, yuan: f64) -> String {
        let v = yuan / self.divisor;
        grouped(v, decimals_for(v))
    }

    /// A tick of a log axis (1, 2 or 5 × 10^k yuan): as many decimals as a
    /// small value needs in this unit.
    fn log_tick(&self, yuan: f64) -> String {
        let v = yuan / self.divisor;
        let decimals = if v >= 1.0 || v <= 0.0 {
            0
        } else {
            (-v.log10() - 1e-9).ceil().max(0.0) as usize
        };
        grouped(v, decimals)
    }
}

// ---------------------------------------------------------------------------
// Colours

/// Okabe–Ito colours, in the order policies get them. Policy 0 (the "no
/// intervention" counterfactual) is dark grey.
pub(crate) const POLICY_COLORS: [RGBColor; 8] = [
    RGBColor(0x55, 0x55, 0x55), // grey: no intervention
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x00, 0x00), // black
];

pub(crate) fn policy_color(i: usize) -> RGBColor {
    POLICY_COLORS[i % POLICY_COLORS.len()]
}

pub(crate) const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub(crate) const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
pub(crate) const GRID: RGBColor = RGBColor(0xE3, 0xE3, 0xE3);
pub(crate) const AXIS: RGBColor = RGBColor(0x88, 0x88, 0x88);
const FLOOR_LINE: RGBColor = RGBColor(0x1A, 0x1A, 0x1A);
const WEAK_LINE: RGBColor = RGBColor(0x80, 0x80, 0x80);

pub(crate) const BAND_OUTER_ALPHA: f64 = 0.13;
pub(crate) const BAND_INNER_ALPHA: f64 = 0.28;

// ---------------------------------------------------------------------------
// Public entry points

/// The charts of a run, in the order [`write_run_charts`] writes them.
pub fn chart_files(results: &Results, lang: Lang) -> Vec<ChartFile> {
    let l = Labels::new(lang);
    Kind::ALL
        .iter()
        .map(|k| ChartFile {
            stem: k.stem(),
            title: k.title(&l, results),
        })
        .collect()
}

/// Writes every chart of a run into `dir` as `<stem>.svg` and `<stem>.png`.
///
/// Each file is rendered to a temporary file in `dir` and then renamed over
/// the final name, so a reader never sees half a chart. Returns the names of
/// the files written, relative to `dir`.
pub fn write_run_charts(results: &Results, dir: &Path, lang: Lang) -> Result<Vec<PathBuf>, ChartError> {
    ensure_fonts()?;
    let ctx = Ctx::new(results, lang);
    let mut written = Vec::new();
    for kind in Kind::ALL {
        let svg = PathBuf::from(format!("{}.svg", kind.stem()));
        let chart = KindChart { ctx: &ctx, kind };
        write_svg(&chart, &dir.join(&svg))?;
        written.push(svg);
        let png = PathBuf::from(format!("{}.png", kind.stem()));
        write_png(&chart, &dir.join(&png))?;
        written.push(png);
    }
    written.extend(crate::charts::decision::write_decision_charts(results, dir, lang)?);
    Ok(written)
}

/// A name in the same directory for the temporary file of `target`, keeping
/// its extension (the PNG encoder picks the format from it).
fn temp_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = target
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.{}.tmp.{ext}", std::process::id()))
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ChartError + '_ {
    move |source| ChartError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn draw_err(path: &Path, e: impl std::fmt::Display) -> ChartError {
    ChartError::Draw {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// A chart that draws itself on any plotters backend, so [`write_svg`] and
/// [`write_png`] show the same picture.
pub(crate) trait DrawChart {
    fn draw_chart<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, t: Typo) -> DrawResult<(), DB>;
}

/// One of this module's charts of a run.
struct KindChart<'a> {
    ctx: &'a Ctx<'a>,
    kind: Kind,
}

impl DrawChart for KindChart<'_> {
    fn draw_chart<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, t: Typo) -> DrawResult<(), DB> {
        draw(root, self.ctx, t, self.kind)
    }
}

pub(crate) fn write_svg(chart: &impl DrawChart, path: &Path) -> Result<(), ChartError> {
    let mut svg = String::new();
    {
        let backend = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT));
        let root = backend.into_drawing_area();
        chart.draw_chart(&root, Typo::SVG).map_err(|e| draw_err(path, e))?;
        root.present().map_err(|e| draw_err(path, e))?;
    }
    let tmp = temp_path(path);
    let result = fs::write(&tmp, svg.as_bytes())
        .map_err(io_err(&tmp))
        .and_then(|()| fs::rename(&tmp, path).map_err(io_err(path)));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

pub(crate) fn write_png(chart: &impl DrawChart, path: &Path) -> Result<(), ChartError> {
    let tmp = temp_path(path);
    let result = (|| {
        {
            let root = GlyphText {
                inner: BitMapBackend::new(&tmp, (WIDTH, HEIGHT)),
            }
            .into_drawing_area();
            chart.draw_chart(&root, Typo::BITMAP).map_err(|e| draw_err(path, e))?;
            root.present().map_err(|e| draw_err(path, e))?;
        }
        fs::rename(&tmp, path).map_err(io_err(path))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Renders one chart into an RGB pixel buffer (`WIDTH * HEIGHT * 3` bytes).
#[cfg(test)]
fn render_rgb(results: &Results, lang: Lang, kind: Kind) -> Vec<u8> {
    let ctx = Ctx::new(results, lang);
    render_chart_rgb(&KindChart { ctx: &ctx, kind })
}

/// Renders any chart into an RGB pixel buffer (`WIDTH * HEIGHT * 3` bytes).
#[cfg(test)]
pub(crate) fn render_chart_rgb(chart: &impl DrawChart) -> Vec<u8> {
    ensure_fonts().unwrap();
    let mut buf = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = GlyphText {
            inner: BitMapBackend::with_buffer(&mut buf, (WIDTH, HEIGHT)),
        }
        .into_drawing_area();
        chart.draw_chart(&root, Typo::BITMAP).unwrap();
        root.present().unwrap();
    }
    buf
}

// ---------------------------------------------------------------------------
// Drawing

pub(crate) type DrawResult<T, DB> = Result<T, DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    FanMeanIncome,
    BelowFloor,
    FinalDistribution,
}

impl Kind {
    const ALL: [Kind; 3] = [Kind::FanMeanIncome, Kind::BelowFloor, Kind::FinalDistribution];

    fn stem(self) -> &'static str {
        match self {
            Kind::FanMeanIncome => "fan_mean_income",
            Kind::BelowFloor => "below_floor",
            Kind::FinalDistribution => "final_distribution",
        }
    }

    fn title(self, l: &Labels, r: &Results) -> String {
        match self {
            Kind::FanMeanIncome => l.fan_title(r),
            Kind::BelowFloor => l.below_floor_title(r),
            Kind::FinalDistribution => l.distribution_title(r),
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
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, ctx: &Ctx, t: Typo, kind: Kind) -> DrawResult<(), DB> {
    root.fill(&WHITE)?;
    match kind {
        Kind::FanMeanIncome => draw_fan(root, ctx, t),
        Kind::BelowFloor => draw_below_floor(root, ctx, t),
        Kind::FinalDistribution => draw_distribution(root, ctx, t),
    }
}

/// How a legend entry's sample looks.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Swatch {
    /// A band with the policy's line through it (fan charts).
    BandLine(RGBColor),
    /// A plain line.
    Line(RGBColor),
    /// A filled box at some opacity.
    Band(RGBColor, f64),
    /// An outlined, lightly filled box (distribution).
    Outline(RGBColor),
}

pub(crate) struct LegendItem {
    pub(crate) swatch: Swatch,
    pub(crate) label: String,
}

pub(crate) const SWATCH_W: i32 = 26;
pub(crate) const SWATCH_H: i32 = 12;
pub(crate) const LEGEND_ROW_H: i32 = 22;

/// Draws the title, subtitle and legend rows at the top of `root`; returns
/// the height they take.
pub(crate) fn draw_header<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    t: Typo,
    title: &str,
    subtitle: &str,
    rows: &[Vec<LegendItem>],
) -> DrawResult<i32, DB> {
    root.draw(&Text::new(
        title.to_string(),
        (MARGIN_X, 12),
        t.text(TITLE_PX, TEXT, HPos::Left),
    ))?;
    root.draw(&Text::new(
        subtitle.to_string(),
        (MARGIN_X, 40),
        t.text(SUBTITLE_PX, MUTED, HPos::Left),
    ))?;
    let mut y = 66;
    let max_x = WIDTH as i32 - MARGIN_X;
    for row in rows {
        let mut x = MARGIN_X;
        for item in row {
            let w = SWATCH_W + 6 + text_width(&item.label, LEGEND_PX);
            if x > MARGIN_X && x + w > max_x {
                x = MARGIN_X;
                y += LEGEND_ROW_H;
            }
            draw_swatch(root, item.swatch, x, y + LEGEND_ROW_H / 2)?;
            root.draw(&Text::new(
                item.label.clone(),
                (x + SWATCH_W + 6, y + LEGEND_ROW_H / 2 - (0.38 * LEGEND_PX) as i32 - 1),
                t.text(LEGEND_PX, TEXT, HPos::Left),
            ))?;
            x += w + 22;
        }
        y += LEGEND_ROW_H;
    }
    Ok(y + 4)
}

pub(crate) fn draw_swatch<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    swatch: Swatch,
    x: i32,
    yc: i32,
) -> DrawResult<(), DB> {
    let top = yc - SWATCH_H / 2;
    let bottom = yc + SWATCH_H / 2;
    match swatch {
        Swatch::BandLine(c) => {
            root.draw(&Rectangle::new(
                [(x, top), (x + SWATCH_W, bottom)],
                c.mix(BAND_INNER_ALPHA).filled(),
            ))?;
            root.draw(&PathElement::new(vec![(x, yc), (x + SWATCH_W, yc)], c.stroke_width(3)))?;
        }
        Swatch::Line(c) => {
            root.draw(&PathElement::new(vec![(x, yc), (x + SWATCH_W, yc)], c.stroke_width(3)))?;
        }
        Swatch::Band(c, alpha) => {
            root.draw(&Rectangle::new(
                [(x, top), (x + SWATCH_W, bottom)],
                c.mix(alpha).filled(),
            ))?;
        }
        Swatch::Outline(c) => {
            root.draw(&Rectangle::new(
                [(x, top), (x + SWATCH_W, bottom)],
                c.mix(0.15).filled(),
            ))?;
            root.draw(&Rectangle::new([(x, top), (x + SWATCH_W, bottom)], c.stroke_width(2)))?;
        }
    }
    Ok(())
}

fn policy_legend(ctx: &Ctx, swatch: fn(RGBColor) -> Swatch) -> Vec<LegendItem> {
    ctx.r
        .policies
        .iter()
        .enumerate()
        .map(|(i, p)| LegendItem {
            swatch: swatch(policy_color(i)),
            label: ctx.l.policy_name(&p.name),
        })
        .collect()
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// Largest magnitude an axis reaches: beyond it a value is drawn at the
/// axis edge. Far above any figure of a run (see [`crate::limits`]), and far
/// enough below `f64::MAX` that spans, padding and tick steps stay finite.
pub(crate) const AXIS_LIMIT: f64 = 1e300;

/// Bounds for an axis from `a` to `b`: finite, within ±[`AXIS_LIMIT`],
/// ordered, and with a span that is not lost to rounding against their
/// magnitude (so tick steps are never zero or infinite). NaN counts as 0.
pub(crate) fn axis_bounds(a: f64, b: f64) -> (f64, f64) {
    let fix = |v: f64| {
        if v.is_nan() {
            0.0
        } else {
            v.clamp(-AXIS_LIMIT, AXIS_LIMIT)
        }
    };
    let (a, b) = (fix(a), fix(b));
    let (lo, hi) = (a.min(b), a.max(b));
    let magnitude = lo.abs().max(hi.abs());
    if hi - lo > magnitude * 1e-9 && hi - lo > 1e-12 {
        return (lo, hi);
    }
    let centre = lo / 2.0 + hi / 2.0;
    let half = (magnitude * 0.05).max(0.5);
    ((centre - half).max(-AXIS_LIMIT), (centre + half).min(AXIS_LIMIT))
}

/// A linear axis of `f64` that cannot hang or overflow, whatever it is
/// given: plotters' own loops for ever on an infinite span and overflows
/// mapping a value far outside its range. Its bounds come from
/// [`axis_bounds`]; a value outside them maps at most two spans beyond the
/// edge (NaN to the start), so pixel coordinates stay near the chart. Inside
/// its range it maps and ticks exactly like plotters' [`RangedCoordf64`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Axis {
    lo: f64,
    hi: f64,
}

/// The [`Axis`] from `a` to `b`.
pub(crate) fn chart_axis(a: f64, b: f64) -> Axis {
    let (lo, hi) = axis_bounds(a, b);
    Axis { lo, hi }
}

impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let f = if v.is_nan() {
            0.0
        } else {
            ((v - self.lo) / (self.hi - self.lo)).clamp(-2.0, 3.0)
        };
        let len = limit.1 as f64 - limit.0 as f64;
        let d = if len >= 0.0 {
            (len * f + 1e-3).floor()
        } else {
            (len * f - 1e-3).ceil()
        };
        (limit.0 as f64 + d).clamp(i32::MIN as f64 / 2.0, i32::MAX as f64 / 2.0) as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // Bounded: the span is finite and well above the rounding of the bounds.
        let points = hint.max_num_points().min(1_000);
        RangedCoordf64::from(self.lo..self.hi).key_points(points)
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

/// Padded axis range covering `values`; never empty.
pub(crate) fn value_range(values: impl Iterator<Item = f64>, include_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if include_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    let span = hi - lo;
    let pad = if span > 0.0 {
        span * 0.06
    } else {
        hi.abs().max(1.0) * 0.1
    };
    let lo = if include_zero && lo >= 0.0 { lo } else { lo - pad };
    (lo, hi + pad)
}

/// Width of the y label area: widest tick label plus room for the rotated
/// axis title.
pub(crate) fn y_label_area(labels: impl Iterator<Item = String>) -> i32 {
    let widest = labels.map(|s| text_width(&s, TICK_PX)).max().unwrap_or(20);
    widest + 14 + (AXIS_TITLE_PX * 1.6) as i32
}

/// Draws `text` with a translucent white box behind it. `(x, y)` is the
/// top-left (HPos::Left) or top-right (HPos::Right) corner of the text.
pub(crate) fn boxed_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    t: Typo,
    text: &str,
    (x, y): (i32, i32),
    h: HPos,
    color: RGBColor,
) -> DrawResult<(), DB> {
    let w = text_width(text, NOTE_PX);
    let x0 = match h {
        HPos::Right => x - w,
        HPos::Center => x - w / 2,
        HPos::Left => x,
    };
    area.draw(&Rectangle::new(
        [(x0 - 3, y - 2), (x0 + w + 3, y + NOTE_PX as i32 + 3)],
        WHITE.mix(0.85).filled(),
    ))?;
    area.draw(&Text::new(
        text.to_string(),
        (x0, y),
        t.text(NOTE_PX, color, HPos::Left),
    ))?;
    Ok(())
}

fn no_data<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, ctx: &Ctx, t: Typo, top: i32) -> DrawResult<(), DB> {
    root.draw(&Text::new(
        ctx.l.no_data.to_string(),
        (WIDTH as i32 / 2, (top + HEIGHT as i32) / 2),
        t.text(AXIS_TITLE_PX, MUTED, HPos::Center),
    ))
}

/// A dashed straight line in pixel coordinates (identical in every backend).
pub(crate) fn dashed<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    from: (i32, i32),
    to: (i32, i32),
    color: RGBColor,
    (on, off): (i32, i32),
) -> DrawResult<(), DB> {
    let (dx, dy) = ((to.0 - from.0) as f64, (to.1 - from.1) as f64);
    let len = (dx * dx + dy * dy).sqrt();
    // (NaN is not a length either.)
    if len.is_nan() || len < 1.0 || on <= 0 || off < 0 {
        return Ok(());
    }
    // No chart needs a line longer than a few times its size: the rest
    // would be off the picture.
    let len = len.min(4.0 * (WIDTH + HEIGHT) as f64);
    let mut s = 0.0;
    while s < len {
        let e = (s + on as f64).min(len);
        let p = |d: f64| {
            (
                from.0 + (dx * d / len).round() as i32,
                from.1 + (dy * d / len).round() as i32,
            )
        };
        root.draw(&PathElement::new(vec![p(s), p(e)], color.stroke_width(2)))?;
        s += (on + off) as f64;
    }
    Ok(())
}

/// Band between two curves as one polygon.
pub(crate) fn band(xs: &[f64], lo: &[f64], hi: &[f64]) -> Vec<(f64, f64)> {
    let mut pts: Vec<(f64, f64)> = xs.iter().copied().zip(hi.iter().copied()).collect();
    pts.extend(xs.iter().copied().zip(lo.iter().copied()).rev());
    pts
}

/// Integer year ticks: at most `max` of them, every 1, 2, 5, 10… years.
fn year_tick_count(first: i32, last: i32) -> usize {
    let n = (i64::from(last) - i64::from(first)).max(0) as usize + 1;
    n.clamp(2, 12)
}

// --- fan chart --------------------------------------------------------------

fn draw_fan<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, ctx: &Ctx, t: Typo) -> DrawResult<(), DB> {
    let r = ctx.r;
    let l = &ctx.l;
    // Past three policies, overlapping bands hide each other: draw them for
    // the counterfactual and the last policy only (lines for all), and say so.
    let some_bands = r.policies.len() > 3;
    let suffix = if some_bands { l.bands_of_first_and_last } else { "" };
    let rows = vec![
        policy_legend(ctx, Swatch::BandLine),
        vec![
            LegendItem {
                swatch: Swatch::Line(MUTED),
                label: l.median.to_string(),
            },
            LegendItem {
                swatch: Swatch::Band(MUTED, BAND_INNER_ALPHA + BAND_OUTER_ALPHA),
                label: format!("{}{suffix}", l.iqr_band),
            },
            LegendItem {
                swatch: Swatch::Band(MUTED, BAND_OUTER_ALPHA),
                label: format!("{}{suffix}", l.p90_band),
            },
        ],
    ];
    let top = draw_header(root, t, &l.fan_title(r), &l.subtitle(r, false), &rows)?;

    let series: Vec<(usize, Vec<f64>, [Vec<f64>; 5])> = r
        .policies
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut xs = Vec::new();
            let mut q: [Vec<f64>; 5] = Default::default();
            for y in &p.years {
                let s = &y.mean_income_yuan;
                let vals = [s.p5, s.p25, s.p50, s.p75, s.p95];
                if vals.iter().all(|v| v.is_finite()) {
                    xs.push(y.year as f64);
                    for (k, v) in vals.iter().enumerate() {
                        q[k].push(*v);
                    }
                }
            }
            (i, xs, q)
        })
        .collect();
    if series.iter().all(|(_, xs, _)| xs.is_empty()) {
        return no_data(root, ctx, t, top);
    }

    let (ylo, yhi) = value_range(
        series
            .iter()
            .flat_map(|(_, _, q)| q[0].iter().chain(q[4].iter()).copied())
            .chain([r.floor_yuan, r.weak_yuan].into_iter().filter_map(finite)),
        true,
    );
    let unit = MoneyUnit::for_axis(l.lang, ylo.abs().max(yhi.abs()));
    let (x0, x1) = (
        r.baseline_year as f64,
        r.final_year.max(r.baseline_year.saturating_add(1)) as f64,
    );

    let body = root.margin(top, 0, 0, 0);
    let ytick = |v: &f64| unit.tick(*v);
    let mut chart = ChartBuilder::on(&body)
        .margin_right((threshold_label_width(ctx) + 24).max(24))
        .margin_top(6)
        .margin_bottom(8)
        .margin_left(MARGIN_X - 8)
        .x_label_area_size(52)
        .y_label_area_size(y_label_area([ylo, yhi, (ylo + yhi) / 2.0].iter().map(&ytick)))
        .build_cartesian_2d(chart_axis(x0, x1), chart_axis(ylo, yhi))?;
    chart
        .configure_mesh()
        .x_labels(year_tick_count(r.baseline_year, r.final_year))
        .y_labels(8)
        .x_label_formatter(&|v| format!("{:.0}", v))
        .y_label_formatter(&ytick)
        .x_desc(l.year)
        .y_desc(l.money_axis(MoneyWhat::MeanIncome, &unit, r))
        .label_style(t.font(TICK_PX).color(&TEXT))
        .axis_desc_style(t.font(AXIS_TITLE_PX).color(&TEXT))
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(AXIS.stroke_width(1))
        .draw()?;

    let last = series.len().saturating_sub(1);
    for (i, xs, q) in series.iter().filter(|(i, _, _)| !some_bands || *i == 0 || *i == last) {
        let c = policy_color(*i);
        let fade = 1.0;
        chart.draw_series(std::iter::once(Polygon::new(
            band(xs, &q[0], &q[4]),
            c.mix(BAND_OUTER_ALPHA * fade).filled(),
        )))?;
        chart.draw_series(std::iter::once(Polygon::new(
            band(xs, &q[1], &q[3]),
            c.mix(BAND_INNER_ALPHA * fade).filled(),
        )))?;
    }
    for (i, xs, q) in &series {
        let c = policy_color(*i);
        chart.draw_series(LineSeries::new(
            xs.iter().copied().zip(q[2].iter().copied()),
            c.stroke_width(3),
        ))?;
    }

    threshold_hlines(root, &chart, ctx, t)?;
    Ok(())
}

/// A threshold line: value (yuan), word, line colour, text colour, dash
/// (on, off pixels).
type Threshold = (f64, &'static str, RGBColor, RGBColor, (i32, i32));

/// Threshold lines of a run: the floor, and the weak line when different.
fn thresholds(ctx: &Ctx) -> Vec<Threshold> {
    let r = ctx.r;
    let mut out = Vec::new();
    if r.floor_yuan.is_finite() {
        out.push((r.floor_yuan, ctx.l.floor, FLOOR_LINE, TEXT, (9, 5)));
    }
    if r.weak_yuan.is_finite() && r.weak_yuan != r.floor_yuan {
        out.push((r.weak_yuan, ctx.l.weak, WEAK_LINE, MUTED, (4, 4)));
    }
    out
}

/// Room right of the plot for the labels of [`threshold_hlines`].
fn threshold_label_width(ctx: &Ctx) -> i32 {
    thresholds(ctx)
        .iter()
        .flat_map(|(v, word, ..)| {
            let (a, b) = ctx.l.threshold_lines(word, *v);
            [text_width(&a, NOTE_PX), text_width(&b, NOTE_PX)]
        })
        .max()
        .unwrap_or(0)
}

const NOTE_LINE_H: i32 = NOTE_PX as i32 + 4;

/// Floor and weak-threshold lines across a chart whose y axis is yuan,
/// labelled in the margin right of the plot (never over the data).
fn threshold_hlines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &ChartContext<DB, Cartesian2d<Axis, Axis>>,
    ctx: &Ctx,
    t: Typo,
) -> DrawResult<(), DB> {
    let (xr, yr) = (chart.x_range(), chart.y_range());
    let (ox, oy) = root.get_base_pixel();
    let (x0, top) = chart.backend_coord(&(xr.start, yr.end));
    let (x1, bottom) = chart.backend_coord(&(xr.end, yr.start));
    let (x0, x1, top, bottom) = (x0 - ox, x1 - ox, top - oy, bottom - oy);
    let block_h = 2 * NOTE_LINE_H;
    // Label blocks centred on their lines, then pushed apart where they
    // would overlap, and kept beside the plot.
    let mut items: Vec<_> = thresholds(ctx)
        .into_iter()
        .map(|(v, word, line, text, dash)| {
            let y = chart.backend_coord(&(xr.start, v)).1 - oy;
            (y, y - block_h / 2, v, word, line, text, dash)
        })
        .filter(|it| it.0 >= top && it.0 <= bottom)
        .collect();
    items.sort_by_key(|it| it.0);
    for i in 1..items.len() {
        let overlap = items[i - 1].1 + block_h + 2 - items[i].1;
        if overlap > 0 {
            items[i - 1].1 -= overlap / 2;
            items[i].1 += overlap - overlap / 2;
        }
    }
    let lowest = bottom + 6 - block_h;
    if let Some(last) = items.last() {
        let shift = (last.1 - lowest).max(0);
        items.iter_mut().for_each(|it| it.1 -= shift);
    }
    if let Some(first) = items.first() {
        let shift = (top - 8 - first.1).max(0);
        items.iter_mut().for_each(|it| it.1 += shift);
    }
    for (y, label_top, v, word, line, text, dash) in items {
        dashed(root, (x0, y), (x1 + 3, y), line, dash)?;
        let (a, b) = ctx.l.threshold_lines(word, v);
        for (k, s) in [a, b].iter().enumerate() {
            root.draw(&Text::new(
                s.clone(),
                (x1 + 8, label_top + 1 + k as i32 * NOTE_LINE_H),
                t.text(NOTE_PX, text, HPos::Left),
            ))?;
        }
    }
    Ok(())
}

// --- villages below the floor --------------------------------------------------

fn draw_below_floor<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, ctx: &Ctx, t: Typo) -> DrawResult<(), DB> {
    let r = ctx.r;
    let l = &ctx.l;
    let rows = vec![
        policy_legend(ctx, Swatch::BandLine),
        vec![
            LegendItem {
                swatch: Swatch::Line(MUTED),
                label: l.mean.to_string(),
            },
            LegendItem {
                swatch: Swatch::Band(MUTED, BAND_INNER_ALPHA),
                label: l.p90_band.to_string(),
            },
        ],
    ];
    let top = draw_header(root, t, &l.below_floor_title(r), &l.subtitle(r, false), &rows)?;
    let n = r.villages.len().max(1) as f64;
    let (x0, x1) = (
        r.baseline_year as f64,
        r.final_year.max(r.baseline_year.saturating_add(1)) as f64,
    );
    let body = root.margin(top, 0, 0, 0);
    let yfmt = |v: &f64| {
        if (v - v.round()).abs() < 1e-9 {
            grouped(*v, 0)
        } else {
            String::new()
        }
    };
    // Up to the highest P95 with some headroom (never above the number of
    // villages), so a few villages below the floor are not squashed flat.
    let highest = r
        .policies
        .iter()
        .flat_map(|p| p.years.iter().map(|y| y.below_floor.p95.max(y.below_floor.mean)))
        .fold(0.0_f64, f64::max);
    let yhi = (highest * 1.15).ceil().clamp(1.0, n);
    let mut chart = ChartBuilder::on(&body)
        .margin_right(24)
        .margin_top(6)
        .margin_bottom(8)
        .margin_left(MARGIN_X - 8)
        .x_label_area_size(52)
        .y_label_area_size(y_label_area([0.0, yhi].iter().map(yfmt)))
        .build_cartesian_2d(chart_axis(x0, x1), chart_axis(0.0, yhi))?;
    chart
        .configure_mesh()
        .x_labels(year_tick_count(r.baseline_year, r.final_year))
        // At most one tick per village, so every tick is a whole number.
        .y_labels((yhi as usize + 1).min(11))
        .x_label_formatter(&|v| format!("{:.0}", v))
        .y_label_formatter(&yfmt)
        .x_desc(l.year)
        .y_desc(l.villages_below_floor)
        .label_style(t.font(TICK_PX).color(&TEXT))
        .axis_desc_style(t.font(AXIS_TITLE_PX).color(&TEXT))
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(AXIS.stroke_width(1))
        .draw()?;

    let mut lines = Vec::new();
    for (i, p) in r.policies.iter().enumerate() {
        let c = policy_color(i);
        let pts: Vec<(f64, [f64; 3])> = p
            .years
            .iter()
            .map(|y| {
                let s = &y.below_floor;
                (y.year as f64, [s.p5, s.mean, s.p95])
            })
            .filter(|(_, v)| v.iter().all(|x| x.is_finite()))
            .collect();
        let xs: Vec<f64> = pts.iter().map(|p| p.0).collect();
        let lo: Vec<f64> = pts.iter().map(|p| p.1[0]).collect();
        let hi: Vec<f64> = pts.iter().map(|p| p.1[2]).collect();
        chart.draw_series(std::iter::once(Polygon::new(
            band(&xs, &lo, &hi),
            c.mix(BAND_INNER_ALPHA * 0.8).filled(),
        )))?;
        lines.push((c, pts.iter().map(|p| (p.0, p.1[1])).collect::<Vec<_>>()));
    }
    for (c, pts) in lines {
        chart.draw_series(LineSeries::new(pts, c.stroke_width(3)))?;
    }
    Ok(())
}

// --- final-year distribution ---------------------------------------------------

/// Value below which a share `q` of the histogram's mass lies, assuming
/// values spread evenly within each bucket.
fn hist_quantile(buckets: &[Bucket], q: f64) -> Option<f64> {
    let total: u64 = buckets.iter().map(|b| b.count).sum();
    if total == 0 {
        return None;
    }
    let target = q * total as f64;
    let mut cum = 0.0;
    for b in buckets.iter().filter(|b| b.count > 0) {
        let (lo, hi) = bucket_bounds(b)?;
        let next = cum + b.count as f64;
        if next >= target {
            let f = if b.count > 0 {
                ((target - cum) / b.count as f64).clamp(0.0, 1.0)
            } else {
                0.0
            };
            return Some(lo + f * (hi - lo));
        }
        cum = next;
    }
    buckets
        .iter()
        .rev()
        .find(|b| b.count > 0)
        .and_then(bucket_bounds)
        .map(|(_, hi)| hi)
}

/// Finite bounds of a bucket; an unbounded side collapses to the other.
fn bucket_bounds(b: &Bucket) -> Option<(f64, f64)> {
    match (b.lo.is_finite(), b.hi.is_finite()) {
        (true, true) => Some((b.lo.min(b.hi), b.lo.max(b.hi))),
        (true, false) => Some((b.lo, b.lo)),
        (false, true) => Some((b.hi, b.hi)),
        (false, false) => None,
    }
}

/// Spreads each bucket's count evenly over its width into `nbins` equal bins
/// from `lo` with width `w`; mass outside goes to the outermost bins. Returns
/// the counts and whether any mass was moved in from outside.
fn rebin(buckets: &[Bucket], lo: f64, w: f64, nbins: usize) -> (Vec<f64>, bool) {
    let mut out = vec![0.0; nbins];
    let hi = lo + w * nbins as f64;
    let mut clamped = false;
    let bin_of = |v: f64| (((v - lo) / w).floor().max(0.0) as usize).min(nbins - 1);
    for b in buckets.iter().filter(|b| b.count > 0) {
        let Some((blo, bhi)) = bucket_bounds(b) else {
            continue;
        };
        let c = b.count as f64;
        if blo < lo || bhi > hi {
            clamped = true;
        }
        if bhi <= blo {
            out[bin_of(blo)] += c;
            continue;
        }
        let width = bhi - blo;
        if blo < lo {
            out[0] += c * ((lo.min(bhi) - blo) / width);
        }
        if bhi > hi {
            out[nbins - 1] += c * ((bhi - hi.max(blo)) / width);
        }
        let (a, z) = (blo.max(lo), bhi.min(hi));
        if z > a {
            let (ia, iz) = (bin_of(a), bin_of(z));
            for (k, slot) in out.iter_mut().enumerate().take(iz + 1).skip(ia) {
                let (s, e) = (lo + w * k as f64, lo + w * (k + 1) as f64);
                let overlap = (z.min(e) - a.max(s)).max(0.0);
                *slot += c * overlap / width;
            }
        }
    }
    (out, clamped)
}

/// A "nice" bin width of about `span / target`.
fn nice_width(span: f64, target: f64) -> f64 {
    let raw = (span / target).max(f64::MIN_POSITIVE);
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|w| *w >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * mag)
}

/// Spreads each bucket's count evenly over its width into the bins between
/// consecutive `edges` (positive, increasing). Returns the counts, the mass at
/// or below 0 (kept apart), and whether positive mass outside the edges was
/// moved into the outermost bins.
fn rebin_log(buckets: &[Bucket], edges: &[f64]) -> (Vec<f64>, f64, bool) {
    let nbins = edges.len() - 1;
    let mut out = vec![0.0; nbins];
    let mut nonpos = 0.0;
    let mut clamped = false;
    let (lo, hi) = (edges[0], edges[nbins]);
    let bin_of = |v: f64| edges[1..].partition_point(|e| *e <= v).min(nbins - 1);
    for b in buckets.iter().filter(|b| b.count > 0) {
        let Some((blo, bhi)) = bucket_bounds(b) else {
            continue;
        };
        let c = b.count as f64;
        if bhi <= blo {
            if blo <= 0.0 {
                nonpos += c;
            } else {
                clamped |= blo < lo || blo > hi;
                out[bin_of(blo)] += c;
            }
            continue;
        }
        let width = bhi - blo;
        if blo < 0.0 {
            nonpos += c * (bhi.min(0.0) - blo) / width;
        }
        let blo = blo.max(0.0);
        if bhi <= blo {
            continue;
        }
        if blo < lo {
            clamped = true;
            out[0] += c * (lo.min(bhi) - blo) / width;
        }
        if bhi > hi {
            clamped = true;
            out[nbins - 1] += c * (bhi - hi.max(blo)) / width;
        }
        let (a, z) = (blo.max(lo), bhi.min(hi));
        if z > a {
            for (k, slot) in out.iter_mut().enumerate().take(bin_of(z) + 1).skip(bin_of(a)) {
                let overlap = (z.min(edges[k + 1]) - a.max(edges[k])).max(0.0);
                *slot += c * overlap / width;
            }
        }
    }
    (out, nonpos, clamped)
}

/// Share (0–1) of a histogram's mass at or below 0, values spread evenly
/// within each bucket.
fn nonpositive_share(buckets: &[Bucket]) -> f64 {
    let total: u64 = buckets.iter().map(|b| b.count).sum();
    if total == 0 {
        return 0.0;
    }
    let edges = [1.0, 2.0];
    rebin_log(buckets, &edges).1 / total as f64
}

/// Ratio of the 99.5th percentile to the 0.5th (or to a small positive
/// value) above which the distribution is drawn on a log axis.
const LOG_AXIS_RATIO: f64 = 20.0;
/// The log axis starts no lower than this fraction of its top.
const LOG_AXIS_MIN_FRACTION: f64 = 1e-3;
/// Largest share of villages at or below 0 that a log axis may leave off.
const LOG_AXIS_MAX_NONPOSITIVE: f64 = 0.10;

/// Whether incomes from `lo` to `hi` (P0.5 and P99.5) with a share
/// `nonpositive` at or below 0 are better shown on a log axis.
fn wants_log_axis(lo: f64, hi: f64, nonpositive: f64) -> bool {
    hi > 0.0 && nonpositive <= LOG_AXIS_MAX_NONPOSITIVE && hi / lo.max(hi * LOG_AXIS_MIN_FRACTION) > LOG_AXIS_RATIO
}

/// Ticks of a log axis from `10^a` to `10^b` yuan at 1-2-5 × 10^k, thinned
/// (to 1 × 10^k, then every other decade…) until labels `gap` pixels apart
/// never touch. `px` maps log10(yuan) to a pixel.
fn log_ticks(a: f64, b: f64, label: impl Fn(f64) -> String, px: impl Fn(f64) -> i32) -> Vec<(f64, String)> {
    let gap = 12;
    let candidates: [(&[f64], i32); 5] = [
        (&[1.0, 2.0, 5.0], 1),
        (&[1.0, 3.0], 1),
        (&[1.0], 1),
        (&[1.0], 2),
        (&[1.0], 3),
    ];
    // Decades of finite yuan only (10^-324 to 10^309), so the loop is short.
    if !(a.is_finite() && b.is_finite()) {
        return Vec::new();
    }
    let (a, b) = (a.clamp(-330.0, 310.0), b.clamp(-330.0, 310.0));
    let mut last = Vec::new();
    for (mults, step) in candidates {
        let mut ticks = Vec::new();
        let mut k = a.floor() as i32;
        while k as f64 <= b.ceil() {
            if k.rem_euclid(step) == 0 {
                for m in mults {
                    let v = m * 10f64.powi(k);
                    let lv = v.log10();
                    if lv >= a - 1e-9 && lv <= b + 1e-9 {
                        ticks.push((v, label(v)));
                    }
                }
            }
            k += 1;
        }
        let fits = ticks.windows(2).all(|w| {
            let (x0, x1) = (px(w[0].0.log10()), px(w[1].0.log10()));
            let half = (text_width(&w[0].1, TICK_PX) + text_width(&w[1].1, TICK_PX)) / 2;
            x1 - x0 >= half + gap
        });
        if fits && ticks.len() >= 2 {
            return ticks;
        }
        last = ticks;
    }
    last
}

fn draw_distribution<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, ctx: &Ctx, t: Typo) -> DrawResult<(), DB> {
    let r = ctx.r;
    let l = &ctx.l;
    let rows = vec![policy_legend(ctx, Swatch::Outline)];
    let top = draw_header(root, t, &l.distribution_title(r), &l.subtitle(r, true), &rows)?;

    // Common range: the 0.5th to 99.5th percentile of every policy, widened
    // to show the floor and the weak threshold.
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    let mut nonpositive: f64 = 0.0;
    for p in &r.policies {
        if let (Some(a), Some(b)) = (
            hist_quantile(&p.final_income_histogram, 0.005),
            hist_quantile(&p.final_income_histogram, 0.995),
        ) {
            lo = lo.min(a);
            hi = hi.max(b);
            nonpositive = nonpositive.max(nonpositive_share(&p.final_income_histogram));
        }
    }
    if !lo.is_finite() {
        return no_data(root, ctx, t, top);
    }
    // A wide, right-skewed spread (a few rich villages, most near the
    // floor) goes on a log axis, in chart units of log10(yuan).
    let log_axis = wants_log_axis(lo, hi, nonpositive);
    for v in [r.floor_yuan, r.weak_yuan].into_iter().filter_map(finite) {
        if !log_axis || v > 0.0 {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    // Bin edges in yuan, and the chart's x range (yuan or log10 yuan).
    let edges: Vec<f64>;
    let (x_lo, x_hi);
    if log_axis {
        let la = lo.max(hi * LOG_AXIS_MIN_FRACTION).log10();
        let lb = hi.log10();
        let span = lb - la;
        let (la, lb) = (la - span * 0.02, lb + span * 0.02);
        // Bins per decade, so there are about 40 bins, aligned on decades.
        let per_decade = (40.0 / (lb - la)).round().clamp(2.0, 40.0);
        let d = 1.0 / per_decade;
        let a = (la / d).floor() * d;
        let nbins = (((lb - a) / d).ceil() as usize).max(1);
        edges = (0..=nbins).map(|k| 10f64.powf(a + d * k as f64)).collect();
        (x_lo, x_hi) = (a, a + d * nbins as f64);
    } else {
        if hi - lo <= 0.0 {
            let pad = hi.abs().max(1.0) * 0.1;
            lo -= pad;
            hi += pad;
        }
        let span = hi - lo;
        lo -= span * 0.02;
        hi += span * 0.02;
        let w = nice_width(hi - lo, 40.0);
        let lo = (lo / w).floor() * w;
        let nbins = (((hi - lo) / w).ceil() as usize).max(1);
        edges = (0..=nbins).map(|k| lo + w * k as f64).collect();
        (x_lo, x_hi) = (lo, lo + w * nbins as f64);
    }
    let xpos = |yuan: f64| if log_axis { yuan.log10() } else { yuan };
    let nbins = edges.len() - 1;

    let mut clamped_any = false;
    // Share (%) of villages at or below 0 by policy, when not on the axis.
    let mut off_axis: Vec<f64> = Vec::new();
    let shares: Vec<Vec<f64>> = r
        .policies
        .iter()
        .map(|p| {
            let (counts, nonpos) = if log_axis {
                let (counts, nonpos, clamped) = rebin_log(&p.final_income_histogram, &edges);
                clamped_any |= clamped;
                (counts, nonpos)
            } else {
                let (counts, clamped) = rebin(&p.final_income_histogram, x_lo, edges[1] - edges[0], nbins);
                clamped_any |= clamped;
                (counts, 0.0)
            };
            let total: f64 = counts.iter().sum::<f64>() + nonpos;
            if log_axis && total > 0.0 {
                off_axis.push(100.0 * nonpos / total);
            }
            counts
                .iter()
                .map(|c| if total > 0.0 { 100.0 * c / total } else { 0.0 })
                .collect()
        })
        .collect();
    let (off_lo, off_hi) = off_axis
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(a, b), v| (a.min(*v), b.max(*v)));
    // Shown when it would print as more than 0.0%.
    let off_note = (off_hi >= 0.005).then(|| l.nonpositive_note(off_lo, off_hi));
    let ymax = shares.iter().flatten().copied().fold(0.0f64, f64::max).max(1.0);
    let yhi = ymax * 1.08;

    let unit = MoneyUnit::for_axis(l.lang, x_lo.abs().max(edges[nbins].abs()));
    let xtick = |v: &f64| unit.tick(*v);
    let ytick = |v: &f64| grouped(*v, decimals_for(*v));
    let body = root.margin(top, 0, 0, 0);
    let notes: Vec<&str> = [clamped_any.then_some(l.tails_note), off_note.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    let bottom_note = NOTE_LINE_H * notes.len() as i32 + if notes.is_empty() { 0 } else { 4 };
    let mut chart = ChartBuilder::on(&body)
        .margin_right(36)
        .margin_top(6 + NOTE_LINE_H + 6)
        .margin_bottom(8 + bottom_note)
        .margin_left(MARGIN_X - 8)
        .x_label_area_size(52)
        .y_label_area_size(y_label_area([0.0, yhi].iter().map(ytick)))
        .build_cartesian_2d(chart_axis(x_lo, x_hi), chart_axis(0.0, yhi))?;
    let what = if log_axis {
        MoneyWhat::FinalIncomeLog
    } else {
        MoneyWhat::FinalIncome
    };
    chart
        .configure_mesh()
        // Log-axis ticks are drawn below, at 1-2-5 × 10^k yuan.
        .x_labels(if log_axis { 0 } else { 7 })
        .y_labels(7)
        .x_label_formatter(&xtick)
        .y_label_formatter(&ytick)
        .x_desc(l.money_axis(what, &unit, r))
        .y_desc(l.share_of_villages)
        .label_style(t.font(TICK_PX).color(&TEXT))
        .axis_desc_style(t.font(AXIS_TITLE_PX).color(&TEXT))
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(AXIS.stroke_width(1))
        .disable_x_mesh()
        .draw()?;

    let (ox, oy) = root.get_base_pixel();
    if log_axis {
        let px = |x: f64| chart.backend_coord(&(x, 0.0)).0 - ox;
        let (_, axis_y) = chart.backend_coord(&(x_lo, 0.0));
        let axis_y = axis_y - oy;
        for (v, label) in log_ticks(x_lo, x_hi, |v| unit.log_tick(v), px) {
            let x = px(v.log10());
            root.draw(&PathElement::new(
                vec![(x, axis_y), (x, axis_y + 5)],
                AXIS.stroke_width(1),
            ))?;
            root.draw(&Text::new(label, (x, axis_y + 8), t.text(TICK_PX, TEXT, HPos::Center)))?;
        }
    }

    for (i, s) in shares.iter().enumerate() {
        let c = policy_color(i);
        let mut outline = vec![(x_lo, 0.0)];
        for (k, v) in s.iter().enumerate() {
            outline.push((xpos(edges[k]), *v));
            outline.push((xpos(edges[k + 1]), *v));
        }
        outline.push((x_hi, 0.0));
        chart.draw_series(std::iter::once(Polygon::new(outline.clone(), c.mix(0.10).filled())))?;
        chart.draw_series(LineSeries::new(outline, c.stroke_width(2)))?;
    }

    // Threshold lines, labelled just above the plot: the lower one (weak)
    // left of its line, the higher one (floor) right of it, so they part.
    let (_, top_px) = chart.backend_coord(&(x_lo, yhi));
    let (_, bottom_px) = chart.backend_coord(&(x_lo, 0.0));
    let (top_px, bottom_px) = (top_px - oy, bottom_px - oy);
    let mut items: Vec<Threshold> = thresholds(ctx)
        .into_iter()
        .filter(|it| !log_axis || it.0 > 0.0)
        .collect();
    items.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n_items = items.len();
    let mut taken: Vec<(i32, i32)> = Vec::new();
    for (k, (v, word, line, text, dash)) in items.into_iter().enumerate() {
        let x = chart.backend_coord(&(xpos(v), 0.0)).0 - ox;
        dashed(root, (x, top_px - 4), (x, bottom_px), line, dash)?;
        let label = l.threshold(word, v);
        let w = text_width(&label, NOTE_PX);
        let right = (x + 6, x + 6 + w);
        let left = (x - 6 - w, x - 6);
        let fits = |(a, b): (i32, i32)| a >= 4 && b <= WIDTH as i32 - 4;
        let prefer_right = k + 1 == n_items;
        let span = match (prefer_right, fits(right), fits(left)) {
            (true, true, _) | (false, true, false) => right,
            _ => left,
        };
        let clash = taken.iter().any(|&(a, b)| span.0 < b + 8 && a < span.1 + 8);
        let y = if clash { top_px + 4 } else { top_px - 6 - NOTE_PX as i32 };
        boxed_text(root, t, &label, (span.0, y), HPos::Left, text)?;
        taken.push(span);
    }
    let n_notes = notes.len() as i32;
    for (k, note) in notes.into_iter().enumerate() {
        root.draw(&Text::new(
            note.to_string(),
            (
                MARGIN_X,
                HEIGHT as i32 - 6 - NOTE_PX as i32 - 4 - (n_notes - 1 - k as i32) * NOTE_LINE_H,
            ),
            t.text(NOTE_PX, MUTED, HPos::Left),
        ))?;
    }
    Ok(())
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
                })
                .collect(),
            policies: vec![
                policy("no intervention", 0.01, 3, &years),
                policy("Photovoltaic + cooperative", 0.06, 3, &years),
            ],
            comparisons: Vec::new(),
            description: None,
            assumptions: Vec::new(),
        }
    }

    #[test]
    fn thousands_and_decimals() {
        assert_eq!(grouped(500_000.0, 0), "500,000");
        assert_eq!(grouped(-1_234_567.25, 2), "-1,234,567.25");
        assert_eq!(grouped(-0.0, 0), "0");
        assert_eq!(grouped(999.0, 0), "999");
        assert_eq!(decimals_for(12.5), 1);
        assert_eq!(decimals_for(50.0), 0);
        assert_eq!(Labels::ZH.threshold("底线", 500_000.0), "底线 50万元");
        assert_eq!(Labels::EN.threshold("floor", 500_000.0), "floor 500,000 yuan");
        assert_eq!(Labels::ZH.policy_name("no intervention"), "无干预");
    }

    #[test]
    fn log_rebin_keeps_mass_and_separates_nonpositive() {
        let buckets = vec![
            Bucket {
                lo: -100.0,
                hi: 100.0,
                count: 10,
            },
            Bucket {
                lo: 100.0,
                hi: 1_000.0,
                count: 30,
            },
            Bucket {
                lo: 1_000.0,
                hi: 100_000.0,
                count: 60,
            },
        ];
        let edges: Vec<f64> = (0..=8).map(|k| 10f64.powf(2.0 + 0.5 * k as f64)).collect();
        let (counts, nonpos, clamped) = rebin_log(&buckets, &edges);
        assert!((nonpos - 5.0).abs() < 1e-9);
        assert!((counts.iter().sum::<f64>() + nonpos - 100.0).abs() < 1e-9);
        assert!(clamped);
        assert!(wants_log_axis(-50.0, 4e6, 0.05));
        assert!(!wants_log_axis(-50.0, 4e6, 0.3));
        assert!(!wants_log_axis(2e5, 1e6, 0.0));
        assert!(MoneyUnit { divisor: 10_000.0 }.log_tick(200.0) == "0.02");
    }

    #[test]
    fn rebin_keeps_mass() {
        let buckets = vec![
            Bucket {
                lo: -10.0,
                hi: 0.0,
                count: 10,
            },
            Bucket {
                lo: 0.0,
                hi: 100.0,
                count: 30,
            },
            Bucket {
                lo: 100.0,
                hi: 1000.0,
                count: 5,
            },
        ];
        let (bins, clamped) = rebin(&buckets, -20.0, 10.0, 20);
        assert!(clamped);
        let total: f64 = bins.iter().sum();
        assert!((total - 45.0).abs() < 1e-9, "{total}");
        assert!((bins[1] - 10.0).abs() < 1e-9);
        assert!((bins[2] - 3.0).abs() < 1e-9);
        let median = hist_quantile(&buckets, 0.5).unwrap();
        assert!((median - 100.0 * 12.5 / 30.0).abs() < 1e-9, "{median}");
        let w = nice_width(1_234_567.0, 40.0);
        assert!((1_234_567.0 / w) > 30.0 && (1_234_567.0 / w) <= 40.0, "{w}");
    }

    #[test]
    fn writes_six_files() {
        let dir = tempfile::tempdir().unwrap();
        let files = write_run_charts(&sample_results(), dir.path(), Lang::En).unwrap();
        // 3 charts here, and the one decision chart the sample has data for
        // (cdf_final_income), each as SVG and PNG.
        assert_eq!(files.len(), 8);
        for f in &files {
            let bytes = fs::read(dir.path().join(f)).unwrap();
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
        // No temporary file is left behind.
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 8, "{names:?}");
        let stems: Vec<_> = chart_files(&sample_results(), Lang::Zh)
            .into_iter()
            .map(|c| c.stem)
            .collect();
        assert_eq!(stems, ["fan_mean_income", "below_floor", "final_distribution"]);
    }

    #[test]
    fn output_is_deterministic() {
        let r = sample_results();
        for lang in [Lang::En, Lang::Zh] {
            let a = tempfile::tempdir().unwrap();
            let b = tempfile::tempdir().unwrap();
            let fa = write_run_charts(&r, a.path(), lang).unwrap();
            let fb = write_run_charts(&r, b.path(), lang).unwrap();
            assert_eq!(fa, fb);
            for f in &fa {
                let x = fs::read(a.path().join(f)).unwrap();
                let y = fs::read(b.path().join(f)).unwrap();
                assert!(x == y, "{} differs between two renderings", f.display());
            }
        }
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
        assert_eq!(write_run_charts(&r, dir.path(), Lang::Zh).unwrap().len(), 6);
    }

    /// Dark (text) pixels in the title band of a rendered chart.
    fn dark_pixels_in_title(buf: &[u8]) -> usize {
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

    /// Every character of the Chinese labels has a glyph in the bundled font.
    #[test]
    fn font_covers_labels() {
        use ab_glyph::{Font, FontRef};
        let font = FontRef::try_from_slice(FONT_BYTES).unwrap();
        let r = sample_results();
        let l = Labels::ZH;
        let unit = MoneyUnit { divisor: 10_000.0 };
        let texts = [
            l.year,
            l.no_intervention,
            l.median,
            l.mean,
            l.iqr_band,
            l.p90_band,
            l.floor,
            l.weak,
            l.villages_below_floor,
            l.share_of_villages,
            l.tails_note,
            l.no_data,
            &l.fan_title(&r),
            &l.below_floor_title(&r),
            &l.distribution_title(&r),
            &l.subtitle(&r, false),
            &l.subtitle(&r, true),
            &l.money_axis(MoneyWhat::MeanIncome, &unit, &r),
            &l.money_axis(MoneyWhat::FinalIncome, &unit, &r),
            &l.threshold(l.floor, 500_000.0),
            &Labels::EN.subtitle(&r, true),
            &Labels::EN.money_axis(MoneyWhat::FinalIncome, &unit, &r),
            &l.money_axis(MoneyWhat::FinalIncomeLog, &unit, &r),
            &l.nonpositive_note(1.5, 1.5),
            &l.nonpositive_note(0.05, 2.5),
            "…–“”·×%（）：，。、0123456789",
        ];
        for text in texts {
            for c in text.chars().filter(|c| !c.is_whitespace()) {
                assert_ne!(font.glyph_id(c).0, 0, "no glyph for {c:?} in {text:?}");
            }
        }
        // The em size assumed for text sizes matches the font.
        let ascent_minus_descent = font.ascent_unscaled() - font.descent_unscaled();
        let em = font.units_per_em().unwrap();
        assert!((f64::from(em / ascent_minus_descent) - EM_PER_SIZE_BITMAP).abs() < 1e-6);
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
            })
            .collect();
        r.policies = policies;
        r
    }

    #[test]
    fn big_run_renders() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(write_run_charts(&big_results(), dir.path(), Lang::Zh).unwrap().len(), 8);
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
