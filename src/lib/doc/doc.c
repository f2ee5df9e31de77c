/*
 * doc/doc.c: the document model: building blocks of styled text in the
 * document's arena, and the public accessors of a document.
 */
#include <string.h>

#include "doc/doc_int.h"

#define DOC_ARENA_MAX ((size_t)64 << 20)

int mn_x__doc_new(mn_doc **out, mn_doc_kind kind, mn_error *err)
{
    mn_doc *d = mn_x__calloc(1, sizeof(*d));

    *out = NULL;
    if (!d || mn_x__arena_new(&d->arena, DOC_ARENA_MAX) != MN_OK) {
        mn_x__free(d);
        return mn_x__err(err, MN_ENOMEM, "out of memory");
    }
    d->kind = kind;
    d->lang = "en";
    d->font_size = 11;
    d->margin = 72;
    d->blocks.max = (size_t)16 << 20;
    d->warnings.max = (size_t)1 << 20;
    d->fields.max = (size_t)4 << 20;
    *out = d;
    return MN_OK;
}

void mn_doc_free(mn_doc *doc)
{
    if (!doc)
        return;
    mn_x__vec_free(&doc->blocks);
    mn_x__vec_free(&doc->warnings);
    mn_x__vec_free(&doc->fields);
    mn_x__arena_free(doc->arena);
    mn_x__free(doc);
}

mn_doc_kind mn_doc_get_kind(const mn_doc *doc)
{
    return doc ? doc->kind : MN_DOC_ABN;
}

/* Length of the UTF-8 sequence at s (at most n bytes), 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0];
    size_t len;
    unsigned v;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && v < 0x800) ||
        (len == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
        (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

bool mn_x__utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < len) {
        unsigned cp;
        size_t n = utf8_seq(p + i, len - i, &cp);
        if (n == 0 || cp == 0)
            return false;
        i += n;
    }
    return true;
}

char *mn_x__doc_str(mn_doc *d, const char *s, size_t len, int keep_lines)
{
    const unsigned char *p = (const unsigned char *)s;
    char *out;
    size_t o = 0;
    size_t cap;

    if (!s)
        return NULL;
    /* each bad byte becomes 3 bytes (U+FFFD) */
    if (!mn_x__mul(&cap, len, 3) || !mn_x__add(&cap, cap, 1)) {
        d->nomem = 1;
        return NULL;
    }
    out = mn_x__arena_alloc(d->arena, cap);
    if (!out) {
        d->nomem = 1;
        return NULL;
    }
    for (size_t i = 0; i < len;) {
        unsigned cp;
        size_t n = utf8_seq(p + i, len - i, &cp);
        if (n == 0) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
            continue;
        }
        if (cp == '\n' && keep_lines) {
            out[o++] = '\n';
        } else if (cp == '\r' && keep_lines) {
            /* CR LF and lone CR: one newline */
            if (!(i + 1 < len && p[i + 1] == '\n'))
                out[o++] = '\n';
        } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) {
            out[o++] = ' ';
        } else {
            memcpy(out + o, p + i, n);
            o += n;
        }
        i += n;
    }
    out[o] = '\0';
    return out;
}

char *mn_x__doc_strz(mn_doc *d, const char *s)
{
    return s ? mn_x__doc_str(d, s, strlen(s), 0) : NULL;
}

char *mn_x__doc_printf(mn_doc *d, const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = mn_x__arena_vprintf(d->arena, fmt, ap);
    va_end(ap);
    if (!s)
        d->nomem = 1;
    return s;
}

db_block *mn_x__doc_block(mn_doc *d, db_type type)
{
    db_block b;

    memset(&b, 0, sizeof(b));
    b.type = type;
    if (mn_x__vec_push(&d->blocks, &b, sizeof(b)) != MN_OK) {
        d->nomem = 1;
        return NULL;
    }
    return &MN_VEC_AT(&d->blocks, db_block,
                      MN_VEC_COUNT(&d->blocks, db_block) - 1);
}

void mn_x__doc_field(mn_doc *d, const char *tag, const char *text)
{
    const char *pair[2];

    if (!tag || !text)
        return;
    pair[0] = tag;
    pair[1] = text;
    if (mn_x__vec_push(&d->fields, pair, sizeof(pair)) != MN_OK)
        d->nomem = 1;
}

