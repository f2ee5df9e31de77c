/*
 * build/load/load_mcd.c: the CMS Medicare Coverage Database (MCD) export,
 * every table of it given to one build, into the KB builder.
 *
 * The export ships as one ZIP of per-dataset ZIPs of CSVs (all_data.zip ->
 * all_article.zip -> all_article_csv.zip -> *.csv; build/sources.c reads
 * them in place). All the MCD tables of a build form one set: the same
 * table of two datasets (contractor.csv of the article and the LCD sets)
 * is merged, an identical copy is not read twice, and the link tables of
 * one dataset can use the lookups of another. Every table of the export
 * is reported: loaded, read and counted, or not used and why (the
 * catalogue below).
 *
 * Columns are found by header name (case-insensitive), so CMS may reorder
 * or add columns between releases; a missing required column is an error
 * located at line 1 of the file. Tables are processed in dependency order
 * whatever order the caller passes them in: lookups and contractors
 * first, then the documents, then links and codes; the places of the
 * policies are worked out at the end (build/load/mcd_place.c).
 *
 * Ranges. A code range arrives as a code with its end in the `range`
 * column ("C50.011" + "C50.929"), as a span in the code column ("A - B",
 * "A-B"), or as the whole span in the `range` column; a `range` of
 * N/No/0/false means no range, any other value that is neither a code nor
 * a span is a skipped row with its reason. An ICD-10-CM range is expanded
 * in the ICD-10-CM tabular order of the loaded code files (the ICD tables
 * must be loaded first), the end covering every code it prefixes. A
 * procedure range is expanded numerically when both ends are 5 characters
 * long and differ only in their digit positions (80047-80076,
 * J0120-J0130, 0001U-0010U): every code in between is emitted, whether or
 * not it exists, and ranges of more than HCPCS_RANGE_MAX codes are
 * refused.
 */
#include <assert.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "build/load/mcd_int.h"
#include "kb/mcd_fmt.h"

#define NO_COL MN_NO_COL
#define VEC_MAX ((size_t)256 << 20)
#define HCPCS_RANGE_MAX 10000UL
#define CONTRACTOR_NUMBER_MAX 32
#define GROUP_MAX 0xffff /* the builder stores group numbers in 16 bits */
#define URL_MAX 2048

/* Tables in processing order; T_COUNT and above are not loaded. */
enum {
    T_CONTRACTOR_TYPE,
    T_STATE_LOOKUP,
    T_STATE_REGION,
    T_CONTRACTOR,
    T_JURISDICTION,
    T_ARTICLE,
    T_LCD,
    T_ART_RETIRE,
    T_LCD_RETIRE,
    T_ART_RELATED,
    T_LCD_RELATED,
    T_ART_CONTRACTOR,
    T_LCD_CONTRACTOR,
    T_ART_HCPC,
    T_LCD_HCPC,
    T_ART_HCPC_GROUP,
    T_LCD_HCPC_GROUP,
    T_ART_COVERED,
    T_ART_COVERED_GROUP,
    T_ART_NONCOVERED,
    T_ART_NONCOVERED_GROUP,
    T_ART_MODIFIER,
    T_ART_MODIFIER_GROUP,
    T_ART_PCS,
    T_ART_PCS_GROUP,
    T_ART_URL_TYPE,
    T_LCD_URL_TYPE,
    T_ART_URLS,
    T_LCD_URLS,
    T_NCD,
    T_INDEX,
    T_COUNT,
    T_UNUSED = T_COUNT,
    T_UNKNOWN
};

/* The catalogue: every table of the export this build knows. Tables with
 * a T_ value below T_COUNT are read; the others are listed with `why`. */
static const struct {
    const char *name;
    int table;
    const char *layout;
    const char *why; /* a table not used: the reason */
} tables[] = {
    {"contractor_type_lookup.csv", T_CONTRACTOR_TYPE,
     "mcd:contractor_type_lookup", NULL},
    {"state_lookup.csv", T_STATE_LOOKUP, "mcd:state_lookup", NULL},
    {"state_x_region.csv", T_STATE_REGION, "mcd:state_x_region", NULL},
    {"contractor.csv", T_CONTRACTOR, "mcd:contractor", NULL},
    {"contractor_jurisdiction.csv", T_JURISDICTION,
     "mcd:contractor_jurisdiction", NULL},
    {"article.csv", T_ARTICLE, "mcd:article", NULL},
    {"lcd.csv", T_LCD, "mcd:lcd", NULL},
    {"article_future_retire.csv", T_ART_RETIRE, "mcd:article_future_retire",
     NULL},
    {"lcd_future_retire.csv", T_LCD_RETIRE, "mcd:lcd_future_retire", NULL},
    {"article_related_documents.csv", T_ART_RELATED,
     "mcd:article_related_documents", NULL},
    {"lcd_related_documents.csv", T_LCD_RELATED, "mcd:lcd_related_documents",
     NULL},
    {"article_x_contractor.csv", T_ART_CONTRACTOR, "mcd:article_x_contractor",
     NULL},
    {"lcd_x_contractor.csv", T_LCD_CONTRACTOR, "mcd:lcd_x_contractor", NULL},
    {"article_x_hcpc_code.csv", T_ART_HCPC, "mcd:article_x_hcpc_code", NULL},
    {"lcd_x_hcpc_code.csv", T_LCD_HCPC, "mcd:lcd_x_hcpc_code", NULL},
    {"article_x_hcpc_code_group.csv", T_ART_HCPC_GROUP,
     "mcd:article_x_hcpc_code_group", NULL},
    {"lcd_x_hcpc_code_group.csv", T_LCD_HCPC_GROUP, "mcd:lcd_x_hcpc_code_group",
     NULL},
    {"article_x_icd10_covered.csv", T_ART_COVERED,
     "mcd:article_x_icd10_covered", NULL},
    {"article_x_icd10_covered_group.csv", T_ART_COVERED_GROUP,
     "mcd:article_x_icd10_covered_group", NULL},
    {"article_x_icd10_noncovered.csv", T_ART_NONCOVERED,
     "mcd:article_x_icd10_noncovered", NULL},
    {"article_x_icd10_noncovered_group.csv", T_ART_NONCOVERED_GROUP,
     "mcd:article_x_icd10_noncovered_group", NULL},
    {"article_x_hcpc_modifier.csv", T_ART_MODIFIER,
     "mcd:article_x_hcpc_modifier", NULL},
    {"article_x_hcpc_modifier_group.csv", T_ART_MODIFIER_GROUP,
     "mcd:article_x_hcpc_modifier_group", NULL},
    {"article_x_icd10_pcs_code.csv", T_ART_PCS, "mcd:article_x_icd10_pcs_code",
     NULL},
    {"article_x_icd10_pcs_code_group.csv", T_ART_PCS_GROUP,
     "mcd:article_x_icd10_pcs_code_group", NULL},
    {"article_url_type_lookup.csv", T_ART_URL_TYPE,
     "mcd:article_url_type_lookup", NULL},
    {"lcd_url_type_lookup.csv", T_LCD_URL_TYPE, "mcd:lcd_url_type_lookup",
     NULL},
    {"article_x_urls.csv", T_ART_URLS, "mcd:article_x_urls", NULL},
    {"lcd_x_urls.csv", T_LCD_URLS, "mcd:lcd_x_urls", NULL},
    {"ncd_trkg.csv", T_NCD, "mcd:ncd_trkg", NULL},
    /* read and not used */
    {"article_x_revision_history.csv", T_UNUSED, NULL,
     "revision history text: not used by the knowledge base"},
    {"lcd_x_revision_history.csv", T_UNUSED, NULL,
     "revision history text: not used by the knowledge base"},
    {"article_x_sticky_note.csv", T_UNUSED, NULL,
     "notices shown on the MCD pages: not used"},
    {"lcd_x_sticky_note.csv", T_UNUSED, NULL,
     "notices shown on the MCD pages: not used"},
    {"article_x_response_to_comment.csv", T_UNUSED, NULL,
     "responses to comments: not used"},
    {"article_x_bill_code.csv", T_UNUSED, NULL,
     "bill type codes: not used yet (bill types are not matched against "
     "articles)"},
    {"article_x_revenue_code.csv", T_UNUSED, NULL,
     "revenue codes: not used yet (claims carry no revenue codes)"},
    {"article_x_code_table.csv", T_UNUSED, NULL,
     "drug code tables (brand names and dates): not used yet"},
    {"article_x_other_coding_group.csv", T_UNUSED, NULL,
     "other coding paragraphs: not used"},
    {"article_x_primary_jurisdiction.csv", T_UNUSED, NULL,
     "primary jurisdiction of a few documents: not used (places come from "
     "contractor_jurisdiction, which covers every document)"},
    {"lcd_x_primary_jurisdiction.csv", T_UNUSED, NULL,
     "primary jurisdiction of a few documents: not used (places come from "
     "contractor_jurisdiction, which covers every document)"},
    {"article_related_ncd_documents.csv", T_UNUSED, NULL,
     "links to NCDs: not used yet"},
    {"lcd_related_ncd_documents.csv", T_UNUSED, NULL,
     "links to NCDs: not used yet"},
    {"article_related_source_icd9.csv", T_UNUSED, NULL,
     "ICD-9 predecessors: not used"},
    {"lcd_related_source_icd9.csv", T_UNUSED, NULL,
     "ICD-9 predecessors: not used"},
    {"article_type_lookup.csv", T_UNUSED, NULL,
     "article type names: not used (every article loads whatever its type)"},
    {"lcd_x_advisory_committee.csv", T_UNUSED, NULL,
     "LCD process record: not used"},
    {"lcd_x_reason_change.csv", T_UNUSED, NULL, "LCD process record: not used"},
    {"reason_change_lookup.csv", T_UNUSED, NULL,
     "LCD process record: not used"},
    {"lcd_x_synopsis_changes_fields.csv", T_UNUSED, NULL,
     "LCD process record: not used"},
    {"synopsis_changes_fields_lookup.csv", T_UNUSED, NULL,
     "LCD process record: not used"},
    {"lcd_x_requestor_letters.csv", T_UNUSED, NULL,
     "LCD process record: not used"},
    {"draft_contact_lookup.csv", T_UNUSED, NULL,
     "LCD process record: not used"},
    {"update_period.csv", T_UNUSED, NULL, "MCD update periods: not used"},
    {"contractor_subtype_lookup.csv", T_UNUSED, NULL,
     "contractor subtypes: not used"},
    {"contractor_oversight.csv", T_UNUSED, NULL,
     "CMS regional oversight: not used (places come from "
     "contractor_jurisdiction and the DME regions)"},
    {"region_lookup.csv", T_UNUSED, NULL, "CMS region names: not used"},
    {"dmerc_region_lookup.csv", T_UNUSED, NULL,
     "DME region names: not used (the DME region of a contractor is its "
     "dmerc_rgn; its states come from state_x_region)"},
    {"ncd_trkg_bnft_xref.csv", T_UNUSED, NULL,
     "NCD benefit categories: not used yet"},
    {"ncd_bnft_ctgry_ref.csv", T_UNUSED, NULL,
     "NCD benefit categories: not used yet"},
    {"ncd_pblctn_ref.csv", T_UNUSED, NULL, "NCD publications: not used"},
};

