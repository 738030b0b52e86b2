// Lint: typescript-eslint's recommended rules, plus the one rule this project cannot live without:
// provider packages (@cdktf/provider-azurerm, -random, -dns: any @cdktf/provider-*) are imported by
// deep path only. The package root of @cdktf/provider-azurerm
// loads 1,527 modules (about 4 s and 430 MB per process instead of 0.35 s and 70 MB).
import tseslint from "typescript-eslint";

const providerRootMessage =
  "Import provider classes by deep path (e.g. '@cdktf/provider-azurerm/lib/windows-virtual-machine'): the package root loads every resource module (~4 s, ~430 MB).";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "lib/", "cdktf.out/", "coverage/", "reports/", ".stryker-tmp/", ".tools/", "**/*.js", "**/*.cjs", "**/*.mjs"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^@cdktf/provider-[a-z0-9-]+(/lib)?/?$",
              message: providerRootMessage,
            },
          ],
        },
      ],
      // `import x = require("...")` is the typed form for CommonJS packages; bare require() is not.
      "@typescript-eslint/no-require-imports": ["error", { allowAsImport: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    // Tests, and the rehearsal (rehearsal/: stand-ins and check-plan), read synthesized Terraform
    // JSON and Terraform's JSON plans, which are untyped by nature.
    files: ["test/**/*.ts", "rehearsal/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
