/*
 * core/freq.h: frequency semantics of the service rules (internal).
 *
 * Pure functions over dates in days since 1970-01-01 (proleptic
 * Gregorian); no allocation, no state, thread-safe. Every window is
 * described by the day a prior service stops counting against a new one
 * (its "expiry"): a service on day P counts against a service on day D
 * exactly when P <= D < expiry(P). The new service is payable when the
 * units of the prior services that still count, plus its own units, stay
 * within the limit; the day it becomes payable again is the first expiry
 * at which that holds. See docs/rules.md ("Frequency").
 */
#ifndef MN_FREQ_H
#define MN_FREQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Window units. */
typedef enum mn_freq_unit {
    MN_FREQ_NONE = 0,
    /* n per lifetime: a prior service never stops counting */
    MN_FREQ_LIFETIME,
    /* n per rolling window of `period` days: a service on P counts until
       P + period (exclusive) */
    MN_FREQ_DAYS,
    /* n per rolling `period` calendar months: a service on P counts until
       the same day of the month `period` months later (the last day of
       that month when it is shorter: Jan 31 + 1 month = Feb 28/29) */
    MN_FREQ_MONTHS,
    /* n per "`period` full months have passed following the month of the
       last service" (CMS "annual" = 11): a service in month M counts until
       the first day of month M + period + 1 */
    MN_FREQ_FULL_MONTHS,
    /* n per calendar year: a service counts until January 1 of the next
       year */
    MN_FREQ_CALENDAR_YEAR,
    MN_FREQ_UNIT_COUNT_
} mn_freq_unit;

/* Longest periods accepted (the parser enforces them). */
#define MN_FREQ_MAX_DAYS 36600u
#define MN_FREQ_MAX_MONTHS 1200u
#define MN_FREQ_MAX_N 1000u

/* A frequency limit: `n` services per window, and optionally a minimum
 * spacing after the latest prior service (spacing_unit MN_FREQ_DAYS,
 * MN_FREQ_MONTHS or MN_FREQ_FULL_MONTHS; MN_FREQ_NONE for none). */
typedef struct mn_freq {
    int unit;        /* mn_freq_unit */
    uint32_t n;      /* 1 or more */
    uint32_t period; /* days or months; unused for lifetime, calendar year */
    int spacing_unit;
    uint32_t spacing;
} mn_freq;

/* One prior service as the frequency check sees it. */
typedef struct mn_freq_item {
    int32_t date;
    uint32_t units; /* weight: 1 or more */
    int32_t expiry; /* scratch: filled by mn_x__freq_eval */
} mn_freq_item;

/* The verdict of mn_x__freq_eval. */
typedef struct mn_freq_verdict {
    bool allowed;
    uint32_t counted; /* units of prior services that count on the date */
    /* when not allowed: the first day the service is payable again
       (MN_FOREVER: never, e.g. once per lifetime), and the prior service
       that holds it back until then (MN_NODATE when only the service's
       own units exceed the limit) */
    int32_t next;
    int32_t blocking;
    bool by_spacing;   /* the spacing rule decides `next` */
    bool units_exceed; /* the line's own units exceed the limit */
} mn_freq_verdict;

/* Month index of a day: year * 12 + (month - 1). */
int32_t mn_x__freq_month_index(int32_t day);
/* First day of a month index. */
int32_t mn_x__freq_month_first(int32_t month_index);
/* `day` plus `months` calendar months, clamped to the end of the target
 * month (2024-01-31 + 1 = 2024-02-29). */
int32_t mn_x__freq_add_months(int32_t day, int32_t months);
/* The first day on which a service on `prior` no longer counts (MN_FOREVER
 * for a lifetime limit or an unknown unit). */
int32_t mn_x__freq_expiry(int unit, uint32_t period, int32_t prior);
/* True when a service on `prior` counts against one on `date`. */
bool mn_x__freq_counts(int unit, uint32_t period, int32_t prior, int32_t date);
/* True when `spacing` (in `unit`) is respected between services on `prior`
 * and `date` (MN_FREQ_NONE: always). */
bool mn_x__freq_spaced(int unit, uint32_t spacing, int32_t prior, int32_t date);

/*
 * Judges a new service of `units` units on `date` against `n` prior
 * services of the same family. Items dated after `date` are ignored.
 * The items are reordered and their `expiry` overwritten.
 */
void mn_x__freq_eval(mn_freq_verdict *out, const mn_freq *f,
                     mn_freq_item *items, size_t n, int32_t date,
                     uint32_t units);

#endif
