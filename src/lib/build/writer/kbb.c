/*
 * build/writer/kbb.c: the knowledge-base builder: collects rows from the
 * loaders, merges and deduplicates them, and serialises the KB (kb/kbfmt.h).
 */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <xxhash.h>

#include "build/writer/kbb.h"
#include "kb/kbfmt.h"
#include "core/map.h"

/* qsort that accepts an empty (NULL) array. */
static void sort_n(void *base, size_t n, size_t size,
                   int (*cmp)(const void *, const void *))
{
    if (base && n > 1)
        qsort(base, n, size, cmp);
}

typedef struct icd_e {
    mn_key key;
    uint32_t present; /* bit: index into b->years (insertion order) */
    uint32_t billable;
    int32_t desc_fy; /* effective date of the version of the description,
                        -1 none */
    char *desc;
} icd_e;

typedef struct hc_e {
    mn_key key;
    int year; /* data year of the dates */
    int32_t added;
    int32_t term;
    int desc_year;
    char *desc;
    int cov_year; /* data year of the coverage code and statute */
    unsigned char cov;
    char *statute;
} hc_e;

typedef struct mce_e {
    mn_key key;
    int fy;
    unsigned flags;
    int amin;
    int amax;
} mce_e;

typedef struct pdx_e {
    mn_key key;
    uint32_t meta;
} pdx_e;

typedef struct pcode_e {
    mn_key code;
    uint32_t group;
} pcode_e;

typedef struct pgroup_e {
    int list;
    int group;
    char *para;
    char *ast;
} pgroup_e;

typedef struct pol {
    int kind;
    char *id;
    int version;
    char *title;
    int32_t eff;
    int32_t end;
    char *related;
    unsigned flags;
    mn_vec codes;  /* pcode_e */
    mn_vec dx;     /* pdx_e */
    mn_vec groups; /* pgroup_e */
    mn_vec contr;  /* char * */
    mn_vec notes;  /* char * */
    uint32_t ref;  /* creation order (mn_x__kbb_policy_ref) */
} pol;

typedef struct rule_e {
    mn_kbb_rule r; /* strings owned */
} rule_e;

typedef struct cover_e {
    int kind;
    unsigned flags;
    int32_t from;
    int32_t to;
    uint64_t rows;
    char *label;
    mn_vec sources; /* char *, unique */
} cover_e;

typedef struct mod_e {
    char code[2];
    char *desc;
} mod_e;

struct mn_kbb {
    mn_vec icd; /* icd_e */
    mn_map icd_map;
    int32_t years[MN_KB_MAX_YEARS]; /* effective date of each ICD version */
    int n_years;
    /* per year (index as `years`): the codes in the order the year's file
       lists them, which is the ICD-10-CM tabular order, and a sorted copy
       of (key, position) for range lookups, rebuilt when stale */
    mn_vec seq[MN_KB_MAX_YEARS];     /* mn_key */
    mn_vec seq_idx[MN_KB_MAX_YEARS]; /* keypos */
    bool seq_stale;
    mn_vec hc; /* hc_e */
    mn_map hc_map;
    mn_vec mce;     /* mce_e */
    mn_vec pols;    /* pol * */
    mn_map pol_map; /* hash(kind,id,version) -> index (probing on hash) */
    uint32_t n_refs;
    uint32_t *final; /* policy ref -> index in the last serialised KB */
    mn_vec rules;    /* rule_e */
    mn_vec covers;   /* cover_e */
    mn_vec mods;     /* mod_e */
    int32_t newest;
    void *ext[MN_EXT_COUNT];
    void (*ext_free[MN_EXT_COUNT])(void *state);
};

void *mn_x__kbb_ext(mn_kbb *b, int slot)
{
    return slot >= 0 && slot < MN_EXT_COUNT ? b->ext[slot] : NULL;
}

void mn_x__kbb_ext_set(mn_kbb *b, int slot, void *state,
                       void (*free_fn)(void *state))
{
    if (slot < 0 || slot >= MN_EXT_COUNT)
        return;
    if (b->ext[slot] && b->ext_free[slot] && b->ext[slot] != state)
        b->ext_free[slot](b->ext[slot]);
    b->ext[slot] = state;
    b->ext_free[slot] = free_fn;
}

int mn_x__kbb_new(mn_kbb **out)
{
    *out = mn_x__calloc(1, sizeof(mn_kbb));
    if (!*out)
        return MN_ENOMEM;
    (*out)->newest = MN_NODATE;
    return MN_OK;
}

static void free_strv(mn_vec *v)
{
    for (size_t i = 0; i < MN_VEC_COUNT(v, char *); i++)
        mn_x__free(MN_VEC_AT(v, char *, i));
    mn_x__vec_free(v);
}

void mn_x__kbb_free(mn_kbb *b)
{
    if (!b)
        return;
    for (int i = 0; i < MN_EXT_COUNT; i++) {
        if (b->ext[i] && b->ext_free[i])
            b->ext_free[i](b->ext[i]);
    }
    for (size_t i = 0; i < MN_VEC_COUNT(&b->icd, icd_e); i++)
        mn_x__free(MN_VEC_AT(&b->icd, icd_e, i).desc);
    mn_x__vec_free(&b->icd);
    mn_x__map_free(&b->icd_map);
    for (int y = 0; y < MN_KB_MAX_YEARS; y++) {
        mn_x__vec_free(&b->seq[y]);
        mn_x__vec_free(&b->seq_idx[y]);
    }
    for (size_t i = 0; i < MN_VEC_COUNT(&b->hc, hc_e); i++) {
        mn_x__free(MN_VEC_AT(&b->hc, hc_e, i).desc);
        mn_x__free(MN_VEC_AT(&b->hc, hc_e, i).statute);
    }
    mn_x__vec_free(&b->hc);
    mn_x__map_free(&b->hc_map);
    mn_x__vec_free(&b->mce);
    for (size_t i = 0; i < MN_VEC_COUNT(&b->pols, pol *); i++) {
        pol *p = MN_VEC_AT(&b->pols, pol *, i);
        mn_x__free(p->id);
        mn_x__free(p->title);
        mn_x__free(p->related);
        mn_x__vec_free(&p->codes);
        mn_x__vec_free(&p->dx);
        for (size_t g = 0; g < MN_VEC_COUNT(&p->groups, pgroup_e); g++) {
            mn_x__free(MN_VEC_AT(&p->groups, pgroup_e, g).para);
            mn_x__free(MN_VEC_AT(&p->groups, pgroup_e, g).ast);
        }
        mn_x__vec_free(&p->groups);
        free_strv(&p->contr);
        free_strv(&p->notes);
        mn_x__free(p);
    }
    mn_x__vec_free(&b->pols);
    mn_x__map_free(&b->pol_map);
    mn_x__free(b->final);
    for (size_t i = 0; i < MN_VEC_COUNT(&b->rules, rule_e); i++) {
        mn_kbb_rule *r = &MN_VEC_AT(&b->rules, rule_e, i).r;
        mn_x__free((char *)r->rule_id);
        mn_x__free((char *)r->pack);
        mn_x__free((char *)r->source);
        mn_x__free((char *)r->policy_id);
        mn_x__free((char *)r->reason);
    }
    mn_x__vec_free(&b->rules);
    for (size_t i = 0; i < MN_VEC_COUNT(&b->covers, cover_e); i++) {
        cover_e *c = &MN_VEC_AT(&b->covers, cover_e, i);
        mn_x__free(c->label);
        free_strv(&c->sources);
    }
    mn_x__vec_free(&b->covers);
    for (size_t i = 0; i < MN_VEC_COUNT(&b->mods, mod_e); i++)
        mn_x__free(MN_VEC_AT(&b->mods, mod_e, i).desc);
    mn_x__vec_free(&b->mods);
    mn_x__free(b);
}

void mn_x__kbb_saw_date(mn_kbb *b, int32_t date)
{
    if (date != MN_NODATE && date != MN_FOREVER &&
        (b->newest == MN_NODATE || date > b->newest))
        b->newest = date;
}

/* Replaces *dst with a copy of s[0..len) unless len is 0. */
static int set_text(char **dst, const char *s, size_t len)
{
    char *p;
    if (!s || !len)
        return MN_OK;
    p = mn_x__strndup(s, len);
    if (!p)
        return MN_ENOMEM;
    mn_x__free(*dst);
    *dst = p;
    return MN_OK;
}

/* ICD-10-CM */

/* The version index of the ICD-10-CM version in force from `eff`, added
 * when new; -1 when the table is full or the date is not one. */
