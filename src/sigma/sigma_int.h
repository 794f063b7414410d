/*
 * sigma_int.h - the compiled form of Sigma rules, shared by compile.c,
 * match.c and corr.c. Not installed.
 *
 * A rule's detection becomes a tree of nodes over "tests". A test is one
 * value check on one field (slot) - a string pattern (in the vectorscan db of
 * its group and field), an exact value (in the exact hash set), or a direct
 * check (null, exists, number, cidr, fieldref, PCRE2 regex) evaluated per
 * event. Rules are grouped by logsource key; an event is classified into
 * keys (category, service, any) and only those groups run. Within a group
 * only rules with a true test, plus rules true when every test is false,
 * are evaluated.
 */
#ifndef UM_SIGMA_INT_H
#define UM_SIGMA_INT_H

#include <hs/hs.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "../util/util.h"
#include "sigma.h"

/* logsource keys */
enum {
    SG_KEY_ANY = 0, /* product: windows alone */
#define SG_CAT(id, name) SG_KEY_##id,
#include "logsource.def"
#undef SG_CAT
    SG_KEY__COUNT
};

enum sg_tkind {
    TK_PAT,      /* in the field's vectorscan db */
    TK_EXACT,    /* in the exact hash set (lower-case value) */
    TK_KEYWORD,  /* in the group's keyword db: any field value */
    TK_NULL,     /* field absent or empty */
    TK_ANY,      /* field present and not empty ('*') */
    TK_EXISTS,   /* field present (u.want) */
    TK_NUM,      /* numeric comparison */
    TK_CIDR,     /* value is an IP inside one of the networks */
    TK_FIELDREF, /* value compared with another field's value */
    TK_PCRE      /* regex vectorscan does not support */
};

enum { CMP_GT, CMP_GTE, CMP_LT, CMP_LTE };
enum { REF_EQ, REF_CONTAINS, REF_START, REF_END };

typedef struct sg_net {
    uint8_t addr[16];
    uint8_t bits; /* prefix length (on the 16-byte form; v4 mapped) */
} sg_net;

typedef struct sg_test {
    uint32_t rule;
    int32_t slot;   /* field slot, -1 for keywords */
    uint8_t kind;
    bool cased;
    const char *expr;  /* TK_PAT/TK_KEYWORD: vectorscan expression; TK_EXACT: lower value */
    size_t exprlen;
    unsigned hsflags;
    union {
        struct { int op; double v; } num;
        bool want;
        struct { uint32_t first, n; } cidr;
        struct { int32_t other; int mode; } ref;
        pcre2_code *re;
    } u;
} sg_test;

enum { N_TEST, N_AND, N_OR, N_NOT, N_CONST };
typedef struct sg_node {
    uint8_t op;
    uint32_t a; /* test id, child node (NOT), first kid (AND/OR), value (CONST) */
    uint32_t n; /* kids (AND/OR) */
} sg_node;

typedef struct sg_attr {
    const char *name, *value;
} sg_attr;

enum { CT_EVENT_COUNT, CT_VALUE_COUNT, CT_TEMPORAL, CT_TEMPORAL_ORDERED };

typedef struct sg_corr {
    int type;
    uint32_t *rules; /* base rule indexes, in order */
    size_t nrules;
    int32_t *group_slots; /* per group-by field, per base rule: nrules * ngroup */
    const char **group_names;
    size_t ngroup;
    int32_t *value_slots; /* value_count: per base rule */
    const char *value_field;
    int64_t span_us;
    bool has_lo, has_hi;
    uint64_t lo, hi; /* count >= lo, count <= hi */
} sg_corr;

typedef struct sg_rule {
    um_sigma_rule_info info;
    sg_attr *attrs;
    size_t nattrs;
    uint32_t root;
    uint32_t test_first, test_n;
    int key;
    bool refused;
    sg_corr *corr;      /* correlation rules */
    uint32_t *corr_of;  /* base rules: correlations that use it */
    size_t ncorr_of;
} sg_rule;

/* CSR list of tests per pattern id */
typedef struct sg_fielddb {
    int32_t slot;
    hs_database_t *db;
    uint32_t *pat_first; /* npat + 1 */
    uint32_t *pat_tests;
    unsigned npat;
    bool has_exact;
} sg_fielddb;

typedef struct sg_group {
    int key;
    uint32_t *rules;
    size_t nrules;
    sg_fielddb *fields;
    size_t nfields;
    sg_fielddb kw; /* keyword db (slot -1) */
    uint32_t *direct; /* tests evaluated per event */
    size_t ndirect;
    uint32_t *always; /* rules true when no test is true */
    size_t nalways;
} sg_group;

typedef struct sg_exact {
    uint32_t n, cap;
    uint32_t *t;
} sg_exact;

struct um_sigma_db {
    um_arena arena;
    uint64_t digest; /* of the rule texts, in the order added */
    sg_rule *rules;
    size_t nrules;
    sg_test *tests;
    size_t ntests;
    sg_node *nodes;
    size_t nnodes;
    uint32_t *kids;
    size_t nkids;
    sg_net *nets;
    size_t nnets;
    const char **slot_names; /* canonical (rule) spelling */
    size_t nslots;
    um_map slots;  /* lower-case field name -> slot + 1 */
    um_map exact;  /* [group u32][slot u32][lower value] -> sg_exact* */
    sg_exact **exacts;
    size_t nexacts;
    sg_group *groups;
    size_t ngroups;
    int group_of_key[SG_KEY__COUNT]; /* -1 none */
    size_t npatterns;
    int slot_provider; /* slot of provider_name, -1 when no rule uses it */
    bool has_corr;
    hs_scratch_t *proto; /* scratch sized for every db (cloned per scratch) */
};

#define SG_NAME_CACHE 1024 /* distinct raw field names remembered per scratch */
#define SG_NAME_MAX 64
#define SG_MAX_EVENT_FIELDS 512 /* fields of one event looked at */
typedef struct sg_name {
    bool used;
    uint8_t len;
    uint8_t role;
    uint32_t hash;
    int32_t slot, slot4688, own4688;
    char raw[SG_NAME_MAX];
} sg_name;

struct um_sigma_scratch {
    sg_name *names;
    sg_name tmpname[2];
    int32_t ev_slot[SG_MAX_EVENT_FIELDS], ev_slot4688[SG_MAX_EVENT_FIELDS], ev_own4688[SG_MAX_EVENT_FIELDS];
    const um_sigma_db *db;
    hs_scratch_t *hs;
    pcre2_match_data *md;
    uint32_t gen;
    uint32_t *test_stamp;
    uint32_t *rule_stamp;
    uint32_t *slot_stamp;
    um_sigma_kv *slot_val;
    uint32_t *cand;
    size_t ncand;
    char *low; /* lower-case buffer for exact lookups */
    size_t lowcap;
    char *key; /* correlation key buffer */
    size_t keycap;
};

/* match.c: value of slot in the current event (after um_sigma_match indexed
 * it), or NULL. */
const um_sigma_kv *sg_slot_value(const um_sigma_scratch *s, int32_t slot);
/* compile.c: canonical lower-case field name after aliases; writes into buf. */
size_t sg_canon_field(const char *name, size_t n, char *buf, size_t cap);
int sg_slot_find(const um_sigma_db *db, const char *lname, size_t n);

#endif
