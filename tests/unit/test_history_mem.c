/* test_history_mem.c: the history store loaded into memory gives the same
 * services as the SQLite lookups. */
#define _GNU_SOURCE
#include <unistd.h>

#include "harness.h"
#include "mednec.h"

typedef struct seen {
    char text[1024];
    size_t n;
} seen;

static int collect(void *payload, const mn_history_service *s)
{
    seen *x = payload;
    size_t l = strlen(x->text);
    snprintf(x->text + l, sizeof(x->text) - l, "%.*s@%d/%u/%.*s ",
             (int)s->code_len, s->code, (int)s->date, s->units,
             (int)s->claim_key_len, s->claim_key);
    x->n++;
    return MN_OK;
}

static void test_same_as_store(void)
{
    char path[] = "/tmp/mn_hmem_XXXXXX";
    int fd = mkstemp(path);
    const char *jsonl =
        "{\"id\":\"c1\",\"patient\":{\"id\":\"p1\"},\"diagnoses\":"
        "[\"Z00.00\"],\"lines\":[{\"code\":\"G0439\",\"date\":\"2025-03-04\"}"
        ",{\"code\":\"82270\",\"date\":\"2025-03-04\",\"modifiers\":"
        "[\"GA\"]}]}\n"
        "{\"id\":\"c2\",\"patient\":{\"id\":\"p1\"},\"diagnoses\":"
        "[\"Z12.31\"],\"lines\":[{\"code\":\"77067\",\"date\":\"2024-01-10\"}"
        "]}\n"
        "{\"id\":\"c3\",\"patient\":{\"id\":\"p2\"},\"diagnoses\":"
        "[\"Z12.5\"],\"lines\":[{\"code\":\"G0103\",\"date\":\"2023-05-06\"}"
        "]}\n";
    mn_history *h = NULL;
    mn_history_memory *m = NULL;
    mn_history_source src;
    mn_error err;
    seen a, b;

    close(fd);
    unlink(path);
    mn_error_clear(&err);
    CHECK_INT(mn_history_open(&h, path, NULL, &err), MN_OK);
    CHECK_INT(mn_history_import(h, jsonl, strlen(jsonl), NULL, NULL, &err),
              MN_OK);
    CHECK_INT(mn_history_memory_load(&m, path, &err), MN_OK);
    CHECK_INT(mn_history_memory_count(m), 4);
    mn_history_memory_source(&src, m);
    for (int p = 1; p <= 3; p++) {
        char pid[8];
        snprintf(pid, sizeof(pid), "p%d", p);
        memset(&a, 0, sizeof(a));
        memset(&b, 0, sizeof(b));
        CHECK_INT(mn_history_lookup(h, pid, strlen(pid), MN_HISTORY_FIRST,
                                    MN_HISTORY_LAST, collect, &a, &err),
                  MN_OK);
        CHECK_INT(src.lookup(src.self, pid, strlen(pid), MN_HISTORY_FIRST,
                             MN_HISTORY_LAST, collect, &b, &err),
                  MN_OK);
        CHECK_STR(a.text, b.text);
        CHECK_INT(a.n, p == 1 ? 3 : p == 2 ? 1 : 0);
    }
    /* a window */
    memset(&b, 0, sizeof(b));
    {
        int32_t from = 0, to = 0;
        mn_history_date(&from, "2025-01-01", 10);
        mn_history_date(&to, "2025-12-31", 10);
        src.lookup(src.self, "p1", 2, from, to, collect, &b, &err);
        CHECK_INT(b.n, 2);
    }
    mn_history_memory_free(m);
    mn_history_free(h);
    unlink(path);
    /* not a store */
    CHECK_INT(mn_history_memory_load(&m, "/nonexistent/x.db", &err) != MN_OK,
              1);
    CHECK(m == NULL);
}

int main(void)
{
    RUN(test_same_as_store);
    DONE();
}
