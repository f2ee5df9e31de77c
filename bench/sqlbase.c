/*
 * sqlbase.c: the baseline a database user would write. The same generated
 * MCD tables go into SQLite (in memory) with the indexes the query needs,
 * the same claim lines go into claim_line / claim_line_dx, and one
 * set-based query judges every line: the article versions that govern the
 * line's code, are in force on its date and have a contractor in its
 * state; then, per governing article, whether a pointed diagnosis is on
 * its non-covered list and whether one is on its covered list. The
 * article -> state relation is materialised at load time (article_state),
 * as the KB does with its per-policy state mask; querying through
 * article_x_contractor -> contractor -> contractor_state instead measured
 * about 1.5x slower. Dual
 * diagnosis (asterisk codes that need a partner group) is not modelled
 * in SQL: the query reports, per line, whether a dual-diagnosis article
 * governs it, and those lines are left out of the agreement check.
 */
#define _GNU_SOURCE

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "bench.h"

const char *const bm_verdict_names[BM_V_COUNT] = {
    "no policy", "covered", "not supported", "non-covered dx", "other"};

static const char *const schema =
    "CREATE TABLE contractor(contractor_id INTEGER,"
    " contractor_type_id INTEGER, contractor_version INTEGER,"
    " contractor_bus_name TEXT, contractor_number TEXT,"
    " PRIMARY KEY(contractor_id, contractor_type_id, contractor_version))"
    " WITHOUT ROWID;"
    "CREATE TABLE contractor_state(contractor_number TEXT, state TEXT,"
    " PRIMARY KEY(contractor_number, state)) WITHOUT ROWID;"
    "CREATE TABLE article(article_id INTEGER, article_version INTEGER,"
    " title TEXT, article_eff_date TEXT, article_end_date TEXT,"
    " dual INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY(article_id, article_version)) WITHOUT ROWID;"
    "CREATE TABLE article_x_contractor(article_id INTEGER,"
    " article_version INTEGER, contractor_id INTEGER,"
    " contractor_type_id INTEGER, contractor_version INTEGER);"
    "CREATE TABLE article_x_hcpc_code(article_id INTEGER,"
    " article_version INTEGER, hcpc_code_id TEXT, hcpc_code_group INTEGER);"
    "CREATE TABLE article_x_icd10_covered(article_id INTEGER,"
    " article_version INTEGER, icd10_code_id TEXT,"
    " icd10_covered_group INTEGER, asterisk TEXT);"
    "CREATE TABLE article_x_icd10_noncovered(article_id INTEGER,"
    " article_version INTEGER, icd10_code_id TEXT,"
    " icd10_noncovered_group INTEGER);"
    "CREATE TABLE article_state(article_id INTEGER, article_version INTEGER,"
    " state TEXT, PRIMARY KEY(article_id, article_version, state))"
    " WITHOUT ROWID;";

static const char *const indexes =
    "CREATE INDEX ix_hcpc_code ON article_x_hcpc_code(hcpc_code_id,"
    " article_id, article_version);"
    "CREATE INDEX ix_covered ON article_x_icd10_covered(article_id,"
    " article_version, icd10_code_id);"
    "CREATE INDEX ix_noncovered ON article_x_icd10_noncovered(article_id,"
    " article_version, icd10_code_id);"
    "CREATE INDEX ix_art_contractor ON article_x_contractor(article_id,"
    " article_version, contractor_id);"
    /* the states each article version applies in, materialised from
     * article_x_contractor, contractor and contractor_state (the KB keeps
     * the same thing as a state mask per policy) */
    "INSERT OR IGNORE INTO article_state SELECT ac.article_id,"
    " ac.article_version, s.state FROM article_x_contractor ac"
    " JOIN contractor c ON c.contractor_id = ac.contractor_id"
    " AND c.contractor_type_id = ac.contractor_type_id"
    " AND c.contractor_version = ac.contractor_version"
    " JOIN contractor_state s ON s.contractor_number = c.contractor_number;"
    "UPDATE article SET dual = EXISTS (SELECT 1 FROM"
    " article_x_icd10_covered c WHERE c.article_id = article.article_id"
    " AND c.article_version = article.article_version"
    " AND c.asterisk = 'Y');"
    "ANALYZE;";

static const char *const claim_schema =
    "CREATE TABLE claim_line(line_id INTEGER PRIMARY KEY, code TEXT,"
    " dos TEXT, state TEXT);"
    "CREATE TABLE claim_line_dx(line_id INTEGER, dx TEXT,"
    " PRIMARY KEY(line_id, dx)) WITHOUT ROWID;";

