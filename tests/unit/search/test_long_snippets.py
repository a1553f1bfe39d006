"""Snippets of long documents: the highlighter reads a bounded window of the text around
where the query's words are (it tokenizes all it is given: most of a search's time on
laws of 10 k words), and the snippet still marks the matched words, with or without
their accents, wherever in the text they are."""
import random
import re

import pytest

from services.search.backends import base
from services.search.backends.base import (SNIPPET_WINDOW_CHARS, folded_patterns, utf8_prefix,
                                           utf8_window_of_matches)
from tests.unit.search.helpers import ARTICLES, article_doc, ask

FILLER = " ".join(a["text"] for a in ARTICLES).replace("\n", " ")


def long_text(deep: str, repeats: int = 30) -> str:
    """Law articles repeated to about 75,000 characters, ``deep`` after them."""
    return " ".join([FILLER] * repeats) + " " + deep + " " + FILLER


def window_of_matches(text: str, patterns, chars: int = SNIPPET_WINDOW_CHARS) -> str:
    """The window of a stored text, as the backend finds it (from its UTF-8 bytes)."""
    return utf8_window_of_matches(text.encode("utf-8"), patterns, chars)


def whole_text_window(text: str, patterns, chars: int) -> str:
    """What the window is, read off the whole text at once: the rule
    utf8_window_of_matches follows while it decodes a step at a time."""
    if len(text) <= chars:
        return text
    firsts = [first for first in (base._first_word_match(text, p) for p in patterns)
              if first is not None]
    return base._window_from(text, max(firsts) if firsts else 0, chars)


def test_a_short_text_is_given_whole():
    assert window_of_matches("Quyết định số 12", folded_patterns([["quyet"]])) == \
        "Quyết định số 12"


def test_the_window_holds_the_first_match_of_an_unaccented_word_deep_in_a_long_text():
    text = long_text("Phê duyệt đề án XÂY DỰNG cầu vượt")
    window = window_of_matches(text, folded_patterns([["xay", "dung"], ["cau"]]))
    assert len(window) <= SNIPPET_WINDOW_CHARS
    assert "XÂY DỰNG cầu" in window


@pytest.mark.parametrize("token, written", [
    ("quyet", "QUYẾT"), ("quyet", "Quyết"), ("dinh", "ĐỊNH"), ("dinh", "định"),
    ("приказ", "ПРИКАЗ"), ("μ", "µ"), ("k", "\u212a"), ("2026", "2026")])
def test_a_folded_word_is_found_in_every_case_it_is_written_in(token, written):
    """The patterns spell each letter's cases out (no re.IGNORECASE: it scans a law
    2–3× slower) and find what IGNORECASE found."""
    text = "lorem ipsum " * 200 + written + " dolor"
    [pattern] = folded_patterns([[token]])
    assert written in window_of_matches(text, [pattern], chars=100)
    assert pattern.flags & re.IGNORECASE == 0


def test_a_word_is_matched_whole_not_inside_a_longer_word():
    text = "bánh mì " * 500 + "cái bàn gỗ " + "bánh mì " * 500
    window = window_of_matches(text, folded_patterns([["ban"]]), chars=100)
    assert "bàn" in window


def test_a_prefix_finds_the_words_it_begins():
    text = "lorem " * 1000 + "Quyết định khen thưởng"
    window = window_of_matches(text, folded_patterns([], ["thuon"]), chars=500)
    assert "thưởng" in window


def test_without_a_match_the_window_is_the_start_of_the_text():
    text = long_text("nothing")
    assert text.startswith(window_of_matches(text, folded_patterns([["zzzz"]])))


def test_the_window_reaches_the_rarer_word_of_an_and():
    """A common word at the start and a rare one deep inside: the window is where the
    rare one is, so the snippet can show both."""
    text = "hồ sơ " + long_text("hồ sơ khảo cổ học")
    window = window_of_matches(text, folded_patterns([["ho"], ["khao"]]))
    assert "khảo cổ" in window


WORDS = ("quyết định", "QUYẾT ĐỊNH", "xây dựng", "cầu", "bàn", "bánh mì", "thưởng",
         "khảo cổ học", "đ", "Điều 5.", "—", "𝔘", "ban-hành", "  \n ", "ồ")
QUERIES = ([["quyet", "dinh"]], [["xay", "dung"], ["cau"]], [["ban"]], [["khao"], ["ho"]],
           [["dieu", "5"]], [["zzzz"]], [])


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("step", (5, 64, 1000, 16_384))
def test_the_window_of_utf8_bytes_is_the_window_of_the_text_whatever_the_step(seed, step):
    """Decoding a stored text a step at a time finds the same window as the whole text:
    matches cut by a step's end, words that go on after it, texts shorter or longer
    than the window, no match at all."""
    rng = random.Random(seed)
    text = " ".join(rng.choice(WORDS) for _ in range(rng.choice((3, 200, 2000))))
    for units in QUERIES:
        patterns = folded_patterns(units, ["thuon"] if seed % 3 == 0 else [])
        for chars in (50, SNIPPET_WINDOW_CHARS):
            assert utf8_window_of_matches(text.encode(), patterns, chars, step) == \
                whole_text_window(text, patterns, chars), (units, chars)


def test_a_utf8_prefix_is_the_texts_first_characters():
    text = "Quyết định số 12 về 𝔘 " * 100
    for chars in (0, 1, 5, 300, 10_000):
        assert utf8_prefix(text.encode(), chars) == text[:chars]


def test_a_word_deep_in_a_long_document_is_marked_in_its_snippet(backend):
    backend.upsert(article_doc(0, content=long_text("Công trình XÂY DỰNG cầu Bến Thủy")))
    for query in ("xay dung", "XÂY DỰNG", '"xây dựng cầu"'):
        snippet = ask(backend, query).items[0]["snippet"]
        assert "<mark>XÂY</mark> <mark>DỰNG</mark>" in snippet, (query, snippet)
    assert "<mark>Bến</mark>" in ask(backend, "ben thuy").items[0]["snippet"]


def test_the_tantivy_highlighter_reads_only_a_window_of_a_long_text(tantivy_backend,
                                                                     monkeypatch):
    given = []
    real = base.utf8_window_of_matches

    def spying(data, patterns, *args):
        given.append(real(data, patterns, *args))
        return given[-1]

    monkeypatch.setattr("services.search.backends.tantivy_backend.utf8_window_of_matches",
                        spying)
    tantivy_backend.upsert_many([article_doc(0, document_id=f"doc-{i}",
                                             content=long_text(f"mã số {i} khảo cổ"))
                                 for i in range(5)])
    result = ask(tantivy_backend, "khao co")
    assert result.total == 5 and len(given) == 5
    assert all(len(window) <= SNIPPET_WINDOW_CHARS for window in given)
    assert all("<mark>khảo</mark> <mark>cổ</mark>" in item["snippet"]
               for item in result.items)


def test_a_prefix_deep_in_a_long_document_is_marked_in_its_snippet(tantivy_backend):
    tantivy_backend.upsert(article_doc(0, content=long_text("đàn xylophone của nhà hát")))
    snippet = ask(tantivy_backend, "xylo*").items[0]["snippet"]
    assert "<mark>xylophone</mark>" in snippet
