/*
 * doc/html.c: the HTML renderer: one standalone page (inline CSS, no
 * script, nothing fetched) that prints on US letter. Each filled value
 * carries data-element="<tag>" so a test, or a person's browser tools,
 * can find every blank.
 */
#include <string.h>

#include "doc/doc_int.h"
#include "out/writer.h"

static const char css[] =
    "@page{size:letter;margin:0.5in}"
    "body{font-family:\"Liberation Sans\",Arial,Helvetica,sans-serif;"
    "font-size:11pt;line-height:1.25;margin:0;color:#000;background:#fff}"
    "main.doc{max-width:7.5in;margin:0 auto;padding:0.3in 0.25in}"
    "@media print{main.doc{padding:0;max-width:none}}"
    "h1{font-size:15pt;margin:.3em 0 .4em}"
    "h1.center,p.center{text-align:center}"
    "h2{font-size:12pt;margin:.8em 0 .3em}"
    "p{margin:0 0 .5em}p.tight{margin-bottom:.15em}"
    ".small{font-size:8pt}"
    ".filled{text-decoration:underline}"
    "table.grid .filled{text-decoration:none}"
    "hr.rule{border:0;border-top:1px solid #000;margin:.3em 0 .5em}"
    "hr.thick{border-top:2.5pt solid #000}"
    ".box{border:1px solid #000;padding:.4em .55em;margin:.2em 0 .6em}"
    "table.grid{border-collapse:collapse;width:100%;margin:0 0 .6em}"
    "table.grid th,table.grid td{border:1px solid #000;padding:.25em .35em;"
    "vertical-align:top;text-align:left}"
    "table.grid th{background:#e0e0e0}"
    "table.fields{border-collapse:collapse;width:100%;margin:0 0 .4em}"
    "table.fields td{padding:0 .3em 0 0;vertical-align:top}"
    "ul.options{list-style:none;padding-left:0;margin:0 0 .4em}"
    "ul.options li{display:flex;gap:.6em;margin:0 0 .45em}"
    ".checkbox{flex:none;width:.8em;height:.8em;border:1px solid #000;"
    "margin-top:.2em}"
    "ul.bullets{margin:0 0 .5em;padding-left:1.3em}"
    "table.sig{width:100%;border-collapse:collapse;margin:1em 0 .4em}"
    "table.sig td{font-weight:bold;white-space:nowrap;padding-right:1em}"
    "table.sig td span.line{display:inline-block;width:75%;"
    "border-bottom:1px solid #000;vertical-align:bottom;height:1.3em}"
    "div.footer{display:flex;justify-content:space-between;font-size:8pt;"
    "margin-top:.4em}";

static void esc(mn_out *w, const char *s)
{
    const char *run = s;

    for (; *s; s++) {
        const char *rep = NULL;
        switch (*s) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        default:
            continue;
        }
        mn_x__out_raw(w, run, (size_t)(s - run));
        mn_x__out_puts(w, rep);
        run = s + 1;
    }
    mn_x__out_raw(w, run, (size_t)(s - run));
}

/* A width as "33.3%", without the locale's decimal point. */
static void pct(mn_out *w, double frac)
{
    long t = (long)(frac * 1000.0 + 0.5);
    mn_x__out_printf(w, "%ld.%ld%%", t / 10, t % 10);
}

static void tag_attr(mn_out *w, const char *tag)
{
    if (!tag)
        return;
    MN_OUT_LIT(w, " data-element=\"");
    esc(w, tag);
    MN_OUT_LIT(w, "\"");
}

