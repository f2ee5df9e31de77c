/*
 * mednec/common.h: export macro, error codes, error detail, text buffer.
 */
#ifndef MEDNEC_COMMON_H
#define MEDNEC_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(MN_BUILDING_LIB) && defined(__GNUC__)
#define MN_API __attribute__((visibility("default")))
#else
#define MN_API
#endif

/** Return codes. Every function that can fail returns one of these. */
typedef enum mn_code {
    MN_OK = 0,
    MN_ERROR = -1,     /* anything not listed below */
    MN_ENOTFOUND = -2, /* a file, code or record was not found */
    MN_EINVAL = -3,    /* invalid input (syntax, type, value) */
    MN_ELIMIT = -4,    /* an input limit was exceeded */
    MN_ENOMEM = -5,    /* out of memory */
    MN_EIO = -6,       /* read or write failed */
    MN_EBADKB = -7,    /* knowledge base corrupt or truncated */
    MN_EVERSION = -8   /* unsupported format version */
} mn_code;

/**
 * Error detail filled by any call that takes an `mn_error *` (NULL allowed).
 * `message` is one lower-case line. `where` names the input (a file name, a
 * JSON path such as `lines[2].units`, a CSV file and record) when known.
 * `line`, `column` and `offset` are 1-based, 1-based and 0-based; 0 in line
 * means "no position".
 */
typedef struct mn_error {
    int code;
    char message[256];
    char where[256];
    size_t offset;
    size_t line;
    size_t column;
    size_t record;
} mn_error;

/** Resets `err` to MN_OK with no message. NULL is accepted. */
MN_API void mn_error_clear(mn_error *err);

/**
 * Formats `err` as one line, "where:line:column: message", into `out` of
 * `size` bytes (always NUL-terminated when size > 0). Returns `out`.
 */
MN_API const char *mn_error_format(char *out, size_t size, const mn_error *err);

/** A short static name for a return code ("invalid input"...). */
MN_API const char *mn_strerror(int code);

/**
 * Growable text buffer with a maximum size. Owned by the caller, released
 * with mn_buf_free. Not thread-safe; use one per thread.
 */
typedef struct mn_buf mn_buf;

/** Creates a buffer that may grow to `max` bytes (0: 64 MiB). */
MN_API int mn_buf_new(mn_buf **out, size_t max);
MN_API void mn_buf_free(mn_buf *buf);
/** Empties the buffer, keeping its memory. */
MN_API void mn_buf_clear(mn_buf *buf);
/** Appends `len` bytes. MN_OK, MN_ELIMIT (the maximum size would be
 * passed; nothing is appended) or MN_ENOMEM. */
MN_API int mn_buf_append(mn_buf *buf, const void *data, size_t len);
/** Appends `len` bytes of `s` as a JSON string literal (quotes included;
 * control characters escaped, invalid UTF-8 as U+FFFD). MN_OK, MN_EINVAL
 * (NULL buffer), MN_ELIMIT or MN_ENOMEM. */
MN_API int mn_buf_append_json(mn_buf *buf, const char *s, size_t len);
/** Borrowed pointer to the NUL-terminated contents, valid until changed. */
MN_API const char *mn_buf_data(const mn_buf *buf);
MN_API size_t mn_buf_len(const mn_buf *buf);

/** Library version, e.g. "0.1.0". */
MN_API const char *mn_version(void);

#ifdef __cplusplus
}
#endif
#endif
