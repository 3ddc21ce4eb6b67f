//! Layers by call depth, then an order inside each layer that keeps edges short.
//!
//! Why longest-path depth? A service called both directly by the gateway and through
//! another service sits right of both callers, so every edge points rightwards.
//! Service-level cycles (a calls b's op1, b calls a's op2) fall back to breadth-first depth.

use super::DepGraph;
use petgraph::algo::toposort;
use petgraph::graph::DiGraph;

/// The nodes of each layer, in drawing order.
pub struct Layout {
    pub layers: Vec<Vec<usize>>,
}

fn depths(g: &DepGraph) -> Vec<usize> {
    let mut pg = DiGraph::<usize, ()>::new();
    let ids: Vec<_> = (0..g.nodes.len()).map(|i| pg.add_node(i)).collect();
    for e in &g.edges {
        pg.update_edge(ids[e.caller], ids[e.callee], ());
    }
    let mut depth = vec![0usize; g.nodes.len()];
    match toposort(&pg, None) {
        Ok(order) => {
            for n in order {
                let d = depth[pg[n]];
                for e in g.edges.iter().filter(|e| e.caller == pg[n]) {
                    depth[e.callee] = depth[e.callee].max(d + 1);
                }
            }
        }
        Err(_) => {
            let mut seen = vec![false; g.nodes.len()];
            let mut frontier = g.roots();
            if frontier.is_empty() && !g.nodes.is_empty() {
                frontier.push(0);
            }
            for &r in &frontier {
                seen[r] = true;
            }
            while !frontier.is_empty() {
                let mut next = Vec::new();
                for &n in &frontier {
                    for e in g.edges.iter().filter(|e| e.caller == n) {
                        if seen[e.callee] {
                            continue;
                        }
                        seen[e.callee] = true;
                        depth[e.callee] = depth[n] + 1;
                        next.push(e.callee);
                    }
                }
                frontier = next;
            }
        }
    }
    depth
}

pub fn layout(g: &DepGraph) -> Layout {
    let layer_of = depths(g);
    let count = layer_of.iter().max().map_or(0, |d| d + 1);
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (n, &d) in layer_of.iter().enumerate() {
        layers[d].push(n);
    }
    // One sweep of the barycentre heuristic: order each layer by the mean position of
    // its callers in the layers before it.
    let mut position = vec![0.0f64; g.nodes.len()];
    for layer in &mut layers {
        let key = |n: usize| {
            let callers: Vec<f64> = g
                .edges
                .iter()
                .filter(|e| e.callee == n && layer_of[e.caller] < layer_of[n])
                .map(|e| position[e.caller])
                .collect();
            if callers.is_empty() {
                f64::MAX
            } else {
                callers.iter().sum::<f64>() / callers.len() as f64
            }
        };
        let keys: Vec<(usize, f64)> = layer.iter().map(|&n| (n, key(n))).collect();
        layer.sort_by(|a, b| {
            let (ka, kb) = (
                keys.iter().find(|k| k.0 == *a).map_or(0.0, |k| k.1),
                keys.iter().find(|k| k.0 == *b).map_or(0.0, |k| k.1),
            );
            ka.total_cmp(&kb)
                .then_with(|| g.nodes[*a].name.cmp(&g.nodes[*b].name))
        });
        // Layers are drawn centred, so positions are centred too.
        let middle = (layer.len() as f64 - 1.0) / 2.0;
        for (i, &n) in layer.iter().enumerate() {
            position[n] = i as f64 - middle;
        }
    }
    Layout { layers }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::graph::{GraphEdge, GraphNode};

    fn graph(names: &[&str], edges: &[(usize, usize)]) -> DepGraph {
        DepGraph {
            title: "t".into(),
            nodes: names
                .iter()
                .map(|n| GraphNode {
                    name: n.to_string(),
                    capacity: None,
                    state: None,
                })
                .collect(),
            edges: edges
                .iter()
                .map(|&(caller, callee)| GraphEdge {
                    caller,
                    callee,
                    label: String::new(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_service_sits_right_of_all_its_callers() {
        // gateway -> db directly and through cache: db goes in the third layer.
        let g = graph(&["db", "cache", "gateway"], &[(2, 0), (2, 1), (1, 0)]);
        assert_eq!(layout(&g).layers, vec![vec![2], vec![1], vec![0]]);
    }

    #[test]
    fn service_level_cycles_still_lay_out() {
        let g = graph(&["a", "b", "entry"], &[(2, 0), (0, 1), (1, 0)]);
        let layers = layout(&g).layers;
        assert_eq!(layers.iter().map(Vec::len).sum::<usize>(), 3);
        assert_eq!(layers[0], vec![2]);
    }
}
