// The optional `clients.office` section of an environment file: which volume-licensed Office
// products the client kit's ODT configuration.xml installs. Every refusal is a zod issue with a
// path relative to the section, so the loader can print `environments/<file>: clients.office.<path>`.
// Each message says what is wrong and how to fix it, because the reader is an operator editing YAML.
import * as z from "zod";
import {
  ODT_CHANNELS,
  ODT_CHANNEL_BY_VERSION,
  ODT_VOLUME_PRODUCTS,
  OFFICE_VERSION_NAMES,
  nonVolumeProductKind,
  odtProductId,
  officeProductById,
  type OdtOfficeVersion,
  type OdtVolumeProduct,
} from "../catalog";

/** ODT language ids look like `en-us` or `sr-latn-rs`; `MatchOS` installs the languages of the OS. */
const LANGUAGE_PATTERN = /^(MatchOS|[a-z]{2,3}(-[a-z0-9]{2,4}){1,2})$/;

/** A UNC share (`\\server\share\...`) or a local absolute path (`C:\...`), as ODT's SourcePath takes. */
const SOURCE_PATH_PATTERN = /^(\\\\[^\\/:*?"<>|\s][^\\/:*?"<>|]*\\[^\\/:*?"<>|]+(\\[^\\/:*?"<>|]+)*\\?|[A-Za-z]:\\([^\\/:*?"<>|]+\\?)*)$/;

const LATEST_VERSION: OdtOfficeVersion = "office-ltsc-2024";

const validIdList = (): string => ODT_VOLUME_PRODUCTS.map((p) => p.id).join(", ");

/** Schema of `clients.office`; unknown keys are refused so a typo cannot silently drop a setting. */
export const officeClientSchema = z
  .object(
    {
      products: z
        .array(z.string().min(1, { error: "a product id cannot be empty: write an ODT volume id such as ProPlus2024Volume" }))
        .min(1, { error: "products is empty: list at least one ODT volume product id, e.g. [ProPlus2024Volume]" })
        .describe(
          "ODT volume product ids to install, all of one Office version, e.g. [ProPlus2024Volume, VisioPro2024Volume]. " +
            "Each is installed with its published GVLK so it activates against the KMS host.",
        ),
      channel: z
        .enum(ODT_CHANNELS, {
          error: (issue) =>
            `channel ${JSON.stringify(issue.input)} is not a volume-licensed Office channel: use ${ODT_CHANNELS.join(", ")} ` +
            "(the one matching the products' version), or leave channel out to derive it from the products",
        })
        .optional()
        .describe(
          "ODT update channel (PerpetualVL2024, PerpetualVL2021 or PerpetualVL2019). Optional: derived from the products' " +
            "version, and refused if it does not match it.",
        ),
      languages: z
        .array(
          z.string().regex(LANGUAGE_PATTERN, {
            error: (issue) =>
              `language ${JSON.stringify(issue.input)} is not an ODT language id: write it like en-us or de-de (lower case), or MatchOS`,
          }),
        )
        .min(1, { error: "languages is empty: list at least one language id such as en-us, or MatchOS" })
        .default(["en-us"])
        .describe("ODT language ids installed with every product, e.g. [en-us, de-de], or [MatchOS] for the OS languages."),
      edition: z
        .enum(["64", "32"], {
          error: (issue) =>
            `edition ${JSON.stringify(issue.input)} is not valid: write "64" or "32" as a quoted string (YAML: edition: "64")`,
        })
        .default("64")
        .describe('Office bitness, ODT OfficeClientEdition: "64" (default) or "32".'),
      sourcePath: z
        .string()
        .regex(SOURCE_PATH_PATTERN, {
          error: (issue) =>
            `sourcePath ${JSON.stringify(issue.input)} is not a Windows path: use a UNC share such as \\\\fileserver\\office ` +
            "or a local absolute path such as C:\\office, or leave it out to install from the Office CDN",
        })
        .optional()
        .describe("Optional ODT SourcePath: UNC share or local folder holding the downloaded Office files (setup /download)."),
      removeMsi: z
        .boolean()
        .default(true)
        .describe("Add <RemoveMSI/> so setup removes MSI-installed Office before installing. Default true."),
      displayLevel: z
        .enum(["None", "Full"], {
          error: (issue) => `displayLevel ${JSON.stringify(issue.input)} is not valid: write None (silent install) or Full`,
        })
        .default("None")
        .describe("ODT Display Level: None (silent, default) or Full. The EULA is always accepted for the user."),
      updatesEnabled: z
        .boolean()
        .default(true)
        .describe("ODT Updates Enabled: keep the volume channel's security updates on (default true)."),
    },
    {
      error: (issue) =>
        issue.code === "unrecognized_keys"
          ? `unknown setting(s) ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}: remove them or fix the spelling; ` +
            "valid settings are products, channel, languages, edition, sourcePath, removeMsi, displayLevel, updatesEnabled"
          : undefined,
    },
  )
  .strict()
  .superRefine((settings, ctx) => {
    const resolved = checkProducts(settings.products, ctx);
    checkLanguages(settings.languages, ctx);
    if (!resolved) return;
    const expected = ODT_CHANNEL_BY_VERSION[resolved.version];
    if (settings.channel !== undefined && settings.channel !== expected) {
      ctx.addIssue({
        code: "custom",
        path: ["channel"],
        message:
          `channel ${settings.channel} does not match the products: ${OFFICE_VERSION_NAMES[resolved.version]} ` +
          `(${resolved.products.map((p) => p.id).join(", ")}) is updated only through ${expected}. ` +
          `Set channel: ${expected}, or leave channel out to derive it from the products.`,
      });
    }
  })
  .describe("Office client kit: the ODT configuration.xml that installs volume-licensed Office activated by this KMS host.");

/** `clients.office` as written in an environment file (defaults not yet applied). */
export type OfficeClientSettingsInput = z.input<typeof officeClientSchema>;

/** `clients.office` after validation, with every default applied. */
export type OfficeClientSettings = z.output<typeof officeClientSchema>;

// The products of a valid configuration and the one Office version they share.
interface ResolvedOfficeProducts {
  readonly version: OdtOfficeVersion;
  readonly products: readonly OdtVolumeProduct[];
}

// Reports every bad product id and returns the products only when all are usable together, so the
// channel check runs only on a configuration that could otherwise be built.
function checkProducts(ids: readonly string[], ctx: z.RefinementCtx): ResolvedOfficeProducts | undefined {
  const known = ids.map((id) => officeProductById(id));
  const firstKnown = known.find((p): p is OdtVolumeProduct => p !== undefined);
  const suggestionVersion = firstKnown?.version ?? LATEST_VERSION;
  let ok = true;
  const firstIndex = new Map<string, number>();

  ids.forEach((id, index) => {
    const previous = firstIndex.get(id);
    if (previous !== undefined) {
      ok = false;
      ctx.addIssue({
        code: "custom",
        path: ["products", index],
        message: `${id} is listed twice (first at products[${previous}]): remove this entry, each product is installed once.`,
      });
      return;
    }
    firstIndex.set(id, index);
    if (known[index]) return;
    ok = false;
    ctx.addIssue({ code: "custom", path: ["products", index], message: unusableProductMessage(id, suggestionVersion) });
  });
  if (!ok || !firstKnown) return undefined;

  const products = known as OdtVolumeProduct[];
  const otherIndex = products.findIndex((p) => p.version !== firstKnown.version);
  // Stryker disable next-line EqualityOperator: equivalent; products[0] is firstKnown here (every product is known), so no other index is 0
  if (otherIndex >= 0) {
    const other = products[otherIndex] as OdtVolumeProduct;
    ctx.addIssue({
      code: "custom",
      path: ["products", otherIndex],
      message:
        `${other.id} is ${OFFICE_VERSION_NAMES[other.version]} but ${firstKnown.id} is ${OFFICE_VERSION_NAMES[firstKnown.version]}: ` +
        "different Office versions cannot share one installation. Use products of one version " +
        `(e.g. ${odtProductId(firstKnown.version, other.product)} instead of ${other.id}), ` +
        "or deploy each version with its own configuration.",
    });
    return undefined;
  }
  return { version: firstKnown.version, products };
}

function unusableProductMessage(id: string, suggestionVersion: OdtOfficeVersion): string {
  const proPlus = odtProductId(suggestionVersion, "professional-plus");
  switch (nonVolumeProductKind(id)) {
    case "subscription":
      return (
        `${id} is Microsoft 365 Apps (subscription Office). Microsoft 365 Apps activate by user sign-in, never by KMS, ` +
        `so this KMS host cannot activate it. Use the volume-licensed product your agreement covers instead, ` +
        `e.g. ${proPlus}, or deploy Microsoft 365 Apps outside this KMS client kit.`
      );
    case "retail": {
      // Stryker disable next-line Regex: equivalent; no catalogued volume id has "Retail" inside it, so replacing an earlier "Retail" finds no twin either
      const volumeTwin = officeProductById(id.replace(/Retail$/i, "Volume"));
      return (
        `${id} is a retail product: KMS activates only volume-licensed products installed with their GVLK. ` +
        `Use ${volumeTwin ? volumeTwin.id : `the volume id, e.g. ${proPlus}`} instead.`
      );
    }
    default: {
      const sameLetters = ODT_VOLUME_PRODUCTS.find((p) => p.id.toLowerCase() === id.toLowerCase());
      const hint = sameLetters ? ` Did you mean ${sameLetters.id}? Product ids are case-sensitive.` : "";
      return (
        `${id} is not an ODT volume product id.${hint} Use one of: ${validIdList()}. ` +
        "(Office 2016 has no ODT volume product ids, so the kit cannot install it.)"
      );
    }
  }
}

function checkLanguages(languages: readonly string[], ctx: z.RefinementCtx): void {
  const seen = new Map<string, number>();
  languages.forEach((language, index) => {
    const previous = seen.get(language.toLowerCase());
    if (previous !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["languages", index],
        message: `${language} is listed twice (first at languages[${previous}]): remove this entry.`,
      });
      return;
    }
    seen.set(language.toLowerCase(), index);
  });
}
