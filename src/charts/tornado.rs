//! The tornado chart of a sensitivity analysis: how far the number of
//! villages below the floor in the headline year moves with each uncertain
//! input at its P10 and at its P90 (fixed there, or its distribution
//! shifted: see `analysis::sensitivity`). `analysis::sensitivity` hands it a
//! [`TornadoInput`]; [`tornado_title`] states the message.

use super::*;
use crate::format::count;

/// How often an input is drawn, as its label says it (an input drawn once
/// per run says nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrawnPer {
    Village,
    Year,
    VillageYear,
}

/// How a sensitivity analysis moved an input to its P10 and P90.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Treatment {
    /// Fixed at the value in every run (and, for an input drawn per
    /// village or year, for every village and year at once).
    Fixed,
    /// Left to be drawn by every village (and year), its distribution
    /// shifted so that the average of its draws sits at its P10 or P90.
    Shifted,
}

impl Treatment {
    /// As `sensitivity.csv` writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Treatment::Fixed => "fixed",
            Treatment::Shifted => "shifted",
        }
    }
}

/// One uncertain input of a tornado.
pub struct TornadoRow {
    /// The input in words.
    pub name: String,
    pub per: Option<DrawnPer>,
    pub treatment: Treatment,
    /// The input at its P10 and P90 (the fixed value, or the mean of the
    /// shifted distribution), in units a planner reads.
    pub p10: String,
    pub p90: String,
    /// Villages below the floor (mean over the runs) with the input at its
    /// P10 / P90.
    pub at_p10: f64,
    pub at_p90: f64,
}

/// What the tornado chart reads.
pub struct TornadoInput<'a> {
    pub scenario_name: &'a str,
    pub policy: &'a str,
    /// The year whose villages below the floor are counted.
    pub year: i32,
    pub floor_yuan: f64,
    pub runs: u64,
    /// Villages below the floor with every input as in the file, and its
    /// Monte Carlo standard error.
    pub baseline: f64,
    pub baseline_se: f64,
    /// Largest swing first.
    pub inputs: Vec<TornadoRow>,
}

/// A mean count of villages as the tornado writes it: one decimal.
fn villages(x: f64) -> String {
    grouped(x, 1)
}

/// The message of the tornado: which input moves the number of villages
/// below the floor most, and between which counts; or that none moves it.
pub fn tornado_title(r: &TornadoInput, lang: Lang) -> String {
    let floor = crate::format::money_sig(lang, r.floor_yuan);
    let year = r.year;
    let top = r.inputs.first().filter(|i| i.at_p10 != i.at_p90);
    match (top, lang) {
        (None, Lang::En) => format!(
            "No uncertain input moves the {} villages below {floor} in {year}",
            count(r.baseline, r.baseline_se)
        ),
        (None, Lang::Zh) => format!(
            "没有不确定输入改变{year}年低于{floor}的村数（{} 个）",
            count(r.baseline, r.baseline_se)
        ),
        (Some(i), _) => {
            let (lo, hi) = (i.at_p10.min(i.at_p90), i.at_p10.max(i.at_p90));
            match lang {
                Lang::En => format!(
                    "Villages below {floor} in {year} depend most on {} ({} to {})",
                    lowercase_first(&i.name),
                    villages(lo),
                    villages(hi)
                ),
                Lang::Zh => format!(
                    "{year}年低于{floor}的村数最取决于{}（{} 至 {} 个）",
                    i.name,
                    villages(lo),
                    villages(hi)
                ),
            }
        }
    }
}

/// "Village: organic growth" stays; "Organic growth" reads "organic
/// growth" inside a sentence (a name of the scenario keeps its capitals
/// when it is more than one capital letter long).
fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && b.is_lowercase() && !s.contains(':') => {
            format!("{}{}", a.to_lowercase(), &s[a.len_utf8()..])
        }
        _ => s.to_string(),
    }
}

/// Most inputs a tornado shows (all are in `sensitivity.csv`).
const TORNADO_MAX_ROWS: usize = 15;
const TORNADO_ROW_H: u32 = 38;