void mn_x__doc_warn(mn_doc *d, const char *msg)
{
    const char *m = mn_x__doc_str(d, msg, strlen(msg), 0);

    if (m && mn_x__vec_push(&d->warnings, &m, sizeof(m)) != MN_OK)
        d->nomem = 1;
}

const char *mn_doc_field(const mn_doc *doc, const char *tag)
{
    size_t n;

    if (!doc || !tag)
        return NULL;
    n = doc->fields.len / (2 * sizeof(const char *));
    for (size_t i = 0; i < n; i++) {
        const char *const *pair = (const char *const *)doc->fields.data + 2 * i;
        if (strcmp(pair[0], tag) == 0)
            return pair[1];
    }
    return NULL;
}

size_t mn_doc_warning_count(const mn_doc *doc)
{
    return doc ? MN_VEC_COUNT(&doc->warnings, const char *) : 0;
}

const char *mn_doc_warning(const mn_doc *doc, size_t i)
{
    if (!doc || i >= mn_doc_warning_count(doc))
        return NULL;
    return MN_VEC_AT(&doc->warnings, const char *, i);
}

/* ---- styled text ---- */

void mn_x__tb_init(ds_builder *b, mn_doc *d)
{
    memset(b, 0, sizeof(*b));
    b->d = d;
    b->spans.max = (size_t)4 << 20;
}

void mn_x__tb_free(ds_builder *b)
{
    mn_x__vec_free(&b->spans);
}

static void push_span(ds_builder *b, const char *text, unsigned style,
                      const char *tag)
{
    ds_span s;

    s.text = text;
    s.style = style;
    s.tag = tag;
    if (mn_x__vec_push(&b->spans, &s, sizeof(s)) != MN_OK)
        b->d->nomem = 1;
}

void mn_x__tb_add(ds_builder *b, const char *s, unsigned style, const char *tag)
{
    char *t;

    if (!s || !s[0])
        return;
    t = mn_x__doc_str(b->d, s, strlen(s), 0);
    if (t)
        push_span(b, t, style, tag);
}

void mn_x__tb_break(ds_builder *b)
{
    push_span(b, "", DS_BREAK, NULL);
}

/* Appends src[0..n) as plain text of `style`, newlines as spaces. */
static void add_run(ds_builder *b, const char *src, size_t n, unsigned style)
{
    char *t;

    if (n == 0)
        return;
    t = mn_x__doc_str(b->d, src, n, 0);
    if (t)
        push_span(b, t, style, NULL);
}

void mn_x__tb_markup(ds_builder *b, const char *src, size_t len,
                     ds_lookup lookup, void *payload)
{
    unsigned style = 0;
    size_t start = 0;
    size_t i = 0;

    while (i < len) {
        char c = src[i];
        if (c == '*' && i + 1 < len && src[i + 1] == '*') {
            add_run(b, src + start, i - start, style);
            style ^= DS_BOLD;
            i += 2;
            start = i;
        } else if (c == '\\' && (i + 1 == len || src[i + 1] == '\n')) {
            add_run(b, src + start, i - start, style);
            mn_x__tb_break(b);
            i += i + 1 < len ? 2 : 1;
            start = i;
        } else if (c == '{' && lookup) {
            size_t e = i + 1;
            const char *tag = NULL;
            const char *val;
            while (e < len && src[e] != '}' && src[e] != '{' &&
                   src[e] != '\n' && e - i < 64)
                e++;
            if (e >= len || src[e] != '}') {
                i++;
                continue;
            }
            val = lookup(payload, src + i + 1, e - i - 1, &tag);
            if (!val) {
                i = e + 1;
                continue;
            }
            add_run(b, src + start, i - start, style);
            if (val[0]) {
                char *t = mn_x__doc_str(b->d, val, strlen(val), 0);
                if (t)
                    push_span(b, t, style | DS_FILLED, tag);
            }
            i = e + 1;
            start = i;
        } else {
            i++;
        }
    }
    add_run(b, src + start, len - start, style);
}

void mn_x__tb_markupz(ds_builder *b, const char *src, ds_lookup lookup,
                      void *payload)
{
    if (src)
        mn_x__tb_markup(b, src, strlen(src), lookup, payload);
}

void mn_x__tb_take(ds_builder *b, ds_text *out)
{
    size_t n = MN_VEC_COUNT(&b->spans, ds_span);

    out->spans = NULL;
    out->n = 0;
    if (n) {
        out->spans = mn_x__arena_alloc(b->d->arena, n * sizeof(ds_span));
        if (!out->spans) {
            b->d->nomem = 1;
        } else {
            memcpy(out->spans, b->spans.data, n * sizeof(ds_span));
            out->n = n;
        }
    }
    b->spans.len = 0;
}

