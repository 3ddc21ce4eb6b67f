//! Checking the axes of a sweep file: each path resolved, each value typed and tried on
//! the scenario.

use crate::diag::{Diagnostic, Source};
use crate::scenario::Scenario;
use crate::sweep::resolve::resolve_path;
use crate::sweep::spec::SweepSpec;
use crate::sweep::values::parse_range;
use crate::sweep::Axis;

/// Context that makes `find_quoted` / `find_field` search inside axis `i`.
fn axis_context(i: usize) -> Vec<&'static str> {
    let mut ctx = vec!["axes"];
    ctx.extend(std::iter::repeat_n("Axis(", i + 1));
    ctx
}

pub(super) fn check_axes(
    spec: &SweepSpec,
    src: &Source,
    base: &Scenario,
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
        // `"a->b"` and `"a -> b"` name the same edge: compare what the paths resolve to.
        if axes.iter().any(|b| {
            std::ptr::eq(b.resolved.param, resolved.param) && b.resolved.target == resolved.target
        }) {
            fail(
                at_path,
                ".path",
                "the same parameter is already an axis".into(),
                "give each parameter one axis",
            );
            continue;
        }
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
