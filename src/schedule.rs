//! Working hours of a line ("schedule"), evaluated in the line's IANA time zone.
//!
//! A [`Schedule`] is compiled from the `schedule` part of a line's config: a time zone, a
//! weekly table of local `[start, end]` intervals and a list of holidays. All queries take
//! and return UTC instants; the schedule never reads a clock.
//!
//! Decided semantics (see docs/reference.md, "Schedule"):
//!
//! - An interval `["09:00", "18:00"]` is open at 09:00 and closed at 18:00 (half-open).
//!   `"24:00"` is valid only as an end and means 00:00 of the next day. An interval whose end
//!   is not after its start (`["22:00", "06:00"]`, also `["09:00", "09:00"]`) runs past
//!   midnight into the next day; an equal start and end means 24 hours.
//! - Overlapping or adjacent intervals merge: `09:00-13:00` plus `13:00-18:00` has no closing
//!   at 13:00, and an overnight interval that runs into the next day's first interval neither.
//! - A holiday closes its whole local day. An interval that starts on a holiday is skipped
//!   whole (the holiday's own overnight interval does not open the next morning either),
//!   and an overnight interval that starts the evening before a holiday closes at the
//!   holiday's local midnight. Holidays are local calendar dates: `"DD.MM"` every year
//!   (`"29.02"` only matters in leap years) or `"YYYY-MM-DD"` for one date.
//! - DST: a local time skipped by a DST gap counts from the first instant that exists after
//!   it (02:30 on the spring-forward day in Europe/Warsaw is 03:00 CEST = 01:00Z). A local
//!   time that occurs twice (fall back) means its first occurrence, for interval starts and
//!   ends alike: New York `00:00-01:00` on the fall-back night closes at 01:00 EDT, and
//!   does not stay open through the repeated hour (01:30 EDT is outside 00:00-01:00 on any
//!   reading). Intervals that meet at a repeated time stay continuous.
//!
//! Cost: [`Schedule::is_open`] looks at four local dates around the instant.
//! [`Schedule::next_opening`] and [`Schedule::next_closing`] scan forward day by day without
//! allocating and give up after [`SCAN_DAYS`] days without a change.
//! [`Schedule::open_secs_between`] is linear in the number of days of the range;
//! [`Schedule::after_open_secs`] walks at most [`WALK_DAYS`] days.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// How many days [`Schedule::next_opening`] and [`Schedule::next_closing`] look ahead before
/// answering `None` (and how long [`Schedule::after_open_secs`] tolerates a closed stretch).
///
/// Eight years and a few days: enough for a line that is open only on 29 February, even
/// across a century year that is not a leap year.
pub const SCAN_DAYS: i64 = 8 * 366 + 4;

/// How many days [`Schedule::after_open_secs`] walks at most before answering `None`
/// (400 years, one full Gregorian cycle).
pub const WALK_DAYS: i64 = 146_097;

/// Weekday keys of the `weekly` table, Monday first.
const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Minutes in a (local, nominal) day.
const DAY_MINUTES: u32 = 24 * 60;

/// A validation error for a schedule: `path` is relative to the schedule object,
/// e.g. `timezone`, `weekly.mon[0][1]`, `weekly.funday`, `holidays[2]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleError {
    /// Where the error is, relative to the schedule object (e.g. `weekly.mon[0][1]`).
    pub path: String,
    /// What is wrong and what is expected instead.
    pub message: String,
}

impl ScheduleError {
    fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for ScheduleError {}

/// One merged local interval of a weekday, in minutes after local midnight of the day it
/// starts on: `start < 1440` and `start < end <= start + 1440` (so `end` may reach into the
/// next day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LocalSpan {
    start: u32,
    end: u32,
}

/// Working hours compiled from config, evaluated in the line's IANA time zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    tz: Tz,
    /// Merged, sorted local intervals per weekday, Monday first.
    weekly: [Vec<LocalSpan>; 7],
    /// `(month, day)` holidays of every year.
    yearly_holidays: BTreeSet<(u32, u32)>,
    /// Holidays on one date only.
    dated_holidays: BTreeSet<NaiveDate>,
    /// No interval at all: never open.
    never_open: bool,
    /// Every local minute of every weekday is covered and there are no holidays.
    always_open: bool,
}

impl Schedule {
    /// Parse and validate. `weekly` keys are mon,tue,wed,thu,fri,sat,sun; each value a list of
    /// `[start, end]` `"HH:MM"` strings. `holidays` entries are "DD.MM" (every year; 29.02 allowed) or
    /// "YYYY-MM-DD" (one date). Returns every error found (not just the first).
    ///
    /// # Errors
    ///
    /// Every problem found, each with its path relative to the schedule object: an unknown
    /// time zone, an unknown weekday key, a malformed time, a malformed or impossible holiday.
    pub fn parse(
        timezone: &str,
        weekly: &BTreeMap<String, Vec<[String; 2]>>,
        holidays: &[String],
    ) -> Result<Schedule, Vec<ScheduleError>> {
        let mut errors = Vec::new();

        let tz = match timezone.parse::<Tz>() {
            Ok(tz) => Some(tz),
            Err(_) => {
                errors.push(ScheduleError::new(
                    "timezone",
                    format!(
                        "unknown time zone {timezone:?} (expected an IANA time zone name such as \"Europe/Warsaw\")"
                    ),
                ));
                None
            }
        };

        let mut days: [Vec<LocalSpan>; 7] = Default::default();
        for (key, intervals) in weekly {
            let day = WEEKDAYS.iter().position(|d| d == key);
            if day.is_none() {
                errors.push(ScheduleError::new(
                    format!("weekly.{key}"),
                    format!(
                        "unknown weekday {key:?} (expected one of mon, tue, wed, thu, fri, sat, sun)"
                    ),
                ));
            }
            for (i, [start, end]) in intervals.iter().enumerate() {
                let start = parse_time(start, false).map_err(|message| {
                    errors.push(ScheduleError::new(format!("weekly.{key}[{i}][0]"), message));
                });
                let end = parse_time(end, true).map_err(|message| {
                    errors.push(ScheduleError::new(format!("weekly.{key}[{i}][1]"), message));
                });
                if let (Ok(start), Ok(end), Some(list)) =
                    (start, end, day.and_then(|d| days.get_mut(d)))
                {
                    let end = if end > start { end } else { end + DAY_MINUTES };
                    list.push(LocalSpan { start, end });
                }
            }
        }

        let mut yearly_holidays = BTreeSet::new();
        let mut dated_holidays = BTreeSet::new();
        for (i, text) in holidays.iter().enumerate() {
            match parse_holiday(text) {
                Ok(Holiday::Yearly(month, day)) => {
                    yearly_holidays.insert((month, day));
                }
                Ok(Holiday::Dated(date)) => {
                    dated_holidays.insert(date);
                }
                Err(message) => errors.push(ScheduleError::new(format!("holidays[{i}]"), message)),
            }
        }

        match tz {
            Some(tz) if errors.is_empty() => {
                for list in &mut days {
                    merge_local(list);
                }
                let never_open = days.iter().all(Vec::is_empty);
                let always_open = yearly_holidays.is_empty()
                    && dated_holidays.is_empty()
                    && covers_every_minute(&days);
                Ok(Schedule {
                    tz,
                    weekly: days,
                    yearly_holidays,
                    dated_holidays,
                    never_open,
                    always_open,
                })
            }
            _ => Err(errors),
        }
    }

    /// The IANA time zone name.
    #[must_use]
    pub fn timezone(&self) -> chrono_tz::Tz {
        self.tz
    }

    /// Whether the line is open at this instant.
    #[must_use]
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        if self.always_open {
            return true;
        }
        if self.never_open {
            return false;
        }
        // A span of local date D lies within [earliest(D 00:00), D+2 00:00] (first occurrences), so only
        // the dates around the instant's own local date can hold it (a fall back across
        // midnight can make the local date run one day behind or ahead of the spans).
        // Starts never decrease from one span to the next, so the walk stops at the first
        // span that starts after `at`.
        let mut date = self.first_scan_date(at);
        for _ in 0..4 {
            for span in self.spans_on(date) {
                let Some(start) = self.local_instant(date, span.start) else {
                    continue;
                };
                if start > at {
                    return false;
                }
                if self
                    .local_instant(date, self.end_minutes(date, *span))
                    .is_some_and(|end| at < end)
                {
                    return true;
                }
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
        false
    }

    /// The earliest instant t > at where the line goes from closed to open (if closed at `at`, that is when it next opens). None if the schedule never opens (e.g. no intervals at all).
    ///
    /// Gives up (returns `None`) after [`SCAN_DAYS`] days without an opening.
    #[must_use]
    pub fn next_opening(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.never_open || self.always_open {
            return None;
        }
        self.merged_from(at, SCAN_DAYS + 4, i64::MAX)
            .find(|span| span.start > at)
            .map(|span| span.start)
    }

    /// The earliest instant t > at where the line goes from open to closed. None if it never closes (e.g. open 00:00-24:00 every day with no holidays).
    ///
    /// Gives up (returns `None`) when no closing is found within [`SCAN_DAYS`] days.
    #[must_use]
    pub fn next_closing(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.never_open || self.always_open {
            return None;
        }
        self.merged_from(at, SCAN_DAYS + 4, i64::MAX)
            .find(|span| span.end > at)
            .and_then(|span| span.complete.then_some(span.end))
    }

    /// Seconds of open time in `[from, to)` (0 if to <= from). Exact to the second (use whole seconds; instants may carry sub-second parts, count open duration exactly and floor to seconds).
    ///
    /// Linear in the number of days between `from` and `to`.
    #[must_use]
    pub fn open_secs_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to <= from || self.never_open {
            return 0;
        }
        if self.always_open {
            return to.signed_duration_since(from).num_seconds();
        }
        let start = self.first_scan_date(from);
        // Spans of dates after local(to) + 1 start after `to`.
        let days = self.local_date(to).signed_duration_since(start).num_days() + 3;
        let mut total = TimeDelta::zero();
        for span in Merged::new(RawSpans::new(self, start, days, i64::MAX)) {
            if span.start >= to {
                break;
            }
            let open_from = span.start.max(from);
            let open_to = span.end.min(to);
            if open_to > open_from {
                total = total
                    .checked_add(&open_to.signed_duration_since(open_from))
                    .unwrap_or(total);
            }
        }
        total.num_seconds()
    }

