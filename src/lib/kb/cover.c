/*
 * kb/cover.c: what dates a knowledge base covers, per source kind (the
 * coverage table, kb/kbfmt.h kb_cover), the strict ICD-10-CM and MCE
 * version of a date, and the HCPCS modifiers.
 */
#include <stdio.h>
#include <string.h>

#include "kb/kb_int.h"

static const struct {
    const char *name;
    const char *title;
} kinds[MN_SOURCE_KIND_END_] = {
    {"unknown", "unknown source"},
    {"icd10cm", "ICD-10-CM"},
    {"hcpcs", "HCPCS Level II"},
    {"hcpcs_modifiers", "HCPCS Level II modifiers"},
    {"mce", "Medicare Code Editor"},
    {"mcd", "MCD (LCDs and billing articles)"},
    {"lab_ncd", "lab NCD code lists"},
    {"ncci_ptp_practitioner", "NCCI PTP (practitioner)"},
    {"ncci_ptp_hospital", "NCCI PTP (hospital)"},
    {"ncci_mue_practitioner", "NCCI MUE (practitioner services)"},
    {"ncci_mue_hospital", "NCCI MUE (outpatient hospital services)"},
    {"ncci_mue_dme", "NCCI MUE (DME supplier services)"},
    {"ncci_aoc", "NCCI add-on codes"},
    {"ipo", "OPPS inpatient-only list"},
    {"rules", "rule pack"},
};

const char *mn_source_kind_name(mn_source_kind kind)
{
    return kind > 0 && kind < MN_SOURCE_KIND_END_ ? kinds[kind].name
                                                  : kinds[0].name;
}

const char *mn_source_kind_title(mn_source_kind kind)
{
    return kind > 0 && kind < MN_SOURCE_KIND_END_ ? kinds[kind].title
                                                  : kinds[0].title;
}

size_t mn_kb_coverage_count(const mn_kb *kb)
{
    return kb ? kb->n_cover : 0;
}

int mn_kb_coverage_at(mn_kb_coverage *out, const mn_kb *kb, size_t i,
                      mn_error *err)
{
    const kb_cover *c;

    if (!out || !kb)
        return mn_x__err(err, MN_EINVAL, "missing argument");
    if (out->version != MN_KB_COVERAGE_VERSION)
        return mn_x__err(err, MN_EINVAL, "unknown coverage record version %u",
                         out->version);
    if (i >= kb->n_cover)
        return mn_x__err(err, MN_EINVAL, "coverage record %zu out of range", i);
    c = &kb->cover[i];
    out->kind = (mn_source_kind)c->kind;
    out->label = kb_s(kb, c->label);
    out->sources = kb_s(kb, c->sources);
    out->rows = (size_t)c->rows;
    out->dated = !(c->flags & KB_CF_UNDATED);
    out->declared = (c->flags & KB_CF_DECLARED) != 0;
    out->from = NULL;
    out->to = NULL;
    if (c->from != MN_NODATE) {
        mn_x__format_date(out->from_buf, c->from);
        out->from = out->from_buf;
    }
    if (c->to != MN_NODATE) {
        mn_x__format_date(out->to_buf, c->to);
        out->to = out->to_buf;
    }
    return MN_OK;
}

