//! The tornado chart of a sensitivity analysis: how far the median outcome
//! moves with each uncertain input at its P10 and at its P90.
//! `analysis::sensitivity` hands it a [`TornadoInput`].

use super::*;

/// How often an input is drawn, as its label says it (an input drawn once
/// per run says nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrawnPer {
    Village,
    Year,
    VillageYear,
}

/// One uncertain input of a tornado.
pub struct TornadoRow {
    pub name: String,
    pub per: Option<DrawnPer>,
    /// The input at its P10 and P90, written for people.
    pub p10: String,
    pub p90: String,
    /// Median outcome with the input at its P10 / P90, yuan.
    pub median_at_p10: f64,
    pub median_at_p90: f64,
}

/// What the tornado chart reads.
pub struct TornadoInput<'a> {
    pub scenario_name: &'a str,
    pub policy: &'a str,
    pub final_year: i32,
    pub runs: u64,
    /// Median outcome with every input as in the file, yuan.
    pub baseline_median: f64,
    /// Largest swing first.
    pub inputs: Vec<TornadoRow>,
}

/// Most inputs a tornado shows (all are in `sensitivity.csv`).
const TORNADO_MAX_ROWS: usize = 15;
const TORNADO_ROW_H: u32 = 32;

const LOW_COLOR: RGBColor = RGBColor(0x00, 0x72, 0xB2);
const HIGH_COLOR: RGBColor = RGBColor(0xD5, 0x5E, 0x00);

struct Tornado<'a> {
    r: &'a TornadoInput<'a>,
    rows: usize,
    lang: Lang,
}

impl Tornado<'_> {
    fn label(&self, i: usize) -> String {
        let input = &self.r.inputs[i];
        let per = match (self.lang, input.per) {
            (_, None) => "",
            (Lang::En, Some(DrawnPer::Village)) => " (per village)",
            (Lang::En, Some(DrawnPer::Year)) => " (per year)",
            (Lang::En, Some(DrawnPer::VillageYear)) => " (per village-year)",
            (Lang::Zh, Some(DrawnPer::Village)) => "（每村）",
            (Lang::Zh, Some(DrawnPer::Year)) => "（每年）",
            (Lang::Zh, Some(DrawnPer::VillageYear)) => "（每村每年）",
        };
        shorten(&format!("{}{per}", input.name), 46)
    }
}

const TORNADO_TOP: u32 = 96;
const TORNADO_BOTTOM: u32 = 78;

impl DrawChart for Tornado<'_> {
    fn height(&self) -> u32 {
        TORNADO_TOP + TORNADO_BOTTOM + TORNADO_ROW_H * self.rows.max(3) as u32 + 24
    }

    fn draw_chart<DB: DrawingBackend>(&self, root: &Area<DB>, t: Typo) -> DrawResult<(), DB> {
        root.fill(&WHITE)?;
        let r = self.r;
        let top = self.draw_titles(root, t)?;
        if self.rows == 0 {
            root.draw(&Text::new(
                TornadoWords::new(self.lang).no_inputs.to_string(),
                (WIDTH as i32 / 2, top + 60),
                t.text(AXIS_TITLE_PX, MUTED, HPos::Center),
            ))?;
            return Ok(());
        }
        let (x0, x1) = self.x_range();
        let label_w = (0..self.rows)
            .map(|i| text_width(&self.label(i), TICK_PX))
            .max()
            .unwrap_or(40)
            .min(330);
        let body = root.margin(top, 0, 0, 0);
        let n = self.rows as f64;
        let unit = MoneyUnit::for_axis(self.lang, x0.abs().max(x1.abs()));
        let xtick = |v: &f64| money_tick(&unit, *v);
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
            .x_desc(match self.lang {
                Lang::En => format!("Median mean operating income per village in {} (yuan)", r.final_year),
                Lang::Zh => format!("{}年村均经营性收入的中位数（{}）", r.final_year, unit.name(Lang::Zh)),
            })
            .draw()?;
        for i in 0..self.rows {
            self.draw_row(root, &chart, i, x0, t)?;
        }
        let base = r.baseline_median;
        let (bx, btop) = px(root, &chart, base, n);
        let (_, bbottom) = px(root, &chart, base, 0.0);
        root.draw(&PathElement::new(vec![(bx, btop), (bx, bbottom)], TEXT.stroke_width(2)))?;
        if r.inputs.len() > self.rows {
            let (_, y) = px(root, &chart, x0, 0.0);
            root.draw(&Text::new(
                match self.lang {
                    Lang::En => format!(
                        "{} more inputs with smaller swings: see sensitivity.csv",
                        r.inputs.len() - self.rows
                    ),
                    Lang::Zh => format!(
                        "另有 {} 个影响较小的输入，见 sensitivity.csv",
                        r.inputs.len() - self.rows
                    ),
                },
                (MARGIN_X, y + 50),
                t.text(NOTE_PX, MUTED, HPos::Left),
            ))?;
        }
        Ok(())
    }
}

