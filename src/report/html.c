/*
 * html.c - the self-contained HTML report (`unmask report`) and the escaping
 * helpers.
 *
 * The report is one file: the web UI's CSS and JS (web/, embedded at build
 * time) inline, and the case data as JSON inside a
 * <script type="application/json"> element, which the JS reads and renders
 * with DOM text nodes only (never innerHTML). A Content-Security-Policy meta
 * element allows exactly the one inline script and the one inline style (by
 * SHA-256 hash) and no network at all, so text from the case can never run
 * as script and the file fetches nothing when opened from a file URL.
 * Everything printed into HTML here goes through um_html_escape; JSON put
 * into the script element goes through um_json_for_html.
 *
 * Size: every person is in the ranked list; full detail (findings, evidence,
 * identifiers, pictures) is embedded for the first UM_REPORT_DETAIL_MAX in
 * rank order; the ranked list is paged (50 a page) and searchable.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"

void um_html_escape(um_buf *b, const char *s) {
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&': um_buf_adds(b, "&amp;"); break;
        case '<': um_buf_adds(b, "&lt;"); break;
        case '>': um_buf_adds(b, "&gt;"); break;
        case '"': um_buf_adds(b, "&quot;"); break;
        case '\'': um_buf_adds(b, "&#39;"); break;
        case '`': um_buf_adds(b, "&#96;"); break;
        default:
            if (c < 0x20 && c != '\n' && c != '\t') um_buf_adds(b, "\xef\xbf\xbd");
            else um_buf_addc(b, (char)c);
        }
    }
}

char *um_json_for_html(const json_t *v) {
    char *raw = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    if (!raw) return NULL;
    um_buf b;
    um_buf_init(&b);
    for (const char *p = raw; *p; p++) {
        /* these only occur inside JSON strings, where \uXXXX means the same */
        if (*p == '<') um_buf_adds(&b, "\\u003c");
        else if (*p == '>') um_buf_adds(&b, "\\u003e");
        else if (*p == '&') um_buf_adds(&b, "\\u0026");
        else um_buf_addc(&b, *p);
    } /* U+2028/2029 are already \u escapes (JSON_ENSURE_ASCII) */
    free(raw);
    if (b.oom) {
        um_buf_free(&b);
        return NULL;
    }
    return b.s;
}

static bool um_memmem_ci(const unsigned char *h, size_t n, const char *needle) {
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (um_strneq_ci((const char *)h + i, k, needle)) return true;
    return false;
}

static void sha256_b64(const unsigned char *d, size_t n, char out[64]) {
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, d, n);
    sodium_bin2base64(out, 64, h, sizeof h, sodium_base64_VARIANT_ORIGINAL);
}

/* The report's data: summary, every subject row, details of the first
 * UM_REPORT_DETAIL_MAX, clusters with their graphs, rejects. */
static um_status collect(um_case *c, json_t **out) {
    *out = NULL;
    json_t *d = json_object();
    json_t *v = NULL;
    um_status rc = um_case_summary(c, &v);
    if (rc != UM_OK) goto fail;
    json_object_set_new(d, "summary", v);
    json_t *subjects = json_array(), *details = json_object();
    json_object_set_new(d, "subjects", subjects);
    json_object_set_new(d, "details", details);
    um_page pg;
    memset(&pg, 0, sizeof pg);
    pg.limit = UM_PAGE_MAX;
    for (;;) {
        rc = um_case_subjects(c, &pg, &v);
        if (rc != UM_OK) goto fail;
        json_t *items = json_object_get(v, "items");
        size_t n = json_array_size(items);
        for (size_t i = 0; i < n; i++) {
            json_t *row = json_array_get(items, i);
            json_array_append(subjects, row);
            if (json_array_size(subjects) <= UM_REPORT_DETAIL_MAX) {
                const char *id = json_string_value(json_object_get(row, "id"));
                json_t *det = NULL;
                if (id && um_case_subject(c, id, &det) == UM_OK) json_object_set_new(details, id, det);
            }
        }
        json_decref(v);
        if (n < pg.limit) break;
        pg.offset += n;
    }
    json_t *clusters = json_array();
    json_object_set_new(d, "clusters", clusters);
    memset(&pg, 0, sizeof pg);
    pg.limit = UM_PAGE_MAX;
    for (;;) {
        rc = um_case_clusters(c, &pg, &v);
        if (rc != UM_OK) goto fail;
        json_object_set(d, "clusters_derived", json_object_get(v, "derived"));
        json_t *items = json_object_get(v, "items");
        size_t n = json_array_size(items);
        for (size_t i = 0; i < n && json_array_size(clusters) < UM_REPORT_DETAIL_MAX; i++) {
            const char *id = json_string_value(json_object_get(json_array_get(items, i), "id"));
            json_t *det = NULL;
            if (id && um_case_cluster(c, id, &det) == UM_OK) json_array_append_new(clusters, det);
        }
        json_decref(v);
        if (n < pg.limit || json_array_size(clusters) >= UM_REPORT_DETAIL_MAX) break;
        pg.offset += n;
    }
    memset(&pg, 0, sizeof pg);
    pg.limit = 200;
    rc = um_case_rejects(c, &pg, &v);
    if (rc != UM_OK) goto fail;
    json_object_set_new(d, "rejects", v);
    json_object_set_new(d, "detail_limit", json_integer(UM_REPORT_DETAIL_MAX));
    *out = d;
    return UM_OK;
fail:
    json_decref(d);
    return rc;
}

