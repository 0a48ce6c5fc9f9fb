# An input that cannot be read: exit 2, a message naming it, no file.
. "$2/lib.sh"

run nothere.fn
expect_status 2 "a missing input"
expect_stderr_has "nothere.fn" "a missing input"
expect_stderr_has "No such file" "a missing input"
expect_listing . "" "a missing input writes nothing"

run nothere.fn -o x.c
expect_status 2 "a missing input with -o"
expect_listing . "" "a missing input with -o writes nothing"

run nothere.fn --emit=c
expect_status 2 "a missing input with --emit=c"
expect_stdout_empty "a missing input with --emit=c"

run nothere.fn --eval 'f(1)'
expect_status 2 "a missing input with --eval"

mkdir adir.fn
run adir.fn
expect_status 2 "a folder as the input"
expect_stderr_has "adir.fn" "a folder as the input"
expect_listing . "adir.fn" "a folder as the input writes nothing"

if [ "$(id -u)" != 0 ]; then
    cp "$SAMPLES/seed.fn" locked.fn
    chmod 000 locked.fn
    run locked.fn
    expect_status 2 "an unreadable input"
    expect_stderr_has "locked.fn" "an unreadable input"
    expect_listing . "adir.fn locked.fn" "an unreadable input writes nothing"
    chmod 644 locked.fn
else
    note "running as root: the unreadable-input case is skipped"
fi

finish
