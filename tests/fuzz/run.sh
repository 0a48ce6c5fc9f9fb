#!/bin/sh
# Runs the fuzz target: a campaign, or a replay of inputs.
#   run.sh fuzz   FUZZER SRC WORK [SECONDS [LIBFUZZER-FLAGS...]]
#   run.sh replay FUZZER SRC WORK [seeds|found]
# SRC is the repository; WORK a folder of the build tree that holds the seeds
# (gathered from SRC at each run, never kept in git), the corpus the fuzzer
# grows (kept between runs), the artefacts (crash-*, leak-*, timeout-*) and
# the log. A campaign prints the executions reached and the coverage, and
# fails if the fuzzer found a defect.
set -eu
mode=$1 fuzzer=$2 src=$3 work=$4
shift 4
here=$src/tests/fuzz

gather_seeds() {
    rm -rf "$work/seeds"
    mkdir -p "$work/seeds"
    for d in samples tests/numeric tests/diag tests/cli; do
        for f in "$src/$d"/*.fn; do
            [ -f "$f" ] && cp "$f" "$work/seeds/$(echo "$d" | tr / _)_$(basename "$f")"
        done
    done
}

mkdir -p "$work"
case $mode in
replay)
    what=${1:-seeds}
    if [ "$what" = seeds ]; then
        gather_seeds
        # -runs=0: load the corpus (each input runs once), fuzz nothing
        exec "$fuzzer" -runs=0 -timeout=10 "$work/seeds"
    fi
    set -- "$here"/found/*
    [ -f "$1" ] || { echo "run.sh: no reproducers in $here/found"; exit 0; }
    status=0
    for f in "$@"; do
        if "$fuzzer" -timeout=10 "$f" >"$work/replay.log" 2>&1; then
            echo "ok      $(basename "$f")"
        else
            echo "FAILS   $(basename "$f")"
            grep -m 3 -E 'ERROR|SUMMARY|runtime error|internal error' "$work/replay.log" | sed 's/^/        /'
            status=1
        fi
    done
    exit $status
    ;;
fuzz) ;;
*) echo "usage: run.sh fuzz|replay FUZZER SRC WORK [...]" >&2; exit 2 ;;
esac

seconds=${1:-60}
[ $# -gt 0 ] && shift
gather_seeds
mkdir -p "$work/corpus" "$work/artifacts"
log=$work/fuzz.log
echo "fuzz: $seconds s; corpus $work/corpus, artefacts $work/artifacts, log $log"
status=0
"$fuzzer" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -dict="$here/fn.dict" -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
    "$@" "$work/corpus" "$work/seeds" >"$log" 2>&1 || status=$?

# The status lines are "#N ... cov: C ft: F ... exec/s: E ..." ("#N: ...
# exec/s E" with -fork, whose final stats count only the parent's runs).
last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
execs=$(echo "$last" | sed -n 's/^#\([0-9]*\).*/\1/p')
stat=$(grep -E '^stat::number_of_executed_units' "$log" | tail -n 1 | sed 's/.*: *//')
[ "${stat:-0}" -gt "${execs:-0}" ] && execs=$stat
rate=$(grep -E '^stat::average_exec_per_sec' "$log" | tail -n 1 | sed 's/.*: *//')
[ "${rate:-0}" -gt 0 ] || rate=$(echo "$last" | sed -n 's/.*exec\/s:\{0,1\} *\([0-9]*\).*/\1/p')
cov=$(echo "$last" | sed -n 's/.*\(cov: [0-9]* ft: [0-9]*\).*/\1/p')
echo "fuzz: ${execs:-?} executions, ${rate:-?} exec/s, ${cov:-cov: ?}"
found=$(ls "$work/artifacts" | grep -c -E '^(crash|leak|timeout|oom|slow-unit)-' || true)
if [ "$status" -ne 0 ] || [ "$found" -gt 0 ]; then
    echo "fuzz: defects found (exit $status), see $log:"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|gradc: internal error)' "$log" | head -n 20 || true
    ls "$work/artifacts"
    exit 1
fi
