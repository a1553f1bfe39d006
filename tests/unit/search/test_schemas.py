"""The search RPC's parameters: every problem is named, in Vietnamese and English."""
from datetime import date

import pytest

from services.common.errors import InvalidInput
from services.common.identity import Caller, Membership
from services.search.schemas import search_query

CALLER = Caller(user_id="user-1", username="an",
                memberships=(Membership("unit-b", "clerk"), Membership("unit-a", "specialist")))


def problems(params) -> dict:
    with pytest.raises(InvalidInput) as raised:
        search_query(params, CALLER)
    return raised.value.details


def test_valid_params_become_a_query_for_this_caller():
    query = search_query({"q": " quyết định ", "unit_id": "unit-a", "document_type": "QĐ",
                          "urgency": "flash", "from": "2024-01-01", "to": "2024-01-31",
                          "page": "2", "page_size": 50}, CALLER)
    assert (query.text, query.user_id, query.unit_ids) == ("quyết định", "user-1",
                                                            ("unit-a", "unit-b"))
    assert (query.unit_id, query.document_type, query.urgency) == ("unit-a", "QĐ", "flash")
    assert (query.arrival_from, query.arrival_to) == (date(2024, 1, 1), date(2024, 1, 31))
    assert (query.page, query.page_size) == (2, 50)


def test_defaults_are_the_first_page_of_twenty():
    query = search_query({"q": "đường"}, CALLER)
    assert (query.page, query.page_size, query.unit_id, query.arrival_from) == (1, 20, None,
                                                                                 None)


def test_an_unknown_param_is_named():
    assert set(problems({"q": "a", "colour": "red", "acl_units": ["x"]})) == {"colour",
                                                                              "acl_units"}


def test_a_sort_outside_relevance_and_date_is_named():
    assert set(problems({"q": "a", "sort": "title"})) == {"sort"}


def test_new_filters_sort_and_facets_reach_the_query():
    query = search_query({"q": "a", "register_id": "r1", "issuer_organ_id": "000.00.00.H41",
                          "sort": "date", "facets": "false"}, CALLER)
    assert (query.register_id, query.issuer_organ_id, query.sort, query.with_facets) == \
        ("r1", "000.00.00.H41", "date", False)
    assert search_query({"q": "a"}, CALLER).with_facets is True
    issued = search_query({"q": "a", "issued_from": "2024-01-01", "issued_to": "2024-06-30"},
                          CALLER)
    assert (issued.issued_from, issued.issued_to) == (date(2024, 1, 1), date(2024, 6, 30))
    assert set(problems({"q": "a", "issued_from": "2024-07-01", "issued_to": "2024-06-30"})) \
        == {"issued_to"}


@pytest.mark.parametrize("params, field", [
    ({}, "q"),
    ({"q": "a" * 1001}, "q"),
    ({"q": 5}, "q"),
    ({"q": "a", "page": 0}, "page"),
    ({"q": "a", "page_size": 201}, "page_size"),
    ({"q": "a", "page_size": "many"}, "page_size"),
    ({"q": "a", "from": "01/02/2024"}, "from"),
    ({"q": "a", "to": "2024-02-30"}, "to"),
    ({"q": "a", "from": "2024-03-01", "to": "2024-02-01"}, "to"),
    ({"q": "a", "urgency": "asap"}, "urgency"),
])
def test_a_bad_value_is_named(params, field):
    details = problems(params)
    assert set(details) == {field}
    assert details[field]["vi"] and details[field]["en"]


def test_params_must_be_an_object():
    assert set(problems(["q", "a"])) == {"params"}
