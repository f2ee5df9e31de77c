/*
 * mednec/doc.h: the documents people need, made from a check's result: the
 * ABN (CMS-R-131), letters of medical necessity with a completeness check,
 * and appeal (redetermination) letters. See docs/documents.md.
 *
 * A document (mn_doc) is a data model: blocks of styled text, fields and
 * tables, tagged with the element each one fills ("abn.E.1",
 * "letter.patient.name"). It is filled by a builder (mn_abn_new,
 * mn_letter_new, mn_appeal_new) from a result (mednec/result.h) and the
 * facts the user supplies, and rendered by separate renderers to PDF
 * (cairo and Pango: US letter, embedded fonts, any Unicode text), HTML,
 * Markdown or plain text (mn_doc_render).
 *
 * What does not come from the result comes from data (mn_docdata): each
 * ABN edition's fixed text, OMB number and expiration date (one file per
 * edition), one letter template per letter kind, the completeness
 * checklist and the appeal levels. The data is compiled into the library
 * and may be extended or overridden from a folder of the same layout.
 *
 * Ownership: everything returned through `T **out` belongs to the caller
 * and is released with that type's _free (each accepts NULL). Strings
 * returned by getters are borrowed from their object. Builders copy what
 * they keep; the result, claim, facts and data may be freed after the
 * builder returns (a document keeps nothing borrowed).
 *
 * Threads: an mn_docdata is immutable once open and may be shared. A
 * document, facts object or check result is used by one thread at a time;
 * distinct ones may be built and rendered in parallel.
 *
 * Errors: MN_EINVAL for bad input or a refusal (a blank or blanket ABN, an
 * identification number shaped like a Medicare number, an appeal the
 * result says cannot succeed); the message is one line and says why.
 * MN_ELIMIT when a limit is passed (an ABN that does not fit on one page),
 * MN_ENOMEM, MN_EIO (a data folder that cannot be read), MN_ERROR when the
 * PDF library fails. No message holds a patient's name, identifier or
 * diagnosis.
 */
#ifndef MEDNEC_DOC_H
#define MEDNEC_DOC_H

#include "claim.h"
#include "common.h"
#include "engine.h"
#include "result.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mn_doc mn_doc;
typedef struct mn_docdata mn_docdata;
typedef struct mn_facts mn_facts;
typedef struct mn_lcheck mn_lcheck;

/** What a document is. */
typedef enum mn_doc_kind {
    MN_DOC_ABN = 0, /**< Advance Beneficiary Notice (CMS-R-131) */
    MN_DOC_LETTER,  /**< letter of medical necessity */
    MN_DOC_APPEAL   /**< request for redetermination */
} mn_doc_kind;

/** Output formats of mn_doc_render. */
typedef enum mn_doc_format {
    MN_DOC_PDF = 0,
    MN_DOC_HTML,
    MN_DOC_MARKDOWN,
    MN_DOC_TEXT
} mn_doc_format;

/**
 * Parses a format name: "pdf", "html", "md" or "markdown", "text" or
 * "txt". Returns 0, or -1 for an unknown name or NULL (`*out` unchanged).
 */
MN_API int mn_doc_format_parse(mn_doc_format *out, const char *name);
/** The short name of a format ("pdf", "html", "md", "text"). */
MN_API const char *mn_doc_format_name(mn_doc_format format);

/* ------------------------------------------------------------------ */
/* Data: ABN editions, letter templates, the checklist, appeal levels  */
/* ------------------------------------------------------------------ */

/**
 * Opens the document data: the files compiled into the library, plus
 * those under `dir` when it is not NULL (the same layout: abn/NAME.txt,
 * letters/NAME.txt, appeal/NAME.txt; a file of the same name replaces the
 * built-in one). Every file is parsed and checked here; errors name the
 * file and line (MN_EINVAL), MN_EIO for a folder or file that cannot be
 * read, MN_ELIMIT for a file over 1 MiB or more than 256 files.
 */
MN_API int mn_docdata_open(mn_docdata **out, const char *dir, mn_error *err);
/** Releases the data. NULL is accepted. Not while a builder uses it. */
MN_API void mn_docdata_free(mn_docdata *data);

#define MN_ABN_EDITION_INFO_VERSION 1
/** One ABN edition as the data describes it (strings borrowed from the
 * data; NULL when the file does not give them). */
typedef struct mn_abn_edition_info {
    unsigned version;         /**< set by the caller */
    const char *id;           /**< "cms-r-131-2023-en" */
    const char *language;     /**< "en", "es" */
    const char *label;        /**< "Form CMS-R-131 (Exp. 01/31/2026)" */
    const char *omb;          /**< "0938-0566" */
    const char *expires;      /**< YYYY-MM-DD */
    const char *in_use_from;  /**< first day notifiers must use it */
    const char *in_use_until; /**< last day, NULL when still in use */
    int has_text;             /**< 0: only the edition is known, not its text */
    int unverified;           /**< number of fixed-text sections not checked
                                   against the CMS form */
} mn_abn_edition_info;

