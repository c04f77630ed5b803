//! `--report FILE.html`: one self-contained HTML page a support manager opens in a
//! browser — charts as inline SVG ([`crate::chart`]), tables as HTML, no scripts, no
//! external files.
//!
//! simulate: queue length and operators online over the day, waits and first response
//! by hour (p50 thin, p90 thick), per-operator load; with `--compare` both configs on
//! the same axes (one colour each). staff: operators needed per hour (search, plan
//! after the whole-day check, Erlang C, rota), the whole-day check by hour with its
//! spread across seeds and the target line, the curves the answers rest on, the hourly
//! staffing table (missed hours marked), the shift rota, then the simulate charts of
//! one day run with the plan as its roster (the target line on the wait chart).

use std::fmt::Write as _;
use std::path::Path;

use openlines_sim::summary::{HourRow, Spread};
use plotters::style::{BLACK, RGBColor};

use crate::chart::{COLOURS, Series, bar_chart, lighter, line_chart, trim_number};
use crate::history::Named;
use crate::plan::{DayCheck, Plan};
use crate::shifts::Rota;

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
    plan: Option<&'a Plan>,
    rota: Option<&'a (Rota, DayCheck)>,
    /// The target's limit (seconds) and name, drawn as a line on the wait charts.
    target: Option<(f64, String)>,
}

impl<'a> Report<'a> {
    /// The report of `openlines simulate` (one or two runs on the same traffic).
    pub fn simulate(title: String, notes: Vec<String>, runs: &'a [Named]) -> Self {
        Report {
            title,
            notes,
            runs,
            plan: None,
            rota: None,
            target: None,
        }
    }

