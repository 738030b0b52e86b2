// Which environment-file fields a construct was built from, so that a policy error on a resource
// can point back at the file, line and field to change (e.g. `kms.port: 3389` opening RDP).
import { IConstruct } from "constructs";

const FIELDS = new WeakMap<IConstruct, readonly (readonly string[])[]>();

/** Records that `construct` (and everything below it) comes from these environment fields, the most likely cause first. */
export function recordEnvironmentFields(construct: IConstruct, ...fields: readonly string[][]): void {
  FIELDS.set(construct, fields);
}

/** The fields recorded on `construct` or its nearest ancestor; empty when none. */
export function environmentFieldsOf(construct: IConstruct): readonly (readonly string[])[] {
  for (const scope of [...construct.node.scopes].reverse()) {
    const fields = FIELDS.get(scope);
    if (fields) return fields;
  }
  return [];
}
