/*
 * out/brief.c: the brief JSON of a result (MN_FORMAT_BRIEF): per line its
 * status, date, units, charge, provider, pointed diagnoses, and the edit
 * ids, CARC, RARC and citation ids of its denial and review findings. It
 * reads the result through the result API only, and is a fraction of the
 * full result's size.
 */
#include <string.h>

#include "mednec/claim.h"
#include "mednec/crossclaim.h"
#include "mednec/result.h"
#include "out/writer.h"

#define MAX_LIST 16

/* Adds `s` to `list` unless it is there (or NULL). */
static void add_once(const char **list, size_t *n, const char *s)
{
    if (!s || !s[0] || *n >= MAX_LIST)
        return;
    for (size_t i = 0; i < *n; i++) {
        if (strcmp(list[i], s) == 0)
            return;
    }
    list[(*n)++] = s;
}

static void str_array(mn_out *w, const char *key, size_t key_len,
                      const char *const *list, size_t n)
{
    mn_x__out_raw(w, key, key_len);
    MN_OUT_LIT(w, "[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            MN_OUT_LIT(w, ",");
        mn_x__out_json_str(w, list[i]);
    }
    MN_OUT_LIT(w, "]");
}

#define ARRAY(w, lit, list, n) str_array((w), "" lit, sizeof(lit) - 1, list, n)

void mn_x__out_cross(mn_out *w, const mn_result *res)
{
    mn_cross c = mn_result_cross(res);

    if (c == MN_CROSS_OFF)
        return;
    MN_OUT_LIT(w, ",\"cross_claim\":{\"status\":\"");
    mn_x__out_puts(w, mn_cross_name(c));
    MN_OUT_LIT(w, "\",\"services\":");
    mn_x__out_int(w, (long long)mn_result_cross_services(res));
    MN_OUT_LIT(w, "}");
}

void mn_x__render_brief(mn_out *w, const mn_result *res)
{
    mn_line_info li;
    size_t n = mn_result_line_count(res);

    MN_OUT_LIT(w, "{\"id\":");
    mn_x__out_json_str(w, mn_result_id(res));
    MN_OUT_LIT(w, ",\"status\":\"");
    mn_x__out_puts(w, mn_status_name(mn_result_status(res)));
    MN_OUT_LIT(w, "\"");
    mn_x__out_cross(w, res);
    MN_OUT_LIT(w, ",\"lines\":[");
    for (size_t l = 0; l < n; l++) {
        const char *edits[MAX_LIST];
        const char *carc[MAX_LIST];
        const char *rarc[MAX_LIST];
        const char *cites[MAX_LIST];
        size_t ne = 0, nc = 0, nr = 0, nx = 0;
        li.version = MN_LINE_INFO_VERSION;
        if (mn_result_line(&li, res, l, NULL) != MN_OK)
            continue;
        for (size_t f = 0; f < li.n_findings; f++) {
            mn_finding_summary fs;
            if (mn_result_finding_summary(&fs, res, l, f) != MN_OK ||
                fs.severity == MN_SEVERITY_INFO)
                continue;
            add_once(edits, &ne, fs.edit->id);
            add_once(carc, &nc, fs.carc);
            add_once(rarc, &nr, fs.rarc);
            add_once(cites, &nx, fs.citation_id);
        }
        if (l)
            MN_OUT_LIT(w, ",");
        MN_OUT_LIT(w, "{\"line\":");
        mn_x__out_int(w, (long long)li.line);
        MN_OUT_LIT(w, ",\"code\":");
        mn_x__out_json_str(w, li.code);
        MN_OUT_LIT(w, ",\"date\":");
        mn_x__out_json_str(w, li.date);
        MN_OUT_LIT(w, ",\"status\":\"");
        mn_x__out_puts(w, mn_status_name(li.status));
        MN_OUT_LIT(w, "\",\"units\":");
        mn_x__out_int(w, li.units);
        if (li.charge != MN_NO_AMOUNT) {
            MN_OUT_LIT(w, ",\"charge\":");
            mn_x__out_amount(w, li.charge);
        }
        MN_OUT_MEMBER(w, ",\"provider\":", li.provider);
        ARRAY(w, ",\"diagnoses\":", li.diagnoses, li.n_diagnoses);
        ARRAY(w, ",\"edits\":", edits, ne);
        ARRAY(w, ",\"carc\":", carc, nc);
        ARRAY(w, ",\"rarc\":", rarc, nr);
        ARRAY(w, ",\"citations\":", cites, nx);
        MN_OUT_LIT(w, "}");
    }
    MN_OUT_LIT(w, "]}");
}
