import { DEFAULT_KMS_PORT } from "../constructs/kms-port";
/** What the policy pack knows about the environment it checks. */
export interface PolicyContext {
  /** CIDR ranges of the KMS clients allowed to reach the KMS port. */
  readonly clientCidrs: readonly string[];
  /**
   * CIDR ranges allowed to reach RDP/WinRM (e.g. the Azure Bastion subnet).
   * @default [] (no administrative inbound access at all)
   */
  readonly adminCidrs: readonly string[];
  /**
   * TCP port the KMS service listens on.
   * @default 1688
   */
  readonly kmsPort: number;
  /**
   * Whether the stack is a production deployment (enables the lock, purge-protection and prevent_destroy rules).
   * @default false
   */
  readonly production: boolean;
  /**
   * Product keys that are public and may appear in configuration (Microsoft's published GVLKs).
   * @default empty set
   */
  readonly allowedPublicKeys: ReadonlySet<string>;
}

/** Input for {@link policyContext}: every field but `clientCidrs` has a default. */
export interface PolicyContextProps {
  /** CIDR ranges of the KMS clients allowed to reach the KMS port. */
  readonly clientCidrs: readonly string[];
  /**
   * CIDR ranges allowed to reach RDP/WinRM.
   * @default []
   */
  readonly adminCidrs?: readonly string[];
  /**
   * TCP port the KMS service listens on.
   * @default 1688
   */
  readonly kmsPort?: number;
  /**
   * Whether the stack is a production deployment.
   * @default false
   */
  readonly production?: boolean;
  /**
   * Public product keys (GVLKs) allowed in configuration; compared upper-case.
   * @default empty set
   */
  readonly allowedPublicKeys?: Iterable<string>;
}


/** Builds a {@link PolicyContext}, applying defaults and normalising key case. */
export function policyContext(props: PolicyContextProps): PolicyContext {
  return {
    clientCidrs: [...props.clientCidrs],
    adminCidrs: [...(props.adminCidrs ?? [])],
    kmsPort: props.kmsPort ?? DEFAULT_KMS_PORT,
    production: props.production ?? false,
    allowedPublicKeys: new Set([...(props.allowedPublicKeys ?? [])].map((k) => k.toUpperCase())),
  };
}
