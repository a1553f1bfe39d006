"""The documents service in a real container, on real RabbitMQ, on SQLite and on
PostgreSQL."""
import base64
import uuid
from datetime import timedelta

import eventlet
import pytest
from nameko.events import event_handler
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.common.clock import VietnamClock
from services.common.db import make_engine
from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.common.outbox import relay_pending
from services.documents.models import Counter, IncomingDocument, outbox
from services.documents.seed import NAMESPACE, USERS, unit_uuid
from services.documents.service import DocumentsService
from tests.integration.core.helpers import incoming, prepared_config, token

captured = []


class Listener:
    name = "listener"

    @event_handler("documents", "document_registered")
    def on_registered(self, message):
        captured.append(message)


@pytest.fixture
def documents(container_factory, service_config, db_url_factory):
    config = prepared_config(service_config, db_url_factory, "documents", seeded=True)
    captured.clear()
    listener = container_factory(Listener, config)
    listener.start()
    container = container_factory(DocumentsService, config)
    container.start()
    with ServiceRpcProxy("documents", config, timeout=20) as proxy:
        yield proxy, config


def count_documents(config):
    engine = make_engine(config["DB_URLS"]["documents"])
    with Session(engine) as session:
        total = session.execute(select(func.count()).select_from(IncomingDocument)).scalar_one()
        counters = dict(session.execute(select(Counter.key, Counter.value)).all())
    engine.dispose()
    return total, counters


def test_registrations_get_arrival_numbers_one_two_three_and_each_emits_an_event(documents):
    proxy, _ = documents
    numbers = [proxy.register_incoming(token(), incoming(n))["arrival_number"]
               for n in (101, 102, 103)]
    assert numbers == [1, 2, 3]
    deadline = eventlet.Timeout(10)
    try:
        while len(captured) < 3:
            eventlet.sleep(0.05)
    finally:
        deadline.cancel()
    assert [m["data"]["arrival_number"] for m in captured] == [1, 2, 3]
    assert {m["type"] for m in captured} == {"document_registered"}
    leaders = captured[0]["data"]["leader_user_ids"]
    assert len(leaders) == 1 and captured[0]["data"]["acl_units"] == [unit_uuid("STC")]


def test_concurrent_registrations_take_every_number_exactly_once(documents):
    """No gap and no duplicate, whatever the interleaving (counter taken in the txn)."""
    _, config = documents

    def register(number):   # a standalone proxy serves one green thread at a time
        with ServiceRpcProxy("documents", config, timeout=30) as own:
            return own.register_incoming(token(), incoming(number))

    results = list(eventlet.GreenPool(10).imap(register, range(200, 230)))
    assert sorted(r["arrival_number"] for r in results) == list(range(1, 31))
    admin = token("u-admin", memberships=(("UBND", "admin"),))
    with ServiceRpcProxy("documents", config, timeout=30) as proxy:
        chain = proxy.verify_audit(admin)
    assert chain["intact"] and chain["checked"] == 30   # one chained entry per registration


def test_only_administrators_may_read_or_verify_the_audit_log(documents):
    proxy, _ = documents
    doc = proxy.register_incoming(token(), incoming(31))
    proxy.get_incoming(token("u-stc", memberships=(("STC", "specialist"),)), doc["id"])
    with pytest.raises(Forbidden):
        proxy.list_audit(token(), {})
    with pytest.raises(Forbidden):
        proxy.verify_audit(token())
    admin = token("u-admin", memberships=(("UBND", "admin"),))
    entries = proxy.list_audit(admin, {"object_id": doc["id"]})["items"]
    assert [e["action"] for e in entries] == ["view", "register"]
    assert proxy.verify_audit(admin)["intact"]


def test_a_duplicate_is_refused_and_changes_nothing_unless_the_clerk_confirms(documents):
    proxy, config = documents
    proxy.register_incoming(token(), incoming(7))
    before = count_documents(config)
    with pytest.raises(Conflict):
        proxy.register_incoming(token(), incoming(7, subject="Khác"))
    with pytest.raises(Conflict):   # "07" is the same number as "7"
        proxy.register_incoming(token(), incoming("07"))
    assert count_documents(config) == before
    confirmed = proxy.register_incoming(token(), incoming(7, confirm_duplicate=True))
    assert confirmed["arrival_number"] == 2


