/*
 * cds/respond.c: checking the orders of a CDS Hooks request and writing
 * the answer: Da Vinci CRD 2.0.1 coverage information (one systemAction
 * per order) and cards for what a clinician must act on.
 *
 * Line status -> CRD `covered` (the value set of 2.0.1 has no
 * `indeterminate`; an answer that waits on missing input is `conditional`
 * with `info-needed`, which is what CRD recommends for it):
 *
 *   covered                      covered      pa-needed no-auth
 *   not_covered, excluded        not-covered  (no pa-needed: crd-ci-q2)
 *   conditional                  conditional  pa-needed auth-needed when
 *                                             prior authorisation is
 *                                             required, doc-needed clinical
 *                                             + doc-purpose retain-doc when
 *                                             documentation is
 *   indeterminate, invalid,      conditional  info-needed location (no
 *   order without a CPT/HCPCS                 jurisdiction) or OTH (age,
 *                                             sex, diagnosis, code), a
 *                                             reason in words
 *
 * Everything a finding says comes from the result API (mn_result_line,
 * mn_result_finding); nothing is parsed back from rendered JSON. The
 * request's resources are echoed with jansson's dumper (they are the
 * EHR's JSON); what mednec writes goes through the output layer's writer.
 */
#include <string.h>
#include <xxhash.h>

#include "cds/cds_int.h"
#include "out/writer.h"

#define CI_URL                                                                 \
    "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/"                  \
    "ext-coverage-information"
#define CRD_TEMP "http://hl7.org/fhir/us/davinci-crd/CodeSystem/temp"
#define DETAIL_SYSTEM "urn:mednec:cds:coverage-detail"
#define OVERRIDE_SYSTEM "urn:mednec:cds:override-reason"
#define MAX_LINKS 4
#define MAX_LISTED 8

/* What one order's check says, gathered from the result API. */
typedef struct verdict {
    int checked; /* 0: the order had no CPT/HCPCS code */
    mn_line_info li;
    const char *covered; /* "covered", "not-covered", "conditional" */
    const char *pa;      /* pa-needed, NULL when not-covered */
    const char *doc;     /* doc-needed, or NULL */
    const char *info[3]; /* info-needed values */
    int n_info;
    char reason[300];         /* reason text, "" when none */
    const mn_edit_info *main; /* the finding that decides the status */
    int coding;               /* the main finding is a coding edit */
    struct {
        char url[160];
        char label[200];
    } links[MAX_LINKS];
    int n_links;
    /* the covered diagnoses of the first finding that lists them */
    int n_sup;
    char sup[MN_SUPPORTING_MAX][12];
    char sup_desc[MN_SUPPORTING_MAX][200];
} verdict;

/* ---- ids -------------------------------------------------------------------
 */

