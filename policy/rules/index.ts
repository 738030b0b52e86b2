import type { Rule } from "../rule";
import { AdminPortsRestricted } from "./admin-ports-restricted";
import { DnsUpdateNoCredentials } from "./dns-update-no-credentials";
import { KeyVaultNetworkDeny } from "./key-vault-network-deny";
import { KeyVaultPublicAccessOff } from "./key-vault-public-access";
import { KeyVaultPurgeProtection } from "./key-vault-purge-protection";
import { KeyVaultRbac } from "./key-vault-rbac";
import { KeyVaultSoftDelete } from "./key-vault-soft-delete";
import { KmsPortRestricted } from "./kms-port-restricted";
import { MaxKmsHosts } from "./max-kms-hosts";
import { NoInternetInbound } from "./no-internet-inbound";
import { NoIpForwarding } from "./no-ip-forwarding";
import { NoLiteralProductKeys } from "./no-literal-product-keys";
import { NoLiteralSecrets } from "./no-literal-secrets";
import { NoPublicIp } from "./no-public-ip";
import { ProductionLocks } from "./production-locks";
import { ProductionPreventDestroy } from "./production-prevent-destroy";
import { VmAgentProvisioned } from "./vm-agent";
import { VmEncryptionAtHost } from "./vm-encryption-at-host";
import { VmKmsCapableImage } from "./vm-kms-capable-image";
import { VmSystemAssignedIdentity } from "./vm-managed-identity";
import { VmNoExtensions } from "./vm-no-extensions";
import { VmPlatformPatching } from "./vm-platform-patching";
import { VmTrustedLaunch } from "./vm-trusted-launch";

export {
  AdminPortsRestricted,
  DnsUpdateNoCredentials,
  KeyVaultNetworkDeny,
  KeyVaultPublicAccessOff,
  KeyVaultPurgeProtection,
  KeyVaultRbac,
  KeyVaultSoftDelete,
  KmsPortRestricted,
  MaxKmsHosts,
  NoInternetInbound,
  NoIpForwarding,
  NoLiteralProductKeys,
  NoLiteralSecrets,
  NoPublicIp,
  ProductionLocks,
  ProductionPreventDestroy,
  VmAgentProvisioned,
  VmEncryptionAtHost,
  VmKmsCapableImage,
  VmNoExtensions,
  VmPlatformPatching,
  VmSystemAssignedIdentity,
  VmTrustedLaunch,
};
export { MAX_KMS_HOSTS } from "./max-kms-hosts";
export { ALLOWED_VM_EXTENSION } from "./vm-no-extensions";

/** Every rule of the pack, in catalogue order (RULES.md follows it). */
export const ALL_RULES: readonly Rule[] = [
  NoPublicIp,
  NoIpForwarding,
  NoInternetInbound,
  AdminPortsRestricted,
  KmsPortRestricted,
  VmTrustedLaunch,
  VmEncryptionAtHost,
  VmPlatformPatching,
  VmAgentProvisioned,
  VmKmsCapableImage,
  VmSystemAssignedIdentity,
  VmNoExtensions,
  MaxKmsHosts,
  KeyVaultRbac,
  KeyVaultSoftDelete,
  KeyVaultPurgeProtection,
  KeyVaultNetworkDeny,
  KeyVaultPublicAccessOff,
  NoLiteralProductKeys,
  NoLiteralSecrets,
  DnsUpdateNoCredentials,
  ProductionLocks,
  ProductionPreventDestroy,
];
