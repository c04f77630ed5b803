//! The fast path of dict inputs: a `dict` of the contract's JSON shape read straight
//! into the core's `Input` (keys looked up with interned strings, no JSON text, no
//! `serde_json::Value`).
//!
//! It only ever *accepts*: a dict it is not sure about (any error, an unknown key or
//! `type`, a value of an unexpected Python type, a number out of range, and the rare
//! `set_line` / `set_operator` inputs whose nested config is big) makes it answer
//! [`Miss::Slow`], and the caller then runs the JSON path (`inputs::input_from_value`),
//! which gives the canonical error message naming the field, exactly like the CLI.
//! So for every dict the result is the same as the JSON path's; only the cost differs.
//! The Python types accepted per field mirror `convert::py_to_value` plus serde:
//! `str` for strings, `int` (not `bool`) in range for numbers, `bool` for flags,
//! `None` for absent options, `list`/`tuple` of `str` for string lists.

use openlines::{ClientMessage, CrmLookup, Input, PresenceStatus};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyList, PyString, PyTuple};

/// Why the fast path did not produce an input.
pub enum Miss {
    /// Not sure: take the JSON path (it gives the error, or the same input).
    Slow,
    /// Python raised while a key was looked up (a key's `__eq__`): raise it.
    Py(PyErr),
}

impl From<PyErr> for Miss {
    fn from(e: PyErr) -> Self {
        Miss::Py(e)
    }
}

type Fast<T> = Result<T, Miss>;

/// Reads the fields of one dict and counts the keys it used, so that unknown keys
/// (which serde refuses: `deny_unknown_fields`) send the dict to the slow path.
struct Fields<'a, 'py> {
    dict: &'a Bound<'py, PyDict>,
    used: usize,
}

impl<'a, 'py> Fields<'a, 'py> {
    fn new(dict: &'a Bound<'py, PyDict>) -> Self {
        Fields { dict, used: 0 }
    }

