// Microsoft's published KMS client setup keys (GVLKs). They are public by design: a GVLK only
// tells the client to look for a KMS host, it activates nothing on its own. The security policy
// pack uses allPublishedKeys() as the allowlist of keys that may appear in code and config; any
// other 5x5 key (a MAK, a CSVLK) is a secret and must never be committed.
import { CATALOG_SOURCES } from "./sources";
import { OFFICE_VERSIONS, type OfficeProduct, type OfficeVersion } from "./office-versions";

/** Shape of every product key: five groups of five upper-case letters or digits. */
export const GVLK_PATTERN = /^[A-Z0-9]{5}(-[A-Z0-9]{5}){4}$/;

/** True when `key` has the 5x5 shape of a product key (says nothing about whether it is published). */
export function isWellFormedGvlk(key: string): boolean {
  return GVLK_PATTERN.test(key);
}

/** One table of keys copied from one Microsoft page. */
export interface KeyTable<T> {
  /** What the table lists, for messages and docs. */
  readonly title: string;
  /** The Microsoft Learn page the values were copied from. */
  readonly source: string;
  /** The rows, in the order of the source page. */
  readonly entries: readonly T[];
}

/** Windows Server releases that have GVLKs in the catalog. */
export type WindowsServerRelease =
  | "windows-server-2025"
  | "windows-server-2022"
  | "windows-server-2019"
  | "windows-server-2016";

/** Windows Server editions that have GVLKs in at least one release. */
export type WindowsServerEdition = "standard" | "datacenter" | "datacenter-azure-edition" | "essentials";

/** The GVLK of one Windows Server release and edition. */
export interface WindowsServerKey {
  /** The Windows Server release. */
  readonly release: WindowsServerRelease;
  /** The edition within that release. */
  readonly edition: WindowsServerEdition;
  /** The published KMS client setup key. */
  readonly gvlk: string;
}

/** Windows 10/11 client editions that have GVLKs. */
export type WindowsClientEdition =
  | "pro"
  | "pro-n"
  | "pro-for-workstations"
  | "pro-education"
  | "education"
  | "enterprise"
  | "enterprise-n"
  | "enterprise-g"
  | "enterprise-ltsc"
  | "enterprise-ltsc-n"
  | "iot-enterprise-ltsc";

/** The GVLK of one Windows client edition; Windows 10 and 11 share these keys. */
export interface WindowsClientKey {
  /** The edition. */
  readonly edition: WindowsClientEdition;
  /** Every Windows release this one key is published for (Microsoft uses the same key for 10 and 11). */
  readonly appliesTo: readonly string[];
  /** The published KMS client setup key. */
  readonly gvlk: string;
}

/** The GVLK of one volume-licensed Office product in one Office version. */
export interface OfficeVolumeKey {
  /** The Office version. */
  readonly version: OfficeVersion;
  /** The product (suite, Project or Visio edition). */
  readonly product: OfficeProduct;
  /** The published KMS client setup key. */
  readonly gvlk: string;
}

/** Windows Server GVLKs: 2016-2025 Standard and Datacenter, Azure Edition where Microsoft lists one, Essentials 2019. */
export const WINDOWS_SERVER_KEYS: KeyTable<WindowsServerKey> = freezeTable({
  title: "Windows Server KMS client setup keys",
  source: CATALOG_SOURCES.windowsGvlks,
  entries: [
    { release: "windows-server-2025", edition: "standard", gvlk: "TVRH6-WHNXV-R9WG3-9XRFY-MY832" },
    { release: "windows-server-2025", edition: "datacenter", gvlk: "D764K-2NDRG-47T6Q-P8T8W-YP6DF" },
    { release: "windows-server-2025", edition: "datacenter-azure-edition", gvlk: "XGN3F-F394H-FD2MY-PP6FD-8MCRC" },
    { release: "windows-server-2022", edition: "standard", gvlk: "VDYBN-27WPP-V4HQT-9VMD4-VMK7H" },
    { release: "windows-server-2022", edition: "datacenter", gvlk: "WX4NM-KYWYW-QJJR4-XV3QB-6VM33" },
    { release: "windows-server-2022", edition: "datacenter-azure-edition", gvlk: "NTBV8-9K7Q8-V27C6-M2BTV-KHMXV" },
    { release: "windows-server-2019", edition: "standard", gvlk: "N69G4-B89J2-4G8F4-WWYCC-J464C" },
    { release: "windows-server-2019", edition: "datacenter", gvlk: "WMDGN-G9PQG-XVVXX-R3X43-63DFG" },
    { release: "windows-server-2019", edition: "essentials", gvlk: "WVDHN-86M7X-466P6-VHXV7-YY726" },
    { release: "windows-server-2016", edition: "standard", gvlk: "WC2BQ-8NRM3-FDDYY-2BFGV-KHKQY" },
    { release: "windows-server-2016", edition: "datacenter", gvlk: "CB7KF-BWN84-R7R2Y-793K2-8XDDG" },
  ],
});

