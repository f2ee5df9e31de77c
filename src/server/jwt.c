/*
 * jwt.c: CDS Hooks client authentication (CDS Hooks 2.0, "Trusting CDS
 * Clients"). Every service call carries `Authorization: Bearer <JWT>`
 * signed by the EHR with an asymmetric key; the service checks:
 *
 *   header  alg is RS256/384/512 or ES256/384/512 (never none or HMAC),
 *           kid names a key of the configured JWK Set whose type and
 *           curve fit alg, typ is JWT when present
 *   signature  GnuTLS (gnutls_pubkey_verify_data2) with the key imported
 *           once at start: RS* PKCS #1 v1.5, ES* ECDSA (the JWS r || s
 *           re-encoded as DER)
 *   payload iss on the allowlist (when one is configured), aud is the
 *           endpoint called (string or array), exp not passed (60 s of
 *           clock skew) and at most --jwt-max-age ahead, iat present and
 *           not in the future, jti present and never seen before from
 *           that issuer (kept until the token expires)
 *
 * The JWK Set comes from a file given at start (`jku` is not fetched: the
 * server makes no outbound connection). A refusal says which check
 * failed, never what the token or the request held.
 */
#include <errno.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "srv.h"

#define MAX_KEYS 32
#define MAX_TOKEN 8192
#define SKEW 60
#define CACHE_MAX ((size_t)1 << 22)

typedef struct jwk {
    char kid[128];
    char alg[8];    /* from the JWK, or "" */
    int rsa;        /* 1 RSA, 0 EC */
    int curve_bits; /* EC: 256, 384, 521 */
    gnutls_pubkey_t pub;
} jwk;

typedef struct seen {
    uint64_t hash; /* 0: empty */
    int64_t until;
} seen;

struct srv_jwt {
    jwk keys[MAX_KEYS];
    int n_keys;
    char *issuers[SRV_MAX_ISSUERS];
    int n_issuers;
    unsigned max_age;
    pthread_mutex_t lock;
    seen *cache;
    size_t cache_cap; /* a power of two */
    size_t cache_n;
};

/* ---- base64url --------------------------------------------------------------
 */

