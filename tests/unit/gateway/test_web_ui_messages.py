"""The web UI's Vietnamese and English message tables (services/gateway/static/i18n/
vi.js and en.js) have the same keys, with a function under a key in both or in neither,
and every t("key") the UI writes is in them. The tables are ES modules: node reads them
(web_ui_messages.mjs beside this file)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "web_ui_messages.mjs")


def compare(*paths: str) -> tuple[int, dict]:
    node = shutil.which("node")
    assert node, "node is needed to read the web UI's message tables (apt-get install nodejs)"
    result = subprocess.run([node, SCRIPT, *paths], capture_output=True, text=True, timeout=60)
    assert result.stdout, result.stderr
    return result.returncode, json.loads(result.stdout)


def test_the_vietnamese_and_english_tables_have_the_same_keys_and_functions():
    code, report = compare()
    assert report["keys"] > 500
    assert report["only_vi"] == [] and report["only_en"] == []
    assert report["function_in_one"] == []
    assert report["used_but_missing"] == []
    assert code == 0


@pytest.fixture
def tables(tmp_path):
    def write(vi: str, en: str) -> tuple[str, str, str]:
        (tmp_path / "vi.js").write_text(f"export default {{{vi}}};\n", encoding="utf-8")
        (tmp_path / "en.js").write_text(f"export default {{{en}}};\n", encoding="utf-8")
        (tmp_path / "ui").mkdir(exist_ok=True)
        (tmp_path / "ui" / "view.js").write_text('t("hello");\n', encoding="utf-8")
        return str(tmp_path / "vi.js"), str(tmp_path / "en.js"), str(tmp_path / "ui")
    return write


def test_a_key_added_to_one_language_only_is_reported(tables):
    code, report = compare(*tables('hello: "Xin chào", bye: "Tạm biệt",', 'hello: "Hello",'))
    assert code == 1 and report["only_vi"] == ["bye"] and report["only_en"] == []


def test_a_key_that_is_a_function_in_one_language_only_is_reported(tables):
    code, report = compare(*tables('hello: (n) => `Chào ${n}`,', 'hello: "Hello",'))
    assert code == 1 and report["function_in_one"] == ["hello"]


def test_a_key_the_ui_uses_but_no_table_has_is_reported(tables):
    code, report = compare(*tables('bye: "Tạm biệt",', 'bye: "Bye",'))
    assert code == 1 and report["used_but_missing"] == ["hello"]
