/*
 * unmask - command-line front end of libunmask. Thin: parses options, calls
 * the library, prints. Exit codes: 0 nothing at or above --fail-on, 1
 * findings at or above it, 2 error.
 */
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nats_cli.h"
#include "unmask.h"
#include "util/cfmt.h"
#include "util/util.h"

#define EXIT_FINDINGS 1
#define EXIT_ERROR 2

static const char *prog = "unmask";

/* cli/screen.c */
int um_cli_screen(int argc, char **argv);
int um_cli_data(int argc, char **argv);
/* cli/rules.c */
int um_cli_rules(int argc, char **argv);
/* cli/report.c, cli/serve.c */
int um_cli_report(int argc, char **argv);
int um_cli_serve(int argc, char **argv);

static void usage_main(FILE *o) {
    fprintf(o,
            "Usage: unmask <command> [options]\n"
            "\n"
            "Finds DPRK IT-worker personas among applicants, employees and contractors,\n"
            "from HR exports, payroll, laptop shipping, sign-in, endpoint and git logs.\n"
            "\n"
            "Commands:\n"
            "  scan      scan files and folders; rank people with explained findings\n"
            "  screen    screen one person or a batch against sanctions and indicator lists\n"
            "  rules     Sigma rules: list, match over event files, run rule tests\n"
            "  data      show the bundled lists, their dates and sizes\n"
            "  report    write a case's self-contained HTML report\n"
            "  serve     serve a case: JSON API, web UI, verdicts, applicant screening\n"
            "  worker    read log inputs for scans submitted over NATS JetStream (scan --nats)\n"
            "  formats   list the input formats unmask reads\n"
            "  version   print the version\n"
            "  help      show help for a command (unmask help scan)\n"
            "\n"
            "Run 'unmask <command> --help' for the options of a command.\n");
}

