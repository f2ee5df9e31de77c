/*
 * out/render.c: results as contract JSON (contract.md section 3) and as a
 * plain-text summary for a coder.
 *
 * JSON is written by hand through the output writer (writer.h): the shape
 * is fixed, and a tree per result would cost more than the check itself.
 */
#include <string.h>

#include "check/check.h"
#include "kb/kb_int.h"
#include "mednec/kb.h"
#include "out/writer.h"

static const char *const status_text[] = {"INVALID",       "EXCLUDED",
                                          "NOT COVERED",   "CONDITIONAL",
                                          "INDETERMINATE", "COVERED"};

static const char *status_upper(mn_status status)
{
    unsigned i = (unsigned)status;

    return i < sizeof(status_text) / sizeof(status_text[0]) ? status_text[i]
                                                            : status_text[0];
}

/* Length of a code in its fixed-size field (maybe not NUL-terminated). */
static size_t code_len(const char code[8])
{
    const char *nul = memchr(code, '\0', 8);

    return nul ? (size_t)(nul - code) : 8;
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */
/* ------------------------------------------------------------------ */

static void json_policy(mn_out *w, const mn_finding *f)
{
    char url[160];

    MN_OUT_LIT(w, ",\"policy\":{\"kind\":");
    mn_x__out_json_str(w, f->policy_kind);
    MN_OUT_MEMBER(w, ",\"id\":", f->policy_id);
    if (f->policy_version >= 0) {
        MN_OUT_LIT(w, ",\"version\":");
        mn_x__out_int(w, f->policy_version);
    }
    if (f->group != 0) {
        MN_OUT_LIT(w, ",\"group\":");
        mn_x__out_int(w, f->group);
    }
    MN_OUT_MEMBER(w, ",\"title\":", f->policy_title);
    MN_OUT_MEMBER(w, ",\"related\":", f->related);
    MN_OUT_MEMBER(w, ",\"source\":", f->source);
    if (f->page)
        MN_OUT_MEMBER(w, ",\"url\":", f->page);
    else if (mn_x__citation_url(url, sizeof(url), f->policy_kind, f->policy_id,
                                f->policy_version))
        MN_OUT_MEMBER(w, ",\"url\":", url);
    MN_OUT_LIT(w, "}");
}

/* The supporting diagnoses of a finding, dotted, with descriptions. */
typedef struct supporting {
    size_t n;
    char code[MN_MAX_SUPPORTING][12];
    const char *desc[MN_MAX_SUPPORTING];
} supporting;

static void supporting_of(supporting *out, const mn_finding *f, const mn_kb *kb)
{
    out->n = f->n_supporting < MN_MAX_SUPPORTING ? f->n_supporting
                                                 : MN_MAX_SUPPORTING;
    for (size_t i = 0; i < out->n; i++) {
        mn_x__icd_dotted(out->code[i], f->supporting[i]);
        out->desc[i] = mn_x__kb_icd_desc(kb, f->supporting[i]);
    }
}

static void json_finding(mn_out *w, const mn_finding *f, const mn_kb *kb)
{
    supporting sup;
    bool described = false;

    MN_OUT_LIT(w, "{\"edit\":");
    mn_x__out_json_str(w, f->edit->id);
    MN_OUT_LIT(w, ",\"severity\":\"");
    mn_x__out_puts(w, mn_severity_name(f->severity));
    MN_OUT_LIT(w, "\",\"message\":");
    mn_x__out_json_str(w, or_empty(f->message));
    if (f->policy_kind)
        json_policy(w, f);
    MN_OUT_LIT(w, ",\"carc\":");
    mn_x__out_json_str(w, f->carc);
    MN_OUT_LIT(w, ",\"rarc\":");
    mn_x__out_json_str(w, f->rarc);
    MN_OUT_MEMBER(w, ",\"diagnosis\":", f->dx);
    MN_OUT_MEMBER(w, ",\"fix\":", f->fix);
    MN_OUT_MEMBER(w, ",\"payable_again\":", f->payable_text);
    supporting_of(&sup, f, kb);
    MN_OUT_LIT(w, ",\"supporting_diagnoses\":[");
    for (size_t i = 0; i < sup.n; i++) {
        if (i)
            MN_OUT_LIT(w, ",");
        mn_x__out_json_str(w, sup.code[i]);
        described |= sup.desc[i] != NULL;
    }
    MN_OUT_LIT(w, "]");
    if (described) {
        /* extension: the descriptions, parallel to supporting_diagnoses */
        MN_OUT_LIT(w, ",\"supporting_detail\":[");
        for (size_t i = 0; i < sup.n; i++) {
            if (i)
                MN_OUT_LIT(w, ",");
            MN_OUT_LIT(w, "{\"code\":");
            mn_x__out_json_str(w, sup.code[i]);
            MN_OUT_LIT(w, ",\"description\":");
            mn_x__out_json_str(w, sup.desc[i]);
            MN_OUT_LIT(w, "}");
        }
        MN_OUT_LIT(w, "]");
    }
    MN_OUT_LIT(w, "}");
}

/* The line's pointed diagnoses (all of the claim's when it points to
 * none), dotted. */
static void json_line_dx(mn_out *w, const mn_result *res,
                         const mn_line_result *ln)
{
    size_t n = 0;

    MN_OUT_LIT(w, ",\"diagnoses\":[");
    if (ln->n_ptr) {
        for (size_t p = 0; p < ln->n_ptr; p++) {
            unsigned ix = ln->ptr[p];
            if (ix < 1 || ix > res->n_dx)
                continue;
            if (n++)
                MN_OUT_LIT(w, ",");
            mn_x__out_json_str(w, res->dx[ix - 1].text);
        }
    } else {
        for (size_t d = 0; d < res->n_dx; d++) {
            if (n++)
                MN_OUT_LIT(w, ",");
            mn_x__out_json_str(w, res->dx[d].text);
        }
    }
    MN_OUT_LIT(w, "]");
}

static void json_line(mn_out *w, const mn_result *res, const mn_line_result *ln,
                      const mn_kb *kb)
{
    MN_OUT_LIT(w, "{\"line\":");
    mn_x__out_int(w, (long long)ln->line);
    MN_OUT_LIT(w, ",\"code\":");
    mn_x__out_json_strn(w, ln->code, code_len(ln->code));
    /* extensions: what a report of many results needs */
    MN_OUT_LIT(w, ",\"date\":");
    mn_x__out_json_date(w, ln->date);
    MN_OUT_LIT(w, ",\"units\":");
    mn_x__out_int(w, ln->units);
    if (ln->charge != MN_NO_AMOUNT) {
        MN_OUT_LIT(w, ",\"charge\":");
        mn_x__out_amount(w, ln->charge);
    }
    MN_OUT_MEMBER(w, ",\"provider\":", ln->provider);
    if (ln->revenue[0])
        MN_OUT_MEMBER(w, ",\"revenue_code\":", ln->revenue);
    json_line_dx(w, res, ln);
    MN_OUT_LIT(w, ",\"status\":\"");
    mn_x__out_puts(w, mn_status_name(ln->status));
    MN_OUT_LIT(w, "\",\"abn\":\"");
    mn_x__out_puts(w, mn_abn_name(ln->abn));
    MN_OUT_LIT(w, "\"");
    MN_OUT_MEMBER(w, ",\"abn_reason\":", ln->abn_reason);
    MN_OUT_LIT(w, ",\"suggested_modifiers\":[");
    for (size_t i = 0; i < ln->n_suggested && i < MN_MAX_SUGGESTED; i++) {
        if (i)
            MN_OUT_LIT(w, ",");
        mn_x__out_json_str(w, or_empty(ln->suggested[i]));
    }
    MN_OUT_LIT(w, "],\"findings\":[");
    for (size_t i = 0; i < ln->n_findings; i++) {
        if (i)
            MN_OUT_LIT(w, ",");
        json_finding(w, &ln->findings[i], kb);
    }
    MN_OUT_LIT(w, "]}");
}

static void render_json(mn_out *w, const mn_result *res, const mn_kb *kb)
{
    MN_OUT_LIT(w, "{\"id\":");
    mn_x__out_json_str(w, res->id);
    MN_OUT_LIT(w, ",\"status\":\"");
    mn_x__out_puts(w, mn_status_name(res->status));
    MN_OUT_LIT(w, "\",\"knowledge_base\":{\"version\":");
    mn_x__out_json_str(w, or_empty(mn_kb_version(kb)));
    MN_OUT_LIT(w, ",\"built\":");
    mn_x__out_json_str(w, or_empty(mn_kb_built(kb)));
    MN_OUT_LIT(w, "}");
    mn_x__out_cross(w, res);
    MN_OUT_LIT(w, ",\"lines\":[");
    for (size_t i = 0; i < res->n_lines; i++) {
        if (i)
            MN_OUT_LIT(w, ",");
        json_line(w, res, &res->lines[i], kb);
    }
    MN_OUT_LIT(w, "]}");
}

/* ------------------------------------------------------------------ */
/* Text                                                                */
/* ------------------------------------------------------------------ */

/* Case-insensitive prefix test. */
static bool starts_ci(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    bool same = strlen(s) >= n;

    for (size_t i = 0; same && i < n; i++)
        same = mn_x__tolower((unsigned char)s[i]) ==
               mn_x__tolower((unsigned char)prefix[i]);
    return same;
}

/* "article A56767 v17 group 1, LCD L33996: Title" */
static void text_citation(mn_out *w, const mn_finding *f)
{
    static const char *const kinds[][2] = {
        {"ncd", "NCD"},   {"lcd", "LCD"},   {"article", "article"},
        {"mce", "MCE"},   {"rule", "rule"}, {"code_set", "code set"},
        {"ncci", "NCCI"}, {"mue", "MUE"},   {"kb", "knowledge base"}};
    const char *label = f->policy_kind;

    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (strcmp(f->policy_kind, kinds[i][0]) == 0)
            label = kinds[i][1];
    }
    if (!f->policy_id || !starts_ci(f->policy_id, label)) {
        mn_x__out_text(w, label);
        if (f->policy_id)
            MN_OUT_LIT(w, " ");
    }
    mn_x__out_text(w, f->policy_id);
    if (f->policy_version >= 0)
        mn_x__out_printf(w, " v%d", f->policy_version);
    if (f->group != 0)
        mn_x__out_printf(w, " group %d", f->group);
    if (f->related) {
        bool article = strcmp(f->policy_kind, "article") == 0;
        MN_OUT_LIT(w, ", ");
        if (article && !starts_ci(f->related, "lcd"))
            MN_OUT_LIT(w, "LCD ");
        mn_x__out_text(w, f->related);
    }
    if (f->policy_title) {
        MN_OUT_LIT(w, ": ");
        mn_x__out_text(w, f->policy_title);
    }
}

