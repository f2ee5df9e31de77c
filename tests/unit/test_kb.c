#define _GNU_SOURCE
/* test_kb.c: KB format: validation on open, determinism, rules language,
 * jurisdictions. */
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "harness.h"
#include "kb/kb_int.h"
#include "kbfix.h"
#include "claim/jurisdiction.h"

static void test_open_valid(void)
{
    void *bytes = NULL;
    size_t len = 0;
    mn_kb *kb = NULL;
    mn_kb_stats st;
    mn_error err;

    mn_error_clear(&err);
    CHECK_INT(fx_build(&bytes, &len, 1), MN_OK);
    CHECK_INT(mn_kb_open_buffer(&kb, bytes, len, 1, &err), MN_OK);
    mn_kb_get_stats(&st, kb);
    CHECK_INT(st.icd_years, 2);
    CHECK_INT(st.icd_first_fy, 2022);
    CHECK_INT(st.icd_last_fy, 2024);
    CHECK_INT(st.hcpcs_codes, 2);
    CHECK(st.policies >= 7);
    CHECK(st.rules >= 1);
    CHECK_STR(mn_kb_built(kb), "2026-11-01");
    CHECK_INT(strlen(mn_kb_version(kb)), 16);
    mn_kb_free(kb);
    mn_x__free(bytes);
}

static void test_deterministic(void)
{
    void *a = NULL, *b = NULL;
    size_t la = 0, lb = 0;
    CHECK_INT(fx_build(&a, &la, 1), MN_OK);
    CHECK_INT(fx_build(&b, &lb, 1), MN_OK);
    CHECK_INT(la, lb);
    CHECK(la == lb && memcmp(a, b, la) == 0);
    mn_x__free(a);
    mn_x__free(b);
}

static void test_corrupt(void)
{
    void *bytes = NULL;
    size_t len = 0;
    mn_kb *kb = NULL;
    mn_error err;
    unsigned char *p;

    CHECK_INT(fx_build(&bytes, &len, 0), MN_OK);
    p = bytes;
    /* every truncation fails cleanly */
    for (size_t cut = 0; cut < len; cut += (cut < 256 ? 1 : 97)) {
        mn_error_clear(&err);
        CHECK_INT(mn_kb_open_buffer(&kb, bytes, cut, 1, &err), MN_EBADKB);
        CHECK(kb == NULL);
    }
    /* any flipped byte after the header fails the checksum */
    for (size_t i = sizeof(kb_header); i < len; i += 131) {
        p[i] ^= 0x5a;
        mn_error_clear(&err);
        CHECK_INT(mn_kb_open_buffer(&kb, bytes, len, 1, &err), MN_EBADKB);
        CHECK_CONTAINS(err.message, "checksum");
        p[i] ^= 0x5a;
    }
    /* wrong magic, wrong format version */
    p[0] = 'X';
    CHECK_INT(mn_kb_open_buffer(&kb, bytes, len, 1, &err), MN_EBADKB);
    p[0] = 'M';
    ((kb_header *)bytes)->format = 99;
    CHECK_INT(mn_kb_open_buffer(&kb, bytes, len, 1, &err), MN_EVERSION);
    ((kb_header *)bytes)->format = MN_KB_FORMAT;
    CHECK_INT(mn_kb_open_buffer(&kb, bytes, len, 1, &err), MN_OK);
    mn_kb_free(kb);
    mn_x__free(bytes);
}

/* The first record of section `id`, or NULL. */
static void *section(void *bytes, uint32_t id)
{
    const kb_header *h = bytes;
    kb_section *secs = (kb_section *)((unsigned char *)bytes + sizeof(*h));
    for (uint32_t i = 0; i < h->n_sections; i++) {
        if (secs[i].id == id && secs[i].length)
            return (unsigned char *)bytes + secs[i].offset;
    }
    return NULL;
}

/* Seals an edited KB image again (the checksum covers every byte after
 * the header), so that open reaches the content checks. */
static void reseal(void *bytes, size_t len)
{
    kb_header *h = bytes;
    h->checksum =
        XXH3_64bits((unsigned char *)bytes + sizeof(*h), len - sizeof(*h));
}

