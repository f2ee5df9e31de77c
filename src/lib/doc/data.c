/*
 * doc/data.c: the document data: section files (the format of ABN
 * editions, letter templates, the checklist and the appeal levels), the
 * files compiled into the library, a user folder that adds to or replaces
 * them, and the checks that make a bad file fail at open, not when a
 * document is made.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "doc/data.h"

struct mn_x__pack {
    const char *name;
    const char *text;
    size_t len;
};
extern const struct mn_x__pack mn_x__builtin_docs[];

#define MAX_FILES 256

/* ---- section files ---- */

static bool name_char(int c)
{
    return (c >= 'a' && c <= 'z') || mn_x__isdigit(c) || c == '_' || c == '.' ||
           c == '-';
}

/* A `[name]` line: returns the name's length (0: not a section line). */
static size_t section_line(const char *s, size_t n)
{
    size_t i = 1;

    while (n && mn_x__isspace((unsigned char)s[n - 1]))
        n--;
    if (n < 3 || s[0] != '[' || s[n - 1] != ']')
        return 0;
    for (; i < n - 1; i++) {
        if (!name_char((unsigned char)s[i]))
            return 0;
    }
    return n - 2 <= 64 ? n - 2 : 0;
}

static const char *sf_dup(mn_arena *a, const char *s, size_t n, int *nomem)
{
    char *p = mn_x__arena_strndup(a, s, n);
    if (!p)
        *nomem = 1;
    return p;
}

/* Closes the section in progress: its text is lines[first..end). */
static int close_section(sf_file *f, mn_arena *a, const char *text,
                         size_t first, size_t end, int *nomem)
{
    sf_section *s;

    if (f->n_secs == 0)
        return MN_OK;
    s = &f->secs[f->n_secs - 1];
    /* trim blank lines at both ends */
    while (first < end &&
           (text[first] == '\n' || text[first] == ' ' || text[first] == '\t'))
        first++;
    while (end > first && mn_x__isspace((unsigned char)text[end - 1]))
        end--;
    s->text = sf_dup(a, text + first, end - first, nomem);
    return *nomem ? MN_ENOMEM : MN_OK;
}