#define INDENT1 "    "
#define INDENT2 "        "

/* `INDENT2 label: value` on its own line, when value is set. */
static void text_field(mn_out *w, const char *label, const char *value)
{
    if (!value)
        return;
    MN_OUT_LIT(w, INDENT2);
    mn_x__out_puts(w, label);
    MN_OUT_LIT(w, ": ");
    mn_x__out_text(w, value);
    MN_OUT_LIT(w, "\n");
}

static void text_finding(mn_out *w, const mn_finding *f, const mn_kb *kb)
{
    supporting sup;
    char url[160];

    mn_x__out_printf(w, INDENT1 "%-6s ", mn_severity_name(f->severity));
    mn_x__out_text(w, f->edit->id);
    if (f->message) {
        MN_OUT_LIT(w, ": ");
        mn_x__out_text(w, f->message);
    }
    MN_OUT_LIT(w, "\n");
    if (f->policy_kind) {
        MN_OUT_LIT(w, INDENT2 "policy: ");
        text_citation(w, f);
        MN_OUT_LIT(w, "\n");
        if (mn_x__citation_url(url, sizeof(url), f->policy_kind, f->policy_id,
                               f->policy_version))
            text_field(w, "page", url);
    }
    text_field(w, "source", f->source);
    if (f->carc || f->rarc) {
        MN_OUT_LIT(w, INDENT2 "expected denial:");
        if (f->carc) {
            MN_OUT_LIT(w, " CARC ");
            mn_x__out_text(w, f->carc);
        }
        if (f->rarc) {
            if (f->carc)
                MN_OUT_LIT(w, ",");
            MN_OUT_LIT(w, " RARC ");
            mn_x__out_text(w, f->rarc);
        }
        MN_OUT_LIT(w, "\n");
    }
    text_field(w, "diagnosis", f->dx);
    text_field(w, "fix", f->fix);
    text_field(w, "payable again", f->payable_text);
    supporting_of(&sup, f, kb);
    if (sup.n)
        MN_OUT_LIT(w, INDENT2 "diagnoses that would support it:\n");
    for (size_t i = 0; i < sup.n; i++) {
        const char *code = sup.code[i];
        MN_OUT_LIT(w, INDENT2 "  ");
        mn_x__out_text(w, code);
        if (sup.desc[i]) {
            size_t pad = strlen(code) < 9 ? 9 - strlen(code) : 1;
            mn_x__out_raw(w, "         ", pad);
            mn_x__out_text(w, sup.desc[i]);
        }
        MN_OUT_LIT(w, "\n");
    }
}

