/*
 * gen_bench - writes a large, deterministic case shaped like the real
 * samples in the project's log corpus, for the throughput benchmark.
 *
 *   gen_bench --bytes N --out DIR [--seed S] [--people P]
 *
 * DIR/hr/employees.csv   P employees (work email = Okta/Entra login,
 *                        Windows username, assigned hostname), so every
 *                        event resolves to a person.
 * DIR/logs/okta.jsonl    Okta System Log LogEvents, one per line, with every
 *                        object the API writes (actor, client.userAgent,
 *                        geographicalContext.geolocation, device,
 *                        authenticationContext, securityContext,
 *                        debugContext.debugData, request.ipChain[],
 *                        target[]), shaped like the Vector test response.
 * DIR/logs/entra.jsonl   Entra ID sign-in logs as diagnostic settings export
 *                        them (time, category, callerIpAddress, properties
 *                        with status, deviceDetail, location.geoCoordinates,
 *                        authenticationDetails[] ...), as the Elastic sample.
 * DIR/logs/nxlog.jsonl   Windows events flattened by NXLog as in the OTRF
 *                        datasets (EventData at top level beside Hostname,
 *                        Channel, EventID, the rendered Message, collector
 *                        fields, EventTime in collector local time).
 * DIR/logs/winlogbeat.jsonl  the same event types as Winlogbeat/ECS writes
 *                        them (winlog.event_data.*, no Message): a Sysmon 1
 *                        line is about 860-1,000 bytes with ~20 data fields.
 *
 * Windows events: Sysmon 1 (process), 3 (network), 11 (file create), 13
 * (registry set), 22 (DNS), Security 4624 (logon) and 6416 (device
 * recognised). The logs together hold about N bytes. Analyzers get work:
 * 1% of process starts are a remote-access tool, 3% of Okta sign-ins come
 * through one VPN provider's exit addresses, a few Entra sign-ins from
 * abroad, a few 6416 USB devices (one an IP-KVM).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static uint64_t rng_state;
static uint64_t rnd(void) { /* splitmix64 */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static unsigned pick(unsigned n) { return (unsigned)(rnd() % n); }

/* JSON-escaped copy of s in one of 16 rotating buffers. */
static const char *J(const char *s) {
    static char ring[16][2048];
    static unsigned at;
    char *o = ring[at++ % 16], *p = o;
    for (; *s && p < o + sizeof ring[0] - 8; s++) {
        if (*s == '\\' || *s == '"') *p++ = '\\', *p++ = *s;
        else if (*s == '\r') *p++ = '\\', *p++ = 'r';
        else if (*s == '\n') *p++ = '\\', *p++ = 'n';
        else if (*s == '\t') *p++ = '\\', *p++ = 't';
        else *p++ = *s;
    }
    *p = 0;
    return o;
}
/* printf into a rotating buffer */
static const char *F(const char *fmt, ...) {
    static char ring[16][2048];
    static unsigned at;
    char *o = ring[at++ % 16];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o, sizeof ring[0], fmt, ap);
    va_end(ap);
    return o;
}
static const char *hex(unsigned n) {
    static char ring[8][80];
    static unsigned at;
    char *o = ring[at++ % 8];
    for (unsigned i = 0; i < n && i < 79; i++) o[i] = "0123456789ABCDEF"[rnd() & 15];
    o[n < 79 ? n : 79] = 0;
    return o;
}
static const char *guid(void) {
    return F("{%s-%s-%s-0000-0010%s}", hex(8), hex(4), hex(4), hex(8));
}

static const char *const first[] = {"james", "mary", "robert", "patricia", "john", "jennifer", "michael",
                                    "linda", "david", "elizabeth", "william", "barbara", "richard", "susan",
                                    "joseph", "jessica", "thomas", "sarah", "charles", "karen", "wei",
                                    "priya", "carlos", "ana", "minh", "olga", "ahmed", "fatima"};
static const char *const last[] = {"smith", "johnson", "williams", "brown", "jones", "garcia", "miller",
                                   "davis", "rodriguez", "martinez", "hernandez", "lopez", "gonzalez",
                                   "wilson", "anderson", "thomas", "taylor", "moore", "jackson", "martin",
                                   "lee", "perez", "nguyen", "patel", "chen", "kowalski"};

typedef struct person {
    char first[24], last[24], email[80], user[40], host[24];
    unsigned ip_a, ip_b; /* home address 73.a.b.x */
} person;
static person *people;
static unsigned npeople = 2000;

