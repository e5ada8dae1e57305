//! The brief of a parameter sweep (`villagesim sweep`): `report.html`
//! (self-contained like the run's brief: the charts as inline SVG, the same
//! `report.css`, the page font embedded, no script, printable on A4) and
//! `report.md`, rendered by `templates/sweep.html` and `templates/sweep.md`
//! from a plain [`SweepBrief`] that `analysis::sweep` builds.
//!
//! The lead says in words what the sweep shows for the outcomes that
//! matter, along the swept parameter: villages below the floor in the year
//! the brief answers for (with their 90% interval), when full coverage is
//! reached (or in how many runs) and the fiscal cost. Every chance is
//! [`odds`], every interval [`interval`], every figure rounded to its Monte
//! Carlo error ([`count`], [`money_mc`]), so each sentence is true of the
//! figures in `sweep.csv`.

use askama::Template;

use super::filters;
use super::view::Block;
use page::{build, title, words};

mod page;
use super::words::quoted;
use crate::format::{count, grouped, interval, money, money_mc, odds, Ends, Lang};
use crate::summary::results::Stat;

/// Most rows of the table of points; past it the table shows the policy
/// spoken of only, then every k-th point (all are in `sweep.csv`).
pub const MAX_ROWS: usize = 120;

/// A swept parameter: its words and its values as people read them.
#[derive(Debug, Clone)]
pub struct BriefAxis {
    /// In words, in the brief's language ("消薄基金的年回报率").
    pub words: String,
    pub values: Vec<f64>,
    /// Each value for people (`6%`, `50万元`).
    pub shown: Vec<String>,
}

/// One policy's outcomes at one point.
#[derive(Debug, Clone, Copy)]
pub struct BriefOutcome {
    pub below_floor: Stat,
    pub full_coverage: Stat,
    pub mean_income: Stat,
    /// The first year of full coverage in at least half the runs.
    pub coverage_year: Option<i32>,
    /// The chance of full coverage by the point's final year.
    pub p_coverage_by_end: f64,
    pub fiscal_cost: Option<Stat>,
}

/// One point of the grid.
#[derive(Debug, Clone)]
pub struct BriefPoint {
    /// The index of each axis's value.
    pub at: Vec<usize>,
    /// The year of the outcomes and the point's final year.
    pub year: i32,
    pub final_year: i32,
    /// One per policy.
    pub outcomes: Vec<BriefOutcome>,
}

/// A chart of the sweep: its file stem, its title (the message) and its SVG.
#[derive(Debug, Clone)]
pub struct BriefChart {
    pub stem: String,
    pub title: String,
    pub svg: Option<String>,
}

/// Everything the sweep's brief says, already in its language.
#[derive(Debug, Clone)]
pub struct SweepBrief {
    pub lang: Lang,
    pub tool: String,
    pub version: String,
    pub scenario_name: String,
    pub scenario_file: String,
    pub command_line: Vec<String>,
    pub runs: u64,
    pub seed: u64,
    pub villages: usize,
    /// The floor, yuan; `None` when the sweep moves it.
    pub floor_yuan: Option<f64>,
    /// The year of the outcomes when every point has the same.
    pub year: Option<i32>,
    /// One or two swept parameters.
    pub axes: Vec<BriefAxis>,
    /// The values fixed at every point: in words, and as given.
    pub fixed: Vec<(String, String)>,
    /// The policies' names.
    pub policies: Vec<String>,
    /// The policy spoken of first (and charted for two parameters).
    pub focus: usize,
    pub points: Vec<BriefPoint>,
    pub charts: Vec<BriefChart>,
}

impl SweepBrief {
    fn en(&self) -> bool {
        self.lang == Lang::En
    }

    /// Picks the English or the Chinese text.
    fn t<'s>(&self, en: &'s str, zh: &'s str) -> &'s str {
        if self.en() {
            en
        } else {
            zh
        }
    }

    /// "the floor of 500,000 yuan" / "底线 50万元"; "the floor" when swept.
    fn floor(&self) -> String {
        match (self.floor_yuan, self.lang) {
            (Some(f), Lang::En) => format!("the floor of {}", money(self.lang, f)),
            (Some(f), Lang::Zh) => format!("底线 {}", money(self.lang, f)),
            (None, Lang::En) => "the floor".into(),
            (None, Lang::Zh) => "底线".into(),
        }
    }

    fn policy(&self, p: usize) -> String {
        quoted(self.lang, &self.policies[p])
    }