static void static_table(um_buf *b, json_t *subjects) {
    um_buf_adds(b, "<noscript><p>The interactive report needs JavaScript. The first 100 people:</p>"
                   "<table><thead><tr><th>#</th><th>id</th><th>level</th><th>score</th><th>name</th></tr></thead><tbody>");
    size_t i;
    json_t *row;
    json_array_foreach(subjects, i, row) {
        if (i >= 100) break;
        um_buf_printf(b, "<tr><td>%lld</td><td>", (long long)json_integer_value(json_object_get(row, "rank")));
        um_html_escape(b, json_string_value(json_object_get(row, "id")));
        um_buf_adds(b, "</td><td>");
        um_html_escape(b, json_string_value(json_object_get(row, "level")));
        um_buf_printf(b, "</td><td>%lld</td><td>", (long long)json_integer_value(json_object_get(row, "score")));
        um_html_escape(b, json_string_value(json_object_get(row, "display")));
        um_buf_adds(b, "</td></tr>");
    }
    um_buf_adds(b, "</tbody></table></noscript>");
}

um_status um_report_write(um_case *c, const char *out_path) {
    if (sodium_init() < 0) {
        um_case_set_error(c, "libsodium failed to initialise");
        return UM_EIO;
    }
    const um_web_asset_t *js = um_web_find("/app.js"), *css = um_web_find("/app.css");
    if (!js || !css) {
        um_case_set_error(c, "web assets missing from the build");
        return UM_ENOTFOUND;
    }
    /* the script is inlined: it must not be able to end its element early */
    if (um_memmem_ci(js->data, js->len, "</script") || um_memmem_ci(js->data, js->len, "<!--") ||
        um_memmem_ci(css->data, css->len, "</style")) {
        um_case_set_error(c, "web assets contain an end tag; refusing to inline them");
        return UM_EINVAL;
    }
    json_t *data = NULL;
    um_status rc = collect(c, &data);
    if (rc != UM_OK) return rc;
    json_object_set_new(data, "mode", json_string("report"));
    /* the static table for readers without script: escaped text only */
    um_buf ns;
    um_buf_init(&ns);
    static_table(&ns, json_object_get(data, "subjects"));
    char *payload = um_json_for_html(data);
    json_decref(data);
    if (!payload || ns.oom) {
        free(payload);
        um_buf_free(&ns);
        return UM_ENOMEM;
    }
    char hjs[64], hcss[64];
    sha256_b64(js->data, js->len, hjs);
    sha256_b64(css->data, css->len, hcss);
    um_buf b;
    um_buf_init(&b);
    um_buf_adds(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
    um_buf_printf(&b,
                  "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'sha256-%s';"
                  " style-src 'sha256-%s'; img-src data:; base-uri 'none'; form-action 'none'\">\n",
                  hjs, hcss);
    um_buf_adds(&b, "<meta name=\"referrer\" content=\"no-referrer\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>unmask report: ");
    /* the case's name: its folder (or the file when it is not case.db) */
    const char *path = um_case_path(c), *base = strrchr(path, '/');
    if (base && strcmp(base, "/case.db") == 0) {
        const char *p = base;
        while (p > path && p[-1] != '/') p--;
        char *dir = um_strndup(p, (size_t)(base - p));
        um_html_escape(&b, dir ? dir : "case");
        free(dir);
    } else {
        um_html_escape(&b, base ? base + 1 : path);
    }
    um_buf_adds(&b, "</title>\n<style>");
    um_buf_add(&b, (const char *)css->data, css->len);
    um_buf_adds(&b, "</style>\n</head><body data-mode=\"report\" data-case=\"");
    um_html_escape(&b, path);
    um_buf_adds(&b, "\"><div id=\"app\"></div>\n");
    um_buf_add(&b, ns.s, ns.len);
    um_buf_free(&ns);
    um_buf_adds(&b, "\n<script type=\"application/json\" id=\"um-data\">");
    um_buf_adds(&b, payload);
    free(payload);
    um_buf_adds(&b, "</script>\n<script>");
    um_buf_add(&b, (const char *)js->data, js->len);
    um_buf_adds(&b, "</script>\n</body></html>\n");
    if (b.oom) {
        um_buf_free(&b);
        return UM_ENOMEM;
    }
    size_t n = strlen(out_path) + 32;
    char *tmp = um_malloc(n);
    if (!tmp) {
        um_buf_free(&b);
        return UM_ENOMEM;
    }
    snprintf(tmp, n, "%s.tmp.%ld", out_path, (long)getpid());
    mode_t old = umask(077);
    FILE *f = fopen(tmp, "wb");
    umask(old);
    rc = UM_OK;
    if (!f) {
        um_case_set_error(c, "cannot write %s", tmp);
        rc = UM_EIO;
    } else {
        bool ok = fwrite(b.s, 1, b.len, f) == b.len;
        if (fclose(f) != 0) ok = false;
        if (!ok || rename(tmp, out_path) != 0) {
            um_case_set_error(c, "cannot write %s", out_path);
            unlink(tmp);
            rc = UM_EIO;
        }
    }
    free(tmp);
    um_buf_free(&b);
    return rc;
}
