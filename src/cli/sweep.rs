//! `sim sweep <file>` and `sim sweep merge <dirs...> --out DIR`.

use cascade_sim::sweep::manifest::RunError;
use cascade_sim::sweep::merge::{merge, MergeError};
use cascade_sim::sweep::outputs::{read_complete, write_outputs, Missing};
use cascade_sim::sweep::{load_sweep, run_points, Shard};
use clap::{Args, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SweepArgs {
    #[command(subcommand)]
    command: Option<SweepCommand>,
    /// Sweep file (`.ron`).
    file: Option<PathBuf>,
    /// Points run at once (default: one per CPU). Outputs do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Output directory (default: reports/<sweep name>/).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Run only shard K of N (K from 1): points K-1, K-1+N, K-1+2N, ...
    #[arg(long, value_name = "K/N", conflicts_with = "shards")]
    shard: Option<String>,
    /// Run shard K of N, K read from JOB_COMPLETION_INDEX (Kubernetes Indexed Job,
    /// 0-based) or SLURM_ARRAY_TASK_ID (minus SLURM_ARRAY_TASK_MIN, plus 1).
    #[arg(long, value_name = "N")]
    shards: Option<usize>,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Subcommand)]
enum SweepCommand {
    /// Combine the directories of a sharded sweep into one, as if run on one machine.
    Merge(MergeArgs),
}

#[derive(Args)]
struct MergeArgs {
    /// Shard output directories.
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// Directory for the combined outputs.
    #[arg(long, required = true)]
    out: PathBuf,
}

pub fn sweep(args: SweepArgs) -> i32 {
    if let Some(SweepCommand::Merge(m)) = args.command {
        return merge_dirs(&m);
    }
    let Some(file) = &args.file else {
        eprintln!(
            "error: name a sweep file: sim sweep <file>, or sim sweep merge <dirs...> --out DIR"
        );
        return super::INVALID_INPUT;
    };
    let shard = match choose_shard(&args) {
        Ok(s) => s,
        Err(msg) => {
            eprintln!("error: {msg}");
            return super::INVALID_INPUT;
        }
    };
    let sweep = match load_sweep(file) {
        Ok(s) => s,
        Err(d) => {
            eprintln!("{d}");
            return super::INVALID_INPUT;
        }
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("reports").join(&sweep.name));
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let started = Instant::now();
    let bar = ProgressBar::new(!args.quiet && std::io::stderr().is_terminal(), started);
    let counts = match run_points(&sweep, &out, shard, threads, &|done, total| {
        bar.show(done, total)
    }) {
        Ok(c) => c,
        Err(e) => {
            bar.clear();
            eprintln!("error: {e}");
            return match e {
                RunError::Refused(_) => super::INVALID_INPUT,
                RunError::Failed(_) => 1,
            };
        }
    };
    bar.clear();
    let wall = started.elapsed().as_secs_f64();
    super::say(&(format!(
        "sweep {} · {} points · {} replication{} · seed {} · {} of this shard's {} points run ({} reused) in {wall:.1}s on {threads} threads ({:.1} points/s)",
        sweep.name,
        sweep.points.len(),
        sweep.replications,
        if sweep.replications == 1 { "" } else { "s" },
        sweep.seed,
        counts.ran,
        counts.owned,
        counts.reused,
        counts.ran as f64 / wall.max(1e-9)
    ) + "\n"));
    finish(&out, shard)
}

