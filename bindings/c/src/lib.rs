//! C ABI of the openlines routing engine: `libopenlines.so`, `libopenlines.a` and the
//! header `include/openlines.h` (generated from this file by cbindgen; the doc comments
//! here are the header's documentation, so they are written for C programmers).
//!
//! Design (after rustls-ffi): opaque handle, stable `#[repr(u32)]` status codes, every
//! pointer checked, every body behind `catch_unwind` (a panic poisons the handle), outputs
//! written only on success, ownership of every returned buffer documented.

#![allow(non_camel_case_types)]
#![deny(unsafe_op_in_unsafe_fn)]

use std::cell::RefCell;
use std::ffi::{CStr, CString, c_char, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;

use chrono::{DateTime, Utc};
use core_engine::{
    Action, AssignReason, BotStopReason, ClientMessage, CloseReason, Config, ConfigIssue,
    CrmLookup, Engine, Error, ErrorKind, Input, IssueKind, Kpi, MessageKind, PresenceStatus,
    QueueReason, WithdrawReason,
};

#[cfg(test)]
mod tests;

// ------------------------------------------------------------------------------ status

/// Status code returned by every fallible function. OPENLINES_OK (0) is success.
///
/// The numbers are part of the ABI: they never change and are never reused.
/// 1..99 mirror the engine's error kinds (docs/reference.md, "Errors"); 100.. are C-level
/// conditions. openlines_status_str() gives each one's stable name.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum openlines_status {
    /// Success.
    OPENLINES_OK = 0,
    /// The config is malformed or inconsistent (error kind "invalid_config"); the message
    /// lists every problem with its field path, e.g. "lines[0].queue.forward_after_secs: ...".
    OPENLINES_INVALID_CONFIG = 1,
    /// The input is malformed: bad JSON, a missing field, a bad value, over a limit
    /// ("invalid_input").
    OPENLINES_INVALID_INPUT = 2,
    /// The input names a line that does not exist ("unknown_line").
    OPENLINES_UNKNOWN_LINE = 3,
    /// The input names an operator that does not exist ("unknown_operator").
    OPENLINES_UNKNOWN_OPERATOR = 4,
    /// The input names a dialog that was never opened or is closed ("unknown_dialog").
    OPENLINES_UNKNOWN_DIALOG = 5,
    /// Well-formed but not allowed now, e.g. an operator acting on a dialog that is not
    /// theirs, or on a closed dialog ("not_allowed").
    OPENLINES_NOT_ALLOWED = 6,
    /// The time is earlier than the engine's current time ("time_went_backwards").
    OPENLINES_TIME_WENT_BACKWARDS = 7,
    /// The snapshot bytes cannot be restored: other version, corrupt ("snapshot_version").
    OPENLINES_SNAPSHOT_VERSION = 8,
    /// A required pointer argument is NULL (or an openlines_str has a NULL pointer and a
    /// non-zero length).
    OPENLINES_NULL_POINTER = 100,
    /// A string argument is not valid UTF-8.
    OPENLINES_INVALID_UTF8 = 101,
    /// A numeric argument is out of range: an unknown kind or enum value, a time the
    /// engine cannot represent, a rating score above 255.
    OPENLINES_OUT_OF_RANGE = 102,
    /// Not an error: openlines_engine_next_action() has no more pending actions.
    OPENLINES_NO_MORE_ACTIONS = 103,
    /// A bug in openlines: a Rust panic was caught at the boundary. The handle (if any)
    /// is now poisoned. Please report it with openlines_engine_last_error()'s message.
    OPENLINES_PANIC = 200,
    /// The handle was poisoned by an earlier OPENLINES_PANIC: it refuses every call but
    /// openlines_engine_last_error() and openlines_engine_free(). Free it and restore
    /// from your last snapshot.
    OPENLINES_POISONED = 201,
}

use openlines_status::*;

/// The one place where engine error kinds become C status codes.
fn status_of(kind: ErrorKind) -> openlines_status {
    match kind {
        ErrorKind::InvalidConfig => OPENLINES_INVALID_CONFIG,
        ErrorKind::InvalidInput => OPENLINES_INVALID_INPUT,
        ErrorKind::UnknownLine => OPENLINES_UNKNOWN_LINE,
        ErrorKind::UnknownOperator => OPENLINES_UNKNOWN_OPERATOR,
        ErrorKind::UnknownDialog => OPENLINES_UNKNOWN_DIALOG,
        ErrorKind::NotAllowed => OPENLINES_NOT_ALLOWED,
        ErrorKind::TimeWentBackwards => OPENLINES_TIME_WENT_BACKWARDS,
        ErrorKind::SnapshotVersion => OPENLINES_SNAPSHOT_VERSION,
    }
}

/// Every status, for the name table and the tests.
const ALL_STATUSES: [openlines_status; 15] = [
    OPENLINES_OK,
    OPENLINES_INVALID_CONFIG,
    OPENLINES_INVALID_INPUT,
    OPENLINES_UNKNOWN_LINE,
    OPENLINES_UNKNOWN_OPERATOR,
    OPENLINES_UNKNOWN_DIALOG,
    OPENLINES_NOT_ALLOWED,
    OPENLINES_TIME_WENT_BACKWARDS,
    OPENLINES_SNAPSHOT_VERSION,
    OPENLINES_NULL_POINTER,
    OPENLINES_INVALID_UTF8,
    OPENLINES_OUT_OF_RANGE,
    OPENLINES_NO_MORE_ACTIONS,
    OPENLINES_PANIC,
    OPENLINES_POISONED,
];

fn status_name(status: openlines_status) -> &'static str {
    match status {
        OPENLINES_OK => "ok\0",
        OPENLINES_INVALID_CONFIG => "invalid_config\0",
        OPENLINES_INVALID_INPUT => "invalid_input\0",
        OPENLINES_UNKNOWN_LINE => "unknown_line\0",
        OPENLINES_UNKNOWN_OPERATOR => "unknown_operator\0",
        OPENLINES_UNKNOWN_DIALOG => "unknown_dialog\0",
        OPENLINES_NOT_ALLOWED => "not_allowed\0",
        OPENLINES_TIME_WENT_BACKWARDS => "time_went_backwards\0",
        OPENLINES_SNAPSHOT_VERSION => "snapshot_version\0",
        OPENLINES_NULL_POINTER => "null_pointer\0",
        OPENLINES_INVALID_UTF8 => "invalid_utf8\0",
        OPENLINES_OUT_OF_RANGE => "out_of_range\0",
        OPENLINES_NO_MORE_ACTIONS => "no_more_actions\0",
        OPENLINES_PANIC => "panic\0",
        OPENLINES_POISONED => "poisoned\0",
    }
}

/// A failed call: the status and the message for openlines_engine_last_error().
#[derive(Debug)]
struct Failure {
    status: openlines_status,
    message: String,
    /// The problems behind an invalid config or an unreadable JSON input
    /// (openlines_last_issue_count() and friends).
    issues: Vec<ConfigIssue>,
}

impl Failure {
    fn new(status: openlines_status, message: impl Into<String>) -> Self {
        Failure {
            status,
            message: message.into(),
            issues: Vec::new(),
        }
    }

    /// OPENLINES_INVALID_INPUT for a problem in the JSON of a field of the input
    /// struct (`line` of set_line, `operator` of set_operator): its path under `field`.
    fn in_field(field: &str, mut issue: ConfigIssue) -> Self {
        issue.path = if issue.path == "(root)" {
            field.to_owned()
        } else {
            format!("{field}.{}", issue.path)
        };
        let mut failure = Failure::new(OPENLINES_INVALID_INPUT, issue.to_string());
        failure.issues.push(issue);
        failure
    }

    fn null(what: &str) -> Self {
        Failure::new(OPENLINES_NULL_POINTER, format!("{what} is NULL"))
    }

    /// A time error for `at_ms`, with a hint when the value looks like seconds (a
    /// count of seconds between 2001 and 5138 is, read as milliseconds, a time in
    /// the first years of 1970-1973).
    fn with_seconds_hint(mut self, at_ms: i64) -> Self {
        if (1_000_000_000..100_000_000_000).contains(&at_ms) {
            let day = |t: Option<DateTime<Utc>>| t.map(|t| t.format("%Y-%m-%d").to_string());
            if let (Some(as_ms), Some(as_secs)) = (
                day(DateTime::from_timestamp_millis(at_ms)),
                day(DateTime::from_timestamp(at_ms, 0)),
            ) {
                self.message.push_str(&format!(
                    "; at_ms = {at_ms} is {as_ms} as milliseconds: it looks like seconds \
                     since the Unix epoch ({as_secs}); pass milliseconds (seconds * 1000)"
                ));
            }
        }
        self
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let mut failure = Failure::new(status_of(e.kind), e.message);
        failure.issues = e.issues;
        failure
    }
}

type Outcome = Result<(), Failure>;

/// A NUL-terminated copy of a message (interior NULs escaped).
fn c_message(message: &str) -> CString {
    CString::new(message.replace('\0', "\\0")).unwrap_or_default()
}

/// Run a handle-less body behind the panic boundary; on failure, hand the message to
/// the optional `out_error`.
fn guard(out_error: *mut *mut c_char, body: impl FnOnce() -> Outcome) -> openlines_status {
    let failure = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => {
            set_thread_error(None);
            return OPENLINES_OK;
        }
        Ok(Err(f)) => f,
        Err(payload) => Failure::new(
            OPENLINES_PANIC,
            format!(
                "internal error (panic): {}",
                core_engine::error::panic_message(&*payload)
            ),
        ),
    };
    set_thread_error(Some(&failure.message));
    set_thread_issues(&failure.issues);
    if !out_error.is_null() {
        // SAFETY: the caller passes either NULL or a valid `char**` (documented).
        unsafe { *out_error = c_message(&failure.message).into_raw() };
    }
    failure.status
}

