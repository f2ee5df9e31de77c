/*
 * doc/appeal.c: the request for redetermination (the first level of a
 * Medicare Part A/B appeal) of a denied line: the claim and line, the
 * denial codes explained in our own words, the policy's criteria one by
 * one with the evidence on the claim and in the enclosed documents, the
 * filing deadline (42 CFR 405.942: 120 days from receipt, receipt
 * presumed 5 days after the notice's date) and the later levels with
 * their limits and amount-in-controversy thresholds (data/docs/appeal/
 * levels.txt).
 *
 * It refuses what cannot succeed: an unprocessable claim (MA130: correct
 * and resubmit), and, unless forced, a denial the check agrees with.
 */
#include <stdio.h>
#include <string.h>

#include "claim/claim_int.h"
#include "doc/data.h"
#include "doc/facts.h"

#define MAX_CODES 12

/* Our own short explanations of the codes (the X12 wording is X12's). */
static const struct {
    const char *code;
    const char *text;
} carcs[] = {
    {"4", "the procedure code does not fit the modifier, or a required "
          "modifier is missing"},
    {"5", "the procedure code or bill type does not fit the place of "
          "service"},
    {"6", "the procedure does not fit the patient's age"},
    {"7", "the procedure does not fit the patient's sex"},
    {"9", "the diagnosis does not fit the patient's age"},
    {"10", "the diagnosis does not fit the patient's sex"},
    {"11", "the diagnosis does not fit the procedure"},
    {"16", "the claim lacks information or has a billing error"},
    {"50", "the payer does not consider the service medically necessary"},
    {"55", "the payer considers the service experimental or investigational"},
    {"56", "the payer does not consider the service proven effective"},
    {"58", "the service was given in a place of service the payer does not "
           "accept for it"},
    {"96", "the charge is not covered"},
    {"97", "the service is paid as part of another service"},
    {"107", "the service it depends on was not paid or not identified"},
    {"119", "the benefit maximum for the period has been reached"},
    {"146", "the diagnosis is not valid on the date of service"},
    {"151", "the payer finds the information does not support this many "
            "services, or this frequency"},
    {"167", "the diagnosis is not covered"},
    {"181", "the procedure code is not valid on the date of service"},
    {"182", "the modifier is not valid on the date of service"},
    {"197", "prior authorization is missing"},
    {"204", "the service is not covered under the patient's current "
            "benefit plan"},
    {"236", "the procedure or modifier combination is not allowed with "
            "another service on the same day (NCCI)"},
};

static const struct {
    const char *code;
    const char *text;
} rarcs[] = {
    {"N115", "the decision was based on a Local Coverage Determination "
             "(LCD)"},
    {"N386", "the decision was based on a National Coverage Determination "
             "(NCD)"},
    {"M76", "a diagnosis is missing, incomplete or invalid"},
    {"MA130", "the claim is unprocessable: it has no appeal rights and must "
              "be corrected and resubmitted"},
    {"N130", "the payer refers to its benefit documents"},
    {"N362", "the units exceed the acceptable maximum"},
    {"N122", "an add-on code needs its primary procedure on the claim"},
};

static const char *carc_text(const char *c)
{
    for (size_t i = 0; i < sizeof(carcs) / sizeof(carcs[0]); i++) {
        if (!strcmp(carcs[i].code, c))
            return carcs[i].text;
    }
    return NULL;
}

static const char *rarc_text(const char *c)
{
    for (size_t i = 0; i < sizeof(rarcs) / sizeof(rarcs[0]); i++) {
        if (!mn_x__strcasecmp(rarcs[i].code, c))
            return rarcs[i].text;
    }
    return NULL;
}

static const char *group_text(const char *g)
{
    if (!g)
        return NULL;
    if (!mn_x__strcasecmp(g, "CO"))
        return "contractual obligation: the provider is liable";
    if (!mn_x__strcasecmp(g, "PR"))
        return "patient responsibility";
    if (!mn_x__strcasecmp(g, "OA"))
        return "other adjustment";
    return NULL;
}

typedef struct ab {
    mn_doc *d;
    const mn_docdata *dd;
    const mn_result *res;
    const mn_facts *facts;
    const mn_denial *den;
    const mn_appeal_options *o;
    mn_line_info li;
    size_t line; /* 0-based */
    int32_t date;
    const char *appellant;
    const char *appellant_path; /* "provider", "notifier", "prescriber" */
    mn_vec criteria;            /* ds_text */
    mn_vec docs;                /* const char * */
} ab;

