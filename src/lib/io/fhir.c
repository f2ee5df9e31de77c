/*
 * io/fhir.c: FHIR R4 Claim in (mednec/fhir.h).
 *
 * A Claim is read with jansson and its elements handed to the claim
 * setters; references (patient, provider, care team, facility, coverage)
 * are resolved among the Claim's contained resources and, in a Bundle,
 * among its entries by fullUrl or "Type/id". An error names the FHIR path
 * of the element ("Claim.item[1].servicedDate") and never quotes a value
 * of the patient.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "claim/claim_int.h"
#include "mednec/fhir.h"

#define DEF_MAX_LINE ((size_t)4 << 20)
#define DEF_MAX_DOC ((size_t)256 << 20)
#define MAX_DX_SEQ 1000 /* diagnosis sequence numbers mapped */

enum { M_UNKNOWN, M_NDJSON, M_DOCUMENT };

struct mn_fhir {
    mn_fhir_options o;
    mn_vec buf; /* the line being read, or the whole document */
    int mode;
    size_t line;
    mn_fhir_stats st;
    int rc;
};

/* What a Claim is read in: its Bundle (or NULL) and the Claim itself. */
typedef struct ctx {
    const json_t *bundle;
    const json_t *claim;
    const mn_claim_options *copts;
} ctx;