    /// The instant at which `secs` seconds of open time will have passed counting from `from` (secs=0 -> the first open instant >= from). None if the schedule never opens.
    ///
    /// A negative `secs` counts as 0. Also `None` when the answer is not representable, lies
    /// more than [`WALK_DAYS`] days ahead, or the line stays closed for [`SCAN_DAYS`] days.
    #[must_use]
    pub fn after_open_secs(&self, from: DateTime<Utc>, secs: i64) -> Option<DateTime<Utc>> {
        if self.never_open {
            return None;
        }
        let need = TimeDelta::try_seconds(secs.max(0))?;
        // The answer is never earlier than `from + secs`.
        let earliest = from.checked_add_signed(need)?;
        if self.always_open {
            return Some(earliest);
        }
        let mut remaining = need;
        for span in self.merged_from(from, WALK_DAYS, SCAN_DAYS) {
            if span.end <= from {
                continue;
            }
            let open_from = span.start.max(from);
            let available = span.end.signed_duration_since(open_from);
            if available >= remaining {
                return open_from.checked_add_signed(remaining);
            }
            remaining = remaining.checked_sub(&available)?;
        }
        None
    }

    /// Merged spans starting two local days before `at`'s local date.
    fn merged_from(&self, at: DateTime<Utc>, days: i64, max_idle_days: i64) -> Merged<'_> {
        Merged::new(RawSpans::new(
            self,
            self.first_scan_date(at),
            days,
            max_idle_days,
        ))
    }

    /// The first local date whose spans can contain or follow `at`.
    fn first_scan_date(&self, at: DateTime<Utc>) -> NaiveDate {
        let date = self.local_date(at);
        date.checked_sub_days(chrono::Days::new(2)).unwrap_or(date)
    }

    /// The local calendar date of an instant.
    fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        let utc = at.naive_utc();
        let offset = self.tz.offset_from_utc_datetime(&utc).fix();
        utc.checked_add_offset(offset).unwrap_or(utc).date()
    }

    /// Whether a local date is a holiday.
    fn is_holiday(&self, date: NaiveDate) -> bool {
        self.dated_holidays.contains(&date)
            || self.yearly_holidays.contains(&(date.month(), date.day()))
    }

    /// The local intervals that start on this date (none on a holiday).
    fn spans_on(&self, date: NaiveDate) -> &[LocalSpan] {
        if self.is_holiday(date) {
            return &[];
        }
        let day = date.weekday().num_days_from_monday() as usize;
        self.weekly.get(day).map_or(&[], Vec::as_slice)
    }

    /// The end of a local interval that starts on `date`, in minutes after that date's
    /// local midnight: an overnight interval stops at midnight when the next day is a
    /// holiday (a holiday closes its whole local day).
    fn end_minutes(&self, date: NaiveDate, span: LocalSpan) -> u32 {
        let next_is_holiday = || date.succ_opt().is_some_and(|next| self.is_holiday(next));
        if span.end > DAY_MINUTES && next_is_holiday() {
            DAY_MINUTES
        } else {
            span.end
        }
    }

    /// The UTC instants of a local interval that starts on `date`.
    fn instants(&self, date: NaiveDate, span: LocalSpan) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        Some((
            self.local_instant(date, span.start)?,
            self.local_instant(date, self.end_minutes(date, span))?,
        ))
    }

    /// The instant of the local time `minutes` after local midnight starting `date`.
    fn local_instant(&self, date: NaiveDate, minutes: u32) -> Option<DateTime<Utc>> {
        let local = date
            .and_time(chrono::NaiveTime::MIN)
            .checked_add_signed(TimeDelta::try_minutes(i64::from(minutes))?)?;
        local_to_utc(self.tz, local)
    }
}

/// Maps a local time to an instant: a repeated local time to its first occurrence (the
/// earliest instant), a skipped one to the first instant that exists after it.
fn local_to_utc(tz: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    let to_utc = |offset: chrono_tz::TzOffset| {
        local
            .checked_sub_offset(offset.fix())
            .map(|utc| utc.and_utc())
    };
    match tz.offset_from_local_datetime(&local) {
        chrono::MappedLocalTime::Single(offset) => to_utc(offset),
        chrono::MappedLocalTime::Ambiguous(a, b) => {
            let (a, b) = (to_utc(a)?, to_utc(b)?);
            Some(a.min(b))
        }
        chrono::MappedLocalTime::None => gap_end(tz, local),
    }
}

/// The first instant that exists after a local time skipped by a DST gap: the instant of
/// the change itself.
fn gap_end(tz: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    const WINDOW: i64 = 18 * 3600;
    let x = local.and_utc().timestamp();
    let offset_at = |u: i64| -> Option<i64> {
        let at = DateTime::from_timestamp(u, 0)?;
        Some(i64::from(
            tz.offset_from_utc_datetime(&at.naive_utc())
                .fix()
                .local_minus_utc(),
        ))
    };
    // Local time of instant u is u + offset(u). Before the change (offset o1) it is below x,
    // from the change on (offset o2 > o1) above x, so the change lies in (x - o2, x - o1].
    let before = offset_at(x.checked_sub(WINDOW)?)?;
    let after = offset_at(x.checked_add(WINDOW)?)?;
    let shows_later = |u: i64| -> Option<bool> { Some(u.checked_add(offset_at(u)?)? > x) };
    let mut lo = x.checked_sub(after)?;
    let mut hi = x.checked_sub(before)?;
    if lo >= hi || shows_later(lo)? || !shows_later(hi)? {
        // Not a simple gap (several changes within a day): fall back to the old offset.
        return DateTime::from_timestamp(lo.max(hi), 0);
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if shows_later(mid)? {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    DateTime::from_timestamp(hi, 0)
}

/// Parses "HH:MM" (00:00..23:59, plus "24:00" when `end`) into minutes after midnight.
fn parse_time(text: &str, end: bool) -> Result<u32, String> {
    let not_a_time = || {
        format!(
            "{text:?} is not a time of day (expected HH:MM, 00:00 to 23:59, or 24:00 as an end)"
        )
    };
    let [h1, h2, b':', m1, m2] = *text.as_bytes() else {
        return Err(not_a_time());
    };
    let hours = two_digits(h1, h2).ok_or_else(not_a_time)?;
    let minutes = two_digits(m1, m2).ok_or_else(not_a_time)?;
    match (hours, minutes) {
        (24, 0) if end => Ok(DAY_MINUTES),
        (24, 0) => Err(format!(
            "{text:?} is valid only as an end; an interval cannot start at 24:00 (use \"00:00\")"
        )),
        (0..=23, 0..=59) => Ok(hours * 60 + minutes),
        _ => Err(not_a_time()),
    }
}

/// Two ASCII digits as a number.
fn two_digits(a: u8, b: u8) -> Option<u32> {
    (a.is_ascii_digit() && b.is_ascii_digit())
        .then(|| u32::from(a - b'0') * 10 + u32::from(b - b'0'))
}

/// A parsed holiday entry.
enum Holiday {
    Yearly(u32, u32),
    Dated(NaiveDate),
}

/// Parses "DD.MM" (every year) or "YYYY-MM-DD" (one date).
fn parse_holiday(text: &str) -> Result<Holiday, String> {
    let no_such_date = |what: String| format!("{text:?} is not a calendar date ({what})");
    match *text.as_bytes() {
        [d1, d2, b'.', m1, m2] => {
            if let (Some(day), Some(month)) = (two_digits(d1, d2), two_digits(m1, m2)) {
                if !(1..=12).contains(&month) {
                    return Err(no_such_date(format!("there is no month {month:02}")));
                }
                // 2000 is a leap year, so "29.02" is accepted.
                return match NaiveDate::from_ymd_opt(2000, month, day) {
                    Some(_) => Ok(Holiday::Yearly(month, day)),
                    None => Err(no_such_date(format!(
                        "month {month:02} has no day {day:02}"
                    ))),
                };
            }
        }
        [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] => {
            if let (Some(hi), Some(lo), Some(month), Some(day)) = (
                two_digits(y1, y2),
                two_digits(y3, y4),
                two_digits(m1, m2),
                two_digits(d1, d2),
            ) {
                let year = hi * 100 + lo;
                if !(1..=12).contains(&month) {
                    return Err(no_such_date(format!("there is no month {month:02}")));
                }
                let year_i32 = i32::try_from(year).unwrap_or(0);
                return match NaiveDate::from_ymd_opt(year_i32, month, day) {
                    Some(date) => Ok(Holiday::Dated(date)),
                    None => Err(no_such_date(format!(
                        "{year:04}-{month:02} has no day {day:02}"
                    ))),
                };
            }
        }
        _ => {}
    }
    Err(format!(
        "{text:?} is not a holiday (expected \"DD.MM\" for every year, e.g. \"01.01\", or \"YYYY-MM-DD\" for one date, e.g. \"2026-05-03\")"
    ))
}

/// Sorts and merges overlapping or adjacent intervals of one weekday.
fn merge_local(list: &mut Vec<LocalSpan>) {
    list.sort_by_key(|span| (span.start, span.end));
    let mut merged: Vec<LocalSpan> = Vec::with_capacity(list.len());
    for span in list.iter().copied() {
        match merged.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => merged.push(span),
        }
    }
    *list = merged;
}

/// Whether every local minute of every weekday is covered by that day's intervals or the
/// previous day's overnight ones.
fn covers_every_minute(days: &[Vec<LocalSpan>; 7]) -> bool {
    (0..7).all(|day| {
        let previous = (day + 6) % 7;
        let mut pieces: Vec<(u32, u32)> = Vec::new();
        if let Some(list) = days.get(day) {
            pieces.extend(list.iter().map(|s| (s.start, s.end)));
        }
        if let Some(list) = days.get(previous) {
            pieces.extend(
                list.iter()
                    .filter(|s| s.end > DAY_MINUTES)
                    .map(|s| (0, s.end - DAY_MINUTES)),
            );
        }
        pieces.sort_unstable();
        let mut covered = 0;
        for (start, end) in pieces {
            if start > covered {
                return false;
            }
            covered = covered.max(end);
        }
        covered >= DAY_MINUTES
    })
}

/// Spans (as UTC instants, non-empty) of consecutive local dates, in order of their start.
///
/// Starts never decrease: a local time maps to an instant monotonically (a skipped time maps
/// to the change, a repeated start to its earliest instant).
struct RawSpans<'a> {
    schedule: &'a Schedule,
    /// The date being read; after the end, the first date not read.
    date: NaiveDate,
    /// Index into the date's spans.
    index: usize,
    /// Dates left to read, the current one included.
    days_left: i64,
    /// Dates read in a row without a span.
    idle_days: i64,
    /// Stop after this many dates in a row without a span.
    max_idle_days: i64,
    /// Stopped at the end of the calendar: no boundary after the last span.
    out_of_range: bool,
}

