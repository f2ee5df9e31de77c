/*
 * io/grammar.c: the 837P (005010X222A1) and 837I (005010X223A2) loop
 * structures as data (grammar.h).
 *
 * One line per loop or segment position, in the guides' order. Column 0
 * says which guide has it ('.' both, 'P' professional, 'I'
 * institutional); then two spaces per level of nesting; then
 *   L NAME USAGE MAX [r] [scope] [claim]   a loop, its segments follow
 *   = NAME USAGE MAX                       a loop defined above, again
 *   S ID[:QUAL,...][@EL] USAGE MAX [r] [e=EL,...] [w=EL,...]
 * USAGE is R (required) or S (situational); MAX 0 is "no limit". A
 * loop's first segment is its trigger. QUAL lists the values of the
 * qualifier element (element 1, or EL) that select the position; for a
 * composite the first component is compared. `r` marks what mednec
 * reads: problems there are errors that keep the claim from being read,
 * elsewhere they are warnings. `e=` lists the required elements mednec
 * reads (5.3 is CLM05-3), `w=` the other required ones. Adjacent
 * positions of one segment id share an order slot (the guides list many
 * DTP or REF positions that senders interleave).
 */
#include <string.h>

#include "core/util.h"
#include "io/grammar.h"
#include "io/x12scan.h"

