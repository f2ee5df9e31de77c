/* cmd_build.c: mednec build: compile a knowledge base. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *help =
    "usage: mednec build -o KB.mnkb [--no-builtin] [--rules PACK.mnr]...\n"
    "                    [--icd-fy YYYY] [--source-date "
    "PATTERN=YYYY-MM-DD]...\n"
    "                    [--built YYYY-MM-DD] [--allow-empty] [--quiet]\n"
    "                    PATH...\n"
    "\n"
    "Compiles the official files under each PATH (files, folders searched\n"
    "recursively, ZIP and .gz read directly) into one knowledge base. Every\n"
    "file is listed with its layout, rows loaded and rows skipped (with the\n"
    "reasons); unrecognised files are listed and skipped. The report ends\n"
    "with what the knowledge base holds (the dates each kind of source\n"
    "covers) and which kinds it lacks.\n"
    "\n"
    "  --source-date PATTERN=DATE  the date of the files whose name matches\n"
    "                   PATTERN (a glob): an ICD-10-CM file's effective date,\n"
    "                   a HCPCS file's year, an NCCI file's quarter, an MCD\n"
    "                   download's date\n"
    "  --allow-empty    write a knowledge base even when no file was\n"
    "                   recognised (the built-in rule packs alone)\n";

#define MAX_RULES 32
static const char *rule_files[MAX_RULES];
static int n_rules;
#define MAX_DATES 64
static const char *source_dates[MAX_DATES];
static int n_dates;
static int quiet;
static size_t n_files;

static int repeat(const char *name, const char *value)
{
    if (!strcmp(name, "--rules")) {
        if (n_rules == MAX_RULES) {
            fprintf(stderr, "mednec build: at most %d rule packs\n", MAX_RULES);
            return 1;
        }
        rule_files[n_rules++] = value;
    } else if (!strcmp(name, "--source-date")) {
        const char *eq = strrchr(value, '=');
        if (!eq || eq == value || !eq[1]) {
            fprintf(stderr, "mednec build: --source-date takes "
                            "PATTERN=YYYY-MM-DD\n");
            return 1;
        }
        if (n_dates == MAX_DATES) {
            fprintf(stderr, "mednec build: at most %d source dates\n",
                    MAX_DATES);
            return 1;
        }
        source_dates[n_dates++] = value;
    }
    return 0;
}

static void report(void *payload, const mn_build_file_report *r)
{
    (void)payload;
    n_files++;
    if (quiet)
        return;
    if (!r->layout) {
        printf("skip  %s  (%s)\n", r->path,
               r->note ? r->note
                       : "not "
                         "recognised");
        return;
    }
    printf("load  %s  [%s]  %zu rows", r->path, r->layout, r->rows);
    if (r->skipped)
        printf(", %zu skipped", r->skipped);
    if (r->note && r->note[0])
        printf("  (%s)", r->note);
    printf("\n");
    for (size_t i = 0; i < r->n_reasons; i++)
        printf("        skipped %s\n", r->reasons[i]);
}

/* What the new KB holds and lacks (the dates each kind covers). */
static void summary(const char *path)
{
    mn_kb_info_options o = MN_KB_INFO_OPTIONS_INIT;
    mn_kb *kb = NULL;
    mn_buf *buf = NULL;
    mn_error err;

    o.brief = 1;
    mn_error_clear(&err);
    if (mn_kb_open(&kb, path, &err) || mn_buf_new(&buf, 0) ||
        mn_kb_info_render(buf, kb, &o, MN_FORMAT_TEXT, &err)) {
        cli_error("build", &err);
    } else {
        fputs(mn_buf_data(buf), stdout);
    }
    mn_buf_free(buf);
    mn_kb_free(kb);
}