impl<'a> RawSpans<'a> {
    fn new(schedule: &'a Schedule, date: NaiveDate, days: i64, max_idle_days: i64) -> Self {
        Self {
            schedule,
            date,
            index: 0,
            days_left: days,
            idle_days: 0,
            max_idle_days,
            out_of_range: false,
        }
    }

    /// After the end: an instant no unread span starts before, if known.
    fn boundary(&self) -> Option<DateTime<Utc>> {
        if self.out_of_range {
            return None;
        }
        local_to_utc(self.schedule.tz, self.date.and_time(chrono::NaiveTime::MIN))
    }
}

impl Iterator for RawSpans<'_> {
    type Item = (DateTime<Utc>, DateTime<Utc>);

    fn next(&mut self) -> Option<Self::Item> {
        while self.days_left > 0 && self.idle_days <= self.max_idle_days {
            if let Some(span) = self.schedule.spans_on(self.date).get(self.index) {
                self.index += 1;
                if let Some((start, end)) = self.schedule.instants(self.date, *span)
                    && start < end
                {
                    self.idle_days = 0;
                    return Some((start, end));
                }
                continue;
            }
            self.index = 0;
            self.days_left -= 1;
            self.idle_days += 1;
            match self.date.succ_opt() {
                Some(next) => self.date = next,
                None => {
                    self.out_of_range = true;
                    self.days_left = 0;
                }
            }
        }
        None
    }
}

/// A maximal open stretch.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    /// False when the scan ended before it was known whether the stretch goes on.
    complete: bool,
}

/// Merges overlapping or adjacent raw spans into maximal open stretches.
struct Merged<'a> {
    raw: RawSpans<'a>,
    pending: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

impl<'a> Merged<'a> {
    fn new(raw: RawSpans<'a>) -> Self {
        Self { raw, pending: None }
    }
}