static const char *const text_837[] = {
    ".L ST R 1 scope",
    ".  S ST R 1 e=1,2",
    ".  S BHT R 1 w=1,2,3,4,5,6",
    ".  L 1000A R 1",
    ".    S NM1:41 R 1 w=1,2,3,8,9",
    ".    S PER:IC R 2 w=1,3,4",
    ".  L 1000B R 1",
    ".    S NM1:40 R 1 w=1,2,3,8,9",
    ".  L 2000A R 0 r scope",
    ".    S HL@3:20 R 1 r e=1,3 w=4",
    ".    S PRV:BI S 1 w=1,2,3",
    ".    S CUR:85 S 1 w=1,2",
    ".    L 2010AA R 1 r",
    ".      S NM1:85 R 1 r e=1,2 w=3",
    ".      S N3 R 1 w=1",
    ".      S N4 R 1 r w=1",
    "P      S REF:EI,SY R 1 w=1,2",
    "I      S REF:EI R 1 w=1,2",
    "P      S REF:0B,1G S 2 w=1,2",
    ".      S PER:IC S 2 w=1,3,4",
    ".    L 2010AB S 1",
    ".      S NM1:87 R 1 w=1,2",
    ".      S N3 R 1 w=1",
    ".      S N4 R 1 w=1",
    ".    L 2010AC S 1",
    ".      S NM1:PE R 1 w=1,2,3,8,9",
    ".      S N3 R 1 w=1",
    ".      S N4 R 1 w=1",
    ".      S REF:2U,FY,NF S 1 w=1,2",
    ".      S REF:EI R 1 w=1,2",
    ".    L 2000B R 0 r scope",
    ".      S HL@3:22 R 1 r e=1,3 w=2,4",
    ".      S SBR R 1 r w=1",
    "P      S PAT S 1",
    ".      L 2010BA R 1 r",
    ".        S NM1:IL R 1 r e=1,2 w=3",
    ".        S N3 S 1 w=1",
    ".        S N4 S 1 r w=1",
    ".        S DMG:D8 S 1 r e=1,2 w=3",
    ".        S REF:SY S 1 w=1,2",
    ".        S REF:Y4 S 1 w=1,2",
    "P        S PER:IC S 1 w=1,3,4",
    ".      L 2010BB R 1 r",
    ".        S NM1:PR R 1 r e=1,2 w=3,8,9",
    ".        S N3 S 1 w=1",
    ".        S N4 S 1 w=1",
    ".        S REF:2U,EI,FY,NF S 3 w=1,2",
    ".        S REF:G2,LU S 2 w=1,2",
    ".      L 2300 S 100 r scope claim",
    ".        S CLM R 1 r e=1,2,5.1,5.3",
    "P        S DTP:431,454,304,453,439,484,455,471,314,360,361,297,296,435 S "
    "14 w=1,2,3",
    "P        S DTP:096,090,091,444,050 S 6 w=1,2,3",
    "I        S DTP:434 R 1 r e=1,2,3",
    "I        S DTP:096,435,050 S 3 w=1,2,3",
    "I        S CL1 R 1",
    ".        S PWK S 10 w=1,2",
    ".        S CN1 S 1 w=1",
    ".        S AMT S 1 w=1,2",
    ".        S REF:G1 S 1 r e=1,2",
    ".        S REF S 20 w=1,2",
    ".        S K3 S 10 w=1",
    ".        S NTE S 10 w=1,2",
    "P        S CR1 S 1",
    "P        S CR2 S 1",
    ".        S CRC S 8 w=1,2,3",
    ".        S HI:ABK,BK R 1 r e=1",
    ".        S HI S 30 r e=1",
    ".        S HCP S 1 w=1,2",
    "P        L 2310A S 2",
    "P          S NM1:DN,P3 R 1 w=1,2",
    "P          S REF S 3 w=1,2",
    "P        L 2310B S 1 r",
    "P          S NM1:82 R 1 r e=1,2",
    "P          S PRV:PE S 1",
    "P          S REF S 4 w=1,2",
    "P        L 2310C S 1 r",
    "P          S NM1:77 R 1 r e=1,2",
    "P          S N3 R 1 w=1",
    "P          S N4 R 1 r w=1",
    "P          S REF S 3 w=1,2",
    "P          S PER S 1",
    "P        L 2310D S 1",
    "P          S NM1:DQ R 1 w=1,2",
    "P          S REF S 4 w=1,2",
    "P        L 2310E S 1",
    "P          S NM1:PW R 1 w=1,2",
    "P          S N3 R 1 w=1",
    "P          S N4 R 1 w=1",
    "P        L 2310F S 1",
    "P          S NM1:45 R 1 w=1,2",
    "P          S N3 R 1 w=1",
    "P          S N4 R 1 w=1",
    "I        L 2310A S 1",
    "I          S NM1:71 R 1 w=1,2",
    "I          S PRV:AT S 1",
    "I          S REF S 4 w=1,2",
    "I        L 2310B S 1",
    "I          S NM1:72 R 1 w=1,2",
    "I          S REF S 4 w=1,2",
    "I        L 2310C S 1",
    "I          S NM1:ZZ R 1 w=1,2",
    "I          S REF S 4 w=1,2",
    "I        L 2310D S 1 r",
    "I          S NM1:82 R 1 r e=1,2",
    "I          S REF S 4 w=1,2",
    "I        L 2310E S 1 r",
    "I          S NM1:77 R 1 r e=1,2",
    "I          S N3 R 1 w=1",
    "I          S N4 R 1 r w=1",
    "I          S REF S 3 w=1,2",
    "I        L 2310F S 1",
    "I          S NM1:DN R 1 w=1,2",
    "I          S REF S 3 w=1,2",
    ".        L 2320 S 10",
    ".          S SBR R 1 w=1,2",
    ".          S CAS S 5 w=1,2,3",
    ".          S AMT S 3 w=1,2",
    ".          S OI R 1",
    "I          S MIA S 1",
    ".          S MOA S 1",
    ".          L 2330A R 1",
    ".            S NM1:IL R 1 w=1,2",
    ".            S N3 S 1 w=1",
    ".            S N4 S 1 w=1",
    ".            S REF S 1 w=1,2",
    ".          L 2330B R 1",
    ".            S NM1:PR R 1 w=1,2",
    ".            S N3 S 1 w=1",
    ".            S N4 S 1 w=1",
    ".            S DTP:573 S 1 w=1,2,3",
    ".            S REF S 6 w=1,2",
    "P          L 2330C S 2",
    "P            S NM1:DN,P3 R 1 w=1,2",
    "P            S REF R 3 w=1,2",
    "P          L 2330D S 1",
    "P            S NM1:82 R 1 w=1,2",
    "P            S REF R 3 w=1,2",
    "P          L 2330E S 1",
    "P            S NM1:77 R 1 w=1,2",
    "P            S REF R 3 w=1,2",
    "P          L 2330F S 1",
    "P            S NM1:DQ R 1 w=1,2",
    "P            S REF R 3 w=1,2",
    "P          L 2330G S 1",
    "P            S NM1:85 R 1 w=1,2",
    "P            S REF R 2 w=1,2",
    "I          L 2330C S 1",
    "I            S NM1:71 R 1 w=1,2",
    "I            S REF R 3 w=1,2",
    "I          L 2330D S 1",
    "I            S NM1:72 R 1 w=1,2",
    "I            S REF R 3 w=1,2",
    "I          L 2330E S 1",
    "I            S NM1:ZZ R 1 w=1,2",
    "I            S REF R 3 w=1,2",
    "I          L 2330F S 1",
    "I            S NM1:82 R 1 w=1,2",
    "I            S REF R 3 w=1,2",
    "I          L 2330G S 1",
    "I            S NM1:77 R 1 w=1,2",
    "I            S REF R 3 w=1,2",
    "I          L 2330H S 1",
    "I            S NM1:DN R 1 w=1,2",
    "I            S REF R 3 w=1,2",
    "I          L 2330I S 1",
    "I            S NM1:85 R 1 w=1,2",
    "I            S REF R 2 w=1,2",
    "P        L 2400 R 50 r",
    "I        L 2400 R 999 r",
    ".          S LX R 1 r e=1",
    "P          S SV1 R 1 r e=1.1,1.2,2,3,4,7.1",
    "I          S SV2 R 1 r e=1,3,4,5",
    "P          S SV5 S 1",
    ".          S PWK S 11 w=1,2",
    "P          S CR1 S 1",
    "P          S CR3 S 1 r",
    "P          S CRC S 5 w=1,2,3",
    "P          S DTP:472 R 1 r e=1,2,3",
    "I          S DTP:472 S 1 r e=1,2,3",
    "P          S DTP:471,607,463,461,304,738,739,011,455,454 S 12 w=1,2,3",
    "P          S QTY S 2 w=1,2",
    "P          S MEA S 5 w=1,2,3",
    "P          S CN1 S 1 w=1",
    ".          S REF S 20 w=1,2",
    ".          S AMT S 2 w=1,2",
    "P          S K3 S 10 w=1",
    ".          S NTE S 2 w=1,2",
    "P          S PS1 S 1",
    ".          S HCP S 1",
    ".          L 2410 S 1",
    ".            S LIN R 1 w=2,3",
    ".            S CTP R 1 w=4",
    ".            S REF S 1 w=1,2",
    "P          L 2420A S 1 r",
    "P            S NM1:82 R 1 r e=1,2",
    "P            S PRV:PE S 1",
    "P            S REF S 20 w=1,2",
    "P          L 2420B S 1",
    "P            S NM1:QB R 1 w=1,2",
    "P            S REF S 20 w=1,2",
    "P          L 2420C S 1",
    "P            S NM1:77 R 1 w=1,2",
    "P            S N3 R 1 w=1",
    "P            S N4 R 1 w=1",
    "P            S REF S 3 w=1,2",
    "P          L 2420D S 1",
    "P            S NM1:DQ R 1 w=1,2",
    "P            S REF S 20 w=1,2",
    "P          L 2420E S 1",
    "P            S NM1:DK R 1 w=1,2",
    "P            S N3 S 1 w=1",
    "P            S N4 S 1 w=1",
    "P            S REF S 20 w=1,2",
    "P            S PER S 1",
    "P          L 2420F S 2",
    "P            S NM1:DN,P3 R 1 w=1,2",
    "P            S REF S 20 w=1,2",
    "P          L 2420G S 1",
    "P            S NM1:PW R 1 w=1,2",
    "P            S N3 R 1 w=1",
    "P            S N4 R 1 w=1",
    "P          L 2420H S 1",
    "P            S NM1:45 R 1 w=1,2",
    "P            S N3 R 1 w=1",
    "P            S N4 R 1 w=1",
    "I          L 2420A S 1",
    "I            S NM1:72 R 1 w=1,2",
    "I            S REF S 20 w=1,2",
    "I          L 2420B S 1",
    "I            S NM1:ZZ R 1 w=1,2",
    "I            S REF S 20 w=1,2",
    "I          L 2420C S 1 r",
    "I            S NM1:82 R 1 r e=1,2",
    "I            S REF S 20 w=1,2",
    "I          L 2420D S 1",
    "I            S NM1:DN R 1 w=1,2",
    "I            S REF S 20 w=1,2",
    ".          L 2430 S 15",
    ".            S SVD R 1 w=1,2",
    ".            S CAS S 5 w=1,2,3",
    ".            S DTP:573 R 1 w=1,2,3",
    ".            S AMT S 1 w=1,2",
    "P          L 2440 S 0",
    "P            S LQ R 1 w=1,2",
    "P            S FRM R 99 w=1",
    ".      L 2000C S 0 r scope",
    ".        S HL@3:23 R 1 r e=1,3 w=2,4",
    ".        S PAT R 1 w=1",
    ".        L 2010CA R 1 r",
    ".          S NM1:QC R 1 r e=1,2 w=3",
    ".          S N3 R 1 w=1",
    ".          S N4 R 1 r w=1",
    ".          S DMG:D8 R 1 r e=1,2 w=3",
    ".          S REF:Y4 S 1 w=1,2",
    "P          S REF:1W,SY S 1 w=1,2",
    "P          S PER:IC S 1 w=1,3,4",
    ".        = 2300 R 100",
    NULL};