    /// "in 2022" / "2022年"; "in the target year" when the points differ.
    fn year_words(&self) -> String {
        match (self.year, self.lang) {
            (Some(y), Lang::En) => format!("in {y}"),
            (Some(y), Lang::Zh) => format!("{y}年"),
            (None, lang) => {
                let finals = self.points.iter().all(|p| p.year == p.final_year);
                match (finals, lang) {
                    (true, Lang::En) => "in each point's final year".into(),
                    (true, Lang::Zh) => "各点末年".into(),
                    (false, Lang::En) => "in the target year (the final year where the target lies beyond it)".into(),
                    (false, Lang::Zh) => "目标年份（超出模拟期时为末年）".into(),
                }
            }
        }
    }

    /// The value of point `k` for people: `4%` or `4%, 3` (two axes, with
    /// the parameters named: `return 4%, years 3`).
    fn at(&self, k: usize, named: bool) -> String {
        let point = &self.points[k];
        let parts: Vec<String> = self
            .axes
            .iter()
            .zip(&point.at)
            .map(|(a, &i)| {
                if named {
                    match self.lang {
                        Lang::En => format!("{} {}", a.words, a.shown[i]),
                        Lang::Zh => format!("{}为 {}", a.words, a.shown[i]),
                    }
                } else {
                    a.shown[i].clone()
                }
            })
            .collect();
        parts.join(self.t(", ", "，"))
    }
}

/// Villages below the floor with their 90% interval: "14.2 (90% of runs: 11
/// to 17)", "14.2 个（90% 的模拟在 11 至 17 个之间）"; "none, in any run"
/// when no run has one.
pub fn villages(lang: Lang, s: &Stat) -> String {
    if s.max <= 0.0 && s.mean <= 0.0 {
        return match lang {
            Lang::En => "none, in any run".into(),
            Lang::Zh => "0 个（任何一次模拟中都没有）".into(),
        };
    }
    match (interval(s.mean, s.p5, s.p95, Ends::Whole, |x| count(x, s.se)), lang) {
        ((m, None), Lang::En) => m,
        ((m, None), Lang::Zh) => format!("{m} 个"),
        ((m, Some((lo, hi))), Lang::En) => format!("{m} (90% of runs: {lo} to {hi})"),
        ((m, Some((lo, hi))), Lang::Zh) => format!("{m} 个（90% 的模拟在 {lo} 至 {hi} 个之间）"),
    }
}

/// Money with its 90% interval, rounded to its Monte Carlo error.
fn money_range(lang: Lang, s: &Stat) -> String {
    crate::format::with_interval(lang, s.mean, s.p5, s.p95, Ends::Same, |x| money_mc(lang, x, s.se))
}

/// How the count of villages moves from `a` to `b`: -1 fewer, 0 the same
/// at the precision the runs support, 1 more.
fn direction(a: &Stat, b: &Stat) -> i32 {
    let (x, y) = (count(a.mean, a.se), count(b.mean, b.se));
    if x == y || a.mean == b.mean {
        0
    } else if b.mean < a.mean {
        -1
    } else {
        1
    }
}

/// The sentence on villages below the floor under policy `p` from point
/// `i` to point `j` along the first axis: "Raising X from 4% to 10% lowers
/// the villages below the floor of 500,000 yuan in 2022 under “fund” from
/// 14.2 (…) to 9.1 (…)."; `with`: the context of a second axis.
fn below_sentence(b: &SweepBrief, p: usize, i: usize, j: usize, with: Option<String>) -> String {
    let axis = &b.axes[0];
    let (pi, pj) = (&b.points[i], &b.points[j]);
    let (vi, vj) = (&axis.shown[pi.at[0]], &axis.shown[pj.at[0]]);
    let rising = axis.values[pj.at[0]] >= axis.values[pi.at[0]];
    let (x, y) = (&pi.outcomes[p].below_floor, &pj.outcomes[p].below_floor);
    let floor = b.floor();
    let year = b.year_words();
    let policy = b.policy(p);
    let what = &axis.words;
    let (tx, ty) = (villages(b.lang, x), villages(b.lang, y));
    let none = x.max <= 0.0 && y.max <= 0.0 && x.mean <= 0.0 && y.mean <= 0.0;
    let same = x == y;
    let dir = direction(x, y);
    match b.lang {
        Lang::En => {
            let with = with.map_or(String::new(), |w| format!("With {w}, "));
            if none {
                let at = if with.is_empty() { "At" } else { "at" };
                return format!(
                    "{with}{at} {what} {vi} as at {vj}, no village is below {floor} {year} under {policy}, in any run."
                );
            }
            let verb = if rising { "Raising" } else { "Lowering" };
            let verb = if with.is_empty() {
                verb.to_string()
            } else {
                verb.to_lowercase()
            };
            let head = format!("{with}{verb} {what} from {vi} to {vj}");
            let subject = format!("the villages below {floor} {year} under {policy}");
            match dir {
                _ if same => format!("{head} does not change {subject}: {tx}, at {vi} as at {vj}."),
                0 => format!("{head} hardly changes {subject}: {tx} at {vi}, {ty} at {vj}."),
                -1 => format!("{head} lowers {subject} from {tx} to {ty}."),
                _ => format!("{head} raises {subject} from {tx} to {ty}."),
            }
        }
        Lang::Zh => {
            let with = with.map_or(String::new(), |w| format!("{w}时，"));
            if none {
                return format!(
                    "{with}{what}为 {vi} 与 {vj} 时，{policy}下{year}在任何一次模拟中都没有村低于{floor}。"
                );
            }
            let verb = if rising { "提高" } else { "降低" };
            let head = format!("{with}将{what}从 {vi} {verb}到 {vj}，{policy}下{year}低于{floor}的村");
            match dir {
                _ if same => format!("{head}不变：{vi} 与 {vj} 时均为 {tx}。"),
                0 => format!("{head}几乎不变：{vi} 时 {tx}，{vj} 时 {ty}。"),
                -1 => format!("{head}由 {tx}减至 {ty}。"),
                _ => format!("{head}由 {tx}增至 {ty}。"),
            }
        }
    }
}

