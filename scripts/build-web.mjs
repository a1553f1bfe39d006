// Builds the web UI's bundle: services/gateway/static/app.js and every module it imports
// as one minified file with its source map, in services/gateway/static_bundle/ (or the
// folder given), and manifest.json with the digest of the sources it was built from. The
// gateway serves the bundle as /static/app.js only while that digest is the sources'
// digest (services/gateway/bundle.py computes it the same way); otherwise the modules.
//
//   node scripts/build-web.mjs [OUT_DIR]        (make web)
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

import { build, version } from "esbuild";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const STATIC_DIR = join(ROOT, "services", "gateway", "static");
const OUT_DIR = process.argv[2] ?? join(ROOT, "services", "gateway", "static_bundle");

/** Every .js file under `dir`, as paths relative to STATIC_DIR with "/" separators. */
function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".js") ? [relative(STATIC_DIR, path).split(sep).join("/")] : [];
  });
}

/** SHA-256 over each source's path and bytes, in code-point order of the paths. */
function sourcesDigest() {
  const hash = createHash("sha256");
  for (const path of sourceFiles(STATIC_DIR).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    hash.update(path + "\0");
    hash.update(readFileSync(join(STATIC_DIR, path)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

// Taken before the build: a source edited meanwhile makes the bundle read as stale.
const digest = sourcesDigest();
mkdirSync(OUT_DIR, { recursive: true });
await build({
  entryPoints: [join(STATIC_DIR, "app.js")],
  outfile: join(OUT_DIR, "app.js"),
  bundle: true,
  format: "esm",
  minify: true,
  sourcemap: true,
  charset: "utf8",          // Vietnamese text as UTF-8, not \u escapes
  legalComments: "none",
  logLevel: "warning",
});
writeFileSync(join(OUT_DIR, "manifest.json"),
  JSON.stringify({ sources_sha256: digest, esbuild: version }, null, 1) + "\n");