uint32_t mn_x__gqual(const char *s, size_t n)
{
    uint32_t v = 0;

    if (n > 4)
        n = 4;
    for (size_t i = 0; i < n; i++)
        v = (v << 8) | (unsigned char)s[i];
    return v;
}

/* A word of the line: [*p, end) up to a space. */
static bool word(const char **p, const char *end, const char **w, size_t *n)
{
    while (*p < end && **p == ' ')
        (*p)++;
    *w = *p;
    while (*p < end && **p != ' ')
        (*p)++;
    *n = (size_t)(*p - *w);
    return *n > 0;
}

static bool number(const char *s, size_t n, unsigned *out)
{
    unsigned long v = 0;
    bool ok = mn_x__parse_uint(&v, s, n) && v <= 65535;
    *out = (unsigned)v;
    return ok;
}

/* "1,2,5.1" into element * 16 + component. */
static bool req_list(const char *s, size_t n, unsigned short *out,
                     unsigned char *count)
{
    size_t i = 0;

    while (i < n) {
        size_t j = i;
        unsigned el = 0;
        unsigned comp = 0;
        while (j < n && s[j] != ',' && s[j] != '.')
            j++;
        if (!number(s + i, j - i, &el) || el == 0 || el > 4000)
            return false;
        if (j < n && s[j] == '.') {
            size_t k = ++j;
            while (j < n && s[j] != ',')
                j++;
            if (!number(s + k, j - k, &comp) || comp == 0 || comp > 15)
                return false;
        }
        if (*count >= MN_G_MAX_REQ)
            return false;
        out[(*count)++] = (unsigned short)(el * 16 + comp);
        i = j + 1;
    }
    return true;
}

