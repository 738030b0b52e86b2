// Office Deployment Tool (ODT) product ids for volume-licensed Office, and the ids it must refuse.
// Office 2016 is absent on purpose: the reference lists no ODT volume product ids or
// PerpetualVL channel for it, so the client kit cannot build an ODT configuration for 2016.
import { CATALOG_SOURCES } from "./sources";
import type { OfficeProduct, OfficeVersion } from "./office-versions";
import { officeVolumeKey } from "./volume-keys";

/** Office versions the ODT can install as volume-licensed products. */
export type OdtOfficeVersion = Exclude<OfficeVersion, "office-2016">;

/** ODT update channels of volume-licensed Office; each version has exactly one. */
export const ODT_CHANNELS = ["PerpetualVL2024", "PerpetualVL2021", "PerpetualVL2019"] as const;

/** One ODT update channel for volume-licensed Office. */
export type OdtChannel = (typeof ODT_CHANNELS)[number];

/** The only channel of each Office version (LTSC 2024 and 2021 have no other; 2019 uses PerpetualVL2019). */
export const ODT_CHANNEL_BY_VERSION: Readonly<Record<OdtOfficeVersion, OdtChannel>> = Object.freeze({
  "office-ltsc-2024": "PerpetualVL2024",
  "office-ltsc-2021": "PerpetualVL2021",
  "office-2019": "PerpetualVL2019",
});

const PREFIX_BY_PRODUCT = {
  "professional-plus": "ProPlus",
  standard: "Standard",
  "project-professional": "ProjectPro",
  "project-standard": "ProjectStd",
  "visio-professional": "VisioPro",
  "visio-standard": "VisioStd",
} as const satisfies Record<OfficeProduct, string>;

const YEAR_BY_VERSION = {
  "office-ltsc-2024": "2024",
  "office-ltsc-2021": "2021",
  "office-2019": "2019",
} as const satisfies Record<OdtOfficeVersion, string>;

const SOURCE_BY_VERSION: Readonly<Record<OdtOfficeVersion, string>> = {
  "office-ltsc-2024": CATALOG_SOURCES.odtLtsc2024,
  "office-ltsc-2021": CATALOG_SOURCES.odtLtsc2021,
  "office-2019": CATALOG_SOURCES.odt2019,
};

/** An ODT volume product id, e.g. `ProPlus2024Volume` or `VisioStd2019Volume`. */
export type OdtVolumeProductId =
  `${(typeof PREFIX_BY_PRODUCT)[OfficeProduct]}${(typeof YEAR_BY_VERSION)[OdtOfficeVersion]}Volume`;

/** Everything the client kit needs to know about one ODT volume product. */
export interface OdtVolumeProduct {
  /** The ODT `Product ID`. */
  readonly id: OdtVolumeProductId;
  /** The Office version it installs. */
  readonly version: OdtOfficeVersion;
  /** The product it installs. */
  readonly product: OfficeProduct;
  /** The only update channel for that version. */
  readonly channel: OdtChannel;
  /** The GVLK to put in `PIDKEY` so the client activates against KMS. */
  readonly gvlk: string;
  /** The Microsoft Learn page that lists the product id. */
  readonly source: string;
}

/** Every ODT volume product id, newest version first, in the order of the deploy pages. */
export const ODT_VOLUME_PRODUCTS: readonly OdtVolumeProduct[] = Object.freeze(
  (Object.keys(YEAR_BY_VERSION) as OdtOfficeVersion[]).flatMap((version) =>
    (Object.keys(PREFIX_BY_PRODUCT) as OfficeProduct[]).map((product) =>
      Object.freeze({
        id: `${PREFIX_BY_PRODUCT[product]}${YEAR_BY_VERSION[version]}Volume` as OdtVolumeProductId,
        version,
        product,
        channel: ODT_CHANNEL_BY_VERSION[version],
        gvlk: officeVolumeKey(version, product),
        source: SOURCE_BY_VERSION[version],
      }),
    ),
  ),
);

/** The ODT volume product with this exact id (ids are matched as Microsoft spells them), or undefined. */
export function officeProductById(id: string): OdtVolumeProduct | undefined {
  return ODT_VOLUME_PRODUCTS.find((p) => p.id === id);
}

/** The ODT volume product id of `product` in `version`. */
export function odtProductId(version: OdtOfficeVersion, product: OfficeProduct): OdtVolumeProductId {
  return `${PREFIX_BY_PRODUCT[product]}${YEAR_BY_VERSION[version]}Volume` as OdtVolumeProductId;
}

/**
 * Microsoft 365 Apps (subscription) ODT product ids the kit refuses by name. Only the two ids the
 * project named are listed; any other id ending in `Retail` is refused by `nonVolumeProductKind`.
 * Microsoft 365 Apps activate by user sign-in and never by KMS.
 */
export const SUBSCRIPTION_PRODUCT_IDS: readonly string[] = Object.freeze(["O365ProPlusRetail", "O365BusinessRetail"]);

/** Why an ODT product id cannot be activated by KMS. */
export type NonVolumeProductKind = "subscription" | "retail";

/**
 * Whether `id` is a product KMS can never activate: a Microsoft 365 Apps subscription id (listed,
 * or any `O365…` id) or any other retail id (`…Retail`). Undefined means "not known to be
 * non-volume", not "valid": check `officeProductById` for that.
 */
export function nonVolumeProductKind(id: string): NonVolumeProductKind | undefined {
  if (SUBSCRIPTION_PRODUCT_IDS.includes(id) || /^O365/i.test(id)) return "subscription";
  if (/Retail$/i.test(id)) return "retail";
  return undefined;
}