impl Iterator for Merged<'_> {
    type Item = Span;

    fn next(&mut self) -> Option<Span> {
        let (mut start, mut end) = match self.pending.take() {
            Some(span) => span,
            None => self.raw.next()?,
        };
        loop {
            match self.raw.next() {
                Some((next_start, next_end)) if next_start <= end => {
                    start = start.min(next_start);
                    end = end.max(next_end);
                }
                Some(next) => {
                    self.pending = Some(next);
                    return Some(Span {
                        start,
                        end,
                        complete: true,
                    });
                }
                None => {
                    let complete = self.raw.boundary().is_some_and(|b| end < b);
                    return Some(Span {
                        start,
                        end,
                        complete,
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Week<'a> = &'a [(&'a str, &'a [(&'a str, &'a str)])];

    fn weekly(entries: Week<'_>) -> BTreeMap<String, Vec<[String; 2]>> {
        entries
            .iter()
            .map(|(day, intervals)| {
                (
                    (*day).to_string(),
                    intervals
                        .iter()
                        .map(|(s, e)| [(*s).to_string(), (*e).to_string()])
                        .collect(),
                )
            })
            .collect()
    }

    fn sched(tz: &str, entries: Week<'_>, holidays: &[&str]) -> Schedule {
        let holidays: Vec<String> = holidays.iter().map(|h| (*h).to_string()).collect();
        Schedule::parse(tz, &weekly(entries), &holidays).expect("valid schedule")
    }

    const NINE_SIX: &[(&str, &str)] = &[("09:00", "18:00")];
    const ALL_DAY: &[(&str, &str)] = &[("00:00", "24:00")];

    fn workdays(tz: &str, holidays: &[&str]) -> Schedule {
        sched(
            tz,
            &[
                ("mon", NINE_SIX),
                ("tue", NINE_SIX),
                ("wed", NINE_SIX),
                ("thu", NINE_SIX),
                ("fri", NINE_SIX),
            ],
            holidays,
        )
    }

    fn every_day<'a>(
        intervals: &'a [(&'a str, &'a str)],
    ) -> [(&'a str, &'a [(&'a str, &'a str)]); 7] {
        [
            ("mon", intervals),
            ("tue", intervals),
            ("wed", intervals),
            ("thu", intervals),
            ("fri", intervals),
            ("sat", intervals),
            ("sun", intervals),
        ]
    }

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("RFC 3339")
            .with_timezone(&Utc)
    }

    /// A local wall-clock time that exists exactly once in the schedule's zone.
    fn local(s: &Schedule, text: &str) -> DateTime<Utc> {
        let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").expect("local time");
        s.timezone()
            .from_local_datetime(&naive)
            .single()
            .expect("unambiguous local time")
            .with_timezone(&Utc)
    }

    fn offset_secs(tz: Tz, at: &str) -> i32 {
        tz.offset_from_utc_datetime(&utc(at).naive_utc())
            .fix()
            .local_minus_utc()
    }

    // ---- parsing and validation ----

    #[test]
    fn parses_valid_schedule() {
        let s = sched(
            "Europe/Warsaw",
            &[
                ("mon", &[("09:00", "13:00"), ("14:00", "24:00")]),
                ("sun", &[("00:00", "00:00")]),
                ("sat", &[]),
            ],
            &["01.01", "29.02", "2026-05-03", "0001-01-01"],
        );
        assert_eq!(s.timezone(), chrono_tz::Europe::Warsaw);
        assert_eq!(s.timezone().name(), "Europe/Warsaw");
    }

    #[test]
    fn reports_every_validation_error_with_its_path() {
        let week = weekly(&[
            (
                "mon",
                &[
                    ("9:00", "18:00"),
                    ("09:00", "25:00"),
                    ("24:00", "10:00"),
                    ("10:00", "24:00"),
                    ("09:60", "10:00"),
                    ("", "ab:cd"),
                ],
            ),
            ("funday", &[("09:00", "10:00")]),
            ("Tue", &[]),
        ]);
        let holidays: Vec<String> = [
            "01.01",
            "31.02",
            "2026-13-01",
            "2026-02-29",
            "1.1",
            "2026/05/03",
            "29.02",
            "2028-02-29",
            "00.01",
            " 01.01",
            "15.13",
        ]
        .iter()
        .map(|h| (*h).to_string())
        .collect();
        let errors = Schedule::parse("Europe/Warsw", &week, &holidays).expect_err("invalid");
        let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "timezone",
                "weekly.Tue",
                "weekly.funday",
                "weekly.mon[0][0]",
                "weekly.mon[1][1]",
                "weekly.mon[2][0]",
                "weekly.mon[4][0]",
                "weekly.mon[5][0]",
                "weekly.mon[5][1]",
                "holidays[1]",
                "holidays[2]",
                "holidays[3]",
                "holidays[4]",
                "holidays[5]",
                "holidays[8]",
                "holidays[9]",
                "holidays[10]",
            ]
        );
        let message = |path: &str| {
            errors
                .iter()
                .find(|e| e.path == path)
                .map(|e| e.message.clone())
                .expect("error present")
        };
        assert_eq!(
            message("timezone"),
            "unknown time zone \"Europe/Warsw\" (expected an IANA time zone name such as \"Europe/Warsaw\")"
        );
        assert_eq!(
            message("weekly.funday"),
            "unknown weekday \"funday\" (expected one of mon, tue, wed, thu, fri, sat, sun)"
        );
        assert_eq!(
            message("weekly.mon[1][1]"),
            "\"25:00\" is not a time of day (expected HH:MM, 00:00 to 23:59, or 24:00 as an end)"
        );
        assert_eq!(
            message("weekly.mon[0][0]"),
            "\"9:00\" is not a time of day (expected HH:MM, 00:00 to 23:59, or 24:00 as an end)"
        );
        assert_eq!(
            message("weekly.mon[2][0]"),
            "\"24:00\" is valid only as an end; an interval cannot start at 24:00 (use \"00:00\")"
        );
        assert_eq!(
            message("holidays[1]"),
            "\"31.02\" is not a calendar date (month 02 has no day 31)"
        );
        assert_eq!(
            message("holidays[2]"),
            "\"2026-13-01\" is not a calendar date (there is no month 13)"
        );
        assert_eq!(
            message("holidays[3]"),
            "\"2026-02-29\" is not a calendar date (2026-02 has no day 29)"
        );
        assert_eq!(
            message("holidays[4]"),
            "\"1.1\" is not a holiday (expected \"DD.MM\" for every year, e.g. \"01.01\", or \"YYYY-MM-DD\" for one date, e.g. \"2026-05-03\")"
        );
        assert_eq!(
            message("holidays[8]"),
            "\"00.01\" is not a calendar date (month 01 has no day 00)"
        );
        assert_eq!(
            message("holidays[10]"),
            "\"15.13\" is not a calendar date (there is no month 13)"
        );
    }

    #[test]
    fn each_kind_of_error_alone() {
        let none: &[&str] = &[];
        let err = |tz: &str, week: Week<'_>, holidays: &[&str]| {
            let holidays: Vec<String> = holidays.iter().map(|h| (*h).to_string()).collect();
            Schedule::parse(tz, &weekly(week), &holidays).expect_err("invalid")
        };
        let e = err("", &[], none);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].path, "timezone");
        assert!(e[0].message.contains("unknown time zone \"\""));
        let e = err("UTC", &[("wed", &[("08:00", "24:01")])], none);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].path, "weekly.wed[0][1]");
        let e = err("UTC", &[("sun", &[("23:59", "12:5")])], none);
        assert_eq!(e[0].path, "weekly.sun[0][1]");
        let e = err("UTC", &[], &["2026-05-3"]);
        assert_eq!(e[0].path, "holidays[0]");
        let e = err("UTC", &[], &["2026-04-31"]);
        assert_eq!(
            e[0].message,
            "\"2026-04-31\" is not a calendar date (2026-04 has no day 31)"
        );
        let e = err("UTC", &[("mon", &[("１２:00", "13:00")])], none);
        assert_eq!(e[0].path, "weekly.mon[0][0]");
        let shown = e[0].to_string();
        assert!(shown.starts_with("weekly.mon[0][0]: "), "{shown}");
    }

    // ---- basic intervals ----

    #[test]
    fn interval_boundaries_are_half_open() {
        let s = workdays("Europe/Warsaw", &[]);
        // Monday 2026-01-05, CET (+01:00).
        assert!(!s.is_open(local(&s, "2026-01-05 08:59:59")));
        assert!(s.is_open(local(&s, "2026-01-05 09:00:00")));
        assert!(s.is_open(local(&s, "2026-01-05 17:59:59")));
        assert!(!s.is_open(local(&s, "2026-01-05 18:00:00")));
        assert!(s.is_open(utc("2026-01-05T16:59:59.999Z")));
        assert!(!s.is_open(utc("2026-01-05T07:59:59.999Z")));
        assert_eq!(
            s.next_opening(utc("2026-01-05T07:59:59Z")),
            Some(utc("2026-01-05T08:00:00Z"))
        );
        assert_eq!(
            s.next_opening(utc("2026-01-05T08:00:00Z")),
            Some(utc("2026-01-06T08:00:00Z"))
        );
        assert_eq!(
            s.next_closing(utc("2026-01-05T08:00:00Z")),
            Some(utc("2026-01-05T17:00:00Z"))
        );
        assert_eq!(
            s.next_closing(utc("2026-01-05T16:59:59.5Z")),
            Some(utc("2026-01-05T17:00:00Z"))
        );
        assert_eq!(
            s.next_closing(utc("2026-01-05T17:00:00Z")),
            Some(utc("2026-01-06T17:00:00Z"))
        );
        assert_eq!(
            s.next_opening(utc("2026-01-05T17:00:00Z")),
            Some(utc("2026-01-06T08:00:00Z"))
        );
    }

    #[test]
    fn several_intervals_a_day() {
        let s = sched(
            "Europe/Warsaw",
            &[("tue", &[("14:00", "18:00"), ("09:00", "13:00")])],
            &[],
        );
        // Tuesday 2026-01-06.
        assert!(s.is_open(local(&s, "2026-01-06 12:59:59")));
        assert!(!s.is_open(local(&s, "2026-01-06 13:00:00")));
        assert!(!s.is_open(local(&s, "2026-01-06 13:30:00")));
        assert!(s.is_open(local(&s, "2026-01-06 14:00:00")));
        assert_eq!(
            s.next_opening(local(&s, "2026-01-06 13:30:00")),
            Some(local(&s, "2026-01-06 14:00:00"))
        );
        assert_eq!(
            s.next_closing(local(&s, "2026-01-06 10:00:00")),
            Some(local(&s, "2026-01-06 13:00:00"))
        );
        assert_eq!(
            s.next_closing(local(&s, "2026-01-06 13:30:00")),
            Some(local(&s, "2026-01-06 18:00:00"))
        );
        assert_eq!(
            s.next_opening(local(&s, "2026-01-06 14:00:00")),
            Some(local(&s, "2026-01-13 09:00:00"))
        );
        assert_eq!(
            s.open_secs_between(
                local(&s, "2026-01-05 00:00:00"),
                local(&s, "2026-01-12 00:00:00")
            ),
            8 * 3600
        );
    }

    #[test]
    fn adjacent_and_overlapping_intervals_merge() {
        for intervals in [
            &[("09:00", "13:00"), ("13:00", "18:00")][..],
            &[("12:00", "18:00"), ("09:00", "14:00")][..],
            &[("09:00", "18:00"), ("10:00", "11:00")][..],
        ] {
            let s = sched("Europe/Warsaw", &[("mon", intervals)], &[]);
            assert!(s.is_open(local(&s, "2026-01-05 13:00:00")));
            assert_eq!(
                s.next_closing(local(&s, "2026-01-05 10:00:00")),
                Some(local(&s, "2026-01-05 18:00:00"))
            );
            assert_eq!(
                s.next_opening(local(&s, "2026-01-05 10:00:00")),
                Some(local(&s, "2026-01-12 09:00:00"))
            );
            assert_eq!(
                s.open_secs_between(
                    local(&s, "2026-01-05 00:00:00"),
                    local(&s, "2026-01-06 00:00:00")
                ),
                9 * 3600
            );
        }
    }

    #[test]
    fn overnight_interval_wraps_sunday_into_monday() {
        let s = sched("Europe/Warsaw", &[("sun", &[("22:00", "06:00")])], &[]);
        // Sunday 2026-01-11 -> Monday 2026-01-12.
        assert!(!s.is_open(local(&s, "2026-01-11 21:59:59")));
        assert!(s.is_open(local(&s, "2026-01-11 22:00:00")));
        assert!(s.is_open(local(&s, "2026-01-12 00:00:00")));
        assert!(s.is_open(local(&s, "2026-01-12 05:59:59")));
        assert!(!s.is_open(local(&s, "2026-01-12 06:00:00")));
        assert!(!s.is_open(local(&s, "2026-01-12 22:00:00")));
        assert_eq!(
            s.next_closing(local(&s, "2026-01-11 23:00:00")),
            Some(local(&s, "2026-01-12 06:00:00"))
        );
        assert_eq!(
            s.next_opening(local(&s, "2026-01-12 06:00:00")),
            Some(local(&s, "2026-01-18 22:00:00"))
        );
        assert_eq!(
            s.next_opening(local(&s, "2026-01-12 03:00:00")),
            Some(local(&s, "2026-01-18 22:00:00"))
        );
        assert_eq!(
            s.open_secs_between(
                local(&s, "2026-01-12 00:00:00"),
                local(&s, "2026-01-19 00:00:00")
            ),
            8 * 3600
        );
    }

    #[test]
    fn overnight_every_night() {
        let week = every_day(&[("22:00", "06:00")]);
        let s = sched("Europe/Warsaw", &week, &[]);
        assert!(s.is_open(local(&s, "2026-01-07 03:00:00")));
        assert!(!s.is_open(local(&s, "2026-01-07 12:00:00")));
        assert_eq!(
            s.next_closing(local(&s, "2026-01-07 03:00:00")),
            Some(local(&s, "2026-01-07 06:00:00"))
        );
        assert_eq!(
            s.next_opening(local(&s, "2026-01-07 03:00:00")),
            Some(local(&s, "2026-01-07 22:00:00"))
        );
    }

    #[test]
    fn overnight_interval_merges_with_next_morning() {
        let s = sched(
            "Europe/Warsaw",
            &[
                ("mon", &[("22:00", "06:00")]),
                ("tue", &[("06:00", "10:00")]),
            ],
            &[],
        );
        assert_eq!(
            s.next_closing(local(&s, "2026-01-05 23:00:00")),
            Some(local(&s, "2026-01-06 10:00:00"))
        );
        assert_eq!(
            s.next_opening(local(&s, "2026-01-05 21:00:00")),
            Some(local(&s, "2026-01-05 22:00:00"))
        );
        assert!(s.is_open(local(&s, "2026-01-06 06:00:00")));
        // The seam at Tuesday 06:00 is not an opening.
        assert_eq!(
            s.next_opening(local(&s, "2026-01-05 23:00:00")),
            Some(local(&s, "2026-01-12 22:00:00"))
        );
    }

    #[test]
    fn end_at_24_00() {
        let s = sched(
            "Europe/Warsaw",
            &[
                ("mon", &[("18:00", "24:00")]),
                ("tue", &[("00:00", "08:00")]),
                ("fri", &[("09:00", "24:00")]),
                ("sat", &[("22:00", "00:00")]),
            ],
            &[],
        );
        assert_eq!(
            s.next_closing(local(&s, "2026-01-05 19:00:00")),
            Some(local(&s, "2026-01-06 08:00:00"))
        );
        assert!(s.is_open(local(&s, "2026-01-05 23:59:59")));
        assert!(s.is_open(local(&s, "2026-01-06 00:00:00")));
        assert!(s.is_open(local(&s, "2026-01-09 23:59:59")));
        assert!(!s.is_open(local(&s, "2026-01-10 00:00:00")));
        assert_eq!(
            s.next_closing(local(&s, "2026-01-09 12:00:00")),
            Some(local(&s, "2026-01-10 00:00:00"))
        );
        // "00:00" as an end of a late interval is the same as "24:00".
        assert_eq!(
            s.next_closing(local(&s, "2026-01-10 23:00:00")),
            Some(local(&s, "2026-01-11 00:00:00"))
        );
    }

    #[test]
    fn equal_start_and_end_means_24_hours() {
        let s = sched("Europe/Warsaw", &[("wed", &[("09:00", "09:00")])], &[]);
        assert!(!s.is_open(local(&s, "2026-01-07 08:59:59")));
        assert!(s.is_open(local(&s, "2026-01-07 09:00:00")));
        assert!(s.is_open(local(&s, "2026-01-08 08:59:59")));
        assert!(!s.is_open(local(&s, "2026-01-08 09:00:00")));
        assert_eq!(
            s.next_closing(local(&s, "2026-01-07 10:00:00")),
            Some(local(&s, "2026-01-08 09:00:00"))
        );
        assert_eq!(
            s.open_secs_between(
                local(&s, "2026-01-05 00:00:00"),
                local(&s, "2026-01-12 00:00:00")
            ),
            86_400
        );
    }

    // ---- holidays ----

    #[test]
    fn holidays_in_both_formats() {
        let s = workdays("Europe/Warsaw", &["01.01", "2026-05-01"]);
        // Thursday 2026-01-01 and Friday 2027-01-01: yearly holiday.
        assert!(!s.is_open(local(&s, "2026-01-01 10:00:00")));
        assert!(!s.is_open(local(&s, "2027-01-01 10:00:00")));
        assert!(s.is_open(local(&s, "2026-01-02 10:00:00")));
        // Friday 2026-05-01: one-date holiday; Thursday 2025-05-01 is a normal day.
        assert!(!s.is_open(local(&s, "2026-05-01 10:00:00")));
        assert!(s.is_open(local(&s, "2025-05-01 10:00:00")));
        assert_eq!(
            s.next_closing(local(&s, "2025-12-31 10:00:00")),
            Some(local(&s, "2025-12-31 18:00:00"))
        );
        assert_eq!(
            s.next_opening(local(&s, "2025-12-31 18:00:00")),
            Some(local(&s, "2026-01-02 09:00:00"))
        );
        assert_eq!(
            s.next_closing(local(&s, "2026-01-01 10:00:00")),
            Some(local(&s, "2026-01-02 18:00:00"))
        );
        // Thursday 2026-04-30 evening: Friday is a holiday, next opening is Monday 05-04.
        assert_eq!(
            s.next_opening(local(&s, "2026-04-30 18:00:00")),
            Some(local(&s, "2026-05-04 09:00:00"))
        );
    }

    #[test]
    fn leap_day_holiday() {
        let week = every_day(NINE_SIX);
        let s = sched("Europe/Warsaw", &week, &["29.02"]);
        assert!(!s.is_open(local(&s, "2028-02-29 10:00:00")));
        assert!(s.is_open(local(&s, "2027-02-28 10:00:00")));
        assert!(s.is_open(local(&s, "2027-03-01 10:00:00")));
        assert_eq!(
            s.next_opening(local(&s, "2028-02-28 18:00:00")),
            Some(local(&s, "2028-03-01 09:00:00"))
        );
    }

    #[test]
    fn overnight_interval_stops_at_a_holiday_midnight() {
        let week = every_day(&[("22:00", "06:00")]);
        // Tuesday 2026-01-06 is a holiday.
        let s = sched("Europe/Warsaw", &week, &["2026-01-06"]);
        // A holiday closes its whole local day: Monday's interval stops at midnight.
        assert!(s.is_open(local(&s, "2026-01-05 23:59:59")));
        assert!(!s.is_open(local(&s, "2026-01-06 00:00:00")));
        assert!(!s.is_open(local(&s, "2026-01-06 03:00:00")));
        assert_eq!(
            s.next_closing(local(&s, "2026-01-05 23:00:00")),
            Some(local(&s, "2026-01-06 00:00:00"))
        );
        // The holiday's own interval (Tue 22:00 - Wed 06:00) is skipped entirely.
        assert!(!s.is_open(local(&s, "2026-01-06 23:00:00")));
        assert!(!s.is_open(local(&s, "2026-01-07 03:00:00")));
        assert_eq!(
            s.next_opening(local(&s, "2026-01-05 23:00:00")),
            Some(local(&s, "2026-01-07 22:00:00"))
        );
        // Mon 22:00-24:00 (2 h) and Wed 22:00 - Thu 06:00 (8 h).
        assert_eq!(
            s.open_secs_between(
                local(&s, "2026-01-05 12:00:00"),
                local(&s, "2026-01-08 12:00:00")
            ),
            2 * 3600 + 8 * 3600
        );
    }

    #[test]
    fn christmas_closes_the_whole_day_of_a_night_line() {
        // A night line every day 22:00-06:00, 25 December a holiday (a Friday in 2026).
        let week = every_day(&[("22:00", "06:00")]);
        let s = sched("Europe/Warsaw", &week, &["25.12"]);
        // Christmas Eve's night shift stops at midnight.
        assert!(s.is_open(local(&s, "2026-12-24 23:30:00")));
        assert!(!s.is_open(local(&s, "2026-12-25 00:00:00")));
        assert!(!s.is_open(local(&s, "2026-12-25 05:59:00")));
        assert_eq!(
            s.next_closing(local(&s, "2026-12-24 22:00:00")),
            Some(local(&s, "2026-12-25 00:00:00"))
        );
        // Nothing on the holiday, nor the holiday's own night shift into the 26th.
        assert!(!s.is_open(local(&s, "2026-12-25 23:00:00")));
        assert!(!s.is_open(local(&s, "2026-12-26 03:00:00")));
        assert_eq!(
            s.next_opening(local(&s, "2026-12-24 23:00:00")),
            Some(local(&s, "2026-12-26 22:00:00"))
        );
        // Business time skips the holiday too: 30 min before midnight, then the 26th.
        assert_eq!(
            s.after_open_secs(local(&s, "2026-12-24 23:30:00"), 3600),
            Some(local(&s, "2026-12-26 22:30:00"))
        );
        assert_eq!(
            s.open_secs_between(
                local(&s, "2026-12-24 00:00:00"),
                local(&s, "2026-12-27 00:00:00")
            ),
            // 24th 00:00-06:00 (the 23rd's shift), 24th 22:00-24:00, 26th 22:00-24:00.
            (6 + 2 + 2) * 3600
        );
    }

    #[test]
    fn next_opening_and_closing_across_weekend_and_holidays() {
        let s = workdays("Europe/Warsaw", &["2026-01-12"]);
        // Friday 2026-01-09 evening -> Monday is a holiday -> Tuesday 2026-01-13.
        assert_eq!(
            s.next_opening(local(&s, "2026-01-09 18:00:00")),
            Some(local(&s, "2026-01-13 09:00:00"))
        );
        assert_eq!(
            s.next_closing(local(&s, "2026-01-10 12:00:00")),
            Some(local(&s, "2026-01-13 18:00:00"))
        );
        assert!(!s.is_open(local(&s, "2026-01-10 12:00:00")));
        let plain = workdays("Europe/Warsaw", &[]);
        assert_eq!(
            plain.next_opening(local(&plain, "2026-01-09 18:00:00")),
            Some(utc("2026-01-12T08:00:00Z"))
        );
        assert_eq!(
            plain.next_closing(local(&plain, "2026-01-10 12:00:00")),
            Some(utc("2026-01-12T17:00:00Z"))
        );
    }

    // ---- DST: Europe/Warsaw ----

    #[test]
    fn warsaw_spring_forward() {
        // 2026-03-29 (Sunday): 02:00 CET -> 03:00 CEST at 01:00Z.
        let tz = "Europe/Warsaw";
        assert_eq!(
            offset_secs(chrono_tz::Europe::Warsaw, "2026-03-29T00:59:59Z"),
            3600
        );
        assert_eq!(
            offset_secs(chrono_tz::Europe::Warsaw, "2026-03-29T01:00:00Z"),
            7200
        );

        // A start in the gap counts from the change: 02:30 -> 03:00 CEST = 01:00Z.
        let s = sched(tz, &[("sun", &[("02:30", "04:00")])], &[]);
        assert_eq!(
            s.next_opening(utc("2026-03-28T12:00:00Z")),
            Some(utc("2026-03-29T01:00:00Z"))
        );
        assert!(!s.is_open(utc("2026-03-29T00:59:59Z")));
        assert!(s.is_open(utc("2026-03-29T01:00:00Z")));
        assert_eq!(
            s.next_closing(utc("2026-03-29T01:00:00Z")),
            Some(utc("2026-03-29T02:00:00Z"))
        );

        // An end in the gap: 01:00 CET (00:00Z) to 02:30 -> 01:00Z.
        let s = sched(tz, &[("sun", &[("01:00", "02:30")])], &[]);
        assert_eq!(
            s.next_opening(utc("2026-03-28T12:00:00Z")),
            Some(utc("2026-03-29T00:00:00Z"))
        );
        assert_eq!(
            s.next_closing(utc("2026-03-29T00:00:00Z")),
            Some(utc("2026-03-29T01:00:00Z"))
        );

        // An interval entirely in the gap is empty that day.
        let s = sched(tz, &[("sun", &[("02:00", "02:30")])], &[]);
        assert!(!s.is_open(utc("2026-03-29T01:00:00Z")));
        assert_eq!(
            s.next_opening(utc("2026-03-28T12:00:00Z")),
            Some(utc("2026-04-05T00:00:00Z"))
        );

        // Working hours shift by an hour in UTC; the Sunday has 23 hours.
        let week = every_day(NINE_SIX);
        let s = sched(tz, &week, &[]);
        assert_eq!(
            s.next_opening(utc("2026-03-28T00:00:00Z")),
            Some(utc("2026-03-28T08:00:00Z"))
        );
        assert_eq!(
            s.next_opening(utc("2026-03-28T17:00:00Z")),
            Some(utc("2026-03-29T07:00:00Z"))
        );
        assert_eq!(
            s.next_closing(utc("2026-03-29T07:00:00Z")),
            Some(utc("2026-03-29T16:00:00Z"))
        );
        let s = sched(tz, &[("sun", ALL_DAY)], &[]);
        assert_eq!(
            s.open_secs_between(utc("2026-03-28T12:00:00Z"), utc("2026-03-30T12:00:00Z")),
            23 * 3600
        );
        assert_eq!(
            s.next_closing(utc("2026-03-29T00:30:00Z")),
            Some(utc("2026-03-29T22:00:00Z"))
        );
    }

    #[test]
    fn warsaw_fall_back() {
        // 2026-10-25 (Sunday): 03:00 CEST -> 02:00 CET at 01:00Z; 02:00-03:00 happens twice.
        let tz = "Europe/Warsaw";
        assert_eq!(
            offset_secs(chrono_tz::Europe::Warsaw, "2026-10-25T00:59:59Z"),
            7200
        );
        assert_eq!(
            offset_secs(chrono_tz::Europe::Warsaw, "2026-10-25T01:00:00Z"),
            3600
        );

        // A repeated start maps to its first occurrence: 02:30 CEST = 00:30Z.
        let s = sched(tz, &[("sun", &[("02:30", "06:00")])], &[]);
        assert!(!s.is_open(utc("2026-10-25T00:29:59Z")));
        assert!(s.is_open(utc("2026-10-25T00:30:00Z")));
        assert!(s.is_open(utc("2026-10-25T01:30:00Z")));
        assert_eq!(
            s.next_opening(utc("2026-10-24T12:00:00Z")),
            Some(utc("2026-10-25T00:30:00Z"))
        );
        assert_eq!(
            s.next_closing(utc("2026-10-25T00:30:00Z")),
            Some(utc("2026-10-25T05:00:00Z"))
        );

        // A repeated end also means its first occurrence: 02:30 CEST = 00:30Z; the
        // repeated 02:00-02:30 CET (01:00Z-01:30Z) is closed.
        let s = sched(tz, &[("sun", &[("00:00", "02:30")])], &[]);
        assert_eq!(
            s.next_opening(utc("2026-10-24T12:00:00Z")),
            Some(utc("2026-10-24T22:00:00Z"))
        );
        assert!(s.is_open(utc("2026-10-25T00:29:59Z")));
        assert!(!s.is_open(utc("2026-10-25T00:30:00Z")));
        assert!(!s.is_open(utc("2026-10-25T01:15:00Z")));
        assert_eq!(
            s.next_closing(utc("2026-10-24T23:00:00Z")),
            Some(utc("2026-10-25T00:30:00Z"))
        );
        assert_eq!(
            s.open_secs_between(utc("2026-10-24T00:00:00Z"), utc("2026-10-26T00:00:00Z")),
            2 * 3600 + 1800
        );

        // Back-to-back intervals meeting at a repeated time stay continuous.
        let s = sched(
            tz,
            &[
                ("sat", &[("22:00", "02:30")]),
                ("sun", &[("02:30", "05:00")]),
            ],
            &[],
        );
        assert_eq!(
            s.next_closing(utc("2026-10-24T21:00:00Z")),
            Some(utc("2026-10-25T04:00:00Z"))
        );
        assert_eq!(
            s.open_secs_between(utc("2026-10-24T00:00:00Z"), utc("2026-10-26T00:00:00Z")),
            8 * 3600
        );

        // The Sunday has 25 hours; working hours shift back.
        let s = sched(tz, &[("sun", ALL_DAY)], &[]);
        assert_eq!(
            s.open_secs_between(utc("2026-10-24T00:00:00Z"), utc("2026-10-26T00:00:00Z")),
            25 * 3600
        );
        let week = every_day(NINE_SIX);
        let s = sched(tz, &week, &[]);
        assert_eq!(
            s.next_opening(utc("2026-10-24T00:00:00Z")),
            Some(utc("2026-10-24T07:00:00Z"))
        );
        assert_eq!(
            s.next_opening(utc("2026-10-24T16:00:00Z")),
            Some(utc("2026-10-25T08:00:00Z"))
        );
    }

    #[test]
    fn new_york_repeated_end_is_its_first_occurrence() {
        // 2026-11-01 (Sunday): 02:00 EDT -> 01:00 EST at 06:00Z; 01:00-02:00 happens twice
        // (05:00Z-06:00Z EDT, 06:00Z-07:00Z EST).
        let tz = "America/New_York";
        assert_eq!(
            offset_secs(chrono_tz::America::New_York, "2026-11-01T05:59:59Z"),
            -4 * 3600
        );
        assert_eq!(
            offset_secs(chrono_tz::America::New_York, "2026-11-01T06:00:00Z"),
            -5 * 3600
        );
        let s = sched(tz, &[("sun", &[("00:00", "01:00")])], &[]);
        assert_eq!(
            s.next_opening(utc("2026-10-31T12:00:00Z")),
            Some(utc("2026-11-01T04:00:00Z"))
        );
        // Closes at 01:00 EDT, not 01:00 EST: one hour, as on any other Sunday.
        assert_eq!(
            s.next_closing(utc("2026-11-01T04:00:00Z")),
            Some(utc("2026-11-01T05:00:00Z"))
        );
        assert!(s.is_open(utc("2026-11-01T04:59:59Z")));
        // 01:30 EDT is outside 00:00-01:00 on any reading.
        assert!(!s.is_open(utc("2026-11-01T05:30:00Z")));
        assert!(!s.is_open(utc("2026-11-01T06:30:00Z")));
        assert_eq!(
            s.open_secs_between(utc("2026-10-31T00:00:00Z"), utc("2026-11-02T00:00:00Z")),
            3600
        );
        assert_eq!(
            s.after_open_secs(utc("2026-11-01T04:30:00Z"), 3600),
            Some(utc("2026-11-08T05:30:00Z"))
        );
        // An interval ending at the end of the repeated hour (02:00, which is not
        // repeated) still covers both occurrences of 01:xx.
        let s = sched(tz, &[("sun", &[("00:00", "02:00")])], &[]);
        assert!(s.is_open(utc("2026-11-01T06:30:00Z")));
        assert_eq!(
            s.next_closing(utc("2026-11-01T04:00:00Z")),
            Some(utc("2026-11-01T07:00:00Z"))
        );
    }

    // ---- DST: unusual zones ----

    #[test]
    fn lord_howe_half_hour_shift() {
        let tz = "Australia/Lord_Howe";
        let zone = chrono_tz::Australia::Lord_Howe;
        // Spring: 2026-10-04 02:00 (+10:30) -> 02:30 (+11:00) at 2026-10-03T15:30Z.
        assert_eq!(offset_secs(zone, "2026-10-03T15:29:59Z"), 37_800);
        assert_eq!(offset_secs(zone, "2026-10-03T15:30:00Z"), 39_600);
        let s = sched(tz, &[("sun", &[("02:15", "03:00")])], &[]);
        assert_eq!(
            s.next_opening(utc("2026-10-03T00:00:00Z")),
            Some(utc("2026-10-03T15:30:00Z"))
        );
        assert_eq!(
            s.next_closing(utc("2026-10-03T15:30:00Z")),
            Some(utc("2026-10-03T16:00:00Z"))
        );
        let s = sched(tz, &[("sun", ALL_DAY)], &[]);
        assert_eq!(
            s.open_secs_between(utc("2026-10-02T00:00:00Z"), utc("2026-10-05T00:00:00Z")),
            23 * 3600 + 1800
        );

        // Fall: 2026-04-05 02:00 (+11:00) -> 01:30 (+10:30) at 2026-04-04T15:00Z;
        // 01:30-02:00 happens twice (14:30Z-15:00Z and 15:00Z-15:30Z).
        assert_eq!(offset_secs(zone, "2026-04-04T14:59:59Z"), 39_600);
        assert_eq!(offset_secs(zone, "2026-04-04T15:00:00Z"), 37_800);
        let s = sched(tz, &[("sun", &[("01:45", "03:00")])], &[]);
        assert_eq!(
            s.next_opening(utc("2026-04-04T00:00:00Z")),
            Some(utc("2026-04-04T14:45:00Z"))
        );
        assert_eq!(
            s.next_closing(utc("2026-04-04T14:45:00Z")),
            Some(utc("2026-04-04T16:30:00Z"))
        );
        // A repeated end means its first occurrence: 01:45 (+11:00) = 14:45Z.
        let s = sched(tz, &[("sun", &[("00:00", "01:45")])], &[]);
        assert!(s.is_open(utc("2026-04-04T14:44:59Z")));
        assert!(!s.is_open(utc("2026-04-04T15:10:00Z")));
        assert_eq!(
            s.next_closing(utc("2026-04-04T13:00:00Z")),
            Some(utc("2026-04-04T14:45:00Z"))
        );
        assert_eq!(
            s.open_secs_between(utc("2026-04-04T00:00:00Z"), utc("2026-04-05T00:00:00Z")),
            3600 + 45 * 60
        );
        let s = sched(tz, &[("sun", ALL_DAY)], &[]);
        assert_eq!(
            s.open_secs_between(utc("2026-04-03T00:00:00Z"), utc("2026-04-06T00:00:00Z")),
            24 * 3600 + 1800
        );
    }

    #[test]
    fn sydney_southern_hemisphere() {
        let tz = "Australia/Sydney";
        let zone = chrono_tz::Australia::Sydney;
        let week = every_day(NINE_SIX);
        let s = sched(tz, &week, &[]);
        // Summer (AEDT, +11) in January, winter (AEST, +10) in July.
        assert_eq!(offset_secs(zone, "2026-01-15T00:00:00Z"), 39_600);
        assert_eq!(offset_secs(zone, "2026-07-15T00:00:00Z"), 36_000);
        assert_eq!(
            s.next_opening(utc("2026-01-14T12:00:00Z")),
            Some(utc("2026-01-14T22:00:00Z"))
        );
        assert_eq!(
            s.next_closing(utc("2026-01-14T22:00:00Z")),
            Some(utc("2026-01-15T07:00:00Z"))
        );
        assert_eq!(
            s.next_opening(utc("2026-07-14T12:00:00Z")),
            Some(utc("2026-07-14T23:00:00Z"))
        );
        assert_eq!(
            s.next_closing(utc("2026-07-14T23:00:00Z")),
            Some(utc("2026-07-15T08:00:00Z"))
        );

        // Fall back 2026-04-05 03:00 AEDT -> 02:00 AEST at 2026-04-04T16:00Z.
        assert_eq!(offset_secs(zone, "2026-04-04T15:59:59Z"), 39_600);
        assert_eq!(offset_secs(zone, "2026-04-04T16:00:00Z"), 36_000);
        let s = sched(tz, &[("sun", &[("02:30", "04:00")])], &[]);
        assert_eq!(
            s.next_opening(utc("2026-04-04T00:00:00Z")),
            Some(utc("2026-04-04T15:30:00Z"))
        );
        assert_eq!(
            s.next_closing(utc("2026-04-04T15:30:00Z")),
            Some(utc("2026-04-04T18:00:00Z"))
        );
        let s = sched(tz, &[("sun", ALL_DAY)], &[]);
        assert_eq!(
            s.open_secs_between(utc("2026-04-03T00:00:00Z"), utc("2026-04-06T00:00:00Z")),
            25 * 3600
        );

        // Spring forward 2026-10-04 02:00 AEST -> 03:00 AEDT at 2026-10-03T16:00Z.
        assert_eq!(offset_secs(zone, "2026-10-03T15:59:59Z"), 36_000);
        assert_eq!(offset_secs(zone, "2026-10-03T16:00:00Z"), 39_600);
        let s = sched(tz, &[("sun", &[("02:30", "04:00")])], &[]);
        assert_eq!(
            s.next_opening(utc("2026-10-03T00:00:00Z")),
            Some(utc("2026-10-03T16:00:00Z"))
        );
        assert_eq!(
            s.next_closing(utc("2026-10-03T16:00:00Z")),
            Some(utc("2026-10-03T17:00:00Z"))
        );
    }

    #[test]
    fn santiago_changes_at_midnight() {
        let tz = "America/Santiago";
        let zone = chrono_tz::America::Santiago;
        // Spring forward: Sunday 2026-09-06 00:00 (-04) -> 01:00 (-03) at 04:00Z.
        assert_eq!(offset_secs(zone, "2026-09-06T03:59:59Z"), -4 * 3600);
        assert_eq!(offset_secs(zone, "2026-09-06T04:00:00Z"), -3 * 3600);
        let s = sched(
            tz,
            &[
                ("sat", &[("22:00", "24:00")]),
                ("sun", &[("00:00", "02:00")]),
            ],
            &[],
        );
        // Saturday's 24:00 and Sunday's 00:00 are both the change instant: no closing there.
        assert!(s.is_open(utc("2026-09-06T03:59:59Z")));
        assert!(s.is_open(utc("2026-09-06T04:00:00Z")));
        assert_eq!(
            s.next_opening(utc("2026-09-05T12:00:00Z")),
            Some(utc("2026-09-06T02:00:00Z"))
        );
        assert_eq!(
            s.next_closing(utc("2026-09-06T03:00:00Z")),
            Some(utc("2026-09-06T05:00:00Z"))
        );
        assert_eq!(
            s.open_secs_between(utc("2026-09-05T00:00:00Z"), utc("2026-09-07T00:00:00Z")),
            3 * 3600
        );
        let s = sched(tz, &[("sun", &[("00:00", "08:00")])], &[]);
        assert_eq!(
            s.next_opening(utc("2026-09-05T12:00:00Z")),
            Some(utc("2026-09-06T04:00:00Z"))
        );
        // Entirely inside the skipped hour: empty that day, next week instead.
        let s = sched(tz, &[("sun", &[("00:30", "01:00")])], &[]);
        assert_eq!(
            s.next_opening(utc("2026-09-05T12:00:00Z")),
            Some(utc("2026-09-13T03:30:00Z"))
        );

        // Fall back: Saturday 2026-04-04 24:00 (-03) -> 23:00 (-04) at 2026-04-05T03:00Z;
        // Saturday 23:00-24:00 happens twice (02:00Z-03:00Z and 03:00Z-04:00Z).
        assert_eq!(offset_secs(zone, "2026-04-05T02:59:59Z"), -3 * 3600);
        assert_eq!(offset_secs(zone, "2026-04-05T03:00:00Z"), -4 * 3600);
        let s = sched(tz, &[("sat", &[("23:30", "24:00")])], &[]);
        assert_eq!(
            s.next_opening(utc("2026-04-04T12:00:00Z")),
            Some(utc("2026-04-05T02:30:00Z"))
        );
        assert!(s.is_open(utc("2026-04-05T03:15:00Z")));
        assert_eq!(
            s.next_closing(utc("2026-04-05T02:30:00Z")),
            Some(utc("2026-04-05T04:00:00Z"))
        );
        // A repeated end means its first occurrence: 23:30 (-03) = 02:30Z.
        let s = sched(tz, &[("sat", &[("20:00", "23:30")])], &[]);
        assert_eq!(
            s.open_secs_between(utc("2026-04-04T00:00:00Z"), utc("2026-04-06T00:00:00Z")),
            3 * 3600 + 1800
        );
        assert!(s.is_open(utc("2026-04-05T02:29:59Z")));
        assert!(!s.is_open(utc("2026-04-05T02:30:00Z")));
        assert!(!s.is_open(utc("2026-04-05T03:29:59Z")));
        // Sunday's interval starts only when Sunday begins, after both Saturday 23:xx.
        let s = sched(tz, &[("sun", &[("00:00", "01:00")])], &[]);
        assert!(!s.is_open(utc("2026-04-05T03:30:00Z")));
        assert_eq!(
            s.next_opening(utc("2026-04-05T03:30:00Z")),
            Some(utc("2026-04-05T04:00:00Z"))
        );
        let s = sched(tz, &[("sat", ALL_DAY)], &[]);
        assert_eq!(
            s.open_secs_between(utc("2026-04-03T00:00:00Z"), utc("2026-04-06T00:00:00Z")),
            25 * 3600
        );
    }

    #[test]
    fn havana_spring_forward_at_midnight() {
        // Sunday 2026-03-08 00:00 (-05) -> 01:00 (-04) at 05:00Z.
        let zone = chrono_tz::America::Havana;
        assert_eq!(offset_secs(zone, "2026-03-08T04:59:59Z"), -5 * 3600);
        assert_eq!(offset_secs(zone, "2026-03-08T05:00:00Z"), -4 * 3600);
        let s = sched(
            "America/Havana",
            &[
                ("sat", &[("20:00", "24:00")]),
                ("sun", &[("00:00", "02:00")]),
            ],
            &[],
        );
        assert_eq!(
            s.next_opening(utc("2026-03-07T12:00:00Z")),
            Some(utc("2026-03-08T01:00:00Z"))
        );
        assert_eq!(
            s.next_closing(utc("2026-03-08T04:00:00Z")),
            Some(utc("2026-03-08T06:00:00Z"))
        );
        assert_eq!(
            s.open_secs_between(utc("2026-03-07T00:00:00Z"), utc("2026-03-09T00:00:00Z")),
            5 * 3600
        );
    }

    #[test]
    fn apia_skipped_a_whole_day() {
        // Friday 2011-12-30 did not exist in Samoa: 23:59:59 (-10) on Thursday was followed
        // by 00:00 (+14) on Saturday, at 2011-12-30T10:00Z.
        let zone = chrono_tz::Pacific::Apia;
        assert_eq!(offset_secs(zone, "2011-12-30T09:59:59Z"), -10 * 3600);
        assert_eq!(offset_secs(zone, "2011-12-30T10:00:00Z"), 14 * 3600);
        let s = sched(
            "Pacific/Apia",
            &[
                ("thu", &[("22:00", "06:00")]),
                ("fri", NINE_SIX),
                ("mon", NINE_SIX),
            ],
            &[],
        );
        // Thursday night ends when the skipped Friday would have begun its 06:00.
        assert_eq!(
            s.next_opening(utc("2011-12-29T12:00:00Z")),
            Some(utc("2011-12-30T08:00:00Z"))
        );
        assert_eq!(
            s.next_closing(utc("2011-12-30T08:30:00Z")),
            Some(utc("2011-12-30T10:00:00Z"))
        );
        // The skipped Friday has no open time; next is Monday 2012-01-02 09:00 (+14).
        assert_eq!(
            s.next_opening(utc("2011-12-30T10:00:00Z")),
            Some(utc("2012-01-01T19:00:00Z"))
        );
        assert_eq!(
            s.open_secs_between(utc("2011-12-29T00:00:00Z"), utc("2012-01-01T19:00:00Z")),
            7200
        );
    }

    // ---- never / always open ----

    #[test]
    fn never_open_schedule() {
        let at = utc("2026-01-05T12:00:00Z");
        let later = utc("2027-01-05T12:00:00Z");
        for s in [
            sched("Europe/Warsaw", &[], &[]),
            sched("UTC", &[("mon", &[]), ("sun", &[])], &["01.01"]),
        ] {
            assert!(!s.is_open(at));
            assert_eq!(s.next_opening(at), None);
            assert_eq!(s.next_closing(at), None);
            assert_eq!(s.open_secs_between(at, later), 0);
            assert_eq!(s.after_open_secs(at, 0), None);
            assert_eq!(s.after_open_secs(at, 60), None);
        }
        // Every day of the year a holiday: intervals exist but never apply.
        let every_date: Vec<String> = (1..=366)
            .filter_map(|n| NaiveDate::from_yo_opt(2000, n))
            .map(|d| d.format("%d.%m").to_string())
            .collect();
        let refs: Vec<&str> = every_date.iter().map(String::as_str).collect();
        let week = every_day(NINE_SIX);
        let s = sched("Europe/Warsaw", &week, &refs);
        assert!(!s.is_open(at));
        assert_eq!(s.next_opening(at), None);
        assert_eq!(s.next_closing(at), None);
        assert_eq!(s.open_secs_between(at, later), 0);
        assert_eq!(s.after_open_secs(at, 0), None);
    }

    #[test]
    fn always_open_schedule() {
        let at = utc("2026-03-29T00:30:00.250Z");
        let week = every_day(ALL_DAY);
        let overnight = every_day(&[("22:00", "22:00")]);
        for s in [
            sched("Europe/Warsaw", &week, &[]),
            sched("Australia/Lord_Howe", &overnight, &[]),
        ] {
            assert!(s.is_open(at));
            assert_eq!(s.next_closing(at), None);
            assert_eq!(s.next_opening(at), None);
            assert_eq!(s.open_secs_between(at, utc("2026-03-30T00:30:00Z")), 86_399);
            assert_eq!(
                s.after_open_secs(at, 3600),
                Some(utc("2026-03-29T01:30:00.250Z"))
            );
        }
        // Open every day with one holiday: it closes for the holiday (local Christmas).
        let s = sched("Europe/Warsaw", &week, &["2026-12-25"]);
        assert_eq!(
            s.next_closing(utc("2026-01-10T00:00:00Z")),
            Some(utc("2026-12-24T23:00:00Z"))
        );
        assert_eq!(
            s.next_opening(utc("2026-01-10T00:00:00Z")),
            Some(utc("2026-12-25T23:00:00Z"))
        );
        assert!(!s.is_open(utc("2026-12-25T12:00:00Z")));
        // A closing further away than the scan horizon is not reported.
        let s = sched("Europe/Warsaw", &week, &["2040-12-25"]);
        assert_eq!(s.next_closing(utc("2026-01-10T00:00:00Z")), None);
        assert!(s.is_open(utc("2026-01-10T00:00:00Z")));
        assert_eq!(
            s.next_closing(utc("2040-01-10T00:00:00Z")),
            Some(utc("2040-12-24T23:00:00Z"))
        );
    }

    // ---- business time ----

    #[test]
    fn open_secs_between_over_a_weekend() {
        let s = workdays("Europe/Warsaw", &[]);
        // Friday 2026-01-09 17:00 -> Monday 2026-01-12 10:00: 1 h + 1 h.
        assert_eq!(
            s.open_secs_between(
                local(&s, "2026-01-09 17:00:00"),
                local(&s, "2026-01-12 10:00:00")
            ),
            7200
        );
        // Whole weekend only.
        assert_eq!(
            s.open_secs_between(
                local(&s, "2026-01-09 18:00:00"),
                local(&s, "2026-01-12 09:00:00")
            ),
            0
        );
        // Sub-second parts: 3599.5 s + 1.2 s = 3600.7 s -> 3600.
        assert_eq!(
            s.open_secs_between(utc("2026-01-09T16:00:00.5Z"), utc("2026-01-12T08:00:01.2Z")),
            3600
        );
        assert_eq!(
            s.open_secs_between(utc("2026-01-09T16:00:00.5Z"), utc("2026-01-09T16:00:01.4Z")),
            0
        );
        // Empty and reversed ranges.
        let t = local(&s, "2026-01-09 12:00:00");
        assert_eq!(s.open_secs_between(t, t), 0);
        assert_eq!(s.open_secs_between(t, local(&s, "2026-01-09 11:00:00")), 0);
    }

    #[test]
    fn open_secs_between_over_years() {
        let s = workdays("Europe/Warsaw", &[]);
        let from = utc("2026-01-01T00:00:00Z");
        let to = utc("2036-01-01T00:00:00Z");
        let weekdays = NaiveDate::from_ymd_opt(2026, 1, 1)
            .expect("date")
            .iter_days()
            .take_while(|d| d.year() < 2036)
            .filter(|d| d.weekday().num_days_from_monday() < 5)
            .count();
        let expected = i64::try_from(weekdays).expect("count") * 9 * 3600;
        assert_eq!(s.open_secs_between(from, to), expected);
    }

    #[test]
    fn after_open_secs_crosses_closed_time() {
        let s = workdays("Europe/Warsaw", &["2026-01-01"]);
        // 3600 open seconds from Friday 17:30 -> Monday 09:30.
        assert_eq!(
            s.after_open_secs(local(&s, "2026-01-09 17:30:00"), 3600),
            Some(local(&s, "2026-01-12 09:30:00"))
        );
        // Exactly the rest of the day: the closing instant.
        assert_eq!(
            s.after_open_secs(local(&s, "2026-01-09 17:30:00"), 1800),
            Some(local(&s, "2026-01-09 18:00:00"))
        );
        // secs = 0: the first open instant >= from.
        assert_eq!(
            s.after_open_secs(local(&s, "2026-01-10 12:00:00"), 0),
            Some(local(&s, "2026-01-12 09:00:00"))
        );
        let t = utc("2026-01-09T10:00:00.123Z");
        assert_eq!(s.after_open_secs(t, 0), Some(t));
        assert_eq!(s.after_open_secs(t, -5), Some(t));
        assert_eq!(
            s.after_open_secs(local(&s, "2026-01-09 18:00:00"), 0),
            Some(local(&s, "2026-01-12 09:00:00"))
        );
        // Across a holiday: Wednesday 2025-12-31 17:30 + 1 h -> Friday 2026-01-02 09:30.
        assert_eq!(
            s.after_open_secs(local(&s, "2025-12-31 17:30:00"), 3600),
            Some(local(&s, "2026-01-02 09:30:00"))
        );
        // A full working week of 45 h from Monday 09:00 ends Friday 18:00.
        assert_eq!(
            s.after_open_secs(local(&s, "2026-01-12 09:00:00"), 45 * 3600),
            Some(local(&s, "2026-01-16 18:00:00"))
        );
        // Unrepresentable or absurd amounts give None instead of looping or panicking.
        assert_eq!(s.after_open_secs(t, i64::MAX), None);
        assert_eq!(s.after_open_secs(t, 400 * 366 * 86_400), None);
    }

    #[test]
    fn after_open_secs_across_dst() {
        let week = every_day(NINE_SIX);
        let s = sched("Europe/Warsaw", &week, &[]);
        // Saturday 2026-03-28 17:00 CET + 2 h -> Sunday 10:00 CEST = 08:00Z.
        assert_eq!(
            s.after_open_secs(utc("2026-03-28T16:00:00Z"), 7200),
            Some(utc("2026-03-29T08:00:00Z"))
        );
        let s = sched("Europe/Warsaw", &[("sun", ALL_DAY)], &[]);
        // The 23-hour Sunday: 23 h of open time run from its start to Monday 00:00.
        assert_eq!(
            s.after_open_secs(utc("2026-03-28T12:00:00Z"), 23 * 3600),
            Some(utc("2026-03-29T22:00:00Z"))
        );
    }

    #[test]
    fn business_time_helpers_agree() {
        let warsaw = workdays("Europe/Warsaw", &["2026-01-01", "24.12"]);
        let night_week = every_day(&[("22:00", "06:00")]);
        let nights = sched("America/Santiago", &night_week, &["2026-09-06"]);
        let lord_howe = sched(
            "Australia/Lord_Howe",
            &[
                ("sat", &[("20:00", "01:45")]),
                ("sun", &[("01:45", "03:00")]),
            ],
            &[],
        );
        let cases: [(&Schedule, &str, i64); 10] = [
            (&warsaw, "2025-12-23T16:30:00Z", 3600),
            (&warsaw, "2025-12-31T16:59:59.250Z", 86_400),
            (&warsaw, "2026-03-27T16:00:00Z", 9 * 3600),
            (&warsaw, "2026-10-23T10:00:00Z", 100_000),
            (&nights, "2026-09-05T01:00:00Z", 3 * 3600),
            (&nights, "2026-04-04T12:00:00Z", 40_000),
            (&nights, "2026-04-05T03:20:00.5Z", 1),
            (&lord_howe, "2026-04-04T00:00:00Z", 5 * 3600),
            (&lord_howe, "2026-10-03T00:00:00Z", 20_000),
            (&lord_howe, "2026-04-04T15:05:00Z", 0),
        ];
        for (s, from, secs) in cases {
            let from = utc(from);
            let until = s.after_open_secs(from, secs).expect("opens");
            assert!(until >= from);
            assert_eq!(s.open_secs_between(from, until), secs, "{from} + {secs}");
            // The answer is the earliest such instant: one second less is not enough.
            if secs > 0 {
                assert!(s.open_secs_between(from, until - TimeDelta::seconds(1)) < secs);
            }
        }
        let ranges: [(&Schedule, &str, &str); 4] = [
            (&warsaw, "2025-12-20T00:00:00Z", "2026-01-10T00:00:00Z"),
            (&nights, "2026-04-01T00:00:00Z", "2026-09-10T12:34:56Z"),
            (&lord_howe, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"),
            (&warsaw, "2026-01-09T16:00:00.5Z", "2026-01-12T08:00:01.2Z"),
        ];
        for (s, from, to) in ranges {
            let (from, to) = (utc(from), utc(to));
            let secs = s.open_secs_between(from, to);
            let until = s.after_open_secs(from, secs).expect("opens");
            assert!(until <= to);
            assert_eq!(s.open_secs_between(from, until), secs);
        }
    }

    /// Checks next_opening, next_closing, open_secs_between and after_open_secs against
    /// is_open sampled every minute (all the zones used change at whole minutes).
    fn check_against_is_open(s: &Schedule, from: &str, hours: i64) {
        let from = utc(from);
        let samples: Vec<(DateTime<Utc>, bool)> = (0..=hours * 60)
            .map(|m| {
                let t = from + TimeDelta::minutes(m);
                (t, s.is_open(t))
            })
            .collect();
        let mut open_minutes = 0;
        for pair in samples.windows(2) {
            let [(t, open), (next, next_open)] = [pair[0], pair[1]];
            if open {
                open_minutes += 1;
            }
            assert_eq!(
                s.open_secs_between(from, next),
                open_minutes * 60,
                "open secs to {next}"
            );
            // Within (t, next] a change can only happen exactly at `next`.
            let opening = s.next_opening(t).expect("opens");
            let closing = s.next_closing(t).expect("closes");
            assert_eq!(opening == next, !open && next_open, "opening after {t}");
            assert_eq!(closing == next, open && !next_open, "closing after {t}");
            assert!(opening >= next && closing >= next);
            if !open && next_open {
                assert_eq!(s.after_open_secs(t, 0), Some(next));
            }
            if open {
                assert_eq!(s.after_open_secs(t, 0), Some(t));
                let later = s.after_open_secs(t, 60).expect("opens");
                assert_eq!(s.open_secs_between(t, later), 60);
                assert_eq!(later == next, next_open || closing == next, "60 s from {t}");
            }
            assert_eq!(s.open_secs_between(t, next), if open { 60 } else { 0 });
        }
    }

    #[test]
    fn queries_agree_with_is_open_around_dst_changes() {
        let nights = every_day(&[("22:00", "06:00"), ("09:00", "09:30")]);
        let warsaw = sched(
            "Europe/Warsaw",
            &[
                ("sat", &[("22:00", "02:30"), ("09:00", "18:00")]),
                (
                    "sun",
                    &[("02:30", "05:00"), ("02:15", "02:45"), ("23:00", "24:00")],
                ),
                ("mon", &[("00:00", "03:00"), ("12:00", "12:00")]),
            ],
            &["2026-10-26"],
        );
        check_against_is_open(&warsaw, "2026-03-27T12:00:00Z", 96);
        check_against_is_open(&warsaw, "2026-10-23T12:00:00Z", 96);
        let lord_howe = sched("Australia/Lord_Howe", &nights, &["2026-04-06"]);
        check_against_is_open(&lord_howe, "2026-04-03T00:00:00Z", 96);
        check_against_is_open(&lord_howe, "2026-10-02T00:00:00Z", 72);
        let santiago = sched(
            "America/Santiago",
            &[
                ("sat", &[("23:30", "24:00"), ("20:00", "23:15")]),
                ("sun", &[("00:00", "00:30"), ("01:30", "02:00")]),
            ],
            &[],
        );
        check_against_is_open(&santiago, "2026-04-03T00:00:00Z", 72);
        check_against_is_open(&santiago, "2026-09-04T00:00:00Z", 72);
    }

    #[test]
    fn extreme_instants_do_not_panic() {
        let week = every_day(&[("22:00", "06:00")]);
        let all = every_day(ALL_DAY);
        let schedules = [
            workdays("Europe/Warsaw", &["29.02", "2026-05-01"]),
            sched("Australia/Lord_Howe", &week, &[]),
            sched("America/Santiago", &all, &["01.01"]),
            sched("UTC", &all, &[]),
            sched("Pacific/Kiritimati", &[], &[]),
        ];
        let instants = [
            DateTime::<Utc>::MIN_UTC,
            DateTime::<Utc>::MIN_UTC + TimeDelta::days(3),
            DateTime::<Utc>::UNIX_EPOCH,
            DateTime::<Utc>::MAX_UTC - TimeDelta::days(3),
            DateTime::<Utc>::MAX_UTC,
        ];
        for s in &schedules {
            for &at in &instants {
                let _ = s.is_open(at);
                let _ = s.next_opening(at);
                let _ = s.next_closing(at);
                let _ = s.after_open_secs(at, 0);
                let _ = s.after_open_secs(at, 86_400);
                let _ = s.open_secs_between(
                    at,
                    at + TimeDelta::days(1).min(DateTime::<Utc>::MAX_UTC - at),
                );
                let _ = s.open_secs_between(
                    at - TimeDelta::days(1).min(at - DateTime::<Utc>::MIN_UTC),
                    at,
                );
            }
        }
    }
}
