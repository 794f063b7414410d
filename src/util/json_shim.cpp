// json_shim.cpp - simdjson (DOM API, error codes, no exceptions) behind json.h.
#include "json.h"
#include "cfmt.h"

#include <simdjson.h>

#include <cstdio>
#include <cstring>
#include <new>
#include <type_traits>

using simdjson::dom::element;
using simdjson::dom::element_type;

static_assert(sizeof(element) <= sizeof(um_jval), "dom::element must fit um_jval");
static_assert(std::is_trivially_copyable<element>::value, "dom::element must be copyable");

struct um_json {
    simdjson::dom::parser parser;
    um_json() : parser(UM_JSON_MAX_DOC) {}
};

static inline um_jval wrap(const element &e) {
    um_jval v;
    std::memset(&v, 0, sizeof v);
    std::memcpy(&v, &e, sizeof e);
    return v;
}

static inline bool missing(um_jval v) { return v.w[0] == 0 && v.w[1] == 0; }

static inline element unwrap(um_jval v) {
    element e;
    std::memcpy(static_cast<void *>(&e), &v, sizeof e);
    return e;
}

extern "C" um_json *um_json_new(void) {
    um_json *p = new (std::nothrow) um_json();
    if (!p) return nullptr;
    if (p->parser.allocate(64 * 1024, UM_JSON_MAX_DEPTH) != simdjson::SUCCESS) {
        delete p;
        return nullptr;
    }
    return p;
}

extern "C" void um_json_free(um_json *p) { delete p; }

extern "C" int um_json_parse(um_json *p, const char *buf, size_t len, um_jval *root,
                             const char **err) {
    if (len > UM_JSON_MAX_DOC) {
        *err = "document larger than the 64 MiB limit";
        return -1;
    }
    if (len > p->parser.capacity()) {
        size_t cap = p->parser.capacity();
        while (cap < len) cap *= 2;
        if (cap > UM_JSON_MAX_DOC) cap = UM_JSON_MAX_DOC;
        if (p->parser.allocate(cap, UM_JSON_MAX_DEPTH) != simdjson::SUCCESS) {
            *err = "out of memory";
            return -1;
        }
    }
    element e;
    auto error = p->parser.parse(reinterpret_cast<const uint8_t *>(buf), len, false).get(e);
    if (error) {
        *err = simdjson::error_message(error);
        return -1;
    }
    *root = wrap(e);
    return 0;
}

static inline um_jtype type_of(const element &e) {
    switch (e.type()) {
    case element_type::NULL_VALUE: return UM_J_NULL;
    case element_type::BOOL: return UM_J_BOOL;
    case element_type::INT64: return UM_J_INT;
    case element_type::UINT64: return UM_J_UINT;
    case element_type::DOUBLE: return UM_J_DOUBLE;
    case element_type::STRING: return UM_J_STRING;
    case element_type::ARRAY: return UM_J_ARRAY;
    case element_type::OBJECT: return UM_J_OBJECT;
    }
    return UM_J_MISSING;
}

extern "C" um_jtype um_jtype_of(um_jval v) {
    if (missing(v)) return UM_J_MISSING;
    return type_of(unwrap(v));
}

static bool key_eq_ci(std::string_view k, const char *key) {
    size_t n = std::strlen(key);
    if (k.size() != n) return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char a = static_cast<unsigned char>(k[i]), b = static_cast<unsigned char>(key[i]);
        if (a >= 'A' && a <= 'Z') a = static_cast<unsigned char>(a + 32);
        if (b >= 'A' && b <= 'Z') b = static_cast<unsigned char>(b + 32);
        if (a != b) return false;
    }
    return true;
}

static um_jval get_impl(um_jval obj, const char *key, unsigned *count, bool ci) {
    um_jval out;
    std::memset(&out, 0, sizeof out);
    unsigned c = 0;
    if (!missing(obj)) {
        simdjson::dom::object o;
        if (!unwrap(obj).get(o)) {
            const std::string_view k(key); /* one strlen per lookup, not per member */
            for (auto field : o) {
                if (field.key.size() != k.size()) continue;
                bool eq = ci ? key_eq_ci(field.key, key)
                             : std::memcmp(field.key.data(), k.data(), k.size()) == 0;
                if (eq && c++ == 0) out = wrap(field.value);
            }
        }
    }
    if (count) *count = c;
    return out;
}

extern "C" um_jval um_jget(um_jval obj, const char *key, unsigned *count) {
    return get_impl(obj, key, count, false);
}

extern "C" um_jval um_jget_ci(um_jval obj, const char *key, unsigned *count) {
    return get_impl(obj, key, count, true);
}

extern "C" um_jval um_jpath(um_jval obj, const char *path, unsigned *dups) {
    char part[128];
    um_jval cur = obj;
    const char *p = path;
    while (*p) {
        const char *dot = std::strchr(p, '.');
        size_t n = dot ? static_cast<size_t>(dot - p) : std::strlen(p);
        if (n >= sizeof part) { /* no key we look up is this long */
            um_jval none;
            std::memset(&none, 0, sizeof none);
            return none;
        }
        std::memcpy(part, p, n);
        part[n] = 0;
        unsigned c = 0;
        cur = um_jget(cur, part, &c);
        if (dups && c > 1) *dups += c - 1;
        if (missing(cur)) return cur;
        p = dot ? dot + 1 : p + n;
    }
    return cur;
}

extern "C" const char *um_jstr(um_jval v, size_t *len) {
    if (missing(v)) return nullptr;
    const char *s;
    element e = unwrap(v);
    if (e.get_c_str().get(s)) return nullptr;
    if (len) *len = e.get_string_length().value_unsafe();
    return s;
}

