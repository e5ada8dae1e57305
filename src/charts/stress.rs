//! The chart of `villagesim stress`: for each stress (the file's first,
//! then the most damaging input tails), the change in villages below the
//! floor under each policy against its unstressed run, a dot per policy
//! in the policy's colour (each a little offset within the row, so that
//! equal changes stay visible), with a line at no change. `analysis::stress`
//! hands it a [`StressChart`] whose title states the message.

use super::*;

/// One stress's row.
pub struct StressRow {
    pub name: String,
    /// The change per policy, in the policies' order.
    pub changes: Vec<f64>,
}

/// What the chart reads.
pub struct StressChart {
    pub lang: Lang,
    pub title: String,
    pub subtitle: String,
    pub x_label: String,
    /// Policy names, for the legend.
    pub policies: Vec<String>,
    pub rows: Vec<StressRow>,
    /// Stresses left out of the chart (in `stress.csv`).
    pub more: usize,
}

/// Most stresses the chart shows.
pub const STRESS_MAX_ROWS: usize = 15;
const ROW_H: u32 = 30;
const TOP: u32 = 96;
const BOTTOM: u32 = 92;
const LABEL_MAX_W: i32 = 330;

impl DrawChart for StressChart {
    fn height(&self) -> u32 {
        let lines = wrap(&self.title, TITLE_PX, HEADER_W).len().max(1) as i32;
        let legend_rows = self.policies.len().div_ceil(3).max(1) as i32;
        TOP + (TITLE_LINE_H * (lines - 1) + LEGEND_ROW_H * (legend_rows - 1)) as u32
            + BOTTOM
            + ROW_H * self.rows.len().max(3) as u32
            + 24
    }

    fn draw_chart<DB: DrawingBackend>(&self, root: &Area<DB>, t: Typo) -> DrawResult<(), DB> {
        root.fill(&WHITE)?;
        let mut legend: Vec<Vec<LegendItem>> = Vec::new();
        for (p, name) in self.policies.iter().enumerate() {
            if p % 3 == 0 {
                legend.push(Vec::new());
            }
            legend
                .last_mut()
                .expect("a row")
                .push(item(Swatch::Marker(policy_color(p)), shorten(name, 30)));
        }
        let top = draw_header(
            root,
            t,
            &self.title,
            &fit(&self.subtitle, SUBTITLE_PX, HEADER_W),
            &legend,
        )?;
        let n = self.rows.len().max(1) as f64;
        let (lo, hi) = (self.rows.iter())
            .flat_map(|r| r.changes.iter().copied())
            .filter(|v| v.is_finite())
            .fold((0.0_f64, 0.0_f64), |(a, b), v| (a.min(v), b.max(v)));
        let span = (hi - lo).max(1.0);
        let (x0, x1) = (lo - 0.06 * span, hi + 0.06 * span);
        let label_w = (self.rows.iter())
            .map(|r| text_width(&fit(&r.name, TICK_PX, LABEL_MAX_W), TICK_PX))
            .max()
            .unwrap_or(40)
            .min(LABEL_MAX_W);
        let body = root.margin(top, 0, 0, 0);
        let mut chart = build_plot(
            &body,
            Frame::new(28, label_w + 14).top(4),
            chart_axis(x0, x1),
            chart_axis(0.0, n),
        )?;
        let xtick = |v: &f64| {
            let s = grouped(*v, if x1 - x0 >= 5.0 { 0 } else { 1 });
            if *v > 0.0 {
                format!("+{s}")
            } else {
                s
            }
        };
        mesh(&mut chart, t)
            .x_labels(7)
            .y_labels(0)
            .disable_y_mesh()
            .x_label_formatter(&xtick)
            .x_desc(shorten(&self.x_label, 90))
            .draw()?;
        let (zx, ztop) = px(root, &chart, 0.0, n);
        let (_, zbottom) = px(root, &chart, 0.0, 0.0);
        root.draw(&PathElement::new(vec![(zx, ztop), (zx, zbottom)], TEXT.stroke_width(1)))?;
        for (i, r) in self.rows.iter().enumerate() {
            let yc = n - i as f64 - 0.5;
            let (left, ly) = px(root, &chart, x0, yc);
            let (right, _) = px(root, &chart, x1, yc);
            root.draw(&PathElement::new(vec![(left, ly), (right, ly)], GRID.stroke_width(1)))?;
            // Each policy a little above or below the row's line, so that
            // policies with the same change stay visible.
            let k = r.changes.len().max(1) as f64;
            for (p, v) in r.changes.iter().enumerate().filter(|(_, v)| v.is_finite()) {
                let offset = if k > 1.0 {
                    (p as f64 / (k - 1.0) - 0.5) * 0.5
                } else {
                    0.0
                };
                let (x, y) = px(root, &chart, *v, yc + offset);
                diamond(root, (x, y), 5, policy_color(p))?;
            }
            root.draw(&Text::new(
                fit(&r.name, TICK_PX, LABEL_MAX_W),
                (left - 8, ly - (0.62 * TICK_PX) as i32),
                t.text(TICK_PX, TEXT, HPos::Right),
            ))?;
        }
        if self.more > 0 {
            let (_, y) = px(root, &chart, x0, 0.0);
            more_rows_note(
                root,
                t,
                y,
                match self.lang {
                    Lang::En => format!("{} more stresses that do less harm: see stress.csv", self.more),
                    Lang::Zh => format!("另有 {} 个影响较小的压力情景，见 stress.csv", self.more),
                },
            )?;
        }
        Ok(())
    }
}

/// Writes the chart into `dir` as `stress.svg` and `stress.png`.
///
/// # Errors
///
/// [`ChartError`] when a file cannot be drawn or written.
pub fn write_stress(chart: &StressChart, dir: &Path) -> Result<Vec<WrittenChart>, ChartError> {
    write_alone(chart, dir, "stress")
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
                "另有 3 个影响较小的压力情景，见 stress.csv".to_string(),
                "低于底线的村数相对无压力时的变化，最高，最低，最能经受压力，伤害最大".to_string(),
            ],
        );
    }
}
