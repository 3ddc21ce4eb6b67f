//! Validation of the resilience settings of services and edges (memory, error rate,
//! queue policies, classes, per-class pools, fallbacks, deadlines).

use super::{policies, ClassId, Dist, Fallback, Memory, Pool, Program, QueueDiscipline, Shed};
use crate::diag::{did_you_mean, Diagnostic, Source};
use crate::policy::adaptive_throttle::ThrottleConfig;
use crate::policy::circuit_breaker::BreakerConfig;
use crate::policy::concurrency_limit::LimiterConfig;
use crate::policy::outlier::OutlierConfig;
use crate::policy::rate_limiter::RateLimitConfig;
use crate::policy::retry::RetryPolicy;
use crate::policy::retry_budget::RetryBudgetConfig;
use crate::spec::{ClientSpec, Discipline, ModelSpec, PoolSpec, ServiceSpec};
use std::collections::BTreeSet;

/// Every class named anywhere in the model, after the default class at index 0.
pub fn model_classes(spec: &ModelSpec) -> Vec<String> {
    let mut names = BTreeSet::new();
    for s in spec.services.values() {
        if let Some(shed) = &s.overload.shed {
            names.extend(shed.classes.iter().cloned());
        }
    }
    for c in spec.calls.values() {
        names.extend(c.pools.keys().cloned());
        names.extend(c.bulkheads.keys().cloned());
    }
    names.remove("default");
    std::iter::once("default".to_string())
        .chain(names)
        .collect()
}

pub struct ServiceResilience {
    pub rate_limit: Option<RateLimitConfig>,
    pub concurrency_limit: Option<LimiterConfig>,
    pub discipline: QueueDiscipline,
    pub queue_timeout: Option<u64>,
    pub memory: Option<Memory>,
    pub error_rate: f64,
    pub shed: Option<Shed>,
}

fn fraction(value: f64, what: &str) -> Result<f64, String> {
    if value.is_finite() && (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("{what} = {value} is outside 0..=1"))
    }
}

/// Check a service's resilience fields; problems are pushed as `(field, message, hint)`.
pub fn service_resilience(
    s: &ServiceSpec,
    classes: &[String],
    problems: &mut Vec<(String, String, String)>,
) -> ServiceResilience {
    let mut problem = |field: &str, msg: String, hint: &str| {
        problems.push((field.to_string(), msg, hint.to_string()));
    };
    let discipline = match s.queue.discipline {
        Discipline::Fifo => QueueDiscipline::Fifo,
        Discipline::Lifo => QueueDiscipline::Lifo,
        Discipline::CoDel { target, interval } | Discipline::AdaptiveLifo { target, interval } => {
            if target.0 == 0 || interval.0 <= target.0 {
                problem(
                    "queue.discipline",
                    "CoDel needs 0 < target < interval".into(),
                    "the defaults are target \"5ms\", interval \"100ms\"",
                );
            }
            QueueDiscipline::CoDel {
                target: target.0,
                interval: interval.0,
                adaptive_lifo: matches!(s.queue.discipline, Discipline::AdaptiveLifo { .. }),
            }
        }
    };
    let queue_timeout = s.queue.timeout.map(|t| t.0);
    if queue_timeout == Some(0) {
        problem(
            "queue.timeout",
            "a queue timeout of 0 drops every queued request".into(),
            "omit it, or give a positive duration",
        );
    }
    let error_rate = fraction(s.error_rate, "error_rate").unwrap_or_else(|m| {
        problem(
            "error_rate",
            m,
            "error_rate is a fraction of requests, e.g. 0.01",
        );
        0.0
    });
    let memory = s.memory.as_ref().map(|m| {
        if m.per_request.0 == 0 {
            problem(
                "memory.per_request",
                "per_request must be greater than 0".into(),
                "e.g. per_request: \"2MiB\"",
            );
        }
        if m.base.0 >= m.limit.0 {
            problem(
                "memory.base",
                format!(
                    "base ({} bytes) is not below limit ({} bytes)",
                    m.base.0, m.limit.0
                ),
                "the replica would crash before serving anything",
            );
        }
        if m.restart_after.0 == 0 {
            problem(
                "memory.restart_after",
                "restart_after must be greater than 0".into(),
                "e.g. restart_after: \"30s\"",
            );
        }
        if !m.warmup_slowdown.is_finite() || !(1.0..=100.0).contains(&m.warmup_slowdown) {
            problem(
                "memory.warmup_slowdown",
                format!("warmup_slowdown = {} is outside 1..=100", m.warmup_slowdown),
                "1 means no slowdown after a restart",
            );
        }
        Memory {
            limit: m.limit.0,
            base: m.base.0,
            per_request: m.per_request.0.max(1),
            restart_after: m.restart_after.0.max(1),
            warmup: m.warmup.0,
            warmup_slowdown: m.warmup_slowdown.clamp(1.0, 100.0),
        }
    });
    let shed = s.overload.shed.as_ref().map(|shed| {
        let share = fraction(shed.queue_share, "queue_share").unwrap_or_else(|m| {
            problem(
                "overload.shed.queue_share",
                m,
                "the share of the queue's capacity above which shedding starts",
            );
            1.0
        });
        if s.queue.capacity.is_none() {
            problem(
                "overload.shed",
                "shedding needs a bounded queue".into(),
                "set queue: Queue(capacity: N)",
            );
        }
        let ids = shed
            .classes
            .iter()
            .filter_map(|c| classes.iter().position(|k| k == c))
            .map(|i| i as ClassId)
            .collect();
        Shed {
            share,
            classes: ids,
        }
    });
    let mut policy_problems = Vec::new();
    let rate_limit = s
        .overload
        .rate_limit
        .as_ref()
        .and_then(|r| policies::rate_limit(r, &mut policy_problems));
    let concurrency_limit = s
        .overload
        .concurrency_limit
        .as_ref()
        .and_then(|c| policies::concurrency_limit(c, &mut policy_problems));
    for (section, e) in policy_problems {
        let path = policies::spec_path(&section, e.field).unwrap_or(section);
        problems.push((path.clone(), e.problem, policies::hint(&path)));
    }
    ServiceResilience {
        rate_limit,
        concurrency_limit,
        discipline,
        queue_timeout,
        memory,
        error_rate,
        shed,
    }
}

