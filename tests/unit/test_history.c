/*
 * test_history.c: the SQLite history store: schema and version checks,
 * import (idempotency, batches, crash safety, skips and errors with line
 * numbers, recorded statuses), lookups in date order within a window,
 * the query plan of the read path, the CLI, and no patient data in any
 * message. With MN_HISTORY_BENCH=1 it also times a 1M-service import and
 * lookups (docs/history.md).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "harness.h"
#include "history/history_int.h"
#include "mednec.h"
#include "mednec/history.h"

static char tmpdir[] = "/tmp/mn_hist_XXXXXX";

static const char *path_of(const char *name)
{
    static char p[4][400];
    static int next;
    char *out = p[next++ % 4];
    snprintf(out, 400, "%s/%s", tmpdir, name);
    return out;
}

static void write_file(const char *name, const char *text)
{
    FILE *f = fopen(path_of(name), "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static int sql_exec(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    int rc = sqlite3_open(db, &h);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(h, sql, NULL, NULL, NULL);
    sqlite3_close(h);
    return rc;
}

static long long sql_int(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    long long v = -1;
    if (sqlite3_open(db, &h) == SQLITE_OK &&
        sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A fresh store in the temp folder. */
static mn_history *open_new(const char *name)
{
    mn_history *h = NULL;
    mn_error err;
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -f %s %s-wal %s-shm", path_of(name),
             path_of(name), path_of(name));
    if (system(cmd) != 0)
        return NULL;
    if (mn_history_open(&h, path_of(name), NULL, &err))
        fprintf(stderr, "open: %s\n", err.message);
    return h;
}

/* ------------------------------------------------------------------ */
/* Collecting lookups and skips                                        */
/* ------------------------------------------------------------------ */

typedef struct got {
    int n;
    char text[32][96]; /* "date code units mods status key line" */
    int stop_after;    /* return 7 after this many, 0: never */
} got;

static int collect(void *payload, const mn_history_service *s)
{
    got *g = payload;
    char date[11];
    mn_history_date_text(date, s->date);
    if (g->n < 32)
        snprintf(g->text[g->n], sizeof(g->text[0]),
                 "%s %.*s %u %.*s %d %.*s %u", date, (int)s->code_len, s->code,
                 s->units, s->modifiers ? (int)s->modifiers_len : 1,
                 s->modifiers ? s->modifiers : "-", s->status,
                 (int)s->claim_key_len, s->claim_key, s->line);
    g->n++;
    return g->stop_after && g->n >= g->stop_after ? 7 : MN_OK;
}

static int lookup(mn_history *h, got *g, const char *pid, const char *from,
                  const char *to)
{
    int32_t f = MN_HISTORY_FIRST, t = MN_HISTORY_LAST;
    mn_error err;
    if (from)
        mn_history_date(&f, from, strlen(from));
    if (to)
        mn_history_date(&t, to, strlen(to));
    memset(g, 0, sizeof(*g));
    return mn_history_lookup(h, pid, strlen(pid), f, t, collect, g, &err);
}

typedef struct skips {
    int n;
    size_t line[16];
    char reason[16][128];
} skips;

static void on_skip(void *payload, size_t line, const char *reason)
{
    skips *s = payload;
    if (s->n < 16) {
        s->line[s->n] = line;
        snprintf(s->reason[s->n], sizeof(s->reason[0]), "%s", reason);
    }
    s->n++;
}

static size_t count_services(mn_history *h)
{
    mn_history_stats st;
    mn_error err;
    memset(&st, 0, sizeof(st));
    if (mn_history_get_stats(&st, h, &err))
        return (size_t)-1;
    return st.services;
}

/* ------------------------------------------------------------------ */
/* Data                                                                */
/* ------------------------------------------------------------------ */

/* Line 2 is blank, line 4 has no patient, line 6 has CR LF. */
static const char *const SMALL =
    "{\"id\":\"c1\",\"patient\":{\"id\":\"PHI-77\",\"birth_date\":"
    "\"1950-04-02\"},\"diagnoses\":[\"E11.65\"],\"lines\":["
    "{\"code\":\"83036\",\"date\":\"2026-03-02\"},"
    "{\"code\":\"80061\",\"date\":\"2026-01-12\",\"units\":2,"
    "\"modifiers\":[\"GA\",\"59\"]}]}\n"
    "\n"
    "{\"patient\":{\"id\":\"PHI-77\"},\"date\":\"2025-12-01\","
    "\"diagnoses\":[\"E11.65\"],\"lines\":[{\"code\":\"83036\"}]}\n"
    "{\"id\":\"c3\",\"diagnoses\":[\"I10\"],\"lines\":[{\"code\":\"83036\","
    "\"date\":\"2026-01-10\"}]}\n"
    "{\"id\":\"c4\",\"patient\":{\"id\":\"PHI-88\"},\"diagnoses\":[\"I10\"],"
    "\"lines\":[{\"code\":\"82306\",\"date\":\"2026-02-10\"}]}\n"
    "{\"id\":\"c1\",\"patient\":{\"id\":\"PHI-88\"},\"diagnoses\":[\"I10\"],"
    "\"lines\":[{\"code\":\"g0103\",\"date\":\"2026-02-11\"}]}\r\n";

/* ------------------------------------------------------------------ */
/* Tests                                                               */
/* ------------------------------------------------------------------ */

static void test_open_schema(void)
{
    mn_history *h = NULL;
    mn_history_options ro = MN_HISTORY_OPTIONS_INIT;
    mn_history_stats st;
    mn_error err;
    const char *db = path_of("schema.db");

    ro.read_only = 1;
    h = open_new("schema.db");
    CHECK(h != NULL);
    CHECK_INT(mn_history_get_stats(&st, h, &err), MN_OK);
    CHECK_INT(st.schema, MN_HISTORY_SCHEMA_VERSION);
    CHECK_INT(st.services, 0);
    mn_history_free(h);
    CHECK_INT(sql_int(db, "PRAGMA user_version"), MN_HISTORY_SCHEMA_VERSION);
    CHECK_INT(sql_int(db, "PRAGMA application_id"), MN_HISTORY_APP_ID);
    {
        sqlite3 *s = NULL;
        sqlite3_stmt *q = NULL;
        sqlite3_open(db, &s);
        sqlite3_prepare_v2(s, "PRAGMA journal_mode", -1, &q, NULL);
        CHECK_INT(sqlite3_step(q), SQLITE_ROW);
        CHECK_STR((const char *)sqlite3_column_text(q, 0), "wal");
        sqlite3_finalize(q);
        sqlite3_close(s);
    }

    /* read-only opens an existing store, never creates one */
    h = NULL;
    CHECK_INT(mn_history_open(&h, db, &ro, &err), MN_OK);
    mn_history_free(h);
    h = (mn_history *)&h;
    CHECK_INT(mn_history_open(&h, path_of("missing.db"), &ro, &err),
              MN_ENOTFOUND);
    CHECK(h == NULL);
    CHECK(access(path_of("missing.db"), F_OK) != 0);

    /* a newer schema is refused, read-only or not */
    CHECK_INT(sql_exec(db, "PRAGMA user_version = 99"), SQLITE_OK);
    CHECK_INT(mn_history_open(&h, db, NULL, &err), MN_EVERSION);
    CHECK_CONTAINS(err.message, "schema 99 is newer");
    CHECK(h == NULL);
    CHECK_INT(mn_history_open(&h, db, &ro, &err), MN_EVERSION);
    CHECK_INT(sql_int(db, "PRAGMA user_version"), 99);

    /* another application's database is left alone */
    CHECK_INT(sql_exec(path_of("other.db"), "CREATE TABLE t(x)"), SQLITE_OK);
    CHECK_INT(mn_history_open(&h, path_of("other.db"), NULL, &err), MN_EINVAL);
    CHECK_CONTAINS(err.message, "not a mednec history store");
    CHECK_INT(
        sql_int(path_of("other.db"), "SELECT count(*) FROM sqlite_master"), 1);
    CHECK_INT(sql_int(path_of("other.db"), "PRAGMA user_version"), 0);
    CHECK_INT(sql_exec(path_of("app.db"), "PRAGMA application_id = 7"),
              SQLITE_OK);
    CHECK_INT(mn_history_open(&h, path_of("app.db"), NULL, &err), MN_EINVAL);
    write_file("text.db", "this is not a database, just some text that is "
                          "long enough to be read as a header................"
                          "..........................................\n");
    CHECK_INT(mn_history_open(&h, path_of("text.db"), NULL, &err), MN_EINVAL);
    CHECK_INT(mn_history_open(NULL, db, NULL, &err), MN_EINVAL);
    CHECK_INT(mn_history_open(&h, NULL, NULL, &err), MN_EINVAL);
    mn_history_free(NULL);
}