/* ---- small builders ---- */

static void para_plain(ab *b, const char *s)
{
    ds_builder tb;
    db_block *blk;

    mn_x__tb_init(&tb, b->d);
    mn_x__tb_add(&tb, s, 0, NULL);
    blk = mn_x__doc_block(b->d, DB_PARA);
    if (blk)
        mn_x__tb_take(&tb, &blk->text);
    mn_x__tb_free(&tb);
}

static void heading(ab *b, const char *s)
{
    ds_builder tb;
    db_block *blk;

    mn_x__tb_init(&tb, b->d);
    mn_x__tb_add(&tb, s, 0, NULL);
    blk = mn_x__doc_block(b->d, DB_HEADING);
    if (blk)
        mn_x__tb_take(&tb, &blk->text);
    mn_x__tb_free(&tb);
}

/* Lines of "Label: value" in one paragraph, broken between them. */
static void label_lines(ab *b, const char *const *pairs, size_t n,
                        const char *tag)
{
    ds_builder tb;
    db_block *blk;
    int first = 1;

    mn_x__tb_init(&tb, b->d);
    for (size_t i = 0; i + 1 < 2 * n; i += 2) {
        if (!pairs[i + 1] || !pairs[i + 1][0])
            continue;
        if (!first)
            mn_x__tb_break(&tb);
        first = 0;
        if (pairs[i][0]) {
            mn_x__tb_add(&tb, pairs[i], DS_BOLD, NULL);
            mn_x__tb_add(&tb, " ", 0, NULL);
        }
        mn_x__tb_add(&tb, pairs[i + 1], DS_FILLED, tag);
    }
    blk = mn_x__doc_block(b->d, DB_PARA);
    if (blk)
        mn_x__tb_take(&tb, &blk->text);
    mn_x__tb_free(&tb);
}

static void bullets(ab *b, const mn_vec *items, const char *tag)
{
    size_t n = MN_VEC_COUNT(items, ds_text);
    db_block *blk;

    if (n == 0)
        return;
    blk = mn_x__doc_block(b->d, DB_BULLETS);
    if (!blk)
        return;
    blk->tag = tag;
    blk->items = mn_x__arena_alloc(b->d->arena, n * sizeof(ds_text));
    if (!blk->items) {
        b->d->nomem = 1;
        return;
    }
    memcpy(blk->items, items->data, n * sizeof(ds_text));
    blk->n_items = n;
}

/* Appends a criterion: bold title, then the evidence. */
static void criterion(ab *b, const char *title, const char *status,
                      const char *evidence)
{
    ds_builder tb;
    ds_text t;

    mn_x__tb_init(&tb, b->d);
    mn_x__tb_add(&tb, title, DS_BOLD, NULL);
    mn_x__tb_add(&tb, " ", 0, NULL);
    mn_x__tb_add(&tb, status, DS_BOLD, NULL);
    mn_x__tb_add(&tb, " ", 0, NULL);
    mn_x__tb_add(&tb, evidence, 0, NULL);
    mn_x__tb_take(&tb, &t);
    mn_x__tb_free(&tb);
    if (mn_x__vec_push(&b->criteria, &t, sizeof(t)) != MN_OK)
        b->d->nomem = 1;
}

static const char *day(ab *b, int32_t d)
{
    char s[40];
    mn_x__long_date(s, d, "en");
    return mn_x__doc_printf(b->d, "%s", s);
}

static int has_code(const char *const *list, size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++) {
        if (list[i] && !mn_x__strcasecmp(list[i], code))
            return 1;
    }
    return 0;
}

static int denied_for(ab *b, const char *const *codes)
{
    for (size_t i = 0; codes[i]; i++) {
        if (has_code(b->den->carc, b->den->n_carc, codes[i]))
            return 1;
    }
    return 0;
}

/* "the enclosed documents listed below show" (with its verb). */
static const char *docs_phrase(ab *b)
{
    size_t n = MN_VEC_COUNT(&b->docs, const char *);
    if (n == 0)
        return "the medical record shows";
    if (n == 1)
        return mn_x__doc_printf(b->d, "the enclosed document (%s) shows",
                                MN_VEC_AT(&b->docs, const char *, 0));
    return "the enclosed documents listed below show";
}

/* ---- the criteria ---- */

