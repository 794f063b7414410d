/*
 * test_git.c - git history readers: the three `git log` text layouts from
 * tests/data/git/, hostile text (impossible dates, bad hashes, truncation,
 * invalid UTF-8, a 10 000-byte subject), a repository built with libgit2 in
 * a temporary folder, detection, and a whole scan over the fixtures.
 */
#include <git2.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/scan.h"
#include "harness.h"

#include "read/git.h"

/* ---- a sink that keeps copies of everything ---- */

typedef struct kept_ev {
    int64_t ts;
    int tz;
    bool has_tz;
    int kind;
    uint64_t line;
    char *user, *name, *hash, *subject, *action, *target;
} kept_ev;

typedef struct kept_issue {
    bool reject;
    uint64_t line;
    char *msg;
} kept_issue;

typedef struct got {
    kept_ev ev[64];
    size_t n_ev;
    kept_issue is[64];
    size_t n_is, n_rej, n_warn;
} got;

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static um_status on_event(void *ud, um_event *e) {
    got *g = ud;
    if (g->n_ev >= UM_ARRAY_LEN(g->ev)) return UM_ELIMIT;
    kept_ev *k = &g->ev[g->n_ev++];
    k->ts = e->ts;
    k->tz = e->tz_min;
    k->has_tz = e->has_tz;
    k->kind = (int)e->kind;
    k->line = e->src_line;
    k->user = dup_or_null(e->user);
    k->name = dup_or_null(e->user_name);
    k->hash = dup_or_null(e->record_id);
    k->subject = dup_or_null(e->subject_text);
    k->action = dup_or_null(e->action);
    k->target = dup_or_null(e->target);
    return UM_OK;
}

static void on_issue(void *ud, bool reject, uint64_t line, const char *msg) {
    got *g = ud;
    if (reject) g->n_rej++;
    else g->n_warn++;
    if (g->n_is >= UM_ARRAY_LEN(g->is)) return;
    kept_issue *k = &g->is[g->n_is++];
    k->reject = reject;
    k->line = line;
    k->msg = strdup(msg);
}

static void got_free(got *g) {
    for (size_t i = 0; i < g->n_ev; i++) {
        kept_ev *k = &g->ev[i];
        free(k->user), free(k->name), free(k->hash), free(k->subject), free(k->action), free(k->target);
    }
    for (size_t i = 0; i < g->n_is; i++) free(g->is[i].msg);
    memset(g, 0, sizeof *g);
}

/* The issue whose message contains needle, or NULL. */
static const kept_issue *find_issue(const got *g, bool reject, const char *needle) {
    for (size_t i = 0; i < g->n_is; i++)
        if (g->is[i].reject == reject && strstr(g->is[i].msg, needle)) return &g->is[i];
    return NULL;
}

static um_status parse_text(got *g, const char *text, size_t n) {
    memset(g, 0, sizeof *g);
    um_git_sink sk = {g, on_event, on_issue, NULL};
    FILE *f = fmemopen((void *)text, n, "r");
    if (!f) return UM_EIO;
    um_status st = um_git_parse_log(f, &sk);
    fclose(f);
    return st;
}

static um_status parse_fixture(got *g, const char *name) {
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/git/%s", um_t_src(), name);
    memset(g, 0, sizeof *g);
    um_git_sink sk = {g, on_event, on_issue, NULL};
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return UM_EIO;
    }
    um_status st = um_git_parse_log(f, &sk);
    fclose(f);
    return st;
}

#define S(us) ((int64_t)(us) * 1000000)

