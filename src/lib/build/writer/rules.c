/*
 * build/writer/rules.c: the rule-pack language (docs/rules.md).
 *
 *   # comment
 *   pack medicare-core
 *   rule lab.190.15.inverted
 *     effective 2014-10-01            (or: effective 2014-10-01 to 2020-12-31)
 *     source "NCD 190.15; CMS lab NCD coding policy manual"
 *     ncd 190.15 inverted
 *   end
 *
 * A policy rule holds exactly one policy statement:
 *   ncd ID inverted
 *   (article|lcd|ncd) ID group N requires group M [or group K ...]
 *   (article|lcd|ncd) ID group N secondary-only
 *   (article|lcd|ncd) ID group N standalone
 * A service rule starts with `codes` and holds any of (kb/srules_fmt.h):
 *   codes CODE|LO-HI|any ...          family CODE|LO-HI ... | each
 *   frequency N per PERIOD [spacing K UNIT]      more-often-if "text"
 *   when-dx DX[*] ...    unless-dx DX[*] ...
 *   when-modifier MM ... unless-modifier MM ...  when-age RANGE
 *   age RANGE [after-birthday]    sex F|M
 *   exclude "reason" [carc C] [rarc R]
 *   pos-allow NN ...     pos-deny NN ...
 *   requires documentation|prior-auth|kx "text"
 * Every rule must carry `effective` and `source`.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "build/writer/kbb.h"
#include "kb/kbfmt.h"
#include "build/writer/srules_build.h"

#define MAX_TOK 64
#define MAX_TOKLEN 1024
#define MAX_RANGE 10000  /* codes in one LO-HI range */
#define MAX_CODES 100000 /* codes (after ranges) in one rule */
#define MAX_DX 4096      /* diagnosis patterns in one rule */
#define MAX_AGE 150

typedef struct tok {
    const char *s;
    size_t len;
    size_t col;
    int quoted;
} tok;

typedef struct parser {
    const char *name;
    const char *text;
    size_t len;
    size_t pos;
    size_t line;
    mn_error *err;
    char pack[128];
} parser;

