/*
 * claim/jurisdiction.c: A/B MAC jurisdictions, states, parts of states,
 * contractor numbers and contractor companies, as areas
 * (claim/jurisdiction.h).
 *
 * Source of the MAC and contractor-number tables: ../shared/docs/
 * medicare-facts.md section 1.4 (CMS physician fee schedule locality file
 * and the MAC jurisdiction pages cited there). Part B contractor numbers
 * are JJSLT: JJ the original jurisdiction, S the state within it, L a
 * locality digit, T the type (1 Part A, 2 Part B), so the first three
 * digits name the state and the first two the MAC. Deriving a place from
 * a contractor number is a fallback: the MCD export's own jurisdiction
 * tables (contractor_jurisdiction, state_lookup) decide where they are
 * given.
 */
#include <string.h>

#include "claim/jurisdiction.h"
#include "core/util.h"

static const char *const states[] = {
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI",
    "ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN",
    "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH",
    "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA",
    "WV", "WI", "WY", "AS", "GU", "MP", "PR", "VI"};
#define N_STATES (sizeof(states) / sizeof(states[0]))

static uint64_t state_bit(const char *s)
{
    for (size_t i = 0; i < N_STATES; i++) {
        if (s[0] == states[i][0] && s[1] == states[i][1])
            return (uint64_t)1 << i;
    }
    return 0;
}

static uint64_t state_list(const char *list)
{
    uint64_t m = 0;
    for (const char *p = list; p[0] && p[1]; p += 2) {
        while (*p == ' ')
            p++;
        if (!p[0] || !p[1])
            break;
        m |= state_bit(p);
    }
    return m;
}

typedef struct mac {
    const char *name;  /* "JE" */
    const char *alias; /* "J1" etc., or NULL */
    const char *states;
    const char *prefixes; /* two-digit contractor prefixes, space apart */
} mac;

/* Every name and alias starts with J: mn_x__mac_area relies on it. */
static const mac macs[] = {
    {"J5", "J05", "IA KS MO NE", "05"},
    {"J6", "J06", "IL MN WI", "06"},
    {"J8", "J08", "IN MI", "08"},
    {"J15", NULL, "KY OH", "15"},
    {"JE", "J1", "CA HI NV AS GU MP", "01"},
    {"JF", NULL, "AK AZ ID MT ND OR SD UT WA WY", "02 03"},
    {"JH", NULL, "AR CO LA MS NM OK TX", "04 07"},
    {"JJ", "J10", "AL GA TN", "10"},
    {"JK", NULL, "CT NY ME MA NH RI VT", "13 14"},
    {"JL", "J12", "DE DC MD NJ PA", "12"},
    {"JM", "J11", "NC SC VA WV", "11"},
    {"JN", "J9", "FL PR VI", "09"},
};

/* Three-digit contractor prefixes and their states (locality file). */
static const struct {
    const char *prefix;
    const char *states;
} prefixes[] = {
    {"011", "CA"}, {"018", "CA"},       {"012", "HI GU AS MP"},
    {"013", "NV"}, {"021", "AK"},       {"022", "ID"},
    {"023", "OR"}, {"024", "WA"},       {"031", "AZ"},
    {"032", "MT"}, {"033", "ND"},       {"034", "SD"},
    {"035", "UT"}, {"036", "WY"},       {"041", "CO"},
    {"042", "NM"}, {"043", "OK"},       {"044", "TX"},
    {"051", "IA"}, {"052", "KS"},       {"053", "MO"},
    {"054", "NE"}, {"061", "IL"},       {"062", "MN"},
    {"063", "WI"}, {"071", "AR"},       {"072", "LA"},
    {"073", "MS"}, {"081", "IN"},       {"082", "MI"},
    {"091", "FL"}, {"092", "PR VI"},    {"101", "AL"},
    {"102", "GA"}, {"103", "TN"},       {"112", "SC"},
    {"113", "VA"}, {"114", "WV"},       {"115", "NC"},
    {"121", "DE"}, {"122", "DC MD VA"}, {"123", "MD"},
    {"124", "NJ"}, {"125", "PA"},       {"131", "CT"},
    {"132", "NY"}, {"141", "ME"},       {"142", "MA"},
    {"143", "NH"}, {"144", "RI"},       {"145", "VT"},
    {"151", "KY"}, {"152", "OH"},
};

