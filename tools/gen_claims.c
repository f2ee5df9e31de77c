/*
 * gen_claims: synthetic professional claims for benchmarks and the report
 * test, as X12 837P (005010X222A1) or as contract JSON Lines: the same
 * claims either way for one seed. Every patient, provider and claim is
 * made up (names PATIENT/DOCTOR, ids P000001..., NPIs with a valid check
 * digit); nothing comes from real data.
 *
 * The claims mix services the data-driven cases' KB (tests/cases/kb) and
 * the CMS data judge in different ways: vitamin D with a supporting and a
 * non-supporting diagnosis, an injection billed over its MUE, a knee
 * arthroscopy with an injection of the same knee the same day (an NCCI
 * pair), office visits, labs. The first provider bills the non-supporting
 * diagnosis five times as often as the others, so a report has an outlier.
 *
 * usage: gen_claims [--format x12|jsonl] [--lines N | --bytes N]
 *                   [--seed S] [--providers P] [--patients K]
 *                   [--claims-per-set N] [--newlines] [-o OUT]
 *
 * --lines: stop after the claim that reaches N service lines (default
 * 100,000); --bytes: stop after the claim that reaches N bytes. --newlines puts
 * a newline after each X12 segment terminator. Output to OUT or stdout.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct service {
    const char *code;
    const char *mod; /* or "" */
    const char *dx;  /* ICD-10-CM, dotted */
    unsigned units_max;
    const char *charge; /* dollars */
    unsigned weight;
} service;

/* The mix; weights in thousandths. Index 1 is the non-supporting one. */
static const service mix[] = {
    {"82306", "", "E55.9", 1, "40.50", 120},
    {"82306", "", "I10", 1, "40.50", 50},
    {"96372", "", "M17.11", 4, "25.00", 100},
    {"99213", "", "I10", 1, "95.00", 200},
    {"99214", "", "E11.9", 1, "140.00", 100},
    {"83036", "", "E11.9", 1, "31.00", 90},
    {"80061", "", "E11.65", 1, "38.00", 80},
    {"36415", "", "R73.09", 1, "8.00", 90},
    {"97110", "GP", "M17.11", 4, "32.00", 60},
    {"G0439", "", "Z00.00", 1, "170.00", 30},
    {"29881", "RT", "M17.11", 1, "900.00", 40},
    {"20610", "RT", "M17.11", 1, "120.00", 40},
};
#define N_MIX (sizeof(mix) / sizeof(mix[0]))

static uint64_t rng_state;

