/*
 * claim/jurisdiction.c: A/B MAC jurisdictions, states and contractor numbers.
 *
 * Source: ../shared/docs/medicare-facts.md section 1.4 (CMS physician fee
 * schedule locality file and the MAC jurisdiction pages cited there).
 * Part B contractor numbers are JJSLT: JJ the original jurisdiction, S the
 * state within it, L a locality digit, T the type (1 Part A, 2 Part B), so
 * the first three digits name the state and the first two the MAC.
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

uint64_t mn_x__jurisdiction_states(const char *j, size_t len)
{
    char u[8];

    if (len == 0 || len >= sizeof(u))
        return 0;
    for (size_t i = 0; i < len; i++)
        u[i] = (char)mn_x__toupper((unsigned char)j[i]);
    u[len] = '\0';
    if (len == 5)
        return mn_x__contractor_states(u, len);
    /* a state (no MAC name or alias has two characters without a J) */
    if (len == 2 && u[0] != 'J')
        return state_bit(u);
    for (size_t i = 0; i < sizeof(macs) / sizeof(macs[0]); i++) {
        if (strcmp(u, macs[i].name) == 0 ||
            (macs[i].alias && strcmp(u, macs[i].alias) == 0))
            return state_list(macs[i].states);
    }
    /* "J-E", "J 15" */
    if (len >= 3 && u[0] == 'J' && (u[1] == '-' || u[1] == ' ')) {
        char v[8];
        v[0] = 'J';
        memcpy(v + 1, u + 2, len - 2);
        v[len - 1] = '\0';
        return mn_x__jurisdiction_states(v, len - 1);
    }
    if (len == 2)
        return state_bit(u);
    return 0;
}
