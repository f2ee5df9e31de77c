/*
 * out/kbinfo.c: what a knowledge base holds, for `mednec kb info`, the end
 * of `mednec build` and the note `mednec check` writes about the KB it
 * uses (mednec/kbinfo.h).
 */
#include <stdio.h>
#include <string.h>

#include "kb/kb_int.h"
#include "mednec/kbinfo.h"
#include "out/writer.h"

size_t mn_kb_missing(const mn_kb *kb, mn_source_kind *out, size_t cap)
{
    size_t n = 0;

    if (!kb)
        return 0;
    for (int k = 1; k < MN_SOURCE_KIND_END_; k++) {
        bool have = false;
        if (k == MN_SOURCE_RULES)
            continue;
        for (size_t i = 0; i < kb->n_cover && !have; i++)
            have = (int)kb->cover[i].kind == k;
        if (have)
            continue;
        if (out && n < cap)
            out[n] = (mn_source_kind)k;
        n++;
    }
    return n;
}

/* "ICD-10-CM 2021-01-01 to 2022-09-30, 2023-10-01 to 2024-09-30" for each
 * kind the KB holds; rule packs by name. */
static void holds_text(mn_out *w, const mn_kb *kb, const char *sep)
{
    int32_t from[64];
    int32_t to[64];
    char r[64];
    bool first = true;

    for (int k = 1; k < MN_SOURCE_KIND_END_; k++) {
        bool undated;
        size_t n;
        if (k == MN_SOURCE_RULES)
            continue;
        n = mn_x__kb_periods(kb, k, from, to, 64, &undated);
        if (!n && !undated)
            continue;
        mn_x__out_printf(w, "%s%s", first ? "" : sep,
                         mn_source_kind_title((mn_source_kind)k));
        first = false;
        for (size_t i = 0; i < n; i++) {
            mn_x__kb_range_text(r, sizeof(r), from[i], to[i]);
            mn_x__out_printf(w, "%s%s", i ? ", " : " ", r);
        }
        if (undated)
            mn_x__out_puts(w, n ? ", and dates unknown" : " (dates unknown)");
    }
    for (size_t i = 0; i < kb->n_cover; i++) {
        const kb_cover *c = &kb->cover[i];
        if (c->kind != MN_SOURCE_RULES)
            continue;
        mn_x__kb_range_text(r, sizeof(r), c->from, c->to);
        mn_x__out_printf(w, "%srule pack %s %s", first ? "" : sep,
                         kb_s(kb, c->label), r);
        first = false;
    }
    if (first)
        MN_OUT_LIT(w, "nothing");
}

static void lacks_text(mn_out *w, const mn_kb *kb)
{
    mn_source_kind miss[MN_SOURCE_KIND_END_];
    size_t n = mn_kb_missing(kb, miss, MN_SOURCE_KIND_END_);

    if (!n)
        MN_OUT_LIT(w, "nothing");
    for (size_t i = 0; i < n; i++)
        mn_x__out_printf(w, "%s%s", i ? ", " : "",
                         mn_source_kind_title(miss[i]));
}