static int perr(parser *p, size_t line, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int perr(parser *p, size_t line, size_t col, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    mn_x__err(p->err, MN_EINVAL, "%s", msg);
    mn_x__err_at(p->err, p->name, line, col);
    return MN_EINVAL;
}

/* Splits the next non-empty line into tokens. Returns 1, 0 at end, or an
 * error. */
static int next_line(parser *p, tok *t, size_t *nt, size_t *lineno)
{
    while (p->pos < p->len) {
        size_t start = p->pos;
        size_t end = start;
        while (end < p->len && p->text[end] != '\n')
            end++;
        p->pos = end < p->len ? end + 1 : end;
        *lineno = ++p->line;
        *nt = 0;
        size_t i = start;
        while (i < end) {
            char c = p->text[i];
            if (c == ' ' || c == '\t' || c == '\r') {
                i++;
                continue;
            }
            if (c == '#')
                break;
            if (*nt == MAX_TOK)
                return perr(p, *lineno, i - start + 1,
                            "too many words (at most %d; continue the list "
                            "on another line)",
                            MAX_TOK);
            tok *k = &t[(*nt)++];
            k->col = i - start + 1;
            k->quoted = 0;
            if (c == '"') {
                size_t j = i + 1;
                while (j < end && p->text[j] != '"')
                    j++;
                if (j >= end)
                    return perr(p, *lineno, k->col, "unterminated string");
                k->s = p->text + i + 1;
                k->len = j - i - 1;
                k->quoted = 1;
                i = j + 1;
            } else {
                size_t j = i;
                while (j < end && p->text[j] != ' ' && p->text[j] != '\t' &&
                       p->text[j] != '\r')
                    j++;
                k->s = p->text + i;
                k->len = j - i;
                i = j;
            }
            if (k->len > MAX_TOKLEN)
                return perr(p, *lineno, k->col, "word too long");
            if (memchr(k->s, '\0', k->len))
                return perr(p, *lineno, k->col, "NUL byte in text");
        }
        if (*nt)
            return 1;
    }
    return 0;
}

static bool is(const tok *t, const char *w)
{
    return !t->quoted && t->len == strlen(w) && memcmp(t->s, w, t->len) == 0;
}

static bool tok_int(const tok *t, int *out, int lo, int hi)
{
    unsigned long v;
    if (t->quoted || !mn_x__parse_uint(&v, t->s, t->len) ||
        v < (unsigned long)lo || v > (unsigned long)hi)
        return false;
    *out = (int)v;
    return true;
}

static int policy_kind(const tok *t)
{
    if (is(t, "ncd"))
        return MN_PK_NCD;
    if (is(t, "lcd"))
        return MN_PK_LCD;
    if (is(t, "article"))
        return MN_PK_ARTICLE;
    return 0;
}

/* The parts of a service rule seen so far. */
typedef struct svc_state {
    int active;      /* a service statement was seen */
    size_t line;     /* where the first one was */
    int any_code;    /* codes any */
    int has_codes;   /* at least one code or `any` */
    int family_set;  /* a family statement was seen */
    size_t fam_line; /* where, for errors */
    size_t fam_col;
    int has_freq;
    size_t more_line; /* more-often-if / spacing without frequency */
    size_t more_col;
    int has_age, has_when_age, has_sex, has_exclude, has_doc, has_more;
    int has_pos_allow, has_pos_deny;
    int has_kx_thr, has_review_thr;
    kb_srule rec;
    mn_vec codes;     /* mn_key */
    mn_vec family;    /* mn_key */
    mn_vec when_dx;   /* kb_srdx */
    mn_vec unless_dx; /* kb_srdx */
    char exclude[MAX_TOKLEN + 1];
    char doc[MAX_TOKLEN + 1];
    char more[MAX_TOKLEN + 1];
} svc_state;

typedef struct rule_state {
    int open;
    size_t line;
    char id[128];
    char source[MAX_TOKLEN + 1];
    char policy[64];
    char reason[MAX_TOKLEN + 1]; /* statutory "reason" */
    int has_eff;
    int has_stmt; /* a policy statement */
    size_t stmt_line;
    mn_kbb_rule r;
    svc_state svc;
} rule_state;

static int copy_tok(char *dst, size_t size, const tok *t)
{
    if (t->len >= size)
        return -1;
    memcpy(dst, t->s, t->len);
    dst[t->len] = '\0';
    return 0;
}

/* A short, printable copy of a token for messages. */
static const char *word(char *buf, size_t size, const tok *t)
{
    snprintf(buf, size, "%.*s", (int)(t->len < 40 ? t->len : 40), t->s);
    return buf;
}

static int statement(parser *p, rule_state *rs, tok *t, size_t nt, size_t ln)
{
    int kind = policy_kind(&t[0]);
    int g;

    if (!kind || nt < 3) {
        char w[64];
        return perr(p, ln, t[0].col, "unknown statement '%s'",
                    word(w, sizeof(w), &t[0]));
    }
    if (rs->svc.active)
        return perr(p, ln, t[0].col,
                    "a rule is either a policy rule or a service rule; "
                    "start a new rule");
    if (rs->has_stmt)
        return perr(p, ln, t[0].col,
                    "a rule holds one statement; start a new rule");
    if (copy_tok(rs->policy, sizeof(rs->policy), &t[1]))
        return perr(p, ln, t[1].col, "policy id too long");
    rs->r.policy_kind = kind;
    rs->r.policy_id = rs->policy;
    if (nt == 3 && is(&t[2], "inverted")) {
        if (kind != MN_PK_NCD)
            return perr(p, ln, t[2].col, "only an ncd list can be inverted");
        rs->r.kind = KB_RULE_NCD_INVERTED;
        rs->has_stmt = 1;
        rs->stmt_line = ln;
        return MN_OK;
    }
    if (is(&t[2], "statutory")) {
        if (nt != 4 || !t[3].quoted || !t[3].len ||
            copy_tok(rs->reason, sizeof(rs->reason), &t[3]))
            return perr(p, ln, t[2].col,
                        "expected 'statutory \"what the statute "
                        "excludes\"'");
        rs->r.kind = KB_RULE_STATUTORY;
        rs->r.reason = rs->reason;
        rs->has_stmt = 1;
        rs->stmt_line = ln;
        return MN_OK;
    }
    if (!is(&t[2], "group") || nt < 5)
        return perr(p, ln, t[2].col,
                    "expected 'group N ...', 'inverted' or 'statutory'");
    if (!tok_int(&t[3], &g, 1, 32))
        return perr(p, ln, t[3].col, "group must be a number from 1 to 32");
    rs->r.group = g;
    if (nt == 5 && is(&t[4], "secondary-only")) {
        rs->r.kind = KB_RULE_GROUP_SECONDARY_ONLY;
    } else if (nt == 5 && is(&t[4], "standalone")) {
        rs->r.kind = KB_RULE_GROUP_STANDALONE;
    } else if (is(&t[4], "requires")) {
        size_t i = 5;
        rs->r.kind = KB_RULE_GROUP_REQUIRES;
        rs->r.partners = 0;
        for (;;) {
            int m;
            if (i + 1 >= nt || !is(&t[i], "group"))
                return perr(p, ln, i < nt ? t[i].col : t[nt - 1].col,
                            "expected 'group N'");
            if (!tok_int(&t[i + 1], &m, 1, 32) || m == g)
                return perr(p, ln, t[i + 1].col,
                            "partner group must be another group 1-32");
            rs->r.partners |= 1u << (m - 1);
            i += 2;
            if (i == nt)
                break;
            if (!is(&t[i], "or"))
                return perr(p, ln, t[i].col, "expected 'or'");
            i++;
        }
    } else {
        return perr(p, ln, t[4].col,
                    "expected 'requires', 'secondary-only' or 'standalone'");
    }
    rs->has_stmt = 1;
    rs->stmt_line = ln;
    return MN_OK;
}

/*
 * Service rules
 */

/* Upper-case copy of a 5-character procedure code; false when it is not
 * a CPT or HCPCS Level II code. */
static bool proc_code(char out[6], const char *s, size_t len)
{
    if (!mn_x__cpt_shape(s, len) && !mn_x__hcpcs2_shape(s, len))
        return false;
    for (size_t i = 0; i < 5; i++)
        out[i] = (char)mn_x__toupper((unsigned char)s[i]);
    out[5] = '\0';
    return true;
}

/* The numeric part of a code and its bounds: digits between an optional
 * leading letter (HCPCS) and an optional trailing letter (CPT II/III). */
static void code_digits(const char c[6], size_t *from, size_t *to,
                        unsigned long *value)
{
    *from = mn_x__isdigit(c[0]) ? 0 : 1;
    *to = mn_x__isdigit(c[4]) ? 5 : 4;
    *value = 0;
    for (size_t i = *from; i < *to; i++)
        *value = *value * 10 + (unsigned long)(c[i] - '0');
}

static int push_key(mn_vec *v, mn_key k)
{
    return mn_x__vec_push(v, &k, sizeof(k));
}

/* One item of a code list: CODE or LO-HI (same letters, digits ascending). */
static int code_item(parser *p, mn_vec *out, const tok *t, size_t ln)
{
    char lo[6];
    char hi[6];
    size_t f1, t1, f2, t2;
    unsigned long a, b;
    int rc;

    if (t->quoted)
        return perr(p, ln, t->col, "a code is not quoted");
    if (t->len == 11 && t->s[5] == '-') {
        if (!proc_code(lo, t->s, 5) || !proc_code(hi, t->s + 6, 5))
            return perr(p, ln, t->col,
                        "expected a range of CPT or HCPCS codes (LO-HI)");
        code_digits(lo, &f1, &t1, &a);
        code_digits(hi, &f2, &t2, &b);
        if (f1 != f2 || t1 != t2 || (f1 && lo[0] != hi[0]) ||
            (t1 == 4 && lo[4] != hi[4]) || a > b)
            return perr(p, ln, t->col,
                        "a code range needs the same letters at both ends "
                        "and LO <= HI");
        if (b - a >= MAX_RANGE)
            return perr(p, ln, t->col, "code range too long (at most %d)",
                        MAX_RANGE);
        for (unsigned long v = a; v <= b; v++) {
            char c[6];
            unsigned long x = v;
            memcpy(c, lo, sizeof(c));
            for (size_t i = t1; i > f1; i--) {
                c[i - 1] = (char)('0' + x % 10);
                x /= 10;
            }
            if ((rc = push_key(out, mn_x__key(c, 5))))
                return rc == MN_ELIMIT ? perr(p, ln, t->col, "too many codes")
                                       : rc;
        }
        return MN_OK;
    }
    if (!proc_code(lo, t->s, t->len)) {
        char w[64];
        return perr(p, ln, t->col, "'%s' is not a CPT or HCPCS code",
                    word(w, sizeof(w), t));
    }
    rc = push_key(out, mn_x__key(lo, 5));
    return rc == MN_ELIMIT ? perr(p, ln, t->col, "too many codes") : rc;
}

/* A diagnosis pattern: an ICD-10-CM code, or a prefix ending in '*'
 * (Z13.* or Z13*). */
static int dx_item(parser *p, mn_vec *out, const tok *t, size_t ln)
{
    kb_srdx d;
    char raw[8];
    size_t n = 0;
    size_t len = t->len;
    bool prefix = len > 0 && t->s[len - 1] == '*';
    char w[64];
    int rc;

    if (prefix)
        len--;
    for (size_t i = 0; i < len; i++) {
        int c = mn_x__toupper((unsigned char)t->s[i]);
        if (c == '.' && i == 3)
            continue;
        if (n == 7 || !(mn_x__isdigit(c) || (c >= 'A' && c <= 'Z')))
            return perr(p, ln, t->col, "'%s' is not a diagnosis code or prefix",
                        word(w, sizeof(w), t));
        raw[n++] = (char)c;
    }
    if (t->quoted || n == 0 || !(raw[0] >= 'A' && raw[0] <= 'Z') ||
        (!prefix && !mn_x__icd_shape(t->s, len)))
        return perr(p, ln, t->col, "'%s' is not a diagnosis code or prefix",
                    word(w, sizeof(w), t));
    d.key = mn_x__key(raw, n);
    d.mask = prefix ? ~(~(uint64_t)0 >> (8 * n)) : ~(uint64_t)0;
    rc = mn_x__vec_push(out, &d, sizeof(d));
    return rc == MN_ELIMIT ? perr(p, ln, t->col, "too many diagnoses") : rc;
}

static bool alnum2(const tok *t)
{
    if (t->quoted || t->len != 2)
        return false;
    for (size_t i = 0; i < 2; i++) {
        int c = mn_x__toupper((unsigned char)t->s[i]);
        if (!mn_x__isdigit(c) && !(c >= 'A' && c <= 'Z'))
            return false;
    }
    return true;
}

static int mod_list(parser *p, char (*mods)[2], uint8_t *n, const tok *t,
                    size_t nt, size_t ln)
{
    if (nt < 2)
        return perr(p, ln, t[0].col, "expected one or more modifiers");
    for (size_t i = 1; i < nt; i++) {
        char w[64];
        if (!alnum2(&t[i]))
            return perr(p, ln, t[i].col, "'%s' is not a modifier",
                        word(w, sizeof(w), &t[i]));
        if (*n == SR_MAX_MODS)
            return perr(p, ln, t[i].col, "at most %d modifiers", SR_MAX_MODS);
        mods[*n][0] = (char)mn_x__toupper((unsigned char)t[i].s[0]);
        mods[*n][1] = (char)mn_x__toupper((unsigned char)t[i].s[1]);
        (*n)++;
    }
    return MN_OK;
}

static int pos_list(parser *p, uint64_t mask[2], const tok *t, size_t nt,
                    size_t ln)
{
    if (nt < 2)
        return perr(p, ln, t[0].col, "expected one or more places of service");
    for (size_t i = 1; i < nt; i++) {
        int v;
        if (t[i].len != 2 || !tok_int(&t[i], &v, 1, 99))
            return perr(p, ln, t[i].col,
                        "a place of service is two digits, 01 to 99");
        mask[v / 64] |= (uint64_t)1 << (v % 64);
    }
    return MN_OK;
}

/* LO..HI, LO.. or ..HI (years). */
static int age_range(parser *p, const tok *t, size_t ln, uint16_t *lo,
                     uint16_t *hi)
{
    const char *dots = NULL;
    tok a;
    tok b;
    int v;

    for (size_t i = 0; i + 1 < t->len; i++) {
        if (t->s[i] == '.' && t->s[i + 1] == '.') {
            dots = t->s + i;
            break;
        }
    }
    if (t->quoted || !dots)
        goto bad;
    a = *t;
    a.len = (size_t)(dots - t->s);
    b = *t;
    b.s = dots + 2;
    b.len = t->len - a.len - 2;
    if (!a.len && !b.len)
        goto bad;
    *lo = SR_AGE_NONE;
    *hi = SR_AGE_NONE;
    if (a.len) {
        if (!tok_int(&a, &v, 0, MAX_AGE))
            goto bad;
        *lo = (uint16_t)v;
    }
    if (b.len) {
        if (!tok_int(&b, &v, 0, MAX_AGE))
            goto bad;
        *hi = (uint16_t)v;
    }
    if (*lo != SR_AGE_NONE && *hi != SR_AGE_NONE && *lo > *hi)
        goto bad;
    return MN_OK;
bad:
    return perr(p, ln, t->col,
                "expected an age range: LO..HI, LO.. or ..HI (years 0-%d)",
                MAX_AGE);
}

/* N UNIT with UNIT days, months, years or full-months-after; a count and
 * unit go to *unit and *amount. */
static int period(parser *p, const tok *n, const tok *u, size_t ln, int *unit,
                  uint32_t *amount, bool allow_years)
{
    int v;
    if (is(u, "days") || is(u, "day")) {
        if (!tok_int(n, &v, 1, (int)MN_FREQ_MAX_DAYS))
            return perr(p, ln, n->col, "days must be from 1 to %u",
                        MN_FREQ_MAX_DAYS);
        *unit = MN_FREQ_DAYS;
    } else if (is(u, "months") || is(u, "month") ||
               is(u, "full-months-after")) {
        if (!tok_int(n, &v, 1, (int)MN_FREQ_MAX_MONTHS))
            return perr(p, ln, n->col, "months must be from 1 to %u",
                        MN_FREQ_MAX_MONTHS);
        *unit =
            is(u, "full-months-after") ? MN_FREQ_FULL_MONTHS : MN_FREQ_MONTHS;
    } else if (allow_years && (is(u, "years") || is(u, "year"))) {
        if (!tok_int(n, &v, 1, (int)MN_FREQ_MAX_MONTHS / 12))
            return perr(p, ln, n->col, "years must be from 1 to %u",
                        MN_FREQ_MAX_MONTHS / 12);
        v *= 12;
        *unit = MN_FREQ_MONTHS;
    } else {
        return perr(p, ln, u->col,
                    "expected days, months%s or full-months-after",
                    allow_years ? ", years" : "");
    }
    *amount = (uint32_t)v;
    return MN_OK;
}

/* frequency N per (lifetime | calendar-year | P UNIT) [spacing K UNIT] */
static int frequency(parser *p, svc_state *sv, const tok *t, size_t nt,
                     size_t ln)
{
    kb_srule *r = &sv->rec;
    int n;
    int unit = MN_FREQ_NONE;
    uint32_t amount = 0;
    size_t i;
    int rc;

    if (sv->has_freq)
        return perr(p, ln, t[0].col, "one 'frequency' per rule");
    if (nt < 4 || !tok_int(&t[1], &n, 1, (int)MN_FREQ_MAX_N) ||
        !is(&t[2], "per"))
        return perr(p, ln, nt > 1 ? t[1].col : t[0].col,
                    "expected 'frequency N per PERIOD' (N from 1 to %u)",
                    MN_FREQ_MAX_N);
    if (is(&t[3], "lifetime")) {
        unit = MN_FREQ_LIFETIME;
        i = 4;
    } else if (is(&t[3], "calendar-year")) {
        unit = MN_FREQ_CALENDAR_YEAR;
        i = 4;
    } else {
        if (nt < 5)
            return perr(p, ln, t[3].col,
                        "expected 'lifetime', 'calendar-year' or 'N days', "
                        "'N months', 'N years', 'N full-months-after'");
        if ((rc = period(p, &t[3], &t[4], ln, &unit, &amount, true)))
            return rc;
        i = 5;
    }
    r->freq_n = (uint32_t)n;
    r->freq_unit = (uint8_t)unit;
    r->freq_period = amount;
    if (i < nt) {
        int su;
        uint32_t sa;
        if (!is(&t[i], "spacing") || i + 3 != nt)
            return perr(p, ln, t[i].col,
                        "expected the end of the line or 'spacing N UNIT'");
        if ((rc = period(p, &t[i + 1], &t[i + 2], ln, &su, &sa, false)))
            return rc;
        r->spacing_unit = (uint8_t)su;
        r->spacing = sa;
    }
    sv->has_freq = 1;
    return MN_OK;
}

/* exclude "reason" [carc C] [rarc R] */
static int exclude(parser *p, svc_state *sv, const tok *t, size_t nt, size_t ln)
{
    kb_srule *r = &sv->rec;
    size_t i = 2;

    if (sv->has_exclude)
        return perr(p, ln, t[0].col, "one 'exclude' per rule");
    if (nt < 2 || !t[1].quoted || !t[1].len ||
        copy_tok(sv->exclude, sizeof(sv->exclude), &t[1]))
        return perr(p, ln, t[0].col, "expected 'exclude \"reason\"'");
    while (i < nt) {
        bool carc = is(&t[i], "carc");
        if ((!carc && !is(&t[i], "rarc")) || i + 1 >= nt)
            return perr(p, ln, t[i].col, "expected 'carc CODE' or 'rarc CODE'");
        char *dst = carc ? r->carc : r->rarc;
        size_t cap = carc ? sizeof(r->carc) : sizeof(r->rarc);
        const tok *v = &t[i + 1];
        if (v->quoted || !v->len || v->len >= cap)
            return perr(p, ln, v->col, "%s code too long",
                        carc ? "CARC" : "RARC");
        for (size_t j = 0; j < v->len; j++) {
            int c = mn_x__toupper((unsigned char)v->s[j]);
            if (!mn_x__isdigit(c) && !(c >= 'A' && c <= 'Z'))
                return perr(p, ln, v->col, "not a %s code",
                            carc ? "CARC" : "RARC");
            dst[j] = (char)c;
        }
        i += 2;
    }
    sv->has_exclude = 1;
    return MN_OK;
}

static int quoted_text(parser *p, char *dst, size_t size, int *seen,
                       const tok *t, size_t nt, size_t first, size_t ln,
                       const char *usage)
{
    if (*seen)
        return perr(p, ln, t[0].col, "one '%.*s' per rule", (int)t[0].len,
                    t[0].s);
    if (nt != first + 1 || !t[first].quoted || !t[first].len ||
        copy_tok(dst, size, &t[first]))
        return perr(p, ln, t[0].col, "expected '%s'", usage);
    *seen = 1;
    return MN_OK;
}

/* kx-threshold | review-threshold DOLLARS: digits with at most two
 * decimals, 1 to MAX_THRESHOLD dollars. */
#define MAX_THRESHOLD (SR_MAX_THRESHOLD / 100)
static int threshold(parser *p, uint32_t *cents, int *seen, const tok *t,
                     size_t nt, size_t ln)
{
    uint64_t v = 0;
    size_t i = 0;
    size_t dec = 0;
    const tok *a = nt == 2 ? &t[1] : NULL;

    if (*seen)
        return perr(p, ln, t[0].col, "one '%.*s' per rule", (int)t[0].len,
                    t[0].s);
    if (!a || a->quoted)
        goto bad;
    for (; i < a->len && mn_x__isdigit(a->s[i]) && v <= MAX_THRESHOLD; i++)
        v = v * 10 + (uint64_t)(a->s[i] - '0');
    if (i == 0)
        goto bad;
    v *= 100;
    if (i < a->len && a->s[i] == '.') {
        for (i++; i < a->len && mn_x__isdigit(a->s[i]) && dec < 3; i++, dec++)
            v += (uint64_t)(a->s[i] - '0') * (dec == 0 ? 10 : 1);
        if (dec == 0 || dec > 2)
            goto bad;
    }
    if (i != a->len || v == 0 || v > (uint64_t)MAX_THRESHOLD * 100)
        goto bad;
    *cents = (uint32_t)v;
    *seen = 1;
    return MN_OK;
bad:
    return perr(p, ln, a ? a->col : t[0].col,
                "expected '%.*s DOLLARS' (0.01 to %u, at most two decimals)",
                (int)t[0].len, t[0].s, MAX_THRESHOLD);
}

/* Service statements; returns 1 in *known when `t[0]` is one. */
static int service(parser *p, rule_state *rs, tok *t, size_t nt, size_t ln,
                   int *known)
{
    svc_state *sv = &rs->svc;
    kb_srule *r = &sv->rec;
    int rc = MN_OK;

    *known = 1;
    if (is(&t[0], "codes")) {
        if (nt < 2)
            return perr(p, ln, t[0].col, "expected one or more codes");
        for (size_t i = 1; i < nt && !rc; i++) {
            if (is(&t[i], "any")) {
                sv->any_code = 1;
                r->flags |= SR_F_ANY_CODE;
            } else {
                rc = code_item(p, &sv->codes, &t[i], ln);
            }
        }
        if (!rc && sv->any_code && sv->codes.len)
            return perr(p, ln, t[0].col, "'codes any' takes no other codes");
        sv->has_codes = 1;
    } else if (is(&t[0], "family")) {
        if (nt < 2)
            return perr(p, ln, t[0].col, "expected codes or 'each'");
        if (!sv->family_set) {
            sv->fam_line = ln;
            sv->fam_col = t[0].col;
        }
        sv->family_set = 1;
        for (size_t i = 1; i < nt && !rc; i++) {
            if (is(&t[i], "each"))
                r->flags |= SR_F_FAMILY_EACH;
            else
                rc = code_item(p, &sv->family, &t[i], ln);
        }
        if (!rc && (r->flags & SR_F_FAMILY_EACH) && sv->family.len)
            return perr(p, ln, t[0].col, "'family each' takes no codes");
    } else if (is(&t[0], "frequency")) {
        rc = frequency(p, sv, t, nt, ln);
    } else if (is(&t[0], "more-often-if")) {
        if (!sv->more_line) {
            sv->more_line = ln;
            sv->more_col = t[0].col;
        }
        rc = quoted_text(p, sv->more, sizeof(sv->more), &sv->has_more, t, nt, 1,
                         ln, "more-often-if \"documented reason\"");
    } else if (is(&t[0], "when-dx") || is(&t[0], "unless-dx")) {
        mn_vec *v = is(&t[0], "when-dx") ? &sv->when_dx : &sv->unless_dx;
        if (nt < 2)
            return perr(p, ln, t[0].col, "expected one or more diagnoses");
        for (size_t i = 1; i < nt && !rc; i++)
            rc = dx_item(p, v, &t[i], ln);
    } else if (is(&t[0], "when-modifier")) {
        rc = mod_list(p, r->when_mod, &r->n_when_mod, t, nt, ln);
    } else if (is(&t[0], "unless-modifier")) {
        rc = mod_list(p, r->unless_mod, &r->n_unless_mod, t, nt, ln);
    } else if (is(&t[0], "when-age")) {
        if (sv->has_when_age || nt != 2)
            return perr(p, ln, t[0].col, "expected one 'when-age RANGE'");
        rc = age_range(p, &t[1], ln, &r->when_age_lo, &r->when_age_hi);
        r->flags |= SR_F_WHEN_AGE;
        sv->has_when_age = 1;
    } else if (is(&t[0], "age")) {
        if (sv->has_age || nt < 2 || nt > 3 ||
            (nt == 3 && !is(&t[2], "after-birthday")))
            return perr(p, ln, t[0].col,
                        "expected one 'age RANGE [after-birthday]'");
        rc = age_range(p, &t[1], ln, &r->age_lo, &r->age_hi);
        if (!rc && nt == 3) {
            if (r->age_lo == SR_AGE_NONE)
                return perr(p, ln, t[2].col,
                            "'after-birthday' needs a lower age");
            r->flags |= SR_F_AFTER_BIRTHDAY;
        }
        r->flags |= SR_F_AGE;
        sv->has_age = 1;
    } else if (is(&t[0], "sex")) {
        if (sv->has_sex || nt != 2 || !(is(&t[1], "F") || is(&t[1], "M")))
            return perr(p, ln, t[0].col, "expected one 'sex F' or 'sex M'");
        r->sex = (uint8_t)t[1].s[0];
        sv->has_sex = 1;
    } else if (is(&t[0], "exclude")) {
        rc = exclude(p, sv, t, nt, ln);
    } else if (is(&t[0], "pos-allow")) {
        rc = pos_list(p, r->pos_allow, t, nt, ln);
        r->flags |= SR_F_POS_ALLOW;
        sv->has_pos_allow = 1;
    } else if (is(&t[0], "pos-deny")) {
        rc = pos_list(p, r->pos_deny, t, nt, ln);
        r->flags |= SR_F_POS_DENY;
        sv->has_pos_deny = 1;
    } else if (is(&t[0], "kx-threshold")) {
        rc = threshold(p, &r->kx_cents, &sv->has_kx_thr, t, nt, ln);
    } else if (is(&t[0], "review-threshold")) {
        rc = threshold(p, &r->review_cents, &sv->has_review_thr, t, nt, ln);
    } else if (is(&t[0], "requires")) {
        if (nt < 2 || !(is(&t[1], "documentation") || is(&t[1], "prior-auth") ||
                        is(&t[1], "kx")))
            return perr(p, ln, t[0].col,
                        "expected 'requires documentation|prior-auth|kx "
                        "\"what\"'");
        r->req_kind = is(&t[1], "kx")           ? SR_REQ_KX
                      : is(&t[1], "prior-auth") ? SR_REQ_PRIOR_AUTH
                                                : SR_REQ_DOCUMENTATION;
        rc = quoted_text(p, sv->doc, sizeof(sv->doc), &sv->has_doc, t, nt, 2,
                         ln, "requires documentation|prior-auth|kx \"what\"");
    } else {
        *known = 0;
        return MN_OK;
    }
    if (!rc && !sv->active) {
        if (rs->has_stmt)
            return perr(p, ln, t[0].col,
                        "a rule is either a policy rule or a service rule; "
                        "start a new rule");
        sv->active = 1;
        sv->line = ln;
    }
    if (rc == MN_ELIMIT || rc == MN_ENOMEM)
        rc = mn_x__err(p->err, rc, "out of memory");
    return rc;
}

static void svc_reset(svc_state *sv)
{
    mn_vec codes = sv->codes;
    mn_vec family = sv->family;
    mn_vec when_dx = sv->when_dx;
    mn_vec unless_dx = sv->unless_dx;

    memset(sv, 0, offsetof(svc_state, codes));
    codes.len = family.len = when_dx.len = unless_dx.len = 0;
    sv->codes = codes;
    sv->family = family;
    sv->when_dx = when_dx;
    sv->unless_dx = unless_dx;
    sv->exclude[0] = sv->doc[0] = sv->more[0] = '\0';
    sv->rec.age_lo = sv->rec.age_hi = SR_AGE_NONE;
    sv->rec.when_age_lo = sv->rec.when_age_hi = SR_AGE_NONE;
}

static void svc_free(svc_state *sv)
{
    mn_x__vec_free(&sv->codes);
    mn_x__vec_free(&sv->family);
    mn_x__vec_free(&sv->when_dx);
    mn_x__vec_free(&sv->unless_dx);
}

/* Checks a complete service rule and adds it to the builder. */
static int finish_service(parser *p, mn_kbb *b, rule_state *rs, size_t ln,
                          size_t col, unsigned unit)
{
    svc_state *sv = &rs->svc;
    mn_srule_def d;
    bool dup = false;
    int rc;

    if (!sv->has_codes)
        return perr(p, sv->line, 1, "rule '%s' has no 'codes'", rs->id);
    if (!(sv->has_age || sv->has_sex || sv->has_exclude || sv->has_freq ||
          sv->has_pos_allow || sv->has_pos_deny || sv->has_doc ||
          sv->has_kx_thr || sv->has_review_thr))
        return perr(p, ln, col,
                    "rule '%s' limits nothing (give age, sex, exclude, "
                    "frequency, pos-allow, pos-deny, requires, kx-threshold "
                    "or review-threshold)",
                    rs->id);
    if (sv->family_set && !sv->has_freq)
        return perr(p, sv->fam_line, sv->fam_col,
                    "'family' needs a 'frequency' in rule '%s'", rs->id);
    if (sv->has_more && !sv->has_freq)
        return perr(p, sv->more_line, sv->more_col,
                    "'more-often-if' needs a 'frequency' in rule '%s'", rs->id);
    if (sv->any_code && sv->has_freq && !sv->family_set)
        sv->rec.flags |= SR_F_FAMILY_EACH;
    memset(&d, 0, sizeof(d));
    d.rec = sv->rec;
    d.rec.effective = rs->r.effective;
    d.rec.ending = rs->r.ending;
    d.id = rs->id;
    d.pack = p->pack;
    d.source = rs->source;
    d.exclude = sv->has_exclude ? sv->exclude : NULL;
    d.doc = sv->has_doc ? sv->doc : NULL;
    d.more_often = sv->has_more ? sv->more : NULL;
    d.codes = (const mn_key *)sv->codes.data;
    d.n_codes = MN_VEC_COUNT(&sv->codes, mn_key);
    d.family = (const mn_key *)sv->family.data;
    d.n_family = MN_VEC_COUNT(&sv->family, mn_key);
    d.when_dx = (const kb_srdx *)sv->when_dx.data;
    d.n_when_dx = MN_VEC_COUNT(&sv->when_dx, kb_srdx);
    d.unless_dx = (const kb_srdx *)sv->unless_dx.data;
    d.n_unless_dx = MN_VEC_COUNT(&sv->unless_dx, kb_srdx);
    rc = mn_x__srules_add(b, &d, unit, &dup);
    if (rc == MN_EINVAL && dup)
        return perr(p, rs->line, 1, "rule '%s' is defined twice", rs->id);
    if (rc)
        return mn_x__err(p->err, rc, "out of memory");
    return MN_OK;
}

int mn_x__rules_compile(mn_kbb *b, const char *name, const char *text,
                        size_t len, mn_error *err)
{
    parser p;
    rule_state *rs = NULL;
    tok t[MAX_TOK];
    size_t nt;
    size_t ln = 0;
    size_t n_rules = 0;
    unsigned unit = 0;
    int32_t cov_from = MN_NODATE; /* `covers`, or the span of the rules */
    int32_t cov_to = MN_NODATE;
    bool declared = false;
    bool open_end = false;
    int rc = MN_OK;

    memset(&p, 0, sizeof(p));
    p.name = name ? name : "rules";
    p.text = text;
    p.len = text ? len : 0;
    p.err = err;
    snprintf(p.pack, sizeof(p.pack), "%s", p.name);
    rs = mn_x__calloc(1, sizeof(*rs));
    if (!rs) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    rs->svc.codes.max = MAX_CODES * sizeof(mn_key);
    rs->svc.family.max = MAX_CODES * sizeof(mn_key);
    rs->svc.when_dx.max = MAX_DX * sizeof(kb_srdx);
    rs->svc.unless_dx.max = MAX_DX * sizeof(kb_srdx);
    if ((rc = mn_x__srules_begin(b, &unit))) {
        rc = mn_x__err(err, rc, "out of memory");
        goto done;
    }
    while ((rc = next_line(&p, t, &nt, &ln)) == 1) {
        rc = MN_OK;
        if (is(&t[0], "pack")) {
            if (rs->open || n_rules || nt != 2) {
                rc =
                    perr(&p, ln, t[0].col, "'pack NAME' must come first, once");
            } else if (copy_tok(p.pack, sizeof(p.pack), &t[1])) {
                rc = perr(&p, ln, t[1].col, "pack name too long");
            }
        } else if (is(&t[0], "covers") && !rs->open) {
            int32_t d;
            if (declared) {
                rc = perr(&p, ln, t[0].col, "one 'covers' per pack");
            } else if (nt != 2 && !(nt == 4 && is(&t[2], "to"))) {
                rc = perr(&p, ln, t[0].col,
                          "expected 'covers YYYY-MM-DD [to YYYY-MM-DD]'");
            } else if (!mn_x__parse_date(&d, t[1].s, t[1].len, false)) {
                rc = perr(&p, ln, t[1].col, "not a valid date");
            } else {
                cov_from = d;
                cov_to = MN_NODATE;
                if (nt == 4) {
                    if (!mn_x__parse_date(&d, t[3].s, t[3].len, false) ||
                        d < cov_from)
                        rc = perr(&p, ln, t[3].col, "not a valid end date");
                    else
                        cov_to = d;
                }
                declared = true;
            }
        } else if (is(&t[0], "rule")) {
            if (rs->open) {
                rc = perr(&p, ln, t[0].col,
                          "rule '%s' is not closed with 'end'", rs->id);
            } else if (nt != 2 || copy_tok(rs->id, sizeof(rs->id), &t[1])) {
                rc = perr(&p, ln, t[0].col, "expected 'rule ID'");
            } else {
                memset(&rs->r, 0, sizeof(rs->r));
                rs->open = 1;
                rs->line = ln;
                rs->has_eff = rs->has_stmt = 0;
                rs->source[0] = '\0';
                rs->r.effective = MN_NODATE;
                rs->r.ending = MN_NODATE;
                svc_reset(&rs->svc);
            }
        } else if (!rs->open) {
            rc = perr(&p, ln, t[0].col,
                      "statement outside a rule (start one with 'rule ID')");
        } else if (is(&t[0], "effective")) {
            int32_t d;
            if (rs->has_eff) {
                rc = perr(&p, ln, t[0].col, "one 'effective' per rule");
            } else if (nt != 2 && !(nt == 4 && is(&t[2], "to"))) {
                rc = perr(&p, ln, t[0].col,
                          "expected 'effective YYYY-MM-DD [to YYYY-MM-DD]'");
            } else if (!mn_x__parse_date(&d, t[1].s, t[1].len, false)) {
                rc = perr(&p, ln, t[1].col, "not a valid date");
            } else {
                rs->r.effective = d;
                if (nt == 4) {
                    if (!mn_x__parse_date(&d, t[3].s, t[3].len, false) ||
                        d < rs->r.effective)
                        rc = perr(&p, ln, t[3].col, "not a valid end date");
                    else
                        rs->r.ending = d;
                }
                rs->has_eff = 1;
            }
        } else if (is(&t[0], "source")) {
            if (nt != 2 || !t[1].quoted || t[1].len == 0 ||
                copy_tok(rs->source, sizeof(rs->source), &t[1]))
                rc = perr(&p, ln, t[0].col, "expected 'source \"citation\"'");
        } else if (is(&t[0], "end")) {
            if (nt != 1) {
                rc = perr(&p, ln, t[1].col, "'end' takes nothing after it");
            } else if (!rs->has_eff) {
                rc = perr(&p, ln, t[0].col, "rule '%s' has no 'effective' date",
                          rs->id);
            } else if (!rs->source[0]) {
                rc = perr(&p, ln, t[0].col,
                          "rule '%s' has no 'source' citation", rs->id);
            } else if (rs->svc.active) {
                rc = finish_service(&p, b, rs, ln, t[0].col, unit);
            } else if (!rs->has_stmt) {
                rc = perr(&p, ln, t[0].col, "rule '%s' has no statement",
                          rs->id);
            } else {
                rs->r.rule_id = rs->id;
                rs->r.pack = p.pack;
                rs->r.source = rs->source;
                if ((rc = mn_x__kbb_rule(b, &rs->r)))
                    rc = mn_x__err(err, rc, "out of memory");
            }
            if (!rc) {
                rs->open = 0;
                n_rules++;
                if (!declared) {
                    if (cov_from == MN_NODATE || rs->r.effective < cov_from)
                        cov_from = rs->r.effective;
                    if (rs->r.ending == MN_NODATE)
                        open_end = true;
                    else if (cov_to == MN_NODATE || rs->r.ending > cov_to)
                        cov_to = rs->r.ending;
                }
            }
        } else {
            int known = 0;
            rc = service(&p, rs, t, nt, ln, &known);
            if (!rc && !known)
                rc = statement(&p, rs, t, nt, ln);
        }
        if (rc)
            goto done;
    }
    if (rc < 0)
        goto done;
    rc = MN_OK;
    if (rs->open) {
        rc =
            perr(&p, rs->line, 1, "rule '%s' is not closed with 'end'", rs->id);
        goto done;
    }
    if (n_rules || declared) {
        /* the period the pack vouches for (docs/rules.md, "Dates a pack
           covers") */
        mn_kbb_cover c;
        memset(&c, 0, sizeof(c));
        c.kind = MN_SOURCE_RULES;
        c.flags = declared ? KB_CF_DECLARED : 0;
        c.from = cov_from;
        c.to = !declared && open_end ? MN_NODATE : cov_to;
        c.label = p.pack;
        c.source = mn_x__path_name(p.name);
        c.rows = n_rules;
        if ((rc = mn_x__kbb_cover(b, &c)))
            rc = mn_x__err(err, rc, "out of memory");
    }
done:
    if (rs)
        svc_free(&rs->svc);
    mn_x__free(rs);
    return rc;
}

struct mn_x__pack {
    const char *name;
    const char *text;
    size_t len;
};
extern const struct mn_x__pack mn_x__builtin_packs[];

int mn_x__rules_add_builtin(mn_kbb *b, mn_error *err)
{
    for (const struct mn_x__pack *k = mn_x__builtin_packs; k->name; k++) {
        int rc = mn_x__rules_compile(b, k->name, k->text, k->len, err);
        if (rc)
            return rc;
    }
    return MN_OK;
}
