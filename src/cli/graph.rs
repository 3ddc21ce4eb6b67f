//! `sim graph <model>`: the dependency graph of a model alone, as SVG and DOT.

use cascade_sim::report::graph::{graph_dot, graph_svg, DepGraph};
use cascade_sim::scenario::load_model_file;
use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub struct GraphArgs {
    /// Model file (`.ron`).
    model: PathBuf,
    /// Output directory for graph.svg and graph.dot (default: the current directory).
    #[arg(long, default_value = ".")]
    out: PathBuf,
}

pub fn graph(args: GraphArgs) -> i32 {
    let model = match load_model_file(&args.model) {
        Ok(m) => m,
        Err(d) => {
            eprintln!("{d}");
            return super::INVALID_INPUT;
        }
    };
    let title = args
        .model
        .file_stem()
        .map_or("model".into(), |s| s.to_string_lossy().into_owned());
    let graph = DepGraph::from_model(&title, &model);
    let files = [
        ("graph.svg", graph_svg(&graph)),
        ("graph.dot", graph_dot(&graph)),
    ];
    match super::output::write_into(&args.out, files) {
        Ok(wrote) => {
            println!("{wrote}");
            0
        }
        Err(code) => code,
    }
}
