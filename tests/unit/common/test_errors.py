from nameko.exceptions import deserialize, serialize

from services.common.errors import Conflict, InvalidInput, ServiceTimeout


def test_an_error_crossing_a_service_boundary_arrives_as_the_same_type_with_both_messages():
    original = Conflict("Trùng văn bản.", "Duplicate document.", {"duplicate_of": "d1"})
    received = deserialize(serialize(original))
    assert type(received) is Conflict
    assert received.status == 409 and received.code == "CONFLICT"
    assert received.message("vi") == "Trùng văn bản." and received.message("en") == \
        "Duplicate document."
    assert received.details == {"duplicate_of": "d1"}


def test_errors_map_to_the_http_statuses_of_the_api():
    assert InvalidInput().status == 400 and ServiceTimeout().status == 504