const mcd_doc_kind mn_x__mcd_article = {
    MN_PK_ARTICLE,    'A',
    "article_id",     "article_version",
    "bad article id", "rows for article versions not in article.csv"};
const mcd_doc_kind mn_x__mcd_lcd = {
    MN_PK_LCD,     'L',          "lcd_id",
    "lcd_version", "bad LCD id", "rows for LCD versions not in lcd.csv"};

#define doc_article mn_x__mcd_article
#define doc_lcd mn_x__mcd_lcd

typedef mn_colspec colspec;
typedef mcd_docver docver;

/* ---- names ---------------------------------------------------------- */

static bool name_is(const char *a, const char *b)
{
    return mn_x__strcasecmp(a, b) == 0;
}

static bool ends_with_csv(const char *s, size_t n)
{
    return n > 4 && mn_x__strcasecmp(s + n - 4, ".csv") == 0;
}

static bool starts_with(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    for (size_t i = 0; i < n; i++) {
        if (mn_x__tolower((unsigned char)s[i]) != prefix[i])
            return false;
    }
    return true;
}

/* The documents index (documents_latest_2025-08.csv): a listing of the
 * MCD documents with their contractor company, not a table of the
 * export. */
static bool index_name(const char *name)
{
    return mn_x__name_match("documents_latest*.csv", name) ||
           mn_x__name_match("mcd_documents*.csv", name);
}

/* Catalogue entry of `name`, or -1. */
static int entry_of(const char *name)
{
    for (size_t i = 0; name && i < sizeof(tables) / sizeof(tables[0]); i++) {
        if (name_is(name, tables[i].name))
            return (int)i;
    }
    return -1;
}

static int table_of(const char *name)
{
    int e = entry_of(name);

    if (e >= 0)
        return tables[e].table;
    if (name && index_name(name))
        return T_INDEX;
    return mn_x__mcd_table_name(name) ? T_UNUSED : T_UNKNOWN;
}

static const char *layout_of(int table)
{
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        if (tables[i].table == table && tables[i].layout)
            return tables[i].layout;
    }
    if (table == T_INDEX)
        return "mcd:documents_index";
    return table == T_UNUSED ? "mcd:unused" : "mcd:unknown";
}

bool mn_x__mcd_table_name(const char *name)
{
    size_t n;

    if (!name)
        return false;
    n = strlen(name);
    if (!ends_with_csv(name, n))
        return false;
    if (entry_of(name) >= 0 || index_name(name))
        return true;
    /* the lab NCD lists are another layout */
    if (name_is(name, "ncd_codes.csv") || name_is(name, "ncd_meta.csv"))
        return false;
    /* The datasets: article_*, lcd_*, contractor_*, ncd_* tables and the
     * *_lookup tables that ship with them. */
    if (starts_with(name, "article_") || starts_with(name, "lcd_") ||
        starts_with(name, "contractor_") || starts_with(name, "ncd_"))
        return true;
    return n > 11 && mn_x__strcasecmp(name + n - 11, "_lookup.csv") == 0;
}

bool mn_x__mcd_table_read(const char *name)
{
    int t = table_of(name);
    return t < T_COUNT;
}

/* ---- small helpers ------------------------------------------------- */

void mn_x__mcd_note(mn_report *r, const char *fmt, ...)
{
    size_t used;
    va_list ap;

    if (!r)
        return;
    used = strlen(r->note);
    if (used && used + 2 < sizeof(r->note)) {
        memcpy(r->note + used, "; ", 3);
        used += 2;
    }
    if (used + 1 >= sizeof(r->note))
        return;
    va_start(ap, fmt);
    vsnprintf(r->note + used, sizeof(r->note) - used, fmt, ap);
    va_end(ap);
}
#define note_add mn_x__mcd_note

void mn_x__mcd_skip(mcd *m, const char *reason)
{
    mn_x__report_skip(m->rep, reason, mn_csv_record(m->csv));
}
#define skip mn_x__mcd_skip

const char *mn_x__mcd_fld(const mcd *m, int c, size_t *len)
{
    size_t i = m->idx[c];
    size_t n = 0;
    const char *s;

    if (i == NO_COL) {
        *len = 0;
        return "";
    }
    s = mn_csv_field(m->csv, i, &n);
    *len = mn_x__trim(&s, n);
    return s;
}
#define fld mn_x__mcd_fld

/* A NUL-terminated copy in the scratch buffer; NULL for "" (the builder
 * then keeps what an earlier call set). */
static int cstr(mcd *m, const char *s, size_t len, const char **out)
{
    int rc;

    *out = NULL;
    m->scratch.len = 0;
    if (len == 0)
        return MN_OK;
    rc = mn_x__vec_push(&m->scratch, s, len);
    if (rc == MN_OK)
        rc = mn_x__vec_push(&m->scratch, "", 1);
    if (rc == MN_OK)
        *out = (const char *)m->scratch.data;
    return rc;
}

bool mn_x__mcd_num(const char *s, size_t len, unsigned long dflt,
                   unsigned long *out)
{
    if (len == 0) {
        *out = dflt;
        return true;
    }
    return mn_x__parse_uint(out, s, len) && *out <= INT_MAX;
}
#define num_field mn_x__mcd_num

/* Empty -> 0; otherwise a group number the builder can store. */
static bool group_field(const char *s, size_t len, unsigned long *out)
{
    return num_field(s, len, 0, out) && *out <= GROUP_MAX;
}

