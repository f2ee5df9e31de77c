/* cmd_lookup.c: mednec lookup: what governs a code. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *help =
    "usage: mednec lookup --code C [--jurisdiction J] [--date YYYY-MM-DD]\n"
    "                     [--max-dx N] [--kb FILE] [--format json|text]\n"
    "\n"
    "Lists the NCDs, LCDs and billing-and-coding articles that govern a\n"
    "procedure code, with their diagnosis groups and covered diagnoses.\n";

int cmd_lookup(int argc, char **argv)
{
    const char *kb_path = NULL, *format = NULL, *code = NULL, *jur = NULL;
    const char *date = NULL, *max_dx = NULL;
    int want_help = 0;
    const cli_opt opts[] = {
        {"--kb", 1, &kb_path, NULL},     {"--format", 1, &format, NULL},
        {"--code", 1, &code, NULL},      {"--jurisdiction", 1, &jur, NULL},
        {"--date", 1, &date, NULL},      {"--max-dx", 1, &max_dx, NULL},
        {"--help", 0, NULL, &want_help}, {NULL, 0, NULL, NULL},
    };
    const char *args[1];
    int nargs = 0;
    mn_lookup_options lo = MN_LOOKUP_OPTIONS_INIT;
    mn_kb *kb = NULL;
    mn_buf *buf = NULL;
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
    if (!code) {
        fprintf(stderr, "mednec lookup: --code is required\n");
        return EXIT_USAGE;
    }
    if (cli_format(format, &fmt)) {
        fprintf(stderr, "mednec lookup: --format must be json or text\n");
        return EXIT_USAGE;
    }
    if (max_dx) {
        char *end = NULL;
        unsigned long v = strtoul(max_dx, &end, 10);
        if (!max_dx[0] || *end || v > 1000000) {
            fprintf(stderr, "mednec lookup: --max-dx must be a number\n");
            return EXIT_USAGE;
        }
        lo.max_dx = v;
    } else {
        lo.max_dx = fmt == MN_FORMAT_TEXT ? 25 : 0;
    }
    lo.jurisdiction = jur;
    lo.date = date;
    if ((rc = cli_open_kb(&kb, kb_path, &err)) ||
        (rc = mn_buf_new(&buf, (size_t)256 << 20)) ||
        (rc = mn_lookup(buf, kb, code, &lo, fmt, &err))) {
        cli_error("lookup", &err);
        exit_code = cli_exit_for(rc);
        if (rc == MN_EINVAL && !kb)
            exit_code = EXIT_INPUT;
        goto done;
    }
    exit_code = cli_stdout_write("lookup", mn_buf_data(buf), mn_buf_len(buf));
    if (!exit_code && fmt == MN_FORMAT_JSON)
        exit_code = cli_stdout_write("lookup", "\n", 1);
done:
    mn_buf_free(buf);
    mn_kb_free(kb);
    return exit_code;
}
