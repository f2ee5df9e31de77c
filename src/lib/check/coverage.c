/*
 * check/coverage.c: the Medicare coverage code of the CMS HCPCS Level II
 * file (record layout field 16) on a valid HCPCS line of a Medicare claim:
 * S (non-covered by Medicare statute) excludes the line, M (non-covered by
 * Medicare) denies it, I (not payable by Medicare) makes it invalid. C
 * (carrier judgment) and D (special coverage instructions) say nothing by
 * themselves. The statute number (field 13) is cited as SSA section text.
 */
#include <stdio.h>
#include <string.h>

#include "check/check.h"
#include "kb/kb_int.h"

#define PRINTF mn_x__lprintf

const char *mn_x__hcpcs_coverage_meaning(unsigned coverage)
{
    switch (coverage) {
    case KB_COV_CARRIER:
        return "carrier judgment";
    case KB_COV_SPECIAL:
        return "special coverage instructions apply";
    case KB_COV_NOT_PAYABLE:
        return "not payable by Medicare";
    case KB_COV_NONCOVERED:
        return "non-covered by Medicare";
    case KB_COV_STATUTE:
        return "non-covered by Medicare statute";
    default:
        return NULL;
    }
}

/* A run of one repeated letter at s (subsection "a", "ddd"), or 0. */
static size_t letter_run(const char *s, size_t len)
{
    size_t n = 0;

    if (len == 0 || !mn_x__isalpha((unsigned char)s[0]))
        return 0;
    while (n < len && n < 3 &&
           mn_x__tolower((unsigned char)s[n]) ==
               mn_x__tolower((unsigned char)s[0]))
        n++;
    return n < len && mn_x__isalpha((unsigned char)s[n]) ? 0 : n;
}

/* A number of one or two digits at s, or 0. */
static size_t digit_run(const char *s, size_t len)
{
    size_t n = 0;

    while (n < len && mn_x__isdigit((unsigned char)s[n]))
        n++;
    return n <= 2 && (n == 0 || s[0] != '0') ? n : 0;
}

/*
 * The statute field names sections of the Social Security Act in many
 * spellings: 1862A7, 1862a7, 1862(a)(7), 1861S2B, 1861(s)2T, 1833T,
 * "1862 SSA". Title XVIII (Medicare) sections are 1801-1899; below a
 * section, the Act's levels are a lower-case letter, a number, then an
 * upper-case letter, so "1862A7" can only be 1862(a)(7). Anything else
 * (1862(1)(a), 1862.1, 621MMA, 4557) is not guessed at.
 */
bool mn_x__hcpcs_statute(char *out, size_t size, const char *s, size_t len)
{
    char buf[40];
    const char *given;
    size_t given_len;
    size_t n;
    size_t pos = 4;
    int level = 0;
    bool ok = false;

    len = mn_x__trim(&s, len);
    given = s;
    given_len = len;
    if (len > 3 && mn_x__contains_ci(s, 3, "ssa")) {
        s += 3; /* "SSA 1862(a)(7)" */
        len = mn_x__trim(&s, len - 3);
    } else if (len > 3 && mn_x__contains_ci(s + len - 3, 3, "ssa")) {
        len = mn_x__trim(&s, len - 3); /* "1861SSA", "1862 SSA" */
    }
    if (len < 4 || s[0] != '1' || s[1] != '8' || !mn_x__isdigit(s[2]) ||
        !mn_x__isdigit(s[3]) || (s[2] == '0' && s[3] == '0'))
        goto done;
    n = (size_t)snprintf(buf, sizeof(buf), "SSA %.4s", s);
    while (pos < len && level < 3) {
        bool paren = s[pos] == '(';
        size_t start = pos + (paren ? 1 : 0);
        size_t run = level == 1 ? digit_run(s + start, len - start)
                                : letter_run(s + start, len - start);
        if (run == 0 || n + run + 3 > sizeof(buf))
            goto done;
        if (paren && (start + run >= len || s[start + run] != ')'))
            goto done;
        buf[n++] = '(';
        for (size_t i = 0; i < run; i++) {
            int c = (unsigned char)s[start + i];
            buf[n++] = (char)(level == 0   ? mn_x__tolower(c)
                              : level == 2 ? mn_x__toupper(c)
                                           : c);
        }
        buf[n++] = ')';
        pos = start + run + (paren ? 1 : 0);
        level++;
    }
    buf[n] = '\0';
    ok = pos == len;
done:
    if (size) {
        if (ok)
            snprintf(out, size, "%s", buf);
        else
            snprintf(out, size, "%.*s", (int)(given_len < 64 ? given_len : 64),
                     given);
    }
    return ok;
}

