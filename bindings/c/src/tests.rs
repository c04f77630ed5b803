//! Unit tests calling the extern "C" functions directly, as a C host would.

use super::*;
use core_engine::DialogId;
use core_engine::stats::DialogStats;
use std::ffi::CStr;

const T0: i64 = 1_795_424_400_000; // 2026-11-23T09:00:00Z

const SIMPLE: &str = r#"{"operators":[{"id":"ann"},{"id":"bob"}],
    "lines":[{"id":"sales","queue":{"operators":["ann","bob"]}}]}"#;

pub(crate) const RICH: &str = r##"{
 "operators":[{"id":"ann","max_dialogs":3},{"id":"bob","max_dialogs":3},{"id":"cid","skills":["billing"]}],
 "lines":[
  {"id":"sales","queue":{"operators":["ann","bob"],"forward_after_secs":60,
     "no_answer":{"action":"send_form","form":"contact","retry_after_secs":300}},
   "crm":{"create_lead":"auto","change_responsible_on_transfer":true},
   "greeting":{"when":"every_dialog","text":"Hello!"},
   "unanswered":{"after_secs":300,"text":"Please wait"},
   "auto_close":{"after_secs":3600,"text":"Closed for inactivity"},
   "closing":{"text":"Thanks"},
   "rating":{"enabled":true,"text":"Rate us 1-5","window_secs":600},
   "kpi":{"first_response_secs":120,"next_response_secs":60,"notify":["boss","lead"],
          "text":"#OPERATOR# late on #DIALOG#"}},
  {"id":"support","queue":{"operators":["cid","ann"],"distribution":"all"},
   "nobody_available_text":"Everyone is busy",
   "bot":{"id":"faqbot","when":"every_dialog","handoff_after_secs":120,"handoff_keyword":"operator"}}
 ]}"##;

fn new_engine(config: &str) -> *mut openlines_engine {
    let mut e = ptr::null_mut();
    let st = unsafe {
        openlines_engine_new(
            config.as_ptr().cast(),
            config.len(),
            &mut e,
            ptr::null_mut(),
        )
    };
    assert_eq!(st, OPENLINES_OK);
    assert!(!e.is_null());
    e
}

fn last_error(e: *mut openlines_engine) -> String {
    unsafe { CStr::from_ptr(openlines_engine_last_error(e)) }
        .to_str()
        .unwrap()
        .to_owned()
}

fn handle_json(e: *mut openlines_engine, at: i64, json: &str) -> openlines_status {
    unsafe { openlines_engine_handle_json(e, at, json.as_ptr().cast(), json.len()) }
}

fn take_json(e: *mut openlines_engine) -> String {
    let mut p = ptr::null_mut();
    let mut len = 0usize;
    assert_eq!(
        unsafe { openlines_engine_take_actions_json(e, &mut p, &mut len) },
        OPENLINES_OK
    );
    let s = unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned();
    assert_eq!(s.len(), len);
    unsafe { openlines_string_free(p) };
    s
}

unsafe fn rs(s: openlines_str) -> String {
    assert!(!s.ptr.is_null());
    let b = unsafe { std::slice::from_raw_parts(s.ptr.cast::<u8>(), s.len) };
    std::str::from_utf8(b).unwrap().to_owned()
}

unsafe fn rs_list(p: *const openlines_str, n: usize) -> Vec<String> {
    assert!(!p.is_null());
    unsafe { std::slice::from_raw_parts(p, n) }
        .iter()
        .map(|s| unsafe { rs(*s) })
        .collect()
}

fn pick<T: Copy>(all: &[T], value: u32, to_c: impl Fn(T) -> u32) -> T {
    *all.iter()
        .find(|v| to_c(**v) == value)
        .expect("valid enum value")
}