/// Run a body on a handle behind the panic boundary: NULL and poison checks, the last
/// error recorded on failure, the handle poisoned on panic.
fn with_handle(
    engine: *mut openlines_engine,
    body: impl FnOnce(&mut openlines_engine) -> Outcome,
) -> openlines_status {
    // SAFETY: the caller passes NULL or a pointer from openlines_engine_new/_restore
    // that was not freed, and no other thread uses it (documented).
    let Some(h) = (unsafe { engine.as_mut() }) else {
        set_thread_error(Some("engine is NULL"));
        return OPENLINES_NULL_POINTER;
    };
    if h.poisoned {
        set_thread_error(Some(POISONED_MESSAGE));
        return OPENLINES_POISONED;
    }
    h.last_error = None;
    let result = catch_unwind(AssertUnwindSafe(|| body(&mut *h)));
    let mut issues = Vec::new();
    let status = match result {
        Ok(Ok(())) => OPENLINES_OK,
        Ok(Err(f)) => {
            if !f.message.is_empty() {
                h.last_error = Some(c_message(&f.message));
            }
            issues = f.issues;
            f.status
        }
        Err(payload) => {
            h.poisoned = true;
            h.last_error = Some(c_message(&format!(
                "internal error (panic): {}; this engine handle is now poisoned: free it and \
                 restore from your last snapshot",
                core_engine::error::panic_message(&*payload)
            )));
            OPENLINES_PANIC
        }
    };
    THREAD_ERROR.with_borrow_mut(|slot| slot.clone_from(&h.last_error));
    set_thread_issues(&issues);
    status
}

/// The message of openlines_last_error() for a call on a poisoned handle.
const POISONED_MESSAGE: &str = "this engine handle was poisoned by an earlier panic: free it \
                                and restore from your last snapshot";

thread_local! {
    /// The message of the last failed call on this thread (openlines_last_error()).
    static THREAD_ERROR: RefCell<Option<CString>> = const { RefCell::new(None) };
}

/// Record (or, with `None`, clear) the message of this thread's last call; its
/// problems are cleared (set_thread_issues() records them after).
fn set_thread_error(message: Option<&str>) {
    THREAD_ERROR.with_borrow_mut(|slot| *slot = message.map(c_message));
    set_thread_issues(&[]);
}

/// One problem of this thread's last failed call, as C strings.
struct CIssue {
    path: CString,
    message: CString,
    kind: &'static CStr,
}

/// The problems of this thread's last failed call, one by one and as JSON.
struct ThreadIssues {
    list: Vec<CIssue>,
    /// None when there are none ("[]").
    json: Option<CString>,
}

thread_local! {
    /// The problems of the last failed call on this thread (openlines_last_issue_*()).
    static THREAD_ISSUES: RefCell<ThreadIssues> = const {
        RefCell::new(ThreadIssues { list: Vec::new(), json: None })
    };
}

/// Record the problems of this thread's last call (empty: none, or it succeeded).
fn set_thread_issues(issues: &[ConfigIssue]) {
    THREAD_ISSUES.with_borrow_mut(|slot| {
        slot.list = issues
            .iter()
            .map(|issue| CIssue {
                path: c_message(&issue.path),
                message: c_message(&issue.message),
                kind: issue_kind_name(issue.kind),
            })
            .collect();
        slot.json =
            (!issues.is_empty()).then(|| c_message(&core_engine::json::issues_json(issues)));
    });
}

/// The NUL-terminated name of an issue kind.
fn issue_kind_name(kind: IssueKind) -> &'static CStr {
    match kind {
        IssueKind::Syntax => c"syntax",
        IssueKind::UnknownField => c"unknown_field",
        IssueKind::MissingField => c"missing_field",
        IssueKind::InvalidType => c"invalid_type",
        IssueKind::InvalidValue => c"invalid_value",
        IssueKind::OutOfRange => c"out_of_range",
        IssueKind::Duplicate => c"duplicate",
        IssueKind::UnknownReference => c"unknown_reference",
    }
}

/// A string of the `index`th problem of this thread's last failed call, or NULL.
fn thread_issue(index: usize, field: impl Fn(&CIssue) -> *const c_char) -> *const c_char {
    THREAD_ISSUES.with_borrow(|issues| issues.list.get(index).map_or(ptr::null(), field))
}

// ----------------------------------------------------------------------- plain types

/// A borrowed string: `len` bytes of UTF-8 at `ptr`, not necessarily NUL-terminated.
///
/// Print one with `printf("%.*s", (int)s.len, s.ptr)`. In inputs, {NULL, 0} means
/// "absent" for optional fields and "" for required ones; a NULL `ptr` with a non-zero
/// `len` is rejected. In actions, an absent optional value is {NULL, 0} and any present
/// value (even "") has a non-NULL `ptr`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct openlines_str {
    /// First byte (need not be NUL-terminated).
    pub ptr: *const c_char,
    /// Length in bytes.
    pub len: usize,
}

impl openlines_str {
    const ABSENT: openlines_str = openlines_str {
        ptr: ptr::null(),
        len: 0,
    };

    /// Borrow a Rust string (an empty one points at a static "" so `ptr` is valid).
    fn borrow(s: &str) -> openlines_str {
        if s.is_empty() {
            openlines_str {
                ptr: c"".as_ptr(),
                len: 0,
            }
        } else {
            openlines_str {
                ptr: s.as_ptr().cast(),
                len: s.len(),
            }
        }
    }

    fn borrow_opt(s: Option<&str>) -> openlines_str {
        s.map_or(openlines_str::ABSENT, openlines_str::borrow)
    }
}

/// Read `len` bytes at `ptr` as UTF-8; `what` names the argument in errors.
///
/// # Safety
/// `ptr` must be NULL or point at `len` readable bytes.
unsafe fn utf8_arg<'a>(ptr: *const c_char, len: usize, what: &str) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return if len == 0 {
            Ok("")
        } else {
            Err(Failure::null(what))
        };
    }
    if len > isize::MAX as usize {
        return Err(Failure::new(
            OPENLINES_OUT_OF_RANGE,
            format!("{what}: length {len} is too large"),
        ));
    }
    // SAFETY: non-NULL, `len` bytes readable (caller's contract).
    let bytes = unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) };
    std::str::from_utf8(bytes).map_err(|e| {
        Failure::new(
            OPENLINES_INVALID_UTF8,
            format!(
                "{what} is not valid UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ),
        )
    })
}

/// # Safety
/// `s.ptr` must be NULL or point at `s.len` readable bytes.
unsafe fn str_field(s: openlines_str, what: &str) -> Result<String, Failure> {
    // SAFETY: forwarded contract.
    unsafe { utf8_arg(s.ptr, s.len, what) }.map(str::to_owned)
}

/// # Safety
/// As [`str_field`]; {NULL, 0} is `None`.
unsafe fn opt_str_field(s: openlines_str, what: &str) -> Result<Option<String>, Failure> {
    if s.ptr.is_null() && s.len == 0 {
        Ok(None)
    } else {
        // SAFETY: forwarded contract.
        unsafe { str_field(s, what) }.map(Some)
    }
}

fn time_arg(ms: i64, what: &str) -> Result<DateTime<Utc>, Failure> {
    DateTime::<Utc>::from_timestamp_millis(ms).ok_or_else(|| {
        Failure::new(
            OPENLINES_OUT_OF_RANGE,
            format!("{what} = {ms} ms since the Unix epoch is out of the representable range"),
        )
    })
}

/// Milliseconds since the epoch, rounded up so that advancing to it fires the timer.
fn time_ms(at: DateTime<Utc>) -> i64 {
    let ms = at.timestamp_millis();
    if !at.timestamp_subsec_nanos().is_multiple_of(1_000_000) {
        ms.saturating_add(1)
    } else {
        ms
    }
}

// ------------------------------------------------------------------------------ enums

/// The kind of an openlines_input (its `kind` field). 0 is not a valid kind.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum openlines_input_kind {
    /// A client wrote to a line: `line`, `client`, and optionally `text`, `channel`,
    /// `can_reply`, `has_crm`/`crm_found`/`crm_responsible`, `priority`, `language`,
    /// `skills`/`skills_len`.
    OPENLINES_INPUT_CLIENT_MESSAGE = 1,
    /// An operator wrote in a dialog: `dialog`, `operator_id`, `hidden` (an internal note).
    OPENLINES_INPUT_OPERATOR_MESSAGE = 2,
    /// An operator accepts an offered dialog: `dialog`, `operator_id`.
    OPENLINES_INPUT_ACCEPT = 3,
    /// An operator skips an offered (or their assigned) dialog: `dialog`, `operator_id`.
    OPENLINES_INPUT_SKIP = 4,
    /// The assigned operator hands the dialog on: `dialog`, `operator_id`, and exactly one
    /// of `to_operator` and `to_line` (the other {NULL, 0}).
    OPENLINES_INPUT_TRANSFER = 5,
    /// The assigned operator closes the dialog: `dialog`, `operator_id`.
    OPENLINES_INPUT_CLOSE = 6,
    /// The assigned operator pins or unpins the dialog: `dialog`, `operator_id`, `pinned`.
    OPENLINES_INPUT_PIN = 7,
    /// The client rates the dialog: `dialog`, `score` (1..5).
    OPENLINES_INPUT_RATE = 8,
    /// An operator's presence changed: `operator_id`, `status` (an openlines_presence).
    OPENLINES_INPUT_PRESENCE = 9,
    /// The host's bot asks for a human: `dialog`.
    OPENLINES_INPUT_BOT_HANDOFF = 10,
    /// The bot finished the dialog itself: `dialog`.
    OPENLINES_INPUT_BOT_RESOLVED = 11,
    /// Add or replace a line: `config_json`, the line's config as JSON (docs/reference.md, "Config",
    /// one element of "lines").
    OPENLINES_INPUT_SET_LINE = 12,
    /// Add or replace an operator: `config_json`, the operator's config as JSON (one
    /// element of "operators").
    OPENLINES_INPUT_SET_OPERATOR = 13,
    /// Erase what the engine keeps about a client: `client`.
    OPENLINES_INPUT_FORGET_CLIENT = 14,
    /// A clock tick, same as openlines_engine_advance(); no fields.
    OPENLINES_INPUT_TICK = 15,
}

/// Operator presence (openlines_input.status for OPENLINES_INPUT_PRESENCE).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum openlines_presence {
    /// "online": working and available.
    OPENLINES_PRESENCE_ONLINE = 1,
    /// "away".
    OPENLINES_PRESENCE_AWAY = 2,
    /// "break".
    OPENLINES_PRESENCE_BREAK = 3,
    /// "offline".
    OPENLINES_PRESENCE_OFFLINE = 4,
    /// "vacation".
    OPENLINES_PRESENCE_VACATION = 5,
    /// "dismissed": no longer works here; their dialogs are re-routed.
    OPENLINES_PRESENCE_DISMISSED = 6,
}

