/*
 * cds/request.c: reading a CDS Hooks request and mapping its orders to
 * claims (docs/server.md has the table of FHIR elements and claim fields).
 *
 * Resources are looked up by reference among those the request carries:
 * the orders' bundle, every prefetch value (a resource or a searchset
 * Bundle) and resources contained in an order. Nothing is fetched.
 *
 * Orders are grouped into one claim per (coverage, state, claim type) so
 * that edits between the lines of a claim (NCCI pairs, add-on codes,
 * frequency within the claim) see the orders signed together.
 */
#include <string.h>
#include <time.h>

#include "cds/cds_int.h"

#define MAX_INPUT ((size_t)4 << 20)
#define MAX_ORDERS 64
#define MAX_RESOURCES 20000

/* ---- small JSON helpers ------------------------------------------------- */

static const char *jstr(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

typedef struct reader {
    mn_cds_request *req;
    mn_error *err;
    json_t **res; /* every resource the request carries */
    const char **full_url;
    size_t n_res;
    size_t cap_res;
    json_t *patient;
    json_t *context;
    json_t *prefetch;
    char patient_state[3];
    char birth_date[11];
    char sex;
    /* the patient's active conditions (prefetch), ICD-10-CM */
    char cond[CDS_MAX_DX][9];
    size_t n_cond;
} reader;

static int fail(reader *rd, const char *where, const char *fmt, const char *a)
{
    int rc = mn_x__err(rd->err, MN_EINVAL, fmt, a ? a : "");
    mn_x__err_at(rd->err, where, 0, 0);
    return rc;
}

static int add_resource(reader *rd, json_t *r, const char *full_url)
{
    if (!json_is_object(r) || !jstr(r, "resourceType"))
        return MN_OK;
    if (rd->n_res == rd->cap_res) {
        size_t cap = rd->cap_res ? rd->cap_res * 2 : 64;
        json_t **nr;
        const char **nu;
        if (cap > MAX_RESOURCES)
            return mn_x__err(rd->err, MN_ELIMIT,
                             "more than %d resources in the request",
                             MAX_RESOURCES);
        nr = mn_x__realloc(rd->res, cap * sizeof(*nr));
        if (!nr)
            return mn_x__err(rd->err, MN_ENOMEM, "out of memory");
        rd->res = nr;
        nu = mn_x__realloc(rd->full_url, cap * sizeof(*nu));
        if (!nu)
            return mn_x__err(rd->err, MN_ENOMEM, "out of memory");
        rd->full_url = nu;
        rd->cap_res = cap;
    }
    rd->res[rd->n_res] = r;
    rd->full_url[rd->n_res] = full_url;
    rd->n_res++;
    return MN_OK;
}

/* Adds a resource, or every entry of a Bundle. */
static int add_value(reader *rd, json_t *v, const char *where)
{
    const char *type;
    json_t *entries;

    if (json_is_null(v))
        return MN_OK;
    if (!json_is_object(v) || !(type = jstr(v, "resourceType")))
        return fail(rd, where, "expected a FHIR resource or null%s", NULL);
    if (strcmp(type, "Bundle") != 0)
        return add_resource(rd, v, NULL);
    entries = json_object_get(v, "entry");
    if (entries && !json_is_array(entries))
        return fail(rd, where, "Bundle.entry must be an array%s", NULL);
    for (size_t i = 0; i < json_array_size(entries); i++) {
        json_t *e = json_array_get(entries, i);
        json_t *r = json_object_get(e, "resource");
        int rc;
        if (!json_is_object(e) || (r && !json_is_object(r))) {
            char path[160];
            snprintf(path, sizeof(path), "%s.entry[%zu]", where, i);
            return fail(rd, path, "expected an entry with a resource%s", NULL);
        }
        if (r && (rc = add_resource(rd, r, jstr(e, "fullUrl"))))
            return rc;
    }
    return MN_OK;
}

/* Does `ref` ("Type/id", ".../Type/id", ".../Type/id/_history/n") name a
 * resource of `type` with `id`? */
static bool ref_names(const char *ref, const char *type, const char *id)
{
    size_t tl = strlen(type);
    size_t il = strlen(id);
    const char *h = strstr(ref, "/_history/");
    size_t n = h ? (size_t)(h - ref) : strlen(ref);

    if (n < tl + il + 1)
        return false;
    if (memcmp(ref + n - il, id, il) != 0 || ref[n - il - 1] != '/')
        return false;
    if (memcmp(ref + n - il - 1 - tl, type, tl) != 0)
        return false;
    return n == tl + il + 1 || ref[n - il - 2 - tl] == '/';
}

/* The resource a Reference points to (among those carried), or NULL. */
static json_t *resolve(reader *rd, json_t *from, json_t *reference)
{
    const char *ref = jstr(reference, "reference");

    if (!ref || !ref[0])
        return NULL;
    if (ref[0] == '#') {
        json_t *c = json_object_get(from, "contained");
        for (size_t i = 0; i < json_array_size(c); i++) {
            json_t *r = json_array_get(c, i);
            const char *id = jstr(r, "id");
            if (id && !strcmp(id, ref + 1))
                return r;
        }
        return NULL;
    }
    for (size_t i = 0; i < rd->n_res; i++) {
        if (rd->full_url[i] && !strcmp(rd->full_url[i], ref))
            return rd->res[i];
    }
    for (size_t i = 0; i < rd->n_res; i++) {
        const char *type = jstr(rd->res[i], "resourceType");
        const char *id = jstr(rd->res[i], "id");
        if (type && id && ref_names(ref, type, id))
            return rd->res[i];
    }
    return NULL;
}

static bool is_type(const json_t *r, const char *type)
{
    const char *t = jstr(r, "resourceType");
    return t && !strcmp(t, type);
}

/* ---- codes --------------------------------------------------------------- */

static bool system_is(const char *s, const char *const *list)
{
    for (; s && *list; list++) {
        if (!strcmp(s, *list))
            return true;
    }
    return false;
}

static const char *const cpt_systems[] = {
    "http://www.ama-assn.org/go/cpt", "urn:oid:2.16.840.1.113883.6.12", NULL};
static const char *const hcpcs_systems[] = {
    "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
    "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
    "https://bluebutton.cms.gov/resources/codesystem/hcpcs",
    "http://terminology.hl7.org/CodeSystem/HCPCS",
    "http://terminology.hl7.org/CodeSystem/HCPCS-all-codes",
    "urn:oid:2.16.840.1.113883.6.285",
    NULL};
static const char *const icd_systems[] = {"http://hl7.org/fhir/sid/icd-10-cm",
                                          "urn:oid:2.16.840.1.113883.6.90",
                                          NULL};
static const char *const pos_systems[] = {
    "https://www.cms.gov/Medicare/Coding/place-of-service-codes/"
    "Place_of_Service_Code_Set",
    "https://www.cms.gov/Medicare/Coding/place-of-service-codes/"
    "Place_of_Service_Code_Set.html",
    "http://www.cms.gov/Medicare/Coding/place-of-service-codes/"
    "Place_of_Service_Code_Set",
    "https://www.cms.gov/medicare/coding-billing/place-of-service-codes/"
    "code-sets",
    "urn:oid:2.16.840.1.113883.6.50",
    "http://hl7.org/fhir/us/davinci-crd/CodeSystem/temp",
    NULL};

/* The first CPT or HCPCS code among the codings of a CodeableConcept. */
static bool procedure_code(char out[9], const json_t *cc)
{
    json_t *codings = json_object_get(cc, "coding");

    for (size_t i = 0; i < json_array_size(codings); i++) {
        json_t *c = json_array_get(codings, i);
        const char *sys = jstr(c, "system");
        const char *code = jstr(c, "code");
        size_t n;
        if (!code ||
            !(system_is(sys, cpt_systems) || system_is(sys, hcpcs_systems)))
            continue;
        n = strlen(code);
        if (!mn_x__cpt_shape(code, n) && !mn_x__hcpcs2_shape(code, n))
            continue;
        for (size_t k = 0; k < n; k++)
            out[k] = (char)mn_x__toupper((unsigned char)code[k]);
        out[n] = '\0';
        return true;
    }
    return false;
}

/* Adds the ICD-10-CM codes of a CodeableConcept to a list (no repeats). */
static void icd_codes(char (*list)[9], size_t *n, size_t max, const json_t *cc)
{
    json_t *codings = json_object_get(cc, "coding");

    for (size_t i = 0; i < json_array_size(codings) && *n < max; i++) {
        json_t *c = json_array_get(codings, i);
        const char *code = jstr(c, "code");
        char norm[9];
        size_t len;
        size_t k;
        bool dup = false;
        if (!code || !system_is(jstr(c, "system"), icd_systems))
            continue;
        len = strlen(code);
        if (len > 8 || !mn_x__icd_shape(code, len))
            continue;
        for (k = 0; k < len; k++)
            norm[k] = (char)mn_x__toupper((unsigned char)code[k]);
        norm[k] = '\0';
        for (size_t j = 0; j < *n && !dup; j++) {
            mn_key a = mn_x__key(list[j], strlen(list[j]));
            dup = a && a == mn_x__key(norm, len);
        }
        if (!dup)
            memcpy(list[(*n)++], norm, k + 1);
    }
}

/* A Condition the patient has now: not resolved, not refuted. */
static bool condition_active(const json_t *c)
{
    json_t *cs = json_object_get(c, "clinicalStatus");
    json_t *vs = json_object_get(c, "verificationStatus");
    json_t *codings;
    bool active = cs == NULL;

    codings = json_object_get(cs, "coding");
    for (size_t i = 0; i < json_array_size(codings); i++) {
        const char *code = jstr(json_array_get(codings, i), "code");
        if (code && (!strcmp(code, "active") || !strcmp(code, "recurrence") ||
                     !strcmp(code, "relapse")))
            active = true;
    }
    codings = json_object_get(vs, "coding");
    for (size_t i = 0; i < json_array_size(codings); i++) {
        const char *code = jstr(json_array_get(codings, i), "code");
        if (code &&
            (!strcmp(code, "refuted") || !strcmp(code, "entered-in-error")))
            active = false;
    }
    return active;
}

/* ---- dates, places, states --------------------------------------------------
 */

/* The YYYY-MM-DD of a FHIR date or dateTime; false for partial dates. */
static bool day_of(char out[11], const char *s)
{
    int32_t d;

    if (!s || strlen(s) < 10 || !mn_x__parse_date(&d, s, 10, false))
        return false;
    memcpy(out, s, 10);
    out[10] = '\0';
    return true;
}

static bool occurrence(char out[11], const json_t *r)
{
    json_t *period = json_object_get(r, "occurrencePeriod");
    json_t *timing = json_object_get(r, "occurrenceTiming");

    if (day_of(out, jstr(r, "occurrenceDateTime")))
        return true;
    if (day_of(out, jstr(period, "start")))
        return true;
    if (day_of(out, json_string_value(
                        json_array_get(json_object_get(timing, "event"), 0))))
        return true;
    return false;
}

static const struct state_name {
    const char *code;
    const char *name;
} states[] = {
    {"AL", "Alabama"},
    {"AK", "Alaska"},
    {"AZ", "Arizona"},
    {"AR", "Arkansas"},
    {"CA", "California"},
    {"CO", "Colorado"},
    {"CT", "Connecticut"},
    {"DE", "Delaware"},
    {"DC", "District of Columbia"},
    {"FL", "Florida"},
    {"GA", "Georgia"},
    {"HI", "Hawaii"},
    {"ID", "Idaho"},
    {"IL", "Illinois"},
    {"IN", "Indiana"},
    {"IA", "Iowa"},
    {"KS", "Kansas"},
    {"KY", "Kentucky"},
    {"LA", "Louisiana"},
    {"ME", "Maine"},
    {"MD", "Maryland"},
    {"MA", "Massachusetts"},
    {"MI", "Michigan"},
    {"MN", "Minnesota"},
    {"MS", "Mississippi"},
    {"MO", "Missouri"},
    {"MT", "Montana"},
    {"NE", "Nebraska"},
    {"NV", "Nevada"},
    {"NH", "New Hampshire"},
    {"NJ", "New Jersey"},
    {"NM", "New Mexico"},
    {"NY", "New York"},
    {"NC", "North Carolina"},
    {"ND", "North Dakota"},
    {"OH", "Ohio"},
    {"OK", "Oklahoma"},
    {"OR", "Oregon"},
    {"PA", "Pennsylvania"},
    {"RI", "Rhode Island"},
    {"SC", "South Carolina"},
    {"SD", "South Dakota"},
    {"TN", "Tennessee"},
    {"TX", "Texas"},
    {"UT", "Utah"},
    {"VT", "Vermont"},
    {"VA", "Virginia"},
    {"WA", "Washington"},
    {"WV", "West Virginia"},
    {"WI", "Wisconsin"},
    {"WY", "Wyoming"},
    {"PR", "Puerto Rico"},
    {"VI", "Virgin Islands"},
    {"GU", "Guam"},
    {"AS", "American Samoa"},
    {"MP", "Northern Mariana Islands"},
};

/* The two-letter code of an Address.state ("NY", "ny", "New York"). */
static bool state_code(char out[3], const char *s)
{
    if (!s)
        return false;
    for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
        if (!mn_x__strcasecmp(s, states[i].code) ||
            !mn_x__strcasecmp(s, states[i].name)) {
            memcpy(out, states[i].code, 3);
            return true;
        }
    }
    return false;
}

