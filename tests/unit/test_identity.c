/*
 * test_identity.c - identity exports end to end: JSON/CSV person readers,
 * the bundled indicator lists (IOC-01/IOC-02) and the link analyzer
 * (LINK-01, LINK-06, PAY-04, OB-02), through the public API, with the
 * fixtures in tests/data/identity/.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "core/scan.h"
#include "harness.h"
#include "unmask.h"

static char path_buf[8][1024];

static const char *fx(int slot, const char *name) {
    snprintf(path_buf[slot], sizeof path_buf[slot], "%s/tests/data/identity/%s", um_t_src(), name);
    return path_buf[slot];
}

static const um_subject_info *by_name(const um_scan *s, const char *display) {
    for (size_t i = 0; i < um_scan_subject_count(s); i++) {
        const um_subject_info *u = um_scan_subject(s, i);
        if (u->display && strcmp(u->display, display) == 0) return u;
    }
    return NULL;
}

/* The subject's finding for an indicator (heaviest), or NULL. */
static const um_finding_info *finding(const um_scan *s, const um_subject_info *u, const char *ind) {
    const um_finding_info *best = NULL;
    for (size_t k = 0; u && k < u->n_findings; k++) {
        const um_finding_info *f = um_scan_finding(s, u->findings[k]);
        if (strcmp(f->indicator, ind) == 0 && (!best || f->weight > best->weight)) best = f;
    }
    return best;
}

static bool has_reject(const um_scan *s, const char *file_suffix, uint64_t line, const char *reason_part) {
    for (size_t i = 0; i < um_scan_reject_count(s); i++) {
        const um_reject_info *r = um_scan_reject(s, i);
        if (r->line == line && um_ends_with_ci(r->file, file_suffix) && strstr(r->reason, reason_part))
            return true;
    }
    return false;
}

static void t_ioc_lists(void) {
    um_ctx *ctx = NULL;
    CHECK_INTEQ(um_ctx_open(&ctx, NULL), UM_OK);
    um_ioc *ioc = um_ctx_ioc(ctx);
    CHECK(um_ioc_count(ioc) >= 1200); /* every row of data/ioc loads */
    const um_ioc_hit *h = um_ioc_lookup(ioc, "wallet", "1HmqvgSXUVES1jn4TQPzk9dxo1NE8wim2T");
    CHECK(h && h->sanctioned);
    CHECK(h && strcmp(h->type, "wallet_btc") == 0);
    CHECK(um_ioc_lookup(ioc, "wallet_btc", "1HmqvgSXUVES1jn4TQPzk9dxo1NE8wim2T") == h);
    CHECK(um_ioc_lookup(ioc, "wallet", "1hmqvgsxuves1jn4tqpzk9dxo1ne8wim2t") == NULL); /* base58 keeps case */
    /* OSINT row citing a Treasury release but traced by the repo author: not SDN */
    h = um_ioc_lookup(ioc, "wallet", "14WvJZtmWfqdKQMxkfmEzk5rQBESvg63qR");
    CHECK(h && !h->sanctioned);
    h = um_ioc_lookup(ioc, "email", "wangge327@yahoo.com");
    CHECK(h && h->sanctioned);
    h = um_ioc_lookup(ioc, "email", "smartsolidity@gmail.com"); /* gmail dots folded */
    CHECK(h && !h->sanctioned && strstr(h->note, "Joshua Palmer"));
    CHECK(um_ioc_lookup(ioc, "github", "ponyjackal") != NULL);
    CHECK(um_ioc_lookup(ioc, "telegram", "ethfuji") != NULL);
    h = um_ioc_lookup(ioc, "phone", "+16094590680");
    CHECK(h && strcmp(h->type, "phone") == 0);
    CHECK(um_ioc_lookup(ioc, "email", "nobody@example.com") == NULL);
    CHECK(um_ioc_lookup(ioc, "persona_name", "benjamin nguyen") != NULL); /* typed, never used to match */
    um_ctx_close(ctx);
}