/**
 * Windows 10/11 client GVLKs. Microsoft publishes one key per edition for both Windows 10 and 11,
 * so each row lists every release it applies to instead of repeating the key.
 */
export const WINDOWS_CLIENT_KEYS: KeyTable<WindowsClientKey> = freezeTable({
  title: "Windows 10/11 KMS client setup keys",
  source: CATALOG_SOURCES.windowsGvlks,
  entries: [
    { edition: "pro", appliesTo: ["Windows 11 Pro", "Windows 10 Pro"], gvlk: "W269N-WFGWX-YVC9B-4J6C9-T83GX" },
    { edition: "pro-n", appliesTo: ["Windows 11 Pro N", "Windows 10 Pro N"], gvlk: "MH37W-N47XK-V7XM9-C7227-GCQG9" },
    {
      edition: "pro-for-workstations",
      appliesTo: ["Windows 11 Pro for Workstations", "Windows 10 Pro for Workstations"],
      gvlk: "NRG8B-VKK3Q-CXVCJ-9G2XF-6Q84J",
    },
    {
      edition: "pro-education",
      appliesTo: ["Windows 11 Pro Education", "Windows 10 Pro Education"],
      gvlk: "6TP4R-GNPTD-KYYHQ-7B7DP-J447Y",
    },
    { edition: "education", appliesTo: ["Windows 11 Education", "Windows 10 Education"], gvlk: "NW6C2-QMPVW-D7KKK-3GKT6-VCFB2" },
    { edition: "enterprise", appliesTo: ["Windows 11 Enterprise", "Windows 10 Enterprise"], gvlk: "NPPR9-FWDCX-D2C8J-H872K-2YT43" },
    {
      edition: "enterprise-n",
      appliesTo: ["Windows 11 Enterprise N", "Windows 10 Enterprise N"],
      gvlk: "DPH2V-TTNVB-4X9Q3-TJR4H-KHJW4",
    },
    {
      edition: "enterprise-g",
      appliesTo: ["Windows 11 Enterprise G", "Windows 10 Enterprise G"],
      gvlk: "YYVX9-NTFWV-6MDM3-9PT4T-4M68B",
    },
    {
      edition: "enterprise-ltsc",
      appliesTo: ["Windows 11 Enterprise LTSC 2024", "Windows 10 Enterprise LTSC 2021", "Windows 10 Enterprise LTSC 2019"],
      gvlk: "M7XTQ-FN8P6-TTKYV-9D4CC-J462D",
    },
    {
      edition: "enterprise-ltsc-n",
      appliesTo: [
        "Windows 11 Enterprise N LTSC 2024",
        "Windows 10 Enterprise N LTSC 2021",
        "Windows 10 Enterprise N LTSC 2019",
      ],
      gvlk: "92NFX-8DJQP-P6BBQ-THF9C-7CG2H",
    },
    {
      edition: "iot-enterprise-ltsc",
      appliesTo: ["Windows 11 IoT Enterprise LTSC 2024", "Windows 10 IoT Enterprise LTSC 2021"],
      gvlk: "KBN8V-HFGQ4-MGXVD-347P6-PDQGT",
    },
  ],
});

