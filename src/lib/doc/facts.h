/*
 * doc/facts.h: reading a parsed facts file (internal; doc/facts.c). Paths
 * are dotted ("prescriber.npi"). Strings are borrowed from the facts;
 * blank strings read as NULL.
 */
#ifndef MN_DOC_FACTS_H
#define MN_DOC_FACTS_H

#include "doc/doc_int.h"

/* True for a 10-digit NPI with a correct check digit. */
bool mn_x__npi_valid(const char *s);
const char *mn_x__facts_str(const mn_facts *f, const char *path);
/* Entries of the list at `path` (0 when absent). */
size_t mn_x__facts_count(const mn_facts *f, const char *path);
/* Field `field` of entry i of a list of objects, or entry i of a list of
 * strings when `field` is NULL. */
const char *mn_x__facts_elem(const mn_facts *f, const char *path, size_t i,
                             const char *field);
/* A money field of entry i, in cents, or MN_NO_AMOUNT. */
int64_t mn_x__facts_elem_money(const mn_facts *f, const char *path, size_t i,
                               const char *field);

#endif
