#!/usr/bin/env bash
# Applies the saved plan of an artefact that plan.sh made, without planning again.
#   scripts/pipeline/apply.sh <artefact-dir>
# Checks the artefact against its SHA256SUMS, installs the providers the lock file pins
# (terraform init -lockfile=readonly: a provider the lock file does not pin is an error), then
# terraform apply <artefact>/tfplan. Terraform itself refuses a plan made from another state
# ("Saved plan is stale"): plan again then.
set -euo pipefail
USAGE="apply.sh <artefact-dir>"
# shellcheck source=scripts/pipeline/lib.sh
source "$(dirname "$0")/lib.sh"
artefact="${1:-}"
need "<artefact-dir>" "$artefact"
for file in tfplan plan.json SHA256SUMS stack/cdk.tf.json; do
  [[ -f "$artefact/$file" ]] || die "$artefact/$file not found; pass the directory plan.sh filled (the pipeline artefact, downloaded whole)"
done
artefact="$(cd "$artefact" && pwd)"
if ! (cd "$artefact" && sha256sum --check --quiet --strict SHA256SUMS); then
  die "$artefact does not match its SHA256SUMS (changed after the plan); plan again, do not apply it"
fi
# Nothing may have been added either (a file the plan never saw, e.g. an override .tf.json).
expected="$(sed 's/^[0-9a-f]*  //' "$artefact/SHA256SUMS" | LC_ALL=C sort)"
actual="$(cd "$artefact" && find . -type f ! -name SHA256SUMS ! -path './stack/.terraform/*' | LC_ALL=C sort)"
[[ "$expected" == "$actual" ]] || die "$artefact holds files its SHA256SUMS does not list:$(comm -13 <(echo "$expected") <(echo "$actual") | sed 's/^/ /' | tr '\n' ' '); plan again, do not apply it"

tf "$artefact/stack" init -input=false -no-color -lockfile=readonly
tf "$artefact/stack" apply -input=false -no-color "$artefact/tfplan"
