/*
 * claim/jurisdiction.h: where Medicare claims are judged, as areas: whole
 * states and parts of states (claim/jurisdiction.c).
 *
 * An area is a set of whole states (one bit per state or territory), known
 * parts of states (Northern and Southern California, upstate, downstate
 * and Queens New York, northwestern Missouri: one bit per part) and states
 * of which some part this build does not name is meant. The claim parser
 * turns a claim's jurisdiction into an area; the KB build turns the MCD
 * export's contractor jurisdictions into places of each policy; the check
 * matches the two.
 */
#ifndef MN_CLAIM_JURISDICTION_H
#define MN_CLAIM_JURISDICTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Number of states and territories (state indexes 0 .. MN_STATES - 1). */
#define MN_STATES 56
/* Number of known parts of states (part indexes 0 .. MN_PARTS - 1). */
#define MN_PARTS 6

typedef struct mn_area {
    uint64_t whole;   /* bit i: all of state i */
    uint32_t parts;   /* bit k: known part k */
    uint64_t partial; /* bit i: a part of state i this build does not know */
} mn_area;

/* How a policy's places relate to the area of a claim. */
typedef enum mn_area_match {
    MN_AREA_NONE = 0,     /* no place of the claim is a place of the policy */
    MN_AREA_POSSIBLE = 1, /* they overlap, or may: the policy may apply */
    MN_AREA_DEFINITE = 2  /* every place of the claim is one of the policy */
} mn_area_match;

/* Index of a two-letter state or territory ("CA", any case), -1 when
 * unknown. */
int mn_x__state_index(const char *s, size_t len);
/* The two-letter abbreviation of state `i` ("" when out of range). */
const char *mn_x__state_abbrev(int i);
/* Index of the known part `name` ("southern", any case) of state `state`,
 * -1 when unknown. */
int mn_x__part_index(int state, const char *name, size_t len);
/* State index of part `k`, -1 when out of range. */
int mn_x__part_state(int k);
/* Upper-case name of part `k` ("SOUTHERN"), "" when out of range. */
const char *mn_x__part_name(int k);

/* True when the area names no place. */
bool mn_x__area_empty(const mn_area *a);
/* Adds all of state `state`. */
void mn_x__area_add_state(mn_area *a, int state);
/* Adds part `part` of state `state`: a known part index, or -1 for a
 * part this build does not know (the state is then partial). */
void mn_x__area_add_part(mn_area *a, int state, int part);
/* Adds every place of `b` to `a`. */
void mn_x__area_union(mn_area *a, const mn_area *b);
/* Makes a state whole when every part of it that makes up the state is
 * in the area (California: Northern and Southern). */
void mn_x__area_normalise(mn_area *a);
/* Every state the area touches, whole or in part. */
uint64_t mn_x__area_states(const mn_area *a);
/* True when every place of `inner` is in `outer`. */
bool mn_x__area_within(const mn_area *inner, const mn_area *outer);

/* How a policy whose places on the date are `sure` (applies for certain)
 * and `maybe` (applies perhaps: one of several jurisdictions) relates to
 * the area `claim` (see mn_area_match). */
mn_area_match mn_x__area_match(const mn_area *claim, const mn_area *sure,
                               const mn_area *maybe);

/*
 * A state_lookup row of the MCD export: `abbrev` ("CA") and `description`
 * ("California - Southern", "California - Entire State", "Kentucky").
 * Sets *state and *part (-1 for the whole state, a part index, or -2 for
 * a part this build does not know). False when the state is unknown.
 */
bool mn_x__state_lookup(const char *abbrev, size_t abbrev_len,
                        const char *description, size_t description_len,
                        int *state, int *part);

/* Contractor number ("01182") -> area, from the locality-file convention
 * (a fallback for partial data; see jurisdiction.c). False when the
 * number names no known state. */
bool mn_x__contractor_area(const char *number, size_t len, mn_area *out);
/* Contractor number -> state bit mask (mn_x__contractor_area's states). */
uint64_t mn_x__contractor_states(const char *number, size_t len);

/*
 * A claim's jurisdiction -> area: an A/B MAC ("JE", "J15", "J1"), a
 * state ("KY"), a part of a state ("CA-SOUTHERN", "NY-QUEENS"; see
 * docs/json.md) or a contractor number ("01182"). Case-insensitive.
 * False (and an empty area) when not recognised.
 */
bool mn_x__jurisdiction_area(const char *j, size_t len, mn_area *out);
/* The states of mn_x__jurisdiction_area; 0 when not recognised. */
uint64_t mn_x__jurisdiction_states(const char *j, size_t len);
/* True when `j` has the part-of-state form "XX-NAME" (a hyphen after two
 * letters); whether the state and part are known is not checked. */
bool mn_x__jurisdiction_is_part_form(const char *j, size_t len);

/* The area of A/B MAC jurisdiction `mac` ("JE", "J15"). */
bool mn_x__mac_area(const char *name, size_t len, mn_area *out);

/*
 * The A/B MAC jurisdictions of a contractor company named as in the MCD
 * documents index ("Noridian Healthcare Solutions, LLC"): fills `out`
 * (static names, at most `max`) and returns their number, 0 when the
 * company is not in the table of jurisdiction.c.
 */
size_t mn_x__company_macs(const char *name, size_t len, const char **out,
                          size_t max);

#endif
