/*
 * osquery.c - osquery result logs (osqueryd's filesystem logger, JSON lines):
 * event format ({"name":..,"hostIdentifier":..,"unixTime":..,"columns":{..},
 * "action":"added"}), snapshot format ({"snapshot":[{..},..],
 * "action":"snapshot"}) and batch format ({"diffResults":{"added":[..]}}).
 * Rows of removed results are not events.
 *
 * Rows are read by their columns, whatever the query was named:
 *   usb_devices  (vendor_id, model_id; vendor, model, serial)
 *       -> UM_EV_USB: usb_vid/pid (hex), device_desc = model,
 *          company = vendor, usb_serial;
 *   processes    (path or name, with cmdline or pid)
 *       -> UM_EV_PROCESS: image = path (else name), cmdline, user = username
 *          when the query joined it; presented to Sigma process_creation
 *          rules with the Sysmon names (Image, CommandLine, ProcessId,
 *          ParentProcessId, User, Computer).
 * Other rows (installed programs, ...) are counted in one warning per file.
 * Host: hostIdentifier; time: unixTime (epoch seconds), else calendarTime.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/internal.h"
#include "../util/json.h"
#include "rsink.h"
#include "winevent.h"

#define OQ_MAX_LINE (4u << 20)

typedef struct oq {
    um_reader_ctx *rc;
    um_json *jp;
    uint64_t line, rows, unused;
    const char *host;
    int64_t ts;
    char tsbuf[40];
    um_winfields bag;
    bool bad_row;
} oq;

static const char *col(um_jval row, const char *name, char *tmp, size_t n) {
    um_jval v = um_jget(row, name, NULL);
    const char *s = um_jtext(v, tmp, n);
    return s && *s ? s : NULL;
}

static int hexval(const char *s) {
    if (!s) return -1;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s += 2;
    char *end;
    long v = strtol(s, &end, 16);
    return (*s && !*end && v >= 0 && v <= 0xffff) ? (int)v : -1;
}

static void bag_add(oq *q, const char *name, const char *v) {
    if (v) um_winfields_add(&q->bag, name, v, strlen(v), 1);
}

static int row(void *ud, const char *key, size_t klen, um_jval r) {
    (void)key;
    (void)klen;
    oq *q = ud;
    if (um_jtype_of(r) != UM_J_OBJECT) {
        q->bad_row = true;
        return 0;
    }
    q->rows++;
    char t1[64], t2[64], t3[32], t4[32], t5[32], t6[64];
    um_event ev;
    um_event_init(&ev);
    ev.host = q->host;
    ev.ts = q->ts;
    ev.src_line = q->line;
    const char *vid = col(r, "vendor_id", t1, sizeof t1), *pid = col(r, "model_id", t2, sizeof t2);
    const char *path = col(r, "path", NULL, 0), *name = col(r, "name", NULL, 0);
    const char *cmd = col(r, "cmdline", NULL, 0), *ppid = col(r, "pid", t3, sizeof t3);
    if (vid && pid) {
        ev.kind = UM_EV_USB;
        ev.usb_vid = hexval(vid);
        ev.usb_pid = hexval(pid);
        ev.device_desc = col(r, "model", NULL, 0);
        ev.company = col(r, "vendor", NULL, 0);
        ev.usb_serial = col(r, "serial", NULL, 0);
        ev.action = "osquery usb_devices";
        if (ev.usb_vid < 0 || ev.usb_pid < 0) {
            um_reject(q->rc, q->line, "usb_devices row with vendor_id '%.16s' / model_id '%.16s' not hex", vid, pid);
            return 0;
        }
        return um_emit_event(q->rc, &ev) != UM_OK;
    }
    if ((path || name) && (cmd || ppid)) {
        ev.kind = UM_EV_PROCESS;
        ev.image = path ? path : name;
        ev.cmdline = cmd;
        ev.user = col(r, "username", NULL, 0);
        ev.action = "osquery processes";
        /* the same row with Sysmon's names, for Sigma process_creation rules */
        um_winfields_reset(&q->bag);
        bag_add(q, "_unmask_category", "process_creation");
        bag_add(q, "Image", ev.image);
        bag_add(q, "CommandLine", cmd);
        bag_add(q, "ProcessId", ppid);
        bag_add(q, "ParentProcessId", col(r, "parent", t4, sizeof t4));
        bag_add(q, "User", ev.user);
        bag_add(q, "Computer", q->host);
        bag_add(q, "CurrentDirectory", col(r, "cwd", NULL, 0));
        bag_add(q, "UtcTime", q->tsbuf[0] ? q->tsbuf : NULL);
        (void)t5;
        (void)t6;
        um_event_set_fields(&ev, &q->bag);
        return um_emit_event(q->rc, &ev) != UM_OK;
    }
    q->unused++;
    return 0;
}

