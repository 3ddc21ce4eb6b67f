//! Heatmap of one outcome over two axes. In a grid, one cell per pair of values (the mean
//! over the other axes' values, if any) with a red line along the safe/unsafe boundary and
//! ✗ on unsafe cells; otherwise one coloured dot per point.

use super::{axis_title, caption, distinct, extent, rule_text, tick, viridis, Scale};
use crate::sweep::manifest::Manifest;
use crate::sweep::stats::PointStats;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const WIDTH: u32 = 920;
const HEIGHT: u32 = 640;
const BAR: u32 = 150;
type Drawn = Result<(), DrawingAreaErrorKind<std::io::Error>>;
type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// One cell of a grid heatmap.
struct Cell {
    mean: Option<f64>,
    /// Every point in the cell is safe (`None` without a safe rule).
    safe: Option<bool>,
}

pub fn heatmap(m: &Manifest, points: &[PointStats], o: usize, i: usize, j: usize) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        let _ = draw(&root, m, points, o, i, j);
        let _ = root.present();
    }
    svg
}

fn draw(root: &Area, m: &Manifest, points: &[PointStats], o: usize, i: usize, j: usize) -> Drawn {
    root.fill(&WHITE)?;
    let (main, bar) = root.split_horizontally(WIDTH - BAR);
    let note = match rule_text(m) {
        Some(rule) if m.grid => {
            format!("red line: boundary between safe and unsafe (safe: {rule}); ✗ = unsafe")
        }
        Some(rule) => format!("✗ = unsafe point (safe: {rule})"),
        None => "no safe rule in the sweep file".into(),
    };
    let caption = caption(m, o);
    let scale = if m.grid {
        let cells = grid_cells(m, points, o, i, j);
        let scale = Scale::over(cells.iter().flatten().filter_map(|c| c.mean));
        draw_grid(&main, m, &cells, i, j, &caption, scale)?;
        scale
    } else {
        let scale = Scale::over(points.iter().filter_map(|p| p.mean(o)));
        draw_scatter(&main, m, points, o, i, j, &caption, scale)?;
        scale
    };
    root.draw(&Text::new(
        note,
        (20, HEIGHT as i32 - 22),
        ("sans-serif", 15).into_font().color(&BLACK),
    ))?;
    let threshold = m.safe.filter(|r| r.outcome() == o).map(|r| match r {
        crate::sweep::SafeRule::AtLeast { threshold, .. }
        | crate::sweep::SafeRule::AtMost { threshold, .. } => threshold,
    });
    colour_bar(&bar, scale, threshold)
}

/// `cells[x][y]` for the values of axes `i` (x) and `j` (y).
fn grid_cells(m: &Manifest, points: &[PointStats], o: usize, i: usize, j: usize) -> Vec<Vec<Cell>> {
    let (xs, ys) = (&m.axes[i].values, &m.axes[j].values);
    xs.iter()
        .map(|(xl, _)| {
            ys.iter()
                .map(|(yl, _)| {
                    let inside: Vec<&PointStats> = points
                        .iter()
                        .filter(|p| p.record.labels[i] == *xl && p.record.labels[j] == *yl)
                        .collect();
                    let means: Vec<f64> = inside.iter().filter_map(|p| p.mean(o)).collect();
                    Cell {
                        mean: (!means.is_empty())
                            .then(|| means.iter().sum::<f64>() / means.len() as f64),
                        safe: m.safe.map(|rule| {
                            !inside.is_empty() && inside.iter().all(|p| p.is_safe(rule))
                        }),
                    }
                })
                .collect()
        })
        .collect()
}

fn draw_grid(
    area: &Area,
    m: &Manifest,
    cells: &[Vec<Cell>],
    i: usize,
    j: usize,
    caption: &str,
    scale: Scale,
) -> Drawn {
    let (nx, ny) = (cells.len(), cells[0].len());
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 20))
        .margin(12)
        .margin_bottom(40)
        .x_label_area_size(60)
        .y_label_area_size(90)
        .build_cartesian_2d(-0.5..nx as f64 - 0.5, -0.5..ny as f64 - 0.5)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(0)
        .y_labels(0)
        .x_desc(axis_title(m, i, false))
        .y_desc(axis_title(m, j, false))
        .axis_desc_style(("sans-serif", 16))
        .draw()?;
    for (x, column) in cells.iter().enumerate() {
        for (y, cell) in column.iter().enumerate() {
            let (x, y) = (x as f64, y as f64);
            let colour = scale.colour(cell.mean);
            chart.draw_series([Rectangle::new(
                [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                colour.filled(),
            )])?;
        }
    }
    let show_values = nx <= 14 && ny <= 20;
    for (x, column) in cells.iter().enumerate() {
        for (y, cell) in column.iter().enumerate() {
            let light = cell.mean.is_none_or(|v| scale.fraction(v) > 0.6);
            let ink = if light { BLACK } else { WHITE };
            let centre = chart.backend_coord(&(x as f64, y as f64));
            if show_values {
                let text = cell
                    .mean
                    .map_or("–".into(), |v| distinct(v, scale.hi - scale.lo));
                let style = ("sans-serif", 13)
                    .into_font()
                    .color(&ink)
                    .pos(Pos::new(HPos::Center, VPos::Center));
                area.draw(&Text::new(text, centre, style))?;
            }
            if cell.safe == Some(false) {
                let corner = chart.backend_coord(&(x as f64 + 0.32, y as f64 + 0.3));
                let style = ("sans-serif", 14)
                    .into_font()
                    .color(&ink)
                    .pos(Pos::new(HPos::Center, VPos::Center));
                area.draw(&Text::new("✗", corner, style))?;
            }
        }
    }
    boundary(&mut chart, cells)?;
    tick_labels(area, &chart, m, i, j)
}

