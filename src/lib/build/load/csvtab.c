/*
 * build/load/csvtab.c: what the CSV loaders share: binding columns by header
 * name and telling blank records.
 */
#include <string.h>

#include "build/load/loaders.h"

bool mn_x__word_is(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);

    len = mn_x__trim(&s, len);
    if (len != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (mn_x__tolower((unsigned char)s[i]) != word[i])
            return false;
    }
    return true;
}

bool mn_x__csv_blank(const mn_csv *csv)
{
    for (size_t i = 0; i < mn_csv_count(csv); i++) {
        size_t len;
        const char *s = mn_csv_field(csv, i, &len);
        if (mn_x__trim(&s, len))
            return false;
    }
    return true;
}

int mn_x__csv_bind(mn_csv *csv, const char *path, const mn_colspec *cols,
                   size_t ncols, size_t *idx, bool *empty, mn_error *err)
{
    int rc;

    *empty = false;
    rc = mn_csv_next(csv, err);
    if (rc < 0) {
        if (err)
            mn_x__err_at(err, path, err->line, err->column);
        return rc;
    }
    if (rc == 0) {
        *empty = true;
        return MN_OK;
    }
    for (size_t c = 0; c < ncols; c++) {
        idx[c] = MN_NO_COL;
        for (size_t i = 0; i < mn_csv_count(csv); i++) {
            size_t len;
            const char *f = mn_csv_field(csv, i, &len);
            if (mn_x__word_is(f, len, cols[c].name) ||
                (cols[c].alias && mn_x__word_is(f, len, cols[c].alias))) {
                idx[c] = i;
                break;
            }
        }
        if (idx[c] == MN_NO_COL && cols[c].required) {
            rc = mn_x__err(err, MN_EINVAL, "missing column %s", cols[c].name);
            mn_x__err_at(err, path, 1, 1);
            if (err)
                err->record = 1;
            return rc;
        }
    }
    return MN_OK;
}
