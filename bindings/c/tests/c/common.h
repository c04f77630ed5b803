/* Helpers shared by the C tests (C99 and C++). */
#ifndef OPENLINES_TEST_COMMON_H
#define OPENLINES_TEST_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openlines.h"

static int g_checks = 0;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        g_checks++;                                                                  \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            exit(1);                                                                 \
        }                                                                            \
    } while (0)

#define CHECK_ST(expr, expected)                                                          \
    do {                                                                                  \
        openlines_status st_ = (expr);                                                    \
        g_checks++;                                                                       \
        if (st_ != (openlines_status)(expected)) {                                        \
            fprintf(stderr, "%s:%d: %s returned %s, expected %s\n", __FILE__, __LINE__, #expr, \
                    openlines_status_str(st_), openlines_status_str(expected));           \
            exit(1);                                                                      \
        }                                                                                 \
    } while (0)

/* 2026-11-23T09:00:00Z */
#define T0 1795424400000LL

static const char SIMPLE_CONFIG[] =
    "{\"operators\":[{\"id\":\"ann\"},{\"id\":\"bob\"}],"
    "\"lines\":[{\"id\":\"sales\",\"queue\":{\"operators\":[\"ann\",\"bob\"]}}]}";

static const char RICH_CONFIG[] =
    "{\"operators\":[{\"id\":\"ann\",\"max_dialogs\":3},{\"id\":\"bob\",\"max_dialogs\":3},"
    "{\"id\":\"cid\",\"skills\":[\"billing\"]}],"
    "\"lines\":["
    "{\"id\":\"sales\",\"queue\":{\"operators\":[\"ann\",\"bob\"],\"forward_after_secs\":60,"
    "\"no_answer\":{\"action\":\"send_form\",\"form\":\"contact\",\"retry_after_secs\":300}},"
    "\"crm\":{\"create_lead\":\"auto\",\"change_responsible_on_transfer\":true},"
    "\"greeting\":{\"when\":\"every_dialog\",\"text\":\"Hello!\"},"
    "\"unanswered\":{\"after_secs\":300,\"text\":\"Please wait\"},"
    "\"auto_close\":{\"after_secs\":3600,\"text\":\"Closed for inactivity\"},"
    "\"closing\":{\"text\":\"Thanks\"},"
    "\"rating\":{\"enabled\":true,\"text\":\"Rate us 1-5\",\"window_secs\":600},"
    "\"kpi\":{\"first_response_secs\":120,\"next_response_secs\":60,\"notify\":[\"boss\",\"lead\"],"
    "\"text\":\"#OPERATOR# late on #DIALOG#\"}},"
    "{\"id\":\"support\",\"queue\":{\"operators\":[\"cid\",\"ann\"],\"distribution\":\"all\"},"
    "\"nobody_available_text\":\"Everyone is busy\","
    "\"bot\":{\"id\":\"faqbot\",\"when\":\"every_dialog\",\"handoff_after_secs\":120,"
    "\"handoff_keyword\":\"operator\"}}]}";

static openlines_str S(const char *s) {
    openlines_str r;
    r.ptr = s;
    r.len = s ? strlen(s) : 0;
    return r;
}

static openlines_engine *new_engine(const char *config) {
    openlines_engine *e = NULL;
    char *err = NULL;
    openlines_status st = openlines_engine_new(config, strlen(config), &e, &err);
    if (st != OPENLINES_OK) {
        fprintf(stderr, "openlines_engine_new: %s: %s\n", openlines_status_str(st), err);
        openlines_string_free(err);
        exit(1);
    }
    return e;
}

static inline openlines_status handle_json(openlines_engine *e, int64_t at, const char *json) {
    return openlines_engine_handle_json(e, at, json, strlen(json));
}

/* ------------------------------------------------------------ a growable string */

typedef struct sbuf {
    char *p;
    size_t len, cap;
} sbuf;

