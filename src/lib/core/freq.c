/*
 * core/freq.c: frequency semantics of the service rules (see core/freq.h).
 */
#include <stdlib.h>

#include "core/freq.h"
#include "core/util.h"

/* Floor division for month arithmetic on dates before 1970 too. */
static int32_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return (int32_t)q;
}

/* Clamps a day count into the date range (below MN_FOREVER). */
static int32_t clamp_day(int64_t d)
{
    if (d >= (int64_t)MN_FOREVER)
        return MN_FOREVER - 1;
    if (d <= (int64_t)MN_NODATE)
        return MN_NODATE + 1;
    return (int32_t)d;
}

int32_t mn_x__freq_month_index(int32_t day)
{
    int y;
    int m;
    int d;
    mn_x__civil_from_days(day, &y, &m, &d);
    return y * 12 + (m - 1);
}

int32_t mn_x__freq_month_first(int32_t month_index)
{
    int32_t y = floor_div(month_index, 12);
    int32_t m = month_index - y * 12 + 1;
    return mn_x__days_from_civil((int)y, (int)m, 1);
}

int32_t mn_x__freq_add_months(int32_t day, int32_t months)
{
    int y;
    int m;
    int d;
    int32_t target;
    int32_t first;
    int32_t days_in;

    mn_x__civil_from_days(day, &y, &m, &d);
    target = (int32_t)y * 12 + (m - 1) + months;
    first = mn_x__freq_month_first(target);
    days_in = mn_x__freq_month_first(target + 1) - first;
    return first + (d <= days_in ? d : days_in) - 1;
}

int32_t mn_x__freq_expiry(int unit, uint32_t period, int32_t prior)
{
    int32_t r = MN_FOREVER;

    switch (unit) {
    case MN_FREQ_DAYS:
        r = clamp_day((int64_t)prior + period);
        break;
    case MN_FREQ_MONTHS:
        r = mn_x__freq_add_months(prior, (int32_t)period);
        break;
    case MN_FREQ_FULL_MONTHS:
        r = mn_x__freq_month_first(mn_x__freq_month_index(prior) +
                                   (int32_t)period + 1);
        break;
    case MN_FREQ_CALENDAR_YEAR:
        r = mn_x__freq_month_first((mn_x__freq_month_index(prior) / 12 + 1) *
                                   12);
        break;
    default:
        break; /* lifetime (and anything unknown): counts for ever */
    }
    return r;
}

bool mn_x__freq_counts(int unit, uint32_t period, int32_t prior, int32_t date)
{
    return prior <= date && date < mn_x__freq_expiry(unit, period, prior);
}

bool mn_x__freq_spaced(int unit, uint32_t spacing, int32_t prior, int32_t date)
{
    if (unit == MN_FREQ_NONE || prior > date)
        return true;
    return date >= mn_x__freq_expiry(unit, spacing, prior);
}

static int cmp_item(const void *x, const void *y)
{
    const mn_freq_item *a = x;
    const mn_freq_item *b = y;
    if (a->expiry != b->expiry)
        return a->expiry < b->expiry ? -1 : 1;
    return (a->date > b->date) - (a->date < b->date);
}

void mn_x__freq_eval(mn_freq_verdict *out, const mn_freq *f,
                     mn_freq_item *items, size_t n, int32_t date,
                     uint32_t units)
{
    size_t nc = 0;
    uint64_t used = 0;
    int32_t latest = MN_NODATE;
    int32_t next = date;
    int32_t blocking = MN_NODATE;

    out->allowed = true;
    out->counted = 0;
    out->next = MN_NODATE;
    out->blocking = MN_NODATE;
    out->by_spacing = false;
    out->units_exceed = false;

    /* the prior services that count go to the front */
    for (size_t i = 0; i < n; i++) {
        mn_freq_item it = items[i];
        if (it.date > date)
            continue;
        if (latest == MN_NODATE || it.date > latest)
            latest = it.date;
        it.expiry = mn_x__freq_expiry(f->unit, f->period, it.date);
        if (it.expiry <= date)
            continue;
        items[i] = items[nc];
        items[nc++] = it;
        used += it.units;
    }
    out->counted = used > UINT32_MAX ? UINT32_MAX : (uint32_t)used;
    if (units > f->n) {
        out->allowed = false;
        out->units_exceed = true;
        out->next = MN_FOREVER;
        return;
    }
    if (used + units > f->n) {
        /* the first expiry after which few enough units still count */
        uint64_t rem = used;
        if (nc > 1)
            qsort(items, nc, sizeof(*items), cmp_item);
        for (size_t i = 0; i < nc; i++) {
            rem -= items[i].units;
            if (i + 1 < nc && items[i + 1].expiry == items[i].expiry)
                continue;
            if (rem + units <= f->n) {
                next = items[i].expiry;
                blocking = items[i].date;
                break;
            }
        }
        out->allowed = false;
    }
    if (f->spacing_unit != MN_FREQ_NONE && latest != MN_NODATE &&
        !mn_x__freq_spaced(f->spacing_unit, f->spacing, latest, date)) {
        int32_t sp = mn_x__freq_expiry(f->spacing_unit, f->spacing, latest);
        if (out->allowed || sp > next) {
            next = sp;
            blocking = latest;
            out->by_spacing = true;
        }
        out->allowed = false;
    }
    if (!out->allowed) {
        out->next = next;
        out->blocking = blocking;
    }
}
