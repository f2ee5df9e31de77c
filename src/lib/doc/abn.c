/*
 * doc/abn.c: the Advance Beneficiary Notice of Noncoverage (CMS-R-131).
 *
 * The notice lists only lines whose result recommends an ABN (or, with
 * `voluntary`, lines excluded by statute), each with the reason a patient
 * reads and a cost; it refuses a blank or blanket notice, an
 * identification number that is a Medicare number or an SSN, and an
 * edition whose fixed text is not in the data. The fixed text comes from
 * the edition in use on the notice's date (data/docs/abn/), laid out in
 * the form's order: notifier, patient, title, note, the D/E/F table, what
 * to do, the options box (G), additional information (H), the notice
 * paragraph and the signature (I, J), the fine print and the form's
 * number and OMB approval.
 */
#include <string.h>

#include "claim/claim_int.h"
#include "doc/data.h"
#include "doc/facts.h"

#define MAX_ITEMS 64
#define MAX_TEXT 600 /* bytes of a user's value */

mn_id_kind mn_id_shape(const char *id)
{
    char c[32];
    size_t n = 0;
    bool digits = true;

    if (!id)
        return MN_ID_OK;
    for (const char *p = id; *p; p++) {
        if (*p == ' ' || *p == '-' || *p == '.' || *p == '\t')
            continue;
        if (n == sizeof(c) - 1)
            return MN_ID_OK; /* far longer than any of them */
        c[n++] = (char)mn_x__toupper((unsigned char)*p);
    }
    c[n] = '\0';
    for (size_t i = 0; i < n; i++)
        digits = digits && mn_x__isdigit(c[i]);
    if (n == 9 && digits)
        return MN_ID_SSN;
    if (n == 11) {
        /* MBI: digit, letter, alnum, digit, letter, alnum, digit, letter,
         * letter, digit, digit (any letters: a near miss is refused too) */
        static const char shape[] = "DAXDAXDAADD";
        bool ok = true;
        for (size_t i = 0; i < 11 && ok; i++) {
            int ch = (unsigned char)c[i];
            if (shape[i] == 'D')
                ok = mn_x__isdigit(ch);
            else if (shape[i] == 'A')
                ok = ch >= 'A' && ch <= 'Z';
            else
                ok = mn_x__isdigit(ch) || (ch >= 'A' && ch <= 'Z');
        }
        if (ok)
            return MN_ID_MBI;
    }
    if (n == 10 || n == 11) {
        /* HICN: the SSN and a beneficiary code of one letter and an
         * optional letter or digit */
        bool ok = true;
        for (size_t i = 0; i < 9 && ok; i++)
            ok = mn_x__isdigit(c[i]);
        ok = ok && c[9] >= 'A' && c[9] <= 'Z';
        if (ok && n == 11)
            ok = mn_x__isdigit(c[10]) || (c[10] >= 'A' && c[10] <= 'Z');
        if (ok)
            return MN_ID_HICN;
    }
    return MN_ID_OK;
}

/* ---- what kind of item a code is ---- */

typedef enum item_kind { IK_SERVICE = 0, IK_TEST, IK_ITEM } item_kind;

static item_kind kind_of(const char *code)
{
    size_t n = strlen(code);

    if (n == 5 && code[0] == '8' && mn_x__isdigit(code[1]) &&
        mn_x__isdigit(code[4]))
        return IK_TEST;
    if (n == 5 && (code[0] == 'P' || (code[0] == 'G' && code[1] == '0' &&
                                      code[2] == '1' && code[3] == '0')))
        return IK_TEST; /* P: pathology and lab; G0103 etc. */
    if (n == 5 && (code[0] == 'E' || code[0] == 'K' || code[0] == 'L' ||
                   code[0] == 'A' || code[0] == 'B' || code[0] == 'V'))
        return IK_ITEM; /* DMEPOS, supplies, vision and hearing items */
    return IK_SERVICE;
}

static const char *word_en(item_kind k)
{
    return k == IK_TEST ? "test" : (k == IK_ITEM ? "item" : "service");
}

/* ---- the notice being built ---- */

typedef struct abn_item {
    size_t line;
    const char *code;
    const char *desc;
    const char *reason;
    int64_t cost;
    const char *date; /* YYYY-MM-DD or NULL */
    item_kind kind;
} abn_item;

typedef struct abn_b {
    mn_doc *d;
    const mn_docdata *dd;
    const mn_abn_options *o; /* the options with the facts filled in */
    const mn_facts *facts;
    const abn_edition *ed;
    const char *lang;
    const char *dval;  /* D as it goes in sentences */
    const char *dhead; /* D as the table's header */
    abn_item items[MAX_ITEMS];
    size_t n_items;
} abn_b;

static const char *lookup_d(void *payload, const char *name, size_t n,
                            const char **tag)
{
    abn_b *b = payload;

    if (n == 1 && name[0] == 'D') {
        *tag = "abn.D";
        return b->dval;
    }
    return NULL;
}

/* The text of a section of the edition (it exists: checked at open). */
static const char *sec(const abn_b *b, const char *name)
{
    const sf_section *s = mn_x__sf_section(b->ed->file, name);
    return s ? s->text : "";
}

