"""What every search backend promises, run against each of them (tantivy always,
Elasticsearch when ELASTICSEARCH_URL is set) on real Vietnamese law articles."""
import unicodedata
from datetime import date

import pytest

from services.common.errors import InvalidInput
from services.search.backends.base import SearchResult
from tests.unit.search.helpers import (ARTICLES, BOB, UNIT_A, UNIT_B, article_doc, ask,
                                        ids)


# -- Vietnamese text ---------------------------------------------------------------------

def test_unaccented_words_find_the_accented_text(corpus):
    """"quyet dinh" finds "Quyết định": accents are optional in queries."""
    result = ask(corpus, "quyet dinh")
    assert {"doc-3", "doc-4"} <= set(ids(result))
    snippet = next(item["snippet"] for item in result.items if item["document_id"] == "doc-3")
    assert "<mark>Quyết</mark> <mark>định</mark>" in snippet


def test_words_side_by_side_rank_above_the_same_words_apart(corpus):
    """"quyet dinh" ranks the articles saying "quyết định" above the one that only
    has "giải quyết … quy định"."""
    found = ids(ask(corpus, "quyet dinh"))
    assert set(found[:2]) == {"doc-3", "doc-4"} and "doc-2" in found[2:]


def test_unaccented_d_finds_the_letter_đ_in_both_cases(backend):
    """"duong" finds "Đường" (capital Đ) and "đường": đ folds to d."""
    backend.upsert_many([
        article_doc(1),
        article_doc(0, document_id="hotline",
                    subject="Đường dây nóng tiếp nhận phản ánh về thủ tục hành chính",
                    content=""),
    ])
    result = ask(backend, "duong")
    assert set(ids(result)) == {"doc-1", "hotline"}
    hotline = next(item for item in result.items if item["document_id"] == "hotline")
    assert "<mark>Đường</mark>" in hotline["snippet"]


def test_the_exact_accented_form_ranks_above_a_merely_folded_match(backend):
    """Of two documents alike but for one word, "đường" ranks the one saying
    "đường" above the one saying "đương" (both fold to "duong")."""
    backend.upsert_many([
        article_doc(0, document_id="folded", subject="Báo cáo chi phí tương đương năm 2024",
                    content=""),
        article_doc(1, document_id="exact", subject="Báo cáo chi phí tuyến đường năm 2024",
                    content=""),
    ])
    assert ids(ask(backend, "đường")) == ["exact", "folded"]
    assert set(ids(ask(backend, "duong"))) == {"exact", "folded"}


def test_the_exact_form_ranks_first_among_real_articles(corpus):
    """"đường" finds the two articles about roads and lines before the one that
    merely has "đương sự"."""
    found = ids(ask(corpus, "đường"))
    assert set(found[:2]) == {"doc-0", "doc-1"} and found[2:] == ["doc-2"]


def test_a_quoted_phrase_respects_word_order(corpus):
    """"quyết định công nhận" in quotes finds the article with those words in that
    order; the same words quoted in another order find nothing, unquoted they do."""
    assert ids(ask(corpus, '"quyết định công nhận"')) == ["doc-3"]
    assert ids(ask(corpus, '"quyet dinh cong nhan"')) == ["doc-3"]
    assert ids(ask(corpus, '"công nhận quyết định"')) == []
    assert "doc-3" in ids(ask(corpus, "công nhận quyết định"))


def test_text_in_decomposed_unicode_matches_as_composed(corpus):
    """A query typed with combining accents (NFD) finds what NFC text says."""
    assert set(ids(ask(corpus, unicodedata.normalize("NFD", "đương sự")))) == {"doc-2"}


def test_the_document_number_and_issuer_are_searched(corpus):
    """The số/ký hiệu and the issuing body are searchable, accents optional."""
    assert ids(ask(corpus, "103")) == ["doc-3"]
    assert len(ask(corpus, "uy ban nhan dan nghe an").items) == len(ARTICLES)


# -- snippets ----------------------------------------------------------------------------

