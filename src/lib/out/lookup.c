/*
 * out/lookup.c: the policies that govern a code and the diagnoses that
 * support it, for `mednec lookup`, as JSON or text.
 */
#include <stdio.h>
#include <string.h>

#include "check/check.h"
#include "claim/jurisdiction.h"
#include "kb/kb_int.h"
#include "kb/mcd_fmt.h"
#include "kb/srules_fmt.h"
#include "out/writer.h"

static const char *kind_name(uint32_t kind)
{
    return kind == MN_PK_NCD ? "ncd" : kind == MN_PK_LCD ? "lcd" : "article";
}

/* What the statute excludes when policy `p` does not cover a line (a
 * `statutory` policy rule), or NULL. */
static const char *statutory_reason(const mn_kb *kb, const kb_policy *p)
{
    const kb_rule *r = mn_x__kb_statutory_rule(kb, p, MN_NODATE);
    return r ? kb_s(kb, r->reason) : NULL;
}

/* What a lookup writes with: the writer, the format, the KB and the ICD
 * version that tells billable codes from headers (-1: none loaded). */
typedef struct look {
    mn_out w;
    mn_format fmt;
    const mn_kb *kb;
    int icd_year;
    size_t max_dx;
} look;

static bool json(const look *l)
{
    return l->fmt == MN_FORMAT_JSON;
}

/* 1 billable, 0 a header (not billable), -1 not known in that version. */
static int billable(const look *l, const kb_icd *e)
{
    if (!e || l->icd_year < 0 || !(e->present & (1u << l->icd_year)))
        return -1;
    return (e->billable & (1u << l->icd_year)) != 0;
}

static void dx_list(look *l, const kb_policy *p, int list)
{
    const mn_kb *kb = l->kb;
    size_t first = p->dx_first;
    size_t n = p->n_covered;
    size_t shown = 0;

    if (list == MN_DL_NONCOVERED) {
        first += p->n_covered;
        n = p->n_noncovered;
    } else if (list == MN_DL_NOT_SUPPORTED) {
        first += (size_t)p->n_covered + p->n_noncovered;
        n = p->n_notsup;
    }
    for (size_t i = 0; i < n && l->w.rc == MN_OK; i++) {
        char code[12];
        uint32_t m = kb->dxmeta[first + i];
        const kb_icd *e = mn_x__kb_icd(kb, kb->dxkey[first + i]);
        int bill = billable(l, e);
        if (l->max_dx && shown == l->max_dx) {
            if (!json(l))
                mn_x__out_printf(&l->w, "      ... %zu more\n", n - shown);
            break;
        }
        mn_x__icd_dotted(code, kb->dxkey[first + i]);
        if (!json(l)) {
            mn_x__out_printf(&l->w, "      %-8s%s g%u  %s%s\n", code,
                             KB_DX_AST(m) ? "*" : " ", KB_DX_GROUP(m),
                             bill == 0 ? "(header, not billable) " : "",
                             e ? kb_s(kb, e->desc) : "");
        } else {
            if (shown)
                MN_OUT_LIT(&l->w, ",");
            MN_OUT_LIT(&l->w, "{\"code\":");
            mn_x__out_json_str(&l->w, code);
            mn_x__out_printf(&l->w, ",\"group\":%u,\"asterisk\":%s",
                             KB_DX_GROUP(m), KB_DX_AST(m) ? "true" : "false");
            MN_OUT_LIT(&l->w, ",\"billable\":");
            mn_x__out_puts(&l->w, bill < 0    ? "null"
                                  : bill == 1 ? "true"
                                              : "false");
            MN_OUT_LIT(&l->w, ",\"description\":");
            mn_x__out_json_str(&l->w,
                               e && e->desc.len ? kb_s(kb, e->desc) : NULL);
            MN_OUT_LIT(&l->w, "}");
        }
        shown++;
    }
}

/* The HCPCS coverage code and statute number of a code (text: one line,
 * or nothing when the KB has neither; JSON: the "coverage" member). */
