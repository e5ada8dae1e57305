//! The chart of `villagesim voi`: "which uncertainty is worth resolving
//! before deciding": each input's EVPPI as a bar, largest first, with ±1.96
//! standard errors, and the EVPI (perfect information on every input) as a
//! dashed line. `analysis::voi` hands it a [`VoiChart`] whose title states
//! the message.

use super::*;

/// One input's bar.
pub struct VoiBar {
    pub name: String,
    pub value: f64,
    /// 1.96 standard errors.
    pub half_width: f64,
}

/// What the chart reads.
pub struct VoiChart {
    pub lang: Lang,
    pub title: String,
    pub subtitle: String,
    /// The axis: the objective's gain, in its units.
    pub x_label: String,
    pub evpi: f64,
    /// Largest first.
    pub bars: Vec<VoiBar>,
    /// A gain at a bar's end, and on the axis (whose label names the unit).
    pub show: Box<dyn Fn(f64) -> String>,
    pub tick: Box<dyn Fn(f64) -> String>,
}

/// Most inputs the chart shows (all are in `voi.csv`).
const VOI_MAX_ROWS: usize = 15;
const VOI_ROW_H: u32 = 30;
const VOI_TOP: u32 = 96;
const VOI_BOTTOM: u32 = 92;
const LABEL_MAX_W: i32 = 330;
const BAR: RGBColor = RGBColor(0x00, 0x72, 0xB2);

impl VoiChart {
    fn rows(&self) -> usize {
        self.bars.len().min(VOI_MAX_ROWS)
    }

    fn title_lines(&self) -> i32 {
        wrap(&self.title, TITLE_PX, HEADER_W).len().max(1) as i32
    }
}

impl DrawChart for VoiChart {
    fn height(&self) -> u32 {
        let extra = (TITLE_LINE_H * (self.title_lines() - 1)) as u32;
        VOI_TOP + extra + VOI_BOTTOM + VOI_ROW_H * self.rows().max(3) as u32 + 24
    }

    fn draw_chart<DB: DrawingBackend>(&self, root: &Area<DB>, t: Typo) -> DrawResult<(), DB> {
        root.fill(&WHITE)?;
        let en = self.lang == Lang::En;
        let legend = vec![vec![
            item(
                Swatch::Band(BAR, 0.85),
                if en {
                    "perfect information on this input alone (EVPPI)"
                } else {
                    "仅掌握该输入的完全信息（EVPPI）"
                },
            ),
            item(
                Swatch::Line(TEXT),
                if en {
                    "on every input (EVPI, dashed)"
                } else {
                    "掌握全部输入（EVPI，虚线）"
                },
            ),
        ]];
        let top = draw_header(
            root,
            t,
            &self.title,
            &fit(&self.subtitle, SUBTITLE_PX, HEADER_W),
            &legend,
        )?;
        let rows = self.rows();
        if rows == 0 {
            root.draw(&Text::new(
                if en {
                    "no uncertain input is drawn in every run"
                } else {
                    "没有每次模拟都抽取的不确定输入"
                },
                (WIDTH as i32 / 2, top + 60),
                t.text(AXIS_TITLE_PX, MUTED, HPos::Center),
            ))?;
            return Ok(());
        }
        let hi = (self.bars[..rows].iter())
            .map(|b| b.value + b.half_width)
            .chain([self.evpi])
            .filter(|v| v.is_finite())
            .fold(0.0_f64, f64::max);
        let lo = (self.bars[..rows].iter())
            .map(|b| b.value - b.half_width)
            .filter(|v| v.is_finite())
            .fold(0.0_f64, f64::min);
        let span = if hi > lo { hi - lo } else { 1.0 };
        let (x0, x1) = (lo - 0.02 * span, hi + 0.18 * span);
        let label_w = (0..rows)
            .map(|i| text_width(&fit(&self.bars[i].name, TICK_PX, LABEL_MAX_W), TICK_PX))
            .max()
            .unwrap_or(40)
            .min(LABEL_MAX_W);
        let body = root.margin(top, 0, 0, 0);
        let n = rows as f64;
        let xtick = |v: &f64| (self.tick)(*v);
        let mut chart = build_plot(
            &body,
            Frame::new(28, label_w + 14).top(4),
            chart_axis(x0, x1),
            chart_axis(0.0, n),
        )?;
        mesh(&mut chart, t)
            .x_labels(6)
            .y_labels(0)
            .disable_y_mesh()
            .x_label_formatter(&xtick)
            .x_desc(shorten(&self.x_label, 90))
            .draw()?;
        for (i, b) in self.bars[..rows].iter().enumerate() {
            let yc = n - i as f64 - 0.5;
            if b.value > 0.0 {
                root.draw(&Rectangle::new(
                    [px(root, &chart, 0.0, yc + 0.3), px(root, &chart, b.value, yc - 0.3)],
                    BAR.mix(0.85).filled(),
                ))?;
            }
            if b.half_width > 0.0 {
                let (a, y) = px(root, &chart, b.value - b.half_width, yc);
                let (c, _) = px(root, &chart, b.value + b.half_width, yc);
                root.draw(&PathElement::new(vec![(a, y), (c, y)], TEXT.stroke_width(1)))?;
                for x in [a, c] {
                    root.draw(&PathElement::new(vec![(x, y - 5), (x, y + 5)], TEXT.stroke_width(1)))?;
                }
            }
            let (ex, ey) = px(root, &chart, (b.value + b.half_width).max(b.value.max(0.0)), yc);
            root.draw(&Text::new(
                (self.show)(b.value),
                (ex + 6, ey - (0.62 * NOTE_PX) as i32),
                t.text(NOTE_PX, TEXT, HPos::Left),
            ))?;
            let (left, ly) = px(root, &chart, x0, yc);
            root.draw(&Text::new(
                fit(&b.name, TICK_PX, LABEL_MAX_W),
                (left - 8, ly - (0.62 * TICK_PX) as i32),
                t.text(TICK_PX, TEXT, HPos::Right),
            ))?;
        }
        let (ex, etop) = px(root, &chart, self.evpi, n);
        let (_, ebottom) = px(root, &chart, self.evpi, 0.0);
        dashed(root, (ex, etop), (ex, ebottom), TEXT, (7, 4))?;
        if self.bars.len() > rows {
            let (_, y) = px(root, &chart, x0, 0.0);
            more_rows_note(
                root,
                t,
                y,
                if en {
                    format!("{} more inputs worth less: see voi.csv", self.bars.len() - rows)
                } else {
                    format!("另有 {} 个价值较小的输入，见 voi.csv", self.bars.len() - rows)
                },
            )?;
        }
        Ok(())
    }
}

/// Writes the chart into `dir` as `voi.svg` and `voi.png`.
///
/// # Errors
///
/// [`ChartError`] when a file cannot be drawn or written.
pub fn write_voi(chart: &VoiChart, dir: &Path) -> Result<Vec<WrittenChart>, ChartError> {
    write_alone(chart, dir, "voi")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::tests::assert_glyphs;

    #[test]
    fn font_covers_chinese_words() {
        let font = ab_glyph::FontRef::try_from_slice(FONT_BYTES).unwrap();
        assert_glyphs(
            &font,
            &[
                "仅掌握该输入的完全信息（EVPPI）".to_string(),
                "掌握全部输入（EVPI，虚线）".to_string(),
                "没有每次模拟都抽取的不确定输入".to_string(),
                "另有 3 个价值较小的输入，见 voi.csv".to_string(),
                "最值得在决策前查明的是，减少低于底线的村数".to_string(),
            ],
        );
    }
}
