/* Every function of the C API, every input kind through the struct path (checked against
 * the JSON path), error statuses, snapshot/restore. Compiled as C99 and as C++. */
#include "common.h"

static void test_versions(void) {
    CHECK(strcmp(openlines_version(), OPENLINES_VERSION) == 0);
    CHECK(openlines_version_number() == OPENLINES_VERSION_NUMBER);
    CHECK(openlines_abi_version() == OPENLINES_ABI_VERSION);
    CHECK(OPENLINES_VERSION_NUMBER ==
          OPENLINES_VERSION_MAJOR * 1000000 + OPENLINES_VERSION_MINOR * 1000 + OPENLINES_VERSION_PATCH);
    CHECK(strcmp(openlines_status_str(OPENLINES_OK), "ok") == 0);
    CHECK(strcmp(openlines_status_str(OPENLINES_UNKNOWN_DIALOG), "unknown_dialog") == 0);
    CHECK(strcmp(openlines_status_str(OPENLINES_TIME_WENT_BACKWARDS), "time_went_backwards") == 0);
    CHECK(strcmp(openlines_status_str(OPENLINES_POISONED), "poisoned") == 0);
    CHECK(strcmp(openlines_status_str(12345), "unknown_status") == 0);
    /* The numbers are part of the ABI. */
    CHECK(OPENLINES_INVALID_CONFIG == 1 && OPENLINES_SNAPSHOT_VERSION == 8);
    CHECK(OPENLINES_NULL_POINTER == 100 && OPENLINES_NO_MORE_ACTIONS == 103);
    CHECK(OPENLINES_PANIC == 200 && OPENLINES_POISONED == 201);
}

static void test_new_errors(void) {
    openlines_engine *e = NULL;
    char *err = NULL;
    const char *bad = "{\"lines\":[{\"id\":\"s\",\"queue\":{\"forward_after_secs\":0}}]}";
    CHECK_ST(openlines_engine_new(bad, strlen(bad), &e, &err), OPENLINES_INVALID_CONFIG);
    CHECK(e == NULL && err != NULL);
    CHECK(strstr(err, "lines[0].queue.forward_after_secs") != NULL);
    openlines_string_free(err);
    err = NULL;
    /* Every problem, one by one, with its path, message and kind. */
    const char *two = "{\"lines\":[{\"id\":\"s\",\"greting\":{},\"queue\":{\"forward_after_secs\":0}}]}";
    CHECK_ST(openlines_engine_new(two, strlen(two), &e, NULL), OPENLINES_INVALID_CONFIG);
    CHECK(openlines_last_issue_count() == 2);
    CHECK(strcmp(openlines_last_issue_path(0), "lines[0].greting") == 0);
    CHECK(strcmp(openlines_last_issue_kind(0), "unknown_field") == 0);
    CHECK(strcmp(openlines_last_issue_path(1), "lines[0].queue.forward_after_secs") == 0);
    CHECK(strcmp(openlines_last_issue_kind(1), "out_of_range") == 0);
    CHECK(strcmp(openlines_last_issue_message(1), "must be at least 1 (got 0)") == 0);
    CHECK(openlines_last_issue_path(2) == NULL && openlines_last_issue_message(2) == NULL);
    CHECK_ST(openlines_engine_new("{", 1, &e, NULL), OPENLINES_INVALID_CONFIG);
    CHECK_ST(openlines_engine_new(NULL, 5, &e, NULL), OPENLINES_NULL_POINTER);
    CHECK_ST(openlines_engine_new(SIMPLE_CONFIG, strlen(SIMPLE_CONFIG), NULL, &err), OPENLINES_NULL_POINTER);
    CHECK(err != NULL);
    openlines_string_free(err);
    CHECK_ST(openlines_engine_new("{\"lines\":[{\"id\":\"\xff\"}]}", 20, &e, NULL), OPENLINES_INVALID_UTF8);
    CHECK(e == NULL);
    /* The config needs no NUL terminator: only len bytes are read. */
    CHECK_ST(openlines_engine_new(SIMPLE_CONFIG, strlen(SIMPLE_CONFIG), &e, NULL), OPENLINES_OK);
    openlines_engine_free(e);
    openlines_engine_free(NULL);
    openlines_string_free(NULL);
    openlines_bytes_free(NULL, 0);
}

