/*
 * io/x12scan.c: the X12 segment scanner and envelope tracker (x12scan.h).
 *
 * Segments that lie inside one chunk are split in place; only a segment
 * cut by the end of a chunk is copied (into `carry`), so the cost is one
 * pass over the bytes and memory holds one segment at most.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "io/x12scan.h"

#define DEF_MAX_SEGMENT 65536
#define DEF_MAX_ELEMENTS 128
#define DEF_MAX_SET_SEGMENTS 50000000
#define ISA_LEN 106 /* ISA through its terminator */

enum { S_START, S_STREAM, S_SKIP };

struct mn_x12env {
    mn_x12env_options o;
    mn_x12_handler h;
    char elem, comp, rep, term;
    int state;
    mn_vec carry;     /* a segment cut by the end of a chunk */
    size_t base;      /* input offset of the buffer being processed */
    size_t line;      /* current line (1-based) */
    bool skip_long;   /* dropping a segment longer than max_segment */
    bool bom_checked; /* a leading byte-order mark was looked for */
    const char **el;
    uint32_t *len;
    /* envelope */
    bool in_isa, in_gs, in_st, accepted, bare;
    char isa13[16], isa12[8], gs06[16], gs08[24], st01[8], st02[16];
    size_t gs_in_isa, st_in_gs, set_segs;
    mn_x12_kept kept;
    mn_x12env_stats st;
};

/* ------------------------------------------------------------------ */
/* Issues                                                              */
/* ------------------------------------------------------------------ */

static void copy_slice(char *out, size_t size, const char *s, size_t n)
{
    if (n >= size)
        n = size - 1;
    memcpy(out, s, n);
    out[n] = '\0';
    /* control characters would break a one-line message */
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] == 0x7f)
            out[i] = '?';
    }
}

static void copy_str(char *out, size_t size, const char *s)
{
    copy_slice(out, size, s ? s : "", s ? strlen(s) : 0);
}

const mn_x12_kept *mn_x__x12_issue(mn_x12env *e, mn_x12_severity sev,
                                   mn_x12_kind kind, int code,
                                   const mn_x12seg *seg, size_t element,
                                   size_t component, const char *loop,
                                   const char *claim_id, const char *fmt, ...)
{
    mn_x12_kept *k = &e->kept;
    mn_x12_issue view;
    va_list ap;

    memset(k, 0, sizeof(*k));
    k->severity = sev;
    k->kind = kind;
    k->code = code;
    va_start(ap, fmt);
    vsnprintf(k->message, sizeof(k->message), fmt, ap);
    va_end(ap);
    copy_str(k->interchange, sizeof(k->interchange), e->isa13);
    copy_str(k->group, sizeof(k->group), e->gs06);
    copy_str(k->transaction, sizeof(k->transaction), e->st02);
    if (seg) {
        if (seg->n && seg->len[0] <= 3)
            copy_slice(k->segment_id, sizeof(k->segment_id), seg->el[0],
                       seg->len[0]);
        k->segment = seg->number;
        k->set_segment = seg->set_number;
        k->line = seg->line;
        k->offset = seg->offset;
    }
    k->element = element;
    k->component = component;
    copy_str(k->loop, sizeof(k->loop), loop);
    copy_str(k->claim_id, sizeof(k->claim_id), claim_id);
    if (sev == MN_X12_ERROR)
        e->st.errors++;
    else
        e->st.warnings++;
    if (e->o.on_issue) {
        mn_x__x12_view(&view, k, e);
        e->o.on_issue(e->o.payload, &view);
    }
    return k;
}

void mn_x__x12_view(mn_x12_issue *out, const mn_x12_kept *k, const mn_x12env *e)
{
    out->severity = k->severity;
    out->kind = k->kind;
    out->code = k->code;
    out->message = k->message;
    out->file = e && e->o.name ? e->o.name : "";
    out->interchange = k->interchange;
    out->group = k->group;
    out->transaction = k->transaction;
    out->segment = k->segment;
    out->set_segment = k->set_segment;
    out->segment_id = k->segment_id;
    out->loop = k->loop;
    out->element = k->element;
    out->component = k->component;
    out->line = k->line;
    out->offset = k->offset;
    out->claim_id = k->claim_id;
}

