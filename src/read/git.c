/*
 * git.c - git histories: one UM_EV_COMMIT event per commit.
 *
 * Two readers:
 *   git-log   text exported with `git log` (default "medium" layout,
 *             --pretty=fuller, --date=iso/iso-strict/raw variants) or the
 *             tab-separated `--format='%H%x09%an%x09%ae%x09%aI%x09%cI%x09%s'`.
 *   git_repo  a repository read with libgit2: the scanner hands it every
 *             repository folder it meets (work tree, .git folder, bare
 *             repository); a HEAD file named directly (HEAD holds "ref: ..."
 *             or a hash, with objects/ beside it) is detected too. Every
 *             commit reachable from HEAD and from any ref is read once,
 *             newest committer time first (as `git log --all`); a missing
 *             object rejects only the commit it belongs to.
 *
 * Event fields: ts = author time (UTC us), tz_min/has_tz = author UTC offset,
 * user = author email, user_name = author name, record_id = commit hash,
 * subject_text = subject (first paragraph, joined with spaces, at most
 * UM_GIT_MAX_SUBJECT bytes), action = "commit". The committer is kept in
 * target as "committer=<email> <YYYY-MM-DDThh:mm:ss+hh:mm>" (local time with
 * the committer's own offset); the email is "-" when the source does not
 * give it (TSV) and target is NULL when there is no committer date at all
 * (default `git log` layout).
 *
 * Hostile input: bad or impossible dates, missing Author/Date, a bad hash,
 * an email that is not UTF-8 or oversized names reject the commit. Invalid
 * UTF-8 (or NUL) in a name or subject is replaced by U+FFFD and reported as
 * a warning, so the commit's time and offset still count.
 *
 * The parsers report through um_git_sink so they can be tested without a
 * scan; the readers at the bottom wrap them for um_reader.
 */
#include <git2.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../core/internal.h"

#define UM_GIT_MAX_LINE (1u << 20)  /* longer lines are skipped */
#define UM_GIT_MAX_SUBJECT 1024     /* bytes kept of a subject */
#define UM_GIT_SUBJECT_KEEP (4 * UM_GIT_MAX_SUBJECT) /* bytes read before the cut */
#define UM_GIT_MAX_NAME 512         /* longer author names reject */
#define UM_GIT_MAX_EMAIL 320
#define UM_GIT_MAX_HASH 64          /* SHA-256 repositories */
#define UM_GIT_MIN_HASH 7           /* --abbrev-commit */
#define UM_GIT_MAX_SECONDS 253402300799LL /* 9999-12-31T23:59:59Z */

#include "git.h"
#include "../util/cfmt.h"

#define issue um_rsink_issue

/* ---- small helpers ------------------------------------------------------- */

static bool is_hex_char(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Length of the run of hex digits at s (at most n). */
static size_t hex_run(const char *s, size_t n) {
    size_t i = 0;
    while (i < n && is_hex_char(s[i])) i++;
    return i;
}

static void copy_hash(char *dst, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) dst[i] = (char)(s[i] >= 'A' && s[i] <= 'F' ? s[i] + 32 : s[i]);
    dst[n] = 0;
}

static bool is_space(char c) { return c == ' ' || c == '\t'; }

static void trim(const char **s, size_t *n) {
    while (*n && is_space(**s)) (*s)++, (*n)--;
    while (*n && is_space((*s)[*n - 1])) (*n)--;
}

/* Appends s[0..n) replacing NUL bytes and invalid UTF-8 with U+FFFD;
 * returns how many were replaced. */
static size_t add_clean(um_buf *b, const char *s, size_t n) {
    size_t bad = 0, i = 0;
    while (i < n) {
        size_t k = 0;
        if (s[i] != 0)
            for (size_t t = 1; t <= 4 && i + t <= n; t++)
                if (um_utf8_valid(s + i, t)) { k = t; break; }
        if (k) {
            um_buf_add(b, s + i, k);
            i += k;
        } else {
            um_buf_add(b, "\xEF\xBF\xBD", 3);
            bad++;
            i++;
        }
    }
    return bad;
}

/* A length <= max for s[0..n) that does not end inside a UTF-8 sequence. */
static size_t utf8_cap(const char *s, size_t n, size_t max) {
    if (n <= max) return n;
    size_t k = max;
    for (int back = 0; back < 3 && k && ((unsigned char)s[k] & 0xC0) == 0x80; back++) k--;
    return k;
}

/* Cuts b to at most max bytes on a UTF-8 character boundary. */
static void cut_utf8(um_buf *b, size_t max) {
    if (b->len <= max) return;
    size_t n = max;
    while (n && ((unsigned char)b->s[n] & 0xC0) == 0x80) n--;
    b->len = n;
    b->s[n] = 0;
}

