/*
 * doc/pdf.c: the PDF renderer. cairo's PDF surface (US letter, fonts
 * embedded as subsets) with Pango laying out and breaking every line, so
 * any Unicode text in a name or a description is shaped and set with a
 * font that has its glyphs (fontconfig's fallback).
 *
 * The layout is one function run twice: a measuring pass that counts the
 * pages (and, for a document that must fit on one page, tries slightly
 * smaller type), then the drawing pass.
 */
#include <stdio.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include "doc/doc_int.h"

#define PAGE_W 612.0 /* US letter, points */
#define PAGE_H 792.0
#define FAMILY "Liberation Sans,DejaVu Sans,sans-serif"

typedef struct pc {
    const mn_doc *d;
    cairo_t *cr;
    int draw;
    double size; /* body font size, points */
    double left, width;
    double top, bottom;
    double y;
    size_t page;  /* 1-based */
    size_t total; /* pages of the measuring pass (page numbers) */
    int in_box;
    double box_y, box_left, box_width;
    mn_vec text; /* scratch: the layout's text */
    int nomem;
} pc;

/* ---- text ---- */

static PangoLayout *layout_for(pc *p, const ds_text *t, double size,
                               unsigned extra, double width,
                               PangoAlignment align, int underline_filled)
{
    PangoLayout *lay = pango_cairo_create_layout(p->cr);
    PangoFontDescription *fd = pango_font_description_new();
    PangoAttrList *attrs = pango_attr_list_new();

    p->text.len = 0;
    for (size_t i = 0; i < t->n; i++) {
        const ds_span *s = &t->spans[i];
        unsigned st = s->style | extra;
        size_t start = p->text.len;
        const char *txt = (st & DS_BREAK) ? "\n" : s->text;
        if (mn_x__vec_push(&p->text, txt, strlen(txt)) != MN_OK) {
            p->nomem = 1;
            break;
        }
        if (st & DS_BOLD) {
            PangoAttribute *a = pango_attr_weight_new(PANGO_WEIGHT_BOLD);
            a->start_index = (guint)start;
            a->end_index = (guint)p->text.len;
            pango_attr_list_insert(attrs, a);
        }
        if (st & DS_ITALIC) {
            PangoAttribute *a = pango_attr_style_new(PANGO_STYLE_ITALIC);
            a->start_index = (guint)start;
            a->end_index = (guint)p->text.len;
            pango_attr_list_insert(attrs, a);
        }
        if ((st & DS_FILLED) && underline_filled && p->d->filled_marks) {
            PangoAttribute *a =
                pango_attr_underline_new(PANGO_UNDERLINE_SINGLE);
            a->start_index = (guint)start;
            a->end_index = (guint)p->text.len;
            pango_attr_list_insert(attrs, a);
        }
        if (st & DS_STRIKE) {
            PangoAttribute *a = pango_attr_strikethrough_new(TRUE);
            a->start_index = (guint)start;
            a->end_index = (guint)p->text.len;
            pango_attr_list_insert(attrs, a);
        }
    }
    pango_font_description_set_family(fd, FAMILY);
    pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
    pango_layout_set_font_description(lay, fd);
    pango_layout_set_text(lay, p->text.len ? (const char *)p->text.data : "",
                          (int)p->text.len);
    pango_layout_set_attributes(lay, attrs);
    pango_layout_set_width(lay, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(lay, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(lay, align);
    pango_attr_list_unref(attrs);
    pango_font_description_free(fd);
    return lay;
}

static double layout_h(PangoLayout *lay)
{
    PangoRectangle r;
    pango_layout_get_extents(lay, NULL, &r);
    return (double)r.height / PANGO_SCALE;
}

static void show(pc *p, PangoLayout *lay, double x, double y)
{
    if (!p->draw)
        return;
    cairo_move_to(p->cr, x, y);
    pango_cairo_show_layout(p->cr, lay);
}

/* ---- pages and boxes ---- */

static void box_rect(pc *p, double y0, double y1)
{
    if (!p->draw)
        return;
    cairo_set_line_width(p->cr, 1.0);
    cairo_rectangle(p->cr, p->box_left, y0, p->box_width, y1 - y0);
    cairo_stroke(p->cr);
}

static void page_number(pc *p)
{
    ds_span s;
    ds_text t;
    char buf[64];
    PangoLayout *lay;

    if (!p->draw || p->d->one_page || p->total < 2)
        return;
    snprintf(buf, sizeof(buf), "%s %zu / %zu",
             strcmp(p->d->lang, "es") == 0 ? "Página" : "Page", p->page,
             p->total);
    s.text = buf;
    s.style = 0;
    s.tag = NULL;
    t.spans = &s;
    t.n = 1;
    lay = layout_for(p, &t, p->size * 0.75, 0, PAGE_W - 2 * p->d->margin,
                     PANGO_ALIGN_CENTER, 0);
    show(p, lay, p->d->margin, PAGE_H - p->d->margin / 2 - p->size * 0.5);
    g_object_unref(lay);
}

static void new_page(pc *p)
{
    double pad = p->size * 0.45;

    if (p->in_box)
        box_rect(p, p->box_y, p->y);
    page_number(p);
    if (p->draw)
        cairo_show_page(p->cr);
    p->page++;
    p->y = p->top;
    if (p->in_box) {
        p->box_y = p->y;
        p->y += pad;
    }
}

/* Starts a new page when `h` does not fit below y (and y is not at the
 * top already: a block taller than a page is drawn and runs over). */
static void need(pc *p, double h)
{
    if (p->y + h > p->bottom && p->y > p->top + 0.5)
        new_page(p);
}

/* ---- blocks ---- */

static void text_block(pc *p, const db_block *b, double size, unsigned extra,
                       double before, double after, double keep)
{
    PangoAlignment al =
        (b->flags & DB_F_CENTER) ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT;
    PangoLayout *lay = layout_for(p, &b->text, size, extra, p->width, al, 1);
    double h = layout_h(lay);

    if (p->y > p->top + 0.5)
        p->y += before;
    /* `keep`: room for the start of the next block (a heading is not left
       alone at the bottom of a page) */
    need(p, h + keep);
    show(p, lay, p->left, p->y);
    p->y += h + after;
    g_object_unref(lay);
}

static void list_block(pc *p, const db_block *b, int boxes)
{
    double indent = boxes ? p->size * 1.7 : p->size * 1.3;

    for (size_t i = 0; i < b->n_items; i++) {
        PangoLayout *lay = layout_for(p, &b->items[i], p->size, 0,
                                      p->width - indent, PANGO_ALIGN_LEFT, 1);
        double h = layout_h(lay);
        need(p, h);
        if (p->draw) {
            if (boxes) {
                double s = p->size * 0.85;
                cairo_set_line_width(p->cr, 0.9);
                cairo_rectangle(p->cr, p->left + 1, p->y + p->size * 0.2, s, s);
                cairo_stroke(p->cr);
            } else {
                cairo_new_path(p->cr);
                cairo_arc(p->cr, p->left + p->size * 0.45,
                          p->y + p->size * 0.62, p->size * 0.16, 0, 2 * G_PI);
                cairo_fill(p->cr);
            }
        }
        show(p, lay, p->left + indent, p->y);
        p->y += h + p->size * (boxes ? 0.4 : 0.2);
        g_object_unref(lay);
    }
    p->y += p->size * 0.3;
}

/* One row of cells: returns its height; draws when `draw_now`. */
static double cells_row(pc *p, const db_block *b, size_t row, double pad,
                        double size, unsigned extra, int draw_now,
                        int underline)
{
    double x = p->left;
    double h = 0;
    PangoLayout *lays[16];
    size_t n = b->n_cols < 16 ? b->n_cols : 16;

    for (size_t c = 0; c < n; c++) {
        double w = b->widths[c] * p->width;
        PangoAlignment al = PANGO_ALIGN_LEFT;
        if (b->type == DB_FOOTER && n > 1)
            al = c == 0 ? PANGO_ALIGN_LEFT
                        : (c == n - 1 ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_CENTER);
        lays[c] = layout_for(p, &b->items[row * b->n_cols + c], size, extra,
                             w - 2 * pad, al, underline);
        if (layout_h(lays[c]) > h)
            h = layout_h(lays[c]);
    }
    for (size_t c = 0; c < n; c++) {
        double w = b->widths[c] * p->width;
        if (draw_now)
            show(p, lays[c], x + pad, p->y + pad);
        x += w;
        g_object_unref(lays[c]);
    }
    return h + 2 * pad;
}

/* Draws the borders (and the header's shade) of row r at y. */
static void row_frame(pc *p, const db_block *b, size_t r, double h)
{
    double x = p->left;

    if (!p->draw)
        return;
    if (r == 0) {
        cairo_set_source_rgb(p->cr, 0.88, 0.88, 0.88);
        cairo_rectangle(p->cr, p->left, p->y, p->width, h);
        cairo_fill(p->cr);
        cairo_set_source_rgb(p->cr, 0, 0, 0);
    }
    cairo_set_line_width(p->cr, 0.8);
    for (size_t c = 0; c < b->n_cols; c++) {
        double w = b->widths[c] * p->width;
        cairo_rectangle(p->cr, x, p->y, w, h);
        x += w;
    }
    cairo_stroke(p->cr);
}

static void table_block(pc *p, const db_block *b)
{
    double pad = p->size * 0.35;
    double h0 = cells_row(p, b, 0, pad, p->size, DS_BOLD, 0, 0);

    for (size_t r = 0; r < b->n_rows; r++) {
        double h = cells_row(p, b, r, pad, p->size, r == 0 ? DS_BOLD : 0, 0, 0);
        size_t page = p->page;
        /* the header stays with the first row */
        if (r == 0 && b->n_rows > 1)
            need(p, h + cells_row(p, b, 1, pad, p->size, 0, 0, 0));
        else
            need(p, h);
        if (r > 0 && p->page != page) {
            /* the header again on the new page */
            row_frame(p, b, 0, h0);
            cells_row(p, b, 0, pad, p->size, DS_BOLD, 1, 0);
            p->y += h0;
        }
        row_frame(p, b, r, h);
        cells_row(p, b, r, pad, p->size, r == 0 ? DS_BOLD : 0, 1, 0);
        p->y += h;
    }
    p->y += p->size * 0.6;
}

static void fields_block(pc *p, const db_block *b)
{
    double h = cells_row(p, b, 0, 0, p->size, 0, 0, 1);

    need(p, h);
    cells_row(p, b, 0, 0, p->size, 0, 1, 1);
    p->y += h + ((b->flags & DB_F_TIGHT) ? p->size * 0.15 : p->size * 0.45);
}

static void signature_block(pc *p, const db_block *b)
{
    double h = p->size * 2.6;
    double x = p->left;

    need(p, h);
    for (size_t c = 0; c < b->n_cols; c++) {
        double w = b->widths[c] * p->width;
        PangoLayout *lay = layout_for(p, &b->items[c], p->size, DS_BOLD, w,
                                      PANGO_ALIGN_LEFT, 0);
        PangoRectangle r;
        double base = p->y + h - p->size * 0.7;
        pango_layout_get_extents(lay, NULL, &r);
        show(p, lay, x, base - p->size);
        if (p->draw) {
            double lx = x + (double)r.width / PANGO_SCALE + 4;
            cairo_set_line_width(p->cr, 0.8);
            cairo_move_to(p->cr, lx, base + 0.5);
            cairo_line_to(p->cr, x + w - p->size, base + 0.5);
            cairo_stroke(p->cr);
        }
        x += w;
        g_object_unref(lay);
    }
    p->y += h + p->size * 0.4;
}

static void footer_block(pc *p, const db_block *b)
{
    double size = p->size * 0.72;
    double h = cells_row(p, b, 0, 0, size, 0, 0, 0);
    double keep = p->y;

    if (b->flags & DB_F_BOTTOM) {
        if (p->y + h > p->bottom)
            new_page(p);
        keep = p->y;
        p->y = p->bottom - h;
        cells_row(p, b, 0, 0, size, 0, 1, 0);
        p->y = keep > p->bottom - h ? keep : p->bottom - h;
        p->y += h;
        return;
    }
    need(p, h);
    cells_row(p, b, 0, 0, size, 0, 1, 0);
    p->y += h + size * 0.3;
}

static void layout_doc(pc *p)
{
    const db_block *blocks = (const db_block *)p->d->blocks.data;
    size_t n = MN_VEC_COUNT(&p->d->blocks, db_block);
    double s = p->size;

    p->page = 1;
    p->left = p->d->margin;
    p->width = PAGE_W - 2 * p->d->margin;
    p->top = p->d->margin;
    p->bottom = PAGE_H - p->d->margin;
    p->y = p->top;
    p->in_box = 0;
    if (p->draw) {
        cairo_set_source_rgb(p->cr, 0, 0, 0);
    }
    for (size_t i = 0; i < n && !p->nomem; i++) {
        const db_block *b = &blocks[i];
        switch (b->type) {
        case DB_TITLE:
            text_block(p, b, s * 1.45, DS_BOLD, s * 0.4, s * 0.5, 0);
            break;
        case DB_HEADING: {
            /* keep with the next block's start: three lines, or a table's
               header and first row */
            double keep = s * 3.6;
            if (i + 1 < n && blocks[i + 1].type == DB_TABLE &&
                blocks[i + 1].n_rows > 1) {
                double pad = s * 0.35;
                double t =
                    cells_row(p, &blocks[i + 1], 0, pad, s, DS_BOLD, 0, 0) +
                    cells_row(p, &blocks[i + 1], 1, pad, s, 0, 0, 0);
                keep = t > keep ? t : keep;
            }
            text_block(p, b, s * 1.08, DS_BOLD, s * 0.55, s * 0.3, keep);
            break;
        }
        case DB_PARA:
            text_block(p, b, s, 0, 0,
                       (b->flags & DB_F_TIGHT) ? s * 0.2 : s * 0.55, 0);
            break;
        case DB_SMALL:
            text_block(p, b, s * 0.72, 0, 0, s * 0.3, 0);
            break;
        case DB_BULLETS:
            list_block(p, b, 0);
            break;
        case DB_OPTIONS:
            list_block(p, b, 1);
            break;
        case DB_FIELDS:
            fields_block(p, b);
            break;
        case DB_TABLE:
            table_block(p, b);
            break;
        case DB_BOX_BEGIN: {
            double pad = s * 0.45;
            need(p, s * 4);
            p->in_box = 1;
            p->box_y = p->y;
            p->box_left = p->left;
            p->box_width = p->width;
            p->left += pad;
            p->width -= 2 * pad;
            p->y += pad;
            break;
        }
        case DB_BOX_END:
            if (p->in_box) {
                double pad = s * 0.45;
                p->y += pad * 0.3;
                box_rect(p, p->box_y, p->y);
                p->left = p->box_left;
                p->width = p->box_width;
                p->in_box = 0;
                p->y += pad;
            }
            break;
        case DB_RULE: {
            double lw = (b->flags & DB_F_THICK) ? 2.5 : 0.8;
            need(p, lw + 4);
            if (p->draw) {
                cairo_set_line_width(p->cr, lw);
                cairo_move_to(p->cr, p->left, p->y + lw / 2);
                cairo_line_to(p->cr, p->left + p->width, p->y + lw / 2);
                cairo_stroke(p->cr);
            }
            p->y += lw + s * 0.4;
            break;
        }
        case DB_SIGNATURE:
            signature_block(p, b);
            break;
        case DB_FOOTER:
            footer_block(p, b);
            break;
        case DB_SPACE:
            p->y += b->space;
            break;
        }
    }
    if (p->in_box) {
        box_rect(p, p->box_y, p->y);
        p->in_box = 0;
    }
}

/* ---- the surface ---- */

typedef struct sink {
    mn_buf *buf;
    int rc;
} sink;

static cairo_status_t write_cb(void *closure, const unsigned char *data,
                               unsigned int length)
{
    sink *s = closure;

    if (s->rc == MN_OK)
        s->rc = mn_x__buf_append(s->buf, (const char *)data, length);
    return s->rc == MN_OK ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

int mn_x__render_pdf(mn_buf *out, const mn_doc *d, size_t *pages, mn_error *err)
{
    static const double scales[] = {1.0, 0.955, 0.91};
    sink sk;
    cairo_surface_t *surf = NULL;
    cairo_t *cr = NULL;
    pc p;
    size_t start = out->v.len;
    size_t n_scales = d->one_page ? 3 : 1;
    int rc = MN_OK;

    memset(&p, 0, sizeof(p));
    p.text.max = (size_t)8 << 20;
    sk.buf = out;
    sk.rc = MN_OK;
    surf = cairo_pdf_surface_create_for_stream(write_cb, &sk, PAGE_W, PAGE_H);
    if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
        rc = mn_x__err(err, MN_ERROR, "cannot create the PDF: %s",
                       cairo_status_to_string(cairo_surface_status(surf)));
        goto done;
    }
    if (d->title)
        cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE,
                                       d->title);
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATOR, "mednec");
    cr = cairo_create(surf);
    p.d = d;
    p.cr = cr;
    /* measure: pages at each size until the document fits */
    for (size_t i = 0; i < n_scales; i++) {
        p.draw = 0;
        p.size = d->font_size * scales[i];
        layout_doc(&p);
        if (p.page == 1 || !d->one_page)
            break;
    }
    if (p.nomem) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    if (d->one_page && p.page > 1) {
        rc = mn_x__err(err, MN_ELIMIT,
                       "the notice does not fit on one page: list fewer "
                       "items, or shorter descriptions, per notice");
        goto done;
    }
    p.total = p.page;
    p.draw = 1;
    layout_doc(&p);
    page_number(&p);
    cairo_show_page(cr);
    if (pages)
        *pages = p.page;
    cairo_destroy(cr);
    cr = NULL;
    cairo_surface_finish(surf);
    if (sk.rc != MN_OK) {
        rc = mn_x__err(err, sk.rc,
                       sk.rc == MN_ENOMEM ? "out of memory"
                                          : "the PDF is larger than the "
                                            "output buffer allows");
        goto done;
    }
    if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS)
        rc = mn_x__err(err, MN_ERROR, "cannot write the PDF: %s",
                       cairo_status_to_string(cairo_surface_status(surf)));
done:
    if (cr)
        cairo_destroy(cr);
    if (surf)
        cairo_surface_destroy(surf);
    mn_x__vec_free(&p.text);
    if (rc != MN_OK) {
        /* no partial document in the caller's buffer */
        out->v.len = start;
        if (out->v.data)
            out->v.data[start] = '\0';
    }
    return rc;
}