/* A label without its blank letter ("A. Notifier:" -> "Notifier:"),
 * unless the labels are asked for. Works on "**G. OPTIONS:**" too. */
static const char *label(abn_b *b, const char *name)
{
    const char *t = sec(b, name);
    size_t bold = strncmp(t, "**", 2) == 0 ? 2 : 0;

    if (b->o->show_labels)
        return t;
    if (t[bold] >= 'A' && t[bold] <= 'J' && t[bold + 1] == '.' &&
        t[bold + 2] == ' ') {
        if (bold)
            return mn_x__doc_printf(b->d, "**%s", t + bold + 3);
        return t + 3;
    }
    return t;
}

static int too_long(const char *s)
{
    return s && strlen(s) > MAX_TEXT;
}

static int blank(const char *s)
{
    if (!s)
        return 1;
    for (; *s; s++) {
        if (!mn_x__isspace((unsigned char)*s))
            return 0;
    }
    return 1;
}

/* The reason with each YYYY-MM-DD written out ("June 10, 2024"): a
 * patient reads the date, not an ISO string. */
static const char *long_dates(abn_b *b, const char *s)
{
    mn_vec out;
    const char *r;

    memset(&out, 0, sizeof(out));
    out.max = (size_t)1 << 16;
    for (const char *p = s; *p;) {
        int32_t day;
        if (mn_x__isdigit((unsigned char)*p) && strlen(p) >= 10 &&
            (p == s || !mn_x__isdigit((unsigned char)p[-1])) &&
            !mn_x__isdigit((unsigned char)p[10]) &&
            mn_x__parse_date(&day, p, 10, false)) {
            char t[40];
            mn_x__long_date(t, day, "en");
            if (mn_x__vec_push(&out, t, strlen(t)) != MN_OK)
                b->d->nomem = 1;
            p += 10;
            continue;
        }
        if (mn_x__vec_push(&out, p, 1) != MN_OK)
            b->d->nomem = 1;
        p++;
    }
    r = mn_x__doc_str(b->d, out.len ? (const char *)out.data : "", out.len, 0);
    mn_x__vec_free(&out);
    return r;
}

/* ---- blank E in Spanish, and for voluntary notices ---- */

static const char *reason_es(abn_b *b, const mn_result *res, size_t line,
                             item_kind k)
{
    static const char *const what[] = {"este servicio", "esta prueba",
                                       "este artículo"};
    size_t nf = mn_result_finding_count(res, line);
    const char *w = what[k];

    for (size_t i = 0; i < nf; i++) {
        mn_finding_info fi;
        const char *id;
        fi.version = MN_FINDING_INFO_VERSION;
        if (mn_result_finding(&fi, res, line, i, NULL) != MN_OK)
            continue;
        if (!fi.edit->patient_text ||
            !(fi.medical_necessity ||
              fi.edit->edit_class == MN_EDIT_STATUTORY ||
              fi.edit->edit_class == MN_EDIT_COVERAGE))
            continue;
        id = fi.edit->id;
        if (!strcmp(id, "policy.dx_not_supported") ||
            !strcmp(id, "policy.dx_noncovered")) {
            if (fi.citation.kind && !strcmp(fi.citation.kind, "ncd"))
                return mn_x__doc_printf(
                    b->d,
                    "Medicare no paga %s para su condición (diagnóstico no "
                    "cubierto por la determinación nacional de cobertura "
                    "%s).",
                    w, fi.citation.id);
            if (fi.citation.kind && fi.citation.id)
                return mn_x__doc_printf(
                    b->d,
                    "Medicare no paga %s para su condición (diagnóstico no "
                    "cubierto por la política local %s).",
                    w,
                    fi.citation.related ? fi.citation.related : fi.citation.id);
            return mn_x__doc_printf(
                b->d, "Medicare no paga %s para su condición.", w);
        }
        if (!strcmp(id, "policy.secondary_dx_missing"))
            return mn_x__doc_printf(
                b->d,
                "Medicare paga %s para su condición solo cuando también se "
                "documenta una segunda condición relacionada.",
                w);
        if (!strcmp(id, "frequency.exceeded"))
            return mn_x__doc_printf(
                b->d,
                "Medicare paga %s solo un número limitado de veces en un "
                "período, y ese límite ya se alcanzó.",
                w);
        if (!strcmp(id, "age.out_of_range"))
            return mn_x__doc_printf(
                b->d, "Medicare paga %s solo para pacientes de ciertas edades.",
                w);
        if (!strcmp(id, "sex.mismatch"))
            return mn_x__doc_printf(b->d,
                                    "Medicare paga %s solo para pacientes "
                                    "de un sexo distinto al indicado en la "
                                    "reclamación.",
                                    w);
        if (!strcmp(id, "setting.not_allowed"))
            return mn_x__doc_printf(
                b->d, "Medicare no paga %s en este lugar de atención.", w);
        if (!strcmp(id, "statutory.excluded"))
            return mn_x__doc_printf(
                b->d,
                "Medicare nunca paga %s: la ley lo excluye de la cobertura.",
                w);
        if (!strcmp(id, "coverage.noncovered"))
            return mn_x__doc_printf(b->d, "Medicare no cubre %s.", w);
    }
    return mn_x__doc_printf(b->d,
                            "Es posible que Medicare no pague %s porque "
                            "podría no considerarse razonable y necesario "
                            "para usted.",
                            w);
}