bool mn_x__mcd_date(const char *s, size_t len, int32_t *out)
{
    size_t n = 0;

    *out = MN_NODATE;
    if (len == 0)
        return true;
    /* CMS writes ISO dates, MM/DD/YYYY and timestamps ("2015-10-01
     * 00:00:00", "10/01/2015 12:00:00 AM"): the time is cut; "N/A" is no
     * date */
    if (mn_x__word_is(s, len, "n/a"))
        return true;
    while (n < len && s[n] != ' ' && s[n] != 'T')
        n++;
    return mn_x__parse_date(out, s, n, true);
}
#define date_field mn_x__mcd_date

/* A `range` or `asterisk` column value meaning "no" / "yes". */
static bool is_word_of(const char *s, size_t len, const char *const *words,
                       size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (mn_x__word_is(s, len, words[i]))
            return true;
    }
    return false;
}

static bool is_no(const char *s, size_t len)
{
    static const char *const no[] = {"n", "no", "0", "false"};
    return is_word_of(s, len, no, sizeof(no) / sizeof(no[0]));
}

static bool is_yes(const char *s, size_t len)
{
    static const char *const yes[] = {"y", "yes", "1", "true"};
    return is_word_of(s, len, yes, sizeof(yes) / sizeof(yes[0]));
}

#define blank_record mn_x__csv_blank

int mn_x__mcd_cmp_docver(const void *pa, const void *pb)
{
    const docver *a = pa;
    const docver *b = pb;
    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    if (a->version != b->version)
        return a->version < b->version ? -1 : 1;
    return 0;
}
#define cmp_docver mn_x__mcd_cmp_docver

/* `v` holds mcd_docend records, sorted; docver is their first member. */
static bool declared(const mn_vec *v, const docver *d)
{
    if (!v->len)
        return false;
    return bsearch(d, v->data, MN_VEC_COUNT(v, mcd_docend), sizeof(mcd_docend),
                   cmp_docver) != NULL;
}

void mn_x__mcd_doc_id(char out[MCD_ID_MAX], const mcd_doc_kind *dk,
                      unsigned long id)
{
    snprintf(out, MCD_ID_MAX, "%c%lu", dk->prefix, id);
}
#define doc_id mn_x__mcd_doc_id

const char *mn_x__mcd_doc_key(const mcd *m, docver *out)
{
    size_t len;
    const char *s = fld(m, 0, &len);

    if (len && mn_x__toupper((unsigned char)s[0]) == m->dk->prefix) {
        s++;
        len--;
    }
    if (!len || !mn_x__parse_uint(&out->id, s, len) || out->id > INT_MAX)
        return m->dk->bad_id;
    s = fld(m, 1, &len);
    if (!num_field(s, len, 0, &out->version))
        return "bad version";
    return NULL;
}
#define doc_key mn_x__mcd_doc_key

/* Counts a row whose document version was not declared in this set. */
static int check_declared(mcd *m, const docver *d)
{
    const mn_vec *v = m->dk->kind == MN_PK_ARTICLE ? &m->articles : &m->lcds;
    mcd_seen s;

    if (declared(v, d))
        return MN_OK;
    m->n_undeclared++;
    memset(&s, 0, sizeof(s));
    s.d = *d;
    s.kind = m->dk->kind;
    return mn_x__vec_push(&m->undeclared, &s, sizeof(s));
}

/* ---- reading a table ----------------------------------------------- */

static int located(const mcd *m, int rc, mn_error *err)
{
    if (err)
        mn_x__err_at(err, m->src->path, err->line, err->column);
    return rc;
}

int mn_x__mcd_each_row(mcd *m, const colspec *cols, size_t ncols,
                       mcd_row_fn row, mn_error *err)
{
    bool empty = false;
    int rc;

    assert(ncols <= MCD_MAX_COLS);
    rc = mn_csv_new(&m->csv, m->src->data, m->src->len, NULL, err);
    if (rc)
        goto done;
    rc = mn_x__csv_bind(m->csv, m->src->path, cols, ncols, m->idx, &empty, err);
    if (rc)
        goto done;
    if (empty) {
        note_add(m->rep, "empty file");
        goto done;
    }
    for (;;) {
        rc = mn_csv_next(m->csv, err);
        if (rc == 0)
            break;
        if (rc < 0) {
            rc = located(m, rc, err);
            goto done;
        }
        if (blank_record(m->csv)) {
            skip(m, "blank line");
            continue;
        }
        rc = row(m);
        if (rc) {
            mn_x__err(err, rc, "%s", mn_strerror(rc));
            mn_x__err_at(err, m->src->path, mn_csv_line(m->csv), 1);
            if (err)
                err->record = mn_csv_record(m->csv);
            goto done;
        }
    }
    rc = MN_OK;
done:
    mn_csv_free(m->csv);
    m->csv = NULL;
    return rc;
}
#define each_row mn_x__mcd_each_row

/* ---- contractor.csv ------------------------------------------------ */

static const colspec contractor_cols[] = {
    {"contractor_id", NULL, true},
    {"contractor_type_id", "contract_type_id", false},
    {"contractor_version", NULL, false},
    {"contractor_number", "contract_number", true},
    {"dmerc_rgn", NULL, false},
};

static int cmp_contractor(const void *pa, const void *pb)
{
    const mcd_contractor *a = pa;
    const mcd_contractor *b = pb;
    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    if (a->version != b->version)
        return a->version < b->version ? -1 : 1;
    if (a->fresh != b->fresh)
        return a->fresh ? 1 : -1; /* rows of earlier copies first */
    if (a->record != b->record)
        return a->record < b->record ? -1 : 1;
    return 0;
}

static bool same_contractor(const mcd_contractor *a, const mcd_contractor *b)
{
    return a->id == b->id && a->type == b->type && a->version == b->version;
}

static int contractor_row(mcd *m)
{
    mcd_contractor c;
    size_t len;
    const char *s;
    int rc;

    memset(&c, 0, sizeof(c));
    c.record = mn_csv_record(m->csv);
    c.fresh = true;
    s = fld(m, 0, &len);
    if (!len || !mn_x__parse_uint(&c.id, s, len)) {
        skip(m, "bad contractor id");
        return MN_OK;
    }
    s = fld(m, 1, &len);
    if (!num_field(s, len, 0, &c.type)) {
        skip(m, "bad contractor type");
        return MN_OK;
    }
    s = fld(m, 2, &len);
    if (!num_field(s, len, 0, &c.version)) {
        skip(m, "bad contractor version");
        return MN_OK;
    }
    s = fld(m, 4, &len);
    if (!num_field(s, len, 0, &c.region)) {
        skip(m, "bad DME region");
        return MN_OK;
    }
    s = fld(m, 3, &len);
    if (!len) {
        skip(m, "missing contractor number");
        return MN_OK;
    }
    if (len > CONTRACTOR_NUMBER_MAX) {
        skip(m, "bad contractor number");
        return MN_OK;
    }
    c.number = mn_x__strndup(s, len);
    if (!c.number)
        return MN_ENOMEM;
    rc = mn_x__vec_push(&m->contractors, &c, sizeof(c));
    if (rc) {
        mn_x__free(c.number);
        return rc;
    }
    m->rep->rows++;
    return MN_OK;
}

/* Sorts the contractors and drops repeated keys: within one file the first
 * row wins and later ones are skipped; a row an earlier copy of the table
 * already gave is merged (counted in the note). */
static void finish_contractors(mcd *m)
{
    mcd_contractor *c = (mcd_contractor *)m->contractors.data;
    size_t n = MN_VEC_COUNT(&m->contractors, mcd_contractor);
    size_t out = 0;

    if (!n)
        return;
    qsort(c, n, sizeof(*c), cmp_contractor);
    for (size_t i = 0; i < n; i++) {
        if (out && same_contractor(&c[out - 1], &c[i])) {
            if (c[out - 1].fresh)
                mn_x__report_skip(m->rep, "duplicate contractor", c[i].record);
            else
                m->merged++;
            if (m->rep->rows)
                m->rep->rows--;
            mn_x__free(c[i].number);
            continue;
        }
        c[out++] = c[i];
    }
    for (size_t i = 0; i < out; i++)
        c[i].fresh = false;
    m->contractors.len = out * sizeof(*c);
}