static uint64_t rnd(void)
{
    /* splitmix64 */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static unsigned below(unsigned n)
{
    return (unsigned)(rnd() % n);
}

/* A 10-digit NPI with its Luhn check digit (prefix 80840). */
static void npi(char out[11], unsigned n)
{
    char body[10];
    int sum = 24; /* the prefix 80840's contribution */

    snprintf(body, sizeof(body), "1%08u", n % 100000000u);
    for (int i = 8; i >= 0; i--) {
        int d = body[i] - '0';
        if ((8 - i) % 2 == 0) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    snprintf(out, 11, "%s%d", body, (10 - sum % 10) % 10);
}

typedef struct out {
    FILE *f;
    uint64_t bytes;
} out;

static void put(out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void put(out *o, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vfprintf(o->f, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->bytes += (uint64_t)n;
}

typedef struct cline {
    const service *s;
    unsigned units;
    unsigned dx; /* pointer, 1-based */
} cline;

typedef struct claim {
    char id[24];
    unsigned patient;
    unsigned provider;
    char date[24]; /* YYYY-MM-DD */
    const char *dx[4];
    unsigned n_dx;
    cline lines[4];
    unsigned n_lines;
} claim;

static const service *pick(unsigned provider)
{
    unsigned total = 0, r;

    for (size_t i = 0; i < N_MIX; i++)
        total += mix[i].weight * (provider == 0 && i == 1 ? 5u : 1u);
    r = below(total);
    for (size_t i = 0; i < N_MIX; i++) {
        unsigned w = mix[i].weight * (provider == 0 && i == 1 ? 5u : 1u);
        if (r < w)
            return &mix[i];
        r -= w;
    }
    return &mix[0];
}

static void make_claim(claim *c, uint64_t n, unsigned providers,
                       unsigned patients)
{
    static const unsigned mdays[12] = {31, 29, 31, 30, 31, 30,
                                       31, 31, 30, 31, 30, 31};
    unsigned month = below(12);

    memset(c, 0, sizeof(*c));
    snprintf(c->id, sizeof(c->id), "G%" PRIu64, n);
    c->patient = below(patients) + 1;
    c->provider = below(providers);
    snprintf(c->date, sizeof(c->date), "2024-%02u-%02u", month + 1,
             below(mdays[month]) + 1);
    c->n_lines = 1 + below(4);
    for (unsigned i = 0; i < c->n_lines; i++) {
        const service *s = pick(c->provider);
        if (s == &mix[10] && i + 1 < c->n_lines) {
            /* the arthroscopy with the injection it bundles */
            c->lines[i].s = s;
            c->lines[i + 1].s = &mix[11];
            c->lines[i].units = c->lines[i + 1].units = 1;
            i++;
        } else {
            c->lines[i].s = s;
            c->lines[i].units = 1 + below(s->units_max);
        }
    }
    for (unsigned i = 0; i < c->n_lines; i++) {
        const char *dx = c->lines[i].s->dx;
        unsigned k;
        for (k = 0; k < c->n_dx && strcmp(c->dx[k], dx) != 0; k++)
            ;
        if (k == c->n_dx)
            c->dx[c->n_dx++] = dx;
        c->lines[i].dx = k + 1;
    }
}

static void undot(char *dst, size_t size, const char *dx)
{
    size_t j = 0;
    for (const char *p = dx; *p && j + 1 < size; p++)
        if (*p != '.')
            dst[j++] = *p;
    dst[j] = '\0';
}

/* The charge of a line: its unit charge times its units, in cents. */
static long line_cents(const cline *l)
{
    const char *ch = l->s->charge;
    return (strtol(ch, NULL, 10) * 100 +
            strtol(strchr(ch, '.') + 1, NULL, 10)) *
           (long)l->units;
}

static void jsonl_claim(out *o, const claim *c)
{
    char prov[11];

    npi(prov, 1000 + c->provider);
    put(o,
        "{\"id\":\"%s\",\"jurisdiction\":\"KY\",\"place_of_service\":\"11\","
        "\"provider\":\"%s\",\"patient\":{\"id\":\"P%06u\",\"birth_date\":"
        "\"19%02u-%02u-%02u\",\"sex\":\"%s\"},\"diagnoses\":[",
        c->id, prov, c->patient, 30 + c->patient % 30, 1 + c->patient % 12,
        1 + c->patient % 28, c->patient % 2 ? "F" : "M");
    for (unsigned i = 0; i < c->n_dx; i++)
        put(o, "%s\"%s\"", i ? "," : "", c->dx[i]);
    put(o, "],\"lines\":[");
    for (unsigned i = 0; i < c->n_lines; i++) {
        const cline *l = &c->lines[i];
        put(o, "%s{\"number\":%u,\"code\":\"%s\"", i ? "," : "", i + 1,
            l->s->code);
        if (l->s->mod[0])
            put(o, ",\"modifiers\":[\"%s\"]", l->s->mod);
        put(o,
            ",\"units\":%u,\"date\":\"%s\",\"charge\":%ld.%02ld,"
            "\"dx_pointers\":[%u]}",
            l->units, c->date, line_cents(l) / 100, line_cents(l) % 100, l->dx);
    }
    put(o, "]}\n");
}

typedef struct x12 {
    const char *nl;
    uint64_t segs; /* of the current set */
} x12;

static void seg(out *o, x12 *x, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void seg(out *o, x12 *x, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vfprintf(o->f, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->bytes += (uint64_t)n;
    put(o, "~%s", x->nl);
    x->segs++;
}

static void x12_claim(out *o, x12 *x, const claim *c, unsigned hl)
{
    char prov[11];
    char dx[12];
    char d8[16];
    char charge[48];
    long cents = 0;

    npi(prov, 1000 + c->provider);
    snprintf(d8, sizeof(d8), "%.4s%.2s%.2s", c->date, c->date + 5, c->date + 8);
    for (unsigned i = 0; i < c->n_lines; i++)
        cents += line_cents(&c->lines[i]);
    snprintf(charge, sizeof(charge), "%ld.%02ld", cents / 100, cents % 100);
    seg(o, x, "HL*%u*1*22*0", hl);
    seg(o, x, "SBR*P*18*******MB");
    seg(o, x, "NM1*IL*1*PATIENT*SYNTHETIC****MI*P%06u", c->patient);
    seg(o, x, "DMG*D8*19%02u%02u%02u*%s", 30 + c->patient % 30,
        1 + c->patient % 12, 1 + c->patient % 28, c->patient % 2 ? "F" : "M");
    seg(o, x, "NM1*PR*2*MEDICARE B*****PI*15102");
    seg(o, x, "CLM*%s*%s***11:B:1*Y*A*Y*Y", c->id, charge);
    for (unsigned i = 0; i < c->n_dx; i++) {
        undot(dx, sizeof(dx), c->dx[i]);
        if (i == 0)
            put(o, "HI*ABK:%s", dx);
        else
            put(o, "*ABF:%s", dx);
    }
    seg(o, x, "%s", "");
    seg(o, x, "NM1*82*1*DOCTOR*SYNTHETIC****XX*%s", prov);
    for (unsigned i = 0; i < c->n_lines; i++) {
        const cline *l = &c->lines[i];
        long lc = line_cents(l);
        seg(o, x, "LX*%u", i + 1);
        seg(o, x, "SV1*HC:%s%s%s*%ld.%02ld*UN*%u***%u", l->s->code,
            l->s->mod[0] ? ":" : "", l->s->mod, lc / 100, lc % 100, l->units,
            l->dx);
        seg(o, x, "DTP*472*D8*%s", d8);
    }
}

static void usage(void)
{
    fputs("usage: gen_claims [--format x12|jsonl] [--lines N | --bytes N] "
          "[--seed S]\n"
          "                  [--providers P] [--patients K] "
          "[--claims-per-set N]\n"
          "                  [--newlines] [-o OUT]\n",
          stderr);
    exit(2);
}

static uint64_t num(const char *s)
{
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 10);
    if (!s[0] || *end)
        usage();
    return (uint64_t)v;
}

int main(int argc, char **argv)
{
    bool x12fmt = true;
    uint64_t lines = 100000, bytes = 0, seed = 1;
    unsigned providers = 40, patients = 20000, per_set = 1000;
    const char *path = NULL;
    out o = {stdout, 0};
    x12 x = {"", 0};
    uint64_t n_claims = 0, n_lines = 0, sets = 0;
    claim c;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--newlines") == 0) {
            x.nl = "\n";
            continue;
        }
        if (!v)
            usage();
        i++;
        if (strcmp(a, "--format") == 0 && strcmp(v, "x12") == 0)
            x12fmt = true;
        else if (strcmp(a, "--format") == 0 && strcmp(v, "jsonl") == 0)
            x12fmt = false;
        else if (strcmp(a, "--lines") == 0)
            lines = num(v);
        else if (strcmp(a, "--bytes") == 0)
            bytes = num(v);
        else if (strcmp(a, "--seed") == 0)
            seed = num(v);
        else if (strcmp(a, "--providers") == 0)
            providers = (unsigned)num(v);
        else if (strcmp(a, "--patients") == 0)
            patients = (unsigned)num(v);
        else if (strcmp(a, "--claims-per-set") == 0)
            per_set = (unsigned)num(v);
        else if (strcmp(a, "-o") == 0)
            path = v;
        else
            usage();
    }
    if (!providers || !patients || !per_set)
        usage();
    if (path && !(o.f = fopen(path, "wb"))) {
        perror(path);
        return 1;
    }
    rng_state = seed;
    if (x12fmt) {
        seg(&o, &x,
            "ISA*00*          *00*          *ZZ*SYNTHETIC      *ZZ*RECEIVER"
            "       *240701*1200*^*00501*000000001*0*T*:");
        seg(&o, &x, "GS*HC*SYNTHETIC*RECEIVER*20240701*1200*1*X*005010X222A1");
    }
    for (;;) {
        bool done = bytes ? o.bytes >= bytes : n_lines >= lines;
        if (x12fmt && (done || (n_claims && n_claims % per_set == 0))) {
            if (n_claims) {
                seg(&o, &x, "SE*%" PRIu64 "*%04" PRIu64, x.segs + 1, sets);
            }
        }
        if (done)
            break;
        if (x12fmt && n_claims % per_set == 0) {
            char billing[11];
            sets++;
            x.segs = 0;
            npi(billing, 999);
            seg(&o, &x, "ST*837*%04" PRIu64 "*005010X222A1", sets);
            seg(&o, &x, "BHT*0019*00*B%" PRIu64 "*20240701*1200*CH", sets);
            seg(&o, &x, "NM1*41*2*SYNTHETIC BILLING*****46*S1");
            seg(&o, &x, "PER*IC*DESK*TE*5555550100");
            seg(&o, &x, "NM1*40*2*TEST MAC*****46*15102");
            seg(&o, &x, "HL*1**20*1");
            seg(&o, &x, "NM1*85*2*SYNTHETIC CLINIC*****XX*%s", billing);
            seg(&o, &x, "N3*1 MAIN ST");
            seg(&o, &x, "N4*LOUISVILLE*KY*40202");
            seg(&o, &x, "REF*EI*610000000");
        }
        make_claim(&c, n_claims + 1, providers, patients);
        if (x12fmt)
            x12_claim(&o, &x, &c, (unsigned)(n_claims % per_set) + 2);
        else
            jsonl_claim(&o, &c);
        n_claims++;
        n_lines += c.n_lines;
    }
    if (x12fmt) {
        seg(&o, &x, "GE*%" PRIu64 "*1", sets);
        seg(&o, &x, "IEA*1*000000001");
    }
    if (fflush(o.f) || (path && fclose(o.f))) {
        perror(path ? path : "stdout");
        return 1;
    }
    fprintf(stderr,
            "gen_claims: %" PRIu64 " claims, %" PRIu64 " lines, %" PRIu64
            " bytes\n",
            n_claims, n_lines, o.bytes);
    return 0;
}
