/*
 * openlines.h -- C API of openlines, a pure, I/O-free routing engine for customer
 * chat "open lines" (which operator gets a client's dialog, which automatic messages
 * and marks the dialog gets). The JSON shapes and rules: docs/reference.md.
 *
 * SPDX-License-Identifier: MIT OR Apache-2.0
 *
 * LINKING
 *   cc prog.c $(pkg-config --cflags --libs openlines) \
 *      -Wl,-rpath,$(pkg-config --variable=libdir openlines)    (shared: libopenlines.so)
 *   cc prog.c -I/prefix/include /prefix/lib/libopenlines.a -lpthread -ldl -lm   (static)
 *   The rpath lets the program find libopenlines.so.0 at run time; without it, run it
 *   with LD_LIBRARY_PATH=/prefix/lib, or install into a directory the loader searches
 *   (/usr/lib; /usr/local/lib after `ldconfig`). bindings/c/install.sh prints the lines.
 *   The header compiles as C99 and as C++ (all declarations are extern "C").
 *
 * THE MODEL
 *   One engine (openlines_engine) holds one tenant: its lines, operators and dialogs.
 *   The engine never reads a clock, never sleeps, never does I/O and never spawns
 *   threads. The host feeds it inputs (client messages, operator actions, presence
 *   changes) stamped with a time, and carries out the actions it returns (send this
 *   text, offer this dialog to that operator, ...). Same config + same timed inputs give
 *   the same actions, on every platform and from every binding.
 *
 *   A typical host loop (this text is compiled and run by bindings/c/tests/run.sh; the
 *   host_* functions are the host's own):
 *
 *     int host_wait(int64_t deadline_ms, bool has_deadline, openlines_input *input);
 *         // blocks until the next event from the CRM (fills *input, returns 1), or
 *         // until the deadline if there is one (returns 0); returns -1 to stop
 *     int64_t host_now_ms(void);                     // the wall clock, ms since the epoch
 *     void host_carry_out(const openlines_action *a);  // send the text, offer, ...
 *
 *     int host_run(const char *cfg, size_t cfg_len) {
 *         openlines_engine *engine = NULL;
 *         char *why = NULL;
 *         if (openlines_engine_new(cfg, cfg_len, &engine, &why) != OPENLINES_OK) {
 *             fprintf(stderr, "bad config: %s\n", why);
 *             openlines_string_free(why);
 *             return 1;
 *         }
 *         for (;;) {
 *             int64_t deadline = 0;
 *             bool has_deadline = false;
 *             openlines_engine_next_deadline(engine, &deadline, &has_deadline);
 *             openlines_input input;
 *             int event = host_wait(deadline, has_deadline, &input);
 *             if (event < 0) {
 *                 break;
 *             }
 *             openlines_status st = event
 *                 ? openlines_engine_handle(engine, host_now_ms(), &input) // or _handle_json
 *                 : openlines_engine_advance(engine, host_now_ms());       // a clock tick
 *             if (st != OPENLINES_OK) {  // rejected: the input changed nothing
 *                 fprintf(stderr, "%s: %s\n", openlines_status_str(st),
 *                         openlines_engine_last_error(engine));
 *             }
 *             // Read the actions whatever the status: when an input is rejected, the
 *             // timers that were due by its time have still fired.
 *             openlines_action a;
 *             while (openlines_engine_next_action(engine, &a) == OPENLINES_OK) {
 *                 host_carry_out(&a);
 *             }
 *         }
 *         openlines_engine_free(engine);
 *         return 0;
 *     }
 *
 * TIME
 *   Every time is an int64_t count of milliseconds since the Unix epoch (UTC). Inputs
 *   must come in time order: a time earlier than the engine's current time (the time of
 *   the last accepted call) is rejected with OPENLINES_TIME_WENT_BACKWARDS. Times out of
 *   the range the engine can represent (about +-262000 years) give OPENLINES_OUT_OF_RANGE.
 *   Call openlines_engine_advance() at openlines_engine_next_deadline() (or later): the
 *   engine fires its timers (offer expiry, unanswered mark, KPI, auto-close, ...) only
 *   when you tell it the time.
 *
 * STATUS CODES AND ERRORS
 *   Every fallible function returns an openlines_status; OPENLINES_OK (0) is success.
 *   The numbers are stable and never reused. On failure nothing is written to the
 *   output parameters and the input changes nothing ("no partial successes"). Time,
 *   though, is committed: when openlines_engine_handle() or _handle_json() rejects an
 *   input, the timers that were due at its time have still fired (exactly as if
 *   openlines_engine_advance() had been called first), and their actions are pending:
 *   read them as after a success. openlines_engine_last_error() gives a message a
 *   person can act on (it names the offending field or id) for the last failed call on
 *   a handle; openlines_last_error() the same for the last failed call of the thread,
 *   including the functions without a handle (openlines_engine_new, _restore,
 *   openlines_input_init); openlines_status_str() gives the stable name of a status.
 *   Every pointer argument is checked: NULL gives OPENLINES_NULL_POINTER (except where a
 *   parameter is documented as optional). No Rust panic ever crosses into C: a panic
 *   (a bug in openlines) is caught and reported as OPENLINES_PANIC, and the handle is
 *   then poisoned: every later call on it returns OPENLINES_POISONED. Free it and
 *   restore from your last snapshot.
 *
 * STRINGS
 *   Strings passed in are (pointer, length) pairs: they need no NUL terminator and must
 *   be valid UTF-8 (else OPENLINES_INVALID_UTF8). openlines_str {NULL, 0} means "absent"
 *   for optional fields and "" for required ones; a NULL pointer with a non-zero length
 *   is OPENLINES_NULL_POINTER. The engine copies what it keeps: input strings only need
 *   to live for the duration of the call.
 *   Strings handed out in an openlines_action are borrowed (see "ACTIONS"); strings
 *   returned through a char** are owned by the caller, NUL-terminated, and must be freed
 *   with openlines_string_free(); byte buffers with openlines_bytes_free().
 *
 * ACTIONS
 *   Each openlines_engine_handle*() / openlines_engine_advance() appends the actions it
 *   produced to the handle's queue of pending actions (a rejected input: those of the
 *   timers that fired before it, see above). Read them either one
 *   at a time as C structs with openlines_engine_next_action(), or all at once as a JSON
 *   array with openlines_engine_take_actions_json(); both mark what they return as read.
 *   The strings and arrays inside an openlines_action point into the handle and stay
 *   valid until the next mutating call on that handle: openlines_engine_handle(),
 *   openlines_engine_handle_json(), openlines_engine_advance(),
 *   openlines_engine_clear_actions() or openlines_engine_free(). Reading actions and
 *   calling the read-only views does not invalidate them. Copy what you keep longer.
 *   Read every action before the next input; unread ones stay queued (in order), but
 *   that is rarely what a host wants.
 *
 * THREADS
 *   The library has no global state shared between threads (each thread has its own
 *   openlines_last_error() message). Distinct engine handles are independent and may be
 *   used from different threads at the same time. One handle must not be used from two
 *   threads at the same time (no call, not even the read-only views, is safe to run
 *   concurrently on the same handle); it may be moved between threads. Functions that
 *   take no handle (versions, openlines_status_str, openlines_input_init, the free
 *   functions on distinct buffers) are thread-safe.
 *
 * PERSISTENCE
 *   openlines_engine_snapshot() gives the full state as opaque bytes;
 *   openlines_engine_restore() rebuilds an engine that behaves exactly like the original.
 *   With a durable log of the inputs after the snapshot, replaying them restores the
 *   exact state (the engine is deterministic).
 */


