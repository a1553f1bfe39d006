// Compares the web UI's message tables (services/gateway/static/i18n/vi.js and en.js):
// every key in both, a function in both or in neither, and every t("key") written in
// the UI's modules present. Prints a JSON report; exits 1 when anything is wrong.
//   node web_ui_messages.mjs [VI_MODULE EN_MODULE [STATIC_DIR]]
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const staticDir = resolve(process.argv[4] || join(here, "..", "..", "..", "services", "gateway", "static"));
const viPath = resolve(process.argv[2] || join(staticDir, "i18n", "vi.js"));
const enPath = resolve(process.argv[3] || join(staticDir, "i18n", "en.js"));

const vi = (await import(pathToFileURL(viPath).href)).default;
const en = (await import(pathToFileURL(enPath).href)).default;

/** The .js files under `dir`. */
function modules(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "i18n" ? [] : modules(path);
    return name.endsWith(".js") ? [path] : [];
  });
}

const used = new Set();
for (const path of modules(staticDir)) {
  for (const match of readFileSync(path, "utf8").matchAll(/\bt\("([A-Za-z0-9_]+)"/g)) used.add(match[1]);
}

const report = {
  only_vi: Object.keys(vi).filter((key) => !(key in en)).sort(),
  only_en: Object.keys(en).filter((key) => !(key in vi)).sort(),
  function_in_one: Object.keys(vi).filter((key) => key in en && (typeof vi[key] === "function") !== (typeof en[key] === "function")).sort(),
  used_but_missing: [...used].filter((key) => !(key in vi)).sort(),
  keys: Object.keys(vi).length,
};
console.log(JSON.stringify(report));
const wrong = report.only_vi.length + report.only_en.length + report.function_in_one.length + report.used_but_missing.length;
process.exit(wrong ? 1 : 0);
