/* Drives the host loop printed in the comment of include/openlines.h (run.sh extracts it
 * into header_example.c, which includes this file after it): a client writes, the offer
 * times out at the deadline, and a rejected input still delivers the actions of the
 * timers that were due by its time. Prints one line per action. */
#include <string.h>

static int64_t now = 1795424400000; /* 2026-11-23T09:00:00Z */
static int calls = 0;

static openlines_str str_of(const char *s) {
    openlines_str v;
    v.ptr = s;
    v.len = strlen(s);
    return v;
}

int host_wait(int64_t deadline_ms, bool has_deadline, openlines_input *input) {
    switch (calls++) {
    case 0: /* a client writes: dialog 1 opens and is offered to ann until +60 s */
        openlines_input_init(input, OPENLINES_INPUT_CLIENT_MESSAGE);
        input->line = str_of("sales");
        input->client = str_of("tg:42");
        return 1;
    case 1: /* nothing happens until the deadline: ann's offer times out, bob gets it */
        if (!has_deadline) {
            return -1;
        }
        now = deadline_ms;
        return 0;
    case 2: /* well past bob's deadline, an unknown operator accepts: refused, but bob's
               offer had timed out by then, and those actions are delivered */
        now += 90000;
        openlines_input_init(input, OPENLINES_INPUT_ACCEPT);
        input->dialog = 1;
        input->operator_id = str_of("zed");
        return 1;
    default:
        return -1;
    }
}

int64_t host_now_ms(void) {
    return now;
}

void host_carry_out(const openlines_action *a) {
    printf("%.*s", (int)a->type_name.len, a->type_name.ptr);
    if (a->operator_id.ptr != NULL) {
        printf(" %.*s", (int)a->operator_id.len, a->operator_id.ptr);
    }
    for (size_t i = 0; i < a->operators_len; i++) {
        printf(" %.*s", (int)a->operators[i].len, a->operators[i].ptr);
    }
    printf("\n");
}

int main(void) {
    static const char cfg[] = "{\"operators\":[{\"id\":\"ann\"},{\"id\":\"bob\"}],"
                              "\"lines\":[{\"id\":\"sales\",\"queue\":{\"operators\":[\"ann\",\"bob\"]}}]}";
    setvbuf(stdout, NULL, _IONBF, 0); /* keep stdout and stderr lines in order */
    if (host_run("{", 1) != 1) { /* a bad config takes the error branch */
        return 2;
    }
    return host_run(cfg, sizeof cfg - 1);
}
