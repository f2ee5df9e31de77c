/*
 * ncci.c: NCCI procedure-to-procedure edits, MUEs and add-on code edits in
 * the knowledge base (sections KB_SEC_EXT_FIRST + 0..6, ncci_int.h). This
 * file holds the builder writer, the open-time validation and view, and
 * the lookups; loading is in load_ncci.c and the line checks in
 * check_ncci.c.
 *
 * The PTP tables are the bulk (about 4 million rows with their history):
 * codes are numbered through a sorted dictionary, and the records of each
 * (table, column-2 code) are contiguous and sorted by column-1 index, so a
 * line finds "the column-1 codes that bundle me" with one binary search in
 * the dictionary and one in its slice.
 */
#include <stdlib.h>
#include <string.h>

#include "ncci_int.h"

void mn_x__ncci_state_free(void *state)
{
    ncci_b *s = state;

    if (!s)
        return;
    mn_x__map_free(&s->ids);
    mn_x__vec_free(&s->keys);
    mn_x__vec_free(&s->ptp);
    mn_x__vec_free(&s->mue);
    mn_x__vec_free(&s->aoc);
    mn_x__map_free(&s->ptp_text_ids);
    mn_x__map_free(&s->mue_text_ids);
    for (size_t i = 0; i < s->n_ptp_text; i++)
        mn_x__free(s->ptp_text[i]);
    for (size_t i = 0; i < s->n_mue_text; i++)
        mn_x__free(s->mue_text[i]);
    mn_x__free(s);
}

/* ------------------------------------------------------------------ */
/* Writer                                                               */
/* ------------------------------------------------------------------ */

typedef struct keyid {
    uint64_t key;
    uint32_t id;
    uint32_t pad;
} keyid;

#define CMP(a, b)                                                              \
    do {                                                                       \
        if ((a) != (b))                                                        \
            return (a) < (b) ? -1 : 1;                                         \
    } while (0)

static int cmp_keyid(const void *a, const void *b)
{
    const keyid *x = a;
    const keyid *y = b;
    CMP(x->key, y->key);
    return 0;
}

/* Within one column-2 bucket: the pair, its dates and table, then the
 * preferred duplicate first (newer source, stricter indicator). */
static int cmp_row(const void *a, const void *b)
{
    const ncci_row *x = a;
    const ncci_row *y = b;
    CMP(x->col1, y->col1);
    CMP(x->del, y->del);
    CMP(x->eff, y->eff);
    CMP(x->table, y->table);
    CMP(y->src, x->src);
    CMP(x->mod, y->mod);
    CMP(x->text, y->text);
    return 0;
}

static int cmp_mue(const void *a, const void *b)
{
    const ncci_mue_row *x = a;
    const ncci_mue_row *y = b;
    CMP(x->m.code, y->m.code);
    CMP(x->m.service, y->m.service);
    CMP(y->src, x->src);
    CMP(x->m.units, y->m.units);
    CMP(x->m.mai, y->m.mai);
    CMP(x->m.text, y->m.text);
    return 0;
}

static int cmp_aoc(const void *a, const void *b)
{
    const ncci_aoc_row *x = a;
    const ncci_aoc_row *y = b;
    CMP(x->a.addon, y->a.addon);
    CMP(x->a.primary, y->a.primary);
    CMP(x->a.effective, y->a.effective);
    CMP(x->a.deleted, y->a.deleted);
    CMP(y->src, x->src);
    CMP(x->a.type, y->a.type);
    return 0;
}

/* Source order: 0 oldest .. n-1 newest (ties: later file newer). */
static void source_order(const ncci_b *s, uint8_t order[MN_NCCI_MAX_SRC + 1])
{
    for (size_t i = 0; i < s->n_src; i++) {
        size_t below = 0;
        for (size_t j = 0; j < s->n_src; j++) {
            if (s->src_rank[j] < s->src_rank[i] ||
                (s->src_rank[j] == s->src_rank[i] && j < i))
                below++;
        }
        order[i] = (uint8_t)below;
    }
}