static int year_index(mn_kbb *b, int32_t eff)
{
    int fy;

    if (eff == MN_NODATE || eff == MN_FOREVER)
        return -1;
    fy = mn_x__fiscal_year(eff);
    if (fy < 1990 || fy > 2099)
        return -1; /* what the reader accepts */
    for (int i = 0; i < b->n_years; i++) {
        if (b->years[i] == eff)
            return i;
    }
    if (b->n_years == MN_KB_MAX_YEARS)
        return -1;
    b->years[b->n_years] = eff;
    return b->n_years++;
}

int32_t mn_x__fy_start(int fy)
{
    return mn_x__days_from_civil(fy - 1, 10, 1);
}

int mn_x__kbb_icd(mn_kbb *b, int fy, mn_key code, bool billable,
                  const char *desc, size_t desc_len)
{
    if (fy < 1990 || fy > 2099)
        return MN_EINVAL;
    return mn_x__kbb_icd_at(b, mn_x__fy_start(fy), code, billable, desc,
                            desc_len);
}

int mn_x__kbb_icd_version(mn_kbb *b, int32_t effective)
{
    return year_index(b, effective) < 0 ? MN_ELIMIT : MN_OK;
}

int mn_x__kbb_icd_at(mn_kbb *b, int32_t effective, mn_key code, bool billable,
                     const char *desc, size_t desc_len)
{
    uint32_t idx;
    int yi = year_index(b, effective);
    int fy = mn_x__fiscal_year(effective);
    icd_e *e;
    int rc;

    if (yi < 0 || !code)
        return MN_EINVAL;
    if (!mn_x__map_get(&b->icd_map, code, &idx)) {
        icd_e n = {0};
        n.key = code;
        n.desc_fy = -1;
        idx = (uint32_t)MN_VEC_COUNT(&b->icd, icd_e);
        if ((rc = mn_x__vec_push(&b->icd, &n, sizeof(n))))
            return rc;
        if ((rc = mn_x__map_put(&b->icd_map, code, idx)))
            return rc;
    }
    e = &MN_VEC_AT(&b->icd, icd_e, idx);
    if (e->present & (1u << yi))
        return MN_OK; /* first row of a year wins */
    if ((rc = mn_x__vec_push(&b->seq[yi], &code, sizeof(code))))
        return rc;
    b->seq_stale = true;
    e = &MN_VEC_AT(&b->icd, icd_e, idx);
    e->present |= 1u << yi;
    if (billable)
        e->billable |= 1u << yi;
    (void)fy;
    if (desc && desc_len && (e->desc_fy == -1 || effective >= e->desc_fy)) {
        if ((rc = set_text(&e->desc, desc, desc_len)))
            return rc;
        e->desc_fy = effective;
    }
    return MN_OK;
}

bool mn_x__kbb_icd_known(mn_kbb *b, mn_key code)
{
    uint32_t idx;
    return mn_x__map_get(&b->icd_map, code, &idx);
}

static int cmp_key(const void *a, const void *b)
{
    mn_key x = *(const mn_key *)a;
    mn_key y = *(const mn_key *)b;
    return x < y ? -1 : x > y;
}

/* Highest key that has `hi` as a prefix. */
static mn_key prefix_end(mn_key hi)
{
    mn_key end = hi;
    for (int i = 0; i < 8; i++) {
        if (((hi >> (8 * i)) & 0xff) == 0)
            end |= (mn_key)0xff << (8 * i);
    }
    return end;
}

typedef struct keypos {
    mn_key key;
    uint32_t pos;
    uint32_t pad;
} keypos;

static int cmp_keypos(const void *a, const void *b)
{
    const keypos *x = a;
    const keypos *y = b;
    return x->key < y->key ? -1 : x->key > y->key;
}

/* Rebuilds the sorted (key, position) copies of every year's sequence. */
static int seq_index(mn_kbb *b)
{
    int rc = MN_OK;

    if (!b->seq_stale)
        return MN_OK;
    for (int y = 0; y < b->n_years && !rc; y++) {
        size_t n = MN_VEC_COUNT(&b->seq[y], mn_key);
        mn_vec *v = &b->seq_idx[y];
        v->len = 0;
        for (size_t i = 0; i < n && !rc; i++) {
            keypos k;
            k.key = MN_VEC_AT(&b->seq[y], mn_key, i);
            k.pos = (uint32_t)i;
            k.pad = 0;
            rc = mn_x__vec_push(v, &k, sizeof(k));
        }
        sort_n(v->data, MN_VEC_COUNT(v, keypos), sizeof(keypos), cmp_keypos);
    }
    if (!rc)
        b->seq_stale = false;
    return rc;
}

/* Smallest (want_max false) or largest position in year `y` of a code
 * that is `key` or has it as a prefix; false when there is none. */
