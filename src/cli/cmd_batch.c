/*
 * cmd_batch.c: mednec batch: many claims in (JSON Lines, X12 837, FHIR,
 * CSV), one result per claim out (JSON Lines full or brief, CSV, FHIR
 * ClaimResponse), in input order, checked by several threads.
 *
 * The input is read in blocks of claims ("units"). JSON Lines are parsed
 * by the threads; the other formats are read on the main thread by their
 * streaming readers. Each block then goes through:
 *   1. (main, in input order) the edits across claims: each claim takes
 *      its view of the run's earlier claims (mn_crossclaim);
 *   2. (threads, one contiguous range each) check and render;
 *   3. (main, in input order) the buffers are written and, with --record,
 *      the claims filed in the history store.
 * Input order alone decides what each claim sees, so the output does not
 * depend on the number of threads. A unit that is not a claim (a line of
 * bad JSON, an 837 claim with an error) becomes an error record in its
 * place.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static const char *help =
    "usage: mednec batch [--kb FILE] [--threads N]\n"
    "                    [--format auto|jsonl|x12|fhir|csv]\n"
    "                    [--output-format jsonl|csv|fhir]\n"
    "                    [--detail full|brief] [--history DB] [--record]\n"
    "                    [--no-cross-claim] [--cross-window N]\n"
    "                    [--progress | --no-progress] [-o OUT] [IN | -]\n"
    "\n"
    "Checks every claim of IN (stdin with no file or -): JSON Lines of\n"
    "contract claims, X12 837P/837I, FHIR R4 Claims (a Claim, a Bundle, or\n"
    "NDJSON) or CSV or TSV (one row per line), recognised from the first bytes "
    "or\n"
    "given with --format. Writes one result per claim, in input order, to\n"
    "stdout or OUT: JSON Lines (--detail full, the contract result; brief:\n"
    "status, edits, CARC/RARC and citations per line), CSV (one row per\n"
    "line) or FHIR ClaimResponse (NDJSON). What cannot be read gets an\n"
    "error record in its place, with its location.\n"
    "\n"
    "MUE (MAI 2, 3) and PTP edits count the services of the run's earlier\n"
    "claims (the last --cross-window services, default 500000) and of the\n"
    "history store for the same patient, provider and date; --no-cross-\n"
    "claim judges each claim alone. --history DB (or $MEDNEC_HISTORY)\n"
    "loads the history store into memory; --record also files each claim\n"
    "and its line statuses in it (frequency 7 replaces, 8 voids).\n"
    "--threads: default the number of online CPUs (max 64). A progress\n"
    "line goes to a terminal's stderr (counts only).\n"
    "Exit: 0 every line of every claim covered, 1 some line not covered,\n"
    "2 usage, 3 some input could not be read (the rest is still checked\n"
    "and written), 4 internal error.\n";

#define BLOCK 4096            /* claims per block */
#define MAX_CLAIM (4u << 20)  /* bytes of one JSON Lines claim */
#define READ_CHUNK (1u << 20) /* bytes read at a time */
#define MAX_THREADS 64
#define MAX_WARNINGS 20 /* X12 warnings printed; the rest are counted */

enum { OUT_JSONL, OUT_CSV, OUT_FHIR };

/* One unit of a block: a line of JSON to parse, a claim read, or an
 * error record to write. */
enum {
    U_TEXT,  /* a line of JSON Lines, to parse */
    U_CLAIM, /* a claim, read */
    U_ERROR, /* a record made on the main thread (its text in the block) */
    U_PERROR /* a line that did not parse: its message in `msg` */
};

typedef struct unit {
    int kind;
    size_t off, len;   /* U_TEXT: the line; U_ERROR: the record */
    size_t input_line; /* JSON Lines: 1-based line */
    int too_long;
    mn_claim *claim;
    mn_crossclaim_view *view;
    mn_status *statuses; /* --record: each line's status */
    char *msg;           /* U_PERROR */
    size_t ref_off;      /* FHIR: the patient reference in the block text */
    size_t ref_len;
    char claim_type; /* 'I' institutional: FHIR ClaimResponse.type */
} unit;

/* Counts a thread gathers (no patient data). */
typedef struct tally {
    size_t claims;
    size_t errors;
    size_t lines;
    size_t lines_not_covered;
    size_t claims_not_covered;
} tally;

struct run;

/* Units and the text they point into. */
typedef struct block {
    unit *units;
    size_t n_units;
    char *text; /* lines of JSON, error records, FHIR references */
    size_t text_len;
    size_t text_cap;
} block;

typedef struct worker {
    pthread_t tid;
    struct run *r;
    block *b; /* the block it works on */
    size_t first;
    size_t count;
    int phase; /* 0: parse only; 1: check and render */
    mn_ctx *ctx;
    mn_buf *buf;
    tally t;
    int fatal; /* not the claim's fault: out of memory, output too big */
    mn_error err;
} worker;

typedef struct run {
    /* options */
    const mn_kb *kb;
    mn_check_options copts;
    int out_format;
    mn_format detail;
    int cross;
    int record;
    long nthreads;
    /* the blocks: the reader fills `cur`; when pipelined, the workers
       check the other one (`busy`) meanwhile */
    block blk[2];
    block *cur;
    block *busy;
    int pipelined;
    long bg_used; /* workers started on `busy` */
    worker *w;
    /* run-wide */
    mn_crossclaim *xc;
    mn_history *hist_db;
    mn_history_importer *imp;
    mn_outfile *out;
    tally all;
    size_t warnings;
    size_t blank;
    int exit; /* set by a callback when the run must stop */
    const char *in_name;
    /* progress */
    int progress;
    double t0;
    double last_progress;
    size_t bytes_read;
    size_t bytes_total;
} run;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------ */
/* Records of what could not be read                                   */
/* ------------------------------------------------------------------ */

