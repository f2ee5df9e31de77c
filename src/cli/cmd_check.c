/* cmd_check.c: mednec check: one claim, from JSON or from flags. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *help =
    "usage: mednec check [--kb FILE] [--format json|text] [CLAIM.json | -]\n"
    "       mednec check --code C [--modifier M]... [--units N]\n"
    "                    --dx D[,D...] [--dob YYYY-MM-DD | --age N]\n"
    "                    [--sex M|F|U] [--date YYYY-MM-DD] [--jurisdiction J]\n"
    "                    [--pos NN] [--payer medicare|medicaid|NAME]\n"
    "                    [--claim-type professional|institutional|dme]\n"
    "                    [--charge DOLLARS] [--allowed DOLLARS]\n"
    "       common: [--history DB] (the history store for frequency rules;\n"
    "               default $MEDNEC_HISTORY when set)\n"
    "\n"
    "Checks every line of a claim and prints the result (contract JSON by\n"
    "default). With no file and no --code, reads the claim from stdin.\n"
    "Exit: 0 all lines covered, 1 some line not covered, 2 usage, 3 input\n"
    "error, 4 internal error.\n";

#define MAX_MODS 8
static const char *mods[MAX_MODS];
static int n_mods;

static int repeat(const char *name, const char *value)
{
    if (!strcmp(name, "--modifier")) {
        if (n_mods == MAX_MODS) {
            fprintf(stderr, "mednec check: at most %d modifiers\n", MAX_MODS);
            return 1;
        }
        mods[n_mods++] = value;
    }
    return 0;
}

/* The flag form's values, NULL when not given. */
typedef struct flags {
    const char *code, *units, *dx, *dob, *age, *sex, *date, *jur, *pos;
    const char *payer, *claim_type, *charge, *allowed;
} flags;

static int from_flags(mn_claim **out, const flags *f, mn_error *err)
{
    mn_claim *c = NULL;
    int rc;
    int line;
    unsigned long u = 1;
    int64_t charge;
    int64_t allowed;

    *out = NULL;
    if ((rc = mn_claim_new(&c, NULL, err)))
        goto done;
    if (f->units) {
        char *end = NULL;
        u = strtoul(f->units, &end, 10);
        if (!f->units[0] || *end || u < 1 || u > 9999) {
            snprintf(err->message, sizeof(err->message),
                     "--units: expected an integer from 1 to 9999");
            rc = err->code = MN_EINVAL;
            goto done;
        }
    }
    if ((rc = cli_parse_amount(&charge, f->charge, "--charge", err)) ||
        (rc = cli_parse_amount(&allowed, f->allowed, "--allowed", err)))
        goto done;
    if (f->payer &&
        (rc = mn_claim_set_payer(c, f->payer, strlen(f->payer), err)))
        goto done;
    if (f->claim_type && (rc = mn_claim_set_claim_type(
                              c, f->claim_type, strlen(f->claim_type), err)))
        goto done;
    if (f->jur &&
        (rc = mn_claim_set_jurisdiction(c, f->jur, strlen(f->jur), err)))
        goto done;
    if (f->pos &&
        (rc = mn_claim_set_place_of_service(c, f->pos, strlen(f->pos), err)))
        goto done;
    if (f->dob &&
        (rc = mn_claim_set_birth_date(c, f->dob, strlen(f->dob), err)))
        goto done;
    if (f->age) {
        char *end = NULL;
        long a = strtol(f->age, &end, 10);
        if (!f->age[0] || *end || a < 0 || a > 130) {
            snprintf(err->message, sizeof(err->message),
                     "--age: expected years from 0 to 130");
            rc = err->code = MN_EINVAL;
            goto done;
        }
        if ((rc = mn_claim_set_age(c, (int)a, err)))
            goto done;
    }
    if (f->sex) {
        if (strlen(f->sex) != 1) {
            snprintf(err->message, sizeof(err->message),
                     "--sex: expected M, F or U");
            rc = err->code = MN_EINVAL;
            goto done;
        }
        if ((rc = mn_claim_set_sex(c, f->sex[0], err)))
            goto done;
    }
    for (const char *p = f->dx; p && *p;) {
        size_t n = strcspn(p, ",");
        if (n && (rc = mn_claim_add_diagnosis(c, p, n, err)))
            goto done;
        p += n;
        if (*p == ',')
            p++;
    }
    if (!f->date) {
        snprintf(err->message, sizeof(err->message),
                 "--date: the date of service is required");
        rc = err->code = MN_EINVAL;
        goto done;
    }
    line = mn_claim_add_line(c, f->code, strlen(f->code), (unsigned)u, f->date,
                             strlen(f->date), err);
    if (line < 0) {
        rc = line;
        goto done;
    }
    for (int i = 0; i < n_mods; i++) {
        if ((rc = mn_claim_line_add_modifier(c, (size_t)line, mods[i],
                                             strlen(mods[i]), err)))
            goto done;
    }
    if ((rc = mn_claim_line_set_amounts(c, (size_t)line, charge, allowed,
                                        err))) {
        /* the setter names lines[0].charge; the user gave a flag */
        snprintf(err->where, sizeof(err->where), "%s",
                 strstr(err->where, "charge") ? "--charge" : "--allowed");
        goto done;
    }
    *out = c;
    c = NULL;
done:
    mn_claim_free(c);
    return rc;
}