/* Checks shared by the three exports of the same five commits. */
static void check_five(const got *g) {
    CHECK_INTEQ(g->n_ev, 5);
    CHECK_INTEQ(g->n_rej, 0);
    if (g->n_ev != 5) return;
    const kept_ev *m = &g->ev[0], *k = &g->ev[1], *j = &g->ev[3], *first = &g->ev[4];
    CHECK_STREQ(m->hash, "65d3523c1d4f7bce8f17959ca81be5f674b4680c");
    CHECK_INTEQ(m->kind, UM_EV_COMMIT);
    CHECK_STREQ(m->action, "commit");
    CHECK_INTEQ(m->ts, S(1709744400)); /* 2024-03-06 12:00:00 -0500 */
    CHECK_INTEQ(m->tz, -300);
    CHECK(m->has_tz);
    CHECK_STREQ(m->user, "jsmith@corp.example");
    CHECK_STREQ(m->name, "John Smith");
    CHECK_STREQ(m->subject, "Merge branch 'feat'");
    CHECK_STREQ(k->hash, "d75a2eb6790b50d12977f6ff50b85fa8cbd19024");
    CHECK_INTEQ(k->ts, S(1709567999)); /* 2024-03-04 23:59:59 +0800 */
    CHECK_INTEQ(k->tz, 480);
    CHECK_STREQ(j->hash, "6ae94349537a5a0d7d1b4ca4cdac50de15435ffa");
    CHECK_INTEQ(j->ts, S(1709389815)); /* 2024-03-02 09:30:15 -0500 */
    CHECK_STREQ(j->subject, "Fix login timeout"); /* body paragraphs not included */
    CHECK_STREQ(first->hash, "40d15770c9b116ac8edbc666ac4dd333f0df23f2");
    CHECK_INTEQ(first->ts, S(1709254800)); /* 2024-03-01 10:00:00 +0900 */
    CHECK_INTEQ(first->tz, 540);
    CHECK_STREQ(first->user, "kim.chol@example.com");
    CHECK_STREQ(first->name, "Kim Chol");
    CHECK_STREQ(first->subject, "Initial commit");
}

static void t_default(void) {
    got g;
    CHECK_INTEQ(parse_fixture(&g, "default.log"), UM_OK);
    check_five(&g);
    CHECK_INTEQ(g.n_warn, 0);
    if (g.n_ev == 5) {
        CHECK(g.ev[0].target == NULL); /* no committer in the default layout */
        CHECK_INTEQ(g.ev[0].line, 1);
        CHECK_INTEQ(g.ev[4].line, 30);
        CHECK_STREQ(g.ev[1].subject, "Add payment     module with tab"); /* git expanded the tab */
    }
    got_free(&g);
}

static void t_fuller(void) {
    got g;
    CHECK_INTEQ(parse_fixture(&g, "fuller.log"), UM_OK);
    check_five(&g);
    if (g.n_ev == 5) {
        CHECK_STREQ(g.ev[1].target, "committer=kim.chol@example.com 2024-03-05T00:10:00+09:00");
        CHECK_STREQ(g.ev[3].target, "committer=ci@corp.example 2024-03-02T14:31:00+00:00");
        CHECK_STREQ(g.ev[0].target, "committer=jsmith@corp.example 2024-03-06T12:00:00-05:00");
    }
    got_free(&g);
}

static void t_tsv(void) {
    got g;
    CHECK_INTEQ(parse_fixture(&g, "log.tsv"), UM_OK);
    check_five(&g);
    if (g.n_ev == 5) {
        CHECK_STREQ(g.ev[1].subject, "Add payment\tmodule with tab"); /* last field keeps tabs */
        CHECK_STREQ(g.ev[1].target, "committer=- 2024-03-05T00:10:00+09:00");
        CHECK_INTEQ(g.ev[2].line, 3);
    }
    got_free(&g);
}

