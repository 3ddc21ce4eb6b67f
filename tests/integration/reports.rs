//! Reports (issue 5): `report.svg`, `graph.svg`, `index.html`, `sim report`, `sim graph`
//! and `sim compare`, checked by parsing their output as XML.
//!
//! The fixture run directory has the files the engine is growing into (edges.csv with
//! breaker states, timeline.csv, memory and crash columns, a `degraded` column) so that
//! all six panels are drawn; the real runs check what `sim run` writes today.

use crate::common::{root, sim_bin};
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

const SERVICES: [&str; 8] = [
    "gateway", "recs", "profile", "search", "ads", "cart", "auth", "images",
];
const WINDOWS: usize = 60;

/// A fresh, empty directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cascade-reports-{}-{name}", std::process::id()));
    cleanup(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Remove a test's directory, unless `CASCADE_KEEP_TEST_OUTPUT` is set (to look at the
/// pictures: `rsvg-convert $TMPDIR/cascade-reports-*-fixture/report.svg -o r.png`).
fn cleanup(dir: &Path) {
    if std::env::var_os("CASCADE_KEEP_TEST_OUTPUT").is_none() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

fn sim(args: &[&str]) -> std::process::Output {
    Command::new(sim_bin())
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

fn ok(out: &std::process::Output) -> String {
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "sim failed: {stdout}\n{stderr}");
    stdout.into_owned()
}

/// A run directory as the engine will write it once resilience lands: a spike at window
/// 18 saturates `profile`, the `gateway -> recs` breaker opens, `profile` runs out of
/// memory and crashes at window 40.
fn write_fixture(dir: &Path) {
    let mut m = String::from("clock,t_s,window_s,service,arrivals,completed,degraded,rejected,timed_out,pool_timeout,downstream_error,breaker_open,mean_response_s,p50_s,p95_s,p99_s,utilization,queue_max,queue_end,in_flight_end,memory_max_bytes,memory_limit_bytes,crashes,replicas_up\n");
    let mut e = String::from("clock,t_s,window_s,edge,calls,attempts,retries,failures,degraded,breaker_state,breaker_open_s,pool_size,pool_in_use_max,pool_waiters_max\n");
    for w in 0..WINDOWS {
        let t = w * 10;
        let clock = format!("14:{:02}:{:02}", 20 + t / 60, t % 60);
        let hot = (18..45).contains(&w);
        for (i, s) in SERVICES.iter().enumerate() {
            let arrivals = 400 + 10 * i;
            let (ok, degraded, rejected, timed_out) = if hot && i < 3 {
                (200, 40, 120, 40)
            } else {
                (arrivals, 0, 0, 0)
            };
            let p99 = if hot && i < 3 {
                2.5 / (i + 1) as f64
            } else {
                0.08 + 0.01 * i as f64
            };
            let util = if hot && i < 3 {
                1.0
            } else {
                0.3 + 0.05 * i as f64
            };
            let queue = if hot && i < 3 { 50 * (3 - i) } else { i % 2 };
            let mem = if i == 2 {
                200.0e6 + (w.min(40) as f64) * 8.0e6
            } else {
                100.0e6
            };
            let crashes = u32::from(i == 2 && w == 40);
            writeln!(m, "{clock},{t}.000,10.000,{s},{arrivals},{ok},{degraded},{rejected},{timed_out},0,0,0,0.05,{:.6},{:.6},{p99:.6},{util:.4},{queue},{queue},3,{mem},536870912,{crashes},2", p99 / 8.0, p99 / 2.0).unwrap();
        }
        let state = match w {
            20..=29 => "open",
            30 | 31 => "half_open",
            _ => "closed",
        };
        writeln!(
            e,
            "{clock},{t}.000,10.000,gateway -> recs,400,420,20,30,0,{state},0,,,"
        )
        .unwrap();
        let in_use = if hot { 6 } else { 2 };
        writeln!(
            e,
            "{clock},{t}.000,10.000,recs -> profile,300,300,0,10,0,none,0,6,{in_use},4"
        )
        .unwrap();
    }
    let timeline = "clock,t_s,kind,subject,text\n\
        14:23:00,180.000,scripted,profile,\"profile slowed 10x, by the script\"\n\
        14:23:07,187.000,detected,profile,profile connection pool saturated\n\
        14:23:15,195.000,detected,recs,recs p99 above 1s\n\
        14:23:20,200.000,detected,gateway -> recs,circuit breaker gateway -> recs opens\n\
        14:26:40,400.000,detected,profile,profile out of memory: replica crashed\n";
    let summary = r#"{"scenario":"fixture-cascade","seed":42,"model_hash":"00000000deadbeef","events":123,
        "simulated_seconds":600.0,"partial":null,
        "outage":{"declared":true,"at":"14:23:20","minutes":3.5,"recovered_at":null},
        "services":{"gateway":{"arrivals":24000,"completed":18000,"rejected":3000,"p99_s":2.5,"utilization":0.7},
                    "recs":{"arrivals":24600,"completed":18600,"rejected":3000,"p99_s":1.2,"utilization":0.6}},
        "edges":{"gateway -> recs":{"calls":24000},"recs -> profile":{"calls":18000}}}"#;
    let model = root().join("tests/data/reports/chain-model.ron");
    let inputs = format!(
        r#"{{"scenario":"fixture.ron","model":{:?},"entry_services":["gateway"]}}"#,
        model.display().to_string()
    );
    for (name, text) in [
        ("run-inputs.json", inputs),
        ("metrics.csv", m),
        ("edges.csv", e),
        ("timeline.csv", timeline.into()),
        ("summary.json", summary.into()),
    ] {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

fn texts(doc: &roxmltree::Document) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect()
}

fn has_text(all: &[String], needle: &str) -> bool {
    all.iter().any(|t| t.contains(needle))
}

#[test]
fn fixture_report_draws_all_six_panels_markers_and_legends() {
    let dir = scratch("fixture");
    write_fixture(&dir);
    ok(&sim(&["report", dir.to_str().unwrap()]));
    let svg = std::fs::read_to_string(dir.join("report.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("report.svg is XML");
    let all = texts(&doc);
    for title in [
        "1 · Entry traffic (gateway)",
        "2 · Latency",
        "3 · Queue depth",
        "4 · Worker and connection-pool",
        "5 · Memory against limit",
        "6 · Circuit breakers",
    ] {
        assert!(has_text(&all, title), "panel `{title}` missing");
    }
    // Every panel has data, so none is replaced by a "no data" note.
    assert!(
        !all.iter().any(|t| t.starts_with("— ")),
        "a panel says it has no data: {all:?}"
    );
    // Legends: traffic bands, latency quantiles, pools, crashes, breaker states.
    for entry in [
        "goodput",
        "degraded",
        "failed: rejected",
        "failed: timed out",
        "p99",
        "p50",
        "pool recs -> profile",
        "out-of-memory crash",
        "closed",
        "half-open",
        "open",
        "gateway -> recs",
    ] {
        assert!(
            all.iter().any(|t| t == entry || t.ends_with(entry)),
            "legend entry `{entry}` missing"
        );
    }
    assert!(
        !has_text(&all, "failed: degraded"),
        "degraded is not a failure cause"
    );
    // Eight services, at most six per panel: the rest are counted, not dropped silently.
    assert!(has_text(&all, "more not shown") || has_text(&all, "less affected services not shown"));
    // Timeline markers: each event's label, scripted and detected in their own colours.
    for (clock, text) in [
        ("14:23:00", "profile slowed 10x, by the script"),
        ("14:23:07", "profile connection pool saturated"),
        ("14:26:40", "profile out of memory"),
    ] {
        assert!(
            has_text(&all, &format!("{clock} {text}")),
            "marker label `{text}` missing"
        );
    }
    let fills = |color: &str| {
        doc.descendants()
            .filter(|n| n.has_tag_name("text") && n.attribute("fill") == Some(color))
            .count()
    };
    assert_eq!(fills("#2166AC"), 1, "one scripted label");
    assert_eq!(fills("#B2182B"), 4, "four detected labels");
    // Scripted markers are dashed (many short segments), detected ones solid.
    let strokes = |color: &str| {
        doc.descendants()
            .filter(|n| n.has_tag_name("polyline") && n.attribute("stroke") == Some(color))
            .count()
    };
    assert!(
        strokes("#2166AC") > 40,
        "scripted marker is dashed: {}",
        strokes("#2166AC")
    );
    assert_no_label_overlaps(&doc);
    cleanup(&dir);
}

/// Labels on the same line of the event lane must not overlap (estimated at 0.6 em a
/// character, the width of DejaVu Sans).
fn assert_no_label_overlaps(doc: &roxmltree::Document) {
    let mut spans: Vec<(i64, f64, f64)> = Vec::new();
    for n in doc.descendants().filter(|n| n.has_tag_name("text")) {
        let fill = n.attribute("fill").unwrap_or("");
        let label = n.text().unwrap_or("").trim();
        if !(fill == "#2166AC" || fill == "#B2182B") || !label.starts_with("14:") {
            continue;
        }
        let x: f64 = n.attribute("x").unwrap().parse().unwrap();
        let y: f64 = n.attribute("y").unwrap().parse().unwrap();
        let width = label.chars().count() as f64 * 12.0 * 0.6;
        let (start, end) = match n.attribute("text-anchor") {
            Some("end") => (x - width, x),
            _ => (x, x + width),
        };
        for &(row, s, e) in &spans {
            assert!(
                !(row == y as i64 && start < e && s < end),
                "labels overlap on row {y}: {label}"
            );
        }
        spans.push((y as i64, start, end));
    }
    assert!(
        spans.len() >= 5,
        "expected five event labels, found {}",
        spans.len()
    );
}

#[test]
fn fixture_html_is_self_contained_and_complete() {
    let dir = scratch("html");
    write_fixture(&dir);
    ok(&sim(&["report", dir.to_str().unwrap()]));
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    let body = html.trim_start_matches("<!DOCTYPE html>");
    let doc = roxmltree::Document::parse(body).expect("index.html is well-formed");
    let svgs = doc.descendants().filter(|n| n.has_tag_name("svg")).count();
    assert_eq!(svgs, 2, "report and graph inline");
    let links: Vec<&str> = doc
        .descendants()
        .filter_map(|n| n.attribute("href"))
        .collect();
    for f in [
        "metrics.csv",
        "summary.json",
        "edges.csv",
        "timeline.csv",
        "report.svg",
        "graph.svg",
        "graph.dot",
    ] {
        assert!(links.contains(&f), "no link to {f}: {links:?}");
    }
    assert!(links.iter().all(|l| !l.contains("://")), "no network links");
    assert!(
        !html.contains("<script") && !html.contains("src=\"http"),
        "nothing loaded from elsewhere"
    );
    let items: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("li") && n.attribute("class") == Some("scripted"))
        .map(|n| n.descendants().filter_map(|d| d.text()).collect())
        .collect();
    assert_eq!(items.len(), 1);
    assert!(items[0].contains("profile slowed 10x, by the script"));
    assert!(
        html.contains("outage declared at 14:23:20 for 3.5 min, not recovered"),
        "outage in the header"
    );
    let cells: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("td"))
        .filter_map(|n| n.text())
        .collect();
    assert!(
        cells.contains(&"gateway") && cells.contains(&"24000"),
        "summary table rows: {cells:?}"
    );
    cleanup(&dir);
}

#[test]
fn same_files_give_identical_bytes() {
    let (a, b) = (scratch("det-a"), scratch("det-b"));
    write_fixture(&a);
    write_fixture(&b);
    ok(&sim(&["report", a.to_str().unwrap()]));
    ok(&sim(&["report", b.to_str().unwrap()]));
    for f in ["report.svg", "graph.svg", "graph.dot", "index.html"] {
        let (x, y) = (
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
        );
        assert!(x == y, "{f} differs between identical run directories");
    }
    cleanup(&a);
    cleanup(&b);
}

const SCENARIO: &str = "tests/data/reports/chain-spike.ron";

#[test]
fn sim_run_writes_the_report_and_same_seed_gives_same_bytes() {
    let (a, b) = (scratch("run-a"), scratch("run-b"));
    for dir in [&a, &b] {
        let out = dir.join("run");
        ok(&sim(&[
            "run",
            SCENARIO,
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ]));
    }
    for f in ["report.svg", "graph.svg", "graph.dot", "index.html"] {
        let (x, y) = (
            std::fs::read(a.join("run").join(f)).unwrap(),
            std::fs::read(b.join("run").join(f)).unwrap(),
        );
        assert!(x == y, "{f} differs between two runs of the same seed");
    }
    let run = a.join("run");
    let report = std::fs::read_to_string(run.join("report.svg")).unwrap();
    let all = texts(&roxmltree::Document::parse(&report).unwrap());
    assert!(has_text(&all, "1 · Entry traffic (gateway)"));
    assert!(
        has_text(&all, "failed: rejected"),
        "the spike overflows the gateway queue"
    );
    // The engine's own files: recs runs out of memory in the spike, the gateway's
    // breaker on recs opens, and the detectors' timeline becomes markers.
    for drawn in [
        "5 · Memory against limit",
        "out-of-memory crash",
        "6 · Circuit breakers",
        "gateway -> recs",
        "recs memory exhaustion",
        "gateway circuit breaker open",
        "14:22:30 profile store slowed 2x (disk contention)",
    ] {
        assert!(has_text(&all, drawn), "`{drawn}` missing: {all:?}");
    }
    assert!(
        !all.iter().any(|t| t.starts_with("— ")),
        "every panel has data: {all:?}"
    );
    let graph = std::fs::read_to_string(run.join("graph.svg")).unwrap();
    let doc = roxmltree::Document::parse(&graph).unwrap();
    let nodes: Vec<&str> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("node"))
        .filter_map(|n| n.attribute("data-service"))
        .collect();
    assert_eq!(nodes, ["gateway", "profile", "recs"], "model order");
    let edges: Vec<&str> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("edge"))
        .filter_map(|n| n.attribute("data-edge"))
        .collect();
    assert_eq!(edges, ["gateway -> recs", "recs -> profile"]);
    let labels = texts(&doc);
    assert!(
        has_text(&labels, "timeout 500ms · pool 6") && has_text(&labels, "timeout 1s · no pool"),
        "{labels:?}"
    );
    assert!(
        has_text(&labels, "saturated"),
        "the spike saturates a service"
    );
    // Redrawing from the saved files gives the same bytes as the run drew.
    ok(&sim(&["report", run.to_str().unwrap()]));
    assert_eq!(
        std::fs::read_to_string(run.join("report.svg")).unwrap(),
        report
    );
    cleanup(&a);
    cleanup(&b);
}

