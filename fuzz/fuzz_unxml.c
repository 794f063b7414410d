/*
 * fuzz_unxml.c - the UN consolidated list loader (src/screen/lists.c, over
 * libxml2) with arbitrary bytes as consolidated.xml.
 *
 * Each input is loaded twice: once by the list loader alone
 * (um_sc_lists_load, internal API, so every loaded name can be inspected)
 * and once through um_screener_open with the small OFAC fixture of
 * um_fuzz_sanctions() beside it, followed by one name query (which one
 * depends on the input's size) whose results are walked.
 *
 * The loader promises no network access and no entity expansion
 * (XML_PARSE_NONET, no NOENT, no DTDLOAD). Checked here:
 *   - libxml2's external entity loader is replaced by one that lets the
 *     input file itself through and aborts on any other URL or path: a
 *     DTD, an external entity or a parameter entity being fetched;
 *   - a file secret.txt sits next to the input, holding a marker; a loaded
 *     name containing the marker when the input does not means an external
 *     entity was read;
 *   - no entity expansion: the harness parses the input itself with the
 *     loader's options and counts the non-space bytes of the text and
 *     CDATA nodes under the elements names come from (FIRST_NAME ..
 *     FOURTH_NAME, NAME_ORIGINAL_SCRIPT, ALIAS_NAME), entity references
 *     not followed; the loaded names cannot hold more non-space bytes than
 *     that unless a reference was expanded. (A cruder bound, names no
 *     longer than the input, catches blow-ups even if the two parses
 *     disagreed.)
 * And as for every target: the screener opens (the OFAC fixture always
 * gives names, so only out-of-memory may fail), results are readable.
 */
#include <string.h>

#include <libxml/parser.h>

#include "screen/screen_int.h"
#include "um_fuzz.h"

static const um_fuzz_lists *g_fx;
static char g_xml[512];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    g_fx = um_fuzz_sanctions();
    const char *dir = um_fuzz_mkdir("un");
    snprintf(g_xml, sizeof g_xml, "%s/consolidated.xml", dir);
    um_fuzz_xml_guard(dir, g_xml, NULL);
    return 0;
}

static const um_screen_query k_queries[] = {
    {"Kim Jong Sik", NULL, NULL, UM_SCREEN_ANY, 0, 0},
    {"\xea\xb9\x80\xec\xa0\x95\xec\x8b\x9d", "1968", "KP", UM_SCREEN_PERSON, 0, 0}, /* 김정식 */
    {"Korea Ryonbong General Corporation", NULL, NULL, UM_SCREEN_ENTITY, 0.3, 20},
    {"Ri Su Yong", NULL, NULL, UM_SCREEN_ANY, 0.01, 100},
};

static bool is_name_element(const xmlNode *n) {
    static const char *const names[] = {"FIRST_NAME",  "SECOND_NAME",          "THIRD_NAME",
                                        "FOURTH_NAME", "NAME_ORIGINAL_SCRIPT", "ALIAS_NAME"};
    if (n->type != XML_ELEMENT_NODE) return false;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp((const char *)n->name, names[i]) == 0) return true;
    return false;
}

static size_t nonspace(const char *s) {
    size_t k = 0;
    for (; *s; s++) k += !(*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r');
    return k;
}

/* Non-space bytes of the text and CDATA nodes inside name elements, in the
 * whole document; entity reference nodes are not entered. Iterative: the
 * parser's depth limit is 256, but the walk should not rely on it. */
static size_t name_text_bytes(const uint8_t *data, size_t size) {
    if (size > (size_t)INT32_MAX) return SIZE_MAX;
    xmlDoc *doc = xmlReadMemory((const char *)data, (int)size, g_xml, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) return 0;
    size_t total = 0;
    xmlNode *top = (xmlNode *)doc;
    size_t inside = 0; /* name elements open around c */
    for (xmlNode *c = top->children; c;) {
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content && inside)
            total += nonspace((const char *)c->content);
        if (c->type == XML_ELEMENT_NODE && c->children) {
            inside += is_name_element(c);
            c = c->children;
            continue;
        }
        while (c != top && !c->next) {
            c = c->parent;
            if (c != top) inside -= is_name_element(c);
        }
        c = c == top ? NULL : c->next;
    }
    xmlFreeDoc(doc);
    return total;
}

