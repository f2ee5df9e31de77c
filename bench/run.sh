#!/usr/bin/env bash
# bench/run.sh: the one benchmark command.
#
#   bench/run.sh [mednec_bench options...]
#
# Configures a Release build in build-bench/, builds mednec_bench and
# gen_mcd, runs the benchmark against ../shared/data (its shared-data parts
# are skipped with a message when the folder is absent), then profiles the
# end-to-end loop (perf when hardware counters work, else callgrind on a
# smaller workload). Results: bench/results/latest.md (+ bench.log and the
# raw profile). Fixed seeds: the same inputs every run.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build-bench"
data="${MN_SHARED_DATA:-$root/../shared/data}"
results="$root/bench/results"
work="$build/bench-data"
mkdir -p "$results"

echo "== configuring and building (Release) in $build"
# -g only adds symbols for the profile; code generation stays -O3
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS=-g \
  -DMN_BUILD_BENCH=ON -DMN_BUILD_TESTS=OFF -DMN_BUILD_CLI=ON \
  -DMN_SHARED_DATA="$data" >"$results/cmake.log"
cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)" \
  --target mednec_bench gen_mcd mednec_hist_bench mednec_cli \
  >>"$results/cmake.log"

if [ ! -d "$data" ]; then
  echo "note: shared data not found at $data: the shared-data KB build is"
  echo "      skipped, and so is everything that needs the ICD-10-CM list"
fi

"$build/mednec_bench" --data "$data" --work "$work" \
  --results "$results/latest.md" "$@" | tee "$results/bench.log"

# ---- history-aware checks (SQLite store of 1M prior services) -----------
echo "== history-aware checks"
{
  printf '\n## History-aware checks (bench/history/hist_bench.c)\n\n```\n'
  "$build/mednec_hist_bench" --db "$work/history-bench.db" \
    --claims-out "$work/history-claims.jsonl" | tee -a "$results/bench.log"
  printf '```\n'
} >>"$results/latest.md"

# ---- the same claims through the command line ----------------------------
echo "== mednec batch --history (the same claims, built-in KB)"
{
  printf '\n## mednec batch with the history store (same claims)\n\n'
  printf '`mednec batch --history history-bench.db --threads N '
  printf 'history-claims.jsonl -o /dev/null`: KB open, history loaded into '
  printf 'memory, JSON parse, check, render, write.\n\n```\n'
  for t in 1 2; do
    for r in 1 2 3; do
      s=$(date +%s.%N)
      "$build/mednec" batch --history "$work/history-bench.db" --threads "$t" \
        "$work/history-claims.jsonl" -o /dev/null 2>/dev/null || true
      e=$(date +%s.%N)
      awk -v s="$s" -v e="$e" -v t="$t" -v r="$r" -v n="$(wc -l <"$work/history-claims.jsonl")" \
        'BEGIN { printf "threads %d run %d: %.2f s wall for %d claims\n", t, r, e - s, n }'
    done
  done | tee -a "$results/bench.log"
  printf '```\n'
} >>"$results/latest.md"

# ---- profiles: end to end, pre-parsed check, KB open --------------------
set +o pipefail   # `... | head` below ends its writers early on purpose
kb="$work/gen.mnkb"
jsonl="$work/claims.jsonl"
if [ ! -f "$kb" ] || [ ! -f "$jsonl" ]; then
  echo "no generated KB or claims: profiles skipped"
  exit 0
fi

# perf with hardware counters (cycles): the profiler of choice. Without
# them, callgrind counts instructions, and perf's software clock (when it
# records at all) still samples where the time goes.
hw_perf=0
sw_perf=0
if command -v perf >/dev/null 2>&1; then
  # a number in the first CSV field means hardware counters work
  if perf stat -x, -e instructions true 2>&1 >/dev/null |
     grep -qE '^[0-9]+,'; then
    hw_perf=1
  elif perf record -q -e cpu-clock -o "$results/perf-probe.data" true \
       >/dev/null 2>&1; then
    sw_perf=1
  fi
  rm -f "$results/perf-probe.data"
fi
have_vg=0
command -v valgrind >/dev/null 2>&1 && have_vg=1

# strip the folder part of "file:function [object]" for readability
tidy() { sed -E 's#[^ ]*/([^/ :]+):#\1:#; s# \[[^]]*\]$##'; }
# inclusive listings repeat names and show the program's wrappers
dedup() {
  grep -vE '\(below main\)|libc_start|0x0000|bench\.c:main$' |
    awk '{ name = $NF; if (!seen[name]++) print }'
}
md() { cat >>"$results/latest.md"; }

