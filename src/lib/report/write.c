/*
 * report/write.c: an audit report as one HTML page (inline CSS and SVG, no
 * script, no external resource) and as JSON, the same figures.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mednec/result.h"
#include "out/writer.h"
#include "report/report_int.h"

#define LIT MN_OUT_LIT

static const char *const table_names[T_COUNT] = {
    "by_edit",           "by_policy", "by_carc",  "by_code",
    "unsupported_pairs", "by_month",  "providers"};

static double rate(uint64_t part, uint64_t whole)
{
    return whole ? (double)part / (double)whole : 0.0;
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */
/* ------------------------------------------------------------------ */

static void jnum(mn_out *w, double v)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%.4f", v);
    mn_x__out_puts(w, buf);
}

static void jagg(mn_out *w, const mn_agg *a)
{
    LIT(w, "\"lines\":");
    mn_x__out_int(w, (long long)a->lines);
    LIT(w, ",\"denied\":");
    mn_x__out_int(w, (long long)a->denied);
    LIT(w, ",\"review\":");
    mn_x__out_int(w, (long long)a->review);
    LIT(w, ",\"denial_rate\":");
    jnum(w, rate(a->denied, a->lines));
    LIT(w, ",\"charges\":");
    mn_x__out_amount(w, a->charges);
    LIT(w, ",\"charges_at_risk\":");
    mn_x__out_amount(w, a->at_risk);
    LIT(w, ",\"frequency\":");
    mn_x__out_int(w, (long long)a->frequency);
    LIT(w, ",\"mue\":");
    mn_x__out_int(w, (long long)a->mue);
    LIT(w, ",\"ptp\":");
    mn_x__out_int(w, (long long)a->ptp);
}

static void jtable(mn_out *w, const mn_report *r, int t, int by,
                   const mn_rout *outl)
{
    const mn_rtab *tab = &r->t[t];
    size_t *order = mn_x__report_sorted(tab, by);

    if (!order) {
        w->rc = MN_ENOMEM;
        return;
    }
    LIT(w, ",\"");
    mn_x__out_puts(w, table_names[t]);
    LIT(w, "\":[");
    for (size_t i = 0; i < tab->n; i++) {
        size_t k = order[i];
        const char *key = tab->keys[k];
        if (i)
            LIT(w, ",");
        LIT(w, "{");
        if (t == T_PAIR) {
            const char *bar = strchr(key, '|');
            LIT(w, "\"code\":");
            mn_x__out_json_strn(w, key, bar ? (size_t)(bar - key) : 0);
            LIT(w, ",\"diagnosis\":");
            mn_x__out_json_str(w, bar ? bar + 1 : key);
        } else {
            static const char *const kname[T_COUNT] = {
                "edit", "policy", "carc", "code", "", "month", "provider"};
            LIT(w, "\"");
            mn_x__out_puts(w, kname[t]);
            LIT(w, "\":");
            mn_x__out_json_str(w, key);
        }
        LIT(w, ",");
        jagg(w, &tab->rows[k]);
        if (t == T_EDIT && mn_edit_find(key)) {
            LIT(w, ",\"title\":");
            mn_x__out_json_str(w, mn_edit_find(key)->title);
        }
        if (t == T_PROVIDER && outl) {
            LIT(w, ",\"z_denial_rate\":");
            jnum(w, outl[k].z_rate);
            LIT(w, ",\"z_frequency\":");
            jnum(w, outl[k].z_freq);
            LIT(w, ",\"z_mue\":");
            jnum(w, outl[k].z_mue);
            LIT(w, ",\"outlier\":");
            mn_x__out_puts(w, outl[k].outlier ? "true" : "false");
        }
        LIT(w, "}");
    }
    LIT(w, "]");
    if (tab->other_keys) {
        LIT(w, ",\"");
        mn_x__out_puts(w, table_names[t]);
        LIT(w, "_other\":{\"keys\":");
        mn_x__out_int(w, (long long)tab->other_keys);
        LIT(w, ",");
        jagg(w, &tab->other);
        LIT(w, "}");
    }
    mn_x__free(order);
}