/* The offset text at the end of a git or raw date: [+-]HHMM, HH <= 18, MM < 60. */
static bool git_offset_ok(const char *s, size_t n) {
    if (n < 5) return false;
    const char *o = s + n - 5;
    if (o[0] != '+' && o[0] != '-') return false;
    for (int i = 1; i < 5; i++)
        if (o[i] < '0' || o[i] > '9') return false;
    int hh = (o[1] - '0') * 10 + (o[2] - '0'), mm = (o[3] - '0') * 10 + (o[4] - '0');
    return hh <= 18 && mm < 60 && (n == 5 || o[-1] == ' ');
}

/* --date=raw: "1709254800 +0900". */
static bool parse_raw_date(const char *s, size_t n, int64_t *us, int *tz) {
    size_t i = 0;
    int64_t secs = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        if (secs > UM_GIT_MAX_SECONDS) return false;
        secs = secs * 10 + (s[i] - '0');
        i++;
    }
    if (i == 0 || i + 6 != n || s[i] != ' ' || !git_offset_ok(s, n) || secs > UM_GIT_MAX_SECONDS)
        return false;
    const char *o = s + n - 5;
    int m = ((o[1] - '0') * 10 + (o[2] - '0')) * 60 + (o[3] - '0') * 10 + (o[4] - '0');
    *tz = o[0] == '-' ? -m : m;
    *us = secs * 1000000;
    return true;
}

/* A date as git prints it in any layout that keeps the offset. */
static bool parse_date(const char *s, size_t n, int64_t *us, int *tz) {
    trim(&s, &n);
    if (n == 0 || n > 64) return false;
    if (um_time_parse_git(s, n, us, tz)) return git_offset_ok(s, n) && *tz >= -18 * 60 && *tz <= 18 * 60;
    bool has = false;
    if (um_time_parse_iso(s, n, us, tz, &has)) return has && *tz >= -18 * 60 && *tz <= 18 * 60;
    if (n > 6 && s[n - 6] == ' ' && git_offset_ok(s, n) && s[0] >= '0' && s[0] <= '9' &&
        memchr(s, '-', n - 6)) {
        /* --date=iso: "2024-03-01 10:00:00 +0900" */
        char iso[64];
        memcpy(iso, s, n - 6);
        memcpy(iso + n - 6, s + n - 5, 5);
        if (um_time_parse_iso(iso, n - 1, us, tz, &has)) return has;
    }
    return parse_raw_date(s, n, us, tz);
}

/* "YYYY-MM-DDThh:mm:ss+hh:mm": the UTC time shown in its own offset. */
static void format_local(int64_t us, int tz, char *out, size_t outsz) {
    int64_t secs = us / 1000000;
    if (us % 1000000 < 0) secs--;
    time_t t = (time_t)(secs + (int64_t)tz * 60);
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(out, outsz, "-");
        return;
    }
    int a = tz < 0 ? -tz : tz;
    snprintf(out, outsz, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tz < 0 ? '-' : '+',
             a / 60, a % 60);
}

/* ---- one commit, whatever the source ------------------------------------ */

typedef struct git_rec {
    uint64_t line;      /* 0 for repositories */
    const char *hash;   /* NUL-terminated, lower case */
    const char *aname;
    size_t aname_len;
    const char *aemail;
    size_t aemail_len;
    int64_t ats;
    int atz;
    bool has_commit;    /* committer date known */
    const char *cemail; /* NULL when the source does not give it */
    size_t cemail_len;
    int64_t cts;
    int ctz;
    const char *subject;
    size_t subject_len;
    size_t subject_full; /* length before any cap, when larger */
} git_rec;

typedef struct git_scratch {
    um_buf name, email, subject, target;
} git_scratch;

static void scratch_init(git_scratch *s) {
    um_buf_init(&s->name), um_buf_init(&s->email), um_buf_init(&s->subject), um_buf_init(&s->target);
}

static void scratch_free(git_scratch *s) {
    um_buf_free(&s->name), um_buf_free(&s->email), um_buf_free(&s->subject), um_buf_free(&s->target);
}