static void text(mn_out *w, const ds_text *t, int marks)
{
    for (size_t i = 0; i < t->n; i++) {
        const ds_span *s = &t->spans[i];
        int filled = (s->style & DS_FILLED) && marks;
        int span = filled || s->tag;
        if (s->style & DS_BREAK) {
            MN_OUT_LIT(w, "<br>");
            continue;
        }
        if (s->style & DS_BOLD)
            MN_OUT_LIT(w, "<strong>");
        if (s->style & DS_ITALIC)
            MN_OUT_LIT(w, "<em>");
        if (s->style & DS_STRIKE)
            MN_OUT_LIT(w, "<s>");
        if (span) {
            MN_OUT_LIT(w, "<span");
            if (filled)
                MN_OUT_LIT(w, " class=\"filled\"");
            tag_attr(w, s->tag);
            MN_OUT_LIT(w, ">");
        }
        esc(w, s->text);
        if (span)
            MN_OUT_LIT(w, "</span>");
        if (s->style & DS_STRIKE)
            MN_OUT_LIT(w, "</s>");
        if (s->style & DS_ITALIC)
            MN_OUT_LIT(w, "</em>");
        if (s->style & DS_BOLD)
            MN_OUT_LIT(w, "</strong>");
    }
}

static void open_el(mn_out *w, const char *el, const char *cls,
                    const db_block *b)
{
    mn_x__out_printf(w, "<%s", el);
    if (cls && cls[0]) {
        MN_OUT_LIT(w, " class=\"");
        mn_x__out_puts(w, cls);
        MN_OUT_LIT(w, "\"");
    }
    tag_attr(w, b->tag);
    MN_OUT_LIT(w, ">");
}

static void grid(mn_out *w, const db_block *b, const char *cls, int marks)
{
    open_el(w, "table", cls, b);
    if (b->type == DB_TABLE) {
        MN_OUT_LIT(w, "<colgroup>");
        for (size_t c = 0; c < b->n_cols; c++) {
            MN_OUT_LIT(w, "<col style=\"width:");
            pct(w, b->widths[c]);
            MN_OUT_LIT(w, "\">");
        }
        MN_OUT_LIT(w, "</colgroup>");
    }
    for (size_t r = 0; r < b->n_rows; r++) {
        int head = b->type == DB_TABLE && r == 0;
        MN_OUT_LIT(w, "<tr>");
        for (size_t c = 0; c < b->n_cols; c++) {
            const ds_text *t = &b->items[r * b->n_cols + c];
            if (b->type == DB_FIELDS) {
                MN_OUT_LIT(w, "<td style=\"width:");
                pct(w, b->widths[c]);
                MN_OUT_LIT(w, "\">");
            } else
                mn_x__out_puts(w, head ? "<th>" : "<td>");
            text(w, t, marks);
            mn_x__out_puts(w, head ? "</th>" : "</td>");
        }
        MN_OUT_LIT(w, "</tr>\n");
    }
    MN_OUT_LIT(w, "</table>\n");
}