static void check_lists(const uint8_t *data, size_t size) {
    um_sc_lists L;
    char err[512] = "";
    um_status st = um_sc_lists_load(&L, NULL, g_xml, NULL, NULL, err, sizeof err);
    if (st != UM_OK && st != UM_ENOTFOUND && st != UM_ENOMEM) um_fuzz_fail("um_sc_lists_load", err);
    if (st == UM_ENOTFOUND && L.n_nm) um_fuzz_fail("names loaded but 'nothing could be read'", err);
    bool has_secret = um_fuzz_contains(data, size, UM_FUZZ_SECRET);
    size_t total = 0, solid = 0;
    for (size_t i = 0; i < L.n_nm; i++) {
        const um_sc_lname *n = &L.nm[i];
        if (!n->name || !n->kind) um_fuzz_fail("loaded name without text or kind", NULL);
        if (n->entry >= L.n_e) um_fuzz_fail("loaded name of no entry", n->name);
        if (!has_secret && strstr(n->name, UM_FUZZ_SECRET)) um_fuzz_fail("an external entity was read", n->name);
        total += strlen(n->name);
        solid += nonspace(n->name);
    }
    size_t text = L.n_nm ? name_text_bytes(data, size) : 0;
    if (solid > text) {
        char msg[96];
        snprintf(msg, sizeof msg, "%zu non-space bytes of names from %zu of text", solid, text);
        um_fuzz_fail("entity references were expanded", msg);
    }
    if (total > size) {
        char msg[96];
        snprintf(msg, sizeof msg, "%zu bytes of names from a %zu-byte file", total, size);
        um_fuzz_fail("entity references were expanded", msg);
    }
    for (size_t i = 0; i < L.n_e; i++)
        if (!L.e[i].uid || !L.e[i].primary || !L.e[i].programs) um_fuzz_fail("entry with a NULL field", NULL);
    um_sc_lists_free(&L);
    /* the same bytes as an EU financial sanctions file (FSF XML) */
    st = um_sc_lists_load(&L, NULL, NULL, g_xml, NULL, err, sizeof err);
    if (st != UM_OK && st != UM_ENOTFOUND && st != UM_ENOMEM) um_fuzz_fail("um_sc_lists_load (EU)", err);
    total = 0;
    for (size_t i = 0; i < L.n_nm; i++) {
        const um_sc_lname *n = &L.nm[i];
        if (!n->name || !n->kind || n->entry >= L.n_e) um_fuzz_fail("EU: bad loaded name", NULL);
        if (!has_secret && strstr(n->name, UM_FUZZ_SECRET)) um_fuzz_fail("EU: an external entity was read", n->name);
        total += strlen(n->name);
    }
    if (total > size) um_fuzz_fail("EU: entity references were expanded", NULL);
    for (size_t i = 0; i < L.n_e; i++)
        if (!L.e[i].uid || !L.e[i].primary || !L.e[i].programs) um_fuzz_fail("EU: entry with a NULL field", NULL);
    um_sc_lists_free(&L);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    um_fuzz_write("un/consolidated.xml", data, size);
    check_lists(data, size);

    um_screener_options o = {0};
    o.data_dir = g_fx->data_dir;
    o.ofac_dir = g_fx->ofac_dir;
    o.un_xml = g_xml;
    const um_screen_query *q = &k_queries[size % (sizeof k_queries / sizeof k_queries[0])];
    um_fuzz_screen_once(&o, q, size % 2 ? "email" : "wallet",
                        size % 2 ? "pak.ex@example.net" : "0xabcdef0123456789abcdef0123456789abcdef99",
                        "um_screener_open failed on a bad UN file");
    return 0;
}
