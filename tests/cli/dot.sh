# --emit=dot: the seed example's graph at (2, 1) is the golden one (values
# 9, 6, 54 and adjoints 6, 9, 39, 84, as in a back-propagation walkthrough),
# is the same on a second run, renders with Graphviz when it is installed,
# and writes no file; without a point every function is drawn.
. "$2/lib.sh"

cp "$SAMPLES/seed.fn" seed.fn
run seed.fn --emit=dot --eval 'f(2, 1)'
expect_status 0 "--emit=dot --eval 'f(2, 1)'"
cmp -s "$OUTF" "$CLI_SRC/seed_graph.dot.golden" || {
    bad "the graph differs from seed_graph.dot.golden"
    diff "$CLI_SRC/seed_graph.dot.golden" "$OUTF" | head -20
}
for want in 'value 9\\nadjoint 6' 'value 6\\nadjoint 9' 'value 54' 'value 2\\nadjoint 39' 'value 1\\nadjoint 84'; do
    grep -q "$want" "$OUTF" || bad "no node with '$want'"
done
cp "$OUTF" first.dot
run seed.fn --emit=dot --eval 'f(2, 1)'
cmp -s "$OUTF" first.dot || bad "a second run gives another graph"
if command -v dot >/dev/null 2>&1; then
    dot -Tsvg first.dot -o graph.svg 2>dot.err || bad "dot cannot render the graph: $(cat dot.err)"
else
    note "graphviz is not installed: rendering not checked"
fi
rm -f first.dot graph.svg dot.err
expect_listing . "seed.fn" "--emit=dot writes nothing"

# every function, no point; a bad point is a usage error
printf 'fn g(x, y) {\n  let a = x * y;\n  if (a > 1) { a = sin(a); }\n  return a + y;\n}\nfn h(x) = g(x, 2) * x;\n' > two.fn
run two.fn --emit=dot
expect_status 0 "--emit=dot on two functions"
grep -q 'subgraph cluster_g' "$OUTF" && grep -q 'subgraph cluster_h' "$OUTF" ||
    bad "not one cluster per function"
run two.fn --emit=dot --eval 'g(1)'
expect_status 2 "--emit=dot with a call of the wrong arity"
run two.fn --emit=dot --eval 'g(0.5, 3)'
expect_status 0 "--emit=dot at a point inside an if"
grep -q 'value 1.5' "$OUTF" || bad "no node with the value of a = x * y = 1.5"

# built-ins that are runtime pieces (digamma, sign) are evaluated too, and
# named as in the program
printf 'fn s(x) = digamma(x) * sign(x) + floor(x) - lgamma(x) + erfc(x);\n' > special.fn
run special.fn --emit=dot --eval 's(2.5)'
expect_status 0 "--emit=dot --eval 's(2.5)' with the v2 built-ins"
for want in 'digamma\\nvalue 0.70315664064524' 'sign\\nvalue 1"' 'floor\\nvalue 2"' 'erfc\\nvalue 0.000406952017444'; do
    grep -q "$want" "$OUTF" || bad "no node with '$want'"
done
finish
