// ESLint for the web UI (services/gateway/static: plain ES modules, served as they are or
// as the bundle scripts/build-web.mjs makes of them) and the node scripts of its build and
// tests. `make lint` runs it with tsc --noEmit (tsconfig.json).
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["node_modules/**", ".venv/**", "var/**", "services/gateway/static_bundle/**"] },
  {
    files: ["services/gateway/static/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.browser },
    rules: {
      ...js.configs.recommended.rules,
      // small components: one concern per module, functions that fit on a screen
      "max-lines": ["error", { max: 300, skipBlankLines: true, skipComments: true }],
      "max-lines-per-function": ["error", { max: 80, skipBlankLines: true, skipComments: true }],
      "no-unused-vars": ["error", { args: "after-used", caughtErrors: "none" }],
      "no-var": "error",
      "prefer-const": "error",
      eqeqeq: ["error", "smart"],
      "no-implicit-globals": "error",
      "no-shadow": "error",
    },
  },
  {
    // the message tables are data, one entry a line
    files: ["services/gateway/static/i18n/*.js"],
    rules: { "max-lines": "off" },
  },
  {
    files: ["eslint.config.js", "scripts/*.mjs", "tests/**/*.mjs"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.node },
    rules: js.configs.recommended.rules,
  },
];
