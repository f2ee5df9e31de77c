/*
 * history/history_mem.c: the whole history store loaded into memory, for batch
 * checks. One scan of the SQLite file at load; a lookup is then a hash
 * probe and a walk over the patient's services in date order, with no
 * SQLite call. Immutable after load, so threads may share it.
 */
#include <sqlite3.h>
#include <string.h>

#include "history/history_int.h"
#include "core/map.h"
#include "core/util.h"

typedef struct mem_svc {
    int32_t date;
    uint32_t units;
    int32_t status; /* -1 unknown */
    uint32_t line;
    uint32_t key_off; /* claim key in the text pool */
    uint32_t key_len;
    uint32_t mod_off; /* modifiers in the text pool, mod_len 0: none */
    uint32_t mod_len;
    char code[8];
    uint32_t code_len;
    int64_t charge; /* cents, MN_NO_AMOUNT when not known */
    int64_t allowed;
    uint32_t dx_off; /* diagnoses in the text pool, dx_len 0: none */
    uint32_t dx_len;
    uint32_t prov_off; /* provider in the text pool, prov_len 0: none */
    uint32_t prov_len;
} mem_svc;

typedef struct mem_patient {
    uint32_t id_off;
    uint32_t id_len;
    uint32_t first;
    uint32_t count;
} mem_patient;

struct mn_history_memory {
    mem_svc *svc;
    size_t n_svc;
    mem_patient *pat;
    size_t n_pat;
    mn_vec text;
    mn_map index; /* hash of the patient id -> patient (probing on hash) */
};

static int text_add(mn_vec *v, uint32_t *off, uint32_t *len, const void *s,
                    size_t n)
{
    if (v->len + n > UINT32_MAX)
        return MN_ELIMIT;
    *off = (uint32_t)v->len;
    *len = (uint32_t)n;
    return mn_x__vec_push(v, s, n);
}

static int64_t amount_col(sqlite3_stmt *st, int col, int n_cols)
{
    if (col >= n_cols || sqlite3_column_type(st, col) == SQLITE_NULL)
        return MN_NO_AMOUNT;
    return sqlite3_column_int64(st, col);
}

