//! Constructor arguments of the typed classes (inputs, actions): each field kind checks
//! its Python type (a `TypeError` naming `Class.field`) and yields the JSON value the
//! core's serde types read. Values are then checked by the core itself, through the
//! same path as dict inputs.

use chrono::{DateTime, Utc};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyList, PyMapping, PyString, PyTuple};
use serde_json::Value;

use crate::convert::{self, ConvError, type_name};

/// One kind of constructor field.
pub trait PyArg {
    /// Convert a Python argument; `name` is `Class.field`.
    fn from_arg(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Value>;

    /// The argument was `None` (or omitted): optional kinds give JSON null, the
    /// others refuse.
    fn from_none(name: &str) -> PyResult<Value> {
        Err(PyTypeError::new_err(format!(
            "{name}: a value is required, got None"
        )))
    }
}

fn wrong(name: &str, expected: &str, obj: &Bound<'_, PyAny>) -> PyErr {
    PyTypeError::new_err(format!(
        "{name}: expected {expected}, got {}",
        type_name(obj)
    ))
}

/// Turn a conversion error of a nested value into a Python error; values that do not
/// fit become `value_error`.
pub fn conv_err(e: ConvError, value_error: impl FnOnce(String) -> PyErr) -> PyErr {
    e.into_pyerr(value_error)
}

/// An int (not a bool); the core checks the range (ids are non-negative).
pub struct Int;
impl PyArg for Int {
    fn from_arg(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Value> {
        if obj.cast::<PyInt>().is_err() || obj.cast::<PyBool>().is_ok() {
            return Err(wrong(name, "int", obj));
        }
        convert::py_to_value(obj, name)
            .map_err(|e| conv_err(e, pyo3::exceptions::PyValueError::new_err))
    }
}

/// A bool.
pub struct Bool;
impl PyArg for Bool {
    fn from_arg(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Value> {
        match obj.cast::<PyBool>() {
            Ok(b) => Ok(Value::Bool(b.is_true())),
            Err(_) => Err(wrong(name, "bool", obj)),
        }
    }
}

/// A str.
pub struct Str;
impl PyArg for Str {
    fn from_arg(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Value> {
        match obj.cast::<PyString>() {
            Ok(s) => Ok(Value::String(s.to_cow()?.into_owned())),
            Err(_) => Err(wrong(name, "str", obj)),
        }
    }
}

/// A str or None.
pub struct OptStr;
impl PyArg for OptStr {
    fn from_none(_: &str) -> PyResult<Value> {
        Ok(Value::Null)
    }
    fn from_arg(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Value> {
        if obj.is_none() {
            Ok(Value::Null)
        } else {
            Str::from_arg(obj, name).map_err(|_| wrong(name, "str or None", obj))
        }
    }
}

/// A list or tuple of str (a bare str is refused: it is a sequence of characters).
pub struct StrList;
impl PyArg for StrList {
    fn from_arg(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Value> {
        let items: Vec<Bound<'_, PyAny>> = if let Ok(l) = obj.cast::<PyList>() {
            l.iter().collect()
        } else if let Ok(t) = obj.cast::<PyTuple>() {
            t.iter().collect()
        } else {
            return Err(wrong(name, "a list of str", obj));
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            out.push(Str::from_arg(item, &format!("{name}[{i}]"))?);
        }
        Ok(Value::Array(out))
    }
}

/// An aware datetime (JSON: RFC 3339 text).
pub struct Time;
impl PyArg for Time {
    fn from_arg(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Value> {
        let at: DateTime<Utc> =
            convert::datetime_from_py(obj, name, pyo3::exceptions::PyValueError::new_err)?;
        Ok(Value::String(convert::rfc3339(at)))
    }
}

/// A dict (or any Mapping) of JSON shape, e.g. a line's config; wrong values are the
/// core's `InputError`.
pub struct Json;
impl PyArg for Json {
    fn from_arg(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Value> {
        if obj.cast::<PyDict>().is_err() && obj.cast::<PyMapping>().is_err() {
            return Err(wrong(name, "a dict", obj));
        }
        let field = name.rsplit('.').next().unwrap_or(name);
        let py = obj.py();
        convert::py_to_value(obj, field)
            .map_err(|e| conv_err(e, |m| crate::errors::input_error(py, m)))
    }
}

/// A dict or None.
pub struct OptJson;
impl PyArg for OptJson {
    fn from_none(_: &str) -> PyResult<Value> {
        Ok(Value::Null)
    }
    fn from_arg(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Value> {
        if obj.is_none() {
            Ok(Value::Null)
        } else {
            Json::from_arg(obj, name).map_err(|e| {
                if e.is_instance_of::<PyTypeError>(obj.py()) {
                    wrong(name, "a dict or None", obj)
                } else {
                    e
                }
            })
        }
    }
}

/// A `DialogStats` object or a dict of its fields.
pub struct Stats;
impl PyArg for Stats {
    fn from_arg(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Value> {
        if let Ok(stats) = obj.cast::<crate::actions::PyDialogStats>() {
            return serde_json::to_value(&stats.get().inner)
                .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()));
        }
        if obj.cast::<PyDict>().is_err() {
            return Err(wrong(name, "a DialogStats or a dict", obj));
        }
        convert::py_to_value(obj, name)
            .map_err(|e| conv_err(e, pyo3::exceptions::PyValueError::new_err))
    }
}
