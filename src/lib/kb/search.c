/*
 * kb/search.c: ICD-10-CM search for type-ahead (mn_kb_icd_search).
 *
 * A query is a code prefix ("E11", "e11.6") and/or words ("vitamin d
 * def"). With a prefix the codes under it are walked in code order (one
 * binary search); without one every description is scanned. Every word
 * must occur in the description (case-insensitive); a word that starts a
 * word of the description scores higher than one found inside a word.
 */
#include <string.h>

#include "kb/kb_int.h"

#define MAX_WORDS 8
#define MAX_QUERY 256
#define MAX_HITS 1000

typedef struct word {
    char text[MAX_QUERY + 1]; /* lower case */
    size_t len;
} word;

typedef struct query {
    mn_key prefix; /* 0: none */
    size_t prefix_len;
    word prefix_word; /* the prefix token, lower case, as a word */
    word words[MAX_WORDS];
    size_t n_words;
    word phrase; /* the words joined by single spaces (two or more) */
} query;

/* A code-shaped token: a letter then a digit, letters, digits and dots. */
static bool code_token(const char *s, size_t len)
{
    size_t chars = 0;

    if (len < 2 || !mn_x__isalpha((unsigned char)s[0]) ||
        !mn_x__isdigit((unsigned char)s[1]))
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '.')
            continue;
        if (!mn_x__isdigit((unsigned char)s[i]) &&
            !mn_x__isalpha((unsigned char)s[i]))
            return false;
        chars++;
    }
    return chars <= 7;
}

static void make_phrase(query *q)
{
    q->phrase.len = 0;
    if (q->n_words < 2)
        return;
    for (size_t i = 0; i < q->n_words; i++) {
        if (i)
            q->phrase.text[q->phrase.len++] = ' ';
        memcpy(q->phrase.text + q->phrase.len, q->words[i].text,
               q->words[i].len);
        q->phrase.len += q->words[i].len;
    }
}

static int parse_query(query *q, const char *s, size_t len, mn_error *err)
{
    size_t i = 0;

    memset(q, 0, sizeof(*q));
    if (len > MAX_QUERY)
        return mn_x__err(err, MN_ELIMIT, "query longer than %d bytes",
                         MAX_QUERY);
    while (i < len) {
        size_t start;
        size_t n;

        while (i < len && !mn_x__isalpha((unsigned char)s[i]) &&
               !mn_x__isdigit((unsigned char)s[i]))
            i++;
        start = i;
        while (i < len && (mn_x__isalpha((unsigned char)s[i]) ||
                           mn_x__isdigit((unsigned char)s[i]) || s[i] == '.'))
            i++;
        n = i - start;
        if (!n)
            continue;
        if (!q->prefix && code_token(s + start, n)) {
            q->prefix = mn_x__key(s + start, n);
            q->prefix_len = 0;
            for (size_t k = 0; k < n; k++) {
                char c = (char)mn_x__tolower((unsigned char)s[start + k]);
                if (c != '.')
                    q->prefix_word.text[q->prefix_len++] = c;
            }
            q->prefix_word.len = q->prefix_len;
            continue;
        }
        if (q->n_words == MAX_WORDS)
            return mn_x__err(err, MN_ELIMIT, "more than %d words in the query",
                             MAX_WORDS);
        /* dots inside words ("vit.") are separators */
        for (size_t k = 0; k < n; k++) {
            char c = s[start + k];
            word *w = &q->words[q->n_words];
            if (c == '.') {
                if (w->len)
                    q->n_words++;
                if (q->n_words == MAX_WORDS)
                    return mn_x__err(err, MN_ELIMIT,
                                     "more than %d words in the query",
                                     MAX_WORDS);
                continue;
            }
            w->text[w->len++] = (char)mn_x__tolower((unsigned char)c);
        }
        if (q->words[q->n_words].len)
            q->n_words++;
    }
    if (!q->prefix && !q->n_words)
        return mn_x__err(err, MN_EINVAL,
                         "empty query: give a code prefix or words");
    make_phrase(q);
    return MN_OK;
}

/* Next position at or after `p` holding `lo` or `up`, or NULL. */
static const char *next_ci(const char *p, const char *end, char lo, char up)
{
    const char *a = memchr(p, lo, (size_t)(end - p));
    const char *b;

    if (lo == up)
        return a;
    b = memchr(p, up, (size_t)(a ? a - p : end - p));
    return b ? b : a;
}

/* Score of one word in a description: 2 at the start of a word, 1 inside
 * one, 0 when absent. memchr finds the candidates: the scan runs over
 * every description of the KB for a query without a code prefix. */
static int word_score(const char *d, size_t dlen, const word *w)
{
    const char *end = d + dlen;
    const char *p = d;
    char lo = w->text[0];
    char up = (char)mn_x__toupper((unsigned char)lo);
    int best = 0;

    if (w->len > dlen)
        return 0;
    while ((p = next_ci(p, end - w->len + 1, lo, up)) != NULL) {
        size_t k = 1;
        while (k < w->len && mn_x__tolower((unsigned char)p[k]) == w->text[k])
            k++;
        if (k == w->len) {
            if (p == d || !(mn_x__isalpha((unsigned char)p[-1]) ||
                            mn_x__isdigit((unsigned char)p[-1])))
                return 2;
            best = 1;
        }
        p++;
    }
    return best;
}

