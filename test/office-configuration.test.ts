import { XMLParser, XMLValidator } from "fast-xml-parser";
import * as z from "zod";
import { ODT_VOLUME_PRODUCTS, type OdtVolumeProduct } from "../catalog";
import {
  buildOfficeConfiguration,
  officeClientSchema,
  officeConfigurationProblems,
  planOfficeConfiguration,
  refuseFailedReadBack,
  type OfficeClientSettingsInput,
} from "../client-kit";

// What the project's loader prints: `clients.office.products[1]: <message>`.
function issues(settings: unknown): string[] {
  const result = officeClientSchema.safeParse(settings);
  if (result.success) return [];
  return result.error.issues.map(
    (i) => `clients.office${i.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("")}: ${i.message}`,
  );
}

function readBack(xml: string) {
  expect(XMLValidator.validate(xml)).toBe(true);
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "",
    isArray: (name) => ["Product", "Language"].includes(name),
  }).parse(xml).Configuration;
}

describe("clients.office schema", () => {
  test("a minimal section gets the documented defaults", () => {
    expect(officeClientSchema.parse({ products: ["ProPlus2024Volume"] })).toEqual({
      products: ["ProPlus2024Volume"],
      languages: ["en-us"],
      edition: "64",
      removeMsi: true,
      displayLevel: "None",
      updatesEnabled: true,
    });
  });

  test("unknown keys are refused with the list of valid settings", () => {
    expect(issues({ products: ["ProPlus2024Volume"], chanel: "PerpetualVL2024" })).toEqual([
      'clients.office: unknown setting(s) "chanel": remove them or fix the spelling; ' +
        "valid settings are products, channel, languages, edition, sourcePath, removeMsi, displayLevel, updatesEnabled",
    ]);
  });

  test("several unknown keys are listed together, comma-separated", () => {
    expect(issues({ products: ["ProPlus2024Volume"], chanel: "PerpetualVL2024", langs: ["en-us"] })[0]).toMatch(/^clients\.office: unknown setting\(s\) "chanel", "langs": remove them/);
  });

  test("a section that is not a mapping gets zod's own message, not the unknown-settings one", () => {
    const [message, ...rest] = issues("ProPlus2024Volume");
    expect(rest).toEqual([]);
    expect(message).toMatch(/^clients\.office: /);
    expect(message).not.toContain("unknown setting");
  });

  test("every problem the schema finds itself is a custom issue (what the loader's messages build on)", () => {
    const result = officeClientSchema.safeParse({ products: ["ProPlus2024Volume", "VisioPro2021Volume", "ProPlus2024Volume", "Nope"], languages: ["en-us", "en-us"] });
    expect(result.success).toBe(false);
    const custom = result.success ? [] : result.error.issues.filter((i) => i.code === "custom").map((i) => i.path.join("."));
    expect(custom.sort()).toEqual(["languages.1", "products.2", "products.3"]);
    const mixed = officeClientSchema.safeParse({ products: ["ProPlus2024Volume", "VisioPro2021Volume"], channel: "PerpetualVL2024" });
    expect(mixed.success ? [] : mixed.error.issues.map((i) => [i.code, i.path.join(".")])).toEqual([["custom", "products.1"]]);
    const channel = officeClientSchema.safeParse({ products: ["ProPlus2024Volume"], channel: "PerpetualVL2021" });
    expect(channel.success ? [] : channel.error.issues.map((i) => [i.code, i.path.join(".")])).toEqual([["custom", "channel"]]);
  });

  test("a subscription product is refused with the sign-in explanation and the volume id to use", () => {
    const [message, ...rest] = issues({ products: ["VisioPro2024Volume", "O365ProPlusRetail"] });
    expect(rest).toEqual([]);
    expect(message).toMatch(/^clients\.office\.products\[1\]: O365ProPlusRetail is Microsoft 365 Apps/);
    expect(message).toContain("activate by user sign-in, never by KMS");
    expect(message).toContain("ProPlus2024Volume");
  });

  test("a subscription product's message in full, suggesting the version of the first product that is known", () => {
    expect(issues({ products: ["O365ProPlusRetail", "ProPlus2021Volume"] })).toEqual([
      "clients.office.products[0]: O365ProPlusRetail is Microsoft 365 Apps (subscription Office). Microsoft 365 Apps activate by user sign-in, " +
        "never by KMS, so this KMS host cannot activate it. Use the volume-licensed product your agreement covers instead, " +
        "e.g. ProPlus2021Volume, or deploy Microsoft 365 Apps outside this KMS client kit.",
    ]);
  });

  test("with no known product at all, the suggestion is the latest version's", () => {
    expect(issues({ products: ["O365ProPlusRetail"] })[0]).toContain("e.g. ProPlus2024Volume, or deploy");
  });

  test("O365BusinessRetail is refused as a subscription product too", () => {
    expect(issues({ products: ["O365BusinessRetail"] })[0]).toContain("activate by user sign-in, never by KMS");
  });

  test("a retail product is refused and its volume twin is named", () => {
    expect(issues({ products: ["ProPlus2021Retail"] })).toEqual([
      expect.stringMatching(/products\[0\]: ProPlus2021Retail is a retail product: KMS activates only volume-licensed .* Use ProPlus2021Volume instead\.$/),
    ]);
  });

  test("a retail product without a volume twin is refused with a volume id to use", () => {
    expect(issues({ products: ["HomeBusiness2021Retail"] })).toEqual([
      "clients.office.products[0]: HomeBusiness2021Retail is a retail product: KMS activates only volume-licensed products installed with their GVLK. " +
        "Use the volume id, e.g. ProPlus2024Volume instead.",
    ]);
  });

  test("an unknown product id is refused with every valid id listed", () => {
    expect(issues({ products: ["ProPlus2016Volume"] })).toEqual([
      `clients.office.products[0]: ProPlus2016Volume is not an ODT volume product id. Use one of: ${ODT_VOLUME_PRODUCTS.map((p) => p.id).join(", ")}. ` +
        "(Office 2016 has no ODT volume product ids, so the kit cannot install it.)",
    ]);
  });

  test("a product id in the wrong case is refused with the right spelling", () => {
    expect(issues({ products: ["proplus2024volume"] })[0]).toContain("Did you mean ProPlus2024Volume?");
  });

  test("a channel that does not match the products' version is refused with the right channel", () => {
    expect(issues({ products: ["ProPlus2024Volume"], channel: "PerpetualVL2021" })).toEqual([
      "clients.office.channel: channel PerpetualVL2021 does not match the products: Office LTSC 2024 (ProPlus2024Volume) " +
        "is updated only through PerpetualVL2024. Set channel: PerpetualVL2024, or leave channel out to derive it from the products.",
    ]);
  });

  test("the channel of the products' version, given explicitly, is accepted", () => {
    expect(issues({ products: ["ProPlus2021Volume", "VisioStd2021Volume"], channel: "PerpetualVL2021" })).toEqual([]);
  });

  test("a mismatched channel names every product of the version", () => {
    expect(issues({ products: ["ProPlus2024Volume", "VisioPro2024Volume"], channel: "PerpetualVL2019" })).toEqual([
      "clients.office.channel: channel PerpetualVL2019 does not match the products: Office LTSC 2024 (ProPlus2024Volume, VisioPro2024Volume) " +
        "is updated only through PerpetualVL2024. Set channel: PerpetualVL2024, or leave channel out to derive it from the products.",
    ]);
  });

  test("a Microsoft 365 Apps channel is refused", () => {
    expect(issues({ products: ["ProPlus2024Volume"], channel: "Current" })).toEqual([
      'clients.office.channel: channel "Current" is not a volume-licensed Office channel: use PerpetualVL2024, PerpetualVL2021, PerpetualVL2019 ' +
        "(the one matching the products' version), or leave channel out to derive it from the products",
    ]);
  });

  test("mixed Office versions are refused: they cannot share one installation", () => {
    expect(issues({ products: ["ProPlus2024Volume", "VisioPro2021Volume"] })).toEqual([
      "clients.office.products[1]: VisioPro2021Volume is Office LTSC 2021 but ProPlus2024Volume is Office LTSC 2024: " +
        "different Office versions cannot share one installation. Use products of one version " +
        "(e.g. VisioPro2024Volume instead of VisioPro2021Volume), or deploy each version with its own configuration.",
    ]);
  });

  test("a duplicate product is refused at its second position", () => {
    expect(issues({ products: ["ProPlus2024Volume", "VisioPro2024Volume", "ProPlus2024Volume"] })).toEqual([
      "clients.office.products[2]: ProPlus2024Volume is listed twice (first at products[0]): remove this entry, each product is installed once.",
    ]);
  });

  test("an empty product list is refused", () => {
    expect(issues({ products: [] })).toEqual([expect.stringContaining("clients.office.products: products is empty")]);
  });

  test.each([
    [{ edition: 64 }, 'clients.office.edition: edition 64 is not valid: write "64" or "32" as a quoted string'],
    [{ languages: ["en-US"] }, "clients.office.languages[0]: language \"en-US\" is not an ODT language id"],
    [{ languages: ["en-us", "en-us"] }, "clients.office.languages[1]: en-us is listed twice"],
    [
      { sourcePath: "//server/share" },
      'clients.office.sourcePath: sourcePath "//server/share" is not a Windows path: use a UNC share such as \\\\fileserver\\office ' +
        "or a local absolute path such as C:\\office, or leave it out to install from the Office CDN",
    ],
    [{ displayLevel: "Basic" }, 'clients.office.displayLevel: displayLevel "Basic" is not valid'],
  ])("a bad optional setting is refused: %j", (extra, expected) => {
    expect(issues({ products: ["ProPlus2024Volume"], ...extra })[0]).toContain(expected);
  });

  test.each(["\\\\fileserver\\office", "\\\\fs.corp.example\\share\\office\\2024", "C:\\office", "D:\\"])(
    "sourcePath %s is accepted",
    (sourcePath) => {
      expect(issues({ products: ["ProPlus2024Volume"], sourcePath })).toEqual([]);
    },
  );

  test("MatchOS is accepted as a language", () => {
    expect(issues({ products: ["ProPlus2024Volume"], languages: ["MatchOS"] })).toEqual([]);
  });

  test("the JSON Schema export carries a description for every field and forbids unknown keys", () => {
    const schema = z.toJSONSchema(officeClientSchema, { io: "input" }) as {
      additionalProperties: boolean;
      properties: Record<string, { description?: string }>;
    };
    expect(schema.additionalProperties).toBe(false);
    for (const [name, property] of Object.entries(schema.properties)) {
      expect([name, typeof property.description]).toEqual([name, "string"]);
    }
  });
});

