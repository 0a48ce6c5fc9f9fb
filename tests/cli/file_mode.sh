# Outputs are ordinary files: their permissions follow the umask like any
# file a compiler writes (0644 under umask 022), not 0600.
. "$2/lib.sh"

cp "$SAMPLES/seed.fn" seed.fn
umask 022
run seed.fn
expect_status 0 "gradc seed.fn"
for f in seed.c seed.h; do
    mode=$(ls -l "$f" | cut -c1-10)
    [ "$mode" = "-rw-r--r--" ] || bad "$f has mode $mode under umask 022, expected -rw-r--r--"
done
# a replaced file too
chmod 664 seed.c
run seed.fn
mode=$(ls -l seed.c | cut -c1-10)
[ "$mode" = "-rw-r--r--" ] || [ "$mode" = "-rw-rw-r--" ] ||
    bad "a replaced seed.c has mode $mode"

finish
