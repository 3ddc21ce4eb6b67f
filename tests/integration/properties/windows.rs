//! The `metrics.csv` windows: in order, each balancing its books (requests in flight
//! at its start + arrivals = completed + degraded + failed + in flight at its end), and
//! the totals are the sum of the windows after the warm-up. A request recorded in the
//! wrong window, or in one never closed, breaks the balance where it happens.

use cascade_sim::engine::RunResult;
use cascade_sim::scenario::Scenario;
use proptest::prelude::*;

pub fn check_windows(scenario: &Scenario, result: &RunResult) -> Result<(), TestCaseError> {
    let rec = &result.recorder;
    let n = scenario.model.services.len();
    prop_assert!(
        rec.rows.len().is_multiple_of(n),
        "a window without every service"
    );
    for pair in rec.rows.chunks(n).collect::<Vec<_>>().windows(2) {
        prop_assert!(
            pair[0][0].window_end == pair[1][0].window_start,
            "windows do not follow each other"
        );
    }
    for (s, svc) in scenario.model.services.iter().enumerate() {
        let rows = rec.rows.iter().skip(s).step_by(n);
        let mut in_flight = 0;
        let mut summed = [0u64; 4];
        for r in rows {
            prop_assert!(r.service as usize == s && r.window_start < r.window_end);
            prop_assert_eq!(
                in_flight + r.arrivals,
                r.completed + r.degraded + r.failed() + r.in_flight_end,
                "{}: window at {}ns does not balance",
                &svc.name,
                r.window_start
            );
            in_flight = r.in_flight_end;
            if r.window_start >= scenario.warmup {
                for (sum, v) in
                    summed
                        .iter_mut()
                        .zip([r.arrivals, r.completed, r.degraded, r.failed()])
                {
                    *sum += v;
                }
            }
        }
        prop_assert_eq!(
            in_flight,
            rec.in_system(s as u32),
            "{}: in flight at the end",
            &svc.name
        );
        let t = &rec.totals[s];
        prop_assert_eq!(
            summed,
            [t.arrivals, t.completed, t.degraded, t.failed()],
            "{}: totals ≠ the windows after the warm-up",
            &svc.name
        );
    }
    Ok(())
}
