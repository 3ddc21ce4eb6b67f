//! `sweep.csv` (one row per run) and `points.csv` (one row per point, with means and 95 %
//! confidence intervals over replications). Numbers are written in shortest round-trip
//! form; a missing value is an empty field.

use super::manifest::Manifest;
use super::stats::PointStats;
use std::fmt::Write;

/// Quote a CSV field when it holds a comma, a quote or a newline (RFC 4180).
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn number(v: Option<f64>) -> String {
    v.map_or(String::new(), |x| format!("{x}"))
}

fn header(out: &mut String, first: &[&str], m: &Manifest, per_outcome: &[&str]) {
    let mut cols: Vec<String> = first.iter().map(|s| s.to_string()).collect();
    cols.extend(m.axes.iter().map(|a| field(&a.path)));
    cols.push("capacity".into());
    for o in &m.outcomes {
        for suffix in per_outcome {
            cols.push(format!("{o}{suffix}"));
        }
    }
    writeln!(out, "{}", cols.join(",")).unwrap();
}

pub fn sweep_csv(m: &Manifest, points: &[PointStats]) -> String {
    let mut out = String::new();
    header(&mut out, &["point", "replication", "seed"], m, &[""]);
    for p in points {
        let r = p.record;
        for (rep, run) in r.runs.iter().enumerate() {
            let mut cols = vec![r.point.to_string(), rep.to_string(), run.seed.to_string()];
            cols.extend(r.labels.iter().map(|l| field(l)));
            cols.push(r.capacity.to_string());
            cols.extend(run.outcomes.iter().map(|v| number(*v)));
            writeln!(out, "{}", cols.join(",")).unwrap();
        }
    }
    out
}

pub fn points_csv(m: &Manifest, points: &[PointStats]) -> String {
    let mut out = String::new();
    let mut first = vec!["point", "replications"];
    if m.safe.is_some() {
        first.push("safe");
    }
    header(&mut out, &first, m, &["_mean", "_ci95_low", "_ci95_high"]);
    for p in points {
        let r = p.record;
        let mut cols = vec![r.point.to_string(), r.runs.len().to_string()];
        if let Some(rule) = m.safe {
            cols.push(p.is_safe(rule).to_string());
        }
        cols.extend(r.labels.iter().map(|l| field(l)));
        cols.push(r.capacity.to_string());
        for e in &p.estimates {
            let mean = e.map(|e| e.mean);
            let half = e.and_then(|e| e.half_width);
            cols.push(number(mean));
            cols.push(number(mean.zip(half).map(|(m, h)| m - h)));
            cols.push(number(mean.zip(half).map(|(m, h)| m + h)));
        }
        writeln!(out, "{}", cols.join(",")).unwrap();
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn quotes_fields_with_commas_and_quotes() {
        assert_eq!(
            super::field("calls.\"a -> b\".timeout"),
            "\"calls.\"\"a -> b\"\".timeout\""
        );
        assert_eq!(super::field("plain"), "plain");
    }
}
