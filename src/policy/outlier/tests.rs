//! Outlier detection against Envoy's consecutive-5xx behaviour.

use super::*;

const BASE: u64 = 30 * SECOND;

fn fail(d: &mut OutlierDetector, now: u64, host: u32, times: u32) -> Option<Ejection> {
    (0..times)
        .filter_map(|_| d.on_result(now, host, true))
        .last()
}

#[test]
fn ejects_on_the_fifth_consecutive_failure() {
    let mut d = OutlierDetector::new(OutlierConfig::default(), 10);
    assert_eq!(fail(&mut d, 0, 3, 4), None);
    d.on_result(0, 3, false); // a success resets the run
    assert_eq!(fail(&mut d, 0, 3, 4), None);
    let e = fail(&mut d, 0, 3, 1).expect("fifth consecutive failure");
    assert_eq!(
        e,
        Ejection {
            host: 3,
            until: BASE
        }
    );
    assert!(d.is_ejected(BASE - 1, 3));
    assert!(
        !d.is_ejected(BASE, 3),
        "back in service after base_ejection_time"
    );
}

#[test]
fn ejection_time_grows_with_each_ejection_up_to_the_cap() {
    let mut d = OutlierDetector::new(OutlierConfig::default(), 10);
    let mut now = 0;
    let mut durations = Vec::new();
    for _ in 0..12 {
        // Failing again the moment it returns, before any decay tick.
        let e = fail(&mut d, now, 0, 5).expect("ejected");
        durations.push((e.until - now) / SECOND);
        now = e.until;
    }
    assert_eq!(
        durations,
        [30, 60, 90, 120, 150, 180, 210, 240, 270, 300, 300, 300]
    );
}

#[test]
fn backoff_decays_by_one_per_healthy_interval() {
    let mut d = OutlierDetector::new(OutlierConfig::default(), 10);
    let first = fail(&mut d, 0, 0, 5).unwrap();
    let second = fail(&mut d, first.until, 0, 5).unwrap();
    assert_eq!(second.until - first.until, 2 * BASE);
    // Back at 90 s; ticks at 100 s and 110 s each take one step off the backoff of 2.
    let third = fail(&mut d, 115 * SECOND, 0, 5).unwrap();
    assert_eq!(third.until - 115 * SECOND, BASE, "backoff 0 + 1");
}

#[test]
fn at_most_max_ejection_percent_counting_the_new_ejection() {
    // 10 % of 20 hosts: two ejections, not a third.
    let mut d = OutlierDetector::new(OutlierConfig::default(), 20);
    assert!(fail(&mut d, 0, 0, 5).is_some());
    assert!(fail(&mut d, 0, 1, 5).is_some());
    assert!(fail(&mut d, 0, 2, 5).is_none());
    assert_eq!(d.ejected_count(0), 2);
    // Once one returns, another may go.
    assert!(fail(&mut d, BASE, 2, 5).is_some());
}

#[test]
fn small_clusters_eject_nothing_at_ten_percent_unless_one_is_always_allowed() {
    let mut d = OutlierDetector::new(OutlierConfig::default(), 5);
    assert!(fail(&mut d, 0, 0, 50).is_none(), "1 of 5 = 20 % > 10 %");
    let config = OutlierConfig {
        always_eject_one_host: true,
        ..OutlierConfig::default()
    };
    let mut d = OutlierDetector::new(config, 5);
    assert!(fail(&mut d, 0, 0, 5).is_some());
    assert!(
        fail(&mut d, 0, 1, 5).is_none(),
        "only one beyond the percentage"
    );
}

#[test]
fn results_from_an_ejected_host_do_not_count() {
    let config = OutlierConfig {
        max_ejection_percent: 100,
        ..OutlierConfig::default()
    };
    let mut d = OutlierDetector::new(config, 2);
    fail(&mut d, 0, 1, 5).unwrap();
    fail(&mut d, 1, 1, 4); // late replies while ejected
    assert!(
        fail(&mut d, BASE, 1, 4).is_none(),
        "the count restarted at un-ejection"
    );
}