const mcd_contractor *mn_x__mcd_contractor(const mcd *m, unsigned long id,
                                           unsigned long type,
                                           unsigned long version)
{
    const mcd_contractor *c = (const mcd_contractor *)m->contractors.data;
    size_t n = MN_VEC_COUNT(&m->contractors, mcd_contractor);
    size_t lo = 0;
    size_t hi = n;

    /* first entry with this id */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < n && c[i].id == id; i++) {
        if (c[i].type == type && c[i].version == version)
            return &c[i];
    }
    for (size_t i = lo; i < n && c[i].id == id; i++) {
        bool type_ok = !c[i].type || !type || c[i].type == type;
        bool ver_ok = !c[i].version || !version || c[i].version == version;
        if (type_ok && ver_ok)
            return &c[i];
    }
    return NULL;
}

/* ---- article.csv, lcd.csv ------------------------------------------ */

enum { A_ID, A_VER, A_TITLE, A_EFF, A_END, A_ORIG, A_RETIRED };
static const colspec article_cols[] = {
    {"article_id", NULL, true},
    {"article_version", NULL, true},
    {"title", NULL, false},
    {"article_eff_date", NULL, false},
    {"article_end_date", NULL, false},
    {"orig_eff_date", NULL, false},
    {"date_retired", NULL, false},
};

enum { L_ID, L_VER, L_TITLE, L_ORIG, L_REV_EFF, L_REV_END, L_DET_END, L_RET };
static const colspec lcd_cols[] = {
    {"lcd_id", NULL, true},
    {"lcd_version", NULL, true},
    {"title", NULL, false},
    {"orig_det_eff_date", NULL, false},
    {"rev_eff_date", NULL, false},
    {"rev_end_date", NULL, false},
    {"ent_det_end_date", NULL, false},
    {"date_retired", NULL, false},
};

/* Dates of a document row: the first non-empty effective column and the
 * first non-empty ending column. */
static bool doc_dates(const mcd *m, const int *eff, size_t n_eff,
                      const int *end, size_t n_end, mn_kbb_policy *p)
{
    size_t len;
    const char *s;

    for (size_t i = 0; i < n_eff && p->effective == MN_NODATE; i++) {
        s = fld(m, eff[i], &len);
        if (!date_field(s, len, &p->effective))
            return false;
    }
    for (size_t i = 0; i < n_end && p->ending == MN_NODATE; i++) {
        s = fld(m, end[i], &len);
        if (!date_field(s, len, &p->ending))
            return false;
    }
    return true;
}

static int doc_row(mcd *m)
{
    static const int a_eff[] = {A_EFF, A_ORIG};
    static const int a_end[] = {A_END, A_RETIRED};
    static const int l_eff[] = {L_REV_EFF, L_ORIG};
    static const int l_end[] = {L_REV_END, L_DET_END, L_RET};
    bool article = m->dk->kind == MN_PK_ARTICLE;
    mn_kbb_policy p;
    char id[MCD_ID_MAX];
    mcd_docend de;
    const char *why;
    const char *s;
    size_t len;
    bool ok;
    int rc;

    memset(&de, 0, sizeof(de));
    why = doc_key(m, &de.d);
    if (why) {
        skip(m, why);
        return MN_OK;
    }
    memset(&p, 0, sizeof(p));
    p.effective = MN_NODATE;
    p.ending = MN_NODATE;
    if (article)
        ok = doc_dates(m, a_eff, 2, a_end, 2, &p);
    else
        ok = doc_dates(m, l_eff, 2, l_end, 3, &p);
    if (!ok) {
        skip(m, "bad date");
        return MN_OK;
    }
    de.end = p.ending;
    doc_id(id, m->dk, de.d.id);
    p.kind = m->dk->kind;
    p.id = id;
    p.version = (int)de.d.version;
    s = fld(m, article ? A_TITLE : L_TITLE, &len);
    if (len)
        de.flags |= MCD_DOC_TITLED;
    rc = cstr(m, s, len, &p.title);
    if (rc == MN_OK)
        rc = mn_x__kbb_policy(m->b, &p);
    if (rc == MN_OK)
        rc = mn_x__vec_push(article ? &m->articles : &m->lcds, &de, sizeof(de));
    if (rc)
        return rc;
    m->rep->rows++;
    return MN_OK;
}

/* The declared versions are kept as mcd_docend records; docver is their
 * prefix, so the sorted searches work on both. */
static int cmp_docend(const void *a, const void *b)
{
    return cmp_docver(a, b);
}

static void sort_docends(mn_vec *v)
{
    if (v->len)
        qsort(v->data, MN_VEC_COUNT(v, mcd_docend), sizeof(mcd_docend),
              cmp_docend);
}

/* ---- *_future_retire.csv ------------------------------------------- */

static const colspec art_retire_cols[] = {
    {"article_id", NULL, true},
    {"retire_dt", "retire_date", true},
};
static const colspec lcd_retire_cols[] = {
    {"lcd_id", NULL, true},
    {"retire_dt", "retire_date", true},
};

/* A document's future retirement ends its newest version (the one in
 * force) on that day, unless it already ends earlier. Only the document
 * itself: its related articles keep their own dates. */
static int retire_row(mcd *m)
{
    const mn_vec *v = m->dk->kind == MN_PK_ARTICLE ? &m->articles : &m->lcds;
    const mcd_docend *e = (const mcd_docend *)v->data;
    size_t n = MN_VEC_COUNT(v, mcd_docend);
    char id[MCD_ID_MAX];
    mn_kbb_policy p;
    docver d;
    size_t lo = 0;
    size_t hi = n;
    size_t len;
    const char *s;
    int32_t date;
    int rc;

    memset(&d, 0, sizeof(d));
    s = fld(m, 0, &len);
    if (len && mn_x__toupper((unsigned char)s[0]) == m->dk->prefix) {
        s++;
        len--;
    }
    if (!len || !mn_x__parse_uint(&d.id, s, len) || d.id > INT_MAX) {
        skip(m, m->dk->bad_id);
        return MN_OK;
    }
    s = fld(m, 1, &len);
    if (!date_field(s, len, &date) || date == MN_NODATE) {
        skip(m, "bad date");
        return MN_OK;
    }
    /* the last declared version of the id */
    d.version = ULONG_MAX;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_docver(&e[mid], &d) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || e[lo - 1].d.id != d.id) {
        skip(m, m->dk->kind == MN_PK_ARTICLE ? "article not in article.csv"
                                             : "LCD not in lcd.csv");
        return MN_OK;
    }
    m->rep->rows++;
    if (e[lo - 1].end != MN_NODATE && e[lo - 1].end <= date)
        return MN_OK;
    memset(&p, 0, sizeof(p));
    doc_id(id, m->dk, d.id);
    p.kind = m->dk->kind;
    p.id = id;
    p.version = (int)e[lo - 1].d.version;
    p.effective = MN_NODATE;
    p.ending = date;
    rc = mn_x__kbb_policy(m->b, &p);
    if (rc == MN_OK)
        m->ranges++; /* counted as "versions ended" in the note */
    return rc;
}

/* ---- ranges ---------------------------------------------------------- */

/* Finds the range of a row: a span in the code column, the whole span in
 * the range column, or a code plus its end in the range column. Returns 1
 * with the two ends, 0 when the row holds no range, -1 (and *why) when the
 * range column holds something else. */
static int split_range(const char *code, size_t code_len, const char *rng,
                       size_t rng_len, const char **lo, size_t *lo_len,
                       const char **hi, size_t *hi_len, const char **why)
{
    const char *dash = memchr(code, '-', code_len);
    const char *span = code;
    size_t span_len = code_len;

    if (!dash && rng_len && !is_no(rng, rng_len)) {
        dash = memchr(rng, '-', rng_len);
        if (dash) {
            span = rng;
            span_len = rng_len;
        } else if (is_yes(rng, rng_len)) {
            *why = "range flag without a span in the code column";
            return -1;
        } else {
            *lo = code;
            *lo_len = code_len;
            *hi = rng;
            *hi_len = rng_len;
            return 1;
        }
    }
    if (!dash)
        return 0;
    *lo = span;
    *lo_len = mn_x__trim(lo, (size_t)(dash - span));
    *hi = dash + 1;
    *hi_len = mn_x__trim(hi, span_len - (size_t)(dash - span) - 1);
    return 1;
}

typedef struct emit {
    mcd *m;
    const char *id;
    int version;
    int group;
    bool asterisk;
} emit;

static int emit_dx(void *payload, mn_key code)
{
    emit *e = payload;
    return mn_x__kbb_policy_dx(e->m->b, e->m->dk->kind, e->id, e->version,
                               e->m->list, e->group, e->asterisk, code);
}

