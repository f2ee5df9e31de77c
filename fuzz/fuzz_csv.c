/*
 * fuzz_csv.c: the CSV/TSV record reader (mn_csv_next).
 *
 * The first byte picks the dialect: bits 0-1 the delimiter (, TAB ; |),
 * bit 2 no quoting, bit 3 a single quote as the quote character, bit 4
 * small limits. Every field of every record is read to its end.
 * Invariants: fields are NUL-terminated at their length, records and
 * lines only move forward, an error ends the input.
 */
#include <stdint.h>
#include <string.h>

#include <mednec.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char delims[4] = {',', '\t', ';', '|'};
    mn_csv_options o = MN_CSV_OPTIONS_INIT;
    mn_csv *csv = NULL;
    mn_error err;
    size_t last_record = 0;
    size_t last_line = 0;
    volatile unsigned sum = 0;
    int rc = 0;

    if (size < 1)
        goto done;
    o.delimiter = delims[data[0] & 3];
    o.no_quote = (data[0] >> 2) & 1;
    if (data[0] & 8)
        o.quote = '\'';
    if (data[0] & 16) {
        o.max_fields = 4;
        o.max_field = 16;
    }
    if (mn_csv_new(&csv, (const char *)data + 1, size - 1, &o, &err) != MN_OK)
        goto done;
    rc = mn_csv_next(csv, &err);
    for (; rc == 1; rc = mn_csv_next(csv, &err)) {
        size_t n = mn_csv_count(csv);
        size_t len = 1;
        const char *f;

        if (mn_csv_record(csv) <= last_record || mn_csv_line(csv) < last_line)
            __builtin_trap();
        last_record = mn_csv_record(csv);
        last_line = mn_csv_line(csv);
        for (size_t i = 0; i < n; i++) {
            f = mn_csv_field(csv, i, &len);
            if (!f || f[len] != '\0' || len > size)
                __builtin_trap();
            for (size_t k = 0; k < len; k++)
                sum += (unsigned char)f[k];
        }
        f = mn_csv_field(csv, n, &len);
        if (!f || len != 0 || f[0] != '\0')
            __builtin_trap();
    }
    if (rc < 0 && (rc != err.code || mn_csv_next(csv, &err) != 0))
        __builtin_trap();
done:
    mn_csv_free(csv);
    (void)sum;
    return 0;
}
