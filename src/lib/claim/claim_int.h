/*
 * claim_int.h: the claim as the engine sees it (internal).
 */
#ifndef MN_CLAIM_INT_H
#define MN_CLAIM_INT_H

#include "mednec/claim.h"
#include "claim/jurisdiction.h"
#include "core/util.h"

#define MN_MAX_MODIFIERS 8
#define MN_MAX_POINTERS 12

typedef enum {
    MN_PAYER_MEDICARE = 0,
    MN_PAYER_MEDICAID,
    MN_PAYER_OTHER
} mn_payer;

typedef struct mn_claim_dx {
    mn_key key;         /* undotted, upper case */
    char text[12];      /* as normalised for output: dotted, upper case (ICD-9
                           and codes of no ICD shape: as given, upper case) */
    bool not_icd;       /* not of the shape of an ICD-10-CM code (text as given,
                           upper case): every line pointing to it is invalid */
    unsigned char icd9; /* an ICD-9-CM code (837 qualifiers BK, BF...):
                           never looked up in the ICD-10-CM tables */
} mn_claim_dx;

typedef struct mn_claim_line {
    mn_key code;
    char code_text[8];
    bool not_procedure; /* not of the shape of a CPT or HCPCS code: the line
                           is invalid (code.invalid), the others are still
                           checked */
    char modifiers[MN_MAX_MODIFIERS][3];
    unsigned n_modifiers;
    unsigned units;
    int32_t date;                            /* MN_NODATE: use the claim date */
    char pos[3];                             /* "" when not given on the line */
    unsigned char pointers[MN_MAX_POINTERS]; /* 1-based */
    unsigned n_pointers;                     /* 0: all diagnoses */
    int64_t charge;    /* cents, MN_NO_AMOUNT when not given */
    int64_t allowed;   /* cents, MN_NO_AMOUNT when not given */
    unsigned number;   /* the sender's line number (837 LX), 0: position */
    unsigned provider; /* 1-based into the claim's providers, 0: none */
    char revenue[5];   /* institutional revenue code, "" when none */
} mn_claim_line;

typedef struct mn_claim_hist {
    mn_key code;
    int32_t date;
    unsigned units;
    char modifiers[MN_MAX_MODIFIERS][3];
    unsigned n_modifiers;
    int64_t charge; /* cents, MN_NO_AMOUNT when not given */
    int64_t allowed;
    mn_key dx[MN_MAX_POINTERS]; /* the service's diagnoses, if given */
    unsigned n_dx;
} mn_claim_hist;

struct mn_claim {
    mn_claim_options o;
    char *id;         /* owned, may be NULL */
    char *patient_id; /* owned, may be NULL; never logged */
    char *payer_text; /* owned, as given */
    mn_payer payer;
    char *jurisdiction;  /* owned, upper case, may be NULL */
    uint64_t jur_states; /* states of the jurisdiction, 0: unknown */
    mn_area jur_area;    /* its places (claim/jurisdiction.h), empty when
                            not recognised */
    int institutional;
    int dme; /* claim_type "dme": a DME supplier claim (extension) */
    char bill_type[5];
    char pos[3];
    int32_t date;       /* claim-level date, MN_NODATE if absent */
    int32_t birth_date; /* MN_NODATE if absent */
    int age;            /* -1 if absent */
    char sex;           /* 'M', 'F', 'U' (unknown / not given) */
    mn_claim_dx *dx;
    size_t n_dx;
    size_t cap_dx;
    mn_claim_line *lines;
    size_t n_lines;
    size_t cap_lines;
    mn_claim_hist *hist;
    size_t n_hist;
    size_t cap_hist;
    char *provider;   /* owned, may be NULL: rendering, else billing NPI */
    char *prior_auth; /* owned, may be NULL */
    char frequency;   /* claim frequency code ('7' replacement, '8' void),
                         '\0' when not given */
    char **providers; /* owned: the distinct providers of the lines */
    size_t n_providers;
    size_t cap_providers;
};

/* The provider of line `li`: its own, else the claim's; NULL when none. */
const char *mn_x__claim_line_provider(const mn_claim *c, size_t li);

/* MN_EINVAL when the birth date is after a line's date of service
 * (where: patient.birth_date); the parser and mn_check call it. */
int mn_x__claim_check_dates(const mn_claim *c, mn_error *err);

/* Age in whole years on `date` (birth date if known, else `age`), or -1. */
int mn_x__claim_age_on(const mn_claim *c, int32_t date);

#endif
