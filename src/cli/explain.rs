//! `villagesim explain`: a kind's parameters, units, defaults and equations,
//! or those of the scenario's `[accounting]` table or a loan's `credit`
//! table.

use super::CliError;

/// `villagesim explain`.
pub fn explain(kind: Option<&str>, markdown: bool) -> Result<(), CliError> {
    let mut docs = villagesim::model::docs();
    let Some(kind) = kind else {
        say!("Kinds of intervention (villagesim explain KIND for details):");
        for d in &docs {
            say!("  {:<22} {}", d.kind, d.chinese);
        }
        say!("Tables (villagesim explain TABLE):");
        say!(
            "  {:<22} the scenario's [accounting] rules: public discount rate, taxes",
            "accounting"
        );
        say!(
            "  {:<22} what stands behind a loan of pv_loan or cluster_purchase",
            "credit"
        );
        return Ok(());
    };
    docs.push(villagesim::model::accounts::doc());
    docs.push(villagesim::model::finance::credit::doc());
    let Some(doc) = docs.iter().find(|d| d.kind == kind) else {
        let names: Vec<&str> = docs.iter().map(|d| d.kind).collect();
        let hint = villagesim::model::param::closest(kind, &names)
            .map_or(String::new(), |c| format!(" (did you mean `{c}`?)"));
        return Err(CliError::Usage(format!(
            "unknown kind or table `{kind}`{hint}; kinds and tables: {}",
            names.join(", ")
        )));
    };
    say_raw!("{}", if markdown { doc.markdown() } else { doc.explain() });
    Ok(())
}
