/*
 * kb/ncci_view.c: validates the NCCI sections of a knowledge base at open
 * into a view, and the lookups the checks use (kb/ncci_fmt.h).
 */
#include <stdlib.h>
#include <string.h>

#include "kb/ncci_fmt.h"

#define CMP(a, b)                                                              \
    do {                                                                       \
        if ((a) != (b))                                                        \
            return (a) < (b) ? -1 : 1;                                         \
    } while (0)

/* ------------------------------------------------------------------ */
/* Open                                                                 */
/* ------------------------------------------------------------------ */

static int bad(mn_error *err, const char *what)
{
    return mn_x__err(err, MN_EBADKB, "corrupt knowledge base: ncci %s", what);
}

/* A section of the expected record size, or NULL (*n its count). */
static const void *section(const mn_kb *kb, uint32_t id, size_t size, size_t *n,
                           bool *ok)
{
    size_t len = 0;
    uint32_t elem = 0;
    const void *p = mn_x__kb_ext_section(kb, id, &len, &elem);

    *n = 0;
    if (!p || elem != size || len % size != 0) {
        *ok = false;
        return NULL;
    }
    *n = len / size;
    return p;
}

/* Checks the index and the records of every column-2 slice: strictly
 * ascending (column 1, deletion, effective, tables), the same (column 1,
 * deletion, effective) twice only as a practitioner then a hospital
 * record, column-1 indexes in range, tables, indicator and text valid;
 * and counts the edits per table. Open time is measured: the low ten bits
 * (tables, indicator, text) are checked by one table lookup, and the
 * column-1 range on the last (largest) record of each slice. */
static bool ptp_ok(const mn_ncci_view *v)
{
    size_t nc = v->n_codes;
    uint32_t n_text = v->meta->n_text;
    uint64_t per[MN_PTP_TABLES] = {0, 0};
    unsigned char low_ok[1024];
    unsigned bad = 0;

    for (uint32_t i = 0; i < 1024; i++) {
        uint32_t tx = i & 63u;
        low_ok[i] = (unsigned char)(((i >> 8) & 3u) != 0 &&
                                    ((i >> 6) & 3u) <= MN_PTP_MOD_NA &&
                                    (tx < n_text || tx == MN_PTP_NO_TEXT));
    }
    /* the index first: ascending, so every slice is within the records
       (the ends were checked against the header) */
    for (size_t c = 0; c < nc; c++) {
        if (v->idx[c] > v->idx[c + 1])
            return false;
    }
    for (size_t c = 0; c < nc; c++) {
        const kb_ptp *p = v->ptp + v->idx[c];
        const kb_ptp *e = v->ptp + v->idx[c + 1];
        uint64_t prev = 0; /* records are never 0: deletion dates are not */
        if (p == e)
            continue;
        for (; p < e; p++) {
            uint64_t x = p->x;
            unsigned same = (unsigned)(((x ^ prev) >> 10) == 0);
            bad |= (unsigned)(x <= prev) | (unsigned)(low_ok[x & 1023u] ^ 1u) |
                   (same &
                    (unsigned)((((x >> 8) & 3u) | ((prev >> 6) & 0xcu)) != 6u));
            per[0] += (x >> 8) & 1u;
            per[1] += (x >> 9) & 1u;
            prev = x;
        }
        bad |= (unsigned)((prev >> 42) >= nc);
    }
    return !bad && per[0] == v->meta->n_ptp[0] && per[1] == v->meta->n_ptp[1];
}

static bool mue_ok(const mn_ncci_view *v)
{
    for (size_t i = 0; i < v->n_mue; i++) {
        const kb_mue *m = &v->mue[i];
        if (!m->code || m->service >= MN_MUE_SERVICES || m->mai < 1 ||
            m->mai > 3 || (m->text >= v->n_text && m->text != MN_MUE_NO_TEXT))
            return false;
        if (i && (m->code < m[-1].code ||
                  (m->code == m[-1].code && m->service <= m[-1].service)))
            return false;
    }
    return true;
}

