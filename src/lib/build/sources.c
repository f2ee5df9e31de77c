/* build/sources.c: walks folders, ZIP archives and .gz files for a KB build. */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zip.h>
#include <zlib.h>

#include "build/sources.h"

#define READ_CHUNK ((size_t)1 << 20)
#define STR_(x) #x
#define STR(x) STR_(x)

/* ------------------------------------------------------------------ */
/* Names                                                                */
/* ------------------------------------------------------------------ */

static bool ends_with_ci(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    bool ok = len >= n;

    for (size_t i = 0; ok && i < n; i++) {
        ok = mn_x__tolower((unsigned char)s[len - n + i]) ==
             mn_x__tolower((unsigned char)suffix[i]);
    }
    return ok;
}

/* Base name of `path` (after the last '/'), lower case, ".gz" removed. */
static char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *b = slash ? slash + 1 : path;
    size_t len = strlen(b);
    char *out = NULL;

    if (ends_with_ci(b, len, ".gz") && len > 3)
        len -= 3;
    out = mn_x__strndup(b, len);
    if (!out)
        goto done;
    for (size_t i = 0; i < len; i++)
        out[i] = (char)mn_x__tolower((unsigned char)out[i]);
done:
    return out;
}

static char *join3(const char *a, const char *sep, const char *b, size_t blen)
{
    size_t la = strlen(a);
    size_t ls = strlen(sep);
    size_t total;
    char *out = NULL;

    if (!mn_x__add(&total, la, ls) || !mn_x__add(&total, total, blen))
        goto done;
    out = mn_x__malloc(total + 1);
    if (!out)
        goto done;
    memcpy(out, a, la);
    memcpy(out + la, sep, ls);
    memcpy(out + la + ls, b, blen);
    out[total] = '\0';
done:
    return out;
}

/* ------------------------------------------------------------------ */
/* The list                                                             */
/* ------------------------------------------------------------------ */

/* Appends a file; takes `data` (freed on failure). */
static int push_file(mn_srclist *list, const char *path, const char *member,
                     const char *container, char *data, size_t len,
                     const char *note)
{
    mn_srcfile f = {NULL, NULL, NULL, NULL, 0, NULL};
    int rc = MN_OK;

    f.path = mn_x__strndup(path, strlen(path));
    f.name = base_name(member);
    f.container = mn_x__strndup(container, strlen(container));
    if (!f.path || !f.name || !f.container) {
        rc = MN_ENOMEM;
        goto done;
    }
    if (list->n == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 64;
        size_t bytes;
        mn_srcfile *p;
        if (!mn_x__mul(&bytes, cap, sizeof(*p))) {
            rc = MN_ENOMEM;
            goto done;
        }
        p = mn_x__realloc(list->items, bytes);
        if (!p) {
            rc = MN_ENOMEM;
            goto done;
        }
        list->items = p;
        list->cap = cap;
    }
    f.data = data;
    f.len = len;
    f.note = note;
    data = NULL;
    list->items[list->n++] = f;
    f.path = f.name = f.container = NULL;
done:
    mn_x__free(f.path);
    mn_x__free(f.name);
    mn_x__free(f.container);
    mn_x__free(data);
    return rc;
}

void mn_x__sources_drop(mn_srcfile *f)
{
    if (f) {
        mn_x__free(f->data);
        f->data = NULL;
        f->len = 0;
    }
}

void mn_x__sources_free(mn_srclist *list)
{
    if (!list)
        goto done;
    for (size_t i = 0; i < list->n; i++) {
        mn_x__free(list->items[i].path);
        mn_x__free(list->items[i].name);
        mn_x__free(list->items[i].container);
        mn_x__free(list->items[i].data);
    }
    mn_x__free(list->items);
    list->items = NULL;
    list->n = list->cap = 0;
done:
    return;
}

/* ------------------------------------------------------------------ */
/* Reading                                                              */
/* ------------------------------------------------------------------ */

static int too_big(mn_error *err, const char *path, size_t cap)
{
    mn_x__err(err, MN_ELIMIT, "file larger than %zu bytes (decompressed)", cap);
    mn_x__err_at(err, path, 0, 0);
    return MN_ELIMIT;
}

