/** Jest runs TypeScript through swc (no type-checking: `npm run typecheck` does that). */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // test/package/ packs and builds the whole library: its own step, `npm run test:package`.
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/package/"],
  transform: {
    "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }],
  },
  setupFilesAfterEnv: ["<rootDir>/test/setup.ts"],
};