/* The state of a resource's address: Location.address, or the first
 * address of a Patient, Practitioner or Organization (work addresses of
 * people first, home addresses of patients first). */
static bool address_state(char out[3], const json_t *r, bool home)
{
    json_t *a = json_object_get(r, "address");

    if (json_is_object(a))
        return state_code(out, jstr(a, "state"));
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < json_array_size(a); i++) {
            json_t *e = json_array_get(a, i);
            const char *use = jstr(e, "use");
            bool preferred = use && !strcmp(use, home ? "home" : "work");
            if ((pass == 0) != preferred)
                continue;
            if (use && (!strcmp(use, "old") || !strcmp(use, "billing")))
                continue;
            if (state_code(out, jstr(e, "state")))
                return true;
        }
    }
    return false;
}

/* The state of where a performer works. */
static bool performer_state(reader *rd, cds_order *o, json_t *p)
{
    const char *type = jstr(p, "resourceType");

    if (!type)
        return false;
    if (!strcmp(type, "PractitionerRole")) {
        json_t *locs = json_object_get(p, "location");
        for (size_t i = 0; i < json_array_size(locs); i++) {
            json_t *l = resolve(rd, p, json_array_get(locs, i));
            if (l && address_state(o->state, l, false)) {
                o->state_from = "PractitionerRole";
                return true;
            }
        }
        json_t *org = resolve(rd, p, json_object_get(p, "organization"));
        if (org && address_state(o->state, org, false)) {
            o->state_from = "PractitionerRole";
            return true;
        }
        json_t *pr = resolve(rd, p, json_object_get(p, "practitioner"));
        if (pr && address_state(o->state, pr, false)) {
            o->state_from = "PractitionerRole";
            return true;
        }
        return false;
    }
    if (!strcmp(type, "Practitioner") || !strcmp(type, "Organization") ||
        !strcmp(type, "Location")) {
        if (address_state(o->state, p, false)) {
            o->state_from = !strcmp(type, "Practitioner")   ? "Practitioner"
                            : !strcmp(type, "Organization") ? "Organization"
                                                            : "Location";
            return true;
        }
    }
    return false;
}