/*
 * Parts of states. The MCD export's state_lookup names them ("California -
 * Northern", "California - Southern", "New York - Upstate", "New York -
 * Downstate", "New York - Queens", "Missouri - Northwestern": see
 * ../shared/docs/mcd-download.md). California's two parts and New York's
 * three make up the whole state (the locality file of medicare-facts.md
 * 1.4: 01112 Northern California and the rest of the state, 01182
 * Southern California; 13202 Manhattan, the New York City suburbs and
 * Long Island, 13292 Queens, 13282 the rest of the state); Missouri's
 * other part is not named here, so northwestern Missouri never adds up to
 * the whole state.
 */
static const struct {
    const char *state;
    int index;          /* of `state` in states[] (test_jurisdiction checks) */
    const char *name;   /* upper case, as a claim writes it */
    bool partition;     /* the state's listed parts make up the state */
    const char *number; /* Part B contractor number serving it (fallback) */
} parts[MN_PARTS] = {
    {"CA", 4, "NORTHERN", true, "01112"},
    {"CA", 4, "SOUTHERN", true, "01182"},
    {"NY", 32, "UPSTATE", true, "13282"},
    {"NY", 32, "DOWNSTATE", true, "13202"},
    {"NY", 32, "QUEENS", true, "13292"},
    {"MO", 25, "NORTHWESTERN", false, NULL},
};

/*
 * Contractor companies as the MCD documents index names them, and their
 * A/B MAC jurisdictions (medicare-facts.md 1.4): Noridian JE (practicons,
 * g2intelligence: the JE award) and JF (Noridian's JF portal,
 * med.noridianmedicare.com/web/jfa, cited in medicare-facts.md 3; the
 * fact sheet marks the current JF award UNCONFIRMED); CGS J15; Palmetto
 * GBA JJ and JM; WPS J5 and J8 (J8's contractor name UNCONFIRMED); NGS J6
 * and JK (JK's A/B award name UNCONFIRMED); Novitas JH and JL; First Coast
 * JN. An unconfirmed entry only ever adds a second jurisdiction to a
 * company that has one for certain: it can turn a placement into "one of
 * several" (a review), never into a certain one.
 */
static const struct {
    const char *prefix; /* lower case; the index's name starts with it */
    const char *macs[2];
} companies[] = {
    {"noridian", {"JE", "JF"}},
    {"cgs administrators", {"J15", NULL}},
    {"palmetto", {"JJ", "JM"}},
    {"wps", {"J5", "J8"}},
    {"wisconsin physicians", {"J5", "J8"}},
    {"national government services", {"J6", "JK"}},
    {"novitas", {"JH", "JL"}},
    {"first coast", {"JN", NULL}},
};

int mn_x__state_index(const char *s, size_t len)
{
    char u[2];

    if (!s || len != 2)
        return -1;
    u[0] = (char)mn_x__toupper((unsigned char)s[0]);
    u[1] = (char)mn_x__toupper((unsigned char)s[1]);
    for (size_t i = 0; i < N_STATES; i++) {
        if (u[0] == states[i][0] && u[1] == states[i][1])
            return (int)i;
    }
    return -1;
}

const char *mn_x__state_abbrev(int i)
{
    return i >= 0 && (size_t)i < N_STATES ? states[i] : "";
}

/* Case-insensitive equality of s[0..len) and the upper-case `word`. */
static bool same_word(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);

    if (len != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (mn_x__toupper((unsigned char)s[i]) != word[i])
            return false;
    }
    return true;
}

int mn_x__part_index(int state, const char *name, size_t len)
{
    for (int k = 0; k < MN_PARTS && name; k++) {
        if (parts[k].index == state && same_word(name, len, parts[k].name))
            return k;
    }
    return -1;
}

int mn_x__part_state(int k)
{
    if (k < 0 || k >= MN_PARTS)
        return -1;
    return parts[k].index;
}

const char *mn_x__part_name(int k)
{
    return k >= 0 && k < MN_PARTS ? parts[k].name : "";
}

bool mn_x__area_empty(const mn_area *a)
{
    return !a->whole && !a->parts && !a->partial;
}

void mn_x__area_add_state(mn_area *a, int state)
{
    if (state >= 0 && (size_t)state < N_STATES)
        a->whole |= (uint64_t)1 << state;
}

void mn_x__area_add_part(mn_area *a, int state, int part)
{
    if (state < 0 || (size_t)state >= N_STATES)
        return;
    if (part >= 0 && part < MN_PARTS && mn_x__part_state(part) == state)
        a->parts |= 1u << part;
    else
        a->partial |= (uint64_t)1 << state;
}

