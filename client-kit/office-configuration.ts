// Builds the Office Deployment Tool configuration.xml for `clients.office`. The XML is produced by
// fast-xml-parser's XMLBuilder (which escapes attribute values) and then read back and checked,
// so the file handed to desktops always installs volume products with their published GVLKs.
// The ODT has no KMS host or port element: clients find the host through the DNS SRV record.
import { XMLBuilder } from "fast-xml-parser";
import { ODT_CHANNEL_BY_VERSION, officeProductById, type OdtChannel, type OdtVolumeProduct } from "../catalog";
import { officeClientSchema, type OfficeClientSettings, type OfficeClientSettingsInput } from "./office-client-schema";
import { officeConfigurationProblems } from "./verify-office-configuration";

/** The products and channel a configuration.xml installs, after validation and defaults. */
export interface OfficeConfigurationPlan {
  /** The products, in the order they were listed, each with its GVLK. */
  readonly products: readonly OdtVolumeProduct[];
  /** The Add and Updates channel: the given one, or the products' version's only channel. */
  readonly channel: OdtChannel;
  /** The validated settings with every default applied. */
  readonly settings: OfficeClientSettings;
}

/**
 * Validates `settings` (as written, or already parsed) and resolves the products and channel.
 * Throws with every problem, each prefixed by its path under `clients.office`.
 */
export function planOfficeConfiguration(settings: OfficeClientSettingsInput): OfficeConfigurationPlan {
  const parsed = officeClientSchema.safeParse(settings);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `clients.office${formatPath(i.path)}: ${i.message}`);
    throw new Error(`Invalid Office client settings:\n${lines.join("\n")}`);
  }
  const products = parsed.data.products.map((id) => officeProductById(id) as OdtVolumeProduct);
  const channel = parsed.data.channel ?? ODT_CHANNEL_BY_VERSION[(products[0] as OdtVolumeProduct).version];
  return { products, channel, settings: parsed.data };
}

/**
 * The ODT configuration.xml text for `settings`: one `<Add>` with every product and its GVLK as
 * PIDKEY, AUTOACTIVATE=1 so Office activates against KMS after setup, and the volume channel.
 * Throws if the settings are invalid or if the built XML does not read back as intended.
 */
export function buildOfficeConfiguration(settings: OfficeClientSettingsInput): string {
  const plan = planOfficeConfiguration(settings);
  const options = plan.settings;
  const languages = options.languages.map((id) => ({ "@_ID": id }));

  const configuration: Record<string, unknown> = {
    Add: {
      "@_OfficeClientEdition": options.edition,
      "@_Channel": plan.channel,
      // Stryker disable next-line ConditionalExpression: equivalent; the builder leaves out an attribute whose value is undefined
      ...(options.sourcePath !== undefined ? { "@_SourcePath": options.sourcePath } : {}),
      Product: plan.products.map((p) => ({ "@_ID": p.id, "@_PIDKEY": p.gvlk, Language: languages })),
    },
    // Empty string + suppressEmptyNode renders the self-closing <RemoveMSI/> the ODT expects.
    ...(options.removeMsi ? { RemoveMSI: "" } : {}),
    Property: { "@_Name": "AUTOACTIVATE", "@_Value": "1" },
    Display: { "@_Level": options.displayLevel, "@_AcceptEULA": "TRUE" },
    Updates: { "@_Enabled": options.updatesEnabled ? "TRUE" : "FALSE", "@_Channel": plan.channel },
  };
  // No XML comment or <Info> element: the reference documents neither for the ODT, so nothing
  // is added that setup might reject.
  const xml = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: "@_",
    format: true,
    indentBy: "  ",
    suppressEmptyNode: true,
  }).build({ Configuration: configuration }) as string;

  return refuseFailedReadBack(xml, officeConfigurationProblems(xml, { products: plan.products, channel: plan.channel, languages: options.languages }));
}

/**
 * `xml` when its read-back check found no problem; otherwise throws with every problem and the
 * XML. The last step of {@link buildOfficeConfiguration}, on its own so that a failing check can be
 * tested without a broken builder.
 */
export function refuseFailedReadBack(xml: string, problems: readonly string[]): string {
  if (problems.length > 0) {
    throw new Error(`Generated Office configuration.xml failed its own check:\n${problems.join("\n")}\n---\n${xml}`);
  }
  return xml;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
}