pub struct EdgeResilience {
    pub retry: Option<RetryPolicy>,
    pub retry_budget: Option<RetryBudgetConfig>,
    pub breaker: Option<BreakerConfig>,
    pub throttle: Option<ThrottleConfig>,
    pub outlier: Option<OutlierConfig>,
    pub class_pools: Vec<(ClassId, Pool)>,
    pub bulkhead: Option<Pool>,
    pub class_bulkheads: Vec<(ClassId, Pool)>,
    pub deadline: Option<u64>,
    pub fallback: Option<Fallback>,
    pub health_check: Option<u64>,
}

pub fn pool(p: &PoolSpec) -> Pool {
    Pool {
        size: p.size,
        acquire_timeout: p.acquire_timeout.0,
    }
}

/// Check an edge's resilience fields; the fallback's latency goes into `program`.
pub fn edge_resilience(
    client: &ClientSpec,
    key: &str,
    src: &Source,
    classes: &[String],
    program: &mut Program,
    build_dist: impl Fn(&crate::spec::DistSpec) -> Result<Dist, String>,
    errors: &mut Vec<Diagnostic>,
) -> EdgeResilience {
    let edge_key = format!("\"{key}\"");
    let loc = |path: &str| {
        find_path(src, &["calls", &edge_key], path).or_else(|| src.find_quoted(&["calls"], key))
    };
    let mut fail = |field: &str, msg: String, hint: &str| {
        errors.push(
            src.error(loc(field), format!("calls.{key}.{}", unquote(field)), msg)
                .with_hint(hint),
        );
    };
    let mut class_pools = Vec::new();
    for (class, p) in &client.pools {
        if p.size == 0 {
            fail(
                &format!("pools.\"{class}\".size"),
                format!(
                    "the pool of class `{class}` has size 0, so every call of that class fails"
                ),
                "every class pool needs at least one connection, e.g. Pool(size: 10)",
            );
        }
        if let Some(id) = classes.iter().position(|c| c == class) {
            class_pools.push((id as ClassId, pool(p)));
        }
    }
    let mut bulkhead = |field: &str, b: &crate::spec::BulkheadSpec| {
        if b.max_concurrent == 0 {
            fail(
                &format!("{field}.max_concurrent"),
                "a bulkhead of 0 concurrent calls refuses every call".into(),
                "max_concurrent must be at least 1 (resilience4j's default is 25)",
            );
        }
        Pool {
            size: b.max_concurrent.max(1),
            acquire_timeout: b.max_wait.0,
        }
    };
    let shared_bulkhead = client.bulkhead.as_ref().map(|b| bulkhead("bulkhead", b));
    let mut class_bulkheads = Vec::new();
    for (class, b) in &client.bulkheads {
        let limit = bulkhead(&format!("bulkheads.\"{class}\""), b);
        if let Some(id) = classes.iter().position(|c| c == class) {
            class_bulkheads.push((id as ClassId, limit));
        }
    }
    if client.deadline.is_some_and(|d| d.0 == 0) {
        fail(
            "deadline",
            "a deadline of 0 fails every call".into(),
            "omit it, or give a positive duration",
        );
    }
    if client.health_check.is_some_and(|d| d.0 == 0) {
        fail(
            "health_check",
            "a health-check interval must be greater than 0".into(),
            "e.g. health_check: \"5s\"",
        );
    }
    let fallback = client.fallback.as_ref().map(|f| {
        let dist = build_dist(&f.latency).unwrap_or_else(|m| {
            fail(
                "fallback.latency",
                m,
                "see docs/model-format.md, Distributions",
            );
            Dist::Constant(0)
        });
        program.dists.push(dist);
        let mut on = [false; 3];
        match &f.on {
            None => on = [true; 3],
            Some(kinds) => {
                if kinds.is_empty() {
                    fail(
                        "fallback.on",
                        "the fallback reacts to no failure".into(),
                        "omit `on` to fall back on every failure",
                    );
                }
                for k in kinds {
                    on[policies::failure_kind(*k) as usize] = true;
                }
            }
        }
        Fallback {
            latency: (program.dists.len() - 1) as u32,
            on,
            enabled: f.enabled,
        }
    });
    let mut policy_problems = Vec::new();
    let deadline = client.deadline.map(|d| d.0);
    let retry = client
        .retry
        .as_ref()
        .and_then(|r| policies::retry(r, deadline, &mut policy_problems));
    let retry_budget = client
        .retry
        .as_ref()
        .and_then(|r| r.budget.as_ref())
        .and_then(|b| policies::retry_budget(b, &mut policy_problems));
    let breaker = client
        .breaker
        .as_ref()
        .and_then(|b| policies::breaker(b, &mut policy_problems));
    let throttle = client
        .throttle
        .as_ref()
        .and_then(|t| policies::throttle(t, &mut policy_problems));
    let outlier = client
        .outlier
        .as_ref()
        .and_then(|o| policies::outlier(o, &mut policy_problems));
    for (section, e) in policy_problems {
        let path = policies::spec_path(&section, e.field).unwrap_or(section);
        let at = loc(&path);
        errors.push(
            src.error(
                at,
                format!("calls.{key}.{}", unquote(&path)),
                with_value(src, at, &path, e.problem),
            )
            .with_hint(policies::hint(&path)),
        );
    }
    EdgeResilience {
        retry,
        retry_budget,
        breaker,
        throttle,
        outlier,
        class_pools,
        bulkhead: shared_bulkhead,
        class_bulkheads,
        deadline,
        fallback,
        health_check: client.health_check.map(|d| d.0),
    }
}

