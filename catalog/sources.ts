// Where every catalog value comes from. The URLs are the Microsoft Learn addresses recorded in
// /work/shared/reference/kms-facts.md, so a reviewer can check each table against its page.

/** Microsoft Learn pages that the catalog tables are taken from. */
export const CATALOG_SOURCES = {
  /** KMS client activation keys (GVLKs) for Windows Server and Windows 10/11. */
  windowsGvlks: "https://learn.microsoft.com/windows-server/get-started/kms-client-activation-keys",
  /** GVLKs for volume-licensed Office, Project and Visio. */
  officeGvlks: "https://learn.microsoft.com/office/volume-license-activation/gvlks",
  /** Configure a KMS host computer for Office (Office KMS host Activation IDs; fixed for LTSC 2024 in commit bde96c36). */
  officeKmsHost: "https://learn.microsoft.com/office/volume-license-activation/configure-a-kms-host-computer-for-office",
  /** Tools to manage volume activation of Office (Activation IDs; older versions carried the LTSC 2024 erratum). */
  officeTools: "https://learn.microsoft.com/office/volume-license-activation/tools-to-manage-volume-activation-of-office",
  /** Deploy Office LTSC 2024 (ODT product ids). */
  odtLtsc2024: "https://learn.microsoft.com/office/ltsc/2024/deploy",
  /** Deploy Office LTSC 2021 (ODT product ids). */
  odtLtsc2021: "https://learn.microsoft.com/office/ltsc/2021/deploy",
  /** Deploy Office 2019 (ODT product ids). */
  odt2019: "https://learn.microsoft.com/office/2019/deploy",
  /** Update Office LTSC 2024 (PerpetualVL2024 is its only channel). */
  updateLtsc2024: "https://learn.microsoft.com/office/ltsc/2024/update",
  /** Update Office LTSC 2021 (PerpetualVL2021 is its only channel). */
  updateLtsc2021: "https://learn.microsoft.com/office/ltsc/2021/update",
  /** ODT configuration options (Channel values, AUTOACTIVATE, PerpetualVL2019). */
  odtOptions: "https://learn.microsoft.com/microsoft-365-apps/deploy/office-deployment-tool-configuration-options",
  /** Plan for KMS activation (CSVLK groups and the host OS each can be installed on; Azure Edition cannot host KMS). */
  windowsKmsPlanning: "https://learn.microsoft.com/windows-server/get-started/kms-activation-planning",
  /** Activation error codes and their fixes. */
  activationErrors: "https://learn.microsoft.com/windows-server/get-started/activation-error-codes",
  /** Azure regions list (programmatic names, availability zone support): catalog/azure-regions.ts. */
  azureRegions: "https://learn.microsoft.com/azure/reliability/regions-list",
} as const;
