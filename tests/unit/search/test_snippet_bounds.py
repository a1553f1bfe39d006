"""Typo-tolerant snippets do bounded work: a 64-word query costs seconds a hit when
every word is matched approximately against every word of a long text; only the first
few words are, each distinct word of the text is judged once, the scan stops past the
snippet's window, and only the first hits of a page get such a snippet."""
import random

from services.search.backends import base
from services.search.backends.base import (APPROXIMATE_SNIPPETS_PER_PAGE,
                                           MAX_APPROXIMATE_WORDS, approximate_snippet,
                                           parse_text)
from services.search.backends.tantivy_backend import TantivyBackend
from tests.cpu_clock import CpuClock
from tests.unit.search.helpers import ARTICLES, article_doc, ask

LONG_TEXT = " ".join(a["text"] for a in ARTICLES) * 40   # about 100,000 characters


def typo_query(words: int = 64) -> str:
    rng = random.Random(11)
    return " ".join("".join(rng.choice("bcdfghklmnpqrstvxz") for _ in range(rng.randint(5, 9)))
                    for _ in range(words))


def test_only_the_first_few_query_words_are_matched_approximately(monkeypatch):
    calls = []
    real = base.within_edits

    def counting(word, target, limit):
        calls.append(target)
        return real(word, target, limit)

    monkeypatch.setattr(base, "within_edits", counting)
    parsed = parse_text(typo_query())
    assert len(parsed.words) == 64
    approximate_snippet(LONG_TEXT, parsed, fuzzy=True)
    distinct_words = len(set(base._WORD.findall(LONG_TEXT)))
    assert len(set(calls)) <= MAX_APPROXIMATE_WORDS
    assert len(calls) <= MAX_APPROXIMATE_WORDS * distinct_words


def test_a_64_word_typo_query_snippets_a_long_text_in_well_under_a_second():
    parsed = parse_text(typo_query())
    with CpuClock() as cpu:
        approximate_snippet(LONG_TEXT, parsed, fuzzy=True)
    assert cpu.seconds < 1.0


def test_a_typo_among_the_first_words_is_still_marked():
    snippet = approximate_snippet("Luật này quy định về hoạt động điện ảnh.",
                                  parse_text("hoat dongg"), fuzzy=True)
    assert "<mark>động</mark>" in snippet


def test_only_the_first_hits_of_a_page_get_an_approximate_snippet(tmp_path, monkeypatch):
    backend = TantivyBackend(str(tmp_path))
    try:
        backend.upsert_many([article_doc(0, document_id=f"doc-{i}")
                             for i in range(APPROXIMATE_SNIPPETS_PER_PAGE + 5)])
        calls = []
        real = base.approximate_snippet

        def counting(*args, **kwargs):
            calls.append(1)
            return real(*args, **kwargs)

        monkeypatch.setattr("services.search.backends.tantivy_backend.approximate_snippet",
                            counting)
        word = base._WORD.findall(article_doc(0)["content"])[0][:3]
        result = ask(backend, word + "*", page_size=200)
        assert len(result.items) == APPROXIMATE_SNIPPETS_PER_PAGE + 5
        assert len(calls) <= 2 * APPROXIMATE_SNIPPETS_PER_PAGE   # content, then subject
        assert all(item["snippet"] for item in result.items)
    finally:
        backend.close()
