/*
 * test_cases.c: data-driven cases. Each tests/cases/<area>/<name>/ holds a
 * claim.json and an expected.json. Every case runs twice: through the
 * library and through the mednec command (exit code, stdout JSON, stderr).
 * The KB is built from tests/cases/kb (official layouts) by the library,
 * with the rule packs in tests/cases/kb (test fixtures, .mnr) added as
 * `mednec build --rules` would add them: a build folder reads no packs.
 * Per line, expected.json may give: status, abn, suggested_modifiers,
 * edits (exactly the deny and review edits), info, edit_counts
 * ({"edit": n}), policy, policy_version, rarc, carc, source_contains (in
 * some finding's policy.source), supporting_includes and kb_sources
 * (exactly the sources, policy.id, of the line's kb.no_code_set and
 * kb.outside_range findings: what the KB lacks for the line's date).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdbool.h>
#include <jansson.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "mednec.h"

static char kb_path[256];
static mn_kb *kb;
static mn_ctx *ctx;

/* Compares one result (as JSON) with the expectation; `who` names the
 * path (library or cli) in messages. */
static void compare(const char *name, const char *who, json_t *res, json_t *exp)
{
    json_t *elines = json_object_get(exp, "lines");
    json_t *rlines = json_object_get(res, "lines");
    const char *st = json_string_value(json_object_get(exp, "status"));
    size_t i;
    json_t *el;

    if (st) {
        const char *got = json_string_value(json_object_get(res, "status"));
        mn_t_checks++;
        if (!got || strcmp(got, st)) {
            mn_t_failures++;
            fprintf(stderr, "%s [%s]: status %s, expected %s\n", name, who,
                    got ? got : "(none)", st);
        }
    }
    json_array_foreach(elines, i, el)
    {
        json_t *rl = json_array_get(rlines, i);
        json_t *findings = json_object_get(rl, "findings");
        json_t *want = json_object_get(el, "edits");
        json_t *info = json_object_get(el, "info");
        json_t *sup = json_object_get(el, "supporting_includes");
        json_t *mods = json_object_get(el, "suggested_modifiers");
        const char *ls = json_string_value(json_object_get(el, "status"));
        const char *abn = json_string_value(json_object_get(el, "abn"));
        const char *pol = json_string_value(json_object_get(el, "policy"));
        const char *rarc = json_string_value(json_object_get(el, "rarc"));
        const char *carc = json_string_value(json_object_get(el, "carc"));
        const char *src =
            json_string_value(json_object_get(el, "source_contains"));
        json_t *counts = json_object_get(el, "edit_counts");
        json_t *kbsrc = json_object_get(el, "kb_sources");
        json_t *pver = json_object_get(el, "policy_version");
        size_t j;
        json_t *f;
        char got_edits[512] = "";
        size_t n_deny = 0;

        if (!rl) {
            mn_t_failures++;
            fprintf(stderr, "%s [%s]: line %zu missing\n", name, who, i + 1);
            continue;
        }
#define FIELD_EQ(key, val)                                                     \
    do {                                                                       \
        const char *g = json_string_value(json_object_get(rl, key));           \
        mn_t_checks++;                                                         \
        if (!g || strcmp(g, val)) {                                            \
            mn_t_failures++;                                                   \
            fprintf(stderr, "%s [%s]: line %zu %s %s, expected %s\n", name,    \
                    who, i + 1, key, g ? g : "(none)", val);                   \
        }                                                                      \
    } while (0)
        if (ls)
            FIELD_EQ("status", ls);
        if (abn)
            FIELD_EQ("abn", abn);
        if (mods) {
            mn_t_checks++;
            if (!json_equal(mods, json_object_get(rl, "suggested_modifiers"))) {
                mn_t_failures++;
                fprintf(stderr,
                        "%s [%s]: line %zu suggested_modifiers "
                        "differ\n",
                        name, who, i + 1);
            }
        }
        /* deny/review edits: exactly the expected set */
        json_array_foreach(findings, j, f)
        {
            const char *sev = json_string_value(json_object_get(f, "severity"));
            const char *ed = json_string_value(json_object_get(f, "edit"));
            if (sev && strcmp(sev, "info") && ed) {
                bool listed = false;
                size_t k;
                json_t *w;
                n_deny++;
                json_array_foreach(want, k, w)
                {
                    listed = listed || !strcmp(json_string_value(w), ed);
                }
                mn_t_checks++;
                if (!listed) {
                    mn_t_failures++;
                    fprintf(stderr, "%s [%s]: line %zu unexpected edit %s\n",
                            name, who, i + 1, ed);
                }
            }
            if (ed && strlen(got_edits) + strlen(ed) + 2 < sizeof(got_edits)) {
                strcat(got_edits, ed);
                strcat(got_edits, " ");
            }
        }
        if (want) {
            size_t k;
            json_t *w;
            json_array_foreach(want, k, w)
            {
                mn_t_checks++;
                if (!strstr(got_edits, json_string_value(w))) {
                    mn_t_failures++;
                    fprintf(stderr,
                            "%s [%s]: line %zu missing edit %s (got "
                            "%s)\n",
                            name, who, i + 1, json_string_value(w), got_edits);
                }
            }
        }
        (void)n_deny;
        if (counts) {
            /* {"edit": n}: exactly n findings with that edit */
            const char *ed;
            json_t *want_n;
            json_object_foreach(counts, ed, want_n)
            {
                json_int_t got = 0;
                json_array_foreach(findings, j, f)
                {
                    const char *e =
                        json_string_value(json_object_get(f, "edit"));
                    got += e && !strcmp(e, ed);
                }
                mn_t_checks++;
                if (got != json_integer_value(want_n)) {
                    mn_t_failures++;
                    fprintf(stderr,
                            "%s [%s]: line %zu has %lld %s findings, "
                            "expected %lld\n",
                            name, who, i + 1, (long long)got, ed,
                            (long long)json_integer_value(want_n));
                }
            }
        }
        if (carc || src) {
            bool carc_ok = !carc, src_ok = !src;
            json_array_foreach(findings, j, f)
            {
                const char *c = json_string_value(json_object_get(f, "carc"));
                const char *so = json_string_value(
                    json_object_get(json_object_get(f, "policy"), "source"));
                carc_ok = carc_ok || (c && !strcmp(c, carc));
                src_ok = src_ok || (so && strstr(so, src));
            }
            mn_t_checks++;
            if (!carc_ok || !src_ok) {
                mn_t_failures++;
                fprintf(stderr, "%s [%s]: line %zu carc/source mismatch\n",
                        name, who, i + 1);
            }
        }
        if (info) {
            size_t k;
            json_t *w;
            json_array_foreach(info, k, w)
            {
                mn_t_checks++;
                if (!strstr(got_edits, json_string_value(w))) {
                    mn_t_failures++;
                    fprintf(stderr, "%s [%s]: line %zu missing info %s\n", name,
                            who, i + 1, json_string_value(w));
                }
            }
        }
        if (kbsrc) {
            /* exactly these missing sources, each named once or more */
            size_t k;
            json_t *w;
            json_array_foreach(findings, j, f)
            {
                const char *e = json_string_value(json_object_get(f, "edit"));
                json_t *fp = json_object_get(f, "policy");
                const char *id = json_string_value(json_object_get(fp, "id"));
                const char *kind =
                    json_string_value(json_object_get(fp, "kind"));
                bool listed = false;
                if (!e ||
                    (strcmp(e, "kb.outside_range") &&
                     strcmp(e, "kb.no_code_set")) ||
                    !id || !kind || strcmp(kind, "kb"))
                    continue; /* rule packs cite their rule */
                json_array_foreach(kbsrc, k, w)
                {
                    listed = listed || !strcmp(json_string_value(w), id);
                }
                mn_t_checks++;
                if (!listed) {
                    mn_t_failures++;
                    fprintf(stderr,
                            "%s [%s]: line %zu unexpected kb source %s\n", name,
                            who, i + 1, id);
                }
            }
            json_array_foreach(kbsrc, k, w)
            {
                bool seen = false;
                json_array_foreach(findings, j, f)
                {
                    const char *id = json_string_value(
                        json_object_get(json_object_get(f, "policy"), "id"));
                    seen = seen || (id && !strcmp(id, json_string_value(w)));
                }
                mn_t_checks++;
                if (!seen) {
                    mn_t_failures++;
                    fprintf(stderr, "%s [%s]: line %zu missing kb source %s\n",
                            name, who, i + 1, json_string_value(w));
                }
            }
        }
        if (pol || pver || sup || rarc) {
            bool pol_ok = !pol, ver_ok = !pver, rarc_ok = !rarc;
            size_t nsup_ok = 0;
            json_array_foreach(findings, j, f)
            {
                json_t *p = json_object_get(f, "policy");
                const char *id = json_string_value(json_object_get(p, "id"));
                json_t *sd = json_object_get(f, "supporting_diagnoses");
                size_t k, m;
                json_t *w, *x;
                if (pol && id && !strcmp(id, pol))
                    pol_ok = true;
                if (pver && json_integer_value(json_object_get(p, "version")) ==
                                json_integer_value(pver))
                    ver_ok = true;
                if (rarc && json_string_value(json_object_get(f, "rarc")) &&
                    !strcmp(json_string_value(json_object_get(f, "rarc")),
                            rarc))
                    rarc_ok = true;
                json_array_foreach(sup, k, w)
                {
                    json_array_foreach(sd, m, x)
                    {
                        const char *c =
                            json_is_string(x)
                                ? json_string_value(x)
                                : json_string_value(json_object_get(x, "code"));
                        if (c && !strcmp(c, json_string_value(w)))
                            nsup_ok++;
                    }
                }
            }
            mn_t_checks++;
            if (!pol_ok || !ver_ok || !rarc_ok ||
                (sup && nsup_ok < json_array_size(sup))) {
                mn_t_failures++;
                fprintf(stderr,
                        "%s [%s]: line %zu citation/rarc/supporting "
                        "mismatch\n",
                        name, who, i + 1);
            }
        }
    }
}

