"""Which earlier document a replacement (thay thế) or correction (đính chính) may name
(services/documents/related.py, DOMAIN.md §2.8), and how a draft or a registration writes
the relation."""
from dataclasses import dataclass
from datetime import date

import pytest

from services.common.errors import InvalidInput
from services.common.validation import Problems
from services.documents import intake, outgoing, related

TODAY = date(2026, 12, 7)
OLD_ID = "11111111-2222-4333-8444-555555555555"


@dataclass
class Doc:
    unit_id: str = "unit-a"
    state: str = "issued"
    confidentiality: str = "none"
    replaced_by_id: str | None = None


def refusal(old, unit_id="unit-a", confidentiality="none", visible=True,
            issued_state="issued"):
    return related.refusal(old, unit_id=unit_id, confidentiality=confidentiality,
                           visible=visible, issued_state=issued_state)


def test_an_issued_document_of_the_same_unit_may_be_replaced_or_corrected():
    assert refusal(Doc()) is None
    assert refusal(Doc(state="registered"), issued_state=None) is None   # incoming


@pytest.mark.parametrize("old, changes, word", [
    (None, {}, "No such document"),
    (Doc(), {"visible": False}, "No such document"),
    (Doc(unit_id="unit-b"), {}, "same unit"),
    (Doc(state="numbered"), {}, "Only an issued document"),
    (Doc(state="recalled"), {}, "recalled"),
    (Doc(state="recalled"), {"issued_state": None}, "recalled"),
    (Doc(replaced_by_id="new"), {}, "already replaced"),
    (Doc(confidentiality="secret"), {}, "at least as secret"),
    (Doc(confidentiality="top_secret"), {"confidentiality": "secret"}, "at least as secret"),
])
def test_a_relation_to_a_document_the_draft_may_not_name_is_refused_in_both_languages(
        old, changes, word):
    vi, en = refusal(old, **changes)
    assert word in en and vi and vi != en


def test_a_secret_document_may_be_replaced_by_one_at_least_as_secret():
    assert refusal(Doc(confidentiality="secret"), confidentiality="secret") is None
    assert refusal(Doc(confidentiality="secret"), confidentiality="top_secret") is None


@pytest.mark.parametrize("value, fields", [
    ("x", {"related"}),
    ({"kind": "updates", "id": OLD_ID}, {"related.kind"}),
    ({"id": OLD_ID}, {"related.kind"}),
    ({"kind": "replaces"}, {"related.id"}),
    ({"kind": "replaces", "id": "not-an-id"}, {"related.id"}),
    ({"kind": "replaces", "id": OLD_ID, "why": 1}, {"related.why"}),
])
def test_a_malformed_relation_names_the_field_that_is_wrong(value, fields):
    problems = Problems()
    assert related.parse_related(problems, {"related": value}) is None
    assert set(problems.details) == fields


def test_a_draft_carries_its_relation_and_a_new_version_may_remove_it():
    created = outgoing.parse_draft({"unit_id": "unit-a", "document_type": "CV",
                                    "subject": "Đính chính", "related": {
                                        "kind": "corrects", "id": OLD_ID}},
                                   TODAY, creating=True)
    assert created["related"] == {"kind": "corrects", "id": OLD_ID}
    assert outgoing.parse_draft({"related": None}, TODAY, creating=False)["related"] is None
    assert "related" not in outgoing.parse_draft({"subject": "x"}, TODAY, creating=False)
    with pytest.raises(InvalidInput) as caught:
        outgoing.parse_draft({"related": {"kind": "x", "id": OLD_ID}}, TODAY, creating=False)
    assert set(caught.value.details) == {"related.kind"}


def test_a_registration_may_name_the_incoming_document_it_replaces():
    payload = {"unit_id": "unit-b", "code_number": "16", "code_notation": "QĐ-STC",
               "issued_date": "2026-12-07", "issuer": {"name": "Sở Tài chính"},
               "document_type": "QD", "subject": "Quyết định thay thế",
               "related": {"kind": "replaces", "id": OLD_ID}}
    assert intake.parse_incoming(payload, TODAY).related == {"kind": "replaces", "id": OLD_ID}
    assert intake.parse_incoming(payload | {"related": None}, TODAY).related is None
