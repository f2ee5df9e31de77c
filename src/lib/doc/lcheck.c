/*
 * doc/lcheck.c: the completeness check of a letter of medical necessity.
 * The letter (plain text, Markdown, HTML or PDF) becomes numbered lines of
 * text: Markdown loses its marks, HTML its tags (each line keeps the
 * number of the source line it starts on), a PDF's text comes from
 * poppler, page by page. Each element of the checklist (data) is found
 * when one of its patterns matches a line, or a line joined with the
 * next (a phrase the layout broke in two).
 */
#include <stdio.h>
#include <string.h>

#include <poppler.h>

#include "doc/data.h"
#include "out/writer.h"

#define LC_MAX_INPUT ((size_t)16 << 20)
#define MAX_LINES 200000

typedef struct tline {
    char *text;
    size_t line; /* source line, or line of the extracted text */
    size_t page; /* PDF page, 0 otherwise */
} tline;

typedef struct found {
    const check_el *el;
    int found;
    size_t line;
    size_t page;
    const char *excerpt;
} found;

struct mn_lcheck {
    mn_arena *arena;
    const char *kind;   /* "general" or "dme" */
    const char *format; /* "text", "markdown", "html", "pdf" */
    found *els;
    size_t n_els;
    size_t missing;
};

typedef struct lines {
    mn_arena *a;
    mn_vec v;   /* tline */
    mn_vec cur; /* the line being built */
    size_t cur_line;
    size_t page;
    int nomem;
} lines;

static void end_line(lines *l)
{
    tline t;
    char *s;
    size_t n = l->cur.len;
    const char *p = (const char *)l->cur.data;

    /* trim and collapse nothing: patterns see the text as written */
    while (n && mn_x__isspace((unsigned char)p[n - 1]))
        n--;
    while (n && mn_x__isspace((unsigned char)*p)) {
        p++;
        n--;
    }
    l->cur.len = 0;
    if (n == 0)
        return;
    if (MN_VEC_COUNT(&l->v, tline) >= MAX_LINES) {
        l->nomem = 2;
        return;
    }
    s = mn_x__arena_strndup(l->a, p, n);
    if (!s) {
        l->nomem = 1;
        return;
    }
    t.text = s;
    t.line = l->cur_line;
    t.page = l->page;
    if (mn_x__vec_push(&l->v, &t, sizeof(t)) != MN_OK)
        l->nomem = 1;
}

static void put(lines *l, const char *s, size_t n)
{
    if (mn_x__vec_push(&l->cur, s, n) != MN_OK)
        l->nomem = 1;
}

/* ---- plain text and Markdown ---- */

/* Markdown when a line starts with a heading mark, bold, a task box or a
 * table rule. */
static int looks_markdown(const char *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        const char *p = s + i;
        size_t n = 0;
        while (i + n < len && s[i + n] != '\n')
            n++;
        if ((n > 2 && p[0] == '#' && (p[1] == ' ' || p[1] == '#')) ||
            (n > 2 && p[0] == '*' && p[1] == '*') ||
            (n > 5 && !strncmp(p, "- [ ]", 5)) ||
            (n > 4 && !strncmp(p, "|---", 4)))
            return 1;
        i += n + 1;
    }
    return 0;
}

static void text_lines(lines *l, const char *s, size_t len, int markdown)
{
    size_t lineno = 1;
    size_t i = 0;

    while (i < len) {
        size_t e = i;
        size_t k;
        while (e < len && s[e] != '\n')
            e++;
        l->cur_line = lineno;
        k = i;
        if (markdown) {
            /* leading marks: headings, quotes, list markers, task boxes */
            while (k < e && (s[k] == '#' || s[k] == '>' || s[k] == ' '))
                k++;
            if (k + 1 < e && (s[k] == '-' || s[k] == '*' || s[k] == '+') &&
                s[k + 1] == ' ')
                k += 2;
            if (k + 3 < e && s[k] == '[' && s[k + 2] == ']' && s[k + 3] == ' ')
                k += 4;
        }
        for (; k < e; k++) {
            char c = s[k];
            if (c == '\r')
                continue;
            if (markdown) {
                if (c == '\\' && k + 1 < e && s[k + 1] != ' ') {
                    put(l, s + k + 1, 1);
                    k++;
                    continue;
                }
                if (c == '*' || c == '_' || c == '`' || c == '~')
                    continue;
                if (c == '|') {
                    put(l, " ", 1);
                    continue;
                }
                if (c == '\\')
                    continue;
            }
            put(l, &c, 1);
        }
        end_line(l);
        lineno++;
        i = e + 1;
    }
}

