//! Actions as typed, frozen Python classes: a base `Action` holding the core's action and
//! one subclass per kind (contract section 4), each with `__match_args__`, `type`,
//! `to_dict()`, `__repr__`, `__eq__` and `__hash__`.

use std::hash::{Hash, Hasher};

use chrono::{DateTime, Utc};
use openlines::{
    Action, AssignReason, BotStopReason, CloseReason, DialogStats, Kpi, MessageKind, QueueReason,
    WithdrawReason,
};
use pyo3::basic::CompareOp;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};
use serde_json::{Map, Value};

use crate::args::{self, PyArg};
use crate::convert;

/// A field value of a core type, as a Python object.
pub trait ToPyField {
    /// Convert for a getter.
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>>;

    /// Convert for `to_dict()`: the value as the contract's JSON has it (the same as
    /// for a getter except times, which are RFC 3339 strings there, and nested objects,
    /// which are plain dicts).
    fn to_json_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.to_py(py)
    }
}

impl ToPyField for u64 {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.into_pyobject(py)?.into_any())
    }
}

impl ToPyField for String {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyString::new(py, self).into_any())
    }
}

impl ToPyField for Option<String> {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self {
            Some(s) => s.to_py(py),
            None => Ok(py.None().into_bound(py)),
        }
    }
}

impl ToPyField for Vec<String> {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyList::new(py, self)?.into_any())
    }
}

impl ToPyField for DateTime<Utc> {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(convert::datetime_to_py(py, *self)?.into_any())
    }

    fn to_json_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyString::new(py, &convert::rfc3339(*self)).into_any())
    }
}

impl ToPyField for DialogStats {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(Bound::new(
            py,
            PyDialogStats {
                inner: self.clone(),
            },
        )?
        .into_any())
    }

    fn to_json_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(stats_to_dict(py, self)?.into_any())
    }
}

macro_rules! wire_enum_fields {
    ($($t:ty),*) => {$(
        impl ToPyField for $t {
            fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                Ok(PyString::new(py, self.as_str()).into_any())
            }
        }
    )*};
}
wire_enum_fields!(
    MessageKind,
    WithdrawReason,
    AssignReason,
    QueueReason,
    Kpi,
    BotStopReason,
    CloseReason
);

/// The result of `__eq__` / `__ne__` for two objects of one class that are `equal` or
/// not (shared by inputs, actions, stats and configs); other comparisons are not supported.
pub fn compare(py: Python<'_>, equal: bool, op: CompareOp) -> PyResult<Py<PyAny>> {
    Ok(match op {
        CompareOp::Eq => equal.into_pyobject(py)?.to_owned().into_any().unbind(),
        CompareOp::Ne => (!equal).into_pyobject(py)?.to_owned().into_any().unbind(),
        _ => py.NotImplemented(),
    })
}

/// A stable hash of a serializable value (its JSON text).
pub fn json_hash<T: serde::Serialize>(value: &T) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    serde_json::to_string(value)
        .unwrap_or_default()
        .hash(&mut h);
    h.finish()
}

/// `Class(field=value, ...)` from the class's `__match_args__` (shared by inputs and actions).
pub fn repr_from_match_args(slf: &Bound<'_, PyAny>) -> PyResult<String> {
    let py = slf.py();
    let cls = slf.get_type();
    let names: Bound<'_, PyTuple> = cls
        .getattr(pyo3::intern!(py, "__match_args__"))?
        .cast_into()?;
    let mut parts = Vec::with_capacity(names.len());
    for name in names.iter() {
        let name: Bound<'_, PyString> = name.cast_into()?;
        let value = slf.getattr(&name)?;
        parts.push(format!("{}={}", name.to_cow()?, value.repr()?.to_cow()?));
    }
    Ok(format!("{}({})", cls.name()?, parts.join(", ")))
}