typedef struct proc {
    const char *image, *cmd, *desc, *product, *company, *orig, *ver;
} proc;
static const proc procs[] = {
    {"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
     "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --type=renderer --field-trial-handle=1788,"
     "i,7382994431526019810,1553027409582114422,131072 --lang=en-US --device-scale-factor=1 --num-raster-threads=4 "
     "--renderer-client-id=%u --mojo-platform-channel-handle=%u /prefetch:1",
     "Google Chrome", "Google Chrome", "Google LLC", "chrome.exe", "127.0.6533.100"},
    {"C:\\Windows\\System32\\svchost.exe", "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule",
     "Host Process for Windows Services", "Microsoft\xc2\xae Windows\xc2\xae Operating System",
     "Microsoft Corporation", "svchost.exe", "10.0.19041.1 (WinBuild.160101.0800)"},
    {"C:\\Windows\\System32\\gpupdate.exe", "gpupdate.exe /target:computer", "Microsoft\xc2\xae Group Policy Update Utility",
     "Microsoft\xc2\xae Windows\xc2\xae Operating System", "Microsoft Corporation", "GPUpdate.exe",
     "10.0.19041.1 (WinBuild.160101.0800)"},
    {"C:\\Users\\%s\\AppData\\Local\\Programs\\Microsoft VS Code\\Code.exe",
     "\"C:\\Users\\%s\\AppData\\Local\\Programs\\Microsoft VS Code\\Code.exe\" --type=utility "
     "--utility-sub-type=node.mojom.NodeService --lang=en-US --service-sandbox-type=none",
     "Visual Studio Code", "Visual Studio Code", "Microsoft Corporation", "electron.exe", "1.92.2"},
    {"C:\\Program Files\\Git\\mingw64\\bin\\git.exe", "git.exe fetch --progress --prune origin",
     "Git for Windows", "Git", "The Git Development Community", "git.exe", "2.46.0.windows.1"},
    {"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
     "powershell.exe -NoProfile -ExecutionPolicy Bypass -Command \"Get-ChildItem -Path C:\\Users\\%s\\Documents\"",
     "Windows PowerShell", "Microsoft\xc2\xae Windows\xc2\xae Operating System", "Microsoft Corporation",
     "PowerShell.EXE", "10.0.19041.3996 (WinBuild.160101.0800)"},
    {"C:\\Windows\\System32\\conhost.exe", "\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1",
     "Console Window Host", "Microsoft\xc2\xae Windows\xc2\xae Operating System", "Microsoft Corporation",
     "CONHOST.EXE", "10.0.19041.3996 (WinBuild.160101.0800)"},
    /* remote-access tool (1%) */
    {"C:\\Program Files (x86)\\AnyDesk\\AnyDesk.exe", "\"C:\\Program Files (x86)\\AnyDesk\\AnyDesk.exe\" --service",
     "AnyDesk", "AnyDesk", "AnyDesk Software GmbH", "AnyDesk.exe", "8.0.14"},
};
#define N_PROCS 7 /* ordinary ones */
#define PROC_RAT 7

static const char *const parents[] = {"C:\\Windows\\explorer.exe", "C:\\Windows\\System32\\svchost.exe",
                                      "C:\\Windows\\System32\\services.exe",
                                      "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe"};
static const char *const parent_cmds[] = {"C:\\Windows\\Explorer.EXE",
                                          "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule",
                                          "C:\\Windows\\system32\\services.exe",
                                          "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\""};
static const char *const domains[] = {"login.microsoftonline.com", "www.google.com", "github.com",
                                      "api.github.com", "outlook.office365.com", "corp-example.okta.com",
                                      "update.googleapis.com", "teams.microsoft.com", "wpad.corp.example"};

/* time: seconds since 2026-09-01T00:00:00Z */
static const time_t T0 = 1788220800;
#pragma GCC diagnostic ignored "-Wformat-nonliteral" /* strftime formats and proc templates */
static void tfmt(char *o, size_t n, uint64_t sec, const char *fmt, int off_h) {
    time_t t = T0 + (time_t)sec + off_h * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(o, n, fmt, &tm);
}

typedef struct ev {
    uint64_t sec;
    unsigned ms, us;
    person *p;
    uint64_t rec;
    char iso[64], sysm[64], local[40], recv[40];
} ev;

static void ev_times(ev *e) {
    char b[32];
    tfmt(b, sizeof b, e->sec, "%Y-%m-%dT%H:%M:%S", 0);
    snprintf(e->iso, sizeof e->iso, "%s.%03uZ", b, e->ms);
    tfmt(b, sizeof b, e->sec, "%Y-%m-%d %H:%M:%S", 0);
    snprintf(e->sysm, sizeof e->sysm, "%s.%03u", b, e->ms);
    tfmt(e->local, sizeof e->local, e->sec, "%Y-%m-%d %H:%M:%S", -5);
    tfmt(e->recv, sizeof e->recv, e->sec + 2, "%Y-%m-%d %H:%M:%S", -5);
}

