//! `sim check <file>...`: validate models, scenarios and sweep files.

use cascade_sim::diag::Diagnostics;
use cascade_sim::load::read_source;
use cascade_sim::scenario::{load_model_file, load_scenario};
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct CheckArgs {
    /// Model, scenario or sweep files (`.ron`).
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

/// A scenario names a model and sources; anything else is checked as a model.
fn looks_like_scenario(path: &Path) -> bool {
    read_source(path).is_ok_and(|s| {
        let t = s.text.trim_start();
        t.starts_with("Scenario") || (t.contains("sources") && t.contains("model"))
    })
}

/// A sweep file's first item (after comments) is `Sweep(`.
fn looks_like_sweep(path: &Path) -> bool {
    read_source(path).is_ok_and(|s| {
        s.text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with("//"))
            .is_some_and(|l| l.starts_with("Sweep"))
    })
}

pub fn check_file(path: &Path) -> Result<String, Diagnostics> {
    if looks_like_sweep(path) {
        let s = cascade_sim::sweep::load_sweep(path)?;
        return Ok(format!(
            "{}: ok — sweep `{}`: scenario `{}`, {} axes, {} points × {} replications ({}), seed {}",
            path.display(),
            s.name,
            s.base.name,
            s.axes.len(),
            s.points.len(),
            s.replications,
            s.design.label(),
            s.seed
        ));
    }
    if looks_like_scenario(path) {
        let s = load_scenario(path)?;
        Ok(format!(
            "{}: ok — scenario `{}`: model {} ({} services), {} sources, {} simulated, seed {}",
            path.display(),
            s.name,
            s.model_file.display(),
            s.model.services.len(),
            s.sources.len(),
            cascade_sim::spec::units::format_duration(s.duration),
            s.seed
        ))
    } else {
        let m = load_model_file(path)?;
        Ok(format!(
            "{}: ok — model with {} services, {} operations, {} call edges",
            path.display(),
            m.services.len(),
            m.operations.len(),
            m.edges.len()
        ))
    }
}

pub fn check(args: CheckArgs) -> i32 {
    let mut code = 0;
    for file in &args.files {
        match check_file(file) {
            Ok(line) => super::say(&(line + "\n")),
            Err(d) => {
                eprintln!("{d}");
                code = super::INVALID_INPUT;
            }
        }
    }
    code
}