/* Emits the edits of one (column 1, deletion, effective) group of a
 * bucket: the preferred row of each table, as one record when the two
 * tables agree. */
static size_t emit_group(const ncci_row *g, size_t n, kb_ptp *out,
                         kb_ncci_meta *meta)
{
    const ncci_row *win[MN_PTP_TABLES] = {NULL, NULL};
    size_t o = 0;

    /* rows are by table, preferred first: the first of each table wins */
    for (size_t i = 0; i < n; i++) {
        if (!win[g[i].table])
            win[g[i].table] = &g[i];
        else
            meta->merged++;
    }
    if (win[0] && win[1] && win[0]->mod == win[1]->mod &&
        win[0]->text == win[1]->text) {
        out[o++].x =
            KB_PTP_X(g->col1, g->del, g->eff, 3u, win[0]->mod, win[0]->text);
    } else {
        for (uint32_t t = 0; t < MN_PTP_TABLES; t++) {
            if (win[t])
                out[o++].x = KB_PTP_X(g->col1, g->del, g->eff, 1u << t,
                                      win[t]->mod, win[t]->text);
        }
    }
    for (uint32_t t = 0; t < MN_PTP_TABLES; t++)
        meta->n_ptp[t] += win[t] != NULL;
    return o;
}

/* Writes the PTP dictionary, index and records. */
static int write_ptp(const ncci_b *s, const uint8_t *order, mn_kb_sink *sink,
                     kb_ncci_meta *meta)
{
    size_t n_codes = MN_VEC_COUNT(&s->keys, uint64_t);
    size_t n_rows = MN_VEC_COUNT(&s->ptp, ncci_row);
    const ncci_row *rows = (const ncci_row *)s->ptp.data;
    keyid *kid = NULL;
    uint64_t *codes = NULL;
    uint32_t *rank = NULL;
    size_t *start = NULL;
    size_t *fill = NULL;
    ncci_row *sorted = NULL;
    kb_ptp *out = NULL;
    uint32_t *idx = NULL;
    size_t o = 0;
    int rc = MN_ENOMEM;

    if (n_codes >= MN_NCCI_MAX_CODES || n_rows >= UINT32_MAX) {
        rc = MN_ELIMIT;
        goto done;
    }
    kid = mn_x__malloc((n_codes ? n_codes : 1) * sizeof(*kid));
    codes = mn_x__malloc((n_codes ? n_codes : 1) * sizeof(*codes));
    rank = mn_x__malloc((n_codes ? n_codes : 1) * sizeof(*rank));
    start = mn_x__calloc(n_codes + 1, sizeof(*start));
    fill = mn_x__malloc((n_codes ? n_codes : 1) * sizeof(*fill));
    sorted = mn_x__malloc((n_rows ? n_rows : 1) * sizeof(*sorted));
    out = mn_x__malloc((n_rows ? n_rows : 1) * sizeof(*out));
    idx = mn_x__malloc((n_codes + 1) * sizeof(*idx));
    if (!kid || !codes || !rank || !start || !fill || !sorted || !out || !idx)
        goto done;

    /* the dictionary, in key order */
    for (size_t i = 0; i < n_codes; i++) {
        kid[i].key = MN_VEC_AT(&s->keys, uint64_t, i);
        kid[i].id = (uint32_t)i;
        kid[i].pad = 0;
    }
    qsort(kid, n_codes, sizeof(*kid), cmp_keyid);
    for (size_t i = 0; i < n_codes; i++) {
        codes[i] = kid[i].key;
        rank[kid[i].id] = (uint32_t)i;
    }

    /* counting sort by column 2, then each bucket by column 1 */
    for (size_t i = 0; i < n_rows; i++)
        start[rank[rows[i].col2] + 1]++;
    for (size_t c = 0; c < n_codes; c++) {
        start[c + 1] += start[c];
        fill[c] = start[c];
    }
    for (size_t i = 0; i < n_rows; i++) {
        ncci_row r = rows[i];
        r.col1 = rank[r.col1];
        r.col2 = rank[r.col2];
        r.src = order[r.src];
        sorted[fill[r.col2]++] = r;
    }
    for (size_t c = 0; c < n_codes; c++) {
        size_t lo = start[c];
        size_t hi = start[c + 1];
        idx[c] = (uint32_t)o;
        if (hi - lo > 1)
            qsort(sorted + lo, hi - lo, sizeof(*sorted), cmp_row);
        while (lo < hi) {
            const ncci_row *g = &sorted[lo];
            size_t j = lo + 1;
            while (j < hi && sorted[j].col1 == g->col1 &&
                   sorted[j].del == g->del && sorted[j].eff == g->eff)
                j++;
            o += emit_group(g, j - lo, out + o, meta);
            lo = j;
        }
    }
    idx[n_codes] = (uint32_t)o;
    meta->n_codes = (uint32_t)n_codes;
    meta->n_records = (uint32_t)o;
    rc = mn_x__kb_sink_add(sink, KB_SEC_NCCI_CODES, sizeof(uint64_t), codes,
                           n_codes * sizeof(uint64_t));
    if (!rc)
        rc = mn_x__kb_sink_add(sink, KB_SEC_NCCI_PTPIDX, sizeof(uint32_t), idx,
                               (n_codes + 1) * sizeof(uint32_t));
    if (!rc)
        rc = mn_x__kb_sink_add(sink, KB_SEC_NCCI_PTP, sizeof(kb_ptp), out,
                               o * sizeof(kb_ptp));
done:
    mn_x__free(kid);
    mn_x__free(codes);
    mn_x__free(rank);
    mn_x__free(start);
    mn_x__free(fill);
    mn_x__free(sorted);
    mn_x__free(out);
    mn_x__free(idx);
    return rc;
}

