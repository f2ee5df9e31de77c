#!/usr/bin/env bash
# bench/server/run.sh: load figures of `mednec serve` (docs/benchmarks.md).
#
#   bench/server/run.sh [SECONDS]      (default 15 s per run)
#
# Builds the Release mednec in build-bench/, compiles a KB from
# ../shared/data (the tests' fixture KB when that folder is absent),
# starts the server on a loopback port with 2 threads and its request log
# on, and drives it with wrk (one thread, on the same two cores):
#   1. POST /v1/check at saturation (realistic claims: bench/server/
#      claims.jsonl), and the server's CPU time per request
#   2. the same at a fixed offered load of half that rate (each connection
#      pauses between requests: wrk's delay()), its p99
#   3. the same at saturation with 10% malformed requests mixed in
#   4. POST /cds-services/mednec-order-sign at saturation: unsigned
#      (--cds-insecure), with RS384 and with ES384 JWTs (each a new jti),
#      and unsigned with 10% malformed
#   5. flat perf profiles of the server: /v1/check, order-sign unsigned
#      and with RS384 JWTs
# Results: bench/results/server/latest.md, the wrk outputs and the profile.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$root/build-bench"
data="${MN_SHARED_DATA:-$root/../shared/data}"
out="$root/bench/results/server"
here="$root/bench/server"
secs="${1:-15}"
mkdir -p "$out"
report="$out/latest.md"

echo "== building (Release) in $build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS=-g \
  -DMN_BUILD_TESTS=OFF -DMN_BUILD_CLI=ON -DMN_SHARED_DATA="$data" \
  >"$out/cmake.log"
cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)" --target mednec_cli \
  >>"$out/cmake.log"
cli="$build/mednec"

kb="$out/kb.mnkb"
if [ -d "$data" ]; then
  echo "== KB from $data"
  "$cli" build --quiet -o "$kb" "$data"
else
  echo "note: $data not found: the fixture KB of the tests is used"
  "$cli" build --quiet -o "$kb" "$root/tests/fixtures/server"
fi

server_pid=""
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" || true
  fi
  server_pid=""
}
trap stop_server EXIT

start_server() { # extra options...
  rm -f "$out/port"
  "$cli" serve --kb "$kb" --listen 127.0.0.1:0 --port-file "$out/port" \
    --threads 2 --max-connections 1024 "$@" 2>>"$out/serve.log" &
  server_pid=$!
  for _ in $(seq 1 200); do
    [ -s "$out/port" ] && break
    sleep 0.05
  done
  port=$(cat "$out/port")
  url="http://127.0.0.1:$port"
}

cpu_ticks() { # utime + stime of the server, in clock ticks
  awk '{print $14 + $15}' "/proc/$server_pid/stat"
}

hz=$(getconf CLK_TCK)

# profile NAME [env...]: a flat perf profile of the server under load
profile() {
  local name=$1
  shift
  command -v perf >/dev/null || return 0
  echo "== profile $name"
  ( env "$@" MN_WRK_THREADS=1 wrk -t1 -c64 -d8s -s "$here/load.lua" "$url/" \
      >/dev/null 2>&1 ) &
  local wrk_pid=$!
  sleep 1
  perf record -q -F 999 -p "$server_pid" -o "$out/perf-$name.data" -- sleep 5 \
    >/dev/null 2>&1 || true
  wait $wrk_pid || true
  perf report -i "$out/perf-$name.data" --stdio --no-children --sort dso,symbol \
    --percent-limit 0.8 2>/dev/null | grep -E '^ +[0-9]' | head -40 \
    >"$out/profile-$name.txt" || true
}