static void sb_putn(sbuf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n + 1) cap *= 2;
        b->p = (char *)realloc(b->p, cap);
        if (!b->p) exit(2);
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s) { sb_putn(b, s, strlen(s)); }

static void sb_u64(sbuf *b, unsigned long long v) {
    char tmp[32];
    sprintf(tmp, "%llu", v);
    sb_puts(b, tmp);
}

static void sb_jstr(sbuf *b, openlines_str s) {
    size_t i;
    sb_putn(b, "\"", 1);
    for (i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        char tmp[8];
        if (c == '"') sb_puts(b, "\\\"");
        else if (c == '\\') sb_puts(b, "\\\\");
        else if (c == '\n') sb_puts(b, "\\n");
        else if (c == '\t') sb_puts(b, "\\t");
        else if (c == '\r') sb_puts(b, "\\r");
        else if (c < 0x20) {
            sprintf(tmp, "\\u%04x", c);
            sb_puts(b, tmp);
        } else sb_putn(b, (const char *)&s.ptr[i], 1);
    }
    sb_putn(b, "\"", 1);
}

static void sb_jstr_list(sbuf *b, const openlines_str *items, size_t n) {
    size_t i;
    sb_puts(b, "[");
    for (i = 0; i < n; i++) {
        if (i) sb_puts(b, ",");
        sb_jstr(b, items[i]);
    }
    sb_puts(b, "]");
}