/* Keeps `n` bytes in the block's text; their offset in `*off`. */
static int text_add(run *r, const char *s, size_t n, size_t *off)
{
    if (r->cur->text_len + n > r->cur->text_cap) {
        size_t cap = r->cur->text_cap ? r->cur->text_cap : 4 * READ_CHUNK;
        char *nt;
        while (cap < r->cur->text_len + n)
            cap *= 2;
        nt = realloc(r->cur->text, cap);
        if (!nt)
            return MN_ENOMEM;
        r->cur->text = nt;
        r->cur->text_cap = cap;
    }
    memcpy(r->cur->text + r->cur->text_len, s, n);
    *off = r->cur->text_len;
    r->cur->text_len += n;
    return MN_OK;
}

/* Appends `s` as a JSON string literal to `b`. */
static void json_str(mn_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    char esc[6] = {'\\', 'u', '0', '0', 0, 0};

    mn_buf_append(b, "\"", 1);
    for (const char *p = s ? s : ""; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\') {
            char two[2] = {'\\', (char)c};
            mn_buf_append(b, two, 2);
        } else if (c < 0x20) {
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            mn_buf_append(b, esc, 6);
        } else {
            mn_buf_append(b, p, 1);
        }
    }
    mn_buf_append(b, "\"", 1);
}

#define LIT(b, s) mn_buf_append((b), s, sizeof(s) - 1)

/* The record of something that could not be read, in the output format:
 * a JSON object, a CSV error row, or a FHIR OperationOutcome. `extra` is
 * more JSON members (",\"input_line\":3"); `claim_id` may be NULL. */
static int error_record(const run *r, mn_buf *b, const char *claim_id,
                        const char *lead, const char *message,
                        const char *extra)
{
    mn_error err;

    if (r->out_format == OUT_CSV)
        return mn_csvclaim_write_error(b, claim_id, message, &err);
    if (r->out_format == OUT_FHIR) {
        LIT(b, "{\"resourceType\":\"OperationOutcome\",\"issue\":[{"
               "\"severity\":\"error\",\"code\":\"invalid\",\"diagnostics\":");
        json_str(b, message);
        if (claim_id && claim_id[0]) {
            LIT(b, ",\"expression\":[");
            json_str(b, claim_id);
            LIT(b, "]");
        }
        return LIT(b, "}]}\n");
    }
    LIT(b, "{");
    if (claim_id && claim_id[0]) {
        LIT(b, "\"id\":");
        json_str(b, claim_id);
        LIT(b, ",");
    }
    if (lead)
        mn_buf_append(b, lead, strlen(lead));
    LIT(b, "\"error\":");
    json_str(b, message);
    if (extra)
        mn_buf_append(b, extra, strlen(extra));
    return LIT(b, "}\n");
}

/* Adds a unit whose error record is made now, on the main thread. */
static int add_error(run *r, const char *claim_id, const char *message,
                     const char *extra)
{
    mn_buf *b = NULL;
    unit *u = &r->cur->units[r->cur->n_units];
    int rc;

    if ((rc = mn_buf_new(&b, 0)))
        return rc;
    rc = error_record(r, b, claim_id, NULL, message, extra);
    memset(u, 0, sizeof(*u));
    u->kind = U_ERROR;
    u->len = mn_buf_len(b);
    if (rc == MN_OK)
        rc = text_add(r, mn_buf_data(b), mn_buf_len(b), &u->off);
    mn_buf_free(b);
    if (rc == MN_OK)
        r->cur->n_units++;
    return rc;
}

/* ------------------------------------------------------------------ */
/* Workers                                                             */
/* ------------------------------------------------------------------ */

/* Parses a JSON Lines unit into its claim, or makes it an error. */
static void parse_unit(worker *w, unit *u)
{
    mn_error err;
    char text[700];
    int rc;

    mn_error_clear(&err);
    if (u->too_long) {
        rc = err.code = MN_ELIMIT;
        snprintf(err.message, sizeof(err.message),
                 "the claim is longer than %u bytes", MAX_CLAIM);
    } else {
        rc = mn_claim_parse_json(&u->claim, w->b->text + u->off, u->len, NULL,
                                 &err);
    }
    if (rc == MN_OK) {
        u->kind = U_CLAIM;
        return;
    }
    if (rc == MN_ENOMEM) {
        w->fatal = 1;
        w->err = err;
        return;
    }
    /* the claim is at fault, not the run */
    mn_error_format(text, sizeof(text), &err);
    u->kind = U_PERROR;
    u->msg = strdup(text);
    if (!u->msg) {
        w->fatal = 1;
        w->err.code = MN_ENOMEM;
        snprintf(w->err.message, sizeof(w->err.message), "out of memory");
    }
}