/* A Windows event: name/value pairs of the EventData, then the System part. */
typedef struct wfield {
    const char *k, *v;
} wfield;
typedef struct wev {
    unsigned id, task;
    const char *channel, *provider, *guid, *message, *category, *opcode;
    int security;
    wfield f[40];
    unsigned n;
} wev;
static void add(wev *w, const char *k, const char *v) {
    if (w->n < 40) w->f[w->n].k = k, w->f[w->n].v = v, w->n++;
}

/* NXLog/OTRF flat: system fields and EventData fields at top level,
 * keys in an order as scattered as the real export's. */
static int write_nxlog(FILE *f, const ev *e, const wev *w) {
    int n = fprintf(f, "{\"Channel\":\"%s\",\"RecordNumber\":%" PRIu64 ",\"ProviderGuid\":\"%s\",", w->channel, e->rec,
                    w->guid);
    for (unsigned i = 0; i < w->n; i += 2) n += fprintf(f, "\"%s\":\"%s\",", w->f[i].k, J(w->f[i].v));
    n += fprintf(f,
                 "\"SourceName\":\"%s\",\"OpcodeValue\":0,\"Message\":\"%s\",\"ProcessID\":%u,"
                 "\"SeverityValue\":2,\"SourceModuleType\":\"im_msvistalog\",\"@version\":\"1\",\"Version\":%u,"
                 "\"EventReceivedTime\":\"%s\",\"type\":\"nxlog-mordor\",\"host\":\"wec01.corp.example\","
                 "\"port\":49730,\"EventID\":%u,\"EventType\":\"%s\",",
                 w->provider, J(w->message), 2644 + pick(900), w->security ? 2 : 5, e->recv, w->id,
                 w->security ? "AUDIT_SUCCESS" : "INFO");
    for (unsigned i = 1; i < w->n; i += 2) n += fprintf(f, "\"%s\":\"%s\",", w->f[i].k, J(w->f[i].v));
    if (w->category) n += fprintf(f, "\"Category\":\"%s\",\"Opcode\":\"%s\",", w->category, w->opcode);
    if (!w->security)
        n += fprintf(f, "\"Domain\":\"NT AUTHORITY\",\"AccountType\":\"User\",\"UserID\":\"S-1-5-18\","
                        "\"AccountName\":\"SYSTEM\",");
    n += fprintf(f,
                 "\"Task\":%u,\"Severity\":\"INFO\",\"Keywords\":%s,\"@timestamp\":\"%s\",\"EventTime\":\"%s\","
                 "\"ThreadID\":%u,\"Hostname\":\"%s.corp.example\",\"SourceModuleName\":\"eventlog\"}\n",
                 w->task, w->security ? "-9214364837600034816" : "-9223372036854775808", e->iso, e->local,
                 3000 + pick(2000), e->p->host);
    return n;
}

/* Winlogbeat/ECS: winlog.event_data, the ECS envelope, no Message. */
static int write_beat(FILE *f, const ev *e, const wev *w) {
    int n = fprintf(f,
                    "{\"@timestamp\":\"%s\",\"event\":{\"code\":\"%u\",\"kind\":\"event\",\"provider\":\"%s\","
                    "\"created\":\"%s\"},\"winlog\":{\"channel\":\"%s\",\"computer_name\":\"%s.corp.example\","
                    "\"event_id\":\"%u\",\"provider_name\":\"%s\",\"record_id\":\"%" PRIu64 "\","
                    "\"process\":{\"pid\":%u,\"thread\":{\"id\":%u}},\"event_data\":{",
                    e->iso, w->id, w->provider, e->iso, w->channel, e->p->host, w->id, w->provider, e->rec,
                    2644 + pick(900), 3000 + pick(2000));
    for (unsigned i = 0; i < w->n; i++) n += fprintf(f, "%s\"%s\":\"%s\"", i ? "," : "", w->f[i].k, J(w->f[i].v));
    n += fprintf(f, "}},\"host\":{\"name\":\"%s.corp.example\"}}\n", e->p->host);
    return n;
}

static const char *msg_from(const char *title, const wev *w) {
    static char m[4096];
    size_t o = (size_t)snprintf(m, sizeof m, "%s", title);
    for (unsigned i = 0; i < w->n && o < sizeof m - 200; i++)
        o += (size_t)snprintf(m + o, sizeof m - o, "\r\n%s: %s", w->f[i].k, w->f[i].v);
    return m;
}

static void sysmon(wev *w, unsigned id, const char *cat, const char *title, const ev *e) {
    w->id = id;
    w->task = id;
    w->channel = "Microsoft-Windows-Sysmon/Operational";
    w->provider = "Microsoft-Windows-Sysmon";
    w->guid = "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}";
    w->category = cat;
    w->opcode = "Info";
    w->security = 0;
    (void)title;
    add(w, "RuleName", "-");
    add(w, "UtcTime", e->sysm);
}