/// The kind of an openlines_action (its `kind` field). Each value's comment lists the
/// fields it sets; all other fields are zero / {NULL, 0}.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum openlines_action_kind {
    /// "dialog_opened": `dialog`, `line`, `client`.
    OPENLINES_ACTION_DIALOG_OPENED = 1,
    /// "send_message": send `text` to the client of `dialog`; `message_kind` says why.
    OPENLINES_ACTION_SEND_MESSAGE = 2,
    /// "offer": offer `dialog` to `operators` (several in "all" mode) until `expires_at_ms`.
    OPENLINES_ACTION_OFFER = 3,
    /// "offer_withdrawn": the offer of `dialog` to `operator_id` is gone; `reason` is an
    /// openlines_withdraw_reason.
    OPENLINES_ACTION_OFFER_WITHDRAWN = 4,
    /// "assigned": `dialog` now belongs to `operator_id`; `reason` is an
    /// openlines_assign_reason.
    OPENLINES_ACTION_ASSIGNED = 5,
    /// "queued": `dialog` waits in its line's queue; `reason` is an openlines_queue_reason.
    OPENLINES_ACTION_QUEUED = 6,
    /// "mark_unanswered": mark `dialog` unanswered in the host's UI.
    OPENLINES_ACTION_MARK_UNANSWERED = 7,
    /// "kpi_overdue": a response-time target (`kpi`, an openlines_kpi) of `dialog` was
    /// missed by `operator_id` ({NULL, 0} when nobody was responsible); send `text` to
    /// the operators in `notify`.
    OPENLINES_ACTION_KPI_OVERDUE = 8,
    /// "bot_started": `dialog` starts with the bot `bot`.
    OPENLINES_ACTION_BOT_STARTED = 9,
    /// "bot_stopped": the bot stage of `dialog` ended; `reason` is an
    /// openlines_bot_stop_reason.
    OPENLINES_ACTION_BOT_STOPPED = 10,
    /// "create_lead": create a CRM lead for `client` from `channel` (`dialog`).
    OPENLINES_ACTION_CREATE_LEAD = 11,
    /// "send_form": send the form `form` to the client of `dialog`.
    OPENLINES_ACTION_SEND_FORM = 12,
    /// "crm_responsible_changed": make `operator_id` the CRM responsible of the client
    /// of `dialog`.
    OPENLINES_ACTION_CRM_RESPONSIBLE_CHANGED = 13,
    /// "dialog_closed": `dialog` is closed; `reason` is an openlines_close_reason and
    /// `stats` its response statistics.
    OPENLINES_ACTION_DIALOG_CLOSED = 14,
}

/// Why a text is sent (openlines_action.message_kind of OPENLINES_ACTION_SEND_MESSAGE).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum openlines_message_kind {
    /// "consent".
    OPENLINES_MESSAGE_CONSENT = 1,
    /// "greeting".
    OPENLINES_MESSAGE_GREETING = 2,
    /// "off_hours".
    OPENLINES_MESSAGE_OFF_HOURS = 3,
    /// "nobody_available".
    OPENLINES_MESSAGE_NOBODY_AVAILABLE = 4,
    /// "unanswered".
    OPENLINES_MESSAGE_UNANSWERED = 5,
    /// "no_answer".
    OPENLINES_MESSAGE_NO_ANSWER = 6,
    /// "closing".
    OPENLINES_MESSAGE_CLOSING = 7,
    /// "auto_close".
    OPENLINES_MESSAGE_AUTO_CLOSE = 8,
    /// "rating_request".
    OPENLINES_MESSAGE_RATING_REQUEST = 9,
    /// "queue_position".
    OPENLINES_MESSAGE_QUEUE_POSITION = 10,
}

/// Why an offer was withdrawn (openlines_action.reason of OPENLINES_ACTION_OFFER_WITHDRAWN).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum openlines_withdraw_reason {
    /// "timeout": not accepted in time.
    OPENLINES_WITHDRAW_TIMEOUT = 1,
    /// "skipped": the operator skipped it.
    OPENLINES_WITHDRAW_SKIPPED = 2,
    /// "taken": another operator took it.
    OPENLINES_WITHDRAW_TAKEN = 3,
    /// "unavailable": the operator became unavailable or left the queue.
    OPENLINES_WITHDRAW_UNAVAILABLE = 4,
}

/// Why a dialog was assigned (openlines_action.reason of OPENLINES_ACTION_ASSIGNED).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum openlines_assign_reason {
    /// "accepted": the operator accepted (or answered) the offer.
    OPENLINES_ASSIGN_ACCEPTED = 1,
    /// "crm_responsible": the client's CRM responsible.
    OPENLINES_ASSIGN_CRM_RESPONSIBLE = 2,
    /// "previous_operator": the operator of the client's last dialog.
    OPENLINES_ASSIGN_PREVIOUS_OPERATOR = 3,
    /// "transfer": a manual transfer.
    OPENLINES_ASSIGN_TRANSFER = 4,
    /// "assign_anyway": nobody was available and the line assigns anyway.
    OPENLINES_ASSIGN_ASSIGN_ANYWAY = 5,
}

/// Why a dialog is queued (openlines_action.reason of OPENLINES_ACTION_QUEUED).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum openlines_queue_reason {
    /// "nobody_available": no eligible operator.
    OPENLINES_QUEUE_NOBODY_AVAILABLE = 1,
    /// "off_hours": the line is closed and holds dialogs until it opens.
    OPENLINES_QUEUE_OFF_HOURS = 2,
    /// "no_answer": every candidate of a cycle declined; parked until a retry.
    OPENLINES_QUEUE_NO_ANSWER = 3,
}

/// Which response-time target was missed (openlines_action.kpi).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum openlines_kpi {
    /// "first_response".
    OPENLINES_KPI_FIRST_RESPONSE = 1,
    /// "next_response".
    OPENLINES_KPI_NEXT_RESPONSE = 2,
}

/// Why the bot stage ended (openlines_action.reason of OPENLINES_ACTION_BOT_STOPPED).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum openlines_bot_stop_reason {
    /// "handoff": the bot asked for a human.
    OPENLINES_BOT_STOP_HANDOFF = 1,
    /// "keyword": the client wrote the handoff keyword.
    OPENLINES_BOT_STOP_KEYWORD = 2,
    /// "timeout": the handoff timer fired.
    OPENLINES_BOT_STOP_TIMEOUT = 3,
    /// "resolved": the bot resolved the dialog.
    OPENLINES_BOT_STOP_RESOLVED = 4,
}

/// Why a dialog was closed (openlines_action.reason of OPENLINES_ACTION_DIALOG_CLOSED).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum openlines_close_reason {
    /// "operator": the operator closed it.
    OPENLINES_CLOSE_OPERATOR = 1,
    /// "inactivity": the client was silent too long.
    OPENLINES_CLOSE_INACTIVITY = 2,
    /// "rated": the client rated it.
    OPENLINES_CLOSE_RATED = 3,
    /// "rating_window": the rating window passed.
    OPENLINES_CLOSE_RATING_WINDOW = 4,
    /// "bot": the bot resolved it.
    OPENLINES_CLOSE_BOT = 5,
}

fn message_kind_c(k: MessageKind) -> openlines_message_kind {
    use openlines_message_kind::*;
    match k {
        MessageKind::Consent => OPENLINES_MESSAGE_CONSENT,
        MessageKind::Greeting => OPENLINES_MESSAGE_GREETING,
        MessageKind::OffHours => OPENLINES_MESSAGE_OFF_HOURS,
        MessageKind::NobodyAvailable => OPENLINES_MESSAGE_NOBODY_AVAILABLE,
        MessageKind::Unanswered => OPENLINES_MESSAGE_UNANSWERED,
        MessageKind::NoAnswer => OPENLINES_MESSAGE_NO_ANSWER,
        MessageKind::Closing => OPENLINES_MESSAGE_CLOSING,
        MessageKind::AutoClose => OPENLINES_MESSAGE_AUTO_CLOSE,
        MessageKind::RatingRequest => OPENLINES_MESSAGE_RATING_REQUEST,
        MessageKind::QueuePosition => OPENLINES_MESSAGE_QUEUE_POSITION,
    }
}

fn withdraw_reason_c(r: WithdrawReason) -> openlines_withdraw_reason {
    use openlines_withdraw_reason::*;
    match r {
        WithdrawReason::Timeout => OPENLINES_WITHDRAW_TIMEOUT,
        WithdrawReason::Skipped => OPENLINES_WITHDRAW_SKIPPED,
        WithdrawReason::Taken => OPENLINES_WITHDRAW_TAKEN,
        WithdrawReason::Unavailable => OPENLINES_WITHDRAW_UNAVAILABLE,
    }
}

fn assign_reason_c(r: AssignReason) -> openlines_assign_reason {
    use openlines_assign_reason::*;
    match r {
        AssignReason::Accepted => OPENLINES_ASSIGN_ACCEPTED,
        AssignReason::CrmResponsible => OPENLINES_ASSIGN_CRM_RESPONSIBLE,
        AssignReason::PreviousOperator => OPENLINES_ASSIGN_PREVIOUS_OPERATOR,
        AssignReason::Transfer => OPENLINES_ASSIGN_TRANSFER,
        AssignReason::AssignAnyway => OPENLINES_ASSIGN_ASSIGN_ANYWAY,
    }
}

fn queue_reason_c(r: QueueReason) -> openlines_queue_reason {
    use openlines_queue_reason::*;
    match r {
        QueueReason::NobodyAvailable => OPENLINES_QUEUE_NOBODY_AVAILABLE,
        QueueReason::OffHours => OPENLINES_QUEUE_OFF_HOURS,
        QueueReason::NoAnswer => OPENLINES_QUEUE_NO_ANSWER,
    }
}

fn kpi_c(k: Kpi) -> openlines_kpi {
    match k {
        Kpi::FirstResponse => openlines_kpi::OPENLINES_KPI_FIRST_RESPONSE,
        Kpi::NextResponse => openlines_kpi::OPENLINES_KPI_NEXT_RESPONSE,
    }
}

fn bot_stop_reason_c(r: BotStopReason) -> openlines_bot_stop_reason {
    use openlines_bot_stop_reason::*;
    match r {
        BotStopReason::Handoff => OPENLINES_BOT_STOP_HANDOFF,
        BotStopReason::Keyword => OPENLINES_BOT_STOP_KEYWORD,
        BotStopReason::Timeout => OPENLINES_BOT_STOP_TIMEOUT,
        BotStopReason::Resolved => OPENLINES_BOT_STOP_RESOLVED,
    }
}