/* The policy check as one set-based query over every claim line. */
#define BM_QUERY                                                               \
    "WITH gov AS (\n"                                                          \
    "  SELECT l.line_id, a.article_id, a.article_version, a.dual\n"            \
    "  FROM claim_line l\n"                                                    \
    "  JOIN article_x_hcpc_code h ON h.hcpc_code_id = l.code\n"                \
    "  JOIN article a ON a.article_id = h.article_id\n"                        \
    "   AND a.article_version = h.article_version\n"                           \
    "   AND a.article_eff_date <= l.dos\n"                                     \
    "   AND (a.article_end_date IS NULL OR l.dos <= a.article_end_date)\n"     \
    "  JOIN article_state s ON s.article_id = a.article_id\n"                  \
    "   AND s.article_version = a.article_version AND s.state = l.state\n"     \
    "  GROUP BY l.line_id, a.article_id, a.article_version\n"                  \
    "), judged AS (\n"                                                         \
    "  SELECT g.line_id, g.dual,\n"                                            \
    "    EXISTS (SELECT 1 FROM claim_line_dx d\n"                              \
    "      JOIN article_x_icd10_noncovered n\n"                                \
    "        ON n.article_id = g.article_id\n"                                 \
    "       AND n.article_version = g.article_version\n"                       \
    "       AND n.icd10_code_id = d.dx\n"                                      \
    "      WHERE d.line_id = g.line_id) AS noncov,\n"                          \
    "    EXISTS (SELECT 1 FROM claim_line_dx d\n"                              \
    "      JOIN article_x_icd10_covered c\n"                                   \
    "        ON c.article_id = g.article_id\n"                                 \
    "       AND c.article_version = g.article_version\n"                       \
    "       AND c.icd10_code_id = d.dx\n"                                      \
    "      WHERE d.line_id = g.line_id) AS cov\n"                              \
    "  FROM gov g\n"                                                           \
    ")\n"                                                                      \
    "SELECT l.line_id,\n"                                                      \
    "  CASE WHEN COUNT(j.line_id) = 0 THEN 0\n"                                \
    "       WHEN SUM(j.noncov) > 0 THEN 3\n"                                   \
    "       WHEN SUM(j.cov) = COUNT(j.line_id) THEN 1\n"                       \
    "       ELSE 2 END AS verdict,\n"                                          \
    "  COALESCE(MAX(j.dual), 0) AS dual\n"                                     \
    "FROM claim_line l LEFT JOIN judged j ON j.line_id = l.line_id\n"          \
    "GROUP BY l.line_id\n"                                                     \
    "ORDER BY l.line_id"
static const char *const query = BM_QUERY;

typedef struct loadctx {
    sqlite3 *db;
    sqlite3_stmt *st;
    int n;
    const int *kinds; /* per column: 0 text, 1 integer, 2 Y/N text */
} loadctx;

static int fail(sqlite3 *db, const char *what)
{
    fprintf(stderr, "mednec_bench: sqlite: %s: %s\n", what,
            db ? sqlite3_errmsg(db) : "no database");
    return -1;
}

static int insert_row(void *payload, const char *const *f)
{
    loadctx *l = payload;
    sqlite3_reset(l->st);
    for (int i = 0; i < l->n; i++) {
        const char *s = f[i];
        if (!s || !s[0])
            sqlite3_bind_null(l->st, i + 1);
        else if (l->kinds[i] == 1)
            sqlite3_bind_int64(l->st, i + 1, strtoll(s, NULL, 10));
        else
            sqlite3_bind_text(l->st, i + 1, s, -1, SQLITE_TRANSIENT);
    }
    if (sqlite3_step(l->st) != SQLITE_DONE)
        return fail(l->db, "insert");
    return 0;
}

