import time

import jwt
import pytest

from services.common import token_keys
from tests.token_keys import TEST_KEYS
from services.common.config import (DEFAULT_SECRET, InsecureSettings, refuse_default_secret,
                                    settings_from)
from services.common.errors import Unauthenticated
from services.common.identity import (Caller, CallerIdentity, Membership, mint_token,
                                      system_caller, verify_token)


@pytest.fixture(scope="module")
def keys_dir(tmp_path_factory):
    directory = str(tmp_path_factory.mktemp("keys"))
    token_keys.generate(directory)
    return directory


@pytest.fixture(scope="module")
def keys(keys_dir):
    """The keys each process holds: its own private key, everyone's public keys."""
    return {name: token_keys.load(name, keys_dir) for name in token_keys.SIGNERS}


def a_clerk():
    return Caller(user_id="u1", username="vanthu", full_name="Văn thư",
                  memberships=(Membership("unit-a", "clerk"),), clearance="confidential")


def a_province_head():
    return Caller(user_id="u-head", username="lanhdao", memberships=(
        Membership("province", "head"),), clearance="top_secret")


def test_a_token_the_gateway_minted_verifies_back_to_the_same_caller_in_every_service(keys):
    token = mint_token(a_clerk(), keys["gateway"], 60)
    for name in token_keys.SIGNERS:
        assert verify_token(token, keys[name]) == a_clerk()


def test_a_service_system_token_verifies_as_that_service(keys):
    token = CallerIdentity(keys["storage"], "storage").system_token()
    caller = CallerIdentity(keys["documents"], "documents").caller(token)
    assert caller.system and caller.service == "storage"


def test_a_token_storage_signed_claiming_to_be_documents_is_refused(keys):
    forged = mint_token(system_caller("documents"), keys["storage"], 60)
    with pytest.raises(Unauthenticated):
        verify_token(forged, keys["documents"])


def test_a_token_storage_signed_for_a_person_is_refused(keys):
    forged = mint_token(a_province_head(), keys["storage"], 60)
    for name in token_keys.SIGNERS:
        with pytest.raises(Unauthenticated):
            verify_token(forged, keys[name])


def test_a_token_naming_the_gateway_as_signer_but_signed_by_storage_is_refused(keys):
    storage_key = keys["storage"].private_key
    now = int(time.time())
    forged = jwt.encode({**a_province_head().to_claims(), "iss": "gateway", "iat": now,
                         "exp": now + 60}, storage_key, algorithm="EdDSA",
                        headers={"kid": "gateway"})
    with pytest.raises(Unauthenticated):
        verify_token(forged, keys["documents"])


def test_a_token_whose_issuer_differs_from_its_key_is_refused(keys):
    now = int(time.time())
    odd = jwt.encode({**system_caller("storage").to_claims(), "iss": "gateway", "iat": now,
                      "exp": now + 60}, keys["storage"].private_key, algorithm="EdDSA",
                     headers={"kid": "storage"})
    with pytest.raises(Unauthenticated):
        verify_token(odd, keys["documents"])


def test_a_shared_secret_token_of_the_old_kind_is_refused(keys):
    """HS256 with the repository's default secret (or any secret) no longer passes."""
    now = int(time.time())
    for kid in ("gateway", None):
        old = jwt.encode({**a_province_head().to_claims(), "iat": now, "exp": now + 60,
                          "iss": "gateway"}, DEFAULT_SECRET, algorithm="HS256",
                         headers={"kid": kid} if kid else None)
        with pytest.raises(Unauthenticated):
            verify_token(old, keys["documents"])
    with pytest.raises(TypeError):
        mint_token(a_clerk(), DEFAULT_SECRET, 60)


def test_an_unsigned_token_is_refused(keys):
    now = int(time.time())
    unsigned = jwt.encode({**a_province_head().to_claims(), "iss": "gateway",
                           "exp": now + 60}, None, algorithm="none",
                          headers={"kid": "gateway"})
    with pytest.raises(Unauthenticated):
        verify_token(unsigned, keys["documents"])


def test_a_token_signed_with_a_key_of_another_installation_is_refused(keys, tmp_path):
    token_keys.generate(str(tmp_path))
    elsewhere = token_keys.load("gateway", str(tmp_path))
    with pytest.raises(Unauthenticated):
        verify_token(mint_token(a_clerk(), elsewhere, 60), keys["documents"])


def test_an_expired_token_is_refused_with_a_message_saying_so(keys):
    with pytest.raises(Unauthenticated) as caught:
        verify_token(mint_token(a_clerk(), keys["gateway"], -5), keys["documents"])
    assert "expired" in caught.value.message_en


def test_a_token_whose_claims_were_edited_is_refused(keys):
    header, payload, signature = mint_token(a_clerk(), keys["gateway"], 60).split(".")
    forged = jwt.encode({"sub": "u1", "username": "x", "clearance": "top_secret",
                         "iss": "gateway", "exp": int(time.time()) + 60}, "guess",
                        algorithm="HS256")
    with pytest.raises(Unauthenticated):
        verify_token(".".join([header, forged.split(".")[1], signature]), keys["documents"])


def test_clearance_levels_are_ordered_from_none_to_top_secret():
    caller = a_clerk()
    assert caller.cleared_for("none") and caller.cleared_for("confidential")
    assert not caller.cleared_for("secret") and not caller.cleared_for("top_secret")


def test_a_system_caller_is_marked_as_such_and_names_its_service():
    assert system_caller("search").system and not a_clerk().system
    assert system_caller("search").service == "search" and a_clerk().service is None


