//! `SweepSpec` → [`Sweep`]: load the base scenario, resolve and type every axis, expand the
//! design, and try every value on a copy of the scenario, collecting every problem.

use super::design::{self, AxisValues, Design, MAX_POINTS};
use super::outcomes::{self, DEFAULT_OUTCOMES, OUTCOMES};
use super::resolve::resolve_path;
use super::spec::{DesignSpec, SweepSpec};
use super::values::parse_range;
use super::{Axis, SafeRule, Sweep};
use crate::diag::{did_you_mean, Diagnostic, Diagnostics, Source};
use crate::load::{parse_ron, read_source};
use crate::model::fnv1a;
use crate::scenario::{load_scenario, resolve_scenario_path};
use std::path::Path;

pub fn load_sweep(path: &Path) -> Result<Sweep, Diagnostics> {
    let src = read_source(path)?;
    let spec: SweepSpec = parse_ron(&src)?;
    let name = sweep_name(&spec, &src)?;
    let beside = path.parent().unwrap_or(Path::new(".")).join(&spec.scenario);
    let scenario_path = if beside.is_file() {
        beside
    } else {
        resolve_scenario_path(&spec.scenario)
    };
    if !scenario_path.is_file() {
        return Err(src
            .error(
                src.find_field(&[], "scenario"),
                "scenario",
                format!("scenario `{}` does not exist", spec.scenario),
            )
            .with_hint("give a path relative to the sweep file's folder, or a name in ./scenarios/")
            .into());
    }
    let base = load_scenario(&scenario_path)?;
    let scenario_text = read_source(&scenario_path)?.text;
    let mut errors = Vec::new();
    let axes = check_axes(&spec, &src, &base, &mut errors);
    let mut outcomes = check_outcomes(&spec, &src, &mut errors);
    let safe = check_safe(&spec, &src, &mut outcomes, &mut errors);
    let plots = check_plots(&spec, &src, &outcomes, safe, &mut errors);
    if spec.replications == 0 {
        errors.push(
            src.error(
                src.find_field(&[], "replications"),
                "replications",
                "replications must be at least 1",
            )
            .with_hint("each replication reruns every point with its own seed"),
        );
    }
    let design = match spec.design {
        DesignSpec::Grid => Design::Grid,
        DesignSpec::Random { points } => Design::Random { points },
        DesignSpec::LatinHypercube { points } => Design::LatinHypercube { points },
    };
    if matches!(
        design,
        Design::Random { points: 0 } | Design::LatinHypercube { points: 0 }
    ) {
        errors.push(
            src.error(
                src.find_field(&[], "design"),
                "design",
                "the design has 0 points",
            )
            .with_hint("e.g. design: LatinHypercube(points: 50)"),
        );
    }
    let grid_size = axes
        .iter()
        .try_fold(1u64, |n, a| n.checked_mul(a.values.len() as u64));
    if design == Design::Grid && grid_size.is_none_or(|n| n > MAX_POINTS) {
        errors.push(
            src.error(
                src.find_field(&[], "axes"),
                "axes",
                format!("the grid has more than {MAX_POINTS} points"),
            )
            .with_hint("use fewer values, or design: LatinHypercube(points: N)"),
        );
    }
    if !errors.is_empty() {
        return Err(Diagnostics(errors));
    }
    let seed = spec.seed.unwrap_or(base.seed);
    let views: Vec<AxisValues> = axes
        .iter()
        .map(|a| AxisValues {
            kind: &a.resolved.param.kind,
            values: &a.values,
            span: a.span.as_ref(),
        })
        .collect();
    let points = match design {
        Design::Grid => design::grid(&views),
        Design::Random { points } => design::random(&views, points, seed),
        Design::LatinHypercube { points } => design::latin_hypercube(&views, points, seed),
    };
    drop(views);
    let mut entry: Vec<String> = Vec::new();
    for s in &base.sources {
        let name = &base.model.services[s.service as usize].name;
        if !entry.contains(name) {
            entry.push(name.clone());
        }
    }
    let hash = fnv1a(
        format!(
            "{}\0{}\0{:016x}\0{}",
            src.text,
            scenario_text,
            base.model.hash,
            env!("CARGO_PKG_VERSION")
        )
        .as_bytes(),
    );
    Ok(Sweep {
        name,
        file: path.to_path_buf(),
        base,
        axes,
        design,
        replications: spec.replications,
        seed,
        outcomes,
        safe,
        plots,
        points,
        entry,
        hash,
    })
}

fn sweep_name(spec: &SweepSpec, src: &Source) -> Result<String, Diagnostic> {
    let name = spec.name.clone().unwrap_or_else(|| {
        src.file
            .file_stem()
            .map_or_else(|| "sweep".into(), |s| s.to_string_lossy().into_owned())
    });
    if name.is_empty() || name.contains(['/', '\\']) || name.contains("..") {
        return Err(src
            .error(
                src.find_field(&[], "name"),
                "name",
                format!("`{name}` cannot name an output directory"),
            )
            .with_hint("use letters, digits, '-' and '_'; no '/', '\\' or '..'"));
    }
    Ok(name)
}