def test_snippets_mark_hits_on_the_accented_original(corpus):
    """The snippet shows the original accented words, with <mark> around the hits
    even when the query had no accents."""
    result = ask(corpus, "duong su")
    assert ids(result) == ["doc-2"]
    assert "<mark>đương</mark> <mark>sự</mark>" in result.items[0]["snippet"]


def test_snippets_are_html_safe(backend):
    """Text from a file is escaped in the snippet; only <mark> is markup."""
    backend.upsert_many([article_doc(0, content='<script>alert("x")</script> vận tải đường bộ',
                                     subject="Thư <b>mời</b>")])
    result = ask(backend, "đường")
    snippet = result.items[0]["snippet"]
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet
    assert "<mark>đường</mark>" in snippet
    subject_hit = ask(backend, "mời").items[0]["snippet"]
    assert "<b>" not in subject_hit and "<mark>mời</mark>" in subject_hit


def test_a_document_without_content_gets_its_snippet_from_the_subject(backend):
    """Metadata only (text not extracted yet): the hit is shown in the subject."""
    backend.upsert_many([article_doc(1, content="")])
    assert "<mark>đường</mark>" in ask(backend, "đường").items[0]["snippet"]


# -- who sees what -----------------------------------------------------------------------

def test_a_document_of_unit_a_is_not_returned_to_a_caller_of_unit_b(corpus):
    """ACL: no shared unit and not listed by name → not found, not even counted."""
    result = ask(corpus, "đường", user=BOB, units=(UNIT_B,))
    assert result.total == 0 and result.items == []
    assert result.facets == {"document_type": {}, "urgency": {}}


def test_a_document_is_returned_to_a_caller_listed_in_acl_users(backend):
    """ACL: a caller named in acl_users sees the document whatever their units."""
    backend.upsert_many([article_doc(1, acl_users=[BOB])])
    assert ids(ask(backend, "đường", user=BOB, units=(UNIT_B,))) == ["doc-1"]
    assert ids(ask(backend, "đường", user=BOB, units=())) == ["doc-1"]
    assert ids(ask(backend, "đường", user="user-carol", units=(UNIT_B,))) == []


def test_a_caller_sees_documents_of_any_of_their_units(backend):
    backend.upsert_many([article_doc(0), article_doc(1, unit_id=UNIT_B, acl_units=[UNIT_B])])
    assert set(ids(ask(backend, "đường", units=(UNIT_A, UNIT_B)))) == {"doc-0", "doc-1"}
    assert ids(ask(backend, "đường", units=(UNIT_B,))) == ["doc-1"]


def test_query_syntax_cannot_widen_the_acl(corpus):
    """Field syntax is plain text here: it cannot name the ACL fields."""
    for text in ("acl_units:unit-a", "acl_users:*", "unit_id:unit-a OR đường", "*:*"):
        try:
            result = ask(corpus, text, user=BOB, units=(UNIT_B,))
        except InvalidInput:
            continue
        assert result.total == 0, text


def test_secret_documents_are_never_indexed(backend):
    """Mật, Tối mật, Tuyệt mật, or no confidentiality at all: not indexed; a document
    that becomes secret leaves the index."""
    backend.upsert_many([article_doc(0, confidentiality="secret"),
                         article_doc(1, confidentiality=None),
                         article_doc(2)])
    assert backend.count() == 1
    assert ids(ask(backend, "đường")) == ["doc-2"]
    backend.upsert(article_doc(2, confidentiality="confidential"))
    assert backend.count() == 0


# -- filters, facets, pages --------------------------------------------------------------

def _varied(backend):
    backend.upsert_many([
        article_doc(0, document_type="CV", urgency="normal"),
        article_doc(1, document_type="QD", document_type_name="Quyết định", urgency="urgent"),
        article_doc(2, document_type="CV", urgency="urgent", unit_id=UNIT_B,
                    acl_units=[UNIT_A, UNIT_B]),
        article_doc(3, document_type="TB", urgency="flash", acl_units=[UNIT_B]),  # hidden
    ])