def test_a_process_without_its_private_key_or_a_signers_public_key_does_not_start(tmp_path):
    with pytest.raises(token_keys.KeysUnusable, match="no signing key"):
        token_keys.load("documents", str(tmp_path))
    token_keys.generate(str(tmp_path), signers=("documents",))
    with pytest.raises(token_keys.KeysUnusable, match="no public key for gateway"):
        token_keys.load("documents", str(tmp_path))


def test_a_signing_key_that_does_not_match_its_listed_public_key_is_refused(keys_dir):
    publics = ",".join(f"{name}={open(f'{keys_dir}/{name}.pub').read().strip()}"
                       for name in token_keys.SIGNERS)
    own = open(f"{keys_dir}/storage.key").read().strip()
    assert token_keys.load("storage", "/nonexistent", own, publics).service == "storage"
    with pytest.raises(token_keys.KeysUnusable, match="does not match"):
        token_keys.load("documents", "/nonexistent", own, publics)


def test_keys_given_as_environment_text_work_like_key_files(keys_dir, keys):
    lines = dict(line.split("=", 1) for line in token_keys.environment_lines(keys_dir))
    from_env = token_keys.load("workflow", "/nonexistent",
                               lines["EOFFICE_WORKFLOW_SIGNING_KEY"],
                               lines["EOFFICE_PUBLIC_KEYS"])
    token = CallerIdentity(from_env, "workflow").system_token()
    assert verify_token(token, keys["documents"]).service == "workflow"


def test_generated_private_keys_are_readable_by_their_owner_only(keys_dir):
    import os
    import stat
    for name in token_keys.SIGNERS:
        mode = stat.S_IMODE(os.stat(os.path.join(keys_dir, f"{name}.key")).st_mode)
        assert mode == 0o600


def test_the_well_known_default_secret_is_refused_unless_the_development_flag_is_set():
    with pytest.raises(InsecureSettings, match="EOFFICE_SECRET_KEY"):
        refuse_default_secret(settings_from({}))
    with pytest.raises(InsecureSettings):
        refuse_default_secret(settings_from({"SECRET_KEY": DEFAULT_SECRET,
                                             "DEV_MODE": "false"}))
    refuse_default_secret(settings_from({"DEV_MODE": "true"}))
    refuse_default_secret(settings_from({"SECRET_KEY": "a-random-one-" + "9" * 40}))


def test_only_the_gateway_can_compute_the_gateways_cookie_secret():
    gateway = TEST_KEYS.of("gateway").derived_secret("sign-in-cookies")
    assert gateway == TEST_KEYS.of("gateway").derived_secret("sign-in-cookies")
    for other in ("documents", "workflow", "search", "notify", "storage"):
        assert TEST_KEYS.of(other).derived_secret("sign-in-cookies") != gateway
    assert TEST_KEYS.of("gateway").derived_secret("another purpose") != gateway


def test_a_verified_token_is_taken_from_the_cache_until_it_expires(keys, monkeypatch):
    from services.common import identity
    calls = []
    real = identity._verified
    monkeypatch.setattr(identity, "_verified",
                        lambda token, k: calls.append(token) or real(token, k))
    now = [time.time()]
    verified = identity.VerifiedTokens(clock=lambda: now[0])
    token = mint_token(a_clerk(), keys["gateway"], 60)
    assert verified.verify(token, keys["workflow"]) == a_clerk()
    assert verified.verify(token, keys["workflow"]) == a_clerk()
    assert len(calls) == 1
    now[0] += 61      # past its expiry: verified again (and refused, once really expired)
    verified.verify(token, keys["workflow"])
    assert len(calls) == 2


def test_an_expired_token_is_refused_even_when_it_was_verified_before(keys):
    from services.common.identity import VerifiedTokens
    verified = VerifiedTokens()
    token = mint_token(a_clerk(), keys["gateway"], 1)
    assert verified.verify(token, keys["workflow"]) == a_clerk()
    time.sleep(1.1)
    with pytest.raises(Unauthenticated):
        verified.verify(token, keys["workflow"])


def test_a_cached_token_is_refused_once_its_signer_key_is_replaced(keys, keys_dir, tmp_path):
    from services.common.identity import VerifiedTokens
    verified = VerifiedTokens()
    token = mint_token(a_clerk(), keys["gateway"], 60)
    holder = token_keys.load("workflow", keys_dir)
    assert verified.verify(token, holder) == a_clerk()
    other = str(tmp_path / "other")
    token_keys.generate(other)
    holder.public_keys["gateway"] = token_keys.load("gateway", other).public_key("gateway")
    with pytest.raises(Unauthenticated):
        verified.verify(token, holder)


def test_a_refused_token_is_not_remembered(keys):
    from services.common.identity import VerifiedTokens
    verified = VerifiedTokens()
    forged = mint_token(a_province_head(), keys["storage"], 60)
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            verified.verify(forged, keys["documents"])
    assert not verified._entries


def test_a_service_reuses_its_system_token_until_half_its_life_is_gone(keys, monkeypatch):
    from services.common import identity
    minted = []
    real = identity.mint_token
    monkeypatch.setattr(identity, "mint_token",
                        lambda *args: minted.append(args) or real(*args))
    now = [time.time()]
    service = CallerIdentity(keys["workflow"], "workflow", ttl_seconds=300,
                             clock=lambda: now[0])
    first = service.system_token()
    now[0] += 149
    assert service.system_token() == first
    assert len(minted) == 1
    now[0] += 2
    renewed = service.system_token()
    assert len(minted) == 2
    assert CallerIdentity(keys["documents"], "documents").caller(renewed).service == "workflow"