static bool seq_bound(const mn_kbb *b, int y, mn_key key, bool want_max,
                      uint32_t *pos)
{
    const keypos *k = (const keypos *)b->seq_idx[y].data;
    size_t n = MN_VEC_COUNT(&b->seq_idx[y], keypos);
    mn_key end = prefix_end(key);
    size_t lo = 0;
    size_t hi = n;
    bool found = false;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (k[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < n && k[i].key <= end; i++) {
        if (!found || (want_max ? k[i].pos > *pos : k[i].pos < *pos))
            *pos = k[i].pos;
        found = true;
    }
    return found;
}

int mn_x__kbb_icd_range(mn_kbb *b, mn_key lo, mn_key hi,
                        int (*cb)(void *payload, mn_key code), void *payload,
                        size_t *count, const char **why)
{
    mn_vec keys = {0};
    size_t n = 0;
    bool start = false;
    bool end = false;
    bool reversed = false;
    int rc;

    if (why)
        *why = NULL;
    if ((rc = seq_index(b)))
        goto done;
    /* each year in its own tabular order; the union of the years */
    for (int y = 0; y < b->n_years && !rc; y++) {
        uint32_t a = 0;
        uint32_t z = 0;
        bool has_a = seq_bound(b, y, lo, false, &a);
        bool has_z = seq_bound(b, y, hi, true, &z);
        start |= has_a;
        end |= has_z;
        if (!has_a || !has_z)
            continue;
        if (z < a) {
            reversed = true;
            continue;
        }
        for (uint32_t i = a; i <= z && !rc; i++)
            rc = mn_x__vec_push(&keys, &MN_VEC_AT(&b->seq[y], mn_key, i),
                                sizeof(mn_key));
    }
    if (rc)
        goto done;
    sort_n(keys.data, MN_VEC_COUNT(&keys, mn_key), sizeof(mn_key), cmp_key);
    for (size_t i = 0; i < MN_VEC_COUNT(&keys, mn_key) && !rc; i++) {
        mn_key k = MN_VEC_AT(&keys, mn_key, i);
        if (i && k == MN_VEC_AT(&keys, mn_key, i - 1))
            continue;
        n++;
        rc = cb(payload, k);
    }
    if (why && !n)
        *why = !start     ? "range start is not a loaded ICD-10-CM code"
               : !end     ? "range end is not a loaded ICD-10-CM code"
               : reversed ? "range end before its start in ICD-10-CM "
                            "tabular order"
                          : "range did not match any loaded ICD-10-CM code";
done:
    mn_x__vec_free(&keys);
    if (count)
        *count = n;
    return rc;
}

/* HCPCS */

/* The entry of `code`, created when absent. */
static int hc_get(mn_kbb *b, mn_key code, hc_e **out)
{
    uint32_t idx;
    int rc;

    if (!mn_x__map_get(&b->hc_map, code, &idx)) {
        hc_e n = {0};
        n.key = code;
        n.year = -1;
        n.desc_year = -1;
        n.cov_year = -1;
        n.added = MN_NODATE;
        n.term = MN_NODATE;
        idx = (uint32_t)MN_VEC_COUNT(&b->hc, hc_e);
        if ((rc = mn_x__vec_push(&b->hc, &n, sizeof(n))))
            return rc;
        if ((rc = mn_x__map_put(&b->hc_map, code, idx)))
            return rc;
    }
    *out = &MN_VEC_AT(&b->hc, hc_e, idx);
    return MN_OK;
}

int mn_x__kbb_hcpcs(mn_kbb *b, int data_year, mn_key code, int32_t added,
                    int32_t terminated, const char *desc, size_t desc_len)
{
    hc_e *e = NULL;
    int rc;
    bool has_dates = added != MN_NODATE || terminated != MN_NODATE;

    if (!code)
        return MN_EINVAL;
    if ((rc = hc_get(b, code, &e)))
        return rc;
    if (has_dates && data_year >= e->year) {
        /* the newest source decides; the earliest add date is kept */
        if (added != MN_NODATE && (e->added == MN_NODATE || added < e->added))
            e->added = added;
        e->term = terminated;
        e->year = data_year;
    }
    if (desc && desc_len && (data_year >= e->desc_year || !e->desc)) {
        if ((rc = set_text(&e->desc, desc, desc_len)))
            return rc;
        e->desc_year = data_year;
    }
    return MN_OK;
}

int mn_x__kbb_hcpcs_coverage(mn_kbb *b, int data_year, mn_key code,
                             unsigned coverage, const char *statute,
                             size_t statute_len)
{
    hc_e *e = NULL;
    int rc;

    if (!code || !kb_cov_ok(coverage))
        return MN_EINVAL;
    if ((rc = hc_get(b, code, &e)))
        return rc;
    if (data_year < e->cov_year)
        return MN_OK; /* the newest source decides, like the description */
    if (statute && statute_len) {
        if ((rc = set_text(&e->statute, statute, statute_len)))
            return rc;
    } else {
        mn_x__free(e->statute);
        e->statute = NULL;
    }
    e->cov = (unsigned char)coverage;
    e->cov_year = data_year;
    return MN_OK;
}

/* MCE */

int mn_x__kbb_mce(mn_kbb *b, int fy, mn_key code, unsigned flag, int age_min,
                  int age_max)
{
    mce_e e;
    if (!code || !flag)
        return MN_EINVAL;
    e.key = code;
    e.fy = fy;
    e.flags = flag;
    e.amin = age_min < 0 ? 0 : (age_min > 255 ? 255 : age_min);
    e.amax = age_max < 0 ? 255 : (age_max > 255 ? 255 : age_max);
    return mn_x__vec_push(&b->mce, &e, sizeof(e));
}

/* Policies */

static uint64_t pol_hash(int kind, const char *id, int version)
{
    char buf[300];
    int n = snprintf(buf, sizeof(buf), "%d|%d|%.256s", kind, version, id);
    return XXH3_64bits(buf, n > 0 ? (size_t)n : 0);
}

static int get_pol(mn_kbb *b, pol **out, int kind, const char *id, int version)
{
    uint64_t h = pol_hash(kind, id, version);
    uint32_t idx;
    pol *p;
    int rc;

    *out = NULL;
    if (!id || !id[0])
        return MN_EINVAL;
    while (mn_x__map_get(&b->pol_map, h, &idx)) {
        p = MN_VEC_AT(&b->pols, pol *, idx);
        if (p->kind == kind && p->version == version &&
            strcmp(p->id, id) == 0) {
            *out = p;
            return MN_OK;
        }
        h++;
    }
    p = mn_x__calloc(1, sizeof(*p));
    if (!p)
        return MN_ENOMEM;
    p->kind = kind;
    p->version = version;
    p->eff = MN_NODATE;
    p->end = MN_NODATE;
    p->ref = b->n_refs++;
    p->id = mn_x__strndup(id, strlen(id));
    if (!p->id) {
        mn_x__free(p);
        return MN_ENOMEM;
    }
    idx = (uint32_t)MN_VEC_COUNT(&b->pols, pol *);
    if ((rc = mn_x__vec_push(&b->pols, &p, sizeof(p)))) {
        mn_x__free(p->id);
        mn_x__free(p);
        return rc;
    }
    if ((rc = mn_x__map_put(&b->pol_map, h, idx)))
        return rc;
    *out = p;
    return MN_OK;
}

int mn_x__kbb_policy_ref(mn_kbb *b, int kind, const char *id, int version,
                         uint32_t *ref)
{
    pol *p;
    int rc = get_pol(b, &p, kind, id, version);
    if (rc == MN_OK)
        *ref = p->ref;
    return rc;
}

int mn_x__kbb_policy_each(mn_kbb *b, int kind, const char *id,
                          int (*cb)(void *payload, int version), void *payload)
{
    for (size_t i = 0; id && i < MN_VEC_COUNT(&b->pols, pol *); i++) {
        pol *p = MN_VEC_AT(&b->pols, pol *, i);
        int rc;
        if (p->kind != kind || strcmp(p->id, id) != 0)
            continue;
        if ((rc = cb(payload, p->version)))
            return rc;
    }
    return MN_OK;
}

uint32_t mn_x__kbb_policy_final(const mn_kbb *b, uint32_t ref)
{
    return b->final && ref < b->n_refs ? b->final[ref] : UINT32_MAX;
}

int mn_x__kbb_policy(mn_kbb *b, const mn_kbb_policy *d)
{
    pol *p;
    int rc = get_pol(b, &p, d->kind, d->id, d->version);
    if (rc)
        return rc;
    if (d->title && (rc = set_text(&p->title, d->title, strlen(d->title))))
        return rc;
    if (d->related &&
        (rc = set_text(&p->related, d->related, strlen(d->related))))
        return rc;
    if (d->effective != MN_NODATE) {
        p->eff = d->effective;
        mn_x__kbb_saw_date(b, d->effective);
    }
    if (d->ending != MN_NODATE)
        p->end = d->ending;
    p->flags |= d->flags;
    return MN_OK;
}

int mn_x__kbb_policy_code(mn_kbb *b, int kind, const char *id, int version,
                          mn_key code, int group)
{
    pol *p;
    pcode_e e;
    int rc = get_pol(b, &p, kind, id, version);
    if (rc)
        return rc;
    if (!code)
        return MN_EINVAL;
    e.code = code;
    e.group = group < 0 ? 0 : (uint32_t)group;
    return mn_x__vec_push(&p->codes, &e, sizeof(e));
}

int mn_x__kbb_policy_dx(mn_kbb *b, int kind, const char *id, int version,
                        int list, int group, bool asterisk, mn_key dx)
{
    pol *p;
    pdx_e e;
    int rc = get_pol(b, &p, kind, id, version);
    if (rc)
        return rc;
    if (!dx || list < MN_DL_COVERED || list > MN_DL_NOT_SUPPORTED ||
        group < 0 || group > 0xffff)
        return MN_EINVAL;
    e.key = dx;
    e.meta = KB_DX_META(list, asterisk ? 1 : 0, group);
    return mn_x__vec_push(&p->dx, &e, sizeof(e));
}

int mn_x__kbb_policy_group(mn_kbb *b, int kind, const char *id, int version,
                           int list, int group, const char *paragraph,
                           size_t paragraph_len, const char *asterisk_text,
                           size_t asterisk_len)
{
    pol *p;
    pgroup_e *g = NULL;
    int rc = get_pol(b, &p, kind, id, version);
    if (rc)
        return rc;
    for (size_t i = 0; i < MN_VEC_COUNT(&p->groups, pgroup_e); i++) {
        pgroup_e *x = &MN_VEC_AT(&p->groups, pgroup_e, i);
        if (x->list == list && x->group == group)
            g = x;
    }
    if (!g) {
        pgroup_e n = {0};
        n.list = list;
        n.group = group;
        if ((rc = mn_x__vec_push(&p->groups, &n, sizeof(n))))
            return rc;
        g = &MN_VEC_AT(&p->groups, pgroup_e,
                       MN_VEC_COUNT(&p->groups, pgroup_e) - 1);
    }
    if ((rc = set_text(&g->para, paragraph, paragraph_len)))
        return rc;
    return set_text(&g->ast, asterisk_text, asterisk_len);
}

static int push_str_unique(mn_vec *v, const char *s, size_t len)
{
    char *c;
    for (size_t i = 0; i < MN_VEC_COUNT(v, char *); i++) {
        const char *x = MN_VEC_AT(v, char *, i);
        if (strlen(x) == len && memcmp(x, s, len) == 0)
            return MN_OK;
    }
    c = mn_x__strndup(s, len);
    if (!c)
        return MN_ENOMEM;
    if (mn_x__vec_push(v, &c, sizeof(c))) {
        mn_x__free(c);
        return MN_ENOMEM;
    }
    return MN_OK;
}

int mn_x__kbb_policy_contractor(mn_kbb *b, int kind, const char *id,
                                int version, const char *number)
{
    pol *p;
    int rc = get_pol(b, &p, kind, id, version);
    if (rc)
        return rc;
    if (!number || !number[0])
        return MN_EINVAL;
    return push_str_unique(&p->contr, number, strlen(number));
}

int mn_x__kbb_policy_note(mn_kbb *b, int kind, const char *id, int version,
                          const char *note, size_t note_len)
{
    pol *p;
    int rc = get_pol(b, &p, kind, id, version);
    if (rc)
        return rc;
    if (!note || !note_len)
        return MN_OK;
    return push_str_unique(&p->notes, note, note_len);
}

int mn_x__kbb_rule(mn_kbb *b, const mn_kbb_rule *r)
{
    rule_e e;
    memset(&e, 0, sizeof(e));
    e.r = *r;
    e.r.rule_id =
        r->rule_id ? mn_x__strndup(r->rule_id, strlen(r->rule_id)) : NULL;
    e.r.pack = r->pack ? mn_x__strndup(r->pack, strlen(r->pack)) : NULL;
    e.r.source = r->source ? mn_x__strndup(r->source, strlen(r->source)) : NULL;
    e.r.policy_id =
        r->policy_id ? mn_x__strndup(r->policy_id, strlen(r->policy_id)) : NULL;
    e.r.reason = r->reason ? mn_x__strndup(r->reason, strlen(r->reason)) : NULL;
    if ((r->rule_id && !e.r.rule_id) || (r->pack && !e.r.pack) ||
        (r->source && !e.r.source) || (r->policy_id && !e.r.policy_id) ||
        (r->reason && !e.r.reason) ||
        mn_x__vec_push(&b->rules, &e, sizeof(e))) {
        mn_x__free((char *)e.r.rule_id);
        mn_x__free((char *)e.r.pack);
        mn_x__free((char *)e.r.source);
        mn_x__free((char *)e.r.policy_id);
        mn_x__free((char *)e.r.reason);
        return MN_ENOMEM;
    }
    return MN_OK;
}

/* Coverage records */

int mn_x__kbb_cover(mn_kbb *b, const mn_kbb_cover *c)
{
    cover_e *e = NULL;
    cover_e n;
    const char *label = c->label ? c->label : "";
    int rc;

    if (c->kind <= 0 || c->kind >= MN_SOURCE_KIND_END_ ||
        (c->flags & ~(unsigned)KB_CF_ALL_) ||
        (c->from != MN_NODATE && c->to != MN_NODATE && c->to < c->from))
        return MN_EINVAL;
    for (size_t i = 0; i < MN_VEC_COUNT(&b->covers, cover_e); i++) {
        cover_e *x = &MN_VEC_AT(&b->covers, cover_e, i);
        if (x->kind == c->kind && x->flags == c->flags && x->from == c->from &&
            x->to == c->to && strcmp(x->label, label) == 0)
            e = x;
    }
    if (!e) {
        memset(&n, 0, sizeof(n));
        n.kind = c->kind;
        n.flags = c->flags;
        n.from = c->from;
        n.to = c->to;
        n.label = mn_x__strndup(label, strlen(label));
        if (!n.label)
            return MN_ENOMEM;
        if ((rc = mn_x__vec_push(&b->covers, &n, sizeof(n)))) {
            mn_x__free(n.label);
            return rc;
        }
        e = &MN_VEC_AT(&b->covers, cover_e,
                       MN_VEC_COUNT(&b->covers, cover_e) - 1);
    }
    e->rows += c->rows;
    if (c->source && c->source[0])
        return push_str_unique(&e->sources, c->source, strlen(c->source));
    return MN_OK;
}

bool mn_x__kbb_has_cover(mn_kbb *b, int kind)
{
    for (size_t i = 0; i < MN_VEC_COUNT(&b->covers, cover_e); i++) {
        if (MN_VEC_AT(&b->covers, cover_e, i).kind == kind)
            return true;
    }
    return false;
}

void mn_x__kbb_policy_span(mn_kbb *b, unsigned kinds, int32_t *first,
                           int32_t *newest, size_t *count)
{
    *first = MN_NODATE;
    *newest = MN_NODATE;
    *count = 0;
    for (size_t i = 0; i < MN_VEC_COUNT(&b->pols, pol *); i++) {
        const pol *p = MN_VEC_AT(&b->pols, pol *, i);
        if (!(kinds & (1u << p->kind)))
            continue;
        (*count)++;
        if (p->eff != MN_NODATE && (*first == MN_NODATE || p->eff < *first))
            *first = p->eff;
        if (p->eff != MN_NODATE && (*newest == MN_NODATE || p->eff > *newest))
            *newest = p->eff;
        if (p->end != MN_NODATE && (*newest == MN_NODATE || p->end > *newest))
            *newest = p->end;
    }
}

/* HCPCS modifiers */

int mn_x__kbb_modifier(mn_kbb *b, const char *code, const char *desc,
                       size_t desc_len)
{
    mod_e n;
    char c[2];
    int rc;

    for (int i = 0; i < 2; i++) {
        c[i] = (char)mn_x__toupper((unsigned char)code[i]);
        if (!mn_x__isdigit(c[i]) && !(c[i] >= 'A' && c[i] <= 'Z'))
            return MN_EINVAL;
    }
    for (size_t i = 0; i < MN_VEC_COUNT(&b->mods, mod_e); i++) {
        mod_e *x = &MN_VEC_AT(&b->mods, mod_e, i);
        if (x->code[0] == c[0] && x->code[1] == c[1])
            return set_text(&x->desc, desc, desc_len); /* the later wins */
    }
    memset(&n, 0, sizeof(n));
    n.code[0] = c[0];
    n.code[1] = c[1];
    if ((rc = set_text(&n.desc, desc, desc_len)))
        return rc;
    if ((rc = mn_x__vec_push(&b->mods, &n, sizeof(n))))
        mn_x__free(n.desc);
    return rc;
}

/*
 * Serialisation
 */

typedef struct strpool {
    mn_vec bytes;
    mn_map seen; /* hash -> offset (strings deduplicated) */
} strpool;

static int pool_add(strpool *sp, kb_str *out, const char *s, size_t len)
{
    uint64_t h;
    uint32_t off;
    int rc;

    out->off = 0;
    out->len = 0;
    if (!s || !len)
        return MN_OK;
    if (len > UINT32_MAX)
        return MN_ELIMIT;
    h = mn_x__hash(s, len) ^ len;
    if (mn_x__map_get(&sp->seen, h, &off) && off + len <= sp->bytes.len &&
        memcmp(sp->bytes.data + off, s, len) == 0) {
        out->off = off;
        out->len = (uint32_t)len;
        return MN_OK;
    }
    if (sp->bytes.len + len + 1 > UINT32_MAX)
        return MN_ELIMIT;
    off = (uint32_t)sp->bytes.len;
    if ((rc = mn_x__vec_push(&sp->bytes, s, len)) ||
        (rc = mn_x__vec_push(&sp->bytes, "", 1)) ||
        (rc = mn_x__map_put(&sp->seen, h, off)))
        return rc;
    out->off = off;
    out->len = (uint32_t)len;
    return MN_OK;
}

static int pool_cstr(strpool *sp, kb_str *out, const char *s)
{
    return pool_add(sp, out, s, s ? strlen(s) : 0);
}

static int cmp_icd(const void *a, const void *b)
{
    return cmp_key(&((const icd_e *)a)->key, &((const icd_e *)b)->key);
}

static int cmp_hc(const void *a, const void *b)
{
    return cmp_key(&((const hc_e *)a)->key, &((const hc_e *)b)->key);
}

static int cmp_mce(const void *a, const void *b)
{
    const mce_e *x = a;
    const mce_e *y = b;
    int c = cmp_key(&x->key, &y->key);
    if (c)
        return c;
    return (x->fy > y->fy) - (x->fy < y->fy);
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a;
    int32_t y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a;
    int y = *(const int *)b;
    return (x > y) - (x < y);
}

static int cmp_pol(const void *a, const void *b)
{
    const pol *x = *(pol *const *)a;
    const pol *y = *(pol *const *)b;
    int c;
    if (x->kind != y->kind)
        return x->kind - y->kind;
    c = strcmp(x->id, y->id);
    if (c)
        return c;
    return (y->version > x->version) - (y->version < x->version);
}

static int cmp_pdx(const void *a, const void *b)
{
    const pdx_e *x = a;
    const pdx_e *y = b;
    uint32_t lx = KB_DX_LIST(x->meta);
    uint32_t ly = KB_DX_LIST(y->meta);
    int c;
    if (lx != ly)
        return lx < ly ? -1 : 1;
    c = cmp_key(&x->key, &y->key);
    if (c)
        return c;
    return (x->meta > y->meta) - (x->meta < y->meta);
}

static int cmp_pcode(const void *a, const void *b)
{
    const kb_pcode *x = a;
    const kb_pcode *y = b;
    int c = cmp_key(&x->code, &y->code);
    if (c)
        return c;
    if (x->policy != y->policy)
        return x->policy < y->policy ? -1 : 1;
    return (x->group > y->group) - (x->group < y->group);
}

static int cmp_group(const void *a, const void *b)
{
    const pgroup_e *x = a;
    const pgroup_e *y = b;
    if (x->list != y->list)
        return x->list - y->list;
    return x->group - y->group;
}

/* Group numbers named in a paragraph ("Group 2", "groups 2 and 3"). */
static uint32_t named_groups(const char *s, int own)
{
    uint32_t mask = 0;
    size_t n;

    if (!s)
        return 0;
    n = strlen(s);
    for (size_t i = 0; i + 5 <= n; i++) {
        if (mn_x__tolower((unsigned char)s[i]) != 'g' ||
            !mn_x__contains_ci(s + i, 5, "group"))
            continue;
        size_t j = i + 5;
        if (j < n && mn_x__tolower((unsigned char)s[j]) == 's')
            j++;
        for (;;) {
            while (j < n && (s[j] == ' ' || s[j] == '#'))
                j++;
            if (j >= n || !mn_x__isdigit(s[j]))
                break;
            int g = 0;
            while (j < n && mn_x__isdigit(s[j]) && g < 1000)
                g = g * 10 + (s[j++] - '0');
            if (g >= 1 && g <= 32 && g != own)
                mask |= 1u << (g - 1);
            /* lists: "2, 3", "2 and 3", "2 or 3" */
            size_t k = j;
            while (k < n && s[k] == ' ')
                k++;
            if (k < n && s[k] == ',')
                j = k + 1;
            else if (k + 3 < n && mn_x__contains_ci(s + k, 4, "and "))
                j = k + 4;
            else if (k + 2 < n && mn_x__contains_ci(s + k, 3, "or "))
                j = k + 3;
            else
                break;
        }
    }
    return mask;
}

static bool rule_overlaps(const mn_kbb_rule *r, const pol *p)
{
    int32_t pe = p->eff == MN_NODATE ? INT32_MIN : p->eff;
    int32_t pn = p->end == MN_NODATE ? INT32_MAX : p->end;
    int32_t re = r->effective == MN_NODATE ? INT32_MIN : r->effective;
    int32_t rn = r->ending == MN_NODATE ? INT32_MAX : r->ending;
    return re <= pn && pe <= rn;
}

static bool rule_targets(const mn_kbb_rule *r, const pol *p)
{
    return r->policy_kind == p->kind && r->policy_id &&
           strcmp(r->policy_id, p->id) == 0 && rule_overlaps(r, p);
}

/* Sorts, deduplicates and completes one policy's lists and groups. */
static int finish_policy(mn_kbb *b, pol *p)
{
    size_t n = MN_VEC_COUNT(&p->dx, pdx_e);
    size_t w = 0;
    int rc;

    if (n) {
        sort_n(p->dx.data, n, sizeof(pdx_e), cmp_pdx);
        for (size_t i = 0; i < n; i++) {
            pdx_e *e = &MN_VEC_AT(&p->dx, pdx_e, i);
            if (w &&
                memcmp(e, &MN_VEC_AT(&p->dx, pdx_e, w - 1), sizeof(*e)) == 0)
                continue;
            MN_VEC_AT(&p->dx, pdx_e, w++) = *e;
        }
        p->dx.len = w * sizeof(pdx_e);
    }
    /* every (list, group) that has codes gets a group record */
    for (size_t i = 0; i < w; i++) {
        pdx_e *e = &MN_VEC_AT(&p->dx, pdx_e, i);
        int list = (int)KB_DX_LIST(e->meta);
        int group = (int)KB_DX_GROUP(e->meta);
        bool found = false;
        for (size_t g = 0; g < MN_VEC_COUNT(&p->groups, pgroup_e); g++) {
            pgroup_e *x = &MN_VEC_AT(&p->groups, pgroup_e, g);
            if (x->list == list && x->group == group)
                found = true;
        }
        if (!found) {
            pgroup_e ng = {0};
            ng.list = list;
            ng.group = group;
            if ((rc = mn_x__vec_push(&p->groups, &ng, sizeof(ng))))
                return rc;
        }
    }
    sort_n(p->groups.data, MN_VEC_COUNT(&p->groups, pgroup_e), sizeof(pgroup_e),
           cmp_group);
    for (size_t r = 0; r < MN_VEC_COUNT(&b->rules, rule_e); r++) {
        const mn_kbb_rule *rr = &MN_VEC_AT(&b->rules, rule_e, r).r;
        if (rr->kind == KB_RULE_NCD_INVERTED && rule_targets(rr, p))
            p->flags |= MN_PF_INVERTED;
        else if (rr->kind == KB_RULE_STATUTORY && rule_targets(rr, p))
            p->flags |= MN_PF_STATUTORY;
    }
    return MN_OK;
}

/* Flags and partners of each group: detected from the codes and the
 * paragraphs, then overridden by rules. */
static void group_flags(mn_kbb *b, const pol *p, const pgroup_e *g,
                        uint32_t *flags, uint32_t *partners)
{
    size_t n = MN_VEC_COUNT(&p->dx, pdx_e);
    bool ast = false;

    *flags = 0;
    *partners = 0;
    for (size_t i = 0; i < n; i++) {
        const pdx_e *e = &MN_VEC_AT(&p->dx, pdx_e, i);
        if ((int)KB_DX_LIST(e->meta) == g->list &&
            (int)KB_DX_GROUP(e->meta) == g->group && KB_DX_AST(e->meta))
            ast = true;
    }
    if (ast) {
        *flags |= KB_GF_HAS_ASTERISK;
        *partners =
            named_groups(g->ast, g->group) | named_groups(g->para, g->group);
    }
    /* a group named as the partner of another group's asterisk codes only
     * counts together with them */
    for (size_t j = 0; j < MN_VEC_COUNT(&p->groups, pgroup_e); j++) {
        const pgroup_e *o = &MN_VEC_AT(&p->groups, pgroup_e, j);
        bool oast = false;
        if (o == g || o->list != g->list || g->group < 1 || g->group > 32)
            continue;
        for (size_t i = 0; i < n; i++) {
            const pdx_e *e = &MN_VEC_AT(&p->dx, pdx_e, i);
            if ((int)KB_DX_LIST(e->meta) == o->list &&
                (int)KB_DX_GROUP(e->meta) == o->group && KB_DX_AST(e->meta))
                oast = true;
        }
        if (oast && !ast &&
            ((named_groups(o->ast, o->group) |
              named_groups(o->para, o->group)) &
             (1u << (g->group - 1))))
            *flags |= KB_GF_SECONDARY_ONLY;
    }
    for (size_t r = 0; r < MN_VEC_COUNT(&b->rules, rule_e); r++) {
        const mn_kbb_rule *rr = &MN_VEC_AT(&b->rules, rule_e, r).r;
        if (!rule_targets(rr, p) || rr->group != g->group ||
            g->list != MN_DL_COVERED)
            continue;
        if (rr->kind == KB_RULE_GROUP_REQUIRES) {
            *flags |= KB_GF_HAS_ASTERISK;
            *partners = rr->partners;
        } else if (rr->kind == KB_RULE_GROUP_SECONDARY_ONLY) {
            *flags |= KB_GF_SECONDARY_ONLY;
        } else if (rr->kind == KB_RULE_GROUP_STANDALONE) {
            *flags &= ~(uint32_t)(KB_GF_SECONDARY_ONLY | KB_GF_HAS_ASTERISK);
            *partners = 0;
        }
    }
}

typedef struct pending_sec {
    uint32_t id;
    uint32_t elem;
    void *data;
    size_t len;
} pending_sec;

struct mn_kb_sink {
    strpool *sp;
    mn_vec pending; /* pending_sec */
};

int mn_x__kb_sink_add(mn_kb_sink *sink, uint32_t id, uint32_t elem_size,
                      const void *data, size_t len)
{
    pending_sec ps;
    int rc;

    if (id < KB_SEC_EXT_FIRST || elem_size == 0 || len % elem_size ||
        MN_VEC_COUNT(&sink->pending, pending_sec) + KB_SEC_COUNT_ >=
            KB_MAX_SECTIONS)
        return MN_EINVAL;
    ps.id = id;
    ps.elem = elem_size;
    ps.len = len;
    ps.data = mn_x__malloc(len ? len : 1);
    if (!ps.data)
        return MN_ENOMEM;
    if (len)
        memcpy(ps.data, data, len);
    if ((rc = mn_x__vec_push(&sink->pending, &ps, sizeof(ps))))
        mn_x__free(ps.data);
    return rc;
}

int mn_x__kb_sink_str(mn_kb_sink *sink, uint32_t *off, uint32_t *len,
                      const char *s, size_t n)
{
    kb_str r;
    int rc = pool_add(sink->sp, &r, s, n);
    *off = r.off;
    *len = r.len;
    return rc;
}

static void sink_free(mn_kb_sink *sink)
{
    for (size_t i = 0; i < MN_VEC_COUNT(&sink->pending, pending_sec); i++)
        mn_x__free(MN_VEC_AT(&sink->pending, pending_sec, i).data);
    mn_x__vec_free(&sink->pending);
}

static int add_section(mn_vec *out, kb_section *secs, int *n, uint32_t id,
                       uint32_t elem, const void *data, size_t len)
{
    static const char zeros[8] = {0};
    int rc;
    size_t pad = (8 - out->len % 8) % 8;
    if ((rc = mn_x__vec_push(out, zeros, pad)))
        return rc;
    secs[*n].id = id;
    secs[*n].elem_size = elem;
    secs[*n].offset = out->len;
    secs[*n].length = len;
    (*n)++;
    return mn_x__vec_push(out, data, len);
}

/* The sources of a coverage record as one "; "-separated string, at most
 * `cap` bytes ("... and N more" when cut). */
static void join_sources(char *buf, size_t cap, const mn_vec *v)
{
    size_t n = MN_VEC_COUNT(v, char *);
    size_t len = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const char *x = MN_VEC_AT(v, char *, i);
        size_t l = strlen(x);
        if (len + l + 2 + 24 >= cap) {
            snprintf(buf + len, cap - len, "%s... and %zu more",
                     len ? "; " : "", n - i);
            return;
        }
        len +=
            (size_t)snprintf(buf + len, cap - len, "%s%s", len ? "; " : "", x);
    }
}

