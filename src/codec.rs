//! The binary encoding of [`Engine::snapshot_bytes`](crate::Engine::snapshot_bytes):
//! a header ([`SNAPSHOT_MAGIC`], [`FORMAT_VERSION`], the snapshot version), the state
//! in [postcard](https://docs.rs/postcard) (a compact, well-kept serde format: varint
//! integers, length-prefixed strings and sequences, fields in order), and a CRC-32C of
//! every byte before it.
//!
//! postcard is not self-describing, which the snapshot's types allow: they have no
//! internally tagged or untagged enums and skip no field, and the engine's timestamps
//! store plain numbers ([`crate::timestamp`]; the format is not human-readable).
//! Decoding untrusted bytes never panics: postcard checks every length against the
//! remaining input, serde caps up-front allocations, the state has no recursive type,
//! and the checksum is checked before anything is decoded. README ("Dependencies and
//! snapshot integrity") has the measurements that chose postcard over the hand-written
//! format this module used to hold.
//!
//! ```
//! use openlines::codec;
//! let bytes = codec::to_vec(&(7u64, "seven", vec![Some(true), None])).unwrap();
//! let back: (u64, String, Vec<Option<bool>>) = codec::from_slice(&bytes).unwrap();
//! assert_eq!(back, (7, "seven".to_owned(), vec![Some(true), None]));
//! ```

use std::fmt::{self, Display};

use serde::de;
use serde::ser::Serialize;

/// An encoding or decoding error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl From<postcard::Error> for Error {
    fn from(e: postcard::Error) -> Error {
        Error(e.to_string())
    }
}

/// Encode a value.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    Ok(postcard::to_allocvec(value)?)
}

/// Encode a value, appending to `out`.
pub fn to_writer<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result<(), Error> {
    let taken = std::mem::take(out);
    *out = postcard::to_extend(value, taken)?;
    Ok(())
}

/// Decode a value; the whole input must be consumed.
pub fn from_slice<'de, T: de::Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, Error> {
    let (value, rest) = postcard::take_from_bytes(bytes)?;
    if !rest.is_empty() {
        return Err(Error(format!(
            "at byte {}: {} trailing bytes",
            bytes.len() - rest.len(),
            rest.len()
        )));
    }
    Ok(value)
}

// ------------------------------------------------------------------ snapshot header

/// The first bytes of every binary snapshot.
pub const SNAPSHOT_MAGIC: &[u8; 4] = b"OLSN";

/// The version of this encoding, written after [`SNAPSHOT_MAGIC`]. Encoding 3 is
/// postcard with a trailing CRC-32C; encoding 2 was the hand-written format with the
/// checksum, encoding 1 without it.
pub const FORMAT_VERSION: u8 = 3;

/// Bytes of the trailing checksum.
const CHECKSUM_LEN: usize = 4;

