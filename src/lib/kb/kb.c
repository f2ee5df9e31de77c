#define _GNU_SOURCE
/*
 * kb/kb.c: opening and validating a knowledge base, and the lookups the
 * engine uses. Validation is complete before the handle is returned:
 * header, checksum, every section bound, every string and index reference,
 * and the sort order binary searches rely on.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "kb/kb_int.h"
#include "kb/ncci_fmt.h"
#include "kb/srules_fmt.h"

static int bad(mn_error *err, const char *what)
{
    return mn_x__err(err, MN_EBADKB, "corrupt knowledge base: %s", what);
}

const void *mn_x__kb_ext_section(const mn_kb *kb, uint32_t id, size_t *len,
                                 uint32_t *elem)
{
    size_t x;
    if (id < KB_SEC_EXT_FIRST || id >= KB_MAX_SECTIONS)
        return NULL;
    x = id - KB_SEC_EXT_FIRST;
    if (len)
        *len = kb->ext_sec[x].len;
    if (elem)
        *elem = kb->ext_sec[x].elem;
    return kb->ext_sec[x].data;
}

bool mn_x__kb_str_ok(const mn_kb *kb, kb_str s)
{
    if (s.len == 0)
        return true;
    return (size_t)s.off + s.len < kb->str_len && kb->str[s.off + s.len] == 0;
}

static bool str_ok(const mn_kb *kb, kb_str s)
{
    if (s.len == 0)
        return true;
    return (size_t)s.off + s.len < kb->str_len && kb->str[s.off + s.len] == 0;
}

static int check_sections(mn_kb *kb, mn_error *err)
{
    const kb_header *h = (const kb_header *)kb->base;
    const kb_section *secs;
    size_t table_end;

    if (kb->size < sizeof(kb_header))
        return bad(err, "file too short for a header (truncated?)");
    if (memcmp(h->magic, MN_KB_MAGIC, 8) != 0)
        return mn_x__err(err, MN_EBADKB,
                         "not a mednec knowledge base (bad magic)");
    if (h->endian != MN_KB_ENDIAN)
        return mn_x__err(err, MN_EVERSION,
                         "knowledge base has another byte order");
    if (h->format != MN_KB_FORMAT)
        return mn_x__err(err, MN_EVERSION,
                         "knowledge base format %u, this build reads %u",
                         h->format, MN_KB_FORMAT);
    if (h->file_size != kb->size)
        return mn_x__err(err, MN_EBADKB,
                         "corrupt knowledge base: size is %zu bytes, header "
                         "says %llu (truncated?)",
                         kb->size, (unsigned long long)h->file_size);
    if (XXH3_64bits(kb->base + sizeof(*h), kb->size - sizeof(*h)) !=
        h->checksum)
        return bad(err, "checksum mismatch");
    if (h->n_sections == 0 || h->n_sections > 64)
        return bad(err, "section count");
    table_end = sizeof(*h) + (size_t)h->n_sections * sizeof(kb_section);
    if (table_end > kb->size)
        return bad(err, "section table out of bounds");
    secs = (const kb_section *)(kb->base + sizeof(*h));
    for (uint32_t i = 0; i < h->n_sections; i++) {
        const kb_section *s = &secs[i];
        const void *p = kb->base + s->offset;
        size_t n;
        if (s->offset < table_end || s->offset > kb->size ||
            s->length > kb->size - s->offset || s->offset % 8 != 0)
            return bad(err, "section out of bounds");
        if (s->elem_size == 0 || s->length % s->elem_size != 0)
            return bad(err, "section record size");
        n = s->length / s->elem_size;
#define SEC(id, type, ptr, cnt)                                                \
    case id:                                                                   \
        if (s->elem_size != sizeof(type))                                      \
            return bad(err, "section record size");                            \
        kb->ptr = (const type *)p;                                             \
        kb->cnt = n;                                                           \
        break;
        switch (s->id) {
        case KB_SEC_META:
            if (s->length != sizeof(kb_meta))
                return bad(err, "meta section size");
            kb->meta = p;
            break;
        case KB_SEC_STR:
            kb->str = p;
            kb->str_len = s->length;
            break;
            SEC(KB_SEC_ICD, kb_icd, icd, n_icd)
            SEC(KB_SEC_HCPCS, kb_hcpcs, hcpcs, n_hcpcs)
            SEC(KB_SEC_MCE, kb_mce, mce, n_mce)
            SEC(KB_SEC_POLICY, kb_policy, pol, n_pol)
            SEC(KB_SEC_PCODE, kb_pcode, pcode, n_pcode)
            SEC(KB_SEC_PDXKEY, uint64_t, dxkey, n_dx)
            SEC(KB_SEC_PGROUP, kb_group, grp, n_grp)
            SEC(KB_SEC_RULE, kb_rule, rule, n_rule)
            SEC(KB_SEC_COVER, kb_cover, cover, n_cover)
            SEC(KB_SEC_MODIFIER, kb_modifier, mod, n_mod)
        case KB_SEC_ICDHASH:
            if (s->elem_size != sizeof(uint32_t) || n < 1024 || (n & (n - 1)))
                return bad(err, "ICD hash size");
            kb->icdhash = p;
            kb->n_icdhash = n;
            break;
        case KB_SEC_ICDKEY:
            if (s->elem_size != sizeof(uint64_t))
                return bad(err, "section record size");
            kb->icdkey = p;
            kb->n_icdkey = n;
            break;
        case KB_SEC_PDXMETA:
            if (s->elem_size != sizeof(uint32_t))
                return bad(err, "section record size");
            kb->dxmeta = p;
            if (kb->dxkey && n != kb->n_dx)
                return bad(err, "diagnosis sections differ in length");
            break;
        default:
            if (s->id >= KB_SEC_EXT_FIRST && s->id < KB_MAX_SECTIONS) {
                size_t x = s->id - KB_SEC_EXT_FIRST;
                if (kb->ext_sec[x].data)
                    return bad(err, "duplicate section");
                kb->ext_sec[x].data = p;
                kb->ext_sec[x].len = s->length;
                kb->ext_sec[x].elem = s->elem_size;
            }
            break; /* other ids: sections of a later minor revision */
        }
