/* wire.c - bytes on the bus: work units, frames, recorded reader output (wire.h). */
#include "wire.h"

#include "../core/pstate.h"

#include <stdlib.h>
#include <string.h>

enum { TAG_EVENT = 1, TAG_REJECT = 2, TAG_WARN = 3, TAG_END = 4, TAG_PART = 5 };
#define MAX_SUMMARY (1u << 20) /* a reader's part summary (winjson's holds tables) */
#define N_STRS 26
#define MAX_STR (16u << 20)
#define TS_BOUND ((int64_t)1 << 62)

/* The event's strings, in wire order (the order threads.c copies them). */
static void event_strs(um_event *e, const char **s[N_STRS]) {
    const char **a[N_STRS] = {&e->user,     &e->user_name,   &e->host,         &e->ip,          &e->country,
                              &e->city,     &e->as_org,      &e->action,       &e->app,         &e->image,
                              &e->cmdline,  &e->product,     &e->company,      &e->description, &e->original_file,
                              &e->parent_image, &e->target,  &e->device_id,    &e->device_desc, &e->usb_serial,
                              &e->subject_text, &e->src_file, &e->record_id,   &e->ip_country,  &e->ip_org,
                              &e->browser_hash};
    memcpy(s, a, sizeof a);
}

/* ---- encoding: the varints and strings of pstate.h (um_pk_*) ---- */

void um_wire_frame_put(um_buf *out, const char magic[4], uint32_t part) {
    unsigned char h[UM_WIRE_FRAME_HDR];
    memcpy(h, magic, 4);
    for (int i = 0; i < 4; i++) h[4 + i] = (unsigned char)(part >> (8 * i));
    um_buf_add(out, (const char *)h, sizeof h);
}