static void usage_scan(FILE *o) {
    fprintf(o,
            "Usage: unmask scan [options] INPUT...\n"
            "\n"
            "Reads every INPUT (files, folders walked recursively, or '-', a pipe or a FIFO\n"
            "read once as a stream), joins records into\n"
            "claimed persons, runs the analyzers and writes, in the output folder:\n"
            "  subjects.jsonl   one line per person: id, names, joined sources, score, level, reasons\n"
            "  findings.jsonl   one line per finding: indicator id, evidence, weight\n"
            "  clusters.jsonl   persona clusters (same_operator, possible, related), each link explained\n"
            "  case.db          SQLite case file with subjects, identifiers, findings, evidence, rejects,\n"
            "                   clusters; analysts' pair verdicts in it are kept and honoured on re-scan\n"
            "  subjects.csv, findings.csv   the same for spreadsheets (formulas neutralised)\n"
            "and prints a ranked table. Formats are detected from content.\n"
            "An input folder may hold unmask.conf with case settings ('approved_rmm = A,B',\n"
            "'allowlist = software.csv', 'fail_on = review'); options given here win.\n"
            "Endpoint detections are the Sigma rule pack (rules/, see 'unmask rules').\n"
            "\n"
            "Options:\n"
            "  -o, --out DIR           output folder (default ./unmask-out)\n"
            "  -f, --format NAME       read every INPUT as this format (see 'unmask formats')\n"
            "  -m, --mapping FILE      column mapping for HR exports ('column = field' lines)\n"
            "      --fail-on LEVEL     exit 1 when any person is at LEVEL or above:\n"
            "                          review or high (default high); 'never' disables\n"
            "      --data-dir DIR      bundled lists (default: installed data, then ./data)\n"
            "      --country-db FILE   MaxMind-format country database (.mmdb)\n"
            "      --asn-db FILE       MaxMind-format ASN database (.mmdb)\n"
            "      --approved-rmm LIST comma-separated remote-access tools your IT approves\n"
            "      --allowlist FILE    company software allowlist: CSV with product, approved\n"
            "                          (yes/no) and scope (*, role:TEXT, department:TEXT,\n"
            "                          host:GLOB); a tool approved for IT only is still\n"
            "                          flagged on a developer's laptop\n"
            "      --rules PATH        more Sigma rules (file or folder) beside the shipped pack\n"
            "      --threads N         read and match log inputs (large JSON-lines files in\n"
            "                          parts) on N threads (default: one per core);\n"
            "                          results are the same for every N\n"
            "      --limit SPEC        resource limits, e.g. log_subjects=100000,findings=50000\n"
            "                          (also persons, identity_mb; defaults in docs/SECURITY.md)\n"
            "  -n, --top N             rows in the table (default 20; 0 for all)\n"
            "      --json              print subjects as JSON lines on stdout (as subjects.jsonl)\n"
            "                          instead of a table\n"
            "  -q, --quiet             no table, no summary, no progress, no warnings, no -v\n"
            "                          lines: exit code only (errors still on stderr); wins\n"
            "                          over -v and --json in either order\n"
            "  -v, --verbose           also print the first rejected records and their reasons\n"
            "                          (reasons may quote input values) and where the time went\n"
            "                          (phases, log-phase threads, the write phase's sinks,\n"
            "                          partitions), on stderr\n"
            "      --max-depth N       folders deeper than N below an INPUT are skipped with a\n"
            "                          warning (default 32)\n"
            "      --stream-timeout S  wait S seconds for the first byte of a pipe or FIFO\n"
            "                          (default 10)\n"
            "      --wait              wait while another scan writes the output folder\n"
            "                          (default: refuse, exit 2)\n"
            "      --add               add the INPUTs to the case in --out: its inputs are\n"
            "                          replayed from DIR/journal/, not parsed again; same\n"
            "                          result as a full scan (same options); an old input\n"
            "                          that changed is refused (exit 2)\n"
            "      --no-journal        keep no journal (--add then reads the inputs again)\n"
            "  -h, --help              this help\n"
            "\n"
            "  On NATS (log inputs read by 'unmask worker' processes on the bus and replayed\n"
            "  here in order: the same outputs as a local scan; identity, EVTX and git inputs\n"
            "  are read here):\n"
            "%s"
            "\n"
            "The output set is built beside the folder and swapped in whole: the folder\n"
            "holds the previous run's set or this one's, never a mix; on error or signal\n"
            "the previous set stays. One scan at a time writes a folder (lock .NAME.lock\n"
            "beside it).\n"
            "\n"
            "Exit status: 0 nothing at or above --fail-on, 1 at least one person at or\n"
            "above it, 2 error (bad option, unreadable input, unwritable output, output\n"
            "folder in use, NATS server unreachable or refusing the credentials); killed by\n"
            "SIGINT/SIGTERM/SIGHUP after cleaning up (128+N).\n",
            um_cli_nats_help);
}

static void progress(void *ud, const um_progress *p) {
    (void)ud;
    double pct = p->bytes_total ? 100.0 * (double)p->bytes_done / (double)p->bytes_total : 0;
    const char *f = strrchr(p->file, '/');
    char shown[64];
    um_fprintf(stderr, "\r\033[K%5.1f%%  %llu records  %s", pct, (unsigned long long)p->records,
               um_term_escape(f ? f + 1 : p->file, shown, sizeof shown));
    fflush(stderr);
}

/* Terminal-safe text (src/util/util.h, um_term_escape): control
 * characters from file names, names, values and reasons are shown as \x1b
 * escapes and never reach the terminal. Up to four results live at once
 * (a ring of buffers), so one printf can take several. */
static const char *T(const char *s) {
    static char ring[4][UM_TERM_BUF];
    static unsigned next;
    return um_term_escape(s, ring[next++ % 4], UM_TERM_BUF);
}

/* SIGINT, SIGTERM, SIGHUP: the scan stops at its next check point, removes
 * its temporaries and leaves the previous output set as it was; then the
 * process dies of the signal (exit status 128 + signal in a shell). */
static volatile sig_atomic_t g_signal;
static void on_signal(int sig) {
    if (!g_signal) g_signal = sig;
}
static void catch_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: a blocked read returns */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

