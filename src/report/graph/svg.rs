//! `graph.svg`, written by hand: boxes, curved arrows and labels need no chart library,
//! and hand-written SVG keeps every id and class predictable for tests and styling.

use super::layout::layout;
use super::{DepGraph, GraphNode};
use crate::report::html::esc;
use std::fmt::Write;

const NODE_W: f64 = 200.0;
const NODE_H: f64 = 62.0;
/// Wide gaps between layers leave room for an edge label and its arrowhead.
const COL_STRIDE: f64 = 440.0;
const ROW_STRIDE: f64 = 90.0;
const MARGIN: f64 = 30.0;
const TOP: f64 = 50.0;
const LEGEND_H: f64 = 40.0;

/// Fill and text colours for a node's worst state, and the words for it.
fn look(node: &GraphNode) -> (&'static str, &'static str, String) {
    let Some(s) = node.state else {
        return ("#eef1f5", "#222", String::new());
    };
    let util = format!("peak {:.0}%", s.peak_utilization * 100.0);
    if s.crashes > 0.0 {
        (
            "#a50026",
            "#fff",
            format!("crashed ×{:.0} · {util}", s.crashes),
        )
    } else if s.peak_utilization >= 0.99 {
        ("#f46d43", "#111", format!("saturated · {util}"))
    } else if s.peak_utilization >= 0.9 {
        ("#fdae61", "#111", util)
    } else if s.peak_utilization >= 0.7 {
        ("#fee08b", "#111", util)
    } else {
        ("#d9f0d3", "#111", util)
    }
}

const LEGEND: [(&str, &str); 6] = [
    ("#d9f0d3", "< 70%"),
    ("#fee08b", "70–90%"),
    ("#fdae61", "90–99%"),
    ("#f46d43", "saturated"),
    ("#a50026", "crashed"),
    ("#eef1f5", "no run data"),
];

