/*
 * doc/data.h: the document data (internal): section files and what is
 * read from them (ABN editions, letter templates, the checklist, appeal
 * levels). The format is documented in docs/documents.md.
 */
#ifndef MN_DOC_DATA_H
#define MN_DOC_DATA_H

#include <regex.h>

#include "doc/doc_int.h"

/* A section file: `key: value` header lines, then `[name]` sections of
 * text. Everything points into the data's arena. */
typedef struct sf_section {
    const char *name;
    const char *text; /* lines joined with '\n', outer blank lines trimmed */
    size_t line;      /* line of the [name] header */
} sf_section;

typedef struct sf_file {
    const char *name; /* "abn/cms-r-131-2023-en.txt" */
    size_t n_keys;
    const char **keys;
    const char **vals;
    size_t n_secs;
    sf_section *secs;
} sf_file;

#define SF_MAX_BYTES ((size_t)1 << 20)
#define SF_MAX_SECTIONS 512
#define SF_MAX_KEYS 64

/* Parses `text` as a section file named `name`. MN_EINVAL with the file
 * and line, MN_ELIMIT, MN_ENOMEM. */
int mn_x__sf_parse(sf_file *out, mn_arena *a, const char *name,
                   const char *text, size_t len, mn_error *err);
/* A header value, or NULL. */
const char *mn_x__sf_get(const sf_file *f, const char *key);
/* A section, or NULL. */
const sf_section *mn_x__sf_section(const sf_file *f, const char *name);
/* The value of `key: value` line `index` (0: the first with that key)
 * inside a section's text, copied into the arena; NULL when absent, or
 * when the copy fails (then *nomem is set). */
const char *mn_x__sf_kv(mn_arena *a, const char *text, const char *key,
                        size_t index, int *nomem);

/* One ABN edition. */
typedef struct abn_edition {
    mn_abn_edition_info info;
    const sf_file *file;
    int32_t from;                /* in_use_from, days */
    int32_t until;               /* MN_FOREVER when open */
    int32_t expires;             /* MN_NODATE when not given */
    const char *unverified_list; /* "notice, signing" or NULL */
} abn_edition;

/* Kinds of letters (templates and checklist). */
typedef enum letter_kind {
    LK_LAB = 0,
    LK_IMAGING,
    LK_DME,
    LK_THERAPY,
    LK_DRUG,
    LK_COUNT
} letter_kind;
const char *mn_x__letter_kind_name(letter_kind k);
int mn_x__letter_kind_parse(letter_kind *out, const char *s);

#define CHECK_MAX_PATTERNS 12
typedef struct check_el {
    const char *id;
    const char *title;
    int dme_only; /* checked for DME letters only */
    int required;
    const char *validate; /* "f2f_timing" or NULL */
    size_t n_re;
    regex_t re[CHECK_MAX_PATTERNS];
} check_el;

struct mn_docdata {
    mn_arena *arena;
    sf_file *files;
    size_t n_files;
    abn_edition *eds; /* sorted by language, then in_use_from */
    size_t n_eds;
    const sf_file *tpl[LK_COUNT];
    check_el *els;
    size_t n_els;
    const sf_file *levels; /* appeal/levels.txt */
};

#endif