@pytest.mark.parametrize("change, error", [
    ({"unit_id": "00000000-0000-0000-0000-000000000000"}, Forbidden),
    ({"subject": ""}, InvalidInput),
    ({"issued_date": "2025-02-30"}, InvalidInput),
    ({"code_notation": "UBND KT"}, InvalidInput),
    ({"file_ids": ["0b7c0f6e-3a55-4b5c-8e1a-2f3b4c5d6e7f"], "confidentiality": "secret"},
     InvalidInput),
])
def test_bad_registrations_are_refused_and_take_no_number(documents, change, error):
    proxy, config = documents
    with pytest.raises(error):
        proxy.register_incoming(token(), incoming(9, **change))
    assert count_documents(config)[0] == 0
    assert proxy.register_incoming(token(), incoming(9))["arrival_number"] == 1


def test_a_user_of_another_unit_can_neither_read_nor_list_the_document(documents):
    proxy, _ = documents
    doc = proxy.register_incoming(token(), incoming(11))
    outsider = token("u-snv", memberships=(("SNV", "specialist"),))
    with pytest.raises(Forbidden):
        proxy.get_incoming(outsider, doc["id"])
    with pytest.raises(Forbidden):
        proxy.list_incoming(outsider, {"unit_id": unit_uuid("STC")})
    assert proxy.list_incoming(outsider, {})["total"] == 0
    colleague = token("u-stc", memberships=(("STC", "specialist"),))
    assert proxy.get_incoming(colleague, doc["id"])["subject"] == "Văn bản thử 11"
    with pytest.raises(NotFound):
        proxy.get_incoming(colleague, "no-such-id")


def test_secret_documents_are_numbered_in_their_own_series_and_hidden_without_clearance(
        documents):
    proxy, _ = documents
    proxy.register_incoming(token(), incoming(21))
    secret = proxy.register_incoming(token(), incoming(22, confidentiality="secret"))
    assert secret["arrival_number"] == 1
    uncleared = token("u-stc", memberships=(("STC", "specialist"),))
    cleared = token("u-boss", memberships=(("STC", "head"),), clearance="secret")
    with pytest.raises(Forbidden):
        proxy.get_incoming(uncleared, secret["id"])
    assert proxy.get_incoming(cleared, secret["id"])["confidentiality"] == "secret"
    assert proxy.list_incoming(uncleared, {})["total"] == 1


def test_an_event_whose_publish_failed_stays_in_the_outbox_and_goes_out_later(documents):
    """A crash between commit and publish loses nothing: the relay retries in order."""
    proxy, config = documents

    class Db:   # the same access the service uses
        from services.common.db import DatabaseAccess
        import eventlet.semaphore
        engine = make_engine(config["DB_URLS"]["documents"])
        access = DatabaseAccess(engine, eventlet.semaphore.Semaphore(1))

    with Db.access.transaction() as session:
        from services.common.outbox import add_event
        add_event(session, outbox, "document_updated", {"id": "a"})
        add_event(session, outbox, "document_updated", {"id": "b"})

    def failing(event_type, payload):
        raise ConnectionError("broker gone")

    with pytest.raises(ConnectionError):
        relay_pending(Db.access, outbox, failing)
    sent = []
    assert relay_pending(Db.access, outbox, lambda t, p: sent.append(p["data"]["id"])) == 2
    assert sent == ["a", "b"]
    assert relay_pending(Db.access, outbox, lambda t, p: sent.append(p)) == 0
    Db.engine.dispose()


