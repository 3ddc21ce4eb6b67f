//! Geometry and drawing helpers shared by every panel: the canvas, the one time axis all
//! panels share, the palette, text and legend drawing in pixel coordinates.
//!
//! Why fixed pixel columns? Every panel's plot area starts at `PLOT_LEFT` and ends at
//! `plot_right()`, so a given instant is the same x in every panel and the event
//! markers line up through the whole figure.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub type Canvas<'a> = DrawingArea<SVGBackend<'a>, Shift>;
pub type Drawn<T = ()> = Result<T, Box<dyn std::error::Error>>;

pub const WIDTH: u32 = 1400;
/// Room for the y-axis labels left of each plot.
pub const PLOT_LEFT: i32 = 86;
/// The legend column right of the plots.
pub const LEGEND_WIDTH: i32 = 250;
pub const PANEL_HEIGHT: u32 = 190;
pub const NOTE_HEIGHT: u32 = 40;
/// Space above a plot for the panel's title.
pub const TITLE_SPACE: u32 = 26;
pub const FONT: &str = "sans-serif";

/// Plotters writes a font of size `s` as `s / 1.24` pixels; this undoes that, so the
/// sizes in this module are the pixel sizes in the SVG.
pub fn font(px: f64) -> (&'static str, f64) {
    (FONT, px * 1.24)
}

pub fn plot_right() -> i32 {
    WIDTH as i32 - LEGEND_WIDTH - 14
}

/// Colours that stay distinguishable for the common forms of colour blindness
/// (Tableau 10 and a few of Tableau 20's), assigned to services in order of how affected
/// they are; twelve, so a panel's six services rarely share one.
pub const PALETTE: [RGBColor; 12] = [
    RGBColor(0x4e, 0x79, 0xa7),
    RGBColor(0xf2, 0x8e, 0x2b),
    RGBColor(0xb0, 0x7a, 0xa1),
    RGBColor(0x76, 0xb7, 0xb2),
    RGBColor(0x9c, 0x75, 0x5f),
    RGBColor(0xed, 0xc9, 0x48),
    RGBColor(0xff, 0x9d, 0xa7),
    RGBColor(0x59, 0xa1, 0x4f),
    RGBColor(0x17, 0xbe, 0xcf),
    RGBColor(0xbc, 0xbd, 0x22),
    RGBColor(0x39, 0x3b, 0x79),
    RGBColor(0x7f, 0x7f, 0x7f),
];
pub const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
pub const GRID: RGBColor = RGBColor(0xe4, 0xe4, 0xe4);
pub const WARMUP: RGBColor = RGBColor(0xf0, 0xf0, 0xf0);
pub const DETECTED: RGBColor = RGBColor(0xb2, 0x18, 0x2b);
pub const SCRIPTED: RGBColor = RGBColor(0x21, 0x66, 0xac);

/// The shared time axis: simulated seconds mapped onto the plot columns.
#[derive(Debug, Clone, Copy)]
pub struct TimeAxis {
    pub t0: f64,
    pub t1: f64,
    pub start_clock_s: u64,
}

impl TimeAxis {
    pub fn x(&self, t: f64) -> i32 {
        let frac = ((t - self.t0) / (self.t1 - self.t0)).clamp(0.0, 1.0);
        PLOT_LEFT + (frac * f64::from(plot_right() - PLOT_LEFT)).round() as i32
    }

    pub fn clock(&self, t: f64) -> String {
        let s = (self.start_clock_s + t.max(0.0).floor() as u64) % 86_400;
        format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    }

    /// Tick instants on round clock times, at most about ten of them.
    pub fn ticks(&self) -> Vec<f64> {
        const STEPS: [u64; 16] = [
            1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
        ];
        let span = self.t1 - self.t0;
        let step = STEPS
            .iter()
            .copied()
            .find(|s| span / *s as f64 <= 10.0)
            .unwrap_or(43_200);
        let clock0 = self.start_clock_s as f64 + self.t0;
        let first = (clock0 / step as f64).ceil() as u64 * step;
        (0..)
            .map(|i| (first + i * step) as f64 - self.start_clock_s as f64)
            .take_while(|t| *t <= self.t1 + 1e-9)
            .collect()
    }
}

