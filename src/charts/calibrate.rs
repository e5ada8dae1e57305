//! The chart of `villagesim calibrate`: where each input's posterior sits
//! among its prior's values. One row per input, largest shift first; the
//! x axis is the prior's percentile (0 to 100, the same for every input
//! whatever its unit), the prior's P10-P90 band shaded, the posterior's
//! P10-P90 as a bar and its median as a dot. `analysis::calibrate` hands
//! it a [`CalibrateChart`] whose title states the message.

use super::*;

/// One input's row.
pub struct CalibrateRow {
    pub name: String,
    /// The posterior's P10, P50 and P90 as prior percentiles, 0 to 1.
    pub percentiles: [f64; 3],
}

/// What the chart reads.
pub struct CalibrateChart {
    pub lang: Lang,
    pub title: String,
    pub subtitle: String,
    /// "posterior" or "the nearest runs".
    pub posterior_label: String,
    /// Largest shift first.
    pub rows: Vec<CalibrateRow>,
}

const MAX_ROWS: usize = 15;
const ROW_H: u32 = 30;
const TOP: u32 = 96;
const BOTTOM: u32 = 92;
const LABEL_MAX_W: i32 = 330;
const POSTERIOR: RGBColor = RGBColor(0x00, 0x72, 0xB2);

impl CalibrateChart {
    fn shown(&self) -> usize {
        self.rows.len().min(MAX_ROWS)
    }
}

impl DrawChart for CalibrateChart {
    fn height(&self) -> u32 {
        let lines = wrap(&self.title, TITLE_PX, HEADER_W).len().max(1) as i32;
        TOP + (TITLE_LINE_H * (lines - 1)) as u32 + BOTTOM + ROW_H * self.shown().max(3) as u32 + 24
    }

    fn draw_chart<DB: DrawingBackend>(&self, root: &Area<DB>, t: Typo) -> DrawResult<(), DB> {
        root.fill(&WHITE)?;
        let en = self.lang == Lang::En;
        let legend = vec![vec![
            item(
                Swatch::Band(AXIS, 0.25),
                if en { "prior P10 to P90" } else { "先验 P10 至 P90" },
            ),
            item(
                Swatch::Band(POSTERIOR, 0.85),
                format!("{} P10 {} P90", self.posterior_label, if en { "to" } else { "至" }),
            ),
            item(Swatch::Marker(TEXT), if en { "its median" } else { "中位数" }),
        ]];
        let top = draw_header(
            root,
            t,
            &self.title,
            &fit(&self.subtitle, SUBTITLE_PX, HEADER_W),
            &legend,
        )?;
        let rows = self.shown();
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
        let label_w = (self.rows[..rows].iter())
            .map(|r| text_width(&fit(&r.name, TICK_PX, LABEL_MAX_W), TICK_PX))
            .max()
            .unwrap_or(40)
            .min(LABEL_MAX_W);
        let body = root.margin(top, 0, 0, 0);
        let n = rows as f64;
        let mut chart = build_plot(
            &body,
            Frame::new(28, label_w + 14).top(4),
            chart_axis(0.0, 100.0),
            chart_axis(0.0, n),
        )?;
        let xtick = |v: &f64| format!("{v:.0}");
        mesh(&mut chart, t)
            .x_labels(6)
            .y_labels(0)
            .disable_y_mesh()
            .x_label_formatter(&xtick)
            .x_desc(if en {
                "Percentile among the prior's values"
            } else {
                "在先验取值中的百分位"
            })
            .draw()?;
        chart.draw_series(std::iter::once(Rectangle::new(
            [(10.0, 0.0), (90.0, n)],
            AXIS.mix(0.18).filled(),
        )))?;
        let (mx, mtop) = px(root, &chart, 50.0, n);
        let (_, mbottom) = px(root, &chart, 50.0, 0.0);
        dashed(root, (mx, mtop), (mx, mbottom), MUTED, (5, 4))?;
        for (i, r) in self.rows[..rows].iter().enumerate() {
            let yc = n - i as f64 - 0.5;
            let [lo, mid, hi] = r.percentiles.map(|p| p * 100.0);
            root.draw(&Rectangle::new(
                [
                    px(root, &chart, lo, yc + 0.22),
                    px(root, &chart, hi.max(lo + 0.4), yc - 0.22),
                ],
                POSTERIOR.mix(0.85).filled(),
            ))?;
            let (cx, cy) = px(root, &chart, mid, yc);
            diamond(root, (cx, cy), 6, TEXT)?;
            let (left, ly) = px(root, &chart, 0.0, yc);
            root.draw(&Text::new(
                fit(&r.name, TICK_PX, LABEL_MAX_W),
                (left - 8, ly - (0.62 * TICK_PX) as i32),
                t.text(TICK_PX, TEXT, HPos::Right),
            ))?;
        }
        if self.rows.len() > rows {
            let (_, y) = px(root, &chart, 0.0, 0.0);
            more_rows_note(
                root,
                t,
                y,
                if en {
                    format!(
                        "{} more inputs that move less: see calibration.csv",
                        self.rows.len() - rows
                    )
                } else {
                    format!("另有 {} 个变化较小的输入，见 calibration.csv", self.rows.len() - rows)
                },
            )?;
        }
        Ok(())
    }
}

/// Writes the chart into `dir` as `calibration.svg` and `calibration.png`.
///
/// # Errors
///
/// [`ChartError`] when a file cannot be drawn or written.
pub fn write_calibration(chart: &CalibrateChart, dir: &Path) -> Result<Vec<WrittenChart>, ChartError> {
    write_alone(chart, dir, "calibration")
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
                "先验 P10 至 P90，后验，最接近的模拟，中位数".to_string(),
                "在先验取值中的百分位".to_string(),
                "另有 3 个变化较小的输入，见 calibration.csv".to_string(),
                "与观测一致的模拟需要：有效样本量，没有一次模拟与观测一致".to_string(),
            ],
        );
    }
}