#undef SEC
    }
    if (!kb->meta || !kb->str)
        return bad(err, "missing meta or string section");
    if (kb->n_icd && (!kb->icdkey || kb->n_icdkey != kb->n_icd))
        return bad(err, "ICD key section missing or of another length");
    if (!kb->icdhash || kb->n_icdhash < 2 * kb->n_icd)
        return bad(err, "ICD index or hash missing");
    if ((kb->dxkey == NULL) != (kb->dxmeta == NULL))
        return bad(err, "diagnosis sections incomplete");
    return MN_OK;
}

static int check_content(mn_kb *kb, mn_error *err)
{
    const kb_meta *m = kb->meta;

    if (kb->str_len && kb->str[kb->str_len - 1] != 0)
        return bad(err, "string section not terminated");
    if (m->n_icd_years > MN_KB_MAX_YEARS || m->n_mce > MN_KB_MAX_MCE)
        return bad(err, "year tables");
    for (uint32_t i = 0; i < m->n_icd_years; i++) {
        /* each version inside its own fiscal year, in order, no overlap */
        if (m->icd_from[i] == MN_NODATE || m->icd_to[i] < m->icd_from[i] ||
            m->icd_years[i] < 1990 || m->icd_years[i] > 2099 ||
            mn_x__fiscal_year(m->icd_from[i]) != m->icd_years[i] ||
            mn_x__fiscal_year(m->icd_to[i]) != m->icd_years[i] ||
            (i && m->icd_from[i] <= m->icd_to[i - 1]))
            return bad(err, "ICD-10-CM versions");
    }
    for (uint32_t i = 0; i < m->n_mce; i++) {
        if (m->mce_fy[i] < 1990 || m->mce_fy[i] > 2099 ||
            (i && m->mce_fy[i] <= m->mce_fy[i - 1]))
            return bad(err, "MCE versions");
    }
    if (!str_ok(kb, m->built))
        return bad(err, "build stamp");
    {
        /* every slot in range and at least one empty slot, so every probe
           ends inside the table (the checksum vouches for the placement) */
        size_t used = 0;
        for (size_t i = 0; i < kb->n_icdhash; i++) {
            if (kb->icdhash[i] > kb->n_icd)
                return bad(err, "ICD hash");
            used += kb->icdhash[i] != 0;
        }
        if (used != kb->n_icd)
            return bad(err, "ICD hash");
    }
    for (size_t i = 0; i < kb->n_icd; i++) {
        if (!str_ok(kb, kb->icd[i].desc) || kb->icdkey[i] != kb->icd[i].key ||
            (i && kb->icdkey[i] <= kb->icdkey[i - 1]))
            return bad(err, "ICD-10-CM table");
    }
    for (size_t i = 0; i < kb->n_hcpcs; i++) {
        const kb_hcpcs *h = &kb->hcpcs[i];
        if (!str_ok(kb, h->desc) || (i && h->key <= kb->hcpcs[i - 1].key))
            return bad(err, "HCPCS table");
        if (!kb_cov_ok(h->coverage))
            return bad(err, "HCPCS coverage code");
        if (!str_ok(kb, h->statute))
            return bad(err, "HCPCS statute");
    }
    for (size_t i = 0; i < kb->n_mce; i++) {
        const kb_mce *e = &kb->mce[i];
        if (e->ver >= m->n_mce || (i && (e->key < kb->mce[i - 1].key ||
                                         (e->key == kb->mce[i - 1].key &&
                                          e->ver <= kb->mce[i - 1].ver))))
            return bad(err, "MCE table");
    }
    for (size_t i = 0; i < kb->n_pol; i++) {
        const kb_policy *p = &kb->pol[i];
        uint64_t ndx = (uint64_t)p->n_covered + p->n_noncovered + p->n_notsup;
        if (!str_ok(kb, p->id) || p->id.len == 0 || !str_ok(kb, p->title) ||
            !str_ok(kb, p->related) || !str_ok(kb, p->contractors) ||
            !str_ok(kb, p->note))
            return bad(err, "policy strings");
        if ((uint64_t)p->dx_first + ndx > kb->n_dx ||
            (uint64_t)p->grp_first + p->n_groups > kb->n_grp)
            return bad(err, "policy list bounds");
        if (p->kind < MN_PK_NCD || p->kind > MN_PK_ARTICLE)
            return bad(err, "policy kind");
        /* each list is sorted by key */
        for (uint64_t d = p->dx_first + 1; d < p->dx_first + ndx; d++) {
            uint32_t la = KB_DX_LIST(kb->dxmeta[d - 1]);
            uint32_t lb = KB_DX_LIST(kb->dxmeta[d]);
            if (lb < la || (la == lb && kb->dxkey[d] < kb->dxkey[d - 1]))
                return bad(err, "policy diagnosis order");
        }
        for (uint64_t d = p->dx_first; d < p->dx_first + ndx; d++) {
            uint32_t l = KB_DX_LIST(kb->dxmeta[d]);
            uint64_t pos = d - p->dx_first;
            uint32_t want = pos < p->n_covered ? MN_DL_COVERED
                            : pos < (uint64_t)p->n_covered + p->n_noncovered
                                ? MN_DL_NONCOVERED
                                : MN_DL_NOT_SUPPORTED;
            if (l != want)
                return bad(err, "policy diagnosis lists");
        }
    }
    for (size_t i = 0; i < kb->n_grp; i++) {
        if (kb->grp[i].policy >= kb->n_pol || !str_ok(kb, kb->grp[i].paragraph))
            return bad(err, "group table");
    }
    for (size_t i = 0; i < kb->n_pcode; i++) {
        const kb_pcode *c = &kb->pcode[i];
        const kb_policy *p = c->policy < kb->n_pol ? &kb->pol[c->policy] : NULL;
        if (!p || c->states != p->states || c->effective != p->effective ||
            c->ending != p->ending || c->kind != p->kind ||
            c->id_off != p->id.off ||
            (i && (c->code < kb->pcode[i - 1].code ||
                   (c->code == kb->pcode[i - 1].code &&
                    c->policy < kb->pcode[i - 1].policy))))
            return bad(err, "code-to-policy index");
    }
    for (size_t i = 0; i < kb->n_cover; i++) {
        const kb_cover *c = &kb->cover[i];
        if (c->kind < 1 || c->kind >= MN_SOURCE_KIND_END_ ||
            (c->flags & ~(uint32_t)KB_CF_ALL_) || !str_ok(kb, c->label) ||
            !str_ok(kb, c->sources) ||
            (c->from != MN_NODATE && c->to != MN_NODATE && c->to < c->from) ||
            (i && c->kind < kb->cover[i - 1].kind))
            return bad(err, "coverage table");
    }
    for (size_t i = 0; i < kb->n_mod; i++) {
        const kb_modifier *d = &kb->mod[i];
        for (int j = 0; j < 2; j++) {
            if (!mn_x__isdigit(d->code[j]) &&
                !(d->code[j] >= 'A' && d->code[j] <= 'Z'))
                return bad(err, "modifier table");
        }
        if (!str_ok(kb, d->desc) ||
            (i && memcmp(d->code, kb->mod[i - 1].code, 2) <= 0))
            return bad(err, "modifier table");
    }
    for (size_t i = 0; i < kb->n_rule; i++) {
        const kb_rule *r = &kb->rule[i];
        if (!str_ok(kb, r->rule_id) || !str_ok(kb, r->policy_id) ||
            !str_ok(kb, r->source) || !str_ok(kb, r->pack) ||
            !str_ok(kb, r->reason) || r->kind < KB_RULE_NCD_INVERTED ||
            r->kind > KB_RULE_STATUTORY ||
            (r->kind == KB_RULE_STATUTORY && !r->reason.len))
            return bad(err, "rule table");
    }
    return MN_OK;
}

