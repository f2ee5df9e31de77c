/*
 * out/render.c: results as contract JSON (contract.md section 3) and as a
 * plain-text summary for a coder.
 *
 * JSON is written by hand into the buffer: the shape is fixed, and a tree
 * per result would cost more than the check itself.
 */
#include <string.h>

#include "check/check.h"
#include "kb/kb_int.h"
#include "mednec/kb.h"

static const char *const status_names[] = {"invalid",       "excluded",
                                           "not_covered",   "conditional",
                                           "indeterminate", "covered"};

static const char *const status_text[] = {"INVALID",       "EXCLUDED",
                                          "NOT COVERED",   "CONDITIONAL",
                                          "INDETERMINATE", "COVERED"};

static const char *const severity_names[] = {"deny", "review", "info"};

const char *mn_status_name(mn_status status)
{
    unsigned i = (unsigned)status;

    /* out of range is caller misuse: report the worst status */
    return i < sizeof(status_names) / sizeof(status_names[0]) ? status_names[i]
                                                              : status_names[0];
}

static const char *status_upper(mn_status status)
{
    unsigned i = (unsigned)status;

    return i < sizeof(status_text) / sizeof(status_text[0]) ? status_text[i]
                                                            : status_text[0];
}

static const char *severity_name(mn_severity sev)
{
    unsigned i = (unsigned)sev;

    return i < sizeof(severity_names) / sizeof(severity_names[0])
               ? severity_names[i]
               : severity_names[0];
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */
/* ------------------------------------------------------------------ */

/* `"" lit` only compiles for a string literal, whose sizeof is right */
#define PUT(b, lit) mn_x__buf_append((b), "" lit, sizeof(lit) - 1)
#define TRY(expr)                                                              \
    do {                                                                       \
        rc = (expr);                                                           \
        if (rc)                                                                \
            goto done;                                                         \
    } while (0)

/* Length of the valid UTF-8 sequence at `s` (at most `n` bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t len = 0;
    unsigned c = s[0];

    if (c >= 0xc2 && c <= 0xdf)
        len = 2;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4;
    if (len > n)
        len = 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            len = 0;
    }
    /* overlong forms, surrogates and code points past U+10FFFF */
    if (len == 3 && ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f)))
        len = 0;
    if (len == 4 && ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f)))
        len = 0;
    return len;
}

/* True when none of 8 bytes needs escaping or UTF-8 checking: no
 * control character, quote, backslash or byte >= 0x80. */
static inline bool plain8(const unsigned char *p)
{
    const uint64_t ones = 0x0101010101010101ULL;
    const uint64_t high = 0x8080808080808080ULL;
    uint64_t w;
    uint64_t q;
    uint64_t b;

    memcpy(&w, p, 8);
    q = w ^ (ones * '"');
    b = w ^ (ones * '\\');
    return ((w & high) | ((w - ones * 0x20) & ~w & high) |
            ((q - ones) & ~q & high) | ((b - ones) & ~b & high)) == 0;
}

int mn_x__json_string(mn_buf *buf, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t run = 0; /* start of the bytes not yet copied */
    size_t i = 0;
    int rc = MN_OK;

    if (!s) {
        rc = PUT(buf, "null");
        goto done;
    }
    TRY(PUT(buf, "\""));
    while (i < len) {
        unsigned char ch;
        /* skip eight plain bytes at a time */
        while (i + 8 <= len && plain8(p + i))
            i += 8;
        if (i >= len)
            break;
        ch = p[i];
        char esc[6] = {'\\', 'u', '0', '0', 0, 0};
        size_t n = 0;
        size_t u;

        if (ch >= 0x20 && ch != '"' && ch != '\\' && ch < 0x80) {
            i++;
            continue;
        }
        if (ch >= 0x80) {
            u = utf8_len(p + i, len - i);
            if (u) {
                i += u;
                continue;
            }
        }
        TRY(mn_x__buf_append(buf, s + run, i - run));
        if (ch >= 0x80) {
            /* not UTF-8 (a Latin-1 description, say): U+FFFD keeps the
             * output valid JSON */
            TRY(PUT(buf, "\xef\xbf\xbd"));
        } else {
            switch (ch) {
            case '"':
                esc[1] = '"';
                n = 2;
                break;
            case '\\':
                esc[1] = '\\';
                n = 2;
                break;
            case '\n':
                esc[1] = 'n';
                n = 2;
                break;
            case '\r':
                esc[1] = 'r';
                n = 2;
                break;
            case '\t':
                esc[1] = 't';
                n = 2;
                break;
            case '\b':
                esc[1] = 'b';
                n = 2;
                break;
            case '\f':
                esc[1] = 'f';
                n = 2;
                break;
            default:
                esc[4] = hex[ch >> 4];
                esc[5] = hex[ch & 15];
                n = 6;
                break;
            }
            TRY(mn_x__buf_append(buf, esc, n));
        }
        i++;
        run = i;
    }
    TRY(mn_x__buf_append(buf, s + run, len - run));
    rc = PUT(buf, "\"");
done:
    return rc;
}

