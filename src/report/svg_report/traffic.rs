//! Panel 1, entry traffic: responses of the services the workload feeds, per second,
//! stacked as goodput, degraded (answered by a fallback) and failed by cause.
//!
//! `completed` counts full answers only and `degraded` the requests answered by a
//! fallback somewhere on their way, so goodput is `completed` and the two never overlap;
//! each failure cause is its own band.

use super::frame::*;
use super::{Ctx, Panel, PanelBox};
use plotters::prelude::*;

const GOODPUT: RGBColor = RGBColor(0x59, 0xa1, 0x4f);
const DEGRADED: RGBColor = RGBColor(0xed, 0xc9, 0x48);
/// Failure causes: warm reds, purples and browns, far from goodput's green; given in
/// order to the causes that occur, so neighbouring bands differ.
const CAUSES: [RGBColor; 8] = [
    RGBColor(0xe1, 0x57, 0x59),
    RGBColor(0x8c, 0x1c, 0x2b),
    RGBColor(0xb0, 0x7a, 0xa1),
    RGBColor(0xf2, 0x8e, 0x2b),
    RGBColor(0x5e, 0x3c, 0x99),
    RGBColor(0xff, 0x9d, 0xa7),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0x7f, 0x7f, 0x7f),
];

struct Band {
    label: String,
    color: RGBColor,
    /// Rate [1/s] per window.
    rate: Vec<f64>,
}

fn bands(ctx: &Ctx) -> (Vec<String>, Vec<Band>) {
    let m = &ctx.run.metrics;
    let entries: Vec<String> = ctx.run.entry_services();
    let n = m.window_start_s.len();
    let mut bands = vec![
        Band {
            label: "goodput".into(),
            color: GOODPUT,
            rate: vec![0.0; n],
        },
        Band {
            label: "degraded".into(),
            color: DEGRADED,
            rate: vec![0.0; n],
        },
    ];
    for cause in &m.causes {
        let color = CAUSES[0];
        bands.push(Band {
            label: format!("failed: {}", cause.replace('_', " ")),
            color,
            rate: vec![0.0; n],
        });
    }
    for s in m.services.iter().filter(|s| entries.contains(&s.name)) {
        for (w, row) in s.windows.iter().enumerate() {
            let Some(row) = row else { continue };
            let len = m.window_len_s[w].max(1e-9);
            bands[0].rate[w] += row.completed / len;
            bands[1].rate[w] += row.degraded / len;
            for (c, count) in row.failures.iter().enumerate() {
                bands[2 + c].rate[w] += count / len;
            }
        }
    }
    bands.retain(|b| b.rate.iter().any(|r| *r > 0.0));
    for (i, band) in bands
        .iter_mut()
        .filter(|b| b.label.starts_with("failed"))
        .enumerate()
    {
        band.color = CAUSES[i % CAUSES.len()];
    }
    (entries, bands)
}

pub(crate) fn panel<'r>(ctx: &Ctx<'r>) -> Panel<'r> {
    let (entries, bands) = bands(ctx);
    let title = format!("1 · Entry traffic ({}), responses/s", entries.join(", "));
    let missing = bands
        .is_empty()
        .then(|| "no responses at the entry services".to_string());
    Panel {
        title,
        missing,
        height: PANEL_HEIGHT,
        draw: Box::new(move |canvas, ctx, b| draw(canvas, ctx, b, &bands)),
    }
}

fn draw(canvas: &Canvas, ctx: &Ctx, b: PanelBox, bands: &[Band]) -> Drawn {
    let m = &ctx.run.metrics;
    let n = m.window_start_s.len();
    // Running sums over the bands, band by band: stacked[k][w] is the top of band k.
    let mut stacked: Vec<Vec<f64>> = Vec::with_capacity(bands.len());
    for band in bands {
        let below = stacked.last().cloned().unwrap_or_else(|| vec![0.0; n]);
        stacked.push(below.iter().zip(&band.rate).map(|(a, b)| a + b).collect());
    }
    let top = stacked
        .last()
        .map_or(1.0, |s| s.iter().copied().fold(0.0, f64::max));
    let area = b.chart_area(canvas);
    let mut chart = linear_chart(&area, ctx.axis.t0..ctx.axis.t1, top * 1.08, &|v| {
        format!("{v:.0}")
    })?;
    // Upper bands first, each painted from zero; the lower ones cover their part.
    for (k, band) in bands.iter().enumerate().rev() {
        let steps = (0..n).flat_map(|w| {
            let s = m.window_start_s[w];
            [(s, stacked[k][w]), (s + m.window_len_s[w], stacked[k][w])]
        });
        chart.draw_series(AreaSeries::new(steps, 0.0, band.color.filled()))?;
    }
    let legend_entries: Vec<LegendEntry> = bands
        .iter()
        .rev()
        .map(|band| LegendEntry::new(band.color, Swatch::Block, &band.label))
        .collect();
    legend(canvas, &legend_entries, b.plot_top(), b.plot_bottom())
}
