import js from "@eslint/js";
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
);