int mn_x__render_html(mn_buf *out, const mn_doc *d, mn_error *err)
{
    static const char *const kinds[] = {"abn", "letter", "appeal"};
    const db_block *blocks = (const db_block *)d->blocks.data;
    size_t n = MN_VEC_COUNT(&d->blocks, db_block);
    size_t start = out->v.len;
    mn_out w;

    mn_x__out_init(&w, out);
    MN_OUT_LIT(&w, "<!DOCTYPE html>\n<html lang=\"");
    esc(&w, d->lang);
    MN_OUT_LIT(&w, "\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width\">\n"
                   "<meta name=\"generator\" content=\"mednec\">\n<title>");
    esc(&w, d->title ? d->title : "");
    MN_OUT_LIT(&w, "</title>\n<style>");
    mn_x__out_puts(&w, css);
    MN_OUT_LIT(&w, "</style>\n</head>\n<body>\n<main class=\"doc doc-");
    mn_x__out_puts(&w, kinds[d->kind <= MN_DOC_APPEAL ? d->kind : 0]);
    MN_OUT_LIT(&w, "\">\n");
    for (size_t i = 0; i < n; i++) {
        const db_block *b = &blocks[i];
        int center = (b->flags & DB_F_CENTER) != 0;
        switch (b->type) {
        case DB_TITLE:
            open_el(&w, "h1", center ? "center" : "", b);
            text(&w, &b->text, d->filled_marks);
            MN_OUT_LIT(&w, "</h1>\n");
            break;
        case DB_HEADING:
            open_el(&w, "h2", "", b);
            text(&w, &b->text, d->filled_marks);
            MN_OUT_LIT(&w, "</h2>\n");
            break;
        case DB_PARA:
            open_el(&w, "p",
                    center ? "center"
                           : ((b->flags & DB_F_TIGHT) ? "tight" : ""),
                    b);
            text(&w, &b->text, d->filled_marks);
            MN_OUT_LIT(&w, "</p>\n");
            break;
        case DB_SMALL:
            open_el(&w, "p", center ? "small center" : "small", b);
            text(&w, &b->text, d->filled_marks);
            MN_OUT_LIT(&w, "</p>\n");
            break;
        case DB_BULLETS:
        case DB_OPTIONS:
            open_el(&w, "ul", b->type == DB_OPTIONS ? "options" : "bullets", b);
            for (size_t k = 0; k < b->n_items; k++) {
                MN_OUT_LIT(&w, "<li>");
                if (b->type == DB_OPTIONS)
                    MN_OUT_LIT(&w, "<span class=\"checkbox\" "
                                   "role=\"img\" aria-label=\"box\"></span>"
                                   "<span>");
                text(&w, &b->items[k], d->filled_marks);
                if (b->type == DB_OPTIONS)
                    MN_OUT_LIT(&w, "</span>");
                MN_OUT_LIT(&w, "</li>\n");
            }
            MN_OUT_LIT(&w, "</ul>\n");
            break;
        case DB_FIELDS:
            grid(&w, b, "fields", d->filled_marks);
            break;
        case DB_TABLE:
            grid(&w, b, "grid", d->filled_marks);
            break;
        case DB_BOX_BEGIN:
            open_el(&w, "div", "box", b);
            MN_OUT_LIT(&w, "\n");
            break;
        case DB_BOX_END:
            MN_OUT_LIT(&w, "</div>\n");
            break;
        case DB_RULE:
            MN_OUT_LIT(&w, "<hr class=\"rule");
            if (b->flags & DB_F_THICK)
                MN_OUT_LIT(&w, " thick");
            MN_OUT_LIT(&w, "\">\n");
            break;
        case DB_SIGNATURE:
            open_el(&w, "table", "sig", b);
            MN_OUT_LIT(&w, "<tr>");
            for (size_t c = 0; c < b->n_cols; c++) {
                MN_OUT_LIT(&w, "<td style=\"width:");
                pct(&w, b->widths[c]);
                MN_OUT_LIT(&w, "\">");
                text(&w, &b->items[c], d->filled_marks);
                MN_OUT_LIT(&w, " <span class=\"line\"></span></td>");
            }
            MN_OUT_LIT(&w, "</tr></table>\n");
            break;
        case DB_FOOTER:
            open_el(&w, "div", "footer", b);
            for (size_t c = 0; c < b->n_cols; c++) {
                MN_OUT_LIT(&w, "<span>");
                text(&w, &b->items[c], d->filled_marks);
                MN_OUT_LIT(&w, "</span>");
            }
            MN_OUT_LIT(&w, "</div>\n");
            break;
        case DB_SPACE:
            mn_x__out_printf(&w, "<div style=\"height:%ldpt\"></div>\n",
                             (long)b->space);
            break;
        }
    }
    MN_OUT_LIT(&w, "</main>\n</body>\n</html>\n");
    if (w.rc != MN_OK) {
        out->v.len = start;
        if (out->v.data)
            out->v.data[start] = '\0';
        return mn_x__err(err, w.rc,
                         w.rc == MN_ENOMEM ? "out of memory"
                                           : "the document is larger than "
                                             "the output buffer allows");
    }
    return MN_OK;
}
