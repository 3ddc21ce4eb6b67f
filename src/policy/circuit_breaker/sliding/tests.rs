//! The resilience4j breaker against its reference transitions.

use super::*;
use crate::policy::circuit_breaker::CallOutcome;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

const FAIL: CallOutcome = CallOutcome {
    failed: true,
    duration: 1,
};
const OK: CallOutcome = CallOutcome {
    failed: false,
    duration: 1,
};

fn rng() -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(7)
}

fn count_based(window_size: u32, minimum_calls: u32) -> SlidingConfig {
    SlidingConfig {
        window_size,
        minimum_calls,
        open_wait: OpenWait {
            initial: SECOND,
            multiplier: 2.0,
            max: 100 * SECOND,
            randomization_factor: 0.0,
        },
        half_open_calls: 3,
        ..SlidingConfig::default()
    }
}

/// Feeds outcomes at `now`, each through a permission request; returns the transitions.
fn feed(b: &mut SlidingWindowBreaker, now: u64, outcomes: &[CallOutcome]) -> Vec<Transition> {
    let mut r = rng();
    let mut seen = Vec::new();
    for &o in outcomes {
        let a = b.try_acquire(now);
        seen.extend(a.transition);
        assert!(a.permit.is_some(), "call refused in {:?}", b.state());
        seen.extend(b.on_result(now, o, &mut r));
    }
    seen
}

/// Trips a fresh count-based breaker at `now` with failures.
fn opened(config: &SlidingConfig, now: u64) -> SlidingWindowBreaker {
    let mut b = SlidingWindowBreaker::new(config);
    feed(&mut b, now, &vec![FAIL; config.window_size as usize]);
    assert_eq!(b.state(), BreakerState::Open);
    b
}

#[test]
fn does_not_trip_before_minimum_calls() {
    let mut b = SlidingWindowBreaker::new(&count_based(10, 5));
    assert!(feed(&mut b, 0, &[FAIL; 4]).is_empty());
    assert_eq!(b.state(), BreakerState::Closed);
    let t = feed(&mut b, 0, &[FAIL]);
    assert_eq!(t.len(), 1);
    assert_eq!(
        (t[0].from, t[0].to),
        (BreakerState::Closed, BreakerState::Open)
    );
}

#[test]
fn minimum_calls_is_clamped_to_a_count_window() {
    // resilience4j's default minimum of 100 with a window of 10: trips on the 10th call.
    let mut b = SlidingWindowBreaker::new(&count_based(10, 100));
    feed(&mut b, 0, &[FAIL; 9]);
    assert_eq!(b.state(), BreakerState::Closed);
    feed(&mut b, 0, &[FAIL]);
    assert_eq!(b.state(), BreakerState::Open);
}

#[test]
fn trips_at_exactly_the_threshold_not_below() {
    let mut below = SlidingWindowBreaker::new(&count_based(10, 10));
    feed(
        &mut below,
        0,
        &[OK, OK, OK, OK, OK, OK, FAIL, FAIL, FAIL, FAIL],
    );
    assert_eq!(below.state(), BreakerState::Closed, "40 % < 50 %");
    // The next failure evicts an OK: 5 of 10 failed.
    feed(&mut below, 0, &[FAIL]);
    assert_eq!(below.state(), BreakerState::Open, "50 % ≥ 50 %");
}

#[test]
fn open_rejects_until_strictly_after_the_wait() {
    let mut b = opened(&count_based(10, 10), 0);
    assert_eq!(b.open_until(), Some(SECOND));
    for now in [1, SECOND / 2, SECOND] {
        let a = b.try_acquire(now);
        assert_eq!((a.permit, a.transition), (None, None));
    }
    let a = b.try_acquire(SECOND + 1);
    assert!(a.permit.is_some());
    let t = a.transition.expect("lazy move to half-open");
    assert_eq!(
        (t.from, t.to, t.at),
        (BreakerState::Open, BreakerState::HalfOpen, SECOND + 1)
    );
}

#[test]
fn half_open_admits_exactly_half_open_calls() {
    let mut b = opened(&count_based(10, 10), 0);
    let now = 2 * SECOND;
    let admitted = (0..10).filter(|_| b.try_acquire(now).permit.is_some());
    assert_eq!(admitted.count(), 3);
    // A probe that must not count gives its slot back, and only one.
    b.on_ignored(now);
    assert!(b.try_acquire(now).permit.is_some());
    assert!(b.try_acquire(now).permit.is_none());
}

