/*
 * build/load/mcd_place.c: where each LCD and article of the MCD export
 * applies (build/load/mcd_int.h; the places are kb/mcd_fmt.h).
 *
 * One order for placing a policy version:
 *
 * 1. The export's jurisdiction tables. Its contractors (article_x_
 *    contractor, lcd_x_contractor, joined to contractor on the full key:
 *    contractor_id, contractor_type_id, contractor_version) serve states
 *    or parts of states (contractor_jurisdiction + state_lookup) from
 *    active_date to term_date; the KB keeps those dates and the check
 *    judges them against the date of service. A DME MAC serves its DME
 *    region (contractor.dmerc_rgn) instead: the states state_x_region
 *    puts in that region.
 * 2. An article with no contractor of its own takes the places of the
 *    LCDs it is related to (article_related_documents and
 *    lcd_related_documents): the LCD's places, never its dates, so a
 *    retired LCD retires nothing it does not own.
 * 3. The MCD documents index (documents_latest_*.csv): the document's
 *    contractor company and type, and the company's A/B MAC jurisdictions
 *    (claim/jurisdiction.c). One jurisdiction places the document there;
 *    several place it in each only perhaps (a claim there gets a review,
 *    not a denial). Where the document also has contractor numbers, the
 *    number picks among the company's jurisdictions.
 * 4. The contractor number alone (the locality-file convention of
 *    claim/jurisdiction.c): a fallback for partial data, counted apart in
 *    the report.
 *
 * A policy none of these places keeps no places: the KB marks it "places
 * unknown", and the check treats it as perhaps applying anywhere.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/load/mcd_int.h"
#include "claim/jurisdiction.h"
#include "kb/mcd_fmt.h"

#define fld mn_x__mcd_fld
#define skip mn_x__mcd_skip
#define num_field mn_x__mcd_num
#define date_field mn_x__mcd_date
#define each_row mn_x__mcd_each_row
#define note_add mn_x__mcd_note
#define COLS(a) a, sizeof(a) / sizeof(a[0])

typedef mn_colspec colspec;

/* ---- sorted pairs ------------------------------------------------------ */

static int cmp_pair(const void *x, const void *y)
{
    const mcd_pair *a = x;
    const mcd_pair *b = y;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return (a->value > b->value) - (a->value < b->value);
}

/* Sorts a pair table and drops exact duplicates (rows an earlier copy of
 * the table gave: merged, and not counted as loaded again). */
static void sort_pairs(mcd *m, mn_vec *v)
{
    mcd_pair *p = (mcd_pair *)v->data;
    size_t n = MN_VEC_COUNT(v, mcd_pair);
    size_t w = 0;

    if (n > 1)
        qsort(p, n, sizeof(*p), cmp_pair);
    for (size_t i = 0; i < n; i++) {
        if (w && cmp_pair(&p[w - 1], &p[i]) == 0)
            continue;
        p[w++] = p[i];
    }
    v->len = w * sizeof(*p);
    m->merged += n - w;
    m->rep->rows -= n - w < m->rep->rows ? n - w : m->rep->rows;
}

/* The first pair with `key`, or NULL. */
static const mcd_pair *pair_of(const mn_vec *v, unsigned long key)
{
    const mcd_pair *p = (const mcd_pair *)v->data;
    size_t lo = 0;
    size_t hi = MN_VEC_COUNT(v, mcd_pair);

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < MN_VEC_COUNT(v, mcd_pair) && p[lo].key == key ? &p[lo] : NULL;
}

/* ---- contractor_type_lookup.csv ---------------------------------------- */

static const colspec ctype_cols[] = {
    {"contractor_type_id", NULL, true},
    {"description", NULL, true},
};

/* The class (KB_CT_*) of a contractor type's description. */
static unsigned type_class(const char *s, size_t len)
{
    if (mn_x__contains_ci(s, len, "dme"))
        return KB_CT_DME;
    if (mn_x__contains_ci(s, len, "part a") ||
        mn_x__contains_ci(s, len, "part b") ||
        mn_x__contains_ci(s, len, "a and b") ||
        mn_x__contains_ci(s, len, "a/b"))
        return KB_CT_AB;
    if (mn_x__contains_ci(s, len, "hhh") ||
        mn_x__contains_ci(s, len, "home health"))
        return KB_CT_HHH;
    return KB_CT_OTHER;
}

static int ctype_row(mcd *m)
{
    mcd_pair p;
    size_t len;
    const char *s = fld(m, 0, &len);

    if (!len || !num_field(s, len, 0, &p.key)) {
        skip(m, "bad contractor type");
        return MN_OK;
    }
    s = fld(m, 1, &len);
    p.value = type_class(s, len);
    m->rep->rows++;
    return mn_x__vec_push(&m->ctypes, &p, sizeof(p));
}

int mn_x__mcd_contractor_types(mcd *m, mn_error *err)
{
    int rc = each_row(m, COLS(ctype_cols), ctype_row, err);

    m->have_ctypes = true;
    sort_pairs(m, &m->ctypes);
    return rc;
}

/* The class of a contractor. Without the lookup, a contractor with a DME
 * region is taken for a DME MAC and any other for an A/B MAC. */
static unsigned contractor_class(const mcd *m, const mcd_contractor *c)
{
    const mcd_pair *p = pair_of(&m->ctypes, c->type);

    if (p)
        return (unsigned)p->value;
    if (m->have_ctypes)
        return KB_CT_OTHER;
    return c->region ? KB_CT_DME : KB_CT_AB;
}

/* ---- state_lookup.csv, state_x_region.csv ------------------------------ */

static const colspec state_cols[] = {
    {"state_id", NULL, true},
    {"state_abbrev", NULL, true},
    {"description", NULL, false},
};

/* The stored value of a state_lookup row: state << 8 | part code. */
static unsigned long state_value(int state, int part)
{
    unsigned code = part == -1  ? KB_PART_WHOLE
                    : part >= 0 ? (unsigned)part + 1
                                : KB_PART_OTHER;
    return (unsigned long)state << 8 | code;
}