void mn_x__area_union(mn_area *a, const mn_area *b)
{
    a->whole |= b->whole;
    a->parts |= b->parts;
    a->partial |= b->partial;
}

/* Part bits of the states in `mask`. */
static uint32_t parts_of(uint64_t mask)
{
    uint32_t out = 0;
    for (int k = 0; k < MN_PARTS; k++) {
        int s = mn_x__part_state(k);
        if (s >= 0 && (mask >> s & 1))
            out |= 1u << k;
    }
    return out;
}

/* States of the parts in `bits`. */
static uint64_t states_of(uint32_t bits)
{
    uint64_t out = 0;
    for (int k = 0; k < MN_PARTS; k++) {
        int s = mn_x__part_state(k);
        if (s >= 0 && (bits >> k & 1))
            out |= (uint64_t)1 << s;
    }
    return out;
}

void mn_x__area_normalise(mn_area *a)
{
    if (!a->parts) {
        a->partial &= ~a->whole;
        return; /* the common case: whole states only */
    }
    for (int k = 0; k < MN_PARTS; k++) {
        int s = mn_x__part_state(k);
        uint32_t all;
        if (s < 0 || !parts[k].partition)
            continue;
        all = parts_of((uint64_t)1 << s);
        if ((a->parts & all) == all)
            a->whole |= (uint64_t)1 << s;
    }
    /* a whole state needs none of its parts listed */
    a->parts &= ~parts_of(a->whole);
    a->partial &= ~a->whole;
}

uint64_t mn_x__area_states(const mn_area *a)
{
    return a->whole | a->partial | (a->parts ? states_of(a->parts) : 0);
}

bool mn_x__area_within(const mn_area *inner, const mn_area *outer)
{
    mn_area o = *outer;

    if (!inner->parts && !inner->partial && !outer->parts)
        return (inner->whole & ~outer->whole) == 0;

    mn_x__area_normalise(&o);
    /* a state the outer area holds only in part never contains it whole */
    if (inner->whole & ~o.whole)
        return false;
    if (inner->parts & ~(o.parts | parts_of(o.whole)))
        return false;
    return (inner->partial & ~o.whole) == 0;
}

/* True when the two areas may share a place. */
static bool overlaps(const mn_area *a, const mn_area *b)
{
    uint64_t bs;
    uint64_t as;

    if (!a->parts && !a->partial && !b->parts && !b->partial)
        return (a->whole & b->whole) != 0;
    bs = mn_x__area_states(b);
    as = mn_x__area_states(a);

    if (a->whole & bs)
        return true;
    if (b->whole & as)
        return true;
    if (a->parts & b->parts)
        return true;
    /* a part this build does not know may be any part of its state */
    return (a->partial & bs) || (b->partial & as);
}

mn_area_match mn_x__area_match(const mn_area *claim, const mn_area *sure,
                               const mn_area *maybe)
{
    if (mn_x__area_empty(claim))
        return MN_AREA_NONE;
    if (sure && !mn_x__area_empty(sure) && mn_x__area_within(claim, sure))
        return MN_AREA_DEFINITE;
    if ((sure && overlaps(claim, sure)) || (maybe && overlaps(claim, maybe)))
        return MN_AREA_POSSIBLE;
    return MN_AREA_NONE;
}

bool mn_x__state_lookup(const char *abbrev, size_t abbrev_len,
                        const char *description, size_t description_len,
                        int *state, int *part)
{
    const char *d = description ? description : "";
    size_t n = description ? description_len : 0;
    size_t dash = n;

    *state = mn_x__state_index(abbrev, abbrev_len);
    *part = -1;
    if (*state < 0)
        return false;
    /* "California - Southern": the part follows " - " */
    for (size_t i = 0; i + 1 < n; i++) {
        if (d[i] == '-' && (i == 0 || d[i - 1] == ' ') && d[i + 1] == ' ') {
            dash = i;
            break;
        }
    }
    if (dash < n) {
        const char *p = d + dash + 1;
        size_t plen = mn_x__trim(&p, n - dash - 1);
        if (plen == 0 || mn_x__contains_ci(p, plen, "entire"))
            return true;
        *part = mn_x__part_index(*state, p, plen);
        if (*part < 0)
            *part = -2;
    }
    return true;
}

