/*
 * fuzz_json.c - the JSON shim (src/util/json.h, simdjson behind it) over
 * arbitrary bytes: parse with the padding the header asks for, then walk the
 * whole tree through every accessor the readers use.
 *
 * Checked: every member found by um_jeach() is found again by um_jget() and
 * um_jget_ci() with a count of at least one, um_jstr() lengths match the
 * bytes up to the terminating NUL when the string holds no NUL, um_jlen()
 * matches the number of elements walked.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "um_fuzz.h"
#include "util/json.h"

static um_json *g_json;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    g_json = um_json_new();
    if (!g_json) um_fuzz_fail("um_json_new", NULL);
    return 0;
}

static volatile size_t g_sink;

typedef struct walk {
    um_jval parent;
    size_t n;
    int depth;
} walk;

static void walk_value(um_jval v, int depth);

static int on_member(void *ud, const char *key, size_t klen, um_jval val) {
    walk *w = ud;
    w->n++;
    if (key) {
        char k[256];
        if (klen < sizeof k && memchr(key, 0, klen) == NULL) {
            memcpy(k, key, klen);
            k[klen] = 0;
            unsigned c = 0, cci = 0, dups = 0;
            if (!um_jok(um_jget(w->parent, k, &c)) || c < 1) um_fuzz_soft("json: member not found by um_jget", k);
            if (!um_jok(um_jget_ci(w->parent, k, &cci)) || cci < c)
                um_fuzz_soft("json: member not found by um_jget_ci", k);
            /* um_jpath() cuts path segments at 127 bytes (and then looks the
             * rest up as a nested key), so longer keys are not checked */
            if (!strchr(k, '.') && klen > 0 && klen < 128 && !um_jok(um_jpath(w->parent, k, &dups)))
                um_fuzz_soft("json: member not found by um_jpath", k);
            (void)um_jpath(w->parent, k, &dups); /* dotted keys: any answer, no crash */
        }
    }
    walk_value(val, w->depth + 1);
    return 0;
}

static void walk_value(um_jval v, int depth) {
    if (depth > UM_JSON_MAX_DEPTH + 2) um_fuzz_soft("json: deeper than the parser's limit", NULL);
    char tmp[64];
    int64_t i;
    double d;
    bool b;
    size_t len = 0;
    const char *s = um_jstr(v, &len);
    if (s && memchr(s, 0, len) == NULL && strlen(s) != len) um_fuzz_soft("json: string length", NULL);
    const char *t = um_jtext(v, tmp, sizeof tmp);
    if (t) g_sink += strlen(t);
    const char *t2 = um_jtext(v, tmp, 4); /* a tmp too small for most numbers */
    if (t2) g_sink += strlen(t2);
    if (um_jint(v, &i)) g_sink += (size_t)i;
    if (um_jdouble(v, &d)) g_sink += d > 0;
    if (um_jbool(v, &b)) g_sink += b;
    um_jtype ty = um_jtype_of(v);
    if (ty == UM_J_ARRAY || ty == UM_J_OBJECT) {
        walk w = {v, 0, depth};
        um_jeach(v, on_member, &w);
        if (w.n != um_jlen(v)) um_fuzz_soft("json: um_jlen differs from the members walked", NULL);
        unsigned c = 0;
        (void)um_jget(v, "", &c);
        (void)um_jpath(v, "a.b.c", &c);
        (void)um_jpath(v, "..", &c);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* exact-size copy plus the padding simdjson may read, poisoned with
     * bytes that would change a parse if they were ever used */
    char *buf = malloc(size + UM_JSON_PADDING);
    if (!buf) return 0;
    if (size) memcpy(buf, data, size);
    memset(buf + size, '"', UM_JSON_PADDING);
    um_jval root;
    const char *err = NULL;
    if (um_json_parse(g_json, buf, size, &root, &err) == 0) {
        walk_value(root, 0);
        /* the parser is reused by the readers: parse a prefix again */
        if (size > 1 && um_json_parse(g_json, buf, size / 2, &root, &err) == 0) walk_value(root, 0);
    } else if (!err) {
        um_fuzz_soft("json: parse failed without a message", NULL);
    }
    free(buf);
    return 0;
}