def test_filters_narrow_the_hits(backend):
    """unit_id, document_type, urgency and date bounds (inclusive) each narrow."""
    _varied(backend)
    assert set(ids(ask(backend, "duong"))) == {"doc-0", "doc-1", "doc-2"}
    assert ids(ask(backend, "duong", unit_id=UNIT_B)) == ["doc-2"]
    assert ids(ask(backend, "duong", document_type="QD")) == ["doc-1"]
    assert set(ids(ask(backend, "duong", urgency="urgent"))) == {"doc-1", "doc-2"}
    assert set(ids(ask(backend, "duong", arrival_from=date(2024, 3, 2)))) == {"doc-1", "doc-2"}
    assert ids(ask(backend, "duong", arrival_from=date(2024, 3, 2),
                   arrival_to=date(2024, 3, 2))) == ["doc-1"]
    assert ids(ask(backend, "duong", issued_to=date(2024, 2, 1))) == ["doc-0"]


def test_direction_and_state_narrow_the_hits(backend):
    """An issued outgoing document and a recalled delivery sit beside incoming ones:
    the list can keep to one direction or one state, and shows both on each hit."""
    backend.upsert_many([
        article_doc(0, state="assigned"),
        article_doc(1, document_id="out-1", direction="outgoing", state="issued",
                    arrival_number=None, arrival_date=None),
        article_doc(2, state="recalled")])
    assert set(ids(ask(backend, "duong"))) == {"doc-0", "out-1", "doc-2"}
    assert ids(ask(backend, "duong", direction="outgoing")) == ["out-1"]
    assert set(ids(ask(backend, "duong", direction="incoming"))) == {"doc-0", "doc-2"}
    assert ids(ask(backend, "duong", state="recalled")) == ["doc-2"]
    hit = ask(backend, "duong", direction="outgoing").items[0]
    assert (hit["direction"], hit["state"], hit["arrival_number"]) == \
        ("outgoing", "issued", None)


def test_facets_count_the_hits_the_caller_may_see(backend):
    """Facets by type and urgency count every visible hit (not only this page) and
    leave out what the ACL hides."""
    _varied(backend)
    backend.upsert(article_doc(4, document_type="TB", urgency="flash", acl_units=[UNIT_B]))
    result = ask(backend, "quy định", page_size=1)
    assert result.total == 2 and len(result.items) == 1
    assert result.facets == {"document_type": {"CV": 2}, "urgency": {"normal": 1, "urgent": 1}}
    assert ask(backend, "duong", urgency="urgent").facets == {
        "document_type": {"CV": 1, "QD": 1}, "urgency": {"urgent": 2}}


def test_pages_split_the_hits_without_overlap(backend):
    backend.upsert_many([article_doc(0, document_id=f"road-{n}", subject=f"Đường số {n}")
                         for n in range(7)])
    pages = [ask(backend, "duong", page=page, page_size=3) for page in (1, 2, 3)]
    assert [len(page.items) for page in pages] == [3, 3, 1]
    assert {page.total for page in pages} == {7}
    assert len({i for page in pages for i in ids(page)}) == 7
    assert ask(backend, "duong", page=4, page_size=3).items == []


def test_a_hit_carries_what_the_list_shows(corpus):
    item = ask(corpus, '"đương sự"').items[0]
    assert {k: v for k, v in item.items() if k not in ("snippet", "score")} == {
        "document_id": "doc-2", "subject": "Đối thoại trong tố tụng hành chính",
        "code_number": "102", "code_notation": "UBND-VP", "arrival_number": 3,
        "arrival_date": "2024-03-03", "issued_date": "2024-02-03",
        "issuer_name": "Ủy ban nhân dân tỉnh Nghệ An", "document_type": "CV",
        "document_type_name": "Công văn", "urgency": "normal", "unit_id": UNIT_A,
        "direction": "incoming", "state": None}
    assert item["score"] > 0


