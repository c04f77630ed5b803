//! `--report FILE.html`: one self-contained HTML page a support manager opens in a
//! browser — charts as inline SVG ([`crate::chart`]), tables as HTML, no scripts, no
//! external files.
//!
//! simulate: queue length and operators online over the day, waits and first response
//! by hour (p50 thin, p90 thick), per-operator load; with `--compare` both configs on
//! the same axes (one colour each). staff: operators needed per hour (with Erlang C
//! beside it), the curves the answers rest on, the hourly staffing table, then the
//! simulate charts of the whole day run with the plan as its roster.

use std::fmt::Write as _;
use std::path::Path;

use openlines_sim::staff::StaffPlan;
use openlines_sim::summary::{HourRow, Spread};
use plotters::style::{BLACK, RGBColor};

use crate::chart::{COLOURS, Series, bar_chart, lighter, line_chart, trim_number};
use crate::history::Named;

/// Text for HTML (`& < > "` escaped).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// What a report shows.
#[derive(Debug, Clone)]
pub struct Report<'a> {
    title: String,
    notes: Vec<String>,
    runs: &'a [Named],
    plan: Option<&'a StaffPlan>,
}

impl<'a> Report<'a> {
    /// The report of `openlines simulate` (one or two runs on the same traffic).
    pub fn simulate(title: String, notes: Vec<String>, runs: &'a [Named]) -> Self {
        Report {
            title,
            notes,
            runs,
            plan: None,
        }
    }

    /// The report of `openlines staff`: the plan, then the day run with it (`day`).
    pub fn staff(title: String, notes: Vec<String>, plan: &'a StaffPlan, day: &'a [Named]) -> Self {
        Report {
            title,
            notes,
            runs: day,
            plan: Some(plan),
        }
    }

