//! Client arrivals: read from a CSV file of real history, or drawn as a Poisson
//! stream from arrivals per hour.
//!
//! CSV format: a header row naming the columns, then one row per arriving client
//! (a new conversation). Columns, in any order:
//!
//! | column | required | meaning |
//! |---|---|---|
//! | `time` | yes | RFC 3339 (`2026-11-23T09:00:05Z`, `...+01:00`) or local `YYYY-MM-DD HH:MM[:SS]` in the simulation's time zone |
//! | `line` | yes | a line id of the config |
//! | `client` | no | client id (default `csv:ROW`); a client with an open dialog in the line writes into it |
//! | `handling_secs` | no | seconds from assignment to the operator's close (default: the operator model's) |
//! | `language` | no | the dialog's language |
//! | `skills` | no | required skills, separated by `;` |
//!
//! Fields may be double-quoted (`""` inside quotes is a quote). Empty lines and lines
//! starting with `#` are skipped. A bad row stops the reading with an error naming the
//! row (the file's line number, the header being row 1) and the column. Rows out of
//! time order are sorted by time (stable) with a warning; nothing is refused for it.

use std::fmt;

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::rng::Rng;

/// One arriving client.
#[derive(Debug, Clone, PartialEq)]
pub struct Arrival {
    /// When the client's first message arrives.
    pub at: DateTime<Utc>,
    /// The line it arrives in.
    pub line: String,
    /// The client id.
    pub client: String,
    /// Seconds from assignment to close, if known (else the operator model draws one).
    pub handling_secs: Option<f64>,
    /// The dialog's language (empty: none).
    pub language: String,
    /// Skills the dialog requires.
    pub skills: Vec<String>,
    /// The CSV row it came from (0 when generated).
    pub row: usize,
}

/// A bad row (or header) of an arrivals file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvError {
    /// The file's line number (the header is row 1).
    pub row: usize,
    /// The column's name (or position when unnamed).
    pub column: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "row {}, column {}: {}",
            self.row, self.column, self.message
        )
    }
}

impl std::error::Error for CsvError {}

/// Arrivals read from a file, sorted by time, with warnings for people.
#[derive(Debug, Clone, Default)]
pub struct ArrivalsFile {
    /// The arrivals in time order.
    pub arrivals: Vec<Arrival>,
    /// Things a person should know (e.g. rows were out of time order and got sorted).
    pub warnings: Vec<String>,
}

const COLUMNS: [&str; 6] = [
    "time",
    "line",
    "client",
    "handling_secs",
    "language",
    "skills",
];

/// Longest handling time a row may give: one week.
pub const MAX_HANDLING_SECS: f64 = 7.0 * 86_400.0;

/// Split one CSV line into fields (double quotes, `""` escapes).
fn fields(line: &str) -> Result<Vec<String>, String> {
    let mut out = vec![String::new()];
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        let field = out.last_mut().unwrap_or_else(|| unreachable!());
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', true) => quoted = false,
            ('"', false) if field.trim().is_empty() => {
                field.clear();
                quoted = true;
            }
            (',', false) => out.push(String::new()),
            (c, _) => field.push(c),
        }
    }
    if quoted {
        return Err("a quoted field is not closed".to_owned());
    }
    Ok(out.into_iter().map(|f| f.trim().to_owned()).collect())
}

/// A time: RFC 3339, or local date and time in `tz`.
pub fn parse_time(text: &str, tz: Tz) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let naive = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
    .ok_or_else(|| {
        format!("\"{text}\" is not a time (RFC 3339, or YYYY-MM-DD HH:MM[:SS] local)")
    })?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| format!("\"{text}\" does not exist in {tz} (skipped by a clock change)"))
}

