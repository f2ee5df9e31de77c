/*
 * cmd_batch.c: mednec batch: many claims, JSON Lines in, one result per
 * claim out, in input order, checked by several threads.
 *
 * The input is read in blocks of claims. Each block is split into one
 * contiguous range per thread; every thread parses, checks and renders
 * its range into its own buffer, and the main thread writes the buffers
 * in order. A line that is not a valid claim becomes an error record in
 * its place, so output line N always answers input claim N.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static const char *help =
    "usage: mednec batch [--kb FILE] [--threads N] [--format jsonl|x12]\n"
    "                    [--history DB] [-o OUT] [IN | -]\n"
    "\n"
    "Checks every claim of a JSON Lines file (one contract claim per line;\n"
    "stdin with no file or -) and writes one result per claim, in input\n"
    "order, as JSON Lines to stdout or OUT. A line that is not a valid\n"
    "claim gets {\"input_line\": N, \"error\": \"...\"} in its place; blank\n"
    "lines are skipped and counted. --history loads the history store into\n"
    "memory once. --threads: default the number of online CPUs (max 64).\n"
    "X12 837 input (--format x12) is not supported yet.\n"
    "Exit: 0 every line of every claim covered, 1 some line not covered,\n"
    "2 usage, 3 an input line was not a valid claim (the others are still\n"
    "checked and written), 4 internal error.\n";

#define BLOCK 4096            /* claims per block */
#define MAX_CLAIM (4u << 20)  /* bytes of one claim (one line) */
#define READ_CHUNK (1u << 20) /* bytes read at a time */
#define MAX_THREADS 64

/* One input line of the block. */
typedef struct item {
    size_t off; /* into the block's text */
    size_t len;
    size_t input_line; /* 1-based line number in the input */
    int too_long;
} item;

/* Counts a thread gathers (no patient data). */
typedef struct tally {
    size_t claims;
    size_t errors;
    size_t lines;
    size_t lines_not_covered;
    size_t claims_not_covered;
} tally;

typedef struct worker {
    pthread_t tid;
    const mn_kb *kb;
    const mn_check_options *copts;
    const char *text;
    const item *items;
    size_t first;
    size_t count;
    mn_ctx *ctx;
    mn_buf *buf;
    tally t;
    int fatal; /* not the claim's fault: out of memory, output too big */
    mn_error err;
} worker;

/* Appends `s` as a JSON string literal. */
static int json_str(mn_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    char esc[6] = {'\\', 'u', '0', '0', 0, 0};
    int rc = mn_buf_append(b, "\"", 1);

    for (const char *p = s; *p && rc == MN_OK; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\') {
            char two[2] = {'\\', (char)c};
            rc = mn_buf_append(b, two, 2);
        } else if (c < 0x20) {
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            rc = mn_buf_append(b, esc, 6);
        } else {
            rc = mn_buf_append(b, p, 1);
        }
    }
    if (rc == MN_OK)
        rc = mn_buf_append(b, "\"", 1);
    return rc;
}

/* One claim: its result, or its error record, and a newline. */
static int one(worker *w, const item *it)
{
    mn_claim *c = NULL;
    const mn_result *res = NULL;
    mn_error err;
    char text[700];
    int rc;

    mn_error_clear(&err);
    if (it->too_long) {
        rc = err.code = MN_ELIMIT;
        snprintf(err.message, sizeof(err.message),
                 "the claim is longer than %u bytes", MAX_CLAIM);
    } else {
        rc = mn_claim_parse_json(&c, w->text + it->off, it->len, NULL, &err);
    }
    if (rc == MN_OK)
        rc = mn_check_with(&res, w->ctx, w->kb, c, w->copts, &err);
    if (rc == MN_OK) {
        size_t n = mn_result_line_count(res);
        size_t bad = 0;
        rc = mn_result_render(w->buf, res, w->kb, MN_FORMAT_JSON, &err);
        for (size_t l = 0; l < n; l++)
            bad += mn_result_line_status(res, l) != MN_STATUS_COVERED;
        w->t.lines += n;
        w->t.lines_not_covered += bad;
        w->t.claims_not_covered += bad != 0;
    } else if (rc == MN_EINVAL || rc == MN_ELIMIT) {
        /* the claim is at fault, not the run: an error record */
        w->t.errors++;
        mn_error_format(text, sizeof(text), &err);
        snprintf(err.message, sizeof(err.message),
                 "{\"input_line\":%zu,\"error\":", it->input_line);
        rc = mn_buf_append(w->buf, err.message, strlen(err.message));
        if (rc == MN_OK)
            rc = json_str(w->buf, text);
        if (rc == MN_OK)
            rc = mn_buf_append(w->buf, "}", 1);
        if (rc)
            mn_error_clear(&err);
    }
    if (rc == MN_OK)
        rc = mn_buf_append(w->buf, "\n", 1);
    if (rc) {
        w->err = err;
        if (!w->err.message[0])
            snprintf(w->err.message, sizeof(w->err.message), "%s",
                     mn_strerror(rc));
        w->err.code = rc;
        w->fatal = 1;
    }
    w->t.claims++;
    mn_claim_free(c);
    return rc;
}

