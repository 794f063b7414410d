/*
 * report.c - `unmask report CASE [-o FILE]`: writes the case's
 * self-contained HTML report (thin: the work is um_report_write).
 * Exit codes: 0 written, 2 error.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unmask.h"

int um_cli_report(int argc, char **argv);

static void usage_report(FILE *o) {
    fprintf(o,
            "Usage: unmask report CASE [-o FILE]\n"
            "\n"
            "Writes one self-contained HTML file for a case (the folder written by\n"
            "'unmask scan', or its case.db). It opens offline from a file URL and fetches\n"
            "nothing: ranked people and clusters (persona clusters when the case has them,\n"
            "else groups of people sharing an identifier), a page per person with findings,\n"
            "evidence and raw values, the cluster graph, an hour-of-day x weekday heatmap\n"
            "beside the claimed time zone, the login timeline with countries and ASNs, and\n"
            "a summary of rejected input records. The list is paged and searchable; full\n"
            "detail is embedded for the first 5,000 people by rank.\n"
            "\n"
            "Options:\n"
            "  -o, --out FILE   output file (default: report.html beside case.db)\n"
            "  -h, --help       this help\n"
            "\n"
            "Exit status: 0 written, 2 error.\n");
}

int um_cli_report(int argc, char **argv) {
    static const struct option lo[] = {{"out", required_argument, 0, 'o'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *out = NULL;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
        if (c == 'o') out = optarg;
        else if (c == 'h') {
            usage_report(stdout);
            return 0;
        } else {
            usage_report(stderr);
            return 2;
        }
    }
    if (optind + 1 != argc) {
        usage_report(stderr);
        return 2;
    }
    um_case *k = NULL;
    if (um_case_open(&k, argv[optind], 0) != UM_OK) {
        fprintf(stderr, "unmask report: %s\n", um_case_errmsg(k));
        um_case_close(k);
        return 2;
    }
    char def[4096];
    if (!out) {
        const char *db = um_case_path(k), *sl = strrchr(db, '/');
        if (sl) snprintf(def, sizeof def, "%.*s/report.html", (int)(sl - db), db);
        else snprintf(def, sizeof def, "report.html");
        out = def;
    }
    if (um_report_write(k, out) != UM_OK) {
        fprintf(stderr, "unmask report: %s\n", um_case_errmsg(k));
        um_case_close(k);
        return 2;
    }
    um_case_close(k);
    if (isatty(2)) fprintf(stderr, "unmask report: wrote %s\n", out);
    return 0;
}
