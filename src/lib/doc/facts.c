/*
 * doc/facts.c: the facts file (JSON) that letters, appeals and ABNs take
 * from the user: the patient, the notifier, provider, prescriber and
 * payer, the service requested and the clinical facts. Every field is
 * checked against one table at parse time (type, size, dates, NPI check
 * digit); unknown fields are errors, so a misspelt field is never
 * silently missing from a letter. Messages never quote a value.
 */
#include <string.h>

#include <jansson.h>

#include "doc/facts.h"

#define MAX_BYTES ((size_t)1 << 20)
#define MAX_TEXT 4000
#define MAX_LIST 200

typedef enum ft {
    F_STR,
    F_DATE,
    F_NPI,
    F_MONEY,
    F_OBJ,
    F_LIST,
    F_STRLIST,
    F_ENUM
} ft;

typedef struct fdef {
    const char *name;
    ft type;
    const struct fdef *sub;    /* F_OBJ, F_LIST (of objects) */
    const char *const *values; /* F_ENUM */
} fdef;

static const fdef person_f[] = {
    {"name", F_STR, NULL, NULL},         {"address", F_STR, NULL, NULL},
    {"phone", F_STR, NULL, NULL},        {"email", F_STR, NULL, NULL},
    {"npi", F_NPI, NULL, NULL},          {"credentials", F_STR, NULL, NULL},
    {"relationship", F_STR, NULL, NULL}, {NULL, F_STR, NULL, NULL}};
static const fdef patient_f[] = {
    {"name", F_STR, NULL, NULL},         {"birth_date", F_DATE, NULL, NULL},
    {"medicare_id", F_STR, NULL, NULL},  {"record_number", F_STR, NULL, NULL},
    {"group_number", F_STR, NULL, NULL}, {NULL, F_STR, NULL, NULL}};
static const fdef payer_f[] = {{"name", F_STR, NULL, NULL},
                               {"attention", F_STR, NULL, NULL},
                               {"address", F_STR, NULL, NULL},
                               {NULL, F_STR, NULL, NULL}};
static const fdef item_f[] = {{"code", F_STR, NULL, NULL},
                              {"description", F_STR, NULL, NULL},
                              {"cost", F_MONEY, NULL, NULL},
                              {NULL, F_STR, NULL, NULL}};
static const fdef service_f[] = {
    {"description", F_STR, NULL, NULL}, {"quantity", F_STR, NULL, NULL},
    {"frequency", F_STR, NULL, NULL},   {"duration", F_STR, NULL, NULL},
    {"dates", F_STR, NULL, NULL},       {"site_of_care", F_STR, NULL, NULL},
    {NULL, F_STR, NULL, NULL}};
static const fdef dated_f[] = {{"date", F_DATE, NULL, NULL},
                               {"finding", F_STR, NULL, NULL},
                               {NULL, F_STR, NULL, NULL}};
static const fdef test_f[] = {{"date", F_DATE, NULL, NULL},
                              {"test", F_STR, NULL, NULL},
                              {"result", F_STR, NULL, NULL},
                              {NULL, F_STR, NULL, NULL}};
static const fdef treat_f[] = {{"treatment", F_STR, NULL, NULL},
                               {"start", F_DATE, NULL, NULL},
                               {"end", F_DATE, NULL, NULL},
                               {"outcome", F_STR, NULL, NULL},
                               {NULL, F_STR, NULL, NULL}};
static const char *const requests[] = {"prior_authorization", "documentation",
                                       "appeal", NULL};
static const fdef top_f[] = {{"patient", F_OBJ, patient_f, NULL},
                             {"notifier", F_OBJ, person_f, NULL},
                             {"provider", F_OBJ, person_f, NULL},
                             {"prescriber", F_OBJ, person_f, NULL},
                             {"payer", F_OBJ, payer_f, NULL},
                             {"request", F_ENUM, NULL, requests},
                             {"items", F_LIST, item_f, NULL},
                             {"additional", F_STR, NULL, NULL},
                             {"service", F_OBJ, service_f, NULL},
                             {"condition_since", F_STR, NULL, NULL},
                             {"history", F_STR, NULL, NULL},
                             {"symptoms", F_LIST, dated_f, NULL},
                             {"test_results", F_LIST, test_f, NULL},
                             {"prior_treatments", F_LIST, treat_f, NULL},
                             {"functional_limits", F_STR, NULL, NULL},
                             {"daily_life", F_STR, NULL, NULL},
                             {"rationale", F_STR, NULL, NULL},
                             {"consequences", F_STR, NULL, NULL},
                             {"expected_outcome", F_STR, NULL, NULL},
                             {"evidence", F_STRLIST, NULL, NULL},
                             {"face_to_face_date", F_DATE, NULL, NULL},
                             {"order_date", F_DATE, NULL, NULL},
                             {"documents", F_STRLIST, NULL, NULL},
                             {NULL, F_STR, NULL, NULL}};