/// Rough width of text in the fonts browsers and rsvg pick for `sans-serif`
/// (DejaVu Sans is the widest common one, about 0.6 em a character).
pub fn text_width(text: &str, size: f64) -> i32 {
    (text.chars().count() as f64 * size * 0.6).ceil() as i32
}

/// Cut text to at most `max` characters, marking the cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut t: String = text.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

pub fn text(
    canvas: &Canvas,
    s: &str,
    at: (i32, i32),
    size: f64,
    color: &RGBColor,
    h: HPos,
) -> Drawn {
    let style = TextStyle::from(font(size).into_font())
        .color(color)
        .pos(Pos::new(h, VPos::Center));
    canvas.draw(&Text::new(s.to_string(), at, style))?;
    Ok(())
}

pub fn line(canvas: &Canvas, from: (i32, i32), to: (i32, i32), style: ShapeStyle) -> Drawn {
    canvas.draw(&PathElement::new(vec![from, to], style))?;
    Ok(())
}

/// A vertical dashed line drawn as short segments (pixel space has no dash style).
pub fn dashed_vline(canvas: &Canvas, x: i32, y0: i32, y1: i32, style: ShapeStyle) -> Drawn {
    let mut y = y0;
    while y < y1 {
        line(canvas, (x, y), (x, (y + 5).min(y1)), style)?;
        y += 9;
    }
    Ok(())
}

/// How a legend entry shows its series.
#[derive(Debug, Clone, Copy)]
pub enum Swatch {
    Line,
    Dashed,
    Dotted,
    Block,
    Cross,
}

pub struct LegendEntry {
    pub color: RGBColor,
    pub swatch: Swatch,
    pub label: String,
}

impl LegendEntry {
    pub fn new(color: RGBColor, swatch: Swatch, label: impl Into<String>) -> LegendEntry {
        LegendEntry {
            color,
            swatch,
            label: label.into(),
        }
    }

    /// "+N more not shown", when a panel left `left_out` series out.
    pub fn more_not_shown(left_out: usize) -> Option<LegendEntry> {
        (left_out > 0)
            .then(|| LegendEntry::new(WHITE, Swatch::Block, format!("+{left_out} more not shown")))
    }
}

pub const LEGEND_ROW: i32 = 17;

/// The legend in the column right of a plot, one entry a row from `top`; entries that do
/// not fit above `bottom` are counted in a last row instead.
pub fn legend(canvas: &Canvas, entries: &[LegendEntry], top: i32, bottom: i32) -> Drawn {
    let x = plot_right() + 16;
    let fits = ((bottom - top) / LEGEND_ROW).max(1) as usize;
    let shown = if entries.len() > fits {
        fits - 1
    } else {
        entries.len()
    };
    for (i, e) in entries.iter().take(shown).enumerate() {
        let y = top + i as i32 * LEGEND_ROW + LEGEND_ROW / 2;
        draw_swatch(canvas, e, x, y)?;
        text(
            canvas,
            &truncate(&e.label, 32),
            (x + 30, y),
            13.0,
            &INK,
            HPos::Left,
        )?;
    }
    if shown < entries.len() {
        let y = top + shown as i32 * LEGEND_ROW + LEGEND_ROW / 2;
        let more = format!("+{} more not listed", entries.len() - shown);
        text(canvas, &more, (x + 30, y), 12.0, &MUTED, HPos::Left)?;
    }
    Ok(())
}

