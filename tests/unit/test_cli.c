/*
 * test_cli.c: the mednec command: exit codes, one-line errors with
 * locations, --help everywhere, the flag form, stdin, bad KB files.
 */
#define _GNU_SOURCE
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static char tmpdir[] = "/tmp/mn_cli_XXXXXX";
static char kb[300];

/* Runs `mednec ARGS` through the shell; captures stdout and stderr. */
static int run(const char *args, char **out, char **err)
{
    char cmd[4096];
    char o[400], e[400];
    int status;
    snprintf(o, sizeof(o), "%s/out", tmpdir);
    snprintf(e, sizeof(e), "%s/err", tmpdir);
    snprintf(cmd, sizeof(cmd), "%s %s >%s 2>%s", MN_CLI, args, o, e);
    status = system(cmd);
    free(*out);
    free(*err);
    *out = mn_t_slurp(o, NULL);
    *err = mn_t_slurp(e, NULL);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int one_line(const char *s)
{
    return s && s[0] && strchr(s, '\n') == s + strlen(s) - 1;
}

static void write_file(const char *name, const char *text, size_t len)
{
    char p[400];
    FILE *f;
    snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
    f = fopen(p, "wb");
    fwrite(text, 1, len, f);
    fclose(f);
}

static void test_usage(void)
{
    char *o = NULL, *e = NULL;
    CHECK_INT(run("", &o, &e), 2);
    CHECK_INT(run("--help", &o, &e), 0);
    CHECK_CONTAINS(o, "check");
    CHECK_INT(run("--version", &o, &e), 0);
    CHECK_CONTAINS(o, "mednec ");
    CHECK_INT(run("frobnicate", &o, &e), 2);
    CHECK(one_line(e));
    CHECK_INT(run("check --help", &o, &e), 0);
    CHECK_CONTAINS(o, "usage: mednec check");
    CHECK_INT(run("build --help", &o, &e), 0);
    CHECK_INT(run("lookup --help", &o, &e), 0);
    CHECK_INT(run("check --bogus", &o, &e), 2);
    CHECK(one_line(e));
    CHECK_INT(run("check --code", &o, &e), 2);
    CHECK_INT(run("check --format xml --code 83036 --dx E11.65", &o, &e), 2);
    CHECK_INT(run("check --code 83036", &o, &e), 2);
    CHECK_INT(run("check --code 83036 --dx E11.65 --date 2024-06-03 "
                  "--age 70 --dob 1954-01-01",
                  &o, &e),
              2);
    CHECK_CONTAINS(e, "--dob or --age, not both");
    CHECK_INT(run("build", &o, &e), 2);
    CHECK_INT(run("lookup", &o, &e), 2);
    free(o);
    free(e);
}

static void test_flags_form(void)
{
    char *o = NULL, *e = NULL;
    char args[600];
    snprintf(args, sizeof(args),
             "check --kb %s --code 82306 --dx E55.9 --age 70 --sex F "
             "--date 2024-06-03 --jurisdiction KY",
             kb);
    CHECK_INT(run(args, &o, &e), 0);
    CHECK_CONTAINS(o, "\"status\":\"covered\"");
    snprintf(args, sizeof(args),
             "check --kb %s --code 82306 --dx I10 --age 70 --date 2024-06-03 "
             "--jurisdiction KY --format text",
             kb);
    CHECK_INT(run(args, &o, &e), 1);
    CHECK_CONTAINS(o, "NOT COVERED");
    CHECK_CONTAINS(o, "A99101");
    snprintf(args, sizeof(args),
             "check --kb %s --code 82306 --dx E55.9 --date 2024-02-30", kb);
    CHECK_INT(run(args, &o, &e), 3);
    CHECK(one_line(e));
    snprintf(args, sizeof(args),
             "check --kb %s --code 82306 --dx E55.9 --units 0 "
             "--date 2024-02-03",
             kb);
    CHECK_INT(run(args, &o, &e), 3);
    /* a history store that does not exist is an input error */
    snprintf(args, sizeof(args),
             "check --kb %s --code 82306 --dx E55.9 --date 2024-06-03 "
             "--history %s/none.db",
             kb, tmpdir);
    CHECK_INT(run(args, &o, &e), 3);
    CHECK(one_line(e));
    /* the README's first example, on the built-in KB */
    CHECK_INT(
        run("check " MN_CASES "/../../examples/awv-too-soon.json", &o, &e), 1);
    CHECK_CONTAINS(o, "\"edit\":\"frequency.exceeded\"");
    CHECK_CONTAINS(o, "2026-06-01");
    /* the built-in KB is used when no KB is given */
    CHECK_INT(run("check --code 83036 --dx E11.65 --date 2024-06-03", &o, &e),
              0);
    CHECK_CONTAINS(o, "policy.none");
    /* money and the claim type (extensions) */
    CHECK_INT(run("check --code 97110 --modifier GP --dx M54.50 "
                  "--date 2024-06-03 --allowed 2330.01",
                  &o, &e),
              1);
    CHECK_CONTAINS(o, "\"edit\":\"therapy.kx_required\"");
    CHECK_CONTAINS(o, "$2,330.01");
    CHECK_INT(run("check --code 97110 --modifier GP --dx M54.50 "
                  "--date 2024-06-03 --charge 2330",
                  &o, &e),
              1);
    CHECK(strstr(o, "therapy.kx_required") == NULL);
    CHECK_INT(run("check --code 97110 --dx M54.50 --date 2024-06-03 "
                  "--allowed 1.234",
                  &o, &e),
              3);
    CHECK_CONTAINS(e, "--allowed: expected dollars");
    CHECK(one_line(e));
    CHECK_INT(run("check --code 97110 --dx M54.50 --date 2024-06-03 "
                  "--charge 100000000",
                  &o, &e),
              3);
    CHECK_CONTAINS(e, "--charge");
    CHECK(one_line(e));
    CHECK_INT(run("check --code E0100 --dx M54.50 --date 2024-06-03 "
                  "--claim-type dental",
                  &o, &e),
              3);
    CHECK_CONTAINS(e, "professional, institutional or dme");
    CHECK_INT(run("check --code E0100 --dx M54.50 --date 2024-06-03 "
                  "--claim-type dme",
                  &o, &e),
              0);
    CHECK_INT(run("check --claim-type dme", &o, &e), 2);
    free(o);
    free(e);
}

static void test_json_input(void)
{
    char *o = NULL, *e = NULL;
    char args[800];
    const char *claim = "{\"jurisdiction\":\"KY\",\"diagnoses\":[\"I10\"],"
                        "\"lines\":[{\"code\":\"82306\",\"date\":"
                        "\"2024-06-03\"}]}";
    write_file("c.json", claim, strlen(claim));
    snprintf(args, sizeof(args), "check --kb %s - < %s/c.json", kb, tmpdir);
    CHECK_INT(run(args, &o, &e), 1);
    CHECK_CONTAINS(o, "policy.dx_not_supported");
    snprintf(args, sizeof(args), "check --kb %s < %s/c.json", kb, tmpdir);
    CHECK_INT(run(args, &o, &e), 1);
    write_file("bad.json", "{\"lines\":[\n  {\"code\": }]}", 26);
    snprintf(args, sizeof(args), "check --kb %s %s/bad.json", kb, tmpdir);
    CHECK_INT(run(args, &o, &e), 3);
    CHECK(one_line(e));
    CHECK_CONTAINS(e, "bad.json:2:");
    CHECK_INT(strlen(o), 0);
    snprintf(args, sizeof(args), "check --kb %s %s/missing.json", kb, tmpdir);
    CHECK_INT(run(args, &o, &e), 3);
    CHECK(one_line(e));
    /* 1,001 lines: over the limit; 1,000: fine */
    for (int n = 1000; n <= 1001; n++) {
        size_t cap = (size_t)n * 64 + 256;
        char *big = malloc(cap);
        size_t l = (size_t)snprintf(big, cap,
                                    "{\"jurisdiction\":\"KY\","
                                    "\"diagnoses\":[\"E55.9\"],\"lines\":[");
        for (int i = 0; i < n; i++)
            l += (size_t)snprintf(big + l, cap - l,
                                  "%s{\"code\":\"82306\",\"date\":"
                                  "\"2024-06-03\"}",
                                  i ? "," : "");
        l += (size_t)snprintf(big + l, cap - l, "]}");
        write_file("big.json", big, l);
        free(big);
        snprintf(args, sizeof(args), "check --kb %s %s/big.json", kb, tmpdir);
        CHECK_INT(run(args, &o, &e), n == 1000 ? 0 : 3);
        if (n == 1001)
            CHECK(one_line(e));
    }
    /* a 1 MB string */
    {
        size_t n = 1 << 20;
        char *big = malloc(n + 100);
        size_t l = (size_t)snprintf(big, 100, "{\"id\":\"");
        memset(big + l, 'x', n);
        l += n;
        l += (size_t)snprintf(big + l, 100, "\",\"lines\":[]}");
        write_file("str.json", big, l);
        free(big);
        snprintf(args, sizeof(args), "check --kb %s %s/str.json", kb, tmpdir);
        CHECK_INT(run(args, &o, &e), 3);
        CHECK(one_line(e));
        CHECK_CONTAINS(e, "id");
    }
    free(o);
    free(e);
}

static void test_bad_kb(void)
{
    char *o = NULL, *e = NULL;
    char args[800];
    size_t len = 0;
    char *bytes = mn_t_slurp(kb, &len);
    CHECK(bytes != NULL && len > 100);
    write_file("trunc.mnkb", bytes, len / 2);
    bytes[len - 3] ^= 1;
    write_file("flip.mnkb", bytes, len);
    write_file("junk.mnkb", "hello", 5);
    free(bytes);
    snprintf(args, sizeof(args),
             "check --kb %s/trunc.mnkb --code 82306 "
             "--dx I10 --date 2024-06-03",
             tmpdir);
    CHECK_INT(run(args, &o, &e), 3);
    CHECK(one_line(e));
    CHECK_CONTAINS(e, "trunc.mnkb");
    snprintf(args, sizeof(args),
             "check --kb %s/flip.mnkb --code 82306 "
             "--dx I10 --date 2024-06-03",
             tmpdir);
    CHECK_INT(run(args, &o, &e), 3);
    CHECK_CONTAINS(e, "checksum");
    snprintf(args, sizeof(args),
             "check --kb %s/junk.mnkb --code 82306 "
             "--dx I10 --date 2024-06-03",
             tmpdir);
    CHECK_INT(run(args, &o, &e), 3);
    snprintf(args, sizeof(args),
             "MEDNEC_KB=%s/junk.mnkb %s check --code "
             "82306 --dx I10 --date 2024-06-03",
             tmpdir, MN_CLI);
    {
        char cmd[1000];
        int st;
        snprintf(cmd, sizeof(cmd), "%s >/dev/null 2>&1", args);
        st = system(cmd);
        CHECK_INT(WEXITSTATUS(st), 3);
    }
    free(o);
    free(e);
}

static void test_build_errors(void)
{
    char *o = NULL, *e = NULL;
    char args[800];
    const char *bad = "article_id,article_version,article_type,title,"
                      "article_eff_date,article_end_date,orig_eff_date,"
                      "status,last_updated,display_id\n"
                      "1,1,B,\"broken title,,,,,,\n";
    char dir[400];
    snprintf(dir, sizeof(dir), "mkdir -p %s/badmcd", tmpdir);
    CHECK_INT(system(dir), 0);
    write_file("badmcd/article.csv", bad, strlen(bad));
    snprintf(args, sizeof(args), "build -o %s/x.mnkb %s/badmcd", tmpdir,
             tmpdir);
    CHECK_INT(run(args, &o, &e), 3);
    CHECK(one_line(e));
    CHECK_CONTAINS(e, "article.csv:2:");
    snprintf(args, sizeof(args), "build -o %s/x.mnkb %s/nothere", tmpdir,
             tmpdir);
    CHECK_INT(run(args, &o, &e), 3);
    CHECK(one_line(e));
    free(o);
    free(e);
}

static void test_lookup(void)
{
    char *o = NULL, *e = NULL;
    char args[600];
    snprintf(args, sizeof(args), "lookup --kb %s --code 64582", kb);
    CHECK_INT(run(args, &o, &e), 0);
    CHECK_CONTAINS(o, "\"id\":\"A99102\"");
    CHECK_CONTAINS(o, "G47.33");
    snprintf(args, sizeof(args),
             "lookup --kb %s --code 82306 --jurisdiction "
             "JE --format text",
             kb);
    CHECK_INT(run(args, &o, &e), 0);
    CHECK_CONTAINS(o, "no NCD or local policy");
    snprintf(args, sizeof(args),
             "lookup --kb %s --code 82306 --jurisdiction "
             "XX",
             kb);
    CHECK_INT(run(args, &o, &e), 3);
    CHECK(one_line(e));
    /* the HCPCS coverage code and statute (tests/cases/kb/hcpcs) */
    snprintf(args, sizeof(args), "lookup --kb %s --code V5010 --format text",
             kb);
    CHECK_INT(run(args, &o, &e), 0);
    CHECK_CONTAINS(o, "HCPCS coverage code S: non-covered by Medicare "
                      "statute; statute SSA 1862(a)(7) (file: 1862A7)");
    snprintf(args, sizeof(args), "lookup --kb %s --code V5010", kb);
    CHECK_INT(run(args, &o, &e), 0);
    CHECK_CONTAINS(o, "\"coverage\":{\"code\":\"S\",\"meaning\":\"non-covered "
                      "by Medicare statute\",\"statute\":\"SSA 1862(a)(7)\","
                      "\"statute_as_given\":\"1862A7\"}");
    snprintf(args, sizeof(args), "lookup --kb %s --code V2025 --format text",
             kb);
    CHECK_INT(run(args, &o, &e), 0);
    CHECK_CONTAINS(o, "HCPCS coverage code M: non-covered by Medicare\n");
    /* a CPT code has no HCPCS record: no coverage */
    snprintf(args, sizeof(args), "lookup --kb %s --code 82306", kb);
    CHECK_INT(run(args, &o, &e), 0);
    CHECK_CONTAINS(o, "\"coverage\":null");
    free(o);
    free(e);
}

/* Line `n` (1-based) of `s`, into `out`. */
static const char *nth_line(const char *s, int n, char *out, size_t size)
{
    out[0] = '\0';
    for (int i = 1; s && *s; i++) {
        const char *e = strchr(s, '\n');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (i == n) {
            snprintf(out, size, "%.*s", (int)len, s);
            break;
        }
        s = e ? e + 1 : NULL;
    }
    return out;
}

static void test_batch(void)
{
    char *o = NULL, *e = NULL;
    char args[1200];
    char line[2048];
    static char big[200000];
    size_t n = 0;
    static const char good[] =
        "{\"id\":\"b1\",\"jurisdiction\":\"KY\",\"patient\":{\"age\":70,"
        "\"sex\":\"F\"},\"diagnoses\":[\"E55.9\"],\"lines\":[{\"code\":"
        "\"82306\",\"date\":\"2024-06-03\"}]}";

    /* a good claim, a blank line, a broken one, a denied one (CRLF) */
    n = (size_t)snprintf(big, sizeof(big),
                         "%s\n\n{\"id\":\"b2\",\"lines\":[{\"code\":\"82306\","
                         "\"date\":\"2024-02-30\"}]}\n{\"id\":\"b3\","
                         "\"jurisdiction\":\"KY\",\"patient\":{\"age\":70},"
                         "\"diagnoses\":[\"I10\"],\"lines\":[{\"code\":"
                         "\"82306\",\"date\":\"2024-06-03\"}]}\r\n",
                         good);
    write_file("in.jsonl", big, n);
    snprintf(args, sizeof(args), "batch --kb %s --threads 2 %s/in.jsonl", kb,
             tmpdir);
    CHECK_INT(run(args, &o, &e), 3);
    CHECK_CONTAINS(nth_line(o, 1, line, sizeof(line)), "\"id\":\"b1\"");
    CHECK_CONTAINS(line, "\"status\":\"covered\"");
    CHECK_CONTAINS(nth_line(o, 2, line, sizeof(line)),
                   "{\"input_line\":3,\"error\":\"lines[0].date: ");
    CHECK_CONTAINS(nth_line(o, 3, line, sizeof(line)), "\"id\":\"b3\"");
    CHECK_CONTAINS(line, "\"status\":\"not_covered\"");
    CHECK(nth_line(o, 4, line, sizeof(line))[0] == '\0');
    CHECK(one_line(e));
    CHECK_CONTAINS(e, "2 claims (2 lines; 1 claims with a line not covered), "
                      "1 input errors, 1 blank lines skipped");
    CHECK(strstr(e, "E55.9") == NULL && strstr(e, "b1") == NULL);

    /* the same claims from stdin, to a file; exit 1 without the error */
    n = (size_t)snprintf(big, sizeof(big), "%s\n%s\n", good, good);
    write_file("two.jsonl", big, n);
    snprintf(args, sizeof(args),
             "batch --kb %s -o %s/out.jsonl - < %s/two.jsonl", kb, tmpdir,
             tmpdir);
    CHECK_INT(run(args, &o, &e), 0);
    CHECK(o && o[0] == '\0');
    {
        char p[400];
        char *f;
        snprintf(p, sizeof(p), "%s/out.jsonl", tmpdir);
        f = mn_t_slurp(p, NULL);
        CHECK_CONTAINS(nth_line(f, 2, line, sizeof(line)), "\"id\":\"b1\"");
        free(f);
    }

    /* order is kept across threads: 300 claims, ids in order */
    n = 0;
    for (int i = 0; i < 300; i++)
        n += (size_t)snprintf(big + n, sizeof(big) - n,
                              "{\"id\":\"k%03d\",\"lines\":[{\"code\":"
                              "\"83036\",\"date\":\"2024-06-03\"}],"
                              "\"diagnoses\":[\"E11.65\"]}\n",
                              i);
    write_file("many.jsonl", big, n);
    snprintf(args, sizeof(args), "batch --kb %s --threads 7 %s/many.jsonl", kb,
             tmpdir);
    CHECK_INT(run(args, &o, &e), 0);
    for (int i = 0; i < 300; i += 37) {
        char want[32];
        snprintf(want, sizeof(want), "\"id\":\"k%03d\"", i);
        CHECK_CONTAINS(nth_line(o, i + 1, line, sizeof(line)), want);
    }

    /* the history store, loaded once, on the built-in KB */
    n = (size_t)snprintf(big, sizeof(big),
                         "{\"id\":\"h1\",\"patient\":{\"id\":\"p1\"},"
                         "\"date\":\"2025-06-10\",\"lines\":[{\"code\":"
                         "\"G0439\"}]}\n");
    write_file("prior.jsonl", big, n);
    snprintf(args, sizeof(args),
             "history import --quiet --db %s/h.db %s/prior.jsonl", tmpdir,
             tmpdir);
    CHECK_INT(run(args, &o, &e), 0);
    n = (size_t)snprintf(big, sizeof(big),
                         "{\"id\":\"n1\",\"patient\":{\"id\":\"p1\","
                         "\"age\":70},\"diagnoses\":[\"Z00.00\"],\"lines\":[{"
                         "\"code\":\"G0439\",\"date\":\"2026-03-02\"}]}\n");
    write_file("now.jsonl", big, n);
    snprintf(args, sizeof(args), "batch --history %s/h.db %s/now.jsonl", tmpdir,
             tmpdir);
    CHECK_INT(run(args, &o, &e), 1);
    CHECK_CONTAINS(o, "\"edit\":\"frequency.exceeded\"");
    CHECK_CONTAINS(o, "2025-06-10");

    /* usage errors */
    CHECK_INT(run("batch --format x12 -", &o, &e), 2);
    CHECK_CONTAINS(e, "X12 837 input is not supported yet");
    CHECK_INT(run("batch --threads 0 -", &o, &e), 2);
    CHECK_INT(run("batch --format csv -", &o, &e), 2);
    snprintf(args, sizeof(args), "batch --kb %s %s/missing.jsonl", kb, tmpdir);
    CHECK_INT(run(args, &o, &e), 3);
    CHECK(one_line(e));
    free(o);
    free(e);
}

/* A claim longer than the 4 MiB limit is an error record, and the claims
 * after it are still read. */
static void test_batch_long_line(void)
{
    char *o = NULL, *e = NULL;
    char args[1200];
    char line[2048];
    size_t n = (5u << 20) + 64;
    char *big = malloc(n + 512);
    size_t k;

    if (!big)
        return;
    k = (size_t)snprintf(big, 64, "{\"id\":\"x\",\"note\":\"");
    memset(big + k, 'a', n - k);
    k = n;
    k += (size_t)snprintf(big + k, 512,
                          "\"}\n{\"id\":\"after\",\"lines\":[{\"code\":"
                          "\"83036\",\"date\":\"2024-06-03\"}],"
                          "\"diagnoses\":[\"E11.65\"]}\n");
    write_file("long.jsonl", big, k);
    free(big);
    snprintf(args, sizeof(args), "batch --kb %s %s/long.jsonl", kb, tmpdir);
    CHECK_INT(run(args, &o, &e), 3);
    CHECK_CONTAINS(nth_line(o, 1, line, sizeof(line)),
                   "{\"input_line\":1,\"error\":\"the claim is longer than");
    CHECK_CONTAINS(nth_line(o, 2, line, sizeof(line)), "\"id\":\"after\"");
    free(o);
    free(e);
}

int main(void)
{
    char cmd[1200];
    int rc;
    if (!mkdtemp(tmpdir))
        return 1;
    snprintf(kb, sizeof(kb), "%s/cases.mnkb", tmpdir);
    snprintf(cmd, sizeof(cmd), "%s build --quiet -o %s %s/kb >/dev/null",
             MN_CLI, kb, MN_CASES);
    rc = system(cmd);
    if (rc != 0) {
        fprintf(stderr, "cannot build the case KB\n");
        return 1;
    }
    RUN(test_usage);
    RUN(test_flags_form);
    RUN(test_json_input);
    RUN(test_bad_kb);
    RUN(test_build_errors);
    RUN(test_lookup);
    RUN(test_batch);
    RUN(test_batch_long_line);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", tmpdir);
    DONE();
}