static bool pos_code(char out[3], const json_t *cc)
{
    json_t *codings = json_object_get(cc, "coding");

    for (size_t i = 0; i < json_array_size(codings); i++) {
        json_t *c = json_array_get(codings, i);
        const char *code = jstr(c, "code");
        if (!code || !system_is(jstr(c, "system"), pos_systems))
            continue;
        if (strlen(code) == 2 && mn_x__isdigit((unsigned char)code[0]) &&
            mn_x__isdigit((unsigned char)code[1])) {
            memcpy(out, code, 3);
            return true;
        }
        if (strlen(code) == 1 && mn_x__isdigit((unsigned char)code[0])) {
            out[0] = '0';
            out[1] = code[0];
            out[2] = '\0';
            return true;
        }
    }
    return false;
}

/* ---- the payer -------------------------------------------------------------
 */

static bool mentions(const char *s, const char *word)
{
    return s && mn_x__contains_ci(s, strlen(s), word);
}

static void read_coverage(reader *rd, cds_coverage *c, json_t *res)
{
    const char *id = jstr(res, "id");
    json_t *payor = json_array_get(json_object_get(res, "payor"), 0);
    json_t *org = resolve(rd, res, payor);
    const char *name = jstr(payor, "display");
    json_t *classes = json_object_get(res, "class");
    json_t *type = json_object_get(res, "type");
    bool medicare = false;
    bool medicaid = false;

    c->res = res;
    if (id && strlen(id) < 160)
        snprintf(c->ref, sizeof(c->ref), "Coverage/%s", id);
    if (!name && org)
        name = jstr(org, "name");
    /* what the coverage says of itself: payer, plan classes, type */
    medicare |= mentions(name, "medicare");
    medicaid |= mentions(name, "medicaid");
    for (size_t i = 0; i < json_array_size(classes); i++) {
        json_t *k = json_array_get(classes, i);
        medicare |= mentions(jstr(k, "value"), "medicare") ||
                    mentions(jstr(k, "name"), "medicare");
        medicaid |= mentions(jstr(k, "value"), "medicaid") ||
                    mentions(jstr(k, "name"), "medicaid");
    }
    medicare |= mentions(jstr(type, "text"), "medicare");
    medicaid |= mentions(jstr(type, "text"), "medicaid");
    for (size_t i = 0; i < json_array_size(json_object_get(type, "coding"));
         i++) {
        json_t *k = json_array_get(json_object_get(type, "coding"), i);
        medicare |= mentions(jstr(k, "display"), "medicare");
        medicaid |= mentions(jstr(k, "display"), "medicaid");
    }
    if (medicaid && !medicare) {
        snprintf(c->payer, sizeof(c->payer), "medicaid");
        snprintf(c->label, sizeof(c->label), "%s", name ? name : "Medicaid");
    } else if (medicare || !name) {
        /* no payer named: mednec's rules are Medicare's */
        snprintf(c->payer, sizeof(c->payer), "medicare");
        snprintf(c->label, sizeof(c->label), "%s", name ? name : "Medicare");
    } else {
        snprintf(c->payer, sizeof(c->payer), "%.63s", name);
        snprintf(c->label, sizeof(c->label), "%s", name);
    }
}

