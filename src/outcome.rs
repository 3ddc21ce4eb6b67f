//! Why a request failed. Counted per service, per edge and per window.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Cause {
    /// The service's queue was full: the request never started.
    Rejected,
    /// A downstream call's per-try timeout expired.
    Timeout,
    /// No connection became free within the pool's acquire timeout.
    PoolTimeout,
    /// A downstream call returned an error.
    Downstream,
}

impl Cause {
    pub const COUNT: usize = 4;
    pub const ALL: [Cause; Cause::COUNT] = [
        Cause::Rejected,
        Cause::Timeout,
        Cause::PoolTimeout,
        Cause::Downstream,
    ];

    /// The name used in `summary.json`, `metrics.csv` and tables.
    pub fn name(self) -> &'static str {
        match self {
            Cause::Rejected => "rejected",
            Cause::Timeout => "timed_out",
            Cause::PoolTimeout => "pool_timeout",
            Cause::Downstream => "downstream_error",
        }
    }
}

pub type Outcome = Result<(), Cause>;
