/*
 * history.c: the SQLite history store: opening and migrating it, the
 * lookup the engine calls once per claim, and the JSON Lines import.
 *
 * Services are clustered by (patient, date): the primary key of the
 * WITHOUT ROWID `service` table is (patient_id, date_days, claim_key,
 * line_no), so a lookup is one range scan of one B-tree that already
 * holds every column it returns, in the order it returns them. The
 * `claim` table (one row per imported claim, with a digest of its
 * content) is what makes a re-import replace instead of add.
 *
 * SQLite allocates with its own allocator: routing it through ours would
 * need sqlite3_config, a process-wide setting, and the library keeps no
 * global state.
 */
#define _POSIX_C_SOURCE 200809L /* faccessat */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "mednec/engine.h"
#include "mednec/history.h"
#include "claim/claim_int.h"
#include "history/history_int.h"
#include "core/map.h"
#include "core/util.h"

#define DEF_BATCH 10000
#define DEF_BUSY_MS 5000
#define DEF_CACHE ((size_t)16 << 20)
#define DEF_MMAP ((size_t)256 << 20)
#define DEF_MAX_LINE ((size_t)4 << 20) /* the claim parser's default */
#define KEY_HEX 17                     /* "#" and 16 hex digits */

struct mn_history {
    sqlite3 *db;
    sqlite3_stmt *lookup;
    int read_only;
    int importing;
    int in_lookup;
    int read_tx;        /* a read transaction of ours is open */
    int64_t snap_start; /* when it began, ms */
    int64_t snapshot_ms;
};

/* ------------------------------------------------------------------ */
/* Schema                                                              */
/* ------------------------------------------------------------------ */

/* migrations[v] takes a store from schema v to v + 1. Append only. */
static const char *const migrations[MN_HISTORY_SCHEMA_VERSION] = {
    "CREATE TABLE claim("
    " patient_id TEXT NOT NULL,"
    " claim_key TEXT NOT NULL,"
    " digest INTEGER NOT NULL,"
    " status_digest INTEGER,"
    " services INTEGER NOT NULL,"
    " imported INTEGER NOT NULL,"
    " PRIMARY KEY(patient_id, claim_key)) WITHOUT ROWID;"
    "CREATE TABLE service("
    " patient_id TEXT NOT NULL,"
    " date_days INTEGER NOT NULL,"
    " claim_key TEXT NOT NULL,"
    " line_no INTEGER NOT NULL,"
    " code TEXT NOT NULL,"
    " units INTEGER NOT NULL,"
    " modifiers TEXT,"
    " status INTEGER,"
    " PRIMARY KEY(patient_id, date_days, claim_key, line_no))"
    " WITHOUT ROWID;"
    "CREATE TABLE import_log("
    " id INTEGER PRIMARY KEY,"
    " started INTEGER NOT NULL,"
    " finished INTEGER NOT NULL,"
    " lines INTEGER NOT NULL,"
    " claims INTEGER NOT NULL,"
    " claims_added INTEGER NOT NULL,"
    " claims_replaced INTEGER NOT NULL,"
    " claims_unchanged INTEGER NOT NULL,"
    " services_added INTEGER NOT NULL,"
    " services_removed INTEGER NOT NULL,"
    " skipped INTEGER NOT NULL,"
    " recorded INTEGER NOT NULL,"
    " kb_version TEXT);",
    /* 2: money on each service, in cents (NULL: not given), for the
       therapy KX threshold; the line's diagnoses ("Z12.11,K92.1"), to
       tell a screening from a diagnostic use of one code */
    "ALTER TABLE service ADD COLUMN charge INTEGER;"
    "ALTER TABLE service ADD COLUMN allowed INTEGER;"
    "ALTER TABLE service ADD COLUMN dx TEXT;",
    /* 3: who furnished each service (the line's provider, else the
       claim's: an NPI), for the edits that look across claims of one
       patient, provider and date (MUE, PTP) */
    "ALTER TABLE service ADD COLUMN provider TEXT;",
};

const char mn_x__history_lookup_sql[] =
    "SELECT code, date_days, units, status, modifiers, claim_key, line_no,"
    " charge, allowed, dx, provider FROM service WHERE patient_id = ?1 AND "
    "date_days "
    "BETWEEN "
    "?2 AND ?3"
    " ORDER BY date_days, claim_key, line_no";

static const char sql_sel_claim[] = "SELECT digest, status_digest FROM claim"
                                    " WHERE patient_id = ?1 AND claim_key = ?2";
static const char sql_del_services[] =
    "DELETE FROM service WHERE patient_id = ?1 AND claim_key = ?2";
static const char sql_put_claim[] =
    "INSERT OR REPLACE INTO claim(patient_id, claim_key, digest,"
    " status_digest, services, imported) VALUES(?1, ?2, ?3, ?4, ?5, ?6)";
static const char sql_put_service[] =
    "INSERT INTO service(patient_id, date_days, claim_key, line_no, code,"
    " units, modifiers, status, charge, allowed, dx, provider)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
static const char sql_del_claim[] =
    "DELETE FROM claim WHERE patient_id = ?1 AND claim_key = ?2";
static const char sql_log[] =
    "INSERT INTO import_log(started, finished, lines, claims, claims_added,"
    " claims_replaced, claims_unchanged, services_added, services_removed,"
    " skipped, recorded, kb_version)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

/* Maps an SQLite result to our code and fills `err` with SQLite's message
 * (which names tables and columns, never values). */
static int db_fail(mn_error *err, sqlite3 *db, int src, const char *what)
{
    int rc;

    switch (src & 0xff) {
    case SQLITE_NOMEM:
        rc = MN_ENOMEM;
        break;
    case SQLITE_NOTADB:
        rc = MN_EINVAL;
        break;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CORRUPT:
    case SQLITE_PROTOCOL:
        rc = MN_EIO;
        break;
    default:
        rc = MN_ERROR;
        break;
    }
    if (rc == MN_EINVAL) {
        mn_x__err(err, rc, "not a mednec history store (%s)",
                  sqlite3_errstr(src));
    } else if (db && sqlite3_system_errno(db) &&
               ((src & 0xff) == SQLITE_IOERR || (src & 0xff) == SQLITE_FULL ||
                (src & 0xff) == SQLITE_CANTOPEN)) {
        /* the system's reason too: "No space left on device" */
        char reason[128];
        mn_x__strerror(sqlite3_system_errno(db), reason, sizeof(reason));
        mn_x__err(err, rc, "history store: %s: %s: %s", what,
                  sqlite3_errmsg(db), reason);
    } else {
        mn_x__err(err, rc, "history store: %s: %s", what,
                  db ? sqlite3_errmsg(db) : sqlite3_errstr(src));
    }
    return rc;
}

static int exec(sqlite3 *db, const char *sql, const char *what, mn_error *err)
{
    int src = sqlite3_exec(db, sql, NULL, NULL, NULL);

    return src == SQLITE_OK ? MN_OK : db_fail(err, db, src, what);
}

/* Runs a query that returns one integer. */
static int query_int(sqlite3 *db, const char *sql, int64_t *out, mn_error *err)
{
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    int rc = MN_OK;

    if (src == SQLITE_OK)
        src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        src = SQLITE_OK;
    } else if (src == SQLITE_DONE) {
        *out = 0;
        src = SQLITE_OK;
    }
    if (src != SQLITE_OK)
        rc = db_fail(err, db, src, "read");
    sqlite3_finalize(st);
    return rc;
}

static int64_t now_ms(void)
{
    struct timespec ts;

    if (timespec_get(&ts, TIME_UTC) != TIME_UTC)
        return 0;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Ends the read transaction that lookups keep open. */
static void read_end(mn_history *h)
{
    if (h->read_tx) {
        sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL);
        h->read_tx = 0;
    }
}

/* ------------------------------------------------------------------ */
/* Open, migrate, close                                                */
/* ------------------------------------------------------------------ */

