/*
 * out/kbdiff.c: what changed between two knowledge bases (`mednec kb diff`,
 * mednec/kbinfo.h): codes added and deleted per code set, policies added,
 * revised and retired with their code-list changes, NCCI edits added and
 * deleted.
 *
 * Every table compared is sorted by key in both KBs, so each comparison is
 * one merge pass. A list is written into its own scratch buffer while it
 * is counted, then the count and the list go out; counts are complete even
 * when `max_items` cuts a list. Writing goes through the sticky-error
 * writer of out/writer.h: the first failure is read once at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kb/kb_int.h"
#include "kb/ncci_fmt.h"
#include "mednec/kbinfo.h"
#include "out/writer.h"

typedef struct dctx {
    mn_format fmt;
    size_t max; /* items listed per list, 0: all */
    int rc;     /* first failure of a scratch buffer */
} dctx;

/* One list of changes being counted and rendered. */
typedef struct dlist {
    mn_buf items;
    mn_out w;
    size_t n;
    size_t shown;
} dlist;

static void dl_init(dlist *l)
{
    memset(l, 0, sizeof(*l));
    l->items.v.max = (size_t)256 << 20;
    mn_x__out_init(&l->w, &l->items);
}

static void dl_free(dctx *d, dlist *l)
{
    if (l->w.rc && !d->rc)
        d->rc = l->w.rc;
    mn_x__vec_free(&l->items.v);
}

/* Adds an item: `json` is a JSON value, `text` its text form; a text item
 * that starts a line of its own is not separated by a comma. */
static void dl_add(dctx *d, dlist *l, const char *json, const char *text)
{
    l->n++;
    if (d->max && l->shown >= d->max)
        return;
    if (l->shown)
        mn_x__out_puts(&l->w, d->fmt == MN_FORMAT_JSON ? ","
                              : text[0] == '\n'        ? ""
                                                       : ", ");
    mn_x__out_puts(&l->w, d->fmt == MN_FORMAT_JSON ? json : text);
    l->shown++;
}

/* Adds a code: a JSON string, or the code as text. */
static void dl_code(dctx *d, dlist *l, const char *code)
{
    char j[40];
    snprintf(j, sizeof(j), "\"%s\"", code);
    dl_add(d, l, j, code);
}

/* JSON: "name":[items],"name_count":n. Text: an indented line when the
 * list is not empty. */
static void dl_put(dctx *d, mn_out *w, const char *name, const dlist *l,
                   bool first)
{
    const char *items = mn_buf_data(&l->items);

    if (d->fmt == MN_FORMAT_JSON) {
        mn_x__out_printf(w, "%s\"%s\":[", first ? "" : ",", name);
        mn_x__out_raw(w, items, mn_buf_len(&l->items));
        mn_x__out_printf(w, "],\"%s_count\":%zu", name, l->n);
        return;
    }
    if (!l->n)
        return;
    mn_x__out_printf(w, "    %s (%zu): ", name, l->n);
    mn_x__out_raw(w, items, mn_buf_len(&l->items));
    if (l->shown < l->n)
        mn_x__out_printf(w, " ... and %zu more", l->n - l->shown);
    MN_OUT_LIT(w, "\n");
}

static int key_cmp(mn_key a, mn_key b)
{
    return (a > b) - (a < b);
}

/* ------------------------------------------------------------ ICD */

static void version_label(char *out, size_t cap, const mn_kb *kb, int v)
{
    char d[11];
    if (v < 0) {
        snprintf(out, cap, "none");
        return;
    }
    mn_x__format_date(d, kb->meta->icd_from[v]);
    snprintf(out, cap, "FY%d (from %s)", kb->meta->icd_years[v], d);
}