int mn_x__sf_parse(sf_file *out, mn_arena *a, const char *name,
                   const char *text, size_t len, mn_error *err)
{
    size_t pos = 0;
    size_t lineno = 0;
    size_t sec_start = 0;
    int nomem = 0;
    char *norm = NULL;
    size_t nl = 0;
    int rc = MN_OK;

    memset(out, 0, sizeof(*out));
    out->name = sf_dup(a, name, strlen(name), &nomem);
    if (len > SF_MAX_BYTES) {
        rc = mn_x__err(err, MN_ELIMIT, "larger than %zu bytes",
                       (size_t)SF_MAX_BYTES);
        mn_x__err_at(err, name, 0, 0);
        return rc;
    }
    if (!mn_x__utf8_valid(text, len)) {
        rc = mn_x__err(err, MN_EINVAL, "not UTF-8 text");
        mn_x__err_at(err, name, 0, 0);
        return rc;
    }
    /* a copy without carriage returns: sections point into it */
    norm = mn_x__arena_alloc(a, len + 1);
    out->keys = mn_x__arena_alloc(a, SF_MAX_KEYS * sizeof(char *));
    out->vals = mn_x__arena_alloc(a, SF_MAX_KEYS * sizeof(char *));
    out->secs = mn_x__arena_alloc(a, SF_MAX_SECTIONS * sizeof(sf_section));
    if (!norm || !out->keys || !out->vals || !out->secs || nomem)
        return mn_x__err(err, MN_ENOMEM, "out of memory");
    for (size_t i = 0; i < len; i++) {
        if (text[i] != '\r')
            norm[nl++] = text[i];
    }
    norm[nl] = '\0';
    text = norm;
    len = nl;
    while (pos < len) {
        size_t e = pos;
        size_t n;
        size_t sl;
        while (e < len && text[e] != '\n')
            e++;
        n = e - pos;
        lineno++;
        sl = section_line(text + pos, n);
        if (sl) {
            if ((rc = close_section(out, a, text, sec_start, pos, &nomem)))
                break;
            if (out->n_secs == SF_MAX_SECTIONS) {
                rc = mn_x__err(err, MN_ELIMIT, "more than %d sections",
                               SF_MAX_SECTIONS);
                mn_x__err_at(err, name, lineno, 1);
                break;
            }
            for (size_t k = 0; k < out->n_secs; k++) {
                if (strlen(out->secs[k].name) == sl &&
                    memcmp(out->secs[k].name, text + pos + 1, sl) == 0) {
                    rc = mn_x__err(err, MN_EINVAL, "section [%.*s] given twice",
                                   (int)sl, text + pos + 1);
                    mn_x__err_at(err, name, lineno, 1);
                    goto done;
                }
            }
            out->secs[out->n_secs].name = sf_dup(a, text + pos + 1, sl, &nomem);
            out->secs[out->n_secs].line = lineno;
            out->secs[out->n_secs].text = "";
            out->n_secs++;
            sec_start = e < len ? e + 1 : e;
        } else if (out->n_secs == 0) {
            /* the header: comments, blank lines, key: value */
            const char *s = text + pos;
            size_t k = 0;
            size_t t = n;
            const char *v;
            size_t vl;
            if (mn_x__trim(&s, t) == 0 || s[0] == '#') {
                pos = e + 1;
                continue;
            }
            while (k < n && name_char((unsigned char)text[pos + k]))
                k++;
            if (k == 0 || k >= n || text[pos + k] != ':') {
                rc = mn_x__err(err, MN_EINVAL,
                               "expected 'key: value', a comment or a "
                               "[section] line");
                mn_x__err_at(err, name, lineno, 1);
                break;
            }
            if (out->n_keys == SF_MAX_KEYS) {
                rc = mn_x__err(err, MN_ELIMIT, "more than %d header keys",
                               SF_MAX_KEYS);
                mn_x__err_at(err, name, lineno, 1);
                break;
            }
            v = text + pos + k + 1;
            vl = mn_x__trim(&v, n - k - 1);
            out->keys[out->n_keys] = sf_dup(a, text + pos, k, &nomem);
            out->vals[out->n_keys] = sf_dup(a, v, vl, &nomem);
            out->n_keys++;
        }
        pos = e + 1;
    }
    if (rc == MN_OK)
        rc = close_section(out, a, text, sec_start, len, &nomem);
done:
    if (rc == MN_OK && nomem)
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
    return rc;
}

const char *mn_x__sf_get(const sf_file *f, const char *key)
{
    /* the last one wins */
    for (size_t i = f->n_keys; i-- > 0;) {
        if (strcmp(f->keys[i], key) == 0)
            return f->vals[i];
    }
    return NULL;
}

const sf_section *mn_x__sf_section(const sf_file *f, const char *name)
{
    for (size_t i = 0; i < f->n_secs; i++) {
        if (strcmp(f->secs[i].name, name) == 0)
            return &f->secs[i];
    }
    return NULL;
}

const char *mn_x__sf_kv(mn_arena *a, const char *text, const char *key,
                        size_t index, int *nomem)
{
    size_t kl = strlen(key);
    const char *p = text;

    while (p && *p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n > kl && memcmp(p, key, kl) == 0 && p[kl] == ':') {
            if (index == 0) {
                const char *v = p + kl + 1;
                size_t vl = mn_x__trim(&v, n - kl - 1);
                char *r = mn_x__arena_strndup(a, v, vl);
                if (!r)
                    *nomem = 1;
                return r;
            }
            index--;
        }
        p = e ? e + 1 : NULL;
    }
    return NULL;
}

/* ---- kinds ---- */

static const char *const kind_names[LK_COUNT] = {"lab", "imaging", "dme",
                                                 "therapy", "drug"};

const char *mn_x__letter_kind_name(letter_kind k)
{
    return (unsigned)k < LK_COUNT ? kind_names[k] : "lab";
}

int mn_x__letter_kind_parse(letter_kind *out, const char *s)
{
    for (int k = 0; s && k < LK_COUNT; k++) {
        if (strcmp(s, kind_names[k]) == 0) {
            *out = (letter_kind)k;
            return 0;
        }
    }
    return -1;
}

/* ---- loading ---- */