describe("buildOfficeConfiguration", () => {
  test.each(ODT_VOLUME_PRODUCTS.map((p) => [p.id, p] as const))(
    "%s reads back with its GVLK as PIDKEY and its version's channel",
    (_id, product: OdtVolumeProduct) => {
      const configuration = readBack(buildOfficeConfiguration({ products: [product.id] }));
      expect(configuration.Add.Channel).toBe(product.channel);
      expect(configuration.Add.OfficeClientEdition).toBe("64");
      expect(configuration.Add.Product).toEqual([{ ID: product.id, PIDKEY: product.gvlk, Language: [{ ID: "en-us" }] }]);
      expect(configuration.Updates).toEqual({ Enabled: "TRUE", Channel: product.channel });
    },
  );

  test("a suite with Project and Visio carries every product, its key and every language", () => {
    const xml = buildOfficeConfiguration({
      products: ["ProPlus2021Volume", "ProjectPro2021Volume", "VisioStd2021Volume"],
      languages: ["en-us", "de-de"],
      edition: "32",
      sourcePath: "\\\\fileserver\\office",
    });
    const configuration = readBack(xml);
    expect(configuration.Add).toMatchObject({ OfficeClientEdition: "32", Channel: "PerpetualVL2021", SourcePath: "\\\\fileserver\\office" });
    expect(configuration.Add.Product).toEqual([
      { ID: "ProPlus2021Volume", PIDKEY: "FXYTK-NJJ8C-GB6DW-3DYQT-6F7TH", Language: [{ ID: "en-us" }, { ID: "de-de" }] },
      { ID: "ProjectPro2021Volume", PIDKEY: "FTNWT-C6WBT-8HMGF-K9PRX-QV9H8", Language: [{ ID: "en-us" }, { ID: "de-de" }] },
      { ID: "VisioStd2021Volume", PIDKEY: "MJVNY-BYWPY-CWV6J-2RKRT-4M8QG", Language: [{ ID: "en-us" }, { ID: "de-de" }] },
    ]);
  });

  test("the siblings of <Add> are RemoveMSI, AUTOACTIVATE=1, a silent EULA-accepting Display and Updates", () => {
    const configuration = readBack(buildOfficeConfiguration({ products: ["ProPlus2024Volume"] }));
    expect(Object.keys(configuration)).toEqual(["Add", "RemoveMSI", "Property", "Display", "Updates"]);
    expect(configuration.RemoveMSI).toBe("");
    expect(configuration.Property).toEqual({ Name: "AUTOACTIVATE", Value: "1" });
    expect(configuration.Display).toEqual({ Level: "None", AcceptEULA: "TRUE" });
  });

  test("removeMsi false leaves out <RemoveMSI/>; updatesEnabled false writes Enabled=FALSE", () => {
    const configuration = readBack(buildOfficeConfiguration({ products: ["ProPlus2019Volume"], removeMsi: false, updatesEnabled: false }));
    expect(configuration.RemoveMSI).toBeUndefined();
    expect(configuration.Updates).toEqual({ Enabled: "FALSE", Channel: "PerpetualVL2019" });
  });

  test("the exact XML for one product is stable", () => {
    expect(buildOfficeConfiguration({ products: ["ProPlus2024Volume"] })).toBe(
      [
        "<Configuration>",
        '  <Add OfficeClientEdition="64" Channel="PerpetualVL2024">',
        '    <Product ID="ProPlus2024Volume" PIDKEY="XJ2XN-FW8RK-P4HMP-DKDBV-GCVGB">',
        '      <Language ID="en-us"/>',
        "    </Product>",
        "  </Add>",
        "  <RemoveMSI/>",
        '  <Property Name="AUTOACTIVATE" Value="1"/>',
        '  <Display Level="None" AcceptEULA="TRUE"/>',
        '  <Updates Enabled="TRUE" Channel="PerpetualVL2024"/>',
        "</Configuration>",
        "",
      ].join("\n"),
    );
  });

  test("invalid settings throw with every problem and its clients.office path", () => {
    const bad: OfficeClientSettingsInput = { products: ["O365ProPlusRetail", "ProPlus2024Volume", "ProPlus2024Volume"] };
    expect(() => buildOfficeConfiguration(bad)).toThrow(
      /^Invalid Office client settings:\nclients\.office\.products\[0\]: O365ProPlusRetail is Microsoft 365 Apps[\s\S]*\nclients\.office\.products\[2\]: ProPlus2024Volume is listed twice/,
    );
  });

  test("a configuration that fails its own read-back check is never returned", () => {
    // Not by re-loading the module around a mocked check: modules evaluated inside a test count,
    // for Stryker, as covered by that test, which turns the catalog's static mutants into survivors.
    expect(() => refuseFailedReadBack("<Configuration/>", ["product X appears 0 times, expected once", "no <Updates>"])).toThrow(
      "Generated Office configuration.xml failed its own check:\nproduct X appears 0 times, expected once\nno <Updates>\n---\n<Configuration/>",
    );
    expect(refuseFailedReadBack("<Configuration/>", [])).toBe("<Configuration/>");
  });

  test("the plan derives the channel from the products when none is given", () => {
    expect(planOfficeConfiguration({ products: ["VisioPro2019Volume"] }).channel).toBe("PerpetualVL2019");
  });
});

