/*
 * test_allowlist.c - the company software allowlist (src/detect/allowlist.c):
 * approved everywhere, approved for a role only, banned, by host, unlisted,
 * and bad rows counted.
 */
#include "../harness.h"
#include "detect/allowlist.h"

static const char *path(void) {
    static char p[4096];
    const char *src = getenv("UM_SRC_DIR");
    snprintf(p, sizeof p, "%s/tests/data/allowlist/company_software.csv", src ? src : ".");
    return p;
}

static void test_decisions(void) {
    um_allowlist *al = NULL;
    size_t bad = 0, bad_line = 0;
    char err[256];
    CHECK(um_allowlist_load(path(), &al, &bad, &bad_line, err, sizeof err) == UM_OK);
    if (!al) return;
    CHECK_INTEQ(um_allowlist_count(al), 4);
    CHECK_INTEQ(bad, 2);
    CHECK_INTEQ(bad_line, 6);
    const char *dev[] = {"Senior Software Engineer", "Engineering"};
    const char *it[] = {"IT Support Engineer"};
    const char *help[] = {"Analyst", "Helpdesk"};
    const char *scope = NULL;
    /* the measured case: NinjaOne approved everywhere is not flagged on any laptop */
    CHECK(um_allowlist_check(al, "NinjaOne", dev, 2, "LT-1001", NULL) == UM_ALLOW_APPROVED);
    CHECK(um_allowlist_check(al, "ninjaone", NULL, 0, NULL, NULL) == UM_ALLOW_APPROVED);
    /* approved for IT only: still flagged on a developer's laptop */
    CHECK(um_allowlist_check(al, "TeamViewer", dev, 2, "LT-1001", &scope) == UM_ALLOW_NOT_IN_SCOPE);
    CHECK_STREQ(scope, "role:IT;department:Helpdesk");
    CHECK(um_allowlist_check(al, "TeamViewer", it, 1, NULL, NULL) == UM_ALLOW_APPROVED);
    CHECK(um_allowlist_check(al, "TeamViewer", help, 2, NULL, NULL) == UM_ALLOW_APPROVED);
    CHECK(um_allowlist_check(al, "AnyDesk", it, 1, NULL, NULL) == UM_ALLOW_BANNED);
    CHECK(um_allowlist_check(al, "Splashtop", dev, 2, "lab-07", NULL) == UM_ALLOW_APPROVED);
    CHECK(um_allowlist_check(al, "Splashtop", dev, 2, "LT-1001", NULL) == UM_ALLOW_NOT_IN_SCOPE);
    CHECK(um_allowlist_check(al, "RustDesk", it, 1, NULL, NULL) == UM_ALLOW_UNLISTED);
    um_allowlist_free(al);
}

static void test_bad_header(void) {
    char p[] = "/tmp/um_allowlist_XXXXXX";
    int fd = mkstemp(p);
    CHECK(fd >= 0);
    if (fd < 0) return;
    FILE *f = fdopen(fd, "w");
    fputs("tool,ok\nNinjaOne,yes\n", f);
    fclose(f);
    um_allowlist *al = NULL;
    size_t bad, bl;
    char err[256] = "";
    CHECK(um_allowlist_load(p, &al, &bad, &bl, err, sizeof err) == UM_EPARSE);
    CHECK(al == NULL);
    CHECK(strstr(err, "product") != NULL);
    remove(p);
}

int main(void) {
    RUN(test_decisions);
    RUN(test_bad_header);
    return um_t_report();
}
