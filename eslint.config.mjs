// Lint rules for the whole repository (typescript-eslint, type-aware). Style is Prettier's job
// (`npm run format`); these rules catch bugs: unused code, promises nobody awaits, awaits of
// non-promises, and `any` leaking where a type was meant.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: ["node_modules/", "dist/", "out/", ".tmp/", "policy/node_modules/", "**/*.js", "**/*.mjs"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      "@typescript-eslint/no-unnecessary-type-assertion": "error",
      "@typescript-eslint/switch-exhaustiveness-check": "error",
      "no-unused-private-class-members": "error",
      eqeqeq: ["error", "always", { null: "ignore" }],
    },
  },
  {
    // Specs and the mock harness build provider-shaped JSON on purpose, often malformed (a
    // policy spec deletes a nested property to see the rule fire): typing every such document
    // would restate the providers' schemas. Production code keeps the rule.
    files: ["tests/**/*.ts", "tools/harness/programUnderMocks.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
