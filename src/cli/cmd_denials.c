/*
 * cmd_denials.c: mednec denials: the denied service lines of an X12 835
 * remittance, as JSON Lines records or summarised by CARC, RARC,
 * procedure code and policy.
 *
 * A service line is denied when its claim payment has status 4 (denied),
 * or when the payer paid nothing for a charge (SVC03 zero or absent, SVC02
 * above zero) for a reason other than cost sharing: an adjustment whose
 * CARC is not 1, 2 or 3 (deductible, coinsurance, copay), 45 (the charge
 * above the fee schedule) or 253 (sequestration), or no adjustment at all.
 * A line wholly applied to the deductible is not a denial. A denied claim
 * payment without service lines is one record of its own (line 0).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *help =
    "usage: mednec denials [--format text|json|jsonl] [--top N] [-o OUT]\n"
    "                      [FILE.835 | -]\n"
    "\n"
    "Reads an X12 835 remittance (005010X221A1; a file that starts at ST is\n"
    "read with the standard separators) and writes its denials: a summary\n"
    "by CARC (with its group code), RARC, procedure code and policy (REF*0K)\n"
    "as text (default) or JSON, or one JSON record per denied service line\n"
    "(--format jsonl: claim, line, code, modifiers, amounts, date, every\n"
    "CAS adjustment, remark codes, policy). Patient names are not written.\n"
    "A line is denied when its claim is (CLP02 4), or when the payer paid\n"
    "nothing for a reason other than cost sharing (a CARC other than 1, 2,\n"
    "3, 45 or 253, or no adjustment). A line counts under each of its\n"
    "CARCs and RARCs, with its whole charge.\n"
    "Exit: 0 read, 2 usage, 3 the input had errors (they are listed on\n"
    "stderr; what could be read is written), 4 internal error.\n";

/* ------------------------------------------------------------------ */
/* Counts by key                                                       */
/* ------------------------------------------------------------------ */

typedef struct cnt {
    char *key;
    uint64_t lines;
    int64_t charges; /* cents */
} cnt;

typedef struct tab {
    cnt *v;
    size_t n;
    size_t cap; /* power of two; open addressing */
} tab;

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static int tab_add(tab *t, const char *key, int64_t charge)
{
    size_t i;

    if (t->n * 2 >= t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        cnt *nv = calloc(cap, sizeof(*nv));
        if (!nv)
            return -1;
        for (size_t k = 0; k < t->cap; k++) {
            if (!t->v[k].key)
                continue;
            i = (size_t)fnv(t->v[k].key) & (cap - 1);
            while (nv[i].key)
                i = (i + 1) & (cap - 1);
            nv[i] = t->v[k];
        }
        free(t->v);
        t->v = nv;
        t->cap = cap;
    }
    i = (size_t)fnv(key) & (t->cap - 1);
    while (t->v[i].key && strcmp(t->v[i].key, key) != 0)
        i = (i + 1) & (t->cap - 1);
    if (!t->v[i].key) {
        t->v[i].key = strdup(key);
        if (!t->v[i].key)
            return -1;
        t->n++;
    }
    t->v[i].lines++;
    if (charge > 0)
        t->v[i].charges += charge;
    return 0;
}

static void tab_free(tab *t)
{
    for (size_t i = 0; i < t->cap; i++)
        free(t->v[i].key);
    free(t->v);
}