/** Number of ABN editions in the data. */
MN_API size_t mn_docdata_edition_count(const mn_docdata *data);
/** Fills `out` with edition `i`, in date order. MN_EINVAL when out of
 * range or for an unknown `out->version`. */
MN_API int mn_docdata_edition(mn_abn_edition_info *out, const mn_docdata *data,
                              size_t i, mn_error *err);

/* ------------------------------------------------------------------ */
/* ABN                                                                 */
/* ------------------------------------------------------------------ */

/** A user's description and cost estimate for a procedure code. */
typedef struct mn_doc_item {
    const char *code;        /**< CPT or HCPCS code */
    const char *description; /**< plain words for blank D, or NULL */
    int64_t cost; /**< estimated cost in cents for blank F, MN_NO_AMOUNT */
} mn_doc_item;

/** Kinds of identification numbers blank C must not hold. */
typedef enum mn_id_kind {
    MN_ID_OK = 0, /**< none of the below */
    MN_ID_MBI,    /**< Medicare Beneficiary Identifier shape */
    MN_ID_HICN,   /**< Health Insurance Claim Number: SSN + letter(s) */
    MN_ID_SSN     /**< Social Security number: nine digits */
} mn_id_kind;

/**
 * What an identification number looks like, ignoring spaces, dashes and
 * case. Anything of nine digits counts as an SSN. NULL gives MN_ID_OK.
 * Thread-safe.
 */
MN_API mn_id_kind mn_id_shape(const char *id);

#define MN_ABN_OPTIONS_VERSION 1
/** Options of mn_abn_new. Strings are copied. */
typedef struct mn_abn_options {
    unsigned version;
    /* blank A: all three required */
    const char *notifier_name;
    const char *notifier_address;
    const char *notifier_phone;
    const char *patient_name; /**< blank B, required */
    /** blank C, optional: refused when mn_id_shape is not MN_ID_OK */
    const char *patient_id;
    /** the blank D header ("Laboratory tests"); NULL: from the codes */
    const char *items_header;
    const char *additional; /**< blank H, optional */
    /** the day the notice is given, YYYY-MM-DD, which chooses the
     * edition; NULL: the earliest date of service of the items */
    const char *date;
    const char *edition;  /**< an edition id; NULL: chosen by date */
    const char *language; /**< "en" (NULL) or "es" */
    /** list lines excluded by statute (a voluntary notice, GX) */
    int voluntary;
    /** 1-based lines to list; NULL: every line that needs one */
    const size_t *lines;
    size_t n_lines;
    /** descriptions and costs by code (they win over the KB and the
     * claim's charges) */
    const mn_doc_item *items;
    size_t n_items;
    /** render an edition whose fixed text is not verified (marked as a
     * draft on the page) */
    int allow_unverified;
    /** print the blank labels (A.-J.); CMS recommends removing them */
    int show_labels;
} mn_abn_options;
#define MN_ABN_OPTIONS_INIT                                                    \
    {                                                                          \
        MN_ABN_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL,      \
            NULL, NULL, NULL, 0, NULL, 0, NULL, 0, 0, 0                        \
    }

/**
 * Fills an ABN from `res`: one item per line whose result recommends an
 * ABN (with `voluntary`, also lines excluded by statute), with blank D in
 * plain words (the user's description; else the HCPCS Level II
 * description; for CPT codes the code itself, never AMA text), blank E the
 * line's reason in words a patient reads, blank F the user's cost or the
 * claim line's charge. `claim` is the claim `res` was made from (for the
 * charges), or NULL. The edition is the one in use on the notice date in
 * the language asked for.
 *
 * Refuses (MN_EINVAL, the message says why): a missing notifier or patient
 * name; an identification number shaped like an MBI, HICN or SSN; no line that
 * needs an ABN (a blank notice); a line asked for whose result does not
 * recommend one (a blanket notice); an item without a cost; a payer other than
 * Medicare; an edition whose text is not in the data, or not verified (unless
 * allow_unverified).
 */
MN_API int mn_abn_new(mn_doc **out, const mn_docdata *data,
                      const mn_result *res, const mn_claim *claim,
                      const mn_facts *facts, const mn_abn_options *opts,
                      mn_error *err);

/* ------------------------------------------------------------------ */
/* Clinical facts (letters and appeals)                                */
/* ------------------------------------------------------------------ */

/**
 * Parses a clinical facts file (JSON, docs/documents.md): patient,
 * payer, the service requested, history, symptoms and findings with
 * dates, test results, prior treatments with dates and outcomes,
 * functional limits, rationale, expected outcome, face-to-face and order
 * dates, prescriber. Unknown fields, wrong types, impossible dates and an
 * invalid NPI are MN_EINVAL with the field's path in `where` and the
 * line and column for syntax errors. At most 1 MiB, 200 entries per list,
 * 4,000 bytes per text. Thread-safe.
 */