int cmd_build(int argc, char **argv)
{
    const char *out = NULL, *fy = NULL, *built = NULL;
    int no_builtin = 0, want_help = 0, allow_empty = 0;
    const cli_opt opts[] = {
        {"-o", 1, &out, NULL},
        {"--output", 1, &out, NULL},
        {"--no-builtin", 0, NULL, &no_builtin},
        {"--rules", 1, NULL, NULL},
        {"--icd-fy", 1, &fy, NULL},
        {"--built", 1, &built, NULL},
        {"--source-date", 1, NULL, NULL},
        {"--allow-empty", 0, NULL, &allow_empty},
        {"--quiet", 0, NULL, &quiet},
        {"--help", 0, NULL, &want_help},
        {NULL, 0, NULL, NULL},
    };
    const char *paths[256];
    int npaths = 0;
    mn_build_options bo = MN_BUILD_OPTIONS_INIT;
    mn_build *b = NULL;
    mn_outfile *kbf = NULL;
    void *bytes = NULL;
    size_t kb_len = 0;
    mn_build_summary sum;
    mn_error err;
    int rc;
    int exit_code = EXIT_INTERNAL;

    mn_error_clear(&err);
    n_rules = 0;
    n_dates = 0;
    quiet = 0;
    n_files = 0;
    if ((rc = cli_parse(argc, argv, opts, paths, &npaths, 256, repeat)))
        return rc;
    if (want_help) {
        fputs(help, stdout);
        return EXIT_CLEAN;
    }
    if (!out || (!npaths && !n_rules && no_builtin)) {
        fprintf(stderr, "mednec build: need -o KB.mnkb and at least one "
                        "PATH (see mednec build --help)\n");
        return EXIT_USAGE;
    }
    if (fy) {
        char *end = NULL;
        long v = strtol(fy, &end, 10);
        if (!fy[0] || *end || v < 2015 || v > 2100) {
            fprintf(stderr, "mednec build: --icd-fy must be a year such as "
                            "2024\n");
            return EXIT_USAGE;
        }
        bo.icd_fy_override = (int)v;
    }
    bo.no_builtin = no_builtin;
    bo.built = built;
    bo.report = report;
    bo.allow_empty = allow_empty;
    /* the output first: a directory or a device is refused before the
     * build; the temporary file beside it goes away on SIGINT/SIGTERM */
    if ((rc = cli_outfile_open(&kbf, out, NULL, &err)))
        goto fail;
    if ((rc = mn_build_new(&b, &bo, &err)))
        goto fail;
    for (int i = 0; i < n_dates; i++) {
        char pattern[256];
        const char *eq = strrchr(source_dates[i], '=');
        size_t n = (size_t)(eq - source_dates[i]);
        if (n >= sizeof(pattern)) {
            fprintf(stderr, "mednec build: --source-date pattern too long\n");
            exit_code = EXIT_USAGE;
            goto done;
        }
        memcpy(pattern, source_dates[i], n);
        pattern[n] = '\0';
        if ((rc = mn_build_set_source_date(b, pattern, eq + 1, &err))) {
            cli_error("build", &err);
            exit_code = EXIT_USAGE;
            goto done;
        }
    }
    for (int i = 0; i < npaths; i++) {
        if ((rc = mn_build_add_path(b, paths[i], &err)))
            goto fail;
    }
    for (int i = 0; i < n_rules; i++) {
        char *text = NULL;
        size_t len = 0;
        if ((rc = cli_read(&text, &len, rule_files[i], (size_t)16 << 20, &err)))
            goto fail;
        rc = mn_build_add_rules(b, rule_files[i], text, len, &err);
        free(text);
        if (rc)
            goto fail;
    }
    if ((rc = mn_build_to_memory(&bytes, &kb_len, b, &err)) ||
        (rc = mn_outfile_write(kbf, bytes, kb_len, &err)) ||
        (rc = cli_outfile_commit(kbf, &err)))
        goto fail;
    mn_build_get_summary(&sum, b);
    printf("built %s: %zu bytes; %zu files, %zu recognised, %zu "
           "unrecognised; %zu rows loaded, %zu skipped\n",
           out, sum.kb_bytes, sum.files, sum.recognised, sum.unrecognised,
           sum.rows, sum.skipped);
    summary(out);
    exit_code = EXIT_CLEAN;
    goto done;
fail:
    cli_error("build", &err);
    exit_code = cli_exit_for(rc);
done:
    cli_outfile_free(kbf);
    mn_kb_bytes_free(bytes);
    mn_build_free(b);
    return exit_code;
}
