//! `SweepSpec` → [`Sweep`]: load the base scenario, resolve and type every axis, expand the
//! design, and try every value on a copy of the scenario, collecting every problem.

use super::design::{self, AxisValues, Design, MAX_POINTS};
use super::spec::{DesignSpec, SweepSpec};
use super::Sweep;
use crate::diag::{Diagnostic, Diagnostics, Source};
use crate::load::{parse_ron, read_source};
use crate::model::fnv1a;
use crate::scenario::{load_scenario, resolve_scenario_path};
use std::path::Path;

mod axes;
mod outcome_fields;

use axes::check_axes;
use outcome_fields::{check_outcomes, check_plots, check_safe};

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
