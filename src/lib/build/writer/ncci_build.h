/*
 * build/writer/ncci_build.h: the builder state of the NCCI tables
 * (extension slot MN_EXT_NCCI): build/load/load_ncci.c fills it,
 * ncci_write.c sorts, merges and writes it as the sections of
 * kb/ncci_fmt.h.
 */
#ifndef MN_BUILD_NCCI_BUILD_H
#define MN_BUILD_NCCI_BUILD_H

#include "build/writer/kbb.h"
#include "core/map.h"
#include "kb/ncci_fmt.h"

/* Builder state (build/load/load_ncci.c fills it, kb/ncci_view.c writes it). */
typedef struct ncci_row {
    uint32_t col1; /* code ids (ncci_b.keys) */
    uint32_t col2;
    uint16_t eff;
    uint16_t del;
    uint8_t table;
    uint8_t mod;  /* MN_PTP_MOD_* */
    uint8_t text; /* index into ptp_text, MN_PTP_NO_TEXT */
    uint8_t src;  /* index into src_rank */
} ncci_row;

typedef struct ncci_mue_row {
    kb_mue m; /* text: index into mue_text */
    uint8_t src;
    uint8_t pad[7];
} ncci_mue_row;

typedef struct ncci_aoc_row {
    kb_aoc a;
    uint32_t src;
    uint32_t pad;
} ncci_aoc_row;

#define MN_NCCI_MAX_SRC 255
#define MN_NCCI_LABEL 24

typedef struct ncci_b {
    mn_map ids;          /* code key -> id */
    mn_vec keys;         /* uint64_t by id */
    mn_vec ptp;          /* ncci_row */
    mn_vec mue;          /* ncci_mue_row */
    mn_vec aoc;          /* ncci_aoc_row */
    mn_map ptp_text_ids; /* hash of text -> index + 1 */
    char *ptp_text[MN_PTP_NO_TEXT];
    size_t n_ptp_text;
    mn_map mue_text_ids;
    char *mue_text[MN_MUE_NO_TEXT];
    size_t n_mue_text;
    int64_t src_rank[MN_NCCI_MAX_SRC + 1]; /* newer sources rank higher */
    size_t n_src;
    /* period labels of the newest source of each table ("2024Q3") */
    char ptp_label[MN_PTP_TABLES][MN_NCCI_LABEL];
    int64_t ptp_rank[MN_PTP_TABLES];
    char mue_label[MN_MUE_SERVICES][MN_NCCI_LABEL];
    int64_t mue_rank[MN_MUE_SERVICES];
    char aoc_label[MN_NCCI_LABEL];
    int64_t aoc_rank;
} ncci_b;

/* Frees a builder state (NULL-safe; the slot's free function). */
void mn_x__ncci_state_free(void *state);

#endif
