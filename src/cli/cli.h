/* cli.h: shared by the mednec subcommands (front end only). */
#ifndef MN_CLI_H
#define MN_CLI_H

#include <stdio.h>

#include "mednec.h"
#include "mednec/kbinfo.h"

/* Exit codes (contract section 1). */
enum {
    EXIT_CLEAN = 0,    /* every line covered */
    EXIT_FINDINGS = 1, /* some line is not covered */
    EXIT_USAGE = 2,
    EXIT_INPUT = 3,
    EXIT_INTERNAL = 4
};

typedef struct cli_opt {
    const char *name; /* "--kb" */
    int takes_value;
    const char **value; /* where the value goes (last wins) */
    int *flag;          /* set to 1 when present (no value) */
} cli_opt;

/* Parses argv[1..]; options may appear anywhere; "--" ends them.
 * Positional arguments are collected in pos/npos. `repeat` is called for
 * options whose value pointer is NULL (repeatable options). Returns 0, or
 * prints a usage error and returns EXIT_USAGE. */
int cli_parse(int argc, char **argv, const cli_opt *opts, const char **pos,
              int *npos, int max_pos,
              int (*repeat)(const char *name, const char *value));

/* Prints "mednec: <err>" on one line. */
void cli_error(const char *cmd, const mn_error *err);
/* Maps a library error to an exit code. */
int cli_exit_for(int rc);
/* Opens the knowledge base: --kb, $MEDNEC_KB, the installed default, or
 * the built-in one. */
int cli_open_kb(mn_kb **out, const char *path, mn_error *err);
/* Reads a file ("-" for stdin), at most `max` bytes. Errors name the
 * file ("standard input" for "-") and the system's reason. */
int cli_read(char **out, size_t *len, const char *path, size_t max,
             mn_error *err);
int cli_format(const char *s, mn_format *out);
/* Says on stderr which KB a command uses when none was named with --kb:
 * where it came from, what it holds and what it lacks. */
void cli_kb_note(const char *cmd, const mn_kb *kb);
/* Dollars with at most two decimals ("125", "125.5", "125.50") as cents;
 * MN_NO_AMOUNT when `s` is NULL. MN_EINVAL names `name`. */
int cli_parse_amount(int64_t *out, const char *s, const char *name,
                     mn_error *err);

/* Documents (docs.c). */

/* A claim checked for a document command: the KB, the claim, its result.
 * cli_checked_close releases all of it. */
typedef struct cli_checked {
    mn_kb *kb;
    mn_claim *claim;
    mn_ctx *ctx;
    mn_history *hist;
    const mn_result *res;
} cli_checked;
/* Reads the claim at `path` ("-": stdin), opens the KB and the history
 * store (NULL: $MEDNEC_HISTORY or none) and checks it. Prints the error
 * as `cmd` and returns an exit code (0 on success). */
int cli_checked_open(cli_checked *c, const char *cmd, const char *path,
                     const char *kb_path, const char *hist_path);
void cli_checked_close(cli_checked *c);
/* Opens the document data (--docs DIR, else $MEDNEC_DOCS, else built-in
 * only); prints the error and returns an exit code (0 on success). */
int cli_docdata_open(mn_docdata **out, const char *cmd, const char *dir);
/* Reads and parses a facts file (NULL: none); prints the error and
 * returns an exit code (0 on success). */
int cli_facts_open(mn_facts **out, const char *cmd, const char *path);
/* The output format: -o is required; --format, else the extension of
 * `out_path`, else PDF. Prints the usage error as `cmd` and returns
 * EXIT_USAGE, or 0. */
int cli_doc_output(mn_doc_format *out, const char *cmd, const char *format,
                   const char *out_path);
/* A --line value: 1 to 10,000. Prints the usage error as `cmd` and
 * returns EXIT_USAGE, or 0. */
int cli_line_number(size_t *out, const char *cmd, const char *text);
/* Renders `doc` and writes it to `path` ("-": stdout) through an output
 * file (a temporary file renamed into place, mode 0600), so a failure
 * leaves no partial file; `inputs` (paths, "-" skipped) may not be
 * overwritten. Prints warnings and errors; returns an exit code. */
int cli_doc_write(const char *cmd, const mn_doc *doc, mn_doc_format fmt,
                  const char *path, const char *const *inputs, size_t n_inputs);

/*
 * Standard streams and output files (output.c). Exit codes of writes: a
 * file or stream the user named that cannot be written (full disk, closed
 * stdout) is EXIT_INPUT.
 */
/* First thing in main: reserves closed descriptors 0-2 and puts standard
 * output behind a stream that remembers why a write failed. */
void cli_stdio_init(void);
/* Prints "mednec CMD: WHERE: WHAT: <strerror(errnum)>" (cmd may be NULL). */
void cli_sys_error(const char *cmd, const char *where, const char *what,
                   int errnum);
/* Writes to standard output; 0, or EXIT_INPUT after saying why it could
 * not (once). */
int cli_stdout_write(const char *cmd, const void *data, size_t len);
/* Flushes standard output at the end of a command: `exit_code`, or
 * EXIT_INPUT (when it was below) after saying why a write failed. */
int cli_stdout_finish(const char *cmd, int exit_code);
/* mn_outfile_open/commit/free whose temporary file a SIGINT, SIGTERM or
 * SIGHUP removes before the command dies of the signal. One at a time. */
int cli_outfile_open(mn_outfile **out, const char *path,
                     const mn_outfile_options *opts, mn_error *err);
int cli_outfile_commit(mn_outfile *f, mn_error *err);
void cli_outfile_free(mn_outfile *f);

int cmd_check(int argc, char **argv);
int cmd_batch(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_lookup(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_denials(int argc, char **argv);
int cmd_kb(int argc, char **argv);
int cmd_abn(int argc, char **argv);
int cmd_letter(int argc, char **argv);
int cmd_appeal(int argc, char **argv);
/* src/server/serve_main.c */
int cmd_serve(int argc, char **argv);

#endif
