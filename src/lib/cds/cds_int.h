/*
 * cds/cds_int.h: the CDS Hooks request as read (internal to src/lib/cds).
 *
 * request.c reads the request and maps each order to a claim line;
 * respond.c checks the claims and writes the answer; services.c has the
 * discovery document, the service table and feedback.
 */
#ifndef MN_CDS_INT_H
#define MN_CDS_INT_H

#include <jansson.h>

#include "core/util.h"
#include "mednec/cds.h"
#include "mednec/result.h"

#define CDS_MAX_DX 12 /* a claim line points to at most 12 diagnoses */

typedef struct cds_coverage {
    json_t *res;
    char ref[192];   /* "Coverage/<id>", or "" when the resource has no id */
    char payer[64];  /* "medicare", "medicaid" or the payer's name */
    char label[128]; /* the insurer's name for cards ("Medicare") */
} cds_coverage;

typedef struct cds_order {
    json_t *res;
    const char *type;
    const char *id;
    char code[9];         /* "" when none */
    const char *unmapped; /* static text, or NULL */
    char date[11];
    mn_cds_date_from date_from;
    unsigned units;
    char state[3];
    const char *state_from;
    char pos[3];
    int dme;
    int coverage; /* index into the coverages, -1: none */
    size_t n_dx;
    char dx[CDS_MAX_DX][9];
    const char *dx_ptr[CDS_MAX_DX];
    int reasons;   /* the order gave ICD-10-CM reasons of its own */
    size_t claim;  /* index of its claim (SIZE_MAX: not checked) */
    size_t line;   /* its line on that claim */
    char ref[192]; /* "ServiceRequest/<id>" */
} cds_order;

struct mn_cds_request {
    json_t *doc;
    const char *service_id; /* static (services.c) */
    char hook[32];
    char hook_instance[128];
    char today[11];
    const char *missing;
    cds_order *orders;
    size_t n_orders;
    cds_coverage *cov;
    size_t n_cov;
    mn_claim **claims;
    size_t n_claims;
};

/* services.c: the static id of a service (for the request), or NULL */
const char *mn_x__cds_service_id(const char *id);

#endif
