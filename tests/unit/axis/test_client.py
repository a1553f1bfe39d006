"""AxisClient against the reference axis running as a process of its own (data in tmp_path):
system 1 serves agency A, system 2 serves B and C."""
import json
import socket
import threading
import time
from datetime import timezone

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from services.axis.server import start_server
from services.exchange.axis_client import Agency, AxisClient, AxisRefused, AxisUnavailable
from tests.unit.axis.helpers import A, B, C, COMMUNE, SYSTEM_1, SYSTEM_2

PACKAGE = "<edXML><Subject>Về việc thử nghiệm liên thông</Subject></edXML>".encode()


def test_a_message_from_a_to_b_and_c_stays_queued_for_c_after_b_acknowledges_it(clients):
    one, two = clients
    doc_id = one.send_edoc(A, [B, C], "edoc", PACKAGE)
    queued = {item.to_organ: item for item in two.received()}
    assert set(queued) == {B, C}
    assert {(i.from_organ, i.message_type, i.status) for i in queued.values()} == \
        {(A, "edoc", "pending")}
    assert all(i.created_at.tzinfo is not None for i in queued.values())
    assert two.get_edoc(queued[B].doc_id) == PACKAGE

    two.update_status(queued[B].doc_id, "done")
    assert [item.doc_id for item in two.received()] == [queued[C].doc_id]
    assert two.get_edoc(queued[C].doc_id) == PACKAGE
    assert {row.to_organ: row.status for row in one.sent(doc_id)} == {B: "done", C: "pending"}
    assert one.received() == []


def test_a_wrong_secret_is_refused_with_401(axis):
    with AxisClient(axis.base_url, SYSTEM_1[0], "not-the-secret-of-system-one-000") as client:
        with pytest.raises(AxisRefused) as refused:
            client.get_agencies()
    assert (refused.value.status, refused.value.code) == (401, "UNAUTHENTICATED")
    assert refused.value.message and refused.value.message_vi


def test_sending_from_an_agency_the_system_does_not_serve_is_refused(clients):
    one, two = clients
    with pytest.raises(AxisRefused) as refused:
        one.send_edoc(B, [A], "edoc", PACKAGE)
    assert (refused.value.status, refused.value.code) == (403, "FORBIDDEN")
    assert one.received() == [] and two.received() == []


def test_fetching_or_acknowledging_another_agencys_message_is_refused(clients):
    one, two = clients
    one.send_edoc(A, [B], "edoc", PACKAGE)
    [item] = two.received()
    for attempt in (lambda: one.get_edoc(item.doc_id),
                    lambda: one.update_status(item.doc_id, "done")):
        with pytest.raises(AxisRefused) as refused:
            attempt()
        assert refused.value.status == 403
    assert [i.status for i in two.received()] == ["pending"]


def test_pending_messages_survive_a_restart_of_the_axis_on_the_same_data(
        tmp_path, systems_file):
    data_dir = str(tmp_path / "axis")
    axis = start_server(data_dir, systems=systems_file)
    try:
        with AxisClient(axis.base_url, *SYSTEM_1) as one, \
                AxisClient(axis.base_url, *SYSTEM_2) as two:
            doc_id = one.send_edoc(A, [B, C], "edoc", PACKAGE)
            for_b = next(i for i in two.received() if i.to_organ == B)
            two.update_status(for_b.doc_id, "fail", "Thiếu tệp đính kèm")
    finally:
        axis.stop()
    # without --systems: the systems, agencies and queues all come from the data directory
    axis = start_server(data_dir)
    try:
        with AxisClient(axis.base_url, *SYSTEM_1) as one, \
                AxisClient(axis.base_url, *SYSTEM_2) as two:
            queued = {item.to_organ: item for item in two.received()}
            assert set(queued) == {B, C}
            assert (queued[B].status, queued[B].status_desc) == ("fail", "Thiếu tệp đính kèm")
            assert two.get_edoc(queued[C].doc_id) == PACKAGE
            assert {row.to_organ: row.status for row in one.sent(doc_id)} == \
                {B: "fail", C: "pending"}
    finally:
        axis.stop()