fn close_reason_c(r: CloseReason) -> openlines_close_reason {
    use openlines_close_reason::*;
    match r {
        CloseReason::Operator => OPENLINES_CLOSE_OPERATOR,
        CloseReason::Inactivity => OPENLINES_CLOSE_INACTIVITY,
        CloseReason::Rated => OPENLINES_CLOSE_RATED,
        CloseReason::RatingWindow => OPENLINES_CLOSE_RATING_WINDOW,
        CloseReason::Bot => OPENLINES_CLOSE_BOT,
    }
}

fn presence_from_c(status: u32) -> Option<PresenceStatus> {
    use openlines_presence::*;
    const TABLE: [(openlines_presence, PresenceStatus); 6] = [
        (OPENLINES_PRESENCE_ONLINE, PresenceStatus::Online),
        (OPENLINES_PRESENCE_AWAY, PresenceStatus::Away),
        (OPENLINES_PRESENCE_BREAK, PresenceStatus::Break),
        (OPENLINES_PRESENCE_OFFLINE, PresenceStatus::Offline),
        (OPENLINES_PRESENCE_VACATION, PresenceStatus::Vacation),
        (OPENLINES_PRESENCE_DISMISSED, PresenceStatus::Dismissed),
    ];
    TABLE
        .iter()
        .find(|(c, _)| *c as u32 == status)
        .map(|(_, p)| *p)
}

// ------------------------------------------------------------------------------ inputs

/// One input, the fast path (no JSON). Set `kind` (an openlines_input_kind) and the
/// fields that kind uses (see openlines_input_kind); other fields are ignored.
///
/// Start from openlines_input_init(), which zeroes everything and sets the defaults
/// that are not zero (`can_reply` = true, `pinned` = true). Strings are borrowed for the
/// duration of the call only. Each kind maps to the JSON input of docs/reference.md, "Inputs"
/// with the same field names (`operator_id` is JSON "operator"; `has_crm`, `crm_found`,
/// `crm_responsible` are JSON "crm": {"found", "responsible"}; `config_json` is JSON
/// "line" or "operator"); both paths give identical results.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct openlines_input {
    /// An openlines_input_kind; anything else is OPENLINES_OUT_OF_RANGE.
    pub kind: u32,
    /// The dialog id (operator_message, accept, skip, transfer, close, pin, rate,
    /// bot_handoff, bot_resolved).
    pub dialog: u64,
    /// client_message: the line written to.
    pub line: openlines_str,
    /// client_message, forget_client: the client's id (e.g. "tg:42").
    pub client: openlines_str,
    /// operator_message, accept, skip, transfer, close, pin, presence: the operator's id.
    pub operator_id: openlines_str,
    /// client_message: the message text (used for the bot's handoff keyword; not stored).
    pub text: openlines_str,
    /// client_message: the channel ("telegram", "web", ...), passed to create_lead.
    pub channel: openlines_str,
    /// client_message: whether the channel can reply (default true).
    pub can_reply: bool,
    /// client_message: whether the host made a CRM lookup (false = JSON without "crm").
    pub has_crm: bool,
    /// client_message with `has_crm`: whether the client is known in the CRM.
    pub crm_found: bool,
    /// client_message with `has_crm`: the client's responsible operator; {NULL, 0} = none.
    pub crm_responsible: openlines_str,
    /// client_message: higher goes first in the waiting queue (default 0).
    pub priority: i32,
    /// client_message: required operator language; "" = any.
    pub language: openlines_str,
    /// client_message: required operator skills, an array of `skills_len` strings (may be
    /// NULL when `skills_len` is 0).
    pub skills: *const openlines_str,
    /// Number of elements of `skills`.
    pub skills_len: usize,
    /// operator_message: an internal note the client does not see (not a reply).
    pub hidden: bool,
    /// transfer: the target operator, or {NULL, 0} when transferring to a line.
    pub to_operator: openlines_str,
    /// transfer: the target line, or {NULL, 0} when transferring to an operator.
    pub to_line: openlines_str,
    /// pin: pin (true, the default) or unpin (false).
    pub pinned: bool,
    /// rate: the score, 1..5 (others are OPENLINES_INVALID_INPUT; above 255
    /// OPENLINES_OUT_OF_RANGE).
    pub score: u32,
    /// presence: the new status, an openlines_presence.
    pub status: u32,
    /// set_line / set_operator: the line's or operator's config as a JSON object.
    pub config_json: openlines_str,
}

/// # Safety
/// Every pointer in `i` that its kind uses must be valid as documented.
unsafe fn input_from_c(i: &openlines_input) -> Result<Input, Failure> {
    use openlines_input_kind::*;
    const KINDS: [openlines_input_kind; 15] = [
        OPENLINES_INPUT_CLIENT_MESSAGE,
        OPENLINES_INPUT_OPERATOR_MESSAGE,
        OPENLINES_INPUT_ACCEPT,
        OPENLINES_INPUT_SKIP,
        OPENLINES_INPUT_TRANSFER,
        OPENLINES_INPUT_CLOSE,
        OPENLINES_INPUT_PIN,
        OPENLINES_INPUT_RATE,
        OPENLINES_INPUT_PRESENCE,
        OPENLINES_INPUT_BOT_HANDOFF,
        OPENLINES_INPUT_BOT_RESOLVED,
        OPENLINES_INPUT_SET_LINE,
        OPENLINES_INPUT_SET_OPERATOR,
        OPENLINES_INPUT_FORGET_CLIENT,
        OPENLINES_INPUT_TICK,
    ];
    let Some(kind) = KINDS.iter().copied().find(|k| *k as u32 == i.kind) else {
        return Err(Failure::new(
            OPENLINES_OUT_OF_RANGE,
            format!(
                "input.kind = {} is not an openlines_input_kind (1..15)",
                i.kind
            ),
        ));
    };
    // SAFETY (all blocks below): the caller guarantees the used fields are valid.
    let operator = || unsafe { str_field(i.operator_id, "input.operator_id") };
    let dialog = i.dialog;
    Ok(match kind {
        OPENLINES_INPUT_CLIENT_MESSAGE => {
            let skills = if i.skills_len == 0 {
                Vec::new()
            } else if i.skills.is_null() {
                return Err(Failure::null("input.skills"));
            } else {
                let items = unsafe { std::slice::from_raw_parts(i.skills, i.skills_len) };
                items
                    .iter()
                    .enumerate()
                    .map(|(n, s)| unsafe { str_field(*s, &format!("input.skills[{n}]")) })
                    .collect::<Result<Vec<_>, _>>()?
            };
            let crm = if i.has_crm {
                Some(CrmLookup {
                    found: i.crm_found,
                    responsible: unsafe {
                        opt_str_field(i.crm_responsible, "input.crm_responsible")
                    }?,
                })
            } else {
                None
            };
            Input::ClientMessage(ClientMessage {
                line: unsafe { str_field(i.line, "input.line") }?,
                client: unsafe { str_field(i.client, "input.client") }?,
                text: unsafe { str_field(i.text, "input.text") }?,
                channel: unsafe { str_field(i.channel, "input.channel") }?,
                can_reply: i.can_reply,
                crm,
                priority: i.priority,
                language: unsafe { str_field(i.language, "input.language") }?,
                skills,
            })
        }
        OPENLINES_INPUT_OPERATOR_MESSAGE => Input::OperatorMessage {
            dialog,
            operator: operator()?,
            hidden: i.hidden,
        },
        OPENLINES_INPUT_ACCEPT => Input::Accept {
            dialog,
            operator: operator()?,
        },
        OPENLINES_INPUT_SKIP => Input::Skip {
            dialog,
            operator: operator()?,
        },
        OPENLINES_INPUT_TRANSFER => Input::Transfer {
            dialog,
            operator: operator()?,
            to_operator: unsafe { opt_str_field(i.to_operator, "input.to_operator") }?,
            to_line: unsafe { opt_str_field(i.to_line, "input.to_line") }?,
        },
        OPENLINES_INPUT_CLOSE => Input::Close {
            dialog,
            operator: operator()?,
        },
        OPENLINES_INPUT_PIN => Input::Pin {
            dialog,
            operator: operator()?,
            pinned: i.pinned,
        },
        OPENLINES_INPUT_RATE => Input::Rate {
            dialog,
            score: u8::try_from(i.score).map_err(|_| {
                Failure::new(
                    OPENLINES_OUT_OF_RANGE,
                    format!("input.score = {} is out of range (1..5)", i.score),
                )
            })?,
        },
        OPENLINES_INPUT_PRESENCE => Input::Presence {
            operator: operator()?,
            status: presence_from_c(i.status).ok_or_else(|| {
                Failure::new(
                    OPENLINES_OUT_OF_RANGE,
                    format!(
                        "input.status = {} is not an openlines_presence (1..6)",
                        i.status
                    ),
                )
            })?,
        },
        OPENLINES_INPUT_BOT_HANDOFF => Input::BotHandoff { dialog },
        OPENLINES_INPUT_BOT_RESOLVED => Input::BotResolved { dialog },
        OPENLINES_INPUT_SET_LINE => {
            let text =
                unsafe { utf8_arg(i.config_json.ptr, i.config_json.len, "input.config_json") }?;
            let line = core_engine::json::from_str_with_path(text)
                .map_err(|issue| Failure::in_field("line", issue))?;
            Input::SetLine {
                line: Box::new(line),
            }
        }
        OPENLINES_INPUT_SET_OPERATOR => {
            let text =
                unsafe { utf8_arg(i.config_json.ptr, i.config_json.len, "input.config_json") }?;
            let operator = core_engine::json::from_str_with_path(text)
                .map_err(|issue| Failure::in_field("operator", issue))?;
            Input::SetOperator { operator }
        }
        OPENLINES_INPUT_FORGET_CLIENT => Input::ForgetClient {
            client: unsafe { str_field(i.client, "input.client") }?,
        },
        OPENLINES_INPUT_TICK => Input::Tick,
    })
}

// ----------------------------------------------------------------------------- actions