static void resolve_options(mn_history_options *o, const mn_history_options *in)
{
    const mn_history_options d = MN_HISTORY_OPTIONS_INIT;

    *o = in ? *in : d;
    if (!o->busy_timeout_ms)
        o->busy_timeout_ms = DEF_BUSY_MS;
    if (!o->cache_bytes)
        o->cache_bytes = DEF_CACHE;
    if (!o->mmap_bytes)
        o->mmap_bytes = DEF_MMAP;
}

/* Brings the schema to MN_HISTORY_SCHEMA_VERSION in one transaction. The
 * version is read again under the write lock: another process may have
 * migrated in between. */
static int migrate(sqlite3 *db, mn_error *err)
{
    int rc = exec(db, "BEGIN IMMEDIATE", "migrate", err);
    int64_t ver = 0;
    int64_t app = 0;
    int64_t objects = 0;
    char sql[64];

    if (rc)
        goto done;
    rc = query_int(db, "PRAGMA user_version", &ver, err);
    if (rc == MN_OK)
        rc = query_int(db, "PRAGMA application_id", &app, err);
    if (rc == MN_OK)
        rc = query_int(db, "SELECT count(*) FROM sqlite_master", &objects, err);
    if (rc)
        goto done;
    if (ver > MN_HISTORY_SCHEMA_VERSION) {
        rc = mn_x__err(err, MN_EVERSION,
                       "history store schema %lld is newer than this "
                       "mednec reads (%d)",
                       (long long)ver, MN_HISTORY_SCHEMA_VERSION);
        goto done;
    }
    if (ver == 0 && (app != 0 || objects != 0)) {
        rc = mn_x__err(err, MN_EINVAL, "not a mednec history store");
        goto done;
    }
    for (; ver < MN_HISTORY_SCHEMA_VERSION && rc == MN_OK; ver++) {
        rc = exec(db, migrations[ver], "migrate", err);
        snprintf(sql, sizeof(sql), "PRAGMA user_version = %lld",
                 (long long)(ver + 1));
        if (rc == MN_OK)
            rc = exec(db, sql, "migrate", err);
    }
    snprintf(sql, sizeof(sql), "PRAGMA application_id = %d", MN_HISTORY_APP_ID);
    if (rc == MN_OK)
        rc = exec(db, sql, "migrate", err);
    if (rc == MN_OK)
        rc = exec(db, "COMMIT", "migrate", err);
done:
    if (rc && sqlite3_get_autocommit(db) == 0)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* Checks the identity and version of an opened file before anything
 * writes to it; `*migrate_needed` is set when the schema is older. */
static int check_schema(sqlite3 *db, int read_only, int *migrate_needed,
                        mn_error *err)
{
    int64_t ver = 0;
    int64_t app = 0;
    int64_t objects = 0;
    int rc = query_int(db, "PRAGMA user_version", &ver, err);

    *migrate_needed = 0;
    if (rc == MN_OK)
        rc = query_int(db, "PRAGMA application_id", &app, err);
    if (rc == MN_OK && ver == 0)
        rc = query_int(db, "SELECT count(*) FROM sqlite_master", &objects, err);
    if (rc)
        goto done;
    if ((app != 0 && app != MN_HISTORY_APP_ID) ||
        (ver == 0 && (app != 0 || objects != 0))) {
        rc = mn_x__err(err, MN_EINVAL, "not a mednec history store");
    } else if (ver > MN_HISTORY_SCHEMA_VERSION) {
        rc = mn_x__err(err, MN_EVERSION,
                       "history store schema %lld is newer than this "
                       "mednec reads (%d)",
                       (long long)ver, MN_HISTORY_SCHEMA_VERSION);
    } else if (ver < MN_HISTORY_SCHEMA_VERSION && read_only) {
        if (ver == 0)
            rc = mn_x__err(err, MN_EINVAL, "not a mednec history store");
        else
            rc = mn_x__err(err, MN_EVERSION,
                           "history store schema %lld is older than %d: "
                           "open it for writing once to migrate it",
                           (long long)ver, MN_HISTORY_SCHEMA_VERSION);
    } else if (ver < MN_HISTORY_SCHEMA_VERSION) {
        *migrate_needed = 1;
    }
done:
    return rc;
}

/* Journal and cache settings of a connection. */
static int configure(sqlite3 *db, const mn_history_options *o, mn_error *err)
{
    char sql[128];
    int rc = MN_OK;

    sqlite3_busy_timeout(
        db, o->busy_timeout_ms > INT_MAX ? INT_MAX : (int)o->busy_timeout_ms);
    /* WAL: readers never block the importer nor it them, and a commit is
     * one append to the log */
    if (!o->read_only)
        rc = exec(db, "PRAGMA journal_mode = WAL", "open", err);
    if (rc == MN_OK && !o->read_only)
        rc = exec(db,
                  o->durable ? "PRAGMA synchronous = FULL"
                             : "PRAGMA synchronous = NORMAL",
                  "open", err);
    if (rc == MN_OK) {
        snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%zu",
                 o->cache_bytes / 1024 ? o->cache_bytes / 1024 : 1);
        rc = exec(db, sql, "open", err);
    }
    if (rc == MN_OK) {
        snprintf(sql, sizeof(sql), "PRAGMA mmap_size = %zu", o->mmap_bytes);
        rc = exec(db, sql, "open", err);
    }
    return rc;
}

/* True when one of the store's side files (write-ahead log, its index,
 * a rollback journal) exists, or when that cannot be told. */
static int has_side_files(const char *path)
{
    static const char *const ext[] = {"-wal", "-shm", "-journal"};
    size_t n = strlen(path);
    char *p = mn_x__malloc(n + sizeof("-journal"));
    struct stat st;
    int found = p == NULL;

    for (size_t i = 0; p && i < sizeof(ext) / sizeof(ext[0]) && !found; i++) {
        memcpy(p, path, n);
        memcpy(p + n, ext[i], strlen(ext[i]) + 1);
        found = stat(p, &st) == 0 || errno != ENOENT;
    }
    mn_x__free(p);
    return found;
}

/* Whether the folder of `path` can be written (0) or why not (errno). */
static int folder_writable(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = NULL;
    int e = 0;

    if (!slash)
        dir = mn_x__strndup(".", 1);
    else
        dir = mn_x__strndup(path, slash == path ? 1 : (size_t)(slash - path));
    if (dir && faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) != 0)
        e = errno;
    mn_x__free(dir);
    return e;
}

/* What `path` names, before SQLite opens it: a missing file (when it
 * must exist), a directory and a device are said as such; for writing,
 * a store or a folder that cannot be written, with the reason (SQLite
 * would say "unable to open database file" or fail at the first write). */
static int check_file(const char *path, int read_only, mn_error *err)
{
    struct stat st;
    int rc = MN_OK;
    int e;

    if (stat(path, &st) != 0) {
        e = errno;
        if (e == ENOENT && read_only) {
            rc = mn_x__err(err, MN_ENOTFOUND, "no such history store");
            mn_x__err_at(err, path, 0, 0);
        } else if (e != ENOENT) {
            rc = mn_x__err_sys(err, MN_EIO, e, path,
                               "cannot open the history store");
        } else if ((e = folder_writable(path)) != 0) {
            rc = mn_x__err_sys(err, MN_EIO, e, path,
                               "cannot create the history store");
        }
    } else if (!read_only && S_ISREG(st.st_mode) &&
               faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) != 0) {
        rc = mn_x__err_sys(err, MN_EIO, errno, path,
                           "cannot write the history store");
    } else if (!read_only && S_ISREG(st.st_mode) &&
               (e = folder_writable(path)) != 0 && !has_side_files(path)) {
        rc = mn_x__err_sys(err, MN_EIO, e, path,
                           "cannot write the history store: its write-ahead "
                           "log goes in its folder");
    } else if (S_ISDIR(st.st_mode)) {
        rc = mn_x__err(err, MN_EINVAL,
                       "is a directory, not a mednec history store");
        mn_x__err_at(err, path, 0, 0);
    } else if (!S_ISREG(st.st_mode)) {
        rc = mn_x__err(err, MN_EINVAL,
                       "not a regular file, not a mednec history store");
        mn_x__err_at(err, path, 0, 0);
    }
    return rc;
}