struct mn_facts {
    json_t *root;
};

bool mn_x__npi_valid(const char *s)
{
    /* Luhn over "80840" + the first nine digits (CMS NPI standard) */
    int sum = 24; /* the prefix 80840's contribution */
    size_t n = s ? strlen(s) : 0;

    if (n != 10)
        return false;
    for (size_t i = 0; i < 10; i++) {
        if (!mn_x__isdigit((unsigned char)s[i]))
            return false;
    }
    for (size_t i = 0; i < 9; i++) {
        int d = s[8 - i] - '0';
        if (i % 2 == 0) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    return (10 - sum % 10) % 10 == s[9] - '0';
}

static int bad(mn_error *err, const char *path, const char *fmt,
               const char *what)
{
    mn_x__err(err, MN_EINVAL, fmt, what);
    mn_x__err_at(err, path, 0, 0);
    return MN_EINVAL;
}

static int check_value(const json_t *v, const fdef *f, const char *path,
                       mn_error *err);

static int check_object(const json_t *obj, const fdef *fields, const char *path,
                        mn_error *err)
{
    const char *key;
    json_t *v;

    if (!json_is_object(obj))
        return bad(err, path, "%s", "expected an object");
    json_object_foreach((json_t *)obj, key, v)
    {
        const fdef *f = NULL;
        char sub[256];
        int rc;
        for (const fdef *k = fields; k->name; k++) {
            if (strcmp(k->name, key) == 0)
                f = k;
        }
        snprintf(sub, sizeof(sub), "%s%s%.64s", path, path[0] ? "." : "", key);
        /* a key is the user's text: the location stays one line */
        for (char *c = sub; *c; c++) {
            if ((unsigned char)*c < 0x20 || *c == 0x7f)
                *c = '?';
        }
        if (!f)
            return bad(err, sub, "%s",
                       "unknown field (see docs/documents.md, facts file)");
        if (json_is_null(v))
            continue;
        if ((rc = check_value(v, f, sub, err)))
            return rc;
    }
    return MN_OK;
}

static int check_value(const json_t *v, const fdef *f, const char *path,
                       mn_error *err)
{
    switch (f->type) {
    case F_STR:
    case F_DATE:
    case F_NPI:
    case F_ENUM: {
        const char *s;
        size_t len;
        if (!json_is_string(v))
            return bad(err, path, "%s", "expected a string");
        s = json_string_value(v);
        len = json_string_length(v);
        if (len > MAX_TEXT)
            return bad(err, path, "%s", "longer than 4000 bytes");
        if (strlen(s) != len)
            return bad(err, path, "%s", "holds a NUL character");
        if (f->type == F_DATE) {
            int32_t d;
            if (!mn_x__parse_date(&d, s, len, false))
                return bad(err, path, "%s", "expected a valid date YYYY-MM-DD");
        }
        if (f->type == F_NPI && !mn_x__npi_valid(s))
            return bad(err, path, "%s",
                       "not a valid NPI (10 digits with a correct check "
                       "digit)");
        if (f->type == F_ENUM) {
            for (size_t i = 0; f->values[i]; i++) {
                if (strcmp(f->values[i], s) == 0)
                    return MN_OK;
            }
            return bad(err, path, "%s",
                       "expected prior_authorization, documentation or "
                       "appeal");
        }
        return MN_OK;
    }
    case F_MONEY: {
        double x;
        if (!json_is_number(v))
            return bad(err, path, "%s", "expected a number of dollars");
        x = json_number_value(v);
        if (!(x >= 0 && x <= 99999999.99))
            return bad(err, path, "%s",
                       "expected dollars from 0 to 99999999.99");
        return MN_OK;
    }
    case F_OBJ:
        return check_object(v, f->sub, path, err);
    case F_LIST:
    case F_STRLIST: {
        size_t i;
        json_t *e;
        if (!json_is_array(v))
            return bad(err, path, "%s", "expected a list");
        if (json_array_size(v) > MAX_LIST)
            return bad(err, path, "%s", "more than 200 entries");
        json_array_foreach((json_t *)v, i, e)
        {
            char sub[300];
            fdef one = {path, F_STR, NULL, NULL};
            int rc;
            snprintf(sub, sizeof(sub), "%.250s[%zu]", path, i);
            if (f->type == F_LIST)
                rc = check_object(e, f->sub, sub, err);
            else
                rc = check_value(e, &one, sub, err);
            if (rc)
                return rc;
        }
        return MN_OK;
    }
    }
    return MN_OK;
}

int mn_facts_parse_json(mn_facts **out, const char *json, size_t len,
                        mn_error *err)
{
    json_error_t je;
    json_t *root = NULL;
    mn_facts *f = NULL;
    int rc = MN_OK;

    mn_error_clear(err);
    if (!out || (!json && len))
        return mn_x__err(err, MN_EINVAL, "missing argument");
    *out = NULL;
    if (len > MAX_BYTES)
        return mn_x__err(err, MN_ELIMIT, "facts larger than %zu bytes",
                         MAX_BYTES);
    root = json_loadb(json ? json : "", len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        /* jansson quotes the input "near '...'": it may be a patient's
           name, so the message stops before it */
        const char *near = strstr(je.text, " near ");
        int n = near ? (int)(near - je.text) : (int)strlen(je.text);
        rc = json_error_code(&je) == json_error_out_of_memory ? MN_ENOMEM
                                                              : MN_EINVAL;
        mn_x__err(err, rc, "%.*s", n, n ? je.text : "malformed JSON");
        if (err) {
            err->line = je.line > 0 ? (size_t)je.line : 0;
            err->column = je.column > 0 ? (size_t)je.column : 0;
            err->offset = je.position > 0 ? (size_t)je.position : 0;
        }
        return rc;
    }
    if (!json_is_object(root)) {
        rc = mn_x__err(err, MN_EINVAL, "expected a JSON object (the facts)");
        goto done;
    }
    if ((rc = check_object(root, top_f, "", err)))
        goto done;
    f = mn_x__calloc(1, sizeof(*f));
    if (!f) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    f->root = root;
    root = NULL;
    *out = f;
done:
    json_decref(root);
    return rc;
}

void mn_facts_free(mn_facts *facts)
{
    if (!facts)
        return;
    json_decref(facts->root);
    mn_x__free(facts);
}

/* The value at a dotted path ("prescriber.npi"), or NULL. */
static const json_t *at(const mn_facts *f, const char *path)
{
    const json_t *v = f && path ? f->root : NULL;
    char part[64];

    while (v && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof(part))
            return NULL;
        memcpy(part, path, n);
        part[n] = '\0';
        v = json_is_object(v) ? json_object_get(v, part) : NULL;
        path += n;
        if (*path == '.')
            path++;
    }
    return v;
}