static void criteria(ab *b)
{
    mn_doc *d = b->d;
    size_t nf = mn_result_finding_count(b->res, b->line);
    int policy_done = 0;
    int against = b->li.status == MN_STATUS_NOT_COVERED ||
                  b->li.status == MN_STATUS_EXCLUDED ||
                  b->li.status == MN_STATUS_INVALID;
    static const char *const freq[] = {"151", "119", NULL};
    static const char *const agesex[] = {"6", "7", "9", "10", NULL};
    static const char *const place[] = {"5", "58", NULL};
    static const char *const bundle[] = {"97", "236", NULL};
    static const char *const valid[] = {"16", "146", "181", "182", NULL};

    for (size_t i = 0; i < nf; i++) {
        mn_finding_info fi;
        const char *desc;
        fi.version = MN_FINDING_INFO_VERSION;
        if (mn_result_finding(&fi, b->res, b->line, i, NULL) != MN_OK)
            continue;
        if (!strcmp(fi.edit->id, "policy.dx_supported") && fi.citation.id) {
            desc = fi.diagnosis ? mn_kb_icd_description(mn_result_kb(b->res),
                                                        fi.diagnosis)
                                : NULL;
            criterion(
                b,
                mn_x__doc_printf(
                    d,
                    "The diagnosis must be on the covered list of %s %s%s%s.",
                    !strcmp(fi.citation.kind, "ncd")
                        ? "National Coverage Determination"
                        : (!strcmp(fi.citation.kind, "lcd")
                               ? "Local Coverage Determination"
                               : "Billing and Coding Article"),
                    fi.citation.id,
                    fi.citation.version > 0
                        ? mn_x__doc_printf(d, ", version %d",
                                           fi.citation.version)
                        : "",
                    fi.citation.group > 0
                        ? mn_x__doc_printf(d, " (covered diagnosis group %d)",
                                           fi.citation.group)
                        : ""),
                "Met:",
                mn_x__doc_printf(
                    d,
                    "the claim reports diagnosis %s%s%s%s for line %zu, and "
                    "it is on that list%s; %s it.",
                    fi.diagnosis ? fi.diagnosis : "", desc ? " (" : "",
                    desc ? desc : "", desc ? ")" : "", b->li.line,
                    fi.citation.url
                        ? mn_x__doc_printf(d, " (%s)", fi.citation.url)
                        : "",
                    docs_phrase(b)));
            policy_done = 1;
        } else if ((!strcmp(fi.edit->id, "policy.none") ||
                    !strcmp(fi.edit->id, "policy.no_dx_list")) &&
                   !policy_done) {
            criterion(b,
                      "The service must be reasonable and necessary for the "
                      "diagnosis or treatment of the patient (Social "
                      "Security Act section 1862(a)(1)(A)).",
                      "Met:",
                      mn_x__doc_printf(
                          d,
                          "no national or local coverage determination "
                          "limits the diagnoses for code %s on the date of "
                          "service; with the claim's diagnoses, %s why the "
                          "patient needed it.",
                          b->li.code, docs_phrase(b)));
            policy_done = 1;
        } else if (fi.edit->edit_class == MN_EDIT_CONDITIONAL) {
            criterion(b, mn_x__doc_printf(d, "%s.", fi.edit->title), "Met:",
                      mn_x__doc_printf(d, "%s that it is met (%s).",
                                       docs_phrase(b), fi.message));
        } else if (fi.severity == MN_SEVERITY_DENY && against) {
            criterion(b, mn_x__doc_printf(d, "%s.", fi.edit->title),
                      "To be shown by the records:",
                      mn_x__doc_printf(d,
                                       "the claim as billed does not show "
                                       "it (%s); what %s is offered as "
                                       "evidence.",
                                       fi.message, docs_phrase(b)));
        }
    }
    if (against)
        return;
    if (denied_for(b, freq))
        criterion(b,
                  "The number of services in the period must be within the "
                  "policy's frequency limit.",
                  "Met:",
                  "with the prior services on record, the service is "
                  "within the limit on its date of service.");
    if (denied_for(b, agesex))
        criterion(b,
                  "The service and the diagnoses must fit the patient's age "
                  "and sex.",
                  "Met:",
                  "the patient's age and sex on the date of service are "
                  "within the service's and the diagnoses' limits.");
    if (denied_for(b, place))
        criterion(b,
                  "The service must be given in a setting the policy allows.",
                  "Met:",
                  "the place of service on the claim is allowed for the "
                  "service.");
    if (denied_for(b, bundle))
        criterion(b,
                  "The service must be separately payable on the date "
                  "(NCCI).",
                  "Met:",
                  "no NCCI procedure-to-procedure edit bundles the line "
                  "with another service billed on the date, or the claim "
                  "carries a modifier the edit allows.");
    if (denied_for(b, valid))
        criterion(b,
                  "The codes must be valid and complete on the date of "
                  "service.",
                  "Met:",
                  "the procedure, modifier and diagnosis codes on the claim "
                  "are valid on the date of service.");
}