static void t_hostile_text(void) {
    static const char text[] =
        "junk before\n"                                          /* 1 */
        "commit 1111111111111111111111111111111111111111\n"      /* 2 */
        "Author: Good One <good@example.com>\n"
        "Date:   Thu Feb 29 12:00:00 2024 +0900\n"
        "\n"
        "    Leap day is fine\n"
        "\n"
        "commit 2222222222222222222222222222222222222222\n"      /* 8 */
        "Author: Bad Date <bad@example.com>\n"
        "Date:   Fri Feb 30 12:00:00 2024 +0900\n"
        "\n"
        "    Impossible date\n"
        "\n"
        "commit xyz\n"                                           /* 14 */
        "Author: Garbage <g@example.com>\n"
        "Date:   Fri Mar 1 12:00:00 2024 +0900\n"
        "\n"
        "commit 3333333333333333333333333333333333333333\n"      /* 18 */
        "Author: Caf\xe9 Latin1 <latin@example.com>\n"
        "Date:   Fri Mar 1 12:00:00 2024 -0300\n"
        "\n"
        "    Bad \xff subject\n"
        "\n"
        "commit 4444444444444444444444444444444444444444\n"      /* 24 */
        "Author: No Email\n"
        "Date:   Fri Mar 1 12:00:00 2024 +0000\n"
        "\n"
        "commit 5555555555555555555555555555555555555555\n"      /* 28 */
        "Author: Odd Offset <off@example.com>\n"
        "Date:   Fri Mar 1 12:00:00 2024 +0975\n"
        "\n"
        "commit 6666666666666666666666666666666666666666\n"      /* 32 */
        "Author: No Zone <nz@example.com>\n"
        "Date:   2024-03-01 12:00:00\n"
        "\n"
        "commit 7777777777777777777777777777777777777777\n"      /* 36 */
        "Author: Bad Mail <\xff@example.com>\n"
        "Date:   Fri Mar 1 12:00:00 2024 +0000\n"
        "\n"
        "commit 8888888888888888888888888888888888888888\n"      /* 40 */
        "Author: Truncated Ok <t@example.com>\n"
        "Date:   Sat Mar 2 01:02:03 2024 +0000\n";
    got g;
    CHECK_INTEQ(parse_text(&g, text, sizeof text - 1), UM_OK);
    CHECK_INTEQ(g.n_ev, 3);
    if (g.n_ev == 3) {
        CHECK_STREQ(g.ev[0].hash, "1111111111111111111111111111111111111111");
        CHECK_INTEQ(g.ev[0].ts, S(1709175600)); /* leap day exists in 2024 */
        CHECK_STREQ(g.ev[0].subject, "Leap day is fine");
        CHECK_STREQ(g.ev[1].hash, "3333333333333333333333333333333333333333");
        CHECK_STREQ(g.ev[1].name, "Caf\xEF\xBF\xBD Latin1"); /* invalid byte -> U+FFFD */
        CHECK_STREQ(g.ev[1].subject, "Bad \xEF\xBF\xBD subject");
        CHECK_INTEQ(g.ev[1].tz, -180);
        CHECK_INTEQ(g.ev[1].ts, S(1709305200));
        CHECK_STREQ(g.ev[2].hash, "8888888888888888888888888888888888888888");
        CHECK_INTEQ(g.ev[2].ts, S(1709341323));
        CHECK_STREQ(g.ev[2].subject, ""); /* file ends before the message */
        CHECK_INTEQ(g.ev[2].line, 40);
    }
    CHECK_INTEQ(g.n_rej, 7);
    const kept_issue *k;
    CHECK((k = find_issue(&g, true, "commit 222222222222: invalid author date 'Fri Feb 30")) && k->line == 8);
    CHECK((k = find_issue(&g, true, "'commit xyz' is not a commit line")) && k->line == 14);
    CHECK((k = find_issue(&g, true, "commit 444444444444: Author line 'No Email' has no <email>")) && k->line == 24);
    CHECK((k = find_issue(&g, true, "commit 555555555555: invalid author date")) && k->line == 28);
    CHECK((k = find_issue(&g, true, "commit 666666666666: invalid author date '2024-03-01 12:00:00'")) && k->line == 32);
    CHECK((k = find_issue(&g, true, "commit 777777777777: author email is not valid UTF-8")) && k->line == 36);
    CHECK((k = find_issue(&g, true, "1 line(s) outside any commit")) && k->line == 1);
    CHECK((k = find_issue(&g, false, "author name is not valid UTF-8")) && k->line == 18);
    CHECK(find_issue(&g, false, "subject is not valid UTF-8") != NULL);
    got_free(&g);
}

static void t_truncated(void) {
    /* cut after Author: the partial commit lacks a date and is rejected */
    static const char text[] = "commit aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
                               "Author: A <a@example.com>\n"
                               "Date:   Tue Nov 3 10:20:30 2020 +0900\n"
                               "\n"
                               "    first\n"
                               "\n"
                               "commit bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n"
                               "Author: B <b@exa";
    got g;
    CHECK_INTEQ(parse_text(&g, text, sizeof text - 1), UM_OK);
    CHECK_INTEQ(g.n_ev, 1);
    if (g.n_ev == 1) {
        CHECK_STREQ(g.ev[0].subject, "first");
        CHECK_INTEQ(g.ev[0].ts, S(1604366430)); /* 2020-11-03T01:20:30Z */
    }
    CHECK_INTEQ(g.n_rej, 1);
    const kept_issue *k = find_issue(&g, true, "commit bbbbbbbbbbbb: ");
    CHECK(k && k->line == 7);
    got_free(&g);

    /* cut inside the header: Author present, Date missing */
    static const char text2[] = "commit cccccccccccccccccccccccccccccccccccccccc\n"
                                "Author: C <c@example.com>\n";
    CHECK_INTEQ(parse_text(&g, text2, sizeof text2 - 1), UM_OK);
    CHECK_INTEQ(g.n_ev, 0);
    CHECK(find_issue(&g, true, "no author Date line") != NULL);
    got_free(&g);
}