static int load_rows(mn_history_memory *m, sqlite3 *db, int schema,
                     mn_error *err)
{
    /* schema 1 has no amounts */
    static const char sql1[] =
        "SELECT patient_id, date_days, claim_key, line_no, code, units,"
        " modifiers, status FROM service ORDER BY patient_id, date_days,"
        " claim_key, line_no";
    static const char sql2[] =
        "SELECT patient_id, date_days, claim_key, line_no, code, units,"
        " modifiers, status, charge, allowed, dx FROM service ORDER BY"
        " patient_id, date_days, claim_key, line_no";
    static const char sql[] =
        "SELECT patient_id, date_days, claim_key, line_no, code, units,"
        " modifiers, status, charge, allowed, dx, provider FROM service ORDER"
        " BY patient_id, date_days, claim_key, line_no";
    int n_cols = schema >= 3 ? 12 : schema >= 2 ? 11 : 8;
    sqlite3_stmt *st = NULL;
    mn_vec svc = {0}, pat = {0};
    int rc = MN_OK;
    int s;

    if (sqlite3_prepare_v2(db,
                           schema >= 3   ? sql
                           : schema >= 2 ? sql2
                                         : sql1,
                           -1, &st, NULL) != SQLITE_OK) {
        rc = mn_x__err(err, MN_EIO, "cannot read the history store: %s",
                       sqlite3_errmsg(db));
        goto done;
    }
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        mem_svc v;
        const char *pid = (const char *)sqlite3_column_text(st, 0);
        size_t plen = (size_t)sqlite3_column_bytes(st, 0);
        const char *code = (const char *)sqlite3_column_text(st, 4);
        size_t clen = (size_t)sqlite3_column_bytes(st, 4);
        const char *key = (const char *)sqlite3_column_text(st, 2);
        size_t klen = (size_t)sqlite3_column_bytes(st, 2);
        const char *mods = (const char *)sqlite3_column_text(st, 6);
        size_t mlen = mods ? (size_t)sqlite3_column_bytes(st, 6) : 0;
        size_t np = MN_VEC_COUNT(&pat, mem_patient);
        mem_patient *last = np ? &MN_VEC_AT(&pat, mem_patient, np - 1) : NULL;

        if (!pid || !code || !key || clen == 0 || clen > 7)
            continue; /* not written by mednec: ignored, like the store */
        if (!last || last->id_len != plen ||
            memcmp((const char *)m->text.data + last->id_off, pid, plen)) {
            mem_patient p;
            memset(&p, 0, sizeof(p));
            p.first = (uint32_t)MN_VEC_COUNT(&svc, mem_svc);
            if ((rc = text_add(&m->text, &p.id_off, &p.id_len, pid, plen)) ||
                (rc = mn_x__vec_push(&pat, &p, sizeof(p))))
                goto nomem;
            np++;
            last = &MN_VEC_AT(&pat, mem_patient, np - 1);
        }
        memset(&v, 0, sizeof(v));
        v.date = (int32_t)sqlite3_column_int(st, 1);
        v.line = (uint32_t)sqlite3_column_int(st, 3);
        v.units = (uint32_t)sqlite3_column_int(st, 5);
        v.status = sqlite3_column_type(st, 7) == SQLITE_NULL
                       ? -1
                       : sqlite3_column_int(st, 7);
        v.charge = amount_col(st, 8, n_cols);
        v.allowed = amount_col(st, 9, n_cols);
        memcpy(v.code, code, clen);
        v.code_len = (uint32_t)clen;
        if ((rc = text_add(&m->text, &v.key_off, &v.key_len, key, klen)))
            goto nomem;
        if (mlen &&
            (rc = text_add(&m->text, &v.mod_off, &v.mod_len, mods, mlen)))
            goto nomem;
        if (n_cols > 10 && sqlite3_column_type(st, 10) != SQLITE_NULL) {
            const char *dx = (const char *)sqlite3_column_text(st, 10);
            size_t dlen = dx ? (size_t)sqlite3_column_bytes(st, 10) : 0;
            if (dlen &&
                (rc = text_add(&m->text, &v.dx_off, &v.dx_len, dx, dlen)))
                goto nomem;
        }
        if (n_cols > 11 && sqlite3_column_type(st, 11) != SQLITE_NULL) {
            const char *pv = (const char *)sqlite3_column_text(st, 11);
            size_t plen2 = pv ? (size_t)sqlite3_column_bytes(st, 11) : 0;
            if (plen2 &&
                (rc = text_add(&m->text, &v.prov_off, &v.prov_len, pv, plen2)))
                goto nomem;
        }
        if ((rc = mn_x__vec_push(&svc, &v, sizeof(v))))
            goto nomem;
        last->count++;
    }
    if (s != SQLITE_DONE) {
        rc = mn_x__err(err, MN_EIO, "cannot read the history store: %s",
                       sqlite3_errmsg(db));
        goto done;
    }
    m->svc = (mem_svc *)svc.data;
    m->n_svc = MN_VEC_COUNT(&svc, mem_svc);
    m->pat = (mem_patient *)pat.data;
    m->n_pat = MN_VEC_COUNT(&pat, mem_patient);
    svc.data = NULL;
    pat.data = NULL;
    goto done;
nomem:
    rc = mn_x__err(err, rc,
                   rc == MN_ENOMEM ? "out of memory"
                                   : "history too large for memory");
done:
    sqlite3_finalize(st);
    mn_x__vec_free(&svc);
    mn_x__vec_free(&pat);
    return rc;
}