/* ---- the orders
 * --------------------------------------------------------------- */

static const char *const order_types[] = {
    "ServiceRequest",     "DeviceRequest",
    "MedicationRequest",  "NutritionOrder",
    "VisionPrescription", "CommunicationRequest",
    "Appointment",        NULL};

static bool order_code(reader *rd, cds_order *o)
{
    json_t *r = o->res;

    if (!strcmp(o->type, "ServiceRequest"))
        return procedure_code(o->code, json_object_get(r, "code"));
    if (!strcmp(o->type, "DeviceRequest")) {
        json_t *dev;
        if (procedure_code(o->code, json_object_get(r, "codeCodeableConcept")))
            return true;
        dev = resolve(rd, r, json_object_get(r, "codeReference"));
        return dev && procedure_code(o->code, json_object_get(dev, "type"));
    }
    if (!strcmp(o->type, "MedicationRequest")) {
        json_t *med;
        if (procedure_code(o->code,
                           json_object_get(r, "medicationCodeableConcept")))
            return true;
        med = resolve(rd, r, json_object_get(r, "medicationReference"));
        return med && procedure_code(o->code, json_object_get(med, "code"));
    }
    if (!strcmp(o->type, "Appointment")) {
        json_t *st = json_object_get(r, "serviceType");
        json_t *based = json_object_get(r, "basedOn");
        for (size_t i = 0; i < json_array_size(st); i++) {
            if (procedure_code(o->code, json_array_get(st, i)))
                return true;
        }
        for (size_t i = 0; i < json_array_size(based); i++) {
            json_t *sr = resolve(rd, r, json_array_get(based, i));
            if (sr && procedure_code(o->code, json_object_get(sr, "code")))
                return true;
        }
    }
    return false;
}

static void order_date(reader *rd, cds_order *o)
{
    json_t *r = o->res;
    const char *authored = jstr(r, "authoredOn");

    (void)rd;
    if (!strcmp(o->type, "Appointment")) {
        json_t *rp = json_array_get(json_object_get(r, "requestedPeriod"), 0);
        if (day_of(o->date, jstr(r, "start")) ||
            day_of(o->date, jstr(rp, "start"))) {
            o->date_from = MN_CDS_DATE_ORDER;
            return;
        }
        authored = jstr(r, "created");
    } else if (!strcmp(o->type, "MedicationRequest")) {
        json_t *vp = json_object_get(json_object_get(r, "dispenseRequest"),
                                     "validityPeriod");
        if (day_of(o->date, jstr(vp, "start"))) {
            o->date_from = MN_CDS_DATE_ORDER;
            return;
        }
    } else if (!strcmp(o->type, "NutritionOrder")) {
        authored = jstr(r, "dateTime");
    } else if (occurrence(o->date, r)) {
        o->date_from = MN_CDS_DATE_ORDER;
        return;
    }
    if (day_of(o->date, authored)) {
        o->date_from = MN_CDS_DATE_AUTHORED;
        return;
    }
    memcpy(o->date, rd->req->today, 11);
    o->date_from = MN_CDS_DATE_TODAY;
}