static void test_offer_timeout(void) {
    openlines_engine *e = new_engine(SIMPLE_CONFIG);
    openlines_input in;
    openlines_action a, first;
    int64_t at = 0;
    bool has = true;
    size_t n = 99;
    sbuf b = {NULL, 0, 0};

    CHECK_ST(openlines_engine_next_deadline(e, &at, &has), OPENLINES_OK);
    CHECK(!has);
    CHECK_ST(openlines_engine_now(e, &at, &has), OPENLINES_OK);
    CHECK(!has);
    CHECK_ST(openlines_input_init(&in, OPENLINES_INPUT_CLIENT_MESSAGE), OPENLINES_OK);
    CHECK(in.can_reply && in.pinned && in.kind == OPENLINES_INPUT_CLIENT_MESSAGE);
    in.line = S("sales");
    in.client = S("tg:42");
    in.text = S("hi");
    CHECK_ST(openlines_engine_handle(e, T0, &in), OPENLINES_OK);
    CHECK_ST(openlines_engine_pending_actions(e, &n), OPENLINES_OK);
    CHECK(n == 2);
    CHECK_ST(openlines_engine_next_action(e, &first), OPENLINES_OK);
    CHECK(first.kind == OPENLINES_ACTION_DIALOG_OPENED && first.dialog == 1);
    CHECK(first.line.len == 5 && memcmp(first.line.ptr, "sales", 5) == 0);
    CHECK_ST(openlines_engine_next_action(e, &a), OPENLINES_OK);
    CHECK(a.kind == OPENLINES_ACTION_OFFER && a.operators_len == 1);
    CHECK(a.operators[0].len == 3 && memcmp(a.operators[0].ptr, "ann", 3) == 0);
    CHECK(a.expires_at_ms == T0 + 60000);
    CHECK(first.client.len == 5 && memcmp(first.client.ptr, "tg:42", 5) == 0); /* still valid */
    CHECK_ST(openlines_engine_next_action(e, &a), OPENLINES_NO_MORE_ACTIONS);
    CHECK_ST(openlines_engine_pending_actions(e, &n), OPENLINES_OK);
    CHECK(n == 0);
    CHECK(strcmp(openlines_engine_last_error(e), "") == 0);

    CHECK_ST(openlines_engine_next_deadline(e, &at, &has), OPENLINES_OK);
    CHECK(has && at == T0 + 60000);
    CHECK_ST(openlines_engine_advance(e, T0 + 59999), OPENLINES_OK);
    CHECK_ST(openlines_engine_pending_actions(e, &n), OPENLINES_OK);
    CHECK(n == 0);
    CHECK_ST(openlines_engine_advance(e, at), OPENLINES_OK);
    take_actions_json(e, &b);
    CHECK(strcmp(b.p, "[{\"type\":\"offer_withdrawn\",\"dialog\":1,\"operator\":\"ann\",\"reason\":\"timeout\"},"
                      "{\"type\":\"offer\",\"dialog\":1,\"operators\":[\"bob\"],"
                      "\"expires_at\":\"2026-11-23T09:02:00Z\"}]") == 0);
    take_actions_json(e, &b);
    CHECK(strcmp(b.p, "[]") == 0);
    CHECK_ST(openlines_engine_now(e, &at, &has), OPENLINES_OK);
    CHECK(has && at == T0 + 60000);

    /* clear_actions drops unread actions. */
    CHECK_ST(handle_json(e, T0 + 61000, "{\"type\":\"accept\",\"dialog\":1,\"operator\":\"bob\"}"),
             OPENLINES_OK);
    CHECK_ST(openlines_engine_pending_actions(e, &n), OPENLINES_OK);
    CHECK(n == 1);
    CHECK_ST(openlines_engine_clear_actions(e), OPENLINES_OK);
    CHECK_ST(openlines_engine_next_action(e, &a), OPENLINES_NO_MORE_ACTIONS);
    free(b.p);
    openlines_engine_free(e);
}

static void expect_error(openlines_engine *e, int64_t at, const char *json, openlines_status status,
                         const char *needle) {
    size_t n = 1;
    CHECK_ST(openlines_engine_handle_json(e, at, json, strlen(json)), status);
    if (needle) CHECK(strstr(openlines_engine_last_error(e), needle) != NULL);
    CHECK(strlen(openlines_engine_last_error(e)) > 0);
    CHECK_ST(openlines_engine_pending_actions(e, &n), OPENLINES_OK);
    CHECK(n == 0);
}

