//! Line plot of one outcome against one axis: one line per combination of the other axes'
//! values (their mean when there are too many to tell apart), with 95 % error bars over
//! replications, and the safe threshold as a dashed red line.

use super::{axis_title, caption, extent, rule_text, tick, Scale};
use crate::sweep::manifest::Manifest;
use crate::sweep::stats::PointStats;
use crate::sweep::SafeRule;
use plotters::prelude::*;

const WIDTH: u32 = 860;
const HEIGHT: u32 = 560;
/// More lines than this are unreadable; they are averaged into one.
const MAX_LINES: usize = 8;
const COLOURS: [RGBColor; MAX_LINES] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(23, 190, 207),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// One line: its legend and its points `(x, mean, half-width of the 95 % interval)`.
struct Series {
    label: String,
    points: Vec<(f64, f64, Option<f64>)>,
}

pub fn line_plot(m: &Manifest, points: &[PointStats], o: usize, a: usize) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        let _ = draw(&root, m, &series(m, points, o, a), o, a);
        let _ = root.present();
    }
    svg
}

fn series(m: &Manifest, points: &[PointStats], o: usize, a: usize) -> Vec<Series> {
    let others: Vec<usize> = (0..m.axes.len()).filter(|&b| b != a).collect();
    let mut groups: Vec<Series> = Vec::new();
    for p in points {
        let Some(e) = p.estimates[o] else { continue };
        let label = others
            .iter()
            .map(|&b| format!("{} = {}", m.axes[b].path, p.record.labels[b]))
            .collect::<Vec<_>>()
            .join(", ");
        let label = if m.grid { label } else { String::new() };
        let point = (p.record.numbers[a], e.mean, e.half_width);
        match groups.iter_mut().find(|s| s.label == label) {
            Some(s) => s.points.push(point),
            None => groups.push(Series {
                label,
                points: vec![point],
            }),
        }
    }
    if groups.len() > MAX_LINES {
        groups = vec![average(&groups, others.len())];
    }
    for s in &mut groups {
        s.points.sort_by(|x, y| x.0.total_cmp(&y.0));
    }
    groups
}

/// The mean over lines at each x, as one line.
fn average(groups: &[Series], others: usize) -> Series {
    let mut sums: Vec<(f64, f64, usize)> = Vec::new();
    for (x, y, _) in groups.iter().flat_map(|s| &s.points) {
        match sums.iter_mut().find(|s| s.0 == *x) {
            Some(s) => {
                s.1 += y;
                s.2 += 1;
            }
            None => sums.push((*x, *y, 1)),
        }
    }
    let what = if others == 1 {
        "the other axis"
    } else {
        "the other axes"
    };
    Series {
        label: format!("mean over {what}"),
        points: sums
            .into_iter()
            .map(|(x, s, n)| (x, s / n as f64, None))
            .collect(),
    }
}

fn draw(
    root: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    m: &Manifest,
    lines: &[Series],
    o: usize,
    a: usize,
) -> Result<(), DrawingAreaErrorKind<std::io::Error>> {
    root.fill(&WHITE)?;
    let threshold = m.safe.filter(|r| r.outcome() == o).map(|r| match r {
        SafeRule::AtLeast { threshold, .. } | SafeRule::AtMost { threshold, .. } => threshold,
    });
    // Outcomes that explode (queue waits) span orders of magnitude: plot them on a log
    // axis, drawn as log10 of the value on a linear axis and labelled with the value.
    let scale = Scale::over(
        lines
            .iter()
            .flat_map(|s| &s.points)
            .map(|p| p.1)
            .chain(threshold),
    );
    let floor = scale.lo;
    let y_of = move |v: f64| if scale.log { v.max(floor).log10() } else { v };
    let all = lines.iter().flat_map(|s| &s.points);
    let (x0, x1) = extent(all.clone().map(|p| p.0));
    let (y0, y1) = extent(
        all.flat_map(|p| {
            [
                y_of(p.1 - p.2.unwrap_or(0.0)),
                y_of(p.1 + p.2.unwrap_or(0.0)),
            ]
        })
        .chain(threshold.map(y_of)),
    );
    let (px, py) = ((x1 - x0) * 0.04, (y1 - y0) * 0.08);
    let y_desc = if scale.log {
        format!("{} (log scale)", m.outcomes[o])
    } else {
        m.outcomes[o].clone()
    };
    let mut chart = ChartBuilder::on(root)
        .caption(caption(m, o), ("sans-serif", 20))
        .margin(14)
        .x_label_area_size(55)
        .y_label_area_size(80)
        .build_cartesian_2d(x0 - px..x1 + px, y0 - py..y1 + py)?;
    chart
        .configure_mesh()
        .x_desc(axis_title(m, a, true))
        .y_desc(y_desc)
        .axis_desc_style(("sans-serif", 16))
        .label_style(("sans-serif", 14))
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| tick(if scale.log { 10f64.powf(*v) } else { *v }))
        .draw()?;
    if let Some(t) = threshold {
        let red = ShapeStyle {
            color: RED.to_rgba(),
            filled: false,
            stroke_width: 2,
        };
        let label = rule_text(m).map_or("threshold".into(), |r| format!("safe: {r}"));
        chart
            .draw_series(DashedLineSeries::new(
                [(x0 - px, y_of(t)), (x1 + px, y_of(t))],
                8,
                6,
                red,
            ))?
            .label(label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], red));
    }
    for (k, s) in lines.iter().enumerate() {
        let colour = COLOURS[k % COLOURS.len()];
        let style = colour.stroke_width(2);
        let drawn = chart.draw_series(LineSeries::new(
            s.points.iter().map(|p| (p.0, y_of(p.1))),
            style,
        ))?;
        if !s.label.is_empty() {
            drawn
                .label(s.label.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
        }
        chart.draw_series(
            s.points
                .iter()
                .map(|p| Circle::new((p.0, y_of(p.1)), 4, colour.filled())),
        )?;
        chart.draw_series(s.points.iter().filter_map(|p| {
            p.2.map(|h| {
                PathElement::new(
                    vec![(p.0, y_of(p.1 - h)), (p.0, y_of(p.1 + h))],
                    colour.stroke_width(1),
                )
            })
        }))?;
    }
    if threshold.is_some() || lines.iter().any(|s| !s.label.is_empty()) {
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", 13))
            .position(SeriesLabelPosition::UpperRight)
            .draw()?;
    }
    Ok(())
}
