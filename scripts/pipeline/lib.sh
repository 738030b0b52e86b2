# shellcheck shell=bash
# Shared by the pipeline scripts (sourced, not run): messages, argument checks and the artefact's
# layout. Both pipeline sets (.github/workflows/kms-*.yml, pipelines/azure-devops/) run the same
# scripts, so a plan, a guard, an apply and a drift check behave the same on either system.
#
# The artefact a plan leaves (and an apply consumes, unchanged):
#   <artefact>/stack/        the stack folder as planned (cdk.tf.json, assets/, .terraform.lock.hcl),
#                            without .terraform/ (providers are installed again from the lock file)
#   <artefact>/tfplan        the saved plan (terraform plan -out)
#   <artefact>/plan.json     terraform show -json tfplan (what the plan guard reads)
#   <artefact>/SHA256SUMS    sha256 of every file above; apply refuses an artefact that differs

# Terraform reads this to keep its output free of "run terraform apply next" hints meant for people.
export TF_IN_AUTOMATION=1

# die <message...>: prints "<script>: <message>" on stderr and exits 1.
die() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

# need <name> <value>: dies with the usage line when a required argument is empty.
need() {
  [[ -n "$2" ]] || die "missing $1; usage: $USAGE"
}

# need_stack <stack-dir>: stops unless <stack-dir> holds a synthesized stack.
need_stack() {
  [[ -f "$1/cdk.tf.json" ]] || die "$1/cdk.tf.json not found; synthesize the stack first (npm run synth -- --only <environment>)"
}

# tf <dir> <terraform arguments...>: terraform in <dir>, never prompting, without colour codes.
tf() {
  local dir="$1"
  shift
  terraform -chdir="$dir" "$@"
}

# checksums <artefact>: writes <artefact>/SHA256SUMS over every file in the artefact but itself.
checksums() {
  local sums
  sums="$(cd "$1" && find . -type f ! -name SHA256SUMS -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)"
  printf '%s\n' "$sums" >"$1/SHA256SUMS"
}
