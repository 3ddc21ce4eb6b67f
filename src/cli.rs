//! Command-line definitions (clap) turned into validated plans; the only place that
//! prints or chooses an exit code.
//!
//! Exit codes: 0 success, 1 a run that failed or stopped early, 2 invalid input.

#[path = "cli/check.rs"]
mod check;
#[path = "cli/compare.rs"]
mod compare;
#[path = "cli/graph.rs"]
mod graph;
#[path = "cli/output.rs"]
mod output;
#[path = "cli/report.rs"]
mod report;
#[path = "cli/run.rs"]
mod run;
#[path = "cli/sweep.rs"]
mod sweep;
#[path = "cli/test.rs"]
mod test;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "sim",
    version,
    about = "Deterministic simulator of cascading failures in service systems"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario and write summary.json, metrics.csv, run.json and the report.
    Run(run::RunArgs),
    /// Validate model or scenario files and explain every problem.
    Check(check::CheckArgs),
    /// Run scenarios and check their `expect` lists; exits 1 if any fails.
    Test(test::TestArgs),
    /// Run a scenario many times over a grid or sample of parameter values, in parallel.
    Sweep(sweep::SweepArgs),
    /// Redraw report.svg, graph.svg and index.html from a run directory's files.
    Report(report::ReportArgs),
    /// Draw a model's dependency graph as graph.svg and graph.dot.
    Graph(graph::GraphArgs),
    /// Overlay two or more runs in one SVG and write a comparison table.
    Compare(compare::CompareArgs),
}

pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Check(args) => check::check(args),
        Command::Test(args) => test::test(args),
        Command::Sweep(args) => sweep::sweep(args),
        Command::Report(args) => report::report(args),
        Command::Graph(args) => graph::graph(args),
        Command::Compare(args) => compare::compare(args),
    }
}

/// Exit code for invalid input.
pub const INVALID_INPUT: i32 = 2;

/// Print to standard output, ignoring a closed pipe (`sim run ... | head` must not panic).
pub fn say(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}