/* The newest ICD-10-CM version of each KB compared. */
static void diff_icd(dctx *d, mn_out *w, const mn_kb *o, const mn_kb *n,
                     mn_kb_diff_summary *s)
{
    int vo = o->meta->n_icd_years ? (int)o->meta->n_icd_years - 1 : -1;
    int vn = n->meta->n_icd_years ? (int)n->meta->n_icd_years - 1 : -1;
    dlist add, del, bill;
    size_t i = 0;
    size_t j = 0;
    char lo[48];
    char ln[48];

    dl_init(&add);
    dl_init(&del);
    dl_init(&bill);
    while (i < o->n_icd || j < n->n_icd) {
        int c = i >= o->n_icd   ? 1
                : j >= n->n_icd ? -1
                                : key_cmp(o->icd[i].key, n->icd[j].key);
        bool in_o = c <= 0 && vo >= 0 && ((o->icd[i].present >> vo) & 1u);
        bool in_n = c >= 0 && vn >= 0 && ((n->icd[j].present >> vn) & 1u);
        char code[12];
        mn_x__icd_dotted(code, c <= 0 ? o->icd[i].key : n->icd[j].key);
        if (in_o && !in_n) {
            dl_code(d, &del, code);
        } else if (in_n && !in_o) {
            dl_code(d, &add, code);
        } else if (in_o && in_n &&
                   ((o->icd[i].billable >> vo) & 1u) !=
                       ((n->icd[j].billable >> vn) & 1u)) {
            char js[64];
            char tx[64];
            bool now = ((n->icd[j].billable >> vn) & 1u) != 0;
            snprintf(js, sizeof(js), "{\"code\":\"%s\",\"billable\":%s}", code,
                     now ? "true" : "false");
            snprintf(tx, sizeof(tx), "%s (%s)", code,
                     now ? "now billable" : "no longer billable");
            dl_add(d, &bill, js, tx);
        }
        if (c <= 0)
            i++;
        if (c >= 0)
            j++;
    }
    s->icd_added = add.n;
    s->icd_deleted = del.n;
    s->icd_billable_changed = bill.n;
    version_label(lo, sizeof(lo), o, vo);
    version_label(ln, sizeof(ln), n, vn);
    if (d->fmt == MN_FORMAT_JSON) {
        MN_OUT_LIT(w, "\"icd10cm\":{\"old_version\":");
        mn_x__out_json_str(w, vo < 0 ? NULL : lo);
        MN_OUT_LIT(w, ",\"new_version\":");
        mn_x__out_json_str(w, vn < 0 ? NULL : ln);
        MN_OUT_LIT(w, ",");
    } else {
        mn_x__out_printf(w,
                         "ICD-10-CM, newest versions %s -> %s: %zu added, "
                         "%zu deleted, %zu billable flags changed\n",
                         lo, ln, add.n, del.n, bill.n);
    }
    dl_put(d, w, "added", &add, true);
    dl_put(d, w, "deleted", &del, false);
    dl_put(d, w, "billable_changed", &bill, false);
    if (d->fmt == MN_FORMAT_JSON)
        MN_OUT_LIT(w, "}");
    dl_free(d, &add);
    dl_free(d, &del);
    dl_free(d, &bill);
}

/* ---------------------------------------------------------- HCPCS */

static void cov_text(char out[8], unsigned c)
{
    if (c)
        snprintf(out, 8, "%c", (char)c);
    else
        snprintf(out, 8, "none");
}

static void diff_hcpcs(dctx *d, mn_out *w, const mn_kb *o, const mn_kb *n,
                       mn_kb_diff_summary *s)
{
    dlist add, del, term, cov, madd, mdel;
    size_t i = 0;
    size_t j = 0;

    dl_init(&add);
    dl_init(&del);
    dl_init(&term);
    dl_init(&cov);
    dl_init(&madd);
    dl_init(&mdel);
    while (i < o->n_hcpcs || j < n->n_hcpcs) {
        int c = i >= o->n_hcpcs   ? 1
                : j >= n->n_hcpcs ? -1
                                  : key_cmp(o->hcpcs[i].key, n->hcpcs[j].key);
        char code[12];
        mn_x__key_text(code, c <= 0 ? o->hcpcs[i].key : n->hcpcs[j].key);
        if (c < 0) {
            dl_code(d, &del, code);
        } else if (c > 0) {
            dl_code(d, &add, code);
        } else {
            const kb_hcpcs *x = &o->hcpcs[i];
            const kb_hcpcs *y = &n->hcpcs[j];
            char js[96];
            char tx[96];
            if (y->terminated != x->terminated && y->terminated != MN_NODATE) {
                char dt[11];
                mn_x__format_date(dt, y->terminated);
                snprintf(js, sizeof(js),
                         "{\"code\":\"%s\",\"terminated\":\"%s\"}", code, dt);
                snprintf(tx, sizeof(tx), "%s (%s)", code, dt);
                dl_add(d, &term, js, tx);
            }
            if (y->coverage != x->coverage) {
                char a[8];
                char z[8];
                cov_text(a, x->coverage);
                cov_text(z, y->coverage);
                snprintf(js, sizeof(js),
                         "{\"code\":\"%s\",\"old\":\"%s\",\"new\":\"%s\"}",
                         code, a, z);
                snprintf(tx, sizeof(tx), "%s (%s -> %s)", code, a, z);
                dl_add(d, &cov, js, tx);
            }
        }
        if (c <= 0)
            i++;
        if (c >= 0)
            j++;
    }
    i = j = 0;
    while (i < o->n_mod || j < n->n_mod) {
        int c = i >= o->n_mod   ? 1
                : j >= n->n_mod ? -1
                                : memcmp(o->mod[i].code, n->mod[j].code, 2);
        char code[3];
        memcpy(code, c <= 0 ? o->mod[i].code : n->mod[j].code, 2);
        code[2] = '\0';
        if (c < 0)
            dl_code(d, &mdel, code);
        else if (c > 0)
            dl_code(d, &madd, code);
        if (c <= 0)
            i++;
        if (c >= 0)
            j++;
    }
    s->hcpcs_added = add.n;
    s->hcpcs_deleted = del.n;
    s->hcpcs_terminated = term.n;
    s->hcpcs_coverage_changed = cov.n;
    s->modifiers_added = madd.n;
    s->modifiers_deleted = mdel.n;
    if (d->fmt == MN_FORMAT_JSON)
        MN_OUT_LIT(w, ",\"hcpcs\":{");
    else
        mn_x__out_printf(w,
                         "HCPCS Level II: %zu added, %zu deleted, %zu "
                         "terminated, %zu coverage codes changed\n",
                         add.n, del.n, term.n, cov.n);
    dl_put(d, w, "added", &add, true);
    dl_put(d, w, "deleted", &del, false);
    dl_put(d, w, "terminated", &term, false);
    dl_put(d, w, "coverage_changed", &cov, false);
    if (d->fmt == MN_FORMAT_JSON)
        MN_OUT_LIT(w, "},\"hcpcs_modifiers\":{");
    else
        mn_x__out_printf(w, "HCPCS modifiers: %zu added, %zu deleted\n", madd.n,
                         mdel.n);
    dl_put(d, w, "added", &madd, true);
    dl_put(d, w, "deleted", &mdel, false);
    if (d->fmt == MN_FORMAT_JSON)
        MN_OUT_LIT(w, "}");
    dl_free(d, &add);
    dl_free(d, &del);
    dl_free(d, &term);
    dl_free(d, &cov);
    dl_free(d, &madd);
    dl_free(d, &mdel);
}

