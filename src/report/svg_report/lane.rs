//! The event lane: each timeline event's label sits in the first row where it overlaps
//! no other label, and its marker runs down through every panel.
//!
//! Why rows instead of rotated text? Horizontal labels read like the incident write-up's
//! `HH:MM:SS - text` lines; rows keep them apart however close the events are.

use super::frame::*;
use super::{Ctx, PanelBox};
use crate::report::run_dir::EventKind;
use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

const ROW: i32 = 18;
/// Rows before labels are dropped (and counted): a dozen keeps a busy incident readable
/// without the lane outgrowing the panels.
const MAX_ROWS: usize = 12;
const KEY_HEIGHT: i32 = 22;
const LABEL_SIZE: f64 = 12.0;
const MAX_LABEL_CHARS: usize = 64;

struct Placed {
    event: usize,
    row: usize,
    x: i32,
    /// Text anchored at its right end when it would run past the plot.
    right_aligned: bool,
}

pub(crate) struct Lane {
    placed: Vec<Placed>,
    rows: usize,
    dropped: usize,
}

fn label(ctx: &Ctx, event: usize) -> String {
    let e = &ctx.run.events[event];
    let clock = if e.clock.is_empty() {
        ctx.axis.clock(e.t_s)
    } else {
        e.clock.clone()
    };
    truncate(&format!("{clock} {}", e.text), MAX_LABEL_CHARS)
}

impl Lane {
    pub fn place(ctx: &Ctx) -> Lane {
        let mut order: Vec<usize> = (0..ctx.run.events.len()).collect();
        order.sort_by(|&a, &b| {
            ctx.run.events[a]
                .t_s
                .total_cmp(&ctx.run.events[b].t_s)
                .then(a.cmp(&b))
        });
        let mut row_ends: Vec<i32> = Vec::new();
        let (mut placed, mut dropped) = (Vec::new(), 0);
        for event in order {
            let x = ctx.axis.x(ctx.run.events[event].t_s);
            let width = text_width(&label(ctx, event), LABEL_SIZE) + 8;
            let right_aligned = x + width > plot_right() + LEGEND_WIDTH;
            let (start, end) = if right_aligned {
                (x - width, x)
            } else {
                (x, x + width)
            };
            let free = row_ends
                .iter()
                .position(|&end_of_row| end_of_row + 6 <= start);
            let row = match free {
                Some(r) => r,
                None if row_ends.len() < MAX_ROWS => {
                    row_ends.push(i32::MIN);
                    row_ends.len() - 1
                }
                None => {
                    dropped += 1;
                    continue;
                }
            };
            row_ends[row] = end;
            placed.push(Placed {
                event,
                row,
                x,
                right_aligned,
            });
        }
        Lane {
            placed,
            rows: row_ends.len(),
            dropped,
        }
    }

    pub fn height(&self) -> u32 {
        if self.placed.is_empty() && self.dropped == 0 {
            KEY_HEIGHT as u32 + 6
        } else {
            (KEY_HEIGHT + self.rows as i32 * ROW + 8) as u32
        }
    }

    pub fn draw(&self, canvas: &Canvas, ctx: &Ctx, top: i32, plots: &[PanelBox]) -> Drawn {
        self.key(canvas, ctx, top)?;
        let bottom = top + self.height() as i32;
        for p in &self.placed {
            let e = &ctx.run.events[p.event];
            let y = top + KEY_HEIGHT + p.row as i32 * ROW + ROW / 2;
            let (color, dashed) = match e.kind {
                EventKind::Scripted => (SCRIPTED, true),
                EventKind::Detected => (DETECTED, false),
            };
            let style = color.mix(0.8).stroke_width(if dashed { 2 } else { 1 });
            let mut spans = vec![(y + 7, bottom)];
            spans.extend(plots.iter().map(|b| (b.plot_top(), b.plot_bottom())));
            for (y0, y1) in spans {
                if dashed {
                    dashed_vline(canvas, p.x, y0, y1, style)?;
                } else {
                    line(canvas, (p.x, y0), (p.x, y1), style)?;
                }
            }
            let (anchor, tx) = if p.right_aligned {
                (HPos::Right, p.x - 3)
            } else {
                (HPos::Left, p.x + 3)
            };
            text(
                canvas,
                &label(ctx, p.event),
                (tx, y),
                LABEL_SIZE,
                &color,
                anchor,
            )?;
        }
        Ok(())
    }

    fn key(&self, canvas: &Canvas, ctx: &Ctx, top: i32) -> Drawn {
        let y = top + KEY_HEIGHT / 2;
        text(canvas, "Timeline", (14, y), 15.0, &INK, HPos::Left)?;
        if super::warmup_end(ctx).is_some() {
            // Right-aligned at the end of the plots, clear of the marker key.
            let label = "warm-up (left out of the totals)";
            let x = plot_right() - text_width(label, 12.0);
            canvas.draw(&Rectangle::new(
                [(x - 26, y - 6), (x - 6, y + 6)],
                WARMUP.filled(),
            ))?;
            canvas.draw(&Rectangle::new(
                [(x - 26, y - 6), (x - 6, y + 6)],
                GRID.stroke_width(1),
            ))?;
            text(canvas, label, (x, y), 12.0, &INK, HPos::Left)?;
        }
        if ctx.run.events.is_empty() {
            return text(
                canvas,
                "— no timeline events in this run",
                (100, y),
                13.0,
                &MUTED,
                HPos::Left,
            );
        }
        let x = PLOT_LEFT + 20;
        line(canvas, (x, y - 7), (x, y + 7), DETECTED.stroke_width(1))?;
        text(canvas, "detected event", (x + 8, y), 13.0, &INK, HPos::Left)?;
        let x2 = x + 140;
        dashed_vline(canvas, x2, y - 7, y + 7, SCRIPTED.stroke_width(2))?;
        text(
            canvas,
            "scripted action",
            (x2 + 8, y),
            13.0,
            &INK,
            HPos::Left,
        )?;
        if self.dropped > 0 {
            let noun = if self.dropped == 1 { "event" } else { "events" };
            let more = format!(
                "+{} more {noun} not labelled (see the timeline in index.html)",
                self.dropped
            );
            text(canvas, &more, (x2 + 160, y), 12.0, &MUTED, HPos::Left)?;
        }
        Ok(())
    }
}
