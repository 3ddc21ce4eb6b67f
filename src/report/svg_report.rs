//! `report.svg`: stacked panels over one clock-time axis, with the incident timeline as
//! vertical markers through all of them.
//!
//! Layout, top to bottom: a header (scenario, seed, model hash), the event lane (marker
//! labels in rows so none overlap), the six panels, the `HH:MM:SS` axis. A panel whose
//! data the run does not have is a one-line note instead of an empty frame.

mod breakers;
mod compare;
mod frame;
mod lane;
mod latency;
mod memory;
mod queues;
mod traffic;
mod utilisation;

pub use compare::compare_svg;
pub(crate) use latency::seconds_label;

use super::affected::rank_services;
use super::run_dir::RunDir;
use frame::*;
use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

/// At most this many services get a line in a per-service panel.
pub(crate) const MAX_SERVICES: usize = 6;

/// What every panel needs: the run, the shared time axis and the services in order of
/// how affected they are (which also fixes each service's colour).
pub(crate) struct Ctx<'r> {
    pub run: &'r RunDir,
    pub axis: TimeAxis,
    pub ranked: Vec<usize>,
}

impl Ctx<'_> {
    /// The first `max` services in report order that pass `keep`, and how many more
    /// passed (a panel's "+N more not shown").
    pub fn ranked_where(&self, max: usize, keep: impl Fn(usize) -> bool) -> (Vec<usize>, usize) {
        let passing: Vec<usize> = self.ranked.iter().copied().filter(|&s| keep(s)).collect();
        let shown: Vec<usize> = passing.iter().copied().take(max).collect();
        let left_out = passing.len() - shown.len();
        (shown, left_out)
    }

    /// A service's colour, the same in every panel.
    pub fn color(&self, service: usize) -> RGBColor {
        let rank = self.ranked.iter().position(|&s| s == service).unwrap_or(0);
        PALETTE[rank % PALETTE.len()]
    }

    /// Window midpoints [s] (where per-window values are plotted).
    pub fn mid(&self, w: usize) -> f64 {
        let m = &self.run.metrics;
        m.window_start_s[w] + m.window_len_s[w] / 2.0
    }
}

/// Where a panel sits on the canvas.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PanelBox {
    pub top: i32,
    pub height: u32,
}

impl PanelBox {
    pub fn plot_top(&self) -> i32 {
        self.top + TITLE_SPACE as i32
    }
    pub fn plot_bottom(&self) -> i32 {
        self.top + self.height as i32 - 8
    }
    /// The canvas the panel's chart is built on: its plot starts at `PLOT_LEFT`.
    pub fn chart_area<'a>(&self, canvas: &Canvas<'a>) -> Canvas<'a> {
        canvas.clone().shrink(
            (0, self.plot_top()),
            (
                plot_right() as u32,
                (self.plot_bottom() - self.plot_top()) as u32,
            ),
        )
    }
}

/// How a panel with data draws itself into its box.
pub(crate) type DrawPanel<'r> = Box<dyn Fn(&Canvas, &Ctx, PanelBox) -> Drawn + 'r>;

/// One panel: its title, why it has nothing to show (if so), its height and how to draw.
pub(crate) struct Panel<'r> {
    pub title: String,
    pub missing: Option<String>,
    pub height: u32,
    pub draw: DrawPanel<'r>,
}

const HEADER_HEIGHT: i32 = 54;
const AXIS_HEIGHT: u32 = 34;

/// Draw the report of a run directory. Same files ⇒ same bytes.
pub fn report_svg(run: &RunDir) -> Result<String, String> {
    let (t0, t1) = run.metrics.time_range();
    let ctx = Ctx {
        run,
        axis: TimeAxis {
            t0,
            t1,
            start_clock_s: run.metrics.start_clock_s,
        },
        ranked: rank_services(&run.metrics),
    };
    let panels = vec![
        traffic::panel(&ctx),
        latency::panel(&ctx),
        queues::panel(&ctx),
        utilisation::panel(&ctx),
        memory::panel(&ctx),
        breakers::panel(&ctx),
    ];
    let lane = lane::Lane::place(&ctx);
    let height = HEADER_HEIGHT as u32
        + lane.height()
        + panels
            .iter()
            .map(|p| {
                if p.missing.is_some() {
                    NOTE_HEIGHT
                } else {
                    p.height
                }
            })
            .sum::<u32>()
        + AXIS_HEIGHT;
    let mut out = String::new();
    draw_all(&mut out, &ctx, &panels, &lane, height).map_err(|e| e.to_string())?;
    Ok(out)
}