/* ------------------------------------------------------- policies */

static const char *pkind(uint32_t k)
{
    return k == MN_PK_NCD ? "ncd" : k == MN_PK_LCD ? "lcd" : "article";
}

/* Policies are sorted by (kind, id, version descending): the newest
 * version of a policy comes first. */
static int pol_cmp(const mn_kb *a, const kb_policy *x, const mn_kb *b,
                   const kb_policy *y)
{
    int c;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    c = strcmp(kb_s(a, x->id), kb_s(b, y->id));
    return (c > 0) - (c < 0);
}

/* The index after the versions of the policy at `i`. */
static size_t pol_next(const mn_kb *kb, size_t i)
{
    size_t j = i + 1;
    while (j < kb->n_pol && pol_cmp(kb, &kb->pol[i], kb, &kb->pol[j]) == 0)
        j++;
    return j;
}

typedef struct pc {
    uint32_t policy;
    uint32_t pad;
    mn_key code;
} pc;

static int cmp_pc(const void *a, const void *b)
{
    const pc *x = a;
    const pc *y = b;
    if (x->policy != y->policy)
        return x->policy < y->policy ? -1 : 1;
    return key_cmp(x->code, y->code);
}

/* (policy, code) of every code-to-policy entry, sorted by policy. */
static int policy_codes(const mn_kb *kb, pc **out, size_t *n_out)
{
    size_t bytes;
    pc *v;

    *out = NULL;
    *n_out = 0;
    if (!kb->n_pcode)
        return MN_OK;
    if (!mn_x__mul(&bytes, kb->n_pcode, sizeof(pc)) ||
        !(v = mn_x__malloc(bytes)))
        return MN_ENOMEM;
    for (size_t i = 0; i < kb->n_pcode; i++) {
        v[i].policy = kb->pcode[i].policy;
        v[i].pad = 0;
        v[i].code = kb->pcode[i].code;
    }
    qsort(v, kb->n_pcode, sizeof(pc), cmp_pc);
    *out = v;
    *n_out = kb->n_pcode;
    return MN_OK;
}

/* The codes of policy `p` in a sorted (policy, code) array. */
static const pc *codes_of(const pc *v, size_t n, uint32_t p, size_t *cnt)
{
    size_t lo = 0;
    size_t hi = n;
    size_t e;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].policy < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    e = lo;
    while (e < n && v[e].policy == p)
        e++;
    *cnt = e - lo;
    return v + lo;
}

/* The key at position i of a run of records `size` bytes apart. */
static mn_key key_at(const void *base, size_t i, size_t size)
{
    mn_key k;
    memcpy(&k, (const char *)base + i * size, sizeof(k));
    return k;
}

/* The differences of two sorted key runs (records `sx` and `sy` bytes
 * apart): JSON "name":{"added":[...],"added_count":N,"deleted":[...],
 * "deleted_count":N}, text " +A +B -C". A key repeated in a run (a code in
 * two groups) counts once. At most `max` keys are listed per side (0:
 * all). */