static void *work(void *arg)
{
    worker *w = arg;

    mn_buf_clear(w->buf);
    for (size_t k = 0; k < w->count && !w->fatal; k++)
        one(w, &w->items[w->first + k]);
    return NULL;
}

/*
 * The reader: whole lines from a stream, in blocks. `text` holds the
 * block's lines; `carry` the start of a line the last read cut.
 */
typedef struct reader {
    FILE *in;
    char *buf; /* read buffer: [0, len) unread */
    size_t len;
    size_t cap;
    int eof;
    int read_errno; /* why the last read failed */
    size_t line_no;
    size_t blank;
    int skipping; /* inside a line longer than MAX_CLAIM */
} reader;

/* Reads more input; -1 on a read error. */
static int fill(reader *r)
{
    size_t n;

    if (r->eof)
        return 0;
    if (r->cap - r->len < READ_CHUNK) {
        size_t cap = r->cap ? r->cap * 2 : 4 * READ_CHUNK;
        char *nb = realloc(r->buf, cap);
        if (!nb)
            return -1;
        r->buf = nb;
        r->cap = cap;
    }
    errno = 0;
    n = fread(r->buf + r->len, 1, r->cap - r->len, r->in);
    r->read_errno = errno;
    r->len += n;
    if (n == 0) {
        if (ferror(r->in))
            return -1;
        r->eof = 1;
    }
    return 0;
}

/*
 * Moves up to BLOCK lines into `text`/`items`. Returns the number of
 * items, or -1 (read error or out of memory).
 */