int mn_report_write_json(mn_buf *out, const mn_report *r, mn_error *err)
{
    mn_out w;
    mn_rout *outl = NULL;
    size_t eligible = 0;
    double mean = 0, sd = 0;

    if (!out || !r)
        return mn_x__err(err, MN_EINVAL, "invalid arguments");
    if (mn_x__report_outliers(r, &outl, &eligible, &mean, &sd))
        return mn_x__err(err, MN_ENOMEM, "out of memory");
    mn_x__out_init(&w, out);
    LIT(&w, "{\"title\":");
    mn_x__out_json_str(&w, r->title);
    LIT(&w, ",\"source\":");
    mn_x__out_json_str(&w, r->source);
    LIT(&w, ",\"claims\":");
    mn_x__out_int(&w, (long long)r->claims);
    LIT(&w, ",\"error_records\":");
    mn_x__out_int(&w, (long long)r->errors);
    LIT(&w, ",\"unreadable_lines\":");
    mn_x__out_int(&w, (long long)r->unreadable);
    LIT(&w, ",\"claims_by_status\":{");
    for (int i = 0; i < 6; i++) {
        if (i)
            LIT(&w, ",");
        LIT(&w, "\"");
        mn_x__out_puts(&w, mn_status_name((mn_status)i));
        LIT(&w, "\":");
        mn_x__out_int(&w, (long long)r->claims_by_status[i]);
    }
    LIT(&w, "},\"lines_by_status\":{");
    for (int i = 0; i < 6; i++) {
        if (i)
            LIT(&w, ",");
        LIT(&w, "\"");
        mn_x__out_puts(&w, mn_status_name((mn_status)i));
        LIT(&w, "\":");
        mn_x__out_int(&w, (long long)r->lines_by_status[i]);
    }
    LIT(&w, "},\"totals\":{");
    jagg(&w, &r->total);
    LIT(&w, ",\"lines_with_charge\":");
    mn_x__out_int(&w, (long long)r->lines_charged);
    LIT(&w, "},\"cross_claim\":{\"checked\":");
    mn_x__out_int(&w, (long long)r->cross_checked);
    LIT(&w, ",\"alone\":");
    mn_x__out_int(&w, (long long)r->cross_alone);
    LIT(&w, "},\"outlier_test\":{\"providers\":");
    mn_x__out_int(&w, (long long)eligible);
    LIT(&w, ",\"min_lines\":");
    mn_x__out_int(&w, (long long)r->o.min_provider_lines);
    LIT(&w, ",\"mean_denial_rate\":");
    jnum(&w, mean);
    LIT(&w, ",\"sd_denial_rate\":");
    jnum(&w, sd);
    LIT(&w, "}");
    jtable(&w, r, T_EDIT, 0, NULL);
    jtable(&w, r, T_POLICY, 0, NULL);
    jtable(&w, r, T_CARC, 0, NULL);
    jtable(&w, r, T_CODE, 0, NULL);
    jtable(&w, r, T_PAIR, 1, NULL);
    jtable(&w, r, T_MONTH, 2, NULL);
    jtable(&w, r, T_PROVIDER, 1, outl);
    LIT(&w, "}\n");
    mn_x__free(outl);
    if (w.rc)
        return mn_x__err(err, w.rc,
                         w.rc == MN_ELIMIT ? "report too large"
                                           : "out of memory");
    return MN_OK;
}

/* ------------------------------------------------------------------ */
/* HTML                                                                */
/* ------------------------------------------------------------------ */

static void esc_n(mn_out *w, const char *s, size_t n)
{
    for (const char *p = s; p < s + n; p++) {
        switch (*p) {
        case '<':
            LIT(w, "&lt;");
            break;
        case '>':
            LIT(w, "&gt;");
            break;
        case '&':
            LIT(w, "&amp;");
            break;
        case '"':
            LIT(w, "&quot;");
            break;
        default:
            mn_x__out_raw(w, p, 1);
        }
    }
}

static void esc(mn_out *w, const char *s)
{
    esc_n(w, s ? s : "", s ? strlen(s) : 0);
}

/* 1234567 as "1,234,567". */
static void num(mn_out *w, uint64_t v)
{
    char digits[32];
    int n = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);

    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            LIT(w, ",");
        mn_x__out_raw(w, digits + i, 1);
    }
}

static void money(mn_out *w, int64_t cents)
{
    char frac[4];
    if (cents < 0) {
        LIT(w, "-");
        cents = -cents;
    }
    LIT(w, "$");
    num(w, (uint64_t)(cents / 100));
    snprintf(frac, sizeof(frac), ".%02d", (int)(cents % 100));
    mn_x__out_puts(w, frac);
}