static int load_table(sqlite3 *db, const char *dir, const char *file,
                      const char *table, const char *const *cols, int n,
                      const int *kinds)
{
    char sql[512];
    size_t len;
    loadctx l;
    int rc;

    len = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO %s VALUES(", table);
    for (int i = 0; i < n && len < sizeof(sql) - 4; i++)
        len +=
            (size_t)snprintf(sql + len, sizeof(sql) - len, "%s?", i ? "," : "");
    snprintf(sql + len, sizeof(sql) - len, ")");
    memset(&l, 0, sizeof(l));
    l.db = db;
    l.n = n;
    l.kinds = kinds;
    if (sqlite3_prepare_v2(db, sql, -1, &l.st, NULL) != SQLITE_OK)
        return fail(db, sql);
    rc = bm_each_row(dir, file, cols, (size_t)n, insert_row, &l);
    sqlite3_finalize(l.st);
    return rc;
}

static int exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "mednec_bench: sqlite: %s\n", msg ? msg : "error");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int load_mcd(sqlite3 *db, const char *dir, const bm_model *m)
{
    static const char *const c_cols[] = {
        "contractor_id", "contractor_type_id", "contractor_version",
        "contractor_bus_name", "contractor_number"};
    static const int c_kinds[] = {1, 1, 1, 0, 0};
    static const char *const a_cols[] = {"article_id", "article_version",
                                         "title", "article_eff_date",
                                         "article_end_date"};
    static const int a_kinds[] = {1, 1, 0, 0, 0};
    static const char *const l_cols[] = {"article_id", "article_version",
                                         "contractor_id", "contractor_type_id",
                                         "contractor_version"};
    static const int l_kinds[] = {1, 1, 1, 1, 1};
    static const char *const h_cols[] = {"article_id", "article_version",
                                         "hcpc_code_id", "hcpc_code_group"};
    static const int h_kinds[] = {1, 1, 0, 1};
    static const char *const cov_cols[] = {"article_id", "article_version",
                                           "icd10_code_id",
                                           "icd10_covered_group", "asterisk"};
    static const int cov_kinds[] = {1, 1, 0, 1, 0};
    static const char *const non_cols[] = {"article_id", "article_version",
                                           "icd10_code_id",
                                           "icd10_noncovered_group"};
    static const int non_kinds[] = {1, 1, 0, 1};
    sqlite3_stmt *st = NULL;
    sqlite3_stmt *ins = NULL;
    int rc = -1;

    (void)m;
    if (exec(db, schema) || exec(db, "BEGIN"))
        return -1;
    if (load_table(db, dir, "contractor.csv", "contractor", c_cols, 5,
                   c_kinds) ||
        load_table(db, dir, "article.csv",
                   "article(article_id, article_version, title,"
                   " article_eff_date, article_end_date)",
                   a_cols, 5, a_kinds) ||
        load_table(db, dir, "article_x_contractor.csv", "article_x_contractor",
                   l_cols, 5, l_kinds) ||
        load_table(db, dir, "article_x_hcpc_code.csv", "article_x_hcpc_code",
                   h_cols, 4, h_kinds) ||
        load_table(db, dir, "article_x_icd10_covered.csv",
                   "article_x_icd10_covered", cov_cols, 5, cov_kinds) ||
        load_table(db, dir, "article_x_icd10_noncovered.csv",
                   "article_x_icd10_noncovered", non_cols, 4, non_kinds))
        goto done;

    /* contractor number -> state (the locality mapping as a table) */
    if (sqlite3_prepare_v2(db,
                           "SELECT DISTINCT contractor_number FROM"
                           " contractor",
                           -1, &st, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT OR IGNORE INTO contractor_state"
                           " VALUES(?,?)",
                           -1, &ins, NULL) != SQLITE_OK) {
        fail(db, "prepare");
        goto done;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *num = (const char *)sqlite3_column_text(st, 0);
        uint64_t states = num ? bm_contractor_states(num) : 0;
        for (size_t i = 0; i < bm_n_states; i++) {
            if (!((states >> i) & 1))
                continue;
            sqlite3_reset(ins);
            sqlite3_bind_text(ins, 1, num, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 2, bm_states[i], 2, SQLITE_STATIC);
            if (sqlite3_step(ins) != SQLITE_DONE) {
                fail(db, "insert");
                goto done;
            }
        }
    }
    if (exec(db, "COMMIT") || exec(db, indexes))
        goto done;
    rc = 0;
done:
    sqlite3_finalize(st);
    sqlite3_finalize(ins);
    return rc;
}

static int load_claims(sqlite3 *db, const bm_workload *w)
{
    sqlite3_stmt *l = NULL;
    sqlite3_stmt *d = NULL;
    int rc = -1;

    if (exec(db, claim_schema) || exec(db, "BEGIN"))
        return -1;
    if (sqlite3_prepare_v2(db, "INSERT INTO claim_line VALUES(?,?,?,?)", -1, &l,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT OR IGNORE INTO claim_line_dx"
                           " VALUES(?,?)",
                           -1, &d, NULL) != SQLITE_OK) {
        fail(db, "prepare");
        goto done;
    }
    for (size_t i = 0; i < w->n_lines; i++) {
        const bm_line *ln = &w->lines[i];
        sqlite3_reset(l);
        sqlite3_bind_int64(l, 1, (sqlite3_int64)(i + 1));
        sqlite3_bind_text(l, 2, ln->code, -1, SQLITE_STATIC);
        sqlite3_bind_text(l, 3, ln->date, -1, SQLITE_STATIC);
        sqlite3_bind_text(l, 4, ln->state, -1, SQLITE_STATIC);
        if (sqlite3_step(l) != SQLITE_DONE) {
            fail(db, "insert line");
            goto done;
        }
        for (int k = 0; k < ln->n_dx; k++) {
            sqlite3_reset(d);
            sqlite3_bind_int64(d, 1, (sqlite3_int64)(i + 1));
            sqlite3_bind_text(d, 2, ln->dx[k], -1, SQLITE_STATIC);
            if (sqlite3_step(d) != SQLITE_DONE) {
                fail(db, "insert dx");
                goto done;
            }
        }
    }
    if (exec(db, "COMMIT") || exec(db, "ANALYZE"))
        goto done;
    rc = 0;
done:
    sqlite3_finalize(l);
    sqlite3_finalize(d);
    return rc;
}

