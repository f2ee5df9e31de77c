/*
 * build/writer/ncci_write.c: writes the NCCI builder state as KB sections
 * (kb/ncci_fmt.h).
 *
 * The PTP tables are the bulk (about 4 million rows with their history):
 * codes are numbered through a sorted dictionary, and the records of each
 * (table, column-2 code) are contiguous and sorted by column-1 index, so a
 * line finds "the column-1 codes that bundle me" with one binary search in
 * the dictionary and one in its slice.
 */
#include <stdlib.h>
#include <string.h>

#include "build/writer/ncci_build.h"

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
