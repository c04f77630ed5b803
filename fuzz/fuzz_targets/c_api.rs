//! Target 5: the C ABI's JSON entry points (config, input, restore) through the extern
//! functions, with pointers built here. No call may report OPENLINES_PANIC (a panic
//! also aborts the fuzzer through libFuzzer's panic hook); a call refused for its time
//! changes nothing (same snapshot, same pending actions); any other failed input is
//! exactly a tick at its time (time is committed, docs/reference.md, "The host loop": same snapshot
//! and same new pending actions as an advance on a copy); after every call the engine's
//! snapshot restores (restore checks consistency); snapshot(restore(snapshot)) is
//! identical.
//!
//! Input, split at '\n': line 0 = config JSON (a default config if refused), line 1 =
//! bytes given to openlines_engine_restore, every further line = one step: a byte for
//! the time step, then input JSON (nothing = a tick at the next deadline).

#![no_main]

use std::ffi::{CStr, c_char};
use std::mem::MaybeUninit;
use std::ptr;

use libfuzzer_sys::fuzz_target;

// The C ABI crate's source, compiled in; it names the core crate `core_engine`
// (a crate cannot depend on one package under two names, so it is aliased here).
extern crate openlines as core_engine;

#[path = "../../bindings/c/src/lib.rs"]
#[allow(dead_code, unused_imports, clippy::all)]
mod c_api;

use c_api::openlines_status::{self, *};
use c_api::*;

const DEFAULT_CONFIG: &str = r#"{"operators":[{"id":"ann","max_dialogs":2},{"id":"bob"}],"lines":[{"id":"sales","queue":{"operators":["ann","bob"],"forward_after_secs":30},"rating":{"enabled":true,"window_secs":60},"auto_close":{"after_secs":600}},{"id":"support","queue":{"operators":["bob"],"distribution":"all"}}]}"#;
const START_MS: i64 = 1_795_420_800_000; // 2026-11-23T08:00:00Z

fn no_panic(status: openlines_status, what: &str) {
    assert!(
        status != OPENLINES_PANIC && status != OPENLINES_POISONED,
        "{what} returned {status:?}"
    );
}

/// Read every byte of a borrowed string (ASan catches a dangling pointer).
fn touch(s: openlines_str) -> usize {
    if s.ptr.is_null() {
        assert_eq!(s.len, 0, "NULL string with a length");
        return 0;
    }
    // SAFETY: the library promises `len` readable bytes until the next mutating call.
    let bytes = unsafe { std::slice::from_raw_parts(s.ptr.cast::<u8>(), s.len) };
    std::str::from_utf8(bytes)
        .expect("action strings are UTF-8")
        .len()
}

/// Take an owned C string and free it.
unsafe fn take_string(s: *mut c_char) -> String {
    assert!(!s.is_null());
    // SAFETY: a NUL-terminated string from the library.
    let text = unsafe { CStr::from_ptr(s) }
        .to_str()
        .expect("UTF-8")
        .to_owned();
    // SAFETY: owned by us, freed once.
    unsafe { openlines_string_free(s) };
    text
}

unsafe fn snapshot(engine: *mut openlines_engine) -> Vec<u8> {
    let mut bytes = ptr::null_mut();
    let mut len = 0usize;
    // SAFETY: live handle, valid out pointers.
    let status = unsafe { openlines_engine_snapshot(engine, &mut bytes, &mut len) };
    assert_eq!(status, OPENLINES_OK, "snapshot failed");
    // SAFETY: `len` bytes owned by us until freed.
    let copy = unsafe { std::slice::from_raw_parts(bytes, len) }.to_vec();
    // SAFETY: the buffer and its length from openlines_engine_snapshot.
    unsafe { openlines_bytes_free(bytes, len) };
    copy
}

unsafe fn pending(engine: *mut openlines_engine) -> usize {
    let mut n = 0usize;
    // SAFETY: live handle.
    assert_eq!(
        unsafe { openlines_engine_pending_actions(engine, &mut n) },
        OPENLINES_OK
    );
    n
}

