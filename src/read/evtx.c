/*
 * evtx.c - Windows .evtx event log files, read directly with libevtx.
 *
 * Every record (and every record libevtx recovers from free space, counted
 * separately) is rendered to XML by libevtx, parsed with libxml2 into flat
 * (name, value) fields (read/evtx.h) and mapped to an um_event.
 *
 * The meaning of an event comes from the mapping all Windows containers
 * share (read/winevent.h); events of types it does not use are counted in
 * one warning per file.
 *
 * Hostile input: a file libevtx cannot open is one reject; a record whose
 * XML cannot be had or parsed is a reject naming its record number; XML
 * with a DTD is refused (no entity expansion, no network, no huge mode).
 * libevtx itself runs in a child process under memory and CPU limits (see
 * "libevtx, isolated" below).
 */
#include "evtx.h"
#include "../os/os.h"
#include "../util/cfmt.h"

/* The Debian header announces the bfio API but libbfio headers are not
 * packaged with it; this reader only opens by path, so hide that API. */
#include <libevtx/features.h>
#undef LIBEVTX_HAVE_BFIO
#include <libevtx.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- fields -------------------------------------------------------------- */

void um_evtx_fields_init(um_evtx_fields *r) {
    memset(r, 0, sizeof *r);
    um_arena_init(&r->arena);
}

void um_evtx_fields_reset(um_evtx_fields *r) {
    um_arena_free(&r->arena);
    um_arena_init(&r->arena);
    r->n = r->dropped = r->truncated = 0;
}

void um_evtx_fields_free(um_evtx_fields *r) { um_arena_free(&r->arena); }

const char *um_evtx_get(const um_evtx_fields *r, bool sys, const char *name, unsigned *count) {
    const char *v = NULL;
    unsigned c = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (r->f[i].sys != sys || strcmp(r->f[i].name, name) != 0) continue;
        if (!c) v = r->f[i].value;
        c++;
    }
    if (count) *count = c;
    return v;
}

/* Adds a field; false only on allocation failure. */
static bool add_field(um_evtx_fields *r, bool sys, const char *name, const char *value) {
    if (r->n >= UM_EVTX_MAX_FIELDS) {
        r->dropped++;
        return true;
    }
    size_t vn = value ? strlen(value) : 0;
    if (vn > UM_EVTX_MAX_VALUE) {
        vn = UM_EVTX_MAX_VALUE;
        /* do not cut inside a UTF-8 sequence */
        while (vn > 0 && ((unsigned char)value[vn] & 0xC0) == 0x80) vn--;
        r->truncated++;
    }
    char *n = um_arena_strdup(&r->arena, name);
    char *v = um_arena_strndup(&r->arena, value ? value : "", vn);
    if (!n || !v) return false;
    r->f[r->n].name = n;
    r->f[r->n].value = v;
    r->f[r->n].sys = sys;
    r->n++;
    return true;
}

/* Direct text of an element (text and CDATA children only, never entity
 * references), into the arena, bounded. */
static const char *node_text(um_evtx_fields *r, xmlNodePtr n) {
    um_buf b;
    um_buf_init(&b);
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if ((c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE) || !c->content) continue;
        size_t len = strlen((const char *)c->content);
        if (b.len + len > UM_EVTX_MAX_VALUE + 4) len = UM_EVTX_MAX_VALUE + 4 - b.len;
        um_buf_add(&b, (const char *)c->content, len);
        if (b.len >= UM_EVTX_MAX_VALUE + 4) break;
    }
    /* multi-line values (VendorIds) and padded ones ("User32 ") are trimmed */
    const char *out = b.oom ? NULL : um_arena_strdup(&r->arena, b.s ? um_trim(b.s) : "");
    um_buf_free(&b);
    return out;
}

static const char *attr_text(um_evtx_fields *r, xmlNodePtr n, const char *attr) {
    xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)attr);
    if (!v) return NULL;
    char *out = um_arena_strndup(&r->arena, (const char *)v, strnlen((const char *)v, UM_EVTX_MAX_VALUE + 1));
    xmlFree(v);
    return out;
}

static bool is_el(xmlNodePtr n, const char *name) {
    return n->type == XML_ELEMENT_NODE && n->name && strcmp((const char *)n->name, name) == 0;
}