pub fn graph_svg(g: &DepGraph) -> String {
    let lay = layout(g);
    let tallest = lay.layers.iter().map(Vec::len).max().unwrap_or(1).max(1) as f64;
    let width =
        (MARGIN * 2.0 + (lay.layers.len().max(1) as f64 - 1.0) * COL_STRIDE + NODE_W).max(760.0);
    let height = TOP + tallest * ROW_STRIDE + LEGEND_H + MARGIN;
    let mut pos = vec![(0.0, 0.0); g.nodes.len()];
    for (d, layer) in lay.layers.iter().enumerate() {
        let offset = (tallest - layer.len() as f64) * ROW_STRIDE / 2.0;
        for (i, &n) in layer.iter().enumerate() {
            pos[n] = (
                MARGIN + d as f64 * COL_STRIDE,
                TOP + offset + i as f64 * ROW_STRIDE,
            );
        }
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="sans-serif">"##
    );
    out.push_str(r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>"##);
    let _ = writeln!(out, r##"<rect width="100%" height="100%" fill="#fff"/>"##);
    let _ = writeln!(
        out,
        r##"<text x="{MARGIN}" y="28" font-size="18" fill="#222">{} — dependency graph</text>"##,
        esc(&g.title)
    );
    let mut placed: Vec<(f64, f64, f64, f64)> = pos
        .iter()
        .map(|&(x, y)| (x, y, x + NODE_W, y + NODE_H))
        .collect();
    let (starts, ends) = ports(g, &pos);
    for i in 0..g.edges.len() {
        edge(&mut out, i, g, starts[i], ends[i], &mut placed);
    }
    for (n, node) in g.nodes.iter().enumerate() {
        node_box(&mut out, n, node, pos[n]);
    }
    legend(&mut out, height - LEGEND_H - 6.0);
    out.push_str("</svg>\n");
    out
}

fn bezier(p: [(f64, f64); 4], t: f64) -> (f64, f64) {
    let u = 1.0 - t;
    let (a, b, c, d) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
    (
        a * p[0].0 + b * p[1].0 + c * p[2].0 + d * p[3].0,
        a * p[0].1 + b * p[1].1 + c * p[2].1 + d * p[3].1,
    )
}

fn overlaps(a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// Where each edge leaves its caller and enters its callee. Why spread them? Many
/// callers of one service would otherwise meet in a single point and hide each other;
/// ordering the ports by the other end's height keeps the curves from crossing there.
/// A point on the canvas [px].
type Point = (f64, f64);

fn ports(g: &DepGraph, pos: &[Point]) -> (Vec<Point>, Vec<Point>) {
    let mut starts = vec![(0.0, 0.0); g.edges.len()];
    let mut ends = vec![(0.0, 0.0); g.edges.len()];
    for (n, &(x, y)) in pos.iter().enumerate() {
        let spread = |mut edges: Vec<usize>, other: &dyn Fn(usize) -> f64| {
            edges.sort_by(|&a, &b| other(a).total_cmp(&other(b)).then(a.cmp(&b)));
            let count = edges.len() as f64;
            edges
                .into_iter()
                .enumerate()
                .map(move |(k, e)| (e, y + NODE_H * (k as f64 + 1.0) / (count + 1.0)))
        };
        let out_edges = (0..g.edges.len())
            .filter(|&e| g.edges[e].caller == n)
            .collect();
        for (e, py) in spread(out_edges, &|e| pos[g.edges[e].callee].1) {
            starts[e] = (x + NODE_W, py);
        }
        let in_edges = (0..g.edges.len())
            .filter(|&e| g.edges[e].callee == n)
            .collect();
        for (e, py) in spread(in_edges, &|e| pos[g.edges[e].caller].1) {
            ends[e] = (x, py);
        }
    }
    (starts, ends)
}

fn edge(
    out: &mut String,
    i: usize,
    g: &DepGraph,
    start: (f64, f64),
    end: (f64, f64),
    placed: &mut Vec<(f64, f64, f64, f64)>,
) {
    let e = &g.edges[i];
    // A call to the same or an earlier layer loops over the top of the boxes.
    let bend = if end.0 > start.0 {
        (end.0 - start.0) / 2.0
    } else {
        120.0
    };
    let p = [start, (start.0 + bend, start.1), (end.0 - bend, end.1), end];
    let _ = writeln!(
        out,
        r##"<path class="edge" data-edge="{} -&gt; {}" d="M{:.1},{:.1} C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}" fill="none" stroke="#555" stroke-width="1.4" marker-end="url(#arrow)"/>"##,
        esc(&g.nodes[e.caller].name),
        esc(&g.nodes[e.callee].name),
        p[0].0,
        p[0].1,
        p[1].0,
        p[1].1,
        p[2].0,
        p[2].1,
        p[3].0,
        p[3].1
    );
    if e.label.is_empty() {
        return;
    }
    // Try points along the curve until the label's box overlaps no node and no label.
    let w = e.label.chars().count() as f64 * 6.6 + 10.0;
    let h = 17.0;
    let boxed = |t: f64| {
        let (x, y) = bezier(p, t);
        (x - w / 2.0, y - h / 2.0, x + w / 2.0, y + h / 2.0)
    };
    let candidates = [0.5, 0.38, 0.62, 0.28, 0.72, 0.2, 0.8];
    let r = candidates
        .iter()
        .map(|&t| boxed(t))
        .find(|r| !placed.iter().any(|p| overlaps(*r, *p)))
        .unwrap_or_else(|| boxed(0.5));
    placed.push(r);
    let _ = writeln!(
        out,
        r##"<g class="edge-label"><rect x="{:.1}" y="{:.1}" width="{w:.1}" height="{h}" rx="3" fill="#fff" fill-opacity="0.92" stroke="#bbb" stroke-width="0.6"/><text x="{:.1}" y="{:.1}" font-size="11" fill="#333" text-anchor="middle">{}</text></g>"##,
        r.0,
        r.1,
        (r.0 + r.2) / 2.0,
        r.1 + 12.5,
        esc(&e.label)
    );
}

fn node_box(out: &mut String, n: usize, node: &GraphNode, (x, y): (f64, f64)) {
    let (fill, ink, state) = look(node);
    let capacity = node
        .capacity
        .map(|(r, w)| format!("{r}×{w} workers"))
        .unwrap_or_default();
    let cx = x + NODE_W / 2.0;
    let _ = write!(
        out,
        r##"<g class="node" id="node-{n}" data-service="{}"><rect x="{x:.1}" y="{y:.1}" width="{NODE_W}" height="{NODE_H}" rx="6" fill="{fill}" stroke="#444" stroke-width="1"/><text x="{cx:.1}" y="{:.1}" font-size="14" font-weight="bold" fill="{ink}" text-anchor="middle">{}</text>"##,
        esc(&node.name),
        y + 19.0,
        esc(&truncate(&node.name, 24)),
    );
    for (i, line) in [capacity, state]
        .iter()
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        let _ = write!(
            out,
            r##"<text x="{cx:.1}" y="{:.1}" font-size="11" fill="{ink}" text-anchor="middle">{}</text>"##,
            y + 36.0 + i as f64 * 14.0,
            esc(&truncate(line, 30))
        );
    }
    out.push_str("</g>\n");
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max - 1).collect::<String>())
    }
}

fn legend(out: &mut String, y: f64) {
    let mut x = MARGIN;
    let _ = write!(
        out,
        r##"<g class="legend"><text x="{x}" y="{:.1}" font-size="12" fill="#555">worst state in the run:</text>"##,
        y + 14.0
    );
    x += 150.0;
    for (fill, label) in LEGEND {
        let _ = write!(
            out,
            r##"<rect x="{x:.1}" y="{y:.1}" width="16" height="16" rx="3" fill="{fill}" stroke="#444" stroke-width="0.6"/><text x="{:.1}" y="{:.1}" font-size="12" fill="#222">{}</text>"##,
            x + 22.0,
            y + 13.0,
            esc(label)
        );
        x += 34.0 + label.chars().count() as f64 * 7.5;
    }
    out.push_str("</g>\n");
}