/// `(cls, (field values...))` for pickle and copy (shared by inputs and actions).
pub fn reduce_from_match_args<'py>(slf: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyTuple>> {
    let py = slf.py();
    let cls = slf.get_type();
    let names: Bound<'_, PyTuple> = cls
        .getattr(pyo3::intern!(py, "__match_args__"))?
        .cast_into()?;
    let mut values = Vec::with_capacity(names.len());
    for name in names.iter() {
        let name: Bound<'_, PyString> = name.cast_into()?;
        values.push(slf.getattr(&name)?);
    }
    PyTuple::new(py, [cls.into_any(), PyTuple::new(py, values)?.into_any()])
}

/// The base class of every action the engine returns.
///
/// Each action is an instance of one subclass (``Offer``, ``Assigned``, ...) with
/// read-only attributes named like the contract's JSON fields. ``action.type`` is the
/// JSON tag (``"offer"``), ``action.to_dict()`` the exact JSON object of
/// docs/reference.md, "Actions" (times as RFC 3339 strings); the attributes give Python values (times as
/// aware UTC ``datetime``). Actions compare equal when all fields are equal, are
/// hashable, and work with ``match`` through ``__match_args__``.
#[pyclass(subclass, frozen, module = "openlines", name = "Action")]
pub struct PyAction {
    pub inner: Action,
}

#[pymethods]
impl PyAction {
    /// The action's JSON tag, e.g. ``"offer"``.
    #[getter]
    fn r#type(&self) -> &'static str {
        self.inner.type_name()
    }

    /// The dialog the action is about.
    #[getter]
    fn dialog(&self) -> u64 {
        self.inner.dialog()
    }

    /// The action as the contract's JSON object (docs/reference.md, "Actions"): a plain dict with
    /// ``"type"`` first and times as RFC 3339 strings, e.g.
    /// ``{"type": "offer", "dialog": 1, "operators": ["ann"], "expires_at": "2026-11-23T09:01:00Z"}``.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        action_to_dict(py, &self.inner)
    }

    /// The action as one line of JSON text (the same object as ``to_dict()``).
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner).map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> PyResult<Py<PyAny>> {
        let py = other.py();
        let Ok(other) = other.cast::<PyAction>() else {
            return Ok(py.NotImplemented());
        };
        compare(py, self.inner == other.get().inner, op)
    }

    fn __hash__(&self) -> u64 {
        json_hash(&self.inner)
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        repr_from_match_args(slf.as_any())
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        reduce_from_match_args(slf.as_any())
    }

    /// Build an action from its JSON object (a dict like ``to_dict()`` returns); the
    /// result is an instance of the matching subclass.
    #[staticmethod]
    fn from_dict<'py>(py: Python<'py>, data: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let value =
            convert::py_to_value(data, "").map_err(|e| args::conv_err(e, PyValueError::new_err))?;
        let action: Action = serde_json::from_value(value)
            .map_err(|e| PyValueError::new_err(format!("not an action: {e}")))?;
        action_to_py(py, action)
    }
}

fn build_action(map: Map<String, Value>, class: &str) -> PyResult<Action> {
    serde_json::from_value(Value::Object(map))
        .map_err(|e| PyValueError::new_err(format!("{class}: {e}")))
}

fn wrong_variant() -> PyErr {
    PyRuntimeError::new_err("internal error: action class and content disagree")
}

