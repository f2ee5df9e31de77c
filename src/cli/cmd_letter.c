/* cmd_letter.c: mednec letter: a letter of medical necessity from a claim
 * and a facts file; mednec letter check: is a letter complete? */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char *help =
    "usage: mednec letter [--kb FILE] [--history DB] [--docs DIR]\n"
    "                     --facts FILE [--kind lab|imaging|dme|therapy|drug]\n"
    "                     [--line N] [--date YYYY-MM-DD] [--template FILE]\n"
    "                     [--format pdf|html|md|text] -o FILE\n"
    "                     [CLAIM.json | -]\n"
    "       mednec letter check [--kind general|dme] [--format text|json]\n"
    "                     [--docs DIR] FILE\n"
    "\n"
    "letter: checks the claim and writes a letter of medical necessity to\n"
    "the payer for one line (--line, default 1) from the facts file: every\n"
    "element payers check, the governing policy with the covered\n"
    "diagnosis group, for DME the written order and the face-to-face\n"
    "timing. The template is the data's one for the kind (from the code,\n"
    "or --kind) or --template FILE. Missing facts are listed and nothing\n"
    "is written. Exit: 0 written, 2 usage, 3 input error, 4 internal.\n"
    "\n"
    "letter check: reads a letter (text, Markdown, HTML or PDF) and shows\n"
    "each required element present, with its line, or missing. Exit: 0\n"
    "complete, 1 something required is missing, 2 usage, 3 input error.\n";

static int cmd_check_letter(int argc, char **argv)
{
    const char *kind = NULL, *format = NULL, *docs = NULL;
    int want_help = 0;
    const cli_opt opts[] = {
        {"--kind", 1, &kind, NULL}, {"--format", 1, &format, NULL},
        {"--docs", 1, &docs, NULL}, {"--help", 0, NULL, &want_help},
        {NULL, 0, NULL, NULL},
    };
    const char *args[1];
    int nargs = 0;
    int code;
    mn_format fmt;
    mn_docdata *dd = NULL;
    mn_lcheck *chk = NULL;
    mn_lcheck_options lo = MN_LCHECK_OPTIONS_INIT;
    mn_buf *buf = NULL;
    mn_error err;
    char *input = NULL;
    size_t len = 0;
    int rc;
    int saved = -1;

    mn_error_clear(&err);
    if ((code = cli_parse(argc, argv, opts, args, &nargs, 1, NULL)))
        return code;
    if (want_help) {
        fputs(help, stdout);
        return EXIT_CLEAN;
    }
    if (nargs != 1) {
        fprintf(stderr, "mednec letter check: give the letter's file\n");
        return EXIT_USAGE;
    }
    if (cli_format(format, &fmt)) {
        fprintf(stderr, "mednec letter check: --format must be json or "
                        "text\n");
        return EXIT_USAGE;
    }
    if (!format)
        fmt = MN_FORMAT_TEXT;
    if ((code = cli_docdata_open(&dd, "letter check", docs)))
        return code;
    rc = cli_read(&input, &len, args[0], (size_t)16 << 20, &err);
    if (rc) {
        cli_error("letter check", &err);
        code = cli_exit_for(rc);
        goto done;
    }
    lo.kind = kind;
    lo.name = args[0];
    /* poppler writes what it thinks of a broken PDF to stderr: the error
       comes back in err, one line, so its chatter is silenced */
    fflush(stderr);
    saved = dup(2);
    if (saved >= 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, 2);
            close(null);
        }
    }
    rc = mn_letter_check(&chk, dd, input, len, &lo, &err);
    if (saved >= 0) {
        dup2(saved, 2);
        close(saved);
    }
    if (rc) {
        cli_error("letter check", &err);
        code = rc == MN_ENOMEM ? EXIT_INTERNAL : EXIT_INPUT;
        goto done;
    }
    if ((rc = mn_buf_new(&buf, 0)) ||
        (rc = mn_lcheck_render(buf, chk, fmt, &err))) {
        cli_error("letter check", &err);
        code = EXIT_INTERNAL;
        goto done;
    }
    code = cli_stdout_write("letter check", mn_buf_data(buf), mn_buf_len(buf));
    if (!code && fmt == MN_FORMAT_JSON)
        code = cli_stdout_write("letter check", "\n", 1);
    if (!code)
        code = mn_lcheck_missing(chk) ? EXIT_FINDINGS : EXIT_CLEAN;