static int cmp_cover_e(const void *a, const void *b)
{
    const cover_e *x = a;
    const cover_e *y = b;
    int64_t fx = x->from == MN_NODATE ? INT64_MIN : x->from;
    int64_t fy = y->from == MN_NODATE ? INT64_MIN : y->from;
    int64_t tx = x->to == MN_NODATE ? INT64_MAX : x->to;
    int64_t ty = y->to == MN_NODATE ? INT64_MAX : y->to;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    if (fx != fy)
        return fx < fy ? -1 : 1;
    if (tx != ty)
        return tx < ty ? -1 : 1;
    if (x->flags != y->flags)
        return x->flags < y->flags ? -1 : 1;
    return strcmp(x->label, y->label);
}

static const cover_e *find_cover(mn_kbb *b, int kind, int32_t from)
{
    for (size_t i = 0; i < MN_VEC_COUNT(&b->covers, cover_e); i++) {
        const cover_e *c = &MN_VEC_AT(&b->covers, cover_e, i);
        if (c->kind == kind && c->from == from)
            return c;
    }
    return NULL;
}

static int push_cover(strpool *sp, mn_vec *out, int kind, unsigned flags,
                      int32_t from, int32_t to, uint64_t rows,
                      const char *label, const mn_vec *sources)
{
    kb_cover k;
    char src[1024];
    int rc;

    memset(&k, 0, sizeof(k));
    k.kind = (uint32_t)kind;
    k.flags = flags;
    k.from = from;
    k.to = to;
    k.rows = rows;
    src[0] = '\0';
    if (sources)
        join_sources(src, sizeof(src), sources);
    if ((rc = pool_cstr(sp, &k.label, label)) ||
        (rc = pool_cstr(sp, &k.sources, src)))
        return rc;
    return mn_x__vec_push(out, &k, sizeof(k));
}

