/*
 * test_x12.c: the X12 readers on fixtures written for these tests: what
 * an 837P, an 837I and an 835 become, separators, streaming in chunks of
 * any size, truncated input, limits and issue locations.
 */
#include <stdbool.h>

#include "claim/claim_int.h"
#include "harness.h"
#include "io/x12scan.h"
#include "mednec.h"
#include "mednec/x12.h"

/* An 837P: billing provider in Kentucky, a service facility in Ohio, a
 * Medicare Part B subscriber who is the patient, two claims (the second a
 * replacement), a line with its own rendering provider. */
static const char P837[] =
    "ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       "
    "*250101*1200*^*00501*000000101*0*P*:~\n"
    "GS*HC*SUBMITTER*RECEIVER*20250101*1200*7*X*005010X222A1~\n"
    "ST*837*0001*005010X222A1~\n"
    "BHT*0019*00*B1*20250101*1200*CH~\n"
    "NM1*41*2*TEST BILLING SERVICE*****46*S1~\n"
    "PER*IC*DESK*TE*5555550100~\n"
    "NM1*40*2*TEST MAC*****46*R1~\n"
    "HL*1**20*1~\n"
    "NM1*85*2*TEST CLINIC*****XX*1234567893~\n"
    "N3*1 MAIN ST~\n"
    "N4*LOUISVILLE*KY*40202~\n"
    "REF*EI*610000000~\n"
    "HL*2*1*22*0~\n"
    "SBR*P*18*******MB~\n"
    "NM1*IL*1*PATIENT*TEST****MI*1EG4TE5MK73~\n"
    "N3*2 ELM ST~\n"
    "N4*LOUISVILLE*KY*40203~\n"
    "DMG*D8*19500402*F~\n"
    "NM1*PR*2*MEDICARE B*****PI*15102~\n"
    "CLM*C100*190.5***11:B:1*Y*A*Y*Y~\n"
    "REF*G1*PA778~\n"
    "HI*ABK:E1165*ABF:I10~\n"
    "NM1*82*1*DOCTOR*ONE****XX*1111111112~\n"
    "NM1*77*2*OHIO SITE*****XX*2222222225~\n"
    "N3*3 OAK ST~\n"
    "N4*CINCINNATI*OH*45202~\n"
    "LX*1~\n"
    "SV1*HC:83036:QW*40.5*UN*1.5*11**1:2**Y~\n"
    "DTP*472*D8*20250302~\n"
    "LX*2~\n"
    "SV1*HC:99213:25*150*UN*1***2~\n"
    "DTP*472*RD8*20250302-20250303~\n"
    "NM1*82*1*DOCTOR*TWO****XX*3333333338~\n"
    "CLM*C101*120***11:B:7*Y*A*Y*Y~\n"
    "HI*ABK:Z0000~\n"
    "LX*5~\n"
    "SV1*HC:00142*120*MJ*45***1~\n"
    "DTP*472*D8*20250304~\n"
    "SE*37*0001~\n"
    "GE*1*7~\n"
    "IEA*1*000000101~\n";

/* An 837I: a dependent patient (2000C), statement dates, a revenue-code
 * line without HCPCS. */
static const char I837[] =
    "ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       "
    "*250101*1200*^*00501*000000102*0*P*:~"
    "GS*HC*SUBMITTER*RECEIVER*20250101*1200*8*X*005010X223A2~"
    "ST*837*0002*005010X223A2~"
    "BHT*0019*00*B2*20250101*1200*CH~"
    "NM1*41*2*TEST HOSPITAL*****46*S2~"
    "PER*IC*DESK*TE*5555550101~"
    "NM1*40*2*TEST PAYER*****46*R2~"
    "HL*1**20*1~"
    "NM1*85*2*TEST HOSPITAL*****XX*1234567893~"
    "N3*9 HILL RD~"
    "N4*AUSTIN*TX*78701~"
    "REF*EI*620000000~"
    "HL*2*1*22*1~"
    "SBR*P*01*******CI~"
    "NM1*IL*1*HOLDER*POLICY****MI*W123456789~"
    "NM1*PR*2*ACME HEALTH*****PI*99999~"
    "HL*3*2*23*0~"
    "PAT*19~"
    "NM1*QC*1*HOLDER*CHILD~"
    "N3*9 HILL RD~"
    "N4*AUSTIN*TX*78701~"
    "DMG*D8*20150610*M~"
    "CLM*H200*500***13:A:1**A*Y*Y~"
    "DTP*434*RD8*20250110-20250111~"
    "CL1*1*7*01~"
    "HI*ABK:J069~"
    "LX*1~"
    "SV2*0300*HC:87880*25*UN*1~"
    "LX*2~"
    "SV2*0120**475*DA*1~"
    "SE*29*0002~"
    "GE*1*8~"
    "IEA*1*000000102~";

