//! The dependency graph of a model: services in layers by call depth (left to right),
//! edges labelled with their timeout and pool size, nodes coloured by the worst state
//! the service reached in a run. Drawn as hand-written SVG and as Graphviz DOT.
//!
//! The graph comes from the model when there is one (`sim graph`, or a run directory
//! whose `run-inputs.json` names it) and otherwise from the edge names in
//! `summary.json`, without timeouts and pools.

mod dot;
mod layout;
mod svg;

pub use dot::graph_dot;
pub use svg::graph_svg;

use super::run_dir::RunDir;
use crate::model::Model;
use crate::spec::units::format_duration;

#[derive(Debug, Clone)]
pub struct GraphNode {
    pub name: String,
    /// `replicas × workers`, when the model is known.
    pub capacity: Option<(u32, u32)>,
    /// Worst state in a run; `None` for a model alone.
    pub state: Option<RunState>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct RunState {
    /// Highest utilisation of any window (0–1).
    pub peak_utilization: f64,
    pub crashes: f64,
    /// Failed responses over arrivals, whole run.
    pub failed_share: f64,
}

#[derive(Debug, Clone)]
pub struct GraphEdge {
    pub caller: usize,
    pub callee: usize,
    /// `timeout 2s · pool 10`, or empty when the model is not known.
    pub label: String,
}

#[derive(Debug, Clone)]
pub struct DepGraph {
    pub title: String,
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<GraphEdge>,
}

impl DepGraph {
    pub fn from_model(title: &str, model: &Model) -> DepGraph {
        let nodes = model
            .services
            .iter()
            .map(|s| GraphNode {
                name: s.name.clone(),
                capacity: Some((s.replicas, s.workers)),
                state: None,
            })
            .collect();
        let edges = model
            .edges
            .iter()
            .map(|e| {
                let timeout = e.timeout.map_or("no timeout".to_string(), |t| {
                    format!("timeout {}", format_duration(t))
                });
                let pool = e
                    .pool
                    .map_or("no pool".to_string(), |p| format!("pool {}", p.size));
                GraphEdge {
                    caller: e.caller as usize,
                    callee: e.callee as usize,
                    label: format!("{timeout} · {pool}"),
                }
            })
            .collect();
        DepGraph {
            title: title.to_string(),
            nodes,
            edges,
        }
    }

    /// The graph a run's `summary.json` implies: its services and `caller -> callee` edges.
    pub fn from_summary(run: &RunDir) -> DepGraph {
        let mut names: Vec<String> = run
            .metrics
            .services
            .iter()
            .map(|s| s.name.clone())
            .collect();
        let index = |name: &str, names: &mut Vec<String>| match names.iter().position(|n| n == name)
        {
            Some(i) => i,
            None => {
                names.push(name.to_string());
                names.len() - 1
            }
        };
        let mut edges = Vec::new();
        if let Some(map) = run.summary["edges"].as_object() {
            for key in map.keys() {
                if let Some((a, b)) = key.split_once(" -> ") {
                    let (caller, callee) = (index(a, &mut names), index(b, &mut names));
                    edges.push(GraphEdge {
                        caller,
                        callee,
                        label: String::new(),
                    });
                }
            }
        }
        let nodes = names
            .into_iter()
            .map(|name| GraphNode {
                name,
                capacity: None,
                state: None,
            })
            .collect();
        DepGraph {
            title: run.summary_str("scenario").to_string(),
            nodes,
            edges,
        }
    }

    /// Colour the nodes by the worst each service did in a run.
    pub fn with_run_state(mut self, run: &RunDir) -> DepGraph {
        for node in &mut self.nodes {
            let Some(series) = run.metrics.service(&node.name) else {
                continue;
            };
            let mut state = RunState::default();
            let (mut arrivals, mut failed) = (0.0, 0.0);
            for w in series.windows.iter().flatten() {
                state.peak_utilization = state.peak_utilization.max(w.utilization.unwrap_or(0.0));
                state.crashes += w.crashes;
                arrivals += w.arrivals;
                failed += w.failures.iter().sum::<f64>();
            }
            state.failed_share = failed / f64::max(arrivals, 1.0);
            node.state = Some(state);
        }
        self
    }

    /// Services no edge calls: where the workload enters.
    pub fn roots(&self) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|&n| !self.edges.iter().any(|e| e.callee == n))
            .collect()
    }
}
