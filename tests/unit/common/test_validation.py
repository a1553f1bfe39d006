import pytest

from services.common.errors import InvalidInput
from services.common.validation import Problems


def test_every_problem_is_reported_at_once_in_vietnamese_and_english():
    problems = Problems()
    problems.text({}, "subject", max_length=10, required=True)
    problems.text({"code": "x" * 11}, "code", max_length=10)
    problems.integer({"pages": "many"}, "pages")
    with pytest.raises(InvalidInput) as caught:
        problems.raise_if_any()
    details = caught.value.details
    assert set(details) == {"subject", "code", "pages"}
    assert all(set(d) == {"vi", "en"} for d in details.values())


def test_an_unknown_field_is_refused_rather_than_ignored():
    problems = Problems()
    problems.only({"subjct": "typo"}, {"subject"})
    with pytest.raises(InvalidInput) as caught:
        problems.raise_if_any()
    assert "subjct" in caught.value.details


@pytest.mark.parametrize("value", ["2024-02-30", "30/10/2020", "2020-1-1", 20201030])
def test_dates_that_do_not_exist_or_are_not_iso_are_refused(value):
    problems = Problems()
    assert problems.date({"d": value}, "d") is None
    assert "d" in problems.details


def test_booleans_are_not_accepted_as_integers():
    problems = Problems()
    problems.integer({"n": True}, "n")
    assert "n" in problems.details


def test_id_lists_refuse_duplicates_and_malformed_ids():
    problems = Problems()
    same = "0b7c0f6e-3a55-4b5c-8e1a-2f3b4c5d6e7f"
    problems.id_list({"a": [same, same]}, "a", max_items=5)
    problems.id_list({"b": ["../etc/passwd"]}, "b", max_items=5)
    assert set(problems.details) == {"a", "b"}


@pytest.mark.parametrize("value", ["Trích\x00yếu", "a\x1bb", "a\rb", "a\x7fb", "a\ud800b"])
def test_a_text_with_a_control_character_other_than_tab_and_newline_is_refused(value):
    problems = Problems()
    assert problems.text({"subject": value}, "subject", max_length=100) is None
    assert "subject" in problems.details


def test_tabs_and_newlines_stay_allowed_in_text():
    problems = Problems()
    assert problems.text({"note": "dòng 1\n\tdòng 2"}, "note", max_length=100) == \
        "dòng 1\n\tdòng 2"
    assert not problems.details


@pytest.mark.parametrize("value", [2 ** 31, -2 ** 31 - 1, 10 ** 40, "²", "99999999999999999999"])
def test_an_integer_without_bounds_of_its_own_still_fits_a_database_column(value):
    problems = Problems()
    assert problems.integer({"n": value}, "n") is None
    assert "n" in problems.details
