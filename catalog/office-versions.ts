// The Office versions a KMS host can activate. The same identifiers name the Office KMS host
// products in the environment files, so one spelling is used across the whole project.

/** Office version identifiers, newest first. */
export const OFFICE_VERSIONS = ["office-ltsc-2024", "office-ltsc-2021", "office-2019", "office-2016"] as const;

/** One Office version that KMS activates (volume-licensed, perpetual). */
export type OfficeVersion = (typeof OFFICE_VERSIONS)[number];

/** The volume-licensed Office products that carry a GVLK in every version. */
export const OFFICE_PRODUCTS = [
  "professional-plus",
  "standard",
  "project-professional",
  "project-standard",
  "visio-professional",
  "visio-standard",
] as const;

/** One volume-licensed Office product (suite, Project or Visio edition). */
export type OfficeProduct = (typeof OFFICE_PRODUCTS)[number];

/** Human names of the Office versions, for messages. */
export const OFFICE_VERSION_NAMES: Readonly<Record<OfficeVersion, string>> = {
  "office-ltsc-2024": "Office LTSC 2024",
  "office-ltsc-2021": "Office LTSC 2021",
  "office-2019": "Office 2019",
  "office-2016": "Office 2016",
};

/** True when `value` is one of the project's Office version identifiers. */
export function isOfficeVersion(value: string): value is OfficeVersion {
  return (OFFICE_VERSIONS as readonly string[]).includes(value);
}