/* English blank E of a statutory exclusion: the edit table's patient
 * text with the service's word. */
static const char *reason_voluntary_en(abn_b *b, const mn_result *res,
                                       size_t line, item_kind k)
{
    size_t nf = mn_result_finding_count(res, line);

    for (size_t i = 0; i < nf; i++) {
        mn_finding_info fi;
        const char *t;
        const char *mark;
        fi.version = MN_FINDING_INFO_VERSION;
        if (mn_result_finding(&fi, res, line, i, NULL) != MN_OK)
            continue;
        t = fi.edit->patient_text;
        if (!t || fi.edit->edit_class != MN_EDIT_STATUTORY)
            continue;
        mark = strstr(t, "%s");
        if (!mark)
            return t;
        return mn_x__doc_printf(b->d, "%.*s%s%s", (int)(mark - t), t,
                                word_en(k), mark + 2);
    }
    return NULL;
}

/* ---- choosing the edition ---- */

static int choose_edition(abn_b *b, int32_t date, mn_error *err)
{
    const mn_docdata *dd = b->dd;
    const abn_edition *best = NULL;
    char day[11];

    mn_x__format_date(day, date);
    if (b->o->edition) {
        for (size_t i = 0; i < dd->n_eds; i++) {
            if (strcmp(dd->eds[i].info.id, b->o->edition) == 0)
                best = &dd->eds[i];
        }
        if (!best)
            return mn_x__err(err, MN_EINVAL,
                             "no ABN edition '%.64s' in the data (mednec abn "
                             "--list-editions)",
                             b->o->edition);
        if (b->o->language && strcmp(best->info.language, b->lang) != 0)
            return mn_x__err(err, MN_EINVAL, "edition %s is in '%s', not '%s'",
                             best->info.id, best->info.language, b->lang);
        b->lang = best->info.language;
        if (date < best->from || date > best->until)
            mn_x__doc_warn(b->d,
                           mn_x__doc_printf(b->d,
                                            "edition %s is not the one in use "
                                            "on %s (chosen with --edition)",
                                            best->info.id, day));
    } else {
        for (size_t i = 0; i < dd->n_eds; i++) {
            const abn_edition *e = &dd->eds[i];
            if (strcmp(e->info.language, b->lang) != 0 || date < e->from ||
                date > e->until)
                continue;
            if (!best || e->from > best->from)
                best = e;
        }
        if (!best)
            return mn_x__err(err, MN_EINVAL,
                             "no ABN edition in '%s' is in use on %s in the "
                             "data (mednec abn --list-editions)",
                             b->lang, day);
    }
    if (!best->info.has_text)
        return mn_x__err(
            err, MN_EINVAL,
            "%s (%s, in use from %s) is the edition for %s, but its fixed "
            "text is not in mednec's data: add it (docs/documents.md) or "
            "give --edition for an earlier notice date",
            best->info.label, best->info.id, best->info.in_use_from, day);
    if (best->info.unverified && !b->o->allow_unverified)
        return mn_x__err(
            err, MN_EINVAL,
            "edition %s: the fixed text of [%s] is not verified against the "
            "CMS form; verify it in the data, or make a draft with "
            "--allow-unverified",
            best->info.id, best->unverified_list);
    if (best->expires != MN_NODATE && date > best->expires)
        mn_x__doc_warn(
            b->d,
            mn_x__doc_printf(b->d,
                             "%s has passed its expiration date; CMS "
                             "allowed its use while the next edition "
                             "was pending (through %s)",
                             best->info.label,
                             best->info.in_use_until ? best->info.in_use_until
                                                     : "further notice"));
    b->ed = best;
    return MN_OK;
}

/* ---- the items ---- */

/* The user's description and cost of a code: the options' items first,
 * then the facts' items. */
static const mn_doc_item *user_item(abn_b *b, const char *code,
                                    mn_doc_item *tmp)
{
    const mn_abn_options *o = b->o;
    size_t n = mn_x__facts_count(b->facts, "items");

    for (size_t i = 0; i < o->n_items; i++) {
        if (o->items[i].code && mn_x__strcasecmp(o->items[i].code, code) == 0)
            return &o->items[i];
    }
    for (size_t i = 0; i < n; i++) {
        const char *c = mn_x__facts_elem(b->facts, "items", i, "code");
        if (c && mn_x__strcasecmp(c, code) == 0) {
            tmp->code = c;
            tmp->description =
                mn_x__facts_elem(b->facts, "items", i, "description");
            tmp->cost = mn_x__facts_elem_money(b->facts, "items", i, "cost");
            return tmp;
        }
    }
    return NULL;
}

