// Azure's rules (rehearsal/azure-rules.ts) as local-exec provisioners of the stand-ins
// (rehearsal/stand-in.ts): they fail the way Azure fails. Every command names the rule id it
// implements in its failure text. They keep their records under $REHEARSAL_DIR (set by the runner,
// rehearsal/terraform.ts):
//   log                      one line per event, `<event> <real address>`, in the order they happened
//   locks/<scope>            one file per CanNotDelete lock, named by the locked stand-in's id
//   applied/<address>        the values Azure last accepted for a resource with an update rule
//   fail-bootstrap-create    real Run Command addresses (or `*`), one a line, whose script fails on create
//   fail-bootstrap-update    the same, for an update (a re-run)
// Shell only, no `${`: these strings are Terraform templates; `$${` would be needed otherwise.

/** What a provisioner needs to know of its stand-in. */
export interface StandInFacts {
  readonly real: string;
  readonly type: string;
  readonly standIn: string;
  /** Argument names in `triggers_replace` (ForceNew). */
  readonly triggersKeys: readonly string[];
  /** Argument names in `input`. */
  readonly inputKeys: readonly string[];
}

type Provisioner = Record<string, { command: string; when?: "destroy"; interpreter: string[]; environment: Record<string, string> }>;

const SH = ["/bin/sh", "-c"];
const LOG = 'echo "$EVENT $ADDRESS" >> "$REHEARSAL_DIR/log"';

/**
 * Arguments naming the resource a child lives under, whose lock covers it
 * (lock-blocks-child-delete: Learn, lock-resources, "a lock ... is inherited by child resources";
 * a Run Command, a VM extension, a data collection rule association and a maintenance configuration
 * assignment are child or extension resources of their VM; a role assignment lives at its scope). A Key Vault secret is data plane,
 * which ARM locks do not cover (same page, "Considerations before applying your locks").
 */
const PARENT_ARGUMENTS: Readonly<Record<string, readonly string[]>> = {
  azurerm_virtual_machine_run_command: ["virtual_machine_id"],
  azurerm_virtual_machine_extension: ["virtual_machine_id"],
  azurerm_monitor_data_collection_rule_association: ["target_resource_id"],
  // Microsoft.Maintenance/configurationAssignments, an extension resource at the VM's scope
  // (Learn, maintenance-configurations, "Scope": assignments are made to the machine).
  azurerm_maintenance_assignment_virtual_machine: ["virtual_machine_id"],
  // Microsoft.Insights/diagnosticSettings, an extension resource of its target: a lock on the target
  // refuses its delete (ScopeLocked: hashicorp/terraform-provider-azurerm#17478, microsoft/AzureTRE#1164;
  // MicrosoftDocs/azure-docs#92388 asks lock-resources to say so).
  azurerm_monitor_diagnostic_setting: ["target_resource_id"],
  // Deleting a private endpoint deletes its connection on the target (a privateEndpointConnectionProxies
  // child of it), which the target's lock refuses (ScopeLocked: MicrosoftDocs/azure-docs#116983,
  // hashicorp/terraform-provider-azurerm#17478, comment of 2023-05-03).
  azurerm_private_endpoint: ["private_service_connection.private_connection_resource_id"],
  azurerm_role_assignment: ["scope"],
};

/** `name`, or `block.name` inside a single nested block, as the stand-in holds it. */
function argument(facts: StandInFacts, name: string): string | undefined {
  const top = name.split(".")[0];
  if (facts.triggersKeys.includes(top)) return `self.triggers_replace.${name}`;
  if (facts.inputKeys.includes(top)) return `self.input.${name}`;
  return undefined;
}

function exec(command: string, environment: Record<string, string>, when?: "destroy"): Provisioner {
  return { "local-exec": { command, interpreter: SH, environment, ...(when ? { when } : {}) } };
}

