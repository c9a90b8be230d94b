// Lint configuration: ESLint's and typescript-eslint's recommended rules, plus the project's determinism rule
// (no wall clock, real timers or Math.random in the simulator and the agent).
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "reports/", "tmp/", "**/*.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-explicit-any": "warn",
    },
  },
  {
    files: ["src/sim/**/*.ts", "src/agent/**/*.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "Math", property: "random", message: "use a named seedrandom stream" },
        { object: "Date", property: "now", message: "use the simulated clock" },
        { object: "performance", property: "now", message: "use the simulated clock" },
      ],
      "no-restricted-globals": [
        "error",
        { name: "setTimeout", message: "use the simulated clock" },
        { name: "setInterval", message: "use the simulated clock" },
        { name: "setImmediate", message: "use the simulated clock" },
      ],
    },
  },
);
