// The package's entry point (`import { KmsHost, KmsStack, ... } from "azure-kms-host"`): the
// constructs, the per-environment stack, the security policy pack with its suppressions, the
// environment-file loader and the main job.
export * from "./constructs";
export { KmsStack, computerName, stackName } from "./stacks/kms-stack";
export { buildApp, synthesizeAll, type SynthesizeOptions, type SynthesizeResult } from "./stacks/synthesize";
export { ConfigError, formatProblem, loadEnvironments, parseEnvironment, type ConfigProblem, type ParseResult } from "./config/load-environments";
export { environmentSchema, type EnvironmentConfig, type KmsProductEntry } from "./config/environment-schema";
export * from "./policy";
export { packageRoot, powershellScriptPath } from "./powershell";
