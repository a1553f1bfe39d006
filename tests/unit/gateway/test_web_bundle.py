"""The web UI's bundle (services/gateway/bundle.py, scripts/build-web.mjs): built by
esbuild from the modules, served as /static/app.js only while it was built from the
modules as they are; otherwise the modules themselves are served."""
import json
import os
import shutil
import subprocess

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services.gateway import bundle, web_routes

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
ESBUILD = os.path.join(ROOT, "node_modules", ".bin", "esbuild")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A bundle built by the build script into a folder of the test's own."""
    assert os.path.exists(ESBUILD), "esbuild is not installed: run `make node_modules/.installed`"
    out = tmp_path_factory.mktemp("bundle")
    subprocess.run(["node", os.path.join(ROOT, "scripts", "build-web.mjs"), str(out)],
                   cwd=ROOT, check=True, capture_output=True, timeout=120)
    return out


def get(filename: str):
    request = Request(EnvironBuilder(path=f"/static/{filename}").get_environ())
    return web_routes.WebRoutes._static(request, filename)


def test_the_build_and_the_gateway_compute_the_same_digest_of_the_modules(built):
    manifest = json.loads((built / "manifest.json").read_text())
    assert manifest["sources_sha256"] == bundle.sources_digest()
    files = bundle.load(bundle_dir=str(built))
    assert set(files) == {"app.js", "app.js.map"}


def test_the_bundle_holds_every_module_and_imports_none(built):
    script = (built / "app.js").read_text(encoding="utf-8")
    for relative_import in ('from"./', 'from "./', 'import"./', 'import "./', 'from"../'):
        assert relative_import not in script
    assert "Đăng nhập" in script        # the messages, as UTF-8
    assert script.rstrip().endswith("//# sourceMappingURL=app.js.map")
    sources = json.loads((built / "app.js.map").read_text())["sources"]
    assert any(source.endswith("static/views/register.js") for source in sources)


def test_a_bundle_built_from_other_modules_is_not_served(built, tmp_path):
    static = tmp_path / "static"
    shutil.copytree(bundle.STATIC_DIR, static)
    assert bundle.load(static_dir=str(static), bundle_dir=str(built))   # the same modules
    (static / "views" / "register.js").write_text("// edited after the build\n",
                                                  encoding="utf-8")
    assert bundle.load(static_dir=str(static), bundle_dir=str(built)) == {}


def test_without_a_bundle_or_with_a_broken_manifest_the_modules_are_served(built, tmp_path):
    assert bundle.load(bundle_dir=str(tmp_path / "none")) == {}
    broken = tmp_path / "broken"
    shutil.copytree(built, broken)
    (broken / "manifest.json").write_text("[1, 2", encoding="utf-8")
    assert bundle.load(bundle_dir=str(broken)) == {}


def test_the_gateway_serves_the_bundle_as_app_js_and_its_map_as_json(built, monkeypatch):
    files = bundle.load(bundle_dir=str(built))
    monkeypatch.setattr(web_routes, "web_bundle", lambda: files)
    script, source_map = get("app.js"), get("app.js.map")
    assert script.data == files["app.js"]
    assert script.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert source_map.headers["Content-Type"] == "application/json"
    assert script.headers["Cache-Control"] == "no-cache" and script.headers["ETag"]
    # the modules stay reachable: nothing else changes
    with open(os.path.join(bundle.STATIC_DIR, "views", "register.js"), "rb") as handle:
        assert get("views/register.js").data == handle.read()


def test_without_the_bundle_the_gateway_serves_the_module_app_js(monkeypatch):
    monkeypatch.setattr(web_routes, "web_bundle", lambda: {})
    with open(os.path.join(bundle.STATIC_DIR, "app.js"), "rb") as handle:
        assert get("app.js").data == handle.read()
