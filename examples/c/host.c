/*
 * A small openlines host: reads timed inputs (one per line: "SECONDS JSON"), feeds them to
 * the engine on a simulated clock, prints every action, and between inputs "sleeps" until
 * openlines_engine_next_deadline(), calling openlines_engine_advance() there, as a real
 * host would with a timer. It also plays the operators' side with typed inputs (the fast
 * path, no JSON): a responsive operator (bob) accepts every offer at once and answers the
 * client; the others (ann) never react, so their offers time out and move on.
 *
 *   host CONFIG.json INPUTS.txt
 *
 * Build: cc -std=c99 host.c $(pkg-config --cflags --libs openlines)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openlines.h"

#define START_MS 1795424400000LL /* 2026-11-23T09:00:00Z */
#define MAX_TODO 64

static openlines_engine *engine;

static int responsive(openlines_str op) { return op.len == 3 && memcmp(op.ptr, "bob", 3) == 0; }

/* What the simulated operators will do next: copied out of the actions, because the
 * strings of an action are only valid until the next call that feeds the engine. */
static struct {
    uint32_t kind; /* OPENLINES_INPUT_ACCEPT or OPENLINES_INPUT_OPERATOR_MESSAGE */
    uint64_t dialog;
    char operator_id[64];
} todo[MAX_TODO];
static int n_todo;

static void plan(uint32_t kind, uint64_t dialog, openlines_str op) {
    if (n_todo == MAX_TODO || op.len >= sizeof todo[0].operator_id) return;
    todo[n_todo].kind = kind;
    todo[n_todo].dialog = dialog;
    memcpy(todo[n_todo].operator_id, op.ptr, op.len);
    todo[n_todo].operator_id[op.len] = '\0';
    n_todo++;
}

static void print_time(int64_t ms) {
    long long s = (ms - START_MS) / 1000;
    printf("[+%02lld:%02lld:%02lld]", s / 3600, s / 60 % 60, s % 60);
}

static void print_str(const char *label, openlines_str s) {
    if (s.ptr) printf(" %s=%.*s", label, (int)s.len, s.ptr);
}

static void print_actions(int64_t now) {
    openlines_action a;
    size_t i;
    while (openlines_engine_next_action(engine, &a) == OPENLINES_OK) {
        print_time(now);
        printf(" %-22.*s dialog=%llu", (int)a.type_name.len, a.type_name.ptr, (unsigned long long)a.dialog);
        print_str("reason", a.reason_name);
        print_str("line", a.line);
        print_str("client", a.client);
        print_str("operator", a.operator_id);
        if (a.kind == OPENLINES_ACTION_OFFER) {
            printf(" to=");
            for (i = 0; i < a.operators_len; i++)
                printf("%s%.*s", i ? "," : "", (int)a.operators[i].len, a.operators[i].ptr);
            printf(" expires=+%llds", (long long)((a.expires_at_ms - START_MS) / 1000));
        }
        if (a.kind == OPENLINES_ACTION_DIALOG_CLOSED && a.stats.has_first_response_secs)
            printf(" first_response=%llus", (unsigned long long)a.stats.first_response_secs);
        if (a.kind == OPENLINES_ACTION_DIALOG_CLOSED && a.stats.has_rating) printf(" rating=%u", a.stats.rating);
        if (a.text.ptr) printf(" text=\"%.*s\"", (int)a.text.len, a.text.ptr);
        printf("\n");
        if (a.kind == OPENLINES_ACTION_OFFER) {
            for (i = 0; i < a.operators_len; i++)
                if (responsive(a.operators[i])) plan(OPENLINES_INPUT_ACCEPT, a.dialog, a.operators[i]);
        }
        if (a.kind == OPENLINES_ACTION_ASSIGNED) plan(OPENLINES_INPUT_OPERATOR_MESSAGE, a.dialog, a.operator_id);
    }
}

static void report(const char *what, openlines_status st) {
    fprintf(stdout, "  ! %s rejected: %s: %s\n", what, openlines_status_str(st), openlines_engine_last_error(engine));
}

