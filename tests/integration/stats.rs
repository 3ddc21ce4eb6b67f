//! Statistics for comparing simulated figures with closed forms: estimates from independent
//! replications, and the Erlang formulas computed from their definitions.

use crate::common::scenario_from_text;
use cascade_sim::report::summary::{summarize, Summary};
use cascade_sim::run::run_quietly;

/// The mean of independent replications and its standard error.
#[derive(Debug, Clone, Copy)]
pub struct Estimate {
    pub mean: f64,
    pub std_error: f64,
}

impl Estimate {
    pub fn of(values: &[f64]) -> Estimate {
        let n = values.len() as f64;
        assert!(values.len() >= 2, "need at least two replications");
        let mean = values.iter().sum::<f64>() / n;
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        Estimate {
            mean,
            std_error: (var / n).sqrt(),
        }
    }

    /// Assert that the estimate is precise (its standard error is below `max_rel_se` of
    /// the expected value, so that agreement means something) and that it lies within
    /// four standard errors of `expected`.
    #[track_caller]
    pub fn assert_agrees(&self, what: &str, expected: f64, max_rel_se: f64) {
        let z = (self.mean - expected) / self.std_error;
        println!(
            "{what}: simulated {:.6} ± {:.6} (SE), theory {expected:.6}, z = {z:.2}",
            self.mean, self.std_error
        );
        assert!(
            self.std_error < max_rel_se * expected.abs(),
            "{what}: standard error {:.6} is not below {:.1}% of {expected:.6}; the run is too short to test anything",
            self.std_error,
            max_rel_se * 100.0
        );
        assert!(
            z.abs() < 4.0,
            "{what}: simulated {:.6} ± {:.6} is {z:.1} standard errors from theory {expected:.6}",
            self.mean,
            self.std_error
        );
    }
}

/// Run the scenario once per seed in `seeds` and return each run's summary.
pub fn replicate(model: &str, scenario: &str, seeds: std::ops::Range<u64>) -> Vec<Summary> {
    let mut scenario = scenario_from_text(model, scenario);
    seeds
        .map(|seed| {
            scenario.seed = seed;
            let result = run_quietly(&scenario);
            assert!(
                result.partial.is_none(),
                "run stopped early: {:?}",
                result.partial
            );
            summarize(&scenario, &result)
        })
        .collect()
}

pub use crate::erlang::{erlang_b, erlang_c};

#[test]
fn erlang_formulas_match_the_reference_tables() {
    // Figures from shared/reference/queueing.md.
    let close = |x: f64, y: f64| (x - y).abs() < 5e-7;
    assert!(close(erlang_b(10, 8.0), 0.121661));
    assert!(close(erlang_b(10, 5.0), 0.018385));
    assert!(close(erlang_b(20, 15.0), 0.045593));
    assert!(close(erlang_b(1, 1.0), 0.5));
    assert!(close(erlang_c(10, 8.0), 0.409180));
    assert!(close(erlang_c(2, 1.5), 0.642857));
    assert!(close(erlang_c(10, 9.0), 0.668732));
}
