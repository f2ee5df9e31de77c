/*
 * test_x12_shared.c: the public X12 samples of ../shared/data/x12, read at
 * run time (skipped when the folder is absent):
 *
 * - every 837 sample of imsweb/x12-parser gets the outcome its own test
 *   suite expects (src/test/java/.../X12ReaderTest.java): the valid and
 *   ambiguous-loop files parse with no syntax, envelope or structure
 *   error and every claim is accounted for; each malformed file gets the
 *   errors that suite lists, located by file, interchange, segment number
 *   and element; the 999, 277 and 270/271 files are refused as other
 *   transaction sets;
 * - the 835 samples of keironstoddart/edi-835-parser agree with the CSV
 *   that parser produced from them on every field both carry.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "harness.h"
#include "mednec.h"
#include "mednec/csv.h"
#include "mednec/x12.h"

#define IMS MN_SHARED_DATA "/x12/imsweb/"
#define P835 MN_SHARED_DATA "/x12/edi-835-parser/"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    *len = 0;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
        buf[n] = '\0';
        *len = (size_t)n;
    } else {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

/* ------------------------------------------------------------------ */
/* 837                                                                 */
/* ------------------------------------------------------------------ */

#define MAX_SEEN 4096

typedef struct seen_issue {
    mn_x12_severity severity;
    mn_x12_kind kind;
    char text[600];
    char segment_id[4];
    char loop[8];
    char interchange[16];
    size_t segment, element, component;
} seen_issue;

typedef struct run {
    seen_issue issues[64]; /* the first 64 */
    size_t n_issues;
    size_t hard;     /* errors of kind syntax, envelope or structure */
    size_t values;   /* value errors */
    size_t refused;  /* refused transaction sets */
    size_t claims;   /* claims read */
    size_t failed;   /* claims not read */
    size_t envelope; /* items without a claim id (envelope errors) */
    char first_claim_provider[32];
    char kinds[8];
    mn_x837_stats st;
} run;

static void on_issue(void *p, const mn_x12_issue *is)
{
    run *r = p;

    if (is->severity == MN_X12_ERROR) {
        if (is->kind == MN_X12_VALUE)
            r->values++;
        else
            r->hard++;
    }
    if (r->n_issues < 64) {
        seen_issue *s = &r->issues[r->n_issues++];
        s->severity = is->severity;
        s->kind = is->kind;
        mn_x12_issue_format(s->text, sizeof(s->text), is);
        snprintf(s->segment_id, sizeof(s->segment_id), "%s", is->segment_id);
        snprintf(s->loop, sizeof(s->loop), "%s", is->loop);
        snprintf(s->interchange, sizeof(s->interchange), "%s", is->interchange);
        s->segment = is->segment;
        s->element = is->element;
        s->component = is->component;
    }
}

static int on_item(void *p, mn_x837_item *it)
{
    run *r = p;

    if (it->claim) {
        const char *prov = mn_claim_line_provider(it->claim, 0);
        if (!r->claims && prov)
            snprintf(r->first_claim_provider, sizeof(r->first_claim_provider),
                     "%s", prov);
        r->claims++;
        if (strlen(r->kinds) < 7)
            r->kinds[strlen(r->kinds)] = it->kind;
        mn_claim_free(it->claim);
    } else if (it->claim_id[0]) {
        r->failed++;
        CHECK(it->error != NULL);
    } else {
        r->envelope++;
        CHECK(it->error != NULL);
    }
    return MN_OK;
}

static void read837(run *r, const char *name, const char *data, size_t len)
{
    mn_x837_options o = MN_X837_OPTIONS_INIT;
    mn_error err;

    memset(r, 0, sizeof(*r));
    o.name = name;
    o.on_item = on_item;
    o.on_issue = on_issue;
    o.payload = r;
    CHECK_INT(mn_x837_read(data, len, &o, &r->st, &err), MN_OK);
    r->refused = r->st.refused_sets;
}

/* CLM segments in a file (its claims), counted by hand. */
static size_t count_clm(const char *data, char term)
{
    size_t n = 0;
    const char *p = data;

    while ((p = strstr(p, "CLM")) != NULL) {
        if (p == data || p[-1] == term || p[-1] == '\n')
            n++;
        p += 3;
    }
    return n;
}

/* True when an issue of the run matches: severity error, kind, segment
 * id, loop ("" any), element (0 any) and message part. */