static void info_text(mn_out *w, const mn_kb *kb, int brief)
{
    mn_kb_stats st;
    char r[64];

    if (brief) {
        MN_OUT_LIT(w, "holds: ");
        holds_text(w, kb, brief == 1 ? "\n       " : "; ");
        MN_OUT_LIT(w, "\nlacks: ");
        lacks_text(w, kb);
        MN_OUT_LIT(w, "\n");
        return;
    }
    mn_kb_get_stats(&st, kb);
    mn_x__out_printf(w,
                     "knowledge base %s\n  format %u, version %s, built %s, "
                     "%zu bytes\n\ndates of service covered, by source:\n",
                     mn_kb_source(kb), mn_kb_format(), mn_kb_version(kb),
                     mn_kb_built(kb), st.bytes);
    for (size_t i = 0; i < kb->n_cover; i++) {
        const kb_cover *c = &kb->cover[i];
        bool rules = c->kind == MN_SOURCE_RULES;
        if (!i || kb->cover[i - 1].kind != c->kind)
            mn_x__out_printf(
                w, "  %s\n",
                rules ? "rule packs"
                      : mn_source_kind_title((mn_source_kind)c->kind));
        if (c->flags & KB_CF_UNDATED)
            snprintf(r, sizeof(r), "dates unknown");
        else
            mn_x__kb_range_text(r, sizeof(r), c->from, c->to);
        mn_x__out_printf(w, "    %-26s %-26s %llu %s%s\n",
                         c->label.len ? kb_s(kb, c->label) : "-", r,
                         (unsigned long long)c->rows, rules ? "rules" : "rows",
                         !rules ? ""
                         : (c->flags & KB_CF_DECLARED)
                             ? ", declared by the pack"
                             : ", span of its rules");
        if (c->sources.len)
            mn_x__out_printf(w, "      from %s\n", kb_s(kb, c->sources));
    }
    if (!kb->n_cover)
        MN_OUT_LIT(w, "  (no coverage records)\n");
    MN_OUT_LIT(w, "\nholds: ");
    holds_text(w, kb, "\n       ");
    MN_OUT_LIT(w, "\nlacks: ");
    lacks_text(w, kb);
    mn_x__out_printf(
        w,
        "\n\ncounts: %zu ICD-10-CM codes in %zu versions; %zu HCPCS codes; "
        "%zu HCPCS modifiers; %zu MCE edits; %zu policies (%zu code "
        "entries, %zu diagnoses); %zu rules; NCCI %zu PTP, %zu MUE, %zu "
        "add-on code rows\n",
        st.icd_codes, st.icd_years, st.hcpcs_codes, st.hcpcs_modifiers,
        st.mce_edits, st.policies, st.policy_codes, st.policy_dx, st.rules,
        st.ncci_ptp, st.ncci_mue, st.ncci_aoc);
}