/// Write the outputs if every point is in `dir`; otherwise say what is left.
fn finish(dir: &Path, shard: Shard) -> i32 {
    match read_complete(dir) {
        Ok((m, records)) => match write_outputs(dir, &m, &records) {
            Ok(files) => {
                if let Ok(text) = std::fs::read_to_string(dir.join("summary.txt")) {
                    super::say(&format!("\n{text}"));
                }
                super::say(&format!("\n{}\n", super::output::wrote(&files)));
                0
            }
            Err(e) => {
                eprintln!("error: cannot write to {}: {e}", dir.display());
                1
            }
        },
        Err(Ok(missing)) if shard != Shard::WHOLE => {
            super::say(&(format!(
                "shard {}/{} done; {} holds {} of {} points. Combine the shards with `sim sweep merge <dirs...> --out DIR`.",
                shard.index, shard.count, dir.display(), missing.done, missing.total
            ) + "\n"));
            0
        }
        Err(Ok(missing)) => {
            eprintln!("error: {}", missing_text(&missing));
            1
        }
        Err(Err(msg)) => {
            eprintln!("error: {msg}");
            1
        }
    }
}

fn missing_text(m: &Missing) -> String {
    let first: Vec<String> = m.first.iter().map(usize::to_string).collect();
    format!(
        "{} of {} points are missing (first: {}); run the missing shards, or rerun the sweep to fill them in",
        m.total - m.done,
        m.total,
        first.join(", ")
    )
}

fn merge_dirs(args: &MergeArgs) -> i32 {
    match merge(&args.dirs, &args.out) {
        Ok(files) => {
            if let Ok(text) = std::fs::read_to_string(args.out.join("summary.txt")) {
                super::say(&text);
            }
            super::say(&format!("\n{}\n", super::output::wrote(&files)));
            0
        }
        Err(MergeError::Invalid(msg)) => {
            eprintln!("error: {msg}");
            super::INVALID_INPUT
        }
        Err(MergeError::Incomplete(missing)) => {
            eprintln!("error: {}", missing_text(&missing));
            1
        }
        Err(MergeError::Io(msg)) => {
            eprintln!("error: {msg}");
            1
        }
    }
}

fn choose_shard(args: &SweepArgs) -> Result<Shard, String> {
    if let Some(text) = &args.shard {
        return Shard::parse(text);
    }
    let Some(count) = args.shards else {
        return Ok(Shard::WHOLE);
    };
    let var = |name: &str| std::env::var(name).ok().map(|v| (name.to_string(), v));
    let index = if let Some((name, v)) = var("JOB_COMPLETION_INDEX") {
        let k: usize = v
            .trim()
            .parse()
            .map_err(|_| format!("{name}={v} is not a number"))?;
        k + 1
    } else if let Some((name, v)) = var("SLURM_ARRAY_TASK_ID") {
        let k: usize = v
            .trim()
            .parse()
            .map_err(|_| format!("{name}={v} is not a number"))?;
        let min: usize = var("SLURM_ARRAY_TASK_MIN")
            .and_then(|(_, m)| m.trim().parse().ok())
            .unwrap_or(1);
        (k + 1)
            .checked_sub(min)
            .ok_or_else(|| format!("SLURM_ARRAY_TASK_ID={k} is below SLURM_ARRAY_TASK_MIN={min}"))?
    } else {
        return Err("--shards N needs JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID in the environment; otherwise use --shard K/N".into());
    };
    Shard::new(index, count)
}

/// `[#####.....] 12/25 points · about 4s left` on stderr, redrawn in place.
struct ProgressBar {
    enabled: bool,
    started: Instant,
    lock: Mutex<()>,
}

impl ProgressBar {
    fn new(enabled: bool, started: Instant) -> Self {
        ProgressBar {
            enabled,
            started,
            lock: Mutex::new(()),
        }
    }

    fn show(&self, done: usize, total: usize) {
        if !self.enabled {
            return;
        }
        let _guard = self.lock.lock();
        let elapsed = self.started.elapsed().as_secs_f64();
        let left = elapsed * (total - done) as f64 / done.max(1) as f64;
        let filled = done * 30 / total.max(1);
        eprint!(
            "\r  [{}{}] {done}/{total} points · about {left:.0}s left   ",
            "#".repeat(filled),
            ".".repeat(30 - filled)
        );
        let _ = std::io::stderr().flush();
    }

    fn clear(&self) {
        if self.enabled {
            eprint!("\r{:70}\r", "");
        }
    }
}
