/*
 * build/load/report.c: what one source file contributed to a build: rows
 * loaded, rows skipped and their reasons (mn_report, build/load/loaders.h). The
 * loaders count here; build/build.c passes the reports on to the caller.
 */
#include <stdio.h>
#include <string.h>

#include "build/load/loaders.h"

/* ------------------------------------------------------------------ */
/* Reports                                                              */
/* ------------------------------------------------------------------ */

/* Counts one row under `reason` in the report's reason lines. */
static void count_reason(mn_report *r, const char *reason, size_t record)
{
    const char *what = reason ? reason : "row not loaded";
    size_t n = strlen(what);
    size_t i;

    for (i = 0; i < r->n_reasons; i++) {
        const char *t = r->reasons[i].text;
        if (strncmp(t, what, n) == 0 && (t[n] == '\0' || t[n] == ' ')) {
            r->reasons[i].count++;
            goto done;
        }
    }
    /* The last slot collects everything past the distinct reasons. */
    i = r->n_reasons;
    if (i >= MN_REPORT_MAX_REASONS - 1) {
        i = MN_REPORT_MAX_REASONS - 1;
        if (r->n_reasons == MN_REPORT_MAX_REASONS) {
            r->reasons[i].count++;
            goto done;
        }
        what = "other reasons";
    }
    if (record)
        snprintf(r->reasons[i].text, sizeof(r->reasons[i].text),
                 "%s (first at record %zu)", what, record);
    else
        snprintf(r->reasons[i].text, sizeof(r->reasons[i].text), "%s", what);
    r->reasons[i].count = 1;
    r->n_reasons = i + 1;
done:
    return;
}

void mn_x__report_skip(mn_report *r, const char *reason, size_t record)
{
    if (!r)
        return;
    r->skipped++;
    count_reason(r, reason, record);
}

void mn_x__report_field(mn_report *r, const char *reason, size_t record)
{
    if (r)
        count_reason(r, reason, record);
}

void mn_x__report_cover(mn_report *r, int kind, unsigned flags, int32_t from,
                        int32_t to, const char *label)
{
    if (!r)
        return;
    r->cover_kind = kind;
    r->cover_flags = flags;
    r->cover_from = from;
    r->cover_to = to;
    snprintf(r->cover_label, sizeof(r->cover_label), "%s", label ? label : "");
}