static void key_changes(mn_out *w, mn_format fmt, size_t max, const char *name,
                        const void *x, size_t nx, size_t sx, const void *y,
                        size_t ny, size_t sy, bool icd, bool first)
{
    if (fmt == MN_FORMAT_JSON)
        mn_x__out_printf(w, "%s\"%s\":{", first ? "" : ",", name);
    for (int pass = 0; pass < 2; pass++) {
        size_t i = 0;
        size_t j = 0;
        size_t count = 0;
        if (fmt == MN_FORMAT_JSON)
            mn_x__out_printf(w, "%s\"%s\":[", pass ? "," : "",
                             pass ? "deleted" : "added");
        while (i < nx || j < ny) {
            mn_key kx = i < nx ? key_at(x, i, sx) : 0;
            mn_key ky = j < ny ? key_at(y, j, sy) : 0;
            int c = i >= nx ? 1 : j >= ny ? -1 : key_cmp(kx, ky);
            bool hit = pass == 0 ? c > 0 : c < 0;
            if (c <= 0) {
                do {
                    i++;
                } while (i < nx && key_at(x, i, sx) == kx);
            }
            if (c >= 0) {
                do {
                    j++;
                } while (j < ny && key_at(y, j, sy) == ky);
            }
            if (!hit)
                continue;
            if (!max || count < max) {
                char code[12];
                if (icd)
                    mn_x__icd_dotted(code, c < 0 ? kx : ky);
                else
                    mn_x__key_text(code, c < 0 ? kx : ky);
                if (fmt == MN_FORMAT_JSON)
                    mn_x__out_printf(w, "%s\"%s\"", count ? "," : "", code);
                else
                    mn_x__out_printf(w, " %s%s", pass ? "-" : "+", code);
            }
            count++;
        }
        if (fmt == MN_FORMAT_JSON)
            mn_x__out_printf(w, "],\"%s_count\":%zu",
                             pass ? "deleted" : "added", count);
        else if (max && count > max)
            mn_x__out_printf(w, " (%zu more %s)", count - max,
                             pass ? "deleted" : "added");
    }
    if (fmt == MN_FORMAT_JSON)
        MN_OUT_LIT(w, "}");
}

/* The code-list changes of a revised policy: procedure codes and each
 * diagnosis list. */
static void policy_changes(dctx *d, mn_out *w, const mn_kb *o,
                           const kb_policy *x, const pc *oc, size_t noc,
                           const mn_kb *n, const kb_policy *y, const pc *nc,
                           size_t nnc)
{
    static const char *const lists[] = {"covered", "noncovered",
                                        "not_supported"};
    size_t xc;
    size_t yc;
    const pc *xs = codes_of(oc, noc, (uint32_t)(x - o->pol), &xc);
    const pc *ys = codes_of(nc, nnc, (uint32_t)(y - n->pol), &yc);

    if (d->fmt == MN_FORMAT_TEXT)
        MN_OUT_LIT(w, "\n        codes:");
    key_changes(w, d->fmt, d->max, "codes", xc ? &xs->code : NULL, xc,
                sizeof(pc), yc ? &ys->code : NULL, yc, sizeof(pc), false, true);
    for (int l = 0; l < 3; l++) {
        uint32_t xf = x->dx_first;
        uint32_t yf = y->dx_first;
        uint32_t xn = x->n_covered;
        uint32_t yn = y->n_covered;
        if (l >= 1) {
            xf += x->n_covered;
            yf += y->n_covered;
            xn = x->n_noncovered;
            yn = y->n_noncovered;
        }
        if (l == 2) {
            xf += x->n_noncovered;
            yf += y->n_noncovered;
            xn = x->n_notsup;
            yn = y->n_notsup;
        }
        if (d->fmt == MN_FORMAT_TEXT)
            mn_x__out_printf(w, "\n        %s diagnoses:", lists[l]);
        key_changes(w, d->fmt, d->max, lists[l], xn ? o->dxkey + xf : NULL, xn,
                    sizeof(mn_key), yn ? n->dxkey + yf : NULL, yn,
                    sizeof(mn_key), true, false);
    }
}

static void pol_json(mn_out *w, const mn_kb *kb, const kb_policy *p,
                     const char *verkey)
{
    mn_x__out_printf(w, "{\"kind\":\"%s\",\"id\":", pkind(p->kind));
    mn_x__out_json_str(w, kb_s(kb, p->id));
    mn_x__out_printf(w, ",\"%s\":%d,\"title\":", verkey, p->version);
    mn_x__out_json_str(w, p->title.len ? kb_s(kb, p->title) : NULL);
}