/* Expands a procedure code range (see the file comment). Returns a skip
 * reason or NULL; *rc gets the builder's result. */
static const char *hcpcs_range(mcd *m, const emit *e, const char *lo,
                               size_t lo_len, const char *hi, size_t hi_len,
                               int *rc)
{
    char code[6];
    unsigned long a = 0;
    unsigned long z = 0;
    size_t digits = 0;

    *rc = MN_OK;
    if (lo_len != 5 || hi_len != 5 ||
        !(mn_x__cpt_shape(lo, 5) || mn_x__hcpcs2_shape(lo, 5)) ||
        !(mn_x__cpt_shape(hi, 5) || mn_x__hcpcs2_shape(hi, 5)))
        return "range whose ends are not codes";
    for (size_t i = 0; i < 5; i++) {
        bool dl = mn_x__isdigit(lo[i]);
        bool dh = mn_x__isdigit(hi[i]);
        code[i] = (char)mn_x__toupper((unsigned char)lo[i]);
        if (dl && dh) {
            a = a * 10 + (unsigned long)(lo[i] - '0');
            z = z * 10 + (unsigned long)(hi[i] - '0');
            digits++;
        } else if (dl || dh ||
                   mn_x__toupper((unsigned char)lo[i]) !=
                       mn_x__toupper((unsigned char)hi[i])) {
            return "range whose ends differ in more than digits";
        }
    }
    code[5] = '\0';
    if (!digits || z < a)
        return "range end before start";
    if (z - a + 1 > HCPCS_RANGE_MAX)
        return "range too large";
    for (unsigned long v = a; v <= z; v++) {
        unsigned long rest = v;
        for (size_t i = 5; i-- > 0;) {
            if (!mn_x__isdigit(lo[i]))
                continue;
            code[i] = (char)('0' + rest % 10);
            rest /= 10;
        }
        *rc = mn_x__kbb_policy_code(m->b, m->dk->kind, e->id, e->version,
                                    mn_x__key(code, 5), e->group);
        if (*rc)
            return NULL;
    }
    m->ranges++;
    m->range_codes += z - a + 1;
    return NULL;
}

/* Expands an ICD-10-CM range in tabular order against the loaded codes. */
static const char *icd_range(mcd *m, emit *e, const char *lo, size_t lo_len,
                             const char *hi, size_t hi_len, int *rc)
{
    mn_key klo;
    mn_key khi;
    size_t count = 0;
    const char *why = NULL;

    *rc = MN_OK;
    if (!mn_x__icd_shape(lo, lo_len) || !mn_x__icd_shape(hi, hi_len))
        return "range whose ends are not codes";
    klo = mn_x__key(lo, lo_len);
    khi = mn_x__key(hi, hi_len);
    if (!klo || !khi)
        return "range whose ends are not codes";
    *rc = mn_x__kbb_icd_range(m->b, klo, khi, emit_dx, e, &count, &why);
    if (*rc)
        return NULL;
    if (count == 0)
        return why ? why : "range did not match any loaded ICD-10-CM code";
    m->ranges++;
    m->range_codes += count;
    return NULL;
}

/* ---- article_x_hcpc_code.csv, lcd_x_hcpc_code.csv ------------------ */

enum { H_ID, H_VER, H_CODE, H_GROUP, H_RANGE };
static const colspec art_hcpc_cols[] = {
    {"article_id", NULL, true},   {"article_version", NULL, true},
    {"hcpc_code_id", NULL, true}, {"hcpc_code_group", NULL, false},
    {"range", NULL, false},
};
static const colspec lcd_hcpc_cols[] = {
    {"lcd_id", NULL, true},       {"lcd_version", NULL, true},
    {"hcpc_code_id", NULL, true}, {"hcpc_code_group", NULL, false},
    {"range", NULL, false},
};

static int hcpc_row(mcd *m)
{
    char id[MCD_ID_MAX];
    const char *code;
    const char *rng;
    const char *lo = NULL;
    const char *hi = NULL;
    const char *why = NULL;
    size_t code_len;
    size_t rng_len;
    size_t lo_len = 0;
    size_t hi_len = 0;
    unsigned long group;
    docver d;
    emit e;
    int split;
    int rc = MN_OK;

    why = doc_key(m, &d);
    if (why) {
        skip(m, why);
        return MN_OK;
    }
    code = fld(m, H_CODE, &code_len);
    rng = fld(m, H_RANGE, &rng_len);
    lo = fld(m, H_GROUP, &lo_len);
    if (!group_field(lo, lo_len, &group)) {
        skip(m, "bad group");
        return MN_OK;
    }
    if (!code_len) {
        skip(m, "missing code");
        return MN_OK;
    }
    doc_id(id, m->dk, d.id);
    memset(&e, 0, sizeof(e));
    e.m = m;
    e.id = id;
    e.version = (int)d.version;
    e.group = (int)group;
    split = split_range(code, code_len, rng, rng_len, &lo, &lo_len, &hi,
                        &hi_len, &why);
    if (split > 0) {
        why = hcpcs_range(m, &e, lo, lo_len, hi, hi_len, &rc);
    } else if (split < 0) {
        /* why is set */
    } else if (mn_x__cpt_shape(code, code_len) ||
               mn_x__hcpcs2_shape(code, code_len)) {
        why = NULL;
        rc = mn_x__kbb_policy_code(m->b, m->dk->kind, id, e.version,
                                   mn_x__key(code, code_len), e.group);
    } else {
        why = "not a CPT or HCPCS code";
    }
    if (rc)
        return rc;
    if (why) {
        skip(m, why);
        return MN_OK;
    }
    m->rep->rows++;
    return check_declared(m, &d);
}

/* ---- tables read and counted ---------------------------------------- */

static const colspec art_key_cols[] = {
    {"article_id", NULL, true},
    {"article_version", NULL, true},
};
static const colspec lcd_key_cols[] = {
    {"lcd_id", NULL, true},
    {"lcd_version", NULL, true},
};

static int count_row(mcd *m)
{
    docver d;
    const char *why = doc_key(m, &d);

    if (why) {
        skip(m, why);
        return MN_OK;
    }
    m->rep->rows++;
    return check_declared(m, &d);
}

/* ---- article_x_icd10_(non)covered.csv ------------------------------ */

enum { I_ID, I_VER, I_CODE, I_GROUP, I_RANGE, I_AST };
static const colspec covered_cols[] = {
    {"article_id", NULL, true},    {"article_version", NULL, true},
    {"icd10_code_id", NULL, true}, {"icd10_covered_group", NULL, false},
    {"range", NULL, false},        {"asterisk", NULL, false},
};
static const colspec noncovered_cols[] = {
    {"article_id", NULL, true},    {"article_version", NULL, true},
    {"icd10_code_id", NULL, true}, {"icd10_noncovered_group", NULL, false},
    {"range", NULL, false},        {"asterisk", NULL, false},
};

static int icd_row(mcd *m)
{
    char id[MCD_ID_MAX];
    const char *code;
    const char *rng;
    const char *lo = NULL;
    const char *hi = NULL;
    const char *why = NULL;
    size_t code_len;
    size_t rng_len;
    size_t lo_len = 0;
    size_t hi_len = 0;
    unsigned long group;
    docver d;
    emit e;
    mn_key key;
    int split;
    int rc = MN_OK;

    why = doc_key(m, &d);
    if (why) {
        skip(m, why);
        return MN_OK;
    }
    lo = fld(m, I_GROUP, &lo_len);
    if (!group_field(lo, lo_len, &group)) {
        skip(m, "bad group");
        return MN_OK;
    }
    code = fld(m, I_CODE, &code_len);
    if (!code_len) {
        skip(m, "missing code");
        return MN_OK;
    }
    doc_id(id, m->dk, d.id);
    memset(&e, 0, sizeof(e));
    e.m = m;
    e.id = id;
    e.version = (int)d.version;
    e.group = (int)group;
    lo = fld(m, I_AST, &lo_len);
    e.asterisk = lo_len && !is_no(lo, lo_len);
    rng = fld(m, I_RANGE, &rng_len);
    split = split_range(code, code_len, rng, rng_len, &lo, &lo_len, &hi,
                        &hi_len, &why);
    if (split > 0) {
        why = icd_range(m, &e, lo, lo_len, hi, hi_len, &rc);
    } else if (split < 0) {
        /* why is set */
    } else if (mn_x__icd_shape(code, code_len)) {
        why = NULL;
        key = mn_x__key(code, code_len);
        if (!mn_x__kbb_icd_known(m->b, key))
            m->unknown_icd++;
        rc = emit_dx(&e, key);
    } else {
        why = "not an ICD-10-CM code";
    }
    if (rc)
        return rc;
    if (why) {
        skip(m, why);
        return MN_OK;
    }
    if (e.asterisk)
        m->asterisks++;
    m->rep->rows++;
    return check_declared(m, &d);
}