/** The provisioners of one stand-in. */
export function provisionersFor(facts: StandInFacts): Provisioner[] {
  const base = { ADDRESS: facts.real };
  // Every scope whose lock blocks this delete: the resource itself (lock-blocks-delete) and the
  // resource it lives under (lock-blocks-child-delete).
  const scopes = ["${self.id}", ...(PARENT_ARGUMENTS[facts.type] ?? []).flatMap((a) => (argument(facts, a) ? [`\${${argument(facts, a)}}`] : []))];
  const destroyCheck =
    // A lock covers its scope and every scope below it (a vault's lock, its secrets' role assignments).
    'for scope in $SCOPES; do for lock in "$REHEARSAL_DIR"/locks/*; do [ -e "$lock" ] || continue; locked=$(basename "$lock"); case "$scope" in "$locked"|"$locked"/*) ' +
    'echo "$ADDRESS: ScopeLocked: the scope is locked by a CanNotDelete lock (rule lock-blocks-delete / lock-blocks-child-delete, learn.microsoft.com/azure/azure-resource-manager/management/lock-resources)" >&2; ' +
    `echo "refused-destroy $ADDRESS" >> "$REHEARSAL_DIR/log"; exit 1;; esac; done; done; ${LOG}`;
  const provisioners: Provisioner[] = [];
  if (facts.type === "azurerm_management_lock") {
    // The lock itself: a file named by the locked stand-in's id (its `scope`, ForceNew).
    const scope = argument(facts, "scope") ?? "self.id";
    provisioners.push(exec(`mkdir -p "$REHEARSAL_DIR/locks" && touch "$REHEARSAL_DIR/locks/$SCOPE" && ${LOG}`, { ...base, EVENT: "create", SCOPE: `\${${scope}}` }));
    provisioners.push(exec(`rm -f "$REHEARSAL_DIR/locks/$SCOPE" && ${LOG}`, { ...base, EVENT: "destroy", SCOPE: `\${${scope}}` }, "destroy"));
    return provisioners;
  }
  if (facts.type === "azurerm_virtual_machine_run_command") {
    // The script runs on create; a failure fails the create and the resource is kept tainted:
    // the provider sets the id before it polls the run (virtual_machine_run_command_resource.go
    // at v4.55.0, lines 409-413: metadata.SetID, then PollUntilDone's error is returned), and
    // Terraform taints a resource whose create returned an error with an id.
    provisioners.push(
      exec(
        `if [ -f "$REHEARSAL_DIR/fail-bootstrap-create" ] && grep -qxF -e "$ADDRESS" -e '*' "$REHEARSAL_DIR/fail-bootstrap-create"; then ` +
          `echo "failed-create $ADDRESS" >> "$REHEARSAL_DIR/log"; echo "$ADDRESS: running the command: the script exited non-zero (rule run-command-failure-fails-deployment)" >&2; exit 1; fi; ` +
          `mkdir -p "$REHEARSAL_DIR/applied" && printf %s "$VALUES" > "$REHEARSAL_DIR/applied/$ADDRESS" && ${LOG}`,
        { ...base, EVENT: "create", VALUES: "${sha1(jsonencode(self.input))}" },
      ),
    );
  } else if (facts.type === "azurerm_key_vault") {
    provisioners.push(
      exec(`mkdir -p "$REHEARSAL_DIR/applied" && printf %s "$PURGE" > "$REHEARSAL_DIR/applied/$ADDRESS" && ${LOG}`, {
        ...base,
        EVENT: "create",
        PURGE: "${jsonencode(try(self.input.purge_protection_enabled, false))}",
      }),
    );
  } else {
    provisioners.push(exec(LOG, { ...base, EVENT: "create" }));
  }
  provisioners.push(exec(destroyCheck, { ...base, EVENT: "destroy", SCOPES: scopes.join(" ") }, "destroy"));
  return provisioners;
}

/**
 * An update hook: terraform_data runs no provisioner on an update in place, so a resource whose
 * update Azure can refuse gets a helper (`<stand-in>__hook`) that is replaced whenever the
 * resource's `input` changes, and whose create plays the update's call to Azure.
 */
export function hookFor(facts: StandInFacts): Record<string, unknown> | undefined {
  const input = `\${terraform_data.${facts.standIn}.output}`;
  if (facts.type === "azurerm_virtual_machine_run_command") {
    // An update re-runs the script (Azure re-runs a changed Run Command). A failed update still
    // saves the new values as applied: the provider's Update returns the poller's error after
    // CreateOrUpdate (virtual_machine_run_command_resource.go at v4.55.0, lines 579-580), and
    // Terraform keeps the planned values of a failed update. So a plain re-apply sends nothing:
    // the hook runs the script only when the values differ from those last sent.
    return {
      input,
      triggers_replace: input,
      provisioner: [
        exec(
          `if [ "$(cat "$REHEARSAL_DIR/applied/$ADDRESS" 2>/dev/null)" = "$VALUES" ]; then exit 0; fi; ` +
            `printf %s "$VALUES" > "$REHEARSAL_DIR/applied/$ADDRESS"; ` +
            `if [ -f "$REHEARSAL_DIR/fail-bootstrap-update" ] && grep -qxF -e "$ADDRESS" -e '*' "$REHEARSAL_DIR/fail-bootstrap-update"; then ` +
            `echo "failed-update $ADDRESS" >> "$REHEARSAL_DIR/log"; echo "$ADDRESS: updating: the script exited non-zero (rule run-command-failure-fails-deployment)" >&2; exit 1; fi; ${LOG}`,
          { ADDRESS: facts.real, EVENT: "update", VALUES: "${sha1(jsonencode(self.input))}" },
        ),
      ],
    };
  }
  if (facts.type === "azurerm_key_vault") {
    // Replaced only when purge protection changes.
    // purge-protection-irreversible: key_vault_resource.go at v4.55.0, lines 560-561 ("once Purge
    // Protection has been Enabled it's not possible to disable it"), checked in Update, at apply.
    const purge = `\${try(terraform_data.${facts.standIn}.output.purge_protection_enabled, false)}`;
    return {
      input: purge,
      triggers_replace: purge,
      provisioner: [
        exec(
          `if [ "$(cat "$REHEARSAL_DIR/applied/$ADDRESS" 2>/dev/null)" = true ] && [ "$PURGE" = false ]; then ` +
            `echo "failed-update $ADDRESS" >> "$REHEARSAL_DIR/log"; echo "$ADDRESS: updating: once Purge Protection has been Enabled it's not possible to disable it (rule purge-protection-irreversible)" >&2; exit 1; fi; ` +
            `printf %s "$PURGE" > "$REHEARSAL_DIR/applied/$ADDRESS"`,
          { ADDRESS: facts.real, PURGE: "${jsonencode(self.input)}" },
        ),
      ],
    };
  }
  return undefined;
}
