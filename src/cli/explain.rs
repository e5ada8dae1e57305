//! `villagesim explain`: a kind's parameters, units, defaults and equations.

use super::CliError;

/// `villagesim explain`.
pub fn explain(kind: Option<&str>, markdown: bool) -> Result<(), CliError> {
    let docs = villagesim::model::docs();
    let Some(kind) = kind else {
        say!("Kinds of intervention (villagesim explain KIND for details):");
        for d in &docs {
            say!("  {:<22} {}", d.kind, d.chinese);
        }
        return Ok(());
    };
    let Some(doc) = docs.iter().find(|d| d.kind == kind) else {
        let names: Vec<&str> = docs.iter().map(|d| d.kind).collect();
        let hint = villagesim::model::param::closest(kind, &names)
            .map_or(String::new(), |c| format!(" (did you mean `{c}`?)"));
        return Err(CliError::Usage(format!(
            "unknown kind `{kind}`{hint}; kinds: {}",
            names.join(", ")
        )));
    };
    say_raw!("{}", if markdown { doc.markdown() } else { doc.explain() });
    Ok(())
}