/// Whether policy `p`'s outcomes are the same at points `i` and `j`.
fn points_equal(b: &SweepBrief, p: usize, i: usize, j: usize) -> bool {
    let (x, y) = (&b.points[i].outcomes[p], &b.points[j].outcomes[p]);
    x.below_floor == y.below_floor && x.mean_income == y.mean_income && x.full_coverage == y.full_coverage
}

/// Whether policy `p`'s outcomes are the same at every point.
fn unchanged(b: &SweepBrief, p: usize) -> bool {
    (1..b.points.len()).all(|k| points_equal(b, p, 0, k))
}

/// "; the fewest, 8.7 (…), at 8%": when the fewest villages below the
/// floor among `ks` are at neither end and fewer than at both.
fn fewest_between(b: &SweepBrief, p: usize, ks: &[usize]) -> String {
    let (Some(&first), Some(&last)) = (ks.first(), ks.last()) else {
        return String::new();
    };
    let Some(&k) = ks.iter().min_by(|&&x, &&y| {
        let (a, c) = (
            &b.points[x].outcomes[p].below_floor,
            &b.points[y].outcomes[p].below_floor,
        );
        a.mean.total_cmp(&c.mean)
    }) else {
        return String::new();
    };
    let s = &b.points[k].outcomes[p].below_floor;
    let ends = [first, last].map(|e| b.points[e].outcomes[p].below_floor);
    if k == first || k == last || ends.iter().any(|e| direction(e, s) != -1) {
        return String::new();
    }
    let at = &b.axes[0].shown[b.points[k].at[0]];
    match b.lang {
        Lang::En => format!(" The fewest are at {at}: {}.", villages(b.lang, s)),
        Lang::Zh => format!("{at} 时最少：{}。", villages(b.lang, s)),
    }
}

/// When full coverage is reached at point `k` under `p`: "in none of the
/// 1,000 runs by 2022 at 4%" / "by 2021 in half the runs (by 2022, in about
/// 3 runs in 4 (75.0%)) at 10%".
fn coverage_at(b: &SweepBrief, p: usize, k: usize) -> String {
    let point = &b.points[k];
    let o = &point.outcomes[p];
    let end = point.final_year;
    let chance = odds(b.lang, o.p_coverage_by_end, b.runs);
    let at = b.at(k, b.axes.len() > 1);
    match (o.coverage_year, b.lang) {
        (Some(y), Lang::En) => format!("by {y} in at least half the runs at {at} (by {end}, {chance})"),
        (Some(y), Lang::Zh) => format!("{at} 时半数及以上的模拟到{y}年已实现（到{end}年{chance}实现）"),
        (None, Lang::En) => format!("by {end} {chance} at {at}"),
        (None, Lang::Zh) => format!("{at} 时到{end}年{chance}实现"),
    }
}

