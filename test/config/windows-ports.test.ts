// kms.port on a TCP port Windows itself uses is refused, naming the service (config/windows-ports.ts,
// from Microsoft Learn's "Service overview and network port requirements for Windows"); so is a port
// in Windows' dynamic range. Ports used only over UDP, and other high ports, stay allowed.
import { DYNAMIC_PORT_RANGE, WINDOWS_TCP_PORTS } from "../../config/windows-ports";
import { environmentWith, problemsOf } from "../support/environments";

const withPort = (port: number, change: (d: any) => void = () => undefined): string[] => problemsOf(environmentWith("lab", (d) => ((d.kms.port = port), change(d))));

describe("kms.port refuses a TCP port Windows uses", () => {
  test.each(WINDOWS_TCP_PORTS.filter((p) => !p.management).map((p) => [p.port, p.service] as const))("%d (%s), naming the service and the fix", (port, service) => {
    expect(withPort(port)).toEqual([`kms.port: ${port} is the TCP port of ${service} on Windows: the KMS listener would clash with it, and the KMS rule would open it to every client network; choose another port, e.g. the default 1688 (every SRV entry and the NSG rule follow kms.port)`]);
  });

  test("the list holds the ports the issue names (53, 88, 135, 137-139, 389, 445, 464, 636, 3268, 3269, 3389, 5985, 5986)", () => {
    expect(WINDOWS_TCP_PORTS.map((p) => p.port)).toEqual(expect.arrayContaining([53, 88, 135, 137, 138, 139, 389, 445, 464, 636, 3268, 3269, 3389, 5985, 5986]));
  });

  describe("RDP 3389 and WinRM 5985/5986", () => {
    test.each([3389, 5985, 5986])("%d is left to the policy pack (KMS-NET-004) while a client range lies outside adminCidrs", (port) => {
      // The lab fixture's client ranges are not inside its admin ranges: KMS-NET-004 refuses the NSG rule at synth, naming RDP/WinRM.
      expect(withPort(port)).toEqual([]);
    });

    test.each([3389, 5985, 5986])("%d is refused here when every client range is inside adminCidrs (KMS-NET-004 would see nothing wrong)", (port) => {
      const found = withPort(port, (d) => (d.adminCidrs = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]));
      expect(found).toEqual([expect.stringMatching(new RegExp(`^kms\\.port: ${port} is the TCP port of (Remote Desktop|Windows Remote Management)`))]);
    });
  });

  test.each([DYNAMIC_PORT_RANGE.first, 50000, DYNAMIC_PORT_RANGE.last])("%d, in Windows' dynamic port range", (port) => {
    expect(withPort(port)).toEqual([expect.stringMatching(/^kms\.port: \d+ is in Windows' dynamic port range \(49152-65535\).*choose a port below 49152/)]);
  });

  test.each([1688, 1689, 123, 500, 5355, 20000, 49151])("%d is accepted (the default, a free high port, or a UDP-only Windows port)", (port) => {
    expect(withPort(port)).toEqual([]);
  });
});