static void coverage(look *l, const kb_hcpcs *h)
{
    const char *meaning = h ? mn_x__hcpcs_coverage_meaning(h->coverage) : NULL;
    const char *raw = h ? kb_s(l->kb, h->statute) : "";
    char statute[72];

    statute[0] = '\0';
    if (h && h->statute.len)
        mn_x__hcpcs_statute(statute, sizeof(statute), raw, h->statute.len);
    if (!json(l)) {
        if (!meaning && !statute[0])
            return;
        if (meaning)
            mn_x__out_printf(&l->w, "  HCPCS coverage code %c: %s",
                             (char)h->coverage, meaning);
        else
            MN_OUT_LIT(&l->w, "  HCPCS coverage code unknown");
        /* the file's spelling too, when it was more than "SSA " away */
        if (statute[0]) {
            bool same = strcmp(statute, raw) == 0 ||
                        (strncmp(statute, "SSA ", 4) == 0 &&
                         strcmp(statute + 4, raw) == 0);
            mn_x__out_printf(&l->w, "; statute %s%s%s%s", statute,
                             same ? "" : " (file: ", same ? "" : raw,
                             same ? "" : ")");
        }
        MN_OUT_LIT(&l->w, "\n");
        return;
    }
    if (!meaning && !statute[0]) {
        MN_OUT_LIT(&l->w, ",\"coverage\":null");
        return;
    }
    MN_OUT_LIT(&l->w, ",\"coverage\":{\"code\":");
    {
        char c[2] = {(char)(meaning ? h->coverage : 0), '\0'};
        mn_x__out_json_str(&l->w, meaning ? c : NULL);
    }
    MN_OUT_LIT(&l->w, ",\"meaning\":");
    mn_x__out_json_str(&l->w, meaning);
    MN_OUT_LIT(&l->w, ",\"statute\":");
    mn_x__out_json_str(&l->w, statute[0] ? statute : NULL);
    MN_OUT_LIT(&l->w, ",\"statute_as_given\":");
    mn_x__out_json_str(&l->w, statute[0] ? raw : NULL);
    MN_OUT_LIT(&l->w, "}");
}

/* The service rules of a code (frequency, age, sex, exclusions...). */
static void service_rules(look *l, mn_key key, int32_t date)
{
    const mn_kb *kb = l->kb;
    const mn_srules_view *v = kb->ext_view[MN_SRULES_VIEW];
    size_t shown = 0;

    if (json(l))
        MN_OUT_LIT(&l->w, ",\"service_rules\":[");
    for (size_t i = 0; v && i < v->n_idx && l->w.rc == MN_OK; i++) {
        const kb_srule *r;
        char e1[11] = "", e2[11] = "";
        /* rules for any code (modifier-conditioned, e.g. therapy) are
           left out: they are not about this code */
        if (v->idx[i].code != key || v->idx[i].rule >= v->n_rule)
            continue;
        r = &v->rule[v->idx[i].rule];
        if (date != MN_NODATE &&
            !((r->effective == MN_NODATE || r->effective <= date) &&
              (r->ending == MN_NODATE || date <= r->ending)))
            continue;
        mn_x__format_date(e1, r->effective);
        mn_x__format_date(e2, r->ending);
        if (!json(l)) {
            if (!shown)
                MN_OUT_LIT(&l->w, "\n  service rules:\n");
            mn_x__out_printf(&l->w,
                             "    %s (%s), in force %s to %s\n"
                             "      %.300s\n",
                             kb_s(kb, r->id), kb_s(kb, r->pack),
                             e1[0] ? e1 : "(open)", e2[0] ? e2 : "(open)",
                             kb_s(kb, r->source));
        } else {
            if (shown)
                MN_OUT_LIT(&l->w, ",");
            MN_OUT_LIT(&l->w, "{\"id\":");
            mn_x__out_json_str(&l->w, kb_s(kb, r->id));
            MN_OUT_LIT(&l->w, ",\"pack\":");
            mn_x__out_json_str(&l->w, kb_s(kb, r->pack));
            MN_OUT_LIT(&l->w, ",\"effective\":");
            mn_x__out_json_date(&l->w, r->effective);
            MN_OUT_LIT(&l->w, ",\"ending\":");
            mn_x__out_json_date(&l->w, r->ending);
            MN_OUT_LIT(&l->w, ",\"source\":");
            mn_x__out_json_str(&l->w, kb_s(kb, r->source));
            MN_OUT_LIT(&l->w, "}");
        }
        shown++;
    }
    if (json(l))
        MN_OUT_LIT(&l->w, "]");
}