fn draw_swatch(canvas: &Canvas, e: &LegendEntry, x: i32, y: i32) -> Drawn {
    let c = e.color;
    match e.swatch {
        Swatch::Line => line(canvas, (x, y), (x + 22, y), c.stroke_width(2))?,
        Swatch::Dashed => {
            for dx in [0, 9, 18] {
                line(canvas, (x + dx, y), (x + dx + 5, y), c.stroke_width(2))?;
            }
        }
        Swatch::Dotted => {
            for dx in (0..22).step_by(5) {
                line(canvas, (x + dx, y), (x + dx + 2, y), c.stroke_width(2))?;
            }
        }
        Swatch::Block => {
            canvas.draw(&Rectangle::new([(x, y - 6), (x + 22, y + 6)], c.filled()))?;
        }
        Swatch::Cross => {
            line(canvas, (x + 5, y - 5), (x + 15, y + 5), c.stroke_width(2))?;
            line(canvas, (x + 5, y + 5), (x + 15, y - 5), c.stroke_width(2))?;
        }
    }
    Ok(())
}

/// A panel's chart on a linear value axis from 0 to `top`, in the house style: five
/// labelled horizontal grid lines, no vertical ones (the time grid is drawn once for all
/// panels), muted axes.
pub fn linear_chart<'a, 'b>(
    area: &'a Canvas<'b>,
    x: std::ops::Range<f64>,
    top: f64,
    y_label: &dyn Fn(&f64) -> String,
) -> Drawn<ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>> {
    let mut chart = ChartBuilder::on(area)
        .y_label_area_size(PLOT_LEFT)
        .build_cartesian_2d(x, 0.0..top)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(5)
        .y_label_formatter(y_label)
        .label_style(font(12.0))
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(MUTED)
        .draw()?;
    Ok(chart)
}

/// A panel's chart on a logarithmic value axis from `lo` to `hi`: only the axis line is
/// drawn here; the labels and grid come from `latency::log_axis`, which places them so
/// they never collide.
pub fn log_chart<'a, 'b>(
    area: &'a Canvas<'b>,
    x: std::ops::Range<f64>,
    lo: f64,
    hi: f64,
) -> Drawn<ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, LogCoord<f64>>>> {
    let mut chart = ChartBuilder::on(area)
        .y_label_area_size(PLOT_LEFT)
        .build_cartesian_2d(x, (lo..hi).log_scale())?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(0)
        // plotters would still add one label of its own.
        .y_label_formatter(&|_| String::new())
        .label_style(font(12.0))
        .bold_line_style(TRANSPARENT)
        .light_line_style(TRANSPARENT)
        .axis_style(MUTED)
        .draw()?;
    Ok(chart)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_fall_on_round_clock_times_inside_the_run() {
        // 14:20:07 for 8 minutes: minute ticks, from 14:21:00.
        let axis = TimeAxis {
            t0: 0.0,
            t1: 480.0,
            start_clock_s: 14 * 3600 + 20 * 60 + 7,
        };
        let ticks = axis.ticks();
        assert_eq!(axis.clock(ticks[0]), "14:21:00");
        assert!(ticks.len() <= 10 && ticks.len() >= 5, "{ticks:?}");
        assert!(ticks.windows(2).all(|w| (w[1] - w[0] - 60.0).abs() < 1e-9));
        assert!(ticks.iter().all(|t| (0.0..=480.0).contains(t)));
    }

    #[test]
    fn the_axis_maps_the_run_onto_the_plot_columns() {
        let axis = TimeAxis {
            t0: 100.0,
            t1: 200.0,
            start_clock_s: 0,
        };
        assert_eq!(axis.x(100.0), PLOT_LEFT);
        assert_eq!(axis.x(200.0), plot_right());
        assert_eq!(axis.x(-5.0), PLOT_LEFT, "clamped");
    }

    #[test]
    fn truncation_marks_the_cut() {
        assert_eq!(truncate("gateway", 10), "gateway");
        assert_eq!(truncate("recommendations", 8), "recomme…");
    }
}