#ifndef OPENLINES_H
#define OPENLINES_H

/* Generated by cbindgen 0.29.4 from bindings/c/src/lib.rs: do not edit by hand.
 * Rebuild the openlines-c crate to regenerate it (CI checks that it is fresh). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** The version of the library this header belongs to, as a string. */
#define OPENLINES_VERSION "0.1.0"
/** Major part of OPENLINES_VERSION. */
#define OPENLINES_VERSION_MAJOR 0
/** Minor part of OPENLINES_VERSION. */
#define OPENLINES_VERSION_MINOR 1
/** Patch part of OPENLINES_VERSION. */
#define OPENLINES_VERSION_PATCH 0
/** OPENLINES_VERSION as one number: major * 1000000 + minor * 1000 + patch
 * (compare with openlines_version_number() at run time). */
#define OPENLINES_VERSION_NUMBER (0 * 1000000 + 1 * 1000 + 0)
/** The ABI major version of this header; the shared library's SONAME is
 * libopenlines.so.OPENLINES_ABI_VERSION. A program built against this header must
 * only run with a library whose openlines_abi_version() returns the same number. */
#define OPENLINES_ABI_VERSION 0


/**
 * Status code returned by every fallible function. OPENLINES_OK (0) is success.
 *
 * The numbers are part of the ABI: they never change and are never reused.
 * 1..99 mirror the engine's error kinds (docs/reference.md, "Errors"); 100.. are C-level
 * conditions. openlines_status_str() gives each one's stable name.
 */
enum openlines_status
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * Success.
     */
    OPENLINES_OK = 0,
    /**
     * The config is malformed or inconsistent (error kind "invalid_config"); the message
     * lists every problem with its field path, e.g. "lines[0].queue.forward_after_secs: ...".
     */
    OPENLINES_INVALID_CONFIG = 1,
    /**
     * The input is malformed: bad JSON, a missing field, a bad value, over a limit
     * ("invalid_input").
     */
    OPENLINES_INVALID_INPUT = 2,
    /**
     * The input names a line that does not exist ("unknown_line").
     */
    OPENLINES_UNKNOWN_LINE = 3,
    /**
     * The input names an operator that does not exist ("unknown_operator").
     */
    OPENLINES_UNKNOWN_OPERATOR = 4,
    /**
     * The input names a dialog that was never opened or is closed ("unknown_dialog").
     */
    OPENLINES_UNKNOWN_DIALOG = 5,
    /**
     * Well-formed but not allowed now, e.g. an operator acting on a dialog that is not
     * theirs, or on a closed dialog ("not_allowed").
     */
    OPENLINES_NOT_ALLOWED = 6,
    /**
     * The time is earlier than the engine's current time ("time_went_backwards").
     */
    OPENLINES_TIME_WENT_BACKWARDS = 7,
    /**
     * The snapshot bytes cannot be restored: other version, corrupt ("snapshot_version").
     */
    OPENLINES_SNAPSHOT_VERSION = 8,
    /**
     * A required pointer argument is NULL (or an openlines_str has a NULL pointer and a
     * non-zero length).
     */
    OPENLINES_NULL_POINTER = 100,
    /**
     * A string argument is not valid UTF-8.
     */
    OPENLINES_INVALID_UTF8 = 101,
    /**
     * A numeric argument is out of range: an unknown kind or enum value, a time the
     * engine cannot represent, a rating score above 255.
     */
    OPENLINES_OUT_OF_RANGE = 102,
    /**
     * Not an error: openlines_engine_next_action() has no more pending actions.
     */
    OPENLINES_NO_MORE_ACTIONS = 103,
    /**
     * A bug in openlines: a Rust panic was caught at the boundary. The handle (if any)
     * is now poisoned. Please report it with openlines_engine_last_error()'s message.
     */
    OPENLINES_PANIC = 200,
    /**
     * The handle was poisoned by an earlier OPENLINES_PANIC: it refuses every call but
     * openlines_engine_last_error() and openlines_engine_free(). Free it and restore
     * from your last snapshot.
     */
    OPENLINES_POISONED = 201,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum openlines_status openlines_status;
#else
typedef uint32_t openlines_status;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * The kind of an openlines_input (its `kind` field). 0 is not a valid kind.
 */