static void pct(mn_out *w, double v)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%.1f%%", v * 100.0);
    mn_x__out_puts(w, buf);
}

static const char style[] =
    "<style>\n"
    ":root{--ink:#1b2430;--muted:#5b6675;--line:#d9dee5;--deny:#b3261e;"
    "--review:#b26a00;--ok:#2e7d32;--bar:#3b5ba9;--bg:#f6f7f9}\n"
    "*{box-sizing:border-box}\n"
    "body{font:14px/1.45 'DejaVu Sans','Liberation Sans',Arial,sans-serif;"
    "color:var(--ink);margin:0;background:#fff}\n"
    "main{max-width:1100px;margin:0 auto;padding:24px 28px 48px}\n"
    "h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px;"
    "border-bottom:2px solid var(--line);padding-bottom:4px}\n"
    "p.meta{color:var(--muted);margin:0 0 16px}\n"
    ".cards{display:grid;grid-template-columns:repeat(4,1fr);gap:10px}\n"
    ".card{background:var(--bg);border:1px solid var(--line);border-radius:6px;"
    "padding:10px 12px}\n"
    ".card b{display:block;font-size:22px}.card span{color:var(--muted);"
    "font-size:12px}\n"
    ".card.deny b{color:var(--deny)}\n"
    "table{border-collapse:collapse;width:100%;margin:8px 0;font-size:13px}\n"
    "th,td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left;"
    "vertical-align:top}\n"
    "th{background:var(--bg);font-weight:600}\n"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    "tr.flag td{background:#fdecea}\n"
    ".two{display:grid;grid-template-columns:1fr 1fr;gap:18px}\n"
    "svg{display:block;max-width:100%}\n"
    "svg text{font:11px 'DejaVu Sans','Liberation Sans',Arial,sans-serif;"
    "fill:var(--ink)}\n"
    ".note{color:var(--muted);font-size:12px}\n"
    "@page{size:letter;margin:0.6in}\n"
    "@media print{main{max-width:none;padding:0}body{font-size:11px}"
    ".cards{grid-template-columns:repeat(4,1fr)}"
    "section,table,svg,.card{break-inside:avoid}h2{break-after:avoid}"
    ".two{grid-template-columns:1fr 1fr}}\n"
    "</style>\n";

/* A summary card with an id the tests read. */
static void card(mn_out *w, const char *id, const char *label, bool deny)
{
    LIT(w, "<div class=\"card");
    if (deny)
        LIT(w, " deny");
    LIT(w, "\"><b id=\"");
    mn_x__out_puts(w, id);
    LIT(w, "\">");
    (void)label;
}

static void card_end(mn_out *w, const char *label)
{
    LIT(w, "</b><span>");
    esc(w, label);
    LIT(w, "</span></div>\n");
}

/* Horizontal bars: denied lines of the top rows of a table. */
static void bars(mn_out *w, const mn_rtab *t, const size_t *order, size_t n,
                 const char *title)
{
    uint64_t max = 1;
    size_t rows = 0;
    const int label_w = 230, bar_w = 300, h = 20;

    for (size_t i = 0; i < n; i++) {
        if (t->rows[order[i]].denied > max)
            max = t->rows[order[i]].denied;
        rows += t->rows[order[i]].denied > 0;
    }
    if (!rows)
        return;
    mn_x__out_printf(w,
                     "<svg role=\"img\" aria-label=\"%s\" width=\"%d\" "
                     "height=\"%zu\" viewBox=\"0 0 %d %zu\">",
                     title, label_w + bar_w + 70, rows * (size_t)h + 6,
                     label_w + bar_w + 70, rows * (size_t)h + 6);
    for (size_t i = 0, y = 3; i < n; i++) {
        const mn_agg *a = &t->rows[order[i]];
        double bw;
        char key[40];
        if (!a->denied)
            continue;
        bw = (double)bar_w * (double)a->denied / (double)max;
        snprintf(key, sizeof(key), "%.36s", t->keys[order[i]]);
        LIT(w, "<text x=\"0\" y=\"");
        mn_x__out_int(w, (long long)(y + 14));
        LIT(w, "\">");
        esc(w, key);
        mn_x__out_printf(w,
                         "</text><rect x=\"%d\" y=\"%zu\" width=\"%.1f\" "
                         "height=\"14\" fill=\"#b3261e\"/><text x=\"%.1f\" "
                         "y=\"%zu\">",
                         label_w, y + 3, bw > 1 ? bw : 1.0,
                         (double)label_w + bw + 4, y + 14);
        num(w, a->denied);
        LIT(w, "</text>");
        y += (size_t)h;
    }
    LIT(w, "</svg>\n");
}

