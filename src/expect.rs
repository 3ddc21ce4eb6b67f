//! Checking a run against its scenario's `expect` list (what `sim test` reports).

use crate::engine::RunResult;
use crate::observe::DetectedKind;
use crate::report::timeline::event_text;
use crate::report::verdict;
use crate::scenario::incident::Expect;
use crate::scenario::{clock_label, Scenario};
use crate::spec::units::format_duration;

/// One expectation and how the run measured up.
pub struct Check {
    pub expectation: String,
    pub passed: bool,
    /// What the run actually did, in words.
    pub actual: String,
}

fn window_text(scenario: &Scenario, between: &Option<(u64, u64)>) -> String {
    between.map_or(String::new(), |(a, b)| {
        format!(
            " between {} and {}",
            clock_label(scenario.start_clock_s, a),
            clock_label(scenario.start_clock_s, b)
        )
    })
}

fn within(t: u64, between: &Option<(u64, u64)>) -> bool {
    between.is_none_or(|(a, b)| a <= t && t <= b)
}

pub fn check(scenario: &Scenario, result: &RunResult) -> Vec<Check> {
    let clock = |t: u64| clock_label(scenario.start_clock_s, t);
    let events = result.recorder.timeline.sorted();
    scenario
        .incident
        .expect
        .iter()
        .map(|e| match e {
            Expect::Outage { declared, between } => {
                let at = result.verdicts.outage_at;
                let passed = match at {
                    Some(t) => *declared && within(t, between),
                    None => !declared,
                };
                Check {
                    expectation: format!(
                        "outage {}{}",
                        if *declared {
                            "declared"
                        } else {
                            "not declared"
                        },
                        window_text(scenario, between)
                    ),
                    passed,
                    actual: at.map_or("no outage".into(), |t| format!("declared at {}", clock(t))),
                }
            }
            Expect::Timeline {
                phrase,
                between,
                present,
            } => {
                let found = events.iter().find(|ev| {
                    event_text(scenario, ev).contains(phrase.as_str())
                        && (!*present || within(ev.at, between))
                });
                let any = events
                    .iter()
                    .find(|ev| event_text(scenario, ev).contains(phrase.as_str()));
                Check {
                    expectation: format!(
                        "timeline {} \"{phrase}\"{}",
                        if *present { "has" } else { "lacks" },
                        window_text(scenario, between)
                    ),
                    passed: found.is_some() == *present,
                    actual: any.map_or("not in the timeline".into(), |ev| {
                        format!("{} - {}", clock(ev.at), event_text(scenario, ev))
                    }),
                }
            }
            Expect::SuccessRate { at_least } => {
                let rate = verdict::entry(scenario, result).success_rate;
                Check {
                    expectation: format!("entry success rate at least {:.2}%", at_least * 100.0),
                    passed: rate.is_some_and(|r| r >= *at_least),
                    actual: rate.map_or("no answers".into(), |r| format!("{:.2}%", r * 100.0)),
                }
            }
            Expect::P99 { at_most } => {
                let p99 = verdict::entry(scenario, result).p99_s;
                Check {
                    expectation: format!("entry p99 at most {}", format_duration(*at_most)),
                    passed: p99.is_some_and(|p| p * 1e9 <= *at_most as f64),
                    actual: p99.map_or("no successful answers".into(), |p| {
                        format!("{:.1} ms", p * 1e3)
                    }),
                }
            }
            Expect::Recovered { within: limit } => {
                let v = &result.verdicts;
                let took = v
                    .recovered_at
                    .zip(v.last_trigger_end)
                    .map(|(r, t)| r.saturating_sub(t));
                Check {
                    expectation: format!(
                        "goodput recovers within {} of the last trigger",
                        format_duration(*limit)
                    ),
                    passed: took.is_some_and(|d| d <= *limit),
                    actual: took.map_or("did not recover".into(), |d| {
                        format!(
                            "recovered after {}",
                            format_duration(d / 1_000_000_000 * 1_000_000_000)
                        )
                    }),
                }
            }
        })
        .collect()
}

/// Whether a detected kind appears at all (for quick assertions in tests).
pub fn timeline_has(result: &RunResult, kind: DetectedKind) -> bool {
    result.recorder.timeline.has(kind)
}
