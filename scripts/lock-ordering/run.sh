#!/usr/bin/env bash
# Opt-in proof (needs a terraform binary; no provider plugin, no network): the lock ordering the
# stacks rely on. terraform_data and local-exec are built into Terraform. Not part of npm test,
# which must not depend on anything outside the repository.
#   bash scripts/lock-ordering/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tf() { terraform -chdir="$1" "${@:2}" -input=false -no-color >/dev/null 2>"$1/stderr" || { cat "$1/stderr"; exit 1; }; }
expect_log() {
  local dir="$1" want="$2" got
  got="$(tr '\n' ' ' < "$dir/log" | sed 's/ $//')"
  rm -f "$dir/log"
  if [[ "$got" != "$want" ]]; then echo "FAIL: expected '$want', got '$got'"; exit 1; fi
  echo "ok: $want"
}

mkdir "$work/vault" && cp "$here/vault-lock.tf" "$work/vault/main.tf"
tf "$work/vault" init
tf "$work/vault" apply -auto-approve -var 'names=["windows","office"]' -var principal=p1
expect_log "$work/vault" "create-lock"
tf "$work/vault" apply -auto-approve -var 'names=["windows","office"]' -var principal=p1
if [[ -f "$work/vault/log" ]]; then echo "FAIL: an unchanged plan touched the lock"; exit 1; fi; echo "ok: no change, lock untouched"
# A product removed: its assignment is deleted between the lock's delete and its re-creation.
tf "$work/vault" apply -auto-approve -var 'names=["windows"]' -var principal=p1
expect_log "$work/vault" "destroy-lock destroy-assignment-office create-lock"
# A new deployer principal: every assignment is replaced under the same window.
tf "$work/vault" apply -auto-approve -var 'names=["windows"]' -var principal=p2
expect_log "$work/vault" "destroy-lock destroy-assignment-windows create-lock"

mkdir "$work/host" && cp "$here/host-lock.tf" "$work/host/main.tf"
tf "$work/host" init
tf "$work/host" apply -auto-approve
expect_log "$work/host" "create-lock"
tf "$work/host" apply -auto-approve -replace=terraform_data.run_command
expect_log "$work/host" "destroy-lock destroy-run-command create-lock"
echo "lock ordering: all cases hold"