def test_a_stopped_axis_is_unavailable_within_the_timeout(axis):
    base_url = axis.base_url
    axis.stop()
    with AxisClient(base_url, *SYSTEM_1, timeout=2) as client:
        started = time.monotonic()
        with pytest.raises(AxisUnavailable):
            client.received()
        assert time.monotonic() - started < 2


def test_an_axis_that_never_answers_is_unavailable_after_the_timeout():
    with socket.socket() as silent:     # accepts connections (the backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        with AxisClient(f"http://127.0.0.1:{port}", *SYSTEM_1, timeout=0.5) as client:
            started = time.monotonic()
            with pytest.raises(AxisUnavailable):
                client.get_agencies()
            assert 0.4 < time.monotonic() - started < 3


def test_a_5xx_or_an_answer_that_is_not_json_is_unavailable_and_a_fail_answer_refused():
    answers = iter([
        Response("busy", status=503),
        Response("<html>proxy</html>", status=200),
        Response(json.dumps({"status": "FAIL", "ErrorCode": "9", "ErrorDesc": "no"}),
                 status=200, content_type="application/json"),
    ])
    server = make_server("127.0.0.1", 0, lambda environ, start: next(answers)(environ, start))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with AxisClient(f"http://127.0.0.1:{server.server_port}", *SYSTEM_1) as client:
            for expected in (AxisUnavailable, AxisUnavailable, AxisRefused):
                with pytest.raises(expected):
                    client.received()
    finally:
        server.shutdown()
        server.server_close()


def test_an_oversize_package_is_refused_with_413(tmp_path, systems_file):
    axis = start_server(str(tmp_path / "axis"), systems=systems_file, max_size=1024)
    try:
        with AxisClient(axis.base_url, *SYSTEM_1) as one:
            with pytest.raises(AxisRefused) as refused:
                one.send_edoc(A, [B], "edoc", b"x" * 4096)
            assert (refused.value.status, refused.value.code) == (413, "TOO_LARGE")
            assert one.send_edoc(A, [B], "edoc", b"x" * 1024)
    finally:
        axis.stop()


def test_the_directory_syncs_incrementally_with_since(clients):
    one, two = clients
    everything = {agency.organ_id: agency for agency in one.get_agencies()}
    assert {A, B, C, COMMUNE} <= set(everything)
    assert everything[B].parent_id == COMMUNE
    assert everything[A].changed_at.tzinfo == timezone.utc
    since = max(agency.changed_at for agency in everything.values())

    two.register_agency(Agency("H01.151.03", "Trường Tiểu học xã Thử Nghiệm",
                               parent_id=COMMUNE, email="th@xa.edu.vn"))
    two.delete_agency(C)
    changed = {agency.organ_id: agency for agency in one.get_agencies(since=since)}
    assert changed["H01.151.03"].parent_id == COMMUNE
    assert changed["H01.151.03"].deleted is False and changed[C].deleted is True
    assert A not in changed and B not in changed
    last = max(agency.changed_at for agency in changed.values())
    assert [agency.organ_id for agency in one.get_agencies(since=last)] == [C]
    assert C not in {agency.organ_id for agency in one.get_agencies()}


def test_agency_ids_longer_than_13_characters_work_through_the_client(clients):
    one, two = clients
    longest = "H01.151.01.02.03.04.05.06.07.08.09X"
    assert len(longest) == 35 and len(B) == 10
    two.register_agency(Agency(longest, "Tổ công tác thuộc văn phòng", parent_id=B))
    assert next(a for a in one.get_agencies() if a.organ_id == longest).parent_id == B
    one.send_edoc(A, [longest, C], "edoc", PACKAGE)
    assert {item.to_organ for item in two.received()} == {longest, C}
    with pytest.raises(AxisRefused) as refused:
        one.send_edoc(A, [longest + "1"], "edoc", PACKAGE)
    assert refused.value.status == 400