static int diff_policies(dctx *d, mn_out *w, const mn_kb *o, const mn_kb *n,
                         mn_kb_diff_summary *s)
{
    dlist add, rev, ret;
    mn_buf item = {{NULL, 0, 0, (size_t)64 << 20}};
    mn_out iw;
    pc *oc = NULL;
    pc *nc = NULL;
    size_t noc = 0;
    size_t nnc = 0;
    size_t i = 0;
    size_t j = 0;
    int rc = MN_OK;

    dl_init(&add);
    dl_init(&rev);
    dl_init(&ret);
    if ((rc = policy_codes(o, &oc, &noc)) || (rc = policy_codes(n, &nc, &nnc)))
        goto done;
    while ((i < o->n_pol || j < n->n_pol) && rc == MN_OK) {
        const kb_policy *x = i < o->n_pol ? &o->pol[i] : NULL;
        const kb_policy *y = j < n->n_pol ? &n->pol[j] : NULL;
        int c = !x ? 1 : !y ? -1 : pol_cmp(o, x, n, y);
        char tx[256];
        mn_buf_clear(&item);
        mn_x__out_init(&iw, &item);
        MN_OUT_LIT(&iw, ""); /* a NUL-terminated empty item */
        if (c > 0) {
            pol_json(&iw, n, y, "version");
            MN_OUT_LIT(&iw, "}");
            snprintf(tx, sizeof(tx), "%s %s v%d", pkind(y->kind),
                     kb_s(n, y->id), y->version);
            dl_add(d, &add, mn_buf_data(&item), tx);
        } else if (c < 0) {
            pol_json(&iw, o, x, "version");
            MN_OUT_LIT(&iw, ",\"ending\":null,\"removed\":true}");
            snprintf(tx, sizeof(tx),
                     "%s %s v%d (no longer in the knowledge base)",
                     pkind(x->kind), kb_s(o, x->id), x->version);
            dl_add(d, &ret, mn_buf_data(&item), tx);
        } else if (y->ending != MN_NODATE && y->ending != x->ending) {
            char dt[11];
            mn_x__format_date(dt, y->ending);
            pol_json(&iw, n, y, "version");
            mn_x__out_printf(&iw, ",\"ending\":\"%s\",\"removed\":false}", dt);
            snprintf(tx, sizeof(tx), "%s %s v%d (ends %s)", pkind(y->kind),
                     kb_s(n, y->id), y->version, dt);
            dl_add(d, &ret, mn_buf_data(&item), tx);
        } else if (y->version != x->version) {
            if (d->fmt == MN_FORMAT_JSON) {
                pol_json(&iw, n, y, "new_version");
                mn_x__out_printf(&iw, ",\"old_version\":%d,\"changes\":{",
                                 x->version);
            } else {
                mn_x__out_printf(&iw, "\n      %s %s v%d -> v%d",
                                 pkind(y->kind), kb_s(n, y->id), x->version,
                                 y->version);
            }
            policy_changes(d, &iw, o, x, oc, noc, n, y, nc, nnc);
            if (d->fmt == MN_FORMAT_JSON)
                MN_OUT_LIT(&iw, "}}");
            dl_add(d, &rev, mn_buf_data(&item), mn_buf_data(&item));
        }
        rc = iw.rc;
        if (c <= 0)
            i = pol_next(o, i);
        if (c >= 0)
            j = pol_next(n, j);
    }
    if (rc)
        goto done;
    s->policies_added = add.n;
    s->policies_revised = rev.n;
    s->policies_retired = ret.n;
    if (d->fmt == MN_FORMAT_JSON)
        MN_OUT_LIT(w, ",\"policies\":{");
    else
        mn_x__out_printf(w,
                         "policies (NCDs, LCDs, articles): %zu added, %zu "
                         "revised, %zu retired\n",
                         add.n, rev.n, ret.n);
    dl_put(d, w, "added", &add, true);
    dl_put(d, w, "revised", &rev, false);
    dl_put(d, w, "retired", &ret, false);
    if (d->fmt == MN_FORMAT_JSON)
        MN_OUT_LIT(w, "}");
done:
    mn_x__vec_free(&item.v);
    mn_x__free(oc);
    mn_x__free(nc);
    dl_free(d, &add);
    dl_free(d, &rev);
    dl_free(d, &ret);
    return rc;
}

/* ----------------------------------------------------------- NCCI */

/* A cursor over the PTP edits in force (no deletion date) of one table,
 * in (column 2, column 1) key order: the records of a column-2 code are
 * sorted by column-1 index, and the code dictionary by key. */
typedef struct ptpcur {
    const mn_ncci_view *v;
    uint32_t table_bit;
    size_t code; /* column-2 code index */
    size_t rec;
    mn_key col2;
    mn_key col1;
    bool done;
} ptpcur;

