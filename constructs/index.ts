// Public API of the azure-kms-host construct library.
export * from "./address-range";
export * from "./kms-delete-locks";
export * from "./kms-dns-records";
export * from "./kms-firewall-rule";
export * from "./kms-host";
export * from "./kms-host-bootstrap";
export * from "./kms-host-image";
export * from "./kms-host-keys";
export * from "./kms-key-vault";
export * from "./kms-monitoring";
export * from "./kms-network";
export * from "./kms-port";
export * from "./kms-private-dns";
export * from "./kms-rfc2136-records";
export * from "./kms-srv-record";
export * from "./management-access-rule";
export * from "./standard-tags";
