/* The reserved-name lists and the unique-name scope. The library list covers
 * the C11 headers and what glibc's math.h, stdlib.h, string.h and stdio.h
 * declare under default feature macros, since the generated file includes
 * some of them and users' own files may include the rest. */
#include "names.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const keywords[] = {
    "_Alignas", "_Alignof", "_Atomic", "_BitInt", "_Bool", "_Complex", "_Decimal128",
    "_Decimal32", "_Decimal64", "_Generic", "_Imaginary", "_Noreturn", "_Pragma",
    "_Static_assert", "_Thread_local", "alignas", "alignof", "and", "and_eq", "asm", "auto",
    "bitand", "bitor", "bool", "break", "case", "catch", "char", "char16_t", "char32_t",
    "char8_t", "class", "co_await", "co_return", "co_yield", "compl", "concept", "const",
    "const_cast", "consteval", "constexpr", "constinit", "continue", "decltype", "default",
    "delete", "do", "double", "dynamic_cast", "else", "enum", "explicit", "export",
    "extern", "false", "float", "for", "friend", "goto", "if", "inline", "int", "long",
    "mutable", "namespace", "new", "noexcept", "not", "not_eq", "nullptr", "operator", "or",
    "or_eq", "private", "protected", "public", "register", "reinterpret_cast", "requires",
    "restrict", "return", "short", "signed", "sizeof", "static", "static_assert",
    "static_cast", "struct", "switch", "template", "this", "thread_local", "throw", "true",
    "try", "typedef", "typeid", "typename", "typeof", "typeof_unqual", "union", "unsigned",
    "using", "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq",
};

