//! `openlines.Config`: a parsed, validated engine config.

use openlines::{Config, ConfigIssue};
use pyo3::basic::CompareOp;
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyMapping, PyString};

use crate::actions::compare;
use crate::args;
use crate::convert::{self, Times, type_name};
use crate::errors;

/// Parse and validate a config from JSON text.
pub fn config_from_json(py: Python<'_>, text: &str) -> PyResult<Config> {
    Config::from_json(text)
        .map_err(|issues| errors::to_pyerr(py, &ConfigIssue::into_error(&issues)))
}

/// A config from a `Config`, a dict (or Mapping) of the contract's shape, or JSON text.
pub fn config_from_any(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Config> {
    if let Ok(c) = obj.cast::<PyConfig>() {
        return Ok(c.get().inner.clone());
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return config_from_json(py, &s.to_cow()?);
    }
    if obj.cast::<PyDict>().is_ok() || obj.cast::<PyMapping>().is_ok() {
        let value = convert::py_to_value(obj, "")
            .map_err(|e| args::conv_err(e, |m| errors::config_error(py, m)))?;
        let text =
            serde_json::to_string(&value).map_err(|e| errors::config_error(py, e.to_string()))?;
        return config_from_json(py, &text);
    }
    Err(PyTypeError::new_err(format!(
        "config: expected a dict, a JSON str or an openlines.Config, got {}",
        type_name(obj)
    )))
}

/// An engine config (docs/reference.md, "Config"), parsed and validated once.
///
/// ``Config(data)`` takes a dict of the contract's JSON shape or JSON text; every field
/// but the ids has a default, so ``{"lines": [{"id": "sales"}]}`` is a complete config.
/// An invalid config raises ``ConfigError`` listing every problem with its field path,
/// e.g. ``lines[0].queue.distribution: "evenlyy" is not one of evenly, ...``; its
/// ``errors()`` gives them one by one.
/// A ``Config`` can be given to several ``Engine`` objects; it is immutable.
#[pyclass(frozen, module = "openlines", name = "Config")]
pub struct PyConfig {
    pub inner: Config,
}

#[pymethods]
impl PyConfig {
    #[new]
    #[pyo3(text_signature = "(data)")]
    fn new(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(PyConfig {
            inner: config_from_any(py, data)?,
        })
    }

    /// Parse and validate a config from JSON text (same as ``Config(text)``).
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        Ok(PyConfig {
            inner: config_from_json(py, text)?,
        })
    }

    /// The full config as a plain dict, every default filled in.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::serialize_to_py(py, &self.inner, Times::AsStrings)
    }

    /// The full config as JSON text.
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner).map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    /// The operators' configs, as a list of dicts.
    #[getter]
    fn operators<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::serialize_to_py(py, &self.inner.operators, Times::AsStrings)
    }

    /// The lines' configs, as a list of dicts.
    #[getter]
    fn lines<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::serialize_to_py(py, &self.inner.lines, Times::AsStrings)
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> PyResult<Py<PyAny>> {
        let py = other.py();
        let Ok(other) = other.cast::<PyConfig>() else {
            return Ok(py.NotImplemented());
        };
        compare(py, self.inner == other.get().inner, op)
    }

    fn __hash__(&self) -> u64 {
        crate::actions::json_hash(&self.inner)
    }

    fn __repr__(&self) -> String {
        let ops: Vec<&str> = self.inner.operators.iter().map(|o| o.id.as_str()).collect();
        let lines: Vec<&str> = self.inner.lines.iter().map(|l| l.id.as_str()).collect();
        format!("Config(operators={ops:?}, lines={lines:?})")
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let json = slf.get().to_json()?;
        let args = (json,);
        Ok((slf.get_type(), args).into_pyobject(py)?.into_any())
    }
}

/// Register the class.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyConfig>()?;
    Ok(())
}
