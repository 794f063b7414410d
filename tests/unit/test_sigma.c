/*
 * test_sigma.c - the Sigma engine's C API (src/sigma/sigma.h): compile once,
 * match through borrowed field views, hit fields point into the event, the
 * refusal carries file/line/feature, and two threads share one db with their
 * own scratch and get the same hits as one thread.
 */
#include <pthread.h>

#include "../harness.h"
#include "sigma/sigma.h"
#include "util/wordhash.h"

static const char rules[] =
    "title: AnyDesk started\nid: r1\nunmask_indicator: EP-02\nunmask_tool: AnyDesk\n"
    "logsource: {product: windows, category: process_creation}\n"
    "detection:\n  sel:\n    Image|endswith: '\\AnyDesk.exe'\n  condition: sel\n"
    "---\n"
    "title: TeamViewer as a target\nid: r2\n"
    "logsource: {product: windows, category: process_access}\n"
    "detection:\n  sel:\n    TargetImage|endswith: '\\TeamViewer.exe'\n  condition: sel\n"
    "---\n"
    "title: expand is refused\nid: r3\n"
    "logsource: {product: windows, category: process_creation}\n"
    "detection:\n  sel:\n    User|expand: '%x%'\n  condition: sel\n";

#define KV(n, v) {n, sizeof(n) - 1, v, sizeof(v) - 1}
static const um_sigma_kv proc[] = {KV("EventID", "1"), KV("Channel", "Microsoft-Windows-Sysmon/Operational"),
                                   KV("Image", "C:\\Users\\x\\Downloads\\anydesk.EXE")};
static const um_sigma_kv beat[] = {KV("winlog.event_id", "10"), KV("winlog.provider_name", "Microsoft-Windows-Sysmon"),
                                   KV("winlog.event_data.TargetImage", "C:\\Program Files\\TeamViewer\\TeamViewer.exe")};
static const um_sigma_kv other[] = {KV("EventID", "1"), KV("Channel", "Microsoft-Windows-Sysmon/Operational"),
                                    KV("Image", "C:\\Windows\\notepad.exe")};

typedef struct got {
    size_t hits, rule;
    const um_sigma_kv *ev;
    size_t evn;
    bool inside;
} got;

static int on_hit(void *ud, const um_sigma_hit *h) {
    got *g = ud;
    g->hits++;
    g->rule = h->rule;
    g->inside = h->nfields > 0;
    for (size_t i = 0; i < h->nfields; i++) {
        bool in = false;
        for (size_t k = 0; k < g->evn; k++)
            if (h->fields[i].value == g->ev[k].value) in = true;
        if (!in) g->inside = false;
    }
    return 0;
}

static um_sigma_db *db;

/* Matches twice: the matcher hashing the names, then with the names'
 * hashes given (as the field bag passes them); both must agree. */
static size_t run(um_sigma_scratch *s, const um_sigma_kv *f, size_t n, size_t *rule, bool *inside) {
    got g = {0, 0, f, n, false};
    um_sigma_event ev = {f, n, 0, NULL};
    um_sigma_match(db, s, &ev, on_hit, &g);
    uint32_t hash[8];
    CHECK(n <= 8);
    for (size_t i = 0; i < n && i < 8; i++) hash[i] = um_word_hash(f[i].name, f[i].nlen, true, NULL);
    got g2 = {0, 0, f, n, false};
    ev.hash = hash;
    um_sigma_match(db, s, &ev, on_hit, &g2);
    CHECK(g2.hits == g.hits && g2.rule == g.rule && g2.inside == g.inside);
    if (rule) *rule = g.rule;
    if (inside) *inside = g.inside;
    return g.hits;
}

static void test_api(void) {
    size_t rule;
    bool inside;
    um_sigma_scratch *s = NULL;
    CHECK(um_sigma_scratch_new(db, &s) == UM_OK);
    CHECK_INTEQ(run(s, proc, 3, &rule, &inside), 1);
    CHECK(inside);
    CHECK_STREQ(um_sigma_rule_at(db, rule)->id, "r1");
    CHECK_STREQ(um_sigma_rule_attr(db, rule, "unmask_indicator"), "EP-02");
    CHECK_INTEQ(run(s, beat, 3, &rule, NULL), 1);
    CHECK_STREQ(um_sigma_rule_at(db, rule)->id, "r2");
    CHECK_INTEQ(run(s, other, 3, NULL, NULL), 0);
    um_sigma_scratch_free(s);
}

static void *worker(void *arg) {
    um_sigma_scratch *s = NULL;
    size_t *n = arg;
    if (um_sigma_scratch_new(db, &s) != UM_OK) return NULL;
    for (int i = 0; i < 20000; i++) {
        *n += run(s, proc, 3, NULL, NULL);
        *n += run(s, beat, 3, NULL, NULL);
        *n += run(s, other, 3, NULL, NULL);
    }
    um_sigma_scratch_free(s);
    return NULL;
}

static void test_threads(void) {
    pthread_t t[2];
    size_t n[2] = {0, 0};
    for (int i = 0; i < 2; i++) CHECK(pthread_create(&t[i], NULL, worker, &n[i]) == 0);
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    CHECK_INTEQ(n[0], 40000);
    CHECK_INTEQ(n[1], 40000);
}

int main(void) {
    um_sigma_compiler *c = NULL;
    CHECK(um_sigma_compiler_new(&c) == UM_OK);
    CHECK(um_sigma_add_text(c, "mem.yml", rules, sizeof rules - 1) == UM_OK);
    CHECK_INTEQ(um_sigma_refusal_count(c), 1);
    const um_sigma_refusal *r = um_sigma_refusal_at(c, 0);
    if (r) {
        CHECK_STREQ(r->file, "mem.yml");
        CHECK_INTEQ(r->line, 24); /* the User|expand line */
        CHECK(strstr(r->message, "'|expand'") != NULL);
    }
    CHECK(um_sigma_compile(c, &db) == UM_OK);
    um_sigma_compiler_free(c);
    if (db) {
        RUN(test_api);
        RUN(test_threads);
    }
    um_sigma_db_free(db);
    return um_t_report();
}
