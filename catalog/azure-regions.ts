// Azure public-cloud regions by programmatic name (the `location` every resource takes), with
// whether the region offers availability zones. Source: Microsoft Learn, "Azure regions list"
// (https://learn.microsoft.com/azure/reliability/regions-list; MicrosoftDocs/reliability-docs
// articles/reliability/regions-list.md, ms.date 09/23/2025, the "All" table, columns
// "Programmatic name" and "Availability zone support"). Regions marked there as access-restricted
// or coming soon are listed too: they are region names Azure has, and a subscription may be
// granted access to them. The azurerm provider checks `location` against the same list, fetched
// from the Resource Manager metadata endpoint when it is reachable
// (hashicorp/terraform-provider-azurerm v4.55.0, vendor/github.com/hashicorp/go-azure-helpers/
// resourcemanager/location/validation.go, EnhancedValidate); offline it only checks "not empty",
// and Azure refuses an unknown region at apply. Sovereign clouds (Azure Government, Azure China)
// are not in this table.

/** Programmatic region name → availability zone support. */
export const AZURE_REGIONS: Readonly<Record<string, { readonly zones: boolean }>> = {
  australiacentral: { zones: false },
  australiacentral2: { zones: false },
  australiaeast: { zones: true },
  australiasoutheast: { zones: false },
  austriaeast: { zones: true },
  belgiumcentral: { zones: true },
  brazilsouth: { zones: true },
  brazilsoutheast: { zones: false },
  canadacentral: { zones: true },
  canadaeast: { zones: false },
  centralindia: { zones: true },
  centralus: { zones: true },
  chilecentral: { zones: true },
  denmarkeast: { zones: true },
  eastasia: { zones: true },
  eastus: { zones: true },
  eastus2: { zones: true },
  francecentral: { zones: true },
  francesouth: { zones: false },
  germanynorth: { zones: false },
  germanywestcentral: { zones: true },
  indonesiacentral: { zones: true },
  israelcentral: { zones: true },
  italynorth: { zones: true },
  japaneast: { zones: true },
  japanwest: { zones: true },
  koreacentral: { zones: true },
  koreasouth: { zones: false },
  malaysiawest: { zones: true },
  mexicocentral: { zones: true },
  newzealandnorth: { zones: true },
  northcentralus: { zones: false },
  northeurope: { zones: true },
  norwayeast: { zones: true },
  norwaywest: { zones: false },
  polandcentral: { zones: true },
  qatarcentral: { zones: true },
  southafricanorth: { zones: true },
  southafricawest: { zones: false },
  southcentralus: { zones: true },
  southeastasia: { zones: true },
  southindia: { zones: false },
  spaincentral: { zones: true },
  swedencentral: { zones: true },
  switzerlandnorth: { zones: true },
  switzerlandwest: { zones: false },
  uaecentral: { zones: false },
  uaenorth: { zones: true },
  uksouth: { zones: true },
  ukwest: { zones: false },
  westcentralus: { zones: false },
  westeurope: { zones: true },
  westindia: { zones: false },
  westus: { zones: false },
  westus2: { zones: true },
  westus3: { zones: true },
};

/** The programmatic region names, sorted. */
export const AZURE_REGION_NAMES: readonly string[] = Object.keys(AZURE_REGIONS).sort();
