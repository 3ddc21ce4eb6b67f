//! `graph.dot`: the same graph for Graphviz (`dot -Tpng graph.dot -o graph.png`).

use super::DepGraph;
use std::fmt::Write;

fn quote(s: &str) -> String {
    format!(
        "\"{}\"",
        s.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
    )
}

pub fn graph_dot(g: &DepGraph) -> String {
    let mut out = format!("digraph {} {{\n", quote(&g.title));
    out.push_str("  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eef1f5\", fontname=\"sans-serif\"];\n  edge [fontname=\"sans-serif\", fontsize=10];\n");
    for node in &g.nodes {
        let mut label = node.name.clone();
        if let Some((r, w)) = node.capacity {
            let _ = write!(label, "\n{r}×{w} workers");
        }
        let _ = writeln!(out, "  {} [label={}];", quote(&node.name), quote(&label));
    }
    for e in &g.edges {
        let _ = writeln!(
            out,
            "  {} -> {} [label={}];",
            quote(&g.nodes[e.caller].name),
            quote(&g.nodes[e.callee].name),
            quote(&e.label)
        );
    }
    out.push_str("}\n");
    out
}