/// Where a dotted field path (`retry.backoff.base`, `pools."critical".size`) is written,
/// after `context`: the deepest part found, each part searched after its parents.
pub fn find_path(src: &Source, context: &[&str], path: &str) -> Option<(usize, usize)> {
    let parts: Vec<&str> = path.split('.').collect();
    (1..=parts.len()).rev().find_map(|n| {
        let mut ctx: Vec<&str> = context.to_vec();
        ctx.extend(&parts[..n - 1]);
        let last = parts[n - 1];
        if last.starts_with('"') {
            src.find_quoted(&ctx, last.trim_matches('"'))
        } else {
            src.find_field(&ctx, last)
        }
    })
}

/// `problem`, preceded by the value as written when `at` points at the field itself:
/// "failure_rate_threshold = 150: must be a percentage between 0 and 100".
pub fn with_value(src: &Source, at: Option<(usize, usize)>, path: &str, problem: String) -> String {
    let field = path.rsplit('.').next().unwrap_or(path);
    let written = at
        .map(|loc| src.text_at(loc))
        .and_then(|text| text.strip_prefix(field))
        .and_then(|rest| rest.trim_start().strip_prefix(':'))
        .map(|rest| {
            let end = rest.find([',', ')', '\n']).unwrap_or(rest.len());
            rest[..end].trim()
        })
        .filter(|v| !v.is_empty() && !v.contains('('));
    match written {
        Some(v) => format!("{field} = {v}: {problem}"),
        None => problem,
    }
}

/// A field path for messages: class keys lose the quotes that locate them.
fn unquote(path: &str) -> String {
    path.replace('"', "")
}

/// The class of a source, checked against the model's classes; unknown names are added.
pub fn source_class(classes: &mut Vec<String>, name: &str) -> ClassId {
    if let Some(i) = classes.iter().position(|c| c == name) {
        return i as ClassId;
    }
    classes.push(name.to_string());
    (classes.len() - 1) as ClassId
}

/// A hint naming the closest known class.
pub fn class_hint(name: &str, classes: &[String]) -> String {
    match did_you_mean(name, classes.iter().map(String::as_str)) {
        Some(c) => format!("did you mean `{c}`?"),
        None => format!("classes named in the model: {}", classes.join(", ")),
    }
}