static bool has(const run *r, mn_x12_kind kind, const char *seg,
                const char *loop, size_t element, const char *text)
{
    for (size_t i = 0; i < r->n_issues; i++) {
        const seen_issue *s = &r->issues[i];
        if (s->severity == MN_X12_ERROR && s->kind == kind &&
            strcmp(s->segment_id, seg) == 0 &&
            (!loop[0] || strcmp(s->loop, loop) == 0) &&
            (!element || s->element == element) && strstr(s->text, text) &&
            s->segment > 0)
            return true;
    }
    fprintf(stderr, "  no %s error %s/%s/%zu \"%s\" among:\n",
            kind == MN_X12_STRUCTURE ? "structure" : "other", seg, loop,
            element, text);
    for (size_t i = 0; i < r->n_issues; i++)
        fprintf(stderr, "    %s\n", r->issues[i].text);
    return false;
}

/* The files the imsweb suite reads without a fatal error. Their claims
 * carry ICD-9 diagnoses written as separate elements (HI*BK*8901) and
 * code 478331, which are value errors of the claims, not of the X12. */
static void test_imsweb_valid(void)
{
    static const struct {
        const char *file;
        size_t interchanges;
        size_t transactions;
    } files[] = {
        {"837_5010__x12_valid.txt", 1, 1},
        {"837_5010__x12_no_errors.txt", 1, 1},
        {"837_5010__x12_valid_different_separators.txt", 1, 1},
        {"837_5010__x12_multiple_isa.txt", 2, 2},
        {"837_5010__x12_multiple_gs.txt", 1, 3},
        {"837_5010__x12_multiple_st.txt", 1, 2},
        {"837_5010__x12_multiple_transactions.txt", 312, 312},
        {"837_5010__x12_many_claims.txt", 1, 1},
        {"837_5010__x12_complex.txt", 1, 2},
        {"837_5010__x12_ambiguous_loop.txt", 1, 1},
        {"837_5010__x12_writer_test.txt", 1, 1},
        {"837_5010__x223-test.txt", 1, 1},
    };

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char path[512];
        size_t len;
        char *data;
        run r;
        snprintf(path, sizeof(path), "%s%s", IMS, files[i].file);
        data = slurp(path, &len);
        CHECK(data != NULL);
        if (!data)
            continue;
        read837(&r, files[i].file, data, len);
        if (r.hard)
            fprintf(stderr, "  %s: %zu syntax/structure errors, first: %s\n",
                    files[i].file, r.hard, r.n_issues ? r.issues[0].text : "");
        CHECK_INT(r.hard, 0);
        CHECK_INT(r.envelope, 0);
        CHECK_INT(r.st.interchanges, files[i].interchanges);
        CHECK_INT(r.st.transactions, files[i].transactions);
        /* every claim is read or named with its error */
        CHECK_INT(r.claims + r.failed, count_clm(data, '~'));
        CHECK(r.claims + r.failed > 0);
        free(data);
    }
}

/* The institutional sample reads whole; the ambiguous-loop file, with its
 * diagnosis made ICD-10 and its pointer to it, reads whole too, and its
 * NM1*82 after the line is the line's rendering provider (2420A), not the
 * claim's (2310B). */
static void test_imsweb_read_claims(void)
{
    size_t len;
    char *data = slurp(IMS "837_5010__x223-test.txt", &len);
    run r;

    if (!data)
        return;
    read837(&r, "x223", data, len);
    CHECK_INT(r.claims, 1);
    CHECK_STR(r.kinds, "I");
    free(data);

    data = slurp(IMS "837_5010__x12_ambiguous_loop.txt", &len);
    if (!data)
        return;
    {
        char *hi = strstr(data, "HI*BK:1739**");
        char *ptr = strstr(data, "**1:2:3**Y");
        CHECK(hi && ptr);
        if (hi && ptr) {
            memcpy(hi, "HI*ABK:I10**", 12);
            memcpy(ptr, "**1**Y~    ", 11);
        }
    }
    read837(&r, "ambiguous", data, len);
    CHECK_INT(r.hard, 0);
    CHECK_INT(r.claims, 1);
    CHECK_STR(r.first_claim_provider, "058895");
    free(data);
}

static run *read_file(run *r, const char *file)
{
    char path[512];
    size_t len;
    char *data;

    snprintf(path, sizeof(path), "%s%s", IMS, file);
    data = slurp(path, &len);
    CHECK(data != NULL);
    if (!data)
        return NULL;
    read837(r, file, data, len);
    free(data);
    return r;
}