static long next_block(reader *r, char **text, size_t *text_cap, item *items)
{
    size_t used = 0;
    long n = 0;
    size_t pos = 0;

    while (n < BLOCK) {
        char *nl =
            pos < r->len ? memchr(r->buf + pos, '\n', r->len - pos) : NULL;
        size_t end;
        if (!nl && !r->eof) {
            /* keep the partial line, read more */
            if (pos)
                memmove(r->buf, r->buf + pos, r->len - pos);
            r->len -= pos;
            pos = 0;
            if (r->len > MAX_CLAIM && !r->skipping) {
                /* too long to be a claim: report it, drop its bytes */
                r->line_no++;
                items[n].off = used;
                items[n].len = 0;
                items[n].input_line = r->line_no;
                items[n].too_long = 1;
                n++;
                r->skipping = 1;
            }
            if (r->skipping)
                r->len = 0;
            if (fill(r) < 0)
                return -1;
            continue;
        }
        if (!nl && r->len == pos)
            break; /* end of input */
        end = nl ? (size_t)(nl - r->buf) : r->len;
        if (r->skipping) {
            r->skipping = 0; /* the end of the long line */
        } else {
            size_t len = end - pos;
            const char *s = r->buf + pos;
            size_t k = 0;
            r->line_no++;
            if (len && s[len - 1] == '\r')
                len--;
            while (k < len && (s[k] == ' ' || s[k] == '\t'))
                k++;
            if (k == len) {
                r->blank++;
            } else if (len > MAX_CLAIM) {
                items[n].off = used;
                items[n].len = 0;
                items[n].input_line = r->line_no;
                items[n].too_long = 1;
                n++;
            } else {
                if (used + len > *text_cap) {
                    size_t cap = *text_cap ? *text_cap : 4 * READ_CHUNK;
                    char *nt;
                    while (cap < used + len)
                        cap *= 2;
                    nt = realloc(*text, cap);
                    if (!nt)
                        return -1;
                    *text = nt;
                    *text_cap = cap;
                }
                memcpy(*text + used, s, len);
                items[n].off = used;
                items[n].len = len;
                items[n].input_line = r->line_no;
                items[n].too_long = 0;
                used += len;
                n++;
            }
        }
        pos = nl ? end + 1 : r->len;
    }
    if (pos)
        memmove(r->buf, r->buf + pos, r->len - pos);
    r->len -= pos;
    return n;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cmd_batch(int argc, char **argv)
{
    const char *kb_path = NULL, *threads_s = NULL, *format = NULL;
    const char *hist_path = NULL, *out_path = NULL;
    int want_help = 0;
    const cli_opt opts[] = {
        {"--kb", 1, &kb_path, NULL},     {"--threads", 1, &threads_s, NULL},
        {"--format", 1, &format, NULL},  {"--history", 1, &hist_path, NULL},
        {"-o", 1, &out_path, NULL},      {"--output", 1, &out_path, NULL},
        {"--help", 0, NULL, &want_help}, {NULL, 0, NULL, NULL},
    };
    const char *args[1];
    int nargs = 0;
    long nthreads = sysconf(_SC_NPROCESSORS_ONLN);
    mn_error err;
    mn_kb *kb = NULL;
    mn_history_memory *mem = NULL;
    mn_history_source hsrc;
    mn_check_options copts = MN_CHECK_OPTIONS_INIT;
    worker *w = NULL;
    item *items = NULL;
    char *text = NULL;
    size_t text_cap = 0;
    reader rd;
    mn_outfile *out = NULL;
    mn_outfile_options oo = MN_OUTFILE_OPTIONS_INIT;
    const char *in_name = "standard input";
    int in_fd;
    tally all;
    double t0 = now_s();
    int exit_code = EXIT_INTERNAL;
    int rc;

    memset(&rd, 0, sizeof(rd));
    memset(&all, 0, sizeof(all));
    mn_error_clear(&err);
    if ((rc = cli_parse(argc, argv, opts, args, &nargs, 1, NULL)))
        return rc;
    if (want_help) {
        fputs(help, stdout);
        return EXIT_CLEAN;
    }
    if (format && strcmp(format, "jsonl") != 0) {
        fprintf(stderr, "mednec batch: %s\n",
                strcmp(format, "x12") == 0
                    ? "X12 837 input is not supported yet; give JSON Lines"
                    : "--format must be jsonl or x12");
        return EXIT_USAGE;
    }
    if (threads_s) {
        char *end = NULL;
        nthreads = strtol(threads_s, &end, 10);
        if (!threads_s[0] || *end || nthreads < 1 || nthreads > MAX_THREADS) {
            fprintf(stderr, "mednec batch: --threads: expected 1 to %d\n",
                    MAX_THREADS);
            return EXIT_USAGE;
        }
    }
    if (nthreads < 1)
        nthreads = 1;
    if (nthreads > MAX_THREADS)
        nthreads = MAX_THREADS;

    if (nargs && strcmp(args[0], "-") != 0) {
        in_name = args[0];
        rd.in = fopen(args[0], "rb");
        if (!rd.in) {
            cli_sys_error("batch", args[0], "cannot open", errno);
            return EXIT_INPUT;
        }
    } else {
        rd.in = stdin;
    }
    if ((rc = cli_open_kb(&kb, kb_path, &err))) {
        cli_error("batch", &err);
        exit_code = cli_exit_for(rc);
        goto done;
    }
    if (!hist_path && getenv("MEDNEC_HISTORY") && getenv("MEDNEC_HISTORY")[0])
        hist_path = getenv("MEDNEC_HISTORY");
    if (hist_path) {
        if ((rc = mn_history_memory_load(&mem, hist_path, &err))) {
            cli_error("batch", &err);
            exit_code = cli_exit_for(rc);
            goto done;
        }
        mn_history_memory_source(&hsrc, mem);
        copts.history = &hsrc;
    }
    /* results go to a temporary file renamed at the end; a device or a
     * FIFO is written in place; the input is never the output */
    oo.allow_special = 1;
    in_fd = fileno(rd.in);
    oo.inputs = &in_fd;
    oo.n_inputs = 1;
    if (out_path && (rc = cli_outfile_open(&out, out_path, &oo, &err))) {
        cli_error("batch", &err);
        exit_code = cli_exit_for(rc);
        goto done;
    }
    w = calloc((size_t)nthreads, sizeof(*w));
    items = calloc(BLOCK, sizeof(*items));
    if (!w || !items)
        goto nomem;
    for (long i = 0; i < nthreads; i++) {
        if (mn_ctx_new(&w[i].ctx, 0, &err) || mn_buf_new(&w[i].buf, 0))
            goto nomem;
        w[i].kb = kb;
        w[i].copts = &copts;
    }

    for (;;) {
        long n = next_block(&rd, &text, &text_cap, items);
        size_t per;
        size_t at = 0;
        long used = 0;
        if (n < 0 && ferror(rd.in)) {
            cli_sys_error("batch", in_name, "cannot read",
                          rd.read_errno ? rd.read_errno : EIO);
            exit_code = EXIT_INPUT;
            goto done;
        }
        if (n < 0)
            goto nomem;
        if (n == 0)
            break;
        per = ((size_t)n + (size_t)nthreads - 1) / (size_t)nthreads;
        for (long i = 0; i < nthreads && at < (size_t)n; i++, used++) {
            w[i].text = text;
            w[i].items = items;
            w[i].first = at;
            w[i].count = (size_t)n - at < per ? (size_t)n - at : per;
            at += w[i].count;
            if (used == 0)
                continue; /* the main thread takes the first range */
            if ((rc = pthread_create(&w[i].tid, NULL, work, &w[i])) != 0) {
                fprintf(stderr, "mednec batch: cannot start a thread: %s\n",
                        strerror(rc));
                for (long j = 1; j < i; j++)
                    pthread_join(w[j].tid, NULL);
                goto done;
            }
        }
        work(&w[0]);
        for (long i = 1; i < used; i++)
            pthread_join(w[i].tid, NULL);
        for (long i = 0; i < used; i++) {
            if (w[i].fatal) {
                cli_error("batch", &w[i].err);
                exit_code =
                    w[i].err.code == MN_ENOMEM ? EXIT_INTERNAL : EXIT_INPUT;
                goto done;
            }
            if (out && (rc = mn_outfile_write(out, mn_buf_data(w[i].buf),
                                              mn_buf_len(w[i].buf), &err))) {
                cli_error("batch", &err);
                exit_code = cli_exit_for(rc);
                goto done;
            }
            if (!out && cli_stdout_write("batch", mn_buf_data(w[i].buf),
                                         mn_buf_len(w[i].buf))) {
                exit_code = EXIT_INPUT;
                goto done;
            }
            all.claims += w[i].t.claims;
            all.errors += w[i].t.errors;
            all.lines += w[i].t.lines;
            all.lines_not_covered += w[i].t.lines_not_covered;
            all.claims_not_covered += w[i].t.claims_not_covered;
            memset(&w[i].t, 0, sizeof(w[i].t));
        }
    }
    if (out && (rc = cli_outfile_commit(out, &err))) {
        cli_error("batch", &err);
        exit_code = cli_exit_for(rc);
        goto done;
    }
    if (!out && fflush(stdout) != 0) {
        exit_code = cli_stdout_finish("batch", EXIT_INPUT);
        goto done;
    }
    /* counts only: no patient data in the log */
    fprintf(stderr,
            "mednec batch: %zu claims (%zu lines; %zu claims with a line "
            "not covered), %zu input errors, %zu blank lines skipped, "
            "%ld threads, %.2f s\n",
            all.claims - all.errors, all.lines, all.claims_not_covered,
            all.errors, rd.blank, nthreads, now_s() - t0);
    exit_code = all.errors               ? EXIT_INPUT
                : all.claims_not_covered ? EXIT_FINDINGS
                                         : EXIT_CLEAN;
    goto done;
nomem:
    fprintf(stderr, "mednec batch: out of memory\n");
done:
    if (w) {
        for (long i = 0; i < nthreads; i++) {
            mn_ctx_free(w[i].ctx);
            mn_buf_free(w[i].buf);
        }
    }
    free(w);
    free(items);
    free(text);
    free(rd.buf);
    if (rd.in && rd.in != stdin)
        fclose(rd.in);
    cli_outfile_free(out);
    mn_history_memory_free(mem);
    mn_kb_free(kb);
    return exit_code;
}