/* ---- the deadline and the levels ---- */

static const char *aic(ab *b, const char *which, int year)
{
    const sf_section *s;
    char key[8];
    const char *v;

    if (!strcmp(which, "none"))
        return "none";
    s = mn_x__sf_section(b->dd->levels,
                         !strcmp(which, "alj") ? "aic.alj" : "aic.court");
    snprintf(key, sizeof(key), "%d", year);
    v = s ? mn_x__sf_kv(b->d->arena, s->text, key, 0, &b->d->nomem) : NULL;
    if (v) {
        unsigned long dollars;
        char money[24];
        if (!mn_x__parse_uint(&dollars, v, strlen(v)))
            return mn_x__doc_printf(b->d, "%s in %d", v, year);
        mn_x__money(money, (int64_t)dollars * 100);
        money[strlen(money) - 3] = '\0'; /* whole dollars */
        return mn_x__doc_printf(b->d, "%s in %d", money, year);
    }
    return mn_x__doc_printf(b->d, "the %d amount is not in mednec's data",
                            year);
}

static void levels(ab *b)
{
    static const double w[] = {0.25, 0.27, 0.30, 0.18};
    const mn_docdata *dd = b->dd;
    size_t n = 0;
    db_block *blk;
    int y, m, dd_;
    ds_builder tb;

    for (size_t i = 0; i < dd->levels->n_secs; i++)
        n += !strncmp(dd->levels->secs[i].name, "level.", 6);
    mn_x__civil_from_days(b->date, &y, &m, &dd_);
    blk = mn_x__doc_grid(b->d, DB_TABLE, n + 1, 4, w);
    if (!blk)
        return;
    blk->tag = "appeal.levels";
    mn_x__tb_init(&tb, b->d);
    mn_x__tb_add(&tb, "Level", 0, NULL);
    mn_x__tb_take(&tb, &blk->items[0]);
    mn_x__tb_add(&tb, "Decided by", 0, NULL);
    mn_x__tb_take(&tb, &blk->items[1]);
    mn_x__tb_add(&tb, "Time limit to file", 0, NULL);
    mn_x__tb_take(&tb, &blk->items[2]);
    mn_x__tb_add(&tb, "Amount in controversy", 0, NULL);
    mn_x__tb_take(&tb, &blk->items[3]);
    for (size_t i = 0, r = 1; i < dd->levels->n_secs; i++) {
        const sf_section *s = &dd->levels->secs[i];
        const char *name, *body, *limit, *dec, *thr;
        if (strncmp(s->name, "level.", 6) != 0)
            continue;
        name = mn_x__sf_kv(b->d->arena, s->text, "name", 0, &b->d->nomem);
        body = mn_x__sf_kv(b->d->arena, s->text, "body", 0, &b->d->nomem);
        limit = mn_x__sf_kv(b->d->arena, s->text, "limit", 0, &b->d->nomem);
        dec = mn_x__sf_kv(b->d->arena, s->text, "decision", 0, &b->d->nomem);
        thr = mn_x__sf_kv(b->d->arena, s->text, "threshold", 0, &b->d->nomem);
        mn_x__tb_add(
            &tb,
            mn_x__doc_printf(b->d, "%s. %s", s->name + 6, name ? name : ""), 0,
            NULL);
        mn_x__tb_take(&tb, &blk->items[r * 4]);
        mn_x__tb_add(&tb, body ? body : "", 0, NULL);
        mn_x__tb_take(&tb, &blk->items[r * 4 + 1]);
        mn_x__tb_add(&tb,
                     dec ? mn_x__doc_printf(b->d,
                                            "%s; decision usually within "
                                            "%s",
                                            limit ? limit : "", dec)
                         : (limit ? limit : ""),
                     0, NULL);
        mn_x__tb_take(&tb, &blk->items[r * 4 + 2]);
        mn_x__tb_add(&tb, aic(b, thr ? thr : "none", y), 0, NULL);
        mn_x__tb_take(&tb, &blk->items[r * 4 + 3]);
        r++;
    }
    mn_x__tb_free(&tb);
}

/* ---- the refusals ---- */

