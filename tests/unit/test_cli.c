/*
 * test_cli.c: the mednec command: exit codes, one-line errors with
 * locations, --help everywhere, the flag form, stdin, bad KB files; and
 * its files (found by fault injection): an output that is the input, a
 * run killed while writing, devices and directories as outputs, full
 * disks, closed and unreadable standard streams, read-only history
 * stores. $MN_CLI, when set, names the binary to test (else the one
 * built with the tests).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <stdarg.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static char tmpdir[] = "/tmp/mn_cli_XXXXXX";
static char kb[300];
static const char *cli = MN_CLI;

/* Runs `mednec ARGS` through the shell; captures stdout and stderr. */
static int run(const char *args, char **out, char **err)
{
    char cmd[4096];
    char o[400], e[400];
    int status;
    snprintf(o, sizeof(o), "%s/out", tmpdir);
    snprintf(e, sizeof(e), "%s/err", tmpdir);
    snprintf(cmd, sizeof(cmd), "%s %s >%s 2>%s", cli, args, o, e);
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
    CHECK_CONTAINS(o, "2024-12-01");
    CHECK(strstr(o, "kb.") == NULL); /* a date the built-in KB covers */
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
             tmpdir, cli);
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
    CHECK_INT(run("batch --format xml -", &o, &e), 2);
    CHECK_CONTAINS(e, "--format must be auto, jsonl, x12, fhir or csv");
    CHECK_INT(run("batch --threads 0 -", &o, &e), 2);
    CHECK_INT(run("batch --output-format xml -", &o, &e), 2);
    CHECK_INT(run("batch --detail brief --output-format csv -", &o, &e), 2);
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

/* mednec kb info | diff, the build's refusal and summary, what check says
 * about the KB it uses and the dates it covers. */
static void test_kb_commands(void)
{
    char *o = NULL, *e = NULL;
    char args[1200];
    char path[600];
    FILE *f;

    CHECK_INT(run("kb info builtin", &o, &e), 0);
    CHECK_CONTAINS(o, "knowledge base builtin");
    CHECK_CONTAINS(o, "FY2022                     2021-10-01 to 2022-09-30");
    CHECK_CONTAINS(o, "lacks: Medicare Code Editor");
    CHECK_INT(run("kb info --format json builtin", &o, &e), 0);
    CHECK_CONTAINS(o, "\"coverage\":[{\"kind\":\"icd10cm\"");
    CHECK_INT(run("kb info", &o, &e), 2);
    CHECK(one_line(e));
    CHECK_INT(run("kb frob builtin", &o, &e), 2);
    CHECK_INT(run("kb info builtin builtin", &o, &e), 2);
    CHECK_INT(run("kb info --max 3 builtin", &o, &e), 2);
    CHECK_INT(run("kb diff --max x builtin builtin", &o, &e), 2);
    CHECK_INT(run("kb --help", &o, &e), 0);
    CHECK_CONTAINS(o, "usage: mednec kb info");
    snprintf(args, sizeof(args), "kb info %s/none.mnkb", tmpdir);
    CHECK_INT(run(args, &o, &e), 3);
    CHECK(one_line(e));
    CHECK_INT(run("kb diff builtin builtin", &o, &e), 0);
    CHECK_CONTAINS(o, "policies (NCDs, LCDs, articles): 0 added, 0 revised, "
                      "0 retired");
    snprintf(args, sizeof(args), "kb diff builtin %s", kb);
    CHECK_INT(run(args, &o, &e), 1);
    CHECK_CONTAINS(o, "policies (NCDs, LCDs, articles): ");
    snprintf(args, sizeof(args), "kb diff --format json --max 2 builtin %s",
             kb);
    CHECK_INT(run(args, &o, &e), 1);
    CHECK_CONTAINS(o, "\"summary\":{");

    /* nothing recognised: refused, nothing written */
    snprintf(args, sizeof(args), "mkdir -p %s/emptydir", tmpdir);
    CHECK_INT(system(args), 0);
    snprintf(path, sizeof(path), "%s/empty.mnkb", tmpdir);
    snprintf(args, sizeof(args), "build -o %s %s/emptydir", path, tmpdir);
    CHECK_INT(run(args, &o, &e), 3);
    CHECK(one_line(e));
    CHECK_CONTAINS(e, "no recognised source");
    CHECK_CONTAINS(e, "--allow-empty");
    f = fopen(path, "rb");
    CHECK(f == NULL);
    if (f)
        fclose(f);
    snprintf(args, sizeof(args), "build --allow-empty -o %s %s/emptydir", path,
             tmpdir);
    CHECK_INT(run(args, &o, &e), 0);
    CHECK_CONTAINS(o, "holds: rule pack medicare-core");
    CHECK_CONTAINS(o, "lacks: ICD-10-CM, HCPCS Level II");
    snprintf(args, sizeof(args), "build -o %s --source-date nodate %s", path,
             MN_CASES "/kb");
    CHECK_INT(run(args, &o, &e), 2);
    snprintf(args, sizeof(args), "build -o %s --source-date 'x*=2024-13-01' %s",
             path, MN_CASES "/kb");
    CHECK_INT(run(args, &o, &e), 2);
    /* the summary of a real build */
    snprintf(args, sizeof(args), "build -o %s --quiet %s", path,
             MN_CASES "/kb");
    CHECK_INT(run(args, &o, &e), 0);
    CHECK_CONTAINS(o, "holds: ICD-10-CM 2023-10-01 to 2024-09-30\n");
    CHECK_CONTAINS(o, "       NCCI MUE (practitioner services) 2023-10-01 "
                      "to 2024-09-30\n");
    CHECK_CONTAINS(o, "       HCPCS Level II modifiers (dates unknown)\n");
    CHECK_CONTAINS(o, "lacks: NCCI MUE (DME supplier services)");

    /* check without --kb names the KB it uses and what it lacks */
    CHECK_INT(run("check --code 83036 --dx E11.65 --date 2024-03-04", &o, &e),
              0);
    CHECK_CONTAINS(e, "knowledge base builtin (compiled into mednec");
    CHECK_CONTAINS(e, "mednec check: holds: ICD-10-CM 2021-01-01 to");
    CHECK_CONTAINS(e, "mednec check: lacks: Medicare Code Editor");
    snprintf(args, sizeof(args),
             "check --kb %s --code 83036 --dx E11.65 --date 2024-03-04", kb);
    CHECK_INT(run(args, &o, &e), 0);
    CHECK_STR(e, "");
    /* the built-in KB judges diagnoses against its code lists */
    CHECK_INT(run("check --code 83036 --dx Z99999 --date 2024-03-04", &o, &e),
              1);
    CHECK_CONTAINS(o, "\"edit\":\"dx.invalid\"");
    /* a date it does not cover is indeterminate, never a denial */
    CHECK_INT(run("check --code 83036 --dx E11.A --date 2025-03-01", &o, &e),
              1);
    CHECK_CONTAINS(o, "\"status\":\"indeterminate\"");
    CHECK_CONTAINS(o, "\"edit\":\"kb.outside_range\"");
    CHECK(strstr(o, "dx.invalid") == NULL);
    /* a rule pack that starts later than the date does not judge it */
    CHECK_INT(run("check --code G0439 --dx Z00.00 --date 2023-12-15", &o, &e),
              1);
    CHECK_CONTAINS(o, "\"status\":\"indeterminate\"");
    CHECK_CONTAINS(o, "medicare-preventive");
    free(o);
    free(e);
}