static void state_of(unsigned long v, int *state, int *part)
{
    unsigned code = (unsigned)(v & 0xff);
    *state = (int)(v >> 8);
    *part = code == KB_PART_WHOLE   ? -1
            : code == KB_PART_OTHER ? -2
                                    : (int)code - 1;
}

static int state_row(mcd *m)
{
    mcd_pair p;
    size_t alen;
    size_t dlen;
    const char *ab;
    const char *desc;
    const char *s;
    size_t len;
    int st;
    int part;

    s = fld(m, 0, &len);
    if (!len || !num_field(s, len, 0, &p.key)) {
        skip(m, "bad state id");
        return MN_OK;
    }
    ab = fld(m, 1, &alen);
    desc = fld(m, 2, &dlen);
    if (!mn_x__state_lookup(ab, alen, desc, dlen, &st, &part)) {
        skip(m, "not a state or territory this build knows");
        return MN_OK;
    }
    if (part == -2)
        mn_x__report_field(m->rep,
                           "part of a state this build does not name "
                           "(kept as some part of the state)",
                           mn_csv_record(m->csv));
    p.value = state_value(st, part);
    m->rep->rows++;
    return mn_x__vec_push(&m->states, &p, sizeof(p));
}

int mn_x__mcd_state_lookup(mcd *m, mn_error *err)
{
    int rc = each_row(m, COLS(state_cols), state_row, err);

    m->have_states = true;
    sort_pairs(m, &m->states);
    return rc;
}

static const colspec region_cols[] = {
    {"state_id", NULL, true},
    {"region_id", NULL, true},
};

static int region_row(mcd *m)
{
    mcd_pair p;
    size_t len;
    const char *s = fld(m, 0, &len);

    if (!len || !num_field(s, len, 0, &p.key)) {
        skip(m, "bad state id");
        return MN_OK;
    }
    s = fld(m, 1, &len);
    if (!len || !num_field(s, len, 0, &p.value)) {
        skip(m, "bad region id");
        return MN_OK;
    }
    m->rep->rows++;
    return mn_x__vec_push(&m->regions, &p, sizeof(p));
}

int mn_x__mcd_state_regions(mcd *m, mn_error *err)
{
    int rc = each_row(m, COLS(region_cols), region_row, err);

    m->have_regions = true;
    sort_pairs(m, &m->regions);
    note_add(m->rep, "the states of each DME region");
    return rc;
}

/* ---- contractor_jurisdiction.csv --------------------------------------- */

static const colspec cjur_cols[] = {
    {"contractor_id", NULL, true},
    {"contractor_type_id", "contract_type_id", false},
    {"contractor_version", NULL, false},
    {"state_id", NULL, true},
    {"active_date", NULL, false},
    {"term_date", NULL, false},
};

static int cmp_cjur(const void *x, const void *y)
{
    const mcd_cjur *a = x;
    const mcd_cjur *b = y;
#define CMP(p, q)                                                              \
    if ((p) != (q))                                                            \
    return (p) < (q) ? -1 : 1
    CMP(a->id, b->id);
    CMP(a->type, b->type);
    CMP(a->version, b->version);
    CMP(a->state_id, b->state_id);
    CMP(a->active, b->active);
    CMP(a->term, b->term);
    return 0;
}

static int cjur_row(mcd *m)
{
    mcd_cjur j;
    size_t len;
    const char *s;

    memset(&j, 0, sizeof(j));
    s = fld(m, 0, &len);
    if (!len || !num_field(s, len, 0, &j.id)) {
        skip(m, "bad contractor id");
        return MN_OK;
    }
    s = fld(m, 1, &len);
    if (!num_field(s, len, 0, &j.type)) {
        skip(m, "bad contractor type");
        return MN_OK;
    }
    s = fld(m, 2, &len);
    if (!num_field(s, len, 0, &j.version)) {
        skip(m, "bad contractor version");
        return MN_OK;
    }
    s = fld(m, 3, &len);
    if (!len || !num_field(s, len, 0, &j.state_id)) {
        skip(m, "bad state id");
        return MN_OK;
    }
    s = fld(m, 4, &len);
    if (!date_field(s, len, &j.active)) {
        skip(m, "bad date");
        return MN_OK;
    }
    s = fld(m, 5, &len);
    if (!date_field(s, len, &j.term)) {
        skip(m, "bad date");
        return MN_OK;
    }
    if (j.active != MN_NODATE && j.term != MN_NODATE && j.term < j.active) {
        skip(m, "term_date before active_date");
        return MN_OK;
    }
    if (!mn_x__mcd_contractor(m, j.id, j.type, j.version)) {
        skip(m, "unknown contractor");
        return MN_OK;
    }
    if (m->have_states && !pair_of(&m->states, j.state_id)) {
        skip(m, "state id not in state_lookup");
        return MN_OK;
    }
    m->rep->rows++;
    return mn_x__vec_push(&m->cjur, &j, sizeof(j));
}

int mn_x__mcd_jurisdictions(mcd *m, mn_error *err)
{
    mcd_cjur *j;
    size_t n;
    size_t w = 0;
    int rc = each_row(m, COLS(cjur_cols), cjur_row, err);

    m->have_cjur = true;
    j = (mcd_cjur *)m->cjur.data;
    n = MN_VEC_COUNT(&m->cjur, mcd_cjur);
    if (n > 1)
        qsort(j, n, sizeof(*j), cmp_cjur);
    for (size_t i = 0; i < n; i++) {
        if (w && cmp_cjur(&j[w - 1], &j[i]) == 0) {
            m->merged++;
            if (m->rep->rows)
                m->rep->rows--;
            continue;
        }
        j[w++] = j[i];
    }
    m->cjur.len = w * sizeof(*j);
    return rc;
}