static void t_ioc_corrupt(void) {
    char dir[] = "/tmp/um-ioc-XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(!"mkdtemp");
        return;
    }
    char sub[256], file[300];
    snprintf(sub, sizeof sub, "%s/ioc", dir);
    snprintf(file, sizeof file, "%s/email.csv", sub);
    CHECK(mkdir(sub, 0700) == 0);
    FILE *f = fopen(file, "w");
    if (!f) return;
    fputs("type,value,first_reported,source_url,source_repo_path_commit,note\n"
          "email,Good.One@Example.com,2025,https://example.org/x,n/a,test row\n"
          "email,ragged@example.com,2025\n"
          "email,not-an-email,2025,https://example.org/x,n/a,bad value\n"
          "email,sdn@example.com,2025,https://home.treasury.gov/x,n/a,treasury url without repo path\n",
          f);
    fclose(f);
    um_ctx_options opt = {0};
    opt.data_dir = dir;
    um_ctx *ctx = NULL;
    CHECK_INTEQ(um_ctx_open(&ctx, &opt), UM_OK);
    um_ioc *ioc = um_ctx_ioc(ctx);
    CHECK_INTEQ(um_ioc_count(ioc), 2);
    const um_ioc_hit *h = um_ioc_lookup(ioc, "email", "good.one@example.com");
    CHECK(h && !h->sanctioned && strcmp(h->note, "test row") == 0);
    h = um_ioc_lookup(ioc, "email", "sdn@example.com");
    CHECK(h && h->sanctioned);
    int found = 0;
    for (size_t i = 0; um_ctx_warning(ctx, i); i++)
        if (strstr(um_ctx_warning(ctx, i), "email.csv: 2 corrupt row(s) skipped (first at line 3)")) found++;
    CHECK_INTEQ(found, 1);
    um_ctx_close(ctx);
    remove(file);
    rmdir(sub);
    rmdir(dir);
}

static void t_canon_account(void) {
    um_arena a;
    um_arena_init(&a);
    CHECK_STREQ(um_canon_account(&a, "GB29 NWBK 6016 1331 9268 19"), "GB29NWBK60161331926819");
    CHECK_STREQ(um_canon_account(&a, "0x4F47BC496083C727C5FBE3CE9CDF2B0F6496270C"),
                "0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c");
    CHECK_STREQ(um_canon_account(&a, " 1HmqvgSXUVES1jn4TQPzk9dxo1NE8wim2T "), "1HmqvgSXUVES1jn4TQPzk9dxo1NE8wim2T");
    CHECK_STREQ(um_canon_account(&a, "Pay.Me@GMail.com"), "payme@gmail.com");
    um_arena_free(&a);
}

static void t_detect(void) {
    const char *json = "[\n  {\"candidate_id\": \"C-1\", \"full_name\": \"A\", \"email\": \"a@b.c\"}\n]";
    const um_reader *r = um_reader_detect("x.json", json, strlen(json));
    CHECK(r && strcmp(r->name, "person-json") == 0);
    const char *okta = "{\"eventType\":\"user.session.start\",\"actor\":{\"displayName\":\"A\"},"
                       "\"client\":{\"geographicalContext\":{\"city\":\"X\",\"country\":\"Y\"}}}";
    const um_reader *pj = um_reader_find("person-json");
    CHECK(pj && pj->detect("o.json", okta, strlen(okta)) <= 10);
    CHECK(pj && pj->detect("x.csv", "a,b\n1,2\n", 8) == 0);
}