static int run_cli(const char *claim_path, char **out, char **errtxt)
{
    char cmd[1024];
    char errfile[] = "/tmp/mn_case_err_XXXXXX";
    int fd = mkstemp(errfile);
    FILE *p;
    size_t cap = 1 << 16, n = 0;
    int status;

    close(fd);
    snprintf(cmd, sizeof(cmd), "'%s' check --kb '%s' '%s' 2>'%s'", MN_CLI,
             kb_path, claim_path, errfile);
    p = popen(cmd, "r");
    *out = malloc(cap);
    while (p && !feof(p)) {
        size_t r;
        if (n + 1 >= cap)
            *out = realloc(*out, cap *= 2);
        r = fread(*out + n, 1, cap - n - 1, p);
        if (!r)
            break;
        n += r;
    }
    (*out)[n] = '\0';
    status = p ? pclose(p) : -1;
    *errtxt = mn_t_slurp(errfile, NULL);
    unlink(errfile);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void run_case(const char *dir, const char *name)
{
    char cpath[700], epath[700];
    char *claim_txt;
    size_t claim_len;
    json_t *exp;
    json_error_t jerr;
    mn_claim *claim = NULL;
    mn_error err;
    int rc;
    int want_exit;
    char *out = NULL, *etxt = NULL;
    int code;

    snprintf(cpath, sizeof(cpath), "%s/claim.json", dir);
    snprintf(epath, sizeof(epath), "%s/expected.json", dir);
    claim_txt = mn_t_slurp(cpath, &claim_len);
    exp = json_load_file(epath, 0, &jerr);
    if (!claim_txt || !exp) {
        mn_t_failures++;
        fprintf(stderr, "%s: cannot read claim or expected.json\n", name);
        free(claim_txt);
        json_decref(exp);
        return;
    }
    want_exit = (int)json_integer_value(json_object_get(exp, "exit"));

    /* library */
    mn_error_clear(&err);
    rc = mn_claim_parse_json(&claim, claim_txt, claim_len, NULL, &err);
    if (want_exit == 3) {
        mn_t_checks++;
        if (rc == MN_OK) {
            mn_t_failures++;
            fprintf(stderr, "%s [library]: parsed, expected an error\n", name);
        }
    } else if (rc) {
        mn_t_failures++;
        fprintf(stderr, "%s [library]: parse failed: %s\n", name, err.message);
    } else {
        const mn_result *res = NULL;
        mn_buf *buf = NULL;
        json_t *rj;
        mn_buf_new(&buf, 0);
        CHECK_INT(mn_check(&res, ctx, kb, claim, &err), MN_OK);
        CHECK_INT(mn_result_render(buf, res, kb, MN_FORMAT_JSON, &err), MN_OK);
        rj = json_loads(mn_buf_data(buf), 0, &jerr);
        CHECK(rj != NULL);
        if (rj)
            compare(name, "library", rj, exp);
        json_decref(rj);
        mn_buf_free(buf);
    }
    mn_claim_free(claim);

    /* command line */
    code = run_cli(cpath, &out, &etxt);
    mn_t_checks++;
    if (code != want_exit) {
        mn_t_failures++;
        fprintf(stderr, "%s [cli]: exit %d, expected %d; stderr: %s\n", name,
                code, want_exit, etxt ? etxt : "");
    }
    if (want_exit == 3) {
        json_t *cont = json_object_get(exp, "error_contains");
        size_t k;
        json_t *w;
        /* one line on stderr, nothing on stdout */
        CHECK(etxt && strchr(etxt, '\n') == etxt + strlen(etxt) - 1);
        CHECK_INT(strlen(out), 0);
        json_array_foreach(cont, k, w)
        {
            CHECK_CONTAINS(etxt, json_string_value(w));
        }
    } else {
        json_t *rj = json_loads(out, 0, &jerr);
        CHECK(rj != NULL);
        if (rj)
            compare(name, "cli", rj, exp);
        json_decref(rj);
    }
    free(out);
    free(etxt);
    free(claim_txt);
    json_decref(exp);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_all(void)
{
    DIR *top = opendir(MN_CASES);
    struct dirent *a;
    char *names[512];
    size_t n = 0;

    CHECK(top != NULL);
    while (top && (a = readdir(top))) {
        char area[512];
        DIR *d;
        struct dirent *c;
        if (a->d_name[0] == '.' || !strcmp(a->d_name, "kb"))
            continue;
        snprintf(area, sizeof(area), "%s/%s", MN_CASES, a->d_name);
        d = opendir(area);
        while (d && (c = readdir(d)) && n < 512) {
            char *nm;
            if (c->d_name[0] == '.')
                continue;
            nm = malloc(strlen(a->d_name) + strlen(c->d_name) + 2);
            snprintf(nm, strlen(a->d_name) + strlen(c->d_name) + 2, "%s/%s",
                     a->d_name, c->d_name);
            names[n++] = nm;
        }
        if (d)
            closedir(d);
    }
    if (top)
        closedir(top);
    qsort(names, n, sizeof(char *), cmp_str);
    for (size_t i = 0; i < n; i++) {
        char dir[600];
        int before = mn_t_failures;
        snprintf(dir, sizeof(dir), "%s/%s", MN_CASES, names[i]);
        run_case(dir, names[i]);
        fprintf(stderr, "%s case %s\n",
                before == mn_t_failures ? "ok  " : "FAIL", names[i]);
        free(names[i]);
    }
    CHECK(n >= 20);
}

/* Adds every .mnr file in tests/cases/kb (name order) as a rule pack. */
static int add_packs(mn_build *b, mn_error *err)
{
    DIR *d = opendir(MN_CASES "/kb");
    struct dirent *e;
    char *names[16];
    size_t n = 0;
    int rc = MN_OK;

    while (d && (e = readdir(d)) && n < 16) {
        size_t len = strlen(e->d_name);
        char *nm = NULL;
        if (e->d_name[0] != '.' && len > 4 &&
            !strcmp(e->d_name + len - 4, ".mnr"))
            nm = strdup(e->d_name);
        if (nm)
            names[n++] = nm;
    }
    if (d)
        closedir(d);
    qsort(names, n, sizeof(char *), cmp_str);
    for (size_t i = 0; i < n; i++) {
        char path[600];
        size_t len = 0;
        char *text;
        snprintf(path, sizeof(path), "%s/kb/%s", MN_CASES, names[i]);
        text = mn_t_slurp(path, &len);
        if (!rc && !text) {
            fprintf(stderr, "setup: cannot read %s\n", path);
            rc = MN_EINVAL;
        }
        if (!rc)
            rc = mn_build_add_rules(b, names[i], text, len, err);
        free(text);
        free(names[i]);
    }
    return rc;
}

int main(void)
{
    mn_build *b = NULL;
    mn_build_options o = MN_BUILD_OPTIONS_INIT;
    mn_error err;
    int fd;

    mn_error_clear(&err);
    snprintf(kb_path, sizeof(kb_path), "/tmp/mn_cases_kb_XXXXXX");
    fd = mkstemp(kb_path);
    close(fd);
    o.built = "2026-11-01";
    if (mn_build_new(&b, &o, &err) ||
        mn_build_add_path(b, MN_CASES "/kb", &err) || add_packs(b, &err) ||
        mn_build_write(b, kb_path, &err) || mn_kb_open(&kb, kb_path, &err) ||
        mn_ctx_new(&ctx, 0, &err)) {
        char line[700];
        fprintf(stderr, "setup: %s\n", mn_error_format(line, 700, &err));
        mn_build_free(b);
        unlink(kb_path);
        return 1;
    }
    mn_build_free(b);
    RUN(run_all);
    mn_ctx_free(ctx);
    mn_kb_free(kb);
    unlink(kb_path);
    DONE();
}