/// Response statistics of a closed dialog (openlines_action.stats of
/// OPENLINES_ACTION_DIALOG_CLOSED). A value whose `has_` flag is false is JSON null
/// (and 0 here).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct openlines_dialog_stats {
    /// Whether `first_response_secs` is set (false: the operator never replied).
    pub has_first_response_secs: bool,
    /// Seconds from the first client message to the first operator reply.
    pub first_response_secs: u64,
    /// Whether `avg_response_secs` is set.
    pub has_avg_response_secs: bool,
    /// Average seconds from a client message (first of a run) to the operator's reply.
    pub avg_response_secs: u64,
    /// Whether `max_response_secs` is set.
    pub has_max_response_secs: bool,
    /// Longest such wait, in seconds.
    pub max_response_secs: u64,
    /// Client messages in the dialog.
    pub client_messages: u32,
    /// Operator replies (hidden notes not counted).
    pub operator_messages: u32,
    /// Whether `rating` is set.
    pub has_rating: bool,
    /// The client's rating, 1..5.
    pub rating: u8,
    /// Whether the dialog got the unanswered mark.
    pub unanswered: bool,
}

/// One action for the host to carry out: a tagged struct. `kind` (an
/// openlines_action_kind) says which fields are set (see openlines_action_kind); the
/// others are zero and {NULL, 0}. The field names are those of the JSON actions of
/// docs/reference.md, "Actions" (`operator_id` is JSON "operator", `message_kind` is the "kind"
/// of send_message, `expires_at_ms` is "expires_at").
///
/// BORROWED: every string and array in it points into the engine handle and stays valid
/// until the next mutating call on that handle (handle, handle_json, advance,
/// clear_actions, free). Strings are not NUL-terminated.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct openlines_action {
    /// An openlines_action_kind.
    pub kind: u32,
    /// The JSON "type" of the action, e.g. "offer" (static storage: valid for the life of
    /// the program).
    pub type_name: openlines_str,
    /// The dialog the action is about (every kind).
    pub dialog: u64,
    /// dialog_opened: the dialog's line.
    pub line: openlines_str,
    /// dialog_opened, create_lead: the client's id.
    pub client: openlines_str,
    /// offer_withdrawn, assigned, crm_responsible_changed: the operator;
    /// kpi_overdue: the operator responsible then, or {NULL, 0} if none.
    pub operator_id: openlines_str,
    /// send_message: the text to send; kpi_overdue: the notice (template filled in).
    pub text: openlines_str,
    /// create_lead: the channel.
    pub channel: openlines_str,
    /// bot_started: the bot id.
    pub bot: openlines_str,
    /// send_form: the form id.
    pub form: openlines_str,
    /// offer: the operators offered to (`operators_len` elements).
    pub operators: *const openlines_str,
    /// Number of elements of `operators`.
    pub operators_len: usize,
    /// kpi_overdue: the operators to notify (`notify_len` elements).
    pub notify: *const openlines_str,
    /// Number of elements of `notify`.
    pub notify_len: usize,
    /// offer: when the offer times out, in ms since the Unix epoch.
    pub expires_at_ms: i64,
    /// send_message: an openlines_message_kind.
    pub message_kind: u32,
    /// offer_withdrawn: openlines_withdraw_reason; assigned: openlines_assign_reason;
    /// queued: openlines_queue_reason; bot_stopped: openlines_bot_stop_reason;
    /// dialog_closed: openlines_close_reason.
    pub reason: u32,
    /// kpi_overdue: an openlines_kpi.
    pub kpi: u32,
    /// The JSON name of whichever of `message_kind`, `reason`, `kpi` this kind has
    /// (e.g. "timeout"), or {NULL, 0}; static storage.
    pub reason_name: openlines_str,
    /// dialog_closed: the dialog's response statistics.
    pub stats: openlines_dialog_stats,
}

impl openlines_action {
    fn empty() -> Self {
        openlines_action {
            kind: 0,
            type_name: openlines_str::ABSENT,
            dialog: 0,
            line: openlines_str::ABSENT,
            client: openlines_str::ABSENT,
            operator_id: openlines_str::ABSENT,
            text: openlines_str::ABSENT,
            channel: openlines_str::ABSENT,
            bot: openlines_str::ABSENT,
            form: openlines_str::ABSENT,
            operators: ptr::null(),
            operators_len: 0,
            notify: ptr::null(),
            notify_len: 0,
            expires_at_ms: 0,
            message_kind: 0,
            reason: 0,
            kpi: 0,
            reason_name: openlines_str::ABSENT,
            stats: openlines_dialog_stats::default(),
        }
    }
}

/// A static name (valid for the life of the program).
fn static_name(name: &'static str) -> openlines_str {
    openlines_str::borrow(name)
}

/// Fill a C action from an action; list fields borrow `lists[start..]`.
fn action_to_c(a: &Action, lists: &[openlines_str], start: usize) -> openlines_action {
    use openlines_action_kind::*;
    let mut c = openlines_action::empty();
    c.dialog = a.dialog();
    c.type_name = static_name(a.type_name());
    let list = |n: usize| -> *const openlines_str {
        if n == 0 {
            // A valid, empty array.
            lists.as_ptr()
        } else {
            lists[start..start + n].as_ptr()
        }
    };
    let kind = match a {
        Action::DialogOpened { line, client, .. } => {
            c.line = openlines_str::borrow(line);
            c.client = openlines_str::borrow(client);
            OPENLINES_ACTION_DIALOG_OPENED
        }
        Action::SendMessage { kind, text, .. } => {
            c.message_kind = message_kind_c(*kind) as u32;
            c.reason_name = static_name(kind.as_str());
            c.text = openlines_str::borrow(text);
            OPENLINES_ACTION_SEND_MESSAGE
        }
        Action::Offer {
            operators,
            expires_at,
            ..
        } => {
            c.operators = list(operators.len());
            c.operators_len = operators.len();
            c.expires_at_ms = time_ms(*expires_at);
            OPENLINES_ACTION_OFFER
        }
        Action::OfferWithdrawn {
            operator, reason, ..
        } => {
            c.operator_id = openlines_str::borrow(operator);
            c.reason = withdraw_reason_c(*reason) as u32;
            c.reason_name = static_name(reason.as_str());
            OPENLINES_ACTION_OFFER_WITHDRAWN
        }
        Action::Assigned {
            operator, reason, ..
        } => {
            c.operator_id = openlines_str::borrow(operator);
            c.reason = assign_reason_c(*reason) as u32;
            c.reason_name = static_name(reason.as_str());
            OPENLINES_ACTION_ASSIGNED
        }
        Action::Queued { reason, .. } => {
            c.reason = queue_reason_c(*reason) as u32;
            c.reason_name = static_name(reason.as_str());
            OPENLINES_ACTION_QUEUED
        }
        Action::MarkUnanswered { .. } => OPENLINES_ACTION_MARK_UNANSWERED,
        Action::KpiOverdue {
            operator,
            kpi,
            notify,
            text,
            ..
        } => {
            c.operator_id = openlines_str::borrow_opt(operator.as_deref());
            c.kpi = kpi_c(*kpi) as u32;
            c.reason_name = static_name(kpi.as_str());
            c.notify = list(notify.len());
            c.notify_len = notify.len();
            c.text = openlines_str::borrow(text);
            OPENLINES_ACTION_KPI_OVERDUE
        }
        Action::BotStarted { bot, .. } => {
            c.bot = openlines_str::borrow(bot);
            OPENLINES_ACTION_BOT_STARTED
        }
        Action::BotStopped { reason, .. } => {
            c.reason = bot_stop_reason_c(*reason) as u32;
            c.reason_name = static_name(reason.as_str());
            OPENLINES_ACTION_BOT_STOPPED
        }
        Action::CreateLead {
            client, channel, ..
        } => {
            c.client = openlines_str::borrow(client);
            c.channel = openlines_str::borrow(channel);
            OPENLINES_ACTION_CREATE_LEAD
        }
        Action::SendForm { form, .. } => {
            c.form = openlines_str::borrow(form);
            OPENLINES_ACTION_SEND_FORM
        }
        Action::CrmResponsibleChanged { operator, .. } => {
            c.operator_id = openlines_str::borrow(operator);
            OPENLINES_ACTION_CRM_RESPONSIBLE_CHANGED
        }
        Action::DialogClosed { reason, stats, .. } => {
            c.reason = close_reason_c(*reason) as u32;
            c.reason_name = static_name(reason.as_str());
            c.stats = openlines_dialog_stats {
                has_first_response_secs: stats.first_response_secs.is_some(),
                first_response_secs: stats.first_response_secs.unwrap_or(0),
                has_avg_response_secs: stats.avg_response_secs.is_some(),
                avg_response_secs: stats.avg_response_secs.unwrap_or(0),
                has_max_response_secs: stats.max_response_secs.is_some(),
                max_response_secs: stats.max_response_secs.unwrap_or(0),
                client_messages: stats.client_messages,
                operator_messages: stats.operator_messages,
                has_rating: stats.rating.is_some(),
                rating: stats.rating.unwrap_or(0),
                unanswered: stats.unanswered,
            };
            OPENLINES_ACTION_DIALOG_CLOSED
        }
    };
    c.kind = kind as u32;
    c
}

/// The list (operators / notify) of an action, if it has one.
fn action_list(a: &Action) -> &[String] {
    match a {
        Action::Offer { operators, .. } => operators,
        Action::KpiOverdue { notify, .. } => notify,
        _ => &[],
    }
}

// ------------------------------------------------------------------------------ handle

/// An engine handle: one tenant's engine plus its queue of pending actions and its last
/// error message. Opaque: create it with openlines_engine_new() or
/// openlines_engine_restore(), free it with openlines_engine_free().
pub struct openlines_engine {
    engine: Engine,
    /// Pending actions; `actions[..cursor]` were read already.
    actions: Vec<Action>,
    cursor: usize,
    /// Borrowed views of the list fields of `actions` (built on first read after a
    /// mutating call; pointers into `actions`).
    lists: Vec<openlines_str>,
    /// Start of each action's list in `lists`.
    list_starts: Vec<usize>,
    lists_ready: bool,
    last_error: Option<CString>,
    poisoned: bool,
}

impl openlines_engine {
    fn boxed(engine: Engine) -> Box<openlines_engine> {
        Box::new(openlines_engine {
            engine,
            actions: Vec::new(),
            cursor: 0,
            lists: Vec::new(),
            list_starts: Vec::new(),
            lists_ready: false,
            last_error: None,
            poisoned: false,
        })
    }

