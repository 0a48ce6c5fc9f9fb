/* Reserved names (C and C++ keywords, the C library, the implementation's
 * names) and the scope that hands out unique C names. */
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#include "names.h"

static void lists_are_sorted(void **state)
{
    (void)state;
    /* bsearch over the lists is only right if they are sorted */
    assert_true(names_lists_sorted());
}

static void keywords(void **state)
{
    (void)state;
    const char *yes[] = {"double", "class", "int", "for", "return", "_Bool", "template",
                         "restrict", "auto", "char", "namespace", "nullptr", "and"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        if (!names_is_keyword(yes[i]))
            fail_msg("'%s' should be a keyword", yes[i]);
        assert_true(names_is_reserved(yes[i]));
    }
    const char *no[] = {"x", "foo", "doubles", "Double", "in", "let", "fn", "out", "classy"};
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        if (names_is_keyword(no[i]))
            fail_msg("'%s' should not be a keyword", no[i]);
}

static void library(void **state)
{
    (void)state;
    const char *yes[] = {"printf", "NAN", "y0", "j1", "sqrt", "fabs", "malloc", "INFINITY",
                         "M_PI", "errno", "size_t", "abs", "exit", "main", "gamma", "yn"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        if (!names_is_library(yes[i]))
            fail_msg("'%s' should be a library name", yes[i]);
        assert_true(names_is_reserved(yes[i]));
    }
    const char *no[] = {"x", "foo", "y2", "x0", "rosenbrock", "f_grad", "nan_", "Printf"};
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
        if (names_is_library(no[i]))
            fail_msg("'%s' should not be a library name", no[i]);
        if (names_is_reserved(no[i]))
            fail_msg("'%s' should not be reserved", no[i]);
    }
}

static void implementation(void **state)
{
    (void)state;
    assert_true(names_is_implementation("_Foo"));
    assert_true(names_is_implementation("__x"));
    assert_true(names_is_implementation("gradc_dabs"));
    assert_true(names_is_implementation("GRADC_H"));
    assert_false(names_is_implementation("_x"));
    assert_false(names_is_implementation("x__"));
    assert_false(names_is_implementation("grad_x"));
    assert_true(names_is_reserved("__x"));
}

static void scope_renames_reserved(void **state)
{
    (void)state;
    Arena *a = arena_new();
    NameScope s;
    scope_init(&s, a, NULL);
    assert_string_equal(scope_take(&s, "double"), "double_");
    assert_string_equal(scope_take(&s, "printf"), "printf_");
    assert_string_equal(scope_take(&s, "y0"), "y0_");
    const char *b = scope_take(&s, "_Bool");
    assert_false(names_is_reserved(b));
    assert_string_equal(b, "v_Bool");
    const char *u = scope_take(&s, "__u");
    assert_false(names_is_reserved(u));
    /* a second 'double' gets a name of its own */
    const char *d2 = scope_take(&s, "double");
    assert_string_not_equal(d2, "double_");
    assert_false(names_is_reserved(d2));
    arena_free(a);
}

static void scope_unique(void **state)
{
    (void)state;
    Arena *a = arena_new();
    NameScope s;
    scope_init(&s, a, NULL);
    assert_string_equal(scope_take(&s, "x"), "x");
    assert_string_equal(scope_take(&s, "x"), "x_1");
    assert_string_equal(scope_take(&s, "x"), "x_2");
    assert_true(scope_has(&s, "x_1"));
    assert_false(scope_has(&s, "x_3"));
    /* a name that looks like a generated one is still kept unique */
    const char *x1 = scope_take(&s, "x_1");
    assert_string_not_equal(x1, "x_1");
    assert_string_not_equal(x1, "x_2");
    assert_true(scope_has(&s, x1));
    /* reserve: the name is taken without being handed out */
    scope_reserve(&s, "y");
    assert_string_equal(scope_take(&s, "y"), "y_1");
    arena_free(a);
}

static void scope_parent(void **state)
{
    (void)state;
    Arena *a = arena_new();
    NameScope global, local1, local2;
    scope_init(&global, a, NULL);
    scope_reserve(&global, "f");
    scope_init(&local1, a, &global);
    scope_init(&local2, a, &global);
    assert_string_equal(scope_take(&local1, "f"), "f_1");     /* the parent's names are taken */
    assert_string_equal(scope_take(&local1, "x"), "x");
    assert_string_equal(scope_take(&local2, "x"), "x");       /* siblings are independent */
    assert_false(scope_has(&global, "x"));
    arena_free(a);
}

/* Two scopes fed the same names hand out the same answers. */
static void scope_deterministic(void **state)
{
    (void)state;
    const char *in[] = {"x", "double", "x", "t1", "x_1", "double", "int", "x", "NAN", "_Z"};
    const char *out[2][10];
    for (int k = 0; k < 2; k++) {
        Arena *a = arena_new();
        NameScope s;
        scope_init(&s, a, NULL);
        for (int i = 0; i < 10; i++)
            out[k][i] = strdup(scope_take(&s, in[i]));
        arena_free(a);
    }
    for (int i = 0; i < 10; i++) {
        assert_string_equal(out[0][i], out[1][i]);
        for (int j = 0; j < i; j++)
            if (strcmp(out[0][i], out[0][j]) == 0)
                fail_msg("'%s' handed out twice", out[0][i]);
        assert_false(names_is_reserved(out[0][i]));
    }
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < 10; i++)
            free((char *)out[k][i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lists_are_sorted),
        cmocka_unit_test(keywords),
        cmocka_unit_test(library),
        cmocka_unit_test(implementation),
        cmocka_unit_test(scope_renames_reserved),
        cmocka_unit_test(scope_unique),
        cmocka_unit_test(scope_parent),
        cmocka_unit_test(scope_deterministic),
    };
    return cmocka_run_group_tests_name("names", tests, NULL, NULL);
}
