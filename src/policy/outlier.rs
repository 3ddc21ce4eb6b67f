//! Envoy outlier detection, consecutive 5xx: a caller's load balancer ejects a host
//! after `consecutive_5xx` consecutive failures, for
//! `min(base_ejection_time × backoff, max_ejection_time)`, where `backoff` grows by one
//! per ejection and shrinks by one per `interval` the host spends healthy.
//!
//! Ejection is refused when it would leave more than `max_ejection_percent` of the hosts
//! ejected, counting the host being ejected: `100·(ejected + 1)/hosts ≤ max`. So with
//! the default 10 %, clusters of fewer than 10 hosts eject nothing, unless
//! `always_eject_one_host` allows one ejection when none is active (Envoy ≥ 1.31).
//!
//! Un-ejection is lazy, at exactly the end of the ejection time; Envoy checks at its
//! `interval` ticks, so a real host may return up to one interval later.

use super::{check, ConfigError, SECOND};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutlierConfig {
    /// `consecutive_5xx`. Default 5.
    pub consecutive_5xx: u32,
    /// `interval` [ns]: the detector's tick, here only for the backoff's decay.
    /// Default 10 s.
    pub interval: u64,
    /// `base_ejection_time` [ns]. Default 30 s.
    pub base_ejection_time: u64,
    /// `max_ejection_time` [ns]. Default 300 s.
    pub max_ejection_time: u64,
    /// `max_ejection_percent` [%]. Default 10.
    pub max_ejection_percent: u32,
    /// `always_eject_one_host`. Default false.
    pub always_eject_one_host: bool,
}

impl Default for OutlierConfig {
    fn default() -> Self {
        OutlierConfig {
            consecutive_5xx: 5,
            interval: 10 * SECOND,
            base_ejection_time: 30 * SECOND,
            max_ejection_time: 300 * SECOND,
            max_ejection_percent: 10,
            always_eject_one_host: false,
        }
    }
}

impl OutlierConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        check(
            self.consecutive_5xx >= 1,
            "consecutive_5xx",
            "must be at least 1",
        )?;
        check(self.interval >= 1, "interval", "must be positive")?;
        check(
            self.base_ejection_time >= 1,
            "base_ejection_time",
            "must be positive",
        )?;
        let max_ok = self.max_ejection_time >= self.base_ejection_time;
        check(
            max_ok,
            "max_ejection_time",
            "must be ≥ `base_ejection_time`",
        )?;
        let percent_ok = self.max_ejection_percent <= 100;
        check(
            percent_ok,
            "max_ejection_percent",
            "must be a percentage between 0 and 100",
        )
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Host {
    consecutive_failures: u32,
    ejected_until: Option<u64>,
    /// Envoy's `eject_time_backoff`, as of `backoff_as_of`.
    backoff: u32,
    backoff_as_of: u64,
}

/// An ejection, for the engine to record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ejection {
    pub host: u32,
    pub until: u64,
}

#[derive(Debug, Clone)]
pub struct OutlierDetector {
    config: OutlierConfig,
    hosts: Vec<Host>,
}

impl OutlierDetector {
    /// # Panics
    /// If the config does not validate.
    pub fn new(config: OutlierConfig, host_count: u32) -> Self {
        if let Err(e) = config.validate() {
            panic!("invalid outlier detection config: {e}");
        }
        OutlierDetector {
            config,
            hosts: vec![Host::default(); host_count as usize],
        }
    }

    /// Whether `host` is out of the load-balancing set at `now`.
    pub fn is_ejected(&mut self, now: u64, host: u32) -> bool {
        self.refresh(now, host as usize);
        self.hosts[host as usize].ejected_until.is_some()
    }

    pub fn ejected_count(&mut self, now: u64) -> u32 {
        (0..self.hosts.len()).for_each(|h| self.refresh(now, h));
        self.hosts
            .iter()
            .filter(|h| h.ejected_until.is_some())
            .count() as u32
    }

    /// Records a response from `host`. Results from an ejected host (replies still in
    /// flight when it was ejected) do not count.
    pub fn on_result(&mut self, now: u64, host: u32, failed: bool) -> Option<Ejection> {
        let h = host as usize;
        self.refresh(now, h);
        if self.hosts[h].ejected_until.is_some() {
            return None;
        }
        if !failed {
            self.hosts[h].consecutive_failures = 0;
            return None;
        }
        self.hosts[h].consecutive_failures += 1;
        if self.hosts[h].consecutive_failures < self.config.consecutive_5xx {
            return None;
        }
        // Envoy resets the count whether or not the ejection is allowed.
        self.hosts[h].consecutive_failures = 0;
        self.may_eject(now).then(|| self.eject(now, h))
    }

    fn may_eject(&mut self, now: u64) -> bool {
        let ejected = self.ejected_count(now);
        let share = 100.0 * f64::from(ejected + 1) / self.hosts.len() as f64;
        share <= f64::from(self.config.max_ejection_percent)
            || (self.config.always_eject_one_host && ejected == 0)
    }

    fn eject(&mut self, now: u64, h: usize) -> Ejection {
        let c = self.config;
        let host = &mut self.hosts[h];
        // Grows until base × backoff passes the cap (Envoy's bound).
        if u64::from(host.backoff) * c.base_ejection_time
            < c.max_ejection_time + c.base_ejection_time
        {
            host.backoff += 1;
        }
        let duration = (u64::from(host.backoff) * c.base_ejection_time).min(c.max_ejection_time);
        let until = now + duration;
        host.ejected_until = Some(until);
        Ejection {
            host: h as u32,
            until,
        }
    }

    /// Applies, lazily, the un-ejection due by `now` and the backoff's decay: one step
    /// per detector tick (multiples of `interval`) passed while the host was in service.
    fn refresh(&mut self, now: u64, h: usize) {
        let interval = self.config.interval;
        let host = &mut self.hosts[h];
        if let Some(until) = host.ejected_until {
            if now < until {
                return;
            }
            host.ejected_until = None;
            host.consecutive_failures = 0;
            host.backoff_as_of = until;
        }
        let ticks = (now / interval).saturating_sub(host.backoff_as_of / interval);
        host.backoff = host
            .backoff
            .saturating_sub(ticks.min(u64::from(u32::MAX)) as u32);
        host.backoff_as_of = now;
    }
}

#[cfg(test)]
mod tests;