/* The jurisdiction rows of contractor `c`: [first, first + n). */
static const mcd_cjur *cjur_of(const mcd *m, const mcd_contractor *c, size_t *n)
{
    const mcd_cjur *j = (const mcd_cjur *)m->cjur.data;
    size_t cnt = MN_VEC_COUNT(&m->cjur, mcd_cjur);
    mcd_cjur key;
    size_t lo = 0;
    size_t hi = cnt;
    size_t end;

    memset(&key, 0, sizeof(key));
    key.id = c->id;
    key.type = c->type;
    key.version = c->version;
    key.active = INT32_MIN;
    key.term = INT32_MIN;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_cjur(&j[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    end = lo;
    while (end < cnt && j[end].id == c->id && j[end].type == c->type &&
           j[end].version == c->version)
        end++;
    *n = end - lo;
    return *n ? &j[lo] : NULL;
}

/* ---- article_x_contractor.csv, lcd_x_contractor.csv ------------------- */

static const colspec art_link_cols[] = {
    {"article_id", NULL, true},
    {"article_version", NULL, true},
    {"contractor_id", NULL, true},
    {"contractor_type_id", "contract_type_id", false},
    {"contractor_version", NULL, false},
};
static const colspec lcd_link_cols[] = {
    {"lcd_id", NULL, true},
    {"lcd_version", NULL, true},
    {"contractor_id", NULL, true},
    {"contractor_type_id", "contract_type_id", false},
    {"contractor_version", NULL, false},
};

static int link_row(mcd *m)
{
    const mcd_contractor *c;
    char id[MCD_ID_MAX];
    mcd_link l;
    mcd_docver d;
    const char *why;
    const char *s;
    size_t len;
    int rc;

    why = mn_x__mcd_doc_key(m, &d);
    if (why) {
        skip(m, why);
        return MN_OK;
    }
    memset(&l, 0, sizeof(l));
    l.kind = m->dk->kind;
    l.id = d.id;
    l.version = d.version;
    s = fld(m, 2, &len);
    if (!len || !mn_x__parse_uint(&l.cid, s, len)) {
        skip(m, "bad contractor id");
        return MN_OK;
    }
    s = fld(m, 3, &len);
    if (!num_field(s, len, 0, &l.ctype)) {
        skip(m, "bad contractor type");
        return MN_OK;
    }
    s = fld(m, 4, &len);
    if (!num_field(s, len, 0, &l.cver)) {
        skip(m, "bad contractor version");
        return MN_OK;
    }
    c = mn_x__mcd_contractor(m, l.cid, l.ctype, l.cver);
    if (!c) {
        skip(m, "unknown contractor");
        return MN_OK;
    }
    /* the link keeps the contractor's own key (a blank type or version in
       the row matched it) */
    l.ctype = c->type;
    l.cver = c->version;
    mn_x__mcd_doc_id(id, m->dk, d.id);
    rc = mn_x__kbb_policy_contractor(m->b, m->dk->kind, id, (int)d.version,
                                     c->number);
    if (rc == MN_OK)
        rc = mn_x__vec_push(&m->links, &l, sizeof(l));
    if (rc)
        return rc;
    m->rep->rows++;
    return MN_OK;
}

int mn_x__mcd_doc_contractors(mcd *m, mn_error *err)
{
    bool lcd = m->dk->kind == MN_PK_LCD;
    int rc = each_row(m, lcd ? lcd_link_cols : art_link_cols,
                      sizeof(art_link_cols) / sizeof(art_link_cols[0]),
                      link_row, err);

    if (!m->contractors.len)
        note_add(m->rep, "no contractor.csv rows in this set");
    return rc;
}

static int cmp_link(const void *x, const void *y)
{
    const mcd_link *a = x;
    const mcd_link *b = y;
    CMP(a->kind, b->kind);
    CMP(a->id, b->id);
    CMP(a->version, b->version);
    CMP(a->cid, b->cid);
    CMP(a->ctype, b->ctype);
    CMP(a->cver, b->cver);
    return 0;
}

/* ---- article_related_documents.csv, lcd_related_documents.csv --------- */

static const colspec art_rel_cols[] = {
    {"article_id", NULL, true},    {"article_version", NULL, true},
    {"r_lcd_id", NULL, false},     {"r_lcd_version", NULL, false},
    {"r_article_id", NULL, false},
};
static const colspec lcd_rel_cols[] = {
    {"lcd_id", NULL, true},        {"lcd_version", NULL, true},
    {"r_article_id", NULL, false}, {"r_article_version", NULL, false},
    {"r_lcd_id", NULL, false},
};

/* A document id with an optional display prefix ("L33996"); false when
 * empty or bad (*empty tells which). */
static bool ref_id(const char *s, size_t len, char prefix, unsigned long *out,
                   bool *empty)
{
    *empty = len == 0 || mn_x__word_is(s, len, "0");
    if (*empty)
        return false;
    if (mn_x__toupper((unsigned char)s[0]) == prefix) {
        s++;
        len--;
    }
    return len && mn_x__parse_uint(out, s, len) && *out <= INT_MAX;
}

static int rel_row(mcd *m)
{
    bool lcd_table = m->dk->kind == MN_PK_LCD;
    mcd_docver d;
    mcd_rel r;
    unsigned long other;
    unsigned long ver;
    const char *why;
    const char *s;
    size_t len;
    bool empty;

    why = mn_x__mcd_doc_key(m, &d);
    if (why) {
        skip(m, why);
        return MN_OK;
    }
    memset(&r, 0, sizeof(r));
    s = fld(m, 2, &len);
    if (!ref_id(s, len, lcd_table ? 'A' : 'L', &other, &empty)) {
        size_t olen;
        const char *o = fld(m, 4, &olen);
        if (!empty)
            skip(m, lcd_table ? "bad article id" : "bad LCD id");
        else if (olen && !mn_x__word_is(o, olen, "0"))
            skip(m, lcd_table ? "related document is an LCD (not used)"
                              : "related document is an article (not used)");
        else
            skip(m, lcd_table ? "related document is not an article"
                              : "related document is not an LCD");
        return MN_OK;
    }
    s = fld(m, 3, &len);
    if (!num_field(s, len, 0, &ver)) {
        skip(m, "bad version");
        return MN_OK;
    }
    if (lcd_table) {
        r.art = other;
        r.art_ver = len ? ver : ULONG_MAX;
        r.lcd = d.id;
        r.lcd_ver = (long)d.version;
        r.flags = KB_PA_F_LCD_TABLE;
    } else {
        r.art = d.id;
        r.art_ver = d.version;
        r.lcd = other;
        r.lcd_ver = len ? (long)ver : -1;
        r.flags = KB_PA_F_ARTICLE_TABLE;
    }
    m->rep->rows++;
    return mn_x__vec_push(&m->rels, &r, sizeof(r));
}

int mn_x__mcd_related(mcd *m, bool lcd_table, mn_error *err)
{
    int rc;

    m->dk = lcd_table ? &mn_x__mcd_lcd : &mn_x__mcd_article;
    rc = each_row(m, lcd_table ? lcd_rel_cols : art_rel_cols,
                  sizeof(art_rel_cols) / sizeof(art_rel_cols[0]), rel_row, err);
    note_add(m->rep, lcd_table ? "the articles of each LCD version"
                               : "the LCDs of each article version");
    return rc;
}

static int cmp_rel(const void *x, const void *y)
{
    const mcd_rel *a = x;
    const mcd_rel *b = y;
    CMP(a->art, b->art);
    CMP(a->art_ver, b->art_ver);
    CMP(a->lcd, b->lcd);
    CMP(a->lcd_ver, b->lcd_ver);
    return 0;
}

/* ---- the documents index ------------------------------------------------ */

static const colspec index_cols[] = {
    {"document_display_id", NULL, true},
    {"contractor_name_type", NULL, true},
    {"document_type", NULL, false},
    {"document_version", NULL, false},
    {"title", NULL, false},
    {"url", NULL, false},
};

/* One line of a multi-line cell: [*s, *s + *len) from `p`; false at the
 * end. */
static bool next_line(const char *cell, size_t cell_len, size_t *pos,
                      const char **s, size_t *len)
{
    size_t start;

    while (*pos < cell_len && (cell[*pos] == '\n' || cell[*pos] == '\r'))
        (*pos)++;
    if (*pos >= cell_len)
        return false;
    start = *pos;
    while (*pos < cell_len && cell[*pos] != '\n' && cell[*pos] != '\r')
        (*pos)++;
    *s = cell + start;
    *len = mn_x__trim(s, *pos - start);
    return true;
}

/* Adds company `name` with its types `types` ("(MAC - Part A, MAC - Part
 * B)") to the index entry. */
static void add_company(mcd_index *x, const char *name, size_t name_len,
                        const char *types, size_t types_len)
{
    const char *macs[MCD_MAX_MACS];
    size_t n = mn_x__company_macs(name, name_len, macs, MCD_MAX_MACS);
    size_t pos = 0;
    bool ab = false;

    if (types_len && types[0] == '(') {
        types++;
        types_len--;
    }
    if (types_len && types[types_len - 1] == ')')
        types_len--;
    while (pos < types_len) {
        size_t start = pos;
        const char *t;
        size_t tlen;
        unsigned cls;
        while (pos < types_len && types[pos] != ',')
            pos++;
        t = types + start;
        tlen = mn_x__trim(&t, pos - start);
        pos++;
        if (!tlen)
            continue;
        cls = type_class(t, tlen);
        x->classes |= 1u << cls;
        if (cls == KB_CT_AB)
            ab = true;
        else
            x->unknown = true; /* DME and HH+H areas: not in the table */
    }
    if (!types_len)
        x->unknown = true;
    if (!ab)
        return;
    if (!n) {
        x->unknown = true;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        bool have = false;
        for (size_t k = 0; k < x->n_macs; k++)
            have = have || strcmp(x->macs[k], macs[i]) == 0;
        if (have)
            continue;
        if (x->n_macs == MCD_MAX_MACS) {
            x->unknown = true;
            return;
        }
        x->macs[x->n_macs++] = macs[i];
    }
}

static int index_row(mcd *m)
{
    mcd_index x;
    const char *s;
    size_t len;
    const char *cell;
    size_t cell_len;
    size_t pos = 0;
    const char *name = NULL;
    size_t name_len = 0;
    const char *line;
    size_t line_len;
    char k;

    memset(&x, 0, sizeof(x));
    x.record = mn_csv_record(m->csv);
    s = fld(m, 0, &len);
    k = len ? (char)mn_x__toupper((unsigned char)s[0]) : 0;
    if ((k != 'A' && k != 'L') || !mn_x__parse_uint(&x.id, s + 1, len - 1) ||
        x.id > INT_MAX) {
        skip(m, "not an article or LCD id");
        return MN_OK;
    }
    x.kind = k == 'A' ? MN_PK_ARTICLE : MN_PK_LCD;
    s = fld(m, 2, &len);
    if (len && !(mn_x__word_is(s, len, "lcd")       ? x.kind == MN_PK_LCD
                 : mn_x__word_is(s, len, "article") ? x.kind == MN_PK_ARTICLE
                                                    : false)) {
        skip(m, "document type does not match the id");
        return MN_OK;
    }
    s = fld(m, 3, &len);
    if (!num_field(s, len, 0, &x.version)) {
        skip(m, "bad version");
        return MN_OK;
    }
    cell = fld(m, 1, &cell_len);
    while (next_line(cell, cell_len, &pos, &line, &line_len)) {
        if (line[0] == '(') {
            if (name)
                add_company(&x, name, name_len, line, line_len);
            name = NULL;
        } else {
            if (name)
                add_company(&x, name, name_len, "", 0);
            name = line;
            name_len = line_len;
        }
    }
    if (name)
        add_company(&x, name, name_len, "", 0);
    if (!x.n_macs && !x.unknown) {
        skip(m, "no contractor");
        return MN_OK;
    }
    s = fld(m, 4, &len);
    if (len && !(x.title = mn_x__strndup(s, len)))
        return MN_ENOMEM;
    s = fld(m, 5, &len);
    if (len && len < 512 &&
        (mn_x__contains_ci(s, len > 8 ? 8 : len, "https://") ||
         mn_x__contains_ci(s, len > 7 ? 7 : len, "http://")) &&
        !(x.url = mn_x__strndup(s, len))) {
        mn_x__free(x.title);
        return MN_ENOMEM;
    }
    if (mn_x__vec_push(&m->index, &x, sizeof(x))) {
        mn_x__free(x.title);
        mn_x__free(x.url);
        return MN_ENOMEM;
    }
    m->rep->rows++;
    return MN_OK;
}

static int cmp_index(const void *x, const void *y)
{
    const mcd_index *a = x;
    const mcd_index *b = y;
    CMP(a->kind, b->kind);
    CMP(a->id, b->id);
    CMP(a->version, b->version);
    CMP(a->record, b->record);
    return 0;
}

int mn_x__mcd_documents_index(mcd *m, mn_error *err)
{
    int rc = each_row(m, COLS(index_cols), index_row, err);

    m->have_index = true;
    if (m->index.len)
        qsort(m->index.data, MN_VEC_COUNT(&m->index, mcd_index),
              sizeof(mcd_index), cmp_index);
    return rc;
}

/* The index entries of a document (every version): [first, first + n). */
static const mcd_index *index_of(const mcd *m, int kind, unsigned long id,
                                 size_t *n)
{
    const mcd_index *x = (const mcd_index *)m->index.data;
    size_t cnt = MN_VEC_COUNT(&m->index, mcd_index);
    size_t lo = 0;
    size_t hi = cnt;
    size_t end;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x[mid].kind < kind || (x[mid].kind == kind && x[mid].id < id))
            lo = mid + 1;
        else
            hi = mid;
    }
    end = lo;
    while (end < cnt && x[end].kind == kind && x[end].id == id)
        end++;
    *n = end - lo;
    return *n ? &x[lo] : NULL;
}

