//! Retry decisions: attempt counting, retryable kinds, deadline, and the theory of
//! attempts per logical call.

use super::*;
use crate::policy::{MILLISECOND, SECOND};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

fn rng() -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(11)
}

fn fixed(max_attempts: u32, delay: u64) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        backoff: Backoff {
            base: delay,
            multiplier: 2.0,
            cap: u64::MAX,
            jitter: Jitter::None,
        },
        ..RetryPolicy::default()
    }
}

#[test]
fn max_attempts_counts_the_first_try() {
    let p = fixed(3, 10 * MILLISECOND);
    let mut call = CallRetries::first_attempt(0);
    let mut r = rng();
    let first = p.on_failure(&mut call, FailureKind::Error, 0, &mut r);
    let second = p.on_failure(&mut call, FailureKind::Timeout, 0, &mut r);
    let third = p.on_failure(&mut call, FailureKind::Error, 0, &mut r);
    assert_eq!(first, RetryDecision::RetryAfter(10 * MILLISECOND));
    assert_eq!(second, RetryDecision::RetryAfter(20 * MILLISECOND));
    assert_eq!(
        third,
        RetryDecision::GiveUp(GiveUpReason::AttemptsExhausted)
    );
    assert_eq!(call.attempts, 3);
}

#[test]
fn one_attempt_means_no_retries_and_zero_is_invalid() {
    let p = fixed(1, MILLISECOND);
    let mut call = CallRetries::first_attempt(0);
    let d = p.on_failure(&mut call, FailureKind::Error, 0, &mut rng());
    assert_eq!(d, RetryDecision::GiveUp(GiveUpReason::AttemptsExhausted));
    assert_eq!(fixed(0, 1).validate().unwrap_err().field, "max_attempts");
}

#[test]
fn only_selected_failures_are_retried() {
    let p = RetryPolicy {
        retry_on: RetryOn {
            timeout: true,
            error: false,
            rejection: false,
        },
        ..fixed(5, MILLISECOND)
    };
    let mut call = CallRetries::first_attempt(0);
    let mut r = rng();
    for kind in [FailureKind::Error, FailureKind::Rejection] {
        let d = p.on_failure(&mut call, kind, 0, &mut r);
        assert_eq!(d, RetryDecision::GiveUp(GiveUpReason::NotRetryable));
    }
    let d = p.on_failure(&mut call, FailureKind::Timeout, 0, &mut r);
    assert!(matches!(d, RetryDecision::RetryAfter(_)));
}

#[test]
fn no_retry_that_would_start_at_or_after_the_deadline() {
    let p = RetryPolicy {
        deadline: Some(SECOND),
        ..fixed(10, 300 * MILLISECOND)
    };
    let mut call = CallRetries::first_attempt(100 * MILLISECOND);
    let mut r = rng();
    // Deadline at 1.1 s. At 0.5 s a 300 ms backoff ends at 0.8 s: allowed.
    let d = p.on_failure(&mut call, FailureKind::Error, 500 * MILLISECOND, &mut r);
    assert_eq!(d, RetryDecision::RetryAfter(300 * MILLISECOND));
    // At 0.5 s again the next backoff is 600 ms, ending at exactly 1.1 s: refused.
    let d = p.on_failure(&mut call, FailureKind::Error, 500 * MILLISECOND, &mut r);
    assert_eq!(d, RetryDecision::GiveUp(GiveUpReason::DeadlineExceeded));
    // The per-try timeout is cut to what remains of the deadline.
    assert_eq!(
        p.attempt_timeout(&call, 900 * MILLISECOND, SECOND),
        200 * MILLISECOND
    );
    assert_eq!(
        p.attempt_timeout(&call, 0, 50 * MILLISECOND),
        50 * MILLISECOND
    );
}

#[test]
fn decorrelated_jitter_starts_from_base_and_follows_the_previous_delay() {
    let p = RetryPolicy {
        backoff: Backoff {
            base: 10 * MILLISECOND,
            multiplier: 1.0,
            cap: SECOND,
            jitter: Jitter::Decorrelated,
        },
        ..fixed(50, 1)
    };
    let mut call = CallRetries::first_attempt(0);
    let mut r = rng();
    let RetryDecision::RetryAfter(first) = p.on_failure(&mut call, FailureKind::Error, 0, &mut r)
    else {
        panic!("retry expected");
    };
    assert!((10 * MILLISECOND..30 * MILLISECOND).contains(&first));
    for _ in 0..40 {
        let prev = call.prev_delay;
        let RetryDecision::RetryAfter(d) = p.on_failure(&mut call, FailureKind::Error, 0, &mut r)
        else {
            panic!("retry expected");
        };
        assert!(
            d >= 10 * MILLISECOND && d <= (3 * prev).min(SECOND),
            "{d} after {prev}"
        );
    }
}

/// With independent failure probability p and k attempts, the expected attempts per
/// logical call are (1 − p^k)/(1 − p).
#[test]
fn attempts_per_call_match_the_geometric_formula() {
    let (p, k, calls) = (0.3_f64, 4_u32, 200_000_u32);
    let policy = fixed(k, MILLISECOND);
    let mut r = rng();
    let mut attempts = 0_u64;
    for _ in 0..calls {
        let mut call = CallRetries::first_attempt(0);
        while r.random::<f64>() < p {
            let d = policy.on_failure(&mut call, FailureKind::Error, 0, &mut r);
            if !matches!(d, RetryDecision::RetryAfter(_)) {
                break;
            }
        }
        attempts += u64::from(call.attempts);
    }
    let measured = attempts as f64 / f64::from(calls);
    let expected = (1.0 - p.powi(k as i32)) / (1.0 - p);
    assert!(
        (measured - expected).abs() < 0.01,
        "{measured} vs {expected}"
    );
}
