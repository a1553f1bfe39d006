"""The search service in a real nameko container, on real RabbitMQ and a real
database (SQLite and PostgreSQL), with a real stand-in for storage: a tiny nameko
service named "storage" that answers get_text from a dict."""
import time
import uuid

import pytest
from nameko.rpc import rpc
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import entrypoint_hook, entrypoint_waiter
from sqlalchemy import create_engine, func, select

from services.common.errors import Forbidden, InvalidInput, Unauthenticated
from services.common.events import (DOCUMENT_ISSUED, DOCUMENT_REGISTERED, DOCUMENT_UPDATED,
                                    TEXT_EXTRACTED, envelope)
from services.common.identity import Caller, Membership, mint_token, verify_token
from services.common.migrations import upgrade
from services.search.models import file_texts, processed
from services.search.service import SearchService
from tests.token_keys import TEST_KEYS

UNIT_A, UNIT_B = str(uuid.uuid4()), str(uuid.uuid4())
LAW_TEXT = ("Chủ sở hữu bất động sản có quyền mắc đường dây tải điện, thông tin liên lạc qua "
            "bất động sản của các chủ sở hữu khác một cách hợp lý, nhưng phải bảo đảm an toàn.")


def token_of(user_id, *units):
    caller = Caller(user_id=user_id, username=user_id,
                    memberships=tuple(Membership(unit, "specialist") for unit in units))
    # Minted when the module is imported, at the start of a run that lasts minutes.
    return mint_token(caller, TEST_KEYS, 6 * 3600)


ALICE = token_of("user-alice", UNIT_A)
BOB = token_of("user-bob", UNIT_B)


def registered(document_id=None, file_ids=(), **data):
    return envelope(DOCUMENT_REGISTERED, {
        "id": document_id or str(uuid.uuid4()), "direction": "incoming", "unit_id": UNIT_A,
        "arrival_number": 12, "arrival_date": "2024-05-06", "code_number": "2491",
        "code_notation": "STC-BCTC", "issued_date": "2024-05-02",
        "issuer_name": "Sở Tài chính tỉnh Tây Ninh", "document_type": "CV",
        "document_type_name": "Công văn", "subject": "Báo cáo tài chính tỉnh Tây Ninh",
        "urgency": "normal", "confidentiality": "none", "file_ids": list(file_ids),
        "acl_units": [UNIT_A], "acl_users": [], "leader_user_ids": []} | data)


def extracted(file_id, status="ok", **data):
    return envelope(TEXT_EXTRACTED, {"file_id": file_id, "status": status, "length": 100,
                                     "method": "text", "error": None} | data)


@pytest.fixture
def config(service_config, db_url_factory):
    config = dict(service_config, DB_URLS={"search": db_url_factory("search")})
    upgrade(config, ["search"])
    return config


@pytest.fixture
def search(config, container_factory):   # config first: containers stop before the vhost goes
    container = container_factory(SearchService, config)
    container.start()
    return container


@pytest.fixture
def storage(config, container_factory):
    """A real "storage" service on the same broker: texts by file id, and a log of
    who asked for which file."""
    texts, asked = {}, []

    class StorageStandIn:
        name = "storage"

        @rpc
        def get_text(self, token, file_id):
            assert verify_token(token, TEST_KEYS).service == "search"   # search asks as itself
            asked.append(file_id)
            if file_id in texts:
                return {"file_id": file_id, "text_status": "ok", "text": texts[file_id]}
            return {"file_id": file_id, "text_status": "pending", "text": None}

    container = container_factory(StorageStandIn, config)
    container.start()
    container.texts, container.asked = texts, asked
    return container


@pytest.fixture
def dispatch(config):
    return event_dispatcher(config)


@pytest.fixture
def search_rpc(config, search):
    with ServiceRpcProxy("search", config) as proxy:
        yield proxy


def deliver(container, dispatch, source, message, handler):
    """Publish an event and wait until the handler has run it."""
    with entrypoint_waiter(container, handler, timeout=10):
        dispatch(source, message["type"], message)


def register(search, dispatch, message):
    deliver(search, dispatch, "documents", message, "on_documents_document_registered")


def hits(search_rpc, token, q, **params):
    return search_rpc.search(token, {"q": q, **params})