typedef struct cand {
    size_t idx;
    int score;
} cand;

/* Better first: higher score, then billable, then the shorter
 * description (the closer match), then code order. With bit 0 (a prefix
 * walk) only the score and code order count. */
static bool better(const mn_kb *kb, const cand *a, const cand *b, uint32_t bit)
{
    bool ba;
    bool bb;

    if (a->score != b->score)
        return a->score > b->score;
    ba = (kb->icd[a->idx].billable & bit) != 0;
    bb = (kb->icd[b->idx].billable & bit) != 0;
    if (ba != bb)
        return ba;
    if (bit && kb->icd[a->idx].desc.len != kb->icd[b->idx].desc.len)
        return kb->icd[a->idx].desc.len < kb->icd[b->idx].desc.len;
    return a->idx < b->idx;
}

/* Keeps the best `max` candidates sorted in `top` (insertion: max is
 * small). */
static void keep(const mn_kb *kb, cand *top, size_t *n, size_t max, cand c,
                 uint32_t bit)
{
    size_t i;

    if (*n == max && !better(kb, &c, &top[max - 1], bit))
        return;
    i = *n < max ? (*n)++ : max - 1;
    while (i > 0 && better(kb, &c, &top[i - 1], bit)) {
        top[i] = top[i - 1];
        i--;
    }
    top[i] = c;
}

int mn_kb_icd_search(mn_icd_hit *out, size_t max, size_t *n_out,
                     const mn_kb *kb, const char *text, size_t len,
                     const mn_icd_search_options *opts, mn_error *err)
{
    query q;
    cand top[MAX_HITS]; /* 16 KiB: no allocation */
    size_t n = 0;
    size_t first = 0;
    size_t end;
    int year;
    uint32_t bit;
    int rc;
    int billable_only = opts ? opts->billable_only : 0;

    if (n_out)
        *n_out = 0;
    if (!out || !n_out || !kb || (!text && len))
        return mn_x__err(err, MN_EINVAL, "no output, knowledge base or query");
    if (opts && opts->version != MN_ICD_SEARCH_OPTIONS_VERSION)
        return mn_x__err(err, MN_EINVAL, "unknown search options version %u",
                         opts->version);
    if (max == 0 || max > MAX_HITS)
        return mn_x__err(err, MN_EINVAL, "max must be 1 to %d", MAX_HITS);
    if ((rc = parse_query(&q, text, len, err)))
        return rc;
    if (!kb->meta->n_icd_years || !kb->n_icd)
        return MN_OK;
    if (opts && opts->date) {
        int32_t d;
        if (!mn_x__parse_date(&d, opts->date, strlen(opts->date), false)) {
            rc = mn_x__err(err, MN_EINVAL, "%.40s is not a valid date",
                           opts->date);
            mn_x__err_at(err, "date", 0, 0);
            return rc;
        }
        year = mn_x__kb_icd_year(kb, d);
    } else {
        year = (int)kb->meta->n_icd_years - 1;
    }
    bit = 1u << year;

    end = kb->n_icd;
    if (q.prefix) {
        unsigned shift = (unsigned)(8 * (8 - q.prefix_len));
        first = mn_x__kb_icd_lower(kb, q.prefix);
        end = first;
        while (end < kb->n_icd &&
               (kb->icdkey[end] >> shift) == (q.prefix >> shift))
            end++;
        /* no code under it ("B12" in "vitamin b12"): it is a word */
        if (end == first && q.n_words < MAX_WORDS) {
            q.words[q.n_words++] = q.prefix_word;
            make_phrase(&q);
            q.prefix = 0;
            first = 0;
            end = kb->n_icd;
        }
    }
    for (size_t i = first; i < end; i++) {
        const kb_icd *e = &kb->icd[i];
        const char *d = kb_s(kb, e->desc);
        size_t dlen = e->desc.len;
        cand c = {i, 0};
        bool all = true;

        if (!(e->present & bit))
            continue;
        if (billable_only && !(e->billable & bit))
            continue;
        for (size_t w = 0; w < q.n_words && all; w++) {
            int s = word_score(d, dlen, &q.words[w]);
            all = s > 0;
            c.score += s;
        }
        if (!all)
            continue;
        /* the words as typed, in order ("vitamin d def"): a closer match */
        if (q.phrase.len && word_score(d, dlen, &q.phrase))
            c.score += 4;
        /* a prefix walk keeps code order: the score only orders words */
        keep(kb, top, &n, max, c, q.prefix ? 0 : bit);
    }
    for (size_t i = 0; i < n; i++) {
        const kb_icd *e = &kb->icd[top[i].idx];
        mn_x__icd_dotted(out[i].code, e->key);
        out[i].description = kb_s(kb, e->desc);
        out[i].billable = (e->billable & bit) != 0;
    }
    *n_out = n;
    return MN_OK;
}
