/*
 * mednec/history.h: the patient's prior services, for frequency edits.
 *
 * Frequency edits need every prior service of the patient, from any
 * provider. The engine reads them through a small interface,
 * mn_history_source: one lookup per claim returns all the services of one
 * patient in a date window, in date order. The library ships one store
 * behind it, an embedded SQLite file (mn_history_open); other stores (a
 * PostgreSQL one, an application's own) fill the same struct.
 *
 * The store is filled from claims in the contract JSON, one per line
 * (JSON Lines): every line of every claim becomes a service of the
 * claim's patient. Importing a claim again replaces it instead of adding
 * it twice, and imports commit in batches, so a crash loses at most the
 * batch in progress. See docs/history.md.
 *
 * Dates are days since 1970-01-01 (proleptic Gregorian calendar);
 * mn_history_date and mn_history_date_text convert from and to
 * YYYY-MM-DD.
 *
 * Patient ids are the store's keys. The library never puts one in an
 * error message; neither may a front end.
 *
 * Threads: an mn_history handle (and everything made from it) is used by
 * one thread at a time. Open one handle per thread: handles on the same
 * file, in one process or several, read concurrently, also while one of
 * them imports (SQLite write-ahead log).
 */
#ifndef MEDNEC_HISTORY_H
#define MEDNEC_HISTORY_H

#include "claim.h"
#include "common.h"
#include "kb.h"
#include "result.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* The read interface                                                  */
/* ------------------------------------------------------------------ */

/** Start and end of an open date window. */
#define MN_HISTORY_FIRST INT32_MIN
#define MN_HISTORY_LAST INT32_MAX

/**
 * One prior service, as handed to a lookup callback. Every pointer is
 * borrowed and valid only during the callback. Strings are not
 * NUL-terminated; use the lengths. Only ever gains fields at the end.
 */
typedef struct mn_history_service {
    const char *code; /* CPT or HCPCS, upper case */
    size_t code_len;
    int32_t date;          /* date of service, days since 1970-01-01 */
    unsigned units;        /* 1 or more */
    int status;            /* mn_status of a recorded check, -1 when unknown */
    const char *modifiers; /* "GA,59" in line order, NULL when none */
    size_t modifiers_len;
    /* The claim the service came from: its `id`, or for a claim without
     * one, "#" and 16 hex digits of its content hash (mn_history_claim_key).
     * The engine skips services of the claim it is checking. */
    const char *claim_key;
    size_t claim_key_len;
    unsigned line; /* 1-based line number in that claim */
    /* Since MN_HISTORY_SOURCE_VERSION 2: the line's billed charge and
     * allowed amount in cents, MN_NO_AMOUNT when not known. The engine
     * reads them (and `diagnoses`) only from a source whose `version` is
     * 2 or more. */
    int64_t charge;
    int64_t allowed;
    /* Since version 2: the diagnoses the line pointed to, dotted and
     * comma-separated ("Z12.11,K92.1"), NULL when not known. */
    const char *diagnoses;
    size_t diagnoses_len;
    /* Since version 3: who furnished the service (its line's provider,
     * else its claim's: an NPI), NULL when not known. The engine reads it
     * only from a source whose `version` is 3 or more, for the edits
     * across claims of one patient, provider and date. */
    const char *provider;
    size_t provider_len;
} mn_history_service;

/**
 * Called once per service. Return MN_OK to go on; any other value stops
 * the lookup, which then returns that value unchanged (a positive value
 * can mean "seen enough").
 */
typedef int (*mn_history_cb)(void *payload, const mn_history_service *svc);

/**
 * A history store seen by the engine. `lookup` calls `cb` for every
 * service of the patient whose date is in [from, to] (both inclusive;
 * MN_HISTORY_FIRST and MN_HISTORY_LAST leave an end open), in date
 * order, then returns MN_OK; or returns what `cb` returned when that was
 * not MN_OK; or an error code with `err` filled (never with the patient
 * id). A patient the store does not know has no services: MN_OK, no
 * calls. `patient_id` is `id_len` bytes, not NUL-terminated.
 *
 * Any store may implement it: set `version` to MN_HISTORY_SOURCE_VERSION
 * and `self` to the store. Thread-safety is the store's; the SQLite store
 * is one thread at a time per handle.
 */