/* The HCPCS coverage code and statute are validated at open. */
static void test_open_hcpcs_coverage(void)
{
    mn_kbb *b = NULL;
    void *bytes = NULL;
    size_t len = 0;
    mn_kb *kb = NULL;
    mn_error err;
    kb_hcpcs *h;
    kb_hcpcs keep;

    mn_error_clear(&err);
    CHECK_INT(mn_x__kbb_new(&b), MN_OK);
    mn_x__kbb_hcpcs(b, 2024, fx_key("V5010"), fx_date("1984-01-01"), MN_NODATE,
                    "Assessment for hearing aid", 26);
    mn_x__kbb_hcpcs_coverage(b, 2024, fx_key("V5010"), 'S', "1862A7", 6);
    CHECK_INT(mn_x__kbb_serialize(b, "2026-11-01", &bytes, &len, &err), MN_OK);
    mn_x__kbb_free(b);
    h = bytes ? section(bytes, KB_SEC_HCPCS) : NULL;
    CHECK(h != NULL);
    if (!h) {
        mn_x__free(bytes);
        return;
    }
    CHECK_INT(sizeof(kb_hcpcs) % 8, 0);
    CHECK_INT(mn_kb_open_buffer(&kb, bytes, len, 1, &err), MN_OK);
    mn_kb_free(kb);
    keep = *h;
    CHECK_INT(h->coverage, 'S');
    /* 0 (unknown) and the five letters of the record layout only */
    for (unsigned c = 0; c < 256; c++) {
        bool ok = c == 0 || (c < 128 && strchr("CDIMS", (int)c) != NULL);
        h->coverage = (uint8_t)c;
        reseal(bytes, len);
        mn_error_clear(&err);
        kb = NULL;
        CHECK_INT(mn_kb_open_buffer(&kb, bytes, len, 1, &err),
                  ok ? MN_OK : MN_EBADKB);
        if (!ok)
            CHECK_STR(err.message,
                      "corrupt knowledge base: HCPCS coverage code");
        mn_kb_free(kb);
    }
    *h = keep;
    /* a statute reference out of the string pool, or not terminated */
    h->statute.off = 0xfffffff0u;
    reseal(bytes, len);
    CHECK_INT(mn_kb_open_buffer(&kb, bytes, len, 1, &err), MN_EBADKB);
    CHECK_STR(err.message, "corrupt knowledge base: HCPCS statute");
    *h = keep;
    h->statute.len++;
    reseal(bytes, len);
    CHECK_INT(mn_kb_open_buffer(&kb, bytes, len, 1, &err), MN_EBADKB);
    CHECK_STR(err.message, "corrupt knowledge base: HCPCS statute");
    *h = keep;
    reseal(bytes, len);
    CHECK_INT(mn_kb_open_buffer(&kb, bytes, len, 1, &err), MN_OK);
    if (kb)
        CHECK_STR(kb_s(kb, mn_x__kb_hcpcs(kb, fx_key("V5010"))->statute),
                  "1862A7");
    mn_kb_free(kb);
    mn_x__free(bytes);
}

/* Places, contractor places and attachments: written, read back in
 * order, and validated at open. */