/* Amounts and diagnoses of each service: "code charge/allowed dx" with
 * cents, -1 unknown, "-" for no diagnoses. */
static int amounts(void *payload, const mn_history_service *s)
{
    got *g = payload;
    if (g->n < 32)
        snprintf(g->text[g->n], sizeof(g->text[0]), "%.*s %lld/%lld %.*s",
                 (int)s->code_len, s->code, (long long)s->charge,
                 (long long)s->allowed,
                 s->diagnoses ? (int)s->diagnoses_len : 1,
                 s->diagnoses ? s->diagnoses : "-");
    g->n++;
    return MN_OK;
}

/* Schema 1 (before amounts), as mednec 0.1 wrote it. */
static const char SCHEMA_1[] =
    "CREATE TABLE claim(patient_id TEXT NOT NULL, claim_key TEXT NOT NULL,"
    " digest INTEGER NOT NULL, status_digest INTEGER, services INTEGER NOT"
    " NULL, imported INTEGER NOT NULL, PRIMARY KEY(patient_id, claim_key))"
    " WITHOUT ROWID;"
    "CREATE TABLE service(patient_id TEXT NOT NULL, date_days INTEGER NOT"
    " NULL, claim_key TEXT NOT NULL, line_no INTEGER NOT NULL, code TEXT NOT"
    " NULL, units INTEGER NOT NULL, modifiers TEXT, status INTEGER,"
    " PRIMARY KEY(patient_id, date_days, claim_key, line_no)) WITHOUT ROWID;"
    "CREATE TABLE import_log(id INTEGER PRIMARY KEY, started INTEGER NOT"
    " NULL, finished INTEGER NOT NULL, lines INTEGER NOT NULL, claims INTEGER"
    " NOT NULL, claims_added INTEGER NOT NULL, claims_replaced INTEGER NOT"
    " NULL, claims_unchanged INTEGER NOT NULL, services_added INTEGER NOT"
    " NULL, services_removed INTEGER NOT NULL, skipped INTEGER NOT NULL,"
    " recorded INTEGER NOT NULL, kb_version TEXT);"
    "INSERT INTO service VALUES('p1', 19800, 'old', 1, '97110', 1, 'GP',"
    " NULL);"
    "PRAGMA user_version = 1;"
    "PRAGMA application_id = 1296975955;";

/* Charges and allowed amounts are kept (schema 2); a schema 1 store is
 * migrated on the first writable open and read as it is in memory. */
static void test_amounts(void)
{
    mn_history *h = open_new("amounts.db");
    mn_history_options ro = MN_HISTORY_OPTIONS_INIT;
    mn_history_memory *m = NULL;
    mn_history_source src;
    got g;
    mn_error err;
    const char *claims =
        "{\"id\":\"a\",\"patient\":{\"id\":\"p1\"},\"date\":\"2026-01-05\","
        "\"diagnoses\":[\"M54.50\",\"z12.11\"],"
        "\"lines\":[{\"code\":\"97110\",\"modifiers\":[\"GP\"],"
        "\"charge\":160.5,\"allowed\":112.08,\"dx_pointers\":[1]},"
        "{\"code\":\"97140\",\"allowed\":0,\"dx_pointers\":[2,1]},"
        "{\"code\":\"97530\"}]}\n"
        "{\"id\":\"b\",\"patient\":{\"id\":\"p1\"},\"date\":\"2026-01-06\","
        "\"lines\":[{\"code\":\"97530\"}]}\n";

    CHECK(MN_HISTORY_APP_ID == 1296975955);
    CHECK_INT(mn_history_import(h, claims, strlen(claims), NULL, NULL, &err),
              MN_OK);
    memset(&g, 0, sizeof(g));
    CHECK_INT(mn_history_lookup(h, "p1", 2, MN_HISTORY_FIRST, MN_HISTORY_LAST,
                                amounts, &g, &err),
              MN_OK);
    CHECK_INT(g.n, 4);
    CHECK_STR(g.text[0], "97110 16050/11208 M54.50");
    CHECK_STR(g.text[1], "97140 -1/0 Z12.11,M54.50");
    CHECK_STR(g.text[2], "97530 -1/-1 M54.50,Z12.11");
    CHECK_STR(g.text[3], "97530 -1/-1 -");
    mn_history_free(h);
    CHECK_INT(mn_history_memory_load(&m, path_of("amounts.db"), &err), MN_OK);
    mn_history_memory_source(&src, m);
    memset(&g, 0, sizeof(g));
    CHECK_INT(src.lookup(src.self, "p1", 2, MN_HISTORY_FIRST, MN_HISTORY_LAST,
                         amounts, &g, &err),
              MN_OK);
    CHECK_INT(g.n, 4);
    CHECK_STR(g.text[0], "97110 16050/11208 M54.50");
    CHECK_STR(g.text[2], "97530 -1/-1 M54.50,Z12.11");
    CHECK_STR(g.text[3], "97530 -1/-1 -");
    mn_history_memory_free(m);

    /* schema 1: read into memory as it is, refused read-only, migrated
       by a writable open with its services kept */
    CHECK_INT(sql_exec(path_of("v1.db"), SCHEMA_1), SQLITE_OK);
    CHECK_INT(mn_history_memory_load(&m, path_of("v1.db"), &err), MN_OK);
    CHECK_INT(mn_history_memory_count(m), 1);
    mn_history_memory_source(&src, m);
    memset(&g, 0, sizeof(g));
    src.lookup(src.self, "p1", 2, MN_HISTORY_FIRST, MN_HISTORY_LAST, amounts,
               &g, &err);
    CHECK_STR(g.text[0], "97110 -1/-1 -");
    mn_history_memory_free(m);
    ro.read_only = 1;
    h = NULL;
    CHECK_INT(mn_history_open(&h, path_of("v1.db"), &ro, &err), MN_EVERSION);
    CHECK_CONTAINS(err.message, "schema 1 is older than");
    CHECK_INT(mn_history_open(&h, path_of("v1.db"), NULL, &err), MN_OK);
    CHECK_INT(sql_int(path_of("v1.db"), "PRAGMA user_version"),
              MN_HISTORY_SCHEMA_VERSION);
    memset(&g, 0, sizeof(g));
    CHECK_INT(mn_history_lookup(h, "p1", 2, MN_HISTORY_FIRST, MN_HISTORY_LAST,
                                amounts, &g, &err),
              MN_OK);
    CHECK_INT(g.n, 1);
    CHECK_STR(g.text[0], "97110 -1/-1 -");
    mn_history_free(h);
    /* a newer schema is refused in memory too */
    CHECK_INT(sql_exec(path_of("v1.db"), "PRAGMA user_version = 9"), SQLITE_OK);
    m = (mn_history_memory *)&m;
    CHECK_INT(mn_history_memory_load(&m, path_of("v1.db"), &err), MN_EVERSION);
    CHECK(m == NULL);
}