/* ---- HTML ---- */

static int tag_is(const char *s, size_t n, const char *name)
{
    size_t k = strlen(name);
    if (n < k)
        return 0;
    for (size_t i = 0; i < k; i++) {
        if (mn_x__tolower((unsigned char)s[i]) != name[i])
            return 0;
    }
    return n == k || !mn_x__isalpha((unsigned char)s[k]);
}

static int block_tag(const char *s, size_t n)
{
    static const char *const blocks[] = {
        "p",       "div",        "br",  "li",      "tr",     "h1",     "h2",
        "h3",      "h4",         "h5",  "h6",      "table",  "ul",     "ol",
        "hr",      "dt",         "dd",  "section", "header", "footer", "main",
        "article", "blockquote", "pre", "address", "td",     "th",     NULL};
    if (n && s[0] == '/') {
        s++;
        n--;
    }
    for (size_t i = 0; blocks[i]; i++) {
        if (tag_is(s, n, blocks[i]))
            return !(tag_is(s, n, "td") || tag_is(s, n, "th")) ? 1 : 2;
    }
    return 0;
}

/* Appends the UTF-8 of code point cp. */
static void put_cp(lines *l, unsigned long cp)
{
    char u[4];
    size_t n;

    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    put(l, u, n);
}

/* An entity at s (after '&'); returns the bytes used, 0 when not one. */
static size_t entity(lines *l, const char *s, size_t n)
{
    static const struct {
        const char *name;
        unsigned long cp;
    } named[] = {{"amp;", '&'},      {"lt;", '<'},       {"gt;", '>'},
                 {"quot;", '"'},     {"apos;", '\''},    {"nbsp;", ' '},
                 {"ndash;", 0x2013}, {"mdash;", 0x2014}, {"rsquo;", 0x2019},
                 {"lsquo;", 0x2018}, {"copy;", 0xA9}};

    if (n > 2 && s[0] == '#') {
        unsigned long cp = 0;
        size_t k = 1;
        int hex = s[1] == 'x' || s[1] == 'X';
        if (hex)
            k++;
        while (k < n && k < 10 && s[k] != ';') {
            int c = (unsigned char)s[k];
            int d = mn_x__isdigit(c)                ? c - '0'
                    : (hex && c >= 'a' && c <= 'f') ? c - 'a' + 10
                    : (hex && c >= 'A' && c <= 'F') ? c - 'A' + 10
                                                    : -1;
            if (d < 0)
                return 0;
            cp = cp * (hex ? 16 : 10) + (unsigned long)d;
            k++;
        }
        if (k >= n || s[k] != ';')
            return 0;
        put_cp(l, cp);
        return k + 1;
    }
    for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
        size_t k = strlen(named[i].name);
        if (n >= k && memcmp(s, named[i].name, k) == 0) {
            put_cp(l, named[i].cp);
            return k;
        }
    }
    return 0;
}