/* `path` as an SQLite URI with immutable=1: every byte but a few safe
 * ones percent-encoded, so that '?', '#' and '%' in a name stay part of
 * it; leading slashes folded into one (two would start an authority). */
static char *immutable_uri(const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    static const char head[] = "file:";
    static const char tail[] = "?immutable=1";
    size_t n = strlen(path);
    size_t cap;
    char *u = NULL;
    size_t k = 0;

    while (path[0] == '/' && path[1] == '/') {
        path++;
        n--;
    }
    if (!mn_x__mul(&cap, n, 3) ||
        !mn_x__add(&cap, cap, sizeof(head) + sizeof(tail)))
        goto done;
    u = mn_x__malloc(cap);
    if (!u)
        goto done;
    memcpy(u, head, sizeof(head) - 1);
    k = sizeof(head) - 1;
    for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
        if (mn_x__isalpha(*c) || mn_x__isdigit(*c) || *c == '/' || *c == '.' ||
            *c == '-' || *c == '_' || *c == '~') {
            u[k++] = (char)*c;
        } else {
            u[k++] = '%';
            u[k++] = hex[*c >> 4];
            u[k++] = hex[*c & 15];
        }
    }
    memcpy(u + k, tail, sizeof(tail));
done:
    return u;
}

/*
 * Opens an existing store read-only and reads its identity (`*app`,
 * `*schema`).
 *
 * A store is in WAL mode, and a WAL reader needs the -shm (and -wal) file
 * beside the store: SQLite creates it when missing, which fails in a
 * folder the reader cannot write (another user's, a read-only mount).
 * mode=ro alone does not help: the reader still needs the -shm. So when
 * the plain read-only open fails that way and the store has no side files
 * at all, it is opened again with immutable=1: SQLite then takes no locks
 * and reads the file as it is, without -wal or -shm. That is safe here:
 * with no -wal and no -shm no connection has the store open in WAL mode,
 * so the file holds every commit, and nothing in this folder can start
 * writing it without creating them. (A writer from an account that can
 * write the folder could still start during the read: reading is then
 * undefined, as documented in docs/history.md.) A store that has side
 * files is never read immutable: a -wal may hold commits the file lacks.
 */
int mn_x__history_open_read(sqlite3 **out, const char *path, int flags,
                            int64_t *app, int64_t *schema, mn_error *err)
{
    sqlite3 *db = NULL;
    char *uri = NULL;
    int no_side;
    int src;
    int rc;

    *out = NULL;
    rc = check_file(path, 1, err);
    if (rc)
        goto done;
    src = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | flags, NULL);
    if (src != SQLITE_OK) {
        rc = db ? db_fail(err, db, src, "open")
                : mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    /* the first read is where a WAL reader needs its side files */
    rc = query_int(db, "PRAGMA application_id", app, err);
    src = sqlite3_extended_errcode(db) & 0xff;
    no_side =
        rc == MN_EIO && (src == SQLITE_READONLY || src == SQLITE_CANTOPEN);
    if (no_side && has_side_files(path)) {
        rc = mn_x__err(err, MN_EIO,
                       "cannot read the store read-only: SQLite cannot "
                       "create or open its side files (-wal, -shm) beside "
                       "it (%s)",
                       sqlite3_errmsg(db));
    } else if (no_side) {
        sqlite3_close(db);
        db = NULL;
        uri = immutable_uri(path);
        if (!uri) {
            rc = mn_x__err(err, MN_ENOMEM, "out of memory");
            goto done;
        }
        src = sqlite3_open_v2(
            uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | flags, NULL);
        if (src != SQLITE_OK)
            rc = db ? db_fail(err, db, src, "open")
                    : mn_x__err(err, MN_ENOMEM, "out of memory");
        else
            rc = query_int(db, "PRAGMA application_id", app, err);
    }
    if (rc == MN_OK)
        rc = query_int(db, "PRAGMA user_version", schema, err);
done:
    mn_x__free(uri);
    if (rc) {
        sqlite3_close(db);
        db = NULL;
        mn_x__err_at(err, path, 0, 0);
    }
    *out = db;
    return rc;
}

