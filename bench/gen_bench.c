/*
 * gen_bench - writes a large, deterministic mix of Okta System Log and
 * Sysmon (NXLog flat JSON) lines for the throughput benchmark.
 *
 *   gen_bench --bytes N --out DIR [--seed S]
 *
 * DIR/okta.jsonl and DIR/sysmon.jsonl together hold about N bytes. 2,000
 * accounts, each signing in from its own two addresses; 3% of sign-ins come
 * through 40 VPN exit addresses and 1% of process starts are a remote-access
 * tool, so the analyzers have work to do.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;
static uint64_t rnd(void) { /* splitmix64 */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static unsigned pick(unsigned n) { return (unsigned)(rnd() % n); }

static const char *const images[] = {
    "C:\\\\Windows\\\\System32\\\\svchost.exe", "C:\\\\Program Files\\\\Google\\\\Chrome\\\\Application\\\\chrome.exe",
    "C:\\\\Windows\\\\explorer.exe", "C:\\\\Program Files\\\\Microsoft VS Code\\\\Code.exe",
    "C:\\\\Windows\\\\System32\\\\cmd.exe", "C:\\\\Program Files\\\\Git\\\\bin\\\\git.exe",
    "C:\\\\Program Files (x86)\\\\AnyDesk\\\\AnyDesk.exe"};

static void ts(char *out, size_t n, uint64_t sec, unsigned ms, int iso) {
    uint64_t day = sec / 86400, s = sec % 86400;
    /* 2026-09-01 + day (September/October only) */
    unsigned mon = 9, d = (unsigned)day + 1;
    if (d > 30) { mon = 10; d -= 30; }
    if (d > 31) d = 31;
    snprintf(out, n, iso ? "2026-%02u-%02uT%02u:%02u:%02u.%03uZ" : "2026-%02u-%02u %02u:%02u:%02u.%03u", mon, d,
             (unsigned)(s / 3600), (unsigned)(s / 60 % 60), (unsigned)(s % 60), ms);
}