typedef struct got {
    mn_claim *claims[8];
    size_t n_claims;
    char failed[8][64];
    size_t n_failed;
    char envelope[4][600];
    size_t n_envelope;
    char issues[32][600];
    mn_x12_severity sev[32];
    size_t n_issues;
    char transcript[8192]; /* everything, to compare chunked runs */
} got;

static void add_text(got *g, const char *s)
{
    size_t n = strlen(g->transcript);
    snprintf(g->transcript + n, sizeof(g->transcript) - n, "%s\n", s);
}

static void on_issue(void *p, const mn_x12_issue *is)
{
    got *g = p;
    char buf[600];

    mn_x12_issue_format(buf, sizeof(buf), is);
    add_text(g, buf);
    if (g->n_issues < 32) {
        g->sev[g->n_issues] = is->severity;
        snprintf(g->issues[g->n_issues++], 600, "%s", buf);
    }
}

static int on_item(void *p, mn_x837_item *it)
{
    got *g = p;
    char buf[700];

    snprintf(buf, sizeof(buf), "item %s %c %zu %s", it->claim_id,
             it->kind ? it->kind : '-', it->lines_skipped,
             it->claim ? "read" : "failed");
    add_text(g, buf);
    if (it->claim && g->n_claims < 8)
        g->claims[g->n_claims++] = it->claim;
    else
        mn_claim_free(it->claim);
    if (!it->claim && it->claim_id[0] && g->n_failed < 8)
        snprintf(g->failed[g->n_failed++], 64, "%s", it->claim_id);
    if (!it->claim && !it->claim_id[0] && g->n_envelope < 4)
        mn_x12_issue_format(g->envelope[g->n_envelope++], 600, it->error);
    return MN_OK;
}

static void got_free(got *g)
{
    for (size_t i = 0; i < g->n_claims; i++)
        mn_claim_free(g->claims[i]);
    memset(g, 0, sizeof(*g));
}

/* Reads `data` in chunks of `chunk` bytes (0: all at once). */
static int read_chunks(got *g, const char *data, size_t len, size_t chunk,
                       mn_x837_stats *st)
{
    mn_x837_options o = MN_X837_OPTIONS_INIT;
    mn_x837 *r = NULL;
    mn_error err;
    int rc;

    memset(g, 0, sizeof(*g));
    o.name = "t.837";
    o.on_item = on_item;
    o.on_issue = on_issue;
    o.payload = g;
    rc = mn_x837_new(&r, &o, &err);
    for (size_t at = 0; rc == MN_OK && at < len;) {
        size_t n = chunk && chunk < len - at ? chunk : len - at;
        rc = mn_x837_feed(r, data + at, n, &err);
        at += n;
    }
    if (rc == MN_OK)
        rc = mn_x837_finish(r, &err);
    if (st)
        mn_x837_get_stats(st, r);
    mn_x837_free(r);
    return rc;
}

static int64_t dollars(const char *s)
{
    int64_t v = 0;
    CHECK(mn_x__x12_amount(&v, s, strlen(s)));
    return v;
}