# -- writes ------------------------------------------------------------------------------

def test_an_upserted_document_is_searchable_at_once_and_replaces_the_old(backend):
    backend.upsert(article_doc(1))
    assert ids(ask(backend, "đường")) == ["doc-1"]
    backend.upsert(article_doc(1, subject="Giấy mời họp", content="Mời dự họp giao ban."))
    assert ids(ask(backend, "đường")) == [] and ids(ask(backend, "giao ban")) == ["doc-1"]
    assert backend.count() == 1


def test_an_older_revision_never_overwrites_a_newer_one(backend):
    """Two handlers racing: the state with the higher revision stays."""
    backend.upsert(article_doc(1, revision=3))
    backend.upsert(article_doc(1, revision=2, subject="Giấy mời họp", content=""))
    assert ids(ask(backend, "đường")) == ["doc-1"] and ids(ask(backend, "mời")) == []
    backend.upsert(article_doc(1, revision=4, subject="Giấy mời họp", content=""))
    assert ids(ask(backend, "mời")) == ["doc-1"]


def test_a_deleted_document_is_gone(corpus):
    corpus.delete("doc-1")
    corpus.delete("never-indexed")
    assert "doc-1" not in ids(ask(corpus, "đường"))
    assert corpus.count() == len(ARTICLES) - 1


# -- hostile input -----------------------------------------------------------------------

HOSTILE = ['"unbalanced quote', 'đường"', '"', '""', 'subject:đường', 'nofield:value',
           '*', '?', 'đường*', 'title:(a OR b', 'đường AND (', 'NOT đường', '-đường',
           'đường~2', '[1 TO 5]', '{*}', '\\', '\x00đường', 'đường^100', "' OR 1=1 --",
           '<script>', '💥 đường', 'a' * 1000, 'a' * 10_000, 'đường ' * 200, '   ', '']


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: repr(t[:20]) + f"/{len(t)}")
def test_hostile_queries_give_invalid_input_or_a_result_never_a_crash(corpus, text):
    try:
        result = ask(corpus, text)
    except InvalidInput as exc:
        assert exc.status == 400 and "q" in exc.details
        return
    assert isinstance(result, SearchResult) and result.total >= 0


def test_empty_and_overlong_queries_are_invalid_input(corpus):
    for text in ("", "   ", "a" * 1001, "?!*"):
        with pytest.raises(InvalidInput):
            ask(corpus, text)


# -- prefixes, approximate words, order --------------------------------------------------

def test_a_prefix_finds_every_word_it_begins_with_or_without_accents(corpus):
    """"quyet*" finds what "quyết", "quyết định" and "giải quyết" say; "quyết*" the
    same; a prefix counts as one of the words that must all match."""
    assert set(ids(ask(corpus, "quyet*"))) == set(ids(ask(corpus, "quyet")))
    assert set(ids(ask(corpus, "quyết*"))) == set(ids(ask(corpus, "quyet*")))
    assert set(ids(ask(corpus, "đươn*"))) >= {"doc-0", "doc-1", "doc-2"}
    assert set(ids(ask(corpus, "duong su*"))) == {"doc-2"}


def test_a_misspelt_word_is_found_when_asked_approximately(backend):
    """With fuzzy (search's second try when nothing matched as typed) "duongg" and
    "giao thog" find "đường" and "giao thông"; the exact spelling still ranks first."""
    backend.upsert_many([
        article_doc(0, document_id="road", subject="Quy hoạch đường giao thông nông thôn",
                    content=""),
        article_doc(1, document_id="other", subject="Báo cáo giao thông đương nhiệm",
                    content="")])
    assert ask(backend, "duongg").total == 0
    fuzzy = ask(backend, "duongg", fuzzy=True)
    assert fuzzy.fuzzy and "road" in ids(fuzzy)
    assert set(ids(ask(backend, "giao thog", fuzzy=True))) == {"road", "other"}
    assert ids(ask(backend, "đường", fuzzy=True))[0] == "road"


