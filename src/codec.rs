//! A compact, self-describing binary serde format: the encoding of
//! [`Engine::snapshot_bytes`](crate::Engine::snapshot_bytes).
//!
//! Every value starts with a one-byte tag. Integers are LEB128 varints (negative ones
//! stored as `-1 - n`), integers 0..=127 fit in the tag byte itself, strings, bytes,
//! sequences and maps are length-prefixed, structs are their fields in order (no
//! names) closed by an end tag, enums are their variant index plus the variant's
//! content. Timestamps that serialize themselves as canonical RFC 3339 UTC text (as
//! `chrono::DateTime<Utc>` does) are stored as seconds and nanoseconds since the Unix
//! epoch and given back as the very same text, so any type round-trips unchanged.
//! The format is not human-readable (`is_human_readable` is false), so types that ask,
//! like the engine's state through [`crate::timestamp`], store plain numbers instead.
//!
//! The format is self-describing (it supports `deserialize_any`), which the engine's
//! internally tagged enums need. Decoding untrusted bytes never panics: every length is
//! checked against the remaining input before anything is allocated, nesting is capped
//! at [`MAX_DEPTH`], and any problem is an [`Error`] naming the byte offset.
//!
//! ```
//! use openlines::codec;
//! let bytes = codec::to_vec(&(7u64, "seven", vec![Some(true), None])).unwrap();
//! let back: (u64, String, Vec<Option<bool>>) = codec::from_slice(&bytes).unwrap();
//! assert_eq!(back, (7, "seven".to_owned(), vec![Some(true), None]));
//! ```

use std::fmt::{self, Display, Write as _};

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::ser::{self, Serialize};

/// The deepest nesting of containers the decoder accepts.
pub const MAX_DEPTH: usize = 128;

const T_UNIT: u8 = 0;
const T_NONE: u8 = 1;
const T_SOME: u8 = 2;
const T_FALSE: u8 = 3;
const T_TRUE: u8 = 4;
const T_UINT: u8 = 5;
const T_NINT: u8 = 6;
const T_F32: u8 = 7;
const T_F64: u8 = 8;
const T_STR: u8 = 9;
const T_BYTES: u8 = 10;
const T_SEQ: u8 = 11;
const T_MAP: u8 = 12;
const T_STRUCT: u8 = 13;
const T_END: u8 = 14;
const T_ABSENT: u8 = 15;
const T_ENUM: u8 = 16;
const T_TIME: u8 = 17;
const T_SEQ_OPEN: u8 = 18;
const T_MAP_OPEN: u8 = 19;
/// Tags from here on are the unsigned integers 0..=127 themselves.
const T_SMALL: u8 = 0x80;

/// An encoding or decoding error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl Error {
    fn at(pos: usize, what: impl Display) -> Error {
        Error(format!("at byte {pos}: {what}"))
    }
}

impl Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

impl de::Error for Error {
    fn custom<T: Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

/// Encode a value.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    to_writer(&mut out, value)?;
    Ok(out)
}

/// Encode a value, appending to `out`.
pub fn to_writer<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result<(), Error> {
    let mut ser = Serializer {
        out: std::mem::take(out),
        scratch: String::new(),
    };
    let result = value.serialize(&mut ser);
    *out = ser.out;
    result
}

/// Decode a value; the whole input must be consumed.
pub fn from_slice<'de, T: de::Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, Error> {
    let mut de = Deserializer {
        input: bytes,
        pos: 0,
        depth: 0,
    };
    let value = T::deserialize(&mut de)?;
    if de.pos != bytes.len() {
        return Err(Error::at(
            de.pos,
            format_args!("{} trailing bytes", bytes.len() - de.pos),
        ));
    }
    Ok(value)
}

// ------------------------------------------------------------------ snapshot header

/// The first bytes of every binary snapshot.
pub const SNAPSHOT_MAGIC: &[u8; 4] = b"OLSN";