static void test_837p(void)
{
    got g;
    mn_x837_stats st;
    const mn_claim *c;
    char date[11];

    CHECK_INT(read_chunks(&g, P837, sizeof(P837) - 1, 0, &st), MN_OK);
    for (size_t i = 0; i < g.n_issues; i++)
        fprintf(stderr, "  issue: %s\n", g.issues[i]);
    CHECK_INT(g.n_issues, 0);
    CHECK_INT(g.n_claims, 2);
    CHECK_INT(st.claims, 2);
    CHECK_INT(st.lines, 3);
    CHECK_INT(st.interchanges, 1);
    CHECK_INT(st.transactions, 1);
    if (g.n_claims < 2)
        goto done;
    c = g.claims[0];
    CHECK_STR(c->id, "C100");
    CHECK_INT(c->institutional, 0);
    CHECK_INT(c->dme, 0);
    CHECK_STR(c->pos, "11");
    CHECK_INT(c->frequency, '1');
    CHECK_STR(c->payer_text, "medicare");
    CHECK_STR(c->prior_auth, "PA778");
    /* where the service was performed: the facility's state */
    CHECK_STR(c->jurisdiction, "OH");
    /* the rendering provider of the claim, not the billing one */
    CHECK_STR(c->provider, "1111111112");
    CHECK_STR(c->patient_id, "1EG4TE5MK73");
    mn_x__format_date(date, c->birth_date);
    CHECK_STR(date, "1950-04-02");
    CHECK_INT(c->sex, 'F');
    CHECK_INT(c->n_dx, 2);
    CHECK_STR(c->dx[0].text, "E11.65");
    CHECK_STR(c->dx[1].text, "I10");
    CHECK_INT(c->n_lines, 2);
    CHECK_STR(c->lines[0].code_text, "83036");
    CHECK_INT(c->lines[0].n_modifiers, 1);
    CHECK_STR(c->lines[0].modifiers[0], "QW");
    CHECK_INT(c->lines[0].units, 2); /* 1.5 units: two */
    CHECK_INT(c->lines[0].charge, dollars("40.5"));
    CHECK_INT(c->lines[0].n_pointers, 2);
    CHECK_INT(mn_claim_line_number(c, 0), 1);
    mn_x__format_date(date, c->lines[0].date);
    CHECK_STR(date, "2025-03-02");
    CHECK_STR(mn_claim_line_provider(c, 0), "1111111112");
    CHECK_STR(mn_claim_line_provider(c, 1), "3333333338");
    CHECK_INT(c->lines[1].n_pointers, 1);
    CHECK_INT(c->lines[1].pointers[0], 2);
    mn_x__format_date(date, c->lines[1].date); /* a range: its first day */
    CHECK_STR(date, "2025-03-02");

    c = g.claims[1];
    CHECK_STR(c->id, "C101");
    CHECK_INT(c->frequency, '7');
    /* no rendering provider: the billing one; no facility: its state */
    CHECK_STR(c->provider, "1234567893");
    CHECK_STR(c->jurisdiction, "KY");
    /* anesthesia minutes are not units */
    CHECK_INT(c->lines[0].units, 1);
    CHECK_INT(mn_claim_line_number(c, 0), 5);
done:
    got_free(&g);
}

static void test_837i(void)
{
    got g;
    mn_x837_stats st;
    const mn_claim *c;
    char date[11];

    CHECK_INT(read_chunks(&g, I837, sizeof(I837) - 1, 0, &st), MN_OK);
    for (size_t i = 0; i < g.n_issues; i++)
        fprintf(stderr, "  issue: %s\n", g.issues[i]);
    CHECK_INT(g.n_issues, 0);
    CHECK_INT(g.n_claims, 1);
    CHECK_INT(st.lines_skipped, 1);
    if (!g.n_claims)
        goto done;
    c = g.claims[0];
    CHECK_INT(c->institutional, 1);
    CHECK_STR(c->bill_type, "131");
    CHECK_STR(c->payer_text, "ACME HEALTH");
    CHECK_INT(c->payer, MN_PAYER_OTHER);
    CHECK_INT(c->n_lines, 1);
    CHECK_STR(c->lines[0].revenue, "0300");
    /* no line date: the statement's first day */
    mn_x__format_date(date, c->lines[0].date);
    CHECK_STR(date, "2025-01-10");
    /* the dependent's birth date and sex, the subscriber's id and a hash
       of the dependent */
    mn_x__format_date(date, c->birth_date);
    CHECK_STR(date, "2015-06-10");
    CHECK_INT(c->sex, 'M');
    CHECK(c->patient_id && strncmp(c->patient_id, "W123456789~", 11) == 0 &&
          strlen(c->patient_id) == 27);
    CHECK_STR(c->jurisdiction, "TX");
done:
    got_free(&g);
}