static int put_str(mn_buf *buf, const char *s)
{
    return mn_x__json_string(buf, s, s ? strlen(s) : 0);
}

/* Appends a decimal integer without printf. */
static int put_int(mn_buf *buf, long long v)
{
    char tmp[24];
    size_t n = sizeof(tmp);
    unsigned long long u =
        v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

    do {
        tmp[--n] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        tmp[--n] = '-';
    return mn_x__buf_append(buf, tmp + n, sizeof(tmp) - n);
}

/* `,"name":"value"` when value is set. */
static int put_member(mn_buf *buf, const char *name_lit, size_t name_len,
                      const char *value)
{
    int rc = MN_OK;

    if (value) {
        TRY(mn_x__buf_append(buf, name_lit, name_len));
        rc = put_str(buf, value);
    }
done:
    return rc;
}
#define MEMBER(b, lit, v) put_member((b), "" lit, sizeof(lit) - 1, (v))

static int render_policy(mn_buf *buf, const mn_finding *f)
{
    int rc = MN_OK;

    TRY(PUT(buf, ",\"policy\":{\"kind\":"));
    TRY(put_str(buf, f->policy_kind));
    TRY(MEMBER(buf, ",\"id\":", f->policy_id));
    if (f->policy_version >= 0) {
        TRY(PUT(buf, ",\"version\":"));
        TRY(put_int(buf, f->policy_version));
    }
    if (f->group != 0) {
        TRY(PUT(buf, ",\"group\":"));
        TRY(put_int(buf, f->group));
    }
    TRY(MEMBER(buf, ",\"title\":", f->policy_title));
    TRY(MEMBER(buf, ",\"related\":", f->related));
    TRY(MEMBER(buf, ",\"source\":", f->source));
    rc = PUT(buf, "}");
done:
    return rc;
}

static int render_finding(mn_buf *buf, const mn_finding *f, const mn_kb *kb)
{
    int rc = MN_OK;
    size_t n = f->n_supporting < MN_MAX_SUPPORTING ? f->n_supporting
                                                   : MN_MAX_SUPPORTING;
    bool described = false;
    char codes[MN_MAX_SUPPORTING][12];
    const char *desc[MN_MAX_SUPPORTING];

    for (size_t i = 0; i < n; i++) {
        mn_x__icd_dotted(codes[i], f->supporting[i]);
        desc[i] = mn_x__kb_icd_desc(kb, f->supporting[i]);
    }

    TRY(PUT(buf, "{\"edit\":"));
    TRY(put_str(buf, f->edit));
    TRY(PUT(buf, ",\"severity\":\""));
    TRY(mn_x__buf_puts(buf, severity_name(f->severity)));
    TRY(PUT(buf, "\",\"message\":"));
    TRY(put_str(buf, f->message ? f->message : ""));
    if (f->policy_kind)
        TRY(render_policy(buf, f));
    TRY(PUT(buf, ",\"carc\":"));
    TRY(put_str(buf, f->carc));
    TRY(PUT(buf, ",\"rarc\":"));
    TRY(put_str(buf, f->rarc));
    TRY(MEMBER(buf, ",\"diagnosis\":", f->dx));
    TRY(MEMBER(buf, ",\"fix\":", f->fix));
    TRY(PUT(buf, ",\"supporting_diagnoses\":["));
    for (size_t i = 0; i < n; i++) {
        if (i)
            TRY(PUT(buf, ","));
        TRY(put_str(buf, codes[i]));
        if (desc[i])
            described = true;
    }
    TRY(PUT(buf, "]"));
    if (described) {
        /* extension: the descriptions, parallel to supporting_diagnoses */
        TRY(PUT(buf, ",\"supporting_detail\":["));
        for (size_t i = 0; i < n; i++) {
            if (i)
                TRY(PUT(buf, ","));
            TRY(PUT(buf, "{\"code\":"));
            TRY(put_str(buf, codes[i]));
            TRY(PUT(buf, ",\"description\":"));
            TRY(put_str(buf, desc[i]));
            TRY(PUT(buf, "}"));
        }
        TRY(PUT(buf, "]"));
    }
    rc = PUT(buf, "}");
done:
    return rc;
}

/* Length of a code in its fixed-size field (maybe not NUL-terminated). */
static size_t code_len(const char code[8])
{
    const char *nul = memchr(code, '\0', 8);

    return nul ? (size_t)(nul - code) : 8;
}

static int render_line(mn_buf *buf, const mn_line_result *ln, const mn_kb *kb)
{
    int rc = MN_OK;
    size_t n = ln->n_suggested < 4 ? ln->n_suggested : 4;

    TRY(PUT(buf, "{\"line\":"));
    TRY(put_int(buf, (long long)ln->line));
    TRY(PUT(buf, ",\"code\":"));
    TRY(mn_x__json_string(buf, ln->code, code_len(ln->code)));
    TRY(PUT(buf, ",\"status\":\""));
    TRY(mn_x__buf_puts(buf, mn_status_name(ln->status)));
    TRY(PUT(buf, "\",\"abn\":"));
    TRY(put_str(buf, ln->abn ? ln->abn : "not_needed"));
    TRY(MEMBER(buf, ",\"abn_reason\":", ln->abn_reason));
    TRY(PUT(buf, ",\"suggested_modifiers\":["));
    for (size_t i = 0; i < n; i++) {
        if (i)
            TRY(PUT(buf, ","));
        TRY(put_str(buf, ln->suggested[i] ? ln->suggested[i] : ""));
    }
    TRY(PUT(buf, "],\"findings\":["));
    for (size_t i = 0; i < ln->n_findings; i++) {
        if (i)
            TRY(PUT(buf, ","));
        TRY(render_finding(buf, &ln->findings[i], kb));
    }
    rc = PUT(buf, "]}");
done:
    return rc;
}

static const char *kb_text(const char *s)
{
    return s ? s : "";
}

int mn_x__render_json(mn_buf *buf, const mn_result *res, const mn_kb *kb)
{
    int rc = MN_OK;

    TRY(PUT(buf, "{\"id\":"));
    TRY(put_str(buf, res->id));
    TRY(PUT(buf, ",\"status\":\""));
    TRY(mn_x__buf_puts(buf, mn_status_name(res->status)));
    TRY(PUT(buf, "\",\"knowledge_base\":{\"version\":"));
    TRY(put_str(buf, kb ? kb_text(mn_kb_version(kb)) : ""));
    TRY(PUT(buf, ",\"built\":"));
    TRY(put_str(buf, kb ? kb_text(mn_kb_built(kb)) : ""));
    TRY(PUT(buf, "},\"lines\":["));
    for (size_t i = 0; i < res->n_lines; i++) {
        if (i)
            TRY(PUT(buf, ","));
        TRY(render_line(buf, &res->lines[i], kb));
    }
    rc = PUT(buf, "]}");
done:
    return rc;
}

/* ------------------------------------------------------------------ */
/* Text                                                                */
/* ------------------------------------------------------------------ */

/* Appends `s` on one line: control characters become spaces. */
static int text_put(mn_buf *buf, const char *s)
{
    int rc = MN_OK;
    size_t run = 0;
    size_t i = 0;

    for (; s && s[i]; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 && ch != 0x7f)
            continue;
        TRY(mn_x__buf_append(buf, s + run, i - run));
        TRY(PUT(buf, " "));
        run = i + 1;
    }
    if (s)
        rc = mn_x__buf_append(buf, s + run, i - run);
done:
    return rc;
}

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
static int text_citation(mn_buf *buf, const mn_finding *f)
{
    static const char *const kinds[][2] = {
        {"ncd", "NCD"},   {"lcd", "LCD"},   {"article", "article"},
        {"mce", "MCE"},   {"rule", "rule"}, {"code_set", "code set"},
        {"ncci", "NCCI"}, {"mue", "MUE"}};
    const char *label = f->policy_kind;
    int rc = MN_OK;

    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (strcmp(f->policy_kind, kinds[i][0]) == 0)
            label = kinds[i][1];
    }
    if (!f->policy_id || !starts_ci(f->policy_id, label)) {
        TRY(text_put(buf, label));
        if (f->policy_id)
            TRY(PUT(buf, " "));
    }
    TRY(text_put(buf, f->policy_id));
    if (f->policy_version >= 0)
        TRY(mn_x__buf_printf(buf, " v%d", f->policy_version));
    if (f->group != 0)
        TRY(mn_x__buf_printf(buf, " group %d", f->group));
    if (f->related) {
        bool article = strcmp(f->policy_kind, "article") == 0;
        TRY(PUT(buf, ", "));
        if (article && !starts_ci(f->related, "lcd"))
            TRY(PUT(buf, "LCD "));
        TRY(text_put(buf, f->related));
    }
    if (f->policy_title) {
        TRY(PUT(buf, ": "));
        TRY(text_put(buf, f->policy_title));
    }