static void t_scan(void) {
    um_ctx *ctx = NULL;
    um_scan *s = NULL;
    CHECK_INTEQ(um_ctx_open(&ctx, NULL), UM_OK);
    CHECK_INTEQ(um_scan_new(ctx, &s), UM_OK);
    if (!s) {
        um_ctx_close(ctx);
        return;
    }
    CHECK_INTEQ(um_scan_set_mapping(s, fx(0, "hr_mapping.txt")), UM_OK);
    CHECK_INTEQ(um_scan_add_path(s, fx(1, "applicants.json"), NULL), UM_OK);
    CHECK_INTEQ(um_scan_add_path(s, fx(2, "employees.json"), NULL), UM_OK);
    CHECK_INTEQ(um_scan_add_path(s, fx(3, "applicants.jsonl"), NULL), UM_OK);
    CHECK_INTEQ(um_scan_add_path(s, fx(4, "hr_export.csv"), "person-csv"), UM_OK);
    CHECK_INTEQ(um_scan_add_path(s, fx(5, "payroll.csv"), NULL), UM_OK);
    CHECK_INTEQ(um_scan_add_path(s, fx(6, "shipping.csv"), NULL), UM_OK);
    CHECK_INTEQ(um_scan_add_path(s, fx(7, "staff.csv"), NULL), UM_OK);
    CHECK_INTEQ(um_scan_run(s, NULL, NULL), UM_OK);

    /* rejects carry file and line */
    CHECK(has_reject(s, "applicants.json", 16, "not an object (found number)"));
    CHECK(has_reject(s, "applicants.json", 17, "duplicate key 'email'"));
    CHECK(has_reject(s, "applicants.jsonl", 2, "invalid UTF-8"));
    CHECK(has_reject(s, "applicants.jsonl", 4, "invalid JSON"));
    CHECK(has_reject(s, "hr_export.csv", 3, "ragged row"));
    CHECK(has_reject(s, "hr_export.csv", 4, "invalid UTF-8"));
    CHECK_INTEQ(um_scan_reject_count(s), 6);
    CHECK(by_name(s, "Dup Key") == NULL);
    CHECK(by_name(s, "Kai Lu") == NULL);

    /* nested JSON, arrays of strings and of {"value": ...} objects */
    const um_subject_info *ann = by_name(s, "Ann Lee");
    CHECK(ann && ann->level == UM_LEVEL_CLEAN && ann->n_findings == 0);
    const um_subject_info *ben = by_name(s, "Ben Park");
    const um_finding_info *f = finding(s, ben, "IOC-02");
    CHECK(f && f->weight == 50 && strcmp(f->strength, "strong") == 0 && strcmp(f->key, "ponyjackal") == 0);
    CHECK(f && strstr(f->summary, "github.csv") && strstr(f->summary, "PONYJACKAL"));
    CHECK(f && f->n_evidence == 1 && f->evidence[0].line == 9 && um_ends_with_ci(f->evidence[0].file, "applicants.json"));
    CHECK(ben && ben->level == UM_LEVEL_REVIEW);

    /* LINK-06: one phone on three applicants from JSON and the mapped CSV */
    const um_subject_info *cara = by_name(s, "Cara Diaz"), *dan = by_name(s, "Dan Eng"), *jon = by_name(s, "Jon Kim");
    CHECK(cara && dan && jon);
    f = finding(s, cara, "LINK-06");
    CHECK(f && f->weight == 40 && f->count == 1 && strcmp(f->key, "+14155550123") == 0);
    CHECK(f && dan && jon && strstr(f->summary, dan->id) && strstr(f->summary, "(Dan Eng)") &&
          strstr(f->summary, jon->id) && strstr(f->summary, "(Jon Kim)") && !strstr(f->summary, cara->id));
    CHECK(f && f->evidence[0].line == 18);
    f = finding(s, jon, "LINK-06");
    CHECK(f && f->evidence[0].line == 2 && um_ends_with_ci(f->evidence[0].file, "hr_export.csv"));
    CHECK(cara && cara->level == UM_LEVEL_REVIEW && cara->score == 40);
    CHECK(jon && jon->level == UM_LEVEL_REVIEW);

    /* JSON lines: IOC-02 telegram, gmail-canonical email, phone (medium) */
    f = finding(s, by_name(s, "Gus Hill"), "IOC-02");
    CHECK(f && f->weight == 50 && strcmp(f->key, "ethfuji") == 0);
    f = finding(s, by_name(s, "Hana Ito"), "IOC-02");
    CHECK(f && f->weight == 50 && strcmp(f->key, "smartsolidity@gmail.com") == 0);
    const um_subject_info *ivan = by_name(s, "Ivan Jo");
    f = finding(s, ivan, "IOC-02");
    CHECK(f && f->weight == 30 && strcmp(f->strength, "medium") == 0 && f->evidence[0].line == 5);
    CHECK(ivan && ivan->level == UM_LEVEL_REVIEW && ivan->score == 30);

    /* payroll: shared bank account (PAY-04), OFAC wallets (IOC-01) */
    const um_subject_info *lia = by_name(s, "Lia Moe"), *max = by_name(s, "Max Ng");
    f = finding(s, lia, "PAY-04");
    CHECK(f && f->weight == 50 && max && strstr(f->summary, max->id) && strstr(f->summary, "(Max Ng)"));
    CHECK(f && strstr(f->summary, "...6819") && !strstr(f->summary, "GB29NWBK"));
    CHECK(f && strcmp(f->key, "GB29NWBK60161331926819") == 0 && f->evidence[0].line == 2);
    CHECK(lia && lia->level == UM_LEVEL_REVIEW && lia->score == 50);
    CHECK(max && finding(s, max, "PAY-04") && max->level == UM_LEVEL_REVIEW);
    const um_subject_info *nia = by_name(s, "Nia Oh");
    f = finding(s, nia, "IOC-01");
    CHECK(f && f->weight == 70 && strcmp(f->strength, "strong") == 0 && strstr(f->summary, "OFAC SDN"));
    CHECK(f && strstr(f->summary, "Andreyev") && f->evidence[0].line == 4);
    /* IOC-01 70 + PAY-01 (paid in crypto, weak) 10 */
    CHECK(nia && nia->level == UM_LEVEL_HIGH && nia->score == 80);
    f = finding(s, nia, "PAY-01");
    CHECK(f && f->weight == 10 && strcmp(f->strength, "weak") == 0);
    const um_subject_info *oto = by_name(s, "Oto Pak");
    f = finding(s, oto, "IOC-01");
    CHECK(f && strcmp(f->key, "0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c") == 0);
    CHECK(oto && oto->level == UM_LEVEL_HIGH);

    /* shipping: three hires, one address (OB-02 strong); one serial twice */
    const um_subject_info *pat = by_name(s, "Pat Quinn"), *rae = by_name(s, "Rae Soto"),
                          *sam = by_name(s, "Sam Tran"), *uma = by_name(s, "Uma Vo");
    f = finding(s, rae, "OB-02");
    CHECK(f && f->weight == 45 && strcmp(f->strength, "strong") == 0);
    CHECK(f && pat && sam && strstr(f->summary, pat->id) && strstr(f->summary, sam->id));
    CHECK(f && strcmp(f->key, "1500 elm st ste 210 dallas tx 75201") == 0 && f->evidence[0].line == 3);
    CHECK(rae && rae->level == UM_LEVEL_REVIEW && rae->score == 45);
    f = finding(s, uma, "LINK-01");
    CHECK(f && f->weight == 40 && pat && strstr(f->summary, pat->id) && strcmp(f->key, "sn-a1") == 0);
    CHECK(pat && pat->score == 85 && pat->level == UM_LEVEL_HIGH);
    CHECK(uma && uma->level == UM_LEVEL_REVIEW);

    /* fairness: a couple sharing a home stays clean; HR + shipping joined */
    const um_subject_info *eve = by_name(s, "Eve Fox"), *finn = by_name(s, "Finn Fox");
    CHECK(eve && finn);
    f = finding(s, eve, "LINK-01");
    CHECK(f && f->weight == 10 && strcmp(f->strength, "weak") == 0 && finn && strstr(f->summary, finn->id));
    f = finding(s, eve, "OB-02");
    CHECK(f && f->weight == 10 && strcmp(f->strength, "weak") == 0);
    CHECK(eve && eve->level == UM_LEVEL_CLEAN && eve->score == 20);
    CHECK(finn && finn->level == UM_LEVEL_CLEAN);
    CHECK(eve && eve->n_joins == 2); /* employees.json + shipping.csv */

    /* fairness: twelve staff sharing the office phone and address: nothing */
    size_t staff = 0;
    for (size_t i = 0; i < um_scan_subject_count(s); i++) {
        const um_subject_info *u = um_scan_subject(s, i);
        bool is_staff = false;
        for (size_t k = 0; k < u->n_sources; k++)
            if (strstr(u->sources[k], "@office.example")) is_staff = true;
        if (!is_staff) continue;
        staff++;
        CHECK(u->n_findings == 0 && u->level == UM_LEVEL_CLEAN);
    }
    CHECK_INTEQ(staff, 12);
    CHECK(um_scan_max_level(s) == UM_LEVEL_HIGH);
    um_scan_free(s);
    um_ctx_close(ctx);
}

int main(void) {
    RUN(t_ioc_lists);
    RUN(t_ioc_corrupt);
    RUN(t_canon_account);
    RUN(t_detect);
    RUN(t_scan);
    return um_t_report();
}
