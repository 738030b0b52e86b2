// Reads a generated ODT configuration.xml back with a real XML parser and checks what matters for
// KMS activation: well-formed, the right channel, every product present once with its GVLK as
// PIDKEY and its languages. A builder bug must fail the synth, not a desktop rollout.
import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { OdtChannel, OdtVolumeProduct } from "../catalog";

/** What a configuration.xml must contain to install and KMS-activate the intended products. */
export interface ExpectedOfficeConfiguration {
  /** The products, each with its id and GVLK. */
  readonly products: readonly Pick<OdtVolumeProduct, "id" | "gvlk">[];
  /** The channel on `<Add>` (and on `<Updates>` when present). */
  readonly channel: OdtChannel;
  /** The language ids every product must carry. */
  readonly languages: readonly string[];
}

type XmlElement = Record<string, unknown>;

const ALWAYS_ARRAYS = new Set(["Configuration.Add", "Configuration.Add.Product", "Configuration.Add.Product.Language", "Configuration.Updates"]);

/**
 * Every problem found in `xml` against `expected`; empty when the configuration is right.
 * Returns messages instead of throwing so tests and callers can show all problems at once.
 */
export function officeConfigurationProblems(xml: string, expected: ExpectedOfficeConfiguration): string[] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) return [`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`];

  const parsed = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "",
    parseAttributeValue: false,
    isArray: (_name, jpath) => ALWAYS_ARRAYS.has(String(jpath)),
  }).parse(xml) as XmlElement;

  const problems: string[] = [];
  const configuration = parsed["Configuration"] as XmlElement | undefined;
  if (!configuration || typeof configuration !== "object") return ["no <Configuration> root element"];
  const adds = (configuration["Add"] as XmlElement[] | undefined) ?? [];
  if (adds.length !== 1) return [`expected exactly one <Add>, found ${adds.length}`];
  const add = adds[0] as XmlElement;
  if (add["Channel"] !== expected.channel) problems.push(`<Add Channel="${String(add["Channel"])}"> should be ${expected.channel}`);

  const products = (add["Product"] as XmlElement[] | undefined) ?? [];
  for (const want of expected.products) {
    const found = products.filter((p) => p["ID"] === want.id);
    if (found.length !== 1) {
      problems.push(`product ${want.id} appears ${found.length} times, expected once`);
      continue;
    }
    const product = found[0] as XmlElement;
    if (product["PIDKEY"] !== want.gvlk) problems.push(`product ${want.id} has PIDKEY ${String(product["PIDKEY"])}, expected its GVLK ${want.gvlk}`);
    const languages = ((product["Language"] as XmlElement[] | undefined) ?? []).map((l) => l["ID"]);
    if (JSON.stringify(languages) !== JSON.stringify(expected.languages)) {
      problems.push(`product ${want.id} has languages ${JSON.stringify(languages)}, expected ${JSON.stringify(expected.languages)}`);
    }
  }
  const unexpected = products.filter((p) => !expected.products.some((w) => w.id === p["ID"]));
  for (const p of unexpected) problems.push(`unexpected product ${String(p["ID"])}`);

  for (const updates of (configuration["Updates"] as XmlElement[] | undefined) ?? []) {
    if (updates["Channel"] !== expected.channel) problems.push(`<Updates Channel="${String(updates["Channel"])}"> should be ${expected.channel}`);
  }
  return problems;
}
