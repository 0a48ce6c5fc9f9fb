/* Shared helpers of the cmocka unit tests: assert_close for doubles
 * (tests/common/assert_close.h, shared with the numeric tests), compiling a
 * .fn text held in a string, and the textual artefacts (AST, IR, C,
 * header) as heap strings.
 *
 * Compilations run first in a forked child, so that a compiler bug that
 * aborts (the IR verifier, die()) fails the one test with the compiler's
 * message instead of killing the whole test program. */
#ifndef GRADC_UNIT_H
#define GRADC_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "assert_close.h"

#include "compile.h"
#include "gradc.h"
#include "ir.h"

/* Substring checks that show the text searched when they fail. */
#define assert_contains(hay, needle) \
    unit_assert_contains((hay), (needle), true, #hay, __FILE__, __LINE__)
#define assert_not_contains(hay, needle) \
    unit_assert_contains((hay), (needle), false, #hay, __FILE__, __LINE__)
void unit_assert_contains(const char *hay, const char *needle, bool want, const char *what,
                          const char *file, int line);

/* How often needle occurs in hay (non-overlapping). */
int unit_count(const char *hay, const char *needle);

/* The compilation as the tests drive it. */
typedef enum UnitStage {
    UNIT_FRONT,         /* parse and sema only */
    UNIT_PRIMAL,        /* lowered (and optimised if asked), no derivatives */
    UNIT_ALL,           /* the whole pipeline */
} UnitStage;

/* A compilation of src (a NUL-terminated string) named "t.fn". *ok tells
 * whether the stage succeeded. The caller frees with cx_free. A compiler
 * crash fails the calling test with the compiler's message. */
Cx *unit_cx(const char *src, UnitStage stage, bool optimize, bool *ok);

/* The same, but a crash does not fail the test: it returns NULL, with the
 * compiler's message in crash (size n). */
Cx *unit_try_cx(const char *src, UnitStage stage, bool optimize, bool *ok, char *crash, size_t n);

/* The same, asserting success (on failure the diagnostics are shown). */
Cx *unit_ok(const char *src, UnitStage stage, bool optimize);

/* The diagnostics of compile_front on src (heap string; free it), and the
 * number of errors in *nerrors if not NULL. */
char *unit_errors(const char *src, int *nerrors);

/* Text artefacts, as heap strings (free them). */
char *unit_ast(const char *src);                        /* asserts no errors */
char *unit_ir_text(Cx *cx);                             /* the whole module */
char *unit_func_text(Cx *cx, const char *name);         /* one function */
char *unit_c_text(Cx *cx);
char *unit_h_text(Cx *cx);

/* The IR function of that C name, or NULL. */
IrFunc *unit_func(Cx *cx, const char *name);

/* Counting instructions of a function (nested blocks included). */
typedef bool (*UnitInstrPred)(const Instr *in, const void *data);
int unit_count_instrs(const IrFunc *f, UnitInstrPred pred, const void *data);
int unit_count_op(const IrFunc *f, Opcode op);

/* Runs fn(arg) in a forked child; returns its wait status (0: exited 0).
 * The child's stderr goes into err (if not NULL, size n). */
int unit_in_child(void (*fn)(void *), void *arg, char *err, size_t n);

#endif