static void order_units(cds_order *o)
{
    json_t *q = json_object_get(o->res, "quantityQuantity");
    json_t *v = json_object_get(q, "value");
    double d = json_is_number(v) ? json_number_value(v) : 0;

    o->units = 1;
    if (!strcmp(o->type, "ServiceRequest") && d >= 1 && d <= 9999 &&
        d == (double)(unsigned)d)
        o->units = (unsigned)d;
}

/* Where the service is performed: the order's location, else its
 * performer's; a DMEPOS order goes by the beneficiary's address. */
static void order_state(reader *rd, cds_order *o)
{
    json_t *r = o->res;
    json_t *locs = json_object_get(r, "locationReference");
    json_t *perf = json_object_get(r, "performer");

    if (o->dme) {
        if (rd->patient_state[0]) {
            memcpy(o->state, rd->patient_state, 3);
            o->state_from = "Patient";
        }
        return;
    }
    if (!strcmp(o->type, "Appointment")) {
        json_t *parts = json_object_get(r, "participant");
        /* a Location among the participants first, then the others */
        for (int pass = 0; pass < 2; pass++) {
            for (size_t i = 0; i < json_array_size(parts); i++) {
                json_t *a = resolve(
                    rd, r, json_object_get(json_array_get(parts, i), "actor"));
                if (!a || is_type(a, "Patient") ||
                    (pass == 0) != is_type(a, "Location"))
                    continue;
                if (performer_state(rd, o, a))
                    return;
            }
        }
        return;
    }
    for (size_t i = 0; i < json_array_size(locs); i++) {
        json_t *l = resolve(rd, r, json_array_get(locs, i));
        if (l && address_state(o->state, l, false)) {
            o->state_from = "Location";
            return;
        }
    }
    if (json_is_object(perf)) {
        json_t *p = resolve(rd, r, perf);
        if (p && performer_state(rd, o, p))
            return;
    }
    for (size_t i = 0; i < json_array_size(perf); i++) {
        json_t *p = resolve(rd, r, json_array_get(perf, i));
        if (p && performer_state(rd, o, p))
            return;
    }
}

static void order_pos(reader *rd, cds_order *o)
{
    json_t *r = o->res;
    json_t *codes = json_object_get(r, "locationCode");
    json_t *locs = json_object_get(r, "locationReference");

    for (size_t i = 0; i < json_array_size(codes); i++) {
        if (pos_code(o->pos, json_array_get(codes, i)))
            return;
    }
    for (size_t i = 0; i < json_array_size(locs); i++) {
        json_t *l = resolve(rd, r, json_array_get(locs, i));
        json_t *types = json_object_get(l, "type");
        for (size_t k = 0; k < json_array_size(types); k++) {
            if (pos_code(o->pos, json_array_get(types, k)))
                return;
        }
    }
}

static void order_dx(reader *rd, cds_order *o)
{
    json_t *r = o->res;
    json_t *codes = json_object_get(r, "reasonCode");
    json_t *refs = json_object_get(r, "reasonReference");

    for (size_t i = 0; i < json_array_size(codes); i++)
        icd_codes(o->dx, &o->n_dx, CDS_MAX_DX, json_array_get(codes, i));
    for (size_t i = 0; i < json_array_size(refs); i++) {
        json_t *c = resolve(rd, r, json_array_get(refs, i));
        if (c && is_type(c, "Condition"))
            icd_codes(o->dx, &o->n_dx, CDS_MAX_DX, json_object_get(c, "code"));
    }
    o->reasons = o->n_dx > 0;
    /* then the patient's active conditions */
    for (size_t i = 0; i < rd->n_cond && o->n_dx < CDS_MAX_DX; i++) {
        bool dup = false;
        mn_key k = mn_x__key(rd->cond[i], strlen(rd->cond[i]));
        for (size_t j = 0; j < o->n_dx && !dup; j++)
            dup = mn_x__key(o->dx[j], strlen(o->dx[j])) == k;
        if (!dup)
            memcpy(o->dx[o->n_dx++], rd->cond[i], 9);
    }
    for (size_t i = 0; i < o->n_dx; i++)
        o->dx_ptr[i] = o->dx[i];
}

static int order_coverage(reader *rd, cds_order *o)
{
    json_t *ins = json_object_get(o->res, "insurance");

    for (size_t i = 0; i < json_array_size(ins); i++) {
        json_t *c = resolve(rd, o->res, json_array_get(ins, i));
        for (size_t k = 0; c && k < rd->req->n_cov; k++) {
            if (rd->req->cov[k].res == c)
                return (int)k;
        }
    }
    /* the first active coverage */
    for (size_t k = 0; k < rd->req->n_cov; k++) {
        const char *st = jstr(rd->req->cov[k].res, "status");
        if (!st || !strcmp(st, "active"))
            return (int)k;
    }
    return rd->req->n_cov ? 0 : -1;
}

