"""Workflow's codes are the system's vocabulary (services/common/vocabulary.py): every
processing state, kind and state of a part, task state and urgency it stores or answers
with has a Vietnamese and English name there, so the web UI can show it."""
from services.common import vocabulary
from services.workflow import deadlines, domain, secrecy


def test_every_processing_state_has_its_names():
    states = {domain.AWAITING_ASSIGNMENT, domain.ASSIGNED, domain.IN_PROGRESS, domain.DONE,
              domain.IN_APPROVAL, domain.APPROVED, domain.RETURNED_DRAFT}
    assert states == set(vocabulary.PROCESSING_STATE_NAMES)


def test_every_kind_and_state_of_a_part_and_of_a_task_has_its_names():
    assert set(domain.KINDS) == set(vocabulary.WORK_KIND_NAMES)
    assert {domain.OPEN, domain.FORWARDED, domain.DONE_ITEM, domain.RETURNED,
            domain.CLOSED} == set(vocabulary.WORK_STATE_NAMES)
    assert {domain.TASK_OPEN, domain.TASK_DONE, domain.TASK_CANCELLED} == set(
        vocabulary.TASK_STATE_NAMES)


def test_a_processing_state_maps_to_an_incoming_or_outgoing_documents_state():
    known = set(vocabulary.INCOMING_STATE_NAMES) | set(vocabulary.OUTGOING_STATE_NAMES)
    assert set(domain.DOCUMENT_STATE.values()) <= known


def test_urgencies_and_levels_come_from_the_vocabulary():
    assert list(domain.URGENCY_RANK) == list(vocabulary.URGENCIES)
    assert set(deadlines.DEFAULT_WORKING_DAYS) == set(vocabulary.URGENCIES)
    assert secrecy.LEVEL_NAMES["top_secret"] == ("Tuyệt mật", "Top secret")