static int cmp_aoc_key(const kb_aoc *x, const kb_aoc *y)
{
    CMP(x->addon, y->addon);
    CMP(x->primary, y->primary);
    CMP(x->effective, y->effective);
    CMP(x->deleted, y->deleted);
    return 0;
}

static bool aoc_ok(const mn_ncci_view *v)
{
    for (size_t i = 0; i < v->n_aoc; i++) {
        const kb_aoc *a = &v->aoc[i];
        if (!a->addon || a->type < 1 || a->type > 3 ||
            (i && cmp_aoc_key(&a[-1], a) >= 0))
            return false;
    }
    return true;
}

int mn_x__ncci_open(mn_kb *kb, mn_error *err)
{
    mn_ncci_view *v = NULL;
    size_t n = 0;
    size_t n_idx = 0;
    bool ok = true;
    const uint32_t *idx;
    int rc = MN_OK;

    kb->ext_view[0] = NULL;
    if (!mn_x__kb_ext_section(kb, KB_SEC_NCCI_META, NULL, NULL)) {
        for (uint32_t id = KB_SEC_NCCI_CODES; id <= KB_SEC_NCCI_TEXT; id++) {
            if (mn_x__kb_ext_section(kb, id, NULL, NULL))
                rc = bad(err, "sections without their header");
        }
        goto done;
    }
    v = mn_x__calloc(1, sizeof(*v));
    if (!v) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    v->meta = section(kb, KB_SEC_NCCI_META, sizeof(kb_ncci_meta), &n, &ok);
    if (!ok || n != 1) {
        rc = bad(err, "header");
        goto done;
    }
    v->codes =
        section(kb, KB_SEC_NCCI_CODES, sizeof(uint64_t), &v->n_codes, &ok);
    idx = section(kb, KB_SEC_NCCI_PTPIDX, sizeof(uint32_t), &n_idx, &ok);
    v->ptp = section(kb, KB_SEC_NCCI_PTP, sizeof(kb_ptp), &v->n_ptp, &ok);
    v->mue = section(kb, KB_SEC_NCCI_MUE, sizeof(kb_mue), &v->n_mue, &ok);
    v->aoc = section(kb, KB_SEC_NCCI_AOC, sizeof(kb_aoc), &v->n_aoc, &ok);
    v->text = section(kb, KB_SEC_NCCI_TEXT, sizeof(kb_str), &v->n_text, &ok);
    if (!ok) {
        rc = bad(err, "section missing or of another record size");
        goto done;
    }
    if (v->n_codes != v->meta->n_codes || v->n_codes >= MN_NCCI_MAX_CODES ||
        n_idx != v->n_codes + 1 || v->n_text != v->meta->n_text ||
        v->n_ptp != v->meta->n_records) {
        rc = bad(err, "section sizes disagree with the header");
        goto done;
    }
    v->idx = idx;
    if (idx[0] != 0 || idx[v->n_codes] != v->n_ptp) {
        rc = bad(err, "ptp index bounds");
        goto done;
    }
    for (size_t i = 0; i < v->n_codes; i++) {
        if (v->codes[i] == 0 || (i && v->codes[i] <= v->codes[i - 1])) {
            rc = bad(err, "code dictionary order");
            goto done;
        }
    }
    for (size_t i = 0; i < v->n_text; i++) {
        if (!mn_x__kb_str_ok(kb, v->text[i])) {
            rc = bad(err, "text reference");
            goto done;
        }
    }
    for (int i = 0; i < MN_PTP_TABLES; i++)
        ok = ok && mn_x__kb_str_ok(kb, v->meta->ptp_label[i]);
    for (int i = 0; i < MN_MUE_SERVICES; i++)
        ok = ok && mn_x__kb_str_ok(kb, v->meta->mue_label[i]);
    ok = ok && mn_x__kb_str_ok(kb, v->meta->aoc_label);
    if (!ok) {
        rc = bad(err, "label reference");
        goto done;
    }
    if (!ptp_ok(v)) {
        rc = bad(err, "ptp records (index, indicator or order)");
        goto done;
    }
    if (!mue_ok(v)) {
        rc = bad(err, "mue records (service, indicator or order)");
        goto done;
    }
    if (!aoc_ok(v)) {
        rc = bad(err, "aoc records (edit type or order)");
        goto done;
    }
    kb->ext_view[0] = v;
    v = NULL;
done:
    mn_x__free(v);
    return rc;
}

