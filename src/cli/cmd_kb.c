/* cmd_kb.c: mednec kb info | diff: what a knowledge base holds, what an
 * update changed. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mednec/kbinfo.h"

static const char *help =
    "usage: mednec kb info [--format text|json] KB.mnkb\n"
    "       mednec kb diff [--format text|json] [--max N] OLD.mnkb "
    "NEW.mnkb\n"
    "\n"
    "info: the sources of a knowledge base, the dates of service each kind\n"
    "covers (ICD-10-CM versions, HCPCS years, MCE versions, MCD download,\n"
    "NCCI quarters, rule packs), what it lacks, its counts and build "
    "stamp.\n"
    "diff: what changed from OLD to NEW: codes added and deleted per code\n"
    "set, policies added, revised (with their code-list changes) and\n"
    "retired, NCCI edits added and deleted. --max N lists at most N items\n"
    "per list (text: 20 by default; json: all; 0: all). Exit 0 when\n"
    "nothing changed, 1 when something did.\n"
    "KB may be 'builtin' for the knowledge base compiled into mednec.\n";

static int open_named(mn_kb **kb, const char *path, mn_error *err)
{
    if (!strcmp(path, "builtin"))
        return mn_kb_open_builtin(kb, err);
    return mn_kb_open(kb, path, err);
}

/* 0, or EXIT_INPUT after saying what could not be written (main flushes
 * and checks standard output at the end). */
static int write_out(mn_buf *buf)
{
    return cli_stdout_write("kb", mn_buf_data(buf), mn_buf_len(buf));
}

int cmd_kb(int argc, char **argv)
{
    const char *format = NULL, *max_s = NULL;
    int want_help = 0;
    const cli_opt opts[] = {
        {"--format", 1, &format, NULL},
        {"--max", 1, &max_s, NULL},
        {"--help", 0, NULL, &want_help},
        {NULL, 0, NULL, NULL},
    };
    const char *args[3];
    int nargs = 0;
    mn_format fmt = MN_FORMAT_TEXT;
    mn_kb *a = NULL;
    mn_kb *b = NULL;
    mn_buf *buf = NULL;
    mn_error err;
    size_t max = 0;
    int rc;
    int exit_code = EXIT_INTERNAL;

    mn_error_clear(&err);
    if ((rc = cli_parse(argc, argv, opts, args, &nargs, 3, NULL)))
        return rc;
    if (want_help) {
        fputs(help, stdout);
        return EXIT_CLEAN;
    }
    if (format && cli_format(format, &fmt)) {
        fprintf(stderr, "mednec kb: --format must be text or json\n");
        return EXIT_USAGE;
    }
    if (nargs < 1 || (strcmp(args[0], "info") && strcmp(args[0], "diff"))) {
        fprintf(stderr, "mednec kb: expected 'info KB' or 'diff OLD NEW' "
                        "(see mednec kb --help)\n");
        return EXIT_USAGE;
    }
    if (!strcmp(args[0], "info") ? nargs != 2 : nargs != 3) {
        fprintf(stderr, "mednec kb %s: expected %s (see mednec kb --help)\n",
                args[0], !strcmp(args[0], "info") ? "one KB" : "OLD and NEW");
        return EXIT_USAGE;
    }
    if (!strcmp(args[0], "info") && max_s) {
        fprintf(stderr, "mednec kb info: --max goes with diff\n");
        return EXIT_USAGE;
    }
    if (max_s) {
        char *end = NULL;
        unsigned long v = strtoul(max_s, &end, 10);
        if (!max_s[0] || *end || max_s[0] == '-' || v > 100000000ul) {
            fprintf(stderr, "mednec kb diff: --max must be a number\n");
            return EXIT_USAGE;
        }
        max = (size_t)v;
    } else if (fmt == MN_FORMAT_TEXT) {
        max = 20;
    }
    if ((rc = open_named(&a, args[1], &err)) ||
        (nargs == 3 && (rc = open_named(&b, args[2], &err)))) {
        cli_error("kb", &err);
        exit_code = cli_exit_for(rc);
        goto done;
    }
    if ((rc = mn_buf_new(&buf, (size_t)1 << 30))) {
        fprintf(stderr, "mednec kb: out of memory\n");
        goto done;
    }
    if (!b) {
        rc = mn_kb_info_render(buf, a, NULL, fmt, &err);
        if (!rc)
            exit_code = write_out(buf);
    } else {
        mn_kb_diff_options o = MN_KB_DIFF_OPTIONS_INIT;
        mn_kb_diff_summary s;
        o.max_items = max;
        rc = mn_kb_diff(&s, buf, a, b, &o, fmt, &err);
        if (!rc) {
            exit_code = write_out(buf);
            if (exit_code == EXIT_CLEAN &&
                (s.icd_added || s.icd_deleted || s.icd_billable_changed ||
                 s.hcpcs_added || s.hcpcs_deleted || s.hcpcs_terminated ||
                 s.hcpcs_coverage_changed || s.modifiers_added ||
                 s.modifiers_deleted || s.policies_added ||
                 s.policies_revised || s.policies_retired || s.ptp_added ||
                 s.ptp_deleted || s.mue_added || s.mue_deleted ||
                 s.mue_changed || s.aoc_added || s.aoc_deleted))
                exit_code = EXIT_FINDINGS;
        }
    }
    if (rc) {
        cli_error("kb", &err);
        exit_code = rc == MN_ENOMEM ? EXIT_INTERNAL : cli_exit_for(rc);
    }
done:
    mn_buf_free(buf);
    mn_kb_free(a);
    mn_kb_free(b);
    return exit_code;
}