enum openlines_input_kind
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * A client wrote to a line: `line`, `client`, and optionally `text`, `channel`,
     * `can_reply`, `has_crm`/`crm_found`/`crm_responsible`, `priority`, `language`,
     * `skills`/`skills_len`.
     */
    OPENLINES_INPUT_CLIENT_MESSAGE = 1,
    /**
     * An operator wrote in a dialog: `dialog`, `operator_id`, `hidden` (an internal note).
     */
    OPENLINES_INPUT_OPERATOR_MESSAGE = 2,
    /**
     * An operator accepts an offered dialog: `dialog`, `operator_id`.
     */
    OPENLINES_INPUT_ACCEPT = 3,
    /**
     * An operator skips an offered (or their assigned) dialog: `dialog`, `operator_id`.
     */
    OPENLINES_INPUT_SKIP = 4,
    /**
     * The assigned operator hands the dialog on: `dialog`, `operator_id`, and exactly one
     * of `to_operator` and `to_line` (the other {NULL, 0}).
     */
    OPENLINES_INPUT_TRANSFER = 5,
    /**
     * The assigned operator closes the dialog: `dialog`, `operator_id`.
     */
    OPENLINES_INPUT_CLOSE = 6,
    /**
     * The assigned operator pins or unpins the dialog: `dialog`, `operator_id`, `pinned`.
     */
    OPENLINES_INPUT_PIN = 7,
    /**
     * The client rates the dialog: `dialog`, `score` (1..5).
     */
    OPENLINES_INPUT_RATE = 8,
    /**
     * An operator's presence changed: `operator_id`, `status` (an openlines_presence).
     */
    OPENLINES_INPUT_PRESENCE = 9,
    /**
     * The host's bot asks for a human: `dialog`.
     */
    OPENLINES_INPUT_BOT_HANDOFF = 10,
    /**
     * The bot finished the dialog itself: `dialog`.
     */
    OPENLINES_INPUT_BOT_RESOLVED = 11,
    /**
     * Add or replace a line: `config_json`, the line's config as JSON (docs/reference.md, "Config",
     * one element of "lines").
     */
    OPENLINES_INPUT_SET_LINE = 12,
    /**
     * Add or replace an operator: `config_json`, the operator's config as JSON (one
     * element of "operators").
     */
    OPENLINES_INPUT_SET_OPERATOR = 13,
    /**
     * Erase what the engine keeps about a client: `client`.
     */
    OPENLINES_INPUT_FORGET_CLIENT = 14,
    /**
     * A clock tick, same as openlines_engine_advance(); no fields.
     */
    OPENLINES_INPUT_TICK = 15,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum openlines_input_kind openlines_input_kind;
#else
typedef uint32_t openlines_input_kind;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * Operator presence (openlines_input.status for OPENLINES_INPUT_PRESENCE).
 */
enum openlines_presence
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * "online": working and available.
     */
    OPENLINES_PRESENCE_ONLINE = 1,
    /**
     * "away".
     */
    OPENLINES_PRESENCE_AWAY = 2,
    /**
     * "break".
     */
    OPENLINES_PRESENCE_BREAK = 3,
    /**
     * "offline".
     */
    OPENLINES_PRESENCE_OFFLINE = 4,
    /**
     * "vacation".
     */
    OPENLINES_PRESENCE_VACATION = 5,
    /**
     * "dismissed": no longer works here; their dialogs are re-routed.
     */
    OPENLINES_PRESENCE_DISMISSED = 6,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum openlines_presence openlines_presence;
#else
typedef uint32_t openlines_presence;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * The kind of an openlines_action (its `kind` field). Each value's comment lists the
 * fields it sets; all other fields are zero / {NULL, 0}.
 */
enum openlines_action_kind
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * "dialog_opened": `dialog`, `line`, `client`.
     */
    OPENLINES_ACTION_DIALOG_OPENED = 1,
    /**
     * "send_message": send `text` to the client of `dialog`; `message_kind` says why.
     */
    OPENLINES_ACTION_SEND_MESSAGE = 2,
    /**
     * "offer": offer `dialog` to `operators` (several in "all" mode) until `expires_at_ms`.
     */
    OPENLINES_ACTION_OFFER = 3,
    /**
     * "offer_withdrawn": the offer of `dialog` to `operator_id` is gone; `reason` is an
     * openlines_withdraw_reason.
     */
    OPENLINES_ACTION_OFFER_WITHDRAWN = 4,
    /**
     * "assigned": `dialog` now belongs to `operator_id`; `reason` is an
     * openlines_assign_reason.
     */
    OPENLINES_ACTION_ASSIGNED = 5,
    /**
     * "queued": `dialog` waits in its line's queue; `reason` is an openlines_queue_reason.
     */
    OPENLINES_ACTION_QUEUED = 6,
    /**
     * "mark_unanswered": mark `dialog` unanswered in the host's UI.
     */
    OPENLINES_ACTION_MARK_UNANSWERED = 7,
    /**
     * "kpi_overdue": a response-time target (`kpi`, an openlines_kpi) of `dialog` was
     * missed by `operator_id` ({NULL, 0} when nobody was responsible); send `text` to
     * the operators in `notify`.
     */
    OPENLINES_ACTION_KPI_OVERDUE = 8,
    /**
     * "bot_started": `dialog` starts with the bot `bot`.
     */
    OPENLINES_ACTION_BOT_STARTED = 9,
    /**
     * "bot_stopped": the bot stage of `dialog` ended; `reason` is an
     * openlines_bot_stop_reason.
     */
    OPENLINES_ACTION_BOT_STOPPED = 10,
    /**
     * "create_lead": create a CRM lead for `client` from `channel` (`dialog`).
     */
    OPENLINES_ACTION_CREATE_LEAD = 11,
    /**
     * "send_form": send the form `form` to the client of `dialog`.
     */
    OPENLINES_ACTION_SEND_FORM = 12,
    /**
     * "crm_responsible_changed": make `operator_id` the CRM responsible of the client
     * of `dialog`.
     */
    OPENLINES_ACTION_CRM_RESPONSIBLE_CHANGED = 13,
    /**
     * "dialog_closed": `dialog` is closed; `reason` is an openlines_close_reason and
     * `stats` its response statistics.
     */
    OPENLINES_ACTION_DIALOG_CLOSED = 14,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum openlines_action_kind openlines_action_kind;
#else
typedef uint32_t openlines_action_kind;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * Why a text is sent (openlines_action.message_kind of OPENLINES_ACTION_SEND_MESSAGE).
 */
enum openlines_message_kind
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * "consent".
     */
    OPENLINES_MESSAGE_CONSENT = 1,
    /**
     * "greeting".
     */
    OPENLINES_MESSAGE_GREETING = 2,
    /**
     * "off_hours".
     */
    OPENLINES_MESSAGE_OFF_HOURS = 3,
    /**
     * "nobody_available".
     */
    OPENLINES_MESSAGE_NOBODY_AVAILABLE = 4,
    /**
     * "unanswered".
     */
    OPENLINES_MESSAGE_UNANSWERED = 5,
    /**
     * "no_answer".
     */
    OPENLINES_MESSAGE_NO_ANSWER = 6,
    /**
     * "closing".
     */
    OPENLINES_MESSAGE_CLOSING = 7,
    /**
     * "auto_close".
     */
    OPENLINES_MESSAGE_AUTO_CLOSE = 8,
    /**
     * "rating_request".
     */
    OPENLINES_MESSAGE_RATING_REQUEST = 9,
    /**
     * "queue_position".
     */
    OPENLINES_MESSAGE_QUEUE_POSITION = 10,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum openlines_message_kind openlines_message_kind;
