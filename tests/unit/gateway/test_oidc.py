"""The relying party's helpers: PKCE, the signed state, the account of the claims."""
import base64
import hashlib
import time

import jwt
import pytest

from services.gateway import oidc

SECRET = "unit-test-secret-0123456789abcdef0123"


def test_the_pkce_challenge_is_s256_of_the_verifier_as_rfc_7636_shows():
    # RFC 7636, appendix B.
    assert oidc.pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == \
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_each_flow_has_its_own_unguessable_state_nonce_and_verifier():
    first, second = oidc.new_flow(), oidc.new_flow()
    assert first != second
    assert len(first["verifier"]) >= 43 and len(first["state"]) >= 32
    challenge = oidc.pkce_challenge(first["verifier"])
    assert challenge == base64.urlsafe_b64encode(
        hashlib.sha256(first["verifier"].encode()).digest()).rstrip(b"=").decode()


def test_the_callback_belongs_to_the_flow_whose_signed_cookie_holds_its_state():
    flow = oidc.new_flow()
    sealed = oidc.seal_flow(SECRET, flow)
    assert oidc.check_callback(SECRET, sealed, flow["state"])["verifier"] == flow["verifier"]


@pytest.mark.parametrize("change", ["state", "cookie", "key", "missing", "session"])
def test_a_changed_state_a_forged_cookie_or_none_is_refused(change):
    flow = oidc.new_flow()
    sealed = oidc.seal_flow(SECRET, flow)
    state = flow["state"]
    if change == "state":
        state = state[:-1] + ("A" if state[-1] != "A" else "B")
    elif change == "cookie":
        sealed = sealed[:-2] + ("AA" if sealed[-2:] != "AA" else "BB")
    elif change == "key":
        sealed = oidc.seal_flow("another-secret-0123456789abcdef0123", flow)
    elif change == "missing":
        sealed = None
    elif change == "session":   # a session cookie is no state cookie
        sealed = oidc.seal_session(SECRET, {"state": state})
    with pytest.raises(oidc.OidcError):
        oidc.check_callback(SECRET, sealed, state)


def test_an_expired_state_is_refused():
    flow = oidc.new_flow()
    sealed = jwt.encode({**flow, "aud": "eoffice-oidc-state", "exp": int(time.time()) - 60},
                        SECRET, algorithm="HS256")
    with pytest.raises(oidc.OidcError):
        oidc.check_callback(SECRET, sealed, flow["state"])


def test_the_session_cookie_carries_the_account_and_nothing_else_reads_it():
    sealed = oidc.seal_session(SECRET, {"source": "oidc", "username": "an.nv"})
    assert oidc.unseal_session(SECRET, sealed)["username"] == "an.nv"
    with pytest.raises(oidc.OidcError):
        oidc.unseal_session(SECRET, oidc.seal_flow(SECRET, oidc.new_flow()))


def test_the_account_takes_the_username_claim_and_only_a_verified_email():
    claims = {"sub": "x1", "preferred_username": "An.NV", "email": "an@tayninh.gov.vn",
              "email_verified": True, "name": "Nguyễn Văn An", "groups": ["cntt"]}
    assert oidc.account_from_claims(claims, "preferred_username") == {
        "source": "oidc", "username": "an.nv", "email": "an@tayninh.gov.vn",
        "full_name": "Nguyễn Văn An", "groups": ["cntt"]}
    assert oidc.account_from_claims(claims | {"email_verified": False},
                                    "preferred_username")["email"] is None
    with pytest.raises(oidc.OidcError):
        oidc.account_from_claims({"sub": "x1"}, "preferred_username")