/* Validates a commit and hands it on as an event (or a reject). */
static um_status emit_rec(const um_git_sink *sk, git_scratch *sc, const git_rec *r) {
    const char *h = r->hash;
    if (r->aemail_len > UM_GIT_MAX_EMAIL) {
        issue(sk, true, r->line, "commit %.12s: author email longer than %d bytes", h, UM_GIT_MAX_EMAIL);
        return UM_OK;
    }
    if (memchr(r->aemail, 0, r->aemail_len) || !um_utf8_valid(r->aemail, r->aemail_len)) {
        issue(sk, true, r->line, "commit %.12s: author email is not valid UTF-8", h);
        return UM_OK;
    }
    if (r->aname_len > UM_GIT_MAX_NAME) {
        issue(sk, true, r->line, "commit %.12s: author name longer than %d bytes", h, UM_GIT_MAX_NAME);
        return UM_OK;
    }
    if (r->cemail && (r->cemail_len > UM_GIT_MAX_EMAIL || memchr(r->cemail, 0, r->cemail_len) ||
                      !um_utf8_valid(r->cemail, r->cemail_len))) {
        issue(sk, true, r->line, "commit %.12s: committer email is not valid UTF-8 or too long", h);
        return UM_OK;
    }
    um_buf_reset(&sc->name), um_buf_reset(&sc->email), um_buf_reset(&sc->subject),
        um_buf_reset(&sc->target);
    /* adding zero bytes still allocates, so every string is terminated */
    um_buf_add(&sc->email, r->aemail, r->aemail_len);
    um_buf_add(&sc->name, "", 0);
    um_buf_add(&sc->subject, "", 0);
    if (add_clean(&sc->name, r->aname, r->aname_len))
        issue(sk, false, r->line, "commit %.12s: author name is not valid UTF-8; bad bytes replaced by U+FFFD", h);
    if (add_clean(&sc->subject, r->subject, r->subject_len))
        issue(sk, false, r->line, "commit %.12s: subject is not valid UTF-8; bad bytes replaced by U+FFFD", h);
    if (sc->subject.len > UM_GIT_MAX_SUBJECT) {
        size_t was = r->subject_full > r->subject_len ? r->subject_full : r->subject_len;
        if (!sc->subject.oom) cut_utf8(&sc->subject, UM_GIT_MAX_SUBJECT);
        issue(sk, false, r->line, "commit %.12s: subject of %zu bytes cut to %zu", h, was, sc->subject.len);
    }
    if (r->has_commit) {
        char when[48];
        format_local(r->cts, r->ctz, when, sizeof when);
        um_buf_adds(&sc->target, "committer=");
        if (r->cemail && r->cemail_len) um_buf_add(&sc->target, r->cemail, r->cemail_len);
        else um_buf_addc(&sc->target, '-');
        um_buf_addc(&sc->target, ' ');
        um_buf_adds(&sc->target, when);
    }
    if (sc->name.oom || sc->email.oom || sc->subject.oom || sc->target.oom) return UM_ENOMEM;
    if (!sc->email.len) issue(sk, false, r->line, "commit %.12s: author has no email", h);

    um_event ev;
    um_event_init(&ev);
    ev.kind = UM_EV_COMMIT;
    ev.ts = r->ats;
    ev.tz_min = r->atz;
    ev.has_tz = true;
    ev.user = sc->email.len ? sc->email.s : NULL;
    ev.user_name = sc->name.len ? sc->name.s : NULL;
    ev.record_id = h;
    ev.subject_text = sc->subject.s;
    ev.action = "commit";
    ev.target = r->has_commit ? sc->target.s : NULL;
    ev.src_line = r->line;
    return sk->event(sk->ud, &ev);
}

/* ---- text: `git log` medium / fuller ------------------------------------- */

typedef struct git_text {
    bool open;          /* a commit is being collected */
    bool bad;           /* ... and will be rejected with why */
    char why[256];
    uint64_t line;
    char hash[UM_GIT_MAX_HASH + 1];
    um_buf aname, aemail, cemail, subject;
    bool has_author, has_adate, has_committer, has_cdate;
    int64_t ats, cts;
    int atz, ctz;
    bool in_msg, subj_done;
    size_t subj_full; /* subject bytes seen, including those not kept */
} git_text;

static void text_bad(git_text *t, const char *fmt, ...) UM_PRINTF(2, 3);
static void text_bad(git_text *t, const char *fmt, ...) {
    if (t->bad) return; /* keep the first reason */
    t->bad = true;
    va_list ap;
    va_start(ap, fmt);
    um_vsnprintf(t->why, sizeof t->why, fmt, ap);
    va_end(ap);
}

static um_status text_flush(const um_git_sink *sk, git_scratch *sc, git_text *t) {
    if (!t->open) return UM_OK;
    t->open = false;
    if (t->bad) {
        issue(sk, true, t->line, "commit %.12s: %s", t->hash, t->why);
        return UM_OK;
    }
    if (!t->has_author) {
        issue(sk, true, t->line, "commit %.12s: no Author line (file truncated?)", t->hash);
        return UM_OK;
    }
    if (!t->has_adate) {
        issue(sk, true, t->line, "commit %.12s: no author Date line (file truncated?)", t->hash);
        return UM_OK;
    }
    if (t->aname.oom || t->aemail.oom || t->cemail.oom || t->subject.oom) return UM_ENOMEM;
    git_rec r = {t->line, t->hash, t->aname.s ? t->aname.s : "", t->aname.len,
                 t->aemail.s ? t->aemail.s : "", t->aemail.len, t->ats, t->atz, t->has_cdate,
                 t->has_committer ? (t->cemail.s ? t->cemail.s : "") : NULL, t->cemail.len,
                 t->cts, t->ctz, t->subject.s ? t->subject.s : "", t->subject.len, t->subj_full};
    return emit_rec(sk, sc, &r);
}