static int file_err(mn_error *err, const sf_file *f, size_t line, int code,
                    const char *msg)
{
    mn_x__err(err, code, "%s", msg);
    mn_x__err_at(err, f->name, line, line ? 1 : 0);
    return code;
}

/* The sections an edition with text must have (doc/abn.c uses them). */
static const char *const edition_sections[] = {
    "label_a", "label_b",   "label_c",
    "title",   "note",      "intro",
    "col_e",   "col_f",     "todo_title",
    "todo",    "todo_note", "options_title",
    "option1", "option2",   "option3",
    "label_h", "notice",    "signing",
    "label_i", "label_j",   "nondiscrimination",
    "pra",     NULL};

static int parse_day(int32_t *out, const char *v)
{
    return v && mn_x__parse_date(out, v, strlen(v), false) ? 0 : -1;
}

static int load_edition(mn_docdata *dd, const sf_file *f, mn_error *err)
{
    abn_edition e;
    const char *text = mn_x__sf_get(f, "text");
    const char *unv = mn_x__sf_get(f, "unverified");

    memset(&e, 0, sizeof(e));
    e.info.version = MN_ABN_EDITION_INFO_VERSION;
    e.file = f;
    e.info.id = mn_x__sf_get(f, "edition");
    e.info.language = mn_x__sf_get(f, "language");
    e.info.label = mn_x__sf_get(f, "label");
    e.info.omb = mn_x__sf_get(f, "omb");
    e.info.expires = mn_x__sf_get(f, "expires");
    e.info.in_use_from = mn_x__sf_get(f, "in_use_from");
    e.info.in_use_until = mn_x__sf_get(f, "in_use_until");
    if (!e.info.id || !e.info.language || !e.info.label || !e.info.omb ||
        !e.info.in_use_from || !text)
        return file_err(err, f, 0, MN_EINVAL,
                        "an ABN edition needs edition, language, label, "
                        "omb, in_use_from and text");
    if (strcmp(e.info.language, "en") && strcmp(e.info.language, "es"))
        return file_err(err, f, 0, MN_EINVAL, "language must be en or es");
    if (parse_day(&e.from, e.info.in_use_from))
        return file_err(err, f, 0, MN_EINVAL,
                        "in_use_from must be a date YYYY-MM-DD");
    e.until = MN_FOREVER;
    if (e.info.in_use_until && parse_day(&e.until, e.info.in_use_until))
        return file_err(err, f, 0, MN_EINVAL,
                        "in_use_until must be a date YYYY-MM-DD");
    e.expires = MN_NODATE;
    if (e.info.expires && parse_day(&e.expires, e.info.expires))
        return file_err(err, f, 0, MN_EINVAL,
                        "expires must be a date YYYY-MM-DD");
    if (e.until < e.from)
        return file_err(err, f, 0, MN_EINVAL,
                        "in_use_until is before in_use_from");
    if (strcmp(text, "yes") == 0) {
        e.info.has_text = 1;
        for (size_t i = 0; edition_sections[i]; i++) {
            if (!mn_x__sf_section(f, edition_sections[i])) {
                mn_x__err(err, MN_EINVAL, "edition text lacks the section [%s]",
                          edition_sections[i]);
                mn_x__err_at(err, f->name, 0, 0);
                return MN_EINVAL;
            }
        }
    } else if (strcmp(text, "missing") != 0) {
        return file_err(err, f, 0, MN_EINVAL, "text must be yes or missing");
    }
    if (unv && unv[0]) {
        const char *p = unv;
        e.unverified_list = unv;
        while (*p) {
            size_t n = strcspn(p, ", ");
            char name[65];
            if (n && n < sizeof(name)) {
                memcpy(name, p, n);
                name[n] = '\0';
                if (!mn_x__sf_section(f, name)) {
                    mn_x__err(err, MN_EINVAL,
                              "unverified names [%s], which is not a "
                              "section",
                              name);
                    mn_x__err_at(err, f->name, 0, 0);
                    return MN_EINVAL;
                }
                e.info.unverified++;
            }
            p += n;
            while (*p == ',' || *p == ' ')
                p++;
        }
    }
    /* a later file with the same id replaces the earlier one */
    for (size_t i = 0; i < dd->n_eds; i++) {
        if (strcmp(dd->eds[i].info.id, e.info.id) == 0) {
            dd->eds[i] = e;
            return MN_OK;
        }
    }
    dd->eds[dd->n_eds++] = e;
    return MN_OK;
}

