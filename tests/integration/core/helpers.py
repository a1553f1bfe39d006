"""Helpers for integration tests of the core services."""

from services.common.identity import Caller, Membership, mint_token, system_caller
from services.documents.seed import unit_uuid
from tests.token_keys import TEST_KEYS

SECRET = "test-secret"   # the deployment secret (SECRET_KEY); tokens use TEST_KEYS


def token(user_id="u-clerk", memberships=(("STC", "clerk"),), clearance="none", system=False):
    """A person's token (signed as the gateway signs them); ``system``: a service's own
    system token instead (True: the gateway's; or the service's name)."""
    if system:
        return mint_token(system_caller(system if isinstance(system, str) else "gateway"),
                          TEST_KEYS, 600)
    caller = Caller(user_id=user_id, username=user_id, full_name=user_id,
                    memberships=tuple(Membership(unit_uuid(k), r) for k, r in memberships),
                    clearance=clearance)
    return mint_token(caller, TEST_KEYS, 600)


def prepared_config(service_config, db_url_factory, *services, seeded=False):
    """A config whose services' databases are migrated (documents' seeded with the demo
    organisation when ``seeded``): copies of the session's template databases."""
    return dict(service_config, DB_URLS={
        s: db_url_factory(s, migrated=True, seeded=seeded and s == "documents")
        for s in services})


def incoming(number, **changes):
    payload = {"unit_id": unit_uuid("STC"), "code_number": str(number),
               "code_notation": "UBND-KT", "issued_date": "2025-10-30",
               "issuer": {"organ_id": "000.00.00.H41", "name": "UBND tỉnh Nghệ An"},
               "document_type": "CV", "subject": f"Văn bản thử {number}"}
    payload.update(changes)
    return payload