    /// The whole page.
    pub fn html(&self) -> Result<String, String> {
        let mut body = String::new();
        let _ = writeln!(body, "<h1>{}</h1>", escape(&self.title));
        for n in &self.notes {
            let _ = writeln!(body, "<p class=\"note\">{}</p>", escape(n));
        }
        if let Some(plan) = self.plan {
            staff_sections(plan, &mut body)?;
            if !self.runs.is_empty() {
                let _ = writeln!(
                    body,
                    "<h2 class=\"part\">The day staffed as planned</h2>\n<p>The whole traffic once more, \
                     each hour with the operators the plan gives it.</p>"
                );
            }
        }
        if !self.runs.is_empty() {
            self.simulate_sections(&mut body)?;
        }
        Ok(format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
            escape(&self.title)
        ))
    }

    fn simulate_sections(&self, body: &mut String) -> Result<(), String> {
        let runs = self.runs;
        let colour = |i: usize| COLOURS[i % COLOURS.len()];
        let legend = |i: usize| match (runs.len(), i) {
            (1, _) => runs[i].name.clone(),
            (_, 0) => format!("{} (first)", runs[i].name),
            _ => format!("{} (second)", runs[i].name),
        };
        key_figures(runs, &legend, body);
        let start = runs
            .iter()
            .filter_map(|r| r.summary.timeline.first().map(|p| p.at))
            .min();
        // Over the day.
        let mut series = Vec::new();
        for (i, r) in runs.iter().enumerate() {
            let Some(start) = start else { break };
            let hours =
                |at: chrono::DateTime<chrono::Utc>| (at - start).num_seconds() as f64 / 3600.0;
            series.push(Series {
                name: format!("waiting: {}", legend(i)),
                colour: colour(i),
                width: 3,
                points: r
                    .summary
                    .timeline
                    .iter()
                    .map(|p| (hours(p.at), p.waiting as f64))
                    .collect(),
            });
            series.push(Series {
                name: format!("operators online: {}", legend(i)),
                colour: lighter(colour(i)),
                width: 1,
                points: r
                    .summary
                    .timeline
                    .iter()
                    .map(|p| (hours(p.at), f64::from(p.online)))
                    .collect(),
            });
        }
        let label = |x: &f64| format!("+{}h", trim_number(*x));
        section(
            body,
            "Queue length and operators online over the day",
            "Dialogs waiting for an operator (thick) and operators online (thin), every 15 minutes; hours from the first arrival's hour.",
            &line_chart(
                "Waiting dialogs and operators online",
                "count",
                &series,
                &label,
            )?,
        );
        // By hour.
        let hours: Vec<String> = {
            let set: std::collections::BTreeSet<&str> = runs
                .iter()
                .flat_map(|r| r.summary.by_hour.iter().map(|h| h.hour.as_str()))
                .collect();
            set.into_iter().map(str::to_owned).collect()
        };
        let hour_label = |x: &f64| {
            let i = x.round();
            if (x - i).abs() < 1e-9 {
                hours
                    .get(i as usize)
                    .map_or_else(String::new, |h| h.get(11..).unwrap_or(h).to_owned())
            } else {
                String::new()
            }
        };
        for (caption, pick) in [
            (
                "Wait for an operator by hour",
                (|h: &HourRow| &h.wait) as fn(&HourRow) -> &Spread,
            ),
            ("First response by hour", |h: &HourRow| &h.first_response),
        ] {
            let mut series = Vec::new();
            for (i, r) in runs.iter().enumerate() {
                for (stat, width, get) in [
                    ("p50", 1, (|s: &Spread| s.p50) as fn(&Spread) -> Option<f64>),
                    ("p90", 3, |s: &Spread| s.p90),
                ] {
                    let points = r
                        .summary
                        .by_hour
                        .iter()
                        .filter_map(|h| {
                            let x = hours.iter().position(|k| k == &h.hour)? as f64;
                            Some((x, get(pick(h))?))
                        })
                        .collect();
                    series.push(Series {
                        name: format!("{stat}: {}", legend(i)),
                        colour: colour(i),
                        width,
                        points,
                    });
                }
            }
            section(
                body,
                caption,
                "Seconds; p50 thin, p90 thick; by the local hour the dialog opened in.",
                &line_chart(caption, "seconds", &series, &hour_label)?,
            );
        }
        let mut table = String::from("<table><tr><th>hour</th>");
        for i in 0..runs.len() {
            let _ = write!(
                table,
                "<th>dialogs</th><th>wait p50</th><th>wait p90</th><th>first response p50</th><th>first response p90</th>{}",
                if runs.len() > 1 {
                    format!("<th>({})</th>", i + 1)
                } else {
                    String::new()
                }
            );
        }
        table.push_str("</tr>\n");
        for hour in &hours {
            let _ = write!(table, "<tr><td>{}</td>", escape(hour));
            for (i, r) in runs.iter().enumerate() {
                match r.summary.by_hour.iter().find(|h| &h.hour == hour) {
                    Some(h) => {
                        let _ = write!(
                            table,
                            "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
                            h.dialogs,
                            secs(h.wait.p50),
                            secs(h.wait.p90),
                            secs(h.first_response.p50),
                            secs(h.first_response.p90)
                        );
                    }
                    None => table.push_str("<td>0</td><td>-</td><td>-</td><td>-</td><td>-</td>"),
                }
                if runs.len() > 1 {
                    let _ = write!(table, "<td>({})</td>", i + 1);
                }
            }
            table.push_str("</tr>\n");
        }
        table.push_str("</table>");
        section(body, "By hour", "Seconds.", &table);
        // Per operator.
        let ops: Vec<String> = {
            let set: std::collections::BTreeSet<&str> = runs
                .iter()
                .flat_map(|r| r.summary.operators.iter().map(|o| o.id.as_str()))
                .collect();
            set.into_iter().map(str::to_owned).collect()
        };
        let per_op = |f: &dyn Fn(&openlines_sim::summary::OperatorRow) -> f64| -> Vec<(String, RGBColor, Vec<f64>)> {
            runs.iter()
                .enumerate()
                .map(|(i, r)| {
                    let values = ops
                        .iter()
                        .map(|id| r.summary.operators.iter().find(|o| &o.id == id).map_or(0.0, f))
                        .collect();
                    (legend(i), colour(i), values)
                })
                .collect()
        };
        section(
            body,
            "Per-operator load",
            "Dialogs assigned to each operator, and the mean number of dialogs each held while online.",
            &format!(
                "{}{}",
                bar_chart(
                    "Dialogs assigned",
                    "dialogs",
                    &ops,
                    &per_op(&|o| o.assigned as f64)
                )?,
                bar_chart(
                    "Mean dialogs held while online",
                    "dialogs",
                    &ops,
                    &per_op(&|o| o.occupancy)
                )?
            ),
        );
        Ok(())
    }
}

/// One figure of a run, as text.
type Figure = dyn Fn(&Named) -> String;

/// The day's main figures, one column per run.
fn key_figures(runs: &[Named], legend: &dyn Fn(usize) -> String, body: &mut String) {
    let mut table = String::from("<table><tr><th></th>");
    for i in 0..runs.len() {
        let _ = write!(table, "<th>{}</th>", escape(&legend(i)));
    }
    table.push_str("</tr>\n");
    let rows: [(&str, &Figure); 7] = [
        ("dialogs opened", &|r| r.summary.dialogs.to_string()),
        ("never assigned", &|r| r.summary.never_assigned.to_string()),
        ("wait p50", &|r| secs(r.summary.wait.p50)),
        ("wait p90", &|r| secs(r.summary.wait.p90)),
        ("wait mean", &|r| secs(r.summary.wait.mean)),
        ("first response p50", &|r| {
            secs(r.summary.first_response.p50)
        }),
        ("first response p90", &|r| {
            secs(r.summary.first_response.p90)
        }),
    ];
    for (label, value) in rows {
        let _ = write!(table, "<tr><th>{label}</th>");
        for r in runs {
            let _ = write!(table, "<td>{}</td>", value(r));
        }
        table.push_str("</tr>\n");
    }
    table.push_str("</table>");
    section(body, "Key figures", "Over all dialogs of the run.", &table);
}

