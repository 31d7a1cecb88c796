import js from "@eslint/js";
import regexp from "eslint-plugin-regexp";
import tseslint from "typescript-eslint";

export default tseslint.config(
  // Fixtures are other projects' files, kept byte for byte: they are data, not this project's code.
  { ignores: ["dist/", "node_modules/", "coverage/", "bench/.corpus/", "bench/.repos/", "fixtures/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", Buffer: "readonly", URL: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    // The code reads pull-request text: a pattern that can backtrack super-linearly is a way to
    // stall the App. These two rules prove it statically; test/security/regex-linear.test.ts
    // also runs every pattern on hostile input.
    files: ["src/**/*.ts", "rules/**/*.ts"],
    plugins: { regexp },
    rules: { "regexp/no-super-linear-backtracking": "error", "regexp/no-super-linear-move": "error" },
  },
);
