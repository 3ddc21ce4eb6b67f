//! Where the edge and service policies (`crate::policy`) plug into the request flow:
//! admission (breaker, client-side throttling; ingress rate and concurrency limits),
//! accounting of each attempt (breaker, outlier detection, retry budget, throttling) and
//! the retry decision.

use super::arena::SlotTable;
use super::state::{Holds, NEVER};
use super::Simulation;
use crate::model::Model;
use crate::observe::DetectedKind;
use crate::outcome::Cause;
use crate::policy::adaptive_throttle::AdaptiveThrottle;
use crate::policy::circuit_breaker::{BreakerState, CallOutcome, CircuitBreaker, Transition};
use crate::policy::concurrency_limit::{ConcurrencyLimiter, Ticket};
use crate::policy::outlier::OutlierDetector;
use crate::policy::rate_limiter::RateLimiter;
use crate::policy::retry::{CallRetries, FailureKind, RetryDecision};
use crate::policy::retry_budget::RetryBudget;

/// The live state of every policy of a model.
pub struct Policies {
    /// Per edge, which of the four policies below it has (`BREAKER`, ...). Why? Every
    /// call asks each of them, and their states are big (a breaker is 240 bytes): one
    /// byte per edge answers "none" from a line that stays in the cache, where looking
    /// at each `Option` would load four lines per call, mostly to find `None`.
    present: Vec<u8>,
    breaker: Vec<Option<CircuitBreaker>>,
    throttle: Vec<Option<AdaptiveThrottle>>,
    outlier: Vec<Option<OutlierDetector>>,
    budget: Vec<Option<RetryBudget>>,
    /// Logical calls alive per edge (the ratio budget's "active requests").
    pub active_calls: Vec<u32>,
    /// Per replica.
    pub rate_limit: Vec<Option<RateLimiter>>,
    /// Per edge: the breaker state after its last transition, to check that transitions
    /// follow the state machine (for `check_invariants`).
    pub breaker_last: Vec<BreakerState>,
    /// The first transition that did not, if any.
    pub breaker_violation: Option<String>,
    pub concurrency: Vec<Option<ConcurrencyLimiter>>,
    /// Per job slot: the concurrency-limit ticket its request was admitted with.
    pub tickets: SlotTable<Ticket>,
}

const BREAKER: u8 = 1;
const THROTTLE: u8 = 2;
const OUTLIER: u8 = 4;
const BUDGET: u8 = 8;
const ANY: u8 = BREAKER | THROTTLE | OUTLIER | BUDGET;

/// Edge `edge`'s state of a policy if its presence bit is set: the states are only
/// indexed and read then.
#[inline(always)]
fn state_if<T>(present: u8, states: &mut [Option<T>], edge: usize) -> Option<&mut T> {
    if present != 0 {
        states[edge].as_mut()
    } else {
        None
    }
}

impl Policies {
    pub fn new(model: &Model) -> Self {
        let mut rate_limit = Vec::new();
        let mut concurrency = Vec::new();
        for svc in &model.services {
            for _ in 0..svc.replicas {
                rate_limit.push(svc.rate_limit.map(RateLimiter::new));
                concurrency.push(svc.concurrency_limit.as_ref().map(ConcurrencyLimiter::new));
            }
        }
        let present = model
            .edges
            .iter()
            .map(|e| {
                u8::from(e.breaker.is_some()) * BREAKER
                    + u8::from(e.throttle.is_some()) * THROTTLE
                    + u8::from(e.outlier.is_some()) * OUTLIER
                    + u8::from(e.retry_budget.is_some()) * BUDGET
            })
            .collect();
        Policies {
            present,
            breaker: model
                .edges
                .iter()
                .map(|e| e.breaker.as_ref().map(CircuitBreaker::new))
                .collect(),
            throttle: model
                .edges
                .iter()
                .map(|e| e.throttle.map(AdaptiveThrottle::new))
                .collect(),
            outlier: model
                .edges
                .iter()
                .map(|e| {
                    e.outlier.map(|o| {
                        OutlierDetector::new(o, model.services[e.callee as usize].replicas)
                    })
                })
                .collect(),
            budget: model
                .edges
                .iter()
                .map(|e| e.retry_budget.as_ref().map(RetryBudget::new))
                .collect(),
            active_calls: vec![0; model.edges.len()],
            breaker_last: vec![BreakerState::Closed; model.edges.len()],
            breaker_violation: None,
            rate_limit,
            concurrency,
            tickets: SlotTable::default(),
        }
    }

