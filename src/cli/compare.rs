//! `sim compare <run dir>...`: overlay runs and tabulate their totals.

use cascade_sim::report::compare::{compare_csv, compare_svg, compare_text, CompareRow};
use cascade_sim::report::run_dir::RunDir;
use cascade_sim::scenario::resolve_scenario_path;
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct CompareArgs {
    /// Two or more run directories written by `sim run`, or scenarios (run first, into
    /// `reports/<name>/`); the first is the baseline.
    #[arg(required = true, num_args = 2..)]
    dirs: Vec<PathBuf>,
    /// Where compare.svg, compare.csv and compare.txt go.
    #[arg(long, default_value = "reports/compare")]
    out: PathBuf,
}

/// A run directory for an argument: itself, or the directory `sim run` writes for a
/// scenario (running it now, quietly, by the same binary).
fn run_dir_of(arg: &Path) -> Result<PathBuf, i32> {
    if arg.is_dir() {
        return Ok(arg.to_path_buf());
    }
    let scenario = resolve_scenario_path(&arg.to_string_lossy());
    let name = scenario
        .file_stem()
        .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned());
    let exe = std::env::current_exe().map_err(|e| {
        eprintln!("error: cannot find the sim executable: {e}");
        1
    })?;
    eprintln!("running {} ...", scenario.display());
    let status = std::process::Command::new(exe)
        .arg("run")
        .arg(&scenario)
        .arg("--quiet")
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|e| {
            eprintln!("error: cannot run {}: {e}", scenario.display());
            1
        })?;
    match status.code() {
        Some(0) => Ok(Path::new("reports").join(name)),
        Some(code) => Err(code),
        None => Err(1),
    }
}

pub fn compare(args: CompareArgs) -> i32 {
    let mut dirs = Vec::new();
    for arg in &args.dirs {
        match run_dir_of(arg) {
            Ok(d) => dirs.push(d),
            Err(code) => return code,
        }
    }
    let args = CompareArgs {
        dirs,
        out: args.out,
    };
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
    let mut labels: Vec<String> = args.dirs.iter().map(|d| dir_label(d)).collect();
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
    let wrote = match super::output::write_into(&args.out, files) {
        Ok(wrote) => wrote,
        Err(code) => return code,
    };
    print!("{text}");
    println!("{wrote}");
    0
}

/// The directory name of a path, for labels.
fn dir_label(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}
