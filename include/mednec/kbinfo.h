/*
 * mednec/kbinfo.h: what a knowledge base holds and what changed between
 * two of them (`mednec kb info`, `mednec kb diff`, the service's /v1/kb).
 *
 * The coverage records themselves are read with mn_kb_coverage_at
 * (mednec/kb.h); this module renders them for people and programs and
 * compares two knowledge bases. Every function is thread-safe for
 * distinct buffers (the KBs are only read).
 */
#ifndef MEDNEC_KBINFO_H
#define MEDNEC_KBINFO_H

#include "common.h"
#include "engine.h"
#include "kb.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Options of mn_kb_info_render. */
typedef struct mn_kb_info_options {
    unsigned version;
    /** 0: everything; 1: only what the KB holds (one kind a line, the
     * dates it covers, adjacent periods merged) and the kinds it lacks:
     * the summary `mednec build` ends with; 2: the same on two lines
     * (text), as `mednec check` notes it on stderr */
    int brief;
} mn_kb_info_options;
#define MN_KB_INFO_OPTIONS_VERSION 1
#define MN_KB_INFO_OPTIONS_INIT                                                \
    {                                                                          \
        MN_KB_INFO_OPTIONS_VERSION, 0                                          \
    }

/**
 * Appends a description of `kb` to `buf`: its identity (source, format,
 * version, build stamp, size), every coverage record (kind, label, first
 * and last day, rows, sources), the dates each kind covers (adjacent
 * periods merged), the kinds it lacks and its counts. JSON is one object
 * (docs/json.md, "Knowledge base info"); text is for people. `opts` may
 * be NULL. MN_EINVAL for a NULL argument or an unknown options version,
 * MN_ELIMIT / MN_ENOMEM from the buffer.
 */
MN_API int mn_kb_info_render(mn_buf *buf, const mn_kb *kb,
                             const mn_kb_info_options *opts, mn_format format,
                             mn_error *err);

/**
 * The source kinds `kb` holds no data of (MN_SOURCE_RULES excepted), in
 * kind order: up to `cap` of them are written to `out` (which may be NULL
 * when `cap` is 0). Returns how many there are.
 */
MN_API size_t mn_kb_missing(const mn_kb *kb, mn_source_kind *out, size_t cap);

/** Options of mn_kb_diff. */
typedef struct mn_kb_diff_options {
    unsigned version;
    /** at most this many codes, edits or policies listed per list (the
     * counts are always complete; a cut list says how many were left
     * out); 0: all */
    size_t max_items;
} mn_kb_diff_options;
#define MN_KB_DIFF_OPTIONS_VERSION 1
#define MN_KB_DIFF_OPTIONS_INIT                                                \
    {                                                                          \
        MN_KB_DIFF_OPTIONS_VERSION, 0                                          \
    }

/** The counts of a comparison (what a quarterly update changed). */
typedef struct mn_kb_diff_summary {
    unsigned version; /**< set by the callee: MN_KB_DIFF_SUMMARY_VERSION */
    /* ICD-10-CM: the newest version of each KB compared */
    size_t icd_added;
    size_t icd_deleted;
    size_t icd_billable_changed; /**< in both, billable in one only */
    /* HCPCS Level II */
    size_t hcpcs_added;
    size_t hcpcs_deleted;
    size_t hcpcs_terminated;       /**< a termination date set or moved */
    size_t hcpcs_coverage_changed; /**< Medicare coverage code changed */
    size_t modifiers_added;
    size_t modifiers_deleted;
    /* policies (NCDs, LCDs, articles), by kind and id */
    size_t policies_added;
    size_t policies_revised; /**< a newer version */
    size_t policies_retired; /**< ended, or no longer in the KB */
    /* NCCI: edits in force (no deletion date) */
    size_t ptp_added;
    size_t ptp_deleted;
    size_t mue_added;
    size_t mue_deleted;
    size_t mue_changed; /**< units or adjudication indicator */
    size_t aoc_added;
    size_t aoc_deleted;
} mn_kb_diff_summary;
#define MN_KB_DIFF_SUMMARY_VERSION 1

/**
 * Compares `old_kb` with `new_kb`. `out` (may be NULL) gets the counts;
 * when `buf` is not NULL the changes are appended to it as text or JSON
 * (docs/json.md, "Knowledge base diff"). `opts` may be NULL. MN_EINVAL for
 * a NULL KB or an unknown options version, MN_ENOMEM, MN_ELIMIT from the
 * buffer.
 */
MN_API int mn_kb_diff(mn_kb_diff_summary *out, mn_buf *buf, const mn_kb *old_kb,
                      const mn_kb *new_kb, const mn_kb_diff_options *opts,
                      mn_format format, mn_error *err);

#ifdef __cplusplus
}
#endif
#endif