/* The same file in chunks of every size from 1 to 64, and in one go,
 * gives the same items and issues in the same order. */
static void test_chunks(void)
{
    static got whole;
    static got part;
    static char broken[sizeof(P837) + 64];
    const char *inputs[2];
    size_t lens[2];

    /* with issues too: a bad date, an unknown segment */
    snprintf(broken, sizeof(broken), "%s", P837);
    memcpy(strstr(broken, "DTP*472*D8*20250302"), "DTP*472*D8*20251302", 19);
    memcpy(strstr(broken, "REF*G1"), "XYZ*G1", 6);
    inputs[0] = P837;
    lens[0] = sizeof(P837) - 1;
    inputs[1] = broken;
    lens[1] = strlen(broken);
    for (size_t k = 0; k < 2; k++) {
        CHECK_INT(read_chunks(&whole, inputs[k], lens[k], 0, NULL), MN_OK);
        CHECK(whole.transcript[0] != '\0');
        for (size_t chunk = 1; chunk <= 64; chunk++) {
            CHECK_INT(read_chunks(&part, inputs[k], lens[k], chunk, NULL),
                      MN_OK);
            if (strcmp(whole.transcript, part.transcript) != 0) {
                fprintf(stderr, "  chunk %zu differs:\n%s---\n%s", chunk,
                        whole.transcript, part.transcript);
                CHECK(0);
                break;
            }
            got_free(&part);
        }
        if (k == 1) {
            CHECK_INT(whole.n_failed, 1);
            CHECK_STR(whole.failed[0], "C100");
            CHECK_INT(whole.n_claims, 1);
        }
        got_free(&whole);
    }
}

/* Other separators, no line breaks, and a transaction set without an
 * envelope. */
static void test_separators(void)
{
    static char other[sizeof(P837)];
    static char bare[sizeof(P837)];
    got g;
    size_t n = 0;

    for (const char *p = P837; *p; p++) {
        char c = *p;
        if (c == '\n')
            continue;
        other[n++] = c == '*' ? '|' : c == ':' ? '>' : c == '~' ? '\n' : c;
    }
    other[n] = '\0';
    CHECK_INT(read_chunks(&g, other, n, 7, NULL), MN_OK);
    CHECK_INT(g.n_issues, 0);
    CHECK_INT(g.n_claims, 2);
    if (g.n_claims)
        CHECK_INT(g.claims[0]->lines[0].n_pointers, 2);
    got_free(&g);

    /* from ST to SE only */
    {
        const char *st = strstr(P837, "ST*837");
        const char *ge = strstr(P837, "GE*1");
        memcpy(bare, st, (size_t)(ge - st));
        bare[ge - st] = '\0';
    }
    CHECK_INT(read_chunks(&g, bare, strlen(bare), 0, NULL), MN_OK);
    CHECK_INT(g.n_claims, 2);
    CHECK_INT(g.n_issues, 0);
    got_free(&g);
}

/* Input that ends inside a claim: the claim is not handed out as read
 * (it may have lost lines), and the error says the set has no SE. */
static void test_truncated(void)
{
    got g;
    const char *cut = strstr(P837, "LX*5~");

    CHECK_INT(read_chunks(&g, P837, (size_t)(cut - P837), 0, NULL), MN_OK);
    CHECK_INT(g.n_claims, 1);
    CHECK_INT(g.n_failed, 1);
    CHECK_STR(g.failed[0], "C101");
    {
        bool said = false;
        for (size_t i = 0; i < g.n_issues; i++)
            said |= strstr(g.issues[i], "transaction set 0001 has no SE") &&
                    strstr(g.issues[i], "the input ended");
        CHECK(said);
    }
    got_free(&g);
}