static void one(oq *q, const char *s, size_t len) {
    um_jval root;
    const char *err = NULL;
    if (um_json_parse(q->jp, s, len, &root, &err) != 0 || um_jtype_of(root) != UM_J_OBJECT) {
        um_reject(q->rc, q->line, "not a JSON object%s%s", err ? ": " : "", err ? err : "");
        return;
    }
    char hb[16];
    q->host = um_jstr(um_jget(root, "hostIdentifier", NULL), NULL);
    (void)hb;
    q->ts = UM_TIME_NONE;
    q->tsbuf[0] = 0;
    int64_t ut;
    if (um_jint(um_jget(root, "unixTime", NULL), &ut) && ut > 0 && ut < 253402300800LL) {
        q->ts = ut * 1000000;
    } else {
        const char *ct = um_jstr(um_jget(root, "calendarTime", NULL), NULL);
        int64_t us;
        if (ct && um_time_parse_iso(ct, strlen(ct), &us, NULL, NULL)) q->ts = us;
    }
    if (q->ts == UM_TIME_NONE) {
        um_reject(q->rc, q->line, "no unixTime or calendarTime");
        return;
    }
    um_time_format(q->ts, q->tsbuf, sizeof q->tsbuf);
    const char *action = um_jstr(um_jget(root, "action", NULL), NULL);
    q->bad_row = false;
    um_jval cols = um_jget(root, "columns", NULL);
    if (um_jtype_of(cols) == UM_J_OBJECT) {
        if (!action || strcmp(action, "removed") != 0) row(q, NULL, 0, cols);
    } else if (um_jtype_of(um_jget(root, "snapshot", NULL)) == UM_J_ARRAY) {
        um_jeach(um_jget(root, "snapshot", NULL), row, q);
    } else if (um_jtype_of(um_jpath(root, "diffResults.added", NULL)) == UM_J_ARRAY) {
        um_jeach(um_jpath(root, "diffResults.added", NULL), row, q);
    } else {
        um_reject(q->rc, q->line, "osquery result without columns, snapshot or diffResults");
        return;
    }
    if (q->bad_row) um_reject(q->rc, q->line, "a result row is not a JSON object");
}

static um_status read_osquery(um_reader_ctx *rc, FILE *f) {
    if (!f) {
        um_reject(rc, 0, "osquery reads files, not folders");
        return UM_OK;
    }
    oq *q = um_calloc(1, sizeof *q);
    if (!q || !(q->jp = um_json_new())) {
        um_free(q);
        return UM_ENOMEM;
    }
    q->rc = rc;
    um_lines l;
    um_lines_init(&l, f, OQ_MAX_LINE);
    um_rsink sk = um_rsink_reader(rc);
    const char *s;
    size_t len;
    while (um_rsink_next_line(&l, &sk, UM_LINE_BOM | UM_LINE_SKIP_BLANK, &s, &len)) {
        q->line = l.lineno;
        one(q, s, len);
    }
    if (q->unused)
        um_warn(rc, 0, "%llu osquery result rows of other tables not used (read: processes, usb_devices)",
                (unsigned long long)q->unused);
    um_lines_free(&l);
    um_json_free(q->jp);
    um_free(q);
    return UM_OK;
}

static int detect(const char *path, const char *head, size_t n) {
    (void)path;
    long i = um_json_head_start(head, n);
    if (i < 0 || head[i] != '{') return 0;
    bool host = memmem(head, n, "\"hostIdentifier\"", 16) != NULL;
    bool rows = memmem(head, n, "\"columns\"", 9) || memmem(head, n, "\"snapshot\"", 10) ||
                memmem(head, n, "\"diffResults\"", 13);
    return host && rows ? 85 : 0;
}

const um_reader um_reader_osquery = {
    "osquery",
    "osquery result logs (JSON lines: event, snapshot or batch format): processes and usb_devices rows",
    1, detect, read_osquery, NULL, false, false, NULL, 0, NULL, NULL};
