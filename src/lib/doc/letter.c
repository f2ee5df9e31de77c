/*
 * doc/letter.c: the letter of medical necessity. A template (data, one
 * per letter kind: data/docs/letters/<kind>.txt, format in
 * docs/documents.md) is filled from the facts file and from the result:
 * the policy the line falls under, the covered diagnosis group of the
 * patient's diagnosis, the diagnoses with their descriptions. A
 * placeholder that is empty in a line not marked optional is an error
 * naming every such fact, so no letter goes out with a hole in it.
 *
 * Template text, line by line: `## ` a heading; `- ` a bullet; `---` a
 * rule; `{list:NAME}` alone a generated list; `{block:signature}` the
 * signature lines; a leading `?` makes the line optional (dropped when one
 * of its placeholders is empty); other lines join into paragraphs (blank
 * lines between them; a trailing backslash breaks the line); `**bold**`.
 */
#include <stdio.h>
#include <string.h>

#include "doc/data.h"
#include "doc/facts.h"

#define MAX_MISSING 24

typedef struct lb {
    mn_doc *d;
    const mn_docdata *dd;
    const mn_result *res;
    const mn_facts *facts;
    const sf_file *tpl;
    letter_kind kind;
    mn_line_info li;
    size_t line; /* 0-based */
    int32_t date;
    /* the policy of the line */
    const char *citation; /* "National Coverage Determination (NCD) ..." */
    const char *policy_sentence;
    const char *group;      /* "covered diagnosis group 1" or "" */
    const char *policy_url; /* or NULL */
    int dx_supported;
    int has_policy; /* an NCD, LCD or article governs the line */
    /* what the template needs and the facts lack */
    const char *missing[MAX_MISSING];
    size_t n_missing;
    int bad_placeholder;
    const char *bad_name;
    size_t bad_line;
    const char *tpl_name;
    size_t tpl_line; /* line of [letter] in the template file */
    /* an optional heading waiting for content (dropped without it) */
    const char *pending;
} lb;

/* ---- values ---- */

static const char *long_date(lb *b, const char *iso)
{
    int32_t d;
    char out[40];

    if (!iso || !mn_x__parse_date(&d, iso, strlen(iso), false))
        return iso;
    mn_x__long_date(out, d, b->d->lang);
    return mn_x__doc_printf(b->d, "%s", out);
}

static const char *request_phrase(lb *b)
{
    const char *r = mn_x__facts_str(b->facts, "request");

    if (r && strcmp(r, "prior_authorization") == 0)
        return "prior authorization";
    if (r && strcmp(r, "appeal") == 0)
        return "reconsideration of the denial";
    return "coverage";
}

static const char *service_desc(lb *b)
{
    const char *s = mn_x__facts_str(b->facts, "service.description");
    const char *k = mn_kb_hcpcs_description(mn_result_kb(b->res), b->li.code);

    if (s)
        return s;
    if (k)
        return k;
    return mn_x__doc_printf(b->d, "the %s",
                            mn_x__sf_get(b->tpl, "service_word")
                                ? mn_x__sf_get(b->tpl, "service_word")
                                : "service");
}

static const char *f2f_timing(lb *b)
{
    const char *f = mn_x__facts_str(b->facts, "face_to_face_date");
    const char *o = mn_x__facts_str(b->facts, "order_date");
    int32_t fd, od;

    if (!f || !o || !mn_x__parse_date(&fd, f, strlen(f), false) ||
        !mn_x__parse_date(&od, o, strlen(o), false))
        return "";
    return mn_x__doc_printf(b->d,
                            "The face-to-face encounter with the treating "
                            "practitioner took place on %s, %d days before "
                            "the order date of %s: within the six months "
                            "before the order that the face-to-face and "
                            "written-order-prior-to-delivery rule requires. "
                            "The encounter is documented in the enclosed "
                            "medical record.",
                            long_date(b, f), (int)(od - fd), long_date(b, o));
}