/* The first record of `kind` (records are sorted by kind), or n_cover. */
static size_t first_of(const mn_kb *kb, int kind)
{
    size_t lo = 0;
    size_t hi = kb->n_cover;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((int)kb->cover[mid].kind < kind)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void mn_x__kb_cover_index(mn_kb *kb)
{
    for (int k = 0; k < MN_SOURCE_KIND_END_; k++) {
        size_t i = first_of(kb, k);
        size_t e = i;
        while (e < kb->n_cover && (int)kb->cover[e].kind == k)
            e++;
        kb->cov_first[k] = (uint32_t)i;
        kb->cov_n[k] = (uint32_t)(e - i);
    }
}

int mn_x__kb_covers(const mn_kb *kb, int kind, int32_t date)
{
    const kb_cover *c;
    uint32_t n;

    if (kind <= 0 || kind >= MN_SOURCE_KIND_END_ || !kb->cov_n[kind])
        return -1;
    c = kb->cover + kb->cov_first[kind];
    n = kb->cov_n[kind];
    for (uint32_t i = 0; i < n; i++, c++) {
        if ((c->flags & KB_CF_UNDATED) ||
            ((c->from == MN_NODATE || c->from <= date) &&
             (c->to == MN_NODATE || date <= c->to)))
            return 1;
    }
    return 0;
}

int mn_kb_covers(const mn_kb *kb, mn_source_kind kind, const char *date)
{
    int32_t d;

    if (!kb || !date || kind <= 0 || kind >= MN_SOURCE_KIND_END_ ||
        !mn_x__parse_date(&d, date, strlen(date), false))
        return MN_EINVAL;
    return mn_x__kb_covers(kb, (int)kind, d);
}

int mn_x__kb_icd_version(const mn_kb *kb, int32_t date)
{
    const kb_meta *m = kb->meta;
    int v = MN_KB_OUTSIDE;

    if (!m->n_icd_years || !kb->n_icd)
        return MN_KB_NONE;
    for (uint32_t i = 0; i < m->n_icd_years; i++) {
        if (m->icd_from[i] <= date && date <= m->icd_to[i]) {
            v = (int)i;
            break;
        }
    }
    return v;
}

int mn_x__kb_mce_strict(const mn_kb *kb, int32_t date)
{
    const kb_meta *m = kb->meta;

    if (!m->n_mce || !kb->n_mce)
        return MN_KB_NONE;
    for (uint32_t i = 0; i < m->n_mce; i++) {
        if (kb->mce_from[i] <= date && date <= kb->mce_to[i])
            return (int)i; /* its fiscal year */
    }
    return MN_KB_OUTSIDE;
}

const kb_modifier *mn_x__kb_modifier(const mn_kb *kb, const char *code)
{
    char c[2];
    size_t lo = 0;
    size_t hi = kb->n_mod;

    if (!code || !code[0] || !code[1])
        return NULL;
    c[0] = (char)mn_x__toupper((unsigned char)code[0]);
    c[1] = (char)mn_x__toupper((unsigned char)code[1]);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = memcmp(kb->mod[mid].code, c, 2);
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < kb->n_mod && memcmp(kb->mod[lo].code, c, 2) == 0 ? &kb->mod[lo]
                                                                 : NULL;
}

size_t mn_x__kb_periods(const mn_kb *kb, int kind, int32_t *from, int32_t *to,
                        size_t cap, bool *undated)
{
    size_t n = 0;
    size_t i = first_of(kb, kind);

    *undated = false;
    for (; i < kb->n_cover && (int)kb->cover[i].kind == kind; i++) {
        const kb_cover *c = &kb->cover[i];
        int64_t f;
        int64_t t;
        if (c->flags & KB_CF_UNDATED) {
            *undated = true;
            continue;
        }
        f = c->from == MN_NODATE ? INT64_MIN : c->from;
        t = c->to == MN_NODATE ? INT64_MAX : c->to;
        /* records are sorted by first day: join with the last period when
           they touch or overlap */
        if (n) {
            int64_t lt = to[n - 1] == MN_NODATE ? INT64_MAX : to[n - 1];
            if (f <= lt + 1) {
                if (t > lt)
                    to[n - 1] = c->to;
                continue;
            }
        }
        if (n == cap)
            break;
        from[n] = c->from;
        to[n] = c->to;
        n++;
    }
    return n;
}

void mn_x__kb_range_text(char *out, size_t cap, int32_t from, int32_t to)
{
    char a[11];
    char z[11];

    if (from != MN_NODATE)
        mn_x__format_date(a, from);
    if (to != MN_NODATE)
        mn_x__format_date(z, to);
    if (from == MN_NODATE && to == MN_NODATE)
        snprintf(out, cap, "any date");
    else if (from == MN_NODATE)
        snprintf(out, cap, "until %s", z);
    else if (to == MN_NODATE)
        snprintf(out, cap, "from %s", a);
    else
        snprintf(out, cap, "%s to %s", a, z);
}

size_t mn_x__kb_periods_text(const mn_kb *kb, int kind, char *out, size_t cap)
{
    int32_t from[16];
    int32_t to[16];
    bool undated;
    size_t n = mn_x__kb_periods(kb, kind, from, to, 16, &undated);
    size_t len = 0;

    if (cap)
        out[0] = '\0';
    for (size_t i = 0; i < n && len + 1 < cap; i++) {
        char r[40];
        mn_x__kb_range_text(r, sizeof(r), from[i], to[i]);
        len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? ", " : "", r);
    }
    if (undated && len + 1 < cap)
        len += (size_t)snprintf(out + len, cap - len, "%sdates unknown",
                                n ? ", and " : "");
    if (!n && !undated && cap)
        len = (size_t)snprintf(out, cap, "nothing");
    return len < cap ? len : cap - 1;
}

int mn_x__kb_pack_state(const mn_kb *kb, const char *name, size_t len,
                        int32_t date, char *periods, size_t cap)
{
    size_t i = first_of(kb, MN_SOURCE_RULES);
    int state = MN_PACK_NONE;
    size_t used = 0;

    if (periods && cap)
        periods[0] = '\0';
    for (; i < kb->n_cover && kb->cover[i].kind == MN_SOURCE_RULES; i++) {
        const kb_cover *c = &kb->cover[i];
        bool holds;
        if (c->label.len != len || memcmp(kb_s(kb, c->label), name, len) != 0)
            continue;
        if (state == MN_PACK_NONE)
            state = MN_PACK_OUTSIDE;
        holds = (c->from == MN_NODATE || c->from <= date) &&
                (c->to == MN_NODATE || date <= c->to);
        if (holds && (c->flags & KB_CF_DECLARED))
            state = MN_PACK_DECLARED;
        else if (holds && state == MN_PACK_OUTSIDE)
            state = MN_PACK_SPAN;
        if (periods && used + 1 < cap) {
            char r[40];
            mn_x__kb_range_text(r, sizeof(r), c->from, c->to);
            used += (size_t)snprintf(
                periods + used, cap - used, "%s%s%s", used ? ", " : "", r,
                (c->flags & KB_CF_DECLARED) ? "" : " (the span of its rules)");
            if (used >= cap)
                used = cap - 1;
        }
    }
    return state;
}
