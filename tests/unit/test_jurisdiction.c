/*
 * test_jurisdiction.c: areas (whole states and parts of states), the
 * claim's jurisdiction forms, the export's state_lookup descriptions,
 * contractor numbers and companies (claim/jurisdiction.c).
 */
#include "harness.h"
#include "claim/claim_int.h"
#include "claim/jurisdiction.h"

static int st(const char *s)
{
    return mn_x__state_index(s, strlen(s));
}

static mn_area area(const char *j)
{
    mn_area a;
    CHECK(mn_x__jurisdiction_area(j, strlen(j), &a));
    return a;
}

static mn_area whole(const char *s)
{
    mn_area a;
    memset(&a, 0, sizeof(a));
    mn_x__area_add_state(&a, st(s));
    return a;
}

static mn_area part(const char *s, const char *name)
{
    mn_area a;
    memset(&a, 0, sizeof(a));
    mn_x__area_add_part(&a, st(s), mn_x__part_index(st(s), name, strlen(name)));
    return a;
}

static void test_states_and_parts(void)
{
    CHECK_INT(st("CA"), st("ca"));
    CHECK(st("CA") >= 0);
    CHECK_INT(st("ZZ"), -1);
    CHECK_INT(st("C"), -1);
    CHECK_STR(mn_x__state_abbrev(st("KY")), "KY");
    CHECK_STR(mn_x__state_abbrev(99), "");
    CHECK(mn_x__part_index(st("CA"), "southern", 8) >= 0);
    CHECK(mn_x__part_index(st("CA"), "SOUTHERN", 8) >= 0);
    CHECK_INT(mn_x__part_index(st("NY"), "southern", 8), -1);
    CHECK_INT(mn_x__part_index(st("CA"), "eastern", 7), -1);
    CHECK_INT(mn_x__part_state(mn_x__part_index(st("NY"), "queens", 6)),
              st("NY"));
    CHECK_STR(mn_x__part_name(mn_x__part_index(st("NY"), "Upstate", 7)),
              "UPSTATE");
    /* the table's state index of each part is its state's */
    CHECK_INT(mn_x__part_state(mn_x__part_index(st("CA"), "northern", 8)),
              st("CA"));
    CHECK_INT(mn_x__part_state(mn_x__part_index(st("NY"), "downstate", 9)),
              st("NY"));
    CHECK_INT(mn_x__part_state(mn_x__part_index(st("MO"), "northwestern", 12)),
              st("MO"));
    for (int k = 0; k < MN_PARTS; k++)
        CHECK_INT(mn_x__part_index(mn_x__part_state(k), mn_x__part_name(k),
                                   strlen(mn_x__part_name(k))),
                  k);
}

static void test_claim_forms(void)
{
    mn_area a;

    a = area("JE");
    CHECK(a.whole >> st("CA") & 1);
    CHECK(a.whole >> st("NV") & 1);
    CHECK(!(a.whole >> st("KY") & 1));
    a = area("j15");
    CHECK(a.whole >> st("KY") & 1);
    CHECK(a.whole >> st("OH") & 1);
    a = area("J-E");
    CHECK(a.whole >> st("HI") & 1);
    a = area("KY");
    CHECK_INT(a.whole, (uint64_t)1 << st("KY"));
    a = area("CA-SOUTHERN");
    CHECK_INT(a.whole, 0);
    CHECK(a.parts != 0);
    CHECK_INT(mn_x__area_states(&a), (uint64_t)1 << st("CA"));
    a = area("ny-queens");
    CHECK_INT(mn_x__area_states(&a), (uint64_t)1 << st("NY"));
    /* contractor numbers: the locality convention, parts included */
    a = area("01182");
    CHECK(a.parts == part("CA", "southern").parts);
    a = area("01112");
    CHECK(a.parts == part("CA", "northern").parts);
    a = area("15102");
    CHECK_INT(a.whole, (uint64_t)1 << st("KY"));
    CHECK(!mn_x__jurisdiction_area("CA-EASTERN", 10, &a));
    CHECK(!mn_x__jurisdiction_area("ZZ", 2, &a));
    CHECK(!mn_x__jurisdiction_area("99999", 5, &a));
    CHECK(!mn_x__jurisdiction_area("", 0, &a));
    CHECK_INT(mn_x__jurisdiction_states("JE", 2),
              mn_x__jurisdiction_states("J1", 2));
}