const char *mn_x12_issue_format(char *out, size_t size, const mn_x12_issue *is)
{
    size_t n = 0;
    const char *sep = "";

#define PUT(...)                                                               \
    do {                                                                       \
        if (n < size) {                                                        \
            int w_ = snprintf(out + n, size - n, __VA_ARGS__);                 \
            n += w_ > 0 ? (size_t)w_ : 0;                                      \
        }                                                                      \
    } while (0)

    if (!out || !size)
        return out;
    out[0] = '\0';
    if (!is)
        return out;
    if (is->file && is->file[0]) {
        PUT("%s: ", is->file);
    }
    if (is->interchange && is->interchange[0]) {
        PUT("interchange %s", is->interchange);
        sep = ", ";
    }
    if (is->group && is->group[0]) {
        PUT("%sgroup %s", sep, is->group);
        sep = ", ";
    }
    if (is->transaction && is->transaction[0]) {
        PUT("%stransaction %s", sep, is->transaction);
        sep = ", ";
    }
    if (is->segment) {
        PUT("%ssegment %zu", sep, is->segment);
        if (is->segment_id && is->segment_id[0] && is->loop && is->loop[0])
            PUT(" (%s, loop %s)", is->segment_id, is->loop);
        else if (is->segment_id && is->segment_id[0])
            PUT(" (%s)", is->segment_id);
        else if (is->loop && is->loop[0])
            PUT(" (loop %s)", is->loop);
        sep = ", ";
    } else if (is->loop && is->loop[0]) {
        PUT("%sloop %s", sep, is->loop);
        sep = ", ";
    }
    if (is->element) {
        PUT("%selement %s%02zu", sep,
            is->segment_id && is->segment_id[0] ? is->segment_id : "",
            is->element);
        if (is->component)
            PUT("-%zu", is->component);
        sep = ", ";
    }
    if (is->line > 1) {
        PUT("%sline %zu", sep, is->line);
        sep = ", ";
    }
    PUT("%s%s", sep[0] ? ": " : "", is->message ? is->message : "");
#undef PUT
    if (n >= size && size > 4)
        memcpy(out + size - 4, "...", 4);
    return out;
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

bool mn_x__x12_is(const mn_x12seg *s, size_t i, const char *lit)
{
    size_t n = strlen(lit);
    return i < s->n && s->len[i] == n && memcmp(s->el[i], lit, n) == 0;
}

void mn_x__x12_copy(char *out, size_t size, const mn_x12seg *s, size_t i)
{
    if (i < s->n)
        copy_slice(out, size, s->el[i], s->len[i]);
    else if (size)
        out[0] = '\0';
}

bool mn_x__x12_amount(int64_t *out, const char *s, size_t len)
{
    bool neg = false;
    int64_t whole = 0;
    int64_t frac = 0;
    int fd = 0;
    size_t i = 0;
    size_t digits = 0;

    if (len && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        i++;
    }
    for (; i < len && mn_x__isdigit(s[i]); i++, digits++) {
        if (whole > INT64_MAX / 100 / 10 - 10)
            return false;
        whole = whole * 10 + (s[i] - '0');
    }
    if (i < len && s[i] == '.') {
        i++;
        for (; i < len && mn_x__isdigit(s[i]); i++, digits++) {
            if (fd < 3) {
                frac = frac * 10 + (s[i] - '0');
                fd++;
            }
        }
    }
    if (i != len || digits == 0)
        return false;
    while (fd < 3) {
        frac *= 10;
        fd++;
    }
    /* thousandths to cents, half away from zero */
    *out = whole * 100 + (frac + 5) / 10;
    if (neg)
        *out = -*out;
    return true;
}

bool mn_x__x12_date(char out[11], const char *s, size_t len)
{
    int32_t d;
    char iso[10];

    if (len != 8)
        return false;
    memcpy(iso, s, 4);
    iso[4] = '-';
    memcpy(iso + 5, s + 4, 2);
    iso[7] = '-';
    memcpy(iso + 8, s + 6, 2);
    if (!mn_x__parse_date(&d, iso, 10, false))
        return false;
    memcpy(out, iso, 10);
    out[10] = '\0';
    return true;
}

/* ------------------------------------------------------------------ */
/* Envelope                                                            */
/* ------------------------------------------------------------------ */

static const struct {
    const char *id;
    const char *what;
} set_names[] = {
    {"837", "health care claim"},
    {"835", "payment and remittance advice"},
    {"999", "implementation acknowledgment"},
    {"997", "functional acknowledgment"},
    {"277", "claim status response"},
    {"276", "claim status request"},
    {"270", "eligibility inquiry"},
    {"271", "eligibility response"},
    {"278", "services review"},
    {"275", "patient information"},
    {"834", "benefit enrollment"},
    {"820", "premium payment"},
    {"824", "application advice"},
};

static const char *set_what(const char *id)
{
    for (size_t i = 0; i < sizeof(set_names) / sizeof(set_names[0]); i++) {
        if (strcmp(set_names[i].id, id) == 0)
            return set_names[i].what;
    }
    return "an unknown transaction set";
}

/* "a claim" or "a remittance": what the reader's sets are. */
static const char *name_of(const mn_x12env *e)
{
    return strcmp(e->o.set_id, "835") == 0 ? "a remittance" : "a claim";
}

/* Ends an open transaction set that had no SE. */
static int close_set(mn_x12env *e, const mn_x12seg *seg, const char *why)
{
    int rc = MN_OK;
    const mn_x12_kept *k;

    if (!e->in_st)
        return MN_OK;
    k = mn_x__x12_issue(e, MN_X12_ERROR, MN_X12_ENVELOPE, MN_EINVAL, seg, 0, 0,
                        NULL, NULL, "transaction set %s has no SE: %s", e->st02,
                        why);
    if (e->accepted)
        rc = e->h.set_end(e->h.self, NULL, k);
    e->in_st = false;
    e->accepted = false;
    return rc;
}

static int close_group(mn_x12env *e, const mn_x12seg *seg, const char *why)
{
    int rc = close_set(e, seg, why);

    if (e->in_gs)
        mn_x__x12_issue(e, MN_X12_WARNING, MN_X12_ENVELOPE, MN_EINVAL, seg, 0,
                        0, NULL, NULL, "functional group %s has no GE: %s",
                        e->gs06, why);
    e->in_gs = false;
    e->gs06[0] = '\0';
    return rc;
}

static int close_interchange(mn_x12env *e, const mn_x12seg *seg,
                             const char *why)
{
    int rc = close_group(e, seg, why);

    if (e->in_isa)
        mn_x__x12_issue(e, MN_X12_WARNING, MN_X12_ENVELOPE, MN_EINVAL, seg, 0,
                        0, NULL, NULL, "interchange %s has no IEA: %s",
                        e->isa13, why);
    e->in_isa = false;
    e->isa13[0] = '\0';
    return rc;
}

static bool count_is(const mn_x12seg *s, size_t i, size_t want)
{
    unsigned long v = 0;
    return i < s->n && mn_x__parse_uint(&v, s->el[i], s->len[i]) && v == want;
}

static bool same_el(const mn_x12seg *s, size_t i, const char *v)
{
    char tmp[32];
    mn_x__x12_copy(tmp, sizeof(tmp), s, i);
    return strcmp(tmp, v) == 0;
}

/* Refuses the set that starts at `st`: its segments are skipped. */
static int refuse(mn_x12env *e, const mn_x12seg *st, int code, size_t element,
                  const char *msg)
{
    int rc = MN_OK;
    const mn_x12_kept *k;

    k = mn_x__x12_issue(e, MN_X12_ERROR, MN_X12_ENVELOPE, code, st, element, 0,
                        NULL, NULL, "%s", msg);
    e->st.refused++;
    e->accepted = false;
    if (e->h.envelope_error)
        rc = e->h.envelope_error(e->h.self, k);
    return rc;
}

static int on_st(mn_x12env *e, const mn_x12seg *s)
{
    char impl[24];
    char msg[240];
    const char *guide = NULL;
    int rc = close_set(e, s, "a new ST began");

    if (rc)
        return rc;
    if (!e->in_isa && !e->bare)
        mn_x__x12_issue(e, MN_X12_WARNING, MN_X12_ENVELOPE, MN_EINVAL, s, 0, 0,
                        NULL, NULL,
                        "ST outside an interchange (no ISA before it)");
    e->in_st = true;
    e->set_segs = 1;
    e->st_in_gs++;
    mn_x__x12_copy(e->st01, sizeof(e->st01), s, 1);
    mn_x__x12_copy(e->st02, sizeof(e->st02), s, 2);
    mn_x__x12_copy(impl, sizeof(impl), s, 3);
    if (!impl[0])
        copy_str(impl, sizeof(impl), e->gs08);
    if (strcmp(e->st01, e->o.set_id) != 0) {
        snprintf(msg, sizeof(msg),
                 "transaction set %s (%s) is not %s: mednec reads %s %s here",
                 e->st01, set_what(e->st01), name_of(e), e->o.set_id,
                 e->o.reads);
        return refuse(e, s, MN_ENOTFOUND, 1, msg);
    }
    if (strncmp(impl, "00401", 5) == 0 ||
        (!impl[0] && strcmp(e->isa12, "00401") == 0)) {
        snprintf(msg, sizeof(msg),
                 "X12 version 4010 (%s) is not read: mednec reads version "
                 "5010 (%s); convert the file to 5010",
                 impl[0] ? impl : "ISA12 00401", e->o.guide_labels);
        return refuse(e, s, MN_EVERSION, s->n > 3 ? 3 : 0, msg);
    }
    for (size_t i = 0; impl[0] && e->o.guides[i] && !guide; i++) {
        if (strncmp(impl, e->o.guides[i], strlen(e->o.guides[i])) == 0)
            guide = e->o.guides[i];
    }
    if (impl[0] && !guide) {
        snprintf(msg, sizeof(msg),
                 "implementation guide %s is not read: mednec reads %s", impl,
                 e->o.guide_labels);
        return refuse(e, s, MN_EVERSION, s->n > 3 ? 3 : 0, msg);
    }
    e->accepted = true;
    e->st.sets++;
    return e->h.set_start(e->h.self, s, impl);
}

static int on_se(mn_x12env *e, const mn_x12seg *s)
{
    int rc = MN_OK;

    if (!e->in_st) {
        mn_x__x12_issue(e, MN_X12_WARNING, MN_X12_ENVELOPE, MN_EINVAL, s, 0, 0,
                        NULL, NULL, "SE without an ST");
        return MN_OK;
    }
    if (!count_is(s, 1, e->set_segs))
        mn_x__x12_issue(
            e, MN_X12_WARNING, MN_X12_ENVELOPE, MN_EINVAL, s, 1, 0, NULL, NULL,
            "SE01 does not count the %zu segments of the set", e->set_segs);
    if (!same_el(s, 2, e->st02))
        mn_x__x12_issue(e, MN_X12_WARNING, MN_X12_ENVELOPE, MN_EINVAL, s, 2, 0,
                        NULL, NULL, "SE02 differs from ST02 %s", e->st02);
    if (e->accepted)
        rc = e->h.set_end(e->h.self, s, NULL);
    e->in_st = false;
    e->accepted = false;
    return rc;
}

static int on_segment(mn_x12env *e, mn_x12seg *s)
{
    int rc = MN_OK;

    switch (s->id) {
    case MN_X12_ID3('I', 'S', 'A'):
        rc = close_interchange(e, s, "a new ISA began");
        e->in_isa = true;
        e->bare = false;
        e->gs_in_isa = 0;
        e->st.interchanges++;
        mn_x__x12_copy(e->isa13, sizeof(e->isa13), s, 13);
        mn_x__x12_copy(e->isa12, sizeof(e->isa12), s, 12);
        break;
    case MN_X12_ID2('G', 'S'):
        rc = close_group(e, s, "a new GS began");
        if (!e->in_isa)
            mn_x__x12_issue(e, MN_X12_WARNING, MN_X12_ENVELOPE, MN_EINVAL, s, 0,
                            0, NULL, NULL, "GS outside an interchange");
        e->in_gs = true;
        e->gs_in_isa++;
        e->st_in_gs = 0;
        mn_x__x12_copy(e->gs06, sizeof(e->gs06), s, 6);
        mn_x__x12_copy(e->gs08, sizeof(e->gs08), s, 8);
        break;
    case MN_X12_ID2('S', 'T'):
        s->set_number = 1;
        rc = on_st(e, s);
        break;
    case MN_X12_ID2('S', 'E'):
        if (e->in_st)
            s->set_number = ++e->set_segs;
        rc = on_se(e, s);
        break;
    case MN_X12_ID2('G', 'E'):
        rc = close_set(e, s, "GE came first");
        if (!e->in_gs) {
            mn_x__x12_issue(e, MN_X12_WARNING, MN_X12_ENVELOPE, MN_EINVAL, s, 0,
                            0, NULL, NULL, "GE without a GS");
            break;
        }
        if (!count_is(s, 1, e->st_in_gs))
            mn_x__x12_issue(e, MN_X12_WARNING, MN_X12_ENVELOPE, MN_EINVAL, s, 1,
                            0, NULL, NULL,
                            "GE01 does not count the %zu transaction sets of "
                            "the group",
                            e->st_in_gs);
        if (!same_el(s, 2, e->gs06))
            mn_x__x12_issue(e, MN_X12_WARNING, MN_X12_ENVELOPE, MN_EINVAL, s, 2,
                            0, NULL, NULL, "GE02 differs from GS06 %s",
                            e->gs06);
        e->in_gs = false;
        e->gs06[0] = '\0';
        e->gs08[0] = '\0';
        break;
    case MN_X12_ID3('I', 'E', 'A'):
        rc = close_group(e, s, "IEA came first");
        if (!e->in_isa) {
            mn_x__x12_issue(e, MN_X12_WARNING, MN_X12_ENVELOPE, MN_EINVAL, s, 0,
                            0, NULL, NULL, "IEA without an ISA");
            break;
        }
        if (!count_is(s, 1, e->gs_in_isa))
            mn_x__x12_issue(e, MN_X12_WARNING, MN_X12_ENVELOPE, MN_EINVAL, s, 1,
                            0, NULL, NULL,
                            "IEA01 does not count the %zu functional groups "
                            "of the interchange",
                            e->gs_in_isa);
        if (!same_el(s, 2, e->isa13))
            mn_x__x12_issue(e, MN_X12_WARNING, MN_X12_ENVELOPE, MN_EINVAL, s, 2,
                            0, NULL, NULL, "IEA02 differs from ISA13 %s",
                            e->isa13);
        e->in_isa = false;
        e->isa13[0] = '\0';
        break;
    default:
        if (e->in_st) {
            s->set_number = ++e->set_segs;
            if (e->set_segs > e->o.max_set_segments) {
                if (e->accepted) {
                    const mn_x12_kept *k = mn_x__x12_issue(
                        e, MN_X12_ERROR, MN_X12_ENVELOPE, MN_ELIMIT, s, 0, 0,
                        NULL, NULL,
                        "transaction set %s has more than %zu segments",
                        e->st02, e->o.max_set_segments);
                    rc = e->h.set_end(e->h.self, NULL, k);
                    e->accepted = false;
                }
            } else if (e->accepted) {
                rc = e->h.segment(e->h.self, s);
            }
        } else if (s->id != MN_X12_ID3('T', 'A', '1')) {
            char id[4];
            mn_x__x12_copy(id, sizeof(id), s, 0);
            mn_x__x12_issue(e, MN_X12_WARNING, MN_X12_ENVELOPE, MN_EINVAL, s, 0,
                            0, NULL, NULL,
                            "segment %s outside a transaction set", id);
        }
        break;
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* Scanner                                                             */
/* ------------------------------------------------------------------ */

static uint32_t pack_id(const char *s, size_t n)
{
    uint32_t id = 0;

    if (n < 2 || n > 3 || !(s[0] >= 'A' && s[0] <= 'Z'))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || mn_x__isdigit(c)))
            return 0;
        id = (id << 8) | (unsigned char)c;
    }
    return id;
}

