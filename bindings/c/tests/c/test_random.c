/* A long randomized run: the same random inputs go to engine A as typed structs and to
 * engine B as JSON; statuses, error messages and actions (structs printed as JSON vs the
 * JSON array) must be identical at every step. Every few hundred steps engine A is
 * replaced by a restore of its own snapshot, which must not change anything. The clock
 * jumps to next_deadline() now and then, and sometimes goes backwards. */
#include "common.h"

static unsigned long long rng_state = 0x9e3779b97f4a7c15ULL;

static unsigned long long rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static unsigned below(unsigned n) { return (unsigned)(rnd() % n); }

static const char *OPS[] = {"ann", "bob", "cid", "zed"};
static const char *LINES[] = {"sales", "support", "nope"};
static const char *CLIENTS[] = {"c1", "c2", "c3", "c4", "c5"};
static const char *TEXTS[] = {"hi", "operator", "help \"me\"", ""};
static const char *PRESENCE[] = {"", "online", "away", "break", "offline", "vacation", "dismissed"};

/* Build one random input both ways. */
static void random_input(unsigned long long dialogs, openlines_input *in, sbuf *j, openlines_str *skills) {
    unsigned long long d = below(2) ? (dialogs > 0 ? dialogs - below(2) : 0) : below((unsigned)dialogs + 2);
    const char *op = OPS[below(4)];
    unsigned k = below(16);
    j->len = 0;
    if (k <= 3) {
        const char *line = LINES[below(2)], *client = CLIENTS[below(5)], *text = TEXTS[below(4)];
        openlines_input_init(in, OPENLINES_INPUT_CLIENT_MESSAGE);
        in->line = S(line);
        in->client = S(client);
        in->text = S(text);
        in->channel = S(below(2) ? "telegram" : "web");
        in->can_reply = below(4) != 0;
        in->priority = (int32_t)below(3);
        sb_puts(j, "{\"type\":\"client_message\",\"line\":");
        sb_jstr(j, in->line);
        sb_puts(j, ",\"client\":");
        sb_jstr(j, in->client);
        sb_puts(j, ",\"text\":");
        sb_jstr(j, in->text);
        sb_puts(j, ",\"channel\":");
        sb_jstr(j, in->channel);
        sb_puts(j, in->can_reply ? ",\"can_reply\":true" : ",\"can_reply\":false");
        sb_puts(j, ",\"priority\":");
        sb_u64(j, (unsigned long long)in->priority);
        if (below(3) == 0) {
            in->has_crm = true;
            in->crm_found = below(2) == 0;
            sb_puts(j, in->crm_found ? ",\"crm\":{\"found\":true" : ",\"crm\":{\"found\":false");
            if (below(2)) {
                in->crm_responsible = S(OPS[below(4)]);
                sb_puts(j, ",\"responsible\":");
                sb_jstr(j, in->crm_responsible);
            }
            sb_puts(j, "}");
        }
        if (below(5) == 0) {
            skills[0] = S("billing");
            in->skills = skills;
            in->skills_len = 1;
            sb_puts(j, ",\"skills\":[\"billing\"]");
        }
        sb_puts(j, "}");
        return;
    }
    if (k <= 10) {
        static const char *names[] = {"operator_message", "operator_message", "accept", "skip",
                                      "transfer", "close", "pin"};
        static const uint32_t kinds[] = {OPENLINES_INPUT_OPERATOR_MESSAGE, OPENLINES_INPUT_OPERATOR_MESSAGE,
                                         OPENLINES_INPUT_ACCEPT, OPENLINES_INPUT_SKIP, OPENLINES_INPUT_TRANSFER,
                                         OPENLINES_INPUT_CLOSE, OPENLINES_INPUT_PIN};
        openlines_input_init(in, kinds[k - 4]);
        in->dialog = d;
        in->operator_id = S(op);
        sb_puts(j, "{\"type\":\"");
        sb_puts(j, names[k - 4]);
        sb_puts(j, "\",\"dialog\":");
        sb_u64(j, d);
        sb_puts(j, ",\"operator\":");
        sb_jstr(j, in->operator_id);
        if (kinds[k - 4] == OPENLINES_INPUT_OPERATOR_MESSAGE && below(5) == 0) {
            in->hidden = true;
            sb_puts(j, ",\"hidden\":true");
        }
        if (kinds[k - 4] == OPENLINES_INPUT_TRANSFER) {
            if (below(2)) {
                in->to_operator = S(OPS[below(4)]);
                sb_puts(j, ",\"to_operator\":");
                sb_jstr(j, in->to_operator);
            } else {
                in->to_line = S(LINES[below(3)]);
                sb_puts(j, ",\"to_line\":");
                sb_jstr(j, in->to_line);
            }
        }
        if (kinds[k - 4] == OPENLINES_INPUT_PIN) {
            in->pinned = below(2) == 0;
            sb_puts(j, in->pinned ? ",\"pinned\":true" : ",\"pinned\":false");
        }
        sb_puts(j, "}");
        return;
    }
    switch (k) {
    case 11:
        openlines_input_init(in, OPENLINES_INPUT_RATE);
        in->dialog = d;
        in->score = below(7);
        sb_puts(j, "{\"type\":\"rate\",\"dialog\":");
        sb_u64(j, d);
        sb_puts(j, ",\"score\":");
        sb_u64(j, in->score);
        sb_puts(j, "}");
        return;
    case 12: {
        static const uint32_t st[] = {OPENLINES_PRESENCE_ONLINE, OPENLINES_PRESENCE_ONLINE, OPENLINES_PRESENCE_AWAY,
                                      OPENLINES_PRESENCE_OFFLINE, OPENLINES_PRESENCE_BREAK};
        openlines_input_init(in, OPENLINES_INPUT_PRESENCE);
        in->operator_id = S(op);
        in->status = st[below(5)];
        sb_puts(j, "{\"type\":\"presence\",\"operator\":");
        sb_jstr(j, in->operator_id);
        sb_puts(j, ",\"status\":\"");
        sb_puts(j, PRESENCE[in->status]);
        sb_puts(j, "\"}");
        return;
    }
    case 13:
        openlines_input_init(in, below(2) ? OPENLINES_INPUT_BOT_HANDOFF : OPENLINES_INPUT_BOT_RESOLVED);
        in->dialog = d;
        sb_puts(j, in->kind == OPENLINES_INPUT_BOT_HANDOFF ? "{\"type\":\"bot_handoff\",\"dialog\":"
                                                           : "{\"type\":\"bot_resolved\",\"dialog\":");
        sb_u64(j, d);
        sb_puts(j, "}");
        return;
    case 14:
        switch (below(4)) {
        case 0:
            openlines_input_init(in, OPENLINES_INPUT_SET_OPERATOR);
            in->config_json = S("{\"id\":\"dan\",\"languages\":[\"en\"]}");
            sb_puts(j, "{\"type\":\"set_operator\",\"operator\":{\"id\":\"dan\",\"languages\":[\"en\"]}}");
            return;
        case 1:
            openlines_input_init(in, OPENLINES_INPUT_SET_LINE);
            in->config_json = S("{\"id\":\"extra\",\"queue\":{\"operators\":[\"dan\",\"bob\"],\"distribution\":\"strict\"}}");
            sb_puts(j, "{\"type\":\"set_line\",\"line\":{\"id\":\"extra\",\"queue\":{\"operators\":[\"dan\",\"bob\"],"
                       "\"distribution\":\"strict\"}}}");
            return;
        default:
            openlines_input_init(in, OPENLINES_INPUT_FORGET_CLIENT);
            in->client = S(CLIENTS[below(5)]);
            sb_puts(j, "{\"type\":\"forget_client\",\"client\":");
            sb_jstr(j, in->client);
            sb_puts(j, "}");
            return;
        }
    default:
        openlines_input_init(in, OPENLINES_INPUT_TICK);
        sb_puts(j, "{\"type\":\"tick\"}");
        return;
    }
}

