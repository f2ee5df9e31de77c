/*
 * mednec/input.h: what a claims file is, from its first bytes.
 */
#ifndef MEDNEC_INPUT_H
#define MEDNEC_INPUT_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The input formats `mednec batch` reads. */
typedef enum mn_input_format {
    MN_INPUT_UNKNOWN = 0,
    MN_INPUT_JSONL, /**< contract claims, one JSON object per line */
    MN_INPUT_X12,   /**< X12 837 (an ISA, or a bare ST) */
    MN_INPUT_FHIR,  /**< a FHIR Claim or Bundle, or NDJSON of them */
    MN_INPUT_CSV    /**< CSV with a header naming claim_id and code */
} mn_input_format;

/**
 * The format of an input from its first `len` bytes (64 KiB is plenty):
 * after a byte-order mark and white space, "ISA", "ST*" or UTF-16 text is
 * X12; a JSON object naming a "resourceType" is FHIR, one that does not
 * is JSON Lines; a first line naming the claim_id and code columns is
 * CSV; anything else is MN_INPUT_UNKNOWN. Thread-safe.
 */
MN_API mn_input_format mn_input_sniff(const char *data, size_t len);

/** "jsonl", "x12", "fhir", "csv" or "unknown". */
MN_API const char *mn_input_format_name(mn_input_format f);

#ifdef __cplusplus
}
#endif
#endif
