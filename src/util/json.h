/*
 * json.h - the C face of the log hot-path JSON parser (simdjson, DOM API,
 * behind json_shim.cpp). No C++ type or exception crosses this header.
 *
 * Ownership: values (um_jval) and the strings they return point into the
 * parser's memory and are valid until the next um_json_parse() on the same
 * parser or um_json_free(). Copy what you keep.
 */
#ifndef UM_JSON_H
#define UM_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes that must be readable past the end of every buffer handed to
 * um_json_parse() (simdjson reads ahead). */
#define UM_JSON_PADDING 64
#define UM_JSON_MAX_DEPTH 64
#define UM_JSON_MAX_DOC (64u << 20)

typedef struct um_json um_json;
typedef struct um_jval {
    uint64_t w[2];
} um_jval;

typedef enum um_jtype {
    UM_J_MISSING = 0,
    UM_J_NULL,
    UM_J_BOOL,
    UM_J_INT,
    UM_J_UINT,
    UM_J_DOUBLE,
    UM_J_STRING,
    UM_J_ARRAY,
    UM_J_OBJECT
} um_jtype;

um_json *um_json_new(void);
void um_json_free(um_json *p);
/* Parses one document. Returns 0 and sets *root, or -1 and sets *err to a
 * static message (depth, capacity, UTF-8, syntax ...). */
int um_json_parse(um_json *p, const char *buf, size_t len, um_jval *root, const char **err);

um_jtype um_jtype_of(um_jval v);
static inline bool um_jok(um_jval v) { return um_jtype_of(v) != UM_J_MISSING; }
/* Object member by exact key; *count (may be NULL) gets how many members
 * carry that key, so callers can report duplicate keys. */
um_jval um_jget(um_jval obj, const char *key, unsigned *count);
/* Same, ASCII case-insensitive key. */
um_jval um_jget_ci(um_jval obj, const char *key, unsigned *count);
/* Dotted path "a.b.c" of exact keys; *dups (may be NULL) is incremented by
 * the number of duplicate keys met on the way. */
um_jval um_jpath(um_jval obj, const char *path, unsigned *dups);
/* String value (NUL-terminated) or NULL when not a string. */
const char *um_jstr(um_jval v, size_t *len);
/* Integer from an integer, an integral double, or a decimal string. */
bool um_jint(um_jval v, int64_t *out);
bool um_jdouble(um_jval v, double *out);
/* Boolean from a bool or the strings "true"/"false" (any case). */
bool um_jbool(um_jval v, bool *out);
/* Scalar as text: strings as they are, numbers and booleans formatted into
 * tmp; NULL for null, missing, arrays and objects. */
const char *um_jtext(um_jval v, char *tmp, size_t tmpsz);
size_t um_jlen(um_jval v);
/* Calls cb for each member (key set) or element (key NULL); stops when cb
 * returns non-zero and returns that value. */
typedef int (*um_jeach_fn)(void *ud, const char *key, size_t klen, um_jval val);
int um_jeach(um_jval v, um_jeach_fn cb, void *ud);

/* One member of an object as um_jmembers() lists it: the key, the value,
 * its type and, for a string, its text (NUL-terminated, slen bytes; a NUL
 * may sit inside). Borrowed from the parser (as um_jval). */
typedef struct um_jmember {
    const char *key;
    size_t klen;
    const char *str; /* strings only, else NULL */
    size_t slen;
    um_jval val;
    um_jtype type;
} um_jmember;
/* The members of an object in document order, the first max of them into
 * out; returns how many the object has (0 for a non-object): more than max
 * means out holds only the first max. One walk of the object, no call per
 * member (the hot path's field bags are built from it). */
size_t um_jmembers(um_jval obj, um_jmember *out, size_t max);

/* Offset of the first byte of a JSON text in a file head (after a UTF-8
 * BOM and white space), or -1 when the head does not start with '[' or '{'.
 * Used by the readers' format detection. */
static inline long um_json_head_start(const char *head, size_t n) {
    size_t i = 0;
    if (n >= 3 && (unsigned char)head[0] == 0xEF && (unsigned char)head[1] == 0xBB &&
        (unsigned char)head[2] == 0xBF)
        i = 3;
    while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n')) i++;
    return i < n && (head[i] == '[' || head[i] == '{') ? (long)i : -1;
}

#ifdef __cplusplus
}
#endif
#endif