def test_a_registered_document_is_searchable_by_its_subject_within_a_second(
        search, search_rpc, dispatch):
    """Storage is down here: the metadata is indexed anyway."""
    message = registered(file_ids=[str(uuid.uuid4())])
    started = time.monotonic()
    dispatch("documents", DOCUMENT_REGISTERED, message)
    while not hits(search_rpc, ALICE, "bao cao tai chinh")["total"]:
        assert time.monotonic() - started < 1.0, "not searchable within a second"
        time.sleep(0.02)
    result = hits(search_rpc, ALICE, "tài chính Tây Ninh")
    item = result["items"][0]
    assert item["document_id"] == message["data"]["id"]
    assert item["snippet"] == ("Báo cáo <mark>tài</mark> <mark>chính</mark> tỉnh "
                               "<mark>Tây</mark> <mark>Ninh</mark>")
    assert (item["code_notation"], item["arrival_number"], item["arrival_date"]) == (
        "STC-BCTC", 12, "2024-05-06")
    assert result["facets"] == {"document_type": {"CV": 1}, "urgency": {"normal": 1}}
    assert hits(search_rpc, BOB, "tài chính")["total"] == 0


def test_the_same_event_twice_is_indexed_once(search, storage, search_rpc, dispatch, config):
    """The second delivery is recognised by its event id: nothing is indexed or
    fetched again."""
    file_id = str(uuid.uuid4())
    storage.texts[file_id] = LAW_TEXT
    message = registered(file_ids=[file_id])
    register(search, dispatch, message)
    register(search, dispatch, message)
    assert hits(search_rpc, ALICE, "Tây Ninh")["total"] == 1
    assert storage.asked == [file_id]
    engine = create_engine(config["DB_URLS"]["search"])
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(processed)).scalar_one() == 1
    engine.dispose()


def test_text_extracted_adds_the_content_to_every_document_with_the_file(
        search, storage, search_rpc, dispatch):
    """Registered before extraction: findable by metadata, then by content once
    text_extracted arrives, in each document that has the file."""
    file_id = str(uuid.uuid4())
    first, second = registered(file_ids=[file_id]), registered(file_ids=[file_id],
                                                               subject="Công văn kèm theo")
    register(search, dispatch, first)
    register(search, dispatch, second)
    assert hits(search_rpc, ALICE, "duong day tai dien")["total"] == 0
    storage.texts[file_id] = LAW_TEXT
    deliver(search, dispatch, "storage", extracted(file_id), "on_storage_text_extracted")
    result = hits(search_rpc, ALICE, "duong day tai dien")
    assert {item["document_id"] for item in result["items"]} == {
        first["data"]["id"], second["data"]["id"]}
    assert "<mark>đường</mark> <mark>dây</mark> <mark>tải</mark> <mark>điện</mark>" in \
        result["items"][0]["snippet"]


def test_a_document_registered_after_extraction_gets_its_content_at_once(
        search, storage, search_rpc, dispatch):
    """text_extracted for a file no document has yet is skipped without asking
    storage; the registration then asks for the text and indexes it."""
    file_id = str(uuid.uuid4())
    storage.texts[file_id] = LAW_TEXT
    deliver(search, dispatch, "storage", extracted(file_id), "on_storage_text_extracted")
    assert storage.asked == []
    message = registered(file_ids=[file_id])
    register(search, dispatch, message)
    assert [item["document_id"] for item in hits(search_rpc, ALICE, '"bất động sản"')[
        "items"]] == [message["data"]["id"]]
    assert storage.asked == [file_id]


def test_a_small_text_carried_by_text_extracted_is_indexed_without_asking_storage(
        search, storage, search_rpc, dispatch):
    file_id = str(uuid.uuid4())
    message = registered(file_ids=[file_id])
    register(search, dispatch, message)
    assert storage.asked == [file_id]   # not extracted yet: pending
    deliver(search, dispatch, "storage", extracted(file_id, text=LAW_TEXT),
            "on_storage_text_extracted")
    assert [item["document_id"] for item in hits(search_rpc, ALICE, "duong day tai dien")[
        "items"]] == [message["data"]["id"]]
    assert storage.asked == [file_id]