int main(int argc, char **argv) {
    long steps = argc > 1 ? atol(argv[1]) : 6000;
    openlines_engine *a = new_engine(RICH_CONFIG), *b = new_engine(RICH_CONFIG);
    sbuf j = {NULL, 0, 0}, sa = {NULL, 0, 0}, sb = {NULL, 0, 0};
    unsigned seen[32];
    openlines_input in;
    openlines_str skills[1];
    int64_t at = T0;
    unsigned long long dialogs = 0;
    long i, ok = 0, errors = 0, restores = 0, total_actions = 0;
    unsigned k;
    memset(seen, 0, sizeof seen);

    for (i = 0; i < steps; i++) {
        int64_t deadline = 0;
        bool has = false;
        openlines_status s1, s2;
        unsigned r = below(10);
        CHECK_ST(openlines_engine_next_deadline(a, &deadline, &has), OPENLINES_OK);
        if (r == 0 && has) at = deadline;
        else if (r == 1) at -= 1000;
        else at += below(90000);

        if (below(8) == 0) {
            /* A clock tick on both engines. */
            s1 = openlines_engine_advance(a, at);
            s2 = openlines_engine_advance(b, at);
            j.len = 0;
            sb_puts(&j, "(advance)");
        } else {
            random_input(dialogs, &in, &j, skills);
            s1 = openlines_engine_handle(a, at, &in);
            s2 = openlines_engine_handle_json(b, at, j.p, j.len);
        }
        if (s1 != s2 || strcmp(openlines_engine_last_error(a), openlines_engine_last_error(b)) != 0) {
            fprintf(stderr, "step %ld %s: struct %s '%s' / json %s '%s'\n", i, j.p, openlines_status_str(s1),
                    openlines_engine_last_error(a), openlines_status_str(s2), openlines_engine_last_error(b));
            return 1;
        }
        if (s1 != OPENLINES_OK) {
            CHECK(strlen(openlines_engine_last_error(a)) > 0);
            if (s1 == OPENLINES_TIME_WENT_BACKWARDS) at += 1000;
            errors++;
            continue;
        }
        ok++;
        total_actions += (long)poll_actions_json(a, &sa, seen);
        take_actions_json(b, &sb);
        if (strcmp(sa.p, sb.p) != 0) {
            fprintf(stderr, "step %ld %s:\nstruct path: %s\njson path:   %s\n", i, j.p, sa.p, sb.p);
            return 1;
        }
        {
            const char *p = sb.p;
            while ((p = strstr(p, "\"dialog_opened\",\"dialog\":")) != NULL) {
                unsigned long long id = strtoull(p + 26, NULL, 10);
                if (id > dialogs) dialogs = id;
                p += 26;
            }
        }
        if (i % 400 == 399) {
            uint8_t *bytes = NULL;
            size_t n = 0;
            openlines_engine *r2 = NULL;
            CHECK_ST(openlines_engine_snapshot(a, &bytes, &n), OPENLINES_OK);
            CHECK_ST(openlines_engine_restore(bytes, n, &r2, NULL), OPENLINES_OK);
            openlines_bytes_free(bytes, n);
            openlines_engine_free(a);
            a = r2;
            restores++;
        }
    }
    for (k = OPENLINES_ACTION_DIALOG_OPENED; k <= OPENLINES_ACTION_DIALOG_CLOSED; k++) {
        if (!seen[k]) fprintf(stderr, "note: action kind %u never seen\n", k);
    }
    CHECK(ok > steps / 3 && errors > 0 && total_actions > steps / 2);
    printf("test_random: %ld steps (%ld accepted, %ld rejected identically), %ld actions, %ld restores\n", steps,
           ok, errors, total_actions, restores);
    free(j.p);
    free(sa.p);
    free(sb.p);
    openlines_engine_free(a);
    openlines_engine_free(b);
    return 0;
}