static void t_date_layouts(void) {
    /* --date=iso, --date=iso-strict, --date=raw, CRLF line ends, abbreviated
     * hash with decorations, a stat block after the message */
    static const char text[] = "commit 0123abc (HEAD -> main, origin/main)\r\n"
                               "Author: A <a@example.com>\r\n"
                               "Date:   2024-03-01 10:00:00 +0900\r\n"
                               "\r\n"
                               "    iso\r\n"
                               "    continued line\r\n"
                               "\r\n"
                               " file.c | 2 +-\r\n"
                               "commit 0123abd\n"
                               "Author:     B <b@example.com>\n"
                               "AuthorDate: 2024-03-01T10:00:00-05:30\n"
                               "Commit:     C <c@example.com>\n"
                               "CommitDate: 1709254800 +0900\n"
                               "\n"
                               "    strict\n";
    got g;
    CHECK_INTEQ(parse_text(&g, text, sizeof text - 1), UM_OK);
    CHECK_INTEQ(g.n_ev, 2);
    CHECK_INTEQ(g.n_rej, 0);
    if (g.n_ev == 2) {
        CHECK_STREQ(g.ev[0].hash, "0123abc");
        CHECK_INTEQ(g.ev[0].ts, S(1709254800));
        CHECK_INTEQ(g.ev[0].tz, 540);
        CHECK_STREQ(g.ev[0].subject, "iso continued line"); /* first paragraph joined */
        CHECK_INTEQ(g.ev[1].tz, -330);
        CHECK_INTEQ(g.ev[1].ts, S(1709254800 + 14 * 3600 + 30 * 60)); /* 15:30Z */
        CHECK_STREQ(g.ev[1].target, "committer=c@example.com 2024-03-01T10:00:00+09:00");
    }
    got_free(&g);
}

static void t_long_subject(void) {
    const char *head = "commit dddddddddddddddddddddddddddddddddddddddd\n"
                       "Author: D <d@example.com>\n"
                       "Date:   Tue Nov 3 10:20:30 2020 +0900\n\n    ";
    size_t hn = strlen(head), n = hn + 10000 + 1;
    char *text = malloc(n);
    CHECK(text != NULL);
    if (!text) return;
    memcpy(text, head, hn);
    /* 9 998 ASCII bytes then a 2-byte character straddling the cut at 1024 */
    memset(text + hn, 'a', 10000);
    text[hn + 1023] = '\xC3';
    text[hn + 1024] = '\xA9';
    text[n - 1] = '\n';
    got g;
    CHECK_INTEQ(parse_text(&g, text, n), UM_OK);
    CHECK_INTEQ(g.n_ev, 1);
    if (g.n_ev == 1) {
        CHECK_INTEQ(strlen(g.ev[0].subject), 1023); /* never splits a character */
        CHECK(g.ev[0].subject[0] == 'a' && g.ev[0].subject[1022] == 'a');
    }
    CHECK(find_issue(&g, false, "subject of 10000 bytes cut to 1023") != NULL);
    got_free(&g);

    /* the same subject as the last TSV field */
    char *tsv = malloc(20000);
    CHECK(tsv != NULL);
    if (!tsv) {
        free(text);
        return;
    }
    int k = snprintf(tsv, 20000, "%s\tE\te@example.com\t2024-03-01T10:00:00+09:00\t2024-03-01T10:00:00+09:00\t",
                     "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");
    memset(tsv + k, 'b', 10000);
    CHECK_INTEQ(parse_text(&g, tsv, (size_t)k + 10000), UM_OK);
    CHECK_INTEQ(g.n_ev, 1);
    if (g.n_ev == 1) CHECK_INTEQ(strlen(g.ev[0].subject), 1024);
    got_free(&g);
    free(tsv);
    free(text);
}