static void test_import_lookup(void)
{
    mn_history *h = open_new("small.db");
    mn_history_import_options io = MN_HISTORY_IMPORT_OPTIONS_INIT;
    mn_history_import_stats st;
    mn_history_stats hs;
    mn_history_source src;
    skips sk;
    got g;
    mn_error err;

    memset(&sk, 0, sizeof(sk));
    io.skip = on_skip;
    io.payload = &sk;
    CHECK_INT(mn_history_import(h, SMALL, strlen(SMALL), &io, &st, &err),
              MN_OK);
    CHECK_INT(st.lines, 6);
    CHECK_INT(st.claims, 5);
    CHECK_INT(st.claims_added, 4);
    CHECK_INT(st.services_added, 5);
    CHECK_INT(st.skipped, 1);
    CHECK_INT(st.skipped_no_patient, 1);
    CHECK_INT(st.committed_line, 6);
    CHECK_INT(st.commits, 1);
    CHECK_INT(sk.n, 1);
    CHECK_INT(sk.line[0], 4);
    CHECK_STR(sk.reason[0], "no patient.id");

    /* date order, every field */
    CHECK_INT(lookup(h, &g, "PHI-77", NULL, NULL), MN_OK);
    CHECK_INT(g.n, 3);
    CHECK_CONTAINS(g.text[0], "2025-12-01 83036 1 - -1 #");
    CHECK_STR(g.text[1], "2026-01-12 80061 2 GA,59 -1 c1 2");
    CHECK_STR(g.text[2], "2026-03-02 83036 1 - -1 c1 1");
    /* the window is inclusive at both ends */
    CHECK_INT(lookup(h, &g, "PHI-77", "2026-01-12", "2026-03-02"), MN_OK);
    CHECK_INT(g.n, 2);
    CHECK_INT(lookup(h, &g, "PHI-77", "2026-01-13", "2026-03-01"), MN_OK);
    CHECK_INT(g.n, 0);
    CHECK_INT(lookup(h, &g, "PHI-77", NULL, "2025-12-31"), MN_OK);
    CHECK_INT(g.n, 1);
    /* a claim id used for two patients is two claims */
    CHECK_INT(lookup(h, &g, "PHI-88", NULL, NULL), MN_OK);
    CHECK_INT(g.n, 2);
    CHECK_STR(g.text[1], "2026-02-11 G0103 1 - -1 c1 1");
    /* unknown patient: nothing, no error; ids are exact */
    CHECK_INT(lookup(h, &g, "PHI-7", NULL, NULL), MN_OK);
    CHECK_INT(g.n, 0);
    CHECK_INT(lookup(h, &g, "phi-77", NULL, NULL), MN_OK);
    CHECK_INT(g.n, 0);
    /* the callback stops the lookup with its own value */
    memset(&g, 0, sizeof(g));
    g.stop_after = 1;
    CHECK_INT(mn_history_lookup(h, "PHI-77", 6, MN_HISTORY_FIRST,
                                MN_HISTORY_LAST, collect, &g, &err),
              7);
    CHECK_INT(g.n, 1);
    /* and the statement is reusable after a stop */
    CHECK_INT(lookup(h, &g, "PHI-77", NULL, NULL), MN_OK);
    CHECK_INT(g.n, 3);

    /* through the generic interface */
    mn_history_source_of(&src, h);
    CHECK_INT(src.version, MN_HISTORY_SOURCE_VERSION);
    memset(&g, 0, sizeof(g));
    CHECK_INT(src.lookup(src.self, "PHI-88xyz", 6, MN_HISTORY_FIRST,
                         MN_HISTORY_LAST, collect, &g, &err),
              MN_OK);
    CHECK_INT(g.n, 2);
    CHECK_INT(mn_history_lookup(h, NULL, 3, 0, 0, collect, &g, &err),
              MN_EINVAL);
    CHECK_INT(mn_history_lookup(h, "x", 1, 0, 0, NULL, &g, &err), MN_EINVAL);

    CHECK_INT(mn_history_get_stats(&hs, h, &err), MN_OK);
    CHECK_INT(hs.claims, 4);
    CHECK_INT(hs.services, 5);
    CHECK_INT(hs.patients, 2);
    CHECK_INT(hs.recorded, 0);
    CHECK_INT(hs.imports, 1);
    mn_history_free(h);
}

static void test_reimport(void)
{
    mn_history *h = open_new("re.db");
    mn_history_import_stats st;
    mn_error err;
    got g;
    char *changed = strdup(SMALL);
    char *p;

    CHECK_INT(mn_history_import(h, SMALL, strlen(SMALL), NULL, &st, &err),
              MN_OK);
    CHECK_INT(mn_history_import(h, SMALL, strlen(SMALL), NULL, &st, &err),
              MN_OK);
    CHECK_INT(st.claims_added, 0);
    CHECK_INT(st.claims_unchanged, 4);
    CHECK_INT(st.services_added, 0);
    CHECK_INT(count_services(h), 5);
    CHECK_INT(lookup(h, &g, "PHI-77", NULL, NULL), MN_OK);
    CHECK_INT(g.n, 3);

    /* a corrected claim (c1 of PHI-77 loses a line) replaces the old one */
    p = strstr(changed, "{\"code\":\"83036\",\"date\":\"2026-03-02\"},");
    CHECK(p != NULL);
    if (p)
        memset(p, ' ', strlen("{\"code\":\"83036\",\"date\":\"2026-03-02\"},"));
    CHECK_INT(mn_history_import(h, changed, strlen(changed), NULL, &st, &err),
              MN_OK);
    CHECK_INT(st.claims_replaced, 1);
    CHECK_INT(st.claims_unchanged, 3);
    CHECK_INT(st.services_removed, 2);
    CHECK_INT(st.services_added, 1);
    CHECK_INT(count_services(h), 4);
    CHECK_INT(lookup(h, &g, "PHI-77", NULL, NULL), MN_OK);
    CHECK_INT(g.n, 2);
    CHECK_STR(g.text[1], "2026-01-12 80061 2 GA,59 -1 c1 1");

    /* the same content in another layout is the same claim */
    {
        const char *a = "{\"patient\":{\"id\":\"PHI-9\"},\"date\":"
                        "\"2024-01-02\",\"lines\":[{\"code\":\"83036\"}]}\n";
        const char *b = "{ \"lines\" : [ {\"code\":\"83036\", \"units\": 1} ],"
                        " \"date\":\"2024-01-02\", \"patient\":{\"id\":"
                        "\"PHI-9\"}, \"payer\":\"medicare\"}";
        CHECK_INT(mn_history_import(h, a, strlen(a), NULL, &st, &err), MN_OK);
        CHECK_INT(st.claims_added, 1);
        CHECK_INT(mn_history_import(h, b, strlen(b), NULL, &st, &err), MN_OK);
        CHECK_INT(st.claims_unchanged, 1);
        CHECK_INT(lookup(h, &g, "PHI-9", NULL, NULL), MN_OK);
        CHECK_INT(g.n, 1);
    }
    free(changed);
    mn_history_free(h);
}

static void test_claim_key(void)
{
    mn_claim *c = NULL;
    mn_buf *b = NULL;
    mn_error err;
    const char *j1 = "{\"patient\":{\"id\":\"PHI-1\"},\"date\":\"2024-01-02\","
                     "\"lines\":[{\"code\":\"83036\"}]}";
    char first[40] = "";

    mn_buf_new(&b, 0);
    CHECK_INT(mn_claim_parse_json(&c, j1, strlen(j1), NULL, &err), MN_OK);
    CHECK_INT(mn_history_claim_key(b, c, &err), MN_OK);
    CHECK_INT(mn_buf_len(b), 17);
    CHECK(mn_buf_data(b)[0] == '#');
    snprintf(first, sizeof(first), "%s", mn_buf_data(b));
    /* the patient is part of the content */
    mn_buf_clear(b);
    CHECK_INT(mn_claim_set_patient_id(c, "PHI-2", 5, &err), MN_OK);
    CHECK_INT(mn_history_claim_key(b, c, &err), MN_OK);
    CHECK(strcmp(first, mn_buf_data(b)) != 0);
    mn_buf_clear(b);
    CHECK_INT(mn_claim_set_id(c, "c-9", 3, &err), MN_OK);
    CHECK_INT(mn_history_claim_key(b, c, &err), MN_OK);
    CHECK_STR(mn_buf_data(b), "c-9");
    CHECK_INT(mn_history_claim_key(NULL, c, &err), MN_EINVAL);
    CHECK_INT(mn_history_claim_key(b, NULL, &err), MN_EINVAL);
    mn_claim_free(c);
    mn_buf_free(b);
}

/* N claims, one service each, dates 2024-01-01 + i. */
static char *claims_jsonl(int n, const char *pid)
{
    size_t cap = (size_t)n * 160 + 1;
    char *s = malloc(cap);
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        char date[11];
        mn_history_date_text(date, 19723 + i);
        len += (size_t)snprintf(s + len, cap - len,
                                "{\"id\":\"k%d\",\"patient\":{\"id\":\"%s\"},"
                                "\"lines\":[{\"code\":\"83036\",\"date\":"
                                "\"%s\"}]}\n",
                                i, pid, date);
    }
    return s;
}