/* The value of a placeholder: NULL for an unknown name, "" when the
 * facts lack it. */
static const char *value(lb *b, const char *name)
{
    static const char *const facts_paths[] = {"patient.name",
                                              "patient.medicare_id",
                                              "patient.group_number",
                                              "patient.record_number",
                                              "payer.name",
                                              "payer.address",
                                              "prescriber.name",
                                              "prescriber.credentials",
                                              "prescriber.npi",
                                              "prescriber.phone",
                                              "prescriber.email",
                                              "prescriber.address",
                                              "prescriber.relationship",
                                              "provider.name",
                                              "provider.address",
                                              "provider.phone",
                                              "provider.npi",
                                              "service.quantity",
                                              "service.frequency",
                                              "service.duration",
                                              "service.site_of_care",
                                              "condition_since",
                                              "history",
                                              "functional_limits",
                                              "daily_life",
                                              "rationale",
                                              "consequences",
                                              "expected_outcome",
                                              NULL};
    const char *v;

    for (size_t i = 0; facts_paths[i]; i++) {
        if (strcmp(name, facts_paths[i]) == 0) {
            v = mn_x__facts_str(b->facts, name);
            return v ? v : "";
        }
    }
    if (!strcmp(name, "date")) {
        char out[40];
        mn_x__long_date(out, b->date, b->d->lang);
        return mn_x__doc_printf(b->d, "%s", out);
    }
    if (!strcmp(name, "patient.birth_date")) {
        v = mn_x__facts_str(b->facts, "patient.birth_date");
        return v ? long_date(b, v) : "";
    }
    if (!strcmp(name, "payer.attention")) {
        v = mn_x__facts_str(b->facts, "payer.attention");
        return v ? v : "Medical Director";
    }
    if (!strcmp(name, "request"))
        return request_phrase(b);
    if (!strcmp(name, "service.code"))
        return b->li.code;
    if (!strcmp(name, "service.description"))
        return service_desc(b);
    if (!strcmp(name, "service.word")) {
        v = mn_x__sf_get(b->tpl, "service_word");
        return v ? v : "service";
    }
    if (!strcmp(name, "service.dates")) {
        v = mn_x__facts_str(b->facts, "service.dates");
        if (v)
            return v;
        return b->li.date ? long_date(b, b->li.date) : "";
    }
    if (!strcmp(name, "dx.primary"))
        return b->li.n_diagnoses ? b->li.diagnoses[0] : "";
    if (!strcmp(name, "policy.citation"))
        return b->citation;
    if (!strcmp(name, "policy.statement"))
        return b->policy_sentence;
    if (!strcmp(name, "policy.group"))
        return b->group;
    if (!strcmp(name, "face_to_face_date")) {
        v = mn_x__facts_str(b->facts, "face_to_face_date");
        return v ? long_date(b, v) : "";
    }
    if (!strcmp(name, "order_date")) {
        v = mn_x__facts_str(b->facts, "order_date");
        return v ? long_date(b, v) : "";
    }
    if (!strcmp(name, "f2f.timing"))
        return f2f_timing(b);
    return NULL;
}

static void missing(lb *b, const char *name)
{
    /* name the facts, not the computed value */
    if (!strcmp(name, "f2f.timing"))
        name = "face_to_face_date, order_date";
    for (size_t i = 0; i < b->n_missing; i++) {
        if (strcmp(b->missing[i], name) == 0)
            return;
    }
    if (b->n_missing < MAX_MISSING)
        b->missing[b->n_missing++] = mn_x__doc_strz(b->d, name);
}

static const char *lookup(void *payload, const char *name, size_t n,
                          const char **tag)
{
    lb *b = payload;
    char key[64];
    const char *v;

    if (n >= sizeof(key))
        return NULL;
    memcpy(key, name, n);
    key[n] = '\0';
    v = value(b, key);
    if (v)
        *tag = mn_x__doc_printf(b->d, "letter.%s", key);
    return v;
}