typedef struct mn_history_source {
    unsigned version;
    void *self;
    int (*lookup)(void *self, const char *patient_id, size_t id_len,
                  int32_t from, int32_t to, mn_history_cb cb, void *payload,
                  mn_error *err);
} mn_history_source;
#define MN_HISTORY_SOURCE_VERSION 3

/** Parses exactly YYYY-MM-DD into days since 1970-01-01. MN_OK, or
 * MN_EINVAL for a malformed or impossible date. Thread-safe. */
MN_API int mn_history_date(int32_t *out, const char *s, size_t len);

/** Writes `days` as YYYY-MM-DD and a NUL into `out`. Thread-safe. */
MN_API void mn_history_date_text(char out[11], int32_t days);

/**
 * Appends to `out` the key under which the store files `claim`: its `id`
 * when it has one, else "#" and 16 lower-case hex digits of an XXH3 hash
 * of its content (patient, dates, diagnoses, lines). Errors: MN_EINVAL
 * (NULL argument), MN_ELIMIT (buffer full), MN_ENOMEM. Thread-safe.
 */
MN_API int mn_history_claim_key(mn_buf *out, const mn_claim *claim,
                                mn_error *err);

/* ------------------------------------------------------------------ */
/* The SQLite store                                                    */
/* ------------------------------------------------------------------ */

typedef struct mn_history mn_history;

/** How a store is opened. Zero fields take the defaults. */
typedef struct mn_history_options {
    unsigned version;
    int read_only; /* lookups and stats only: never creates or migrates */
    int durable;   /* synchronous=FULL: commits also survive power loss
                      (default NORMAL: they survive a crash of the process) */
    unsigned busy_timeout_ms; /* wait for another writer, default 5000 */
    size_t cache_bytes;       /* page cache, default 16 MiB */
    size_t mmap_bytes;        /* memory-mapped reads, default 256 MiB */
    /* 0 (default): every lookup sees the latest commit. N: lookups reuse
     * one read snapshot for up to N ms, about a third faster; commits
     * made elsewhere show after at most N ms. A handle holding a snapshot
     * keeps the write-ahead log from being checkpointed: call
     * mn_history_release when it goes idle. */
    unsigned snapshot_ms;
} mn_history_options;
#define MN_HISTORY_OPTIONS_VERSION 1
#define MN_HISTORY_OPTIONS_INIT                                                \
    {                                                                          \
        MN_HISTORY_OPTIONS_VERSION, 0, 0, 0, 0, 0, 0                           \
    }

/** Schema version this library reads and writes (PRAGMA user_version). */
#define MN_HISTORY_SCHEMA_VERSION 3

/**
 * Opens the store in the file `path` (NUL-terminated), creating it unless
 * `opts->read_only`. The file is put in WAL mode; an older schema is
 * migrated in one transaction. `opts` may be NULL. On success `*out`
 * belongs to the caller (mn_history_free). Errors: MN_ENOTFOUND (no such
 * file, read-only), MN_EVERSION (schema newer than this library, or older
 * and read-only), MN_EINVAL (not a mednec history store, or a NULL
 * argument), MN_EIO (cannot open, lock, read or write), MN_ENOMEM.
 */
MN_API int mn_history_open(mn_history **out, const char *path,
                           const mn_history_options *opts, mn_error *err);

/** Closes the store; an import still open is rolled back. NULL is
 * accepted. Free the importers first. */
MN_API void mn_history_free(mn_history *h);

