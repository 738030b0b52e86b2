#!/usr/bin/env bash
# Plans one synthesized stack and packs the artefact an apply consumes (layout: lib.sh).
#   scripts/pipeline/plan.sh <stack-dir> <artefact-dir>
# e.g. scripts/pipeline/plan.sh cdktf.out/stacks/kms-lab artefact/kms-lab, after
# `npm run synth -- --only lab`. Runs terraform init, terraform plan -out, terraform show -json.
# Exit status: 0 when the artefact is complete, 1 otherwise (terraform's message is above).
# Authentication comes from the environment (ARM_USE_OIDC and friends: the pipeline sets them).
set -euo pipefail
USAGE="plan.sh <stack-dir> <artefact-dir>"
# shellcheck source=scripts/pipeline/lib.sh
source "$(dirname "$0")/lib.sh"
stack="${1:-}"
artefact="${2:-}"
need "<stack-dir>" "$stack"
need "<artefact-dir>" "$artefact"
need_stack "$stack"
if [[ -e "$artefact" ]] && [[ -n "$(ls -A "$artefact")" ]]; then die "$artefact is not empty; give an empty or new directory"; fi
mkdir -p "$artefact"
artefact="$(cd "$artefact" && pwd)"

tf "$stack" init -input=false -no-color
tf "$stack" plan -input=false -no-color -out="$artefact/tfplan"
tf "$stack" show -json "$artefact/tfplan" >"$artefact/plan.json"

# The stack folder as planned, without the providers and anything local (state, crash logs).
mkdir "$artefact/stack"
tar -C "$stack" --exclude=./.terraform --exclude='./*.tfstate' --exclude='./*.tfstate.backup' --exclude=./crash.log -cf - . | tar -C "$artefact/stack" -xf -
checksums "$artefact"
echo "plan.sh: artefact ready in $artefact (tfplan, plan.json, stack/, SHA256SUMS)"
