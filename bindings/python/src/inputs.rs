//! Inputs: plain dicts of the contract's JSON shape, or typed frozen classes (one per
//! input kind). Typed inputs are built through one path: Python -> JSON value -> the
//! core's parser, so they are validated like the CLI's. Dicts given to the engine are
//! read directly into the core's `Input` when they are valid (`direct`), and go through
//! that same JSON path otherwise, so their errors are the CLI's too.

use openlines::Input;
use pyo3::basic::CompareOp;
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyMapping, PyTuple};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::actions::{compare, json_hash, reduce_from_match_args, repr_from_match_args};
use crate::args::{self, Bool, Int, Json, OptJson, OptStr, PyArg, Str, StrList};
use crate::convert::{self, Times, type_name};
use crate::direct;
use crate::errors;

/// The one conversion from a JSON value to a core input (dicts and typed classes).
pub fn input_from_value(value: &Value) -> Result<Input, openlines::Error> {
    // The hot path (typed constructors): a valid input is read straight from the value,
    // as the core reads valid JSON text. A refused one, and a tick (whose extra fields
    // the core refuses), go through the core's reader, which names the problem.
    if let Ok(input) = Input::deserialize(value)
        && !matches!(input, Input::Tick)
    {
        return Ok(input);
    }
    let text = serde_json::to_string(value)
        .map_err(|e| openlines::Error::new(openlines::ErrorKind::InvalidInput, e.to_string()))?;
    openlines::json::input_from_str(&text)
}

/// Accept a typed input object or a dict/Mapping of the contract's JSON shape: the one
/// conversion of `Engine.handle`, `Engine.handle_many` and `Input.from_dict`.
///
/// A dict is read directly (`direct::input_from_dict`); what that fast path is not sure
/// about (errors, `set_line` / `set_operator`, other Mappings) goes through the JSON
/// value and the core's parser, which name the offending field.
pub fn extract_input(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Input> {
    if let Ok(typed) = obj.cast::<PyInput>() {
        return Ok(typed.get().inner.clone());
    }
    if let Ok(dict) = obj.cast::<PyDict>() {
        match direct::input_from_dict(dict) {
            Ok(input) => return Ok(input),
            Err(direct::Miss::Py(e)) => return Err(e),
            Err(direct::Miss::Slow) => {}
        }
    }
    if obj.cast::<PyDict>().is_ok() || obj.cast::<PyMapping>().is_ok() {
        let value = convert::py_to_value(obj, "")
            .map_err(|e| args::conv_err(e, |m| errors::input_error(py, m)))?;
        return input_from_value(&value).map_err(|e| errors::to_pyerr(py, &e));
    }
    Err(PyTypeError::new_err(format!(
        "input: expected a dict like {{\"type\": \"accept\", ...}} or a typed input \
         (openlines.ClientMessage, openlines.Accept, ...), got {}",
        type_name(obj)
    )))
}

/// The base class of the typed inputs (``ClientMessage``, ``Accept``, ``Presence``, ...).
///
/// A typed input is validated when it is built, exactly like the same input given as a
/// dict to ``Engine.handle``: a wrong Python type raises ``TypeError`` naming the field,
/// a wrong value (an unknown ``status``, a negative ``dialog``) raises ``InputError``.
/// ``to_dict()`` gives the contract's JSON object (docs/reference.md, "Inputs"); inputs compare
/// equal field by field, are hashable and support ``match``.
#[pyclass(subclass, frozen, module = "openlines", name = "Input")]
pub struct PyInput {
    pub inner: Input,
}

impl PyInput {
    fn field<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        let value = serde_json::to_value(&self.inner)
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        match value.get(name) {
            Some(v) => convert::value_to_py(py, v, Times::AsStrings),
            None => Ok(py.None().into_bound(py)),
        }
    }
}