/* ---- lists ---- */

static void add_item(lb *b, mn_vec *items, const char *text)
{
    ds_builder tb;
    ds_text t;

    mn_x__tb_init(&tb, b->d);
    mn_x__tb_add(&tb, text, 0, NULL);
    mn_x__tb_take(&tb, &t);
    mn_x__tb_free(&tb);
    if (mn_x__vec_push(items, &t, sizeof(t)) != MN_OK)
        b->d->nomem = 1;
}

/* Fills `items` with list `name`; returns 0, or -1 for an unknown list. */
static int list_items(lb *b, const char *name, mn_vec *items, mn_error *err)
{
    mn_doc *d = b->d;
    const mn_facts *f = b->facts;

    if (!strcmp(name, "diagnoses")) {
        for (size_t i = 0; i < b->li.n_diagnoses; i++) {
            const char *dx = b->li.diagnoses[i];
            const char *desc = mn_kb_icd_description(mn_result_kb(b->res), dx);
            add_item(b, items,
                     desc ? mn_x__doc_printf(d, "ICD-10-CM %s: %s", dx, desc)
                          : mn_x__doc_printf(d, "ICD-10-CM %s", dx));
        }
        return 0;
    }
    if (!strcmp(name, "symptoms")) {
        for (size_t i = 0; i < mn_x__facts_count(f, "symptoms"); i++)
            add_item(
                b, items,
                mn_x__doc_printf(
                    d, "%s: %s",
                    long_date(b, mn_x__facts_elem(f, "symptoms", i, "date")),
                    mn_x__facts_elem(f, "symptoms", i, "finding")));
        return 0;
    }
    if (!strcmp(name, "test_results")) {
        for (size_t i = 0; i < mn_x__facts_count(f, "test_results"); i++)
            add_item(b, items,
                     mn_x__doc_printf(
                         d, "%s: %s: %s",
                         long_date(
                             b, mn_x__facts_elem(f, "test_results", i, "date")),
                         mn_x__facts_elem(f, "test_results", i, "test"),
                         mn_x__facts_elem(f, "test_results", i, "result")));
        return 0;
    }
    if (!strcmp(name, "prior_treatments")) {
        for (size_t i = 0; i < mn_x__facts_count(f, "prior_treatments"); i++) {
            const char *t =
                mn_x__facts_elem(f, "prior_treatments", i, "treatment");
            const char *s = mn_x__facts_elem(f, "prior_treatments", i, "start");
            const char *e = mn_x__facts_elem(f, "prior_treatments", i, "end");
            const char *o =
                mn_x__facts_elem(f, "prior_treatments", i, "outcome");
            if (!t || !s || !o) {
                mn_x__err(err, MN_EINVAL,
                          "a prior treatment needs its treatment, start date "
                          "and outcome");
                if (err)
                    snprintf(err->where, sizeof(err->where),
                             "prior_treatments[%zu]", i);
                return -2;
            }
            add_item(b, items,
                     e ? mn_x__doc_printf(d, "%s, from %s to %s: %s", t,
                                          long_date(b, s), long_date(b, e), o)
                       : mn_x__doc_printf(d, "%s, since %s: %s", t,
                                          long_date(b, s), o));
        }
        return 0;
    }
    if (!strcmp(name, "evidence")) {
        if (b->has_policy)
            add_item(b, items,
                     b->policy_url ? mn_x__doc_printf(d, "%s (%s)", b->citation,
                                                      b->policy_url)
                                   : b->citation);
        for (size_t i = 0; i < mn_x__facts_count(f, "evidence"); i++)
            add_item(b, items, mn_x__facts_elem(f, "evidence", i, NULL));
        return 0;
    }
    if (!strcmp(name, "documents")) {
        for (size_t i = 0; i < mn_x__facts_count(f, "documents"); i++)
            add_item(b, items, mn_x__facts_elem(f, "documents", i, NULL));
        return 0;
    }
    return -1;
}