static void t_hostile_tsv(void) {
    static const char text[] =
        "abababababababababababababababababababab\tA\ta@example.com\t2024-03-01T10:00:00+09:00\t2024-03-01T10:00:00+09:00\tok\n"
        "\n"
        "abababababababababababababababababababab\tA\ta@example.com\t2023-02-29T10:00:00+09:00\t2024-03-01T10:00:00+09:00\tno leap\n"
        "nothex\tA\ta@example.com\t2024-03-01T10:00:00+09:00\t2024-03-01T10:00:00+09:00\tx\n"
        "abababababababababababababababababababab\tA\ta@example.com\t2024-03-01T10:00:00\t2024-03-01T10:00:00+09:00\tno zone\n"
        "abababababababababababababababababababab\tonly\tthree\n"
        "abababababababababababababababababababab\tA\ta@example.com\t2024-03-01T10:00:00+09:00\tbad\tx\n"
        "abababababababababababababababababababab\t\t\t2024-03-01T10:00:00Z\t2024-03-01T10:00:00Z\t\n";
    got g;
    CHECK_INTEQ(parse_text(&g, text, sizeof text - 1), UM_OK);
    CHECK_INTEQ(g.n_ev, 2);
    CHECK_INTEQ(g.n_rej, 5);
    const kept_issue *k;
    CHECK((k = find_issue(&g, true, "invalid author date '2023-02-29T10:00:00+09:00'")) && k->line == 3);
    CHECK((k = find_issue(&g, true, "first field 'nothex")) && k->line == 4);
    CHECK((k = find_issue(&g, true, "invalid author date '2024-03-01T10:00:00'")) && k->line == 5);
    CHECK((k = find_issue(&g, true, "got 3")) && k->line == 6);
    CHECK((k = find_issue(&g, true, "invalid committer date 'bad'")) && k->line == 7);
    if (g.n_ev == 2) {
        CHECK(g.ev[1].user == NULL); /* empty email: kept with a warning */
        CHECK(g.ev[1].name == NULL);
        CHECK_INTEQ(g.ev[1].tz, 0);
    }
    CHECK(find_issue(&g, false, "author has no email") != NULL);
    got_free(&g);

    /* PowerShell's UTF-16 output is refused with a way out */
    static const char u16[] = "\xFF\xFE" "c\0o\0m\0m\0i\0t\0 \0";
    CHECK_INTEQ(parse_text(&g, u16, sizeof u16 - 1), UM_OK);
    CHECK_INTEQ(g.n_ev, 0);
    CHECK(find_issue(&g, true, "UTF-16") != NULL);
    got_free(&g);
}

/* ---- repository built with libgit2 ---- */

typedef struct repo_fx {
    char dir[64];
    char hash[3][GIT_OID_HEXSZ + 1];
} repo_fx;

static int mk_commit(git_repository *repo, const char *ref, const char *name, const char *email,
                     git_time_t t, int off, const char *msg, git_commit *parent, git_oid *out) {
    git_signature *sig = NULL, *com = NULL;
    git_treebuilder *tb = NULL;
    git_tree *tree = NULL;
    git_oid tid;
    int rc = git_signature_new(&sig, name, email, t, off);
    if (!rc) rc = git_signature_new(&com, "Committer", "committer@example.com", t + 60, 0);
    if (!rc) rc = git_treebuilder_new(&tb, repo, NULL);
    if (!rc) rc = git_treebuilder_write(&tid, tb);
    if (!rc) rc = git_tree_lookup(&tree, repo, &tid);
    const git_commit *parents[1] = {parent};
    if (!rc) rc = git_commit_create(out, repo, ref, sig, com, NULL, msg, tree, parent ? 1 : 0, parents);
    git_tree_free(tree);
    git_treebuilder_free(tb);
    git_signature_free(sig);
    git_signature_free(com);
    return rc;
}

