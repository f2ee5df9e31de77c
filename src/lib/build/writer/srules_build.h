/*
 * build/writer/srules_build.h: the builder interface of the service rules
 * (kb/srules_fmt.h): build/writer/rules.c compiles rule packs into it,
 * build/load/load_ipo.c adds the inpatient-only lists, srules_write.c writes
 * the sections.
 */
#ifndef MN_BUILD_SRULES_BUILD_H
#define MN_BUILD_SRULES_BUILD_H

#include "build/writer/kbb.h"
#include "kb/srules_fmt.h"

/*
 * The builder side: build/writer/rules.c hands over one compiled rule at a
 * time. The record's kb_str fields and list ranges are ignored; the text and
 * lists come from the definition, and everything is copied.
 */
typedef struct mn_srule_def {
    kb_srule rec; /* dates, flags, limits, modifiers, POS, CARC/RARC */
    const char *id;
    const char *pack;
    const char *source;
    const char *exclude; /* NULL when absent, likewise below */
    const char *doc;
    const char *more_often;
    const mn_key *codes; /* ignored with SR_F_ANY_CODE */
    size_t n_codes;
    const mn_key *family; /* n_family 0: the codes */
    size_t n_family;
    const kb_srdx *when_dx;
    size_t n_when_dx;
    const kb_srdx *unless_dx;
    size_t n_unless_dx;
} mn_srule_def;

/* Starts a compile unit (one rule-pack text) and returns its number in
 * *unit. MN_OK or MN_ENOMEM. */
int mn_x__srules_begin(mn_kbb *b, unsigned *unit);
/*
 * Adds a rule to the builder. A rule id defined twice in one unit is an
 * error (MN_EINVAL, *dup set); a rule id an earlier unit defined is
 * skipped (MN_OK, *dup set), so that packs given to `mednec build`
 * override the built-in packs, which are compiled last. MN_ENOMEM when
 * out of memory.
 */
int mn_x__srules_add(mn_kbb *b, const mn_srule_def *def, unsigned unit,
                     bool *dup);

#endif