    fn get(&mut self, key: &Bound<'py, PyString>) -> Fast<Option<Bound<'py, PyAny>>> {
        let value = self.dict.get_item(key)?;
        if value.is_some() {
            self.used += 1;
        }
        Ok(value)
    }

    fn required(&mut self, key: &Bound<'py, PyString>) -> Fast<Bound<'py, PyAny>> {
        self.get(key)?.ok_or(Miss::Slow)
    }

    /// A required str.
    fn string(&mut self, key: &Bound<'py, PyString>) -> Fast<String> {
        string(&self.required(key)?)
    }

    /// A str defaulting to "" when absent (`#[serde(default)]`; `None` is refused).
    fn string_or_empty(&mut self, key: &Bound<'py, PyString>) -> Fast<String> {
        match self.get(key)? {
            Some(v) => string(&v),
            None => Ok(String::new()),
        }
    }

    /// An optional str: absent or `None` is `None`.
    fn opt_string(&mut self, key: &Bound<'py, PyString>) -> Fast<Option<String>> {
        match self.get(key)? {
            Some(v) if !v.is_none() => string(&v).map(Some),
            _ => Ok(None),
        }
    }

    /// A bool with a default when absent (`None` is refused).
    fn flag(&mut self, key: &Bound<'py, PyString>, default: bool) -> Fast<bool> {
        match self.get(key)? {
            Some(v) => v
                .cast::<PyBool>()
                .map(|b| b.is_true())
                .map_err(|_| Miss::Slow),
            None => Ok(default),
        }
    }

    /// The required `dialog` id.
    fn dialog(&mut self) -> Fast<u64> {
        let py = self.dict.py();
        let v = self.required(intern!(py, "dialog"))?;
        int(&v)?.extract::<u64>().map_err(|_| Miss::Slow)
    }

    /// The required `operator` id.
    fn operator(&mut self) -> Fast<String> {
        let py = self.dict.py();
        self.string(intern!(py, "operator"))
    }

    /// Every key of the dict was read (plus `extra` keys read elsewhere, e.g. `type`):
    /// else it has an unknown one.
    fn all_used(&self, extra: usize) -> Fast<()> {
        if self.dict.len() == self.used + extra {
            Ok(())
        } else {
            Err(Miss::Slow)
        }
    }
}

fn string(v: &Bound<'_, PyAny>) -> Fast<String> {
    let s = v.cast::<PyString>().map_err(|_| Miss::Slow)?;
    // A lone surrogate cannot be UTF-8: the slow path names it.
    s.to_cow().map(|c| c.into_owned()).map_err(|_| Miss::Slow)
}

/// An int that is not a bool (bool is an int subclass in Python, a JSON bool here).
fn int<'a, 'py>(v: &'a Bound<'py, PyAny>) -> Fast<&'a Bound<'py, PyInt>> {
    if v.cast::<PyBool>().is_ok() {
        return Err(Miss::Slow);
    }
    v.cast::<PyInt>().map_err(|_| Miss::Slow)
}

fn strings(v: &Bound<'_, PyAny>) -> Fast<Vec<String>> {
    if let Ok(list) = v.cast::<PyList>() {
        list.iter().map(|item| string(&item)).collect()
    } else if let Ok(tuple) = v.cast::<PyTuple>() {
        tuple.iter().map(|item| string(&item)).collect()
    } else {
        Err(Miss::Slow)
    }
}

fn crm(v: &Bound<'_, PyAny>) -> Fast<Option<CrmLookup>> {
    if v.is_none() {
        return Ok(None);
    }
    let py = v.py();
    let dict = v.cast::<PyDict>().map_err(|_| Miss::Slow)?;
    let mut f = Fields::new(dict);
    let found = f.flag(intern!(py, "found"), false)?;
    let responsible = f.opt_string(intern!(py, "responsible"))?;
    f.all_used(0)?;
    Ok(Some(CrmLookup { found, responsible }))
}

fn presence(v: &Bound<'_, PyAny>) -> Fast<PresenceStatus> {
    Ok(match string(v)?.as_str() {
        "online" => PresenceStatus::Online,
        "away" => PresenceStatus::Away,
        "break" => PresenceStatus::Break,
        "offline" => PresenceStatus::Offline,
        "vacation" => PresenceStatus::Vacation,
        "dismissed" => PresenceStatus::Dismissed,
        _ => return Err(Miss::Slow),
    })
}

fn client_message(f: &mut Fields<'_, '_>) -> Fast<Input> {
    let py = f.dict.py();
    let line = f.string_or_empty(intern!(py, "line"))?;
    let client = f.string_or_empty(intern!(py, "client"))?;
    let text = f.string_or_empty(intern!(py, "text"))?;
    let channel = f.string_or_empty(intern!(py, "channel"))?;
    let can_reply = f.flag(intern!(py, "can_reply"), true)?;
    let crm = match f.get(intern!(py, "crm"))? {
        Some(v) => crm(&v)?,
        None => None,
    };
    let priority = match f.get(intern!(py, "priority"))? {
        Some(v) => int(&v)?.extract::<i32>().map_err(|_| Miss::Slow)?,
        None => 0,
    };
    let language = f.string_or_empty(intern!(py, "language"))?;
    let skills = match f.get(intern!(py, "skills"))? {
        Some(v) => strings(&v)?,
        None => Vec::new(),
    };
    Ok(Input::ClientMessage(ClientMessage {
        line,
        client,
        text,
        channel,
        can_reply,
        crm,
        priority,
        language,
        skills,
    }))
}

/// Convert a dict input directly; `Err(Miss::Slow)` when the JSON path must decide.
pub fn input_from_dict(dict: &Bound<'_, PyDict>) -> Fast<Input> {
    let py = dict.py();
    let Some(tag) = dict.get_item(intern!(py, "type"))? else {
        return Err(Miss::Slow);
    };
    let mut f = Fields::new(dict);
    let input = match string(&tag)?.as_str() {
        "client_message" => client_message(&mut f)?,
        "operator_message" => Input::OperatorMessage {
            dialog: f.dialog()?,
            operator: f.operator()?,
            hidden: f.flag(intern!(py, "hidden"), false)?,
        },
        "accept" => Input::Accept {
            dialog: f.dialog()?,
            operator: f.operator()?,
        },
        "skip" => Input::Skip {
            dialog: f.dialog()?,
            operator: f.operator()?,
        },
        "transfer" => Input::Transfer {
            dialog: f.dialog()?,
            operator: f.operator()?,
            to_operator: f.opt_string(intern!(py, "to_operator"))?,
            to_line: f.opt_string(intern!(py, "to_line"))?,
        },
        "close" => Input::Close {
            dialog: f.dialog()?,
            operator: f.operator()?,
        },
        "pin" => Input::Pin {
            dialog: f.dialog()?,
            operator: f.operator()?,
            pinned: f.flag(intern!(py, "pinned"), true)?,
        },
        "rate" => Input::Rate {
            dialog: f.dialog()?,
            score: int(&f.required(intern!(py, "score"))?)?
                .extract::<u8>()
                .map_err(|_| Miss::Slow)?,
        },
        "presence" => Input::Presence {
            operator: f.operator()?,
            status: presence(&f.required(intern!(py, "status"))?)?,
        },
        "bot_handoff" => Input::BotHandoff {
            dialog: f.dialog()?,
        },
        "bot_resolved" => Input::BotResolved {
            dialog: f.dialog()?,
        },
        "forget_client" => Input::ForgetClient {
            client: f.string(intern!(py, "client"))?,
        },
        "tick" => Input::Tick,
        // set_line / set_operator (nested configs) and unknown tags.
        _ => return Err(Miss::Slow),
    };
    f.all_used(1)?;
    Ok(input)
}