static const char *user_of(const ev *e) { return F("CORP\\%s", e->p->user); }

/* fills w with one Windows event of the mixed kinds */
static void make_win(wev *w, const ev *e) {
    memset(w, 0, sizeof *w);
    unsigned r = pick(100);
    const char *pg = guid(), *pid = F("%u", 1000 + pick(30000));
    if (r < 24) { /* Sysmon 1 */
        unsigned pi = pick(100) < 1 ? PROC_RAT : pick(N_PROCS), pp = pick(4);
        const proc *p = &procs[pi];
        sysmon(w, 1, "Process Create (rule: ProcessCreate)", "Process Create:", e);
        add(w, "ProcessGuid", pg);
        add(w, "ProcessId", pid);
        add(w, "Image", F(p->image, e->p->user));
        add(w, "FileVersion", p->ver);
        add(w, "Description", p->desc);
        add(w, "Product", p->product);
        add(w, "Company", p->company);
        add(w, "OriginalFileName", p->orig);
        if (strstr(p->cmd, "%s")) add(w, "CommandLine", F(p->cmd, e->p->user));
        else if (strstr(p->cmd, "%u")) add(w, "CommandLine", F(p->cmd, 5 + pick(20), pick(9000)));
        else add(w, "CommandLine", p->cmd);
        add(w, "CurrentDirectory", pick(2) ? "C:\\Windows\\system32\\" : F("C:\\Users\\%s\\", e->p->user));
        add(w, "User", user_of(e));
        add(w, "LogonGuid", guid());
        add(w, "LogonId", F("0x%X", 0x10000 + pick(0xfffff)));
        add(w, "TerminalSessionId", "1");
        add(w, "IntegrityLevel", pick(5) ? "Medium" : "High");
        add(w, "Hashes", F("SHA1=%s,MD5=%s,SHA256=%s,IMPHASH=%s", hex(40), hex(32), hex(64), hex(32)));
        add(w, "ParentProcessGuid", guid());
        add(w, "ParentProcessId", F("%u", 500 + pick(9000)));
        add(w, "ParentImage", parents[pp]);
        add(w, "ParentCommandLine", parent_cmds[pp]);
        add(w, "ParentUser", user_of(e));
        w->message = msg_from("Process Create:", w);
    } else if (r < 52) { /* Sysmon 3 */
        sysmon(w, 3, "Network connection detected (rule: NetworkConnect)", "Network connection detected:", e);
        add(w, "ProcessGuid", pg);
        add(w, "ProcessId", pid);
        add(w, "Image", procs[pick(2) ? 0 : 1].image);
        add(w, "User", user_of(e));
        add(w, "Protocol", "tcp");
        add(w, "Initiated", "true");
        add(w, "SourceIsIpv6", "false");
        add(w, "SourceIp", F("10.20.%u.%u", e->p->ip_a % 250, 2 + e->p->ip_b % 250));
        add(w, "SourceHostname", F("%s.corp.example", e->p->host));
        add(w, "SourcePort", F("%u", 49152 + pick(16000)));
        add(w, "SourcePortName", "-");
        add(w, "DestinationIsIpv6", "false");
        add(w, "DestinationIp", F("%u.%u.%u.%u", 13 + pick(3) * 10, pick(250), pick(250), 1 + pick(250)));
        add(w, "DestinationHostname", "-");
        add(w, "DestinationPort", pick(10) ? "443" : "80");
        add(w, "DestinationPortName", "https");
        w->message = msg_from("Network connection detected:", w);
    } else if (r < 64) { /* Sysmon 11 */
        sysmon(w, 11, "File created (rule: FileCreate)", "File created:", e);
        add(w, "ProcessGuid", pg);
        add(w, "ProcessId", pid);
        add(w, "Image", procs[0].image);
        add(w, "TargetFilename",
            F("C:\\Users\\%s\\AppData\\Local\\Google\\Chrome\\User Data\\Default\\Cache\\Cache_Data\\f_%s",
              e->p->user, hex(6)));
        add(w, "CreationUtcTime", e->sysm);
        add(w, "User", user_of(e));
        w->message = msg_from("File created:", w);
    } else if (r < 76) { /* Sysmon 13 */
        sysmon(w, 13, "Registry value set (rule: RegistryEvent)", "Registry value set:", e);
        add(w, "EventType", "SetValue");
        add(w, "ProcessGuid", pg);
        add(w, "ProcessId", pid);
        add(w, "Image", "C:\\Windows\\system32\\svchost.exe");
        add(w, "TargetObject",
            F("HKU\\S-1-5-21-%u-%u-%u-%u\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer\\"
              "UserAssist\\{CEBFF5CD-ACE2-4F4F-9178-9926F41749EA}\\Count\\HRZR_PGYFRFFVBA",
              pick(1u << 30), pick(1u << 30), pick(1u << 30), 1000 + pick(5000)));
        add(w, "Details", F("Binary Data (%u bytes)", 16 + pick(64)));
        add(w, "User", user_of(e));
        w->message = msg_from("Registry value set:", w);
    } else if (r < 90) { /* Sysmon 22 */
        sysmon(w, 22, "Dns query (rule: DnsQuery)", "Dns query:", e);
        const char *d = domains[pick(9)];
        add(w, "ProcessGuid", pg);
        add(w, "ProcessId", pid);
        add(w, "QueryName", d);
        add(w, "QueryStatus", "0");
        add(w, "QueryResults", F("type:  5 %s;::ffff:%u.%u.%u.%u;", d, 20 + pick(100), pick(250), pick(250),
                                 pick(250)));
        add(w, "Image", procs[pick(2) ? 0 : 1].image);
        add(w, "User", user_of(e));
        w->message = msg_from("Dns query:", w);
    } else if (r < 99) { /* Security 4624 */
        unsigned lt = pick(10) < 7 ? 3 : (pick(2) ? 2 : 10);
        w->id = 4624;
        w->task = 12544;
        w->channel = "Security";
        w->provider = "Microsoft-Windows-Security-Auditing";
        w->guid = "{54849625-5478-4994-A5BA-3E3B0328C30D}";
        w->category = "Logon";
        w->opcode = "Info";
        w->security = 1;
        add(w, "SubjectUserSid", "S-1-5-18");
        add(w, "SubjectUserName", F("%s$", e->p->host));
        add(w, "SubjectDomainName", "CORP");
        add(w, "SubjectLogonId", "0x3e7");
        add(w, "TargetUserSid", F("S-1-5-21-3623811015-3361044348-30300820-%u", 1000 + pick(5000)));
        add(w, "TargetUserName", e->p->user);
        add(w, "TargetDomainName", "CORP");
        add(w, "TargetLogonId", F("0x%x", 0x100000 + pick(0xfffff)));
        add(w, "LogonType", F("%u", lt));
        add(w, "LogonProcessName", lt == 3 ? "Kerberos" : "User32 ");
        add(w, "AuthenticationPackageName", lt == 3 ? "Kerberos" : "Negotiate");
        add(w, "WorkstationName", e->p->host);
        add(w, "LogonGuid", guid());
        add(w, "TransmittedServices", "-");
        add(w, "LmPackageName", "-");
        add(w, "KeyLength", "0");
        add(w, "ProcessId", F("0x%x", 0x200 + pick(0x800)));
        add(w, "ProcessName", lt == 3 ? "-" : "C:\\Windows\\System32\\svchost.exe");
        add(w, "IpAddress", F("10.20.%u.%u", pick(250), 2 + pick(250)));
        add(w, "IpPort", F("%u", lt == 3 ? 0 : 49152 + pick(16000)));
        add(w, "ImpersonationLevel", "%%1833");
        add(w, "RestrictedAdminMode", "-");
        add(w, "TargetOutboundUserName", "-");
        add(w, "TargetOutboundDomainName", "-");
        add(w, "VirtualAccount", "%%1843");
        add(w, "TargetLinkedLogonId", "0x0");
        add(w, "ElevatedToken", "%%1842");
        w->message = msg_from("An account was successfully logged on.\r\n\r\nSubject:", w);
    } else { /* Security 6416 */
        static const char *const devs[][3] = {
            {"USB\\VID_046D&PID_C52B\\5&2E2B4F6&0&2", "USB Composite Device", "USB"},
            {"USB\\VID_0781&PID_5581\\4C530001230512116553", "SanDisk Ultra USB Device", "DiskDrive"},
            {"SWD\\PRINTENUM\\{32FB2173-023E-43DF-9F82-0E851CC0D9BF}", "\\\\fs03\\Office Printer", "PrintQueue"},
            {"USB\\VID_1D6B&PID_0104\\6&1A2B3C4D&0&6", "PiKVM Composite Device", "USB"}};
        unsigned d = pick(100) < 5 ? 3 : pick(3);
        w->id = 6416;
        w->task = 13316;
        w->channel = "Security";
        w->provider = "Microsoft-Windows-Security-Auditing";
        w->guid = "{54849625-5478-4994-A5BA-3E3B0328C30D}";
        w->category = "Plug and Play Events";
        w->opcode = "Info";
        w->security = 1;
        add(w, "SubjectUserSid", "S-1-5-18");
        add(w, "SubjectUserName", F("%s$", e->p->host));
        add(w, "SubjectDomainName", "CORP");
        add(w, "SubjectLogonId", "0x3e7");
        add(w, "DeviceId", devs[d][0]);
        add(w, "DeviceDescription", devs[d][1]);
        add(w, "ClassId", "{36FC9E60-C465-11CF-8056-444553540000}");
        add(w, "ClassName", devs[d][2]);
        add(w, "VendorIds", F("%s -", devs[d][0]));
        add(w, "CompatibleIds", "USB\\DevClass_00&SubClass_00&Prot_00 USB\\DevClass_00&SubClass_00 USB\\DevClass_00");
        add(w, "LocationInformation", F("Port_#000%u.Hub_#0001", 1 + pick(6)));
        w->message = msg_from("A new external device was recognized by the system.\r\n", w);
    }
}

