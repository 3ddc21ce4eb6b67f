//! `index.html`: one self-contained page (inline SVG and CSS, no scripts, no network) that
//! opens from disk: the run's header, summary tables, incident timeline, the report, the
//! dependency graph, and links to the run's files.

use super::run_dir::{EventKind, RunDir};
use super::svg_report::seconds_label;
use serde_json::{Map, Value};
use std::fmt::Write;

/// Escape text for HTML and SVG content and attributes.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `2h`, `1h 30m`, `45s`: a simulated span for a header.
pub fn duration_text(seconds: f64) -> String {
    let s = seconds.round().max(0.0) as u64;
    let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60);
    let parts = [(h, "h"), (m, "m"), (sec, "s")];
    let text: Vec<String> = parts
        .iter()
        .filter(|(v, _)| *v > 0)
        .map(|(v, u)| format!("{v}{u}"))
        .collect();
    if text.is_empty() {
        "0s".into()
    } else {
        text.join(" ")
    }
}

const STYLE: &str = "body{font-family:sans-serif;margin:24px;color:#222;max-width:1440px}\
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px}\
.meta{color:#555;margin:0 0 12px}table{border-collapse:collapse;font-size:13px}\
th,td{border-bottom:1px solid #ddd;padding:3px 10px;text-align:right;white-space:nowrap}\
.scroll{overflow-x:auto;max-width:100%}\
th:first-child,td:first-child{text-align:left}th{background:#f4f4f4}\
.figure{overflow-x:auto}.figure svg{max-width:100%;height:auto}\
ol.timeline{font-family:monospace;font-size:13px;padding-left:0;list-style:none}\
.scripted{color:#2166ac}.detected{color:#b2182b}.kind{display:inline-block;width:80px}";

/// Fields shown first, in this order; any other numeric field follows alphabetically.
const SERVICE_FIELDS: [&str; 14] = [
    "arrivals",
    "completed",
    "degraded",
    "failed",
    "crashes",
    "rejected",
    "timed_out",
    "pool_timeout",
    "downstream_error",
    "p50_s",
    "p95_s",
    "p99_s",
    "utilization",
    "max_queue_depth",
];
const EDGE_FIELDS: [&str; 9] = [
    "calls",
    "attempts",
    "retries",
    "ok",
    "degraded",
    "failed",
    "timeouts",
    "pool_timeouts",
    "errors",
];

pub fn index_html(run: &RunDir, report_svg: &str, graph_svg: &str) -> String {
    let mut out =
        String::from("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>");
    let scenario = esc(run.summary_str("scenario"));
    let _ = writeln!(
        out,
        "<title>{scenario} — cascade-sim report</title><style>{STYLE}</style></head><body>"
    );
    let _ = writeln!(out, "<h1>{scenario}</h1>");
    let _ = writeln!(out, "<p class=\"meta\">{}</p>", esc(&meta_line(run)));
    out.push_str("<h2>Services</h2>\n");
    out.push_str(&table(&run.summary["services"], &SERVICE_FIELDS, "service"));
    if run.summary["edges"]
        .as_object()
        .is_some_and(|e| !e.is_empty())
    {
        out.push_str("<h2>Calls</h2>\n");
        out.push_str(&table(&run.summary["edges"], &EDGE_FIELDS, "edge"));
    }
    out.push_str("<h2>Incident timeline</h2>\n");
    timeline(&mut out, run);
    let _ = write!(
        out,
        "<h2>Report</h2>\n<div class=\"figure\" id=\"report\">{}</div>\n",
        inline(report_svg)
    );
    let _ = write!(
        out,
        "<h2>Dependency graph</h2>\n<div class=\"figure\" id=\"graph\">{}</div>\n",
        inline(graph_svg)
    );
    out.push_str("<h2>Files</h2>\n<ul class=\"files\">\n");
    for f in &run.files {
        let _ = writeln!(out, "<li><a href=\"{0}\">{0}</a></li>", esc(f));
    }
    out.push_str("</ul>\n</body></html>\n");
    out
}

fn meta_line(run: &RunDir) -> String {
    let s = &run.summary;
    let mut parts = vec![
        format!("seed {}", s["seed"]),
        format!("model {}", run.summary_str("model_hash")),
        format!(
            "{} simulated",
            duration_text(s["simulated_seconds"].as_f64().unwrap_or(0.0))
        ),
        format!("{} events", s["events"]),
    ];
    parts.extend(outage_text(s));
    if let Some(p) = s["partial"].as_str() {
        parts.push(format!("PARTIAL: {p}"));
    }
    parts.join(" · ")
}