static const char *kb_str_or_null(const mn_kb *kb, kb_str s)
{
    return s.len ? kb_s(kb, s) : NULL;
}

static uint32_t index_of(const mn_kb *kb, const kb_policy *p)
{
    return (uint32_t)(p - kb->pol);
}

/* Where a place came from, in a few words. */
static const char *place_source(unsigned flags)
{
    if (flags & KB_PL_DME)
        return "DME region";
    if (flags & KB_PL_LCD)
        return "its LCD's contractors";
    if (flags & KB_PL_EXPORT)
        return "contractor jurisdiction";
    if (flags & KB_PL_INDEX)
        return "documents index";
    return "contractor number";
}

/* "CA" or "CA-SOUTHERN" (or "CA (a part)") into out. */
static const char *place_name(char *out, size_t size, const kb_place *p)
{
    const char *st = mn_x__state_abbrev(p->state);
    if (p->part == KB_PART_WHOLE)
        snprintf(out, size, "%s", st);
    else if (p->part == KB_PART_OTHER)
        snprintf(out, size, "%s (a part)", st);
    else
        snprintf(out, size, "%s-%s", st, mn_x__part_name((int)p->part - 1));
    return out;
}

/* The places, related documents, modifiers and links of a local policy. */
static void extras_text(look *l, const kb_policy *p)
{
    const mn_kb *kb = l->kb;
    uint32_t pi = index_of(kb, p);
    size_t n = 0;
    const kb_place *pl = mn_x__kb_places(kb, pi, &n);
    const kb_pattach *a;

    if (p->kind != MN_PK_NCD && (p->flags & MN_PF_PLACE_UNKNOWN))
        MN_OUT_LIT(&l->w, "    applies: places unknown (may apply anywhere)\n");
    for (size_t i = 0; i < n; i++) {
        char name[40];
        char d1[11] = "";
        char d2[11] = "";
        mn_x__format_date(d1, pl[i].active);
        mn_x__format_date(d2, pl[i].term);
        mn_x__out_printf(&l->w, "    %s %s%s%s%s%s (%s)\n",
                         i ? "          " : "applies in:",
                         place_name(name, sizeof(name), &pl[i]),
                         d1[0] ? " from " : "", d1, d2[0] ? " to " : "", d2,
                         (pl[i].flags & KB_PL_MAYBE)
                             ? "documents index: one of several jurisdictions"
                             : place_source(pl[i].flags));
    }
    for (unsigned kind = KB_PA_LCD; kind <= KB_PA_ARTICLE; kind++) {
        a = mn_x__kb_attach(kb, pi, kind, &n);
        for (size_t i = 0; i < n; i++) {
            mn_x__out_printf(&l->w, "    related %s %s",
                             kind == KB_PA_LCD ? "LCD" : "article",
                             kb_s(kb, a[i].a));
            if (a[i].num >= 0)
                mn_x__out_printf(&l->w, " v%d", a[i].num);
            MN_OUT_LIT(&l->w, "\n");
        }
    }
    a = mn_x__kb_attach(kb, pi, KB_PA_MODIFIER_GROUP, &n);
    for (size_t i = 0; i < n; i++)
        mn_x__out_printf(&l->w, "    modifier group %u: %.300s\n", a[i].group,
                         kb_s(kb, a[i].a));
    a = mn_x__kb_attach(kb, pi, KB_PA_MODIFIER, &n);
    for (size_t i = 0; i < n; i++)
        mn_x__out_printf(&l->w, "    modifier %s (group %u)%s%.200s\n",
                         kb_s(kb, a[i].a), a[i].group, a[i].b.len ? ": " : "",
                         kb_s(kb, a[i].b));
    a = mn_x__kb_attach(kb, pi, KB_PA_URL, &n);
    for (size_t i = 0; i < n; i++)
        mn_x__out_printf(&l->w, "    link: %s%s%.200s\n", kb_s(kb, a[i].a),
                         a[i].b.len ? "  " : "", kb_s(kb, a[i].b));
}

