# -MD and --depfile: the make dependency file 'OUT.c OUT.h: FILE.fn',
# written with the other outputs and only when they are; paths escaped
# for make; refused where it would destroy something or mean nothing.
. "$2/lib.sh"

mkdir in
cp "$SAMPLES/seed.fn" in/seed.fn
cp "$CLI_SRC/bad.fn" in/bad.fn

# expect_text FILE TEXT WHAT: FILE holds exactly TEXT and a newline
expect_text() {
    if [ ! -f "$1" ]; then
        bad "$3: $1 was not written"
    elif [ "$(cat "$1")" != "$2" ] || [ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" != '\n' ]; then
        bad "$3: $1 holds [$(cat "$1")], expected [$2] and a newline"
    fi
}

# -MD with the default names: FILE.d beside FILE.c, in the current folder
mkdir md
cd md
run ../in/seed.fn -MD
expect_status 0 "gradc ../in/seed.fn -MD"
expect_stderr_empty "gradc ../in/seed.fn -MD"
expect_stdout_empty "gradc ../in/seed.fn -MD"
expect_listing . "seed.c seed.d seed.h" "-MD with default names"
expect_text seed.d "seed.c seed.h: ../in/seed.fn" "-MD with default names"
cd ..

# -MD with -o: OUT.d beside OUT.c, whatever --header says
mkdir o o/sub o/inc
cd o
run ../in/seed.fn -o sub/x.c -MD
expect_status 0 "gradc seed.fn -o sub/x.c -MD"
expect_listing sub "x.c x.d x.h" "-o sub/x.c -MD"
expect_text sub/x.d "sub/x.c sub/x.h: ../in/seed.fn" "-o sub/x.c -MD"
rm sub/*
run ../in/seed.fn -MD -o sub/x.c --header inc/api.h
expect_status 0 "gradc seed.fn -MD -o sub/x.c --header inc/api.h"
expect_listing sub "x.c x.d" "-MD -o sub/x.c --header inc/api.h: folder sub"
expect_listing inc "api.h" "-MD -o sub/x.c --header inc/api.h: folder inc"
expect_text sub/x.d "sub/x.c inc/api.h: ../in/seed.fn" "-MD with --header"
cd ..

# --depfile FILE: there and nowhere else; it wins over -MD
mkdir df df/deps
cd df
run ../in/seed.fn --depfile deps/seed.dep
expect_status 0 "gradc seed.fn --depfile deps/seed.dep"
expect_listing . "deps seed.c seed.h" "--depfile deps/seed.dep: the current folder"
expect_listing deps "seed.dep" "--depfile deps/seed.dep"
expect_text deps/seed.dep "seed.c seed.h: ../in/seed.fn" "--depfile deps/seed.dep"
rm -f deps/* seed.c seed.h
run ../in/seed.fn -MD --depfile deps/seed.dep -o y.c
expect_status 0 "gradc seed.fn -MD --depfile deps/seed.dep -o y.c"
expect_listing . "deps y.c y.h" "-MD --depfile: no y.d"
expect_text deps/seed.dep "y.c y.h: ../in/seed.fn" "-MD --depfile"
first=$(cksum <deps/seed.dep)
run ../in/seed.fn -MD --depfile deps/seed.dep -o y.c
[ "$(cksum <deps/seed.dep)" = "$first" ] || bad "the dependency file differs between two runs"
cd ..

# make's special characters: space and '#' escaped, '$' doubled
mkdir 'sp ace'
cp in/seed.fn 'sp ace/m$o#d.fn'
cd 'sp ace'
run 'm$o#d.fn' -MD
expect_status 0 "gradc 'm\$o#d.fn' -MD"
expect_text 'm$o#d.d' 'm$$o\#d.c m$$o\#d.h: m$$o\#d.fn' "-MD with \$ and #"
run 'm$o#d.fn' -o '../sp ace/out.c' --depfile out.d
expect_status 0 "gradc -o '../sp ace/out.c' --depfile out.d"
expect_text out.d '../sp\ ace/out.c ../sp\ ace/out.h: m$$o\#d.fn' "a path with a space"
cd ..

# errors in the input: no dependency file, an old one left alone
mkdir e
cd e
echo "old: rule" >bad.d
touch -t 200001020304.05 bad.d
keep=$(stamp bad.d)
run ../in/bad.fn -MD
expect_status 1 "gradc bad.fn -MD"
[ "$(stamp bad.d)" = "$keep" ] || bad "gradc bad.fn -MD changed bad.d"
expect_listing . "bad.d" "gradc bad.fn -MD writes nothing"
run ../in/bad.fn --depfile new.d
expect_status 1 "gradc bad.fn --depfile new.d"
expect_listing . "bad.d" "gradc bad.fn --depfile new.d writes nothing"
cd ..

# refused: exit 2 and no file at all
mkdir r
cp in/seed.fn r/seed.fn
cd r
refused() {
    what=$1
    shift
    run "$@"
    expect_status 2 "$what"
    expect_listing . "seed.fn" "$what writes nothing"
}
refused "--depfile naming the C file" seed.fn --depfile seed.c
expect_stderr_has "the C file and the dependency file are both 'seed.c'" "--depfile seed.c"
refused "--depfile naming the header" seed.fn -o x.c --depfile x.h
expect_stderr_has "the header and the dependency file are both" "--depfile x.h"
refused "-MD when the C file is named .d" seed.fn -o x.d -MD
refused "--depfile naming the input" seed.fn --depfile seed.fn
refused "--depfile naming a folder" seed.fn --depfile .
refused "--depfile in a missing folder" seed.fn --depfile no/such/dir/seed.d
expect_stderr_has "cannot write 'no/such/dir/seed.d'" "--depfile in a missing folder"
refused "--depfile without its argument" seed.fn --depfile
expect_stderr_has "option '--depfile' needs an argument" "--depfile without its argument"
refused "-MD with --emit" seed.fn -MD --emit=c
expect_stdout_empty "-MD with --emit"
refused "--depfile with --emit" seed.fn --emit=h --depfile seed.d
refused "-MD with --eval" seed.fn -MD --eval 'f(2, 1)'
expect_stderr_has "-MD goes with writing files" "-MD with --eval"
refused "a line break in a path make must read" seed.fn -o "$(printf 'x\ny.c')" -MD
cd ..

# --help describes both
run --help
for o in -MD --depfile; do
    grep -q -e "^  $o" "$OUTF" || bad "--help does not describe $o"
done

finish