int mn_history_open(mn_history **out, const char *path,
                    const mn_history_options *opts, mn_error *err)
{
    mn_history *h = NULL;
    mn_history_options o;
    int flags;
    int src;
    int need_migrate = 0;
    int rc = MN_OK;

    mn_error_clear(err);
    if (!out || !path) {
        rc = mn_x__err(err, MN_EINVAL, "invalid arguments");
        goto done;
    }
    resolve_options(&o, opts);
    rc = check_file(path, o.read_only, err);
    if (rc)
        goto done;
    h = mn_x__calloc(1, sizeof(*h));
    if (!h) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    h->read_only = o.read_only;
    h->snapshot_ms = o.snapshot_ms;
    /* one handle per thread: SQLite's own mutexes are not needed */
    flags = SQLITE_OPEN_NOMUTEX |
            (o.read_only ? SQLITE_OPEN_READONLY
                         : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (o.read_only) {
        int64_t app;
        int64_t schema;
        rc = mn_x__history_open_read(&h->db, path, SQLITE_OPEN_NOMUTEX, &app,
                                     &schema, err);
        if (rc)
            goto done;
    } else {
        src = sqlite3_open_v2(path, &h->db, flags, NULL);
        if (src != SQLITE_OK) {
            rc = h->db ? db_fail(err, h->db, src, "open")
                       : mn_x__err(err, MN_ENOMEM, "out of memory");
            mn_x__err_at(err, path, 0, 0);
            goto done;
        }
    }
    rc = check_schema(h->db, o.read_only, &need_migrate, err);
    if (rc == MN_OK)
        rc = configure(h->db, &o, err);
    if (rc == MN_OK && need_migrate)
        rc = migrate(h->db, err);
    if (rc == MN_OK) {
        src = sqlite3_prepare_v3(h->db, mn_x__history_lookup_sql, -1,
                                 SQLITE_PREPARE_PERSISTENT, &h->lookup, NULL);
        if (src != SQLITE_OK)
            rc = db_fail(err, h->db, src, "prepare");
    }
    if (rc)
        mn_x__err_at(err, path, 0, 0);
done:
    if (rc) {
        mn_history_free(h);
        h = NULL;
    }
    if (out)
        *out = h;
    return rc;
}

void mn_history_free(mn_history *h)
{
    if (h) {
        read_end(h);
        sqlite3_finalize(h->lookup);
        /* an import left open is rolled back by the close */
        sqlite3_close_v2(h->db);
        mn_x__free(h);
    }
}

/* ------------------------------------------------------------------ */
/* Lookup                                                              */
/* ------------------------------------------------------------------ */

/*
 * With snapshot_ms, lookups read inside one transaction for up to that
 * long: starting and ending a read transaction per statement costs two
 * file-lock system calls and a stat, about a third of a lookup. Inside an
 * import's transaction a lookup simply reads there.
 */
static int read_begin(mn_history *h, mn_error *err)
{
    int64_t t;
    int rc = MN_OK;

    if (!h->snapshot_ms || (!h->read_tx && !sqlite3_get_autocommit(h->db)))
        goto done;
    t = now_ms();
    if (h->read_tx &&
        (t - h->snap_start >= h->snapshot_ms || t < h->snap_start))
        read_end(h);
    if (!h->read_tx) {
        rc = exec(h->db, "BEGIN", "lookup", err);
        h->read_tx = rc == MN_OK;
        h->snap_start = t;
    }
done:
    return rc;
}

int mn_history_lookup(mn_history *h, const char *patient_id, size_t id_len,
                      int32_t from, int32_t to, mn_history_cb cb, void *payload,
                      mn_error *err)
{
    sqlite3_stmt *st;
    mn_history_service svc;
    int src = SQLITE_DONE;
    int rc = MN_OK;

    if (!h || !cb || (!patient_id && id_len) || id_len > INT_MAX) {
        rc = mn_x__err(err, MN_EINVAL, "invalid arguments");
        goto done;
    }
    if (h->in_lookup) {
        rc = mn_x__err(err, MN_EINVAL, "lookup called from its own callback");
        goto done;
    }
    rc = read_begin(h, err);
    if (rc)
        goto done;
    st = h->lookup;
    h->in_lookup = 1;
    sqlite3_bind_text(st, 1, patient_id ? patient_id : "", (int)id_len,
                      SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, from);
    sqlite3_bind_int64(st, 3, to);
    while (rc == MN_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        svc.code = (const char *)sqlite3_column_text(st, 0);
        svc.code_len = (size_t)sqlite3_column_bytes(st, 0);
        svc.date = (int32_t)sqlite3_column_int(st, 1);
        svc.units = (unsigned)sqlite3_column_int(st, 2);
        svc.status = sqlite3_column_type(st, 3) == SQLITE_NULL
                         ? -1
                         : sqlite3_column_int(st, 3);
        svc.modifiers = (const char *)sqlite3_column_text(st, 4);
        svc.modifiers_len = (size_t)sqlite3_column_bytes(st, 4);
        svc.claim_key = (const char *)sqlite3_column_text(st, 5);
        svc.claim_key_len = (size_t)sqlite3_column_bytes(st, 5);
        svc.line = (unsigned)sqlite3_column_int(st, 6);
        svc.charge = sqlite3_column_type(st, 7) == SQLITE_NULL
                         ? MN_NO_AMOUNT
                         : sqlite3_column_int64(st, 7);
        svc.allowed = sqlite3_column_type(st, 8) == SQLITE_NULL
                          ? MN_NO_AMOUNT
                          : sqlite3_column_int64(st, 8);
        svc.diagnoses = (const char *)sqlite3_column_text(st, 9);
        svc.diagnoses_len =
            svc.diagnoses ? (size_t)sqlite3_column_bytes(st, 9) : 0;
        svc.provider = (const char *)sqlite3_column_text(st, 10);
        svc.provider_len =
            svc.provider ? (size_t)sqlite3_column_bytes(st, 10) : 0;
        if (!svc.code || !svc.claim_key) {
            rc = mn_x__err(err, MN_ENOMEM, "out of memory");
            break;
        }
        rc = cb(payload, &svc);
    }
    if (rc == MN_OK && src != SQLITE_DONE && src != SQLITE_ROW)
        rc = db_fail(err, h->db, src, "lookup");
    sqlite3_reset(st);
    h->in_lookup = 0;
done:
    return rc;
}

void mn_history_release(mn_history *h)
{
    if (h)
        read_end(h);
}

static int source_lookup(void *self, const char *patient_id, size_t id_len,
                         int32_t from, int32_t to, mn_history_cb cb,
                         void *payload, mn_error *err)
{
    return mn_history_lookup(self, patient_id, id_len, from, to, cb, payload,
                             err);
}

void mn_history_source_of(mn_history_source *out, mn_history *h)
{
    if (out) {
        out->version = MN_HISTORY_SOURCE_VERSION;
        out->self = h;
        out->lookup = source_lookup;
    }
}

int mn_history_get_stats(mn_history_stats *out, mn_history *h, mn_error *err)
{
    static const char *const sql[] = {
        "PRAGMA user_version",
        "SELECT count(*) FROM claim",
        "SELECT count(*) FROM service",
        "SELECT count(*) FROM (SELECT DISTINCT patient_id FROM claim)",
        "SELECT count(*) FROM service WHERE status IS NOT NULL",
        "SELECT count(*) FROM import_log",
    };
    int64_t v[sizeof(sql) / sizeof(sql[0])] = {0};
    int own_tx = 0;
    int rc = MN_OK;

    if (!out || !h) {
        rc = mn_x__err(err, MN_EINVAL, "invalid arguments");
        goto done;
    }
    /* one read transaction, so that the counts agree with each other
     * (inside an import's, they include its open batch) */
    read_end(h);
    if (sqlite3_get_autocommit(h->db)) {
        rc = exec(h->db, "BEGIN", "stats", err);
        own_tx = rc == MN_OK;
    }
    for (size_t i = 0; rc == MN_OK && i < sizeof(sql) / sizeof(sql[0]); i++)
        rc = query_int(h->db, sql[i], &v[i], err);
    if (own_tx)
        sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL);
    if (rc)
        goto done;
    memset(out, 0, sizeof(*out));
    out->version = MN_HISTORY_STATS_VERSION;
    out->schema = (int)v[0];
    out->claims = (size_t)v[1];
    out->services = (size_t)v[2];
    out->patients = (size_t)v[3];
    out->recorded = (size_t)v[4];
    out->imports = (size_t)v[5];
done:
    return rc;
}

/* ------------------------------------------------------------------ */
/* Dates and claim keys                                                */
/* ------------------------------------------------------------------ */

int mn_history_date(int32_t *out, const char *s, size_t len)
{
    int rc = MN_EINVAL;

    if (out && s && mn_x__parse_date(out, s, len, false))
        rc = MN_OK;
    return rc;
}

void mn_history_date_text(char out[11], int32_t days)
{
    if (out)
        mn_x__format_date(out, days);
}

static int put_u32(mn_vec *v, uint32_t x)
{
    unsigned char b[4];

    b[0] = (unsigned char)x;
    b[1] = (unsigned char)(x >> 8);
    b[2] = (unsigned char)(x >> 16);
    b[3] = (unsigned char)(x >> 24);
    return mn_x__vec_push(v, b, 4);
}

/* A length-prefixed string (NULL and "" differ). */
static int put_str(mn_vec *v, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    int rc = put_u32(v, s ? (uint32_t)n : UINT32_MAX);

    if (rc == MN_OK && n)
        rc = mn_x__vec_push(v, s, n);
    return rc;
}

/* The date a line was performed on: its own, else the claim's. */
static int32_t line_date(const mn_claim *c, const mn_claim_line *ln)
{
    return ln->date != MN_NODATE ? ln->date : c->date;
}

/*
 * The claim's content in a fixed byte layout (little-endian integers,
 * length-prefixed strings), hashed for change detection and for the key
 * of a claim without an id. Everything the claim says is in it but the
 * inline history, which is not imported.
 */