/// Full coverage and the fiscal cost at points `i` and `j` under `p`.
fn coverage_and_cost(b: &SweepBrief, p: usize, i: usize, j: usize) -> String {
    let (oi, oj) = (&b.points[i].outcomes[p], &b.points[j].outcomes[p]);
    let end = b.points[i].final_year;
    let same = oi.coverage_year == oj.coverage_year
        && end == b.points[j].final_year
        && odds(b.lang, oi.p_coverage_by_end, b.runs) == odds(b.lang, oj.p_coverage_by_end, b.runs);
    let mut s = if same {
        let chance = odds(b.lang, oi.p_coverage_by_end, b.runs);
        let (ai, aj) = (b.at(i, b.axes.len() > 1), b.at(j, b.axes.len() > 1));
        match (oi.coverage_year, b.lang) {
            (None, Lang::En) => format!(
                " Full coverage (every village at the floor) is reached by {end} {chance}, at {ai} as at {aj}."
            ),
            (None, Lang::Zh) => format!("全覆盖（所有村达到底线）：{ai} 与 {aj} 时相同，到{end}年{chance}实现。"),
            (Some(y), Lang::En) => format!(
                " Full coverage (every village at the floor) is reached by {y} in at least half the runs (by {end}, {chance}), at {ai} as at {aj}."
            ),
            (Some(y), Lang::Zh) => format!(
                "全覆盖（所有村达到底线）：{ai} 与 {aj} 时相同，半数及以上的模拟到{y}年已实现（到{end}年{chance}实现）。"
            ),
        }
    } else {
        let (ci, cj) = (coverage_at(b, p, i), coverage_at(b, p, j));
        match b.lang {
            Lang::En => format!(" Full coverage (every village at the floor) is reached {ci}, and {cj}."),
            Lang::Zh => format!("全覆盖（所有村达到底线）：{ci}；{cj}。"),
        }
    };
    let cost = |k: usize| b.points[k].outcomes[p].fiscal_cost;
    if let (Some(x), Some(y)) = (cost(i), cost(j)) {
        if x.max != 0.0 || y.max != 0.0 || x.min != 0.0 || y.min != 0.0 {
            let (ai, aj) = (b.at(i, b.axes.len() > 1), b.at(j, b.axes.len() > 1));
            let (fx, fy) = (money_range(b.lang, &x), money_range(b.lang, &y));
            s += &match b.lang {
                Lang::En => format!(" The fiscal cost over the horizon is {fx} at {ai} and {fy} at {aj}."),
                Lang::Zh => format!("期内财政成本：{ai} 时 {fx}，{aj} 时 {fy}。"),
            };
        } else {
            s += b.t(" It has no fiscal cost at either value.", "两端取值下均无财政成本。");
        }
    }
    s
}

/// The points along the first axis with the second at its `j2`-th value
/// (all points for one axis), in order.
fn line(b: &SweepBrief, j2: usize) -> Vec<usize> {
    (0..b.points.len())
        .filter(|&k| b.points[k].at.get(1).is_none_or(|&j| j == j2))
        .collect()
}

/// What the sweep shows for policy `p`, in sentences.
pub fn policy_sentences(b: &SweepBrief, p: usize) -> String {
    if b.points.len() > 1 && unchanged(b, p) {
        let o = &b.points[0].outcomes[p];
        return match b.lang {
            Lang::En => format!(
                "The outcomes are the same at every point (on the same random numbers): {} villages below the floor {}.",
                villages(b.lang, &o.below_floor),
                b.year_words()
            ),
            Lang::Zh => format!(
                "各点结果完全相同（使用相同的随机数）：{}低于底线的村 {}。",
                b.year_words(),
                villages(b.lang, &o.below_floor)
            ),
        };
    }
    if b.axes.len() == 1 {
        let ks = line(b, 0);
        let (i, j) = (ks[0], ks[ks.len() - 1]);
        return below_sentence(b, p, i, j, None) + &fewest_between(b, p, &ks) + &coverage_and_cost(b, p, i, j);
    }
    grid_sentences(b, p, p == b.focus)
}