static void text_start(git_text *t, uint64_t line, const char *hash, size_t n) {
    t->open = true;
    t->bad = false;
    t->why[0] = 0;
    t->line = line;
    copy_hash(t->hash, hash, n);
    um_buf_reset(&t->aname), um_buf_reset(&t->aemail), um_buf_reset(&t->cemail),
        um_buf_reset(&t->subject);
    t->has_author = t->has_adate = t->has_committer = t->has_cdate = false;
    t->in_msg = t->subj_done = false;
    t->subj_full = 0;
    t->ats = t->cts = UM_TIME_NONE;
    t->atz = t->ctz = 0;
}

/* "Name <email>" into name/email. */
static bool split_ident(const char *v, size_t n, um_buf *name, um_buf *email) {
    trim(&v, &n);
    if (!n || v[n - 1] != '>') return false;
    const char *lt = NULL;
    for (size_t i = n - 1; i-- > 0;)
        if (v[i] == '<') { lt = v + i; break; }
    if (!lt) return false;
    size_t nn = (size_t)(lt - v), en = n - nn - 2;
    const char *e = lt + 1;
    trim(&v, &nn);
    trim(&e, &en);
    um_buf_reset(name), um_buf_reset(email);
    um_buf_add(name, v, nn);
    um_buf_add(email, e, en);
    return true;
}

/* A header line "Key: value" of the current commit. */
static void text_header(git_text *t, const char *s, size_t n) {
    static const struct {
        const char *key;
        int what; /* 0 author, 1 author date, 2 committer, 3 committer date, 4 ignore */
    } keys[] = {{"Author:", 0},     {"AuthorDate:", 1}, {"Date:", 1},
                {"Commit:", 2},     {"CommitDate:", 3}, {"Merge:", 4}};
    for (size_t k = 0; k < UM_ARRAY_LEN(keys); k++) {
        size_t kl = strlen(keys[k].key);
        if (n < kl || memcmp(s, keys[k].key, kl) != 0) continue;
        const char *v = s + kl;
        size_t vn = n - kl;
        trim(&v, &vn);
        switch (keys[k].what) {
        case 0:
            if (t->has_author) text_bad(t, "two Author lines");
            else if (!split_ident(v, vn, &t->aname, &t->aemail))
                text_bad(t, "Author line '%.*s' has no <email>", (int)(vn < 80 ? vn : 80), v);
            t->has_author = true;
            return;
        case 1:
            if (t->has_adate) text_bad(t, "two author Date lines");
            else if (!parse_date(v, vn, &t->ats, &t->atz))
                text_bad(t, "invalid author date '%.*s' (impossible date or no UTC offset)",
                         (int)(vn < 64 ? vn : 64), v);
            t->has_adate = true;
            return;
        case 2: {
            um_buf junk;
            um_buf_init(&junk);
            if (t->has_committer) text_bad(t, "two Commit lines");
            else if (!split_ident(v, vn, &junk, &t->cemail))
                text_bad(t, "Commit line '%.*s' has no <email>", (int)(vn < 80 ? vn : 80), v);
            um_buf_free(&junk);
            t->has_committer = true;
            return;
        }
        case 3:
            if (t->has_cdate) text_bad(t, "two CommitDate lines");
            else if (!parse_date(v, vn, &t->cts, &t->ctz))
                text_bad(t, "invalid committer date '%.*s' (impossible date or no UTC offset)",
                         (int)(vn < 64 ? vn : 64), v);
            t->has_cdate = true;
            return;
        default: return;
        }
    }
    /* other header lines (gpg:, Reflog:, Notes ...) carry nothing we use */
}

/* A line of the message or of what follows it (--stat, -p, notes). */
static void text_body(git_text *t, const char *s, size_t n) {
    if (t->subj_done) return;
    if (n >= 4 && memcmp(s, "    ", 4) == 0) {
        const char *v = s + 4;
        size_t vn = n - 4;
        trim(&v, &vn);
        if (!vn) {
            if (t->subject.len) t->subj_done = true;
            return;
        }
        if (t->subj_full) {
            t->subj_full++;
            if (t->subject.len < UM_GIT_SUBJECT_KEEP) um_buf_addc(&t->subject, ' ');
        }
        t->subj_full += vn;
        /* bound the copy: the cut happens in emit_rec, this only caps memory */
        size_t take = t->subject.len >= UM_GIT_SUBJECT_KEEP ? 0 : UM_GIT_SUBJECT_KEEP - t->subject.len;
        um_buf_add(&t->subject, v, utf8_cap(v, vn, take));
        return;
    }
    if (n) t->subj_done = true; /* diffstat, patch or notes: the message ended */
}

/* "commit <hash>[ (decorations)]": length of the hash, 0 when not a commit
 * line, and -1 (as SIZE_MAX) when it is "commit " followed by no valid hash. */
static size_t commit_line(const char *s, size_t n, bool *garbage) {
    *garbage = false;
    if (n < 7 || memcmp(s, "commit ", 7) != 0) return 0;
    size_t h = hex_run(s + 7, n - 7);
    if (h >= UM_GIT_MIN_HASH && h <= UM_GIT_MAX_HASH && (7 + h == n || s[7 + h] == ' ')) return h;
    *garbage = true;
    return 0;
}