const LOW_COLOR: RGBColor = RGBColor(0x00, 0x72, 0xB2);
const HIGH_COLOR: RGBColor = RGBColor(0xD5, 0x5E, 0x00);

struct Tornado<'a> {
    r: &'a TornadoInput<'a>,
    rows: usize,
    lang: Lang,
}

/// What a tornado label adds to an input's name: how often it is drawn and
/// how it was moved (nothing for an input drawn once per run).
pub fn drawn_note(lang: Lang, per: Option<DrawnPer>, treatment: Treatment) -> &'static str {
    match (lang, per, treatment) {
        (_, None, _) => "",
        (Lang::En, Some(DrawnPer::Village), Treatment::Shifted) => " (per village, shifted)",
        (Lang::En, Some(DrawnPer::Year), Treatment::Shifted) => " (per year, shifted)",
        (Lang::En, Some(DrawnPer::VillageYear), Treatment::Shifted) => " (per village-year, shifted)",
        (Lang::En, Some(DrawnPer::Village), Treatment::Fixed) => " (per village, fixed)",
        (Lang::En, Some(DrawnPer::Year), Treatment::Fixed) => " (per year, fixed)",
        (Lang::En, Some(DrawnPer::VillageYear), Treatment::Fixed) => " (per village-year, fixed)",
        (Lang::Zh, Some(DrawnPer::Village), Treatment::Shifted) => "（每村，平移）",
        (Lang::Zh, Some(DrawnPer::Year), Treatment::Shifted) => "（每年，平移）",
        (Lang::Zh, Some(DrawnPer::VillageYear), Treatment::Shifted) => "（每村每年，平移）",
        (Lang::Zh, Some(DrawnPer::Village), Treatment::Fixed) => "（每村，固定）",
        (Lang::Zh, Some(DrawnPer::Year), Treatment::Fixed) => "（每年，固定）",
        (Lang::Zh, Some(DrawnPer::VillageYear), Treatment::Fixed) => "（每村每年，固定）",
    }
}

impl Tornado<'_> {
    /// Row `i`'s label: the input's name, fitted to the label column, and
    /// (for an input drawn per village or year) how it was moved, on a
    /// second line.
    fn label(&self, i: usize) -> (String, String) {
        let input = &self.r.inputs[i];
        let note = drawn_note(self.lang, input.per, input.treatment)
            .trim()
            .trim_start_matches(['(', '（'])
            .trim_end_matches([')', '）'])
            .to_string();
        (fit(&input.name, TICK_PX, LABEL_MAX_W), note)
    }

    /// The title's lines, as the header wraps them.
    fn title_lines(&self) -> i32 {
        wrap(&tornado_title(self.r, self.lang), TITLE_PX, HEADER_W).len().max(1) as i32
    }
}

const TORNADO_TOP: u32 = 96;
/// The widest label left of the plot, pixels.
const LABEL_MAX_W: i32 = 330;
const TORNADO_BOTTOM: u32 = 78;

