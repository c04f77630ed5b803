//! Conversions between Python objects and the core's types, written once and shared by
//! every class: Python values <-> `serde_json::Value` (the contract's JSON shape), and
//! aware `datetime` <-> `DateTime<Utc>`.

use chrono::{DateTime, Datelike, Timelike, Utc};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyDateTime, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString, PyTuple, PyTzInfo,
};
use serde_json::{Map, Number, Value};

/// Deepest nesting accepted from Python (serde_json's own parser stops at 128): deeper
/// values, and self-referencing lists or dicts, are rejected instead of overflowing the stack.
pub const MAX_DEPTH: usize = 100;

/// Why a Python value could not become JSON.
#[derive(Debug)]
pub enum ConvError {
    /// The Python type can never be JSON (a set, an object, a non-str key): `TypeError`.
    Type(String),
    /// The type fits but the value does not (NaN, a huge int, too deep): the caller's
    /// `InputError` or `ConfigError`.
    Value(String),
    /// Python code raised while we looked (a `Mapping` whose `items()` failed).
    Py(PyErr),
}

impl From<PyErr> for ConvError {
    fn from(e: PyErr) -> Self {
        ConvError::Py(e)
    }
}

impl ConvError {
    /// Turn into a Python exception; `value_error` builds the caller's error for values.
    pub fn into_pyerr(self, value_error: impl FnOnce(String) -> PyErr) -> PyErr {
        match self {
            ConvError::Type(msg) => PyTypeError::new_err(msg),
            ConvError::Value(msg) => value_error(msg),
            ConvError::Py(e) => e,
        }
    }
}

fn at_path(path: &str, msg: impl std::fmt::Display) -> String {
    if path.is_empty() {
        msg.to_string()
    } else {
        format!("{path}: {msg}")
    }
}

fn child_key(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// The Python type name of `obj`, for messages.
pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_owned())
}

/// Convert a Python value of JSON shape (None, bool, int, float, str, list, tuple, dict
/// or any `Mapping` with str keys) to a `serde_json::Value`. `path` names the value in
/// messages, in the contract's style (`lines[0].queue.operators[2]`).
pub fn py_to_value(obj: &Bound<'_, PyAny>, path: &str) -> Result<Value, ConvError> {
    to_value(obj, path, 0)
}

fn to_value(obj: &Bound<'_, PyAny>, path: &str, depth: usize) -> Result<Value, ConvError> {
    if depth > MAX_DEPTH {
        return Err(ConvError::Value(at_path(
            path,
            format!("nested more than {MAX_DEPTH} levels deep"),
        )));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return match s.to_cow() {
            Ok(s) => Ok(Value::String(s.into_owned())),
            Err(_) => Err(ConvError::Value(at_path(
                path,
                "string cannot be encoded as UTF-8 (lone surrogate)",
            ))),
        };
    }
    // bool before int: bool is a subclass of int in Python.
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(i) = obj.cast::<PyInt>() {
        if let Ok(v) = i.extract::<i64>() {
            return Ok(Value::Number(v.into()));
        }
        if let Ok(v) = i.extract::<u64>() {
            return Ok(Value::Number(v.into()));
        }
        return Err(ConvError::Value(at_path(
            path,
            format!("integer {} is out of range", i.str()?),
        )));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        let v = f.value();
        return match Number::from_f64(v) {
            Some(n) => Ok(Value::Number(n)),
            None => Err(ConvError::Value(at_path(
                path,
                format!("{v} is not a valid JSON number"),
            ))),
        };
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::with_capacity(d.len());
        for (k, v) in d.iter() {
            let key = dict_key(&k, path)?;
            let value = to_value(&v, &child_key(path, &key), depth + 1)?;
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(l) = obj.cast::<PyList>() {
        let mut out = Vec::with_capacity(l.len());
        for (i, item) in l.iter().enumerate() {
            out.push(to_value(&item, &format!("{path}[{i}]"), depth + 1)?);
        }
        return Ok(Value::Array(out));
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        let mut out = Vec::with_capacity(t.len());
        for (i, item) in t.iter().enumerate() {
            out.push(to_value(&item, &format!("{path}[{i}]"), depth + 1)?);
        }
        return Ok(Value::Array(out));
    }
    if let Ok(m) = obj.cast::<PyMapping>() {
        let mut map = Map::new();
        for item in m.items()?.iter() {
            let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
            let key = dict_key(&k, path)?;
            let value = to_value(&v, &child_key(path, &key), depth + 1)?;
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    Err(ConvError::Type(at_path(
        path,
        format!(
            "expected a JSON-compatible value (dict, list, str, int, float, bool or None), got {}",
            type_name(obj)
        ),
    )))
}

fn dict_key(key: &Bound<'_, PyAny>, path: &str) -> Result<String, ConvError> {
    match key.cast::<PyString>() {
        Ok(s) => s.to_cow().map(|c| c.into_owned()).map_err(|_| {
            ConvError::Value(at_path(
                path,
                "key cannot be encoded as UTF-8 (lone surrogate)",
            ))
        }),
        Err(_) => Err(ConvError::Type(at_path(
            if path.is_empty() { "(root)" } else { path },
            format!(
                "dict keys must be str, got {} key {}",
                type_name(key),
                key.repr().map(|r| r.to_string()).unwrap_or_default()
            ),
        ))),
    }
}

/// Keys whose string values are times in the engine's views: turned into datetimes.
const TIME_KEYS: [&str; 6] = [
    "at",
    "since",
    "opened_at",
    "offer_expires_at",
    "last_assigned_at",
    "expires_at",
];

/// How `value_to_py` treats RFC 3339 strings.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Times {
    /// Keep every string a string (the exact JSON shape).
    AsStrings,
    /// Values under the views' time keys become aware UTC datetimes.
    AsDatetimes,
}

/// Convert a `serde_json::Value` to plain Python objects (dict, list, str, int, float,
/// bool, None).
pub fn value_to_py<'py>(
    py: Python<'py>,
    value: &Value,
    times: Times,
) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(value_to_py(py, item, times)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                let item = match (times, v) {
                    (Times::AsDatetimes, Value::String(s)) if TIME_KEYS.contains(&k.as_str()) => {
                        match DateTime::parse_from_rfc3339(s) {
                            Ok(t) => datetime_to_py(py, t.with_timezone(&Utc))?.into_any(),
                            Err(_) => PyString::new(py, s).into_any(),
                        }
                    }
                    _ => value_to_py(py, v, times)?,
                };
                dict.set_item(k, item)?;
            }
            dict.into_any()
        }
    })
}