static void test_errors(void)
{
    mn_history *h = open_new("err.db");
    mn_history_import_options io = MN_HISTORY_IMPORT_OPTIONS_INIT;
    mn_history_import_stats st;
    mn_claim_options co = MN_CLAIM_OPTIONS_INIT;
    mn_error err;
    skips sk;
    char *text = claims_jsonl(2, "PHI-5");
    char buf[2000];
    char big[700];

    /* a malformed line 3 stops the import with its number */
    snprintf(buf, sizeof(buf),
             "%s{\"id\":\"x\", \"patient\": {\"id\": "
             "\"PHI-5\"}, nope}\n%s",
             text, text);
    CHECK_INT(mn_history_import(h, buf, strlen(buf), NULL, &st, &err),
              MN_EINVAL);
    CHECK_INT(err.line, 3);
    CHECK_INT(err.record, 3);
    CHECK(err.column > 0);
    CHECK(strstr(err.message, "PHI") == NULL);
    CHECK_INT(st.committed_line, 2);
    CHECK_INT(count_services(h), 2);

    /* values from the claim never reach the message */
    snprintf(buf, sizeof(buf),
             "{\"patient\":{\"id\":\"PHI-5\",\"birth_date\":\"1950-02-30\"},"
             "\"lines\":[]}\n");
    CHECK_INT(mn_history_import(h, buf, strlen(buf), NULL, &st, &err),
              MN_EINVAL);
    CHECK_STR(err.message, "patient.birth_date: invalid value");
    CHECK_INT(err.line, 1);
    snprintf(buf, sizeof(buf),
             "{\"patient\":{\"id\":\"PHI-5\"},\"lines\":[{\"code\":\"83036\","
             "\"date\":\"2024-13-01\"}]}\n");
    CHECK_INT(mn_history_import(h, buf, strlen(buf), NULL, &st, &err),
              MN_EINVAL);
    CHECK_STR(err.message, "lines[0].date: not a valid calendar date");
    snprintf(buf, sizeof(buf),
             "{\"patient\":{\"id\":\"PHI-5\"},\"lines\":[{\"code\":\"83036\","
             "\"date\":\"2024-01-01\",\"units\":0}]}\n");
    CHECK_INT(mn_history_import(h, buf, strlen(buf), NULL, &st, &err),
              MN_EINVAL);
    CHECK_CONTAINS(err.message, "lines[0].units: expected an integer");
    snprintf(
        buf, sizeof(buf),
        "{\"patient\":{\"id\":\"PHI-5\", \"PHI-NAME\": 1},\"lines\":[]}\n");
    CHECK_INT(mn_history_import(h, buf, strlen(buf), NULL, &st, &err),
              MN_EINVAL);
    CHECK(strstr(err.message, "PHI") == NULL);
    snprintf(buf, sizeof(buf), "{\"id\": \"PHI-5 \x01\"}\n");
    CHECK_INT(mn_history_import(h, buf, strlen(buf), NULL, &st, &err),
              MN_EINVAL);
    CHECK(strstr(err.message, "PHI") == NULL);

    /* with skip_invalid the bad line is counted and the rest imported */
    memset(&sk, 0, sizeof(sk));
    io.skip_invalid = 1;
    io.skip = on_skip;
    io.payload = &sk;
    snprintf(buf, sizeof(buf),
             "not json\n%s{\"lines\":[{\"code\":\"83036\",\"date\":"
             "\"2024-01-01\"}]}",
             text);
    CHECK_INT(mn_history_import(h, buf, strlen(buf), &io, &st, &err), MN_OK);
    CHECK_INT(st.claims, 4);
    CHECK_INT(st.skipped, 2);
    CHECK_INT(st.skipped_invalid, 1);
    CHECK_INT(st.skipped_no_patient, 1);
    CHECK_INT(st.claims_unchanged, 2);
    CHECK_INT(sk.n, 2);
    CHECK_INT(sk.line[0], 1);
    CHECK_INT(sk.line[1], 4);

    /* a line over the claim size limit */
    co.max_input = 200;
    io.claim_options = &co;
    memset(big, ' ', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    snprintf(buf, sizeof(buf), "%s\n{}%s\n%s", text, big, text);
    memset(&sk, 0, sizeof(sk));
    CHECK_INT(mn_history_import(h, buf, strlen(buf), &io, &st, &err), MN_OK);
    CHECK_INT(st.skipped_invalid, 1);
    CHECK_INT(sk.line[0], 4);
    CHECK_CONTAINS(sk.reason[0], "longer than 200 bytes");
    CHECK_INT(st.lines, 6);
    io.skip_invalid = 0;
    CHECK_INT(mn_history_import(h, buf, strlen(buf), &io, &st, &err),
              MN_ELIMIT);
    CHECK_INT(err.line, 4);

    /* misuse */
    CHECK_INT(mn_history_import(NULL, buf, 1, NULL, &st, &err), MN_EINVAL);
    io.record = 1;
    CHECK_INT(mn_history_import(h, buf, 1, &io, &st, &err), MN_EINVAL);
    free(text);
    mn_history_free(h);
}

/* Feeding byte by byte gives what one call gives. */
static void test_chunks(void)
{
    mn_history *h = open_new("chunks.db");
    mn_history_importer *imp = NULL;
    mn_history_import_stats st;
    mn_error err;
    got g;
    int rc = MN_OK;

    CHECK_INT(mn_history_importer_new(&imp, h, NULL, &err), MN_OK);
    /* one import per handle at a time */
    {
        mn_history_importer *other = NULL;
        CHECK_INT(mn_history_importer_new(&other, h, NULL, &err), MN_EINVAL);
        CHECK(other == NULL);
    }
    /* the last line has no newline: finish imports it */
    for (size_t i = 0; rc == MN_OK && i < strlen(SMALL) - 2; i++)
        rc = mn_history_importer_feed(imp, SMALL + i, 1, &err);
    CHECK_INT(rc, MN_OK);
    CHECK_INT(mn_history_importer_finish(imp, &err), MN_OK);
    CHECK_INT(mn_history_importer_feed(imp, "x", 1, &err), MN_EINVAL);
    mn_history_importer_get_stats(&st, imp);
    CHECK_INT(st.claims_added, 4);
    CHECK_INT(st.services_added, 5);
    mn_history_importer_free(imp);
    CHECK_INT(lookup(h, &g, "PHI-88", NULL, NULL), MN_OK);
    CHECK_INT(g.n, 2);
    /* an over-long line split across feeds is skipped or stops the
     * import at its own line number */
    {
        mn_history_import_options io = MN_HISTORY_IMPORT_OPTIONS_INIT;
        mn_claim_options co = MN_CLAIM_OPTIONS_INIT;
        const char *good = "{\"id\":\"g\",\"patient\":{\"id\":\"PHI-L\"},"
                           "\"lines\":[{\"code\":\"83036\",\"date\":"
                           "\"2026-02-12\"}]}\n";
        co.max_input = 100;
        io.claim_options = &co;
        for (int skip = 1; skip >= 0; skip--) {
            io.skip_invalid = skip;
            CHECK_INT(mn_history_importer_new(&imp, h, &io, &err), MN_OK);
            rc = mn_history_importer_feed(imp, good, strlen(good), &err);
            for (int i = 0; rc == MN_OK && i < 30; i++)
                rc = mn_history_importer_feed(imp, "{\"x\":    ", 10, &err);
            if (rc == MN_OK)
                rc = mn_history_importer_feed(imp, "}\n", 2, &err);
            if (rc == MN_OK)
                rc = mn_history_importer_feed(imp, good, strlen(good), &err);
            if (rc == MN_OK)
                rc = mn_history_importer_finish(imp, &err);
            mn_history_importer_get_stats(&st, imp);
            if (skip) {
                CHECK_INT(rc, MN_OK);
                CHECK_INT(st.lines, 3);
                CHECK_INT(st.skipped_invalid, 1);
                CHECK_INT(st.committed_line, 3);
            } else {
                CHECK_INT(rc, MN_ELIMIT);
                CHECK_INT(err.line, 2);
                CHECK_INT(st.committed_line, 1);
            }
            mn_history_importer_free(imp);
            imp = NULL;
        }
    }
    /* a byte-order mark before the first line */
    {
        const char *bom = "\xef\xbb\xbf{\"id\":\"bom\",\"patient\":{\"id\":"
                          "\"PHI-88\"},\"lines\":[{\"code\":\"83036\","
                          "\"date\":\"2026-02-12\"}]}\r\n";
        CHECK_INT(mn_history_import(h, bom, strlen(bom), NULL, &st, &err),
                  MN_OK);
        CHECK_INT(st.claims_added, 1);
        CHECK_INT(lookup(h, &g, "PHI-88", NULL, NULL), MN_OK);
        CHECK_INT(g.n, 3);
    }
    mn_history_free(h);
}

/* Batches commit as they fill; a crash or an abandoned import loses only
 * the open batch; an error commits what came before it. */
static void test_batches(void)
{
    mn_history *h = open_new("batch.db");
    mn_history *r = NULL;
    mn_history_options ro = MN_HISTORY_OPTIONS_INIT;
    mn_history_import_options io = MN_HISTORY_IMPORT_OPTIONS_INIT;
    mn_history_importer *imp = NULL;
    mn_history_import_stats st;
    mn_error err;
    char *text = claims_jsonl(10, "PHI-6");
    size_t end[11] = {0}; /* end[i]: offset after line i */
    pid_t pid;
    int status = 0;

    for (int i = 1; i <= 10; i++)
        end[i] = (size_t)(strchr(text + end[i - 1], '\n') - text) + 1;
    ro.read_only = 1;
    io.batch = 2;
    /* lines 1-5 and a part of line 6 */
    CHECK_INT(mn_history_importer_new(&imp, h, &io, &err), MN_OK);
    CHECK_INT(mn_history_importer_feed(imp, text, end[5] + 20, &err), MN_OK);
    mn_history_importer_get_stats(&st, imp);
    CHECK_INT(st.commits, 2);
    CHECK_INT(st.committed_line, 4);
    CHECK_INT(mn_history_open(&r, path_of("batch.db"), &ro, &err), MN_OK);
    CHECK_INT(count_services(r), 4);
    /* abandoned: the open batch (line 5) is rolled back */
    mn_history_importer_free(imp);
    CHECK_INT(count_services(r), 4);
    CHECK_INT(count_services(h), 4);
    mn_history_free(h);
    mn_history_free(r);

    /* a crash: the child dies mid-import, with line 7 in an open batch.
     * No connection may cross the fork (SQLite keeps per-process lock
     * state), so the parent holds none. */
    mn_history_free(open_new("crash.db"));
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        mn_history *c = NULL;
        mn_history_importer *ci = NULL;
        io.batch = 3;
        /* lines 1-3 commit, 4-6 commit, 7 is in the open batch */
        if (mn_history_open(&c, path_of("crash.db"), NULL, NULL) ||
            mn_history_importer_new(&ci, c, &io, NULL) ||
            mn_history_importer_feed(ci, text, end[5] + 20, NULL) ||
            mn_history_importer_feed(ci, text + end[5] + 20,
                                     end[7] - end[5] - 20, NULL))
            _exit(1);
        _exit(0); /* no finish, no close */
    }
    CHECK(pid > 0);
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    h = NULL;
    CHECK_INT(mn_history_open(&h, path_of("crash.db"), NULL, &err), MN_OK);
    /* line 1-3 and 4-6 were committed; 7 was not */
    CHECK_INT(count_services(h), 6);
    /* importing the whole file again completes it, counting nothing twice */
    CHECK_INT(mn_history_import(h, text, strlen(text), &io, &st, &err), MN_OK);
    CHECK_INT(st.claims_unchanged, 6);
    CHECK_INT(st.claims_added, 4);
    CHECK_INT(count_services(h), 10);
    mn_history_free(h);

    /* an error after two batches: everything before the bad line stays */
    h = open_new("stop.db");
    {
        size_t n = strlen(text);
        char *bad = malloc(n + 20);
        memcpy(bad, text, end[6]);
        memcpy(bad + end[6], "{oops}\n", 7);
        memcpy(bad + end[6] + 7, text + end[6], n - end[6] + 1);
        io.batch = 2;
        CHECK_INT(mn_history_import(h, bad, strlen(bad), &io, &st, &err),
                  MN_EINVAL);
        CHECK_INT(err.line, 7);
        CHECK_INT(st.committed_line, 6);
        CHECK_INT(st.claims_added, 6);
        CHECK_INT(count_services(h), 6);
        free(bad);
    }
    mn_history_free(h);
    free(text);
}