static bool parse_system(um_evtx_fields *r, xmlNodePtr sys) {
    for (xmlNodePtr c = sys->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        const char *v = NULL, *name = NULL;
        if (is_el(c, "Provider")) name = "Provider", v = attr_text(r, c, "Name");
        else if (is_el(c, "TimeCreated")) name = "TimeCreated", v = attr_text(r, c, "SystemTime");
        else if (is_el(c, "Security")) name = "UserID", v = attr_text(r, c, "UserID");
        else if (is_el(c, "EventID") || is_el(c, "EventRecordID") || is_el(c, "Channel") ||
                 is_el(c, "Computer"))
            name = (const char *)c->name, v = node_text(r, c);
        if (name && v && !add_field(r, true, name, v)) return false;
    }
    return true;
}

static bool parse_eventdata(um_evtx_fields *r, xmlNodePtr ed) {
    unsigned unnamed = 0;
    for (xmlNodePtr c = ed->children; c; c = c->next) {
        if (!is_el(c, "Data")) continue;
        const char *name = attr_text(r, c, "Name");
        char tmp[32];
        if (!name || !*name) {
            snprintf(tmp, sizeof tmp, "Data%u", ++unnamed);
            name = tmp;
        }
        const char *v = node_text(r, c);
        if (!v || !add_field(r, false, name, v)) return false;
    }
    return true;
}

static bool parse_userdata(um_evtx_fields *r, xmlNodePtr ud) {
    for (xmlNodePtr el = ud->children; el; el = el->next) {
        if (el->type != XML_ELEMENT_NODE) continue;
        for (xmlNodePtr c = el->children; c; c = c->next) {
            if (c->type != XML_ELEMENT_NODE || !c->name) continue;
            const char *v = node_text(r, c);
            if (!v || !add_field(r, false, (const char *)c->name, v)) return false;
        }
    }
    return true;
}