/* Why line `li` may not go on the notice, or NULL when it may. */
static const char *not_eligible(abn_b *b, const mn_line_info *li)
{
    mn_doc *d = b->d;

    if (li->abn == MN_ABN_RECOMMENDED)
        return NULL;
    if (li->status == MN_STATUS_EXCLUDED)
        return b->o->voluntary
                   ? NULL
                   : mn_x__doc_printf(d,
                                      "line %zu (%s) is excluded by statute: "
                                      "no ABN is required (--voluntary gives "
                                      "a voluntary notice)",
                                      li->line, li->code);
    if (li->abn == MN_ABN_ON_FILE)
        return mn_x__doc_printf(d,
                                "line %zu (%s) has GA: an ABN is already on "
                                "file",
                                li->line, li->code);
    if (li->status == MN_STATUS_COVERED)
        return mn_x__doc_printf(d,
                                "line %zu (%s) is covered: a notice for it "
                                "would be a blanket ABN",
                                li->line, li->code);
    if (li->status == MN_STATUS_NOT_COVERED)
        return mn_x__doc_printf(d,
                                "line %zu (%s) is denied for coding or "
                                "billing, not medical necessity: the "
                                "provider is liable and an ABN cannot shift "
                                "that",
                                li->line, li->code);
    return mn_x__doc_printf(d,
                            "line %zu (%s) is %s: the result does not "
                            "recommend an ABN for it",
                            li->line, li->code, mn_status_name(li->status));
}

static int add_item(abn_b *b, const mn_result *res, const mn_claim *claim,
                    const mn_line_info *li, mn_error *err)
{
    abn_item *it;
    mn_doc_item tmp;
    const mn_doc_item *u = user_item(b, li->code, &tmp);
    const char *kbdesc = mn_kb_hcpcs_description(mn_result_kb(res), li->code);
    mn_doc *d = b->d;

    if (b->n_items == MAX_ITEMS)
        return mn_x__err(err, MN_ELIMIT, "more than %d items on one notice",
                         MAX_ITEMS);
    it = &b->items[b->n_items];
    memset(it, 0, sizeof(*it));
    it->line = li->line;
    it->code = mn_x__doc_strz(d, li->code);
    it->date = li->date ? mn_x__doc_strz(d, li->date) : NULL;
    it->kind = kind_of(li->code);
    if (u && u->description && !blank(u->description)) {
        if (too_long(u->description))
            return mn_x__err(err, MN_EINVAL,
                             "the description of %s is longer than %d bytes",
                             li->code, MAX_TEXT);
        it->desc = mn_x__doc_printf(d, "%s (%s)", u->description, li->code);
    } else if (kbdesc) {
        it->desc = mn_x__doc_printf(d, "%s (%s)", kbdesc, li->code);
    } else if (mn_x__cpt_shape(li->code, strlen(li->code))) {
        /* CPT descriptors are AMA copyright: the code, or the user's words */
        it->desc = mn_x__doc_printf(
            d, strcmp(b->lang, "es") == 0 ? "Código CPT %s" : "CPT code %s",
            li->code);
    } else {
        it->desc = mn_x__doc_printf(
            d, strcmp(b->lang, "es") == 0 ? "Código HCPCS %s" : "HCPCS code %s",
            li->code);
    }
    if (strcmp(b->lang, "es") == 0)
        it->reason = reason_es(b, res, li->line - 1, it->kind);
    else if (li->abn == MN_ABN_RECOMMENDED && li->abn_reason)
        it->reason = long_dates(b, li->abn_reason);
    else
        it->reason = reason_voluntary_en(b, res, li->line - 1, it->kind);
    if (!it->reason || !it->reason[0])
        return mn_x__err(err, MN_EINVAL,
                         "line %zu (%s): the result gives no reason Medicare "
                         "may not pay, so blank E would be empty",
                         li->line, li->code);
    it->cost = MN_NO_AMOUNT;
    if (u && u->cost != MN_NO_AMOUNT)
        it->cost = u->cost;
    else if (claim && li->line >= 1 && li->line <= claim->n_lines)
        it->cost = claim->lines[li->line - 1].charge;
    if (it->cost == MN_NO_AMOUNT || it->cost < 0)
        return mn_x__err(err, MN_EINVAL,
                         "line %zu (%s) has no estimated cost for blank F: "
                         "give the line a charge, or a cost for %s",
                         li->line, li->code, li->code);
    b->n_items++;
    return MN_OK;
}

static int collect(abn_b *b, const mn_result *res, const mn_claim *claim,
                   mn_error *err)
{
    size_t n = mn_result_line_count(res);
    mn_line_info li;
    int rc;

    if (b->o->lines && b->o->n_lines) {
        for (size_t k = 0; k < b->o->n_lines; k++) {
            const char *why;
            size_t l = b->o->lines[k];
            if (l < 1 || l > n)
                return mn_x__err(err, MN_EINVAL,
                                 "no line %zu (the claim has %zu)", l, n);
            for (size_t j = 0; j < k; j++) {
                if (b->o->lines[j] == l)
                    return mn_x__err(err, MN_EINVAL,
                                     "line %zu is asked for twice", l);
            }
            li.version = MN_LINE_INFO_VERSION;
            if ((rc = mn_result_line(&li, res, l - 1, err)))
                return rc;
            why = not_eligible(b, &li);
            if (why)
                return mn_x__err(err, MN_EINVAL, "%s", why);
            if ((rc = add_item(b, res, claim, &li, err)))
                return rc;
        }
        return MN_OK;
    }
    for (size_t l = 0; l < n; l++) {
        li.version = MN_LINE_INFO_VERSION;
        if ((rc = mn_result_line(&li, res, l, err)))
            return rc;
        if (not_eligible(b, &li))
            continue;
        if ((rc = add_item(b, res, claim, &li, err)))
            return rc;
    }
    if (b->n_items == 0) {
        size_t excluded = 0;
        for (size_t l = 0; l < n; l++) {
            if (mn_result_line_status(res, l) == MN_STATUS_EXCLUDED)
                excluded++;
        }
        return mn_x__err(
            err, MN_EINVAL,
            "no line of the claim needs an ABN (the result recommends none): "
            "a notice without items would be blank%s",
            excluded && !b->o->voluntary
                ? "; lines excluded by statute need --voluntary"
                : "");
    }
    return MN_OK;
}

