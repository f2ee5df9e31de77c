/*
 * doc/md.c: the Markdown renderer (CommonMark with GitHub tables and task
 * boxes) and the plain-text one (wrapped at 78 columns), from the same
 * walk over the blocks.
 */
#include <string.h>

#include "doc/doc_int.h"
#include "out/writer.h"

#define WRAP 78

typedef struct mdw {
    mn_out w;
    int plain;
} mdw;

/* Markdown: escapes what CommonMark would read as markup. `in_table`
 * also escapes the cell separator. */
static void md_esc(mdw *m, const char *s, int in_table)
{
    const char *run = s;

    for (; *s; s++) {
        if (!strchr("\\`*_[]<>#~", *s) && !(*s == '|' && in_table))
            continue;
        mn_x__out_raw(&m->w, run, (size_t)(s - run));
        MN_OUT_LIT(&m->w, "\\");
        mn_x__out_raw(&m->w, s, 1);
        run = s + 1;
    }
    mn_x__out_raw(&m->w, run, (size_t)(s - run));
}

/* Styled text into `dst`: Markdown marks (or none), breaks as `brk`. */
static void md_text(mdw *m, const ds_text *t, int in_table, const char *brk)
{
    for (size_t i = 0; i < t->n; i++) {
        const ds_span *s = &t->spans[i];
        if (s->style & DS_BREAK) {
            mn_x__out_puts(&m->w, brk);
            continue;
        }
        if (m->plain) {
            mn_x__out_puts(&m->w, s->text);
            continue;
        }
        if (s->style & DS_BOLD)
            MN_OUT_LIT(&m->w, "**");
        if (s->style & DS_STRIKE)
            MN_OUT_LIT(&m->w, "~~");
        md_esc(m, s->text, in_table);
        if (s->style & DS_STRIKE)
            MN_OUT_LIT(&m->w, "~~");
        if (s->style & DS_BOLD)
            MN_OUT_LIT(&m->w, "**");
    }
}

/* Plain text: `prefix` on the first line, `indent` spaces on the others,
 * words wrapped at WRAP columns (code points), breaks kept. */
static void plain_wrapped(mdw *m, const ds_text *t, const char *prefix,
                          size_t indent)
{
    mn_buf tmp;
    mn_out keep = m->w;
    const char *s;
    size_t col;
    size_t plen = strlen(prefix);
    int bol; /* at the start of a line: no space before the word */

    memset(&tmp, 0, sizeof(tmp));
    tmp.v.max = (size_t)8 << 20;
    mn_x__out_init(&m->w, &tmp);
    md_text(m, t, 0, "\n");
    keep.rc = keep.rc ? keep.rc : m->w.rc;
    m->w = keep;
    s = tmp.v.data ? (const char *)tmp.v.data : "";
    mn_x__out_puts(&m->w, prefix);
    col = plen;
    bol = 1;
    while (*s) {
        size_t wl = 0;
        size_t cols = 0;
        if (*s == '\n') {
            MN_OUT_LIT(&m->w, "\n");
            for (size_t k = 0; k < indent; k++)
                MN_OUT_LIT(&m->w, " ");
            col = indent;
            bol = 1;
            s++;
            continue;
        }
        if (*s == ' ') {
            s++;
            continue;
        }
        while (s[wl] && s[wl] != ' ' && s[wl] != '\n') {
            if (((unsigned char)s[wl] & 0xC0) != 0x80)
                cols++;
            wl++;
        }
        if (!bol && col + 1 + cols > WRAP) {
            MN_OUT_LIT(&m->w, "\n");
            for (size_t k = 0; k < indent; k++)
                MN_OUT_LIT(&m->w, " ");
            col = indent;
        } else if (!bol) {
            MN_OUT_LIT(&m->w, " ");
            col++;
        }
        bol = 0;
        mn_x__out_raw(&m->w, s, wl);
        col += cols;
        s += wl;
    }
    MN_OUT_LIT(&m->w, "\n");
    mn_x__vec_free(&tmp.v);
}

static void para(mdw *m, const ds_text *t, const char *md_prefix)
{
    if (m->plain) {
        plain_wrapped(m, t, "", 0);
    } else {
        mn_x__out_puts(&m->w, md_prefix);
        md_text(m, t, 0, "\\\n");
        MN_OUT_LIT(&m->w, "\n");
    }
}

