// A resolved resource config as a rule sees it, for tests that check rules and their helpers
// directly on configs. Apart from harness.ts, which builds whole stacks (and loads cdktf and the
// provider classes), so that those tests stay light.
import type { ResourceConfig } from "../../policy";

/** A resource config with no construct behind it, at path kms/<name>. */
export function resolvedResource(type: string, name: string, config: Record<string, unknown>): ResourceConfig {
  return { type, name, path: `kms/${name}`, config, construct: undefined as never };
}
