import * as fs from "fs";
import * as path from "path";
import {
  ALL_KEY_TABLES,
  CATALOG_SOURCES,
  ODT_CHANNEL_BY_VERSION,
  ODT_VOLUME_PRODUCTS,
  OFFICE_KMS_HOST_ACTIVATION_IDS,
  OFFICE_LTSC_2024_ACTIVATION_ID_ERRATUM,
  OFFICE_PRODUCTS,
  OFFICE_VERSIONS,
  OFFICE_VOLUME_KEYS,
  WINDOWS_CLIENT_KEYS,
  WINDOWS_SERVER_KEYS,
  allPublishedKeys,
  isOfficeVersion,
  isWellFormedGvlk,
  KMS_HOST_PRODUCT_NAMES,
  kmsHostProduct,
  nonVolumeProductKind,
  officeKmsHostActivationId,
  officeProductById,
  officeVolumeKey,
  windowsClientKey,
  windowsServerKey,
  type OfficeProduct,
  type OfficeVersion,
  type WindowsClientEdition,
  type WindowsServerEdition,
} from "../catalog";

describe("volume key catalog", () => {
  test("every key in every table has the 5x5 shape of a product key", () => {
    for (const table of ALL_KEY_TABLES) {
      for (const entry of table.entries) expect(entry.gvlk).toMatch(/^[A-Z0-9]{5}(-[A-Z0-9]{5}){4}$/);
    }
  });

  test("no key appears twice anywhere in the catalog (Windows 10 and 11 share one row per edition, not two rows)", () => {
    const keys = ALL_KEY_TABLES.flatMap((t) => t.entries.map((e) => e.gvlk));
    const duplicates = keys.filter((k, i) => keys.indexOf(k) !== i);
    expect(duplicates).toEqual([]);
  });

  test("a Windows 10/11 row names both releases it applies to, because Microsoft publishes one key for both", () => {
    for (const entry of WINDOWS_CLIENT_KEYS.entries) {
      expect(entry.appliesTo.some((r) => r.startsWith("Windows 11"))).toBe(true);
      expect(entry.appliesTo.some((r) => r.startsWith("Windows 10"))).toBe(true);
    }
  });

  test("every table names its Microsoft Learn source", () => {
    expect(WINDOWS_SERVER_KEYS.source).toBe(CATALOG_SOURCES.windowsGvlks);
    expect(WINDOWS_CLIENT_KEYS.source).toBe(CATALOG_SOURCES.windowsGvlks);
    expect(OFFICE_VOLUME_KEYS.source).toBe(CATALOG_SOURCES.officeGvlks);
    expect(OFFICE_KMS_HOST_ACTIVATION_IDS.source).toBe(CATALOG_SOURCES.officeKmsHost);
    for (const p of ODT_VOLUME_PRODUCTS) expect(p.source).toMatch(/^https:\/\/learn\.microsoft\.com\//);
  });

  test.each([
    ["ProPlus 2024", () => officeVolumeKey("office-ltsc-2024", "professional-plus"), "XJ2XN-FW8RK-P4HMP-DKDBV-GCVGB"],
    ["Visio Pro 2024", () => officeVolumeKey("office-ltsc-2024", "visio-professional"), "B7TN8-FJ8V3-7QYCP-HQPMV-YY89G"],
    ["Standard 2021", () => officeVolumeKey("office-ltsc-2021", "standard"), "KDX7X-BNVR8-TXXGX-4Q7Y8-78VT3"],
    ["Project Std 2019", () => officeVolumeKey("office-2019", "project-standard"), "C4F7P-NCP8C-6CQPT-MQHV9-JXD2M"],
    ["Visio Std 2016", () => officeVolumeKey("office-2016", "visio-standard"), "7WHWN-4T7MP-G96JF-G33KR-W8GF4"],
    ["WS2022 Datacenter", () => windowsServerKey("windows-server-2022", "datacenter"), "WX4NM-KYWYW-QJJR4-XV3QB-6VM33"],
    ["WS2025 Azure Edition", () => windowsServerKey("windows-server-2025", "datacenter-azure-edition"), "XGN3F-F394H-FD2MY-PP6FD-8MCRC"],
    ["WS2019 Essentials", () => windowsServerKey("windows-server-2019", "essentials"), "WVDHN-86M7X-466P6-VHXV7-YY726"],
    ["WS2016 Standard", () => windowsServerKey("windows-server-2016", "standard"), "WC2BQ-8NRM3-FDDYY-2BFGV-KHKQY"],
    ["Windows Pro", () => windowsClientKey("pro"), "W269N-WFGWX-YVC9B-4J6C9-T83GX"],
    ["Windows Enterprise LTSC", () => windowsClientKey("enterprise-ltsc"), "M7XTQ-FN8P6-TTKYV-9D4CC-J462D"],
  ])("spot check: %s has the key from kms-facts.md", (_name, lookUp, expected) => {
    // Looked up inside the test, not while jest collects the table.
    expect(lookUp()).toBe(expected);
  });

  test("a combination the catalog does not have is refused by name", () => {
    expect(() => officeVolumeKey("office-2030" as OfficeVersion, "professional-plus")).toThrow("The volume key catalog has no key for professional-plus in office-2030.");
    expect(() => officeVolumeKey("office-ltsc-2024", "home" as OfficeProduct)).toThrow("The volume key catalog has no key for home in office-ltsc-2024.");
    expect(() => windowsClientKey("home" as WindowsClientEdition)).toThrow("The volume key catalog has no key for Windows client edition home.");
  });

  test("isWellFormedGvlk accepts the 5x5 shape only", () => {
    expect(isWellFormedGvlk("XJ2XN-FW8RK-P4HMP-DKDBV-GCVGB")).toBe(true);
    expect(isWellFormedGvlk("XJ2XN-FW8RK-P4HMP-DKDBV")).toBe(false);
    expect(isWellFormedGvlk("xj2xn-fw8rk-p4hmp-dkdbv-gcvgb")).toBe(false);
  });

  test("editions Microsoft does not list have no key (no Azure Edition for 2019, no Essentials for 2022)", () => {
    expect(windowsServerKey("windows-server-2019", "datacenter-azure-edition")).toBeUndefined();
    expect(windowsServerKey("windows-server-2022", "essentials")).toBeUndefined();
    expect(windowsServerKey("windows-server-2016", "datacenter-azure-edition")).toBeUndefined();
  });

  test("allPublishedKeys holds every key of every table and nothing else", () => {
    const keys = allPublishedKeys();
    expect(keys.size).toBe(11 + 11 + 24);
    for (const table of ALL_KEY_TABLES) for (const e of table.entries) expect(keys.has(e.gvlk)).toBe(true);
  });

  test("allPublishedKeys returns a fresh set, so one caller cannot change another's allowlist", () => {
    (allPublishedKeys() as Set<string>).add("AAAAA-AAAAA-AAAAA-AAAAA-AAAAA");
    expect(allPublishedKeys().has("AAAAA-AAAAA-AAAAA-AAAAA-AAAAA")).toBe(false);
  });

  test("catalog tables are frozen", () => {
    expect(Object.isFrozen(OFFICE_VOLUME_KEYS.entries)).toBe(true);
    expect(Object.isFrozen(OFFICE_VOLUME_KEYS.entries[0])).toBe(true);
    expect(Object.isFrozen(ODT_VOLUME_PRODUCTS)).toBe(true);
  });
});

describe("Office KMS host Activation IDs", () => {
  test("LTSC 2024 uses the corrected host ID F3D89BBF…, not the client SKU 8D368FC1… from the erratum", () => {
    expect(officeKmsHostActivationId("office-ltsc-2024")).toBe("F3D89BBF-C0EC-47CE-A8FA-E5A5F97E447F");
    expect(OFFICE_LTSC_2024_ACTIVATION_ID_ERRATUM.correctId).toBe("F3D89BBF-C0EC-47CE-A8FA-E5A5F97E447F");
    const allIds = OFFICE_KMS_HOST_ACTIVATION_IDS.entries.map((e) => e.activationId);
    expect(allIds).not.toContain(OFFICE_LTSC_2024_ACTIVATION_ID_ERRATUM.wrongId);
  });

  test("a version the catalog does not have is refused by name", () => {
    expect(() => officeKmsHostActivationId("office-2030" as OfficeVersion)).toThrow("The catalog has no Office KMS host Activation ID for office-2030.");
    expect(officeKmsHostActivationId("office-2019")).not.toBe(officeKmsHostActivationId("office-ltsc-2024"));
  });

  test("every Office version has exactly one host Activation ID", () => {
    expect(OFFICE_KMS_HOST_ACTIVATION_IDS.entries.map((e) => e.version).sort()).toEqual([...OFFICE_VERSIONS].sort());
  });
});

describe("ODT volume products", () => {
  test("ProPlus2024Volume is Office LTSC 2024 Professional Plus on PerpetualVL2024 with its GVLK", () => {
    expect(officeProductById("ProPlus2024Volume")).toEqual({
      id: "ProPlus2024Volume",
      version: "office-ltsc-2024",
      product: "professional-plus",
      channel: "PerpetualVL2024",
      gvlk: "XJ2XN-FW8RK-P4HMP-DKDBV-GCVGB",
      source: CATALOG_SOURCES.odtLtsc2024,
    });
  });

  test("each product's channel is its version's only channel and its PIDKEY is that version's GVLK", () => {
    expect(ODT_VOLUME_PRODUCTS).toHaveLength(18);
    for (const p of ODT_VOLUME_PRODUCTS) {
      expect(p.channel).toBe(ODT_CHANNEL_BY_VERSION[p.version]);
      expect(p.gvlk).toBe(officeVolumeKey(p.version, p.product));
    }
  });

  test("Office 2016 has no ODT product ids, because the reference lists none", () => {
    expect(ODT_VOLUME_PRODUCTS.filter((p) => (p.version as OfficeVersion) === "office-2016")).toEqual([]);
  });

  test.each([
    ["O365ProPlusRetail", "subscription"],
    ["O365SmallBusPremRetail", "subscription"],
    ["ProPlusO365Retail", "retail"],
    ["ProPlus2021Retail", "retail"],
    ["ProPlusRetailDemo", undefined],
    ["ProPlus2024Volume", undefined],
  ])("nonVolumeProductKind(%s) is %s", (id, kind) => {
    expect(nonVolumeProductKind(id)).toBe(kind);
  });

  test("product ids are matched exactly as Microsoft spells them", () => {
    expect(officeProductById("proplus2024volume")).toBeUndefined();
    expect(officeProductById("ProPlus2016Volume")).toBeUndefined();
  });

  test.each([
    ["O365ProPlusRetail", "subscription"],
    ["O365BusinessRetail", "subscription"],
    ["ProPlus2024Retail", "retail"],
    ["ProPlus2024Volume", undefined],
  ])("%s is classified as %s", (id, kind) => {
    expect(nonVolumeProductKind(id)).toBe(kind);
  });
});

// Cross-check against the vendored reference file (test/fixtures/reference, with its sources), so
// a typo in either place fails a test.
const FACTS_PATH = path.join(__dirname, "fixtures", "reference", "kms-facts.md");

describe("catalog matches kms-facts.md", () => {
  let facts: string;
  beforeAll(() => {
    facts = fs.readFileSync(FACTS_PATH, "utf8");
  });
  const section = (start: string, end: string): string => {
    const from = facts.indexOf(start);
    const to = facts.indexOf(end, from + start.length);
    if (from < 0 || to < 0) throw new Error(`kms-facts.md: cannot find the text between "${start}" and "${end}"`);
    return facts.slice(from, to);
  };
  const tableRows = (text: string): string[][] =>
    text
      .split("\n")
      .filter((l) => l.startsWith("|") && !/^\|[-| ]+\|$/.test(l))
      .map((l) => l.split("|").slice(1, -1).map((c) => c.trim()));
  const keyCell = (cell: string): string | undefined => (/^[A-Z0-9]{5}(-[A-Z0-9]{5}){4}$/.test(cell) ? cell : undefined);
  const sorted = (rows: string[]): string[] => [...rows].sort();

  test("every Windows Server key, including WS2016, matches the reference table", () => {
    const text = section("**Windows Server LTSC**", "**Windows 11 / 10");
    const editions: Record<string, WindowsServerEdition> = {
      Standard: "standard",
      Datacenter: "datacenter",
      "Datacenter: Azure Edition": "datacenter-azure-edition",
      Essentials: "essentials",
    };
    const [header, ...rows] = tableRows(text);
    const years = header!.slice(1);
    const expected: string[] = [];
    for (const [label, ...cells] of rows) {
      cells.forEach((cell, i) => {
        const key = keyCell(cell);
        if (key) expected.push(`windows-server-${years[i]} ${editions[label!]} ${key}`);
      });
    }
    const ws2016 = /WS2016: Std ([A-Z0-9]{5}(?:-[A-Z0-9]{5}){4}), DC ([A-Z0-9]{5}(?:-[A-Z0-9]{5}){4})/.exec(text);
    expect(ws2016).not.toBeNull();
    expected.push(`windows-server-2016 standard ${ws2016![1]}`, `windows-server-2016 datacenter ${ws2016![2]}`);
    const actual = WINDOWS_SERVER_KEYS.entries.map((e) => `${e.release} ${e.edition} ${e.gvlk}`);
    expect(sorted(actual)).toEqual(sorted(expected));
  });

  test("every Windows 10/11 key matches the reference table", () => {
    const text = section("**Windows 11 / 10", "**Office (volume)**");
    const editions: Record<string, WindowsClientEdition> = {
      Pro: "pro",
      "Pro N": "pro-n",
      "Pro for Workstations": "pro-for-workstations",
      "Pro Education": "pro-education",
      Education: "education",
      Enterprise: "enterprise",
      "Enterprise N": "enterprise-n",
      "Enterprise G": "enterprise-g",
      "Win11 Ent LTSC 2024 / Win10 Ent LTSC 2021 / 2019": "enterprise-ltsc",
      "Same, N editions": "enterprise-ltsc-n",
      "IoT Enterprise LTSC 2024 / 2021": "iot-enterprise-ltsc",
    };
    const expected = tableRows(text)
      .slice(1)
      .map(([label, key]) => {
        if (!(label! in editions)) throw new Error(`kms-facts.md has a Windows edition the test does not know: ${label}`);
        return `${editions[label!]} ${key}`;
      });
    const actual = WINDOWS_CLIENT_KEYS.entries.map((e) => `${e.edition} ${e.gvlk}`);
    expect(sorted(actual)).toEqual(sorted(expected));
  });

  test("every Office key matches the reference table", () => {
    const text = section("**Office (volume)**", "Notes:");
    const products: Record<string, OfficeProduct> = {
      "Professional Plus": "professional-plus",
      Standard: "standard",
      "Project Professional": "project-professional",
      "Project Standard": "project-standard",
      "Visio Professional": "visio-professional",
      "Visio Standard": "visio-standard",
    };
    const versions: Record<string, OfficeVersion> = {
      "LTSC 2024": "office-ltsc-2024",
      "LTSC 2021": "office-ltsc-2021",
      "2019": "office-2019",
      "2016": "office-2016",
    };
    const [header, ...rows] = tableRows(text);
    const expected: string[] = [];
    for (const [label, ...cells] of rows) {
      cells.forEach((cell, i) => expected.push(`${versions[header![i + 1]!]} ${products[label!]} ${keyCell(cell)}`));
    }
    expect(expected).toHaveLength(OFFICE_VERSIONS.length * OFFICE_PRODUCTS.length);
    const actual = OFFICE_VOLUME_KEYS.entries.map((e) => `${e.version} ${e.product} ${e.gvlk}`);
    expect(sorted(actual)).toEqual(sorted(expected));
  });

  test("every Office KMS host Activation ID matches the reference, and the erratum ID is the one it warns about", () => {
    const row = facts.split("\n").find((l) => l.includes("Office KMS host Activation IDs"));
    expect(row).toBeDefined();
    const versions: Record<string, OfficeVersion> = {
      "LTSC 2024": "office-ltsc-2024",
      "LTSC 2021": "office-ltsc-2021",
      "2019": "office-2019",
      "2016": "office-2016",
    };
    const expected = [...row!.matchAll(/(LTSC 2024|LTSC 2021|2019|2016): `([0-9A-F-]{36})`/g)].map(
      (m) => `${versions[m[1]!]} ${m[2]}`,
    );
    const actual = OFFICE_KMS_HOST_ACTIVATION_IDS.entries.map((e) => `${e.version} ${e.activationId}`);
    expect(sorted(actual)).toEqual(sorted(expected));
    const erratum = facts.split("\n").find((l) => l.includes("Doc erratum"));
    expect(erratum).toContain(OFFICE_LTSC_2024_ACTIVATION_ID_ERRATUM.wrongId);
    expect(erratum).toContain(OFFICE_LTSC_2024_ACTIVATION_ID_ERRATUM.correctId.slice(0, 8));
  });

  test("every ODT product id matches the reference lists, version by version", () => {
    const labels: Record<string, OfficeVersion> = { "LTSC 2024": "office-ltsc-2024", "LTSC 2021": "office-ltsc-2021", "2019": "office-2019" };
    const expected = tableRows(section("## 6. Office Deployment Tool", "Minimal KMS-activated"))
      .filter(([item]) => item!.startsWith("Product IDs, "))
      .flatMap(([item, ids]) => ids!.split(",").map((id) => `${labels[item!.replace("Product IDs, ", "")]} ${id.trim()}`));
    const actual = ODT_VOLUME_PRODUCTS.map((p) => `${p.version} ${p.id}`);
    expect(sorted(actual)).toEqual(sorted(expected));
  });

  test("each ODT channel is the one the reference names for that version", () => {
    const channelRow = tableRows(section("## 6. Office Deployment Tool", "Minimal KMS-activated")).find(([i]) => i === "Channel");
    expect(channelRow![1]).toContain("`PerpetualVL2024` is the only channel for Office LTSC 2024");
    expect(channelRow![1]).toContain("`PerpetualVL2021` is the only channel for LTSC 2021");
    expect(channelRow![1]).toContain("2019 uses `PerpetualVL2019`");
    expect(ODT_CHANNEL_BY_VERSION).toEqual({
      "office-ltsc-2024": "PerpetualVL2024",
      "office-ltsc-2021": "PerpetualVL2021",
      "office-2019": "PerpetualVL2019",
    });
  });

  test("every KMS catalog source URL is one the reference lists", () => {
    // The Azure regions list is not a KMS fact: catalog/azure-regions.ts has its own source and tests.
    const kmsSources = Object.entries(CATALOG_SOURCES).filter(([key]) => key !== "azureRegions");
    expect(kmsSources.length).toBe(Object.keys(CATALOG_SOURCES).length - 1);
    for (const [, url] of kmsSources) expect(facts).toContain(url);
  });
});

describe("catalog lookups by name", () => {
  test("isOfficeVersion knows the project's Office versions and nothing else", () => {
    for (const version of OFFICE_VERSIONS) expect(isOfficeVersion(version)).toBe(true);
    expect(isOfficeVersion("office-2030")).toBe(false);
  });

  test("an unknown KMS host product is refused with every product name", () => {
    expect(() => kmsHostProduct("office-2030" as never)).toThrow(RangeError);
    expect(() => kmsHostProduct("office-2030" as never)).toThrow(`unknown KMS host product "office-2030"; use one of ${KMS_HOST_PRODUCT_NAMES.join(", ")}`);
    expect(KMS_HOST_PRODUCT_NAMES.length).toBeGreaterThan(1);
  });
});