static void free_checklist(mn_docdata *dd)
{
    for (size_t i = 0; i < dd->n_els; i++) {
        for (size_t k = 0; k < dd->els[i].n_re; k++)
            regfree(&dd->els[i].re[k]);
        dd->els[i].n_re = 0;
    }
    dd->n_els = 0;
}

static int load_checklist(mn_docdata *dd, const sf_file *f, mn_error *err)
{
    int nomem = 0;

    free_checklist(dd);
    dd->els = mn_x__arena_alloc(dd->arena, (f->n_secs + 1) * sizeof(check_el));
    if (!dd->els)
        return mn_x__err(err, MN_ENOMEM, "out of memory");
    for (size_t s = 0; s < f->n_secs; s++) {
        const sf_section *sec = &f->secs[s];
        check_el *el = &dd->els[dd->n_els];
        const char *kinds;
        const char *req;
        memset(el, 0, sizeof(*el));
        el->id = sec->name;
        el->title = mn_x__sf_kv(dd->arena, sec->text, "title", 0, &nomem);
        kinds = mn_x__sf_kv(dd->arena, sec->text, "kinds", 0, &nomem);
        req = mn_x__sf_kv(dd->arena, sec->text, "required", 0, &nomem);
        el->validate = mn_x__sf_kv(dd->arena, sec->text, "validate", 0, &nomem);
        if (nomem)
            return mn_x__err(err, MN_ENOMEM, "out of memory");
        if (!el->title || !kinds || !req)
            return file_err(err, f, sec->line, MN_EINVAL,
                            "an element needs title, kinds and required");
        if (strcmp(kinds, "all") == 0)
            el->dme_only = 0;
        else if (strcmp(kinds, "dme") == 0)
            el->dme_only = 1;
        else
            return file_err(err, f, sec->line, MN_EINVAL,
                            "kinds must be all or dme");
        el->required = strcmp(req, "yes") == 0;
        if (!el->required && strcmp(req, "no") != 0)
            return file_err(err, f, sec->line, MN_EINVAL,
                            "required must be yes or no");
        if (el->validate && strcmp(el->validate, "f2f_timing") != 0)
            return file_err(err, f, sec->line, MN_EINVAL,
                            "validate must be f2f_timing");
        dd->n_els++;
        for (size_t k = 0;; k++) {
            const char *pat =
                mn_x__sf_kv(dd->arena, sec->text, "pattern", k, &nomem);
            int rc;
            if (nomem)
                return mn_x__err(err, MN_ENOMEM, "out of memory");
            if (!pat)
                break;
            if (el->n_re == CHECK_MAX_PATTERNS)
                return file_err(err, f, sec->line, MN_ELIMIT,
                                "more than 12 patterns");
            rc = regcomp(&el->re[el->n_re], pat,
                         REG_EXTENDED | REG_ICASE | REG_NOSUB | REG_NEWLINE);
            if (rc != 0) {
                char msg[128];
                regerror(rc, &el->re[el->n_re], msg, sizeof(msg));
                mn_x__err(err, MN_EINVAL, "pattern %zu of [%s]: %s", k + 1,
                          el->id, msg);
                mn_x__err_at(err, f->name, sec->line, 1);
                return MN_EINVAL;
            }
            el->n_re++;
        }
        if (el->n_re == 0)
            return file_err(err, f, sec->line, MN_EINVAL,
                            "an element needs a pattern");
    }
    return MN_OK;
}

static int load_template(mn_docdata *dd, const sf_file *f, mn_error *err)
{
    letter_kind k;
    const char *kind = mn_x__sf_get(f, "kind");

    if (mn_x__letter_kind_parse(&k, kind))
        return file_err(err, f, 0, MN_EINVAL,
                        "a letter template needs kind: lab, imaging, dme, "
                        "therapy or drug");
    if (!mn_x__sf_section(f, "letter"))
        return file_err(err, f, 0, MN_EINVAL,
                        "a letter template needs a [letter] section");
    dd->tpl[k] = f;
    return MN_OK;
}

