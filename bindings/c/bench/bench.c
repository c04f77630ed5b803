/* Throughput of the C struct path on the standard simulated day.
 *
 * Reads the day written by `openlines bench --dump-day FILE --format tsv` (first line:
 * the config JSON; then one input per line: at_ms kind dialog line client operator text
 * channel status score hidden, tab separated), converts every line to an
 * openlines_input once, then times replaying them through a fresh engine: per input,
 * openlines_engine_handle(), reading every action with openlines_engine_next_action()
 * (as a host does) and openlines_engine_clear_actions(). Best of three runs.
 *
 * usage: bench DAY.tsv            prints one JSON object
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "openlines.h"

typedef struct {
    int64_t at_ms;
    openlines_input input;
} step;

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) { fprintf(stderr, "cannot read %s\n", path); exit(2); }
    buf[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static openlines_str field(char **cursor) {
    char *start = *cursor;
    char *end = start;
    while (*end && *end != '\t' && *end != '\n') end++;
    openlines_str s = {start, (size_t)(end - start)};
    if (*end) { *end = 0; end++; }
    *cursor = end;
    if (s.len == 0) s.ptr = NULL;
    return s;
}

static double now_secs(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s DAY.tsv\n", argv[0]); return 2; }
    size_t len;
    char *text = read_file(argv[1], &len);
    char *config = text;
    char *cursor = strchr(text, '\n');
    if (!cursor) { fprintf(stderr, "no inputs\n"); return 2; }
    *cursor++ = 0;
    size_t config_len = strlen(config);

    size_t cap = 1 << 20, n = 0;
    step *steps = malloc(cap * sizeof *steps);
    while (*cursor) {
        if (n == cap) { cap *= 2; steps = realloc(steps, cap * sizeof *steps); }
        step *s = &steps[n];
        openlines_str at = field(&cursor), kind = field(&cursor), dialog = field(&cursor);
        s->at_ms = strtoll(at.ptr, NULL, 10);
        openlines_input_init(&s->input, (uint32_t)strtoul(kind.ptr, NULL, 10));
        s->input.dialog = strtoull(dialog.ptr, NULL, 10);
        s->input.line = field(&cursor);
        s->input.client = field(&cursor);
        s->input.operator_id = field(&cursor);
        s->input.text = field(&cursor);
        s->input.channel = field(&cursor);
        openlines_str status = field(&cursor), score = field(&cursor), hidden = field(&cursor);
        s->input.status = (uint32_t)strtoul(status.ptr ? status.ptr : "0", NULL, 10);
        s->input.score = (uint32_t)strtoul(score.ptr ? score.ptr : "0", NULL, 10);
        s->input.hidden = hidden.ptr && hidden.ptr[0] == '1';
        n++;
    }

    double best = 1e30;
    unsigned long long actions = 0, rejected = 0;
    for (int round = 0; round < 3; round++) {
        openlines_engine *e = NULL;
        char *error = NULL;
        if (openlines_engine_new(config, config_len, &e, &error) != OPENLINES_OK) {
            fprintf(stderr, "config: %s\n", error ? error : "?");
            return 1;
        }
        actions = rejected = 0;
        openlines_action a;
        double t = now_secs();
        for (size_t i = 0; i < n; i++) {
            if (openlines_engine_handle(e, steps[i].at_ms, &steps[i].input) != OPENLINES_OK) {
                rejected++;
                continue;
            }
            while (openlines_engine_next_action(e, &a) == OPENLINES_OK) actions++;
            openlines_engine_clear_actions(e);
        }
        double secs = now_secs() - t;
        if (secs < best) best = secs;
        openlines_engine_free(e);
    }
    printf("{\"c_inputs_per_sec\": %.0f, \"inputs\": %zu, \"actions\": %llu, \"rejected\": %llu, \"secs\": %.3f}\n",
           (double)n / best, n, actions, rejected, best);
    free(steps);
    free(text);
    return 0;
}