/* Checks a claim unit and renders its result into the worker's buffer. */
static void check_unit(worker *w, unit *u)
{
    run *r = w->r;
    const mn_result *res = NULL;
    mn_check_options co = r->copts;
    mn_error err;
    size_t n;
    size_t bad = 0;
    int rc;

    mn_error_clear(&err);
    co.cross = u->view;
    rc = mn_check_with(&res, w->ctx, r->kb, u->claim, &co, &err);
    if (rc == MN_OK) {
        n = mn_result_line_count(res);
        if (r->out_format == OUT_CSV) {
            rc = mn_csvclaim_write_result(w->buf, res, &err);
        } else if (r->out_format == OUT_FHIR) {
            mn_fhir_response_options fo = MN_FHIR_RESPONSE_OPTIONS_INIT;
            char ref[256];
            if (u->ref_len && u->ref_len < sizeof(ref)) {
                memcpy(ref, w->b->text + u->ref_off, u->ref_len);
                ref[u->ref_len] = '\0';
                fo.patient_reference = ref;
            }
            fo.claim_type = u->claim_type == 'I' ? "institutional" : NULL;
            rc = mn_fhir_claim_response(w->buf, res, &fo, &err);
            if (rc == MN_OK)
                rc = mn_buf_append(w->buf, "\n", 1);
        } else {
            rc = mn_result_render(w->buf, res, r->kb, r->detail, &err);
            if (rc == MN_OK)
                rc = mn_buf_append(w->buf, "\n", 1);
        }
        for (size_t l = 0; l < n; l++)
            bad += mn_result_line_status(res, l) != MN_STATUS_COVERED;
        if (r->record && rc == MN_OK && n) {
            u->statuses = malloc(n * sizeof(*u->statuses));
            for (size_t l = 0; u->statuses && l < n; l++)
                u->statuses[l] = mn_result_line_status(res, l);
            if (!u->statuses)
                rc = err.code = MN_ENOMEM;
        }
        w->t.claims++;
        w->t.lines += n;
        w->t.lines_not_covered += bad;
        w->t.claims_not_covered += bad != 0;
    }
    if (rc) {
        w->fatal = 1;
        w->err = err;
        if (!w->err.message[0])
            snprintf(w->err.message, sizeof(w->err.message), "%s",
                     mn_strerror(rc));
        w->err.code = rc;
    }
}

static void *work(void *arg)
{
    worker *w = arg;
    run *r = w->r;

    if (w->phase == 0) {
        for (size_t k = 0; k < w->count && !w->fatal; k++) {
            unit *u = &w->b->units[w->first + k];
            if (u->kind == U_TEXT)
                parse_unit(w, u);
        }
        return NULL;
    }
    mn_buf_clear(w->buf);
    for (size_t k = 0; k < w->count && !w->fatal; k++) {
        unit *u = &w->b->units[w->first + k];
        if (u->kind == U_TEXT)
            parse_unit(w, u);
        if (u->kind == U_CLAIM) {
            check_unit(w, u);
            if (!r->record) {
                mn_claim_free(u->claim);
                u->claim = NULL;
            }
        } else if (u->kind == U_ERROR) {
            w->t.errors++;
            mn_buf_append(w->buf, w->b->text + u->off, u->len);
        } else if (u->kind == U_PERROR) {
            char lead[48];
            w->t.errors++;
            snprintf(lead, sizeof(lead), "\"input_line\":%zu,", u->input_line);
            error_record(r, w->buf, NULL, lead, u->msg, NULL);
        }
    }
    return NULL;
}

/* Starts `phase` over block `b` on the workers: the main thread takes
 * the first range unless `background`. Returns how many workers run, or
 * -1 (and says why) when a thread cannot start. */
static long start_phase(run *r, block *b, int phase, bool background)
{
    size_t n = b->n_units;
    size_t per = (n + (size_t)r->nthreads - 1) / (size_t)r->nthreads;
    size_t at = 0;
    long used = 0;
    int rc;

    for (long i = 0; i < r->nthreads; i++) {
        worker *w = &r->w[i];
        w->b = b;
        w->phase = phase;
        w->first = at;
        w->count = at < n ? (n - at < per ? n - at : per) : 0;
        at += w->count;
        if (phase)
            mn_buf_clear(w->buf);
        if (!w->count)
            continue;
        used = i + 1;
        if (i == 0 && !background)
            continue; /* the main thread takes the first range */
        if ((rc = pthread_create(&w->tid, NULL, work, w)) != 0) {
            fprintf(stderr, "mednec batch: cannot start a thread: %s\n",
                    strerror(rc));
            for (long j = background ? 0 : 1; j < i; j++)
                pthread_join(r->w[j].tid, NULL);
            return -1;
        }
    }
    if (!background && r->w[0].count)
        work(&r->w[0]);
    return used;
}

/* Waits for the `used` workers started on a phase (the first one ran on
 * the main thread unless `background`). */
static int join_phase(run *r, long used, bool background)
{
    for (long i = background ? 0 : 1; i < used; i++)
        pthread_join(r->w[i].tid, NULL);
    for (long i = 0; i < used; i++) {
        if (r->w[i].fatal) {
            cli_error("batch", &r->w[i].err);
            return r->w[i].err.code == MN_ENOMEM ? EXIT_INTERNAL : EXIT_INPUT;
        }
    }
    return EXIT_CLEAN;
}

/* Runs `phase` over block `b` on every thread and waits. */
static int run_phase(run *r, block *b, int phase)
{
    long used = start_phase(r, b, phase, false);

    return used < 0 ? EXIT_INTERNAL : join_phase(r, used, false);
}

/* ------------------------------------------------------------------ */
/* Blocks                                                              */
/* ------------------------------------------------------------------ */

static int write_out(run *r, const char *data, size_t len)
{
    mn_error err;
    int rc;

    if (!len)
        return EXIT_CLEAN;
    if (r->out) {
        if ((rc = mn_outfile_write(r->out, data, len, &err))) {
            cli_error("batch", &err);
            return cli_exit_for(rc);
        }
        return EXIT_CLEAN;
    }
    return cli_stdout_write("batch", data, len) ? EXIT_INPUT : EXIT_CLEAN;
}