/* A table of the top rows: key, lines, denied, rate, charges at risk. */
static void table(mn_out *w, const mn_report *r, int t, const char *id,
                  const char *key_label, const char *title)
{
    const mn_rtab *tab = &r->t[t];
    size_t *order = mn_x__report_sorted(tab, 0);
    size_t n = tab->n < r->o.top ? tab->n : r->o.top;
    size_t shown = 0;

    if (!order) {
        w->rc = MN_ENOMEM;
        return;
    }
    LIT(w, "<section><h2>");
    esc(w, title);
    LIT(w, "</h2>");
    if (!tab->n) {
        LIT(w, "<p class=\"note\">None.</p></section>\n");
        mn_x__free(order);
        return;
    }
    bars(w, tab, order, n, title);
    mn_x__out_printf(w, "<table id=\"%s\"><thead><tr><th>", id);
    esc(w, key_label);
    if (t == T_EDIT)
        LIT(w, "</th><th>what");
    LIT(w, "</th><th class=\"n\">lines</th><th class=\"n\">denied</th>"
           "<th class=\"n\">denial rate</th><th class=\"n\">charges at "
           "risk</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < tab->n && shown < n; i++) {
        const mn_agg *a = &tab->rows[order[i]];
        const char *key = tab->keys[order[i]];
        if (!a->denied && !a->review)
            continue;
        shown++;
        LIT(w, "<tr><td>");
        esc(w, key);
        if (t == T_EDIT) {
            LIT(w, "</td><td>");
            esc(w, mn_edit_find(key) ? mn_edit_find(key)->title : "");
        }
        LIT(w, "</td><td class=\"n\">");
        num(w, a->lines);
        LIT(w, "</td><td class=\"n\">");
        num(w, a->denied);
        LIT(w, "</td><td class=\"n\">");
        pct(w, rate(a->denied, a->lines));
        LIT(w, "</td><td class=\"n\">");
        money(w, a->at_risk);
        LIT(w, "</td></tr>\n");
    }
    LIT(w, "</tbody></table>");
    {
        size_t with = 0;
        for (size_t i = 0; i < tab->n; i++)
            with += tab->rows[i].denied || tab->rows[i].review;
        if (with > shown || tab->other_keys) {
            LIT(w, "<p class=\"note\">");
            num(w, with - shown + tab->other_keys);
            LIT(w, " more not shown (all of them are in the JSON "
                   "report).</p>");
        }
    }
    if (!shown)
        LIT(w, "<p class=\"note\">No denials or reviews.</p>");
    LIT(w, "</section>\n");
    mn_x__free(order);
}