bool mn_x__contractor_area(const char *number, size_t len, mn_area *out)
{
    uint64_t m;

    memset(out, 0, sizeof(*out));
    if (len != 5)
        return false;
    for (int k = 0; k < MN_PARTS; k++) {
        if (parts[k].number && memcmp(number, parts[k].number, 5) == 0) {
            mn_x__area_add_part(out, mn_x__part_state(k), k);
            return true;
        }
    }
    m = mn_x__contractor_states(number, len);
    out->whole = m;
    return m != 0;
}

uint64_t mn_x__contractor_states(const char *number, size_t len)
{
    if (len != 5)
        return 0;
    for (size_t i = 0; i < 5; i++) {
        if (!mn_x__isdigit(number[i]))
            return 0;
    }
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        if (memcmp(number, prefixes[i].prefix, 3) == 0)
            return state_list(prefixes[i].states);
    }
    /* unknown state digit: the whole MAC jurisdiction */
    for (size_t i = 0; i < sizeof(macs) / sizeof(macs[0]); i++) {
        const char *p = macs[i].prefixes;
        for (; p[0] && p[1]; p += 3) {
            if (p[0] == number[0] && p[1] == number[1])
                return state_list(macs[i].states);
            if (!p[2])
                break;
        }
    }
    return 0;
}

bool mn_x__mac_area(const char *name, size_t len, mn_area *out)
{
    char u[8];

    memset(out, 0, sizeof(*out));
    if (!name || len == 0 || len >= sizeof(u))
        return false;
    /* every MAC name and alias starts with J (states, parts of states and
       contractor numbers do not need the table below) */
    if (mn_x__toupper((unsigned char)name[0]) != 'J')
        return false;
    for (size_t i = 0; i < len; i++)
        u[i] = (char)mn_x__toupper((unsigned char)name[i]);
    u[len] = '\0';
    /* "J-E", "J 15" */
    if (len >= 3 && u[0] == 'J' && (u[1] == '-' || u[1] == ' ')) {
        memmove(u + 1, u + 2, len - 1);
        len--;
    }
    for (size_t i = 0; i < sizeof(macs) / sizeof(macs[0]); i++) {
        if (strcmp(u, macs[i].name) == 0 ||
            (macs[i].alias && strcmp(u, macs[i].alias) == 0)) {
            out->whole = state_list(macs[i].states);
            return true;
        }
    }
    return false;
}

bool mn_x__jurisdiction_is_part_form(const char *j, size_t len)
{
    return j && len > 3 && j[2] == '-' && mn_x__isalpha((unsigned char)j[0]) &&
           mn_x__isalpha((unsigned char)j[1]);
}

bool mn_x__jurisdiction_area(const char *j, size_t len, mn_area *out)
{
    int st;

    memset(out, 0, sizeof(*out));
    if (!j || len == 0)
        return false;
    if (mn_x__jurisdiction_is_part_form(j, len)) {
        int part;
        st = mn_x__state_index(j, 2);
        part = mn_x__part_index(st, j + 3, len - 3);
        if (st < 0 || part < 0)
            return false;
        mn_x__area_add_part(out, st, part);
        return true;
    }
    if (len == 5)
        return mn_x__contractor_area(j, len, out);
    if (mn_x__mac_area(j, len, out))
        return true;
    st = mn_x__state_index(j, len);
    if (st >= 0) {
        mn_x__area_add_state(out, st);
        return true;
    }
    return false;
}

uint64_t mn_x__jurisdiction_states(const char *j, size_t len)
{
    mn_area a;
    return mn_x__jurisdiction_area(j, len, &a) ? mn_x__area_states(&a) : 0;
}

size_t mn_x__company_macs(const char *name, size_t len, const char **out,
                          size_t max)
{
    const char *s = name;
    size_t n;

    if (!name)
        return 0;
    n = mn_x__trim(&s, len);
    for (size_t i = 0; i < sizeof(companies) / sizeof(companies[0]); i++) {
        size_t pl = strlen(companies[i].prefix);
        size_t k;
        if (n < pl)
            continue;
        for (k = 0; k < pl; k++) {
            if (mn_x__tolower((unsigned char)s[k]) != companies[i].prefix[k])
                break;
        }
        if (k < pl)
            continue;
        k = 0;
        for (size_t m = 0; m < 2 && companies[i].macs[m]; m++) {
            if (k < max)
                out[k] = companies[i].macs[m];
            k++;
        }
        return k < max ? k : max;
    }
    return 0;
}