/** Office, Project and Visio GVLKs for every Office version KMS activates (2016 to LTSC 2024). */
export const OFFICE_VOLUME_KEYS: KeyTable<OfficeVolumeKey> = freezeTable({
  title: "Office volume KMS client setup keys",
  source: CATALOG_SOURCES.officeGvlks,
  entries: [
    ...officeRow("professional-plus", [
      "XJ2XN-FW8RK-P4HMP-DKDBV-GCVGB",
      "FXYTK-NJJ8C-GB6DW-3DYQT-6F7TH",
      "NMMKJ-6RK4F-KMJVX-8D9MJ-6MWKP",
      "XQNVK-8JYDB-WJ9W3-YJ8YR-WFG99",
    ]),
    ...officeRow("standard", [
      "V28N4-JG22K-W66P8-VTMGK-H6HGR",
      "KDX7X-BNVR8-TXXGX-4Q7Y8-78VT3",
      "6NWWJ-YQWMR-QKGCB-6TMB3-9D9HK",
      "JNRGM-WHDWX-FJJG3-K47QV-DRTFM",
    ]),
    ...officeRow("project-professional", [
      "FQQ23-N4YCY-73HQ3-FM9WC-76HF4",
      "FTNWT-C6WBT-8HMGF-K9PRX-QV9H8",
      "B4NPR-3FKK7-T2MBV-FRQ4W-PKD2B",
      "YG9NW-3K39V-2T3HJ-93F3Q-G83KT",
    ]),
    ...officeRow("project-standard", [
      "PD3TT-NTHQQ-VC7CY-MFXK3-G87F8",
      "J2JDC-NJCYY-9RGQ4-YXWMH-T3D4T",
      "C4F7P-NCP8C-6CQPT-MQHV9-JXD2M",
      "GNFHQ-F6YQM-KQDGJ-327XX-KQBVC",
    ]),
    ...officeRow("visio-professional", [
      "B7TN8-FJ8V3-7QYCP-HQPMV-YY89G",
      "KNH8D-FGHT4-T8RK3-CTDYJ-K2HT4",
      "9BGNQ-K37YR-RQHF2-38RQ3-7VCBB",
      "PD3PC-RHNGV-FXJ29-8JK7D-RJRJK",
    ]),
    ...officeRow("visio-standard", [
      "JMMVY-XFNQC-KK4HK-9H7R3-WQQTV",
      "MJVNY-BYWPY-CWV6J-2RKRT-4M8QG",
      "7TQNQ-K3YQQ-3PFH7-CCPPM-X4VQ2",
      "7WHWN-4T7MP-G96JF-G33KR-W8GF4",
    ]),
  ],
});

/** Every key table in the catalog, for code that treats them alike (allowlists, tests). */
export const ALL_KEY_TABLES: readonly KeyTable<{ readonly gvlk: string }>[] = Object.freeze([
  WINDOWS_SERVER_KEYS,
  WINDOWS_CLIENT_KEYS,
  OFFICE_VOLUME_KEYS,
]);

/** The GVLK of a Windows Server release and edition, or undefined when Microsoft publishes none. */
export function windowsServerKey(release: WindowsServerRelease, edition: WindowsServerEdition): string | undefined {
  return WINDOWS_SERVER_KEYS.entries.find((e) => e.release === release && e.edition === edition)?.gvlk;
}

/** The GVLK of a Windows 10/11 edition (the same key for both releases). */
export function windowsClientKey(edition: WindowsClientEdition): string {
  return mustFind(WINDOWS_CLIENT_KEYS.entries.find((e) => e.edition === edition), `Windows client edition ${edition}`).gvlk;
}

/** The GVLK of an Office product in an Office version (every combination is published). */
export function officeVolumeKey(version: OfficeVersion, product: OfficeProduct): string {
  return mustFind(
    OFFICE_VOLUME_KEYS.entries.find((e) => e.version === version && e.product === product),
    `${product} in ${version}`,
  ).gvlk;
}

/**
 * Every GVLK in the catalog. Returns a fresh set on each call so a caller that casts away
 * `ReadonlySet` cannot change the allowlist other callers see.
 */
export function allPublishedKeys(): ReadonlySet<string> {
  return new Set(ALL_KEY_TABLES.flatMap((table) => table.entries.map((e) => e.gvlk)));
}

// The Office table on the source page has one row per product and one column per version; keeping
// that shape here makes a side-by-side review against the page easy.
function officeRow(product: OfficeProduct, keysNewestFirst: readonly [string, string, string, string]): OfficeVolumeKey[] {
  return OFFICE_VERSIONS.map((version, i) => ({ version, product, gvlk: keysNewestFirst[i] as string }));
}

function freezeTable<T extends object>(table: KeyTable<T>): KeyTable<T> {
  for (const entry of table.entries) Object.freeze(entry);
  Object.freeze(table.entries);
  return Object.freeze(table);
}

function mustFind<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`The volume key catalog has no key for ${what}.`);
  return value;
}