/* Moves a vector's bytes out as a NUL-terminated string. */
static int finish_vec(mn_vec *v, char **out, size_t *out_len)
{
    int rc = mn_x__vec_push(v, "", 1);
    if (rc)
        goto done;
    *out = (char *)v->data;
    *out_len = v->len - 1;
    v->data = NULL;
    v->len = v->cap = 0;
done:
    return rc;
}

/* Reads a file from disk, gunzipping it when it is gzip data. */
static int read_disk(char **out, size_t *out_len, const char *path, size_t cap,
                     mn_error *err)
{
    gzFile gz = NULL;
    mn_vec v = {NULL, 0, 0, 0};
    struct stat st;
    int rc = MN_OK;

    *out = NULL;
    *out_len = 0;
    errno = 0;
    gz = gzopen(path, "rb");
    if (!gz) {
        rc = mn_x__err_sys(err, MN_EIO, errno ? errno : ENOMEM, path,
                           "cannot open");
        goto done;
    }
    gzbuffer(gz, 256u * 1024u);
    if (stat(path, &st) == 0 && st.st_size > 0) {
        size_t hint = (size_t)st.st_size;
        rc = mn_x__vec_reserve(&v, (hint < cap ? hint : cap) + 1);
        if (rc)
            goto nomem;
    }
    for (;;) {
        size_t room = cap + 1 - v.len;
        size_t want = room < READ_CHUNK ? room : READ_CHUNK;
        int n;
        /* the room the file's size reserved first: a small file does not
         * cost a whole chunk (an export has dozens of small tables) */
        if (v.cap > v.len && v.cap - v.len < want)
            want = v.cap - v.len;
        rc = mn_x__vec_reserve(&v, want);
        if (rc)
            goto nomem;
        n = gzread(gz, v.data + v.len, (unsigned)want);
        if (n < 0)
            break;
        if (n == 0)
            break;
        v.len += (size_t)n;
        if (v.len > cap) {
            rc = too_big(err, path, cap);
            goto done;
        }
    }
    {
        int zerr = Z_OK;
        const char *msg = gzerror(gz, &zerr);
        if (zerr != Z_OK) {
            rc = mn_x__err(err, MN_EIO, "cannot read: %s",
                           msg && *msg ? msg : "read error");
            mn_x__err_at(err, path, 0, 0);
            goto done;
        }
    }
    rc = finish_vec(&v, out, out_len);
    if (rc)
        goto nomem;
    goto done;
nomem:
    rc = mn_x__err(err, MN_ENOMEM, "out of memory");
done:
    if (gz)
        gzclose(gz);
    mn_x__vec_free(&v);
    return rc;
}

/* Gunzips a buffer (concatenated gzip members are joined). */
static int gunzip_mem(char **out, size_t *out_len, const char *path,
                      const unsigned char *in, size_t in_len, size_t cap,
                      mn_error *err)
{
    z_stream zs;
    mn_vec v = {NULL, 0, 0, 0};
    bool init = false;
    int rc = MN_OK;
    int zr = Z_OK;

    *out = NULL;
    *out_len = 0;
    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        goto nomem;
    init = true;
    zs.next_in = (unsigned char *)(uintptr_t)in;
    for (;;) {
        size_t room = cap + 1 - v.len;
        size_t want = room < READ_CHUNK ? room : READ_CHUNK;
        unsigned in_now =
            in_len > READ_CHUNK ? (unsigned)READ_CHUNK : (unsigned)in_len;
        if (zr == Z_STREAM_END) {
            if (in_len == 0)
                break;
            inflateReset(&zs);
        }
        rc = mn_x__vec_reserve(&v, want);
        if (rc)
            goto nomem;
        zs.avail_in = in_now;
        zs.next_out = v.data + v.len;
        zs.avail_out = (unsigned)want;
        zr = inflate(&zs, Z_NO_FLUSH);
        in_len -= in_now - zs.avail_in;
        v.len += want - zs.avail_out;
        if (v.len > cap) {
            rc = too_big(err, path, cap);
            goto done;
        }
        if (zr == Z_STREAM_END)
            continue;
        if ((zr != Z_OK && zr != Z_BUF_ERROR) ||
            (in_len == 0 && zs.avail_out != 0)) {
            rc = mn_x__err(err, MN_EIO, "corrupt or truncated gzip data");
            mn_x__err_at(err, path, 0, 0);
            goto done;
        }
    }
    rc = finish_vec(&v, out, out_len);
    if (rc)
        goto nomem;
    goto done;
nomem:
    rc = mn_x__err(err, MN_ENOMEM, "out of memory");
done:
    if (init)
        inflateEnd(&zs);
    mn_x__vec_free(&v);
    return rc;
}