    /// The report of `openlines staff`: the plan, then the day run with it (`day`).
    pub fn staff(
        title: String,
        notes: Vec<String>,
        plan: &'a Plan,
        rota: Option<&'a (Rota, DayCheck)>,
        day: &'a [Named],
    ) -> Self {
        let target = plan
            .target
            .parse::<openlines_sim::Target>()
            .ok()
            .filter(|t| t.measure == openlines_sim::target::Measure::Wait)
            .map(|t| (t.limit_secs, plan.target.clone()));
        Report {
            title,
            notes,
            runs: day,
            plan: Some(plan),
            rota,
            target,
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
            staff_sections(plan, self.rota, &mut body)?;
            if !self.runs.is_empty() {
                let _ = writeln!(
                    body,
                    "<h2 class=\"part\">One day staffed as planned</h2>\n<p>The whole traffic once more (the first seed of the check), \
                     each hour with the operators the {} gives it.</p>",
                    if self.rota.is_some() { "rota" } else { "plan" }
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
            if let (Some((limit, name)), true) = (&self.target, caption.starts_with("Wait")) {
                series.push(Series {
                    name: format!("target {name}"),
                    colour: BLACK,
                    width: 1,
                    points: vec![
                        (0.0, *limit),
                        (hours.len().saturating_sub(1) as f64, *limit),
                    ],
                });
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

fn staff_sections(
    plan: &Plan,
    rota: Option<&(Rota, DayCheck)>,
    body: &mut String,
) -> Result<(), String> {
    let target: Option<openlines_sim::Target> = plan.target.parse().ok();
    let labels: Vec<String> = plan
        .hours
        .iter()
        .map(|h| h.hour.get(11..).unwrap_or(&h.hour).to_owned())
        .collect();
    let searched = plan
        .hours
        .iter()
        .map(|h| f64::from(h.operators.unwrap_or(0)))
        .collect();
    let planned = plan.operators.iter().map(|&n| f64::from(n)).collect();
    let erlang = plan
        .hours
        .iter()
        .map(|h| f64::from(h.erlang_c.unwrap_or(0)))
        .collect();
    let mut bars = vec![
        ("steady-state search".to_owned(), COLOURS[0], searched),
        ("plan (whole-day check)".to_owned(), COLOURS[2], planned),
        ("Erlang C".to_owned(), COLOURS[4], erlang),
    ];
    if let Some((r, _)) = rota {
        bars.push((
            "rota on duty".to_owned(),
            COLOURS[3],
            r.coverage.iter().map(|&n| f64::from(n)).collect(),
        ));
    }
    section(
        body,
        "Operators needed per hour",
        &format!(
            "The fewest operators meeting {} in each hour as a steady state (simulation through the engine), the plan after the whole-day check added operators where the backlog carried between hours made an hour miss, and Erlang C for the rate asked with independent chats.",
            plan.target
        ),
        &bar_chart("Operators needed", "operators", &labels, &bars)?,
    );
    // The whole-day check: each hour's figure, its spread across seeds, the target.
    let limit = target.map_or(0.0, |t| t.limit_secs);
    let cap = (limit * 4.0).max(1.0);
    let mut checks: Vec<(&str, &DayCheck)> = vec![("plan", &plan.day)];
    if let Some((_, check)) = rota {
        checks.push(("rota", check));
    }
    let mut series = Vec::new();
    for (i, (name, check)) in checks.iter().enumerate() {
        let colour = COLOURS[(2 * i) % COLOURS.len()];
        let x = |k: usize| k as f64;
        series.push(Series {
            name: format!("{name}: all seeds pooled"),
            colour,
            width: 3,
            points: check
                .hours
                .iter()
                .enumerate()
                .map(|(k, h)| (x(k), h.estimate.value.min(cap)))
                .collect(),
        });
        for (q, label) in [(0, "10% of days"), (2, "90% of days")] {
            series.push(Series {
                name: format!("{name}: {label}"),
                colour: lighter(colour),
                width: 1,
                points: check
                    .hours
                    .iter()
                    .enumerate()
                    .map(|(k, h)| (x(k), h.spread[q].min(cap)))
                    .collect(),
            });
        }
    }
    series.push(Series {
        name: format!("target {}", plan.target),
        colour: BLACK,
        width: 1,
        points: vec![(0.0, limit), (labels.len().saturating_sub(1) as f64, limit)],
    });
    let hour_label = |x: &f64| {
        let i = x.round();
        if (x - i).abs() < 1e-9 {
            labels.get(i as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    let missed = plan.missed.join(", ");
    section(
        body,
        "The whole day with the plan",
        &format!(
            "The target's figure by hour over {} simulated days with the backlog carried between hours (seconds, capped at 4 × the limit): all days pooled (thick) and the range 8 of 10 single days fall in (thin). {}",
            plan.day.seeds,
            if missed.is_empty() {
                "Every hour meets the target.".to_owned()
            } else {
                format!("MISSED: {missed}.")
            }
        ),
        &line_chart("Whole-day check", "seconds", &series, &hour_label)?,
    );
    let busiest: Vec<&crate::plan::HourPlan> = {
        let mut hours: Vec<_> = plan.hours.iter().filter(|h| !h.curve.is_empty()).collect();
        hours.sort_by(|a, b| b.offered_load.total_cmp(&a.offered_load));
        hours.truncate(6);
        hours.sort_by_key(|h| h.start);
        hours
    };
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
                .map(|c| (f64::from(c.operators), c.estimate.value.min(cap)))
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
            "The target's figure (seconds; capped at 4 × the limit, never served = the cap) against operators online, steady state, for the {} busiest hours.",
            busiest.len()
        ),
        &line_chart("Operators -> waits", "seconds", &series, &|x| {
            trim_number(*x)
        })?,
    );
    let mut table = String::from(
        "<table><tr><th>hour</th><th>rate/h</th><th>load (Erlang)</th><th>search</th><th>Erlang C</th><th>plan</th><th>whole day</th><th>10%-90% of days</th><th>decision figure ± 99%</th><th>curve (operators: figure; + meets, - misses, ~ within tolerance)</th></tr>\n",
    );
    for (i, h) in plan.hours.iter().enumerate() {
        let d = &plan.day.hours[i];
        let curve: Vec<String> = h
            .curve
            .iter()
            .map(|c| {
                let m = match c.estimate.verdict {
                    crate::plan::Verdict::Meets => "+",
                    crate::plan::Verdict::Misses => "-",
                    crate::plan::Verdict::Close => "~",
                    crate::plan::Verdict::Open => "?",
                };
                format!("{}{m}: {}", c.operators, secs(Some(c.estimate.value)))
            })
            .collect();
        let _ = writeln!(
            table,
            "<tr{}><td>{}</td><td>{:.1}</td><td>{:.2}</td><td>{}{}</td><td>{}</td><td><b>{}</b>{}</td><td>{}{}</td><td>{} - {}</td><td>{}</td><td>{}</td></tr>",
            if d.missed {
                " style=\"background:#fdd\""
            } else {
                ""
            },
            escape(&h.hour),
            h.rate_per_hour,
            h.offered_load,
            h.operators
                .map_or_else(|| "more".to_owned(), |n| n.to_string()),
            if h.close_call { "~" } else { "" },
            h.erlang_c.map_or_else(|| "-".to_owned(), |n| n.to_string()),
            plan.operators[i],
            if plan.added[i] > 0 {
                format!(" (+{})", plan.added[i])
            } else {
                String::new()
            },
            secs(Some(d.estimate.value)),
            if d.missed { " MISSED" } else { "" },
            secs(Some(d.spread[0])),
            secs(Some(d.spread[2])),
            escape(&target.map_or_else(String::new, |t| crate::staff::interval(&d.estimate, &t))),
            escape(&curve.join("   "))
        );
    }
    table.push_str("</table>");
    section(
        body,
        "Hourly staffing",
        "search: the steady-state answer (~: it and one below are equal to the target within the tolerance); plan: after the whole-day check ((+N): added for the backlog); missed hours in red.",
        &table,
    );
    if let Some((r, check)) = rota {
        let mut table = String::from(
            "<table><tr><th>operators</th><th>shift</th><th>from</th><th>break</th></tr>\n",
        );
        for s in &r.shifts {
            let _ = writeln!(
                table,
                "<tr><td>{}</td><td>{} h</td><td>{:02}:00</td><td>{}</td></tr>",
                s.operators,
                s.kind.hours,
                s.local_hour,
                s.kind.break_at.map_or_else(
                    || "-".to_owned(),
                    |b| format!("{:02}:00", (s.local_hour + b) % 24)
                )
            );
        }
        table.push_str("</table>");
        let missed = check.missed();
        section(
            body,
            "Shift rota",
            &format!(
                "The fewest operator-hours ({}) whose shifts cover the plan in every hour (exact integer program); checked on {} simulated days: {}.",
                r.operator_hours,
                check.seeds,
                if missed.is_empty() {
                    "every hour meets the target".to_owned()
                } else {
                    format!("missed {}", missed.join(", "))
                }
            ),
            &table,
        );
    }
    Ok(())
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