static void test_mcd_sections(void)
{
    mn_kbb *b = NULL;
    void *bytes = NULL;
    size_t len = 0;
    mn_kb *kb = NULL;
    mn_error err;
    uint32_t r1 = 0;
    uint32_t r2 = 0;
    uint32_t i1 = UINT32_MAX;
    uint32_t i2 = UINT32_MAX;
    int ca = mn_x__state_index("CA", 2);
    int ky = mn_x__state_index("KY", 2);
    int south = mn_x__part_index(ca, "southern", 8);
    const kb_place *p;
    const kb_cplace *c;
    const kb_pattach *a;
    kb_place *pp;
    kb_place keep;
    size_t n = 0;

    mn_error_clear(&err);
    CHECK_INT(mn_x__kbb_new(&b), MN_OK);
    CHECK_INT(mn_x__kbb_policy_ref(b, MN_PK_ARTICLE, "A1", 2, &r1), MN_OK);
    CHECK_INT(mn_x__kbb_policy_ref(b, MN_PK_LCD, "L1", 1, &r2), MN_OK);
    /* added out of order, and one twice */
    CHECK_INT(mn_x__kbb_place(b, r1, ky, -1, KB_PL_EXPORT,
                              fx_date("2010-01-01"), fx_date("2024-06-30")),
              MN_OK);
    CHECK_INT(
        mn_x__kbb_place(b, r1, ca, south, KB_PL_EXPORT, MN_NODATE, MN_NODATE),
        MN_OK);
    CHECK_INT(
        mn_x__kbb_place(b, r1, ca, south, KB_PL_EXPORT, MN_NODATE, MN_NODATE),
        MN_OK);
    CHECK_INT(mn_x__kbb_place(b, r1, 99, -1, KB_PL_EXPORT, 0, 0), MN_EINVAL);
    CHECK_INT(mn_x__kbb_place(b, r1, ky, -1, 0, 0, 0), MN_EINVAL);
    CHECK_INT(mn_x__kbb_contractor_place(b, "01182", 5, KB_CT_AB, ca, south,
                                         KB_PL_EXPORT, MN_NODATE, MN_NODATE),
              MN_OK);
    CHECK_INT(mn_x__kbb_contractor_place(b, "01182", 5, KB_CT_AB, ca, south,
                                         KB_PL_MAYBE, MN_NODATE, MN_NODATE),
              MN_EINVAL);
    CHECK_INT(mn_x__kbb_attach(b, r1, KB_PA_MODIFIER, 1, -1, 0, "KX", 2,
                               "Requirements met", 16),
              MN_OK);
    CHECK_INT(mn_x__kbb_attach(b, r1, KB_PA_LCD, 0, 1, KB_PA_F_LCD_TABLE, "L1",
                               2, NULL, 0),
              MN_OK);
    CHECK_INT(mn_x__kbb_attach(b, r1, 99, 0, 0, 0, "x", 1, NULL, 0), MN_EINVAL);
    CHECK_INT(mn_x__kbb_serialize(b, "2026-11-01", &bytes, &len, &err), MN_OK);
    i1 = mn_x__kbb_policy_final(b, r1);
    i2 = mn_x__kbb_policy_final(b, r2);
    CHECK(i1 != UINT32_MAX);
    CHECK(i2 != UINT32_MAX);
    CHECK(mn_x__kbb_policy_final(b, 12345) == UINT32_MAX);
    mn_x__kbb_free(b);
    CHECK_INT(mn_kb_open_buffer(&kb, bytes, len, 1, &err), MN_OK);
    if (kb) {
        const kb_policy *pol = &kb->pol[i1];
        CHECK_INT(pol->states, ((uint64_t)1 << ca) | ((uint64_t)1 << ky));
        CHECK(!(pol->flags & MN_PF_PLACE_UNKNOWN));
        /* a local policy without places (or contractors): may apply
           anywhere */
        CHECK(i2 < kb->n_pol && (kb->pol[i2].flags & MN_PF_PLACE_UNKNOWN));
        CHECK(i2 < kb->n_pol && kb->pol[i2].states == 0);
        p = mn_x__kb_places(kb, i1, &n);
        CHECK_INT(n, 2);
        if (n == 2) {
            CHECK_INT(p[0].state, ca);
            CHECK_INT(p[0].part, south + 1);
            CHECK_INT(p[1].state, ky);
            CHECK_INT(p[1].term, fx_date("2024-06-30"));
        }
        c = mn_x__kb_cplaces(kb, "01182", 5, &n);
        CHECK_INT(n, 1);
        CHECK(c && strcmp(kb_s(kb, c->number), "01182") == 0);
        CHECK(mn_x__kb_cplaces(kb, "0118", 4, &n) == NULL);
        a = mn_x__kb_attach(kb, i1, KB_PA_MODIFIER, &n);
        CHECK_INT(n, 1);
        CHECK(a && strcmp(kb_s(kb, a->b), "Requirements met") == 0);
        a = mn_x__kb_attach(kb, i1, KB_PA_LCD, &n);
        CHECK(a && a->num == 1 && a->flags == KB_PA_F_LCD_TABLE);
        CHECK(mn_x__kb_attach(kb, i1, KB_PA_URL, &n) == NULL);
    }
    mn_kb_free(kb);
    kb = NULL;
    /* validated at open */
    pp = bytes ? section(bytes, KB_SEC_PLACE) : NULL;
    CHECK(pp != NULL);
    if (pp) {
        keep = pp[0];
        pp[0].state = 200;
        reseal(bytes, len);
        CHECK_INT(mn_kb_open_buffer(&kb, bytes, len, 1, &err), MN_EBADKB);
        CHECK_STR(err.message, "corrupt knowledge base: place");
        pp[0] = keep;
        pp[0].flags = 0;
        reseal(bytes, len);
        CHECK_INT(mn_kb_open_buffer(&kb, bytes, len, 1, &err), MN_EBADKB);
        pp[0] = keep;
        pp[0].policy = 1000;
        reseal(bytes, len);
        CHECK_INT(mn_kb_open_buffer(&kb, bytes, len, 1, &err), MN_EBADKB);
        CHECK_STR(err.message,
                  "corrupt knowledge base: place of no local policy");
        pp[0] = keep;
        pp[0].state = pp[1].state;
        pp[0].part = pp[1].part;
        pp[0].active = pp[1].active;
        pp[0].term = pp[1].term;
        reseal(bytes, len);
        CHECK_INT(mn_kb_open_buffer(&kb, bytes, len, 1, &err), MN_EBADKB);
        CHECK_STR(err.message, "corrupt knowledge base: place order");
        pp[0] = keep;
        reseal(bytes, len);
        CHECK_INT(mn_kb_open_buffer(&kb, bytes, len, 1, &err), MN_OK);
        mn_kb_free(kb);
        kb = NULL;
    }
    {
        kb_pattach *pa = bytes ? section(bytes, KB_SEC_PATTACH) : NULL;
        CHECK(pa != NULL);
        if (pa) {
            kb_pattach k2 = pa[0];
            pa[0].kind = 0;
            reseal(bytes, len);
            CHECK_INT(mn_kb_open_buffer(&kb, bytes, len, 1, &err), MN_EBADKB);
            CHECK_STR(err.message, "corrupt knowledge base: policy attachment");
            pa[0] = k2;
        }
    }
    mn_x__free(bytes);
}

