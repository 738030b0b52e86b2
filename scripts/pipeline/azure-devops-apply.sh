#!/usr/bin/env bash
# Azure DevOps (templates/apply-stage.yml, in AzureCLI@2): apply.sh on the downloaded artefact.
# Environment: KMS_ARTEFACT (the artefact directory).
set -euo pipefail
USAGE="azure-devops-apply.sh (environment: KMS_ARTEFACT)"
here="$(dirname "$0")"
# shellcheck source=scripts/pipeline/lib.sh
source "$here/lib.sh"
# shellcheck source=scripts/pipeline/azure-devops-oidc.sh
source "$here/azure-devops-oidc.sh"
need KMS_ARTEFACT "${KMS_ARTEFACT:-}"
ado_oidc_env
exec "$here/apply.sh" "$KMS_ARTEFACT"