/// The outage verdict of `summary.json` in words, when the run has one: either the
/// engine's `{declared, at, minutes, recovered_at}` object or a plain string.
pub fn outage_text(summary: &Value) -> Option<String> {
    let o = &summary["outage"];
    if let Some(t) = o.as_str() {
        return Some(format!("outage: {t}"));
    }
    let declared = o["declared"].as_bool()?;
    if !declared {
        return Some("no outage".into());
    }
    let mut text = format!("outage declared at {}", o["at"].as_str().unwrap_or("?"));
    if let Some(minutes) = o["minutes"].as_f64() {
        text.push_str(&format!(" for {minutes:.1} min"));
    }
    match o["recovered_at"].as_str() {
        Some(at) => text.push_str(&format!(", recovered at {at}")),
        None => text.push_str(", not recovered"),
    }
    if let Some(verdict) = summary["metastability"]["verdict"].as_str() {
        text.push_str(&format!("; after the last trigger: {verdict}"));
    }
    Some(text)
}

/// Drop an XML prolog so the SVG can sit inside HTML.
fn inline(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

fn timeline(out: &mut String, run: &RunDir) {
    if run.events.is_empty() {
        out.push_str("<p class=\"meta\">No timeline events in this run.</p>\n");
        return;
    }
    out.push_str("<ol class=\"timeline\">\n");
    for e in &run.events {
        let (class, kind) = match e.kind {
            EventKind::Scripted => ("scripted", "scripted"),
            EventKind::Detected => ("detected", "detected"),
        };
        let _ = writeln!(
            out,
            "<li class=\"{class}\">{} - <span class=\"kind\">[{kind}]</span> {}</li>",
            esc(&e.clock),
            esc(&e.text)
        );
    }
    out.push_str("</ol>\n");
}

fn table(rows: &Value, preferred: &[&str], first: &str) -> String {
    let Some(rows) = rows.as_object() else {
        return String::new();
    };
    let columns = columns(rows, preferred);
    let mut out = format!("<div class=\"scroll\"><table><tr><th>{first}</th>");
    for c in &columns {
        let _ = write!(out, "<th>{}</th>", esc(c));
    }
    out.push_str("</tr>\n");
    for (name, row) in rows {
        let _ = write!(out, "<tr><td>{}</td>", esc(name));
        for c in &columns {
            let _ = write!(out, "<td>{}</td>", esc(&cell(c, &row[c.as_str()])));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table></div>\n");
    out
}

fn columns(rows: &Map<String, Value>, preferred: &[&str]) -> Vec<String> {
    let present = |c: &str| {
        rows.values()
            .any(|r| r.get(c).is_some_and(|v| v.is_number() || v.is_null()))
    };
    let mut cols: Vec<String> = preferred
        .iter()
        .filter(|c| present(c))
        .map(|c| c.to_string())
        .collect();
    let mut rest: Vec<String> = rows
        .values()
        .filter_map(Value::as_object)
        .flat_map(|r| {
            r.iter()
                .filter(|(_, v)| v.is_number() || is_breakdown(v))
                .map(|(k, _)| k.clone())
        })
        .filter(|k| !preferred.contains(&k.as_str()))
        .collect();
    rest.sort();
    rest.dedup();
    cols.extend(rest);
    cols
}

/// A map of counts, such as failures by cause.
fn is_breakdown(v: &Value) -> bool {
    v.as_object()
        .is_some_and(|m| !m.is_empty() && m.values().all(Value::is_u64))
}

fn cell(column: &str, v: &Value) -> String {
    match v {
        Value::Null => "–".into(),
        Value::Object(m) if is_breakdown(v) => {
            // The counts that are not zero, largest first (ties by name).
            let mut parts: Vec<(&String, u64)> = m
                .iter()
                .filter_map(|(k, n)| Some((k, n.as_u64()?)))
                .filter(|(_, n)| *n > 0)
                .collect();
            parts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let text: Vec<String> = parts.iter().map(|(k, n)| format!("{k} {n}")).collect();
            if text.is_empty() {
                "–".into()
            } else {
                text.join(", ")
            }
        }
        Value::Number(n) if n.is_u64() || n.is_i64() => n.to_string(),
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(0.0);
            if column.ends_with("_s") {
                seconds_label(x)
            } else if column == "utilization" || column.starts_with("prob") {
                format!("{:.1}%", x * 100.0)
            } else {
                format!("{x:.3}")
            }
        }
        other => other.to_string(),
    }
}
