//! Adaptive concurrency limits: a service admits a request only while fewer than
//! `limit` are in flight, and adjusts `limit` from the latency and drops it observes.
//!
//! - [`Aimd`], Netflix concurrency-limits `AIMDLimit`: +1 on a success while at least
//!   half the limit is in use, × `backoff_ratio` on a drop or a too-slow response.
//! - [`Gradient`], Envoy's adaptive concurrency filter: every update interval,
//!   `gradient = min_rtt·(1 + buffer) / sample_rtt` clamped to [0.5, 2], then
//!   `limit = gradient·limit + √(gradient·limit)`; min RTT is re-measured periodically
//!   with the limit pinned to `min_concurrency`.
//!
//! Protocol: `try_acquire(now)` returns a [`Ticket`] or refuses (`shed`); when the
//! request ends, `on_complete(now, ticket, dropped, rng)` (the latency sample is
//! `now − ticket.started_at`) or `on_ignored(ticket)` to release without a sample.

mod aimd;
mod gradient;

pub use aimd::{Aimd, AimdConfig};
pub use gradient::{Gradient, GradientConfig};

use super::ConfigError;
use rand::Rng;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LimiterConfig {
    Aimd(AimdConfig),
    Gradient(GradientConfig),
}

impl LimiterConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        match self {
            LimiterConfig::Aimd(c) => c.validate(),
            LimiterConfig::Gradient(c) => c.validate(),
        }
    }
}

/// Handed out with each admitted request; give it back when the request ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    pub started_at: u64,
    /// Requests in flight when this one was admitted, itself included (Netflix's AIMD
    /// grows only when this reaches half the limit).
    pub inflight_at_start: u32,
}

#[derive(Debug, Clone)]
enum Algorithm {
    Aimd(Aimd),
    Gradient(Gradient),
}

#[derive(Debug, Clone)]
pub struct ConcurrencyLimiter {
    algorithm: Algorithm,
    inflight: u32,
}

impl ConcurrencyLimiter {
    /// # Panics
    /// If the config does not validate.
    pub fn new(config: &LimiterConfig) -> Self {
        if let Err(e) = config.validate() {
            panic!("invalid concurrency limit config: {e}");
        }
        let algorithm = match *config {
            LimiterConfig::Aimd(c) => Algorithm::Aimd(Aimd::new(c)),
            LimiterConfig::Gradient(c) => Algorithm::Gradient(Gradient::new(c)),
        };
        ConcurrencyLimiter {
            algorithm,
            inflight: 0,
        }
    }

    /// The limit in force at `now`.
    pub fn limit(&mut self, now: u64) -> u32 {
        match &mut self.algorithm {
            Algorithm::Aimd(a) => a.limit(),
            Algorithm::Gradient(g) => g.limit(now),
        }
    }

    pub fn inflight(&self) -> u32 {
        self.inflight
    }

    pub fn try_acquire(&mut self, now: u64) -> Option<Ticket> {
        if self.inflight >= self.limit(now) {
            return None;
        }
        self.inflight += 1;
        Some(Ticket {
            started_at: now,
            inflight_at_start: self.inflight,
        })
    }

    /// The request ended at `now`. `dropped`: it timed out or was rejected for overload
    /// downstream (Netflix `onDropped`); only AIMD uses it.
    pub fn on_complete<R: Rng + ?Sized>(
        &mut self,
        now: u64,
        ticket: Ticket,
        dropped: bool,
        rng: &mut R,
    ) {
        self.release();
        let rtt = now.saturating_sub(ticket.started_at);
        match &mut self.algorithm {
            Algorithm::Aimd(a) => a.on_sample(rtt, ticket.inflight_at_start, dropped),
            Algorithm::Gradient(g) => g.on_sample(now, ticket.started_at, rng),
        }
    }

    /// The request ended but says nothing about capacity (Netflix `onIgnore`).
    pub fn on_ignored(&mut self, _ticket: Ticket) {
        self.release();
    }

    fn release(&mut self) {
        debug_assert!(self.inflight > 0, "release without a ticket");
        self.inflight = self.inflight.saturating_sub(1);
    }
}