static int fail(mn_error *err, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(mn_error *err, const char *where, const char *fmt, ...)
{
    va_list ap;

    mn_error_clear(err);
    if (!err)
        return MN_EINVAL;
    err->code = MN_EINVAL;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    snprintf(err->where, sizeof(err->where), "%s", where);
    return MN_EINVAL;
}

/* A setter failed: its message, at the FHIR path. */
static int setter(int rc, mn_error *err, const char *where)
{
    if (rc && rc != MN_ENOMEM && err)
        snprintf(err->where, sizeof(err->where), "%s", where);
    return rc;
}

static const char *str(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static size_t slen(const char *s)
{
    return s ? strlen(s) : 0;
}

/* ------------------------------------------------------------------ */
/* References                                                          */
/* ------------------------------------------------------------------ */

/* True when `ref` ("Patient/p1", ".../Patient/p1") names `res`. */
static bool names(const char *ref, const json_t *res)
{
    const char *type = str(res, "resourceType");
    const char *id = str(res, "id");
    size_t rl;
    size_t tl;
    size_t il;

    if (!type || !id)
        return false;
    rl = strlen(ref);
    tl = strlen(type);
    il = strlen(id);
    if (rl < tl + 1 + il)
        return false;
    if (strcmp(ref + rl - il, id) != 0 || ref[rl - il - 1] != '/' ||
        memcmp(ref + rl - il - 1 - tl, type, tl) != 0)
        return false;
    return rl == tl + 1 + il || ref[rl - il - 2 - tl] == '/';
}

/* The resource a Reference points to: contained ("#id"), or an entry of
 * the Bundle (fullUrl, or Type/id); NULL when it is not there. */
static const json_t *resolve(const ctx *c, const json_t *reference)
{
    const char *ref = str(reference, "reference");
    size_t i;
    const json_t *v;

    if (!ref || !ref[0])
        return NULL;
    if (ref[0] == '#') {
        json_array_foreach(json_object_get(c->claim, "contained"), i, v)
        {
            const char *id = str(v, "id");
            if (id && strcmp(id, ref + 1) == 0)
                return v;
        }
        return NULL;
    }
    json_array_foreach(json_object_get(c->bundle, "entry"), i, v)
    {
        const json_t *res = json_object_get(v, "resource");
        const char *full = str(v, "fullUrl");
        if ((full && strcmp(full, ref) == 0) || (res && names(ref, res)))
            return res;
    }
    return NULL;
}

/* An NPI from an identifier (system us-npi, or any value when the system
 * is absent) of a Reference or of the resource it points to. */
static const char *npi_of(const ctx *c, const json_t *reference)
{
    const json_t *ident = json_object_get(reference, "identifier");
    const json_t *res;
    size_t i;
    const json_t *v;

    if (json_is_object(ident) && str(ident, "value"))
        return str(ident, "value");
    res = resolve(c, reference);
    json_array_foreach(json_object_get(res, "identifier"), i, v)
    {
        const char *sys = str(v, "system");
        if (str(v, "value") && (!sys || strcmp(sys, MN_FHIR_NPI) == 0))
            return str(v, "value");
    }
    return NULL;
}

/* The first coding of a CodeableConcept whose system is `sys` (NULL:
 * any), or NULL. */
static const json_t *coding(const json_t *cc, const char *sys)
{
    size_t i;
    const json_t *v;

    json_array_foreach(json_object_get(cc, "coding"), i, v)
    {
        const char *s = str(v, "system");
        if (str(v, "code") && (!sys || (s && strcmp(s, sys) == 0)))
            return v;
    }
    return NULL;
}

/* "2025-03-02" or the date part of a dateTime. */
static bool date_part(const char *s, const char **out, size_t *n)
{
    if (!s || strlen(s) < 10)
        return false;
    *out = s;
    *n = 10;
    return true;
}

/* ------------------------------------------------------------------ */
/* Claim                                                               */
/* ------------------------------------------------------------------ */

static int set_payer(const ctx *c, mn_claim *cl, mn_error *err)
{
    const char *name = str(json_object_get(c->claim, "insurer"), "display");
    size_t i;
    const json_t *v;
    char up[128];
    size_t n = 0;

    if (!name) {
        /* the focal coverage's payor */
        json_array_foreach(json_object_get(c->claim, "insurance"), i, v)
        {
            const json_t *cov = resolve(c, json_object_get(v, "coverage"));
            const json_t *payor =
                json_array_get(json_object_get(cov, "payor"), 0);
            if (!name && payor)
                name = str(payor, "display");
        }
    }
    if (!name)
        return MN_OK; /* the contract's default: medicare */
    for (n = 0; name[n] && n + 1 < sizeof(up); n++)
        up[n] = (char)mn_x__toupper((unsigned char)name[n]);
    up[n] = '\0';
    if (strstr(up, "MEDICARE"))
        name = "medicare";
    else if (strstr(up, "MEDICAID"))
        name = "medicaid";
    return setter(mn_claim_set_payer(cl, name, strlen(name), err), err,
                  "Claim.insurer");
}

static int set_patient(const ctx *c, mn_claim *cl, char *pref, size_t pref_sz,
                       mn_error *err)
{
    const json_t *p = json_object_get(c->claim, "patient");
    const char *ref = str(p, "reference");
    const json_t *res = resolve(c, p);
    const char *id = NULL;
    const char *dob;
    const char *gender;
    int rc = MN_OK;

    if (!json_is_object(p))
        return fail(err, "Claim.patient", "missing (a Reference is required)");
    if (ref) {
        const char *slash = strrchr(ref, '/');
        snprintf(pref, pref_sz, "%s", ref);
        id = slash ? slash + 1 : ref[0] == '#' ? NULL : ref;
    }
    /* the resource's own id, when the reference finds it (a fullUrl such
       as urn:uuid:... names the same patient as Patient/id) */
    if (res && str(res, "id"))
        id = str(res, "id");
    if (!id && json_is_object(json_object_get(p, "identifier")))
        id = str(json_object_get(p, "identifier"), "value");
    if (id && id[0])
        rc = setter(mn_claim_set_patient_id(cl, id, strlen(id), err), err,
                    "Claim.patient");
    dob = str(res, "birthDate");
    if (rc == MN_OK && dob)
        rc = setter(mn_claim_set_birth_date(cl, dob, strlen(dob), err), err,
                    "Patient.birthDate");
    gender = str(res, "gender");
    if (rc == MN_OK && gender) {
        char sex = strcmp(gender, "female") == 0 ? 'F'
                   : strcmp(gender, "male") == 0 ? 'M'
                                                 : 'U';
        rc = setter(mn_claim_set_sex(cl, sex, err), err, "Patient.gender");
    }
    return rc;
}

/* The care team member of `seq`, its provider's NPI. */
static const char *care_team_npi(const ctx *c, long long seq)
{
    size_t i;
    const json_t *v;

    json_array_foreach(json_object_get(c->claim, "careTeam"), i, v)
    {
        const json_t *s = json_object_get(v, "sequence");
        if (json_is_integer(s) && json_integer_value(s) == seq)
            return npi_of(c, json_object_get(v, "provider"));
    }
    return NULL;
}

/* The claim's provider: the care team's primary member (who performed
 * the services), else Claim.provider (who bills). */
static int set_provider(const ctx *c, mn_claim *cl, mn_error *err)
{
    const char *npi = NULL;
    size_t i;
    const json_t *v;

    json_array_foreach(json_object_get(c->claim, "careTeam"), i, v)
    {
        const json_t *role = coding(json_object_get(v, "role"), NULL);
        if (!npi && role && strcmp(str(role, "code"), "primary") == 0)
            npi = npi_of(c, json_object_get(v, "provider"));
    }
    if (!npi)
        npi = npi_of(c, json_object_get(c->claim, "provider"));
    if (!npi)
        return MN_OK;
    return setter(mn_claim_set_provider(cl, npi, strlen(npi), err), err,
                  "Claim.provider");
}

/* Where the services were performed: the facility's state, else the first
 * item's locationAddress. Unknown states are left alone. */
static void set_jurisdiction(const ctx *c, mn_claim *cl)
{
    const json_t *loc = resolve(c, json_object_get(c->claim, "facility"));
    const char *state = str(json_object_get(loc, "address"), "state");
    mn_error err;

    if (!state) {
        const json_t *item =
            json_array_get(json_object_get(c->claim, "item"), 0);
        state = str(json_object_get(item, "locationAddress"), "state");
    }
    if (state)
        (void)mn_claim_set_jurisdiction(cl, state, strlen(state), &err);
}

static int add_diagnoses(const ctx *c, mn_claim *cl, unsigned short *seq_map,
                         mn_error *err)
{
    size_t i;
    const json_t *v;
    int rc = MN_OK;
    char where[96];

    json_array_foreach(json_object_get(c->claim, "diagnosis"), i, v)
    {
        const json_t *cc = json_object_get(v, "diagnosisCodeableConcept");
        const json_t *seq = json_object_get(v, "sequence");
        const json_t *cd;
        const char *code;
        snprintf(where, sizeof(where),
                 "Claim.diagnosis[%zu].diagnosisCodeableConcept", i);
        if (!json_is_object(cc)) {
            rc = fail(err, where,
                      "missing (a diagnosisReference is not read: give the "
                      "code)");
            break;
        }
        if ((cd = coding(cc, MN_FHIR_ICD10CM)) != NULL) {
            code = str(cd, "code");
            rc = mn_claim_add_diagnosis(cl, code, strlen(code), err);
        } else if ((cd = coding(cc, MN_FHIR_ICD9CM)) != NULL) {
            code = str(cd, "code");
            rc = mn_claim_add_diagnosis_icd9(cl, code, strlen(code), err);
        } else {
            rc = fail(err, where,
                      "no coding with system " MN_FHIR_ICD10CM " (or "
                      "icd-9-cm)");
        }
        rc = setter(rc, err, where);
        if (rc)
            break;
        if (json_is_integer(seq) && json_integer_value(seq) > 0 &&
            json_integer_value(seq) < MAX_DX_SEQ)
            seq_map[json_integer_value(seq)] = (unsigned short)cl->n_dx;
    }
    return rc;
}

static int add_item(const ctx *c, mn_claim *cl, const json_t *it, size_t i,
                    const unsigned short *seq_map, mn_error *err)
{
    char where[128];
    const json_t *cd;
    const char *code;
    const char *date = NULL;
    size_t dlen = 0;
    unsigned units = 1;
    const json_t *q;
    int idx;
    int rc = MN_OK;
    size_t k;
    const json_t *v;

    snprintf(where, sizeof(where), "Claim.item[%zu].productOrService", i);
    cd = coding(json_object_get(it, "productOrService"), MN_FHIR_HCPCS);
    if (!cd)
        cd = coding(json_object_get(it, "productOrService"), MN_FHIR_CPT);
    if (!cd)
        cd = coding(json_object_get(it, "productOrService"),
                    "urn:oid:2.16.840.1.113883.6.285");
    if (!cd)
        return fail(err, where,
                    "no coding with the CPT or HCPCS system (" MN_FHIR_CPT
                    ", " MN_FHIR_HCPCS ")");
    code = str(cd, "code");
    snprintf(where, sizeof(where), "Claim.item[%zu]", i);
    if (!date_part(str(it, "servicedDate"), &date, &dlen))
        date_part(str(json_object_get(it, "servicedPeriod"), "start"), &date,
                  &dlen);
    q = json_object_get(json_object_get(it, "quantity"), "value");
    if (json_is_number(q)) {
        double d = json_number_value(q);
        if (!(d > 0 && d <= 9999))
            return fail(err, where, "quantity.value: expected 1 to 9999");
        units = (unsigned)d;
        if ((double)units < d)
            units++; /* a part of a unit counts as one */
    }
    idx = mn_claim_add_line(cl, code, strlen(code), units, date, dlen, err);
    if (idx < 0) {
        snprintf(where, sizeof(where), "Claim.item[%zu]%s", i,
                 err && strstr(err->where, ".date") ? ".servicedDate"
                                                    : ".productOrService");
        return setter(idx, err, where);
    }
    if (!date && cl->date != MN_NODATE)
        cl->lines[idx].date = cl->date;
    else if (!date)
        return fail(err, where,
                    "servicedDate: missing (and no Claim.billablePeriod)");
    v = json_object_get(it, "sequence");
    if (json_is_integer(v)) {
        snprintf(where, sizeof(where), "Claim.item[%zu].sequence", i);
        rc = setter(mn_claim_line_set_number(
                        cl, (size_t)idx, (unsigned)json_integer_value(v), err),
                    err, where);
    }
    json_array_foreach(json_object_get(it, "modifier"), k, v)
    {
        const json_t *m = coding(v, NULL);
        snprintf(where, sizeof(where), "Claim.item[%zu].modifier[%zu]", i, k);
        if (rc == MN_OK && m)
            rc = setter(mn_claim_line_add_modifier(cl, (size_t)idx,
                                                   str(m, "code"),
                                                   slen(str(m, "code")), err),
                        err, where);
    }
    json_array_foreach(json_object_get(it, "diagnosisSequence"), k, v)
    {
        long long s = json_is_integer(v) ? json_integer_value(v) : -1;
        snprintf(where, sizeof(where), "Claim.item[%zu].diagnosisSequence[%zu]",
                 i, k);
        if (rc)
            break;
        if (s < 1 || s >= MAX_DX_SEQ || !seq_map[s])
            rc = fail(err, where, "not the sequence of a Claim.diagnosis");
        else
            rc = setter(
                mn_claim_line_add_pointer(cl, (size_t)idx, seq_map[s], err),
                err, where);
    }
    cd = coding(json_object_get(it, "locationCodeableConcept"), NULL);
    if (rc == MN_OK && cd) {
        snprintf(where, sizeof(where),
                 "Claim.item[%zu].locationCodeableConcept", i);
        rc = setter(
            mn_claim_line_set_place_of_service(cl, (size_t)idx, str(cd, "code"),
                                               slen(str(cd, "code")), err),
            err, where);
    }
    cd = coding(json_object_get(it, "revenue"), NULL);
    if (rc == MN_OK && cd) {
        snprintf(where, sizeof(where), "Claim.item[%zu].revenue", i);
        rc = setter(mn_claim_line_set_revenue_code(cl, (size_t)idx,
                                                   str(cd, "code"),
                                                   slen(str(cd, "code")), err),
                    err, where);
    }
    v = json_object_get(json_object_get(it, "net"), "value");
    if (rc == MN_OK && json_is_number(v)) {
        double d = json_number_value(v);
        snprintf(where, sizeof(where), "Claim.item[%zu].net", i);
        if (!(d >= 0 && d <= 99999999.99))
            rc = fail(err, where, "expected an amount from 0 to 99999999.99");
        else
            rc = setter(mn_claim_line_set_amounts(cl, (size_t)idx,
                                                  (int64_t)(d * 100.0 + 0.5),
                                                  MN_NO_AMOUNT, err),
                        err, where);
    }
    v = json_array_get(json_object_get(it, "careTeamSequence"), 0);
    if (rc == MN_OK && json_is_integer(v)) {
        const char *npi = care_team_npi(c, json_integer_value(v));
        snprintf(where, sizeof(where), "Claim.item[%zu].careTeamSequence", i);
        if (npi)
            rc = setter(mn_claim_line_set_provider(cl, (size_t)idx, npi,
                                                   strlen(npi), err),
                        err, where);
    }
    return rc;
}

/* Reads the Claim `c->claim` into `*out`. */
static int convert(const ctx *c, mn_claim **out, char *pref, size_t pref_sz,
                   mn_error *err)
{
    mn_claim *cl = NULL;
    const json_t *cj = c->claim;
    const char *s;
    const json_t *v;
    const json_t *items;
    unsigned short seq_map[MAX_DX_SEQ];
    size_t i;
    int rc;

    memset(seq_map, 0, sizeof(seq_map));
    pref[0] = '\0';
    rc = mn_claim_new(&cl, c->copts, err);
    if (rc)
        goto done;
    s = str(cj, "id");
    if (!s)
        s = str(json_array_get(json_object_get(cj, "identifier"), 0), "value");
    if (s &&
        (rc = setter(mn_claim_set_id(cl, s, strlen(s), err), err, "Claim.id")))
        goto done;
    v = coding(json_object_get(cj, "type"), NULL);
    if (v && strcmp(str(v, "code"), "institutional") == 0 &&
        (rc = mn_claim_set_claim_type(cl, "institutional", 13, err)))
        goto done;
    s = str(cj, "status");
    if (s &&
        (strcmp(s, "cancelled") == 0 || strcmp(s, "entered-in-error") == 0))
        rc = mn_claim_set_frequency(cl, "8", 1, err);
    else if (json_array_size(json_object_get(cj, "related")))
        rc = mn_claim_set_frequency(cl, "7", 1, err);
    if (rc)
        goto done;
    {
        const char *d;
        size_t n;
        if (date_part(str(json_object_get(cj, "billablePeriod"), "start"), &d,
                      &n) &&
            (rc = setter(mn_claim_set_date(cl, d, n, err), err,
                         "Claim.billablePeriod.start")))
            goto done;
    }
    if ((rc = set_patient(c, cl, pref, pref_sz, err)) ||
        (rc = set_payer(c, cl, err)) || (rc = set_provider(c, cl, err)))
        goto done;
    set_jurisdiction(c, cl);
    v = json_array_get(json_object_get(cj, "insurance"), 0);
    v = json_array_get(json_object_get(v, "preAuthRef"), 0);
    if (json_is_string(v) &&
        (rc = setter(
             mn_claim_set_prior_authorization(
                 cl, json_string_value(v), strlen(json_string_value(v)), err),
             err, "Claim.insurance[0].preAuthRef")))
        goto done;
    if ((rc = add_diagnoses(c, cl, seq_map, err)))
        goto done;
    items = json_object_get(cj, "item");
    if (!json_array_size(items)) {
        rc = fail(err, "Claim.item",
                  "missing (at least one item is "
                  "required)");
        goto done;
    }
    json_array_foreach(items, i, v)
    {
        if ((rc = add_item(c, cl, v, i, seq_map, err)))
            goto done;
    }
done:
    if (rc) {
        mn_claim_free(cl);
        cl = NULL;
    }
    *out = cl;
    return rc;
}

/* ------------------------------------------------------------------ */
/* Documents                                                           */
/* ------------------------------------------------------------------ */

static int emit(const mn_fhir_options *o, mn_fhir_stats *st, mn_claim *claim,
                const mn_error *err, const char *id, const char *pref,
                size_t line, size_t entry)
{
    mn_fhir_item it;
    mn_error ok;

    mn_error_clear(&ok);
    memset(&it, 0, sizeof(it));
    it.claim = claim;
    it.error = claim ? &ok : err;
    it.claim_id = id ? id : "";
    it.patient_reference = pref ? pref : "";
    it.line = line;
    it.entry = entry;
    if (claim)
        st->claims++;
    else
        st->failed++;
    return o->on_item(o->payload, &it);
}

static int one_claim(const mn_fhir_options *o, mn_fhir_stats *st,
                     const json_t *bundle, const json_t *claim, size_t line,
                     size_t entry)
{
    ctx c;
    mn_claim *cl = NULL;
    mn_error err;
    char pref[256];
    int rc;

    c.bundle = bundle;
    c.claim = claim;
    c.copts = o->claim_options;
    mn_error_clear(&err);
    rc = convert(&c, &cl, pref, sizeof(pref), &err);
    if (rc == MN_ENOMEM)
        return rc;
    return emit(o, st, cl, &err, str(claim, "id"), pref, line, entry);
}

static int document(const mn_fhir_options *o, mn_fhir_stats *st,
                    const char *json, size_t len, size_t line)
{
    json_error_t je;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    mn_error err;
    const char *type;
    int rc = MN_OK;

    mn_error_clear(&err);
    if (!root) {
        if (json_error_code(&je) == json_error_out_of_memory)
            return MN_ENOMEM;
        fail(&err, "", "%s", je.text[0] ? je.text : "malformed JSON");
        err.line = line > 1 ? line : (size_t)(je.line > 0 ? je.line : 0);
        err.column = je.column > 0 ? (size_t)je.column : 0;
        return emit(o, st, NULL, &err, NULL, NULL, line, 0);
    }
    type = str(root, "resourceType");
    if (type && strcmp(type, "Claim") == 0) {
        rc = one_claim(o, st, NULL, root, line, 0);
    } else if (type && strcmp(type, "Bundle") == 0) {
        size_t i;
        const json_t *v;
        size_t claims = 0;
        json_array_foreach(json_object_get(root, "entry"), i, v)
        {
            const json_t *res = json_object_get(v, "resource");
            const char *t = str(res, "resourceType");
            if (rc || !t || strcmp(t, "Claim") != 0)
                continue;
            claims++;
            rc = one_claim(o, st, root, res, line, i + 1);
        }
        if (rc == MN_OK && !claims) {
            fail(&err, "Bundle.entry", "no Claim in the Bundle");
            rc = emit(o, st, NULL, &err, NULL, NULL, line, 0);
        }
    } else {
        fail(&err, "resourceType", "expected a Claim or a Bundle of Claims");
        rc = emit(o, st, NULL, &err, NULL, NULL, line, 0);
    }
    json_decref(root);
    return rc;
}

int mn_fhir_read(const char *json, size_t len, const mn_fhir_options *opts,
                 mn_error *err)
{
    mn_fhir_stats st;
    int rc;

    if (!opts || !opts->on_item || (!json && len))
        return mn_x__err(err, MN_EINVAL, "missing argument or callback");
    memset(&st, 0, sizeof(st));
    rc = document(opts, &st, json, len, 1);
    if (rc == MN_ENOMEM)
        mn_x__err(err, rc, "out of memory");
    else if (rc)
        mn_x__err(err, rc, "stopped by the caller");
    return rc;
}

/* ------------------------------------------------------------------ */
/* Streaming: NDJSON, or one document                                  */
/* ------------------------------------------------------------------ */

int mn_fhir_new(mn_fhir **out, const mn_fhir_options *opts, mn_error *err)
{
    mn_fhir *r;

    if (!out || !opts || !opts->on_item ||
        opts->version != MN_FHIR_OPTIONS_VERSION)
        return mn_x__err(err, MN_EINVAL, "missing argument or callback");
    r = mn_x__calloc(1, sizeof(*r));
    if (!r)
        return mn_x__err(err, MN_ENOMEM, "out of memory");
    r->o = *opts;
    if (!r->o.max_line)
        r->o.max_line = DEF_MAX_LINE;
    if (!r->o.max_document)
        r->o.max_document = DEF_MAX_DOC;
    r->buf.max =
        r->o.max_document > r->o.max_line ? r->o.max_document : r->o.max_line;
    *out = r;
    return MN_OK;
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!mn_x__isspace((unsigned char)s[i]))
            return false;
    }
    return true;
}

