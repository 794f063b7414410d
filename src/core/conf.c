/* conf.c - case settings (unmask.conf in an input folder), parsed here so
 * every front end (CLI, server) reads them the same way. */
#include "scan.h"

#include <string.h>

void um_case_settings_init(um_case_settings *cs) {
    memset(cs, 0, sizeof *cs);
    cs->fail_on = -1;
}

static int parse_fail_on(const char *v) {
    if (strcmp(v, "never") == 0) return 3;
    int l = um_level_parse(v);
    return l >= 1 ? l : -1;
}

um_status um_case_settings_read(const char *dir, um_case_settings *cs, char *err, size_t err_cap) {
    char path[4096], line[1024];
    if (err_cap) err[0] = 0;
    if (!um_dir_exists(dir)) return UM_OK; /* a file input has no case settings */
    snprintf(path, sizeof path, "%s/unmask.conf", dir);
    FILE *f = fopen(path, "r");
    if (!f) return UM_OK;
    int ln = 0;
    um_status rc = UM_OK;
    while (fgets(line, sizeof line, f)) {
        ln++;
        char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '#' || *p == '\n' || *p == '\r' || !*p) continue;
        char *eq = strchr(p, '=');
        if (!eq) {
            snprintf(err, err_cap, "%s:%d: expected 'key = value'", path, ln);
            rc = UM_EPARSE;
            break;
        }
        *eq = 0;
        char *k = p, *v = eq + 1;
        for (char *e = k + strlen(k); e > k && (e[-1] == ' ' || e[-1] == '\t'); e--) e[-1] = 0;
        while (*v == ' ' || *v == '\t') v++;
        v[strcspn(v, "\r\n")] = 0;
        for (char *e = v + strlen(v); e > v && (e[-1] == ' ' || e[-1] == '\t'); e--) e[-1] = 0;
        if (strcmp(k, "approved_rmm") == 0) {
            snprintf(cs->approved_rmm, sizeof cs->approved_rmm, "%s", v);
        } else if (strcmp(k, "fail_on") == 0) {
            if ((cs->fail_on = parse_fail_on(v)) < 0) {
                snprintf(err, err_cap, "unmask.conf: fail_on must be review, high or never");
                rc = UM_EINVAL;
                break;
            }
        } else {
            snprintf(err, err_cap, "%s:%d: unknown setting '%s'", path, ln, k);
            rc = UM_EPARSE;
            break;
        }
    }
    fclose(f);
    return rc;
}