static int b64val(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

/* Decodes unpadded base64url; returns the length or -1. `out` holds at
 * least len * 3 / 4 + 1 bytes. */
static long b64url_decode(unsigned char *out, const char *s, size_t len)
{
    unsigned long acc = 0;
    int bits = 0;
    long n = 0;

    if (len % 4 == 1)
        return -1;
    for (size_t i = 0; i < len; i++) {
        int v = b64val((unsigned char)s[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (unsigned long)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (unsigned char)((acc >> bits) & 0xff);
        }
    }
    return n;
}

/* A JSON object from a base64url segment, or NULL. */
static json_t *segment_json(const char *s, size_t len)
{
    unsigned char *buf = malloc(len * 3 / 4 + 2);
    long n;
    json_t *j = NULL;

    if (!buf)
        return NULL;
    n = b64url_decode(buf, s, len);
    if (n > 0)
        j = json_loadb((const char *)buf, (size_t)n, JSON_REJECT_DUPLICATES,
                       NULL);
    free(buf);
    if (j && !json_is_object(j)) {
        json_decref(j);
        j = NULL;
    }
    return j;
}

/* ---- the JWK Set
 * ---------------------------------------------------------------- */

static int datum_of(gnutls_datum_t *d, const char *b64)
{
    size_t len = strlen(b64);
    long n;

    d->data = malloc(len * 3 / 4 + 2);
    if (!d->data)
        return -1;
    n = b64url_decode(d->data, b64, len);
    if (n <= 0) {
        free(d->data);
        d->data = NULL;
        return -1;
    }
    d->size = (unsigned)n;
    return 0;
}

static int load_key(jwk *k, json_t *o, char *why, size_t why_size)
{
    const char *kty = json_string_value(json_object_get(o, "kty"));
    const char *kid = json_string_value(json_object_get(o, "kid"));
    const char *alg = json_string_value(json_object_get(o, "alg"));
    gnutls_pubkey_t pub = NULL;
    gnutls_datum_t a = {NULL, 0}, b = {NULL, 0};
    int rc = -1;

    if (!kty || !kid || strlen(kid) >= sizeof(k->kid)) {
        snprintf(why, why_size, "a key without kty or kid");
        return -1;
    }
    snprintf(k->kid, sizeof(k->kid), "%s", kid);
    snprintf(k->alg, sizeof(k->alg), "%s", alg && strlen(alg) < 8 ? alg : "");
    if (gnutls_pubkey_init(&pub) < 0)
        return -1;
    if (!strcmp(kty, "RSA")) {
        const char *n = json_string_value(json_object_get(o, "n"));
        const char *e = json_string_value(json_object_get(o, "e"));
        k->rsa = 1;
        if (n && e && !datum_of(&a, n) && !datum_of(&b, e) &&
            gnutls_pubkey_import_rsa_raw(pub, &a, &b) >= 0)
            rc = 0;
    } else if (!strcmp(kty, "EC")) {
        const char *crv = json_string_value(json_object_get(o, "crv"));
        const char *x = json_string_value(json_object_get(o, "x"));
        const char *y = json_string_value(json_object_get(o, "y"));
        gnutls_ecc_curve_t c = GNUTLS_ECC_CURVE_INVALID;
        if (crv && !strcmp(crv, "P-256")) {
            c = GNUTLS_ECC_CURVE_SECP256R1;
            k->curve_bits = 256;
        } else if (crv && !strcmp(crv, "P-384")) {
            c = GNUTLS_ECC_CURVE_SECP384R1;
            k->curve_bits = 384;
        } else if (crv && !strcmp(crv, "P-521")) {
            c = GNUTLS_ECC_CURVE_SECP521R1;
            k->curve_bits = 521;
        }
        if (c != GNUTLS_ECC_CURVE_INVALID && x && y && !datum_of(&a, x) &&
            !datum_of(&b, y) &&
            gnutls_pubkey_import_ecc_raw(pub, c, &a, &b) >= 0)
            rc = 0;
    } else {
        snprintf(why, why_size, "key %s: kty %s is not RSA or EC", kid, kty);
    }
    if (rc && !why[0])
        snprintf(why, why_size, "key %s: not a valid public key", kid);
    free(a.data);
    free(b.data);
    if (rc == 0)
        k->pub = pub; /* kept: verifying does not parse it again */
    else
        gnutls_pubkey_deinit(pub);
    return rc;
}

void srv_jwt_free(struct srv_jwt *j)
{
    if (!j)
        return;
    for (int i = 0; i < j->n_keys; i++)
        gnutls_pubkey_deinit(j->keys[i].pub);
    for (int i = 0; i < j->n_issuers; i++)
        free(j->issuers[i]);
    pthread_mutex_destroy(&j->lock);
    free(j->cache);
    free(j);
}

int srv_jwt_new(struct srv_jwt **out, const char *jwks_path,
                const char *const *issuers, int n_issuers, unsigned max_age,
                mn_error *err)
{
    struct srv_jwt *j = calloc(1, sizeof(*j));
    json_error_t je;
    json_t *doc = NULL;
    json_t *keys;
    char why[200] = "";
    int rc = MN_OK;

    *out = NULL;
    if (!j) {
        snprintf(err->message, sizeof(err->message), "out of memory");
        return err->code = MN_ENOMEM;
    }
    pthread_mutex_init(&j->lock, NULL);
    j->max_age = max_age;
    j->cache_cap = 4096;
    j->cache = calloc(j->cache_cap, sizeof(seen));
    for (int i = 0; i < n_issuers && i < SRV_MAX_ISSUERS; i++)
        j->issuers[j->n_issuers++] = strdup(issuers[i]);
    {
        FILE *f = fopen(jwks_path, "rb");
        if (!f) {
            snprintf(err->message, sizeof(err->message), "cannot open: %s",
                     strerror(errno));
            rc = err->code = MN_EIO;
            goto done;
        }
        doc = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
        fclose(f);
    }
    if (!doc) {
        snprintf(err->message, sizeof(err->message), "%s", je.text);
        err->line = (size_t)(je.line > 0 ? je.line : 0);
        err->column = (size_t)(je.column > 0 ? je.column : 0);
        rc = err->code = MN_EINVAL;
        goto done;
    }
    keys = json_object_get(doc, "keys");
    if (!json_is_array(keys)) {
        snprintf(err->message, sizeof(err->message),
                 "not a JWK Set: no \"keys\" array");
        rc = err->code = MN_EINVAL;
        goto done;
    }
    for (size_t i = 0; i < json_array_size(keys); i++) {
        json_t *o = json_array_get(keys, i);
        const char *use = json_string_value(json_object_get(o, "use"));
        if (use && strcmp(use, "sig") != 0)
            continue;
        if (j->n_keys == MAX_KEYS) {
            snprintf(err->message, sizeof(err->message),
                     "more than %d signing keys", MAX_KEYS);
            rc = err->code = MN_ELIMIT;
            goto done;
        }
        why[0] = '\0';
        if (load_key(&j->keys[j->n_keys], o, why, sizeof(why))) {
            snprintf(err->message, sizeof(err->message), "keys[%zu]: %s", i,
                     why[0] ? why : "unusable key");
            rc = err->code = MN_EINVAL;
            goto done;
        }
        j->n_keys++;
    }
    if (!j->n_keys) {
        snprintf(err->message, sizeof(err->message),
                 "the JWK Set has no signing key");
        rc = err->code = MN_EINVAL;
    }
done:
    if (rc && !err->where[0])
        snprintf(err->where, sizeof(err->where), "%s", jwks_path);
    json_decref(doc);
    if (rc || !j->cache) {
        if (!rc) {
            snprintf(err->message, sizeof(err->message), "out of memory");
            rc = err->code = MN_ENOMEM;
        }
        srv_jwt_free(j);
        return rc;
    }
    *out = j;
    return MN_OK;
}

/* ---- the replay cache
 * ----------------------------------------------------------- */

static uint64_t jti_hash(const char *iss, const char *jti)
{
    unsigned char d[32];
    gnutls_hash_hd_t h;
    uint64_t v = 0;

    if (gnutls_hash_init(&h, GNUTLS_DIG_SHA256) < 0)
        return 1;
    gnutls_hash(h, iss, strlen(iss) + 1);
    gnutls_hash(h, jti, strlen(jti));
    gnutls_hash_deinit(h, d);
    memcpy(&v, d, sizeof(v));
    return v ? v : 1;
}

static void cache_put(seen *tab, size_t cap, seen e)
{
    size_t i = (size_t)e.hash & (cap - 1);
    while (tab[i].hash)
        i = (i + 1) & (cap - 1);
    tab[i] = e;
}

/* Rebuilds the table without expired entries, doubling it when still
 * half full. 0, or -1 when full. Under the lock. */
static int cache_rebuild(struct srv_jwt *j, int64_t now)
{
    size_t live = 0;
    size_t cap = j->cache_cap;
    seen *tab;

    for (size_t i = 0; i < j->cache_cap; i++)
        live += j->cache[i].hash && j->cache[i].until >= now;
    while (live * 2 >= cap && cap < CACHE_MAX)
        cap *= 2;
    if (live * 2 >= cap)
        return -1;
    tab = calloc(cap, sizeof(seen));
    if (!tab)
        return -1;
    for (size_t i = 0; i < j->cache_cap; i++) {
        if (j->cache[i].hash && j->cache[i].until >= now)
            cache_put(tab, cap, j->cache[i]);
    }
    free(j->cache);
    j->cache = tab;
    j->cache_cap = cap;
    j->cache_n = live;
    return 0;
}

/* 0: first use, recorded; 1: replayed; -1: the cache is full. */
static int cache_use(struct srv_jwt *j, uint64_t hash, int64_t until,
                     int64_t now)
{
    int rc = 0;
    size_t i;

    pthread_mutex_lock(&j->lock);
    i = (size_t)hash & (j->cache_cap - 1);
    while (j->cache[i].hash) {
        if (j->cache[i].hash == hash && j->cache[i].until >= now) {
            rc = 1;
            goto done;
        }
        i = (i + 1) & (j->cache_cap - 1);
    }
    if ((j->cache_n + 1) * 2 > j->cache_cap && cache_rebuild(j, now)) {
        rc = -1;
        goto done;
    }
    cache_put(j->cache, j->cache_cap, (seen){hash, until});
    j->cache_n++;
done:
    pthread_mutex_unlock(&j->lock);
    return rc;
}

/* ---- verification
 * ------------------------------------------------------------------ */

static int fail(char *why, size_t size, const char *msg)
{
    snprintf(why, size, "JWT refused: %s", msg);
    return -1;
}

static int aud_matches(json_t *aud, const char *want)
{
    if (json_is_string(aud))
        return !strcmp(json_string_value(aud), want);
    if (json_is_array(aud)) {
        for (size_t i = 0; i < json_array_size(aud); i++) {
            json_t *a = json_array_get(aud, i);
            if (json_is_string(a) && !strcmp(json_string_value(a), want))
                return 1;
        }
    }
    return 0;
}

static int num_claim(json_t *payload, const char *name, int64_t *out)
{
    json_t *v = json_object_get(payload, name);
    if (json_is_integer(v)) {
        *out = (int64_t)json_integer_value(v);
        return 1;
    }
    if (json_is_real(v)) {
        *out = (int64_t)json_real_value(v);
        return 1;
    }
    return 0;
}

/* Verifies the JWS signature `sig_b64` (base64url) over `data` with `key`
 * for `alg` (checked to fit the key before). 0 when it holds. */
static int signature_ok(const jwk *key, const char *alg, const char *data,
                        size_t data_len, const char *sig_b64, size_t sig_len)
{
    unsigned char sig[1024];
    gnutls_datum_t d = {(unsigned char *)data, (unsigned)data_len};
    gnutls_datum_t sd = {sig, 0};
    gnutls_datum_t der = {NULL, 0};
    gnutls_sign_algorithm_t algo;
    int bits = atoi(alg + 2); /* 256, 384, 512 */
    long n;
    int rc;

    if (sig_len > sizeof(sig) * 4 / 3)
        return -1;
    n = b64url_decode(sig, sig_b64, sig_len);
    if (n <= 0)
        return -1;
    sd.size = (unsigned)n;
    if (key->rsa) {
        algo = bits == 256   ? GNUTLS_SIGN_RSA_SHA256
               : bits == 384 ? GNUTLS_SIGN_RSA_SHA384
                             : GNUTLS_SIGN_RSA_SHA512;
        return gnutls_pubkey_verify_data2(key->pub, algo, 0, &d, &sd) >= 0 ? 0
                                                                           : -1;
    }
    /* ES*: r || s, each the curve's size in bytes (RFC 7518 3.4) */
    {
        size_t half = ((size_t)key->curve_bits + 7) / 8;
        gnutls_datum_t r = {sig, (unsigned)half};
        gnutls_datum_t sv = {sig + half, (unsigned)half};
        if ((size_t)n != 2 * half || gnutls_encode_rs_value(&der, &r, &sv) < 0)
            return -1;
    }
    algo = bits == 256   ? GNUTLS_SIGN_ECDSA_SHA256
           : bits == 384 ? GNUTLS_SIGN_ECDSA_SHA384
                         : GNUTLS_SIGN_ECDSA_SHA512;
    rc = gnutls_pubkey_verify_data2(key->pub, algo, 0, &d, &der) >= 0 ? 0 : -1;
    gnutls_free(der.data);
    return rc;
}

int srv_jwt_verify(struct srv_jwt *j, const char *authorization,
                   const char *aud, int64_t now, char *why, size_t why_size)
{
    const char *tok;
    const char *dot1;
    const char *dot2;
    json_t *header = NULL;
    json_t *payload = NULL;
    const char *alg;
    const char *kid;
    const char *typ;
    const char *iss;
    const char *jti;
    const jwk *key = NULL;
    int64_t exp = 0;
    int64_t iat = 0;
    int rc = -1;
    int ec_bits = 0;

    if (!authorization || strncasecmp(authorization, "Bearer ", 7) != 0)
        return fail(why, why_size, "no Authorization: Bearer header");
    tok = authorization + 7;
    while (*tok == ' ')
        tok++;
    if (strlen(tok) > MAX_TOKEN)
        return fail(why, why_size, "token too long");
    dot1 = strchr(tok, '.');
    dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    if (!dot1 || !dot2 || strchr(dot2 + 1, '.'))
        return fail(why, why_size, "not a signed JWT (three parts)");
    header = segment_json(tok, (size_t)(dot1 - tok));
    if (!header) {
        rc = fail(why, why_size, "unreadable header");
        goto done;
    }
    alg = json_string_value(json_object_get(header, "alg"));
    kid = json_string_value(json_object_get(header, "kid"));
    typ = json_string_value(json_object_get(header, "typ"));
    if (!alg) {
        rc = fail(why, why_size, "no alg");
        goto done;
    }
    if (!strcmp(alg, "ES256"))
        ec_bits = 256;
    else if (!strcmp(alg, "ES384"))
        ec_bits = 384;
    else if (!strcmp(alg, "ES512"))
        ec_bits = 521;
    else if (strcmp(alg, "RS256") && strcmp(alg, "RS384") &&
             strcmp(alg, "RS512")) {
        rc = fail(why, why_size,
                  "alg must be RS256/384/512 or ES256/384/512 (no none, no "
                  "HMAC)");
        goto done;
    }
    if (typ && strcasecmp(typ, "JWT") != 0) {
        rc = fail(why, why_size, "typ is not JWT");
        goto done;
    }
    if (!kid) {
        rc = fail(why, why_size, "no kid");
        goto done;
    }
    for (int i = 0; i < j->n_keys && !key; i++) {
        if (!strcmp(j->keys[i].kid, kid))
            key = &j->keys[i];
    }
    if (!key) {
        rc = fail(why, why_size, "kid not in the configured JWK Set");
        goto done;
    }
    if ((ec_bits && (key->rsa || key->curve_bits != ec_bits)) ||
        (!ec_bits && !key->rsa) || (key->alg[0] && strcmp(key->alg, alg))) {
        rc = fail(why, why_size, "alg does not fit the key");
        goto done;
    }
    if (signature_ok(key, alg, tok, (size_t)(dot2 - tok), dot2 + 1,
                     strlen(dot2 + 1)) != 0) {
        rc = fail(why, why_size, "bad signature");
        goto done;
    }
    payload = segment_json(dot1 + 1, (size_t)(dot2 - dot1 - 1));
    if (!payload) {
        rc = fail(why, why_size, "unreadable payload");
        goto done;
    }
    iss = json_string_value(json_object_get(payload, "iss"));
    jti = json_string_value(json_object_get(payload, "jti"));
    if (!iss) {
        rc = fail(why, why_size, "no iss");
        goto done;
    }
    if (j->n_issuers) {
        int ok = 0;
        for (int i = 0; i < j->n_issuers; i++)
            ok |= !strcmp(j->issuers[i], iss);
        if (!ok) {
            rc = fail(why, why_size, "iss is not an allowed issuer");
            goto done;
        }
    }
    if (!aud_matches(json_object_get(payload, "aud"), aud)) {
        rc = fail(why, why_size, "aud is not this endpoint's URL");
        goto done;
    }
    if (!num_claim(payload, "exp", &exp)) {
        rc = fail(why, why_size, "no exp");
        goto done;
    }
    if (exp + SKEW < now) {
        rc = fail(why, why_size, "expired");
        goto done;
    }
    if (exp > now + (int64_t)j->max_age + SKEW) {
        rc = fail(why, why_size, "exp too far ahead");
        goto done;
    }
    if (!num_claim(payload, "iat", &iat) || iat > now + SKEW) {
        rc = fail(why, why_size, "no iat, or iat in the future");
        goto done;
    }
    if (!jti || !jti[0] || strlen(jti) > 256) {
        rc = fail(why, why_size, "no jti");
        goto done;
    }
    switch (cache_use(j, jti_hash(iss, jti), exp + SKEW, now)) {
    case 0:
        rc = 0;
        break;
    case 1:
        rc = fail(why, why_size, "jti replayed");
        break;
    default:
        rc = fail(why, why_size, "too many live tokens to track");
        break;
    }
done:
    json_decref(header);
    json_decref(payload);
    return rc;
}