/* The coverage section, by kind then period: the ICD-10-CM and MCE
 * versions from the tables, the other kinds as the loaders recorded them. */
static int write_covers(mn_kbb *b, strpool *sp, const kb_meta *meta,
                        const uint64_t *icd_codes, mn_vec *out)
{
    char label[64];
    int rc = MN_OK;

    sort_n(b->covers.data, MN_VEC_COUNT(&b->covers, cover_e), sizeof(cover_e),
           cmp_cover_e);
    for (int kind = 1; kind < MN_SOURCE_KIND_END_ && !rc; kind++) {
        if (kind == MN_SOURCE_ICD10CM) {
            for (uint32_t i = 0; i < meta->n_icd_years && !rc; i++) {
                const cover_e *c = find_cover(b, kind, meta->icd_from[i]);
                int y;
                int m;
                int d;
                mn_x__civil_from_days(meta->icd_from[i], &y, &m, &d);
                if (m == 10 && d == 1)
                    snprintf(label, sizeof(label), "FY%d", meta->icd_years[i]);
                else
                    snprintf(label, sizeof(label), "FY%d update %04d-%02d-%02d",
                             meta->icd_years[i], y, m, d);
                rc = push_cover(sp, out, kind, 0, meta->icd_from[i],
                                meta->icd_to[i], icd_codes[i], label,
                                c ? &c->sources : NULL);
            }
            continue;
        }
        if (kind == MN_SOURCE_MCE) {
            for (uint32_t i = 0; i < meta->n_mce && !rc; i++) {
                int fy = meta->mce_fy[i];
                int32_t from = mn_x__fy_start(fy);
                const cover_e *c = find_cover(b, kind, from);
                uint64_t rows = 0;
                for (size_t j = 0; j < MN_VEC_COUNT(&b->mce, mce_e); j++)
                    rows += MN_VEC_AT(&b->mce, mce_e, j).fy == fy;
                snprintf(label, sizeof(label), "FY%d", fy);
                rc = push_cover(sp, out, kind, 0, from,
                                mn_x__days_from_civil(fy, 9, 30), rows, label,
                                c ? &c->sources : NULL);
            }
            continue;
        }
        for (size_t i = 0; i < MN_VEC_COUNT(&b->covers, cover_e) && !rc; i++) {
            const cover_e *c = &MN_VEC_AT(&b->covers, cover_e, i);
            if (c->kind == kind)
                rc = push_cover(sp, out, c->kind, c->flags, c->from, c->to,
                                c->rows, c->label, &c->sources);
        }
    }
    return rc;
}

