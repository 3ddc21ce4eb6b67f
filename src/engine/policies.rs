//! Where the edge policies plug into the call flow: admission (throttling, breaker),
//! accounting of each attempt (breaker, outlier detection, budgets) and the retry
//! decision.

use super::Simulation;
use crate::outcome::Cause;
use crate::spec::FailureKind;

impl Simulation<'_> {
    /// A reason to refuse the attempt before it takes any resource.
    pub(crate) fn admission_refusal(&mut self, _call: u32) -> Option<Cause> {
        None
    }

    /// Account for an attempt that ended (`None` = success).
    pub(crate) fn record_attempt(&mut self, call: u32, failure: Option<(Cause, FailureKind)>) {
        if let Some((cause, _)) = failure {
            let edge = self.calls[call].edge;
            self.rec.attempt_failed(edge, cause);
        }
    }

    /// The backoff before the next attempt, or `None` when the call should not retry.
    pub(crate) fn retry_delay(&mut self, _call: u32, _kind: FailureKind) -> Option<u64> {
        None
    }
}
