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