static void print_table(um_scan *scan, size_t top) {
    size_t n = um_scan_subject_count(scan);
    if (top && n > top) n = top;
    printf("%-4s %-16s %-6s %5s  %-28s %s\n", "#", "subject", "level", "score", "name", "top reasons");
    for (size_t i = 0; i < n; i++) {
        const um_subject_info *u = um_scan_subject(scan, i);
        char name[29], reasons[256] = "";
        um_term_escape(u->display, name, sizeof name);
        size_t off = 0, shown = 0;
        for (size_t k = 0; k < u->n_findings && shown < 3; k++) {
            const um_finding_info *f = um_scan_finding(scan, u->findings[k]);
            bool dup = false; /* one indicator once, as it is scored */
            for (size_t j = 0; j < k; j++)
                dup |= strcmp(um_scan_finding(scan, u->findings[j])->indicator, f->indicator) == 0;
            if (dup) continue;
            int w = snprintf(reasons + off, sizeof reasons - off, "%s%s", shown ? ", " : "", f->indicator);
            if (w < 0 || (size_t)w >= sizeof reasons - off) break;
            off += (size_t)w;
            shown++;
        }
        if (u->n_findings) {
            const um_finding_info *f = um_scan_finding(scan, u->findings[0]);
            char sum[120];
            um_term_escape(f->summary, sum, sizeof sum);
            snprintf(reasons + off, sizeof reasons - off, " - %s", sum);
        }
        printf("%-4zu %-16s %-6s %5d  %-28s %s\n", i + 1, T(u->id), um_level_str(u->level), u->score, name,
               reasons);
    }
    if (um_scan_subject_count(scan) > n)
        printf("... %zu more (see subjects.jsonl)\n", um_scan_subject_count(scan) - n);
}

static void print_summary(um_scan *scan, const char *out, int verbose) {
    um_scan_stats st;
    um_scan_get_stats(scan, &st);
    size_t lv[3] = {0};
    for (size_t i = 0; i < um_scan_subject_count(scan); i++) lv[um_scan_subject(scan, i)->level]++;
    uint64_t rejected_files = st.files - st.files_read - st.files_skipped;
    fprintf(stderr,
            "unmask: %llu files (%llu read, %llu skipped, %llu rejected), %llu records (%llu persons, %llu events), "
            "%zu subjects: %zu high, %zu review, %zu clean; %zu findings\n",
            (unsigned long long)st.files, (unsigned long long)st.files_read, (unsigned long long)st.files_skipped,
            (unsigned long long)rejected_files, (unsigned long long)st.records, (unsigned long long)st.persons,
            (unsigned long long)st.events, st.subjects, lv[2], lv[1], lv[0], st.findings);
    /* skipped files and why: always (they are few and the operator must know) */
    size_t shown = 0;
    for (size_t i = 0; i < um_scan_warning_count(scan) && shown < (verbose ? 50u : 5u); i++) {
        const um_reject_info *w = um_scan_warning(scan, i);
        if (w->line == 0 && strncmp(w->reason, "skipped: ", 9) == 0) {
            fprintf(stderr, "  skipped %s: %s\n", T(w->file), T(w->reason + 9));
            shown++;
        }
    }
    if (shown < st.files_skipped)
        fprintf(stderr, "  ... %llu more skipped files (case.db table inputs)\n",
                (unsigned long long)(st.files_skipped - shown));
    if (st.rejects || st.warnings) {
        fprintf(stderr, "unmask: %llu rejected records, %llu warnings (all listed in %s/case.db, table rejects%s)\n",
                (unsigned long long)st.rejects, (unsigned long long)st.warnings, T(out),
                verbose ? "" : "; -v shows the first ones");
        /* Reasons can quote input values: shown only when asked for. */
        size_t nr = verbose ? um_scan_reject_count(scan) : 0;
        for (size_t i = 0; i < nr && i < 5; i++) {
            const um_reject_info *r = um_scan_reject(scan, i);
            char why[200];
            um_term_escape(r->reason, why, sizeof why);
            fprintf(stderr, "  reject %s:%llu: %s\n", T(r->file), (unsigned long long)r->line, why);
        }
        if (nr > 5) fprintf(stderr, "  ... %zu more rejects\n", nr - 5);
    }
    if (verbose)
        um_fprintf(stderr, "unmask: timings: read %.3f s, analyze %.3f s, write %.3f s\n", st.read_s, st.analyze_s,
                   st.write_s);
    if (verbose)
        um_fprintf(stderr, "unmask: phases: start %.3f s, log inputs %.3f s, finish %.3f s, write %.3f s\n", st.start_s,
                   st.logs_s, st.finish_s, st.write_s);
    if (verbose && st.sinks_s > 0)
        um_fprintf(stderr,
                   "unmask: write: sinks %.3f s (case.db %.3f CPU s, the other files %.3f CPU s), publish %.3f s\n",
                   st.sinks_s, st.casedb_cpu_s, st.sinks_cpu_s, st.write_s - st.sinks_s);
    if (verbose && st.workers_cpu_s > 0)
        um_fprintf(stderr,
                   "unmask: log inputs on threads: the scan's thread replayed %.3f CPU s, read parts %.3f CPU s and "
                   "waited %.3f s; workers %.3f CPU s, waited for room %.3f s\n",
                   st.replay_cpu_s, st.help_cpu_s, st.wait_s, st.workers_cpu_s, st.workers_wait_s);
    if (verbose && st.partitions_busy)
        fprintf(stderr, "unmask: analysis partitioned by person: %u partitions had events, %llu analyzer calls\n",
                st.partitions_busy, (unsigned long long)st.partition_calls);
    if (verbose && st.partition_state_bytes)
        fprintf(stderr, "unmask: partition states saved and loaded back: %llu bytes, %llu findings\n",
                (unsigned long long)st.partition_state_bytes, (unsigned long long)st.partition_state_findings);
    if (verbose && st.partition_tail_s > 0)
        um_fprintf(stderr, "unmask: person partitions on workers: the last state came %.3f s after the last event\n",
                st.partition_tail_s);
    fprintf(stderr, "unmask: results in %s/ (subjects.jsonl, findings.jsonl, clusters.jsonl, case.db, *.csv)\n", T(out));
}