    /// Apply an input (or a tick) at `at_ms` and queue its actions. `input` converts the
    /// caller's input; a conversion failure is a rejected input like any other.
    ///
    /// Time is committed (docs/reference.md, "The host loop"): `handle(at, x)` is `advance(at)` then
    /// `x`, so when the input is rejected (even one that cannot be read) the timers due
    /// by `at_ms` have fired and their actions are queued. A time out of range or going
    /// backwards changes nothing at all.
    fn apply(&mut self, at_ms: i64, input: impl FnOnce() -> Result<Input, Failure>) -> Outcome {
        let at = time_arg(at_ms, "at_ms").map_err(|f| f.with_seconds_hint(at_ms))?;
        let queued = self.actions.len();
        let result = self
            .engine
            .advance_into(at, &mut self.actions)
            .map_err(|e| Failure::from(e).with_seconds_hint(at_ms))
            .and_then(|()| input())
            .and_then(|input| {
                self.engine
                    .handle_into(at, input, &mut self.actions)
                    .map_err(Failure::from)
            });
        if result.is_ok() || self.actions.len() != queued {
            // New actions: drop what was read, invalidating earlier borrowed pointers.
            self.actions.drain(..self.cursor);
            self.cursor = 0;
            self.lists_ready = false;
        }
        result
    }

    fn build_lists(&mut self) {
        if self.lists_ready {
            return;
        }
        self.lists.clear();
        self.list_starts.clear();
        for a in &self.actions {
            self.list_starts.push(self.lists.len());
            self.lists
                .extend(action_list(a).iter().map(|s| openlines_str::borrow(s)));
        }
        self.lists_ready = true;
    }
}

/// # Safety
/// `out` must be NULL or valid for writes.
unsafe fn write_out<T>(out: *mut T, value: T) {
    if !out.is_null() {
        // SAFETY: caller's contract.
        unsafe { out.write(value) };
    }
}

/// Hand an owned JSON string to C (`out_json` checked non-NULL by the caller).
///
/// # Safety
/// `out_json` valid for writes; `out_len` NULL or valid for writes.
unsafe fn give_string(text: String, out_json: *mut *mut c_char, out_len: *mut usize) -> Outcome {
    let len = text.len();
    // JSON escapes NUL, so this cannot fail.
    let c = CString::new(text).expect("JSON has no NUL byte");
    // SAFETY: caller's contract.
    unsafe {
        write_out(out_len, len);
        out_json.write(c.into_raw());
    }
    Ok(())
}

/// JSON of an engine value (these cannot fail to serialize: a failure is a bug and
/// panics, which the boundary turns into OPENLINES_PANIC).
fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, Failure> {
    Ok(serde_json::to_string(value).expect("engine values serialize to JSON"))
}

// -------------------------------------------------------------------------- functions

/// The library's version, e.g. "0.1.0": a static NUL-terminated string (never free it).
/// Compare with the header's OPENLINES_VERSION. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn openlines_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

const fn parse_u32(s: &str) -> u32 {
    match u32::from_str_radix(s, 10) {
        Ok(v) => v,
        Err(_) => 0,
    }
}

/// The library's version as one number: major * 1000000 + minor * 1000 + patch
/// (compare with the header's OPENLINES_VERSION_NUMBER). Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn openlines_version_number() -> u32 {
    const N: u32 = parse_u32(env!("CARGO_PKG_VERSION_MAJOR")) * 1_000_000
        + parse_u32(env!("CARGO_PKG_VERSION_MINOR")) * 1_000
        + parse_u32(env!("CARGO_PKG_VERSION_PATCH"));
    N
}

/// The library's ABI major version (the SONAME suffix). A program must check at start
/// that it equals the header's OPENLINES_ABI_VERSION. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn openlines_abi_version() -> u32 {
    const N: u32 = parse_u32(env!("OPENLINES_ABI_MAJOR"));
    N
}

/// The stable name of a status, e.g. "unknown_dialog" for OPENLINES_UNKNOWN_DIALOG
/// (the engine's error kinds use the names of docs/reference.md), or "unknown_status" for a
/// number that is not an openlines_status. A static NUL-terminated string: never free
/// it. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn openlines_status_str(status: u32) -> *const c_char {
    ALL_STATUSES
        .iter()
        .find(|s| **s as u32 == status)
        .map_or("unknown_status\0", |s| status_name(*s))
        .as_ptr()
        .cast()
}

/// Create an engine from a config in JSON (docs/reference.md, "Config"): `config_len` bytes of
/// UTF-8 at `config_json` (no NUL terminator needed).
///
/// On success, `*out_engine` receives a new handle, owned by the caller: free it with
/// openlines_engine_free(). On failure `*out_engine` is not written, and if `out_error`
/// is not NULL, `*out_error` receives an owned NUL-terminated message (every config
/// problem with its field path) to free with openlines_string_free(); the problems are
/// also readable one by one with openlines_last_issue_count() and friends.
///
/// Errors: OPENLINES_NULL_POINTER (`config_json` NULL with a non-zero length, or
/// `out_engine` NULL), OPENLINES_INVALID_UTF8, OPENLINES_INVALID_CONFIG, OPENLINES_PANIC.
/// Thread-safe.
///
/// # Safety
/// `config_json` must point at `config_len` readable bytes; `out_engine` and `out_error`
/// (if not NULL) must be valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn openlines_engine_new(
    config_json: *const c_char,
    config_len: usize,
    out_engine: *mut *mut openlines_engine,
    out_error: *mut *mut c_char,
) -> openlines_status {
    guard(out_error, || {
        if out_engine.is_null() {
            return Err(Failure::null("out_engine"));
        }
        // SAFETY: caller's contract.
        let text = unsafe { utf8_arg(config_json, config_len, "config_json") }?;
        let config = Config::from_json(text).map_err(|issues| ConfigIssue::into_error(&issues))?;
        let engine = Engine::new(config)?;
        // SAFETY: checked non-NULL; caller's contract.
        unsafe { out_engine.write(Box::into_raw(openlines_engine::boxed(engine))) };
        Ok(())
    })
}

/// Free an engine handle and everything it owns (pending actions and the strings they
/// borrow). NULL is a no-op. The handle must not be used afterwards. Works on a poisoned
/// handle.
///
/// # Safety
/// `engine` must be NULL or a handle from openlines_engine_new()/_restore() not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn openlines_engine_free(engine: *mut openlines_engine) {
    if engine.is_null() {
        return;
    }
    // SAFETY: caller's contract: a live handle from Box::into_raw.
    let boxed = unsafe { Box::from_raw(engine) };
    let _ = catch_unwind(AssertUnwindSafe(move || drop(boxed)));
}

/// The message of the last failed call on this handle: what went wrong, naming the
/// offending field or id. "" if the last call succeeded (each call on the handle
/// clears it) or `engine` is NULL. Never NULL. Functions without a handle
/// (openlines_engine_new, openlines_engine_restore, openlines_input_init) do not touch
/// it: see openlines_last_error() for those.
///
/// The string is NUL-terminated and borrowed from the handle: valid until the next call
/// on this handle (other than this function). Do not free it.
///
/// # Safety
/// `engine` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn openlines_engine_last_error(
    engine: *const openlines_engine,
) -> *const c_char {
    // SAFETY: caller's contract.
    match unsafe { engine.as_ref() } {
        Some(openlines_engine {
            last_error: Some(message),
            ..
        }) => message.as_ptr(),
        _ => c"".as_ptr(),
    }
}

/// The message of the last failed call made on this thread, whichever function it was
/// (with a handle or without: openlines_engine_new, openlines_engine_restore,
/// openlines_input_init, ...); "" when that call succeeded. Every function that can fail
/// sets or clears it (as errno, it is per thread). Never NULL.
///
/// The string is NUL-terminated and owned by the library: valid until the next call of
/// this thread into the library (other than this function). Do not free it.
#[unsafe(no_mangle)]
pub extern "C" fn openlines_last_error() -> *const c_char {
    THREAD_ERROR.with_borrow(|slot| match slot {
        // The CString stays in the thread-local until the thread's next fallible call.
        Some(message) => message.as_ptr(),
        None => c"".as_ptr(),
    })
}

/// The number of problems behind this thread's last failed call: every problem of an
/// invalid config (openlines_engine_new(), a set_line / set_operator input), or the one
/// problem of a JSON input that could not be read (openlines_engine_handle_json()); 0
/// for any other failure and after a call that succeeded. Read each with
/// openlines_last_issue_path(), openlines_last_issue_message() and
/// openlines_last_issue_kind(), or all at once with openlines_last_issues_json(). Per
/// thread, like openlines_last_error(); calling these functions changes nothing.
#[unsafe(no_mangle)]
pub extern "C" fn openlines_last_issue_count() -> usize {
    THREAD_ISSUES.with_borrow(|issues| issues.list.len())
}

/// The problems of this thread's last failed call as one JSON array, each
/// `{"loc": ["lines", 0, "queue", "distribution"], "msg": "...", "type": "invalid_value"}`
/// (`loc`: field names and list positions, [] for the text as a whole; `msg` as
/// openlines_last_issue_message(); `type` as openlines_last_issue_kind()); "[]" when
/// there are none. Never NULL; owned and valid as openlines_last_issue_path().
#[unsafe(no_mangle)]
pub extern "C" fn openlines_last_issues_json() -> *const c_char {
    THREAD_ISSUES.with_borrow(|issues| issues.json.as_ref().map_or(c"[]".as_ptr(), |j| j.as_ptr()))
}

/// The field path of problem `index` of this thread's last failed call, e.g.
/// "lines[0].queue.distribution" ("(root)" for the text as a whole), or NULL when
/// `index` >= openlines_last_issue_count(). NUL-terminated, owned by the library,
/// valid until this thread's next call into the library (other than the
/// openlines_last_issue*() functions and openlines_last_error()). Do not free it.
#[unsafe(no_mangle)]
pub extern "C" fn openlines_last_issue_path(index: usize) -> *const c_char {
    thread_issue(index, |issue| issue.path.as_ptr())
}

/// What is wrong with problem `index` and what is expected, e.g. "\"evenlyy\" is not one
/// of evenly, strict, all, least_busy, longest_idle"; NULL when out of range. Owned and
/// valid as openlines_last_issue_path().
#[unsafe(no_mangle)]
pub extern "C" fn openlines_last_issue_message(index: usize) -> *const c_char {
    thread_issue(index, |issue| issue.message.as_ptr())
}

/// The kind of problem `index`, a stable name: "syntax", "unknown_field",
/// "missing_field", "invalid_type", "invalid_value", "out_of_range", "duplicate" or
/// "unknown_reference" (new kinds may be added); NULL when out of range. A static
/// string: never free it.
#[unsafe(no_mangle)]
pub extern "C" fn openlines_last_issue_kind(index: usize) -> *const c_char {
    thread_issue(index, |issue| issue.kind.as_ptr())
}