static void html_lines(lines *l, const char *s, size_t len)
{
    size_t lineno = 1;
    size_t i = 0;
    int skip = 0; /* inside script, style or head */

    l->cur_line = 1;
    while (i < len) {
        char c = s[i];
        if (c == '<') {
            size_t e = i + 1;
            const char *t;
            size_t tn;
            int bt;
            if (len - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
                const char *end = NULL;
                for (size_t k = i + 4; k + 2 < len; k++) {
                    if (s[k] == '-' && s[k + 1] == '-' && s[k + 2] == '>') {
                        end = s + k + 3;
                        break;
                    }
                }
                e = end ? (size_t)(end - s) : len;
                for (size_t k = i; k < e; k++)
                    lineno += s[k] == '\n';
                i = e;
                continue;
            }
            while (e < len && s[e] != '>')
                e++;
            t = s + i + 1;
            tn = e - i - 1;
            for (size_t k = i; k < e && k < len; k++)
                lineno += s[k] == '\n';
            if (tag_is(t, tn, "script") || tag_is(t, tn, "style") ||
                tag_is(t, tn, "head"))
                skip = 1;
            else if (tag_is(t, tn, "/script") || tag_is(t, tn, "/style") ||
                     tag_is(t, tn, "/head"))
                skip = 0;
            bt = block_tag(t, tn);
            if (bt == 1) {
                end_line(l);
                l->cur_line = lineno;
            } else if (bt == 2) {
                put(l, " ", 1);
            }
            i = e < len ? e + 1 : len;
            continue;
        }
        if (c == '\n') {
            lineno++;
            if (!skip)
                put(l, " ", 1);
            i++;
            continue;
        }
        if (skip) {
            i++;
            continue;
        }
        if (l->cur.len == 0)
            l->cur_line = lineno;
        if (c == '&') {
            size_t k = entity(l, s + i + 1, len - i - 1);
            if (k) {
                i += k + 1;
                continue;
            }
        }
        put(l, &c, 1);
        i++;
    }
    end_line(l);
}

/* ---- PDF ---- */

static int pdf_lines(lines *l, const char *s, size_t len, mn_error *err)
{
    GBytes *bytes = g_bytes_new(s, len);
    GError *gerr = NULL;
    PopplerDocument *doc = poppler_document_new_from_bytes(bytes, NULL, &gerr);
    int rc = MN_OK;
    size_t lineno = 1;

    if (!doc) {
        rc = mn_x__err(err, MN_EINVAL, "not a PDF poppler can read%s%s",
                       gerr && gerr->message ? ": " : "",
                       gerr && gerr->message ? gerr->message : "");
        goto done;
    }
    for (int p = 0; p < poppler_document_get_n_pages(doc) && !l->nomem; p++) {
        PopplerPage *page = poppler_document_get_page(doc, p);
        char *text = page ? poppler_page_get_text(page) : NULL;
        l->page = (size_t)p + 1;
        for (const char *t = text; t && *t;) {
            size_t n = strcspn(t, "\n");
            l->cur_line = lineno++;
            put(l, t, n);
            end_line(l);
            t += n;
            if (*t)
                t++;
        }
        g_free(text);
        if (page)
            g_object_unref(page);
    }
done:
    if (gerr)
        g_error_free(gerr);
    if (doc)
        g_object_unref(doc);
    g_bytes_unref(bytes);
    return rc;
}

/* ---- matching ---- */

static int match(const check_el *el, const char *s)
{
    for (size_t k = 0; k < el->n_re; k++) {
        if (regexec(&el->re[k], s, 0, NULL, 0) == 0)
            return 1;
    }
    return 0;
}

/* The first date in s ("2026-03-02", "03/02/2026", "March 2, 2026"), or
 * MN_NODATE. */
static int32_t first_date(const char *s)
{
    static const char *const months[] = {
        "january", "february", "march",     "april",   "may",      "june",
        "july",    "august",   "september", "october", "november", "december"};
    for (const char *p = s; *p; p++) {
        int32_t d;
        if (mn_x__isdigit((unsigned char)*p)) {
            size_t n = strspn(p, "0123456789-/");
            if (n >= 10 && mn_x__parse_date(&d, p, 10, true))
                return d;
            p += n - 1;
            continue;
        }
        for (int m = 0; m < 12; m++) {
            size_t k = strlen(months[m]);
            size_t i;
            for (i = 0; i < k; i++) {
                if (mn_x__tolower((unsigned char)p[i]) != months[m][i])
                    break;
            }
            if (i == k && p[k] == ' ') {
                unsigned long day = 0, year = 0;
                const char *q = p + k + 1;
                size_t dn = strspn(q, "0123456789");
                if (dn == 0 || dn > 2 || !mn_x__parse_uint(&day, q, dn))
                    break;
                q += dn;
                if (*q == ',')
                    q++;
                while (*q == ' ')
                    q++;
                if (strspn(q, "0123456789") != 4 ||
                    !mn_x__parse_uint(&year, q, 4))
                    break;
                {
                    int32_t t =
                        mn_x__days_from_civil((int)year, m + 1, (int)day);
                    int yy, mm, dd;
                    mn_x__civil_from_days(t, &yy, &mm, &dd);
                    if (dd == (int)day && mm == m + 1)
                        return t;
                }
                break;
            }
        }
    }
    return MN_NODATE;
}