/* The simulated operators act on what they were just shown (typed inputs, no JSON). */
static void operators_act(int64_t now) {
    while (n_todo > 0) {
        openlines_input in;
        openlines_status st;
        int i, n = n_todo;
        char op[64];
        uint64_t dialog;
        uint32_t kind = todo[0].kind;
        dialog = todo[0].dialog;
        memcpy(op, todo[0].operator_id, sizeof op);
        for (i = 1; i < n; i++) todo[i - 1] = todo[i];
        n_todo--;
        openlines_input_init(&in, kind);
        in.dialog = dialog;
        in.operator_id.ptr = op;
        in.operator_id.len = strlen(op);
        print_time(now);
        printf(" (%s %s dialog %llu)\n", op, kind == OPENLINES_INPUT_ACCEPT ? "accepts" : "answers",
               (unsigned long long)dialog);
        st = openlines_engine_handle(engine, now, &in);
        if (st != OPENLINES_OK) report(kind == OPENLINES_INPUT_ACCEPT ? "accept" : "operator_message", st);
        print_actions(now); /* whatever the status: a rejected input's timers still fired */
    }
}

/* Sleep (simulated) until `until`, waking at every deadline on the way. */
static int64_t sleep_until(int64_t now, int64_t until) {
    for (;;) {
        int64_t deadline;
        bool has;
        openlines_status st;
        if (openlines_engine_next_deadline(engine, &deadline, &has) != OPENLINES_OK || !has || deadline > until)
            return until > now ? until : now;
        now = deadline;
        st = openlines_engine_advance(engine, now);
        if (st != OPENLINES_OK) {
            report("advance", st);
            return now;
        }
        print_actions(now);
        operators_act(now);
    }
}

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = (char *)malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

int main(int argc, char **argv) {
    char *config, *err = NULL, line[4096];
    size_t config_len;
    FILE *inputs;
    int64_t now = START_MS;
    openlines_status st;

    if (argc != 3) {
        fprintf(stderr, "usage: %s CONFIG.json INPUTS.txt\n", argv[0]);
        return 2;
    }
    if (openlines_abi_version() != OPENLINES_ABI_VERSION) {
        fprintf(stderr, "libopenlines ABI %u, header ABI %d\n", openlines_abi_version(), OPENLINES_ABI_VERSION);
        return 1;
    }
    config = read_file(argv[1], &config_len);
    if (!config) {
        perror(argv[1]);
        return 1;
    }
    st = openlines_engine_new(config, config_len, &engine, &err);
    free(config);
    if (st != OPENLINES_OK) {
        fprintf(stderr, "bad config: %s: %s\n", openlines_status_str(st), err);
        openlines_string_free(err);
        return 1;
    }
    printf("openlines %s host, simulated clock starts at 2026-11-23T09:00:00Z\n", openlines_version());
    inputs = fopen(argv[2], "r");
    if (!inputs) {
        perror(argv[2]);
        openlines_engine_free(engine);
        return 1;
    }
    while (fgets(line, sizeof line, inputs)) {
        char *json;
        long secs = strtol(line, &json, 10);
        int64_t at = START_MS + (int64_t)secs * 1000;
        if (line[0] == '#' || json == line) continue;
        while (*json == ' ' || *json == '\t') json++;
        json[strcspn(json, "\r\n")] = '\0';
        now = sleep_until(now, at);
        print_time(now);
        printf(" <- %s\n", json);
        st = openlines_engine_handle_json(engine, now, json, strlen(json));
        if (st != OPENLINES_OK) report("input", st);
        print_actions(now); /* whatever the status: a rejected input's timers still fired */
        if (st == OPENLINES_OK) operators_act(now);
    }
    fclose(inputs);
    /* No more inputs: let the timers run out (auto-close, rating windows), at most 1 day. */
    now = sleep_until(now, now + 86400000LL);
    {
        char *stats = NULL;
        if (openlines_engine_stats_json(engine, "sales", 5, &stats, NULL) == OPENLINES_OK) {
            printf("stats(sales) = %s\n", stats);
            openlines_string_free(stats);
        }
    }
    openlines_engine_free(engine);
    return 0;
}