static void extras_json(look *l, const kb_policy *p)
{
    const mn_kb *kb = l->kb;
    uint32_t pi = index_of(kb, p);
    size_t n = 0;
    const kb_place *pl = mn_x__kb_places(kb, pi, &n);
    const kb_pattach *a;

    MN_OUT_LIT(&l->w, ",\"places_unknown\":");
    mn_x__out_puts(&l->w,
                   p->kind != MN_PK_NCD && (p->flags & MN_PF_PLACE_UNKNOWN)
                       ? "true"
                       : "false");
    MN_OUT_LIT(&l->w, ",\"places\":[");
    for (size_t i = 0; i < n; i++) {
        mn_x__out_printf(&l->w, "%s{\"state\":", i ? "," : "");
        mn_x__out_json_str(&l->w, mn_x__state_abbrev(pl[i].state));
        MN_OUT_LIT(&l->w, ",\"part\":");
        mn_x__out_json_str(&l->w, pl[i].part == KB_PART_WHOLE ? NULL
                                  : pl[i].part == KB_PART_OTHER
                                      ? "OTHER"
                                      : mn_x__part_name((int)pl[i].part - 1));
        MN_OUT_LIT(&l->w, ",\"active\":");
        mn_x__out_json_date(&l->w, pl[i].active);
        MN_OUT_LIT(&l->w, ",\"term\":");
        mn_x__out_json_date(&l->w, pl[i].term);
        MN_OUT_LIT(&l->w, ",\"certain\":");
        mn_x__out_puts(&l->w, (pl[i].flags & KB_PL_MAYBE) ? "false" : "true");
        MN_OUT_LIT(&l->w, ",\"source\":");
        mn_x__out_json_str(&l->w, place_source(pl[i].flags));
        MN_OUT_LIT(&l->w, "}");
    }
    MN_OUT_LIT(&l->w, "],\"related_documents\":[");
    {
        size_t shown = 0;
        for (unsigned kind = KB_PA_LCD; kind <= KB_PA_ARTICLE; kind++) {
            a = mn_x__kb_attach(kb, pi, kind, &n);
            for (size_t i = 0; i < n; i++, shown++) {
                mn_x__out_printf(&l->w, "%s{\"id\":", shown ? "," : "");
                mn_x__out_json_str(&l->w, kb_s(kb, a[i].a));
                MN_OUT_LIT(&l->w, ",\"version\":");
                if (a[i].num >= 0)
                    mn_x__out_int(&l->w, a[i].num);
                else
                    MN_OUT_LIT(&l->w, "null");
                MN_OUT_LIT(&l->w, "}");
            }
        }
    }
    MN_OUT_LIT(&l->w, "],\"modifiers\":[");
    a = mn_x__kb_attach(kb, pi, KB_PA_MODIFIER, &n);
    for (size_t i = 0; i < n; i++) {
        mn_x__out_printf(&l->w, "%s{\"modifier\":", i ? "," : "");
        mn_x__out_json_str(&l->w, kb_s(kb, a[i].a));
        mn_x__out_printf(&l->w, ",\"group\":%u,\"description\":", a[i].group);
        mn_x__out_json_str(&l->w, kb_str_or_null(kb, a[i].b));
        MN_OUT_LIT(&l->w, "}");
    }
    MN_OUT_LIT(&l->w, "],\"modifier_groups\":[");
    a = mn_x__kb_attach(kb, pi, KB_PA_MODIFIER_GROUP, &n);
    for (size_t i = 0; i < n; i++) {
        mn_x__out_printf(&l->w, "%s{\"group\":%u,\"paragraph\":", i ? "," : "",
                         a[i].group);
        mn_x__out_json_str(&l->w, kb_s(kb, a[i].a));
        MN_OUT_LIT(&l->w, "}");
    }
    MN_OUT_LIT(&l->w, "],\"links\":[");
    a = mn_x__kb_attach(kb, pi, KB_PA_URL, &n);
    for (size_t i = 0; i < n; i++) {
        mn_x__out_printf(&l->w, "%s{\"url\":", i ? "," : "");
        mn_x__out_json_str(&l->w, kb_s(kb, a[i].a));
        MN_OUT_LIT(&l->w, ",\"name\":");
        mn_x__out_json_str(&l->w, kb_str_or_null(kb, a[i].b));
        MN_OUT_LIT(&l->w, "}");
    }
    MN_OUT_LIT(&l->w, "]");
}

