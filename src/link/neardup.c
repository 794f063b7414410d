/*
 * neardup.c - near-duplicate résumés / profile texts (MinHash + LSH over
 * word 3-shingles) and reused photos (64-bit DCT perceptual hash of JPEG
 * via libturbojpeg or PNG via libpng, grouped by Hamming distance with
 * multi-index blocking). Both produce groups the engine treats as values
 * (kind RESUME / PHOTO), so a template résumé used by hundreds of strangers
 * becomes generic like any common value.
 */
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>

#include "../util/util.h"
#include "link.h"
#include "../util/ascii.h"

#define MH_PERM 128
#define MH_BANDS 32
#define MH_ROWS 4
#define MH_MAX_TEXT (256 * 1024)

static uint32_t ufind(int32_t *p, uint32_t x) {
    while ((uint32_t)p[x] != x) x = (uint32_t)(p[x] = p[p[x]]);
    return x;
}

/* Words: letters/digits (UTF-8 bytes kept), lower case. */
static size_t words(const char *t, uint64_t *wh, size_t cap) {
    size_t n = 0, len = strnlen(t, MH_MAX_TEXT);
    size_t i = 0;
    while (i < len && n < cap) {
        while (i < len && !(um_ascii_isalnum((unsigned char)t[i]) || ((unsigned char)t[i] & 0x80))) i++;
        char w[64];
        size_t k = 0;
        while (i < len && (um_ascii_isalnum((unsigned char)t[i]) || ((unsigned char)t[i] & 0x80))) {
            if (k < sizeof w) w[k++] = (char)um_ascii_tolower((unsigned char)t[i]);
            i++;
        }
        if (k) wh[n++] = um_hash64(w, k, 5);
    }
    return n;
}

enum { MAXW = 20000 };
static void minhash(const char *text, uint64_t sig[MH_PERM], bool *empty, uint64_t *wh) {
    for (int p = 0; p < MH_PERM; p++) sig[p] = UINT64_MAX;
    *empty = true;
    if (!text || !*text) return;
    size_t nw = words(text ? text : "", wh, MAXW);
    for (size_t i = 0; i + 2 < nw || (nw && nw < 3 && i == 0); i++) {
        uint64_t sh = nw < 3 ? wh[0] ^ (nw > 1 ? wh[1] * 31 : 0) : wh[i] ^ (wh[i + 1] * 0x9e3779b97f4a7c15ULL) ^
                                                                   (wh[i + 2] * 0xc2b2ae3d27d4eb4fULL);
        *empty = false;
        for (int p = 0; p < MH_PERM; p++) {
            uint64_t h = (sh ^ ((uint64_t)p * 0xff51afd7ed558ccdULL)) * 0xc4ceb9fe1a85ec53ULL;
            h ^= h >> 33;
            if (h < sig[p]) sig[p] = h;
        }
        if (nw < 3) break;
    }
}

/* A band key and its text: 12 bytes on 4-byte alignment (a 64-bit hash and
 * a 32-bit index were 16 with padding; 32 of them a résumé). */
typedef struct bandkey {
    uint32_t hi, lo, doc;
} bandkey;

static inline bool band_lt(const bandkey *a, const bandkey *b) {
    if (a->hi != b->hi) return a->hi < b->hi;
    if (a->lo != b->lo) return a->lo < b->lo;
    return a->doc < b->doc;
}

static inline void band_swap(bandkey *a, bandkey *b) {
    bandkey t = *a;
    *a = *b;
    *b = t;
}

static void band_sift(bandkey *k, size_t i, size_t n) {
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) return;
        if (c + 1 < n && band_lt(&k[c], &k[c + 1])) c++;
        if (!band_lt(&k[i], &k[c])) return;
        band_swap(&k[i], &k[c]);
        i = c;
    }
}

/* In place, ascending by (hash, doc): qsort's merge sort took a second
 * array as large as the keys (~170 MB at a million people, at the scan's
 * peak). (hash, doc) orders the keys totally, so the order is qsort's.
 * Quicksort, median of three, the smaller side recursed; heapsort past a
 * depth bound; insertion sort for short runs. */
