/* A custom mutator for fuzz_gradc: libFuzzer's byte mutations break almost
 * every program in the front end, so that the optimiser, both AD modes and
 * the emitter see few inputs. Half of the mutations here are libFuzzer's
 * own; the other half work on the tokens and lines of the .fn text and
 * mostly keep it a program: a name replaced by another name of the input,
 * a number by another number, an operator or a built-in by one of its
 * kind, a name wrapped in a call, lines copied, moved or dropped. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

enum { MAX_TOKENS = 4096, MAX_LINES = 1024 };

typedef enum TokKind { T_NAME, T_NUMBER, T_OP, T_OTHER } TokKind;

typedef struct Tok {
    size_t at, len;
    TokKind kind;
} Tok;

typedef struct Text {
    const uint8_t *s;
    size_t n;
    Tok toks[MAX_TOKENS];
    int ntoks;
    size_t lines[MAX_LINES + 1];    /* start of each line; the end last */
    int nlines;
} Text;

static const char *const binops[] = {"+", "-", "*", "/", "^", "%", "<", "<=", ">", ">=", "==", "!=", "&&", "||"};
static const char *const numbers[] = {"0", "1", "2", "3", "0.5", "1e308", "1e-300", "2147483647", "n", "i", "-1", "0.0"};
static const char *const unary[] = {"sqrt", "exp", "log", "sin", "tanh", "abs", "cbrt", "acosh", "atanh", "-", "+", "!"};
static const char *const binary[] = {"pow", "atan2", "hypot", "min", "max"};
#define COUNT(a) ((int)(sizeof(a) / sizeof *(a)))

static unsigned rnd(unsigned *state)
{
    *state = *state * 1103515245u + 12345u;
    return (*state >> 16) & 0x7fff;
}

static bool is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static void scan(Text *t)
{
    t->ntoks = 0;
    t->nlines = 0;
    t->lines[t->nlines++] = 0;
    for (size_t i = 0; i < t->n;) {
        int c = t->s[i];
        size_t start = i;
        TokKind kind = T_OTHER;
        if (is_alpha(c)) {
            while (i < t->n && (is_alpha(t->s[i]) || is_digit(t->s[i])))
                i++;
            kind = T_NAME;
        } else if (is_digit(c) || (c == '.' && i + 1 < t->n && is_digit(t->s[i + 1]))) {
            while (i < t->n && (is_digit(t->s[i]) || t->s[i] == '.' || t->s[i] == 'e' || t->s[i] == 'E'))
                i++;
            kind = T_NUMBER;
        } else if (strchr("+-*/^%<>=!&|", c) && c) {
            i++;
            if (i < t->n && strchr("=&|", t->s[i]) && t->s[i])
                i++;
            kind = T_OP;
        } else {
            i++;
            if (c == '\n' && t->nlines < MAX_LINES)
                t->lines[t->nlines++] = i;
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
                continue;
        }
        if (t->ntoks < MAX_TOKENS)
            t->toks[t->ntoks++] = (Tok){start, i - start, kind};
    }
    t->lines[t->nlines] = t->n;
}

/* out = s[0, from) + mid + s[to, n) */
static size_t splice(uint8_t *out, size_t max, const Text *t, size_t from, size_t to, const uint8_t *mid,
                     size_t midlen)
{
    size_t n = from + midlen + (t->n - to);
    if (n > max)
        return 0;
    memmove(out, t->s, from);
    memmove(out + from, mid, midlen);
    memmove(out + from + midlen, t->s + to, t->n - to);
    return n;
}

static int pick_token(const Text *t, TokKind kind, unsigned *r)
{
    if (t->ntoks == 0)
        return -1;
    int start = (int)(rnd(r) % (unsigned)t->ntoks);
    for (int k = 0; k < t->ntoks; k++) {
        int i = (start + k) % t->ntoks;
        if (t->toks[i].kind == kind)
            return i;
    }
    return -1;
}

static size_t replace_token(uint8_t *out, size_t max, const Text *t, int i, const char *with)
{
    const Tok *k = &t->toks[i];
    return splice(out, max, t, k->at, k->at + k->len, (const uint8_t *)with, strlen(with));
}