/* The page of a policy: from the KB (NCDs of the MCD export), else built
 * for MCD articles and LCDs; NULL when none. */
static const char *page_of(const mn_kb *kb, const kb_policy *p, char *url,
                           size_t size)
{
    size_t n = 0;
    const kb_pattach *a = mn_x__kb_attach(kb, index_of(kb, p), KB_PA_PAGE, &n);
    if (n)
        return kb_s(kb, a->a);
    return mn_x__citation_url(url, size, kind_name(p->kind), kb_s(kb, p->id),
                              p->version)
               ? url
               : NULL;
}

static void policy_text(look *l, const kb_policy *p)
{
    const mn_kb *kb = l->kb;
    char e1[11] = "", e2[11] = "";
    char url[160];

    mn_x__format_date(e1, p->effective);
    mn_x__format_date(e2, p->ending);
    mn_x__out_printf(
        &l->w, "\n  %s %s v%d  %s\n    in force %s to %s%s%s%s%s\n",
        kind_name(p->kind), kb_s(kb, p->id), p->version, kb_s(kb, p->title),
        e1[0] ? e1 : "(open)", e2[0] ? e2 : "(open)",
        p->related.len ? "; LCD " : "", kb_s(kb, p->related),
        p->contractors.len ? "; contractors " : "", kb_s(kb, p->contractors));
    if (page_of(kb, p, url, sizeof(url)))
        mn_x__out_printf(&l->w, "    page: %s\n",
                         page_of(kb, p, url, sizeof(url)));
    extras_text(l, p);
    for (uint32_t g = 0; g < p->n_groups; g++) {
        const kb_group *gr = &kb->grp[p->grp_first + g];
        if (gr->paragraph.len)
            mn_x__out_printf(&l->w, "    group %u: %.300s\n", gr->group,
                             kb_s(kb, gr->paragraph));
    }
    if (p->n_covered)
        mn_x__out_printf(&l->w, "    covered (%u):\n", p->n_covered);
    dx_list(l, p, MN_DL_COVERED);
    if (p->n_noncovered)
        mn_x__out_printf(&l->w, "    non-covered (%u):\n", p->n_noncovered);
    dx_list(l, p, MN_DL_NONCOVERED);
    if (p->n_notsup)
        mn_x__out_printf(&l->w, "    does not support (%u):\n", p->n_notsup);
    dx_list(l, p, MN_DL_NOT_SUPPORTED);
    if (p->note.len)
        mn_x__out_printf(&l->w, "    note: %.400s\n", kb_s(kb, p->note));
    if (statutory_reason(kb, p))
        mn_x__out_printf(&l->w,
                         "    not covered: excluded by statute as %.200s\n",
                         statutory_reason(kb, p));
}

