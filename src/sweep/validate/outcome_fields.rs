//! Checking the outcome names of a sweep file: `outcomes`, `safe` and `plots`.

use crate::diag::{did_you_mean, Diagnostic, Source};
use crate::sweep::outcomes::{self, OutcomeDef, DEFAULT_OUTCOMES, OUTCOMES};
use crate::sweep::spec::SweepSpec;
use crate::sweep::SafeRule;

fn unknown_outcome(src: &Source, path: &str, name: &str, ctx: &[&str]) -> Diagnostic {
    let hint = match did_you_mean(name, OUTCOMES.iter().map(|o| o.name)) {
        Some(n) => format!("did you mean `{n}`?"),
        None => format!(
            "outcomes are: {}",
            OUTCOMES
                .iter()
                .map(|o| o.name)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    src.error(
        src.find_quoted(ctx, name),
        path,
        format!("unknown outcome `{name}`"),
    )
    .with_hint(hint)
}

pub(super) fn check_outcomes(
    spec: &SweepSpec,
    src: &Source,
    errors: &mut Vec<Diagnostic>,
) -> Vec<&'static OutcomeDef> {
    let names: Vec<String> = spec
        .outcomes
        .clone()
        .unwrap_or_else(|| DEFAULT_OUTCOMES.iter().map(|s| s.to_string()).collect());
    let mut out: Vec<&'static OutcomeDef> = Vec::new();
    for (i, n) in names.iter().enumerate() {
        match outcomes::find(n) {
            Some(def) if out.iter().any(|o| o.name == def.name) => {}
            Some(def) => out.push(def),
            None => errors.push(unknown_outcome(
                src,
                &format!("outcomes[{i}]"),
                n,
                &["outcomes"],
            )),
        }
    }
    if out.is_empty() && errors.is_empty() {
        errors.push(
            src.error(
                src.find_field(&[], "outcomes"),
                "outcomes",
                "no outcomes to record",
            )
            .with_hint("e.g. outcomes: [\"entry_success_rate\"]"),
        );
    }
    out
}

/// The safe rule's outcome is recorded even when `outcomes` does not list it.
pub(super) fn check_safe(
    spec: &SweepSpec,
    src: &Source,
    outcomes: &mut Vec<&'static OutcomeDef>,
    errors: &mut Vec<Diagnostic>,
) -> Option<SafeRule> {
    let safe = spec.safe.as_ref()?;
    let Some(def) = outcomes::find(&safe.outcome) else {
        errors.push(unknown_outcome(
            src,
            "safe.outcome",
            &safe.outcome,
            &["safe"],
        ));
        return None;
    };
    let outcome = match outcomes.iter().position(|o| o.name == def.name) {
        Some(i) => i,
        None => {
            outcomes.push(def);
            outcomes.len() - 1
        }
    };
    let loc = src.find_field(&[], "safe");
    match (safe.at_least, safe.at_most) {
        (Some(t), None) if t.is_finite() => Some(SafeRule::AtLeast {
            outcome,
            threshold: t,
        }),
        (None, Some(t)) if t.is_finite() => Some(SafeRule::AtMost {
            outcome,
            threshold: t,
        }),
        _ => {
            errors.push(
                src.error(
                    loc,
                    "safe",
                    "give exactly one finite `at_least` or `at_most`",
                )
                .with_hint("e.g. safe: Safe(outcome: \"entry_success_rate\", at_least: 0.99)"),
            );
            None
        }
    }
}

pub(super) fn check_plots(
    spec: &SweepSpec,
    src: &Source,
    outcomes: &[&'static OutcomeDef],
    safe: Option<SafeRule>,
    errors: &mut Vec<Diagnostic>,
) -> Vec<usize> {
    let Some(names) = &spec.plots else {
        return vec![safe.map_or(0, SafeRule::outcome)];
    };
    let mut out = Vec::new();
    for (i, n) in names.iter().enumerate() {
        match outcomes.iter().position(|o| o.name == n) {
            Some(j) if !out.contains(&j) => out.push(j),
            Some(_) => {}
            None if outcomes::find(n).is_some() => errors.push(
                src.error(
                    src.find_quoted(&["plots"], n),
                    format!("plots[{i}]"),
                    format!("`{n}` is not among the recorded outcomes"),
                )
                .with_hint("add it to `outcomes`"),
            ),
            None => errors.push(unknown_outcome(src, &format!("plots[{i}]"), n, &["plots"])),
        }
    }
    out
}