/* A segment of an open set that could not be read: the reader decides
 * what that costs (the claim it belongs to). */
static int lost(mn_x12env *e)
{
    if (!e->in_st)
        return MN_OK;
    e->set_segs++;
    if (e->accepted && e->h.segment_lost)
        return e->h.segment_lost(e->h.self, &e->kept);
    return MN_OK;
}

/* Eight bytes at a time where a uint64_t holds them in input order. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SWAR 1
#else
#define SWAR 0
#endif

/* One segment of `n` bytes at input offset `off`, without terminator. */
static int segment(mn_x12env *e, const char *s, size_t n, size_t off)
{
    mn_x12seg seg;
    size_t count = 1;
    size_t start = 0;

    if (e->term == '\n' && n && s[n - 1] == '\r')
        n--;
    memset(&seg, 0, sizeof(seg));
    if (n == 0) {
        seg.number = ++e->st.segments;
        seg.offset = off;
        seg.line = e->line;
        mn_x__x12_issue(e, MN_X12_WARNING, MN_X12_SYNTAX, MN_EINVAL, &seg, 0, 0,
                        NULL, NULL, "empty segment");
        return MN_OK;
    }
    seg.el = e->el;
    seg.len = e->len;
    seg.number = ++e->st.segments;
    seg.offset = off;
    seg.line = e->line;
    e->el[0] = s;
    {
        /* the element separators, eight bytes at a time: a byte equal
           to the separator becomes zero in `x`; the zero-byte test may
           also flag a byte above a real zero, so each is checked */
        const uint64_t ones = 0x0101010101010101ULL;
        const uint64_t pat = ones * (unsigned char)e->elem;
        size_t base = 0;
        while (base < n) {
            uint64_t t;
            if (SWAR && n - base >= 8) {
                uint64_t w;
                uint64_t x;
                memcpy(&w, s + base, 8);
                x = w ^ pat;
                t = (x - ones) & ~x & (ones << 7);
            } else {
                size_t m = n - base < 8 ? n - base : 8;
                t = 0;
                for (size_t k = 0; k < m; k++)
                    t |= (uint64_t)(s[base + k] == e->elem) << (8 * k + 7);
            }
            for (; t; t &= t - 1) {
                size_t i = base + (size_t)(__builtin_ctzll(t) >> 3);
                if (s[i] != e->elem)
                    continue;
                if (count == e->o.max_elements) {
                    seg.n = 1;
                    e->len[0] = (uint32_t)(i < 3 ? i : 3);
                    mn_x__x12_issue(e, MN_X12_ERROR, MN_X12_SYNTAX, MN_ELIMIT,
                                    &seg, 0, 0, NULL, NULL,
                                    "segment has more than %zu elements",
                                    e->o.max_elements);
                    return lost(e);
                }
                e->len[count - 1] = (uint32_t)(i - start);
                e->el[count++] = s + i + 1;
                start = i + 1;
            }
            base += 8;
        }
    }
    e->len[count - 1] = (uint32_t)(n - start);
    seg.n = count;
    seg.id = pack_id(e->el[0], e->len[0]);
    if (n > e->o.max_segment) {
        mn_x__x12_issue(e, MN_X12_ERROR, MN_X12_SYNTAX, MN_ELIMIT, &seg, 0, 0,
                        NULL, NULL, "segment longer than %zu bytes",
                        e->o.max_segment);
        return lost(e);
    }
    return on_segment(e, &seg);
}

