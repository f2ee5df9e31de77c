/*
 * claim/claim.c: the claim model, its setters and the contract JSON parser.
 *
 * The parser and the setters share one validation path: the parser checks
 * JSON types and shapes, then hands each value to the same internal setter
 * the public API uses, and replaces the location with the JSON path.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "claim/jurisdiction.h"
#include "claim/claim_int.h"

#define DEF_MAX_INPUT ((size_t)4 << 20)
#define DEF_MAX_LINES 1000
#define DEF_MAX_DX 99
#define DEF_MAX_HIST 10000
#define DEF_MAX_STRING 256
#define MAX_UNITS 9999
#define MAX_AGE 130
#define MAX_JURISDICTION 16

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

/* Keeps messages on one line: control bytes become '?'. */
static void one_line(char *s)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch < 0x20 || ch == 0x7f)
            *s = '?';
    }
}

/* Resets `err`, then sets its code and message. Returns `code`. */
static int fail(mn_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(mn_error *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (err) {
        memset(err, 0, sizeof(*err));
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
        one_line(err->message);
    }
    return code;
}

/* Sets the location (a JSON path) of the error already in `err`. */
static void at(mn_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void at(mn_error *err, const char *fmt, ...)
{
    va_list ap;

    if (err) {
        va_start(ap, fmt);
        vsnprintf(err->where, sizeof(err->where), fmt, ap);
        va_end(ap);
        one_line(err->where);
    }
}

/* Fails with the message for a malformed or impossible date. */
static int bad_date(mn_error *err, const char *s, size_t len)
{
    bool shaped = len == 10 && s[4] == '-' && s[7] == '-';
    int rc;

    for (size_t i = 0; shaped && i < len; i++) {
        if (i != 4 && i != 7 && !mn_x__isdigit(s[i]))
            shaped = false;
    }
    /* dates of a patient's care are protected health information: the
       message never repeats the value, the location names the field */
    if (shaped)
        rc = fail(err, MN_EINVAL, "not a valid calendar date");
    else
        rc = fail(err, MN_EINVAL, "expected a date in the form YYYY-MM-DD");
    return rc;
}

/* ------------------------------------------------------------------ */
/* The claim and its setters                                           */
/* ------------------------------------------------------------------ */

static void resolve_options(mn_claim_options *o, const mn_claim_options *in)
{
    const mn_claim_options d = MN_CLAIM_OPTIONS_INIT;

    *o = d;
    if (in) {
        o->max_input = in->max_input;
        o->max_lines = in->max_lines;
        o->max_diagnoses = in->max_diagnoses;
        o->max_history = in->max_history;
        o->max_string = in->max_string;
        o->allow_unknown = in->allow_unknown;
    }
    if (!o->max_input)
        o->max_input = DEF_MAX_INPUT;
    if (!o->max_lines)
        o->max_lines = DEF_MAX_LINES;
    /* the engine judges every diagnosis of a line: 99 at most (the 837I
       carries 25, the 837P 12) */
    if (!o->max_diagnoses || o->max_diagnoses > DEF_MAX_DX)
        o->max_diagnoses = DEF_MAX_DX;
    if (!o->max_history)
        o->max_history = DEF_MAX_HIST;
    if (!o->max_string)
        o->max_string = DEF_MAX_STRING;
}

/* Grows `*arr` (`*cap` elements of `elem` bytes) to hold `need`,
 * doubling so that appending n elements costs O(n). */
static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    int rc = MN_OK;
    size_t ncap;
    size_t bytes;
    void *p;

    if (need <= *cap)
        goto done;
    ncap = *cap ? *cap : 4;
    while (ncap < need) {
        if (!mn_x__mul(&ncap, ncap, 2)) {
            rc = MN_ENOMEM;
            goto done;
        }
    }
    if (!mn_x__mul(&bytes, ncap, elem)) {
        rc = MN_ENOMEM;
        goto done;
    }
    p = mn_x__realloc(*arr, bytes);
    if (!p) {
        rc = MN_ENOMEM;
        goto done;
    }
    *arr = p;
    *cap = ncap;
done:
    return rc;
}

static int claim_create(mn_claim **out, const mn_claim_options *opts,
                        bool default_payer, mn_error *err)
{
    int rc = MN_OK;
    mn_claim *c = NULL;

    c = mn_x__calloc(1, sizeof(*c));
    if (!c) {
        rc = fail(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    resolve_options(&c->o, opts);
    c->payer = MN_PAYER_MEDICARE;
    c->date = MN_NODATE;
    c->birth_date = MN_NODATE;
    c->age = -1;
    c->sex = 'U';
    if (default_payer) {
        c->payer_text = mn_x__strndup("medicare", 8);
        if (!c->payer_text) {
            rc = fail(err, MN_ENOMEM, "out of memory");
            goto done;
        }
    }
done:
    if (rc) {
        mn_claim_free(c);
        c = NULL;
    }
    *out = c;
    return rc;
}

int mn_claim_new(mn_claim **out, const mn_claim_options *opts, mn_error *err)
{
    int rc;

    if (!out)
        rc = fail(err, MN_EINVAL, "no output pointer");
    else
        rc = claim_create(out, opts, true, err);
    return rc;
}

void mn_claim_free(mn_claim *claim)
{
    if (claim) {
        mn_x__free(claim->id);
        mn_x__free(claim->patient_id);
        mn_x__free(claim->payer_text);
        mn_x__free(claim->jurisdiction);
        mn_x__free(claim->dx);
        mn_x__free(claim->lines);
        mn_x__free(claim->hist);
        mn_x__free(claim->provider);
        mn_x__free(claim->prior_auth);
        for (size_t i = 0; i < claim->n_providers; i++)
            mn_x__free(claim->providers[i]);
        mn_x__free(claim->providers);
        mn_x__free(claim);
    }
}

size_t mn_claim_line_count(const mn_claim *c)
{
    return c ? c->n_lines : 0;
}

/* Common argument checks for string setters. */
static int check_str(const mn_claim *c, const char *s, size_t len,
                     mn_error *err)
{
    int rc = MN_OK;

    if (!c)
        rc = fail(err, MN_EINVAL, "no claim");
    else if (!s && len)
        rc = fail(err, MN_EINVAL, "null string with a length");
    else if (len > c->o.max_string)
        rc = fail(err, MN_ELIMIT, "too long (max %zu bytes)", c->o.max_string);
    return rc;
}

/* Replaces the owned string `*slot` with a copy of `s` (NULL clears). */
static int replace_str(char **slot, const char *s, size_t len, bool upper,
                       mn_error *err)
{
    int rc = MN_OK;
    char *p = NULL;

    if (s) {
        p = mn_x__strndup(s, len);
        if (!p) {
            rc = fail(err, MN_ENOMEM, "out of memory");
            goto done;
        }
        for (size_t i = 0; upper && i < len; i++)
            p[i] = (char)mn_x__toupper((unsigned char)p[i]);
    }
    mn_x__free(*slot);
    *slot = p;
done:
    return rc;
}

int mn_claim_set_id(mn_claim *c, const char *id, size_t len, mn_error *err)
{
    int rc = check_str(c, id, len, err);

    if (rc == MN_OK)
        rc = replace_str(&c->id, id, len, false, err);
    if (rc)
        at(err, "id");
    return rc;
}

/* Case-insensitive match of `s` against a lower-case literal. */
static bool equals_ci(const char *s, size_t len, const char *lit)
{
    size_t n = strlen(lit);
    bool same = len == n;

    for (size_t i = 0; same && i < n; i++)
        same = mn_x__tolower((unsigned char)s[i]) == lit[i];
    return same;
}

int mn_claim_set_payer(mn_claim *c, const char *payer, size_t len,
                       mn_error *err)
{
    int rc = check_str(c, payer, len, err);

    if (rc == MN_OK && (!payer || len == 0))
        rc = fail(err, MN_EINVAL, "expected a payer name");
    if (rc == MN_OK)
        rc = replace_str(&c->payer_text, payer, len, false, err);
    if (rc == MN_OK) {
        if (equals_ci(payer, len, "medicare"))
            c->payer = MN_PAYER_MEDICARE;
        else if (equals_ci(payer, len, "medicaid"))
            c->payer = MN_PAYER_MEDICAID;
        else
            c->payer = MN_PAYER_OTHER;
    }
    if (rc)
        at(err, "payer");
    return rc;
}

static bool all_alnum(const char *s, size_t len)
{
    bool ok = true;

    for (size_t i = 0; ok && i < len; i++)
        ok = mn_x__isdigit(s[i]) || mn_x__isalpha(s[i]);
    return ok;
}

int mn_claim_set_jurisdiction(mn_claim *c, const char *j, size_t len,
                              mn_error *err)
{
    int rc = check_str(c, j, len, err);

    bool part = j && mn_x__jurisdiction_is_part_form(j, len);

    if (rc == MN_OK && j &&
        (len == 0 || len > MAX_JURISDICTION ||
         !(part ? all_alnum(j + 3, len - 3) : all_alnum(j, len))))
        rc = fail(err, MN_EINVAL,
                  "expected 1 to %d letters or digits, or a part of a "
                  "state such as CA-SOUTHERN",
                  MAX_JURISDICTION);
    if (rc == MN_OK && part) {
        mn_area a;
        if (!mn_x__jurisdiction_area(j, len, &a))
            rc = fail(err, MN_EINVAL,
                      "unknown part of a state (known: CA-NORTHERN, "
                      "CA-SOUTHERN, NY-UPSTATE, NY-DOWNSTATE, NY-QUEENS, "
                      "MO-NORTHWESTERN)");
    }
    if (rc == MN_OK)
        rc = replace_str(&c->jurisdiction, j, len, true, err);
    if (rc == MN_OK) {
        memset(&c->jur_area, 0, sizeof(c->jur_area));
        if (c->jurisdiction)
            mn_x__jurisdiction_area(c->jurisdiction, strlen(c->jurisdiction),
                                    &c->jur_area);
        c->jur_states = mn_x__area_states(&c->jur_area);
    }
    if (rc)
        at(err, "jurisdiction");
    return rc;
}

/* Validates a two-digit place of service into `out`. */
static int parse_pos(char out[3], const char *pos, size_t len, mn_error *err)
{
    int rc = MN_OK;

    if (!pos || len != 2 || !mn_x__isdigit(pos[0]) || !mn_x__isdigit(pos[1])) {
        rc = fail(err, MN_EINVAL, "expected a two-digit place of service");
    } else {
        out[0] = pos[0];
        out[1] = pos[1];
        out[2] = '\0';
    }
    return rc;
}

int mn_claim_set_place_of_service(mn_claim *c, const char *pos, size_t len,
                                  mn_error *err)
{
    int rc = check_str(c, pos, len, err);

    if (rc == MN_OK)
        rc = parse_pos(c->pos, pos, len, err);
    if (rc)
        at(err, "place_of_service");
    return rc;
}

/* Parses a strict YYYY-MM-DD date (after the length check). */
static int parse_date(int32_t *out, const mn_claim *c, const char *s,
                      size_t len, mn_error *err)
{
    int rc = check_str(c, s, len, err);

    if (rc == MN_OK && !s)
        rc = fail(err, MN_EINVAL, "missing");
    else if (rc == MN_OK && !mn_x__parse_date(out, s, len, false))
        rc = bad_date(err, s, len);
    return rc;
}

int mn_claim_set_birth_date(mn_claim *c, const char *date, size_t len,
                            mn_error *err)
{
    int32_t d = MN_NODATE;
    int rc = parse_date(&d, c, date, len, err);

    if (rc == MN_OK) {
        c->birth_date = d;
    } else {
        /* a birth date is protected health information: the message never
           repeats the value */
        if (rc == MN_EINVAL && err)
            snprintf(err->message, sizeof(err->message),
                     "not a valid date (expected YYYY-MM-DD)");
        at(err, "patient.birth_date");
    }
    return rc;
}

/* The claim-level date of service (no public setter in claim.h). */
int mn_claim_set_date(mn_claim *c, const char *date, size_t len, mn_error *err)
{
    int32_t d = MN_NODATE;
    int rc = parse_date(&d, c, date, len, err);

    if (rc == MN_OK)
        c->date = d;
    else
        at(err, "date");
    return rc;
}

int mn_claim_set_age(mn_claim *c, int years, mn_error *err)
{
    int rc = MN_OK;

    if (!c)
        rc = fail(err, MN_EINVAL, "no claim");
    else if (years < 0 || years > MAX_AGE)
        rc = fail(err, MN_EINVAL, "expected an integer from 0 to %d", MAX_AGE);
    else
        c->age = years;
    if (rc)
        at(err, "patient.age");
    return rc;
}

int mn_claim_set_sex(mn_claim *c, char sex, mn_error *err)
{
    int rc = MN_OK;
    int s = mn_x__toupper((unsigned char)sex);

    if (!c)
        rc = fail(err, MN_EINVAL, "no claim");
    else if (s != 'M' && s != 'F' && s != 'U')
        rc = fail(err, MN_EINVAL, "expected M, F or U");
    else
        c->sex = (char)s;
    if (rc)
        at(err, "patient.sex");
    return rc;
}

int mn_claim_set_claim_type(mn_claim *c, const char *s, size_t len,
                            mn_error *err)
{
    int rc = check_str(c, s, len, err);

    if (rc == MN_OK) {
        if (s && len == 12 && memcmp(s, "professional", 12) == 0) {
            c->institutional = 0;
            c->dme = 0;
        } else if (s && len == 13 && memcmp(s, "institutional", 13) == 0) {
            c->institutional = 1;
            c->dme = 0;
        } else if (s && len == 3 && memcmp(s, "dme", 3) == 0) {
            c->institutional = 0;
            c->dme = 1;
        } else {
            rc = fail(err, MN_EINVAL,
                      "expected professional, institutional or dme");
        }
    }
    if (rc)
        at(err, "claim_type");
    return rc;
}

int mn_claim_set_bill_type(mn_claim *c, const char *s, size_t len,
                           mn_error *err)
{
    int rc = check_str(c, s, len, err);
    bool ok = s && (len == 3 || len == 4);

    for (size_t i = 0; ok && i < len; i++)
        ok = mn_x__isdigit(s[i]);
    if (rc == MN_OK && !c->institutional)
        rc = fail(err, MN_EINVAL,
                  "only allowed when claim_type is institutional");
    else if (rc == MN_OK && !ok)
        rc = fail(err, MN_EINVAL, "expected a bill type of 3 or 4 digits");
    if (rc == MN_OK) {
        memcpy(c->bill_type, s, len);
        c->bill_type[len] = '\0';
    } else {
        at(err, "bill_type");
    }
    return rc;
}

static void upper_copy(char *out, const char *s, size_t len);

/* At most one dot, and not first or last. */
static bool one_inner_dot(const char *s, size_t len)
{
    const char *dot = memchr(s, '.', len);

    if (!dot)
        return true;
    return dot != s && dot != s + len - 1 &&
           !memchr(dot + 1, '.', len - (size_t)(dot - s) - 1);
}

int mn_claim_add_diagnosis(mn_claim *c, const char *code, size_t len,
                           mn_error *err)
{
    int rc = check_str(c, code, len, err);
    mn_claim_dx *dx;

    if (rc) {
        if (c)
            at(err, "diagnoses[%zu]", c->n_dx);
        goto done;
    }
    if (c->n_dx >= c->o.max_diagnoses) {
        rc = fail(err, MN_ELIMIT, "too many diagnoses (max %zu)",
                  c->o.max_diagnoses);
        at(err, "diagnoses");
        goto done;
    }
    /* a code of another shape is kept: the lines that point to it are
       invalid (dx.invalid), the others are still checked */
    if (!code || !mn_x__key(code, len) || len >= sizeof(dx->text) ||
        !one_inner_dot(code, len)) {
        rc = fail(err, MN_EINVAL,
                  "expected a diagnosis code (letters, digits and a dot)");
        at(err, "diagnoses[%zu]", c->n_dx);
        goto done;
    }
    rc = grow((void **)&c->dx, &c->cap_dx, c->n_dx + 1, sizeof(*c->dx));
    if (rc) {
        rc = fail(err, rc, "out of memory");
        goto done;
    }
    dx = &c->dx[c->n_dx];
    dx->icd9 = 0;
    dx->key = mn_x__key(code, len);
    dx->not_icd = !mn_x__icd_shape(code, len);
    if (dx->not_icd)
        upper_copy(dx->text, code, len);
    else
        mn_x__icd_dotted(dx->text, dx->key);
    c->n_dx++;
done:
    return rc;
}

/* A procedure code: CPT (incl. Category II/III) or HCPCS Level II. */
static bool proc_shape(const char *s, size_t len)
{
    return s && (mn_x__cpt_shape(s, len) || mn_x__hcpcs2_shape(s, len));
}

static void upper_copy(char *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        out[i] = (char)mn_x__toupper((unsigned char)s[i]);
    out[len] = '\0';
}

int mn_claim_add_line(mn_claim *c, const char *code, size_t len, unsigned units,
                      const char *date, size_t date_len, mn_error *err)
{
    int rc = check_str(c, code, len, err);
    int32_t d = MN_NODATE;
    mn_claim_line *ln;
    size_t idx = c ? c->n_lines : 0;

    if (rc) {
        if (c)
            at(err, "lines[%zu].code", idx);
        goto done;
    }
    if (idx >= c->o.max_lines || idx >= (size_t)INT_MAX) {
        rc = fail(err, MN_ELIMIT, "too many lines (max %zu)", c->o.max_lines);
        at(err, "lines");
        goto done;
    }
    /* a code of another shape is kept: the line is invalid (code.invalid)
       and the others are still checked */
    if (!code || !mn_x__key(code, len) || len >= sizeof(ln->code_text) ||
        memchr(code, '.', len)) {
        rc = fail(err, MN_EINVAL,
                  "expected a procedure code (letters and digits, at most 7)");
        at(err, "lines[%zu].code", idx);
        goto done;
    }
    if (units < 1 || units > MAX_UNITS) {
        rc =
            fail(err, MN_EINVAL, "expected an integer from 1 to %d", MAX_UNITS);
        at(err, "lines[%zu].units", idx);
        goto done;
    }
    if (date) {
        rc = parse_date(&d, c, date, date_len, err);
        if (rc) {
            at(err, "lines[%zu].date", idx);
            goto done;
        }
    }
    rc = grow((void **)&c->lines, &c->cap_lines, idx + 1, sizeof(*c->lines));
    if (rc) {
        rc = fail(err, rc, "out of memory");
        goto done;
    }
    ln = &c->lines[idx];
    memset(ln, 0, sizeof(*ln));
    ln->code = mn_x__key(code, len);
    ln->not_procedure = !proc_shape(code, len);
    upper_copy(ln->code_text, code, len);
    ln->units = units;
    ln->date = d;
    ln->charge = MN_NO_AMOUNT;
    ln->allowed = MN_NO_AMOUNT;
    c->n_lines++;
done:
    return rc ? rc : (int)idx;
}

static int check_line(const mn_claim *c, size_t line, mn_error *err)
{
    int rc = MN_OK;

    if (!c)
        rc = fail(err, MN_EINVAL, "no claim");
    else if (line >= c->n_lines)
        rc = fail(err, MN_EINVAL, "no line %zu", line);
    return rc;
}

/* Appends a modifier to `mods` (n of them); `what` and `idx` name the
 * entry in errors ("lines", 2). */
static int add_mod(const mn_claim *c, char (*mods)[3], unsigned *n,
                   const char *what, size_t idx, const char *mod, size_t len,
                   mn_error *err)
{
    int rc = check_str(c, mod, len, err);

    if (rc) {
        at(err, "%s[%zu].modifiers[%u]", what, idx, *n);
        goto done;
    }
    if (*n >= MN_MAX_MODIFIERS) {
        rc = fail(err, MN_ELIMIT, "too many modifiers (max %d)",
                  MN_MAX_MODIFIERS);
        at(err, "%s[%zu].modifiers", what, idx);
        goto done;
    }
    if (!mod || len != 2 || !all_alnum(mod, len)) {
        rc = fail(err, MN_EINVAL,
                  "expected a modifier of two letters or digits");
        at(err, "%s[%zu].modifiers[%u]", what, idx, *n);
        goto done;
    }
    upper_copy(mods[*n], mod, 2);
    (*n)++;
done:
    return rc;
}

int mn_claim_line_add_modifier(mn_claim *c, size_t line, const char *mod,
                               size_t len, mn_error *err)
{
    int rc = check_line(c, line, err);

    if (rc == MN_OK)
        rc = add_mod(c, c->lines[line].modifiers, &c->lines[line].n_modifiers,
                     "lines", line, mod, len, err);
    return rc;
}

/* Checks a charge and an allowed amount (cents). */
static int check_amounts(int64_t charge, int64_t allowed, const char *what,
                         size_t idx, mn_error *err)
{
    int rc = MN_OK;

    if (charge != MN_NO_AMOUNT && (charge < 0 || charge > MN_MAX_AMOUNT)) {
        rc = fail(err, MN_EINVAL, "expected an amount from 0 to 99999999.99");
        at(err, "%s[%zu].charge", what, idx);
    } else if (allowed != MN_NO_AMOUNT &&
               (allowed < 0 || allowed > MN_MAX_AMOUNT)) {
        rc = fail(err, MN_EINVAL, "expected an amount from 0 to 99999999.99");
        at(err, "%s[%zu].allowed", what, idx);
    }
    return rc;
}

int mn_claim_line_set_amounts(mn_claim *c, size_t line, int64_t charge,
                              int64_t allowed, mn_error *err)
{
    int rc = check_line(c, line, err);

    if (rc == MN_OK)
        rc = check_amounts(charge, allowed, "lines", line, err);
    if (rc == MN_OK) {
        c->lines[line].charge = charge;
        c->lines[line].allowed = allowed;
    }
    return rc;
}

int mn_claim_line_add_pointer(mn_claim *c, size_t line, unsigned pointer,
                              mn_error *err)
{
    int rc = check_line(c, line, err);
    mn_claim_line *ln;
    size_t hi;

    if (rc)
        goto done;
    ln = &c->lines[line];
    /* pointers are stored in a byte */
    hi = c->n_dx < UCHAR_MAX ? c->n_dx : UCHAR_MAX;
    if (ln->n_pointers >= MN_MAX_POINTERS) {
        rc = fail(err, MN_ELIMIT, "too many diagnosis pointers (max %d)",
                  MN_MAX_POINTERS);
        at(err, "lines[%zu].dx_pointers", line);
        goto done;
    }
    if (hi == 0 || pointer < 1 || pointer > hi) {
        if (hi == 0)
            rc = fail(err, MN_EINVAL,
                      "points to a diagnosis but the claim has none");
        else
            rc = fail(err, MN_EINVAL,
                      "expected a diagnosis number from 1 to %zu", hi);
        at(err, "lines[%zu].dx_pointers[%u]", line, ln->n_pointers);
        goto done;
    }
    ln->pointers[ln->n_pointers] = (unsigned char)pointer;
    ln->n_pointers++;
done:
    return rc;
}

int mn_claim_line_set_place_of_service(mn_claim *c, size_t line,
                                       const char *pos, size_t len,
                                       mn_error *err)
{
    int rc = check_line(c, line, err);

    if (rc == MN_OK)
        rc = check_str(c, pos, len, err);
    if (rc == MN_OK)
        rc = parse_pos(c->lines[line].pos, pos, len, err);
    if (rc)
        at(err, "lines[%zu].place_of_service", line);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Extensions: providers, line numbers, frequency, ICD-9-CM            */
/* ------------------------------------------------------------------ */

/* Printable ASCII only. */
static bool printable(const char *s, size_t len)
{
    bool ok = true;

    for (size_t i = 0; ok && i < len; i++)
        ok = s[i] >= 0x20 && s[i] < 0x7f;
    return ok;
}

/* A provider id: printable ASCII without spaces at either end. */
static int check_provider(const mn_claim *c, const char *s, size_t len,
                          mn_error *err)
{
    int rc = check_str(c, s, len, err);

    if (rc == MN_OK && (!s || len == 0 || !printable(s, len) || s[0] == ' ' ||
                        s[len - 1] == ' '))
        rc = fail(err, MN_EINVAL, "expected a provider identifier (an NPI)");
    return rc;
}

int mn_claim_set_provider(mn_claim *c, const char *id, size_t len,
                          mn_error *err)
{
    int rc = check_provider(c, id, len, err);

    if (rc == MN_OK)
        rc = replace_str(&c->provider, id, len, false, err);
    if (rc)
        at(err, "provider");
    return rc;
}

int mn_claim_set_frequency(mn_claim *c, const char *code, size_t len,
                           mn_error *err)
{
    int rc = check_str(c, code, len, err);

    if (rc == MN_OK && (len != 1 || !all_alnum(code, len)))
        rc = fail(err, MN_EINVAL,
                  "expected a claim frequency code of one digit or letter");
    if (rc == MN_OK)
        c->frequency = (char)mn_x__toupper((unsigned char)code[0]);
    else
        at(err, "frequency");
    return rc;
}

int mn_claim_set_prior_authorization(mn_claim *c, const char *id, size_t len,
                                     mn_error *err)
{
    int rc = check_str(c, id, len, err);

    if (rc == MN_OK && (!id || len == 0 || !printable(id, len)))
        rc = fail(err, MN_EINVAL, "expected a prior authorization number");
    if (rc == MN_OK)
        rc = replace_str(&c->prior_auth, id, len, false, err);
    if (rc)
        at(err, "prior_authorization");
    return rc;
}

/* ICD-9-CM shapes: 3 digits and up to 2 more (V + 2 digits and up to 2
 * more; E + 3 digits and up to 1 more), with or without the dot after the
 * category. */
static bool icd9_shape(const char *s, size_t len)
{
    char head = len ? (char)mn_x__toupper((unsigned char)s[0]) : 0;
    size_t cat = head == 'E' ? 4 : 3; /* characters of the category */
    size_t max_extra = head == 'E' ? 1 : 2;
    size_t digits = 0;
    size_t extra = 0;
    bool dot = false;
    bool ok = len >= 3 && (mn_x__isdigit(head) || head == 'V' || head == 'E');

    for (size_t i = 1; ok && i < len; i++) {
        if (s[i] == '.') {
            ok = !dot && digits + 1 == cat && i + 1 < len;
            dot = true;
        } else if (!mn_x__isdigit(s[i])) {
            ok = false;
        } else if (digits + 1 < cat) {
            digits++;
        } else {
            ok = ++extra <= max_extra;
        }
    }
    return ok && digits + 1 == cat;
}

int mn_claim_add_diagnosis_icd9(mn_claim *c, const char *code, size_t len,
                                mn_error *err)
{
    int rc = check_str(c, code, len, err);
    mn_claim_dx *dx;

    if (rc) {
        if (c)
            at(err, "diagnoses[%zu]", c->n_dx);
        goto done;
    }
    if (c->n_dx >= c->o.max_diagnoses) {
        rc = fail(err, MN_ELIMIT, "too many diagnoses (max %zu)",
                  c->o.max_diagnoses);
        at(err, "diagnoses");
        goto done;
    }
    if (!code || len > 7 || !icd9_shape(code, len)) {
        rc = fail(err, MN_EINVAL, "expected an ICD-9-CM code");
        at(err, "diagnoses[%zu]", c->n_dx);
        goto done;
    }
    rc = grow((void **)&c->dx, &c->cap_dx, c->n_dx + 1, sizeof(*c->dx));
    if (rc) {
        rc = fail(err, rc, "out of memory");
        goto done;
    }
    dx = &c->dx[c->n_dx];
    memset(dx, 0, sizeof(*dx));
    dx->key = 0; /* never found in the ICD-10-CM tables */
    {
        /* dotted after the category (4 characters for E codes) */
        size_t cat = mn_x__toupper((unsigned char)code[0]) == 'E' ? 4 : 3;
        size_t n = 0;
        for (size_t i = 0; i < len; i++) {
            if (code[i] == '.')
                continue;
            if (n == cat)
                dx->text[n++] = '.';
            dx->text[n++] = (char)mn_x__toupper((unsigned char)code[i]);
        }
        dx->text[n] = '\0';
    }
    dx->icd9 = 1;
    c->n_dx++;
done:
    return rc;
}

#define MAX_LINE_NUMBER 999999u

int mn_claim_line_set_number(mn_claim *c, size_t line, unsigned number,
                             mn_error *err)
{
    int rc = check_line(c, line, err);

    if (rc == MN_OK && (number < 1 || number > MAX_LINE_NUMBER))
        rc = fail(err, MN_EINVAL, "expected a line number from 1 to %u",
                  MAX_LINE_NUMBER);
    for (size_t i = 0; rc == MN_OK && i < c->n_lines; i++) {
        if (i != line && mn_claim_line_number(c, i) == number)
            rc = fail(err, MN_EINVAL, "line number %u is used twice", number);
    }
    if (rc == MN_OK)
        c->lines[line].number = number;
    else if (c)
        at(err, "lines[%zu].number", line);
    return rc;
}

int mn_claim_line_set_provider(mn_claim *c, size_t line, const char *id,
                               size_t len, mn_error *err)
{
    int rc = check_line(c, line, err);
    size_t i = 0;

    if (rc == MN_OK)
        rc = check_provider(c, id, len, err);
    if (rc)
        goto done;
    /* the lines of a claim share few providers: each is stored once */
    while (i < c->n_providers && !(strlen(c->providers[i]) == len &&
                                   memcmp(c->providers[i], id, len) == 0))
        i++;
    if (i == c->n_providers) {
        rc = grow((void **)&c->providers, &c->cap_providers, i + 1,
                  sizeof(*c->providers));
        if (rc == MN_OK) {
            c->providers[i] = mn_x__strndup(id, len);
            if (!c->providers[i])
                rc = MN_ENOMEM;
        }
        if (rc) {
            rc = fail(err, MN_ENOMEM, "out of memory");
            goto done;
        }
        c->n_providers++;
    }
    c->lines[line].provider = (unsigned)i + 1;
done:
    if (rc && c)
        at(err, "lines[%zu].provider", line);
    return rc;
}

int mn_claim_line_set_date(mn_claim *c, size_t line, const char *date,
                           size_t len, mn_error *err)
{
    int32_t d = MN_NODATE;
    int rc = check_line(c, line, err);

    if (rc == MN_OK)
        rc = parse_date(&d, c, date, len, err);
    if (rc == MN_OK)
        c->lines[line].date = d;
    else if (c)
        at(err, "lines[%zu].date", line);
    return rc;
}

int mn_claim_line_set_revenue_code(mn_claim *c, size_t line, const char *code,
                                   size_t len, mn_error *err)
{
    int rc = check_line(c, line, err);
    bool ok = code && (len == 3 || len == 4);

    for (size_t i = 0; ok && i < len; i++)
        ok = mn_x__isdigit(code[i]);
    if (rc == MN_OK && !ok)
        rc = fail(err, MN_EINVAL, "expected a revenue code of 4 digits");
    if (rc == MN_OK) {
        char *r = c->lines[line].revenue;
        r[0] = '0';
        memcpy(r + (4 - len), code, len);
        r[4] = '\0';
    } else if (c) {
        at(err, "lines[%zu].revenue_code", line);
    }
    return rc;
}

const char *mn_claim_get_id(const mn_claim *c)
{
    return c ? c->id : NULL;
}

char mn_claim_get_frequency(const mn_claim *c)
{
    return c ? c->frequency : '\0';
}

unsigned mn_claim_line_number(const mn_claim *c, size_t line)
{
    if (!c || line >= c->n_lines)
        return 0;
    return c->lines[line].number ? c->lines[line].number : (unsigned)line + 1;
}

const char *mn_x__claim_line_provider(const mn_claim *c, size_t li)
{
    unsigned p = c->lines[li].provider;

    return p && p <= c->n_providers ? c->providers[p - 1] : c->provider;
}

const char *mn_claim_line_provider(const mn_claim *c, size_t line)
{
    return c && line < c->n_lines ? mn_x__claim_line_provider(c, line) : NULL;
}

int mn_claim_has_patient_id(const mn_claim *c)
{
    return c && c->patient_id && c->patient_id[0];
}

int mn_claim_add_history(mn_claim *c, const char *code, size_t len,
                         const char *date, size_t date_len, unsigned units,
                         mn_error *err)
{
    int rc = check_str(c, code, len, err);
    int32_t d = MN_NODATE;
    mn_claim_hist *h;
    size_t idx = c ? c->n_hist : 0;

    if (rc) {
        if (c)
            at(err, "history[%zu].code", idx);
        goto done;
    }
    if (idx >= c->o.max_history || idx >= (size_t)INT_MAX) {
        rc = fail(err, MN_ELIMIT, "too many history entries (max %zu)",
                  c->o.max_history);
        at(err, "history");
        goto done;
    }
    if (!proc_shape(code, len)) {
        rc = fail(err, MN_EINVAL, "expected a CPT or HCPCS code");
        at(err, "history[%zu].code", idx);
        goto done;
    }
    rc = parse_date(&d, c, date, date_len, err);
    if (rc) {
        at(err, "history[%zu].date", idx);
        goto done;
    }
    if (units < 1 || units > MAX_UNITS) {
        rc =
            fail(err, MN_EINVAL, "expected an integer from 1 to %d", MAX_UNITS);
        at(err, "history[%zu].units", idx);
        goto done;
    }
    rc = grow((void **)&c->hist, &c->cap_hist, idx + 1, sizeof(*c->hist));
    if (rc) {
        rc = fail(err, rc, "out of memory");
        goto done;
    }
    h = &c->hist[idx];
    memset(h, 0, sizeof(*h));
    h->code = mn_x__key(code, len);
    h->date = d;
    h->units = units;
    h->charge = MN_NO_AMOUNT;
    h->allowed = MN_NO_AMOUNT;
    c->n_hist++;
done:
    return rc ? rc : (int)idx;
}

static int check_hist(const mn_claim *c, size_t entry, mn_error *err)
{
    int rc = MN_OK;

    if (!c)
        rc = fail(err, MN_EINVAL, "no claim");
    else if (entry >= c->n_hist)
        rc = fail(err, MN_EINVAL, "no history entry %zu", entry);
    return rc;
}

int mn_claim_history_add_modifier(mn_claim *c, size_t entry, const char *mod,
                                  size_t len, mn_error *err)
{
    int rc = check_hist(c, entry, err);

    if (rc == MN_OK)
        rc = add_mod(c, c->hist[entry].modifiers, &c->hist[entry].n_modifiers,
                     "history", entry, mod, len, err);
    return rc;
}

int mn_claim_history_add_diagnosis(mn_claim *c, size_t entry, const char *code,
                                   size_t len, mn_error *err)
{
    int rc = check_hist(c, entry, err);
    mn_claim_hist *h;

    if (rc)
        goto done;
    h = &c->hist[entry];
    rc = check_str(c, code, len, err);
    if (rc) {
        at(err, "history[%zu].diagnoses[%u]", entry, h->n_dx);
        goto done;
    }
    if (h->n_dx >= MN_MAX_POINTERS) {
        rc = fail(err, MN_ELIMIT, "too many diagnoses (max %d)",
                  MN_MAX_POINTERS);
        at(err, "history[%zu].diagnoses", entry);
        goto done;
    }
    if (!code || !mn_x__icd_shape(code, len)) {
        rc = fail(err, MN_EINVAL, "expected an ICD-10-CM code");
        at(err, "history[%zu].diagnoses[%u]", entry, h->n_dx);
        goto done;
    }
    h->dx[h->n_dx++] = mn_x__key(code, len);
done:
    return rc;
}

int mn_claim_history_set_amounts(mn_claim *c, size_t entry, int64_t charge,
                                 int64_t allowed, mn_error *err)
{
    int rc = check_hist(c, entry, err);

    if (rc == MN_OK)
        rc = check_amounts(charge, allowed, "history", entry, err);
    if (rc == MN_OK) {
        c->hist[entry].charge = charge;
        c->hist[entry].allowed = allowed;
    }
    return rc;
}

int mn_x__claim_check_dates(const mn_claim *c, mn_error *err)
{
    if (!c || c->birth_date == MN_NODATE)
        return MN_OK;
    for (size_t i = 0; i < c->n_lines; i++) {
        int32_t d = c->lines[i].date != MN_NODATE ? c->lines[i].date : c->date;
        if (d != MN_NODATE && d < c->birth_date) {
            /* neither date is repeated: both are the patient's */
            fail(err, MN_EINVAL,
                 "the birth date is after the date of service of line %zu",
                 i + 1);
            at(err, "patient.birth_date");
            return MN_EINVAL;
        }
    }
    return MN_OK;
}

int mn_x__claim_age_on(const mn_claim *c, int32_t date)
{
    int years = -1;
    int by;
    int bm;
    int bd;
    int y;
    int m;
    int d;

    if (!c)
        goto done;
    if (c->birth_date != MN_NODATE && date != MN_NODATE && date != MN_FOREVER &&
        date >= c->birth_date) {
        mn_x__civil_from_days(c->birth_date, &by, &bm, &bd);
        mn_x__civil_from_days(date, &y, &m, &d);
        years = y - by;
        if (m < bm || (m == bm && d < bd))
            years--;
    } else if (c->age >= 0) {
        /* years on the first date of service: constant by definition */
        years = c->age;
    }
done:
    return years;
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */
/* ------------------------------------------------------------------ */

/* A JSON path, built on the stack and formatted only for errors. */
typedef struct jpath {
    const struct jpath *up;
    const char *key; /* member name, or NULL for an array element */
    size_t index;
} jpath;

static size_t path_fmt(char *out, size_t size, size_t n, const jpath *p)
{
    int w = 0;

    if (p && n < size)
        n = path_fmt(out, size, n, p->up);
    if (p && n < size) {
        if (p->key)
            w = snprintf(out + n, size - n, "%s%.64s", n ? "." : "", p->key);
        else
            w = snprintf(out + n, size - n, "[%zu]", p->index);
        if (w > 0)
            n += (size_t)w;
        if (n >= size)
            n = size - 1;
    }
    return n;
}

/* Sets `p` as the location of the error in `err` (if any); returns rc. */
static int with_path(mn_error *err, const jpath *p, int rc)
{
    if (err && rc) {
        err->where[0] = '\0';
        path_fmt(err->where, sizeof(err->where), 0, p);
        one_line(err->where);
    }
    return rc;
}

static int fail_at(mn_error *err, const jpath *p, int code, const char *msg)
{
    fail(err, code, "%s", msg);
    return with_path(err, p, code);
}

static bool absent(const json_t *v)
{
    return !v || json_is_null(v);
}

static int get_str(const char **s, size_t *len, const json_t *v, const jpath *p,
                   mn_error *err)
{
    int rc = MN_OK;

    if (!json_is_string(v)) {
        rc = fail_at(err, p, MN_EINVAL, "expected a string");
    } else {
        *s = json_string_value(v);
        *len = json_string_length(v);
    }
    return rc;
}

/* Reads an integer in [lo, hi]. */
static int get_int(long long *out, const json_t *v, long long lo, long long hi,
                   const jpath *p, mn_error *err)
{
    int rc = MN_OK;
    long long x = json_is_integer(v) ? json_integer_value(v) : lo - 1;

    if (x < lo || x > hi) {
        fail(err, MN_EINVAL, "expected an integer from %lld to %lld", lo, hi);
        rc = with_path(err, p, MN_EINVAL);
    } else {
        *out = x;
    }
    return rc;
}

/* An amount in dollars with at most two decimals, 0 to 99999999.99, as
 * cents; null leaves *out as it is. */
static int get_amount(int64_t *out, const json_t *v, const jpath *p,
                      mn_error *err)
{
    int rc = MN_OK;
    double x = -1;
    double cents;
    double diff;
    long long whole;

    if (absent(v))
        goto done;
    if (json_is_integer(v))
        x = (double)json_integer_value(v);
    else if (json_is_real(v))
        x = json_real_value(v);
    if (!(x >= 0 && x <= (double)MN_MAX_AMOUNT / 100)) {
        fail(err, MN_EINVAL, "expected an amount from 0 to 99999999.99");
        rc = with_path(err, p, MN_EINVAL);
        goto done;
    }
    cents = x * 100;
    whole = (long long)(cents + 0.5);
    diff = cents - (double)whole;
    if (diff > 1e-6 + cents * 1e-12 || diff < -(1e-6 + cents * 1e-12)) {
        fail(err, MN_EINVAL, "expected at most two decimal places");
        rc = with_path(err, p, MN_EINVAL);
        goto done;
    }
    *out = whole;
done:
    return rc;
}

/* A string member handed to a setter; the setter's error gets the path. */
typedef int (*str_setter)(mn_claim *c, const char *s, size_t len,
                          mn_error *err);

static int set_from(mn_claim *c, str_setter set, const json_t *v,
                    const jpath *p, mn_error *err)
{
    const char *s = NULL;
    size_t n = 0;
    int rc = get_str(&s, &n, v, p, err);

    if (rc == MN_OK)
        rc = with_path(err, p, set(c, s, n, err));
    return rc;
}

static int check_patient_id(mn_claim *c, const char *s, size_t len,
                            mn_error *err)
{
    /* kept for the history store; it must never reach logs or messages */
    int rc = check_str(c, s, len, err);

    if (rc == MN_OK)
        rc = replace_str(&c->patient_id, s, len, false, err);
    return rc;
}

int mn_claim_set_patient_id(mn_claim *c, const char *id, size_t len,
                            mn_error *err)
{
    int rc = check_patient_id(c, id, len, err);

    if (rc)
        at(err, "patient.id");
    return rc;
}

static int set_sex_text(mn_claim *c, const char *s, size_t len, mn_error *err)
{
    int rc = check_str(c, s, len, err);

    if (rc == MN_OK && len != 1)
        rc = fail(err, MN_EINVAL, "expected M, F or U");
    else if (rc == MN_OK)
        rc = mn_claim_set_sex(c, s[0], err);
    return rc;
}

/* Checks that `arr` is an array of at most `max` elements, and makes room
 * for them all at once. */
static int get_array(const json_t *arr, size_t max, const char *what,
                     void **elems, size_t *cap, size_t elem, const jpath *p,
                     mn_error *err)
{
    int rc = MN_OK;
    size_t n = json_array_size(arr);

    if (!json_is_array(arr)) {
        fail(err, MN_EINVAL, "expected an array of %s", what);
        rc = with_path(err, p, MN_EINVAL);
    } else if (n > max) {
        fail(err, MN_ELIMIT, "too many %s (max %zu)", what, max);
        rc = with_path(err, p, MN_ELIMIT);
    } else if (elems && grow(elems, cap, n, elem) != MN_OK) {
        rc = fail(err, MN_ENOMEM, "out of memory");
    }
    return rc;
}

static int collect(const json_t **f, jpath *kp, const json_t *obj,
                   const char *const *names, int count, const mn_claim *c,
                   const jpath *p, mn_error *err);

/* A diagnosis given with its code system (extension):
 * {"code": "250.00", "system": "icd-9-cm"}; "icd-10-cm" is the default. */
static int parse_coded_dx(mn_claim *c, const json_t *obj, const jpath *p,
                          mn_error *err)
{
    static const char *const names[2] = {"code", "system"};
    const json_t *f[2] = {NULL, NULL};
    jpath kp[2] = {{p, "code", 0}, {p, "system", 0}};
    const char *sys = "icd-10-cm";
    size_t sys_len = 9;
    int rc = collect(f, NULL, obj, names, 2, c, p, err);

    if (rc == MN_OK && f[1])
        rc = get_str(&sys, &sys_len, f[1], &kp[1], err);
    if (rc == MN_OK && !f[0])
        rc = fail_at(err, &kp[0], MN_EINVAL, "missing");
    if (rc)
        goto done;
    if (equals_ci(sys, sys_len, "icd-10-cm"))
        rc = set_from(c, mn_claim_add_diagnosis, f[0], &kp[0], err);
    else if (equals_ci(sys, sys_len, "icd-9-cm"))
        rc = set_from(c, mn_claim_add_diagnosis_icd9, f[0], &kp[0], err);
    else
        rc = fail_at(err, &kp[1], MN_EINVAL, "expected icd-10-cm or icd-9-cm");
done:
    return rc;
}

static int parse_diagnoses(mn_claim *c, const json_t *arr, const jpath *p,
                           mn_error *err)
{
    int rc;
    size_t i;
    json_t *v;

    rc = get_array(arr, c->o.max_diagnoses, "diagnoses", (void **)&c->dx,
                   &c->cap_dx, sizeof(*c->dx), p, err);
    if (rc)
        goto done;
    json_array_foreach(arr, i, v)
    {
        jpath ip = {p, NULL, i};
        if (json_is_object(v))
            rc = parse_coded_dx(c, v, &ip, err);
        else
            rc = set_from(c, mn_claim_add_diagnosis, v, &ip, err);
        if (rc)
            goto done;
    }
done:
    return rc;
}

typedef int (*str_adder)(mn_claim *c, size_t idx, const char *mod, size_t len,
                         mn_error *err);

/* An array of at most `max` strings (`what` in the error), each handed
 * to `add` for entry `line`. */
static int parse_strings(mn_claim *c, size_t line, str_adder add, size_t max,
                         const char *what, const json_t *arr, const jpath *p,
                         mn_error *err)
{
    int rc;
    size_t i;
    json_t *v;
    const char *s = NULL;
    size_t n = 0;

    rc = get_array(arr, max, what, NULL, NULL, 0, p, err);
    if (rc)
        goto done;
    json_array_foreach(arr, i, v)
    {
        jpath ip = {p, NULL, i};
        rc = get_str(&s, &n, v, &ip, err);
        if (rc == MN_OK)
            rc = with_path(err, &ip, add(c, line, s, n, err));
        if (rc)
            goto done;
    }
done:
    return rc;
}

static int parse_pointers(mn_claim *c, size_t line, const json_t *arr,
                          const jpath *p, mn_error *err)
{
    int rc;
    size_t i;
    json_t *v;
    long long x;

    rc = get_array(arr, MN_MAX_POINTERS, "diagnosis pointers", NULL, NULL, 0, p,
                   err);
    if (rc)
        goto done;
    json_array_foreach(arr, i, v)
    {
        jpath ip = {p, NULL, i};
        if (!json_is_integer(v)) {
            rc = fail_at(err, &ip, MN_EINVAL,
                         "expected a diagnosis number (1-based)");
            goto done;
        }
        /* out-of-range values are left to the setter and its message */
        x = json_integer_value(v);
        if (x < 1 || x > (long long)c->n_dx)
            x = 0;
        rc = with_path(err, &ip,
                       mn_claim_line_add_pointer(c, line, (unsigned)x, err));
        if (rc)
            goto done;
    }
done:
    return rc;
}

static int line_pos_setter(mn_claim *c, const char *s, size_t len,
                           mn_error *err)
{
    /* the line being parsed is always the last one */
    return mn_claim_line_set_place_of_service(c, c->n_lines - 1, s, len, err);
}

static int line_provider_setter(mn_claim *c, const char *s, size_t len,
                                mn_error *err)
{
    return mn_claim_line_set_provider(c, c->n_lines - 1, s, len, err);
}

static int line_revenue_setter(mn_claim *c, const char *s, size_t len,
                               mn_error *err)
{
    return mn_claim_line_set_revenue_code(c, c->n_lines - 1, s, len, err);
}

enum {
    L_CODE,
    L_MODS,
    L_UNITS,
    L_DATE,
    L_POS,
    L_PTRS,
    L_CHARGE,
    L_ALLOWED,
    L_NUMBER,
    L_PROVIDER,
    L_REVENUE,
    L_COUNT
};
static const char *const line_names[L_COUNT] = {
    "code",        "modifiers", "units",   "date",   "place_of_service",
    "dx_pointers", "charge",    "allowed", "number", "provider",
    "revenue_code"};

/* Finds `key` in `names`; returns `count` when it is not there. */
static int member(const char *key, const char *const *names, int count)
{
    int i = 0;

    while (i < count && strcmp(key, names[i]) != 0)
        i++;
    return i;
}

/* Collects the members of `obj` named in `names` into `f`; any other
 * member is an error unless unknown fields are allowed. */
/* Picks the members `names` of object `obj` (at `p`) into `f`; `kp` (NULL
 * allowed) gets each member's path, for errors. */
static int collect(const json_t **f, jpath *kp, const json_t *obj,
                   const char *const *names, int count, const mn_claim *c,
                   const jpath *p, mn_error *err)
{
    int rc = MN_OK;
    const char *key;
    json_t *v;
    int i;

    for (i = 0; kp && i < count; i++) {
        kp[i].up = p;
        kp[i].key = names[i];
        kp[i].index = 0;
    }
    if (!json_is_object(obj)) {
        rc = fail_at(err, p, MN_EINVAL, "expected an object");
        goto done;
    }
    json_object_foreach((json_t *)obj, key, v)
    {
        i = member(key, names, count);
        if (i < count) {
            f[i] = absent(v) ? NULL : v;
        } else if (!c->o.allow_unknown) {
            jpath up = {p, key, 0};
            rc = fail_at(err, &up, MN_EINVAL, "unknown field");
            goto done;
        }
    }
done:
    return rc;
}

enum { P_ID, P_BIRTH, P_AGE, P_SEX, P_COUNT };
static const char *const patient_names[P_COUNT] = {"id", "birth_date", "age",
                                                   "sex"};

static int parse_patient(mn_claim *c, const json_t *obj, const jpath *p,
                         mn_error *err)
{
    int rc;
    const json_t *f[P_COUNT] = {NULL};
    jpath kp[P_COUNT];
    long long x = 0;

    rc = collect(f, kp, obj, patient_names, P_COUNT, c, p, err);
    if (rc == MN_OK && f[P_ID])
        rc = set_from(c, check_patient_id, f[P_ID], &kp[P_ID], err);
    if (rc == MN_OK && f[P_BIRTH])
        rc =
            set_from(c, mn_claim_set_birth_date, f[P_BIRTH], &kp[P_BIRTH], err);
    if (rc == MN_OK && f[P_AGE]) {
        rc = get_int(&x, f[P_AGE], 0, MAX_AGE, &kp[P_AGE], err);
        if (rc == MN_OK)
            rc = mn_claim_set_age(c, (int)x, err);
    }
    if (rc == MN_OK && f[P_SEX])
        rc = set_from(c, set_sex_text, f[P_SEX], &kp[P_SEX], err);
    return rc;
}

static int parse_line(mn_claim *c, const json_t *obj, const jpath *p,
                      mn_error *err)
{
    int rc;
    const json_t *f[L_COUNT] = {NULL};
    jpath kp[L_COUNT];
    const char *code = NULL;
    size_t code_len = 0;
    const char *date = NULL;
    size_t date_len = 0;
    long long units = 1;
    int idx;

    rc = collect(f, kp, obj, line_names, L_COUNT, c, p, err);
    if (rc)
        goto done;
    if (!f[L_CODE])
        rc = fail_at(err, &kp[L_CODE], MN_EINVAL, "missing");
    else
        rc = get_str(&code, &code_len, f[L_CODE], &kp[L_CODE], err);
    if (rc == MN_OK && f[L_UNITS])
        rc = get_int(&units, f[L_UNITS], 1, MAX_UNITS, &kp[L_UNITS], err);
    if (rc == MN_OK && f[L_DATE])
        rc = get_str(&date, &date_len, f[L_DATE], &kp[L_DATE], err);
    else if (rc == MN_OK && c->date == MN_NODATE)
        rc = fail_at(err, &kp[L_DATE], MN_EINVAL,
                     "missing (no claim date either)");
    if (rc)
        goto done;
    /* the setter names the member with the same path the JSON has */
    idx = mn_claim_add_line(c, code, code_len, (unsigned)units, date, date_len,
                            err);
    if (idx < 0) {
        rc = idx;
        goto done;
    }
    if (!date) /* the claim date stands in: the engine sees real dates */
        c->lines[idx].date = c->date;
    if (f[L_MODS])
        rc = parse_strings(c, (size_t)idx, mn_claim_line_add_modifier,
                           MN_MAX_MODIFIERS, "modifiers", f[L_MODS],
                           &kp[L_MODS], err);
    if (rc == MN_OK && f[L_POS])
        rc = set_from(c, line_pos_setter, f[L_POS], &kp[L_POS], err);
    if (rc == MN_OK && f[L_PTRS])
        rc = parse_pointers(c, (size_t)idx, f[L_PTRS], &kp[L_PTRS], err);
    if (rc == MN_OK)
        rc = get_amount(&c->lines[idx].charge, f[L_CHARGE], &kp[L_CHARGE], err);
    if (rc == MN_OK)
        rc = get_amount(&c->lines[idx].allowed, f[L_ALLOWED], &kp[L_ALLOWED],
                        err);
    if (rc == MN_OK && f[L_NUMBER]) {
        long long n = 0;
        rc = get_int(&n, f[L_NUMBER], 1, 999999, &kp[L_NUMBER], err);
        if (rc == MN_OK)
            rc = with_path(
                err, &kp[L_NUMBER],
                mn_claim_line_set_number(c, (size_t)idx, (unsigned)n, err));
    }
    if (rc == MN_OK && f[L_PROVIDER])
        rc = set_from(c, line_provider_setter, f[L_PROVIDER], &kp[L_PROVIDER],
                      err);
    if (rc == MN_OK && f[L_REVENUE])
        rc =
            set_from(c, line_revenue_setter, f[L_REVENUE], &kp[L_REVENUE], err);
done:
    return rc;
}

static int parse_lines(mn_claim *c, const json_t *arr, const jpath *p,
                       mn_error *err)
{
    int rc;
    size_t i;
    json_t *v;

    rc = get_array(arr, c->o.max_lines, "lines", (void **)&c->lines,
                   &c->cap_lines, sizeof(*c->lines), p, err);
    if (rc == MN_OK && json_array_size(arr) == 0)
        rc = fail_at(err, p, MN_EINVAL, "at least one line is required");
    if (rc)
        goto done;
    json_array_foreach(arr, i, v)
    {
        jpath ip = {p, NULL, i};
        rc = parse_line(c, v, &ip, err);
        if (rc)
            goto done;
    }
done:
    return rc;
}

enum { H_CODE, H_DATE, H_UNITS, H_MODS, H_CHARGE, H_ALLOWED, H_DX, H_COUNT };
static const char *const hist_names[H_COUNT] = {
    "code", "date", "units", "modifiers", "charge", "allowed", "diagnoses"};

static int parse_history_entry(mn_claim *c, const json_t *obj, const jpath *p,
                               mn_error *err)
{
    int rc;
    const json_t *f[H_COUNT] = {NULL};
    jpath kp[H_COUNT];
    const char *code = NULL;
    size_t code_len = 0;
    const char *date = NULL;
    size_t date_len = 0;
    long long units = 1;
    int idx;

    rc = collect(f, kp, obj, hist_names, H_COUNT, c, p, err);
    if (rc)
        goto done;
    if (!f[H_CODE])
        rc = fail_at(err, &kp[H_CODE], MN_EINVAL, "missing");
    else
        rc = get_str(&code, &code_len, f[H_CODE], &kp[H_CODE], err);
    if (rc == MN_OK && !f[H_DATE])
        rc = fail_at(err, &kp[H_DATE], MN_EINVAL, "missing");
    else if (rc == MN_OK)
        rc = get_str(&date, &date_len, f[H_DATE], &kp[H_DATE], err);
    if (rc == MN_OK && f[H_UNITS])
        rc = get_int(&units, f[H_UNITS], 1, MAX_UNITS, &kp[H_UNITS], err);
    if (rc)
        goto done;
    idx = mn_claim_add_history(c, code, code_len, date, date_len,
                               (unsigned)units, err);
    if (idx < 0) {
        rc = idx;
        goto done;
    }
    if (f[H_MODS])
        rc = parse_strings(c, (size_t)idx, mn_claim_history_add_modifier,
                           MN_MAX_MODIFIERS, "modifiers", f[H_MODS],
                           &kp[H_MODS], err);
    if (rc == MN_OK && f[H_DX])
        rc = parse_strings(c, (size_t)idx, mn_claim_history_add_diagnosis,
                           MN_MAX_POINTERS, "diagnoses", f[H_DX], &kp[H_DX],
                           err);
    if (rc == MN_OK)
        rc = get_amount(&c->hist[idx].charge, f[H_CHARGE], &kp[H_CHARGE], err);
    if (rc == MN_OK)
        rc = get_amount(&c->hist[idx].allowed, f[H_ALLOWED], &kp[H_ALLOWED],
                        err);
done:
    return rc;
}

static int parse_history(mn_claim *c, const json_t *arr, const jpath *p,
                         mn_error *err)
{
    int rc;
    size_t i;
    json_t *v;

    rc = get_array(arr, c->o.max_history, "history entries", (void **)&c->hist,
                   &c->cap_hist, sizeof(*c->hist), p, err);
    if (rc)
        goto done;
    json_array_foreach(arr, i, v)
    {
        jpath ip = {p, NULL, i};
        rc = parse_history_entry(c, v, &ip, err);
        if (rc)
            goto done;
    }
done:
    return rc;
}

/* The top-level members, collected first and applied in this order
 * whatever order the document uses: claim_type before bill_type, the
 * date and the diagnoses before the lines. */
enum {
    F_ID,
    F_PAYER,
    F_JURISDICTION,
    F_CLAIM_TYPE,
    F_BILL_TYPE,
    F_POS,
    F_DATE,
    F_PROVIDER,
    F_FREQUENCY,
    F_PRIOR_AUTH, /* the last string member */
    F_PATIENT,
    F_DIAGNOSES,
    F_LINES,
    F_HISTORY,
    F_COUNT
};

static const char *const top_names[F_COUNT] = {
    "id",           "payer",
    "jurisdiction", "claim_type",
    "bill_type",    "place_of_service",
    "date",         "provider",
    "frequency",    "prior_authorization",
    "patient",      "diagnoses",
    "lines",        "history"};

/* Setters of the string members F_ID .. F_PRIOR_AUTH, in that order. */
static const str_setter top_setters[F_PRIOR_AUTH + 1] = {
    mn_claim_set_id,           mn_claim_set_payer,
    mn_claim_set_jurisdiction, mn_claim_set_claim_type,
    mn_claim_set_bill_type,    mn_claim_set_place_of_service,
    mn_claim_set_date,         mn_claim_set_provider,
    mn_claim_set_frequency,    mn_claim_set_prior_authorization};

static int parse_claim(mn_claim *c, const json_t *root, mn_error *err)
{
    int rc;
    const json_t *f[F_COUNT] = {NULL};
    jpath kp[F_COUNT];

    for (int i = 0; i < F_COUNT; i++) {
        kp[i].up = NULL;
        kp[i].key = top_names[i];
        kp[i].index = 0;
    }
    rc = collect(f, NULL, root, top_names, F_COUNT, c, NULL, err);
    for (int i = F_ID; rc == MN_OK && i <= F_PRIOR_AUTH; i++) {
        if (f[i])
            rc = set_from(c, top_setters[i], f[i], &kp[i], err);
    }
    if (rc == MN_OK && f[F_PATIENT])
        rc = parse_patient(c, f[F_PATIENT], &kp[F_PATIENT], err);
    if (rc == MN_OK && f[F_DIAGNOSES])
        rc = parse_diagnoses(c, f[F_DIAGNOSES], &kp[F_DIAGNOSES], err);
    if (rc == MN_OK && !f[F_LINES])
        rc = fail_at(err, &kp[F_LINES], MN_EINVAL,
                     "missing (at least one line is required)");
    else if (rc == MN_OK)
        rc = parse_lines(c, f[F_LINES], &kp[F_LINES], err);
    if (rc == MN_OK && f[F_HISTORY])
        rc = parse_history(c, f[F_HISTORY], &kp[F_HISTORY], err);
    if (rc == MN_OK && !c->payer_text) {
        c->payer_text = mn_x__strndup("medicare", 8);
        if (!c->payer_text)
            rc = fail(err, MN_ENOMEM, "out of memory");
    }
    return rc;
}

/* Maps a jansson failure to a code and a one-line message with the
 * position. */
static int syntax_error(mn_error *err, const json_error_t *je)
{
    int rc = MN_EINVAL;

    switch (json_error_code(je)) {
    case json_error_out_of_memory:
        rc = MN_ENOMEM;
        break;
    case json_error_stack_overflow:
        rc = MN_ELIMIT;
        break;
    default:
        break;
    }
    {
        /* jansson quotes the input "near '...'": that may be a patient's
           id, name or birth date, so the message stops before it */
        const char *near = strstr(je->text, " near ");
        int n = near ? (int)(near - je->text) : (int)strlen(je->text);
        fail(err, rc, "%.*s", n, n ? je->text : "malformed JSON");
    }
    if (err) {
        err->line = je->line > 0 ? (size_t)je->line : 0;
        err->column = je->column > 0 ? (size_t)je->column : 0;
        err->offset = je->position > 0 ? (size_t)je->position : 0;
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* Fast path                                                           */
/* ------------------------------------------------------------------ */

/*
 * jansson builds a tree of hashed objects and is most of the cost of a
 * small claim. The fast path reads the common shape directly: known keys
 * only, each at most once, printable ASCII strings without escapes, small
 * non-negative integers, and a member order in which nothing depends on a
 * later member. It feeds the same setters and either builds exactly what
 * the jansson path would, or declines (FAST_NO) and the jansson path runs
 * and reports any error with its location. It never reports errors.
 */
#define FAST_NO 1

typedef struct fast {
    const char *p;
    const char *end;
    mn_claim *c;
    bool lines_seen;
} fast;

static void fast_ws(fast *f)
{
    while (f->p < f->end &&
           (*f->p == ' ' || *f->p == '\n' || *f->p == '\r' || *f->p == '\t'))
        f->p++;
}

/* The next character after white space, 0 at the end. */
static char fast_peek(fast *f)
{
    fast_ws(f);
    return f->p < f->end ? *f->p : '\0';
}

/* Consumes `ch`, the next character after white space. */
static int fast_char(fast *f, char ch)
{
    int rc = FAST_NO;

    if (fast_peek(f) == ch && f->p < f->end) {
        f->p++;
        rc = MN_OK;
    }
    return rc;
}

/* Consumes `null` when it comes next. */
static bool fast_null(fast *f)
{
    bool is_null = false;

    fast_ws(f);
    if (f->end - f->p >= 4 && memcmp(f->p, "null", 4) == 0) {
        f->p += 4;
        is_null = true;
    }
    return is_null;
}

/* A string of printable ASCII without escapes. */
static int fast_str(fast *f, const char **s, size_t *n)
{
    int rc = fast_char(f, '"');
    const char *start = f->p;

    while (rc == MN_OK && f->p < f->end && *f->p != '"') {
        unsigned char ch = (unsigned char)*f->p;
        if (ch < 0x20 || ch >= 0x7f || ch == '\\')
            rc = FAST_NO;
        else
            f->p++;
    }
    if (rc == MN_OK && f->p >= f->end)
        rc = FAST_NO;
    if (rc == MN_OK) {
        *s = start;
        *n = (size_t)(f->p - start);
        f->p++;
    }
    return rc;
}

/* A non-negative integer of at most 9 digits: no sign, fraction,
 * exponent or leading zero. */
static int fast_uint(fast *f, unsigned *out)
{
    int rc = MN_OK;
    unsigned v = 0;
    int digits = 0;
    const char *start;

    fast_ws(f);
    start = f->p;
    while (f->p < f->end && mn_x__isdigit(*f->p) && digits < 10) {
        v = v * 10 + (unsigned)(*f->p - '0');
        digits++;
        f->p++;
    }
    if (digits == 0 || digits > 9 || (digits > 1 && *start == '0'))
        rc = FAST_NO;
    else if (f->p < f->end && (*f->p == '.' || *f->p == 'e' || *f->p == 'E' ||
                               mn_x__isdigit(*f->p)))
        rc = FAST_NO;
    else
        *out = v;
    return rc;
}

/* Reads a member name, known in `names` and not in `*seen`, and the
 * colon after it. */
static int fast_key(fast *f, const char *const *names, int count,
                    unsigned *seen, int *idx)
{
    const char *s = NULL;
    size_t n = 0;
    int rc = fast_str(f, &s, &n);
    int i = 0;

    /* the first byte rejects most names; strncmp stops at the name's end
       (the key holds no NUL: fast_str refused control bytes) */
    while (rc == MN_OK && i < count &&
           !(n && names[i][0] == s[0] && strncmp(names[i], s, n) == 0 &&
             names[i][n] == '\0'))
        i++;
    if (rc == MN_OK && (i == count || (*seen & (1u << i))))
        rc = FAST_NO; /* unknown or duplicate: jansson's to judge */
    if (rc == MN_OK) {
        *seen |= 1u << i;
        *idx = i;
        rc = fast_char(f, ':');
    }
    return rc;
}

/* After a member or element: ',' (more follow) or `close`. */
static int fast_next(fast *f, char close, bool *more)
{
    int rc = FAST_NO;
    char ch = fast_peek(f);

    *more = ch == ',';
    if (ch == ',' || ch == close) {
        f->p++;
        rc = MN_OK;
    }
    return rc;
}

/* Opens an array or object; *more is false when it closes at once. */
static int fast_open(fast *f, char open, char close, bool *more)
{
    int rc = fast_char(f, open);

    *more = rc == MN_OK;
    if (rc == MN_OK && fast_peek(f) == close) {
        f->p++;
        *more = false;
    }
    return rc;
}

static int fast_ok(int setter_rc)
{
    return setter_rc == MN_OK ? MN_OK : FAST_NO;
}

/* A string member handed to a setter; null is absent. */
static int fast_set(fast *f, str_setter set)
{
    const char *s = NULL;
    size_t n = 0;
    int rc = MN_OK;

    if (!fast_null(f)) {
        rc = fast_str(f, &s, &n);
        if (rc == MN_OK)
            rc = fast_ok(set(f->c, s, n, NULL));
    }
    return rc;
}

/* An integer member in [lo, hi]; null leaves `*out` alone. */
static int fast_int(fast *f, unsigned lo, unsigned hi, unsigned *out)
{
    int rc = MN_OK;
    unsigned v = 0;

    if (!fast_null(f)) {
        rc = fast_uint(f, &v);
        if (rc == MN_OK && (v < lo || v > hi))
            rc = FAST_NO;
        if (rc == MN_OK)
            *out = v;
    }
    return rc;
}

static int fast_patient(fast *f)
{
    static const str_setter setters[P_COUNT] = {
        check_patient_id, mn_claim_set_birth_date, NULL, set_sex_text};
    int rc = MN_OK;
    bool more = false;
    unsigned seen = 0;
    unsigned age = 0;
    int k = 0;

    if (!fast_null(f))
        rc = fast_open(f, '{', '}', &more);
    while (rc == MN_OK && more) {
        rc = fast_key(f, patient_names, P_COUNT, &seen, &k);
        if (rc == MN_OK && k == P_AGE) {
            age = UINT_MAX;
            rc = fast_int(f, 0, MAX_AGE, &age);
            if (rc == MN_OK && age != UINT_MAX)
                rc = fast_ok(mn_claim_set_age(f->c, (int)age, NULL));
        } else if (rc == MN_OK) {
            rc = fast_set(f, setters[k]);
        }
        if (rc == MN_OK)
            rc = fast_next(f, '}', &more);
    }
    return rc;
}

static int fast_diagnoses(fast *f)
{
    int rc = MN_OK;
    bool more = false;
    const char *s = NULL;
    size_t n = 0;

    if (f->lines_seen)
        rc = FAST_NO; /* pointers were checked against fewer diagnoses */
    else if (!fast_null(f))
        rc = fast_open(f, '[', ']', &more);
    while (rc == MN_OK && more) {
        rc = fast_str(f, &s, &n);
        if (rc == MN_OK)
            rc = fast_ok(mn_claim_add_diagnosis(f->c, s, n, NULL));
        if (rc == MN_OK)
            rc = fast_next(f, ']', &more);
    }
    return rc;
}

/* One line's members, gathered before the line is added. */
typedef struct fline {
    const char *code;
    size_t code_len;
    const char *date;
    size_t date_len;
    const char *pos;
    size_t pos_len;
    unsigned units;
    const char *mods[MN_MAX_MODIFIERS];
    size_t mod_len[MN_MAX_MODIFIERS];
    unsigned n_mods;
    unsigned ptrs[MN_MAX_POINTERS];
    unsigned n_ptrs;
    int64_t charge;
    int64_t allowed;
    unsigned number;
    const char *provider;
    size_t provider_len;
    const char *revenue;
    size_t revenue_len;
} fline;

/* An amount as plain decimal text: digits without a leading zero (or a
 * single 0), then at most two decimals; null leaves *out as it is.
 * Anything else (exponent, sign, more decimals) is jansson's. */
static int fast_amount(fast *f, int64_t *out)
{
    int rc = MN_OK;
    int64_t v = 0;
    int digits = 0;
    int decimals = 0;
    const char *start;

    if (fast_null(f))
        goto done;
    fast_ws(f);
    start = f->p;
    while (f->p < f->end && mn_x__isdigit(*f->p) && digits < 9) {
        v = v * 10 + (*f->p - '0');
        digits++;
        f->p++;
    }
    if (digits == 0 || (digits > 1 && *start == '0')) {
        rc = FAST_NO;
        goto done;
    }
    v *= 100;
    if (f->p < f->end && *f->p == '.') {
        int64_t frac = 0;
        f->p++;
        while (f->p < f->end && mn_x__isdigit(*f->p) && decimals < 3) {
            frac = frac * 10 + (*f->p - '0');
            decimals++;
            f->p++;
        }
        if (decimals == 0 || decimals > 2) {
            rc = FAST_NO;
            goto done;
        }
        v += decimals == 1 ? frac * 10 : frac;
    }
    if (v > MN_MAX_AMOUNT ||
        (f->p < f->end && (*f->p == '.' || *f->p == 'e' || *f->p == 'E' ||
                           mn_x__isdigit(*f->p)))) {
        rc = FAST_NO;
        goto done;
    }
    *out = v;
done:
    return rc;
}

static int fast_line_mods(fast *f, fline *ln)
{
    int rc = MN_OK;
    bool more = false;

    if (!fast_null(f))
        rc = fast_open(f, '[', ']', &more);
    while (rc == MN_OK && more) {
        if (ln->n_mods == MN_MAX_MODIFIERS)
            rc = FAST_NO;
        else
            rc = fast_str(f, &ln->mods[ln->n_mods], &ln->mod_len[ln->n_mods]);
        if (rc == MN_OK) {
            ln->n_mods++;
            rc = fast_next(f, ']', &more);
        }
    }
    return rc;
}

static int fast_line_ptrs(fast *f, fline *ln)
{
    int rc = MN_OK;
    bool more = false;

    if (!fast_null(f))
        rc = fast_open(f, '[', ']', &more);
    while (rc == MN_OK && more) {
        if (ln->n_ptrs == MN_MAX_POINTERS)
            rc = FAST_NO;
        else
            rc = fast_uint(f, &ln->ptrs[ln->n_ptrs]);
        if (rc == MN_OK) {
            ln->n_ptrs++;
            rc = fast_next(f, ']', &more);
        }
    }
    return rc;
}

/* A string member kept for later; null is absent. */
static int fast_keep(fast *f, const char **s, size_t *n)
{
    int rc = MN_OK;

    if (!fast_null(f))
        rc = fast_str(f, s, n);
    return rc;
}

static int fast_line(fast *f)
{
    fline ln;
    int rc;
    bool more = false;
    unsigned seen = 0;
    int k = 0;
    int idx = -1;
    mn_claim *c = f->c;

    memset(&ln, 0, sizeof(ln));
    ln.units = 1;
    ln.charge = MN_NO_AMOUNT;
    ln.allowed = MN_NO_AMOUNT;
    rc = fast_open(f, '{', '}', &more);
    while (rc == MN_OK && more) {
        rc = fast_key(f, line_names, L_COUNT, &seen, &k);
        if (rc == MN_OK && k == L_CODE)
            rc = fast_keep(f, &ln.code, &ln.code_len);
        else if (rc == MN_OK && k == L_MODS)
            rc = fast_line_mods(f, &ln);
        else if (rc == MN_OK && k == L_UNITS)
            rc = fast_int(f, 1, MAX_UNITS, &ln.units);
        else if (rc == MN_OK && k == L_DATE)
            rc = fast_keep(f, &ln.date, &ln.date_len);
        else if (rc == MN_OK && k == L_POS)
            rc = fast_keep(f, &ln.pos, &ln.pos_len);
        else if (rc == MN_OK && k == L_PTRS)
            rc = fast_line_ptrs(f, &ln);
        else if (rc == MN_OK && k == L_CHARGE)
            rc = fast_amount(f, &ln.charge);
        else if (rc == MN_OK && k == L_ALLOWED)
            rc = fast_amount(f, &ln.allowed);
        else if (rc == MN_OK && k == L_NUMBER)
            rc = fast_int(f, 1, 999999, &ln.number);
        else if (rc == MN_OK && k == L_PROVIDER)
            rc = fast_keep(f, &ln.provider, &ln.provider_len);
        else if (rc == MN_OK && k == L_REVENUE)
            rc = fast_keep(f, &ln.revenue, &ln.revenue_len);
        if (rc == MN_OK)
            rc = fast_next(f, '}', &more);
    }
    if (rc == MN_OK && (!ln.code || (!ln.date && c->date == MN_NODATE)))
        rc = FAST_NO;
    if (rc == MN_OK) {
        idx = mn_claim_add_line(c, ln.code, ln.code_len, ln.units, ln.date,
                                ln.date_len, NULL);
        rc = fast_ok(idx < 0 ? idx : MN_OK);
    }
    if (rc == MN_OK && !ln.date)
        c->lines[idx].date = c->date;
    for (unsigned i = 0; rc == MN_OK && i < ln.n_mods; i++)
        rc = fast_ok(mn_claim_line_add_modifier(c, (size_t)idx, ln.mods[i],
                                                ln.mod_len[i], NULL));
    if (rc == MN_OK && ln.pos)
        rc = fast_ok(mn_claim_line_set_place_of_service(c, (size_t)idx, ln.pos,
                                                        ln.pos_len, NULL));
    for (unsigned i = 0; rc == MN_OK && i < ln.n_ptrs; i++)
        rc = fast_ok(
            mn_claim_line_add_pointer(c, (size_t)idx, ln.ptrs[i], NULL));
    if (rc == MN_OK)
        rc = fast_ok(mn_claim_line_set_amounts(c, (size_t)idx, ln.charge,
                                               ln.allowed, NULL));
    if (rc == MN_OK && ln.number)
        rc = fast_ok(mn_claim_line_set_number(c, (size_t)idx, ln.number, NULL));
    if (rc == MN_OK && ln.provider)
        rc = fast_ok(mn_claim_line_set_provider(c, (size_t)idx, ln.provider,
                                                ln.provider_len, NULL));
    if (rc == MN_OK && ln.revenue)
        rc = fast_ok(mn_claim_line_set_revenue_code(c, (size_t)idx, ln.revenue,
                                                    ln.revenue_len, NULL));
    return rc;
}

static int fast_lines(fast *f)
{
    bool more = false;
    int rc = fast_open(f, '[', ']', &more);

    if (rc == MN_OK && !more)
        rc = FAST_NO; /* no lines: an error */
    while (rc == MN_OK && more) {
        rc = fast_line(f);
        if (rc == MN_OK)
            rc = fast_next(f, ']', &more);
    }
    f->lines_seen = true;
    return rc;
}

static int fast_history_entry(fast *f)
{
    fline h;
    int rc;
    bool more = false;
    unsigned seen = 0;
    int k = 0;
    int idx = -1;

    memset(&h, 0, sizeof(h));
    h.units = 1;
    h.charge = MN_NO_AMOUNT;
    h.allowed = MN_NO_AMOUNT;
    rc = fast_open(f, '{', '}', &more);
    while (rc == MN_OK && more) {
        rc = fast_key(f, hist_names, H_COUNT, &seen, &k);
        if (rc == MN_OK && k == H_CODE)
            rc = fast_keep(f, &h.code, &h.code_len);
        else if (rc == MN_OK && k == H_DATE)
            rc = fast_keep(f, &h.date, &h.date_len);
        else if (rc == MN_OK && k == H_UNITS)
            rc = fast_int(f, 1, MAX_UNITS, &h.units);
        else if (rc == MN_OK && k == H_MODS)
            rc = fast_line_mods(f, &h);
        else if (rc == MN_OK && k == H_CHARGE)
            rc = fast_amount(f, &h.charge);
        else if (rc == MN_OK && k == H_ALLOWED)
            rc = fast_amount(f, &h.allowed);
        else if (rc == MN_OK)
            rc = FAST_NO; /* diagnoses: rare, left to jansson */
        if (rc == MN_OK)
            rc = fast_next(f, '}', &more);
    }
    if (rc == MN_OK && (!h.code || !h.date))
        rc = FAST_NO;
    if (rc == MN_OK) {
        idx = mn_claim_add_history(f->c, h.code, h.code_len, h.date, h.date_len,
                                   h.units, NULL);
        rc = fast_ok(idx < 0 ? idx : MN_OK);
    }
    for (unsigned i = 0; rc == MN_OK && i < h.n_mods; i++)
        rc = fast_ok(mn_claim_history_add_modifier(f->c, (size_t)idx, h.mods[i],
                                                   h.mod_len[i], NULL));
    if (rc == MN_OK)
        rc = fast_ok(mn_claim_history_set_amounts(f->c, (size_t)idx, h.charge,
                                                  h.allowed, NULL));
    return rc;
}

static int fast_history(fast *f)
{
    int rc = MN_OK;
    bool more = false;

    if (!fast_null(f))
        rc = fast_open(f, '[', ']', &more);
    while (rc == MN_OK && more) {
        rc = fast_history_entry(f);
        if (rc == MN_OK)
            rc = fast_next(f, ']', &more);
    }
    return rc;
}

/* Parses the whole document into `c`, or declines with FAST_NO (then `c`
 * is half-filled and must be thrown away). */
static int fast_claim(mn_claim *c, const char *json, size_t len)
{
    fast f;
    int rc;
    bool more = false;
    unsigned seen = 0;
    int k = 0;

    f.p = json;
    f.end = json + len;
    f.c = c;
    f.lines_seen = false;
    rc = fast_open(&f, '{', '}', &more);
    while (rc == MN_OK && more) {
        rc = fast_key(&f, top_names, F_COUNT, &seen, &k);
        if (rc == MN_OK && k <= F_PRIOR_AUTH) {
            rc = fast_set(&f, top_setters[k]);
        } else if (rc == MN_OK) {
            switch (k) {
            case F_PATIENT:
                rc = fast_patient(&f);
                break;
            case F_DIAGNOSES:
                rc = fast_diagnoses(&f);
                break;
            case F_LINES:
                rc = fast_lines(&f);
                break;
            default:
                rc = fast_history(&f);
                break;
            }
        }
        if (rc == MN_OK)
            rc = fast_next(&f, '}', &more);
    }
    fast_ws(&f);
    if (rc == MN_OK && (f.p != f.end || !f.lines_seen))
        rc = FAST_NO;
    if (rc == MN_OK && !c->payer_text) {
        c->payer_text = mn_x__strndup("medicare", 8);
        if (!c->payer_text)
            rc = FAST_NO;
    }
    return rc;
}

/* The two parsers on their own, for the differential test. */
int mn_x__claim_parse_fast(mn_claim **out, const char *json, size_t len,
                           const mn_claim_options *opts);
int mn_x__claim_parse_jansson(mn_claim **out, const char *json, size_t len,
                              const mn_claim_options *opts, mn_error *err);

/* Declines (FAST_NO) rather than fail; never touches an error. */
int mn_x__claim_parse_fast(mn_claim **out, const char *json, size_t len,
                           const mn_claim_options *opts)
{
    mn_claim *c = NULL;
    int rc = claim_create(&c, opts, false, NULL);

    if (rc == MN_OK)
        rc = fast_claim(c, json, len);
    if (rc) {
        mn_claim_free(c);
        c = NULL;
    }
    *out = c;
    return rc;
}

int mn_x__claim_parse_jansson(mn_claim **out, const char *json, size_t len,
                              const mn_claim_options *opts, mn_error *err)
{
    int rc = MN_OK;
    json_t *root = NULL;
    mn_claim *c = NULL;
    json_error_t je;

    root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        rc = syntax_error(err, &je);
        goto done;
    }
    if (!json_is_object(root)) {
        rc = fail(err, MN_EINVAL, "expected a JSON object (the claim)");
        goto done;
    }
    rc = claim_create(&c, opts, false, err);
    if (rc == MN_OK)
        rc = parse_claim(c, root, err);
done:
    json_decref(root);
    if (rc) {
        mn_claim_free(c);
        c = NULL;
    }
    *out = c;
    return rc;
}

int mn_claim_parse_json(mn_claim **out, const char *json, size_t len,
                        const mn_claim_options *opts, mn_error *err)
{
    int rc = MN_OK;
    mn_claim *c = NULL;
    mn_claim_options o;

    mn_error_clear(err);
    if (!out || (!json && len)) {
        rc = fail(err, MN_EINVAL, "invalid arguments");
        goto done;
    }
    resolve_options(&o, opts);
    if (len > o.max_input) {
        rc = fail(err, MN_ELIMIT, "input too large (max %zu bytes)",
                  o.max_input);
        goto done;
    }
    if (len == 0) {
        rc = fail(err, MN_EINVAL, "empty input");
        goto done;
    }
    /* the common shape first; anything else, errors included, is for
     * jansson to read and report */
    rc = mn_x__claim_parse_fast(&c, json, len, &o);
    if (rc)
        rc = mn_x__claim_parse_jansson(&c, json, len, &o, err);
    if (rc == MN_OK && (rc = mn_x__claim_check_dates(c, err)) != MN_OK) {
        mn_claim_free(c);
        c = NULL;
    }
done:
    if (out)
        *out = c;
    return rc;
}
