/*
 * out/fhirout.c: a result as a FHIR R4 ClaimResponse (mednec/fhir.h),
 * read through the result API. Each line is an item: its charge as the
 * "submitted" adjudication, each denial or review finding's CARC and RARC
 * as adjudication reasons in the X12 code systems, the line's status in
 * an extension, and its findings as process notes it points to.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mednec/claim.h"
#include "mednec/fhir.h"
#include "out/writer.h"

#define ADJUDICATION "http://terminology.hl7.org/CodeSystem/adjudication"
#define DISCRIMINATOR                                                          \
    "http://hl7.org/fhir/us/carin-bb/CodeSystem/"                              \
    "C4BBAdjudicationDiscriminator"
#define CLAIM_TYPE "http://terminology.hl7.org/CodeSystem/claim-type"
/* mednec publishes no StructureDefinitions: its extension URLs use the
   reserved .invalid domain so they can never clash with a real one */
#define EXT_STATUS "https://mednec.invalid/fhir/StructureDefinition/line-status"
#define EXT_EDIT "https://mednec.invalid/fhir/StructureDefinition/edit"

/* Now, as a FHIR instant in UTC. */
static void now(char out[21])
{
    struct timespec ts;
    int y, m, d;
    long s;

    timespec_get(&ts, TIME_UTC);
    mn_x__civil_from_days((int32_t)(ts.tv_sec / 86400), &y, &m, &d);
    s = (long)(ts.tv_sec % 86400);
    out[0] = (char)('0' + y / 1000 % 10);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = 'T';
    out[11] = (char)('0' + s / 36000);
    out[12] = (char)('0' + s / 3600 % 10);
    out[13] = ':';
    out[14] = (char)('0' + s % 3600 / 600);
    out[15] = (char)('0' + s % 3600 / 60 % 10);
    out[16] = ':';
    out[17] = (char)('0' + s % 60 / 10);
    out[18] = (char)('0' + s % 10);
    out[19] = 'Z';
    out[20] = '\0';
}

/* FHIR ids: [A-Za-z0-9-.]{1,64}. */
static bool fhir_id(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    bool ok = n > 0 && n <= 55;

    for (size_t i = 0; ok && i < n; i++)
        ok = mn_x__isdigit(s[i]) || mn_x__isalpha(s[i]) || s[i] == '-' ||
             s[i] == '.';
    return ok;
}

static void coding(mn_out *w, const char *system, const char *code)
{
    MN_OUT_LIT(w, "{\"coding\":[{\"system\":");
    mn_x__out_json_str(w, system);
    MN_OUT_LIT(w, ",\"code\":");
    mn_x__out_json_str(w, code);
    MN_OUT_LIT(w, "}]}");
}

static void reason(mn_out *w, const char *system, const char *code)
{
    MN_OUT_LIT(w, ",{\"category\":");
    coding(w, DISCRIMINATOR, "denialreason");
    MN_OUT_LIT(w, ",\"reason\":");
    coding(w, system, code);
    MN_OUT_LIT(w, "}");
}

