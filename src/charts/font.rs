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

// ---------------------------------------------------------------------------
// Web fonts: the bundled font's glyphs embedded in SVGs and the report

/// The CSS font family of the subset of the bundled font that holds the
/// characters of `text`: `villagesim-` and a digest of the character set, so
/// that two subsets inlined in one HTML page never share a name (a page
/// with two `@font-face` rules of one family would use only one of them).
pub fn font_family_for(text: &str) -> String {
    use sha2::{Digest, Sha256};
    let chars = glyph_chars(text);
    let mut hasher = Sha256::new();
    for c in &chars {
        hasher.update(u32::from(*c).to_le_bytes());
    }
    let digest = hasher.finalize();
    let hex: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("villagesim-{hex}")
}

/// A CSS `@font-face` rule for family [`font_family_for`]`(text)`, whose
/// source is a subset of the bundled font holding only the glyphs of the
/// characters of `text` (base64-encoded OpenType in a `data:` URL).
///
/// The report embeds one such rule for its own text and sets that text in
/// `font-family: <font_family_for(text)>, sans-serif`, so Chinese renders
/// on a machine without CJK fonts; every chart SVG carries its own rule
/// (see [`embed_font`]). Characters the bundled font lacks are left out
/// of the subset (the viewer's fonts show them). Returns an empty string
/// if the font cannot be subset (never for the bundled font: tested).
pub fn font_face_css(text: &str) -> String {
    use base64::Engine;
    let Some(bytes) = font_subset(text) else {
        return String::new();
    };
    let data = base64::engine::general_purpose::STANDARD.encode(bytes);
    format!(
        "@font-face{{font-family:\"{}\";src:url(data:font/otf;base64,{data}) format(\"opentype\");}}",
        font_family_for(text)
    )
}

/// The characters of `text` that the bundled font draws, sorted, once each.
fn glyph_chars(text: &str) -> Vec<char> {
    use ab_glyph::Font;
    let font = png_text::bundled_font();
    let mut chars: Vec<char> = text
        .chars()
        .filter(|&c| !c.is_control() && font.glyph_id(c).0 != 0)
        .collect();
    chars.sort_unstable();
    chars.dedup();
    chars
}

/// An OpenType font with the glyphs of `text` (and `.notdef`) and a
/// Unicode cmap for them, which browsers accept.
pub(crate) fn font_subset(text: &str) -> Option<Vec<u8>> {
    use ab_glyph::Font;
    use allsorts::binary::read::ReadScope;
    use allsorts::font_data::FontData;
    use allsorts::subset::{subset, CmapTarget, SubsetProfile};
    let font = png_text::bundled_font();
    let mut ids: Vec<u16> = glyph_chars(text).into_iter().map(|c| font.glyph_id(c).0).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.insert(0, 0);
    let data = ReadScope::new(FONT_BYTES).read::<FontData<'_>>().ok()?;
    let provider = data.table_provider(0).ok()?;
    subset(&provider, &ids, &SubsetProfile::Minimal, CmapTarget::Unicode).ok()
}

/// `svg` with an `@font-face` rule for the glyphs of its text in a
/// `<style>` right after the opening `<svg>` tag, and every text element's
/// `sans-serif` family preceded by that subset's family.
pub fn embed_font(svg: &str) -> String {
    let text = svg_text(svg);
    let family = font_family_for(&text);
    let css = font_face_css(&text);
    let svg = svg.replace(
        &format!("font-family=\"{FAMILY}\""),
        &format!("font-family=\"{family}, {FAMILY}\""),
    );
    let Some(open) = svg.find("<svg").and_then(|i| svg[i..].find('>').map(|j| i + j + 1)) else {
        return svg;
    };
    format!("{}\n<style>{css}</style>{}", &svg[..open], &svg[open..])
}

/// `svg` without the font [`embed_font`] put in it: its `<style>` with the
/// `@font-face` rule gone and its text back in the plain family, for a page
/// that inlines the SVG and carries one font for all its text (the report:
/// its one rule covers the characters of the page and of its charts, and
/// sets everything on the page in it). An SVG without an embedded font is
/// returned as it is.
pub fn strip_embedded_font(svg: &str) -> String {
    let Some(open) = svg.find("<svg").and_then(|i| svg[i..].find('>').map(|j| i + j + 1)) else {
        return svg.to_string();
    };
    let rest = &svg[open..];
    let style = rest.strip_prefix('\n').unwrap_or(rest);
    let Some(body) = style
        .strip_prefix("<style>@font-face{")
        .and_then(|s| s.find("</style>").map(|e| &s[e + "</style>".len()..]))
    else {
        return svg.to_string();
    };
    let head = &svg[..open];
    let family = font_family_for(&svg_text(svg));
    format!("{head}{body}").replace(
        &format!("font-family=\"{family}, {FAMILY}\""),
        &format!("font-family=\"{FAMILY}\""),
    )
}

/// The characters of every `<text>` element of `svg`, unescaped.
pub(crate) fn svg_text(svg: &str) -> String {
    let mut out = String::new();
    let mut rest = svg;
    while let Some(i) = rest.find("<text") {
        rest = &rest[i..];
        let Some(start) = rest.find('>') else { break };
        let Some(end) = rest.find("</text>") else { break };
        if start < end {
            let raw = &rest[start + 1..end];
            out.push_str(
                &raw.replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&apos;", "'")
                    .replace("&amp;", "&"),
            );
        }
        rest = &rest[end + 7..];
    }
    out
}

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

    /// A subset holds every character of its text and is a small part of
    /// the full font; an SVG carries a rule for the glyphs it uses.
    #[test]
    fn font_face_subsets_the_text() {
        use ab_glyph::{Font, FontRef};
        let text = "即使按实际实施，2022 年仍约有 15 个村低于 50万元 Even as implemented";
        let bytes = font_subset(text).unwrap();
        assert!(bytes.len() * 50 < FONT_BYTES.len(), "{} bytes", bytes.len());
        let sub = FontRef::try_from_slice(&bytes).unwrap();
        for c in text.chars().filter(|c| !c.is_whitespace()) {
            assert_ne!(sub.glyph_id(c).0, 0, "no glyph for {c:?} in the subset");
        }
        // A character not in the text is not in the subset.
        assert_eq!(sub.glyph_id('县').0, 0);
        let css = font_face_css(text);
        assert!(css.starts_with("@font-face{font-family:\"villagesim-"), "{css:.80}");
        assert!(css.contains("base64,"));
        assert_ne!(font_family_for(text), font_family_for("other"));

        let svg = "<svg width=\"10\" height=\"10\">\n<text font-family=\"sans-serif\">村 &amp; 县</text>\n</svg>";
        let out = embed_font(svg);
        let family = font_family_for("村 & 县");
        assert!(
            out.contains(&format!("font-family=\"{family}, sans-serif\"")),
            "{out:.300}"
        );
        assert!(out.contains(&format!("<style>@font-face{{font-family:\"{family}\"")));
        assert_eq!(svg_text(&out), "村 & 县");
        // The report takes the font out again: the SVG as it was drawn.
        assert_eq!(strip_embedded_font(&out), svg);
        assert_eq!(strip_embedded_font(svg), svg);
    }
}
