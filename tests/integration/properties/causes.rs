//! Honest causes: every failure cause and policy counter in the totals comes from a
//! mechanism the case has (a `rate_limited` failure needs a rate limiter, an open breaker
//! must have opened...). A run that blamed the wrong mechanism would still balance its
//! books, so the accounting invariants cannot see it.

use cascade_sim::engine::RunResult;
use cascade_sim::model::{Edge, QueueDiscipline};
use cascade_sim::outcome::Cause;
use cascade_sim::scenario::incident::Action;
use cascade_sim::scenario::Scenario;
use proptest::prelude::*;

pub fn check_causes(scenario: &Scenario, result: &RunResult) -> Result<(), TestCaseError> {
    let rec = &result.recorder;
    for (s, totals) in rec.totals.iter().enumerate() {
        for cause in Cause::ALL {
            prop_assert!(
                totals.errors[cause as usize] == 0 || service_can_fail(scenario, s as u32, cause),
                "{}: failed with `{}` without the mechanism",
                &scenario.model.services[s].name,
                cause.name()
            );
        }
    }
    for (e, totals) in rec.edge_totals.iter().enumerate() {
        let edge = &scenario.model.edges[e];
        for cause in Cause::ALL {
            prop_assert!(
                totals.attempt_failures[cause as usize] == 0
                    || edge_can_fail(scenario, e as u32, cause),
                "{}: an attempt failed with `{}` without the mechanism",
                &edge.name,
                cause.name()
            );
        }
        // An open breaker refuses: it must have opened first (unless the refusals are
        // the callee's answers, refused by a breaker of its own, or it opened during the
        // warm-up, which the totals leave out).
        prop_assert!(
            totals.attempt_failures[Cause::BreakerOpen as usize] == 0
                || totals.breaker_transitions > 0
                || scenario.warmup > 0
                || service_can_fail(scenario, edge.callee, Cause::BreakerOpen),
            "{}: breaker refused calls without ever opening",
            &edge.name
        );
        let chaos = scenario.incident.chaos.iter().any(|c| c.edge == e as u32);
        let partitioned = steps(scenario).any(|a| match a {
            Action::Partition { a, b } => {
                (*a, *b) == (edge.caller, edge.callee) || (*b, *a) == (edge.caller, edge.callee)
            }
            _ => false,
        });
        for (count, has, what) in [
            (totals.retries, edge.retry.is_some(), "retries"),
            (
                totals.budget_exhausted,
                edge.retry_budget.is_some(),
                "budget refusals",
            ),
            (totals.ejections, edge.outlier.is_some(), "ejections"),
            (
                totals.degraded,
                falls_back(scenario, e as u32),
                "degraded answers",
            ),
            (
                totals.breaker_transitions,
                edge.breaker.is_some(),
                "breaker transitions",
            ),
            (totals.chaos_hits, chaos, "chaos hits"),
            (
                totals.undelivered,
                chaos || partitioned,
                "undelivered attempts",
            ),
        ] {
            prop_assert!(
                count == 0 || has,
                "{}: {count} {what} without the mechanism",
                &edge.name
            );
        }
    }
    Ok(())
}

fn steps(scenario: &Scenario) -> impl Iterator<Item = &Action> {
    scenario.incident.steps.iter().map(|s| &s.action)
}

/// Whether a call on edge `e` may end degraded: its own fallback, or one below it (the
/// callee's degraded answer counts as degraded on every edge above).
fn falls_back(scenario: &Scenario, e: u32) -> bool {
    let edges = &scenario.model.edges;
    let callee = edges[e as usize].callee;
    edges[e as usize].fallback.is_some()
        || (0..edges.len() as u32)
            .any(|d| edges[d as usize].caller == callee && falls_back(scenario, d))
}

/// Whether a request of service `s` may fail with `cause`.
fn service_can_fail(scenario: &Scenario, s: u32, cause: Cause) -> bool {
    let svc = &scenario.model.services[s as usize];
    let mut out = scenario
        .model
        .edges
        .iter()
        .enumerate()
        .filter(|(_, e)| e.caller == s);
    let scripted = |f: &dyn Fn(&Action) -> bool| steps(scenario).any(f);
    match cause {
        Cause::Rejected => svc.queue_capacity != u64::MAX,
        Cause::Shed => svc.shed.is_some() || svc.concurrency_limit.is_some(),
        Cause::RateLimited => svc.rate_limit.is_some(),
        Cause::QueueTimeout => {
            svc.queue_timeout.is_some() || matches!(svc.discipline, QueueDiscipline::CoDel { .. })
        }
        Cause::Crashed => {
            svc.memory.is_some()
                || scripted(
                    &|a| matches!(a, Action::Crash { service, .. } | Action::SetReplicas { service, .. } if *service == s),
                )
        }
        Cause::Error => {
            svc.error_rate > 0.0
                || scripted(&|a| matches!(a, Action::SetErrorRate { service, .. } if *service == s))
        }
        Cause::Deadline => scenario
            .model
            .edges
            .iter()
            .any(|e| e.callee == s && e.propagate_deadline),
        Cause::Lost => scripted(&|a| matches!(a, Action::BlackHole { service } if *service == s)),
        Cause::Downstream => out.next().is_some(),
        // The caller's own refusals and timeouts: one of its edges has the mechanism.
        _ => out.any(|(e, _)| caller_side(scenario, e as u32, cause)),
    }
}

/// Whether an attempt on edge `e` may fail with `cause`: on the caller's side, or as the
/// callee's answer.
fn edge_can_fail(scenario: &Scenario, e: u32, cause: Cause) -> bool {
    caller_side(scenario, e, cause)
        || service_can_fail(scenario, scenario.model.edges[e as usize].callee, cause)
}

/// Causes that arise on the caller's side of edge `e`.
fn caller_side(scenario: &Scenario, e: u32, cause: Cause) -> bool {
    let edge: &Edge = &scenario.model.edges[e as usize];
    match cause {
        Cause::Timeout => {
            edge.timeout.is_some()
                || edge.deadline.is_some()
                || edge.propagate_deadline
                || steps(scenario)
                    .any(|a| matches!(a, Action::SetTimeout { edge, .. } if *edge == e))
        }
        Cause::PoolTimeout => edge.pool.is_some() || !edge.class_pools.is_empty(),
        Cause::BulkheadFull => edge.bulkhead.is_some() || !edge.class_bulkheads.is_empty(),
        Cause::BreakerOpen => edge.breaker.is_some(),
        Cause::Throttled => edge.throttle.is_some(),
        Cause::Dropped => scenario
            .incident
            .chaos
            .iter()
            .any(|c| c.edge == e && c.delay.is_none()),
        _ => false,
    }
}