void mn_x__ncci_close(mn_kb *kb)
{
    if (kb) {
        mn_x__free(kb->ext_view[0]);
        kb->ext_view[0] = NULL;
    }
}

/* ------------------------------------------------------------------ */
/* Lookups                                                              */
/* ------------------------------------------------------------------ */

long mn_x__ncci_code(const mn_ncci_view *v, mn_key code)
{
    size_t lo = 0;
    size_t n = v ? v->n_codes : 0;

    while (n > 1) {
        size_t half = n / 2;
        lo = v->codes[lo + half - 1] < code ? lo + half : lo;
        n -= half;
    }
    if (n == 1 && v->codes[lo] < code)
        lo++;
    return v && lo < v->n_codes && v->codes[lo] == code ? (long)lo : -1;
}

const kb_ptp *mn_x__ncci_pair(const mn_ncci_view *v, int table, long col2,
                              long col1, uint16_t d16)
{
    const kb_ptp *hit = NULL;
    uint32_t bit;
    size_t lo;
    size_t hi;

    if (!v || table < 0 || table >= MN_PTP_TABLES || col2 < 0 || col1 < 0 ||
        (size_t)col2 >= v->n_codes)
        goto done;
    bit = 1u << table;
    lo = v->idx[col2];
    hi = v->idx[col2 + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->ptp[mid].x < ((uint64_t)col1 << 42))
            lo = mid + 1;
        else
            hi = mid;
    }
    hi = v->idx[col2 + 1];
    /* records of the pair by deletion date: the first of the table still
       in force on the date and effective by then applies (indicator 9
       records, which the loader does not store, are no edits) */
    for (; lo < hi && KB_PTP_COL1(&v->ptp[lo]) == (uint32_t)col1; lo++) {
        const kb_ptp *p = &v->ptp[lo];
        uint16_t eff = KB_PTP_EFF(p);
        if ((KB_PTP_TABLES(p) & bit) && KB_PTP_DEL(p) >= d16 &&
            (eff == MN_D16_NONE_EFF || eff <= d16) &&
            KB_PTP_MOD(p) != MN_PTP_MOD_NA) {
            hit = p;
            break;
        }
    }
done:
    return hit;
}

const kb_mue *mn_x__ncci_mue(const mn_ncci_view *v, mn_key code, int service)
{
    size_t lo = 0;
    size_t hi = v ? v->n_mue : 0;
    const kb_mue *hit = NULL;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->mue[mid].code < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; v && lo < v->n_mue && v->mue[lo].code == code && !hit; lo++) {
        if (v->mue[lo].service == service)
            hit = &v->mue[lo];
    }
    return hit;
}

const kb_aoc *mn_x__ncci_aoc(const mn_ncci_view *v, mn_key addon, size_t *n)
{
    size_t lo = 0;
    size_t hi = v ? v->n_aoc : 0;
    size_t end;

    *n = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->aoc[mid].addon < addon)
            lo = mid + 1;
        else
            hi = mid;
    }
    end = lo;
    while (v && end < v->n_aoc && v->aoc[end].addon == addon)
        end++;
    *n = end - lo;
    return *n ? &v->aoc[lo] : NULL;
}

const char *mn_x__ncci_text(const mn_kb *kb, const mn_ncci_view *v, uint32_t i)
{
    return v && i < v->n_text ? kb_s(kb, v->text[i]) : "";
}
