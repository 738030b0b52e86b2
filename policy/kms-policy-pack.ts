import { Annotations, Aspects, TerraformResource, TerraformStack, type IAspect } from "cdktf";
import type { IConstruct } from "constructs";
import { address, resourceConfig, stackResources, type JsonObject } from "./config";
import { AddressRange } from "../constructs/address-range";
import type { PolicyContext } from "./policy-context";
import type { ResourceConfig, Rule, StackConfig, Violation } from "./rule";
import { ALL_RULES } from "./rules";
import { markChangedSincePreparation, REPORTS_CHANGES, takePreparedTerraform, type ChangeReportingAspect } from "./prepared-resolution";
import { gateSynthesis } from "./policy-gate";
import { findSuppression, suppressionsWithConstructs, SUPPRESSIONS_JSON_KEY } from "./suppressions";

/** Options of {@link KmsPolicyPack}. */
export interface KmsPolicyPackProps {
  /**
   * Rules to enforce.
   * @default ALL_RULES
   */
  readonly rules?: readonly Rule[];
}

/** Id used for problems of the pack itself (bad suppressions), not of a rule. */
export const PACK_ID = "KMS-POLICY";

/**
 * The KMS host security policy pack: a CDKTF Aspect that checks every resource (and every stack
 * as a whole) against the rules and reports through Annotations, so error-level violations fail
 * `app.synth()` / `cdktf synth`.
 */
export class KmsPolicyPack implements IAspect, ChangeReportingAspect {
  /** The pack changes only the resources it records a suppression on, and reports each (prepared-resolution.ts). */
  public readonly [REPORTS_CHANGES] = true as const;

  /**
   * Adds a pack to `scope`, a stack or a construct inside one; everything below it is checked at
   * synth. An App (or anything above the stacks) is refused: cdktf invokes aspects from each stack
   * down (cdktf lib/synthesize/synthesizer.js, invokeAspects(this.stack)), so a pack added to an
   * App would silently check nothing.
   */
  public static applyTo(scope: IConstruct, context: PolicyContext, props: KmsPolicyPackProps = {}): KmsPolicyPack {
    if (!scope.node.scopes.some((s) => TerraformStack.isStack(s))) {
      throw new Error(
        `KmsPolicyPack.applyTo: ${scope.node.path || "the app"} is not a stack or inside one, and cdktf runs aspects only from each stack down, so the pack would check nothing; apply it to each stack instead (KmsPolicyPack.applyTo(stack, context))`,
      );
    }
    const pack = new KmsPolicyPack(context, props);
    Aspects.of(scope).add(pack);
    // Its errors stop synthesis even where cdktf is told to go on (policy-gate.ts).
    gateSynthesis(TerraformStack.of(scope));
    return pack;
  }

  /** The rules this pack enforces. */
  public readonly rules: readonly Rule[];
  private readonly ruleIds: ReadonlySet<string>;
  // What the pack wrote into each resource's "//" comment; kept so repeated visits rewrite, not duplicate.
  private readonly applied = new WeakMap<TerraformResource, Map<string, { rule_id: string; reason: string; suppressed_at: string }>>();
  // Resolving a resource is the expensive part of a check. Aspects visit a stack before its
  // resources, so the configs resolved for the stack-level rules serve the per-resource rules
  // too; each is used once and dropped, so a later visit resolves afresh.
  private readonly resolvedForResourceVisit = new WeakMap<TerraformResource, ResourceConfig>();