static XXH128_hash_t hash3(const mn_cds_request *req, const char *a,
                           const char *b)
{
    char buf[512];
    int n = snprintf(buf, sizeof(buf), "%s|%s|%s", req->hook_instance, a, b);

    if (n < 0)
        n = 0;
    return XXH3_128bits(buf,
                        (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* A UUID (version 8: derived, not random) for a card or suggestion, the
 * same for the same hook instance, order and purpose. */
static void uuid_of(char out[37], const mn_cds_request *req, size_t order,
                    const char *what)
{
    char n[24];
    XXH128_hash_t h;
    uint64_t hi;
    uint64_t lo;

    snprintf(n, sizeof(n), "%zu", order);
    h = hash3(req, n, what);
    hi = (h.high64 & ~0xf000ull) | 0x8000ull;
    lo = (h.low64 & ~(3ull << 62)) | (2ull << 62);
    snprintf(out, 37, "%08llx-%04llx-%04llx-%04llx-%012llx",
             (unsigned long long)(hi >> 32),
             (unsigned long long)((hi >> 16) & 0xffff),
             (unsigned long long)(hi & 0xffff), (unsigned long long)(lo >> 48),
             (unsigned long long)(lo & 0xffffffffffffull));
}

/* ---- writing
 * ------------------------------------------------------------------ */

static int dump_cb(const char *text, size_t size, void *data)
{
    mn_out *w = data;
    mn_x__out_raw(w, text, size);
    return w->rc == MN_OK ? 0 : -1;
}

/* A value of the request, as the EHR sent it. */
static void echo(mn_out *w, const json_t *v)
{
    if (json_dump_callback(v, dump_cb, w, JSON_COMPACT | JSON_ENCODE_ANY) &&
        w->rc == MN_OK)
        w->rc = MN_ENOMEM;
}

/* Markdown text: the characters markdown would act on are escaped. */
static void md(mn_out *w, const char *s)
{
    const char *p = s;

    if (!s)
        return;
    while (*p) {
        size_t n = strcspn(p, "\\`*_[]<>#|\r\n");
        mn_x__out_raw(w, p, n);
        p += n;
        if (!*p)
            break;
        if (*p == '\r' || *p == '\n')
            mn_x__out_raw(w, " ", 1);
        else {
            mn_x__out_raw(w, "\\", 1);
            mn_x__out_raw(w, p, 1);
        }
        p++;
    }
}

static const char *kind_label(const char *kind)
{
    if (!kind)
        return "";
    if (!strcmp(kind, "ncd"))
        return "NCD";
    if (!strcmp(kind, "lcd"))
        return "LCD";
    if (!strcmp(kind, "article"))
        return "Article";
    if (!strcmp(kind, "mce"))
        return "MCE edit";
    if (!strcmp(kind, "code_set"))
        return "Code set";
    if (!strcmp(kind, "rule"))
        return "Rule";
    if (!strcmp(kind, "ncci"))
        return "NCCI";
    if (!strcmp(kind, "mue"))
        return "MUE";
    return kind;
}

/* "LCD L33252 v12" */
static void cite_short(char *out, size_t size, const mn_citation *c)
{
    if (c->version > 0)
        snprintf(out, size, "%s %s v%d", kind_label(c->kind),
                 c->id ? c->id : "", c->version);
    else
        snprintf(out, size, "%s %s", kind_label(c->kind), c->id ? c->id : "");
}

/* ---- the verdict of one order
 * -------------------------------------------------- */

static void add_info(verdict *v, const char *code)
{
    for (int i = 0; i < v->n_info; i++) {
        if (!strcmp(v->info[i], code))
            return;
    }
    if (v->n_info < 3)
        v->info[v->n_info++] = code;
}

static void add_reason(verdict *v, const char *text)
{
    size_t n = strlen(v->reason);
    if (!text || n + 3 >= sizeof(v->reason))
        return;
    snprintf(v->reason + n, sizeof(v->reason) - n, "%s%s", n ? " " : "", text);
}

static int judge(verdict *v, const mn_result *res, size_t line, mn_error *err)
{
    mn_finding_info fi;
    int rc;

    v->checked = 1;
    v->li.version = MN_LINE_INFO_VERSION;
    if ((rc = mn_result_line(&v->li, res, line, err)))
        return rc;
    for (size_t k = 0; k < v->li.n_findings; k++) {
        const char *id;
        memset(&fi, 0, sizeof(fi));
        fi.version = MN_FINDING_INFO_VERSION;
        if ((rc = mn_result_finding(&fi, res, line, k, err)))
            return rc;
        id = fi.edit->id;
        if (!strcmp(id, "prior_auth.required"))
            v->pa = "auth-needed";
        if (!strcmp(id, "documentation.required") ||
            !strcmp(id, "therapy.kx_required"))
            v->doc = "clinical";
        if (!strcmp(id, "policy.jurisdiction_required")) {
            add_info(v, "location");
            add_reason(v, "The state where the service is performed is "
                          "needed to find the local policy (LCD) that "
                          "applies: send the performer's or the location's "
                          "address.");
        } else if (!strcmp(id, "age.unknown") || !strcmp(id, "sex.unknown")) {
            add_info(v, "OTH");
            add_reason(v, !strcmp(id, "age.unknown")
                              ? "The patient's birth date is needed."
                              : "The patient's sex is needed.");
        } else if (!strcmp(id, "dx.missing")) {
            add_info(v, "OTH");
            add_reason(v, "A diagnosis (an ICD-10-CM reason for the order) "
                          "is needed.");
        } else if (fi.severity != MN_SEVERITY_INFO &&
                   (fi.edit->edit_class == MN_EDIT_DATA ||
                    fi.edit->status == MN_STATUS_INVALID) &&
                   fi.message) {
            add_reason(v, fi.message);
        }
        /* the finding that decides the line's status */
        if (!v->main && fi.severity != MN_SEVERITY_INFO &&
            fi.edit->status == v->li.status) {
            v->main = fi.edit;
            v->coding = fi.edit->edit_class == MN_EDIT_CODING;
        }
        if (fi.citation.url && fi.citation.url[0] && v->n_links < MAX_LINKS) {
            bool dup = false;
            for (int i = 0; i < v->n_links && !dup; i++)
                dup = !strcmp(v->links[i].url, fi.citation.url);
            if (!dup) {
                char c[96];
                cite_short(c, sizeof(c), &fi.citation);
                snprintf(v->links[v->n_links].url, sizeof(v->links[0].url),
                         "%s", fi.citation.url);
                snprintf(v->links[v->n_links].label, sizeof(v->links[0].label),
                         "%s%s%s", c, fi.citation.title ? ": " : "",
                         fi.citation.title ? fi.citation.title : "");
                v->n_links++;
            }
        }
        if (!v->n_sup && fi.n_supporting &&
            fi.edit->edit_class == MN_EDIT_MEDICAL_NECESSITY) {
            for (size_t s = 0; s < fi.n_supporting && s < MN_SUPPORTING_MAX;
                 s++) {
                snprintf(v->sup[s], sizeof(v->sup[s]), "%s", fi.supporting[s]);
                snprintf(v->sup_desc[s], sizeof(v->sup_desc[s]), "%s",
                         fi.supporting_desc && fi.supporting_desc[s]
                             ? fi.supporting_desc[s]
                             : "");
                v->n_sup++;
            }
        }
    }
    if (!v->main) {
        for (size_t k = 0; k < v->li.n_findings && !v->main; k++) {
            memset(&fi, 0, sizeof(fi));
            fi.version = MN_FINDING_INFO_VERSION;
            if (mn_result_finding(&fi, res, line, k, NULL) == MN_OK &&
                fi.severity != MN_SEVERITY_INFO)
                v->main = fi.edit;
        }
    }
    switch (v->li.status) {
    case MN_STATUS_COVERED:
        v->covered = "covered";
        break;
    case MN_STATUS_NOT_COVERED:
    case MN_STATUS_EXCLUDED:
        v->covered = "not-covered";
        v->pa = NULL;
        v->doc = NULL;
        break;
    case MN_STATUS_CONDITIONAL:
        v->covered = "conditional";
        break;
    case MN_STATUS_INDETERMINATE:
    case MN_STATUS_INVALID:
        v->covered = "conditional";
        if (!v->reason[0] && v->main)
            add_reason(v, v->main->title);
        break;
    }
    if (strcmp(v->covered, "not-covered") != 0 && !v->pa)
        v->pa = "no-auth";
    return MN_OK;
}

/* ---- the coverage-information extension
 * ------------------------------------------ */

static void ext_code(mn_out *w, const char *url, const char *code)
{
    MN_OUT_LIT(w, ",{\"url\":");
    mn_x__out_json_str(w, url);
    MN_OUT_LIT(w, ",\"valueCode\":");
    mn_x__out_json_str(w, code);
    MN_OUT_LIT(w, "}");
}

static void coverage_info(mn_out *w, const mn_cds_request *req, size_t idx,
                          const verdict *v)
{
    const cds_order *o = &req->orders[idx];
    const cds_coverage *cov = o->coverage >= 0 ? &req->cov[o->coverage] : NULL;
    char id[40];
    XXH128_hash_t h =
        hash3(req, o->ref[0] ? o->ref : "order", cov ? cov->ref : "");

    snprintf(id, sizeof(id), "mn-%016llx%016llx", (unsigned long long)h.high64,
             (unsigned long long)h.low64);
    MN_OUT_LIT(w, "{\"url\":\"" CI_URL "\",\"extension\":[");
    /* coverage: a reference to the Coverage judged; a request without one
     * was judged as Medicare, and the reference says so */
    MN_OUT_LIT(w, "{\"url\":\"coverage\",\"valueReference\":{");
    if (cov && cov->ref[0]) {
        MN_OUT_LIT(w, "\"reference\":");
        mn_x__out_json_str(w, cov->ref);
    } else {
        MN_OUT_LIT(w, "\"display\":");
        mn_x__out_json_str(w, cov ? cov->label
                                  : "No Coverage sent: judged as Medicare");
    }
    MN_OUT_LIT(w, "}}");
    ext_code(w, "covered", v->covered);
    if (v->pa)
        ext_code(w, "pa-needed", v->pa);
    if (v->doc) {
        ext_code(w, "doc-needed", v->doc);
        ext_code(w, "doc-purpose", "retain-doc");
    }
    for (int i = 0; i < v->n_info; i++)
        ext_code(w, "info-needed", v->info[i]);
    if (v->reason[0]) {
        MN_OUT_LIT(w, ",{\"url\":\"reason\",\"valueCodeableConcept\":{");
        MN_OUT_LIT(w, "\"text\":");
        mn_x__out_json_str(w, v->reason);
        MN_OUT_LIT(w, "}}");
    }
    for (int i = 0; i < v->n_links; i++) {
        MN_OUT_LIT(w, ",{\"url\":\"detail\",\"extension\":["
                      "{\"url\":\"code\",\"valueCodeableConcept\":{"
                      "\"coding\":[{\"system\":\"" DETAIL_SYSTEM "\","
                      "\"code\":\"policy-link\",\"display\":\"Policy\"}],"
                      "\"text\":\"Policy on the CMS site\"}},"
                      "{\"url\":\"value\",\"valueString\":");
        mn_x__out_json_str(w, v->links[i].url);
        MN_OUT_LIT(w, "},{\"url\":\"qualification\",\"valueString\":");
        mn_x__out_json_str(w, v->links[i].label);
        MN_OUT_LIT(w, "}]}");
    }
    MN_OUT_LIT(w, ",{\"url\":\"date\",\"valueDate\":");
    mn_x__out_json_str(w, req->today);
    MN_OUT_LIT(w, "},{\"url\":\"coverage-assertion-id\",\"valueString\":");
    mn_x__out_json_str(w, id);
    MN_OUT_LIT(w, "}]}");
}

/* The order, as sent, with the coverage information added to its
 * extensions (and, for the ABN suggestion, a note). */
static void order_with_info(mn_out *w, const mn_cds_request *req, size_t idx,
                            const verdict *v, const char *note)
{
    json_t *r = req->orders[idx].res;
    json_t *exts = json_object_get(r, "extension");
    json_t *notes = json_object_get(r, "note");
    const char *key;
    json_t *val;
    bool first = true;

    MN_OUT_LIT(w, "{");
    json_object_foreach(r, key, val)
    {
        if (!strcmp(key, "extension") || (note && !strcmp(key, "note")))
            continue;
        if (!first)
            MN_OUT_LIT(w, ",");
        first = false;
        mn_x__out_json_str(w, key);
        MN_OUT_LIT(w, ":");
        echo(w, val);
    }
    if (!first)
        MN_OUT_LIT(w, ",");
    MN_OUT_LIT(w, "\"extension\":[");
    for (size_t i = 0; json_is_array(exts) && i < json_array_size(exts); i++) {
        echo(w, json_array_get(exts, i));
        MN_OUT_LIT(w, ",");
    }
    coverage_info(w, req, idx, v);
    MN_OUT_LIT(w, "]");
    if (note) {
        MN_OUT_LIT(w, ",\"note\":[");
        for (size_t i = 0; json_is_array(notes) && i < json_array_size(notes);
             i++) {
            echo(w, json_array_get(notes, i));
            MN_OUT_LIT(w, ",");
        }
        MN_OUT_LIT(w, "{\"text\":");
        mn_x__out_json_str(w, note);
        MN_OUT_LIT(w, "}]");
    }
    MN_OUT_LIT(w, "}");
}

static void system_action(mn_out *w, const mn_cds_request *req, size_t idx,
                          const verdict *v)
{
    MN_OUT_LIT(w, "{\"type\":\"update\",\"description\":");
    mn_x__out_json_str(w, "Adds the payer's coverage information (Da Vinci "
                          "CRD) to the order");
    MN_OUT_LIT(w, ",\"resource\":");
    order_with_info(w, req, idx, v, NULL);
    MN_OUT_LIT(w, "}");
}

/* ---- cards
 * ---------------------------------------------------------------------- */

static const char *status_words(mn_status st)
{
    switch (st) {
    case MN_STATUS_NOT_COVERED:
        return "Likely not covered";
    case MN_STATUS_EXCLUDED:
        return "Not covered (excluded by statute)";
    case MN_STATUS_CONDITIONAL:
        return "Covered only on conditions";
    case MN_STATUS_INDETERMINATE:
        return "Coverage not determined";
    case MN_STATUS_INVALID:
        return "Cannot be billed as ordered";
    default:
        return "Covered";
    }
}

static void summary(char *out, size_t size, const cds_order *o,
                    const char *payer, const verdict *v)
{
    const char *title = v->main ? v->main->title : "";
    const char *what;
    int n;

    switch (v->li.status) {
    case MN_STATUS_NOT_COVERED:
        what = "likely not covered by";
        break;
    case MN_STATUS_EXCLUDED:
        what = "not covered (excluded) by";
        break;
    case MN_STATUS_CONDITIONAL:
        what = "covered on conditions by";
        break;
    case MN_STATUS_INDETERMINATE:
        what = "coverage undetermined for";
        break;
    default:
        what = "cannot be billed as ordered to";
        break;
    }
    n = snprintf(out, size, "%s %s %.40s: %s", o->code, what, payer, title);
    /* CDS Hooks: under 140 characters (the texts are ASCII) */
    if (n >= 139)
        memcpy(out + 135, "...", 4);
}

static void detail(mn_out *w, const mn_result *res, size_t line,
                   const cds_order *o, const char *payer, const verdict *v)
{
    mn_finding_info fi;
    int listed = 0;

    MN_OUT_LIT(w, "**");
    md(w, status_words(v->li.status));
    MN_OUT_LIT(w, "**: ");
    md(w, o->code);
    MN_OUT_LIT(w, " on ");
    md(w, o->date);
    MN_OUT_LIT(w, ", ");
    md(w, payer);
    if (o->state[0]) {
        MN_OUT_LIT(w, ", performed in ");
        md(w, o->state);
    }
    MN_OUT_LIT(w, ".\n\n");
    for (size_t k = 0; k < v->li.n_findings && listed < MAX_LISTED; k++) {
        char c[96];
        memset(&fi, 0, sizeof(fi));
        fi.version = MN_FINDING_INFO_VERSION;
        if (mn_result_finding(&fi, res, line, k, NULL) ||
            fi.severity == MN_SEVERITY_INFO)
            continue;
        listed++;
        MN_OUT_LIT(w, "- ");
        md(w, fi.message ? fi.message : fi.edit->title);
        if (fi.citation.kind) {
            cite_short(c, sizeof(c), &fi.citation);
            MN_OUT_LIT(w, " (");
            if (fi.citation.url && fi.citation.url[0]) {
                MN_OUT_LIT(w, "[");
                md(w, c);
                MN_OUT_LIT(w, "](");
                mn_x__out_puts(w, fi.citation.url);
                MN_OUT_LIT(w, ")");
            } else {
                md(w, c);
            }
            if (fi.citation.group > 0)
                mn_x__out_printf(w, ", group %d", fi.citation.group);
            if (fi.citation.title) {
                MN_OUT_LIT(w, ": *");
                md(w, fi.citation.title);
                MN_OUT_LIT(w, "*");
            }
            MN_OUT_LIT(w, ")");
        }
        if (fi.carc) {
            MN_OUT_LIT(w, ". Expected denial: CARC ");
            md(w, fi.carc);
            if (fi.rarc) {
                MN_OUT_LIT(w, ", RARC ");
                md(w, fi.rarc);
            }
        }
        MN_OUT_LIT(w, ".");
        if (fi.fix) {
            MN_OUT_LIT(w, " ");
            md(w, fi.fix);
        }
        MN_OUT_LIT(w, "\n");
    }
    if (v->n_sup) {
        MN_OUT_LIT(w, "\nDiagnoses the policy covers, for information "
                      "only (record a diagnosis only when the patient has "
                      "it):\n\n");
        for (int i = 0; i < v->n_sup; i++) {
            MN_OUT_LIT(w, "- ");
            md(w, v->sup[i]);
            if (v->sup_desc[i][0]) {
                MN_OUT_LIT(w, " ");
                md(w, v->sup_desc[i]);
            }
            MN_OUT_LIT(w, "\n");
        }
    }
    if (v->li.payable_again) {
        MN_OUT_LIT(w, "\nPayable again from ");
        md(w, v->li.payable_again);
        MN_OUT_LIT(w, ".\n");
    }
    if (v->li.abn == MN_ABN_RECOMMENDED) {
        MN_OUT_LIT(w, "\nAn Advance Beneficiary Notice (ABN, CMS-R-131) is "
                      "advised before the service");
        if (v->li.abn_reason) {
            MN_OUT_LIT(w, "; the reason the patient reads: ");
            md(w, v->li.abn_reason);
        } else {
            MN_OUT_LIT(w, ".");
        }
        MN_OUT_LIT(w, " With a signed ABN, bill with modifier GA.\n");
    } else if (v->li.n_suggested) {
        MN_OUT_LIT(w, "\nModifiers to add: ");
        for (size_t i = 0; i < v->li.n_suggested; i++) {
            if (i)
                MN_OUT_LIT(w, ", ");
            md(w, v->li.suggested_modifiers[i]);
        }
        MN_OUT_LIT(w, ".\n");
    }
}

static void override(mn_out *w, bool *first, const char *code,
                     const char *display)
{
    if (!*first)
        MN_OUT_LIT(w, ",");
    *first = false;
    MN_OUT_LIT(w, "{\"system\":\"" OVERRIDE_SYSTEM "\",\"code\":");
    mn_x__out_json_str(w, code);
    MN_OUT_LIT(w, ",\"display\":");
    mn_x__out_json_str(w, display);
    MN_OUT_LIT(w, "}");
}

static bool takes_note(const char *type)
{
    return !strcmp(type, "ServiceRequest") || !strcmp(type, "DeviceRequest") ||
           !strcmp(type, "MedicationRequest");
}

static void card(mn_out *w, const mn_cds_request *req, size_t idx,
                 const mn_result *res, const verdict *v, bool first_card)
{
    const cds_order *o = &req->orders[idx];
    const cds_coverage *cov = o->coverage >= 0 ? &req->cov[o->coverage] : NULL;
    const char *payer = cov ? cov->label : "Medicare";
    mn_buf *tmp = NULL;
    mn_out dw;
    char text[160];
    char uuid[37];
    bool denied = v->li.status <= MN_STATUS_NOT_COVERED;
    const char *topic = "coverage-info";
    const char *topic_display = "Coverage Information";
    bool first = true;

    if (v->main && (!strcmp(v->main->id, "frequency.exceeded") ||
                    !strcmp(v->main->id, "units.mue_exceeded"))) {
        topic = "limits";
        topic_display = "Limits";
    } else if (v->coding) {
        topic = "claim";
        topic_display = "Claim";
    }
    if (!first_card)
        MN_OUT_LIT(w, ",");
    uuid_of(uuid, req, idx, "card");
    summary(text, sizeof(text), o, payer, v);
    MN_OUT_LIT(w, "{\"uuid\":");
    mn_x__out_json_str(w, uuid);
    MN_OUT_LIT(w, ",\"summary\":");
    mn_x__out_json_str(w, text);
    /* CRD: from the clinician's side; a payment problem is a warning */
    MN_OUT_LIT(w, ",\"indicator\":");
    mn_x__out_json_str(w, denied ? "warning" : "info");
    MN_OUT_LIT(w, ",\"detail\":");
    if (mn_buf_new(&tmp, 0) == MN_OK) {
        mn_x__out_init(&dw, tmp);
        detail(&dw, res, o->line, o, payer, v);
        if (dw.rc == MN_OK)
            mn_x__out_json_strn(w, mn_buf_data(tmp), mn_buf_len(tmp));
        else
            w->rc = dw.rc;
        mn_buf_free(tmp);
    } else {
        w->rc = MN_ENOMEM;
    }
    MN_OUT_LIT(w, ",\"source\":{\"label\":");
    mn_x__out_json_str(w, payer);
    MN_OUT_LIT(w, ",\"topic\":{\"system\":\"" CRD_TEMP "\",\"code\":");
    mn_x__out_json_str(w, topic);
    MN_OUT_LIT(w, ",\"display\":");
    mn_x__out_json_str(w, topic_display);
    MN_OUT_LIT(w, "}}");
    /* the ABN: a note on the order that one will be given; never a
     * diagnosis */
    if (v->li.abn == MN_ABN_RECOMMENDED && takes_note(o->type)) {
        char sug[37];
        char note[400];
        uuid_of(sug, req, idx, "abn");
        snprintf(note, sizeof(note),
                 "An Advance Beneficiary Notice (CMS-R-131) will be given to "
                 "the patient before the service; bill %s with modifier GA "
                 "once it is signed.%s%s",
                 o->code, v->li.abn_reason ? " Reason on the notice: " : "",
                 v->li.abn_reason ? v->li.abn_reason : "");
        MN_OUT_LIT(w, ",\"selectionBehavior\":\"at-most-one\","
                      "\"suggestions\":[{\"label\":");
        mn_x__out_json_str(w, "Record that an ABN will be given");
        MN_OUT_LIT(w, ",\"uuid\":");
        mn_x__out_json_str(w, sug);
        MN_OUT_LIT(w, ",\"actions\":[{\"type\":\"update\",\"description\":");
        mn_x__out_json_str(w, "Adds a note to the order that the patient "
                              "will be given an ABN (CMS-R-131)");
        MN_OUT_LIT(w, ",\"resource\":");
        order_with_info(w, req, idx, v, note);
        MN_OUT_LIT(w, "}]}]");
    }
    MN_OUT_LIT(w, ",\"overrideReasons\":[");
    if (denied) {
        override(w, &first, "abn-signed",
                 "The patient signed an ABN (CMS-R-131)");
        override(w, &first, "dx-documented",
                 "A diagnosis the policy covers is documented in the record");
    } else {
        override(w, &first, "info-documented",
                 "What the payer needs is documented in the record");
    }
    override(w, &first, "clinical-need",
             "Clinically necessary; the patient is informed");
    MN_OUT_LIT(w, "]");
    if (v->n_links) {
        MN_OUT_LIT(w, ",\"links\":[");
        for (int i = 0; i < v->n_links; i++) {
            if (i)
                MN_OUT_LIT(w, ",");
            MN_OUT_LIT(w, "{\"label\":");
            mn_x__out_json_str(w, v->links[i].label);
            MN_OUT_LIT(w, ",\"url\":");
            mn_x__out_json_str(w, v->links[i].url);
            MN_OUT_LIT(w, ",\"type\":\"absolute\"}");
        }
        MN_OUT_LIT(w, "]");
    }
    MN_OUT_LIT(w, "}");
}

/* ---- the response
 * --------------------------------------------------------------- */

typedef struct span {
    size_t start;
    size_t end;
} span;

int mn_cds_respond(mn_buf *out, const mn_cds_request *req, mn_ctx *ctx,
                   const mn_kb *kb, const mn_cds_respond_options *opts,
                   mn_error *err)
{
    mn_check_options co = MN_CHECK_OPTIONS_INIT;
    mn_buf *actions = NULL;
    mn_buf *cards = NULL;
    span *as = NULL;
    span *cs = NULL;
    mn_out aw;
    mn_out cw;
    mn_out w;
    verdict *v = NULL;
    int rc = MN_OK;

    if (!out || !req || !ctx || !kb)
        return mn_x__err(err, MN_EINVAL, "no output, request, context or KB");
    if (opts && opts->version != MN_CDS_RESPOND_OPTIONS_VERSION)
        return mn_x__err(err, MN_EINVAL, "unknown options version %u",
                         opts->version);
    co.history = opts ? opts->history : NULL;
    v = mn_x__malloc(sizeof(*v));
    as = mn_x__calloc(req->n_orders + 1, sizeof(*as));
    cs = mn_x__calloc(req->n_orders + 1, sizeof(*cs));
    if (!v || !as || !cs || mn_buf_new(&actions, 0) || mn_buf_new(&cards, 0)) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    mn_x__out_init(&aw, actions);
    mn_x__out_init(&cw, cards);
    /* orders without a code: conditional, the code is what is missing */
    for (size_t i = 0; i < req->n_orders; i++) {
        if (req->orders[i].claim != SIZE_MAX)
            continue;
        memset(v, 0, sizeof(*v));
        v->covered = "conditional";
        v->pa = "conditional";
        add_info(v, "OTH");
        add_reason(v, "The order has no CPT or HCPCS code: Medicare coverage "
                      "is decided per billing code.");
        as[i].start = mn_buf_len(actions);
        system_action(&aw, req, i, v);
        as[i].end = mn_buf_len(actions);
    }
    /* the claims, one check each; their orders' answers are written while
     * the result lives */
    for (size_t c = 0; c < req->n_claims && rc == MN_OK; c++) {
        const mn_result *res = NULL;
        if ((rc = mn_check_with(&res, ctx, kb, req->claims[c], &co, err)))
            break;
        if (opts && opts->on_result)
            opts->on_result(opts->payload, res);
        for (size_t i = 0; i < req->n_orders && rc == MN_OK; i++) {
            const cds_order *o = &req->orders[i];
            if (o->claim != c)
                continue;
            memset(v, 0, sizeof(*v));
            if ((rc = judge(v, res, o->line, err)))
                break;
            as[i].start = mn_buf_len(actions);
            system_action(&aw, req, i, v);
            as[i].end = mn_buf_len(actions);
            if (v->li.status != MN_STATUS_COVERED) {
                cs[i].start = mn_buf_len(cards);
                card(&cw, req, i, res, v, true);
                cs[i].end = mn_buf_len(cards);
            }
        }
    }
    if (rc == MN_OK && (aw.rc || cw.rc))
        rc = mn_x__err(err, aw.rc ? aw.rc : cw.rc,
                       "the answer is too large to write");
    if (rc)
        goto done;
    /* in the order of the request */
    mn_x__out_init(&w, out);
    MN_OUT_LIT(&w, "{\"cards\":[");
    {
        bool first = true;
        for (size_t i = 0; i < req->n_orders; i++) {
            if (cs[i].end == cs[i].start)
                continue;
            if (!first)
                MN_OUT_LIT(&w, ",");
            first = false;
            mn_x__out_raw(&w, mn_buf_data(cards) + cs[i].start,
                          cs[i].end - cs[i].start);
        }
        MN_OUT_LIT(&w, "],\"systemActions\":[");
        first = true;
        for (size_t i = 0; i < req->n_orders; i++) {
            if (as[i].end == as[i].start)
                continue;
            if (!first)
                MN_OUT_LIT(&w, ",");
            first = false;
            mn_x__out_raw(&w, mn_buf_data(actions) + as[i].start,
                          as[i].end - as[i].start);
        }
    }
    MN_OUT_LIT(&w, "]}");
    if (w.rc)
        rc = mn_x__err(err, w.rc, "the answer is too large to write");
done:
    mn_buf_free(actions);
    mn_buf_free(cards);
    mn_x__free(as);
    mn_x__free(cs);
    mn_x__free(v);
    return rc;
}
