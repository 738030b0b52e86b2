// kms.port values refused because Windows itself uses the TCP port (issue 23, item 7). KMS is TCP
// only (default 1688; Microsoft Learn, kms-create-host), so ports Windows uses only over UDP (123
// NTP, 500/4500 IKE, 1900 SSDP, 3702 WS-Discovery, 5355 LLMNR, 5353 mDNS) do not clash and stay
// allowed. Source of the services and ports: Microsoft Learn, "Service overview and network port
// requirements for Windows" (learn.microsoft.com/troubleshoot/windows-server/networking/
// service-overview-and-network-port-requirements), the "System services ports" table.
import type * as z from "zod";
import { AddressRange } from "../constructs/address-range";
import { addProblem } from "./add-problem";

/** A TCP port Windows uses, and the service that uses it. */
interface WindowsPort {
  readonly port: number;
  readonly service: string;
  /**
   * A management port the policy pack's KMS-NET-004 already refuses when the KMS rule would open it
   * to a client range outside adminCidrs (it names the service too); refused here only when every
   * client range is inside adminCidrs, which that rule cannot see as a problem.
   */
  readonly management?: true;
}

/**
 * TCP ports of Windows services a KMS host (a member server) listens on, or that its clients and
 * domain controllers use for Active Directory: a KMS listener there either fails to bind or opens
 * that service's port from every client network through the KMS rule.
 */
export const WINDOWS_TCP_PORTS: readonly WindowsPort[] = [
  { port: 53, service: "DNS Server" },
  { port: 88, service: "Kerberos (Key Distribution Center)" },
  { port: 135, service: "RPC endpoint mapper (Remote Procedure Call)" },
  { port: 137, service: "NetBIOS name service" },
  { port: 138, service: "NetBIOS datagram service" },
  { port: 139, service: "NetBIOS session service (SMB over NetBIOS)" },
  { port: 389, service: "LDAP (Active Directory Domain Services)" },
  { port: 445, service: "SMB (Server service, file and printer sharing)" },
  { port: 464, service: "Kerberos password change (kpasswd)" },
  { port: 593, service: "RPC over HTTP endpoint mapper" },
  { port: 636, service: "LDAP over TLS (LDAPS)" },
  { port: 3268, service: "Global Catalog (LDAP)" },
  { port: 3269, service: "Global Catalog over TLS" },
  { port: 3389, service: "Remote Desktop (RDP)", management: true },
  { port: 5722, service: "DFS Replication (RPC, domain controllers)" },
  { port: 5985, service: "Windows Remote Management (WinRM over HTTP)", management: true },
  { port: 5986, service: "Windows Remote Management (WinRM over HTTPS)", management: true },
  { port: 9389, service: "Active Directory Web Services" },
  { port: 47001, service: "Windows Remote Management (WinRM's local HTTP listener)" },
];

/**
 * Windows' dynamic (ephemeral) port range, 49152-65535 (Microsoft Learn, "The default dynamic port
 * range for TCP/IP has changed since Windows Vista and in Windows Server 2008",
 * learn.microsoft.com/troubleshoot/windows-server/networking/default-dynamic-port-range-tcpip-chang):
 * outgoing connections and dynamic RPC endpoints take ports from it, so one may already hold the
 * KMS port when the Software Protection service starts, and the listener fails to bind.
 */
export const DYNAMIC_PORT_RANGE = { first: 49152, last: 65535 } as const;

/** The parts of an environment the KMS port check reads. */
interface KmsPortInput {
  readonly kms: { readonly port: number };
  readonly clientCidrs: readonly string[];
  readonly adminCidrs: readonly string[];
}

/** True when every client range lies inside some admin range (KMS-NET-004 then sees nothing wrong). */
function clientsInsideAdmin(env: KmsPortInput): boolean {
  const admin = env.adminCidrs.flatMap((c) => (AddressRange.cidrProblem(c) ? [] : [AddressRange.of(c)]));
  return env.clientCidrs.every((c) => !AddressRange.cidrProblem(c) && admin.some((a) => a.version === AddressRange.of(c).version && a.containsRange(AddressRange.of(c))));
}

/** Refuses a kms.port that Windows itself uses, naming the service. */
export function checkKmsPort(env: KmsPortInput, ctx: z.RefinementCtx): void {
  const port = env.kms.port;
  const fix = "choose another port, e.g. the default 1688 (every SRV entry and the NSG rule follow kms.port)";
  const windows = WINDOWS_TCP_PORTS.find((p) => p.port === port);
  if (windows && (!windows.management || clientsInsideAdmin(env))) {
    addProblem(ctx, `${port} is the TCP port of ${windows.service} on Windows: the KMS listener would clash with it, and the KMS rule would open it to every client network; ${fix}`, ["kms", "port"]);
  }
  if (port >= DYNAMIC_PORT_RANGE.first && port <= DYNAMIC_PORT_RANGE.last) {
    addProblem(
      ctx,
      `${port} is in Windows' dynamic port range (${DYNAMIC_PORT_RANGE.first}-${DYNAMIC_PORT_RANGE.last}), where outgoing connections and dynamic RPC endpoints take their ports, so it may be in use when the KMS service starts; choose a port below ${DYNAMIC_PORT_RANGE.first} that no service uses, e.g. the default 1688`,
      ["kms", "port"],
    );
  }
}
