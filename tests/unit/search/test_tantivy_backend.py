"""What only the embedded tantivy index has to get right: it lives in a folder,
survives a restart, and has exactly one writer."""
import os

import pytest

from services.search.backends import open_backend
from services.search.backends.tantivy_backend import (PHRASE_FILTER_MAX_UNITS, SCHEMA_VERSION,
                                                      TantivyBackend)
from tests.unit.search.helpers import UNIT_A, UNIT_B, article_doc, ask, ids


def test_the_index_survives_a_restart(tmp_path):
    backend = TantivyBackend(str(tmp_path))
    backend.upsert_many([article_doc(0), article_doc(1)])
    backend.close()
    reopened = TantivyBackend(str(tmp_path))
    try:
        assert reopened.count() == 2
        assert set(ids(ask(reopened, "duong"))) == {"doc-0", "doc-1"}
    finally:
        reopened.close()


def test_a_second_writer_on_the_same_folder_is_refused_with_a_clear_error(tantivy_backend):
    """One process writes the embedded index; a second one fails at start-up."""
    with pytest.raises(RuntimeError, match="another process"):
        TantivyBackend(os.path.dirname(tantivy_backend.root))


def test_closing_releases_the_writer(tmp_path):
    TantivyBackend(str(tmp_path)).close()
    TantivyBackend(str(tmp_path)).close()


def test_the_index_lives_in_a_folder_per_schema_version_and_generation(tmp_path):
    backend = open_backend(f"tantivy://{tmp_path}/idx", str(tmp_path / "data"))
    try:
        assert backend.path == str(tmp_path / "idx" / SCHEMA_VERSION / "g1")
        assert (tmp_path / "idx" / SCHEMA_VERSION / "g1" / "meta.json").exists()
        assert (tmp_path / "idx" / SCHEMA_VERSION / "CURRENT").read_text() == "g1\n"
    finally:
        backend.close()


def test_without_search_url_the_index_is_under_the_data_dir(tmp_path):
    backend = open_backend("", str(tmp_path))
    try:
        assert backend.path == str(tmp_path / "index" / SCHEMA_VERSION / "g1")
    finally:
        backend.close()


def test_a_batch_with_the_same_document_twice_keeps_the_newest(tantivy_backend):
    tantivy_backend.upsert_many([article_doc(1, revision=2),
                                 article_doc(1, revision=1, subject="Giấy mời", content="")])
    assert tantivy_backend.count() == 1
    assert ids(ask(tantivy_backend, "đường")) == ["doc-1"]


@pytest.mark.parametrize("text", ["quyet dinh", '"giống cây trồng"', 'san xuat "giống cây"'])
def test_phrases_are_matched_within_the_filters_and_score_as_without_them(tantivy_backend,
                                                                      text):
    """Phrases (quoted, and unquoted words side by side) carry the caller's filters
    so that positions are only read on documents the caller may see, unless the
    caller has many units: either way a search finds what the filters outside the
    phrases found, with the same scores."""
    articles = [article_doc(i) for i in range(5)]
    copies = [article_doc(i, document_id=f"b-{i}", unit_id=UNIT_B, acl_units=[UNIT_B])
              for i in range(5)]
    tantivy_backend.upsert_many(articles + copies)
    both = ask(tantivy_backend, text, units=(UNIT_A, UNIT_B))
    assert both.total > 0 and both.total % 2 == 0
    many_units = (UNIT_A, *(f"unit-{n}" for n in range(PHRASE_FILTER_MAX_UNITS)))
    for units, filters in (((UNIT_A,), {}), ((UNIT_A,), {"document_type": "CV"}),
                           (many_units, {})):
        mine = ask(tantivy_backend, text, units=units, **filters)
        assert mine.total == both.total // 2
        assert [(item["document_id"], item["score"]) for item in mine.items] == [
            (item["document_id"], item["score"]) for item in both.items
            if not item["document_id"].startswith("b-")]


def test_a_finished_rebuild_is_the_index_after_a_restart(tmp_path):
    backend = TantivyBackend(str(tmp_path))
    backend.upsert_many([article_doc(0), article_doc(1)])
    target = backend.start_rebuild("r2")
    target.upsert_many([article_doc(1)])
    backend.finish_rebuild(target)
    backend.close()
    assert sorted(os.listdir(tmp_path / SCHEMA_VERSION)) == ["CURRENT", "r2"]
    reopened = TantivyBackend(str(tmp_path))
    try:
        assert reopened.path == str(tmp_path / SCHEMA_VERSION / "r2")
        assert ids(ask(reopened, "duong")) == ["doc-1"]
    finally:
        reopened.close()


def test_the_index_of_an_older_schema_is_removed_when_this_one_opens(tmp_path):
    (tmp_path / "v2" / "g1").mkdir(parents=True)
    (tmp_path / "v2" / "g1" / "meta.json").write_text("{}")
    (tmp_path / "elsewhere").mkdir()
    TantivyBackend(str(tmp_path)).close()
    assert sorted(os.listdir(tmp_path)) == sorted(["elsewhere", SCHEMA_VERSION])


def test_a_rebuild_stopped_midway_is_removed_at_the_next_start(tmp_path):
    """The process stopped before the switch: the next start keeps the live
    generation and removes the half-built folder."""
    backend = TantivyBackend(str(tmp_path))
    backend.upsert_many([article_doc(0)])
    backend.start_rebuild("r3").upsert_many([article_doc(1)])
    backend.live.close()   # as if killed: nothing is switched or cleaned
    backend._rebuilding.close()
    reopened = TantivyBackend(str(tmp_path))
    try:
        assert sorted(os.listdir(tmp_path / SCHEMA_VERSION)) == ["CURRENT", "g1"]
        assert ids(ask(reopened, "duong")) == ["doc-0"]
    finally:
        reopened.close()
