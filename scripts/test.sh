#!/usr/bin/env bash
# Installs dependencies, builds (warnings are errors) and runs every test,
# first in a release build, then under ASan+UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${MN_SKIP_INSTALL:-0}" != 1 ]; then ./scripts/install-deps.sh; fi
./scripts/check-source.sh
JOBS=$(nproc 2>/dev/null || echo 2)

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DMN_WERROR=ON >/dev/null
cmake --build build -j"$JOBS"
(cd build && ctest --output-on-failure -j"$JOBS")

cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DMN_SANITIZE=ON \
  -DMN_WERROR=ON -DMN_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan -j"$JOBS"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j"$JOBS" -LE slow)
