// The KMS port: one value shared by the NSG rule, every SRV entry and the host's listener, so that
// changing it in one place moves all of them together.

/** The port KMS listens on by default (Microsoft Learn, kms-create-host). */
export const DEFAULT_KMS_PORT = 1688;

/** Throws unless `port` is a TCP port number (1–65535). `where` names the caller for the message. */
export function assertTcpPort(port: number, where: string): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`${where}: port ${port} is not a TCP port; use a whole number from 1 to 65535 (KMS uses ${DEFAULT_KMS_PORT} by default)`);
  }
}