static void test_record(void)
{
    mn_history *h = open_new("rec.db");
    mn_history_import_options io = MN_HISTORY_IMPORT_OPTIONS_INIT;
    mn_history_import_stats st;
    mn_history_stats hs;
    mn_kb *kb = NULL;
    mn_error err;
    got g;
    const char *data =
        "{\"id\":\"r1\",\"patient\":{\"id\":\"PHI-R\"},\"diagnoses\":"
        "[\"E11.65\"],\"lines\":[{\"code\":\"83036\",\"date\":\"2024-06-03\"},"
        "{\"code\":\"83036\",\"date\":\"2024-06-04\",\"modifiers\":[\"GA\","
        "\"GZ\"]}]}\n";
    char want[64];

    CHECK_INT(mn_kb_open_builtin(&kb, &err), MN_OK);
    io.record = 1;
    io.kb = kb;
    CHECK_INT(mn_history_import(h, data, strlen(data), &io, &st, &err), MN_OK);
    CHECK_INT(st.services_added, 2);
    CHECK_INT(lookup(h, &g, "PHI-R", NULL, NULL), MN_OK);
    CHECK_INT(g.n, 2);
    snprintf(want, sizeof(want), "2024-06-03 83036 1 - %d r1 1",
             (int)MN_STATUS_COVERED);
    CHECK_STR(g.text[0], want);
    CHECK(strstr(g.text[1], " -1 ") == NULL);
    /* again: unchanged; without record: unchanged, statuses kept */
    CHECK_INT(mn_history_import(h, data, strlen(data), &io, &st, &err), MN_OK);
    CHECK_INT(st.claims_unchanged, 1);
    CHECK_INT(mn_history_import(h, data, strlen(data), NULL, &st, &err), MN_OK);
    CHECK_INT(st.claims_unchanged, 1);
    CHECK_INT(mn_history_get_stats(&hs, h, &err), MN_OK);
    CHECK_INT(hs.recorded, 2);
    CHECK_INT(sql_int(path_of("rec.db"),
                      "SELECT count(*) FROM import_log WHERE recorded = 1 "
                      "AND kb_version IS NOT NULL"),
              2);
    mn_kb_free(kb);
    mn_history_free(h);
}

/* The provider of each service (schema 3) comes back from a lookup and
 * the memory copy. */
static int providers(void *payload, const mn_history_service *s)
{
    got *g = payload;
    if (g->n < 32)
        snprintf(g->text[g->n], sizeof(g->text[0]), "%.*s %.*s",
                 (int)s->code_len, s->code,
                 s->provider ? (int)s->provider_len : 1,
                 s->provider ? s->provider : "-");
    g->n++;
    return MN_OK;
}

/* Claims already read (an 837's): put with their result; frequency 7
 * replaces, 8 voids; providers are kept. */
