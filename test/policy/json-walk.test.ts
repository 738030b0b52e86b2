// policy/json-walk.ts: the string leaves of a stack's JSON, which the secret and product-key rules scan.
import { jsonPath, resourceAt, stringLeaves } from "../../policy/json-walk";
import { resolvedResource } from "./resolved-resource";

describe("stringLeaves", () => {
  const json = {
    resource: { azurerm_x: { y: { name: "n", tags: { a: "1" }, list: ["p", { q: "r" }], count: 2, on: true, nothing: null } } },
    output: { o: { value: "v" } },
  };

  test("lists every string with its path from the root, in document order, and nothing else", () => {
    expect(stringLeaves(json).map((l) => [jsonPath(l.path), l.value])).toEqual([
      ["resource.azurerm_x.y.name", "n"],
      ["resource.azurerm_x.y.tags.a", "1"],
      ["resource.azurerm_x.y.list[0]", "p"],
      ["resource.azurerm_x.y.list[1].q", "r"],
      ["output.o.value", "v"],
    ]);
  });

  test("gives each leaf a path of its own", () => {
    const [first, second] = stringLeaves(json);
    expect(first.path).toEqual(["resource", "azurerm_x", "y", "name"]);
    expect(second.path).toEqual(["resource", "azurerm_x", "y", "tags", "a"]);
  });

  test("walks a string or a scalar root, and under a given path", () => {
    expect(stringLeaves("s")).toEqual([{ path: [], value: "s" }]);
    expect(stringLeaves(3)).toEqual([]);
    expect(stringLeaves({ k: "v" }, ["root"])).toEqual([{ path: ["root", "k"], value: "v" }]);
  });

  test("walks the same object once for every rule that asks", () => {
    expect(stringLeaves(json)).toBe(stringLeaves(json));
    expect(stringLeaves({ ...json })).not.toBe(stringLeaves(json));
  });
});

describe("stringLeaves at its edges", () => {
  test("a string on its own is one leaf at the given path; anything else but objects and lists, none", () => {
    expect(stringLeaves("x", ["a"])).toEqual([{ path: ["a"], value: "x" }]);
    expect(stringLeaves(5)).toEqual([]);
    expect(stringLeaves(null)).toEqual([]);
  });

  test("a walk from a path starts its leaves' paths there, and is not kept for the walk from the root", () => {
    const json = { a: ["x"] };
    expect(stringLeaves(json, ["root"])).toEqual([{ path: ["root", "a", "0"], value: "x" }]);
    expect(stringLeaves(json)).toEqual([{ path: ["a", "0"], value: "x" }]);
    expect(stringLeaves(json)).toBe(stringLeaves(json));
    expect(stringLeaves(json, ["root"])).not.toBe(stringLeaves(json, ["root"]));
  });
});

describe("resourceAt", () => {
  const resources = [
    resolvedResource("azurerm_x", "a", {}),
    resolvedResource("azurerm_y", "b", {}),
  ];
  const stack = { stack: undefined as never, resources, terraform: () => ({}) };

  test("finds the resource a path under resource.<type>.<name> points into", () => {
    expect(resourceAt(stack, ["resource", "azurerm_y", "b", "tags", "x"])?.path).toBe("kms/b");
    expect(resourceAt(stack, ["resource", "azurerm_x", "a"])?.path).toBe("kms/a");
  });

  test.each([
    ["outside resource", ["data", "azurerm_x", "a", "name"]],
    ["too short", ["resource", "azurerm_x"]],
    ["a type with another resource's name", ["resource", "azurerm_x", "b", "name"]],
    ["a name with another resource's type", ["resource", "azurerm_y", "a", "name"]],
  ])("finds nothing for a path %s", (_what, path) => {
    expect(resourceAt(stack, path)).toBeUndefined();
  });
});

describe("jsonPath", () => {
  test("renders list indexes, and only all-digit segments, as [n]", () => {
    expect(jsonPath(["resource", "a", "12", "b"])).toBe("resource.a[12].b");
    expect(jsonPath(["a", "1x", "x1", "1"])).toBe("a.1x.x1[1]");
  });
});
