//! Envoy's adaptive concurrency gradient controller, driven lazily by `now` instead of
//! timers: the two Envoy timers (sample window reset every
//! `concurrency_update_interval`, min RTT re-measurement every
//! `min_rtt_calc_interval` + jitter) are replayed in time order on each call.
//!
//! - Min RTT window: the limit is pinned to `min_concurrency`; once
//!   `min_rtt_request_count` samples of requests started in the window are in, min RTT
//!   is their `sample_aggregate_percentile` and the previous limit is restored.
//! - Each update interval with samples: sample RTT is their percentile and
//!   `limit = g·limit + √(g·limit)`, truncated and clamped to
//!   [`min_concurrency`, `max_concurrency_limit`], where
//!   `g = clamp(min_rtt·(1 + buffer)/sample_rtt, 0.5, 2)`. (Envoy's source takes the
//!   square root of `g·limit`, not of `limit`.)
//! - Five consecutive updates at `min_concurrency` start a new min RTT measurement.

use crate::policy::{check, check_percent, ConfigError, MILLISECOND, SECOND};
use rand::Rng;

/// Samples kept per window; beyond it the oldest are overwritten. Ample for a 100 ms
/// window, and a fixed bound keeps memory flat.
const SAMPLE_CAPACITY: usize = 8192;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GradientConfig {
    /// `sample_aggregate_percentile` [%]. Default 50.
    pub sample_aggregate_percentile: f64,
    /// `concurrency_update_interval` [ns]. Default 100 ms.
    pub concurrency_update_interval: u64,
    /// `max_concurrency_limit`. Default 1000.
    pub max_concurrency_limit: u32,
    /// `min_rtt_calc_params.interval` [ns]. Default 60 s.
    pub min_rtt_calc_interval: u64,
    /// `min_rtt_calc_params.request_count`. Default 50.
    pub min_rtt_request_count: u32,
    /// `min_rtt_calc_params.jitter` [%]: up to this share of the interval is added at
    /// random to each re-measurement's start. Default 15.
    pub min_rtt_jitter: f64,
    /// `min_rtt_calc_params.min_concurrency`. Default 3.
    pub min_concurrency: u32,
    /// `min_rtt_calc_params.buffer` [%] added to min RTT. Default 25.
    pub min_rtt_buffer: f64,
}

impl Default for GradientConfig {
    fn default() -> Self {
        GradientConfig {
            sample_aggregate_percentile: 50.0,
            concurrency_update_interval: 100 * MILLISECOND,
            max_concurrency_limit: 1000,
            min_rtt_calc_interval: 60 * SECOND,
            min_rtt_request_count: 50,
            min_rtt_jitter: 15.0,
            min_concurrency: 3,
            min_rtt_buffer: 25.0,
        }
    }
}

impl GradientConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        let pct = self.sample_aggregate_percentile;
        check(
            pct > 0.0 && pct <= 100.0,
            "sample_aggregate_percentile",
            "must be in (0, 100]",
        )?;
        let update = self.concurrency_update_interval;
        check(
            update >= 1,
            "concurrency_update_interval",
            "must be positive",
        )?;
        check(
            self.min_rtt_calc_interval >= 1,
            "min_rtt_calc_interval",
            "must be positive",
        )?;
        check(
            self.min_concurrency >= 1,
            "min_concurrency",
            "must be at least 1",
        )?;
        let max_ok = self.max_concurrency_limit >= self.min_concurrency;
        check(
            max_ok,
            "max_concurrency_limit",
            "must be ≥ `min_concurrency`",
        )?;
        let count_ok = (1..=SAMPLE_CAPACITY as u32).contains(&self.min_rtt_request_count);
        check(
            count_ok,
            "min_rtt_request_count",
            "must be between 1 and 8192",
        )?;
        check_percent(self.min_rtt_jitter, "min_rtt_jitter")?;
        check_percent(self.min_rtt_buffer, "min_rtt_buffer")
    }
}

#[derive(Debug, Clone)]
pub struct Gradient {
    config: GradientConfig,
    limit: u32,
    min_rtt: u64,
    /// Some(limit to restore) while measuring min RTT.
    deferred_limit: Option<u32>,
    /// Samples of requests started before this instant are ignored.
    min_rtt_epoch: u64,
    next_sample_reset: u64,
    next_min_rtt_calc: u64,
    consecutive_min_limit_updates: u32,
    samples: Vec<u64>,
    overwrite_at: usize,
}

impl Gradient {
    /// Starts measuring min RTT at time 0, with the limit at `min_concurrency`.
    pub fn new(config: GradientConfig) -> Self {
        let mut g = Gradient {
            config,
            limit: config.min_concurrency,
            min_rtt: 0,
            deferred_limit: None,
            min_rtt_epoch: 0,
            next_sample_reset: config.concurrency_update_interval,
            next_min_rtt_calc: u64::MAX,
            consecutive_min_limit_updates: 0,
            samples: Vec::with_capacity(SAMPLE_CAPACITY),
            overwrite_at: 0,
        };
        g.enter_min_rtt_window(0);
        g
    }

