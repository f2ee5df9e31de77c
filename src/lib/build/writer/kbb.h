/*
 * build/writer/kbb.h: the in-memory knowledge-base builder (internal).
 *
 * Source loaders (load_*.c) parse official files and feed rows in here;
 * build/writer/kbb.c merges, deduplicates, sorts and serialises them into the
 * KB format described in kb/kbfmt.h. All strings are copied. Every function
 * returns MN_OK or MN_ENOMEM / MN_EINVAL; none keeps pointers to its arguments.
 */
#ifndef MN_BUILD_KBB_H
#define MN_BUILD_KBB_H

#include <stdbool.h>

#include "core/util.h"
#include "kb/kbfmt.h"
#include "mednec/kb.h"

typedef struct mn_kbb mn_kbb;

int mn_x__kbb_new(mn_kbb **out);
void mn_x__kbb_free(mn_kbb *b);

/* ICD-10-CM: one call per code per version. A version is named by its
 * effective date (October 1 of the year before its fiscal year for a
 * fiscal year's file, April 1 for an April update...) and is in force to
 * the end of its fiscal year or the day before the next version, whichever
 * is first. `code` is the key of the undotted code. A code seen twice for
 * one version keeps the first. MN_EINVAL past MN_KB_MAX_YEARS versions. */
int mn_x__kbb_icd_at(mn_kbb *b, int32_t effective, mn_key code, bool billable,
                     const char *desc, size_t desc_len);
/* The same for the version that starts its fiscal year `fy` (Oct 1). */
int mn_x__kbb_icd(mn_kbb *b, int fy, mn_key code, bool billable,
                  const char *desc, size_t desc_len);
/* Declares a version (also one without codes); MN_ELIMIT when full or
 * when its fiscal year is not within 1990-2099. */
int mn_x__kbb_icd_version(mn_kbb *b, int32_t effective);
/* October 1 of the year before fiscal year `fy`. */
int32_t mn_x__fy_start(int fy);
/* Calls `cb` once for every ICD-10-CM code from `lo` to `hi` inclusive in
 * the ICD-10-CM tabular order (the order of the year's file: C4A between
 * C43 and C44), where `hi` also covers every code it is a prefix of
 * (C50.9 includes C50.929) and `lo` may be a category (its first code).
 * Each loaded year is expanded in its own order; the codes are the union.
 * *count gets the number of codes; when it is 0, *why (if not NULL) says
 * why in a short phrase for the build report. */
int mn_x__kbb_icd_range(mn_kbb *b, mn_key lo, mn_key hi,
                        int (*cb)(void *payload, mn_key code), void *payload,
                        size_t *count, const char **why);
/* True when `code` is an ICD-10-CM code in any loaded year. */
bool mn_x__kbb_icd_known(mn_kbb *b, mn_key code);

/* HCPCS Level II: `data_year` orders sources (a newer year's add and
 * termination dates and description win). Dates are MN_NODATE when
 * absent. */
int mn_x__kbb_hcpcs(mn_kbb *b, int data_year, mn_key code, int32_t added,
                    int32_t terminated, const char *desc, size_t desc_len);

/* HCPCS Level II coverage code (record layout field 16: a KB_COV_* letter
 * of kb/kbfmt.h, or 0 when the source gives a letter this build does not
 * know) and statute number (field 13, as given; NULL or empty when none).
 * The source of the newest `data_year` wins, statute included. MN_EINVAL
 * for any other coverage value. */
int mn_x__kbb_hcpcs_coverage(mn_kbb *b, int data_year, mn_key code,
                             unsigned coverage, const char *statute,
                             size_t statute_len);

/* MCE edits: one call per code, fiscal year and flag. Ages in years. */
int mn_x__kbb_mce(mn_kbb *b, int fy, mn_key code, unsigned flag, int age_min,
                  int age_max);

/* A coverage policy version. Fields that are NULL / MN_NODATE leave what
 * an earlier call set; a later non-empty value replaces it. */
typedef struct mn_kbb_policy {
    int kind;       /* MN_PK_* */
    const char *id; /* "A56767", "L33996", "190.21", "ALL" */
    int version;    /* 0 when unknown */
    const char *title;
    int32_t effective;   /* MN_NODATE: since always */
    int32_t ending;      /* MN_NODATE: still in force */
    const char *related; /* related LCD display id, for articles */
    unsigned flags;      /* MN_PF_* (or-ed into existing) */
} mn_kbb_policy;

