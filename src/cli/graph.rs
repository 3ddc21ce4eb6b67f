//! `sim graph <model>`: the dependency graph of a model alone, as SVG and DOT.

use cascade_sim::report::graph::{graph_dot, graph_svg, DepGraph};
use cascade_sim::report::write_files;
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
    let written =
        match std::fs::create_dir_all(&args.out).and_then(|_| write_files(&args.out, files)) {
            Ok(written) => written,
            Err(e) => {
                eprintln!("error: cannot write into {}: {e}", args.out.display());
                return 1;
            }
        };
    println!("wrote {}", super::report::names(&written));
    0
}