/// The version of this encoding, written after [`SNAPSHOT_MAGIC`]. Encoding 2 ends
/// with a CRC-32C of every byte before it; encoding 1 had no checksum.
pub const FORMAT_VERSION: u8 = 2;

/// Bytes of the trailing checksum.
const CHECKSUM_LEN: usize = 4;

/// A snapshot's bytes: [`SNAPSHOT_MAGIC`], [`FORMAT_VERSION`], the snapshot version
/// as a varint, the encoded value, then the [`crc32c`] of all of that (4 bytes,
/// little-endian).
pub fn encode_snapshot<T: Serialize + ?Sized>(snapshot_version: u32, value: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(4096);
    out.extend_from_slice(SNAPSHOT_MAGIC);
    out.push(FORMAT_VERSION);
    let mut ser = Serializer {
        out,
        scratch: String::new(),
    };
    ser.uint(snapshot_version.into());
    let mut out = ser.out;
    // Encoding into memory fails only for values serde cannot express here (e.g. a
    // u128 over 64 bits); the engine's state has none.
    if to_writer(&mut out, value).is_err() {
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
    let mut de = Deserializer {
        input: rest,
        pos: 0,
        depth: 0,
    };
    let version = de
        .uint()
        .map_err(|e| format!("snapshot header is corrupt: {e}"))?;
    if version != u64::from(expected_version) {
        return Err(format!(
            "snapshot version {version} is not supported (this engine reads version {expected_version})"
        ));
    }
    Ok(&rest[de.pos..])
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

// ------------------------------------------------------------------ timestamps

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// The canonical RFC 3339 UTC text of a timestamp (chrono's `AutoSi` with `Z`), or
/// `None` outside years 0..=9999 or for leap-second nanoseconds.
fn format_time(secs: i64, nanos: u32, out: &mut String) -> Option<()> {
    if nanos >= 1_000_000_000 {
        return None;
    }
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    if !(0..=9999).contains(&y) {
        return None;
    }
    out.clear();
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    );
    if nanos != 0 {
        if nanos.is_multiple_of(1_000_000) {
            let _ = write!(out, ".{:03}", nanos / 1_000_000);
        } else if nanos.is_multiple_of(1000) {
            let _ = write!(out, ".{:06}", nanos / 1000);
        } else {
            let _ = write!(out, ".{nanos:09}");
        }
    }
    out.push('Z');
    Some(())
}

/// Parse text that looks like a canonical RFC 3339 UTC timestamp; the caller checks
/// the round trip.
fn parse_time(s: &str) -> Option<(i64, u32)> {
    let b = s.as_bytes();
    if b.len() < 20 || b.len() > 30 || b[b.len() - 1] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let mut n = 0i64;
        for &c in b.get(r)? {
            if !c.is_ascii_digit() {
                return None;
            }
            n = n * 10 + i64::from(c - b'0');
        }
        Some(n)
    };
    if b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    let nanos = match b.len() {
        20 => 0,
        24 | 27 | 30 if b[19] == b'.' => {
            let digits = b.len() - 21;
            let frac = num(20..b.len() - 1)?;
            frac * 10i64.pow(9 - digits as u32)
        }
        _ => return None,
    };
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec;
    Some((secs, u32::try_from(nanos).ok()?))
}

// ------------------------------------------------------------------ serializer

struct Serializer {
    out: Vec<u8>,
    scratch: String,
}

impl Serializer {
    fn uint(&mut self, mut n: u64) {
        while n >= 0x80 {
            self.out.push((n as u8) | 0x80);
            n >>= 7;
        }
        self.out.push(n as u8);
    }

    fn tagged_uint(&mut self, n: u64) {
        if n < 0x80 {
            self.out.push(T_SMALL | n as u8);
        } else {
            self.out.push(T_UINT);
            self.uint(n);
        }
    }

    fn int(&mut self, n: i64) {
        if n >= 0 {
            self.tagged_uint(n as u64);
        } else {
            self.out.push(T_NINT);
            self.uint(!(n as u64));
        }
    }

