/*
 * gen_sigma_rules - writes N Sigma process_creation rules in the shapes of
 * SigmaHQ's own rules, for the `unmask rules match` benchmark.
 *
 *   gen_sigma_rules N OUT.yml
 *
 * Shapes (share of rules) follow what SigmaHQ's rules/windows/process_creation
 * folder at commit 8eaafff uses most: an image selection (Image|endswith and
 * OriginalFileName lists) AND a command-line selection (CommandLine|contains
 * lists), `all of selection_*` (40%); parent/child images with a filter and
 * `selection and not 1 of filter_*` (20%); CommandLine|contains|all (15%);
 * windash command-line flags (10%); PE metadata / hashes (10%); a regex (5%).
 * Values are LOLBin names and argument fragments of the kind those rules name,
 * combined at random with a fixed seed (the rules are synthetic; only their
 * shapes come from SigmaHQ). Rule 1 is the selection the benchmark also runs
 * with jq: powershell.exe with an encoded command.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const images[] = {
    "powershell.exe", "pwsh.exe", "cmd.exe", "rundll32.exe", "regsvr32.exe", "mshta.exe", "wscript.exe",
    "cscript.exe", "certutil.exe", "bitsadmin.exe", "msiexec.exe", "wmic.exe", "schtasks.exe", "reg.exe",
    "net.exe", "net1.exe", "nltest.exe", "whoami.exe", "systeminfo.exe", "dxdiag.exe", "curl.exe",
    "sc.exe", "vssadmin.exe", "wevtutil.exe", "bcdedit.exe", "forfiles.exe", "msbuild.exe", "installutil.exe",
    "regasm.exe", "regsvcs.exe", "cmstp.exe", "odbcconf.exe", "hh.exe", "csc.exe", "esentutl.exe",
    "expand.exe", "extrac32.exe", "findstr.exe", "ftp.exe", "ieexec.exe", "makecab.exe", "mavinject.exe",
    "msdt.exe", "pcalua.exe", "presentationhost.exe", "replace.exe", "rpcping.exe", "sqldumper.exe",
    "tttracer.exe", "xwizard.exe", "AnyDesk.exe", "TeamViewer.exe", "rutserv.exe", "ScreenConnect.ClientService.exe",
    "remoting_host.exe", "rustdesk.exe", "tailscale.exe", "ngrok.exe", "plink.exe", "psexec.exe",
    "procdump.exe", "7z.exe", "rar.exe", "winrar.exe", "adfind.exe", "nslookup.exe", "ipconfig.exe",
    "quser.exe", "qwinsta.exe", "tasklist.exe", "taskkill.exe", "attrib.exe", "icacls.exe", "takeown.exe",
    "fsutil.exe", "diskshadow.exe", "ntdsutil.exe", "dsquery.exe", "chcp.com", "tar.exe", "hostname.exe",
};
static const char *const args[] = {
    " -enc", " -EncodedCommand", " -nop", " -w hidden", "IEX", "Invoke-Expression", "DownloadString",
    "FromBase64String", "Net.WebClient", " /c ", "javascript:", "vbscript:", "http://", "https://",
    "\\AppData\\Local\\Temp\\", "\\Users\\Public\\", "-urlcache", " -split", " -decode", "/transfer",
    " /i ", "/quiet", "shadowcopy", "delete", "process call create", "/create", "/sc minute", "/ru system",
    "add HKLM", "\\CurrentVersion\\Run", " user ", " /add", "localgroup administrators", "/domain_trusts",
    "/dclist", "Get-WmiObject", "Win32_ComputerSystem", "Set-MpPreference", "-DisableRealtimeMonitoring",
    "Add-MpPreference", "-ExclusionPath", "comsvcs", "MiniDump", "lsass", "-ma ", "a -hp", "--connect",
    "--password", "--unattended", "--silent", "/S ", "start-process", "-verb runas", "bypass",
    "unrestricted", "clear-log", " cl ", "resize", "/set", "recoveryenabled", "bootstatuspolicy", "/p c:",
    "trust", "ipinfo.io", "ip-api.com", "ifconfig.me", "api.ipify.org", "nslookup -q=txt", "Hangul",
    "Korean", "ko-KR", "Language", "CodePage", "/x ", "-o ", "--headless", "zoommtg://", "CRD",
    "remotedesktop.google.com", "--redirect-url", "--code=", "--auth-key", "up --unattended",
};
static const char *const parents[] = {"winword.exe", "excel.exe", "outlook.exe", "w3wp.exe", "sqlservr.exe",
                                      "services.exe", "wmiprvse.exe", "mshta.exe", "explorer.exe", "svchost.exe"};
static const char *const products[] = {"AnyDesk", "TeamViewer", "ScreenConnect", "Remote Utilities", "NetSupport",
                                       "Splashtop", "RustDesk", "Atera", "NinjaOne", "Sysinternals PsExec"};

#define N(a) (sizeof(a) / sizeof((a)[0]))
static unsigned long long rng = 0x9e3779b97f4a7c15ULL;
static unsigned rnd(unsigned n) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static void qval(FILE *o, const char *prefix, const char *v) {
    fputs("            - '", o);
    fputs(prefix, o);
    for (const char *p = v; *p; p++) {
        if (*p == '\'') fputc('\'', o);
        fputc(*p, o);
    }
    fputs("'\n", o);
}

static void list(FILE *o, const char *key, const char *prefix, const char *const *pool, size_t np, unsigned k) {
    fprintf(o, "        %s:\n", key);
    for (unsigned i = 0; i < k; i++) qval(o, prefix, pool[rnd((unsigned)np)]);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: gen_sigma_rules N OUT.yml\n");
        return 2;
    }
    long n = strtol(argv[1], NULL, 10);
    FILE *o = fopen(argv[2], "w");
    if (!o || n <= 0) {
        perror(argv[2]);
        return 2;
    }
    for (long i = 1; i <= n; i++) {
        fprintf(o, "%stitle: Synthetic process creation rule %ld\n", i > 1 ? "---\n" : "", i);
        fprintf(o, "id: 00000000-5167-4a00-8000-%012ld\n", i);
        fputs("status: test\ndescription: generated in the shape of SigmaHQ process_creation rules (bench/gen_sigma_rules.c)\n"
              "references:\n    - https://github.com/SigmaHQ/sigma/tree/8eaafff1f2845a696050e05e72ba1140ee190698/rules/windows/process_creation\n"
              "author: unmask benchmark generator\ndate: 2026-12-02\ntags:\n    - attack.execution\n"
              "logsource:\n    category: process_creation\n    product: windows\ndetection:\n",
              o);
        unsigned shape = i == 1 ? 100 : rnd(100);
        if (i == 1) {
            fputs("    selection_img:\n        Image|endswith: '\\powershell.exe'\n"
                  "    selection_cli:\n        CommandLine|contains: '-enc'\n    condition: all of selection_*\n",
                  o);
        } else if (shape < 40) {
            fputs("    selection_img:\n", o);
            list(o, "- Image|endswith", "\\", images, N(images), 1 + rnd(3));
            fprintf(o, "        - OriginalFileName: '%s'\n", images[rnd(N(images))]);
            fputs("    selection_cli:\n", o);
            list(o, "CommandLine|contains", "", args, N(args), 2 + rnd(4));
            fputs("    condition: all of selection_*\n", o);
        } else if (shape < 60) {
            fputs("    selection:\n", o);
            list(o, "ParentImage|endswith", "\\", parents, N(parents), 1 + rnd(3));
            list(o, "Image|endswith", "\\", images, N(images), 1 + rnd(4));
            fputs("    filter_main_generic:\n", o);
            list(o, "CommandLine|contains", "", args, N(args), 1 + rnd(2));
            fputs("    filter_optional_path:\n        Image|startswith: 'C:\\Program Files\\'\n", o);
            fputs("    condition: selection and not 1 of filter_*\n", o);
        } else if (shape < 75) {
            fputs("    selection:\n", o);
            list(o, "CommandLine|contains|all", "", args, N(args), 2 + rnd(2));
            fputs("    condition: selection\n", o);
        } else if (shape < 85) {
            fputs("    selection_img:\n", o);
            list(o, "Image|endswith", "\\", images, N(images), 1 + rnd(2));
            fputs("    selection_cli:\n", o);
            list(o, "CommandLine|windash|contains", " ", (const char *const[]){"-s", "-f", "-p", "-ma", "-accepteula", "-i", "-d"}, 7, 1 + rnd(3));
            fputs("    condition: all of selection_*\n", o);
        } else if (shape < 95) {
            fputs("    selection:\n", o);
            fprintf(o, "        - Product: '%s'\n        - Description: '%s'\n", products[rnd(N(products))],
                    products[rnd(N(products))]);
            fprintf(o, "        - Hashes|contains: 'IMPHASH=%08X%08X'\n", rnd(0xffffffu), rnd(0xffffffu));
            fputs("    condition: selection\n", o);
        } else {
            fprintf(o, "    selection:\n        CommandLine|re: '(?i)%s.{0,40}(http|ftp)s?://'\n    condition: selection\n",
                    images[rnd(N(images))] + 0);
        }
        fputs("falsepositives:\n    - Unknown\nlevel: medium\n", o);
    }
    return fclose(o) ? 2 : 0;
}
