//! Panel 6, circuit breakers: one band per edge that has a breaker, coloured by the
//! breaker's state at the end of each window.

use super::frame::*;
use super::{Ctx, Panel, PanelBox};
use crate::report::run_dir::BreakerState;
use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

const BAND: u32 = 22;
const MAX_EDGES: usize = 12;
const CLOSED: RGBColor = RGBColor(0xa6, 0xd9, 0x6a);
const HALF_OPEN: RGBColor = RGBColor(0xfd, 0xae, 0x61);
const OPEN: RGBColor = RGBColor(0xd7, 0x30, 0x27);

fn color(state: BreakerState) -> Option<RGBColor> {
    match state {
        BreakerState::Closed => Some(CLOSED),
        BreakerState::HalfOpen => Some(HALF_OPEN),
        BreakerState::Open => Some(OPEN),
        BreakerState::None => None,
    }
}

fn trips(ctx: &Ctx, e: usize) -> usize {
    let w = &ctx.run.metrics.edges[e].windows;
    w.iter()
        .flatten()
        .filter(|w| w.breaker != BreakerState::Closed)
        .count()
}

pub(crate) fn panel<'r>(ctx: &Ctx<'r>) -> Panel<'r> {
    let m = &ctx.run.metrics;
    let mut edges: Vec<usize> = (0..m.edges.len())
        .filter(|&e| {
            m.edges[e]
                .windows
                .iter()
                .flatten()
                .any(|w| w.breaker != BreakerState::None)
        })
        .collect();
    // Edges whose breaker left `closed` most often first; then by name.
    edges.sort_by(|&a, &b| {
        trips(ctx, b)
            .cmp(&trips(ctx, a))
            .then(m.edges[a].name.cmp(&m.edges[b].name))
    });
    let left_out = edges.len().saturating_sub(MAX_EDGES);
    edges.truncate(MAX_EDGES);
    let missing = if m.edges.is_empty() {
        Some("this run has no edges.csv".to_string())
    } else if edges.is_empty() {
        Some("no edge has a circuit breaker".to_string())
    } else {
        None
    };
    let rows = edges.len() as u32 + u32::from(left_out > 0);
    Panel {
        title: "6 · Circuit breakers (state at the end of each window)".into(),
        missing,
        height: TITLE_SPACE + rows * BAND + 16,
        draw: Box::new(move |canvas, ctx, b| draw(canvas, ctx, b, &edges, left_out)),
    }
}

fn draw(canvas: &Canvas, ctx: &Ctx, b: PanelBox, edges: &[usize], left_out: usize) -> Drawn {
    let m = &ctx.run.metrics;
    for (row, &e) in edges.iter().enumerate() {
        let y0 = b.plot_top() + row as i32 * BAND as i32 + 2;
        let y1 = y0 + BAND as i32 - 4;
        // One rectangle per run of equal state, not per window: long runs stay small.
        let states: Vec<Option<RGBColor>> = m.edges[e]
            .windows
            .iter()
            .map(|w| w.as_ref().and_then(|w| color(w.breaker)))
            .collect();
        let mut w = 0;
        while w < states.len() {
            let end = (w..states.len())
                .find(|&v| states[v] != states[w])
                .unwrap_or(states.len());
            if let Some(fill) = states[w] {
                let x0 = ctx.axis.x(m.window_start_s[w]);
                let x1 = ctx
                    .axis
                    .x(m.window_start_s[end - 1] + m.window_len_s[end - 1]);
                canvas.draw(&Rectangle::new([(x0, y0), (x1, y1)], fill.filled()))?;
            }
            w = end;
        }
        // Names sit in the legend column, level with their band: edge names are too
        // long for the y-label column.
        let name = truncate(&m.edges[e].name, 34);
        text(
            canvas,
            &name,
            (plot_right() + 16, (y0 + y1) / 2),
            12.0,
            &INK,
            HPos::Left,
        )?;
    }
    if left_out > 0 {
        let y = b.plot_top() + edges.len() as i32 * BAND as i32 + BAND as i32 / 2;
        text(
            canvas,
            &format!("{left_out} more edges with breakers not shown"),
            (PLOT_LEFT + 4, y),
            12.0,
            &MUTED,
            HPos::Left,
        )?;
    }
    state_key(canvas, b)
}

/// The three colours, in the title line (the legend column holds the edge names).
fn state_key(canvas: &Canvas, b: PanelBox) -> Drawn {
    let y = b.top + 13;
    let mut x = PLOT_LEFT + 440;
    for (fill, name) in [(CLOSED, "closed"), (HALF_OPEN, "half-open"), (OPEN, "open")] {
        canvas.draw(&Rectangle::new(
            [(x, y - 6), (x + 18, y + 6)],
            fill.filled(),
        ))?;
        text(canvas, name, (x + 24, y), 13.0, &INK, HPos::Left)?;
        x += 34 + text_width(name, 13.0);
    }
    Ok(())
}
