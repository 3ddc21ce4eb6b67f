//! `sim check <file>...`: validate models, scenarios and sweep files.

use cascade_sim::diag::Diagnostics;
use cascade_sim::load::{file_kind_of, FileKind};
use cascade_sim::scenario::{load_model_file, load_scenario};
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct CheckArgs {
    /// Model, scenario or sweep files (`.ron`).
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

pub fn check_file(path: &Path) -> Result<String, Diagnostics> {
    let kind = file_kind_of(path);
    if kind == Some(FileKind::Sweep) {
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
    if kind == Some(FileKind::Scenario) {
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