/* ---- placement ---------------------------------------------------------- */

/* A place about to be added. */
typedef struct pl {
    int state;
    int part;
    unsigned flags;
    int32_t active;
    int32_t term;
} pl;

/* Counts for the notes, per document kind (0 articles, 1 LCDs). */
typedef struct tally {
    size_t versions;
    size_t export_;
    size_t dme;
    size_t via_lcd;
    size_t index_one;
    size_t index_several;
    size_t derived;
    size_t unknown;
    size_t titles;
} tally;

typedef struct placer {
    mcd *m;
    mn_vec out;        /* pl */
    mn_vec numbers;    /* const char *: contractor numbers to derive */
    size_t unplaced_c; /* contractors the tables do not place */
    tally t[2];
} placer;

static int add_pl(placer *p, int state, int part, unsigned flags,
                  int32_t active, int32_t term)
{
    pl x;
    x.state = state;
    x.part = part;
    x.flags = flags;
    x.active = active;
    x.term = term;
    return mn_x__vec_push(&p->out, &x, sizeof(x));
}

static int add_area(placer *p, const mn_area *a, unsigned flags)
{
    int rc = MN_OK;

    for (int s = 0; s < MN_STATES && !rc; s++) {
        if (a->whole >> s & 1)
            rc = add_pl(p, s, -1, flags, MN_NODATE, MN_NODATE);
        else if (a->partial >> s & 1)
            rc = add_pl(p, s, -2, flags, MN_NODATE, MN_NODATE);
    }
    for (int k = 0; k < MN_PARTS && !rc; k++) {
        if (a->parts >> k & 1)
            rc = add_pl(p, mn_x__part_state(k), k, flags, MN_NODATE, MN_NODATE);
    }
    return rc;
}

