// The parts of an Azure resource id that data sources need to read an existing resource.

/**
 * Resource group and name of a top-level resource id,
 * `/subscriptions/<s>/resourceGroups/<rg>/providers/<namespace>/<type>/<name>`.
 */
export function resourceIdParts(id: string): { resourceGroup: string; name: string } {
  const segments = id.split("/");
  return { resourceGroup: segments[4], name: segments[segments.length - 1] };
}