static int zip_fail(mn_error *err, const char *path, zip_error_t *ze)
{
    mn_x__err(err, MN_EIO, "cannot read zip archive: %s",
              zip_error_strerror(ze));
    mn_x__err_at(err, path, 0, 0);
    return MN_EIO;
}

/* Reads one ZIP member (raw, as stored after ZIP decompression). */
static int read_member(char **out, size_t *out_len, zip_t *za, zip_uint64_t i,
                       const char *path, size_t cap, mn_error *err)
{
    zip_stat_t st;
    zip_file_t *zf = NULL;
    char *buf = NULL;
    size_t size;
    zip_int64_t n;
    int rc = MN_OK;

    *out = NULL;
    *out_len = 0;
    zip_stat_init(&st);
    if (zip_stat_index(za, i, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) {
        rc = zip_fail(err, path, zip_get_error(za));
        goto done;
    }
    if (st.size > cap) {
        rc = too_big(err, path, cap);
        goto done;
    }
    size = (size_t)st.size;
    buf = mn_x__malloc(size + 1);
    if (!buf) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    zf = zip_fopen_index(za, i, 0);
    if (!zf) {
        rc = zip_fail(err, path, zip_get_error(za));
        goto done;
    }
    n = zip_fread(zf, buf, size);
    if (n < 0 || (size_t)n != size) {
        rc = zip_fail(err, path, zip_file_get_error(zf));
        goto done;
    }
    buf[size] = '\0';
    *out = buf;
    *out_len = size;
    buf = NULL;
done:
    if (zf)
        zip_fclose(zf);
    mn_x__free(buf);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Walking                                                              */
/* ------------------------------------------------------------------ */

typedef struct walk {
    mn_srclist *list;
    size_t cap;
    mn_src_want want;
    void *payload;
    mn_error *err;
} walk;

static bool is_zip_name(const char *name)
{
    return ends_with_ci(name, strlen(name), ".zip");
}

static int walk_zip(walk *w, zip_t *za, const char *zpath, int depth);

/* Opens a ZIP held in memory (borrowed `data`) and walks it. */
static int walk_zip_mem(walk *w, const char *zpath, char *data, size_t len,
                        int depth)
{
    zip_error_t ze;
    zip_source_t *zs = NULL;
    zip_t *za = NULL;
    int rc = MN_OK;

    zip_error_init(&ze);
    zs = zip_source_buffer_create(data, len, 0, &ze);
    if (!zs) {
        rc = zip_fail(w->err, zpath, &ze);
        goto done;
    }
    za = zip_open_from_source(zs, ZIP_RDONLY, &ze);
    if (!za) {
        rc = zip_fail(w->err, zpath, &ze);
        goto done;
    }
    zs = NULL; /* owned by the archive now */
    rc = walk_zip(w, za, zpath, depth);
done:
    if (za)
        zip_discard(za);
    if (zs)
        zip_source_free(zs);
    zip_error_fini(&ze);
    return rc;
}

typedef struct member {
    const char *name;
    zip_uint64_t index;
} member;

static int cmp_member(const void *a, const void *b)
{
    return strcmp(((const member *)a)->name, ((const member *)b)->name);
}

/* One ZIP member: a nested ZIP, a wanted file, or a listed-only file. */
static int walk_member(walk *w, zip_t *za, const member *m, const char *zpath,
                       int depth)
{
    char *path = NULL;
    char *container = NULL;
    char *raw = NULL;
    char *data = NULL;
    char *name = NULL;
    size_t raw_len = 0;
    size_t len = 0;
    const char *slash = strrchr(m->name, '/');
    size_t mlen = strlen(m->name);
    bool gz = ends_with_ci(m->name, mlen, ".gz") && mlen > 3;
    int rc = MN_OK;

    path = join3(zpath, "!", m->name, mlen);
    container = slash ? join3(zpath, "!", m->name, (size_t)(slash - m->name))
                      : mn_x__strndup(zpath, strlen(zpath));
    name = base_name(m->name);
    if (!path || !container || !name)
        goto nomem;
    if (is_zip_name(name)) {
        if (depth >= MN_SRC_ZIP_DEPTH) {
            rc = push_file(w->list, path, m->name, container, NULL, 0,
                           "zip nested more than " STR(
                               MN_SRC_ZIP_DEPTH) " levels deep: not read");
            if (rc)
                goto nomem;
            goto done;
        }
        rc = read_member(&raw, &raw_len, za, m->index, path, w->cap, w->err);
        if (rc)
            goto done;
        if (gz) {
            rc = gunzip_mem(&data, &len, path, (unsigned char *)raw, raw_len,
                            w->cap, w->err);
            if (rc)
                goto done;
        } else {
            data = raw;
            len = raw_len;
            raw = NULL;
        }
        rc = walk_zip_mem(w, path, data, len, depth + 1);
        goto done;
    }
    if (w->want && w->want(w->payload, name)) {
        rc = read_member(&raw, &raw_len, za, m->index, path, w->cap, w->err);
        if (rc)
            goto done;
        if (gz) {
            rc = gunzip_mem(&data, &len, path, (unsigned char *)raw, raw_len,
                            w->cap, w->err);
            if (rc)
                goto done;
        } else {
            data = raw;
            len = raw_len;
            raw = NULL;
        }
    }
    rc = push_file(w->list, path, m->name, container, data, len, NULL);
    data = NULL;
    if (rc)
        goto nomem;
    goto done;
nomem:
    rc = mn_x__err(w->err, MN_ENOMEM, "out of memory");
done:
    mn_x__free(path);
    mn_x__free(container);
    mn_x__free(name);
    mn_x__free(raw);
    mn_x__free(data);
    return rc;
}

static int walk_zip(walk *w, zip_t *za, const char *zpath, int depth)
{
    member *ms = NULL;
    size_t n = 0;
    zip_int64_t count = zip_get_num_entries(za, 0);
    int rc = MN_OK;

    if (count < 0) {
        rc = zip_fail(w->err, zpath, zip_get_error(za));
        goto done;
    }
    ms = mn_x__calloc((size_t)count + 1, sizeof(*ms));
    if (!ms) {
        rc = mn_x__err(w->err, MN_ENOMEM, "out of memory");
        goto done;
    }
    for (zip_int64_t i = 0; i < count; i++) {
        const char *nm = zip_get_name(za, (zip_uint64_t)i, ZIP_FL_ENC_GUESS);
        size_t nl;
        if (!nm) {
            rc = zip_fail(w->err, zpath, zip_get_error(za));
            goto done;
        }
        nl = strlen(nm);
        if (nl == 0 || nm[nl - 1] == '/')
            continue; /* a folder entry */
        ms[n].name = nm;
        ms[n].index = (zip_uint64_t)i;
        n++;
    }
    qsort(ms, n, sizeof(*ms), cmp_member);
    for (size_t i = 0; i < n; i++) {
        rc = walk_member(w, za, &ms[i], zpath, depth);
        if (rc)
            goto done;
    }
done:
    mn_x__free(ms);
    return rc;
}

/* A file on disk: a ZIP to walk, a wanted file, or a listed-only one. */
static int walk_file(walk *w, const char *path, const char *container)
{
    char *name = base_name(path);
    char *data = NULL;
    size_t len = 0;
    zip_t *za = NULL;
    int rc = MN_OK;

    if (!name) {
        rc = mn_x__err(w->err, MN_ENOMEM, "out of memory");
        goto done;
    }
    if (is_zip_name(name)) {
        size_t plen = strlen(path);
        if (ends_with_ci(path, plen, ".gz")) {
            rc = read_disk(&data, &len, path, w->cap, w->err);
            if (rc)
                goto done;
            rc = walk_zip_mem(w, path, data, len, 1);
            goto done;
        }
        int zerr = 0;
        za = zip_open(path, ZIP_RDONLY, &zerr);
        if (!za) {
            zip_error_t ze;
            zip_error_init_with_code(&ze, zerr);
            rc = zip_fail(w->err, path, &ze);
            zip_error_fini(&ze);
            goto done;
        }
        rc = walk_zip(w, za, path, 1);
        goto done;
    }
    if (w->want && w->want(w->payload, name)) {
        rc = read_disk(&data, &len, path, w->cap, w->err);
        if (rc)
            goto done;
    }
    rc = push_file(w->list, path, path, container, data, len, NULL);
    data = NULL;
    if (rc)
        rc = mn_x__err(w->err, MN_ENOMEM, "out of memory");
done:
    if (za)
        zip_discard(za);
    mn_x__free(name);
    mn_x__free(data);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_dir(walk *w, const char *dir, int depth)
{
    DIR *d = NULL;
    char **names = NULL;
    size_t n = 0;
    size_t cap = 0;
    char *full = NULL;
    int rc = MN_OK;

    if (depth > MN_SRC_DIR_DEPTH) {
        rc = mn_x__err(w->err, MN_ELIMIT, "folders nested too deep");
        mn_x__err_at(w->err, dir, 0, 0);
        goto done;
    }
    d = opendir(dir);
    if (!d) {
        rc = mn_x__err_sys(w->err, MN_EIO, errno, dir, "cannot open folder");
        goto done;
    }
    for (;;) {
        struct dirent *e = readdir(d);
        if (!e)
            break;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            size_t bytes;
            char **p;
            if (!mn_x__mul(&bytes, ncap, sizeof(*p)))
                goto nomem;
            p = mn_x__realloc(names, bytes);
            if (!p)
                goto nomem;
            names = p;
            cap = ncap;
        }
        names[n] = mn_x__strndup(e->d_name, strlen(e->d_name));
        if (!names[n])
            goto nomem;
        n++;
    }
    if (n > 1) /* an empty folder has no array to sort */
        qsort(names, n, sizeof(*names), cmp_str);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        mn_x__free(full);
        full = join3(dir, "/", names[i], strlen(names[i]));
        if (!full)
            goto nomem;
        if (stat(full, &st) != 0) {
            rc = push_file(w->list, full, full, dir, NULL, 0,
                           "cannot be read (broken link?)");
        } else if (S_ISDIR(st.st_mode)) {
            rc = walk_dir(w, full, depth + 1);
            if (rc)
                goto done;
        } else if (S_ISREG(st.st_mode)) {
            rc = walk_file(w, full, dir);
            if (rc)
                goto done;
        } else {
            rc = push_file(w->list, full, full, dir, NULL, 0,
                           "not a regular file");
        }
        if (rc)
            goto nomem;
    }
    goto done;
nomem:
    rc = mn_x__err(w->err, MN_ENOMEM, "out of memory");
done:
    if (d)
        closedir(d);
    for (size_t i = 0; i < n; i++)
        mn_x__free(names[i]);
    mn_x__free(names);
    mn_x__free(full);
    return rc;
}

int mn_x__sources_add(mn_srclist *list, const char *path, size_t max_file,
                      mn_src_want want, void *payload, mn_error *err)
{
    walk w = {list, max_file ? max_file : MN_SRC_MAX_FILE, want, payload, err};
    char *clean = NULL;
    char *container = NULL;
    size_t len;
    struct stat st;
    int rc = MN_OK;

    if (!list || !path) {
        rc = mn_x__err(err, MN_EINVAL, "no path given");
        goto done;
    }
    len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    clean = mn_x__strndup(path, len);
    if (!clean) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    if (stat(clean, &st) != 0) {
        if (errno == ENOENT)
            rc = mn_x__err(err, MN_ENOTFOUND, "no such file or folder");
        else
            rc = mn_x__err_sys(err, MN_EIO, errno, NULL,
                               "cannot read file or folder");
        mn_x__err_at(err, clean, 0, 0);
        goto done;
    }
    if (S_ISDIR(st.st_mode)) {
        rc = walk_dir(&w, clean, 0);
        goto done;
    }
    {
        const char *slash = strrchr(clean, '/');
        container =
            slash ? mn_x__strndup(clean,
                                  slash == clean ? 1 : (size_t)(slash - clean))
                  : mn_x__strndup(".", 1);
    }
    if (!container) {
        rc = mn_x__err(err, MN_ENOMEM, "out of memory");
        goto done;
    }
    rc = walk_file(&w, clean, container);
done:
    mn_x__free(clean);
    mn_x__free(container);
    return rc;
}