/* Located issues: file, interchange, group, transaction, segment number,
 * segment and loop, element and component. */
static void test_locations(void)
{
    static char bad[sizeof(P837) + 8];
    got g;

    snprintf(bad, sizeof(bad), "%s", P837);
    /* CLM05-3 gone from the first claim */
    memcpy(strstr(bad, "11:B:1*Y"), "11:B: *Y", 8);
    CHECK_INT(read_chunks(&g, bad, strlen(bad), 0, NULL), MN_OK);
    CHECK_INT(g.n_failed, 1);
    CHECK(g.n_issues >= 1);
    if (g.n_issues)
        CHECK_STR(g.issues[0],
                  "t.837: interchange 000000101, group 7, transaction 0001, "
                  "segment 20 (CLM, loop 2300), element CLM05-3, line 20: "
                  "expected a claim frequency code of one digit or letter");
    got_free(&g);
}

/* Limits: a segment longer than max_segment, too many elements. */
static void test_limits(void)
{
    static char big[sizeof(P837) + 200000];
    mn_x837_options o = MN_X837_OPTIONS_INIT;
    got g;
    mn_error err;
    char *at;
    size_t n;

    snprintf(big, sizeof(big), "%s", P837);
    at = strstr(big, "REF*G1*PA778~");
    n = (size_t)(at - big);
    memcpy(at, "NTE*ADD*", 8);
    memset(at + 8, 'X', 100000);
    snprintf(at + 100008, sizeof(big) - n - 100008, "~%s",
             strstr(P837, "HI*ABK"));
    memset(&g, 0, sizeof(g));
    o.name = "t.837";
    o.on_item = on_item;
    o.on_issue = on_issue;
    o.payload = &g;
    o.max_segment = 4096;
    CHECK_INT(mn_x837_read(big, strlen(big), &o, NULL, &err), MN_OK);
    {
        bool said = false;
        for (size_t i = 0; i < g.n_issues; i++)
            said |=
                strstr(g.issues[i], "segment longer than 4096 bytes") != NULL;
        CHECK(said);
    }
    /* the claim lost a segment: not read; the next one is */
    CHECK_INT(g.n_failed, 1);
    CHECK_INT(g.n_claims, 1);
    got_free(&g);

    /* 200 elements in one segment */
    snprintf(big, sizeof(big), "%s", P837);
    at = strstr(big, "REF*G1*PA778~");
    n = (size_t)(at - big);
    memcpy(at, "NTE", 3);
    for (size_t i = 0; i < 200; i++)
        at[3 + i] = '*';
    snprintf(at + 203, sizeof(big) - n - 203, "~%s", strstr(P837, "HI*ABK"));
    memset(&g, 0, sizeof(g));
    o.max_segment = 0;
    CHECK_INT(mn_x837_read(big, strlen(big), &o, NULL, &err), MN_OK);
    {
        bool said = false;
        for (size_t i = 0; i < g.n_issues; i++)
            said |= strstr(g.issues[i], "more than 128 elements") != NULL;
        CHECK(said);
    }
    got_free(&g);

    /* misuse */
    CHECK_INT(mn_x837_new(NULL, &o, &err), MN_EINVAL);
    o.on_item = NULL;
    {
        mn_x837 *r = (mn_x837 *)&o;
        CHECK_INT(mn_x837_new(&r, &o, &err), MN_EINVAL);
        CHECK(r == NULL);
    }
}

/* A callback that stops the reader: its code comes back unchanged. */
static int stop_item(void *p, mn_x837_item *it)
{
    (void)p;
    mn_claim_free(it->claim);
    return 42;
}

static void test_stop(void)
{
    mn_x837_options o = MN_X837_OPTIONS_INIT;
    mn_error err;
    mn_x837_stats st;

    o.on_item = stop_item;
    CHECK_INT(mn_x837_read(P837, sizeof(P837) - 1, &o, &st, &err), 42);
    CHECK_INT(st.claims, 1);
}