static int cmp_cnt(const void *a, const void *b)
{
    const cnt *x = a;
    const cnt *y = b;
    if (!x->key || !y->key)
        return x->key ? -1 : y->key ? 1 : 0;
    if (x->lines != y->lines)
        return x->lines > y->lines ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* ------------------------------------------------------------------ */
/* The run                                                             */
/* ------------------------------------------------------------------ */

enum { F_TEXT, F_JSON, F_JSONL };

typedef struct den {
    int format;
    mn_buf *out; /* jsonl records */
    tab carc, rarc, code, policy;
    uint64_t claims, services, denied, denied_claims, claims_with_errors;
    int64_t denied_charges;
    size_t errors, warnings;
    int fail;
} den;

static void json_str(mn_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    char esc[6] = {'\\', 'u', '0', '0', 0, 0};

    if (!s) {
        mn_buf_append(b, "null", 4);
        return;
    }
    mn_buf_append(b, "\"", 1);
    for (const char *p = s; *p; p++) {
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

static void money(mn_buf *b, const char *key, int64_t cents)
{
    char tmp[64];
    int n;

    if (cents == MN_X835_NO_AMOUNT)
        n = snprintf(tmp, sizeof(tmp), ",\"%s\":null", key);
    else
        n = snprintf(tmp, sizeof(tmp), ",\"%s\":%s%lld.%02lld", key,
                     cents < 0 ? "-" : "",
                     (long long)(cents < 0 ? -cents : cents) / 100,
                     (long long)(cents < 0 ? -cents : cents) % 100);
    mn_buf_append(b, tmp, (size_t)n);
}

#define LIT(b, s) mn_buf_append((b), s, sizeof(s) - 1)

static void adjustments(mn_buf *b, const mn_x835_adjustment *a, size_t n)
{
    LIT(b, ",\"adjustments\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            LIT(b, ",");
        LIT(b, "{\"group\":");
        json_str(b, a[i].group);
        LIT(b, ",\"carc\":");
        json_str(b, a[i].carc);
        money(b, "amount", a[i].amount);
        if (a[i].quantity[0]) {
            LIT(b, ",\"quantity\":");
            json_str(b, a[i].quantity);
        }
        LIT(b, "}");
    }
    LIT(b, "]");
}

static void strings(mn_buf *b, const char *key, const char *const *v, size_t n)
{
    LIT(b, ",\"");
    mn_buf_append(b, key, strlen(key));
    LIT(b, "\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            LIT(b, ",");
        json_str(b, v[i]);
    }
    LIT(b, "]");
}

/* One denial: counted, and a record for --format jsonl. */
static void denial(den *d, const mn_x835_claim *c, const mn_x835_service *s,
                   size_t line)
{
    const mn_x835_adjustment *adj = s ? s->adjustments : c->adjustments;
    size_t n_adj = s ? s->n_adjustments : c->n_adjustments;
    const char *const *rem = s ? s->remarks : c->remarks;
    size_t n_rem = s ? s->n_remarks : c->n_remarks;
    int64_t charge = s ? s->charge : c->charge;
    const char *policy = s && s->policy[0] ? s->policy : c->policy;
    char key[32];
    int bad = 0;

    d->denied++;
    if (charge > 0)
        d->denied_charges += charge;
    for (size_t i = 0; i < n_adj; i++) {
        snprintf(key, sizeof(key), "%s-%s", adj[i].group, adj[i].carc);
        bad |= tab_add(&d->carc, key, charge);
    }
    for (size_t i = 0; i < n_rem; i++)
        bad |= tab_add(&d->rarc, rem[i], charge);
    /* the claim's own remarks speak for its lines too */
    for (size_t i = 0; s && i < c->n_remarks; i++) {
        size_t k = 0;
        while (k < n_rem && strcmp(rem[k], c->remarks[i]) != 0)
            k++;
        if (k == n_rem)
            bad |= tab_add(&d->rarc, c->remarks[i], charge);
    }
    bad |= tab_add(&d->code, s && s->code[0] ? s->code : "(claim)", charge);
    bad |= tab_add(&d->policy, policy && policy[0] ? policy : "(none)", charge);
    if (bad)
        d->fail = EXIT_INTERNAL;
    if (d->format != F_JSONL)
        return;
    LIT(d->out, "{\"claim_id\":");
    json_str(d->out, c->claim_id);
    LIT(d->out, ",\"claim_status\":");
    json_str(d->out, c->status);
    LIT(d->out, ",\"payer_claim_number\":");
    json_str(d->out, c->payer_claim_number);
    {
        char num[32];
        int k = snprintf(num, sizeof(num), ",\"line\":%zu", line);
        mn_buf_append(d->out, num, (size_t)k);
    }
    LIT(d->out, ",\"code\":");
    json_str(d->out, s ? s->code : NULL);
    if (s)
        strings(d->out, "modifiers", s->modifiers, s->n_modifiers);
    money(d->out, "charge", charge);
    money(d->out, "paid", s ? s->paid : c->paid);
    if (s)
        money(d->out, "allowed", s->allowed);
    LIT(d->out, ",\"date\":");
    json_str(d->out, s ? s->date_start : c->statement_start);
    adjustments(d->out, adj, n_adj);
    strings(d->out, "remarks", rem, n_rem);
    if (s && c->n_remarks)
        strings(d->out, "claim_remarks", c->remarks, c->n_remarks);
    LIT(d->out, ",\"policy\":");
    json_str(d->out, policy && policy[0] ? policy : NULL);
    if (s && s->control_number[0]) {
        LIT(d->out, ",\"line_control_number\":");
        json_str(d->out, s->control_number);
    }
    LIT(d->out, ",\"payer\":");
    json_str(d->out, c->payer);
    LIT(d->out, ",\"payment_date\":");
    json_str(d->out, c->payment_date);
    LIT(d->out, ",\"trace_number\":");
    json_str(d->out, c->trace_number);
    LIT(d->out, "}\n");
}

static int on_claim(void *payload, const mn_x835_claim *c)
{
    den *d = payload;
    bool claim_denied = strcmp(c->status, "4") == 0;

    d->claims++;
    d->services += c->n_services;
    d->claims_with_errors += c->errors > 0;
    if (claim_denied)
        d->denied_claims++;
    if (claim_denied && c->n_services == 0)
        denial(d, c, NULL, 0);
    for (size_t i = 0; i < c->n_services; i++) {
        if (mn_x835_service_denied(c, &c->services[i]))
            denial(d, c, &c->services[i], i + 1);
    }
    return d->fail ? 1 : MN_OK;
}

static void on_issue(void *payload, const mn_x12_issue *is)
{
    den *d = payload;
    char msg[700];

    if (is->severity == MN_X12_ERROR)
        d->errors++;
    else
        d->warnings++;
    if (d->errors + d->warnings <= 20)
        fprintf(stderr, "mednec denials: %s: %s\n",
                is->severity == MN_X12_ERROR ? "error" : "warning",
                mn_x12_issue_format(msg, sizeof(msg), is));
}

/* ------------------------------------------------------------------ */
/* Summary                                                             */
/* ------------------------------------------------------------------ */

static void text_table(mn_buf *b, const char *title, tab *t, size_t top)
{
    char line[256];
    int n;

    if (t->cap)
        qsort(t->v, t->cap, sizeof(*t->v), cmp_cnt);
    n = snprintf(line, sizeof(line), "\n%s (%zu)%s\n", title, t->n,
                 t->n ? ":" : "");
    mn_buf_append(b, line, (size_t)n);
    if (t->n) {
        n = snprintf(line, sizeof(line), "  %-24s %8s  %s\n", "", "lines",
                     "charges");
        mn_buf_append(b, line, (size_t)n);
    }
    for (size_t i = 0; i < t->n && i < top; i++) {
        n = snprintf(line, sizeof(line), "  %-24s %8llu  $%lld.%02lld\n",
                     t->v[i].key, (unsigned long long)t->v[i].lines,
                     (long long)t->v[i].charges / 100,
                     (long long)t->v[i].charges % 100);
        mn_buf_append(b, line, (size_t)n);
    }
    if (t->n > top) {
        n = snprintf(line, sizeof(line), "  ... %zu more\n", t->n - top);
        mn_buf_append(b, line, (size_t)n);
    }
}

static void json_table(mn_buf *b, const char *name, const char *key, tab *t)
{
    char tmp[96];
    int n;

    if (t->cap)
        qsort(t->v, t->cap, sizeof(*t->v), cmp_cnt);
    n = snprintf(tmp, sizeof(tmp), ",\"%s\":[", name);
    mn_buf_append(b, tmp, (size_t)n);
    for (size_t i = 0; i < t->n; i++) {
        n = snprintf(tmp, sizeof(tmp), "%s{\"%s\":", i ? "," : "", key);
        mn_buf_append(b, tmp, (size_t)n);
        json_str(b, t->v[i].key);
        n = snprintf(tmp, sizeof(tmp), ",\"lines\":%llu",
                     (unsigned long long)t->v[i].lines);
        mn_buf_append(b, tmp, (size_t)n);
        money(b, "charges", t->v[i].charges);
        LIT(b, "}");
    }
    LIT(b, "]");
}

int cmd_denials(int argc, char **argv)
{
    const char *out_path = NULL, *format = NULL, *top_s = NULL;
    int want_help = 0;
    const cli_opt opts[] = {
        {"--format", 1, &format, NULL},  {"--top", 1, &top_s, NULL},
        {"-o", 1, &out_path, NULL},      {"--output", 1, &out_path, NULL},
        {"--help", 0, NULL, &want_help}, {NULL, 0, NULL, NULL},
    };
    const char *args[1];
    int nargs = 0;
    den d;
    mn_x835 *r = NULL;
    mn_x835_options xo = MN_X835_OPTIONS_INIT;
    mn_outfile *out = NULL;
    mn_outfile_options oo = MN_OUTFILE_OPTIONS_INIT;
    mn_buf *buf = NULL;
    mn_error err;
    FILE *in = NULL;
    const char *in_name = "standard input";
    char *chunk = NULL;
    size_t top = 20;
    int exit_code = EXIT_INTERNAL;
    int rc = MN_OK;
    int in_fd;

    memset(&d, 0, sizeof(d));
    if ((rc = cli_parse(argc, argv, opts, args, &nargs, 1, NULL)))
        return rc;
    if (want_help) {
        fputs(help, stdout);
        return cli_stdout_finish("denials", EXIT_CLEAN);
    }
    if (!format || strcmp(format, "text") == 0)
        d.format = F_TEXT;
    else if (strcmp(format, "json") == 0)
        d.format = F_JSON;
    else if (strcmp(format, "jsonl") == 0)
        d.format = F_JSONL;
    else {
        fprintf(stderr, "mednec denials: --format must be text, json or "
                        "jsonl\n");
        return EXIT_USAGE;
    }
    if (top_s) {
        char *end = NULL;
        long v = strtol(top_s, &end, 10);
        if (!top_s[0] || *end || v < 1 || v > 100000) {
            fprintf(stderr, "mednec denials: --top: expected 1 to 100000\n");
            return EXIT_USAGE;
        }
        top = (size_t)v;
    }
    if (nargs && strcmp(args[0], "-") != 0) {
        in_name = args[0];
        in = fopen(args[0], "rb");
        if (!in) {
            cli_sys_error("denials", args[0], "cannot open", errno);
            return EXIT_INPUT;
        }
    } else {
        in = stdin;
    }
    chunk = malloc(1u << 20);
    if (!chunk || mn_buf_new(&buf, 0))
        goto nomem;
    d.out = buf;
    oo.allow_special = 1;
    in_fd = fileno(in);
    oo.inputs = &in_fd;
    oo.n_inputs = 1;
    if (out_path && (rc = cli_outfile_open(&out, out_path, &oo, &err))) {
        cli_error("denials", &err);
        exit_code = cli_exit_for(rc);
        goto done;
    }
    xo.name = in_name;
    xo.on_claim = on_claim;
    xo.on_issue = on_issue;
    xo.payload = &d;
    if ((rc = mn_x835_new(&r, &xo, &err))) {
        cli_error("denials", &err);
        goto done;
    }
    for (;;) {
        size_t n = fread(chunk, 1, 1u << 20, in);
        if (n == 0 && ferror(in)) {
            cli_sys_error("denials", in_name, "cannot read",
                          errno ? errno : EIO);
            exit_code = EXIT_INPUT;
            goto done;
        }
        rc = n ? mn_x835_feed(r, chunk, n, &err) : mn_x835_finish(r, &err);
        if (rc) {
            if (d.fail)
                goto nomem;
            cli_error("denials", &err);
            exit_code = cli_exit_for(rc);
            goto done;
        }
        /* records go out as they come: memory stays flat */
        if (d.format == F_JSONL && mn_buf_len(buf) > (1u << 20)) {
            if (out) {
                if ((rc = mn_outfile_write(out, mn_buf_data(buf),
                                           mn_buf_len(buf), &err))) {
                    cli_error("denials", &err);
                    exit_code = cli_exit_for(rc);
                    goto done;
                }
            } else if (cli_stdout_write("denials", mn_buf_data(buf),
                                        mn_buf_len(buf))) {
                exit_code = EXIT_INPUT;
                goto done;
            }
            mn_buf_clear(buf);
        }
        if (!n)
            break;
    }
    if (d.format == F_TEXT) {
        char head[512];
        int k = snprintf(
            head, sizeof(head),
            "%s: %llu claim payments, %llu service lines; %llu denied "
            "lines ($%lld.%02lld charged), %llu claims denied whole\n",
            in_name, (unsigned long long)d.claims,
            (unsigned long long)d.services, (unsigned long long)d.denied,
            (long long)d.denied_charges / 100,
            (long long)d.denied_charges % 100,
            (unsigned long long)d.denied_claims);
        mn_buf_append(buf, head, (size_t)k);
        text_table(buf, "by CARC (group-reason)", &d.carc, top);
        text_table(buf, "by RARC", &d.rarc, top);
        text_table(buf, "by procedure code", &d.code, top);
        text_table(buf, "by policy (REF*0K)", &d.policy, top);
    } else if (d.format == F_JSON) {
        char head[512];
        int k = snprintf(
            head, sizeof(head),
            "{\"claims\":%llu,\"services\":%llu,\"denied_lines\":%llu,"
            "\"claims_denied\":%llu,\"claims_with_errors\":%llu",
            (unsigned long long)d.claims, (unsigned long long)d.services,
            (unsigned long long)d.denied, (unsigned long long)d.denied_claims,
            (unsigned long long)d.claims_with_errors);
        mn_buf_append(buf, head, (size_t)k);
        money(buf, "denied_charges", d.denied_charges);
        json_table(buf, "by_carc", "carc", &d.carc);
        json_table(buf, "by_rarc", "rarc", &d.rarc);
        json_table(buf, "by_code", "code", &d.code);
        json_table(buf, "by_policy", "policy", &d.policy);
        LIT(buf, "}\n");
    }
    if (out) {
        if ((rc = mn_outfile_write(out, mn_buf_data(buf), mn_buf_len(buf),
                                   &err)) ||
            (rc = cli_outfile_commit(out, &err))) {
            cli_error("denials", &err);
            exit_code = cli_exit_for(rc);
            goto done;
        }
    } else if (cli_stdout_write("denials", mn_buf_data(buf), mn_buf_len(buf))) {
        exit_code = EXIT_INPUT;
        goto done;
    }
    if (d.errors + d.warnings > 20)
        fprintf(stderr, "mednec denials: %zu more errors and warnings\n",
                d.errors + d.warnings - 20);
    exit_code = d.errors ? EXIT_INPUT : EXIT_CLEAN;
    if (!out)
        exit_code = cli_stdout_finish("denials", exit_code);
    goto done;
nomem:
    fprintf(stderr, "mednec denials: out of memory\n");
done:
    free(chunk);
    if (in && in != stdin)
        fclose(in);
    mn_x835_free(r);
    cli_outfile_free(out);
    mn_buf_free(buf);
    tab_free(&d.carc);
    tab_free(&d.rarc);
    tab_free(&d.code);
    tab_free(&d.policy);
    return exit_code;
}
