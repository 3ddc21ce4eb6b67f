//! `sim report <run dir>`: redraw a run's pictures from its saved files, without
//! simulating again.

use cascade_sim::report::{run_inputs::RunInputs, write_reports};
use cascade_sim::scenario::load_model_file;
use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub struct ReportArgs {
    /// A directory written by `sim run`.
    dir: PathBuf,
    /// Model file for the dependency graph (default: the one in run-inputs.json).
    #[arg(long)]
    model: Option<PathBuf>,
}

pub fn report(args: ReportArgs) -> i32 {
    let model_path = match (&args.model, RunInputs::read(&args.dir)) {
        (Some(path), _) => Some(path.clone()),
        (None, Ok(Some(inputs))) => Some(inputs.model),
        (None, Ok(None)) => None,
        (None, Err(e)) => {
            eprintln!("error: {e}");
            return super::INVALID_INPUT;
        }
    };
    let model = match model_path.as_deref().map(load_model_file) {
        Some(Ok(m)) => Some(m),
        Some(Err(d)) if args.model.is_some() => {
            eprintln!("{d}");
            return super::INVALID_INPUT;
        }
        Some(Err(_)) => {
            eprintln!(
                "warning: the model named in run-inputs.json cannot be read; drawing the graph without timeouts and pools (use --model)"
            );
            None
        }
        None => None,
    };
    match write_reports(&args.dir, model.as_ref()) {
        Ok(written) => {
            println!("{}", super::output::wrote(&written));
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            super::INVALID_INPUT
        }
    }
}