/* ------------------------------------------------------------------ */
/* 835                                                                 */
/* ------------------------------------------------------------------ */

static const char R835[] =
    "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PROVIDER       "
    "*250401*0900*^*00501*000000301*0*P*:~"
    "GS*HP*PAYER*PROVIDER*20250401*0900*30*X*005010X221A1~"
    "ST*835*0301~"
    "BPR*I*60*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999999999*DA*"
    "654321*20250402~"
    "TRN*1*EFT7788*1512345678~"
    "N1*PR*TEST MEDICARE CONTRACTOR~"
    "N1*PE*TEST CLINIC*XX*1234567893~"
    "LX*1~"
    "CLP*C100*1*190.5*60*0*MB*ICN100*11*1~"
    "CAS*OA*23*0.5~"
    "NM1*QC*1*PATIENT*TEST****MI*1EG4TE5MK73~"
    "NM1*82*1*DOCTOR*ONE****XX*1111111112~"
    "MOA***MA01*MA18~"
    "DTM*232*20250302~"
    "SVC*HC:83036:QW*40.5*0**2~"
    "DTM*472*20250302~"
    "CAS*CO*50*40.5**16*0*1*4*0~"
    "REF*6R*L1~"
    "REF*0K*L33252~"
    "LQ*HE*N115~"
    "LQ*HE*M25~"
    "SVC*HC:99213:25*150*60**1~"
    "DTM*150*20250302~"
    "DTM*151*20250303~"
    "CAS*CO*45*60*1*59*10*1*97*5*1*253*1*1*B6*1*1*A1*2.5*2~"
    "CAS*PR*2*11.5~"
    "AMT*B6*71.5~"
    "SE*26*0301~"
    "GE*1*30~"
    "IEA*1*000000301~";

typedef struct got835 {
    char text[4096];
    size_t claims;
    mn_x835_claim first;
    size_t n_adj[4];
    char carcs[64];
    char rem[64];
    char policy[16];
    char dates[64];
    int64_t allowed;
} got835;

static int on_835(void *p, const mn_x835_claim *c)
{
    got835 *g = p;
    size_t n = strlen(g->text);

    n += (size_t)snprintf(g->text + n, sizeof(g->text) - n, "claim %s %s %zu\n",
                          c->claim_id, c->status, c->n_services);
    for (size_t i = 0; i < c->n_services; i++) {
        const mn_x835_service *s = &c->services[i];
        n += (size_t)snprintf(g->text + n, sizeof(g->text) - n,
                              " svc %s %s %zu %zu\n", s->code,
                              s->n_modifiers ? s->modifiers[0] : "-",
                              s->n_adjustments, s->n_remarks);
        for (size_t a = 0; a < s->n_adjustments; a++) {
            size_t k = strlen(g->carcs);
            snprintf(g->carcs + k, sizeof(g->carcs) - k, "%s-%s ",
                     s->adjustments[a].group, s->adjustments[a].carc);
        }
        for (size_t a = 0; a < s->n_remarks; a++) {
            size_t k = strlen(g->rem);
            snprintf(g->rem + k, sizeof(g->rem) - k, "%s ", s->remarks[a]);
        }
        if (i < 4)
            g->n_adj[i] = s->n_adjustments;
    }
    if (!g->claims) {
        g->first = *c;
        snprintf(g->policy, sizeof(g->policy), "%s",
                 c->n_services ? c->services[0].policy : "");
        if (c->n_services > 1) {
            snprintf(g->dates, sizeof(g->dates), "%s %s",
                     c->services[1].date_start, c->services[1].date_end);
            g->allowed = c->services[1].allowed;
        }
        for (size_t a = 0; a < c->n_remarks; a++) {
            size_t k = strlen(g->rem);
            snprintf(g->rem + k, sizeof(g->rem) - k, "claim:%s ",
                     c->remarks[a]);
        }
    }
    g->claims++;
    return MN_OK;
}