int main(int argc, char **argv) {
    uint64_t bytes = 100u << 20;
    const char *out = NULL;
    rng_state = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--bytes") && i + 1 < argc) bytes = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--out") && i + 1 < argc) out = argv[++i];
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc) rng_state = strtoull(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: gen_bench --bytes N --out DIR [--seed S]\n");
            return 2;
        }
    }
    if (!out) {
        fprintf(stderr, "gen_bench: --out DIR is required\n");
        return 2;
    }
    char p1[4096], p2[4096];
    snprintf(p1, sizeof p1, "%s/okta.jsonl", out);
    snprintf(p2, sizeof p2, "%s/sysmon.jsonl", out);
    FILE *fo = fopen(p1, "w"), *fs = fopen(p2, "w");
    if (!fo || !fs) {
        perror("gen_bench");
        return 2;
    }
    uint64_t written = 0, seq = 0;
    char t[40], t2[40];
    while (written < bytes) {
        uint64_t sec = (seq * 7) % (60ULL * 86400);
        unsigned user = pick(2000), ms = pick(1000);
        int n;
        if (seq % 2 == 0) {
            /* each account signs in from its own two home/office addresses;
             * 3% of sign-ins come through one of 40 VPN exit addresses */
            unsigned home = user * 2 + pick(2);
            unsigned a = 24 + home % 200, b = (home / 200) % 256, c = 7;
            int vpn = pick(100) < 3;
            if (vpn) b = 201, c = 1 + pick(40); /* one provider's /24 */
            ts(t, sizeof t, sec, ms, 1);
            n = fprintf(fo,
                        "{\"uuid\":\"%016" PRIx64 "-%04x\",\"published\":\"%s\",\"eventType\":\"user.session.start\","
                        "\"version\":\"0\",\"severity\":\"INFO\",\"displayMessage\":\"User login to Okta\","
                        "\"actor\":{\"id\":\"00u%06u\",\"type\":\"User\",\"alternateId\":\"user%u@corp.example\","
                        "\"displayName\":\"User %u\"},\"client\":{\"userAgent\":{\"rawUserAgent\":\"Mozilla/5.0 "
                        "(Windows NT 10.0; Win64; x64)\",\"os\":\"Windows 10\",\"browser\":\"CHROME\"},\"zone\":null,"
                        "\"device\":\"Computer\",\"ipAddress\":\"%s%u.%u.%u\",\"geographicalContext\":{\"city\":"
                        "\"Chicago\",\"state\":\"Illinois\",\"country\":\"United States\",\"postalCode\":\"60601\","
                        "\"geolocation\":{\"lat\":41.88,\"lon\":-87.63}}},\"outcome\":{\"result\":\"SUCCESS\"},"
                        "\"securityContext\":{\"asNumber\":%u,\"asOrg\":\"%s\",\"isp\":\"%s\",\"domain\":null,"
                        "\"isProxy\":%s},\"transaction\":{\"type\":\"WEB\",\"id\":\"X%012" PRIx64 "\"}}\n",
                        rnd(), (unsigned)(seq & 0xffff), t, user, user, user, vpn ? "45." : "", vpn ? 86u : a,
                        b, c, vpn ? 14061u : 7922u, vpn ? "DigitalOcean, LLC" : "Comcast Cable",
                        vpn ? "DigitalOcean" : "Comcast", vpn ? "true" : "false", rnd() & (uint64_t)0xffffffffffff);
        } else {
            unsigned img = pick(100) < 1 ? 6 : pick(6);
            ts(t, sizeof t, sec, ms, 0);
            ts(t2, sizeof t2, sec, ms, 1);
            n = fprintf(fs,
                        "{\"EventTime\":\"%s\",\"Hostname\":\"LT-%04u.corp.example\",\"Keywords\":-9223372036854775808,"
                        "\"EventType\":\"INFO\",\"SeverityValue\":2,\"Severity\":\"INFO\",\"EventID\":1,"
                        "\"SourceName\":\"Microsoft-Windows-Sysmon\",\"ProviderGuid\":"
                        "\"{5770385F-C22A-43E0-BF4C-06F5698FFBD9}\",\"Version\":5,\"Task\":1,\"OpcodeValue\":0,"
                        "\"RecordNumber\":%" PRIu64 ",\"ProcessID\":2832,\"ThreadID\":3800,\"Channel\":"
                        "\"Microsoft-Windows-Sysmon/Operational\",\"Domain\":\"NT AUTHORITY\",\"AccountName\":"
                        "\"SYSTEM\",\"UserID\":\"S-1-5-18\",\"AccountType\":\"User\",\"Category\":\"Process Create "
                        "(rule: ProcessCreate)\",\"Opcode\":\"Info\",\"UtcTime\":\"%s\",\"ProcessGuid\":"
                        "\"{8320f2a1-%04x-5de8-0000-0010%08x}\",\"ProcessId\":\"%u\",\"Image\":\"%s\","
                        "\"FileVersion\":\"10.0.17763.1\",\"Description\":\"Application\",\"Product\":\"Product\","
                        "\"Company\":\"Vendor\",\"CommandLine\":\"\\\"%s\\\"\",\"CurrentDirectory\":\"C:\\\\Windows\\\\"
                        "system32\\\\\",\"User\":\"CORP\\\\user%u\",\"LogonId\":\"0x3e7\",\"TerminalSessionId\":\"1\","
                        "\"IntegrityLevel\":\"Medium\",\"Hashes\":\"SHA1=%016" PRIx64 "\",\"ParentImage\":"
                        "\"C:\\\\Windows\\\\explorer.exe\",\"@timestamp\":\"%s\"}\n",
                        t, user, seq, t, pick(65536), pick(1u << 30), pick(9000), images[img], images[img], user,
                        rnd(), t2);
        }
        if (n < 0) {
            perror("gen_bench");
            return 2;
        }
        written += (uint64_t)n;
        seq++;
    }
    if (fclose(fo) || fclose(fs)) {
        perror("gen_bench");
        return 2;
    }
    return 0;
}