def test_registers_route_types_and_share_or_keep_their_own_number_series(documents):
    """A unit may keep one series per register or share one across a group of types;
    a document goes to the register whose scope names its type."""
    proxy, _ = documents
    clerk, year = token(), VietnamClock().today().year
    unit = unit_uuid("STC")
    decisions = proxy.create_register(clerk, {
        "unit_id": unit, "direction": "incoming", "year": year, "name": "Sổ quyết định đến",
        "document_types": ["QĐ"]})
    plans = proxy.create_register(clerk, {
        "unit_id": unit, "direction": "incoming", "year": year, "name": "Sổ kế hoạch đến",
        "document_types": ["KH", "BC"], "share_counter_with": decisions["id"]})
    own = proxy.create_register(clerk, {
        "unit_id": unit, "direction": "incoming", "year": year, "name": "Sổ tờ trình đến",
        "document_types": ["TTr"]})
    assert plans["counter"] == decisions["counter"] != own["counter"]
    got = [proxy.register_incoming(clerk, incoming(n, document_type=t))
           for n, t in ((1, "QĐ"), (2, "KH"), (3, "TTr"), (4, "BC"), (5, "CV"), (6, "TTr"))]
    assert [(d["register_id"], d["arrival_number"]) for d in got] == [
        (decisions["id"], 1), (plans["id"], 2), (own["id"], 1), (plans["id"], 3),
        (got[4]["register_id"], 1), (own["id"], 2)]
    assert got[4]["register_id"] not in {decisions["id"], plans["id"], own["id"]}
    with pytest.raises(InvalidInput):   # a register that does not take the type
        proxy.register_incoming(clerk, incoming(7, document_type="CV",
                                                register_id=decisions["id"]))
    with pytest.raises(Conflict):
        proxy.create_register(clerk, {"unit_id": unit, "direction": "incoming", "year": year,
                                      "name": "Sổ tờ trình đến"})
    with pytest.raises(InvalidInput):
        proxy.create_register(clerk, {"unit_id": unit, "direction": "incoming", "year": year,
                                      "name": "Sổ lạ", "document_types": ["XYZ"]})
    with pytest.raises(Forbidden):
        proxy.create_register(token("u-x", memberships=(("STC", "specialist"),)), {
            "unit_id": unit, "direction": "incoming", "year": year, "name": "Sổ khác"})


def test_search_views_page_through_every_document_and_stub_the_secret_ones(documents):
    """What search's reindex reads: pages in id order, each view as document_updated
    would tell it; a secret document as a stub search can only forget; search only."""
    proxy, _ = documents
    public = [proxy.register_incoming(token(), incoming(n)) for n in (31, 32, 33)]
    secret = proxy.register_incoming(token(), incoming(34, confidentiality="secret"))
    for other in (token(), token(system="notify"), token(system="storage")):
        with pytest.raises(Forbidden):   # a person, or a service other than search
            proxy.search_views(other, {"direction": "incoming"})
    with pytest.raises(InvalidInput):
        proxy.search_views(token(system="search"), {"direction": "sideways"})
    seen, after = [], ""
    while after is not None:
        page = proxy.search_views(token(system="search"), {"direction": "incoming",
                                                           "after": after, "limit": 3})
        assert page["total"] == 4 and page["as_of"]
        seen.extend(page["items"])
        after = page["next_after"]
    assert [view["id"] for view in seen] == sorted(d["id"] for d in public + [secret])
    stub = next(view for view in seen if view["id"] == secret["id"])
    assert stub == {"id": secret["id"], "direction": "incoming", "confidentiality": "secret"}
    first = next(view for view in seen if view["id"] == public[0]["id"])
    assert (first["subject"], first["acl_units"], first["issuer_organ_id"]) == (
        "Văn bản thử 31", [unit_uuid("STC")], "000.00.00.H41")
    outgoing = proxy.search_views(token(system="search"), {"direction": "outgoing"})
    assert outgoing == {"items": [], "total": 0, "as_of": outgoing["as_of"],
                        "next_after": None}   # none issued here