static bool is_ws(char c)
{
    return c == '\r' || c == '\n' || c == ' ' || c == '\t';
}

static bool alnum(char c)
{
    return mn_x__isdigit(c) || mn_x__isalpha(c);
}

/* The widths of ISA01 .. ISA16. */
static const unsigned char isa_width[16] = {2, 10, 2, 10, 2, 15, 2, 15,
                                            6, 4,  1, 5,  9, 1,  1, 1};

/* Reads the fixed-width ISA at `b` (ISA_LEN bytes): separators, then the
 * segment itself. False (and an error) when it is malformed. */
static bool isa(mn_x12env *e, const char *b, size_t off, int *rc)
{
    char el = b[3];
    size_t at = 4;
    mn_x12seg seg;

    memset(&seg, 0, sizeof(seg));
    seg.el = e->el;
    seg.len = e->len;
    e->el[0] = b;
    e->len[0] = 3;
    seg.n = 1;
    seg.number = e->st.segments + 1;
    seg.offset = off;
    seg.line = e->line;
    seg.id = MN_X12_ID3('I', 'S', 'A');
    *rc = MN_OK;
    if (alnum(el) || is_ws(el) || el == '\0') {
        e->st.segments++;
        mn_x__x12_issue(e, MN_X12_ERROR, MN_X12_SYNTAX, MN_EINVAL, &seg, 0, 0,
                        NULL, NULL,
                        "the ISA has no element separator after 'ISA'; the "
                        "interchange is skipped");
        return false;
    }
    for (size_t i = 0; i < 16; i++) {
        size_t w = isa_width[i];
        size_t k = 0;
        /* the actual width of this element, to name the one that is off */
        while (at + k < ISA_LEN && b[at + k] != el)
            k++;
        if (k != w && i < 15) {
            e->st.segments++;
            mn_x__x12_issue(
                e, MN_X12_ERROR, MN_X12_SYNTAX, MN_EINVAL, &seg, i + 1, 0, NULL,
                NULL,
                "ISA%02zu is %zu characters: the ISA is fixed-width "
                "and ISA%02zu takes %zu, so its separators cannot "
                "be found; the interchange is skipped",
                i + 1, k, i + 1, w);
            return false;
        }
        at += w;
        if (i < 15)
            at++; /* the separator */
    }
    e->comp = b[104];
    e->term = b[105];
    if (e->comp == el || e->term == el || e->comp == e->term ||
        alnum(e->comp) || alnum(e->term)) {
        e->st.segments++;
        mn_x__x12_issue(e, MN_X12_ERROR, MN_X12_SYNTAX, MN_EINVAL, &seg, 16, 0,
                        NULL, NULL,
                        "the ISA's separators are not distinct "
                        "non-alphanumeric characters; the interchange is "
                        "skipped");
        return false;
    }
    e->elem = el;
    e->rep = memcmp(b + 84, "00501", 5) >= 0 && !alnum(b[82]) ? b[82] : 0;
    e->state = S_STREAM;
    *rc = segment(e, b, ISA_LEN - 1, off);
    return true;
}

