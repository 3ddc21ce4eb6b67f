//! Axis values: parsing what the user wrote into a parameter's type, expanding ranges, and
//! the text and number each value shows in tables and plots.

use super::params::{Kind, Value};
use super::spec::{RangeSpec, ValueSpec};
use crate::spec::units::{format_duration, parse_duration};

impl Kind {
    /// Parse one written value, checking the parameter's bounds.
    pub fn parse(&self, v: &ValueSpec) -> Result<Value, String> {
        match (self, v) {
            (Kind::Count { min, max }, ValueSpec::Number(n)) => {
                if n.fract() != 0.0 || !n.is_finite() {
                    return Err(format!("{n} is not a whole number"));
                }
                if *n < *min as f64 || *n > *max as f64 {
                    return Err(format!("{n} is outside {min}..={max}"));
                }
                Ok(Value::Count(*n as u64))
            }
            (Kind::Count { .. }, ValueSpec::Text(t)) => Err(format!(
                "this parameter takes a whole number, not the text \"{t}\" (write it without quotes)"
            )),
            (Kind::Duration { min_ns }, ValueSpec::Text(t)) => {
                let ns = parse_duration(t)?;
                if ns < *min_ns {
                    return Err(format!("\"{t}\" is shorter than {}", format_duration(*min_ns)));
                }
                Ok(Value::Duration(ns))
            }
            (Kind::Duration { .. }, ValueSpec::Number(n)) => Err(format!(
                "this parameter takes a duration with a unit, such as \"20s\", not the number {n}"
            )),
            (Kind::Real { min, max }, ValueSpec::Number(n)) => {
                if !n.is_finite() || n < min || n > max {
                    return Err(format!("{n} is outside {min}..={max}"));
                }
                Ok(Value::Real(*n))
            }
            (Kind::Real { .. }, ValueSpec::Text(t)) => Err(format!(
                "this parameter takes a number, not the text \"{t}\" (write it without quotes)"
            )),
        }
    }

    /// Turn a position on the number line back into a value of this kind, rounded the way
    /// people write it (whole counts, durations to the coarsest unit both ends use).
    pub fn from_number(&self, x: f64, grain_ns: u64) -> Value {
        match self {
            Kind::Count { .. } => Value::Count(x.round().max(0.0) as u64),
            Kind::Duration { .. } => {
                let g = grain_ns.max(1) as f64;
                Value::Duration(((x / g).round() * g).max(0.0) as u64)
            }
            Kind::Real { .. } => Value::Real(round_significant(x)),
        }
    }
}

/// Twelve significant digits: `0.1 + 0.2` becomes `0.3` in tables and labels.
fn round_significant(x: f64) -> f64 {
    format!("{x:.11e}").parse().unwrap_or(x)
}

/// The coarsest of 1 ms, 1 µs, 1 ns that divides both ends of a duration range.
pub fn duration_grain(a: u64, b: u64) -> u64 {
    [1_000_000, 1_000, 1]
        .into_iter()
        .find(|g| a.is_multiple_of(*g) && b.is_multiple_of(*g))
        .unwrap_or(1)
}

/// A range's endpoints, how it is spaced, and its step count.
pub struct Span {
    pub from: Value,
    pub to: Value,
    pub log: bool,
    pub steps: u32,
}

pub fn parse_range(kind: &Kind, range: &RangeSpec) -> Result<Span, String> {
    let (from, to, steps, log) = match range {
        RangeSpec::Linear { from, to, steps } => (from, to, *steps, false),
        RangeSpec::Log { from, to, steps } => (from, to, *steps, true),
    };
    if steps == 0 {
        return Err("the range has 0 steps, so the axis is empty".into());
    }
    let (from, to) = (
        kind.parse(from).map_err(|e| format!("`from`: {e}"))?,
        kind.parse(to).map_err(|e| format!("`to`: {e}"))?,
    );
    if log && (from.real() <= 0.0 || to.real() <= 0.0) {
        return Err("a Log range needs both ends greater than 0".into());
    }
    Ok(Span {
        from,
        to,
        log,
        steps,
    })
}

impl Span {
    /// The value at fraction `f` (0 = from, 1 = to) of the range.
    pub fn at(&self, kind: &Kind, f: f64) -> Value {
        let (a, b) = (self.from.real(), self.to.real());
        let x = if self.log {
            (a.ln() + (b.ln() - a.ln()) * f).exp()
        } else {
            a + (b - a) * f
        };
        kind.from_number(x, duration_grain(self.from.count(), self.to.count()))
    }

    /// The `steps` evenly spaced values, both ends included, without repeats (rounding a
    /// log range of counts can give the same whole number twice).
    pub fn expand(&self, kind: &Kind) -> Vec<Value> {
        let mut out: Vec<Value> = Vec::new();
        for i in 0..self.steps {
            let f = if self.steps == 1 {
                0.0
            } else {
                f64::from(i) / f64::from(self.steps - 1)
            };
            let v = self.at(kind, f);
            if !out.contains(&v) {
                out.push(v);
            }
        }
        out
    }
}

impl Value {
    /// How the value is written in CSV files, summaries and plot labels.
    pub fn label(&self) -> String {
        match self {
            Value::Count(n) => n.to_string(),
            Value::Duration(ns) => format_duration(*ns),
            Value::Real(r) => format!("{r}"),
        }
    }

    /// Where the value sits on a plot axis (durations in seconds).
    pub fn number(&self) -> f64 {
        match self {
            Value::Count(n) => *n as f64,
            Value::Duration(ns) => *ns as f64 / 1e9,
            Value::Real(r) => *r,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_expand_to_rounded_distinct_values() {
        let count = Kind::Count { min: 1, max: 100 };
        let span = parse_range(
            &count,
            &RangeSpec::Log {
                from: ValueSpec::Number(1.0),
                to: ValueSpec::Number(4.0),
                steps: 5,
            },
        )
        .unwrap();
        let labels: Vec<String> = span.expand(&count).iter().map(Value::label).collect();
        assert_eq!(labels, ["1", "2", "3", "4"]);
        let dur = Kind::Duration { min_ns: 1 };
        let span = parse_range(
            &dur,
            &RangeSpec::Linear {
                from: ValueSpec::Text("5s".into()),
                to: ValueSpec::Text("20s".into()),
                steps: 4,
            },
        )
        .unwrap();
        let labels: Vec<String> = span.expand(&dur).iter().map(Value::label).collect();
        assert_eq!(labels, ["5s", "10s", "15s", "20s"]);
    }

    #[test]
    fn wrong_types_and_empty_ranges_are_refused() {
        let count = Kind::Count { min: 1, max: 100 };
        assert!(count
            .parse(&ValueSpec::Text("10".into()))
            .unwrap_err()
            .contains("without quotes"));
        assert!(count
            .parse(&ValueSpec::Number(2.5))
            .unwrap_err()
            .contains("whole number"));
        let dur = Kind::Duration { min_ns: 1 };
        assert!(dur
            .parse(&ValueSpec::Number(20.0))
            .unwrap_err()
            .contains("unit"));
        let empty = RangeSpec::Linear {
            from: ValueSpec::Number(1.0),
            to: ValueSpec::Number(2.0),
            steps: 0,
        };
        assert!(parse_range(&count, &empty).err().unwrap().contains("empty"));
    }
}