static int read_order(reader *rd, json_t *r, const char *where)
{
    mn_cds_request *req = rd->req;
    cds_order *o;

    if (req->n_orders == MAX_ORDERS) {
        int rc =
            mn_x__err(rd->err, MN_ELIMIT, "more than %d orders", MAX_ORDERS);
        mn_x__err_at(rd->err, where, 0, 0);
        return rc;
    }
    o = &req->orders[req->n_orders];
    memset(o, 0, sizeof(*o));
    o->res = r;
    o->type = jstr(r, "resourceType");
    o->id = jstr(r, "id");
    o->claim = SIZE_MAX;
    if (o->id && strlen(o->id) < 128)
        snprintf(o->ref, sizeof(o->ref), "%s/%s", o->type, o->id);
    if (json_object_get(r, "code") &&
        !json_is_object(json_object_get(r, "code")))
        return fail(rd, where, "code must be a CodeableConcept%s", NULL);
    if (json_object_get(r, "reasonCode") &&
        !json_is_array(json_object_get(r, "reasonCode")))
        return fail(rd, where, "reasonCode must be an array%s", NULL);
    o->dme = !strcmp(o->type, "DeviceRequest");
    if (!order_code(rd, o))
        o->unmapped = "the order has no CPT or HCPCS code";
    order_date(rd, o);
    order_units(o);
    order_state(rd, o);
    order_pos(rd, o);
    order_dx(rd, o);
    o->coverage = order_coverage(rd, o);
    req->n_orders++;
    return MN_OK;
}

/* ---- the patient
 * --------------------------------------------------------------- */

static void read_patient(reader *rd)
{
    const char *pid = jstr(rd->context, "patientId");
    json_t *p = json_object_get(rd->prefetch, "patient");
    const char *g;

    if (!is_type(p, "Patient")) {
        p = NULL;
        for (size_t i = 0; i < rd->n_res && !p; i++) {
            const char *id = jstr(rd->res[i], "id");
            if (is_type(rd->res[i], "Patient") &&
                (!pid || (id && !strcmp(id, pid))))
                p = rd->res[i];
        }
    }
    rd->patient = p;
    if (!p)
        return;
    if (!day_of(rd->birth_date, jstr(p, "birthDate")) ||
        strlen(jstr(p, "birthDate")) != 10)
        rd->birth_date[0] = '\0';
    g = jstr(p, "gender");
    rd->sex = !g                      ? 0
              : !strcmp(g, "male")    ? 'M'
              : !strcmp(g, "female")  ? 'F'
              : !strcmp(g, "unknown") ? 'U'
                                      : 'U';
    address_state(rd->patient_state, p, true);
}

static void read_conditions(reader *rd)
{
    for (size_t i = 0; i < rd->n_res; i++) {
        json_t *c = rd->res[i];
        if (!is_type(c, "Condition") || !condition_active(c))
            continue;
        icd_codes(rd->cond, &rd->n_cond, CDS_MAX_DX,
                  json_object_get(c, "code"));
    }
}

/* ---- claims
 * ------------------------------------------------------------------------ */

/* The diagnoses put on one claim so far (a claim holds at most 99). */
typedef struct claim_dx {
    mn_key key[99];
    size_t n;
} claim_dx;