static void test_put_void(void)
{
    mn_history *h = open_new("put.db");
    mn_history_importer *imp = NULL;
    mn_history_import_stats st;
    mn_history_memory *m = NULL;
    mn_history_source src;
    mn_kb *kb = NULL;
    mn_ctx *ctx = NULL;
    mn_error err;
    got g;
    static const char *const claims[] = {
        "{\"id\":\"v1\",\"diagnoses\":[\"I10\"],\"patient\":{\"id\":\"PHI-V\"},"
        "\"provider\":"
        "\"1234567893\",\"lines\":[{\"code\":\"83036\",\"date\":\"2024-06-03\","
        "\"provider\":\"1111111112\"},{\"code\":\"80053\",\"date\":"
        "\"2024-06-03\"}]}",
        "{\"id\":\"v2\",\"patient\":{\"id\":\"PHI-V\"},\"lines\":[{\"code\":"
        "\"85025\",\"date\":\"2024-06-04\"}]}",
        /* v1 replaced: one line */
        "{\"id\":\"v1\",\"frequency\":\"7\",\"diagnoses\":[\"I10\"],"
        "\"patient\":{\"id\":\"PHI-V\"},"
        "\"provider\":\"1234567893\",\"lines\":[{\"code\":\"82306\",\"date\":"
        "\"2024-06-03\"}]}",
        /* v2 voided */
        "{\"id\":\"v2\",\"frequency\":\"8\",\"patient\":{\"id\":\"PHI-V\"},"
        "\"lines\":[{\"code\":\"85025\",\"date\":\"2024-06-04\"}]}",
    };

    CHECK(h != NULL);
    if (!h)
        return;
    CHECK_INT(mn_kb_open_builtin(&kb, &err), MN_OK);
    CHECK_INT(mn_ctx_new(&ctx, 0, &err), MN_OK);
    CHECK_INT(mn_history_importer_new(&imp, h, NULL, &err), MN_OK);
    for (size_t i = 0; i < 4 && imp; i++) {
        mn_claim *c = NULL;
        const mn_result *res = NULL;
        CHECK_INT(
            mn_claim_parse_json(&c, claims[i], strlen(claims[i]), NULL, &err),
            MN_OK);
        mn_status sts[4];
        CHECK_INT(mn_check(&res, ctx, kb, c, &err), MN_OK);
        for (size_t k = 0; k < mn_claim_line_count(c) && k < 4; k++)
            sts[k] = mn_result_line_status(res, k);
        CHECK_INT(mn_history_importer_put(imp, c, sts, &err), MN_OK);
        if (i == 1) {
            /* after the first two: three services, providers kept */
            CHECK_INT(mn_history_importer_finish(imp, &err), MN_OK);
            mn_history_importer_free(imp);
            CHECK_INT(lookup(h, &g, "PHI-V", NULL, NULL), MN_OK);
            CHECK_INT(g.n, 3);
            CHECK_STR(g.text[0], "2024-06-03 83036 1 - 5 v1 1");
            memset(&g, 0, sizeof(g));
            CHECK_INT(mn_history_lookup(h, "PHI-V", 5, MN_HISTORY_FIRST,
                                        MN_HISTORY_LAST, providers, &g, &err),
                      MN_OK);
            CHECK_STR(g.text[0], "83036 1111111112");
            CHECK_STR(g.text[1], "80053 1234567893");
            CHECK_STR(g.text[2], "85025 -");
            imp = NULL;
            CHECK_INT(mn_history_importer_new(&imp, h, NULL, &err), MN_OK);
        }
        mn_claim_free(c);
    }
    CHECK_INT(mn_history_importer_finish(imp, &err), MN_OK);
    mn_history_importer_get_stats(&st, imp);
    CHECK_INT(st.claims_voided, 1);
    CHECK_INT(st.claims_replaced, 1);
    mn_history_importer_free(imp);
    CHECK_INT(lookup(h, &g, "PHI-V", NULL, NULL), MN_OK);
    CHECK_INT(g.n, 1);
    CHECK_STR(g.text[0], "2024-06-03 82306 1 - 5 v1 1");
    CHECK_INT(sql_int(path_of("put.db"), "SELECT count(*) FROM claim"), 1);
    mn_history_free(h);
    /* the memory copy has the providers too */
    CHECK_INT(mn_history_memory_load(&m, path_of("put.db"), &err), MN_OK);
    mn_history_memory_source(&src, m);
    memset(&g, 0, sizeof(g));
    CHECK_INT(src.lookup(src.self, "PHI-V", 5, MN_HISTORY_FIRST,
                         MN_HISTORY_LAST, providers, &g, &err),
              MN_OK);
    CHECK_STR(g.text[0], "82306 1234567893");
    mn_history_memory_free(m);
    mn_ctx_free(ctx);
    mn_kb_free(kb);
}

/* Snapshots: stale until released or expired; fresh handles see every
 * commit; an import on a snapshot handle works. */
static void test_snapshots(void)
{
    mn_history *w = open_new("snap.db");
    mn_history *s = NULL;
    mn_history *f = NULL;
    mn_history_options so = MN_HISTORY_OPTIONS_INIT;
    mn_history_options fo = MN_HISTORY_OPTIONS_INIT;
    mn_error err;
    got g;
    char *one = claims_jsonl(1, "PHI-S");
    char *two = claims_jsonl(2, "PHI-S");
    char *three = claims_jsonl(3, "PHI-S");
    const char *zclaim = "{\"id\":\"z\",\"patient\":{\"id\":\"PHI-S\"},"
                         "\"lines\":[{\"code\":\"83036\",\"date\":"
                         "\"2020-01-01\"}]}";

    so.read_only = 1;
    so.snapshot_ms = 600000;
    fo.read_only = 1;
    CHECK_INT(mn_history_import(w, one, strlen(one), NULL, NULL, &err), MN_OK);
    CHECK_INT(mn_history_open(&s, path_of("snap.db"), &so, &err), MN_OK);
    CHECK_INT(mn_history_open(&f, path_of("snap.db"), &fo, &err), MN_OK);
    CHECK_INT(lookup(s, &g, "PHI-S", NULL, NULL), MN_OK);
    CHECK_INT(g.n, 1);
    CHECK_INT(mn_history_import(w, two, strlen(two), NULL, NULL, &err), MN_OK);
    CHECK_INT(lookup(f, &g, "PHI-S", NULL, NULL), MN_OK);
    CHECK_INT(g.n, 2);
    CHECK_INT(lookup(s, &g, "PHI-S", NULL, NULL), MN_OK);
    CHECK_INT(g.n, 1);
    mn_history_release(s);
    mn_history_release(NULL);
    CHECK_INT(lookup(s, &g, "PHI-S", NULL, NULL), MN_OK);
    CHECK_INT(g.n, 2);
    mn_history_free(s);
    mn_history_free(f);

    /* a writable snapshot handle: lookups, then an import, then lookups */
    so.read_only = 0;
    CHECK_INT(mn_history_open(&s, path_of("snap.db"), &so, &err), MN_OK);
    CHECK_INT(lookup(s, &g, "PHI-S", NULL, NULL), MN_OK);
    CHECK_INT(g.n, 2);
    CHECK_INT(mn_history_import(s, three, strlen(three), NULL, NULL, &err),
              MN_OK);
    CHECK_INT(lookup(s, &g, "PHI-S", NULL, NULL), MN_OK);
    CHECK_INT(g.n, 3);
    CHECK_INT(count_services(s), 3);
    /* expired snapshots are renewed by the next lookup */
    mn_history_free(s);
    so.snapshot_ms = 1;
    CHECK_INT(mn_history_open(&s, path_of("snap.db"), &so, &err), MN_OK);
    CHECK_INT(lookup(s, &g, "PHI-S", NULL, NULL), MN_OK);
    CHECK_INT(mn_history_import(w, zclaim, strlen(zclaim), NULL, NULL, &err),
              MN_OK);
    usleep(5000);
    CHECK_INT(lookup(s, &g, "PHI-S", NULL, NULL), MN_OK);
    CHECK_INT(g.n, 4);
    mn_history_free(s);
    mn_history_free(w);
    free(one);
    free(two);
    free(three);
}

/* The read path is one range scan of the primary key, no sort. */
static void test_query_plan(void)
{
    mn_history *h = open_new("plan.db");
    sqlite3 *s = NULL;
    sqlite3_stmt *q = NULL;
    char sql[600];
    char plan[1000] = "";
    size_t n = 0;

    mn_history_free(h);
    snprintf(sql, sizeof(sql), "EXPLAIN QUERY PLAN %s",
             mn_x__history_lookup_sql);
    CHECK_INT(sqlite3_open(path_of("plan.db"), &s), SQLITE_OK);
    CHECK_INT(sqlite3_prepare_v2(s, sql, -1, &q, NULL), SQLITE_OK);
    while (sqlite3_step(q) == SQLITE_ROW && n < sizeof(plan) - 200)
        n += (size_t)snprintf(plan + n, sizeof(plan) - n, "%s; ",
                              (const char *)sqlite3_column_text(q, 3));
    sqlite3_finalize(q);
    sqlite3_close(s);
    CHECK_CONTAINS(plan, "SEARCH service USING PRIMARY KEY (patient_id=? "
                         "AND date_days>? AND date_days<?)");
    CHECK(strstr(plan, "TEMP B-TREE") == NULL);
}

