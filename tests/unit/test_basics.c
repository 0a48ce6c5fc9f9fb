/* The compiler's memory and text basics: the arena, arena vectors, the heap
 * string builder (Buf), the interning string table and the diagnostics
 * sink. */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "strtab.h"

/* ---- arena -------------------------------------------------------------- */

static void arena_zero_filled_and_aligned(void **state)
{
    (void)state;
    Arena *a = arena_new();
    for (size_t n = 1; n < 200; n += 7) {
        unsigned char *p = arena_alloc(a, n);
        assert_int_equal((uintptr_t)p % 8, 0);      /* enough for pointers and doubles */
        for (size_t i = 0; i < n; i++)
            assert_int_equal(p[i], 0);
        memset(p, 0xab, n);             /* dirty it: the next block must still be zero */
    }
    arena_free(a);
}

/* Many allocations across chunk boundaries, and one bigger than a chunk:
 * every block keeps its own contents. */
static void arena_growth_keeps_blocks(void **state)
{
    (void)state;
    Arena *a = arena_new();
    enum { N = 3000, SIZE = 100 };
    unsigned char **blocks = malloc(sizeof *blocks * N);
    for (int i = 0; i < N; i++) {
        blocks[i] = arena_alloc(a, SIZE);
        memset(blocks[i], i & 0xff, SIZE);
    }
    unsigned char *big = arena_alloc(a, 1 << 20);
    memset(big, 0x5a, 1 << 20);
    for (int i = 0; i < N; i++) {
        assert_int_equal(blocks[i][0], i & 0xff);
        assert_int_equal(blocks[i][SIZE - 1], i & 0xff);
    }
    assert_int_equal(big[(1 << 20) - 1], 0x5a);
    assert_true(a->used_total >= (size_t)N * SIZE + (1u << 20));
    free(blocks);
    arena_free(a);
}

/* Chunks of many MiB (mapped with huge pages on Linux): zero when handed
 * out, again after a reset that keeps the largest, and given back. */
static void arena_big_chunks(void **state)
{
    (void)state;
    Arena *a = arena_new();
    enum { STEP = 3 << 20, N = 12 };
    unsigned char *p[N];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < N; i++) {
            p[i] = arena_alloc(a, STEP);
            for (size_t k = 0; k < STEP; k += 4093)
                assert_int_equal(p[i][k], 0);
            assert_int_equal(p[i][STEP - 1], 0);
            memset(p[i], 0x77 + i, STEP);
        }
        for (int i = 0; i < N; i++)
            assert_int_equal(p[i][STEP / 2], 0x77 + i);
        arena_reset(a);
    }
    /* memory given back and poisoned (under AddressSanitizer), then the
     * arena freed: a new arena's chunks, perhaps at the same addresses,
     * read clean (the fuzzer found the poison outliving a munmap) */
    for (int i = 0; i < N; i++) {
        p[i] = arena_alloc(a, STEP);
        arena_poison(p[i] + 4096, STEP / 2);
    }
    arena_free(a);
    a = arena_new();
    for (int i = 0; i < N; i++) {
        p[i] = arena_alloc(a, STEP);
        unsigned sum = 0;
        for (size_t k = 0; k < STEP; k += 64)
            sum += p[i][k];
        assert_int_equal(sum, 0);
    }
    arena_free(a);
}

static void arena_strings(void **state)
{
    (void)state;
    Arena *a = arena_new();
    char *s = arena_strndup(a, "hello world", 5);
    assert_string_equal(s, "hello");
    assert_string_equal(arena_strdup(a, "x"), "x");
    char *p = arena_printf(a, "%s_%d_%.1f", "v", 42, 2.5);
    assert_string_equal(p, "v_42_2.5");
    /* longer than any fixed buffer a formatter might use */
    char *long_ = arena_printf(a, "%0600d", 7);
    assert_int_equal(strlen(long_), 600);
    assert_int_equal(long_[599], '7');
    arena_free(a);
}

static void vec_push_and_insert(void **state)
{
    (void)state;
    Arena *a = arena_new();
    PtrVec v = {0};
    static int items[1000];
    for (int i = 0; i < 1000; i++)
        vec_push(a, &v, &items[i]);
    assert_int_equal(v.len, 1000);
    assert_true(v.cap >= 1000);
    for (int i = 0; i < 1000; i++)
        assert_ptr_equal(v.items[i], &items[i]);
    int x, y;
    vec_insert(a, &v, 0, &x);
    vec_insert(a, &v, 500, &y);
    assert_int_equal(v.len, 1002);
    assert_ptr_equal(v.items[0], &x);
    assert_ptr_equal(v.items[1], &items[0]);
    assert_ptr_equal(v.items[500], &y);
    assert_ptr_equal(v.items[499], &items[498]);
    assert_ptr_equal(v.items[501], &items[499]);
    assert_ptr_equal(v.items[1001], &items[999]);
    arena_free(a);
}