static int write_okta(FILE *f, const ev *e) {
    person *p = e->p;
    int vpn = pick(100) < 3;
    const char *ip = vpn ? F("45.86.201.%u", 1 + pick(40)) : F("73.%u.%u.%u", p->ip_a, p->ip_b, 7 + pick(2));
    const char *geo = "{\"city\":\"Chicago\",\"state\":\"Illinois\",\"country\":\"United States\",\"postalCode\":60601,"
                      "\"geolocation\":{\"lat\":41.8819,\"lon\":-87.6278}}";
    return fprintf(
        f,
        "{\"actor\":{\"id\":\"00u%s\",\"type\":\"User\",\"alternateId\":\"%s\",\"displayName\":\"%s %s\","
        "\"detailEntry\":null},\"client\":{\"userAgent\":{\"rawUserAgent\":\"Mozilla/5.0 (Windows NT 10.0; Win64; "
        "x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/127.0.0.0 Safari/537.36\",\"os\":\"Windows 10\","
        "\"browser\":\"CHROME\"},\"zone\":null,\"device\":\"Computer\",\"id\":null,\"ipAddress\":\"%s\","
        "\"geographicalContext\":%s},\"device\":{\"id\":\"guo%s\",\"name\":\"%s\",\"os_platform\":\"WINDOWS\","
        "\"os_version\":\"10.0.19045\",\"managed\":true,\"registered\":true,\"device_integrator\":null,"
        "\"disk_encryption_type\":\"ALL_INTERNAL_VOLUMES\",\"screen_lock_type\":\"BIOMETRIC\",\"jailbreak\":null,"
        "\"secure_hardware_present\":true},\"authenticationContext\":{\"authenticationProvider\":null,"
        "\"credentialProvider\":null,\"credentialType\":null,\"issuer\":null,\"interface\":null,"
        "\"authenticationStep\":0,\"rootSessionId\":\"idx%s\",\"externalSessionId\":\"idx%s\"},"
        "\"displayMessage\":\"User login to Okta\",\"eventType\":\"user.session.start\",\"outcome\":{\"result\":"
        "\"SUCCESS\",\"reason\":null},\"published\":\"%s\",\"securityContext\":{\"asNumber\":%u,\"asOrg\":\"%s\","
        "\"isp\":\"%s\",\"domain\":null,\"isProxy\":%s},\"severity\":\"INFO\",\"debugContext\":{\"debugData\":{"
        "\"requestId\":\"%s\",\"requestUri\":\"/idp/idx/authenticators/poll\",\"url\":\"/idp/idx/authenticators/"
        "poll\"}},\"legacyEventType\":\"core.user_auth.login_success\",\"transaction\":{\"type\":\"WEB\",\"id\":"
        "\"%s\",\"detail\":null},\"uuid\":\"%s-%s-11ef-%s-%s\",\"version\":0,\"request\":{\"ipChain\":[{\"ip\":"
        "\"%s\",\"geographicalContext\":%s,\"version\":\"V4\",\"source\":null}]},\"target\":[{\"id\":\"pfd%s\","
        "\"type\":\"AuthenticatorEnrollment\",\"alternateId\":\"unknown\",\"displayName\":\"Okta Verify\","
        "\"detailEntry\":null},{\"id\":\"0oa%s\",\"type\":\"AppInstance\",\"alternateId\":\"Okta Admin Console\","
        "\"displayName\":\"Okta Admin Console\",\"detailEntry\":null}]}\n",
        hex(17), p->email, p->first, p->last, ip, geo, hex(17), p->host, hex(22), hex(22), e->iso,
        vpn ? 14061u : 7922u, vpn ? "DigitalOcean, LLC" : "Comcast Cable Communications, LLC",
        vpn ? "DigitalOcean" : "Comcast", vpn ? "true" : "false", hex(32), hex(32), hex(8), hex(4), hex(4), hex(12),
        ip, geo, hex(17), hex(17));
}

