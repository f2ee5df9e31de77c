/*
 * laterality.h: the side of the body named by an ICD-10-CM description and
 * by a procedure modifier (internal). Design and limits: docs/site.md.
 */
#ifndef MN_LATERALITY_H
#define MN_LATERALITY_H

#include <stddef.h>

/* Side bits. A description naming both sides separately ("blindness right
 * eye, low vision left eye") gives RIGHT | LEFT; "bilateral" gives
 * BILATERAL. 0 means no side: the code is not lateral, or its side is
 * unspecified. */
#define MN_SIDE_RIGHT 1u
#define MN_SIDE_LEFT 2u
#define MN_SIDE_BILATERAL 4u

/*
 * Sides named by an ICD-10-CM long description of `len` bytes: the whole
 * words "right", "left" and "bilateral", case-insensitive. "right" or
 * "left" is not a side when it names an unpaired structure (the heart's
 * chambers and conduction system, coronary arteries, the vena cava, the
 * aortic arch, the colon: "left bundle-branch block", "descending [left]
 * colon") or when "left" is a verb ("foreign body accidentally left").
 * NULL gives 0. Thread-safe, no allocation.
 */
unsigned mn_x__side_of_desc(const char *desc, size_t len);

/*
 * Side named by a two-character modifier (`m` points at two bytes): RT,
 * E3, E4, F5-F9, T5-T9 give RIGHT; LT, E1, E2, FA, F1-F4, TA, T1-T4 give
 * LEFT; 50 gives BILATERAL; any other modifier 0 (the coronary modifiers
 * LC, LD, LM, RC, RI name vessels, not a side). Upper case expected.
 */
unsigned mn_x__side_of_modifier(const char *m);

/* "right", "left", "both sides" or "no side" for messages. */
const char *mn_x__side_name(unsigned side);

#endif