/* The D header from the items' kinds, unless the user gave one. */
static void d_header(abn_b *b)
{
    int kinds[3] = {0, 0, 0};
    int es = strcmp(b->lang, "es") == 0;
    int many = b->n_items > 1;
    const char *h;
    const char *s;

    if (b->o->items_header && !blank(b->o->items_header)) {
        b->dval = b->o->items_header;
        b->dhead = b->o->items_header;
        return;
    }
    for (size_t i = 0; i < b->n_items; i++)
        kinds[b->items[i].kind] = 1;
    if (kinds[IK_TEST] && !kinds[IK_ITEM] && !kinds[IK_SERVICE]) {
        h = es ? (many ? "Pruebas de laboratorio" : "Prueba de laboratorio")
               : (many ? "Laboratory tests" : "Laboratory test");
        s = es ? (many ? "las pruebas de laboratorio"
                       : "la prueba de laboratorio")
               : (many ? "laboratory tests" : "laboratory test");
    } else if (kinds[IK_ITEM] && !kinds[IK_TEST] && !kinds[IK_SERVICE]) {
        h = es ? (many ? "Artículos" : "Artículo") : (many ? "Items" : "Item");
        s = es ? (many ? "los artículos" : "el artículo")
               : (many ? "items" : "item");
    } else if (kinds[IK_ITEM]) {
        h = es ? "Artículos y servicios" : "Items and services";
        s = es ? "los artículos y servicios" : "items and services";
    } else {
        h = es ? (many ? "Servicios" : "Servicio")
               : (many ? "Services" : "Service");
        s = es ? (many ? "los servicios" : "el servicio")
               : (many ? "services" : "service");
    }
    b->dval = s;
    b->dhead = h;
}

/* ---- the page ---- */

static void fields1(abn_b *b, const char *lab, const char *value,
                    const char *tag, unsigned flags)
{
    static const double w1[] = {1.0};
    ds_builder tb;
    db_block *blk;

    mn_x__tb_init(&tb, b->d);
    mn_x__tb_markupz(&tb, lab, NULL, NULL);
    mn_x__tb_add(&tb, " ", 0, NULL);
    mn_x__tb_add(&tb, value, DS_FILLED, tag);
    blk = mn_x__doc_grid(b->d, DB_FIELDS, 1, 1, w1);
    if (blk) {
        blk->flags = flags;
        mn_x__tb_take(&tb, &blk->items[0]);
    }
    mn_x__tb_free(&tb);
}

/* The notifier: name, address and phone on their own lines. */
static void notifier(abn_b *b)
{
    static const double w1[] = {1.0};
    const mn_abn_options *o = b->o;
    ds_builder tb;
    db_block *blk;
    char *addr = mn_x__doc_str(b->d, o->notifier_address,
                               strlen(o->notifier_address), 1);
    /* (the options were checked: the address is not NULL) */

    mn_x__tb_init(&tb, b->d);
    mn_x__tb_markupz(&tb, label(b, "label_a"), NULL, NULL);
    mn_x__tb_add(&tb, " ", 0, NULL);
    mn_x__tb_add(&tb, o->notifier_name, DS_BOLD | DS_FILLED, "abn.A");
    for (const char *p = addr; p && *p;) {
        size_t n = strcspn(p, "\n");
        char *line = mn_x__doc_printf(b->d, "%.*s", (int)n, p);
        if (line && !blank(line)) {
            mn_x__tb_break(&tb);
            mn_x__tb_add(&tb, line, DS_FILLED, "abn.A");
        }
        p += n;
        if (*p)
            p++;
    }
    mn_x__tb_break(&tb);
    mn_x__tb_add(&tb, o->notifier_phone, DS_FILLED, "abn.A");
    blk = mn_x__doc_grid(b->d, DB_FIELDS, 1, 1, w1);
    if (blk)
        mn_x__tb_take(&tb, &blk->items[0]);
    mn_x__tb_free(&tb);
    mn_x__doc_field(b->d, "abn.A",
                    mn_x__doc_printf(b->d, "%s, %s, %s", o->notifier_name,
                                     addr ? addr : "", o->notifier_phone));
}