/// Context that makes `find_quoted` / `find_field` search inside axis `i`.
fn axis_context(i: usize) -> Vec<&'static str> {
    let mut ctx = vec!["axes"];
    ctx.extend(std::iter::repeat_n("Axis(", i + 1));
    ctx
}

fn check_axes(
    spec: &SweepSpec,
    src: &Source,
    base: &crate::scenario::Scenario,
    errors: &mut Vec<Diagnostic>,
) -> Vec<Axis> {
    if spec.axes.is_empty() {
        errors.push(
            src.error(src.find_field(&[], "axes"), "axes", "the sweep has no axes")
                .with_hint("add Axis(path: \"services.db.workers\", values: [10, 20, 40])"),
        );
    }
    let mut axes: Vec<Axis> = Vec::new();
    for (i, a) in spec.axes.iter().enumerate() {
        let ctx = axis_context(i);
        let field = format!("axes[{i}]");
        let at_path = src
            .find_quoted(&ctx, &a.path.replace('"', "\\\""))
            .or_else(|| src.find_field(&ctx, "path"));
        let mut fail = |loc: Option<(usize, usize)>, sub: &str, msg: String, hint: &str| {
            errors.push(
                src.error(loc, format!("{field}{sub}"), format!("{}: {msg}", a.path))
                    .with_hint(hint),
            );
        };
        if axes.iter().any(|b| b.path == a.path) {
            fail(
                at_path,
                ".path",
                "the same parameter is already an axis".into(),
                "give each parameter one axis",
            );
            continue;
        }
        let resolved = match resolve_path(&a.path, base) {
            Ok(r) => r,
            Err(e) => {
                errors.push(
                    src.error(at_path, format!("{field}.path"), e.message)
                        .with_hint(e.hint),
                );
                continue;
            }
        };
        let kind = resolved.param.kind;
        let (values, span) = match (&a.values, &a.range) {
            (Some(list), None) => {
                let loc = src.find_field(&ctx, "values");
                if list.is_empty() {
                    fail(
                        loc,
                        ".values",
                        "the list of values is empty".into(),
                        "give at least one value",
                    );
                    continue;
                }
                let mut values = Vec::new();
                for (j, v) in list.iter().enumerate() {
                    match kind.parse(v) {
                        Ok(x) if values.contains(&x) => fail(
                            loc,
                            &format!(".values[{j}]"),
                            format!("{v} is listed twice"),
                            "list each value once",
                        ),
                        Ok(x) => values.push(x),
                        Err(e) => fail(
                            loc,
                            &format!(".values[{j}]"),
                            e,
                            "see docs/sweeps.md, Parameters",
                        ),
                    }
                }
                (values, None)
            }
            (None, Some(range)) => match parse_range(&kind, range) {
                Ok(span) => (span.expand(&kind), Some(span)),
                Err(e) => {
                    fail(
                        src.find_field(&ctx, "range"),
                        ".range",
                        e,
                        "e.g. range: Linear(from: 10, to: 50, steps: 5)",
                    );
                    continue;
                }
            },
            _ => {
                fail(
                    at_path,
                    "",
                    "give either `values` or `range`, not both or neither".into(),
                    "values: [10, 20] or range: Linear(from: 10, to: 50, steps: 5)",
                );
                continue;
            }
        };
        // Try every value on the scenario as the earlier axes leave it, so that problems
        // only the scenario can see (a rate on a time-varying source) fail now.
        let mut before = base.clone();
        for b in &axes {
            let _ = (b.resolved.param.apply)(&mut before, b.resolved.target, b.values[0]);
        }
        for v in &values {
            if let Err(e) = (resolved.param.apply)(&mut before.clone(), resolved.target, *v) {
                fail(
                    at_path,
                    ".path",
                    format!("value {}: {e}", v.label()),
                    "change the scenario or the axis",
                );
                break;
            }
        }
        axes.push(Axis {
            path: a.path.clone(),
            resolved,
            values,
            span,
        });
    }
    axes
}

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

fn check_outcomes(
    spec: &SweepSpec,
    src: &Source,
    errors: &mut Vec<Diagnostic>,
) -> Vec<&'static outcomes::OutcomeDef> {
    let names: Vec<String> = spec
        .outcomes
        .clone()
        .unwrap_or_else(|| DEFAULT_OUTCOMES.iter().map(|s| s.to_string()).collect());
    let mut out: Vec<&'static outcomes::OutcomeDef> = Vec::new();
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
fn check_safe(
    spec: &SweepSpec,
    src: &Source,
    outcomes: &mut Vec<&'static outcomes::OutcomeDef>,
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

fn check_plots(
    spec: &SweepSpec,
    src: &Source,
    outcomes: &[&'static outcomes::OutcomeDef],
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