def test_hits_may_be_ordered_newest_first(backend):
    """sort=date: by the moment of arrival for incoming documents (two the same day by
    their time), the issue date for outgoing ones."""
    backend.upsert_many([
        article_doc(0, document_id="old", subject="Đường cũ", arrival_date="2023-01-05"),
        article_doc(1, document_id="new", subject="Đường mới",
                    arrival_date="2025-06-01T02:00:00+00:00"),
        article_doc(3, document_id="newer", subject="Đường mới hơn",
                    arrival_date="2025-06-01T09:30:00+00:00"),
        article_doc(2, document_id="out", subject="Đường đi", direction="outgoing",
                    state="issued", arrival_date=None, issued_date="2024-07-01")])
    newest = ask(backend, "duong", sort="date")
    assert ids(newest)[:4] == ["newer", "new", "out", "old"]
    assert newest.items[0]["score"] is None


def test_register_and_issuer_narrow_the_hits(backend):
    backend.upsert_many([
        article_doc(0, register_id="reg-1", issuer_organ_id="000.00.00.H41"),
        article_doc(1, register_id="reg-2", issuer_organ_id="000.00.00.G01")])
    assert ids(ask(backend, "duong", register_id="reg-2")) == ["doc-1"]
    assert ids(ask(backend, "duong", issuer_organ_id="000.00.00.H41")) == ["doc-0"]


def test_facets_may_be_left_out_of_later_pages(corpus):
    assert ask(corpus, "duong", with_facets=False).facets is None
    assert ask(corpus, "duong").facets["document_type"] == {"CV": 3}


# -- rebuilding beside the live index -----------------------------------------------------

def test_a_rebuild_fills_a_new_index_while_searches_answer_from_the_old(corpus):
    """While the new index is filled, searches see the live one; once finished, the
    new one answers (and what it was not given is gone); the old one is dropped."""
    before = ids(ask(corpus, "đường"))
    target = corpus.start_rebuild("r-test-1")
    target.upsert_many([article_doc(1, subject="Đường mới xây", content="")])
    assert target.count() == 1
    assert ids(ask(corpus, "đường")) == before and corpus.count() == len(ARTICLES)
    corpus.finish_rebuild(target)
    assert ids(ask(corpus, "đường")) == ["doc-1"] and corpus.count() == 1
    corpus.upsert(article_doc(0))
    assert set(ids(ask(corpus, "đường"))) == {"doc-0", "doc-1"}


def test_a_discarded_rebuild_leaves_the_live_index_as_it_was(corpus):
    target = corpus.start_rebuild("r-test-2")
    target.upsert_many([article_doc(1)])
    corpus.discard_rebuild(target)
    assert corpus.count() == len(ARTICLES)
    corpus.upsert(article_doc(0, subject="Đường phố"))
    assert "doc-0" in ids(ask(corpus, "phố"))


def test_a_document_deleted_during_a_rebuild_is_gone_from_the_new_index_too(corpus):
    """The rebuild read it before it became secret: delete reaches both indexes."""
    target = corpus.start_rebuild("r-test-3")
    target.upsert_many([article_doc(i) for i in range(len(ARTICLES))])
    corpus.delete("doc-1")
    corpus.finish_rebuild(target)
    assert "doc-1" not in ids(ask(corpus, "đường"))
    assert corpus.count() == len(ARTICLES) - 1


def test_the_words_a_prefix_or_a_misspelt_word_matched_are_marked_in_the_snippet(backend):
    backend.upsert_many([article_doc(0, document_id="road", subject="Thư mời",
                                     content="Quy hoạch tuyến đường giao thông nông thôn")])
    prefix = ask(backend, "giao thôn*").items[0]["snippet"]
    assert "<mark>thông</mark>" in prefix and "<mark>thôn</mark>" in prefix
    fuzzy = ask(backend, "duongg", fuzzy=True).items[0]["snippet"]
    assert "<mark>đường</mark>" in fuzzy
