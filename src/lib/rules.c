/*
 * rules.c: the rule-pack language (docs/rules.md).
 *
 *   # comment
 *   pack medicare-core
 *   rule lab.190.15.inverted
 *     effective 2014-10-01            (or: effective 2014-10-01 to 2020-12-31)
 *     source "NCD 190.15; CMS lab NCD coding policy manual"
 *     ncd 190.15 inverted
 *   end
 *
 * Statements inside a rule (exactly one per rule):
 *   ncd ID inverted
 *   (article|lcd|ncd) ID group N requires group M [or group K ...]
 *   (article|lcd|ncd) ID group N secondary-only
 *   (article|lcd|ncd) ID group N standalone
 * Every rule must carry `effective` and `source`.
 */
#include <stdio.h>
#include <string.h>

#include "kbb.h"
#include "kbfmt.h"

#define MAX_TOK 24
#define MAX_TOKLEN 1024

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

static int perr(parser *p, size_t line, size_t col, const char *fmt,
                const char *arg)
{
    char msg[256];
    snprintf(msg, sizeof(msg), fmt, arg ? arg : "");
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
                return perr(p, *lineno, i - start + 1, "too many words%s",
                            NULL);
            tok *k = &t[(*nt)++];
            k->col = i - start + 1;
            k->quoted = 0;
            if (c == '"') {
                size_t j = i + 1;
                while (j < end && p->text[j] != '"')
                    j++;
                if (j >= end)
                    return perr(p, *lineno, k->col, "unterminated string%s",
                                NULL);
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
                return perr(p, *lineno, k->col, "word too long%s", NULL);
            if (memchr(k->s, '\0', k->len))
                return perr(p, *lineno, k->col, "NUL byte in text%s", NULL);
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
    if (!mn_x__parse_uint(&v, t->s, t->len) || v < (unsigned long)lo ||
        v > (unsigned long)hi)
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

typedef struct rule_state {
    int open;
    size_t line;
    char id[128];
    char source[MAX_TOKLEN + 1];
    char policy[64];
    int has_eff;
    int has_stmt;
    mn_kbb_rule r;
} rule_state;

static int copy_tok(char *dst, size_t size, const tok *t)
{
    if (t->len >= size)
        return -1;
    memcpy(dst, t->s, t->len);
    dst[t->len] = '\0';
    return 0;
}

static int statement(parser *p, rule_state *rs, tok *t, size_t nt, size_t ln)
{
    int kind = policy_kind(&t[0]);
    int g;

    if (rs->has_stmt)
        return perr(p, ln, t[0].col,
                    "a rule holds one statement; start a new rule%s", NULL);
    if (!kind || nt < 3) {
        char w[64];
        snprintf(w, sizeof(w), "%.*s", (int)(t[0].len < 60 ? t[0].len : 60),
                 t[0].s);
        return perr(p, ln, t[0].col, "unknown statement '%s'", w);
    }
    if (copy_tok(rs->policy, sizeof(rs->policy), &t[1]))
        return perr(p, ln, t[1].col, "policy id too long%s", NULL);
    rs->r.policy_kind = kind;
    rs->r.policy_id = rs->policy;
    if (nt == 3 && is(&t[2], "inverted")) {
        if (kind != MN_PK_NCD)
            return perr(p, ln, t[2].col, "only an ncd list can be inverted%s",
                        NULL);
        rs->r.kind = KB_RULE_NCD_INVERTED;
        rs->has_stmt = 1;
        return MN_OK;
    }
    if (!is(&t[2], "group") || nt < 5)
        return perr(p, ln, t[2].col, "expected 'group N ...' or 'inverted'%s",
                    NULL);
    if (!tok_int(&t[3], &g, 1, 32))
        return perr(p, ln, t[3].col, "group must be a number from 1 to 32%s",
                    NULL);
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
                            "expected 'group N'%s", NULL);
            if (!tok_int(&t[i + 1], &m, 1, 32) || m == g)
                return perr(p, ln, t[i + 1].col,
                            "partner group must be another group 1-32%s", NULL);
            rs->r.partners |= 1u << (m - 1);
            i += 2;
            if (i == nt)
                break;
            if (!is(&t[i], "or"))
                return perr(p, ln, t[i].col, "expected 'or'%s", NULL);
            i++;
        }
    } else {
        return perr(p, ln, t[4].col,
                    "expected 'requires', 'secondary-only' or 'standalone'%s",
                    NULL);
    }
    rs->has_stmt = 1;
    return MN_OK;
}

