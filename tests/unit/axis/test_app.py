"""The reference axis's HTTP API through werkzeug's test Client: the SDK's signed headers, the
store-and-forward queue of each recipient agency and its acknowledgements, the directory."""
import base64
import hashlib
import hmac
import json
import os
from datetime import datetime, timedelta, timezone

from werkzeug.test import Client

from services.axis.app import make_app
from services.axis.store import AxisStore
from services.exchange.axis_client import signed_headers
from tests.unit.axis.helpers import (
    A,
    B,
    C,
    COMMUNE,
    CONFIG,
    MAX_SIZE,
    SYSTEM_1,
    SYSTEM_2,
    UNSERVED,
    Caller,
)

VIETNAM = timezone(timedelta(hours=7))


def doc_ids(answer) -> list[str]:
    return [item["docId"] for item in answer["data"]]


def queued_for(system, organ) -> list[dict]:
    return [item for item in system.ok("getReceivedEdocList")["data"] if item["to"] == organ]


# -- authentication ------------------------------------------------------------------------

def test_a_request_signed_by_a_connected_system_is_answered(system_1):
    answer = system_1.ok("getAgenciesList")
    assert {A, B, C, COMMUNE, UNSERVED} == {agency["code"] for agency in answer["data"]}


def test_a_request_signed_with_a_wrong_secret_is_refused_with_401(system_1):
    response = system_1("getAgenciesList", secret="not-the-secret-of-system-one-000")
    assert response.status_code == 401
    assert response.json["status"] == "FAIL"
    assert response.json["ErrorCode"] == "UNAUTHENTICATED"
    assert "signature" in response.json["ErrorDesc"]
    assert "chữ ký" in response.json["ErrorDescVi"]


def test_an_unsigned_request_or_an_unknown_system_is_refused_with_401(app):
    client = Client(app)
    assert client.post("/getAgenciesList").status_code == 401
    stranger = Caller(client, ("he-thong-la", "bi-mat-cua-he-thong-la-0123456789"))
    assert stranger("getAgenciesList").status_code == 401