static const char *const library[] = {
    "BUFSIZ", "CHAR_BIT", "CHAR_MAX", "CHAR_MIN", "CLOCKS_PER_SEC", "DBL_DIG",
    "DBL_EPSILON", "DBL_MANT_DIG", "DBL_MAX", "DBL_MAX_10_EXP", "DBL_MAX_EXP", "DBL_MIN",
    "DBL_MIN_10_EXP", "DBL_MIN_EXP", "DBL_TRUE_MIN", "DECIMAL_DIG", "EDOM", "EILSEQ", "EOF",
    "ERANGE", "EXIT_FAILURE", "EXIT_SUCCESS", "FE_ALL_EXCEPT", "FE_DFL_ENV", "FE_DIVBYZERO",
    "FE_DOWNWARD", "FE_INEXACT", "FE_INVALID", "FE_OVERFLOW", "FE_TONEAREST",
    "FE_TOWARDZERO", "FE_UNDERFLOW", "FE_UPWARD", "FILE", "FILENAME_MAX", "FLT_DIG",
    "FLT_EPSILON", "FLT_EVAL_METHOD", "FLT_MANT_DIG", "FLT_MAX", "FLT_MIN", "FLT_RADIX",
    "FLT_ROUNDS", "FOPEN_MAX", "FP_FAST_FMA", "FP_ILOGB0", "FP_ILOGBNAN", "FP_INFINITE",
    "FP_NAN", "FP_NORMAL", "FP_SUBNORMAL", "FP_ZERO", "HUGE_VAL", "HUGE_VALF", "HUGE_VALL",
    "I", "INFINITY", "INT16_MAX", "INT16_MIN", "INT32_MAX", "INT32_MIN", "INT64_MAX",
    "INT64_MIN", "INT8_MAX", "INT8_MIN", "INTMAX_MAX", "INTMAX_MIN", "INTPTR_MAX",
    "INTPTR_MIN", "INT_MAX", "INT_MIN", "LC_ALL", "LC_COLLATE", "LC_CTYPE", "LC_MONETARY",
    "LC_NUMERIC", "LC_TIME", "LDBL_DIG", "LDBL_EPSILON", "LDBL_MANT_DIG", "LDBL_MAX",
    "LDBL_MIN", "LLONG_MAX", "LLONG_MIN", "LONG_MAX", "LONG_MIN", "L_tmpnam",
    "MATH_ERREXCEPT", "MATH_ERRNO", "MB_CUR_MAX", "MB_LEN_MAX", "M_1_PI", "M_2_PI",
    "M_2_SQRTPI", "M_E", "M_LN10", "M_LN2", "M_LOG10E", "M_LOG2E", "M_PI", "M_PI_2",
    "M_PI_4", "M_SQRT1_2", "M_SQRT2", "NAN", "NDEBUG", "NULL", "PTRDIFF_MAX", "PTRDIFF_MIN",
    "RAND_MAX", "SCHAR_MAX", "SCHAR_MIN", "SEEK_CUR", "SEEK_END", "SEEK_SET", "SHRT_MAX",
    "SHRT_MIN", "SIGABRT", "SIGFPE", "SIGILL", "SIGINT", "SIGSEGV", "SIGTERM", "SIG_DFL",
    "SIG_ERR", "SIG_IGN", "SIZE_MAX", "TIME_UTC", "TMP_MAX", "UCHAR_MAX", "UINT16_MAX",
    "UINT32_MAX", "UINT64_MAX", "UINT8_MAX", "UINTMAX_MAX", "UINTPTR_MAX", "UINT_MAX",
    "ULLONG_MAX", "ULONG_MAX", "USHRT_MAX", "_Exit", "_IOFBF", "_IOLBF", "_IONBF", "abort",
    "abs", "acos", "acosf", "acosh", "acoshf", "acoshl", "acosl", "aligned_alloc", "alloca",
    "asctime", "asin", "asinf", "asinh", "asinhf", "asinhl", "asinl", "assert",
    "at_quick_exit", "atan", "atan2", "atan2f", "atan2l", "atanf", "atanh", "atanhf",
    "atanhl", "atanl", "atexit", "atof", "atoi", "atol", "atoll", "atomic_flag", "bcmp",
    "bcopy", "bsearch", "bzero", "cabs", "cacos", "cacosh", "call_once", "calloc", "carg",
    "casin", "casinh", "catan", "catanh", "cbrt", "cbrtf", "cbrtl", "ccos", "ccosh", "ceil",
    "ceilf", "ceill", "cexp", "char16_t", "char32_t", "cimag", "clearerr", "clock",
    "clock_t", "clog", "close", "cnd_broadcast", "cnd_destroy", "cnd_init", "cnd_signal",
    "cnd_t", "cnd_timedwait", "cnd_wait", "complex", "conj", "copysign", "copysignf",
    "copysignl", "cos", "cosf", "cosh", "coshf", "coshl", "cosl", "cpow", "cproj", "creal",
    "csin", "csinh", "csqrt", "ctan", "ctanh", "ctermid", "ctime", "daylight", "difftime",
    "div", "div_t", "double_t", "dprintf", "drand48", "drem", "dremf", "dreml", "environ",
    "erand48", "erf", "erfc", "erfcf", "erfcl", "erff", "erfl", "errno", "exit", "exp",
    "exp10", "exp10f", "exp10l", "exp2", "exp2f", "exp2l", "expf", "expl", "explicit_bzero",
    "expm1", "expm1f", "expm1l", "fabs", "fabsf", "fabsl", "fclose", "fdim", "fdimf",
    "fdiml", "fdopen", "feclearexcept", "fegetenv", "fegetexceptflag", "fegetround",
    "feholdexcept", "fenv_t", "feof", "feraiseexcept", "ferror", "fesetenv",
    "fesetexceptflag", "fesetround", "fetestexcept", "feupdateenv", "fexcept_t", "fflush",
    "ffs", "fgetc", "fgetpos", "fgets", "fileno", "finite", "finitef", "finitel", "float_t",
    "floor", "floorf", "floorl", "fma", "fmaf", "fmal", "fmax", "fmaxf", "fmaxl",
    "fmemopen", "fmin", "fminf", "fminl", "fmod", "fmodf", "fmodl", "fopen", "fpclassify",
    "fpos_t", "fprintf", "fputc", "fputs", "fread", "free", "freopen", "frexp", "frexpf",
    "frexpl", "fscanf", "fseek", "fseeko", "fsetpos", "ftell", "ftello", "fwprintf",
    "fwrite", "gamma", "gammaf", "gammal", "getc", "getchar", "getdelim", "getenv",
    "getline", "gets", "gmtime", "hypot", "hypotf", "hypotl", "ilogb", "ilogbf", "ilogbl",
    "imaginary", "index", "int16_t", "int32_t", "int64_t", "int8_t", "int_fast16_t",
    "int_fast32_t", "int_fast64_t", "int_fast8_t", "int_least16_t", "int_least32_t",
    "int_least64_t", "int_least8_t", "intmax_t", "intptr_t", "isalnum", "isalpha",
    "isascii", "isblank", "iscntrl", "isdigit", "isfinite", "isgraph", "isgreater",
    "isgreaterequal", "isinf", "isinff", "isinfl", "isless", "islessequal", "islessgreater",
    "islower", "isnan", "isnanf", "isnanl", "isnormal", "isprint", "ispunct", "isspace",
    "isunordered", "isupper", "isxdigit", "j0", "j0f", "j0l", "j1", "j1f", "j1l", "jmp_buf",
    "jn", "jnf", "jnl", "kill", "kill_dependency", "labs", "lconv", "ldexp", "ldexpf",
    "ldexpl", "ldiv", "ldiv_t", "lgamma", "lgamma_r", "lgammaf", "lgammaf_r", "lgammal",
    "lgammal_r", "llabs", "lldiv", "lldiv_t", "llrint", "llrintf", "llrintl", "llround",
    "llroundf", "llroundl", "localeconv", "localtime", "log", "log10", "log10f", "log10l",
    "log1p", "log1pf", "log1pl", "log2", "log2f", "log2l", "logb", "logbf", "logbl", "logf",
    "logl", "longjmp", "lrand48", "lrint", "lrintf", "lrintl", "lround", "lroundf",
    "lroundl", "main", "malloc", "math_errhandling", "max_align_t", "mblen", "mbstate_t",
    "mbstowcs", "mbtowc", "memccpy", "memchr", "memcmp", "memcpy", "memmem", "memmove",
    "memory_order", "mempcpy", "memset", "mkstemp", "mktime", "modf", "modff", "modfl",
    "mrand48", "mtx_destroy", "mtx_init", "mtx_lock", "mtx_t", "mtx_timedlock",
    "mtx_trylock", "mtx_unlock", "nan", "nanf", "nanl", "nearbyint", "nearbyintf",
    "nearbyintl", "nextafter", "nextafterf", "nextafterl", "nexttoward", "nexttowardf",
    "nexttowardl", "offsetof", "open", "open_memstream", "optarg", "opterr", "optind",
    "optopt", "pclose", "perror", "popen", "posix_memalign", "pow", "pow10", "powf", "powl",
    "printf", "ptrdiff_t", "putc", "putchar", "putenv", "puts", "qsort", "quick_exit",
    "raise", "rand", "rand_r", "random", "read", "realloc", "reallocarray", "realpath",
    "remainder", "remainderf", "remainderl", "remove", "remquo", "remquof", "remquol",
    "rename", "renameat", "rewind", "rindex", "rint", "rintf", "rintl", "round", "roundf",
    "roundl", "scalb", "scalbf", "scalbl", "scalbln", "scalblnf", "scalblnl", "scalbn",
    "scalbnf", "scalbnl", "scanf", "setbuf", "setenv", "setjmp", "setlocale", "setvbuf",
    "sig_atomic_t", "signal", "signbit", "signgam", "significand", "significandf",
    "significandl", "sin", "sincos", "sincosf", "sincosl", "sinf", "sinh", "sinhf", "sinhl",
    "sinl", "size_t", "snprintf", "sprintf", "sqrt", "sqrtf", "sqrtl", "srand", "srand48",
    "srandom", "sscanf", "ssize_t", "static_assert", "stderr", "stdin", "stdout", "stpcpy",
    "stpncpy", "strcasecmp", "strcat", "strchr", "strcmp", "strcoll", "strcpy", "strcspn",
    "strdup", "strerror", "strerror_r", "strftime", "strlen", "strncasecmp", "strncat",
    "strncmp", "strncpy", "strndup", "strnlen", "strpbrk", "strrchr", "strsep", "strsignal",
    "strspn", "strstr", "strtod", "strtof", "strtok", "strtok_r", "strtol", "strtold",
    "strtoll", "strtoul", "strtoull", "strxfrm", "swprintf", "system", "tan", "tanf",
    "tanh", "tanhf", "tanhl", "tanl", "tempnam", "tgamma", "tgammaf", "tgammal",
    "thrd_create", "thrd_current", "thrd_detach", "thrd_equal", "thrd_exit", "thrd_join",
    "thrd_sleep", "thrd_t", "thrd_yield", "time", "time_t", "timespec", "timespec_get",
    "timezone", "tm", "tmpfile", "tmpnam", "toascii", "tolower", "toupper", "trunc",
    "truncf", "truncl", "tss_create", "tss_delete", "tss_get", "tss_set", "tss_t", "tzname",
    "uint16_t", "uint32_t", "uint64_t", "uint8_t", "uint_fast16_t", "uint_fast32_t",
    "uint_fast64_t", "uint_fast8_t", "uint_least16_t", "uint_least32_t", "uint_least64_t",
    "uint_least8_t", "uintmax_t", "uintptr_t", "ungetc", "unsetenv", "va_arg", "va_copy",
    "va_end", "va_list", "va_start", "vdprintf", "vfprintf", "vfscanf", "vprintf", "vscanf",
    "vsnprintf", "vsprintf", "vsscanf", "wchar_t", "wcscpy", "wcslen", "wcstombs", "wctomb",
    "wint_t", "wprintf", "write", "y0", "y0f", "y0l", "y1", "y1f", "y1l", "yn", "ynf",
    "ynl",
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The lists are kept sorted (byte order) in this file; a unit test checks. */
static bool in_list(const char *s, const char *const *list, size_t n)
{
    return bsearch(&s, list, n, sizeof *list, cmp_str) != NULL;
}

bool names_is_keyword(const char *s)
{
    return in_list(s, keywords, COUNT(keywords));
}

bool names_is_library(const char *s)
{
    return in_list(s, library, COUNT(library));
}

bool names_lists_sorted(void)
{
    for (size_t i = 1; i < COUNT(keywords); i++)
        if (strcmp(keywords[i - 1], keywords[i]) >= 0)
            return false;
    for (size_t i = 1; i < COUNT(library); i++)
        if (strcmp(library[i - 1], library[i]) >= 0)
            return false;
    return true;
}

bool names_is_implementation(const char *s)
{
    if (s[0] == '_' && (s[1] == '_' || (s[1] >= 'A' && s[1] <= 'Z')))
        return true;
    return strncmp(s, "gradc_", 6) == 0 || strncmp(s, "GRADC_", 6) == 0;
}

bool names_is_reserved(const char *s)
{
    return names_is_keyword(s) || names_is_library(s) || names_is_implementation(s);
}

void scope_init(NameScope *s, Arena *a, const NameScope *parent)
{
    strtab_init(&s->taken, a);
    strtab_init(&s->next, a);
    s->parent = parent;
}

void scope_release(NameScope *s)
{
    strtab_release(&s->taken);
    strtab_release(&s->next);
}

bool scope_has(const NameScope *s, const char *name)
{
    for (; s; s = s->parent)
        if (strtab_find((StrTab *)&s->taken, name, strlen(name)))
            return true;
    return false;
}

void scope_reserve(NameScope *s, const char *name)
{
    strtab_get(&s->taken, name, strlen(name), NULL);
}

const char *scope_take(NameScope *s, const char *base)
{
    Arena *a = s->taken.arena;
    const char *name = base;
    if (names_is_implementation(base))              /* _Bool -> v_Bool */
        base = name = arena_printf(a, "v%s%s", base[0] == '_' ? "" : "_", base);
    else if (names_is_reserved(base))               /* double -> double_ */
        base = name = arena_printf(a, "%s_", base);
    /* base_1, base_2, ...: continue where the last search for base ended */
    StrTabEntry *next = strtab_get(&s->next, base, strlen(base), NULL);
    intptr_t k = (intptr_t)next->value;
    while (scope_has(s, name) || names_is_reserved(name))
        name = arena_printf(a, "%s_%ld", base, (long)++k);
    next->value = (void *)k;
    return strtab_get(&s->taken, name, strlen(name), NULL)->key;
}

const char *scope_take_free(NameScope *s, const char *name)
{
    return strtab_get(&s->taken, name, strlen(name), NULL)->key;
}