/// Rebuild the engine's action from the C struct (the inverse of `action_to_c`).
unsafe fn action_from_c(c: &openlines_action) -> Action {
    use openlines_action_kind::*;
    let dialog: DialogId = c.dialog;
    let kinds = [
        OPENLINES_ACTION_DIALOG_OPENED,
        OPENLINES_ACTION_SEND_MESSAGE,
        OPENLINES_ACTION_OFFER,
        OPENLINES_ACTION_OFFER_WITHDRAWN,
        OPENLINES_ACTION_ASSIGNED,
        OPENLINES_ACTION_QUEUED,
        OPENLINES_ACTION_MARK_UNANSWERED,
        OPENLINES_ACTION_KPI_OVERDUE,
        OPENLINES_ACTION_BOT_STARTED,
        OPENLINES_ACTION_BOT_STOPPED,
        OPENLINES_ACTION_CREATE_LEAD,
        OPENLINES_ACTION_SEND_FORM,
        OPENLINES_ACTION_CRM_RESPONSIBLE_CHANGED,
        OPENLINES_ACTION_DIALOG_CLOSED,
    ];
    let kind = pick(&kinds, c.kind, |k| k as u32);
    let a = unsafe {
        match kind {
            OPENLINES_ACTION_DIALOG_OPENED => Action::DialogOpened {
                dialog,
                line: rs(c.line),
                client: rs(c.client),
            },
            OPENLINES_ACTION_SEND_MESSAGE => Action::SendMessage {
                dialog,
                kind: pick(MessageKind::ALL, c.message_kind, |k| {
                    message_kind_c(k) as u32
                }),
                text: rs(c.text),
            },
            OPENLINES_ACTION_OFFER => Action::Offer {
                dialog,
                operators: rs_list(c.operators, c.operators_len),
                expires_at: DateTime::from_timestamp_millis(c.expires_at_ms).unwrap(),
            },
            OPENLINES_ACTION_OFFER_WITHDRAWN => Action::OfferWithdrawn {
                dialog,
                operator: rs(c.operator_id),
                reason: pick(WithdrawReason::ALL, c.reason, |k| {
                    withdraw_reason_c(k) as u32
                }),
            },
            OPENLINES_ACTION_ASSIGNED => Action::Assigned {
                dialog,
                operator: rs(c.operator_id),
                reason: pick(AssignReason::ALL, c.reason, |k| assign_reason_c(k) as u32),
            },
            OPENLINES_ACTION_QUEUED => Action::Queued {
                dialog,
                reason: pick(QueueReason::ALL, c.reason, |k| queue_reason_c(k) as u32),
            },
            OPENLINES_ACTION_MARK_UNANSWERED => Action::MarkUnanswered { dialog },
            OPENLINES_ACTION_KPI_OVERDUE => Action::KpiOverdue {
                dialog,
                operator: if c.operator_id.ptr.is_null() {
                    None
                } else {
                    Some(rs(c.operator_id))
                },
                kpi: pick(Kpi::ALL, c.kpi, |k| kpi_c(k) as u32),
                notify: rs_list(c.notify, c.notify_len),
                text: rs(c.text),
            },
            OPENLINES_ACTION_BOT_STARTED => Action::BotStarted {
                dialog,
                bot: rs(c.bot),
            },
            OPENLINES_ACTION_BOT_STOPPED => Action::BotStopped {
                dialog,
                reason: pick(BotStopReason::ALL, c.reason, |k| {
                    bot_stop_reason_c(k) as u32
                }),
            },
            OPENLINES_ACTION_CREATE_LEAD => Action::CreateLead {
                dialog,
                client: rs(c.client),
                channel: rs(c.channel),
            },
            OPENLINES_ACTION_SEND_FORM => Action::SendForm {
                dialog,
                form: rs(c.form),
            },
            OPENLINES_ACTION_CRM_RESPONSIBLE_CHANGED => Action::CrmResponsibleChanged {
                dialog,
                operator: rs(c.operator_id),
            },
            OPENLINES_ACTION_DIALOG_CLOSED => {
                let s = c.stats;
                Action::DialogClosed {
                    dialog,
                    reason: pick(CloseReason::ALL, c.reason, |k| close_reason_c(k) as u32),
                    stats: DialogStats {
                        first_response_secs: s
                            .has_first_response_secs
                            .then_some(s.first_response_secs),
                        avg_response_secs: s.has_avg_response_secs.then_some(s.avg_response_secs),
                        max_response_secs: s.has_max_response_secs.then_some(s.max_response_secs),
                        client_messages: s.client_messages,
                        operator_messages: s.operator_messages,
                        rating: s.has_rating.then_some(s.rating),
                        unanswered: s.unanswered,
                    },
                }
            }
        }
    };
    assert_eq!(unsafe { rs(c.type_name) }, a.type_name());
    a
}

/// Poll every pending action as C structs, checking each against the JSON names.
fn poll_all(e: *mut openlines_engine) -> Vec<Action> {
    let mut out = Vec::new();
    let mut c = openlines_action::empty();
    loop {
        match unsafe { openlines_engine_next_action(e, &mut c) } {
            OPENLINES_OK => out.push(unsafe { action_from_c(&c) }),
            OPENLINES_NO_MORE_ACTIONS => break,
            other => panic!("next_action: {other:?}"),
        }
    }
    out
}

