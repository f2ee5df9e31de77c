/* out/lookup.c: the policies that govern a code, for `mednec lookup`. */
#include <string.h>

#include "check/check.h"
#include "kb/kb_int.h"
#include "kb/srules_fmt.h"
#include "claim/jurisdiction.h"

static const char *kind_name(uint32_t kind)
{
    return kind == MN_PK_NCD ? "ncd" : kind == MN_PK_LCD ? "lcd" : "article";
}

static int js(mn_buf *b, const char *s)
{
    if (!s)
        return mn_x__buf_puts(b, "null");
    return mn_x__json_string(b, s, strlen(s));
}

static int date_json(mn_buf *b, int32_t d)
{
    char t[11];
    if (d == MN_NODATE)
        return mn_x__buf_puts(b, "null");
    mn_x__format_date(t, d);
    return js(b, t);
}

/* What the statute excludes when policy `p` does not cover a line (a
 * `statutory` policy rule), or NULL. */
static const char *statutory_reason(const mn_kb *kb, const kb_policy *p)
{
    const kb_rule *r = mn_x__kb_statutory_rule(kb, p, MN_NODATE);
    return r ? kb_s(kb, r->reason) : NULL;
}

static int dx_list(mn_buf *b, const mn_kb *kb, const kb_policy *p, int list,
                   size_t max, mn_format fmt)
{
    size_t first = p->dx_first;
    size_t n = p->n_covered;
    size_t shown = 0;
    int rc = MN_OK;

    if (list == MN_DL_NONCOVERED) {
        first += p->n_covered;
        n = p->n_noncovered;
    } else if (list == MN_DL_NOT_SUPPORTED) {
        first += (size_t)p->n_covered + p->n_noncovered;
        n = p->n_notsup;
    }
    for (size_t i = 0; i < n && !rc; i++) {
        char code[12];
        uint32_t m = kb->dxmeta[first + i];
        const kb_icd *e = mn_x__kb_icd(kb, kb->dxkey[first + i]);
        if (max && shown == max) {
            if (fmt == MN_FORMAT_TEXT)
                rc = mn_x__buf_printf(b, "      ... %zu more\n", n - shown);
            break;
        }
        mn_x__icd_dotted(code, kb->dxkey[first + i]);
        if (fmt == MN_FORMAT_TEXT) {
            rc = mn_x__buf_printf(b, "      %-8s%s g%u  %s\n", code,
                                  KB_DX_AST(m) ? "*" : " ", KB_DX_GROUP(m),
                                  e ? kb_s(kb, e->desc) : "");
        } else {
            rc = mn_x__buf_printf(b, "%s{\"code\":", shown ? "," : "");
            if (!rc)
                rc = js(b, code);
            if (!rc)
                rc = mn_x__buf_printf(b,
                                      ",\"group\":%u,\"asterisk\":%s,"
                                      "\"description\":",
                                      KB_DX_GROUP(m),
                                      KB_DX_AST(m) ? "true" : "false");
            if (!rc)
                rc = js(b, e && e->desc.len ? kb_s(kb, e->desc) : NULL);
            if (!rc)
                rc = mn_x__buf_puts(b, "}");
        }
        shown++;
    }
    return rc;
}

/* The HCPCS coverage code and statute number of a code (text: one line,
 * or nothing when the KB has neither; JSON: the "coverage" member). */
