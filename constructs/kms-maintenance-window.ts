// KmsMaintenanceWindow: one host's patch window in Azure Update Manager. A maintenance
// configuration (scope InGuestPatch) with its own recurring window, assigned to the host. The
// stack staggers the windows (staggeredWindowStart) so that no two hosts patch or reboot at once.
// For the schedule to take effect the VM needs patch_mode AutomaticByPlatform and
// bypass_platform_safety_checks_on_user_schedule_enabled = true (KmsHost's `patchSchedule`):
// without the flag Azure keeps patching on its own schedule
// (learn.microsoft.com/azure/update-manager/scheduled-patching, Prerequisites).
import { MaintenanceAssignmentVirtualMachine } from "@cdktf/provider-azurerm/lib/maintenance-assignment-virtual-machine";
import { MaintenanceConfiguration } from "@cdktf/provider-azurerm/lib/maintenance-configuration";
import { Construct } from "constructs";
import { nameElement, terraformIdentifier } from "./terraform-name";

/** A recurring patch window, as host 1 has it. */
export interface KmsPatchWindow {
  /** First day, `YYYY-MM-DD`. */
  readonly startDate: string;
  /** Opening time, `HH:mm`. */
  readonly startTime: string;
  /** Length in hours (1.5-3.9, quarter hours). */
  readonly durationHours: number;
  /** Recurrence, e.g. `1Week Saturday`. */
  readonly recurEvery: string;
  /** Windows time zone id, e.g. `UTC`. */
  readonly timeZone: string;
}

/** `HH:mm` of a number of hours (the provider's `window.duration`: ^(0[0-9]|1[0-9]|2[0-3]):[0-5][0-9]$). */
export function durationText(hours: number): string {
  const minutes = Math.round(hours * 60);
  if (minutes < 1 || minutes >= 24 * 60) throw new RangeError(`duration ${hours} h is outside the provider's 00:01-23:59`);
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

/**
 * Host `index`'s window start, `YYYY-MM-DD hh:mm` (the provider's `start_date_time` format): host 1's
 * start plus `index` × the window's length, so the windows follow one another and never overlap
 * (as long as all of them fit in a day, which at most 6 hosts × 3.9 hours do).
 */
export function staggeredWindowStart(window: Pick<KmsPatchWindow, "startDate" | "startTime" | "durationHours">, index: number): string {
  const [y, mo, d] = window.startDate.split("-").map(Number);
  const [h, mi] = window.startTime.split(":").map(Number);
  // Calendar arithmetic only (UTC fields, no local time): the window's own time zone applies in Azure.
  const start = new Date(Date.UTC(y, mo - 1, d, h, mi) + Math.round(index * window.durationHours * 60) * 60_000);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${start.getUTCFullYear()}-${two(start.getUTCMonth() + 1)}-${two(start.getUTCDate())} ${two(start.getUTCHours())}:${two(start.getUTCMinutes())}`;
}

/** Properties of {@link KmsMaintenanceWindow}. */
export interface KmsMaintenanceWindowProps {
  /** Resource group of the maintenance configuration. */
  readonly resourceGroupName: string;
  /** Azure region (the VM's). */
  readonly location: string;
  /** Name of the configuration, e.g. `mc-kms-kmslab01`. */
  readonly name: string;
  /** Resource id of the VM the window applies to. */
  readonly virtualMachineId: string;
  /** The window. */
  readonly window: KmsPatchWindow;
  /**
   * Which of the staggered windows this host takes (0: host 1's own start).
   * @default 0
   */
  readonly slot?: number;
  /**
   * The Terraform name of the configuration and its assignment (`azurerm_maintenance_configuration.<name>`).
   * @default - the configuration name, as a Terraform name
   */
  readonly terraformName?: string;
}

/** One host's recurring in-guest patch window, assigned to the host. */
export class KmsMaintenanceWindow extends Construct {
  /** The maintenance configuration. */
  public readonly configuration: MaintenanceConfiguration;
  /** Its assignment to the VM. */
  public readonly assignment: MaintenanceAssignmentVirtualMachine;

  constructor(scope: Construct, id: string, props: KmsMaintenanceWindowProps) {
    super(scope, id);
    const terraformName = props.terraformName ?? terraformIdentifier(props.name);
    this.configuration = new MaintenanceConfiguration(this, "configuration", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      scope: "InGuestPatch",
      // "User": the customer's schedule drives patching (maintenance_configuration_resource.go
      // requires it, or properties.InGuestPatchMode, when scope is InGuestPatch).
      inGuestUserPatchMode: "User",
      window: {
        startDateTime: staggeredWindowStart(props.window, props.slot ?? 0),
        duration: durationText(props.window.durationHours),
        timeZone: props.window.timeZone,
        recurEvery: props.window.recurEvery,
      },
      installPatches: {
        // Security and critical fixes plus the monthly rollups; no feature packs or service packs.
        windows: [{ classificationsToInclude: ["Critical", "Security", "UpdateRollup", "Updates", "Definition"] }],
        reboot: "IfRequired",
      },
    });
    nameElement(this.configuration, terraformName);
    this.assignment = new MaintenanceAssignmentVirtualMachine(this, "assignment", {
      location: props.location,
      maintenanceConfigurationId: this.configuration.id,
      virtualMachineId: props.virtualMachineId,
    });
    nameElement(this.assignment, terraformName);
  }
}