static um_status parse_text_line(const um_git_sink *sk, git_scratch *sc, git_text *t,
                                 uint64_t ln, const char *s, size_t n, bool too_long,
                                 uint64_t *junk, uint64_t *junk_line, bool *discard) {
    um_status st = UM_OK;
    bool garbage;
    size_t h = too_long ? 0 : commit_line(s, n, &garbage);
    if (h || (!too_long && garbage)) {
        st = text_flush(sk, sc, t);
        *discard = false;
        if (h) text_start(t, ln, s + 7, h);
        else {
            issue(sk, true, ln, "'%.*s' is not a commit line (bad hash); lines up to the next commit skipped",
                  (int)(n < 80 ? n : 80), s);
            *discard = true;
        }
        return st;
    }
    if (*discard) return UM_OK;
    if (!t->open) {
        if (n || too_long) {
            if (!*junk) *junk_line = ln;
            (*junk)++;
        }
        return UM_OK;
    }
    if (!t->in_msg) {
        if (too_long) text_bad(t, "header line %llu longer than %u bytes", (unsigned long long)ln, UM_GIT_MAX_LINE);
        else if (n == 0) t->in_msg = true;
        else if (memchr(s, 0, n)) text_bad(t, "NUL byte in header line %llu", (unsigned long long)ln);
        else text_header(t, s, n);
        return UM_OK;
    }
    if (too_long) {
        if (!t->subj_done)
            issue(sk, false, ln, "commit %.12s: message line longer than %u bytes skipped", t->hash, UM_GIT_MAX_LINE);
        return UM_OK;
    }
    text_body(t, s, n);
    return UM_OK;
}

/* ---- text: tab-separated --------------------------------------------------- */

/* hash, author name, author email, author date, committer date, subject. */
static um_status parse_tsv_line(const um_git_sink *sk, git_scratch *sc, uint64_t ln,
                                const char *s, size_t n) {
    const char *f[6];
    size_t fl[6], nf = 0, start = 0;
    for (size_t i = 0; i <= n && nf < 5; i++)
        if (i == n || s[i] == '\t') {
            f[nf] = s + start;
            fl[nf++] = i - start;
            start = i + 1;
        }
    if (nf < 5 || start > n) {
        issue(sk, true, ln, "expected 6 tab-separated fields (hash, author name, author email, "
                            "author date, committer date, subject), got %zu", nf);
        return UM_OK;
    }
    f[5] = s + start; /* the subject keeps any tabs of its own */
    fl[5] = n - start;
    size_t h = hex_run(f[0], fl[0]);
    if (h != fl[0] || h < UM_GIT_MIN_HASH || h > UM_GIT_MAX_HASH) {
        issue(sk, true, ln, "first field '%.*s' is not a commit hash", (int)(fl[0] < 80 ? fl[0] : 80), f[0]);
        return UM_OK;
    }
    char hash[UM_GIT_MAX_HASH + 1];
    copy_hash(hash, f[0], h);
    git_rec r = {.line = ln, .hash = hash, .aname = f[1], .aname_len = fl[1], .aemail = f[2],
                 .aemail_len = fl[2], .has_commit = true, .cemail = NULL, .subject = f[5],
                 .subject_len = fl[5]};
    trim(&r.aname, &r.aname_len);
    trim(&r.aemail, &r.aemail_len);
    if (!parse_date(f[3], fl[3], &r.ats, &r.atz)) {
        issue(sk, true, ln, "commit %.12s: invalid author date '%.*s' (impossible date or no UTC offset)",
              hash, (int)(fl[3] < 64 ? fl[3] : 64), f[3]);
        return UM_OK;
    }
    if (!parse_date(f[4], fl[4], &r.cts, &r.ctz)) {
        issue(sk, true, ln, "commit %.12s: invalid committer date '%.*s' (impossible date or no UTC offset)",
              hash, (int)(fl[4] < 64 ? fl[4] : 64), f[4]);
        return UM_OK;
    }
    r.subject_full = r.subject_len;
    r.subject_len = utf8_cap(r.subject, r.subject_len, UM_GIT_SUBJECT_KEEP);
    return emit_rec(sk, sc, &r);
}

/* First line of a TSV export: 40/64-hex hash then a tab. */
static bool looks_tsv(const char *s, size_t n) {
    size_t h = hex_run(s, n);
    return (h == 40 || h == 64) && h < n && s[h] == '\t';
}