impl Tornado<'_> {
    /// Title, subtitle and legend; returns the height they take.
    fn draw_titles<DB: DrawingBackend>(&self, root: &Area<DB>, t: Typo) -> DrawResult<i32, DB> {
        let r = self.r;
        let w = TornadoWords::new(self.lang);
        let legend = vec![vec![
            item(Swatch::Band(LOW_COLOR, 0.85), w.at_p10),
            item(Swatch::Band(HIGH_COLOR, 0.85), w.at_p90),
            item(
                Swatch::Line(TEXT),
                format!(
                    "{}{}",
                    w.as_in_file,
                    crate::format::money_sig(self.lang, r.baseline_median)
                ),
            ),
        ]];
        let policy = shorten(&Labels::new(self.lang).policy_name(r.policy), 34);
        let name = shorten(r.scenario_name, 40);
        let runs = grouped(r.runs as f64, 0);
        let (title, subtitle) = match self.lang {
            Lang::En => (
                format!("What drives mean village income in {} under \"{policy}\"", r.final_year),
                format!(
                    "Scenario: {name}; median over {runs} runs, each input at its P10 and P90, the others as in the file"
                ),
            ),
            Lang::Zh => (
                format!("{}年“{policy}”下村均收入的主要影响因素", r.final_year),
                format!("情景：{name}；{runs} 次模拟的中位数，每个输入分别取 P10 和 P90，其余取文件中的值"),
            ),
        };
        draw_header(
            root,
            t,
            &fit(&title, TITLE_PX, HEADER_W),
            &fit(&subtitle, SUBTITLE_PX, HEADER_W),
            &legend,
        )
    }

    /// The x range: every median shown and the baseline, with room at both
    /// ends for the input values written beside the bars.
    fn x_range(&self) -> (f64, f64) {
        let r = self.r;
        let (lo, hi) = r.inputs[..self.rows]
            .iter()
            .flat_map(|i| [i.median_at_p10, i.median_at_p90])
            .chain([r.baseline_median])
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
        let span = (hi - lo).max(hi.abs().max(1.0) * 0.01);
        (lo - 0.22 * span, hi + 0.22 * span)
    }

    /// Row `i`: the bars from the baseline to the medians at P10 and P90,
    /// the input's values beside their ends and its name left of the plot
    /// (whose left edge is at `x0`).
    fn draw_row<DB: DrawingBackend>(
        &self,
        root: &Area<DB>,
        chart: &Chart2d<DB>,
        i: usize,
        x0: f64,
        t: Typo,
    ) -> DrawResult<(), DB> {
        let input = &self.r.inputs[i];
        let base = self.r.baseline_median;
        let yc = self.rows as f64 - i as f64 - 0.5;
        let (y_top, y_bottom) = (yc + 0.32, yc - 0.32);
        for (m, color) in [(input.median_at_p10, LOW_COLOR), (input.median_at_p90, HIGH_COLOR)] {
            if m != base {
                root.draw(&Rectangle::new(
                    [
                        px(root, chart, base.min(m), y_top),
                        px(root, chart, base.max(m), y_bottom),
                    ],
                    color.mix(0.85).filled(),
                ))?;
            }
        }
        let ends = [
            (input.median_at_p10, &input.p10, LOW_COLOR),
            (input.median_at_p90, &input.p90, HIGH_COLOR),
        ];
        let (left, right) = if input.median_at_p10 <= input.median_at_p90 {
            (ends[0], ends[1])
        } else {
            (ends[1], ends[0])
        };
        let (lx, ly) = px(root, chart, left.0.min(base), yc);
        root.draw(&Text::new(
            left.1.clone(),
            (lx - 5, ly - (0.62 * NOTE_PX) as i32),
            t.text(NOTE_PX, left.2, HPos::Right),
        ))?;
        let (rx, _) = px(root, chart, right.0.max(base), yc);
        root.draw(&Text::new(
            right.1.clone(),
            (rx + 5, ly - (0.62 * NOTE_PX) as i32),
            t.text(NOTE_PX, right.2, HPos::Left),
        ))?;
        let (plot_left, _) = px(root, chart, x0, yc);
        root.draw(&Text::new(
            self.label(i),
            (plot_left - 8, ly - (0.62 * TICK_PX) as i32),
            t.text(TICK_PX, TEXT, HPos::Right),
        ))?;
        Ok(())
    }
}