/* RFC 3339 like chrono: 2026-11-23T09:01:00Z, with .mmm when there are milliseconds. */
static void sb_time(sbuf *b, long long ms) {
    long long secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    int frac = (int)(ms - secs * 1000);
    long long days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    long long rem = secs - days * 86400;
    /* civil_from_days (H. Hinnant) */
    long long z = days + 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long y = (long long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    char tmp[64];
    if (m <= 2) y++;
    sprintf(tmp, "\"%04lld-%02u-%02uT%02d:%02d:%02d", y, m, d, (int)(rem / 3600), (int)(rem % 3600 / 60),
            (int)(rem % 60));
    sb_puts(b, tmp);
    if (frac) {
        sprintf(tmp, ".%03d", frac);
        sb_puts(b, tmp);
    }
    sb_puts(b, "Z\"");
}

static void sb_opt_u64(sbuf *b, bool has, unsigned long long v) {
    if (has) sb_u64(b, v);
    else sb_puts(b, "null");
}

/* The contract's JSON of one action, exactly as serde writes it (field order included). */
static void sb_action(sbuf *b, const openlines_action *a) {
    sb_puts(b, "{\"type\":");
    sb_jstr(b, a->type_name);
    sb_puts(b, ",\"dialog\":");
    sb_u64(b, a->dialog);
    switch (a->kind) {
    case OPENLINES_ACTION_DIALOG_OPENED:
        sb_puts(b, ",\"line\":"); sb_jstr(b, a->line);
        sb_puts(b, ",\"client\":"); sb_jstr(b, a->client);
        break;
    case OPENLINES_ACTION_SEND_MESSAGE:
        sb_puts(b, ",\"kind\":"); sb_jstr(b, a->reason_name);
        sb_puts(b, ",\"text\":"); sb_jstr(b, a->text);
        break;
    case OPENLINES_ACTION_OFFER:
        sb_puts(b, ",\"operators\":"); sb_jstr_list(b, a->operators, a->operators_len);
        sb_puts(b, ",\"expires_at\":"); sb_time(b, a->expires_at_ms);
        break;
    case OPENLINES_ACTION_OFFER_WITHDRAWN:
    case OPENLINES_ACTION_ASSIGNED:
        sb_puts(b, ",\"operator\":"); sb_jstr(b, a->operator_id);
        sb_puts(b, ",\"reason\":"); sb_jstr(b, a->reason_name);
        break;
    case OPENLINES_ACTION_QUEUED:
    case OPENLINES_ACTION_BOT_STOPPED:
        sb_puts(b, ",\"reason\":"); sb_jstr(b, a->reason_name);
        break;
    case OPENLINES_ACTION_MARK_UNANSWERED:
        break;
    case OPENLINES_ACTION_KPI_OVERDUE:
        sb_puts(b, ",\"operator\":");
        if (a->operator_id.ptr) sb_jstr(b, a->operator_id);
        else sb_puts(b, "null");
        sb_puts(b, ",\"kpi\":"); sb_jstr(b, a->reason_name);
        sb_puts(b, ",\"notify\":"); sb_jstr_list(b, a->notify, a->notify_len);
        sb_puts(b, ",\"text\":"); sb_jstr(b, a->text);
        break;
    case OPENLINES_ACTION_BOT_STARTED:
        sb_puts(b, ",\"bot\":"); sb_jstr(b, a->bot);
        break;
    case OPENLINES_ACTION_CREATE_LEAD:
        sb_puts(b, ",\"client\":"); sb_jstr(b, a->client);
        sb_puts(b, ",\"channel\":"); sb_jstr(b, a->channel);
        break;
    case OPENLINES_ACTION_SEND_FORM:
        sb_puts(b, ",\"form\":"); sb_jstr(b, a->form);
        break;
    case OPENLINES_ACTION_CRM_RESPONSIBLE_CHANGED:
        sb_puts(b, ",\"operator\":"); sb_jstr(b, a->operator_id);
        break;
    case OPENLINES_ACTION_DIALOG_CLOSED:
        sb_puts(b, ",\"reason\":"); sb_jstr(b, a->reason_name);
        sb_puts(b, ",\"stats\":{\"first_response_secs\":");
        sb_opt_u64(b, a->stats.has_first_response_secs, a->stats.first_response_secs);
        sb_puts(b, ",\"avg_response_secs\":");
        sb_opt_u64(b, a->stats.has_avg_response_secs, a->stats.avg_response_secs);
        sb_puts(b, ",\"max_response_secs\":");
        sb_opt_u64(b, a->stats.has_max_response_secs, a->stats.max_response_secs);
        sb_puts(b, ",\"client_messages\":"); sb_u64(b, a->stats.client_messages);
        sb_puts(b, ",\"operator_messages\":"); sb_u64(b, a->stats.operator_messages);
        sb_puts(b, ",\"rating\":"); sb_opt_u64(b, a->stats.has_rating, a->stats.rating);
        sb_puts(b, ",\"unanswered\":"); sb_puts(b, a->stats.unanswered ? "true" : "false");
        sb_puts(b, "}");
        break;
    default:
        fprintf(stderr, "unknown action kind %u\n", (unsigned)a->kind);
        exit(1);
    }
    sb_puts(b, "}");
}

/* Read every pending action as structs and write them as one JSON array into b. Also
 * counts the kinds seen (seen[kind]++). */
static size_t poll_actions_json(openlines_engine *e, sbuf *b, unsigned *seen) {
    openlines_action a;
    size_t n = 0;
    openlines_status st;
    b->len = 0;
    sb_puts(b, "[");
    while ((st = openlines_engine_next_action(e, &a)) == OPENLINES_OK) {
        if (n++) sb_puts(b, ",");
        sb_action(b, &a);
        if (seen && a.kind < 32) seen[a.kind]++;
    }
    CHECK(st == OPENLINES_NO_MORE_ACTIONS);
    sb_puts(b, "]");
    return n;
}

/* Take every pending action as JSON (owned copy in *b). */
static void take_actions_json(openlines_engine *e, sbuf *b) {
    char *json = NULL;
    size_t len = 0;
    CHECK_ST(openlines_engine_take_actions_json(e, &json, &len), OPENLINES_OK);
    CHECK(json != NULL && strlen(json) == len);
    b->len = 0;
    sb_putn(b, json, len);
    openlines_string_free(json);
}

#endif
