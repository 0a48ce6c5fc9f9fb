/* Allocation, string buffers, files and the random number generator of
 * gradc_random. The generator is xoshiro256** seeded by splitmix64: the
 * same seed gives the same programs on every platform. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"
#include "util.h"

void rt_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("gradc_random: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        rt_die("out of memory");
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        rt_die("out of memory");
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        rt_die("out of memory");
    return p;
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

void buf_vprintf(Buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        rt_die("bad format");
    if (b->len + (size_t)n + 1 > b->cap) {
        b->cap = (b->len + (size_t)n + 1) * 2;
        b->s = xrealloc(b->s, b->cap);
    }
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void buf_printf(Buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void buf_free(Buf *b)
{
    free(b->s);
    memset(b, 0, sizeof *b);
}

char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    Buf b = {0};
    char chunk[8192];
    size_t n;
    buf_printf(&b, "%s", "");
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + n + 1 > b.cap) {
            b.cap = (b.len + n + 1) * 2;
            b.s = xrealloc(b.s, b.cap);
        }
        memcpy(b.s + b.len, chunk, n);
        b.len += n;
        b.s[b.len] = 0;
    }
    fclose(f);
    if (len)
        *len = b.len;
    return b.s;
}

int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t n = strlen(text);
    int bad = fwrite(text, 1, n, f) != n;
    bad |= fclose(f) != 0;
    return bad ? -1 : 0;
}

/* ---- random numbers ------------------------------------------------------ */

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t rt_mix(uint64_t a, uint64_t b)
{
    uint64_t x = a ^ (b * 0xd1342543de82ef95ull);
    splitmix(&x);
    return splitmix(&x);
}

void rng_seed(Rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t rng_next(Rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

int rng_int(Rng *r, int n)
{
    return n <= 1 ? 0 : (int)(rng_next(r) % (uint64_t)n);
}

int rng_range(Rng *r, int lo, int hi)
{
    return lo + rng_int(r, hi - lo + 1);
}

double rng_unit(Rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

double rng_sym(Rng *r)
{
    return 2 * rng_unit(r) - 1;
}

int rng_chance(Rng *r, double p)
{
    return rng_unit(r) < p;
}

/* ---- features -------------------------------------------------------------- */

static const struct {
    const char *name;
    unsigned bit;
} feature_names[] = {
    {"loops", F_LOOPS},       {"arrays", F_ARRAYS},     {"2d", F_2D},
    {"localarr", F_LOCALARR}, {"const", F_CONST},       {"out", F_OUT},
    {"calls", F_CALLS},       {"outcalls", F_OUTCALLS}, {"if", F_IF},
    {"ternary", F_TERNARY},   {"logic", F_LOGIC},       {"builtins", F_BUILTINS},
    {"pow", F_POW},           {"intmath", F_INTMATH},   {"letloop", F_LETLOOP},
    {"exprform", F_EXPRFORM}, {"while", F_WHILE},       {"break", F_BREAK},
    {"letint", F_LETINT},     {"v2builtins", F_V2BUILTINS},
    {"paramsize", F_PARAMSIZE}, {"3d", F_3D}, {"subarr", F_SUBARR},
};

static int feature_bit(const char *name, size_t len, unsigned *bit)
{
    if (len == 2 && !strncmp(name, "v1", 2)) {
        *bit = F_V1;
        return 0;
    }
    if (len == 3 && !strncmp(name, "all", 3)) {
        *bit = F_ALL;
        return 0;
    }
    for (size_t i = 0; i < sizeof feature_names / sizeof feature_names[0]; i++)
        if (strlen(feature_names[i].name) == len && !strncmp(feature_names[i].name, name, len)) {
            *bit = feature_names[i].bit;
            return 0;
        }
    return -1;
}

/* "loops,arrays" sets exactly those; "+while,-calls" edits the current set. */
int rt_parse_features(const char *spec, unsigned *flags, FILE *err)
{
    int edit = spec[0] == '+' || spec[0] == '-';
    unsigned set = edit ? *flags : 0;
    for (const char *p = spec; *p;) {
        int sign = 1;
        if (*p == '+' || *p == '-')
            sign = *p++ == '+' ? 1 : -1;
        size_t len = strcspn(p, ",");
        unsigned bit;
        if (feature_bit(p, len, &bit)) {
            fprintf(err, "gradc_random: unknown feature '%.*s' (see --list-features)\n", (int)len, p);
            return -1;
        }
        set = sign > 0 ? set | bit : set & ~bit;
        p += len;
        if (*p == ',')
            p++;
    }
    *flags = set;
    return 0;
}

void rt_list_features(FILE *f, unsigned flags)
{
    for (size_t i = 0; i < sizeof feature_names / sizeof feature_names[0]; i++)
        fprintf(f, "  %-12s %s%s\n", feature_names[i].name, flags & feature_names[i].bit ? "on" : "off",
                !(feature_names[i].bit & F_DEFAULT) ? "  (v2: not yet in gradc; off by default)" : "");
}