static int canon(mn_vec *v, const mn_claim *c)
{
    int rc;

    v->len = 0;
    rc = put_str(v, c->patient_id);
    if (rc == MN_OK)
        rc = put_str(v, c->id);
    if (rc == MN_OK)
        rc = put_str(v, c->payer_text);
    if (rc == MN_OK)
        rc = put_str(v, c->jurisdiction);
    if (rc == MN_OK)
        rc = put_str(v, c->bill_type);
    if (rc == MN_OK)
        rc = put_str(v, c->pos);
    if (rc == MN_OK)
        rc = put_u32(v, (uint32_t)c->institutional | (c->dme ? 0x100u : 0));
    if (rc == MN_OK)
        rc = put_u32(v, (uint32_t)c->date);
    if (rc == MN_OK)
        rc = put_u32(v, (uint32_t)c->birth_date);
    if (rc == MN_OK)
        rc = put_u32(v, (uint32_t)c->age);
    if (rc == MN_OK)
        rc = put_u32(v, (uint32_t)(unsigned char)c->sex);
    if (rc == MN_OK)
        rc = put_u32(v, (uint32_t)c->n_dx);
    for (size_t i = 0; rc == MN_OK && i < c->n_dx; i++)
        rc = put_str(v, c->dx[i].text);
    if (rc == MN_OK)
        rc = put_u32(v, (uint32_t)c->n_lines);
    for (size_t i = 0; rc == MN_OK && i < c->n_lines; i++) {
        const mn_claim_line *ln = &c->lines[i];
        rc = put_str(v, ln->code_text);
        if (rc == MN_OK)
            rc = put_u32(v, ln->units);
        if (rc == MN_OK)
            rc = put_u32(v, (uint32_t)line_date(c, ln));
        if (rc == MN_OK)
            rc = put_str(v, ln->pos);
        if (rc == MN_OK)
            rc = put_u32(v, ln->n_modifiers);
        for (unsigned m = 0; rc == MN_OK && m < ln->n_modifiers; m++)
            rc = put_str(v, ln->modifiers[m]);
        if (rc == MN_OK)
            rc = put_u32(v, ln->n_pointers);
        for (unsigned m = 0; rc == MN_OK && m < ln->n_pointers; m++)
            rc = put_u32(v, ln->pointers[m]);
        /* amounts came with schema 2: only a line that has one adds
           bytes, so the keys of claims without amounts did not change */
        if (rc == MN_OK &&
            (ln->charge != MN_NO_AMOUNT || ln->allowed != MN_NO_AMOUNT)) {
            rc = put_u32(v, 0x24u); /* '$' */
            if (rc == MN_OK)
                rc = put_u32(v, (uint32_t)ln->charge);
            if (rc == MN_OK)
                rc = put_u32(v, (uint32_t)((uint64_t)ln->charge >> 32));
            if (rc == MN_OK)
                rc = put_u32(v, (uint32_t)ln->allowed);
            if (rc == MN_OK)
                rc = put_u32(v, (uint32_t)((uint64_t)ln->allowed >> 32));
        }
        /* providers came with schema 3: likewise only when given */
        if (rc == MN_OK && mn_x__claim_line_provider(c, i)) {
            rc = put_u32(v, 0x40u); /* '@' */
            if (rc == MN_OK)
                rc = put_str(v, mn_x__claim_line_provider(c, i));
        }
    }
    return rc;
}

/* "#" and the digest in 16 hex digits, NUL-terminated. */
static void hex_key(char out[KEY_HEX + 1], uint64_t digest)
{
    static const char hex[] = "0123456789abcdef";

    out[0] = '#';
    for (int i = 0; i < 16; i++)
        out[1 + i] = hex[(digest >> (60 - 4 * i)) & 0xf];
    out[KEY_HEX] = '\0';
}