#[test]
fn sim_graph_draws_a_model_alone() {
    let dir = scratch("graph");
    ok(&sim(&[
        "graph",
        "tests/data/reports/chain-model.ron",
        "--out",
        dir.to_str().unwrap(),
    ]));
    let svg = std::fs::read_to_string(dir.join("graph.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert_eq!(
        doc.descendants()
            .filter(|n| n.attribute("class") == Some("node"))
            .count(),
        3
    );
    assert!(texts(&doc).iter().any(|t| t == "1×12 workers"));
    let dot = std::fs::read_to_string(dir.join("graph.dot")).unwrap();
    assert!(
        dot.contains("\"recs\" -> \"profile\" [label=\"timeout 500ms · pool 6\"];"),
        "{dot}"
    );
    cleanup(&dir);
}

#[test]
fn sim_compare_overlays_runs_and_tabulates_them() {
    let dir = scratch("compare");
    let (base, other) = (dir.join("seed7"), dir.join("seed8"));
    ok(&sim(&[
        "run",
        SCENARIO,
        "--quiet",
        "--out",
        base.to_str().unwrap(),
    ]));
    ok(&sim(&[
        "run",
        SCENARIO,
        "--quiet",
        "--seed",
        "8",
        "--out",
        other.to_str().unwrap(),
    ]));
    let out_dir = dir.join("cmp");
    let stdout = ok(&sim(&[
        "compare",
        base.to_str().unwrap(),
        other.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]));
    assert!(
        stdout.contains("seed7") && stdout.contains("seed8"),
        "{stdout}"
    );
    let csv = std::fs::read_to_string(out_dir.join("compare.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("run,scenario,seed,entry_arrivals"));
    assert!(
        lines[1].starts_with("seed7,chain-spike,7,")
            && lines[2].starts_with("seed8,chain-spike,8,")
    );
    assert_ne!(
        lines[1]["seed7".len()..],
        lines[2]["seed8".len()..],
        "different seeds, different totals"
    );
    // The table's totals are the run's own: the gateway's arrivals and failures.
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(base.join("summary.json")).unwrap()).unwrap();
    let header: Vec<&str> = lines[0].split(',').collect();
    let row: Vec<&str> = lines[1].split(',').collect();
    let column = |name: &str| row[header.iter().position(|h| *h == name).unwrap()];
    let gateway = &summary["services"]["gateway"];
    assert_eq!(column("entry_arrivals"), gateway["arrivals"].to_string());
    assert_eq!(column("entry_failed"), gateway["failed"].to_string());
    assert_eq!(column("entry_good"), gateway["completed"].to_string());
    let svg = std::fs::read_to_string(out_dir.join("compare.svg")).unwrap();
    let all = texts(&roxmltree::Document::parse(&svg).unwrap());
    assert!(has_text(&all, "Entry goodput") && has_text(&all, "Entry p99"));
    assert_eq!(
        all.iter().filter(|t| *t == "seed7").count(),
        2,
        "each run in both legends"
    );
    cleanup(&dir);
}

#[test]
fn report_on_a_directory_that_is_not_a_run_is_invalid_input() {
    let dir = scratch("empty");
    let out = sim(&["report", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("summary.json") && err.contains("is this a run directory?"),
        "{err}"
    );
    std::fs::write(dir.join("summary.json"), "{}").unwrap();
    std::fs::write(dir.join("metrics.csv"), "clock,t_s\n00:00:00,0.000\n").unwrap();
    let out = sim(&["report", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no `service` column"));
    cleanup(&dir);
}

#[test]
fn report_with_a_model_that_does_not_load_is_invalid_input() {
    let dir = scratch("bad-model");
    write_fixture(&dir);
    let missing = dir.join("no-such-model.ron");
    let out = sim(&[
        "report",
        dir.to_str().unwrap(),
        "--model",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-model.ron"));
    // Without --model, a model named in run-inputs.json that has moved only costs the
    // graph its edge labels.
    let inputs =
        r#"{"scenario":"gone.ron","model":"/nonexistent/model.ron","entry_services":["gateway"]}"#;
    std::fs::write(dir.join("run-inputs.json"), inputs).unwrap();
    let out = sim(&["report", dir.to_str().unwrap()]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("use --model"));
    let graph = std::fs::read_to_string(dir.join("graph.svg")).unwrap();
    let doc = roxmltree::Document::parse(&graph).unwrap();
    let edges = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("edge"))
        .count();
    assert_eq!(edges, 2, "edges from summary.json's names");
    cleanup(&dir);
}
