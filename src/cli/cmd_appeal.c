/* cmd_appeal.c: mednec appeal: a request for redetermination of a denied
 * line, from the claim's check and the denial's codes and date, given by
 * flags or read from the payer's X12 835 remittance (--remit). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *help =
    "usage: mednec appeal [--kb FILE] [--history DB] [--docs DIR]\n"
    "                     --facts FILE --notice-date YYYY-MM-DD\n"
    "                     | --facts FILE --remit FILE.835 [--notice-date D]\n"
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
    "--remit reads the denial from the payer's 835: the claim payment\n"
    "whose CLP01 is the claim's id, its service line for --line (else the\n"
    "first denied one, matched to the claim by code and date), with its\n"
    "group, CARC, RARC, REF*0K policy, payer claim number, the amount\n"
    "denied and the notice date (DTM*405 unless --notice-date is given).\n"
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

/* ------------------------------------------------------------------ */
/* The denial from an 835 (--remit)                                    */
/* ------------------------------------------------------------------ */

/* What is kept of the matching claim payment: the reader's strings are
 * borrowed for its callback only. */
typedef struct remit {
    const char *claim_id; /* CLP01 to find */
    const mn_result *res; /* the claim's check */
    size_t want;          /* the claim line asked for (1-based), 0: any */
    unsigned found;       /* claim payments with that id */
    size_t line;          /* the claim line matched (1-based), 0: none */
    size_t service;       /* its service in the 835 (1-based) */
    char group[3];
    char carc[MAX_REPEAT][6];
    size_t n_carc;
    char rarc[MAX_REPEAT][8];
    size_t n_rarc;
    char policy[32];
    char claim_number[64];
    char notice[11];
    int64_t amount;
    size_t issues;
} remit;

/* The claim line (1-based) a service is for: the same code (as billed)
 * and, when both have one, the same first date; 0 when none. */
static size_t claim_line_of(const remit *m, const mn_x835_service *s)
{
    const char *code = s->billed_code[0] ? s->billed_code : s->code;
    size_t n = mn_result_line_count(m->res);

    if (!code)
        return 0;
    if (strncmp(code, "HC:", 3) == 0)
        code += 3;
    for (size_t i = 0; i < n; i++) {
        mn_line_info li;
        mn_error err;

        memset(&li, 0, sizeof(li));
        li.version = MN_LINE_INFO_VERSION;
        if (m->want && i + 1 != m->want)
            continue;
        if (mn_result_line(&li, m->res, i, &err) != MN_OK)
            continue;
        if (strncmp(li.code, code, 5) != 0 || strlen(code) < 5 ||
            (code[5] && code[5] != ':'))
            continue;
        if (li.date && s->date_start[0] && strcmp(li.date, s->date_start))
            continue;
        return i + 1;
    }
    return 0;
}

static void keep_codes(remit *m, const mn_x835_claim *c,
                       const mn_x835_service *s)
{
    for (size_t i = 0; i < s->n_adjustments; i++) {
        const mn_x835_adjustment *a = &s->adjustments[i];
        int dup = 0;
        if (!strcmp(a->carc, "1") || !strcmp(a->carc, "2") ||
            !strcmp(a->carc, "3"))
            continue; /* cost sharing is not what is appealed */
        if (!m->group[0])
            memcpy(m->group, a->group, sizeof(m->group));
        for (size_t k = 0; k < m->n_carc; k++)
            dup |= !strcmp(m->carc[k], a->carc);
        if (!dup && m->n_carc < MAX_REPEAT)
            memcpy(m->carc[m->n_carc++], a->carc, sizeof(a->carc));
    }
    for (size_t pass = 0; pass < 2; pass++) {
        size_t n = pass ? c->n_remarks : s->n_remarks;
        const char *const *r = pass ? c->remarks : s->remarks;
        for (size_t i = 0; i < n; i++) {
            int dup = 0;
            for (size_t k = 0; k < m->n_rarc; k++)
                dup |= !strcmp(m->rarc[k], r[i]);
            if (!dup && m->n_rarc < MAX_REPEAT && strlen(r[i]) < 8)
                strcpy(m->rarc[m->n_rarc++], r[i]);
        }
    }
    snprintf(m->policy, sizeof(m->policy), "%s",
             s->policy && s->policy[0] ? s->policy
                                       : (c->policy ? c->policy : ""));
    snprintf(m->claim_number, sizeof(m->claim_number), "%s",
             c->payer_claim_number ? c->payer_claim_number : "");
    snprintf(m->notice, sizeof(m->notice), "%s",
             c->production_date ? c->production_date : "");
    m->amount = MN_NO_AMOUNT;
    if (s->charge != MN_X835_NO_AMOUNT)
        m->amount = s->charge - (s->paid == MN_X835_NO_AMOUNT ? 0 : s->paid);
}

