//! Human-written quantities: durations (`"150ms"`, `"1.5s"`, `"15m"`) and sizes (`"512MiB"`).
//!
//! Why our own parser and not `humantime`? Users write fractional values (`"2.5ms"`,
//! `"0.5s"`), which humantime rejects, and we want one error message style for both kinds.

use serde::de::{self, Deserializer, Visitor};
use std::fmt;

/// A duration in integer nanoseconds, parsed from text such as `"150ms"` or `"20s"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Dur(pub u64);

/// A size in bytes, parsed from text such as `"512MiB"` or `"2GB"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Bytes(pub u64);

const DURATION_UNITS: &[(&str, f64)] = &[
    ("ns", 1.0),
    ("us", 1e3),
    ("µs", 1e3),
    ("ms", 1e6),
    ("s", 1e9),
    ("m", 60e9),
    ("min", 60e9),
    ("h", 3600e9),
];

const SIZE_UNITS: &[(&str, f64)] = &[
    ("B", 1.0),
    ("KB", 1e3),
    ("MB", 1e6),
    ("GB", 1e9),
    ("TB", 1e12),
    ("KiB", 1024.0),
    ("MiB", 1048576.0),
    ("GiB", 1073741824.0),
    ("TiB", 1099511627776.0),
];

/// Largest duration accepted: 100 days, far beyond any scenario, small enough that sums
/// of a few of them never overflow `u64` nanoseconds.
pub const MAX_DURATION_NS: u64 = 100 * 86_400 * 1_000_000_000;

fn split_number(text: &str) -> Option<(f64, &str)> {
    let text = text.trim();
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .unwrap_or(text.len());
    let number: String = text[..end].chars().filter(|c| *c != '_').collect();
    if number.is_empty() || number.starts_with('.') && number.len() == 1 {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    Some((value, text[end..].trim()))
}

/// Parse `"150ms"`, `"1.5s"`, `"15m"`, `"2h"`, `"0s"`. Negative, NaN and huge values fail.
pub fn parse_duration(text: &str) -> Result<u64, String> {
    let hint = "write a duration such as \"150ms\", \"20s\", \"15m\" (units: ns, us, ms, s, m, h)";
    if text.trim_start().starts_with('-') {
        return Err(format!("duration `{text}` is negative; {hint}"));
    }
    let (value, unit) =
        split_number(text).ok_or_else(|| format!("`{text}` is not a duration; {hint}"))?;
    let scale = DURATION_UNITS
        .iter()
        .find(|(name, _)| *name == unit)
        .map(|(_, s)| *s)
        .ok_or_else(|| {
            if unit.is_empty() {
                format!("duration `{text}` has no unit; {hint}")
            } else {
                format!("unknown duration unit `{unit}` in `{text}`; {hint}")
            }
        })?;
    let ns = (value * scale).round();
    if !ns.is_finite() || ns > MAX_DURATION_NS as f64 {
        return Err(format!(
            "duration `{text}` is too large (at most 100 days); write at most \"2400h\""
        ));
    }
    Ok(ns as u64)
}

/// Parse `"512MiB"`, `"2GB"`, `"100KB"`, `"64B"`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let hint = "write a size such as \"512MiB\", \"2GiB\", \"100KB\" (units: B, KB, MB, GB, KiB, MiB, GiB)";
    if text.trim_start().starts_with('-') {
        return Err(format!("size `{text}` is negative; {hint}"));
    }
    let (value, unit) =
        split_number(text).ok_or_else(|| format!("`{text}` is not a size; {hint}"))?;
    let scale = SIZE_UNITS
        .iter()
        .find(|(name, _)| *name == unit)
        .map(|(_, s)| *s)
        .ok_or_else(|| format!("unknown size unit `{unit}` in `{text}`; {hint}"))?;
    let bytes = (value * scale).round();
    if !bytes.is_finite() || bytes > 1e18 {
        return Err(format!("size `{text}` is too large"));
    }
    Ok(bytes as u64)
}

/// Format nanoseconds the way a person writes them: `150ms`, `20s`, `1m30s`.
pub fn format_duration(ns: u64) -> String {
    if ns == 0 {
        return "0s".into();
    }
    if ns.is_multiple_of(60_000_000_000) && ns >= 120_000_000_000 {
        let minutes = ns / 60_000_000_000;
        if minutes.is_multiple_of(60) {
            return format!("{}h", minutes / 60);
        }
        return format!("{minutes}m");
    }
    if ns.is_multiple_of(1_000_000_000) {
        return format!("{}s", ns / 1_000_000_000);
    }
    if ns.is_multiple_of(1_000_000) {
        return format!("{}ms", ns / 1_000_000);
    }
    if ns.is_multiple_of(1_000) {
        return format!("{}us", ns / 1_000);
    }
    format!("{ns}ns")
}

struct TextVisitor<F>(&'static str, F);

impl<F: Fn(&str) -> Result<u64, String>> Visitor<'_> for TextVisitor<F> {
    type Value = u64;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.0)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
        (self.1)(v).map_err(E::custom)
    }
}

impl<'de> serde::Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(TextVisitor(
            "a duration string such as \"150ms\"",
            parse_duration,
        ))
        .map(Dur)
    }
}

impl<'de> serde::Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(TextVisitor("a size string such as \"512MiB\"", parse_size))
            .map(Bytes)
    }
}

impl std::str::FromStr for Dur {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        parse_duration(s).map(Dur)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_as_written() {
        assert_eq!(parse_duration("150ms"), Ok(150_000_000));
        assert_eq!(parse_duration("1.5s"), Ok(1_500_000_000));
        assert_eq!(parse_duration("15m"), Ok(900_000_000_000));
        assert_eq!(parse_duration("0s"), Ok(0));
        assert!(parse_duration("-1s").unwrap_err().contains("negative"));
        assert!(parse_duration("10").unwrap_err().contains("no unit"));
        assert!(parse_duration("10 parsecs")
            .unwrap_err()
            .contains("unknown duration unit"));
        assert!(parse_duration("1e400s").is_err());
        assert!(parse_duration("NaNs").is_err());
    }

    #[test]
    fn sizes_parse_as_written() {
        assert_eq!(parse_size("512MiB"), Ok(512 * 1024 * 1024));
        assert_eq!(parse_size("2KB"), Ok(2000));
        assert!(parse_size("2 bananas").is_err());
    }

    #[test]
    fn durations_format_back() {
        assert_eq!(format_duration(20_000_000_000), "20s");
        assert_eq!(format_duration(150_000_000), "150ms");
        assert_eq!(format_duration(900_000_000_000), "15m");
    }
}