static int finish_open(mn_kb *kb, mn_error *err)
{
    const kb_header *h;
    int rc = check_sections(kb, err);
    if (rc)
        return rc;
    if ((rc = check_content(kb, err)))
        return rc;
    h = (const kb_header *)kb->base;
    snprintf(kb->version, sizeof(kb->version), "%016llx",
             (unsigned long long)h->checksum);
    snprintf(kb->built, sizeof(kb->built), "%s", kb_s(kb, kb->meta->built));
    for (uint32_t i = 0; i < kb->meta->n_icd_years; i++)
        kb->icd_from[i] = kb->meta->icd_from[i];
    for (uint32_t i = 0; i < kb->meta->n_mce; i++)
        kb->mce_from[i] = mn_x__days_from_civil(kb->meta->mce_fy[i] - 1, 10, 1);
    for (uint32_t i = 0; i < kb->meta->n_mce; i++)
        kb->mce_to[i] = mn_x__days_from_civil(kb->meta->mce_fy[i], 9, 30);
    kb->all_lab = -1;
    mn_x__kb_cover_index(kb);
    if ((rc = mn_x__ncci_open(kb, err)) || (rc = mn_x__srules_open(kb, err)) ||
        (rc = mn_x__mcd_open(kb, err)))
        return rc;
    for (size_t i = 0; i < kb->n_pol; i++) {
        if (kb->pol[i].flags & MN_PF_ALL_LAB)
            kb->all_lab = (long)i;
    }
    return MN_OK;
}