int mn_history_memory_load(mn_history_memory **out, const char *path,
                           mn_error *err)
{
    mn_history_memory *m = NULL;
    sqlite3 *db = NULL;
    int rc = MN_OK;
    int64_t app = 0;
    int64_t schema = 0;

    *out = NULL;
    m = mn_x__calloc(1, sizeof(*m));
    if (!m) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = mn_x__history_open_read(&db, path, 0, &app, &schema, err)))
        goto done;
    if (app != MN_HISTORY_APP_ID || schema < 1) {
        rc = mn_x__err(err, MN_EINVAL, "not a mednec history store");
        mn_x__err_at(err, path, 0, 0);
        goto done;
    }
    if (schema > MN_HISTORY_SCHEMA_VERSION) {
        rc = mn_x__err(err, MN_EVERSION,
                       "history store schema %lld is newer than this mednec "
                       "reads (%d)",
                       (long long)schema, MN_HISTORY_SCHEMA_VERSION);
        mn_x__err_at(err, path, 0, 0);
        goto done;
    }
    if ((rc = load_rows(m, db, (int)schema, err)))
        goto done;
    for (size_t i = 0; i < m->n_pat && !rc; i++) {
        const mem_patient *p = &m->pat[i];
        uint64_t h = mn_x__hash(m->text.data + p->id_off, p->id_len);
        uint32_t tmp;
        while (mn_x__map_get(&m->index, h, &tmp))
            h++;
        rc = mn_x__map_put(&m->index, h, (uint32_t)i);
    }
    if (rc)
        rc = mn_x__err(err, rc, "out of memory");
done:
    sqlite3_close(db);
    if (rc) {
        mn_history_memory_free(m);
        m = NULL;
    }
    *out = m;
    return rc;
}

void mn_history_memory_free(mn_history_memory *m)
{
    if (!m)
        return;
    mn_x__free(m->svc);
    mn_x__free(m->pat);
    mn_x__vec_free(&m->text);
    mn_x__map_free(&m->index);
    mn_x__free(m);
}

size_t mn_history_memory_count(const mn_history_memory *m)
{
    return m ? m->n_svc : 0;
}

static int mem_lookup(void *self, const char *patient_id, size_t id_len,
                      int32_t from, int32_t to, mn_history_cb cb, void *payload,
                      mn_error *err)
{
    const mn_history_memory *m = self;
    uint64_t h = mn_x__hash(patient_id, id_len);
    uint32_t ix;
    const mem_patient *p = NULL;
    const char *text = (const char *)m->text.data;

    (void)err;
    while (mn_x__map_get(&m->index, h, &ix)) {
        const mem_patient *c = &m->pat[ix];
        if (c->id_len == id_len &&
            !memcmp(text + c->id_off, patient_id, id_len)) {
            p = c;
            break;
        }
        h++;
    }
    if (!p)
        return MN_OK;
    for (uint32_t i = 0; i < p->count; i++) {
        const mem_svc *v = &m->svc[p->first + i];
        mn_history_service s;
        int rc;
        if (v->date < from)
            continue;
        if (v->date > to)
            break;
        memset(&s, 0, sizeof(s));
        s.code = v->code;
        s.code_len = v->code_len;
        s.date = v->date;
        s.units = v->units;
        s.status = v->status;
        s.modifiers = v->mod_len ? text + v->mod_off : NULL;
        s.modifiers_len = v->mod_len;
        s.claim_key = text + v->key_off;
        s.claim_key_len = v->key_len;
        s.line = v->line;
        s.charge = v->charge;
        s.allowed = v->allowed;
        s.diagnoses = v->dx_len ? text + v->dx_off : NULL;
        s.diagnoses_len = v->dx_len;
        s.provider = v->prov_len ? text + v->prov_off : NULL;
        s.provider_len = v->prov_len;
        if ((rc = cb(payload, &s)))
            return rc;
    }
    return MN_OK;
}

void mn_history_memory_source(mn_history_source *out, mn_history_memory *m)
{
    memset(out, 0, sizeof(*out));
    out->version = MN_HISTORY_SOURCE_VERSION;
    out->self = m;
    out->lookup = mem_lookup;
}