/* Cites the HCPCS file and its coverage code. */
static void cite(mn_finding *f, unsigned coverage)
{
    f->policy_kind = "code_set";
    f->policy_id = "HCPCS";
    switch (coverage) {
    case KB_COV_STATUTE:
        f->policy_title = "HCPCS coverage code S (non-covered by Medicare "
                          "statute)";
        break;
    case KB_COV_NONCOVERED:
        f->policy_title = "HCPCS coverage code M (non-covered by Medicare)";
        break;
    default:
        f->policy_title = "HCPCS coverage code I (not payable by Medicare)";
        break;
    }
}

static void statutory(mn_lstate *s, const kb_hcpcs *h)
{
    const char *code = s->line->code_text;
    const char *raw = kb_s(s->kb, h->statute);
    char statute[72];
    bool clear = false;
    mn_finding *f;

    if (mn_x__line_has(s->lr, s->lr->n_findings, MN_E_STATUTORY_EXCLUDED))
        return; /* one exclusion per line */
    statute[0] = '\0';
    if (h->statute.len)
        clear =
            mn_x__hcpcs_statute(statute, sizeof(statute), raw, h->statute.len);
    f = mn_x__finding_add(
        s, MN_E_STATUTORY_EXCLUDED,
        statute[0]
            ? PRINTF(s,
                     "Medicare never pays for %s: the law excludes it from "
                     "coverage (%s%s), and the HCPCS file marks it "
                     "non-covered by Medicare statute.",
                     code, clear ? "" : "statute ", statute)
            : PRINTF(s,
                     "Medicare never pays for %s: the HCPCS file marks it "
                     "non-covered by Medicare statute.",
                     code));
    if (!f)
        return;
    cite(f, KB_COV_STATUTE);
    f->source =
        statute[0] ? PRINTF(s,
                            "CMS HCPCS Level II file: coverage code S "
                            "(non-covered by Medicare statute), statute %s%s",
                            statute, clear ? "" : " (as given)")
                   : "CMS HCPCS Level II file: coverage code S (non-covered by "
                     "Medicare statute)";
    f->fix = "Medicare never pays for it: append GY; the patient may be "
             "billed. No ABN is required; a voluntary one may be given "
             "(then report GX).";
}

void mn_x__check_coverage(mn_lstate *s, const kb_hcpcs *h)
{
    const char *code = s->line->code_text;
    mn_finding *f;

    if (!h || s->claim->payer != MN_PAYER_MEDICARE)
        return;
    switch (h->coverage) {
    case KB_COV_STATUTE:
        statutory(s, h);
        break;
    case KB_COV_NONCOVERED:
        /* a coverage denial, not one of medical necessity: no ABN */
        f = mn_x__finding_add(
            s, MN_E_COVERAGE_NONCOVERED,
            PRINTF(s, "Medicare does not cover %s (HCPCS coverage code M).",
                   code));
        if (f) {
            cite(f, KB_COV_NONCOVERED);
            f->source = "CMS HCPCS Level II file: coverage code M "
                        "(non-covered by Medicare)";
            f->fix = "Check whether a covered code describes the service; "
                     "otherwise the patient may be billed as the payer's "
                     "rules allow.";
        }
        break;
    case KB_COV_NOT_PAYABLE:
        f = mn_x__finding_add(
            s, MN_E_CODE_NOT_PAYABLE,
            PRINTF(s,
                   "%s is not payable by Medicare (HCPCS coverage code I): "
                   "Medicare recognises another code for this service.",
                   code));
        if (f) {
            cite(f, KB_COV_NOT_PAYABLE);
            f->source = "CMS HCPCS Level II file: coverage code I (not "
                        "payable by Medicare)";
            f->fix = "Bill the code Medicare recognises for the service.";
        }
        break;
    default:
        break; /* C, D: judged by the carrier or by the policies */
    }
}
