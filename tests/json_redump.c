/*
 * json_redump.c - reads JSON lines on stdin and writes each as jansson's
 * json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII)
 * writes it, one line each; exit 1 at a line jansson cannot parse. The
 * screening CLI writes its JSON lines without jansson (cli/screen.c):
 * screen_json_bytes.sh checks that they are the bytes jansson would write
 * (a line that differs from its re-dump fails the test).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

int main(void) {
    static char line[1 << 20];
    unsigned long n = 0;
    while (fgets(line, sizeof line, stdin)) {
        n++;
        line[strcspn(line, "\n")] = 0;
        json_error_t e;
        json_t *j = json_loads(line, JSON_DECODE_ANY, &e);
        if (!j) {
            fprintf(stderr, "json_redump: line %lu: %s\n", n, e.text);
            return 1;
        }
        char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII | JSON_ENCODE_ANY);
        json_decref(j);
        if (!s) return 1;
        puts(s);
        free(s);
    }
    return 0;
}