int mn_history_claim_key(mn_buf *out, const mn_claim *claim, mn_error *err)
{
    mn_vec v = {NULL, 0, 0, 0};
    char key[KEY_HEX + 1];
    int rc = MN_OK;

    if (!out || !claim) {
        rc = mn_x__err(err, MN_EINVAL, "invalid arguments");
        goto done;
    }
    if (claim->id) {
        rc = mn_x__buf_append(out, claim->id, strlen(claim->id));
    } else {
        rc = canon(&v, claim);
        if (rc == MN_OK) {
            hex_key(key, mn_x__hash(v.data, v.len));
            rc = mn_x__buf_append(out, key, KEY_HEX);
        }
    }
    if (rc)
        mn_x__err(err, rc, "%s", mn_strerror(rc));
done:
    mn_x__vec_free(&v);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Import                                                              */
/* ------------------------------------------------------------------ */

enum {
    S_SEL_CLAIM,
    S_DEL_SERVICES,
    S_PUT_CLAIM,
    S_PUT_SERVICE,
    S_DEL_CLAIM,
    S_COUNT
};

/* Counts that become true only when their batch commits. */
typedef struct batch_counts {
    size_t claims_added;
    size_t claims_replaced;
    size_t claims_unchanged;
    size_t services_added;
    size_t services_removed;
    size_t claims_voided;
    size_t claims; /* claims written or checked in the open batch */
} batch_counts;

struct mn_history_importer {
    mn_history *h;
    mn_history_import_options o;
    mn_claim_options co;
    size_t max_line;
    sqlite3_stmt *st[S_COUNT];
    mn_ctx *ctx;     /* for `record` */
    mn_vec pending;  /* a line split across feeds */
    mn_vec scratch;  /* canonical content */
    mn_vec statuses; /* int per claim line, for `record` */
    char mods[MN_MAX_MODIFIERS * 3 + 1];
    mn_vec dx; /* join_dx */
    int in_tx;
    int discarding; /* skipping the rest of an over-long line */
    int spent;      /* an error stopped the import */
    int finished;
    size_t offset; /* input bytes consumed before the current line */
    int64_t started;
    batch_counts b;
    mn_history_import_stats st_;
};

static int64_t now_seconds(void)
{
    return (int64_t)time(NULL);
}

int mn_history_importer_new(mn_history_importer **out, mn_history *h,
                            const mn_history_import_options *opts,
                            mn_error *err)
{
    static const char *const sql[S_COUNT] = {sql_sel_claim, sql_del_services,
                                             sql_put_claim, sql_put_service,
                                             sql_del_claim};
    const mn_history_import_options d = MN_HISTORY_IMPORT_OPTIONS_INIT;
    mn_history_importer *imp = NULL;
    int rc = MN_OK;

    mn_error_clear(err);
    if (!out || !h) {
        rc = mn_x__err(err, MN_EINVAL, "invalid arguments");
        goto done;
    }
    if (h->read_only || h->importing) {
        rc = mn_x__err(err, MN_EINVAL,
                       h->read_only ? "the history store is open read-only"
                                    : "an import is already running");
        goto done;
    }
    if (opts && opts->record && !opts->kb) {
        rc = mn_x__err(err, MN_EINVAL, "recording needs a knowledge base");
        goto done;
    }
    imp = mn_x__calloc(1, sizeof(*imp));
    if (!imp) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    imp->h = h;
    imp->o = opts ? *opts : d;
    if (!imp->o.batch)
        imp->o.batch = DEF_BATCH;
    if (imp->o.claim_options) {
        imp->co = *imp->o.claim_options;
        imp->o.claim_options = &imp->co;
    }
    imp->max_line = imp->co.max_input ? imp->co.max_input : DEF_MAX_LINE;
    imp->pending.max = imp->max_line + 1;
    imp->st_.version = MN_HISTORY_IMPORT_STATS_VERSION;
    imp->started = now_seconds();
    for (int i = 0; i < S_COUNT && rc == MN_OK; i++) {
        int src = sqlite3_prepare_v3(
            h->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &imp->st[i], NULL);
        if (src != SQLITE_OK)
            rc = db_fail(err, h->db, src, "prepare");
    }
    if (rc == MN_OK && imp->o.record)
        rc = mn_ctx_new(&imp->ctx, 0, err);
    if (rc == MN_OK)
        h->importing = 1;
done:
    if (rc) {
        mn_history_importer_free(imp);
        imp = NULL;
    }
    if (out)
        *out = imp;
    return rc;
}

void mn_history_importer_free(mn_history_importer *imp)
{
    if (imp) {
        if (imp->in_tx)
            sqlite3_exec(imp->h->db, "ROLLBACK", NULL, NULL, NULL);
        for (int i = 0; i < S_COUNT; i++)
            sqlite3_finalize(imp->st[i]);
        imp->h->importing = 0;
        mn_ctx_free(imp->ctx);
        mn_x__vec_free(&imp->pending);
        mn_x__vec_free(&imp->scratch);
        mn_x__vec_free(&imp->statuses);
        mn_x__vec_free(&imp->dx);
        mn_x__free(imp);
    }
}

void mn_history_importer_get_stats(mn_history_import_stats *out,
                                   const mn_history_importer *imp)
{
    if (out && imp)
        *out = imp->st_;
}

static int commit(mn_history_importer *imp, mn_error *err)
{
    mn_history_import_stats *s = &imp->st_;
    int rc = MN_OK;

    if (imp->in_tx) {
        rc = exec(imp->h->db, "COMMIT", "commit", err);
        if (rc) {
            sqlite3_exec(imp->h->db, "ROLLBACK", NULL, NULL, NULL);
            imp->in_tx = 0;
            memset(&imp->b, 0, sizeof(imp->b));
            goto done;
        }
        imp->in_tx = 0;
        s->commits++;
        s->claims_added += imp->b.claims_added;
        s->claims_replaced += imp->b.claims_replaced;
        s->claims_unchanged += imp->b.claims_unchanged;
        s->services_added += imp->b.services_added;
        s->services_removed += imp->b.services_removed;
        s->claims_voided += imp->b.claims_voided;
        memset(&imp->b, 0, sizeof(imp->b));
    }
    s->committed_line = s->lines;
done:
    return rc;
}

/* Drops the open batch (after a failed write). */
static void rollback(mn_history_importer *imp)
{
    if (imp->in_tx)
        sqlite3_exec(imp->h->db, "ROLLBACK", NULL, NULL, NULL);
    imp->in_tx = 0;
    memset(&imp->b, 0, sizeof(imp->b));
}

/* True when a JSON path holds only the contract's own key characters, so
 * it cannot carry input values. */
static bool plain_path(const char *p)
{
    bool ok = p[0] != '\0' && strlen(p) <= 64;

    for (; ok && *p; p++)
        ok = (*p >= 'a' && *p <= 'z') || mn_x__isdigit(*p) || *p == '_' ||
             *p == '.' || *p == '[' || *p == ']';
    return ok;
}

/* True when a message may quote input: quotes, escapes, or a date. */
static bool may_quote(const char *m)
{
    int digits = 0;
    bool quoted = false;

    for (; *m && !quoted; m++) {
        /* jansson's "'}' expected": a quoted punctuation mark is fine */
        if (m[0] == '\'' && m[1] && m[2] == '\'' && !mn_x__isdigit(m[1]) &&
            !mn_x__isalpha(m[1])) {
            m += 2;
            continue;
        }
        quoted = *m == '"' || *m == '\'' || *m == '\\' ||
                 (digits >= 4 && (*m == '-' || *m == '/'));
        digits = mn_x__isdigit(*m) ? digits + 1 : 0;
    }
    return quoted;
}

/*
 * Rewrites a claim parser error for an import: "path: message", with no
 * input value in it. Patient fields and diagnoses never echo their
 * values; other messages that might quote input fall back to a fixed
 * description. jansson's " near '...'" tail is dropped.
 */
static void scrub(mn_error *e)
{
    char msg[sizeof(e->message)];
    char *near = strstr(e->message, " near ");
    const char *path = e->where;
    const char *text = e->message;

    if (near)
        *near = '\0';
    if (!plain_path(path))
        path = path[0] ? "(field)" : "";
    if (!strncmp(path, "patient", 7) || !strncmp(path, "diagnoses", 9) ||
        may_quote(text) || !text[0])
        text = e->code == MN_EINVAL && path[0] ? "invalid value"
               : e->code == MN_EINVAL          ? "malformed JSON"
                                               : mn_strerror(e->code);
    if (path[0])
        snprintf(msg, sizeof(msg), "%.64s: %.180s", path, text);
    else
        snprintf(msg, sizeof(msg), "%s", text);
    memcpy(e->message, msg, sizeof(msg));
    e->where[0] = '\0';
}

/* Reports a claim left out, by line number. */
static void skipped(mn_history_importer *imp, const char *reason)
{
    if (imp->o.skip)
        imp->o.skip(imp->o.payload, imp->st_.lines, reason);
}

static int begin(mn_history_importer *imp, mn_error *err)
{
    int rc = MN_OK;

    if (!imp->in_tx) {
        read_end(imp->h);
        rc = exec(imp->h->db, "BEGIN IMMEDIATE", "begin", err);
        if (rc == MN_OK)
            imp->in_tx = 1;
    }
    return rc;
}

static int step_done(mn_history_importer *imp, sqlite3_stmt *st,
                     const char *what, mn_error *err)
{
    int src = sqlite3_step(st);
    int rc = MN_OK;

    if (src != SQLITE_DONE)
        rc = db_fail(err, imp->h->db, src, what);
    sqlite3_reset(st);
    return rc;
}

/* Joins a line's modifiers as "GA,59"; NULL when it has none. */
static const char *join_mods(mn_history_importer *imp, const mn_claim_line *ln,
                             int *len)
{
    size_t n = 0;

    for (unsigned m = 0; m < ln->n_modifiers; m++) {
        size_t k = strlen(ln->modifiers[m]);
        if (m)
            imp->mods[n++] = ',';
        memcpy(imp->mods + n, ln->modifiers[m], k);
        n += k;
    }
    imp->mods[n] = '\0';
    *len = (int)n;
    return n ? imp->mods : NULL;
}

/* Joins the diagnoses a line points to (all of the claim's when it
 * points to none) as "Z12.11,K92.1" into imp->dx; NULL when there are
 * none. */
static const char *join_dx(mn_history_importer *imp, const mn_claim *c,
                           const mn_claim_line *ln, int *len, int *rc)
{
    size_t n = ln->n_pointers ? ln->n_pointers : c->n_dx;

    imp->dx.len = 0;
    *rc = MN_OK;
    for (size_t k = 0; k < n && *rc == MN_OK; k++) {
        size_t i = ln->n_pointers ? (size_t)ln->pointers[k] - 1 : k;
        const char *t;
        if (i >= c->n_dx)
            continue;
        t = c->dx[i].text;
        if (imp->dx.len)
            *rc = mn_x__vec_push(&imp->dx, ",", 1);
        if (*rc == MN_OK)
            *rc = mn_x__vec_push(&imp->dx, t, strlen(t));
    }
    *len = (int)imp->dx.len;
    return *rc == MN_OK && imp->dx.len ? (const char *)imp->dx.data : NULL;
}

/* Writes the claim's services; the claim is known to have changed. */
static int write_claim(mn_history_importer *imp, const mn_claim *c,
                       const char *key, int key_len, uint64_t digest,
                       const uint64_t *sdigest, int exists, mn_error *err)
{
    sqlite3_stmt *st;
    const char *pid = c->patient_id;
    const int *stat =
        imp->statuses.len ? (const int *)imp->statuses.data : NULL;
    size_t written = 0;
    int rc = MN_OK;

    if (exists) {
        st = imp->st[S_DEL_SERVICES];
        sqlite3_bind_text(st, 1, pid, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, key, key_len, SQLITE_STATIC);
        rc = step_done(imp, st, "write", err);
        if (rc == MN_OK)
            imp->b.services_removed += (size_t)sqlite3_changes(imp->h->db);
    }
    st = imp->st[S_PUT_SERVICE];
    for (size_t i = 0; rc == MN_OK && i < c->n_lines; i++) {
        const mn_claim_line *ln = &c->lines[i];
        int32_t date = line_date(c, ln);
        int mlen = 0;
        const char *mods = join_mods(imp, ln, &mlen);
        int dlen = 0;
        const char *dx = join_dx(imp, c, ln, &dlen, &rc);

        if (rc) {
            rc = mn_x__err(err, rc, "out of memory");
            break;
        }
        if (date == MN_NODATE)
            continue;
        sqlite3_bind_text(st, 1, pid, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, date);
        sqlite3_bind_text(st, 3, key, key_len, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, (int64_t)i + 1);
        sqlite3_bind_text(st, 5, ln->code_text, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 6, ln->units);
        if (mods)
            sqlite3_bind_text(st, 7, mods, mlen, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 7);
        if (stat)
            sqlite3_bind_int(st, 8, stat[i]);
        else
            sqlite3_bind_null(st, 8);
        if (ln->charge != MN_NO_AMOUNT)
            sqlite3_bind_int64(st, 9, ln->charge);
        else
            sqlite3_bind_null(st, 9);
        if (ln->allowed != MN_NO_AMOUNT)
            sqlite3_bind_int64(st, 10, ln->allowed);
        else
            sqlite3_bind_null(st, 10);
        if (dx)
            sqlite3_bind_text(st, 11, dx, dlen, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 11);
        if (mn_x__claim_line_provider(c, i))
            sqlite3_bind_text(st, 12, mn_x__claim_line_provider(c, i), -1,
                              SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 12);
        rc = step_done(imp, st, "write", err);
        written++;
    }
    st = imp->st[S_PUT_CLAIM];
    if (rc == MN_OK) {
        sqlite3_bind_text(st, 1, pid, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, key, key_len, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, (int64_t)digest);
        if (sdigest)
            sqlite3_bind_int64(st, 4, (int64_t)*sdigest);
        else
            sqlite3_bind_null(st, 4);
        sqlite3_bind_int64(st, 5, (int64_t)written);
        sqlite3_bind_int64(st, 6, imp->started);
        rc = step_done(imp, st, "write", err);
    }
    if (rc == MN_OK) {
        imp->b.services_added += written;
        if (exists)
            imp->b.claims_replaced++;
        else
            imp->b.claims_added++;
    }
    return rc;
}

/* Checks the claim (with `record`) and keeps each line's status. */
static int record_statuses(mn_history_importer *imp, const mn_claim *c,
                           uint64_t *sdigest, mn_error *err)
{
    const mn_result *res = NULL;
    int rc = MN_OK;

    imp->statuses.len = 0;
    rc = mn_check(&res, imp->ctx, imp->o.kb, c, err);
    for (size_t i = 0; rc == MN_OK && i < c->n_lines; i++) {
        int s = (int)mn_result_line_status(res, i);
        rc = mn_x__vec_push(&imp->statuses, &s, sizeof(s));
        if (rc)
            rc = mn_x__err(err, rc, "out of memory");
    }
    if (rc == MN_OK)
        *sdigest = mn_x__hash(imp->statuses.data, imp->statuses.len);
    mn_ctx_reset(imp->ctx);
    return rc;
}

/* The statuses the caller gives, kept as record_statuses keeps them. */
static int given_statuses(mn_history_importer *imp, const mn_claim *c,
                          const mn_status *given, uint64_t *sdigest,
                          mn_error *err)
{
    int rc = MN_OK;

    imp->statuses.len = 0;
    for (size_t i = 0; rc == MN_OK && i < c->n_lines; i++) {
        int s = (int)given[i];
        rc = mn_x__vec_push(&imp->statuses, &s, sizeof(s));
        if (rc)
            rc = mn_x__err(err, rc, "out of memory");
    }
    if (rc == MN_OK)
        *sdigest = mn_x__hash(imp->statuses.data, imp->statuses.len);
    return rc;
}

/* Frequency 8: the claim of this key goes, with its services. */
static int void_claim(mn_history_importer *imp, const mn_claim *c,
                      const char *key, mn_error *err)
{
    int rc = MN_OK;

    for (int k = 0; k < 2 && rc == MN_OK; k++) {
        sqlite3_stmt *st = imp->st[k ? S_DEL_CLAIM : S_DEL_SERVICES];
        sqlite3_bind_text(st, 1, c->patient_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
        rc = step_done(imp, st, "write", err);
        if (rc == MN_OK && !k)
            imp->b.services_removed += (size_t)sqlite3_changes(imp->h->db);
        if (rc == MN_OK && k)
            imp->b.claims_voided += (size_t)sqlite3_changes(imp->h->db);
    }
    return rc;
}

/*
 * Stores one parsed claim. Errors from the claim itself (its check) come
 * before any write, so the batch stays whole; a failed write rolls the
 * batch back (*db_error set). `res`, when not NULL, gives the statuses to
 * record instead of a check of our own. A claim with frequency code 8
 * voids the stored claim of its key; any other replaces it (7 included).
 */
static int store_claim(mn_history_importer *imp, const mn_claim *c,
                       const mn_status *res, int *db_error, mn_error *err)
{
    sqlite3_stmt *st = imp->st[S_SEL_CLAIM];
    char hexkey[KEY_HEX + 1];
    const char *key = c->id;
    uint64_t digest;
    uint64_t sdigest = 0;
    uint64_t old = 0;
    uint64_t old_s = 0;
    int has_old_s = 0;
    int exists = 0;
    int src;
    int rc = MN_OK;

    imp->statuses.len = 0;
    if (res && c->frequency != '8') {
        rc = given_statuses(imp, c, res, &sdigest, err);
        if (rc)
            goto done;
    } else if (imp->o.record && c->frequency != '8') {
        rc = record_statuses(imp, c, &sdigest, err);
        if (rc)
            goto done;
    }
    rc = canon(&imp->scratch, c);
    if (rc) {
        rc = mn_x__err(err, rc, "out of memory");
        goto done;
    }
    digest = mn_x__hash(imp->scratch.data, imp->scratch.len);
    if (!key) {
        hex_key(hexkey, digest);
        key = hexkey;
    }
    *db_error = 1;
    rc = begin(imp, err);
    if (rc)
        goto done;
    sqlite3_bind_text(st, 1, c->patient_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        exists = 1;
        old = (uint64_t)sqlite3_column_int64(st, 0);
        has_old_s = sqlite3_column_type(st, 1) != SQLITE_NULL;
        old_s = (uint64_t)sqlite3_column_int64(st, 1);
    } else if (src != SQLITE_DONE) {
        rc = db_fail(err, imp->h->db, src, "read");
    }
    sqlite3_reset(st);
    if (rc)
        goto done;
    imp->b.claims++;
    if (c->frequency == '8') {
        rc = void_claim(imp, c, key, err);
        goto done;
    }
    if (exists && old == digest &&
        (!(imp->o.record || res) || (has_old_s && old_s == sdigest))) {
        imp->b.claims_unchanged++;
        goto done;
    }
    rc = write_claim(imp, c, key, (int)strlen(key), digest,
                     (imp->o.record || res) ? &sdigest : NULL, exists, err);
done:
    if (rc == MN_OK)
        *db_error = 0;
    return rc;
}

/* Imports one complete input line (without its newline). */
static int import_line(mn_history_importer *imp, const char *p, size_t n,
                       mn_error *err)
{
    mn_history_import_stats *s = &imp->st_;
    mn_claim *c = NULL;
    mn_error e;
    char reason[64];
    size_t k = 0;
    int db_error = 0;
    int rc = MN_OK;

    mn_error_clear(&e);
    s->lines++;
    if (s->lines == 1 && n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3)) {
        p += 3;
        n -= 3;
    }
    while (k < n && mn_x__isspace((unsigned char)p[k]))
        k++;
    if (k == n)
        goto done;
    s->claims++;
    rc = mn_claim_parse_json(&c, p, n, imp->o.claim_options, &e);
    if (rc == MN_OK && (!c->patient_id || !c->patient_id[0])) {
        s->skipped++;
        s->skipped_no_patient++;
        skipped(imp, "no patient.id");
        goto done;
    }
    if (rc == MN_OK) {
        rc = store_claim(imp, c, NULL, &db_error, &e);
        if (rc && !db_error)
            scrub(&e);
    } else {
        scrub(&e);
    }
    if (rc == MN_OK) {
        for (size_t i = 0; i < c->n_lines; i++) {
            if (line_date(c, &c->lines[i]) != MN_NODATE)
                continue;
            s->lines_undated++;
            snprintf(reason, sizeof(reason), "lines[%zu]: no date of service",
                     i);
            skipped(imp, reason);
        }
    }
    if (rc && !db_error && imp->o.skip_invalid && rc != MN_ENOMEM) {
        s->skipped++;
        s->skipped_invalid++;
        skipped(imp, e.message);
        rc = MN_OK;
    }
    if (rc) {
        if (e.line)
            e.column = e.line == 1 ? e.column : 0;
        if (e.offset)
            e.offset += imp->offset;
        else
            e.offset = imp->offset;
        e.line = s->lines;
        e.record = s->claims;
        if (err)
            *err = e;
    }
done:
    mn_claim_free(c);
    if (rc && db_error)
        rollback(imp);
    return rc;
}

static int after_line(mn_history_importer *imp, mn_error *err);

int mn_history_importer_put(mn_history_importer *imp, const mn_claim *claim,
                            const mn_status *statuses, mn_error *err)
{
    mn_history_import_stats *s;
    int db_error = 0;
    int rc;

    mn_error_clear(err);
    if (!imp || !claim)
        return mn_x__err(err, MN_EINVAL, "invalid arguments");
    if (imp->spent || imp->finished)
        return mn_x__err(err, MN_EINVAL, "the import has ended");
    s = &imp->st_;
    s->lines++;
    s->claims++;
    if (!claim->patient_id || !claim->patient_id[0]) {
        s->skipped++;
        s->skipped_no_patient++;
        skipped(imp, "no patient id");
        return MN_OK;
    }
    rc = store_claim(imp, claim, statuses, &db_error, err);
    if (rc == MN_OK) {
        for (size_t i = 0; i < claim->n_lines; i++)
            s->lines_undated += line_date(claim, &claim->lines[i]) == MN_NODATE;
        rc = after_line(imp, err);
    }
    if (rc) {
        if (db_error)
            rollback(imp);
        else
            scrub(err);
        imp->spent = 1;
    }
    return rc;
}

/* After each line: commit a full batch, or note that nothing is open. */
static int after_line(mn_history_importer *imp, mn_error *err)
{
    int rc = MN_OK;

    if (!imp->in_tx)
        imp->st_.committed_line = imp->st_.lines;
    else if (imp->b.services_added + imp->b.services_removed >= imp->o.batch ||
             imp->b.claims >= imp->o.batch)
        rc = commit(imp, err);
    return rc;
}

/* A line over the limit: an error, or a skip with skip_invalid. */
static int too_long(mn_history_importer *imp, mn_error *err)
{
    mn_history_import_stats *s = &imp->st_;
    char msg[96];
    int rc = MN_OK;

    s->lines++;
    s->claims++;
    snprintf(msg, sizeof(msg), "line longer than %zu bytes", imp->max_line);
    if (imp->o.skip_invalid) {
        s->skipped++;
        s->skipped_invalid++;
        skipped(imp, msg);
    } else {
        rc = mn_x__err(err, MN_ELIMIT, "%s", msg);
        mn_x__err_at(err, NULL, s->lines, 0);
        if (err) {
            err->record = s->claims;
            err->offset = imp->offset;
        }
    }
    return rc;
}

/* Stops the import after an error in the current line: the lines before
 * it are committed (unless the error was a failed write, which rolled
 * the open batch back). */
static int stop(mn_history_importer *imp, int rc, mn_error *err)
{
    mn_error e;
    int crc;

    imp->spent = 1;
    if (imp->in_tx) {
        crc = commit(imp, &e);
        if (crc == MN_OK) {
            imp->st_.committed_line = imp->st_.lines - 1;
        } else if (err) {
            /* the commit failed: that is the error worth reporting */
            size_t line = err->line;
            *err = e;
            err->line = line;
            rc = crc;
        } else {
            rc = crc;
        }
    }
    return rc;
}

int mn_history_importer_feed(mn_history_importer *imp, const char *data,
                             size_t len, mn_error *err)
{
    const char *p = data;
    const char *end = data + len;
    int rc = MN_OK;

    mn_error_clear(err);
    if (!imp || (!data && len) || imp->spent || imp->finished) {
        rc = mn_x__err(err, MN_EINVAL,
                       imp ? "the import is over" : "invalid arguments");
        goto done;
    }
    while (rc == MN_OK && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((nl ? nl : end) - p);

        if (imp->discarding) {
            imp->offset += n + (nl != NULL);
            imp->discarding = !nl;
        } else if (!nl || imp->pending.len) {
            rc = mn_x__vec_push(&imp->pending, p, n);
            if (rc == MN_ELIMIT) {
                imp->pending.len = 0;
                imp->discarding = !nl;
                rc = too_long(imp, err);
                imp->offset += n + (nl != NULL);
                if (rc == MN_OK)
                    rc = after_line(imp, err);
            } else if (rc) {
                rc = mn_x__err(err, rc, "out of memory");
            } else if (nl) {
                rc = import_line(imp, (const char *)imp->pending.data,
                                 imp->pending.len, err);
                imp->offset += imp->pending.len + 1;
                imp->pending.len = 0;
                if (rc == MN_OK)
                    rc = after_line(imp, err);
            }
        } else if (n > imp->max_line) {
            rc = too_long(imp, err);
            imp->offset += n + 1;
            if (rc == MN_OK)
                rc = after_line(imp, err);
        } else {
            rc = import_line(imp, p, n, err);
            imp->offset += n + 1;
            if (rc == MN_OK)
                rc = after_line(imp, err);
        }
        p += n + (nl != NULL);
    }
    if (rc)
        rc = stop(imp, rc, err);
done:
    return rc;
}

static int write_log(mn_history_importer *imp, mn_error *err)
{
    const mn_history_import_stats *s = &imp->st_;
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(imp->h->db, sql_log, -1, &st, NULL);
    int rc = MN_OK;

    if (src == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, imp->started);
        sqlite3_bind_int64(st, 2, now_seconds());
        sqlite3_bind_int64(st, 3, (int64_t)s->lines);
        sqlite3_bind_int64(st, 4, (int64_t)s->claims);
        sqlite3_bind_int64(st, 5,
                           (int64_t)(s->claims_added + imp->b.claims_added));
        sqlite3_bind_int64(
            st, 6, (int64_t)(s->claims_replaced + imp->b.claims_replaced));
        sqlite3_bind_int64(
            st, 7, (int64_t)(s->claims_unchanged + imp->b.claims_unchanged));
        sqlite3_bind_int64(
            st, 8, (int64_t)(s->services_added + imp->b.services_added));
        sqlite3_bind_int64(
            st, 9, (int64_t)(s->services_removed + imp->b.services_removed));
        sqlite3_bind_int64(st, 10, (int64_t)s->skipped);
        sqlite3_bind_int(st, 11, imp->o.record != 0);
        if (imp->o.record)
            sqlite3_bind_text(st, 12, mn_kb_version(imp->o.kb), -1,
                              SQLITE_TRANSIENT);
        src = sqlite3_step(st);
    }
    if (src != SQLITE_DONE && src != SQLITE_OK)
        rc = db_fail(err, imp->h->db, src, "write");
    sqlite3_finalize(st);
    return rc;
}

