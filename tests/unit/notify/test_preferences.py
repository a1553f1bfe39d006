"""Validating a change of notification preferences (services/notify/preferences.py)."""
import pytest

from services.common.errors import InvalidInput
from services.notify.preferences import DEFAULTS, normalise_email, validate_changes

ON = {"email_enabled": True, "email": "vanthu@stc.nghean.gov.vn"}


@pytest.mark.parametrize("address, expected", [
    ("vanthu@stc.nghean.gov.vn", "vanthu@stc.nghean.gov.vn"),
    ("Nguyen.Van-A+eoffice@STC.NgheAn.Gov.VN", "Nguyen.Van-A+eoffice@stc.nghean.gov.vn"),
    ("a_b@x-y.vn", "a_b@x-y.vn"),
])
def test_plain_addresses_are_accepted_with_the_domain_in_lower_case(address, expected):
    assert normalise_email(address) == expected


@pytest.mark.parametrize("address", [
    "vanthu", "vanthu@", "@gov.vn", "van thu@gov.vn", "a@@gov.vn", "a@b@gov.vn",
    "a@localhost", "a@gov..vn", "a@-gov.vn", "a@gov-.vn", ".a@gov.vn", "a.@gov.vn",
    "a..b@gov.vn", "Nguyễn <a@gov.vn>", "nguyễn@gov.vn", "a@bộ.vn", "a@1.2.3.4",
    "a@[127.0.0.1]", "a@gov.vn\nBcc: x@y.vn", "a" * 65 + "@gov.vn",
    "a@" + "b" * 250 + ".vn", 42, None,
])
def test_anything_but_a_plain_address_is_refused(address):
    assert normalise_email(address) is None


def test_turning_email_on_with_an_address():
    changed = validate_changes({"email_enabled": True, "email": " vt@GOV.vn "}, DEFAULTS)
    assert changed == {"email_enabled": True, "email": "vt@gov.vn"}


def test_fields_left_out_keep_their_value():
    assert validate_changes({}, ON) == ON
    assert validate_changes({"email_enabled": False}, ON) == {
        "email_enabled": False, "email": ON["email"]}
    assert validate_changes({"email": "new@gov.vn"}, ON) == {
        "email_enabled": True, "email": "new@gov.vn"}


def test_in_app_may_be_sent_back_as_true_but_not_turned_off():
    assert validate_changes({"in_app": True}, ON) == ON
    with pytest.raises(InvalidInput) as caught:
        validate_changes({"in_app": False}, ON)
    assert set(caught.value.details) == {"in_app"}


def test_the_address_may_be_removed_only_with_email_off():
    assert validate_changes({"email_enabled": False, "email": None}, ON) == {
        "email_enabled": False, "email": None}
    assert validate_changes({"email_enabled": False, "email": ""}, ON)["email"] is None
    with pytest.raises(InvalidInput) as caught:
        validate_changes({"email": None}, ON)
    assert set(caught.value.details) == {"email"}


def test_email_on_needs_an_address():
    with pytest.raises(InvalidInput) as caught:
        validate_changes({"email_enabled": True}, DEFAULTS)
    assert set(caught.value.details) == {"email"}
    assert set(caught.value.details["email"]) == {"vi", "en"}


@pytest.mark.parametrize("payload, fields", [
    ({"email": "not-an-address"}, {"email"}),
    ({"email": 12}, {"email"}),
    ({"email": "a" * 300 + "@gov.vn"}, {"email"}),
    ({"email_enabled": "yes"}, {"email_enabled"}),
    ({"email_enabled": None}, {"email_enabled"}),
    ({"digest": "daily"}, {"digest"}),
    ({"emial": "vt@gov.vn", "email_enabled": 1}, {"emial", "email_enabled"}),
    ({"email_enabled": True, "email": "bad@"}, {"email"}),
])
def test_bad_input_names_every_bad_field_in_vietnamese_and_english(payload, fields):
    with pytest.raises(InvalidInput) as caught:
        validate_changes(payload, ON)
    error = caught.value
    assert set(error.details) == fields
    assert all(set(problem) == {"vi", "en"} for problem in error.details.values())
    assert error.status == 400 and error.message_vi.startswith("Dữ liệu không hợp lệ")


@pytest.mark.parametrize("payload", [None, [], "email", 1])
def test_a_payload_that_is_not_an_object_is_refused(payload):
    with pytest.raises(InvalidInput) as caught:
        validate_changes(payload, ON)
    assert set(caught.value.details) == {"payload"}