/* A line of counts on a terminal's stderr: no claim content. */
static void progress(run *r, int final)
{
    double t = now_s();
    double dt = t - r->t0;
    double cps = dt > 0 ? (double)r->all.claims / dt : 0;
    double lps = dt > 0 ? (double)r->all.lines / dt : 0;

    if (!r->progress || (!final && t - r->last_progress < 0.5))
        return;
    r->last_progress = t;
    if (r->bytes_total && r->bytes_read < r->bytes_total && r->bytes_read)
        fprintf(stderr,
                "\r%zu claims, %zu lines, %.0f claims/s, %.0f lines/s, %.1f%% "
                "read, ETA %.0f s   ",
                r->all.claims, r->all.lines, cps, lps,
                100.0 * (double)r->bytes_read / (double)r->bytes_total,
                dt * (double)(r->bytes_total - r->bytes_read) /
                    (double)r->bytes_read);
    else
        fprintf(stderr,
                "\r%zu claims, %zu lines, %.0f claims/s, %.0f "
                "lines/s%s   ",
                r->all.claims, r->all.lines, cps, lps,
                r->bytes_total ? ", 100% read" : "");
    if (final)
        fputc('\n', stderr);
}

/* Empties block `b`. */
static void clear_block(block *b)
{
    for (size_t i = 0; i < b->n_units; i++) {
        unit *u = &b->units[i];
        mn_claim_free(u->claim);
        mn_crossclaim_view_free(u->view);
        free(u->statuses);
        free(u->msg);
    }
    b->n_units = 0;
    b->text_len = 0;
}

/* Writes what the workers rendered for block `b`, counts it, files its
 * claims in the history store (--record), and empties it. */
static int finish_block(run *r, block *b)
{
    int ec = EXIT_CLEAN;
    mn_error err;

    for (long i = 0; i < r->nthreads && ec == EXIT_CLEAN; i++) {
        worker *w = &r->w[i];
        ec = write_out(r, mn_buf_data(w->buf), mn_buf_len(w->buf));
        r->all.claims += w->t.claims;
        r->all.errors += w->t.errors;
        r->all.lines += w->t.lines;
        r->all.lines_not_covered += w->t.lines_not_covered;
        r->all.claims_not_covered += w->t.claims_not_covered;
        memset(&w->t, 0, sizeof(w->t));
    }
    for (size_t i = 0; i < b->n_units && ec == EXIT_CLEAN && r->imp; i++) {
        unit *u = &b->units[i];
        if (u->kind == U_CLAIM && u->claim &&
            mn_history_importer_put(r->imp, u->claim, u->statuses, &err)) {
            cli_error("batch", &err);
            ec = cli_exit_for(err.code);
        }
    }
    clear_block(b);
    progress(r, 0);
    return ec;
}

/* Waits for the block checked in the background, and finishes it. */
static int wait_busy(run *r)
{
    block *b = r->busy;
    int ec;

    if (!b)
        return EXIT_CLEAN;
    r->busy = NULL;
    ec = join_phase(r, r->bg_used, true);
    if (ec) {
        clear_block(b);
        return ec;
    }
    return finish_block(r, b);
}

/* Checks the units of the current block and writes them. The views
 * across claims are taken here, on the main thread, in input order. When
 * pipelined, the block is checked in the background while the reader
 * fills the other one; its results are written when the next block
 * comes (or at the end: wait_busy). */
static int flush_block(run *r)
{
    block *b = r->cur;
    int ec = EXIT_CLEAN;
    mn_error err;
    bool texts = false;
    long used;

    if (!b->n_units)
        return EXIT_CLEAN;
    if ((ec = wait_busy(r)))
        goto fail;
    for (size_t i = 0; i < b->n_units && !texts; i++)
        texts = b->units[i].kind == U_TEXT;
    if (r->cross && texts && (ec = run_phase(r, b, 0)))
        goto fail;
    for (size_t i = 0; i < b->n_units && r->cross; i++) {
        unit *u = &b->units[i];
        if (u->kind == U_CLAIM &&
            mn_crossclaim_take(&u->view, r->xc, u->claim, &err)) {
            cli_error("batch", &err);
            ec = EXIT_INTERNAL;
            goto fail;
        }
    }
    if (!r->pipelined) {
        if ((ec = run_phase(r, b, 1)))
            goto fail;
        return finish_block(r, b);
    }
    used = start_phase(r, b, 1, true);
    if (used < 0) {
        ec = EXIT_INTERNAL;
        goto fail;
    }
    r->bg_used = used;
    r->busy = b;
    r->cur = b == &r->blk[0] ? &r->blk[1] : &r->blk[0];
    return EXIT_CLEAN;
fail:
    clear_block(b);
    return ec;
}

/* Makes room for one more unit (checking the full block first). */
static int room(run *r)
{
    if (r->cur->n_units < BLOCK)
        return EXIT_CLEAN;
    return flush_block(r);
}

/* ------------------------------------------------------------------ */
/* Readers                                                             */
/* ------------------------------------------------------------------ */

/* JSON Lines: whole lines, a line longer than MAX_CLAIM an error. */
typedef struct lines {
    char *carry;
    size_t len;
    size_t cap;
    size_t line_no;
    int skipping; /* inside a line longer than MAX_CLAIM */
} lines;

/* A line longer than MAX_CLAIM: an error record in its place. */
static int jsonl_too_long(run *r, lines *ls)
{
    unit *u;
    int ec;

    ls->line_no++;
    if ((ec = room(r)))
        return ec;
    u = &r->cur->units[r->cur->n_units++];
    memset(u, 0, sizeof(*u));
    u->kind = U_TEXT;
    u->input_line = ls->line_no;
    u->too_long = 1;
    return EXIT_CLEAN;
}

