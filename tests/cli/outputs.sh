# Writing the outputs: default names (FILE.c and FILE.h in the current
# folder, after the input's stem), -o (the header beside the .c), --header.
. "$2/lib.sh"

mkdir in here
cp "$SAMPLES/seed.fn" in/seed.fn
cp "$CLI_SRC/good.fn" in/model.v2.fn

# default names: in the current folder, not beside the input
cd here
run ../in/seed.fn
expect_status 0 "gradc ../in/seed.fn"
expect_stderr_empty "gradc ../in/seed.fn"
expect_stdout_empty "gradc ../in/seed.fn"
expect_listing . "seed.c seed.h" "default names"
grep -q '#include "seed.h"' seed.c || bad "seed.c does not include \"seed.h\""
grep -q 'double f_grad(' seed.h || bad "seed.h does not declare f_grad"
cd ..
expect_listing in "model.v2.fn seed.fn" "the input folder after a default-name run"

# only the last extension is the input's extension
cd here
run ../in/model.v2.fn
expect_status 0 "gradc ../in/model.v2.fn"
expect_file model.v2.c "default name of model.v2.fn"
expect_file model.v2.h "default name of model.v2.fn"
cd ..

# -o dir/x.c: the header goes beside it, nothing in the current folder
mkdir o
cd o
mkdir sub
run ../in/seed.fn -o sub/x.c
expect_status 0 "gradc seed.fn -o sub/x.c"
expect_stderr_empty "gradc seed.fn -o sub/x.c"
expect_listing . "sub" "the current folder after -o sub/x.c"
expect_listing sub "x.c x.h" "-o sub/x.c"
grep -q '#include "x.h"' sub/x.c || bad "sub/x.c does not include \"x.h\""
cd ..

# -o and --header in different folders
mkdir oh oh/a oh/b
cd oh
run ../in/seed.fn -o a/x.c --header b/y.h
expect_status 0 "gradc seed.fn -o a/x.c --header b/y.h"
expect_listing a "x.c" "-o a/x.c --header b/y.h: folder a"
expect_listing b "y.h" "-o a/x.c --header b/y.h: folder b"
grep -q '#include "y.h"' a/x.c || bad "a/x.c does not include \"y.h\""
if ! $CC $STRICT_CFLAGS -Ib -c a/x.c -o x.o 2>cc.err; then
    bad "a/x.c with b/y.h does not compile:"
    cat cc.err
fi
cd ..

# --header alone: FILE.c in the current folder, the header where asked
mkdir h h/inc
cd h
run ../in/seed.fn --header inc/seed_api.h
expect_status 0 "gradc seed.fn --header inc/seed_api.h"
expect_listing . "inc seed.c" "--header alone: the current folder"
expect_listing inc "seed_api.h" "--header alone: the header's folder"
grep -q '#include "seed_api.h"' seed.c || bad "seed.c does not include \"seed_api.h\""
cd ..

# an existing output is replaced
mkdir r
cd r
echo stale >seed.c
echo stale >seed.h
run ../in/seed.fn
expect_status 0 "gradc seed.fn over stale outputs"
grep -q stale seed.c seed.h && bad "stale outputs were not replaced"
expect_listing . "seed.c seed.h" "replacing outputs leaves no temporary file"
cd ..

finish
