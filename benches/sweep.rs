//! Sweep throughput: 200 points of the M/M/10 model (20 worker counts × 10 rates, 60
//! simulated minutes each) run with 1 and then 2 threads, reporting points per second and
//! the speed-up and the cores each round actually got (other processes on a shared
//! machine take some), and checking that both runs wrote the same bytes.
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

/// CPU seconds this process has used (Linux `/proc/self/stat`, 100 ticks per second);
/// `None` elsewhere. On a shared machine it shows how many cores a round really got.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Points per second of one round, and the cores it used on average.
fn run(file: &Path, out: &Path, threads: usize) -> (f64, Option<f64>) {
    let _ = std::fs::remove_dir_all(out);
    let sweep = load_sweep(file).unwrap_or_else(|d| panic!("{d}"));
    let cpu = cpu_seconds();
    let started = Instant::now();
    let counts = run_points(&sweep, out, Shard::WHOLE, threads, &|_, _| {}).expect("sweep runs");
    let wall = started.elapsed().as_secs_f64();
    let cores = cpu.zip(cpu_seconds()).map(|(a, b)| (b - a) / wall);
    let (m, records) = read_complete(out).expect("every point ran");
    write_outputs(out, &m, &records).expect("outputs written");
    (counts.ran as f64 / wall, cores)
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
    let (mut one, mut two) = ((0f64, None), (0f64, None));
    for _ in 0..runs {
        let r = run(&file, &dir.join("threads-1"), 1);
        one = if r.0 > one.0 { r } else { one };
        let r = run(&file, &dir.join("threads-2"), 2);
        two = if r.0 > two.0 { r } else { two };
    }
    // Points per CPU-second: equal for both thread counts when running in parallel costs
    // nothing extra, whatever share of the machine other processes leave us.
    let cores = |r: (f64, Option<f64>)| {
        r.1.map_or(String::new(), |c| {
            format!(
                "   ({c:.2} cores busy, {:.0} points per CPU-second)",
                r.0 / c
            )
        })
    };
    let same = ["sweep.csv", "points.csv", "summary.txt"].iter().all(|f| {
        std::fs::read(dir.join("threads-1").join(f)).ok()
            == std::fs::read(dir.join("threads-2").join(f)).ok()
    });
    println!(
        "sweep benchmark: 200 points of M/M/10, {minutes} simulated minutes each, 1 replication, best of {runs} rounds"
    );
    println!("  1 thread:  {:7.1} points/s{}", one.0, cores(one));
    println!(
        "  2 threads: {:7.1} points/s{}   speed-up {:.2}×",
        two.0,
        cores(two),
        two.0 / one.0
    );
    println!("  outputs identical across thread counts: {same}");
    assert!(same, "thread count changed the outputs");
}