/* "HL@3:20" or "REF:EI,SY" or "N3". */
static bool seg_head(mn_gseg *s, const char *w, size_t n)
{
    size_t i = 0;
    size_t idn;

    while (i < n && w[i] != ':' && w[i] != '@')
        i++;
    idn = i;
    s->id = 0;
    for (size_t k = 0; k < idn; k++)
        s->id = (s->id << 8) | (unsigned char)w[k];
    s->qual_el = 1;
    if (i < n && w[i] == '@') {
        unsigned el = 0;
        size_t k = ++i;
        while (i < n && w[i] != ':')
            i++;
        if (!number(w + k, i - k, &el) || el < 1 || el > 20)
            return false;
        s->qual_el = (unsigned char)el;
    }
    if (i < n && w[i] == ':') {
        i++;
        while (i < n) {
            size_t k = i;
            while (i < n && w[i] != ',')
                i++;
            if (s->n_quals >= MN_G_MAX_QUALS || i == k || i - k > 4)
                return false;
            s->quals[s->n_quals++] = mn_x__gqual(w + k, i - k);
            i++;
        }
    }
    return idn >= 2 && idn <= 3;
}

static short find_loop(const mn_grammar *g, const char *name, size_t n)
{
    for (short i = 0; i < g->n_loops; i++) {
        if (strlen(g->loops[i].name) == n &&
            memcmp(g->loops[i].name, name, n) == 0)
            return i;
    }
    return -1;
}

