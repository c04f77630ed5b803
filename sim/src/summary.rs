//! Figures of a simulation for people and machines: waits and first response overall
//! and by local hour, queue length and operators online over time, per-operator load.
//! All durations are seconds.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Timelike, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::observe::{DialogRecord, Observed};

/// Nearest-rank percentile of a sorted list; `None` when empty.
pub fn percentile<T: Copy>(sorted: &[T], p: f64) -> Option<T> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

/// Count, mean and percentiles of durations (seconds).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Spread {
    /// How many values.
    pub count: usize,
    /// Their mean.
    pub mean: Option<f64>,
    /// Median (nearest rank).
    pub p50: Option<f64>,
    /// 90th percentile (nearest rank).
    pub p90: Option<f64>,
    /// The largest.
    pub max: Option<f64>,
}

impl Spread {
    /// The spread of some values (any order).
    pub fn of(mut values: Vec<f64>) -> Spread {
        values.sort_by(f64::total_cmp);
        Spread {
            count: values.len(),
            mean: (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64),
            p50: percentile(&values, 50.0),
            p90: percentile(&values, 90.0),
            max: values.last().copied(),
        }
    }
}

/// Waits (seconds) of assigned dialogs.
pub fn waits<'a>(records: impl IntoIterator<Item = &'a DialogRecord>) -> Vec<f64> {
    records
        .into_iter()
        .filter_map(|r| r.wait_ms)
        .map(|ms| ms as f64 / 1000.0)
        .collect()
}

/// First responses (seconds) of dialogs that got one.
pub fn first_responses<'a>(records: impl IntoIterator<Item = &'a DialogRecord>) -> Vec<f64> {
    records
        .into_iter()
        .filter_map(|r| r.first_response_secs)
        .map(|s| s as f64)
        .collect()
}

/// Figures of one local hour.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HourRow {
    /// The hour, local time: `YYYY-MM-DD HH:00`.
    pub hour: String,
    /// Dialogs opened in it.
    pub dialogs: usize,
    /// Waits of those assigned.
    pub wait: Spread,
    /// First responses of those that got one.
    pub first_response: Spread,
}

/// Dialogs waiting and operators online at one moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimePoint {
    /// The moment.
    pub at: DateTime<Utc>,
    /// Dialogs opened but not yet assigned.
    pub waiting: usize,
    /// Operators online.
    pub online: u32,
}

/// Load of one operator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OperatorRow {
    /// Operator id.
    pub id: String,
    /// Dialogs assigned.
    pub assigned: u64,
    /// Most held at once.
    pub peak: u32,
    /// Mean dialogs held while online.
    pub occupancy: f64,
}

/// Everything a report shows about one simulated run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Dialogs opened.
    pub dialogs: usize,
    /// Dialogs never assigned.
    pub never_assigned: usize,
    /// Dialogs that got the off-hours reply.
    pub off_hours: usize,
    /// Opening to first assignment.
    pub wait: Spread,
    /// The engine's first response (first client message to first operator reply).
    pub first_response: Spread,
    /// By local hour of opening.
    pub by_hour: Vec<HourRow>,
    /// Waiting dialogs and operators online, every `step`.
    pub timeline: Vec<TimePoint>,
    /// Per operator, by id.
    pub operators: Vec<OperatorRow>,
}

/// Summarise a run; hours in `tz`; the timeline from the first dialog's hour to the
/// last one's end, every `step`.
pub fn summarize(observed: &Observed, tz: Tz, step: Duration) -> Summary {
    let records = &observed.dialogs;
    let mut hours: BTreeMap<String, Vec<&DialogRecord>> = BTreeMap::new();
    for r in records {
        let local = r.opened.with_timezone(&tz);
        let key = format!("{} {:02}:00", local.format("%Y-%m-%d"), local.hour());
        hours.entry(key).or_default().push(r);
    }
    let by_hour = hours
        .into_iter()
        .map(|(hour, rs)| HourRow {
            hour,
            dialogs: rs.len(),
            wait: Spread::of(waits(rs.iter().copied())),
            first_response: Spread::of(first_responses(rs.iter().copied())),
        })
        .collect();
    let mut timeline = Vec::new();
    if let (Some(first), Some(last)) = (
        records.iter().map(|r| r.opened).min(),
        records.iter().map(|r| r.opened).max(),
    ) {
        let start = first - Duration::seconds(i64::from(first.with_timezone(&tz).minute()) * 60);
        let mut at = start;
        while at <= last + Duration::hours(1) {
            timeline.push(TimePoint {
                at,
                waiting: observed.waiting_at(at),
                online: observed.online_at(at),
            });
            at += step;
        }
    }
    Summary {
        dialogs: records.len(),
        never_assigned: records.iter().filter(|r| r.wait_ms.is_none()).count(),
        off_hours: records.iter().filter(|r| r.off_hours).count(),
        wait: Spread::of(waits(records)),
        first_response: Spread::of(first_responses(records)),
        by_hour,
        timeline,
        operators: observed
            .operators
            .iter()
            .map(|(id, l)| OperatorRow {
                id: id.clone(),
                assigned: l.assigned,
                peak: l.peak,
                occupancy: l.occupancy(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use openlines::{Action, AssignReason};

    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&v, 50.0), Some(5));
        assert_eq!(percentile(&v, 90.0), Some(9));
        assert_eq!(percentile(&v, 100.0), Some(10));
        assert_eq!(percentile(&v, 0.0), Some(1));
        assert_eq!(percentile::<i64>(&[], 50.0), None);
        let s = Spread::of(vec![3.0, 1.0, 2.0]);
        assert_eq!(
            (s.count, s.mean, s.p50, s.max),
            (3, Some(2.0), Some(2.0), Some(3.0))
        );
        assert_eq!(Spread::of(Vec::new()).p90, None);
    }

    #[test]
    fn hours_are_local_and_the_timeline_counts_waiting_dialogs() {
        let t = |h: u32, m: u32| Utc.with_ymd_and_hms(2026, 11, 23, h, m, 0).unwrap();
        let mut o = Observed::default();
        o.presence(t(8, 0), "ann", true);
        for (d, (h, m)) in [(8, 10), (8, 50), (9, 5)].into_iter().enumerate() {
            o.action(
                t(h, m),
                &Action::DialogOpened {
                    dialog: d as u64 + 1,
                    line: "l".into(),
                    client: format!("c{d}"),
                },
            );
        }
        o.action(
            t(8, 20),
            &Action::Assigned {
                dialog: 1,
                operator: "ann".into(),
                reason: AssignReason::Accepted,
            },
        );
        let s = summarize(&o, chrono_tz::Europe::Warsaw, Duration::minutes(15));
        let hours: Vec<(&str, usize)> = s
            .by_hour
            .iter()
            .map(|h| (h.hour.as_str(), h.dialogs))
            .collect();
        assert_eq!(hours, [("2026-11-23 09:00", 2), ("2026-11-23 10:00", 1)]);
        assert_eq!(s.by_hour[0].wait.p50, Some(600.0));
        assert_eq!((s.dialogs, s.never_assigned), (3, 2));
        // Timeline from 08:00 UTC (09:00 local) every 15 minutes.
        let points: Vec<(u32, usize, u32)> = s
            .timeline
            .iter()
            .take(5)
            .map(|p| (p.at.minute(), p.waiting, p.online))
            .collect();
        assert_eq!(
            points,
            [(0, 0, 1), (15, 1, 1), (30, 0, 1), (45, 0, 1), (0, 1, 1)]
        );
    }
}