macro_rules! actions {
    ($(
        $(#[doc = $doc:literal])*
        $cls:ident = $variant:ident ($tag:literal) { $($field:ident : $kind:ty = $fdoc:literal),* $(,)? }
    )*) => {
        $(
            $(#[doc = $doc])*
            #[pyclass(extends = PyAction, frozen, module = "openlines")]
            pub struct $cls;

            #[pymethods]
            impl $cls {
                #[new]
                #[pyo3(signature = ($($field),*))]
                fn new($($field: Option<&Bound<'_, PyAny>>),*) -> PyResult<PyClassInitializer<Self>> {
                    let mut map = Map::new();
                    map.insert("type".to_owned(), Value::String($tag.to_owned()));
                    $(
                        let name = concat!(stringify!($cls), ".", stringify!($field));
                        let value = match $field {
                            Some(obj) => <$kind as PyArg>::from_arg(obj, name)?,
                            None => <$kind as PyArg>::from_none(name)?,
                        };
                        map.insert(stringify!($field).to_owned(), value);
                    )*
                    let inner = build_action(map, stringify!($cls))?;
                    Ok(PyClassInitializer::from(PyAction { inner }).add_subclass($cls))
                }

                /// Field names in positional order, for ``match`` statements.
                #[classattr]
                fn __match_args__(py: Python<'_>) -> PyResult<Bound<'_, PyTuple>> {
                    PyTuple::new(py, [$(stringify!($field)),*])
                }

                $(
                    #[doc = $fdoc]
                    #[getter]
                    fn $field<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
                        #[allow(unreachable_patterns)]
                        match &slf.as_super().get().inner {
                            Action::$variant { $field, .. } => $field.to_py(slf.py()),
                            _ => Err(wrong_variant()),
                        }
                    }
                )*
            }
        )*

        /// The action as the contract's JSON object: a dict with `type` first and the
        /// fields in the contract's order (keys are interned strings, made once).
        pub fn action_to_dict<'py>(py: Python<'py>, action: &Action) -> PyResult<Bound<'py, PyDict>> {
            let dict = PyDict::new(py);
            let type_key = pyo3::intern!(py, "type");
            match action {
                $(
                    Action::$variant { $($field),* } => {
                        dict.set_item(type_key, pyo3::intern!(py, $tag))?;
                        $( dict.set_item(pyo3::intern!(py, stringify!($field)), $field.to_json_py(py)?)?; )*
                    }
                )*
            }
            Ok(dict)
        }

        /// Wrap a core action in its Python class.
        pub fn action_to_py(py: Python<'_>, action: Action) -> PyResult<Bound<'_, PyAny>> {
            match action {
                $(
                    a @ Action::$variant { .. } => Ok(Bound::new(
                        py,
                        PyClassInitializer::from(PyAction { inner: a }).add_subclass($cls),
                    )?.into_any()),
                )*
            }
        }

        /// Register the action classes in the module.
        pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
            m.add_class::<PyAction>()?;
            m.add_class::<PyDialogStats>()?;
            $( m.add_class::<$cls>()?; )*
            Ok(())
        }
    };
}

use args::{Int, OptStr, Stats, Str, StrList, Time};

actions! {
    /// A new dialog was opened: ``dialog_opened``. Dialog ids are 1, 2, 3, ... in order of opening.
    ///
    /// Attributes: ``dialog`` (int), ``line`` (str), ``client`` (str).
    DialogOpened = DialogOpened ("dialog_opened") { dialog: Int = "The dialog id.", line: Str = "The line id.", client: Str = "The client's id." }

    /// Send a text to the client: ``send_message``.
    ///
    /// Attributes: ``dialog`` (int), ``kind`` (str: consent, greeting, off_hours,
    /// nobody_available, queue_position, unanswered, no_answer, closing, auto_close, rating_request),
    /// ``text`` (str).
    SendMessage = SendMessage ("send_message") { dialog: Int = "The dialog id.", kind: Str = "Why the text is sent (consent, greeting, off_hours, nobody_available, queue_position, unanswered, no_answer, closing, auto_close, rating_request).", text: Str = "The text." }

    /// Offer the dialog to operators until ``expires_at``: ``offer``.
    ///
    /// Attributes: ``dialog`` (int), ``operators`` (list of str; several in ``all``
    /// mode), ``expires_at`` (aware UTC datetime).
    Offer = Offer ("offer") { dialog: Int = "The dialog id.", operators: StrList = "The operators offered to (several in ``all`` mode).", expires_at: Time = "When the offer times out (aware UTC datetime)." }

    /// An operator's offer is gone: ``offer_withdrawn``.
    ///
    /// Attributes: ``dialog`` (int), ``operator`` (str), ``reason`` (str: timeout,
    /// skipped, taken, unavailable).
    OfferWithdrawn = OfferWithdrawn ("offer_withdrawn") { dialog: Int = "The dialog id.", operator: Str = "The operator id.", reason: Str = "Why: timeout, skipped, taken or unavailable." }

    /// The dialog now belongs to an operator: ``assigned``.
    ///
    /// Attributes: ``dialog`` (int), ``operator`` (str), ``reason`` (str: accepted,
    /// crm_responsible, previous_operator, transfer, assign_anyway).
    Assigned = Assigned ("assigned") { dialog: Int = "The dialog id.", operator: Str = "The operator id.", reason: Str = "Why: accepted, crm_responsible, previous_operator, transfer or assign_anyway." }

    /// The dialog waits in the line's queue: ``queued``.
    ///
    /// Attributes: ``dialog`` (int), ``reason`` (str: nobody_available, off_hours, no_answer).
    Queued = Queued ("queued") { dialog: Int = "The dialog id.", reason: Str = "Why: nobody_available, off_hours or no_answer." }

    /// Mark the dialog unanswered in the host's UI: ``mark_unanswered``.
    ///
    /// Attributes: ``dialog`` (int).
    MarkUnanswered = MarkUnanswered ("mark_unanswered") { dialog: Int = "The dialog id." }

    /// A response-time target was missed: ``kpi_overdue``.
    ///
    /// Attributes: ``dialog`` (int), ``operator`` (str or None: the one responsible
    /// then), ``kpi`` (str: first_response, next_response), ``notify`` (list of str),
    /// ``text`` (str, template filled in).
    KpiOverdue = KpiOverdue ("kpi_overdue") { dialog: Int = "The dialog id.", operator: OptStr = "The operator responsible then, or None.", kpi: Str = "Which target: first_response or next_response.", notify: StrList = "Who to notify.", text: Str = "The notice, template filled in." }

    /// The dialog starts with the line's bot: ``bot_started``.
    ///
    /// Attributes: ``dialog`` (int), ``bot`` (str).
    BotStarted = BotStarted ("bot_started") { dialog: Int = "The dialog id.", bot: Str = "The bot id." }

    /// The bot stage ended: ``bot_stopped``.
    ///
    /// Attributes: ``dialog`` (int), ``reason`` (str: handoff, keyword, timeout, resolved).
    BotStopped = BotStopped ("bot_stopped") { dialog: Int = "The dialog id.", reason: Str = "Why: handoff, keyword, timeout or resolved." }

    /// Create a CRM lead for the client: ``create_lead``.
    ///
    /// Attributes: ``dialog`` (int), ``client`` (str), ``channel`` (str).
    CreateLead = CreateLead ("create_lead") { dialog: Int = "The dialog id.", client: Str = "The client's id.", channel: Str = "The channel (``telegram``, ``web``, ...)." }

    /// Send a form to the client: ``send_form``.
    ///
    /// Attributes: ``dialog`` (int), ``form`` (str).
    SendForm = SendForm ("send_form") { dialog: Int = "The dialog id.", form: Str = "The form id." }

    /// Make this operator the client's CRM responsible: ``crm_responsible_changed``.
    ///
    /// Attributes: ``dialog`` (int), ``operator`` (str).
    CrmResponsibleChanged = CrmResponsibleChanged ("crm_responsible_changed") { dialog: Int = "The dialog id.", operator: Str = "The new CRM responsible." }

    /// The dialog is closed: ``dialog_closed``.
    ///
    /// Attributes: ``dialog`` (int), ``reason`` (str: operator, inactivity, rated,
    /// rating_window, bot), ``stats`` (``DialogStats``).
    DialogClosed = DialogClosed ("dialog_closed") { dialog: Int = "The dialog id.", reason: Str = "Why: operator, inactivity, rated, rating_window or bot.", stats: Stats = "Response statistics (``DialogStats``)." }
}

/// Dialog statistics as the contract's JSON object, fields in its order (interned keys).
fn stats_to_dict<'py>(py: Python<'py>, stats: &DialogStats) -> PyResult<Bound<'py, PyDict>> {
    // Destructured whole, so a field added to the core's stats must be added here.
    let DialogStats {
        first_response_secs,
        avg_response_secs,
        max_response_secs,
        client_messages,
        operator_messages,
        rating,
        unanswered,
    } = stats;
    let dict = PyDict::new(py);
    dict.set_item(
        pyo3::intern!(py, "first_response_secs"),
        first_response_secs,
    )?;
    dict.set_item(pyo3::intern!(py, "avg_response_secs"), avg_response_secs)?;
    dict.set_item(pyo3::intern!(py, "max_response_secs"), max_response_secs)?;
    dict.set_item(pyo3::intern!(py, "client_messages"), client_messages)?;
    dict.set_item(pyo3::intern!(py, "operator_messages"), operator_messages)?;
    dict.set_item(pyo3::intern!(py, "rating"), rating)?;
    dict.set_item(pyo3::intern!(py, "unanswered"), unanswered)?;
    Ok(dict)
}