/// Restore bytes through the C API; returns the handle on success.
unsafe fn restore(bytes: &[u8]) -> Option<*mut openlines_engine> {
    let mut engine = ptr::null_mut();
    let mut error = ptr::null_mut();
    // SAFETY: `bytes` is readable; out pointers valid.
    let status =
        unsafe { openlines_engine_restore(bytes.as_ptr().cast(), bytes.len(), &mut engine, &mut error) };
    no_panic(status, "openlines_engine_restore");
    if status == OPENLINES_OK {
        assert!(!engine.is_null() && error.is_null());
        Some(engine)
    } else {
        assert!(engine.is_null(), "a failed restore wrote the handle");
        // SAFETY: owned message.
        let message = unsafe { take_string(error) };
        assert!(!message.is_empty(), "restore failed without a message");
        None
    }
}

/// Read the pending actions, one by one or as JSON.
unsafe fn drain(engine: *mut openlines_engine, as_json: bool) {
    if as_json {
        let mut json = ptr::null_mut();
        let mut len = 0usize;
        // SAFETY: live handle.
        let status = unsafe { openlines_engine_take_actions_json(engine, &mut json, &mut len) };
        assert_eq!(status, OPENLINES_OK);
        // SAFETY: owned string.
        let text = unsafe { take_string(json) };
        assert_eq!(text.len(), len);
        let _: serde_json::Value = serde_json::from_str(&text).expect("actions JSON parses");
    } else {
        let mut seen = Vec::new();
        loop {
            let mut action = MaybeUninit::<openlines_action>::uninit();
            // SAFETY: live handle, valid out pointer.
            let status = unsafe { openlines_engine_next_action(engine, action.as_mut_ptr()) };
            if status == OPENLINES_NO_MORE_ACTIONS {
                break;
            }
            assert_eq!(status, OPENLINES_OK, "next_action failed");
            // SAFETY: written on success.
            let action = unsafe { action.assume_init() };
            seen.push(action);
        }
        // Earlier actions stay valid while reading later ones.
        for a in &seen {
            for s in [
                a.type_name,
                a.line,
                a.client,
                a.operator_id,
                a.text,
                a.channel,
                a.bot,
                a.form,
                a.reason_name,
            ] {
                touch(s);
            }
            for (list, len) in [(a.operators, a.operators_len), (a.notify, a.notify_len)] {
                if len > 0 {
                    // SAFETY: `len` borrowed strings.
                    for s in unsafe { std::slice::from_raw_parts(list, len) } {
                        touch(*s);
                    }
                }
            }
        }
    }
}

