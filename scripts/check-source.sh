#!/usr/bin/env bash
# Bans calls the house style forbids in the library (style.md section 6).
set -euo pipefail
cd "$(dirname "$0")/.."
bad=0
banned='\b(atoi|strtok|sprintf|strcpy|abort|isalpha|isdigit|isspace|isalnum|isupper|islower|toupper|tolower|setlocale)\s*\('
lib=$(find src/lib -name '*.c' | sort)
# shellcheck disable=SC2086
if grep -nE "$banned" $lib | grep -vE '^\S+:\s*[0-9]+:\s*(/\*|\*)'; then
  echo "check-source: banned call above" >&2; bad=1
fi
# shellcheck disable=SC2086
if grep -nE '\b(malloc|calloc|realloc|free)\s*\(' $lib | grep -v 'src/lib/core/alloc.c' | grep -vE 'mn_x__'; then
  echo "check-source: raw allocation outside src/lib/core/alloc.c" >&2; bad=1
fi
if grep -nE '#include "[^"]*/' src/cli/*.c src/cli/*.h | grep -v '"mednec/'; then
  echo "check-source: the CLI must use only include/mednec" >&2; bad=1
fi
if grep -nE '#include "[^"]*/' src/server/*.c src/server/*.h | grep -v '"mednec/'; then
  echo "check-source: the server must use only include/mednec" >&2; bad=1
fi
if ! ./scripts/check-layers.sh; then bad=1; fi
if command -v clang-format >/dev/null; then
  files=$(git ls-files 'src/*.[ch]' 'include/*.h' 'tests/*.[ch]' 'fuzz/*.c' \
          'bench/*.[ch]' 'tools/*.c' 2>/dev/null || true)
  if [ -n "$files" ] && ! clang-format --dry-run --Werror $files 2>/dev/null; then
    echo "check-source: formatting differs from .clang-format (run clang-format -i)" >&2
    bad=1
  fi
fi
exit $bad