static void patient_row(abn_b *b)
{
    static const double w2[] = {0.58, 0.42};
    ds_builder tb;
    db_block *blk = NULL;
    const char *id =
        b->o->patient_id && !blank(b->o->patient_id) ? b->o->patient_id : "";
    ds_text cells[2];

    mn_x__tb_init(&tb, b->d);
    mn_x__tb_markupz(&tb, label(b, "label_b"), NULL, NULL);
    mn_x__tb_add(&tb, " ", 0, NULL);
    mn_x__tb_add(&tb, b->o->patient_name, DS_FILLED, "abn.B");
    mn_x__tb_take(&tb, &cells[0]);
    mn_x__tb_markupz(&tb, label(b, "label_c"), NULL, NULL);
    mn_x__tb_add(&tb, " ", 0, NULL);
    mn_x__tb_add(&tb, id, DS_FILLED, "abn.C");
    mn_x__tb_take(&tb, &cells[1]);
    mn_x__tb_free(&tb);
    blk = mn_x__doc_grid(b->d, DB_FIELDS, 1, 2, w2);
    if (blk) {
        blk->items[0] = cells[0];
        blk->items[1] = cells[1];
    }
    mn_x__doc_field(b->d, "abn.B", mn_x__doc_strz(b->d, b->o->patient_name));
    mn_x__doc_field(b->d, "abn.C", mn_x__doc_strz(b->d, id));
}

static void table(abn_b *b)
{
    static const double w3[] = {0.36, 0.46, 0.18};
    ds_builder tb;
    db_block *blk;
    ds_text *cells;
    size_t rows = b->n_items + 1;
    int64_t total = 0;

    cells = mn_x__arena_alloc(b->d->arena, rows * 3 * sizeof(ds_text));
    if (!cells) {
        b->d->nomem = 1;
        return;
    }
    mn_x__tb_init(&tb, b->d);
    mn_x__tb_add(&tb, b->o->show_labels ? "D. " : "", 0, NULL);
    mn_x__tb_add(&tb, b->dhead, DS_FILLED, "abn.D");
    mn_x__tb_take(&tb, &cells[0]);
    mn_x__tb_markupz(&tb, label(b, "col_e"), NULL, NULL);
    mn_x__tb_take(&tb, &cells[1]);
    mn_x__tb_markupz(&tb, label(b, "col_f"), NULL, NULL);
    mn_x__tb_take(&tb, &cells[2]);
    for (size_t i = 0; i < b->n_items; i++) {
        abn_item *it = &b->items[i];
        char money[24];
        char *tag_d = mn_x__doc_printf(b->d, "abn.D.%zu", i + 1);
        char *tag_e = mn_x__doc_printf(b->d, "abn.E.%zu", i + 1);
        char *tag_f = mn_x__doc_printf(b->d, "abn.F.%zu", i + 1);
        mn_x__money(money, it->cost);
        total += it->cost;
        mn_x__tb_add(&tb, it->desc, DS_FILLED, tag_d);
        mn_x__tb_take(&tb, &cells[(i + 1) * 3]);
        mn_x__tb_add(&tb, it->reason, DS_FILLED, tag_e);
        mn_x__tb_take(&tb, &cells[(i + 1) * 3 + 1]);
        mn_x__tb_add(&tb, money, DS_FILLED, tag_f);
        mn_x__tb_take(&tb, &cells[(i + 1) * 3 + 2]);
        mn_x__doc_field(b->d, tag_d, mn_x__doc_strz(b->d, it->desc));
        mn_x__doc_field(b->d, tag_e, mn_x__doc_strz(b->d, it->reason));
        mn_x__doc_field(b->d, tag_f, mn_x__doc_printf(b->d, "%s", money));
    }
    mn_x__tb_free(&tb);
    blk = mn_x__doc_grid(b->d, DB_TABLE, rows, 3, w3);
    if (blk) {
        blk->tag = "abn.table";
        memcpy(blk->items, cells, rows * 3 * sizeof(ds_text));
    }
    (void)total;
}

static void para(abn_b *b, const char *section, unsigned flags)
{
    db_block *blk =
        mn_x__doc_text_block(b->d, DB_PARA, sec(b, section), lookup_d, b);
    if (blk)
        blk->flags = flags;
}

static void todo(abn_b *b)
{
    const char *t = sec(b, "todo");
    size_t n = 1;
    db_block *blk;
    ds_text *items;
    ds_builder tb;
    size_t k = 0;

    for (const char *p = t; *p; p++)
        n += *p == '\n';
    items = mn_x__arena_alloc(b->d->arena, n * sizeof(ds_text));
    if (!items) {
        b->d->nomem = 1;
        return;
    }
    mn_x__tb_init(&tb, b->d);
    for (const char *p = t; *p && k < n;) {
        size_t l = strcspn(p, "\n");
        if (l) {
            mn_x__tb_markup(&tb, p, l, lookup_d, b);
            mn_x__tb_take(&tb, &items[k++]);
        }
        p += l;
        if (*p)
            p++;
    }
    mn_x__tb_free(&tb);
    blk = mn_x__doc_block(b->d, DB_BULLETS);
    if (blk) {
        blk->items = items;
        blk->n_items = k;
        blk->tag = "abn.todo";
    }
}

