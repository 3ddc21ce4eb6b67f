//! `summary.txt`: how many points are safe, the safest configuration and the cheapest safe
//! one.
//!
//! "Cheapest" is the fewest worker threads plus pool connections provisioned
//! (`capacity`); ties go to the safer point, then to the earlier point. Axes that are
//! conditions rather than choices (a source's rate, the duration) are not something to
//! economise on, so in a grid the verdict is given once per combination of condition
//! values: "at 12 req/s you need 14 workers".

use super::manifest::Manifest;
use super::stats::PointStats;
use super::SafeRule;
use std::fmt::Write;

pub fn summary_text(m: &Manifest, points: &[PointStats]) -> String {
    let mut out = String::new();
    let runs = points.len() * m.replications as usize;
    writeln!(
        out,
        "sweep {}: {} points × {} replications = {runs} runs ({}), scenario {}, seed {}",
        m.name, m.point_count, m.replications, m.design, m.scenario, m.seed
    )
    .unwrap();
    let axes: Vec<&str> = m.axes.iter().map(|a| a.path.as_str()).collect();
    writeln!(out, "axes: {}", axes.join(", ")).unwrap();
    let Some(rule) = m.safe else {
        writeln!(out, "\nno safe rule: add safe: Safe(outcome: \"...\", at_least: X) to the sweep file for a verdict").unwrap();
        return out;
    };
    let name = &m.outcomes[rule.outcome()];
    let (op, threshold) = match rule {
        SafeRule::AtLeast { threshold, .. } => ("≥", threshold),
        SafeRule::AtMost { threshold, .. } => ("≤", threshold),
    };
    let safe_count = points.iter().filter(|p| p.is_safe(rule)).count();
    writeln!(
        out,
        "safe: mean {name} {op} {threshold} over replications: {safe_count} of {} points",
        points.len()
    )
    .unwrap();
    writeln!(out, "cheapest: fewest worker threads + pool connections (capacity); ties go to the safer, then the earlier point").unwrap();
    for (label, group) in condition_groups(m, points) {
        writeln!(out).unwrap();
        if !label.is_empty() {
            writeln!(out, "at {label}:").unwrap();
        }
        let best = group.iter().min_by(|a, b| {
            let (x, y) = (a.mean(rule.outcome()), b.mean(rule.outcome()));
            match (x, y) {
                (Some(x), Some(y)) => rule.safer(x, y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            }
            .then(a.record.capacity.cmp(&b.record.capacity))
        });
        if let Some(p) = best {
            writeln!(out, "  safest:        {}", describe(m, p, rule)).unwrap();
        }
        let cheapest = group.iter().filter(|p| p.is_safe(rule)).min_by(|a, b| {
            a.record.capacity.cmp(&b.record.capacity).then_with(|| {
                match (a.mean(rule.outcome()), b.mean(rule.outcome())) {
                    (Some(x), Some(y)) => rule.safer(x, y),
                    _ => std::cmp::Ordering::Equal,
                }
            })
        });
        match cheapest {
            Some(p) => writeln!(out, "  cheapest safe: {}", describe(m, p, rule)).unwrap(),
            None => writeln!(
                out,
                "  cheapest safe: none of the configurations tried is safe"
            )
            .unwrap(),
        }
    }
    out
}

/// Points grouped by the values of their condition axes, in order of first appearance.
/// Outside a grid, conditions are sampled, not repeated, so all points form one group.
fn condition_groups<'p, 'a>(
    m: &Manifest,
    points: &'p [PointStats<'a>],
) -> Vec<(String, Vec<&'p PointStats<'a>>)> {
    let conditions: Vec<usize> = (0..m.axes.len())
        .filter(|&a| m.grid && !m.axes[a].config)
        .collect();
    let mut groups: Vec<(String, Vec<&PointStats>)> = Vec::new();
    for p in points {
        let label = conditions
            .iter()
            .map(|&a| format!("{} = {}", m.axes[a].path, p.record.labels[a]))
            .collect::<Vec<_>>()
            .join(", ");
        match groups.iter_mut().find(|(l, _)| *l == label) {
            Some((_, g)) => g.push(p),
            None => groups.push((label, vec![p])),
        }
    }
    groups
}

fn describe(m: &Manifest, p: &PointStats, rule: SafeRule) -> String {
    let values: Vec<String> = m
        .axes
        .iter()
        .zip(&p.record.labels)
        .filter(|(a, _)| a.config || !m.grid)
        .map(|(a, l)| format!("{} = {l}", a.path))
        .collect();
    let o = rule.outcome();
    let value = match p.estimates[o] {
        Some(e) => match e.half_width {
            Some(h) => format!("{} ± {}", round4(e.mean), round4(h)),
            None => round4(e.mean),
        },
        None => "no value".into(),
    };
    format!(
        "point {}: {} (capacity {}) → {} {}",
        p.record.point,
        if values.is_empty() {
            "base configuration".into()
        } else {
            values.join(", ")
        },
        p.record.capacity,
        m.outcomes[o],
        value
    )
}

fn round4(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}