static void test_open_file(void)
{
    void *bytes = NULL;
    size_t len = 0;
    mn_kb *kb = NULL;
    mn_error err;
    char path[] = "/tmp/mn_test_kb_XXXXXX";
    int fd = mkstemp(path);
    FILE *f;

    CHECK(fd >= 0);
    CHECK_INT(fx_build(&bytes, &len, 1), MN_OK);
    f = fdopen(fd, "wb");
    fwrite(bytes, 1, len / 2, f);
    fclose(f);
    mn_error_clear(&err);
    CHECK_INT(mn_kb_open(&kb, path, &err), MN_EBADKB);
    CHECK_CONTAINS(err.message, "truncated");
    CHECK_STR(err.where, path);
    f = fopen(path, "wb");
    fwrite(bytes, 1, len, f);
    fclose(f);
    CHECK_INT(mn_kb_open(&kb, path, &err), MN_OK);
    CHECK_STR(mn_kb_source(kb), path);
    mn_kb_free(kb);
    /* read into memory: the file overwritten in place (as cp does) while
     * the handle is open leaves the handle whole */
    CHECK_INT(mn_kb_open_read(&kb, path, &err), MN_OK);
    CHECK_STR(mn_kb_source(kb), path);
    f = fopen(path, "wb");
    fputs("not a kb", f);
    fclose(f);
    if (kb) {
        mn_buf *b = NULL;
        CHECK_INT(mn_buf_new(&b, 0), MN_OK);
        CHECK_INT(mn_kb_info_render(b, kb, NULL, MN_FORMAT_JSON, &err), MN_OK);
        CHECK(b && mn_buf_len(b) > 100);
        mn_buf_free(b);
    }
    mn_kb_free(kb);
    CHECK_INT(mn_kb_open_read(&kb, path, &err), MN_EBADKB);
    CHECK_STR(err.where, path);
    CHECK_INT(mn_kb_open_read(&kb, "/nonexistent/kb.mnkb", &err), MN_EIO);
    unlink(path);
    /* every error names the file and says why (it said "cannot open
     * knowledge base", and "file too short" for a directory) */
    mn_error_clear(&err);
    CHECK_INT(mn_kb_open(&kb, "/nonexistent/kb.mnkb", &err), MN_EIO);
    CHECK_STR(err.where, "/nonexistent/kb.mnkb");
    CHECK_STR(err.message, "cannot open the knowledge base: No such file or "
                           "directory");
    mn_error_clear(&err);
    CHECK_INT(mn_kb_open(&kb, "/tmp", &err), MN_EIO);
    CHECK_STR(err.where, "/tmp");
    CHECK_STR(err.message, "is a directory, not a knowledge base");
    mn_error_clear(&err);
    CHECK_INT(mn_kb_open(&kb, "/dev/null", &err), MN_EIO);
    CHECK_CONTAINS(err.message, "not a regular file");
    /* a FIFO is refused at once, not waited on for a writer */
    CHECK_INT(mkfifo(path, 0644), 0);
    CHECK_INT(mn_kb_open(&kb, path, &err), MN_EIO);
    CHECK_CONTAINS(err.message, "not a regular file");
    unlink(path);
    mn_x__free(bytes);
}

