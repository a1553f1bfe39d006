from datetime import date

import pytest

from services.common.errors import InvalidInput
from services.common.identity import Caller, Membership
from services.documents import domain
from services.documents.intake import parse_incoming

TODAY = date(2026, 11, 25)


def valid(**changes):
    payload = {"unit_id": "u-1", "code_number": "2491", "code_notation": "STC-BCTC",
               "issued_date": "2026-10-30",
               "issuer": {"organ_id": "000.00.11.H53", "name": "Sở Tài chính tỉnh Tây Ninh"},
               "document_type": "CV", "subject": "Báo cáo tài chính"}
    payload.update(changes)
    return payload


@pytest.mark.parametrize("notation", ["VPCP-TTĐT", "QyĐ-UBND", "TTr-SNV", "2020/NĐ-CP",
                                      "UBND-VX", "STC-BCTC"])
def test_notations_with_vietnamese_letters_and_mixed_case_are_accepted(notation):
    assert parse_incoming(valid(code_notation=notation), TODAY).code_notation == notation


@pytest.mark.parametrize("notation", ["STC BCTC", "-STC", "STC--BCTC", "STC_BCTC", "12-AB"])
def test_notations_with_spaces_or_empty_groups_are_refused(notation):
    with pytest.raises(InvalidInput) as caught:
        parse_incoming(valid(code_notation=notation), TODAY)
    assert "code_notation" in caught.value.details


def test_numbers_below_ten_are_written_with_a_leading_zero():
    assert parse_incoming(valid(code_number="5"), TODAY).code_number == "05"
    assert parse_incoming(valid(code_number="2491"), TODAY).code_number == "2491"


def test_ascii_spellings_of_unambiguous_types_are_accepted():
    assert parse_incoming(valid(document_type="QD"), TODAY).document_type == "QĐ"


def test_an_unknown_document_type_is_refused():
    with pytest.raises(InvalidInput):
        parse_incoming(valid(document_type="XYZ"), TODAY)


def test_fields_longer_than_phu_luc_vi_allows_are_refused():
    with pytest.raises(InvalidInput) as caught:
        parse_incoming(valid(subject="x" * 501, code_notation="A" * 31), TODAY)
    assert {"subject", "code_notation"} <= set(caught.value.details)


def test_an_issue_date_in_the_future_and_a_due_date_in_the_past_are_refused():
    with pytest.raises(InvalidInput) as caught:
        parse_incoming(valid(issued_date="2026-12-01", due_date="2026-11-01"), TODAY)
    assert {"issued_date", "due_date"} <= set(caught.value.details)


def test_a_secret_document_with_a_file_is_refused():
    with pytest.raises(InvalidInput) as caught:
        parse_incoming(valid(confidentiality="secret",
                             file_ids=["0b7c0f6e-3a55-4b5c-8e1a-2f3b4c5d6e7f"]), TODAY)
    assert "file_ids" in caught.value.details


def test_the_issuer_is_compared_without_case_accents_or_extra_spaces_when_it_has_no_code():
    assert domain.issuer_key(None, "Sở  Tài chính Tây Ninh") == \
        domain.issuer_key(None, "SỞ TÀI CHÍNH TÂY NINH")
    assert domain.issuer_key(None, "Đồng Nai") == domain.issuer_key(None, "dong nai")
    assert domain.issuer_key("000.00.11.H53", "x") != domain.issuer_key(None, "x")


def test_secret_documents_have_their_own_number_series():
    assert domain.register_direction("none") != domain.register_direction("secret")
    assert domain.counter_key("u", domain.register_direction("none"), 2026) != \
        domain.counter_key("u", domain.register_direction("secret"), 2026)


def test_only_a_clerk_of_the_unit_may_register_its_incoming_documents():
    clerk = Caller("c", "c", memberships=(Membership("u-1", "clerk"),))
    head = Caller("h", "h", memberships=(Membership("u-1", "head"),))
    assert domain.may_register_incoming(clerk, "u-1")
    assert not domain.may_register_incoming(clerk, "u-2")
    assert not domain.may_register_incoming(head, "u-1")


def test_a_member_of_another_unit_or_without_clearance_may_not_view_a_document():
    member = Caller("m", "m", memberships=(Membership("u-1", "specialist"),))
    assert domain.may_view_document(member, "u-1", "none")
    assert not domain.may_view_document(member, "u-2", "none")
    assert not domain.may_view_document(member, "u-1", "secret")
    assert domain.may_view_document(member, "u-2", "none", acl_users=("m",))


def test_only_leaders_cleared_for_a_secret_document_are_told_of_it():
    rows = [("head-none", "head", "none"), ("head-conf", "unit_head", "confidential"),
            ("head-top", "head", "top_secret"), ("clerk-top", "clerk", "top_secret")]
    assert domain.leaders_of(rows) == ["head-conf", "head-none", "head-top"]
    assert domain.leaders_of(rows, "confidential") == ["head-conf", "head-top"]
    assert domain.leaders_of(rows, "secret") == ["head-top"]
    assert domain.leaders_of(rows, "top_secret") == ["head-top"]
    assert domain.leaders_of(rows[:2], "top_secret") == []
    assert domain.leaders_of([("a", "head"), ("b", "clerk")]) == ["a"]   # no clearances
    assert domain.leaders_of([("a", "head")], "confidential") == []