static const char *nonblank(const char *s)
{
    if (!s)
        return NULL;
    for (const char *p = s; *p; p++) {
        if (!mn_x__isspace((unsigned char)*p))
            return s;
    }
    return NULL;
}

const char *mn_x__facts_str(const mn_facts *f, const char *path)
{
    const json_t *v = at(f, path);
    return json_is_string(v) ? nonblank(json_string_value(v)) : NULL;
}

static int64_t money(const json_t *v)
{
    double x;
    if (!json_is_number(v))
        return MN_NO_AMOUNT;
    x = json_number_value(v);
    return (int64_t)(x * 100.0 + 0.5);
}

size_t mn_x__facts_count(const mn_facts *f, const char *path)
{
    const json_t *v = at(f, path);
    return json_is_array(v) ? json_array_size(v) : 0;
}

const char *mn_x__facts_elem(const mn_facts *f, const char *path, size_t i,
                             const char *field)
{
    const json_t *v = at(f, path);
    const json_t *e = json_is_array(v) ? json_array_get(v, i) : NULL;

    if (!e)
        return NULL;
    if (!field)
        return json_is_string(e) ? nonblank(json_string_value(e)) : NULL;
    e = json_is_object(e) ? json_object_get(e, field) : NULL;
    return json_is_string(e) ? nonblank(json_string_value(e)) : NULL;
}

int64_t mn_x__facts_elem_money(const mn_facts *f, const char *path, size_t i,
                               const char *field)
{
    const json_t *v = at(f, path);
    const json_t *e = json_is_array(v) ? json_array_get(v, i) : NULL;

    e = json_is_object(e) ? json_object_get(e, field) : NULL;
    return money(e);
}
