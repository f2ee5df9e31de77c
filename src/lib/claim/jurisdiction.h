/*
 * claim/jurisdiction.h: Medicare jurisdictions as sets of states
 * (claim/jurisdiction.c). A state set is a bit mask, one bit per state or
 * territory; the claim parser uses it for the claim's jurisdiction and the
 * KB build for a policy's contractors.
 */
#ifndef MN_CLAIM_JURISDICTION_H
#define MN_CLAIM_JURISDICTION_H

#include <stddef.h>
#include <stdint.h>

/* Contractor number ("15102") -> state bit mask (claim/jurisdiction.c). */
uint64_t mn_x__contractor_states(const char *number, size_t len);
/* Claim jurisdiction (MAC "JE"/"J15", state "KY", contractor number) ->
 * state mask; 0 when not recognised. */
uint64_t mn_x__jurisdiction_states(const char *j, size_t len);

#endif