static void table(mdw *m, const db_block *b)
{
    if (m->plain) {
        /* one record per row: "Header: value" lines */
        for (size_t r = 1; r < b->n_rows; r++) {
            for (size_t c = 0; c < b->n_cols; c++) {
                mn_x__out_puts(&m->w, c == 0 ? "- " : "  ");
                md_text(m, &b->items[c], 0, " ");
                MN_OUT_LIT(&m->w, " ");
                md_text(m, &b->items[r * b->n_cols + c], 0, " ");
                MN_OUT_LIT(&m->w, "\n");
            }
        }
        return;
    }
    for (size_t r = 0; r < b->n_rows; r++) {
        MN_OUT_LIT(&m->w, "|");
        for (size_t c = 0; c < b->n_cols; c++) {
            MN_OUT_LIT(&m->w, " ");
            md_text(m, &b->items[r * b->n_cols + c], 1, "<br>");
            MN_OUT_LIT(&m->w, " |");
        }
        MN_OUT_LIT(&m->w, "\n");
        if (r == 0) {
            MN_OUT_LIT(&m->w, "|");
            for (size_t c = 0; c < b->n_cols; c++)
                MN_OUT_LIT(&m->w, "---|");
            MN_OUT_LIT(&m->w, "\n");
        }
    }
}

int mn_x__render_md(mn_buf *out, const mn_doc *d, int plain, mn_error *err)
{
    const db_block *blocks = (const db_block *)d->blocks.data;
    size_t n = MN_VEC_COUNT(&d->blocks, db_block);
    size_t start = out->v.len;
    mdw m;

    memset(&m, 0, sizeof(m));
    m.plain = plain;
    mn_x__out_init(&m.w, out);
    for (size_t i = 0; i < n; i++) {
        const db_block *b = &blocks[i];
        switch (b->type) {
        case DB_TITLE:
            para(&m, &b->text, "# ");
            if (plain) {
                for (size_t k = 0; k < 40; k++)
                    MN_OUT_LIT(&m.w, "=");
                MN_OUT_LIT(&m.w, "\n");
            }
            MN_OUT_LIT(&m.w, "\n");
            break;
        case DB_HEADING:
            para(&m, &b->text, "## ");
            if (plain)
                MN_OUT_LIT(&m.w, "----------------------------------------\n");
            MN_OUT_LIT(&m.w, "\n");
            break;
        case DB_PARA:
        case DB_SMALL:
            para(&m, &b->text, "");
            MN_OUT_LIT(&m.w, "\n");
            break;
        case DB_BULLETS:
        case DB_OPTIONS:
            for (size_t k = 0; k < b->n_items; k++) {
                const char *pre = b->type == DB_OPTIONS ? "- [ ] " : "- ";
                if (plain) {
                    plain_wrapped(&m, &b->items[k],
                                  b->type == DB_OPTIONS ? "[ ] " : "  * ", 4);
                } else {
                    mn_x__out_puts(&m.w, pre);
                    md_text(&m, &b->items[k], 0, "\\\n  ");
                    MN_OUT_LIT(&m.w, "\n");
                }
            }
            MN_OUT_LIT(&m.w, "\n");
            break;
        case DB_FIELDS:
            for (size_t c = 0; c < b->n_cols; c++) {
                if (b->items[c].n == 0)
                    continue;
                if (plain) {
                    plain_wrapped(&m, &b->items[c], "", 2);
                } else {
                    md_text(&m, &b->items[c], 0, "\\\n");
                    mn_x__out_puts(&m.w, c + 1 < b->n_cols ? "\\\n" : "\n");
                }
            }
            if (!(b->flags & DB_F_TIGHT))
                MN_OUT_LIT(&m.w, "\n");
            break;
        case DB_TABLE:
            table(&m, b);
            MN_OUT_LIT(&m.w, "\n");
            break;
        case DB_BOX_BEGIN:
        case DB_BOX_END:
        case DB_SPACE:
            break;
        case DB_RULE:
            mn_x__out_puts(&m.w, plain ? "------------------------------------"
                                         "------------------------------------"
                                         "------\n\n"
                                       : "---\n\n");
            break;
        case DB_SIGNATURE:
            for (size_t c = 0; c < b->n_cols; c++) {
                if (!plain)
                    MN_OUT_LIT(&m.w, "**");
                md_text(&m, &b->items[c], 0, " ");
                if (!plain)
                    MN_OUT_LIT(&m.w, "**");
                MN_OUT_LIT(&m.w, " ______________________________");
                mn_x__out_puts(&m.w, c + 1 < b->n_cols ? "    " : "\n\n");
            }
            break;
        case DB_FOOTER:
            for (size_t c = 0; c < b->n_cols; c++) {
                md_text(&m, &b->items[c], 0, " ");
                mn_x__out_puts(&m.w, c + 1 < b->n_cols ? (plain ? "\n" : "\\\n")
                                                       : "\n\n");
            }
            break;
        }
    }
    if (m.w.rc != MN_OK) {
        out->v.len = start;
        if (out->v.data)
            out->v.data[start] = '\0';
        return mn_x__err(err, m.w.rc,
                         m.w.rc == MN_ENOMEM ? "out of memory"
                                             : "the document is larger than "
                                               "the output buffer allows");
    }
    return MN_OK;
}