static int jsonl_line(run *r, lines *ls, const char *s, size_t len)
{
    unit *u;
    size_t k = 0;
    int ec;

    ls->line_no++;
    if (len && s[len - 1] == '\r')
        len--;
    while (k < len && (s[k] == ' ' || s[k] == '\t'))
        k++;
    if (k == len) {
        r->blank++;
        return EXIT_CLEAN;
    }
    if ((ec = room(r)))
        return ec;
    u = &r->cur->units[r->cur->n_units];
    memset(u, 0, sizeof(*u));
    u->kind = U_TEXT;
    u->input_line = ls->line_no;
    if (len > MAX_CLAIM) {
        u->too_long = 1;
    } else if (text_add(r, s, len, &u->off)) {
        fprintf(stderr, "mednec batch: out of memory\n");
        return EXIT_INTERNAL;
    }
    u->len = len;
    r->cur->n_units++;
    return EXIT_CLEAN;
}

static int jsonl_feed(run *r, lines *ls, const char *data, size_t n)
{
    int ec = EXIT_CLEAN;

    while (n && ec == EXIT_CLEAN) {
        const char *nl = memchr(data, '\n', n);
        size_t take = nl ? (size_t)(nl - data) : n;
        if (ls->skipping) {
            if (nl)
                ls->skipping = 0;
        } else if (!nl || ls->len) {
            if (ls->len + take > MAX_CLAIM) {
                /* too long to be a claim: report it, drop its bytes */
                ls->len = 0;
                ec = jsonl_too_long(r, ls);
                ls->skipping = !nl;
            } else {
                if (ls->len + take > ls->cap) {
                    size_t cap = ls->cap ? ls->cap * 2 : 65536;
                    char *nc;
                    while (cap < ls->len + take)
                        cap *= 2;
                    nc = realloc(ls->carry, cap);
                    if (!nc) {
                        fprintf(stderr, "mednec batch: out of memory\n");
                        return EXIT_INTERNAL;
                    }
                    ls->carry = nc;
                    ls->cap = cap;
                }
                memcpy(ls->carry + ls->len, data, take);
                ls->len += take;
                if (nl) {
                    ec = jsonl_line(r, ls, ls->carry, ls->len);
                    ls->len = 0;
                }
            }
        } else {
            ec = jsonl_line(r, ls, data, take);
        }
        data += take + (nl ? 1 : 0);
        n -= take + (nl ? 1 : 0);
    }
    return ec;
}

static int jsonl_finish(run *r, lines *ls)
{
    int ec = EXIT_CLEAN;

    if (ls->len && !ls->skipping)
        ec = jsonl_line(r, ls, ls->carry, ls->len);
    ls->len = 0;
    return ec;
}

/* X12: claims and error records as the reader hands them out. */
static int x837_item(void *payload, mn_x837_item *it)
{
    run *r = payload;
    unit *u;
    int ec;

    if ((ec = room(r))) {
        r->exit = ec;
        mn_claim_free(it->claim);
        return 1;
    }
    if (!it->claim) {
        char msg[700];
        char extra[400];
        mn_buf *b = NULL;
        const mn_x12_issue *e = it->error;
        mn_x12_issue_format(msg, sizeof(msg), e);
        /* the location as data too */
        if (!mn_buf_new(&b, 0)) {
            LIT(b, ",\"x12\":{\"interchange\":");
            json_str(b, e ? e->interchange : "");
            LIT(b, ",\"transaction\":");
            json_str(b, e ? e->transaction : "");
            if (e && e->segment) {
                char num[64];
                snprintf(num, sizeof(num), ",\"segment\":%zu", e->segment);
                mn_buf_append(b, num, strlen(num));
                LIT(b, ",\"segment_id\":");
                json_str(b, e->segment_id);
            }
            if (e && e->loop[0]) {
                LIT(b, ",\"loop\":");
                json_str(b, e->loop);
            }
            if (e && e->element) {
                char el[32];
                snprintf(el, sizeof(el), "%s%02zu%s", e->segment_id, e->element,
                         e->component ? "-" : "");
                if (e->component)
                    snprintf(el + strlen(el), sizeof(el) - strlen(el), "%zu",
                             e->component);
                LIT(b, ",\"element\":");
                json_str(b, el);
            }
            if (it->errors > 1) {
                char num[48];
                snprintf(num, sizeof(num), ",\"errors\":%zu", it->errors);
                mn_buf_append(b, num, strlen(num));
            }
            LIT(b, "}");
            snprintf(extra, sizeof(extra), "%s", mn_buf_data(b));
            mn_buf_free(b);
        } else {
            extra[0] = '\0';
        }
        if (add_error(r, it->claim_id, msg, extra)) {
            r->exit = EXIT_INTERNAL;
            return 1;
        }
        return MN_OK;
    }
    u = &r->cur->units[r->cur->n_units++];
    memset(u, 0, sizeof(*u));
    u->kind = U_CLAIM;
    u->claim = it->claim;
    u->claim_type = it->kind;
    return MN_OK;
}

/* Warnings go to stderr (they name segments and elements only). */
static void x837_issue(void *payload, const mn_x12_issue *is)
{
    run *r = payload;
    char msg[700];

    if (is->severity != MN_X12_WARNING)
        return;
    if (r->warnings++ < MAX_WARNINGS) {
        if (r->progress)
            fputc('\n', stderr);
        fprintf(stderr, "mednec batch: warning: %s\n",
                mn_x12_issue_format(msg, sizeof(msg), is));
    }
}

