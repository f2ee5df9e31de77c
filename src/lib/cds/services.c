/*
 * cds/services.c: the CDS services mednec offers, their discovery
 * document, and feedback.
 */
#include <string.h>

#include "cds/cds_int.h"

static const struct service {
    const char *id;
    const char *hook;
    const char *title;
    const char *description;
    const char *orders; /* the context field holding the orders */
} services[] = {
    {"mednec-order-select", "order-select",
     "Medicare coverage of the orders being selected",
     "Checks each selected order (CPT or HCPCS) against the Medicare "
     "policies that govern it (NCDs, the MAC's LCDs and billing-and-coding "
     "articles, NCCI, frequency limits) and returns Da Vinci CRD 2.0.1 "
     "coverage information, with a card when an order is not covered or "
     "covered only on conditions.",
     "draftOrders"},
    {"mednec-order-sign", "order-sign",
     "Medicare coverage of the orders being signed",
     "Checks every draft order (CPT or HCPCS) against the Medicare policies "
     "that govern it and returns Da Vinci CRD 2.0.1 coverage information "
     "(one systemAction per order), with a card when an order is not "
     "covered or covered only on conditions.",
     "draftOrders"},
    {"mednec-appointment-book", "appointment-book",
     "Medicare coverage of the services being booked",
     "Checks each proposed appointment's service (a CPT or HCPCS service "
     "type, or the order it is based on) against the Medicare policies and "
     "returns Da Vinci CRD 2.0.1 coverage information.",
     "appointments"},
};
#define N_SERVICES (sizeof(services) / sizeof(services[0]))

const char *mn_cds_crd_version(void)
{
    return "2.0.1";
}

const char *mn_x__cds_service_id(const char *id)
{
    for (size_t i = 0; id && i < N_SERVICES; i++) {
        if (!strcmp(services[i].id, id))
            return services[i].id;
    }
    return NULL;
}

const char *mn_cds_service_hook(const char *service_id)
{
    for (size_t i = 0; service_id && i < N_SERVICES; i++) {
        if (!strcmp(services[i].id, service_id))
            return services[i].hook;
    }
    return NULL;
}

/* Prefetch templates (CDS Hooks prefetch tokens; the draftOrders tokens
 * are CRD's). Every key may be absent or null: the answer then uses what
 * the request itself carries. */
static void prefetch(json_t *p, const char *hook)
{
    json_object_set_new(p, "patient",
                        json_string("Patient/{{context.patientId}}"));
    json_object_set_new(
        p, "coverage",
        json_string("Coverage?patient={{context.patientId}}&status=active"));
    json_object_set_new(p, "conditions",
                        json_string("Condition?patient={{context.patientId}}"
                                    "&clinical-status=active"));
    if (!strcmp(hook, "appointment-book"))
        json_object_set_new(
            p, "appointmentDetails",
            json_string("Appointment?_id={{context.appointments.Appointment."
                        "id}}&_include=Appointment:location"
                        "&_include=Appointment:practitioner"
                        "&_include=Appointment:based-on"));
    else
        json_object_set_new(
            p, "orderDetails",
            json_string("ServiceRequest?_id={{context.draftOrders."
                        "ServiceRequest.id}}"
                        "&_include=ServiceRequest:performer"
                        "&_include=ServiceRequest:location"));
}

static int dump(const char *text, size_t size, void *data)
{
    return mn_x__buf_append(data, text, size) == MN_OK ? 0 : -1;
}

int mn_cds_discovery(mn_buf *out, mn_error *err)
{
    json_t *doc = json_object();
    json_t *list = json_array();
    int rc = MN_OK;

    if (!out) {
        json_decref(doc);
        json_decref(list);
        return mn_x__err(err, MN_EINVAL, "no output buffer");
    }
    if (!doc || !list)
        rc = MN_ENOMEM;
    for (size_t i = 0; rc == MN_OK && i < N_SERVICES; i++) {
        json_t *s = json_object();
        json_t *p = json_object();
        json_t *ext = json_object();
        if (!s || !p || !ext) {
            json_decref(s);
            json_decref(p);
            json_decref(ext);
            rc = MN_ENOMEM;
            break;
        }
        json_object_set_new(s, "hook", json_string(services[i].hook));
        json_object_set_new(s, "id", json_string(services[i].id));
        json_object_set_new(s, "title", json_string(services[i].title));
        json_object_set_new(s, "description",
                            json_string(services[i].description));
        prefetch(p, services[i].hook);
        json_object_set_new(s, "prefetch", p);
        json_object_set_new(
            s, "usageRequirements",
            json_string("Sign each call with a JWT whose key is in the "
                        "service's configured JWK Set. Orders need CPT or "
                        "HCPCS codings; reasons in ICD-10-CM."));
        json_object_set_new(ext, "mednec-crd-version",
                            json_string(mn_cds_crd_version()));
        json_object_set_new(s, "extension", ext);
        if (json_array_append_new(list, s))
            rc = MN_ENOMEM;
    }
    if (rc == MN_OK && json_object_set(doc, "services", list))
        rc = MN_ENOMEM;
    if (rc == MN_OK && json_dump_callback(doc, dump, out, JSON_COMPACT))
        rc = MN_ENOMEM;
    json_decref(list);
    json_decref(doc);
    if (rc)
        return mn_x__err(err, rc, "cannot write the discovery document");
    return MN_OK;
}