int mn_x__kbb_policy(mn_kbb *b, const mn_kbb_policy *p);
/* A procedure code governed by the policy version (created if absent). */
int mn_x__kbb_policy_code(mn_kbb *b, int kind, const char *id, int version,
                          mn_key code, int group);
/* A diagnosis on one of the policy's lists (MN_DL_*), in `group`
 * (0 when the source has no groups); `asterisk` marks a code that needs
 * a second diagnosis. */
int mn_x__kbb_policy_dx(mn_kbb *b, int kind, const char *id, int version,
                        int list, int group, bool asterisk, mn_key dx);
/* The paragraph of a diagnosis group, and the asterisk column text. */
int mn_x__kbb_policy_group(mn_kbb *b, int kind, const char *id, int version,
                           int list, int group, const char *paragraph,
                           size_t paragraph_len, const char *asterisk_text,
                           size_t asterisk_len);
/* A contractor (MAC contractor number such as "15102") of the policy
 * version, shown with it. Where the policy applies comes from its places
 * (mn_x__kbb_place). */
int mn_x__kbb_policy_contractor(mn_kbb *b, int kind, const char *id,
                                int version, const char *number);
/* A reference to the policy version (created if absent) for the calls
 * below; stable for the life of the builder. */
int mn_x__kbb_policy_ref(mn_kbb *b, int kind, const char *id, int version,
                         uint32_t *ref);
/* Calls `cb` with each version of the policies of `kind` and `id` (stops
 * at and returns the first non-zero result). */
int mn_x__kbb_policy_each(mn_kbb *b, int kind, const char *id,
                          int (*cb)(void *payload, int version), void *payload);
/* After mn_x__kbb_serialize: the index of policy `ref` in the KB's policy
 * table, UINT32_MAX when unknown. */
uint32_t mn_x__kbb_policy_final(const mn_kbb *b, uint32_t ref);

/*
 * The MCD sections (kb/mcd_fmt.h; build/writer/mcd_write.c).
 */
/* A place of local policy `ref`: state index (claim/jurisdiction.h), part
 * (-1 the whole state, a known part index, -2 a part this build does not
 * know), KB_PL_* flags, first and last day (MN_NODATE: open). */
int mn_x__kbb_place(mn_kbb *b, uint32_t ref, int state, int part,
                    unsigned flags, int32_t active, int32_t term);
/* Where contractor `number` serves (type KB_CT_*, flags KB_PL_EXPORT or
 * KB_PL_DME), as for mn_x__kbb_place. */
int mn_x__kbb_contractor_place(mn_kbb *b, const char *number, size_t len,
                               unsigned type, int state, int part,
                               unsigned flags, int32_t active, int32_t term);
/* An attachment of policy `ref` (KB_PA_* kind; `bt` may be NULL). */
int mn_x__kbb_attach(mn_kbb *b, uint32_t ref, unsigned kind, int group,
                     int32_t num, unsigned flags, const char *a, size_t alen,
                     const char *bt, size_t blen);
/* Every state of policy `ref`'s places (any date, any flags); *any tells
 * whether it has places at all. */
uint64_t mn_x__kbb_place_states(mn_kbb *b, uint32_t ref, bool *any);
/* True when every place of `ref` is a whole state, certain, and in force
 * whenever the policy is (from `effective` to `ending`): its state mask
 * then says where it applies. */
bool mn_x__kbb_places_simple(mn_kbb *b, uint32_t ref, int32_t effective,
                             int32_t ending);
/* The number of places of `ref` with any of `flags` (0: all). */
size_t mn_x__kbb_place_count(mn_kbb *b, uint32_t ref, unsigned flags);

/* A limitation or frequency note shown with the policy (lab NCDs). */
int mn_x__kbb_policy_note(mn_kbb *b, int kind, const char *id, int version,
                          const char *note, size_t note_len);

/* What one source covers (kb/kbfmt.h kb_cover): records of the same kind,
 * flags, period and label are merged (rows added, sources listed once).
 * ICD-10-CM records are keyed by their effective date (`from`); their
 * last day and rows are set at serialisation from the versions. MCE
 * records are written from the loaded MCE versions, whatever is given
 * here besides the sources. */
