//! How the engine's state stores timestamps with serde: canonical RFC 3339 text in
//! human-readable formats (the JSON snapshot), seconds and nanoseconds since the Unix
//! epoch in binary ones (the [`codec`](crate::codec) of `snapshot_bytes`), so the
//! binary snapshot never formats or parses dates.
//!
//! Use as `#[serde(with = "crate::timestamp")]` on a `DateTime<Utc>` field and
//! `#[serde(with = "crate::timestamp::option")]` on an `Option<DateTime<Utc>>` one;
//! [`Stamp`] is the same as a type, for tuples and collections.

use chrono::{DateTime, Utc};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The earliest time the engine accepts: 0001-01-01T00:00:00Z (the first instant
/// Python's `datetime` can hold).
pub const FIRST_TIME: DateTime<Utc> = match DateTime::from_timestamp(-62_135_596_800, 0) {
    Some(t) => t,
    None => panic!("FIRST_TIME is representable"),
};

/// The latest time the engine accepts: 9979-12-31T23:59:59.999999999Z. Every timer
/// runs at most ten years ([`crate::config::MAX_SECS`]) and a line opening is looked
/// for at most about eight years ahead, so every deadline armed from an accepted time
/// stays before [`LAST_DEADLINE`], a time every binding can represent (Python's
/// `datetime` ends with year 9999).
pub const LAST_TIME: DateTime<Utc> = match DateTime::from_timestamp(252_771_148_799, 999_999_999) {
    Some(t) => t,
    None => panic!("LAST_TIME is representable"),
};

/// The latest deadline the engine arms: 9999-12-31T23:59:59Z. A timer that would fall
/// due later (a business-hours timer counting open time of a line that is rarely open)
/// is not armed: no accepted input time reaches it, so it could never fire.
pub const LAST_DEADLINE: DateTime<Utc> = match DateTime::from_timestamp(253_402_300_799, 0) {
    Some(t) => t,
    None => panic!("LAST_DEADLINE is representable"),
};

/// Whether the engine accepts `at` as an input time ([`FIRST_TIME`]..=[`LAST_TIME`]).
pub fn accepted(at: DateTime<Utc>) -> bool {
    (FIRST_TIME..=LAST_TIME).contains(&at)
}

/// Serialize a timestamp (text when human-readable, `(seconds, nanoseconds)` otherwise).
pub fn serialize<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    if serializer.is_human_readable() {
        at.serialize(serializer)
    } else {
        (at.timestamp(), at.timestamp_subsec_nanos()).serialize(serializer)
    }
}

/// Deserialize what [`serialize`] wrote.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    if deserializer.is_human_readable() {
        DateTime::<Utc>::deserialize(deserializer)
    } else {
        let (secs, nanos) = <(i64, u32)>::deserialize(deserializer)?;
        DateTime::from_timestamp(secs, nanos).ok_or_else(|| {
            D::Error::custom(format_args!("timestamp {secs}.{nanos} is out of range"))
        })
    }
}

/// A timestamp that serializes like [`serialize`] (for tuples and collections).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Stamp(#[serde(with = "self")] pub DateTime<Utc>);

/// The same for `Option<DateTime<Utc>>`.
pub mod option {
    use super::*;

    /// Serialize an optional timestamp.
    pub fn serialize<S: Serializer>(
        at: &Option<DateTime<Utc>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        at.map(Stamp).serialize(serializer)
    }

    /// Deserialize an optional timestamp.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        Ok(Option::<Stamp>::deserialize(deserializer)?.map(|s| s.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn text_in_json_numbers_in_the_codec() {
        let at =
            Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap() + chrono::Duration::nanoseconds(5);
        let stamp = Stamp(at);
        assert_eq!(
            serde_json::to_string(&stamp).unwrap(),
            "\"2026-11-23T09:00:00.000000005Z\""
        );
        let bytes = crate::codec::to_vec(&stamp).unwrap();
        assert_eq!(
            bytes,
            crate::codec::to_vec(&(at.timestamp(), 5u32)).unwrap()
        );
        let back: Stamp = crate::codec::from_slice(&bytes).unwrap();
        assert_eq!(back, stamp);
        let none: Option<Stamp> =
            crate::codec::from_slice(&crate::codec::to_vec(&None::<Stamp>).unwrap()).unwrap();
        assert_eq!(none, None);
    }

    #[test]
    fn time_bounds_are_the_documented_instants() {
        assert_eq!(FIRST_TIME.to_rfc3339(), "0001-01-01T00:00:00+00:00");
        assert_eq!(
            LAST_TIME.to_rfc3339(),
            "9979-12-31T23:59:59.999999999+00:00"
        );
        assert_eq!(LAST_DEADLINE.to_rfc3339(), "9999-12-31T23:59:59+00:00");
        // The longest timer and the line-opening scan from the last accepted time fit.
        let longest = chrono::Duration::seconds(crate::config::MAX_SECS as i64)
            + chrono::Duration::days(crate::schedule::SCAN_DAYS + 8);
        assert!(LAST_TIME + longest < LAST_DEADLINE);
        assert!(accepted(FIRST_TIME) && accepted(LAST_TIME));
        assert!(!accepted(LAST_TIME + chrono::Duration::nanoseconds(1)));
        assert!(!accepted(FIRST_TIME - chrono::Duration::nanoseconds(1)));
    }

    #[test]
    fn out_of_range_numbers_are_errors() {
        let bytes = crate::codec::to_vec(&(i64::MAX, 0u32)).unwrap();
        assert!(crate::codec::from_slice::<Stamp>(&bytes).is_err());
        let bytes = crate::codec::to_vec(&(0i64, 2_000_000_000u32)).unwrap();
        assert!(crate::codec::from_slice::<Stamp>(&bytes).is_err());
    }
}