/* "(ABN recommended; append GA)" */
static void text_abn(mn_out *w, const mn_line_result *ln)
{
    bool open = false;

    if (ln->abn == MN_ABN_RECOMMENDED) {
        MN_OUT_LIT(w, "  (ABN recommended");
        open = true;
    } else if (ln->abn == MN_ABN_ON_FILE) {
        MN_OUT_LIT(w, "  (ABN on file");
        open = true;
    }
    for (size_t i = 0; i < ln->n_suggested && i < MN_MAX_SUGGESTED; i++) {
        if (i == 0 && open)
            MN_OUT_LIT(w, "; append ");
        else if (i == 0)
            MN_OUT_LIT(w, "  (append ");
        else
            MN_OUT_LIT(w, ", ");
        mn_x__out_text(w, or_empty(ln->suggested[i]));
        open = true;
    }
    if (open)
        MN_OUT_LIT(w, ")");
}

static void render_text(mn_out *w, const mn_result *res, const mn_kb *kb)
{
    MN_OUT_LIT(w, "Claim ");
    mn_x__out_text(w, res->id ? res->id : "(no id)");
    mn_x__out_printf(w, ": %s (%zu line%s)\n", status_upper(res->status),
                     res->n_lines, res->n_lines == 1 ? "" : "s");
    MN_OUT_LIT(w, "Knowledge base ");
    mn_x__out_text(w, or_empty(mn_kb_version(kb)));
    MN_OUT_LIT(w, ", built ");
    mn_x__out_text(w, or_empty(mn_kb_built(kb)));
    MN_OUT_LIT(w, "\n");
    for (size_t i = 0; i < res->n_lines; i++) {
        const mn_line_result *ln = &res->lines[i];
        char code[sizeof(ln->code) + 1];
        size_t n = code_len(ln->code);
        memcpy(code, ln->code, n);
        code[n] = '\0';
        mn_x__out_printf(w, "\nLine %zu  ", ln->line);
        mn_x__out_text(w, code);
        MN_OUT_LIT(w, "  ");
        mn_x__out_puts(w, status_upper(ln->status));
        text_abn(w, ln);
        MN_OUT_LIT(w, "\n");
        if (ln->abn_reason) {
            MN_OUT_LIT(w, INDENT1 "ABN reason: ");
            mn_x__out_text(w, ln->abn_reason);
            MN_OUT_LIT(w, "\n");
        }
        for (size_t k = 0; k < ln->n_findings; k++)
            text_finding(w, &ln->findings[k], kb);
    }
}

/* ------------------------------------------------------------------ */
/* Public                                                              */
/* ------------------------------------------------------------------ */

int mn_result_render(mn_buf *buf, const mn_result *res, const mn_kb *kb,
                     mn_format format, mn_error *err)
{
    mn_out w;

    if (!buf || !res)
        return mn_x__err(err, MN_EINVAL, "no buffer or no result");
    if (kb && kb != res->kb)
        return mn_x__err(err, MN_EINVAL,
                         "the result was made with another knowledge base");
    if (format != MN_FORMAT_JSON && format != MN_FORMAT_TEXT &&
        format != MN_FORMAT_BRIEF)
        return mn_x__err(err, MN_EINVAL, "unknown output format");
    mn_x__out_init(&w, buf);
    if (format == MN_FORMAT_BRIEF)
        mn_x__render_brief(&w, res);
    else if (format == MN_FORMAT_JSON)
        render_json(&w, res, res->kb);
    else
        render_text(&w, res, res->kb);
    if (w.rc == MN_ELIMIT)
        return mn_x__err(err, w.rc, "result too large for the output buffer");
    if (w.rc)
        return mn_x__err(err, w.rc, "out of memory");
    return MN_OK;
}