static void test_errors(void) {
    openlines_engine *e = new_engine(SIMPLE_CONFIG);
    openlines_input in;
    openlines_action a;
    openlines_str skills[1];
    char *json = (char *)"x";
    size_t len = 7;
    uint8_t *bytes = NULL, *bytes2 = NULL;
    size_t nbytes = 0, nbytes2 = 0;
    int64_t at;
    bool has;

    CHECK_ST(handle_json(e, T0, "{\"type\":\"client_message\",\"line\":\"sales\",\"client\":\"c\"}"),
             OPENLINES_OK);
    CHECK_ST(openlines_engine_clear_actions(e), OPENLINES_OK);
    CHECK_ST(openlines_engine_snapshot(e, &bytes, &nbytes), OPENLINES_OK);

    expect_error(e, T0, "{\"type\":\"accept\",\"dialog\":9,\"operator\":\"ann\"}", OPENLINES_UNKNOWN_DIALOG, "9");
    expect_error(e, T0, "{\"type\":\"accept\",\"dialog\":1,\"operator\":\"zed\"}", OPENLINES_UNKNOWN_OPERATOR, "zed");
    expect_error(e, T0, "{\"type\":\"client_message\",\"line\":\"nope\",\"client\":\"c\"}", OPENLINES_UNKNOWN_LINE,
                 "nope");
    expect_error(e, T0, "{\"type\":\"close\",\"dialog\":1,\"operator\":\"bob\"}", OPENLINES_NOT_ALLOWED, NULL);
    expect_error(e, T0, "{\"type\":\"accept\",\"dialog\":", OPENLINES_INVALID_INPUT, NULL);
    expect_error(e, T0, "{\"type\":\"wave\"}", OPENLINES_INVALID_INPUT, "wave");
    expect_error(e, T0, "{\"type\":\"accept\",\"dialog\":\"x\",\"operator\":\"ann\"}", OPENLINES_INVALID_INPUT, "dialog");
    expect_error(e, T0 - 1, "{\"type\":\"tick\"}", OPENLINES_TIME_WENT_BACKWARDS, NULL);
    expect_error(e, T0, "{\"type\":\"forget_client\",\"client\":\"\xc3\"}", OPENLINES_INVALID_UTF8, NULL);
    CHECK_ST(openlines_engine_advance(e, T0 - 1000), OPENLINES_TIME_WENT_BACKWARDS);
    CHECK_ST(openlines_engine_advance(e, INT64_MAX), OPENLINES_OUT_OF_RANGE);
    /* A tick takes no fields, like every input; times past 9979-12-31 are refused (so
       every deadline stays representable in every binding). */
    expect_error(e, T0, "{\"type\":\"tick\",\"dialog\":1}", OPENLINES_INVALID_INPUT, "dialog");
    CHECK_ST(openlines_engine_advance(e, 253402300800000LL), OPENLINES_INVALID_INPUT);
    CHECK(strstr(openlines_engine_last_error(e), "at: ") != NULL);
    CHECK_ST(openlines_engine_handle_json(e, T0, NULL, 3), OPENLINES_NULL_POINTER);

    /* Typed path errors. */
    memset(&in, 0, sizeof in);
    CHECK_ST(openlines_engine_handle(e, T0, &in), OPENLINES_OUT_OF_RANGE); /* kind 0 */
    CHECK_ST(openlines_input_init(&in, 0), OPENLINES_OUT_OF_RANGE);
    CHECK_ST(openlines_input_init(&in, 16), OPENLINES_OUT_OF_RANGE);
    CHECK_ST(openlines_input_init(NULL, OPENLINES_INPUT_TICK), OPENLINES_NULL_POINTER);
    openlines_input_init(&in, OPENLINES_INPUT_PRESENCE);
    in.operator_id = S("ann");
    in.status = 0;
    CHECK_ST(openlines_engine_handle(e, T0, &in), OPENLINES_OUT_OF_RANGE);
    in.status = OPENLINES_PRESENCE_DISMISSED + 1;
    CHECK_ST(openlines_engine_handle(e, T0, &in), OPENLINES_OUT_OF_RANGE);
    in.status = OPENLINES_PRESENCE_AWAY;
    in.operator_id.ptr = NULL;
    CHECK_ST(openlines_engine_handle(e, T0, &in), OPENLINES_NULL_POINTER);
    CHECK(strstr(openlines_engine_last_error(e), "operator_id") != NULL);
    in.operator_id = S("\xe2\x82");
    CHECK_ST(openlines_engine_handle(e, T0, &in), OPENLINES_INVALID_UTF8);
    openlines_input_init(&in, OPENLINES_INPUT_RATE);
    in.dialog = 1;
    in.score = 256;
    CHECK_ST(openlines_engine_handle(e, T0, &in), OPENLINES_OUT_OF_RANGE);
    in.score = 9;
    CHECK_ST(openlines_engine_handle(e, T0, &in), OPENLINES_INVALID_INPUT);
    openlines_input_init(&in, OPENLINES_INPUT_CLIENT_MESSAGE);
    in.line = S("sales");
    in.client = S("c2");
    in.skills_len = 1;
    CHECK_ST(openlines_engine_handle(e, T0, &in), OPENLINES_NULL_POINTER);
    skills[0] = S("\xff");
    in.skills = skills;
    CHECK_ST(openlines_engine_handle(e, T0, &in), OPENLINES_INVALID_UTF8);
    CHECK(strstr(openlines_engine_last_error(e), "skills[0]") != NULL);
    openlines_input_init(&in, OPENLINES_INPUT_SET_LINE);
    in.config_json = S("{\"id\":\"x\",\"queue\":{\"distribution\":\"random\"}}");
    CHECK_ST(openlines_engine_handle(e, T0, &in), OPENLINES_INVALID_INPUT);
    CHECK(strstr(openlines_engine_last_error(e), "distribution") != NULL);
    openlines_input_init(&in, OPENLINES_INPUT_TICK);
    CHECK_ST(openlines_engine_handle(e, INT64_MIN, &in), OPENLINES_OUT_OF_RANGE);

    /* NULL everywhere. */
    CHECK_ST(openlines_engine_handle(NULL, T0, &in), OPENLINES_NULL_POINTER);
    CHECK_ST(openlines_engine_handle(e, T0, NULL), OPENLINES_NULL_POINTER);
    CHECK_ST(handle_json(NULL, T0, "{}"), OPENLINES_NULL_POINTER);
    CHECK_ST(openlines_engine_advance(NULL, T0), OPENLINES_NULL_POINTER);
    CHECK_ST(openlines_engine_next_deadline(NULL, &at, &has), OPENLINES_NULL_POINTER);
    CHECK_ST(openlines_engine_next_deadline(e, NULL, &has), OPENLINES_NULL_POINTER);
    CHECK_ST(openlines_engine_next_deadline(e, &at, NULL), OPENLINES_NULL_POINTER);
    CHECK_ST(openlines_engine_now(NULL, &at, &has), OPENLINES_NULL_POINTER);
    CHECK_ST(openlines_engine_now(e, NULL, &has), OPENLINES_NULL_POINTER);
    CHECK_ST(openlines_engine_pending_actions(NULL, &len), OPENLINES_NULL_POINTER);
    CHECK_ST(openlines_engine_pending_actions(e, NULL), OPENLINES_NULL_POINTER);
    CHECK_ST(openlines_engine_next_action(NULL, &a), OPENLINES_NULL_POINTER);
    CHECK_ST(openlines_engine_next_action(e, NULL), OPENLINES_NULL_POINTER);
    CHECK_ST(openlines_engine_take_actions_json(NULL, &json, &len), OPENLINES_NULL_POINTER);
    CHECK_ST(openlines_engine_take_actions_json(e, NULL, &len), OPENLINES_NULL_POINTER);
    CHECK_ST(openlines_engine_clear_actions(NULL), OPENLINES_NULL_POINTER);
    CHECK_ST(openlines_engine_snapshot(NULL, &bytes2, &nbytes2), OPENLINES_NULL_POINTER);
    CHECK_ST(openlines_engine_snapshot(e, NULL, &nbytes2), OPENLINES_NULL_POINTER);
    CHECK_ST(openlines_engine_snapshot(e, &bytes2, NULL), OPENLINES_NULL_POINTER);
    CHECK_ST(openlines_engine_restore(NULL, 4, (openlines_engine **)&json, NULL), OPENLINES_NULL_POINTER);
    CHECK_ST(openlines_engine_restore(bytes, nbytes, NULL, NULL), OPENLINES_NULL_POINTER);
    CHECK_ST(openlines_engine_dialog_json(NULL, 1, &json, &len), OPENLINES_NULL_POINTER);
    CHECK_ST(openlines_engine_dialog_json(e, 1, NULL, &len), OPENLINES_NULL_POINTER);
    CHECK_ST(openlines_engine_explain_json(NULL, 1, &json, &len), OPENLINES_NULL_POINTER);
    CHECK_ST(openlines_engine_explain_json(e, 1, NULL, &len), OPENLINES_NULL_POINTER);
    CHECK_ST(openlines_engine_operator_json(NULL, "ann", 3, &json, &len), OPENLINES_NULL_POINTER);
    CHECK_ST(openlines_engine_operator_json(e, NULL, 3, &json, &len), OPENLINES_NULL_POINTER);
    CHECK_ST(openlines_engine_queue_json(NULL, "sales", 5, &json, &len), OPENLINES_NULL_POINTER);
    CHECK_ST(openlines_engine_queue_json(e, "sales", 5, NULL, &len), OPENLINES_NULL_POINTER);
    CHECK_ST(openlines_engine_stats_json(NULL, "sales", 5, &json, &len), OPENLINES_NULL_POINTER);
    CHECK_ST(openlines_engine_stats_json(e, NULL, 5, &json, &len), OPENLINES_NULL_POINTER);
    CHECK(strcmp(openlines_engine_last_error(NULL), "") == 0);
    /* Outputs are not written on failure. */
    CHECK(json[0] == 'x' && len == 7 && bytes2 == NULL && nbytes2 == 0);

    /* Unknown ids in views. */
    CHECK_ST(openlines_engine_dialog_json(e, 42, &json, &len), OPENLINES_UNKNOWN_DIALOG);
    CHECK_ST(openlines_engine_explain_json(e, 42, &json, &len), OPENLINES_UNKNOWN_DIALOG);
    CHECK_ST(openlines_engine_operator_json(e, "zed", 3, &json, &len), OPENLINES_UNKNOWN_OPERATOR);
    CHECK_ST(openlines_engine_queue_json(e, "x", 1, &json, &len), OPENLINES_UNKNOWN_LINE);
    CHECK_ST(openlines_engine_stats_json(e, "x", 1, &json, &len), OPENLINES_UNKNOWN_LINE);
    CHECK_ST(openlines_engine_stats_json(e, "\xff", 1, &json, &len), OPENLINES_INVALID_UTF8);
    CHECK(json[0] == 'x' && len == 7);

    /* None of the failures changed the engine. */
    CHECK_ST(openlines_engine_snapshot(e, &bytes2, &nbytes2), OPENLINES_OK);
    CHECK(nbytes == nbytes2 && memcmp(bytes, bytes2, nbytes) == 0);
    openlines_bytes_free(bytes, nbytes);
    openlines_bytes_free(bytes2, nbytes2);
    openlines_engine_free(e);
}