static int refuse(ab *b, mn_error *err)
{
    const mn_denial *den = b->den;
    size_t nf = mn_result_finding_count(b->res, b->line);
    mn_finding_info fi;
    int have = 0;
    size_t ndocs = MN_VEC_COUNT(&b->docs, const char *);

    if (has_code(den->rarc, den->n_rarc, "MA130"))
        return mn_x__err(err, MN_EINVAL,
                         "the denial carries MA130: the claim was returned "
                         "as unprocessable and has no appeal rights: correct "
                         "it and submit it again");
    for (size_t i = 0; i < nf && !have; i++) {
        fi.version = MN_FINDING_INFO_VERSION;
        if (mn_result_finding(&fi, b->res, b->line, i, NULL) == MN_OK &&
            fi.severity == MN_SEVERITY_DENY)
            have = 1;
    }
    if (b->li.status == MN_STATUS_INVALID && !b->o->force)
        return mn_x__err(err, MN_EINVAL,
                         "line %zu (%s) is invalid as billed (%s): correct "
                         "the claim and submit it again instead of "
                         "appealing (--force drafts the appeal anyway)",
                         b->li.line, b->li.code,
                         have ? fi.edit->id : "invalid");
    if ((b->li.status == MN_STATUS_NOT_COVERED ||
         b->li.status == MN_STATUS_EXCLUDED) &&
        !b->o->force)
        return mn_x__err(err, MN_EINVAL,
                         "the check agrees with the denial of line %zu (%s): "
                         "%s (%s); an appeal would not succeed on this "
                         "record (--force drafts it anyway)",
                         b->li.line, b->li.code,
                         have ? fi.edit->title : "not covered",
                         have ? fi.edit->id : mn_status_name(b->li.status));
    if (b->li.status == MN_STATUS_CONDITIONAL && ndocs == 0) {
        for (size_t i = 0; i < nf; i++) {
            fi.version = MN_FINDING_INFO_VERSION;
            if (mn_result_finding(&fi, b->res, b->line, i, NULL) == MN_OK &&
                fi.edit->edit_class == MN_EDIT_CONDITIONAL)
                return mn_x__err(err, MN_EINVAL,
                                 "line %zu (%s) is covered only with "
                                 "documentation (%s): list the documents "
                                 "the appeal encloses",
                                 b->li.line, b->li.code, fi.edit->id);
        }
    }
    return MN_OK;
}

/* ---- the letter ---- */