#[pymethods]
impl PyInput {
    /// The input's JSON tag, e.g. ``"accept"``.
    #[getter]
    fn r#type(&self) -> &'static str {
        self.inner.type_name()
    }

    /// The input as the contract's JSON object (a plain dict with ``"type"`` first).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::serialize_to_py(py, &self.inner, Times::AsStrings)
    }

    /// The input as one line of JSON text.
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner).map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    /// Build a typed input from its JSON object (a dict); raises ``InputError`` like
    /// ``Engine.handle`` would.
    #[staticmethod]
    fn from_dict<'py>(py: Python<'py>, data: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        if data.cast::<PyDict>().is_err() && data.cast::<PyMapping>().is_err() {
            return Err(PyTypeError::new_err(format!(
                "data: expected a dict, got {}",
                type_name(data)
            )));
        }
        let input = extract_input(py, data)?;
        input_to_py(py, input)
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> PyResult<Py<PyAny>> {
        let py = other.py();
        let Ok(other) = other.cast::<PyInput>() else {
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

macro_rules! or_default {
    ($name:expr, $kind:ty,) => {
        <$kind as PyArg>::from_none($name)?
    };
    ($name:expr, $kind:ty, $default:expr) => {
        $default
    };
}

macro_rules! inputs {
    ($(
        $(#[doc = $doc:literal])*
        $cls:ident ($tag:literal) signature $sig:tt text $text:literal
        { $($field:ident : $kind:ty $(= $default:expr)? ; $fdoc:literal),* $(,)? }
    )*) => {
        $(
            $(#[doc = $doc])*
            #[pyclass(extends = PyInput, frozen, module = "openlines")]
            pub struct $cls;

            #[pymethods]
            impl $cls {
                #[new]
                #[allow(clippy::too_many_arguments)]
                #[pyo3(signature = $sig, text_signature = $text)]
                fn new(py: Python<'_>, $($field: Option<&Bound<'_, PyAny>>),*) -> PyResult<PyClassInitializer<Self>> {
                    // The fast path: the given fields as the dict input they stand for,
                    // read by the dict reader, which only ever accepts what the path
                    // below would accept with the same result.
                    let dict = PyDict::new(py);
                    dict.set_item(pyo3::intern!(py, "type"), pyo3::intern!(py, $tag))?;
                    $(
                        if let Some(obj) = $field {
                            dict.set_item(pyo3::intern!(py, stringify!($field)), obj)?;
                        }
                    )*
                    match direct::input_from_dict(&dict) {
                        Ok(inner) => return Ok(PyClassInitializer::from(PyInput { inner }).add_subclass($cls)),
                        Err(direct::Miss::Py(e)) => return Err(e),
                        Err(direct::Miss::Slow) => {}
                    }
                    // Each field's type checked (a `TypeError` naming `Class.field`),
                    // then the core's reader, which names a wrong value.
                    #[allow(unused_mut)]
                    let mut map = Map::new();
                    map.insert("type".to_owned(), Value::String($tag.to_owned()));
                    $(
                        let name = concat!(stringify!($cls), ".", stringify!($field));
                        let value = match $field {
                            Some(obj) => <$kind as PyArg>::from_arg(obj, name)?,
                            None => { or_default!(name, $kind, $($default)?) }
                        };
                        map.insert(stringify!($field).to_owned(), value);
                    )*
                    let inner = input_from_value(&Value::Object(map))
                        .map_err(|e| errors::to_pyerr(py, &e))?;
                    Ok(PyClassInitializer::from(PyInput { inner }).add_subclass($cls))
                }

                /// Field names in positional order, for ``match`` statements.
                #[classattr]
                fn __match_args__(py: Python<'_>) -> PyResult<Bound<'_, PyTuple>> {
                    let names: &[&str] = &[$(stringify!($field)),*];
                    PyTuple::new(py, names.iter().copied())
                }

                $(
                    #[doc = $fdoc]
                    #[getter]
                    fn $field<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
                        slf.as_super().get().field(slf.py(), stringify!($field))
                    }
                )*
            }
        )*

        /// Wrap a core input in its typed Python class.
        pub fn input_to_py(py: Python<'_>, input: Input) -> PyResult<Bound<'_, PyAny>> {
            match input.type_name() {
                $(
                    $tag => Ok(Bound::new(
                        py,
                        PyClassInitializer::from(PyInput { inner: input }).add_subclass($cls),
                    )?.into_any()),
                )*
                other => Err(PyRuntimeError::new_err(format!("internal error: no class for input {other}"))),
            }
        }

        /// Register the input classes in the module.
        pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
            m.add_class::<PyInput>()?;
            $( m.add_class::<$cls>()?; )*
            Ok(())
        }
    };
}

fn empty() -> Value {
    Value::String(String::new())
}

inputs! {
    /// A client wrote to a line (``client_message``); opens a dialog when the client has
    /// none open on that line.
    ///
    /// ``crm`` is the host's CRM lookup, e.g. ``{"found": True, "responsible": "bob"}``
    /// (None = no lookup made); ``priority`` (higher goes first in the waiting queue),
    /// ``language`` and ``skills`` are routing requirements.
    ClientMessage ("client_message")
        signature (line, client, text=None, channel=None, can_reply=None, crm=None, priority=None, language=None, skills=None)
        text "(line, client, text='', channel='', can_reply=True, crm=None, priority=0, language='', skills=())"
    { line: Str ; "The line id.", client: Str ; "The client's id (stable per person and channel, e.g. ``tg:42``).", text: Str = empty() ; "The message text (used for the bot handoff keyword; not stored).", channel: Str = empty() ; "The channel (``telegram``, ``web``, ...), passed to ``create_lead``.", can_reply: Bool = Value::Bool(true) ; "Whether the channel can reply to the client (leads are auto-created only then).", crm: OptJson = Value::Null ; "The host's CRM lookup as a dict (``found``, ``responsible``), or None when no lookup was made.", priority: Int = Value::from(0) ; "Higher goes first in the waiting queue.", language: Str = empty() ; "Required operator language (empty = any).", skills: StrList = Value::Array(Vec::new()) ; "Required operator skills." }

    /// An operator wrote in a dialog (``operator_message``); ``hidden=True`` is an
    /// internal note, not a reply. A message on a dialog offered to the operator accepts it.
    OperatorMessage ("operator_message")
        signature (dialog, operator, hidden=None)
        text "(dialog, operator, hidden=False)"
    { dialog: Int ; "The dialog id.", operator: Str ; "The operator id.", hidden: Bool = Value::Bool(false) ; "An internal note the client does not see (not a reply)." }

    /// An operator accepts a dialog offered to them (``accept``).
    Accept ("accept") signature (dialog, operator) text "(dialog, operator)"
    { dialog: Int ; "The dialog id.", operator: Str ; "The operator id." }

    /// An operator skips an offered (or their assigned) dialog (``skip``): it goes to the
    /// next candidate.
    Skip ("skip") signature (dialog, operator) text "(dialog, operator)"
    { dialog: Int ; "The dialog id.", operator: Str ; "The operator id." }

    /// The assigned operator hands the dialog to another operator or line (``transfer``):
    /// give exactly one of ``to_operator`` and ``to_line``.
    Transfer ("transfer")
        signature (dialog, operator, to_operator=None, to_line=None)
        text "(dialog, operator, to_operator=None, to_line=None)"
    { dialog: Int ; "The dialog id.", operator: Str ; "The operator id.", to_operator: OptStr = Value::Null ; "Target operator, or None.", to_line: OptStr = Value::Null ; "Target line, or None." }

    /// The assigned operator closes the dialog (``close``).
    Close ("close") signature (dialog, operator) text "(dialog, operator)"
    { dialog: Int ; "The dialog id.", operator: Str ; "The operator id." }

    /// The assigned operator pins (or unpins) the dialog (``pin``); pinned dialogs are
    /// not auto-closed.
    Pin ("pin") signature (dialog, operator, pinned=None) text "(dialog, operator, pinned=True)"
    { dialog: Int ; "The dialog id.", operator: Str ; "The operator id.", pinned: Bool = Value::Bool(true) ; "Pin (True) or unpin (False)." }

    /// The client rates the dialog 1 to 5 (``rate``).
    Rate ("rate") signature (dialog, score) text "(dialog, score)"
    { dialog: Int ; "The dialog id.", score: Int ; "The score, 1..5." }

    /// An operator's presence changed (``presence``); ``status`` is one of online, away,
    /// break, offline, vacation, dismissed.
    Presence ("presence") signature (operator, status) text "(operator, status)"
    { operator: Str ; "The operator id.", status: Str ; "The new presence status: online, away, break, offline, vacation or dismissed." }

    /// The host's bot asks for a human (``bot_handoff``).
    BotHandoff ("bot_handoff") signature (dialog) text "(dialog)"
    { dialog: Int ; "The dialog id." }

    /// The bot finished the dialog itself (``bot_resolved``).
    BotResolved ("bot_resolved") signature (dialog) text "(dialog)"
    { dialog: Int ; "The dialog id." }

    /// Add or replace a line at run time (``set_line``); ``line`` is a line's config dict
    /// (docs/reference.md, "Config").
    SetLine ("set_line") signature (line) text "(line)"
    { line: Json ; "The line's full config, as a dict." }

    /// Add or replace an operator at run time (``set_operator``); ``operator`` is an
    /// operator's config dict, e.g. ``{"id": "cid", "max_dialogs": 3}``.
    SetOperator ("set_operator") signature (operator) text "(operator)"
    { operator: Json ; "The operator's full config, as a dict." }

    /// Erase what the engine keeps about a client (``forget_client``).
    ForgetClient ("forget_client") signature (client) text "(client)"
    { client: Str ; "The client whose data is erased." }

    /// A clock tick (``tick``): only fires due timers, like ``Engine.advance``.
    Tick ("tick") signature () text "()"
    {  }
}