/* Places contractor `c` serves from the export's tables (`cplace`: also as
 * contractor places for claims). Returns the number added. */
static int contractor_places(placer *p, const mcd_contractor *c, bool cplace,
                             size_t *added)
{
    const mcd *m = p->m;
    unsigned cls = contractor_class(m, c);
    int rc = MN_OK;

    *added = 0;
    if (cls == KB_CT_DME && c->region && m->have_regions && m->have_states) {
        const mcd_pair *r = (const mcd_pair *)m->regions.data;
        for (size_t i = 0; i < MN_VEC_COUNT(&m->regions, mcd_pair) && !rc;
             i++) {
            const mcd_pair *sl;
            int st;
            int part;
            if (r[i].value != c->region)
                continue;
            sl = pair_of(&m->states, r[i].key);
            if (!sl)
                continue;
            state_of(sl->value, &st, &part);
            if (cplace)
                rc = mn_x__kbb_contractor_place(
                    m->b, c->number, strlen(c->number), cls, st, part,
                    KB_PL_DME, MN_NODATE, MN_NODATE);
            else
                rc = add_pl(p, st, part, KB_PL_EXPORT | KB_PL_DME, MN_NODATE,
                            MN_NODATE);
            (*added)++;
        }
        if (*added || rc)
            return rc;
    }
    if (m->have_cjur && m->have_states) {
        size_t n = 0;
        const mcd_cjur *j = cjur_of(m, c, &n);
        for (size_t i = 0; i < n && !rc; i++) {
            const mcd_pair *sl = pair_of(&m->states, j[i].state_id);
            int st;
            int part;
            if (!sl)
                continue; /* counted when the rows were read */
            state_of(sl->value, &st, &part);
            if (cplace)
                rc = mn_x__kbb_contractor_place(
                    m->b, c->number, strlen(c->number), cls, st, part,
                    KB_PL_EXPORT, j[i].active, j[i].term);
            else
                rc = add_pl(p, st, part, KB_PL_EXPORT, j[i].active, j[i].term);
            (*added)++;
        }
    }
    return rc;
}