typedef struct mn_kbb_cover {
    int kind;       /* mn_source_kind */
    unsigned flags; /* KB_CF_* */
    int32_t from;   /* MN_NODATE: open or unknown */
    int32_t to;
    const char *label;
    const char *source; /* a file's name (mn_x__path_name), or NULL */
    uint64_t rows;
} mn_kbb_cover;
int mn_x__kbb_cover(mn_kbb *b, const mn_kbb_cover *c);
/* True when a coverage record of `kind` was added. */
bool mn_x__kbb_has_cover(mn_kbb *b, int kind);
/* The earliest effective date and the newest effective or end date of the
 * policies whose kind bit (1 << MN_PK_*) is in `kinds`, and their count. */
void mn_x__kbb_policy_span(mn_kbb *b, unsigned kinds, int32_t *first,
                           int32_t *newest, size_t *count);

/* A HCPCS Level II modifier (two letters or digits) and its description;
 * a later call for the same code replaces the description. */
int mn_x__kbb_modifier(mn_kbb *b, const char *code, const char *desc,
                       size_t desc_len);

/* Newest date seen in any source (for the default build stamp). */
void mn_x__kbb_saw_date(mn_kbb *b, int32_t date);

/* A rule from a rule pack (build/writer/rules.c), kept in the KB for citations
 * and applied to policies when the KB is serialised. */
typedef struct mn_kbb_rule {
    int kind; /* KB_RULE_* (kb/kbfmt.h) */
    const char *rule_id;
    const char *pack;
    const char *source; /* the citation every rule must carry */
    int32_t effective;
    int32_t ending;  /* MN_NODATE: open */
    int policy_kind; /* MN_PK_* */
    const char *policy_id;
    int group;
    uint32_t partners;  /* bit g-1 for group g */
    const char *reason; /* KB_RULE_STATUTORY */
} mn_kbb_rule;

int mn_x__kbb_rule(mn_kbb *b, const mn_kbb_rule *r);

/* Serialises everything into KB bytes (kb/kbfmt.h). `built` is the build
 * stamp (YYYY-MM-DD) or NULL for the newest source date. */
int mn_x__kbb_serialize(mn_kbb *b, const char *built, void **out,
                        size_t *out_len, mn_error *err);

/*
 * Extensions: modules with their own KB sections (NCCI, service rules...).
 * Each keeps its builder state in a slot of the builder; at serialisation
 * build/writer/kbb.c calls every module's writer, which adds sections through
 * the sink. Section ids of extensions start at KB_SEC_EXT_FIRST (kb/kbfmt.h).
 */
enum { MN_EXT_NCCI = 0, MN_EXT_SRULES, MN_EXT_MCD, MN_EXT_COUNT };

/* The builder state of extension `slot` (NULL until the module sets it). */
void *mn_x__kbb_ext(mn_kbb *b, int slot);
/* Sets the state and the function that frees it with the builder. */
void mn_x__kbb_ext_set(mn_kbb *b, int slot, void *state,
                       void (*free_fn)(void *state));

typedef struct mn_kb_sink mn_kb_sink;
/* Adds one section (bytes copied, 8-byte aligned). */
int mn_x__kb_sink_add(mn_kb_sink *sink, uint32_t id, uint32_t elem_size,
                      const void *data, size_t len);
/* Adds a string to the KB string pool; *off and *len are its reference. */
int mn_x__kb_sink_str(mn_kb_sink *sink, uint32_t *off, uint32_t *len,
                      const char *s, size_t n);

/* The writers of the extensions (kb/ncci_view.c, kb/srules_view.c): they sort,
 * dedup and add their sections; a NULL state adds nothing. */
int mn_x__ncci_write(mn_kbb *b, void *state, mn_kb_sink *sink, mn_error *err);
int mn_x__srules_write(mn_kbb *b, void *state, mn_kb_sink *sink, mn_error *err);
int mn_x__mcd_write(mn_kbb *b, void *state, mn_kb_sink *sink, mn_error *err);

/* Rule packs (build/writer/rules.c). */
int mn_x__rules_compile(mn_kbb *b, const char *name, const char *text,
                        size_t len, mn_error *err);
int mn_x__rules_add_builtin(mn_kbb *b, mn_error *err);
#endif