um_status um_git_parse_log(FILE *f, const um_git_sink *sk) {
    um_lines l;
    um_lines_init(&l, f, UM_GIT_MAX_LINE);
    git_scratch sc;
    scratch_init(&sc);
    git_text t;
    memset(&t, 0, sizeof t);
    um_buf_init(&t.aname), um_buf_init(&t.aemail), um_buf_init(&t.cemail), um_buf_init(&t.subject);
    const char *s;
    size_t n;
    bool too_long, discard = false;
    int mode = 0; /* 0 unknown, 1 text, 2 tsv, 3 unreadable */
    uint64_t junk = 0, junk_line = 0;
    um_status st = UM_OK;
    while (st == UM_OK && um_lines_next(&l, &s, &n, &too_long)) {
        if ((l.lineno & 1023) == 0 && sk->progress) sk->progress(sk->ud, l.bytes);
        if (l.lineno == 1 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) s += 3, n -= 3;
        if (l.lineno == 1 && n >= 2 && ((unsigned char)s[0] == 0xFF && (unsigned char)s[1] == 0xFE)) {
            issue(sk, true, 0, "file is UTF-16 (PowerShell '>' redirect); export again as UTF-8, "
                               "e.g. git log ... | Out-File -Encoding utf8");
            mode = 3;
            break;
        }
        if (mode == 0 && (n || too_long)) mode = !too_long && looks_tsv(s, n) ? 2 : 1;
        if (mode == 2) {
            if (too_long) issue(sk, true, l.lineno, "line longer than %u bytes", UM_GIT_MAX_LINE);
            else if (n) st = parse_tsv_line(sk, &sc, l.lineno, s, n);
        } else if (mode == 1) {
            st = parse_text_line(sk, &sc, &t, l.lineno, s, n, too_long, &junk, &junk_line, &discard);
        }
    }
    if (st == UM_OK) st = text_flush(sk, &sc, &t);
    if (junk)
        issue(sk, true, junk_line, "%llu line(s) outside any commit (no 'commit <hash>' line before them)",
              (unsigned long long)junk);
    if (st == UM_OK && mode == 0) issue(sk, false, 0, "empty file");
    if (sk->progress) sk->progress(sk->ud, l.bytes);
    um_buf_free(&t.aname), um_buf_free(&t.aemail), um_buf_free(&t.cemail), um_buf_free(&t.subject);
    scratch_free(&sc);
    um_lines_free(&l);
    return st;
}

/* ---- repositories (libgit2) ----------------------------------------------- */

static bool sig_time(const git_signature *sig, int64_t *us, int *tz) {
    if (!sig) return false;
    git_time_t t = sig->when.time;
    if (t < -UM_GIT_MAX_SECONDS || t > UM_GIT_MAX_SECONDS) return false;
    if (sig->when.offset < -18 * 60 || sig->when.offset > 18 * 60) return false;
    *us = (int64_t)t * 1000000;
    *tz = sig->when.offset;
    return true;
}

static const char *git_errmsg(void) {
    const git_error *e = git_error_last();
    return e && e->message ? e->message : "unknown libgit2 error";
}

/* The commits HEAD and every ref point to (tags peeled), into *tips. */
static um_status collect_tips(git_repository *repo, const um_git_sink *sk, git_oid **tips,
                              size_t *n) {
    size_t cap = 0, skipped = 0;
    *tips = NULL;
    *n = 0;
    git_object *obj = NULL;
    if (git_revparse_single(&obj, repo, "HEAD^{commit}") == 0) { /* detached HEAD too */
        if (!um_grow((void **)tips, &cap, 1, sizeof **tips)) {
            git_object_free(obj);
            return UM_ENOMEM;
        }
        git_oid_cpy(&(*tips)[(*n)++], git_object_id(obj));
        git_object_free(obj);
    }
    git_reference_iterator *it = NULL;
    if (git_reference_iterator_new(&it, repo) != 0) {
        issue(sk, false, 0, "cannot list references: %s", git_errmsg());
        return UM_OK;
    }
    git_reference *ref;
    um_status st = UM_OK;
    while (st == UM_OK && git_reference_next(&ref, it) == 0) {
        obj = NULL;
        if (git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT) == 0) {
            if (um_grow((void **)tips, &cap, *n + 1, sizeof **tips))
                git_oid_cpy(&(*tips)[(*n)++], git_object_id(obj));
            else
                st = UM_ENOMEM;
        } else {
            skipped++;
        }
        git_object_free(obj);
        git_reference_free(ref);
    }
    git_reference_iterator_free(it);
    if (skipped) issue(sk, false, 0, "%zu reference(s) do not point to a readable commit; skipped", skipped);
    return st;
}

static um_status emit_commit(const um_git_sink *sk, git_scratch *sc, git_commit *c, const char *hash) {
    const git_signature *a = git_commit_author(c), *k = git_commit_committer(c);
    git_rec r = {.line = 0, .hash = hash};
    if (!a || !sig_time(a, &r.ats, &r.atz)) {
        issue(sk, true, 0, "commit %.12s: author time or offset out of range", hash);
        return UM_OK;
    }
    r.aname = a->name ? a->name : "";
    r.aname_len = strlen(r.aname);
    r.aemail = a->email ? a->email : "";
    r.aemail_len = strlen(r.aemail);
    if (k && sig_time(k, &r.cts, &r.ctz)) {
        r.has_commit = true;
        r.cemail = k->email ? k->email : "";
        r.cemail_len = strlen(r.cemail);
    } else {
        issue(sk, false, 0, "commit %.12s: committer time or offset out of range; committer not kept", hash);
    }
    const char *sum = git_commit_summary(c);
    r.subject = sum ? sum : "";
    r.subject_len = strlen(r.subject);
    return emit_rec(sk, sc, &r);
}