    /// Whether the edge has the policy, or any of several (`BREAKER | THROTTLE`, `ANY`).
    #[inline]
    fn has(&self, edge: usize, policy: u8) -> bool {
        self.present[edge] & policy != 0
    }

    #[inline]
    pub fn breaker_mut(&mut self, edge: usize) -> Option<&mut CircuitBreaker> {
        state_if(self.present[edge] & BREAKER, &mut self.breaker, edge)
    }

    #[inline]
    pub fn throttle_mut(&mut self, edge: usize) -> Option<&mut AdaptiveThrottle> {
        state_if(self.present[edge] & THROTTLE, &mut self.throttle, edge)
    }

    #[inline]
    pub fn outlier_mut(&mut self, edge: usize) -> Option<&mut OutlierDetector> {
        state_if(self.present[edge] & OUTLIER, &mut self.outlier, edge)
    }

    #[inline]
    pub fn budget_mut(&mut self, edge: usize) -> Option<&mut RetryBudget> {
        state_if(self.present[edge] & BUDGET, &mut self.budget, edge)
    }

    /// Every edge's breaker, `None` where it has none.
    pub fn breakers(&self) -> impl Iterator<Item = Option<&CircuitBreaker>> + '_ {
        self.breaker.iter().map(Option::as_ref)
    }
}

fn breaker_code(state: BreakerState) -> u8 {
    match state {
        BreakerState::Closed => 1,
        BreakerState::Open => 2,
        BreakerState::HalfOpen => 3,
    }
}