static void test_views_snapshot_restore(void) {
    openlines_engine *e = new_engine(SIMPLE_CONFIG), *r = NULL;
    char *json = NULL, *err = NULL;
    size_t len = 0;
    uint8_t *bytes = NULL;
    size_t nbytes = 0;
    sbuf b1 = {NULL, 0, 0}, b2 = {NULL, 0, 0};
    int64_t d1, d2;
    bool h1, h2;

    CHECK_ST(handle_json(e, T0, "{\"type\":\"client_message\",\"line\":\"sales\",\"client\":\"c\"}"),
             OPENLINES_OK);
    CHECK_ST(openlines_engine_dialog_json(e, 1, &json, &len), OPENLINES_OK);
    CHECK(json[0] == '{' && strlen(json) == len && strstr(json, "\"offered\"") != NULL);
    openlines_string_free(json);
    CHECK_ST(openlines_engine_explain_json(e, 1, &json, NULL), OPENLINES_OK);
    CHECK(json[0] == '{' && strstr(json, "ann") != NULL);
    openlines_string_free(json);
    CHECK_ST(openlines_engine_operator_json(e, "ann", 3, &json, NULL), OPENLINES_OK);
    CHECK(json[0] == '{');
    openlines_string_free(json);
    CHECK_ST(openlines_engine_queue_json(e, "sales", 5, &json, NULL), OPENLINES_OK);
    CHECK(json[0] == '{');
    openlines_string_free(json);
    CHECK_ST(openlines_engine_stats_json(e, "sales", 5, &json, &len), OPENLINES_OK);
    CHECK(json[0] == '{');
    openlines_string_free(json);

    CHECK_ST(openlines_engine_snapshot(e, &bytes, &nbytes), OPENLINES_OK);
    CHECK(bytes != NULL && nbytes > 0);
    CHECK_ST(openlines_engine_restore(bytes, nbytes, &r, &err), OPENLINES_OK);
    CHECK(r != NULL && err == NULL);
    openlines_bytes_free(bytes, nbytes);
    CHECK_ST(openlines_engine_next_deadline(e, &d1, &h1), OPENLINES_OK);
    CHECK_ST(openlines_engine_next_deadline(r, &d2, &h2), OPENLINES_OK);
    CHECK(h1 && h2 && d1 == d2);
    CHECK_ST(openlines_engine_clear_actions(e), OPENLINES_OK);
    CHECK_ST(openlines_engine_advance(e, d1), OPENLINES_OK);
    CHECK_ST(openlines_engine_advance(r, d2), OPENLINES_OK);
    take_actions_json(e, &b1);
    take_actions_json(r, &b2);
    CHECK(strcmp(b1.p, b2.p) == 0 && strstr(b1.p, "bob") != NULL);
    openlines_engine_free(r);
    r = NULL;

    CHECK_ST(openlines_engine_restore((const uint8_t *)"garbage", 7, &r, &err), OPENLINES_SNAPSHOT_VERSION);
    CHECK(r == NULL && err != NULL && strlen(err) > 0);
    openlines_string_free(err);
    CHECK_ST(openlines_engine_restore((const uint8_t *)"{\"version\":999}", 15, &r, NULL), OPENLINES_SNAPSHOT_VERSION);
    CHECK(r == NULL);
    free(b1.p);
    free(b2.p);
    openlines_engine_free(e);
}

