/*
 * io/grammar.h: the loop structure of an X12 transaction set as data
 * (grammar.c): loops, the segments of each loop in their order, which are
 * required, how often each may repeat, which elements are required, and
 * which segments and loops mednec reads. The 837P and 837I structures are
 * written in grammar.c in a small text form, taken from the implementation
 * guides' loop and segment tables.
 */
#ifndef MN_IO_GRAMMAR_H
#define MN_IO_GRAMMAR_H

#include <stdbool.h>
#include <stdint.h>

#define MN_G_MAX_QUALS 24
#define MN_G_MAX_REQ 12
#define MN_G_MAX_LOOPS 80
#define MN_G_MAX_SEGS 400
#define MN_G_MAX_KIDS 120
/* most segment positions and child loops in one loop */
#define MN_G_LOOP_SEGS 40
#define MN_G_LOOP_KIDS 16

typedef struct mn_gseg {
    uint32_t id;                    /* packed identifier */
    uint32_t quals[MN_G_MAX_QUALS]; /* accepted values of the qualifier */
    unsigned char n_quals;          /* 0: any */
    unsigned char qual_el;          /* the qualifier's element (1; HL: 3) */
    bool required;
    bool read;           /* mednec reads it: its problems are errors */
    unsigned short max;  /* 0: no limit */
    unsigned char group; /* order slot: adjacent positions of one id share it */
    /* required elements: element * 16 + component (component 0: the
       element as a whole); `req_read` are read by mednec (missing: an
       error), `req_other` only required by the guide (a warning) */
    unsigned short req_read[MN_G_MAX_REQ];
    unsigned short req_other[MN_G_MAX_REQ];
    unsigned char n_req_read, n_req_other;
} mn_gseg;

typedef struct mn_gkid {
    short loop;
    bool required;
    unsigned short max; /* 0: no limit */
} mn_gkid;

typedef struct mn_gloop {
    char name[8];
    bool read;  /* mednec reads it */
    bool scope; /* its errors stay in it (HL loops, the claim); other
                   loops hand theirs to their parent when they end */
    bool claim; /* the claim loop (2300) */
    short first_seg, n_segs; /* the first is the loop's trigger */
    short first_kid, n_kids;
    /* which segment ids its positions (after the trigger) and its child
       loops' triggers may have: bit mn_x__gbit(id) of 256; a segment
       whose bit is clear is looked for no further in the loop */
    uint64_t seg_bits[4];
    uint64_t kid_bits[4];
    uint64_t req_segs; /* bit i: position i (after the trigger) required */
    uint32_t req_kids; /* bit k: child loop k required */
} mn_gloop;

typedef struct mn_grammar {
    mn_gloop loops[MN_G_MAX_LOOPS];
    mn_gseg segs[MN_G_MAX_SEGS];
    mn_gkid kids[MN_G_MAX_KIDS];
    /* the ids of segs[] and of each kid's trigger, packed together so
       that placing a segment scans a few cache lines */
    uint32_t seg_ids[MN_G_MAX_SEGS];
    uint32_t kid_ids[MN_G_MAX_KIDS];
    short n_loops, n_segs, n_kids;
    short root;
} mn_grammar;

/* Builds the 837 grammar for `variant` 'P' (005010X222A1) or 'I'
 * (005010X223A2). False when the built-in text is malformed (a bug,
 * caught by the tests). */
bool mn_x__grammar_837(mn_grammar *g, char variant);

/* The bit of a segment id in mn_gloop.seg_bits and kid_bits. */
static inline unsigned mn_x__gbit(uint32_t id)
{
    return (unsigned)((id * 0x9E3779B1u) >> 24);
}

/* Whether bit `b` is set in the 256-bit set `bits`. */
static inline bool mn_x__ghas(const uint64_t bits[4], unsigned b)
{
    return (bits[b >> 6] >> (b & 63)) & 1u;
}

/* Packs a qualifier value of up to 3 characters ("ABK" -> bytes). */
uint32_t mn_x__gqual(const char *s, size_t n);

#endif