/**
 * Every service of one patient dated in [from, to], in date order (then
 * claim key, then line), one call of `cb` each; the contract of
 * mn_history_source.lookup. One indexed range query with a statement
 * prepared once per handle, read from the handle's current snapshot (see
 * snapshot_ms). `cb` must not look up on the same handle (MN_EINVAL).
 * Errors: MN_EINVAL (NULL argument), MN_EIO, MN_ENOMEM, or what `cb`
 * returned.
 */
MN_API int mn_history_lookup(mn_history *h, const char *patient_id,
                             size_t id_len, int32_t from, int32_t to,
                             mn_history_cb cb, void *payload, mn_error *err);

/** Ends the read snapshot a handle opened with snapshot_ms holds (the
 * next lookup takes a new one). Call it when the handle goes idle: at the
 * end of a batch, between a server's requests. NULL is accepted. */
MN_API void mn_history_release(mn_history *h);

/** Fills `out` with the source the engine calls; `out->self` is `h`,
 * borrowed: it lives as long as `h`. */
MN_API void mn_history_source_of(mn_history_source *out, mn_history *h);

/** What a store holds. Counts only. */
typedef struct mn_history_stats {
    unsigned version;
    int schema;      /* PRAGMA user_version */
    size_t claims;   /* claims imported */
    size_t services; /* services (claim lines) stored */
    size_t patients; /* distinct patients */
    size_t recorded; /* services with a recorded status */
    size_t imports;  /* finished imports (import_log rows) */
} mn_history_stats;
#define MN_HISTORY_STATS_VERSION 1

/** Counts the store's contents (a full scan: seconds for millions of
 * services). Errors: MN_EINVAL, MN_EIO, MN_ENOMEM. */
MN_API int mn_history_get_stats(mn_history_stats *out, mn_history *h,
                                mn_error *err);

/* ------------------------------------------------------------------ */
/* Import                                                              */
/* ------------------------------------------------------------------ */

/**
 * Called for each claim (or claim line) left out of an import, with the
 * 1-based JSON Lines line number and a one-line reason such as
 * "no patient.id" or "lines[1]: no date of service". Reasons never carry
 * patient data.
 */
typedef void (*mn_history_skip_cb)(void *payload, size_t line,
                                   const char *reason);

typedef struct mn_history_import_options {
    unsigned version;
    size_t batch;     /* services per transaction, default 10000 */
    int skip_invalid; /* a malformed claim is counted and skipped; default:
                         the import stops with "line N: message" */
    int record;       /* check each claim against `kb` (mn_check) and store
                         each line's status with the service */
    const mn_kb *kb;  /* required with `record`; borrowed */
    const mn_claim_options *claim_options; /* per-claim limits, NULL: the
                                              defaults */
    mn_history_skip_cb skip;               /* may be NULL */
    void *payload;                         /* for `skip` */
} mn_history_import_options;
#define MN_HISTORY_IMPORT_OPTIONS_VERSION 1
#define MN_HISTORY_IMPORT_OPTIONS_INIT                                         \
    {                                                                          \
        MN_HISTORY_IMPORT_OPTIONS_VERSION, 0, 0, 0, NULL, NULL, NULL, NULL     \
    }

/** What an import did. Every input line is accounted for. */
typedef struct mn_history_import_stats {
    unsigned version;
    size_t lines;            /* input lines read, blank ones included */
    size_t claims;           /* non-blank lines */
    size_t claims_added;     /* new to the store */
    size_t claims_replaced;  /* already there with other content or
                                statuses: its services were replaced */
    size_t claims_unchanged; /* already there, identical: left alone */
    size_t services_added;
    size_t services_removed; /* old services of replaced claims */
    size_t skipped;          /* claims left out, all reasons */
    size_t skipped_no_patient;
    size_t skipped_invalid; /* malformed, with skip_invalid */
    size_t lines_undated;   /* claim lines without a date of service */
    size_t commits;         /* transactions committed */
    size_t committed_line;  /* every input line up to this one is
                               committed (0: none yet) */
    size_t claims_voided;   /* removed by a claim with frequency code 8 */
} mn_history_import_stats;
#define MN_HISTORY_IMPORT_STATS_VERSION 1