/* ---- the policy ---- */

static const char *kind_words(const char *kind)
{
    if (!strcmp(kind, "ncd"))
        return "National Coverage Determination (NCD)";
    if (!strcmp(kind, "lcd"))
        return "Local Coverage Determination (LCD)";
    if (!strcmp(kind, "article"))
        return "Billing and Coding Article";
    return NULL;
}

static void find_policy(lb *b)
{
    mn_doc *d = b->d;
    size_t nf = mn_result_finding_count(b->res, b->line);
    mn_finding_info best;
    int have = 0;
    int none = 0;

    best.version = MN_FINDING_INFO_VERSION;
    for (size_t i = 0; i < nf; i++) {
        mn_finding_info fi;
        fi.version = MN_FINDING_INFO_VERSION;
        if (mn_result_finding(&fi, b->res, b->line, i, NULL) != MN_OK)
            continue;
        if (!strcmp(fi.edit->id, "policy.none"))
            none = 1;
        if (!fi.citation.kind || !kind_words(fi.citation.kind))
            continue;
        if (!strcmp(fi.edit->id, "policy.dx_supported")) {
            best = fi;
            have = 2;
            break;
        }
        if (!have) {
            best = fi;
            have = 1;
        }
    }
    b->group = "";
    if (!have) {
        b->citation = none ? "No national or local coverage determination "
                             "governs this code on the date of service"
                           : "The coverage policy in force on the date of "
                             "service";
        b->policy_sentence = mn_x__doc_printf(
            d,
            "No national or local coverage determination in the coverage "
            "policies mednec holds governs code %s on the date of service; "
            "the service is judged under the reasonable and necessary "
            "standard of section 1862(a)(1)(A) of the Social Security Act.",
            b->li.code);
        return;
    }
    b->has_policy = 1;
    b->citation = mn_x__doc_printf(
        d, "%s %s%s%s%s%s%s", kind_words(best.citation.kind), best.citation.id,
        best.citation.version > 0
            ? mn_x__doc_printf(d, ", version %d", best.citation.version)
            : "",
        best.citation.related
            ? mn_x__doc_printf(d, " (of LCD %s)", best.citation.related)
            : "",
        best.citation.title ? ": \"" : "",
        best.citation.title ? best.citation.title : "",
        best.citation.title ? "\"" : "");
    b->policy_url =
        best.citation.url ? mn_x__doc_strz(d, best.citation.url) : NULL;
    if (best.citation.group > 0)
        b->group = mn_x__doc_printf(d, "covered diagnosis group %d",
                                    best.citation.group);
    if (have == 2) {
        const char *dx = best.diagnosis;
        const char *desc =
            dx ? mn_kb_icd_description(mn_result_kb(b->res), dx) : NULL;
        b->dx_supported = 1;
        b->policy_sentence = mn_x__doc_printf(
            d,
            "The service is governed by %s. The patient's diagnosis %s%s%s%s "
            "is on its list of covered diagnoses%s%s.",
            b->citation, dx ? dx : "", desc ? " (" : "", desc ? desc : "",
            desc ? ")" : "", best.citation.group > 0 ? ", in " : "", b->group);
    } else {
        b->policy_sentence = mn_x__doc_printf(
            d,
            "The service is governed by %s. The diagnosis on the claim is not "
            "on its list of covered diagnoses; the clinical facts below "
            "explain why the service is reasonable and necessary for this "
            "patient.",
            b->citation);
        mn_x__doc_warn(d, "the line's diagnosis is not on the policy's "
                          "covered list: the letter says so");
    }
}

/* ---- the template ---- */

typedef struct para_acc {
    mn_vec text; /* the paragraph's lines, '\n' between */
    int seen;    /* a line of it was read (kept or dropped) */
} para_acc;

