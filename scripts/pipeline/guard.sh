#!/usr/bin/env bash
# Runs the plan guard (`check-plan`, the main job's plan rehearsal) over a plan's JSON and writes
# its Markdown summary.
#   scripts/pipeline/guard.sh <plan.json> <summary.md> [<hazard-id>...]
# Each <hazard-id> is passed as --acknowledge <hazard-id>. The guard is
# `node dist/main.js check-plan` (built by `npm run synth`); KMS_PLAN_GUARD overrides the command
# (a program taking the same arguments). Exit status is the guard's: 0 no unacknowledged production
# hazard, 1 an unacknowledged hazard (the summary says which and how to acknowledge it), 2 bad
# input. Anything else (the guard missing or crashing) becomes 2, with the reason.
set -uo pipefail
USAGE="guard.sh <plan.json> <summary.md> [<hazard-id>...]"
# shellcheck source=scripts/pipeline/lib.sh
source "$(dirname "$0")/lib.sh"
plan="${1:-}"
summary="${2:-}"
need "<plan.json>" "$plan"
need "<summary.md>" "$summary"
shift 2
[[ -f "$plan" ]] || { echo "guard.sh: $plan not found; run scripts/pipeline/plan.sh first" >&2; exit 2; }

root="$(cd "$(dirname "$0")/../.." && pwd)"
if [[ -n "${KMS_PLAN_GUARD:-}" ]]; then
  read -r -a guard <<<"$KMS_PLAN_GUARD"
else
  [[ -f "$root/dist/main.js" ]] || { echo "guard.sh: $root/dist/main.js not found; run npm run synth (it builds the main job) first" >&2; exit 2; }
  guard=(node "$root/dist/main.js")
fi
args=(check-plan "$plan" --markdown "$summary")
for id in "$@"; do args+=(--acknowledge "$id"); done

"${guard[@]}" "${args[@]}"
status=$?
case "$status" in
  0 | 1 | 2) ;;
  *)
    echo "guard.sh: the plan guard (${guard[*]}) exited $status, which is none of its documented codes (0, 1, 2); treating it as bad input" >&2
    status=2
    ;;
esac
if [[ ! -s "$summary" ]]; then
  echo "guard.sh: the plan guard wrote no summary to $summary" >&2
  status=2
fi
exit "$status"
