// Checks across environment files for things two stacks would both write (issue 23, item 4): the
// same admin-password secrets in one vault, the whole `_vlmcs._tcp` record set on one RFC 2136
// server, and the same records in one Azure private zone. Each clash makes the second apply fail
// ("already exists") or, worse, makes two stacks overwrite each other's records on every apply.
// load-environments.ts turns what these return into file:line: field: message lines.
import type { EnvironmentConfig } from "./environment-schema";

/** One clash: the later file, the field to change there, and what is wrong with the fix. */
export interface SharedTargetClash<T> {
  /** The later of the two files (in file-name order). */
  readonly entry: T;
  /** Field path in that file. */
  readonly field: readonly (string | number)[];
  /** What both write and how to fix it, naming the earlier file. */
  readonly message: string;
}

/** Computer name of host `index` (0-based), as stacks/kms-stack.ts builds it: `<prefix><NN>`. */
function computerNames(env: EnvironmentConfig): string[] {
  return Array.from({ length: env.hosts.count }, (_, index) => `${env.hosts.namePrefix}${String(index + 1).padStart(2, "0")}`.toLowerCase());
}

/**
 * The vault an environment writes its secrets to, by name: a created vault's `keyVault.name`, an
 * existing one's last id segment. Vault names are unique across Azure
 * (learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates#vault-name-and-object-name),
 * so the name alone says which vault it is.
 */
function vaultName(env: EnvironmentConfig): string | undefined {
  const name = env.keyVault.id ? env.keyVault.id.split("/").pop() : env.keyVault.name;
  return name?.toLowerCase();
}

/** The Azure private zone an environment publishes to: subscription, resource group and name. */
function privateZoneKey(env: EnvironmentConfig): string | undefined {
  if (!env.dns.privateZone) return undefined;
  return `${env.subscriptionId ?? "ARM_SUBSCRIPTION_ID"}/${(env.dns.zoneResourceGroup ?? env.resourceGroup.name).toLowerCase()}/${env.dns.zoneName}`;
}

/** The zone on an RFC 2136 server an environment publishes to: server, port and zone. */
function rfc2136Key(env: EnvironmentConfig): string | undefined {
  const section = env.dns.rfc2136;
  return section ? `${section.server.toLowerCase().replace(/\.$/, "")}:${section.port}/${env.dns.zoneName}` : undefined;
}

/**
 * Every clash between two files, reported on the later one. `entries` are in file-name order.
 * A vault already refused as created twice (load-environments.ts) and a zone created twice are left
 * to those checks, so one clash gives one message.
 */
export function sharedTargetClashes<T extends { readonly environment: EnvironmentConfig; readonly file: string }>(entries: readonly T[]): SharedTargetClash<T>[] {
  const clashes: SharedTargetClash<T>[] = [];
  entries.forEach((entry, index) => {
    const env = entry.environment;
    for (const earlier of entries.slice(0, index)) {
      const other = earlier.environment;
      // One vault, overlapping computer names: both stacks write <host>-admin-password there.
      const vault = vaultName(env);
      const bothCreate = env.keyVault.create === true && other.keyVault.create === true;
      if (vault !== undefined && vault === vaultName(other) && !bothCreate) {
        const shared = computerNames(env).filter((name) => computerNames(other).includes(name));
        if (shared.length > 0) {
          clashes.push({
            entry,
            field: ["hosts", "namePrefix"],
            message:
              `host(s) ${shared.join(", ")} are also hosts of ${earlier.file}, and both files use the Key Vault ${vault}: both stacks would write ${shared.map((n) => `${n}-admin-password`).join(", ")} there (the second apply fails, or one overwrites the other's password); ` +
              "give each environment its own hosts.namePrefix (or its own vault)",
          });
        }
      }
      // One RFC 2136 server and zone: each stack manages the whole _vlmcs._tcp record set.
      const rfc2136 = rfc2136Key(env);
      if (rfc2136 !== undefined && rfc2136 === rfc2136Key(other)) {
        clashes.push({
          entry,
          field: ["dns", "rfc2136", "server"],
          message:
            `${earlier.file} also publishes to zone ${env.dns.zoneName} on ${env.dns.rfc2136?.server} port ${env.dns.rfc2136?.port}: each stack manages the whole _vlmcs._tcp record set (dns_srv_record_set), so every apply would replace the other's entries; ` +
            "publish both environments' hosts from one environment file, or give each its own zone (dns.zoneName)",
        });
      }
      // One Azure private zone: both write the _vlmcs._tcp SRV record (and A records of the same hosts).
      const zone = privateZoneKey(env);
      const bothCreateZone = env.dns.createZone && other.dns.createZone;
      if (zone !== undefined && zone === privateZoneKey(other) && !bothCreateZone) {
        const shared = computerNames(env).filter((name) => computerNames(other).includes(name));
        const records = ["_vlmcs._tcp (SRV)", ...shared.map((n) => `${n} (A)`)].join(", ");
        clashes.push({
          entry,
          field: ["dns", "zoneName"],
          message:
            `${earlier.file} also publishes to the private zone ${env.dns.zoneName} in resource group ${env.dns.zoneResourceGroup ?? env.resourceGroup.name}: both stacks would write the records ${records} (the second apply fails: "already exists"); ` +
            "give each environment its own zone (dns.zoneName), or publish this one without a private zone (dns.privateZone: false)",
        });
      }
    }
  });
  return clashes;
}