/* Commits waiting to be emitted, a max-heap on committer time (ties: hash),
 * the order of `git log` without --topo-order. */
typedef struct git_heap_item {
    int64_t t;
    git_commit *c;
} git_heap_item;

typedef struct git_walk {
    git_repository *repo;
    const um_git_sink *sk;
    um_map seen; /* hex hash of every commit queued once */
    git_heap_item *heap;
    size_t n, cap;
} git_walk;

static bool heap_before(const git_heap_item *a, const git_heap_item *b) {
    if (a->t != b->t) return a->t > b->t;
    return git_oid_cmp(git_commit_id(a->c), git_commit_id(b->c)) < 0;
}

/* Queues a commit unless already seen; an unreadable one is a reject. */
static um_status walk_push(git_walk *w, const git_oid *oid) {
    char hash[UM_GIT_MAX_HASH + 1];
    git_oid_tostr(hash, sizeof hash, oid);
    bool created;
    if (!um_map_upsert(&w->seen, hash, strlen(hash), &created)) return UM_ENOMEM;
    if (!created) return UM_OK;
    git_commit *c = NULL;
    if (git_commit_lookup(&c, w->repo, oid) != 0) {
        issue(w->sk, true, 0, "commit %.12s: cannot read (damaged repository?): %s", hash, git_errmsg());
        return UM_OK;
    }
    if (!um_grow((void **)&w->heap, &w->cap, w->n + 1, sizeof *w->heap)) {
        git_commit_free(c);
        return UM_ENOMEM;
    }
    size_t i = w->n++;
    w->heap[i] = (git_heap_item){(int64_t)git_commit_time(c), c};
    while (i && heap_before(&w->heap[i], &w->heap[(i - 1) / 2])) {
        git_heap_item tmp = w->heap[i];
        w->heap[i] = w->heap[(i - 1) / 2];
        w->heap[(i - 1) / 2] = tmp;
        i = (i - 1) / 2;
    }
    return UM_OK;
}

static git_commit *walk_pop(git_walk *w) {
    git_commit *top = w->heap[0].c;
    w->heap[0] = w->heap[--w->n];
    for (size_t i = 0;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < w->n && heap_before(&w->heap[l], &w->heap[m])) m = l;
        if (r < w->n && heap_before(&w->heap[r], &w->heap[m])) m = r;
        if (m == i) break;
        git_heap_item tmp = w->heap[i];
        w->heap[i] = w->heap[m];
        w->heap[m] = tmp;
        i = m;
    }
    return top;
}

/* Every commit reachable from the tips, once, newest first. A missing
 * object rejects that commit only; the rest of the history is still read. */
static um_status walk_repo(git_repository *repo, const um_git_sink *sk, git_scratch *sc) {
    git_oid *tips = NULL;
    size_t ntips = 0;
    um_status st = collect_tips(repo, sk, &tips, &ntips);
    if (st == UM_OK && !ntips) issue(sk, false, 0, "repository has no commits");
    git_walk w = {repo, sk, {0}, NULL, 0, 0};
    um_map_init(&w.seen);
    for (size_t i = 0; st == UM_OK && i < ntips; i++) st = walk_push(&w, &tips[i]);
    uint64_t done = 0;
    while (st == UM_OK && w.n) {
        git_commit *c = walk_pop(&w);
        char hash[UM_GIT_MAX_HASH + 1];
        git_oid_tostr(hash, sizeof hash, git_commit_id(c));
        st = emit_commit(sk, sc, c, hash);
        unsigned np = git_commit_parentcount(c);
        for (unsigned i = 0; st == UM_OK && i < np; i++) {
            const git_oid *p = git_commit_parent_id(c, i);
            if (p) st = walk_push(&w, p);
        }
        git_commit_free(c);
        if ((++done & 1023) == 0 && sk->progress) sk->progress(sk->ud, 0);
    }
    while (w.n) git_commit_free(w.heap[--w.n].c); /* after an error */
    um_free(w.heap);
    um_map_free(&w.seen);
    um_free(tips);
    return st;
}

/* dir: a .git folder, a bare repository or a work tree. */
um_status um_git_parse_repo(const char *dir, const um_git_sink *sk) {
    if (git_libgit2_init() < 0) {
        issue(sk, true, 0, "libgit2 could not start");
        return UM_OK;
    }
    git_repository *repo = NULL;
    um_status st = UM_OK;
    if (git_repository_open_ext(&repo, dir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) != 0) {
        issue(sk, true, 0, "not a readable git repository: %s", git_errmsg());
    } else {
        git_scratch sc;
        scratch_init(&sc);
        st = walk_repo(repo, sk, &sc);
        scratch_free(&sc);
        git_repository_free(repo);
    }
    git_libgit2_shutdown();
    return st;
}

