"""The search RPC's parameters, validated into a SearchQuery for one caller."""
from __future__ import annotations

from services.common.identity import Caller
from services.common.validation import Problems, page_params
from services.common.vocabulary import URGENCIES
from services.search.backends.base import (DIRECTIONS, MAX_QUERY_CHARS, SORTS, STATES,
                                           SearchQuery)

PARAMS = {"q", "unit_id", "register_id", "issuer_organ_id", "document_type", "urgency",
          "direction", "state", "from", "to", "issued_from", "issued_to", "sort", "facets",
          "page", "page_size"}


def search_query(params, caller: Caller, delegated_units=()) -> SearchQuery:
    """``params`` → SearchQuery; every problem (an unknown param included) is named
    in one InvalidInput. ``from``/``to`` bound the arrival date (ngày đến),
    ``issued_from``/``issued_to`` the issue date (ngày ban hành); ``sort``
    is relevance (default) or date (newest first); ``facets`` "false" (or false)
    leaves the facet counts out (a later page of a list whose first page had them).
    The caller sees their units' documents and those of ``delegated_units`` (where
    they act for a leader under a delegation)."""
    problems = Problems()
    params = problems.object(params if params is not None else {}, "params")
    problems.only(params, PARAMS)
    text = problems.text(params, "q", max_length=MAX_QUERY_CHARS, required=True)
    unit_id = problems.text(params, "unit_id", max_length=64)
    register_id = problems.text(params, "register_id", max_length=64)
    issuer_organ_id = problems.text(params, "issuer_organ_id", max_length=64)
    sort = problems.choice(params, "sort", SORTS, default="relevance")
    facets = problems.choice(params, "facets", (True, False, "true", "false"), default=True)
    document_type = problems.text(params, "document_type", max_length=20)
    urgency = problems.choice(params, "urgency", URGENCIES)
    direction = problems.choice(params, "direction", DIRECTIONS)
    state = problems.choice(params, "state", STATES)
    date_from = problems.date(params, "from")
    date_to = problems.date(params, "to")
    issued_from = problems.date(params, "issued_from")
    issued_to = problems.date(params, "issued_to")
    for low, high, name in ((date_from, date_to, "to"), (issued_from, issued_to, "issued_to")):
        if low and high and low > high:
            problems.add(name, "Ngày kết thúc phải sau ngày bắt đầu.",
                         "The end date must not be before the start date.")
    page, page_size = page_params(problems, params)
    problems.raise_if_any()
    return SearchQuery(text=text, user_id=caller.user_id,
                       unit_ids=tuple(caller.unit_ids) + tuple(delegated_units),
                       unit_id=unit_id, document_type=document_type, urgency=urgency,
                       direction=direction, state=state, register_id=register_id,
                       issuer_organ_id=issuer_organ_id, sort=sort or "relevance",
                       with_facets=facets in (True, "true"),
                       arrival_from=date_from, arrival_to=date_to,
                       issued_from=issued_from, issued_to=issued_to,
                       page=page, page_size=page_size)


MAX_SAVED_PER_USER = 100
EXPORT_MAX_ROWS = 1000


def saved_search_input(payload, caller: Caller) -> dict:
    """{name (1–200 characters), params (a search the caller could run: q and filters,
    no page)} → {name, params}; the params are checked as search_query checks them."""
    problems = Problems()
    payload = problems.object(payload)
    problems.only(payload, {"name", "params"})
    name = problems.text(payload, "name", max_length=200, required=True)
    params = payload.get("params")
    if not isinstance(params, dict):
        problems.add("params", "Phải là các điều kiện tìm kiếm.", "Must be the search's terms.")
    problems.raise_if_any()
    kept = {key: value for key, value in params.items()
            if key not in ("page", "page_size", "facets") and value not in (None, "")}
    search_query(kept, caller)   # the same InvalidInput as a search with these terms
    return {"name": name.strip(), "params": kept}