/* The first date after one of `keys` in the lines (on the key's line, or
 * at the start of the next one when the layout broke the line), or
 * MN_NODATE. */
static int32_t date_after(const tline *t, size_t n, const char *const *keys)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; keys[k]; k++) {
            size_t kl = strlen(keys[k]);
            for (const char *p = t[i].text; *p; p++) {
                size_t m;
                int32_t d;
                for (m = 0; m < kl; m++) {
                    if (mn_x__tolower((unsigned char)p[m]) != keys[k][m])
                        break;
                }
                if (m != kl)
                    continue;
                d = first_date(p + kl);
                if (d == MN_NODATE && i + 1 < n)
                    d = first_date(t[i + 1].text);
                if (d != MN_NODATE)
                    return d;
            }
        }
    }
    return MN_NODATE;
}

static int f2f_ok(const tline *t, size_t n)
{
    static const char *const f2f[] = {"face-to-face", "face to face",
                                      "in-person", NULL};
    static const char *const order[] = {"order date", "date of the order",
                                        "date of order", "ordered on", NULL};
    int32_t fd = date_after(t, n, f2f);
    int32_t od = date_after(t, n, order);
    int y, m, d;
    int32_t limit;
    int32_t mdays;

    if (fd == MN_NODATE || od == MN_NODATE || fd > od)
        return 0;
    mn_x__civil_from_days(od, &y, &m, &d);
    m -= 6;
    if (m < 1) {
        m += 12;
        y--;
    }
    mdays = (m == 12 ? mn_x__days_from_civil(y + 1, 1, 1)
                     : mn_x__days_from_civil(y, m + 1, 1)) -
            mn_x__days_from_civil(y, m, 1);
    if (d > mdays)
        d = (int)mdays;
    limit = mn_x__days_from_civil(y, m, d);
    return fd >= limit;
}

static const char *excerpt(mn_arena *a, const char *s)
{
    size_t n = strlen(s);
    if (n <= 120)
        return s;
    /* cut on a character boundary */
    n = 117;
    while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return mn_x__arena_printf(a, "%.*s...", (int)n, s);
}