db_block *mn_x__doc_text_block(mn_doc *d, db_type type, const char *markup,
                               ds_lookup lookup, void *payload)
{
    ds_builder tb;
    db_block *blk;

    if (!markup) {
        d->nomem = 1; /* a string that could not be made */
        return NULL;
    }
    mn_x__tb_init(&tb, d);
    mn_x__tb_markup(&tb, markup, strlen(markup), lookup, payload);
    blk = mn_x__doc_block(d, type);
    if (blk)
        mn_x__tb_take(&tb, &blk->text);
    mn_x__tb_free(&tb);
    return blk;
}

db_block *mn_x__doc_grid(mn_doc *d, db_type type, size_t rows, size_t cols,
                         const double *widths)
{
    db_block *blk = mn_x__doc_block(d, type);
    size_t n;

    if (!blk)
        return NULL;
    if (!mn_x__mul(&n, rows, cols) || n == 0 || n > 100000) {
        d->nomem = 1;
        return NULL;
    }
    blk->items = mn_x__arena_alloc(d->arena, n * sizeof(ds_text));
    blk->widths = mn_x__arena_alloc(d->arena, cols * sizeof(double));
    if (!blk->items || !blk->widths) {
        d->nomem = 1;
        return NULL;
    }
    memset(blk->items, 0, n * sizeof(ds_text));
    for (size_t c = 0; c < cols; c++)
        blk->widths[c] = widths ? widths[c] : 1.0 / (double)cols;
    blk->n_items = n;
    blk->n_rows = rows;
    blk->n_cols = cols;
    return blk;
}

char *mn_x__ds_plain(mn_doc *d, const ds_text *t)
{
    size_t n = 1;
    char *out;
    char *p;

    for (size_t i = 0; i < t->n; i++)
        n += strlen(t->spans[i].text) + 1;
    out = mn_x__arena_alloc(d->arena, n);
    if (!out) {
        d->nomem = 1;
        return NULL;
    }
    p = out;
    for (size_t i = 0; i < t->n; i++) {
        size_t l = strlen(t->spans[i].text);
        if (t->spans[i].style & DS_BREAK) {
            *p++ = ' ';
            continue;
        }
        memcpy(p, t->spans[i].text, l);
        p += l;
    }
    *p = '\0';
    return out;
}

/* ---- formats ---- */

int mn_doc_format_parse(mn_doc_format *out, const char *name)
{
    if (!out || !name)
        return -1;
    if (strcmp(name, "pdf") == 0)
        *out = MN_DOC_PDF;
    else if (strcmp(name, "html") == 0 || strcmp(name, "htm") == 0)
        *out = MN_DOC_HTML;
    else if (strcmp(name, "md") == 0 || strcmp(name, "markdown") == 0)
        *out = MN_DOC_MARKDOWN;
    else if (strcmp(name, "text") == 0 || strcmp(name, "txt") == 0)
        *out = MN_DOC_TEXT;
    else
        return -1;
    return 0;
}

const char *mn_doc_format_name(mn_doc_format format)
{
    switch (format) {
    case MN_DOC_PDF:
        return "pdf";
    case MN_DOC_HTML:
        return "html";
    case MN_DOC_MARKDOWN:
        return "md";
    case MN_DOC_TEXT:
        return "text";
    }
    return "pdf";
}

int mn_doc_render(mn_buf *out, const mn_doc *doc, mn_doc_format format,
                  size_t *pages, mn_error *err)
{
    if (pages)
        *pages = 0;
    if (!out || !doc)
        return mn_x__err(err, MN_EINVAL, "missing argument");
    if (doc->nomem)
        return mn_x__err(err, MN_ENOMEM, "out of memory");
    switch (format) {
    case MN_DOC_PDF:
        return mn_x__render_pdf(out, doc, pages, err);
    case MN_DOC_HTML:
        return mn_x__render_html(out, doc, err);
    case MN_DOC_MARKDOWN:
        return mn_x__render_md(out, doc, 0, err);
    case MN_DOC_TEXT:
        return mn_x__render_md(out, doc, 1, err);
    }
    return mn_x__err(err, MN_EINVAL, "unknown document format %d", (int)format);
}
