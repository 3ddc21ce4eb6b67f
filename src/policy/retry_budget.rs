//! Retry budgets: caps on retries that hold however many attempts each call may make,
//! so that retries cannot multiply load during an overload.
//!
//! - [`RatioBudget`], Envoy's `retry_budget`: retries in progress ≤
//!   `max(min_retry_concurrency, budget_percent % of active requests)`.
//! - [`RetryThrottle`], gRPC retry throttling: a token bucket that failures drain and
//!   successes refill; retries stop while it is at or below half full.
//!
//! Either is consulted after the retry policy has decided that a retry is due; a refusal
//! ends the logical call with its last failure.

use super::{check, check_percent, ConfigError};

/// Envoy `retry_budget`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RatioBudgetConfig {
    /// `budget_percent` [%] of active (in flight + pending) requests. Default 20.
    pub budget_percent: f64,
    /// `min_retry_concurrency`: retries always allowed in progress. Default 3.
    pub min_retry_concurrency: u32,
}

impl Default for RatioBudgetConfig {
    fn default() -> Self {
        RatioBudgetConfig {
            budget_percent: 20.0,
            min_retry_concurrency: 3,
        }
    }
}

#[derive(Debug, Clone)]
pub struct RatioBudget {
    config: RatioBudgetConfig,
    active_retries: u32,
}

impl RatioBudget {
    pub fn new(config: RatioBudgetConfig) -> Self {
        RatioBudget {
            config,
            active_retries: 0,
        }
    }

    /// Retries allowed in progress with `active_requests` requests in flight or pending.
    /// Envoy truncates the percentage to an integer before taking the maximum.
    pub fn max_active_retries(&self, active_requests: u32) -> u32 {
        let share = self.config.budget_percent / 100.0 * f64::from(active_requests);
        (share as u32).max(self.config.min_retry_concurrency)
    }

    /// Starts a retry if the budget allows it. Envoy counts a retry as active from this
    /// decision until its backoff ends and it is sent as an ordinary request; call
    /// [`Self::retry_done`] then (or when the logical call is abandoned before).
    pub fn try_start_retry(&mut self, active_requests: u32) -> bool {
        let allowed = self.active_retries < self.max_active_retries(active_requests);
        if allowed {
            self.active_retries += 1;
        }
        allowed
    }

    pub fn retry_done(&mut self) {
        debug_assert!(self.active_retries > 0, "retry_done without a retry");
        self.active_retries = self.active_retries.saturating_sub(1);
    }

    pub fn active_retries(&self) -> u32 {
        self.active_retries
    }
}

/// gRPC `retryThrottling`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryThrottleConfig {
    /// `maxTokens`, in (0, 1000]. Default 10 (gRPC has no default; 10 is its example).
    pub max_tokens: f64,
    /// `tokenRatio` > 0, tokens refilled per success, kept to 3 decimals as gRPC does.
    /// Default 0.1.
    pub token_ratio: f64,
}

impl Default for RetryThrottleConfig {
    fn default() -> Self {
        RetryThrottleConfig {
            max_tokens: 10.0,
            token_ratio: 0.1,
        }
    }
}

impl RetryThrottleConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        let max_ok = self.max_tokens > 0.0 && self.max_tokens <= 1000.0;
        check(max_ok, "max_tokens", "must be in (0, 1000]")?;
        let ratio_ok = self.token_ratio >= 0.001 && self.token_ratio <= 1000.0;
        check(ratio_ok, "token_ratio", "must be in [0.001, 1000]")
    }
}

/// Tokens are kept in thousandths, as integers: gRPC does the same, and integer
/// arithmetic keeps long runs free of rounding drift.
#[derive(Debug, Clone)]
pub struct RetryThrottle {
    milli_tokens: u32,
    max_milli_tokens: u32,
    ratio_milli_tokens: u32,
}

impl RetryThrottle {
    /// # Panics
    /// If the config does not validate.
    pub fn new(config: RetryThrottleConfig) -> Self {
        if let Err(e) = config.validate() {
            panic!("invalid retry throttle config: {e}");
        }
        let max = (config.max_tokens * 1000.0) as u32;
        RetryThrottle {
            milli_tokens: max,
            max_milli_tokens: max,
            ratio_milli_tokens: (config.token_ratio * 1000.0) as u32,
        }
    }

    /// A failure that the retry policy would retry removes one token.
    pub fn on_failure(&mut self) {
        self.milli_tokens = self.milli_tokens.saturating_sub(1000);
    }

    /// A success refills `token_ratio` tokens, up to `max_tokens`.
    pub fn on_success(&mut self) {
        let refilled = self.milli_tokens + self.ratio_milli_tokens;
        self.milli_tokens = refilled.min(self.max_milli_tokens);
    }