static int coverage(mn_buf *b, const mn_kb *kb, const kb_hcpcs *h,
                    mn_format fmt)
{
    const char *meaning = h ? mn_x__hcpcs_coverage_meaning(h->coverage) : NULL;
    const char *raw = h ? kb_s(kb, h->statute) : "";
    char statute[72];
    int rc;

    statute[0] = '\0';
    if (h && h->statute.len)
        mn_x__hcpcs_statute(statute, sizeof(statute), raw, h->statute.len);
    if (fmt == MN_FORMAT_TEXT) {
        if (!meaning && !statute[0])
            return MN_OK;
        if (meaning)
            rc = mn_x__buf_printf(b, "  HCPCS coverage code %c: %s",
                                  (char)h->coverage, meaning);
        else
            rc = mn_x__buf_puts(b, "  HCPCS coverage code unknown");
        /* the file's spelling too, when it was more than "SSA " away */
        if (!rc && statute[0]) {
            bool same = strcmp(statute, raw) == 0 ||
                        (strncmp(statute, "SSA ", 4) == 0 &&
                         strcmp(statute + 4, raw) == 0);
            rc = mn_x__buf_printf(b, "; statute %s%s%s%s", statute,
                                  same ? "" : " (file: ", same ? "" : raw,
                                  same ? "" : ")");
        }
        if (!rc)
            rc = mn_x__buf_puts(b, "\n");
        return rc;
    }
    if (!meaning && !statute[0])
        return mn_x__buf_puts(b, ",\"coverage\":null");
    rc = mn_x__buf_puts(b, ",\"coverage\":{\"code\":");
    if (!rc) {
        char c[2] = {(char)(meaning ? h->coverage : 0), '\0'};
        rc = js(b, meaning ? c : NULL);
    }
    if (!rc)
        rc = mn_x__buf_puts(b, ",\"meaning\":");
    if (!rc)
        rc = js(b, meaning);
    if (!rc)
        rc = mn_x__buf_puts(b, ",\"statute\":");
    if (!rc)
        rc = js(b, statute[0] ? statute : NULL);
    if (!rc)
        rc = mn_x__buf_puts(b, ",\"statute_as_given\":");
    if (!rc)
        rc = js(b, statute[0] ? raw : NULL);
    if (!rc)
        rc = mn_x__buf_puts(b, "}");
    return rc;
}

/* The service rules of a code (frequency, age, sex, exclusions...). */
static int service_rules(mn_buf *b, const mn_kb *kb, mn_key key, int32_t date,
                         mn_format fmt)
{
    const mn_srules_view *v = kb->ext_view[MN_SRULES_VIEW];
    size_t shown = 0;
    int rc = MN_OK;

    if (fmt == MN_FORMAT_JSON)
        rc = mn_x__buf_puts(b, ",\"service_rules\":[");
    for (size_t i = 0; v && i < v->n_idx && !rc; i++) {
        const kb_srule *r;
        char e1[11] = "", e2[11] = "";
        /* rules for any code (modifier-conditioned, e.g. therapy) are
           left out: they are not about this code */
        if (v->idx[i].code != key)
            continue;
        if (v->idx[i].rule >= v->n_rule)
            continue;
        r = &v->rule[v->idx[i].rule];
        if (date != MN_NODATE &&
            !((r->effective == MN_NODATE || r->effective <= date) &&
              (r->ending == MN_NODATE || date <= r->ending)))
            continue;
        mn_x__format_date(e1, r->effective);
        mn_x__format_date(e2, r->ending);
        if (fmt == MN_FORMAT_TEXT) {
            if (!shown)
                rc = mn_x__buf_puts(b, "\n  service rules:\n");
            if (!rc)
                rc = mn_x__buf_printf(
                    b,
                    "    %s (%s), in force %s to %s\n"
                    "      %.300s\n",
                    kb_s(kb, r->id), kb_s(kb, r->pack), e1[0] ? e1 : "(open)",
                    e2[0] ? e2 : "(open)", kb_s(kb, r->source));
        } else {
            rc = mn_x__buf_printf(b, "%s{\"id\":", shown ? "," : "");
            if (!rc)
                rc = js(b, kb_s(kb, r->id));
            if (!rc)
                rc = mn_x__buf_puts(b, ",\"pack\":");
            if (!rc)
                rc = js(b, kb_s(kb, r->pack));
            if (!rc)
                rc = mn_x__buf_puts(b, ",\"effective\":");
            if (!rc)
                rc = date_json(b, r->effective);
            if (!rc)
                rc = mn_x__buf_puts(b, ",\"ending\":");
            if (!rc)
                rc = date_json(b, r->ending);
            if (!rc)
                rc = mn_x__buf_puts(b, ",\"source\":");
            if (!rc)
                rc = js(b, kb_s(kb, r->source));
            if (!rc)
                rc = mn_x__buf_puts(b, "}");
        }
        shown++;
    }
    if (!rc && fmt == MN_FORMAT_JSON)
        rc = mn_x__buf_puts(b, "]");
    return rc;
}

