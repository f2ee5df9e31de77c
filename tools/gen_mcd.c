/*
 * gen_mcd.c: writes a synthetic, real-scale CMS Medicare Coverage Database
 * (MCD) export in the layout CMS ships, for benchmarks.
 *
 *   gen_mcd --icd FILE [--articles N] [--covered N] [--seed S]
 *           [--zip FILE] -o DIR
 *
 * DIR gets the two datasets unpacked as the export holds them (the CSVs
 * of DIR/all_article/all_article_csv and DIR/all_lcd/all_lcd_csv); --zip
 * FILE also writes them packed as CMS ships them: FILE (all_data.zip)
 * holds all_article.zip and all_lcd.zip, each holding its CSV ZIP
 * (all_article_csv.zip, all_lcd_csv.zip). Both datasets carry the contractor
 * tables (contractor.csv, contractor_type_lookup.csv,
 * contractor_jurisdiction.csv, state_lookup.csv), as the export does. Each
 * contractor number has an ended version (its jurisdiction rows end 2013-09-15)
 * and a current one; documents link to the current one; Northern and Southern
 * California are parts of a state.
 *
 * Deterministic: the same arguments and ICD-10-CM file give the same bytes
 * (own splitmix64 generator, no rand(), no clock, no locale). Covered and
 * non-covered diagnoses are real billable ICD-10-CM codes read from FILE
 * (the gzip CSV of ../shared/data/icd10cm: order, dotted code, billable
 * flag, description, ...), drawn in runs of neighbouring codes as real
 * articles list them. Articles come in "topics": one topic's articles
 * share their CPT/HCPCS codes and sit in different MAC jurisdictions, as
 * the per-MAC articles of one LCD do. Contractor numbers are real A/B MAC
 * Part B numbers. No CPT descriptor is written anywhere.
 *
 * Shape (defaults): 2,000 articles; about 12% with a prior version that
 * ended the day before the current one took effect (inside FY2024), 3%
 * taking effect inside FY2024 with no prior version, 5% retired inside
 * FY2024; 1-5 procedure codes; 1-4 covered groups; 400,000 covered rows in
 * all (about 200 per article version, 2% of articles with thousands); 5%
 * dual-diagnosis articles (asterisked Group 1 codes that need a secondary
 * diagnosis from Group 2, said in the group paragraph and the asterisk
 * column); 20% with a non-covered list.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zip.h>
#include <zlib.h>

/* ---- deterministic random numbers ---------------------------------- */

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t rnext(rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static uint32_t below(rng *r, uint32_t n)
{
    return (uint32_t)(((rnext(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [0, 1). */
static double unit(rng *r)
{
    return (double)(rnext(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* ---- dates (days since 1970-01-01) ---------------------------------- */

static int32_t days_from_civil(int y, int m, int d)
{
    int yy = y - (m <= 2);
    int era = (yy >= 0 ? yy : yy - 399) / 400;
    int yoe = yy - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

static void format_date(char out[11], int32_t days)
{
    int z = days + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int y = yoe + era * 400;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    int d = doy - (153 * mp + 2) / 5 + 1;
    int m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    unsigned u = (unsigned)(y < 0 ? 0 : y % 10000);
    out[0] = (char)('0' + u / 1000);
    out[1] = (char)('0' + u / 100 % 10);
    out[2] = (char)('0' + u / 10 % 10);
    out[3] = (char)('0' + u % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

/* ---- contractors ------------------------------------------------------ */

typedef struct number {
    const char *number;
    const char *states; /* state_lookup ids, space apart */
} number;

typedef struct mac {
    const char *name;
    const char *company;
    number numbers[10];
} mac;

/* The places of the state_lookup table this generator writes: id,
 * abbreviation, description (the export's "California - Northern"). */
static const struct {
    int id;
    const char *abbrev;
    const char *desc;
} states[] = {
    {1, "AL", "Alabama"},
    {2, "AK", "Alaska"},
    {3, "AZ", "Arizona"},
    {4, "AR", "Arkansas"},
    {5, "CA", "California - Entire State"},
    {6, "CA", "California - Northern"},
    {7, "CA", "California - Southern"},
    {8, "CO", "Colorado"},
    {9, "CT", "Connecticut"},
    {10, "DE", "Delaware"},
    {11, "DC", "District of Columbia"},
    {12, "FL", "Florida"},
    {13, "GA", "Georgia"},
    {14, "HI", "Hawaii"},
    {15, "ID", "Idaho"},
    {16, "IL", "Illinois"},
    {17, "IN", "Indiana"},
    {18, "IA", "Iowa"},
    {19, "KS", "Kansas"},
    {20, "KY", "Kentucky"},
    {21, "LA", "Louisiana"},
    {22, "ME", "Maine"},
    {23, "MD", "Maryland"},
    {24, "MA", "Massachusetts"},
    {25, "MI", "Michigan"},
    {26, "MN", "Minnesota"},
    {27, "MS", "Mississippi"},
    {28, "MO", "Missouri - Entire State"},
    {29, "MT", "Montana"},
    {30, "NE", "Nebraska"},
    {31, "NV", "Nevada"},
    {32, "NH", "New Hampshire"},
    {33, "NJ", "New Jersey"},
    {34, "NM", "New Mexico"},
    {35, "NY", "New York - Entire State"},
    {36, "NC", "North Carolina"},
    {37, "ND", "North Dakota"},
    {38, "OH", "Ohio"},
    {39, "OK", "Oklahoma"},
    {40, "OR", "Oregon"},
    {41, "PA", "Pennsylvania"},
    {42, "RI", "Rhode Island"},
    {43, "SC", "South Carolina"},
    {44, "SD", "South Dakota"},
    {45, "TN", "Tennessee"},
    {46, "TX", "Texas"},
    {47, "UT", "Utah"},
    {48, "VT", "Vermont"},
    {49, "VA", "Virginia"},
    {50, "WA", "Washington"},
    {51, "WV", "West Virginia"},
    {52, "WI", "Wisconsin"},
    {53, "WY", "Wyoming"},
    {54, "AS", "American Samoa"},
    {55, "GU", "Guam"},
    {56, "MP", "Northern Mariana Islands"},
    {57, "PR", "Puerto Rico"},
    {58, "VI", "Virgin Islands"},
};

/* A/B MAC jurisdictions, their Part B contractor numbers and the places
 * each serves (the locality file of medicare-facts.md 1.4, as bench/
 * model.c reads it: 01112 Northern and 01182 Southern California). */
static const mac macs[] = {
    {"JE",
     "Noridian Healthcare Solutions, LLC",
     {{"01112", "6"},
      {"01182", "7"},
      {"01212", "14 55 54 56"},
      {"01312", "31"}}},
    {"JF",
     "Noridian Healthcare Solutions, LLC",
     {{"02102", "2"},
      {"02202", "15"},
      {"02302", "40"},
      {"02402", "50"},
      {"03102", "3"},
      {"03202", "29"},
      {"03302", "37"},
      {"03402", "44"},
      {"03502", "47"},
      {"03602", "53"}}},
    {"JH",
     "Novitas Solutions, Inc.",
     {{"04112", "8"},
      {"04212", "34"},
      {"04312", "39"},
      {"04412", "46"},
      {"07102", "4"},
      {"07202", "21"},
      {"07302", "27"}}},
    {"J5",
     "Wisconsin Physicians Service Insurance Corporation",
     {{"05102", "18"}, {"05202", "19"}, {"05302", "28"}, {"05402", "30"}}},
    {"J6",
     "National Government Services, Inc.",
     {{"06102", "16"}, {"06202", "26"}, {"06302", "52"}}},
    {"J8",
     "Wisconsin Physicians Service Insurance Corporation",
     {{"08102", "17"}, {"08202", "25"}}},
    {"JN",
     "First Coast Service Options, Inc.",
     {{"09102", "12"}, {"09202", "57 58"}}},
    {"JJ",
     "Palmetto GBA, LLC",
     {{"10112", "1"}, {"10202", "13"}, {"10302", "45"}}},
    {"JM",
     "Palmetto GBA, LLC",
     {{"11202", "43"}, {"11302", "49"}, {"11402", "51"}, {"11502", "36"}}},
    {"JL",
     "Novitas Solutions, Inc.",
     {{"12102", "10"},
      {"12202", "11 23 49"},
      {"12302", "23"},
      {"12402", "33"},
      {"12502", "41"}}},
    {"JK",
     "National Government Services, Inc.",
     {{"13102", "9"},
      {"13202", "35"},
      {"14112", "22"},
      {"14212", "24"},
      {"14312", "32"},
      {"14412", "42"},
      {"14512", "48"}}},
    {"J15", "CGS Administrators, LLC", {{"15102", "20"}, {"15202", "38"}}},
};
#define N_MACS (sizeof(macs) / sizeof(macs[0]))
#define CONTRACTOR_ID_BASE 300

static size_t mac_count(size_t m)
{
    size_t n = 0;
    while (n < 10 && macs[m].numbers[n].number)
        n++;
    return n;
}

/* contractor_id of the i-th number of MAC m (ids numbered in table
 * order). */
static int contractor_id(size_t m, size_t i)
{
    int id = CONTRACTOR_ID_BASE;
    for (size_t k = 0; k < m; k++)
        id += (int)mac_count(k);
    return id + (int)i;
}

/* ---- ICD-10-CM codes ------------------------------------------------- */

typedef struct icd {
    char code[9]; /* dotted */
    char *desc;
} icd;

typedef struct icd_list {
    icd *v;
    size_t n;
    size_t cap;
} icd_list;

static char *read_gz(const char *path, size_t *len)
{
    gzFile f = gzopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0;
    size_t n = 0;

    if (!f)
        return NULL;
    for (;;) {
        int got;
        if (cap - n < 65536) {
            size_t ncap = cap ? cap * 2 : (size_t)1 << 22;
            char *nb = realloc(buf, ncap + 1);
            if (!nb) {
                free(buf);
                gzclose(f);
                return NULL;
            }
            buf = nb;
            cap = ncap;
        }
        got = gzread(f, buf + n, 65536);
        if (got < 0) {
            free(buf);
            gzclose(f);
            return NULL;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    gzclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Reads one CSV field at *p (RFC 4180 quoting) into out (at most cap-1
 * bytes kept). Returns the terminator: ',', '\n' or '\0'. */
static char csv_field(const char **p, const char *end, char *out, size_t cap)
{
    const char *s = *p;
    size_t n = 0;
    char term = '\0';

    if (s < end && *s == '"') {
        s++;
        while (s < end) {
            if (*s == '"') {
                if (s + 1 < end && s[1] == '"') {
                    if (n + 1 < cap)
                        out[n++] = '"';
                    s += 2;
                    continue;
                }
                s++;
                break;
            }
            if (n + 1 < cap)
                out[n++] = *s;
            s++;
        }
    }
    while (s < end && *s != ',' && *s != '\n') {
        if (*s != '\r' && n + 1 < cap)
            out[n++] = *s;
        s++;
    }
    if (s < end) {
        term = *s;
        s++;
    }
    if (cap)
        out[n] = '\0';
    *p = s;
    return term;
}

static int load_icd(icd_list *out, const char *path)
{
    size_t len = 0;
    char *data = read_gz(path, &len);
    const char *p;
    const char *end;
    char f[4][512];
    size_t rec = 0;

    if (!data) {
        fprintf(stderr, "gen_mcd: cannot read %s\n", path);
        return -1;
    }
    p = data;
    end = data + len;
    while (p < end) {
        size_t nf = 0;
        char term = ',';
        char scratch[8];
        while (term == ',') {
            if (nf < 4)
                term = csv_field(&p, end, f[nf], sizeof(f[nf]));
            else
                term = csv_field(&p, end, scratch, sizeof(scratch));
            nf++;
        }
        if (rec++ == 0 || nf < 4)
            continue; /* header, blank line */
        if (strcmp(f[2], "1") != 0 || strlen(f[1]) < 3 ||
            strlen(f[1]) >= sizeof(out->v[0].code))
            continue; /* not billable */
        if (out->n == out->cap) {
            size_t ncap = out->cap ? out->cap * 2 : 65536;
            icd *nv = realloc(out->v, ncap * sizeof(*nv));
            if (!nv) {
                free(data);
                return -1;
            }
            out->v = nv;
            out->cap = ncap;
        }
        memcpy(out->v[out->n].code, f[1], strlen(f[1]) + 1);
        out->v[out->n].desc = strdup(f[3]);
        if (!out->v[out->n].desc) {
            free(data);
            return -1;
        }
        out->n++;
    }
    free(data);
    if (out->n < 1000) {
        fprintf(stderr, "gen_mcd: %s: only %zu billable codes found\n", path,
                out->n);
        return -1;
    }
    return 0;
}

/* ---- the model --------------------------------------------------------- */

#define MAX_CODES 5
#define MAX_GROUPS 4

typedef struct article {
    int id; /* article_id; display id A<id> */
    int topic;
    size_t mac;
    int version;       /* current version */
    int32_t eff;       /* current version's effective date */
    int32_t end;       /* -1: in force */
    int32_t orig;      /* original effective date */
    int prior;         /* a prior version is written */
    int32_t prior_eff; /* (it ends on eff - 1) */
    int n_codes;
    char codes[MAX_CODES][6];
    uint32_t *cov; /* indices into the ICD list, in row order */
    unsigned char *cov_group;
    size_t n_cov;       /* rows of the current version */
    size_t n_prior_cov; /* rows of the prior version (a prefix) */
    int n_groups;
    int dual;     /* group 1 asterisked, needs group 2 */
    size_t n_ast; /* codes in group 1 of a dual article */
    uint32_t *noncov;
    size_t n_noncov;
} article;

typedef struct gen {
    rng r;
    icd_list icd;
    article *a;
    size_t n;
    unsigned char *used; /* per-article bitmap over the ICD list */
    char (*pool)[6];     /* procedure code pool, shuffled */
    size_t n_pool;
    size_t next_pool;
} gen;

static void shuffle_pool(gen *g)
{
    for (size_t i = g->n_pool; i > 1; i--) {
        size_t j = below(&g->r, (uint32_t)i);
        char t[6];
        memcpy(t, g->pool[i - 1], 6);
        memcpy(g->pool[i - 1], g->pool[j], 6);
        memcpy(g->pool[j], t, 6);
    }
    g->next_pool = 0;
}

static int make_pool(gen *g)
{
    size_t k = 0;

    g->n_pool = 10000 + 500;
    g->pool = malloc(g->n_pool * sizeof(*g->pool));
    if (!g->pool)
        return -1;
    for (int c = 80000; c <= 89999; c++)
        snprintf(g->pool[k++], 6, "%05d", c);
    for (int c = 1; c <= 500; c++)
        snprintf(g->pool[k++], 6, "G%04d", c);
    shuffle_pool(g);
    return 0;
}

static const char *pool_code(gen *g)
{
    if (g->next_pool == g->n_pool)
        shuffle_pool(g);
    return g->pool[g->next_pool++];
}

static int cmp_u32(const void *pa, const void *pb)
{
    uint32_t a = *(const uint32_t *)pa;
    uint32_t b = *(const uint32_t *)pb;
    return a < b ? -1 : a > b;
}

/* Appends `want` unused codes to a's covered list under `group`, in runs
 * of neighbouring codes, each group sorted in code order. */
static void fill_group(gen *g, article *a, size_t want, int group)
{
    size_t start = a->n_cov;
    size_t n_icd = g->icd.n;

    while (a->n_cov - start < want) {
        size_t at = below(&g->r, (uint32_t)n_icd);
        size_t run = 3 + below(&g->r, 40);
        for (size_t k = 0; k < run && a->n_cov - start < want; k++) {
            size_t i = (at + k) % n_icd;
            if (g->used[i >> 3] & (1u << (i & 7)))
                continue;
            g->used[i >> 3] |= (unsigned char)(1u << (i & 7));
            a->cov[a->n_cov] = (uint32_t)i;
            a->cov_group[a->n_cov] = (unsigned char)group;
            a->n_cov++;
        }
    }
    qsort(a->cov + start, a->n_cov - start, sizeof(uint32_t), cmp_u32);
}

static int make_lists(gen *g, article *a, size_t n_cov)
{
    size_t n_icd = g->icd.n;
    size_t left;

    a->cov = malloc(n_cov * sizeof(*a->cov));
    a->cov_group = malloc(n_cov);
    if (!a->cov || !a->cov_group)
        return -1;
    memset(g->used, 0, (n_icd + 7) / 8);
    a->n_cov = 0;
    left = n_cov;
    if (a->dual) {
        size_t ast = 1 + below(&g->r, 8);
        size_t partner = 5 + below(&g->r, 40);
        if (ast + partner > left)
            partner = left > ast ? left - ast : 0;
        a->n_ast = ast;
        fill_group(g, a, ast, 1);
        fill_group(g, a, partner, 2);
        left -= ast + partner;
        for (int gr = 3; gr <= a->n_groups; gr++) {
            size_t take = gr == a->n_groups ? left : left / 2;
            fill_group(g, a, take, gr);
            left -= take;
        }
    } else {
        for (int gr = 1; gr <= a->n_groups; gr++) {
            size_t rest = (size_t)(a->n_groups - gr + 1);
            size_t take =
                gr == a->n_groups
                    ? left
                    : left / rest +
                          below(&g->r, (uint32_t)(left / rest / 2 + 1));
            if (take > left)
                take = left;
            fill_group(g, a, take, gr);
            left -= take;
        }
    }
    if (a->n_noncov) {
        a->noncov = malloc(a->n_noncov * sizeof(*a->noncov));
        if (!a->noncov)
            return -1;
        for (size_t k = 0; k < a->n_noncov;) {
            size_t i = below(&g->r, (uint32_t)n_icd);
            if (g->used[i >> 3] & (1u << (i & 7)))
                continue;
            g->used[i >> 3] |= (unsigned char)(1u << (i & 7));
            a->noncov[k++] = (uint32_t)i;
        }
        qsort(a->noncov, a->n_noncov, sizeof(uint32_t), cmp_u32);
    }
    return 0;
}

static int build_model(gen *g, size_t n_articles, size_t n_covered)
{
    const int32_t fy_start = days_from_civil(2023, 10, 1);
    const int32_t early = days_from_civil(2019, 10, 1);
    double *w = NULL;
    double sum = 0;
    size_t i = 0;
    int topic = 0;
    size_t total = 0;
    int rc = -1;

    g->a = calloc(n_articles, sizeof(*g->a));
    w = calloc(n_articles, sizeof(*w));
    g->used = malloc((g->icd.n + 7) / 8);
    if (!g->a || !w || !g->used || make_pool(g))
        goto done;
    g->n = n_articles;

    /* topics: 1-6 articles in distinct MACs sharing 1-5 codes */
    while (i < n_articles) {
        size_t k = 1 + below(&g->r, 6);
        size_t order[N_MACS];
        static const unsigned code_weights[] = {30, 25, 20, 15, 10};
        unsigned pick = below(&g->r, 100);
        int n_codes = 1;
        char codes[MAX_CODES][6];

        for (unsigned acc = code_weights[0]; pick >= acc && n_codes < 5;
             acc += code_weights[n_codes], n_codes++)
            ;
        for (int c = 0; c < n_codes; c++)
            memcpy(codes[c], pool_code(g), 6);
        for (size_t m = 0; m < N_MACS; m++)
            order[m] = m;
        for (size_t m = 0; m < k && m < N_MACS; m++) {
            size_t j = m + below(&g->r, (uint32_t)(N_MACS - m));
            size_t t = order[m];
            order[m] = order[j];
            order[j] = t;
        }
        topic++;
        for (size_t m = 0; m < k && i < n_articles; m++, i++) {
            article *a = &g->a[i];
            unsigned kind = below(&g->r, 100);
            a->id = 52000 + (int)i;
            a->topic = topic;
            a->mac = order[m];
            a->n_codes = n_codes;
            memcpy(a->codes, codes, sizeof(codes));
            a->version = 1 + (int)below(&g->r, 40);
            a->end = -1;
            a->orig = early - 365 * (int32_t)below(&g->r, 4) -
                      (int32_t)below(&g->r, 365);
            if (kind < 12 && a->version > 1) {
                /* revised inside FY2024: prior version until eff - 1 */
                a->prior = 1;
                a->eff = fy_start + 31 + (int32_t)below(&g->r, 300);
                a->prior_eff = early + (int32_t)below(&g->r, 1400);
            } else if (kind < 15) {
                /* new inside FY2024 */
                a->version = 1 + (int)below(&g->r, 3);
                a->eff = fy_start + 31 + (int32_t)below(&g->r, 300);
                a->orig = a->eff;
            } else if (kind < 20) {
                /* retired inside FY2024 */
                a->eff = early + (int32_t)below(&g->r, 1400);
                a->end = fy_start + 92 + (int32_t)below(&g->r, 240);
            } else {
                a->eff = early + (int32_t)below(&g->r, 1460);
            }
            if (a->orig > a->eff)
                a->orig = a->eff;
            if (a->prior && a->orig > a->prior_eff)
                a->orig = a->prior_eff;
            a->dual = below(&g->r, 100) < 5;
            a->n_groups = 1 + (int)below(&g->r, MAX_GROUPS);
            if (a->dual && a->n_groups < 3)
                a->n_groups = 3; /* 1: asterisked, 2: partners, 3+ */
            a->n_noncov = below(&g->r, 100) < 20 ? 5 + below(&g->r, 36) : 0;
            /* list size weight: mostly a few hundred, 2% thousands */
            w[i] = 0.25 - log(1.0 - unit(&g->r));
            if (below(&g->r, 100) < 2)
                w[i] *= 12.0 + 10.0 * unit(&g->r);
            sum += w[i] * (a->prior ? 1.9 : 1.0);
        }
    }

    /* covered rows: n_covered in all, current + prior versions */
    for (i = 0; i < n_articles; i++) {
        article *a = &g->a[i];
        double share = (double)n_covered * w[i] / sum;
        size_t n = share < 12 ? 12 : (size_t)share;
        size_t max = g->icd.n / 2;
        if (n > max)
            n = max;
        a->n_cov = n;
        a->n_prior_cov = a->prior ? n * 9 / 10 : 0;
        total += a->n_cov + a->n_prior_cov;
    }
    for (i = 0; total < n_covered; i = (i + 1) % n_articles) {
        if (!g->a[i].prior) {
            g->a[i].n_cov++;
            total++;
        }
    }
    for (i = 0; i < n_articles; i++) {
        size_t want = g->a[i].n_cov;
        if (make_lists(g, &g->a[i], want))
            goto done;
    }
    rc = 0;
done:
    free(w);
    return rc;
}

/* ---- output ----------------------------------------------------------- */

typedef struct outfile {
    FILE *f;
    char *path;
} outfile;

static char *join(const char *dir, const char *name)
{
    size_t a = strlen(dir);
    size_t b = strlen(name);
    char *p = malloc(a + b + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, a);
    p[a] = '/';
    memcpy(p + a + 1, name, b + 1);
    return p;
}

static int open_out(outfile *o, const char *dir, const char *name,
                    const char *header)
{
    memset(o, 0, sizeof(*o));
    o->path = join(dir, name);
    if (!o->path)
        return -1;
    o->f = fopen(o->path, "wb");
    if (!o->f) {
        fprintf(stderr, "gen_mcd: cannot write %s: %s\n", o->path,
                strerror(errno));
        return -1;
    }
    setvbuf(o->f, NULL, _IOFBF, (size_t)1 << 20);
    fputs(header, o->f);
    fputc('\n', o->f);
    return 0;
}

static int close_out(outfile *o)
{
    int rc = 0;
    if (o->f) {
        if (ferror(o->f) || fclose(o->f) != 0) {
            fprintf(stderr, "gen_mcd: write failed: %s\n", o->path);
            rc = -1;
        }
    }
    free(o->path);
    memset(o, 0, sizeof(*o));
    return rc;
}

/* Writes a CSV field, quoted when it must be. */
static void field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* Headers copied from the MCD download tables (see
 * ../shared/data/mcd-articles). */
static const char *const h_article =
    "article_id,article_version,article_type,title,article_eff_date,"
    "article_end_date,orig_eff_date,status,last_updated,display_id";
static const char *const h_related =
    "article_id,article_version,r_lcd_id,r_lcd_version";
static const char *const h_art_contractor =
    "article_id,article_version,contractor_id,contractor_type_id,"
    "contractor_version,last_updated";
static const char *const h_hcpc =
    "article_id,article_version,hcpc_code_id,hcpc_code_version,"
    "hcpc_code_group,range,last_updated";
static const char *const h_hcpc_group =
    "article_id,article_version,hcpc_code_group,paragraph,last_updated";
static const char *const h_covered =
    "article_id,article_version,icd10_code_id,icd10_code_version,"
    "icd10_covered_group,range,last_updated,sort_order,description,asterisk";
static const char *const h_covered_group =
    "article_id,article_version,icd10_covered_group,paragraph,"
    "icd10_covered_ast,last_updated";
static const char *const h_noncovered =
    "article_id,article_version,icd10_code_id,icd10_code_version,"
    "icd10_noncovered_group,range,last_updated,sort_order,description,"
    "asterisk";
static const char *const h_noncovered_group =
    "article_id,article_version,icd10_noncovered_group,paragraph,"
    "icd10_noncovered_ast,last_updated";
static const char *const h_contractor =
    "contractor_id,contractor_type_id,contractor_version,"
    "contractor_bus_name,contractor_number,dmerc_rgn";
static const char *const h_lcd =
    "lcd_id,lcd_version,title,orig_det_eff_date,rev_eff_date,rev_end_date,"
    "display_id";
static const char *const h_lcd_contractor =
    "lcd_id,lcd_version,contractor_id,contractor_type_id,contractor_version,"
    "last_updated";
static const char *const h_lcd_related =
    "lcd_id,lcd_version,related_num,r_article_id,r_article_version,r_lcd_id,"
    "r_lcd_version,r_contractor_id,last_updated";
static const char *const h_jurisdiction =
    "contractor_id,contractor_type_id,contractor_version,state_id,"
    "last_updated,active_date,term_date";
static const char *const h_states = "state_id,state_abbrev,description";
static const char *const h_types = "contractor_type_id,description";

enum {
    F_ARTICLE,
    F_RELATED,
    F_ART_CONTRACTOR,
    F_HCPC,
    F_HCPC_GROUP,
    F_COVERED,
    F_COVERED_GROUP,
    F_NONCOVERED,
    F_NONCOVERED_GROUP,
    F_CONTRACTOR,
    F_JURISDICTION,
    F_STATES,
    F_TYPES,
    F_LCD,
    F_LCD_CONTRACTOR,
    F_LCD_RELATED,
    F_COUNT,
    F_SHARED_FIRST = F_CONTRACTOR, /* in both datasets */
    F_SHARED_LAST = F_TYPES,
    F_LCD_FIRST = F_LCD /* the LCD dataset's own tables */
};

typedef struct counts {
    size_t versions;
    size_t covered;
    size_t noncovered;
    size_t hcpc;
    size_t links;
    size_t dual;
    size_t asterisk;
} counts;

/* One article version: every table's rows. `prior` selects the prior
 * version (which ends the day before the current one starts). */
static void write_version(outfile *o, const gen *g, const article *a, int prior,
                          counts *c)
{
    int version = prior ? a->version - 1 : a->version;
    int32_t eff = prior ? a->prior_eff : a->eff;
    int32_t end = prior ? a->eff - 1 : a->end;
    size_t n_cov = prior ? a->n_prior_cov : a->n_cov;
    char d_eff[11];
    char d_end[11] = "";
    char d_orig[11];
    char title[64];
    FILE *f;
    int group = 0;
    int sort = 0;

    format_date(d_eff, eff);
    if (end >= 0)
        format_date(d_end, end);
    format_date(d_orig, a->orig);
    snprintf(title, sizeof(title), "Billing and Coding: Synthetic Policy %d",
             a->topic);
    c->versions++;

    f = o[F_ARTICLE].f;
    fprintf(f, "%d,%d,Billing and Coding,", a->id, version);
    field(f, title);
    fprintf(f, ",%s,%s,%s,%s,%s,A%d\n", d_eff, d_end, d_orig,
            end >= 0 ? "Retired" : "Active", d_eff, a->id);

    fprintf(o[F_RELATED].f, "%d,%d,%d,%d\n", a->id, version,
            33000 + (a->id - 52000), prior ? a->version - 1 : a->version);

    for (size_t k = 0; k < mac_count(a->mac); k++) {
        /* the current contractor version (2) */
        fprintf(o[F_ART_CONTRACTOR].f, "%d,%d,%d,1,2,%s\n", a->id, version,
                contractor_id(a->mac, k), d_eff);
        fprintf(o[F_LCD_CONTRACTOR].f, "%d,%d,%d,1,2,%s\n",
                33000 + (a->id - 52000), version, contractor_id(a->mac, k),
                d_eff);
        c->links++;
    }
    fprintf(o[F_LCD_RELATED].f, "%d,%d,1,%d,%d,,,%d,%s\n",
            33000 + (a->id - 52000), version, a->id, version,
            contractor_id(a->mac, 0), d_eff);

    for (int k = 0; k < a->n_codes; k++) {
        fprintf(o[F_HCPC].f, "%d,%d,%s,,1,,%s\n", a->id, version, a->codes[k],
                d_eff);
        c->hcpc++;
    }
    fprintf(o[F_HCPC_GROUP].f,
            "%d,%d,1,\"Group 1 Paragraph: The following CPT/HCPCS codes are "
            "governed by this article.\",%s\n",
            a->id, version, d_eff);

    f = o[F_COVERED].f;
    for (size_t k = 0; k < n_cov; k++) {
        const icd *e = &g->icd.v[a->cov[k]];
        int ast = a->dual && a->cov_group[k] == 1;
        if (a->cov_group[k] != group) {
            group = a->cov_group[k];
            sort = 0;
            if (ast) {
                fprintf(o[F_COVERED_GROUP].f,
                        "%d,%d,%d,\"Group %d Paragraph: Dual diagnosis. A "
                        "code marked with an asterisk (*) in this group is "
                        "covered only when the claim also carries a "
                        "secondary diagnosis from Group 2.\",\"Asterisked "
                        "codes require a secondary diagnosis from Group "
                        "2\",%s\n",
                        a->id, version, group, group, d_eff);
            } else if (a->dual && group == 2) {
                fprintf(o[F_COVERED_GROUP].f,
                        "%d,%d,%d,\"Group %d Paragraph: Secondary "
                        "diagnoses. Report one of these codes as a "
                        "secondary diagnosis with an asterisked code.\",,"
                        "%s\n",
                        a->id, version, group, group, d_eff);
            } else {
                fprintf(o[F_COVERED_GROUP].f,
                        "%d,%d,%d,\"Group %d Paragraph: It is the "
                        "provider's responsibility to select codes carried "
                        "out to the highest level of specificity. The "
                        "following ICD-10-CM codes support medical "
                        "necessity.\",,%s\n",
                        a->id, version, group, group, d_eff);
            }
        }
        fprintf(f, "%d,%d,%s,,%d,,%s,%d,", a->id, version, e->code, group,
                d_eff, ++sort);
        field(f, e->desc);
        fputs(ast ? ",Y\n" : ",\n", f);
        c->covered++;
        c->asterisk += (size_t)ast;
    }
    c->dual += (size_t)a->dual;

    if (a->n_noncov) {
        fprintf(o[F_NONCOVERED_GROUP].f,
                "%d,%d,1,\"Group 1 Paragraph: The following ICD-10-CM codes "
                "do not support medical necessity for the services in this "
                "article.\",,%s\n",
                a->id, version, d_eff);
        for (size_t k = 0; k < a->n_noncov; k++) {
            const icd *e = &g->icd.v[a->noncov[k]];
            fprintf(o[F_NONCOVERED].f, "%d,%d,%s,,1,,%s,%zu,", a->id, version,
                    e->code, d_eff, k + 1);
            field(o[F_NONCOVERED].f, e->desc);
            fputs(",\n", o[F_NONCOVERED].f);
            c->noncovered++;
        }
    }
}

/* Copies file `from` to `to`. */
static int copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    FILE *out = in ? fopen(to, "wb") : NULL;
    char buf[65536];
    size_t n;
    int rc = 0;

    if (!in || !out) {
        fprintf(stderr, "gen_mcd: cannot copy %s to %s\n", from, to);
        rc = -1;
        goto done;
    }
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
        if (fwrite(buf, 1, n, out) != n) {
            rc = -1;
            break;
        }
    }
    if (ferror(in))
        rc = -1;
done:
    if (in)
        fclose(in);
    if (out && fclose(out) != 0)
        rc = -1;
    return rc;
}

/* The contractor tables both datasets carry. */
static void write_contractors(outfile *o)
{
    fputs("1,A and B MAC\n2,MAC - Part A\n3,MAC - Part B\n4,DME MAC\n"
          "5,HHH MAC\n6,A and B and HHH MAC\n",
          o[F_TYPES].f);
    for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
        fprintf(o[F_STATES].f, "%d,%s,", states[i].id, states[i].abbrev);
        field(o[F_STATES].f, states[i].desc);
        fputc('\n', o[F_STATES].f);
    }
    for (size_t m = 0; m < N_MACS; m++) {
        for (size_t k = 0; k < mac_count(m); k++) {
            int id = contractor_id(m, k);
            const char *p = macs[m].numbers[k].states;
            /* version 1 ended when the current contract (version 2) began */
            for (int v = 1; v <= 2; v++) {
                fprintf(o[F_CONTRACTOR].f, "%d,1,%d,", id, v);
                field(o[F_CONTRACTOR].f, macs[m].company);
                fprintf(o[F_CONTRACTOR].f, ",%s,\n", macs[m].numbers[k].number);
            }
            while (*p) {
                char *end = NULL;
                long st = strtol(p, &end, 10);
                if (end == p)
                    break;
                fprintf(o[F_JURISDICTION].f,
                        "%d,1,1,%ld,2013-09-16 00:00:00,2008-01-01 00:00:00,"
                        "2013-09-15 00:00:00\n",
                        id, st);
                fprintf(o[F_JURISDICTION].f,
                        "%d,1,2,%ld,2013-09-16 00:00:00,2013-09-16 00:00:00,"
                        "\n",
                        id, st);
                p = end;
                while (*p == ' ')
                    p++;
            }
        }
    }
}

/* DIR/<set>/<set>_csv, created; NULL when it cannot be. */
static char *set_dir(const char *dir, const char *set)
{
    size_t n = strlen(dir) + 2 * strlen(set) + 8;
    char *p = malloc(n);
    if (!p)
        return NULL;
    snprintf(p, n, "%s/%s", dir, set);
    if (mkdir(p, 0777) != 0 && errno != EEXIST) {
        free(p);
        return NULL;
    }
    snprintf(p, n, "%s/%s/%s_csv", dir, set, set);
    if (mkdir(p, 0777) != 0 && errno != EEXIST) {
        free(p);
        return NULL;
    }
    return p;
}

static const struct {
    const char *name;
    const char *const *header;
} files[F_COUNT] = {
    {"article.csv", &h_article},
    {"article_related_documents.csv", &h_related},
    {"article_x_contractor.csv", &h_art_contractor},
    {"article_x_hcpc_code.csv", &h_hcpc},
    {"article_x_hcpc_code_group.csv", &h_hcpc_group},
    {"article_x_icd10_covered.csv", &h_covered},
    {"article_x_icd10_covered_group.csv", &h_covered_group},
    {"article_x_icd10_noncovered.csv", &h_noncovered},
    {"article_x_icd10_noncovered_group.csv", &h_noncovered_group},
    {"contractor.csv", &h_contractor},
    {"contractor_jurisdiction.csv", &h_jurisdiction},
    {"state_lookup.csv", &h_states},
    {"contractor_type_lookup.csv", &h_types},
    {"lcd.csv", &h_lcd},
    {"lcd_x_contractor.csv", &h_lcd_contractor},
    {"lcd_related_documents.csv", &h_lcd_related},
};

static int write_all(const gen *g, const char *art_dir, const char *lcd_dir,
                     counts *c)
{
    outfile o[F_COUNT];
    int rc = 0;

    memset(o, 0, sizeof(o));
    for (size_t k = 0; k < F_COUNT && rc == 0; k++)
        rc = open_out(&o[k], k >= F_LCD_FIRST ? lcd_dir : art_dir,
                      files[k].name, *files[k].header);
    if (rc)
        goto done;

    write_contractors(o);
    for (size_t i = 0; i < g->n; i++) {
        const article *a = &g->a[i];
        char d_orig[11];
        char d_eff[11];
        char d_end[11] = "";
        if (a->prior)
            write_version(o, g, a, 1, c);
        write_version(o, g, a, 0, c);
        /* the related LCD, one version per article version */
        format_date(d_orig, a->orig);
        for (int v = a->prior ? 1 : 0; v >= 0; v--) {
            format_date(d_eff, v ? a->prior_eff : a->eff);
            d_end[0] = '\0';
            if (v)
                format_date(d_end, a->eff - 1);
            else if (a->end >= 0)
                format_date(d_end, a->end);
            fprintf(o[F_LCD].f, "%d,%d,Synthetic Policy %d,%s,%s,%s,L%d\n",
                    33000 + (a->id - 52000), a->version - v, a->topic, d_orig,
                    d_eff, d_end, 33000 + (a->id - 52000));
        }
    }
done:
    for (size_t k = 0; k < F_COUNT; k++) {
        if (close_out(&o[k]))
            rc = -1;
    }
    /* the LCD dataset carries the same contractor tables */
    for (size_t k = F_SHARED_FIRST; rc == 0 && k <= F_SHARED_LAST; k++) {
        char *from = join(art_dir, files[k].name);
        char *to = join(lcd_dir, files[k].name);
        rc = from && to ? copy_file(from, to) : -1;
        free(from);
        free(to);
    }
    return rc;
}

/* Adds `path` to archive `z` as `name`. */
static int gen_zip_add(zip_t *z, const char *path, const char *name)
{
    zip_source_t *src = zip_source_file(z, path, 0, -1);
    zip_int64_t idx = src ? zip_file_add(z, name, src, ZIP_FL_OVERWRITE) : -1;
    /* a fixed time: the same arguments give the same archive */
    if (idx < 0)
        zip_source_free(src); /* not taken by the archive */
    if (idx < 0 || zip_file_set_mtime(z, (zip_uint64_t)idx, 1727740800, 0)) {
        fprintf(stderr, "gen_mcd: cannot add %s: %s\n", path, zip_strerror(z));
        return -1;
    }
    return 0;
}

static zip_t *gen_zip_new(const char *path)
{
    int err = 0;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    if (!z)
        fprintf(stderr, "gen_mcd: cannot create %s\n", path);
    return z;
}

static int gen_zip_done(zip_t *z, const char *path)
{
    if (zip_close(z) != 0) {
        fprintf(stderr, "gen_mcd: cannot write %s: %s\n", path,
                zip_strerror(z));
        zip_discard(z);
        return -1;
    }
    return 0;
}

/* Packs one dataset: <set>_csv.zip of the CSVs of `csv_dir` (its own
 * tables, files [first, last], and the shared ones) inside <set>.zip,
 * both written in `tmp_dir`; the outer one's path goes to `set_zip`. */
static int pack_set(const char *csv_dir, const char *set, size_t first,
                    size_t last, const char *tmp_dir, char *set_zip,
                    size_t size)
{
    char inner[4096];
    char name[64];
    zip_t *z;
    int rc = 0;

    snprintf(inner, sizeof(inner), "%s/%s_csv.zip", tmp_dir, set);
    z = gen_zip_new(inner);
    if (!z)
        return -1;
    for (size_t k = 0; k < F_COUNT && rc == 0; k++) {
        bool mine = (k >= first && k <= last) ||
                    (k >= F_SHARED_FIRST && k <= F_SHARED_LAST);
        char *p;
        if (!mine)
            continue;
        p = join(csv_dir, files[k].name);
        rc = p ? gen_zip_add(z, p, files[k].name) : -1;
        free(p);
    }
    if (rc) {
        zip_discard(z);
        return rc;
    }
    if (gen_zip_done(z, inner))
        return -1;
    snprintf(set_zip, size, "%s/%s.zip", tmp_dir, set);
    z = gen_zip_new(set_zip);
    snprintf(name, sizeof(name), "%s_csv.zip", set);
    if (!z || gen_zip_add(z, inner, name) || gen_zip_done(z, set_zip))
        return -1;
    return unlink(inner);
}

/* all_data.zip at `out`: all_article.zip and all_lcd.zip, each holding its
 * CSV ZIP (the packaging of the CMS download). */
static int write_zip(const char *out, const char *art_dir, const char *lcd_dir,
                     const char *tmp_dir)
{
    char art_zip[4096];
    char lcd_zip[4096];
    zip_t *z;

    if (pack_set(art_dir, "all_article", 0, F_SHARED_LAST, tmp_dir, art_zip,
                 sizeof(art_zip)) ||
        pack_set(lcd_dir, "all_lcd", F_LCD_FIRST, F_COUNT - 1, tmp_dir, lcd_zip,
                 sizeof(lcd_zip)))
        return -1;
    z = gen_zip_new(out);
    if (!z || gen_zip_add(z, art_zip, "all_article.zip") ||
        gen_zip_add(z, lcd_zip, "all_lcd.zip") || gen_zip_done(z, out))
        return -1;
    unlink(art_zip);
    unlink(lcd_zip);
    return 0;
}

/* ---- main ---------------------------------------------------------------- */

static const char *usage =
    "usage: gen_mcd --icd FILE [--articles N] [--covered N] [--seed S]\n"
    "               [--zip FILE] -o DIR\n"
    "\n"
    "Writes a synthetic MCD export (the official CSV tables, in the article\n"
    "and LCD datasets DIR/all_article/all_article_csv and\n"
    "DIR/all_lcd/all_lcd_csv) with N articles (default 2000) and N covered\n"
    "ICD-10-CM rows in all (default 400000), drawn from the billable codes\n"
    "of FILE (gzip CSV: order, code, billable, description); --zip FILE also\n"
    "writes them packed as CMS ships them (all_data.zip -> all_article.zip\n"
    "-> all_article_csv.zip -> CSVs). Deterministic for given arguments.\n";

static int parse_size(const char *s, size_t *out)
{
    char *end = NULL;
    unsigned long long v;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || !end || *end || end == s || v == 0 || v > 100000000ULL)
        return -1;
    *out = (size_t)v;
    return 0;
}

int main(int argc, char **argv)
{
    const char *icd_path = NULL;
    const char *dir = NULL;
    const char *zip_path = NULL;
    char *art_dir = NULL;
    char *lcd_dir = NULL;
    size_t n_articles = 2000;
    size_t n_covered = 400000;
    size_t seed = 20240101;
    gen g;
    counts c;
    int rc = 1;

    memset(&g, 0, sizeof(g));
    memset(&c, 0, sizeof(c));
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage, stdout);
            return 0;
        }
        if (!v) {
            fputs(usage, stderr);
            return 2;
        }
        if (!strcmp(a, "--icd")) {
            icd_path = v;
        } else if (!strcmp(a, "-o")) {
            dir = v;
        } else if (!strcmp(a, "--zip")) {
            zip_path = v;
        } else if (!strcmp(a, "--articles")) {
            if (parse_size(v, &n_articles))
                goto bad;
        } else if (!strcmp(a, "--covered")) {
            if (parse_size(v, &n_covered))
                goto bad;
        } else if (!strcmp(a, "--seed")) {
            if (parse_size(v, &seed))
                goto bad;
        } else {
            goto bad;
        }
        i++;
    }
    if (!icd_path || !dir)
        goto bad;
    if (n_articles > 1000000 || n_covered < n_articles) {
        fprintf(stderr, "gen_mcd: need 1 <= articles <= 1000000 and "
                        "covered >= articles\n");
        return 2;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "gen_mcd: cannot create %s: %s\n", dir,
                strerror(errno));
        return 1;
    }
    g.r.s = (uint64_t)seed;
    if (load_icd(&g.icd, icd_path))
        goto done;
    if (build_model(&g, n_articles, n_covered)) {
        fprintf(stderr, "gen_mcd: out of memory\n");
        goto done;
    }
    art_dir = set_dir(dir, "all_article");
    lcd_dir = set_dir(dir, "all_lcd");
    if (!art_dir || !lcd_dir) {
        fprintf(stderr, "gen_mcd: cannot create the dataset folders in %s\n",
                dir);
        goto done;
    }
    if (write_all(&g, art_dir, lcd_dir, &c))
        goto done;
    if (zip_path && write_zip(zip_path, art_dir, lcd_dir, dir))
        goto done;
    printf("gen_mcd: %s: %zu articles, %zu article versions, %zu HCPCS "
           "rows, %zu contractor links, %zu covered rows (%zu asterisked, "
           "%zu dual-diagnosis versions), %zu non-covered rows, from %zu "
           "billable ICD-10-CM codes\n",
           dir, n_articles, c.versions, c.hcpc, c.links, c.covered, c.asterisk,
           c.dual, c.noncovered, g.icd.n);
    rc = 0;
done:
    free(art_dir);
    free(lcd_dir);
    for (size_t i = 0; i < g.n; i++) {
        free(g.a[i].cov);
        free(g.a[i].cov_group);
        free(g.a[i].noncov);
    }
    free(g.a);
    free(g.used);
    free(g.pool);
    for (size_t i = 0; i < g.icd.n; i++)
        free(g.icd.v[i].desc);
    free(g.icd.v);
    return rc;
bad:
    fputs(usage, stderr);
    return 2;
}
