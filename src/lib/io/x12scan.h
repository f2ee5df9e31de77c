/*
 * io/x12scan.h: the X12 segment scanner and envelope tracker shared by the
 * 837 and 835 readers (x12scan.c).
 *
 * The scanner takes input in chunks, finds the separators in each ISA (or
 * takes the standard ones for input that starts at ST), splits segments
 * into elements without copying when a segment lies inside one chunk, and
 * keeps only a partial segment between chunks. The envelope tracker checks
 * ISA/GS/ST/SE/GE/IEA, refuses transaction sets the reader does not read
 * (other sets, 4010, other guides), and hands the segments of accepted
 * sets, ST and SE included, to the reader.
 */
#ifndef MN_IO_X12SCAN_H
#define MN_IO_X12SCAN_H

#include "core/util.h"
#include "mednec/x12.h"

/* A segment as scanned: el[0] is the identifier. Pointers are borrowed
 * for the callback only. */
typedef struct mn_x12seg {
    const char **el;
    uint32_t *len;
    size_t n;          /* elements, the identifier included */
    size_t number;     /* 1-based in the input */
    size_t set_number; /* 1-based in the transaction set, 0 outside */
    size_t offset;     /* byte offset of its first character */
    size_t line;       /* 1-based line */
    uint32_t id;       /* identifier packed big-endian, 0 when malformed */
} mn_x12seg;

/* Packs a segment identifier of 2 or 3 characters: "CLM" -> 0x434c4d. */
#define MN_X12_ID2(a, b) (((uint32_t)(a) << 8) | (uint32_t)(b))
#define MN_X12_ID3(a, b, c)                                                    \
    (((uint32_t)(a) << 16) | ((uint32_t)(b) << 8) | (uint32_t)(c))

/* An issue kept beyond its callback (a loop's first error). */
typedef struct mn_x12_kept {
    mn_x12_severity severity;
    mn_x12_kind kind;
    int code;
    char message[256];
    char interchange[16];
    char group[16];
    char transaction[16];
    char segment_id[4];
    char loop[8];
    char claim_id[64];
    size_t segment, set_segment, element, component, line, offset;
} mn_x12_kept;

typedef struct mn_x12env mn_x12env;

/* What a reader does with the segments of the sets it accepts. */
typedef struct mn_x12_handler {
    /* ST of an accepted set; `impl` is its guide ("005010X222A1") */
    int (*set_start)(void *self, const mn_x12seg *st, const char *impl);
    /* a segment between ST and SE */
    int (*segment)(void *self, const mn_x12seg *seg);
    /* SE; or NULL, with the error that says so, when the set ended
     * without one (a new ST, GE, IEA, ISA or the end of the input came
     * first) */
    int (*set_end)(void *self, const mn_x12seg *se, const mn_x12_kept *error);
    /* a segment of an accepted set that could not be read (too long,
     * too many elements), with the error that says so; may be NULL */
    int (*segment_lost)(void *self, const mn_x12_kept *error);
    /* an error of an envelope or a refused set, not tied to a claim */
    int (*envelope_error)(void *self, const mn_x12_kept *issue);
    void *self;
} mn_x12_handler;

typedef struct mn_x12env_options {
    const char *name;
    const char *set_id;        /* "837" or "835" */
    const char *reads;         /* "claims" (in "mednec reads 837
                                  claims") */
    const char *const *guides; /* accepted ST03/GS08 prefixes, NULL-ended */
    const char *guide_labels;  /* what they are, for messages */
    size_t max_segment;
    size_t max_elements;
    size_t max_set_segments;
    mn_x12_issue_cb on_issue;
    void *payload;
} mn_x12env_options;

typedef struct mn_x12env_stats {
    size_t bytes, segments, interchanges, sets, refused, errors, warnings;
} mn_x12env_stats;

int mn_x__x12env_new(mn_x12env **out, const mn_x12env_options *o,
                     const mn_x12_handler *h);
void mn_x__x12env_free(mn_x12env *e);
/* Reads a chunk; returns MN_OK, MN_ENOMEM or a handler's return. */
int mn_x__x12env_feed(mn_x12env *e, const char *data, size_t len);
int mn_x__x12env_finish(mn_x12env *e);
/* One step of a reader built on the envelope: feeds `len` bytes (or, with
 * `finish`, ends the input) unless the reader already stopped. `*state`
 * holds the reader's code: its callbacks set it (a caller's stop, out of
 * memory) and it sticks; the error says which. Returns it. */
int mn_x__x12env_step(mn_x12env *e, int *state, const char *data, size_t len,
                      bool finish, mn_error *err);
void mn_x__x12env_stats(mn_x12env_stats *out, const mn_x12env *e);

/* The component separator in force (for splitting composites). */
char mn_x__x12env_comp(const mn_x12env *e);

/* Reports an issue about `seg` (NULL: none) and returns the kept copy
 * (valid until the next issue). `loop` and `claim_id` may be NULL. */
const mn_x12_kept *
mn_x__x12_issue(mn_x12env *e, mn_x12_severity sev, mn_x12_kind kind, int code,
                const mn_x12seg *seg, size_t element, size_t component,
                const char *loop, const char *claim_id, const char *fmt, ...)
    __attribute__((format(printf, 10, 11)));

/* Fills `out` with a view of `k` (its strings point into `k`). */
void mn_x__x12_view(mn_x12_issue *out, const mn_x12_kept *k,
                    const mn_x12env *e);

/* The current envelope's control numbers ("" when none). */
const char *mn_x__x12env_interchange(const mn_x12env *e);
const char *mn_x__x12env_transaction(const mn_x12env *e);

/*
 * Element helpers. Elements and components are slices of the segment;
 * `mn_x__x12_comp` finds component `k` (1-based) of element `i`.
 */
static inline bool mn_x__x12_has(const mn_x12seg *s, size_t i)
{
    return i < s->n && s->len[i] > 0;
}
static inline bool mn_x__x12_comp(const char **out, size_t *len,
                                  const mn_x12seg *s, size_t i, size_t k,
                                  char comp)
{
    const char *p;
    const char *end;
    size_t at = 1;

    *out = "";
    *len = 0;
    if (i >= s->n || k < 1)
        return false;
    p = s->el[i];
    end = p + s->len[i];
    /* elements are short: a plain loop beats memchr's setup */
    while (at < k && p < end) {
        while (p < end && *p != comp)
            p++;
        if (p == end)
            return false;
        p++;
        at++;
    }
    if (at < k)
        return false;
    *out = p;
    while (p < end && *p != comp)
        p++;
    *len = (size_t)(p - *out);
    return *len > 0;
}

/* True when element i equals `lit`. */
bool mn_x__x12_is(const mn_x12seg *s, size_t i, const char *lit);
/* Copies element i (or "") into out of `size` bytes, truncating. */
void mn_x__x12_copy(char *out, size_t size, const mn_x12seg *s, size_t i);
/* Parses an X12 decimal amount ("125", "-3.5", ".75") into cents; false
 * for anything else (more than 2 decimals are rounded half away). */
bool mn_x__x12_amount(int64_t *out, const char *s, size_t len);
/* CCYYMMDD into YYYY-MM-DD (11 bytes); false when not a real date. */
bool mn_x__x12_date(char out[11], const char *s, size_t len);

#endif