int mn_lookup(mn_buf *buf, const mn_kb *kb, const char *code,
              const mn_lookup_options *opts, mn_format format, mn_error *err)
{
    mn_lookup_options o = MN_LOOKUP_OPTIONS_INIT;
    mn_key key;
    int32_t date = MN_NODATE;
    uint64_t states = 0;
    size_t n = 0;
    const kb_pcode *pc;
    const kb_hcpcs *h;
    size_t shown = 0;
    uint32_t last = UINT32_MAX;
    int rc = MN_OK;
    size_t clen;

    if (!buf || !kb || !code)
        return mn_x__err(err, MN_EINVAL, "missing argument");
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
        states =
            mn_x__jurisdiction_states(o.jurisdiction, strlen(o.jurisdiction));
        if (!states) {
            mn_x__err(err, MN_EINVAL, "unknown jurisdiction '%.16s'",
                      o.jurisdiction);
            mn_x__err_at(err, "--jurisdiction", 0, 0);
            return MN_EINVAL;
        }
    }
    pc = mn_x__kb_pcodes(kb, key, &n);
    h = mn_x__kb_hcpcs(kb, key);
    if (format == MN_FORMAT_TEXT) {
        char t[9];
        mn_x__key_text(t, key);
        rc = mn_x__buf_printf(buf, "%s%s%s\n", t, h && h->desc.len ? "  " : "",
                              h ? kb_s(kb, h->desc) : "");
        if (!rc)
            rc = coverage(buf, kb, h, format);
    } else {
        char t[9];
        mn_x__key_text(t, key);
        rc = mn_x__buf_puts(buf, "{\"code\":");
        if (!rc)
            rc = js(buf, t);
        if (!rc)
            rc = mn_x__buf_puts(buf, ",\"description\":");
        if (!rc)
            rc = js(buf, h && h->desc.len ? kb_s(kb, h->desc) : NULL);
        if (!rc)
            rc = coverage(buf, kb, h, format);
        if (!rc)
            rc = mn_x__buf_puts(buf, ",\"policies\":[");
    }
    for (size_t i = 0; i < n && !rc; i++) {
        const kb_policy *p;
        if (pc[i].policy == last)
            continue;
        last = pc[i].policy;
        p = &kb->pol[pc[i].policy];
        if (date != MN_NODATE &&
            !((p->effective == MN_NODATE || p->effective <= date) &&
              (p->ending == MN_NODATE || date <= p->ending)))
            continue;
        if (states && p->kind != MN_PK_NCD && p->states &&
            !(p->states & states))
            continue;
        if (format == MN_FORMAT_TEXT) {
            char e1[11] = "", e2[11] = "";
            mn_x__format_date(e1, p->effective);
            mn_x__format_date(e2, p->ending);
            rc = mn_x__buf_printf(
                buf, "\n  %s %s v%d  %s\n    in force %s to %s%s%s%s%s\n",
                kind_name(p->kind), kb_s(kb, p->id), p->version,
                kb_s(kb, p->title), e1[0] ? e1 : "(open)",
                e2[0] ? e2 : "(open)", p->related.len ? "; LCD " : "",
                kb_s(kb, p->related),
                p->contractors.len ? "; contractors " : "",
                kb_s(kb, p->contractors));
            for (uint32_t g = 0; g < p->n_groups && !rc; g++) {
                const kb_group *gr = &kb->grp[p->grp_first + g];
                if (gr->paragraph.len)
                    rc = mn_x__buf_printf(buf, "    group %u: %.300s\n",
                                          gr->group, kb_s(kb, gr->paragraph));
            }
            if (!rc && p->n_covered)
                rc = mn_x__buf_printf(buf, "    covered (%u):\n", p->n_covered);
            if (!rc)
                rc = dx_list(buf, kb, p, MN_DL_COVERED, o.max_dx, format);
            if (!rc && p->n_noncovered)
                rc = mn_x__buf_printf(buf, "    non-covered (%u):\n",
                                      p->n_noncovered);
            if (!rc)
                rc = dx_list(buf, kb, p, MN_DL_NONCOVERED, o.max_dx, format);
            if (!rc && p->n_notsup)
                rc = mn_x__buf_printf(buf, "    does not support (%u):\n",
                                      p->n_notsup);
            if (!rc)
                rc = dx_list(buf, kb, p, MN_DL_NOT_SUPPORTED, o.max_dx, format);
            if (!rc && p->note.len)
                rc = mn_x__buf_printf(buf, "    note: %.400s\n",
                                      kb_s(kb, p->note));
            if (!rc && statutory_reason(kb, p))
                rc = mn_x__buf_printf(
                    buf, "    not covered: excluded by statute as %.200s\n",
                    statutory_reason(kb, p));
        } else {
            rc = mn_x__buf_printf(buf, "%s{\"kind\":\"%s\",\"id\":",
                                  shown ? "," : "", kind_name(p->kind));
            if (!rc)
                rc = js(buf, kb_s(kb, p->id));
            if (!rc)
                rc = mn_x__buf_printf(buf,
                                      ",\"version\":%d,\"title\":", p->version);
            if (!rc)
                rc = js(buf, p->title.len ? kb_s(kb, p->title) : NULL);
            if (!rc)
                rc = mn_x__buf_puts(buf, ",\"effective\":");
            if (!rc)
                rc = date_json(buf, p->effective);
            if (!rc)
                rc = mn_x__buf_puts(buf, ",\"ending\":");
            if (!rc)
                rc = date_json(buf, p->ending);
            if (!rc)
                rc = mn_x__buf_puts(buf, ",\"related\":");
            if (!rc)
                rc = js(buf, p->related.len ? kb_s(kb, p->related) : NULL);
            if (!rc)
                rc = mn_x__buf_puts(buf, ",\"contractors\":");
            if (!rc)
                rc = js(buf,
                        p->contractors.len ? kb_s(kb, p->contractors) : NULL);
            if (!rc)
                rc = mn_x__buf_puts(buf, ",\"note\":");
            if (!rc)
                rc = js(buf, p->note.len ? kb_s(kb, p->note) : NULL);
            if (!rc)
                rc = mn_x__buf_puts(buf, ",\"statutory_exclusion\":");
            if (!rc)
                rc = js(buf, statutory_reason(kb, p));
            if (!rc)
                rc = mn_x__buf_puts(buf, ",\"groups\":[");
            for (uint32_t g = 0; g < p->n_groups && !rc; g++) {
                const kb_group *gr = &kb->grp[p->grp_first + g];
                rc = mn_x__buf_printf(
                    buf,
                    "%s{\"list\":\"%s\",\"group\":%u,\"requires_groups\":"
                    "%u,\"secondary_only\":%s,\"paragraph\":",
                    g ? "," : "",
                    gr->list == MN_DL_COVERED      ? "covered"
                    : gr->list == MN_DL_NONCOVERED ? "noncovered"
                                                   : "not_supported",
                    gr->group, gr->partners,
                    (gr->flags & KB_GF_SECONDARY_ONLY) ? "true" : "false");
                if (!rc)
                    rc = js(buf,
                            gr->paragraph.len ? kb_s(kb, gr->paragraph) : NULL);
                if (!rc)
                    rc = mn_x__buf_puts(buf, "}");
            }
            if (!rc)
                rc = mn_x__buf_printf(buf,
                                      "],\"covered_count\":%u,"
                                      "\"covered\":[",
                                      p->n_covered);
            if (!rc)
                rc = dx_list(buf, kb, p, MN_DL_COVERED, o.max_dx, format);
            if (!rc)
                rc = mn_x__buf_puts(buf, "],\"noncovered\":[");
            if (!rc)
                rc = dx_list(buf, kb, p, MN_DL_NONCOVERED, o.max_dx, format);
            if (!rc)
                rc = mn_x__buf_puts(buf, "],\"not_supported\":[");
            if (!rc)
                rc = dx_list(buf, kb, p, MN_DL_NOT_SUPPORTED, o.max_dx, format);
            if (!rc)
                rc = mn_x__buf_puts(buf, "]}");
        }
        shown++;
    }
    if (!rc) {
        if (format == MN_FORMAT_TEXT && !shown)
            rc = mn_x__buf_puts(buf, "\n  no NCD or local policy in the "
                                     "knowledge base governs this code\n");
        else if (format == MN_FORMAT_JSON)
            rc = mn_x__buf_puts(buf, "]");
    }
    if (!rc)
        rc = service_rules(buf, kb, key, date, format);
    if (!rc && format == MN_FORMAT_JSON)
        rc = mn_x__buf_puts(buf, "}");
    if (rc)
        return mn_x__err(err, rc, "cannot render the lookup: %s",
                         mn_strerror(rc));
    return MN_OK;
}