static void band_sort(bandkey *k, size_t n, int depth) {
    while (n > 16) {
        if (depth-- == 0) {
            for (size_t i = n / 2; i-- > 0;) band_sift(k, i, n);
            for (size_t i = n; i-- > 1;) {
                band_swap(&k[0], &k[i]);
                band_sift(k, 0, i);
            }
            return;
        }
        size_t m = n / 2;
        if (band_lt(&k[m], &k[0])) band_swap(&k[m], &k[0]);
        if (band_lt(&k[n - 1], &k[0])) band_swap(&k[n - 1], &k[0]);
        if (band_lt(&k[n - 1], &k[m])) band_swap(&k[n - 1], &k[m]);
        bandkey piv = k[m];
        size_t i = 0, j = n - 1;
        for (;;) { /* Hoare: [0, j] <= piv <= [j + 1, n) */
            while (band_lt(&k[i], &piv)) i++;
            while (band_lt(&piv, &k[j])) j--;
            if (i >= j) break;
            band_swap(&k[i], &k[j]);
            i++, j--;
        }
        size_t left = j + 1;
        if (left < n - left) {
            band_sort(k, left, depth);
            k += left, n -= left;
        } else {
            band_sort(k + left, n - left, depth);
            n = left;
        }
    }
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && band_lt(&k[j], &k[j - 1]); j--) band_swap(&k[j], &k[j - 1]);
}

um_status um_lk_minhash_groups(const char *const *texts, size_t n, double threshold, int32_t *group, float *sim) {
    /* signatures only for the texts there are, and of those only the low 16
     * bits of each minimum (a million subjects, a third with a résumé: the
     * 64-bit signatures were 1 KB a résumé and the scan's peak; 32-bit ones
     * 512 B). Two equal 64-bit minima have equal low bits, so the 16-bit
     * count is an upper bound of the true one (unequal minima agree in 16
     * bits by chance 1 in 65,536: a few more pairs recounted, no other
     * change): a pair it puts under the threshold is under it;
     * a pair over it is counted again on its full signatures, recomputed
     * (only near-duplicate candidates: the groups are the same as with the
     * full signatures kept). slot[i] is text i's signature, UINT32_MAX for
     * none */
    size_t m = 0;
    for (size_t i = 0; i < n; i++) m += texts[i] && *texts[i];
    if (m >= UINT32_MAX) return UM_ELIMIT;
    uint16_t *sig = um_malloc((m ? m : 1) * MH_PERM * sizeof *sig);
    bandkey *bk = um_malloc((m ? m : 1) * MH_BANDS * sizeof *bk);
    int32_t *parent = um_malloc((n ? n : 1) * sizeof *parent);
    uint32_t *slot = um_malloc((n ? n : 1) * sizeof *slot);
    uint64_t *wh = um_malloc(MAXW * sizeof *wh);
    if (!sig || !bk || !parent || !slot || !wh) {
        um_free(sig), um_free(bk), um_free(parent), um_free(slot), um_free(wh);
        return UM_ENOMEM;
    }
    uint64_t full[MH_PERM], fx[MH_PERM], fy[MH_PERM];
    size_t nb = 0, ns = 0;
    for (size_t i = 0; i < n; i++) {
        parent[i] = (int32_t)i;
        sim[i] = 0;
        slot[i] = UINT32_MAX;
        if (!texts[i] || !*texts[i]) continue;
        bool empty;
        minhash(texts[i], full, &empty, wh);
        if (empty) continue;
        slot[i] = (uint32_t)ns;
        for (int b = 0; b < MH_BANDS; b++) {
            uint64_t h = um_hash64(full + b * MH_ROWS, MH_ROWS * sizeof *full, (uint64_t)b);
            bk[nb++] = (bandkey){(uint32_t)(h >> 32), (uint32_t)h, (uint32_t)i};
        }
        for (int p = 0; p < MH_PERM; p++) sig[ns * MH_PERM + p] = (uint16_t)full[p];
        ns++;
    }
    band_sort(bk, nb, 2 * 64);
    uint32_t have_x = UINT32_MAX; /* the text whose full signature is in fx */
    for (size_t i = 0; i < nb;) {
        size_t j = i;
        while (j < nb && bk[j].hi == bk[i].hi && bk[j].lo == bk[i].lo) j++;
        /* each member against the first few of its bucket (a boilerplate text
         * shared by thousands fills one bucket: linear, not quadratic); pairs
         * already in one group are not compared again */
        for (size_t a = i; a < j && a < i + 4; a++)
            for (size_t b = a + 1; b < j; b++) {
                uint32_t x = bk[a].doc, y = bk[b].doc;
                if (x == y || (sim[x] > 0 && sim[y] > 0 && ufind(parent, x) == ufind(parent, y))) continue;
                int eq = 0;
                const uint16_t *sx = sig + (size_t)slot[x] * MH_PERM, *sy = sig + (size_t)slot[y] * MH_PERM;
                for (int p = 0; p < MH_PERM; p++) eq += sx[p] == sy[p];
                if ((float)eq / MH_PERM < threshold) continue;
                bool empty;
                if (have_x != x) minhash(texts[x], fx, &empty, wh), have_x = x;
                minhash(texts[y], fy, &empty, wh);
                eq = 0;
                for (int p = 0; p < MH_PERM; p++) eq += fx[p] == fy[p];
                float s = (float)eq / MH_PERM;
                if (s < threshold) continue;
                if (s > sim[x]) sim[x] = s;
                if (s > sim[y]) sim[y] = s;
                uint32_t rx = ufind(parent, x), ry = ufind(parent, y);
                if (rx != ry) parent[rx > ry ? rx : ry] = (int32_t)(rx > ry ? ry : rx);
            }
        i = j;
    }
    for (size_t i = 0; i < n; i++) group[i] = sim[i] > 0 ? (int32_t)ufind(parent, (uint32_t)i) : -1;
    um_free(sig), um_free(bk), um_free(parent), um_free(slot), um_free(wh);
    return UM_OK;
}