impl Simulation<'_> {
    /// A reason to refuse the attempt before it takes any resource.
    ///
    /// Why split, here and in `record_attempt`? Every attempt asks, few edges have the
    /// policies that answer: the question is a byte inlined where it is asked, and only
    /// edges with a policy pay for a call into the rest.
    #[inline(always)]
    pub(crate) fn admission_refusal(&mut self, call: u32) -> Option<Cause> {
        let edge = self.calls[call].edge as usize;
        if !self.policies.has(edge, BREAKER | THROTTLE) {
            return None;
        }
        self.refusal_by_policies(call, edge)
    }

    /// `admission_refusal` on an edge with a breaker or a throttle.
    fn refusal_by_policies(&mut self, call: u32, edge: usize) -> Option<Cause> {
        let now = self.now;
        if let Some(breaker) = self.policies.breaker_mut(edge) {
            let acquire = breaker.try_acquire(now);
            if let Some(t) = acquire.transition {
                self.breaker_transition(edge as u32, t);
            }
            match acquire.permit {
                Some(permit) => self.calls[call].set_permit(permit),
                None => return Some(Cause::BreakerOpen),
            }
        }
        if let Some(throttle) = self.policies.throttle_mut(edge) {
            if !throttle.try_send(now, &mut self.edge_rng[edge]) {
                self.give_back_permit(call);
                return Some(Cause::Throttled);
            }
        }
        None
    }

    /// Return an unused breaker permit (the attempt never reached the callee).
    fn give_back_permit(&mut self, call: u32) {
        if let Some(permit) = self.calls[call].take_permit() {
            let edge = self.calls[call].edge as usize;
            if let Some(b) = self.policies.breaker_mut(edge) {
                b.on_ignored(self.now, permit);
            }
        }
    }

    /// Account for an attempt that ended (`None` = success). `reached` says whether the
    /// attempt got to the callee (its answer or its timeout), as opposed to being refused
    /// on the caller's side.
    #[inline(always)]
    pub(crate) fn record_attempt(
        &mut self,
        call: u32,
        failure: Option<(Cause, FailureKind)>,
        reached: bool,
    ) {
        let edge = self.calls[call].edge;
        if let Some((cause, _)) = failure {
            self.rec.attempt_failed(edge, cause);
        }
        // Most edges have none of the policies below, and a call holds a retry place or a
        // breaker permit only on an edge with a budget or a breaker: nothing else to do.
        if self.policies.has(edge as usize, ANY) {
            self.record_in_policies(call, failure, reached);
        } else {
            debug_assert!(
                !self.calls[call].holds(Holds::Retry) && !self.calls[call].holds(Holds::Permit),
                "a call on an edge without policies holds a retry place or a permit"
            );
        }
    }

    /// `record_attempt` on an edge with at least one policy.
    fn record_in_policies(
        &mut self,
        call: u32,
        failure: Option<(Cause, FailureKind)>,
        reached: bool,
    ) {
        let now = self.now;
        let c = self.calls[call];
        let edge = c.edge as usize;
        let failed = failure.is_some();
        self.release_retry(call);
        if let Some(permit) = self.calls[call].take_permit() {
            let breaker = self
                .policies
                .breaker_mut(edge)
                .expect("a permit comes from a breaker");
            let counts = reached
                || self.model.edges[edge]
                    .breaker
                    .as_ref()
                    .is_some_and(|b| b.rejections_count_as_failures);
            if counts {
                let outcome = CallOutcome {
                    failed,
                    duration: now - c.attempt_started,
                };
                if let Some(t) = breaker.on_result(now, permit, outcome, &mut self.edge_rng[edge]) {
                    self.breaker_transition(edge as u32, t);
                }
            } else {
                breaker.on_ignored(now, permit);
            }
        }
        if reached {
            if let Some(throttle) = self.policies.throttle_mut(edge) {
                // The SRE book's "accepts": requests the backend did not refuse.
                if !failed || failure.is_some_and(|(_, k)| k == FailureKind::Error) {
                    throttle.on_accepted(now);
                }
            }
            if let Some(outlier) = self.policies.outlier_mut(edge) {
                // The host is the callee replica's index among its service's replicas.
                if outlier
                    .on_result(now, u32::from(c.callee_local), failed)
                    .is_some()
                {
                    self.rec.edge(c.edge).ejections += 1;
                }
            }
        }
        if let Some(budget) = self.policies.budget_mut(edge) {
            budget.on_attempt_result(!failed, failed && reached);
        }
    }

    /// The retried attempt ended (or its call was abandoned): its place in the ratio
    /// budget is free again, as Envoy's `resetRetry` does when the next result arrives.
    fn release_retry(&mut self, call: u32) {
        if self.calls[call].take(Holds::Retry) {
            let edge = self.calls[call].edge as usize;
            if let Some(budget) = self.policies.budget_mut(edge) {
                budget.retry_done();
            }
        }
    }

    /// A call torn down without an outcome (its caller's replica crashed): hand back
    /// what it holds in the edge's policies, so that no breaker probe slot, retry budget
    /// place or active-call count leaks.
    pub(crate) fn abandon_call(&mut self, call: u32) {
        self.give_back_permit(call);
        self.release_retry(call);
        let edge = self.calls[call].edge as usize;
        self.policies.active_calls[edge] -= 1;
    }

    /// The backoff before the next attempt, or `None` when the call should not retry.
    pub(crate) fn retry_delay(&mut self, call: u32, kind: FailureKind) -> Option<u64> {
        let now = self.now;
        let edge = self.calls[call].edge as usize;
        let policy = self.model.edges[edge].retry?;
        let c = &self.calls[call];
        let mut retries = CallRetries {
            attempts: c.attempts.into(),
            // Read only from the second failure on, when it has been set.
            prev_delay: self.last_backoff.get(call).unwrap_or(0),
            started_at: c.started_at,
        };
        let decision = policy.on_failure(&mut retries, kind, now, &mut self.edge_rng[edge]);
        let RetryDecision::RetryAfter(delay) = decision else {
            return None;
        };
        let deadline = self.call_deadline(call);
        if deadline != NEVER && now + delay >= deadline {
            return None;
        }
        let active = self.policies.active_calls[edge];
        if let Some(budget) = self.policies.budget_mut(edge) {
            if !budget.try_start_retry(active) {
                self.rec.edge(edge as u32).budget_exhausted += 1;
                return None;
            }
            // Held through the backoff and the retried attempt (see `release_retry`).
            self.calls[call].set_holds(Holds::Retry, true);
        }
        // At most `MAX_ATTEMPTS`, which fits.
        self.calls[call].attempts = retries.attempts as u16;
        self.last_backoff.set(call, Some(retries.prev_delay));
        Some(delay)
    }

    fn breaker_transition(&mut self, edge: u32, t: Transition) {
        use BreakerState::{Closed, HalfOpen, Open};
        let last = std::mem::replace(&mut self.policies.breaker_last[edge as usize], t.to);
        let allowed = matches!(
            (t.from, t.to),
            (Closed, Open) | (Open, HalfOpen) | (HalfOpen, Open) | (HalfOpen, Closed)
        );
        if (t.from != last || !allowed) && self.policies.breaker_violation.is_none() {
            self.policies.breaker_violation = Some(format!(
                "edge {edge}: breaker went {} -> {} after {}",
                t.from.name(),
                t.to.name(),
                last.name()
            ));
        }
        self.rec.breaker_state(edge, breaker_code(t.to), 1);
        let e = &self.model.edges[edge as usize];
        let kind = match t.to {
            BreakerState::Open => DetectedKind::BreakerOpen,
            BreakerState::Closed => DetectedKind::BreakerClosed,
            BreakerState::HalfOpen => return,
        };
        self.rec.detected(self.now, kind, e.caller, edge);
    }

    /// Ingress admission of the replica's own policies; a refusal cause, or none.
    pub(crate) fn ingress_refusal(&mut self, replica: u32) -> Option<Cause> {
        let now = self.now;
        if let Some(limiter) = &mut self.policies.rate_limit[replica as usize] {
            if !limiter.try_acquire(now) {
                return Some(Cause::RateLimited);
            }
        }
        None
    }

    /// Take a concurrency-limit ticket for a job about to be admitted; `false` = shed.
    pub(crate) fn take_concurrency_ticket(&mut self, replica: u32, job: u32) -> bool {
        let Some(limiter) = &mut self.policies.concurrency[replica as usize] else {
            return true;
        };
        match limiter.try_acquire(self.now) {
            Some(ticket) => {
                self.policies.tickets.set(job, Some(ticket));
                true
            }
            None => false,
        }
    }

    /// Give the job's concurrency ticket back with its latency sample.
    #[inline(always)]
    pub(crate) fn return_concurrency_ticket(&mut self, replica: u32, job: u32, success: bool) {
        if let Some(ticket) = self.policies.tickets.take(job) {
            let service = self.replicas[replica as usize].service as usize;
            if let Some(limiter) = &mut self.policies.concurrency[replica as usize] {
                limiter.on_complete(self.now, ticket, !success, &mut self.service_rng[service]);
            }
        }
    }

    /// Whether outlier detection has ejected a callee replica from this edge's balancer.
    pub(crate) fn ejected(&mut self, edge: u32, replica: u32) -> bool {
        let edge = edge as usize;
        if !self.policies.has(edge, OUTLIER) {
            return false;
        }
        let host = self.callee_host(edge, replica);
        let now = self.now;
        self.policies
            .outlier_mut(edge)
            .is_some_and(|o| o.is_ejected(now, host))
    }

    /// A callee replica's index among its service's replicas: outlier detection's host.
    fn callee_host(&self, edge: usize, replica: u32) -> u32 {
        replica - self.edge_hot[edge].first_callee
    }
}