static int parse_fail_on(const char *v) {
    if (strcmp(v, "never") == 0) return 3;
    int l = um_level_parse(v);
    return l >= 1 ? l : -1;
}

/* The data folder when neither --data-dir nor UNMASK_DATA_DIR names one:
 * the installed share/unmask beside the program, or the source tree's data/
 * when the program runs from a build folder. NULL lets the library use its
 * compiled-in path, then ./data. */
static const char *find_data_dir(char *buf, size_t n) {
    if (getenv("UNMASK_DATA_DIR")) return NULL;
    char exe[4096];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k <= 0) return NULL;
    exe[k] = 0;
    char *slash = strrchr(exe, '/');
    if (!slash) return NULL;
    *slash = 0;
    static const char *const rel[] = {"../share/unmask", "../../data", "../../../data", "../data"};
    struct stat st;
    for (size_t i = 0; i < sizeof rel / sizeof *rel; i++) {
        snprintf(buf, n, "%s/%s/ioc", exe, rel[i]);
        if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode)) {
            snprintf(buf, n, "%s/%s", exe, rel[i]);
            return buf;
        }
    }
#ifdef UM_SOURCE_DATA_DIR /* a build folder outside the source tree */
    snprintf(buf, n, "%s/ioc", UM_SOURCE_DATA_DIR);
    if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode)) return UM_SOURCE_DATA_DIR;
#endif
    return NULL;
}

/* The data folder found beside the program (find_data_dir), handed to the
 * library as a context option when no --data-dir is given; NULL: the
 * library's own order (UNMASK_DATA_DIR, installed path, ./data). */
const char *default_data_dir;

