//! `sim compare <run dir>...`: overlay runs and tabulate their totals.

use cascade_sim::report::compare::{compare_csv, compare_svg, compare_text, CompareRow};
use cascade_sim::report::run_dir::RunDir;
use cascade_sim::report::write_atomically;
use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub struct CompareArgs {
    /// Two or more directories written by `sim run`; the first is the baseline.
    #[arg(required = true, num_args = 2..)]
    dirs: Vec<PathBuf>,
    /// Where compare.svg, compare.csv and compare.txt go.
    #[arg(long, default_value = "reports/compare")]
    out: PathBuf,
}

pub fn compare(args: CompareArgs) -> i32 {
    let mut runs = Vec::new();
    for dir in &args.dirs {
        match RunDir::load(dir) {
            Ok(run) => runs.push(run),
            Err(e) => {
                eprintln!("error: {e}");
                return super::INVALID_INPUT;
            }
        }
    }
    let mut labels: Vec<String> = args
        .dirs
        .iter()
        .map(|d| super::report::dir_label(d))
        .collect();
    // Two runs in directories of the same name are told apart by their full paths.
    if (1..labels.len()).any(|i| labels[..i].contains(&labels[i])) {
        labels = args.dirs.iter().map(|d| d.display().to_string()).collect();
    }
    let pairs: Vec<(String, &RunDir)> = labels.iter().cloned().zip(&runs).collect();
    let rows: Vec<CompareRow> = pairs.iter().map(|(l, r)| CompareRow::of(l, r)).collect();
    let svg = match compare_svg(&pairs) {
        Ok(svg) => svg,
        Err(e) => {
            eprintln!("error: cannot draw the comparison: {e}");
            return 1;
        }
    };
    let text = compare_text(&rows);
    let files = [
        ("compare.svg", svg),
        ("compare.csv", compare_csv(&rows)),
        ("compare.txt", text.clone()),
    ];
    let mut written = Vec::new();
    for (name, contents) in files {
        let path = args.out.join(name);
        if let Err(e) = std::fs::create_dir_all(&args.out)
            .and_then(|_| write_atomically(&path, contents.as_bytes()))
        {
            eprintln!("error: cannot write {}: {e}", path.display());
            return 1;
        }
        written.push(path);
    }
    print!("{text}");
    println!("wrote {}", super::report::names(&written));
    0
}
