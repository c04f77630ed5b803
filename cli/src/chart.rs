//! Line and bar charts as SVG strings, drawn with plotters' SVG backend (text as SVG
//! text, no fonts or files needed): the figures of the HTML reports.

use plotters::prelude::*;

/// Colours of the runs (first config, second config) and of extra series.
pub const COLOURS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(23, 190, 207),
];

/// Chart size in pixels.
pub const SIZE: (u32, u32) = (900, 340);

/// One line of a chart.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend text.
    pub name: String,
    /// Colour.
    pub colour: RGBColor,
    /// Stroke width (p90 and totals thick, p50 thin).
    pub width: u32,
    /// Points, x ascending.
    pub points: Vec<(f64, f64)>,
}

/// A line chart as an SVG element; `x_label` formats the x axis' ticks.
pub fn line_chart(
    caption: &str,
    y_desc: &str,
    series: &[Series],
    x_label: &dyn Fn(&f64) -> String,
) -> Result<String, String> {
    let all = series.iter().flat_map(|s| s.points.iter());
    let (mut x0, mut x1, mut y1) = (f64::MAX, f64::MIN, 0.0f64);
    for &(x, y) in all {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y1 = y1.max(y);
    }
    if x0 > x1 {
        (x0, x1) = (0.0, 1.0);
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    let y1 = if y1 > 0.0 { y1 * 1.1 } else { 1.0 };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d(x0..x1, 0.0..y1)
            .map_err(err)?;
        chart
            .configure_mesh()
            .y_desc(y_desc)
            .x_label_formatter(x_label)
            .y_label_formatter(&|v| trim_number(*v))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(err)?;
        for s in series {
            let style = ShapeStyle::from(&s.colour).stroke_width(s.width);
            let legend = style;
            chart
                .draw_series(LineSeries::new(s.points.iter().copied(), style))
                .map_err(err)?
                .label(s.name.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], legend));
        }
        if !series.is_empty() {
            draw_legend(&mut chart)?;
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// A bar chart: one group per label, one bar per series (same colours as lines).
pub fn bar_chart(
    caption: &str,
    y_desc: &str,
    labels: &[String],
    series: &[(String, RGBColor, Vec<f64>)],
) -> Result<String, String> {
    let y1 = series
        .iter()
        .flat_map(|s| s.2.iter().copied())
        .fold(0.0f64, f64::max);
    let y1 = if y1 > 0.0 { y1 * 1.15 } else { 1.0 };
    let n = labels.len().max(1) as f64;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d(0.0..n, 0.0..y1)
            .map_err(err)?;
        let every = (labels.len() / 24).max(1);
        let label = |x: &f64| {
            let i = x.floor() as usize;
            if (x - x.floor() - 0.5).abs() < 1e-9 && i.is_multiple_of(every) {
                labels.get(i).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .y_desc(y_desc)
            .x_labels(labels.len().clamp(1, 200) * 2 + 1)
            .x_label_formatter(&label)
            .y_label_formatter(&|v| trim_number(*v))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(err)?;
        let k = series.len().max(1) as f64;
        for (j, (name, colour, values)) in series.iter().enumerate() {
            let colour = *colour;
            let bars = values.iter().enumerate().map(move |(i, &v)| {
                let left = i as f64 + 0.1 + 0.8 * j as f64 / k;
                Rectangle::new([(left, 0.0), (left + 0.8 / k, v)], colour.filled())
            });
            chart
                .draw_series(bars)
                .map_err(err)?
                .label(name.as_str())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 14, y + 5)], colour.filled())
                });
        }
        if !series.is_empty() {
            draw_legend(&mut chart)?;
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// The series' legend box in the upper right corner (every chart draws it the same way).
fn draw_legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
) -> Result<(), String> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(err)
}

/// Half way to white.
pub fn lighter(c: RGBColor) -> RGBColor {
    let mid = |v: u8| ((u16::from(v) + 255) / 2) as u8;
    RGBColor(mid(c.0), mid(c.1), mid(c.2))
}

fn err(e: impl std::fmt::Display) -> String {
    format!("drawing a chart: {e}")
}

/// A tick label: whole numbers bare, others with one decimal.
pub fn trim_number(v: f64) -> String {
    if v.abs() >= 100.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_chart_draws_every_series_with_its_legend() {
        let series = [
            Series {
                name: "p50 first".into(),
                colour: COLOURS[0],
                width: 1,
                points: vec![(0.0, 1.0), (1.0, 3.0), (2.0, 2.0)],
            },
            Series {
                name: "p90 <second>".into(),
                colour: COLOURS[1],
                width: 3,
                points: vec![(0.0, 2.0), (2.0, 5.0)],
            },
        ];
        let svg = line_chart("Waits & more", "seconds", &series, &|x| format!("h{x}")).unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        let stroke = |c: RGBColor| format!("stroke=\"#{:02X}{:02X}{:02X}\"", c.0, c.1, c.2);
        // Each series: its line and its legend mark, in its colour.
        assert_eq!(svg.matches(&stroke(COLOURS[0])).count(), 2, "{svg}");
        assert_eq!(svg.matches(&stroke(COLOURS[1])).count(), 2);
        assert!(svg.contains("p50 first") && svg.contains("p90 &lt;second&gt;"));
        assert!(svg.contains("Waits &amp; more"));
        assert!(
            svg.contains("#1F77B4") || svg.contains("#1f77b4"),
            "the first colour"
        );
        // No data: still a chart, with empty axes.
        assert!(
            line_chart("empty", "y", &[], &|_| String::new())
                .unwrap()
                .contains("<svg")
        );
    }

    #[test]
    fn a_bar_chart_draws_one_bar_per_value_and_series() {
        let labels = vec!["ann".to_owned(), "bob".to_owned(), "cid".to_owned()];
        let series = [
            ("first".to_owned(), COLOURS[0], vec![3.0, 1.0, 2.0]),
            ("second".to_owned(), COLOURS[1], vec![1.0, 0.0, 4.0]),
        ];
        let svg = bar_chart("Assigned", "dialogs", &labels, &series).unwrap();
        let fill = |c: RGBColor| format!("fill=\"#{:02X}{:02X}{:02X}\"", c.0, c.1, c.2);
        // Three bars and a legend mark per series.
        assert_eq!(svg.matches(&fill(COLOURS[0])).count(), 4, "{svg}");
        assert_eq!(svg.matches(&fill(COLOURS[1])).count(), 4);
        for name in ["ann", "bob", "cid", "first", "second"] {
            assert!(svg.contains(name), "{name}");
        }
    }

    #[test]
    fn lighter_goes_half_way_to_white_and_labels_trim() {
        assert_eq!(lighter(RGBColor(0, 100, 255)), RGBColor(127, 177, 255));
        assert_eq!(trim_number(3.0), "3");
        assert_eq!(trim_number(2.25), "2.2");
        assert_eq!(trim_number(1234.5), "1234");
    }
}