    /// Retries go ahead only while tokens > max_tokens / 2.
    pub fn retry_allowed(&self) -> bool {
        self.milli_tokens > self.max_milli_tokens / 2
    }

    pub fn tokens(&self) -> f64 {
        f64::from(self.milli_tokens) / 1000.0
    }
}

impl RatioBudgetConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_percent(self.budget_percent, "budget_percent")
    }
}

/// Either budget, behind one type the engine can hold per edge.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RetryBudgetConfig {
    Ratio(RatioBudgetConfig),
    TokenBucket(RetryThrottleConfig),
}

impl RetryBudgetConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        match self {
            RetryBudgetConfig::Ratio(c) => c.validate(),
            RetryBudgetConfig::TokenBucket(c) => c.validate(),
        }
    }
}

#[derive(Debug, Clone)]
pub enum RetryBudget {
    Ratio(RatioBudget),
    TokenBucket(RetryThrottle),
}

impl RetryBudget {
    pub fn new(config: &RetryBudgetConfig) -> Self {
        match *config {
            RetryBudgetConfig::Ratio(c) => RetryBudget::Ratio(RatioBudget::new(c)),
            RetryBudgetConfig::TokenBucket(c) => RetryBudget::TokenBucket(RetryThrottle::new(c)),
        }
    }

    /// Whether a due retry may go ahead; `active_requests` counts the edge's requests in
    /// flight or pending (used by the ratio budget only). On `true` with a ratio budget,
    /// call [`Self::retry_done`] when the retry is sent or abandoned.
    pub fn try_start_retry(&mut self, active_requests: u32) -> bool {
        match self {
            RetryBudget::Ratio(b) => b.try_start_retry(active_requests),
            RetryBudget::TokenBucket(t) => t.retry_allowed(),
        }
    }

    pub fn retry_done(&mut self) {
        if let RetryBudget::Ratio(b) = self {
            b.retry_done();
        }
    }

    /// Every attempt's result; only the token bucket uses them. `qualified_failure`: a
    /// failure the retry policy would retry (gRPC counts only those).
    pub fn on_attempt_result(&mut self, success: bool, qualified_failure: bool) {
        if let RetryBudget::TokenBucket(t) = self {
            if success {
                t.on_success();
            } else if qualified_failure {
                t.on_failure();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_budget_allows_the_minimum_when_idle() {
        let mut b = RatioBudget::new(RatioBudgetConfig::default());
        assert!((0..3).all(|_| b.try_start_retry(0)));
        assert!(
            !b.try_start_retry(0),
            "a 4th concurrent retry exceeds the minimum of 3"
        );
        b.retry_done();
        assert!(b.try_start_retry(0), "a finished retry frees its place");
    }

    #[test]
    fn ratio_budget_scales_with_active_requests() {
        let b = RatioBudget::new(RatioBudgetConfig::default());
        assert_eq!(
            b.max_active_retries(10),
            3,
            "20 % of 10 is below the minimum"
        );
        assert_eq!(
            b.max_active_retries(24),
            4,
            "20 % of 24 = 4.8 truncates to 4"
        );
        assert_eq!(b.max_active_retries(100), 20);
        let mut b = b;
        assert_eq!((0..30).filter(|_| b.try_start_retry(100)).count(), 20);
    }

    #[test]
    fn throttle_starts_full_and_stops_retries_at_half() {
        let mut t = RetryThrottle::new(RetryThrottleConfig::default());
        assert!(t.retry_allowed());
        for _ in 0..4 {
            t.on_failure();
        }
        assert!(t.retry_allowed(), "6 tokens > 5");
        t.on_failure();
        assert!(!t.retry_allowed(), "5 tokens is not above 5");
        t.on_success();
        assert!(t.retry_allowed(), "5.1 tokens > 5");
        assert!((t.tokens() - 5.1).abs() < 1e-9);
    }

    #[test]
    fn throttle_stays_within_zero_and_max() {
        let mut t = RetryThrottle::new(RetryThrottleConfig::default());
        (0..100).for_each(|_| t.on_success());
        assert_eq!(t.tokens(), 10.0);
        (0..100).for_each(|_| t.on_failure());
        assert_eq!(t.tokens(), 0.0);
        // Back above half after 51 successes at 0.1 each: 5.1 tokens.
        (0..50).for_each(|_| t.on_success());
        assert!(!t.retry_allowed());
        t.on_success();
        assert!(t.retry_allowed());
    }

    #[test]
    fn validation() {
        let bad = RetryThrottleConfig {
            max_tokens: 0.0,
            ..RetryThrottleConfig::default()
        };
        assert_eq!(bad.validate().unwrap_err().field, "max_tokens");
        let bad = RatioBudgetConfig {
            budget_percent: 120.0,
            ..RatioBudgetConfig::default()
        };
        assert_eq!(bad.validate().unwrap_err().field, "budget_percent");
    }
}