static void info_json(mn_out *w, const mn_kb *kb, int brief)
{
    mn_kb_stats st;
    mn_source_kind miss[MN_SOURCE_KIND_END_];
    size_t n_miss;
    int32_t from[64];
    int32_t to[64];
    bool first = true;

    mn_kb_get_stats(&st, kb);
    MN_OUT_LIT(w, "{\"source\":");
    mn_x__out_json_str(w, mn_kb_source(kb));
    mn_x__out_printf(w, ",\"format\":%u,\"version\":", mn_kb_format());
    mn_x__out_json_str(w, mn_kb_version(kb));
    MN_OUT_LIT(w, ",\"built\":");
    mn_x__out_json_str(w, mn_kb_built(kb));
    mn_x__out_printf(w, ",\"bytes\":%zu", st.bytes);
    if (!brief) {
        MN_OUT_LIT(w, ",\"coverage\":[");
        for (size_t i = 0; i < kb->n_cover; i++) {
            const kb_cover *c = &kb->cover[i];
            bool undated = (c->flags & KB_CF_UNDATED) != 0;
            mn_x__out_printf(w, "%s{\"kind\":\"%s\",\"title\":", i ? "," : "",
                             mn_source_kind_name((mn_source_kind)c->kind));
            mn_x__out_json_str(w,
                               mn_source_kind_title((mn_source_kind)c->kind));
            MN_OUT_LIT(w, ",\"label\":");
            mn_x__out_json_str(w, kb_s(kb, c->label));
            MN_OUT_LIT(w, ",\"from\":");
            mn_x__out_json_date(w, undated ? MN_NODATE : c->from);
            MN_OUT_LIT(w, ",\"to\":");
            mn_x__out_json_date(w, undated ? MN_NODATE : c->to);
            mn_x__out_printf(
                w, ",\"dated\":%s,\"declared\":%s,\"rows\":%llu,\"sources\":",
                undated ? "false" : "true",
                (c->flags & KB_CF_DECLARED) ? "true" : "false",
                (unsigned long long)c->rows);
            mn_x__out_json_str(w, kb_s(kb, c->sources));
            MN_OUT_LIT(w, "}");
        }
        MN_OUT_LIT(w, "]");
    }
    /* the merged periods of each kind held */
    MN_OUT_LIT(w, ",\"covers\":[");
    for (int k = 1; k < MN_SOURCE_KIND_END_; k++) {
        bool undated;
        size_t n;
        if (k == MN_SOURCE_RULES)
            continue;
        n = mn_x__kb_periods(kb, k, from, to, 64, &undated);
        if (!n && !undated)
            continue;
        mn_x__out_printf(w,
                         "%s{\"kind\":\"%s\",\"dates_unknown\":%s,"
                         "\"periods\":[",
                         first ? "" : ",",
                         mn_source_kind_name((mn_source_kind)k),
                         undated ? "true" : "false");
        first = false;
        for (size_t i = 0; i < n; i++) {
            mn_x__out_printf(w, "%s{\"from\":", i ? "," : "");
            mn_x__out_json_date(w, from[i]);
            MN_OUT_LIT(w, ",\"to\":");
            mn_x__out_json_date(w, to[i]);
            MN_OUT_LIT(w, "}");
        }
        MN_OUT_LIT(w, "]}");
    }
    MN_OUT_LIT(w, "],\"rule_packs\":[");
    first = true;
    for (size_t i = 0; i < kb->n_cover; i++) {
        const kb_cover *c = &kb->cover[i];
        if (c->kind != MN_SOURCE_RULES)
            continue;
        mn_x__out_printf(w, "%s{\"pack\":", first ? "" : ",");
        first = false;
        mn_x__out_json_str(w, kb_s(kb, c->label));
        MN_OUT_LIT(w, ",\"from\":");
        mn_x__out_json_date(w, c->from);
        MN_OUT_LIT(w, ",\"to\":");
        mn_x__out_json_date(w, c->to);
        mn_x__out_printf(w, ",\"declared\":%s,\"rules\":%llu}",
                         (c->flags & KB_CF_DECLARED) ? "true" : "false",
                         (unsigned long long)c->rows);
    }
    MN_OUT_LIT(w, "],\"missing\":[");
    n_miss = mn_kb_missing(kb, miss, MN_SOURCE_KIND_END_);
    for (size_t i = 0; i < n_miss; i++)
        mn_x__out_printf(w, "%s\"%s\"", i ? "," : "",
                         mn_source_kind_name(miss[i]));
    MN_OUT_LIT(w, "]");
    if (!brief)
        mn_x__out_printf(
            w,
            ",\"counts\":{\"icd10cm_codes\":%zu,\"icd10cm_versions\":%zu,"
            "\"hcpcs_codes\":%zu,\"hcpcs_modifiers\":%zu,\"mce_edits\":%zu,"
            "\"policies\":%zu,\"policy_codes\":%zu,\"policy_diagnoses\":%zu,"
            "\"rules\":%zu,\"ncci_ptp\":%zu,\"ncci_mue\":%zu,"
            "\"ncci_aoc\":%zu}",
            st.icd_codes, st.icd_years, st.hcpcs_codes, st.hcpcs_modifiers,
            st.mce_edits, st.policies, st.policy_codes, st.policy_dx, st.rules,
            st.ncci_ptp, st.ncci_mue, st.ncci_aoc);
    MN_OUT_LIT(w, "}\n");
}

int mn_kb_info_render(mn_buf *buf, const mn_kb *kb,
                      const mn_kb_info_options *opts, mn_format format,
                      mn_error *err)
{
    int brief = 0;
    mn_out w;

    if (!buf || !kb)
        return mn_x__err(err, MN_EINVAL, "missing argument");
    if (opts) {
        if (opts->version != MN_KB_INFO_OPTIONS_VERSION)
            return mn_x__err(err, MN_EINVAL, "unknown info options version %u",
                             opts->version);
        if (opts->brief < 0 || opts->brief > 2)
            return mn_x__err(err, MN_EINVAL, "unknown brief level %d",
                             opts->brief);
        brief = opts->brief;
    }
    mn_x__out_init(&w, buf);
    if (format == MN_FORMAT_TEXT)
        info_text(&w, kb, brief);
    else
        info_json(&w, kb, brief);
    if (w.rc)
        return mn_x__err(err, w.rc, "cannot render the knowledge base info: %s",
                         mn_strerror(w.rc));
    return MN_OK;
}