/* ---- feedback
 * ---------------------------------------------------------------- */

#define MAX_FEEDBACK 1000
#define MAX_INPUT ((size_t)4 << 20)

static int bad(mn_error *err, size_t i, const char *field, const char *msg)
{
    int rc = mn_x__err(err, MN_EINVAL, "%s", msg);
    char where[96];

    if (field)
        snprintf(where, sizeof(where), "feedback[%zu].%s", i, field);
    else
        snprintf(where, sizeof(where), "feedback[%zu]", i);
    mn_x__err_at(err, where, 0, 0);
    return rc;
}

int mn_cds_feedback(mn_cds_feedback_counts *out, const char *json, size_t len,
                    mn_error *err)
{
    json_error_t je;
    json_t *doc;
    json_t *list;
    mn_cds_feedback_counts c = {0, 0};
    int rc = MN_OK;

    if (out)
        memset(out, 0, sizeof(*out));
    if (!out || (!json && len))
        return mn_x__err(err, MN_EINVAL, "no output or input");
    if (len > MAX_INPUT)
        return mn_x__err(err, MN_ELIMIT, "feedback larger than 4 MiB");
    doc = json_loadb(json ? json : "", len, JSON_REJECT_DUPLICATES, &je);
    if (!doc) {
        rc = mn_x__err(err, MN_EINVAL, "%s", je.text);
        mn_x__err_at(err, NULL, (size_t)(je.line > 0 ? je.line : 1),
                     (size_t)(je.column > 0 ? je.column : 1));
        return rc;
    }
    list = json_object_get(doc, "feedback");
    if (!json_is_object(doc) || !json_is_array(list)) {
        rc = mn_x__err(err, MN_EINVAL, "expected {\"feedback\": [...]}");
        mn_x__err_at(err, "feedback", 0, 0);
        goto done;
    }
    if (json_array_size(list) > MAX_FEEDBACK) {
        rc = mn_x__err(err, MN_ELIMIT, "more than %d feedback entries",
                       MAX_FEEDBACK);
        mn_x__err_at(err, "feedback", 0, 0);
        goto done;
    }
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *f = json_array_get(list, i);
        const char *outcome = json_string_value(json_object_get(f, "outcome"));
        json_t *acc = json_object_get(f, "acceptedSuggestions");
        json_t *over = json_object_get(f, "overrideReason");
        if (!json_is_object(f)) {
            rc = bad(err, i, NULL, "expected an object");
            goto done;
        }
        if (!json_is_string(json_object_get(f, "card"))) {
            rc = bad(err, i, "card", "the card's uuid (a string) is required");
            goto done;
        }
        if (!json_is_string(json_object_get(f, "outcomeTimestamp"))) {
            rc = bad(err, i, "outcomeTimestamp",
                     "outcomeTimestamp (a string) is required");
            goto done;
        }
        if (!outcome || (strcmp(outcome, "accepted") != 0 &&
                         strcmp(outcome, "overridden") != 0)) {
            rc = bad(err, i, "outcome",
                     "outcome must be accepted or "
                     "overridden");
            goto done;
        }
        if (!strcmp(outcome, "accepted")) {
            if (!json_is_array(acc) || !json_array_size(acc)) {
                rc = bad(err, i, "acceptedSuggestions",
                         "an accepted card names its accepted suggestions");
                goto done;
            }
            for (size_t k = 0; k < json_array_size(acc); k++) {
                if (!json_is_string(
                        json_object_get(json_array_get(acc, k), "id"))) {
                    rc = bad(err, i, "acceptedSuggestions",
                             "each accepted suggestion has an id");
                    goto done;
                }
            }
            c.accepted++;
        } else {
            c.overridden++;
        }
        if (over && !json_is_object(over)) {
            rc = bad(err, i, "overrideReason", "expected an object");
            goto done;
        }
    }
    *out = c;
done:
    json_decref(doc);
    return rc;
}