int mn_kb_open_buffer(mn_kb **out, const void *data, size_t len, int copy,
                      mn_error *err)
{
    mn_kb *kb = NULL;
    int rc = MN_OK;

    if (!out)
        return mn_x__err(err, MN_EINVAL, "no output handle");
    *out = NULL;
    kb = mn_x__calloc(1, sizeof(*kb));
    if (!kb)
        return mn_x__err(err, MN_ENOMEM, "out of memory");
    if (copy) {
        /* 8-byte alignment for the records */
        kb->owned = mn_x__malloc(len ? len : 1);
        if (!kb->owned) {
            rc = mn_x__err(err, MN_ENOMEM, "out of memory");
            goto done;
        }
        if (len)
            memcpy(kb->owned, data, len);
        kb->base = kb->owned;
    } else {
        if (((uintptr_t)data) % 8 != 0) {
            rc = mn_x__err(err, MN_EINVAL, "buffer is not 8-byte aligned");
            goto done;
        }
        kb->base = data;
    }
    kb->size = len;
    snprintf(kb->source, sizeof(kb->source), "memory");
    rc = finish_open(kb, err);
done:
    if (rc) {
        mn_kb_free(kb);
        kb = NULL;
    }
    *out = kb;
    return rc;
}

/* Reads the whole regular file `fd` (`size` bytes) into `kb->owned`. */
static int read_whole(mn_kb *kb, int fd, const char *path, mn_error *err)
{
    size_t got = 0;

    kb->owned = mn_x__malloc(kb->size);
    if (!kb->owned)
        return mn_x__err(err, MN_ENOMEM, "out of memory");
    while (got < kb->size) {
        ssize_t n = read(fd, (char *)kb->owned + got, kb->size - got);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0)
            return mn_x__err_sys(err, MN_EIO, errno, path,
                                 "cannot read the knowledge base");
        if (n == 0) {
            mn_x__err(err, MN_EBADKB,
                      "corrupt knowledge base: the file shrank while it was "
                      "read (being rewritten?)");
            mn_x__err_at(err, path, 0, 0);
            return MN_EBADKB;
        }
        got += (size_t)n;
    }
    kb->base = kb->owned;
    return MN_OK;
}