/* Scans `len` bytes at input offset e->base. Sets *used to the bytes
 * consumed: everything but an incomplete segment (all of it when
 * `final`). */
static int process(mn_x12env *e, const char *buf, size_t len, bool final,
                   size_t *used)
{
    size_t p = 0;
    int rc = MN_OK;

    if (!e->bom_checked && (len >= 3 || final)) {
        e->bom_checked = true;
        if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
            p = 3;
    } else if (!e->bom_checked) {
        *used = 0;
        return MN_OK;
    }
    while (rc == MN_OK && p < len) {
        const char *q;
        size_t end;
        if (e->skip_long) {
            q = memchr(buf + p, e->term, len - p);
            if (!q) {
                p = len;
                break;
            }
            p = (size_t)(q - buf) + 1;
            e->skip_long = false;
            continue;
        }
        while (p < len && is_ws(buf[p])) {
            if (buf[p] == '\n')
                e->line++;
            p++;
        }
        if (p == len)
            break;
        if (e->state == S_SKIP) {
            /* after a broken ISA: nothing can be read before the next */
            size_t k = p;
            while (k + 3 <= len && memcmp(buf + k, "ISA", 3) != 0) {
                if (buf[k] == '\n')
                    e->line++;
                k++;
            }
            if (k + 3 > len && !final) {
                p = len >= 2 && len - 2 > p ? len - 2 : p;
                break;
            }
            if (k + 3 > len) {
                p = len;
                break;
            }
            p = k;
            e->state = S_START;
        }
        if (len - p < 4 && !final)
            break; /* "ISA" and its separator decide what comes */
        if (len - p >= 4 && memcmp(buf + p, "ISA", 3) == 0 &&
            !alnum(buf[p + 3])) {
            if (len - p < ISA_LEN) {
                if (!final)
                    break;
                e->st.segments++;
                mn_x__x12_issue(e, MN_X12_ERROR, MN_X12_SYNTAX, MN_EINVAL, NULL,
                                0, 0, NULL, NULL,
                                "the input ends inside an ISA");
                p = len;
                break;
            }
            rc = close_interchange(e, NULL, "a new ISA began");
            if (rc == MN_OK && !isa(e, buf + p, e->base + p, &rc)) {
                e->state = S_SKIP;
                if (e->h.envelope_error)
                    rc = e->h.envelope_error(e->h.self, &e->kept);
                p += 3;
                continue;
            }
            p += ISA_LEN;
            continue;
        }
        if (e->state == S_START) {
            if (len - p >= 3 && buf[p] == 'S' && buf[p + 1] == 'T' &&
                !alnum(buf[p + 2])) {
                /* a transaction set without an envelope */
                e->elem = buf[p + 2];
                e->comp = ':';
                e->rep = '^';
                e->term = '~';
                e->bare = true;
                e->state = S_STREAM;
            } else if ((len - p >= 2 && ((unsigned char)buf[p] == 0xff &&
                                         (unsigned char)buf[p + 1] == 0xfe)) ||
                       (len - p >= 4 && buf[p] == 'I' && buf[p + 1] == 0 &&
                        buf[p + 2] == 'S' && buf[p + 3] == 0)) {
                mn_x__x12_issue(e, MN_X12_ERROR, MN_X12_SYNTAX, MN_EINVAL, NULL,
                                0, 0, NULL, NULL,
                                "the input is UTF-16 text: X12 is read as "
                                "ASCII or UTF-8; convert the file");
                e->state = S_SKIP;
                if (e->h.envelope_error)
                    rc = e->h.envelope_error(e->h.self, &e->kept);
                p = len; /* nothing in it can be read */
                continue;
            } else {
                char head[4];
                size_t k = 0;
                while (k < 3 && p + k < len && alnum(buf[p + k])) {
                    head[k] = buf[p + k];
                    k++;
                }
                head[k] = '\0';
                mn_x__x12_issue(e, MN_X12_ERROR, MN_X12_SYNTAX, MN_EINVAL, NULL,
                                0, 0, NULL, NULL,
                                "not an X12 interchange: the input starts "
                                "with '%s' instead of an ISA header",
                                head);
                e->state = S_SKIP;
                if (e->h.envelope_error)
                    rc = e->h.envelope_error(e->h.self, &e->kept);
                p++;
                continue;
            }
        }
        q = memchr(buf + p, e->term, len - p);
        if (!q && !final) {
            if (len - p > e->o.max_segment) {
                mn_x12seg seg;
                memset(&seg, 0, sizeof(seg));
                seg.number = ++e->st.segments;
                seg.offset = e->base + p;
                seg.line = e->line;
                mn_x__x12_issue(
                    e, MN_X12_ERROR, MN_X12_SYNTAX, MN_ELIMIT, &seg, 0, 0, NULL,
                    NULL, "segment longer than %zu bytes", e->o.max_segment);
                e->skip_long = true;
                rc = lost(e);
                p = len;
            }
            break;
        }
        end = q ? (size_t)(q - buf) : len;
        if (!q)
            mn_x__x12_issue(e, MN_X12_WARNING, MN_X12_SYNTAX, MN_EINVAL, NULL,
                            0, 0, NULL, NULL,
                            "the last segment has no segment terminator");
        rc = segment(e, buf + p, end - p, e->base + p);
        p = q ? end + 1 : len;
    }
    *used = p;
    return rc;
}