int cmd_check(int argc, char **argv)
{
    const char *kb_path = NULL, *format = NULL, *hist_path = NULL;
    flags f;
    int want_help = 0;
    const cli_opt opts[] = {
        {"--kb", 1, &kb_path, NULL},
        {"--format", 1, &format, NULL},
        {"--code", 1, &f.code, NULL},
        {"--modifier", 1, NULL, NULL},
        {"--units", 1, &f.units, NULL},
        {"--dx", 1, &f.dx, NULL},
        {"--dob", 1, &f.dob, NULL},
        {"--age", 1, &f.age, NULL},
        {"--sex", 1, &f.sex, NULL},
        {"--date", 1, &f.date, NULL},
        {"--jurisdiction", 1, &f.jur, NULL},
        {"--pos", 1, &f.pos, NULL},
        {"--payer", 1, &f.payer, NULL},
        {"--claim-type", 1, &f.claim_type, NULL},
        {"--charge", 1, &f.charge, NULL},
        {"--allowed", 1, &f.allowed, NULL},
        {"--history", 1, &hist_path, NULL},
        {"--help", 0, NULL, &want_help},
        {NULL, 0, NULL, NULL},
    };
    const char *args[1];
    int nargs = 0;
    mn_error err;
    mn_kb *kb = NULL;
    mn_claim *claim = NULL;
    mn_ctx *ctx = NULL;
    mn_buf *buf = NULL;
    mn_history *hist = NULL;
    mn_history_source hsrc;
    mn_check_options copts = MN_CHECK_OPTIONS_INIT;
    const mn_result *res = NULL;
    char *input = NULL;
    size_t input_len = 0;
    mn_format fmt;
    int rc;
    int exit_code = EXIT_INTERNAL;

    memset(&f, 0, sizeof(f));
    mn_error_clear(&err);
    n_mods = 0;
    if ((rc = cli_parse(argc, argv, opts, args, &nargs, 1, repeat)))
        return rc;
    if (want_help) {
        fputs(help, stdout);
        return EXIT_CLEAN;
    }
    if (cli_format(format, &fmt)) {
        fprintf(stderr, "mednec check: --format must be json or text\n");
        return EXIT_USAGE;
    }
    if (f.code && nargs) {
        fprintf(stderr, "mednec check: give a claim file or --code, not "
                        "both\n");
        return EXIT_USAGE;
    }
    if (!f.code && (f.dx || f.units || f.dob || f.age || f.sex || f.date ||
                    f.charge || f.allowed || n_mods)) {
        fprintf(stderr, "mednec check: line flags need --code\n");
        return EXIT_USAGE;
    }
    if (f.code && !f.dx) {
        fprintf(stderr, "mednec check: --code needs --dx\n");
        return EXIT_USAGE;
    }
    if (f.dob && f.age) {
        fprintf(stderr, "mednec check: give --dob or --age, not both\n");
        return EXIT_USAGE;
    }

    if (f.code) {
        rc = from_flags(&claim, &f, &err);
    } else {
        if (f.jur || f.pos || f.payer || f.claim_type) {
            fprintf(stderr, "mednec check: --jurisdiction, --pos, --payer "
                            "and --claim-type go with --code\n");
            return EXIT_USAGE;
        }
        rc = cli_read(&input, &input_len, nargs ? args[0] : "-",
                      (size_t)4 << 20, &err);
        if (!rc)
            rc = mn_claim_parse_json(&claim, input, input_len, NULL, &err);
        if (rc && !err.where[0] && nargs)
            snprintf(err.where, sizeof(err.where), "%s", args[0]);
    }
    if (rc) {
        cli_error("check", &err);
        exit_code = cli_exit_for(rc);
        goto done;
    }
    if ((rc = cli_open_kb(&kb, kb_path, &err))) {
        cli_error("check", &err);
        exit_code = cli_exit_for(rc);
        goto done;
    }
    if (!kb_path)
        cli_kb_note("check", kb);
    if (!hist_path && getenv("MEDNEC_HISTORY") && getenv("MEDNEC_HISTORY")[0])
        hist_path = getenv("MEDNEC_HISTORY");
    if (hist_path) {
        mn_history_options ho = MN_HISTORY_OPTIONS_INIT;
        ho.read_only = 1;
        if ((rc = mn_history_open(&hist, hist_path, &ho, &err))) {
            cli_error("check", &err);
            exit_code = cli_exit_for(rc);
            goto done;
        }
        mn_history_source_of(&hsrc, hist);
        copts.history = &hsrc;
    }
    if ((rc = mn_ctx_new(&ctx, 0, &err)) || (rc = mn_buf_new(&buf, 0)) ||
        (rc = mn_check_with(&res, ctx, kb, claim, &copts, &err)) ||
        (rc = mn_result_render(buf, res, kb, fmt, &err))) {
        cli_error("check", &err);
        exit_code = rc == MN_ENOMEM ? EXIT_INTERNAL : cli_exit_for(rc);
        goto done;
    }
    exit_code = cli_stdout_write("check", mn_buf_data(buf), mn_buf_len(buf));
    if (!exit_code && fmt == MN_FORMAT_JSON)
        exit_code = cli_stdout_write("check", "\n", 1);
    if (exit_code)
        goto done;
    exit_code =
        mn_result_status(res) == MN_STATUS_COVERED ? EXIT_CLEAN : EXIT_FINDINGS;
done:
    free(input);
    mn_history_free(hist);
    mn_buf_free(buf);
    mn_ctx_free(ctx);
    mn_claim_free(claim);
    mn_kb_free(kb);
    return exit_code;
}