static void build(ab *b, int32_t notice, int32_t received, int presumed)
{
    mn_doc *d = b->d;
    const mn_facts *f = b->facts;
    const mn_denial *den = b->den;
    const char *desc =
        mn_kb_hcpcs_description(mn_result_kb(b->res), b->li.code);
    int32_t deadline = received + 120;
    mn_vec items;
    char money[24];
    const char *pfx = b->appellant_path;
    const char *pairs[20];
    int64_t amount = den->amount;

    memset(&items, 0, sizeof(items));
    items.max = (size_t)1 << 20;
    d->title = "Request for redetermination";
    d->font_size = 11;
    d->margin = 72;
    /* letterhead */
    pairs[0] = "";
    pairs[1] = b->appellant;
    pairs[2] = "";
    pairs[3] = mn_x__facts_str(f, mn_x__doc_printf(d, "%s.address", pfx));
    pairs[4] = "Phone:";
    pairs[5] = mn_x__facts_str(f, mn_x__doc_printf(d, "%s.phone", pfx));
    pairs[6] = "NPI:";
    pairs[7] = mn_x__facts_str(f, mn_x__doc_printf(d, "%s.npi", pfx));
    label_lines(b, pairs, 4, "appeal.appellant");
    para_plain(b, mn_x__doc_printf(d, "Date: %s", day(b, b->date)));
    pairs[0] = "To:";
    pairs[1] = mn_x__facts_str(f, "payer.name")
                   ? mn_x__doc_printf(d, "%s, Redeterminations",
                                      mn_x__facts_str(f, "payer.name"))
                   : "The Medicare Administrative Contractor, "
                     "Redeterminations";
    pairs[2] = "";
    pairs[3] = mn_x__facts_str(f, "payer.address");
    label_lines(b, pairs, 2, "appeal.payer");
    mn_x__doc_text_block(d, DB_TITLE,
                         "Request for redetermination of a Medicare claim",
                         NULL, NULL);
    pairs[0] = "Beneficiary:";
    pairs[1] = mn_x__facts_str(f, "patient.name");
    pairs[2] = "Medicare number:";
    pairs[3] = mn_x__facts_str(f, "patient.medicare_id");
    pairs[4] = "Claim number:";
    pairs[5] =
        den->claim_number
            ? den->claim_number
            : (mn_result_id(b->res) ? mn_x__doc_printf(d, "%s (our claim id)",
                                                       mn_result_id(b->res))
                                    : "not given");
    pairs[6] = "Line denied:";
    pairs[7] =
        mn_x__doc_printf(d, "line %zu, code %s%s%s%s", b->li.line, b->li.code,
                         desc ? " (" : "", desc ? desc : "", desc ? ")" : "");
    pairs[8] = "Date of service:";
    pairs[9] = NULL;
    if (b->li.date) {
        int32_t ds;
        if (mn_x__parse_date(&ds, b->li.date, strlen(b->li.date), false))
            pairs[9] = day(b, ds);
    }
    pairs[10] = "Initial determination dated:";
    pairs[11] = mn_x__doc_printf(d, "%s (%s)", day(b, notice),
                                 den->notice_source ? den->notice_source
                                                    : "given by the user");
    label_lines(b, pairs, 6, "appeal.claim");
    para_plain(b, mn_x__doc_printf(
                      d,
                      "%s asks for a redetermination of the denial of the "
                      "service above. The service was reasonable and "
                      "necessary for the patient and meets the criteria of "
                      "the policy that governs it, as shown below criterion "
                      "by criterion.",
                      b->appellant));
    /* the denial */
    heading(b, "The denial");
    if (den->group) {
        const char *g = group_text(den->group);
        ds_builder tb;
        ds_text t;
        mn_x__tb_init(&tb, d);
        mn_x__tb_add(&tb, mn_x__doc_printf(d, "Group %s", den->group), DS_BOLD,
                     NULL);
        mn_x__tb_add(&tb,
                     g ? mn_x__doc_printf(d, ": %s.", g)
                       : ": see the X12 group code list.",
                     0, NULL);
        mn_x__tb_take(&tb, &t);
        mn_x__tb_free(&tb);
        if (mn_x__vec_push(&items, &t, sizeof(t)) != MN_OK)
            d->nomem = 1;
    }
    for (size_t i = 0; i < den->n_carc + den->n_rarc; i++) {
        int is_carc = i < den->n_carc;
        const char *code = is_carc ? den->carc[i] : den->rarc[i - den->n_carc];
        const char *t = is_carc ? carc_text(code) : rarc_text(code);
        ds_builder tb;
        ds_text x;
        mn_x__tb_init(&tb, d);
        mn_x__tb_add(
            &tb, mn_x__doc_printf(d, "%s %s", is_carc ? "CARC" : "RARC", code),
            DS_BOLD, NULL);
        mn_x__tb_add(&tb,
                     t ? mn_x__doc_printf(d, ": %s.", t)
                       : ": see the X12 code list for its meaning.",
                     0, NULL);
        mn_x__tb_take(&tb, &x);
        mn_x__tb_free(&tb);
        if (mn_x__vec_push(&items, &x, sizeof(x)) != MN_OK)
            d->nomem = 1;
    }
    if (den->policy) {
        ds_builder tb;
        ds_text x;
        mn_x__tb_init(&tb, d);
        mn_x__tb_add(&tb, "Policy cited by the payer:", DS_BOLD, NULL);
        mn_x__tb_add(&tb, mn_x__doc_printf(d, " %s.", den->policy), 0, NULL);
        mn_x__tb_take(&tb, &x);
        mn_x__tb_free(&tb);
        if (mn_x__vec_push(&items, &x, sizeof(x)) != MN_OK)
            d->nomem = 1;
    }
    if (items.len)
        bullets(b, &items, "appeal.denial");
    else
        para_plain(b, "The remittance gives no adjustment codes for the "
                      "line.");
    /* the criteria */
    heading(b, "The policy's criteria and the evidence that meets each");
    if (b->criteria.len)
        bullets(b, &b->criteria, "appeal.criteria");
    else
        para_plain(b, "The records enclosed show the service was reasonable "
                      "and necessary for the patient.");
    /* documents */
    heading(b, "Documents enclosed");
    items.len = 0;
    for (size_t i = 0; i < MN_VEC_COUNT(&b->docs, const char *); i++) {
        ds_builder tb;
        ds_text x;
        mn_x__tb_init(&tb, d);
        mn_x__tb_add(&tb, MN_VEC_AT(&b->docs, const char *, i), 0, NULL);
        mn_x__tb_take(&tb, &x);
        mn_x__tb_free(&tb);
        if (mn_x__vec_push(&items, &x, sizeof(x)) != MN_OK)
            d->nomem = 1;
    }
    if (items.len)
        bullets(b, &items, "appeal.documents");
    else
        para_plain(b, "None listed: enclose the medical record that "
                      "supports the service.");
    /* deadline */
    heading(b, "Filing deadline");
    para_plain(
        b, presumed
               ? mn_x__doc_printf(
                     d,
                     "The notice of initial determination is dated %s. Receipt "
                     "is presumed 5 days after that date, on %s (42 CFR "
                     "405.942(a)(2)). A request for redetermination must be "
                     "filed within 120 days of receipt: by %s.",
                     day(b, notice), day(b, received), day(b, deadline))
               : mn_x__doc_printf(
                     d,
                     "The notice of initial determination is dated %s and was "
                     "received on %s. A request for redetermination must be "
                     "filed within 120 days of receipt (42 CFR 405.942): by "
                     "%s.",
                     day(b, notice), day(b, received), day(b, deadline)));
    mn_x__doc_field(d, "appeal.deadline",
                    mn_x__doc_printf(d, "%s", day(b, deadline)));
    {
        char iso[11];
        mn_x__format_date(iso, deadline);
        mn_x__doc_field(d, "appeal.deadline.iso",
                        mn_x__doc_printf(d, "%s", iso));
    }
    if (b->date > deadline)
        mn_x__doc_warn(d, mn_x__doc_printf(d,
                                           "the filing deadline (%s) has "
                                           "passed on the letter's date",
                                           day(b, deadline)));
    /* later levels */
    heading(b, "If the redetermination is unfavorable: the later levels");
    levels(b);
    if (amount != MN_NO_AMOUNT) {
        mn_x__money(money, amount);
        para_plain(b, mn_x__doc_printf(
                          d,
                          "The amount in controversy on this line is %s; the "
                          "thresholds of the ALJ hearing and of judicial "
                          "review change every January.",
                          money));
    }
    para_plain(b, "Sincerely,");
    {
        static const double w2[] = {0.6, 0.4};
        db_block *blk = mn_x__doc_grid(d, DB_SIGNATURE, 1, 2, w2);
        if (blk) {
            ds_builder tb;
            mn_x__tb_init(&tb, d);
            mn_x__tb_add(&tb, "Signature:", 0, NULL);
            mn_x__tb_take(&tb, &blk->items[0]);
            mn_x__tb_add(&tb, "Date:", 0, NULL);
            mn_x__tb_take(&tb, &blk->items[1]);
            mn_x__tb_free(&tb);
        }
    }
    para_plain(b, mn_x__doc_printf(d, "%s, appellant", b->appellant));
    mn_x__vec_free(&items);
}