static int run_query(sqlite3 *db, bm_sql_result *out, size_t n_lines)
{
    sqlite3_stmt *st = NULL;
    int rc;
    size_t rows = 0;

    if (sqlite3_prepare_v2(db, query, -1, &st, NULL) != SQLITE_OK)
        return fail(db, "prepare query");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sqlite3_int64 id = sqlite3_column_int64(st, 0);
        int v = sqlite3_column_int(st, 1);
        int dual = sqlite3_column_int(st, 2);
        if (id >= 1 && (size_t)id <= n_lines) {
            out->verdict[id - 1] =
                (uint8_t)(v >= 0 && v < BM_V_COUNT ? v : BM_V_OTHER);
            out->dual[id - 1] = (uint8_t)(dual != 0);
        }
        rows++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return fail(db, "query");
    if (rows != n_lines) {
        fprintf(stderr, "mednec_bench: sqlite: %zu rows for %zu lines\n", rows,
                n_lines);
        return -1;
    }
    return 0;
}

int bm_sql_run(bm_sql_result *out, const char *mcd_dir, const bm_model *m,
               const bm_workload *w, int runs, const char *save)
{
    sqlite3 *db = NULL;
    uint64_t t0;
    int rc = -1;
    sqlite3_int64 pages = 0;
    sqlite3_int64 page_size = 0;
    sqlite3_stmt *st = NULL;

    memset(out, 0, sizeof(*out));
    out->query_text = query;
    snprintf(out->sqlite_version, sizeof(out->sqlite_version), "%s",
             sqlite3_libversion());
    out->verdict = calloc(w->n_lines ? w->n_lines : 1, 1);
    out->dual = calloc(w->n_lines ? w->n_lines : 1, 1);
    if (!out->verdict || !out->dual)
        goto done;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) {
        fail(db, "open");
        goto done;
    }
    if (exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                 " PRAGMA temp_store=MEMORY; PRAGMA cache_size=-1048576;"))
        goto done;
    t0 = bm_now_ns();
    if (load_mcd(db, mcd_dir, m))
        goto done;
    out->load_s = (double)(bm_now_ns() - t0) / 1e9;
    t0 = bm_now_ns();
    if (load_claims(db, w))
        goto done;
    out->claims_load_s = (double)(bm_now_ns() - t0) / 1e9;
    if (sqlite3_prepare_v2(db,
                           "SELECT page_count * page_size, page_size"
                           " FROM pragma_page_count(),"
                           " pragma_page_size()",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        pages = sqlite3_column_int64(st, 0);
        page_size = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    (void)page_size;
    out->db_bytes = (size_t)pages;

    if (sqlite3_prepare_v2(db, "EXPLAIN QUERY PLAN " BM_QUERY, -1, &st, NULL) ==
        SQLITE_OK) {
        size_t len = 0;
        while (sqlite3_step(st) == SQLITE_ROW && len + 2 < sizeof(out->plan)) {
            const char *d = (const char *)sqlite3_column_text(st, 3);
            len += (size_t)snprintf(out->plan + len, sizeof(out->plan) - len,
                                    "%s\n", d ? d : "");
        }
        if (len >= sizeof(out->plan))
            out->plan[sizeof(out->plan) - 1] = '\0';
    }
    sqlite3_finalize(st);
    st = NULL;
    if (runs < 1)
        runs = 1;
    if (runs > 3)
        runs = 3;
    for (int r = 0; r < runs; r++) {
        t0 = bm_now_ns();
        if (run_query(db, out, w->n_lines))
            goto done;
        out->query_s[r] = (double)(bm_now_ns() - t0) / 1e9;
        if (r == 0 || out->query_s[r] < out->best_s)
            out->best_s = out->query_s[r];
        out->runs = r + 1;
    }
    if (save) {
        char *sql = sqlite3_mprintf("VACUUM INTO %Q", save);
        if (!sql || exec(db, sql))
            fprintf(stderr, "mednec_bench: could not save %s\n", save);
        sqlite3_free(sql);
    }
    rc = 0;
done:
    sqlite3_close(db);
    return rc;
}

void bm_sql_free(bm_sql_result *r)
{
    free(r->verdict);
    free(r->dual);
    memset(r, 0, sizeof(*r));
}
