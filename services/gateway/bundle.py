"""The web UI as one file. ``make web`` (scripts/build-web.mjs, esbuild) bundles
static/app.js and every module it imports into static_bundle/app.js, minified, with its
source map, and writes the digest of the sources it was built from. The gateway serves it
as /static/app.js while that digest is the sources' digest now; otherwise (never built,
or a module edited since) the modules themselves, as without a build, and its log says
which. A page then loads in 5 requests instead of 109, and the browser parses 0.3 MB of
script instead of 0.6 MB (docs/performance.md, "The web UI's load")."""
from __future__ import annotations

import hashlib
import json
import logging
import os

log = logging.getLogger(__name__)

HERE = os.path.dirname(os.path.abspath(__file__))
STATIC_DIR = os.path.join(HERE, "static")
BUNDLE_DIR = os.path.join(HERE, "static_bundle")
#: The files of a bundle, served under /static/ in place of the modules' entry point.
BUNDLE_FILES = ("app.js", "app.js.map")


def sources_digest(static_dir: str = STATIC_DIR) -> str:
    """SHA-256 over each .js file's path (relative, "/"-separated) and bytes, in
    code-point order of the paths: scripts/build-web.mjs computes the same."""
    paths = []
    for folder, _, names in os.walk(static_dir):
        paths += [os.path.relpath(os.path.join(folder, name), static_dir).replace(os.sep, "/")
                  for name in names if name.endswith(".js")]
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.encode("utf-8") + b"\0")
        with open(os.path.join(static_dir, path), "rb") as handle:
            digest.update(handle.read())
        digest.update(b"\0")
    return digest.hexdigest()


def load(static_dir: str = STATIC_DIR, bundle_dir: str = BUNDLE_DIR) -> dict[str, bytes]:
    """The bundle's files by name if it was built from the sources as they are now,
    else an empty dict (the modules are served)."""
    try:
        with open(os.path.join(bundle_dir, "manifest.json"), encoding="utf-8") as handle:
            manifest = json.load(handle)
        built_from = manifest.get("sources_sha256") if isinstance(manifest, dict) else None
        files = {}
        for name in BUNDLE_FILES:
            with open(os.path.join(bundle_dir, name), "rb") as handle:
                files[name] = handle.read()
    except (OSError, ValueError):
        log.info("web UI: no bundle in %s (make web builds it): serving the modules",
                 bundle_dir)
        return {}
    if built_from != sources_digest(static_dir):
        log.warning("web UI: the bundle in %s is older than the modules (make web builds "
                    "it again): serving the modules", bundle_dir)
        return {}
    log.info("web UI: serving the bundle (%d bytes)", len(files["app.js"]))
    return files