static int build_claims(reader *rd)
{
    mn_cds_request *req = rd->req;
    mn_error *err = rd->err;
    claim_dx *cdx = NULL;
    int rc = MN_OK;

    req->claims =
        mn_x__calloc(req->n_orders ? req->n_orders : 1, sizeof(*req->claims));
    cdx = mn_x__calloc(req->n_orders ? req->n_orders : 1, sizeof(*cdx));
    if (!req->claims || !cdx) {
        mn_x__free(cdx);
        return mn_x__err(err, MN_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < req->n_orders && rc == MN_OK; i++) {
        cds_order *o = &req->orders[i];
        mn_claim *c = NULL;
        size_t ci = SIZE_MAX;
        int line;
        const cds_coverage *cov =
            o->coverage >= 0 ? &req->cov[o->coverage] : NULL;

        if (o->unmapped)
            continue;
        /* the claim of the same coverage, state and claim type */
        for (size_t k = 0; k < i && ci == SIZE_MAX; k++) {
            const cds_order *p = &req->orders[k];
            if (p->claim != SIZE_MAX && p->coverage == o->coverage &&
                p->dme == o->dme && !strcmp(p->state, o->state))
                ci = p->claim;
        }
        if (ci == SIZE_MAX) {
            ci = req->n_claims;
            if ((rc = mn_claim_new(&c, NULL, err)))
                break;
            req->claims[req->n_claims++] = c;
            if (o->dme)
                rc = mn_claim_set_claim_type(c, "dme", 3, err);
            if (rc == MN_OK && cov)
                rc = mn_claim_set_payer(c, cov->payer, strlen(cov->payer), err);
            if (rc == MN_OK && o->state[0])
                rc = mn_claim_set_jurisdiction(c, o->state, 2, err);
            /* an impossible birth date leaves the age unknown */
            if (rc == MN_OK && rd->birth_date[0])
                (void)mn_claim_set_birth_date(c, rd->birth_date, 10, NULL);
            if (rc == MN_OK && rd->sex)
                rc = mn_claim_set_sex(c, rd->sex, err);
            if (rc)
                break;
        }
        c = req->claims[ci];
        line = mn_claim_add_line(c, o->code, strlen(o->code), o->units, o->date,
                                 10, err);
        if (line < 0) {
            rc = line;
            break;
        }
        o->claim = ci;
        o->line = (size_t)line;
        if (o->pos[0])
            rc = mn_claim_line_set_place_of_service(c, o->line, o->pos, 2, err);
        /* the order's diagnoses on the claim (once), pointed by its line */
        for (size_t d = 0; d < o->n_dx && rc == MN_OK; d++) {
            mn_key k = mn_x__key(o->dx[d], strlen(o->dx[d]));
            size_t at = 0;
            while (at < cdx[ci].n && cdx[ci].key[at] != k)
                at++;
            if (at == cdx[ci].n) {
                if (cdx[ci].n == 99)
                    continue;
                rc = mn_claim_add_diagnosis(c, o->dx[d], strlen(o->dx[d]), err);
                if (rc)
                    break;
                cdx[ci].key[cdx[ci].n++] = k;
            }
            rc = mn_claim_line_add_pointer(c, o->line, (unsigned)(at + 1), err);
        }
    }
    mn_x__free(cdx);
    return rc;
}

/* ---- the request
 * ---------------------------------------------------------------------- */

void mn_cds_request_free(mn_cds_request *req)
{
    if (!req)
        return;
    for (size_t i = 0; i < req->n_claims; i++)
        mn_claim_free(req->claims[i]);
    mn_x__free(req->claims);
    mn_x__free(req->orders);
    mn_x__free(req->cov);
    json_decref(req->doc);
    mn_x__free(req);
}

static void today_utc(char out[11])
{
    time_t now = time(NULL);
    int32_t days = (int32_t)(now / 86400);
    mn_x__format_date(out, days);
}

static int read_orders(reader *rd, const char *field, const char *selections)
{
    json_t *bundle = json_object_get(rd->context, field);
    json_t *entries;
    json_t *sel = selections ? json_object_get(rd->context, selections) : NULL;
    char where[96];
    int rc;

    snprintf(where, sizeof(where), "context.%s", field);
    if (!is_type(bundle, "Bundle"))
        return fail(rd, where, "the hook's orders: expected a Bundle%s", NULL);
    entries = json_object_get(bundle, "entry");
    if (entries && !json_is_array(entries))
        return fail(rd, where, "Bundle.entry must be an array%s", NULL);
    if (sel && !json_is_array(sel))
        return fail(rd, "context.selections", "expected an array%s", NULL);
    rd->req->orders =
        mn_x__calloc(json_array_size(entries) ? json_array_size(entries) : 1,
                     sizeof(cds_order));
    if (!rd->req->orders)
        return mn_x__err(rd->err, MN_ENOMEM, "out of memory");
    for (size_t i = 0; i < json_array_size(entries); i++) {
        json_t *r = json_object_get(json_array_get(entries, i), "resource");
        const char *type = jstr(r, "resourceType");
        char path[128];
        bool selected = !sel || json_array_size(sel) == 0;

        snprintf(path, sizeof(path), "context.%s.entry[%zu].resource", field,
                 i);
        if (!json_is_object(r) || !type)
            return fail(rd, path, "expected a FHIR resource%s", NULL);
        if (!system_is(type, order_types))
            continue;
        /* order-select: only the orders just selected */
        for (size_t k = 0; sel && k < json_array_size(sel); k++) {
            const char *s = json_string_value(json_array_get(sel, k));
            const char *id = jstr(r, "id");
            if (s && id && ref_names(s, type, id))
                selected = true;
        }
        if (!selected)
            continue;
        if ((rc = read_order(rd, r, path)))
            return rc;
    }
    return MN_OK;
}

int mn_cds_parse(mn_cds_request **out, const char *service_id, const char *json,
                 size_t len, const mn_cds_options *opts, mn_error *err)
{
    mn_cds_request *req = NULL;
    reader rd;
    json_error_t je;
    const char *hook;
    const char *want;
    const char *inst;
    size_t max = opts && opts->max_input ? opts->max_input : MAX_INPUT;
    int rc = MN_OK;

    memset(&rd, 0, sizeof(rd));
    if (out)
        *out = NULL;
    if (!out || (!json && len))
        return mn_x__err(err, MN_EINVAL, "no output or input");
    if (opts && opts->version != MN_CDS_OPTIONS_VERSION)
        return mn_x__err(err, MN_EINVAL, "unknown options version %u",
                         opts->version);
    if (!(want = mn_cds_service_hook(service_id)))
        return mn_x__err(err, MN_ENOTFOUND, "no such CDS service");
    if (len > max)
        return mn_x__err(err, MN_ELIMIT, "request larger than %zu bytes", max);
    if (!(req = mn_x__calloc(1, sizeof(*req))))
        return mn_x__err(err, MN_ENOMEM, "out of memory");
    req->service_id = mn_x__cds_service_id(service_id);
    rd.req = req;
    rd.err = err;
    if (opts && opts->today) {
        int32_t d;
        if (!mn_x__parse_date(&d, opts->today, strlen(opts->today), false)) {
            rc = mn_x__err(err, MN_EINVAL, "today is not a valid date");
            goto done;
        }
        memcpy(req->today, opts->today, 10);
    } else {
        today_utc(req->today);
    }
    req->doc = json_loadb(json ? json : "", len, JSON_REJECT_DUPLICATES, &je);
    if (!req->doc) {
        rc = mn_x__err(err, MN_EINVAL, "%s", je.text);
        mn_x__err_at(err, NULL, (size_t)(je.line > 0 ? je.line : 1),
                     (size_t)(je.column > 0 ? je.column : 1));
        goto done;
    }
    if (!json_is_object(req->doc)) {
        rc =
            fail(&rd, NULL, "expected a CDS Hooks request (an object)%s", NULL);
        goto done;
    }
    hook = jstr(req->doc, "hook");
    inst = jstr(req->doc, "hookInstance");
    rd.context = json_object_get(req->doc, "context");
    rd.prefetch = json_object_get(req->doc, "prefetch");
    if (!hook) {
        rc = fail(&rd, "hook", "hook (a string) is required%s", NULL);
        goto done;
    }
    if (strcmp(hook, want) != 0) {
        rc = fail(&rd, "hook", "this service answers the %s hook", want);
        goto done;
    }
    if (!inst || !inst[0] || strlen(inst) >= sizeof(req->hook_instance)) {
        rc = fail(&rd, "hookInstance",
                  "hookInstance (a string of at most 127 bytes) is "
                  "required%s",
                  NULL);
        goto done;
    }
    snprintf(req->hook, sizeof(req->hook), "%s", hook);
    snprintf(req->hook_instance, sizeof(req->hook_instance), "%s", inst);
    if (!json_is_object(rd.context)) {
        rc = fail(&rd, "context", "context (an object) is required%s", NULL);
        goto done;
    }
    if (rd.prefetch && !json_is_object(rd.prefetch)) {
        rc = fail(&rd, "prefetch", "prefetch must be an object%s", NULL);
        goto done;
    }
    /* every resource the request carries, for references */
    {
        const char *field = strcmp(want, "appointment-book") == 0
                                ? "appointments"
                                : "draftOrders";
        json_t *orders = json_object_get(rd.context, field);
        const char *key;
        json_t *v;
        if (is_type(orders, "Bundle") &&
            (rc = add_value(&rd, orders, "context.draftOrders")))
            goto done;
        json_object_foreach(rd.prefetch, key, v)
        {
            char where[96];
            snprintf(where, sizeof(where), "prefetch.%.80s", key);
            if ((rc = add_value(&rd, v, where)))
                goto done;
        }
        read_patient(&rd);
        read_conditions(&rd);
        /* the coverages */
        req->cov = mn_x__calloc(rd.n_res ? rd.n_res : 1, sizeof(*req->cov));
        if (!req->cov) {
            rc = mn_x__err(err, MN_ENOMEM, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < rd.n_res; i++) {
            if (is_type(rd.res[i], "Coverage"))
                read_coverage(&rd, &req->cov[req->n_cov++], rd.res[i]);
        }
        rc = read_orders(&rd, field,
                         !strcmp(want, "order-select") ? "selections" : NULL);
        if (rc)
            goto done;
    }
    if ((rc = build_claims(&rd)))
        goto done;
    /* nothing to judge necessity on, and no way to fetch it */
    if (!rd.prefetch) {
        bool any = false;
        for (size_t i = 0; i < req->n_orders; i++)
            any |= req->orders[i].reasons != 0;
        if (!any && req->n_orders)
            req->missing = "the request has no prefetch and no order gives an "
                           "ICD-10-CM reason; this service does not query the "
                           "FHIR server: send the prefetch (patient, "
                           "coverage, conditions)";
    }
done:
    mn_x__free(rd.res);
    mn_x__free(rd.full_url);
    if (rc) {
        mn_cds_request_free(req);
        return rc;
    }
    *out = req;
    return MN_OK;
}

const char *mn_cds_request_hook(const mn_cds_request *req)
{
    return req ? req->hook : NULL;
}

const char *mn_cds_request_missing(const mn_cds_request *req)
{
    return req ? req->missing : NULL;
}

size_t mn_cds_order_count(const mn_cds_request *req)
{
    return req ? req->n_orders : 0;
}

int mn_cds_order(mn_cds_order_info *out, const mn_cds_request *req, size_t i,
                 mn_error *err)
{
    const cds_order *o;
    const cds_coverage *cov;

    if (!out || !req || i >= req->n_orders)
        return mn_x__err(err, MN_EINVAL, "no such order");
    if (out->version != MN_CDS_ORDER_INFO_VERSION)
        return mn_x__err(err, MN_EINVAL, "unknown order info version %u",
                         out->version);
    o = &req->orders[i];
    cov = o->coverage >= 0 ? &req->cov[o->coverage] : NULL;
    out->resource_type = o->type;
    out->id = o->id;
    out->code = o->code[0] ? o->code : NULL;
    out->unmapped = o->unmapped;
    out->date = o->date;
    out->date_from = o->date_from;
    out->units = o->units;
    out->state = o->state[0] ? o->state : NULL;
    out->state_from = o->state[0] ? o->state_from : NULL;
    out->place_of_service = o->pos[0] ? o->pos : NULL;
    out->claim_type = o->dme ? "dme" : "professional";
    out->payer = cov ? cov->payer : "medicare";
    out->coverage = cov && cov->ref[0] ? cov->ref : NULL;
    out->n_diagnoses = o->n_dx;
    out->diagnoses = o->dx_ptr;
    return MN_OK;
}
