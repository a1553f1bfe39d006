"""How a person's search text becomes words and phrases (shared by both backends):
there is no query syntax to inject, only words and "quoted phrases"."""
import pytest

from services.common.errors import InvalidInput
from services.search.backends.base import (SearchQuery, approximate_snippet, mark_ranges,
                                           parse_text, within_edits)


def units(text):
    return [list(unit) for unit in parse_text(text).units]


def test_words_are_split_on_anything_but_letters_and_digits():
    assert units("Quyết định số 2491/STC-BCTC, snake_case!") == [
        ["Quyết"], ["định"], ["số"], ["2491"], ["STC"], ["BCTC"], ["snake"], ["case"]]


def test_quoted_words_form_a_phrase_and_curly_quotes_count_as_quotes():
    assert units('báo cáo "quyết định công nhận" năm') == [
        ["báo"], ["cáo"], ["quyết", "định", "công", "nhận"], ["năm"]]
    assert units("“đương sự” tòa") == [["đương", "sự"], ["tòa"]]


def test_an_unbalanced_quote_opens_no_phrase():
    assert units('"quyết định công') == [["quyết"], ["định"], ["công"]]
    assert units('a "b c" "d e') == [["a"], ["b", "c"], ["d"], ["e"]]


def test_a_one_word_phrase_is_a_word():
    assert units('"đường"') == [["đường"]]


def test_field_syntax_and_operators_are_plain_words():
    assert units("acl_units:unit-b OR *") == [["acl"], ["units"], ["unit"], ["b"], ["OR"]]


def test_decomposed_accents_are_composed():
    decomposed = "Quye\u0302\u0301t \u0111u\u031bo\u031b\u0300ng"   # NFD of "Quyết đường"
    assert units(decomposed) == [["Quyết"], ["đường"]]


@pytest.mark.parametrize("text", [None, 12, "", "  \n ", "*?!", "a" * 1001,
                                  " ".join(["từ"] * 65)])
def test_empty_wordless_overlong_or_wordy_text_is_invalid_input(text):
    with pytest.raises(InvalidInput) as raised:
        parse_text(text)
    assert raised.value.status == 400 and set(raised.value.details) == {"q"}
    assert raised.value.message_vi.startswith("Từ khóa tìm kiếm không hợp lệ")


def test_a_page_beyond_ten_thousand_results_is_invalid_input():
    SearchQuery(text="a", user_id="u", page=50, page_size=200)
    with pytest.raises(InvalidInput):
        SearchQuery(text="a", user_id="u", page=51, page_size=200)


def test_marked_ranges_are_utf8_byte_offsets_and_the_rest_is_escaped():
    fragment = "Điều <1> đường & bộ"
    start = len("Điều <1> ".encode())
    end = start + len("đường".encode())
    assert mark_ranges(fragment, [(start, end)]) == "Điều &lt;1&gt; <mark>đường</mark> &amp; bộ"


def test_a_trailing_star_makes_a_prefix_of_two_letters_or_more():
    parsed = parse_text('quyết* định "giao thông*" d* ab*')
    assert parsed.prefixes == ("quyết", "ab")
    assert parsed.units == (("định",), ("giao", "thông"), ("d",))


def test_a_query_of_prefixes_alone_is_a_query():
    assert parse_text("qu*").prefixes == ("qu",) and parse_text("qu*").units == ()


@pytest.mark.parametrize("word, target, limit, near", [
    ("duongg", "duong", 1, True), ("duogn", "duong", 1, True), ("dong", "duong", 1, True),
    ("dung", "duong", 1, True), ("quyet", "quyen", 1, True), ("thog", "thong", 1, True),
    ("dg", "duong", 2, False), ("kinh", "duong", 2, False), ("abcdefgh", "abcdefhg", 1, True)])
def test_a_word_is_near_another_within_its_edits(word, target, limit, near):
    assert within_edits(word, target, limit) is near


def test_an_approximate_snippet_marks_the_prefixed_and_nearly_spelt_words():
    text = "Điều 5. " + "Quy định chung. " * 30 + "Tuyến đường giao thông nông thôn."
    snippet = approximate_snippet(text, parse_text("thôn* duongg"), fuzzy=True)
    assert snippet.startswith("… ") and "<mark>đường</mark>" in snippet
    assert "<mark>thông</mark>" in snippet and "<mark>thôn</mark>" in snippet
    assert approximate_snippet("Không có gì <b>", parse_text("xyz*"), fuzzy=False) is None
    assert "&lt;b&gt;" in approximate_snippet("Đường <b>", parse_text("duong*"), False)


def test_a_moment_s_day_is_its_day_in_vietnam():
    from services.search.backends.base import normalize_document
    doc = normalize_document({"document_id": "d", "arrival_date": "2025-03-01T23:30:00+00:00",
                              "issued_date": "2025-02-28"})
    assert (doc["arrival_date"], doc["issued_date"]) == ("2025-03-02", "2025-02-28")
    assert normalize_document({"document_id": "d", "arrival_date": "2025-03-01T10:00:00"})[
        "arrival_date"] == "2025-03-01"