static int on_remit_claim(void *payload, const mn_x835_claim *c)
{
    remit *m = payload;

    if (!c->claim_id || strcmp(c->claim_id, m->claim_id) != 0)
        return MN_OK;
    m->found++;
    /* a later payment of the same claim (a reprocessing) replaces an
       earlier one: the newest decision is the one appealed */
    m->line = 0;
    m->n_carc = m->n_rarc = 0;
    m->group[0] = '\0';
    for (size_t i = 0; i < c->n_services; i++) {
        const mn_x835_service *s = &c->services[i];
        size_t line;
        if (!mn_x835_service_denied(c, s) || !(line = claim_line_of(m, s)))
            continue;
        m->line = line;
        m->service = i + 1;
        keep_codes(m, c, s);
        break;
    }
    return MN_OK;
}

static void on_remit_issue(void *payload, const mn_x12_issue *is)
{
    remit *m = payload;
    char line[512];

    if (is->severity != MN_X12_ERROR)
        return;
    m->issues++;
    fprintf(stderr, "mednec appeal: %s\n",
            mn_x12_issue_format(line, sizeof(line), is));
}

/* Reads the 835 at `path` and fills `den` (its strings point into `m`).
 * Prints the error and returns an exit code (0 on success). */
static int read_remit(remit *m, mn_denial *den, const char *path)
{
    mn_x835 *r = NULL;
    mn_x835_options xo = MN_X835_OPTIONS_INIT;
    mn_error err;
    FILE *in;
    char *chunk;
    int rc = MN_OK;
    int code = EXIT_INPUT;

    if (!m->claim_id) {
        fprintf(stderr, "mednec appeal: the claim has no id: the 835's claim "
                        "payment is found by it (CLP01)\n");
        return EXIT_INPUT;
    }
    in = fopen(path, "rb");
    if (!in) {
        cli_sys_error("appeal", path, "cannot open", errno);
        return EXIT_INPUT;
    }
    chunk = malloc(1u << 16);
    xo.name = path;
    xo.on_claim = on_remit_claim;
    xo.on_issue = on_remit_issue;
    xo.payload = m;
    if (!chunk || mn_x835_new(&r, &xo, &err) != MN_OK) {
        fprintf(stderr, "mednec appeal: out of memory\n");
        code = EXIT_INTERNAL;
        goto done;
    }
    for (;;) {
        size_t n = fread(chunk, 1, 1u << 16, in);
        if (n == 0 && ferror(in)) {
            cli_sys_error("appeal", path, "cannot read", errno ? errno : EIO);
            goto done;
        }
        rc = n ? mn_x835_feed(r, chunk, n, &err) : mn_x835_finish(r, &err);
        if (rc) {
            cli_error("appeal", &err);
            code = cli_exit_for(rc);
            goto done;
        }
        if (!n)
            break;
    }
    if (!m->found) {
        fprintf(stderr,
                "mednec appeal: %s: no claim payment (CLP) for the "
                "claim's id%s\n",
                path, m->issues ? " (the 835 has errors, above)" : "");
        goto done;
    }
    if (!m->line) {
        fprintf(stderr,
                "mednec appeal: %s: the claim's payment has no denied "
                "service line%s that matches a line of the claim (code and "
                "date)\n",
                path, m->want ? " for --line" : "");
        goto done;
    }
    den->line = m->line;
    den->group = m->group[0] ? m->group : NULL;
    for (size_t i = 0; i < m->n_carc; i++)
        carcs[i] = m->carc[i];
    n_carcs = m->n_carc;
    den->carc = carcs;
    den->n_carc = n_carcs;
    for (size_t i = 0; i < m->n_rarc; i++)
        rarcs[i] = m->rarc[i];
    n_rarcs = m->n_rarc;
    den->rarc = rarcs;
    den->n_rarc = n_rarcs;
    den->policy = m->policy[0] ? m->policy : NULL;
    den->claim_number = m->claim_number[0] ? m->claim_number : NULL;
    den->amount = m->amount;
    if (!den->notice_date) {
        if (!m->notice[0]) {
            fprintf(stderr,
                    "mednec appeal: %s has no production date "
                    "(DTM*405): give --notice-date\n",
                    path);
            goto done;
        }
        den->notice_date = m->notice;
        den->notice_source = "the 835's production date, DTM*405";
    }
    code = 0;
done:
    mn_x835_free(r);
    free(chunk);
    fclose(in);
    return code;
}

