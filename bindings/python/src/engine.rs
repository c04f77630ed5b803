//! `openlines.Engine`: the routing engine of one tenant.

use chrono::{DateTime, Utc};
use openlines::{Action, Engine, Input};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyList, PyMemoryView, PyModule, PyString, PyTuple};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::actions::action_to_py;
use crate::config::config_from_any;
use crate::convert::{self, Times, type_name};
use crate::errors;
use crate::inputs::extract_input;

/// Read an `at` argument: an aware datetime, converted to UTC.
fn time_arg(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    what: impl std::fmt::Display,
) -> PyResult<DateTime<Utc>> {
    convert::datetime_from_py(obj, what, |m| errors::input_error(py, m))
}

/// Pauses Python's cyclic garbage collector for its lifetime, if it was running.
///
/// `handle_many` builds one action list per step: every action object counts towards
/// the collector's thresholds, and the collections it triggers walk the whole growing
/// result, which holds no reference cycles. Measured on the standard day, pausing
/// them makes `handle_many` about 1.6x as fast.
struct GcPause<'py> {
    /// The `gc` module, when this pause turned the collector off.
    resumes: Option<Bound<'py, PyModule>>,
}

impl<'py> GcPause<'py> {
    fn new(py: Python<'py>) -> PyResult<Self> {
        let gc = py.import(pyo3::intern!(py, "gc"))?;
        if !gc
            .call_method0(pyo3::intern!(py, "isenabled"))?
            .is_truthy()?
        {
            return Ok(GcPause { resumes: None });
        }
        gc.call_method0(pyo3::intern!(py, "disable"))?;
        Ok(GcPause { resumes: Some(gc) })
    }
}

impl Drop for GcPause<'_> {
    fn drop(&mut self) {
        if let Some(gc) = &self.resumes
            && let Err(e) = gc.call_method0(pyo3::intern!(gc.py(), "enable"))
        {
            e.write_unraisable(gc.py(), None);
        }
    }
}

/// Names `steps[i].at` in `handle_many`'s messages (formatted only for an error).
struct StepAt(usize);

impl std::fmt::Display for StepAt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "steps[{}].at", self.0)
    }
}

/// A dialog id argument of a view: an int; ids that cannot exist give `None`.
fn dialog_id(obj: &Bound<'_, PyAny>) -> PyResult<Option<u64>> {
    if obj.cast::<pyo3::types::PyInt>().is_err() || obj.cast::<pyo3::types::PyBool>().is_ok() {
        return Err(PyTypeError::new_err(format!(
            "dialog: expected int, got {}",
            type_name(obj)
        )));
    }
    Ok(obj.extract::<u64>().ok())
}

/// The routing engine of one tenant: its lines, operators and dialogs.
///
/// ``Engine(config)`` takes a dict of the contract's config shape (docs/reference.md, "Config"),
/// JSON text or an ``openlines.Config``; an invalid config raises ``ConfigError``.
///
/// The engine is a pure state machine: it never reads a clock, sleeps or does I/O.
/// Feed it inputs with ``handle(at, input)`` and clock ticks with ``advance(at)``, each
/// stamped with an aware ``datetime`` you supply, and carry out the actions it returns.
/// Call ``advance(engine.next_deadline())`` when that time comes. Times must not go
/// backwards. A rejected input raises a subclass of ``openlines.Error`` and changes
/// nothing.
///
/// One engine must be used by one thread at a time (it is not thread-safe; a concurrent
/// call raises ``RuntimeError``). Engines share nothing: run one per tenant. Engines
/// can be pickled and copied (through ``snapshot()``/``restore()``).
#[pyclass(module = "openlines", name = "Engine")]
pub struct PyEngine {
    engine: Engine,
    /// Reused for every call (the core's hot path appends to the caller's buffer).
    buf: Vec<Action>,
    /// Set by a panic inside a call (a bug): the engine then refuses every call with
    /// `InternalError`, as the C API's poisoned handle does.
    poisoned: AtomicBool,
}