/// Read an arrivals CSV (see the module docs). `lines`: the config's line ids, so that
/// an unknown line is a bad row; `tz`: the time zone of local times.
pub fn parse_csv(text: &str, lines: &[&str], tz: Tz) -> Result<ArrivalsFile, CsvError> {
    let mut rows = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    let err = |row: usize, column: &str, message: String| CsvError {
        row,
        column: column.to_owned(),
        message,
    };
    let (header_row, header) = rows
        .next()
        .ok_or_else(|| err(1, "time", "the file is empty: no header row".to_owned()))?;
    let names = fields(header).map_err(|m| err(header_row, "1", m))?;
    for (i, name) in names.iter().enumerate() {
        if !COLUMNS.contains(&name.as_str()) {
            return Err(err(
                header_row,
                &format!("{} (\"{name}\")", i + 1),
                format!("unknown column; known: {}", COLUMNS.join(", ")),
            ));
        }
        if names[..i].contains(name) {
            return Err(err(header_row, name, "named twice".to_owned()));
        }
    }
    for required in ["time", "line"] {
        if !names.iter().any(|n| n == required) {
            return Err(err(
                header_row,
                required,
                "missing from the header".to_owned(),
            ));
        }
    }
    let mut out = ArrivalsFile::default();
    for (row, line) in rows {
        let values = fields(line).map_err(|m| err(row, "?", m))?;
        if values.len() != names.len() {
            return Err(err(
                row,
                names.get(values.len()).map_or("(extra)", String::as_str),
                format!("{} fields, the header has {}", values.len(), names.len()),
            ));
        }
        let mut a = Arrival {
            at: DateTime::<Utc>::MIN_UTC,
            line: String::new(),
            client: format!("csv:{row}"),
            handling_secs: None,
            language: String::new(),
            skills: Vec::new(),
            row,
        };
        for (name, value) in names.iter().zip(values) {
            let bad = |m: String| err(row, name, m);
            match name.as_str() {
                "time" => a.at = parse_time(&value, tz).map_err(bad)?,
                "line" if lines.contains(&value.as_str()) => a.line = value,
                "line" => {
                    return Err(bad(format!(
                        "\"{value}\" is not a line of the config ({})",
                        lines.join(", ")
                    )));
                }
                "client" if !value.is_empty() => a.client = value,
                "handling_secs" if !value.is_empty() => {
                    let secs: f64 = value
                        .parse()
                        .ok()
                        .filter(|s: &f64| s.is_finite())
                        .ok_or_else(|| bad(format!("\"{value}\" is not a number of seconds")))?;
                    if !(0.0..=MAX_HANDLING_SECS).contains(&secs) {
                        return Err(bad(format!(
                            "{value} is out of range (0 to {MAX_HANDLING_SECS} seconds)"
                        )));
                    }
                    a.handling_secs = Some(secs);
                }
                "language" => a.language = value,
                "skills" => {
                    a.skills = value
                        .split(';')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect();
                }
                _ => {}
            }
        }
        out.arrivals.push(a);
    }
    if out.arrivals.is_empty() {
        return Err(err(
            header_row + 1,
            "time",
            "no arrivals after the header".to_owned(),
        ));
    }
    if let Some(w) = out.arrivals.windows(2).find(|w| w[1].at < w[0].at) {
        let late = out
            .arrivals
            .windows(2)
            .filter(|w| w[1].at < w[0].at)
            .count();
        out.warnings.push(format!(
            "{late} row(s) earlier than the row before them (first: row {} at {} after row {} at {}); sorted by time",
            w[1].row,
            w[1].at.to_rfc3339(),
            w[0].row,
            w[0].at.to_rfc3339()
        ));
        out.arrivals.sort_by_key(|a| a.at);
    }
    Ok(out)
}