/// Fixed words of the tornado chart.
struct TornadoWords {
    at_p10: &'static str,
    at_p90: &'static str,
    /// Followed by the amount.
    as_in_file: &'static str,
    no_inputs: &'static str,
}

impl TornadoWords {
    const EN: TornadoWords = TornadoWords {
        at_p10: "input at its P10",
        at_p90: "input at its P90",
        as_in_file: "every input as in the file: ",
        no_inputs: "no uncertain inputs in the file",
    };
    const ZH: TornadoWords = TornadoWords {
        at_p10: "输入取 P10",
        at_p90: "输入取 P90",
        as_in_file: "各输入取文件中的值：",
        no_inputs: "文件中没有不确定输入",
    };

    fn new(lang: Lang) -> TornadoWords {
        match lang {
            Lang::En => TornadoWords::EN,
            Lang::Zh => TornadoWords::ZH,
        }
    }
}

/// Writes `tornado.svg` and `tornado.png` into `dir` and returns their
/// names relative to `dir`.
pub fn write_tornado(result: &TornadoInput, dir: &Path, lang: Lang) -> Result<Vec<PathBuf>, ChartError> {
    ensure_fonts()?;
    let fig = Tornado {
        r: result,
        rows: result.inputs.len().min(TORNADO_MAX_ROWS),
        lang,
    };
    let mut written = Vec::new();
    write_chart(&fig, dir, "tornado", &mut written)?;
    Ok(names(written))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::tests::assert_glyphs;

    #[test]
    fn font_covers_chinese_words() {
        use ab_glyph::FontRef;
        let font = FontRef::try_from_slice(FONT_BYTES).unwrap();
        let t = TornadoWords::ZH;
        let texts = [
            t.at_p10.to_string(),
            t.at_p90.to_string(),
            t.as_in_file.to_string(),
            t.no_inputs.to_string(),
            crate::format::money_exact(Lang::Zh, 763_900.0),
            crate::format::money_exact(Lang::Zh, 5_000.0),
            "2030年“p”下村均收入的主要影响因素".to_string(),
            "情景：n；1,000 次模拟的中位数，每个输入分别取 P10 和 P90，其余取文件中的值".to_string(),
            "2030年村均经营性收入的中位数（万元）".to_string(),
            "另有 3 个影响较小的输入，见 sensitivity.csv".to_string(),
            "（每村）（每年）（每村每年）".to_string(),
        ];
        assert_glyphs(&font, &texts);
    }
}