/* ---- perceptual hash ------------------------------------------------------------ */

/* pHash: scale to 32x32 (box filter), 2-D DCT-II, top-left 8x8 without the
 * DC term compared with their median. */
um_status um_lk_phash_gray(const uint8_t *gray, int w, int h, uint64_t *out) {
    if (!gray || w < 8 || h < 8) return UM_EINVAL;
    double px[32][32];
    for (int y = 0; y < 32; y++)
        for (int x = 0; x < 32; x++) {
            int x0 = x * w / 32, x1 = (x + 1) * w / 32, y0 = y * h / 32, y1 = (y + 1) * h / 32;
            if (x1 <= x0) x1 = x0 + 1;
            if (y1 <= y0) y1 = y0 + 1;
            double s = 0;
            for (int yy = y0; yy < y1; yy++)
                for (int xx = x0; xx < x1; xx++) s += gray[(size_t)yy * (size_t)w + (size_t)xx];
            px[y][x] = s / ((x1 - x0) * (y1 - y0));
        }
    double cosv[8][32]; /* 256 cosines: cheaper than sharing a table across threads */
    for (int u = 0; u < 8; u++)
        for (int x = 0; x < 32; x++) cosv[u][x] = cos((2 * x + 1) * u * M_PI / 64);
    double tmp[8][32], d[8][8];
    for (int u = 0; u < 8; u++)
        for (int y = 0; y < 32; y++) {
            double s = 0;
            for (int x = 0; x < 32; x++) s += px[y][x] * cosv[u][x];
            tmp[u][y] = s;
        }
    for (int v = 0; v < 8; v++)
        for (int u = 0; u < 8; u++) {
            double s = 0;
            for (int y = 0; y < 32; y++) s += tmp[u][y] * cosv[v][y];
            d[v][u] = s;
        }
    double vals[64], sorted[64];
    for (int i = 0; i < 64; i++) vals[i] = sorted[i] = d[i / 8][i % 8];
    vals[0] = sorted[0] = 0; /* DC */
    for (int i = 1; i < 64; i++) /* insertion sort, 64 values */
        for (int j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
            double t = sorted[j];
            sorted[j] = sorted[j - 1];
            sorted[j - 1] = t;
        }
    double med = (sorted[31] + sorted[32]) / 2;
    uint64_t hsh = 0;
    for (int i = 0; i < 64; i++)
        if (vals[i] > med) hsh |= 1ULL << i;
    *out = hsh;
    return UM_OK;
}

#define UM_IMG_MAX_PIXELS (40u * 1000 * 1000)

static um_status phash_jpeg(const uint8_t *buf, size_t n, uint64_t *out) {
    tjhandle tj = tjInitDecompress();
    if (!tj) return UM_ENOMEM;
    int w, h, sub, cs;
    um_status st = UM_EINVAL;
    if (tjDecompressHeader3(tj, buf, (unsigned long)n, &w, &h, &sub, &cs) == 0 && w > 0 && h > 0 &&
        (uint64_t)w * (uint64_t)h <= UM_IMG_MAX_PIXELS) {
        uint8_t *g = um_malloc((size_t)w * (size_t)h);
        if (!g) st = UM_ENOMEM;
        else if (tjDecompress2(tj, buf, (unsigned long)n, g, w, 0, h, TJPF_GRAY, 0) == 0)
            st = um_lk_phash_gray(g, w, h, out);
        um_free(g);
    }
    tjDestroy(tj);
    return st;
}

