/*
 * io/sniff.c: the format of a claims file from its first bytes
 * (mednec/input.h).
 */
#include <string.h>

#include "core/util.h"
#include "mednec/input.h"

/* True when the first line holds `word` as a whole field name. */
static bool names(const char *line, size_t n, const char *word)
{
    size_t w = strlen(word);

    for (size_t i = 0; i + w <= n; i++) {
        bool start = i == 0 || line[i - 1] == ',' || line[i - 1] == '\t' ||
                     line[i - 1] == '"' || line[i - 1] == ' ';
        bool end = i + w == n || line[i + w] == ',' || line[i + w] == '\t' ||
                   line[i + w] == '"' || line[i + w] == '\r' ||
                   line[i + w] == ' ';
        if (start && end && memcmp(line + i, word, w) == 0)
            return true;
    }
    return false;
}

mn_input_format mn_input_sniff(const char *data, size_t len)
{
    size_t p = 0;
    const char *nl;
    size_t line;

    if (!data)
        return MN_INPUT_UNKNOWN;
    if (len >= 2 && (unsigned char)data[0] == 0xff &&
        (unsigned char)data[1] == 0xfe)
        return MN_INPUT_X12; /* UTF-16: the X12 reader says so */
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
        p = 3;
    while (p < len && mn_x__isspace((unsigned char)data[p]))
        p++;
    if (len - p >= 4 && data[p] == 'I' && data[p + 1] == 0 &&
        data[p + 2] == 'S' && data[p + 3] == 0)
        return MN_INPUT_X12;
    if (len - p >= 4 && memcmp(data + p, "ISA", 3) == 0 &&
        !mn_x__isalpha(data[p + 3]) && !mn_x__isdigit(data[p + 3]))
        return MN_INPUT_X12;
    if (len - p >= 3 &&
        (memcmp(data + p, "ST", 2) == 0 || memcmp(data + p, "GS", 2) == 0) &&
        (data[p + 2] == '*' || data[p + 2] == '|'))
        return MN_INPUT_X12;
    if (p < len && data[p] == '{') {
        /* the first object: a FHIR resource names its type */
        nl = memchr(data + p, '\n', len - p);
        line = nl ? (size_t)(nl - data) - p : len - p;
        if (mn_x__contains_ci(data + p, line, "\"resourceType\""))
            return MN_INPUT_FHIR;
        /* a pretty-printed resource puts it on a later line */
        if (line < 4 &&
            mn_x__contains_ci(data + p, len - p, "\"resourceType\""))
            return MN_INPUT_FHIR;
        return MN_INPUT_JSONL;
    }
    nl = memchr(data + p, '\n', len - p);
    line = nl ? (size_t)(nl - data) - p : len - p;
    if (names(data + p, line, "claim_id") && names(data + p, line, "code"))
        return MN_INPUT_CSV;
    return MN_INPUT_UNKNOWN;
}

const char *mn_input_format_name(mn_input_format f)
{
    switch (f) {
    case MN_INPUT_JSONL:
        return "jsonl";
    case MN_INPUT_X12:
        return "x12";
    case MN_INPUT_FHIR:
        return "fhir";
    case MN_INPUT_CSV:
        return "csv";
    default:
        return "unknown";
    }
}