def test_a_units_admin_works_within_its_units_on_either_database(documents):
    """Administration per unit with the units tree read by recursive queries (SQLite and
    PostgreSQL): a quản trị of Sở Tài chính adds a user there, not in UBND; the change
    is alerted to the Sở's head; the audit shows that admin the Sở's entries only, and
    a secret document's details to nobody uncleared."""
    proxy, _ = documents
    stc_admin = token("u-stc-admin", memberships=(("STC", "admin"),))
    with pytest.raises(Forbidden):
        proxy.create_user(stc_admin, {
            "username": "len.tinh", "full_name": "X", "password": "x" * 12,
            "memberships": [{"unit_id": unit_uuid("UBND"), "role": "head"}]})
    made = proxy.create_user(stc_admin, {
        "username": "moi.stc", "full_name": "Người mới", "password": "x" * 12,
        "memberships": [{"unit_id": unit_uuid("STC"), "role": "clerk"}]})
    head = proxy.list_users(token(), {"unit_id": unit_uuid("STC")})["items"]
    head_id = next(u["id"] for u in head if u["memberships"][0]["role"] == "head")
    alerts = proxy.list_rights_alerts(token(head_id, memberships=(("STC", "head"),)), {})
    assert [(a["user_id"], a["head_user_ids"]) for a in alerts["items"]] == \
        [(made["id"], [head_id])]

    secret = proxy.register_incoming(token(), incoming(41, confidentiality="secret",
                                                       subject="Điều rất kín"))
    public = proxy.register_incoming(token(clearance="none"), incoming(42))
    ubnd_admin = token("u-admin", memberships=(("UBND", "admin"),))
    in_ubnd = proxy.create_user(ubnd_admin, {
        "username": "moi.ubnd", "full_name": "Người mới 2", "password": "x" * 12,
        "memberships": [{"unit_id": unit_uuid("UBND"), "role": "clerk"}]})
    seen = {e["object_id"]: e for e in proxy.list_audit(stc_admin, {"page_size": 200})["items"]}
    assert {made["id"], secret["id"], public["id"]} <= set(seen)
    assert in_ubnd["id"] not in seen
    assert seen[secret["id"]]["details"] == {"withheld": True}
    assert seen[public["id"]]["details"]["after"]["subject"] == "Văn bản thử 42"
    cleared = token("u-stc-admin", memberships=(("STC", "admin"),), clearance="secret")
    shown = proxy.list_audit(cleared, {"object_id": secret["id"]})["items"]
    assert shown[0]["details"]["after"]["subject"] == "Điều rất kín"