/* Every input kind through the struct path; the same inputs as JSON on a second engine
 * give identical actions and statuses. */
typedef struct step {
    const char *json;
    openlines_input in;
} step;

static void test_every_input_kind(void) {
    enum { N = 20 };
    openlines_str skills[1];
    step steps[N];
    unsigned seen_inputs[16];
    unsigned seen_actions[32];
    openlines_engine *a = new_engine(RICH_CONFIG), *b = new_engine(RICH_CONFIG);
    sbuf sa = {NULL, 0, 0}, sb = {NULL, 0, 0};
    int i, n = 0;
    memset(seen_inputs, 0, sizeof seen_inputs);
    memset(seen_actions, 0, sizeof seen_actions);
    skills[0] = S("billing");

#define STEP(kind, j)                               \
    steps[n].json = j;                              \
    openlines_input_init(&steps[n].in, kind);       \
    n++
#define IN steps[n - 1].in

    STEP(OPENLINES_INPUT_CLIENT_MESSAGE,
         "{\"type\":\"client_message\",\"line\":\"sales\",\"client\":\"c1\",\"text\":\"hi\",\"channel\":\"web\","
         "\"crm\":{\"found\":false},\"priority\":2,\"language\":\"\"}");
    IN.line = S("sales"); IN.client = S("c1"); IN.text = S("hi"); IN.channel = S("web");
    IN.has_crm = true; IN.crm_found = false; IN.priority = 2;
    STEP(OPENLINES_INPUT_OPERATOR_MESSAGE, "{\"type\":\"operator_message\",\"dialog\":1,\"operator\":\"bob\",\"hidden\":true}");
    IN.dialog = 1; IN.operator_id = S("bob"); IN.hidden = true;
    STEP(OPENLINES_INPUT_ACCEPT, "{\"type\":\"accept\",\"dialog\":1,\"operator\":\"ann\"}");
    IN.dialog = 1; IN.operator_id = S("ann");
    STEP(OPENLINES_INPUT_OPERATOR_MESSAGE, "{\"type\":\"operator_message\",\"dialog\":1,\"operator\":\"ann\"}");
    IN.dialog = 1; IN.operator_id = S("ann");
    STEP(OPENLINES_INPUT_PIN, "{\"type\":\"pin\",\"dialog\":1,\"operator\":\"ann\",\"pinned\":false}");
    IN.dialog = 1; IN.operator_id = S("ann"); IN.pinned = false;
    STEP(OPENLINES_INPUT_TRANSFER, "{\"type\":\"transfer\",\"dialog\":1,\"operator\":\"ann\",\"to_operator\":\"bob\"}");
    IN.dialog = 1; IN.operator_id = S("ann"); IN.to_operator = S("bob");
    STEP(OPENLINES_INPUT_CLOSE, "{\"type\":\"close\",\"dialog\":1,\"operator\":\"bob\"}");
    IN.dialog = 1; IN.operator_id = S("bob");
    STEP(OPENLINES_INPUT_RATE, "{\"type\":\"rate\",\"dialog\":1,\"score\":5}");
    IN.dialog = 1; IN.score = 5;
    STEP(OPENLINES_INPUT_CLIENT_MESSAGE,
         "{\"type\":\"client_message\",\"line\":\"support\",\"client\":\"c2\",\"text\":\"help\","
         "\"crm\":{\"found\":true,\"responsible\":\"cid\"},\"skills\":[\"billing\"]}");
    IN.line = S("support"); IN.client = S("c2"); IN.text = S("help");
    IN.has_crm = true; IN.crm_found = true; IN.crm_responsible = S("cid");
    IN.skills = skills; IN.skills_len = 1;
    STEP(OPENLINES_INPUT_BOT_HANDOFF, "{\"type\":\"bot_handoff\",\"dialog\":2}");
    IN.dialog = 2;
    STEP(OPENLINES_INPUT_CLIENT_MESSAGE,
         "{\"type\":\"client_message\",\"line\":\"support\",\"client\":\"c3\",\"can_reply\":false}");
    IN.line = S("support"); IN.client = S("c3"); IN.can_reply = false;
    STEP(OPENLINES_INPUT_BOT_RESOLVED, "{\"type\":\"bot_resolved\",\"dialog\":3}");
    IN.dialog = 3;
    STEP(OPENLINES_INPUT_CLIENT_MESSAGE, "{\"type\":\"client_message\",\"line\":\"sales\",\"client\":\"c4\"}");
    IN.line = S("sales"); IN.client = S("c4");
    STEP(OPENLINES_INPUT_SKIP, "{\"type\":\"skip\",\"dialog\":4,\"operator\":\"bob\"}");
    IN.dialog = 4; IN.operator_id = S("bob");
    STEP(OPENLINES_INPUT_PRESENCE, "{\"type\":\"presence\",\"operator\":\"bob\",\"status\":\"away\"}");
    IN.operator_id = S("bob"); IN.status = OPENLINES_PRESENCE_AWAY;
    STEP(OPENLINES_INPUT_SET_OPERATOR, "{\"type\":\"set_operator\",\"operator\":{\"id\":\"dan\",\"languages\":[\"en\"]}}");
    IN.config_json = S("{\"id\":\"dan\",\"languages\":[\"en\"]}");
    STEP(OPENLINES_INPUT_SET_LINE,
         "{\"type\":\"set_line\",\"line\":{\"id\":\"sales\",\"queue\":{\"operators\":[\"dan\",\"ann\"]}}}");
    IN.config_json = S("{\"id\":\"sales\",\"queue\":{\"operators\":[\"dan\",\"ann\"]}}");
    STEP(OPENLINES_INPUT_TRANSFER, "{\"type\":\"transfer\",\"dialog\":2,\"operator\":\"cid\",\"to_line\":\"sales\"}");
    IN.dialog = 2; IN.operator_id = S("cid"); IN.to_line = S("sales");
    STEP(OPENLINES_INPUT_FORGET_CLIENT, "{\"type\":\"forget_client\",\"client\":\"c1\"}");
    IN.client = S("c1");
    STEP(OPENLINES_INPUT_TICK, "{\"type\":\"tick\"}");
#undef STEP
#undef IN
    CHECK(n == N);

    for (i = 0; i < n; i++) {
        int64_t at = T0 + (int64_t)i * 20000;
        openlines_status s1 = openlines_engine_handle(a, at, &steps[i].in);
        openlines_status s2 = openlines_engine_handle_json(b, at, steps[i].json, strlen(steps[i].json));
        if (s1 != s2 || strcmp(openlines_engine_last_error(a), openlines_engine_last_error(b)) != 0) {
            fprintf(stderr, "step %d (%s): struct %s '%s' / json %s '%s'\n", i, steps[i].json, openlines_status_str(s1),
                    openlines_engine_last_error(a), openlines_status_str(s2), openlines_engine_last_error(b));
            exit(1);
        }
        /* Every scripted input is valid and accepted except a skip that may be refused. */
        if (s1 != OPENLINES_OK) {
            fprintf(stderr, "step %d (%s): %s: %s\n", i, steps[i].json, openlines_status_str(s1),
                    openlines_engine_last_error(a));
            exit(1);
        }
        seen_inputs[steps[i].in.kind]++;
        poll_actions_json(a, &sa, seen_actions);
        take_actions_json(b, &sb);
        if (strcmp(sa.p, sb.p) != 0) {
            fprintf(stderr, "step %d: struct path:\n%s\njson path:\n%s\n", i, sa.p, sb.p);
            exit(1);
        }
    }
    for (i = 1; i <= 15; i++) CHECK(seen_inputs[i] > 0);
    CHECK(seen_actions[OPENLINES_ACTION_CRM_RESPONSIBLE_CHANGED] > 0);
    CHECK(seen_actions[OPENLINES_ACTION_CREATE_LEAD] > 0);
    CHECK(seen_actions[OPENLINES_ACTION_BOT_STOPPED] > 0);
    CHECK(seen_actions[OPENLINES_ACTION_DIALOG_CLOSED] > 0);
    free(sa.p);
    free(sb.p);
    openlines_engine_free(a);
    openlines_engine_free(b);
}

