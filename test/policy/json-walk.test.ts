// policy/json-walk.ts: the string leaves of a stack's JSON, which the secret and product-key rules scan.
import { jsonPath, stringLeaves } from "../../policy/json-walk";

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