/* The links of a document version: [first, first + n). */
static const mcd_link *links_of(const mcd *m, int kind, unsigned long id,
                                unsigned long version, size_t *n)
{
    const mcd_link *l = (const mcd_link *)m->links.data;
    size_t cnt = MN_VEC_COUNT(&m->links, mcd_link);
    mcd_link key;
    size_t lo = 0;
    size_t hi = cnt;
    size_t end;

    memset(&key, 0, sizeof(key));
    key.kind = kind;
    key.id = id;
    key.version = version;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_link(&l[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    end = lo;
    while (end < cnt && l[end].kind == kind && l[end].id == id &&
           l[end].version == version)
        end++;
    *n = end - lo;
    return *n ? &l[lo] : NULL;
}

/* Step 1: the document version's own contractors. Numbers of contractors
 * the tables do not place are kept for steps 3 and 4. */
static int own_places(placer *p, int kind, unsigned long id,
                      unsigned long version, unsigned extra_flags)
{
    const mcd *m = p->m;
    size_t n = 0;
    const mcd_link *l = links_of(m, kind, id, version, &n);
    int rc = MN_OK;

    for (size_t i = 0; i < n && !rc; i++) {
        const mcd_contractor *c =
            mn_x__mcd_contractor(m, l[i].cid, l[i].ctype, l[i].cver);
        size_t before = MN_VEC_COUNT(&p->out, pl);
        size_t added = 0;
        if (!c)
            continue;
        rc = contractor_places(p, c, false, &added);
        for (size_t k = before; k < MN_VEC_COUNT(&p->out, pl); k++)
            MN_VEC_AT(&p->out, pl, k).flags |= extra_flags;
        if (!rc && !added) {
            const char *num = c->number;
            rc = mn_x__vec_push(&p->numbers, &num, sizeof(num));
        }
    }
    return rc;
}

/* Versions of the LCD `lcd` (all declared ones when `ver` is -1). */
static int lcd_places(placer *p, unsigned long lcd, long ver)
{
    const mcd *m = p->m;
    const mcd_docend *e = (const mcd_docend *)m->lcds.data;
    size_t n = MN_VEC_COUNT(&m->lcds, mcd_docend);
    size_t numbers = MN_VEC_COUNT(&p->numbers, const char *);
    int rc = MN_OK;

    if (ver >= 0) {
        rc = own_places(p, MN_PK_LCD, lcd, (unsigned long)ver, KB_PL_LCD);
    } else {
        for (size_t i = 0; i < n && !rc; i++) {
            if (e[i].d.id == lcd && (i == 0 || e[i - 1].d.id != lcd ||
                                     e[i - 1].d.version != e[i].d.version))
                rc = own_places(p, MN_PK_LCD, lcd, e[i].d.version, KB_PL_LCD);
        }
    }
    /* an LCD's unplaced contractor numbers are not the article's */
    p->numbers.len = numbers * sizeof(const char *);
    return rc;
}

/* The related LCDs of an article version: [first, first + n). */
static const mcd_rel *rels_of(const mcd *m, unsigned long art,
                              unsigned long ver, size_t *n)
{
    const mcd_rel *r = (const mcd_rel *)m->rels.data;
    size_t cnt = MN_VEC_COUNT(&m->rels, mcd_rel);
    size_t lo = 0;
    size_t hi = cnt;
    size_t end;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r[mid].art < art || (r[mid].art == art && r[mid].art_ver < ver))
            lo = mid + 1;
        else
            hi = mid;
    }
    end = lo;
    while (end < cnt && r[end].art == art && r[end].art_ver == ver)
        end++;
    *n = end - lo;
    return *n ? &r[lo] : NULL;
}

/* The area of the derived contractor numbers gathered so far. */
static bool derived_area(const placer *p, mn_area *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < MN_VEC_COUNT(&p->numbers, const char *); i++) {
        const char *num = MN_VEC_AT(&p->numbers, const char *, i);
        mn_area a;
        if (mn_x__contractor_area(num, strlen(num), &a))
            mn_x__area_union(out, &a);
    }
    return !mn_x__area_empty(out);
}

/* Steps 3 and 4: the documents index, then the contractor numbers. */
static int fallback_places(placer *p, tally *t, int kind, unsigned long id)
{
    const mcd *m = p->m;
    size_t n = 0;
    const mcd_index *x = index_of(m, kind, id, &n);
    mn_area derived;
    bool have_derived = derived_area(p, &derived);

    if (n) {
        mn_area company;
        const char *macs[MCD_MAX_MACS];
        size_t n_macs = 0;
        bool unknown = false;
        memset(&company, 0, sizeof(company));
        for (size_t i = 0; i < n; i++) {
            unknown |= x[i].unknown;
            for (size_t k = 0; k < x[i].n_macs; k++) {
                bool have = false;
                for (size_t j = 0; j < n_macs; j++)
                    have = have || strcmp(macs[j], x[i].macs[k]) == 0;
                if (!have && n_macs < MCD_MAX_MACS)
                    macs[n_macs++] = x[i].macs[k];
            }
        }
        for (size_t k = 0; k < n_macs; k++) {
            mn_area a;
            if (mn_x__mac_area(macs[k], strlen(macs[k]), &a))
                mn_x__area_union(&company, &a);
        }
        if (unknown || mn_x__area_empty(&company)) {
            t->unknown++;
            return MN_OK;
        }
        if (n_macs == 1) {
            t->index_one++;
            return add_area(p, &company, KB_PL_INDEX);
        }
        /* the contractor number picks among the company's jurisdictions */
        if (have_derived && mn_x__area_within(&derived, &company)) {
            t->derived++;
            return add_area(p, &derived, KB_PL_DERIVED);
        }
        t->index_several++;
        return add_area(p, &company, KB_PL_INDEX | KB_PL_MAYBE);
    }
    if (have_derived) {
        t->derived++;
        return add_area(p, &derived, KB_PL_DERIVED);
    }
    t->unknown++;
    return MN_OK;
}

