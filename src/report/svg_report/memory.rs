//! Panel 5, memory: the peak memory of each service in each window (solid) against its
//! limit (dashed, same colour), with a cross wherever replicas crashed out of memory.

use super::frame::*;
use super::latency::runs;
use super::{Ctx, Panel, PanelBox, MAX_SERVICES};
use plotters::prelude::*;

fn peak_share(ctx: &Ctx, s: usize) -> f64 {
    ctx.run.metrics.services[s]
        .windows
        .iter()
        .flatten()
        .filter_map(|w| {
            Some(
                w.memory_max_bytes?
                    / w.memory_limit_bytes
                        .filter(|l| *l > 0.0)
                        .unwrap_or(f64::MAX),
            )
        })
        .fold(0.0, f64::max)
}

fn uses_memory(ctx: &Ctx, s: usize) -> bool {
    ctx.run.metrics.services[s]
        .windows
        .iter()
        .flatten()
        .any(|w| w.memory_max_bytes.is_some_and(|v| v > 0.0) || w.crashes > 0.0)
}

pub(crate) fn panel<'r>(ctx: &Ctx<'r>) -> Panel<'r> {
    let mut with_memory: Vec<usize> = ctx
        .ranked
        .iter()
        .copied()
        .filter(|&s| uses_memory(ctx, s))
        .collect();
    // Closest to its limit first; the ranking breaks ties.
    with_memory.sort_by(|&a, &b| peak_share(ctx, b).total_cmp(&peak_share(ctx, a)));
    let shown: Vec<usize> = with_memory.iter().copied().take(MAX_SERVICES).collect();
    let left_out = with_memory.len() - shown.len();
    let missing = if !ctx.run.metrics.has_memory {
        Some("this run's metrics.csv has no memory columns".to_string())
    } else if shown.is_empty() {
        Some("no service recorded memory use".to_string())
    } else {
        None
    };
    Panel {
        title: "5 · Memory against limit".into(),
        missing,
        height: PANEL_HEIGHT,
        draw: Box::new(move |canvas, ctx, b| draw(canvas, ctx, b, &shown, left_out)),
    }
}

/// The unit the axis counts in, so its ticks fall on round numbers of it.
fn unit_for(max_bytes: f64) -> (&'static str, f64) {
    const UNITS: [(&str, f64); 3] = [("GiB", 1073741824.0), ("MiB", 1048576.0), ("KiB", 1024.0)];
    UNITS
        .into_iter()
        // At least 8 units, so that ticks do not round to repeated labels ("2 GiB, 2 GiB").
        .find(|(_, size)| max_bytes >= 8.0 * size)
        .unwrap_or(("B", 1.0))
}

fn draw(canvas: &Canvas, ctx: &Ctx, b: PanelBox, shown: &[usize], left_out: usize) -> Drawn {
    let m = &ctx.run.metrics;
    let top = shown
        .iter()
        .flat_map(|&s| m.services[s].windows.iter().flatten())
        .flat_map(|w| [w.memory_max_bytes, w.memory_limit_bytes])
        .flatten()
        .fold(1.0, f64::max);
    let (unit, size) = unit_for(top);
    let top = top / size;
    let area = b.chart_area(canvas);
    let mut chart = linear_chart(&area, ctx.axis.t0..ctx.axis.t1, top * 1.1, &|v| {
        format!("{v:.0} {unit}")
    })?;
    let mut entries = Vec::new();
    let mut any_crash = false;
    for &s in shown {
        let color = ctx.color(s);
        for run in runs(ctx, s, |w| w.memory_max_bytes.map(|v| v / size)) {
            chart.draw_series(LineSeries::new(run, color.stroke_width(2)))?;
        }
        for run in runs(ctx, s, |w| w.memory_limit_bytes.map(|v| v / size)) {
            chart.draw_series(DashedLineSeries::new(run, 6, 4, color.stroke_width(1)))?;
        }
        let crashes = m.services[s]
            .windows
            .iter()
            .enumerate()
            .filter_map(|(w, row)| {
                let row = row.as_ref().filter(|r| r.crashes > 0.0)?;
                let y = row
                    .memory_max_bytes
                    .or(row.memory_limit_bytes)
                    .map_or(top, |v| v / size);
                Some((ctx.mid(w), y))
            });
        for point in crashes {
            any_crash = true;
            chart.draw_series(std::iter::once(Cross::new(
                point,
                6,
                DETECTED.stroke_width(3),
            )))?;
        }
        entries.push(LegendEntry::new(color, Swatch::Line, &m.services[s].name));
    }
    entries.push(LegendEntry::new(MUTED, Swatch::Dashed, "limit"));
    if any_crash {
        entries.push(LegendEntry::new(
            DETECTED,
            Swatch::Cross,
            "out-of-memory crash",
        ));
    }
    entries.extend(LegendEntry::more_not_shown(left_out));
    legend(canvas, &entries, b.plot_top(), b.plot_bottom())
}