static int cmd_scan(int argc, char **argv) {
    enum { O_FAIL = 256, O_DATA, O_CDB, O_ADB, O_RMM, O_JSON, O_LIMIT, O_ALLOW, O_RULES, O_THREADS, O_WAIT, O_DEPTH, O_STIME, O_ADD, O_NOJ };
    static const struct option opts[] = {
        {"out", required_argument, 0, 'o'},     {"format", required_argument, 0, 'f'},
        {"mapping", required_argument, 0, 'm'}, {"fail-on", required_argument, 0, O_FAIL},
        {"data-dir", required_argument, 0, O_DATA}, {"country-db", required_argument, 0, O_CDB},
        {"asn-db", required_argument, 0, O_ADB}, {"approved-rmm", required_argument, 0, O_RMM},
        {"top", required_argument, 0, 'n'},     {"json", no_argument, 0, O_JSON},
        {"quiet", no_argument, 0, 'q'},         {"help", no_argument, 0, 'h'},
        {"limit", required_argument, 0, O_LIMIT}, {"verbose", no_argument, 0, 'v'},
        {"allowlist", required_argument, 0, O_ALLOW}, {"rules", required_argument, 0, O_RULES},
        {"threads", required_argument, 0, O_THREADS},
        {"wait", no_argument, 0, O_WAIT},       {"max-depth", required_argument, 0, O_DEPTH},
        {"stream-timeout", required_argument, 0, O_STIME}, UM_CLI_NATS_LONGOPTS,
        {"add", no_argument, 0, O_ADD},         {"no-journal", no_argument, 0, O_NOJ},
        {0, 0, 0, 0}};
    um_cli_nats nats;
    memset(&nats, 0, sizeof nats);
    const char *out = "unmask-out", *format = NULL, *mapping = NULL, *limits = NULL;
    int fail_on = -1; /* default high (2), unless a case unmask.conf says otherwise */
    um_ctx_options co = {0};
    size_t top = 20;
    int json = 0, quiet = 0, verbose = 0, wait = 0, max_depth = UM_DEFAULT_MAX_DEPTH, c;
    int stream_ms = UM_DEFAULT_STREAM_TIMEOUT_MS;
    int add = 0, no_journal = 0;
    unsigned threads = 0; /* 0: one per core */
    optind = 1;
    opterr = 0; /* getopt would echo a bad option raw; said below, escaped */
    while ((c = getopt_long(argc, argv, "o:f:m:n:qvh", opts, NULL)) != -1) {
        if (um_cli_nats_opt(c, optarg, &nats)) continue;
        switch (c) {
        case 'o': out = optarg; break;
        case 'f': format = optarg; break;
        case 'm': mapping = optarg; break;
        case 'n': top = (size_t)strtoul(optarg, NULL, 10); break;
        case 'q': quiet = 1; break;
        case 'v': verbose = 1; break;
        case O_ADD: add = 1; break;
        case O_NOJ: no_journal = 1; break;
        case 'h': usage_scan(stdout); return 0;
        case O_FAIL:
            if ((fail_on = parse_fail_on(optarg)) < 0) {
                fprintf(stderr, "%s: --fail-on must be review, high or never\n", prog);
                return EXIT_ERROR;
            }
            break;
        case O_DATA: co.data_dir = optarg; break;
        case O_CDB: co.country_mmdb = optarg; break;
        case O_ADB: co.asn_mmdb = optarg; break;
        case O_RMM: co.approved_rmm = optarg; break;
        case O_ALLOW: co.allowlist = optarg; break;
        case O_RULES: co.rules = optarg; break;
        case O_JSON: json = 1; break;
        case O_LIMIT: limits = optarg; break;
        case O_THREADS: {
            char *end = NULL;
            unsigned long n = strtoul(optarg, &end, 10);
            if (!*optarg || *end || n < 1 || n > 256) {
                fprintf(stderr, "%s: --threads must be a number 1-256\n", prog);
                return EXIT_ERROR;
            }
            threads = (unsigned)n;
            break;
        }
        case O_WAIT: wait = 1; break;
        case O_DEPTH:
        case O_STIME: {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || end == optarg || v < 0 || v > 100000) {
                fprintf(stderr, "%s: --%s needs a number\n", prog, c == O_DEPTH ? "max-depth" : "stream-timeout");
                return EXIT_ERROR;
            }
            if (c == O_DEPTH) max_depth = (int)v;
            else stream_ms = (int)v * 1000;
            break;
        }
        default:
            fprintf(stderr, "%s scan: unknown option or missing value: %s\n\n", prog, T(argv[optind - 1]));
            usage_scan(stderr);
            return EXIT_ERROR;
        }
    }
    if (optind >= argc && !add) {
        fprintf(stderr, "%s scan: no INPUT given\n\n", prog);
        usage_scan(stderr);
        return EXIT_ERROR;
    }
    um_case_settings cc;
    um_case_settings_init(&cc);
    for (int i = optind; i < argc; i++) {
        char err[4400];
        if (um_case_settings_read(argv[i], &cc, err, sizeof err) != UM_OK) {
            fprintf(stderr, "%s: %s\n", prog, T(err));
            return EXIT_ERROR;
        }
    }
    if (!co.approved_rmm && cc.approved_rmm[0]) co.approved_rmm = cc.approved_rmm;
    if (!co.allowlist && cc.allowlist[0]) co.allowlist = cc.allowlist;
    if (fail_on < 0) fail_on = cc.fail_on;
    if (!co.data_dir) co.data_dir = default_data_dir;
    if (fail_on < 0) fail_on = 2;
    if (!um_cli_nats_finish(&nats)) {
        um_cli_nats_clear(&nats);
        return EXIT_ERROR;
    }
    um_ctx *ctx = NULL;
    um_scan *scan = NULL;
    int rc = EXIT_ERROR;
    catch_signals();
    if (um_ctx_open(&ctx, &co) != UM_OK) {
        fprintf(stderr, "%s: %s\n", prog, T(um_ctx_errmsg(ctx)));
        goto out;
    }
    for (size_t i = 0; um_ctx_warning(ctx, i); i++)
        if (!quiet) fprintf(stderr, "%s: warning: %s\n", prog, T(um_ctx_warning(ctx, i)));
    if (um_scan_new(ctx, &scan) != UM_OK) {
        fprintf(stderr, "%s: out of memory\n", prog);
        goto out;
    }
    um_scan_set_cancel(scan, &g_signal);
    um_scan_set_max_depth(scan, max_depth);
    um_scan_set_stream_timeout(scan, stream_ms);
    /* the output folder is ours for the whole run: a second scan learns now */
    if (um_scan_lock_output(scan, out, false) == UM_EBUSY && wait) {
        if (!quiet) fprintf(stderr, "%s: waiting for the other scan writing %s\n", prog, T(out));
        (void)um_scan_lock_output(scan, out, true);
    }
    if (!um_scan_lock_held(scan)) {
        fprintf(stderr, "%s: %s\n", prog, T(um_scan_errmsg(scan)));
        goto out;
    }
    const char *part_env = getenv("UNMASK_PART_BYTES"); /* tests and tuning: size of a file's parts */
    if (part_env) (void)um_scan_set_part_size(scan, strtoull(part_env, NULL, 10));
    /* tests: the per-person analyzers as K partition instances, merged (pmerge.c) */
    const char *pa_env = getenv("UNMASK_PARTITIONS");
    if (pa_env) (void)um_scan_set_partitions(scan, (unsigned)strtoul(pa_env, NULL, 10));
    /* tests: every partition's state saved to bytes and loaded back before the merge (pstate.h) */
    const char *rt_env = getenv("UNMASK_PARTITION_ROUNDTRIP");
    if (rt_env && *rt_env == '1') (void)um_scan_set_partition_roundtrip(scan, true);
    if (um_scan_set_threads(scan, threads) != UM_OK || (limits && um_scan_set_limits(scan, limits) != UM_OK) ||
        (nats.o.url && um_scan_set_nats(scan, &nats.o) != UM_OK) ||
        (mapping && um_scan_set_mapping(scan, mapping) != UM_OK)) {
        fprintf(stderr, "%s: %s\n", prog, T(um_scan_errmsg(scan)));
        goto out;
    }
    /* analysts' verdicts in the case being re-scanned are honoured */
    char verdicts_db[4096];
    snprintf(verdicts_db, sizeof verdicts_db, "%s/case.db", out);
    if (um_scan_set_verdicts(scan, verdicts_db) != UM_OK) {
        fprintf(stderr, "%s: out of memory\n", prog);
        goto out;
    }
    /* the case's own inputs first (replayed from its journal), or journals kept for a later --add */
    if ((add && um_scan_add_case(scan, out, !no_journal) != UM_OK) ||
        (!add && um_scan_keep_journal(scan, out, !no_journal) != UM_OK)) {
        fprintf(stderr, "%s: %s\n", prog, T(um_scan_errmsg(scan)));
        goto out;
    }
    for (int i = optind; i < argc; i++)
        if (um_scan_add_path(scan, argv[i], format) != UM_OK) {
            fprintf(stderr, "%s: %s\n", prog, T(um_scan_errmsg(scan)));
            goto out;
        }
    int tty = isatty(STDERR_FILENO) && !quiet;
    um_status st = um_scan_run(scan, tty ? progress : NULL, NULL);
    if (tty) fprintf(stderr, "\r\033[K");
    if (st != UM_OK) {
        if (!g_signal) fprintf(stderr, "%s: scan failed: %s\n", prog, T(um_scan_errmsg(scan)));
        goto out;
    }
    if (um_scan_write_outputs(scan, out) != UM_OK) {
        if (!g_signal) fprintf(stderr, "%s: %s\n", prog, T(um_scan_errmsg(scan)));
        goto out;
    }
    if (!quiet) {
        if (json) {
            for (size_t i = 0; i < um_scan_subject_count(scan); i++) {
                const char *line = um_scan_subject_json(scan, i);
                if (line) printf("%s\n", line);
            }
        } else {
            print_table(scan, top);
        }
        print_summary(scan, out, verbose);
    }
    rc = (int)um_scan_max_level(scan) >= fail_on ? EXIT_FINDINGS : 0;