fn staff_sections(plan: &StaffPlan, body: &mut String) -> Result<(), String> {
    let labels: Vec<String> = plan
        .hours
        .iter()
        .map(|h| h.hour.get(11..).unwrap_or(&h.hour).to_owned())
        .collect();
    let needed = plan
        .hours
        .iter()
        .map(|h| f64::from(h.operators.unwrap_or(0)))
        .collect();
    let erlang = plan
        .hours
        .iter()
        .map(|h| f64::from(h.erlang_c.unwrap_or(0)))
        .collect();
    section(
        body,
        "Operators needed per hour",
        &format!(
            "The fewest operators meeting {} in each hour, by simulation through the engine; beside it, Erlang C for the same load with independent chats.",
            plan.target
        ),
        &bar_chart(
            "Operators needed",
            "operators",
            &labels,
            &[
                ("simulated (engine)".to_owned(), COLOURS[0], needed),
                ("Erlang C".to_owned(), COLOURS[4], erlang),
            ],
        )?,
    );
    let busiest: Vec<&openlines_sim::staff::HourPlan> = {
        let mut hours: Vec<_> = plan.hours.iter().filter(|h| !h.curve.is_empty()).collect();
        hours.sort_by(|a, b| b.offered_load.total_cmp(&a.offered_load));
        hours.truncate(6);
        hours.sort_by_key(|h| h.start);
        hours
    };
    let limit = plan
        .hours
        .first()
        .map_or(0.0, |_| target_limit(&plan.target));
    let cap = limit * 4.0;
    let mut series: Vec<Series> = busiest
        .iter()
        .enumerate()
        .map(|(i, h)| Series {
            name: h.hour.clone(),
            colour: COLOURS[i % COLOURS.len()],
            width: 2,
            points: h
                .curve
                .iter()
                .map(|c| (f64::from(c.operators), c.value.min(cap)))
                .collect(),
        })
        .collect();
    let (lo, hi) = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(x), b.max(x)));
    if lo <= hi {
        series.push(Series {
            name: format!("target {}", plan.target),
            colour: BLACK,
            width: 1,
            points: vec![(lo, limit), (hi, limit)],
        });
    }
    section(
        body,
        "Staffing curve",
        &format!(
            "The target's figure (seconds; capped at 4 × the limit, never served = the cap) against operators online, for the {} busiest hours.",
            busiest.len()
        ),
        &line_chart("Operators -> waits", "seconds", &series, &|x| {
            trim_number(*x)
        })?,
    );
    let mut table = String::from(
        "<table><tr><th>hour</th><th>dialogs</th><th>load (Erlang)</th><th>operators</th><th>Erlang C</th><th>curve (operators: figure, + meets)</th></tr>\n",
    );
    for h in &plan.hours {
        let curve: Vec<String> = h
            .curve
            .iter()
            .map(|c| {
                format!(
                    "{}{}: {}",
                    c.operators,
                    if c.met { "+" } else { "" },
                    secs(Some(c.value))
                )
            })
            .collect();
        let _ = writeln!(
            table,
            "<tr><td>{}</td><td>{:.1}</td><td>{:.2}</td><td><b>{}</b></td><td>{}</td><td>{}</td></tr>",
            escape(&h.hour),
            h.dialogs,
            h.offered_load,
            h.operators
                .map_or_else(|| "more".to_owned(), |n| n.to_string()),
            h.erlang_c.map_or_else(|| "-".to_owned(), |n| n.to_string()),
            escape(&curve.join("   "))
        );
    }
    table.push_str("</table>");
    section(body, "Hourly staffing", "", &table);
    Ok(())
}

fn target_limit(target: &str) -> f64 {
    target
        .split("<=")
        .nth(1)
        .and_then(|v| v.trim_end_matches('s').parse().ok())
        .unwrap_or(60.0)
}

fn secs(v: Option<f64>) -> String {
    match v {
        Some(s) if s.is_finite() => crate::simulate::duration(s.round() as i64),
        Some(_) => "never".to_owned(),
        None => "-".to_owned(),
    }
}

fn section(body: &mut String, title: &str, text: &str, content: &str) {
    let _ = writeln!(
        body,
        "<section>\n<h2>{}</h2>\n<p>{}</p>\n<div class=\"figure\">{content}</div>\n</section>",
        escape(title),
        escape(text)
    );
}

const STYLE: &str = "body{font-family:sans-serif;margin:2em auto;max-width:960px;color:#222}\
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}h2.part{font-size:1.4em;border-top:2px solid #888;padding-top:1em}.note{color:#555;margin:.2em 0}\
table{border-collapse:collapse;font-size:.85em}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}\
.figure svg{display:block;margin:.5em 0;max-width:100%;height:auto}";

/// Write a report to a file.
pub fn write(path: &Path, report: &Report<'_>) -> Result<(), String> {
    let html = report.html()?;
    std::fs::write(path, html).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    eprintln!("openlines: wrote the report to {}", path.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_what_html_would_read_as_markup() {
        assert_eq!(escape(r#"a<b> & "c""#), "a&lt;b&gt; &amp; &quot;c&quot;");
        assert_eq!(escape("plain"), "plain");
    }
}
