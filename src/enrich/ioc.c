/* ioc.c - indicator lists. PLACEHOLDER: loads nothing yet. */
#include "../core/internal.h"

struct um_ioc {
    size_t n;
};

um_status um_ioc_open(um_ctx *ctx, um_ioc **out, const char *data_dir) {
    (void)ctx, (void)data_dir;
    *out = um_calloc(1, sizeof **out);
    return *out ? UM_OK : UM_ENOMEM;
}
void um_ioc_close(um_ioc *ioc) { um_free(ioc); }
const um_ioc_hit *um_ioc_lookup(const um_ioc *ioc, const char *type, const char *value) {
    (void)ioc, (void)type, (void)value;
    return NULL;
}
size_t um_ioc_count(const um_ioc *ioc) { return ioc->n; }
