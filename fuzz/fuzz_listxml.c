/*
 * fuzz_listxml.c - the streamed XML list loaders (src/screen/lists.c, over
 * libxml2's pull parser) with arbitrary bytes as the file: built twice,
 *   fuzz_ukxml    (UM_FUZZ_UK=1)  as the UK Sanctions List XML
 *   fuzz_ofacxml  (UM_FUZZ_UK=0)  as OFAC's advanced XML (sdn_advanced.xml)
 *
 * Each input is loaded by the list loader alone (internal API, every name
 * inspected) and then through um_screener_open with the small fixture of
 * um_fuzz_sanctions() beside it, followed by one name query and one
 * identifier query whose results are walked.
 *
 * Checked: no external resource is loaded (libxml2's external entity
 * loader is replaced by one that lets only the input through); a marker in
 * a file beside the input never turns up in a loaded name unless the input
 * holds it; the loaded names and identifiers hold no more bytes than the
 * input (no entity expansion); every entry has its fields, every name an
 * entry; a list is loaded whole or not at all (a read error leaves no
 * entry of it); and the screener opens and answers.
 */
#include <string.h>

#include "screen/screen_int.h"
#include "um_fuzz.h"

#ifndef UM_FUZZ_UK
#define UM_FUZZ_UK 1
#endif

static const um_fuzz_lists *g_fx;
static char g_xml[1100], g_dir[512];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    g_fx = um_fuzz_sanctions();
    snprintf(g_dir, sizeof g_dir, "%s", um_fuzz_mkdir("lx"));
    snprintf(g_xml, sizeof g_xml, "%s/%s", g_dir, UM_FUZZ_UK ? "UK-Sanctions-List.xml" : "sdn_advanced.xml");
    um_fuzz_xml_guard(g_dir, g_xml, g_fx->un_xml);
    return 0;
}

static void check_lists(const uint8_t *data, size_t size) {
    um_sc_lists L;
    char err[512] = "";
    um_sc_list_paths p = {0};
    if (UM_FUZZ_UK) p.uk_xml = g_xml;
    else p.ofac_dir = g_dir;
    um_status st = um_sc_lists_load_paths(&L, &p, err, sizeof err);
    if (st != UM_OK && st != UM_ENOTFOUND && st != UM_ENOMEM) um_fuzz_fail("um_sc_lists_load_paths", err);
    if (st == UM_ENOTFOUND && L.n_nm) um_fuzz_fail("names loaded but 'nothing could be read'", err);
    bool has_secret = um_fuzz_contains(data, size, UM_FUZZ_SECRET);
    bool rolled_back = false;
    for (size_t i = 0; i < L.n_warnings; i++)
        rolled_back |= strstr(L.warnings[i], "not loaded") != NULL && strstr(L.warnings[i], g_xml) != NULL;
    if (rolled_back && L.n_e) um_fuzz_fail("a list that was not loaded left entries", NULL);
    size_t total = 0;
    for (size_t i = 0; i < L.n_nm; i++) {
        const um_sc_lname *n = &L.nm[i];
        if (!n->name || !n->kind) um_fuzz_fail("loaded name without text or kind", NULL);
        if (n->entry >= L.n_e) um_fuzz_fail("loaded name of no entry", n->name);
        if (!has_secret && strstr(n->name, UM_FUZZ_SECRET)) um_fuzz_fail("an external entity was read", n->name);
        total += strlen(n->name);
    }
    for (size_t i = 0; i < L.n_id; i++) {
        if (!L.id[i].type || !L.id[i].value || L.id[i].entry >= L.n_e) um_fuzz_fail("bad identifier", NULL);
        total += strlen(L.id[i].value);
    }
    /* a name is at most its parts joined with ", " or " ": twice the input bounds it */
    if (total > 2 * size + 16) {
        char msg[96];
        snprintf(msg, sizeof msg, "%zu bytes of names from a %zu-byte file", total, size);
        um_fuzz_fail("entity references were expanded", msg);
    }
    for (size_t i = 0; i < L.n_e; i++) {
        const um_sc_entry *e = &L.e[i];
        if (!e->uid || !e->primary || !e->programs || !e->list) um_fuzz_fail("entry with a NULL field", NULL);
        if (e->n_dob > UM_SC_MAX_DOB || e->n_nat > UM_SC_MAX_CC || e->n_cc > UM_SC_MAX_CC)
            um_fuzz_fail("entry attribute count out of range", e->uid);
        for (unsigned k = 0; k < e->n_dob; k++)
            if (e->dob[k].y0 > e->dob[k].y1 || e->dob[k].m > 12 || e->dob[k].d > 31)
                um_fuzz_fail("bad date of birth", e->uid);
    }
    for (size_t i = 0; i < L.n_files; i++)
        if (!L.files[i].list || !L.files[i].path || !L.files[i].what) um_fuzz_fail("list file with a NULL field", NULL);
    um_sc_lists_free(&L);
}

static const um_screen_query k_queries[] = {
    {"Kim Jong Sik", NULL, NULL, UM_SCREEN_ANY, 0, 0},
    {"Example Chol Pakryong", "1976-04-12", "KP", UM_SCREEN_PERSON, 0, 0},
    {"Korea Mining Development Trading Corporation", NULL, NULL, UM_SCREEN_ENTITY, 0.3, 20},
    {"Ri Su Yong", NULL, NULL, UM_SCREEN_ANY, 0.01, 100},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    um_fuzz_write(UM_FUZZ_UK ? "lx/UK-Sanctions-List.xml" : "lx/sdn_advanced.xml", data, size);
    check_lists(data, size);

    um_screener_options o = {0};
    o.data_dir = g_fx->data_dir;
    o.un_xml = g_fx->un_xml;
    if (UM_FUZZ_UK) {
        o.ofac_dir = g_fx->ofac_dir;
        o.uk_xml = g_xml;
    } else {
        o.ofac_dir = g_dir; /* the advanced file alone: the UN fixture keeps the screener non-empty */
    }
    const um_screen_query *q = &k_queries[size % (sizeof k_queries / sizeof k_queries[0])];
    um_fuzz_screen_once(&o, q, size % 2 ? "email" : "wallet",
                        size % 2 ? "pak.ex@example.net" : "0xabcdef0123456789abcdef0123456789abcdef99",
                        "um_screener_open failed on a bad list file");
    return 0;
}