done:
    free(input);
    mn_buf_free(buf);
    mn_lcheck_free(chk);
    mn_docdata_free(dd);
    return code;
}

int cmd_letter(int argc, char **argv)
{
    const char *kb_path = NULL, *hist_path = NULL, *docs = NULL;
    const char *facts_path = NULL, *format = NULL, *out_path = NULL;
    const char *line = NULL, *tpl_path = NULL;
    int want_help = 0;
    mn_letter_options lo = MN_LETTER_OPTIONS_INIT;
    const cli_opt opts[] = {
        {"--kb", 1, &kb_path, NULL},     {"--history", 1, &hist_path, NULL},
        {"--docs", 1, &docs, NULL},      {"--facts", 1, &facts_path, NULL},
        {"--kind", 1, &lo.kind, NULL},   {"--line", 1, &line, NULL},
        {"--date", 1, &lo.date, NULL},   {"--template", 1, &tpl_path, NULL},
        {"--format", 1, &format, NULL},  {"-o", 1, &out_path, NULL},
        {"--help", 0, NULL, &want_help}, {NULL, 0, NULL, NULL},
    };
    const char *args[1];
    int nargs = 0;
    int code;
    mn_doc_format fmt;
    cli_checked chk;
    mn_docdata *dd = NULL;
    mn_facts *facts = NULL;
    mn_doc *doc = NULL;
    mn_error err;
    char *tpl = NULL;
    size_t tpl_len = 0;

    if (argc > 1 && !strcmp(argv[1], "check"))
        return cmd_check_letter(argc - 1, argv + 1);
    memset(&chk, 0, sizeof(chk));
    mn_error_clear(&err);
    if ((code = cli_parse(argc, argv, opts, args, &nargs, 1, NULL)))
        return code;
    if (want_help) {
        fputs(help, stdout);
        return EXIT_CLEAN;
    }
    if (!facts_path) {
        fprintf(stderr, "mednec letter: give --facts FILE (the clinical "
                        "facts)\n");
        return EXIT_USAGE;
    }
    if ((code = cli_doc_output(&fmt, "letter", format, out_path)) ||
        (line && (code = cli_line_number(&lo.line, "letter", line))))
        return code;
    if (tpl_path) {
        int rc = cli_read(&tpl, &tpl_len, tpl_path, (size_t)1 << 20, &err);
        if (rc) {
            cli_error("letter", &err);
            return cli_exit_for(rc);
        }
        lo.template_text = tpl;
        lo.template_len = tpl_len;
        lo.template_name = tpl_path;
    }
    if ((code = cli_docdata_open(&dd, "letter", docs)) ||
        (code = cli_facts_open(&facts, "letter", facts_path)) ||
        (code = cli_checked_open(&chk, "letter", nargs ? args[0] : "-", kb_path,
                                 hist_path)))
        goto done;
    if (mn_letter_new(&doc, dd, chk.res, facts, &lo, &err)) {
        cli_error("letter", &err);
        code = err.code == MN_ENOMEM ? EXIT_INTERNAL : EXIT_INPUT;
        goto done;
    }
    {
        const char *in[3] = {nargs ? args[0] : "-", facts_path, tpl_path};
        code = cli_doc_write("letter", doc, fmt, out_path, in, 3);
    }
done:
    free(tpl);
    mn_doc_free(doc);
    mn_facts_free(facts);
    mn_docdata_free(dd);
    cli_checked_close(&chk);
    return code;
}
