/* cmd_history.c: mednec history: import prior services, count them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mednec/history.h"

#define CHUNK ((size_t)1 << 20)
#define MAX_SKIP_SHOWN 100

static const char *help =
    "usage: mednec history import [--db FILE] [--record [--kb FILE]]\n"
    "                             [--skip-invalid] [--batch N] [--quiet]\n"
    "                             FILE | -\n"
    "       mednec history stats [--db FILE] [--format text|json]\n"
    "\n"
    "The history store holds every patient's prior services, for frequency\n"
    "edits. `import` reads claims in the contract JSON, one per line (JSON\n"
    "Lines), and stores each line as a service of the claim's patient.\n"
    "Importing a claim again replaces it; nothing is counted twice. Claims\n"
    "without patient.id are skipped and listed by line number.\n"
    "\n"
    "  --db FILE        the store (default $MEDNEC_HISTORY, else\n"
    "                   ./mednec-history.db); created when missing\n"
    "  --record         check each claim and store each line's status\n"
    "  --kb FILE        knowledge base for --record\n"
    "  --skip-invalid   skip malformed claims (listed) instead of stopping\n"
    "  --batch N        services per transaction (default 10000)\n"
    "  --quiet          no summary, no list of skipped claims\n"
    "\n"
    "`stats` prints counts only. Exit: 0 done, 2 usage, 3 input error (the\n"
    "claims before the failing line are imported), 4 internal error.\n";

/* Front-end state for the skip callback (file-static is allowed here). */
static const char *skip_file;
static int skip_quiet;
static size_t skip_shown;

static void on_skip(void *payload, size_t line, const char *reason)
{
    (void)payload;
    if (skip_quiet)
        return;
    if (skip_shown < MAX_SKIP_SHOWN)
        fprintf(stderr, "mednec history: %s:%zu: skipped: %s\n", skip_file,
                line, reason);
    skip_shown++;
}

static const char *db_path(const char *given)
{
    const char *env = getenv("MEDNEC_HISTORY");

    if (given)
        return given;
    if (env && env[0])
        return env;
    return "mednec-history.db";
}

/* Prints an import error as "mednec history: FILE:LINE[:COL]: message". */
static void import_error(const char *file, const mn_error *err)
{
    if (err->line && err->column)
        fprintf(stderr, "mednec history: %s:%zu:%zu: %s\n", file, err->line,
                err->column, err->message);
    else if (err->line)
        fprintf(stderr, "mednec history: %s:%zu: %s\n", file, err->line,
                err->message);
    else
        cli_error("history", err);
}

static void summary(const mn_history_import_stats *s)
{
    printf("claims %zu: %zu added, %zu replaced, %zu unchanged, %zu "
           "skipped\n",
           s->claims, s->claims_added, s->claims_replaced, s->claims_unchanged,
           s->skipped);
    printf("services %zu added, %zu removed; %zu lines without a date\n",
           s->services_added, s->services_removed, s->lines_undated);
    if (s->skipped)
        printf("skipped %zu without patient.id, %zu invalid\n",
               s->skipped_no_patient, s->skipped_invalid);
    printf("committed through line %zu of %zu (%zu transactions)\n",
           s->committed_line, s->lines, s->commits);
}

static int parse_batch(const char *s, size_t *out)
{
    char *end = NULL;
    unsigned long v;

    if (!s)
        return 0;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (!s[0] || *end || errno || v < 1 || v > 100000000) {
        fprintf(stderr, "mednec history: --batch must be a number from 1 "
                        "to 100000000\n");
        return -1;
    }
    *out = v;
    return 0;
}

