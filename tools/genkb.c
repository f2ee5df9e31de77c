/*
 * genkb.c: compiles the knowledge base that is embedded in the library
 * (mn_kb_open_builtin) at build time: the built-in rule packs and the
 * compact code lists given as arguments. It runs on the build side, so
 * the library's reader never needs the builder.
 *
 * usage: genkb OUT.mnkb [SOURCE...]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mednec.h"

static void report(void *payload, const mn_build_file_report *r)
{
    (void)payload;
    if (!r->layout)
        fprintf(stderr, "genkb: %s: not recognised%s%s\n", r->path,
                r->note ? ": " : "", r->note ? r->note : "");
    else if (r->skipped)
        fprintf(stderr, "genkb: %s: %zu rows skipped\n", r->path, r->skipped);
}

int main(int argc, char **argv)
{
    mn_build_options opts = MN_BUILD_OPTIONS_INIT;
    mn_build *b = NULL;
    mn_error err;
    void *bytes = NULL;
    size_t len = 0;
    FILE *f = NULL;
    int rc;
    int status = 1;
    char line[700];

    mn_error_clear(&err);
    if (argc < 2) {
        fprintf(stderr, "usage: genkb OUT.mnkb [SOURCE...]\n");
        return 2;
    }
    opts.report = report;
    /* the built-in packs alone are a valid built-in KB (a tree without
       data/builtin) */
    opts.allow_empty = 1;
    if ((rc = mn_build_new(&b, &opts, &err)))
        goto fail;
    for (int i = 2; i < argc; i++) {
        if ((rc = mn_build_add_path(b, argv[i], &err)))
            goto fail;
    }
    if ((rc = mn_build_to_memory(&bytes, &len, b, &err)))
        goto fail;
    f = fopen(argv[1], "wb");
    if (!f || fwrite(bytes, 1, len, f) != len || fclose(f) != 0) {
        f = NULL;
        fprintf(stderr, "genkb: %s: cannot write\n", argv[1]);
        goto done;
    }
    f = NULL;
    status = 0;
    goto done;
fail:
    fprintf(stderr, "genkb: %s\n", mn_error_format(line, sizeof(line), &err));
done:
    if (f)
        fclose(f);
    mn_kb_bytes_free(bytes);
    mn_build_free(b);
    return status;
}