static int interpret(mn_docdata *dd, const sf_file *f, mn_error *err)
{
    if (strncmp(f->name, "abn/", 4) == 0)
        return load_edition(dd, f, err);
    if (strcmp(f->name, "letters/checklist.txt") == 0)
        return load_checklist(dd, f, err);
    if (strncmp(f->name, "letters/", 8) == 0)
        return load_template(dd, f, err);
    if (strcmp(f->name, "appeal/levels.txt") == 0) {
        dd->levels = f;
        return MN_OK;
    }
    return file_err(err, f, 0, MN_EINVAL,
                    "not a document data file (abn/, letters/, "
                    "appeal/levels.txt)");
}

static int add_file(mn_docdata *dd, const char *name, const char *text,
                    size_t len, mn_error *err)
{
    sf_file f;
    int rc;

    if (dd->n_files == MAX_FILES)
        return mn_x__err(err, MN_ELIMIT, "more than %d data files", MAX_FILES);
    if ((rc = mn_x__sf_parse(&f, dd->arena, name, text, len, err)))
        return rc;
    /* a file of the same name replaces the earlier one */
    for (size_t i = 0; i < dd->n_files; i++) {
        if (strcmp(dd->files[i].name, name) == 0) {
            dd->files[i] = f;
            return MN_OK;
        }
    }
    dd->files[dd->n_files++] = f;
    return MN_OK;
}

static int read_file(char **out, size_t *len, const char *path, mn_error *err)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    long n;
    int rc = MN_OK;

    *out = NULL;
    if (!fp) {
        rc = mn_x__err(err, MN_EIO, "cannot open: %s", strerror(errno));
        mn_x__err_at(err, path, 0, 0);
        return rc;
    }
    if (fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 ||
        fseek(fp, 0, SEEK_SET) != 0) {
        rc = mn_x__err(err, MN_EIO, "cannot read");
        mn_x__err_at(err, path, 0, 0);
        goto done;
    }
    if ((size_t)n > SF_MAX_BYTES) {
        rc = mn_x__err(err, MN_ELIMIT, "larger than %zu bytes",
                       (size_t)SF_MAX_BYTES);
        mn_x__err_at(err, path, 0, 0);
        goto done;
    }
    buf = mn_x__malloc((size_t)n + 1);
    if (!buf) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    if (fread(buf, 1, (size_t)n, fp) != (size_t)n) {
        rc = mn_x__err(err, MN_EIO, "read error");
        mn_x__err_at(err, path, 0, 0);
        goto done;
    }
    buf[n] = '\0';
    *out = buf;
    *len = (size_t)n;
    buf = NULL;
done:
    mn_x__free(buf);
    fclose(fp);
    return rc;
}

/* Adds the *.txt files of dir/sub (a missing sub folder is fine). */
static int add_folder(mn_docdata *dd, const char *dir, const char *sub,
                      mn_error *err)
{
    char path[4096];
    DIR *dp;
    struct dirent *de;
    int rc = MN_OK;
    char *names[MAX_FILES];
    size_t n = 0;

    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, sub) >= sizeof(path))
        return mn_x__err(err, MN_EINVAL, "folder name too long");
    dp = opendir(path);
    if (!dp) {
        if (errno == ENOENT)
            return MN_OK;
        rc = mn_x__err(err, MN_EIO, "cannot read the folder");
        mn_x__err_at(err, path, 0, 0);
        return rc;
    }
    while ((de = readdir(dp)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l < 5 || strcmp(de->d_name + l - 4, ".txt") != 0 ||
            de->d_name[0] == '.')
            continue;
        if (n == MAX_FILES) {
            rc =
                mn_x__err(err, MN_ELIMIT, "more than %d data files", MAX_FILES);
            break;
        }
        names[n] = mn_x__strndup(de->d_name, l);
        if (!names[n]) {
            rc = mn_x__err(err, MN_ENOMEM, "out of memory");
            break;
        }
        n++;
    }
    closedir(dp);
    /* a stable order: by name */
    for (size_t i = 1; i < n; i++) {
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    }
    for (size_t i = 0; i < n && rc == MN_OK; i++) {
        char file[4096];
        char name[512];
        char *text = NULL;
        size_t len = 0;
        if ((size_t)snprintf(file, sizeof(file), "%s/%s", path, names[i]) >=
                sizeof(file) ||
            (size_t)snprintf(name, sizeof(name), "%s/%s", sub, names[i]) >=
                sizeof(name)) {
            rc = mn_x__err(err, MN_EINVAL, "file name too long");
            break;
        }
        if ((rc = read_file(&text, &len, file, err)) == MN_OK) {
            rc = add_file(dd, name, text, len, err);
            if (rc && err && strcmp(err->where, name) == 0)
                snprintf(err->where, sizeof(err->where), "%.255s", file);
        }
        mn_x__free(text);
    }
    for (size_t i = 0; i < n; i++)
        mn_x__free(names[i]);
    return rc;
}