out:
    um_cli_nats_clear(&nats);
    um_scan_free(scan); /* temporaries are gone, the lock released */
    um_ctx_close(ctx);
    if (g_signal) { /* die of the signal, so the caller sees how we ended */
        int sig = (int)g_signal;
        signal(sig, SIG_DFL);
        raise(sig);
    }
    return rc;
}

static int cmd_formats(void) {
    for (size_t i = 0; i < um_reader_count(); i++)
        printf("%-16s %s\n", um_reader_name(i), um_reader_description(i));
    return 0;
}

int main(int argc, char **argv) {
    /* A file-size limit must surface as a write error (exit 2), not kill us. */
    signal(SIGXFSZ, SIG_IGN);
    /* Every command finds the bundled data beside the program when neither
     * --data-dir, UNMASK_DATA_DIR nor ./data names it. */
    static char ddbuf[4200];
    struct stat dst;
    if (!(stat("data/ioc", &dst) == 0 && S_ISDIR(dst.st_mode))) default_data_dir = find_data_dir(ddbuf, sizeof ddbuf);
    if (argc < 2) {
        usage_main(stderr);
        return EXIT_ERROR;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
        usage_main(stdout);
        return 0;
    }
    if (strcmp(cmd, "help") == 0) {
        if (argc > 2 && strcmp(argv[2], "scan") == 0) usage_scan(stdout);
        else if (argc > 2 && strcmp(argv[2], "screen") == 0) return um_cli_screen(2, (char *[]){"screen", "--help", NULL});
        else if (argc > 2 && strcmp(argv[2], "data") == 0) return um_cli_data(2, (char *[]){"data", "--help", NULL});
        else if (argc > 2 && strcmp(argv[2], "report") == 0) return um_cli_report(2, (char *[]){"report", "--help", NULL});
        else if (argc > 2 && strcmp(argv[2], "serve") == 0) return um_cli_serve(2, (char *[]){"serve", "--help", NULL});
        else if (argc > 2 && strcmp(argv[2], "worker") == 0) return um_cli_worker(2, (char *[]){"worker", "--help", NULL});
        else usage_main(stdout);
        return 0;
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("unmask %s\n", UM_VERSION);
        return 0;
    }
    if (strcmp(cmd, "scan") == 0) return cmd_scan(argc - 1, argv + 1);
    if (strcmp(cmd, "screen") == 0) return um_cli_screen(argc - 1, argv + 1);
    if (strcmp(cmd, "rules") == 0) return um_cli_rules(argc - 1, argv + 1);
    if (strcmp(cmd, "data") == 0) return um_cli_data(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0) return um_cli_report(argc - 1, argv + 1);
    if (strcmp(cmd, "serve") == 0) return um_cli_serve(argc - 1, argv + 1);
    if (strcmp(cmd, "worker") == 0) return um_cli_worker(argc - 1, argv + 1);
    if (strcmp(cmd, "formats") == 0) {
        if (argc > 2 && (strcmp(argv[2], "-h") == 0 || strcmp(argv[2], "--help") == 0)) {
            printf("Usage: unmask formats\n\nLists the input formats (reader names for --format).\n");
            return 0;
        }
        return cmd_formats();
    }
    fprintf(stderr, "%s: unknown command '%s'\n\n", prog, T(cmd));
    usage_main(stderr);
    return EXIT_ERROR;
}