/* ---- Buf ------------------------------------------------------------------ */

static void buf_growth(void **state)
{
    (void)state;
    Buf b;
    buf_init(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    for (int i = 0; i < 1000; i++)
        buf_printf(&b, "%d,", i % 10);
    assert_int_equal(b.len, 2000);
    assert_int_equal(strlen(b.data), 2000);     /* NUL-terminated */
    assert_true(b.cap > b.len);
    assert_memory_equal(b.data, "0,1,2,3,", 8);
    assert_memory_equal(b.data + 1990, "5,6,7,8,9,", 10);
    buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
}

static void buf_pieces(void **state)
{
    (void)state;
    Buf b;
    buf_init(&b);
    buf_putc(&b, 'a');
    buf_puts(&b, "bc");
    buf_putn(&b, "d\0e", 3);                    /* a NUL inside is kept */
    assert_int_equal(b.len, 6);
    assert_memory_equal(b.data, "abcd\0e", 6);
    assert_int_equal(b.data[6], '\0');
    buf_free(&b);

    buf_init(&b);
    buf_indent(&b, 2);
    buf_puts(&b, "x");
    assert_string_equal(b.data, "        x");  /* four spaces a level */
    /* one formatted piece much larger than the first allocation */
    char big[5000];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    buf_printf(&b, "<%s>", big);
    assert_int_equal(b.len, 9 + 2 + 4999);
    assert_int_equal(b.data[b.len - 1], '>');
    buf_free(&b);
}

/* ---- strtab --------------------------------------------------------------- */

static void strtab_interning(void **state)
{
    (void)state;
    Arena *a = arena_new();
    StrTab t;
    strtab_init(&t, a);
    assert_null(strtab_find(&t, "x", 1));
    char buf1[] = "alpha", buf2[] = "alpha";
    const char *p1 = strtab_intern(&t, buf1, 5);
    const char *p2 = strtab_intern(&t, buf2, 5);
    assert_ptr_equal(p1, p2);                   /* pointer-equal */
    assert_ptr_not_equal(p1, buf1);             /* a copy, not the caller's */
    assert_string_equal(p1, "alpha");
    const char *p3 = strtab_intern(&t, "alphabet", 5);  /* length counts, not NUL */
    assert_ptr_equal(p3, p1);
    const char *p4 = strtab_intern(&t, "alphabet", 8);
    assert_ptr_not_equal(p4, p1);
    assert_string_equal(p4, "alphabet");
    assert_int_equal(t.len, 2);

    int added = -1;
    StrTabEntry *e = strtab_get(&t, "beta", 4, &added);
    assert_int_equal(added, 1);
    e->value = &added;
    e = strtab_get(&t, "beta", 4, &added);
    assert_int_equal(added, 0);
    assert_ptr_equal(e->value, &added);
    assert_ptr_equal(strtab_find(&t, "beta", 4), e);
    assert_null(strtab_find(&t, "bet", 3));
    arena_free(a);
}

/* Keys that are not C strings (sema keys a table by struct bytes). */
static void strtab_binary_keys(void **state)
{
    (void)state;
    Arena *a = arena_new();
    StrTab t;
    strtab_init(&t, a);
    const char k1[4] = {0, 1, 0, 2}, k2[4] = {0, 1, 0, 3};
    int added;
    strtab_get(&t, k1, 4, &added);
    assert_true(added);
    strtab_get(&t, k2, 4, &added);
    assert_true(added);
    strtab_get(&t, k1, 4, &added);
    assert_false(added);
    assert_int_equal(t.len, 2);
    arena_free(a);
}

/* Entries stay in insertion order through every rehash, and all are found. */
static void strtab_insertion_order(void **state)
{
    (void)state;
    Arena *a = arena_new();
    StrTab t;
    strtab_init(&t, a);
    enum { N = 5000 };
    char key[32];
    for (int i = 0; i < N; i++) {
        int n = snprintf(key, sizeof key, "k%d", (i * 7919) % N);
        strtab_get(&t, key, (size_t)n, NULL)->value = (void *)(intptr_t)(i + 1);
    }
    assert_int_equal(t.len, N);
    for (int i = 0; i < N; i++) {
        int n = snprintf(key, sizeof key, "k%d", (i * 7919) % N);
        assert_string_equal(t.entries[i].key, key);
        StrTabEntry *e = strtab_find(&t, key, (size_t)n);
        assert_non_null(e);
        assert_int_equal((intptr_t)e->value, i + 1);
    }
    arena_free(a);
}

/* ---- diagnostics ------------------------------------------------------------ */

static void diag_format_and_caret(void **state)
{
    (void)state;
    const char *src = "fn f(x) =\n\tx + @;\n";
    Diag d;
    diag_init(&d, "in.fn", src, strlen(src));
    diag_error(&d, (Span){2, 6, 15}, "unexpected character '%c'", '@');
    assert_int_equal(d.errors, 1);
    /* the caret keeps the tab, so it lands under the column */
    assert_string_equal(d.text.data,
                        "in.fn:2:6: error: unexpected character '@'\n"
                        " \tx + @;\n"
                        " \t    ^\n");
    diag_note(&d, (Span){1, 1, 0}, "a note");
    assert_int_equal(d.errors, 1);              /* notes are not errors */
    assert_contains(d.text.data, "in.fn:1:1: note: a note\n");
    diag_fini(&d);
}

static void diag_limit(void **state)
{
    (void)state;
    const char *src = "x";
    Diag d;
    diag_init(&d, "in.fn", src, 1);
    for (int i = 0; i < 200; i++)
        diag_error(&d, (Span){1, 1, 0}, "error %d", i);
    assert_int_equal(d.errors, d.limit);
    assert_true(diag_full(&d));
    assert_int_equal(unit_count(d.text.data, ": error: "), d.limit);
    assert_contains(d.text.data, "too many errors");
    assert_not_contains(d.text.data, "error 50\n");
    diag_fini(&d);
}

/* Errors of the command: their own form and count, a caret under a
 * place in an option's text, and no effect on the input's count or limit. */
static void diag_command_errors(void **state)
{
    (void)state;
    Diag d;
    diag_init(&d, "in.fn", "x", 1);
    diag_cmd_error(&d, "--eval: no function '%s'", "g");
    diag_cmd_error_at(&d, "f(2; 1)", 3, "--eval: expected ',' or ')' at column %d", 4);
    assert_int_equal(d.cmd_errors, 2);
    assert_int_equal(d.errors, 0);
    assert_false(diag_full(&d));
    assert_string_equal(d.text.data,
                        "gradc: error: --eval: no function 'g'\n"
                        "gradc: error: --eval: expected ',' or ')' at column 4\n"
                        " f(2; 1)\n"
                        "    ^\n");
    /* a column past the end points just after the text */
    diag_cmd_error_at(&d, "f(", 9, "x");
    assert_contains(d.text.data, " f(\n   ^\n");
    diag_fini(&d);
}

/* diag_flush writes each report once, in order. */
static void diag_flushing(void **state)
{
    (void)state;
    Diag d;
    diag_init(&d, "in.fn", "x", 1);
    char out[256] = "";
    FILE *fp = fmemopen(out, sizeof out - 1, "w");
    assert_non_null(fp);
    diag_error(&d, (Span){1, 1, 0}, "first");
    diag_flush(&d, fp);
    diag_flush(&d, fp);
    diag_cmd_error(&d, "second");
    diag_flush(&d, fp);
    fclose(fp);
    assert_string_equal(out, "in.fn:1:1: error: first\n x\n ^\ngradc: error: second\n");
    diag_fini(&d);
}

static void diag_quoting(void **state)
{
    (void)state;
    Buf b;
    buf_init(&b);
    diag_quote(&b, "a\x01\xff", 3, 40);
    assert_string_equal(b.data, "a\\x01\\xff");
    buf_free(&b);
    buf_init(&b);
    diag_quote(&b, "abcdefgh", 8, 3);
    assert_string_equal(b.data, "abc...");
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arena_zero_filled_and_aligned),
        cmocka_unit_test(arena_growth_keeps_blocks),
        cmocka_unit_test(arena_big_chunks),
        cmocka_unit_test(arena_strings),
        cmocka_unit_test(vec_push_and_insert),
        cmocka_unit_test(buf_growth),
        cmocka_unit_test(buf_pieces),
        cmocka_unit_test(strtab_interning),
        cmocka_unit_test(strtab_binary_keys),
        cmocka_unit_test(strtab_insertion_order),
        cmocka_unit_test(diag_format_and_caret),
        cmocka_unit_test(diag_limit),
        cmocka_unit_test(diag_command_errors),
        cmocka_unit_test(diag_flushing),
        cmocka_unit_test(diag_quoting),
    };
    return cmocka_run_group_tests_name("basics", tests, NULL, NULL);
}
