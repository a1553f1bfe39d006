"""notify e-mails a leader who asked for it when a document is registered for them:
through a real SMTP server (aiosmtpd, on a free local port), exactly once even with
two notify processes on one database, again after the server was down, and never
when e-mail is off (SQLite and PostgreSQL)."""
import email
import os
import signal
import subprocess
import sys
import time
from email import policy

import eventlet
import pytest
import requests
from aiosmtpd.controller import Controller
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.db import make_engine
from services.common.errors import InvalidInput
from services.common.events import DOCUMENT_REGISTERED, TASK_ASSIGNED, envelope
from services.documents.seed import unit_uuid
from services.launcher import CONFIG, ROOT
from services.notify.models import Email
from services.notify.service import NotifyService
from tests.conftest import RABBIT_API
from tests.integration.core.helpers import SECRET, prepared_config, token
from tests.ports import free_port

LEADER = "u-leader"
ADDRESS = "lanhdao@stc.nghean.gov.vn"
PUBLIC_URL = "https://eoffice.nghean.gov.vn"
#: Each notify process looks for e-mails to send this often here (config TIMERS).
SEND_SECONDS = 0.2


class SmtpSink:
    """An aiosmtpd server on a local port that keeps every message it is given; it can
    be stopped and started again on the same port."""

    def __init__(self):
        self.port = free_port()
        self.received = []
        self.controller = None

    async def handle_DATA(self, server, session, envelope):
        self.received.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"

    def start(self):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def messages(self):
        """(recipients, parsed message) of each message received, in order."""
        return [(rcpt, email.message_from_bytes(raw, policy=policy.default))
                for rcpt, raw in list(self.received)]


@pytest.fixture
def smtp():
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def notify_config(service_config, db_url_factory, smtp):
    config = prepared_config(service_config, db_url_factory, "notify")
    return dict(config, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, PUBLIC_URL=PUBLIC_URL,
                TIMERS={"email_send": SEND_SECONDS})


@pytest.fixture
def running(container_factory, notify_config):
    container_factory(NotifyService, notify_config).start()
    return notify_config


def registered(document_id, leaders=(LEADER,), urgency="normal", subject="Về việc thử"):
    return envelope(DOCUMENT_REGISTERED, {
        "id": document_id, "direction": "incoming", "unit_id": unit_uuid("STC"),
        "unit_name": "Sở Tài chính", "arrival_number": 4, "arrival_date": "2025-11-03",
        "code_number": "12", "code_notation": "UBND-KT", "issued_date": "2025-10-30",
        "issuer": {"name": "UBND tỉnh Nghệ An"}, "subject": subject, "urgency": urgency,
        "confidentiality": "none", "due_date": None, "leader_user_ids": list(leaders)})


def leader_token(user_id=LEADER):
    return token(user_id, memberships=(("STC", "head"),))


def wait_for(predicate, seconds=20):
    with eventlet.Timeout(seconds):
        while not predicate():
            eventlet.sleep(0.1)


def settle(sleep=eventlet.sleep):
    """Let the timer run a few more rounds: what went out once must not go again."""
    sleep(SEND_SECONDS * 5)


def outbox_rows(config):
    engine = make_engine(config["DB_URLS"]["notify"])
    try:
        with Session(engine) as session:
            return session.execute(select(Email).order_by(Email.created_at)).scalars().all()
    finally:
        engine.dispose()


def test_a_leader_who_asked_for_email_gets_one_email_in_vietnamese_with_the_link(
        running, smtp):
    config = running
    with ServiceRpcProxy("notify", config) as notify:
        assert notify.get_preferences(leader_token())["email_enabled"] is False
        saved = notify.set_preferences(leader_token(), {"email_enabled": True,
                                                        "email": ADDRESS})
        assert saved["email"] == ADDRESS and saved["email_available"] is True
        message = registered("doc-1", leaders=(LEADER, "u-no-email"), urgency="flash")
        dispatch = event_dispatcher(config)
        dispatch("documents", DOCUMENT_REGISTERED, message)
        dispatch("documents", DOCUMENT_REGISTERED, message)    # redelivered: no second one
        wait_for(lambda: len(smtp.received) >= 1)
        settle()              # more rounds of the timer: nothing else goes out
        other = notify.list_notifications(leader_token("u-no-email"), {})
    assert other["total"] == 1              # in-app for everyone, e-mail for who asked
    assert len(smtp.received) == 1
    [(recipients, mail)] = smtp.messages()
    assert recipients == [ADDRESS] and mail["To"] == ADDRESS
    assert mail["Subject"] == ("[e-Office] [HỎA TỐC] Văn bản đến mới: "
                               "12/UBND-KT – Về việc thử")
    assert mail["From"] == "e-Office <no-reply@localhost>"
    body = mail.get_content()
    assert f"Xem văn bản: {PUBLIC_URL}/#/documents/doc-1" in body
    assert "Cơ quan ban hành: UBND tỉnh Nghệ An" in body
    [row] = outbox_rows(config)
    assert (row.status, row.attempts, row.to_address) == ("sent", 1, ADDRESS)
    assert mail["Message-ID"] == f"<{row.id}@eoffice>"


