#!/usr/bin/env bash
# Prints the environment names (environments/<name>.yaml) as a JSON array, for a pipeline matrix.
#   scripts/pipeline/environments.sh [<environments-dir>]     e.g. ["lab","production"]
# Fails when there is none, so a matrix is never silently empty.
set -euo pipefail
USAGE="environments.sh [<environments-dir>]"
# shellcheck source=scripts/pipeline/lib.sh
source "$(dirname "$0")/lib.sh"
dir="${1:-environments}"
[[ -d "$dir" ]] || die "$dir not found; usage: $USAGE"
names=()
for file in "$dir"/*.yaml "$dir"/*.yml; do
  [[ -f "$file" ]] || continue
  name="$(basename "$file")"
  names+=("\"${name%.*}\"")
done
[[ "${#names[@]}" -gt 0 ]] || die "no environment files (*.yaml) in $dir"
(IFS=,; echo "[${names[*]}]")