# perf_profile MODE EVENT LABEL ARGS...: a sampled profile, time shares
perf_profile() {
  local mode="$1" event="$2" label="$3"
  shift 3
  local data="$results/perf-$mode.data" txt="$results/profile-$mode-perf.txt"
  perf record -q -e "$event" -F 2999 -g -o "$data" -- \
    "$build/mednec_bench" "$@"
  {
    echo "by object:"
    perf report -i "$data" --no-children -g none --sort dso --stdio \
      2>/dev/null | grep -E '^ +[0-9.]+%' | head -8
    echo
    echo "by symbol (addresses are in libraries without symbols):"
    perf report -i "$data" --no-children -g none --sort dso,symbol \
      --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | head -25 |
      sed -E 's/ +- +- *$//'
  } >"$txt"
  {
    echo "perf record -e $event ($label), \`$*\`, self time:"
    echo
    echo '```'
    cat "$txt"
    echo '```'
  } | md
}

# callgrind_profile MODE LOOP WHAT ARGS...: instructions inside LOOP
callgrind_profile() {
  local mode="$1" loop="$2" what="$3"
  shift 3
  local out="$results/callgrind-$mode.out"
  valgrind --tool=callgrind --toggle-collect="$loop" \
    --callgrind-out-file="$out" "$build/mednec_bench" "$@" \
    2>"$results/callgrind-$mode.log"
  callgrind_annotate --threshold=100 "$out" 2>/dev/null |
    grep -E '^ *[0-9,]+ \(' | head -26 | tidy >"$results/profile-$mode.txt"
  callgrind_annotate --inclusive=yes --threshold=100 "$out" 2>/dev/null |
    grep -E '^ *[0-9,]+ \(' | tidy | dedup | head -26 \
    >"$results/profile-$mode-inclusive.txt"
  {
    echo "callgrind, counted only inside \`$loop\`, $what; instructions"
    echo "executed (Ir), not time."
    echo
    echo "Self (exclusive):"
    echo
    echo '```'
    cat "$results/profile-$mode.txt"
    echo '```'
    echo
    echo "Inclusive:"
    echo
    echo '```'
    cat "$results/profile-$mode-inclusive.txt"
    echo '```'
  } | md
}

# profile MODE TITLE LOOP: one profile section of latest.md
profile() {
  local mode="$1" title="$2" loop="$3"
  local args=(--profile-"$mode" "$kb" "$jsonl")
  local small=(--lines 20000) big=(--lines 200000 --repeat 5)
  local what="20,000 lines"
  if [ "$mode" = check ]; then
    big=(--lines 200000 --repeat 10)   # outweighs the parse done first
  elif [ "$mode" = open ]; then
    args=(--profile-open "$kb")
    small=(--repeat 10) big=(--repeat 200) what="10 opens"
  fi
  printf '\n## Profile: %s\n\n' "$title" | md
  if [ "$hw_perf" = 1 ]; then
    echo "== profiling $title with perf (cycles)"
    perf_profile "$mode" cycles "hardware cycles" "${args[@]}" "${big[@]}"
    return
  fi
  if [ "$sw_perf" = 1 ]; then
    echo "== profiling $title with perf (software clock)"
    perf_profile "$mode" cpu-clock "software clock: time, not counters" \
      "${args[@]}" "${big[@]}"
    echo | md
  fi
  if [ "$have_vg" = 1 ]; then
    echo "== profiling $title with callgrind ($what)"
    callgrind_profile "$mode" "$loop" "$what" "${args[@]}" "${small[@]}"
  fi
}

if [ "$hw_perf" = 0 ] && [ "$sw_perf" = 0 ] && [ "$have_vg" = 0 ]; then
  echo "no profiler (perf or valgrind): profiles skipped"
  printf '\nNo profiler available on this machine.\n' | md
  exit 0
fi
if [ "$hw_perf" = 0 ]; then
  echo "note: perf stat -e instructions does not work here (no hardware"
  echo "      counters): sampling perf's software clock and using callgrind"
fi
profile e2e "end to end (parse JSON + mn_check + render JSON)" profile_loop
profile check "mn_check on pre-parsed claims" profile_check_loop
profile open "mn_kb_open + mn_kb_free of the real-scale KB" profile_open_loop

echo
echo "results: $results/latest.md"
echo "profiles: $results/profile-*.txt"
