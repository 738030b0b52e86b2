// KmsHostImage: the Windows Server images a KMS host may run. A value object, so that an image
// that cannot be a KMS host cannot even be expressed.

/** Image names accepted in environment files. */
export const KMS_HOST_IMAGE_NAMES = ["windows-server-2019", "windows-server-2022", "windows-server-2025"] as const;

/** An image name accepted in environment files. */
export type KmsHostImageName = (typeof KMS_HOST_IMAGE_NAMES)[number];

/**
 * A Windows Server Datacenter Gen2 marketplace image for a KMS host.
 *
 * Only Datacenter (or Standard) editions can be KMS hosts. "Datacenter: Azure Edition" is
 * activated by Azure itself and **cannot be configured as a KMS host** (Microsoft Learn,
 * kms-activation-planning), so it is deliberately not offered here. Gen2 is required for Trusted
 * Launch (secure boot and vTPM).
 */
export class KmsHostImage {
  /**
   * Windows Server 2019 Datacenter, Gen2 ("gensecond"). Cannot host Office LTSC 2024 (needs 2022 or
   * later); needs updates to activate Windows Server 2022/2025 clients (kms-activation-planning).
   */
  public static readonly WINDOWS_SERVER_2019 = new KmsHostImage("windows-server-2019", "2019-datacenter-gensecond", 2019);
  /** Windows Server 2022 Datacenter, Gen2. Can host Office LTSC 2024, 2021, 2019 and 2016. */
  public static readonly WINDOWS_SERVER_2022 = new KmsHostImage("windows-server-2022", "2022-datacenter-g2", 2022);
  /** Windows Server 2025 Datacenter, Gen2. */
  public static readonly WINDOWS_SERVER_2025 = new KmsHostImage("windows-server-2025", "2025-datacenter-g2", 2025);

  /** The image for a name used in environment files. */
  public static fromName(name: KmsHostImageName): KmsHostImage {
    const image = [KmsHostImage.WINDOWS_SERVER_2019, KmsHostImage.WINDOWS_SERVER_2022, KmsHostImage.WINDOWS_SERVER_2025].find((i) => i.name === name);
    if (!image) {
      throw new RangeError(`unknown KMS host image "${name}"; use one of ${KMS_HOST_IMAGE_NAMES.join(", ")}`);
    }
    return image;
  }

  /** Marketplace publisher. */
  public readonly publisher = "MicrosoftWindowsServer";
  /** Marketplace offer. */
  public readonly offer = "WindowsServer";
  /**
   * Marketplace image version. `latest` picks the newest patched image at creation; later image
   * releases do not replace a running host (Terraform does not re-resolve `latest`).
   */
  public readonly version = "latest";

  private constructor(
    /** The name used in environment files. */
    public readonly name: KmsHostImageName,
    /** Marketplace SKU (never an `azure-edition` SKU). */
    public readonly sku: string,
    /** Windows Server release year, for product compatibility checks. */
    public readonly release: number,
  ) {}
}
