//! `sim run --trace-sample`: seeded request traces in the Chrome trace-event format.

use crate::common::{fresh_dir, root, sim_bin};
use std::process::Command;

fn traced_run(dir: &std::path::Path, rate: &str) -> Option<serde_json::Value> {
    let out = Command::new(sim_bin())
        .current_dir(root())
        .args([
            "run",
            "scenarios/shop.ron",
            "--duration",
            "2m",
            "--quiet",
            "--trace-sample",
            rate,
            "--out",
        ])
        .arg(dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(dir.join("traces.json")).ok()?;
    Some(serde_json::from_str(&text).unwrap())
}

#[test]
fn traces_are_seeded_nested_and_complete() {
    let a = fresh_dir("traces-a");
    let b = fresh_dir("traces-b");
    let doc = traced_run(&a, "0.01").expect("traces.json written");
    traced_run(&b, "0.01");
    assert_eq!(
        std::fs::read(a.join("traces.json")).unwrap(),
        std::fs::read(b.join("traces.json")).unwrap(),
        "same seed, same traces"
    );
    let events = doc["traceEvents"].as_array().unwrap();
    let spans: Vec<&serde_json::Value> = events.iter().filter(|e| e["ph"] == "X").collect();
    assert!(spans.len() > 50, "{} spans", spans.len());
    for s in &spans {
        assert!(s["name"].is_string() && s["ts"].is_f64() && s["dur"].as_f64().unwrap() >= 0.0);
        assert_eq!(s["tid"], s["args"]["correlation_id"]);
        assert!(s["args"]["outcome"].is_string());
        assert_eq!(s["cat"] == "attempt", s["args"]["retry"].is_u64(), "{s}");
    }
    // Every traced request is one external request at the entry plus what it caused: the
    // first span of each track is the outermost and contains all the others.
    let mut by_track: std::collections::BTreeMap<u64, Vec<&serde_json::Value>> = Default::default();
    for s in &spans {
        by_track
            .entry(s["tid"].as_u64().unwrap())
            .or_default()
            .push(s);
    }
    for (id, track) in &by_track {
        let root = track[0];
        assert_eq!(root["cat"], "request", "track {id} starts with its request");
        let (start, end) = (
            root["ts"].as_f64().unwrap(),
            root["ts"].as_f64().unwrap() + root["dur"].as_f64().unwrap(),
        );
        for s in &track[1..] {
            let (s0, s1) = (
                s["ts"].as_f64().unwrap(),
                s["ts"].as_f64().unwrap() + s["dur"].as_f64().unwrap(),
            );
            assert!(
                s0 >= start - 1e-6 && s1 <= end + 1e-6,
                "track {id}: {s} outside its request"
            );
        }
    }
    // About 1 % of the requests are traced.
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(a.join("summary.json")).unwrap()).unwrap();
    let requests = summary["services"]["gateway"]["arrivals"]
        .as_f64()
        .unwrap_or(0.0);
    if requests > 0.0 {
        let share = by_track.len() as f64 / requests;
        assert!((0.005..0.02).contains(&share), "traced share {share}");
    }
    // No flag, no traces.
    let c = fresh_dir("traces-none");
    let out = Command::new(sim_bin())
        .current_dir(root())
        .args([
            "run",
            "scenarios/shop.ron",
            "--duration",
            "1m",
            "--quiet",
            "--out",
        ])
        .arg(&c)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(!c.join("traces.json").exists());
}

#[test]
fn a_trace_sample_outside_zero_to_one_is_refused() {
    let dir = fresh_dir("traces-bad");
    let out = Command::new(sim_bin())
        .current_dir(root())
        .args(["run", "scenarios/shop.ron", "--trace-sample", "2", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--trace-sample 2 is outside 0..=1"));
}
