#!/usr/bin/env bash
# Installs the Debian (bookworm) packages mednec needs to build and test.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
  build-essential cmake pkg-config clang clang-format \
  libjansson-dev libzip-dev zlib1g-dev libxxhash-dev libsqlite3-dev \
  sqlite3 >/dev/null