/* ---- article_x_icd10_(non)covered_group.csv ------------------------ */

enum { G_ID, G_VER, G_GROUP, G_PARA, G_AST };
static const colspec covered_group_cols[] = {
    {"article_id", NULL, true},          {"article_version", NULL, true},
    {"icd10_covered_group", NULL, true}, {"paragraph", NULL, true},
    {"icd10_covered_ast", NULL, false},
};
static const colspec noncovered_group_cols[] = {
    {"article_id", NULL, true},
    {"article_version", NULL, true},
    {"icd10_noncovered_group", NULL, true},
    {"paragraph", NULL, true},
    {"icd10_noncovered_ast", NULL, false},
};

static int group_row(mcd *m)
{
    char id[MCD_ID_MAX];
    const char *para;
    const char *ast;
    const char *why;
    size_t para_len;
    size_t ast_len;
    unsigned long group;
    docver d;
    int rc;

    why = doc_key(m, &d);
    if (why) {
        skip(m, why);
        return MN_OK;
    }
    para = fld(m, G_GROUP, &para_len);
    if (!para_len) {
        skip(m, "missing group");
        return MN_OK;
    }
    if (!group_field(para, para_len, &group)) {
        skip(m, "bad group");
        return MN_OK;
    }
    para = fld(m, G_PARA, &para_len);
    ast = fld(m, G_AST, &ast_len);
    doc_id(id, m->dk, d.id);
    rc = mn_x__kbb_policy_group(m->b, m->dk->kind, id, (int)d.version, m->list,
                                (int)group, para, para_len, ast, ast_len);
    if (rc)
        return rc;
    m->rep->rows++;
    return check_declared(m, &d);
}

/* ---- article_x_hcpc_modifier(_group).csv --------------------------- */

enum { M_ID, M_VER, M_CODE, M_GROUP, M_DESC };
static const colspec modifier_cols[] = {
    {"article_id", NULL, true},
    {"article_version", NULL, true},
    {"hcpc_modifier_code_id", "hcpc_modifier_id", true},
    {"hcpc_modifier_group", NULL, false},
    {"description", NULL, false},
};
static const colspec modifier_group_cols[] = {
    {"article_id", NULL, true},
    {"article_version", NULL, true},
    {"hcpc_modifier_group", NULL, true},
    {"paragraph", NULL, true},
};

static int attach_ref(mcd *m, const docver *d, uint32_t *ref)
{
    char id[MCD_ID_MAX];

    doc_id(id, m->dk, d->id);
    return mn_x__kbb_policy_ref(m->b, m->dk->kind, id, (int)d->version, ref);
}

static int modifier_row(mcd *m)
{
    char mod[3];
    const char *s;
    const char *desc;
    size_t len;
    size_t desc_len;
    unsigned long group;
    uint32_t ref;
    docver d;
    const char *why = doc_key(m, &d);
    int rc;

    if (why) {
        skip(m, why);
        return MN_OK;
    }
    s = fld(m, M_GROUP, &len);
    if (!group_field(s, len, &group)) {
        skip(m, "bad group");
        return MN_OK;
    }
    s = fld(m, M_CODE, &len);
    if (len != 2 ||
        !((mn_x__isdigit(s[0]) || mn_x__isalpha((unsigned char)s[0])) &&
          (mn_x__isdigit(s[1]) || mn_x__isalpha((unsigned char)s[1])))) {
        skip(m, "not a modifier");
        return MN_OK;
    }
    mod[0] = (char)mn_x__toupper((unsigned char)s[0]);
    mod[1] = (char)mn_x__toupper((unsigned char)s[1]);
    mod[2] = '\0';
    desc = fld(m, M_DESC, &desc_len);
    rc = attach_ref(m, &d, &ref);
    if (rc == MN_OK)
        rc = mn_x__kbb_attach(m->b, ref, KB_PA_MODIFIER, (int)group, -1, 0, mod,
                              2, desc, desc_len);
    if (rc)
        return rc;
    m->rep->rows++;
    return check_declared(m, &d);
}

static int modifier_group_row(mcd *m)
{
    const char *s;
    size_t len;
    unsigned long group;
    uint32_t ref;
    docver d;
    const char *why = doc_key(m, &d);
    int rc;

    if (why) {
        skip(m, why);
        return MN_OK;
    }
    s = fld(m, 2, &len);
    if (!len || !group_field(s, len, &group)) {
        skip(m, "bad group");
        return MN_OK;
    }
    s = fld(m, 3, &len);
    if (!len) {
        skip(m, "missing paragraph");
        return MN_OK;
    }
    rc = attach_ref(m, &d, &ref);
    if (rc == MN_OK)
        rc = mn_x__kbb_attach(m->b, ref, KB_PA_MODIFIER_GROUP, (int)group, -1,
                              0, s, len, NULL, 0);
    if (rc)
        return rc;
    m->rep->rows++;
    return check_declared(m, &d);
}

/* ---- *_url_type_lookup.csv, article_x_urls.csv, lcd_x_urls.csv ----- */

static const colspec url_type_cols[] = {
    {"url_type_id", NULL, true},
    {"description", NULL, true},
};

static int url_type_row(mcd *m)
{
    mcd_pair p;
    const char *s;
    size_t len;
    char *name;
    int rc;

    s = fld(m, 0, &len);
    if (!len || !num_field(s, len, 0, &p.key)) {
        skip(m, "bad URL type");
        return MN_OK;
    }
    s = fld(m, 1, &len);
    if (!len) {
        skip(m, "missing description");
        return MN_OK;
    }
    name = mn_x__strndup(s, len);
    if (!name)
        return MN_ENOMEM;
    /* lookups of the two datasets may number their types apart: the
     * article types are kept with the high bit clear, the LCD types set */
    p.key |= m->dk->kind == MN_PK_LCD ? 0x80000000UL : 0;
    p.value = (unsigned long)(uintptr_t)name;
    rc = mn_x__vec_push(&m->url_types, &p, sizeof(p));
    if (rc) {
        mn_x__free(name);
        return rc;
    }
    m->rep->rows++;
    return MN_OK;
}

enum { U_ID, U_VER, U_TYPE, U_URL, U_NAME, U_ORDER, U_DESC };
static const colspec art_url_cols[] = {
    {"article_id", NULL, true},       {"article_version", NULL, true},
    {"url_type_id", NULL, false},     {"url", NULL, true},
    {"url_name", NULL, false},        {"sort_order", NULL, false},
    {"url_description", NULL, false},
};
static const colspec lcd_url_cols[] = {
    {"lcd_id", NULL, true},           {"lcd_version", NULL, true},
    {"url_type_id", NULL, false},     {"url", NULL, true},
    {"url_name", NULL, false},        {"sort_order", NULL, false},
    {"url_description", NULL, false},
};

static const char *url_type_name(const mcd *m, unsigned long type)
{
    unsigned long key = type | (m->dk->kind == MN_PK_LCD ? 0x80000000UL : 0);
    for (size_t i = 0; i < MN_VEC_COUNT(&m->url_types, mcd_pair); i++) {
        const mcd_pair *p = &MN_VEC_AT(&m->url_types, mcd_pair, i);
        if (p->key == key)
            return (const char *)(uintptr_t)p->value;
    }
    return NULL;
}

static bool web_address(const char *s, size_t len)
{
    return (len > 7 && mn_x__contains_ci(s, 7, "http://")) ||
           (len > 8 && mn_x__contains_ci(s, 8, "https://"));
}

