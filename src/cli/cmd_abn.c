/* cmd_abn.c: mednec abn: the ABN (CMS-R-131) for a claim's lines that
 * need one. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *help =
    "usage: mednec abn [--kb FILE] [--history DB] [--docs DIR]\n"
    "                  [--facts FILE] [--notifier-name N]\n"
    "                  [--notifier-address A] [--notifier-phone P]\n"
    "                  [--patient-name NAME] [--patient-id ID]\n"
    "                  [--describe CODE=TEXT]... [--cost CODE=DOLLARS]...\n"
    "                  [--items-header TEXT] [--additional TEXT]\n"
    "                  [--line N]... [--voluntary] [--date YYYY-MM-DD]\n"
    "                  [--edition ID] [--lang en|es] [--allow-unverified]\n"
    "                  [--labels] [--format pdf|html|md|text]\n"
    "                  -o FILE [CLAIM.json | -]\n"
    "       mednec abn --list-editions [--docs DIR]\n"
    "\n"
    "Checks the claim and fills an Advance Beneficiary Notice (CMS-R-131)\n"
    "for the lines whose result recommends one (--voluntary: also lines\n"
    "excluded by statute). Blank A (notifier) and B (patient name) are\n"
    "required, from the facts file (--facts, also --profile) or the flags;\n"
    "blank C must not be a Medicare number or SSN. Blank D is the HCPCS\n"
    "description or your --describe text (CPT codes: the code), E the\n"
    "reason from the result, F the claim line's charge or --cost. The form\n"
    "edition is the one in use on --date (default: the earliest date of\n"
    "service). Writes FILE (format from --format or the extension; '-' for\n"
    "stdout) only when the whole notice is made.\n"
    "Exit: 0 written, 2 usage, 3 input error or refusal (one line says\n"
    "why), 4 internal error.\n";

#define MAX_REPEAT 64
static mn_doc_item items[MAX_REPEAT];
static size_t n_items;
static size_t lines[MAX_REPEAT];
static size_t n_lines;
static const char *bad_arg;

/* The item for `code` (added when new). */
static mn_doc_item *item_for(const char *code, size_t len)
{
    char *c;

    for (size_t i = 0; i < n_items; i++) {
        if (strlen(items[i].code) == len &&
            strncmp(items[i].code, code, len) == 0)
            return &items[i];
    }
    if (n_items == MAX_REPEAT || len == 0 || len > 8)
        return NULL;
    c = malloc(len + 1);
    if (!c)
        return NULL;
    memcpy(c, code, len);
    c[len] = '\0';
    items[n_items].code = c;
    items[n_items].description = NULL;
    items[n_items].cost = MN_NO_AMOUNT;
    return &items[n_items++];
}

static int repeat(const char *name, const char *value)
{
    const char *eq = strchr(value, '=');
    mn_doc_item *it;

    if (!strcmp(name, "--line")) {
        if (n_lines == MAX_REPEAT) {
            fprintf(stderr, "mednec abn: --line: at most %d lines\n",
                    MAX_REPEAT);
            return 1;
        }
        if (cli_line_number(&lines[n_lines], "abn", value))
            return 1;
        n_lines++;
        return 0;
    }
    if (!eq || eq == value) {
        fprintf(stderr, "mednec abn: %s: expected CODE=%s\n", name,
                strcmp(name, "--cost") ? "TEXT" : "DOLLARS");
        return 1;
    }
    it = item_for(value, (size_t)(eq - value));
    if (!it) {
        fprintf(stderr,
                "mednec abn: %s: at most %d codes of up to 8 "
                "characters\n",
                name, MAX_REPEAT);
        return 1;
    }
    if (!strcmp(name, "--describe")) {
        it->description = eq + 1;
    } else {
        mn_error err;
        mn_error_clear(&err);
        if (cli_parse_amount(&it->cost, eq + 1, "--cost", &err)) {
            bad_arg = "--cost";
            fprintf(stderr, "mednec abn: %s\n", err.message);
            return 1;
        }
    }
    return 0;
}

static void free_items(void)
{
    for (size_t i = 0; i < n_items; i++)
        free((char *)items[i].code);
    n_items = 0;
    n_lines = 0;
}