int mn_appeal_new(mn_doc **out, const mn_docdata *data, const mn_result *res,
                  const mn_claim *claim, const mn_facts *facts,
                  const mn_denial *denial, const mn_appeal_options *opts,
                  mn_error *err)
{
    ab *b = NULL;
    mn_doc *d = NULL;
    mn_denial den;
    mn_appeal_options def = MN_APPEAL_OPTIONS_INIT;
    int32_t notice, received;
    int presumed = 1;
    int rc = MN_OK;
    const char *miss[4];
    size_t n_miss = 0;

    if (!out)
        return mn_x__err(err, MN_EINVAL, "missing argument");
    *out = NULL;
    if (!opts)
        opts = &def;
    if (!data || !res || !denial)
        return mn_x__err(err, MN_EINVAL, "missing argument");
    if (denial->version != MN_DENIAL_VERSION ||
        opts->version != MN_APPEAL_OPTIONS_VERSION)
        return mn_x__err(err, MN_EINVAL, "unknown options version");
    den = *denial;
    if (den.n_carc > MAX_CODES || den.n_rarc > MAX_CODES)
        return mn_x__err(err, MN_ELIMIT, "more than %d CARCs or RARCs",
                         MAX_CODES);
    if (!den.notice_date || !mn_x__parse_date(&notice, den.notice_date,
                                              strlen(den.notice_date), false))
        return mn_x__err(err, MN_EINVAL,
                         "the date of the notice of initial determination "
                         "(YYYY-MM-DD) is needed for the filing deadline");
    received = notice + 5;
    if (den.received_date) {
        if (!mn_x__parse_date(&received, den.received_date,
                              strlen(den.received_date), false))
            return mn_x__err(err, MN_EINVAL,
                             "the date of receipt must be YYYY-MM-DD");
        if (received < notice)
            return mn_x__err(err, MN_EINVAL,
                             "the notice cannot be received before its date");
        presumed = 0;
    }
    b = mn_x__calloc(1, sizeof(*b));
    if (!b)
        return mn_x__err(err, MN_ENOMEM, "out of memory");
    b->criteria.max = (size_t)1 << 20;
    b->docs.max = (size_t)1 << 20;
    if ((rc = mn_x__doc_new(&d, MN_DOC_APPEAL, err)))
        goto done;
    b->d = d;
    b->dd = data;
    b->res = res;
    b->facts = facts;
    b->den = &den;
    b->o = opts;
    b->line = den.line ? den.line - 1 : 0;
    if (b->line >= mn_result_line_count(res)) {
        rc = mn_x__err(err, MN_EINVAL, "no line %zu (the claim has %zu)",
                       b->line + 1, mn_result_line_count(res));
        goto done;
    }
    b->li.version = MN_LINE_INFO_VERSION;
    if ((rc = mn_result_line(&b->li, res, b->line, err)))
        goto done;
    if (opts->date) {
        if (!mn_x__parse_date(&b->date, opts->date, strlen(opts->date),
                              false)) {
            rc = mn_x__err(err, MN_EINVAL,
                           "the letter date must be "
                           "YYYY-MM-DD");
            goto done;
        }
    } else {
        b->date = mn_x__today();
    }
    for (size_t i = 0; i < opts->n_documents; i++) {
        const char *s =
            opts->documents[i] ? mn_x__doc_strz(d, opts->documents[i]) : NULL;
        if (s && s[0] && mn_x__vec_push(&b->docs, &s, sizeof(s)) != MN_OK)
            d->nomem = 1;
    }
    for (size_t i = 0; i < mn_x__facts_count(facts, "documents"); i++) {
        const char *s = mn_x__facts_elem(facts, "documents", i, NULL);
        int dup = 0;
        /* a document given twice (flag and facts) is listed once */
        for (size_t k = 0; s && k < MN_VEC_COUNT(&b->docs, const char *); k++)
            dup |= !mn_x__strcasecmp(MN_VEC_AT(&b->docs, const char *, k), s);
        if (s && !dup && mn_x__vec_push(&b->docs, &s, sizeof(s)) != MN_OK)
            d->nomem = 1;
    }
    if ((rc = refuse(b, err)))
        goto done;
    /* who appeals: the provider, else the notifier, else the prescriber */
    {
        static const char *const who[] = {"provider", "notifier", "prescriber"};
        for (size_t i = 0; i < 3 && !b->appellant; i++) {
            b->appellant =
                mn_x__facts_str(facts, mn_x__doc_printf(d, "%s.name", who[i]));
            b->appellant_path = who[i];
        }
    }
    if (!mn_x__facts_str(facts, "patient.name"))
        miss[n_miss++] = "patient.name";
    if (!mn_x__facts_str(facts, "patient.medicare_id"))
        miss[n_miss++] = "patient.medicare_id";
    if (!b->appellant)
        miss[n_miss++] = "provider.name";
    if (n_miss) {
        rc = mn_x__err(err, MN_EINVAL,
                       "the request for redetermination needs facts that "
                       "are missing: %s%s%s%s%s",
                       miss[0], n_miss > 1 ? ", " : "",
                       n_miss > 1 ? miss[1] : "", n_miss > 2 ? ", " : "",
                       n_miss > 2 ? miss[2] : "");
        goto done;
    }
    /* the line's position, not its number (an 837's LX may differ) */
    if (den.amount == MN_NO_AMOUNT && claim && b->line < claim->n_lines)
        den.amount = claim->lines[b->line].charge;
    if (b->li.status == MN_STATUS_INDETERMINATE)
        mn_x__doc_warn(d, "the check could not decide the line "
                          "(indeterminate): the criteria rest on the "
                          "records only");
    if (opts->force && (b->li.status == MN_STATUS_NOT_COVERED ||
                        b->li.status == MN_STATUS_EXCLUDED ||
                        b->li.status == MN_STATUS_INVALID))
        mn_x__doc_warn(d, "drafted with --force although the check agrees "
                          "with the denial");
    criteria(b);
    build(b, notice, received, presumed);
    if (d->nomem) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    *out = d;
    d = NULL;
done:
    /* a failed allocation can look like a missing fact: say what it was */
    if (rc != MN_OK && rc != MN_ENOMEM && d && d->nomem)
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
    mn_x__vec_free(&b->criteria);
    mn_x__vec_free(&b->docs);
    mn_doc_free(d);
    mn_x__free(b);
    return rc;
}
