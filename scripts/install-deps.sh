#!/usr/bin/env bash
# Installs what mednec needs to build and test: Debian (bookworm) packages
# with apt-get, and the browser-test driver (playwright-core, pinned in
# tests/browser/package-lock.json) with the machine's own node and npm.
# Nothing else is downloaded: playwright-core never fetches a browser, the
# tests drive Debian's chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
  build-essential cmake pkg-config clang clang-format \
  libjansson-dev libzip-dev zlib1g-dev libxxhash-dev libsqlite3-dev \
  sqlite3 libmicrohttpd-dev libgnutls28-dev libjwt-dev \
  libcairo2-dev libpango1.0-dev libpoppler-glib-dev \
  fonts-dejavu-core fonts-liberation2 poppler-utils chromium wrk python3 >/dev/null
if ! command -v npm >/dev/null; then
  echo "install-deps: npm not found: the browser tests need the machine's node and npm" >&2
  exit 1
fi
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