#else
typedef uint32_t openlines_message_kind;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * Why an offer was withdrawn (openlines_action.reason of OPENLINES_ACTION_OFFER_WITHDRAWN).
 */
enum openlines_withdraw_reason
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * "timeout": not accepted in time.
     */
    OPENLINES_WITHDRAW_TIMEOUT = 1,
    /**
     * "skipped": the operator skipped it.
     */
    OPENLINES_WITHDRAW_SKIPPED = 2,
    /**
     * "taken": another operator took it.
     */
    OPENLINES_WITHDRAW_TAKEN = 3,
    /**
     * "unavailable": the operator became unavailable or left the queue.
     */
    OPENLINES_WITHDRAW_UNAVAILABLE = 4,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum openlines_withdraw_reason openlines_withdraw_reason;
#else
typedef uint32_t openlines_withdraw_reason;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * Why a dialog was assigned (openlines_action.reason of OPENLINES_ACTION_ASSIGNED).
 */
enum openlines_assign_reason
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * "accepted": the operator accepted (or answered) the offer.
     */
    OPENLINES_ASSIGN_ACCEPTED = 1,
    /**
     * "crm_responsible": the client's CRM responsible.
     */
    OPENLINES_ASSIGN_CRM_RESPONSIBLE = 2,
    /**
     * "previous_operator": the operator of the client's last dialog.
     */
    OPENLINES_ASSIGN_PREVIOUS_OPERATOR = 3,
    /**
     * "transfer": a manual transfer.
     */
    OPENLINES_ASSIGN_TRANSFER = 4,
    /**
     * "assign_anyway": nobody was available and the line assigns anyway.
     */
    OPENLINES_ASSIGN_ASSIGN_ANYWAY = 5,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum openlines_assign_reason openlines_assign_reason;
#else
typedef uint32_t openlines_assign_reason;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * Why a dialog is queued (openlines_action.reason of OPENLINES_ACTION_QUEUED).
 */
enum openlines_queue_reason
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * "nobody_available": no eligible operator.
     */
    OPENLINES_QUEUE_NOBODY_AVAILABLE = 1,
    /**
     * "off_hours": the line is closed and holds dialogs until it opens.
     */
    OPENLINES_QUEUE_OFF_HOURS = 2,
    /**
     * "no_answer": every candidate of a cycle declined; parked until a retry.
     */
    OPENLINES_QUEUE_NO_ANSWER = 3,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum openlines_queue_reason openlines_queue_reason;
#else
typedef uint32_t openlines_queue_reason;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * Which response-time target was missed (openlines_action.kpi).
 */
enum openlines_kpi
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * "first_response".
     */
    OPENLINES_KPI_FIRST_RESPONSE = 1,
    /**
     * "next_response".
     */
    OPENLINES_KPI_NEXT_RESPONSE = 2,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum openlines_kpi openlines_kpi;
#else
typedef uint32_t openlines_kpi;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * Why the bot stage ended (openlines_action.reason of OPENLINES_ACTION_BOT_STOPPED).
 */
enum openlines_bot_stop_reason
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * "handoff": the bot asked for a human.
     */
    OPENLINES_BOT_STOP_HANDOFF = 1,
    /**
     * "keyword": the client wrote the handoff keyword.
     */
    OPENLINES_BOT_STOP_KEYWORD = 2,
    /**
     * "timeout": the handoff timer fired.
     */
    OPENLINES_BOT_STOP_TIMEOUT = 3,
    /**
     * "resolved": the bot resolved the dialog.
     */
    OPENLINES_BOT_STOP_RESOLVED = 4,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum openlines_bot_stop_reason openlines_bot_stop_reason;
#else
typedef uint32_t openlines_bot_stop_reason;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * Why a dialog was closed (openlines_action.reason of OPENLINES_ACTION_DIALOG_CLOSED).
 */
enum openlines_close_reason
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * "operator": the operator closed it.
     */
    OPENLINES_CLOSE_OPERATOR = 1,
    /**
     * "inactivity": the client was silent too long.
     */
    OPENLINES_CLOSE_INACTIVITY = 2,
    /**
     * "rated": the client rated it.
     */
    OPENLINES_CLOSE_RATED = 3,
    /**
     * "rating_window": the rating window passed.
     */
    OPENLINES_CLOSE_RATING_WINDOW = 4,
    /**
     * "bot": the bot resolved it.
     */
    OPENLINES_CLOSE_BOT = 5,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum openlines_close_reason openlines_close_reason;
#else
typedef uint32_t openlines_close_reason;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * An engine handle: one tenant's engine plus its queue of pending actions and its last
 * error message. Opaque: create it with openlines_engine_new() or
 * openlines_engine_restore(), free it with openlines_engine_free().
 */
typedef struct openlines_engine openlines_engine;

/**
 * A borrowed string: `len` bytes of UTF-8 at `ptr`, not necessarily NUL-terminated.
 *
 * Print one with `printf("%.*s", (int)s.len, s.ptr)`. In inputs, {NULL, 0} means
 * "absent" for optional fields and "" for required ones; a NULL `ptr` with a non-zero
 * `len` is rejected. In actions, an absent optional value is {NULL, 0} and any present
 * value (even "") has a non-NULL `ptr`.
 */
typedef struct openlines_str {
    /**
     * First byte (need not be NUL-terminated).
     */
    const char *ptr;
    /**
     * Length in bytes.
     */
    size_t len;
} openlines_str;

/**
 * One input, the fast path (no JSON). Set `kind` (an openlines_input_kind) and the
 * fields that kind uses (see openlines_input_kind); other fields are ignored.
 *
 * Start from openlines_input_init(), which zeroes everything and sets the defaults
 * that are not zero (`can_reply` = true, `pinned` = true). Strings are borrowed for the
 * duration of the call only. Each kind maps to the JSON input of docs/reference.md, "Inputs"
 * with the same field names (`operator_id` is JSON "operator"; `has_crm`, `crm_found`,
 * `crm_responsible` are JSON "crm": {"found", "responsible"}; `config_json` is JSON
 * "line" or "operator"); both paths give identical results.
 */
