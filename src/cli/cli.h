/* cli.h: shared by the mednec subcommands (front end only). */
#ifndef MN_CLI_H
#define MN_CLI_H

#include <stdio.h>

#include "mednec.h"

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
/* Reads a file ("-" for stdin), at most `max` bytes. */
int cli_read(char **out, size_t *len, const char *path, size_t max,
             mn_error *err);
int cli_format(const char *s, mn_format *out);

int cmd_check(int argc, char **argv);
int cmd_batch(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_lookup(int argc, char **argv);
int cmd_history(int argc, char **argv);
/* src/server/serve_main.c */
int cmd_serve(int argc, char **argv);

#endif