static void test_835(void)
{
    static got835 g;
    static got835 h;
    mn_x835_options o = MN_X835_OPTIONS_INIT;
    mn_x835_stats st;
    mn_error err;

    memset(&g, 0, sizeof(g));
    o.name = "t.835";
    o.on_claim = on_835;
    o.payload = &g;
    CHECK_INT(mn_x835_read(R835, sizeof(R835) - 1, &o, &st, &err), MN_OK);
    CHECK_INT(st.errors, 0);
    CHECK_INT(st.warnings, 0);
    CHECK_INT(g.claims, 1);
    CHECK_STR(g.carcs, "CO-50 CO-16 CO-4 CO-45 CO-59 CO-97 CO-253 CO-B6 "
                       "CO-A1 PR-2 ");
    CHECK_INT(g.n_adj[0], 3);
    CHECK_INT(g.n_adj[1], 7);
    CHECK_STR(g.rem, "N115 M25 claim:MA01 claim:MA18 ");
    CHECK_STR(g.policy, "L33252");
    CHECK_STR(g.dates, "2025-03-02 2025-03-03");
    CHECK_INT(g.allowed, 7150);

    /* in chunks: the same */
    for (size_t chunk = 1; chunk < 40; chunk += 3) {
        mn_x835 *r = NULL;
        memset(&h, 0, sizeof(h));
        o.payload = &h;
        CHECK_INT(mn_x835_new(&r, &o, &err), MN_OK);
        for (size_t at = 0; at < sizeof(R835) - 1; at += chunk) {
            size_t n =
                sizeof(R835) - 1 - at < chunk ? sizeof(R835) - 1 - at : chunk;
            CHECK_INT(mn_x835_feed(r, R835 + at, n, &err), MN_OK);
        }
        CHECK_INT(mn_x835_finish(r, &err), MN_OK);
        mn_x835_free(r);
        CHECK_STR(h.text, g.text);
        CHECK_STR(h.carcs, g.carcs);
    }
}

/* The first claim's own fields, read in a second callback. */
static int first_claim(void *p, const mn_x835_claim *c)
{
    char *out = p;
    snprintf(out, 512, "%s|%s|%lld|%lld|%s|%s|%s|%s|%s|%s|%s|%s|%zu|%s|%s|%s",
             c->claim_id, c->status, (long long)c->charge, (long long)c->paid,
             c->filing, c->payer_claim_number, c->patient_last, c->patient_id,
             c->rendering_npi, c->statement_start, c->payer, c->payee_npi,
             c->n_adjustments, c->n_adjustments ? c->adjustments[0].carc : "",
             c->payment_date, c->trace_number);
    return MN_OK;
}

static int production(void *p, const mn_x835_claim *c)
{
    snprintf(p, 16, "%s", c->production_date);
    return MN_OK;
}

static void test_835_fields(void)
{
    char out[512] = "";
    mn_x835_options o = MN_X835_OPTIONS_INIT;
    mn_error err;

    o.on_claim = first_claim;
    o.payload = out;
    CHECK_INT(mn_x835_read(R835, sizeof(R835) - 1, &o, NULL, &err), MN_OK);
    CHECK_STR(out, "C100|1|19050|6000|MB|ICN100|PATIENT|1EG4TE5MK73|"
                   "1111111112|2025-03-02|TEST MEDICARE CONTRACTOR|"
                   "1234567893|1|23|2025-04-02|EFT7788");
    /* the header's production date (DTM*405), absent above */
    {
        static const char dtm[] = "DTM*405*20250401~";
        char prod[16] = "unset";
        char *with = malloc(sizeof(R835) + sizeof(dtm));
        const char *trn = strstr(R835, "N1*PR*");
        const char *se = strstr(R835, "SE*26*");
        size_t a, b;
        if (!with || !trn || !se) {
            CHECK(0);
            free(with);
            return;
        }
        a = (size_t)(trn - R835);
        b = (size_t)(se - R835);
        memcpy(with, R835, a);
        memcpy(with + a, dtm, sizeof(dtm) - 1);
        memcpy(with + a + sizeof(dtm) - 1, R835 + a, b - a);
        snprintf(with + b + sizeof(dtm) - 1, sizeof(R835) - b + 1, "SE*27*%s",
                 se + 6);
        o.on_claim = production;
        o.payload = prod;
        CHECK_INT(mn_x835_read(with, strlen(with), &o, NULL, &err), MN_OK);
        CHECK_STR(prod, "2025-04-01");
        CHECK_INT(mn_x835_read(R835, sizeof(R835) - 1, &o, NULL, &err), MN_OK);
        CHECK_STR(prod, "");
        free(with);
    }
}

