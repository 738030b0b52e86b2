// hosts.replace (README, "Replacing one production host"): only the listed host loses
// prevent_destroy; every lock and purge protection stay.
import { fixtureEnvironment, parseFixture, fixtureData } from "./support/fixtures";
import { synthesizeEnvironment } from "./support/synth";

describe("hosts.replace", () => {
  it("refuses a name that is not one of the hosts, naming the field and the hosts", () => {
    const { problems } = parseFixture(fixtureData("monitored", (d) => (d.hosts.replace = ["KmsFix07"])));
    expect(problems).toEqual([expect.stringMatching(/^hosts\.replace\[0\]: "KmsFix07" is not one of the hosts \(KmsFix01, KmsFix02, KmsFix03\)/)]);
  });

  describe("in production, listing the second host", () => {
    const stack = synthesizeEnvironment(fixtureEnvironment("monitored", (d) => (d.hosts.replace = ["KmsFix02"])));
    const vms = stack.resources("azurerm_windows_virtual_machine");
    const vmAddress = (name: string) => {
      const entry = Object.entries(stack.json.resource.azurerm_windows_virtual_machine as Record<string, any>).find(([, vm]) => vm.computer_name === name)!;
      return `azurerm_windows_virtual_machine.${entry[0]}`;
    };
    const locked = (address: string) => stack.resources("azurerm_management_lock").some((l) => l.scope === `\${${address}.id}`);

    it("drops prevent_destroy of that host only, and keeps every host's lock", () => {
      for (const vm of vms) expect(vm.lifecycle.prevent_destroy ?? false).toBe(vm.computer_name !== "KmsFix02");
      expect(locked(vmAddress("KmsFix02"))).toBe(true);
      expect(locked(vmAddress("KmsFix01"))).toBe(true);
      expect(locked(vmAddress("KmsFix03"))).toBe(true);
    });
    it("keeps purge protection on and the vault locked", () => {
      const [vault] = stack.resources("azurerm_key_vault");
      expect(vault.purge_protection_enabled).toBe(true);
      const vaultAddress = `azurerm_key_vault.${Object.keys(stack.json.resource.azurerm_key_vault as object)[0]}`;
      expect(locked(vaultAddress)).toBe(true);
    });
  });

  it("without it, every production VM keeps prevent_destroy", () => {
    const stack = synthesizeEnvironment(fixtureEnvironment("monitored"));
    for (const vm of stack.resources("azurerm_windows_virtual_machine")) expect(vm.lifecycle.prevent_destroy).toBe(true);
  });
});
