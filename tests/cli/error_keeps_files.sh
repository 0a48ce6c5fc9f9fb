# On errors in the input, gradc changes no file: a pre-existing output keeps
# its content and modification time, no missing output is created, and no
# temporary file is left.
. "$2/lib.sh"

cp "$CLI_SRC/bad.fn" bad.fn
mkdir out
echo "/* an earlier x.c */" >out/x.c
touch -t 200001020304.05 out/x.c
before=$(stamp out/x.c)

run bad.fn -o out/x.c
expect_status 1 "gradc bad.fn -o out/x.c"
expect_stdout_empty "gradc bad.fn -o out/x.c"
expect_stderr_has "bad.fn:2:15: error: 'velocity' is not declared" "gradc bad.fn"
expect_stderr_has "bad.fn:3:11: error:" "gradc bad.fn"
expect_stderr_has "bad.fn:5:3: error:" "gradc bad.fn"
[ "$(stamp out/x.c)" = "$before" ] || bad "out/x.c was changed: [$before] -> [$(stamp out/x.c)]"
expect_listing out "x.c" "after a failed compile (no x.h, no temporary file)"

# both outputs present, default names
mkdir d
cp bad.fn d/bad.fn
cd d
echo "old c" >bad.c
echo "old h" >bad.h
touch -t 200001020304.05 bad.c bad.h
bc=$(stamp bad.c)
bh=$(stamp bad.h)
run bad.fn
expect_status 1 "gradc bad.fn (default names)"
[ "$(stamp bad.c)" = "$bc" ] || bad "bad.c was changed"
[ "$(stamp bad.h)" = "$bh" ] || bad "bad.h was changed"
expect_listing . "bad.c bad.fn bad.h" "after a failed default-name compile"
cd ..

# a syntax error and a lexical error: the same
mkdir s
printf 'fn f(x) = (x + 1;\nfn g(x) = x @ 2;\n' >s/syn.fn
cd s
run syn.fn
expect_status 1 "gradc syn.fn"
expect_listing . "syn.fn" "after a failed compile of syn.fn"
cd ..

finish