/* Lines and denied lines by month, with the denial rate. */
static void trend(mn_out *w, const mn_report *r)
{
    const mn_rtab *t = &r->t[T_MONTH];
    size_t *order = mn_x__report_sorted(t, 2);
    uint64_t max = 1;
    const int plot_h = 160, left = 50;
    int col;
    int width;

    if (!order) {
        w->rc = MN_ENOMEM;
        return;
    }
    LIT(w, "<section><h2>Trend by month</h2>");
    if (!t->n) {
        LIT(w, "<p class=\"note\">No dated lines.</p></section>\n");
        mn_x__free(order);
        return;
    }
    for (size_t i = 0; i < t->n; i++)
        if (t->rows[i].lines > max)
            max = t->rows[i].lines;
    col = t->n > 36 ? 14 : t->n > 18 ? 28 : 48;
    width = left + (int)t->n * col + 20;
    mn_x__out_printf(w,
                     "<svg role=\"img\" aria-label=\"lines and denials by "
                     "month\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d "
                     "%d\">",
                     width, plot_h + 60, width, plot_h + 60);
    mn_x__out_printf(w,
                     "<line x1=\"%d\" y1=\"10\" x2=\"%d\" y2=\"%d\" "
                     "stroke=\"#999\"/><line x1=\"%d\" y1=\"%d\" x2=\"%d\" "
                     "y2=\"%d\" stroke=\"#999\"/><text x=\"0\" "
                     "y=\"16\">",
                     left, left, plot_h + 10, left, plot_h + 10, width - 10,
                     plot_h + 10);
    num(w, max);
    LIT(w, "</text><text x=\"0\" y=\"");
    mn_x__out_int(w, plot_h + 10);
    LIT(w, "\">0</text>");
    for (size_t i = 0; i < t->n; i++) {
        const mn_agg *a = &t->rows[order[i]];
        double hl = (double)plot_h * (double)a->lines / (double)max;
        double hd = (double)plot_h * (double)a->denied / (double)max;
        int x = left + 4 + (int)i * col;
        const char *key = t->keys[order[i]];
        mn_x__out_printf(w,
                         "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" "
                         "height=\"%.1f\" fill=\"#c9d3ea\"><title>",
                         x, (double)plot_h + 10 - hl, col - 4, hl);
        esc(w, key);
        mn_x__out_printf(w,
                         ": %llu lines</title></rect><rect x=\"%d\" "
                         "y=\"%.1f\" width=\"%d\" height=\"%.1f\" "
                         "fill=\"#b3261e\"><title>",
                         (unsigned long long)a->lines, x,
                         (double)plot_h + 10 - hd, col - 4, hd);
        esc(w, key);
        mn_x__out_printf(w, ": %llu denied</title></rect>",
                         (unsigned long long)a->denied);
        if (t->n <= 36 || i % 3 == 0) {
            mn_x__out_printf(w,
                             "<text x=\"%d\" y=\"%d\" transform=\"rotate(60 "
                             "%d %d)\">",
                             x, plot_h + 22, x, plot_h + 22);
            esc(w, key);
            LIT(w, "</text>");
        }
    }
    LIT(w, "</svg><p class=\"note\">Light: lines; red: denied lines.</p>");
    LIT(w, "<table id=\"by-month\"><thead><tr><th>month</th><th class=\"n\">"
           "lines</th><th class=\"n\">denied</th><th class=\"n\">denial "
           "rate</th><th class=\"n\">charges at risk</th></tr></thead>"
           "<tbody>\n");
    for (size_t i = 0; i < t->n; i++) {
        const mn_agg *a = &t->rows[order[i]];
        LIT(w, "<tr><td>");
        esc(w, t->keys[order[i]]);
        LIT(w, "</td><td class=\"n\">");
        num(w, a->lines);
        LIT(w, "</td><td class=\"n\">");
        num(w, a->denied);
        LIT(w, "</td><td class=\"n\">");
        pct(w, rate(a->denied, a->lines));
        LIT(w, "</td><td class=\"n\">");
        money(w, a->at_risk);
        LIT(w, "</td></tr>\n");
    }
    LIT(w, "</tbody></table></section>\n");
    mn_x__free(order);
}

static void pairs(mn_out *w, const mn_report *r)
{
    const mn_rtab *t = &r->t[T_PAIR];
    size_t *order = mn_x__report_sorted(t, 1);
    size_t n = t->n < r->o.top ? t->n : r->o.top;

    if (!order) {
        w->rc = MN_ENOMEM;
        return;
    }
    LIT(w, "<section><h2>Code and diagnosis pairs most often not "
           "supported</h2>");
    if (!t->n) {
        LIT(w, "<p class=\"note\">None.</p></section>\n");
        mn_x__free(order);
        return;
    }
    LIT(w, "<table id=\"pairs\"><thead><tr><th>code</th><th>diagnosis</th>"
           "<th class=\"n\">lines</th><th class=\"n\">charges at risk</th>"
           "</tr></thead><tbody>\n");
    for (size_t i = 0; i < n; i++) {
        const mn_agg *a = &t->rows[order[i]];
        const char *key = t->keys[order[i]];
        const char *bar = strchr(key, '|');
        LIT(w, "<tr><td>");
        esc_n(w, key, bar ? (size_t)(bar - key) : 0);
        LIT(w, "</td><td>");
        esc(w, bar ? bar + 1 : key);
        LIT(w, "</td><td class=\"n\">");
        num(w, a->lines);
        LIT(w, "</td><td class=\"n\">");
        money(w, a->at_risk);
        LIT(w, "</td></tr>\n");
    }
    LIT(w, "</tbody></table></section>\n");
    mn_x__free(order);
}

