/*
 * check/place.c: where a claim is judged, and whether a local policy
 * applies there on a date (kb/mcd_fmt.h places, claim/jurisdiction.h
 * areas).
 */
#include <string.h>

#include "check/check.h"
#include "kb/kb_int.h"
#include "kb/mcd_fmt.h"

/* Adds a stored place (state, part code) to an area. */
static void add_code(mn_area *a, unsigned state, unsigned part)
{
    if (part == KB_PART_WHOLE)
        mn_x__area_add_state(a, (int)state);
    else if (part == KB_PART_OTHER)
        mn_x__area_add_part(a, (int)state, -2);
    else
        mn_x__area_add_part(a, (int)state, (int)part - 1);
}

bool mn_x__place_claim_area(const mn_kb *kb, const char *jurisdiction,
                            const mn_area *parsed, int32_t date, mn_area *out)
{
    size_t len = jurisdiction ? strlen(jurisdiction) : 0;
    size_t n = 0;
    const kb_cplace *c;
    bool digits = len == 5;

    for (size_t i = 0; digits && i < len; i++)
        digits = mn_x__isdigit((unsigned char)jurisdiction[i]);
    memset(out, 0, sizeof(*out));
    c = digits ? mn_x__kb_cplaces(kb, jurisdiction, len, &n) : NULL;
    for (size_t i = 0; i < n; i++) {
        if (date == MN_NODATE || kb_place_on(c[i].active, c[i].term, date))
            add_code(out, c[i].state, c[i].part);
    }
    if (!mn_x__area_empty(out)) {
        mn_x__area_normalise(out);
        return true;
    }
    if (parsed)
        *out = *parsed;
    return !mn_x__area_empty(out);
}

mn_area_match mn_x__place_match(const mn_kb *kb, uint32_t policy,
                                const mn_area *claim, int32_t date,
                                mn_place_why *why)
{
    const kb_policy *p = &kb->pol[policy];
    mn_area sure;
    mn_area maybe;
    size_t n = 0;
    const kb_place *pl;
    mn_area_match m;

    *why = MN_PLACE_CERTAIN;
    if (p->kind == MN_PK_NCD)
        return MN_AREA_DEFINITE;
    if (p->flags & MN_PF_PLACE_UNKNOWN) {
        *why = MN_PLACE_UNKNOWN;
        return MN_AREA_POSSIBLE;
    }
    if (!(p->states & mn_x__area_states(claim)))
        return MN_AREA_NONE;
    pl = mn_x__kb_places(kb, policy, &n);
    if (!claim->parts && !claim->partial) {
        /* whole states against whole states: masks (the usual case) */
        uint64_t sure_w = 0;
        uint64_t maybe_w = 0;
        size_t i;
        for (i = 0; i < n; i++) {
            uint64_t bit = (uint64_t)1 << pl[i].state;
            if (pl[i].part != KB_PART_WHOLE)
                break;
            if (date != MN_NODATE &&
                !kb_place_on(pl[i].active, pl[i].term, date))
                continue;
            if (pl[i].flags & KB_PL_MAYBE)
                maybe_w |= bit;
            else
                sure_w |= bit;
        }
        if (i == n) {
            if (!(claim->whole & (sure_w | maybe_w)))
                return MN_AREA_NONE;
            if (!(claim->whole & ~sure_w))
                return MN_AREA_DEFINITE;
            *why = claim->whole & sure_w ? MN_PLACE_PART : MN_PLACE_SEVERAL;
            return MN_AREA_POSSIBLE;
        }
    }
    memset(&sure, 0, sizeof(sure));
    memset(&maybe, 0, sizeof(maybe));
    for (size_t i = 0; i < n; i++) {
        mn_area *to = (pl[i].flags & KB_PL_MAYBE) ? &maybe : &sure;
        if (date != MN_NODATE && !kb_place_on(pl[i].active, pl[i].term, date))
            continue;
        if (pl[i].part == KB_PART_WHOLE)
            to->whole |= (uint64_t)1 << pl[i].state;
        else
            add_code(to, pl[i].state, pl[i].part);
    }
    mn_x__area_normalise(&sure);
    m = mn_x__area_match(claim, &sure, &maybe);
    if (m == MN_AREA_POSSIBLE)
        *why = mn_x__area_empty(&maybe) || mn_x__area_match(claim, &sure, NULL)
                   ? MN_PLACE_PART
                   : MN_PLACE_SEVERAL;
    return m;
}