/* Each malformed file: the errors the imsweb suite lists, located. */
static void test_imsweb_malformed(void)
{
    run r;

    /* "Unable to find a matching segment format in loop 2000A" (NM1*117)
       and, fatal there, no claim read */
    if (read_file(&r, "837_5010__x12_bad_valid_code.txt")) {
        CHECK(has(&r, MN_X12_STRUCTURE, "NM1", "2000A", 0, "not expected"));
        CHECK(has(&r, MN_X12_STRUCTURE, "NM1", "2000A", 0,
                  "loop 2010AA is required"));
        CHECK_INT(r.claims, 0);
    }
    /* N3 of 2010AA missing, HI of 2300 missing, REF of 2010AA twice */
    if (read_file(&r, "837_5010__x12_segment_errors.txt")) {
        CHECK(has(&r, MN_X12_STRUCTURE, "LX", "2300", 0,
                  "HI is required in loop 2300"));
        CHECK_INT(r.claims, 0);
        /* N3 and the second REF are not read: warnings */
        bool n3 = false, ref = false;
        for (size_t i = 0; i < r.n_issues; i++) {
            n3 |= strstr(r.issues[i].text, "N3 is required in loop 2010AA") &&
                  r.issues[i].severity == MN_X12_WARNING;
            ref |= strstr(r.issues[i].text, "REF appears too many times") &&
                   r.issues[i].severity == MN_X12_WARNING;
        }
        CHECK(n3);
        CHECK(ref);
    }
    /* unknown identifiers in 1000A, 2010AA, 2000B; N4 of 2010AA and loop
       2010BA missing */
    if (read_file(&r, "837_5010__x12_bad_segment_identifier.txt")) {
        CHECK(has(&r, MN_X12_SYNTAX, "Nd4", "2010AA", 0,
                  "not a segment identifier"));
        CHECK(has(&r, MN_X12_SYNTAX, "", "2000B", 0,
                  "'NM31' is not a segment identifier"));
        CHECK(has(&r, MN_X12_STRUCTURE, "NM1", "2010AA", 0,
                  "N4 is required in loop 2010AA"));
        CHECK(has(&r, MN_X12_STRUCTURE, "NM1", "2000B", 0,
                  "loop 2010BA is required"));
        CHECK_INT(r.claims, 0);
    }
    /* NM102 of 1000B (not read: a warning) and CLM05 of the second claim */
    if (read_file(&r, "837_5010__x12_missing_elements.txt")) {
        CHECK(has(&r, MN_X12_STRUCTURE, "CLM", "2300", 5,
                  "required element is missing"));
        bool nm102 = false;
        for (size_t i = 0; i < r.n_issues; i++)
            nm102 |= strcmp(r.issues[i].segment_id, "NM1") == 0 &&
                     r.issues[i].element == 2 &&
                     strcmp(r.issues[i].loop, "1000B") == 0;
        CHECK(nm102);
    }
    /* 2010AA twice under one 2000A, and under one of several */
    if (read_file(&r, "837_5010__x12_loop_errors1_exceeds_max_1_parent.txt"))
        CHECK(has(&r, MN_X12_STRUCTURE, "NM1", "2000A", 0,
                  "loop 2010AA appears too many times"));
    if (read_file(
            &r,
            "837_5010__x12_loop_errors2_exceeds_max_repeats_multiple_parents."
            "txt")) {
        CHECK(has(&r, MN_X12_STRUCTURE, "NM1", "2000A", 0,
                  "loop 2010AA appears too many times"));
        CHECK_INT(r.st.transactions, 1);
    }
    if (read_file(&r, "837_5010__x12_loop_errors3_missing_loops.txt"))
        CHECK(has(&r, MN_X12_STRUCTURE, "NM1", "2000A", 0,
                  "loop 2010AA is required"));
    if (read_file(&r,
                  "837_5010__x12_missing_required_loop_in_one_repeat.txt")) {
        CHECK(has(&r, MN_X12_STRUCTURE, "NM1", "2000B", 0,
                  "loop 2010BA is required"));
    }
    /* SV1 without LX in claims 2 and 5: no position for it, 2400
       missing */
    if (read_file(&r,
                  "837_5010__x12_missing_required_loops_mult_repeats.txt")) {
        CHECK(has(&r, MN_X12_STRUCTURE, "SV1", "2300", 0, "not expected"));
        CHECK(has(&r, MN_X12_STRUCTURE, "HL", "2300", 0,
                  "loop 2400 is required"));
        CHECK(has(&r, MN_X12_STRUCTURE, "SE", "2300", 0,
                  "loop 2400 is required"));
        CHECK_INT(r.claims, 0);
        CHECK_INT(r.failed, 5);
    }
    /* N4 before N3 in 2010AA (read: an error), N3 after N4 in 2010AB */
    if (read_file(&r, "837_5010__x12_segments_out_of_order.txt")) {
        CHECK(has(&r, MN_X12_STRUCTURE, "N4", "2010AA", 0,
                  "not in the correct position"));
        bool ab = false;
        for (size_t i = 0; i < r.n_issues; i++)
            ab |= strcmp(r.issues[i].segment_id, "N3") == 0 &&
                  strcmp(r.issues[i].loop, "2010AB") == 0 &&
                  strstr(r.issues[i].text, "not in the correct position");
        CHECK(ab);
    }
    /* a short ISA: fatal, located at ISA02 */
    if (read_file(&r, "837_5010__x12_bad_first_line.txt")) {
        CHECK(has(&r, MN_X12_SYNTAX, "ISA", "", 2, "fixed-width"));
        CHECK_INT(r.envelope, 1);
        CHECK_INT(r.claims + r.failed, 0);
    }
    /* no ISA at all: fatal */
    if (read_file(&r, "837_5010__x12_no_isa_line.txt")) {
        CHECK_INT(r.envelope, 1);
        CHECK(r.n_issues && strstr(r.issues[0].text, "starts with 'GS'"));
        CHECK_INT(r.claims + r.failed, 0);
    }
}

