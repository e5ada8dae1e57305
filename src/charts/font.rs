//! The bundled font: registration, text metrics ([`Typo`], [`text_width`]) and the glyph backend for PNG text.

use super::*;

/// The font family every text element uses; the bundled font is registered
/// under this name.
pub(crate) const FAMILY: &str = "sans-serif";

/// The bundled font: Noto Sans CJK SC Regular, subset (OFL-1.1).
pub(crate) static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-villagesim-subset.otf");

/// One em of the bundled font per unit of plotters' `ab_glyph` text size.
///
/// `ab_glyph` scales a font so that ascent − descent equals the size; for
/// Noto Sans CJK that is 1160 + 288 font units of 1000 per em.
pub(crate) const EM_PER_SIZE_BITMAP: f64 = 1000.0 / 1448.0;

/// plotters' SVG backend writes `font-size` as size / 1.24.
pub(crate) const EM_PER_SIZE_SVG: f64 = 1.0 / 1.24;

// ---------------------------------------------------------------------------
// Fonts

pub(crate) static FONT_REGISTRATION: Once = Once::new();
pub(crate) static FONT_OK: OnceLock<bool> = OnceLock::new();

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
    pub(crate) size_per_px: f64,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::tests::sample_results;

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
}
