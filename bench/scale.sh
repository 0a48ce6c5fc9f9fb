#!/bin/sh
# Compiler scale: gradc on generated programs of one straight-line function
# of N statements (bench/gen_big.awk), N = 10^3, 10^4, 10^5. For each: gradc's
# time and peak memory, the size of the C it writes (f, f_grad, f_jvp and
# f_hvp), and the time `cc -O2 -c` takes on that C; then the same per 1,000
# statements, which stays flat when growth is linear. Times are the median
# of three runs (user + system CPU seconds).
#   bench/scale.sh [GRADC]          (default build/gradc)
#   QUICK=1 bench/scale.sh          (no cc -O2 at 10^5, which takes minutes)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
gradc=$(cd "$(dirname "${1:-build/gradc}")" && pwd)/$(basename "${1:-build/gradc}")
[ -x "$gradc" ] || { echo "scale.sh: no gradc at $gradc (build it first)" >&2; exit 2; }
cc=${CC:-cc}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
gnutime=""
[ -x /usr/bin/time ] && gnutime=/usr/bin/time

# median3 CMD...: runs CMD three times; prints the median CPU seconds and the
# largest peak memory (KiB, "-" without GNU time)
median3() {
    for r in 1 2 3; do
        if [ -n "$gnutime" ]; then
            $gnutime -f '%U %S %M' -o t.$r "$@" >/dev/null 2>&1
            awk '{ printf "%.3f %s\n", $1 + $2, $3 }' t.$r
        else
            s=$(date +%s.%N)
            "$@" >/dev/null 2>&1
            e=$(date +%s.%N)
            echo "$s $e" | awk '{ printf "%.3f -\n", $2 - $1 }'
        fi
    done | sort -n | awk '{ t[NR] = $1; if ($2 != "-" && $2 > m) m = $2 } END { print t[2], (m ? m : "-") }'
}

echo "gradc compiler scale: one function of N statements; medians of 3 runs"
echo "cc = $($cc --version | head -1)"
echo
printf '%-8s %10s %10s %10s %12s %10s | %-22s\n' N "gradc s" "gradc MiB" "C MiB" "C lines" "cc -O2 s" \
    "per 1000 statements: gradc s, MiB, C MiB, cc s"
for n in 1000 10000 100000; do
    awk -v N=$n -f "$here/gen_big.awk" >big$n.fn
    set -- $(median3 "$gradc" big$n.fn -o big$n.c)
    gt=$1 gm=$2
    "$gradc" big$n.fn -o big$n.c
    bytes=$(wc -c <big$n.c | tr -d ' ')
    lines=$(wc -l <big$n.c | tr -d ' ')
    if [ "${QUICK:-0}" = 1 ] && [ $n -ge 100000 ]; then
        ct=-
    else
        # one run: cc at 10^5 takes minutes, and its time is far above noise
        s=$(date +%s.%N)
        $cc -O2 -c big$n.c -o big$n.o
        e=$(date +%s.%N)
        ct=$(echo "$s $e" | awk '{ printf "%.2f", $2 - $1 }')
    fi
    echo "$n $gt $gm $bytes $lines $ct" | awk '{
        k = $1 / 1000; mib = ($3 == "-") ? "-" : sprintf("%.1f", $3 / 1024)
        pm = ($3 == "-") ? "-" : sprintf("%.2f", $3 / 1024 / k)
        pc = ($6 == "-") ? "-" : sprintf("%.2f", $6 / k)
        printf "%-8d %10.2f %10s %10.1f %12d %10s | %.3f, %s, %.2f, %s\n",
            $1, $2, mib, $4 / 1048576, $5, $6, $2 / k, pm, $4 / 1048576 / k, pc }'
done