/* The 999, 277 and 270/271 files: other transaction sets, refused. */
static void test_imsweb_other_sets(void)
{
    static const struct {
        const char *file;
        const char *set;
    } files[] = {
        {"837_5010__x12_999_accepted.txt", "transaction set 999"},
        {"837_5010__x12_999_rejected.txt", "transaction set 999"},
        {"277_5010__x12_277CA_accepted.txt", "transaction set 277"},
        {"277_5010__x12_277CA_rejected.txt", "transaction set 277"},
        {"277_5010__x12_277_x212.txt", "transaction set 277"},
        {"x270_271__x270.txt", "transaction set 270"},
        {"x270_271__x271.txt", "transaction set 271"},
    };

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        run r;
        if (!read_file(&r, files[i].file))
            continue;
        CHECK_INT(r.refused, 1);
        CHECK_INT(r.claims + r.failed, 0);
        CHECK(has(&r, MN_X12_ENVELOPE, "ST", "", 1, files[i].set));
        CHECK(has(&r, MN_X12_ENVELOPE, "ST", "", 1, "is not a claim"));
    }
}

/* 4010 files are refused with a message that says so. */
static void test_4010(void)
{
    size_t len;
    char *data = slurp(
        MN_SHARED_DATA "/x12/oopfactory/_837P___4010__Cms1500Test.txt", &len);
    run r;

    if (!data)
        return;
    read837(&r, "4010", data, len);
    CHECK_INT(r.refused, 1);
    CHECK_INT(r.claims, 0);
    CHECK(has(&r, MN_X12_ENVELOPE, "ST", "", 0, "version 4010"));
    CHECK(has(&r, MN_X12_ENVELOPE, "ST", "", 0, "convert the file to 5010"));
    free(data);
}

/* ------------------------------------------------------------------ */
/* 835 against the public parser's CSV                                 */
/* ------------------------------------------------------------------ */

#define MAX_ROWS 64

/* One service line as the reader gives it, flattened like the CSV. */
typedef struct flat {
    char marker[64], patient[160], code[16], modifier[4], qualifier[4];
    char allowed_units[16], billed_units[16], transaction_date[11];
    int64_t charge, allowed, paid;
    char payer[64], start[11], end[11];
    size_t n_adj;
    char adj_group[8][3], adj_code[8][6];
    int64_t adj_amount[8];
    char ref_qual[4], ref_value[32];
    char rem_code[8], rem_qual[4];
} flat;

typedef struct flats {
    flat rows[MAX_ROWS];
    size_t n;
} flats;