MN_API int mn_facts_parse_json(mn_facts **out, const char *json, size_t len,
                               mn_error *err);
/** Releases parsed facts. NULL is accepted. */
MN_API void mn_facts_free(mn_facts *facts);

/* ------------------------------------------------------------------ */
/* Letter of medical necessity                                         */
/* ------------------------------------------------------------------ */

#define MN_LETTER_OPTIONS_VERSION 1
typedef struct mn_letter_options {
    unsigned version;
    /** "lab", "imaging", "dme", "therapy" or "drug"; NULL: from the code
     */
    const char *kind;
    size_t line;      /**< 1-based line the letter is about; 0: line 1 */
    const char *date; /**< the letter's date; NULL: today (UTC) */
    /** a template in the template format (replaces the data's one for
     * the kind), or NULL; `template_name` names it in errors */
    const char *template_text;
    size_t template_len;
    const char *template_name;
} mn_letter_options;
#define MN_LETTER_OPTIONS_INIT                                                 \
    {                                                                          \
        MN_LETTER_OPTIONS_VERSION, NULL, 0, NULL, NULL, 0, NULL                \
    }

/**
 * Writes a letter of medical necessity to the payer for one line of
 * `res`: every element of the checklist (patient identifiers, date,
 * addressee, the request, the service with quantity, frequency and
 * duration, diagnoses with codes and how long, history, function, test
 * results, prior treatments with dates and outcomes, rationale and what
 * denial would mean, expected outcome, the policy it meets with the
 * covered diagnosis group, the prescriber's name, credentials, NPI and
 * contact); for DME also the standard written order elements and the
 * face-to-face encounter's timing (within the six months before the
 * order). MN_EINVAL names the facts a template needs that are missing.
 */
MN_API int mn_letter_new(mn_doc **out, const mn_docdata *data,
                         const mn_result *res, const mn_facts *facts,
                         const mn_letter_options *opts, mn_error *err);

/* ------------------------------------------------------------------ */
/* Completeness check of a letter                                      */
/* ------------------------------------------------------------------ */

#define MN_LCHECK_OPTIONS_VERSION 1
typedef struct mn_lcheck_options {
    unsigned version;
    /** the letter kind ("dme" adds the order and face-to-face elements);
     * NULL: "dme" when the letter mentions a standard written order or a
     * face-to-face encounter, else the general list */
    const char *kind;
    const char *name; /**< the file's name, for error locations */
} mn_lcheck_options;
#define MN_LCHECK_OPTIONS_INIT                                                 \
    {                                                                          \
        MN_LCHECK_OPTIONS_VERSION, NULL, NULL                                  \
    }

/**
 * Checks a letter for the checklist's elements. `bytes` is plain text,
 * Markdown, HTML or PDF (recognised by content; PDF text comes from
 * poppler). Each element is found when a line (or a line and the next)
 * matches one of its patterns. MN_EINVAL for input that is not text
 * (NUL bytes, invalid UTF-8) or a PDF that cannot be read; MN_ELIMIT over
 * 16 MiB.
 */
MN_API int mn_letter_check(mn_lcheck **out, const mn_docdata *data,
                           const void *bytes, size_t len,
                           const mn_lcheck_options *opts, mn_error *err);
/** Releases a check and the strings it lent. NULL is accepted. */
MN_API void mn_lcheck_free(mn_lcheck *check);

#define MN_LCHECK_ELEMENT_VERSION 1
/** One element of a check (strings borrowed from the check). */
typedef struct mn_lcheck_element {
    unsigned version;  /**< set by the caller */
    const char *id;    /**< "patient.dob" */
    const char *title; /**< "Patient's date of birth" */
    int required;
    int found;
    size_t line; /**< 1-based line where it was found, 0 when missing: of
                      the file, or of the PDF's extracted text */
    size_t page; /**< PDF page, 0 for other formats */
    const char *excerpt; /**< the line found (trimmed), or NULL */
} mn_lcheck_element;

/** Elements checked (those of the kind checked); 0 for NULL. */
MN_API size_t mn_lcheck_count(const mn_lcheck *check);
/** Fills `out` with element `i`; MN_EINVAL when out of range. */
MN_API int mn_lcheck_element_at(mn_lcheck_element *out, const mn_lcheck *check,
                                size_t i, mn_error *err);
/** Required elements that are missing. */
MN_API size_t mn_lcheck_missing(const mn_lcheck *check);
/** The kind checked ("general" or "dme"), and the input format found
 * ("text", "markdown", "html", "pdf"); static strings, NULL for NULL. */
