/* main.c: the mednec command: dispatch to the subcommands. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *desc;
} commands[] = {
    {"check", cmd_check, "check a claim (JSON file, stdin, or flags)"},
    {"batch", cmd_batch,
     "check many claims (JSON Lines, X12 837, FHIR, CSV), in parallel"},
    {"report", cmd_report, "an audit report over batch results (HTML)"},
    {"denials", cmd_denials, "denials of an X12 835 remittance"},
    {"build", cmd_build, "compile a knowledge base from official files"},
    {"lookup", cmd_lookup, "policies that govern a code, supporting dx"},
    {"history", cmd_history, "import and count prior services of patients"},
    {"kb", cmd_kb, "what a knowledge base covers; what an update changed"},
    {"abn", cmd_abn, "the ABN (CMS-R-131) for lines that need one"},
    {"letter", cmd_letter, "letter of medical necessity; letter check"},
    {"appeal", cmd_appeal, "request for redetermination of a denied line"},
    {"serve", cmd_serve, "HTTP service: REST, CDS Hooks (CRD), coder page"},
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
    fprintf(f, "usage: mednec <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].desc);
    fprintf(f, "\n  mednec <command> --help   options of a command\n"
               "  mednec --version          version\n");
}

static int run(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        usage(stdout);
        return EXIT_CLEAN;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("mednec %s (knowledge base format %u, contract 1)\n",
               mn_version(), mn_kb_format());
        return EXIT_CLEAN;
    }
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    }
    fprintf(stderr, "mednec: unknown command '%s' (see mednec --help)\n",
            argv[1]);
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    const char *cmd = NULL;
    int rc;

    cli_stdio_init();
    for (size_t i = 0; argc > 1 && i < N_COMMANDS; i++) {
        if (!strcmp(argv[1], commands[i].name))
            cmd = commands[i].name;
    }
    rc = run(argc, argv);
    /* whatever the command printed must have reached stdout */
    return cli_stdout_finish(cmd, rc);
}

int cli_parse(int argc, char **argv, const cli_opt *opts, const char **pos,
              int *npos, int max_pos,
              int (*repeat)(const char *name, const char *value))
{
    int only_pos = 0;
    *npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const cli_opt *o = NULL;
        const char *val = NULL;
        size_t nlen;

        if (only_pos || a[0] != '-' || !strcmp(a, "-")) {
            if (*npos == max_pos) {
                fprintf(stderr, "mednec %s: unexpected argument '%s'\n",
                        argv[0], a);
                return EXIT_USAGE;
            }
            pos[(*npos)++] = a;
            continue;
        }
        if (!strcmp(a, "--")) {
            only_pos = 1;
            continue;
        }
        nlen = strcspn(a, "=");
        for (const cli_opt *k = opts; k->name; k++) {
            if (strlen(k->name) == nlen && !strncmp(k->name, a, nlen))
                o = k;
        }
        if (!o) {
            fprintf(stderr,
                    "mednec %s: unknown option '%.*s' (see mednec %s "
                    "--help)\n",
                    argv[0], (int)nlen, a, argv[0]);
            return EXIT_USAGE;
        }
        if (o->takes_value) {
            if (a[nlen] == '=')
                val = a + nlen + 1;
            else if (i + 1 < argc)
                val = argv[++i];
            else {
                fprintf(stderr, "mednec %s: option %s needs a value\n", argv[0],
                        o->name);
                return EXIT_USAGE;
            }
            if (o->value)
                *o->value = val;
            else if (repeat && repeat(o->name, val))
                return EXIT_USAGE;
        } else {
            if (a[nlen] == '=') {
                fprintf(stderr, "mednec %s: option %s takes no value\n",
                        argv[0], o->name);
                return EXIT_USAGE;
            }
            if (o->flag)
                *o->flag = 1;
        }
    }
    return 0;
}

void cli_error(const char *cmd, const mn_error *err)
{
    char line[700];
    mn_error_format(line, sizeof(line), err);
    fprintf(stderr, "mednec %s: %s\n", cmd, line);
}

int cli_exit_for(int rc)
{
    switch (rc) {
    case MN_OK:
        return EXIT_CLEAN;
    case MN_EINVAL:
    case MN_ELIMIT:
    case MN_ENOTFOUND:
    case MN_EIO:
    case MN_EBADKB:
    case MN_EVERSION:
        return EXIT_INPUT;
    default:
        return EXIT_INTERNAL;
    }
}

int cli_open_kb(mn_kb **out, const char *path, mn_error *err)
{
    const char *env = getenv("MEDNEC_KB");
    struct stat st;

    if (path)
        return mn_kb_open(out, path, err);
    if (env && env[0])
        return mn_kb_open(out, env, err);
#ifdef MN_DEFAULT_KB
    if (stat(MN_DEFAULT_KB, &st) == 0)
        return mn_kb_open(out, MN_DEFAULT_KB, err);
#endif
    (void)st;
    return mn_kb_open_builtin(out, err);
}