static int on_835(void *p, const mn_x835_claim *c)
{
    flats *f = p;

    for (size_t i = 0; i < c->n_services && f->n < MAX_ROWS; i++) {
        const mn_x835_service *s = &c->services[i];
        flat *x = &f->rows[f->n++];
        memset(x, 0, sizeof(*x));
        snprintf(x->marker, sizeof(x->marker), "%s", c->claim_id);
        snprintf(x->patient, sizeof(x->patient), "%s %s", c->patient_first,
                 c->patient_last);
        snprintf(x->code, sizeof(x->code), "%s", s->code);
        snprintf(x->modifier, sizeof(x->modifier), "%s",
                 s->n_modifiers ? s->modifiers[0] : "");
        snprintf(x->qualifier, sizeof(x->qualifier), "%s", s->qualifier);
        snprintf(x->allowed_units, sizeof(x->allowed_units), "%s",
                 s->units_paid);
        snprintf(x->billed_units, sizeof(x->billed_units), "%s",
                 s->units_billed);
        snprintf(x->transaction_date, sizeof(x->transaction_date), "%s",
                 c->payment_date);
        x->charge = s->charge;
        x->allowed = s->allowed;
        x->paid = s->paid;
        snprintf(x->payer, sizeof(x->payer), "%s", c->payer);
        snprintf(x->start, sizeof(x->start), "%s", s->date_start);
        snprintf(x->end, sizeof(x->end), "%s", s->date_end);
        /* the public parser keeps the first triple of each CAS */
        for (size_t a = 0; a < s->n_adjustments && x->n_adj < 8; a++) {
            const mn_x835_adjustment *adj = &s->adjustments[a];
            if (adj->triple != 1)
                continue;
            memcpy(x->adj_group[x->n_adj], adj->group, 3);
            memcpy(x->adj_code[x->n_adj], adj->carc, 6);
            x->adj_amount[x->n_adj] = adj->amount;
            x->n_adj++;
        }
        if (s->control_number[0]) {
            snprintf(x->ref_qual, sizeof(x->ref_qual), "6R");
            snprintf(x->ref_value, sizeof(x->ref_value), "%s",
                     s->control_number);
        }
        if (s->n_remarks) {
            snprintf(x->rem_code, sizeof(x->rem_code), "%s", s->remarks[0]);
            snprintf(x->rem_qual, sizeof(x->rem_qual), "HE");
        }
    }
    return MN_OK;
}

/* A CSV number ("1175.4", "" ) into cents; absent is MN_X835_NO_AMOUNT. */
static int64_t csv_money(const char *s)
{
    if (!s[0])
        return MN_X835_NO_AMOUNT;
    return (int64_t)llround(strtod(s, NULL) * 100.0);
}

/* Units as numbers ("1.0" and "1" agree); "" only equals "". */
static bool same_units(const char *csv, const char *ours)
{
    if (!csv[0] || !ours[0])
        return !csv[0] && !ours[0];
    return fabs(strtod(csv, NULL) - strtod(ours, NULL)) < 1e-9;
}