static void policy_json(look *l, const kb_policy *p, bool first)
{
    const mn_kb *kb = l->kb;
    char url[160];

    if (!first)
        MN_OUT_LIT(&l->w, ",");
    MN_OUT_LIT(&l->w, "{\"kind\":\"");
    mn_x__out_puts(&l->w, kind_name(p->kind));
    MN_OUT_LIT(&l->w, "\",\"id\":");
    mn_x__out_json_str(&l->w, kb_s(kb, p->id));
    MN_OUT_LIT(&l->w, ",\"version\":");
    mn_x__out_int(&l->w, p->version);
    MN_OUT_LIT(&l->w, ",\"title\":");
    mn_x__out_json_str(&l->w, kb_str_or_null(kb, p->title));
    MN_OUT_LIT(&l->w, ",\"effective\":");
    mn_x__out_json_date(&l->w, p->effective);
    MN_OUT_LIT(&l->w, ",\"ending\":");
    mn_x__out_json_date(&l->w, p->ending);
    MN_OUT_LIT(&l->w, ",\"related\":");
    mn_x__out_json_str(&l->w, kb_str_or_null(kb, p->related));
    MN_OUT_LIT(&l->w, ",\"contractors\":");
    mn_x__out_json_str(&l->w, kb_str_or_null(kb, p->contractors));
    MN_OUT_LIT(&l->w, ",\"url\":");
    mn_x__out_json_str(&l->w, page_of(kb, p, url, sizeof(url)));
    extras_json(l, p);
    MN_OUT_LIT(&l->w, ",\"note\":");
    mn_x__out_json_str(&l->w, kb_str_or_null(kb, p->note));
    MN_OUT_LIT(&l->w, ",\"statutory_exclusion\":");
    mn_x__out_json_str(&l->w, statutory_reason(kb, p));
    MN_OUT_LIT(&l->w, ",\"groups\":[");
    for (uint32_t g = 0; g < p->n_groups; g++) {
        const kb_group *gr = &kb->grp[p->grp_first + g];
        mn_x__out_printf(&l->w,
                         "%s{\"list\":\"%s\",\"group\":%u,\"requires_groups\":"
                         "%u,\"secondary_only\":%s,\"paragraph\":",
                         g ? "," : "",
                         gr->list == MN_DL_COVERED      ? "covered"
                         : gr->list == MN_DL_NONCOVERED ? "noncovered"
                                                        : "not_supported",
                         gr->group, gr->partners,
                         (gr->flags & KB_GF_SECONDARY_ONLY) ? "true" : "false");
        mn_x__out_json_str(&l->w, kb_str_or_null(kb, gr->paragraph));
        MN_OUT_LIT(&l->w, "}");
    }
    mn_x__out_printf(&l->w, "],\"covered_count\":%u,\"covered\":[",
                     p->n_covered);
    dx_list(l, p, MN_DL_COVERED);
    MN_OUT_LIT(&l->w, "],\"noncovered\":[");
    dx_list(l, p, MN_DL_NONCOVERED);
    MN_OUT_LIT(&l->w, "],\"not_supported\":[");
    dx_list(l, p, MN_DL_NOT_SUPPORTED);
    MN_OUT_LIT(&l->w, "]}");
}