typedef struct mn_history_importer mn_history_importer;

/**
 * Starts an import into `h` (one at a time per handle; `h` must not be
 * read-only). `opts` may be NULL. Errors: MN_EINVAL (NULL argument,
 * read-only store, another import running, `record` without `kb`),
 * MN_ENOMEM.
 */
MN_API int mn_history_importer_new(mn_history_importer **out, mn_history *h,
                                   const mn_history_import_options *opts,
                                   mn_error *err);

/**
 * Feeds JSON Lines in chunks of any size (a line may span chunks). Each
 * complete line is imported. A batch is committed once it holds
 * `batch` services, always at a claim boundary. On an error the claims
 * before the failing line are committed and the importer is spent: `err`
 * has the line number in `line` (and `record`), the column when known,
 * and the message, led by the JSON path when there is one
 * ("lines[0].date: ..."). Errors: MN_EINVAL (malformed claim), MN_ELIMIT
 * (claim over a limit), MN_EIO, MN_ENOMEM, and codes from mn_check.
 */
MN_API int mn_history_importer_feed(mn_history_importer *imp, const char *data,
                                    size_t len, mn_error *err);

/**
 * Imports one claim already read (from an 837, FHIR, CSV), as feed
 * imports a line of JSON Lines: its services are filed under its id (or
 * content hash) and replace the services stored under that key.
 * `statuses`, when not NULL, holds the status of each of its lines (a
 * check's result, mn_result_line_status), recorded without a check of the
 * importer's own. A claim with frequency code 8 (void) removes the stored
 * claim of its key instead. A claim without a patient id is skipped and
 * counted. Commits in batches as feed does. Errors: MN_EINVAL (NULL
 * argument, an import that ended), MN_EIO, MN_ENOMEM; the importer is then
 * spent.
 */
MN_API int mn_history_importer_put(mn_history_importer *imp,
                                   const mn_claim *claim,
                                   const mn_status *statuses, mn_error *err);
/** Imports a last line without a newline, commits, and logs the import
 * in the store. Errors as for feed. */
MN_API int mn_history_importer_finish(mn_history_importer *imp, mn_error *err);

/** Copies the counts so far into `*out` (claims added, replaced and
 * unchanged count once their batch is committed). NULL arguments are
 * ignored. Cannot fail. */
MN_API void mn_history_importer_get_stats(mn_history_import_stats *out,
                                          const mn_history_importer *imp);

/** Frees the importer; work not yet committed (no finish) is rolled
 * back, as after a crash. NULL is accepted. */
MN_API void mn_history_importer_free(mn_history_importer *imp);

/**
 * One-shot import of `len` bytes of JSON Lines: new, feed, finish, free.
 * `stats` (may be NULL) is filled also on failure, to show what was
 * committed. Errors as for feed.
 */
MN_API int mn_history_import(mn_history *h, const char *data, size_t len,
                             const mn_history_import_options *opts,
                             mn_history_import_stats *stats, mn_error *err);

/* ------------------------------------------------------------------ */
/* The store in memory, for batch checks                               */
/* ------------------------------------------------------------------ */

typedef struct mn_history_memory mn_history_memory;

/**
 * Reads the whole store at `path` into memory (one scan; about 60 bytes a
 * service). Lookups then make no SQLite call. The copy does not see later
 * imports. Errors: MN_EIO (cannot open or read), MN_EINVAL (not a history
 * store), MN_ENOMEM. After loading, the handle may be shared by threads.
 */
MN_API int mn_history_memory_load(mn_history_memory **out, const char *path,
                                  mn_error *err);
MN_API void mn_history_memory_free(mn_history_memory *m);
/** Number of services held. */
MN_API size_t mn_history_memory_count(const mn_history_memory *m);
/** The read interface over the copy (borrowed: lives as long as `m`). */
MN_API void mn_history_memory_source(mn_history_source *out,
                                     mn_history_memory *m);

#ifdef __cplusplus
}
#endif
#endif
