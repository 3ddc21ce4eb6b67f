//! Synchronous call cycles between operations, reported as a real path in call order.

use super::Model;
use crate::diag::{Diagnostic, Source};
use petgraph::algo::tarjan_scc;
use petgraph::graph::DiGraph;

/// A synchronous call cycle between operations recurses for ever: each request would
/// hold a worker at every hop while waiting on itself.
pub(super) fn check_cycles(model: &Model, src: &Source) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let ops = model.operations.len();
    let mut graph = DiGraph::<u32, ()>::new();
    let nodes: Vec<_> = (0..ops as u32).map(|i| graph.add_node(i)).collect();
    // Who each operation calls, sorted, so that the cycle reported never depends on
    // the order in which the graph stores its edges.
    let mut callees: Vec<Vec<u32>> = vec![Vec::new(); ops];
    let mut calls = Vec::new();
    for (i, op) in model.operations.iter().enumerate() {
        calls.clear();
        model.program.calls_in(op.body, &mut calls);
        for (_, callee) in &calls {
            graph.update_edge(nodes[i], nodes[*callee as usize], ());
            callees[i].push(*callee);
        }
        callees[i].sort_unstable();
        callees[i].dedup();
    }
    let mut in_scc = vec![false; ops];
    for scc in tarjan_scc(&graph) {
        let members: Vec<u32> = scc.iter().map(|n| graph[*n]).collect();
        let start = *members
            .iter()
            .min_by_key(|&&op| &model.operations[op as usize].name)
            .expect("an SCC is never empty");
        if members.len() == 1 && !callees[start as usize].contains(&start) {
            continue;
        }
        members.iter().for_each(|&m| in_scc[m as usize] = true);
        let cycle = shortest_cycle(start, &in_scc, &callees);
        members.iter().for_each(|&m| in_scc[m as usize] = false);
        errors.push(describe_cycle(model, src, &cycle));
    }
    errors
}

/// The shortest call path from `start` back to itself through operations marked in
/// `allowed` (breadth-first), as `[start, …, start]`.
fn shortest_cycle(start: u32, allowed: &[bool], callees: &[Vec<u32>]) -> Vec<u32> {
    let mut came_from = vec![u32::MAX; callees.len()];
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(op) = queue.pop_front() {
        for &next in &callees[op as usize] {
            if next == start {
                let mut path = vec![op];
                while let Some(&last) = path.last().filter(|&&last| last != start) {
                    path.push(came_from[last as usize]);
                }
                path.reverse();
                path.push(start);
                return path;
            }
            if allowed[next as usize] && came_from[next as usize] == u32::MAX {
                came_from[next as usize] = op;
                queue.push_back(next);
            }
        }
    }
    vec![start, start]
}

fn describe_cycle(model: &Model, src: &Source, cycle: &[u32]) -> Diagnostic {
    let name = |op: u32| model.operations[op as usize].name.as_str();
    let loop_text = cycle
        .iter()
        .map(|&op| name(op))
        .collect::<Vec<_>>()
        .join(" -> ");
    let (first, second) = (name(cycle[0]), name(cycle[1]));
    let (service, op) = first.split_once('/').unwrap_or((first, ""));
    // Point at the call that starts the cycle, inside the first operation.
    let context = [
        "services".to_string(),
        format!("\"{service}\""),
        "operations".to_string(),
        format!("\"{op}\""),
    ];
    let context: Vec<&str> = context.iter().map(String::as_str).collect();
    let loc = src
        .find_quoted(&context, second)
        .or_else(|| src.find_quoted(&["services"], service));
    src.error(
        loc,
        format!("services.{service}.operations.{op}"),
        format!("synchronous call cycle: {loop_text}"),
    )
    .with_hint(
        "a request would wait on itself for ever; remove one of these calls to break the cycle",
    )
}

#[cfg(test)]
mod tests {
    use super::shortest_cycle;

    #[test]
    fn finds_the_shortest_cycle_in_call_order() {
        // 0 → 2 → 1 → 0, and a longer way round through 3.
        let callees = vec![vec![2, 3], vec![0], vec![1], vec![2]];
        assert_eq!(shortest_cycle(0, &[true; 4], &callees), vec![0, 2, 1, 0]);
        assert_eq!(
            shortest_cycle(1, &[true; 4], &[vec![], vec![1]]),
            vec![1, 1]
        );
    }
}