static int open_file(mn_kb **out, const char *path, bool copy, mn_error *err)
{
    mn_kb *kb = NULL;
    int fd = -1;
    struct stat st;
    int rc = MN_OK;

    if (!out || !path)
        return mn_x__err(err, MN_EINVAL, "no path");
    *out = NULL;
    /* O_NONBLOCK: a FIFO is refused below instead of waiting for a
     * writer; it changes nothing for a regular file */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0 || fstat(fd, &st) != 0) {
        rc = mn_x__err_sys(err, MN_EIO, errno, path,
                           "cannot open the knowledge base");
        goto done;
    }
    if (S_ISDIR(st.st_mode)) {
        rc = mn_x__err(err, MN_EIO, "is a directory, not a knowledge base");
        mn_x__err_at(err, path, 0, 0);
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = mn_x__err(err, MN_EIO,
                       "not a regular file (a device, FIFO or socket), not a "
                       "knowledge base");
        mn_x__err_at(err, path, 0, 0);
        goto done;
    }
    if (st.st_size < (off_t)sizeof(kb_header)) {
        rc = mn_x__err(err, MN_EBADKB,
                       "corrupt knowledge base: file too short (truncated?)");
        mn_x__err_at(err, path, 0, 0);
        goto done;
    }
    kb = mn_x__calloc(1, sizeof(*kb));
    if (!kb) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    kb->size = (size_t)st.st_size;
    if (copy) {
        if ((rc = read_whole(kb, fd, path, err)))
            goto done;
    } else {
        kb->mapped =
            mmap(NULL, kb->size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
        if (kb->mapped == MAP_FAILED) {
            kb->mapped = NULL;
            rc = mn_x__err_sys(err, errno == ENOMEM ? MN_ENOMEM : MN_EIO, errno,
                               path, "cannot map the knowledge base");
            goto done;
        }
        kb->base = kb->mapped;
    }
    snprintf(kb->source, sizeof(kb->source), "%s", path);
    if ((rc = finish_open(kb, err)))
        mn_x__err_at(err, path, 0, 0);
done:
    if (fd >= 0)
        close(fd);
    if (rc) {
        mn_kb_free(kb);
        kb = NULL;
    }
    *out = kb;
    return rc;
}