typedef struct openlines_input {
    /**
     * An openlines_input_kind; anything else is OPENLINES_OUT_OF_RANGE.
     */
    uint32_t kind;
    /**
     * The dialog id (operator_message, accept, skip, transfer, close, pin, rate,
     * bot_handoff, bot_resolved).
     */
    uint64_t dialog;
    /**
     * client_message: the line written to.
     */
    struct openlines_str line;
    /**
     * client_message, forget_client: the client's id (e.g. "tg:42").
     */
    struct openlines_str client;
    /**
     * operator_message, accept, skip, transfer, close, pin, presence: the operator's id.
     */
    struct openlines_str operator_id;
    /**
     * client_message: the message text (used for the bot's handoff keyword; not stored).
     */
    struct openlines_str text;
    /**
     * client_message: the channel ("telegram", "web", ...), passed to create_lead.
     */
    struct openlines_str channel;
    /**
     * client_message: whether the channel can reply (default true).
     */
    bool can_reply;
    /**
     * client_message: whether the host made a CRM lookup (false = JSON without "crm").
     */
    bool has_crm;
    /**
     * client_message with `has_crm`: whether the client is known in the CRM.
     */
    bool crm_found;
    /**
     * client_message with `has_crm`: the client's responsible operator; {NULL, 0} = none.
     */
    struct openlines_str crm_responsible;
    /**
     * client_message: higher goes first in the waiting queue (default 0).
     */
    int32_t priority;
    /**
     * client_message: required operator language; "" = any.
     */
    struct openlines_str language;
    /**
     * client_message: required operator skills, an array of `skills_len` strings (may be
     * NULL when `skills_len` is 0).
     */
    const struct openlines_str *skills;
    /**
     * Number of elements of `skills`.
     */
    size_t skills_len;
    /**
     * operator_message: an internal note the client does not see (not a reply).
     */
    bool hidden;
    /**
     * transfer: the target operator, or {NULL, 0} when transferring to a line.
     */
    struct openlines_str to_operator;
    /**
     * transfer: the target line, or {NULL, 0} when transferring to an operator.
     */
    struct openlines_str to_line;
    /**
     * pin: pin (true, the default) or unpin (false).
     */
    bool pinned;
    /**
     * rate: the score, 1..5 (others are OPENLINES_INVALID_INPUT; above 255
     * OPENLINES_OUT_OF_RANGE).
     */
    uint32_t score;
    /**
     * presence: the new status, an openlines_presence.
     */
    uint32_t status;
    /**
     * set_line / set_operator: the line's or operator's config as a JSON object.
     */
    struct openlines_str config_json;
} openlines_input;

/**
 * Response statistics of a closed dialog (openlines_action.stats of
 * OPENLINES_ACTION_DIALOG_CLOSED). A value whose `has_` flag is false is JSON null
 * (and 0 here).
 */
typedef struct openlines_dialog_stats {
    /**
     * Whether `first_response_secs` is set (false: the operator never replied).
     */
    bool has_first_response_secs;
    /**
     * Seconds from the first client message to the first operator reply.
     */
    uint64_t first_response_secs;
    /**
     * Whether `avg_response_secs` is set.
     */
    bool has_avg_response_secs;
    /**
     * Average seconds from a client message (first of a run) to the operator's reply.
     */
    uint64_t avg_response_secs;
    /**
     * Whether `max_response_secs` is set.
     */
    bool has_max_response_secs;
    /**
     * Longest such wait, in seconds.
     */
    uint64_t max_response_secs;
    /**
     * Client messages in the dialog.
     */
    uint32_t client_messages;
    /**
     * Operator replies (hidden notes not counted).
     */
    uint32_t operator_messages;
    /**
     * Whether `rating` is set.
     */
    bool has_rating;
    /**
     * The client's rating, 1..5.
     */
    uint8_t rating;
    /**
     * Whether the dialog got the unanswered mark.
     */
    bool unanswered;
} openlines_dialog_stats;

/**
 * One action for the host to carry out: a tagged struct. `kind` (an
 * openlines_action_kind) says which fields are set (see openlines_action_kind); the
 * others are zero and {NULL, 0}. The field names are those of the JSON actions of
 * docs/reference.md, "Actions" (`operator_id` is JSON "operator", `message_kind` is the "kind"
 * of send_message, `expires_at_ms` is "expires_at").
 *
 * BORROWED: every string and array in it points into the engine handle and stays valid
 * until the next mutating call on that handle (handle, handle_json, advance,
 * clear_actions, free). Strings are not NUL-terminated.
 */
typedef struct openlines_action {
    /**
     * An openlines_action_kind.
     */
    uint32_t kind;
    /**
     * The JSON "type" of the action, e.g. "offer" (static storage: valid for the life of
     * the program).
     */
    struct openlines_str type_name;
    /**
     * The dialog the action is about (every kind).
     */
    uint64_t dialog;
    /**
     * dialog_opened: the dialog's line.
     */
    struct openlines_str line;
    /**
     * dialog_opened, create_lead: the client's id.
     */
    struct openlines_str client;
    /**
     * offer_withdrawn, assigned, crm_responsible_changed: the operator;
     * kpi_overdue: the operator responsible then, or {NULL, 0} if none.
     */
    struct openlines_str operator_id;
    /**
     * send_message: the text to send; kpi_overdue: the notice (template filled in).
     */
    struct openlines_str text;
    /**
     * create_lead: the channel.
     */
    struct openlines_str channel;
    /**
     * bot_started: the bot id.
     */
    struct openlines_str bot;
    /**
     * send_form: the form id.
     */
    struct openlines_str form;
    /**
     * offer: the operators offered to (`operators_len` elements).
     */
    const struct openlines_str *operators;
    /**
     * Number of elements of `operators`.
     */
    size_t operators_len;
    /**
     * kpi_overdue: the operators to notify (`notify_len` elements).
     */
    const struct openlines_str *notify;
    /**
     * Number of elements of `notify`.
     */
    size_t notify_len;
    /**
     * offer: when the offer times out, in ms since the Unix epoch.
     */
    int64_t expires_at_ms;
    /**
     * send_message: an openlines_message_kind.
     */
    uint32_t message_kind;
    /**
     * offer_withdrawn: openlines_withdraw_reason; assigned: openlines_assign_reason;
     * queued: openlines_queue_reason; bot_stopped: openlines_bot_stop_reason;
     * dialog_closed: openlines_close_reason.
     */
    uint32_t reason;
    /**
     * kpi_overdue: an openlines_kpi.
     */
    uint32_t kpi;
    /**
     * The JSON name of whichever of `message_kind`, `reason`, `kpi` this kind has
     * (e.g. "timeout"), or {NULL, 0}; static storage.
     */
    struct openlines_str reason_name;
    /**
     * dialog_closed: the dialog's response statistics.
     */
    struct openlines_dialog_stats stats;
} openlines_action;

