//! Resource guards: scenarios that validate but would run for days or exhaust memory end
//! with a clear message, exit code 1 and `summary.json` marked `partial`
//! (inputs in `tests/hostile/`).

use crate::common::{root, sim_bin};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Ended {
    code: Option<i32>,
    stderr: String,
    summary: serde_json::Value,
    wall: Duration,
}

/// Run `sim run tests/hostile/<scenario> ARGS`, failing if it takes longer than `deadline`.
fn run_hostile(scenario: &str, args: &[&str], deadline: Duration) -> Ended {
    let out: PathBuf = std::env::temp_dir().join(format!(
        "cascade-guard-{}-{}",
        std::process::id(),
        args.join("").replace(['-', ' '], "")
    ));
    let _ = std::fs::remove_dir_all(&out);
    let started = Instant::now();
    let mut child = Command::new(sim_bin())
        .arg("run")
        .arg(root().join("tests/hostile").join(scenario))
        .args(args)
        .args(["--quiet", "--out"])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            panic!("`sim run {scenario} {args:?}` still running after {deadline:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    let wall = started.elapsed();
    let text =
        std::fs::read_to_string(out.join("summary.json")).expect("partial summary.json written");
    let _ = std::fs::remove_dir_all(&out);
    Ended {
        code: output.status.code(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        summary: serde_json::from_str(&text).unwrap(),
        wall,
    }
}

fn assert_partial(e: &Ended, reason: &str) {
    assert_eq!(e.code, Some(1), "exit code; stderr: {}", e.stderr);
    assert!(
        e.stderr.contains("warning: partial results: stopped") && e.stderr.contains(reason),
        "stderr: {}",
        e.stderr
    );
    let partial = e.summary["partial"].as_str().unwrap_or_default();
    assert!(partial.contains(reason), "summary partial = {partial:?}");
    assert!(!e.stderr.contains("panicked"), "{}", e.stderr);
}

#[test]
fn an_unbounded_queue_under_overload_stops_at_the_default_in_flight_cap() {
    let e = run_hostile("overload-unbounded.ron", &[], Duration::from_secs(60));
    assert_partial(&e, "more than 2000000 requests in flight");
    assert!(e.summary["in_flight_at_end"].as_u64().unwrap() > 2_000_000);
}

#[test]
fn max_in_flight_is_honoured() {
    let e = run_hostile(
        "overload-unbounded.ron",
        &["--max-in-flight", "1000"],
        Duration::from_secs(20),
    );
    assert_partial(&e, "more than 1000 requests in flight");
    assert_eq!(e.summary["in_flight_at_end"], 1001);
}

#[test]
fn max_events_ends_an_endless_run() {
    let e = run_hostile(
        "overload-bounded.ron",
        &["--max-events", "100000"],
        Duration::from_secs(20),
    );
    assert_partial(&e, "stopped after 100000 events (--max-events)");
    assert_eq!(e.summary["events"], 100_000);
}

#[test]
fn max_wall_ends_an_endless_run() {
    let e = run_hostile(
        "overload-bounded.ron",
        &["--max-wall", "1s"],
        Duration::from_secs(30),
    );
    assert_partial(&e, "stopped after 1s of wall time (--max-wall)");
    assert!(e.wall < Duration::from_secs(10), "took {:?}", e.wall);
    assert!(e.summary["events"].as_u64().unwrap() > 0);
}

#[test]
fn stale_long_timeouts_do_not_pile_up() {
    // A million calls a second, each with a 100-day timeout that is never needed: the
    // per-edge timeout queues drop dead entries, so the run goes on in bounded memory
    // until the wall-clock limit stops it.
    let e = run_hostile(
        "long-timeouts.ron",
        &["--max-in-flight", "1000", "--max-wall", "2s"],
        Duration::from_secs(20),
    );
    assert_partial(&e, "(--max-wall)");
    assert!(e.summary["events"].as_u64().unwrap() > 1_000_000);
}

#[test]
fn a_fan_out_explosion_stops_at_the_in_flight_cap() {
    let e = run_hostile(
        "fan-out.ron",
        &["--max-in-flight", "100000"],
        Duration::from_secs(30),
    );
    assert_partial(&e, "more than 100000 requests in flight");
}

#[test]
fn a_long_silence_before_a_flood_does_not_hang_before_the_first_event() {
    let e = run_hostile(
        "silent-then-flood.ron",
        &["--max-wall", "3s"],
        Duration::from_secs(30),
    );
    assert_partial(&e, "(--max-wall)");
    // The flood starts at 2376h; the run got there and simulated it.
    assert!(e.summary["simulated_seconds"].as_f64().unwrap() >= 2376.0 * 3600.0);
    assert!(
        e.summary["services"]["server"]["arrivals"]
            .as_u64()
            .unwrap()
            > 1000
    );
}

/// Regression: queued requests that end the instant they start (here an empty operation)
/// used to start one another recursively when a worker freed up, one stack frame per
/// queued request: half a million of them overflowed the stack (found by reading the
/// code; reproduced with a debug build of `sim`).
#[test]
fn a_long_queue_of_instant_requests_drains_without_recursion() {
    let model = r#"Model(services: {"s": Service(workers: 1, operations: {
        "slow": [Work(Constant("600ms"))],
        "empty": [],
    })})"#;
    // One or two slow requests hold the worker; 400k/s empty ones queue behind them.
    let scenario = r#"Scenario(model: "m.ron", duration: "2500ms", window: "500ms", sources: [
        Source(target: "s/slow", rate: Steps([("0s", 1000.0), ("1ms", 0.0)])),
        Source(target: "s/empty", rate: Steps([("0s", 0.0), ("5ms", 400000.0)])),
    ])"#;
    let scenario = crate::common::scenario_from_text(model, scenario);
    let result = cascade_sim::run::run_quietly(&scenario);
    let t = &result.recorder.totals[0];
    assert!(result.partial.is_none(), "{:?}", result.partial);
    assert!(t.max_queue > 400_000, "queue reached only {}", t.max_queue);
    assert_eq!(t.arrivals, t.completed + result.recorder.in_system(0));
}

#[test]
fn a_very_short_diurnal_period_does_not_stall_arrivals() {
    let e = run_hostile(
        "fast-diurnal.ron",
        &["--max-wall", "20s"],
        Duration::from_secs(30),
    );
    assert_eq!(e.code, Some(0), "{}", e.stderr);
    assert!(e.wall < Duration::from_secs(10), "took {:?}", e.wall);
    // About 864 000 requests in 10 days at a mean of 1/s.
    let arrivals = e.summary["services"]["server"]["arrivals"]
        .as_u64()
        .unwrap();
    assert!(
        (800_000..930_000).contains(&arrivals),
        "{arrivals} arrivals"
    );
}
