//! The sweep file as written (serde, raw): which scenario, which axes, how many points and
//! replications, what to record and what counts as safe. Meaning lives in `validate`.

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::fmt;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Sweep", deny_unknown_fields)]
pub struct SweepSpec {
    /// Names the output directory; defaults to the sweep file's stem.
    #[serde(default, deserialize_with = "present")]
    pub name: Option<String>,
    /// Scenario file, relative to the sweep file's folder, or a bare name in `./scenarios/`.
    pub scenario: String,
    pub axes: Vec<AxisSpec>,
    #[serde(default)]
    pub design: DesignSpec,
    #[serde(default = "one")]
    pub replications: u32,
    /// Master seed of the sweep; defaults to the scenario's seed.
    #[serde(default, deserialize_with = "present")]
    pub seed: Option<u64>,
    /// Named outcomes to record; defaults to a standard set (see `outcomes`).
    #[serde(default, deserialize_with = "present")]
    pub outcomes: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    pub safe: Option<SafeSpec>,
    /// Outcomes drawn in heatmaps and line plots; defaults to the safe outcome, else the
    /// first recorded outcome.
    #[serde(default, deserialize_with = "present")]
    pub plots: Option<Vec<String>>,
}

fn one() -> u32 {
    1
}

/// Optional fields are written bare (`seed: 3`), not as `Some(3)`: a field that is present
/// is `Some`, a missing one takes the `None` default.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Axis", deny_unknown_fields)]
pub struct AxisSpec {
    /// Parameter path, written like the RON files: `services.db.workers`.
    pub path: String,
    #[serde(default, deserialize_with = "present")]
    pub values: Option<Vec<ValueSpec>>,
    #[serde(default, deserialize_with = "present")]
    pub range: Option<RangeSpec>,
}

#[derive(Debug, Clone, Deserialize)]
pub enum RangeSpec {
    /// `steps` values evenly spaced from `from` to `to`, both included.
    Linear {
        from: ValueSpec,
        to: ValueSpec,
        steps: u32,
    },
    /// `steps` values evenly spaced in logarithm from `from` to `to`, both included.
    Log {
        from: ValueSpec,
        to: ValueSpec,
        steps: u32,
    },
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub enum DesignSpec {
    /// Every combination of axis values.
    #[default]
    Grid,
    /// `points` combinations drawn at random from the sweep's seed.
    Random { points: u32 },
    /// `points` combinations, each axis cut into `points` strata used once each.
    LatinHypercube { points: u32 },
}

/// `Safe(outcome: "entry_success_rate", at_least: 0.99)` or `at_most:`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Safe", deny_unknown_fields)]
pub struct SafeSpec {
    pub outcome: String,
    #[serde(default, deserialize_with = "present")]
    pub at_least: Option<f64>,
    #[serde(default, deserialize_with = "present")]
    pub at_most: Option<f64>,
}

/// One axis value as written: a number (`10`, `2.5`) or text (`"20s"`). Which one a
/// parameter accepts is decided by the parameter table, with a message naming both.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueSpec {
    Number(f64),
    Text(String),
}

impl fmt::Display for ValueSpec {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            ValueSpec::Number(n) => write!(f, "{n}"),
            ValueSpec::Text(t) => write!(f, "\"{t}\""),
        }
    }
}

struct ValueVisitor;

impl Visitor<'_> for ValueVisitor {
    type Value = ValueSpec;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number such as 10 or a quoted value such as \"20s\"")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<ValueSpec, E> {
        Ok(ValueSpec::Text(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<ValueSpec, E> {
        Ok(ValueSpec::Number(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<ValueSpec, E> {
        Ok(ValueSpec::Number(v as f64))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<ValueSpec, E> {
        Ok(ValueSpec::Number(v as f64))
    }
}

impl<'de> Deserialize<'de> for ValueSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}