impl DrawChart for Tornado<'_> {
    fn height(&self) -> u32 {
        let extra = (TITLE_LINE_H * (self.title_lines() - 1)) as u32;
        TORNADO_TOP + extra + TORNADO_BOTTOM + TORNADO_ROW_H * self.rows.max(3) as u32 + 24
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
            .map(|i| {
                let (name, note) = self.label(i);
                text_width(&name, TICK_PX).max(text_width(&note, NOTE_PX))
            })
            .max()
            .unwrap_or(40)
            .min(LABEL_MAX_W);
        let body = root.margin(top, 0, 0, 0);
        let n = self.rows as f64;
        // Room for the values beside the bars may reach below 0 villages:
        // no tick says a negative count.
        let xtick = |v: &f64| {
            if *v < -1e-9 {
                String::new()
            } else {
                grouped(*v, if (x1 - x0) < 5.0 { 1 } else { 0 })
            }
        };
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
                Lang::En => format!(
                    "Villages below the floor of {} in {} (mean over the runs)",
                    crate::format::money_sig(Lang::En, r.floor_yuan),
                    r.year
                ),
                Lang::Zh => format!(
                    "{}年低于{}底线的村数（各次模拟的平均）",
                    r.year,
                    crate::format::money_sig(Lang::Zh, r.floor_yuan)
                ),
            })
            .draw()?;
        for i in 0..self.rows {
            self.draw_row(root, &chart, i, x0, t)?;
        }
        let base = r.baseline;
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
            item(Swatch::Line(TEXT), format!("{}{}", w.as_in_file, villages(r.baseline))),
        ]];
        let policy = shorten(&Labels::new(self.lang).policy_name(r.policy), 34);
        let name = shorten(r.scenario_name, 40);
        let runs = grouped(r.runs as f64, 0);
        let title = tornado_title(r, self.lang);
        let subtitle = match self.lang {
            Lang::En => format!(
                "{name}, {policy}: mean over {runs} runs; each input at its P10 and P90, the others as in the file"
            ),
            Lang::Zh => format!("{name}，{policy}：{runs} 次模拟的平均；每个输入分别取 P10 和 P90，其余取文件中的值"),
        };
        draw_header(root, t, &title, &fit(&subtitle, SUBTITLE_PX, HEADER_W), &legend)
    }

    /// The x range: every median shown and the baseline, with room at both
    /// ends for the input values written beside the bars.
    fn x_range(&self) -> (f64, f64) {
        let r = self.r;
        let (lo, hi) = r.inputs[..self.rows]
            .iter()
            .flat_map(|i| [i.at_p10, i.at_p90])
            .chain([r.baseline])
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
        // At least one village wide, so that a tiny swing is drawn tiny.
        let span = (hi - lo).max(1.0);
        (lo - 0.3 * span, hi + 0.3 * span)
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
        let base = self.r.baseline;
        let yc = self.rows as f64 - i as f64 - 0.5;
        let (y_top, y_bottom) = (yc + 0.32, yc - 0.32);
        for (m, color) in [(input.at_p10, LOW_COLOR), (input.at_p90, HIGH_COLOR)] {
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
            (input.at_p10, &input.p10, LOW_COLOR),
            (input.at_p90, &input.p90, HIGH_COLOR),
        ];
        let (left, right) = if input.at_p10 <= input.at_p90 {
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
        let (name, note) = self.label(i);
        let name_y = if note.is_empty() {
            ly - (0.62 * TICK_PX) as i32
        } else {
            ly - TICK_PX as i32 - 1
        };
        root.draw(&Text::new(
            name,
            (plot_left - 8, name_y),
            t.text(TICK_PX, TEXT, HPos::Right),
        ))?;
        if !note.is_empty() {
            root.draw(&Text::new(
                note,
                (plot_left - 8, ly + 1),
                t.text(NOTE_PX - 2.0, MUTED, HPos::Right),
            ))?;
        }
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

/// Writes `tornado.svg` and `tornado.png` into `dir` and returns them (names
/// relative to `dir`; the SVG with its text, for a report to inline).
pub fn write_tornado(result: &TornadoInput, dir: &Path, lang: Lang) -> Result<Vec<WrittenChart>, ChartError> {
    ensure_fonts()?;
    let fig = Tornado {
        r: result,
        rows: result.inputs.len().min(TORNADO_MAX_ROWS),
        lang,
    };
    let mut written = Vec::new();
    write_chart(&fig, dir, "tornado", &mut written)?;
    Ok(written)
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
            "n，p：1,000 次模拟的平均；每个输入分别取 P10 和 P90，其余取文件中的值".to_string(),
            "2030年低于50万元底线的村数（各次模拟的平均）".to_string(),
            "另有 3 个影响较小的输入，见 sensitivity.csv".to_string(),
            "（每村，平移）（每年，固定）（每村每年，平移）".to_string(),
            "没有不确定输入改变2030年低于50万元的村数（12.5 个）".to_string(),
            "2030年低于50万元的村数最取决于村的自然增长率（21.3 至 26.0 个）".to_string(),
        ];
        assert_glyphs(&font, &texts);
    }
}