/* ---- readers ---------------------------------------------------------------- */

static int detect_log(const char *path, const char *head, size_t n) {
    (void)path;
    if (n >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0) head += 3, n -= 3;
    /* UTF-16LE "commit ": claimed so the reader can say how to fix it */
    if (n >= 16 && memcmp(head, "\xFF\xFE" "c\0o\0m\0m\0i\0t\0 \0", 16) == 0) return 60;
    const char *nl = memchr(head, '\n', n);
    size_t first = nl ? (size_t)(nl - head) : n;
    if (first && head[first - 1] == '\r') first--;
    if (first > 7 && memcmp(head, "commit ", 7) == 0) {
        size_t h = hex_run(head + 7, first - 7);
        if ((h == 40 || h == 64) && (7 + h == first || head[7 + h] == ' '))
            return memmem(head, n, "\nAuthor:", 8) ? 95 : 40;
        return 0;
    }
    if (looks_tsv(head, first)) {
        /* fields 4 and 5 are ISO dates with an offset */
        const char *f[6];
        size_t fl[6], nf = 0, start = 0;
        for (size_t i = 0; i <= first && nf < 6; i++)
            if (i == first || head[i] == '\t') {
                f[nf] = head + start;
                fl[nf++] = i - start;
                start = i + 1;
            }
        int64_t us;
        int tz;
        bool has;
        if (nf >= 6 && um_time_parse_iso(f[3], fl[3], &us, &tz, &has) && has &&
            um_time_parse_iso(f[4], fl[4], &us, &tz, &has) && has)
            return 95;
    }
    return 0;
}

static um_status read_log(um_reader_ctx *rc, FILE *f) {
    um_git_sink sk = um_rsink_reader(rc);
    return um_git_parse_log(f, &sk);
}

/* The folder holding the file path (a new string), or NULL. */
static char *parent_dir(const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash) return um_strdup(".");
    if (slash == path) return um_strdup("/");
    return um_strndup(path, (size_t)(slash - path));
}

static bool is_dir(const char *parent, const char *name) {
    char p[4096];
    int k = snprintf(p, sizeof p, "%s/%s", parent, name);
    struct stat st;
    return k > 0 && (size_t)k < sizeof p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int detect_repo(const char *path, const char *head, size_t n) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (strcmp(base, "HEAD") != 0) return 0;
    bool ok = n > 5 && memcmp(head, "ref: ", 5) == 0;
    if (!ok) {
        size_t h = hex_run(head, n);
        ok = (h == 40 || h == 64) && (h == n || head[h] == '\n' || head[h] == '\r');
    }
    if (!ok) return 0;
    char *dir = parent_dir(path);
    /* refs/remotes/x/HEAD and logs/HEAD have no objects/ beside them */
    int score = dir && is_dir(dir, "objects") && is_dir(dir, "refs") ? 100 : 0;
    um_free(dir);
    return score;
}

/* The scanner hands a repository folder (work tree, .git folder or bare
 * repository) with f == NULL; a HEAD file named directly comes with f. */
static um_status read_repo(um_reader_ctx *rc, FILE *f) {
    const char *path = um_rc_file(rc);
    char *dir = NULL;
    if (f) {
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        if (strcmp(base, "HEAD") != 0) {
            um_reject(rc, 0, "git_repo reads a repository folder or its HEAD file (.git/HEAD or "
                             "<bare repo>/HEAD); this file is neither");
            return UM_OK;
        }
        dir = parent_dir(path);
    } else {
        dir = um_strdup(path);
    }
    if (!dir) return UM_ENOMEM;
    um_git_sink sk = um_rsink_reader(rc);
    um_status st = um_git_parse_repo(dir, &sk);
    um_free(dir);
    return st;
}

static bool dir_exists(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A git repository (bare, a .git folder, or a work tree) is one input: its
 * history; its files are not inputs. */
static bool repo_claims_dir(const char *path) {
    char a[4200], b[4200];
    if (snprintf(a, sizeof a, "%s/.git", path) >= (int)sizeof a) return false;
    if (dir_exists(a)) return true;
    struct stat st;
    snprintf(a, sizeof a, "%s/HEAD", path);
    snprintf(b, sizeof b, "%s/objects", path);
    return stat(a, &st) == 0 && S_ISREG(st.st_mode) && dir_exists(b);
}

const um_reader um_reader_git_log = {
    "git-log",
    "git history exported with `git log` (default, --pretty=fuller) or as tab-separated "
    "%H %an %ae %aI %cI %s",
    1, detect_log, read_log, NULL, false, false, NULL, 0, NULL, NULL};

const um_reader um_reader_git_repo = {
    "git-repo", /* the name the scanner uses for repository folders */
    "git repository (work tree, .git folder, bare repository or its HEAD file) read with libgit2",
    1, detect_repo, read_repo, repo_claims_dir, false, true, NULL, 0, NULL, NULL};