/// Response statistics of one closed dialog (``DialogClosed.stats``).
///
/// Attributes: ``first_response_secs``, ``avg_response_secs``, ``max_response_secs``
/// (int or None: seconds from a client message to the operator's reply),
/// ``client_messages``, ``operator_messages`` (int; hidden notes not counted),
/// ``rating`` (int 1..5 or None), ``unanswered`` (bool: the dialog got the mark).
#[pyclass(frozen, module = "openlines", name = "DialogStats")]
pub struct PyDialogStats {
    pub inner: DialogStats,
}

#[pymethods]
impl PyDialogStats {
    #[new]
    #[pyo3(signature = (first_response_secs=None, avg_response_secs=None, max_response_secs=None,
                        client_messages=0, operator_messages=0, rating=None, unanswered=false))]
    fn new(
        first_response_secs: Option<u64>,
        avg_response_secs: Option<u64>,
        max_response_secs: Option<u64>,
        client_messages: u32,
        operator_messages: u32,
        rating: Option<u8>,
        unanswered: bool,
    ) -> Self {
        PyDialogStats {
            inner: DialogStats {
                first_response_secs,
                avg_response_secs,
                max_response_secs,
                client_messages,
                operator_messages,
                rating,
                unanswered,
            },
        }
    }

    /// Field names in positional order, for ``match`` statements.
    #[classattr]
    fn __match_args__(py: Python<'_>) -> PyResult<Bound<'_, PyTuple>> {
        PyTuple::new(
            py,
            [
                "first_response_secs",
                "avg_response_secs",
                "max_response_secs",
                "client_messages",
                "operator_messages",
                "rating",
                "unanswered",
            ],
        )
    }

    /// Seconds from the first client message to the first operator reply (None if none).
    #[getter]
    fn first_response_secs(&self) -> Option<u64> {
        self.inner.first_response_secs
    }

    /// Average seconds from a client message (first of a run) to the operator's reply.
    #[getter]
    fn avg_response_secs(&self) -> Option<u64> {
        self.inner.avg_response_secs
    }

    /// Longest such wait, seconds.
    #[getter]
    fn max_response_secs(&self) -> Option<u64> {
        self.inner.max_response_secs
    }

    /// Client messages in the dialog.
    #[getter]
    fn client_messages(&self) -> u32 {
        self.inner.client_messages
    }

    /// Operator replies (hidden notes not counted).
    #[getter]
    fn operator_messages(&self) -> u32 {
        self.inner.operator_messages
    }

    /// The client's rating, 1..5, or None.
    #[getter]
    fn rating(&self) -> Option<u8> {
        self.inner.rating
    }

    /// Whether the dialog got the unanswered mark.
    #[getter]
    fn unanswered(&self) -> bool {
        self.inner.unanswered
    }

    /// The statistics as the contract's JSON object (a plain dict).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        stats_to_dict(py, &self.inner)
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> PyResult<Py<PyAny>> {
        let py = other.py();
        let Ok(other) = other.cast::<PyDialogStats>() else {
            return Ok(py.NotImplemented());
        };
        compare(py, self.inner == other.get().inner, op)
    }

    fn __hash__(&self) -> u64 {
        json_hash(&self.inner)
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        repr_from_match_args(slf.as_any())
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        reduce_from_match_args(slf.as_any())
    }
}
