// Tag names: none Azure refuses, none that would replace a standard tag (any case), none twice in
// different case, and none a private DNS zone drops while the stack writes one.
import { STANDARD_TAG_NAMES } from "../../config/tag-rules";
import { environmentWith, problemsOf, validEnvironment } from "../support/environments";
import { synthesizeEnvironment } from "../support/synth";

const withTags = (tags: Record<string, string>, change: (d: any) => void = () => undefined): string[] => problemsOf(environmentWith("lab", (d) => ((d.tags = tags), change(d))));

describe("tag names Azure refuses", () => {
  test.each(["a<b", "a>b", "50%", "r&d", "back\\slash", "why?", "team/app"])("%s, naming the character", (name) => {
    const found = withTags({ [name]: "x" });
    expect(found).toEqual([expect.stringMatching(/^tags\[".*"\]: Azure refuses ".+" in a tag name \(it refuses < > % & \\ \? \/\); rename the tag$/)]);
  });

  test("every refused character is named once", () => {
    expect(withTags({ "a<<b>": "x" })).toEqual([expect.stringContaining('Azure refuses "<", ">" in a tag name')]);
  });

  test("names with hyphens, underscores, dots and colons are accepted", () => {
    expect(withTags({ "cost-center": "x", owner_team: "y", "app.tier": "z", "contoso:tier": "w" })).toEqual([]);
  });
});

describe("a user tag that would replace a standard tag", () => {
  test.each([...STANDARD_TAG_NAMES, "Environment", "MANAGED-BY"])("%s is refused at its field", (name) => {
    expect(withTags({ [name]: "x" })).toEqual([expect.stringMatching(new RegExp(`^tags\\.${name}: would replace the standard tag "${name.toLowerCase()}" the stack puts on every resource`))]);
  });

  test("the standard tag names are exactly the ones the stack adds to a resource beyond the file's own", () => {
    const stack = synthesizeEnvironment(validEnvironment(environmentWith("lab", (d) => (d.tags = { owner: "x" }))));
    const [vm] = stack.resources("azurerm_windows_virtual_machine");
    expect(Object.keys(vm.tags).filter((k) => k !== "owner").sort()).toEqual([...STANDARD_TAG_NAMES].sort());
  });
});

test("two names that differ only in case are one tag to Azure: the second is refused", () => {
  expect(withTags({ Owner: "a", owner: "b" })).toEqual(['tags.owner: is the tag "Owner" again: Azure compares tag names without case, so both are one tag; keep one of them']);
});

describe("while the stack writes private DNS resources", () => {
  test.each(["cost center", "1st-line"])("%s is refused (Azure DNS zones take no space and no leading digit)", (name) => {
    expect(withTags({ [name]: "x" })).toEqual([expect.stringMatching(/Azure DNS zones take no tag name with a space or starting with a digit/)]);
  });

  test("without a private zone they are accepted", () => {
    expect(withTags({ "cost center": "x", "1st-line": "y" }, (d) => (d.dns.privateZone = false))).toEqual([]);
  });
});