int mn_kb_open(mn_kb **out, const char *path, mn_error *err)
{
    return open_file(out, path, false, err);
}

int mn_kb_open_read(mn_kb **out, const char *path, mn_error *err)
{
    return open_file(out, path, true, err);
}

unsigned mn_kb_format(void)
{
    return MN_KB_FORMAT;
}

void mn_kb_free(mn_kb *kb)
{
    if (!kb)
        return;
    mn_x__ncci_close(kb);
    mn_x__srules_close(kb);
    mn_x__mcd_close(kb);
    if (kb->mapped)
        munmap(kb->mapped, kb->size);
    mn_x__free(kb->owned);
    mn_x__free(kb);
}

const char *mn_kb_version(const mn_kb *kb)
{
    return kb ? kb->version : "";
}

const char *mn_kb_built(const mn_kb *kb)
{
    return kb ? kb->built : "";
}

const char *mn_kb_source(const mn_kb *kb)
{
    return kb ? kb->source : "";
}

void mn_kb_get_stats(mn_kb_stats *out, const mn_kb *kb)
{
    memset(out, 0, sizeof(*out));
    out->version = MN_KB_STATS_VERSION;
    if (!kb)
        return;
    out->bytes = kb->size;
    out->icd_codes = kb->n_icd;
    out->icd_years = kb->meta->n_icd_years;
    if (kb->meta->n_icd_years) {
        out->icd_first_fy = kb->meta->icd_years[0];
        out->icd_last_fy = kb->meta->icd_years[kb->meta->n_icd_years - 1];
    }
    out->hcpcs_codes = kb->n_hcpcs;
    out->mce_edits = kb->n_mce;
    out->policies = kb->n_pol;
    out->policy_codes = kb->n_pcode;
    out->policy_dx = kb->n_dx;
    out->rules = kb->n_rule;
    if (kb->ext_view[MN_SRULES_VIEW])
        out->rules +=
            ((const mn_srules_view *)kb->ext_view[MN_SRULES_VIEW])->n_rule;
    out->hcpcs_modifiers = kb->n_mod;
    out->coverage = kb->n_cover;
    {
        const mn_ncci_view *v = mn_x__ncci_view(kb);
        if (v) {
            out->ncci_ptp = v->n_ptp;
            out->ncci_mue = v->n_mue;
            out->ncci_aoc = v->n_aoc;
        }
    }
}

/* Lookups */

size_t mn_x__kb_icd_lower(const mn_kb *kb, mn_key key)
{
    const uint64_t *k = kb->icdkey;
    size_t lo = 0;
    size_t n = kb->n_icd;

    /* branch-free halving over the dense key array */
    while (n > 1) {
        size_t half = n / 2;
        lo = k[lo + half - 1] < key ? lo + half : lo;
        n -= half;
    }
    if (n == 1 && k[lo] < key)
        lo++;
    return lo;
}

const kb_icd *mn_x__kb_icd(const mn_kb *kb, mn_key key)
{
    size_t mask = kb->n_icdhash - 1;
    size_t h = kb_hash(key) & mask;
    uint32_t v;

    /* one probe on average; the table is at most half full */
    while ((v = kb->icdhash[h]) != 0) {
        if (kb->icdkey[v - 1] == key)
            return &kb->icd[v - 1];
        h = (h + 1) & mask;
    }
    return NULL;
}

const char *mn_x__kb_icd_desc(const mn_kb *kb, mn_key key)
{
    const kb_icd *e = kb ? mn_x__kb_icd(kb, key) : NULL;
    return e && e->desc.len ? kb_s(kb, e->desc) : NULL;
}