def test_the_text_of_a_secret_documents_file_in_text_extracted_is_not_kept(
        search, storage, search_rpc, dispatch, config):
    file_id = str(uuid.uuid4())
    register(search, dispatch, registered(file_ids=[file_id], confidentiality="secret"))
    deliver(search, dispatch, "storage", extracted(file_id, text=LAW_TEXT),
            "on_storage_text_extracted")
    assert hits(search_rpc, ALICE, "duong day tai dien")["total"] == 0
    engine = create_engine(config["DB_URLS"]["search"])
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(file_texts)).scalar_one() == 0
    engine.dispose()
    assert storage.asked == []


def test_a_registration_whose_files_text_was_pending_waits_for_text_extracted(
        search, storage, search_rpc, dispatch):
    """documents said the text was not extracted yet: storage is not asked, and
    text_extracted brings the text."""
    file_id = str(uuid.uuid4())
    storage.texts[file_id] = LAW_TEXT
    message = registered(file_ids=[file_id], file_text_status={file_id: "pending"})
    register(search, dispatch, message)
    assert storage.asked == []
    deliver(search, dispatch, "storage", extracted(file_id, text=LAW_TEXT),
            "on_storage_text_extracted")
    assert [item["document_id"] for item in hits(search_rpc, ALICE, "duong day tai dien")[
        "items"]] == [message["data"]["id"]]
    assert storage.asked == []


def test_text_extracted_handled_before_a_registration_told_pending_makes_it_ask_storage(
        search, storage, search_rpc, dispatch):
    """The text was extracted after documents looked but reached search before the
    document did: the registration asks storage for it."""
    file_id = str(uuid.uuid4())
    storage.texts[file_id] = LAW_TEXT
    deliver(search, dispatch, "storage", extracted(file_id, text=LAW_TEXT),
            "on_storage_text_extracted")
    message = registered(file_ids=[file_id], file_text_status={file_id: "pending"})
    register(search, dispatch, message)
    assert storage.asked == [file_id]
    assert hits(search_rpc, ALICE, "duong day tai dien")["total"] == 1


def test_a_registration_committed_while_text_extracted_is_handled_still_gets_the_text(
        search, storage, search_rpc, dispatch, config, monkeypatch):
    """The interleaving between the two: text_extracted finds no document with the file,
    then the registration commits (and, not seeing the file announced yet, does not ask
    storage), then text_extracted notes the file: it looks again, finds the document and
    keeps the text."""
    from services.search import service as search_service
    file_id = str(uuid.uuid4())
    message = registered(file_ids=[file_id], file_text_status={file_id: "pending"})
    looked, documents_of_file = [], search_service.documents_of_file

    def registered_meanwhile(session, asked_file_id):
        found = documents_of_file(session, asked_file_id)
        if not looked:   # text_extracted's first look: none yet; then the registration
            looked.append(found)
            register(search, dispatch, message)
        return found

    monkeypatch.setattr(search_service, "documents_of_file", registered_meanwhile)
    deliver(search, dispatch, "storage", extracted(file_id, text=LAW_TEXT),
            "on_storage_text_extracted")
    assert looked == [[]]
    assert [item["document_id"] for item in hits(search_rpc, ALICE, "duong day tai dien")[
        "items"]] == [message["data"]["id"]]
    assert storage.asked == []


def test_no_text_is_asked_for_a_file_storage_will_never_have_one_of(
        search, storage, dispatch):
    files = {str(uuid.uuid4()): status for status in ("none", "empty", "failed")}
    register(search, dispatch, registered(file_ids=list(files), file_text_status=files))
    assert storage.asked == []


def test_secret_documents_are_not_indexed_and_acl_users_see_theirs(
        search, search_rpc, dispatch):
    register(search, dispatch, registered(confidentiality="secret", subject="Kế hoạch mật"))
    shared = registered(subject="Kế hoạch phối hợp", acl_users=["user-bob"])
    register(search, dispatch, shared)
    assert hits(search_rpc, ALICE, "kế hoạch")["total"] == 1
    assert [i["document_id"] for i in hits(search_rpc, BOB, "ke hoach")["items"]] == [
        shared["data"]["id"]]