describe("officeConfigurationProblems", () => {
  const expected = {
    products: [{ id: "ProPlus2024Volume", gvlk: "XJ2XN-FW8RK-P4HMP-DKDBV-GCVGB" }],
    channel: "PerpetualVL2024",
    languages: ["en-us"],
  } as const;
  const good = buildOfficeConfiguration({ products: ["ProPlus2024Volume"] });

  test("a correct configuration has no problems", () => {
    expect(officeConfigurationProblems(good, expected)).toEqual([]);
  });

  test("a wrong PIDKEY is caught", () => {
    const tampered = good.replace("XJ2XN-FW8RK-P4HMP-DKDBV-GCVGB", "FXYTK-NJJ8C-GB6DW-3DYQT-6F7TH");
    expect(officeConfigurationProblems(tampered, expected)).toEqual([
      "product ProPlus2024Volume has PIDKEY FXYTK-NJJ8C-GB6DW-3DYQT-6F7TH, expected its GVLK XJ2XN-FW8RK-P4HMP-DKDBV-GCVGB",
    ]);
  });

  test("a wrong channel is caught on Add and Updates", () => {
    expect(officeConfigurationProblems(good.split("PerpetualVL2024").join("PerpetualVL2021"), expected)).toHaveLength(2);
  });

  test("malformed XML is caught", () => {
    expect(officeConfigurationProblems(good.replace("</Configuration>", ""), expected)[0]).toMatch(/^not well-formed XML/);
  });

  test("a wrong channel is named, on Add and on Updates", () => {
    expect(officeConfigurationProblems(good.split("PerpetualVL2024").join("PerpetualVL2021"), expected)).toEqual([
      '<Add Channel="PerpetualVL2021"> should be PerpetualVL2024',
      '<Updates Channel="PerpetualVL2021"> should be PerpetualVL2024',
    ]);
  });

  test.each([
    ["another root element", "<Other/>"],
    ["a root element with text only", "<Configuration>text</Configuration>"],
  ])("%s is no configuration", (_, xml) => {
    expect(officeConfigurationProblems(xml, expected)).toEqual(["no <Configuration> root element"]);
  });

  test.each([
    ["none", "<Configuration><Display Level=\"None\"/></Configuration>", 0],
    ["two", '<Configuration><Add Channel="PerpetualVL2024"/><Add Channel="PerpetualVL2024"/></Configuration>', 2],
  ])("exactly one <Add> is required (%s)", (_, xml, count) => {
    expect(officeConfigurationProblems(xml, expected)).toEqual([`expected exactly one <Add>, found ${count}`]);
  });

  test("an <Add> without products misses each expected one; no <Updates> is no problem", () => {
    expect(officeConfigurationProblems('<Configuration><Add Channel="PerpetualVL2024"/></Configuration>', expected)).toEqual([
      "product ProPlus2024Volume appears 0 times, expected once",
    ]);
  });

  test("wrong or missing languages are caught", () => {
    expect(officeConfigurationProblems(good.replace('<Language ID="en-us"/>', '<Language ID="de-de"/>'), expected)).toEqual([
      'product ProPlus2024Volume has languages ["de-de"], expected ["en-us"]',
    ]);
    expect(officeConfigurationProblems(good.replace('<Language ID="en-us"/>', ""), expected)).toEqual(['product ProPlus2024Volume has languages [], expected ["en-us"]']);
  });

  test("a product nobody asked for is caught", () => {
    const extra = good.replace("</Add>", '  <Product ID="VisioPro2024Volume" PIDKEY="B7TN8-FJ8V3-7QYCP-HQPMV-YY89G"><Language ID="en-us"/></Product>\n  </Add>');
    expect(officeConfigurationProblems(extra, expected)).toEqual(["unexpected product VisioPro2024Volume"]);
  });

  test("a missing product is caught", () => {
    expect(officeConfigurationProblems(good, { ...expected, products: [...expected.products, { id: "VisioPro2024Volume", gvlk: "B7TN8-FJ8V3-7QYCP-HQPMV-YY89G" }] })).toEqual([
      "product VisioPro2024Volume appears 0 times, expected once",
    ]);
  });
});
