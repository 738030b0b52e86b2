#!/usr/bin/env bash
# Checks that the terraform on PATH is the version the pipelines were written and tested for
# (a saved plan must be applied by the same Terraform version that made it).
#   scripts/pipeline/require-terraform.sh <version>      e.g. 1.11.4
set -euo pipefail
USAGE="require-terraform.sh <version>"
# shellcheck source=scripts/pipeline/lib.sh
source "$(dirname "$0")/lib.sh"
want="${1:-}"
need "<version>" "$want"
command -v terraform >/dev/null || die "terraform is not on PATH; install Terraform $want (developer.hashicorp.com/terraform/install) on the agent"
got="$(terraform version -json | sed -n 's/.*"terraform_version": *"\([^"]*\)".*/\1/p' | head -n 1)"
[[ "$got" == "$want" ]] || die "terraform on PATH is ${got:-of unknown version}, the pipeline wants $want; install $want or change the pipeline's terraform version"
echo "terraform $got"