/// Build the C struct of an input; strings borrow from `input` and `keep`.
fn input_to_c(
    input: &Input,
    keep: &mut Vec<Vec<openlines_str>>,
    json_keep: &mut Vec<String>,
) -> openlines_input {
    use openlines_input_kind::*;
    let mut c = openlines_input {
        kind: 0,
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
    let b = openlines_str::borrow;
    let kind = match input {
        Input::ClientMessage(m) => {
            c.line = b(&m.line);
            c.client = b(&m.client);
            c.text = b(&m.text);
            c.channel = b(&m.channel);
            c.can_reply = m.can_reply;
            if let Some(crm) = &m.crm {
                c.has_crm = true;
                c.crm_found = crm.found;
                c.crm_responsible = openlines_str::borrow_opt(crm.responsible.as_deref());
            }
            c.priority = m.priority;
            c.language = b(&m.language);
            let skills: Vec<openlines_str> = m.skills.iter().map(|s| b(s)).collect();
            c.skills = skills.as_ptr();
            c.skills_len = skills.len();
            keep.push(skills);
            OPENLINES_INPUT_CLIENT_MESSAGE
        }
        Input::OperatorMessage {
            dialog,
            operator,
            hidden,
        } => {
            c.dialog = *dialog;
            c.operator_id = b(operator);
            c.hidden = *hidden;
            OPENLINES_INPUT_OPERATOR_MESSAGE
        }
        Input::Accept { dialog, operator } => {
            c.dialog = *dialog;
            c.operator_id = b(operator);
            OPENLINES_INPUT_ACCEPT
        }
        Input::Skip { dialog, operator } => {
            c.dialog = *dialog;
            c.operator_id = b(operator);
            OPENLINES_INPUT_SKIP
        }
        Input::Transfer {
            dialog,
            operator,
            to_operator,
            to_line,
        } => {
            c.dialog = *dialog;
            c.operator_id = b(operator);
            c.to_operator = openlines_str::borrow_opt(to_operator.as_deref());
            c.to_line = openlines_str::borrow_opt(to_line.as_deref());
            OPENLINES_INPUT_TRANSFER
        }
        Input::Close { dialog, operator } => {
            c.dialog = *dialog;
            c.operator_id = b(operator);
            OPENLINES_INPUT_CLOSE
        }
        Input::Pin {
            dialog,
            operator,
            pinned,
        } => {
            c.dialog = *dialog;
            c.operator_id = b(operator);
            c.pinned = *pinned;
            OPENLINES_INPUT_PIN
        }
        Input::Rate { dialog, score } => {
            c.dialog = *dialog;
            c.score = u32::from(*score);
            OPENLINES_INPUT_RATE
        }
        Input::Presence { operator, status } => {
            c.operator_id = b(operator);
            c.status = [
                PresenceStatus::Online,
                PresenceStatus::Away,
                PresenceStatus::Break,
                PresenceStatus::Offline,
                PresenceStatus::Vacation,
                PresenceStatus::Dismissed,
            ]
            .iter()
            .position(|s| s == status)
            .unwrap() as u32
                + 1;
            OPENLINES_INPUT_PRESENCE
        }
        Input::BotHandoff { dialog } => {
            c.dialog = *dialog;
            OPENLINES_INPUT_BOT_HANDOFF
        }
        Input::BotResolved { dialog } => {
            c.dialog = *dialog;
            OPENLINES_INPUT_BOT_RESOLVED
        }
        Input::SetLine { line } => {
            json_keep.push(serde_json::to_string(line).unwrap());
            c.config_json = b(json_keep.last().unwrap());
            OPENLINES_INPUT_SET_LINE
        }
        Input::SetOperator { operator } => {
            json_keep.push(serde_json::to_string(operator).unwrap());
            c.config_json = b(json_keep.last().unwrap());
            OPENLINES_INPUT_SET_OPERATOR
        }
        Input::ForgetClient { client } => {
            c.client = b(client);
            OPENLINES_INPUT_FORGET_CLIENT
        }
        Input::Tick => OPENLINES_INPUT_TICK,
    };
    c.kind = kind as u32;
    c
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn of<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

fn random_input(r: &mut Rng, dialogs: u64) -> Input {
    let ops = ["ann", "bob", "cid", "zed"];
    let lines = ["sales", "support", "nope"];
    let clients = ["c1", "c2", "c3", "c4", "c5"];
    let d = if r.below(2) == 0 {
        dialogs.saturating_sub(r.below(2))
    } else {
        r.below(dialogs + 2)
    };
    let op = r.of(&ops).to_owned();
    match r.below(16) {
        0..=3 => {
            let mut m = ClientMessage::new(r.of(&lines[..2]), r.of(&clients));
            m.text = r.of(&["hi", "operator", "help", ""]).to_owned();
            m.channel = r.of(&["telegram", "web"]).to_owned();
            m.can_reply = r.below(4) != 0;
            if r.below(3) == 0 {
                m.crm = Some(CrmLookup {
                    found: r.below(2) == 0,
                    responsible: Some(r.of(&ops).to_owned()).filter(|_| r.below(2) == 0),
                });
            }
            m.priority = r.below(3) as i32;
            if r.below(5) == 0 {
                m.skills = vec!["billing".to_owned()];
            }
            Input::ClientMessage(m)
        }
        4..=5 => Input::OperatorMessage {
            dialog: d,
            operator: op,
            hidden: r.below(5) == 0,
        },
        6 => Input::Accept {
            dialog: d,
            operator: op,
        },
        7 => Input::Skip {
            dialog: d,
            operator: op,
        },
        8 => {
            if r.below(2) == 0 {
                Input::Transfer {
                    dialog: d,
                    operator: op,
                    to_operator: Some(r.of(&ops).to_owned()),
                    to_line: None,
                }
            } else {
                Input::Transfer {
                    dialog: d,
                    operator: op,
                    to_operator: None,
                    to_line: Some(r.of(&lines).to_owned()),
                }
            }
        }
        9 => Input::Close {
            dialog: d,
            operator: op,
        },
        10 => Input::Pin {
            dialog: d,
            operator: op,
            pinned: r.below(2) == 0,
        },
        11 => Input::Rate {
            dialog: d,
            score: r.below(7) as u8,
        },
        12 => Input::Presence {
            operator: op,
            status: [
                PresenceStatus::Online,
                PresenceStatus::Online,
                PresenceStatus::Away,
                PresenceStatus::Offline,
            ][r.below(4) as usize],
        },
        13 => {
            if r.below(2) == 0 {
                Input::BotHandoff { dialog: d }
            } else {
                Input::BotResolved { dialog: d }
            }
        }
        14 => match r.below(4) {
            0 => Input::SetOperator {
                operator: serde_json::from_str(r#"{"id":"dan","languages":["en"]}"#).unwrap(),
            },
            1 => Input::SetLine {
                line: serde_json::from_str(
                    r#"{"id":"extra","queue":{"operators":["dan","bob"],"distribution":"strict"}}"#,
                )
                .unwrap(),
            },
            _ => Input::ForgetClient {
                client: r.of(&clients).to_owned(),
            },
        },
        _ => Input::Tick,
    }
}

#[test]
fn statuses_are_stable_and_distinct() {
    let numbers: Vec<u32> = ALL_STATUSES.iter().map(|s| *s as u32).collect();
    assert_eq!(
        numbers,
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 100, 101, 102, 103, 200, 201]
    );
    for kind in ErrorKind::ALL {
        let st = status_of(kind);
        let name = unsafe { CStr::from_ptr(openlines_status_str(st as u32)) };
        assert_eq!(name.to_str().unwrap(), kind.as_str());
    }
    let name = unsafe { CStr::from_ptr(openlines_status_str(9999)) };
    assert_eq!(name.to_str().unwrap(), "unknown_status");
}

#[test]
fn versions() {
    let v = unsafe { CStr::from_ptr(openlines_version()) };
    assert_eq!(v.to_str().unwrap(), core_engine::VERSION);
    let parts: Vec<u32> = core_engine::VERSION
        .split('.')
        .map(|p| p.parse().unwrap())
        .collect();
    assert_eq!(
        openlines_version_number(),
        parts[0] * 1_000_000 + parts[1] * 1_000 + parts[2]
    );
    assert_eq!(openlines_abi_version(), 0);
    let header = include_str!(concat!(env!("OUT_DIR"), "/openlines.h"));
    assert!(header.contains("#define OPENLINES_ABI_VERSION 0\n"));
    assert!(header.contains(&format!(
        "#define OPENLINES_VERSION \"{}\"",
        core_engine::VERSION
    )));
}

fn c_str(p: *const c_char) -> Option<String> {
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned())
}

/// This thread's issues as (path, message, kind).
fn thread_issues() -> Vec<(String, String, String)> {
    (0..openlines_last_issue_count())
        .map(|i| {
            (
                c_str(openlines_last_issue_path(i)).unwrap(),
                c_str(openlines_last_issue_message(i)).unwrap(),
                c_str(openlines_last_issue_kind(i)).unwrap(),
            )
        })
        .collect()
}

#[test]
fn every_config_problem_can_be_read_one_by_one() {
    let mut e = ptr::null_mut();
    let bad = r#"{"lines":[{"id":"s","greting":{},"queue":{"distribution":"evenlyy","forward_after_secs":0}}]}"#;
    let st =
        unsafe { openlines_engine_new(bad.as_ptr().cast(), bad.len(), &mut e, ptr::null_mut()) };
    assert_eq!(st, OPENLINES_INVALID_CONFIG);
    let issues = thread_issues();
    let summary: Vec<(&str, &str)> = issues
        .iter()
        .map(|(p, _, k)| (p.as_str(), k.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            ("lines[0].greting", "unknown_field"),
            ("lines[0].queue.distribution", "invalid_value"),
            ("lines[0].queue.forward_after_secs", "out_of_range"),
        ]
    );
    assert_eq!(
        issues[1].1,
        "\"evenlyy\" is not one of evenly, strict, all, least_busy, longest_idle"
    );
    assert!(openlines_last_issue_path(3).is_null());
    let json: serde_json::Value =
        serde_json::from_str(&c_str(openlines_last_issues_json()).unwrap()).unwrap();
    assert_eq!(
        json[1],
        serde_json::json!({"loc": ["lines", 0, "queue", "distribution"], "msg": issues[1].1, "type": "invalid_value"})
    );
    assert!(openlines_last_issue_kind(usize::MAX).is_null());
    // Reading them changes nothing; the next call that succeeds clears them.
    assert_eq!(openlines_last_issue_count(), 3);
    let e = new_engine(SIMPLE);
    assert_eq!(openlines_last_issue_count(), 0);
    assert_eq!(c_str(openlines_last_issues_json()).unwrap(), "[]");
    // A JSON input that cannot be read: its one problem.
    assert_eq!(
        handle_json(e, T0, r#"{"type":"rate","dialog":1,"score":256}"#),
        OPENLINES_INVALID_INPUT
    );
    assert_eq!(
        thread_issues(),
        [(
            "score".to_owned(),
            "256 is not a score from 1 to 5".to_owned(),
            "out_of_range".to_owned()
        )]
    );
    // Errors that are not about a field have none.
    assert_eq!(
        handle_json(e, T0, r#"{"type":"accept","dialog":99,"operator":"ann"}"#),
        OPENLINES_UNKNOWN_DIALOG
    );
    assert_eq!(openlines_last_issue_count(), 0);
    unsafe { openlines_engine_free(e) };
}

#[test]
fn new_reports_config_errors() {
    let mut e = ptr::null_mut();
    let mut err = ptr::null_mut();
    let bad = r#"{"lines":[{"id":"s","queue":{"distribution":"evenlyy"}}]}"#;
    let st = unsafe { openlines_engine_new(bad.as_ptr().cast(), bad.len(), &mut e, &mut err) };
    assert_eq!(st, OPENLINES_INVALID_CONFIG);
    assert!(e.is_null());
    let msg = unsafe { CStr::from_ptr(err) }.to_str().unwrap().to_owned();
    assert!(msg.contains("lines[0].queue.distribution"), "{msg}");
    unsafe { openlines_string_free(err) };

    let st = unsafe {
        openlines_engine_new(
            bad.as_ptr().cast(),
            bad.len(),
            ptr::null_mut(),
            ptr::null_mut(),
        )
    };
    assert_eq!(st, OPENLINES_NULL_POINTER);
    let st = unsafe { openlines_engine_new(ptr::null(), 3, &mut e, ptr::null_mut()) };
    assert_eq!(st, OPENLINES_NULL_POINTER);
    let utf = b"{\"lines\":[{\"id\":\"\xff\"}]}";
    let st =
        unsafe { openlines_engine_new(utf.as_ptr().cast(), utf.len(), &mut e, ptr::null_mut()) };
    assert_eq!(st, OPENLINES_INVALID_UTF8);
    assert!(e.is_null());
    unsafe { openlines_engine_free(ptr::null_mut()) };
}

#[test]
fn offer_times_out_and_moves_on() {
    let e = new_engine(SIMPLE);
    let mut input: openlines_input = unsafe { std::mem::zeroed() };
    assert_eq!(
        unsafe {
            openlines_input_init(
                &mut input,
                openlines_input_kind::OPENLINES_INPUT_CLIENT_MESSAGE as u32,
            )
        },
        OPENLINES_OK
    );
    input.line = openlines_str::borrow("sales");
    input.client = openlines_str::borrow("tg:42");
    assert_eq!(
        unsafe { openlines_engine_handle(e, T0, &input) },
        OPENLINES_OK
    );
    let mut n = 0;
    assert_eq!(
        unsafe { openlines_engine_pending_actions(e, &mut n) },
        OPENLINES_OK
    );
    assert_eq!(n, 2);
    let mut a = openlines_action::empty();
    assert_eq!(
        unsafe { openlines_engine_next_action(e, &mut a) },
        OPENLINES_OK
    );
    assert_eq!(
        a.kind,
        openlines_action_kind::OPENLINES_ACTION_DIALOG_OPENED as u32
    );
    assert_eq!(a.dialog, 1);
    let first = a;
    assert_eq!(
        unsafe { openlines_engine_next_action(e, &mut a) },
        OPENLINES_OK
    );
    assert_eq!(a.kind, openlines_action_kind::OPENLINES_ACTION_OFFER as u32);
    assert_eq!(unsafe { rs_list(a.operators, a.operators_len) }, ["ann"]);
    assert_eq!(a.expires_at_ms, T0 + 60_000);
    // The first action's strings are still valid after reading the second.
    assert_eq!(unsafe { rs(first.client) }, "tg:42");
    assert_eq!(
        unsafe { openlines_engine_next_action(e, &mut a) },
        OPENLINES_NO_MORE_ACTIONS
    );
    assert_eq!(last_error(e), "");

    let (mut at, mut has) = (0i64, false);
    assert_eq!(
        unsafe { openlines_engine_next_deadline(e, &mut at, &mut has) },
        OPENLINES_OK
    );
    assert!(has);
    assert_eq!(at, T0 + 60_000);
    assert_eq!(unsafe { openlines_engine_advance(e, at) }, OPENLINES_OK);
    assert_eq!(
        take_json(e),
        r#"[{"type":"offer_withdrawn","dialog":1,"operator":"ann","reason":"timeout"},{"type":"offer","dialog":1,"operators":["bob"],"expires_at":"2026-11-23T09:02:00Z"}]"#
    );
    assert_eq!(take_json(e), "[]");
    let mut now = 0;
    assert_eq!(
        unsafe { openlines_engine_now(e, &mut now, &mut has) },
        OPENLINES_OK
    );
    assert_eq!(now, T0 + 60_000);
    unsafe { openlines_engine_free(e) };
}

#[test]
fn errors_change_nothing() {
    let e = new_engine(SIMPLE);
    assert_eq!(
        handle_json(
            e,
            T0,
            r#"{"type":"client_message","line":"sales","client":"c"}"#
        ),
        OPENLINES_OK
    );
    let before = take_json(e);
    assert!(before.contains("dialog_opened"));
    // Unknown ids, bad JSON, time going backwards: each a status and a message.
    let cases: [(&str, i64, openlines_status, &str); 6] = [
        (
            r#"{"type":"accept","dialog":9,"operator":"ann"}"#,
            T0,
            OPENLINES_UNKNOWN_DIALOG,
            "9",
        ),
        (
            r#"{"type":"accept","dialog":1,"operator":"zed"}"#,
            T0,
            OPENLINES_UNKNOWN_OPERATOR,
            "zed",
        ),
        (
            r#"{"type":"client_message","line":"nope","client":"c"}"#,
            T0,
            OPENLINES_UNKNOWN_LINE,
            "nope",
        ),
        (
            r#"{"type":"close","dialog":1,"operator":"bob"}"#,
            T0,
            OPENLINES_NOT_ALLOWED,
            "",
        ),
        (
            r#"{"type":"accept","dialog":"x"#,
            T0,
            OPENLINES_INVALID_INPUT,
            "",
        ),
        (
            r#"{"type":"tick"}"#,
            T0 - 1,
            OPENLINES_TIME_WENT_BACKWARDS,
            "",
        ),
    ];
    let mut snap = (ptr::null_mut(), 0usize);
    assert_eq!(
        unsafe { openlines_engine_snapshot(e, &mut snap.0, &mut snap.1) },
        OPENLINES_OK
    );
    for (json, at, status, needle) in cases {
        assert_eq!(handle_json(e, at, json), status, "{json}");
        let msg = last_error(e);
        assert!(!msg.is_empty() && msg.contains(needle), "{json}: {msg}");
    }
    let mut snap2 = (ptr::null_mut(), 0usize);
    assert_eq!(
        unsafe { openlines_engine_snapshot(e, &mut snap2.0, &mut snap2.1) },
        OPENLINES_OK
    );
    assert_eq!(
        unsafe { std::slice::from_raw_parts(snap.0, snap.1) },
        unsafe { std::slice::from_raw_parts(snap2.0, snap2.1) }
    );
    unsafe {
        openlines_bytes_free(snap.0, snap.1);
        openlines_bytes_free(snap2.0, snap2.1);
    }
    assert_eq!(
        unsafe { openlines_engine_advance(e, i64::MAX) },
        OPENLINES_OUT_OF_RANGE
    );
    let bad = b"{\"type\":\"forget_client\",\"client\":\"\xc3\"}";
    assert_eq!(
        unsafe { openlines_engine_handle_json(e, T0, bad.as_ptr().cast(), bad.len()) },
        OPENLINES_INVALID_UTF8
    );

    // Typed path: out-of-range values, NULLs.
    let mut input: openlines_input = unsafe { std::mem::zeroed() };
    assert_eq!(
        unsafe { openlines_engine_handle(e, T0, &input) },
        OPENLINES_OUT_OF_RANGE
    );
    assert_eq!(
        unsafe { openlines_input_init(&mut input, 99) },
        OPENLINES_OUT_OF_RANGE
    );
    assert_eq!(
        unsafe { openlines_input_init(ptr::null_mut(), 1) },
        OPENLINES_NULL_POINTER
    );
    unsafe {
        openlines_input_init(
            &mut input,
            openlines_input_kind::OPENLINES_INPUT_PRESENCE as u32,
        )
    };
    input.operator_id = openlines_str::borrow("ann");
    input.status = 7;
    assert_eq!(
        unsafe { openlines_engine_handle(e, T0, &input) },
        OPENLINES_OUT_OF_RANGE
    );
    input.operator_id = openlines_str {
        ptr: ptr::null(),
        len: 3,
    };
    input.status = 2;
    assert_eq!(
        unsafe { openlines_engine_handle(e, T0, &input) },
        OPENLINES_NULL_POINTER
    );
    assert!(last_error(e).contains("operator_id"));
    unsafe {
        openlines_input_init(
            &mut input,
            openlines_input_kind::OPENLINES_INPUT_RATE as u32,
        )
    };
    input.dialog = 1;
    input.score = 300;
    assert_eq!(
        unsafe { openlines_engine_handle(e, T0, &input) },
        OPENLINES_OUT_OF_RANGE
    );
    unsafe {
        openlines_input_init(
            &mut input,
            openlines_input_kind::OPENLINES_INPUT_CLIENT_MESSAGE as u32,
        )
    };
    input.line = openlines_str::borrow("sales");
    input.client = openlines_str::borrow("x");
    input.skills_len = 2;
    assert_eq!(
        unsafe { openlines_engine_handle(e, T0, &input) },
        OPENLINES_NULL_POINTER
    );
    assert_eq!(
        unsafe { openlines_engine_handle(e, T0, ptr::null()) },
        OPENLINES_NULL_POINTER
    );
    assert_eq!(
        unsafe { openlines_engine_handle(ptr::null_mut(), T0, &input) },
        OPENLINES_NULL_POINTER
    );
    assert_eq!(
        unsafe { openlines_engine_next_action(e, ptr::null_mut()) },
        OPENLINES_NULL_POINTER
    );
    assert_eq!(
        unsafe { openlines_engine_take_actions_json(e, ptr::null_mut(), ptr::null_mut()) },
        OPENLINES_NULL_POINTER
    );
    assert_eq!(
        unsafe { openlines_engine_next_deadline(e, ptr::null_mut(), ptr::null_mut()) },
        OPENLINES_NULL_POINTER
    );
    assert_eq!(
        unsafe { openlines_engine_snapshot(e, ptr::null_mut(), ptr::null_mut()) },
        OPENLINES_NULL_POINTER
    );
    assert_eq!(
        unsafe { openlines_engine_dialog_json(e, 1, ptr::null_mut(), ptr::null_mut()) },
        OPENLINES_NULL_POINTER
    );
    // Nothing was queued by the failures.
    assert_eq!(take_json(e), "[]");
    unsafe { openlines_engine_free(e) };
}

#[test]
fn a_rejected_input_leaves_its_timers_actions_readable() {
    let e = new_engine(SIMPLE);
    let open = r#"{"type":"client_message","line":"sales","client":"c"}"#;
    assert_eq!(handle_json(e, T0, open), OPENLINES_OK);
    assert_eq!(poll_all(e).len(), 2, "dialog_opened, offer to ann");
    // ann's offer expired at T0 + 60 s; her accept at T0 + 65 s is refused, but the
    // expiry fired (time is committed) and its actions are readable after the call.
    let late = r#"{"type":"accept","dialog":1,"operator":"ann"}"#;
    assert_eq!(handle_json(e, T0 + 65_000, late), OPENLINES_NOT_ALLOWED);
    assert!(
        last_error(e).contains("offered to bob"),
        "{}",
        last_error(e)
    );
    let fired = poll_all(e);
    assert!(
        matches!(
            fired.as_slice(),
            [Action::OfferWithdrawn { dialog: 1, .. }, Action::Offer { operators, .. }]
                if operators == &["bob"]
        ),
        "{fired:?}"
    );
    // The same again: nothing left to fire, nothing queued.
    assert_eq!(handle_json(e, T0 + 65_000, late), OPENLINES_NOT_ALLOWED);
    assert_eq!(take_json(e), "[]");
    // An input that cannot be read is refused like any other: time is committed, so
    // bob's offer (due at T0 + 120 s) expires with it.
    assert_eq!(
        handle_json(e, T0 + 200_000, r#"{"type":"accept","dialog":"x"#),
        OPENLINES_INVALID_INPUT
    );
    assert!(take_json(e).contains("offer_withdrawn"));
    // A time that goes backwards changes nothing at all.
    assert_eq!(handle_json(e, T0, late), OPENLINES_TIME_WENT_BACKWARDS);
    assert_eq!(take_json(e), "[]");
    unsafe { openlines_engine_free(e) };
}

#[test]
fn views_snapshot_restore() {
    let e = new_engine(SIMPLE);
    assert_eq!(
        handle_json(
            e,
            T0,
            r#"{"type":"client_message","line":"sales","client":"c"}"#
        ),
        OPENLINES_OK
    );
    let mut p = ptr::null_mut();
    let mut len = 0;
    type View = fn(*mut openlines_engine, *mut *mut c_char, *mut usize) -> openlines_status;
    let views: [(View, &str); 5] = [
        (
            |e, p, l| unsafe { openlines_engine_dialog_json(e, 1, p, l) },
            "dialog",
        ),
        (
            |e, p, _| unsafe { openlines_engine_explain_json(e, 1, p, ptr::null_mut()) },
            "explain",
        ),
        (
            |e, p, l| unsafe { openlines_engine_queue_json(e, c"sales".as_ptr(), 5, p, l) },
            "queue",
        ),
        (
            |e, p, l| unsafe { openlines_engine_stats_json(e, c"sales".as_ptr(), 5, p, l) },
            "stats",
        ),
        (
            |e, p, l| unsafe { openlines_engine_operator_json(e, c"ann".as_ptr(), 3, p, l) },
            "operator",
        ),
    ];
    for (f, name) in views {
        assert_eq!(f(e, &mut p, &mut len), OPENLINES_OK, "{name}");
        let v: serde_json::Value =
            serde_json::from_str(unsafe { CStr::from_ptr(p) }.to_str().unwrap()).unwrap();
        assert!(v.is_object(), "{name}");
        unsafe { openlines_string_free(p) };
    }
    p = ptr::null_mut();
    assert_eq!(
        unsafe { openlines_engine_dialog_json(e, 7, &mut p, &mut len) },
        OPENLINES_UNKNOWN_DIALOG
    );
    assert!(p.is_null());
    assert_eq!(
        unsafe { openlines_engine_explain_json(e, 7, &mut p, &mut len) },
        OPENLINES_UNKNOWN_DIALOG
    );
    assert_eq!(
        unsafe { openlines_engine_queue_json(e, c"x".as_ptr(), 1, &mut p, &mut len) },
        OPENLINES_UNKNOWN_LINE
    );
    assert_eq!(
        unsafe { openlines_engine_stats_json(e, c"x".as_ptr(), 1, &mut p, &mut len) },
        OPENLINES_UNKNOWN_LINE
    );
    assert_eq!(
        unsafe { openlines_engine_operator_json(e, c"x".as_ptr(), 1, &mut p, &mut len) },
        OPENLINES_UNKNOWN_OPERATOR
    );
    assert!(p.is_null());

    let (mut bytes, mut n) = (ptr::null_mut(), 0usize);
    assert_eq!(
        unsafe { openlines_engine_snapshot(e, &mut bytes, &mut n) },
        OPENLINES_OK
    );
    let mut r = ptr::null_mut();
    assert_eq!(
        unsafe { openlines_engine_restore(bytes.cast(), n, &mut r, ptr::null_mut()) },
        OPENLINES_OK
    );
    unsafe { openlines_bytes_free(bytes, n) };
    for h in [e, r] {
        unsafe { openlines_engine_clear_actions(h) };
        assert_eq!(
            unsafe { openlines_engine_advance(h, T0 + 60_000) },
            OPENLINES_OK
        );
    }
    assert_eq!(take_json(e), take_json(r));
    let mut err = ptr::null_mut();
    let junk = b"not a snapshot";
    assert_eq!(
        unsafe { openlines_engine_restore(junk.as_ptr().cast(), junk.len(), &mut r, &mut err) },
        OPENLINES_SNAPSHOT_VERSION
    );
    assert!(!err.is_null());
    unsafe { openlines_string_free(err) };
    assert_eq!(
        unsafe { openlines_engine_restore(ptr::null(), 0, &mut r, ptr::null_mut()) },
        OPENLINES_NULL_POINTER
    );
    unsafe {
        openlines_engine_free(r);
        openlines_engine_free(e);
    }
}

#[test]
fn panic_poisons_the_handle() {
    let e = new_engine(SIMPLE);
    let st = with_handle(e, |_| panic!("boom"));
    assert_eq!(st, OPENLINES_PANIC);
    assert!(last_error(e).contains("boom"), "{}", last_error(e));
    assert!(last_error(e).contains("poisoned"));
    assert_eq!(
        unsafe { openlines_engine_advance(e, T0) },
        OPENLINES_POISONED
    );
    let mut a = openlines_action::empty();
    assert_eq!(
        unsafe { openlines_engine_next_action(e, &mut a) },
        OPENLINES_POISONED
    );
    let (mut b, mut n) = (ptr::null_mut(), 0);
    assert_eq!(
        unsafe { openlines_engine_snapshot(e, &mut b, &mut n) },
        OPENLINES_POISONED
    );
    // A handle-less panic becomes a status and a message, too.
    let mut err = ptr::null_mut();
    assert_eq!(guard(&mut err, || panic!("bang")), OPENLINES_PANIC);
    assert!(
        unsafe { CStr::from_ptr(err) }
            .to_str()
            .unwrap()
            .contains("bang")
    );
    unsafe {
        openlines_string_free(err);
        openlines_engine_free(e);
    }
}

/// The struct path and the JSON path give identical actions (and statuses) for the same
/// inputs, and every action converts to a C struct and back without loss.
#[test]
fn struct_path_equals_json_path() {
    let a = new_engine(RICH);
    let b = new_engine(RICH);
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    let mut at = T0;
    let mut dialogs = 0u64;
    let mut seen = std::collections::BTreeSet::new();
    let mut input_kinds = std::collections::BTreeSet::new();
    // A scripted start that is sure to produce a lead and a transfer
    // (crm_responsible_changed).
    let script: Vec<Input> = [
        r#"{"type":"client_message","line":"sales","client":"c0","text":"hi","channel":"web","crm":{"found":false}}"#,
        r#"{"type":"accept","dialog":1,"operator":"ann"}"#,
        r#"{"type":"transfer","dialog":1,"operator":"ann","to_operator":"bob"}"#,
    ]
    .iter()
    .map(|j| serde_json::from_str(j).unwrap())
    .collect();
    for step in 0..4000 {
        let (mut deadline, mut has) = (0, false);
        unsafe { openlines_engine_next_deadline(a, &mut deadline, &mut has) };
        at = match r.below(10) {
            _ if step < script.len() => at + 1000,
            0 if has => deadline,
            1 => at - 1000,
            _ => at + r.below(90_000) as i64,
        };
        let input = match script.get(step) {
            Some(i) => i.clone(),
            None => random_input(&mut r, dialogs),
        };
        input_kinds.insert(input.type_name());
        let json = serde_json::to_string(&input).unwrap();
        let (mut keep, mut json_keep) = (Vec::new(), Vec::new());
        let c = input_to_c(&input, &mut keep, &mut json_keep);
        let sa = unsafe { openlines_engine_handle(a, at, &c) };
        let sb = handle_json(b, at, &json);
        assert_eq!(
            sa,
            sb,
            "step {step}: {json}: {} / {}",
            last_error(a),
            last_error(b)
        );
        assert_eq!(last_error(a), last_error(b), "step {step}: {json}");
        if sa == OPENLINES_TIME_WENT_BACKWARDS {
            at += 1000;
        }
        // Read the actions whatever the status: a rejected input's timers still fired.
        let via_structs = poll_all(a);
        let via_json = take_json(b);
        assert_eq!(
            serde_json::to_string(&via_structs).unwrap(),
            via_json,
            "step {step}: {json}"
        );
        for act in &via_structs {
            seen.insert(act.type_name());
            if let Action::DialogOpened { dialog, .. } = act {
                dialogs = dialogs.max(*dialog);
            }
        }
    }
    assert_eq!(input_kinds.len(), 15, "{input_kinds:?}");
    assert_eq!(seen.len(), 14, "action kinds seen: {seen:?}");
    unsafe {
        openlines_engine_free(a);
        openlines_engine_free(b);
    }
}

/// Thread-local message of the last failed call (openlines_last_error()).
fn thread_error() -> String {
    unsafe { CStr::from_ptr(openlines_last_error()) }
        .to_str()
        .unwrap()
        .to_owned()
}

#[test]
fn rejected_input_keeps_the_actions_of_its_timers() {
    let e = new_engine(SIMPLE);
    let open = r#"{"type":"client_message","line":"sales","client":"c"}"#;
    assert_eq!(handle_json(e, T0, open), OPENLINES_OK);
    take_json(e);
    assert_eq!(handle_json(e, T0 + 1_000, open), OPENLINES_OK);
    let mut pending = 0;
    unsafe { openlines_engine_pending_actions(e, &mut pending) };
    assert_eq!(
        pending, 0,
        "a second message in the open dialog does nothing"
    );
    // At T0 + 60 s ann's offer expires; the input (bob accepting dialog 9) is refused, but
    // the expiry and the next offer still happen and stay readable, on both paths.
    let bad = r#"{"type":"accept","dialog":9,"operator":"bob"}"#;
    assert_eq!(handle_json(e, T0 + 60_000, bad), OPENLINES_UNKNOWN_DIALOG);
    assert!(last_error(e).contains('9'), "{}", last_error(e));
    assert_eq!(
        take_json(e),
        r#"[{"type":"offer_withdrawn","dialog":1,"operator":"ann","reason":"timeout"},{"type":"offer","dialog":1,"operators":["bob"],"expires_at":"2026-11-23T09:02:00Z"}]"#
    );
    let mut now = 0;
    let mut has = false;
    unsafe { openlines_engine_now(e, &mut now, &mut has) };
    assert_eq!((now, has), (T0 + 60_000, true), "time is committed");
    // A malformed input (typed path, NULL string) fires the timers due by its time too.
    let mut input: openlines_input = unsafe { std::mem::zeroed() };
    unsafe {
        openlines_input_init(
            &mut input,
            openlines_input_kind::OPENLINES_INPUT_ACCEPT as u32,
        )
    };
    input.dialog = 1;
    input.operator_id = openlines_str {
        ptr: ptr::null(),
        len: 3,
    };
    assert_eq!(
        unsafe { openlines_engine_handle(e, T0 + 120_000, &input) },
        OPENLINES_NULL_POINTER
    );
    let mut a = openlines_action::empty();
    assert_eq!(
        unsafe { openlines_engine_next_action(e, &mut a) },
        OPENLINES_OK
    );
    assert_eq!(
        (a.kind, unsafe { rs(a.operator_id) }),
        (
            openlines_action_kind::OPENLINES_ACTION_OFFER_WITHDRAWN as u32,
            "bob".to_owned()
        )
    );
    // A time going backwards fires nothing and changes nothing, and is the error even
    // when the input could not be read either (the time is checked first).
    let mut deadline = 0;
    unsafe { openlines_engine_next_deadline(e, &mut deadline, &mut has) };
    assert_eq!(handle_json(e, T0, bad), OPENLINES_TIME_WENT_BACKWARDS);
    assert_eq!(handle_json(e, T0, "{"), OPENLINES_TIME_WENT_BACKWARDS);
    assert_eq!(
        handle_json(e, T0 + 120_000, "{"),
        OPENLINES_INVALID_INPUT,
        "at the engine's time, the input is the problem"
    );
    let mut again = 0;
    unsafe { openlines_engine_next_deadline(e, &mut again, &mut has) };
    assert_eq!(deadline, again);
    unsafe { openlines_engine_free(e) };
}

#[test]
fn every_fallible_call_sets_or_clears_the_threads_last_error() {
    let mut input: openlines_input = unsafe { std::mem::zeroed() };
    let e = new_engine(SIMPLE);
    assert_eq!(
        handle_json(e, T0, r#"{"type":"accept","dialog":"1","operator":"ann"}"#),
        OPENLINES_INVALID_INPUT
    );
    // Ids from a database as strings: the message says what the field must be.
    assert_eq!(
        last_error(e),
        "dialog: \"1\" is not a dialog id (a whole number, e.g. 7)"
    );
    assert_eq!(thread_error(), last_error(e));
    assert_eq!(
        unsafe { openlines_input_init(&mut input, 99) },
        OPENLINES_OUT_OF_RANGE
    );
    assert!(thread_error().contains("99"), "{}", thread_error());
    assert_eq!(unsafe { openlines_input_init(&mut input, 3) }, OPENLINES_OK);
    assert_eq!(thread_error(), "");
    let mut r = ptr::null_mut();
    assert_eq!(
        unsafe { openlines_engine_restore(b"x".as_ptr().cast(), 1, &mut r, ptr::null_mut()) },
        OPENLINES_SNAPSHOT_VERSION
    );
    assert!(!thread_error().is_empty());
    assert_eq!(
        unsafe { openlines_engine_advance(ptr::null_mut(), T0) },
        OPENLINES_NULL_POINTER
    );
    assert_eq!(thread_error(), "engine is NULL");
    assert_eq!(unsafe { openlines_engine_advance(e, T0) }, OPENLINES_OK);
    assert_eq!(thread_error(), "");
    unsafe { openlines_engine_free(e) };
}

#[test]
fn a_time_in_seconds_gets_a_hint() {
    let e = new_engine(SIMPLE);
    assert_eq!(unsafe { openlines_engine_advance(e, T0) }, OPENLINES_OK);
    assert_eq!(
        unsafe { openlines_engine_advance(e, T0 / 1000) },
        OPENLINES_TIME_WENT_BACKWARDS
    );
    let msg = last_error(e);
    assert!(
        msg.contains("at_ms = 1795424400 is 1970-01-21 as milliseconds")
            && msg.contains("seconds since the Unix epoch (2026-11-23)")
            && msg.contains("seconds * 1000"),
        "{msg}"
    );
    // A time in milliseconds that goes backwards gets no such hint.
    assert_eq!(
        unsafe { openlines_engine_advance(e, T0 - 1) },
        OPENLINES_TIME_WENT_BACKWARDS
    );
    assert!(!last_error(e).contains("seconds"), "{}", last_error(e));
    unsafe { openlines_engine_free(e) };
}