const char *um_evtx_parse_xml(um_evtx_fields *r, const char *xml, size_t len) {
    um_evtx_fields_reset(r);
    if (len > UM_EVTX_MAX_XML) return "record XML too large";
    if (len > INT32_MAX) return "record XML too large";
    /* Event XML never carries a DTD: refuse any, so no entity can expand. */
    if (memmem(xml, len, "<!DOCTYPE", 9) || memmem(xml, len, "<!ENTITY", 8))
        return "record XML has a DTD (refused)";
    xmlParserCtxtPtr px = xmlNewParserCtxt();
    if (!px) return "out of memory";
    xmlDocPtr doc = xmlCtxtReadMemory(px, xml, (int)len, NULL, "UTF-8",
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    const char *why = NULL;
    if (!doc) {
        xmlErrorPtr e = xmlCtxtGetLastError(px);
        why = um_arena_printf(&r->arena, "record XML does not parse: %.120s",
                              e && e->message ? e->message : "syntax error");
        if (why) {
            char *nl = strchr(why, '\n');
            if (nl) *nl = 0;
        } else why = "record XML does not parse";
        xmlFreeParserCtxt(px);
        return why;
    }
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (!root || !is_el(root, "Event")) why = "record XML has no Event element";
    bool ok = true, have_sys = false;
    for (xmlNodePtr c = root && !why ? root->children : NULL; c && ok; c = c->next) {
        if (is_el(c, "System")) have_sys = true, ok = parse_system(r, c);
        else if (is_el(c, "EventData")) ok = parse_eventdata(r, c);
        else if (is_el(c, "UserData")) ok = parse_userdata(r, c);
    }
    if (!ok) why = "out of memory";
    else if (!why && !have_sys) why = "record XML has no System element";
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(px);
    return why;
}

/* ---- mapping ------------------------------------------------------------ */

bool um_evtx_usb_ids(const char *s, int *vid, int *pid) {
    int v = -1, p = -1;
    if (s) um_winevent_usb_ids(s, &v, &p);
    if (v < 0 || p < 0) return false;
    *vid = v;
    *pid = p;
    return true;
}

int um_evtx_to_event(um_evtx_fields *r, um_event *ev, const char **why) {
    um_winfields *w = &r->bag;
    um_winfields_reset(w);
    for (size_t i = 0; i < r->n; i++)
        um_winfields_add(w, r->f[i].name, r->f[i].value, strlen(r->f[i].value), 1);
    if (r->dropped) w->dropped += r->dropped;
    return um_winevent_map(w, ev, why);
}

/* ---- reader -------------------------------------------------------------- */

/* libevtx's error as one bounded line; frees the error. */
static void err_text(libevtx_error_t **err, char *out, size_t n) {
    out[0] = 0;
    if (*err) {
        libevtx_error_sprint(*err, out, n);
        libevtx_error_free(err);
    }
    out[n - 1] = 0;
    for (char *p = out; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t') *p = ' ';
    if (!out[0]) snprintf(out, n, "unknown libevtx error");
}

typedef struct evtx_run {
    um_reader_ctx *rc;
    um_evtx_fields fields;
    char *xml;
    size_t cap;
    size_t emitted, rejected;
    size_t recov_bad, recov_dup; /* recovered records unreadable / already live */
    size_t skipped;              /* valid events of types unmask does not use */
    char skip_example[16];
    um_map live_ids;             /* EventRecordID of the live records */
} evtx_run;

/* A record that cannot be used: live records are rejects; fragments found
 * in free space are expected to be partly unreadable, so they are only
 * counted (one warning for the file). */
static void bad_record(evtx_run *run, bool recovered, uint64_t ordinal, const char *fmt, ...) UM_PRINTF(4, 5);
static void bad_record(evtx_run *run, bool recovered, uint64_t ordinal, const char *fmt, ...) {
    if (recovered) {
        run->recov_bad++;
        return;
    }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    um_vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    um_reject(run->rc, ordinal, "record %llu %s", (unsigned long long)ordinal, msg);
    run->rejected++;
}

/* ---- libevtx, isolated --------------------------------------------------
 * libevtx runs in a child process under a memory and CPU limit: a hostile
 * file can make the library ask for gigabytes (seen while fuzzing: 8 GiB
 * from a 69 KB file) or spin, and then only the child dies; the file is
 * rejected and the scan goes on with the records read before. The child
 * only renders records to XML and sends them over a pipe; parsing, mapping
 * and emitting happen here. Messages: a fixed header and len payload bytes.
 */

#define EV_MSG_XML 'X'    /* a record's XML; flags bit 0: recovered */
#define EV_MSG_BAD 'B'    /* a record that cannot be read; payload: reason */
#define EV_MSG_REJECT 'R' /* the whole file; payload: reason */
#define EV_MSG_WARN 'W'   /* payload: warning */
#define EV_MSG_COUNTS 'C' /* ordinal: live records, offset: recovered records */
#define EV_MSG_END 'E'

#define UM_EVTX_CHILD_MB 1024   /* address space of the libevtx process */
#define UM_EVTX_CHILD_CPU_S 300 /* CPU seconds for one file */

typedef struct ev_msg {
    uint8_t type, flags;
    uint16_t pad;
    uint32_t len;
    uint64_t ordinal, offset;
} ev_msg;

static bool write_all(int fd, const void *p, size_t n) {
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        c += w;
        n -= (size_t)w;
    }
    return true;
}

static bool read_all(int fd, void *p, size_t n) {
    char *c = p;
    while (n) {
        ssize_t r = read(fd, c, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        c += r;
        n -= (size_t)r;
    }
    return true;
}

static bool send_msg(int fd, uint8_t type, uint8_t flags, uint64_t ordinal, uint64_t offset, const void *p,
                     size_t len) {
    ev_msg m = {type, flags, 0, (uint32_t)len, ordinal, offset};
    return write_all(fd, &m, sizeof m) && (!len || write_all(fd, p, len));
}

static bool send_text(int fd, uint8_t type, uint8_t flags, uint64_t ordinal, const char *fmt, ...)
    UM_PRINTF(5, 6);
static bool send_text(int fd, uint8_t type, uint8_t flags, uint64_t ordinal, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    um_vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return send_msg(fd, type, flags, ordinal, 0, msg, strlen(msg));
}

static bool grow_xml(char **xml, size_t *cap, size_t need) {
    char *n = um_realloc(*xml, need);
    if (!n) return false;
    *xml = n;
    *cap = need;
    return true;
}

/* In the child: one record to XML and over the pipe. false: stop. */
static bool child_record(int fd, libevtx_file_t *ef, int idx, bool recovered, uint64_t ordinal, char **xml,
                         size_t *cap) {
    libevtx_record_t *rec = NULL;
    libevtx_error_t *err = NULL;
    char etext[256];
    uint8_t fl = recovered ? 1 : 0;
    int ok = recovered ? libevtx_file_get_recovered_record_by_index(ef, idx, &rec, &err)
                       : libevtx_file_get_record_by_index(ef, idx, &rec, &err);
    if (ok != 1 || !rec) {
        err_text(&err, etext, sizeof etext);
        return send_text(fd, EV_MSG_BAD, fl, ordinal, "is corrupt: %s", etext);
    }
    bool sent;
    off64_t off = 0;
    size_t sz = 0;
    if (libevtx_record_get_offset(rec, &off, NULL) != 1 || off < 0) off = 0;
    if (libevtx_record_get_utf8_xml_string_size(rec, &sz, &err) != 1 || sz == 0) {
        err_text(&err, etext, sizeof etext);
        sent = send_text(fd, EV_MSG_BAD, fl, ordinal, "is corrupt (no XML): %s", etext);
    } else if (sz > UM_EVTX_MAX_XML) {
        sent = send_text(fd, EV_MSG_BAD, fl, ordinal, "XML of %zu bytes is over the %u-byte limit", sz,
                         UM_EVTX_MAX_XML);
    } else if (sz + 1 > *cap && !grow_xml(xml, cap, sz + 1)) {
        /* out of memory under the child's limit: this record is lost, the
         * next one may be smaller */
        sent = send_text(fd, EV_MSG_BAD, fl, ordinal, "XML of %zu bytes does not fit in the reader's memory limit",
                         sz);
    } else if (libevtx_record_get_utf8_xml_string(rec, (uint8_t *)*xml, sz, &err) != 1) {
        err_text(&err, etext, sizeof etext);
        sent = send_text(fd, EV_MSG_BAD, fl, ordinal, "is corrupt (XML): %s", etext);
    } else {
        (*xml)[sz] = 0;
        sent = send_msg(fd, EV_MSG_XML, fl, ordinal, (uint64_t)off, *xml, strnlen(*xml, sz));
    }
    libevtx_record_free(&rec, NULL);
    return sent;
}

/* The child's whole life: open, count, render every record, say END. Runs
 * in the isolated process the OS seam starts (os.h spawn_isolated). */
static void child_main(const char *path, int fd) {
    libevtx_file_t *ef = NULL;
    libevtx_error_t *err = NULL;
    char etext[256];
    if (libevtx_file_initialize(&ef, &err) != 1) {
        err_text(&err, etext, sizeof etext);
        send_text(fd, EV_MSG_REJECT, 0, 0, "libevtx cannot start: %s", etext);
        return;
    }
    if (libevtx_file_open(ef, path, LIBEVTX_OPEN_READ, &err) != 1) {
        err_text(&err, etext, sizeof etext);
        send_text(fd, EV_MSG_REJECT, 0, 0, "not a readable EVTX file: %s", etext);
        libevtx_file_free(&ef, NULL);
        send_msg(fd, EV_MSG_END, 0, 0, 0, NULL, 0);
        return;
    }
    int nrec = 0, nrecov = 0;
    if (libevtx_file_get_number_of_records(ef, &nrec, &err) != 1) {
        err_text(&err, etext, sizeof etext);
        send_text(fd, EV_MSG_REJECT, 0, 0, "EVTX record count unreadable: %s", etext);
        nrec = 0;
    }
    if (libevtx_file_get_number_of_recovered_records(ef, &nrecov, &err) != 1) {
        err_text(&err, etext, sizeof etext);
        send_text(fd, EV_MSG_WARN, 0, 0, "EVTX recovered records unreadable: %s", etext);
        nrecov = 0;
    }
    if (libevtx_file_is_corrupted(ef, NULL) == 1)
        send_text(fd, EV_MSG_WARN, 0, 0, "EVTX file is marked corrupted (dirty or damaged); reading what can be read");
    bool ok = send_msg(fd, EV_MSG_COUNTS, 0, (uint64_t)nrec, (uint64_t)nrecov, NULL, 0);
    char *xml = NULL;
    size_t cap = 0;
    uint64_t ordinal = 0;
    for (int i = 0; i < nrec && ok; i++) ok = child_record(fd, ef, i, false, ++ordinal, &xml, &cap);
    for (int i = 0; i < nrecov && ok; i++) ok = child_record(fd, ef, i, true, ++ordinal, &xml, &cap);
    if (ok) send_msg(fd, EV_MSG_END, 0, 0, 0, NULL, 0);
    um_free(xml);
    libevtx_file_close(ef, NULL);
    libevtx_file_free(&ef, NULL);
}

static const um_os_child evtx_child = {"evtx", child_main};

/* The child process is this program run again (os.h um_os_child): it runs
 * child_main here, before main(). */
__attribute__((constructor)) static void evtx_child_start(int argc, char **argv) {
    um_os_child_entry(argc, argv, &evtx_child);
}

/* In the parent: one record's XML, parsed, mapped and emitted. */
static um_status do_record(evtx_run *run, const char *xml, size_t len, bool recovered, uint64_t ordinal) {
    um_reader_ctx *rc = run->rc;
    const char *kind = recovered ? "recovered record" : "record";
    const char *why = um_evtx_parse_xml(&run->fields, xml, len);
    um_event ev;
    if (!why) {
        int m = um_evtx_to_event(&run->fields, &ev, &why);
        if (m == UM_WIN_SKIP) {
            if (!recovered) {
                run->skipped++;
                if (!run->skip_example[0])
                    snprintf(run->skip_example, sizeof run->skip_example, "%u", run->fields.bag.event_id);
                /* still offered to the Sigma rules (Sysmon 10, 7045 ...) */
                const char *why2 = NULL;
                if (um_winevent_map_common(&run->fields.bag, &ev, UM_EV_RAW, &why2) == UM_WIN_EVENT) {
                    ev.src_line = ordinal;
                    um_event_set_fields(&ev, &run->fields.bag);
                    return um_emit_event(rc, &ev);
                }
            }
            return UM_OK;
        }
        if (m == UM_WIN_EVENT) why = NULL;
        else if (!why || !*why) why = "event cannot be mapped";
    }
    if (why) {
        bad_record(run, recovered, ordinal, "%s", why);
        return UM_OK;
    }
    /* recovered copies of records that are still live are not new events */
    if (ev.record_id) {
        bool created = false;
        size_t idl = strlen(ev.record_id);
        if (recovered) {
            if (um_map_find(&run->live_ids, ev.record_id, idl)) {
                run->recov_dup++;
                return UM_OK;
            }
        } else if (!um_map_upsert(&run->live_ids, ev.record_id, idl, &created)) {
            return UM_ENOMEM;
        }
    }
    if (run->fields.dropped)
        um_warn(rc, ordinal, "%s %llu: %zu fields over the limit of %d ignored", kind,
                (unsigned long long)ordinal, run->fields.dropped, UM_EVTX_MAX_FIELDS);
    if (run->fields.truncated)
        um_warn(rc, ordinal, "%s %llu: %zu values cut at %d bytes", kind, (unsigned long long)ordinal,
                run->fields.truncated, UM_EVTX_MAX_VALUE);
    ev.src_line = ordinal;
    um_event_set_fields(&ev, &run->fields.bag); /* the whole record, for the Sigma rules */
    run->emitted++;
    return um_emit_event(rc, &ev);
}

/* Reads the child's messages until END or the pipe closes. */
static um_status parent_loop(evtx_run *run, int fd, int *nrec, int *nrecov, bool *ended) {
    um_status st = UM_OK;
    ev_msg m;
    while (st == UM_OK && read_all(fd, &m, sizeof m)) {
        if (m.len > UM_EVTX_MAX_XML) break; /* a confused child: stop reading it */
        if (m.len + 1 > run->cap) {
            char *nb = um_realloc(run->xml, (size_t)m.len + 1);
            if (!nb) return UM_ENOMEM;
            run->xml = nb;
            run->cap = (size_t)m.len + 1;
        }
        if (m.len && !read_all(fd, run->xml, m.len)) break;
        run->xml[m.len] = 0;
        bool recovered = m.flags & 1;
        switch (m.type) {
        case EV_MSG_XML:
            if (m.offset) um_rc_progress(run->rc, m.offset);
            st = do_record(run, run->xml, m.len, recovered, m.ordinal);
            break;
        case EV_MSG_BAD: bad_record(run, recovered, m.ordinal, "%s", run->xml); break;
        case EV_MSG_REJECT: um_reject(run->rc, 0, "%s", run->xml); break;
        case EV_MSG_WARN: um_warn(run->rc, 0, "%s", run->xml); break;
        case EV_MSG_COUNTS:
            *nrec = m.ordinal > INT32_MAX ? INT32_MAX : (int)m.ordinal;
            *nrecov = m.offset > INT32_MAX ? INT32_MAX : (int)m.offset;
            break;
        case EV_MSG_END: *ended = true; return st;
        default: return st;
        }
    }
    return st;
}

/* CRC-32 (IEEE, reflected), as used by the EVTX file header checksum. */
static uint32_t crc32_ieee(const unsigned char *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

static uint32_t le32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Checks the 4096-byte file header before libevtx sees the file (libevtx
 * accepts a bare signature followed by garbage). Returns NULL when it looks
 * right, else the reason; *crc_bad set when only the checksum is off. */
static const char *check_header(FILE *f, bool *crc_bad) {
    unsigned char h[128];
    *crc_bad = false;
    if (fread(h, 1, sizeof h, f) != sizeof h) return "file shorter than the EVTX header";
    if (memcmp(h, "ElfFile\0", 8) != 0) return "no ElfFile signature";
    uint32_t hsize = le32(h + 32);
    unsigned minor = (unsigned)(h[36] | h[37] << 8), major = (unsigned)(h[38] | h[39] << 8);
    unsigned block = (unsigned)(h[40] | h[41] << 8);
    if (hsize != 128 || major != 3 || block != 4096) return "EVTX header fields are not those of a v3 log (header size 128, block 4096)";
    (void)minor;
    if (crc32_ieee(h, 120) != le32(h + 124)) *crc_bad = true;
    return NULL;
}

static int detect(const char *path, const char *head, size_t n) {
    (void)path;
    return n >= 8 && memcmp(head, "ElfFile\0", 8) == 0 ? 100 : 0;
}

static um_status read_evtx(um_reader_ctx *rc, FILE *f) {
    bool crc_bad = false;
    const char *bad = check_header(f, &crc_bad); /* then libevtx opens the file by path */
    if (bad) {
        um_reject(rc, 0, "not a readable EVTX file: %s", bad);
        return UM_OK;
    }
    if (crc_bad) um_warn(rc, 0, "EVTX header checksum does not match (file copied while open, or altered)");
    const um_os *os = um_os_get();
    /* UNMASK_EVTX_CHILD_MB lowers the limit (tests prove the isolation) */
    const char *env = os->getenv(os->ud, "UNMASK_EVTX_CHILD_MB");
    long mb = env ? strtol(env, NULL, 10) : 0;
    if (mb <= 0 || mb > UM_EVTX_CHILD_MB) mb = UM_EVTX_CHILD_MB;
    um_os_limits lim = {(unsigned long)mb, UM_EVTX_CHILD_CPU_S};
    int rfd = -1;
    long child = 0;
    if (os->spawn_isolated(os->ud, &lim, &evtx_child, um_rc_file(rc), &rfd, &child) != 0) {
        um_reject(rc, 0, "cannot start the EVTX reader process: %s", strerror(errno));
        return UM_OK;
    }
    evtx_run run = {.rc = rc};
    um_evtx_fields_init(&run.fields);
    um_map_init(&run.live_ids);
    int nrec = 0, nrecov = 0;
    bool ended = false;
    um_status st = parent_loop(&run, rfd, &nrec, &nrecov, &ended);
    close(rfd);
    char how[64] = "";
    bool clean = os->reap(os->ud, child, !ended, how, sizeof how);
    (void)clean;
    if (!ended && st == UM_OK)
        um_reject(rc, 0, "libevtx stopped on this file (%s); the %zu events read before are kept", how,
                  run.emitted);
    if (nrecov > 0)
        um_warn(rc, 0, "%d recovered record(s) found in free space: %zu copies of live records, %zu unreadable",
                nrecov, run.recov_dup, run.recov_bad);
    if (ended && nrec == 0 && nrecov == 0) um_warn(rc, 0, "EVTX file holds no records");
    if (run.skipped)
        um_warn(rc, 0, "%zu events of types unmask does not use (e.g. EventID %s) not read", run.skipped,
                run.skip_example);
    um_evtx_fields_free(&run.fields);
    um_map_free(&run.live_ids);
    um_free(run.xml);
    return st;
}

const um_reader um_reader_evtx = {
    "evtx",
    "Windows event log files (.evtx: Sysmon, Security logons, PnP device events) read with libevtx",
    1, detect, read_evtx, NULL, false, true, NULL, 0, NULL, NULL};