void cli_kb_note(const char *cmd, const mn_kb *kb)
{
    mn_kb_info_options o = MN_KB_INFO_OPTIONS_INIT;
    mn_buf *buf = NULL;
    const char *env = getenv("MEDNEC_KB");
    const char *s;

    o.brief = 2;
    fprintf(stderr, "mednec %s: knowledge base %s (%s; version %s, built %s)\n",
            cmd, mn_kb_source(kb),
            env && env[0] ? "from $MEDNEC_KB"
            : strcmp(mn_kb_source(kb), "builtin") == 0
                ? "compiled into mednec; --kb or $MEDNEC_KB names another"
                : "the installed default",
            mn_kb_version(kb), mn_kb_built(kb));
    if (mn_buf_new(&buf, 0) ||
        mn_kb_info_render(buf, kb, &o, MN_FORMAT_TEXT, NULL)) {
        mn_buf_free(buf);
        return;
    }
    /* each line of the summary with the command's prefix */
    for (s = mn_buf_data(buf); *s;) {
        size_t n = strcspn(s, "\n");
        fprintf(stderr, "mednec %s: %.*s\n", cmd, (int)n, s);
        s += n;
        if (*s)
            s++;
    }
    mn_buf_free(buf);
}

int cli_read(char **out, size_t *len, const char *path, size_t max,
             mn_error *err)
{
    FILE *f = NULL;
    char *buf = NULL;
    size_t cap = 65536;
    size_t n = 0;
    int rc = MN_OK;

    *out = NULL;
    *len = 0;
    if (!strcmp(path, "-")) {
        f = stdin;
        path = "standard input";
    } else {
        f = fopen(path, "rb");
        if (!f) {
            snprintf(err->message, sizeof(err->message), "cannot open: %s",
                     strerror(errno));
            snprintf(err->where, sizeof(err->where), "%s", path);
            err->code = MN_EIO;
            return MN_EIO;
        }
    }
    buf = malloc(cap + 1);
    if (!buf) {
        rc = MN_ENOMEM;
        goto done;
    }
    errno = 0;
    for (;;) {
        size_t r;
        if (n == cap) {
            char *nb;
            if (cap > max) {
                snprintf(err->message, sizeof(err->message),
                         "input larger than %zu bytes", max);
                snprintf(err->where, sizeof(err->where), "%s", path);
                err->code = rc = MN_ELIMIT;
                goto done;
            }
            cap *= 2;
            nb = realloc(buf, cap + 1);
            if (!nb) {
                rc = MN_ENOMEM;
                goto done;
            }
            buf = nb;
        }
        r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    if (ferror(f)) {
        snprintf(err->message, sizeof(err->message), "cannot read: %s",
                 strerror(errno ? errno : EIO));
        snprintf(err->where, sizeof(err->where), "%s", path);
        err->code = rc = MN_EIO;
        goto done;
    }
    if (n > max) {
        snprintf(err->message, sizeof(err->message),
                 "input larger than %zu bytes", max);
        snprintf(err->where, sizeof(err->where), "%s", path);
        err->code = rc = MN_ELIMIT;
        goto done;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    buf = NULL;
done:
    if (rc == MN_ENOMEM) {
        snprintf(err->message, sizeof(err->message), "out of memory");
        err->code = MN_ENOMEM;
    }
    free(buf);
    if (f && f != stdin)
        fclose(f);
    return rc;
}

int cli_format(const char *s, mn_format *out)
{
    if (!s || !strcmp(s, "json"))
        *out = MN_FORMAT_JSON;
    else if (!strcmp(s, "text"))
        *out = MN_FORMAT_TEXT;
    else
        return -1;
    return 0;
}

int cli_parse_amount(int64_t *out, const char *s, const char *name,
                     mn_error *err)
{
    int64_t v = 0;
    int digits = 0;
    int dec = -1;

    *out = MN_NO_AMOUNT;
    if (!s)
        return MN_OK;
    for (const char *p = s; *p; p++) {
        if (*p == '.' && dec < 0) {
            dec = 0;
        } else if (*p >= '0' && *p <= '9' && digits < 10 && dec < 2) {
            v = v * 10 + (*p - '0');
            digits++;
            if (dec >= 0)
                dec++;
        } else {
            digits = 0;
            break;
        }
    }
    if (digits == 0 || dec == 0) {
        snprintf(err->message, sizeof(err->message),
                 "%s: expected dollars from 0 to 99999999.99, at most two "
                 "decimals",
                 name);
        return err->code = MN_EINVAL;
    }
    for (dec = dec < 0 ? 0 : dec; dec < 2; dec++)
        v *= 10;
    *out = v; /* the setters check the range */
    return MN_OK;
}
