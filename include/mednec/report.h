/*
 * mednec/report.h: an audit report over many results.
 *
 * A report gathers results, one at a time, from the result API
 * (mn_report_add_result) or from their JSON as `mednec batch` writes it,
 * full or brief (mn_report_add_json), and writes the figures a compliance
 * review starts from: totals and the denial rate; denials by edit, by
 * policy, by CARC and by procedure code; the code-diagnosis pairs most
 * often found unsupported; the trend by month; each provider's volume and
 * rates, with the providers whose denial, frequency or MUE rates stand out
 * (two standard deviations above the providers' mean); and the charges at
 * risk where charges are known. mn_report_write_html writes one
 * self-contained page (inline CSS and SVG, no script, no external
 * resource; it prints on letter paper), mn_report_write_json the same
 * figures as data. docs/report.md defines each figure.
 *
 * Memory holds one row per distinct code, provider, month... (each table
 * keeps at most `max_keys` rows and counts the rest under "other"), never
 * the results themselves. A report is used by one thread at a time.
 */
#ifndef MEDNEC_REPORT_H
#define MEDNEC_REPORT_H

#include "common.h"
#include "result.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mn_report mn_report;

typedef struct mn_report_options {
    unsigned version;
    /** rows of each table (codes, providers, pairs...), default 100,000 */
    size_t max_keys;
    /** rows shown in each table and chart of the page, default 25 */
    size_t top;
    /** providers with fewer lines are left out of the outlier test,
     * default 20 */
    size_t min_provider_lines;
    /** the page's title, NULL: "mednec audit report" */
    const char *title;
    /** the name of what was read, shown on the page (a file name), or
     * NULL */
    const char *source;
} mn_report_options;
#define MN_REPORT_OPTIONS_VERSION 1
#define MN_REPORT_OPTIONS_INIT                                                 \
    {                                                                          \
        MN_REPORT_OPTIONS_VERSION, 0, 0, 0, NULL, NULL                         \
    }

/** Creates an empty report. `opts` may be NULL. Errors: MN_EINVAL,
 * MN_ENOMEM. */
MN_API int mn_report_new(mn_report **out, const mn_report_options *opts,
                         mn_error *err);
/** Frees the report. NULL is accepted. */
MN_API void mn_report_free(mn_report *r);

/** Adds a result, read through the result API. Errors: MN_EINVAL,
 * MN_ENOMEM. */
MN_API int mn_report_add_result(mn_report *r, const mn_result *res,
                                mn_error *err);

/**
 * Adds one line of `mednec batch` output: a result (full or brief JSON),
 * or an error record (counted as such). Errors: MN_EINVAL (not JSON, or
 * neither a result nor an error record: `err` says which member is
 * wrong; the report counts such lines and shows how many), MN_ENOMEM.
 */
MN_API int mn_report_add_json(mn_report *r, const char *json, size_t len,
                              mn_error *err);

/** Appends the report as one HTML page. Errors: MN_ELIMIT, MN_ENOMEM. */
MN_API int mn_report_write_html(mn_buf *out, const mn_report *r, mn_error *err);
/** Appends the same figures as JSON. Errors: MN_ELIMIT, MN_ENOMEM. */
MN_API int mn_report_write_json(mn_buf *out, const mn_report *r, mn_error *err);

#ifdef __cplusplus
}
#endif
#endif