static void providers(mn_out *w, const mn_report *r)
{
    const mn_rtab *t = &r->t[T_PROVIDER];
    size_t *order = mn_x__report_sorted(t, 1);
    size_t n = t->n < r->o.top ? t->n : r->o.top;
    mn_rout *outl = NULL;
    size_t eligible = 0;
    size_t flagged = 0;
    double mean = 0, sd = 0;

    if (!order || mn_x__report_outliers(r, &outl, &eligible, &mean, &sd)) {
        mn_x__free(order);
        w->rc = MN_ENOMEM;
        return;
    }
    LIT(w, "<section><h2>Providers</h2><p class=\"note\">Outliers: a "
           "denial, frequency or MUE rate two standard deviations or more "
           "above the mean of the ");
    num(w, eligible);
    LIT(w, " providers with at least ");
    num(w, r->o.min_provider_lines);
    LIT(w, " lines (mean denial rate ");
    pct(w, mean);
    LIT(w, ", standard deviation ");
    pct(w, sd);
    LIT(w, ")");
    if (eligible < 3)
        LIT(w, "; fewer than three such providers: no test");
    LIT(w, ".</p>");
    LIT(w, "<table id=\"providers\"><thead><tr><th>provider</th>"
           "<th class=\"n\">lines</th><th class=\"n\">denied</th>"
           "<th class=\"n\">denial rate</th><th class=\"n\">frequency</th>"
           "<th class=\"n\">MUE</th><th class=\"n\">PTP</th>"
           "<th class=\"n\">charges at risk</th><th>outlier</th></tr>"
           "</thead><tbody>\n");
    for (size_t i = 0; i < t->n; i++) {
        const mn_agg *a = &t->rows[order[i]];
        const mn_rout *o = &outl[order[i]];
        if (i >= n && !o->outlier)
            continue;
        flagged += o->outlier;
        if (o->outlier)
            LIT(w, "<tr class=\"flag\"><td>");
        else
            LIT(w, "<tr><td>");
        esc(w, t->keys[order[i]]);
        LIT(w, "</td><td class=\"n\">");
        num(w, a->lines);
        LIT(w, "</td><td class=\"n\">");
        num(w, a->denied);
        LIT(w, "</td><td class=\"n\">");
        pct(w, rate(a->denied, a->lines));
        LIT(w, "</td><td class=\"n\">");
        num(w, a->frequency);
        LIT(w, "</td><td class=\"n\">");
        num(w, a->mue);
        LIT(w, "</td><td class=\"n\">");
        num(w, a->ptp);
        LIT(w, "</td><td class=\"n\">");
        money(w, a->at_risk);
        LIT(w, "</td><td>");
        if (o->outlier) {
            bool first = true;
            if (o->z_rate >= 2) {
                mn_x__out_printf(w, "denials z=%.1f", o->z_rate);
                first = false;
            }
            if (o->z_freq >= 2) {
                mn_x__out_printf(w, "%sfrequency z=%.1f", first ? "" : ", ",
                                 o->z_freq);
                first = false;
            }
            if (o->z_mue >= 2)
                mn_x__out_printf(w, "%sMUE z=%.1f", first ? "" : ", ",
                                 o->z_mue);
        }
        LIT(w, "</td></tr>\n");
    }
    LIT(w, "</tbody></table><p class=\"note\"><span id=\"outliers\">");
    num(w, flagged);
    LIT(w, "</span> outlier providers.</p></section>\n");
    mn_x__free(order);
    mn_x__free(outl);
}

