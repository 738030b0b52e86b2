#!/usr/bin/env bash
# Drift check of one synthesized stack: terraform plan -detailed-exitcode, and on a difference the
# plan guard's summary of it.
#   scripts/pipeline/drift.sh <stack-dir> <out-dir>
# Exit status: 0 no drift (the infrastructure matches the configuration), 2 drift (the summary is
# printed and left in <out-dir>/summary.md, with plan.json), 1 anything else (terraform or the
# guard failed; the reason is above).
set -uo pipefail
USAGE="drift.sh <stack-dir> <out-dir>"
# shellcheck source=scripts/pipeline/lib.sh
source "$(dirname "$0")/lib.sh"
stack="${1:-}"
out="${2:-}"
need "<stack-dir>" "$stack"
need "<out-dir>" "$out"
need_stack "$stack"
mkdir -p "$out" || die "cannot create $out"
out="$(cd "$out" && pwd)"

tf "$stack" init -input=false -no-color || die "terraform init failed in $stack"
# -detailed-exitcode: 0 no changes, 1 error, 2 changes present
# (developer.hashicorp.com/terraform/cli/commands/plan#detailed-exitcode).
tf "$stack" plan -input=false -no-color -detailed-exitcode -out="$out/tfplan"
status=$?
case "$status" in
  0)
    echo "drift.sh: no drift in $stack"
    exit 0
    ;;
  2) ;;
  *) die "terraform plan failed in $stack (exit $status)" ;;
esac
tf "$stack" show -json "$out/tfplan" >"$out/plan.json" || die "terraform show -json failed in $stack"
"$(dirname "$0")/guard.sh" "$out/plan.json" "$out/summary.md"
guard=$?
# 0 and 1 both describe the drift (1: it includes a production hazard); 2 is a guard failure.
[[ "$guard" -le 1 ]] || die "the plan guard could not read the drift plan (exit $guard)"
echo "drift.sh: DRIFT in $stack: the infrastructure differs from the configuration. The plan guard's summary:"
cat "$out/summary.md"
exit 2
