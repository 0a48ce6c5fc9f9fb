# Outputs that would destroy something: the input itself, the .c and the
# header being one file, or an output that is a folder. Each must fail with
# exit 2 and change nothing.
. "$2/lib.sh"

# clash_input WHAT ARGS...: exit 2 and seed.fn untouched
clash_input() {
    what=$1
    shift
    rm -f seed.c seed.h
    cp "$SAMPLES/seed.fn" seed.fn
    touch -t 200001020304.05 seed.fn
    keep=$(stamp seed.fn)
    run seed.fn "$@"
    expect_status 2 "$what"
    [ "$(stamp seed.fn)" = "$keep" ] || bad "$what: the input seed.fn was overwritten"
    expect_listing . "seed.fn" "$what writes nothing"
}

clash_input "-o naming the input" -o seed.fn
clash_input "-o naming the input as ./seed.fn" -o ./seed.fn
clash_input "--header naming the input" --header seed.fn

rm -f seed.c seed.h
cp "$SAMPLES/seed.fn" seed.fn
run seed.fn -o same.c --header same.c
expect_status 2 "-o and --header naming one file"
expect_listing . "seed.fn" "-o same.c --header same.c writes nothing"

rm -f same.c
mkdir out
run seed.fn -o out
expect_status 2 "-o naming a folder"
expect_listing . "out seed.fn" "-o out (a folder) writes nothing (no out.h)"
expect_listing out "" "-o out (a folder) writes nothing into it"

rm -f out.h
run seed.fn -o out/
expect_status 2 "-o naming a folder, with a slash"
expect_listing out "" "-o out/ writes nothing (no out/.h)"

rm -f out/.h
mkdir hdir
run seed.fn --header hdir
expect_status 2 "--header naming a folder"
expect_listing . "hdir out seed.fn" "--header hdir writes nothing"

finish