/* Emits the optional heading waiting for this block's content. */
static void pending(lb *b)
{
    if (b->pending) {
        mn_x__doc_text_block(b->d, DB_HEADING, b->pending, lookup, b);
        b->pending = NULL;
    }
}

static void flush(lb *b, para_acc *p)
{
    char *t;
    size_t n = p->text.len;

    if (n == 0) {
        /* a paragraph whose every line was dropped takes its optional
           heading with it */
        if (p->seen)
            b->pending = NULL;
        p->seen = 0;
        return;
    }
    p->seen = 0;
    t = (char *)p->text.data;
    /* a hard break at the very end breaks nothing */
    while (n && (t[n - 1] == '\n' || t[n - 1] == '\\' || t[n - 1] == ' '))
        n--;
    if (n) {
        ds_builder tb;
        db_block *blk;
        pending(b);
        mn_x__tb_init(&tb, b->d);
        mn_x__tb_markup(&tb, t, n, lookup, b);
        blk = mn_x__doc_block(b->d, DB_PARA);
        if (blk)
            mn_x__tb_take(&tb, &blk->text);
        mn_x__tb_free(&tb);
    }
    p->text.len = 0;
}

/* Checks the placeholders of a line: 1 when all have a value, 0 when one
 * is empty (recorded as missing unless `optional`), -1 for an unknown
 * name. */
static int placeholders(lb *b, const char *s, size_t n, int optional,
                        size_t lineno)
{
    int all = 1;

    for (size_t i = 0; i < n; i++) {
        size_t e;
        char key[64];
        const char *v;
        if (s[i] != '{')
            continue;
        e = i + 1;
        while (e < n && s[e] != '}' && e - i < 64)
            e++;
        if (e >= n || s[e] != '}' || e - i - 1 >= sizeof(key))
            continue;
        memcpy(key, s + i + 1, e - i - 1);
        key[e - i - 1] = '\0';
        v = value(b, key);
        if (!v) {
            b->bad_placeholder = 1;
            b->bad_name = mn_x__doc_strz(b->d, key);
            b->bad_line = lineno;
            return -1;
        }
        if (!v[0]) {
            all = 0;
            if (!optional)
                missing(b, key);
        }
        i = e;
    }
    return all;
}