/// Initialise `*input` for an input of `kind` (an openlines_input_kind): every field
/// zero / {NULL, 0}, then `kind` set, `can_reply` = true and `pinned` = true (the JSON
/// defaults that are not zero). Thread-safe.
///
/// Errors: OPENLINES_NULL_POINTER, OPENLINES_OUT_OF_RANGE (unknown kind; `*input` is then
/// not written). It has no handle: its message is in openlines_last_error() (which it
/// clears on success).
///
/// # Safety
/// `input` must be NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn openlines_input_init(
    input: *mut openlines_input,
    kind: u32,
) -> openlines_status {
    if input.is_null() {
        set_thread_error(Some("input is NULL"));
        return OPENLINES_NULL_POINTER;
    }
    if !(1..=15).contains(&kind) {
        set_thread_error(Some(&format!(
            "kind = {kind} is not an openlines_input_kind (1..15)"
        )));
        return OPENLINES_OUT_OF_RANGE;
    }
    set_thread_error(None);
    let value = openlines_input {
        kind,
        dialog: 0,
        line: openlines_str::ABSENT,
        client: openlines_str::ABSENT,
        operator_id: openlines_str::ABSENT,
        text: openlines_str::ABSENT,
        channel: openlines_str::ABSENT,
        can_reply: true,
        has_crm: false,
        crm_found: false,
        crm_responsible: openlines_str::ABSENT,
        priority: 0,
        language: openlines_str::ABSENT,
        skills: ptr::null(),
        skills_len: 0,
        hidden: false,
        to_operator: openlines_str::ABSENT,
        to_line: openlines_str::ABSENT,
        pinned: true,
        score: 0,
        status: 0,
        config_json: openlines_str::ABSENT,
    };
    // SAFETY: checked non-NULL; caller's contract.
    unsafe { input.write(value) };
    OPENLINES_OK
}

/// Apply one input (typed, no JSON) at time `at_ms` (ms since the Unix epoch). Timers due
/// at or before `at_ms` fire first; their actions come first. On success the actions are
/// appended to the pending queue (read them with openlines_engine_next_action() or
/// openlines_engine_take_actions_json()); this is a mutating call, so it invalidates
/// strings borrowed from earlier actions.
///
/// On failure the input changes nothing, but time is committed (docs/reference.md, "The host loop"):
/// the timers due at or before `at_ms` have fired, as if openlines_engine_advance(at_ms)
/// had been called first, and their actions are pending: read them as after a success
/// (if there are any, the call was a mutating one). With OPENLINES_NULL_POINTER (NULL
/// handle), OPENLINES_POISONED, OPENLINES_TIME_WENT_BACKWARDS or OPENLINES_OUT_OF_RANGE
/// for the time, nothing changes at all (a time that looks like seconds instead of
/// milliseconds gets a hint in the message).
/// Errors: OPENLINES_NULL_POINTER, OPENLINES_INVALID_UTF8, OPENLINES_OUT_OF_RANGE (kind,
/// status, score, time), the engine's errors (OPENLINES_INVALID_INPUT,
/// OPENLINES_UNKNOWN_LINE, OPENLINES_UNKNOWN_OPERATOR, OPENLINES_UNKNOWN_DIALOG,
/// OPENLINES_NOT_ALLOWED, OPENLINES_TIME_WENT_BACKWARDS), OPENLINES_PANIC,
/// OPENLINES_POISONED. The message is in openlines_engine_last_error().
///
/// # Safety
/// `engine` must be NULL or a live handle not used concurrently; `input` NULL or valid,
/// with every pointer its kind uses valid for the given length during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn openlines_engine_handle(
    engine: *mut openlines_engine,
    at_ms: i64,
    input: *const openlines_input,
) -> openlines_status {
    with_handle(engine, |h| {
        h.apply(at_ms, || {
            // SAFETY: caller's contract.
            let Some(input) = (unsafe { input.as_ref() }) else {
                return Err(Failure::null("input"));
            };
            // SAFETY: caller's contract.
            unsafe { input_from_c(input) }
        })
    })
}

/// Apply one input given as JSON (docs/reference.md, "Inputs", e.g.
/// {"type": "accept", "dialog": 7, "operator": "ann"}): `json_len` bytes of UTF-8 at
/// `json`, no NUL terminator needed. Otherwise exactly like openlines_engine_handle(),
/// and the same input gives the same actions on both paths. Bad JSON, unknown fields and
/// wrong types are OPENLINES_INVALID_INPUT naming the field, e.g.
/// `dialog: "1" is not a dialog id (a whole number, e.g. 7)` (ids read from a database as text
/// must be converted to numbers first).
///
/// # Safety
/// `engine` must be NULL or a live handle not used concurrently; `json` must point at
/// `json_len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn openlines_engine_handle_json(
    engine: *mut openlines_engine,
    at_ms: i64,
    json: *const c_char,
    json_len: usize,
) -> openlines_status {
    with_handle(engine, |h| {
        h.apply(at_ms, || {
            // SAFETY: caller's contract.
            let text = unsafe { utf8_arg(json, json_len, "json") }?;
            Ok(core_engine::json::input_from_str(text)?)
        })
    })
}

/// A clock tick: fire every timer due at or before `at_ms` and queue the actions, like
/// openlines_engine_handle() with no input. A tick with nothing due changes nothing but
/// the clock. Call it at openlines_engine_next_deadline() (or later). Mutating call.
///
/// Errors: OPENLINES_NULL_POINTER, OPENLINES_OUT_OF_RANGE, OPENLINES_TIME_WENT_BACKWARDS
/// (a time that looks like seconds instead of milliseconds gets a hint in the message),
/// OPENLINES_PANIC, OPENLINES_POISONED; nothing changes on error.
///
/// # Safety
/// `engine` must be NULL or a live handle not used concurrently.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn openlines_engine_advance(
    engine: *mut openlines_engine,
    at_ms: i64,
) -> openlines_status {
    with_handle(engine, |h| h.apply(at_ms, || Ok(Input::Tick)))
}

/// When the host must call openlines_engine_advance() next: the earliest armed timer.
/// On success `*out_has_deadline` says whether there is one and, if so, `*out_at_ms`
/// receives it (ms since the Unix epoch, rounded up to a whole ms); with no deadline
/// `*out_at_ms` is not written. Read-only.
///
/// Errors: OPENLINES_NULL_POINTER, OPENLINES_POISONED.
///
/// # Safety
/// `engine` NULL or a live handle; the out pointers NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn openlines_engine_next_deadline(
    engine: *mut openlines_engine,
    out_at_ms: *mut i64,
    out_has_deadline: *mut bool,
) -> openlines_status {
    with_handle(engine, |h| {
        if out_at_ms.is_null() {
            return Err(Failure::null("out_at_ms"));
        }
        if out_has_deadline.is_null() {
            return Err(Failure::null("out_has_deadline"));
        }
        let deadline = h.engine.next_deadline();
        // SAFETY: checked non-NULL; caller's contract.
        unsafe {
            if let Some(at) = deadline {
                out_at_ms.write(time_ms(at));
            }
            out_has_deadline.write(deadline.is_some());
        }
        Ok(())
    })
}

/// The engine's current time: the time of the last accepted call (handle or advance).
/// `*out_has_time` is false before the first one (then `*out_at_ms` is not written).
/// Read-only.
///
/// Errors: OPENLINES_NULL_POINTER, OPENLINES_POISONED.
///
/// # Safety
/// `engine` NULL or a live handle; the out pointers NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn openlines_engine_now(
    engine: *mut openlines_engine,
    out_at_ms: *mut i64,
    out_has_time: *mut bool,
) -> openlines_status {
    with_handle(engine, |h| {
        if out_at_ms.is_null() {
            return Err(Failure::null("out_at_ms"));
        }
        if out_has_time.is_null() {
            return Err(Failure::null("out_has_time"));
        }
        let now = h.engine.now();
        // SAFETY: checked non-NULL; caller's contract.
        unsafe {
            if let Some(at) = now {
                out_at_ms.write(time_ms(at));
            }
            out_has_time.write(now.is_some());
        }
        Ok(())
    })
}

/// The number of pending (not yet read) actions, written to `*out_count`. Read-only.
///
/// Errors: OPENLINES_NULL_POINTER, OPENLINES_POISONED.
///
/// # Safety
/// `engine` NULL or a live handle; `out_count` NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn openlines_engine_pending_actions(
    engine: *mut openlines_engine,
    out_count: *mut usize,
) -> openlines_status {
    with_handle(engine, |h| {
        if out_count.is_null() {
            return Err(Failure::null("out_count"));
        }
        // SAFETY: checked non-NULL; caller's contract.
        unsafe { out_count.write(h.actions.len() - h.cursor) };
        Ok(())
    })
}

/// Read the next pending action into `*out` and mark it read. Returns OPENLINES_OK, or
/// OPENLINES_NO_MORE_ACTIONS (not an error; `*out` not written) when every pending action
/// was read. Loop: `while (openlines_engine_next_action(e, &a) == OPENLINES_OK) ...`.
///
/// The strings and arrays in `*out` are borrowed from the handle: valid until the next
/// mutating call (handle, handle_json, advance, clear_actions, free). Reading more
/// actions does not invalidate earlier ones.
///
/// Errors: OPENLINES_NULL_POINTER, OPENLINES_PANIC, OPENLINES_POISONED.
///
/// # Safety
/// `engine` NULL or a live handle not used concurrently; `out` NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn openlines_engine_next_action(
    engine: *mut openlines_engine,
    out: *mut openlines_action,
) -> openlines_status {
    with_handle(engine, |h| {
        if out.is_null() {
            return Err(Failure::null("out"));
        }
        if h.cursor >= h.actions.len() {
            return Err(Failure::new(OPENLINES_NO_MORE_ACTIONS, ""));
        }
        h.build_lists();
        let i = h.cursor;
        let c = action_to_c(&h.actions[i], &h.lists, h.list_starts[i]);
        h.cursor += 1;
        // SAFETY: checked non-NULL; caller's contract.
        unsafe { out.write(c) };
        Ok(())
    })
}