/// Thick red segments along every edge between a safe and an unsafe cell.
fn boundary<DB: DrawingBackend>(
    chart: &mut ChartContext<
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    cells: &[Vec<Cell>],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let line = ShapeStyle {
        color: RED.to_rgba(),
        filled: false,
        stroke_width: 4,
    };
    let halo = ShapeStyle {
        color: WHITE.to_rgba(),
        filled: false,
        stroke_width: 8,
    };
    let mut segments = Vec::new();
    for x in 0..cells.len() {
        for y in 0..cells[x].len() {
            let here = cells[x][y].safe;
            let (xf, yf) = (x as f64, y as f64);
            if x + 1 < cells.len() && here.is_some() && here != cells[x + 1][y].safe {
                segments.push([(xf + 0.5, yf - 0.5), (xf + 0.5, yf + 0.5)]);
            }
            if y + 1 < cells[x].len() && here.is_some() && here != cells[x][y + 1].safe {
                segments.push([(xf - 0.5, yf + 0.5), (xf + 0.5, yf + 0.5)]);
            }
        }
    }
    for style in [halo, line] {
        chart.draw_series(segments.iter().map(|s| PathElement::new(s.to_vec(), style)))?;
    }
    Ok(())
}

/// Value labels under each column and beside each row, thinned out when crowded.
fn tick_labels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &ChartContext<
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    m: &Manifest,
    i: usize,
    j: usize,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let (xs, ys) = (&m.axes[i].values, &m.axes[j].values);
    let x_stride = xs.len().div_ceil(16);
    for (k, (label, _)) in xs.iter().enumerate().step_by(x_stride) {
        let (px, py) = chart.backend_coord(&(k as f64, -0.5));
        let style = ("sans-serif", 14)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Top));
        area.draw(&Text::new(label.clone(), (px, py + 6), style))?;
    }
    let y_stride = ys.len().div_ceil(24);
    for (k, (label, _)) in ys.iter().enumerate().step_by(y_stride) {
        let (px, py) = chart.backend_coord(&(-0.5, k as f64));
        let style = ("sans-serif", 14)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Right, VPos::Center));
        area.draw(&Text::new(label.clone(), (px - 6, py), style))?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn draw_scatter(
    area: &Area,
    m: &Manifest,
    points: &[PointStats],
    o: usize,
    i: usize,
    j: usize,
    caption: &str,
    scale: Scale,
) -> Drawn {
    let (x0, x1) = extent(points.iter().map(|p| p.record.numbers[i]));
    let (y0, y1) = extent(points.iter().map(|p| p.record.numbers[j]));
    let (px, py) = ((x1 - x0) * 0.05, (y1 - y0) * 0.05);
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 20))
        .margin(12)
        .margin_bottom(40)
        .x_label_area_size(60)
        .y_label_area_size(90)
        .build_cartesian_2d(x0 - px..x1 + px, y0 - py..y1 + py)?;
    chart
        .configure_mesh()
        .x_desc(axis_title(m, i, true))
        .y_desc(axis_title(m, j, true))
        .axis_desc_style(("sans-serif", 16))
        .label_style(("sans-serif", 14))
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| tick(*v))
        .draw()?;
    chart.draw_series(points.iter().map(|p| {
        let colour = scale.colour(p.mean(o));
        Circle::new(
            (p.record.numbers[i], p.record.numbers[j]),
            7,
            colour.filled(),
        )
    }))?;
    if let Some(rule) = m.safe {
        chart.draw_series(points.iter().filter(|p| !p.is_safe(rule)).map(|p| {
            Cross::new(
                (p.record.numbers[i], p.record.numbers[j]),
                5,
                RED.stroke_width(2),
            )
        }))?;
    }
    Ok(())
}

fn colour_bar(area: &Area, scale: Scale, threshold: Option<f64>) -> Drawn {
    let title = if scale.log { "log scale" } else { "" };
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 14))
        .margin_top(30)
        .margin_bottom(90)
        .margin_right(40)
        .y_label_area_size(70)
        // Room between the caption and the top tick label.
        .set_label_area_size(LabelAreaPosition::Top, 14)
        .build_cartesian_2d(0.0..1.0, 0.0..1.0)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_labels(9)
        .y_label_formatter(&|t| distinct(scale.value(*t), scale.hi - scale.lo))
        .label_style(("sans-serif", 14))
        .draw()?;
    let steps = 100;
    chart.draw_series((0..steps).map(|k| {
        let (a, b) = (k as f64 / steps as f64, (k + 1) as f64 / steps as f64);
        Rectangle::new([(0.0, a), (1.0, b)], viridis((a + b) / 2.0).filled())
    }))?;
    if let Some(t) = threshold.filter(|t| (scale.lo..=scale.hi).contains(t)) {
        let red = ShapeStyle {
            color: RED.to_rgba(),
            filled: false,
            stroke_width: 4,
        };
        let y = scale.fraction(t);
        chart.draw_series([PathElement::new(vec![(0.0, y), (1.0, y)], red)])?;
    }
    Ok(())
}
