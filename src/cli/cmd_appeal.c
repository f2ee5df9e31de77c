/* cmd_appeal.c: mednec appeal: a request for redetermination of a denied
 * line, from the claim's check and the denial's codes and date. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *help =
    "usage: mednec appeal [--kb FILE] [--history DB] [--docs DIR]\n"
    "                     --facts FILE --notice-date YYYY-MM-DD\n"
    "                     [--received-date YYYY-MM-DD] [--line N]\n"
    "                     [--carc CODE]... [--rarc CODE]... [--group "
    "CO|PR|OA]\n"
    "                     [--policy ID] [--claim-number ICN]\n"
    "                     [--amount DOLLARS] [--document TEXT]...\n"
    "                     [--date YYYY-MM-DD] [--force]\n"
    "                     [--format pdf|html|md|text] -o FILE\n"
    "                     [CLAIM.json | -]\n"
    "\n"
    "Checks the claim and drafts a request for redetermination of the\n"
    "denied line (--line, default 1): the denial codes explained, the\n"
    "policy's criteria one by one with the evidence that meets each, the\n"
    "documents enclosed, the filing deadline (120 days from receipt of the\n"
    "notice; receipt presumed 5 days after --notice-date, 42 CFR 405.942)\n"
    "and the later levels with their amount-in-controversy thresholds.\n"
    "Refuses an unprocessable claim (RARC MA130) and, unless --force, a\n"
    "denial the check agrees with. The facts file gives the patient's name\n"
    "and Medicare number and the provider (the appellant).\n"
    "Exit: 0 written, 2 usage, 3 input error or refusal, 4 internal.\n";

#define MAX_REPEAT 12
static const char *carcs[MAX_REPEAT];
static size_t n_carcs;
static const char *rarcs[MAX_REPEAT];
static size_t n_rarcs;
static const char *docs_list[64];
static size_t n_docs;

static int repeat(const char *name, const char *value)
{
    if (!strcmp(name, "--carc") || !strcmp(name, "--rarc")) {
        int carc = !strcmp(name, "--carc");
        size_t *n = carc ? &n_carcs : &n_rarcs;
        size_t len = strlen(value);
        if (*n == MAX_REPEAT || len == 0 || len > 6) {
            fprintf(stderr,
                    "mednec appeal: %s: at most %d codes of up to 6 "
                    "characters\n",
                    name, MAX_REPEAT);
            return 1;
        }
        (carc ? carcs : rarcs)[(*n)++] = value;
        return 0;
    }
    if (n_docs == sizeof(docs_list) / sizeof(docs_list[0])) {
        fprintf(stderr, "mednec appeal: at most 64 documents\n");
        return 1;
    }
    docs_list[n_docs++] = value;
    return 0;
}

int cmd_appeal(int argc, char **argv)
{
    const char *kb_path = NULL, *hist_path = NULL, *dir = NULL;
    const char *facts_path = NULL, *format = NULL, *out_path = NULL;
    const char *line = NULL, *amount = NULL;
    int want_help = 0, force = 0;
    mn_denial den;
    mn_appeal_options ao = MN_APPEAL_OPTIONS_INIT;
    const cli_opt opts[] = {
        {"--kb", 1, &kb_path, NULL},
        {"--history", 1, &hist_path, NULL},
        {"--docs", 1, &dir, NULL},
        {"--facts", 1, &facts_path, NULL},
        {"--notice-date", 1, &den.notice_date, NULL},
        {"--received-date", 1, &den.received_date, NULL},
        {"--line", 1, &line, NULL},
        {"--carc", 1, NULL, NULL},
        {"--rarc", 1, NULL, NULL},
        {"--group", 1, &den.group, NULL},
        {"--policy", 1, &den.policy, NULL},
        {"--claim-number", 1, &den.claim_number, NULL},
        {"--amount", 1, &amount, NULL},
        {"--document", 1, NULL, NULL},
        {"--date", 1, &ao.date, NULL},
        {"--force", 0, NULL, &force},
        {"--format", 1, &format, NULL},
        {"-o", 1, &out_path, NULL},
        {"--help", 0, NULL, &want_help},
        {NULL, 0, NULL, NULL},
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

    memset(&den, 0, sizeof(den));
    den.version = MN_DENIAL_VERSION;
    den.amount = MN_NO_AMOUNT;
    memset(&chk, 0, sizeof(chk));
    mn_error_clear(&err);
    n_carcs = n_rarcs = n_docs = 0;
    if ((code = cli_parse(argc, argv, opts, args, &nargs, 1, repeat)))
        return code;
    if (want_help) {
        fputs(help, stdout);
        return EXIT_CLEAN;
    }
    if (!facts_path || !den.notice_date) {
        fprintf(stderr, "mednec appeal: give --facts FILE and --notice-date "
                        "YYYY-MM-DD (the date of the notice of the initial "
                        "determination)\n");
        return EXIT_USAGE;
    }
    if (!out_path) {
        fprintf(stderr, "mednec appeal: give -o FILE (or -o - for stdout)\n");
        return EXIT_USAGE;
    }
    if (cli_doc_format(&fmt, format, out_path)) {
        fprintf(stderr, "mednec appeal: --format must be pdf, html, md or "
                        "text\n");
        return EXIT_USAGE;
    }
    if (line) {
        char *end = NULL;
        unsigned long l = strtoul(line, &end, 10);
        if (!line[0] || *end || l < 1 || l > 10000) {
            fprintf(stderr, "mednec appeal: --line: expected a line number "
                            "from 1\n");
            return EXIT_USAGE;
        }
        den.line = (size_t)l;
    }
    if (cli_parse_amount(&den.amount, amount, "--amount", &err)) {
        fprintf(stderr, "mednec appeal: %s\n", err.message);
        return EXIT_USAGE;
    }
    den.carc = carcs;
    den.n_carc = n_carcs;
    den.rarc = rarcs;
    den.n_rarc = n_rarcs;
    den.notice_source = "the notice date given with --notice-date";
    ao.force = force;
    ao.documents = docs_list;
    ao.n_documents = n_docs;
    if ((code = cli_docdata_open(&dd, "appeal", dir)) ||
        (code = cli_facts_open(&facts, "appeal", facts_path)) ||
        (code = cli_checked_open(&chk, "appeal", nargs ? args[0] : "-", kb_path,
                                 hist_path)))
        goto done;
    if (mn_appeal_new(&doc, dd, chk.res, chk.claim, facts, &den, &ao, &err)) {
        cli_error("appeal", &err);
        code = err.code == MN_ENOMEM ? EXIT_INTERNAL : EXIT_INPUT;
        goto done;
    }
    {
        const char *in[2] = {nargs ? args[0] : "-", facts_path};
        code = cli_doc_write("appeal", doc, fmt, out_path, in, 2);
    }
done:
    mn_doc_free(doc);
    mn_facts_free(facts);
    mn_docdata_free(dd);
    cli_checked_close(&chk);
    return code;
}
