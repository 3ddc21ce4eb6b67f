//! The `sim` command line. All printing and exit codes live in `cli`.

fn main() {
    std::process::exit(cascade_sim_cli::main());
}

#[path = "cli.rs"]
mod cascade_sim_cli;
