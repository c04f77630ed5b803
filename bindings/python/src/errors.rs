//! Engine errors become instances of the exception classes defined in Python
//! (`openlines/_errors.py`), so that they can subclass `ValueError`/`LookupError` too and
//! carry `.kind` and `.message`.

use openlines::{ConfigIssue, Error, ErrorKind, PathPart};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyTuple};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};

/// The Python class raised for an error kind.
pub fn class_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::InvalidConfig => "ConfigError",
        ErrorKind::InvalidInput => "InputError",
        ErrorKind::UnknownLine | ErrorKind::UnknownOperator | ErrorKind::UnknownDialog => {
            "UnknownIdError"
        }
        ErrorKind::NotAllowed => "NotAllowedError",
        ErrorKind::TimeWentBackwards => "TimeError",
        ErrorKind::SnapshotVersion => "SnapshotError",
    }
}

/// The `openlines._errors` module.
fn module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    static MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    MODULE
        .get_or_try_init(py, || {
            py.import(pyo3::intern!(py, "openlines._errors"))
                .map(Bound::unbind)
        })
        .map(|m| m.bind(py))
}

/// Build (not raise) the Python exception instance for an engine error.
pub fn error_object<'py>(py: Python<'py>, error: &Error) -> PyResult<Bound<'py, PyAny>> {
    let class = module(py)?.getattr(class_name(error.kind))?;
    let issues = PyList::empty(py);
    for issue in &error.issues {
        issues.append(issue_dict(py, issue)?)?;
    }
    class.call1((error.message.as_str(), error.kind.as_str(), issues))
}

/// One issue in pydantic's shape: `{"loc": ("lines", 0, "queue"), "msg": ..., "type": ...}`.
fn issue_dict<'py>(py: Python<'py>, issue: &ConfigIssue) -> PyResult<Bound<'py, PyDict>> {
    let mut loc = Vec::new();
    for part in issue.path_parts() {
        loc.push(match part {
            PathPart::Key(key) => key.into_pyobject(py)?.into_any(),
            PathPart::Index(index) => index.into_pyobject(py)?.into_any(),
        });
    }
    let dict = PyDict::new(py);
    dict.set_item("loc", PyTuple::new(py, loc)?)?;
    dict.set_item("msg", issue.message.as_str())?;
    dict.set_item("type", issue.kind.as_str())?;
    Ok(dict)
}

/// Whether a raised exception is an `openlines.Error` (a rejection, as opposed to a
/// host programming error such as a `TypeError`).
pub fn is_engine_error(py: Python<'_>, err: &PyErr) -> bool {
    module(py)
        .and_then(|m| m.getattr(pyo3::intern!(py, "Error")))
        .is_ok_and(|class| err.value(py).is_instance(&class).unwrap_or(false))
}

/// The `PyErr` to raise for an engine error.
pub fn to_pyerr(py: Python<'_>, error: &Error) -> PyErr {
    match error_object(py, error) {
        Ok(obj) => PyErr::from_value(obj),
        Err(e) => e,
    }
}

/// Raise `InputError` (kind `invalid_input`) with this message.
pub fn input_error(py: Python<'_>, message: String) -> PyErr {
    to_pyerr(py, &Error::new(ErrorKind::InvalidInput, message))
}

/// Raise `ConfigError` (kind `invalid_config`) with this message.
pub fn config_error(py: Python<'_>, message: String) -> PyErr {
    to_pyerr(py, &Error::new(ErrorKind::InvalidConfig, message))
}

/// Raise `InternalError` (a bug: a panic inside the engine) with this message.
pub fn internal_error(py: Python<'_>, message: String) -> PyErr {
    let class = module(py).and_then(|m| m.getattr(pyo3::intern!(py, "InternalError")));
    match class.and_then(|c| c.call1((message.as_str(), "internal"))) {
        Ok(obj) => PyErr::from_value(obj),
        Err(e) => e,
    }
}

/// Run `f` behind a panic boundary: a panic (a bug) becomes `InternalError`, never
/// pyo3's `PanicException`. `poison` is the engine's flag: set on a panic, so that
/// later calls refuse instead of running on a half-changed state; a call on a poisoned
/// engine does not run `f`. Constructors pass a fresh flag (there is no engine yet).
pub fn guarded<T>(py: Python<'_>, poison: &AtomicBool, f: impl FnOnce() -> T) -> PyResult<T> {
    if poison.load(Ordering::Relaxed) {
        return Err(internal_error(py, POISONED_MESSAGE.to_owned()));
    }
    std::panic::catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        poison.store(true, Ordering::Relaxed);
        internal_error(
            py,
            format!(
                "internal error (panic): {}; this engine is now poisoned: drop it and \
                 restore from your last snapshot",
                openlines::error::panic_message(&*payload)
            ),
        )
    })
}

/// The message of every call on a poisoned engine.
const POISONED_MESSAGE: &str = "the engine is poisoned by an earlier internal error (panic): \
                                drop it and restore from your last snapshot";