done:
    return rc;
}

#define INDENT1 "    "
#define INDENT2 "        "

static int text_finding(mn_buf *buf, const mn_finding *f, const mn_kb *kb)
{
    int rc = MN_OK;
    size_t n = f->n_supporting < MN_MAX_SUPPORTING ? f->n_supporting
                                                   : MN_MAX_SUPPORTING;

    TRY(mn_x__buf_printf(buf, INDENT1 "%-6s ", severity_name(f->severity)));
    TRY(text_put(buf, f->edit ? f->edit : "(no edit id)"));
    if (f->message) {
        TRY(PUT(buf, ": "));
        TRY(text_put(buf, f->message));
    }
    TRY(PUT(buf, "\n"));
    if (f->policy_kind) {
        TRY(PUT(buf, INDENT2 "policy: "));
        TRY(text_citation(buf, f));
        TRY(PUT(buf, "\n"));
    }
    if (f->source) {
        TRY(PUT(buf, INDENT2 "source: "));
        TRY(text_put(buf, f->source));
        TRY(PUT(buf, "\n"));
    }
    if (f->carc || f->rarc) {
        TRY(PUT(buf, INDENT2 "expected denial:"));
        if (f->carc) {
            TRY(PUT(buf, " CARC "));
            TRY(text_put(buf, f->carc));
        }
        if (f->rarc) {
            if (f->carc)
                TRY(PUT(buf, ","));
            TRY(PUT(buf, " RARC "));
            TRY(text_put(buf, f->rarc));
        }
        TRY(PUT(buf, "\n"));
    }
    if (f->dx) {
        TRY(PUT(buf, INDENT2 "diagnosis: "));
        TRY(text_put(buf, f->dx));
        TRY(PUT(buf, "\n"));
    }
    if (f->fix) {
        TRY(PUT(buf, INDENT2 "fix: "));
        TRY(text_put(buf, f->fix));
        TRY(PUT(buf, "\n"));
    }
    if (n)
        TRY(PUT(buf, INDENT2 "diagnoses that would support it:\n"));
    for (size_t i = 0; i < n; i++) {
        char code[12];
        const char *desc = mn_x__kb_icd_desc(kb, f->supporting[i]);
        mn_x__icd_dotted(code, f->supporting[i]);
        TRY(PUT(buf, INDENT2 "  "));
        TRY(text_put(buf, code));
        if (desc) {
            size_t pad = strlen(code) < 9 ? 9 - strlen(code) : 1;
            TRY(mn_x__buf_append(buf, "         ", pad));
            TRY(text_put(buf, desc));
        }
        TRY(PUT(buf, "\n"));
    }
done:
    return rc;
}