@pytest.mark.parametrize("db_kind", ["sqlite"])   # the database plays no part here
def test_search_refuses_services_strangers_and_bad_params(search_rpc):
    system = mint_token(Caller(user_id="system:workflow", username="workflow", system=True),
                        TEST_KEYS, 60)
    with pytest.raises(Forbidden):
        search_rpc.search(system, {"q": "a"})
    with pytest.raises(Unauthenticated):
        search_rpc.search("forged", {"q": "a"})
    with pytest.raises(InvalidInput) as raised:
        search_rpc.search(ALICE, {"q": "a", "sort": "title"})
    assert set(raised.value.details) == {"sort"}
    with pytest.raises(InvalidInput):
        search_rpc.search(ALICE, {"q": "x" * 10_000})


@pytest.mark.parametrize("db_kind", ["sqlite"])
def test_metrics_report_the_size_of_the_index(search, dispatch):
    register(search, dispatch, registered())
    with entrypoint_hook(search, "metrics_endpoint") as scrape:
        body = scrape(None).get_data(as_text=True)
    assert 'eoffice_search_index_documents{service="search"} 1.0' in body
    assert 'entrypoint="on_documents_document_registered"' in body


def updated(document_id, occurred_at, **data):
    """A document_updated event as documents sends it, said at ``occurred_at``."""
    message = registered(document_id, **data)
    return message | {"type": DOCUMENT_UPDATED, "event_id": str(uuid.uuid4()),
                      "occurred_at": occurred_at}


def test_people_given_a_part_find_the_document_and_an_older_event_changes_nothing(
        search, search_rpc, dispatch):
    """Bob (another unit) is given a part: document_updated names him and the state;
    then an older event about the same document arrives late and is ignored."""
    first = registered(subject="Kế hoạch phòng chống thiên tai")
    register(search, dispatch, first)
    document_id = first["data"]["id"]
    assert hits(search_rpc, BOB, "thien tai")["total"] == 0
    deliver(search, dispatch, "documents",
            updated(document_id, "2030-01-01T08:00:01+00:00", subject=first["data"]["subject"],
                    acl_users=["user-bob"], state="assigned"),
            "on_documents_document_updated")
    found = hits(search_rpc, BOB, "thien tai", state="assigned")["items"]
    assert [(i["document_id"], i["state"]) for i in found] == [(document_id, "assigned")]
    deliver(search, dispatch, "documents",
            updated(document_id, "2030-01-01T08:00:00+00:00", subject="Bản cũ",
                    state="registered"), "on_documents_document_updated")
    assert hits(search_rpc, BOB, "thien tai")["total"] == 1
    assert hits(search_rpc, ALICE, "ban cu")["total"] == 0


def test_an_issued_outgoing_document_is_found_by_its_unit_as_outgoing(
        search, search_rpc, dispatch):
    issued = registered(subject="Thông báo lịch tiếp công dân", direction="outgoing",
                        state="issued", arrival_number=None, arrival_date=None,
                        issuer_name=None, issuer={"organ_id": "000.00.11.H53",
                                                  "name": "Sở Tài chính"})
    deliver(search, dispatch, "documents", issued | {"type": DOCUMENT_ISSUED},
            "on_documents_document_issued")
    found = hits(search_rpc, ALICE, "tiep cong dan", direction="outgoing")["items"]
    assert [(i["direction"], i["issuer_name"]) for i in found] == [("outgoing", "Sở Tài chính")]
    assert hits(search_rpc, ALICE, "tiep cong dan", direction="incoming")["total"] == 0


@pytest.mark.parametrize("db_kind", ["sqlite"])
def test_a_lost_index_is_rebuilt_from_the_database_while_search_answers(
        config, container_factory, search, search_rpc, dispatch, tmp_path):
    """A search process on an empty index directory (a new schema, a lost disk) finds
    what its database holds indexed again at start."""
    for n in range(3):
        register(search, dispatch, registered(subject=f"Quyết định số {n} về đường giao thông"))
    search.stop()
    rebuilt = container_factory(SearchService, dict(config, SEARCH_URL=f"tantivy://{tmp_path}/new"))
    rebuilt.start()
    deadline = time.monotonic() + 20
    with ServiceRpcProxy("search", config) as proxy:
        while hits(proxy, ALICE, "duong giao thong")["total"] < 3 and \
                time.monotonic() < deadline:
            time.sleep(0.2)
        assert hits(proxy, ALICE, "duong giao thong")["total"] == 3