/* The fixes of issue 14: the thread's last error (also for functions without a handle),
 * the seconds hint, restore from any buffer, the actions of a rejected input's timers. */
static void test_last_error_hints_and_rejected_inputs(void) {
    openlines_input in;
    openlines_engine *e = new_engine(SIMPLE_CONFIG);
    CHECK_ST(handle_json(e, T0, "{\"type\":\"accept\",\"dialog\":\"1\",\"operator\":\"ann\"}"),
             OPENLINES_INVALID_INPUT);
    CHECK(strcmp(openlines_engine_last_error(e),
                 "dialog: \"1\" is not a dialog id (a whole number, e.g. 7)") == 0);
    CHECK(strcmp(openlines_last_error(), openlines_engine_last_error(e)) == 0);
    /* openlines_input_init has no handle: it reports (and clears) the thread's message. */
    CHECK_ST(openlines_input_init(&in, 99), OPENLINES_OUT_OF_RANGE);
    CHECK(strstr(openlines_last_error(), "99") != NULL);
    CHECK_ST(openlines_input_init(&in, OPENLINES_INPUT_TICK), OPENLINES_OK);
    CHECK(strcmp(openlines_last_error(), "") == 0);

    /* Seconds instead of milliseconds. */
    CHECK_ST(openlines_engine_advance(e, T0), OPENLINES_OK);
    CHECK_ST(openlines_engine_advance(e, T0 / 1000), OPENLINES_TIME_WENT_BACKWARDS);
    CHECK(strstr(openlines_engine_last_error(e), "looks like seconds") != NULL);

    /* Snapshot bytes come back through a char buffer without a cast (const void *). */
    uint8_t *bytes = NULL;
    size_t len = 0;
    CHECK_ST(openlines_engine_snapshot(e, &bytes, &len), OPENLINES_OK);
    char *copy = (char *)malloc(len);
    CHECK(copy != NULL);
    memcpy(copy, bytes, len);
    openlines_bytes_free(bytes, len);
    openlines_engine *r = NULL;
    CHECK_ST(openlines_engine_restore(copy, len, &r, NULL), OPENLINES_OK);
    free(copy);
    openlines_engine_free(r);

    /* A rejected input: the offer that expired before it still moves on, readable. */
    CHECK_ST(handle_json(e, T0, "{\"type\":\"client_message\",\"line\":\"sales\",\"client\":\"c\"}"),
             OPENLINES_OK);
    CHECK_ST(openlines_engine_clear_actions(e), OPENLINES_OK);
    CHECK_ST(handle_json(e, T0 + 61000, "{\"type\":\"accept\",\"dialog\":7,\"operator\":\"ann\"}"),
             OPENLINES_UNKNOWN_DIALOG);
    openlines_action a;
    CHECK_ST(openlines_engine_next_action(e, &a), OPENLINES_OK);
    CHECK(a.kind == OPENLINES_ACTION_OFFER_WITHDRAWN && a.dialog == 1);
    CHECK_ST(openlines_engine_next_action(e, &a), OPENLINES_OK);
    CHECK(a.kind == OPENLINES_ACTION_OFFER && a.operators_len == 1);
    CHECK(a.operators[0].len == 3 && memcmp(a.operators[0].ptr, "bob", 3) == 0);
    CHECK_ST(openlines_engine_next_action(e, &a), OPENLINES_NO_MORE_ACTIONS);
    openlines_engine_free(e);
}