static int run_template(lb *b, const char *text, mn_error *err)
{
    mn_doc *d = b->d;
    para_acc p;
    mn_vec items;
    const char *s = text;
    size_t lineno = b->tpl_line;
    int rc = MN_OK;

    memset(&p, 0, sizeof(p));
    memset(&items, 0, sizeof(items));
    p.text.max = (size_t)1 << 20;
    items.max = (size_t)1 << 20;
    while (*s && rc == MN_OK) {
        size_t n = strcspn(s, "\n");
        const char *line = s;
        size_t ln = n;
        int optional = 0;
        s += n;
        if (*s)
            s++;
        lineno++;
        while (ln && (line[ln - 1] == ' ' || line[ln - 1] == '\t'))
            ln--;
        if (ln == 0) {
            flush(b, &p);
            continue;
        }
        if (line[0] == '?') {
            optional = 1;
            line++;
            ln--;
        }
        if (ln > 3 && !strncmp(line, "## ", 3)) {
            flush(b, &p);
            if (placeholders(b, line + 3, ln - 3, optional, lineno) == 0 &&
                optional)
                continue;
            {
                char *h = mn_x__doc_printf(d, "%.*s", (int)(ln - 3), line + 3);
                b->pending = NULL;
                if (h && optional)
                    b->pending = h;
                else if (h)
                    mn_x__doc_text_block(d, DB_HEADING, h, lookup, b);
            }
        } else if (ln == 3 && !strncmp(line, "---", 3)) {
            flush(b, &p);
            pending(b);
            mn_x__doc_block(d, DB_RULE);
        } else if (ln > 2 && !strncmp(line, "- ", 2)) {
            /* consecutive bullet lines make one list */
            flush(b, &p);
            items.len = 0;
            for (;;) {
                if (placeholders(b, line + 2, ln - 2, optional, lineno) != 0 ||
                    !optional) {
                    ds_builder tb;
                    ds_text t;
                    mn_x__tb_init(&tb, d);
                    mn_x__tb_markup(&tb, line + 2, ln - 2, lookup, b);
                    mn_x__tb_take(&tb, &t);
                    mn_x__tb_free(&tb);
                    if (mn_x__vec_push(&items, &t, sizeof(t)) != MN_OK)
                        d->nomem = 1;
                }
                n = strcspn(s, "\n");
                if (!(n > 2 && !strncmp(s, "- ", 2)) &&
                    !(n > 3 && !strncmp(s, "?- ", 3)))
                    break;
                line = s;
                ln = n;
                optional = line[0] == '?';
                if (optional) {
                    line++;
                    ln--;
                }
                s += n;
                if (*s)
                    s++;
                lineno++;
            }
            if (items.len) {
                db_block *blk;
                pending(b);
                blk = mn_x__doc_block(d, DB_BULLETS);
                size_t k = MN_VEC_COUNT(&items, ds_text);
                if (blk) {
                    blk->items =
                        mn_x__arena_alloc(d->arena, k * sizeof(ds_text));
                    if (blk->items) {
                        memcpy(blk->items, items.data, k * sizeof(ds_text));
                        blk->n_items = k;
                    } else {
                        d->nomem = 1;
                    }
                }
            }
        } else if (ln > 7 && !strncmp(line, "{list:", 6) &&
                   line[ln - 1] == '}') {
            char name[64];
            int r;
            flush(b, &p);
            if (ln - 7 >= sizeof(name)) {
                b->bad_placeholder = 1;
                b->bad_name = "list";
                b->bad_line = lineno;
                break;
            }
            memcpy(name, line + 6, ln - 7);
            name[ln - 7] = '\0';
            items.len = 0;
            r = list_items(b, name, &items, err);
            if (r == -2) {
                rc = MN_EINVAL;
                break;
            }
            if (r == -1) {
                b->bad_placeholder = 1;
                b->bad_name = mn_x__doc_printf(d, "list:%s", name);
                b->bad_line = lineno;
                break;
            }
            if (items.len == 0) {
                if (!optional)
                    missing(b, name);
                b->pending = NULL; /* its optional heading goes too */
                continue;
            }
            {
                db_block *blk;
                size_t k = MN_VEC_COUNT(&items, ds_text);
                pending(b);
                blk = mn_x__doc_block(d, DB_BULLETS);
                if (blk) {
                    blk->tag = mn_x__doc_printf(d, "letter.%s", name);
                    blk->items =
                        mn_x__arena_alloc(d->arena, k * sizeof(ds_text));
                    if (blk->items) {
                        memcpy(blk->items, items.data, k * sizeof(ds_text));
                        blk->n_items = k;
                    } else {
                        d->nomem = 1;
                    }
                }
            }
        } else if (ln == 17 && !strncmp(line, "{block:signature}", 17)) {
            static const double w2[] = {0.6, 0.4};
            db_block *blk;
            flush(b, &p);
            pending(b);
            blk = mn_x__doc_grid(d, DB_SIGNATURE, 1, 2, w2);
            if (blk) {
                ds_builder tb;
                mn_x__tb_init(&tb, d);
                mn_x__tb_add(&tb, "Signature:", 0, NULL);
                mn_x__tb_take(&tb, &blk->items[0]);
                mn_x__tb_add(&tb, "Date:", 0, NULL);
                mn_x__tb_take(&tb, &blk->items[1]);
                mn_x__tb_free(&tb);
            }
        } else {
            int r = placeholders(b, line, ln, optional, lineno);
            if (r < 0)
                break;
            p.seen = 1;
            if (r == 0 && optional)
                continue;
            if (p.text.len && mn_x__vec_push(&p.text, "\n", 1) != MN_OK)
                d->nomem = 1;
            if (mn_x__vec_push(&p.text, line, ln) != MN_OK)
                d->nomem = 1;
        }
        if (b->bad_placeholder)
            break;
    }
    flush(b, &p);
    mn_x__vec_free(&p.text);
    mn_x__vec_free(&items);
    if (rc)
        return rc;
    if (b->bad_placeholder) {
        rc = mn_x__err(err, MN_EINVAL, "unknown placeholder {%s}",
                       b->bad_name ? b->bad_name : "?");
        mn_x__err_at(err, b->tpl_name, b->bad_line, 1);
        return rc;
    }
    if (b->n_missing) {
        /* as many names as the one-line message holds, then a count */
        char list[180];
        size_t o = 0;
        size_t shown = 0;
        for (size_t i = 0; i < b->n_missing; i++) {
            size_t l = strlen(b->missing[i]);
            if (o + l + 2 >= sizeof(list))
                break;
            o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s",
                                  i ? ", " : "", b->missing[i]);
            shown++;
        }
        if (shown < b->n_missing)
            return mn_x__err(err, MN_EINVAL,
                             "the %s letter needs facts that are missing: "
                             "%s and %zu more",
                             mn_x__letter_kind_name(b->kind), list,
                             b->n_missing - shown);
        return mn_x__err(err, MN_EINVAL,
                         "the %s letter needs facts that are missing: %s",
                         mn_x__letter_kind_name(b->kind), list);
    }
    return MN_OK;
}