/* Places one document version (its reference `ref`). */
static int place_version(placer *p, int kind, unsigned long id,
                         unsigned long version)
{
    tally *t = &p->t[kind == MN_PK_LCD];
    char did[MCD_ID_MAX];
    uint32_t ref;
    int rc;

    p->out.len = 0;
    p->numbers.len = 0;
    t->versions++;
    rc = own_places(p, kind, id, version, 0);
    if (!rc && p->out.len) {
        bool dme = false;
        for (size_t i = 0; i < MN_VEC_COUNT(&p->out, pl); i++)
            dme = dme || (MN_VEC_AT(&p->out, pl, i).flags & KB_PL_DME);
        if (dme)
            t->dme++;
        else
            t->export_++;
    } else if (!rc && kind == MN_PK_ARTICLE && !p->numbers.len) {
        size_t n = 0;
        const mcd_rel *r = rels_of(p->m, id, version, &n);
        for (size_t i = 0; i < n && !rc; i++)
            rc = lcd_places(p, r[i].lcd, r[i].lcd_ver);
        if (!rc && p->out.len)
            t->via_lcd++;
    }
    if (!rc && !p->out.len)
        rc = fallback_places(p, t, kind, id);
    if (rc || !p->out.len)
        return rc;
    mn_x__mcd_doc_id(
        did, kind == MN_PK_LCD ? &mn_x__mcd_lcd : &mn_x__mcd_article, id);
    rc = mn_x__kbb_policy_ref(p->m->b, kind, did, (int)version, &ref);
    for (size_t i = 0; i < MN_VEC_COUNT(&p->out, pl) && !rc; i++) {
        const pl *x = &MN_VEC_AT(&p->out, pl, i);
        rc = mn_x__kbb_place(p->m->b, ref, x->state, x->part, x->flags,
                             x->active, x->term);
    }
    return rc;
}

/* Articles linked to LCDs: attachments both ways, and the article's
 * related LCD (the one not retired, then the lowest id). */
static int attach_related(mcd *m)
{
    const mcd_rel *r = (const mcd_rel *)m->rels.data;
    size_t n = MN_VEC_COUNT(&m->rels, mcd_rel);
    const mcd_docend *lcds = (const mcd_docend *)m->lcds.data;
    size_t n_lcds = MN_VEC_COUNT(&m->lcds, mcd_docend);
    int rc = MN_OK;

    for (size_t i = 0; i < n && !rc; i++) {
        char art[MCD_ID_MAX];
        char lcd[MCD_ID_MAX];
        uint32_t ref;
        mn_x__mcd_doc_id(art, &mn_x__mcd_article, r[i].art);
        mn_x__mcd_doc_id(lcd, &mn_x__mcd_lcd, r[i].lcd);
        if (r[i].art_ver != ULONG_MAX) {
            rc = mn_x__kbb_policy_ref(m->b, MN_PK_ARTICLE, art,
                                      (int)r[i].art_ver, &ref);
            if (!rc)
                rc = mn_x__kbb_attach(m->b, ref, KB_PA_LCD, 0,
                                      (int32_t)r[i].lcd_ver, r[i].flags, lcd,
                                      strlen(lcd), NULL, 0);
        }
        if (!rc && r[i].lcd_ver >= 0) {
            rc = mn_x__kbb_policy_ref(m->b, MN_PK_LCD, lcd, (int)r[i].lcd_ver,
                                      &ref);
            if (!rc)
                rc = mn_x__kbb_attach(
                    m->b, ref, KB_PA_ARTICLE, 0,
                    r[i].art_ver == ULONG_MAX ? -1 : (int32_t)r[i].art_ver,
                    r[i].flags, art, strlen(art), NULL, 0);
        }
    }
    /* the related LCD shown with each article version */
    for (size_t i = 0; i < n && !rc;) {
        size_t j = i;
        unsigned long best = 0;
        bool best_open = false;
        bool several = false;
        while (j < n && r[j].art == r[i].art && r[j].art_ver == r[i].art_ver) {
            bool open = true;
            /* the newest declared version of the LCD decides */
            size_t lo = 0;
            size_t hi = n_lcds;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (lcds[mid].d.id <= r[j].lcd)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo && lcds[lo - 1].d.id == r[j].lcd)
                open = lcds[lo - 1].end == MN_NODATE;
            several = several || r[j].lcd != r[i].lcd;
            if (j == i || (open && !best_open) ||
                (open == best_open && r[j].lcd < best)) {
                best = r[j].lcd;
                best_open = open;
            }
            j++;
        }
        if (r[i].art_ver != ULONG_MAX) {
            char art[MCD_ID_MAX];
            char lcd[MCD_ID_MAX];
            mn_kbb_policy p;
            mn_x__mcd_doc_id(art, &mn_x__mcd_article, r[i].art);
            mn_x__mcd_doc_id(lcd, &mn_x__mcd_lcd, best);
            memset(&p, 0, sizeof(p));
            p.kind = MN_PK_ARTICLE;
            p.id = art;
            p.version = (int)r[i].art_ver;
            p.effective = MN_NODATE;
            p.ending = MN_NODATE;
            p.related = lcd;
            p.flags = several ? MN_PF_MANY_LCDS : 0;
            rc = mn_x__kbb_policy(m->b, &p);
        }
        i = j;
    }
    return rc;
}

/* Titles and pages from the documents index for the versions it names. */
static int index_extras(mcd *m, tally *t, int kind, const mcd_docend *e)
{
    size_t n = 0;
    const mcd_index *x = index_of(m, kind, e->d.id, &n);
    char did[MCD_ID_MAX];
    int rc = MN_OK;

    mn_x__mcd_doc_id(
        did, kind == MN_PK_LCD ? &mn_x__mcd_lcd : &mn_x__mcd_article, e->d.id);
    for (size_t i = 0; i < n && !rc; i++) {
        uint32_t ref;
        if (x[i].title && !(e->flags & MCD_DOC_TITLED)) {
            mn_kbb_policy p;
            memset(&p, 0, sizeof(p));
            p.kind = kind;
            p.id = did;
            p.version = (int)e->d.version;
            p.title = x[i].title;
            p.effective = MN_NODATE;
            p.ending = MN_NODATE;
            rc = mn_x__kbb_policy(m->b, &p);
            t->titles++;
        }
        if (!rc && x[i].url && x[i].version == e->d.version) {
            rc = mn_x__kbb_policy_ref(m->b, kind, did, (int)e->d.version, &ref);
            if (!rc)
                rc = mn_x__kbb_attach(m->b, ref, KB_PA_PAGE, 0, -1, 0, x[i].url,
                                      strlen(x[i].url), NULL, 0);
        }
    }
    return rc;
}

