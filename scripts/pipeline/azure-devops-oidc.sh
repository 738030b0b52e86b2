# shellcheck shell=bash
# Sourced by the azure-devops-*.sh scripts, which run inside an AzureCLI@2 task on a
# workload-identity service connection. Points Terraform (the azurerm provider and backend) at that
# connection, refreshing its OIDC token from the pipeline as needed, and refuses a connection with
# a secret.
#
# AzureCLI@2, on a workload-identity connection, sets AZURESUBSCRIPTION_SERVICE_CONNECTION_ID,
# AZURESUBSCRIPTION_CLIENT_ID and AZURESUBSCRIPTION_TENANT_ID (microsoft/azure-pipelines-tasks,
# Tasks/AzureCLIV2/azureclitask.ts:331-333 at 299572e); with addSpnToEnvironment it also sets
# servicePrincipalId and tenantId, and servicePrincipalKey only for a secret or certificate
# (azureclitask.ts:117-126). Terraform 1.11.4's azurerm backend and the azurerm provider 4.55.0
# read ARM_USE_OIDC, ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID, SYSTEM_ACCESSTOKEN and
# SYSTEM_OIDCREQUESTURI (hashicorp/terraform internal/backend/remote-state/azure/backend.go:166-183
# at v1.11.4; hashicorp/terraform-provider-azurerm internal/provider/provider.go:242-256 at v4.55.0).

# ado_oidc_env: exports ARM_* for Terraform, or dies saying what the task is missing.
ado_oidc_env() {
  if [[ -n "${servicePrincipalKey:-}" ]]; then
    die "the service connection authenticates with a secret or certificate; use a workload identity federation connection (README, \"Deploying from a pipeline\")"
  fi
  local connection="${AZURESUBSCRIPTION_SERVICE_CONNECTION_ID:-}"
  [[ -n "$connection" ]] || die "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID is not set: run this script in an AzureCLI@2 task on a workload identity federation service connection"
  [[ -n "${SYSTEM_ACCESSTOKEN:-}" ]] || die "SYSTEM_ACCESSTOKEN is not set: add  SYSTEM_ACCESSTOKEN: \$(System.AccessToken)  to the task's env"
  [[ -n "${SYSTEM_OIDCREQUESTURI:-}" ]] || die "SYSTEM_OIDCREQUESTURI is not set (the predefined variable System.OidcRequestUri); run on Azure DevOps Services"
  export ARM_USE_OIDC=true
  export ARM_USE_CLI=false
  export ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID="$connection"
  export ARM_CLIENT_ID="${AZURESUBSCRIPTION_CLIENT_ID:-${servicePrincipalId:-}}"
  export ARM_TENANT_ID="${AZURESUBSCRIPTION_TENANT_ID:-${tenantId:-}}"
  if [[ -z "${ARM_SUBSCRIPTION_ID:-}" ]]; then
    ARM_SUBSCRIPTION_ID="$(az account show --query id --output tsv)" || die "az account show failed; give the service connection a subscription or set ARM_SUBSCRIPTION_ID"
    export ARM_SUBSCRIPTION_ID
  fi
}