int mn_letter_check(mn_lcheck **out, const mn_docdata *data, const void *bytes,
                    size_t len, const mn_lcheck_options *opts, mn_error *err)
{
    const char *s = bytes;
    mn_lcheck *c = NULL;
    lines l;
    int rc = MN_OK;
    int dme = 0;
    const tline *t;
    size_t n;
    mn_lcheck_options def = MN_LCHECK_OPTIONS_INIT;
    const char *name;

    memset(&l, 0, sizeof(l));
    if (!out)
        return mn_x__err(err, MN_EINVAL, "missing argument");
    *out = NULL;
    if (!opts)
        opts = &def;
    name = opts->name ? opts->name : "letter";
    if (!data || (!bytes && len))
        return mn_x__err(err, MN_EINVAL, "missing argument");
    if (opts->version != MN_LCHECK_OPTIONS_VERSION)
        return mn_x__err(err, MN_EINVAL, "unknown mn_lcheck_options version %u",
                         opts->version);
    if (len > LC_MAX_INPUT) {
        rc = mn_x__err(err, MN_ELIMIT, "larger than %zu bytes", LC_MAX_INPUT);
        mn_x__err_at(err, name, 0, 0);
        return rc;
    }
    c = mn_x__calloc(1, sizeof(*c));
    if (!c || mn_x__arena_new(&c->arena, (size_t)256 << 20) != MN_OK) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    l.a = c->arena;
    l.v.max = (size_t)64 << 20;
    l.cur.max = LC_MAX_INPUT;
    if (len >= 5 && memcmp(s, "%PDF-", 5) == 0) {
        c->format = "pdf";
        if ((rc = pdf_lines(&l, s, len, err))) {
            mn_x__err_at(err, name, 0, 0);
            goto done;
        }
    } else {
        size_t skip = 0;
        const char *p;
        if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
            skip = 3;
        if (memchr(s, '\0', len) || !mn_x__utf8_valid(s + skip, len - skip)) {
            rc = mn_x__err(err, MN_EINVAL,
                           "not a letter: neither UTF-8 text (plain, "
                           "Markdown, HTML) nor a PDF");
            mn_x__err_at(err, name, 0, 0);
            goto done;
        }
        s += skip;
        len -= skip;
        p = s;
        while (p < s + len && mn_x__isspace((unsigned char)*p))
            p++;
        if (p < s + len && *p == '<' &&
            (mn_x__contains_ci(
                 p, (size_t)(s + len - p) < 2048 ? (size_t)(s + len - p) : 2048,
                 "<html") ||
             mn_x__contains_ci(
                 p, (size_t)(s + len - p) < 2048 ? (size_t)(s + len - p) : 2048,
                 "<!doctype html"))) {
            c->format = "html";
            html_lines(&l, s, len);
        } else {
            int md = looks_markdown(s, len);
            c->format = md ? "markdown" : "text";
            text_lines(&l, s, len, md);
        }
    }
    if (l.nomem) {
        rc = l.nomem == 2
                 ? mn_x__err(err, MN_ELIMIT, "more than %d lines", MAX_LINES)
                 : mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    t = (const tline *)l.v.data;
    n = MN_VEC_COUNT(&l.v, tline);
    if (n == 0) {
        rc = mn_x__err(err, MN_EINVAL, "the letter has no text");
        mn_x__err_at(err, name, 0, 0);
        goto done;
    }
    if (opts->kind) {
        if (strcmp(opts->kind, "dme") == 0)
            dme = 1;
        else if (strcmp(opts->kind, "general") && strcmp(opts->kind, "lab") &&
                 strcmp(opts->kind, "imaging") &&
                 strcmp(opts->kind, "therapy") && strcmp(opts->kind, "drug")) {
            rc = mn_x__err(err, MN_EINVAL,
                           "kind must be general, lab, imaging, dme, therapy "
                           "or drug");
            goto done;
        }
    } else {
        for (size_t i = 0; i < n && !dme; i++) {
            dme =
                mn_x__contains_ci(t[i].text, strlen(t[i].text),
                                  "standard written order") ||
                mn_x__contains_ci(t[i].text, strlen(t[i].text), "face-to-face");
        }
    }
    c->kind = dme ? "dme" : "general";
    c->els = mn_x__arena_alloc(c->arena, (data->n_els + 1) * sizeof(found));
    if (!c->els) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t e = 0; e < data->n_els; e++) {
        const check_el *el = &data->els[e];
        found *f;
        if (el->dme_only && !dme)
            continue;
        f = &c->els[c->n_els++];
        memset(f, 0, sizeof(*f));
        f->el = el;
        for (size_t i = 0; i < n && !f->found && !l.nomem; i++) {
            const char *hit = NULL;
            if (match(el, t[i].text)) {
                hit = t[i].text;
            } else if (i + 1 < n && !match(el, t[i + 1].text)) {
                /* a phrase the layout broke over two lines */
                char *j = mn_x__arena_printf(c->arena, "%s %s", t[i].text,
                                             t[i + 1].text);
                if (!j)
                    l.nomem = 1;
                else if (match(el, j))
                    hit = j;
            }
            if (!hit)
                continue;
            if (el->validate && !f2f_ok(t, n))
                break;
            f->found = 1;
            f->line = t[i].line;
            f->page = t[i].page;
            f->excerpt = excerpt(c->arena, hit);
            if (!f->excerpt)
                l.nomem = 1;
        }
        if (!f->found && el->required)
            c->missing++;
    }
    if (l.nomem) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    *out = c;
    c = NULL;
done:
    mn_x__vec_free(&l.v);
    mn_x__vec_free(&l.cur);
    mn_lcheck_free(c);
    return rc;
}

void mn_lcheck_free(mn_lcheck *check)
{
    if (!check)
        return;
    mn_x__arena_free(check->arena);
    mn_x__free(check);
}

size_t mn_lcheck_count(const mn_lcheck *check)
{
    return check ? check->n_els : 0;
}