fn draw_all(
    out: &mut String,
    ctx: &Ctx,
    panels: &[Panel],
    lane: &lane::Lane,
    height: u32,
) -> Drawn {
    let canvas = SVGBackend::with_string(out, (WIDTH, height)).into_drawing_area();
    canvas.fill(&WHITE)?;
    header(&canvas, ctx)?;
    let lane_top = HEADER_HEIGHT;
    let mut top = lane_top + lane.height() as i32;
    let mut plots = Vec::new();
    for p in panels {
        let b = PanelBox {
            top,
            height: if p.missing.is_some() {
                NOTE_HEIGHT
            } else {
                p.height
            },
        };
        text(&canvas, &p.title, (14, top + 13), 15.0, &INK, HPos::Left)?;
        match &p.missing {
            Some(why) => {
                let at = (14 + text_width(&p.title, 15.0) + 16, top + 13);
                text(&canvas, &format!("— {why}"), at, 13.0, &MUTED, HPos::Left)?;
            }
            None => {
                warmup_shade(&canvas, ctx, b)?;
                grid(&canvas, &ctx.axis, b)?;
                (p.draw)(&canvas, ctx, b)?;
                plots.push(b);
            }
        }
        top += b.height as i32;
    }
    lane.draw(&canvas, ctx, lane_top, &plots)?;
    axis_labels(&canvas, &ctx.axis, top)?;
    canvas.present()?;
    Ok(())
}

fn header(canvas: &Canvas, ctx: &Ctx) -> Drawn {
    let run = ctx.run;
    let title = format!("{} — incident timeline", run.summary_str("scenario"));
    text(canvas, &title, (14, 18), 20.0, &INK, HPos::Left)?;
    let mut sub = format!(
        "seed {} · model {} · {} → {} ({} simulated)",
        run.summary["seed"],
        run.summary_str("model_hash"),
        ctx.axis.clock(ctx.axis.t0),
        ctx.axis.clock(ctx.axis.t1),
        super::html::duration_text(ctx.axis.t1 - ctx.axis.t0),
    );
    if let Some(outage) = super::html::outage_text(&run.summary) {
        sub.push_str(&format!(" · {outage}"));
    }
    if let Some(partial) = run.summary["partial"].as_str() {
        sub.push_str(&format!(" · PARTIAL: {partial}"));
    }
    text(canvas, &sub, (14, 40), 13.0, &MUTED, HPos::Left)
}

/// End of the warm-up [s]: `summary.json` totals leave it out, so the plots grey it.
pub(crate) fn warmup_end(ctx: &Ctx) -> Option<f64> {
    let s = &ctx.run.summary;
    let warmup = s["simulated_seconds"].as_f64()? - s["measured_seconds"].as_f64()?;
    (warmup > 1e-9).then_some(ctx.axis.t0 + warmup)
}

fn warmup_shade(canvas: &Canvas, ctx: &Ctx, b: PanelBox) -> Drawn {
    if let Some(end) = warmup_end(ctx) {
        let (x0, x1) = (ctx.axis.x(ctx.axis.t0), ctx.axis.x(end));
        canvas.draw(&Rectangle::new(
            [(x0, b.plot_top()), (x1, b.plot_bottom())],
            WARMUP.filled(),
        ))?;
    }
    Ok(())
}

/// Vertical lines at the tick instants and a frame round the plot.
fn grid(canvas: &Canvas, axis: &TimeAxis, b: PanelBox) -> Drawn {
    for t in axis.ticks() {
        let x = axis.x(t);
        line(
            canvas,
            (x, b.plot_top()),
            (x, b.plot_bottom()),
            GRID.stroke_width(1),
        )?;
    }
    canvas.draw(&Rectangle::new(
        [(PLOT_LEFT, b.plot_top()), (plot_right(), b.plot_bottom())],
        GRID.stroke_width(1),
    ))?;
    Ok(())
}

fn axis_labels(canvas: &Canvas, axis: &TimeAxis, top: i32) -> Drawn {
    for t in axis.ticks() {
        let x = axis.x(t);
        line(canvas, (x, top - 6), (x, top), MUTED.stroke_width(1))?;
        text(
            canvas,
            &axis.clock(t),
            (x, top + 10),
            12.0,
            &INK,
            HPos::Center,
        )?;
    }
    text(
        canvas,
        "clock time",
        (plot_right(), top + 26),
        11.0,
        &MUTED,
        HPos::Right,
    )
}