/* "(ABN recommended; append GA)" */
static int text_abn(mn_buf *buf, const mn_line_result *ln)
{
    int rc = MN_OK;
    size_t n = ln->n_suggested < 4 ? ln->n_suggested : 4;
    bool open = false;

    if (ln->abn && strcmp(ln->abn, "recommended") == 0) {
        TRY(PUT(buf, "  (ABN recommended"));
        open = true;
    } else if (ln->abn && strcmp(ln->abn, "on_file") == 0) {
        TRY(PUT(buf, "  (ABN on file"));
        open = true;
    }
    for (size_t i = 0; i < n; i++) {
        if (i == 0)
            TRY(open ? PUT(buf, "; append ") : PUT(buf, "  (append "));
        else
            TRY(PUT(buf, ", "));
        TRY(text_put(buf, ln->suggested[i] ? ln->suggested[i] : ""));
        open = true;
    }
    if (open)
        rc = PUT(buf, ")");
done:
    return rc;
}

int mn_x__render_text(mn_buf *buf, const mn_result *res, const mn_kb *kb)
{
    int rc = MN_OK;

    TRY(PUT(buf, "Claim "));
    TRY(text_put(buf, res->id ? res->id : "(no id)"));
    TRY(mn_x__buf_printf(buf, ": %s (%zu line%s)\n", status_upper(res->status),
                         res->n_lines, res->n_lines == 1 ? "" : "s"));
    if (kb) {
        TRY(PUT(buf, "Knowledge base "));
        TRY(text_put(buf, kb_text(mn_kb_version(kb))));
        TRY(PUT(buf, ", built "));
        TRY(text_put(buf, kb_text(mn_kb_built(kb))));
        TRY(PUT(buf, "\n"));
    }
    for (size_t i = 0; i < res->n_lines; i++) {
        const mn_line_result *ln = &res->lines[i];
        char code[sizeof(ln->code) + 1];
        size_t n = code_len(ln->code);
        memcpy(code, ln->code, n);
        code[n] = '\0';
        TRY(mn_x__buf_printf(buf, "\nLine %zu  ", ln->line));
        TRY(text_put(buf, code));
        TRY(PUT(buf, "  "));
        TRY(mn_x__buf_puts(buf, status_upper(ln->status)));
        TRY(text_abn(buf, ln));
        TRY(PUT(buf, "\n"));
        if (ln->abn_reason) {
            TRY(PUT(buf, INDENT1 "ABN reason: "));
            TRY(text_put(buf, ln->abn_reason));
            TRY(PUT(buf, "\n"));
        }
        for (size_t k = 0; k < ln->n_findings; k++)
            TRY(text_finding(buf, &ln->findings[k], kb));
    }
done:
    return rc;
}

/* ------------------------------------------------------------------ */
/* Public                                                              */
/* ------------------------------------------------------------------ */

int mn_result_render(mn_buf *buf, const mn_result *res, const mn_kb *kb,
                     mn_format format, mn_error *err)
{
    int rc = MN_OK;

    if (!buf || !res) {
        rc = mn_x__err(err, MN_EINVAL, "no buffer or no result");
        goto done;
    }
    if (format == MN_FORMAT_JSON)
        rc = mn_x__render_json(buf, res, kb);
    else if (format == MN_FORMAT_TEXT)
        rc = mn_x__render_text(buf, res, kb);
    else
        rc = mn_x__err(err, MN_EINVAL, "unknown output format");
    if (rc == MN_ELIMIT)
        mn_x__err(err, rc, "result too large for the output buffer");
    else if (rc == MN_ENOMEM)
        mn_x__err(err, rc, "out of memory");
done:
    return rc;
}