static void test_matching(void)
{
    mn_area ca = whole("CA");
    mn_area ky = whole("KY");
    mn_area north = part("CA", "northern");
    mn_area south = part("CA", "southern");
    mn_area both = north;
    mn_area je = area("JE");
    mn_area nw = part("MO", "northwestern");
    mn_area mo = whole("MO");
    mn_area unknown;

    mn_x__area_union(&both, &south);
    /* a part of a state: its own contractor only */
    CHECK_INT(mn_x__area_match(&south, &south, NULL), MN_AREA_DEFINITE);
    CHECK_INT(mn_x__area_match(&south, &north, NULL), MN_AREA_NONE);
    CHECK_INT(mn_x__area_match(&south, &ca, NULL), MN_AREA_DEFINITE);
    /* the whole state against one part: perhaps */
    CHECK_INT(mn_x__area_match(&ca, &north, NULL), MN_AREA_POSSIBLE);
    /* Northern and Southern California make up the state */
    CHECK_INT(mn_x__area_match(&ca, &both, NULL), MN_AREA_DEFINITE);
    mn_x__area_normalise(&both);
    CHECK_INT(both.whole, ca.whole);
    CHECK_INT(both.parts, 0);
    /* Missouri's northwestern part does not */
    CHECK_INT(mn_x__area_match(&mo, &nw, NULL), MN_AREA_POSSIBLE);
    CHECK_INT(mn_x__area_match(&nw, &mo, NULL), MN_AREA_DEFINITE);
    /* a MAC against one of its states */
    CHECK_INT(mn_x__area_match(&je, &ca, NULL), MN_AREA_POSSIBLE);
    CHECK_INT(mn_x__area_match(&ca, &je, NULL), MN_AREA_DEFINITE);
    CHECK_INT(mn_x__area_match(&ky, &je, NULL), MN_AREA_NONE);
    /* places that are only perhaps the policy's */
    CHECK_INT(mn_x__area_match(&ca, NULL, &je), MN_AREA_POSSIBLE);
    CHECK_INT(mn_x__area_match(&ky, NULL, &je), MN_AREA_NONE);
    CHECK_INT(mn_x__area_match(&ca, &ky, &je), MN_AREA_POSSIBLE);
    /* a part this build does not know is any part of its state */
    memset(&unknown, 0, sizeof(unknown));
    mn_x__area_add_part(&unknown, st("CA"), -2);
    CHECK_INT(unknown.partial, (uint64_t)1 << st("CA"));
    CHECK_INT(mn_x__area_match(&south, &unknown, NULL), MN_AREA_POSSIBLE);
    CHECK_INT(mn_x__area_match(&ca, &unknown, NULL), MN_AREA_POSSIBLE);
    CHECK_INT(mn_x__area_match(&ky, &unknown, NULL), MN_AREA_NONE);
    /* an empty claim area matches nothing */
    memset(&unknown, 0, sizeof(unknown));
    CHECK_INT(mn_x__area_match(&unknown, &ca, &ca), MN_AREA_NONE);
}

static void test_state_lookup(void)
{
    int s = 0;
    int p = 0;

#define LOOKUP(ab, desc)                                                       \
    mn_x__state_lookup(ab, strlen(ab), desc, strlen(desc), &s, &p)
    CHECK(LOOKUP("CA", "California - Northern"));
    CHECK_INT(s, st("CA"));
    CHECK_INT(p, mn_x__part_index(st("CA"), "northern", 8));
    CHECK(LOOKUP("CA", "California - Entire State"));
    CHECK_INT(p, -1);
    CHECK(LOOKUP("KY", "Kentucky"));
    CHECK_INT(p, -1);
    CHECK(LOOKUP("NY", "New York - Queens"));
    CHECK_INT(p, mn_x__part_index(st("NY"), "queens", 6));
    CHECK(LOOKUP("MO", "Missouri - Eastern"));
    CHECK_INT(p, -2);
    CHECK(LOOKUP("DC", "District of Columbia"));
    CHECK(!LOOKUP("XX", "Nowhere"));
    CHECK(!LOOKUP("", "California - Northern"));
#undef LOOKUP
}

static void test_companies(void)
{
    const char *m[4];

#define CO(name) mn_x__company_macs(name, strlen(name), m, 4)
    CHECK_INT(CO("Noridian Healthcare Solutions, LLC"), 2);
    CHECK_STR(m[0], "JE");
    CHECK_STR(m[1], "JF");
    CHECK_INT(CO("First Coast Service Options, Inc."), 1);
    CHECK_STR(m[0], "JN");
    CHECK_INT(CO("CGS Administrators, LLC"), 1);
    CHECK_STR(m[0], "J15");
    CHECK_INT(CO("  palmetto GBA"), 2);
    CHECK_INT(CO("WPS Insurance Corporation"), 2);
    CHECK_INT(CO("Novitas Solutions, Inc."), 2);
    CHECK_INT(CO("National Government Services, Inc."), 2);
    CHECK_INT(CO("Acme Medicare Contractor"), 0);
    CHECK_INT(mn_x__company_macs("Noridian", 8, m, 1), 1);
#undef CO
}

static void test_claim_parser(void)
{
    mn_claim *c = NULL;
    mn_error err;

    mn_error_clear(&err);
    CHECK_INT(mn_claim_new(&c, NULL, &err), MN_OK);
    if (!c)
        return;
    CHECK_INT(mn_claim_set_jurisdiction(c, "ca-southern", 11, &err), MN_OK);
    CHECK_STR(c->jurisdiction, "CA-SOUTHERN");
    CHECK_INT(c->jur_states, (uint64_t)1 << st("CA"));
    CHECK(c->jur_area.parts != 0);
    CHECK_INT(mn_claim_set_jurisdiction(c, "CA-EASTERN", 10, &err), MN_EINVAL);
    CHECK_CONTAINS(err.message, "unknown part of a state");
    CHECK_STR(err.where, "jurisdiction");
    /* the earlier value stays */
    CHECK_STR(c->jurisdiction, "CA-SOUTHERN");
    CHECK_INT(mn_claim_set_jurisdiction(c, "CA-SOUTH ERN", 12, &err),
              MN_EINVAL);
    CHECK_INT(mn_claim_set_jurisdiction(c, "CA-", 3, &err), MN_EINVAL);
    CHECK_INT(mn_claim_set_jurisdiction(c, "ZZ", 2, &err), MN_OK);
    CHECK_INT(c->jur_states, 0);
    CHECK(mn_x__area_empty(&c->jur_area));
    mn_claim_free(c);
}

int main(void)
{
    RUN(test_states_and_parts);
    RUN(test_claim_forms);
    RUN(test_matching);
    RUN(test_state_lookup);
    RUN(test_companies);
    RUN(test_claim_parser);
    DONE();
}