/// Poisson arrivals into `line`: `per_hour[h]` expected arrivals in hour `h` after
/// `start`, exponential gaps at that hour's rate. Client ids are `gen:N`.
pub fn poisson(line: &str, start: DateTime<Utc>, per_hour: &[f64], rng: &mut Rng) -> Vec<Arrival> {
    let mut out = Vec::new();
    for (h, &rate) in per_hour.iter().enumerate() {
        if rate <= 0.0 {
            continue;
        }
        let from = start + Duration::hours(h as i64);
        let mut ms = 0.0;
        loop {
            ms += rng.exp(3_600_000.0 / rate);
            if ms >= 3_600_000.0 {
                break;
            }
            out.push(Arrival {
                at: from + Duration::milliseconds(ms as i64),
                line: line.to_owned(),
                client: format!("gen:{}", out.len() + 1),
                handling_secs: None,
                language: String::new(),
                skills: Vec::new(),
                row: 0,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINES: &[&str] = &["sales", "support"];

    fn parse(text: &str) -> Result<ArrivalsFile, CsvError> {
        parse_csv(text, LINES, chrono_tz::Europe::Warsaw)
    }

    #[test]
    fn reads_every_column_in_any_order() {
        let f = parse(
            "line,time,client,handling_secs,language,skills\n\
             sales,2026-11-23T09:00:00Z,tg:1,300,en,billing;vip\n\
             \n# a comment\n\
             support,2026-11-23 10:30,,,,\n\
             sales,\"2026-11-23T11:00:00+01:00\",\"a,\"\"b\"\"\",12.5,,\n",
        )
        .unwrap();
        assert!(f.warnings.is_empty());
        let a = &f.arrivals;
        assert_eq!(a.len(), 3);
        assert_eq!(a[0].at.to_rfc3339(), "2026-11-23T09:00:00+00:00");
        assert_eq!(a[0].client, "tg:1");
        assert_eq!(a[0].handling_secs, Some(300.0));
        assert_eq!(a[0].language, "en");
        assert_eq!(a[0].skills, ["billing", "vip"]);
        // Local time in Warsaw (UTC+1 in November), default client id from the row.
        assert_eq!(a[1].at.to_rfc3339(), "2026-11-23T09:30:00+00:00");
        assert_eq!(a[1].client, "csv:5");
        assert_eq!(a[1].handling_secs, None);
        assert_eq!(a[2].client, "a,\"b\"");
        assert_eq!(a[2].at.to_rfc3339(), "2026-11-23T10:00:00+00:00");
        assert_eq!(a[2].row, 6);
    }

    #[test]
    fn a_bad_row_names_row_and_column() {
        let cases = [
            (
                "time,line\n2026-11-23T09:00:00Z,sales\nyesterday,sales\n",
                3,
                "time",
            ),
            ("time,line\n2026-11-23T09:00:00Z,nope\n", 2, "line"),
            (
                "time,line,handling_secs\n2026-11-23T09:00:00Z,sales,-5\n",
                2,
                "handling_secs",
            ),
            (
                "time,line,handling_secs\n2026-11-23T09:00:00Z,sales,abc\n",
                2,
                "handling_secs",
            ),
            ("time,line\n2026-11-23T09:00:00Z\n", 2, "line"),
            ("time,line,colour\n", 1, "3 (\"colour\")"),
            ("time,client\n", 1, "line"),
            ("time,line\n", 2, "time"),
            ("", 1, "time"),
            // 02:30 on the last Sunday of March does not exist in Warsaw.
            ("time,line\n2026-03-29 02:30,sales\n", 2, "time"),
        ];
        for (text, row, column) in cases {
            let e = parse(text).unwrap_err();
            assert_eq!((e.row, e.column.as_str()), (row, column), "{text:?}: {e}");
            assert!(
                e.to_string()
                    .starts_with(&format!("row {row}, column {column}: "))
            );
        }
    }

    #[test]
    fn out_of_order_rows_are_sorted_with_a_warning() {
        let f = parse(
            "time,line\n2026-11-23T09:05:00Z,sales\n2026-11-23T09:00:00Z,sales\n2026-11-23T09:10:00Z,sales\n",
        )
        .unwrap();
        let rows: Vec<usize> = f.arrivals.iter().map(|a| a.row).collect();
        assert_eq!(rows, [3, 2, 4]);
        assert_eq!(f.warnings.len(), 1);
        assert!(f.warnings[0].contains("first: row 3"), "{}", f.warnings[0]);
        assert!(f.warnings[0].contains("sorted by time"));
    }

    #[test]
    fn poisson_counts_follow_the_rates() {
        let start = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap();
        let mut rng = Rng::new(3);
        let a = poisson("sales", start, &[0.0, 1000.0, 200.0], &mut rng);
        let in_hour = |h: i64| a.iter().filter(|x| (x.at - start).num_hours() == h).count() as f64;
        assert_eq!(in_hour(0), 0.0);
        // Poisson: standard deviation sqrt(mean); 4 of them is a generous bound.
        assert!(
            (in_hour(1) - 1000.0).abs() < 4.0 * 1000f64.sqrt(),
            "{}",
            in_hour(1)
        );
        assert!(
            (in_hour(2) - 200.0).abs() < 4.0 * 200f64.sqrt(),
            "{}",
            in_hour(2)
        );
        assert!(a.windows(2).all(|w| w[0].at <= w[1].at));
    }
}