impl PyEngine {
    fn wrap(engine: Engine) -> Self {
        PyEngine {
            engine,
            buf: Vec::new(),
            poisoned: AtomicBool::new(false),
        }
    }

    /// Run one input; its actions wait in `buf` for `take_actions`. The outer error
    /// is `InternalError` (a panic, which poisons the engine), the inner one the
    /// engine's rejection.
    fn run(
        &mut self,
        py: Python<'_>,
        at: DateTime<Utc>,
        input: Input,
    ) -> PyResult<Result<(), openlines::Error>> {
        self.buf.clear();
        let (engine, buf) = (&mut self.engine, &mut self.buf);
        errors::guarded(py, &self.poisoned, || engine.handle_into(at, input, buf))
    }

    /// Read the engine behind the panic boundary (refused once poisoned).
    fn read<T>(&self, py: Python<'_>, f: impl FnOnce(&Engine) -> T) -> PyResult<T> {
        errors::guarded(py, &self.poisoned, || f(&self.engine))
    }

    /// The last call's actions as a Python list of typed action objects.
    fn take_actions<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = self
            .buf
            .drain(..)
            .map(|action| action_to_py(py, action))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }

    /// The exception object for a rejected call, carrying in `.actions` the actions
    /// of the timers that fired before the input was refused (time is committed).
    fn rejection<'py>(
        &mut self,
        py: Python<'py>,
        error: &openlines::Error,
    ) -> PyResult<Bound<'py, PyAny>> {
        let exc = errors::error_object(py, error)?;
        exc.setattr(pyo3::intern!(py, "actions"), self.take_actions(py)?)?;
        Ok(exc)
    }

    /// The input of a call at `at`. When it cannot be read (an `openlines.Error`), the
    /// call is still `advance(at)` then a refused input: the tick stands, and its
    /// actions travel in the error's `.actions` (or the tick's own error is raised).
    /// A `TypeError` (a host programming error) changes nothing.
    fn input_at(
        &mut self,
        py: Python<'_>,
        at: DateTime<Utc>,
        input: &Bound<'_, PyAny>,
    ) -> PyResult<Input> {
        let err = match extract_input(py, input) {
            Ok(input) => return Ok(input),
            Err(err) if errors::is_engine_error(py, &err) => err,
            Err(err) => return Err(err),
        };
        if let Err(time) = self.run(py, at, Input::Tick)? {
            return Err(PyErr::from_value(self.rejection(py, &time)?));
        }
        err.value(py)
            .setattr(pyo3::intern!(py, "actions"), self.take_actions(py)?)?;
        Err(err)
    }

    /// Run one call and return its actions, or raise its error with `.actions`.
    fn run_to_py<'py>(
        &mut self,
        py: Python<'py>,
        at: DateTime<Utc>,
        input: Input,
    ) -> PyResult<Bound<'py, PyList>> {
        match self.run(py, at, input)? {
            Ok(()) => self.take_actions(py),
            Err(e) => Err(PyErr::from_value(self.rejection(py, &e)?)),
        }
    }

    fn view<'py, T: serde::Serialize>(
        py: Python<'py>,
        view: Option<T>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        view.map(|v| convert::serialize_to_py(py, &v, Times::AsDatetimes))
            .transpose()
    }
}

#[pymethods]
impl PyEngine {
    #[new]
    #[pyo3(text_signature = "(config)")]
    fn new(py: Python<'_>, config: &Bound<'_, PyAny>) -> PyResult<Self> {
        let config = config_from_any(py, config)?;
        let engine = errors::guarded(py, &AtomicBool::new(false), || Engine::new(config))?
            .map_err(|e| errors::to_pyerr(py, &e))?;
        Ok(PyEngine::wrap(engine))
    }

