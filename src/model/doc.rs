//! Self-description of each kind of intervention, for `villagesim explain`,
//! the JSON Schema and `docs/model.md`: one source for all three.

/// One parameter of a kind: the record of [`super::params`], under the
/// name the kind files import.
pub use super::params::ParamSpec as ParamDoc;

/// A kind of intervention: what it models, its equations and parameters.
#[derive(Debug, Clone, Copy)]
pub struct KindDoc {
    pub kind: &'static str,
    /// Chinese name of the measure, as in the source documents.
    pub chinese: &'static str,
    /// One paragraph for a planner.
    pub summary: &'static str,
    /// The equations, in plain text.
    pub equations: &'static str,
    /// Capital structure and public money: who pays for what.
    pub capital: &'static str,
    /// The kind's `PARAMS`: one record per parameter.
    pub params: &'static [ParamDoc],
}

impl KindDoc {
    /// The text `villagesim explain KIND` prints.
    pub fn explain(&self) -> String {
        let mut s = format!("{} ({})\n\n{}\n\nEquations:\n", self.kind, self.chinese, self.summary);
        for line in self.equations.lines() {
            s += &format!("  {line}\n");
        }
        s += &format!("\nCapital and public money:\n  {}\n\nParameters:\n", self.capital);
        let width = self.params.iter().map(|p| p.name.len()).max().unwrap_or(0);
        for p in self.params {
            let per = p.per.map_or("fixed".to_string(), |per| format!("per {}", per.as_str()));
            s += &format!(
                "  {:width$}  {} [{}; default {}; {}]\n",
                p.name,
                p.meaning,
                p.unit,
                p.default_text(),
                per
            );
        }
        s += "\nCommon keys: id, kind, name, description, villages, start_year, end_year.\n";
        s
    }

    /// The section of `docs/model.md` for this kind.
    pub fn markdown(&self) -> String {
        let mut s = format!(
            "## `{}` ({})\n\n{}\n\n```text\n{}\n```\n\n**Capital and public money.** {}\n\n",
            self.kind,
            self.chinese,
            self.summary,
            self.equations.trim_end(),
            self.capital
        );
        s += "| parameter | meaning | unit | default | default `per` |\n| --- | --- | --- | --- | --- |\n";
        // A `|` inside a cell would end it.
        let cell = |text: &str| text.replace('|', "\\|");
        for p in self.params {
            let per = p.per.map_or("fixed".to_string(), |per| per.as_str().to_string());
            s += &format!(
                "| `{}` | {} | {} | {} | {} |\n",
                p.name,
                cell(p.meaning),
                cell(p.unit),
                cell(&p.default_text()),
                per
            );
        }
        s
    }
}