static void ptp_next(ptpcur *c)
{
    const mn_ncci_view *v = c->v;
    mn_key last1 = c->col1;
    mn_key last2 = c->col2;

    if (!v) {
        c->done = true;
        return;
    }
    while (c->code < v->n_codes) {
        uint32_t end = v->idx[c->code + 1];
        for (; c->rec < end; c->rec++) {
            const kb_ptp *p = &v->ptp[c->rec];
            mn_key k1;
            if (!(KB_PTP_TABLES(p) & c->table_bit) ||
                KB_PTP_DEL(p) != MN_D16_NONE_DEL ||
                KB_PTP_COL1(p) >= v->n_codes)
                continue;
            k1 = v->codes[KB_PTP_COL1(p)];
            if (k1 == last1 && v->codes[c->code] == last2)
                continue; /* another record of the same pair */
            c->col2 = v->codes[c->code];
            c->col1 = k1;
            c->rec++;
            return;
        }
        c->code++;
        if (c->code < v->n_codes)
            c->rec = v->idx[c->code];
    }
    c->done = true;
}

static void ptp_start(ptpcur *c, const mn_kb *kb, int table)
{
    memset(c, 0, sizeof(*c));
    c->v = mn_x__ncci_view(kb);
    c->table_bit = 1u << table;
    if (c->v && c->v->n_codes)
        c->rec = c->v->idx[0];
    ptp_next(c);
}

static int ptp_cmp(const ptpcur *a, const ptpcur *b)
{
    if (a->done)
        return b->done ? 0 : 1;
    if (b->done)
        return -1;
    if (a->col2 != b->col2)
        return key_cmp(a->col2, b->col2);
    return key_cmp(a->col1, b->col1);
}

static void pair_item(dctx *d, dlist *l, const char *f1, mn_key a,
                      const char *f2, mn_key b)
{
    char x[12];
    char y[12];
    char js[80];
    char tx[40];
    mn_x__key_text(x, a);
    mn_x__key_text(y, b);
    if (b) {
        snprintf(js, sizeof(js), "{\"%s\":\"%s\",\"%s\":\"%s\"}", f1, x, f2, y);
        snprintf(tx, sizeof(tx), "%s/%s", x, y);
    } else {
        /* an add-on code edit for any primary (CCCCC) */
        snprintf(js, sizeof(js), "{\"%s\":\"%s\",\"%s\":null}", f1, x, f2);
        snprintf(tx, sizeof(tx), "%s/any", x);
    }
    dl_add(d, l, js, tx);
}

static const char *const SERVICE[MN_MUE_SERVICES] = {
    "practitioner", "outpatient hospital", "dme supplier"};

static const char *service_name(unsigned s)
{
    return s < MN_MUE_SERVICES ? SERVICE[s] : "unknown";
}

static void diff_ptp(dctx *d, mn_out *w, const mn_kb *o, const mn_kb *n,
                     mn_kb_diff_summary *s)
{
    static const char *const tname[MN_PTP_TABLES] = {"practitioner",
                                                     "hospital"};

    if (d->fmt == MN_FORMAT_JSON)
        MN_OUT_LIT(w, ",\"ncci\":{\"ptp\":{");
    for (int t = 0; t < MN_PTP_TABLES; t++) {
        dlist add, del;
        ptpcur a;
        ptpcur z;
        dl_init(&add);
        dl_init(&del);
        ptp_start(&a, o, t);
        ptp_start(&z, n, t);
        while (!a.done || !z.done) {
            int c = ptp_cmp(&a, &z);
            if (c < 0)
                pair_item(d, &del, "column1", a.col1, "column2", a.col2);
            else if (c > 0)
                pair_item(d, &add, "column1", z.col1, "column2", z.col2);
            if (c <= 0)
                ptp_next(&a);
            if (c >= 0)
                ptp_next(&z);
        }
        s->ptp_added += add.n;
        s->ptp_deleted += del.n;
        if (d->fmt == MN_FORMAT_JSON)
            mn_x__out_printf(w, "%s\"%s\":{", t ? "," : "", tname[t]);
        else
            mn_x__out_printf(w,
                             "NCCI PTP edits in force, %s: %zu added, %zu "
                             "deleted\n",
                             tname[t], add.n, del.n);
        dl_put(d, w, "added", &add, true);
        dl_put(d, w, "deleted", &del, false);
        if (d->fmt == MN_FORMAT_JSON)
            MN_OUT_LIT(w, "}");
        dl_free(d, &add);
        dl_free(d, &del);
    }
    if (d->fmt == MN_FORMAT_JSON)
        MN_OUT_LIT(w, "}");
}