    /// Apply one input at time ``at`` and return the actions to carry out, in order.
    ///
    /// ``at`` is an aware ``datetime`` (any time zone; a naive one raises ``InputError``)
    /// not earlier than the previous call's (else ``TimeError``). ``input`` is a dict of
    /// the contract's JSON shape, e.g. ``{"type": "accept", "dialog": 1, "operator":
    /// "ann"}``, or a typed input such as ``openlines.Accept(dialog=1, operator="ann")``.
    /// Timers due at or before ``at`` fire first, so their actions come first.
    ///
    /// Raises ``InputError``, ``UnknownIdError``, ``NotAllowedError`` or ``TimeError``
    /// when the input is rejected. The input then changes nothing, but time is
    /// committed: the timers due by ``at`` have fired, and their actions are in the
    /// exception's ``.actions`` (carry them out as after a success). A Python value of
    /// the wrong type raises ``TypeError`` naming the field, before anything happens.
    #[pyo3(signature = (at, input))]
    fn handle<'py>(
        &mut self,
        py: Python<'py>,
        at: &Bound<'py, PyAny>,
        input: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let at = time_arg(py, at, "at")?;
        let input = self.input_at(py, at, input)?;
        self.run_to_py(py, at, input)
    }

    /// A clock tick: fire every timer due at or before ``at`` and return the actions.
    ///
    /// Call it when ``next_deadline()`` comes; a tick with nothing due only moves the
    /// engine's clock. Raises ``TimeError`` if ``at`` is earlier than the engine's time.
    #[pyo3(signature = (at))]
    fn advance<'py>(
        &mut self,
        py: Python<'py>,
        at: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let at = time_arg(py, at, "at")?;
        self.run_to_py(py, at, Input::Tick)
    }

    /// Apply many timed inputs in one call (bulk replays, catching up from a log).
    ///
    /// ``steps`` is an iterable of ``(at, input)`` pairs; ``input`` is a dict, a typed
    /// input, or ``None`` for a clock tick. Returns one list of actions per step, in
    /// order, exactly as calling ``handle``/``advance`` in a loop would.
    ///
    /// ``errors="raise"`` (the default): the first rejected step raises its error, with
    /// ``.index`` set to the step's position, ``.results`` the action lists of the steps
    /// before it (they stay applied) and ``.actions`` the actions of the timers that
    /// fired before the rejected input. ``errors="return"``: a rejected step's slot
    /// holds its exception object (with ``.actions``) and the replay goes on, like
    /// ``openlines replay``.
    ///
    /// Python's cyclic garbage collector is paused while the call runs (and resumed
    /// after it, if it was on): the results hold no reference cycles, and collections
    /// walking the growing result list cost about as much as the engine itself.
    #[pyo3(signature = (steps, *, errors = "raise"))]
    fn handle_many<'py>(
        &mut self,
        py: Python<'py>,
        steps: &Bound<'py, PyAny>,
        errors: &str,
    ) -> PyResult<Bound<'py, PyList>> {
        let collect = match errors {
            "raise" => false,
            "return" => true,
            other => {
                return Err(PyValueError::new_err(format!(
                    "errors: expected \"raise\" or \"return\", got {other:?}"
                )));
            }
        };
        if steps.cast::<PyString>().is_ok() {
            return Err(PyTypeError::new_err(
                "steps: expected an iterable of (at, input) pairs, got str",
            ));
        }
        let _pause = GcPause::new(py)?;
        let out = PyList::empty(py);
        for (index, step) in steps.try_iter()?.enumerate() {
            let step = step?;
            let pair = step
                .cast::<PyTuple>()
                .ok()
                .filter(|t| t.len() == 2)
                .ok_or_else(|| {
                    PyTypeError::new_err(format!(
                        "steps[{index}]: expected an (at, input) tuple, got {}",
                        type_name(&step)
                    ))
                })?;
            let at = time_arg(py, &pair.get_item(0)?, StepAt(index))?;
            let input_obj = pair.get_item(1)?;
            let input = if input_obj.is_none() {
                Ok(Input::Tick)
            } else {
                self.input_at(py, at, &input_obj)
            };
            let rejected = match input {
                Ok(input) => match self.run(py, at, input)? {
                    Ok(()) => None,
                    Err(e) => Some(self.rejection(py, &e)?),
                },
                Err(err) if errors::is_engine_error(py, &err) => {
                    Some(err.value(py).clone().into_any())
                }
                Err(err) => return Err(err),
            };
            match rejected {
                None => out.append(self.take_actions(py)?)?,
                Some(exc) => {
                    exc.setattr(pyo3::intern!(py, "index"), index)?;
                    if collect {
                        out.append(exc)?;
                    } else {
                        // Nothing is lost: the steps applied before it stay applied,
                        // and their actions travel with the error.
                        exc.setattr(pyo3::intern!(py, "results"), out)?;
                        return Err(PyErr::from_value(exc));
                    }
                }
            }
        }
        Ok(out)
    }

    /// When ``advance`` must be called next (the earliest armed timer), as an aware UTC
    /// ``datetime``; ``None`` when no timer is armed.
    fn next_deadline<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.read(py, Engine::next_deadline)?
            .map(|t| convert::datetime_to_py(py, t).map(|d| d.into_any()))
            .transpose()
    }

    /// The engine's current time (of the last accepted call) as an aware UTC
    /// ``datetime``, or ``None`` before the first call.
    fn now<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.read(py, Engine::now)?
            .map(|t| convert::datetime_to_py(py, t).map(|d| d.into_any()))
            .transpose()
    }

    /// The full state as opaque bytes (versioned). ``Engine.restore(data)`` gives an
    /// engine that behaves exactly like this one from then on. Persist it with the input
    /// log written after it to recover after a restart.
    fn snapshot<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, &self.read(py, Engine::snapshot_bytes)?))
    }

    /// Rebuild an engine from ``snapshot()`` bytes (``bytes``, ``bytearray`` or
    /// ``memoryview``). Raises ``SnapshotError`` for a wrong version or corrupt data.
    #[staticmethod]
    #[pyo3(signature = (data))]
    fn restore(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let owned: Vec<u8>;
        let bytes: &[u8] = if let Ok(b) = data.cast::<PyBytes>() {
            b.as_bytes()
        } else if let Ok(b) = data.cast::<PyByteArray>() {
            owned = b.to_vec();
            &owned
        } else if data.cast::<PyMemoryView>().is_ok() {
            owned = data
                .call_method0("tobytes")?
                .cast_into::<PyBytes>()?
                .as_bytes()
                .to_vec();
            &owned
        } else {
            return Err(PyTypeError::new_err(format!(
                "data: expected bytes from Engine.snapshot(), got {}",
                type_name(data)
            )));
        };
        let engine = errors::guarded(py, &AtomicBool::new(false), || Engine::restore_bytes(bytes))?
            .map_err(|e| errors::to_pyerr(py, &e))?;
        Ok(PyEngine::wrap(engine))
    }

    /// An open dialog as a dict (``dialog``, ``line``, ``client``, ``status``,
    /// ``substatus``, ``operator``, ``offered_to``, ``offer_expires_at``, ``tried``,
    /// ``priority``, ``pinned``, ``opened_at``, ``stats``), times as aware UTC datetimes;
    /// ``None`` for an unknown or closed dialog.
    fn dialog<'py>(
        &self,
        py: Python<'py>,
        dialog: &Bound<'py, PyAny>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let view = match dialog_id(dialog)? {
            Some(id) => self.read(py, |e| e.dialog(id))?,
            None => None,
        };
        Self::view(py, view)
    }

    /// An operator as a dict (``operator``, ``presence``, ``load``, ``max_dialogs``,
    /// ``line_load``, ``dialogs``, ``last_assigned_at``); ``None`` if unknown.
    fn operator<'py>(
        &self,
        py: Python<'py>,
        operator: &str,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        Self::view(py, self.read(py, |e| e.operator(operator))?)
    }

    /// A line's waiting queue as a dict (``line``, ``waiting``: a list of ``{dialog,
    /// client, priority, reason, since}`` in dispatch order, ``operators``); ``None`` if
    /// the line is unknown.
    fn queue<'py>(&self, py: Python<'py>, line: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        Self::view(py, self.read(py, |e| e.queue(line))?)
    }

    /// A line's live counts and totals as a dict (``open``, ``bot``, ``queued``,
    /// ``offered``, ``assigned``, ``closing``, ``operator_load``, ``closed``,
    /// ``avg_first_response_secs``, ``max_first_response_secs``, ``ratings``,
    /// ``avg_rating``, ``unanswered_share``); ``None`` if the line is unknown.
    fn stats<'py>(&self, py: Python<'py>, line: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        Self::view(py, self.read(py, |e| e.stats(line))?)
    }

    /// Why the last routing decision of an open dialog went as it did, as a dict
    /// (``dialog``, ``at``, ``line``, ``distribution``, ``decision``, ``operators``: each
    /// queue operator with its ``verdict``); ``None`` if the dialog is unknown, closed or
    /// not routed yet.
    fn explain<'py>(
        &self,
        py: Python<'py>,
        dialog: &Bound<'py, PyAny>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let view = match dialog_id(dialog)? {
            Some(id) => self.read(py, |e| e.explain(id))?,
            None => None,
        };
        Self::view(py, view)
    }

    /// Ids of the open dialogs, ascending.
    fn open_dialogs(&self, py: Python<'_>) -> PyResult<Vec<u64>> {
        self.read(py, |e| e.open_dialogs().collect())
    }

    /// Ids of the operators, in config order.
    fn operator_ids(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        self.read(py, |e| e.operator_ids().map(str::to_owned).collect())
    }

    /// Ids of the lines, in config order.
    fn line_ids(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        self.read(py, |e| e.line_ids().map(str::to_owned).collect())
    }

    /// Test hook (built only with the `test-hooks` feature, never in a release wheel):
    /// tick to ``at`` (a real change of state) and then panic, as a bug inside a call
    /// would, so the tests can check that the panic becomes ``InternalError`` and
    /// poisons the engine.
    #[cfg(feature = "test-hooks")]
    fn _panic_after_tick(&mut self, py: Python<'_>, at: &Bound<'_, PyAny>) -> PyResult<()> {
        let at = time_arg(py, at, "at")?;
        let (engine, buf) = (&mut self.engine, &mut self.buf);
        errors::guarded(py, &self.poisoned, || {
            let _ = engine.handle_into(at, Input::Tick, buf);
            panic!("test hook: a panic halfway through a call");
        })
    }

    fn __repr__(&self) -> String {
        if self.poisoned.load(Ordering::Relaxed) {
            return "<openlines.Engine poisoned>".to_owned();
        }
        let now = self
            .engine
            .now()
            .map(convert::rfc3339)
            .unwrap_or_else(|| "None".to_owned());
        format!(
            "<openlines.Engine lines={} operators={} open_dialogs={} now={}>",
            self.engine.line_ids().count(),
            self.engine.operator_ids().count(),
            self.engine.open_dialogs().count(),
            now
        )
    }

    fn __copy__(&self, py: Python<'_>) -> PyResult<Self> {
        Ok(PyEngine::wrap(self.read(py, Engine::clone)?))
    }

    fn __deepcopy__(&self, py: Python<'_>, _memo: &Bound<'_, PyAny>) -> PyResult<Self> {
        self.__copy__(py)
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let restore = slf.get_type().getattr("restore")?;
        let data = slf.borrow().snapshot(py)?;
        Ok((restore, (data,)).into_pyobject(py)?.into_any())
    }
}
