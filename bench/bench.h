/*
 * bench.h: shared declarations of the mednec_bench program (the .c files
 * of bench/).
 *
 * The benchmark uses only the public API (include/mednec) plus SQLite for
 * the baseline. See bench/README.md and docs/benchmarks.md.
 */
#ifndef MN_BENCH_H
#define MN_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mednec/engine.h"

/* ---- timing, machine, allocation counts (util.c) -------------------- */

uint64_t bm_now_ns(void);
/* CPU time of the process so far, in ns. */
uint64_t bm_cpu_ns(void);
/* Pins the calling thread to one CPU (the last one online); returns the
 * CPU number or -1. */
int bm_pin_one_core(void);
/* Machine description lines for the report ("key: value"). */
typedef struct bm_machine {
    char cpu[160];
    int nproc;
    double mem_gib;
    char kernel[400];
    char compiler[96];
    char sqlite[32];
    char commit[64];
    char date[32];
    char load[64]; /* /proc/loadavg at the time of the call */
} bm_machine;
/* The current load average ("1.02 0.80 0.61"). */
void bm_loadavg(char *out, size_t size);
void bm_machine_get(bm_machine *m, const char *source_dir);
/* Allocations (malloc, calloc, realloc) made by the process so far. */
uint64_t bm_allocs(void);
/* False when allocations are not counted (sanitizer builds). */
bool bm_allocs_counted(void);
/* Sorts `v` and returns the p-th percentile (0..100). */
double bm_percentile(double *v, size_t n, double p);
/* Drops a file from the page cache (best effort). */
void bm_evict(const char *path);
/* File size in bytes, or 0. */
uint64_t bm_file_size(const char *path);
bool bm_exists(const char *path);
/* True when the two files hold the same bytes. */
bool bm_same_file(const char *a, const char *b);
/* malloc'ed "a/b". */
char *bm_join(const char *a, const char *b);
/* Reads a whole file (NUL-terminated); NULL on error. */
char *bm_read_file(const char *path, size_t *len);

/* ---- deterministic random numbers ----------------------------------- */

typedef struct bm_rng {
    uint64_t s;
} bm_rng;
uint64_t bm_rnext(bm_rng *r);
uint32_t bm_below(bm_rng *r, uint32_t n);

/* ---- the MCD tables as generated (model.c) -------------------------- */

#define BM_MAX_STATES 64

typedef struct bm_dx {
    char code[9]; /* dotted, as in the tables */
    uint8_t group;
    uint8_t asterisk;
} bm_dx;

typedef struct bm_version {
    long article_id;
    long version;
    int32_t eff; /* days since 1970-01-01 */
    int32_t end; /* INT32_MAX: open */
    char eff_text[11];
    char end_text[11]; /* "" when open */
    uint64_t states;   /* bit i: bm_states[i] */
    char codes[8][6];
    int n_codes;
    size_t cov_first; /* into model.cov */
    size_t n_cov;
    size_t noncov_first; /* into model.noncov */
    size_t n_noncov;
    bool dual;         /* some covered code carries an asterisk */
    char **sorted_cov; /* covered codes sorted (strcmp), for lookups */
} bm_version;

typedef struct bm_model {
    bm_version *v;
    size_t n_v;
    bm_dx *cov; /* covered rows, grouped by version */
    size_t n_cov;
    bm_dx *noncov;
    size_t n_noncov;
    size_t n_hcpc_rows;
    size_t n_contractor_links;
    size_t n_contractors;
    char **procedure_codes; /* distinct, sorted */
    size_t n_procedure_codes;
} bm_model;

/* State table shared by the model, the workload and the SQL baseline. */
extern const char *const bm_states[];
extern const size_t bm_n_states;
/* States (bit mask over bm_states) of a Part B contractor number, from
 * the CMS locality file: the first three digits name the state. */
uint64_t bm_contractor_states(const char *number);

/* Calls `row` for each record after the header of `dir`/`name`, with the
 * fields bound to `cols` (NULL where a column is absent). Returns 0, or -1
 * with a message on stderr. */
typedef int (*bm_row_fn)(void *payload, const char *const *f);
int bm_each_row(const char *dir, const char *name, const char *const *cols,
                size_t ncols, bm_row_fn row, void *payload);

int bm_model_load(bm_model *m, const char *dir);
void bm_model_free(bm_model *m);
/* Day number of YYYY-MM-DD, or INT32_MIN. */
int32_t bm_parse_date(const char *s);
void bm_format_date(char out[11], int32_t days);

/* ---- the claim workload (workload.c) -------------------------------- */

enum {
    BM_CAT_COVERED,
    BM_CAT_NOT_SUPPORTED,
    BM_CAT_NONCOVERED,
    BM_CAT_DUAL,
    BM_CAT_WRONG_JURISDICTION,
    BM_CAT_NO_POLICY,
    BM_CAT_COUNT
};
extern const char *const bm_cat_names[BM_CAT_COUNT];

typedef struct bm_line {
    char code[6];
    char date[11];
    char state[3];
    char dx[4][9]; /* the pointed diagnoses */
    int n_dx;
    int cat; /* intended category of the claim */
} bm_line;

typedef struct bm_workload {
    mn_claim **claims; /* built with the setters */
    char **json;       /* the same claims as contract JSON */
    size_t *json_len;
    size_t n_claims;
    bm_line *lines; /* every line, in claim order */
    size_t n_lines;
    size_t json_bytes;
    size_t cat_claims[BM_CAT_COUNT];
} bm_workload;

int bm_workload_make(bm_workload *w, const bm_model *m, size_t target_lines,
                     uint64_t seed);
void bm_workload_free(bm_workload *w);

/* ---- the SQLite baseline (sqlbase.c) ------------------------------- */

/* Line verdicts shared by mednec and the SQL query. */
enum {
    BM_V_NONE = 0, /* no governing policy */
    BM_V_COVERED,
    BM_V_NOT_SUPPORTED, /* incl. secondary diagnosis missing */
    BM_V_NONCOVERED,
    BM_V_OTHER,
    BM_V_COUNT
};
extern const char *const bm_verdict_names[BM_V_COUNT];

typedef struct bm_sql_result {
    double load_s; /* tables + indexes + ANALYZE */
    double claims_load_s;
    double query_s[3]; /* each run of the query */
    int runs;
    double best_s;
    size_t db_bytes;  /* page_count * page_size */
    uint8_t *verdict; /* per line, BM_V_* */
    uint8_t *dual;    /* per line: a governing article is dual */
    char sqlite_version[32];
    const char *query_text;
    char plan[2048]; /* EXPLAIN QUERY PLAN, one step a line */
} bm_sql_result;

/* Loads, runs the query `runs` times (at most 3) and, when `save` is not
 * NULL, writes the database to that file. */
int bm_sql_run(bm_sql_result *out, const char *mcd_dir, const bm_model *m,
               const bm_workload *w, int runs, const char *save);
void bm_sql_free(bm_sql_result *r);

#endif