/* Which service lines are denials. */
static void test_835_denied(void)
{
    mn_x835_adjustment co50 = {"CO", "50", 1000, "", 1, 1};
    mn_x835_adjustment pr2 = {"PR", "2", 1000, "", 1, 1};
    mn_x835_adjustment co45 = {"CO", "45", 1000, "", 1, 1};
    mn_x835_adjustment both[2] = {{"CO", "45", 500, "", 1, 1},
                                  {"CO", "97", 500, "", 1, 2}};
    mn_x835_claim c;
    mn_x835_service sv;

    memset(&c, 0, sizeof(c));
    memset(&sv, 0, sizeof(sv));
    c.status = "1";
    sv.charge = 1000;
    sv.paid = 0;
    sv.n_adjustments = 1;
    sv.adjustments = &co50;
    CHECK_INT(mn_x835_service_denied(&c, &sv), 1);
    sv.adjustments = &pr2; /* coinsurance: the patient pays, not a denial */
    CHECK_INT(mn_x835_service_denied(&c, &sv), 0);
    sv.adjustments = &co45;
    CHECK_INT(mn_x835_service_denied(&c, &sv), 0);
    sv.n_adjustments = 2;
    sv.adjustments = both;
    CHECK_INT(mn_x835_service_denied(&c, &sv), 1);
    sv.paid = 500; /* paid in part */
    CHECK_INT(mn_x835_service_denied(&c, &sv), 0);
    sv.paid = MN_X835_NO_AMOUNT;
    sv.n_adjustments = 0; /* unpaid, the adjustment at the claim */
    CHECK_INT(mn_x835_service_denied(&c, &sv), 1);
    sv.charge = 0;
    CHECK_INT(mn_x835_service_denied(&c, &sv), 0);
    c.status = "4"; /* denied whole */
    sv.paid = 500;
    CHECK_INT(mn_x835_service_denied(&c, &sv), 1);
    CHECK_INT(mn_x835_service_denied(NULL, &sv), 0);
    CHECK_INT(mn_x835_service_denied(&c, NULL), 0);
}

/* An 837 given to the 835 reader is refused as not a remittance. */
static void on_issue_835(void *p, const mn_x12_issue *is)
{
    char *out = p;
    if (!out[0])
        mn_x12_issue_format(out, 600, is);
}

static int ignore_835(void *p, const mn_x835_claim *c)
{
    (void)p;
    (void)c;
    return MN_OK;
}

static void test_835_refuses(void)
{
    char out[600] = "";
    mn_x835_options o = MN_X835_OPTIONS_INIT;
    mn_x835_stats st;
    mn_error err;

    o.on_claim = ignore_835;
    o.on_issue = on_issue_835;
    o.payload = out;
    o.name = "claims.837";
    CHECK_INT(mn_x835_read(P837, sizeof(P837) - 1, &o, &st, &err), MN_OK);
    CHECK_INT(st.refused_sets, 1);
    CHECK_INT(st.claims, 0);
    CHECK_CONTAINS(out, "transaction set 837 (health care claim) is not a "
                        "remittance");
}

int main(void)
{
    RUN(test_837p);
    RUN(test_837i);
    RUN(test_chunks);
    RUN(test_separators);
    RUN(test_truncated);
    RUN(test_locations);
    RUN(test_limits);
    RUN(test_stop);
    RUN(test_835);
    RUN(test_835_fields);
    RUN(test_835_denied);
    RUN(test_835_refuses);
    DONE();
}
