/*
 * net.c - sign-in network analyzer. PLACEHOLDER for NET-01/NET-05/NET-06.
 */
#include "../core/internal.h"

static um_status on_event(um_scan *s, void *st, um_sid sid, const um_event *ev) {
    (void)st;
    if (ev->kind != UM_EV_SIGNIN || sid < 0) return UM_OK;
    if (ev->net_flags & UM_NET_DPRK) {
        um_finding_spec sp = {"NET-05", "net", UM_STRONG, 60, 0, ev->ip};
        return um_finding_add(s, sid, &sp, ev, NULL, 0, ev->ip, "sign-in from DPRK address space %s", ev->ip);
    }
    return UM_OK;
}

const um_analyzer um_analyzer_net = {"net", "sign-ins from DPRK space, VPN/hosting networks, inconsistent countries",
                                     NULL, on_event, NULL, NULL};