/*
 * The text is read twice: first the loops and their segments (in
 * order: a loop's segments are contiguous because they precede its child
 * loops, which are written as separate entries), then the children of
 * each loop.
 */
typedef struct pline {
    int depth;
    char kind;
    const char *p;
    const char *end;
} pline;

static bool next_line(size_t *cur, char variant, pline *out)
{
    while (text_837[*cur]) {
        const char *start = text_837[(*cur)++];
        const char *end = start + strlen(start);
        size_t sp = 0;
        if (start[0] != '.' && start[0] != variant)
            continue;
        while (start + 1 + sp < end && start[1 + sp] == ' ')
            sp++;
        out->depth = (int)sp / 2;
        out->kind = start[1 + sp];
        out->p = start + 2 + sp;
        out->end = end;
        return true;
    }
    return false;
}

bool mn_x__grammar_837(mn_grammar *g, char variant)
{
    size_t cur = 0;
    pline ln;
    short stack[16];
    /* per loop, the entries of its children, gathered in order */
    short kid_loop[MN_G_MAX_KIDS];
    short kid_parent[MN_G_MAX_KIDS];
    bool kid_req[MN_G_MAX_KIDS];
    unsigned short kid_max[MN_G_MAX_KIDS];
    short n_entries = 0;
    int depth_top = -1;

    memset(g, 0, sizeof(*g));
    g->root = 0;
    while (next_line(&cur, variant, &ln)) {
        const char *w;
        size_t n;
        const char *p = ln.p;
        if (ln.kind == 'L' || ln.kind == '=') {
            mn_gloop *l;
            short idx;
            unsigned max = 0;
            bool req;
            if (!word(&p, ln.end, &w, &n) || n >= sizeof(l->name))
                return false;
            if (ln.kind == '=') {
                idx = find_loop(g, w, n);
                if (idx < 0)
                    return false;
            } else {
                if (g->n_loops >= MN_G_MAX_LOOPS)
                    return false;
                idx = g->n_loops++;
                l = &g->loops[idx];
                memcpy(l->name, w, n);
                l->name[n] = '\0';
                l->first_seg = g->n_segs;
            }
            if (!word(&p, ln.end, &w, &n) || n != 1)
                return false;
            req = w[0] == 'R';
            if (!word(&p, ln.end, &w, &n) || !number(w, n, &max))
                return false;
            while (ln.kind == 'L' && word(&p, ln.end, &w, &n)) {
                l = &g->loops[idx];
                if (n == 1 && w[0] == 'r')
                    l->read = true;
                else if (n == 5 && memcmp(w, "scope", 5) == 0)
                    l->scope = true;
                else if (n == 5 && memcmp(w, "claim", 5) == 0)
                    l->claim = true;
                else
                    return false;
            }
            if (ln.depth > 0) {
                if (ln.depth > depth_top + 1 || n_entries >= MN_G_MAX_KIDS)
                    return false;
                kid_loop[n_entries] = idx;
                kid_parent[n_entries] = stack[ln.depth - 1];
                kid_req[n_entries] = req;
                kid_max[n_entries] = (unsigned short)max;
                n_entries++;
            }
            if (ln.depth >= 15)
                return false;
            stack[ln.depth] = idx;
            depth_top = ln.depth;
        } else if (ln.kind == 'S') {
            mn_gseg *s;
            mn_gloop *l;
            unsigned max = 0;
            if (ln.depth < 1 || ln.depth > depth_top + 1 ||
                g->n_segs >= MN_G_MAX_SEGS)
                return false;
            l = &g->loops[stack[ln.depth - 1]];
            /* a loop's segments must be contiguous */
            if (l->first_seg + l->n_segs != g->n_segs ||
                l->n_segs >= MN_G_LOOP_SEGS)
                return false;
            s = &g->segs[g->n_segs];
            if (!word(&p, ln.end, &w, &n) || !seg_head(s, w, n))
                return false;
            if (!word(&p, ln.end, &w, &n) || n != 1)
                return false;
            s->required = w[0] == 'R';
            if (!word(&p, ln.end, &w, &n) || !number(w, n, &max))
                return false;
            s->max = (unsigned short)max;
            while (word(&p, ln.end, &w, &n)) {
                if (n == 1 && w[0] == 'r')
                    s->read = true;
                else if (n > 2 && w[0] == 'e' && w[1] == '=')
                    req_list(w + 2, n - 2, s->req_read, &s->n_req_read);
                else if (n > 2 && w[0] == 'w' && w[1] == '=')
                    req_list(w + 2, n - 2, s->req_other, &s->n_req_other);
                else
                    return false;
            }
            /* the order slot: shared with the previous position of the
               same id */
            if (l->n_segs == 0)
                s->group = 0;
            else if (g->segs[g->n_segs - 1].id == s->id)
                s->group = g->segs[g->n_segs - 1].group;
            else
                s->group = (unsigned char)(g->segs[g->n_segs - 1].group + 1);
            l->n_segs++;
            g->n_segs++;
        } else {
            return false;
        }
    }
    /* the children, each loop's in order */
    for (short li = 0; li < g->n_loops; li++) {
        mn_gloop *l = &g->loops[li];
        l->first_kid = g->n_kids;
        for (short e = 0; e < n_entries; e++) {
            if (kid_parent[e] != li)
                continue;
            if (l->n_kids >= MN_G_LOOP_KIDS)
                return false;
            g->kids[g->n_kids].loop = kid_loop[e];
            g->kids[g->n_kids].required = kid_req[e];
            g->kids[g->n_kids].max = kid_max[e];
            g->n_kids++;
            l->n_kids++;
        }
        if (l->n_segs == 0)
            return false;
    }
    /* the index place() scans */
    for (short i = 0; i < g->n_segs; i++)
        g->seg_ids[i] = g->segs[i].id;
    for (short k = 0; k < g->n_kids; k++)
        g->kid_ids[k] = g->segs[g->loops[g->kids[k].loop].first_seg].id;
    for (short li = 0; li < g->n_loops; li++) {
        mn_gloop *l = &g->loops[li];
        for (short i = 1; i < l->n_segs; i++) {
            unsigned b = mn_x__gbit(g->seg_ids[l->first_seg + i]);
            l->seg_bits[b >> 6] |= (uint64_t)1 << (b & 63);
            if (g->segs[l->first_seg + i].required)
                l->req_segs |= (uint64_t)1 << i;
        }
        for (short k = 0; k < l->n_kids; k++) {
            unsigned b = mn_x__gbit(g->kid_ids[l->first_kid + k]);
            l->kid_bits[b >> 6] |= (uint64_t)1 << (b & 63);
            if (g->kids[l->first_kid + k].required)
                l->req_kids |= (uint32_t)1 << k;
        }
    }
    return g->n_loops > 0;
}