/* The lines by status as one stacked bar. */
static void status_bar(mn_out *w, const mn_report *r)
{
    static const char *const colors[6] = {"#7a1712", "#9c3d8f", "#b3261e",
                                          "#b26a00", "#8a8f98", "#2e7d32"};
    uint64_t total = r->total.lines ? r->total.lines : 1;
    double x = 0;
    const double width = 1000;

    mn_x__out_printf(w,
                     "<svg role=\"img\" aria-label=\"lines by status\" "
                     "width=\"%.0f\" height=\"56\" viewBox=\"0 0 %.0f 56\">",
                     width, width);
    for (int i = 0; i < 6; i++) {
        double bw = width * (double)r->lines_by_status[i] / (double)total;
        if (!r->lines_by_status[i])
            continue;
        mn_x__out_printf(w,
                         "<rect x=\"%.1f\" y=\"0\" width=\"%.1f\" "
                         "height=\"22\" fill=\"%s\"><title>%s: %llu</title>"
                         "</rect>",
                         x, bw, colors[i], mn_status_name((mn_status)i),
                         (unsigned long long)r->lines_by_status[i]);
        x += bw;
    }
    x = 0;
    for (int i = 0; i < 6; i++) {
        mn_x__out_printf(w,
                         "<rect x=\"%.0f\" y=\"34\" width=\"10\" height=\"10\" "
                         "fill=\"%s\"/><text x=\"%.0f\" y=\"43\">%s ",
                         x, colors[i], x + 14, mn_status_name((mn_status)i));
        num(w, r->lines_by_status[i]);
        LIT(w, "</text>");
        x += 165;
    }
    LIT(w, "</svg>\n");
}

int mn_report_write_html(mn_buf *out, const mn_report *r, mn_error *err)
{
    mn_out w;
    const mn_agg *t;

    if (!out || !r)
        return mn_x__err(err, MN_EINVAL, "invalid arguments");
    t = &r->total;
    mn_x__out_init(&w, out);
    LIT(&w, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, "
            "initial-scale=1\"><title>");
    esc(&w, r->title);
    LIT(&w, "</title>\n");
    mn_x__out_raw(&w, style, sizeof(style) - 1);
    LIT(&w, "</head><body><main>\n<h1>");
    esc(&w, r->title);
    LIT(&w, "</h1><p class=\"meta\">");
    if (r->source) {
        LIT(&w, "Results of ");
        esc(&w, r->source);
        LIT(&w, ". ");
    }
    LIT(&w, "A denied line is invalid, excluded or not covered; a line for "
            "review is conditional or indeterminate. Charges are the billed "
            "charges of the lines that give one.</p>\n<div class=\"cards\">");
    card(&w, "claims", "claims", false);
    num(&w, r->claims);
    card_end(&w, "claims");
    card(&w, "lines", "lines", false);
    num(&w, t->lines);
    card_end(&w, "service lines");
    card(&w, "denied", "denied", true);
    num(&w, t->denied);
    card_end(&w, "denied lines");
    card(&w, "denial-rate", "rate", true);
    pct(&w, rate(t->denied, t->lines));
    card_end(&w, "denial rate");
    card(&w, "review", "review", false);
    num(&w, t->review);
    card_end(&w, "lines for review");
    card(&w, "charges", "charges", false);
    money(&w, t->charges);
    card_end(&w, "billed charges");
    card(&w, "at-risk", "at risk", true);
    money(&w, t->at_risk);
    card_end(&w, "charges at risk (denied lines)");
    card(&w, "errors", "errors", r->unreadable > 0);
    num(&w, r->errors + r->unreadable);
    card_end(&w, r->unreadable ? "error records and unreadable lines: the "
                                 "figures lack them"
                               : "records that were not claims (input "
                                 "errors)");
    LIT(&w, "</div>\n<section><h2>Lines by status</h2>");
    status_bar(&w, r);
    LIT(&w, "<p class=\"note\">");
    num(&w, r->lines_charged);
    LIT(&w, " of ");
    num(&w, t->lines);
    LIT(&w, " lines give a charge. ");
    num(&w, r->cross_checked);
    LIT(&w, " claims were judged with the patient's other claims (MUE, PTP "
            "across claims), ");
    num(&w, r->cross_alone);
    LIT(&w, " alone (no patient id or provider).</p></section>\n");
    table(&w, r, T_EDIT, "by-edit", "edit", "Denials by edit");
    table(&w, r, T_POLICY, "by-policy", "policy", "Denials by policy");
    table(&w, r, T_CARC, "by-carc", "CARC", "Denials by CARC");
    table(&w, r, T_CODE, "by-code", "code", "Denials by procedure code");
    pairs(&w, r);
    trend(&w, r);
    providers(&w, r);
    LIT(&w, "<p class=\"note\">Made by mednec ");
    esc(&w, mn_version());
    LIT(&w, ". The same figures as data: <code>mednec report --json</code>."
            "</p>\n</main></body></html>\n");
    if (w.rc)
        return mn_x__err(err, w.rc,
                         w.rc == MN_ELIMIT ? "report too large"
                                           : "out of memory");
    return MN_OK;
}
