// The Activation ID of each Office KMS host licence: the argument of `slmgr /ato <id>`, `/dlv <id>`,
// `/dti <id>` and `/atp <cid> <id>` on the KMS host after the Office Volume License Pack is installed.
// A wrong ID makes `/ato` act on another licence, so the LTSC 2024 erratum is recorded as data.
import { CATALOG_SOURCES } from "./sources";
import type { OfficeVersion } from "./office-versions";

/** The KMS host licence of one Office version. */
export interface OfficeKmsHostActivation {
  /** The Office version the host licence activates (all its suites, Project and Visio). */
  readonly version: OfficeVersion;
  /** The Activation ID to pass to slmgr on the KMS host. */
  readonly activationId: string;
}

/** Office KMS host Activation IDs per Office version, with the page they were checked against. */
export const OFFICE_KMS_HOST_ACTIVATION_IDS: {
  /** Where the IDs come from (the host page as corrected in Sep 2024; the tools page agrees since 04/2025). */
  readonly source: string;
  /** One row per Office version. */
  readonly entries: readonly OfficeKmsHostActivation[];
} = Object.freeze({
  source: CATALOG_SOURCES.officeKmsHost,
  entries: Object.freeze([
    Object.freeze({ version: "office-ltsc-2024", activationId: "F3D89BBF-C0EC-47CE-A8FA-E5A5F97E447F" }),
    Object.freeze({ version: "office-ltsc-2021", activationId: "47F3B983-7C53-4D45-ABC6-BCD91E2DD90A" }),
    Object.freeze({ version: "office-2019", activationId: "70512334-47B4-44DB-A233-BE5EA33B914C" }),
    Object.freeze({ version: "office-2016", activationId: "98EBFE73-2084-4C97-932C-C0CD1643BEA7" }),
  ] as const),
});

/** A documented wrong Activation ID, kept so code and reviews can reject it by name. */
export interface ActivationIdErratum {
  /** The ID that older documentation gave. */
  readonly wrongId: string;
  /** The Office version the wrong ID was given for. */
  readonly version: OfficeVersion;
  /** What the wrong ID really identifies. */
  readonly actually: string;
  /** The ID to use instead. */
  readonly correctId: string;
  /** Where the correction is recorded. */
  readonly source: string;
}

/**
 * Versions of the Office tools page before 2025 gave 8D368FC1-… as the LTSC 2024 KMS host ID.
 * It is the Office LTSC ProPlus 2024 KMS *client* SKU; Microsoft fixed the host page in commit
 * bde96c36 (Sep 17 2024) and the tools page later. Using it on a host activates nothing useful.
 */
export const OFFICE_LTSC_2024_ACTIVATION_ID_ERRATUM: ActivationIdErratum = Object.freeze({
  wrongId: "8D368FC1-9470-4BE2-8D66-90E836CBB051",
  version: "office-ltsc-2024",
  actually: "the Office LTSC ProPlus 2024 KMS client SKU, not the KMS host licence",
  correctId: "F3D89BBF-C0EC-47CE-A8FA-E5A5F97E447F",
  source: CATALOG_SOURCES.officeTools,
});

/** The Activation ID of the Office KMS host licence for `version`. */
export function officeKmsHostActivationId(version: OfficeVersion): string {
  const entry = OFFICE_KMS_HOST_ACTIVATION_IDS.entries.find((e) => e.version === version);
  if (!entry) throw new Error(`The catalog has no Office KMS host Activation ID for ${version}.`);
  return entry.activationId;
}
