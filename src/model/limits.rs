//! Totals that bound what building and running a model costs, whatever each service asks
//! for alone: a model that passes these checks cannot exhaust memory or the stack before
//! the run's own guards (`engine::Limits`) apply.

use super::Model;
use crate::diag::{Diagnostic, Source};
use crate::spec::ModelSpec;

/// Each service keeps two latency histograms (30 KB each) and a metrics row per window.
pub const MAX_SERVICES: usize = 1_000;
/// Replicas over all services: each has its own queue.
pub const MAX_TOTAL_REPLICAS: u64 = 100_000;
/// Connection pools over all edges (one per caller replica).
pub const MAX_TOTAL_POOLS: u64 = 1_000_000;
/// Request classes (the names used by shedding, per-class pools and bulkheads): a call
/// keeps its class in 16 bits, and each class multiplies an edge's gate table.
pub const MAX_CLASSES: usize = 1_000;
/// Longest chain of synchronous calls. Real systems are a few to a few dozen hops deep;
/// the engine follows a chain on its stack, so a limit keeps hostile models from
/// overflowing it.
pub const MAX_CALL_DEPTH: usize = 64;
/// Problems reported for one file. Locating a problem scans the file, and a hostile file
/// can hold millions of them: past this many, the rest are summed up in one line.
pub const MAX_ERRORS: usize = 50;

/// Checked before anything else: too many services, replicas, classes or pools.
pub(super) fn check_size(spec: &ModelSpec, src: &Source) -> Vec<Diagnostic> {
    // A total over the whole model, reported at its top-level section.
    let over = |section: &str, message: String, hint: &str| {
        src.error(src.find_field(&[], section), section, message)
            .with_hint(hint)
    };
    let services = spec.services.len();
    if services > MAX_SERVICES {
        return vec![over(
            "services",
            format!("the model has {services} services, more than the limit of {MAX_SERVICES}"),
            "simulate a part of the system, or merge services that behave alike",
        )];
    }
    let mut errors = Vec::new();
    let replicas: u64 = spec.services.values().map(|s| u64::from(s.replicas)).sum();
    if replicas > MAX_TOTAL_REPLICAS {
        errors.push(over(
            "services",
            format!("{replicas} replicas in all, more than the limit of {MAX_TOTAL_REPLICAS}"),
            "replicas of one service behave alike; simulate fewer, larger ones",
        ));
    }
    let classes = super::resilience::model_classes(spec).len();
    if classes > MAX_CLASSES {
        errors.push(over(
            "services",
            format!("{classes} request classes in all, more than the limit of {MAX_CLASSES}"),
            "classes are priorities (critical, bulk, ...): a few suffice",
        ));
    }
    let replicas_of = |name: &str| spec.services.get(name).map_or(0, |s| u64::from(s.replicas));
    let pools: u64 = spec
        .calls
        .iter()
        .filter(|(_, c)| c.pool.is_some())
        .filter_map(|(key, _)| key.split_once("->"))
        .map(|(caller, _)| replicas_of(caller.trim()))
        .sum();
    if pools > MAX_TOTAL_POOLS {
        errors.push(over(
            "calls",
            format!("{pools} connection pools in all (one per caller replica), more than the limit of {MAX_TOTAL_POOLS}"),
            "use fewer caller replicas or fewer pooled edges",
        ));
    }
    errors
}

/// The longest chain of synchronous calls, over an acyclic call graph.
pub(super) fn check_depth(model: &Model, src: &Source) -> Option<Diagnostic> {
    let n = model.operations.len();
    let mut callees: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut calls = Vec::new();
    for (i, op) in model.operations.iter().enumerate() {
        calls.clear();
        model.program.calls_in(op.body, &mut calls);
        callees[i] = calls.iter().map(|(_, c)| *c).collect();
    }
    // depth[i] = calls on the longest chain from operation i; computed without recursion
    // (an explicit stack), since the chain is what may be too deep.
    let mut depth: Vec<Option<usize>> = vec![None; n];
    for root in 0..n {
        let mut stack = vec![root];
        while let Some(&op) = stack.last() {
            if depth[op].is_some() {
                stack.pop();
                continue;
            }
            let pending: Vec<usize> = callees[op]
                .iter()
                .map(|c| *c as usize)
                .filter(|c| depth[*c].is_none())
                .collect();
            if pending.is_empty() || stack.len() > n {
                let d = callees[op]
                    .iter()
                    .map(|c| depth[*c as usize].unwrap_or(0) + 1)
                    .max()
                    .unwrap_or(0);
                depth[op] = Some(d);
                stack.pop();
            } else {
                stack.extend(pending);
            }
        }
    }
    let (deepest, d) = depth
        .iter()
        .enumerate()
        .map(|(i, d)| (i, d.unwrap_or(0)))
        .max_by_key(|&(i, d)| (d, usize::MAX - i))?;
    if d <= MAX_CALL_DEPTH {
        return None;
    }
    let name = &model.operations[deepest].name;
    let loc = src.find_quoted(&["services"], name.split('/').next().unwrap_or(name));
    Some(
        src.error(
            loc,
            format!("services.{}", name.replacen('/', ".operations.", 1)),
            format!("a chain of {d} synchronous calls starts at `{name}`, more than the limit of {MAX_CALL_DEPTH}"),
        )
        .with_hint("real call chains are a few dozen hops at most; shorten the chain"),
    )
}

/// Keep the first [`MAX_ERRORS`] problems and say how many more there were.
pub(super) fn cap(mut errors: Vec<Diagnostic>, src: &Source) -> Vec<Diagnostic> {
    if errors.len() > MAX_ERRORS {
        let more = errors.len() - MAX_ERRORS;
        errors.truncate(MAX_ERRORS);
        errors.push(
            src.error(None, "", format!("… and {more} more problems"))
                .with_hint("fix the ones above first"),
        );
    }
    errors
}