    fn len(&mut self, tag: u8, len: usize) {
        self.out.push(tag);
        self.uint(len as u64);
    }

    fn text(&mut self, s: &str) {
        self.len(T_STR, s.len());
        self.out.extend_from_slice(s.as_bytes());
    }
}

/// A sequence, map, struct or variant being written.
struct Compound<'a> {
    ser: &'a mut Serializer,
    /// Write an end tag when done (unknown-length sequences, structs).
    end: bool,
}

impl Compound<'_> {
    fn finish(self) -> Result<(), Error> {
        if self.end {
            self.ser.out.push(T_END);
        }
        Ok(())
    }
}

impl<'a> ser::Serializer for &'a mut Serializer {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.out.push(if v { T_TRUE } else { T_FALSE });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.int(v.into());
        Ok(())
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.int(v.into());
        Ok(())
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.int(v.into());
        Ok(())
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.int(v);
        Ok(())
    }
    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        let v = i64::try_from(v).map_err(|_| Error("i128 out of range".into()))?;
        self.int(v);
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.tagged_uint(v.into());
        Ok(())
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.tagged_uint(v.into());
        Ok(())
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.tagged_uint(v.into());
        Ok(())
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.tagged_uint(v);
        Ok(())
    }
    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        let v = u64::try_from(v).map_err(|_| Error("u128 out of range".into()))?;
        self.tagged_uint(v);
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.out.push(T_F32);
        self.out.extend_from_slice(&v.to_le_bytes());
        Ok(())
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.out.push(T_F64);
        self.out.extend_from_slice(&v.to_le_bytes());
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.text(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.text(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        self.len(T_BYTES, v.len());
        self.out.extend_from_slice(v);
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.out.push(T_NONE);
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        self.out.push(T_SOME);
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.out.push(T_UNIT);
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
    ) -> Result<(), Error> {
        self.out.push(T_ENUM);
        self.uint(index.into());
        self.out.push(T_UNIT);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.out.push(T_ENUM);
        self.uint(index.into());
        value.serialize(self)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Compound<'a>, Error> {
        match len {
            Some(n) => {
                self.len(T_SEQ, n);
                Ok(Compound {
                    ser: self,
                    end: false,
                })
            }
            None => {
                self.out.push(T_SEQ_OPEN);
                Ok(Compound {
                    ser: self,
                    end: true,
                })
            }
        }
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Compound<'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
        len: usize,
    ) -> Result<Compound<'a>, Error> {
        self.out.push(T_ENUM);
        self.uint(index.into());
        self.serialize_seq(Some(len))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Compound<'a>, Error> {
        match len {
            Some(n) => {
                self.len(T_MAP, n);
                Ok(Compound {
                    ser: self,
                    end: false,
                })
            }
            None => {
                self.out.push(T_MAP_OPEN);
                Ok(Compound {
                    ser: self,
                    end: true,
                })
            }
        }
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Compound<'a>, Error> {
        self.out.push(T_STRUCT);
        Ok(Compound {
            ser: self,
            end: true,
        })
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, Error> {
        self.out.push(T_ENUM);
        self.uint(index.into());
        self.out.push(T_STRUCT);
        Ok(Compound {
            ser: self,
            end: true,
        })
    }
    fn collect_str<T: Display + ?Sized>(self, value: &T) -> Result<(), Error> {
        let mut text = std::mem::take(&mut self.scratch);
        text.clear();
        let _ = write!(text, "{value}");
        let mut check = String::with_capacity(32);
        match parse_time(&text) {
            Some((secs, nanos))
                if format_time(secs, nanos, &mut check).is_some() && check == text =>
            {
                self.out.push(T_TIME);
                self.uint(((secs << 1) ^ (secs >> 63)) as u64);
                self.uint(nanos.into());
            }
            _ => self.text(&text),
        }
        self.scratch = text;
        Ok(())
    }
    fn is_human_readable(&self) -> bool {
        // Binary: types that ask (`crate::timestamp`) store numbers. Types that do not
        // ask keep their usual forms; text timestamps are still compacted (`collect_str`).
        false
    }
}