/* An operator configured offline (config "presence") takes nothing; the waiting client
 * hears their queue position: send_message with OPENLINES_MESSAGE_QUEUE_POSITION. */
static void test_queue_position(void) {
    static const char config[] =
        "{\"operators\":[{\"id\":\"ann\",\"presence\":\"offline\"}],"
        "\"lines\":[{\"id\":\"sales\",\"queue\":{\"operators\":[\"ann\"]},"
        "\"queue_position\":{\"text\":\"You are #POSITION# in line\",\"repeat_secs\":60}}]}";
    openlines_engine *e = new_engine(config);
    openlines_action a;
    CHECK_ST(handle_json(e, T0, "{\"type\":\"client_message\",\"line\":\"sales\",\"client\":\"c1\"}"),
             OPENLINES_OK);
    CHECK_ST(openlines_engine_clear_actions(e), OPENLINES_OK);
    CHECK_ST(handle_json(e, T0 + 1000, "{\"type\":\"client_message\",\"line\":\"sales\",\"client\":\"c2\"}"),
             OPENLINES_OK);
    CHECK_ST(openlines_engine_next_action(e, &a), OPENLINES_OK);
    CHECK(a.kind == OPENLINES_ACTION_DIALOG_OPENED && a.dialog == 2);
    CHECK_ST(openlines_engine_next_action(e, &a), OPENLINES_OK);
    CHECK(a.kind == OPENLINES_ACTION_QUEUED && a.reason == OPENLINES_QUEUE_NOBODY_AVAILABLE);
    CHECK_ST(openlines_engine_next_action(e, &a), OPENLINES_OK);
    CHECK(a.kind == OPENLINES_ACTION_SEND_MESSAGE && a.message_kind == OPENLINES_MESSAGE_QUEUE_POSITION);
    CHECK(a.text.len == 17 && memcmp(a.text.ptr, "You are 2 in line", 17) == 0);
    CHECK_ST(openlines_engine_next_action(e, &a), OPENLINES_NO_MORE_ACTIONS);
    openlines_engine_free(e);
}

int main(void) {
    test_versions();
    test_new_errors();
    test_offer_timeout();
    test_errors();
    test_views_snapshot_restore();
    test_every_input_kind();
    test_last_error_hints_and_rejected_inputs();
    test_queue_position();
    printf("test_api: %d checks passed\n", g_checks);
    return 0;
}