def test_workflow_relays_a_submission_with_the_chain_and_every_answer_says_what_its_caller_may_do(
        documents):
    """Submitting goes through workflow (it holds the approval chains): documents takes
    a submission only as workflow relays it, with the chain, as the person's own step.
    Each answer carries what its caller may do now, a delegate's steps included."""
    proxy, _ = documents
    stc = unit_uuid("STC")
    people = {user[0]: str(uuid.uuid5(NAMESPACE, "user:" + user[0])) for user in USERS}
    drafter = token(people["chuyenvien.stc"], memberships=(("STC", "specialist"),))
    head = token(people["lanhdao.stc"], memberships=(("STC", "head"),), clearance="confidential")
    clerk = token(people["vanthu.stc"], memberships=(("STC", "clerk"),))
    workflow = token(system="workflow")
    draft = proxy.create_outgoing(drafter, {"unit_id": stc, "document_type": "CV",
                                            "subject": "Dự thảo thử",
                                            "recipients": [{"name": "Báo Tây Ninh"}]})
    assert draft["allowed_actions"] == ["cancel", "edit", "submit"]
    with pytest.raises(InvalidInput) as direct:   # not from workflow: refused, not taken
        proxy.act_on_outgoing(drafter, draft["id"], "submit", {})
    assert "workflow" in direct.value.message_en and "workflow" in direct.value.message_vi
    with pytest.raises(InvalidInput):   # a person cannot pass a chain off as workflow's
        proxy.act_on_outgoing(drafter, draft["id"], "submit", {"approval_chain": None})
    with pytest.raises(InvalidInput):   # workflow relays for someone
        proxy.act_on_outgoing(workflow, draft["id"], "submit", {"approval_chain": None})
    stale = {"id": "c", "unit_id": stc, "document_type": "QĐ", "steps": [
        {"approvers": [people["lanhdao.stc"]], "mode": "all"}]}
    with pytest.raises(Conflict):   # a chain for another type: the draft changed meanwhile
        proxy.act_on_outgoing(workflow, draft["id"], "submit", {
            "approval_chain": stale, "on_behalf_of": people["chuyenvien.stc"]})
    with pytest.raises(Forbidden):   # the step is the person's: a clerk of UBND may not
        proxy.act_on_outgoing(workflow, draft["id"], "submit", {
            "approval_chain": None, "on_behalf_of": people["vanthu.ubnd"]})
    submitted = proxy.act_on_outgoing(workflow, draft["id"], "submit", {
        "approval_chain": stale | {"document_type": ""},
        "on_behalf_of": people["chuyenvien.stc"]})
    assert (submitted["state"], submitted["in_approval_chain"]) == ("submitted", True)
    assert submitted["allowed_actions"] == []   # the drafter's, not the service's
    assert proxy.get_outgoing(head, draft["id"])["allowed_actions"] == []   # in the chain
    history = proxy.get_document_history(head, draft["id"])["events"]
    assert [(e["action"], e["actor_id"]) for e in history][-1] == (
        "submit", people["chuyenvien.stc"])

    # out of the chain (workflow approves for its last approver), on to the signature
    proxy.act_on_outgoing(workflow, draft["id"], "approve",
                          {"on_behalf_of": people["lanhdao.stc"]})
    checked = proxy.act_on_outgoing(clerk, draft["id"], "check_form")
    assert checked["allowed_actions"] == ["return"]   # the clerk does not sign
    assert proxy.get_outgoing(head, draft["id"])["allowed_actions"] == ["return", "sign"]
    assert "sign" not in proxy.get_outgoing(drafter, draft["id"])["allowed_actions"]
    proxy.create_delegation(head, {"unit_id": stc, "to_user_id": people["chuyenvien.stc"],
                                   "kind": "KT", "actions": ["sign"],
                                   "valid_to": (VietnamClock().today()
                                                + timedelta(days=30)).isoformat()})
    listed = proxy.list_outgoing(drafter, {"unit_id": stc})["items"]
    assert [d["allowed_actions"] for d in listed if d["id"] == draft["id"]] == [["sign"]]
    signed = proxy.act_on_outgoing(drafter, draft["id"], "sign")
    assert signed["signed_for"] == people["lanhdao.stc"]
    assert signed["allowed_actions"] == []
    registered = proxy.register_incoming(clerk, incoming(51))
    assert registered["allowed_actions"] == ["copy", "file"]
    assert proxy.get_incoming(head, registered["id"])["allowed_actions"] == ["file"]


def test_a_dossiers_export_merges_the_processing_histories_the_gateway_passes_in(documents):
    """Workflow's part of each trace comes in as an argument (documents never calls
    workflow); a history that could not be fetched marks that trace incomplete."""
    proxy, _ = documents
    clerk = token()
    first, second = (proxy.register_incoming(clerk, incoming(n)) for n in (61, 62))
    dossier = proxy.create_dossier(clerk, {
        "unit_id": unit_uuid("STC"), "year": VietnamClock().today().year,
        "notation": "HS-61", "title": "Hồ sơ thử", "maintenance": "permanent"})
    for doc in (first, second):
        proxy.add_to_dossier(clerk, dossier["id"], doc["id"])
    assigned = {"at": "2026-03-10T02:00:00+00:00", "actor_id": "u-leader",
                "action": "assigned", "details": {"instruction": "Xử lý gấp"}}
    export = proxy.export_dossier(clerk, dossier["id"], {"format": "xml"},
                                  {first["id"]: [assigned], second["id"]: None})
    xml = base64.b64decode(export["content_base64"]).decode("utf-8")
    lists = xml.split("<TraceHeaderList")[1:]
    assert "Xử lý gấp" in lists[0] and "2026/03/10 09:00:00" in lists[0]
    assert lists[0].startswith(">") and lists[1].startswith(' complete="false"')
    with pytest.raises(InvalidInput):
        proxy.export_dossier(clerk, dossier["id"], {"format": "xml"},
                             {first["id"]: [{"at": "yesterday"}]})