unsafe fn views(engine: *mut openlines_engine, step: u8) {
    let dialog = u64::from(step % 8);
    for i in 0..5 {
        let mut json = ptr::null_mut();
        let mut len = 0usize;
        // SAFETY: live handle, valid out pointers; strings readable.
        let status = unsafe {
            match i {
                0 => openlines_engine_dialog_json(engine, dialog, &mut json, &mut len),
                1 => openlines_engine_explain_json(engine, dialog, &mut json, &mut len),
                2 => openlines_engine_queue_json(engine, c"sales".as_ptr(), 5, &mut json, &mut len),
                3 => {
                    openlines_engine_stats_json(engine, c"support".as_ptr(), 7, &mut json, &mut len)
                }
                _ => {
                    openlines_engine_operator_json(engine, c"ann".as_ptr(), 3, &mut json, &mut len)
                }
            }
        };
        no_panic(status, "a JSON view");
        if status == OPENLINES_OK {
            // SAFETY: owned string.
            let text = unsafe { take_string(json) };
            assert_eq!(text.len(), len);
        } else {
            assert!(json.is_null(), "a failed view wrote its output");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|&b| b == b'\n');
    let config = parts.next().unwrap_or_default();
    let restore_bytes = parts.next().unwrap_or_default();

    // SAFETY (whole body): every pointer passed is built here and valid for the call.
    unsafe {
        // Config.
        let mut engine = ptr::null_mut();
        let mut error = ptr::null_mut();
        let status = openlines_engine_new(
            config.as_ptr().cast(),
            config.len(),
            &mut engine,
            &mut error,
        );
        no_panic(status, "openlines_engine_new");
        if status != OPENLINES_OK {
            assert!(engine.is_null(), "a failed engine_new wrote the handle");
            assert!(
                !take_string(error).is_empty(),
                "engine_new failed without a message"
            );
            let status = openlines_engine_new(
                DEFAULT_CONFIG.as_ptr().cast(),
                DEFAULT_CONFIG.len(),
                &mut engine,
                ptr::null_mut(),
            );
            assert_eq!(status, OPENLINES_OK);
        }

        // Restore of arbitrary bytes.
        if let Some(other) = restore(restore_bytes) {
            let bytes = snapshot(other);
            let again = restore(&bytes).expect("a restored engine's snapshot restores");
            assert_eq!(
                snapshot(again),
                bytes,
                "snapshot(restore(snapshot)) differs"
            );
            let mut at = 0i64;
            let mut has = false;
            no_panic(
                openlines_engine_next_deadline(other, &mut at, &mut has),
                "next_deadline",
            );
            if has {
                no_panic(openlines_engine_advance(other, at), "advance");
            }
            views(other, 1);
            openlines_engine_free(again);
            openlines_engine_free(other);
        }

        // Steps.
        let mut now = START_MS;
        for (i, line) in parts.enumerate() {
            let (code, json) = match line.split_first() {
                Some((&c, rest)) => (c, rest),
                None => (0, &[][..]),
            };
            let at = match code {
                0xFF => i64::MAX,
                0xFE => i64::MIN,
                0xFD => now - 1,
                c => now + i64::from(c) * 997,
            };
            let before = snapshot(engine);
            let pending_before = pending(engine);
            let status = if json.is_empty() {
                let mut deadline = 0i64;
                let mut has = false;
                assert_eq!(
                    openlines_engine_next_deadline(engine, &mut deadline, &mut has),
                    OPENLINES_OK
                );
                let at = if has { deadline.max(now) } else { at };
                let status = openlines_engine_advance(engine, at);
                if status == OPENLINES_OK {
                    now = at;
                }
                status
            } else {
                let status =
                    openlines_engine_handle_json(engine, at, json.as_ptr().cast(), json.len());
                if !matches!(status, OPENLINES_TIME_WENT_BACKWARDS | OPENLINES_OUT_OF_RANGE) {
                    now = at; // accepted, or rejected with its time committed
                }
                status
            };
            no_panic(status, "handle_json/advance");
            // Read the message first: every call on the handle clears it.
            let message = CStr::from_ptr(openlines_engine_last_error(engine)).to_owned();
            if status == OPENLINES_OK {
                assert!(message.is_empty(), "last_error set after success");
            } else if matches!(status, OPENLINES_TIME_WENT_BACKWARDS | OPENLINES_OUT_OF_RANGE) {
                assert!(!message.is_empty(), "failure {status:?} without a message");
                assert_eq!(snapshot(engine), before, "a call refused for its time changed the state");
                assert_eq!(pending(engine), pending_before, "a call refused for its time changed the pending actions");
            } else {
                assert!(!message.is_empty(), "failure {status:?} without a message");
                // A rejected input is a tick at its time: same state, same new actions.
                let copy = restore(&before).expect("the snapshot before the call restores");
                assert_eq!(openlines_engine_advance(copy, at), OPENLINES_OK, "the tick on the copy");
                assert_eq!(snapshot(engine), snapshot(copy), "a rejected input ({status:?}) is not a tick at its time");
                assert_eq!(
                    pending(engine),
                    pending_before + pending(copy),
                    "a rejected input did not queue exactly its timers' actions"
                );
                openlines_engine_free(copy);
            }
            // The state stays restorable (restore checks consistency).
            let bytes = snapshot(engine);
            let restored = restore(&bytes).expect("the engine's snapshot restores");
            openlines_engine_free(restored);
            if i % 3 == 2 {
                drain(engine, code & 1 == 1);
            }
            views(engine, code);
        }
        let bytes = snapshot(engine);
        let again = restore(&bytes).expect("final snapshot restores");
        assert_eq!(
            snapshot(again),
            bytes,
            "snapshot(restore(snapshot)) differs"
        );
        openlines_engine_free(again);
        openlines_engine_clear_actions(engine);
        openlines_engine_free(engine);
    }
});