static int edition_cmp(const abn_edition *a, const abn_edition *b)
{
    int l = strcmp(a->info.language, b->info.language);
    if (l)
        return l;
    return a->from < b->from ? -1 : a->from > b->from;
}

int mn_docdata_open(mn_docdata **out, const char *dir, mn_error *err)
{
    mn_docdata *dd = NULL;
    struct stat st;
    int rc = MN_OK;

    if (!out)
        return mn_x__err(err, MN_EINVAL, "missing argument");
    *out = NULL;
    dd = mn_x__calloc(1, sizeof(*dd));
    if (!dd || mn_x__arena_new(&dd->arena, (size_t)64 << 20) != MN_OK) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    dd->files = mn_x__arena_alloc(dd->arena, MAX_FILES * sizeof(sf_file));
    dd->eds = mn_x__arena_alloc(dd->arena, MAX_FILES * sizeof(abn_edition));
    if (!dd->files || !dd->eds) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    for (const struct mn_x__pack *p = mn_x__builtin_docs; p->name; p++) {
        if ((rc = add_file(dd, p->name, p->text, p->len, err)))
            goto done;
    }
    if (dir) {
        if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            rc = mn_x__err(err, MN_EIO, "not a folder");
            mn_x__err_at(err, dir, 0, 0);
            goto done;
        }
        if ((rc = add_folder(dd, dir, "abn", err)) ||
            (rc = add_folder(dd, dir, "letters", err)) ||
            (rc = add_folder(dd, dir, "appeal", err)))
            goto done;
    }
    for (size_t i = 0; i < dd->n_files; i++) {
        if ((rc = interpret(dd, &dd->files[i], err)))
            goto done;
    }
    if (!dd->levels || dd->n_els == 0) {
        rc = mn_x__err(err, MN_EINVAL,
                       "the document data lacks appeal/levels.txt or "
                       "letters/checklist.txt");
        goto done;
    }
    for (size_t i = 1; i < dd->n_eds; i++) {
        for (size_t j = i;
             j > 0 && edition_cmp(&dd->eds[j - 1], &dd->eds[j]) > 0; j--) {
            abn_edition t = dd->eds[j];
            dd->eds[j] = dd->eds[j - 1];
            dd->eds[j - 1] = t;
        }
    }
    *out = dd;
    dd = NULL;
done:
    mn_docdata_free(dd);
    return rc;
}

void mn_docdata_free(mn_docdata *data)
{
    if (!data)
        return;
    free_checklist(data);
    mn_x__arena_free(data->arena);
    mn_x__free(data);
}

size_t mn_docdata_edition_count(const mn_docdata *data)
{
    return data ? data->n_eds : 0;
}

int mn_docdata_edition(mn_abn_edition_info *out, const mn_docdata *data,
                       size_t i, mn_error *err)
{
    if (!out || !data)
        return mn_x__err(err, MN_EINVAL, "missing argument");
    if (out->version != MN_ABN_EDITION_INFO_VERSION)
        return mn_x__err(err, MN_EINVAL,
                         "unknown mn_abn_edition_info version %u",
                         out->version);
    if (i >= data->n_eds)
        return mn_x__err(err, MN_EINVAL, "no edition %zu (the data has %zu)", i,
                         data->n_eds);
    *out = data->eds[i].info;
    return MN_OK;
}