/// Take every pending action as one JSON array (the actions of docs/reference.md, "Actions", e.g.
/// [{"type":"dialog_opened","dialog":1,"line":"sales","client":"tg:42"}, ...]; "[]" when
/// there are none) and mark them read.
///
/// `*out_json` receives an owned NUL-terminated string: free it with
/// openlines_string_free(). `out_len` is optional (may be NULL): it receives the length
/// without the NUL. Does not invalidate strings borrowed from earlier actions.
///
/// Errors: OPENLINES_NULL_POINTER, OPENLINES_PANIC, OPENLINES_POISONED.
///
/// # Safety
/// `engine` NULL or a live handle not used concurrently; `out_json` valid for writes;
/// `out_len` NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn openlines_engine_take_actions_json(
    engine: *mut openlines_engine,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
) -> openlines_status {
    with_handle(engine, |h| {
        if out_json.is_null() {
            return Err(Failure::null("out_json"));
        }
        let text = to_json(&h.actions[h.cursor..])?;
        // SAFETY: checked non-NULL; caller's contract.
        unsafe { give_string(text, out_json, out_len) }?;
        h.cursor = h.actions.len();
        Ok(())
    })
}

/// Drop every pending action (read or not) and free their memory. Mutating call: strings
/// borrowed from earlier actions become invalid.
///
/// Errors: OPENLINES_NULL_POINTER, OPENLINES_POISONED.
///
/// # Safety
/// `engine` NULL or a live handle not used concurrently.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn openlines_engine_clear_actions(
    engine: *mut openlines_engine,
) -> openlines_status {
    with_handle(engine, |h| {
        h.actions = Vec::new();
        h.cursor = 0;
        h.lists = Vec::new();
        h.list_starts = Vec::new();
        h.lists_ready = false;
        Ok(())
    })
}

/// Save the engine's full state as opaque bytes (versioned; pending actions are not
/// part of it). `*out_bytes` receives an owned buffer of `*out_len` bytes: free it with
/// openlines_bytes_free(bytes, len). Restore it with openlines_engine_restore().
/// Read-only.
///
/// Errors: OPENLINES_NULL_POINTER, OPENLINES_PANIC, OPENLINES_POISONED.
///
/// # Safety
/// `engine` NULL or a live handle not used concurrently; out pointers valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn openlines_engine_snapshot(
    engine: *mut openlines_engine,
    out_bytes: *mut *mut u8,
    out_len: *mut usize,
) -> openlines_status {
    with_handle(engine, |h| {
        if out_bytes.is_null() {
            return Err(Failure::null("out_bytes"));
        }
        if out_len.is_null() {
            return Err(Failure::null("out_len"));
        }
        let bytes = h.engine.snapshot_bytes().into_boxed_slice();
        let len = bytes.len();
        let raw = Box::into_raw(bytes).cast::<u8>();
        // SAFETY: checked non-NULL; caller's contract.
        unsafe {
            out_len.write(len);
            out_bytes.write(raw);
        }
        Ok(())
    })
}

/// Free a buffer from openlines_engine_snapshot(); `len` must be the length returned
/// with it. NULL is a no-op. Thread-safe.
///
/// # Safety
/// `bytes` must be NULL or a buffer from openlines_engine_snapshot() with its `len`, not
/// freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn openlines_bytes_free(bytes: *mut u8, len: usize) {
    if bytes.is_null() {
        return;
    }
    // SAFETY: caller's contract: from Box<[u8]>::into_raw with this length.
    let boxed = unsafe { Box::from_raw(ptr::slice_from_raw_parts_mut(bytes, len)) };
    drop(boxed);
}

/// Rebuild an engine from openlines_engine_snapshot() bytes: `len` bytes at `bytes`. The
/// new engine behaves exactly like the one saved (it has no pending actions).
///
/// On success `*out_engine` receives a new handle owned by the caller (free it with
/// openlines_engine_free()). On failure it is not written, and if `out_error` is not NULL
/// `*out_error` receives an owned message to free with openlines_string_free().
///
/// Errors: OPENLINES_NULL_POINTER, OPENLINES_SNAPSHOT_VERSION (another version, not a
/// snapshot, damaged bytes: the checksum does not match, or a state the engine could
/// not have reached: the message names the field), OPENLINES_PANIC. Thread-safe.
///
/// `bytes` is a `const void*` so that any byte buffer converts to it without a cast (a
/// PHP string passes through FFI as is).
///
/// # Safety
/// `bytes` must point at `len` readable bytes; `out_engine` and `out_error` (if not NULL)
/// valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn openlines_engine_restore(
    bytes: *const c_void,
    len: usize,
    out_engine: *mut *mut openlines_engine,
    out_error: *mut *mut c_char,
) -> openlines_status {
    guard(out_error, || {
        if out_engine.is_null() {
            return Err(Failure::null("out_engine"));
        }
        if bytes.is_null() {
            return Err(Failure::null("bytes"));
        }
        // SAFETY: caller's contract.
        let data = unsafe { std::slice::from_raw_parts(bytes.cast::<u8>(), len) };
        let engine = Engine::restore_bytes(data)?;
        // SAFETY: checked non-NULL; caller's contract.
        unsafe { out_engine.write(Box::into_raw(openlines_engine::boxed(engine))) };
        Ok(())
    })
}

/// Free a string returned through a `char**` by this library (JSON views, actions JSON,
/// error messages). NULL is a no-op. Thread-safe.
///
/// # Safety
/// `s` must be NULL or such a string, not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn openlines_string_free(s: *mut c_char) {
    if s.is_null() {
        return;
    }
    // SAFETY: caller's contract: from CString::into_raw.
    drop(unsafe { CString::from_raw(s) });
}

/// Shared body of the JSON views.
fn view(
    engine: *mut openlines_engine,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
    body: impl FnOnce(&Engine) -> Result<String, Failure>,
) -> openlines_status {
    with_handle(engine, |h| {
        if out_json.is_null() {
            return Err(Failure::null("out_json"));
        }
        let text = body(&h.engine)?;
        // SAFETY: checked non-NULL; caller's contract.
        unsafe { give_string(text, out_json, out_len) }
    })
}

/// A read-only view of an open dialog as a JSON object (line, client, status, operator,
/// ...). `*out_json` receives an owned NUL-terminated string (free it with
/// openlines_string_free()); `out_len` (optional) its length.
///
/// Errors: OPENLINES_NULL_POINTER, OPENLINES_UNKNOWN_DIALOG (never opened, or closed:
/// closed dialogs are forgotten), OPENLINES_POISONED.
///
/// # Safety
/// `engine` NULL or a live handle not used concurrently; `out_json` valid for writes;
/// `out_len` NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn openlines_engine_dialog_json(
    engine: *mut openlines_engine,
    dialog: u64,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
) -> openlines_status {
    view(engine, out_json, out_len, |e| match e.dialog(dialog) {
        Some(v) => to_json(&v),
        None => Err(Failure::new(
            OPENLINES_UNKNOWN_DIALOG,
            format!("dialog {dialog} is not open"),
        )),
    })
}

/// Why the last routing decision of a dialog went as it did, as a JSON object: each queue
/// operator and why they were or were not chosen. Output as openlines_engine_dialog_json().
///
/// Errors: OPENLINES_NULL_POINTER, OPENLINES_UNKNOWN_DIALOG, OPENLINES_POISONED.
///
/// # Safety
/// As openlines_engine_dialog_json().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn openlines_engine_explain_json(
    engine: *mut openlines_engine,
    dialog: u64,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
) -> openlines_status {
    view(engine, out_json, out_len, |e| match e.explain(dialog) {
        Some(v) => to_json(&v),
        None => Err(Failure::new(
            OPENLINES_UNKNOWN_DIALOG,
            format!("dialog {dialog} is not open"),
        )),
    })
}

/// A read-only view of an operator (presence, load, dialogs) as a JSON object; the id is
/// `id_len` bytes of UTF-8 at `id`. Output as openlines_engine_dialog_json().
///
/// Errors: OPENLINES_NULL_POINTER, OPENLINES_INVALID_UTF8, OPENLINES_UNKNOWN_OPERATOR,
/// OPENLINES_POISONED.
///
/// # Safety
/// As openlines_engine_dialog_json(); `id` must point at `id_len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn openlines_engine_operator_json(
    engine: *mut openlines_engine,
    id: *const c_char,
    id_len: usize,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
) -> openlines_status {
    view(engine, out_json, out_len, |e| {
        // SAFETY: caller's contract.
        let id = unsafe { utf8_arg(id, id_len, "id") }?;
        match e.operator(id) {
            Some(v) => to_json(&v),
            None => Err(Failure::new(
                OPENLINES_UNKNOWN_OPERATOR,
                format!("operator \"{id}\" does not exist"),
            )),
        }
    })
}

/// A read-only view of a line's waiting queue as a JSON object; the line id is
/// `line_len` bytes of UTF-8 at `line`. Output as openlines_engine_dialog_json().
///
/// Errors: OPENLINES_NULL_POINTER, OPENLINES_INVALID_UTF8, OPENLINES_UNKNOWN_LINE,
/// OPENLINES_POISONED.
///
/// # Safety
/// As openlines_engine_operator_json().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn openlines_engine_queue_json(
    engine: *mut openlines_engine,
    line: *const c_char,
    line_len: usize,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
) -> openlines_status {
    view(engine, out_json, out_len, |e| {
        // SAFETY: caller's contract.
        let line = unsafe { utf8_arg(line, line_len, "line") }?;
        match e.queue(line) {
            Some(v) => to_json(&v),
            None => Err(Failure::new(
                OPENLINES_UNKNOWN_LINE,
                format!("line \"{line}\" does not exist"),
            )),
        }
    })
}

/// A line's statistics as a JSON object: live counts (open, queued, offered, assigned,
/// per-operator load) and totals of closed dialogs. Output as
/// openlines_engine_dialog_json().
///
/// Errors: OPENLINES_NULL_POINTER, OPENLINES_INVALID_UTF8, OPENLINES_UNKNOWN_LINE,
/// OPENLINES_POISONED.
///
/// # Safety
/// As openlines_engine_operator_json().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn openlines_engine_stats_json(
    engine: *mut openlines_engine,
    line: *const c_char,
    line_len: usize,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
) -> openlines_status {
    view(engine, out_json, out_len, |e| {
        // SAFETY: caller's contract.
        let line = unsafe { utf8_arg(line, line_len, "line") }?;
        match e.stats(line) {
            Some(v) => to_json(&v),
            None => Err(Failure::new(
                OPENLINES_UNKNOWN_LINE,
                format!("line \"{line}\" does not exist"),
            )),
        }
    })
}