static int cmd_import(int argc, char **argv)
{
    const char *db = NULL, *kb_path = NULL, *batch = NULL;
    int record = 0, skip_invalid = 0, quiet = 0, want_help = 0;
    const cli_opt opts[] = {
        {"--db", 1, &db, NULL},
        {"--kb", 1, &kb_path, NULL},
        {"--record", 0, NULL, &record},
        {"--skip-invalid", 0, NULL, &skip_invalid},
        {"--batch", 1, &batch, NULL},
        {"--quiet", 0, NULL, &quiet},
        {"--help", 0, NULL, &want_help},
        {NULL, 0, NULL, NULL},
    };
    const char *args[1];
    int nargs = 0;
    mn_history_import_options io = MN_HISTORY_IMPORT_OPTIONS_INIT;
    mn_history_import_stats st;
    mn_history *h = NULL;
    mn_history_importer *imp = NULL;
    mn_kb *kb = NULL;
    mn_error err;
    FILE *in = NULL;
    char *chunk = NULL;
    const char *file;
    int read_errno = 0;
    int rc;
    int exit_code = EXIT_INTERNAL;

    mn_error_clear(&err);
    memset(&st, 0, sizeof(st));
    if ((rc = cli_parse(argc, argv, opts, args, &nargs, 1, NULL)))
        return rc;
    if (want_help) {
        fputs(help, stdout);
        return EXIT_CLEAN;
    }
    if (nargs != 1) {
        fprintf(stderr, "mednec history import: give a JSON Lines file or "
                        "- for stdin\n");
        return EXIT_USAGE;
    }
    if (kb_path && !record) {
        fprintf(stderr, "mednec history import: --kb goes with --record\n");
        return EXIT_USAGE;
    }
    if (parse_batch(batch, &io.batch))
        return EXIT_USAGE;
    file = strcmp(args[0], "-") ? args[0] : "stdin";
    skip_file = file;
    skip_quiet = quiet;
    skip_shown = 0;
    io.skip_invalid = skip_invalid;
    io.skip = on_skip;

    if (!strcmp(args[0], "-")) {
        in = stdin;
    } else if (!(in = fopen(args[0], "rb"))) {
        fprintf(stderr, "mednec history: %s: cannot open: %s\n", args[0],
                strerror(errno));
        exit_code = EXIT_INPUT;
        goto done;
    }
    chunk = malloc(CHUNK);
    if (!chunk) {
        fprintf(stderr, "mednec history: out of memory\n");
        goto done;
    }
    if (record) {
        if ((rc = cli_open_kb(&kb, kb_path, &err))) {
            cli_error("history", &err);
            exit_code = cli_exit_for(rc);
            goto done;
        }
        io.record = 1;
        io.kb = kb;
    }
    if ((rc = mn_history_open(&h, db_path(db), NULL, &err)) ||
        (rc = mn_history_importer_new(&imp, h, &io, &err))) {
        cli_error("history", &err);
        exit_code = cli_exit_for(rc);
        goto done;
    }
    for (;;) {
        size_t n;
        errno = 0;
        n = fread(chunk, 1, CHUNK, in);
        read_errno = errno;
        if (n && (rc = mn_history_importer_feed(imp, chunk, n, &err)))
            break;
        if (n < CHUNK)
            break;
    }
    if (rc == MN_OK && ferror(in)) {
        cli_sys_error("history", in == stdin ? "standard input" : file,
                      "cannot read", read_errno ? read_errno : EIO);
        exit_code = EXIT_INPUT;
        mn_history_importer_get_stats(&st, imp);
        goto report;
    }
    if (rc == MN_OK)
        rc = mn_history_importer_finish(imp, &err);
    mn_history_importer_get_stats(&st, imp);
    if (rc) {
        import_error(file, &err);
        exit_code = cli_exit_for(rc);
    } else {
        exit_code = EXIT_CLEAN;
    }
report:
    if (!quiet)
        summary(&st);
    if (skip_shown > MAX_SKIP_SHOWN)
        fprintf(stderr, "mednec history: %s: %zu more claims skipped\n", file,
                skip_shown - MAX_SKIP_SHOWN);
    else if (quiet && st.skipped)
        fprintf(stderr, "mednec history: %s: %zu claims skipped\n", file,
                st.skipped);
done:
    mn_history_importer_free(imp);
    mn_history_free(h);
    mn_kb_free(kb);
    free(chunk);
    if (in && in != stdin)
        fclose(in);
    return exit_code;
}

static int cmd_stats(int argc, char **argv)
{
    const char *db = NULL, *format = NULL;
    int want_help = 0;
    const cli_opt opts[] = {
        {"--db", 1, &db, NULL},
        {"--format", 1, &format, NULL},
        {"--help", 0, NULL, &want_help},
        {NULL, 0, NULL, NULL},
    };
    const char *args[1];
    int nargs = 0;
    mn_history_options ho = MN_HISTORY_OPTIONS_INIT;
    mn_history_stats st;
    mn_history *h = NULL;
    mn_error err;
    mn_format fmt;
    int rc;
    int exit_code;

    mn_error_clear(&err);
    if ((rc = cli_parse(argc, argv, opts, args, &nargs, 0, NULL)))
        return rc;
    if (want_help) {
        fputs(help, stdout);
        return EXIT_CLEAN;
    }
    if (cli_format(format, &fmt)) {
        fprintf(stderr, "mednec history stats: --format must be json or "
                        "text\n");
        return EXIT_USAGE;
    }
    if (!format)
        fmt = MN_FORMAT_TEXT;
    ho.read_only = 1;
    if ((rc = mn_history_open(&h, db_path(db), &ho, &err)) ||
        (rc = mn_history_get_stats(&st, h, &err))) {
        cli_error("history", &err);
        exit_code = cli_exit_for(rc);
        goto done;
    }
    if (fmt == MN_FORMAT_JSON)
        printf("{\"schema\":%d,\"claims\":%zu,\"services\":%zu,"
               "\"patients\":%zu,\"recorded\":%zu,\"imports\":%zu}\n",
               st.schema, st.claims, st.services, st.patients, st.recorded,
               st.imports);
    else
        printf("schema    %d\nclaims    %zu\nservices  %zu\npatients  %zu\n"
               "recorded  %zu\nimports   %zu\n",
               st.schema, st.claims, st.services, st.patients, st.recorded,
               st.imports);
    exit_code = EXIT_CLEAN;
done:
    mn_history_free(h);
    return exit_code;
}

int cmd_history(int argc, char **argv)
{
    static char import_name[] = "history import";
    static char stats_name[] = "history stats";
    int exit_code = EXIT_USAGE;

    if (argc < 2) {
        fputs(help, stderr);
    } else if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
               !strcmp(argv[1], "help")) {
        fputs(help, stdout);
        exit_code = EXIT_CLEAN;
    } else if (!strcmp(argv[1], "import")) {
        argv[1] = import_name;
        exit_code = cmd_import(argc - 1, argv + 1);
    } else if (!strcmp(argv[1], "stats")) {
        argv[1] = stats_name;
        exit_code = cmd_stats(argc - 1, argv + 1);
    } else {
        fprintf(stderr,
                "mednec history: unknown subcommand '%s' (import, stats)\n",
                argv[1]);
    }
    return exit_code;
}
