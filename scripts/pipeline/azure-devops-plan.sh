#!/usr/bin/env bash
# Azure DevOps (templates/plan-stage.yml, in AzureCLI@2): plan.sh, then guard.sh, for one
# environment synthesized into cdktf.out. Environment: KMS_ENVIRONMENT, KMS_ARTEFACT (the artefact
# directory), KMS_SUMMARY (the guard's Markdown), KMS_ACKNOWLEDGE (hazard ids, space-separated).
# The summary is attached to the run; the exit status is the guard's (0, 1 or 2) after a plan.
set -euo pipefail
USAGE="azure-devops-plan.sh (environment: KMS_ENVIRONMENT, KMS_ARTEFACT, KMS_SUMMARY)"
here="$(dirname "$0")"
# shellcheck source=scripts/pipeline/lib.sh
source "$here/lib.sh"
# shellcheck source=scripts/pipeline/azure-devops-oidc.sh
source "$here/azure-devops-oidc.sh"
need KMS_ENVIRONMENT "${KMS_ENVIRONMENT:-}"
need KMS_ARTEFACT "${KMS_ARTEFACT:-}"
need KMS_SUMMARY "${KMS_SUMMARY:-}"
ado_oidc_env

"$here/plan.sh" "cdktf.out/stacks/kms-$KMS_ENVIRONMENT" "$KMS_ARTEFACT"
read -r -a ids <<<"${KMS_ACKNOWLEDGE:-}"
status=0
"$here/guard.sh" "$KMS_ARTEFACT/plan.json" "$KMS_SUMMARY" "${ids[@]}" || status=$?
if [[ -s "$KMS_SUMMARY" ]]; then echo "##vso[task.uploadsummary]$KMS_SUMMARY"; fi
if [[ "$status" -eq 1 ]]; then echo "##vso[task.logissue type=error]Plan guard ($KMS_ENVIRONMENT): an unacknowledged production hazard; read the summary, then acknowledge it or change the configuration"; fi
exit "$status"