def test_an_email_about_a_secret_document_carries_none_of_its_particulars(running, smtp):
    """Through the real SMTP server: a part of a Tuyệt mật document given to a leader who
    asked for e-mail — the e-mail and the in-app notification name its level and
    arrival number, never its code, subject, instruction, reason or note."""
    config = running
    markers = ("CODEMARK", "SUBJMARK", "INSTRMARK", "REASONMARK", "NOTEMARK")
    with ServiceRpcProxy("notify", config) as notify:
        notify.set_preferences(leader_token(), {"email_enabled": True, "email": ADDRESS})
        event_dispatcher(config)("workflow", TASK_ASSIGNED, envelope(TASK_ASSIGNED, {
            "document_id": "doc-secret", "processing_id": "p-1", "unit_id": unit_uuid("STC"),
            "subject": "Phương án SUBJMARK", "code": "12/CODEMARK", "urgency": "flash",
            "confidentiality": "top_secret", "arrival_number": 9, "actor_id": "u-head",
            "notify_user_ids": [LEADER], "reason": "Lý do REASONMARK",
            "note": "Ghi chú NOTEMARK",
            "item": {"id": "i-1", "kind": "lead", "user_id": LEADER,
                     "due_date": "2026-12-20", "instruction": "Chỉ đạo INSTRMARK"}}))
        wait_for(lambda: len(smtp.received) >= 1)
        notes = notify.list_notifications(leader_token(), {})["items"]
    [(recipients, mail)] = smtp.messages()
    said = mail["Subject"] + mail.get_content() + notes[0]["title"] + notes[0]["body"]
    assert [m for m in markers if m in said] == []
    assert "Văn bản tuyệt mật số đến 9" in mail.get_content()
    assert f"{PUBLIC_URL}/#/documents/doc-secret" in mail.get_content()


def test_an_email_waits_while_the_server_is_down_and_goes_when_it_is_back(running, smtp):
    config = running
    smtp.stop()
    with ServiceRpcProxy("notify", config) as notify:
        notify.set_preferences(leader_token(), {"email_enabled": True, "email": ADDRESS})
    event_dispatcher(config)("documents", DOCUMENT_REGISTERED, registered("doc-down"))
    # attempts counts from the claim (status "sending"); the failed attempt is over once
    # the e-mail is back to "pending"
    wait_for(lambda: [(r.attempts, r.status) for r in outbox_rows(config)] == [(1, "pending")])
    [row] = outbox_rows(config)
    assert row.status == "pending" and row.last_error and row.sent_at is None
    assert row.next_attempt_at > row.created_at          # it waits before trying again
    assert smtp.received == []
    smtp.start()
    wait_for(lambda: len(smtp.received) >= 1, seconds=30)
    settle()
    assert len(smtp.received) == 1
    [(recipients, mail)] = smtp.messages()
    assert recipients == [ADDRESS] and "/#/documents/doc-down" in mail.get_content()
    [row] = outbox_rows(config)
    assert row.status == "sent" and row.attempts >= 2


def test_email_off_sends_nothing(running, smtp):
    config = running
    with ServiceRpcProxy("notify", config) as notify:
        # One never turned it on (but gave an address), one turned it off again.
        notify.set_preferences(leader_token(), {"email_enabled": False, "email": ADDRESS})
        notify.set_preferences(leader_token("u-2"), {"email_enabled": True,
                                                     "email": "u2@stc.gov.vn"})
        notify.set_preferences(leader_token("u-2"), {"email_enabled": False})
        event_dispatcher(config)("documents", DOCUMENT_REGISTERED,
                                 registered("doc-off", leaders=(LEADER, "u-2")))
        wait_for(lambda: notify.list_notifications(leader_token("u-2"), {})["total"] == 1)
        assert notify.list_notifications(leader_token(), {})["total"] == 1
    settle()              # rounds of the timer
    assert smtp.received == [] and outbox_rows(config) == []