MN_API const char *mn_lcheck_kind(const mn_lcheck *check);
MN_API const char *mn_lcheck_input_format(const mn_lcheck *check);
/** Appends the check as JSON or as text for people. */
MN_API int mn_lcheck_render(mn_buf *out, const mn_lcheck *check,
                            mn_format format, mn_error *err);

/* ------------------------------------------------------------------ */
/* Appeal: request for redetermination                                 */
/* ------------------------------------------------------------------ */

#define MN_DENIAL_VERSION 1
/** The denial an appeal answers: from a remittance (835) or given by the
 * user. Strings are copied by mn_appeal_new. */
typedef struct mn_denial {
    unsigned version;
    size_t line;       /**< 1-based claim line denied (0: line 1) */
    const char *group; /**< CO, PR, OA, PI, or NULL */
    const char *const *carc;
    size_t n_carc;
    const char *const *rarc;
    size_t n_rarc;
    const char *policy;       /**< the policy the payer cited (REF*0K) */
    const char *claim_number; /**< the payer's claim number (ICN) */
    /** date of the notice of initial determination, YYYY-MM-DD */
    const char *notice_date;
    /** where that date came from ("--notice-date", "835 DTM*405") */
    const char *notice_source;
    /** the day the notice was received, when it can be shown to be later
     * than the presumed receipt; NULL: presumed (notice + 5 days) */
    const char *received_date;
    int64_t amount; /**< amount in controversy, cents, or MN_NO_AMOUNT */
} mn_denial;

#define MN_APPEAL_OPTIONS_VERSION 1
typedef struct mn_appeal_options {
    unsigned version;
    /** draft it although the result says the denial is right */
    int force;
    /** the documents enclosed (progress notes, test reports...) */
    const char *const *documents;
    size_t n_documents;
    const char *date; /**< the letter's date; NULL: today (UTC) */
} mn_appeal_options;
#define MN_APPEAL_OPTIONS_INIT                                                 \
    {                                                                          \
        MN_APPEAL_OPTIONS_VERSION, 0, NULL, 0, NULL                            \
    }

/**
 * Writes a request for redetermination of the denied line: the claim and
 * line, the denial codes explained, the policy's criteria one by one with
 * the evidence that meets each, the documents enclosed, the filing
 * deadline (120 days from receipt of the notice; receipt presumed 5 days
 * after the notice date, 42 CFR 405.942), and the later appeal levels
 * with their limits and the amount-in-controversy thresholds of the year.
 * `claim` (NULL allowed) gives the line's charge when the denial has no
 * amount. `facts` gives the patient's name and Medicare number and the
 * appellant (provider, else notifier, else prescriber), which are
 * required, and the payer and documents.
 *
 * Refuses (MN_EINVAL, saying why): an unprocessable claim (RARC MA130, or
 * a line the result finds invalid: correct and resubmit instead); a
 * denial the result agrees with (the line is not covered, e.g. a
 * frequency limit really exceeded) unless `force`; a line covered only
 * with documentation when no document is listed.
 */
MN_API int mn_appeal_new(mn_doc **out, const mn_docdata *data,
                         const mn_result *res, const mn_claim *claim,
                         const mn_facts *facts, const mn_denial *denial,
                         const mn_appeal_options *opts, mn_error *err);

/* ------------------------------------------------------------------ */
/* Documents                                                           */
/* ------------------------------------------------------------------ */

/** Releases a document and everything it holds. NULL is accepted. */
MN_API void mn_doc_free(mn_doc *doc);
/** What the document is (MN_DOC_ABN for NULL). Thread-safe. */
MN_API mn_doc_kind mn_doc_get_kind(const mn_doc *doc);

/**
 * The text filled into element `tag` ("abn.A", "abn.D.1", "abn.E.1",
 * "letter.policy"; docs/documents.md lists them), or NULL. Borrowed.
 */
MN_API const char *mn_doc_field(const mn_doc *doc, const char *tag);

/** Warnings a builder left (an expired edition in use, a draft, a late
 * appeal), for the front end to show: their number (0 for NULL), and
 * warning `i` (one line, borrowed from the document; NULL out of range).
 */
MN_API size_t mn_doc_warning_count(const mn_doc *doc);
MN_API const char *mn_doc_warning(const mn_doc *doc, size_t i);

/**
 * Appends the rendered document to `out`. `pages` (NULL allowed) gets the
 * page count of a PDF (0 for the other formats). An ABN that does not fit
 * on one page is MN_ELIMIT. MN_ERROR when cairo fails, MN_ELIMIT when the
 * buffer's maximum would be passed. Thread-safe for distinct documents.
 */
MN_API int mn_doc_render(mn_buf *out, const mn_doc *doc, mn_doc_format format,
                         size_t *pages, mn_error *err);

#ifdef __cplusplus
}
#endif
#endif