static int fhir_item(void *payload, mn_fhir_item *it)
{
    run *r = payload;
    unit *u;
    int ec;

    if ((ec = room(r))) {
        r->exit = ec;
        mn_claim_free(it->claim);
        return 1;
    }
    if (!it->claim) {
        char msg[700];
        char extra[96];
        mn_error_format(msg, sizeof(msg), it->error);
        if (it->entry)
            snprintf(extra, sizeof(extra), ",\"input_line\":%zu,\"entry\":%zu",
                     it->line, it->entry);
        else
            snprintf(extra, sizeof(extra), ",\"input_line\":%zu", it->line);
        if (add_error(r, it->claim_id, msg, extra)) {
            r->exit = EXIT_INTERNAL;
            return 1;
        }
        return MN_OK;
    }
    u = &r->cur->units[r->cur->n_units];
    memset(u, 0, sizeof(*u));
    u->kind = U_CLAIM;
    u->claim = it->claim;
    if (it->patient_reference[0] &&
        text_add(r, it->patient_reference, strlen(it->patient_reference),
                 &u->ref_off) == MN_OK)
        u->ref_len = strlen(it->patient_reference);
    r->cur->n_units++;
    return MN_OK;
}

static int csv_item(void *payload, mn_csvclaim_item *it)
{
    run *r = payload;
    unit *u;
    int ec;

    if ((ec = room(r))) {
        r->exit = ec;
        mn_claim_free(it->claim);
        return 1;
    }
    if (!it->claim) {
        char msg[700];
        char extra[48];
        mn_error_format(msg, sizeof(msg), it->error);
        snprintf(extra, sizeof(extra), ",\"row\":%zu",
                 it->error->record ? it->error->record : it->first_row);
        if (add_error(r, it->claim_id, msg, extra)) {
            r->exit = EXIT_INTERNAL;
            return 1;
        }
        return MN_OK;
    }
    u = &r->cur->units[r->cur->n_units++];
    memset(u, 0, sizeof(*u));
    u->kind = U_CLAIM;
    u->claim = it->claim;
    return MN_OK;
}

/* ------------------------------------------------------------------ */
/* The command                                                         */
/* ------------------------------------------------------------------ */

static int parse_format(const char *s, mn_input_format *out)
{
    static const struct {
        const char *name;
        mn_input_format f;
    } names[] = {{"auto", MN_INPUT_UNKNOWN},
                 {"jsonl", MN_INPUT_JSONL},
                 {"x12", MN_INPUT_X12},
                 {"fhir", MN_INPUT_FHIR},
                 {"csv", MN_INPUT_CSV}};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(s, names[i].name) == 0) {
            *out = names[i].f;
            return 0;
        }
    }
    return -1;
}