static int write_mue(const ncci_b *s, const uint8_t *order, mn_kb_sink *sink,
                     kb_ncci_meta *meta)
{
    size_t n = MN_VEC_COUNT(&s->mue, ncci_mue_row);
    ncci_mue_row *rows = NULL;
    kb_mue *out = NULL;
    size_t o = 0;
    int rc = MN_ENOMEM;

    rows = mn_x__malloc((n ? n : 1) * sizeof(*rows));
    out = mn_x__malloc((n ? n : 1) * sizeof(*out));
    if (!rows || !out)
        goto done;
    if (n)
        memcpy(rows, s->mue.data, n * sizeof(*rows));
    for (size_t i = 0; i < n; i++)
        rows[i].src = order[rows[i].src];
    qsort(rows, n, sizeof(*rows), cmp_mue);
    for (size_t i = 0; i < n; i++) {
        kb_mue m = rows[i].m;
        size_t t = m.text;
        if (i > 0 && m.code == rows[i - 1].m.code &&
            m.service == rows[i - 1].m.service) {
            meta->merged++;
            continue;
        }
        /* the MUE texts follow the PTP texts in the text section */
        t = t < s->n_mue_text ? s->n_ptp_text + t : MN_MUE_NO_TEXT;
        m.text = (uint8_t)(t < MN_MUE_NO_TEXT ? t : MN_MUE_NO_TEXT);
        m.pad = 0;
        out[o++] = m;
    }
    rc = mn_x__kb_sink_add(sink, KB_SEC_NCCI_MUE, sizeof(kb_mue), out,
                           o * sizeof(kb_mue));
done:
    mn_x__free(rows);
    mn_x__free(out);
    return rc;
}