#[test]
fn half_open_decides_only_when_all_probes_have_reported() {
    let mut r = rng();
    let mut b = opened(&count_based(10, 10), 0);
    let now = 2 * SECOND;
    (0..3).for_each(|_| assert!(b.try_acquire(now).permit.is_some()));
    assert_eq!(b.on_result(now, OK, &mut r), None);
    assert_eq!(b.on_result(now, FAIL, &mut r), None);
    let t = b.on_result(now, OK, &mut r).expect("third probe decides");
    assert_eq!(t.to, BreakerState::Closed, "1 of 3 failed: 33 % < 50 %");

    let mut b = opened(&count_based(10, 10), 0);
    (0..3).for_each(|_| assert!(b.try_acquire(now).permit.is_some()));
    b.on_result(now, FAIL, &mut r);
    b.on_result(now, OK, &mut r);
    let t = b.on_result(now, FAIL, &mut r).expect("third probe decides");
    assert_eq!(t.to, BreakerState::Open, "2 of 3 failed");
}

#[test]
fn open_wait_grows_on_each_reopen_and_resets_on_close() {
    let mut b = opened(&count_based(10, 10), 0);
    let mut now = 0;
    let mut waits = Vec::new();
    for _ in 0..3 {
        let until = b.open_until().unwrap();
        waits.push(until - now);
        now = until + 1;
        feed(&mut b, now, &[FAIL; 3]); // half-open probes all fail: re-open
    }
    assert_eq!(waits, [1, 2, 4].map(|s| s * SECOND));
    waits.clear();
    let until = b.open_until().unwrap();
    assert_eq!(until - now, 8 * SECOND);
    now = until + 1;
    feed(&mut b, now, &[OK; 3]);
    assert_eq!(b.state(), BreakerState::Closed);
    // The closed window starts empty: ten fresh failures re-open with the initial wait.
    feed(&mut b, now, &[FAIL; 10]);
    assert_eq!(b.open_until().unwrap() - now, SECOND);
}

#[test]
fn slow_calls_trip_when_strictly_longer_than_the_threshold() {
    let config = SlidingConfig {
        slow_call_rate_threshold: 50.0,
        slow_call_duration: SECOND,
        ..count_based(4, 4)
    };
    let at_threshold = CallOutcome {
        failed: false,
        duration: SECOND,
    };
    let slow = CallOutcome {
        failed: false,
        duration: SECOND + 1,
    };
    let mut b = SlidingWindowBreaker::new(&config);
    feed(&mut b, 0, &[at_threshold; 4]);
    assert_eq!(
        b.state(),
        BreakerState::Closed,
        "a call of exactly 1 s is not slow"
    );
    feed(&mut b, 0, &[slow]);
    assert_eq!(b.state(), BreakerState::Closed, "1 of 4 slow");
    feed(&mut b, 0, &[slow]);
    assert_eq!(b.state(), BreakerState::Open, "2 of 4 slow, all successful");
}

#[test]
fn time_based_window_forgets_old_buckets() {
    let config = SlidingConfig {
        window_kind: WindowKind::TimeBased,
        window_size: 2,
        minimum_calls: 4,
        ..count_based(2, 4)
    };
    // Three failures, then a fourth call within two seconds: 3 of 4 failed, trips.
    let mut recent = SlidingWindowBreaker::new(&config);
    feed(&mut recent, 0, &[FAIL; 3]);
    feed(&mut recent, SECOND + SECOND / 2, &[OK]);
    assert_eq!(recent.state(), BreakerState::Open);
    // The same calls, the fourth after the first bucket has left the window.
    let mut old = SlidingWindowBreaker::new(&config);
    feed(&mut old, 0, &[FAIL; 3]);
    feed(&mut old, 2 * SECOND + SECOND / 2, &[OK, FAIL, OK]);
    assert_eq!(old.state(), BreakerState::Closed);
}

#[test]
fn time_in_states_adds_up_to_elapsed_time() {
    let mut b = opened(&count_based(10, 10), 5 * SECOND);
    b.try_acquire(7 * SECOND); // half-open at 7 s
    let spent = b.clock.time_in_states(10 * SECOND);
    assert_eq!(spent, [5 * SECOND, 2 * SECOND, 3 * SECOND]);
}

#[test]
fn validation_rejects_thresholds_outside_0_to_100() {
    for bad in [0.0, 100.5, f64::NAN] {
        let c = SlidingConfig {
            failure_rate_threshold: bad,
            ..SlidingConfig::default()
        };
        assert_eq!(c.validate().unwrap_err().field, "failure_rate_threshold");
    }
    assert!(SlidingConfig::default().validate().is_ok());
}