static int cmp_seen(const void *x, const void *y)
{
    const mcd_seen *a = x;
    const mcd_seen *b = y;
    CMP(a->kind, b->kind);
    CMP(a->d.id, b->d.id);
    CMP(a->d.version, b->d.version);
    return 0;
}

static void tally_note(mn_report *r, const tally *t, const char *what,
                       bool tables)
{
    if (!r || !t->versions)
        return;
    note_add(r,
             "%s placed: %zu by the jurisdiction tables, %zu by DME region, "
             "%zu through their LCD, %zu by the documents index (one "
             "jurisdiction), %zu by the documents index as one of several "
             "jurisdictions (a claim there gets a review), %zu derived from "
             "contractor numbers%s, %zu unknown (a claim anywhere gets a "
             "review)",
             what, t->export_, t->dme, t->via_lcd, t->index_one,
             t->index_several, t->derived,
             tables ? " (contractors the tables do not place)"
                    : " (fallback: contractor_jurisdiction.csv and "
                      "state_lookup.csv not given)",
             t->unknown);
    if (t->titles)
        note_add(r, "%zu titles taken from the documents index", t->titles);
}

int mn_x__mcd_place(mcd *m, mn_error *err)
{
    placer p;
    const mcd_seen *u;
    size_t nu;
    bool tables = m->have_cjur && m->have_states;
    int rc = MN_OK;

    memset(&p, 0, sizeof(p));
    p.m = m;
    if (m->links.len)
        qsort(m->links.data, MN_VEC_COUNT(&m->links, mcd_link),
              sizeof(mcd_link), cmp_link);
    if (m->rels.len) {
        mcd_rel *r = (mcd_rel *)m->rels.data;
        size_t n = MN_VEC_COUNT(&m->rels, mcd_rel);
        size_t w = 0;
        qsort(r, n, sizeof(mcd_rel), cmp_rel);
        /* a link both related tables give is one link, from both */
        for (size_t i = 0; i < n; i++) {
            if (w && cmp_rel(&r[w - 1], &r[i]) == 0) {
                r[w - 1].flags |= r[i].flags;
                continue;
            }
            r[w++] = r[i];
        }
        m->rels.len = w * sizeof(mcd_rel);
    }
    if (m->undeclared.len)
        qsort(m->undeclared.data, MN_VEC_COUNT(&m->undeclared, mcd_seen),
              sizeof(mcd_seen), cmp_seen);
    rc = attach_related(m);
    for (int k = 0; k < 2 && !rc; k++) {
        const mn_vec *v = k ? &m->lcds : &m->articles;
        const mcd_docend *e = (const mcd_docend *)v->data;
        size_t n = MN_VEC_COUNT(v, mcd_docend);
        int kind = k ? MN_PK_LCD : MN_PK_ARTICLE;
        for (size_t i = 0; i < n && !rc; i++) {
            if (i && mn_x__mcd_cmp_docver(&e[i - 1], &e[i]) == 0)
                continue;
            rc = place_version(&p, kind, e[i].d.id, e[i].d.version);
            if (!rc && m->have_index)
                rc = index_extras(m, &p.t[k], kind, &e[i]);
        }
    }
    /* versions met only in other tables are placed the same way */
    u = (const mcd_seen *)m->undeclared.data;
    nu = MN_VEC_COUNT(&m->undeclared, mcd_seen);
    for (size_t i = 0; i < nu && !rc; i++) {
        const mn_vec *v = u[i].kind == MN_PK_LCD ? &m->lcds : &m->articles;
        if (i && cmp_seen(&u[i - 1], &u[i]) == 0)
            continue;
        if (v->len && bsearch(&u[i].d, v->data, MN_VEC_COUNT(v, mcd_docend),
                              sizeof(mcd_docend), mn_x__mcd_cmp_docver))
            continue;
        rc = place_version(&p, u[i].kind, u[i].d.id, u[i].d.version);
    }
    /* where each contractor serves, for claims that name its number */
    for (size_t i = 0; i < MN_VEC_COUNT(&m->contractors, mcd_contractor) && !rc;
         i++) {
        size_t added = 0;
        const mcd_contractor *c =
            &MN_VEC_AT(&m->contractors, mcd_contractor, i);
        rc = contractor_places(&p, c, true, &added);
        p.unplaced_c += !added;
    }
    if (rc) {
        rc = mn_x__err(err, rc, "cannot place the MCD documents: %s",
                       mn_strerror(rc));
        goto done;
    }
    tally_note(m->rep_article, &p.t[0], "article versions", tables);
    tally_note(m->rep_lcd, &p.t[1], "LCD versions", tables);
    if (m->rep_cjur && p.unplaced_c)
        note_add(m->rep_cjur,
                 "%zu contractors without jurisdiction rows (their documents "
                 "are placed by the documents index or their contractor "
                 "number)",
                 p.unplaced_c);
    if (m->rep_index)
        note_add(m->rep_index,
                 "contractor company and type of each document; companies "
                 "to A/B MAC jurisdictions by the table of "
                 "src/lib/claim/jurisdiction.c");
done:
    mn_x__vec_free(&p.out);
    mn_x__vec_free(&p.numbers);
    return rc;
}

void mn_x__mcd_place_free(mcd *m)
{
    for (size_t i = 0; i < MN_VEC_COUNT(&m->index, mcd_index); i++) {
        mn_x__free(MN_VEC_AT(&m->index, mcd_index, i).title);
        mn_x__free(MN_VEC_AT(&m->index, mcd_index, i).url);
    }
    mn_x__vec_free(&m->index);
    mn_x__vec_free(&m->ctypes);
    mn_x__vec_free(&m->states);
    mn_x__vec_free(&m->regions);
    mn_x__vec_free(&m->cjur);
    mn_x__vec_free(&m->links);
    mn_x__vec_free(&m->rels);
}
#undef CMP
