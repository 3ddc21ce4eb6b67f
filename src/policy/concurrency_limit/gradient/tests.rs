//! The gradient controller against Envoy's behaviour.

use super::*;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

const RTT: u64 = 10 * MILLISECOND;

fn config() -> GradientConfig {
    GradientConfig {
        min_rtt_jitter: 0.0,
        ..GradientConfig::default()
    }
}

/// Completes, every millisecond of [from, to), one request that took `rtt`.
fn drive(g: &mut Gradient, from: u64, to: u64, rtt: u64) -> u64 {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
    let mut now = from;
    while now < to {
        g.on_sample(now, now - rtt, &mut rng);
        now += MILLISECOND;
    }
    to
}

/// A controller whose min RTT has been measured as `RTT`, with its limit set to `limit`.
fn measured(limit: u32) -> Gradient {
    let mut g = Gradient::new(config());
    // Late enough that every sample below has a start time after 0.
    let start = 10 * SECOND;
    let now = drive(&mut g, start, start + 50 * MILLISECOND, RTT);
    assert_eq!(g.min_rtt(), RTT);
    g.limit = limit;
    g.next_sample_reset = now + 1;
    g
}

#[test]
fn starts_pinned_to_min_concurrency_until_min_rtt_is_measured() {
    let mut g = Gradient::new(config());
    assert_eq!(g.limit(0), 3);
    drive(&mut g, RTT, RTT + 49 * MILLISECOND, RTT);
    assert_eq!(g.min_rtt(), 0, "49 of 50 samples");
    drive(&mut g, RTT + 49 * MILLISECOND, RTT + 50 * MILLISECOND, RTT);
    assert_eq!(g.min_rtt(), RTT);
}

#[test]
fn new_limit_follows_envoys_formula() {
    // min RTT 10 ms, buffered 12.5 ms; sample 12.5 ms: g = 1, 100 + √100 = 110.
    let mut g = measured(100);
    let t = g.next_sample_reset;
    g.on_sample(
        t - 1,
        t - 1 - 12_500_000,
        &mut Xoshiro256PlusPlus::seed_from_u64(1),
    );
    assert_eq!(g.limit(t), 110);
    // Sample 25 ms: g = 0.5, 55 + √55 = 62.4 truncates to 62.
    let t = g.next_sample_reset;
    g.on_sample(
        t - 1,
        t - 1 - 25 * MILLISECOND,
        &mut Xoshiro256PlusPlus::seed_from_u64(1),
    );
    assert_eq!(g.limit(t), 62);
    // Sample 1 s: g clamps at 0.5: 31 + √31 = 36.6 → 36.
    let t = g.next_sample_reset;
    g.on_sample(
        t - 1,
        t - 1 - SECOND,
        &mut Xoshiro256PlusPlus::seed_from_u64(1),
    );
    assert_eq!(g.limit(t), 36);
}

#[test]
fn shrinks_when_rtt_rises_and_grows_when_it_falls() {
    let mut g = measured(50);
    let mut now = g.next_sample_reset;
    let healthy = g.limit(now);
    now = drive(&mut g, now, now + SECOND, 4 * RTT);
    let slow = g.limit(now);
    assert!(slow < healthy / 4, "RTT ×4: limit {healthy} → {slow}");
    now = drive(&mut g, now, now + SECOND, RTT);
    let recovered = g.limit(now);
    assert!(recovered > 4 * slow, "RTT back: limit {slow} → {recovered}");
}

#[test]
fn remeasures_min_rtt_after_five_updates_at_the_minimum() {
    let mut g = measured(3);
    let mut now = g.next_sample_reset;
    // Four updates at the minimum: still using the old min RTT.
    for _ in 0..4 {
        now = drive(&mut g, now, now + 100 * MILLISECOND, 10 * RTT);
    }
    assert!(g.deferred_limit.is_none());
    now = drive(&mut g, now, now + 100 * MILLISECOND, 10 * RTT);
    g.limit(now);
    assert!(
        g.deferred_limit.is_some(),
        "fifth update at 3 starts a measurement"
    );
    // The RTT really is 100 ms now: the new measurement adopts it.
    drive(&mut g, now, now + 200 * MILLISECOND, 10 * RTT);
    assert_eq!(g.min_rtt(), 10 * RTT);
}

#[test]
fn ignores_requests_started_before_the_measurement() {
    let mut g = Gradient::new(config());
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(2);
    g.min_rtt_epoch = SECOND;
    for _ in 0..100 {
        g.on_sample(2 * SECOND, SECOND - 1, &mut rng);
    }
    assert_eq!(g.min_rtt(), 0);
}

#[test]
fn periodic_remeasurement_uses_the_interval() {
    let mut g = measured(40);
    let start = g.next_min_rtt_calc;
    assert_eq!(
        start,
        10 * SECOND + 49 * MILLISECOND + 60 * SECOND,
        "interval after measuring"
    );
    let from = g.next_sample_reset;
    drive(&mut g, from, start - 1, RTT);
    assert!(g.deferred_limit.is_none());
    assert_eq!(g.limit(start), 3, "pinned while measuring");
}