/// Two parameters: the range over the grid, then (when `full`: for the
/// policy spoken of) along the first parameter at the second's first and
/// last values, full coverage and the fiscal cost.
fn grid_sentences(b: &SweepBrief, p: usize, full: bool) -> String {
    let all: Vec<usize> = (0..b.points.len()).collect();
    let by = |x: &usize, y: &usize| {
        let (a, c) = (
            &b.points[*x].outcomes[p].below_floor,
            &b.points[*y].outcomes[p].below_floor,
        );
        let (x, y) = (*x, *y);
        a.mean.total_cmp(&c.mean).then(x.cmp(&y))
    };
    let lo = all.iter().copied().min_by(by).unwrap_or(0);
    let hi = all.iter().copied().max_by(by).unwrap_or(0);
    let (tl, th) = (
        villages(b.lang, &b.points[lo].outcomes[p].below_floor),
        villages(b.lang, &b.points[hi].outcomes[p].below_floor),
    );
    let (al, ah) = (b.at(lo, true), b.at(hi, true));
    let n = grouped(b.points.len() as f64, 0);
    let (floor, year, policy) = (b.floor(), b.year_words(), b.policy(p));
    let (sl, sh) = (
        &b.points[lo].outcomes[p].below_floor,
        &b.points[hi].outcomes[p].below_floor,
    );
    let none = sh.max <= 0.0 && sh.mean <= 0.0;
    let mut s = match b.lang {
        Lang::En if none => {
            format!("At every one of the {n} points of the grid, no village is below {floor} {year} under {policy}, in any run.")
        }
        Lang::Zh if none => format!("在全部 {n} 个参数组合下，{policy}{year}在任何一次模拟中都没有村低于{floor}。"),
        Lang::En if tl == th || sl == sh => format!(
            "Over the {n} points of the grid, the villages below {floor} {year} under {policy} are {tl} at every point."
        ),
        Lang::Zh if tl == th || sl == sh => format!("在全部 {n} 个参数组合下，{policy}下{year}低于{floor}的村均为 {tl}。"),
        Lang::En => format!(
            "Over the {n} points of the grid, the villages below {floor} {year} under {policy} range from {tl} to {th}: the fewest at {al}, the most at {ah}."
        ),
        Lang::Zh => format!(
            "在全部 {n} 个参数组合中，{policy}下{year}低于{floor}的村介于 {tl}与 {th}之间：{al}时最少，{ah}时最多。"
        ),
    };
    if !full {
        return s;
    }
    let second = &b.axes[1];
    let mut ends = vec![0];
    if second.values.len() > 1 {
        ends.push(second.values.len() - 1);
    }
    for j2 in ends {
        let ks = line(b, j2);
        let with = match b.lang {
            Lang::En => format!("{} at {}", second.words, second.shown[j2]),
            Lang::Zh => format!("{}为 {}", second.words, second.shown[j2]),
        };
        if ks.len() > 1 {
            s += b.t(" ", "");
            s += &below_sentence(b, p, ks[0], ks[ks.len() - 1], Some(with));
        }
    }
    s + &coverage_and_cost(b, p, lo, hi)
}

/// The lead: what the sweep shows under the policy spoken of.
pub fn lead(b: &SweepBrief) -> String {
    policy_sentences(b, b.focus)
}

/// `report.html` of a sweep, laid out by `templates/sweep.html`.
#[derive(Template)]
#[template(path = "sweep.html")]
struct HtmlSweep<'a> {
    lang_attr: &'a str,
    tool: &'a str,
    version: &'a str,
    title: String,
    colon: &'a str,
    doc: Vec<Block>,
    charts: &'a [BriefChart],
}

impl HtmlSweep<'_> {
    fn svg(&self, stem: &str, title: &str) -> Option<String> {
        self.charts
            .iter()
            .find(|c| c.stem == stem)
            .and_then(|c| c.svg.as_deref())
            .map(|svg| super::inline_svg(svg, title))
    }

    fn th_class(&self, numeric: &[bool], i: usize) -> &'static str {
        if numeric[i] {
            " class=\"n\""
        } else {
            ""
        }
    }
}

/// `report.md` of a sweep, laid out by `templates/sweep.md`.
#[derive(Template)]
#[template(path = "sweep.md")]
struct MdSweep<'a> {
    colon: &'a str,
    doc: Vec<Block>,
}

impl MdSweep<'_> {
    fn rule(&self, numeric: &[bool]) -> String {
        let rule: Vec<&str> = numeric.iter().map(|&n| if n { "---:" } else { "---" }).collect();
        rule.join(" | ")
    }
}

/// The sweep's `report.html`: self-contained, printable on A4.
pub fn html(b: &SweepBrief) -> String {
    let w = words(b.lang);
    let page = HtmlSweep {
        lang_attr: w.lang_attr,
        tool: &b.tool,
        version: &b.version,
        title: title(b),
        colon: w.colon,
        doc: build(b),
        charts: &b.charts,
    };
    super::embed_page_font(&page.render().expect("the sweep template renders into a String"))
}

/// The sweep's `report.md`: the same content, charts as the PNG files.
pub fn markdown(b: &SweepBrief) -> String {
    let page = MdSweep {
        colon: words(b.lang).colon,
        doc: build(b),
    };
    page.render().expect("the sweep template renders into a String")
}