static int write_entra(FILE *f, const ev *e) {
    person *p = e->p;
    int abroad = pick(200) == 0;
    const char *ip = abroad ? F("1.128.%u.%u", pick(250), 1 + pick(250)) : F("73.%u.%u.%u", p->ip_a, p->ip_b, 7);
    char t7[48], tz[48];
    char b[32];
    tfmt(b, sizeof b, e->sec, "%Y-%m-%dT%H:%M:%S", 0);
    snprintf(t7, sizeof t7, "%s.%03u%04uZ", b, e->ms, e->us);
    snprintf(tz, sizeof tz, "%s.%03u%04u+00:00", b, e->ms, e->us);
    const char *corr = F("%s-%s-%s-%s-%s", hex(8), hex(4), hex(4), hex(4), hex(12));
    const char *id = F("%s-%s-%s-%s-%s", hex(8), hex(4), hex(4), hex(4), hex(12));
    return fprintf(
        f,
        "{ \"time\": \"%s\", \"resourceId\": \"/tenants/4bbb79f7-5724-4c9e-95f3-de075f6ec090/providers/"
        "Microsoft.aadiam\", \"operationName\": \"Sign-in activity\", \"operationVersion\": \"1.0\", \"category\": "
        "\"SignInLogs\", \"tenantId\": \"4bbb79f7-5724-4c9e-95f3-de075f6ec090\", \"resultType\": \"0\", "
        "\"resultSignature\": \"None\", \"durationMs\": 0, \"callerIpAddress\": \"%s\", \"correlationId\": \"%s\", "
        "\"identity\": \"%s %s\", \"Level\": 4, \"location\": \"%s\", \"properties\": {\"id\":\"%s\","
        "\"createdDateTime\":\"%s\",\"userDisplayName\":\"%s %s\",\"userPrincipalName\":\"%s\",\"userId\":"
        "\"%s-%s-%s-%s-%s\",\"appId\":\"c44b4083-3bb0-49c1-b47d-974e53cbdf3c\",\"appDisplayName\":\"Azure Portal\","
        "\"ipAddress\":\"%s\",\"status\":{\"errorCode\":0},\"clientAppUsed\":\"Browser\",\"userAgent\":\"Mozilla/5.0 "
        "(Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/127.0.0.0 Safari/537.36 "
        "Edg/127.0.2651.98\",\"deviceDetail\":{\"deviceId\":\"\",\"operatingSystem\":\"Windows 10\",\"browser\":"
        "\"Edge 127.0.2651\"},\"location\":{\"city\":\"%s\",\"state\":\"%s\",\"countryOrRegion\":\"%s\","
        "\"geoCoordinates\":{\"latitude\":%s,\"longitude\":%s}},\"mfaDetail\":{},\"correlationId\":\"%s\","
        "\"conditionalAccessStatus\":\"notApplied\",\"appliedConditionalAccessPolicies\":[],\"originalRequestId\":"
        "\"%s\",\"isInteractive\":true,\"tokenIssuerName\":\"\",\"tokenIssuerType\":\"AzureAD\","
        "\"authenticationProcessingDetails\":[{\"key\":\"Login Hint Present\",\"value\":\"True\"},{\"key\":\"Legacy "
        "TLS (TLS 1.0, 1.1, 3DES)\",\"value\":\"False\"},{\"key\":\"Oauth Scope Info\",\"value\":\"\"},{\"key\":\"Is "
        "CAE Token\",\"value\":\"False\"}],\"networkLocationDetails\":[],\"processingTimeInMilliseconds\":%u,"
        "\"riskDetail\":\"none\",\"riskLevelAggregated\":\"none\",\"riskLevelDuringSignIn\":\"none\",\"riskState\":"
        "\"none\",\"riskEventTypes\":[],\"riskEventTypes_v2\":[],\"resourceDisplayName\":\"Windows Azure Service "
        "Management API\",\"resourceId\":\"797f4846-ba00-4fd7-ba43-dac1f8f63013\",\"resourceTenantId\":"
        "\"4bbb79f7-5724-4c9e-95f3-de075f6ec090\",\"homeTenantId\":\"4bbb79f7-5724-4c9e-95f3-de075f6ec090\","
        "\"authenticationDetails\":[{\"authenticationStepDateTime\":\"%s\",\"authenticationMethod\":\"Previously "
        "satisfied\",\"succeeded\":true,\"authenticationStepResultDetail\":\"First factor requirement satisfied by "
        "claim in the token\",\"authenticationStepRequirement\":\"Primary authentication\",\"StatusSequence\":0,"
        "\"RequestSequence\":0}],\"authenticationRequirementPolicies\":[],\"authenticationRequirement\":"
        "\"singleFactorAuthentication\",\"servicePrincipalId\":\"\",\"userType\":\"Member\",\"flaggedForReview\":false,"
        "\"isTenantRestricted\":false,\"autonomousSystemNumber\":%u,\"crossTenantAccessType\":\"none\","
        "\"privateLinkDetails\":{},\"ssoExtensionVersion\":\"\",\"uniqueTokenIdentifier\":\"%s\","
        "\"incomingTokenType\":\"none\",\"authenticationProtocol\":\"none\"}}\n",
        t7, ip, corr, p->first, p->last, abroad ? "IN" : "US", id, tz, p->first, p->last, p->email, hex(8), hex(4),
        hex(4), hex(4), hex(12), ip, abroad ? "Nizampet" : "Chicago", abroad ? "Telangana" : "Illinois",
        abroad ? "IN" : "US", abroad ? "17.5164794921875" : "41.8819", abroad ? "78.376632690429688" : "-87.6278",
        corr, id, 50 + pick(6000), tz, abroad ? 55836u : 7922u, hex(44));
}