/* One complete NDJSON line (without its newline). */
static int ndjson_line(mn_fhir *r, const char *s, size_t n)
{
    r->line++;
    r->st.lines++;
    if (n && s[n - 1] == '\r')
        n--;
    if (blank(s, n)) {
        r->st.blank++;
        return MN_OK;
    }
    if (n > r->o.max_line) {
        mn_error err;
        fail(&err, "", "the line is longer than %zu bytes", r->o.max_line);
        err.code = MN_ELIMIT;
        return emit(&r->o, &r->st, NULL, &err, NULL, NULL, r->line, 0);
    }
    return document(&r->o, &r->st, s, n, r->line);
}

/* Decides NDJSON or one document from the first non-blank line: a line
 * that is a whole JSON value makes NDJSON. */
static int decide(const char *s, size_t n)
{
    json_error_t je;
    json_t *v;

    if (blank(s, n))
        return M_UNKNOWN;
    v = json_loadb(s, n, 0, &je);
    if (v) {
        json_decref(v);
        return M_NDJSON;
    }
    return json_error_code(&je) == json_error_premature_end_of_input
               ? M_DOCUMENT
               : M_NDJSON;
}

int mn_fhir_feed(mn_fhir *r, const char *data, size_t len, mn_error *err)
{
    int rc = MN_OK;

    if (!r || (!data && len))
        return mn_x__err(err, MN_EINVAL, "missing argument");
    if (r->rc)
        return r->rc;
    r->st.bytes += len;
    while (rc == MN_OK && len) {
        const char *nl;
        size_t take;
        if (r->mode == M_DOCUMENT) {
            rc = r->buf.len + len > r->o.max_document
                     ? MN_ELIMIT
                     : mn_x__vec_push(&r->buf, data, len);
            if (rc == MN_ELIMIT)
                mn_x__err(err, rc,
                          "the document is larger than %zu bytes "
                          "(give NDJSON: one resource per line)",
                          r->o.max_document);
            break;
        }
        nl = memchr(data, '\n', len);
        take = nl ? (size_t)(nl - data) + 1 : len;
        if (r->buf.len + take > r->o.max_line + 1 && r->mode == M_NDJSON) {
            /* an over-long line: keep its start only, to report it */
            size_t room = r->o.max_line + 1 > r->buf.len
                              ? r->o.max_line + 1 - r->buf.len
                              : 0;
            rc = mn_x__vec_push(&r->buf, data, take < room ? take : room);
        } else {
            rc = mn_x__vec_push(&r->buf, data, take);
        }
        data += take;
        len -= take;
        if (rc)
            break;
        if (!nl)
            continue;
        if (r->mode == M_UNKNOWN) {
            r->mode = decide((const char *)r->buf.data, r->buf.len - 1);
            if (r->mode == M_UNKNOWN) {
                r->line++;
                r->st.lines++;
                r->st.blank++;
                r->buf.len = 0;
                continue;
            }
            if (r->mode == M_DOCUMENT)
                continue;
        }
        rc = ndjson_line(r, (const char *)r->buf.data, r->buf.len - 1);
        r->buf.len = 0;
    }
    if (rc == MN_ENOMEM)
        mn_x__err(err, rc, "out of memory");
    else if (rc && rc != MN_ELIMIT)
        mn_x__err(err, rc, "stopped by the caller");
    r->rc = rc;
    return rc;
}

int mn_fhir_finish(mn_fhir *r, mn_error *err)
{
    int rc = MN_OK;

    if (!r)
        return mn_x__err(err, MN_EINVAL, "missing argument");
    if (r->rc)
        return r->rc;
    if (r->mode == M_DOCUMENT) {
        rc = document(&r->o, &r->st, (const char *)r->buf.data, r->buf.len,
                      r->line + 1);
    } else if (r->buf.len && !blank((const char *)r->buf.data, r->buf.len)) {
        rc = ndjson_line(r, (const char *)r->buf.data, r->buf.len);
    }
    r->buf.len = 0;
    if (rc == MN_ENOMEM)
        mn_x__err(err, rc, "out of memory");
    else if (rc)
        mn_x__err(err, rc, "stopped by the caller");
    r->rc = rc;
    return rc;
}

void mn_fhir_free(mn_fhir *r)
{
    if (!r)
        return;
    mn_x__vec_free(&r->buf);
    mn_x__free(r);
}

void mn_fhir_get_stats(mn_fhir_stats *out, const mn_fhir *r)
{
    if (out && r)
        *out = r->st;
}
