import json

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services.common.errors import (Conflict, Forbidden, InvalidInput, NotFound,
                                    ServiceTimeout, ServiceUnavailable, TooLarge,
                                    Unauthenticated, UnsupportedType)
from services.common import http as envelope
from services.gateway import http, openapi


def request(**kwargs):
    return Request(EnvironBuilder(**kwargs).get_environ())


@pytest.mark.parametrize("exc, status, code", [
    (InvalidInput(), 400, "VALIDATION_ERROR"), (Unauthenticated(), 401, "UNAUTHENTICATED"),
    (Forbidden(), 403, "FORBIDDEN"), (NotFound(), 404, "NOT_FOUND"),
    (Conflict(), 409, "CONFLICT"), (TooLarge(), 413, "TOO_LARGE"),
    (UnsupportedType(), 415, "UNSUPPORTED_TYPE"),
    (ServiceUnavailable(), 503, "SERVICE_UNAVAILABLE"),
    (ServiceTimeout(), 504, "SERVICE_TIMEOUT"), (KeyError("x"), 500, "UNEXPECTED_ERROR"),
])
def test_every_error_becomes_the_one_envelope_with_its_status(exc, status, code):
    response = envelope.error_response(exc, "vi")
    body = json.loads(response.get_data())
    assert response.status_code == status and body["error"] == code and body["message"]


def test_the_message_and_field_details_follow_the_requested_language():
    exc = InvalidInput("Sai.", "Wrong.", {"subject": {"vi": "Bắt buộc.", "en": "Required."}})
    body = json.loads(envelope.error_response(exc, "en").get_data())
    assert body == {"error": "VALIDATION_ERROR", "message": "Wrong.",
                    "details": {"subject": "Required."}}
    assert json.loads(envelope.error_response(exc, "vi").get_data())["details"]["subject"] == \
        "Bắt buộc."


def test_accept_language_chooses_english_only_when_asked():
    assert envelope.language_of(request(headers={"Accept-Language": "en-US,en;q=0.9"})) == "en"
    assert envelope.language_of(request(headers={"Accept-Language": "vi,en;q=0.5"})) == "vi"
    assert envelope.language_of(request()) == "vi"


@pytest.mark.parametrize("data", [b"{not json", b"[1, 2]", b"\xff\xfe", b""])
def test_a_body_that_is_not_a_json_object_is_a_400(data):
    with pytest.raises(InvalidInput):
        http.read_json(request(method="POST", data=data))


def test_a_body_over_one_megabyte_is_a_413():
    with pytest.raises(TooLarge):
        http.read_json(request(method="POST", data=b" " * (http.MAX_JSON_BYTES + 1)))


def test_the_openapi_document_is_valid_openapi_3_1_shape():
    document = openapi.build_document()
    assert document["openapi"].startswith("3.1")
    for path, operations in document["paths"].items():
        for operation in operations.values():
            assert operation["responses"], path


@pytest.mark.parametrize("data", [b"[" * 100_000, b'{"a":' + b"[" * 40 + b"]" * 40 + b"}",
                                  b"{" * 100_000])
def test_a_deeply_nested_body_is_a_400_not_a_crash(data):
    with pytest.raises(InvalidInput) as caught:
        http.read_json(request(method="POST", data=data))
    assert "body" in caught.value.details


def test_brackets_inside_strings_do_not_count_as_nesting():
    body = {"subject": "[" * 100 + '\\"{' * 50}
    assert http.read_json(request(method="POST", data=json.dumps(body).encode())) == body


@pytest.mark.parametrize("body, field", [
    ({"subject": "a\u0000b"}, "subject"), ({"x": {"note": "a\u001bb"}}, "note"),
    ({"ids": ["a\u0007"]}, "ids"), ({"size": 10 ** 30}, "size"),
    ({"subject": "\ud800"}, "subject")])
def test_control_characters_and_huge_numbers_anywhere_in_a_body_are_a_400(body, field):
    with pytest.raises(InvalidInput) as caught:
        http.read_json(request(method="POST", data=json.dumps(body).encode()))
    assert field in caught.value.details


@pytest.mark.parametrize("data", [b'{"a": NaN}', b'{"a": Infinity}'])
def test_nan_and_infinity_are_not_json(data):
    with pytest.raises(InvalidInput):
        http.read_json(request(method="POST", data=data))