static void test_builtin(void)
{
    mn_kb *kb = NULL;
    mn_error err;
    mn_kb_stats st;
    mn_error_clear(&err);
    CHECK_INT(mn_kb_open_builtin(&kb, &err), MN_OK);
    mn_kb_get_stats(&st, kb);
    CHECK(st.rules >= 1);
    /* the compact code lists of data/builtin */
    CHECK(st.icd_codes > 90000);
    CHECK_INT(st.icd_years, 3);
    CHECK(st.hcpcs_codes > 7000);
    CHECK(st.hcpcs_modifiers > 300);
    CHECK_INT(st.mce_edits, 0);
    CHECK_INT(st.policies, 0);
    CHECK_STR(mn_kb_source(kb), "builtin");
    mn_kb_free(kb);
}

static int compile(const char *text, mn_error *err)
{
    mn_kbb *b = NULL;
    int rc;
    mn_error_clear(err);
    mn_x__kbb_new(&b);
    rc = mn_x__rules_compile(b, "t.mnr", text, strlen(text), err);
    mn_x__kbb_free(b);
    return rc;
}

static void test_rules_language(void)
{
    mn_error err;
    CHECK_INT(compile("pack p\nrule r1\n  effective 2020-01-01 to "
                      "2024-12-31\n  source \"x\"\n  article A1 group 1 "
                      "requires group 2 or group 3\nend\n",
                      &err),
              MN_OK);
    CHECK_INT(compile("rule r\n effective 2020-01-01\n ncd 190.15 inverted\n"
                      "end\n",
                      &err),
              MN_EINVAL);
    CHECK_CONTAINS(err.message, "no 'source'");
    CHECK_INT(err.line, 4);
    CHECK_INT(
        compile("rule r\n source \"s\"\n ncd 190.15 inverted\nend\n", &err),
        MN_EINVAL);
    CHECK_CONTAINS(err.message, "no 'effective'");
    CHECK_INT(compile("rule r\n effective 2024-02-30\n", &err), MN_EINVAL);
    CHECK_INT(err.line, 2);
    CHECK_INT(err.column, 12);
    CHECK_INT(compile("rule r\n effective 2024-01-01\n source \"s\"\n"
                      " frobnicate 3\nend\n",
                      &err),
              MN_EINVAL);
    CHECK_CONTAINS(err.message, "unknown statement 'frobnicate'");
    CHECK_INT(compile("rule r\n effective 2024-01-01\n source \"s\n", &err),
              MN_EINVAL);
    CHECK_CONTAINS(err.message, "unterminated");
    CHECK_INT(compile("rule r\n effective 2024-01-01\n source \"s\"\n"
                      " ncd 1 inverted\n",
                      &err),
              MN_EINVAL);
    CHECK_CONTAINS(err.message, "not closed");
    CHECK_INT(compile("ncd 1 inverted\n", &err), MN_EINVAL);
    CHECK_INT(compile("rule r\n effective 2024-01-01\n source \"s\"\n"
                      " article A1 group 1 requires group 1\nend\n",
                      &err),
              MN_EINVAL);
    CHECK_INT(compile("", &err), MN_OK);
}

static void test_jurisdictions(void)
{
    uint64_t ky = mn_x__jurisdiction_states("KY", 2);
    uint64_t j15 = mn_x__jurisdiction_states("J15", 3);
    uint64_t je = mn_x__jurisdiction_states("je", 2);
    CHECK(ky != 0);
    CHECK((j15 & ky) == ky);
    CHECK((je & ky) == 0);
    CHECK(mn_x__contractor_states("15102", 5) == ky);
    CHECK(mn_x__contractor_states("15101", 5) == ky);
    CHECK((mn_x__contractor_states("01112", 5) & je) != 0);
    CHECK(mn_x__jurisdiction_states("01182", 5) ==
          mn_x__jurisdiction_states("CA", 2));
    CHECK(mn_x__jurisdiction_states("J-E", 3) == je);
    CHECK(mn_x__jurisdiction_states("JX", 2) == 0);
    CHECK(mn_x__contractor_states("04911", 5) ==
          mn_x__jurisdiction_states("JH", 2));
}

int main(void)
{
    RUN(test_open_valid);
    RUN(test_deterministic);
    RUN(test_corrupt);
    RUN(test_open_hcpcs_coverage);
    RUN(test_mcd_sections);
    RUN(test_open_file);
    RUN(test_builtin);
    RUN(test_rules_language);
    RUN(test_jurisdictions);
    DONE();
}