  constructor(
    public readonly context: PolicyContext,
    props: KmsPolicyPackProps = {},
  ) {
    this.rules = props.rules ?? ALL_RULES;
    const ids = this.rules.map((r) => r.id);
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup) throw new Error(`KmsPolicyPack: duplicate rule id ${dup}`);
    this.ruleIds = new Set(ids);
    // A typo in the allow-lists would silently open or close ports: reject it up front.
    for (const cidr of [...context.clientCidrs, ...context.adminCidrs]) {
      if (!AddressRange.tryParse(cidr)) throw new Error(`KmsPolicyPack: ${JSON.stringify(cidr)} is not an IP address or CIDR`);
    }
    if (!Number.isInteger(context.kmsPort) || context.kmsPort < 1 || context.kmsPort > 65535) {
      throw new Error(`KmsPolicyPack: kmsPort ${context.kmsPort} is not a TCP port`);
    }
  }

  /** Aspect entry point: stacks get the stack-level checks, resources the per-resource ones. */
  public visit(node: IConstruct): void {
    // A pack added without applyTo gates its stack too: the gate is read after the aspects ran.
    if (TerraformStack.isStack(node)) {
      gateSynthesis(node);
      this.visitStack(node);
    }
    else if (TerraformResource.isTerraformResource(node)) this.visitResource(node);
  }

  private visitResource(resource: TerraformResource): void {
    const config = this.resolvedForResourceVisit.get(resource) ?? resourceConfig(resource);
    // Stryker disable next-line CallExpression: equivalent; frees the entry only (every stack visit sets each of its resources' entries afresh)
    this.resolvedForResourceVisit.delete(resource);
    for (const rule of this.rules) {
      if (!rule.checkResource) continue;
      if (rule.resourceTypes && !rule.resourceTypes.includes(config.type)) continue;
      for (const v of rule.checkResource(config, this.context)) this.report(rule, resource, address(config), v, config);
    }
  }

  private visitStack(stack: TerraformStack): void {
    for (const { construct, suppression } of suppressionsWithConstructs(stack)) {
      if (!this.ruleIds.has(suppression.id)) {
        Annotations.of(construct).addError(
          `[${PACK_ID}] ${construct.node.path}: suppression of unknown rule id ${JSON.stringify(suppression.id)}. Use one of ${[...this.ruleIds].join(", ")}.`,
        );
      }
    }
    // Stryker disable next-line MethodExpression: equivalent; a rule without checkStack yields nothing below
    const stackRules = this.rules.filter((r) => r.checkStack);
    // Stryker disable next-line ConditionalExpression: equivalent; skips only the resolution, which resourceConfig would make per resource
    if (stackRules.length === 0) return;
    // One resolution of the whole stack serves the stack-level rules, every resource's config and
    // (through resolvedForResourceVisit) the per-resource rules. When the stack kept what cdktf's
    // preparation resolved (KmsStack does: prepared-resolution.ts), that is the resolution, provided
    // nothing can have changed the stack since: cdktf runs a stack's aspects from the stack down
    // with nothing inherited from the App (lib/synthesize/synthesizer.js, invokeAspects), so when
    // this pack is the stack's first aspect, no aspect has visited anything yet.
    const prepared = Aspects.of(stack).all[0] === this ? takePreparedTerraform(stack) : undefined;
    const terraform = (prepared ?? stack.toTerraform()) as JsonObject;
    const resources = stackResources(stack, terraform);
    for (const config of resources) this.resolvedForResourceVisit.set(config.construct, config);
    const view: StackConfig = { stack, resources, terraform: () => terraform };
    for (const rule of stackRules) {
      // Stryker disable next-line OptionalChaining,ArrayDeclaration: equivalent; stackRules holds only rules with checkStack
      for (const v of rule.checkStack?.(view, this.context) ?? []) {
        const target = v.resource?.construct ?? stack;
        const where = v.location ?? (v.resource ? address(v.resource) : `stack ${stack.node.id}`);
        this.report(rule, target, where, v, v.resource);
      }
    }
  }

  private report(rule: Rule, target: IConstruct, where: string, v: Violation, resource?: ResourceConfig): void {
    const message = `[${rule.id}] ${where}: ${v.problem}. ${v.fix}`;
    const suppression = findSuppression(target, rule.id);
    if (suppression) {
      Annotations.of(target).addInfo(`${message} (suppressed at ${suppression.path}: ${suppression.reason})`);
      if (resource) this.recordOnResource(resource.construct, rule.id, suppression.reason, suppression.path);
      return;
    }
    if (rule.level === "error") Annotations.of(target).addError(message);
    else Annotations.of(target).addWarning(message);
  }

  private recordOnResource(resource: TerraformResource, ruleId: string, reason: string, at: string): void {
    let entries = this.applied.get(resource);
    if (!entries) this.applied.set(resource, (entries = new Map()));
    entries.set(ruleId, { rule_id: ruleId, reason, suppressed_at: at });
    resource.addOverride(`//.${SUPPRESSIONS_JSON_KEY}`, [...entries.values()]);
    markChangedSincePreparation(resource);
  }
}
