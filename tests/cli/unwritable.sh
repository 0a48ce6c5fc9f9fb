# An output that cannot be written: exit 2, a message, and nothing written
# anywhere (neither output, nor a temporary file).
. "$2/lib.sh"

cp "$SAMPLES/seed.fn" seed.fn

# the output's folder is a regular file (fails even for root)
echo "not a folder" >plain
run seed.fn -o plain/x.c
expect_status 2 "-o plain/x.c, plain being a file"
expect_stderr_has "plain/x" "-o plain/x.c"
expect_listing . "plain seed.fn" "-o plain/x.c writes nothing"

# the output's folder does not exist
run seed.fn -o nofolder/x.c
expect_status 2 "-o nofolder/x.c"
expect_stderr_has "nofolder/x" "-o nofolder/x.c"
expect_listing . "plain seed.fn" "-o nofolder/x.c writes nothing"

# the .c can be written but the header cannot: neither is written
mkdir ok
run seed.fn -o ok/x.c --header nofolder/x.h
expect_status 2 "-o ok/x.c --header nofolder/x.h"
expect_stderr_has "nofolder/x.h" "--header nofolder/x.h"
expect_listing ok "" "-o ok/x.c with an unwritable header writes no x.c"

# ... and the other way round
run seed.fn -o nofolder/x.c --header ok/x.h
expect_status 2 "-o nofolder/x.c --header ok/x.h"
expect_listing ok "" "an unwritable .c writes no header"

# a folder without write permission (root may write anywhere: skipped)
if [ "$(id -u)" != 0 ]; then
    mkdir ro
    chmod 555 ro
    run seed.fn -o ro/x.c
    expect_status 2 "-o ro/x.c, ro read-only"
    expect_stderr_has "ro/x" "-o ro/x.c"
    expect_listing ro "" "-o ro/x.c writes nothing"
    mkdir rw
    run seed.fn -o rw/x.c --header ro/x.h
    expect_status 2 "-o rw/x.c --header ro/x.h"
    expect_listing rw "" "a read-only header folder: no x.c either"
    chmod 755 ro
else
    note "running as root: the read-only folder cases are skipped"
fi

# a pre-existing output is kept when the other one cannot be written
echo "old" >ok/keep.c
touch -t 200001020304.05 ok/keep.c
before=$(stamp ok/keep.c)
run seed.fn -o ok/keep.c --header nofolder/keep.h
expect_status 2 "-o ok/keep.c --header nofolder/keep.h"
[ "$(stamp ok/keep.c)" = "$before" ] || bad "ok/keep.c was changed although the header could not be written"
expect_listing ok "keep.c" "no temporary file is left"

finish