/* The letter kind of a code, or -1 when it cannot be told. */
static int kind_of_code(const char *c)
{
    size_t n = strlen(c);

    if (n != 5)
        return -1;
    if (c[0] == '8' || c[0] == 'P' || (c[0] == 'G' && !strncmp(c, "G010", 4)))
        return LK_LAB;
    if (c[0] == '7')
        return LK_IMAGING;
    if (c[0] == 'E' || c[0] == 'K' || c[0] == 'L' || c[0] == 'A' || c[0] == 'B')
        return LK_DME;
    if (!strncmp(c, "97", 2) || !strncmp(c, "925", 3))
        return LK_THERAPY;
    if (c[0] == 'J' || c[0] == 'Q')
        return LK_DRUG;
    return -1;
}

int mn_letter_new(mn_doc **out, const mn_docdata *data, const mn_result *res,
                  const mn_facts *facts, const mn_letter_options *opts,
                  mn_error *err)
{
    lb *b = NULL;
    mn_doc *d = NULL;
    sf_file own;
    const sf_section *sec;
    int rc = MN_OK;
    mn_letter_options def = MN_LETTER_OPTIONS_INIT;

    if (!out)
        return mn_x__err(err, MN_EINVAL, "missing argument");
    *out = NULL;
    if (!opts)
        opts = &def;
    if (!data || !res || !facts)
        return mn_x__err(err, MN_EINVAL,
                         "missing argument (the facts file "
                         "is required)");
    if (opts->version != MN_LETTER_OPTIONS_VERSION)
        return mn_x__err(err, MN_EINVAL, "unknown mn_letter_options version %u",
                         opts->version);
    b = mn_x__calloc(1, sizeof(*b));
    if (!b)
        return mn_x__err(err, MN_ENOMEM, "out of memory");
    if ((rc = mn_x__doc_new(&d, MN_DOC_LETTER, err)))
        goto done;
    b->d = d;
    b->dd = data;
    b->res = res;
    b->facts = facts;
    b->line = opts->line ? opts->line - 1 : 0;
    if (b->line >= mn_result_line_count(res)) {
        rc = mn_x__err(err, MN_EINVAL, "no line %zu (the claim has %zu)",
                       b->line + 1, mn_result_line_count(res));
        goto done;
    }
    b->li.version = MN_LINE_INFO_VERSION;
    if ((rc = mn_result_line(&b->li, res, b->line, err)))
        goto done;
    if (opts->kind) {
        if (mn_x__letter_kind_parse(&b->kind, opts->kind)) {
            rc = mn_x__err(err, MN_EINVAL,
                           "letter kind must be lab, imaging, dme, therapy "
                           "or drug");
            goto done;
        }
    } else {
        int k = kind_of_code(b->li.code);
        if (k < 0) {
            rc = mn_x__err(err, MN_EINVAL,
                           "cannot tell the letter kind of code %s: give the "
                           "kind (lab, imaging, dme, therapy or drug)",
                           b->li.code);
            goto done;
        }
        b->kind = (letter_kind)k;
    }
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
    if (opts->template_text) {
        b->tpl_name = opts->template_name ? opts->template_name : "template";
        if ((rc = mn_x__sf_parse(&own, d->arena, b->tpl_name,
                                 opts->template_text, opts->template_len, err)))
            goto done;
        if (!mn_x__sf_section(&own, "letter")) {
            rc = mn_x__err(err, MN_EINVAL,
                           "a letter template needs a [letter] section");
            mn_x__err_at(err, b->tpl_name, 0, 0);
            goto done;
        }
        b->tpl = &own;
    } else {
        b->tpl = data->tpl[b->kind];
        if (!b->tpl) {
            rc = mn_x__err(err, MN_EINVAL,
                           "no template for %s letters in "
                           "the data",
                           mn_x__letter_kind_name(b->kind));
            goto done;
        }
        b->tpl_name = b->tpl->name;
    }
    if (b->kind == LK_DME) {
        /* 8.2: the encounter within the six months before the order */
        const char *f = mn_x__facts_str(facts, "face_to_face_date");
        const char *o = mn_x__facts_str(facts, "order_date");
        int32_t fd, od;
        if (f && o && mn_x__parse_date(&fd, f, strlen(f), false) &&
            mn_x__parse_date(&od, o, strlen(o), false)) {
            int y, m, dd;
            int32_t limit;
            int32_t mdays;
            /* six calendar months earlier, the day clamped to the month
             * (31 March -> 30 September) */
            mn_x__civil_from_days(od, &y, &m, &dd);
            m -= 6;
            if (m < 1) {
                m += 12;
                y--;
            }
            mdays = (m == 12 ? mn_x__days_from_civil(y + 1, 1, 1)
                             : mn_x__days_from_civil(y, m + 1, 1)) -
                    mn_x__days_from_civil(y, m, 1);
            if (dd > mdays)
                dd = (int)mdays;
            limit = mn_x__days_from_civil(y, m, dd);
            if (fd > od) {
                rc = mn_x__err(err, MN_EINVAL,
                               "the face-to-face encounter is after the "
                               "order date: the order must follow it");
                goto done;
            }
            if (fd < limit) {
                rc = mn_x__err(err, MN_EINVAL,
                               "the face-to-face encounter is more than six "
                               "months before the order date: a new "
                               "encounter is needed before the order");
                goto done;
            }
        }
    }
    sec = mn_x__sf_section(b->tpl, "letter");
    b->tpl_line = sec->line;
    d->title = mn_x__sf_get(b->tpl, "title")
                   ? mn_x__doc_strz(d, mn_x__sf_get(b->tpl, "title"))
                   : "Letter of medical necessity";
    d->font_size = 11;
    d->margin = 72;
    find_policy(b);
    if ((rc = run_template(b, sec->text, err)))
        goto done;
    mn_x__doc_field(d, "letter.kind", (char *)mn_x__letter_kind_name(b->kind));
    mn_x__doc_field(d, "letter.policy", b->citation);
    mn_x__doc_field(d, "letter.policy.statement", b->policy_sentence);
    mn_x__doc_field(d, "letter.policy.group", b->group);
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
    mn_doc_free(d);
    mn_x__free(b);
    return rc;
}