static void diff_mue(dctx *d, mn_out *w, const mn_kb *o, const mn_kb *n,
                     mn_kb_diff_summary *s)
{
    const mn_ncci_view *vo = mn_x__ncci_view(o);
    const mn_ncci_view *vn = mn_x__ncci_view(n);
    size_t no = vo ? vo->n_mue : 0;
    size_t nn = vn ? vn->n_mue : 0;
    size_t i = 0;
    size_t j = 0;
    dlist add, del, chg;

    dl_init(&add);
    dl_init(&del);
    dl_init(&chg);
    while (i < no || j < nn) {
        const kb_mue *x = i < no ? &vo->mue[i] : NULL;
        const kb_mue *y = j < nn ? &vn->mue[j] : NULL;
        int c = !x ? 1 : !y ? -1 : key_cmp(x->code, y->code);
        const kb_mue *e;
        char code[12];
        char js[160];
        char tx[96];
        if (!c)
            c = (x->service > y->service) - (x->service < y->service);
        e = c <= 0 ? x : y;
        mn_x__key_text(code, e->code);
        if (c != 0) {
            snprintf(js, sizeof(js),
                     "{\"code\":\"%s\",\"service\":\"%s\",\"units\":%u}", code,
                     service_name(e->service), e->units);
            snprintf(tx, sizeof(tx), "%s (%s, %u)", code,
                     service_name(e->service), e->units);
            dl_add(d, c < 0 ? &del : &add, js, tx);
        } else if (x->units != y->units || x->mai != y->mai) {
            snprintf(js, sizeof(js),
                     "{\"code\":\"%s\",\"service\":\"%s\",\"old_units\":%u,"
                     "\"new_units\":%u,\"old_mai\":%u,\"new_mai\":%u}",
                     code, service_name(y->service), x->units, y->units, x->mai,
                     y->mai);
            snprintf(tx, sizeof(tx), "%s (%s, %u -> %u)", code,
                     service_name(y->service), x->units, y->units);
            dl_add(d, &chg, js, tx);
        }
        if (c <= 0)
            i++;
        if (c >= 0)
            j++;
    }
    s->mue_added = add.n;
    s->mue_deleted = del.n;
    s->mue_changed = chg.n;
    if (d->fmt == MN_FORMAT_JSON)
        MN_OUT_LIT(w, ",\"mue\":{");
    else
        mn_x__out_printf(w, "NCCI MUEs: %zu added, %zu deleted, %zu changed\n",
                         add.n, del.n, chg.n);
    dl_put(d, w, "added", &add, true);
    dl_put(d, w, "deleted", &del, false);
    dl_put(d, w, "changed", &chg, false);
    if (d->fmt == MN_FORMAT_JSON)
        MN_OUT_LIT(w, "}");
    dl_free(d, &add);
    dl_free(d, &del);
    dl_free(d, &chg);
}

/* The next add-on code edit in force (no deletion date) from `*i`, or
 * NULL. */
static const kb_aoc *aoc_in_force(const mn_ncci_view *v, size_t *i)
{
    size_t n = v ? v->n_aoc : 0;
    while (*i < n && v->aoc[*i].deleted != MN_NODATE)
        (*i)++;
    return *i < n ? &v->aoc[*i] : NULL;
}

/* Moves `*i` past the rows of the pair (addon, primary). */
static void aoc_skip(const mn_ncci_view *v, size_t *i, mn_key addon,
                     mn_key primary)
{
    while (*i < v->n_aoc && v->aoc[*i].addon == addon &&
           v->aoc[*i].primary == primary)
        (*i)++;
}

static void diff_aoc(dctx *d, mn_out *w, const mn_kb *o, const mn_kb *n,
                     mn_kb_diff_summary *s)
{
    const mn_ncci_view *vo = mn_x__ncci_view(o);
    const mn_ncci_view *vn = mn_x__ncci_view(n);
    size_t i = 0;
    size_t j = 0;
    dlist add, del;

    dl_init(&add);
    dl_init(&del);
    for (;;) {
        const kb_aoc *x = aoc_in_force(vo, &i);
        const kb_aoc *y = aoc_in_force(vn, &j);
        int c;
        if (!x && !y)
            break;
        c = !x ? 1 : !y ? -1 : key_cmp(x->addon, y->addon);
        if (!c)
            c = key_cmp(x->primary, y->primary);
        if (c < 0)
            pair_item(d, &del, "addon", x->addon, "primary", x->primary);
        else if (c > 0)
            pair_item(d, &add, "addon", y->addon, "primary", y->primary);
        if (c <= 0)
            aoc_skip(vo, &i, x->addon, x->primary);
        if (c >= 0)
            aoc_skip(vn, &j, y->addon, y->primary);
    }
    s->aoc_added = add.n;
    s->aoc_deleted = del.n;
    if (d->fmt == MN_FORMAT_JSON)
        MN_OUT_LIT(w, ",\"aoc\":{");
    else
        mn_x__out_printf(w,
                         "NCCI add-on code edits in force: %zu added, %zu "
                         "deleted\n",
                         add.n, del.n);
    dl_put(d, w, "added", &add, true);
    dl_put(d, w, "deleted", &del, false);
    if (d->fmt == MN_FORMAT_JSON)
        MN_OUT_LIT(w, "}}");
    dl_free(d, &add);
    dl_free(d, &del);
}