int mn_lcheck_element_at(mn_lcheck_element *out, const mn_lcheck *check,
                         size_t i, mn_error *err)
{
    const found *f;

    if (!out || !check)
        return mn_x__err(err, MN_EINVAL, "missing argument");
    if (out->version != MN_LCHECK_ELEMENT_VERSION)
        return mn_x__err(err, MN_EINVAL, "unknown mn_lcheck_element version %u",
                         out->version);
    if (i >= check->n_els)
        return mn_x__err(err, MN_EINVAL, "no element %zu", i);
    f = &check->els[i];
    out->id = f->el->id;
    out->title = f->el->title;
    out->required = f->el->required;
    out->found = f->found;
    out->line = f->line;
    out->page = f->page;
    out->excerpt = f->excerpt;
    return MN_OK;
}

size_t mn_lcheck_missing(const mn_lcheck *check)
{
    return check ? check->missing : 0;
}

const char *mn_lcheck_kind(const mn_lcheck *check)
{
    return check ? check->kind : NULL;
}

const char *mn_lcheck_input_format(const mn_lcheck *check)
{
    return check ? check->format : NULL;
}

int mn_lcheck_render(mn_buf *out, const mn_lcheck *c, mn_format format,
                     mn_error *err)
{
    mn_out w;

    if (!out || !c)
        return mn_x__err(err, MN_EINVAL, "missing argument");
    mn_x__out_init(&w, out);
    if (format == MN_FORMAT_JSON) {
        MN_OUT_LIT(&w, "{\"complete\":");
        mn_x__out_puts(&w, c->missing ? "false" : "true");
        MN_OUT_MEMBER(&w, ",\"kind\":", c->kind);
        MN_OUT_MEMBER(&w, ",\"format\":", c->format);
        MN_OUT_LIT(&w, ",\"missing\":");
        mn_x__out_int(&w, (long long)c->missing);
        MN_OUT_LIT(&w, ",\"elements\":[");
        for (size_t i = 0; i < c->n_els; i++) {
            const found *f = &c->els[i];
            mn_x__out_puts(&w, i ? ",{\"id\":" : "{\"id\":");
            mn_x__out_json_str(&w, f->el->id);
            MN_OUT_MEMBER(&w, ",\"title\":", f->el->title);
            MN_OUT_LIT(&w, ",\"required\":");
            mn_x__out_puts(&w, f->el->required ? "true" : "false");
            MN_OUT_LIT(&w, ",\"found\":");
            mn_x__out_puts(&w, f->found ? "true" : "false");
            MN_OUT_LIT(&w, ",\"line\":");
            if (f->found)
                mn_x__out_int(&w, (long long)f->line);
            else
                MN_OUT_LIT(&w, "null");
            if (f->page) {
                MN_OUT_LIT(&w, ",\"page\":");
                mn_x__out_int(&w, (long long)f->page);
            }
            MN_OUT_LIT(&w, ",\"text\":");
            mn_x__out_json_str(&w, f->excerpt);
            MN_OUT_LIT(&w, "}");
        }
        MN_OUT_LIT(&w, "]}");
    } else {
        mn_x__out_printf(&w, "Letter (%s, %s checklist): %s\n", c->format,
                         c->kind, c->missing ? "INCOMPLETE" : "complete");
        for (size_t i = 0; i < c->n_els; i++) {
            const found *f = &c->els[i];
            if (f->found && f->page)
                mn_x__out_printf(&w, "  present  %-26s page %zu, line %zu: ",
                                 f->el->id, f->page, f->line);
            else if (f->found)
                mn_x__out_printf(&w, "  present  %-26s line %zu: ", f->el->id,
                                 f->line);
            else
                mn_x__out_printf(&w, "  %s  %-26s ",
                                 f->el->required ? "MISSING" : "absent ",
                                 f->el->id);
            if (f->found)
                mn_x__out_text(&w, f->excerpt);
            else
                mn_x__out_text(&w, f->el->title);
            MN_OUT_LIT(&w, "\n");
        }
        if (c->missing)
            mn_x__out_printf(&w, "%zu required element%s missing\n", c->missing,
                             c->missing == 1 ? "" : "s");
    }
    if (w.rc)
        return mn_x__err(err, w.rc, "%s",
                         w.rc == MN_ENOMEM ? "out of memory"
                                           : "output larger than the buffer "
                                             "allows");
    return MN_OK;
}
