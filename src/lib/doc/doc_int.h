/*
 * doc/doc_int.h: the document model the builders fill and the renderers
 * read (internal). A document is a list of blocks; a block holds styled
 * text (spans) or a grid of cells, each a styled text. Everything lives in
 * the document's arena.
 */
#ifndef MN_DOC_INT_H
#define MN_DOC_INT_H

#include "core/util.h"
#include "mednec/doc.h"

/* Span styles. */
#define DS_BOLD 1u
#define DS_ITALIC 2u
#define DS_FILLED 4u /* a value filled in: underlined on the page */
#define DS_STRIKE 8u
#define DS_BREAK 16u /* a hard line break (the span's text is "") */

typedef struct ds_span {
    const char *text; /* valid UTF-8, no control characters */
    unsigned style;
    const char *tag; /* element it fills, or NULL */
} ds_span;

/* Styled text: a paragraph or a cell. */
typedef struct ds_text {
    ds_span *spans;
    size_t n;
} ds_text;

typedef enum db_type {
    DB_TITLE,     /* text: the document's title */
    DB_HEADING,   /* text */
    DB_PARA,      /* text */
    DB_SMALL,     /* text, in small print */
    DB_BULLETS,   /* items */
    DB_OPTIONS,   /* items, each with a check box */
    DB_FIELDS,    /* one row of n_cols cells without borders */
    DB_TABLE,     /* n_rows x n_cols cells, row 0 the header */
    DB_BOX_BEGIN, /* a frame around the blocks up to DB_BOX_END */
    DB_BOX_END,
    DB_RULE,      /* a horizontal line */
    DB_SIGNATURE, /* n_cols labels, each followed by a line to write on */
    DB_FOOTER,    /* n_cols cells in small print: left, (centre), right */
    DB_SPACE      /* vertical space */
} db_type;

/* Block flags. */
#define DB_F_CENTER 1u
#define DB_F_THICK 2u  /* DB_RULE: a heavy line */
#define DB_F_BOTTOM 4u /* DB_FOOTER: at the bottom of the page */
#define DB_F_TIGHT 8u  /* less space after the block */

typedef struct db_block {
    db_type type;
    const char *tag; /* element the whole block fills, or NULL */
    unsigned flags;
    ds_text text;
    ds_text *items; /* BULLETS, OPTIONS: n_items; grids: n_rows*n_cols */
    size_t n_items;
    size_t n_rows;
    size_t n_cols;
    double *widths; /* fractions of the text width, n_cols */
    double space;   /* DB_SPACE: points */
} db_block;

struct mn_doc {
    mn_arena *arena;
    mn_doc_kind kind;
    const char *title; /* PDF metadata, HTML <title> */
    const char *lang;  /* "en", "es" */
    int one_page;      /* the PDF must fit on one page */
    double font_size;  /* body size in points */
    double margin;     /* page margin in points */
    int filled_marks;  /* underline filled values (forms, not letters) */
    mn_vec blocks;     /* db_block */
    mn_vec warnings;   /* const char * */
    mn_vec fields;     /* (tag, text) pairs: const char *[2] */
    int nomem;         /* an allocation failed while building */
};

/* ---- building (doc.c) ---- */

int mn_x__doc_new(mn_doc **out, mn_doc_kind kind, mn_error *err);
/* A copy of `s` (NULL: NULL) in the arena: invalid UTF-8 becomes U+FFFD,
 * control characters become spaces (newlines too unless keep_lines). */
char *mn_x__doc_str(mn_doc *d, const char *s, size_t len, int keep_lines);
/* The same for a NUL-terminated string; NULL gives NULL. */
char *mn_x__doc_strz(mn_doc *d, const char *s);
char *mn_x__doc_printf(mn_doc *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends a block (zeroed, of `type`); NULL when out of memory. */
db_block *mn_x__doc_block(mn_doc *d, db_type type);
/* Records the text of an element for mn_doc_field. */
void mn_x__doc_field(mn_doc *d, const char *tag, const char *text);
void mn_x__doc_warn(mn_doc *d, const char *msg);

/* Builds styled text piece by piece. */
typedef struct ds_builder {
    mn_doc *d;
    mn_vec spans; /* ds_span */
} ds_builder;
void mn_x__tb_init(ds_builder *b, mn_doc *d);
/* Appends `s` (copied, sanitised) with a style and a tag. */
void mn_x__tb_add(ds_builder *b, const char *s, unsigned style,
                  const char *tag);
void mn_x__tb_break(ds_builder *b);
/* Appends inline markup: `**bold**`, a backslash at the end of a line for
 * a hard break, other newlines as spaces; `{name}` is replaced through
 * `lookup` (NULL result: left as is), filled and tagged by the lookup. */
typedef const char *(*ds_lookup)(void *payload, const char *name,
                                 size_t name_len, const char **tag);
void mn_x__tb_markup(ds_builder *b, const char *src, size_t len,
                     ds_lookup lookup, void *payload);
/* The same for a NUL-terminated string; NULL (an allocation that failed
 * before) adds nothing. */
void mn_x__tb_markupz(ds_builder *b, const char *src, ds_lookup lookup,
                      void *payload);
/* Moves the spans into the arena as `out`; the builder is reset. */
void mn_x__tb_take(ds_builder *b, ds_text *out);
void mn_x__tb_free(ds_builder *b);

/* Shorthands: a block of one styled text. */
db_block *mn_x__doc_text_block(mn_doc *d, db_type type, const char *markup,
                               ds_lookup lookup, void *payload);
/* A grid block with its cells allocated (zeroed) and widths set. */
db_block *mn_x__doc_grid(mn_doc *d, db_type type, size_t rows, size_t cols,
                         const double *widths);
/* The plain text of styled text, in the arena. */
char *mn_x__ds_plain(mn_doc *d, const ds_text *t);

/* ---- renderers ---- */
int mn_x__render_pdf(mn_buf *out, const mn_doc *d, size_t *pages,
                     mn_error *err);
int mn_x__render_html(mn_buf *out, const mn_doc *d, mn_error *err);
int mn_x__render_md(mn_buf *out, const mn_doc *d, int plain, mn_error *err);

/* ---- small shared helpers (docutil.c) ---- */

/* "$1,234.50" from cents. out >= 24 bytes. */
void mn_x__money(char out[24], int64_t cents);
/* "March 2, 2026" (en) or "2 de marzo de 2026" (es) from days. */
void mn_x__long_date(char out[40], int32_t days, const char *lang);
/* Today (UTC) as days since 1970. */
int32_t mn_x__today(void);
/* True when `s` (NUL-terminated) is valid UTF-8 without NUL. */
bool mn_x__utf8_valid(const char *s, size_t len);

#endif
