#!/usr/bin/env bash
# Azure DevOps (templates/drift-stage.yml, in AzureCLI@2): drift.sh for one environment
# synthesized into cdktf.out. Environment: KMS_ENVIRONMENT, KMS_OUT (plan, JSON and summary).
# On drift the summary is attached to the run and the step fails (exit 2).
set -euo pipefail
USAGE="azure-devops-drift.sh (environment: KMS_ENVIRONMENT, KMS_OUT)"
here="$(dirname "$0")"
# shellcheck source=scripts/pipeline/lib.sh
source "$here/lib.sh"
# shellcheck source=scripts/pipeline/azure-devops-oidc.sh
source "$here/azure-devops-oidc.sh"
need KMS_ENVIRONMENT "${KMS_ENVIRONMENT:-}"
need KMS_OUT "${KMS_OUT:-}"
ado_oidc_env
status=0
"$here/drift.sh" "cdktf.out/stacks/kms-$KMS_ENVIRONMENT" "$KMS_OUT" || status=$?
if [[ "$status" -eq 2 ]]; then
  echo "##vso[task.uploadsummary]$KMS_OUT/summary.md"
  echo "##vso[task.logissue type=error]Drift in $KMS_ENVIRONMENT: the infrastructure differs from the configuration; see the summary"
fi
exit "$status"