# runs wrk; NAME CONNECTIONS [env...]; prints the rate and keeps the output
run_wrk() {
  local name=$1 conns=$2
  shift 2
  local t0 t1
  cut -d' ' -f1 /proc/loadavg >"$out/load-$name.txt"
  t0=$(cpu_ticks)
  env "$@" MN_WRK_THREADS=1 wrk -t1 -c"$conns" -d"${dur:-$secs}s" --timeout 10s \
    -s "$here/load.lua" "$url/" >"$out/wrk-$name.txt" 2>&1
  t1=$(cpu_ticks)
  local rate reqs
  rate=$(awk '/^Requests\/sec:/ {print $2}' "$out/wrk-$name.txt")
  reqs=$(awk '/ requests in / {print $1}' "$out/wrk-$name.txt")
  echo "$(( (t1 - t0) * 1000000 / hz / reqs ))" >"$out/cpu-$name.txt"
  echo "$rate"
}

: >"$out/serve.log"
{
  echo "# mednec serve load figures"
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| command | \`bench/server/run.sh $secs\` |"
  echo "| date | $(date -u '+%Y-%m-%d %H:%M UTC') |"
  echo "| commit | \`$(git -C "$root" rev-parse --short HEAD)\` |"
  echo "| machine | $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr) |"
  echo "| load generator | $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), 1 thread, on the same cores |"
  echo "| KB | $(du -h "$kb" | cut -f1) ($( [ -d "$data" ] && echo "all of ../shared/data" || echo "test fixtures" )) |"
  echo "| server | 2 threads, request log on (stderr to a file) |"
  echo "| load average at the start | $(cut -d' ' -f1-3 /proc/loadavg) |"
  echo
} >"$report"

echo "== /v1/check"
start_server
cat "$here/claims.jsonl" >"$out/bodies-check.txt"
sat=$(run_wrk check-saturation 64 MN_BODIES="$out/bodies-check.txt" MN_PATH=/v1/check)
echo "   saturation: $sat req/s"
# half the rate: c connections each pausing d ms after each answer, so
# the offered rate is c / (d + latency); c is calibrated in short runs
# until the achieved rate is within 3% of half the saturation rate. A
# short pause keeps c (and the bursts of timers firing together) small.
half=$(awk -v r="$sat" 'BEGIN {printf "%d", r / 2}')
delay=1
conns=$(awk -v h="$half" -v d="$delay" 'BEGIN {printf "%d", h * d / 1000 + 0.5}')
for _ in 1 2 3 4 5; do
  got=$(env MN_BODIES="$out/bodies-check.txt" MN_PATH=/v1/check MN_DELAY_MS=$delay \
        MN_WRK_THREADS=1 wrk -t1 -c"$conns" -d3s -s "$here/load.lua" "$url/" 2>&1 |
        awk '/^Requests\/sec:/ {print $2}')
  ok=$(awk -v g="$got" -v h="$half" 'BEGIN {d = g / h - 1; print (d < 0.03 && d > -0.03) ? 1 : 0}')
  [ "$ok" = 1 ] && break
  conns=$(awk -v c="$conns" -v g="$got" -v h="$half" 'BEGIN {printf "%d", c * h / g + 0.5}')
done
halfrate=$(run_wrk check-half "$conns" MN_BODIES="$out/bodies-check.txt" MN_PATH=/v1/check MN_DELAY_MS=$delay)
echo "   half ($half req/s offered with $conns connections x ${delay} ms): $halfrate req/s"
bad=$(run_wrk check-malformed 64 MN_BODIES="$out/bodies-check.txt" MN_PATH=/v1/check MN_BAD="$here/malformed.jsonl")
echo "   10% malformed: $bad req/s"
profile check MN_BODIES="$out/bodies-check.txt" MN_PATH=/v1/check
stop_server

echo "== order-sign"
tr -d '\n' <"$here/order-sign.json" >"$out/bodies-cds.txt"
echo >>"$out/bodies-cds.txt"
start_server --cds-insecure --today 2024-03-01
cds=$(run_wrk cds-unsigned 64 MN_BODIES="$out/bodies-cds.txt" MN_PATH=/cds-services/mednec-order-sign)
echo "   unsigned: $cds req/s"
cdsbad=$(run_wrk cds-malformed 64 MN_BODIES="$out/bodies-cds.txt" MN_PATH=/cds-services/mednec-order-sign MN_BAD="$here/malformed.jsonl")
echo "   unsigned, 10% malformed: $cdsbad req/s"
profile cds-unsigned MN_BODIES="$out/bodies-cds.txt" MN_PATH=/cds-services/mednec-order-sign
stop_server
# JWTs: enough distinct tokens for the run (each jti is used once; a
# replayed one is refused after its signature is checked). Signing them
# takes node about 1 ms per RS384 token, so the signed runs last at most
# 5 s: 16,000 RS384 and 6,000 ES384 tokens per second of run, with room
# to spare (the report counts any refused request as a failure).
jsecs=$(( secs < 5 ? secs : 5 ))
aud="https://cds.bench.example/cds-services/mednec-order-sign"
node "$here/tokens.mjs" "$out" "$aud" $((6000 * jsecs + 10000)) \
  $((16000 * jsecs + 20000))
start_server --cds-jwks "$out/jwks.json" --base-url https://cds.bench.example \
  --today 2024-03-01 --jwt-max-age 3600
rs=$(dur=$jsecs run_wrk cds-rs384 64 MN_BODIES="$out/bodies-cds.txt" MN_PATH=/cds-services/mednec-order-sign MN_TOKENS="$out/tokens-rs384.txt")
echo "   RS384 JWTs: $rs req/s"
es=$(dur=$jsecs run_wrk cds-es384 64 MN_BODIES="$out/bodies-cds.txt" MN_PATH=/cds-services/mednec-order-sign MN_TOKENS="$out/tokens-es384.txt")
echo "   ES384 JWTs: $es req/s"
# the tokens left after the RS384 run are unused: profile on them
tail -n +$(( $(awk '/ requests in / {print $1}' "$out/wrk-cds-rs384.txt") + 64 )) \
  "$out/tokens-rs384.txt" >"$out/tokens-rs384-rest.txt"
profile cds-rs384 MN_BODIES="$out/bodies-cds.txt" MN_PATH=/cds-services/mednec-order-sign MN_TOKENS="$out/tokens-rs384-rest.txt"
stop_server

row() { # name label
  local f="$out/wrk-$1.txt"
  local rate p50 p99 cpu failed
  rate=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$f")
  p50=$(awk '/^p50 / {print $2}' "$f")
  p99=$(awk '/^p50 / {print $8}' "$f")
  failed=$(awk '/^good requests failed:/ {print $4}' "$f")
  cpu=$(cat "$out/cpu-$1.txt")
  echo "| $2 | $rate | $p50 ms | $p99 ms | $cpu µs | $failed | $(cat "$out/load-$1.txt") |"
}

{
  echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared: other"
  echo "builds and tests may have run at the same time)."
  echo
  echo "| run | requests/s | p50 | p99 | server CPU per request | good requests failed | load average before |"
  echo "|---|---|---|---|---|---|---|"
  row check-saturation "\`/v1/check\`, saturation (64 connections)"
  row check-half "\`/v1/check\`, $half/s offered: half the saturation rate ($conns connections, ${delay} ms pause)"
  row check-malformed "\`/v1/check\`, saturation, 10% malformed"
  row cds-unsigned "order-sign, unsigned (\`--cds-insecure\`), saturation"
  row cds-malformed "order-sign, unsigned, 10% malformed"
  row cds-rs384 "order-sign, RS384 JWT per call, saturation (${jsecs} s)"
  row cds-es384 "order-sign, ES384 JWT per call, saturation (${jsecs} s)"
  echo
  echo "Each wrk output: \`bench/results/server/wrk-*.txt\`."
  for p in check cds-unsigned cds-rs384; do
    [ -s "$out/profile-$p.txt" ] || continue
    echo
    echo "## Profile of the server: $p (perf, flat, functions above 0.8%)"
    echo
    echo '```'
    cat "$out/profile-$p.txt"
    echo '```'
  done
} >>"$report"
echo "== report: $report"