static bool build_repo(repo_fx *fx) {
    snprintf(fx->dir, sizeof fx->dir, "/tmp/um_test_git_XXXXXX");
    if (!mkdtemp(fx->dir)) return false;
    git_libgit2_init();
    git_repository *repo = NULL;
    git_oid o1, o2, o3;
    git_commit *c1 = NULL;
    int rc = git_repository_init(&repo, fx->dir, 0);
    if (!rc) rc = mk_commit(repo, "HEAD", "Kim Chol", "kim@example.com", 1709254800, 540,
                            "First commit\n\nbody\n", NULL, &o1);
    if (!rc) rc = git_commit_lookup(&c1, repo, &o1);
    if (!rc) rc = mk_commit(repo, "HEAD", "John Smith", "john@example.com", 1709341200, -300,
                            "Second commit\n", c1, &o2);
    /* only reachable from another branch */
    if (!rc) rc = mk_commit(repo, "refs/heads/side", "Side Dev", "side@example.com", 1709300000, 480,
                            "Side branch\n", c1, &o3);
    if (!rc) {
        git_oid_tostr(fx->hash[0], sizeof fx->hash[0], &o1);
        git_oid_tostr(fx->hash[1], sizeof fx->hash[1], &o2);
        git_oid_tostr(fx->hash[2], sizeof fx->hash[2], &o3);
    }
    git_commit_free(c1);
    git_repository_free(repo);
    git_libgit2_shutdown();
    return rc == 0;
}

