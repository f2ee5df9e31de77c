#!/usr/bin/env bash
# Checks the layering of src/lib (docs/internals/layers.md): every
# '#include "layer/..."' of a file, and, when object files are given, every
# symbol an object uses from another object, must belong to its own layer or
# to one it may use. Usage: check-layers.sh [OBJECT.o...]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
doc="$root/docs/internals/layers.md"
declare -A allow
layers=()
while IFS='|' read -r _ layer uses _; do
  layer="$(echo "$layer" | xargs)"
  [ -z "$layer" ] || [ "$layer" = layer ] || [[ "$layer" == -* ]] && continue
  layers+=("$layer")
  allow[$layer]=" $layer $(echo "$uses" | xargs) "
done < <(sed -n '/<!-- layers:begin -->/,/<!-- layers:end -->/p' "$doc" | grep '^|')
[ ${#layers[@]} -gt 0 ] || { echo "check-layers: no layer table in $doc" >&2; exit 1; }

# The layer of a path under src/lib: the longest table entry it starts with.
layer_of() {
  local rel="$1" best=""
  for l in "${layers[@]}"; do
    if [[ "$rel" == "$l/"* ]] && [ ${#l} -gt ${#best} ]; then best="$l"; fi
  done
  echo "$best"
}

bad=0
cd "$root/src/lib"
while IFS= read -r f; do
  me="$(layer_of "$f")"
  if [ -z "$me" ]; then
    echo "check-layers: $f is in no layer of docs/internals/layers.md" >&2
    bad=1; continue
  fi
  while IFS= read -r inc; do
    [[ "$inc" == mednec/* || "$inc" == mednec.h ]] && continue
    them="$(layer_of "$inc")"
    if [ -z "$them" ]; then
      echo "check-layers: src/lib/$f includes \"$inc\", which is in no layer" >&2
      bad=1
    elif [[ "${allow[$me]}" != *" $them "* ]]; then
      echo "check-layers: src/lib/$f ($me) includes \"$inc\" ($them)" >&2
      bad=1
    fi
  done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
done < <(find . -name '*.[ch]' | sed 's|^\./||' | sort)

if [ $# -gt 0 ]; then
  # who defines each global symbol, then who uses it
  declare -A def
  for o in "$@"; do
    rel="${o#*/lib/}"
    l="$(layer_of "$rel")"
    [ -n "$l" ] || continue
    while read -r sym; do def[$sym]="$l"; done < <(nm -g --defined-only "$o" | awk '{print $3}')
  done
  for o in "$@"; do
    rel="${o#*/lib/}"
    me="$(layer_of "$rel")"
    [ -n "$me" ] || continue
    while read -r sym; do
      them="${def[$sym]:-}"
      [ -n "$them" ] || continue
      if [[ "${allow[$me]}" != *" $them "* ]]; then
        echo "check-layers: ${rel%.o} ($me) calls $sym of $them" >&2
        bad=1
      fi
    done < <(nm -u "$o" | awk '{print $2}')
  done
fi
[ $bad = 0 ] && echo "check-layers: ${#layers[@]} layers, no include or call against the table"
exit $bad