macro_rules! compound_element {
    ($trait:ident, $method:ident) => {
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                value.serialize(&mut *self.ser)
            }
            fn end(self) -> Result<(), Error> {
                self.finish()
            }
        }
    };
}

compound_element!(SerializeSeq, serialize_element);
compound_element!(SerializeTuple, serialize_element);
compound_element!(SerializeTupleStruct, serialize_field);
compound_element!(SerializeTupleVariant, serialize_field);

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        key.serialize(&mut *self.ser)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut *self.ser)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

macro_rules! compound_struct {
    ($trait:ident) => {
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = Error;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                _key: &'static str,
                value: &T,
            ) -> Result<(), Error> {
                value.serialize(&mut *self.ser)
            }
            fn skip_field(&mut self, _key: &'static str) -> Result<(), Error> {
                // Keep positions: a skipped field decodes as missing (its default).
                self.ser.out.push(T_ABSENT);
                Ok(())
            }
            fn end(self) -> Result<(), Error> {
                self.finish()
            }
        }
    };
}

compound_struct!(SerializeStruct);
compound_struct!(SerializeStructVariant);

// ------------------------------------------------------------------ deserializer

struct Deserializer<'de> {
    input: &'de [u8],
    pos: usize,
    depth: usize,
}

impl<'de> Deserializer<'de> {
    fn err(&self, what: impl Display) -> Error {
        Error::at(self.pos, what)
    }

    fn byte(&mut self) -> Result<u8, Error> {
        let b = *self
            .input
            .get(self.pos)
            .ok_or_else(|| self.err("unexpected end of input"))?;
        self.pos += 1;
        Ok(b)
    }

    fn peek(&self) -> Result<u8, Error> {
        self.input
            .get(self.pos)
            .copied()
            .ok_or_else(|| self.err("unexpected end of input"))
    }

    fn uint(&mut self) -> Result<u64, Error> {
        let mut n = 0u64;
        let mut shift = 0u32;
        loop {
            let b = self.byte()?;
            if shift == 63 && b > 1 {
                return Err(self.err("varint overflows 64 bits"));
            }
            n |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(n);
            }
            shift += 7;
            if shift > 63 {
                return Err(self.err("varint too long"));
            }
        }
    }

    fn remaining(&self) -> usize {
        self.input.len() - self.pos
    }

    /// A length that cannot exceed the remaining input (each item needs a byte).
    fn len(&mut self, per_item: usize) -> Result<usize, Error> {
        let n = self.uint()?;
        match usize::try_from(n) {
            Ok(n) if n.saturating_mul(per_item) <= self.remaining() => Ok(n),
            _ => Err(self.err(format_args!(
                "length {n} is longer than the {} bytes left",
                self.remaining()
            ))),
        }
    }

    fn take(&mut self, n: usize) -> Result<&'de [u8], Error> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.input.len())
            .ok_or_else(|| self.err("unexpected end of input"))?;
        let slice = &self.input[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    fn enter(&mut self) -> Result<(), Error> {
        if self.depth >= MAX_DEPTH {
            return Err(self.err(format_args!("nested deeper than {MAX_DEPTH}")));
        }
        self.depth += 1;
        Ok(())
    }

    fn str(&mut self) -> Result<&'de str, Error> {
        let n = self.len(1)?;
        let start = self.pos;
        let bytes = self.take(n)?;
        std::str::from_utf8(bytes).map_err(|e| Error::at(start, e))
    }
}

