// The volume key catalog: published GVLKs, Office KMS host Activation IDs and ODT product ids.
export * from "./sources";
export * from "./office-versions";
export * from "./volume-keys";
export * from "./office-host-activation-ids";
export * from "./odt-products";
export * from "./kms-host-products";
export * from "./azure-regions";