/* ---------------------------------------------------------- entry */

static void ident(mn_out *w, mn_format fmt, const char *name, const mn_kb *kb,
                  bool first)
{
    if (fmt == MN_FORMAT_TEXT) {
        mn_x__out_printf(w, "%s %s (version %s, built %s)\n", name,
                         mn_kb_source(kb), mn_kb_version(kb), mn_kb_built(kb));
        return;
    }
    mn_x__out_printf(w, "%s\"%s\":{\"source\":", first ? "" : ",", name);
    mn_x__out_json_str(w, mn_kb_source(kb));
    MN_OUT_LIT(w, ",\"version\":");
    mn_x__out_json_str(w, mn_kb_version(kb));
    MN_OUT_LIT(w, ",\"built\":");
    mn_x__out_json_str(w, mn_kb_built(kb));
    MN_OUT_LIT(w, "}");
}

int mn_kb_diff(mn_kb_diff_summary *out, mn_buf *buf, const mn_kb *old_kb,
               const mn_kb *new_kb, const mn_kb_diff_options *opts,
               mn_format format, mn_error *err)
{
    mn_kb_diff_summary s;
    mn_buf scratch = {{NULL, 0, 0, (size_t)64 << 20}};
    mn_out w;
    dctx d;
    int rc;

    memset(&s, 0, sizeof(s));
    s.version = MN_KB_DIFF_SUMMARY_VERSION;
    if (!old_kb || !new_kb)
        return mn_x__err(err, MN_EINVAL, "missing knowledge base");
    if (opts && opts->version != MN_KB_DIFF_OPTIONS_VERSION)
        return mn_x__err(err, MN_EINVAL, "unknown diff options version %u",
                         opts->version);
    d.fmt = format;
    d.max = opts ? opts->max_items : 0;
    d.rc = MN_OK;
    if (!buf)
        d.max = 1; /* counts only: list next to nothing */
    mn_x__out_init(&w, buf ? buf : &scratch);
    if (format == MN_FORMAT_JSON)
        MN_OUT_LIT(&w, "{");
    ident(&w, format, "old", old_kb, true);
    ident(&w, format, "new", new_kb, false);
    if (format == MN_FORMAT_JSON)
        MN_OUT_LIT(&w, ",");
    diff_icd(&d, &w, old_kb, new_kb, &s);
    diff_hcpcs(&d, &w, old_kb, new_kb, &s);
    rc = diff_policies(&d, &w, old_kb, new_kb, &s);
    diff_ptp(&d, &w, old_kb, new_kb, &s);
    diff_mue(&d, &w, old_kb, new_kb, &s);
    diff_aoc(&d, &w, old_kb, new_kb, &s);
    if (format == MN_FORMAT_JSON)
        mn_x__out_printf(
            &w,
            ",\"summary\":{\"icd10cm_added\":%zu,\"icd10cm_deleted\":%zu,"
            "\"icd10cm_billable_changed\":%zu,\"hcpcs_added\":%zu,"
            "\"hcpcs_deleted\":%zu,\"hcpcs_terminated\":%zu,"
            "\"hcpcs_coverage_changed\":%zu,\"modifiers_added\":%zu,"
            "\"modifiers_deleted\":%zu,\"policies_added\":%zu,"
            "\"policies_revised\":%zu,\"policies_retired\":%zu,"
            "\"ptp_added\":%zu,\"ptp_deleted\":%zu,\"mue_added\":%zu,"
            "\"mue_deleted\":%zu,\"mue_changed\":%zu,\"aoc_added\":%zu,"
            "\"aoc_deleted\":%zu}}\n",
            s.icd_added, s.icd_deleted, s.icd_billable_changed, s.hcpcs_added,
            s.hcpcs_deleted, s.hcpcs_terminated, s.hcpcs_coverage_changed,
            s.modifiers_added, s.modifiers_deleted, s.policies_added,
            s.policies_revised, s.policies_retired, s.ptp_added, s.ptp_deleted,
            s.mue_added, s.mue_deleted, s.mue_changed, s.aoc_added,
            s.aoc_deleted);
    mn_x__vec_free(&scratch.v);
    if (!rc)
        rc = d.rc ? d.rc : w.rc;
    if (rc)
        return mn_x__err(err, rc, "cannot compare the knowledge bases: %s",
                         mn_strerror(rc));
    if (out)
        *out = s;
    return MN_OK;
}