static int cmp_mod(const void *a, const void *b)
{
    const mod_e *x = a;
    const mod_e *y = b;
    return memcmp(x->code, y->code, 2);
}

static int write_mods(mn_kbb *b, strpool *sp, mn_vec *out)
{
    int rc = MN_OK;

    sort_n(b->mods.data, MN_VEC_COUNT(&b->mods, mod_e), sizeof(mod_e), cmp_mod);
    for (size_t i = 0; i < MN_VEC_COUNT(&b->mods, mod_e) && !rc; i++) {
        const mod_e *e = &MN_VEC_AT(&b->mods, mod_e, i);
        kb_modifier k;
        memset(&k, 0, sizeof(k));
        memcpy(k.code, e->code, 2);
        if (!(rc = pool_cstr(sp, &k.desc, e->desc)))
            rc = mn_x__vec_push(out, &k, sizeof(k));
    }
    return rc;
}

int mn_x__kbb_serialize(mn_kbb *b, const char *built, void **out,
                        size_t *out_len, mn_error *err)
{
    strpool sp = {{0}, {0}};
    mn_vec icd = {0}, hc = {0}, mce = {0}, pols = {0}, pcode = {0};
    mn_vec pdxk = {0}, pdxm = {0}, grp = {0}, rules = {0}, file = {0};
    mn_vec icdk = {0};
    uint32_t *icdhash = NULL;
    size_t hash_n = 0;
    kb_meta meta;
    kb_section secs[KB_MAX_SECTIONS];
    mn_kb_sink sink;
    int nsec = 0;
    int32_t order[MN_KB_MAX_YEARS];
    int remap[MN_KB_MAX_YEARS];
    uint64_t icd_codes[MN_KB_MAX_YEARS];
    mn_vec covers = {0}, mods = {0};
    int rc = MN_OK;
    char stamp[11];

    *out = NULL;
    *out_len = 0;
    memset(&meta, 0, sizeof(meta));
    memset(secs, 0, sizeof(secs));
    memset(&sink, 0, sizeof(sink));
    sink.sp = &sp;

    /* ICD versions by effective date, masks remapped; each is in force to
       the end of its fiscal year or the day before the next version */
    for (int i = 0; i < b->n_years; i++)
        order[i] = b->years[i];
    sort_n(order, (size_t)b->n_years, sizeof(int32_t), cmp_i32);
    memset(icd_codes, 0, sizeof(icd_codes));
    for (int i = 0; i < b->n_years; i++) {
        int fy = mn_x__fiscal_year(order[i]);
        int32_t end = mn_x__days_from_civil(fy, 9, 30);
        for (int j = 0; j < b->n_years; j++) {
            if (b->years[j] == order[i])
                remap[j] = i;
        }
        if (i + 1 < b->n_years && order[i + 1] - 1 < end)
            end = order[i + 1] - 1;
        meta.icd_years[i] = fy;
        meta.icd_from[i] = order[i];
        meta.icd_to[i] = end;
    }
    meta.n_icd_years = (uint32_t)b->n_years;

    {
        size_t n = MN_VEC_COUNT(&b->icd, icd_e);
        sort_n(b->icd.data, n, sizeof(icd_e), cmp_icd);
        /* the map holds stale indexes now; it is not used after this */
        mn_x__map_free(&b->icd_map);
        for (size_t i = 0; i < n && !rc; i++) {
            icd_e *e = &MN_VEC_AT(&b->icd, icd_e, i);
            kb_icd k;
            memset(&k, 0, sizeof(k));
            k.key = e->key;
            for (int y = 0; y < b->n_years; y++) {
                if (e->present & (1u << y)) {
                    k.present |= 1u << remap[y];
                    icd_codes[remap[y]]++;
                }
                if (e->billable & (1u << y))
                    k.billable |= 1u << remap[y];
            }
            rc = pool_cstr(&sp, &k.desc, e->desc);
            if (!rc)
                rc = mn_x__vec_push(&icd, &k, sizeof(k));
            if (!rc)
                rc = mn_x__vec_push(&icdk, &k.key, sizeof(k.key));
        }
        /* hash table, load factor at most 1/2, power-of-two size */
        hash_n = 1024;
        while (hash_n < 2 * n)
            hash_n *= 2;
        if (!rc && !(icdhash = mn_x__calloc(hash_n, sizeof(uint32_t))))
            rc = MN_ENOMEM;
        for (size_t i = 0; !rc && i < n; i++) {
            size_t h = kb_hash(MN_VEC_AT(&b->icd, icd_e, i).key) & (hash_n - 1);
            while (icdhash[h])
                h = (h + 1) & (hash_n - 1);
            icdhash[h] = (uint32_t)i + 1;
        }
        /* rebuild the map for later range queries */
        for (size_t i = 0; i < n && !rc; i++)
            rc = mn_x__map_put(&b->icd_map, MN_VEC_AT(&b->icd, icd_e, i).key,
                               (uint32_t)i);
    }
    if (rc)
        goto done;

    {
        size_t n = MN_VEC_COUNT(&b->hc, hc_e);
        sort_n(b->hc.data, n, sizeof(hc_e), cmp_hc);
        mn_x__map_free(&b->hc_map);
        for (size_t i = 0; i < n && !rc; i++) {
            hc_e *e = &MN_VEC_AT(&b->hc, hc_e, i);
            kb_hcpcs k;
            memset(&k, 0, sizeof(k));
            k.key = e->key;
            k.added = e->added;
            k.terminated = e->term;
            k.coverage = e->cov;
            rc = pool_cstr(&sp, &k.desc, e->desc);
            if (!rc)
                rc = pool_cstr(&sp, &k.statute, e->statute);
            if (!rc)
                rc = mn_x__vec_push(&hc, &k, sizeof(k));
            if (!rc)
                rc = mn_x__map_put(&b->hc_map, e->key, (uint32_t)i);
        }
    }
    if (rc)
        goto done;

    {
        size_t n = MN_VEC_COUNT(&b->mce, mce_e);
        int fys[MN_KB_MAX_MCE];
        int nfy = 0;
        sort_n(b->mce.data, n, sizeof(mce_e), cmp_mce);
        for (size_t i = 0; i < n; i++) {
            int fy = MN_VEC_AT(&b->mce, mce_e, i).fy;
            bool seen = false;
            for (int j = 0; j < nfy; j++)
                seen = seen || fys[j] == fy;
            if (!seen) {
                if (nfy == MN_KB_MAX_MCE) {
                    rc = mn_x__err(err, MN_ELIMIT, "too many MCE versions");
                    goto done;
                }
                fys[nfy++] = fy;
            }
        }
        sort_n(fys, (size_t)nfy, sizeof(int), cmp_int);
        meta.n_mce = (uint32_t)nfy;
        for (int j = 0; j < nfy; j++)
            meta.mce_fy[j] = fys[j];
        for (size_t i = 0; i < n && !rc; i++) {
            mce_e *e = &MN_VEC_AT(&b->mce, mce_e, i);
            kb_mce k;
            size_t cnt = MN_VEC_COUNT(&mce, kb_mce);
            uint16_t ver = 0;
            for (int j = 0; j < nfy; j++) {
                if (fys[j] == e->fy)
                    ver = (uint16_t)j;
            }
            if (cnt) {
                kb_mce *last = &MN_VEC_AT(&mce, kb_mce, cnt - 1);
                if (last->key == e->key && last->ver == ver) {
                    last->flags = (uint8_t)(last->flags | e->flags);
                    if (e->flags & (MN_MCE_NEWBORN | MN_MCE_PEDIATRIC |
                                    MN_MCE_MATERNITY | MN_MCE_ADULT)) {
                        last->age_min = (uint8_t)e->amin;
                        last->age_max = (uint8_t)e->amax;
                    }
                    continue;
                }
            }
            memset(&k, 0, sizeof(k));
            k.key = e->key;
            k.ver = ver;
            k.flags = (uint8_t)e->flags;
            k.age_min = (uint8_t)e->amin;
            k.age_max = (uint8_t)e->amax;
            rc = mn_x__vec_push(&mce, &k, sizeof(k));
        }
    }
    if (rc)
        goto done;

    {
        size_t n = MN_VEC_COUNT(&b->pols, pol *);
        sort_n(b->pols.data, n, sizeof(pol *), cmp_pol);
        mn_x__map_free(&b->pol_map); /* stale after sorting */
        mn_x__free(b->final);
        b->final = mn_x__malloc((b->n_refs ? b->n_refs : 1) * sizeof(uint32_t));
        if (!b->final) {
            rc = MN_ENOMEM;
            goto done;
        }
        for (size_t i = 0; i < n; i++)
            b->final[MN_VEC_AT(&b->pols, pol *, i)->ref] = (uint32_t)i;
        for (size_t i = 0; i < n && !rc; i++) {
            pol *p = MN_VEC_AT(&b->pols, pol *, i);
            kb_policy k;
            char buf[1024];
            size_t blen = 0;

            if ((rc = finish_policy(b, p)))
                break;
            memset(&k, 0, sizeof(k));
            k.kind = (uint32_t)p->kind;
            k.version = p->version;
            k.effective = p->eff;
            k.ending = p->end;
            k.flags = p->flags;
            if ((rc = pool_cstr(&sp, &k.id, p->id)) ||
                (rc = pool_cstr(&sp, &k.title, p->title)) ||
                (rc = pool_cstr(&sp, &k.related, p->related)))
                break;
            if (p->kind == MN_PK_LCD || p->kind == MN_PK_ARTICLE) {
                bool placed = false;
                k.states = mn_x__kbb_place_states(b, p->ref, &placed);
                if (!placed)
                    k.flags |= MN_PF_PLACE_UNKNOWN;
                else if (mn_x__kbb_places_simple(b, p->ref, p->eff, p->end))
                    k.flags |= MN_PF_PLACES_SIMPLE;
            }
            for (size_t c = 0; c < MN_VEC_COUNT(&p->contr, char *); c++) {
                const char *num = MN_VEC_AT(&p->contr, char *, c);
                size_t l = strlen(num);
                if (blen + l + 2 < sizeof(buf)) {
                    if (blen)
                        buf[blen++] = ',';
                    memcpy(buf + blen, num, l);
                    blen += l;
                }
            }
            if ((rc = pool_add(&sp, &k.contractors, buf, blen)))
                break;
            {
                mn_vec notes = {0};
                for (size_t c = 0; c < MN_VEC_COUNT(&p->notes, char *) && !rc;
                     c++) {
                    const char *s = MN_VEC_AT(&p->notes, char *, c);
                    if (c)
                        rc = mn_x__vec_push(&notes, "\n", 1);
                    if (!rc)
                        rc = mn_x__vec_push(&notes, s, strlen(s));
                }
                if (!rc)
                    rc = pool_add(&sp, &k.note, (const char *)notes.data,
                                  notes.len);
                mn_x__vec_free(&notes);
                if (rc)
                    break;
            }
            k.dx_first = (uint32_t)MN_VEC_COUNT(&pdxk, uint64_t);
            for (size_t d = 0; d < MN_VEC_COUNT(&p->dx, pdx_e) && !rc; d++) {
                pdx_e *e = &MN_VEC_AT(&p->dx, pdx_e, d);
                switch (KB_DX_LIST(e->meta)) {
                case MN_DL_COVERED:
                    k.n_covered++;
                    break;
                case MN_DL_NONCOVERED:
                    k.n_noncovered++;
                    break;
                default:
                    k.n_notsup++;
                    break;
                }
                rc = mn_x__vec_push(&pdxk, &e->key, sizeof(e->key));
                if (!rc)
                    rc = mn_x__vec_push(&pdxm, &e->meta, sizeof(e->meta));
            }
            k.grp_first = (uint32_t)MN_VEC_COUNT(&grp, kb_group);
            for (size_t g = 0; g < MN_VEC_COUNT(&p->groups, pgroup_e) && !rc;
                 g++) {
                pgroup_e *e = &MN_VEC_AT(&p->groups, pgroup_e, g);
                kb_group kg;
                memset(&kg, 0, sizeof(kg));
                kg.policy = (uint32_t)i;
                kg.list = (uint16_t)e->list;
                kg.group = (uint16_t)e->group;
                group_flags(b, p, e, &kg.flags, &kg.partners);
                rc = pool_cstr(&sp, &kg.paragraph, e->para);
                if (!rc)
                    rc = mn_x__vec_push(&grp, &kg, sizeof(kg));
                k.n_groups++;
            }
            for (size_t c = 0; c < MN_VEC_COUNT(&p->codes, pcode_e) && !rc;
                 c++) {
                pcode_e *e = &MN_VEC_AT(&p->codes, pcode_e, c);
                kb_pcode kp;
                memset(&kp, 0, sizeof(kp));
                kp.code = e->code;
                kp.policy = (uint32_t)i;
                kp.group = e->group;
                kp.states = k.states;
                kp.effective = k.effective;
                kp.ending = k.ending;
                kp.kind = k.kind;
                kp.id_off = k.id.off;
                rc = mn_x__vec_push(&pcode, &kp, sizeof(kp));
            }
            if (!rc)
                rc = mn_x__vec_push(&pols, &k, sizeof(k));
        }
        /* rebuild the policy map so the builder stays usable */
        for (size_t i = 0; i < n && !rc; i++) {
            pol *p = MN_VEC_AT(&b->pols, pol *, i);
            uint64_t h = pol_hash(p->kind, p->id, p->version);
            uint32_t tmp;
            while (mn_x__map_get(&b->pol_map, h, &tmp))
                h++;
            rc = mn_x__map_put(&b->pol_map, h, (uint32_t)i);
        }
    }
    if (rc)
        goto done;
    {
        size_t n = MN_VEC_COUNT(&pcode, kb_pcode);
        size_t w = 0;
        if (n)
            sort_n(pcode.data, n, sizeof(kb_pcode), cmp_pcode);
        for (size_t i = 0; i < n; i++) {
            kb_pcode *e = &MN_VEC_AT(&pcode, kb_pcode, i);
            if (w &&
                memcmp(e, &MN_VEC_AT(&pcode, kb_pcode, w - 1), sizeof(*e)) == 0)
                continue;
            MN_VEC_AT(&pcode, kb_pcode, w++) = *e;
        }
        pcode.len = w * sizeof(kb_pcode);
    }

    for (size_t i = 0; i < MN_VEC_COUNT(&b->rules, rule_e) && !rc; i++) {
        const mn_kbb_rule *r = &MN_VEC_AT(&b->rules, rule_e, i).r;
        kb_rule k;
        memset(&k, 0, sizeof(k));
        k.kind = (uint32_t)r->kind;
        k.policy_kind = (uint32_t)r->policy_kind;
        k.effective = r->effective;
        k.ending = r->ending;
        k.group = (uint32_t)r->group;
        k.partners = r->partners;
        if ((rc = pool_cstr(&sp, &k.rule_id, r->rule_id)) ||
            (rc = pool_cstr(&sp, &k.policy_id, r->policy_id)) ||
            (rc = pool_cstr(&sp, &k.source, r->source)) ||
            (rc = pool_cstr(&sp, &k.pack, r->pack)) ||
            (rc = pool_cstr(&sp, &k.reason, r->reason)))
            break;
        rc = mn_x__vec_push(&rules, &k, sizeof(k));
    }
    if (rc)
        goto done;

    if (!rc)
        rc = write_covers(b, &sp, &meta, icd_codes, &covers);
    if (!rc)
        rc = write_mods(b, &sp, &mods);
    if (rc)
        goto done;

    /* the extensions add their sections (and strings) before the string
       pool is written */
    if (!rc)
        rc = mn_x__ncci_write(b, b->ext[MN_EXT_NCCI], &sink, err);
    if (!rc)
        rc = mn_x__srules_write(b, b->ext[MN_EXT_SRULES], &sink, err);
    if (!rc)
        rc = mn_x__mcd_write(b, b->ext[MN_EXT_MCD], &sink, err);
    if (rc)
        goto done;

    if (built && built[0]) {
        snprintf(stamp, sizeof(stamp), "%s", built);
    } else if (b->newest != MN_NODATE) {
        mn_x__format_date(stamp, b->newest);
    } else {
        snprintf(stamp, sizeof(stamp), "builtin");
    }
    if ((rc = pool_cstr(&sp, &meta.built, stamp)))
        goto done;

    {
        kb_header h;
        size_t table;
        memset(&h, 0, sizeof(h));
        /* header and section table are written last, once known */
        if ((rc = mn_x__vec_reserve(&file, sizeof(h))))
            goto done;
        file.len = sizeof(h);
        table = file.len;
        if ((rc = mn_x__vec_reserve(&file, sizeof(secs))))
            goto done;
        memset(file.data + table, 0, sizeof(secs));
        file.len += sizeof(secs);
        if ((rc = add_section(&file, secs, &nsec, KB_SEC_META, sizeof(meta),
                              &meta, sizeof(meta))) ||
            (rc = add_section(&file, secs, &nsec, KB_SEC_STR, 1, sp.bytes.data,
                              sp.bytes.len)) ||
            (rc = add_section(&file, secs, &nsec, KB_SEC_ICD, sizeof(kb_icd),
                              icd.data, icd.len)) ||
            (rc = add_section(&file, secs, &nsec, KB_SEC_HCPCS,
                              sizeof(kb_hcpcs), hc.data, hc.len)) ||
            (rc = add_section(&file, secs, &nsec, KB_SEC_MCE, sizeof(kb_mce),
                              mce.data, mce.len)) ||
            (rc = add_section(&file, secs, &nsec, KB_SEC_POLICY,
                              sizeof(kb_policy), pols.data, pols.len)) ||
            (rc = add_section(&file, secs, &nsec, KB_SEC_PCODE,
                              sizeof(kb_pcode), pcode.data, pcode.len)) ||
            (rc = add_section(&file, secs, &nsec, KB_SEC_PDXKEY,
                              sizeof(uint64_t), pdxk.data, pdxk.len)) ||
            (rc = add_section(&file, secs, &nsec, KB_SEC_PDXMETA,
                              sizeof(uint32_t), pdxm.data, pdxm.len)) ||
            (rc = add_section(&file, secs, &nsec, KB_SEC_PGROUP,
                              sizeof(kb_group), grp.data, grp.len)) ||
            (rc = add_section(&file, secs, &nsec, KB_SEC_RULE, sizeof(kb_rule),
                              rules.data, rules.len)) ||
            (rc = add_section(&file, secs, &nsec, KB_SEC_ICDKEY,
                              sizeof(uint64_t), icdk.data, icdk.len)) ||
            (rc = add_section(&file, secs, &nsec, KB_SEC_ICDHASH,
                              sizeof(uint32_t), icdhash,
                              hash_n * sizeof(uint32_t))) ||
            (rc = add_section(&file, secs, &nsec, KB_SEC_COVER,
                              sizeof(kb_cover), covers.data, covers.len)) ||
            (rc = add_section(&file, secs, &nsec, KB_SEC_MODIFIER,
                              sizeof(kb_modifier), mods.data, mods.len)))
            goto done;
        for (size_t i = 0; i < MN_VEC_COUNT(&sink.pending, pending_sec); i++) {
            pending_sec *ps = &MN_VEC_AT(&sink.pending, pending_sec, i);
            if ((rc = add_section(&file, secs, &nsec, ps->id, ps->elem,
                                  ps->data, ps->len)))
                goto done;
        }
        {
            static const char zeros[8] = {0};
            size_t pad = (8 - file.len % 8) % 8;
            if ((rc = mn_x__vec_push(&file, zeros, pad)))
                goto done;
        }
        memcpy(file.data + table, secs, sizeof(secs));
        memcpy(h.magic, MN_KB_MAGIC, 8);
        h.format = MN_KB_FORMAT;
        h.endian = MN_KB_ENDIAN;
        h.file_size = file.len;
        h.n_sections = (uint32_t)nsec;
        h.checksum = XXH3_64bits(file.data + sizeof(h), file.len - sizeof(h));
        memcpy(file.data, &h, sizeof(h));
    }
    *out = file.data;
    *out_len = file.len;
    file.data = NULL;

done:
    if (rc && err && !err->message[0])
        mn_x__err(err, rc, "cannot serialise the knowledge base: %s",
                  mn_strerror(rc));
    sink_free(&sink);
    mn_x__vec_free(&sp.bytes);
    mn_x__map_free(&sp.seen);
    mn_x__vec_free(&icd);
    mn_x__vec_free(&icdk);
    mn_x__free(icdhash);
    mn_x__vec_free(&hc);
    mn_x__vec_free(&mce);
    mn_x__vec_free(&pols);
    mn_x__vec_free(&pcode);
    mn_x__vec_free(&pdxk);
    mn_x__vec_free(&pdxm);
    mn_x__vec_free(&grp);
    mn_x__vec_free(&rules);
    mn_x__vec_free(&covers);
    mn_x__vec_free(&mods);
    mn_x__vec_free(&file);
    return rc;
}
