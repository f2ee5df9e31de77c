/*
 * cmd_report.c: mednec report: an audit report over the results of
 * `mednec batch` (JSON Lines, full or brief), as one HTML page or JSON.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *help =
    "usage: mednec report [--json] [--title TEXT] [--top N]\n"
    "                     [--min-provider-lines N] [-o OUT] [RESULTS | -]\n"
    "\n"
    "Reads the results of `mednec batch` (JSON Lines, --detail full or\n"
    "brief; stdin with no file or -) and writes an audit report: totals,\n"
    "denial rate, denials by edit, policy, CARC and code, the code-diagnosis\n"
    "pairs most often not supported, the trend by month, providers with\n"
    "their rates and outliers, charges at risk. One self-contained HTML\n"
    "page (inline SVG, prints on letter paper) to OUT or stdout; --json\n"
    "gives the same figures as JSON. --top: rows per table (default 25);\n"
    "--min-provider-lines: providers with fewer lines are left out of the\n"
    "outlier test (default 20).\n"
    "Exit: 0 written, 2 usage, 3 an input line that is not a result (the\n"
    "report is written and says how many), 4 internal error.\n";

static int number(const char *opt, const char *s, size_t *out)
{
    char *end = NULL;
    long long v = strtoll(s, &end, 10);

    if (!s[0] || *end || v < 1 || v > 1000000) {
        fprintf(stderr, "mednec report: %s: expected 1 to 1000000\n", opt);
        return EXIT_USAGE;
    }
    *out = (size_t)v;
    return 0;
}

int cmd_report(int argc, char **argv)
{
    const char *out_path = NULL, *title = NULL, *top_s = NULL, *min_s = NULL;
    int want_help = 0, json = 0;
    const cli_opt opts[] = {
        {"--json", 0, NULL, &json},
        {"--title", 1, &title, NULL},
        {"--top", 1, &top_s, NULL},
        {"--min-provider-lines", 1, &min_s, NULL},
        {"-o", 1, &out_path, NULL},
        {"--output", 1, &out_path, NULL},
        {"--help", 0, NULL, &want_help},
        {NULL, 0, NULL, NULL},
    };
    const char *args[1];
    int nargs = 0;
    mn_report_options ro = MN_REPORT_OPTIONS_INIT;
    mn_report *rep = NULL;
    mn_outfile *out = NULL;
    mn_outfile_options oo = MN_OUTFILE_OPTIONS_INIT;
    mn_buf *buf = NULL;
    mn_error err;
    FILE *in = NULL;
    const char *in_name = "standard input";
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    size_t line_no = 0;
    size_t bad = 0;
    int exit_code = EXIT_INTERNAL;
    int rc;
    int in_fd;

    if ((rc = cli_parse(argc, argv, opts, args, &nargs, 1, NULL)))
        return rc;
    if (want_help) {
        fputs(help, stdout);
        return cli_stdout_finish("report", EXIT_CLEAN);
    }
    if ((top_s && number("--top", top_s, &ro.top)) ||
        (min_s &&
         number("--min-provider-lines", min_s, &ro.min_provider_lines)))
        return EXIT_USAGE;
    ro.title = title;
    if (nargs && strcmp(args[0], "-") != 0) {
        in_name = args[0];
        in = fopen(args[0], "rb");
        if (!in) {
            cli_sys_error("report", args[0], "cannot open", errno);
            return EXIT_INPUT;
        }
        ro.source = args[0];
    } else {
        in = stdin;
    }
    if ((rc = mn_report_new(&rep, &ro, &err))) {
        cli_error("report", &err);
        goto done;
    }
    if (mn_buf_new(&buf, 0)) {
        fprintf(stderr, "mednec report: out of memory\n");
        goto done;
    }
    oo.allow_special = 1;
    in_fd = fileno(in);
    oo.inputs = &in_fd;
    oo.n_inputs = 1;
    if (out_path && (rc = cli_outfile_open(&out, out_path, &oo, &err))) {
        cli_error("report", &err);
        exit_code = cli_exit_for(rc);
        goto done;
    }
    while ((n = getline(&line, &cap, in)) >= 0) {
        size_t len = (size_t)n;
        line_no++;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        if (!len)
            continue;
        rc = mn_report_add_json(rep, line, len, &err);
        if (rc == MN_ENOMEM) {
            cli_error("report", &err);
            goto done;
        }
        if (rc && bad++ < 5)
            /* the position only: a result line may hold claim data */
            fprintf(stderr, "mednec report: %s: line %zu: %s\n", in_name,
                    line_no, err.message);
    }
    if (ferror(in)) {
        cli_sys_error("report", in_name, "cannot read", errno ? errno : EIO);
        exit_code = EXIT_INPUT;
        goto done;
    }
    rc = json ? mn_report_write_json(buf, rep, &err)
              : mn_report_write_html(buf, rep, &err);
    if (rc) {
        cli_error("report", &err);
        goto done;
    }
    if (out) {
        if ((rc = mn_outfile_write(out, mn_buf_data(buf), mn_buf_len(buf),
                                   &err)) ||
            (rc = cli_outfile_commit(out, &err))) {
            cli_error("report", &err);
            exit_code = cli_exit_for(rc);
            goto done;
        }
    } else if (cli_stdout_write("report", mn_buf_data(buf), mn_buf_len(buf))) {
        exit_code = EXIT_INPUT;
        goto done;
    }
    if (bad > 5)
        fprintf(stderr, "mednec report: %zu more lines that are not results\n",
                bad - 5);
    exit_code = bad ? EXIT_INPUT : EXIT_CLEAN;
    if (!out)
        exit_code = cli_stdout_finish("report", exit_code);
done:
    free(line);
    if (in && in != stdin)
        fclose(in);
    cli_outfile_free(out);
    mn_buf_free(buf);
    mn_report_free(rep);
    return exit_code;
}