static int write_aoc(const ncci_b *s, const uint8_t *order, mn_kb_sink *sink,
                     kb_ncci_meta *meta)
{
    size_t n = MN_VEC_COUNT(&s->aoc, ncci_aoc_row);
    ncci_aoc_row *rows = NULL;
    kb_aoc *out = NULL;
    size_t o = 0;
    int rc = MN_ENOMEM;

    rows = mn_x__malloc((n ? n : 1) * sizeof(*rows));
    out = mn_x__malloc((n ? n : 1) * sizeof(*out));
    if (!rows || !out)
        goto done;
    if (n)
        memcpy(rows, s->aoc.data, n * sizeof(*rows));
    for (size_t i = 0; i < n; i++)
        rows[i].src = order[rows[i].src];
    qsort(rows, n, sizeof(*rows), cmp_aoc);
    for (size_t i = 0; i < n; i++) {
        const kb_aoc *a = &rows[i].a;
        const kb_aoc *p = i ? &rows[i - 1].a : NULL;
        if (p && a->addon == p->addon && a->primary == p->primary &&
            a->effective == p->effective && a->deleted == p->deleted) {
            meta->merged++;
            continue;
        }
        out[o] = *a;
        out[o].pad = 0;
        o++;
    }
    rc = mn_x__kb_sink_add(sink, KB_SEC_NCCI_AOC, sizeof(kb_aoc), out,
                           o * sizeof(kb_aoc));
done:
    mn_x__free(rows);
    mn_x__free(out);
    return rc;
}

static int write_texts(const ncci_b *s, mn_kb_sink *sink, kb_ncci_meta *meta)
{
    kb_str t[MN_PTP_NO_TEXT + MN_MUE_NO_TEXT];
    size_t n = 0;
    int rc = MN_OK;

    for (size_t i = 0; i < s->n_ptp_text && !rc; i++, n++)
        rc = mn_x__kb_sink_str(sink, &t[n].off, &t[n].len, s->ptp_text[i],
                               strlen(s->ptp_text[i]));
    for (size_t i = 0; i < s->n_mue_text && !rc; i++, n++)
        rc = mn_x__kb_sink_str(sink, &t[n].off, &t[n].len, s->mue_text[i],
                               strlen(s->mue_text[i]));
    for (int i = 0; i < MN_PTP_TABLES && !rc; i++)
        rc = mn_x__kb_sink_str(sink, &meta->ptp_label[i].off,
                               &meta->ptp_label[i].len, s->ptp_label[i],
                               strlen(s->ptp_label[i]));
    for (int i = 0; i < MN_MUE_SERVICES && !rc; i++)
        rc = mn_x__kb_sink_str(sink, &meta->mue_label[i].off,
                               &meta->mue_label[i].len, s->mue_label[i],
                               strlen(s->mue_label[i]));
    if (!rc)
        rc = mn_x__kb_sink_str(sink, &meta->aoc_label.off, &meta->aoc_label.len,
                               s->aoc_label, strlen(s->aoc_label));
    meta->n_text = (uint32_t)n;
    if (!rc)
        rc = mn_x__kb_sink_add(sink, KB_SEC_NCCI_TEXT, sizeof(kb_str), t,
                               n * sizeof(kb_str));
    return rc;
}

int mn_x__ncci_write(mn_kbb *b, void *state, mn_kb_sink *sink, mn_error *err)
{
    ncci_b *s = state;
    kb_ncci_meta meta;
    uint8_t order[MN_NCCI_MAX_SRC + 1];
    int rc = MN_OK;

    (void)b;
    if (!s)
        goto done;
    memset(&meta, 0, sizeof(meta));
    memset(order, 0, sizeof(order));
    source_order(s, order);
    if ((rc = write_texts(s, sink, &meta)) ||
        (rc = write_ptp(s, order, sink, &meta)) ||
        (rc = write_mue(s, order, sink, &meta)) ||
        (rc = write_aoc(s, order, sink, &meta)))
        goto done;
    rc = mn_x__kb_sink_add(sink, KB_SEC_NCCI_META, sizeof(meta), &meta,
                           sizeof(meta));
done:
    if (rc)
        mn_x__err(err, rc, "cannot write the ncci tables: %s",
                  rc == MN_ELIMIT ? "too many codes or rows" : mn_strerror(rc));
    return rc;
}

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