/// A snapshot's bytes: [`SNAPSHOT_MAGIC`], [`FORMAT_VERSION`], the snapshot version
/// (a postcard varint), the value in postcard, then the [`crc32c`] of all of that (4 bytes,
/// little-endian).
pub fn encode_snapshot<T: Serialize + ?Sized>(snapshot_version: u32, value: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(4096);
    out.extend_from_slice(SNAPSHOT_MAGIC);
    out.push(FORMAT_VERSION);
    // Encoding into memory fails only for values postcard cannot express (a sequence
    // of unknown length); the engine's state has none.
    if to_writer(&mut out, &snapshot_version).is_err() || to_writer(&mut out, value).is_err() {
        out.truncate(SNAPSHOT_MAGIC.len() + 1);
    }
    let sum = crc32c(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

/// Rewrite the trailing checksum of snapshot-shaped bytes so that it matches the bytes
/// before it (for tests and fuzzers that craft snapshots to reach the checks behind the
/// checksum). The checksum guards against damage, not forgery: a crafted snapshot with
/// a matching checksum still goes through every check of `restore`. Bytes shorter than
/// a checksum are left alone.
pub fn reseal_snapshot(bytes: &mut [u8]) {
    if let Some(split) = bytes.len().checked_sub(CHECKSUM_LEN) {
        let (data, sum) = bytes.split_at_mut(split);
        sum.copy_from_slice(&crc32c(data).to_le_bytes());
    }
}

/// Check a snapshot's header and checksum and return the encoded value between them;
/// the error says what is wrong in words a person can act on.
pub fn snapshot_body(bytes: &[u8], expected_version: u32) -> Result<&[u8], String> {
    let Some(rest) = bytes.strip_prefix(SNAPSHOT_MAGIC.as_slice()) else {
        return Err(
            "snapshot bytes do not start with the openlines snapshot header \
                    (not a snapshot, or truncated)"
                .to_owned(),
        );
    };
    let Some((&format, rest)) = rest.split_first() else {
        return Err("snapshot bytes end after the header".to_owned());
    };
    if format != FORMAT_VERSION {
        return Err(format!(
            "snapshot encoding {format} is not supported (this engine reads encoding {FORMAT_VERSION})"
        ));
    }
    let Some(split) = rest.len().checked_sub(CHECKSUM_LEN) else {
        return Err("snapshot bytes end before their checksum (truncated)".to_owned());
    };
    let (rest, stored) = rest.split_at(split);
    let stored = u32::from_le_bytes([stored[0], stored[1], stored[2], stored[3]]);
    let computed = crc32c(&bytes[..bytes.len() - CHECKSUM_LEN]);
    if stored != computed {
        return Err(format!(
            "snapshot checksum does not match (stored {stored:08x}, computed {computed:08x}): \
             the bytes were damaged or truncated"
        ));
    }
    let (version, body) = postcard::take_from_bytes::<u32>(rest)
        .map_err(|e| format!("snapshot header is corrupt: {e}"))?;
    if version != expected_version {
        return Err(format!(
            "snapshot version {version} is not supported (this engine reads version {expected_version})"
        ));
    }
    Ok(body)
}

// ------------------------------------------------------------------ checksum

/// The CRC-32C (Castagnoli) polynomial, reflected.
const CRC32C_POLY: u32 = 0x82F6_3B78;

/// Slicing-by-8 tables: `[0]` is the classic byte table, `[k]` advances it k bytes.
static CRC32C_TABLES: [[u32; 256]; 8] = crc32c_tables();

const fn crc32c_tables() -> [[u32; 256]; 8] {
    let mut t = [[0u32; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ CRC32C_POLY
            } else {
                c >> 1
            };
            k += 1;
        }
        t[0][i] = c;
        i += 1;
    }
    let mut i = 0;
    while i < 256 {
        let mut k = 1;
        while k < 8 {
            let prev = t[k - 1][i];
            t[k][i] = (prev >> 8) ^ t[0][(prev & 0xff) as usize];
            k += 1;
        }
        i += 1;
    }
    t
}

/// CRC-32C (Castagnoli, as in iSCSI, ext4 and the `crc32c` crate) of `bytes`:
/// table-driven, eight bytes per step, no dependency (see README, "Dependencies").
pub fn crc32c(bytes: &[u8]) -> u32 {
    let t = &CRC32C_TABLES;
    let mut crc = !0u32;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let lo = u32::from_le_bytes([c[0], c[1], c[2], c[3]]) ^ crc;
        let hi = u32::from_le_bytes([c[4], c[5], c[6], c[7]]);
        crc = t[7][(lo & 0xff) as usize]
            ^ t[6][((lo >> 8) & 0xff) as usize]
            ^ t[5][((lo >> 16) & 0xff) as usize]
            ^ t[4][(lo >> 24) as usize]
            ^ t[3][(hi & 0xff) as usize]
            ^ t[2][((hi >> 8) & 0xff) as usize]
            ^ t[1][((hi >> 16) & 0xff) as usize]
            ^ t[0][(hi >> 24) as usize];
    }
    for &b in chunks.remainder() {
        crc = (crc >> 8) ^ t[0][((crc ^ u32::from(b)) & 0xff) as usize];
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};
    use std::collections::{BTreeMap, HashMap};

    use chrono::{DateTime, TimeZone, Utc};

    fn round<T: Serialize + for<'de> Deserialize<'de> + PartialEq + fmt::Debug>(v: T) {
        let bytes = to_vec(&v).unwrap();
        let back: T = from_slice(&bytes).unwrap_or_else(|e| panic!("{v:?}: {e}"));
        assert_eq!(back, v);
    }

    #[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Unit {
        A,
        B,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    enum External {
        U,
        N(u32),
        T(i8, String),
        S { a: Option<u8>, b: f64 },
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Newtype(u64);

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct UnitStruct;

    fn t(s: i64, n: u32) -> DateTime<Utc> {
        Utc.timestamp_opt(s, n).unwrap()
    }

    #[test]
    fn scalars_round_trip() {
        for n in [0u64, 1, 127, 128, 300, u32::MAX.into(), u64::MAX] {
            round(n);
        }
        for n in [0i64, -1, 63, -64, 64, -65, i64::MIN, i64::MAX] {
            round(n);
        }
        round(-5i32);
        round(200u8);
        round((true, false, 'x', 1.5f64, -2.25f32));
        round(String::new());
        round("héllo".to_owned());
        round(());
        round(UnitStruct);
        round(Newtype(99));
        round(Some(Some(3u8)));
        round(None::<u8>);
        round(Some(()));
    }

    #[test]
    fn containers_round_trip() {
        round(vec![1u32, 2, 3]);
        round(Vec::<String>::new());
        round((1u8, "a".to_owned(), vec![(2u32, Unit::B)]));
        let mut m = BTreeMap::new();
        m.insert(3u64, vec!["x".to_owned()]);
        m.insert(1, vec![]);
        round(m);
        let mut h = HashMap::new();
        h.insert("k".to_owned(), Some(t(0, 0)));
        round(h);
        round(vec![vec![vec![1u8]]]);
    }

    #[test]
    fn enums_round_trip() {
        round(vec![
            External::U,
            External::N(5),
            External::T(-3, "t".into()),
            External::S { a: None, b: 0.5 },
        ]);
        round(vec![Unit::A, Unit::B]);
    }

    #[test]
    fn crc32c_matches_the_standard_check_values() {
        assert_eq!(crc32c(b""), 0);
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
        // RFC 3720 (iSCSI) B.4: 32 bytes of zeros, of ones, ascending.
        assert_eq!(crc32c(&[0u8; 32]), 0x8A91_36AA);
        assert_eq!(crc32c(&[0xffu8; 32]), 0x62A8_AB43);
        let ascending: Vec<u8> = (0u8..32).collect();
        assert_eq!(crc32c(&ascending), 0x46DD_794E);
        // Every split between the 8-byte steps and the tail agrees with a byte loop.
        let data: Vec<u8> = (0u32..100).map(|i| (i * 37 % 251) as u8).collect();
        for n in 0..data.len() {
            let slow = !data[..n].iter().fold(!0u32, |crc, &b| {
                (crc >> 8) ^ CRC32C_TABLES[0][((crc ^ u32::from(b)) & 0xff) as usize]
            });
            assert_eq!(crc32c(&data[..n]), slow, "{n} bytes");
        }
    }

    #[test]
    fn snapshot_checksum_is_checked_before_the_version() {
        let mut bytes = encode_snapshot(7, &("state", 1u8));
        assert_eq!(snapshot_body(&bytes, 7), Ok(&bytes[6..bytes.len() - 4]));
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let e = snapshot_body(&bytes, 7).unwrap_err();
        assert!(e.contains("checksum does not match"), "{e}");
        bytes[last] ^= 1;
        // Another version with a good checksum: the version is named.
        bytes[5] = 9;
        let e = snapshot_body(&bytes, 7).unwrap_err();
        assert!(e.contains("checksum"), "{e}");
        reseal_snapshot(&mut bytes);
        let e = snapshot_body(&bytes, 7).unwrap_err();
        assert!(e.contains("version 9 is not supported"), "{e}");
        // The encoding without a checksum is named as such.
        bytes[4] = 1;
        let e = snapshot_body(&bytes, 7).unwrap_err();
        assert!(e.contains("encoding 1 is not supported"), "{e}");
        assert!(
            snapshot_body(b"OLSN\x03\x07", 7)
                .unwrap_err()
                .contains("truncated")
        );
    }

    #[test]
    fn errors_are_reported_not_panics() {
        assert!(from_slice::<u32>(&[]).is_err());
        // A varint longer than a u32.
        assert!(from_slice::<u32>(&[0xff, 0xff, 0xff, 0xff, 0xff, 0x01]).is_err());
        // A string longer than the input, and one that is not UTF-8.
        assert!(from_slice::<String>(&[200, 1]).is_err());
        assert!(from_slice::<String>(&[2, 0xff, 0xfe]).is_err());
        // A sequence that claims 2^35 elements allocates nothing up front.
        assert!(from_slice::<Vec<u64>>(&[0xff, 0xff, 0xff, 0xff, 0x7f]).is_err());
        // Trailing bytes are refused.
        let e = from_slice::<u8>(&[5, 0]).unwrap_err();
        assert!(e.to_string().contains("trailing"), "{e}");
        // A bad enum variant index.
        assert!(from_slice::<Unit>(&[9]).is_err());
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
                let _ = from_slice::<Vec<Unit>>(&bytes);
                let _ = from_slice::<BTreeMap<u64, External>>(&bytes);
                let _ = from_slice::<(String, Option<DateTime<Utc>>, Vec<Vec<u8>>)>(&bytes);
            }

            #[test]
            fn truncations_and_flips_are_errors(cut in 0usize..200, flip in 0usize..200, bit in 0u8..8) {
                let value = (
                    vec![External::N(70_000), External::T(-3, "t".into())],
                    External::S { a: Some(9), b: -1.0 },
                    "text".to_owned(),
                    t(1_800_000_123, 250_000_000),
                );
                type Value = (Vec<External>, External, String, DateTime<Utc>);
                let bytes = to_vec(&value).unwrap();
                let cut = cut % bytes.len();
                prop_assert!(from_slice::<Value>(&bytes[..cut]).is_err());
                let mut flipped = bytes.clone();
                let i = flip % bytes.len();
                flipped[i] ^= 1 << bit;
                let _ = from_slice::<Value>(&flipped);
            }
        }
    }
}