static int list_editions(const char *docs)
{
    mn_docdata *dd = NULL;
    int code = cli_docdata_open(&dd, "abn", docs);

    if (code)
        return code;
    printf("%-20s %-4s %-38s %-10s %-10s %s\n", "edition", "lang", "label",
           "in use from", "until", "text");
    for (size_t i = 0; i < mn_docdata_edition_count(dd); i++) {
        mn_abn_edition_info e;
        e.version = MN_ABN_EDITION_INFO_VERSION;
        if (mn_docdata_edition(&e, dd, i, NULL))
            continue;
        printf("%-20s %-4s %-38s %-10s %-10s %s\n", e.id, e.language, e.label,
               e.in_use_from, e.in_use_until ? e.in_use_until : "-",
               !e.has_text ? "missing"
                           : (e.unverified ? "unverified parts" : "yes"));
    }
    mn_docdata_free(dd);
    return EXIT_CLEAN;
}

int cmd_abn(int argc, char **argv)
{
    const char *kb_path = NULL, *hist_path = NULL, *docs = NULL;
    const char *facts_path = NULL, *profile = NULL, *format = NULL;
    const char *out_path = NULL;
    int want_help = 0, list = 0, voluntary = 0, unverified = 0, labels = 0;
    mn_abn_options o = MN_ABN_OPTIONS_INIT;
    const cli_opt opts[] = {
        {"--kb", 1, &kb_path, NULL},
        {"--history", 1, &hist_path, NULL},
        {"--docs", 1, &docs, NULL},
        {"--facts", 1, &facts_path, NULL},
        {"--profile", 1, &profile, NULL},
        {"--notifier-name", 1, &o.notifier_name, NULL},
        {"--notifier-address", 1, &o.notifier_address, NULL},
        {"--notifier-phone", 1, &o.notifier_phone, NULL},
        {"--patient-name", 1, &o.patient_name, NULL},
        {"--patient-id", 1, &o.patient_id, NULL},
        {"--describe", 1, NULL, NULL},
        {"--cost", 1, NULL, NULL},
        {"--line", 1, NULL, NULL},
        {"--items-header", 1, &o.items_header, NULL},
        {"--additional", 1, &o.additional, NULL},
        {"--voluntary", 0, NULL, &voluntary},
        {"--date", 1, &o.date, NULL},
        {"--edition", 1, &o.edition, NULL},
        {"--lang", 1, &o.language, NULL},
        {"--allow-unverified", 0, NULL, &unverified},
        {"--labels", 0, NULL, &labels},
        {"--format", 1, &format, NULL},
        {"-o", 1, &out_path, NULL},
        {"--list-editions", 0, NULL, &list},
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

    memset(&chk, 0, sizeof(chk));
    mn_error_clear(&err);
    bad_arg = NULL;
    if ((code = cli_parse(argc, argv, opts, args, &nargs, 1, repeat))) {
        free_items();
        return bad_arg ? EXIT_USAGE : code;
    }
    if (want_help) {
        fputs(help, stdout);
        free_items();
        return EXIT_CLEAN;
    }
    if (list) {
        free_items();
        return list_editions(docs);
    }
    if (facts_path && profile) {
        fprintf(stderr, "mednec abn: give --facts or --profile, not both\n");
        code = EXIT_USAGE;
        goto done;
    }
    if ((code = cli_doc_output(&fmt, "abn", format, out_path)))
        goto done;
    if (o.language && strcmp(o.language, "en") && strcmp(o.language, "es")) {
        fprintf(stderr, "mednec abn: --lang must be en or es\n");
        code = EXIT_USAGE;
        goto done;
    }
    o.voluntary = voluntary;
    o.allow_unverified = unverified;
    o.show_labels = labels;
    o.items = items;
    o.n_items = n_items;
    o.lines = lines;
    o.n_lines = n_lines;
    if ((code = cli_docdata_open(&dd, "abn", docs)) ||
        (code = cli_facts_open(&facts, "abn",
                               facts_path ? facts_path : profile)) ||
        (code = cli_checked_open(&chk, "abn", nargs ? args[0] : "-", kb_path,
                                 hist_path)))
        goto done;
    if (mn_abn_new(&doc, dd, chk.res, chk.claim, facts, &o, &err)) {
        cli_error("abn", &err);
        code = err.code == MN_ENOMEM ? EXIT_INTERNAL : EXIT_INPUT;
        goto done;
    }
    {
        const char *in[2] = {nargs ? args[0] : "-",
                             facts_path ? facts_path : profile};
        code = cli_doc_write("abn", doc, fmt, out_path, in, 2);
    }
done:
    mn_doc_free(doc);
    mn_facts_free(facts);
    mn_docdata_free(dd);
    cli_checked_close(&chk);
    free_items();
    return code;
}
