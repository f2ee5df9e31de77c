/* docs.c: what the document commands (abn, letter, appeal) share. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cli_checked_open(cli_checked *c, const char *cmd, const char *path,
                     const char *kb_path, const char *hist_path)
{
    mn_error err;
    char *input = NULL;
    size_t len = 0;
    int rc;
    mn_history_source hsrc;
    mn_check_options copts = MN_CHECK_OPTIONS_INIT;

    memset(c, 0, sizeof(*c));
    mn_error_clear(&err);
    rc = cli_read(&input, &len, path ? path : "-", (size_t)4 << 20, &err);
    if (!rc)
        rc = mn_claim_parse_json(&c->claim, input, len, NULL, &err);
    if (rc && !err.where[0] && path)
        snprintf(err.where, sizeof(err.where), "%s", path);
    free(input);
    if (!rc)
        rc = cli_open_kb(&c->kb, kb_path, &err);
    if (!rc && !hist_path && getenv("MEDNEC_HISTORY") &&
        getenv("MEDNEC_HISTORY")[0])
        hist_path = getenv("MEDNEC_HISTORY");
    if (!rc && hist_path) {
        mn_history_options ho = MN_HISTORY_OPTIONS_INIT;
        ho.read_only = 1;
        rc = mn_history_open(&c->hist, hist_path, &ho, &err);
        if (!rc) {
            mn_history_source_of(&hsrc, c->hist);
            copts.history = &hsrc;
        }
    }
    if (!rc)
        rc = mn_ctx_new(&c->ctx, 0, &err);
    if (!rc)
        rc = mn_check_with(&c->res, c->ctx, c->kb, c->claim, &copts, &err);
    if (rc) {
        cli_error(cmd, &err);
        cli_checked_close(c);
        return rc == MN_ENOMEM ? EXIT_INTERNAL : cli_exit_for(rc);
    }
    return 0;
}

void cli_checked_close(cli_checked *c)
{
    mn_ctx_free(c->ctx);
    mn_history_free(c->hist);
    mn_claim_free(c->claim);
    mn_kb_free(c->kb);
    memset(c, 0, sizeof(*c));
}

int cli_docdata_open(mn_docdata **out, const char *cmd, const char *dir)
{
    mn_error err;
    int rc;

    mn_error_clear(&err);
    if (!dir && getenv("MEDNEC_DOCS") && getenv("MEDNEC_DOCS")[0])
        dir = getenv("MEDNEC_DOCS");
    rc = mn_docdata_open(out, dir, &err);
    if (rc) {
        cli_error(cmd, &err);
        return rc == MN_ENOMEM ? EXIT_INTERNAL : EXIT_INPUT;
    }
    return 0;
}

int cli_facts_open(mn_facts **out, const char *cmd, const char *path)
{
    mn_error err;
    char *input = NULL;
    size_t len = 0;
    int rc;

    *out = NULL;
    if (!path)
        return 0;
    mn_error_clear(&err);
    rc = cli_read(&input, &len, path, (size_t)1 << 20, &err);
    if (!rc) {
        rc = mn_facts_parse_json(out, input, len, &err);
        if (rc) {
            /* "facts.json:3:7: ..." or "facts.json: patient.name: ..." */
            char where[256];
            if (err.where[0] && strcmp(err.where, path) != 0)
                snprintf(where, sizeof(where), "%s", err.where);
            else
                where[0] = '\0';
            if (where[0]) {
                char msg[256];
                snprintf(msg, sizeof(msg), "%.100s: %.150s", where,
                         err.message);
                snprintf(err.message, sizeof(err.message), "%s", msg);
            }
            snprintf(err.where, sizeof(err.where), "%s", path);
        }
    }
    free(input);
    if (rc) {
        cli_error(cmd, &err);
        return rc == MN_ENOMEM ? EXIT_INTERNAL : EXIT_INPUT;
    }
    return 0;
}

int cli_doc_output(mn_doc_format *out, const char *cmd, const char *format,
                   const char *out_path)
{
    const char *dot;

    if (!out_path) {
        fprintf(stderr, "mednec %s: give -o FILE (or -o - for stdout)\n", cmd);
        return EXIT_USAGE;
    }
    if (format) {
        if (mn_doc_format_parse(out, format) == 0)
            return 0;
        fprintf(stderr, "mednec %s: --format must be pdf, html, md or text\n",
                cmd);
        return EXIT_USAGE;
    }
    *out = MN_DOC_PDF;
    dot = strrchr(out_path, '.');
    if (dot && !strchr(dot, '/') && mn_doc_format_parse(out, dot + 1) != 0)
        *out = MN_DOC_PDF;
    return 0;
}

int cli_line_number(size_t *out, const char *cmd, const char *text)
{
    char *end = NULL;
    unsigned long l = strtoul(text, &end, 10);

    if (!text[0] || *end || l < 1 || l > 10000) {
        fprintf(stderr, "mednec %s: --line: expected a line number from 1\n",
                cmd);
        return EXIT_USAGE;
    }
    *out = (size_t)l;
    return 0;
}

int cli_doc_write(const char *cmd, const mn_doc *doc, mn_doc_format fmt,
                  const char *path, const char *const *inputs, size_t n_inputs)
{
    mn_buf *buf = NULL;
    mn_error err;
    mn_outfile *f = NULL;
    mn_outfile_options oo = MN_OUTFILE_OPTIONS_INIT;
    int fds[4];
    size_t n_fds = 0;
    size_t pages = 0;
    int rc;
    int code = 0;

    mn_error_clear(&err);
    if ((rc = mn_buf_new(&buf, 0))) {
        fprintf(stderr, "mednec %s: out of memory\n", cmd);
        return EXIT_INTERNAL;
    }
    /* the whole document first: a refusal or an error writes nothing */
    rc = mn_doc_render(buf, doc, fmt, &pages, &err);
    if (rc) {
        cli_error(cmd, &err);
        code = rc == MN_ENOMEM || rc == MN_ERROR ? EXIT_INTERNAL : EXIT_INPUT;
        goto done;
    }
    for (size_t i = 0; i < mn_doc_warning_count(doc); i++)
        fprintf(stderr, "mednec %s: warning: %s\n", cmd,
                mn_doc_warning(doc, i));
    if (strcmp(path, "-") == 0) {
        code = cli_stdout_write(cmd, mn_buf_data(buf), mn_buf_len(buf));
        goto done;
    }
    /* never over an input (the claim, the facts), under any name */
    for (size_t i = 0; i < n_inputs && n_fds < 4; i++) {
        int fd;
        if (!inputs[i] || !strcmp(inputs[i], "-"))
            continue;
        fd = open(inputs[i], O_RDONLY | O_CLOEXEC);
        if (fd >= 0)
            fds[n_fds++] = fd;
    }
    oo.inputs = fds;
    oo.n_inputs = n_fds;
    /* a patient's document: readable by its owner only */
    oo.mode = 0600;
    if ((rc = cli_outfile_open(&f, path, &oo, &err)) ||
        (rc = mn_outfile_write(f, mn_buf_data(buf), mn_buf_len(buf), &err)) ||
        (rc = cli_outfile_commit(f, &err))) {
        cli_error(cmd, &err);
        code = rc == MN_ENOMEM ? EXIT_INTERNAL : EXIT_INPUT;
    }
done:
    cli_outfile_free(f);
    for (size_t i = 0; i < n_fds; i++)
        close(fds[i]);
    mn_buf_free(buf);
    return code;
}
