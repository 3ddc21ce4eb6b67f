//! How a request ended, and why it failed. Counted per service, per edge and per window.

use crate::policy::retry::FailureKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Cause {
    /// The service's queue was full: the request never started.
    Rejected,
    /// Shed by priority load shedding or an adaptive concurrency limit.
    Shed,
    /// Refused by the service's ingress rate limiter.
    RateLimited,
    /// Waited in the queue longer than the queue timeout (or CoDel's target).
    QueueTimeout,
    /// The replica crashed (out of memory) or was down when the request arrived.
    Crashed,
    /// The service's own error rate: failed after doing its work.
    Error,
    /// Abandoned because the caller had already given up (deadline propagation).
    Deadline,
    /// A downstream call's timeout expired.
    Timeout,
    /// No connection became free within the pool's acquire timeout.
    PoolTimeout,
    /// The edge's bulkhead was full.
    BulkheadFull,
    /// The edge's circuit breaker was open.
    BreakerOpen,
    /// Rejected locally by client-side adaptive throttling.
    Throttled,
    /// A downstream call returned an error.
    Downstream,
    /// The connection was dropped on the way (chaos injection).
    Dropped,
    /// Sent into a black hole: never answered (the caller times out).
    Lost,
}

impl Cause {
    pub const COUNT: usize = 15;
    pub const ALL: [Cause; Cause::COUNT] = [
        Cause::Rejected,
        Cause::Shed,
        Cause::RateLimited,
        Cause::QueueTimeout,
        Cause::Crashed,
        Cause::Error,
        Cause::Deadline,
        Cause::Timeout,
        Cause::PoolTimeout,
        Cause::BulkheadFull,
        Cause::BreakerOpen,
        Cause::Throttled,
        Cause::Downstream,
        Cause::Dropped,
        Cause::Lost,
    ];

    /// The name used in `summary.json`, `metrics.csv` and tables.
    pub fn name(self) -> &'static str {
        match self {
            Cause::Rejected => "rejected",
            Cause::Shed => "shed",
            Cause::RateLimited => "rate_limited",
            Cause::QueueTimeout => "queue_timeout",
            Cause::Crashed => "crashed",
            Cause::Error => "error",
            Cause::Deadline => "deadline",
            Cause::Timeout => "timed_out",
            Cause::PoolTimeout => "pool_timeout",
            Cause::BulkheadFull => "bulkhead_full",
            Cause::BreakerOpen => "breaker_open",
            Cause::Throttled => "throttled",
            Cause::Downstream => "downstream_error",
            Cause::Dropped => "connection_dropped",
            Cause::Lost => "lost",
        }
    }

    /// How a caller sees this failure when it comes back from a callee (or happens on
    /// the caller's own side of the edge), for retry, fallback and breaker policies.
    pub fn kind(self) -> FailureKind {
        match self {
            Cause::Timeout => FailureKind::Timeout,
            Cause::Rejected
            | Cause::Shed
            | Cause::RateLimited
            | Cause::QueueTimeout
            | Cause::PoolTimeout
            | Cause::BulkheadFull
            | Cause::BreakerOpen
            | Cause::Throttled => FailureKind::Rejection,
            Cause::Crashed
            | Cause::Error
            | Cause::Deadline
            | Cause::Downstream
            | Cause::Dropped
            | Cause::Lost => FailureKind::Error,
        }
    }
}

/// How a request or call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// Succeeded, but some call on its way was answered by a fallback.
    Degraded,
    Failed(Cause),
}

impl Outcome {
    /// A compact code for storing in engine records.
    pub fn code(self) -> u8 {
        match self {
            Outcome::Ok => 0,
            Outcome::Degraded => 1,
            Outcome::Failed(c) => 2 + c as u8,
        }
    }

    pub fn from_code(code: u8) -> Outcome {
        match code {
            0 => Outcome::Ok,
            1 => Outcome::Degraded,
            c => Outcome::Failed(Cause::ALL[(c - 2) as usize]),
        }
    }

    pub fn is_success(self) -> bool {
        !matches!(self, Outcome::Failed(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for c in Cause::ALL {
            let o = Outcome::Failed(c);
            assert_eq!(Outcome::from_code(o.code()), o);
        }
        assert_eq!(
            Outcome::from_code(Outcome::Degraded.code()),
            Outcome::Degraded
        );
    }
}