static bool same_ci(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

static size_t compare_835(const char *name, const char *edi,
                          const char *csv_path)
{
    size_t len;
    size_t clen;
    char *data = slurp(edi, &len);
    char *csv = slurp(csv_path, &clen);
    static flats f;
    mn_x835_options o = MN_X835_OPTIONS_INIT;
    mn_x835_stats st;
    mn_error err;
    mn_csv *rd = NULL;
    const char *header[32];
    char *hcopy[32];
    size_t nh = 0;
    size_t row = 0;
    size_t compared = 0;

    CHECK(data && csv);
    if (!data || !csv)
        goto done;
    memset(&f, 0, sizeof(f));
    o.name = name;
    o.on_claim = on_835;
    o.payload = &f;
    CHECK_INT(mn_x835_read(data, len, &o, &st, &err), MN_OK);
    CHECK_INT(st.errors, 0);
    CHECK_INT(mn_csv_new(&rd, csv, clen, NULL, &err), MN_OK);
    if (!rd)
        goto done;
    if (mn_csv_next(rd, &err) == 1) {
        nh = mn_csv_count(rd);
        for (size_t i = 0; i < nh && i < 32; i++) {
            hcopy[i] = strdup(mn_csv_field(rd, i, NULL));
            header[i] = hcopy[i];
        }
    }
    while (mn_csv_next(rd, &err) == 1) {
        const flat *x = row < f.n ? &f.rows[row] : NULL;
        CHECK(x != NULL);
        if (!x)
            break;
        for (size_t i = 1; i < nh && i < mn_csv_count(rd); i++) {
            const char *h = header[i];
            const char *v = mn_csv_field(rd, i, NULL);
            bool ok = true;
            int k = -1;
            if (strcmp(h, "marker") == 0)
                ok = strcmp(v, x->marker) == 0;
            else if (strcmp(h, "patient") == 0)
                ok = same_ci(v, x->patient);
            else if (strcmp(h, "code") == 0)
                ok = strcmp(v, x->code) == 0;
            else if (strcmp(h, "modifier") == 0)
                ok = strcmp(v, x->modifier) == 0;
            else if (strcmp(h, "qualifier") == 0)
                ok = strcmp(v, x->qualifier) == 0;
            else if (strcmp(h, "allowed_units") == 0)
                /* the parser writes 0 for an absent SVC05 on an unpaid
                   line, 1 on a paid one: absent here */
                ok = same_units(v, x->allowed_units) ||
                     (!x->allowed_units[0] && !v[0]);
            else if (strcmp(h, "billed_units") == 0)
                ok = same_units(v, x->billed_units);
            else if (strcmp(h, "transaction_date") == 0)
                ok = strcmp(v, x->transaction_date) == 0;
            else if (strcmp(h, "charge_amount") == 0)
                ok = csv_money(v) == x->charge;
            else if (strcmp(h, "allowed_amount") == 0)
                ok = csv_money(v) == x->allowed;
            else if (strcmp(h, "paid_amount") == 0)
                ok = csv_money(v) == x->paid;
            else if (strcmp(h, "payer") == 0)
                ok = strcmp(v, x->payer) == 0;
            else if (strcmp(h, "start_date") == 0)
                ok = strcmp(v, x->start) == 0;
            else if (strcmp(h, "end_date") == 0)
                ok = strcmp(v, x->end) == 0;
            else if (strcmp(h, "rendering_provider") == 0)
                ok = v[0] == '\0'; /* none in these files */
            else if (sscanf(h, "adj_%d_", &k) == 1 && k >= 0 && k < 8) {
                size_t ki = (size_t)k;
                if (strstr(h, "_group"))
                    ok = ki < x->n_adj ? strcmp(v, x->adj_group[ki]) == 0
                                       : !v[0];
                else if (strstr(h, "_code"))
                    ok =
                        ki < x->n_adj ? strcmp(v, x->adj_code[ki]) == 0 : !v[0];
                else if (strstr(h, "_amount"))
                    ok = ki < x->n_adj ? csv_money(v) == x->adj_amount[ki]
                                       : !v[0];
            } else if (strcmp(h, "ref_0_qual") == 0)
                ok = strcmp(v, x->ref_qual) == 0;
            else if (strcmp(h, "ref_0_value") == 0)
                ok = strcmp(v, x->ref_value) == 0;
            else if (strcmp(h, "rem_0_code") == 0)
                ok = strcmp(v, x->rem_code) == 0;
            else if (strcmp(h, "rem_0_qual") == 0)
                ok = strcmp(v, x->rem_qual) == 0;
            else
                continue; /* a column this side does not carry */
            compared++;
            if (!ok)
                fprintf(stderr, "  %s row %zu %s: csv \"%s\"\n", name, row, h,
                        v);
            CHECK(ok);
        }
        row++;
    }
    CHECK_INT(row, f.n);
done:
    for (size_t i = 0; i < nh && i < 32; i++)
        free(hcopy[i]);
    mn_csv_free(rd);
    free(data);
    free(csv);
    return compared;
}

static void test_835_against_csv(void)
{
    static const char *const names[] = {"blue_cross_nc_sample", "emedny_sample",
                                        "united_healthcare_legacy_sample"};
    size_t total = 0;

    for (size_t i = 0; i < 3; i++) {
        char edi[512];
        char csv[512];
        size_t n;
        snprintf(edi, sizeof(edi), "%stest_edi_835_files__%s.txt", P835,
                 names[i]);
        snprintf(csv, sizeof(csv), "%soutput__%s.csv", P835, names[i]);
        n = compare_835(names[i], edi, csv);
        fprintf(stderr, "  %s: %zu fields compared\n", names[i], n);
        CHECK(n > 50);
        total += n;
    }
    fprintf(stderr, "  %zu fields compared in all\n", total);
}

int main(void)
{
    struct stat sb;

    if (stat(IMS, &sb) != 0 || stat(P835, &sb) != 0) {
        fprintf(stderr, "skip: %s is absent\n", MN_SHARED_DATA "/x12");
        return MN_SKIP;
    }
    RUN(test_imsweb_valid);
    RUN(test_imsweb_read_claims);
    RUN(test_imsweb_malformed);
    RUN(test_imsweb_other_sets);
    RUN(test_4010);
    RUN(test_835_against_csv);
    DONE();
}