int main(int argc, char **argv) {
    uint64_t bytes = 100u << 20;
    const char *out = NULL;
    rng_state = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--bytes") && i + 1 < argc) bytes = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--out") && i + 1 < argc) out = argv[++i];
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc) rng_state = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--people") && i + 1 < argc) npeople = (unsigned)strtoul(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: gen_bench --bytes N --out DIR [--seed S] [--people P]\n");
            return 2;
        }
    }
    if (!out || !npeople) {
        fprintf(stderr, "gen_bench: --out DIR is required\n");
        return 2;
    }
    char p[4096];
    snprintf(p, sizeof p, "%s/hr", out);
    mkdir(out, 0777);
    mkdir(p, 0777);
    snprintf(p, sizeof p, "%s/logs", out);
    mkdir(p, 0777);
    people = calloc(npeople, sizeof *people);
    if (!people) return 2;
    snprintf(p, sizeof p, "%s/hr/employees.csv", out);
    FILE *hr = fopen(p, "w");
    if (!hr) {
        perror(p);
        return 2;
    }
    fprintf(hr, "Employee ID,Full Name,Work Email,Okta Login,Username,Hostname,Hire Date,Job Title,Country,Time Zone\n");
    for (unsigned i = 0; i < npeople; i++) {
        person *q = &people[i];
        snprintf(q->first, sizeof q->first, "%s", first[i % 28]);
        snprintf(q->last, sizeof q->last, "%s", last[(i / 28) % 26]);
        snprintf(q->email, sizeof q->email, "%s.%s%u@corp.example", q->first, q->last, i);
        snprintf(q->user, sizeof q->user, "%c%s%u", q->first[0], q->last, i);
        snprintf(q->host, sizeof q->host, "LT-%05u", i);
        q->ip_a = 1 + i % 250;
        q->ip_b = 1 + (i / 250) % 250;
        q->first[0] = (char)(q->first[0] - 32);
        q->last[0] = (char)(q->last[0] - 32);
        fprintf(hr, "E%05u,%s %s,%s,%s,%s,%s,2024-0%u-1%u,Software Engineer,US,America/Chicago\n", i, q->first,
                q->last, q->email, q->email, q->user, q->host, 1 + i % 9, i % 10);
    }
    fclose(hr);
    static const char *const names[] = {"okta.jsonl", "entra.jsonl", "nxlog.jsonl", "winlogbeat.jsonl"};
    FILE *fs[4];
    for (int i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/logs/%s", out, names[i]);
        if (!(fs[i] = fopen(p, "w"))) {
            perror(p);
            return 2;
        }
    }
    uint64_t written = 0, seq = 0;
    wev w;
    while (written < bytes) {
        ev e = {0};
        /* ~60 days; working hours in Chicago (14:00-23:00 UTC) mostly */
        e.sec = (seq / 4096) * 1300 % (60ULL * 86400);
        e.sec = e.sec / 86400 * 86400 + 14 * 3600 + (e.sec % 86400) % (9 * 3600) + pick(60);
        e.ms = pick(1000);
        e.us = pick(10000);
        e.p = &people[pick(npeople)];
        e.rec = 100000 + seq;
        ev_times(&e);
        unsigned r = pick(100);
        int n;
        if (r < 6) n = write_okta(fs[0], &e);
        else if (r < 10) n = write_entra(fs[1], &e);
        else {
            make_win(&w, &e);
            n = (r & 1) ? write_nxlog(fs[2], &e, &w) : write_beat(fs[3], &e, &w);
        }
        if (n < 0) {
            perror("gen_bench");
            return 2;
        }
        written += (uint64_t)n;
        seq++;
    }
    for (int i = 0; i < 4; i++)
        if (fclose(fs[i])) {
            perror("gen_bench");
            return 2;
        }
    free(people);
    return 0;
}