int mn_x__rules_compile(mn_kbb *b, const char *name, const char *text,
                        size_t len, mn_error *err)
{
    parser p;
    rule_state rs;
    tok t[MAX_TOK];
    size_t nt;
    size_t ln = 0;
    int rc;
    size_t n_rules = 0;

    memset(&p, 0, sizeof(p));
    memset(&rs, 0, sizeof(rs));
    p.name = name ? name : "rules";
    p.text = text;
    p.len = text ? len : 0;
    p.err = err;
    snprintf(p.pack, sizeof(p.pack), "%s", p.name);
    while ((rc = next_line(&p, t, &nt, &ln)) == 1) {
        if (is(&t[0], "pack")) {
            if (rs.open || n_rules || nt != 2)
                return perr(&p, ln, t[0].col,
                            "'pack NAME' must come first, once%s", NULL);
            if (copy_tok(p.pack, sizeof(p.pack), &t[1]))
                return perr(&p, ln, t[1].col, "pack name too long%s", NULL);
        } else if (is(&t[0], "rule")) {
            if (rs.open)
                return perr(&p, ln, t[0].col,
                            "rule '%s' is not closed with 'end'", rs.id);
            if (nt != 2 || copy_tok(rs.id, sizeof(rs.id), &t[1]))
                return perr(&p, ln, t[0].col, "expected 'rule ID'%s", NULL);
            memset(&rs.r, 0, sizeof(rs.r));
            rs.open = 1;
            rs.line = ln;
            rs.has_eff = rs.has_stmt = 0;
            rs.source[0] = '\0';
            rs.r.effective = MN_NODATE;
            rs.r.ending = MN_NODATE;
        } else if (!rs.open) {
            return perr(&p, ln, t[0].col,
                        "statement outside a rule (start one with "
                        "'rule ID')%s",
                        NULL);
        } else if (is(&t[0], "effective")) {
            int32_t d;
            if (nt != 2 && !(nt == 4 && is(&t[2], "to")))
                return perr(&p, ln, t[0].col,
                            "expected 'effective YYYY-MM-DD [to "
                            "YYYY-MM-DD]'%s",
                            NULL);
            if (!mn_x__parse_date(&d, t[1].s, t[1].len, false))
                return perr(&p, ln, t[1].col, "not a valid date%s", NULL);
            rs.r.effective = d;
            if (nt == 4) {
                if (!mn_x__parse_date(&d, t[3].s, t[3].len, false) ||
                    d < rs.r.effective)
                    return perr(&p, ln, t[3].col, "not a valid end date%s",
                                NULL);
                rs.r.ending = d;
            }
            rs.has_eff = 1;
        } else if (is(&t[0], "source")) {
            if (nt != 2 || !t[1].quoted || t[1].len == 0 ||
                copy_tok(rs.source, sizeof(rs.source), &t[1]))
                return perr(&p, ln, t[0].col,
                            "expected 'source \"citation\"'%s", NULL);
        } else if (is(&t[0], "end")) {
            if (!rs.has_eff)
                return perr(&p, ln, t[0].col,
                            "rule '%s' has no 'effective' date", rs.id);
            if (!rs.source[0])
                return perr(&p, ln, t[0].col,
                            "rule '%s' has no 'source' citation", rs.id);
            if (!rs.has_stmt)
                return perr(&p, ln, t[0].col, "rule '%s' has no statement",
                            rs.id);
            rs.r.rule_id = rs.id;
            rs.r.pack = p.pack;
            rs.r.source = rs.source;
            if ((rc = mn_x__kbb_rule(b, &rs.r)))
                return mn_x__err(err, rc, "out of memory");
            rs.open = 0;
            n_rules++;
        } else {
            if ((rc = statement(&p, &rs, t, nt, ln)))
                return rc;
        }
    }
    if (rc < 0)
        return rc;
    if (rs.open)
        return perr(&p, rs.line, 1, "rule '%s' is not closed with 'end'",
                    rs.id);
    return MN_OK;
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