int mn_fhir_claim_response(mn_buf *out, const mn_result *res,
                           const mn_fhir_response_options *opts, mn_error *err)
{
    mn_out w;
    mn_fhir_response_options o = MN_FHIR_RESPONSE_OPTIONS_INIT;
    char created[21];
    const char *id;
    size_t n;
    size_t note = 0;
    size_t not_covered = 0;

    if (!out || !res)
        return mn_x__err(err, MN_EINVAL, "no buffer or no result");
    if (opts)
        o = *opts;
    if (!o.created)
        now(created);
    mn_x__out_init(&w, out);
    id = mn_result_id(res);
    n = mn_result_line_count(res);
    MN_OUT_LIT(&w, "{\"resourceType\":\"ClaimResponse\"");
    if (fhir_id(id)) {
        MN_OUT_LIT(&w, ",\"id\":\"");
        mn_x__out_puts(&w, id);
        MN_OUT_LIT(&w, "-response\"");
    }
    MN_OUT_LIT(&w, ",\"status\":\"active\",\"type\":");
    coding(&w, CLAIM_TYPE,
           o.claim_type && strcmp(o.claim_type, "institutional") == 0
               ? "institutional"
               : "professional");
    MN_OUT_LIT(&w, ",\"use\":\"claim\",\"patient\":");
    if (o.patient_reference && o.patient_reference[0]) {
        MN_OUT_LIT(&w, "{\"reference\":");
        mn_x__out_json_str(&w, o.patient_reference);
        MN_OUT_LIT(&w, "}");
    } else {
        MN_OUT_LIT(&w, "{\"display\":\"the patient of the claim\"}");
    }
    MN_OUT_LIT(&w, ",\"created\":");
    mn_x__out_json_str(&w, o.created ? o.created : created);
    MN_OUT_LIT(&w, ",\"insurer\":{\"display\":");
    mn_x__out_json_str(&w, o.insurer ? o.insurer : "Medicare");
    MN_OUT_LIT(&w, "}");
    if (id) {
        MN_OUT_LIT(&w, ",\"request\":{\"identifier\":{\"value\":");
        mn_x__out_json_str(&w, id);
        MN_OUT_LIT(&w, "}}");
    }
    MN_OUT_LIT(&w, ",\"outcome\":\"complete\",\"item\":[");
    for (size_t l = 0; l < n; l++) {
        mn_line_info li;
        size_t first_note = note;
        li.version = MN_LINE_INFO_VERSION;
        if (mn_result_line(&li, res, l, err))
            return err ? err->code : MN_EINVAL;
        if (li.status != MN_STATUS_COVERED)
            not_covered++;
        if (l)
            MN_OUT_LIT(&w, ",");
        MN_OUT_LIT(&w, "{\"extension\":[{\"url\":\"" EXT_STATUS
                       "\",\"valueCode\":\"");
        mn_x__out_puts(&w, mn_status_name(li.status));
        MN_OUT_LIT(&w, "\"}],\"itemSequence\":");
        mn_x__out_int(&w, (long long)li.line);
        for (size_t f = 0; f < li.n_findings; f++) {
            mn_finding_summary fs;
            if (mn_result_finding_summary(&fs, res, l, f) == MN_OK &&
                fs.severity != MN_SEVERITY_INFO) {
                if (note == first_note)
                    MN_OUT_LIT(&w, ",\"noteNumber\":[");
                else
                    MN_OUT_LIT(&w, ",");
                mn_x__out_int(&w, (long long)++note);
            }
        }
        if (note != first_note)
            MN_OUT_LIT(&w, "]");
        MN_OUT_LIT(&w, ",\"adjudication\":[{\"category\":");
        coding(&w, ADJUDICATION, "submitted");
        if (li.charge != MN_NO_AMOUNT) {
            MN_OUT_LIT(&w, ",\"amount\":{\"value\":");
            mn_x__out_amount(&w, li.charge);
            MN_OUT_LIT(&w, ",\"currency\":\"USD\"}");
        }
        MN_OUT_LIT(&w, "}");
        for (size_t f = 0; f < li.n_findings; f++) {
            mn_finding_summary fs;
            if (mn_result_finding_summary(&fs, res, l, f) != MN_OK ||
                fs.severity == MN_SEVERITY_INFO)
                continue;
            if (fs.carc)
                reason(&w, MN_FHIR_CARC, fs.carc);
            if (fs.rarc)
                reason(&w, MN_FHIR_RARC, fs.rarc);
        }
        MN_OUT_LIT(&w, "]}");
    }
    MN_OUT_LIT(&w, "]");
    if (note) {
        size_t k = 0;
        MN_OUT_LIT(&w, ",\"processNote\":[");
        for (size_t l = 0; l < n; l++) {
            size_t nf = mn_result_finding_count(res, l);
            for (size_t f = 0; f < nf; f++) {
                mn_finding_info fi;
                fi.version = MN_FINDING_INFO_VERSION;
                if (mn_result_finding(&fi, res, l, f, NULL) != MN_OK ||
                    fi.severity == MN_SEVERITY_INFO)
                    continue;
                if (k)
                    MN_OUT_LIT(&w, ",");
                MN_OUT_LIT(&w, "{\"extension\":[{\"url\":\"" EXT_EDIT
                               "\",\"valueCode\":");
                mn_x__out_json_str(&w, fi.edit->id);
                MN_OUT_LIT(&w, "}],\"number\":");
                mn_x__out_int(&w, (long long)++k);
                MN_OUT_LIT(&w, ",\"type\":\"display\",\"text\":");
                mn_x__out_json_str(&w, fi.message);
                MN_OUT_LIT(&w, "}");
            }
        }
        MN_OUT_LIT(&w, "]");
    }
    MN_OUT_LIT(&w, ",\"disposition\":");
    {
        char disp[96];
        snprintf(disp, sizeof(disp), "%zu of %zu lines not covered",
                 not_covered, n);
        mn_x__out_json_str(&w, not_covered ? disp : "every line covered");
    }
    MN_OUT_LIT(&w, "}");
    if (w.rc == MN_ELIMIT)
        return mn_x__err(err, w.rc, "result too large for the output buffer");
    if (w.rc)
        return mn_x__err(err, w.rc, "out of memory");
    return MN_OK;
}
