//! The chart of `villagesim solve`: the target's figure at every value the
//! search simulated, with ±1.96 standard errors, the threshold, the answer
//! and its Monte Carlo interval. `analysis::solve` hands it a
//! [`SolveChart`] whose title states the answer.

use super::*;

/// One value simulated.
pub struct SolvePoint {
    pub x: f64,
    /// The figure's estimate and 1.96 standard errors of it.
    pub y: f64,
    pub half_width: f64,
    /// The estimate meets the target.
    pub holds: bool,
}

/// What the chart reads.
pub struct SolveChart {
    pub lang: Lang,
    pub title: String,
    pub subtitle: String,
    pub x_label: String,
    pub y_label: String,
    pub threshold: f64,
    /// The figure is a probability (axis from 0 to 1, shown in percent).
    pub probability: bool,
    /// In value order.
    pub points: Vec<SolvePoint>,
    pub answer: Option<f64>,
    /// The answer's Monte Carlo interval (the range's ends where it is open).
    pub interval: (f64, f64),
    /// A value of the parameter for people.
    pub show_x: Box<dyn Fn(f64) -> String>,
}

const SOLVE_HEIGHT: u32 = 500;
const HOLDS: RGBColor = RGBColor(0x00, 0x72, 0xB2);
const FAILS: RGBColor = RGBColor(0xD5, 0x5E, 0x00);

impl DrawChart for SolveChart {
    fn height(&self) -> u32 {
        SOLVE_HEIGHT
    }

    fn draw_chart<DB: DrawingBackend>(&self, root: &Area<DB>, t: Typo) -> DrawResult<(), DB> {
        root.fill(&WHITE)?;
        let (en, zh) = (self.lang == Lang::En, self.lang == Lang::Zh);
        let legend = vec![vec![
            item(Swatch::Marker(HOLDS), if en { "meets the target" } else { "满足目标" }),
            item(
                Swatch::Marker(FAILS),
                if zh { "未满足目标" } else { "misses the target" },
            ),
            item(
                Swatch::Line(MUTED),
                if en {
                    "target value (dashed)"
                } else {
                    "目标值（虚线）"
                },
            ),
            item(Swatch::Line(TEXT), if en { "answer" } else { "答案" }),
            item(
                Swatch::Band(HOLDS, 0.15),
                if en {
                    "its Monte Carlo interval"
                } else {
                    "答案的蒙特卡洛区间"
                },
            ),
        ]];
        let top = draw_header(
            root,
            t,
            &fit(&self.title, TITLE_PX, HEADER_W),
            &fit(&self.subtitle, SUBTITLE_PX, HEADER_W),
            &legend,
        )?;
        let (x0, x1) = self.x_range();
        let (ylo, yhi) = if self.probability {
            (0.0, 1.0)
        } else {
            value_range(
                self.points
                    .iter()
                    .flat_map(|p| [p.y - p.half_width, p.y + p.half_width])
                    .chain([self.threshold]),
                true,
            )
        };
        let probability = self.probability;
        let ytick = move |v: &f64| {
            if probability {
                crate::format::percent(*v, 0, 0.0)
            } else {
                grouped(*v, decimals_for(yhi - ylo))
            }
        };
        let xtick = |v: &f64| (self.show_x)(*v);
        let body = root.margin(top, 0, 0, 0);
        let mut chart = build_plot(
            &body,
            Frame::new(36, y_label_area([ylo, yhi, (ylo + yhi) / 2.0].iter().map(ytick))),
            chart_axis(x0, x1),
            chart_axis(ylo, yhi),
        )?;
        mesh(&mut chart, t)
            .x_labels(6)
            .y_labels(8)
            .x_label_formatter(&xtick)
            .y_label_formatter(&ytick)
            .x_desc(shorten(&self.x_label, 80))
            .y_desc(shorten(&self.y_label, 60))
            .draw()?;
        if self.answer.is_some() {
            let (a, b) = self.interval;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(a, ylo), (b.max(a), yhi)],
                HOLDS.mix(0.15).filled(),
            )))?;
        }
        let (tx0, ty) = px(root, &chart, x0, self.threshold);
        let (tx1, _) = px(root, &chart, x1, self.threshold);
        dashed(root, (tx0, ty), (tx1, ty), MUTED, (9, 5))?;
        let line: Vec<(f64, f64)> = self.points.iter().map(|p| (p.x, p.y)).collect();
        chart.draw_series(LineSeries::new(line, AXIS.stroke_width(1)))?;
        for p in &self.points {
            let color = if p.holds { HOLDS } else { FAILS };
            if p.half_width > 0.0 {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(p.x, p.y - p.half_width), (p.x, p.y + p.half_width)],
                    color.stroke_width(2),
                )))?;
            }
            chart.draw_series(std::iter::once(Circle::new((p.x, p.y), 4, color.filled())))?;
        }
        if let Some(a) = self.answer {
            let (ax, atop) = px(root, &chart, a, yhi);
            let (_, abottom) = px(root, &chart, a, ylo);
            root.draw(&PathElement::new(vec![(ax, atop), (ax, abottom)], TEXT.stroke_width(2)))?;
            root.draw(&Text::new(
                (self.show_x)(a),
                (ax + 6, atop + 4),
                t.text(NOTE_PX, TEXT, HPos::Left),
            ))?;
        }
        Ok(())
    }
}

impl SolveChart {
    /// The values simulated, with a little room at both ends.
    fn x_range(&self) -> (f64, f64) {
        let (a, b) = self
            .points
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| (a.min(p.x), b.max(p.x)));
        let pad = if b > a { (b - a) * 0.03 } else { a.abs().max(1.0) * 0.1 };
        (a - pad, b + pad)
    }
}

/// Writes the chart into `dir` as `solve.svg` and `solve.png`.
///
/// # Errors
///
/// [`ChartError`] when a file cannot be drawn or written.
pub fn write_solve(chart: &SolveChart, dir: &Path) -> Result<Vec<WrittenChart>, ChartError> {
    write_alone(chart, dir, "solve")
}
