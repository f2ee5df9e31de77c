#!/usr/bin/env bash
# Installs dependencies, builds (warnings are errors) and runs every test:
# a release build, a short fuzzing pass, then the suite again under
# ASan+UBSan (last, so ctest's summary closes the output).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${MN_SKIP_INSTALL:-0}" != 1 ]; then ./scripts/install-deps.sh; fi
./scripts/check-source.sh
JOBS=$(nproc 2>/dev/null || echo 2)

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DMN_WERROR=ON >/dev/null
cmake --build build -j"$JOBS"
(cd build && ctest --output-on-failure -j"$JOBS")

# A short fuzzing pass on every target (libFuzzer, clang); long runs happen
# outside CI. New inputs go to a scratch folder, not the committed corpora.
if command -v clang >/dev/null; then
  cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
    -DMN_BUILD_FUZZERS=ON -DMN_BUILD_TESTS=OFF -DMN_BUILD_BENCH=OFF \
    -DMN_BUILD_CLI=OFF -DMN_WERROR=ON >/dev/null
  cmake --build build-fuzz -j"$JOBS"
  for t in claim csv kb_open rules compact facts letter_check template mcd \
           http_request x837 x835 fhir csvclaim; do
    scratch=$(mktemp -d)
    seeds=$(mktemp -d)
    dict=()
    if [ -f "fuzz/$t.dict" ]; then dict=("-dict=fuzz/$t.dict"); fi
    # the X12 readers also start from the shared samples, read here (never
    # copied into the repository), each behind the byte that feeds it whole
    if [[ $t == x837 || $t == x835 ]] && [ -d ../shared/data/x12 ]; then
      i=0
      for f in ../shared/data/x12/*/*; do
        [ -f "$f" ] || continue
        { printf '\014'; cat "$f"; } >"$seeds/$i"
        i=$((i + 1))
      done
    fi
    ./build-fuzz/fuzz/fuzz_$t -max_total_time="${MN_FUZZ_SECONDS:-20}" \
      "${dict[@]}" "$scratch" "fuzz/corpus/$t" "$seeds" 2>&1 | tail -1
    rm -rf "$scratch" "$seeds"
  done
fi

cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DMN_SANITIZE=ON \
  -DMN_WERROR=ON -DMN_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan -j"$JOBS"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j"$JOBS")
