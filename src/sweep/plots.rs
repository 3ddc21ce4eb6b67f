//! SVG plots of a sweep: a heatmap for every pair of axes and a line plot for every axis,
//! for each plotted outcome. Pure functions of the manifest and the points, so their bytes
//! never depend on threads or shards.

mod heatmap;
mod lines;

use super::manifest::Manifest;
use super::stats::PointStats;
use plotters::style::RGBColor;

/// `(file name, SVG text)` of every plot.
pub fn all_plots(m: &Manifest, points: &[PointStats]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    // An axis with a single value has nothing to show along it.
    let varied: Vec<usize> = (0..m.axes.len())
        .filter(|&a| m.axes[a].values.len() > 1)
        .collect();
    for &o in &m.plots {
        let name = &m.outcomes[o];
        for (k, &i) in varied.iter().enumerate() {
            for &j in &varied[k + 1..] {
                let file = format!(
                    "heatmap-{name}-{}-vs-{}.svg",
                    slug(&m.axes[i].path),
                    slug(&m.axes[j].path)
                );
                out.push((file, heatmap::heatmap(m, points, o, i, j)));
            }
        }
        for &a in &varied {
            let file = format!("line-{name}-{}.svg", slug(&m.axes[a].path));
            out.push((file, lines::line_plot(m, points, o, a)));
        }
    }
    out
}

/// A parameter path as a file-name fragment: `calls."a -> b".timeout` → `calls-a-b-timeout`.
fn slug(path: &str) -> String {
    let mut s = String::new();
    for c in path.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            s.push(c);
        } else if !s.ends_with('-') {
            s.push('-');
        }
    }
    s.trim_matches('-').to_string()
}

/// Axis title, with its unit when the axis is numeric (a grid heatmap labels its rows and
/// columns with the values as written, `"250ms"`, so it needs none).
fn axis_title(m: &Manifest, a: usize, numeric: bool) -> String {
    let axis = &m.axes[a];
    if axis.unit.is_empty() || !numeric {
        axis.path.clone()
    } else {
        format!("{} [{}]", axis.path, axis.unit)
    }
}

/// Colour of `t` ∈ [0, 1] on the viridis scale (dark blue → green → yellow): readable in
/// grey scale and by most colour-blind readers.
fn viridis(t: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 6] = [
        (68, 1, 84),
        (65, 68, 135),
        (42, 120, 142),
        (34, 168, 132),
        (122, 209, 81),
        (253, 231, 37),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * (STOPS.len() - 1) as f64;
    let i = (x.floor() as usize).min(STOPS.len() - 2);
    let f = x - i as f64;
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * f).round() as u8;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// A value for a cell or a tick: three significant digits, no exponent for usual sizes.
fn short(x: f64) -> String {
    let a = x.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 1000.0 {
        format!("{x:.0}")
    } else if a >= 100.0 {
        format!("{x:.1}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else if a >= 0.001 {
        let digits = (2 - a.log10().floor() as i32).max(0) as usize;
        format!("{x:.digits$}")
    } else {
        format!("{x:.2e}")
    }
}

/// A value shown among others spanning `span`: enough decimals to tell them apart
/// (success rates of 0.9994 and 0.9999 must not both read `1.000`).
fn distinct(x: f64, span: f64) -> String {
    if span > 0.0 && span.is_finite() && span < x.abs() * 0.1 {
        let decimals = ((-span.log10()).ceil() as i64 + 1).clamp(0, 10) as usize;
        format!("{x:.decimals$}")
    } else {
        short(x)
    }
}

/// "mean over 1 replication" / "mean over 3 replications".
fn caption(m: &Manifest, o: usize) -> String {
    let plural = if m.replications == 1 { "" } else { "s" };
    format!(
        "{} — mean over {} replication{plural}",
        m.outcomes[o], m.replications
    )
}

/// A tick label: whole numbers without decimals.
fn tick(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e9 {
        format!("{x:.0}")
    } else {
        short(x)
    }
}

/// The lowest and highest of some values, widened when they are equal.
fn extent(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
        (l.min(v), h.max(v))
    });
    if !lo.is_finite() {
        (0.0, 1.0)
    } else if hi - lo < 1e-12 {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.05 };
        (lo - pad, hi + pad)
    } else {
        (lo, hi)
    }
}

/// The safe rule as a short text, for captions.
fn rule_text(m: &Manifest) -> Option<String> {
    m.safe.map(|rule| match rule {
        super::SafeRule::AtLeast { outcome, threshold } => {
            format!("{} ≥ {threshold}", m.outcomes[outcome])
        }
        super::SafeRule::AtMost { outcome, threshold } => {
            format!("{} ≤ {threshold}", m.outcomes[outcome])
        }
    })
}

/// Maps outcome values to [0, 1] for colouring: logarithmic when the values are positive
/// and span more than two orders of magnitude (a queue that explodes would otherwise
/// paint every other cell the same colour), linear otherwise.
#[derive(Debug, Clone, Copy)]
struct Scale {
    lo: f64,
    hi: f64,
    log: bool,
}

impl Scale {
    fn over(values: impl Iterator<Item = f64>) -> Scale {
        let (lo, hi) = extent(values);
        Scale {
            lo,
            hi,
            log: lo > 0.0 && hi / lo > 100.0,
        }
    }

    fn fraction(self, v: f64) -> f64 {
        if self.log {
            (v.max(self.lo).ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        }
    }

    fn value(self, t: f64) -> f64 {
        if self.log {
            (self.lo.ln() + (self.hi.ln() - self.lo.ln()) * t).exp()
        } else {
            self.lo + (self.hi - self.lo) * t
        }
    }

    fn colour(self, v: Option<f64>) -> RGBColor {
        v.map_or(RGBColor(200, 200, 200), |v| viridis(self.fraction(v)))
    }
}
