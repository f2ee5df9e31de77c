/*
 * result_values.c: reading a check's result as values with the C API
 * (mednec/result.h) instead of parsing its JSON.
 *
 *   cc result_values.c -lmednec ...   (see examples/CMakeLists.txt)
 *   ./result_values CLAIM.json
 *
 * Checks the claim on the built-in knowledge base and prints, per line,
 * the status, the ABN advice and each finding with its edit class,
 * citation, denial codes, fix and supporting diagnoses.
 */
#include <stdio.h>
#include <stdlib.h>

#include "mednec.h"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p = NULL;
    long n;

    if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (p = malloc((size_t)n + 1)) != NULL) {
        *len = fread(p, 1, (size_t)n, f);
        p[*len] = '\0';
    }
    if (f)
        fclose(f);
    return p;
}

static void print_finding(const mn_result *res, size_t line, size_t k)
{
    mn_finding_info fi;

    fi.version = MN_FINDING_INFO_VERSION;
    if (mn_result_finding(&fi, res, line, k, NULL) != MN_OK)
        return;
    printf("  %s %s (%s): %s\n", mn_severity_name(fi.severity), fi.edit->id,
           mn_edit_class_name(fi.edit->edit_class), fi.message);
    if (fi.citation.kind)
        printf("    cites %s %s%s%s\n", fi.citation.kind,
               fi.citation.id ? fi.citation.id : "", fi.citation.url ? " " : "",
               fi.citation.url ? fi.citation.url : "");
    if (fi.carc || fi.rarc)
        printf("    expected denial: CARC %s, RARC %s\n",
               fi.carc ? fi.carc : "-", fi.rarc ? fi.rarc : "-");
    if (fi.fix)
        printf("    fix: %s\n", fi.fix);
    if (fi.payable_again)
        printf("    payable again from %s\n", fi.payable_again);
    for (size_t s = 0; s < fi.n_supporting; s++)
        printf("    would support it: %s %s\n", fi.supporting[s],
               fi.supporting_desc[s] ? fi.supporting_desc[s] : "");
}

int main(int argc, char **argv)
{
    mn_kb *kb = NULL;
    mn_ctx *ctx = NULL;
    mn_claim *claim = NULL;
    const mn_result *res = NULL;
    mn_error err;
    char line[700];
    char *json = NULL;
    size_t len = 0;
    int status = 3;

    mn_error_clear(&err);
    if (argc != 2) {
        fprintf(stderr, "usage: result_values CLAIM.json\n");
        return 2;
    }
    json = slurp(argv[1], &len);
    if (!json) {
        fprintf(stderr, "result_values: cannot read %s\n", argv[1]);
        return 3;
    }
    if (mn_kb_open_builtin(&kb, &err) || mn_ctx_new(&ctx, 0, &err) ||
        mn_claim_parse_json(&claim, json, len, NULL, &err) ||
        mn_check(&res, ctx, kb, claim, &err)) {
        fprintf(stderr, "result_values: %s\n",
                mn_error_format(line, sizeof(line), &err));
        goto done;
    }
    /* the result holds what it needs of the claim: free it early */
    mn_claim_free(claim);
    claim = NULL;
    printf("claim %s: %s\n", mn_result_id(res) ? mn_result_id(res) : "-",
           mn_status_name(mn_result_status(res)));
    for (size_t l = 0; l < mn_result_line_count(res); l++) {
        mn_line_info li;
        li.version = MN_LINE_INFO_VERSION;
        if (mn_result_line(&li, res, l, &err) != MN_OK)
            goto done;
        printf("line %zu %s on %s: %s, ABN %s\n", li.line, li.code,
               li.date ? li.date : "-", mn_status_name(li.status),
               mn_abn_name(li.abn));
        if (li.abn_reason)
            printf("  ABN blank E: %s\n", li.abn_reason);
        for (size_t m = 0; m < li.n_suggested; m++)
            printf("  append modifier %s\n", li.suggested_modifiers[m]);
        for (size_t k = 0; k < li.n_findings; k++)
            print_finding(res, l, k);
    }
    status = mn_result_status(res) == MN_STATUS_COVERED ? 0 : 1;
done:
    free(json);
    mn_claim_free(claim);
    mn_ctx_free(ctx);
    mn_kb_free(kb);
    return status;
}