bool um_wire_frame_get(const void *p, size_t n, const char magic[4], uint32_t *part) {
    const unsigned char *h = p;
    if (n < UM_WIRE_FRAME_HDR || memcmp(h, magic, 4) != 0) return false;
    *part = (uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 24;
    return true;
}

void um_wire_unit_put(um_buf *out, const um_wire_unit *u) {
    um_buf_add(out, "UMW1", 4);
    um_pk_s(out, u->scan_id);
    um_pk_u(out, u->unit);
    um_pk_s(out, u->reader);
    um_pk_s(out, u->path);
    um_pk_u(out, u->size);
    um_pk_u(out, u->parts);
    um_pk_u(out, u->frame);
    um_pk_u(out, u->prefilter);
    if (u->part_count > 1) { /* one line-aligned part of a split file */
        um_pk_u(out, u->part_index);
        um_pk_u(out, u->part_count);
    }
}

void um_wire_put_part(um_buf *out, uint64_t lines, const void *summary, size_t n) {
    um_pk_u(out, TAG_PART);
    um_pk_u(out, lines);
    um_pk_sn(out, summary ? summary : "", n);
}

void um_wire_put_batch(um_buf *out, const um_rec_batch *b, const char *in_path) {
    for (size_t i = 0; i < b->n; i++) {
        const um_rec_item *it = &b->items[i];
        if (it->kind != UM_REC_EVENT) {
            um_pk_u(out, it->kind == UM_REC_REJECT ? TAG_REJECT : TAG_WARN);
            um_pk_u(out, it->line);
            um_pk_s(out, it->msg ? it->msg : "?");
            continue;
        }
        um_event e = it->ev;
        if (e.src_file && in_path && strcmp(e.src_file, in_path) == 0) e.src_file = NULL;
        um_pk_u(out, TAG_EVENT);
        um_pk_u(out, (uint64_t)e.kind);
        um_pk_i(out, e.ts);
        um_pk_i(out, e.tz_min);
        um_pk_u(out, e.has_tz ? 1 : 0);
        um_pk_i(out, e.success);
        um_pk_u(out, e.port);
        um_pk_u(out, e.asn);
        um_pk_i(out, e.is_proxy);
        um_pk_i(out, e.usb_vid);
        um_pk_i(out, e.usb_pid);
        um_pk_u(out, e.src_line);
        um_pk_u(out, e.ip_asn);
        um_pk_u(out, e.net_flags);
        um_pk_u(out, e.has_geo ? 1 : 0); /* the log's own geolocation: two IEEE doubles' bits */
        if (e.has_geo) {
            uint64_t bits;
            memcpy(&bits, &e.lat, 8);
            um_pk_u(out, bits);
            memcpy(&bits, &e.lon, 8);
            um_pk_u(out, bits);
        }
        const char **s[N_STRS];
        event_strs(&e, s);
        for (size_t k = 0; k < N_STRS; k++) um_pk_s(out, *s[k]);
        if (!it->bag) {
            um_pk_u(out, it->dropped ? 1 : 0);
            continue;
        }
        um_pk_u(out, (uint64_t)it->nbag + 2);
        for (uint32_t k = 0; k < it->nbag; k++) {
            const um_winfield *f = &it->bag[k];
            um_pk_sn(out, f->name, f->nlen);
            um_pk_u(out, f->len);
            um_buf_add(out, f->value, f->len);
            um_pk_u(out, f->count);
        }
    }
}

void um_wire_put_end(um_buf *out, int status, const char *err) {
    um_pk_u(out, TAG_END);
    um_pk_u(out, (uint64_t)(status < 0 ? 0 : status));
    um_pk_s(out, err);
}

/* ---- decoding ---- */

typedef struct rd {
    const unsigned char *p;
    size_t n, pos;
    bool short_; /* ran out of bytes (the item may be completed later) */
    const char *bad; /* malformed: why */
} rd;

static uint64_t get_u(rd *r) {
    uint64_t v = 0;
    int rc = um_pk_varint(r->p, r->n, &r->pos, &v, &r->bad);
    if (rc > 0) r->short_ = true;
    return rc ? 0 : v;
}

static int64_t get_i(rd *r) {
    uint64_t u = get_u(r);
    return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

static int64_t get_range(rd *r, int64_t lo, int64_t hi, const char *what) {
    int64_t v = get_i(r);
    if (!r->short_ && !r->bad && (v < lo || v > hi)) r->bad = what;
    return v;
}

static uint64_t get_urange(rd *r, uint64_t hi, const char *what) {
    uint64_t v = get_u(r);
    if (!r->short_ && !r->bad && v > hi) r->bad = what;
    return v;
}

/* A string (or none: *present false) as a view into the input. */
static const char *get_sv(rd *r, size_t *len, bool *present, bool nul_ok) {
    uint64_t t = get_u(r);
    *present = false;
    *len = 0;
    if (r->short_ || r->bad || t == 0) return NULL;
    uint64_t n = t - 1;
    if (n > MAX_STR) {
        r->bad = "string too long";
        return NULL;
    }
    if (r->n - r->pos < n) {
        r->short_ = true;
        return NULL;
    }
    const char *s = (const char *)r->p + r->pos;
    r->pos += (size_t)n;
    if (!nul_ok && memchr(s, 0, (size_t)n)) {
        r->bad = "NUL byte in a string";
        return NULL;
    }
    *present = true;
    *len = (size_t)n;
    return s;
}

static char *get_heap_s(rd *r) {
    size_t n;
    bool present;
    const char *s = get_sv(r, &n, &present, false);
    if (!present) {
        if (!r->short_ && !r->bad) r->bad = "missing string";
        return NULL;
    }
    char *c = malloc(n + 1);
    if (!c) {
        r->bad = "out of memory";
        return NULL;
    }
    memcpy(c, s, n);
    c[n] = 0;
    return c;
}

um_status um_wire_unit_get(const void *p, size_t n, um_wire_unit *u, const char **why) {
    memset(u, 0, sizeof *u);
    if (n < 4 || memcmp(p, "UMW1", 4) != 0) {
        *why = "not a work unit";
        return UM_EPARSE;
    }
    rd r = {(const unsigned char *)p, n, 4, false, NULL};
    u->scan_id = get_heap_s(&r);
    u->unit = get_u(&r);
    u->reader = get_heap_s(&r);
    u->path = get_heap_s(&r);
    u->size = get_u(&r);
    u->parts = get_urange(&r, UINT32_MAX, "too many parts");
    u->frame = get_urange(&r, 64u << 20, "frame too large");
    if (!r.bad && !r.short_ && u->frame < 1024) r.bad = "frame too small";
    u->prefilter = get_u(&r);
    if (!r.bad && !r.short_ && r.pos < r.n) { /* one part of a split file */
        u->part_index = get_urange(&r, UINT32_MAX, "bad part number");
        u->part_count = get_urange(&r, UINT32_MAX, "too many parts of a file");
        if (!r.bad && !r.short_ && (u->part_count < 2 || u->part_index >= u->part_count)) r.bad = "bad part number";
    }
    if (!r.bad && r.short_) r.bad = "truncated work unit";
    if (!r.bad && r.pos != r.n) r.bad = "bytes after the work unit";
    if (!r.bad && (!*u->scan_id || !*u->path)) r.bad = "empty scan id or path";
    if (!r.bad)
        for (const char *c = u->scan_id; *c; c++)
            if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z')) || c - u->scan_id > 64) r.bad = "bad scan id";
    if (r.bad) {
        *why = r.bad;
        um_wire_unit_clear(u);
        return UM_EPARSE;
    }
    return UM_OK;
}

void um_wire_unit_clear(um_wire_unit *u) {
    free(u->scan_id);
    free(u->reader);
    free(u->path);
    memset(u, 0, sizeof *u);
}

struct um_wire_dec {
    unsigned char *buf; /* unfinished bytes */
    size_t len, cap;
    bool ended, broken;
    int status;
    char *err;
    bool has_part;
    uint64_t part_lines;
    unsigned char *summary;
    size_t summary_len;
};

um_wire_dec *um_wire_dec_new(void) { return um_calloc(1, sizeof(um_wire_dec)); }

void um_wire_dec_free(um_wire_dec *d) {
    if (!d) return;
    um_free(d->buf);
    um_free(d->err);
    um_free(d->summary);
    um_free(d);
}

bool um_wire_dec_part(const um_wire_dec *d, uint64_t *lines, const void **summary, size_t *n) {
    if (!d->has_part) return false;
    *lines = d->part_lines;
    *summary = d->summary;
    *n = d->summary_len;
    return true;
}

bool um_wire_dec_ended(const um_wire_dec *d, int *status, const char **err) {
    if (!d->ended) return false;
    if (status) *status = d->status;
    if (err) *err = d->err;
    return true;
}

size_t um_wire_dec_pending(const um_wire_dec *d) { return d->len; }

static char *keep_sv(um_rec_batch *b, rd *r, bool nul_ok, size_t *len, bool *ok) {
    bool present;
    size_t n;
    const char *s = get_sv(r, &n, &present, nul_ok);
    *ok = true;
    if (len) *len = n;
    if (!present) return NULL;
    char *c = um_rec_batch_keep(b, s, n);
    if (!c) *ok = false, r->bad = "out of memory";
    return c;
}

/* Decodes one item into b; false when short or bad (r says which). */
static bool item(um_wire_dec *d, rd *r, um_rec_batch *b) {
    uint64_t tag = get_u(r);
    if (r->short_ || r->bad) return false;
    bool ok;
    if (tag == TAG_PART) {
        uint64_t lines = get_u(r);
        size_t n;
        bool present;
        const char *sm = get_sv(r, &n, &present, true);
        if (r->short_ || r->bad) return false;
        if (d->has_part || n > MAX_SUMMARY) {
            r->bad = d->has_part ? "two part summaries" : "part summary too large";
            return false;
        }
        d->has_part = true;
        d->part_lines = lines;
        d->summary_len = n;
        if (!(d->summary = um_malloc(n + 1))) r->bad = "out of memory";
        else if (n) memcpy(d->summary, sm, n);
        return !r->bad;
    }
    if (tag == TAG_END) {
        int st = (int)get_urange(r, 255, "bad status");
        size_t n;
        bool present;
        const char *e = get_sv(r, &n, &present, false);
        if (r->short_ || r->bad) return false;
        d->ended = true;
        d->status = st;
        if (present && !(d->err = um_strndup(e, n))) r->bad = "out of memory";
        return !r->bad;
    }
    if (tag == TAG_REJECT || tag == TAG_WARN) {
        uint64_t line = get_u(r);
        size_t n;
        bool present;
        const char *m = get_sv(r, &n, &present, false);
        if (r->short_ || r->bad) return false;
        if (!present) {
            r->bad = "reject without a reason";
            return false;
        }
        um_rec_item *it = um_rec_batch_item(b);
        if (!it || !(it->msg = um_rec_batch_keep(b, m, n))) {
            r->bad = "out of memory";
            return false;
        }
        it->kind = tag == TAG_REJECT ? UM_REC_REJECT : UM_REC_WARN;
        it->line = line;
        return true;
    }
    if (tag != TAG_EVENT) {
        r->bad = "unknown item";
        return false;
    }
    /* An event: taken back out of the batch when it is not complete yet. */
    size_t mark_n = b->n;
    um_rec_item *it = um_rec_batch_item(b);
    if (!it) {
        r->bad = "out of memory";
        return false;
    }
    um_event *e = &it->ev;
    um_event_init(e);
    e->kind = (um_event_kind)get_urange(r, UM_EV_RAW, "bad event kind");
    e->ts = get_i(r);
    if (!r->short_ && !r->bad && e->ts != UM_TIME_NONE && (e->ts < -TS_BOUND || e->ts > TS_BOUND)) r->bad = "bad time";
    e->tz_min = (int)get_range(r, -24 * 60, 24 * 60, "bad time zone");
    e->has_tz = get_urange(r, 1, "bad flag") == 1;
    e->success = (int)get_range(r, -1, 1, "bad success");
    e->port = (uint32_t)get_urange(r, UINT32_MAX, "bad port");
    e->asn = (uint32_t)get_urange(r, UINT32_MAX, "bad asn");
    e->is_proxy = (int)get_range(r, -1, 1, "bad proxy flag");
    e->usb_vid = (int)get_range(r, -1, 0xffff, "bad usb id");
    e->usb_pid = (int)get_range(r, -1, 0xffff, "bad usb id");
    e->src_line = get_u(r);
    e->ip_asn = (uint32_t)get_urange(r, UINT32_MAX, "bad asn");
    e->net_flags = (uint32_t)get_urange(r, UINT32_MAX, "bad flags");
    e->has_geo = get_urange(r, 1, "bad geolocation flag") == 1;
    if (e->has_geo && !r->short_ && !r->bad) {
        uint64_t a = get_u(r), o = get_u(r);
        memcpy(&e->lat, &a, 8);
        memcpy(&e->lon, &o, 8);
        if (!r->short_ && !r->bad && !(e->lat >= -90 && e->lat <= 90 && e->lon >= -180 && e->lon <= 180))
            r->bad = "bad geolocation"; /* also NaN */
    }
    const char **s[N_STRS];
    event_strs(e, s);
    for (size_t k = 0; k < N_STRS && !r->short_ && !r->bad; k++) *s[k] = keep_sv(b, r, false, NULL, &ok);
    uint64_t nb = get_urange(r, UM_WIN_MAX_FIELDS + 2, "too many fields");
    if (!r->short_ && !r->bad && nb == 1) it->dropped = true;
    if (!r->short_ && !r->bad && nb > 1) {
        it->nbag = (uint32_t)(nb - 2);
        it->bag = um_arena_alloc(&b->arena, (it->nbag ? it->nbag : 1) * sizeof *it->bag);
        if (!it->bag) r->bad = "out of memory";
        for (uint32_t k = 0; k < it->nbag && !r->short_ && !r->bad; k++) {
            um_winfield *f = &it->bag[k];
            memset(f, 0, sizeof *f);
            f->name = keep_sv(b, r, false, &f->nlen, &ok);
            if (!r->short_ && !r->bad && !f->name) r->bad = "field without a name";
            uint64_t vl = get_urange(r, MAX_STR, "field value too long");
            if (r->short_ || r->bad) break;
            if (r->n - r->pos < vl) {
                r->short_ = true;
                break;
            }
            f->value = um_rec_batch_keep(b, (const char *)r->p + r->pos, (size_t)vl);
            if (!f->value) r->bad = "out of memory";
            r->pos += (size_t)vl;
            f->len = (size_t)vl;
            f->count = (unsigned)get_urange(r, UINT32_MAX, "bad count");
        }
    }
    if (r->short_ || r->bad) {
        b->n = mark_n; /* the arena keeps the bytes until the batch is freed */
        return false;
    }
    it->kind = UM_REC_EVENT;
    return true;
}

um_status um_wire_dec_feed(um_wire_dec *d, const void *p, size_t n, um_rec_batch **out, const char **why) {
    *out = NULL;
    *why = NULL;
    if (d->broken) {
        *why = "decoder already failed";
        return UM_EPARSE;
    }
    if (n && d->ended) {
        d->broken = true;
        *why = "bytes after the end of the results";
        return UM_EPARSE;
    }
    if (n) {
        if (!um_grow((void **)&d->buf, &d->cap, d->len + n, 1)) {
            d->broken = true;
            *why = "out of memory";
            return UM_ENOMEM;
        }
        memcpy(d->buf + d->len, p, n);
        d->len += n;
    }
    um_rec_batch *b = um_rec_batch_new();
    if (!b) {
        d->broken = true;
        *why = "out of memory";
        return UM_ENOMEM;
    }
    size_t done = 0;
    while (done < d->len && !d->ended) {
        rd r = {d->buf, d->len, done, false, NULL};
        if (!item(d, &r, b)) {
            if (r.bad) {
                d->broken = true;
                *why = r.bad;
                um_rec_batch_free(b);
                return UM_EPARSE;
            }
            break; /* short: wait for more */
        }
        done = r.pos;
    }
    if (d->ended && done < d->len) {
        d->broken = true;
        *why = "bytes after the end of the results";
        um_rec_batch_free(b);
        return UM_EPARSE;
    }
    memmove(d->buf, d->buf + done, d->len - done);
    d->len -= done;
    if (d->len > UM_WIRE_MAX_ITEM) {
        d->broken = true;
        *why = "item too large";
        um_rec_batch_free(b);
        return UM_EPARSE;
    }
    if (b->n == 0) um_rec_batch_free(b);
    else *out = b;
    return UM_OK;
}

/* ---- identity-index shards ---- */

static uint64_t get_h64(rd *r) {
    if (r->short_ || r->bad) return 0;
    if (r->n - r->pos < 8) {
        r->short_ = true;
        return 0;
    }
    uint64_t h = 0;
    for (int i = 0; i < 8; i++) h |= (uint64_t)r->p[r->pos + (size_t)i] << (8 * i);
    r->pos += 8;
    return h;
}

void um_wire_obs_head(um_buf *out, uint64_t nsubjects, uint64_t nobs, const size_t *cap) {
    um_buf_add(out, "UMO1", 4);
    um_pk_u(out, nsubjects);
    um_pk_u(out, nobs);
    for (int k = 0; k < UM_LK__COUNT; k++) um_pk_u(out, cap ? cap[k] : 0);
}

void um_wire_obs_put(um_buf *out, uint64_t gap, const um_lk_obs *o, uint64_t hash) {
    um_pk_u(out, gap);
    um_pk_u(out, o->subject);
    um_pk_u(out, o->kind);
    um_pk_h64(out, hash);
    um_pk_s(out, o->value);
}

void um_wire_obsset_free(um_wire_obsset *o) {
    if (!o) return;
    free(o->obs);
    free(o->gidx);
    free(o->arena);
    memset(o, 0, sizeof *o);
}

um_status um_wire_obs_get(const void *p, size_t n, um_wire_obsset *o, const char **why) {
    memset(o, 0, sizeof *o);
    rd r = {p, n, 0, false, NULL};
    if (n < 4 || memcmp(p, "UMO1", 4) != 0) {
        *why = "not a shard's observations";
        return UM_EPARSE;
    }
    r.pos = 4;
    o->nsubjects = (size_t)get_urange(&r, (size_t)1 << 30, "too many subjects");
    uint64_t cnt = get_urange(&r, n / 12, "more observations than bytes"); /* an observation takes >= 12 */
    for (int k = 0; k < UM_LK__COUNT; k++) o->cap[k] = (size_t)get_urange(&r, UINT32_MAX, "cap too large");
    if (!r.bad && !r.short_) {
        o->obs = calloc(cnt ? cnt : 1, sizeof *o->obs);
        o->gidx = calloc(cnt ? cnt : 1, sizeof *o->gidx);
        o->arena = malloc(n + 1);
        if (!o->obs || !o->gidx || !o->arena) r.bad = "out of memory";
    }
    size_t apos = 0;
    uint64_t g = 0;
    for (uint64_t i = 0; i < cnt && !r.bad && !r.short_; i++) {
        uint64_t gap = get_u(&r);
        if (i == 0) g = gap;
        else if (gap == 0 || gap > UINT32_MAX - 1 - g) r.bad = "observation numbers not ascending";
        else g += gap;
        if (!r.bad && g > UINT32_MAX - 2) r.bad = "observation number too large";
        um_lk_obs *x = &o->obs[i];
        x->subject = (uint32_t)get_urange(&r, o->nsubjects ? o->nsubjects - 1 : 0, "subject out of range");
        x->kind = (uint8_t)get_urange(&r, UM_LK__COUNT - 1, "identifier kind out of range");
        x->hash = get_h64(&r);
        x->sim = 1;
        size_t len;
        bool present;
        const char *s = get_sv(&r, &len, &present, false);
        if (r.bad || r.short_) break;
        if (!present || len == 0) {
            r.bad = "empty value";
            break;
        }
        if (o->nsubjects == 0) {
            r.bad = "subject out of range";
            break;
        }
        if (x->hash == 0) {
            r.bad = "zero hash";
            break;
        }
        memcpy(o->arena + apos, s, len);
        o->arena[apos + len] = 0;
        x->value = o->arena + apos;
        apos += len + 1;
        o->gidx[i] = (uint32_t)g;
        o->n = (size_t)i + 1;
    }
    if (!r.bad && r.short_) r.bad = "truncated observations";
    if (!r.bad && r.pos != r.n) r.bad = "bytes after the observations";
    if (r.bad) {
        *why = r.bad;
        um_wire_obsset_free(o);
        return UM_EPARSE;
    }
    return UM_OK;
}

void um_wire_block_put(um_buf *out, const um_lk_blocked *b, const uint32_t *gidx) {
    um_buf_add(out, "UMB1", 4);
    um_pk_u(out, b->nobs);
    um_pk_u(out, b->collisions);
    um_pk_u(out, b->nvals);
    for (size_t v = 0; v < b->nvals; v++) {
        const um_lk_bval *x = &b->vals[v];
        size_t end = v + 1 < b->nvals ? b->vals[v + 1].mstart : b->nmem;
        um_pk_h64(out, x->hash);
        um_pk_u(out, x->kind);
        um_pk_u(out, x->generic ? 1 : 0);
        um_pk_u(out, gidx ? gidx[x->first_obs] : x->first_obs);
        um_pk_u(out, x->nsubjects);
        um_pk_u(out, end - x->mstart);
        for (size_t j = x->mstart; j < end; j++) {
            um_pk_u(out, b->msub[j]);
            um_pk_u(out, gidx ? gidx[b->mobs[j]] : b->mobs[j]);
        }
    }
}

um_status um_wire_block_get(const void *p, size_t n, um_lk_blocked *b, const char **why) {
    return um_wire_block_get_part(p, n, b, NULL, why);
}

um_status um_wire_block_get_part(const void *p, size_t n, um_lk_blocked *b, size_t *used, const char **why) {
    rd r = {p, n, 0, false, NULL};
    if (n < 4 || memcmp(p, "UMB1", 4) != 0) {
        *why = "not a shard's blocking";
        return UM_EPARSE;
    }
    r.pos = 4;
    size_t v0 = b->nvals, m0 = b->nmem;
    uint64_t nobs = get_urange(&r, UINT32_MAX, "too many observations");
    uint64_t coll = get_urange(&r, UINT32_MAX, "too many collisions");
    uint64_t nv = get_urange(&r, n / 13, "more values than bytes"); /* a value takes >= 13 */
    if (!r.bad && !r.short_) {
        void *nvp = realloc(b->vals, (v0 + nv + 1) * sizeof *b->vals);
        if (!nvp) r.bad = "out of memory";
        else b->vals = nvp;
    }
    size_t cap_m = m0;
    for (uint64_t v = 0; v < nv && !r.bad && !r.short_; v++) {
        um_lk_bval x;
        memset(&x, 0, sizeof x);
        x.hash = get_h64(&r);
        x.kind = (uint8_t)get_urange(&r, UM_LK__COUNT - 1, "identifier kind out of range");
        x.generic = get_urange(&r, 1, "bad generic flag") != 0;
        x.first_obs = (uint32_t)get_urange(&r, UINT32_MAX - 2, "observation out of range");
        x.nsubjects = (uint32_t)get_urange(&r, UINT32_MAX - 1, "too many holders");
        uint64_t nh = get_urange(&r, (r.n - r.pos) / 2, "more holders than bytes");
        if (r.bad || r.short_) break;
        if (b->nmem + nh > UINT32_MAX - 1) {
            r.bad = "too many holders";
            break;
        }
        if (b->nmem + nh > cap_m) {
            size_t nc = (b->nmem + nh) * 2;
            uint32_t *s2 = realloc(b->msub, nc * sizeof *s2);
            if (s2) b->msub = s2;
            uint32_t *o2 = realloc(b->mobs, nc * sizeof *o2);
            if (o2) b->mobs = o2;
            if (!s2 || !o2) {
                r.bad = "out of memory";
                break;
            }
            cap_m = nc;
        }
        x.mstart = (uint32_t)b->nmem;
        for (uint64_t j = 0; j < nh && !r.bad && !r.short_; j++) {
            b->msub[b->nmem] = (uint32_t)get_urange(&r, UINT32_MAX - 2, "subject out of range");
            b->mobs[b->nmem] = (uint32_t)get_urange(&r, UINT32_MAX - 2, "observation out of range");
            b->nmem++;
        }
        b->vals[b->nvals++] = x;
    }
    if (!r.bad && r.short_) r.bad = "truncated blocking";
    if (!r.bad && !used && r.pos != r.n) r.bad = "bytes after the blocking";
    if (used) *used = r.pos;
    if (r.bad) {
        *why = r.bad;
        b->nvals = v0;
        b->nmem = m0;
        return UM_EPARSE;
    }
    b->nobs += (size_t)nobs;
    b->collisions += (size_t)coll;
    return UM_OK;
}

const char *um_wire_block_check(const um_lk_blocked *b, const um_lk_obs *obs, size_t nobs, size_t ns,
                                const size_t *cap) {
    for (size_t v = 0; v < b->nvals; v++) {
        const um_lk_bval *x = &b->vals[v];
        size_t end = v + 1 < b->nvals ? b->vals[v + 1].mstart : b->nmem;
        if (x->mstart > end || end > b->nmem) return "holder ranges out of order";
        if (v && b->vals[v - 1].hash > x->hash) return "values not in hash order";
        if (x->kind >= UM_LK__COUNT || x->first_obs >= nobs) return "value out of range";
        const um_lk_obs *f = &obs[x->first_obs];
        if (f->kind != x->kind || um_lk_obs_hash(f) != x->hash) return "value does not match its observation";
        size_t kc = cap && cap[x->kind] ? cap[x->kind] : um_lk_kind_cap((um_lk_kind)x->kind);
        if (x->nsubjects < 2 || x->generic != (x->nsubjects > kc)) return "holder count or cap wrong";
        if (x->generic ? end != x->mstart : end - x->mstart != x->nsubjects) return "holder list wrong";
        for (size_t j = x->mstart; j < end; j++) {
            uint32_t s = b->msub[j], o = b->mobs[j];
            if (s >= ns || o >= nobs || (j > x->mstart && b->msub[j - 1] >= s)) return "holders out of range or order";
            if (obs[o].subject != s || obs[o].kind != x->kind || um_lk_obs_hash(&obs[o]) != x->hash ||
                strcmp(obs[o].value, f->value) != 0)
                return "holder does not match the value";
        }
        if (!x->generic && b->mobs[x->mstart] != x->first_obs) return "first holder is not the value's observation";
    }
    return NULL;
}

/* ---- pair pieces (wire.h "UMQ1") ---- */

void um_wire_pieces_put(um_buf *out, const um_lk_piece *q, size_t n) {
    um_buf_add(out, "UMQ1", 4);
    um_pk_u(out, n);
    uint32_t pa = 0;
    for (size_t i = 0; i < n; i++) {
        um_pk_u(out, q[i].a - pa);
        pa = q[i].a;
        um_pk_u(out, q[i].b - q[i].a);
        um_pk_u(out, q[i].kind);
        um_pk_u(out, q[i].best);
        um_pk_u(out, q[i].best - q[i].first);
        um_pk_u(out, q[i].holders);
        um_pk_u(out, q[i].obs_a);
        um_pk_u(out, q[i].obs_b);
    }
}

um_status um_wire_pieces_get(const void *p, size_t n, uint32_t base, uint32_t nvals, um_lk_piece **arr, size_t *narr,
                             size_t *cap, const char **why, bool pair_order) {
    rd r = {p, n, 0, false, NULL};
    if (n < 4 || memcmp(p, "UMQ1", 4) != 0) {
        *why = "no pair pieces (a worker of another unmask build?)";
        return UM_EPARSE;
    }
    r.pos = 4;
    size_t n0 = *narr;
    uint64_t cnt = get_urange(&r, (n - 4) / 8, "more pair pieces than bytes"); /* a piece takes >= 8 */
    if (!r.bad && !r.short_ && !um_grow((void **)arr, cap, n0 + cnt + 1, sizeof **arr)) r.bad = "out of memory";
    uint64_t a = 0;
    um_lk_piece prev = {0};
    for (uint64_t i = 0; i < cnt && !r.bad && !r.short_; i++) {
        um_lk_piece q;
        memset(&q, 0, sizeof q);
        a += get_u(&r);
        uint64_t gap = get_urange(&r, UINT32_MAX, "pair out of range");
        uint64_t kind = get_urange(&r, UM_LK__COUNT - 1, "identifier kind out of range");
        uint64_t best = get_urange(&r, nvals ? nvals - 1 : 0, "value out of the shard's range");
        uint64_t back = get_urange(&r, best, "first value out of range");
        uint64_t h = get_urange(&r, UINT32_MAX, "too many holders");
        uint64_t oa = get_urange(&r, UINT32_MAX - 2, "observation out of range");
        uint64_t ob = get_urange(&r, UINT32_MAX - 2, "observation out of range");
        if (r.bad || r.short_) break;
        if (!nvals || gap == 0 || a + gap > UINT32_MAX - 2) {
            r.bad = "pair out of range";
            break;
        }
        q.a = (uint32_t)a;
        q.b = (uint32_t)(a + gap);
        q.kind = (uint8_t)kind;
        q.best = base + (uint32_t)best;
        q.first = base + (uint32_t)(best - back);
        q.holders = (uint32_t)h;
        q.obs_a = (uint32_t)oa;
        q.obs_b = (uint32_t)ob;
        if (i && !pair_order &&
            (q.a < prev.a || (q.a == prev.a && (q.b < prev.b || (q.b == prev.b && q.kind <= prev.kind))))) {
            r.bad = "pair pieces not in order";
            break;
        }
        prev = q;
        (*arr)[(*narr)++] = q;
    }
    if (!r.bad && r.short_) r.bad = "truncated pair pieces";
    if (!r.bad && r.pos != r.n) r.bad = "bytes after the pair pieces";
    if (r.bad) {
        *why = r.bad;
        *narr = n0;
        return UM_EPARSE;
    }
    return UM_OK;
}

/* The holder index of subject s in value v of b, or -1. */
static long holder_of(const um_lk_blocked *b, uint32_t v, uint32_t s) {
    size_t lo = b->vals[v].mstart, hi = v + 1 < b->nvals ? b->vals[v + 1].mstart : b->nmem;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (b->msub[mid] < s) lo = mid + 1;
        else hi = mid;
    }
    return lo < (v + 1 < b->nvals ? b->vals[v + 1].mstart : b->nmem) && b->msub[lo] == s ? (long)lo : -1;
}

const char *um_wire_pieces_check(const um_lk_piece *q, size_t n, const um_lk_blocked *b, size_t ns) {
    for (size_t i = 0; i < n; i++) {
        const um_lk_piece *x = &q[i];
        if (x->a >= x->b || x->b >= ns || x->kind >= UM_LK__COUNT) return "pair out of range";
        if (x->best >= b->nvals || x->first > x->best) return "value out of range";
        const um_lk_bval *vb = &b->vals[x->best], *vf = &b->vals[x->first];
        if (vb->kind != x->kind || vf->kind != x->kind || vb->generic || vf->generic)
            return "piece names a value of another kind or a generic one";
        if (vb->nsubjects != x->holders) return "piece's holder count is not its value's";
        long ha = holder_of(b, x->best, x->a), hb = holder_of(b, x->best, x->b);
        if (ha < 0 || hb < 0 || b->mobs[ha] != x->obs_a || b->mobs[hb] != x->obs_b)
            return "piece's value is not held by its pair";
        if (holder_of(b, x->first, x->a) < 0 || holder_of(b, x->first, x->b) < 0)
            return "piece's first value is not held by its pair";
    }
    return NULL;
}

/* ---- events for the person partitions on workers (wire.h "UME2") ---- */

/* What the partitioned analyzers' on_event (and um_finding_add) read of an
 * event; the rest (command lines, image paths, targets, commit subjects,
 * the field bag's content) stays on the scan. */
#define EV_STRS(ev)                                                                                              \
    { &(ev)->user,       &(ev)->user_name,   &(ev)->host,       &(ev)->ip,         &(ev)->country,             \
      &(ev)->as_org,     &(ev)->action,      &(ev)->app,        &(ev)->product,    &(ev)->company,             \
      &(ev)->description, &(ev)->device_id,  &(ev)->device_desc, &(ev)->usb_serial, &(ev)->browser_hash,       \
      &(ev)->record_id,  &(ev)->ip_country,  &(ev)->ip_org }
#define EV_NSTRS 18
#define EV_MAX_STR 65536

void um_wire_ev_put(um_buf *out, uint64_t seq, um_sid sid, const um_event *ev, const char *prev_file) {
    um_pk_u(out, seq);
    um_pk_i(out, sid);
    um_pk_u(out, (uint64_t)ev->kind);
    um_pk_i(out, ev->ts);
    um_pk_i(out, ev->tz_min);
    um_pk_i(out, ev->success);
    um_pk_u(out, ev->port);
    um_pk_u(out, ev->asn);
    um_pk_i(out, ev->is_proxy);
    um_pk_i(out, ev->usb_vid);
    um_pk_i(out, ev->usb_pid);
    um_pk_u(out, ev->src_line);
    um_pk_u(out, ev->ip_asn);
    um_pk_u(out, ev->net_flags);
    bool same_file = prev_file && ev->src_file && strcmp(prev_file, ev->src_file) == 0;
    uint64_t flags = (uint64_t)ev->has_tz | (uint64_t)ev->has_geo << 1 | (uint64_t)(ev->fields != NULL) << 2 |
                     (uint64_t)same_file << 3;
    um_pk_u(out, flags);
    if (ev->has_geo) {
        um_pk_f64(out, ev->lat);
        um_pk_f64(out, ev->lon);
    }
    if (!same_file) um_pk_s(out, ev->src_file);
    const char *const *strs[EV_NSTRS] = EV_STRS(ev);
    for (size_t k = 0; k < EV_NSTRS; k++) um_pk_s(out, *strs[k]);
}

um_status um_wire_ev_get(um_pk *r, um_arena *a, size_t nsubjects, const struct um_winfields *empty, uint64_t *seq,
                         um_sid *sid, um_event *ev, const char **last_file) {
    memset(ev, 0, sizeof *ev);
    *seq = um_pk_get_ur(r, UINT64_MAX / 64 - 1, "event number out of range");
    if (um_pk_ok(r) && *seq == 0) um_pk_fail(r, "event number out of range"); /* 0 starts a control item */
    *sid = (um_sid)um_pk_get_ir(r, -1, nsubjects ? (int64_t)nsubjects - 1 : -1, "subject out of range");
    ev->kind = (um_event_kind)um_pk_get_ur(r, UM_EV_RAW, "event kind out of range");
    ev->ts = um_pk_get_time(r);
    ev->tz_min = (int)um_pk_get_ir(r, INT32_MIN, INT32_MAX, "zone offset out of range");
    ev->success = (int)um_pk_get_ir(r, INT32_MIN, INT32_MAX, "bad success");
    ev->port = (uint32_t)um_pk_get_ur(r, UINT32_MAX, "port out of range");
    ev->asn = (uint32_t)um_pk_get_ur(r, UINT32_MAX, "ASN out of range");
    ev->is_proxy = (int)um_pk_get_ir(r, INT32_MIN, INT32_MAX, "bad proxy verdict");
    ev->usb_vid = (int)um_pk_get_ir(r, INT32_MIN, INT32_MAX, "USB vendor out of range");
    ev->usb_pid = (int)um_pk_get_ir(r, INT32_MIN, INT32_MAX, "USB product out of range");
    ev->src_line = um_pk_get_u(r);
    ev->ip_asn = (uint32_t)um_pk_get_ur(r, UINT32_MAX, "ASN out of range");
    ev->net_flags = (uint32_t)um_pk_get_ur(r, UINT32_MAX, "bad network flags");
    uint64_t flags = um_pk_get_ur(r, 15, "bad event flags");
    ev->has_tz = flags & 1;
    ev->has_geo = (flags >> 1) & 1;
    if (flags & 4) ev->fields = empty; /* present, not carried: the partitioned analyzers read no bag */
    ev->fields_dropped = (flags & 4) != 0;
    if (ev->has_geo) {
        ev->lat = um_pk_get_f64(r, -1e9, 1e9, "latitude out of range");
        ev->lon = um_pk_get_f64(r, -1e9, 1e9, "longitude out of range");
    }
    if (flags & 8) {
        if (!*last_file) um_pk_fail(r, "no file to repeat");
        ev->src_file = *last_file;
    } else {
        ev->src_file = um_pk_get_s(r, a, EV_MAX_STR);
        *last_file = ev->src_file;
    }
    const char **strs[EV_NSTRS] = EV_STRS(ev);
    for (size_t k = 0; k < EV_NSTRS && um_pk_ok(r); k++) *strs[k] = um_pk_get_s(r, a, EV_MAX_STR);
    if (!um_pk_ok(r)) return strcmp(r->bad, "out of memory") == 0 ? UM_ENOMEM : UM_EPARSE;
    return UM_OK;
}

void um_wire_evctl_sub(um_buf *out, um_sid sid, const char *id) {
    um_pk_u(out, 0);
    um_pk_u(out, UM_WIRE_EV_SUBJECT);
    um_pk_u(out, (uint64_t)sid);
    um_pk_s(out, id);
}

void um_wire_evctl_end(um_buf *out, uint64_t nsubjects, uint64_t events) {
    um_pk_u(out, 0);
    um_pk_u(out, UM_WIRE_EV_END);
    um_pk_u(out, nsubjects);
    um_pk_u(out, events);
}

int um_wire_evctl_get(um_pk *r, um_arena *a, um_wire_evctl *c) {
    memset(c, 0, sizeof *c);
    if (r->bad || r->pos >= r->n || r->p[r->pos] != 0) return 0;
    r->pos++;
    c->tag = (unsigned)um_pk_get_ur(r, UM_WIRE_EV_END, "unknown control item");
    if (um_pk_ok(r) && c->tag == UM_WIRE_EV_SUBJECT) {
        c->n = um_pk_get_ur(r, INT32_MAX - 1, "subject out of range");
        c->id = um_pk_get_s(r, a, 256);
        if (um_pk_ok(r) && (!c->id || !*c->id)) um_pk_fail(r, "subject without an id");
    } else if (um_pk_ok(r) && c->tag == UM_WIRE_EV_END) {
        c->n = um_pk_get_ur(r, INT32_MAX, "subject count out of range");
        c->events = um_pk_get_u(r);
    } else {
        um_pk_fail(r, "unknown control item");
    }
    return um_pk_ok(r) ? 1 : -1;
}