extern "C" bool um_jint(um_jval v, int64_t *out) {
    if (missing(v)) return false;
    element e = unwrap(v);
    int64_t i;
    if (!e.get_int64().get(i)) {
        *out = i;
        return true;
    }
    uint64_t u;
    if (!e.get_uint64().get(u)) {
        if (u > static_cast<uint64_t>(INT64_MAX)) return false;
        *out = static_cast<int64_t>(u);
        return true;
    }
    double d;
    if (!e.get_double().get(d)) {
        if (d != d || d < -9.2e18 || d > 9.2e18 || static_cast<double>(static_cast<int64_t>(d)) != d)
            return false;
        *out = static_cast<int64_t>(d);
        return true;
    }
    const char *s;
    if (!e.get_c_str().get(s)) {
        size_t i0 = 0, n = std::strlen(s);
        while (i0 < n && s[i0] == ' ') i0++;
        bool neg = i0 < n && s[i0] == '-';
        if (neg) i0++;
        if (i0 >= n || n - i0 > 18) return false;
        int64_t r = 0;
        for (size_t k = i0; k < n; k++) {
            if (s[k] < '0' || s[k] > '9') return false;
            r = r * 10 + (s[k] - '0');
        }
        *out = neg ? -r : r;
        return true;
    }
    return false;
}

extern "C" bool um_jdouble(um_jval v, double *out) {
    if (missing(v)) return false;
    element e = unwrap(v);
    double d;
    if (!e.get_double().get(d)) {
        *out = d;
        return true;
    }
    int64_t i;
    if (um_jint(v, &i)) {
        *out = static_cast<double>(i);
        return true;
    }
    return false;
}

extern "C" bool um_jbool(um_jval v, bool *out) {
    if (missing(v)) return false;
    element e = unwrap(v);
    bool b;
    if (!e.get_bool().get(b)) {
        *out = b;
        return true;
    }
    const char *s;
    if (!e.get_c_str().get(s)) {
        if (key_eq_ci(s, "true")) { *out = true; return true; }
        if (key_eq_ci(s, "false")) { *out = false; return true; }
    }
    return false;
}

/* Decimal text of an integer without printf (numbers in every Windows
 * record go through here). */
static const char *utoa(uint64_t u, bool neg, char *tmp, size_t tmpsz) {
    char b[24];
    size_t n = 0;
    do {
        b[n++] = static_cast<char>('0' + u % 10);
        u /= 10;
    } while (u);
    if (neg) b[n++] = '-';
    if (n + 1 > tmpsz) return nullptr;
    for (size_t k = 0; k < n; k++) tmp[k] = b[n - 1 - k];
    tmp[n] = 0;
    return tmp;
}

extern "C" const char *um_jtext(um_jval v, char *tmp, size_t tmpsz) {
    switch (um_jtype_of(v)) {
    case UM_J_STRING: return um_jstr(v, nullptr);
    case UM_J_INT: {
        int64_t i = 0;
        um_jint(v, &i);
        uint64_t u = i < 0 ? 0 - static_cast<uint64_t>(i) : static_cast<uint64_t>(i);
        return utoa(u, i < 0, tmp, tmpsz);
    }
    case UM_J_UINT: {
        uint64_t u = 0;
        if (unwrap(v).get_uint64().get(u)) return nullptr;
        return utoa(u, false, tmp, tmpsz);
    }
    case UM_J_DOUBLE: {
        double d = 0;
        if (unwrap(v).get_double().get(d)) return nullptr;
        um_snprintf(tmp, tmpsz, "%.17g", d);
        return tmp;
    }
    case UM_J_BOOL: {
        bool b = false;
        if (unwrap(v).get_bool().get(b)) return nullptr;
        std::snprintf(tmp, tmpsz, "%s", b ? "true" : "false");
        return tmp;
    }
    default: return nullptr;
    }
}

extern "C" size_t um_jlen(um_jval v) {
    if (missing(v)) return 0;
    element e = unwrap(v);
    simdjson::dom::array a;
    if (!e.get(a)) return a.size();
    simdjson::dom::object o;
    if (!e.get(o)) return o.size();
    return 0;
}

extern "C" int um_jeach(um_jval v, um_jeach_fn cb, void *ud) {
    if (missing(v)) return 0;
    element e = unwrap(v);
    simdjson::dom::array a;
    if (!e.get(a)) {
        for (element x : a) {
            int r = cb(ud, nullptr, 0, wrap(x));
            if (r) return r;
        }
        return 0;
    }
    simdjson::dom::object o;
    if (!e.get(o)) {
        for (auto f : o) {
            int r = cb(ud, f.key.data(), f.key.size(), wrap(f.value));
            if (r) return r;
        }
    }
    return 0;
}

extern "C" size_t um_jmembers(um_jval v, um_jmember *out, size_t max) {
    if (missing(v)) return 0;
    simdjson::dom::object o;
    if (unwrap(v).get(o)) return 0;
    size_t n = 0;
    for (auto f : o) {
        if (n < max) {
            um_jmember *m = &out[n];
            m->key = f.key.data();
            m->klen = f.key.size();
            m->val = wrap(f.value);
            m->type = type_of(f.value);
            if (m->type == UM_J_STRING) {
                std::string_view sv = f.value.get_string().value_unsafe();
                m->str = sv.data(); /* the DOM keeps a NUL after every string */
                m->slen = sv.size();
            } else {
                m->str = nullptr;
                m->slen = 0;
            }
        }
        n++;
    }
    return n;
}