static um_status phash_png(const char *path, uint64_t *out) {
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path)) return UM_EINVAL;
    if ((uint64_t)img.width * img.height > UM_IMG_MAX_PIXELS || img.width < 8 || img.height < 8) {
        png_image_free(&img);
        return UM_EINVAL;
    }
    img.format = PNG_FORMAT_GRAY;
    size_t sz = PNG_IMAGE_SIZE(img);
    uint8_t *g = um_malloc(sz);
    if (!g) {
        png_image_free(&img);
        return UM_ENOMEM;
    }
    um_status st = UM_EINVAL;
    if (png_image_finish_read(&img, NULL, g, 0, NULL)) st = um_lk_phash_gray(g, (int)img.width, (int)img.height, out);
    png_image_free(&img);
    um_free(g);
    return st;
}

um_status um_lk_phash_file(const char *path, uint64_t *out) {
    FILE *f = fopen(path, "rb");
    if (!f) return UM_EIO;
    uint8_t head[8] = {0};
    size_t hn = fread(head, 1, sizeof head, f);
    if (hn >= 8 && memcmp(head, "\x89PNG\r\n\x1a\n", 8) == 0) {
        fclose(f);
        return phash_png(path, out);
    }
    if (hn < 3 || head[0] != 0xff || head[1] != 0xd8) {
        fclose(f);
        return UM_EINVAL;
    }
    if (fseek(f, 0, SEEK_END) != 0) {
        fclose(f);
        return UM_EIO;
    }
    long sz = ftell(f);
    if (sz <= 0 || sz > 64L * 1024 * 1024 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return UM_EINVAL;
    }
    uint8_t *buf = um_malloc((size_t)sz);
    if (!buf) {
        fclose(f);
        return UM_ENOMEM;
    }
    size_t got = fread(buf, 1, (size_t)sz, f);
    fclose(f);
    um_status st = got == (size_t)sz ? phash_jpeg(buf, got, out) : UM_EIO;
    um_free(buf);
    return st;
}

/* Multi-index blocking: split the 64 bits into max_dist+1 blocks; two
 * hashes within max_dist agree exactly on at least one block. */
um_status um_lk_phash_groups(const uint64_t *h, size_t n, int max_dist, int32_t *group, float *sim) {
    if (max_dist < 0 || max_dist > 15) return UM_EINVAL;
    int nblk = max_dist + 1;
    bandkey *bk = um_malloc((n ? n : 1) * (size_t)nblk * sizeof *bk);
    int32_t *parent = um_malloc((n ? n : 1) * sizeof *parent);
    if (!bk || !parent) {
        um_free(bk), um_free(parent);
        return UM_ENOMEM;
    }
    size_t nb = 0;
    for (size_t i = 0; i < n; i++) {
        parent[i] = (int32_t)i;
        sim[i] = 0;
        for (int b = 0; b < nblk; b++) {
            int lo = b * 64 / nblk, hi = (b + 1) * 64 / nblk;
            uint64_t mask = (hi - lo == 64 ? UINT64_MAX : ((1ULL << (hi - lo)) - 1)) << lo;
            uint64_t key = ((h[i] & mask) >> lo) * 64 + (uint64_t)b;
            bk[nb++] = (bandkey){(uint32_t)(key >> 32), (uint32_t)key, (uint32_t)i};
        }
    }
    band_sort(bk, nb, 2 * 64);
    for (size_t i = 0; i < nb;) {
        size_t j = i;
        while (j < nb && bk[j].hi == bk[i].hi && bk[j].lo == bk[i].lo) j++;
        for (size_t a = i; a < j && a < i + 16; a++)
            for (size_t b = a + 1; b < j; b++) {
                uint32_t x = bk[a].doc, y = bk[b].doc;
                if (sim[x] > 0 && sim[y] > 0 && ufind(parent, x) == ufind(parent, y)) continue;
                int d = __builtin_popcountll(h[x] ^ h[y]);
                if (x == y || d > max_dist) continue;
                float s = 1.0f - (float)d / 64.0f;
                if (s > sim[x]) sim[x] = s;
                if (s > sim[y]) sim[y] = s;
                uint32_t rx = ufind(parent, x), ry = ufind(parent, y);
                if (rx != ry) parent[rx > ry ? rx : ry] = (int32_t)(rx > ry ? ry : rx);
            }
        i = j;
    }
    for (size_t i = 0; i < n; i++) group[i] = sim[i] > 0 ? (int32_t)ufind(parent, (uint32_t)i) : -1;
    um_free(bk), um_free(parent);
    return UM_OK;
}