const char *mn_kb_hcpcs_description(const mn_kb *kb, const char *code)
{
    const kb_hcpcs *e;
    size_t n;

    if (!kb || !code)
        return NULL;
    n = strlen(code);
    if (!mn_x__hcpcs2_shape(code, n))
        return NULL;
    e = mn_x__kb_hcpcs(kb, mn_x__key(code, n));
    return e && e->desc.len ? kb_s(kb, e->desc) : NULL;
}

const char *mn_kb_icd_description(const mn_kb *kb, const char *code)
{
    size_t n;

    if (!kb || !code)
        return NULL;
    n = strlen(code);
    if (!mn_x__icd_shape(code, n))
        return NULL;
    return mn_x__kb_icd_desc(kb, mn_x__key(code, n));
}

const kb_rule *mn_x__kb_statutory_rule(const mn_kb *kb, const kb_policy *p,
                                       int32_t date)
{
    if (!(p->flags & MN_PF_STATUTORY))
        return NULL;
    for (size_t i = 0; i < kb->n_rule; i++) {
        const kb_rule *r = &kb->rule[i];
        if (r->kind == KB_RULE_STATUTORY && r->policy_kind == p->kind &&
            r->policy_id.len == p->id.len &&
            memcmp(kb_s(kb, r->policy_id), kb_s(kb, p->id), p->id.len) == 0 &&
            (date == MN_NODATE ||
             ((r->effective == MN_NODATE || r->effective <= date) &&
              (r->ending == MN_NODATE || date <= r->ending))))
            return r;
    }
    return NULL;
}

const kb_hcpcs *mn_x__kb_hcpcs(const mn_kb *kb, mn_key key)
{
    size_t lo = 0;
    size_t hi = kb->n_hcpcs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (kb->hcpcs[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < kb->n_hcpcs && kb->hcpcs[lo].key == key ? &kb->hcpcs[lo] : NULL;
}

const kb_pcode *mn_x__kb_pcodes(const mn_kb *kb, mn_key code, size_t *n)
{
    size_t lo = 0;
    size_t hi = kb->n_pcode;
    size_t end;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (kb->pcode[mid].code < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    end = lo;
    while (end < kb->n_pcode && kb->pcode[end].code == code)
        end++;
    *n = end - lo;
    return end > lo ? &kb->pcode[lo] : NULL;
}

int mn_x__kb_icd_year(const mn_kb *kb, int32_t date)
{
    uint32_t n = kb->meta->n_icd_years;
    int best = 0; /* before the oldest year loaded: judge by the oldest */

    if (!n)
        return -1;
    /* fiscal year Y starts on October 1 of Y - 1 */
    for (uint32_t i = 1; i < n; i++) {
        if (date >= kb->icd_from[i])
            best = (int)i;
    }
    return best;
}

int mn_x__kb_mce_version(const mn_kb *kb, int32_t date)
{
    int ver = 0;

    if (!kb->meta->n_mce)
        return -1;
    for (uint32_t i = 1; i < kb->meta->n_mce; i++) {
        if (date >= kb->mce_from[i])
            ver = (int)i;
    }
    return ver;
}

const kb_mce *mn_x__kb_mce(const mn_kb *kb, mn_key key, int ver)
{
    size_t lo = 0;
    size_t hi = kb->n_mce;

    if (ver < 0)
        return NULL;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (kb->mce[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < kb->n_mce && kb->mce[lo].key == key; lo++) {
        if (kb->mce[lo].ver == ver)
            return &kb->mce[lo];
    }
    return NULL;
}

const kb_group *mn_x__kb_group(const mn_kb *kb, const kb_policy *p, int list,
                               int group)
{
    for (uint32_t i = 0; i < p->n_groups; i++) {
        const kb_group *g = &kb->grp[p->grp_first + i];
        if (g->list == list && g->group == group)
            return g;
    }
    return NULL;
}