static int url_row(mcd *m)
{
    const char *url;
    const char *name;
    size_t url_len;
    size_t name_len;
    unsigned long type;
    unsigned long order;
    const char *s;
    size_t len;
    uint32_t ref;
    docver d;
    const char *why = doc_key(m, &d);
    int rc;

    if (why) {
        skip(m, why);
        return MN_OK;
    }
    url = fld(m, U_URL, &url_len);
    if (!url_len) {
        skip(m, "missing URL");
        return MN_OK;
    }
    if (url_len > URL_MAX || !web_address(url, url_len)) {
        skip(m, "not a web address");
        return MN_OK;
    }
    s = fld(m, U_TYPE, &len);
    if (!num_field(s, len, 0, &type) || type > GROUP_MAX) {
        skip(m, "bad URL type");
        return MN_OK;
    }
    s = fld(m, U_ORDER, &len);
    if (!num_field(s, len, 0, &order)) {
        skip(m, "bad sort order");
        return MN_OK;
    }
    name = fld(m, U_NAME, &name_len);
    if (!name_len)
        name = fld(m, U_DESC, &name_len);
    if (!name_len && (name = url_type_name(m, type)) != NULL)
        name_len = strlen(name);
    rc = attach_ref(m, &d, &ref);
    if (rc == MN_OK)
        rc = mn_x__kbb_attach(m->b, ref, KB_PA_URL, (int)type, (int32_t)order,
                              0, url, url_len, name, name_len);
    if (rc)
        return rc;
    m->rep->rows++;
    return check_declared(m, &d);
}

/* ---- ncd_trkg.csv ---------------------------------------------------- */

enum { N_ID, N_VER, N_SECT, N_TITLE };
static const colspec ncd_cols[] = {
    {"ncd_id", NULL, true},
    {"ncd_vrsn_num", "ncd_version", true},
    {"ncd_mnl_sect", NULL, true},
    {"ncd_mnl_sect_title", NULL, true},
};

static int ncd_row(mcd *m)
{
    mcd_ncd n;
    const char *s;
    size_t len;
    const char *title;
    size_t title_len;

    memset(&n, 0, sizeof(n));
    s = fld(m, N_ID, &len);
    if (!len || !num_field(s, len, 0, &n.ncd_id)) {
        skip(m, "bad NCD id");
        return MN_OK;
    }
    s = fld(m, N_VER, &len);
    if (!num_field(s, len, 0, &n.version)) {
        skip(m, "bad version");
        return MN_OK;
    }
    s = fld(m, N_SECT, &len);
    title = fld(m, N_TITLE, &title_len);
    if (!len || len > 32) {
        skip(m, "missing manual section");
        return MN_OK;
    }
    if (!title_len) {
        skip(m, "missing title");
        return MN_OK;
    }
    /* the newest version of a section names it */
    for (size_t i = 0; i < MN_VEC_COUNT(&m->ncds, mcd_ncd); i++) {
        mcd_ncd *o = &MN_VEC_AT(&m->ncds, mcd_ncd, i);
        char *t;
        if (strlen(o->section) != len || memcmp(o->section, s, len) != 0)
            continue;
        m->rep->rows++;
        if (o->version >= n.version)
            return MN_OK;
        t = mn_x__strndup(title, title_len);
        if (!t)
            return MN_ENOMEM;
        mn_x__free(o->title);
        o->title = t;
        o->version = n.version;
        o->ncd_id = n.ncd_id;
        return MN_OK;
    }
    n.section = mn_x__strndup(s, len);
    n.title = mn_x__strndup(title, title_len);
    if (!n.section || !n.title ||
        mn_x__vec_push(&m->ncds, &n, sizeof(n)) != MN_OK) {
        mn_x__free(n.section);
        mn_x__free(n.title);
        return MN_ENOMEM;
    }
    m->rep->rows++;
    return MN_OK;
}

typedef struct ncd_apply {
    mcd *m;
    const mcd_ncd *n;
    char url[160];
    size_t versions;
} ncd_apply;

static int ncd_version(void *payload, int version)
{
    ncd_apply *a = payload;
    mn_kbb_policy p;
    uint32_t ref;
    int rc;

    memset(&p, 0, sizeof(p));
    p.kind = MN_PK_NCD;
    p.id = a->n->section;
    p.version = version;
    p.title = a->n->title;
    p.effective = MN_NODATE;
    p.ending = MN_NODATE;
    rc = mn_x__kbb_policy(a->m->b, &p);
    if (rc == MN_OK)
        rc = mn_x__kbb_policy_ref(a->m->b, MN_PK_NCD, a->n->section, version,
                                  &ref);
    if (rc == MN_OK)
        rc = mn_x__kbb_attach(a->m->b, ref, KB_PA_PAGE, 0, -1, 0, a->url,
                              strlen(a->url), NULL, 0);
    a->versions++;
    return rc;
}

/* Titles and pages of the NCD policies the KB has (the lab NCDs): the
 * export's NCD table names them; NCDs without codes are not stored. */
static int apply_ncds(mcd *m)
{
    size_t matched = 0;
    size_t n = MN_VEC_COUNT(&m->ncds, mcd_ncd);
    int rc = MN_OK;

    for (size_t i = 0; i < n && !rc; i++) {
        ncd_apply a;
        memset(&a, 0, sizeof(a));
        a.m = m;
        a.n = &MN_VEC_AT(&m->ncds, mcd_ncd, i);
        snprintf(a.url, sizeof(a.url),
                 "https://www.cms.gov/medicare-coverage-database/view/"
                 "ncd.aspx?ncdid=%lu&ncdver=%lu",
                 a.n->ncd_id, a.n->version);
        rc = mn_x__kbb_policy_each(m->b, MN_PK_NCD, a.n->section, ncd_version,
                                   &a);
        matched += a.versions > 0;
    }
    if (n && m->rep_ncd)
        note_add(m->rep_ncd,
                 "%zu NCD manual sections; titles and pages given to the %zu "
                 "of them the knowledge base has policies for (the others "
                 "have no code lists here)",
                 n, matched);
    return rc;
}

/* ---- the set ----------------------------------------------------------- */

#define COLS(a) a, sizeof(a) / sizeof(a[0])

static void reset_counters(mcd *m)
{
    m->n_undeclared = 0;
    m->unknown_icd = 0;
    m->asterisks = 0;
    m->ranges = 0;
    m->range_codes = 0;
    m->merged = 0;
}