impl<'de> de::Deserializer<'de> for &mut Deserializer<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let at = self.pos;
        let tag = self.byte()?;
        match tag {
            T_SMALL..=u8::MAX => visitor.visit_u64(u64::from(tag & 0x7f)),
            T_UNIT => visitor.visit_unit(),
            T_NONE => visitor.visit_none(),
            T_SOME => {
                self.enter()?;
                let v = visitor.visit_some(&mut *self);
                self.depth -= 1;
                v
            }
            T_FALSE => visitor.visit_bool(false),
            T_TRUE => visitor.visit_bool(true),
            T_UINT => visitor.visit_u64(self.uint()?),
            T_NINT => visitor.visit_i64(!(self.uint()? as i64)),
            T_F32 => {
                let b = self.take(4)?;
                visitor.visit_f32(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            }
            T_F64 => {
                let b = self.take(8)?;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                visitor.visit_f64(f64::from_le_bytes(a))
            }
            T_STR => visitor.visit_borrowed_str(self.str()?),
            T_BYTES => {
                let n = self.len(1)?;
                visitor.visit_borrowed_bytes(self.take(n)?)
            }
            T_TIME => {
                let z = self.uint()?;
                let secs = ((z >> 1) as i64) ^ -((z & 1) as i64);
                let nanos = u32::try_from(self.uint()?).map_err(|_| self.err("bad nanoseconds"))?;
                let mut text = String::with_capacity(32);
                format_time(secs, nanos, &mut text)
                    .ok_or_else(|| Error::at(at, "timestamp out of range"))?;
                visitor.visit_str(&text)
            }
            T_SEQ | T_SEQ_OPEN | T_STRUCT => {
                let left = if tag == T_SEQ {
                    Some(self.len(1)?)
                } else {
                    None
                };
                self.enter()?;
                let mut access = Seq {
                    de: &mut *self,
                    left,
                    done: false,
                };
                let v = visitor.visit_seq(&mut access)?;
                access.finish()?;
                self.depth -= 1;
                Ok(v)
            }
            T_MAP | T_MAP_OPEN => {
                let left = if tag == T_MAP {
                    Some(self.len(2)?)
                } else {
                    None
                };
                self.enter()?;
                let mut access = Map {
                    de: &mut *self,
                    left,
                    done: false,
                };
                let v = visitor.visit_map(&mut access)?;
                access.finish()?;
                self.depth -= 1;
                Ok(v)
            }
            T_ENUM => {
                // Seen without a type hint: a one-entry map {variant index: content}.
                let index = self.uint()?;
                self.enter()?;
                let v = visitor.visit_map(VariantAsMap {
                    de: &mut *self,
                    index: Some(index),
                })?;
                self.depth -= 1;
                Ok(v)
            }
            T_END | T_ABSENT => Err(Error::at(at, "unexpected end marker")),
            other => Err(Error::at(at, format_args!("unknown tag {other}"))),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.peek()? {
            T_ENUM => {
                self.pos += 1;
                let index = self.uint()?;
                let index = u32::try_from(index).map_err(|_| self.err("bad variant index"))?;
                self.enter()?;
                let v = visitor.visit_enum(Enum {
                    de: &mut *self,
                    index,
                })?;
                self.depth -= 1;
                Ok(v)
            }
            T_STR => {
                // A unit variant by name (e.g. text written by another serializer).
                self.pos += 1;
                let name = self.str()?;
                visitor.visit_enum(name.into_deserializer())
            }
            other => Err(self.err(format_args!("expected an enum, found tag {other}"))),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.peek()? {
            T_NONE | T_SOME | T_UNIT => self.deserialize_any(visitor),
            // A value written without the Option wrapper.
            _ => {
                self.enter()?;
                let v = visitor.visit_some(&mut *self);
                self.depth -= 1;
                v
            }
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_any(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn is_human_readable(&self) -> bool {
        false
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct identifier
    }
}

/// Elements of a sequence or struct: counted, or up to an end tag.
struct Seq<'a, 'de> {
    de: &'a mut Deserializer<'de>,
    left: Option<usize>,
    done: bool,
}

impl Seq<'_, '_> {
    /// Require that every element was read (and consume the end tag).
    fn finish(&mut self) -> Result<(), Error> {
        match self.left {
            Some(0) => Ok(()),
            Some(n) => Err(self.de.err(format_args!("{n} elements left unread"))),
            None if self.done => Ok(()),
            None => {
                if self.de.byte()? == T_END {
                    Ok(())
                } else {
                    Err(self.de.err("more fields than the type has"))
                }
            }
        }
    }
}

impl<'de> de::SeqAccess<'de> for Seq<'_, 'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        match &mut self.left {
            Some(0) => return Ok(None),
            Some(n) => *n -= 1,
            None => {
                if self.done {
                    return Ok(None);
                }
                match self.de.peek()? {
                    T_END => {
                        self.de.pos += 1;
                        self.done = true;
                        return Ok(None);
                    }
                    T_ABSENT => {
                        // A skipped field: missing (the type's default applies).
                        self.de.pos += 1;
                        return Ok(None);
                    }
                    _ => {}
                }
            }
        }
        seed.deserialize(&mut *self.de).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        // Never more than the bytes left, so preallocation stays bounded by the input.
        self.left.map(|n| n.min(self.de.remaining()))
    }
}

/// Entries of a map: counted, or up to an end tag.
struct Map<'a, 'de> {
    de: &'a mut Deserializer<'de>,
    left: Option<usize>,
    done: bool,
}

impl Map<'_, '_> {
    fn finish(&mut self) -> Result<(), Error> {
        match self.left {
            Some(0) => Ok(()),
            Some(n) => Err(self.de.err(format_args!("{n} map entries left unread"))),
            None if self.done => Ok(()),
            None => {
                if self.de.byte()? == T_END {
                    Ok(())
                } else {
                    Err(self.de.err("map entries left unread"))
                }
            }
        }
    }
}

impl<'de> de::MapAccess<'de> for Map<'_, 'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match &mut self.left {
            Some(0) => return Ok(None),
            Some(n) => *n -= 1,
            None => {
                if self.done {
                    return Ok(None);
                }
                if self.de.peek()? == T_END {
                    self.de.pos += 1;
                    self.done = true;
                    return Ok(None);
                }
            }
        }
        seed.deserialize(&mut *self.de).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        seed.deserialize(&mut *self.de)
    }

    fn size_hint(&self) -> Option<usize> {
        self.left.map(|n| n.min(self.de.remaining() / 2))
    }
}