static void options(abn_b *b)
{
    static const char *const names[] = {"option1", "option2", "option3"};
    ds_text *items = mn_x__arena_alloc(b->d->arena, 3 * sizeof(ds_text));
    ds_builder tb;
    db_block *blk;

    if (!items) {
        b->d->nomem = 1;
        return;
    }
    mn_x__tb_init(&tb, b->d);
    for (size_t i = 0; i < 3; i++) {
        const char *t = sec(b, names[i]);
        mn_x__tb_markupz(&tb, t, lookup_d, b);
        mn_x__tb_take(&tb, &items[i]);
    }
    mn_x__tb_free(&tb);
    blk = mn_x__doc_block(b->d, DB_OPTIONS);
    if (blk) {
        blk->items = items;
        blk->n_items = 3;
        blk->tag = "abn.G";
    }
}

static void signature(abn_b *b)
{
    static const double w2[] = {0.62, 0.38};
    db_block *blk = mn_x__doc_grid(b->d, DB_SIGNATURE, 1, 2, w2);
    ds_builder tb;

    if (!blk)
        return;
    blk->tag = "abn.I";
    mn_x__tb_init(&tb, b->d);
    mn_x__tb_markupz(&tb, label(b, "label_i"), NULL, NULL);
    mn_x__tb_take(&tb, &blk->items[0]);
    mn_x__tb_markupz(&tb, label(b, "label_j"), NULL, NULL);
    mn_x__tb_take(&tb, &blk->items[1]);
    mn_x__tb_free(&tb);
}

static void footer(abn_b *b)
{
    static const double w2[] = {0.5, 0.5};
    const char *omb = mn_x__sf_get(b->ed->file, "omb_label");
    db_block *blk = mn_x__doc_grid(b->d, DB_FOOTER, 1, 2, w2);
    ds_builder tb;

    if (!blk)
        return;
    blk->flags = DB_F_BOTTOM;
    blk->tag = "abn.form";
    mn_x__tb_init(&tb, b->d);
    mn_x__tb_add(&tb, b->ed->info.label, 0, "abn.form");
    mn_x__tb_take(&tb, &blk->items[0]);
    mn_x__tb_add(&tb, omb ? omb : b->ed->info.omb, 0, "abn.omb");
    mn_x__tb_take(&tb, &blk->items[1]);
    mn_x__tb_free(&tb);
}

static void build_page(abn_b *b)
{
    mn_doc *d = b->d;
    db_block *blk;
    const char *h =
        b->o->additional && !blank(b->o->additional) ? b->o->additional : "";

    d->title = mn_x__doc_strz(d, sec(b, "title"));
    d->lang = b->lang;
    d->one_page = 1;
    d->filled_marks = 1;
    d->font_size = 10.5;
    d->margin = 36;
    if (b->ed->info.unverified) {
        blk = mn_x__doc_text_block(
            d, DB_PARA,
            strcmp(b->lang, "es") == 0
                ? "**BORRADOR, no lo entregue a un paciente:** parte del "
                  "texto fijo de esta edición no está verificado contra el "
                  "formulario de CMS."
                : "**DRAFT, do not give to a patient:** part of this "
                  "edition's fixed text is not verified against the CMS "
                  "form.",
            NULL, NULL);
        if (blk) {
            blk->flags = DB_F_CENTER;
            blk->tag = "abn.draft";
        }
        mn_x__doc_warn(d, mn_x__doc_printf(d,
                                           "draft: the fixed text of [%s] of "
                                           "%s is not verified",
                                           b->ed->unverified_list,
                                           b->ed->info.id));
    }
    notifier(b);
    patient_row(b);
    blk = mn_x__doc_block(d, DB_RULE);
    if (blk)
        blk->flags = DB_F_THICK;
    blk = mn_x__doc_text_block(d, DB_TITLE, sec(b, "title"), NULL, NULL);
    if (blk)
        blk->flags = DB_F_CENTER;
    para(b, "note", DB_F_TIGHT);
    para(b, "intro", 0);
    table(b);
    para(b, "todo_title", DB_F_TIGHT);
    todo(b);
    para(b, "todo_note", 0);
    blk = mn_x__doc_block(d, DB_BOX_BEGIN);
    if (blk)
        blk->tag = "abn.G";
    mn_x__doc_text_block(d, DB_PARA, label(b, "options_title"), NULL, NULL);
    options(b);
    mn_x__doc_block(d, DB_BOX_END);
    fields1(b, label(b, "label_h"), h, "abn.H", 0);
    mn_x__doc_field(d, "abn.H", mn_x__doc_strz(d, h));
    mn_x__doc_block(d, DB_BOX_BEGIN);
    para(b, "notice", DB_F_TIGHT);
    para(b, "signing", DB_F_TIGHT);
    signature(b);
    mn_x__doc_block(d, DB_BOX_END);
    blk = mn_x__doc_text_block(d, DB_SMALL, sec(b, "nondiscrimination"), NULL,
                               NULL);
    if (blk)
        blk->flags = DB_F_CENTER;
    mn_x__doc_text_block(d, DB_SMALL, sec(b, "pra"), NULL, NULL);
    footer(b);
    mn_x__doc_field(d, "abn.D", mn_x__doc_strz(d, b->dhead));
    mn_x__doc_field(d, "abn.edition",
                    mn_x__doc_printf(d, "%s", b->ed->info.id));
    mn_x__doc_field(d, "abn.form",
                    mn_x__doc_printf(d, "%s", b->ed->info.label));
}