static int load_table(mcd *m, int table, mn_error *err)
{
    int rc = MN_OK;

    reset_counters(m);
    m->dk = &doc_article;
    m->list = MN_DL_COVERED;
    switch (table) {
    case T_CONTRACTOR_TYPE:
        rc = mn_x__mcd_contractor_types(m, err);
        break;
    case T_STATE_LOOKUP:
        rc = mn_x__mcd_state_lookup(m, err);
        break;
    case T_STATE_REGION:
        rc = mn_x__mcd_state_regions(m, err);
        break;
    case T_CONTRACTOR:
        rc = each_row(m, COLS(contractor_cols), contractor_row, err);
        if (rc == MN_OK)
            finish_contractors(m);
        break;
    case T_JURISDICTION:
        rc = mn_x__mcd_jurisdictions(m, err);
        break;
    case T_ARTICLE:
        rc = each_row(m, COLS(article_cols), doc_row, err);
        sort_docends(&m->articles);
        break;
    case T_LCD:
        m->dk = &doc_lcd;
        rc = each_row(m, COLS(lcd_cols), doc_row, err);
        sort_docends(&m->lcds);
        break;
    case T_ART_RETIRE:
    case T_LCD_RETIRE:
        if (table == T_LCD_RETIRE)
            m->dk = &doc_lcd;
        rc = each_row(m,
                      table == T_LCD_RETIRE ? lcd_retire_cols : art_retire_cols,
                      2, retire_row, err);
        if (m->ranges)
            note_add(m->rep, "%zu document versions end on their retirement",
                     m->ranges);
        m->ranges = 0;
        break;
    case T_ART_RELATED:
    case T_LCD_RELATED:
        rc = mn_x__mcd_related(m, table == T_LCD_RELATED, err);
        break;
    case T_ART_CONTRACTOR:
    case T_LCD_CONTRACTOR:
        if (table == T_LCD_CONTRACTOR)
            m->dk = &doc_lcd;
        rc = mn_x__mcd_doc_contractors(m, err);
        break;
    case T_ART_HCPC:
        rc = each_row(m, COLS(art_hcpc_cols), hcpc_row, err);
        break;
    case T_LCD_HCPC:
        m->dk = &doc_lcd;
        rc = each_row(m, COLS(lcd_hcpc_cols), hcpc_row, err);
        break;
    case T_ART_HCPC_GROUP:
        rc = each_row(m, COLS(art_key_cols), count_row, err);
        note_add(m->rep, "procedure group paragraphs are not stored");
        break;
    case T_LCD_HCPC_GROUP:
        m->dk = &doc_lcd;
        rc = each_row(m, COLS(lcd_key_cols), count_row, err);
        note_add(m->rep, "procedure group paragraphs are not stored");
        break;
    case T_ART_COVERED:
        rc = each_row(m, COLS(covered_cols), icd_row, err);
        break;
    case T_ART_COVERED_GROUP:
        rc = each_row(m, COLS(covered_group_cols), group_row, err);
        break;
    case T_ART_NONCOVERED:
        m->list = MN_DL_NONCOVERED;
        rc = each_row(m, COLS(noncovered_cols), icd_row, err);
        break;
    case T_ART_NONCOVERED_GROUP:
        m->list = MN_DL_NONCOVERED;
        rc = each_row(m, COLS(noncovered_group_cols), group_row, err);
        break;
    case T_ART_MODIFIER:
        rc = each_row(m, COLS(modifier_cols), modifier_row, err);
        note_add(m->rep, "the modifiers an article lists, shown by lookup; "
                         "not applied by check (whether a listed modifier is "
                         "required, allowed or informational is said in the "
                         "group paragraph, in prose)");
        break;
    case T_ART_MODIFIER_GROUP:
        rc = each_row(m, COLS(modifier_group_cols), modifier_group_row, err);
        break;
    case T_ART_PCS:
    case T_ART_PCS_GROUP:
        rc = each_row(m, COLS(art_key_cols), count_row, err);
        note_add(m->rep, "ICD-10-PCS inpatient procedure codes: read, not used "
                         "yet (claims carry CPT/HCPCS procedure lines, not "
                         "ICD-10-PCS procedures)");
        break;
    case T_ART_URL_TYPE:
    case T_LCD_URL_TYPE:
        if (table == T_LCD_URL_TYPE)
            m->dk = &doc_lcd;
        rc = each_row(m, COLS(url_type_cols), url_type_row, err);
        note_add(m->rep, "names of the URL types");
        break;
    case T_ART_URLS:
        rc = each_row(m, COLS(art_url_cols), url_row, err);
        note_add(m->rep, "links of the documents, shown by lookup");
        break;
    case T_LCD_URLS:
        m->dk = &doc_lcd;
        rc = each_row(m, COLS(lcd_url_cols), url_row, err);
        note_add(m->rep, "links of the documents, shown by lookup");
        break;
    case T_NCD:
        rc = each_row(m, COLS(ncd_cols), ncd_row, err);
        break;
    case T_INDEX:
        rc = mn_x__mcd_documents_index(m, err);
        break;
    default:
        break;
    }
    if (m->ranges)
        note_add(m->rep, "%zu ranges expanded to %zu codes", m->ranges,
                 m->range_codes);
    if (m->asterisks)
        note_add(m->rep, "%zu codes with asterisk", m->asterisks);
    if (m->unknown_icd)
        note_add(m->rep, "%zu codes not in loaded ICD-10-CM years",
                 m->unknown_icd);
    if (m->n_undeclared)
        note_add(m->rep, "%zu %s", m->n_undeclared, m->dk->undeclared);
    if (m->merged)
        note_add(m->rep,
                 "%zu rows already given by another copy of the "
                 "table (merged)",
                 m->merged);
    return rc;
}

/* Index of an earlier file of the same table name and the same bytes, or
 * `i` when there is none. */
static size_t same_copy(const mn_src *files, const uint64_t *hash, size_t i)
{
    for (size_t j = 0; j < i; j++) {
        if (hash[j] == hash[i] && files[j].len == files[i].len &&
            name_is(files[j].name, files[i].name) &&
            memcmp(files[j].data, files[i].data, files[i].len) == 0)
            return j;
    }
    return i;
}

/* Remembers the report of the first file of each table that carries a
 * summary note. */
static void note_targets(mcd *m, const mn_src *files, mn_report *reports,
                         size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int t = table_of(files[i].name);
        mn_report **slot = t == T_ARTICLE        ? &m->rep_article
                           : t == T_LCD          ? &m->rep_lcd
                           : t == T_JURISDICTION ? &m->rep_cjur
                           : t == T_INDEX        ? &m->rep_index
                           : t == T_NCD          ? &m->rep_ncd
                                                 : NULL;
        if (slot && !*slot)
            *slot = &reports[i];
    }
    /* without article.csv the placement of articles is noted on their
     * contractor links */
    for (size_t i = 0; i < n && !m->rep_article; i++) {
        if (table_of(files[i].name) == T_ART_CONTRACTOR)
            m->rep_article = &reports[i];
    }
    for (size_t i = 0; i < n && !m->rep_lcd; i++) {
        if (table_of(files[i].name) == T_LCD_CONTRACTOR)
            m->rep_lcd = &reports[i];
    }
}

static void free_state(mcd *m)
{
    for (size_t i = 0; i < MN_VEC_COUNT(&m->contractors, mcd_contractor); i++)
        mn_x__free(MN_VEC_AT(&m->contractors, mcd_contractor, i).number);
    mn_x__vec_free(&m->contractors);
    mn_x__vec_free(&m->articles);
    mn_x__vec_free(&m->lcds);
    mn_x__vec_free(&m->undeclared);
    mn_x__vec_free(&m->scratch);
    for (size_t i = 0; i < MN_VEC_COUNT(&m->ncds, mcd_ncd); i++) {
        mn_x__free(MN_VEC_AT(&m->ncds, mcd_ncd, i).section);
        mn_x__free(MN_VEC_AT(&m->ncds, mcd_ncd, i).title);
    }
    mn_x__vec_free(&m->ncds);
    for (size_t i = 0; i < MN_VEC_COUNT(&m->url_types, mcd_pair); i++)
        mn_x__free(
            (char *)(uintptr_t)MN_VEC_AT(&m->url_types, mcd_pair, i).value);
    mn_x__vec_free(&m->url_types);
    mn_x__mcd_place_free(m);
}

int mn_x__load_mcd_set(mn_kbb *b, const mn_src *files, size_t n,
                       mn_report *reports, mn_error *err)
{
    mcd m;
    uint64_t *hash = NULL;
    size_t *copy_of = NULL;
    int rc = MN_OK;

    memset(&m, 0, sizeof(m));
    m.b = b;
    m.contractors.max = VEC_MAX;
    m.articles.max = VEC_MAX;
    m.lcds.max = VEC_MAX;
    m.undeclared.max = VEC_MAX;
    m.scratch.max = VEC_MAX;
    assert(b && (files || !n) && (reports || !n));
    if (!b || (n && (!files || !reports))) {
        rc = mn_x__err(err, MN_EINVAL, "invalid argument");
        goto done;
    }
    hash = mn_x__calloc(n ? n : 1, sizeof(*hash));
    copy_of = mn_x__calloc(n ? n : 1, sizeof(*copy_of));
    if (!hash || !copy_of) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        int t = table_of(files[i].name);
        memset(&reports[i], 0, sizeof(reports[i]));
        reports[i].layout = layout_of(t);
        hash[i] = t < T_COUNT ? XXH3_64bits(files[i].data, files[i].len) : 0;
        copy_of[i] = t < T_COUNT ? same_copy(files, hash, i) : i;
    }
    note_targets(&m, files, reports, n);
    for (int t = 0; t < T_COUNT; t++) {
        for (size_t i = 0; i < n; i++) {
            if (table_of(files[i].name) != t)
                continue;
            if (copy_of[i] != i) {
                note_add(&reports[i],
                         "same rows as %s (merged, not read "
                         "again)",
                         files[copy_of[i]].path);
                continue;
            }
            m.src = &files[i];
            m.rep = &reports[i];
            rc = load_table(&m, t, err);
            if (rc)
                goto done;
        }
        if (t == T_NCD)
            rc = apply_ncds(&m);
        if (rc) {
            rc = mn_x__err(err, rc, "%s", mn_strerror(rc));
            goto done;
        }
    }
    rc = mn_x__mcd_place(&m, err);
    if (rc)
        goto done;
    for (size_t i = 0; i < n; i++) {
        int t = table_of(files[i].name);
        int e = entry_of(files[i].name);
        if (t == T_UNUSED)
            note_add(&reports[i], "%s: %s", files[i].name,
                     e >= 0 && tables[e].why
                         ? tables[e].why
                         : "a table of the MCD export this build does not "
                           "know: not used");
        else if (t == T_UNKNOWN)
            note_add(&reports[i], "not an MCD download table");
    }
done:
    free_state(&m);
    mn_x__free(hash);
    mn_x__free(copy_of);
    return rc;
}