/// Serialize any core type and convert it to plain Python objects.
///
/// With [`Times::AsStrings`] (the exact JSON shape: `to_dict()`) the value is serialized
/// straight into Python objects by `pythonize`; the views' [`Times::AsDatetimes`] go
/// through a `serde_json::Value` to find their time keys.
pub fn serialize_to_py<'py, T: serde::Serialize>(
    py: Python<'py>,
    value: &T,
    times: Times,
) -> PyResult<Bound<'py, PyAny>> {
    let cannot = |e: &dyn std::fmt::Display| {
        pyo3::exceptions::PyRuntimeError::new_err(format!("cannot serialize: {e}"))
    };
    match times {
        Times::AsStrings => pythonize::pythonize(py, value).map_err(|e| cannot(&e)),
        Times::AsDatetimes => {
            let value = serde_json::to_value(value).map_err(|e| cannot(&e))?;
            value_to_py(py, &value, times)
        }
    }
}

// ------------------------------------------------------------------- datetimes

static EPOCH: PyOnceLock<Py<PyDateTime>> = PyOnceLock::new();

fn epoch(py: Python<'_>) -> PyResult<&Bound<'_, PyDateTime>> {
    EPOCH
        .get_or_try_init(py, || {
            let utc = PyTzInfo::utc(py)?;
            Ok::<_, PyErr>(PyDateTime::new(py, 1970, 1, 1, 0, 0, 0, 0, Some(&utc))?.unbind())
        })
        .map(|e| e.bind(py))
}

/// Convert an aware `datetime` to UTC. `what` names the argument in messages (`at`); it
/// is only formatted when there is an error.
/// A non-datetime is a `TypeError`; a naive datetime is rejected by `naive_error` with a
/// message saying how to fix it.
pub fn datetime_from_py(
    obj: &Bound<'_, PyAny>,
    what: impl std::fmt::Display,
    naive_error: impl FnOnce(String) -> PyErr,
) -> PyResult<DateTime<Utc>> {
    let py = obj.py();
    if obj.cast::<PyDateTime>().is_err() {
        return Err(PyTypeError::new_err(format!(
            "{what}: expected an aware datetime.datetime, got {}",
            type_name(obj)
        )));
    }
    // Exact: aware subtraction gives a timedelta, whose days, seconds and microseconds
    // are read as ints (three attribute reads cost less than `delta // timedelta(0, 0,
    // 1)`, which builds big ints). A naive datetime cannot be subtracted from the aware
    // epoch: only then is its offset looked at, for the message.
    let delta = match obj.sub(epoch(py)?) {
        Ok(delta) => delta,
        Err(e) => {
            if obj.call_method0(pyo3::intern!(py, "utcoffset"))?.is_none() {
                return Err(naive_error(format!(
                    "{what}: naive datetime {} has no time zone; pass an aware datetime, \
                     e.g. datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc) or dt.replace(tzinfo=...)",
                    obj.str()?
                )));
            }
            return Err(e);
        }
    };
    let part = |name: &Bound<'_, PyString>| delta.getattr(name)?.extract::<i64>();
    let days = part(pyo3::intern!(py, "days"))?;
    let seconds = part(pyo3::intern!(py, "seconds"))?;
    let micros = part(pyo3::intern!(py, "microseconds"))?;
    // A timedelta has |days| <= 999,999,999 (so this fits an i64 with room to spare),
    // 0 <= seconds < 86,400 and 0 <= microseconds < 1,000,000.
    let micros = days
        .checked_mul(86_400_000_000)
        .and_then(|d| d.checked_add(seconds * 1_000_000 + micros));
    micros
        .and_then(DateTime::from_timestamp_micros)
        .ok_or_else(|| {
            naive_error(format!(
                "{what}: {} is out of the supported range",
                obj.str().map(|s| s.to_string()).unwrap_or_default()
            ))
        })
}

/// An aware UTC `datetime` (microsecond precision, like Python's).
pub fn datetime_to_py<'py>(py: Python<'py>, at: DateTime<Utc>) -> PyResult<Bound<'py, PyDateTime>> {
    let utc = PyTzInfo::utc(py)?;
    PyDateTime::new(
        py,
        at.year(),
        at.month() as u8,
        at.day() as u8,
        at.hour() as u8,
        at.minute() as u8,
        at.second().min(59) as u8,
        at.nanosecond().min(999_999_999) / 1_000,
        Some(&utc),
    )
}

/// RFC 3339 text of a time, as the contract's JSON writes it (`2026-11-23T09:01:00Z`).
pub fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}