int cmd_appeal(int argc, char **argv)
{
    const char *kb_path = NULL, *hist_path = NULL, *dir = NULL;
    const char *facts_path = NULL, *format = NULL, *out_path = NULL;
    const char *line = NULL, *amount = NULL, *remit_path = NULL;
    int want_help = 0, force = 0;
    remit m;
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
        {"--remit", 1, &remit_path, NULL},
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
    if (!facts_path || (!den.notice_date && !remit_path)) {
        fprintf(stderr, "mednec appeal: give --facts FILE and --notice-date "
                        "YYYY-MM-DD (the date of the notice of the initial "
                        "determination), or --remit FILE.835\n");
        return EXIT_USAGE;
    }
    if (remit_path && (n_carcs || n_rarcs || den.group || den.policy ||
                       den.claim_number || amount)) {
        fprintf(stderr, "mednec appeal: with --remit the codes, group, "
                        "policy, claim number and amount come from the 835\n");
        return EXIT_USAGE;
    }
    if ((code = cli_doc_output(&fmt, "appeal", format, out_path)) ||
        (line && (code = cli_line_number(&den.line, "appeal", line))))
        return code;
    if (cli_parse_amount(&den.amount, amount, "--amount", &err)) {
        fprintf(stderr, "mednec appeal: %s\n", err.message);
        return EXIT_USAGE;
    }
    den.carc = carcs;
    den.n_carc = n_carcs;
    den.rarc = rarcs;
    den.n_rarc = n_rarcs;
    den.notice_source =
        den.notice_date ? "the notice date given with --notice-date" : NULL;
    ao.force = force;
    ao.documents = docs_list;
    ao.n_documents = n_docs;
    if ((code = cli_docdata_open(&dd, "appeal", dir)) ||
        (code = cli_facts_open(&facts, "appeal", facts_path)) ||
        (code = cli_checked_open(&chk, "appeal", nargs ? args[0] : "-", kb_path,
                                 hist_path)))
        goto done;
    if (remit_path) {
        memset(&m, 0, sizeof(m));
        m.claim_id = mn_result_id(chk.res);
        m.res = chk.res;
        m.want = den.line;
        if ((code = read_remit(&m, &den, remit_path)))
            goto done;
    }
    if (mn_appeal_new(&doc, dd, chk.res, chk.claim, facts, &den, &ao, &err)) {
        cli_error("appeal", &err);
        code = err.code == MN_ENOMEM ? EXIT_INTERNAL : EXIT_INPUT;
        goto done;
    }
    {
        const char *in[3] = {nargs ? args[0] : "-", facts_path, remit_path};
        code =
            cli_doc_write("appeal", doc, fmt, out_path, in, remit_path ? 3 : 2);
    }
done:
    mn_doc_free(doc);
    mn_facts_free(facts);
    mn_docdata_free(dd);
    cli_checked_close(&chk);
    return code;
}
