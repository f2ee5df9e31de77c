/*
 * report/report_int.h: the figures of a report as report.c gathers them
 * and write.c writes them.
 */
#ifndef MN_REPORT_INT_H
#define MN_REPORT_INT_H

#include "core/map.h"
#include "core/util.h"
#include "mednec/report.h"

/* Counts of one row of a table. Money in cents. */
typedef struct mn_agg {
    uint64_t lines;
    uint64_t denied; /* lines invalid, excluded or not covered */
    uint64_t review; /* lines conditional or indeterminate */
    int64_t charges;
    int64_t at_risk;    /* charges of the denied lines */
    uint64_t frequency; /* lines with frequency.exceeded */
    uint64_t mue;       /* lines with units.mue_exceeded */
    uint64_t ptp;       /* lines with ncci.ptp */
} mn_agg;

/* A table of rows keyed by text: "E11.65", "2024-06", "83036|I10". */
typedef struct mn_rtab {
    mn_map index; /* hash of the key -> row */
    char **keys;
    mn_agg *rows;
    size_t n;
    size_t cap;
    size_t max; /* rows kept; the rest go to `other` */
    mn_agg other;
    uint64_t other_keys;
} mn_rtab;

enum { T_EDIT, T_POLICY, T_CARC, T_CODE, T_PAIR, T_MONTH, T_PROVIDER, T_COUNT };

struct mn_report {
    mn_report_options o;
    char *title;
    char *source;
    uint64_t claims;
    uint64_t errors;     /* error records (batch's) */
    uint64_t unreadable; /* lines mn_report_add_json refused */
    uint64_t claims_by_status[6];
    uint64_t lines_by_status[6];
    mn_agg total;
    uint64_t lines_charged; /* lines with a charge */
    uint64_t cross_checked; /* claims judged across claims */
    uint64_t cross_alone;   /* claims judged alone */
    mn_rtab t[T_COUNT];
};

/* One line as both readers see it. */
typedef struct mn_rline {
    const char *code;
    const char *date;     /* YYYY-MM-DD or NULL */
    const char *provider; /* or NULL */
    int64_t charge;       /* cents, -1 unknown */
    int status;           /* mn_status */
    /* its denial and review findings */
    const char *edits[16];
    size_t n_edits;
    const char *policies[16];
    size_t n_policies;
    const char *carcs[16];
    size_t n_carcs;
    const char *diagnoses[16];
    size_t n_dx;
} mn_rline;

int mn_x__report_line(mn_report *r, const mn_rline *ln);

/* Rows of table `t` sorted by `key` (0: denied lines, 1: lines, 2: the
 * key itself): an array of row indexes the caller frees. */
size_t *mn_x__report_sorted(const mn_rtab *t, int by);

/* Provider outliers: z-scores of the denial, frequency and MUE rates
 * among providers with at least min_provider_lines lines. */
typedef struct mn_rout {
    size_t row;
    double rate, z_rate, z_freq, z_mue;
    bool outlier;
} mn_rout;
/* Fills `*out` (caller frees) with one entry per provider row, in row
 * order; *n_eligible gets how many had enough lines. */
int mn_x__report_outliers(const mn_report *r, mn_rout **out, size_t *n_eligible,
                          double *mean, double *sd);

#endif