int mn_lookup(mn_buf *buf, const mn_kb *kb, const char *code,
              const mn_lookup_options *opts, mn_format format, mn_error *err)
{
    mn_lookup_options o = MN_LOOKUP_OPTIONS_INIT;
    mn_key key;
    int32_t date = MN_NODATE;
    mn_area area;
    bool have_area = false;
    size_t n = 0;
    const kb_pcode *pc;
    const kb_hcpcs *h;
    size_t shown = 0;
    uint32_t last = UINT32_MAX;
    size_t clen;
    char t[9];
    look l;

    if (!buf || !kb || !code)
        return mn_x__err(err, MN_EINVAL, "missing argument");
    if (format != MN_FORMAT_JSON && format != MN_FORMAT_TEXT)
        return mn_x__err(err, MN_EINVAL, "unknown output format");
    if (opts)
        o = *opts;
    clen = strlen(code);
    key = mn_x__key(code, clen);
    if (!key ||
        !(mn_x__cpt_shape(code, clen) || mn_x__hcpcs2_shape(code, clen))) {
        mn_x__err(err, MN_EINVAL, "'%.16s' is not a CPT or HCPCS code", code);
        mn_x__err_at(err, "--code", 0, 0);
        return MN_EINVAL;
    }
    if (o.date && !mn_x__parse_date(&date, o.date, strlen(o.date), false)) {
        mn_x__err(err, MN_EINVAL, "not a valid date (YYYY-MM-DD)");
        mn_x__err_at(err, "--date", 0, 0);
        return MN_EINVAL;
    }
    if (o.jurisdiction) {
        mn_area parsed;
        mn_x__jurisdiction_area(o.jurisdiction, strlen(o.jurisdiction),
                                &parsed);
        have_area =
            mn_x__place_claim_area(kb, o.jurisdiction, &parsed, date, &area);
        if (!have_area) {
            mn_x__err(err, MN_EINVAL, "unknown jurisdiction '%.16s'",
                      o.jurisdiction);
            mn_x__err_at(err, "--jurisdiction", 0, 0);
            return MN_EINVAL;
        }
    }
    mn_x__out_init(&l.w, buf);
    l.fmt = format;
    l.kb = kb;
    l.max_dx = o.max_dx;
    l.icd_year =
        date != MN_NODATE
            ? mn_x__kb_icd_year(kb, date)
            : (kb->meta->n_icd_years ? (int)kb->meta->n_icd_years - 1 : -1);
    pc = mn_x__kb_pcodes(kb, key, &n);
    h = mn_x__kb_hcpcs(kb, key);
    mn_x__key_text(t, key);
    if (!json(&l)) {
        mn_x__out_printf(&l.w, "%s%s%s\n", t, h && h->desc.len ? "  " : "",
                         h ? kb_s(kb, h->desc) : "");
        coverage(&l, h);
    } else {
        MN_OUT_LIT(&l.w, "{\"code\":");
        mn_x__out_json_str(&l.w, t);
        MN_OUT_LIT(&l.w, ",\"description\":");
        mn_x__out_json_str(&l.w, h && h->desc.len ? kb_s(kb, h->desc) : NULL);
        coverage(&l, h);
        MN_OUT_LIT(&l.w, ",\"policies\":[");
    }
    for (size_t i = 0; i < n && l.w.rc == MN_OK; i++) {
        const kb_policy *p;
        if (pc[i].policy == last)
            continue;
        last = pc[i].policy;
        p = &kb->pol[pc[i].policy];
        if (date != MN_NODATE &&
            !((p->effective == MN_NODATE || p->effective <= date) &&
              (p->ending == MN_NODATE || date <= p->ending)))
            continue;
        if (have_area) {
            mn_place_why why;
            if (mn_x__place_match(kb, pc[i].policy, &area, date, &why) ==
                MN_AREA_NONE)
                continue;
        }
        if (json(&l))
            policy_json(&l, p, shown == 0);
        else
            policy_text(&l, p);
        shown++;
    }
    if (!json(&l) && !shown)
        MN_OUT_LIT(&l.w, "\n  no NCD or local policy in the knowledge base "
                         "governs this code\n");
    else if (json(&l))
        MN_OUT_LIT(&l.w, "]");
    service_rules(&l, key, date);
    if (json(&l))
        MN_OUT_LIT(&l.w, "}");
    if (l.w.rc)
        return mn_x__err(err, l.w.rc, "cannot render the lookup: %s",
                         mn_strerror(l.w.rc));
    return MN_OK;
}