int mn_history_importer_finish(mn_history_importer *imp, mn_error *err)
{
    int rc = MN_OK;

    mn_error_clear(err);
    if (!imp || imp->spent || imp->finished) {
        rc = mn_x__err(err, MN_EINVAL,
                       imp ? "the import is over" : "invalid arguments");
        goto done;
    }
    if (imp->discarding) {
        imp->discarding = 0;
    } else if (imp->pending.len) {
        rc = import_line(imp, (const char *)imp->pending.data, imp->pending.len,
                         err);
        imp->offset += imp->pending.len;
        imp->pending.len = 0;
    }
    if (rc) {
        rc = stop(imp, rc, err);
        goto done;
    }
    rc = begin(imp, err);
    if (rc == MN_OK)
        rc = write_log(imp, err);
    if (rc == MN_OK)
        rc = commit(imp, err);
    else
        rollback(imp);
    if (rc)
        imp->spent = 1;
    else
        imp->finished = 1;
done:
    return rc;
}

int mn_history_import(mn_history *h, const char *data, size_t len,
                      const mn_history_import_options *opts,
                      mn_history_import_stats *stats, mn_error *err)
{
    mn_history_importer *imp = NULL;
    int rc = mn_history_importer_new(&imp, h, opts, err);

    if (rc == MN_OK)
        rc = mn_history_importer_feed(imp, data, len, err);
    if (rc == MN_OK)
        rc = mn_history_importer_finish(imp, err);
    if (stats) {
        memset(stats, 0, sizeof(*stats));
        stats->version = MN_HISTORY_IMPORT_STATS_VERSION;
        mn_history_importer_get_stats(stats, imp);
    }
    mn_history_importer_free(imp);
    return rc;
}
