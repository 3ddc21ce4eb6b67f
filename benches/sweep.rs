//! Sweep throughput: 200 points of the M/M/10 model (20 worker counts × 10 rates, 60
//! simulated minutes each) run with 1 and then 2 threads, reporting points per second and
//! the speed-up, and checking that both runs wrote the same bytes.
//!
//! Run with `cargo bench --bench sweep`. `BENCH_MINUTES` changes the simulated length and
//! `BENCH_RUNS` the number of alternating rounds; the best round of each thread count is
//! reported, since other processes on a shared machine only ever slow a round down.

use cascade_sim::sweep::outputs::{read_complete, write_outputs};
use cascade_sim::sweep::{load_sweep, run_points, Shard};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn sweep_file(dir: &Path, minutes: u64) -> PathBuf {
    let scenario = std::fs::canonicalize("scenarios/mm10.ron").expect("run from the crate root");
    let text = format!(
        r#"Sweep(
    name: "bench",
    scenario: "{}",
    axes: [
        Axis(path: "services.server.workers", range: Linear(from: 8, to: 27, steps: 20)),
        Axis(path: "sources.\"server/serve\".rate", range: Linear(from: 3.0, to: 12.0, steps: 10)),
        Axis(path: "duration", values: ["{minutes}m"]),
    ],
    replications: 1,
    seed: 1,
)
"#,
        scenario.display()
    );
    let path = dir.join("bench.ron");
    std::fs::write(&path, text).expect("write the bench sweep file");
    path
}

fn run(file: &Path, out: &Path, threads: usize) -> f64 {
    let _ = std::fs::remove_dir_all(out);
    let sweep = load_sweep(file).unwrap_or_else(|d| panic!("{d}"));
    let started = Instant::now();
    let counts = run_points(&sweep, out, Shard::WHOLE, threads, &|_, _| {}).expect("sweep runs");
    let wall = started.elapsed().as_secs_f64();
    let (m, records) = read_complete(out).expect("every point ran");
    write_outputs(out, &m, &records).expect("outputs written");
    counts.ran as f64 / wall
}

fn main() {
    let minutes: u64 = std::env::var("BENCH_MINUTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sweep-bench");
    std::fs::create_dir_all(&dir).expect("scratch directory");
    let file = sweep_file(&dir, minutes);
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let (mut one, mut two) = (0f64, 0f64);
    for _ in 0..runs {
        one = one.max(run(&file, &dir.join("threads-1"), 1));
        two = two.max(run(&file, &dir.join("threads-2"), 2));
    }
    let same = ["sweep.csv", "points.csv", "summary.txt"].iter().all(|f| {
        std::fs::read(dir.join("threads-1").join(f)).ok()
            == std::fs::read(dir.join("threads-2").join(f)).ok()
    });
    println!(
        "sweep benchmark: 200 points of M/M/10, {minutes} simulated minutes each, 1 replication, best of {runs} rounds"
    );
    println!("  1 thread:  {one:7.1} points/s");
    println!(
        "  2 threads: {two:7.1} points/s   speed-up {:.2}×",
        two / one
    );
    println!("  outputs identical across thread counts: {same}");
    assert!(same, "thread count changed the outputs");
}