/* One token-level or line-level mutation into out; 0 if none applied. */
static size_t mutate_text(uint8_t *out, size_t max, const Text *t, unsigned *r)
{
    char buf[512];
    int i, j;
    switch (rnd(r) % 9) {
    case 0:     /* a name for another name of the input */
        i = pick_token(t, T_NAME, r), j = pick_token(t, T_NAME, r);
        if (i < 0 || j < 0 || t->toks[j].len >= sizeof buf)
            return 0;
        memcpy(buf, t->s + t->toks[j].at, t->toks[j].len);
        buf[t->toks[j].len] = '\0';
        return replace_token(out, max, t, i, buf);
    case 1:     /* a number for another */
        if ((i = pick_token(t, T_NUMBER, r)) < 0)
            return 0;
        return replace_token(out, max, t, i, numbers[rnd(r) % COUNT(numbers)]);
    case 2:     /* an operator for another */
        if ((i = pick_token(t, T_OP, r)) < 0 || t->toks[i].len > 2 || t->s[t->toks[i].at] == '=' ||
            (t->toks[i].len == 2 && t->s[t->toks[i].at + 1] == '=' && strchr("+-*/", t->s[t->toks[i].at])))
            return 0;
        return replace_token(out, max, t, i, binops[rnd(r) % COUNT(binops)]);
    case 3:     /* a name wrapped: f(x), f(x, y), (x op y) */
        i = pick_token(t, T_NAME, r), j = pick_token(t, T_NAME, r);
        if (i < 0 || j < 0 || t->toks[i].len > 200 || t->toks[j].len > 200)
            return 0;
        {
            int a = (int)t->toks[i].len, b = (int)t->toks[j].len;
            const char *x = (const char *)t->s + t->toks[i].at, *y = (const char *)t->s + t->toks[j].at;
            switch (rnd(r) % 3) {
            case 0: snprintf(buf, sizeof buf, "%s(%.*s)", unary[rnd(r) % COUNT(unary)], a, x); break;
            case 1: snprintf(buf, sizeof buf, "%s(%.*s, %.*s)", binary[rnd(r) % COUNT(binary)], a, x, b, y); break;
            default: snprintf(buf, sizeof buf, "(%.*s %s %.*s)", a, x, binops[rnd(r) % 5], b, y); break;
            }
        }
        return replace_token(out, max, t, i, buf);
    case 4:     /* a line copied before another */
    case 5: {   /* a line moved */
        bool move = rnd(r) % 2;
        if (t->nlines < 2)
            return 0;
        int a = (int)(rnd(r) % (unsigned)t->nlines), b = (int)(rnd(r) % (unsigned)(t->nlines + 1));
        size_t from = t->lines[a], to = t->lines[a + 1], at = b < t->nlines ? t->lines[b] : t->n;
        size_t len = to - from, n = t->n + len;
        if (n > max || len == 0)
            return 0;
        uint8_t *tmp = malloc(n);
        memcpy(tmp, t->s, at);
        memcpy(tmp + at, t->s + from, len);
        memcpy(tmp + at + len, t->s + at, t->n - at);
        if (move) {
            size_t old = from >= at ? from + len : from;
            memmove(tmp + old, tmp + old + len, n - old - len);
            n -= len;
        }
        memcpy(out, tmp, n);
        free(tmp);
        return n;
    }
    case 6: {   /* a line dropped */
        if (t->nlines < 2)
            return 0;
        int a = (int)(rnd(r) % (unsigned)t->nlines);
        return splice(out, max, t, t->lines[a], t->lines[a + 1], (const uint8_t *)"", 0);
    }
    case 7: {   /* a run of tokens copied elsewhere */
        if (t->ntoks < 2)
            return 0;
        int a = (int)(rnd(r) % (unsigned)t->ntoks), k = 1 + (int)(rnd(r) % 8);
        int b = (int)(rnd(r) % (unsigned)t->ntoks);
        int last = a + k - 1 < t->ntoks ? a + k - 1 : t->ntoks - 1;
        size_t from = t->toks[a].at, to = t->toks[last].at + t->toks[last].len;
        size_t at = t->toks[b].at, len = to - from;
        if (len + 2 > sizeof buf)
            return 0;
        buf[0] = ' ';
        memcpy(buf + 1, t->s + from, len);
        buf[len + 1] = ' ';
        return splice(out, max, t, at, at, (const uint8_t *)buf, len + 2);
    }
    default: {  /* a run of tokens dropped */
        if (t->ntoks < 2)
            return 0;
        int a = (int)(rnd(r) % (unsigned)t->ntoks), k = 1 + (int)(rnd(r) % 4);
        int last = a + k - 1 < t->ntoks ? a + k - 1 : t->ntoks - 1;
        return splice(out, max, t, t->toks[a].at, t->toks[last].at + t->toks[last].len, (const uint8_t *)"", 0);
    }
    }
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    unsigned r = seed;
    if (rnd(&r) % 2 == 0 || size == 0)
        return LLVMFuzzerMutate(data, size, max_size);
    static Text t;      /* big: kept off the stack; libFuzzer mutates on one thread */
    t.s = data;
    t.n = size;
    scan(&t);
    uint8_t *out = malloc(max_size ? max_size : 1);
    size_t n = 0;
    for (int tries = 0; tries < 4 && n == 0; tries++)
        n = mutate_text(out, max_size, &t, &r);
    if (n > 0)
        memcpy(data, out, n);
    free(out);
    return n > 0 ? n : LLVMFuzzerMutate(data, size, max_size);
}