def test_without_an_smtp_server_notifications_stay_in_app(container_factory, service_config,
                                                          db_url_factory):
    config = prepared_config(service_config, db_url_factory, "notify")   # no SMTP_HOST
    container_factory(NotifyService, config).start()
    with ServiceRpcProxy("notify", config) as notify:
        saved = notify.set_preferences(leader_token(), {"email_enabled": True,
                                                        "email": ADDRESS})
        assert saved["email_enabled"] is True and saved["email_available"] is False
        event_dispatcher(config)("documents", DOCUMENT_REGISTERED, registered("doc-in-app"))
        wait_for(lambda: notify.list_notifications(leader_token(), {})["total"] == 1)
    assert outbox_rows(config) == []


def test_bad_preferences_are_refused_and_change_nothing(running):
    with ServiceRpcProxy("notify", running) as notify:
        before = notify.set_preferences(leader_token(), {"email_enabled": True,
                                                         "email": ADDRESS})
        for payload, field in (({"email": "lanhdao@"}, "email"),
                               ({"email_enabled": False, "digest": "daily"}, "digest"),
                               ({"email": None}, "email"),
                               ({"in_app": False}, "in_app"),
                               ("email", "payload")):
            with pytest.raises(InvalidInput) as caught:
                notify.set_preferences(leader_token(), payload)
            assert field in caught.value.details
            assert set(caught.value.details[field]) == {"vi", "en"}
        assert notify.get_preferences(leader_token()) == before
        assert notify.get_preferences(leader_token("u-other"))["email"] is None


# ------------------------------------------------------------ two notify processes

USERS = [f"u-{n}" for n in range(10)]
EVENTS = 6


@pytest.fixture
def two_processes(notify_config, tmp_path):
    config = notify_config
    env = dict(os.environ, AMQP_URI=config["AMQP_URI"], EOFFICE_SECRET_KEY=SECRET,
               EOFFICE_KEYS_DIR=config["KEYS_DIR"],
               NOTIFY_DB_URL=config["DB_URLS"]["notify"],
               EOFFICE_DATA_DIR=str(tmp_path / "data"), LOG_LEVEL="INFO",
               SMTP_HOST="127.0.0.1", SMTP_PORT=str(config["SMTP_PORT"]),
               PUBLIC_URL=PUBLIC_URL, TIMER_EMAIL_SEND=str(SEND_SECONDS))
    processes, logs = [], []
    for n in range(2):
        logs.append(tmp_path / f"notify-{n}.log")
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "nameko", "run", "--config", CONFIG,
             "services.notify.service:NotifyService"],
            cwd=ROOT, env=dict(env, WEB_SERVER_ADDRESS=f"127.0.0.1:{free_port()}"),
            stdout=open(logs[-1], "wb"), stderr=subprocess.STDOUT))
    vhost = config["AMQP_URI"].rsplit("/", 1)[1]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        queue = requests.get(f"{RABBIT_API}/queues/{vhost}/rpc-notify", timeout=5)
        if queue.ok and queue.json().get("consumers", 0) == 2:
            break
        time.sleep(0.3)
    else:
        raise RuntimeError("the two notify processes did not start")
    yield config, logs
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        process.wait(30)


def test_two_notify_processes_send_each_email_exactly_once(two_processes, smtp):
    config, logs = two_processes
    with ServiceRpcProxy("notify", config, timeout=30) as notify:
        for user in USERS:
            notify.set_preferences(leader_token(user), {"email_enabled": True,
                                                        "email": f"{user}@stc.gov.vn"})
    dispatch = event_dispatcher(config)
    for n in range(EVENTS):
        dispatch("documents", DOCUMENT_REGISTERED,
                 registered(f"doc-{n}", leaders=USERS, subject=f"Văn bản {n}"))
    expected = len(USERS) * EVENTS
    wait_for(lambda: len(smtp.received) >= expected, seconds=60)
    settle(time.sleep)    # more rounds of both timers: nothing goes out again
    sent = [(tuple(rcpt), mail["Subject"], mail["Message-ID"]) for rcpt, mail in smtp.messages()]
    assert len(sent) == expected and len(set(sent)) == expected
    assert {(r[0], s.rsplit(": ", 1)[1]) for r, s, _ in sent} == {
        (f"{user}@stc.gov.vn", f"12/UBND-KT – Văn bản {n}") for user in USERS
        for n in range(EVENTS)}
    rows = outbox_rows(config)
    assert len(rows) == expected
    assert {(r.status, r.attempts) for r in rows} == {("sent", 1)}   # each claimed once
    per_process = [log.read_text(errors="replace").count("e-mail sent") for log in logs]
    print("e-mails sent by each process:", per_process)
    assert sum(per_process) == expected