#ifdef __cplusplus
extern "C" {
#endif // __cplusplus

/**
 * The library's version, e.g. "0.1.0": a static NUL-terminated string (never free it).
 * Compare with the header's OPENLINES_VERSION. Thread-safe.
 */
const char *openlines_version(void);

/**
 * The library's version as one number: major * 1000000 + minor * 1000 + patch
 * (compare with the header's OPENLINES_VERSION_NUMBER). Thread-safe.
 */
uint32_t openlines_version_number(void);

/**
 * The library's ABI major version (the SONAME suffix). A program must check at start
 * that it equals the header's OPENLINES_ABI_VERSION. Thread-safe.
 */
uint32_t openlines_abi_version(void);

/**
 * The stable name of a status, e.g. "unknown_dialog" for OPENLINES_UNKNOWN_DIALOG
 * (the engine's error kinds use the names of docs/reference.md), or "unknown_status" for a
 * number that is not an openlines_status. A static NUL-terminated string: never free
 * it. Thread-safe.
 */
const char *openlines_status_str(uint32_t status);

/**
 * Create an engine from a config in JSON (docs/reference.md, "Config"): `config_len` bytes of
 * UTF-8 at `config_json` (no NUL terminator needed).
 *
 * On success, `*out_engine` receives a new handle, owned by the caller: free it with
 * openlines_engine_free(). On failure `*out_engine` is not written, and if `out_error`
 * is not NULL, `*out_error` receives an owned NUL-terminated message (every config
 * problem with its field path) to free with openlines_string_free(); the problems are
 * also readable one by one with openlines_last_issue_count() and friends.
 *
 * Errors: OPENLINES_NULL_POINTER (`config_json` NULL with a non-zero length, or
 * `out_engine` NULL), OPENLINES_INVALID_UTF8, OPENLINES_INVALID_CONFIG, OPENLINES_PANIC.
 * Thread-safe.
 *
 * # Safety
 * `config_json` must point at `config_len` readable bytes; `out_engine` and `out_error`
 * (if not NULL) must be valid for writes.
 */
openlines_status openlines_engine_new(const char *config_json, size_t config_len, struct openlines_engine **out_engine, char **out_error);

/**
 * Free an engine handle and everything it owns (pending actions and the strings they
 * borrow). NULL is a no-op. The handle must not be used afterwards. Works on a poisoned
 * handle.
 *
 * # Safety
 * `engine` must be NULL or a handle from openlines_engine_new()/_restore() not freed yet.
 */
void openlines_engine_free(struct openlines_engine *engine);

/**
 * The message of the last failed call on this handle: what went wrong, naming the
 * offending field or id. "" if the last call succeeded (each call on the handle
 * clears it) or `engine` is NULL. Never NULL. Functions without a handle
 * (openlines_engine_new, openlines_engine_restore, openlines_input_init) do not touch
 * it: see openlines_last_error() for those.
 *
 * The string is NUL-terminated and borrowed from the handle: valid until the next call
 * on this handle (other than this function). Do not free it.
 *
 * # Safety
 * `engine` must be NULL or a live handle.
 */
const char *openlines_engine_last_error(const struct openlines_engine *engine);

/**
 * The message of the last failed call made on this thread, whichever function it was
 * (with a handle or without: openlines_engine_new, openlines_engine_restore,
 * openlines_input_init, ...); "" when that call succeeded. Every function that can fail
 * sets or clears it (as errno, it is per thread). Never NULL.
 *
 * The string is NUL-terminated and owned by the library: valid until the next call of
 * this thread into the library (other than this function). Do not free it.
 */
const char *openlines_last_error(void);

/**
 * The number of problems behind this thread's last failed call: every problem of an
 * invalid config (openlines_engine_new(), a set_line / set_operator input), or the one
 * problem of a JSON input that could not be read (openlines_engine_handle_json()); 0
 * for any other failure and after a call that succeeded. Read each with
 * openlines_last_issue_path(), openlines_last_issue_message() and
 * openlines_last_issue_kind(), or all at once with openlines_last_issues_json(). Per
 * thread, like openlines_last_error(); calling these functions changes nothing.
 */
size_t openlines_last_issue_count(void);

/**
 * The problems of this thread's last failed call as one JSON array, each
 * `{"loc": ["lines", 0, "queue", "distribution"], "msg": "...", "type": "invalid_value"}`
 * (`loc`: field names and list positions, [] for the text as a whole; `msg` as
 * openlines_last_issue_message(); `type` as openlines_last_issue_kind()); "[]" when
 * there are none. Never NULL; owned and valid as openlines_last_issue_path().
 */
const char *openlines_last_issues_json(void);

/**
 * The field path of problem `index` of this thread's last failed call, e.g.
 * "lines[0].queue.distribution" ("(root)" for the text as a whole), or NULL when
 * `index` >= openlines_last_issue_count(). NUL-terminated, owned by the library,
 * valid until this thread's next call into the library (other than the
 * openlines_last_issue*() functions and openlines_last_error()). Do not free it.
 */
const char *openlines_last_issue_path(size_t index);

/**
 * What is wrong with problem `index` and what is expected, e.g. "\"evenlyy\" is not one
 * of evenly, strict, all, least_busy, longest_idle"; NULL when out of range. Owned and
 * valid as openlines_last_issue_path().
 */
const char *openlines_last_issue_message(size_t index);

/**
 * The kind of problem `index`, a stable name: "syntax", "unknown_field",
 * "missing_field", "invalid_type", "invalid_value", "out_of_range", "duplicate" or
 * "unknown_reference" (new kinds may be added); NULL when out of range. A static
 * string: never free it.
 */
const char *openlines_last_issue_kind(size_t index);

/**
 * Initialise `*input` for an input of `kind` (an openlines_input_kind): every field
 * zero / {NULL, 0}, then `kind` set, `can_reply` = true and `pinned` = true (the JSON
 * defaults that are not zero). Thread-safe.
 *
 * Errors: OPENLINES_NULL_POINTER, OPENLINES_OUT_OF_RANGE (unknown kind; `*input` is then
 * not written). It has no handle: its message is in openlines_last_error() (which it
 * clears on success).
 *
 * # Safety
 * `input` must be NULL or valid for writes.
 */
openlines_status openlines_input_init(struct openlines_input *input, uint32_t kind);

/**
 * Apply one input (typed, no JSON) at time `at_ms` (ms since the Unix epoch). Timers due
 * at or before `at_ms` fire first; their actions come first. On success the actions are
 * appended to the pending queue (read them with openlines_engine_next_action() or
 * openlines_engine_take_actions_json()); this is a mutating call, so it invalidates
 * strings borrowed from earlier actions.
 *
 * On failure the input changes nothing, but time is committed (docs/reference.md, "The host loop"):
 * the timers due at or before `at_ms` have fired, as if openlines_engine_advance(at_ms)
 * had been called first, and their actions are pending: read them as after a success
 * (if there are any, the call was a mutating one). With OPENLINES_NULL_POINTER (NULL
 * handle), OPENLINES_POISONED, OPENLINES_TIME_WENT_BACKWARDS or OPENLINES_OUT_OF_RANGE
 * for the time, nothing changes at all (a time that looks like seconds instead of
 * milliseconds gets a hint in the message).
 * Errors: OPENLINES_NULL_POINTER, OPENLINES_INVALID_UTF8, OPENLINES_OUT_OF_RANGE (kind,
 * status, score, time), the engine's errors (OPENLINES_INVALID_INPUT,
 * OPENLINES_UNKNOWN_LINE, OPENLINES_UNKNOWN_OPERATOR, OPENLINES_UNKNOWN_DIALOG,
 * OPENLINES_NOT_ALLOWED, OPENLINES_TIME_WENT_BACKWARDS), OPENLINES_PANIC,
 * OPENLINES_POISONED. The message is in openlines_engine_last_error().
 *
 * # Safety
 * `engine` must be NULL or a live handle not used concurrently; `input` NULL or valid,
 * with every pointer its kind uses valid for the given length during the call.
 */
openlines_status openlines_engine_handle(struct openlines_engine *engine, int64_t at_ms, const struct openlines_input *input);

/**
 * Apply one input given as JSON (docs/reference.md, "Inputs", e.g.
 * {"type": "accept", "dialog": 7, "operator": "ann"}): `json_len` bytes of UTF-8 at
 * `json`, no NUL terminator needed. Otherwise exactly like openlines_engine_handle(),
 * and the same input gives the same actions on both paths. Bad JSON, unknown fields and
 * wrong types are OPENLINES_INVALID_INPUT naming the field, e.g.
 * `dialog: "1" is not a dialog id (a whole number, e.g. 7)` (ids read from a database as text
 * must be converted to numbers first).
 *
 * # Safety
 * `engine` must be NULL or a live handle not used concurrently; `json` must point at
 * `json_len` readable bytes.
 */
openlines_status openlines_engine_handle_json(struct openlines_engine *engine, int64_t at_ms, const char *json, size_t json_len);

/**
 * A clock tick: fire every timer due at or before `at_ms` and queue the actions, like
 * openlines_engine_handle() with no input. A tick with nothing due changes nothing but
 * the clock. Call it at openlines_engine_next_deadline() (or later). Mutating call.
 *
 * Errors: OPENLINES_NULL_POINTER, OPENLINES_OUT_OF_RANGE, OPENLINES_TIME_WENT_BACKWARDS
 * (a time that looks like seconds instead of milliseconds gets a hint in the message),
 * OPENLINES_PANIC, OPENLINES_POISONED; nothing changes on error.
 *
 * # Safety
 * `engine` must be NULL or a live handle not used concurrently.
 */
openlines_status openlines_engine_advance(struct openlines_engine *engine, int64_t at_ms);

/**
 * When the host must call openlines_engine_advance() next: the earliest armed timer.
 * On success `*out_has_deadline` says whether there is one and, if so, `*out_at_ms`
 * receives it (ms since the Unix epoch, rounded up to a whole ms); with no deadline
 * `*out_at_ms` is not written. Read-only.
 *
 * Errors: OPENLINES_NULL_POINTER, OPENLINES_POISONED.
 *
 * # Safety
 * `engine` NULL or a live handle; the out pointers NULL or valid for writes.
 */
openlines_status openlines_engine_next_deadline(struct openlines_engine *engine, int64_t *out_at_ms, bool *out_has_deadline);

/**
 * The engine's current time: the time of the last accepted call (handle or advance).
 * `*out_has_time` is false before the first one (then `*out_at_ms` is not written).
 * Read-only.
 *
 * Errors: OPENLINES_NULL_POINTER, OPENLINES_POISONED.
 *
 * # Safety
 * `engine` NULL or a live handle; the out pointers NULL or valid for writes.
 */
openlines_status openlines_engine_now(struct openlines_engine *engine, int64_t *out_at_ms, bool *out_has_time);

/**
 * The number of pending (not yet read) actions, written to `*out_count`. Read-only.
 *
 * Errors: OPENLINES_NULL_POINTER, OPENLINES_POISONED.
 *
 * # Safety
 * `engine` NULL or a live handle; `out_count` NULL or valid for writes.
 */
openlines_status openlines_engine_pending_actions(struct openlines_engine *engine, size_t *out_count);

/**
 * Read the next pending action into `*out` and mark it read. Returns OPENLINES_OK, or
 * OPENLINES_NO_MORE_ACTIONS (not an error; `*out` not written) when every pending action
 * was read. Loop: `while (openlines_engine_next_action(e, &a) == OPENLINES_OK) ...`.
 *
 * The strings and arrays in `*out` are borrowed from the handle: valid until the next
 * mutating call (handle, handle_json, advance, clear_actions, free). Reading more
 * actions does not invalidate earlier ones.
 *
 * Errors: OPENLINES_NULL_POINTER, OPENLINES_PANIC, OPENLINES_POISONED.
 *
 * # Safety
 * `engine` NULL or a live handle not used concurrently; `out` NULL or valid for writes.
 */
openlines_status openlines_engine_next_action(struct openlines_engine *engine, struct openlines_action *out);

/**
 * Take every pending action as one JSON array (the actions of docs/reference.md, "Actions", e.g.
 * [{"type":"dialog_opened","dialog":1,"line":"sales","client":"tg:42"}, ...]; "[]" when
 * there are none) and mark them read.
 *
 * `*out_json` receives an owned NUL-terminated string: free it with
 * openlines_string_free(). `out_len` is optional (may be NULL): it receives the length
 * without the NUL. Does not invalidate strings borrowed from earlier actions.
 *
 * Errors: OPENLINES_NULL_POINTER, OPENLINES_PANIC, OPENLINES_POISONED.
 *
 * # Safety
 * `engine` NULL or a live handle not used concurrently; `out_json` valid for writes;
 * `out_len` NULL or valid for writes.
 */
openlines_status openlines_engine_take_actions_json(struct openlines_engine *engine, char **out_json, size_t *out_len);

/**
 * Drop every pending action (read or not) and free their memory. Mutating call: strings
 * borrowed from earlier actions become invalid.
 *
 * Errors: OPENLINES_NULL_POINTER, OPENLINES_POISONED.
 *
 * # Safety
 * `engine` NULL or a live handle not used concurrently.
 */
openlines_status openlines_engine_clear_actions(struct openlines_engine *engine);

/**
 * Save the engine's full state as opaque bytes (versioned; pending actions are not
 * part of it). `*out_bytes` receives an owned buffer of `*out_len` bytes: free it with
 * openlines_bytes_free(bytes, len). Restore it with openlines_engine_restore().
 * Read-only.
 *
 * Errors: OPENLINES_NULL_POINTER, OPENLINES_PANIC, OPENLINES_POISONED.
 *
 * # Safety
 * `engine` NULL or a live handle not used concurrently; out pointers valid for writes.
 */
openlines_status openlines_engine_snapshot(struct openlines_engine *engine, uint8_t **out_bytes, size_t *out_len);

/**
 * Free a buffer from openlines_engine_snapshot(); `len` must be the length returned
 * with it. NULL is a no-op. Thread-safe.
 *
 * # Safety
 * `bytes` must be NULL or a buffer from openlines_engine_snapshot() with its `len`, not
 * freed yet.
 */
void openlines_bytes_free(uint8_t *bytes, size_t len);

/**
 * Rebuild an engine from openlines_engine_snapshot() bytes: `len` bytes at `bytes`. The
 * new engine behaves exactly like the one saved (it has no pending actions).
 *
 * On success `*out_engine` receives a new handle owned by the caller (free it with
 * openlines_engine_free()). On failure it is not written, and if `out_error` is not NULL
 * `*out_error` receives an owned message to free with openlines_string_free().
 *
 * Errors: OPENLINES_NULL_POINTER, OPENLINES_SNAPSHOT_VERSION (another version, not a
 * snapshot, damaged bytes: the checksum does not match, or a state the engine could
 * not have reached: the message names the field), OPENLINES_PANIC. Thread-safe.
 *
 * `bytes` is a `const void*` so that any byte buffer converts to it without a cast (a
 * PHP string passes through FFI as is).
 *
 * # Safety
 * `bytes` must point at `len` readable bytes; `out_engine` and `out_error` (if not NULL)
 * valid for writes.
 */
openlines_status openlines_engine_restore(const void *bytes, size_t len, struct openlines_engine **out_engine, char **out_error);

/**
 * Free a string returned through a `char**` by this library (JSON views, actions JSON,
 * error messages). NULL is a no-op. Thread-safe.
 *
 * # Safety
 * `s` must be NULL or such a string, not freed yet.
 */
void openlines_string_free(char *s);

/**
 * A read-only view of an open dialog as a JSON object (line, client, status, operator,
 * ...). `*out_json` receives an owned NUL-terminated string (free it with
 * openlines_string_free()); `out_len` (optional) its length.
 *
 * Errors: OPENLINES_NULL_POINTER, OPENLINES_UNKNOWN_DIALOG (never opened, or closed:
 * closed dialogs are forgotten), OPENLINES_POISONED.
 *
 * # Safety
 * `engine` NULL or a live handle not used concurrently; `out_json` valid for writes;
 * `out_len` NULL or valid for writes.
 */
openlines_status openlines_engine_dialog_json(struct openlines_engine *engine, uint64_t dialog, char **out_json, size_t *out_len);

/**
 * Why the last routing decision of a dialog went as it did, as a JSON object: each queue
 * operator and why they were or were not chosen. Output as openlines_engine_dialog_json().
 *
 * Errors: OPENLINES_NULL_POINTER, OPENLINES_UNKNOWN_DIALOG, OPENLINES_POISONED.
 *
 * # Safety
 * As openlines_engine_dialog_json().
 */
openlines_status openlines_engine_explain_json(struct openlines_engine *engine, uint64_t dialog, char **out_json, size_t *out_len);

/**
 * A read-only view of an operator (presence, load, dialogs) as a JSON object; the id is
 * `id_len` bytes of UTF-8 at `id`. Output as openlines_engine_dialog_json().
 *
 * Errors: OPENLINES_NULL_POINTER, OPENLINES_INVALID_UTF8, OPENLINES_UNKNOWN_OPERATOR,
 * OPENLINES_POISONED.
 *
 * # Safety
 * As openlines_engine_dialog_json(); `id` must point at `id_len` readable bytes.
 */
openlines_status openlines_engine_operator_json(struct openlines_engine *engine, const char *id, size_t id_len, char **out_json, size_t *out_len);

/**
 * A read-only view of a line's waiting queue as a JSON object; the line id is
 * `line_len` bytes of UTF-8 at `line`. Output as openlines_engine_dialog_json().
 *
 * Errors: OPENLINES_NULL_POINTER, OPENLINES_INVALID_UTF8, OPENLINES_UNKNOWN_LINE,
 * OPENLINES_POISONED.
 *
 * # Safety
 * As openlines_engine_operator_json().
 */
openlines_status openlines_engine_queue_json(struct openlines_engine *engine, const char *line, size_t line_len, char **out_json, size_t *out_len);

/**
 * A line's statistics as a JSON object: live counts (open, queued, offered, assigned,
 * per-operator load) and totals of closed dialogs. Output as
 * openlines_engine_dialog_json().
 *
 * Errors: OPENLINES_NULL_POINTER, OPENLINES_INVALID_UTF8, OPENLINES_UNKNOWN_LINE,
 * OPENLINES_POISONED.
 *
 * # Safety
 * As openlines_engine_operator_json().
 */
openlines_status openlines_engine_stats_json(struct openlines_engine *engine, const char *line, size_t line_len, char **out_json, size_t *out_len);

#ifdef __cplusplus
}  // extern "C"
#endif  // __cplusplus

#endif  /* OPENLINES_H */