int mn_x__x12env_feed(mn_x12env *e, const char *data, size_t len)
{
    int rc = MN_OK;
    size_t used = 0;

    e->st.bytes += len;
    while (rc == MN_OK && len) {
        if (e->carry.len == 0) {
            rc = process(e, data, len, false, &used);
            e->base += used;
            data += used;
            len -= used;
            if (rc == MN_OK && len) {
                /* an incomplete segment: keep it for the next chunk */
                rc = mn_x__vec_push(&e->carry, data, len);
                len = 0;
            }
        } else {
            /* complete the kept segment with the next piece of input: up
               to the next terminator, or a small piece before the
               separators are known or when there is no terminator */
            size_t piece = len < 4096 ? len : 4096;
            const char *q =
                e->state == S_STREAM ? memchr(data, e->term, len) : NULL;
            if (q)
                piece = (size_t)(q - data) + 1;
            if (piece > e->o.max_segment + ISA_LEN)
                piece = len < 4096 ? len : 4096;
            rc = mn_x__vec_push(&e->carry, data, piece);
            data += piece;
            len -= piece;
            if (rc == MN_OK)
                rc = process(e, (const char *)e->carry.data, e->carry.len,
                             false, &used);
            if (rc == MN_OK) {
                e->base += used;
                memmove(e->carry.data, e->carry.data + used,
                        e->carry.len - used);
                e->carry.len -= used;
            }
        }
    }
    return rc;
}