/* ------------------------------------------------------------------ */
/* Files and exit codes                                                */
/* ------------------------------------------------------------------ */

/* Runs the shell command `fmt` (formatted) with stderr captured into
 * `*err`; returns the exit code, or 128 + the signal. */
static int sh(char **err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int sh(char **err, const char *fmt, ...)
{
    char cmd[4096];
    char e[400];
    va_list ap;
    int n;
    int status;

    snprintf(e, sizeof(e), "%s/sh_err", tmpdir);
    va_start(ap, fmt);
    n = vsnprintf(cmd, sizeof(cmd) - 500, fmt, ap);
    va_end(ap);
    snprintf(cmd + n, sizeof(cmd) - (size_t)n, " 2>%s", e);
    status = system(cmd);
    free(*err);
    *err = mn_t_slurp(e, NULL);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static const char *tpath(const char *name)
{
    static char p[4][300];
    static int next;
    char *out = p[next++ % 4];
    snprintf(out, 300, "%s/%s", tmpdir, name);
    return out;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits up to 10 s for a file starting with `prefix` in `dir`. */
static int wait_prefix(const char *dir, const char *prefix)
{
    for (int i = 0; i < 200; i++) {
        if (mn_t_count_prefix(dir, prefix) > 0)
            return 1;
        sleep_ms(50);
    }
    return 0;
}

/* Starts `argv` (argv[0] is the binary) with stdout and stderr in
 * tmpdir/bg_out and bg_err and the default signal dispositions. */
static pid_t start(char *const argv[])
{
    pid_t pid = fork();

    if (pid == 0) {
        int o = open(tpath("bg_out"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(tpath("bg_err"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        sigset_t none;
        dup2(o, 1);
        dup2(e, 2);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

/* Ends `pid` with `sig`; returns the signal it died of (0: it exited). */
static int stop(pid_t pid, int sig)
{
    int status = 0;

    kill(pid, sig);
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

/* Opens the FIFO `path` for writing once a reader has it open (10 s). */
static int open_fifo_writer(const char *path)
{
    for (int i = 0; i < 200; i++) {
        int fd = open(path, O_WRONLY | O_NONBLOCK);
        if (fd >= 0) {
            fcntl(fd, F_SETFL, 0);
            return fd;
        }
        sleep_ms(50);
    }
    return -1;
}

static const char claim_line[] =
    "{\"id\":\"b1\",\"jurisdiction\":\"KY\",\"patient\":{\"age\":70,"
    "\"sex\":\"F\"},\"diagnoses\":[\"E55.9\"],\"lines\":[{\"code\":"
    "\"82306\",\"date\":\"2024-06-03\"}]}\n";

/* batch -o naming its own input, by any name, is refused and the input
 * stays whole (it was emptied, exit 0). */
static void test_batch_output_is_input(void)
{
    char *e = NULL;
    char in[400];

    snprintf(in, sizeof(in), "%s", tpath("self.jsonl"));
    write_file("self.jsonl", claim_line, strlen(claim_line));
    CHECK_INT(symlink(in, tpath("self-link.jsonl")), 0);
    CHECK_INT(link(in, tpath("self-hard.jsonl")), 0);
    CHECK_INT(sh(&e, "%s batch --kb %s -o %s %s", cli, kb, in, in), 3);
    CHECK(one_line(e));
    CHECK_CONTAINS(e, "self.jsonl: is the input");
    CHECK(mn_t_file_is(in, claim_line));
    /* another path to the same file */
    CHECK_INT(sh(&e,
                 "cd %s && %s batch --kb %s -o ./self.jsonl ../%s/self.jsonl",
                 tmpdir, cli, kb, strrchr(tmpdir, '/') + 1),
              3);
    CHECK_CONTAINS(e, "is the input");
    CHECK(mn_t_file_is(in, claim_line));
    /* a symbolic link, a hard link, standard input */
    CHECK_INT(sh(&e, "%s batch --kb %s -o %s %s", cli, kb,
                 tpath("self-link.jsonl"), in),
              3);
    CHECK_CONTAINS(e, "self-link.jsonl: is the input");
    CHECK(mn_t_file_is(in, claim_line));
    CHECK_INT(sh(&e, "%s batch --kb %s -o %s %s", cli, kb,
                 tpath("self-hard.jsonl"), in),
              3);
    CHECK_CONTAINS(e, "is the input");
    CHECK_INT(sh(&e, "%s batch --kb %s -o %s - < %s", cli, kb, in, in), 3);
    CHECK_CONTAINS(e, "is the input");
    CHECK(mn_t_file_is(in, claim_line));
    CHECK(mn_t_file_is(tpath("self-link.jsonl"), claim_line));
    /* through a symbolic link the file it names is replaced, the link
     * stays */
    write_file("target.jsonl", "old\n", 4);
    CHECK_INT(symlink(tpath("target.jsonl"), tpath("out-link.jsonl")), 0);
    CHECK_INT(sh(&e, "%s batch --kb %s -o %s %s", cli, kb,
                 tpath("out-link.jsonl"), in),
              0);
    {
        struct stat st;
        char *got = mn_t_slurp(tpath("target.jsonl"), NULL);
        CHECK_CONTAINS(got, "\"id\":\"b1\"");
        free(got);
        CHECK(lstat(tpath("out-link.jsonl"), &st) == 0 && S_ISLNK(st.st_mode));
    }
    free(e);
}

/* batch writes a temporary file beside the output and renames it at the
 * end: killed while running, the output is as it was, and SIGTERM/SIGINT
 * remove the temporary file (the output was written in place). */
static void test_batch_killed(void)
{
    static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGKILL};
    char dir[300];
    char out[400], fifo[400];
    char *e = NULL;

    snprintf(dir, sizeof(dir), "%s", tpath("bk"));
    CHECK_INT(mkdir(dir, 0755), 0);
    snprintf(out, sizeof(out), "%s/out.jsonl", dir);
    snprintf(fifo, sizeof(fifo), "%s/in.fifo", dir);
    CHECK_INT(mkfifo(fifo, 0644), 0);
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        char *argv[] = {(char *)cli, "batch", "--kb", kb,
                        "-o",        out,     fifo,   NULL};
        pid_t pid;
        int fd;
        FILE *f = fopen(out, "wb");
        fputs("old\n", f);
        fclose(f);
        pid = start(argv);
        fd = open_fifo_writer(fifo);
        CHECK(fd >= 0);
        if (fd >= 0)
            CHECK(write(fd, claim_line, strlen(claim_line)) > 0);
        /* running, reading more: its results go to a temporary file */
        CHECK(wait_prefix(dir, "out.jsonl.tmp-"));
        CHECK(mn_t_file_is(out, "old\n"));
        CHECK_INT(stop(pid, sigs[i]), sigs[i]);
        if (fd >= 0)
            close(fd);
        CHECK(mn_t_file_is(out, "old\n"));
        if (sigs[i] != SIGKILL) {
            CHECK_INT(mn_t_count_prefix(dir, "out.jsonl.tmp-"), 0);
        } else {
            /* nothing can catch SIGKILL: the temporary file stays, under
             * a name that says what it is */
            CHECK_INT(mn_t_count_prefix(dir, "out.jsonl.tmp-"), 1);
            CHECK_INT(sh(&e, "rm -f %s/out.jsonl.tmp-*", dir), 0);
        }
    }
    /* a run that ends writes the output and leaves nothing else */
    {
        char *argv[] = {(char *)cli, "batch", "--kb", kb,
                        "-o",        out,     fifo,   NULL};
        pid_t pid = start(argv);
        int status = 0;
        int fd = open_fifo_writer(fifo);
        CHECK(fd >= 0);
        if (fd >= 0) {
            CHECK(write(fd, claim_line, strlen(claim_line)) > 0);
            close(fd);
        }
        CHECK(waitpid(pid, &status, 0) == pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        CHECK(mn_t_count_prefix(dir, "out.jsonl") == 1);
        {
            char *got = mn_t_slurp(out, NULL);
            CHECK_CONTAINS(got, "\"id\":\"b1\"");
            free(got);
        }
    }
    free(e);
}

/* build -o refuses a directory and a device, FIFO or socket (it replaced
 * them); build removes its temporary file on SIGTERM and SIGINT. */
static void test_build_output(void)
{
    char dir[300];
    char fifo[400], node[400], out[400], src[400];
    struct stat st;
    char *e = NULL;

    snprintf(dir, sizeof(dir), "%s", tpath("bo"));
    CHECK_INT(mkdir(dir, 0755), 0);
    snprintf(fifo, sizeof(fifo), "%s/kb.fifo", dir);
    CHECK_INT(mkfifo(fifo, 0644), 0);
    CHECK_INT(sh(&e, "%s build --quiet -o %s %s/kb", cli, fifo, MN_CASES), 3);
    CHECK(one_line(e));
    CHECK_CONTAINS(e, "kb.fifo: not a regular file");
    CHECK(stat(fifo, &st) == 0 && S_ISFIFO(st.st_mode));
    /* a character device (a copy of /dev/null), where we may make one */
    snprintf(node, sizeof(node), "%s/null", dir);
    if (mknod(node, S_IFCHR | 0666, makedev(1, 3)) == 0) {
        CHECK_INT(sh(&e, "%s build --quiet -o %s %s/kb", cli, node, MN_CASES),
                  3);
        CHECK_CONTAINS(e, "null: not a regular file");
        CHECK(stat(node, &st) == 0 && S_ISCHR(st.st_mode));
    } else {
        fprintf(stderr,
                "note: cannot make a device node here (%s); the "
                "FIFO stands for it\n",
                strerror(errno));
    }
    CHECK_INT(sh(&e, "%s build --quiet -o %s %s/kb", cli, dir, MN_CASES), 3);
    CHECK(one_line(e));
    CHECK_CONTAINS(e, "bo: is a directory");
    CHECK_INT(mn_t_count_prefix(tmpdir, "bo.tmp-"), 0);

    /* killed while it reads its sources (a FIFO nobody writes) */
    snprintf(out, sizeof(out), "%s/kb.mnkb", dir);
    snprintf(src, sizeof(src), "%s/icd10cm_codes_2024.txt", dir);
    CHECK_INT(mkfifo(src, 0644), 0);
    for (int i = 0; i < 2; i++) {
        int sig = i ? SIGINT : SIGTERM;
        char *argv[] = {(char *)cli, "build", "--quiet", "-o", out, src, NULL};
        pid_t pid;
        FILE *f = fopen(out, "wb");
        fputs("old", f);
        fclose(f);
        pid = start(argv);
        CHECK(wait_prefix(dir, "kb.mnkb.tmp-"));
        CHECK_INT(stop(pid, sig), sig);
        CHECK_INT(mn_t_count_prefix(dir, "kb.mnkb.tmp-"), 0);
        CHECK(mn_t_file_is(out, "old"));
    }
    free(e);
}

/* Writing files that cannot hold the output: exit 3 with the path and the
 * reason in every command that writes one (batch said "cannot write the
 * output" and exited 4). A device is written in place, never replaced. */
static void test_full_disk(void)
{
    char *e = NULL;
    char *many = NULL;
    size_t n = 0;
    struct stat st;
    int tmpfs;

    /* 400 claims: more than the small limits below */
    many = malloc(400 * sizeof(claim_line));
    for (int i = 0; many && i < 400; i++) {
        memcpy(many + n, claim_line, sizeof(claim_line) - 1);
        n += sizeof(claim_line) - 1;
    }
    if (many)
        write_file("many-claims.jsonl", many, n);
    free(many);
    CHECK_INT(sh(&e, "%s batch --kb %s -o /dev/full %s", cli, kb,
                 tpath("many-claims.jsonl")),
              3);
    CHECK(one_line(e));
    CHECK_CONTAINS(e, "/dev/full: cannot write: No space left on device");
    CHECK(stat("/dev/full", &st) == 0 && S_ISCHR(st.st_mode));
    CHECK_INT(sh(&e, "%s batch --kb %s -o /dev/null %s", cli, kb,
                 tpath("many-claims.jsonl")),
              0);
    CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));

    /* a file size limit (any user): the write fails with EFBIG */
    CHECK_INT(sh(&e,
                 "trap '' XFSZ; ulimit -f 16; exec %s build --quiet -o %s "
                 "%s/kb",
                 cli, tpath("big.mnkb"), MN_CASES),
              3);
    CHECK(one_line(e));
    CHECK_CONTAINS(e, "big.mnkb: cannot write: File too large");
    CHECK_INT(mn_t_count_prefix(tmpdir, "big.mnkb"), 0);
    CHECK_INT(sh(&e,
                 "trap '' XFSZ; ulimit -f 16; exec %s batch --kb %s -o %s "
                 "%s",
                 cli, kb, tpath("big.jsonl"), tpath("many-claims.jsonl")),
              3);
    CHECK(one_line(e));
    CHECK_CONTAINS(e, "big.jsonl: cannot write: File too large");
    CHECK_INT(mn_t_count_prefix(tmpdir, "big.jsonl"), 0);

    /* a real full disk: a 16 KiB tmpfs in a private mount namespace,
     * where this user may make one (root in a container, typically) */
    CHECK_INT(mkdir(tpath("full"), 0755), 0);
    tmpfs = sh(&e, "unshare -m sh -c 'mount -t tmpfs -o size=16k tmpfs %s'",
               tpath("full")) == 0;
    if (!tmpfs) {
        fprintf(stderr, "note: no private tmpfs here; ENOSPC tested through "
                        "/dev/full only\n");
        free(e);
        return;
    }
    CHECK_INT(sh(&e,
                 "unshare -m sh -c 'mount -t tmpfs -o size=16k tmpfs %s && "
                 "exec %s build --quiet -o %s/kb.mnkb %s/kb'",
                 tpath("full"), cli, tpath("full"), MN_CASES),
              3);
    CHECK(one_line(e));
    CHECK_CONTAINS(e, "kb.mnkb: cannot write: No space left on device");
    CHECK_INT(sh(&e,
                 "unshare -m sh -c 'mount -t tmpfs -o size=16k tmpfs %s && "
                 "exec %s batch --kb %s -o %s/out.jsonl %s'",
                 tpath("full"), cli, kb, tpath("full"),
                 tpath("many-claims.jsonl")),
              3);
    CHECK(one_line(e));
    CHECK_CONTAINS(e, "out.jsonl: cannot write: No space left on device");
    {
        /* history import: claims with patients, many of them */
        FILE *f = fopen(tpath("many-prior.jsonl"), "wb");
        for (int i = 0; f && i < 3000; i++)
            fprintf(f,
                    "{\"id\":\"h%d\",\"patient\":{\"id\":\"p%d\"},\"date\":"
                    "\"2025-06-10\",\"lines\":[{\"code\":\"G0439\"}]}\n",
                    i, i);
        if (f)
            fclose(f);
    }
    CHECK_INT(sh(&e,
                 "unshare -m sh -c 'mount -t tmpfs -o size=16k tmpfs %s && "
                 "exec %s history import --quiet --db %s/h.db %s'",
                 tpath("full"), cli, tpath("full"), tpath("many-prior.jsonl")),
              3);
    CHECK(one_line(e));
    CHECK_CONTAINS(e, "h.db: history store: ");
    CHECK_CONTAINS(e, "No space left on device");
    free(e);
}

static const char prior_line[] =
    "{\"id\":\"h1\",\"patient\":{\"id\":\"p1\"},\"date\":"
    "\"2025-06-10\",\"lines\":[{\"code\":\"G0439\"}]}\n";
static const char now_line[] =
    "{\"id\":\"n1\",\"patient\":{\"id\":\"p1\",\"age\":70},"
    "\"diagnoses\":[\"Z00.00\"],\"lines\":[{\"code\":\"G0439\","
    "\"date\":\"2026-03-02\"}]}\n";

/* `tmpl` with %K (the case KB), %T (the test folder), %C (the cases) and
 * %M (the mednec binary) replaced. */
static void expand(const char *tmpl, char *out, size_t size)
{
    size_t k = 0;

    for (const char *p = tmpl; *p && k + 400 < size; p++) {
        const char *v = NULL;
        if (p[0] == '%' && p[1] == 'K')
            v = kb;
        else if (p[0] == '%' && p[1] == 'T')
            v = tmpdir;
        else if (p[0] == '%' && p[1] == 'C')
            v = MN_CASES;
        else if (p[0] == '%' && p[1] == 'M')
            v = cli;
        if (v) {
            k += (size_t)snprintf(out + k, size - k, "%s", v);
            p++;
        } else {
            out[k++] = *p;
        }
    }
    out[k] = '\0';
}

/* Standard output that cannot be written (a full disk, closed): exit 3
 * and one line with "standard output" and the reason, in every command
 * (it was exit 0 or exit 4 without a word). */
static void test_stdout_failures(void)
{
    const char *cmds[] = {
        "--help",
        "--version",
        "check --help",
        "batch --help",
        "build --help",
        "lookup --help",
        "history --help",
        "history import --help",
        "check --kb %K --code 82306 --dx E55.9 --date 2024-06-03",
        "check --kb %K --format text --code 82306 --dx I10 --date 2024-06-03",
        "lookup --kb %K --code 64582",
        "lookup --kb %K --code 64582 --format text",
        "batch --kb %K %T/two.jsonl",
        "build -o %T/w.mnkb %C/kb",
        "history import --db %T/w.db %T/prior.jsonl",
        "history stats --db %T/w.db",
    };
    const char *targets[] = {"/dev/full", "&-"};
    const char *reasons[] = {"No space left on device", "Bad file descriptor"};
    char *e = NULL;

    write_file("two.jsonl", claim_line, strlen(claim_line));
    write_file("prior.jsonl", prior_line, strlen(prior_line));
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        char args[1000];
        expand(cmds[i], args, sizeof(args));
        for (size_t t = 0; t < 2; t++) {
            int rc = sh(&e, "%s %s >%s", cli, args, targets[t]);
            if (rc != 3 || !e || !strstr(e, "standard output: cannot write") ||
                !strstr(e, reasons[t]))
                fprintf(stderr, "  mednec %s >%s: exit %d: %s", args,
                        targets[t], rc, e ? e : "(nothing)\n");
            CHECK_INT(rc, 3);
            CHECK_CONTAINS(e, "standard output: cannot write: ");
            CHECK_CONTAINS(e, reasons[t]);
        }
    }
    free(e);
}

/* Standard input closed or unreadable: an error naming it, never exit 0
 * (history import - with stdin closed imported nothing and exited 0). */
static void test_stdin_failures(void)
{
    char *e = NULL;

    CHECK_INT(
        sh(&e, "%s history import --quiet --db %s - <&-", cli, tpath("in.db")),
        3);
    CHECK(one_line(e));
    CHECK_CONTAINS(e, "standard input: cannot read: Bad file descriptor");
    CHECK_INT(sh(&e, "%s history import --quiet --db %s - < %s", cli,
                 tpath("in.db"), tmpdir),
              3);
    CHECK_CONTAINS(e, "standard input: cannot read: Is a directory");
    CHECK_INT(sh(&e, "%s check --kb %s <&-", cli, kb), 3);
    CHECK_CONTAINS(e, "standard input: cannot read: Bad file descriptor");
    CHECK_INT(sh(&e, "%s batch --kb %s - <&- >/dev/null", cli, kb), 3);
    CHECK_CONTAINS(e, "standard input: cannot read: Bad file descriptor");
    CHECK_INT(sh(&e, "%s batch --kb %s %s >/dev/null", cli, kb, tmpdir), 3);
    CHECK_CONTAINS(e, ": cannot read: Is a directory");
    free(e);
}

/* A history store in a folder this user cannot write: read read-only
 * without creating its WAL side files (batch said "not a mednec history
 * store", check "attempt to write a readonly database"). */
static void test_history_read_only(void)
{
    char dir[300];
    char db[400];
    char as[200] = "";
    char *e = NULL;
    char *o = NULL;

    snprintf(dir, sizeof(dir), "%s", tpath("rostore"));
    CHECK_INT(mkdir(dir, 0755), 0);
    snprintf(db, sizeof(db), "%s/h.db", dir);
    write_file("ro-prior.jsonl", prior_line, strlen(prior_line));
    write_file("ro-now.jsonl", now_line, strlen(now_line));
    CHECK_INT(sh(&e, "%s history import --quiet --db %s %s", cli, db,
                 tpath("ro-prior.jsonl")),
              0);
    CHECK_INT(mn_t_count_prefix(dir, "h.db-"), 0); /* closed cleanly */
    chmod(db, 0444);
    chmod(dir, 0555);
    if (geteuid() == 0) {
        /* root writes anywhere: read as nobody */
        if (sh(&e, "setpriv --reuid=65534 --regid=65534 --clear-groups true") !=
            0) {
            fprintf(stderr, "note: root without setpriv: read-only folder "
                            "not tested\n");
            chmod(dir, 0755);
            free(e);
            return;
        }
        chmod(tmpdir, 0755);
        snprintf(as, sizeof(as),
                 "setpriv --reuid=65534 --regid=65534 --clear-groups ");
    }
    CHECK_INT(sh(&e, "%s%s batch --history %s %s > %s", as, cli, db,
                 tpath("ro-now.jsonl"), tpath("ro-out")),
              1);
    o = mn_t_slurp(tpath("ro-out"), NULL);
    CHECK_CONTAINS(o, "\"edit\":\"frequency.exceeded\"");
    free(o);
    CHECK_INT(sh(&e, "%s%s check --history %s %s > %s", as, cli, db,
                 tpath("ro-now.jsonl"), tpath("ro-out")),
              1);
    o = mn_t_slurp(tpath("ro-out"), NULL);
    CHECK_CONTAINS(o, "2025-06-10");
    free(o);
    CHECK_INT(
        sh(&e, "%s%s history stats --db %s > %s", as, cli, db, tpath("ro-out")),
        0);
    o = mn_t_slurp(tpath("ro-out"), NULL);
    CHECK_CONTAINS(o, "services  1");
    free(o);
    /* no side file was made, nothing was written */
    CHECK_INT(mn_t_count_prefix(dir, "h.db-"), 0);
    /* importing into it is an error that says why */
    CHECK_INT(sh(&e, "%s%s history import --quiet --db %s %s", as, cli, db,
                 tpath("ro-prior.jsonl")),
              3);
    CHECK(one_line(e));
    CHECK_CONTAINS(e, "h.db: ");
    chmod(dir, 0755);
    chmod(tmpdir, 0700);

    /* what is not a history store says so, with the path */
    write_file("not-a-store.db", "hello\n", 6);
    CHECK_INT(sh(&e, "%s batch --history %s %s >/dev/null", cli,
                 tpath("not-a-store.db"), tpath("ro-now.jsonl")),
              3);
    CHECK(one_line(e));
    CHECK_CONTAINS(e, "not-a-store.db: not a mednec history store");
    CHECK_INT(sh(&e, "%s check --history %s %s >/dev/null", cli,
                 tpath("not-a-store.db"), tpath("ro-now.jsonl")),
              3);
    CHECK_CONTAINS(e, "not-a-store.db: not a mednec history store");
    CHECK_INT(sh(&e, "%s batch --history %s %s >/dev/null", cli, dir,
                 tpath("ro-now.jsonl")),
              3);
    CHECK_CONTAINS(e, "rostore: is a directory");
    CHECK_INT(sh(&e, "%s history stats --db %s", cli, dir), 3);
    CHECK_CONTAINS(e, "rostore: is a directory");
    free(e);
}

/* Every message names the file and the reason. */
static void test_messages(void)
{
    char *e = NULL;

    CHECK_INT(sh(&e,
                 "%s check --kb %s --code 82306 --dx E55.9 --date "
                 "2024-06-03",
                 cli, tmpdir),
              3);
    CHECK(one_line(e));
    CHECK_CONTAINS(e, ": is a directory, not a knowledge base");
    CHECK(strstr(e, "too short") == NULL);
    CHECK_INT(sh(&e,
                 "%s check --kb %s --code 82306 --dx E55.9 --date "
                 "2024-06-03",
                 cli, tpath("no.mnkb")),
              3);
    CHECK_CONTAINS(e, "no.mnkb: cannot open the knowledge base: No such file "
                      "or directory");
    CHECK_INT(sh(&e, "%s batch --kb %s %s", cli, kb, tpath("no.jsonl")), 3);
    CHECK(one_line(e));
    CHECK_CONTAINS(e, "no.jsonl: cannot open: No such file or directory");
    CHECK_INT(sh(&e, "%s batch --kb %s -o %s/x.jsonl %s", cli, kb,
                 tpath("nodir"), tpath("two.jsonl")),
              3);
    CHECK(one_line(e));
    CHECK_CONTAINS(e, "nodir/x.jsonl: cannot create a temporary file beside "
                      "it: No such file or directory");
    CHECK_INT(sh(&e, "%s batch --kb %s -o %s %s", cli, kb, tmpdir,
                 tpath("two.jsonl")),
              3);
    CHECK_CONTAINS(e, ": is a directory");
    CHECK_INT(sh(&e, "%s build --quiet -o %s/x.mnkb %s/kb", cli, tpath("nodir"),
                 MN_CASES),
              3);
    CHECK(one_line(e));
    CHECK_CONTAINS(e, "nodir/x.mnkb: cannot create a temporary file beside "
                      "it: No such file or directory");
    CHECK_INT(sh(&e, "%s history import --db %s %s", cli, tpath("two.jsonl"),
                 tpath("no.jsonl")),
              3);
    CHECK_CONTAINS(e, "no.jsonl: cannot open: No such file or directory");
    CHECK_INT(sh(&e, "%s build --quiet --rules %s -o %s %s/kb", cli,
                 tpath("no.mnr"), tpath("r.mnkb"), MN_CASES),
              3);
    CHECK_CONTAINS(e, "no.mnr: cannot open: No such file or directory");
    free(e);
}

/*
 * The exit-code rule of docs/cli.md, command by command: 3 for a path or
 * input the user named (unreadable, unwritable, a full disk, malformed),
 * 2 for usage, 4 for internal errors (a thread that cannot start, out of
 * memory). Full disks were 4 in batch and 3 in build.
 */
static void test_exit_rule(void)
{
    static const struct {
        const char *cmd;
        int code;
        const char *says;
    } cases[] = {
        /* check */
        {"%M check --kb %K %T/nothere.json", 3, "nothere.json: cannot open"},
        {"%M check --kb %K %T/bad.json", 3, "bad.json:2:"},
        {"%M check --kb %T/nothere.mnkb --code 82306 --dx E55.9 --date "
         "2024-06-03",
         3, "nothere.mnkb: cannot open the knowledge base"},
        {"%M check --kb %K --code 82306 --dx E55.9 --date 2024-06-03 "
         ">/dev/full",
         3, "standard output: cannot write: No space left on device"},
        {"%M check --kb %K --code 82306 --dx E55.9 --date 2024-06-03 "
         "--history %T",
         3, ": is a directory, not a mednec history store"},
        {"%M check --nope", 2, "unknown option"},
        /* batch */
        {"%M batch --kb %K %T/nothere.jsonl", 3, "nothere.jsonl: cannot open"},
        {"%M batch --kb %K -o %T/nodir/o.jsonl %T/two.jsonl", 3,
         "cannot create a temporary file beside it"},
        {"%M batch --kb %K -o /dev/full %T/two.jsonl", 3,
         "/dev/full: cannot write: No space left on device"},
        {"%M batch --kb %K %T/two.jsonl >/dev/full", 3,
         "standard output: cannot write: No space left on device"},
        {"%M batch --kb %K --history %T/bad.json %T/two.jsonl", 3,
         "bad.json: not a mednec history store"},
        {"%M batch --threads 0", 2, "--threads"},
        /* build */
        {"%M build -o %T/x.mnkb %T/nothere", 3, "nothere: no such file"},
        {"%M build -o %T/x.mnkb %T/badmcd", 3, "article.csv:2:"},
        {"%M build -o %T/nodir/x.mnkb %C/kb", 3,
         "cannot create a temporary file beside it"},
        {"trap '' XFSZ; ulimit -f 16; exec %M build --quiet -o %T/x.mnkb "
         "%C/kb",
         3, "x.mnkb: cannot write: File too large"},
        {"%M build %C/kb", 2, "need -o"},
        /* lookup */
        {"%M lookup --kb %T/nothere.mnkb --code 64582", 3,
         "nothere.mnkb: cannot open the knowledge base"},
        {"%M lookup --kb %K --code 64582 >/dev/full", 3,
         "standard output: cannot write: No space left on device"},
        {"%M lookup --kb %K --code 64582 --jurisdiction XX", 3, "XX"},
        {"%M lookup", 2, "--code is required"},
        /* history */
        {"%M history import --db %T/e.db %T/nothere.jsonl", 3,
         "nothere.jsonl: cannot open"},
        {"%M history import --quiet --db %T/e.db %T/bad.json", 3,
         "bad.json:1:"},
        {"%M history import --quiet --db %T/e.db - <&-", 3,
         "standard input: cannot read"},
        {"%M history import --db %T %T/two.jsonl", 3,
         ": is a directory, not a mednec history store"},
        {"trap '' XFSZ; ulimit -f 1; exec %M history import --quiet --db "
         "%T/f.db %T/prior.jsonl",
         3, "f.db: history store: "},
        {"%M history stats --db %T/nothere.db", 3,
         "nothere.db: no such history store"},
        {"%M history stats --db %T/bad.json", 3,
         "bad.json: not a mednec history store"},
        {"%M history stats --db %T/e.db >/dev/full", 3,
         "standard output: cannot write: No space left on device"},
        {"%M history frob", 2, "unknown subcommand"},
        /* help and version */
        {"%M --help >/dev/full", 3, "standard output: cannot write"},
        {"%M --version >&-", 3, "standard output: cannot write"},
        {"%M", 2, "usage"},
    };
    char *e = NULL;
    char cmd[2000];

    write_file("two.jsonl", claim_line, strlen(claim_line));
    write_file("bad.json", "{\"lines\":[\n  {\"code\": }]}", 26);
    write_file("prior.jsonl", prior_line, strlen(prior_line));
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc;
        expand(cases[i].cmd, cmd, sizeof(cmd));
        rc = sh(&e, "%s", cmd);
        if (rc != cases[i].code || !e || !strstr(e, cases[i].says))
            fprintf(stderr, "  %s: exit %d: %s", cases[i].cmd, rc,
                    e ? e : "(nothing)\n");
        CHECK_INT(rc, cases[i].code);
        CHECK_CONTAINS(e, cases[i].says);
        if (cases[i].code == 3)
            CHECK(one_line(e));
    }
    /* the failed builds and batches left no temporary file */
    CHECK_INT(mn_t_count_prefix(tmpdir, "x.mnkb"), 0);
    CHECK_INT(mn_t_count_prefix(tmpdir, "o.jsonl"), 0);
    /* an internal error: 64 threads cannot start in 100 MB of address
     * space (skipped where the binary cannot run so limited: sanitizers) */
    expand("ulimit -v 100000; exec %M --version >/dev/null", cmd, sizeof(cmd));
    if (sh(&e, "%s", cmd) == 0) {
        FILE *f = fopen(tpath("hundred.jsonl"), "wb");
        for (int i = 0; f && i < 100; i++)
            fputs(claim_line, f);
        if (f)
            fclose(f);
        expand("ulimit -v 100000; exec %M batch --kb %K --threads 64 "
               "%T/hundred.jsonl >/dev/null",
               cmd, sizeof(cmd));
        CHECK_INT(sh(&e, "%s", cmd), 4);
        CHECK_CONTAINS(e, "cannot start a thread: ");
    } else {
        fprintf(stderr, "note: cannot run under ulimit -v here; exit 4 not "
                        "tested through the CLI\n");
    }
    free(e);
}

int main(void)
{
    char cmd[1200];
    int rc;
    if (getenv("MN_CLI") && getenv("MN_CLI")[0])
        cli = getenv("MN_CLI");
    if (!mkdtemp(tmpdir))
        return 1;
    snprintf(kb, sizeof(kb), "%s/cases.mnkb", tmpdir);
    snprintf(cmd, sizeof(cmd), "%s build --quiet -o %s %s/kb >/dev/null", cli,
             kb, MN_CASES);
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
    RUN(test_kb_commands);
    RUN(test_batch_output_is_input);
    RUN(test_batch_killed);
    RUN(test_build_output);
    RUN(test_full_disk);
    RUN(test_stdout_failures);
    RUN(test_stdin_failures);
    RUN(test_history_read_only);
    RUN(test_messages);
    RUN(test_exit_rule);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", tmpdir);
    DONE();
}
