#!/usr/bin/env bash
# bench/interchange/run.sh: the interchange figures of docs/benchmarks.md.
#
#   bench/interchange/run.sh [--quick] [--no-big]
#
# Builds Release in build-bench/ (mednec, gen_claims, mednec_x12_bench),
# builds a KB from ../shared/data (the data-driven cases' KB when that is
# absent), generates synthetic 837P files with tools/gen_claims (fixed
# seed) and measures:
#   1. 837 parse speed: mednec_x12_bench (file in memory, one pinned core);
#   2. end to end on one core: `mednec batch --threads 1 --detail brief`
#      pinned with taskset, 1 M lines, three runs;
#   3. 2 threads against 1 on the same file;
#   4. a 10-million-line run (--threads 2) with its peak memory;
#   5. streaming: the same command on a 0.5 GB and a 5 GB file, peak memory
#      of each (flat memory: the two should match).
# Wall and CPU times come from /usr/bin/time. The big files (about 7 GB)
# are deleted at the end unless MN_KEEP=1. --quick: 1/10 of every size;
# --no-big: parts 1-3 only.
# Results: bench/results/interchange.md.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$root/build-bench"
data="${MN_SHARED_DATA:-$root/../shared/data}"
results="$root/bench/results"
work="${MN_BENCH_WORK:-$build/interchange-data}"
scale=1
big=1
for a in "$@"; do
  case "$a" in
  --quick) scale=10 ;;
  --no-big) big=0 ;;
  *) echo "usage: $0 [--quick] [--no-big]" >&2; exit 2 ;;
  esac
done
mkdir -p "$results" "$work"
out="$results/interchange.md"

echo "== building (Release) in $build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS=-g \
  -DMN_BUILD_BENCH=ON -DMN_BUILD_TESTS=OFF -DMN_BUILD_CLI=ON \
  -DMN_SHARED_DATA="$data" >"$results/interchange-cmake.log"
cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)" \
  --target mednec_cli gen_claims mednec_x12_bench \
  >>"$results/interchange-cmake.log"
mednec="$build/mednec"
gen="$build/gen_claims"
last=$(($(nproc) - 1))

# built each run: the KB format follows the build
kb="$work/kb.mnkb"
if [ -d "$data" ]; then
  "$mednec" build --quiet -o "$kb" "$data"
else
  echo "note: no shared data at $data: using the cases KB"
  "$mednec" build --quiet -o "$kb" "$root/tests/cases/kb"
fi

# run LABEL CMD...: /usr/bin/time, prints "label wall cpu maxrss_kb"
timed() {
  local label=$1
  shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$@" \
    2>"$work/stderr.txt" || true
  read -r wall user sys rss < <(tail -1 "$work/time.txt")
  awk -v l="$label" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" \
    'BEGIN { printf "%s %s %.2f %s\n", l, w, u + s, r }'
}

lines_1m=$((1000000 / scale))
lines_10m=$((10000000 / scale))
bytes_small=$((500000000 / scale))
bytes_big=$((5000000000 / scale))

echo "== generating claims"
[ -f "$work/c1m.837" ] || "$gen" --lines "$lines_1m" -o "$work/c1m.837"

{
  echo "# Interchange benchmark"
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| date | $(date -u '+%Y-%m-%d %H:%M UTC') |"
  echo "| commit | \`$(git -C "$root" rev-parse --short HEAD)\` |"
  echo "| machine | $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) |"
  echo "| load before | $(cut -d' ' -f1-3 /proc/loadavg) |"
  echo "| KB | $(basename "$kb"), $(stat -c %s "$kb") bytes |"
  echo
  echo "## 837 parse (mednec_x12_bench, one pinned core)"
  echo
  echo '```'
  "$build/mednec_x12_bench" --min-time 5 "$work/c1m.837"
  echo '```'
  echo
  echo "## End to end, one core: batch --threads 1 --detail brief (taskset)"
  echo
  echo "label wall_s cpu_s maxrss_kb (lines: $lines_1m)"
  echo '```'
  for r in 1 2 3; do
    timed "1-thread-run-$r" taskset -c "$last" "$mednec" batch --kb "$kb" \
      --threads 1 --detail brief --no-progress "$work/c1m.837" -o /dev/null
  done
  echo '```'
  echo
  echo "## 2 threads against 1 (no pinning)"
  echo
  echo '```'
  for t in 1 2; do
    for r in 1 2; do
      timed "threads-$t-run-$r" "$mednec" batch --kb "$kb" --threads "$t" \
        --detail brief --no-progress "$work/c1m.837" -o /dev/null
    done
  done
  echo '```'
} | tee "$out"

if [ "$big" = 0 ]; then
  echo "results: $out"
  exit 0
fi

echo "== 10 M lines"
[ -f "$work/c10m.837" ] || "$gen" --lines "$lines_10m" -o "$work/c10m.837"
{
  echo
  echo "## $lines_10m lines: batch --threads 2 --detail brief -o FILE"
  echo
  echo "input $(stat -c %s "$work/c10m.837") bytes"
  echo '```'
  timed "10m-lines" "$mednec" batch --kb "$kb" --threads 2 --detail brief \
    --no-progress "$work/c10m.837" -o "$work/c10m.out.jsonl"
  tail -1 "$work/stderr.txt"
  echo "output $(stat -c %s "$work/c10m.out.jsonl") bytes"
  echo '```'
} | tee -a "$out"
rm -f "$work/c10m.out.jsonl"

echo "== streaming"
[ -f "$work/small.837" ] || "$gen" --bytes "$bytes_small" --seed 2 \
  -o "$work/small.837"
[ -f "$work/big.837" ] || "$gen" --bytes "$bytes_big" --seed 3 \
  -o "$work/big.837"
{
  echo
  echo "## Streaming: peak memory on $bytes_small and $bytes_big bytes"
  echo
  echo '```'
  for f in small big; do
    echo "$f.837: $(stat -c %s "$work/$f.837") bytes"
    timed "stream-$f" "$mednec" batch --kb "$kb" --threads 2 --detail brief \
      --no-progress "$work/$f.837" -o /dev/null
    tail -1 "$work/stderr.txt"
  done
  echo '```'
} | tee -a "$out"

if [ "${MN_KEEP:-0}" != 1 ]; then
  rm -f "$work/c10m.837" "$work/small.837" "$work/big.837"
fi
echo "results: $out"
