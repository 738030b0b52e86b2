// What a KMS host can be set up to activate (`kms.products` in an environment file): the Windows
// Server KMS host key, and one Office KMS host key per Office version. Each entry says which host
// operating systems can carry it, so a combination that cannot work is refused at synth time.
import { CATALOG_SOURCES } from "./sources";
import { officeKmsHostActivationId } from "./office-host-activation-ids";
import type { OfficeVersion } from "./office-versions";

/** Product names accepted in `kms.products[].product`. */
export const KMS_HOST_PRODUCT_NAMES = ["windows", "office-ltsc-2024", "office-ltsc-2021", "office-2019", "office-2016"] as const;

/** A product name accepted in `kms.products[].product`. */
export type KmsHostProductName = (typeof KMS_HOST_PRODUCT_NAMES)[number];

/** One thing a KMS host activates with one KMS host key. */
export interface KmsHostProduct {
  /** The name used in environment files. */
  readonly name: KmsHostProductName;
  /** `windows` (slmgr /ato) or `office` (Volume License Pack, then slmgr /ato <Activation ID>). */
  readonly kind: "windows" | "office";
  /** Oldest Windows Server release that can host this product's KMS host key. */
  readonly minimumHostRelease: number;
  /** The Office KMS host Activation ID (Office only). */
  readonly activationId?: string;
  /** Where the host requirement comes from. */
  readonly source: string;
}

function office(name: OfficeVersion & KmsHostProductName, minimumHostRelease: number): KmsHostProduct {
  return { name, kind: "office", minimumHostRelease, activationId: officeKmsHostActivationId(name), source: CATALOG_SOURCES.officeKmsHost };
}

/**
 * Minimum host OS per Office version (Microsoft Learn, configure-a-kms-host-computer-for-office):
 * LTSC 2024 needs Windows Server 2022 or later, LTSC 2021 Windows Server 2016, 2019 Windows
 * Server 2012, 2016 Windows Server 2008 R2 (written as 2008 here).
 */
export const KMS_HOST_PRODUCTS: readonly KmsHostProduct[] = Object.freeze([
  { name: "windows", kind: "windows", minimumHostRelease: 2016, source: CATALOG_SOURCES.windowsKmsPlanning },
  office("office-ltsc-2024", 2022),
  office("office-ltsc-2021", 2016),
  office("office-2019", 2012),
  office("office-2016", 2008),
]);

/** The definition of a product name. */
export function kmsHostProduct(name: KmsHostProductName): KmsHostProduct {
  const product = KMS_HOST_PRODUCTS.find((p) => p.name === name);
  if (!product) throw new RangeError(`unknown KMS host product "${name}"; use one of ${KMS_HOST_PRODUCT_NAMES.join(", ")}`);
  return product;
}

/** Windows Server KMS host key (CSVLK) groups, named after the release they come with. */
export const WINDOWS_CSVLK_VERSIONS = ["windows-server-2019", "windows-server-2022", "windows-server-2025"] as const;

/** A Windows Server CSVLK group. */
export type WindowsCsvlkVersion = (typeof WINDOWS_CSVLK_VERSIONS)[number];

/**
 * Host releases each Windows Server CSVLK can be installed on (Microsoft Learn,
 * kms-activation-planning): a 2025 key on 2025, 2022 or 2019; a 2022 key on 2022, 2019 or 2016;
 * a 2019 key on 2019, 2016 or 2012 R2. Datacenter: Azure Edition can never be a KMS host.
 */
export const WINDOWS_CSVLK_HOST_RELEASES: Readonly<Record<WindowsCsvlkVersion, readonly number[]>> = Object.freeze({
  "windows-server-2025": [2025, 2022, 2019],
  "windows-server-2022": [2022, 2019, 2016],
  "windows-server-2019": [2019, 2016, 2012],
});