/* ------------------------------------------------------------------ */
/* CLI                                                                 */
/* ------------------------------------------------------------------ */

static char all_err[20000];

static int run(const char *args, char **out, char **err)
{
    char cmd[4096];
    int status;
    snprintf(cmd, sizeof(cmd), "cd %s && %s %s >%s 2>%s", tmpdir, MN_CLI, args,
             path_of("out"), path_of("err"));
    status = system(cmd);
    free(*out);
    free(*err);
    *out = mn_t_slurp(path_of("out"), NULL);
    *err = mn_t_slurp(path_of("err"), NULL);
    if (*err && strlen(all_err) + strlen(*err) < sizeof(all_err))
        strcat(all_err, *err);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int one_line(const char *s)
{
    return s && s[0] && strchr(s, '\n') == s + strlen(s) - 1;
}

/* Reads the store `db` read-only in this process; 0 when it reads as
 * written and `dir` gained no side file, else the number of the step that
 * failed. */
static int read_only_steps(const char *db, const char *dir)
{
    mn_history_options ho = MN_HISTORY_OPTIONS_INIT;
    mn_history *h = NULL;
    mn_history_memory *m = NULL;
    mn_error err;
    got g;
    DIR *d;
    struct dirent *e;
    int entries = 0;
    int step = 0;

    ho.read_only = 1;
    if (mn_history_open(&h, db, &ho, &err) != MN_OK) {
        fprintf(stderr, "  read-only open: %s: %s\n", err.where, err.message);
        step = 1;
    } else if (count_services(h) != 5) {
        step = 2;
    } else if (lookup(h, &g, "PHI-88", NULL, NULL) != MN_OK || g.n != 2) {
        step = 3;
    }
    mn_history_free(h);
    if (!step && mn_history_memory_load(&m, db, &err) != MN_OK) {
        fprintf(stderr, "  memory load: %s: %s\n", err.where, err.message);
        step = 4;
    } else if (!step && mn_history_memory_count(m) != 5) {
        step = 5;
    }
    mn_history_memory_free(m);
    d = opendir(dir);
    for (e = d ? readdir(d) : NULL; e; e = readdir(d))
        entries += e->d_name[0] != '.';
    if (d)
        closedir(d);
    if (!step && entries != 1)
        step = 6;
    return step;
}

/* Opens for writing what cannot be written: 0 when each is refused with
 * its reason, else the number of the step that was not. */
static int write_refusals(const char *db, const char *dir)
{
    char fresh[500];
    mn_history *h = NULL;
    mn_error err;
    int step = 0;

    snprintf(fresh, sizeof(fresh), "%s/new.db", dir);
    /* a store file this user may not write */
    chmod(db, 0444);
    if (mn_history_open(&h, db, NULL, &err) != MN_EIO ||
        strcmp(err.message, "cannot write the history store: Permission "
                            "denied") != 0)
        step = 1;
    mn_history_free(h);
    h = NULL;
    /* a new store in a folder this user may not write */
    if (!step && (mn_history_open(&h, fresh, NULL, &err) != MN_EIO ||
                  strcmp(err.message, "cannot create the history store: "
                                      "Permission denied") != 0))
        step = 2;
    mn_history_free(h);
    h = NULL;
    if (step)
        fprintf(stderr, "  %s: %s\n", err.where, err.message);
    return step;
}

/*
 * A store in a folder its reader cannot write (another user's, a
 * read-only mount) is read without -wal and -shm files: SQLite could not
 * create them, and the store was reported as "not a mednec history
 * store" (memory load) or "attempt to write a readonly database". The
 * folder's name holds URI characters ('?', '#', '%', a space). Root
 * writes anywhere, so as root the reading runs as nobody.
 */
static void test_read_only_folder(void)
{
    char dir[300];
    char db[400];
    mn_history *h = NULL;
    mn_history_import_stats st;
    mn_error err;
    pid_t pid;
    int status = 0;

    snprintf(dir, sizeof(dir), "%s", path_of("ro dir ?#%41"));
    snprintf(db, sizeof(db), "%s/h?.db", dir);
    CHECK_INT(mkdir(dir, 0755), 0);
    CHECK_INT(mn_history_open(&h, db, NULL, &err), MN_OK);
    CHECK_INT(mn_history_import(h, SMALL, strlen(SMALL), NULL, &st, &err),
              MN_OK);
    mn_history_free(h);
    chmod(db, 0444);
    chmod(dir, 0555);
    chmod(tmpdir, 0755);
    for (int with_wal = 0; with_wal < 2; with_wal++) {
        pid = fork();
        if (pid == 0) {
            if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
                _exit(77);
            _exit(read_only_steps(db, dir));
        }
        CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
        if (WEXITSTATUS(status) == 77) {
            fprintf(stderr, "note: cannot become nobody: read-only folder "
                            "not tested\n");
            break;
        }
        if (!with_wal) {
            CHECK_INT(WEXITSTATUS(status), 0);
            /* a store with a write-ahead log is never read immutable (the
             * log may hold commits): an error, not stale data */
            chmod(dir, 0755);
            write_file("ro dir ?#%41/h?.db-wal", "");
            chmod(dir, 0555);
        } else {
            CHECK_INT(WEXITSTATUS(status), 1);
        }
    }
    /* writing into it is refused with the reason (SQLite said "unable to
     * open database file: No such file or directory" or "attempt to write
     * a readonly database") */
    chmod(dir, 0755);
    unlink(path_of("ro dir ?#%41/h?.db-wal"));
    chmod(dir, 0555);
    pid = fork();
    if (pid == 0) {
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(77);
        _exit(write_refusals(db, dir));
    }
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
    if (WEXITSTATUS(status) != 77)
        CHECK_INT(WEXITSTATUS(status), 0);
    /* a store file that may be written in a folder that may not */
    chmod(db, 0666);
    pid = fork();
    if (pid == 0) {
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(77);
        _exit(mn_history_open(&h, db, NULL, &err) == MN_EIO &&
                      strstr(err.message, "its write-ahead log goes in its "
                                          "folder: Permission denied")
                  ? 0
                  : 1);
    }
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
    if (WEXITSTATUS(status) != 77)
        CHECK_INT(WEXITSTATUS(status), 0);
    chmod(dir, 0755);
    chmod(tmpdir, 0700);
}

static void test_cli(void)
{
    char *o = NULL, *e = NULL;
    char args[1200];
    char db[400];

    snprintf(db, sizeof(db), "%s", path_of("cli.db"));
    write_file("small.jsonl", SMALL);
    write_file("bad.jsonl",
               "{\"id\":\"b1\",\"patient\":{\"id\":\"PHI-B\"},\"lines\":[{"
               "\"code\":\"83036\",\"date\":\"2024-01-01\"}]}\n"
               "{\"id\":\"b2\",\"patient\":{\"id\":\"PHI-B\",\"birth_date\":"
               "\"1941-02-30\"},\"lines\":[]}\n");
    CHECK_INT(run("history --help", &o, &e), 0);
    CHECK_CONTAINS(o, "usage: mednec history import");
    CHECK_INT(run("history import --help", &o, &e), 0);
    CHECK_INT(run("history stats --help", &o, &e), 0);
    CHECK_INT(run("--help", &o, &e), 0);
    CHECK_CONTAINS(o, "history");
    CHECK_INT(run("history", &o, &e), 2);
    CHECK_INT(run("history frob", &o, &e), 2);
    CHECK(one_line(e));
    CHECK_INT(run("history import", &o, &e), 2);
    CHECK(one_line(e));
    CHECK_INT(run("history import --bogus x", &o, &e), 2);
    CHECK_INT(run("history import --kb x.mnkb small.jsonl", &o, &e), 2);
    CHECK_INT(run("history import --batch 0 small.jsonl", &o, &e), 2);
    CHECK_INT(run("history stats --format xml", &o, &e), 2);

    snprintf(args, sizeof(args), "history import --db %s small.jsonl", db);
    CHECK_INT(run(args, &o, &e), 0);
    CHECK_CONTAINS(o, "claims 5: 4 added, 0 replaced, 0 unchanged, 1 skipped");
    CHECK_CONTAINS(e, "small.jsonl:4: skipped: no patient.id");
    CHECK_INT(run(args, &o, &e), 0);
    CHECK_CONTAINS(o, "4 unchanged");
    snprintf(args, sizeof(args), "history import --quiet --db %s - < %s", db,
             path_of("small.jsonl"));
    CHECK_INT(run(args, &o, &e), 0);
    CHECK_INT(strlen(o), 0);
    CHECK_CONTAINS(e, "stdin: 1 claims skipped");
    snprintf(args, sizeof(args), "history stats --db %s", db);
    CHECK_INT(run(args, &o, &e), 0);
    CHECK_CONTAINS(o, "services  5");
    CHECK_CONTAINS(o, "patients  2");
    snprintf(args, sizeof(args), "history stats --format json --db %s", db);
    CHECK_INT(run(args, &o, &e), 0);
    CHECK_CONTAINS(o, "\"claims\":4,\"services\":5");

    /* input errors: one line with file and line, exit 3 */
    snprintf(args, sizeof(args), "history import --db %s bad.jsonl", db);
    CHECK_INT(run(args, &o, &e), 3);
    CHECK(one_line(e));
    CHECK_CONTAINS(e, "bad.jsonl:2: patient.birth_date: invalid value");
    CHECK(strstr(e, "1941") == NULL);
    CHECK_CONTAINS(o, "committed through line 1 of 2");
    snprintf(args, sizeof(args),
             "history import --db %s --skip-invalid bad.jsonl", db);
    CHECK_INT(run(args, &o, &e), 0);
    CHECK_CONTAINS(e, "bad.jsonl:2: skipped: patient.birth_date");
    snprintf(args, sizeof(args), "history import --db %s missing.jsonl", db);
    CHECK_INT(run(args, &o, &e), 3);
    CHECK(one_line(e));
    CHECK_INT(run("history stats --db nothing.db", &o, &e), 3);
    CHECK(one_line(e));
    CHECK(access(path_of("nothing.db"), F_OK) != 0);
    CHECK_INT(sql_exec(path_of("newer.db"), "PRAGMA user_version = 5"),
              SQLITE_OK);
    CHECK_INT(run("history stats --db newer.db", &o, &e), 3);
    CHECK_CONTAINS(e, "newer");
    CHECK_INT(run("history import --db newer.db small.jsonl", &o, &e), 3);

    /* $MEDNEC_HISTORY, then ./mednec-history.db */
    snprintf(args, sizeof(args), "history stats");
    CHECK_INT(run(args, &o, &e), 3);
    snprintf(args, sizeof(args), "history import --quiet small.jsonl");
    CHECK_INT(run(args, &o, &e), 0);
    CHECK(access(path_of("mednec-history.db"), F_OK) == 0);
    snprintf(args, sizeof(args), "history stats");
    CHECK_INT(run(args, &o, &e), 0);
    setenv("MEDNEC_HISTORY", path_of("env.db"), 1);
    CHECK_INT(run("history import --quiet small.jsonl", &o, &e), 0);
    CHECK(access(path_of("env.db"), F_OK) == 0);
    CHECK_INT(run("history stats", &o, &e), 0);
    CHECK_CONTAINS(o, "services  5");
    unsetenv("MEDNEC_HISTORY");

    /* --record with the built-in KB */
    snprintf(args, sizeof(args),
             "history import --record --db clirec.db "
             "small.jsonl");
    CHECK_INT(run(args, &o, &e), 0);
    CHECK_INT(run("history stats --db clirec.db", &o, &e), 0);
    CHECK_CONTAINS(o, "recorded  5");

    /* no patient id, name or birth date in anything printed */
    CHECK(strstr(all_err, "PHI") == NULL);
    CHECK(strstr(all_err, "1950") == NULL);
    free(o);
    free(e);
}

/* ------------------------------------------------------------------ */
/* Benchmark (MN_HISTORY_BENCH=1)                                      */
/* ------------------------------------------------------------------ */

static int count_cb(void *payload, const mn_history_service *s)
{
    size_t *n = payload;
    *n += s->units;
    return MN_OK;
}

/* 100,000 patients x 5 claims x 2 lines = 1,000,000 services. */
static void bench(void)
{
    const int patients = 100000;
    size_t cap = (size_t)patients * 5 * 260;
    char *data = malloc(cap);
    size_t len = 0;
    mn_history *h = open_new("bench.db");
    mn_history_import_stats st;
    mn_error err;
    double t0, t1;
    size_t total = 0;
    unsigned seed = 12345;
    const int rounds = 1000000;

    for (int p = 0; p < patients; p++) {
        for (int c = 0; c < 5; c++) {
            char d1[11], d2[11];
            mn_history_date_text(d1, 19723 + (p * 7 + c * 61) % 700);
            mn_history_date_text(d2, 19723 + (p * 7 + c * 61 + 3) % 700);
            len += (size_t)snprintf(
                data + len, cap - len,
                "{\"id\":\"c%d-%d\",\"patient\":{\"id\":\"P%07d\"},"
                "\"diagnoses\":[\"E11.65\",\"I10\"],\"lines\":[{\"code\":"
                "\"83036\",\"date\":\"%s\"},{\"code\":\"80061\",\"date\":"
                "\"%s\",\"modifiers\":[\"GA\"]}]}\n",
                p, c, p, d1, d2);
        }
    }
    t0 = now();
    CHECK_INT(mn_history_import(h, data, len, NULL, &st, &err), MN_OK);
    t1 = now();
    fprintf(stderr,
            "bench: import %zu claims, %zu services (%.0f MB JSONL): %.2f s "
            "(%.0f services/s, %zu commits)\n",
            st.claims, st.services_added, (double)len / 1e6, t1 - t0,
            (double)st.services_added / (t1 - t0), st.commits);
    t0 = now();
    CHECK_INT(mn_history_import(h, data, len, NULL, &st, &err), MN_OK);
    t1 = now();
    fprintf(stderr, "bench: re-import (all unchanged): %.2f s\n", t1 - t0);
    mn_history_free(h);

    /* lookups on a read-only handle, random patients: fresh reads, then
     * 100 ms snapshots */
    for (int pass = 0; pass < 2; pass++) {
        mn_history_options ro = MN_HISTORY_OPTIONS_INIT;
        double c0, c1;
        ro.read_only = 1;
        ro.snapshot_ms = pass ? 100 : 0;
        h = NULL;
        CHECK_INT(mn_history_open(&h, path_of("bench.db"), &ro, &err), MN_OK);
        c0 = cpu();
        t0 = now();
        for (int i = 0; i < rounds; i++) {
            char id[16];
            seed = seed * 1103515245u + 12345u;
            snprintf(id, sizeof(id), "P%07u", (seed >> 8) % (unsigned)patients);
            mn_history_lookup(h, id, 8, MN_HISTORY_FIRST, MN_HISTORY_LAST,
                              count_cb, &total, &err);
        }
        t1 = now();
        c1 = cpu();
        fprintf(stderr,
                "bench: %s: %d lookups of 10 services: %.2f s wall, %.2f s "
                "cpu, %.0f lookups/s per core (%.2f us each)\n",
                pass ? "snapshot_ms=100" : "fresh reads", rounds, t1 - t0,
                c1 - c0, (double)rounds / (c1 - c0), (c1 - c0) * 1e6 / rounds);
        mn_history_free(h);
    }
    CHECK_INT(total, (size_t)rounds * 2 * 10);
    free(data);
}

int main(void)
{
    char cmd[600];
    if (!mkdtemp(tmpdir))
        return 1;
    RUN(test_open_schema);
    RUN(test_import_lookup);
    RUN(test_amounts);
    RUN(test_reimport);
    RUN(test_claim_key);
    RUN(test_errors);
    RUN(test_chunks);
    RUN(test_batches);
    RUN(test_record);
    RUN(test_put_void);
    RUN(test_snapshots);
    RUN(test_query_plan);
    RUN(test_cli);
    RUN(test_read_only_folder);
    if (getenv("MN_HISTORY_BENCH"))
        RUN(bench);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", tmpdir);
    DONE();
}
