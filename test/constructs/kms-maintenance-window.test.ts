// KmsMaintenanceWindow alone, and the stagger arithmetic: each host its own in-guest patch window,
// assigned to it, host N's opening (N-1) windows after host 1's.
import { KmsMaintenanceWindow, durationText, staggeredWindowStart } from "../../constructs";
import { SynthesizedStack, synthesizeConstruct } from "../support/synth";

const VM = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-kmstest01";
const WINDOW = { startDate: "2027-02-06", startTime: "22:30", durationHours: 2.5, recurEvery: "1Week Saturday", timeZone: "W. Europe Standard Time" };

describe("staggeredWindowStart", () => {
  test("gives host 1 the window's own start", () => {
    expect(staggeredWindowStart(WINDOW, 0)).toBe("2027-02-06 22:30");
  });

  test("opens each next host one window length later, across midnight and month ends", () => {
    expect([1, 2, 5].map((i) => staggeredWindowStart(WINDOW, i))).toEqual(["2027-02-07 01:00", "2027-02-07 03:30", "2027-02-07 11:00"]);
    expect(staggeredWindowStart({ startDate: "2027-12-31", startTime: "23:00", durationHours: 3 }, 1)).toBe("2028-01-01 02:00");
  });

  test("never lets two of six hosts' windows overlap within a day", () => {
    const minutes = (s: string) => Number(s.slice(11, 13)) * 60 + Number(s.slice(14, 16));
    const starts = [0, 1, 2, 3, 4, 5].map((i) => minutes(staggeredWindowStart({ ...WINDOW, durationHours: 3.75 }, i)));
    const sorted = [...starts].sort((a, b) => a - b);
    const gaps = sorted.map((s, i) => ((i + 1 < sorted.length ? sorted[i + 1] : sorted[0] + 24 * 60) - s));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(3.75 * 60);
  });
});

describe("durationText", () => {
  test("writes hours as the provider's HH:mm", () => {
    expect([1.5, 2, 3.75, 3.9].map(durationText)).toEqual(["01:30", "02:00", "03:45", "03:54"]);
  });

  test("refuses a duration the provider's HH:mm cannot hold", () => {
    expect(() => durationText(24)).toThrow(RangeError);
  });
});

describe("KmsMaintenanceWindow", () => {
  let stack: SynthesizedStack;
  beforeAll(() => {
    stack = synthesizeConstruct((s) => new KmsMaintenanceWindow(s, "window", { resourceGroupName: "rg-kms", location: "westeurope", name: "mc-kms-kmstest02", virtualMachineId: VM, window: WINDOW, slot: 1 }));
  });

  test("creates an InGuestPatch configuration on the customer's schedule, with its slot's window", () => {
    expect(stack.resources("azurerm_maintenance_configuration")).toEqual([
      expect.objectContaining({
        name: "mc-kms-kmstest02",
        scope: "InGuestPatch",
        in_guest_user_patch_mode: "User",
        window: { start_date_time: "2027-02-07 01:00", duration: "02:30", time_zone: "W. Europe Standard Time", recur_every: "1Week Saturday" },
      }),
    ]);
  });

  test("installs critical and security updates and rollups, rebooting only if required", () => {
    expect(stack.resources("azurerm_maintenance_configuration")[0].install_patches).toEqual({
      windows: [{ classifications_to_include: ["Critical", "Security", "UpdateRollup", "Updates", "Definition"] }],
      reboot: "IfRequired",
    });
  });

  test("assigns the configuration to the VM", () => {
    const [configuration] = Object.keys(stack.json.resource.azurerm_maintenance_configuration);
    expect(stack.resources("azurerm_maintenance_assignment_virtual_machine")).toEqual([
      expect.objectContaining({ location: "westeurope", virtual_machine_id: VM, maintenance_configuration_id: `\${azurerm_maintenance_configuration.${configuration}.id}` }),
    ]);
  });
});
