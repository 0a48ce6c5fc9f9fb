# The C that gradc writes compiles as strict C99 with every warning an
# error, links with nothing but libm, and computes what it should; the
# header is usable from C++.
. "$2/lib.sh"

command -v "${CC%% *}" >/dev/null 2>&1 || skip "no C compiler ($CC)"
cp "$SAMPLES/seed.fn" seed.fn
cp "$CLI_SRC/good.fn" good.fn

for f in seed good; do
    "$GRADC" "$f.fn" || bad "gradc $f.fn failed"
    if ! $CC $STRICT_CFLAGS -c "$f.c" -o "$f.o" 2>"$f.cc.txt"; then
        bad "$f.c does not compile with $CC $STRICT_CFLAGS:"
        head -50 "$f.cc.txt"
    fi
    "$GRADC" "$f.fn" -O0 -o "${f}_O0.c" || bad "gradc $f.fn -O0 failed"
    if ! $CC $STRICT_CFLAGS -c "${f}_O0.c" -o "${f}_O0.o" 2>"$f.O0.cc.txt"; then
        bad "${f}_O0.c (-O0) does not compile with $CC $STRICT_CFLAGS:"
        head -50 "$f.O0.cc.txt"
    fi
done

# the seed example, end to end
cat >main.c <<'EOC'
#include <stdio.h>
#include "seed.h"

int main(void)
{
    double gx0 = -1, gx1 = -1;
    double v = f(2, 1);
    double w = f_grad(2, 1, &gx0, &gx1);
    double u = f_grad(2, 1, NULL, NULL);
    printf("%g %g %g %g %g\n", v, w, gx0, gx1, u);
    return !(v == 54 && w == 54 && gx0 == 39 && gx1 == 84 && u == 54);
}
EOC
if $CC $STRICT_CFLAGS main.c seed.c -o seed_main -lm 2>main.cc.txt; then
    out=$(./seed_main) || bad "f(2, 1) and f_grad(2, 1): got $out, expected 54 54 39 84 54"
else
    bad "main.c with seed.c does not build:"
    cat main.cc.txt
fi

# the header from C++
if command -v c++ >/dev/null 2>&1; then
    printf '#include "good.h"\n#include "seed.h"\nint main() { double g[2]; return f_grad(2, 1, &g[0], &g[1]) != 54 || top(1, 1) != top(1, 1); }\n' >main.cpp
    if c++ -Wall -Wextra -pedantic -Werror main.cpp good.o seed.o -o cxx_main -lm 2>cxx.txt; then
        ./cxx_main || bad "the C++ program gave a wrong value"
    else
        bad "the headers are not usable from C++:"
        cat cxx.txt
    fi
else
    note "no c++: the C++ header check is skipped"
fi

finish