int mn_x__x12env_finish(mn_x12env *e)
{
    int rc = MN_OK;
    size_t used = 0;

    if (e->carry.len) {
        rc = process(e, (const char *)e->carry.data, e->carry.len, true, &used);
        e->base += e->carry.len;
        e->carry.len = 0;
    }
    if (rc == MN_OK)
        rc = close_set(e, NULL, "the input ended");
    if (rc == MN_OK && (e->in_gs || e->in_isa))
        rc = close_interchange(e, NULL, "the input ended");
    if (rc == MN_OK && e->st.segments == 0 && e->state == S_START)
        mn_x__x12_issue(e, MN_X12_ERROR, MN_X12_SYNTAX, MN_EINVAL, NULL, 0, 0,
                        NULL, NULL, "the input is empty");
    return rc;
}

int mn_x__x12env_new(mn_x12env **out, const mn_x12env_options *o,
                     const mn_x12_handler *h)
{
    mn_x12env *e = mn_x__calloc(1, sizeof(*e));

    *out = NULL;
    if (!e)
        return MN_ENOMEM;
    e->o = *o;
    e->h = *h;
    if (!e->o.max_segment)
        e->o.max_segment = DEF_MAX_SEGMENT;
    if (!e->o.max_elements)
        e->o.max_elements = DEF_MAX_ELEMENTS;
    if (e->o.max_elements < 17)
        e->o.max_elements = 17; /* an ISA must fit */
    if (!e->o.max_set_segments)
        e->o.max_set_segments = DEF_MAX_SET_SEGMENTS;
    e->carry.max = e->o.max_segment + 8192;
    e->line = 1;
    e->el = mn_x__calloc(e->o.max_elements, sizeof(*e->el));
    e->len = mn_x__calloc(e->o.max_elements, sizeof(*e->len));
    if (!e->el || !e->len) {
        mn_x__x12env_free(e);
        return MN_ENOMEM;
    }
    *out = e;
    return MN_OK;
}

void mn_x__x12env_free(mn_x12env *e)
{
    if (!e)
        return;
    mn_x__vec_free(&e->carry);
    mn_x__free(e->el);
    mn_x__free(e->len);
    mn_x__free(e);
}

void mn_x__x12env_stats(mn_x12env_stats *out, const mn_x12env *e)
{
    *out = e->st;
}

char mn_x__x12env_comp(const mn_x12env *e)
{
    return e->comp;
}

const char *mn_x__x12env_interchange(const mn_x12env *e)
{
    return e->isa13;
}

const char *mn_x__x12env_transaction(const mn_x12env *e)
{
    return e->st02;
}

int mn_x__x12env_step(mn_x12env *e, int *state, const char *data, size_t len,
                      bool finish, mn_error *err)
{
    int rc = *state;

    if (!rc)
        rc = finish ? mn_x__x12env_finish(e) : mn_x__x12env_feed(e, data, len);
    if (!rc)
        rc = *state; /* set by a callback */
    if (rc == MN_ENOMEM)
        mn_x__err(err, rc, "out of memory");
    else if (rc)
        mn_x__err(err, rc, "stopped by the caller");
    *state = rc;
    return rc;
}