    pub fn limit(&mut self, now: u64) -> u32 {
        self.run_timers(now);
        self.limit
    }

    /// The measured min RTT [ns]; 0 until the first measurement completes.
    pub fn min_rtt(&self) -> u64 {
        self.min_rtt
    }

    /// A request started at `started_at` completed at `now`.
    pub fn on_sample<R: Rng + ?Sized>(&mut self, now: u64, started_at: u64, rng: &mut R) {
        self.run_timers(now);
        if started_at < self.min_rtt_epoch {
            return;
        }
        self.push_sample(now - started_at);
        let enough = self.samples.len() >= self.config.min_rtt_request_count as usize;
        if self.deferred_limit.is_some() && enough {
            self.finish_min_rtt_window(now, rng);
        }
    }

    /// Replays Envoy's timers due at or before `now`, in time order.
    fn run_timers(&mut self, now: u64) {
        while self.deferred_limit.is_none() {
            if self.next_min_rtt_calc < self.next_sample_reset {
                if self.next_min_rtt_calc > now {
                    return;
                }
                self.enter_min_rtt_window(self.next_min_rtt_calc);
                return;
            }
            if self.next_sample_reset > now {
                return;
            }
            if self.samples.is_empty() {
                self.skip_empty_windows(now);
                continue;
            }
            let at = self.next_sample_reset;
            self.next_sample_reset += self.config.concurrency_update_interval;
            self.update_from_samples(at);
        }
    }

    /// Envoy leaves the limit alone when a window had no samples; skip such windows in
    /// one step however long the idle spell.
    fn skip_empty_windows(&mut self, now: u64) {
        let until = now.min(self.next_min_rtt_calc);
        let interval = self.config.concurrency_update_interval;
        let steps = (until.saturating_sub(self.next_sample_reset)) / interval + 1;
        self.next_sample_reset += steps * interval;
    }

    fn update_from_samples(&mut self, at: u64) {
        let sample_rtt = self.take_percentile().max(1);
        let buffered_min_rtt = self.min_rtt as f64 * (1.0 + self.config.min_rtt_buffer / 100.0);
        let gradient = (buffered_min_rtt / sample_rtt as f64).clamp(0.5, 2.0);
        let scaled = f64::from(self.limit) * gradient;
        let new_limit = (scaled + scaled.sqrt()) as u32;
        let clamped = new_limit.clamp(
            self.config.min_concurrency,
            self.config.max_concurrency_limit,
        );
        self.set_limit(at, clamped);
    }

    fn set_limit(&mut self, at: u64, new_limit: u32) {
        let min = self.config.min_concurrency;
        let stuck = self.deferred_limit.is_none() && self.limit == min && new_limit == min;
        self.limit = new_limit;
        self.consecutive_min_limit_updates = if stuck {
            self.consecutive_min_limit_updates + 1
        } else {
            0
        };
        // Pinned at the minimum for five windows: min RTT was probably measured badly.
        if self.consecutive_min_limit_updates >= 5 {
            self.next_min_rtt_calc = at;
        }
    }

    fn enter_min_rtt_window(&mut self, at: u64) {
        self.deferred_limit = Some(self.limit);
        self.set_limit(at, self.config.min_concurrency);
        self.samples.clear();
        self.min_rtt_epoch = at;
    }

    fn finish_min_rtt_window<R: Rng + ?Sized>(&mut self, now: u64, rng: &mut R) {
        self.min_rtt = self.take_percentile();
        // Restored while still counted as measuring, as in Envoy, so that it never
        // counts towards the five updates at the minimum.
        let restored = self.deferred_limit.unwrap_or(self.config.min_concurrency);
        self.set_limit(now, restored);
        self.deferred_limit = None;
        let interval = self.config.min_rtt_calc_interval;
        let jitter_range = (interval as f64 * self.config.min_rtt_jitter / 100.0).ceil() as u64;
        let jitter = if jitter_range > 0 {
            rng.random_range(0..jitter_range)
        } else {
            0
        };
        self.next_min_rtt_calc = now.saturating_add(interval).saturating_add(jitter);
        self.next_sample_reset = now + self.config.concurrency_update_interval;
    }

    fn push_sample(&mut self, rtt: u64) {
        if self.samples.len() < SAMPLE_CAPACITY {
            self.samples.push(rtt);
        } else {
            self.samples[self.overwrite_at] = rtt;
            self.overwrite_at = (self.overwrite_at + 1) % SAMPLE_CAPACITY;
        }
    }

    /// The configured percentile of the samples (nearest rank), clearing them.
    fn take_percentile(&mut self) -> u64 {
        let n = self.samples.len();
        let rank = (self.config.sample_aggregate_percentile / 100.0 * n as f64).ceil() as usize;
        let index = rank.clamp(1, n) - 1;
        let value = *self.samples.select_nth_unstable(index).1;
        self.samples.clear();
        self.overwrite_at = 0;
        value
    }
}

#[cfg(test)]
mod tests;