/// An enum met by `deserialize_any`: `{index: content}`.
struct VariantAsMap<'a, 'de> {
    de: &'a mut Deserializer<'de>,
    index: Option<u64>,
}

impl<'de> de::MapAccess<'de> for VariantAsMap<'_, 'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.index.take() {
            Some(i) => seed
                .deserialize(IntoDeserializer::<Error>::into_deserializer(i))
                .map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        seed.deserialize(&mut *self.de)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(usize::from(self.index.is_some()))
    }
}

struct Enum<'a, 'de> {
    de: &'a mut Deserializer<'de>,
    index: u32,
}

impl<'a, 'de> de::EnumAccess<'de> for Enum<'a, 'de> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), Error> {
        let v = seed.deserialize(IntoDeserializer::<Error>::into_deserializer(self.index))?;
        Ok((v, self))
    }
}

impl<'de> de::VariantAccess<'de> for Enum<'_, 'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        match self.de.byte()? {
            T_UNIT => Ok(()),
            other => Err(self
                .de
                .err(format_args!("expected a unit variant, found tag {other}"))),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(&mut *self.de)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_any(&mut *self.de, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_any(&mut *self.de, visitor)
    }
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

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(tag = "status", rename_all = "snake_case")]
    enum Tagged {
        Plain,
        WithFields {
            ops: Vec<u32>,
            at: DateTime<Utc>,
            reason: Unit,
        },
        Other {
            n: u32,
        },
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
    #[serde(default)]
    struct Skips {
        a: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        b: Option<String>,
        c: bool,
    }

    impl Default for Skips {
        fn default() -> Self {
            Skips {
                a: 0,
                b: None,
                c: true,
            }
        }
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
        round(vec![
            Tagged::Plain,
            Tagged::WithFields {
                ops: vec![1, 2],
                at: t(1_800_000_000, 0),
                reason: Unit::B,
            },
            Tagged::Other { n: 7 },
        ]);
        round(Some(Tagged::Plain));
        round(vec![Unit::A, Unit::B]);
    }

    #[test]
    fn skipped_fields_take_their_default() {
        round(Skips {
            a: 1,
            b: None,
            c: false,
        });
        round(Skips {
            a: 1,
            b: Some("x".into()),
            c: false,
        });
    }

    #[test]
    fn timestamps_are_compact_and_exact() {
        for (s, n) in [
            (0, 0),
            (1_800_000_000, 0),
            (1_800_000_000, 5_000_000),
            (1_800_000_000, 5_000),
            (1_800_000_000, 5),
            (-86_401, 0),
            (253_402_300_799, 999_999_999),
        ] {
            let time = t(s, n);
            round(time);
            let bytes = to_vec(&time).unwrap();
            assert_eq!(bytes[0], T_TIME, "{time}");
            assert!(bytes.len() <= 12);
        }
        // A string that only looks like a timestamp stays byte for byte.
        for s in [
            "2026-11-23T09:00:00Z",
            "2026-11-23T09:00:00.500Z",
            "2026-02-30T09:00:00Z",
            "2026-11-23T09:00:00.5Z",
            "2026-11-23 09:00:00Z",
        ] {
            round(s.to_owned());
        }
        // Out-of-range years still round-trip (as text).
        round(Utc.with_ymd_and_hms(12000, 1, 1, 0, 0, 0).unwrap());
        round(Utc.with_ymd_and_hms(-5, 1, 1, 0, 0, 0).unwrap());
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
            snapshot_body(b"OLSN\x02\x07", 7)
                .unwrap_err()
                .contains("truncated")
        );
    }

    #[test]
    fn errors_are_reported_not_panics() {
        assert!(from_slice::<u32>(&[]).is_err());
        assert!(from_slice::<u32>(&[T_UINT, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]).is_err());
        assert!(from_slice::<String>(&[T_STR, 200, 1]).is_err());
        assert!(from_slice::<Vec<u8>>(&[T_SEQ, 0xff, 0xff, 0xff, 0xff, 0x0f]).is_err());
        assert!(from_slice::<u8>(&[T_SMALL | 5, 0]).is_err());
        let deep: Vec<u8> = std::iter::repeat_n(T_SOME, 10_000)
            .chain([T_NONE])
            .collect();
        assert!(from_slice::<de::IgnoredAny>(&deep).is_err());
        let deep: Vec<u8> = std::iter::repeat_n([T_SEQ, 1], 10_000).flatten().collect();
        assert!(from_slice::<de::IgnoredAny>(&deep).is_err());
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
                let _ = from_slice::<de::IgnoredAny>(&bytes);
                let _ = from_slice::<Vec<Tagged>>(&bytes);
                let _ = from_slice::<BTreeMap<u64, External>>(&bytes);
                let _ = from_slice::<(String, Option<DateTime<Utc>>, Skips)>(&bytes);
            }

            #[test]
            fn truncations_and_flips_are_errors(cut in 0usize..200, flip in 0usize..200, bit in 0u8..8) {
                let value = (
                    vec![Tagged::Other { n: 70_000 }, Tagged::WithFields {
                        ops: vec![1, 500], at: t(1_800_000_123, 250_000_000), reason: Unit::A }],
                    External::S { a: Some(9), b: -1.0 },
                    "text".to_owned(),
                );
                let bytes = to_vec(&value).unwrap();
                let cut = cut % bytes.len();
                prop_assert!(from_slice::<(Vec<Tagged>, External, String)>(&bytes[..cut]).is_err());
                let mut flipped = bytes.clone();
                let i = flip % bytes.len();
                flipped[i] ^= 1 << bit;
                let _ = from_slice::<(Vec<Tagged>, External, String)>(&flipped);
            }
        }
    }
}