int cmd_batch(int argc, char **argv)
{
    const char *kb_path = NULL, *threads_s = NULL, *format = NULL;
    const char *hist_path = NULL, *out_path = NULL, *out_format = NULL;
    const char *detail = NULL, *window_s = NULL;
    int want_help = 0, record = 0, no_cross = 0, want_progress = 0,
        no_progress = 0;
    const cli_opt opts[] = {
        {"--kb", 1, &kb_path, NULL},
        {"--threads", 1, &threads_s, NULL},
        {"--format", 1, &format, NULL},
        {"--output-format", 1, &out_format, NULL},
        {"--detail", 1, &detail, NULL},
        {"--history", 1, &hist_path, NULL},
        {"--record", 0, NULL, &record},
        {"--no-cross-claim", 0, NULL, &no_cross},
        {"--cross-window", 1, &window_s, NULL},
        {"--progress", 0, NULL, &want_progress},
        {"--no-progress", 0, NULL, &no_progress},
        {"-o", 1, &out_path, NULL},
        {"--output", 1, &out_path, NULL},
        {"--help", 0, NULL, &want_help},
        {NULL, 0, NULL, NULL},
    };
    const char *args[1];
    int nargs = 0;
    run r;
    mn_error err;
    mn_kb *kb = NULL;
    mn_history_memory *mem = NULL;
    mn_history_source hsrc;
    mn_input_format fmt = MN_INPUT_UNKNOWN;
    mn_outfile_options oo = MN_OUTFILE_OPTIONS_INIT;
    mn_crossclaim_options xo = MN_CROSSCLAIM_OPTIONS_INIT;
    mn_x837 *x837 = NULL;
    mn_fhir *fhir = NULL;
    mn_csvclaim *csv = NULL;
    lines ls;
    FILE *in = NULL;
    char *chunk = NULL;
    int in_fd;
    int exit_code = EXIT_INTERNAL;
    int ec = EXIT_CLEAN;
    int rc;
    bool eof = false;
    bool first = true;
    struct stat sb;

    memset(&r, 0, sizeof(r));
    memset(&ls, 0, sizeof(ls));
    mn_error_clear(&err);
    r.t0 = now_s();
    r.nthreads = sysconf(_SC_NPROCESSORS_ONLN);
    r.detail = MN_FORMAT_JSON;
    r.in_name = "standard input";
    if ((rc = cli_parse(argc, argv, opts, args, &nargs, 1, NULL)))
        return rc;
    if (want_help) {
        fputs(help, stdout);
        return cli_stdout_finish("batch", EXIT_CLEAN);
    }
    if (format && parse_format(format, &fmt)) {
        fprintf(stderr, "mednec batch: --format must be auto, jsonl, x12, "
                        "fhir or csv\n");
        return EXIT_USAGE;
    }
    if (out_format && strcmp(out_format, "jsonl") == 0)
        r.out_format = OUT_JSONL;
    else if (out_format && strcmp(out_format, "csv") == 0)
        r.out_format = OUT_CSV;
    else if (out_format && strcmp(out_format, "fhir") == 0)
        r.out_format = OUT_FHIR;
    else if (out_format) {
        fprintf(stderr,
                "mednec batch: --output-format must be jsonl, csv or fhir\n");
        return EXIT_USAGE;
    }
    if (detail && strcmp(detail, "brief") == 0)
        r.detail = MN_FORMAT_BRIEF;
    else if (detail && strcmp(detail, "full") != 0) {
        fprintf(stderr, "mednec batch: --detail must be full or brief\n");
        return EXIT_USAGE;
    }
    if (detail && r.out_format != OUT_JSONL) {
        fprintf(stderr, "mednec batch: --detail is for --output-format "
                        "jsonl\n");
        return EXIT_USAGE;
    }
    if (threads_s) {
        char *end = NULL;
        r.nthreads = strtol(threads_s, &end, 10);
        if (!threads_s[0] || *end || r.nthreads < 1 ||
            r.nthreads > MAX_THREADS) {
            fprintf(stderr, "mednec batch: --threads: expected 1 to %d\n",
                    MAX_THREADS);
            return EXIT_USAGE;
        }
    }
    if (r.nthreads < 1)
        r.nthreads = 1;
    if (r.nthreads > MAX_THREADS)
        r.nthreads = MAX_THREADS;
    if (window_s) {
        char *end = NULL;
        long long v = strtoll(window_s, &end, 10);
        if (!window_s[0] || *end || v < 1 || v > 100000000) {
            fprintf(stderr, "mednec batch: --cross-window: expected 1 to "
                            "100000000 services\n");
            return EXIT_USAGE;
        }
        xo.max_services = (size_t)v;
    }
    if (want_progress && no_progress) {
        fprintf(stderr,
                "mednec batch: --progress and --no-progress conflict\n");
        return EXIT_USAGE;
    }
    r.progress = want_progress || (!no_progress && isatty(STDERR_FILENO));
    r.cross = !no_cross;
    r.record = record;

    if (nargs && strcmp(args[0], "-") != 0) {
        r.in_name = args[0];
        in = fopen(args[0], "rb");
        if (!in) {
            cli_sys_error("batch", args[0], "cannot open", errno);
            return EXIT_INPUT;
        }
    } else {
        in = stdin;
    }
    if (fstat(fileno(in), &sb) == 0 && S_ISREG(sb.st_mode))
        r.bytes_total = (size_t)sb.st_size;
    if ((rc = cli_open_kb(&kb, kb_path, &err))) {
        cli_error("batch", &err);
        exit_code = cli_exit_for(rc);
        goto done;
    }
    r.kb = kb;
    r.copts.version = MN_CHECK_OPTIONS_VERSION;
    r.copts.cross_claims = r.cross;
    if (!hist_path && getenv("MEDNEC_HISTORY") && getenv("MEDNEC_HISTORY")[0])
        hist_path = getenv("MEDNEC_HISTORY");
    if (record && !hist_path) {
        fprintf(stderr, "mednec batch: --record needs a history store "
                        "(--history DB or $MEDNEC_HISTORY)\n");
        exit_code = EXIT_USAGE;
        goto done;
    }
    if (hist_path) {
        struct stat hs;
        /* a store that does not exist yet is created by --record */
        if (!(record && stat(hist_path, &hs) != 0)) {
            if ((rc = mn_history_memory_load(&mem, hist_path, &err))) {
                cli_error("batch", &err);
                exit_code = cli_exit_for(rc);
                goto done;
            }
            mn_history_memory_source(&hsrc, mem);
            r.copts.history = &hsrc;
        }
    }
    if (record) {
        if ((rc = mn_history_open(&r.hist_db, hist_path, NULL, &err)) ||
            (rc = mn_history_importer_new(&r.imp, r.hist_db, NULL, &err))) {
            cli_error("batch", &err);
            exit_code = cli_exit_for(rc);
            goto done;
        }
    }
    if (r.cross && (rc = mn_crossclaim_new(&r.xc, &xo, &err))) {
        cli_error("batch", &err);
        exit_code = cli_exit_for(rc);
        goto done;
    }
    /* results go to a temporary file renamed at the end; a device or a
     * FIFO is written in place; the input is never the output */
    oo.allow_special = 1;
    in_fd = fileno(in);
    oo.inputs = &in_fd;
    oo.n_inputs = 1;
    if (out_path && (rc = cli_outfile_open(&r.out, out_path, &oo, &err))) {
        cli_error("batch", &err);
        exit_code = cli_exit_for(rc);
        goto done;
    }
    r.w = calloc((size_t)r.nthreads, sizeof(*r.w));
    r.blk[0].units = calloc(BLOCK, sizeof(unit));
    r.blk[1].units = calloc(BLOCK, sizeof(unit));
    r.cur = &r.blk[0];
    chunk = malloc(READ_CHUNK);
    if (!r.w || !r.blk[0].units || !r.blk[1].units || !chunk)
        goto nomem;
    for (long i = 0; i < r.nthreads; i++) {
        if (mn_ctx_new(&r.w[i].ctx, 0, &err) || mn_buf_new(&r.w[i].buf, 0))
            goto nomem;
        r.w[i].r = &r;
    }
    if (r.out_format == OUT_CSV) {
        mn_buf *h = NULL;
        if (mn_buf_new(&h, 0) || mn_csvclaim_write_header(h, &err)) {
            mn_buf_free(h);
            goto nomem;
        }
        ec = write_out(&r, mn_buf_data(h), mn_buf_len(h));
        mn_buf_free(h);
        if (ec) {
            exit_code = ec;
            goto done;
        }
    }

    while (!eof && ec == EXIT_CLEAN) {
        size_t n;
        errno = 0;
        n = fread(chunk, 1, READ_CHUNK, in);
        if (n == 0 && ferror(in)) {
            cli_sys_error("batch", r.in_name, "cannot read",
                          errno ? errno : EIO);
            exit_code = EXIT_INPUT;
            goto done;
        }
        eof = n < READ_CHUNK && feof(in);
        r.bytes_read += n;
        if (first) {
            first = false;
            if (fmt == MN_INPUT_UNKNOWN)
                fmt = mn_input_sniff(chunk, n);
            if (fmt == MN_INPUT_UNKNOWN && n == 0)
                fmt = MN_INPUT_JSONL; /* empty: nothing to check */
            if (fmt == MN_INPUT_UNKNOWN) {
                fprintf(stderr,
                        "mednec batch: %s: not JSON Lines, X12, FHIR or CSV "
                        "claims (give --format)\n",
                        r.in_name);
                exit_code = EXIT_INPUT;
                goto done;
            }
            /* a reader on the main thread (X12, FHIR, CSV) goes on while
               the workers check the previous block */
            r.pipelined = r.nthreads > 1 && fmt != MN_INPUT_JSONL;
            if (fmt == MN_INPUT_X12) {
                mn_x837_options xo8 = MN_X837_OPTIONS_INIT;
                xo8.name = r.in_name;
                xo8.on_item = x837_item;
                xo8.on_issue = x837_issue;
                xo8.payload = &r;
                rc = mn_x837_new(&x837, &xo8, &err);
            } else if (fmt == MN_INPUT_FHIR) {
                mn_fhir_options fo = MN_FHIR_OPTIONS_INIT;
                fo.name = r.in_name;
                fo.on_item = fhir_item;
                fo.payload = &r;
                rc = mn_fhir_new(&fhir, &fo, &err);
            } else if (fmt == MN_INPUT_CSV) {
                mn_csvclaim_options co = MN_CSVCLAIM_OPTIONS_INIT;
                const char *nl = memchr(chunk, '\n', n);
                size_t hl = nl ? (size_t)(nl - chunk) : n;
                /* a header with tabs and no comma: TSV */
                if (memchr(chunk, '\t', hl) && !memchr(chunk, ',', hl))
                    co.delimiter = '\t';
                co.name = r.in_name;
                co.on_item = csv_item;
                co.payload = &r;
                rc = mn_csvclaim_new(&csv, &co, &err);
            }
            if (rc) {
                cli_error("batch", &err);
                exit_code = cli_exit_for(rc);
                goto done;
            }
        }
        if (fmt == MN_INPUT_JSONL) {
            ec = jsonl_feed(&r, &ls, chunk, n);
            if (ec == EXIT_CLEAN && eof)
                ec = jsonl_finish(&r, &ls);
        } else {
            if (x837)
                rc = mn_x837_feed(x837, chunk, n, &err);
            else if (fhir)
                rc = mn_fhir_feed(fhir, chunk, n, &err);
            else
                rc = mn_csvclaim_feed(csv, chunk, n, &err);
            if (rc == MN_OK && eof) {
                if (x837)
                    rc = mn_x837_finish(x837, &err);
                else if (fhir)
                    rc = mn_fhir_finish(fhir, &err);
                else
                    rc = mn_csvclaim_finish(csv, &err);
            }
            if (r.exit)
                ec = r.exit;
            else if (rc) {
                cli_error("batch", &err);
                ec = rc == MN_ENOMEM ? EXIT_INTERNAL : EXIT_INPUT;
            }
        }
    }
    if (ec == EXIT_CLEAN)
        ec = flush_block(&r);
    if (ec == EXIT_CLEAN)
        ec = wait_busy(&r);
    if (ec) {
        exit_code = ec;
        goto done;
    }
    if (r.imp && (rc = mn_history_importer_finish(r.imp, &err))) {
        cli_error("batch", &err);
        exit_code = cli_exit_for(rc);
        goto done;
    }
    if (r.out && (rc = cli_outfile_commit(r.out, &err))) {
        cli_error("batch", &err);
        exit_code = cli_exit_for(rc);
        goto done;
    }
    if (!r.out && fflush(stdout) != 0) {
        exit_code = cli_stdout_finish("batch", EXIT_INPUT);
        goto done;
    }
    progress(&r, 1);
    if (r.warnings > MAX_WARNINGS)
        fprintf(stderr, "mednec batch: %zu more warnings not shown\n",
                r.warnings - MAX_WARNINGS);
    /* counts only: no patient data in the log */
    fprintf(stderr,
            "mednec batch: %zu claims (%zu lines; %zu claims with a line "
            "not covered), %zu input errors, %zu blank lines skipped, %zu "
            "warnings, %s input, %ld thread%s, %.2f s\n",
            r.all.claims, r.all.lines, r.all.claims_not_covered, r.all.errors,
            r.blank, r.warnings, mn_input_format_name(fmt), r.nthreads,
            r.nthreads == 1 ? "" : "s", now_s() - r.t0);
    exit_code = r.all.errors               ? EXIT_INPUT
                : r.all.claims_not_covered ? EXIT_FINDINGS
                                           : EXIT_CLEAN;
    goto done;
nomem:
    fprintf(stderr, "mednec batch: out of memory\n");
done:
    if (r.busy) {
        /* a run that stopped early: its background block still runs */
        join_phase(&r, r.bg_used, true);
        r.busy = NULL;
    }
    for (int b = 0; b < 2; b++) {
        if (r.blk[b].units)
            clear_block(&r.blk[b]);
    }
    if (r.w) {
        for (long i = 0; i < r.nthreads; i++) {
            mn_ctx_free(r.w[i].ctx);
            mn_buf_free(r.w[i].buf);
        }
    }
    free(r.w);
    for (int b = 0; b < 2; b++) {
        free(r.blk[b].units);
        free(r.blk[b].text);
    }
    free(ls.carry);
    free(chunk);
    mn_x837_free(x837);
    mn_fhir_free(fhir);
    mn_csvclaim_free(csv);
    if (in && in != stdin)
        fclose(in);
    cli_outfile_free(r.out);
    mn_history_importer_free(r.imp);
    mn_history_free(r.hist_db);
    mn_crossclaim_free(r.xc);
    mn_history_memory_free(mem);
    mn_kb_free(kb);
    return exit_code;
}