int mn_abn_new(mn_doc **out, const mn_docdata *data, const mn_result *res,
               const mn_claim *claim, const mn_facts *facts,
               const mn_abn_options *options, mn_error *err)
{
    abn_b *b = NULL;
    mn_doc *d = NULL;
    int32_t date = MN_NODATE;
    int rc = MN_OK;
    mn_id_kind idk;
    mn_abn_options o;
    const mn_abn_options *opts = &o;

    if (!out)
        return mn_x__err(err, MN_EINVAL, "missing argument");
    *out = NULL;
    if (!data || !res || !options)
        return mn_x__err(err, MN_EINVAL, "missing argument");
    if (options->version != MN_ABN_OPTIONS_VERSION)
        return mn_x__err(err, MN_EINVAL, "unknown mn_abn_options version %u",
                         options->version);
    /* what the options leave out comes from the facts */
    o = *options;
    if (!o.notifier_name)
        o.notifier_name = mn_x__facts_str(facts, "notifier.name");
    if (!o.notifier_address)
        o.notifier_address = mn_x__facts_str(facts, "notifier.address");
    if (!o.notifier_phone)
        o.notifier_phone = mn_x__facts_str(facts, "notifier.phone");
    if (!o.patient_name)
        o.patient_name = mn_x__facts_str(facts, "patient.name");
    if (!o.patient_id)
        o.patient_id = mn_x__facts_str(facts, "patient.record_number");
    if (!o.additional)
        o.additional = mn_x__facts_str(facts, "additional");
    if (blank(opts->notifier_name) || blank(opts->notifier_address) ||
        blank(opts->notifier_phone))
        return mn_x__err(err, MN_EINVAL,
                         "blank A needs the notifier's name, address and "
                         "telephone number");
    if (blank(opts->patient_name))
        return mn_x__err(err, MN_EINVAL, "blank B needs the patient's name");
    if (too_long(opts->notifier_name) || too_long(opts->notifier_address) ||
        too_long(opts->notifier_phone) || too_long(opts->patient_name) ||
        too_long(opts->patient_id) || too_long(opts->items_header) ||
        too_long(opts->additional))
        return mn_x__err(err, MN_EINVAL, "a value is longer than %d bytes",
                         MAX_TEXT);
    idk = mn_id_shape(opts->patient_id);
    if (idk != MN_ID_OK)
        return mn_x__err(err, MN_EINVAL,
                         "blank C must not hold the patient's %s: use a "
                         "number of your own, such as a medical record "
                         "number, or leave it empty",
                         idk == MN_ID_MBI
                             ? "Medicare number (this value has the shape of "
                               "an MBI)"
                             : (idk == MN_ID_HICN
                                    ? "old Medicare number (this value has "
                                      "the shape of a HICN)"
                                    : "Social Security number (this value "
                                      "has nine digits)"));
    if (claim && claim->payer != MN_PAYER_MEDICARE)
        return mn_x__err(err, MN_EINVAL,
                         "the ABN is a Medicare notice: the claim's payer is "
                         "not Medicare");
    if (opts->language && strcmp(opts->language, "en") &&
        strcmp(opts->language, "es"))
        return mn_x__err(err, MN_EINVAL, "language must be en or es");
    if (opts->date &&
        !mn_x__parse_date(&date, opts->date, strlen(opts->date), false))
        return mn_x__err(err, MN_EINVAL, "the notice date must be YYYY-MM-DD");
    b = mn_x__calloc(1, sizeof(*b));
    if (!b)
        return mn_x__err(err, MN_ENOMEM, "out of memory");
    if ((rc = mn_x__doc_new(&d, MN_DOC_ABN, err)))
        goto done;
    b->d = d;
    b->dd = data;
    b->o = opts;
    b->facts = facts;
    b->lang = opts->language ? opts->language : "en";
    if (opts->edition) {
        /* the edition's language decides blank E's language */
        for (size_t i = 0; i < data->n_eds; i++) {
            if (strcmp(data->eds[i].info.id, opts->edition) == 0 &&
                !opts->language)
                b->lang = data->eds[i].info.language;
        }
    }
    if ((rc = collect(b, res, claim, err)))
        goto done;
    if (date == MN_NODATE) {
        for (size_t i = 0; i < b->n_items; i++) {
            int32_t t;
            if (b->items[i].date &&
                mn_x__parse_date(&t, b->items[i].date, strlen(b->items[i].date),
                                 false) &&
                (date == MN_NODATE || t < date))
                date = t;
        }
        if (date == MN_NODATE)
            date = mn_x__today();
    }
    if ((rc = choose_edition(b, date, err)))
        goto done;
    d_header(b);
    build_page(b);
    if (d->nomem) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    *out = d;
    d = NULL;
done:
    /* a failed allocation can look like missing input: say what it was */
    if (rc != MN_OK && rc != MN_ENOMEM && d && d->nomem)
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
    mn_doc_free(d);
    mn_x__free(b);
    return rc;
}