static void remove_tree(const char *dir) {
    char cmd[256];
    if (strncmp(dir, "/tmp/um_test_git_", 17) != 0) return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

static void t_repo(void) {
    repo_fx fx;
    CHECK(build_repo(&fx));
    char gitdir[128];
    snprintf(gitdir, sizeof gitdir, "%s/.git", fx.dir);
    got g;
    memset(&g, 0, sizeof g);
    um_git_sink sk = {&g, on_event, on_issue, NULL};
    CHECK_INTEQ(um_git_parse_repo(gitdir, &sk), UM_OK);
    CHECK_INTEQ(g.n_ev, 3);
    CHECK_INTEQ(g.n_rej, 0);
    if (g.n_ev == 3) {
        /* newest committer time first */
        CHECK_STREQ(g.ev[0].hash, fx.hash[1]);
        CHECK_INTEQ(g.ev[0].ts, S(1709341200));
        CHECK_INTEQ(g.ev[0].tz, -300);
        CHECK_STREQ(g.ev[0].user, "john@example.com");
        CHECK_STREQ(g.ev[0].name, "John Smith");
        CHECK_STREQ(g.ev[0].subject, "Second commit");
        CHECK_STREQ(g.ev[0].target, "committer=committer@example.com 2024-03-02T01:01:00+00:00");
        CHECK_INTEQ(g.ev[0].line, 0);
        CHECK_STREQ(g.ev[1].hash, fx.hash[2]);
        CHECK_INTEQ(g.ev[1].tz, 480);
        CHECK_STREQ(g.ev[2].hash, fx.hash[0]);
        CHECK_INTEQ(g.ev[2].ts, S(1709254800));
        CHECK_INTEQ(g.ev[2].tz, 540);
        CHECK_STREQ(g.ev[2].subject, "First commit");
        CHECK_STREQ(g.ev[2].action, "commit");
        CHECK(g.ev[2].has_tz);
    }
    got_free(&g);

    /* the reader picks the repository up through .git/HEAD */
    const um_reader *r = um_reader_find("git-repo");
    CHECK(r != NULL);
    char head_path[160];
    snprintf(head_path, sizeof head_path, "%s/HEAD", gitdir);
    const char *head = "ref: refs/heads/master\n";
    if (r) {
        CHECK_INTEQ(r->detect(head_path, head, strlen(head)), 100);
        CHECK_INTEQ(r->detect("/nowhere/.git/HEAD", head, strlen(head)), 0); /* no objects/ */
        CHECK_INTEQ(r->detect(head_path, "hello\n", 6), 0);
    }
    const um_reader *best = um_reader_detect(head_path, head, strlen(head));
    CHECK(best && strcmp(best->name, "git-repo") == 0);

    /* and through whole scans: the HEAD file, the .git folder, the work tree */
    const char *paths[] = {head_path, gitdir, fx.dir};
    for (size_t i = 0; i < UM_ARRAY_LEN(paths); i++) {
        um_ctx *ctx = NULL;
        um_scan *scan = NULL;
        CHECK_INTEQ(um_ctx_open(&ctx, NULL), UM_OK);
        CHECK_INTEQ(um_scan_new(ctx, &scan), UM_OK);
        CHECK_INTEQ(um_scan_add_path(scan, paths[i], NULL), UM_OK);
        CHECK_INTEQ(um_scan_run(scan, NULL, NULL), UM_OK);
        um_scan_stats st;
        um_scan_get_stats(scan, &st);
        CHECK_INTEQ(st.events, 3);
        CHECK_INTEQ(st.rejects, 0);
        CHECK_INTEQ(st.files, 1);
        um_scan_free(scan);
        um_ctx_close(ctx);
    }

    /* a path that is not a repository is one clear reject */
    memset(&g, 0, sizeof g);
    CHECK_INTEQ(um_git_parse_repo("/nonexistent/um/.git", &sk), UM_OK);
    CHECK_INTEQ(g.n_ev, 0);
    CHECK(find_issue(&g, true, "not a readable git repository") != NULL);
    got_free(&g);

    /* a damaged repository: the root commit's object is gone */
    char obj[512];
    snprintf(obj, sizeof obj, "%s/objects/%.2s/%s", gitdir, fx.hash[0], fx.hash[0] + 2);
    CHECK_INTEQ(unlink(obj), 0);
    memset(&g, 0, sizeof g);
    CHECK_INTEQ(um_git_parse_repo(gitdir, &sk), UM_OK);
    CHECK_INTEQ(g.n_ev, 2); /* the two commits above the missing root */
    CHECK_INTEQ(g.n_rej, 1);
    const kept_issue *k = find_issue(&g, true, "cannot read");
    CHECK(k && strncmp(k->msg, "commit ", 7) == 0 && strncmp(k->msg + 7, fx.hash[0], 12) == 0);
    if (g.n_ev == 2) {
        CHECK(strcmp(g.ev[0].hash, fx.hash[1]) == 0 || strcmp(g.ev[0].hash, fx.hash[2]) == 0);
        CHECK(strcmp(g.ev[1].hash, fx.hash[1]) == 0 || strcmp(g.ev[1].hash, fx.hash[2]) == 0);
        CHECK(strcmp(g.ev[0].hash, g.ev[1].hash) != 0);
    }
    got_free(&g);
    remove_tree(fx.dir);
}

/* ---- detection and a whole scan of the fixtures ---- */

static int detect_file(const char *name) {
    char path[1024], head[8193];
    snprintf(path, sizeof path, "%s/tests/data/git/%s", um_t_src(), name);
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    size_t n = fread(head, 1, 8192, f);
    head[n] = 0;
    fclose(f);
    const um_reader *r = um_reader_find("git-log");
    return r ? r->detect(path, head, n) : -1;
}

static void t_detect(void) {
    CHECK_INTEQ(detect_file("default.log"), 95);
    CHECK_INTEQ(detect_file("fuller.log"), 95);
    CHECK_INTEQ(detect_file("log.tsv"), 95);
    const um_reader *r = um_reader_find("git-log");
    CHECK(r != NULL);
    if (!r) return;
    const char *csv = "employee_id,full_name,work_email\nE1,A,a@x\n";
    CHECK_INTEQ(r->detect("x.csv", csv, strlen(csv)), 0);
    const char *bad = "commit xyz\nAuthor: A <a@b>\n";
    CHECK_INTEQ(r->detect("x.log", bad, strlen(bad)), 0);
    const char *tsv_nodate = "abababababababababababababababababababab\ta\tb\tc\td\te\n";
    CHECK_INTEQ(r->detect("x.tsv", tsv_nodate, strlen(tsv_nodate)), 0);
}

static void t_scan_fixtures(void) {
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests/data/git", um_t_src());
    um_ctx *ctx = NULL;
    um_scan *scan = NULL;
    CHECK_INTEQ(um_ctx_open(&ctx, NULL), UM_OK);
    CHECK_INTEQ(um_scan_new(ctx, &scan), UM_OK);
    CHECK_INTEQ(um_scan_add_path(scan, dir, NULL), UM_OK);
    CHECK_INTEQ(um_scan_run(scan, NULL, NULL), UM_OK);
    um_scan_stats st;
    um_scan_get_stats(scan, &st);
    CHECK_INTEQ(st.files, 3);
    CHECK_INTEQ(st.events, 15);
    CHECK_INTEQ(st.rejects, 0);
    um_scan_free(scan);
    um_ctx_close(ctx);
}

int main(void) {
    RUN(t_default);
    RUN(t_fuller);
    RUN(t_tsv);
    RUN(t_hostile_text);
    RUN(t_truncated);
    RUN(t_date_layouts);
    RUN(t_long_subject);
    RUN(t_hostile_tsv);
    RUN(t_repo);
    RUN(t_detect);
    RUN(t_scan_fixtures);
    return um_t_report();
}
