// config/names.ts: the typo suggestions of the loader and the schema, and placeholder ids.
import { closestName, editDistance, isPlaceholderId } from "../../config/names";

describe("editDistance (Levenshtein)", () => {
  test.each([
    ["", "", 0],
    ["abc", "", 3],
    ["", "abc", 3],
    ["abc", "abc", 0],
    ["abc", "abd", 1],
    ["abc", "ab", 1],
    ["ab", "abc", 1],
    ["kitten", "sitting", 3],
    ["westeurop", "westeurope", 1],
    ["flaw", "lawn", 2],
  ])("from %j to %j is %i", (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
  });
});

describe("closestName", () => {
  const names = ["namePrefix", "count", "zones"];

  test("suggests the closest candidate, whatever the case", () => {
    expect(closestName("nameprefx", names)).toBe("namePrefix");
    expect(closestName("COUNT", names)).toBe("count");
  });

  test("allows at least 2 edits, even for a short value", () => {
    expect(closestName("cnt", names)).toBe("count");
    expect(closestName("xyz", names)).toBeUndefined();
  });

  test("allows length / 4 edits by default, rounded down", () => {
    // 12 characters: 3 edits allowed, 4 not.
    expect(closestName("abcdefghijkl", ["abcdefghiXYZ"])).toBe("abcdefghiXYZ");
    expect(closestName("abcdefghijkl", ["abcdefghWXYZ"])).toBeUndefined();
    // 11 characters: still 2.
    expect(closestName("abcdefghijk", ["abcdefghiYZ"])).toBe("abcdefghiYZ");
    expect(closestName("abcdefghijk", ["abcdefghXYZ"])).toBeUndefined();
  });

  test("allows length / divisor edits with another divisor", () => {
    // 9 characters, divisor 3: 3 edits allowed, 4 not.
    expect(closestName("abcdefghi", ["abcdefXYZ"], 3)).toBe("abcdefXYZ");
    expect(closestName("abcdefghi", ["abcdeWXYZ"], 3)).toBeUndefined();
  });

  test("picks the earlier of two candidates as close", () => {
    expect(closestName("abcd", ["abce", "abcf"])).toBe("abce");
    expect(closestName("abcd", ["abxx", "abcf"])).toBe("abcf");
  });

  test("suggests nothing from no candidates", () => {
    expect(closestName("count", [])).toBeUndefined();
  });
});

describe("isPlaceholderId", () => {
  const zero = "00000000-0000-0000-0000-000000000000";

  test.each([
    [zero, true],
    [zero.toUpperCase(), true],
    [`/subscriptions/${zero}`, true],
    [`/subscriptions/${zero}/resourceGroups/rg`, true],
    [`/SUBSCRIPTIONS/${zero}/resourceGroups/rg`, true],
    ["3f0c6a52-7d1e-4d8a-9b51-2c6e8f1a4b7d", false],
    [`/subscriptions/3f0c6a52-7d1e-4d8a-9b51-2c6e8f1a4b7d/resourceGroups/rg-${zero}`, false],
    [`/subscriptions/${zero}0`, false],
    [`x/subscriptions/${zero}/`, false],
  ])("%s: %s", (value, placeholder) => {
    expect(isPlaceholderId(value)).toBe(placeholder);
  });
});