def test_a_request_signed_the_way_the_java_sdk_signs_it_is_accepted(system_1, system_2):
    # Gson's compact JSON in HashMap order, "=" escaped as \u003d, "to" as the JSON text of
    # an array, and the file's SHA-256 in hex without zero-padding each byte.
    data = next(body for body in (f"<edXML>{i}</edXML>".encode() for i in range(100))
                if any(b < 16 for b in hashlib.sha256(body).digest()))
    unpadded = "".join(format(b, "x") for b in hashlib.sha256(data).digest())
    sign_header = (
        '{"XroadVnpt-Content-Type":"application/octet-stream",'
        '"XroadVnpt-to":"[\\"' + B + '\\"]",'
        '"XroadVnpt-messagetype":"edoc","XroadVnpt-hash-file":"' + unpadded + '",'
        '"XroadVnpt-servicetype":"eDoc","XroadVnpt-from":"' + A + '",'
        '"XroadVnpt-timestamp":"07122026T054646+0123",'
        '"XroadVnpt-note":"a\\u003db","XroadVnpt-systemid":"' + SYSTEM_1[0] + '"}')
    headers = {
        "Content-Type": "application/octet-stream",
        "XroadVnpt-sign-header": sign_header,
        "XroadVnpt-sign-header-key": "Content-Type;to;messagetype;hash-file;servicetype;"
                                     "from;timestamp;note;systemid",
        "XroadVnpt-hash-header": hmac.new(SYSTEM_1[1].encode(), sign_header.encode(),
                                          hashlib.sha256).hexdigest(),
        "XroadVnpt-version": "3.0.201608",
        "User-Agent": "JAVASDKAgent/1.0.0 XRoad/VPCP",
    }
    response = system_1.client.post("/sendEdoc", data=data, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["DocId"]
    assert [item["from"] for item in queued_for(system_2, B)] == [A]


def test_parameters_are_read_from_the_signed_json_and_a_tampered_one_is_refused(
        system_1, system_2):
    headers = signed_headers(SYSTEM_1[0], SYSTEM_1[1], {
        "from": A, "to": json.dumps([B]), "servicetype": "eDoc", "messagetype": "edoc",
        "hash-file": hashlib.sha256(b"<edXML/>").hexdigest()}, "application/octet-stream")
    loose = {**headers, "XroadVnpt-messagetype": "status"}   # not signed: changes nothing
    assert system_1.client.post("/sendEdoc", data=b"<edXML/>", headers=loose).status_code == 200
    assert [item["messageType"] for item in queued_for(system_2, B)] == ["edoc"]

    tampered = {**headers, "XroadVnpt-sign-header":
                headers["XroadVnpt-sign-header"].replace('"edoc"', '"status"')}
    response = system_1.client.post("/sendEdoc", data=b"<edXML/>", headers=tampered)
    assert response.status_code == 401


# -- queues and acknowledgements -----------------------------------------------------------

def test_a_message_to_two_agencies_is_queued_once_for_each_with_a_doc_id_of_its_own(
        system_1, system_2):
    sent = system_1.send(A, [B, C]).json["DocId"]
    queued = system_2.ok("getReceivedEdocList")["data"]
    assert sorted(item["to"] for item in queued) == sorted([B, C])
    assert {item["from"] for item in queued} == {A}
    assert {item["status"] for item in queued} == {"pending"}
    assert len({item["docId"] for item in queued} | {sent}) == 3

    rows = system_1.ok("getSentEdocList", {"docId": sent})["data"]
    assert sorted((row["toCode"], row["receiveStatus"]) for row in rows) == \
        sorted([(B, "pending"), (C, "pending")])
    assert {row["receiverDocId"] for row in rows} == {item["docId"] for item in queued}


def test_done_takes_the_message_out_of_one_recipients_queue_only(system_1, system_2):
    system_1.send(A, [B, C], data=b"<edXML>one</edXML>")
    [for_b], [for_c] = queued_for(system_2, B), queued_for(system_2, C)
    system_2.ok("updateStatus", {"docId": for_b["docId"], "status": "done"})

    assert doc_ids(system_2.ok("getReceivedEdocList")) == [for_c["docId"]]
    edoc = system_2.ok("getEdoc", {"docId": for_c["docId"]})["data"]
    assert base64.b64decode(edoc) == b"<edXML>one</edXML>"
    assert system_2("getEdoc", {"docId": for_b["docId"]}).status_code == 410
    # a repeated done (its answer lost on the way) is harmless; nothing comes after done
    system_2.ok("updateStatus", {"docId": for_b["docId"], "status": "done"})
    late = system_2("updateStatus", {"docId": for_b["docId"], "status": "processing"})
    assert late.status_code == 409 and late.json["ErrorCode"] == "CONFLICT"


def test_the_package_file_is_removed_once_every_recipient_is_done(system_1, system_2, store):
    system_1.send(A, [B, C])
    assert len(os.listdir(store.edoc_dir)) == 1
    for item in system_2.ok("getReceivedEdocList")["data"]:
        system_2.ok("updateStatus", {"docId": item["docId"], "status": "done"})
    assert os.listdir(store.edoc_dir) == []


def test_fail_keeps_the_message_queued_with_its_reason_for_the_sender_to_see(
        system_1, system_2):
    sent = system_1.send(A, [B]).json["DocId"]
    [item] = queued_for(system_2, B)
    reason = "Gói tin không đúng chữ ký số của đơn vị gửi"
    system_2.ok("updateStatus", {"docId": item["docId"], "status": "fail", "reason": reason})

    [still] = queued_for(system_2, B)
    assert (still["docId"], still["status"], still["status_desc"]) == \
        (item["docId"], "fail", reason)
    [row] = system_1.ok("getSentEdocList", {"docId": sent})["data"]
    assert (row["receiveStatus"], row["receiveStatusDesc"]) == ("fail", reason)


def test_the_other_acknowledgements_are_recorded_and_unknown_ones_refused(system_1, system_2):
    system_1.send(A, [B])
    [item] = queued_for(system_2, B)
    for status in ("inbox", "acceptance", "rejection", "processing"):
        system_2.ok("updateStatus", {"docId": item["docId"], "status": status})
        assert queued_for(system_2, B)[0]["status"] == status
    response = system_2("updateStatus", {"docId": item["docId"], "status": "read"})
    assert response.status_code == 400 and response.json["ErrorCode"] == "VALIDATION_ERROR"


def test_the_package_comes_back_byte_for_byte(system_1, system_2):
    data = bytes(range(256)) * 3 + "<Subject>Công văn</Subject>".encode()
    system_1.send(A, [B], data=data)
    [item] = queued_for(system_2, B)
    assert base64.b64decode(system_2.ok("getEdoc", {"docId": item["docId"]})["data"]) == data
    download = system_2("downloadEdoc", {"docId": item["docId"]})
    assert download.status_code == 200 and download.get_data() == data


def test_received_filters_by_message_type_and_by_dates(system_1, system_2):
    system_1.send(A, [B], message_type="edoc")
    system_1.send(A, [B], message_type="status")
    assert [i["messageType"] for i in system_2.ok(
        "getReceivedEdocList", {"messagetype": "status"})["data"]] == ["status"]

    today = datetime.now(VIETNAM).date()
    for params, count in (({"fromDate": today.isoformat()}, 2),
                          ({"toDate": today.isoformat()}, 2),
                          ({"fromDate": (today + timedelta(days=1)).isoformat()}, 0),
                          ({"toDate": (today - timedelta(days=1)).isoformat()}, 0)):
        assert len(system_2.ok("getReceivedEdocList", params)["data"]) == count, params
    bad = system_2("getReceivedEdocList", {"fromDate": "07/12/2026"})
    assert bad.status_code == 400


# -- who may do what -----------------------------------------------------------------------

def test_a_system_may_not_send_from_an_agency_it_does_not_serve(system_1, store):
    for sender in (B, UNSERVED):
        response = system_1.send(sender, [A])
        assert response.status_code == 403 and response.json["ErrorCode"] == "FORBIDDEN"
        assert "Hệ thống này không phục vụ" in response.json["ErrorDescVi"]
    assert os.listdir(store.edoc_dir) == []


def test_a_system_may_not_fetch_or_acknowledge_a_message_to_another_systems_agency(
        system_1, system_2):
    sent = system_1.send(A, [B]).json["DocId"]
    [item] = queued_for(system_2, B)
    assert system_1.ok("getReceivedEdocList")["data"] == []
    assert system_1("getEdoc", {"docId": item["docId"]}).status_code == 403
    assert system_1("downloadEdoc", {"docId": item["docId"]}).status_code == 403
    assert system_1("updateStatus", {"docId": item["docId"], "status": "done"}).status_code \
        == 403
    assert system_1("getEdoc", {"docId": sent}).status_code == 404   # the sender's DocId
    assert system_2("getSentEdocList", {"docId": sent}).status_code == 403
    assert queued_for(system_2, B)[0]["status"] == "pending"


def test_sending_to_an_unknown_or_a_deleted_agency_is_refused(system_1, system_2):
    response = system_1.send(A, [B, "999.99.99.Z99"])
    assert response.status_code == 404 and response.json["details"] == \
        {"unknown": ["999.99.99.Z99"]}
    system_2.ok("deleteAgency", {"AgencyCode": C})
    assert system_1.send(A, [C]).status_code == 404
    assert system_2.ok("getReceivedEdocList")["data"] == []


def test_a_body_over_the_limit_is_refused_with_413_and_nothing_is_queued(
        system_1, system_2, store):
    response = system_1.send(A, [B], data=b"x" * (MAX_SIZE + 1))
    assert response.status_code == 413 and response.json["ErrorCode"] == "TOO_LARGE"
    assert system_2.ok("getReceivedEdocList")["data"] == []
    assert os.listdir(store.edoc_dir) == []
    assert system_1.send(A, [B], data=b"x" * MAX_SIZE).status_code == 200


def test_a_body_that_does_not_match_its_hash_or_is_empty_is_refused(system_1, store):
    response = system_1.send(A, [B], data=b"<edXML/>",
                             **{"hash-file": hashlib.sha256(b"other").hexdigest()})
    assert response.status_code == 400 and response.json["details"] == {"field": "hash-file"}
    assert system_1.send(A, [B], data=b"").status_code == 400
    assert os.listdir(store.edoc_dir) == []


def test_message_types_other_than_edoc_and_status_are_refused(system_1):
    response = system_1.send(A, [B], message_type="replacement")
    assert response.status_code == 400 and response.json["details"] == {"field": "messagetype"}


# -- the directory -------------------------------------------------------------------------

def test_registering_an_agency_adds_it_to_the_directory_and_the_caller_serves_it(
        system_1, system_2):
    new = "H01.151.02"
    body = json.dumps({"id": "", "code": new, "pcode": COMMUNE, "name": "Công an xã Thử Nghiệm",
                       "mail": "ca@xa.gov.vn", "mobile": "", "fax": ""}).encode()
    system_1.ok("registerAgency", body=body)
    [agency] = [a for a in system_2.ok("getAgenciesList")["data"] if a["code"] == new]
    assert (agency["pid"], agency["name"], agency["mail"], agency["deleted"]) == \
        (COMMUNE, "Công an xã Thử Nghiệm", "ca@xa.gov.vn", False)
    assert system_1.send(new, [B]).status_code == 200

    taken = json.dumps({"code": B, "name": "Không phải của hệ thống 1"}).encode()
    assert system_1("registerAgency", body=taken).status_code == 409


def test_deletion_is_soft_and_an_incremental_sync_shows_it(system_1, system_2):
    everything = system_1.ok("getAgenciesList")["data"]
    since = max(agency["modifyDate"] for agency in everything)
    assert all(agency["deleted"] is False for agency in everything)

    assert system_1("deleteAgency", {"AgencyCode": C}).status_code == 403   # not system 1's
    assert system_2("deleteAgency", {"AgencyCode": "999.99.99.Z99"}).status_code == 404
    system_2.ok("deleteAgency", {"AgencyCode": C})

    assert C not in {a["code"] for a in system_1.ok("getAgenciesList")["data"]}
    changed = system_1.ok("getAgenciesList", {"since": since})["data"]
    assert [a["code"] for a in changed if a["deleted"]] == [C]
    assert A not in {a["code"] for a in changed}    # unchanged since: not sent again
    later = system_1.ok("getAgenciesList", {"since": changed[-1]["modifyDate"]})["data"]
    assert [a["code"] for a in later] == [C]        # the bound is inclusive

    system_2.ok("registerAgency", body=json.dumps({"code": C, "name": "Trở lại"}).encode())
    assert C in {a["code"] for a in system_1.ok("getAgenciesList")["data"]}


def test_agency_ids_longer_than_13_characters_are_ordinary_and_36_is_too_long(
        system_1, system_2):
    assert len(C) == 35
    system_1.send(A, [C, B])
    assert {item["to"] for item in system_2.ok("getReceivedEdocList")["data"]} == {B, C}
    for wrong in (C + "1", "h01.151.01", "H01 151"):
        assert system_1.send(A, [wrong]).status_code == 400, wrong
        body = json.dumps({"code": wrong, "name": "Sai mã"}).encode()
        response = system_1("registerAgency", body=body)
        assert response.status_code == 400, wrong
        assert response.json["details"] == {"field": "code"}     # the body's own name


# -- the rest ------------------------------------------------------------------------------

def test_health_answers_without_a_signature_and_unknown_operations_are_404(app):
    client = Client(app)
    assert client.get("/health").json == {"status": "OK"}
    response = client.post("/getEverything")
    assert response.status_code == 404 and response.json["status"] == "FAIL"


def test_pending_messages_survive_closing_and_reopening_the_store(tmp_path, store, system_1):
    sent = system_1.send(A, [B], data=b"<edXML>keep</edXML>").json["DocId"]
    store.close()
    reopened = AxisStore(store.directory)
    try:
        system_2 = Caller(Client(make_app(reopened, MAX_SIZE)), SYSTEM_2)
        [item] = queued_for(system_2, B)
        assert base64.b64decode(system_2.ok("getEdoc", {"docId": item["docId"]})["data"]) \
            == b"<edXML>keep</edXML>"
        assert system_2("getSentEdocList", {"docId": sent}).status_code == 403
    finally:
        reopened.close()


def test_the_systems_file_is_the_authority_on_systems_and_their_secrets(store, system_1):
    store.apply_config({**CONFIG, "systems": CONFIG["systems"][1:]})
    assert system_1("getAgenciesList").status_code == 401
